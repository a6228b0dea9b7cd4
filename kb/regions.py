"""Gazetteer of China's administrative divisions and region mentions in Chinese text.

The table comes from the ``adcodes.csv`` shipped by the ``cpca`` package (12-digit adcodes:
digits 1-2 = province, 1-4 = city), so it is maintained data, not a hand-typed list. cpca
itself is never imported: its ``__init__`` needs ``pkg_resources``, which may be absent. That
table predates the county-level changes since late 2016 (郫县 → 郫都区, 横县 → 横州市); a short,
documented supplement (``kb/data/region_changes.tsv``) adds the new names beside the old ones.

Matching is deliberately conservative, because many place names are also ordinary words
or are shared by several places:

* province names (full or short, 江苏省/江苏) and city names (南通市/南通) match anywhere,
  except a few short city names that are common words (:data:`_COMMON_WORDS`);
* full county names of three or more characters (上虞区, 德清县) match anywhere;
* short county names (浑源 for 浑源县) and two-character full names (沙县, 丰县, 城区) match only
  right after their own province or city ("山西浑源", "江苏丰县"); a two-character 县 also
  matches when followed by a word such as 产业/小吃 ("沙县小吃"); a short county name that names one
  place only and is no everyday word (``kb/data/county_short_names.txt``: 吴江, 德化, 义乌) also
  matches when an enterprise or its trade follows ("吴江某丝绸企业", "德化陶瓷", "永康五金");
* a name shared by several places (黄埔区, 鼓楼区) resolves to the one whose province or city
  is also mentioned; if none is, to the common province, or to nothing.

Region fields always hold full official names (江苏省, 南通市, 浑源县). The counties of the
municipalities (北京, 上海, 天津, 重庆) and the province-administered county-level units
(仙桃市, 石河子市 …) have no city: ``Region(province="北京市", county="朝阳区")``.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .industries import starts_with_trade_word
from .records import Region

# Pseudo-divisions in the table that are not places ("municipal districts", "counties").
_PSEUDO = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

# The 55 minority ethnic names, stripped from autonomous-area names (延边朝鲜族自治州 → 延边).
_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
# Without 族 only the multi-character names are unambiguous (蒙古, 哈萨克); 白/水/土 need 族.
_ETHNIC_SUFFIXES = sorted({e + "族" for e in _ETHNIC} | {e for e in _ETHNIC if len(e) >= 2}, key=len, reverse=True)

# Short city names that are everyday words or brand names; they match only as full names
# (阿里地区, 中山市) or right after their province.
_COMMON_WORDS = {"阿里", "中山", "安康", "长治", "大同", "海东", "海西", "海北", "山南", "白山", "吉安", "东方", "永安"}

# Words after a two-character county name (沙县, 丰县) that show it is the place.
_COUNTY_FOLLOWERS = ("产业", "小吃", "特色", "人民政府", "政府", "市场监管", "县域", "全县")
# Characters allowed between two names of one chain ("浙江在德清县", "江苏省的南通市", "江苏常州：武进区").
_CHAIN_GAP = re.compile(r"[在的省市：:]{0,2}")
# Words after a short county name of county_short_names.txt that show it is the place: an enterprise
# there (吴江某丝绸企业) or its trade (德化陶瓷, see :func:`starts_with_trade_word`).
_BUSINESS_FOLLOWERS = ("某", "企业", "公司", "工厂", "厂", "产业", "集群", "小微",
                       # a question pointing at the place (浑源那边产值涨到多少了, 德清那里咋分层的)
                       "那边", "这边", "那里", "那儿", "当地", "做", "搞")
SHORT_NAMES_PATH = Path(__file__).parent / "data" / "county_short_names.txt"
_MAX_NAME = 20


@dataclass(frozen=True)
class Place:
    """One administrative division; ``level`` is 1 province, 2 city, 3 county."""

    code: str
    name: str
    level: int
    province: str
    city: str | None

    def region(self) -> Region:
        if self.level == 1:
            return Region(province=self.name)
        if self.level == 2:
            return Region(province=self.province, city=self.name)
        return Region(province=self.province, city=self.city, county=self.name)


@dataclass(frozen=True)
class _Name:
    place: Place
    short: bool  # True for a derived short form (南通), False for the official name (南通市)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    place: Place


def adcodes_path() -> Path:
    """Path of cpca's adcodes.csv, found without importing cpca."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package is not installed")
    return Path(spec.submodule_search_locations[0]) / "resources" / "adcodes.csv"


