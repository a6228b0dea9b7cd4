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


def classify_industry(text: str) -> str | None:
    """The 大类 name the text is about, or None if no keyword occurs.

    The earliest keyword wins (the subject of a case sentence comes first: "福建沙县小吃产业…
    带动餐饮、食品…" is 餐饮业 via 小吃); at one position the longest keyword wins.
    """
    best: tuple[int, int, str] | None = None
    for keyword, ind in _keywords():
        pos = text.find(keyword)
        if pos >= 0 and (best is None or (pos, -len(keyword)) < best[:2]):
            best = (pos, -len(keyword), ind.name)
    return best[2] if best else None


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
