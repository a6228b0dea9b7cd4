"""Industry names of GB/T 4754-2017 (国民经济行业分类) and keyword-based classification.

The table (``kb/data/industries.tsv``) holds the 门类 (A–T) and 大类 (01–97) codes and names,
plus, per 大类, the domain words that denote it (家纺 → 纺织业, 小吃 → 餐饮业); the TSV header
explains which words were left out on purpose. Everyday words a user types for a trade, some
naming two 大类 (食品, 电子), are in ``kb/data/industry_words.tsv`` and only resolve filters. Classification answers with the 大类 name
because that is what users filter on ("纺织业") and what the case records store.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE_PATH = Path(__file__).parent / "data" / "industries.tsv"
# Everyday words for trades, read only to resolve what a user types (see :func:`resolve_industries`).
WORDS_PATH = Path(__file__).parent / "data" / "industry_words.tsv"


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


def starts_with_trade_word(text: str) -> bool:
    """Whether ``text`` begins with a trade's domain word of two or more characters (陶瓷, 五金, 家具)."""
    return any(text.startswith(k) for k, _ in _keywords() if len(k) >= 2)


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


# Branches of manufacturing (门类 C holds 31 大类, too many to call each other related):
# equipment is the 8 大类 of the NBS statistical group 装备制造业 (33–40) plus repair (43);
# consumer goods follow the scope of MIIT's 消费品工业 (food, drink, textiles, clothing, leather,
# wood, furniture, paper, printing, stationery/toys, medicine) plus 其他制造业; the rest are
# materials (fuels, chemicals, fibres, rubber/plastics, minerals, metals, recycling). Our grouping.
_BRANCHES = (
    frozenset({"13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "27", "41"}),
    frozenset({"25", "26", "28", "29", "30", "31", "32", "42"}),
    frozenset({"33", "34", "35", "36", "37", "38", "39", "40", "43"}),
)


def neighbour_industries(name: str) -> list[str]:
    """The 大类 closest to ``name``: those of its 门类, and in manufacturing only those of its
    branch (酒、饮料和精制茶制造业 → 农副食品加工业, 食品制造业, 纺织业 …, not 金属制品业)."""
    ind = next((i for i in _table() if i.is_division and i.name == name), None)
    if ind is None:
        return []
    branch = next((b for b in _BRANCHES if ind.code in b), None) if ind.section == "C" else None
    return [n for n in related_industries(name)
            if branch is None or industry_code(n) in branch]


# Trades named by how goods are sold, not made: chosen only when nothing else is named
# (a food workshop selling through 网店 is a food maker, not a retailer).
_WEAK = {"零售业"}
# Processing beats the farm: a 食用菌罐头 or 茶叶加工 text is manufacturing (门类 C), not 农业 (A),
# when it talks about processing.
_PROCESSING = ("加工", "罐头", "车间", "生产线", "工厂", "作坊", "米厂", "茶厂", "脱水", "烘干", "冻干", "腌制")


# Keywords that a word before them makes something else; the span after ``before`` is no keyword there.
_NOT_THE_KEYWORD = (
    # "规范化工厂", "自动化工序": 化 ends an adverb there, 化工 is no chemical trade.
    re.compile(r"(?P<before>规范|标准|自动|智能|数字|现代|信息|集约|规模|专业|品牌|机械|产业|工业|系统)化工"),
    # "质量诊所", "标准化诊所", "设备医院": a service that diagnoses an enterprise's quality or its
    # machines, named after a clinic, is no health care (Q84).
    re.compile(r"(?P<before>质量|标准化?|计量|认证|检验检测|检测|技术|管理|品牌|知识产权|商标|专利|信用|设备|模具)"
               r"[“”\"]?(?:诊所|医院)"),
)


def _found(text: str) -> list[tuple[int, int, str]]:
    """(position, -length, 大类 name) of every keyword occurrence, earliest first."""
    hits = []
    taken = [(m.start() + len(m["before"]), m.end()) for pattern in _NOT_THE_KEYWORD for m in pattern.finditer(text)]
    for keyword, ind in _keywords():  # longest first: a shorter keyword inside a longer one is skipped
        start = 0
        while (pos := text.find(keyword, start)) >= 0:
            end = pos + len(keyword)
            if not any(a < end and pos < b for a, b in taken):
                taken.append((pos, end))
                hits.append((pos, -len(keyword), ind.name))
            start = pos + 1
    return sorted(hits)


# What the subject itself makes, at the start of a clause: "该企业主要生产针织羊绒衫",
# "为家电企业配套生产塑料注塑件", "从事枸杞干果分级包装". Its words beat the trades of the
# customers or suppliers the text names (家电 customers do not make an injection moulder C38);
# "生产过程中…", "生产线…", "生产中…" are not products, "从事中药饮片…" is.
_OWN_PRODUCT = re.compile(
    r"(?:^|[，,。；;：:])\s*(?:该|本|其)?(?:企业|公司|厂|合作社|作坊|车间|工坊)?(?:主要|专业|长期|专门)*"
    r"(?:为[^，,。；;]{1,12}?)?(?:主要|专业|长期|专门|配套|主营业务为)*(?:生产|主营|从事|制造|加工)"
    r"(?![过环线车工管经安许设现流计效成规能许的]|中(?!药|成药))(?P<what>[^，,。；;]{1,24})")


def _own_products(text: str) -> list[str]:
    """The 大类 of what the subject says it makes (see ``_OWN_PRODUCT``), in order."""
    names: list[str] = []
    for m in _OWN_PRODUCT.finditer(text):
        for _pos, _neg, name in _found(m["what"]):
            if name not in names:
                names.append(name)
    return names


def _section_of(name: str) -> str | None:
    return next((i.section for i in _table() if i.is_division and i.name == name), None)


def classify_industries(text: str, title: str = "") -> list[str]:
    """The 大类 names a case is about, main one first (empty if no keyword occurs).

    The title decides when it names a trade (every trade it names is kept); otherwise what the
    text says the subject makes ("该企业主要生产…", "为家电企业配套生产塑料注塑件" is 塑料, not
    家电), else the earliest keyword of the text (the subject of a case sentence comes first:
    "福建沙县小吃产业…带动餐饮、食品…" is 餐饮业 via 小吃). Sales channels (零售/电商) count only when
    nothing else is named, and a farm product in a processing text goes to manufacturing.
    """
    for source in (title, text):
        names = _own_products(source) if source is text and source else []
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


def field_industries(value: str) -> list[str]:
    """The 大类 an explicit industry field names ("所属行业：农副食品加工业" → 农副食品加工业;
    "行业：粮食加工（大米）" → by its words), main one first; empty when it names none."""
    value = value.strip()
    if value in set(all_industries()):
        return [value]
    names = classify_industries("", value)
    if names and _section_of(names[0]) not in _GOODS_SECTIONS:
        # A service named first ("检测服务（服装、纺织品检测）", "物流（冷链仓储）"): the goods named after
        # it are what the service works on, not trades of the enterprise (a testing lab is M74, not C17).
        names = [n for n in names if _section_of(n) not in _GOODS_SECTIONS]
    return names


# 门类 of goods (farming, mining, manufacturing): what a service in the other 门类 may work on.
_GOODS_SECTIONS = frozenset("ABC")


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


# Characters any trade's words may share without being the same trade (伞业 and 木业, 假发制品).
_GENERIC_TRADE_CHARS = frozenset("业品制造加工厂产器材料具件机械用类设备企生化")


def names_the_trade(text: str, word: str) -> bool:
    """Whether ``text`` speaks of the trade ``word`` names: it says the word, or a keyword of the
    word's 大类 that shares a telling character with it — a text on 伞业 speaks of 雨伞, not of 假发,
    though GB/T 4754 puts both in 41 其他制造业; a text on 智能装备 is no text on 眼镜 (both 35)."""
    if word in text:
        return True
    name = classify_industry(word)
    if name and word in name:  # 服装 (纺织服装、服饰业), 家具 (家具制造业): the whole class, any of its trades
        return any(ind == name for _pos, _neg, ind in _found(text))
    own = set(word) - _GENERIC_TRADE_CHARS
    return bool(name and own) and any(ind == name and own & set(text[pos:pos - neg]) for pos, neg, ind in _found(text))


def industry_list(names, labels: bool = True) -> str:
    """Trade names for one line of text, ``C17 纺织业；C39 计算机、通信和其他电子设备制造业``: joined
    with "；" because many GB/T 4754 names hold a "、" of their own."""
    return "；".join(industry_label(n) if labels else n for n in names if n)


def is_known_industry(name: str) -> bool:
    """Whether ``name`` denotes some 大类: its official name, a word of one (家纺) or an everyday
    word for trades (食品, 电子厂); 火星业 does not."""
    return all(n in set(all_industries()) for n in resolve_industries(name)) and bool((name or "").strip())


@lru_cache(maxsize=1)
def _words() -> dict[str, tuple[str, ...]]:
    """Everyday word → the 大类 names it covers, most common first (``industry_words.tsv``)."""
    names = {i.code: i.name for i in _table() if i.is_division}
    with open(WORDS_PATH, encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return {r["word"]: tuple(names[c] for c in r["codes"].split("|")) for r in rows}


# What people add to a trade word: 电子厂, 食品企业, 机械行业, 家具公司.
_TRADE_SUFFIX = re.compile(r"(?:加工厂|工厂|厂家|厂|企业|企|行业|产业|公司|作坊)$")


_CODE = re.compile(r"(?P<letter>[A-Ta-t])?(?P<code>\d{2})(?:\s*(?P<name>\S.*))?")


def resolve_industries(name: str | None) -> list[str]:
    """Every 大类 a user means by ``name``, the most common first: an official name as is; an
    everyday word by ``industry_words.tsv`` (食品 → 食品制造业, 农副食品加工业; 电子厂 → 计算机、通信和
    其他电子设备制造业, 电气机械和器材制造业); else the 大类 its words denote (家纺 → 纺织业); else
    ``[name]`` unchanged (so an unknown trade filters to nothing, visibly). Empty for no name."""
    name = (name or "").strip()
    if not name:
        return []
    if name in set(all_industries()):
        return [name]
    coded = _CODE.fullmatch(name)  # "C17", "17", "C17 纺织业": as the results show it
    if coded:
        ind = next((i for i in _table() if i.is_division and i.code == coded["code"]
                    and (not coded["letter"] or i.section == coded["letter"].upper())), None)
        if ind is not None and (not coded["name"] or coded["name"] == ind.name):
            return [ind.name]
    for word in dict.fromkeys((name, _TRADE_SUFFIX.sub("", name))):
        if word in _words():
            return list(_words()[word])
    if name.endswith("店") and _is_service_word(name[:-1]):  # 奶茶店, 美甲店; a 鞋店 makes no shoes
        return list(_words()[name[:-1]])
    found = classify_industry(name)
    return [found] if found else [name]


def resolve_industry(name: str | None) -> str | None:
    """The main 大类 a user means by ``name`` (the first of :func:`resolve_industries`), or None.

    Behind the passage filters, which take one 大类; case ranking takes all of them.
    """
    names = resolve_industries(name)
    return names[0] if names else None


def _is_service_word(word: str) -> bool:
    """Whether ``word`` is an everyday word for trades outside farming, mining and manufacturing
    (门类 A–C): 奶茶, 美甲, 装修, not 鞋 or 电子."""
    return word in _words() and all(_section_of(n) not in ("A", "B", "C") for n in _words()[word])


@lru_cache(maxsize=1)
def _service_words() -> tuple[str, ...]:
    """The everyday words of service trades (:func:`_is_service_word`), longest first."""
    return tuple(sorted(filter(_is_service_word, _words()), key=len, reverse=True))


def is_everyday_word(word: str) -> bool:
    """Whether ``word`` comes from the everyday word list (奶茶, 食品), not from a 大类's keywords:
    no classified text vouches for it, since a 大类 covers many trades (餐饮业: 小吃 and 奶茶)."""
    return word in _words() and word not in {k for k, _ind in _keywords()}


# What follows a service word when it names a product or a manner, not the trade (see trade_words).
# ... nor one that is used or bought (用的什么ERP软件好, 买个软件): a tool of the business, not its trade.
_A_TOOL_BEFORE = re.compile(r"(?:用|使用|买|装|选|上)(?:的|了|个|款|套|一套|一款)?(?:什么|啥|哪个|哪种|哪款|哪家|哪套)?"
                            r"[A-Za-z0-9\s]*$")
_NOT_THE_TRADE = re.compile(r"式|化|材|料|陶瓷|餐盒|餐具|包装|盒|盆|桶|袋|剂|液|粉|机|器|设备|用品|工具|车间")


def tool_words(text: str) -> list[str]:
    """Trade keywords a text names as something used or bought (用的什么ERP软件好 → 软件): not its trade."""
    return list(dict.fromkeys(text[pos:pos - neg] for pos, neg, _name in _found(text)
                              if _A_TOOL_BEFORE.search(text[max(0, pos - 12):pos])))


# An everyday word written as a trade in a question: followed by 厂/企/企业/行业… (茶厂, 茶企, 做鞋企业), or
# after 做/搞/干/开/办 and before 的 (做茶的, 开酒厂的).
_AS_TRADE_AFTER = re.compile(r"加工厂|工厂|厂家|厂|企业|企|行业|产业|公司|作坊")
_AS_TRADE_AROUND = re.compile(r"(?:做|搞|干|开|办)$")


def everyday_trade(question: str) -> str | None:
    """The 大类 of an everyday word of ``industry_words.tsv`` that ``question`` writes as a trade
    (做茶的小厂, 茶企农残超标, 开酒厂的 → 酒、饮料和精制茶制造业), the most common one of the word; None
    when none is. The longest word wins where two overlap, so 茶 inside 奶茶 or 茶馆 is no 茶."""
    taken: list[tuple[int, int]] = []
    for word in sorted(_words(), key=len, reverse=True):
        start = 0
        while (pos := question.find(word, start)) >= 0:
            end, start = pos + len(word), pos + 1
            if any(a < end and pos < b for a, b in taken):
                continue
            taken.append((pos, end))
            if _AS_TRADE_AFTER.match(question, end) or (
                    _AS_TRADE_AROUND.search(question[:pos]) and question.startswith("的", end)):
                return _words()[word][0]
    return None


def trade_words(text: str) -> list[str]:
    """The words of a question that name a trade (家具, 五金, 电动车, 奶茶), in order, without repeats:
    the keywords of the 大类 and, since a question is what a user types, the everyday words of
    ``industry_words.tsv`` for trades outside 门类 A–C (奶茶, 汽修, 物流; not 电子, 包装, 机械, which
    are also 电子台账, 包装标识, 机械化). The longest word wins where two overlap (美容美发, not 美发).
    A service word that only describes something else is no trade: 保姆式服务, 建筑材料, 外卖餐盒,
    干洗剂, 足浴盆 (:data:`_NOT_THE_TRADE` after it)."""
    found = [(pos, neg) for pos, neg, _name in _found(text) if not _A_TOOL_BEFORE.search(text[max(0, pos - 12):pos])]
    taken = [(pos, pos - neg) for pos, neg in found]
    for word in _service_words():
        start = 0
        while (pos := text.find(word, start)) >= 0:
            end = pos + len(word)
            if _NOT_THE_TRADE.match(text, end) or _A_TOOL_BEFORE.search(text[max(0, pos - 12):pos]):
                pass
            elif not any(a < end and pos < b for a, b in taken):
                taken.append((pos, end))
                found.append((pos, -len(word)))
            start = pos + 1
    return list(dict.fromkeys(text[pos:pos - neg] for pos, neg in sorted(found)))