def short_name(name: str, level: int) -> str:
    """Usual short form of an official name: 江苏省→江苏, 广西壮族自治区→广西, 浑源县→浑源, 沙县→沙县."""
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            stripped = True
            while stripped:
                stripped = False
                for eth in _ETHNIC_SUFFIXES:
                    if name.endswith(eth) and len(name) - len(eth) >= 2:
                        name, stripped = name[: -len(eth)], True
                        break
            return name
    suffixes = {1: ("省", "市"), 2: ("地区", "市", "盟"), 3: ("新区", "特区", "区", "县", "市", "旗")}[level]
    if level == 3 and name.endswith("林区") and len(name) - 2 >= 3:  # 神农架林区, not 万柏林区
        return name[:-2]
    for suffix in suffixes:
        # Never leave a single character: 沙县 stays 沙县.
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# Counties renamed or created after cpca's table was made, with their parent city (see its header).
CHANGES_PATH = Path(__file__).parent / "data" / "region_changes.tsv"


def region_changes() -> list[dict[str, str]]:
    """The rows of ``region_changes.tsv`` (name, adcode, parent, old_name, year, note)."""
    with open(CHANGES_PATH, encoding="utf-8") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))


def _changed_places(names: dict[str, str], codes: dict[str, str]) -> list[Place]:
    """The places of ``region_changes.tsv``, each under its parent city; a place without a certain
    adcode takes the code of the name it replaces."""
    places = []
    for row in region_changes():
        parent = row["parent"]
        province = names[parent[:2] + "0" * 10]
        city = names[parent]
        code = row["adcode"] or codes[row["old_name"]]
        places.append(Place(code, row["name"], 3, province, None if city in _PSEUDO else city))
    return places


@lru_cache(maxsize=1)
def _adcode_rows() -> tuple[tuple[str, str], ...]:
    """(adcode, name) rows of cpca's table, read once."""
    with open(adcodes_path(), encoding="utf-8") as fh:
        return tuple((r["adcode"], r["name"]) for r in csv.DictReader(fh))


@lru_cache(maxsize=1)
def _other_names() -> dict[tuple[str, str], str]:
    """(province, county) → the county's other name across a rename (郫县 ↔ 郫都区, 沙县 ↔ 沙县区), so
    a filter or a question using either name finds passages tagged with the other."""
    names = dict(_adcode_rows())
    out: dict[tuple[str, str], str] = {}
    for row in region_changes():
        if row["old_name"]:
            province = names[row["parent"][:2] + "0" * 10]
            out[(province, row["name"])] = row["old_name"]
            out[(province, row["old_name"])] = row["name"]
    return out


def other_county_name(province: str | None, county: str | None) -> str | None:
    """The county's name on the other side of a rename (郫县 → 郫都区, 沙县区 → 沙县), or None."""
    return _other_names().get((province, county)) if province and county else None


def same_county(province: str | None, a: str | None, b: str | None) -> bool:
    """Whether two county names of ``province`` name one place (equal, or the two sides of a rename)."""
    return a == b or (a is not None and b is not None and other_county_name(province, a) == b)


@lru_cache(maxsize=1)
def _places() -> tuple[Place, ...]:
    """Every division: cpca's table, then the later changes of ``region_changes.tsv``."""
    rows = _adcode_rows()
    names = dict(rows)
    places = []
    for code, name in sorted(rows):
        if name in _PSEUDO:
            continue
        province = names.get(code[:2] + "0" * 10)
        if code[2:] == "0" * 10:
            places.append(Place(code, name, 1, name, None))
        elif province is None:
            continue
        elif code[4:] == "0" * 8:
            places.append(Place(code, name, 2, province, None))
        else:
            city = names.get(code[:4] + "0" * 8)
            places.append(Place(code, name, 3, province, None if city in _PSEUDO else city))
    known = {p.name for p in places}
    codes = {name: code for code, name in rows if code[4:] != "0" * 8}
    places.extend(p for p in _changed_places(names, codes) if p.name not in known)
    return tuple(places)


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[_Name, ...]]:
    index: dict[str, list[_Name]] = {}
    changed = {row["name"] for row in region_changes()}
    for place in _places():
        index.setdefault(place.name, []).append(_Name(place, False))
        short = short_name(place.name, place.level)
        # A renamed county's short form (海门 for 海门区) stays with the old name (海门市) that has it.
        if place.name in changed and any(e.place.province == place.province and e.place.city == place.city
                                         for e in index.get(short, ())):
            continue
        if short != place.name:
            index.setdefault(short, []).append(_Name(place, True))
    return {k: tuple(v) for k, v in index.items()}


