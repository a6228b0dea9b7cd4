"""Industry names of GB/T 4754-2017 (国民经济行业分类) and keyword-based classification.

The table (``kb/data/industries.tsv``) holds the 门类 (A–T) and 大类 (01–97) codes and names,
plus, per 大类, the domain words that denote it (家纺 → 纺织业, 小吃 → 餐饮业); the TSV header
explains which words were left out on purpose. Classification answers with the 大类 name
because that is what users filter on ("纺织业") and what the case records store.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE_PATH = Path(__file__).parent / "data" / "industries.tsv"


@dataclass(frozen=True)
class Industry:
    code: str  # "A".."T" for a 门类, "01".."97" for a 大类
    name: str
    section: str  # the 门类 letter
    keywords: tuple[str, ...]

    @property
    def is_division(self) -> bool:
        """True for a 大类 (2-digit code)."""
        return self.code.isdigit()


@lru_cache(maxsize=1)
def _table() -> tuple[Industry, ...]:
    with open(TABLE_PATH, encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return tuple(
            Industry(r["code"], r["name"], r["section"], tuple(k for k in (r["keywords"] or "").split("|") if k))
            for r in rows
        )


@lru_cache(maxsize=1)
def _keywords() -> tuple[tuple[str, Industry], ...]:
    """(keyword, 大类) pairs, longest keyword first so 纺织服装 wins over 纺织."""
    pairs = []
    for ind in _table():
        if not ind.is_division:
            continue
        pairs.extend((k, ind) for k in ind.keywords)
        # Official names are keywords too, unless short (教育 also means 主题教育) or generic (其他…).
        if len(ind.name) >= 3 and not ind.name.startswith("其他"):
            pairs.append((ind.name, ind))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def all_industries() -> list[str]:
    """Names of all 97 大类, in code order."""
    return [i.name for i in _table() if i.is_division]


def industry_code(name: str) -> str | None:
    """The 2-digit code of a 大类 name ("纺织业" → "17"), or None."""
    return next((i.code for i in _table() if i.is_division and i.name == name), None)


def section_name(name: str) -> str | None:
    """The 门类 name of a 大类 ("纺织业" → "制造业"), or None."""
    ind = next((i for i in _table() if i.is_division and i.name == name), None)
    if ind is None:
        return None
    return next(i.name for i in _table() if i.code == ind.section)


def related_industries(name: str) -> list[str]:
    """Other 大类 of the same 门类 as ``name`` (纺织业 → 农副食品加工业 … 金属制品、机械和设备修理业)."""
    ind = next((i for i in _table() if i.is_division and i.name == name), None)
    if ind is None:
        return []
    return [i.name for i in _table() if i.is_division and i.section == ind.section and i.name != name]


# Trades named by how goods are sold, not made: chosen only when nothing else is named
# (a food workshop selling through 网店 is a food maker, not a retailer).
_WEAK = {"零售业"}
# Processing beats the farm: a 食用菌罐头 or 茶叶加工 text is manufacturing (门类 C), not 农业 (A),
# when it talks about processing.
_PROCESSING = ("加工", "罐头", "车间", "生产线", "工厂", "作坊", "米厂", "茶厂")


def _found(text: str) -> list[tuple[int, int, str]]:
    """(position, -length, 大类 name) of every keyword occurrence, earliest first."""
    hits = []
    taken: list[tuple[int, int]] = []
    for keyword, ind in _keywords():  # longest first: a shorter keyword inside a longer one is skipped
        start = 0
        while (pos := text.find(keyword, start)) >= 0:
            end = pos + len(keyword)
            if not any(a < end and pos < b for a, b in taken):
                taken.append((pos, end))
                hits.append((pos, -len(keyword), ind.name))
            start = pos + 1
    return sorted(hits)


def _section_of(name: str) -> str | None:
    return next((i.section for i in _table() if i.is_division and i.name == name), None)


def classify_industries(text: str, title: str = "") -> list[str]:
    """The 大类 names a case is about, main one first (empty if no keyword occurs).

    The title decides when it names a trade (every trade it names is kept); otherwise the
    earliest keyword of the text (the subject of a case sentence comes first: "福建沙县小吃
    产业…带动餐饮、食品…" is 餐饮业 via 小吃). Sales channels (零售/电商) count only when
    nothing else is named, and a farm product in a processing text goes to manufacturing.
    """
    for source in (title, text):
        names: list[str] = []
        for _pos, _neg, name in _found(source or ""):
            if name not in names:
                names.append(name)
        strong = [n for n in names if n not in _WEAK]
        names = strong or names
        if not names:
            continue
        if _section_of(names[0]) == "A" and any(w in (title + text) for w in _PROCESSING):
            made = [n for n in names if _section_of(n) == "C"]
            if made:
                names = made + [n for n in names if n not in made and _section_of(n) != "A"]
        return names if source is title else names[:1]
    return []


def classify_industry(text: str, title: str = "") -> str | None:
    """The main 大类 name the text is about, or None (see :func:`classify_industries`)."""
    names = classify_industries(text, title)
    return names[0] if names else None


def industry_label(name: str | None) -> str:
    """``C14 食品制造业`` for a 大类 name (the 门类 letter, the 2-digit code, the name)."""
    if not name:
        return ""
    ind = next((i for i in _table() if i.is_division and i.name == name), None)
    return f"{ind.section}{ind.code} {name}" if ind else name


def is_known_industry(name: str) -> bool:
    """Whether ``name`` denotes some 大类: its official name or a word of one (家纺); 火星业 does not."""
    return resolve_industry(name) in set(all_industries())


def resolve_industry(name: str | None) -> str | None:
    """The 大类 a user means by ``name``: an official name as is, else the 大类 its words denote
    (家纺 → 纺织业), else ``name`` unchanged (so an unknown trade filters to nothing, visibly).

    The one resolver behind every industry filter (passage search and case ranking alike).
    """
    name = (name or "").strip()
    if not name:
        return None
    if name in set(all_industries()):
        return name
    return classify_industry(name) or name


def trade_words(text: str) -> list[str]:
    """The words of ``text`` that name a trade (家具, 五金, 电动车), in order, without repeats."""
    return list(dict.fromkeys(text[pos:pos - neg] for pos, neg, _name in _found(text)))