def division_names() -> list[tuple[str, int]]:
    """The short name and level of every division (江苏 1, 南通 2, 上虞 3; 沙县 3), each name once per level."""
    return list(dict.fromkeys((short_name(p.name, p.level), p.level) for p in _places()))


@lru_cache(maxsize=1)
def _standalone_short_names() -> frozenset[str]:
    """Short county names that may stand alone before an enterprise or a trade (see the file's header)."""
    lines = SHORT_NAMES_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_ancestor(outer: Place, inner: Place) -> bool:
    if outer.level >= inner.level or outer.province != inner.province:
        return False
    return outer.level == 1 or outer.name == inner.city


def _needs_context(entry: _Name) -> bool:
    """Names that match only right after their province/city (see the module docstring)."""
    place = entry.place
    if place.level == 3:
        return entry.short or len(place.name) <= 2
    return place.level == 2 and entry.short and short_name(place.name, 2) in _COMMON_WORDS


def _candidates(text: str, i: int, name: str, prev: tuple[int, list[Place]] | None) -> list[Place]:
    """Places that ``name`` at ``text[i:]`` may denote, given the (end, places) mention before it."""
    after = text[i + len(name) :]
    if name[-1] in "区县市" and after.startswith("域"):  # 河北区域, 县域: not a place name
        return []
    outer = prev[1] if prev is not None and _CHAIN_GAP.fullmatch(text[prev[0] : i]) else []

    def under_outer(place: Place) -> bool:
        return any(_is_ancestor(o, place) for o in outer)

    out = []
    for entry in _index()[name]:
        if under_outer(entry.place) or not _needs_context(entry):
            out.append(entry.place)
        elif len(name) == 2 and name.endswith("县") and after.startswith(_COUNTY_FOLLOWERS):
            out.append(entry.place)
        elif (entry.short and name in _standalone_short_names()
              and (after.startswith(_BUSINESS_FOLLOWERS) or starts_with_trade_word(after))):
            out.append(entry.place)
    # Right after its province/city, a name means the place inside it (广州黄埔区).
    return [p for p in out if under_outer(p)] or out


def _raw_mentions(text: str) -> list[tuple[int, int, list[Place]]]:
    """Left-to-right longest-match scan; each mention keeps all its candidate places."""
    index = _index()
    found: list[tuple[int, int, list[Place]]] = []
    prev: tuple[int, list[Place]] | None = None
    i = 0
    while i < len(text):
        for length in range(min(_MAX_NAME, len(text) - i), 1, -1):
            name = text[i : i + length]
            if name in index and (cands := _candidates(text, i, name, prev)):
                found.append((i, i + length, cands))
                prev = (i + length, cands)
                i += length
                break
        else:
            i += 1
    return found


def _resolve(raw: list[tuple[int, int, list[Place]]]) -> list[_Mention]:
    """Pick one place per mention, preferring places whose province/city is mentioned too."""
    unique = [c[0] for _, _, c in raw if len(c) == 1]
    mentioned = {(p.level, p.name) for p in unique}
    out = []
    for start, end, cands in raw:
        if len(cands) > 1:
            fitting = [p for p in cands if (2, p.city) in mentioned or (1, p.province) in mentioned]
            cands = fitting or cands
        if len(cands) > 1:
            top = min(p.level for p in cands)  # 吉林 the province before 吉林市
            cands = [p for p in cands if p.level == top]
        if len(cands) > 1:
            provinces = {p.province for p in cands}
            if len(provinces) != 1:
                continue  # ambiguous across provinces: say nothing rather than guess
            province = provinces.pop()  # once: inside the generator it emptied the set (向阳区, 桥东区)
            cands = [next(p for p in _places() if p.level == 1 and p.name == province)]
        out.append(_Mention(start, end, cands[0]))
    return out


def region_spans(text: str) -> list[tuple[int, int, Region]]:
    """Every place mentioned in ``text`` as (start, end, region), one per chain.

    A chain is a run of nested names with at most a connecting character or two between them
    ("浙江绍兴上虞区", "浙江在德清县"); it yields the most specific of them, with the county
    resolved to its city and province. Kept for texts up to ``_SPANS_CACHE_CHARS`` characters
    (a search scans the same passages and sentences query after query).
    """
    return list(_cached_region_spans(text) if len(text) <= _SPANS_CACHE_CHARS else _region_spans(text))


_SPANS_CACHE_CHARS = 4000


@lru_cache(maxsize=8192)
def _cached_region_spans(text: str) -> tuple[tuple[int, int, Region], ...]:
    return _region_spans(text)


def _region_spans(text: str) -> tuple[tuple[int, int, Region], ...]:
    spans: list[tuple[int, int, Region]] = []
    chain: list[_Mention] = []
    for m in _resolve(_raw_mentions(text)) + [None]:
        if m is not None and chain:
            last = chain[-1]
            if _CHAIN_GAP.fullmatch(text[last.end : m.start]) and _is_ancestor(last.place, m.place):
                chain.append(m)
                continue
        if chain:
            spans.append((chain[0].start, chain[-1].end, chain[-1].place.region()))
        chain = [m] if m is not None else []
    return tuple(spans)


def place_names(text: str) -> frozenset[str]:
    """Every name of a place (official or short) inside a place mention of ``text``.

    "今天北京天气怎么样" → {北京}; "江苏省南通市的做法" → {江苏, 江苏省, 南通, 南通市}. Only mentions
    :func:`region_spans` recognises count, so a word that is also a place name is left out
    where the text does not use it as one (阿里 alone, 县域)."""
    index = _index()
    names = set()
    for start, end, _ in region_spans(text):
        span = text[start:end]
        names.update(span[i:j] for i in range(len(span)) for j in range(i + 2, len(span) + 1) if span[i:j] in index)
    return frozenset(names)


# One-character names of the province-level divisions (简称), as joined in 京津冀, 沪苏浙皖, 桂港合作.
PROVINCE_ABBREVIATIONS = {
    "京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "豫": "河南省", "滇": "云南省",
    "辽": "辽宁省", "黑": "黑龙江省", "湘": "湖南省", "皖": "安徽省", "鲁": "山东省", "新": "新疆维吾尔自治区",
    "苏": "江苏省", "浙": "浙江省", "赣": "江西省", "鄂": "湖北省", "桂": "广西壮族自治区", "甘": "甘肃省", "陇": "甘肃省",
    "晋": "山西省", "蒙": "内蒙古自治区", "陕": "陕西省", "吉": "吉林省", "闽": "福建省", "黔": "贵州省", "粤": "广东省",
    "青": "青海省", "藏": "西藏自治区", "川": "四川省", "蜀": "四川省", "宁": "宁夏回族自治区", "琼": "海南省",
    "港": "香港特别行政区", "澳": "澳门特别行政区", "台": "台湾省",
}
# Three or more together (京津冀, 沪苏浙皖), or two before a word for what places do together (桂港合作,
# 川渝地区): two alone are too often a word (新台阶, 苏宁, 新晋).
_ABBREVIATION_RUN = re.compile(f"[{''.join(PROVINCE_ABBREVIATIONS)}]{{3,4}}|[{''.join(PROVINCE_ABBREVIATIONS)}]{{2}}"
                               "(?=合作|协同|一体化|联动|地区|区域|两地|经济圈|共建|协作|互认|对口)")


def abbreviated_provinces(text: str) -> frozenset[str]:
    """Provinces a text names by their one-character names joined together (桂港合作 → 广西, 香港;
    京津冀 → 北京, 天津, 河北), not inside place names it spells out (辽宁 is not 辽 + 宁夏) nor in
    words that happen to be made of them (迈上新台阶, 苏宁, 新晋)."""
    if not _ABBREVIATION_RUN.search(text):
        return frozenset()  # most texts: no need to find their place names
    for name in sorted(place_names(text), key=len, reverse=True):
        text = text.replace(name, "　" * len(name))
    return frozenset(PROVINCE_ABBREVIATIONS[ch] for run in _ABBREVIATION_RUN.findall(text) for ch in run)


def find_regions(text: str) -> list[Region]:
    """All regions mentioned in ``text``, in order of first mention, without repeats."""
    seen: list[Region] = []
    for _, _, region in region_spans(text):
        if region not in seen:
            seen.append(region)
    return seen


def find_region(text: str) -> Region:
    """The region the text starts with (its subject), as specific as the text says.

    "浙江绍兴上虞区…" → 浙江省/绍兴市/上虞区; "山西浑源黄芪…" → 山西省/大同市/浑源县.
    Returns an empty ``Region()`` when no place is recognised.
    """
    spans = region_spans(text)
    return spans[0][2] if spans else Region()


def provinces() -> list[str]:
    """Official names of all provincial-level divisions, in adcode order."""
    return [p.name for p in _places() if p.level == 1]


# Words of administrative divisions, not of any one place: a filter of "省" or "自治区" alone would
# match almost every region by substring (a tester's --region 省 matched 66 of 69 cases).
_DIVISION_CHARS = frozenset("省市区县州盟旗镇乡村街道自治特别行政地")


def filter_place(name: str) -> str:
    """A region filter as typed, with a one-character province name written out (苏 → 江苏省; in
    filters only: in running text one character alone is too ambiguous to tag a place)."""
    name = name.strip()
    return PROVINCE_ABBREVIATIONS.get(name, name)


def _substring_query(name: str) -> bool:
    """Whether an unrecognised ``name`` may still match by substring (:func:`region_matcher`): two
    characters or more, not only division words."""
    return len(name) >= 2 and not set(name) <= _DIVISION_CHARS


def is_known_region(name: str) -> bool:
    """Whether ``name`` can match some place: a recognised place (江苏, 南通市), a short name that
    needs context (朝阳), or part of an official name (the fallback of :func:`region_matches`;
    not a single character or division words alone such as 省, 自治区)."""
    name = filter_place(name)
    if not name:
        return True
    if find_region(name) != Region() or name in _index():
        return True
    return _substring_query(name) and any(name in p.name for p in _places())


def region_matches(region: Region, query: str) -> bool:
    """Whether ``region`` lies within the place named by ``query``.

    A province query matches its cities and counties ("江苏" matches 江苏省南通市); a query that
    is not recognised as a place (an ambiguous short name such as "朝阳") falls back to a
    substring test on the region's full display name.
    """
    return region_matcher(query)(region)


def region_matcher(query: str) -> Callable[[Region], bool]:
    """:func:`region_matches` for one ``query``, with the query resolved once (for filtering
    many chunks)."""
    query = filter_place(query)
    if not query:
        return lambda region: True
    wanted = find_region(query)
    if wanted == Region():
        if not _substring_query(query):
            return lambda region: False  # 省, 市, 自治区: no place (kb shows a note saying so)
        return lambda region: query in region.display()

    def matches(region: Region) -> bool:
        if wanted.province is not None and wanted.province != region.province:
            return False
        if wanted.county is not None and wanted.county != region.county:
            # the other side of a rename is that county whatever city it was under: 济南市莱芜区 was
            # 莱芜市莱城区 before 2019
            return same_county(region.province, wanted.county, region.county)
        return wanted.city is None or wanted.city == region.city
    return matches


@lru_cache(maxsize=1)
def _foreign() -> tuple[str, ...]:
    path = Path(__file__).parent / "data" / "foreign_places.txt"
    names = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def foreign_names(text: str) -> list[str]:
    """Places outside China named in ``text`` (kb/data/foreign_places.txt), in order, each once;
    a name inside a longer one found (印度 in 印度尼西亚) is not given again. A name that is part of a
    Chinese word is not a place abroad: 朝鲜族, 俄罗斯族 (ethnic groups), 中东部 (China's middle and
    east), 非洲猪瘟 (a pig disease)."""
    taken = [False] * len(text)
    found: list[tuple[int, str]] = []
    for name in _foreign():
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if text[end:end + 1] in ("族", "部") or text.startswith("猪瘟", end):
                pass
            elif not any(taken[start:end]):
                taken[start:end] = [True] * len(name)
                found.append((start, name))
            start = text.find(name, end)
    return list(dict.fromkeys(n for _, n in sorted(found)))
