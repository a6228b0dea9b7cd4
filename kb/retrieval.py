"""Reading an index: candidates from each side, fusion into ranked passages, case ranking.

The boundary to the storage engine is :meth:`Retriever.candidates`: keyword and vector
candidates with their raw scores, filters applied inside the search. Everything after it
(fusion, de-duplication, hits, case ranking) is the same whatever produced the candidates.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from .cases import points_to_table, record_part
from .cases_ranking import CaseRankSettings, rank_cases, rank_similar
from .config import KBConfig
from .embedding import Embedder, check_compatible
from .errors import KBError
from .fusion import evidence_fusion, idf, lifted, lowered, rerank, spread_from_median
from .glossary import asked_terms, everyday_words, expand, glossary, occurs, word_boundaries, word_spans
from .homophones import Correction
from .industries import (
    classify_industry,
    everyday_trade,
    is_everyday_word,
    names_the_trade,
    resolve_industries,
    tool_words,
    trade_words,
)
from .records import CaseHit, ChunkTags, Hit, Region, kind_value
from .regions import find_region, foreign_names, place_names, region_matcher, region_spans
from .simplified import to_simplified
from .snapshot import Snapshot
from .structure import case_parts, heading_part, prose_part, section_part
from .token_match import TokenMatcher, spread
from .tokenizer import DOMAIN_WORDS, Tokenizer, informative, names_the_field, offtopic_words, topic_words

MODES = ("hybrid", "bm25", "dense")


@dataclass(frozen=True)
class Filters:
    """Restrictions applied inside the search (before top-k is cut).

    ``industry`` is resolved like the case filter (家纺 → 纺织业); ``region`` matches any
    place a passage talks about, sub-regions included (江苏 matches 江苏省南通市): the places
    of its cases and the places its text names (:class:`kb.records.ChunkTags`).
    """

    industry: str | None = None
    region: str | None = None
    kind: str | None = None
    doc: str | None = None

    def __post_init__(self) -> None:
        # 江蘇 / 紡織業 typed in Traditional characters mean 江苏 / 纺织业.
        for name in ("industry", "region"):
            value = getattr(self, name)
            if value:
                object.__setattr__(self, name, to_simplified(value))

    def __bool__(self) -> bool:
        return any((self.industry, self.region, self.kind, self.doc))


@dataclass(frozen=True)
class Candidates:
    """What each side found for one query: chunk position → raw score, best first."""

    keyword: dict[int, float] = field(default_factory=dict)  # BM25 score (> 0)
    dense: dict[int, float] = field(default_factory=dict)  # cosine of the chunk's best sentence
    terms: tuple[str, ...] = ()  # the query's tokens (glossary expansions included)
    # share (0–1) of the query's informative IDF mass each keyword candidate contains
    coverage: dict[int, float] = field(default_factory=dict)
    sentences: dict[int, int] = field(default_factory=dict)  # dense candidate → its best sentence id
    # words typed but not searched by: those a question says were not done (哪些问题没解决 → 解决)
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of the direct answer, with where it comes from."""

    text: str
    chunk_id: str
    doc: str  # document title
    section: str
    page: int | None
    score: float
    doc_id: str = ""
    printed_page: str | None = None  # the page number printed on that page, where it differs

    def as_dict(self) -> dict:
        # "doc" has always been the title here (in results it is the document id): both are
        # given under the names results use, "doc" stays for scripts that read it.
        return {"text": self.text, "chunk_id": self.chunk_id, "doc": self.doc, "doc_id": self.doc_id,
                "title": self.doc, "section": self.section, "page": self.page, "printed_page": self.printed_page,
                "score": self.score}


@dataclass(frozen=True)
class OutlineItem:
    """One heading of an outline, with the first passage under it."""

    heading: str
    chunk_id: str
    page: int | None
    printed_page: str | None = None  # the page number printed on that page, where it differs

    def as_dict(self) -> dict:
        return {"heading": self.heading, "chunk_id": self.chunk_id, "page": self.page,
                "printed_page": self.printed_page}


@dataclass(frozen=True)
class Outline:
    """The headings one level under a section (二、经验总结 → （一）…（四）), for a question that
    asks for a list (总结了哪几条经验, 下一步有哪几项打算). ``section`` is empty for the document's
    top level; ``count`` is the number of headings, ``items`` at most :data:`OUTLINE_MAX_ITEMS`."""

    doc: str  # document title
    section: str
    items: tuple[OutlineItem, ...]
    count: int
    doc_id: str = ""

    def as_dict(self) -> dict:
        return {"doc": self.doc, "doc_id": self.doc_id, "title": self.doc, "section": self.section,
                "count": self.count, "items": [i.as_dict() for i in self.items]}


def shown_region(tags: ChunkTags, wanted: str | None = None) -> Region:
    """The region a hit shows: its (first) case region; under a region filter, the first of its
    case regions, then of the places its text names, that the filter matches (a passage found
    for 北京 that describes a 浙江 case shows 北京市, not 浙江省). Empty for a passage with no
    case and no filter: naming places (a ranking of provinces) does not make it about one."""
    if wanted and wanted.strip():
        matches = region_matcher(wanted)
        for r in tags.all_regions:
            if matches(Region(*r)):
                return Region(*r)
    return Region(*tags.regions[0]) if tags.regions else Region()


def sentence_region(snap: Snapshot, pos: int, words, tags: ChunkTags) -> Region | None:
    """Of the case regions of the passage at ``pos``, the one named in its sentence holding most of
    ``words`` (the question's terms); None when that sentence names none of them or no sentence has a word."""
    best, most = None, 0
    words = [w for w in words if informative(w)]
    for _, text, _ in snap.sentences_of(pos):
        n = sum(1 for w in words if w in text)
        if n > most:
            best, most = text, n
    if best is None:
        return None
    names = place_names(best)
    for r in tags.regions:
        if any(region_matcher(n)(Region(*r)) for n in names):
            return Region(*r)
    return None


def shown_industry(snap: Snapshot, chunk_id: str, tags: ChunkTags, region: Region) -> str | None:
    """The industry a hit shows beside ``region``: that of a case of the passage in that region, so
    a passage telling a 德清 case and a 雨花台 one does not show 德清 with 雨花台's trade; the
    passage's first industry when it shows no region, none for a place its text only names (the
    trade is another place's case's), none when the cases there have none or the region is only the second place of a case about two (the
    case's trade is its first place's: 雨花台's 软件 in a 雨花台–德清 cooperation)."""
    if not tags.industries:
        return None
    key = (region.province, region.city, region.county)
    cases = snap.cases_of_chunk(chunk_id)
    there = [c for c in cases if region.province and any((r.province, r.city, r.county) == key for r in c.all_regions)]
    if not there:  # a place the text names (a case elsewhere has the trade), or no place shown
        return None if region.province else tags.industries[0]
    own = [c for c in there if (c.region.province, c.region.city, c.region.county) == key]
    return next((c.industry for c in own if c.industry), None)


# A question about "this action" (the documents' 提升行动) or about what comes next for it (明年还搞不搞,
# 以后还会继续吗, 下一步有啥打算): on topic however few of its words the documents use. Only the
# off-topic check reads it; the ranking is not changed (a glossary expansion was tried: it moved
# the development sets' 明年/接下来 questions down).
_THIS_ACTION = re.compile(r"这(?:个|项|次)?(?:行动|活动)|(?:明年|今后|以后|往后|接下来|下一步|下一阶段|后面)"
                          r".{0,6}?(?:打算|计划|安排|准备|还搞|还做|还有|继续|还会|怎么搞|咋搞|重点|要做|要干|做哪|干哪|做啥|干啥|做什么|干什么)|"
                          # 觉得真有用的老板多了还是少了: what owners think of it (the report's survey)
                          r"(?:觉得|认为)(?:真|真的|很|挺)?(?:有用|管用|有效果?|有帮助|值|划算)的(?:老板|企业|厂|人|商家)|"
                          r"(?:老板|企业|厂家|同行)们?(?:都|真|真的)?(?:觉得|认为)(?:真|真的|很|挺)?(?:有用|管用|有效果?|有帮助|值|划算)")

# Whether one can join or sign up, whether "this" is worth doing (开饭馆的能参加这个吗, 厂子小能参加不,
# 弄这个中不中, 咋报名): an owner asking about the action in his own words, when nothing else the
# question names is missing from the documents or he speaks as a business (_OWNER) — not 驾校怎么报名,
# 广场舞比赛能参加吗.
_JOINING = re.compile(r"(?:能|可以|能不能|可不可以|让不让|咋|怎么|怎样|如何|在哪|去哪)(?:参加|参与|报名|加入)|"
                      r"(?:参加|参与|报名)(?:不|吗|么|这个|得了)?|(?:弄|搞|整|做)这个|中不中")
_OWNER = re.compile(r"厂|店|公司|企业|作坊|车间|(?:开|做|干)[^，。？！、\s]{1,6}的")


# A question about making something (a factory, production) is not about everyday life, whatever
# else it names (健身器材厂产品老出毛病).
_MAKER = re.compile(r"厂|生产|制造|车间|作坊")


# A question with an off-topic everyday word (kb/data/offtopic_words.txt) may still share this many
# other informative words with the documents (not places) and count as elsewhere: 公司注册需要多少
# 注册资本 shares 公司 and 注册. Measured: on-topic questions with such a word share three or more.
ELSEWHERE_MAX_SHARED = 2


_FIGURE_QUESTION = re.compile(r"多少|比例|百分|数据(?!安全)|数字(?!化)|具体数|多大|多高|多快|"
                              r"涨了|降了|翻了")
_FIGURE = re.compile(r"\d")
_HEAD_PUNCT = "。；;：:，, "


# Token vectors of passages, kept beside the generations (kb.token_match; one file per passage text).
TOKEN_CACHE = "token_cache"


# A question about what certification brings (有啥好处, 管用吗, 能多赚多少), not a complaint about it
# (白花钱, 看不到效果): its direct answer should be a result, not a problem the report lists.
_BENEFIT_QUESTION = re.compile(r"好处|管用|有用|有啥用|有什么用|多赚|多挣|多卖|赚多少|挣多少|收益|回报|值不值|值得(?!信)|"
                               r"带来什么|带来啥|有没有帮助|有帮助|"
                               r"(利润|效益|营收|收入|销售额|销量|订单|业绩|满意)(?:(?![没不难])[^，。？?]){0,6}"
                               r"(涨|提高|提升|增加|增长|上去|变好)")
# ... unless it asks about the obstacles or how to get there (效益提高的难点, 满意度怎么提高).
_OBSTACLE = re.compile(r"难点|困难|难题|原因|为什么|为啥|制约|阻碍|障碍|瓶颈|(怎么|如何|怎样|咋)(才能)?(提高|提升|增加|涨)")
_COMPLAINT = re.compile(r"白花|看不到|没效果|没用|没啥用|不划算|为啥没|为什么没|见效慢|不管用|没.{0,6}管用|越搞越|不如")
# A result with its figure (产品不良率下降20.2%, 年利润率平均提升8.3%) / a problem the report lists.
_RESULT = re.compile(r"(提升|提高|增长|增加|下降|降低|减少|节约|缩短|突破|达到|降至|升至)[^，。；]{0,12}?\d"
                     r"|\d[^，。；]{0,8}?(提升|提高|增长|增加|下降|降低|减少)")
_PROBLEM = re.compile(r"不足|有待|不高|不强|不够|难以|压力|不注重|未能|薄弱|匮乏|欠缺|滞后|瓶颈|缺乏|不均衡|不充分")


# A question asking what to do (咋办, 从哪下手, 第一步): a problem the report lists restates the
# difficulty instead of answering it.
_REMEDY_QUESTION = re.compile(r"咋办|怎么办|咋解决|怎么解决|如何解决|解决过|怎么整改|如何整改|咋整|怎么整|怎么弄|咋弄|怎么搞|咋搞|从哪|从何|第一步|头绪|该怎么|怎么做|如何做|怎么开始|下手")


# A Latin name inside a Chinese question (CE认证, HACCP, ISO 13485, 3C认证): letters and digits with at
# least one letter, a standard's number after a space (three digits or more), and a certification
# word right after it. It counts as a name when it has a capital or a digit (HACCP, B2B) or that
# word follows (fsc认证); an everyday English word (ok, low, quality) is not one.
_LATIN_NAME = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:[-/.][A-Za-z0-9]+)*(?:\s?\d{3,}[\d.-]*)?)"
                         r"(认证|标准|体系|标志|标识|证书)?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# the glossary source of shop-floor terms the report never defines (see glossary.tsv's header): a question
# naming one may ask about something the documents never speak of (首件检验)
_SHOP_FLOOR = "行业用语"
_URL = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)


def latin_names(query: str) -> dict[str, str]:
    """Latin names in a Chinese question, as shown (CE认证) → as searched (CE). Full-width letters
    are read as ASCII (ＣＥ); web addresses are skipped. None in a question with more Latin words
    than Chinese characters (how to get CE 认证): an English sentence is not a list of names."""
    query = _URL.sub(" ", unicodedata.normalize("NFKC", query))
    if len(_LATIN_WORD.findall(query)) > len(_CJK.findall(query)):
        return {}
    out = {}
    for m in _LATIN_NAME.finditer(query):
        core = m.group(1).strip()
        if len(core) >= 2 and (m.group(2) or any(ch.isupper() or ch.isdigit() for ch in core)):
            out[m.group(0).strip()] = core
    return out


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


def explained_latin(name: str) -> bool:
    """Whether the glossary lists ``name`` (or it with a year: GB/T 19001-2016) among the everyday
    words of a term: ISO9001 is the report's 质量管理体系, ISO 45001 is not explained by it."""
    key = _compact(name)
    for entry in glossary():
        for word in entry.everyday:
            w = _compact(word)
            if _LATIN_LETTER.search(w) and (key == w or key.startswith(w) and key[len(w):][:1] in "-—:"):
                return True
    return False


# A question asking which places (哪几个省, 哪些地方, 前十是哪几个省): its answer is a list of them.
_PLACES_QUESTION = re.compile(r"哪(些|几个?|个)?(省|地方|地区|城市|市|县)|(省份|(?<![本该当])(地方|地区)|城市)(都)?是哪(些|几个?)|"
                              r"(省份|省区|城市)的?(名单|排名|排行)")


# A question asking for a list of points (总结了哪几条经验, 下一步有哪几项打算, 存在哪些问题, 讲课的提纲):
# its answer is the headings of a chapter, which the direct answer's one or two sentences cannot give.
_OUTLINE_QUESTION = re.compile(r"哪几(条|项|点|个?方面|件|类|块|步|部分|个(?![省地市县城区]))|哪些方面|"
                               r"(有|包括|分|做了|总结了?|提出了?|存在|还有)哪些(经验|做法|举措|措施|打算|安排|考虑|方向|问题|"
                               r"不足|短板|难点|成效|成绩|任务|重点|工作|规律|体会|部分)|"
                               r"几(条|点|个方面|部分)(经验|做法|举措|措施|打算|问题|体会|内容)|提纲|要点|脉络|框架|"
                               # 经验一共几条，每条叫啥; 做得还不够的地方分几大块
                               r"(经验|做法|举措|措施|打算|问题|体会|不足|方向|短板|步骤|任务|重点)[^，。？?]{0,4}"
                               r"几(条|点|项|个方面|大块|块|部分|步)|每(条|项|点)(都)?(叫|是)(啥|什么)|"
                               r"分(成|为)?(哪几|几)个?(大块|块|部分|大部分|类|方面)")
# ... or for the parts of the whole document (报告分哪几部分, 目录): its top-level headings; not the parts of
# one of its topics (做得还不够的地方分几大块: the headings of that chapter)
_STRUCTURE_QUESTION = re.compile(r"(报告|文件|文档|总结|全文|这份|整个|通篇|这篇)[^，。？?的]{0,4}(分|有|包括|分成|分为|讲了)"
                                 r"(哪几|几)个?(部分|章|大块|大部分)|目录|整体结构|总体结构")
OUTLINE_MAX_ITEMS = 20
# "big parts" (几大块, 几大部分, 几大类): a chapter's parts, not the points under one of them
_BROAD_PARTS = re.compile(r"几大(块|部分|类|方面)|哪几大")


def asks_for_outline(query: str) -> bool:
    """Whether a question asks for a list of points (哪几条经验, 有哪些打算), not of places."""
    return bool(_OUTLINE_QUESTION.search(query) or _STRUCTURE_QUESTION.search(query)) and not asks_for_places(query)


def question_industry(question: str, tokenizer: Tokenizer | None = None) -> str | None:
    """The trade a question names (做雨伞的小厂 → the umbrella trade's GB/T 4754 class), if any; not a
    tool it uses (隔壁厂老板用的什么ERP软件好 names no trade)."""
    for word in tool_words(question):
        question = question.replace(word, " ")
    return classify_industry(expand(question, tokenizer)) or everyday_trade(question)


def asks_for_places(query: str) -> bool:
    """Whether a question asks which provinces, cities or places (哪几个省干得最好, 哪些地方有经验)."""
    return bool(_PLACES_QUESTION.search(query))


# Which part of a case write-up (kb.structure.PARTS) a question asks for. Its problem, asked as a
# question (存在哪些问题, 原来卡在哪, 当初出了什么问题, 毛病是啥; an owner's own 小毛病多 is not);
# its situation: 规模, 多少员工, 做什么的; what was done: 怎么解决的, 采取了哪些措施, 咋整; what
# changed: 多少, 效果, 后来怎么样. A question naming none (an owner describing his problem: 假发染色
# 不均，客户老退货) asks what was done and what changed.
_PROBLEM_PART = re.compile(r"什么原因|原因是|(什么|啥|哪些|哪方面的?)(问题|毛病|不足|短板|难点|难题|困难|麻烦|状况)|"
                           r"(问题|毛病|不足|短板|难点|难题|困难|麻烦|状况)(是|在|出在)(什么|啥|哪)|问题出在|卡在哪|乱成|存在哪些")
_PROFILE_PART = re.compile(r"基本情况|概况|简介|规模多大|多大规模|多少(员工|人|工人|职工)|几个人|员工人数|做什么的|主营什么")
_MEASURES_PART = re.compile(r"怎么解决|如何解决|咋解决|怎么(做|弄|搞|改|管|处理|整)|咋(做|弄|搞|改|管|整|办)|如何(做|改|管|处理)|"
                            r"采取了?(哪些|什么|啥)|做了(哪些|什么|啥)|搞了(哪些|什么|啥)|措施|做法|举措|办法|经验|动作|手段|"
                            r"怎么办|从哪|第一步|借鉴")
_OUTCOMES_PART = re.compile(r"效果|成效|成果|变化|改善|结果|后来|怎么样了|怎么变|变成|提高了?多少|降了|升了|省了?多少|多挣|多赚")
# A figure asked about a change (降了多少, 产值能增长多少) is a result, whatever else the question names.
_CHANGE = re.compile(r"降|提高|提升|增长|增加|减少|下降|上升|翻")


# What a question naming no part asks for: what was done and what changed.
RESULT_PARTS = frozenset(("measures", "outcomes"))


def wanted_parts(query: str) -> frozenset[str]:
    """The parts of a case write-up (profile, problem, measures, outcomes) that answer ``query``:
    those it names (:func:`named_parts`), else :data:`RESULT_PARTS`."""
    return named_parts(query) or RESULT_PARTS


def named_parts(query: str) -> frozenset[str]:
    """The parts of a case write-up ``query`` asks for in so many words (原来卡在哪 → problem,
    怎么解决的 → measures, 效果/多少 → outcomes); empty when it names none."""
    wanted = set()
    if _PROBLEM_PART.search(query):
        wanted.add("problem")
    if _PROFILE_PART.search(query):
        wanted.add("profile")
    if _MEASURES_PART.search(query):
        wanted.add("measures")
    figure = asks_for_figure(query) and ("profile" not in wanted or _CHANGE.search(query))
    if _OUTCOMES_PART.search(query) or asks_for_benefit(query) or figure:
        wanted.add("outcomes")  # 降了多少 asks for a result, 有多少员工 for the situation
    return frozenset(wanted)


# An owner who only tells his trouble ("我们米厂碎米多，客户还老说吃出小石子") wants to know what to do.
_TROUBLE = re.compile(r"(?<![养敬古元长父尊])老(?!板|师|年|人|乡|家|字号|旧|化|总)|总是|总被|经常|动不动|三天两头")
_ASKS = re.compile(r"什么|啥|哪|多少|几|吗|呢|？|\?|怎|如何|是否|有没有|能否|可否|谁")


def asks_for_remedy(query: str) -> bool:
    """Whether a question asks what to do about something (没人懂质量管理怎么办, 第一步干啥)."""
    return bool(_REMEDY_QUESTION.search(query))


def tells_trouble(query: str, tokenizer: Tokenizer | None = None) -> bool:
    """Whether an owner of a named trade only tells a recurring trouble, with no question in it
    (我们米厂碎米多，客户还老说吃出小石子): for the direct answer he asks what to do. (Without a trade —
    懂品控的员工老跳槽 — the report's account of that problem answers it; the ranking does not take
    either as asking what to do: measured worse on the report's question sets.)"""
    return (bool(_TROUBLE.search(query)) and not _ASKS.search(query)
            and question_industry(query, tokenizer) is not None)


# A question about what is still wrong (哪些问题没解决, 还存在哪些不足, 遗留了什么困难): the report's own
# problem chapters answer it, not the passage saying how many problems were solved.
_OPEN_PROBLEMS = re.compile(r"(?:没|未|没有|还没有?|没能|尚未)(?:能)?(?:解决|做到|做好|落实|到位)|解决不了|遗留|"
                            r"(?:还|仍|仍然|依然)(?:存在|有)(?:哪些|什么|啥|哪几个|哪方面的?)(?:问题|不足|短板|困难|难题|毛病)")


# A question about what comes next (下一步国家还打算怎么做, 明年有啥计划, 以后国家还会接着搞吗, 还会继续搞吗):
# a report's chapter on its next steps (四、下一步工作考虑, 下一步工作打算, 今后工作计划, 工作展望) answers it.
# (后续宣传打算借哪些节日)
_NEXT_QUESTION = re.compile(r"下一步|下一阶段|下阶段|明年|今后|往后|接下来|以后[^，。？?]{0,4}?(?:还|会|要|打算|准备|怎么)|后续|"
                            r"(?:还|会|要)(?:接着|继续)(?:搞|干|做|办|弄|开展|推)|"
                            r"(?:有|还有|什么|啥|哪些|哪几项|哪几个)(?:打算|计划|规划|安排)|(?:打算|准备)怎么(?:做|搞|弄|办)")
_NEXT_SECTION = re.compile(r"下一步|下一阶段|下阶段|今后|明年|工作(?:考虑|打算|计划|安排|思路|展望)|展望")


def asks_what_comes_next(query: str) -> bool:
    """Whether a question asks what comes next (下一步有哪几项打算, 明年还搞不搞)."""
    return bool(_NEXT_QUESTION.search(query))


# A question asking whether someone has done something (有没有地方搞了奖优罚劣的考核, 哪个省出过…标准, 各地一共
#出了多少项): what was done answers it, not a plan (四、下一步工作考虑: 推动将提升行动纳入…考核).
_DONE_QUESTION = re.compile(r"(?:有没有|有哪些|哪些|哪个|哪几个|哪家|谁)(?:地方|省|省份|城市|地区|市|县|区|单位|部门)"
                            r"[^，。？?]{0,14}(?:搞了|做了|出了|出台了|建了|试了|用了|推了|搞过|做过|出过|试过|用过|有过|实行了|开展了|开过)|"
                            r"(?:一共|总共|共|累计)(?:出了|出台了|搞了|办了|发了|做了)")


def asks_what_was_done(query: str) -> bool:
    """Whether a question asks what has been done (有没有地方搞了…), not what is planned."""
    query = to_simplified(query)
    return bool(_DONE_QUESTION.search(query)) and not asks_what_comes_next(query)


# A question asking for an example of what others did (有没有类似的例子, 有先例吗, 别的地方是咋弄的, 有地方这样
#做过吗): a deed with its figures answers it, not the chapter saying what should be done (二、经验总结:
#强化部门、地区协同推进…) nor the plans (四、下一步工作考虑).
_EXAMPLE_QUESTION = re.compile(r"例子|先例|实例|(?:别的|其他|其它|外地|别处|外省|别人|人家)(?:地方|省|市|县|地区|厂|企业|同行)?"
                               r"[^，。？?]{0,12}?(?:咋|怎么|怎样|如何)[^，。？?]{0,16}?的|有地方[^，。？?]{0,14}(?:吗|么|不|没)")


def asks_for_example(query: str) -> bool:
    """Whether a question asks for an example of what others did (别的地方咋弄的), not a plan or a lesson."""
    query = to_simplified(query)
    return bool(_EXAMPLE_QUESTION.search(query)) and not asks_what_comes_next(query)


# A question comparing with an earlier year (比上年增长多少, 比起前一年是多了还是少了, 较上一年度有何变化, 没前两年
#那么管用): a sentence comparing with an earlier year (比2022年增加93%, 但比2022年下降7个百分点) answers it.
_VS_EARLIER_QUESTION = re.compile(r"(?:比|较|跟|和|同|与)起?(?:上一?年度?|前一年|去年|前年|往年|前两年|前几年|(?:19|20)\d{2}\s*年)|"
                                  r"没(?:有)?(?:前两年|前几年|去年|往年)|同比|环比")
_VS_EARLIER = re.compile(r"(?:比|较)(?:上一?年度?|去年|前一年|(?:19|20)\d{2}\s*年)[^。；，]{0,12}?"
                         r"(?:增加|增长|提高|提升|上升|下降|降低|减少|多|少)|同比")


def asks_vs_earlier(query: str) -> bool:
    """Whether a question compares with an earlier year (比上年增长多少, 没前两年那么管用)."""
    return bool(_VS_EARLIER_QUESTION.search(to_simplified(query)))


def compares_with_earlier(text: str) -> bool:
    """Whether a text compares a figure with an earlier year (比2022年增加93%, 较2022年下降20.2%)."""
    return bool(_VS_EARLIER.search(text))


def in_next_steps_section(section: tuple[str, ...]) -> bool:
    """Whether a passage sits under a heading on what comes next (四、下一步工作考虑)."""
    return any(_NEXT_SECTION.search(h) for h in section)


# A question about the lessons drawn (总结出了哪几条经验, 有啥启示, 讲经验的部分): a report's chapter of
# lessons (二、经验总结, 主要启示, 几点体会) answers it — unless it names a place (江苏的经验是什么 asks what
# 江苏 did, see place_bonus).
_LESSON_QUESTION = re.compile(r"经验|启示|体会|心得|规律")
_LESSON_SECTION = re.compile(r"经验|启示|体会|规律性认识")


def asks_for_lessons(query: str) -> bool:
    """Whether a question asks for the lessons drawn (有哪些好的经验可以借鉴)."""
    return bool(_LESSON_QUESTION.search(query))


# A question asking how things should be done (怎样让政府更认可证书, 怎样通过大企业带动小厂, 是不是得一家一个方子, 要不要别的部门
#一起上, 为啥要让大企业带小厂, 头一步该做啥): a chapter of lessons says what works (…要坚持…).
_ADVICE_QUESTION = re.compile(r"(?:怎样|怎么|如何|咋)(?:才能|才)?(?:让|使|带|把|推动|促进|调动|通过|借助|依靠)|"
                              r"是不是(?:得|要|应该|该)|要不要|该不该|应不应该|得不得|"
                              r"能不能(?:顺带|顺便|把|带|让)|(?:为啥|为什么|为何|凭啥|凭什么)要(?:让|把|带|搞)|"
                              r"头一步|第一步|一步一步|先[^，。？?]{1,10}还是|先[^，。？?]{1,8}(?:后|再|然后)[^，。？?]{0,3}(?:干|做|搞|弄)|"
                              r"应该(?:怎么|如何|咋|分|先)|分几步|几步走|几个步骤|哪几步|按顺序")


def asks_for_advice(query: str) -> bool:
    """Whether a question asks how something should be done (怎样让…更认可, 要不要…一起上)."""
    return bool(_ADVICE_QUESTION.search(query))


def in_lessons_section(section: tuple[str, ...]) -> bool:
    """Whether a passage sits under a heading on lessons drawn (二、经验总结)."""
    return any(_LESSON_SECTION.search(h) for h in section)


# A question asking why the action exists (国家为什么要搞这个行动, 这个活动到底是为了啥, 背景和目的是什么):
# where the document introduces the action (…开展“…提升行动”（以下简称提升行动），运用…帮助…) answers it.
# It has to be about the action (行动, 活动, 这事, 国家 …), not why an owner should get certified.
_PURPOSE_QUESTION = re.compile(r"(?:为什么|为啥|为何|干嘛|凭啥)(?:要|会|想)?(?:搞|做|开展|推|办|弄|出台|发起|组织)|"
                               r"目的|初衷|出发点|背景|为了(?:啥|什么)|是?干(?:啥|什么|嘛)的|是(?:做|搞)(?:啥|什么)的|干(?:啥|什么)用的")
_PURPOSE_SUBJECT = re.compile(r"行动|活动|这事|这件事|这个事|这项工作|这个工作|国家|总局|上面|政府")
# a short name given to a programme (（以下简称提升行动）), not to a body (（以下简称省局）)
_PROGRAMME_NAME = re.compile(r"简称\s*[“\"「]?[^”\"」）)，,。]{0,12}(?:行动|活动|工程|计划|专项|项目)[”\"」]?\s*[）)，,。]")


# A trainer telling what the answer is for (准备讲课，…; 做课件用：…; 上课想引用一下，…; 想做成一页幻灯片):
# the lesson is the asker's, not the topic — 讲课 would otherwise search the report's training figures
# (全国累计组织培训1.4万场). Not training asked about (免费上课吗, 企业对上课和宣传满不满意, 除了线下讲课).
_FRAMING = re.compile(
    r"(?:我|我们)?(?:准备|想|要|正在|打算)?(?:讲课|上课|课上|课件里?|做课件|备课|(?:做|放)?PPT|(?:做|放)?ppt|培训)"
    r"(?:开头|时|的时候|里)?(?:想|要|可以)?(?:用|举个数|举个例子|举个|举例|引用(?:一下)?|说清楚|讲讲|讲|找|放|怎么讲|"
    r"要个数据|要数据|发现)(?![\u4e00-\u9fa5]{0,2}(?:吗|不|没))|"
    r"(?:想|要)?(?:给学员讲|讲给学员(?:听)?|做成(?:一页)?(?:幻灯片|PPT|ppt|课件))|"
    r"(?:准备|要|想|打算|正在)(?:讲课|备课|做课件)", re.IGNORECASE)


def without_framing(query: str) -> str:
    """``query`` without a trainer's framing (:data:`_FRAMING`), when what remains still asks
    something (four or more Chinese characters); else as it is."""
    rest = _FRAMING.sub("，", query)
    if rest == query or len(re.findall(r"[\u4e00-\u9fa5]", rest)) < 4:
        return query
    rest = re.sub(r"[，,：:\s]+([？?！!。])", r"\1", re.sub(r"[，,：:\s]*，[，,：:\s]*", "，", rest))
    return re.sub(r"^[，,：:\s]+|[，,：:\s]+$", "", rest)


# what follows an enterprise's own name (罗莱家纺, 李记食品厂, 老干妈牌)
_BRAND_TAIL = re.compile(r"(?:有限公司|公司|厂(?!子)|集团|商行|牌|品牌)")
# characters of everyday speech the segmenter glues into an unknown word (有个, 开个, 帮小, 咱小, 有大店)
_GLUE_CHARS = re.compile(r"[有个开帮咱小大那这的了是在给把被让带做搞弄一两几些么啥咋很都也还就又我你他们该]")


def asks_for_purpose(query: str) -> bool:
    """Whether a question asks why the action or programme exists (国家为什么要搞这个行动)."""
    query = to_simplified(query)
    return bool(_PURPOSE_QUESTION.search(query)) and bool(_PURPOSE_SUBJECT.search(query))


def purpose_subject(query: str, tokenizer: Tokenizer) -> set[str]:
    """The words by which a question asking why the action exists names it (搞这个认证活动到底是为了啥
    → 活动): the action itself, no keyword to search by (主题活动, 以“质量月”等活动为契机 are other things)."""
    if not asks_for_purpose(query):
        return set()
    return {t for m in _PURPOSE_SUBJECT.finditer(to_simplified(query)) for t in tokenizer.tokenize(m.group())
            if len(t) > 1}


def introduces_programme(text: str) -> bool:
    """Whether a text gives a programme its short name (…认证提升行动”（以下简称提升行动），…): the
    document introducing what it reports on, and usually why."""
    return bool(_PROGRAMME_NAME.search(text))


def introduces(text: str, terms: list[str]) -> bool:
    """Whether a text introduces one of ``terms`` as a document's short name for something it spells
    out (…认证提升行动”（以下简称提升行动），运用质量认证手段帮助…): where a document says what it is."""
    return any(re.search(r"简称\s*[“\"「]?" + re.escape(t) + r"[”\"」]?\s*[）)，,。]", text) for t in terms)


# A second question joined to the first (…认证费用能减免多少，还有能不能拿到贷款; 讲认证贷，还想讲讲专家进企业)
_SECOND_TOPIC = re.compile(r"[，,；;。？?！!\s]+(?:还有就是|还有|另外|此外|还想(?:问问|问|知道|了解|讲讲|讲)?|以及|再就是|顺便问(?:一下)?|"
                           r"还要问)[，,：:\s]*")


def second_topic(query: str) -> tuple[str, str]:
    """A question split where it turns to a second thing (…，还有能不能拿到贷款): the first part and the
    second; the second empty when it asks one thing."""
    m = _SECOND_TOPIC.search(query)
    if not m or m.start() < 4 or len(query) - m.end() < 4:
        return query, ""
    return query[:m.start()], query[m.end():]


# ... or what is wrong with a way of doing it (靠财政补贴在推，这样有啥问题; 报告里说了哪些毛病), when it does
# not also ask what to do about it (有啥问题，咋解决)
_PROBLEMS_ASKED = re.compile(r"(?:有|存在|说了|提了|指出了?)(?:哪些|什么|啥|哪几个|哪几类|哪几方面的?|哪方面的?)"
                             r"(?:问题|不足|短板|难题|毛病|弊端|缺点|隐患)")


# why something does not happen (为什么说各部门的政策没拧成一股绳, 为啥小老板不愿意搞): the report's account of the
# problem answers it, not an achievement on the same subject (28个省局建立了…协同联动…机制)
_WHY_NOT = re.compile(r"(?:为什么|为啥|为何|咋就|怎么就)[^，。？?]{0,16}?(?:没|不)")


def asks_for_open_problems(query: str) -> bool:
    """Whether a question asks what is still wrong (这个行动有哪些问题没解决, 还存在哪些不足, 这样做有啥问题,
    为什么说…没拧成一股绳)."""
    return (bool(_OPEN_PROBLEMS.search(query)) or bool(_WHY_NOT.search(query))
            or (bool(_PROBLEMS_ASKED.search(query)) and not asks_for_remedy(query)))


_NEGATION = frozenset(("没", "未", "没有", "还", "没能", "尚未", "不了", "能", "还没", "还没有"))


# A yes-no question asked as A-not-A (够不够用, 管不管用, 好不好): its words (够不够, and 不够 of search mode)
# ask, they are nothing to look for (中西部…结合不够紧密 is no answer to 审核的人本事够不够用)
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])([不没])\1")


def question_forms(query: str) -> set[str]:
    """The words of a question's A-not-A forms (够不够 → 够不够, 不够, 够不)."""
    return {w for m in _A_NOT_A.finditer(query) for w in (m.group(), m.group(2) + m.group(1), m.group(1) + m.group(2))}


def not_looked_for(query: str, tokenizer: Tokenizer) -> set[str]:
    """Words of ``query`` that are no evidence, for the keywords and the direct answer alike: what it
    says was not done (:func:`not_done`), the action a purpose question names (:func:`purpose_subject`)
    and the words of its A-not-A forms (:func:`question_forms`)."""
    return not_done(query, tokenizer) | purpose_subject(query, tokenizer) | question_forms(query)


def not_done(query: str, tokenizer: Tokenizer) -> set[str]:
    """The words a question about what is still wrong says were not done (哪些问题没解决 → 解决):
    a passage using them tells what was done, the opposite of what is asked."""
    return {t for m in _OPEN_PROBLEMS.finditer(query) if not re.match(r"(?:还|仍|仍然|依然)(?:存在|有)", m.group())
            for t in tokenizer.tokenize(m.group()) if t not in _NEGATION and len(t) > 1}


def asks_for_benefit(query: str) -> bool:
    """Whether a question asks what certification brings (有啥好处, 管用吗), not a complaint."""
    return bool(_BENEFIT_QUESTION.search(query)) and not _COMPLAINT.search(query) and not _OBSTACLE.search(query)


def reads_as_result(text: str) -> bool | None:
    """True for a sentence stating a result with a figure, False for one stating a problem, else None."""
    result = _RESULT.search(text)
    problem = _PROBLEM.search(text)
    if result and (not problem or result.start() < problem.start()):
        return True  # 不良率下降20%，缓解了成本压力: the result comes first
    return False if problem else None


_CONTINUED = re.compile(r"[（(]\s*续\s*[)）]|[（(]\s*(?:下|二|2)\s*[)）]\s*$|^续")


def continues(snap: Snapshot, first, other) -> bool:
    """Whether passage ``other`` continues the case of passage ``first``: the next passage of the same
    document, under the same heading or under one marked as continued (案例一（续）) that begins like
    the first's (案例一：瓯海区某眼镜企业), and the first has a case."""
    i, j = snap.chunk_pos.get(first.chunk_id), snap.chunk_pos.get(other.chunk_id)
    if i is None or j != i + 1 or first.doc_id != other.doc_id or not first.section or not other.section:
        return False
    if not snap.cases_of_chunk(first.chunk_id):
        return False
    if first.section == other.section:
        return True
    head = _CONTINUED.sub("", other.section[-1]).strip()
    return bool(_CONTINUED.search(other.section[-1])) and len(head) >= 2 and first.section[-1].startswith(head)


def trade_forms(query: str) -> set[str]:
    """The words naming the trades a question names (:func:`kb.industries.trade_words`), with the report
    term of the glossary entry listing one as an everyday word (养老院 → 养老)."""
    forms = set(trade_words(query))
    forms.update(e.term for e in glossary() for w in list(forms) if w in e.everyday)
    return forms


def in_problem_section(section: tuple[str, ...]) -> bool:
    """Whether a passage sits under a heading that names a problem (一是企业质量提升内生动力不足,
    ……有待加强)."""
    return any(reads_as_result(h) is False for h in section)


_CHANGE_QUESTION = re.compile(r"(?:提升|提高|降低|下降|增长|增加|减少|降|升|增|减)(?:到|至|为|了)(?:多少|几)|(?:由|从)多少|"
                              r"前后(?:分别|各)?(?:是|为)?多少|(?:有|发生了?)(?:什么|啥|哪些)变化|变化(?:情况|多大|了多少)")


def asks_for_change(query: str) -> bool:
    """Whether a question asks how a figure changed (由多少提升到多少, 前后分别是多少, 有什么变化)."""
    return bool(_CHANGE_QUESTION.search(query))


# A question asking how something changed or what it came to (降了多少, 客诉率降到多少, 提高了多少,
# 效果怎么样, 后来…): a sentence stating the change (由每月8起降至每月1起, 合格率提升到99%) answers it,
# one stating only the level of the trouble (差错每月8起，安全隐患大) does not.
_CHANGE_ASKED = re.compile(r"(提升|提高|下降|降低|增长|增加|减少|上升|改善|变化)的?(情况|幅度|程度|效果|了?多少)")
_BEFORE_AFTER = re.compile(r"(?:由|从)[^，。；;]{0,16}?\d[^，。；;]{0,12}?(?:降|减|提|升|增|缩|涨|下降|上升)?(?:至|到|为|成)"
                           r"[^，。；;]{0,8}?\d")


def asks_how_changed(query: str) -> bool:
    """Whether a question asks how much something changed or what it reached (降了多少, 降到多少,
    提高了多少, 效果怎么样, 后来怎么样), not a figure of a state (有多少员工)."""
    return bool(asks_for_change(query) or _OUTCOMES_PART.search(query) or _CHANGE_ASKED.search(query)
                or asks_for_figure(query) and _CHANGE.search(query))


_BEFORE_FIGURE = re.compile(r"(?:由|从)[^，。；;\d]{0,16}?(\d+(?:\.\d+)?\s*(?:%|％|[^\d\s，。；;、至到为成降减提升增缩涨下上年的]))")


def before_figures(texts) -> set[str]:
    """The figures before a change (由每月8起降至每月1起 → 8起; 从85%提高到98% → 85%) in ``texts``."""
    out = set()
    for text in texts:
        for m in _BEFORE_AFTER.finditer(text):
            if b := _BEFORE_FIGURE.match(m.group(0)):
                out.add("".join(b.group(1).split()))
    return out


def states_before(text: str, befores: set[str]) -> bool:
    """Whether a sentence gives, without the change, a figure that another sentence gives as the level
    before a change (差错每月8起，安全隐患大 beside 由每月8起降至每月1起): the state before, no result."""
    if not befores or states_change(text):
        return False
    compact = "".join(text.split())
    return any(re.search(rf"(?<![\d.]){re.escape(b)}", compact) for b in befores)


def states_change(text: str) -> int:
    """How plainly a sentence states a change with its figures: 2 for a before → after pair
    (由每月8起降至每月1起, 从85%提高到98%), 1 for a change verb with a figure (下降20%), else 0."""
    if _BEFORE_AFTER.search(text):
        return 2
    return 1 if _RESULT.search(text) else 0


# A question asking which place did best (哪个省搞得最好, 哪些地方排在前面): a ranking answers it.
_TOP_QUESTION = re.compile(r"最(好|强|多|高|优|突出|出色|厉害|大)|第一|领先|排名|排前|前几|前[十五三]|靠前|拔尖|冒尖|名列|前茅")
_RANKING = re.compile(r"排名前|排在前|前\s*\d+\s*(名|位|的)|前[一二三四五六七八九十]+(名|位|的)|第一|首位|居首|榜首|名列前茅|领先")


# A result averaged or totalled over every enterprise taking part (据统计，…年利润率平均提升8.3%): it tells
# how much, never what one did, so it is no answer to 返工多咋整.
_AGGREGATE = re.compile(r"据统计|平均(?:提升|提高|增长|增加|下降|降低)|参与提升行动的(?:小微)?企业")


def aggregate_result(text: str) -> bool:
    """Whether a sentence gives a result averaged or totalled over all enterprises taking part."""
    return bool(_AGGREGATE.search(text))


def asks_for_top(query: str) -> bool:
    """Whether a question asks which places did best (哪个省搞得最好), see :func:`asks_for_places`."""
    return asks_for_places(query) and bool(_TOP_QUESTION.search(query))


# A question asking what others think of it (真有人觉得有用吗, 企业认可吗, 口碑怎么样, 满意度): a sentence
# reporting what enterprises said or how satisfied they are answers it. Not the asker's own view (我觉得…).
_OPINION_QUESTION = re.compile(r"(有人|人家|大家|别人|别家|企业|老板|同行|用户|客户|多少人|多少家|谁)们?(都|真|真的|会|还|到底|究竟|自己)?"
                               r"(觉得|认为|说|反映)|"
                               r"(觉得|认为)(真|真的|很|挺)?(有用|管用|有效果?|有帮助|值|划算)的(老板|企业|厂|人|商家)|"
                               r"口碑|满意|认可|认同|反响|反馈|怎么看|评价(怎么样|如何|咋样|好|高)|(怎么|如何|咋)评价")
_WHY = re.compile(r"为什么|为啥|为何|咋就|怎么就|原因|凭什么|干嘛")
_OPINION = re.compile(r"认为|满意|认可|认同|好评|反映|反馈|问卷|调查显示|受访")
# A question asking the order of steps (先做什么后做什么, 按什么步骤来, 分几步) is answered by the sentence
# that opens the sequence (首先，普及认证知识…), not the summary before it
_STEPS_QUESTION = re.compile(r"先(?:做|干|搞|弄|抓)?(?:什么|啥)[^，。？?]{0,6}(?:后|再|然后)|步骤|几步|分几个阶段|先后顺序|按顺序|一步一步")
_FIRST_STEP = re.compile(r"^\s*(?:首先|第一步)")
# ... and so is one asking the first step (帮企业先从哪下手, 第一步应该先从哪入手), unless it tells the asker's own
# trouble (产品老出毛病，第一步该干啥: what others did about it, not the programme's first step)
_FIRST_STEP_QUESTION = re.compile(r"第一步|头一步|先从哪")


# What others said, retold before a question asking a figure (人家说营业额能涨，到底涨了多少): hearsay, not a
# question about what they think
_HEARSAY = re.compile(r"(?:有人|人家|大家|别人|别家)们?(?:都|也)?说")


def asks_for_opinion(query: str) -> bool:
    """Whether a question asks what others think (有人觉得有用吗, 企业满意吗); not why they think so
    (为啥好多老板觉得不划算: the reason the report gives answers that), nor a figure after hearsay
    (人家说营业额能涨，平均涨了多少: the figure, not a satisfaction rate)."""
    if asks_for_figure(query):
        query = _HEARSAY.sub("", query)
    return bool(_OPINION_QUESTION.search(query)) and not _WHY.search(query)


def place_count(text: str) -> int:
    """How many places a text names (浙江、江苏、河北 → 3; 江苏南京雨花台区 → 1)."""
    return len(region_spans(text))


# a question asking where something was done (这种做法是哪里的, 在哪个地方搞的), naming no place itself
_WHERE = re.compile(r"(?:是|在)?哪里(?:的|搞|做|有)|是哪儿|哪个地方|什么地方|啥地方|哪个县|哪个市|哪个省|"
                    r"有没有(?:哪个|哪些)?(?:地方|省份|城市|地区|县|省(?![钱事力下点心])|市(?![场面]))")
_NATIONWIDE = re.compile(r"全国|各地|各省|累计")
_EXAMPLE_ASKED = re.compile(r"例子|例如|比如|案例|哪个|哪家|哪些|哪里|哪儿|谁家|有没有(?:地方|厂|企业|哪)")


_JI = re.compile(r"(?<!哪)几[个项家万千百十次成倍条场人]")


def asks_for_figure(query: str) -> bool:
    """Whether a question asks for a number (多少家, 利润能多几个点, 比例); a 几 only where it asks an
    amount (有几家, 占几成, 降了几个点; :data:`_COUNT_BEFORE`), not 进步比较快的几个省 (which provinces) or
    几个省有没有联手搞 (several)."""
    return bool(_FIGURE_QUESTION.search(query)) or any(_COUNT_BEFORE.search(query[:m.start()]) for m in _JI.finditer(query))


# What a question counts (多少家认证机构, 几项措施, 一共多少条, 培养了多少质量管理人才): the counter word
# after 多少/几 and the thing counted. A sentence giving a figure in that counter (457家认证机构, 259项) or
# next to the thing (质量管理人才5.2万人次) answers it more directly than one with any other figure.
_COUNTED = re.compile(r"(?:多少|几)\s*(?:万|千|百)?\s*((?:(?!多少|几)[^，。？?！!、；;：:\s啊呀呢吗嘛哈啦]){1,8})")
_COUNTERS = {"个点": "个百分点|[%％]", "个百分点": "个百分点", "成": "成|[%％]", "家": "家", "项": "项|条", "条": "条|项", "个": "个|项|家", "人次": "人次|人", "人": "人次|人|名",
             "名": "名|人", "次": "次|场", "场": "场|次", "钱": "元", "块": "元", "元": "元", "倍": "倍",
             "亿": "亿", "万": "万"}
_AMOUNT = r"\d[\d.\s]*(?:万|亿|千|百)?\s*"
# a counter after what is counted (多少懂质量管理的人, 多少做外贸的家): 的 + the counter ending the question
_LATE_COUNTER = re.compile(r"的(人次|人|家|名)$")
# what may stand between the thing counted and 多少 (认证机构一共有多少家)
_COUNTED_FILLER = re.compile(r"(?:(?:一共|总共|共|到底|究竟|具体|实际上?|大概|大约|总计|累计|目前|现在|今年|去年)?(?:有|是))*"
                             r"(?:一共|总共|共|到底|究竟|具体|实际上?|大概|大约|总计|累计)?\s*$")


def counted_before(before: str, tokenizer: Tokenizer) -> str | None:
    """The thing a question counts when it comes before 多少 / 几 (认证机构多少家, 激励政策几项): the last
    word of ``before`` (the question up to 多少), an informative word of two characters or more; None
    when ``before`` ends otherwise (江苏认证贷发给了多少家: 了)."""
    before = _COUNTED_FILLER.sub("", before)
    spans = tokenizer.spans(before) if before else []
    if not spans:
        return None
    word = before[spans[-1][0]:spans[-1][1]]
    return word if len(word) >= 2 and _CJK.search(word) and informative(word) else None
# 有几家, 占几成, 一共几个, 降了几个点, 多几个点: a 几 asking an amount follows one of these (or opens the question)
_COUNT_BEFORE = re.compile(r"(?:^|[有是占共计达到了多少涨降升增减第过出]|提高|增加|下降|减少|一共|总共|累计)\s*$")
# a question that asks something else (有没有, 是哪里的, 分别叫什么): its 几 means "several" (几个省有没有联手搞)
_OTHER_ASK = re.compile(r"有没有|是不是|能不能|要不要|会不会|哪|什么|啥|谁|[吗么嘛]\s*[？?]?\s*$")


def counted_as(unit: str, thing: str) -> re.Pattern[str]:
    """A figure in the counter ``unit`` that counts ``thing``: followed by it (a few characters may qualify
    it: 457家认证机构, 2家竹材供应商) or by nothing else (认证机构共457家。), not by another thing (为1.5万家企业)."""
    return re.compile(f"{_AMOUNT}(?:{_COUNTERS[unit]})(?:\\s*[\\u4e00-\\u9fff]{{0,4}}?{re.escape(thing)}|(?![\\u4e00-\\u9fff]))")


def counted(query: str, tokenizer: Tokenizer) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    """Patterns of a sentence that gives the figure ``query`` counts (:data:`_COUNTED`): first the
    figure in the counter asked (多少家 → 457 家), then a word of the thing counted within a few
    characters of a figure (多少质量管理人才 → 人才5.2万人次). Both empty when the question counts
    nothing."""
    units: list[re.Pattern[str]] = []
    things: list[re.Pattern[str]] = []
    query = to_simplified(query)
    for m in _COUNTED.finditer(query):
        tail = m.group(1)
        unit = next((u for u in sorted(_COUNTERS, key=len, reverse=True) if tail.startswith(u)), None)
        late = _LATE_COUNTER.search(tail) if unit is None else None
        # 认证机构多少家, 激励政策几项: the thing counted comes first; a figure in the counter followed by
        # another thing counts that (为1.5万家企业), the figure is one followed by it or by nothing else
        # (457家认证机构, 认证机构共457家。, 采信措施259项)
        noun = None
        if unit and unit != "个" and not any(informative(w) for w in tokenizer.tokenize(tail[len(unit):])):
            noun = counted_before(query[:m.start()], tokenizer)
        if not m.group(0).startswith("多少") and not noun and (_OTHER_ASK.search(query)
                                                               or not _COUNT_BEFORE.search(query[:m.start()])):
            continue  # 几个省有没有联手搞, 找个几个省市联合搞的例子: several provinces, not how many
        if late:  # 多少懂质量管理的人: the counter at the end (人才5.2万人次)
            units.append(re.compile(_AMOUNT + f"(?:{_COUNTERS[late.group(1)]})"))
        if unit == "个" and len(tail) > 1:  # 几个省: 7个省局, not any 个
            units.append(re.compile(_AMOUNT + "个" + re.escape(tail[1])))
            tail = tail[1:]
        elif noun:
            units.append(counted_as(unit, noun))
            tail = tail[len(unit):]
        elif unit:
            # 多少家认证机构: the thing counted right after the counter; a figure in the counter followed by
            # another thing counts that (为1.5万家企业), as above
            rest = tail[len(unit):]
            spans = tokenizer.spans(rest) if rest else []
            first = rest[spans[0][0]:spans[0][1]] if spans else ""
            if len(first) >= 2 and _CJK.search(first) and informative(first):
                units.append(counted_as(unit, first))
            else:
                units.append(re.compile(_AMOUNT + f"(?:{_COUNTERS[unit]})"))
            tail = rest
        for w in tokenizer.tokenize(tail):
            if informative(w) and len(w) >= 2:
                things.append(re.compile(f"{re.escape(w)}.{{0,6}}?\\d|\\d[^，。；]{{0,6}}?{re.escape(w)}"))
    return tuple(units), tuple(things)


# Figures a question asks for that a sentence has to give to answer it: a cost in money (认证要花多少钱),
# a length of time (认证下来要多久). The report may have neither; the answer then says so.
_ASKED_FIGURES = (
    # 收费 as a price asked (怎么收费, 收费标准), not 乱收费怎么办 (a complaint, not an amount)
    # 多少钱 as a price, not an amount borrowed, earned, saved, lost or given out (能贷多少钱, 能多赚多少钱, 省了多少钱,
    # 损失减少了多少钱, 给企业发了多少钱)
    ("费用", re.compile(r"(?<![贷借赚挣省补奖发少降亏失])(?<![贷借赚挣省补奖发少降亏失]了)多少钱|花多少|花费|要花|(?<!乱)收费(?:是|要|大概|一般)?(?:多少|标准|贵|高)|怎么收费|(?:要|交)多少|"
                      r"费用(?:是|要|大概|一般)?多少|多少费用|价格|价钱|贵不贵|几千块|几万块|"
                      r"成本(?:是|要|大概)?多少"),
     # an amount of money in a sentence about a fee, price or cost (减免认证费用3960万元), not a loan
     # total (发放认证贷83亿元) that only shares the currency
     re.compile(r"^(?=[\s\S]*(?:费|价|收取|补贴|成本|花费))[\s\S]*?"
                r"(?:\d\s*(?:万|亿|千)?元|[零一二两三四五六七八九十百千万]\s*(?:万|亿)?元)")),
    # 几年 / 几个月 as a question, not a span told (厂子十几年了, 这几个月, 前几年, 推了几年效果为啥不行; 干不了多久就辞职)
    ("时间", re.compile(r"(?<!不了)(?<![没不])多久|多长时间|多少天|(?<![十好这那前近些了])(?:几天|几个月|几年)(?![了前来以])|多少个月|多少年|"
                      r"周期多长|要多长|多长周期|什么时候能|啥时候能"),
     re.compile(r"(?<![\d.])\d{1,3}\s*(?:个)?(?:工作日|天|日|周|星期|个月|小时|年)(?!度|底|初|末|来|以来)|"
                r"[一二两三四五六七八九十半]+(?:个)?(?:工作日|天|周|星期|个月|年)(?!度|底|初|末|来|以来)")),
    # how to apply or sign up (认证贷怎么办理, 免费培训在哪报名): a procedure, a place or a contact
    ("办理", re.compile(r"(?:怎么|怎样|如何|咋)(?:办理|申请|报名|申报)|(?:在|去|到)哪(?:里|儿)?(?:报名|申请|办理|办|申报)|"
                      r"找谁(?:办|申请|报名)?|(?:办理|申请|报名)(?:流程|程序|步骤|条件|入口|渠道)|"
                      r"(?:要|需要|得)(?:准备|带|交|提供)?(?:什么|啥|哪些)(?:材料|资料|手续|证件)|什么手续|哪些手续"),
     re.compile(r"流程|步骤|提交|报名|申请(?:材料|条件|表)|所需材料|办理(?:渠道|方式|地点|窗口)|可向|可到|拨打|联系电话|网站|平台申请")),
    # where to complain about a certification body or a fake certificate (能投诉吗, 去哪举报); not a
    # customer's complaints about the owner (客户老投诉)
    ("投诉", re.compile(r"(?:能|可以|怎么|怎样|如何|咋|去哪|到哪|在哪|向谁|找谁)(?:里|儿)?(?:投诉|举报|维权|申诉)|"
                      r"(?:投诉|举报)(?:电话|渠道|途径|方式)"),
     re.compile(r"投诉电话|投诉渠道|举报电话|12315|12345|维权|申诉|可向[^，。；]{0,12}(?:投诉|举报)")),
    # which certification body to choose (哪家认证机构靠谱, 推荐几家发证公司): a body named by name
    # (not 认证公司到底靠不靠谱: what enterprises think of them, which the report tells)
    ("机构", re.compile(r"(?:哪家|哪几家|推荐|选哪家|找哪家)(?:几家|一家|个|下)?(?:比较|最)?(?:好|靠谱|正规|专业|便宜)?的?"
                      r"(?:认证机构|认证公司|发证(?:的)?(?:公司|机构|单位)|咨询公司|咨询机构)|"
                      r"(?:认证机构|认证公司|发证(?:的)?(?:公司|机构|单位)|咨询公司)[^。？?]{0,8}"
                      r"(?:哪家|推荐|名单|怎么选|咋选|选哪|(?<!不)靠谱)"),
     re.compile(r"[\u4e00-\u9fa5]{2,}(?:认证中心|认证有限公司|认证集团|认证股份|认证公司|检测认证)(?!服务)")),
    # how to reach someone (上虞那家伞厂的电话, 联系方式): a number, an address, an e-mail
    ("联系", re.compile(r"电话|联系方式|怎么联系|咋联系|如何联系|手机号|微信号|邮箱|地址|联系人|办公地点|在哪办公|"
                      r"(?:开放|营业|办公|上班)时间|几点(?:开门|上班|下班)"),
     re.compile(r"\d{3,4}-\d{7,8}|(?<!\d)1\d{10}(?!\d)|电话|热线|邮箱|@|地址[:：]|路\d+号|(?:开放|营业|办公)时间")),
    # a date asked for (报名截止到哪天, 什么时候开始报名); not a date told (截至2023年底有多少)
    ("日期", re.compile(r"(?:截止|截至)(?:到|日期|时间)?(?:哪天|什么时候|啥时候|几号|哪一天)|"
                      r"(?:什么时候|啥时候|哪天|几号)(?:截止|结束|开始报名|报名|申报)|(?:报名|申报)(?:时间|日期|期限)"),
     re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|(?:报名|申报|申请)(?:时间|截止)")),
    # a loan's terms for one enterprise (认证贷的利息多少, 一家最多能贷多少): not the total lent to all of them
    ("贷款", re.compile(r"利息|利率|(?:最多|最高|一家|每家|单家)(?:能|可以|可)?贷(?:多少|几)|贷款额度|"
                      r"额度(?:是|有)?(?:多少|多大|多高)|能贷(?:几|多少)万"),
     re.compile(r"利率|利息|年化|额度|最高可贷|最多可贷|户均|每家(?:企业)?(?:可|能)?贷")),
    # which bank to go to (认证贷找哪个银行办): a bank named by name; the report names none
    ("银行", re.compile(r"(?:哪|什么|啥)(?:个|家|些)?银行"),
     re.compile(r"(?:工商|农业|中国|建设|交通|邮储|邮政储蓄|招商|兴业|浦发|民生|光大|中信|华夏|平安|广发|农商|农村商业|"
                r"城市商业|村镇)银行|农商行|农信社|信用社")),
    # how many enterprises were certified (有多少家企业拿到了证书): the report counts those helped, not certified
    ("获证", re.compile(r"(?:多少|几)(?:家|个)?[^，。？?]{0,8}(?:拿到|拿了|取得|获得|领到|拿下|考到)[^，。？?]{0,3}证|"
                      r"(?:多少|几)(?:家|个)[^，。？?]{0,8}通过了?[^，。？?]{0,6}认证|"
                      r"获证[^，。？?]{0,6}(?:多少|几)|(?:拿到|取得|获得)[^，。？?]{0,3}证(?:书)?的[^，。？?]{0,6}(?:多少|几)"),
     re.compile(r"获证|(?:颁发|发放|取得|获得|拿到)[^，。；]{0,8}证书|\d\s*家[^，。；]{0,8}通过[^，。；]{0,10}认证")),
    # a score asked for (浙江排第一，它具体打了多少分): the report ranks the provinces but gives no scores
    ("分数", re.compile(r"(?<!十)(?:多少|几)分(?![钟之析布类期批])|得分|分数|评分(?:是|有)?多少"),
     re.compile(r"\d+(?:\.\d+)?\s*分(?![钟之析布类级别期批工])")),
)
UNANSWERED_ZH = {"费用": "文档中没有写到具体的费用数额", "时间": "文档中没有写到需要多长时间",
                 "办理": "文档中没有写到办理流程和所需材料", "投诉": "文档中没有写到投诉、举报的渠道",
                 "机构": "文档中没有点名或推荐具体的认证机构", "联系": "文档中没有写到联系方式、地址或办公时间",
                 "贷款": "文档中没有写到贷款利率和每家企业能贷的额度",
                 "日期": "文档中没有写到报名或截止的具体日期",
                 "获证": "文档中没有写到获证企业的数量",
                 "银行": "文档中没有点名办理的银行",
                 "分数": "文档中没有写到具体的得分"}
# the kinds above whose answer is a figure (an amount of money, a length of time) rather than a procedure or a name
_FIGURE_KINDS = ("费用", "时间")


def unanswered_figure(query: str, sentences) -> str | None:
    """What ``query`` asks for (``费用`` a cost, ``时间`` a length of time, ``办理`` how to apply)
    that none of the answer ``sentences`` (their ``text``) gives; None when it asks for none of
    them or a sentence has it. The first such, where it asks for several (:func:`unanswered_figures`)."""
    return next(iter(unanswered_figures(query, sentences)), None)


def unanswered_figures(query: str, sentences) -> list[str]:
    """Every kind :func:`unanswered_figure` reads that ``query`` asks for and no sentence gives
    (证书有效期几年，年审要交多少钱: 时间 and 费用)."""
    query = to_simplified(query)
    return [kind for kind, asked, given in _ASKED_FIGURES
            if asked.search(query)
            and not any(given.search(s.text) and not (kind == "费用" and _RELIEF_TOTAL.search(s.text)
                                                      and not _ABOUT_RELIEF.search(query)) for s in sentences)
            and not (kind == "费用" and _ABOUT_A_LOAN.search(query) and not _ABOUT_A_FEE.search(query))]


# 认证费用一般多少钱: an amount of fees waived for all enterprises (减免认证费用共计3960万元) is no price,
# unless the question asks about the relief itself (少收了多少, 减免了多少钱, 补贴多少钱)
_RELIEF_TOTAL = re.compile(r"(?:减免|免除|补贴|节约|节省)[^，。；]{0,12}?(?:共计|累计|合计|达|超)?\s*\d[\d.]*\s*(?:万|亿)?元")
_ABOUT_RELIEF = re.compile(r"减免|免|少收|补贴|补助|优惠|便宜|省")


# 江苏认证贷一共放了多少钱: an amount lent, not a fee (认证贷要交多少手续费 is one)
_ABOUT_A_LOAN = re.compile(r"贷|融资|借钱|loan", re.IGNORECASE)
_ABOUT_A_FEE = re.compile(r"费|价|收钱|花多少|花钱|要交|得交")


_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*年(?!代)")


def unanswered_years(query: str, sentences) -> list[str]:
    """The years a question names (2024年营收又涨了多少) that no answer sentence names while one names
    another year (据统计，2023年…营收平均提升10.2%), or, when none names a year, their documents' titles
    do (《2023年度…工作总结》: 减免认证费用3960万元 is 2023's): the figures given are of another year."""
    asked = list(dict.fromkeys(_YEAR.findall(to_simplified(query))))
    told = ({y for s in sentences for y in _YEAR.findall(s.text)}
            or {y for s in sentences for y in _YEAR.findall(getattr(s, "doc", "") or "")})
    if not asked or not told or told & set(asked):
        return []
    return asked


def names_as_typed(query: str, names) -> list[str]:
    """The ``names`` typed in ``query``, in the order typed, each once (广东, not 广东 and 广东省)."""
    shown = sorted((n for n in names if n in query), key=lambda n: (query.find(n), -len(n)))
    return [n for n in shown if not any(n != m and n in m for m in shown)]


def unanswered_places(query: str, sentences) -> list[str]:
    """The places a question asking for a figure names (广东给了多少财政补贴) that no answer sentence (nor
    its section) names while each of them is about another place or the whole country (落实3.7亿元财政
    补贴 nationwide, 河北…728万元): the figures given are not that place's. Nothing when a sentence names
    no place at all (a case's own sentence: the place is in its passage, not known here)."""
    query = to_simplified(query)
    asked = place_names(query)
    if not asked or not sentences or not asks_for_figure(query):
        return []
    for s in sentences:
        if place_names(s.text + " " + (getattr(s, "section", "") or "")) & asked:
            return []
    if not all((place_names(s.text) - asked) or _NATIONWIDE.search(s.text) for s in sentences):
        return []
    return names_as_typed(query, asked)


# a question asking a place's rank (广东排第几, 在全国评估里排第几名, 名次如何)
_RANK_ASKED = re.compile(r"排(?:在|到)?第几|第几名|排(?:多少|几)名|排名(?:是)?(?:第)?(?:多少|几)|名次|排(?:在|到)?哪(?:里|儿)?|排得?(?:怎么样|咋样|如何)")
_RANK_TOLD = re.compile(r"第\s*[一二三四五六七八九十\d]+\s*(?:名|位)?|排名|前\s*[一二三四五六七八九十\d]+|首位|榜首|前茅|进步较大")


def unranked_places(query: str, sentences) -> list[str]:
    """The places a question asks the rank of (广东排第几) that no answer sentence ranks: none names the
    place together with a rank (排名前10的省份依次为：浙江、江苏… ranks 江苏, not 广东; a sentence on 广东's
    policies gives no rank)."""
    query = to_simplified(query)
    if not _RANK_ASKED.search(query):
        return []
    asked = place_names(query)
    if not asked or not sentences:
        return []
    if any(place_names(s.text) & asked and _RANK_TOLD.search(s.text) for s in sentences):
        return []
    return names_as_typed(query, asked)


def has_figure(text: str) -> bool:
    return bool(_FIGURE.search(text))


def heading_only(text: str, section: tuple[str, ...]) -> bool:
    """Whether a sentence is just its section's heading (一是优化认证服务。 under 一是优化认证服务)."""
    body = text.strip().strip(_HEAD_PUNCT)
    return bool(section) and bool(body) and body == section[-1].strip().strip(_HEAD_PUNCT)


def fragment(text: str) -> bool:
    """A short line that ends no sentence: a table cell read line by line from a PDF ("一次交验合格率",
    "78%"), a caption; no answer by itself."""
    text = text.strip()
    return len(text) < 10 and text[-1:] not in "。！？!?；;"


# Cells that name a table's columns: "指标 | 帮扶前 | 帮扶后", "项目 | 2022年 | 2023年", "字段 | 内容".
_COLUMN_CELL = re.compile(r"指标|项目|字段|序号|名称|类别|内容|数值|情况|(?:帮扶|改进|整改|实施|认证|导入)?[前后]|\d{4}年(?:度|底)?")


def header_row(text: str) -> bool:
    """A table's header row ("指标 | 帮扶前 | 帮扶后；"): it names the columns and answers nothing. Every
    cell is short with no figure (but a year), and a cell names a column (指标, 帮扶前, 2023年 …)."""
    cells = [c.strip() for c in text.strip().rstrip("。；;").split(" | ")]
    return (len(cells) >= 2 and all(0 < len(c) <= 8 and not re.search(r"\d", re.sub(r"\d{4}年(?:度|底)?", "", c))
                                    and not re.search(r"[，,。；;：:]", c) for c in cells)
            and any(_COLUMN_CELL.fullmatch(c) for c in cells))


def _text_key(text: str) -> str:
    return hashlib.sha1("".join(text.split()).encode("utf-8")).hexdigest()


# The direct answer is chosen among the sentences of this many best passages, however few results
# are shown (--top-k 1 gives the same answer as the default): callers search at least this many.
ANSWER_FROM_HITS = 3


def answer_score(rank_score: float) -> float:
    """A direct-answer sentence's 0–1 score from its ranking score (cosine + 0.5 × word share,
    at most 1.5): divided by 1.5, negatives (a sentence pointing away from the query) as 0.
    A monotone map, so the order and choice of sentences are those of the ranking score."""
    return round(max(0.0, rank_score / 1.5), 4)


def check_top_k(top_k: int) -> None:
    if not isinstance(top_k, int) or top_k < 1:
        raise KBError(f"结果条数 top-k 必须是正整数（收到 {top_k}）。")


class SearchBackend(Protocol):
    """Where candidates come from; everything above (fusion, hits, cases) is backend-neutral.

    Both methods apply ``filters`` inside the search (before the top ``n`` are cut) and return
    chunk position (index into ``snap.chunks``) → raw score, best first.
    """

    name: str

    def keyword_candidates(self, snap, terms: list[str], filters: Filters | None, n: int) -> dict[int, float]:
        """BM25 over the chunks' jieba terms (scores > 0 only)."""
        ...

    def vector_candidates(self, snap, vector: np.ndarray, filters: Filters | None, n: int,
                          sentences: int) -> tuple[dict[int, float], dict[int, int]]:
        """Chunk score = best cosine of one of its sentences, from the top ``sentences`` sentence
        hits; also, for each chunk, the id (vec_id) of that best sentence."""
        ...


def best_per_chunk(triples, n: int) -> tuple[dict[int, float], dict[int, int]]:
    """(chunk, similarity, sentence id) triples best-first → each chunk's best similarity (at
    most ``n`` chunks, best first) and the id of the sentence that gave it."""
    best: dict[int, float] = {}
    sentence: dict[int, int] = {}
    for chunk, sim, sid in triples:
        if chunk not in best:
            best[chunk] = float(sim)  # results arrive best-first
            sentence[chunk] = int(sid)
        if len(best) >= n:
            break
    return dict(sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))), sentence


class LocalBackend:
    """bm25s and FAISS over the files of one generation (``indexes/gen-*``)."""

    name = "local"

    def mask(self, snap: Snapshot, filters: Filters | None) -> np.ndarray | None:
        """Which chunks the filters allow (None: all)."""
        if not filters:
            return None
        industries = set(resolve_industries(filters.industry))  # 食品: either food division
        in_region = region_matcher(filters.region) if filters.region else None
        mask = np.ones(len(snap.chunks), dtype=bool)
        kind = kind_value(filters.kind)  # 报告 as report
        for i, (c, t) in enumerate(zip(snap.chunks, snap.tags)):
            if kind and c.kind != kind:
                mask[i] = False
            elif filters.doc and not c.doc_id.startswith(filters.doc):
                mask[i] = False
            elif industries and not industries & set(t.industries):
                mask[i] = False
            elif in_region and not any(in_region(Region(*r)) for r in t.all_regions):
                mask[i] = False
        return mask

    def keyword_candidates(self, snap: Snapshot, terms: list[str], filters: Filters | None, n: int) -> dict[int, float]:
        scores = snap.bm25.scores(terms)
        mask = self.mask(snap, filters)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:n]
        return {int(i): float(scores[i]) for i in order if scores[i] > 0}

    def vector_candidates(self, snap: Snapshot, vector: np.ndarray, filters: Filters | None, n: int,
                          sentences: int) -> tuple[dict[int, float], dict[int, int]]:
        """Matching single sentences is much sharper than one vector per 150–400 character chunk
        with a small model (measured on eval/queries.jsonl: dense MRR@10 0.63 → 0.82)."""
        mask = self.mask(snap, filters)
        allowed = np.flatnonzero(mask[snap.sent_owner]) if mask is not None else None
        ids, sims = snap.sentence_index.search(vector, sentences, allowed)
        return best_per_chunk(((int(snap.sent_owner[sid]), sim, int(sid)) for sid, sim in zip(ids, sims)), n)


def case_hit(snap: Snapshot, rank: int, i: int, score: float, parts) -> CaseHit:
    """The case at position ``i`` as a result: its document's title and printed page numbers, and
    whether its passages were read by OCR (their lowest confidence)."""
    case = snap.cases[i]
    scanned = [snap.chunks[snap.chunk_pos[cid]] for cid in case.passage_ids
               if cid in snap.chunk_pos and snap.chunks[snap.chunk_pos[cid]].ocr]
    confidences = [c.ocr_confidence for c in scanned if c.ocr_confidence is not None]
    return CaseHit(rank, score, case, snap.doc_title(case.doc_id), parts, tuple(snap.printed(case.doc_id).items()),
                   bool(scanned), min(confidences) if confidences else None)


class Retriever:
    """Answers queries from a :class:`Snapshot` (passages, cases, similar cases)."""

    def __init__(self, config: KBConfig, tokenizer: Tokenizer, embedder: Callable[[], Embedder],
                 backend: SearchBackend | None = None):
        self.config = config
        self.backend: SearchBackend = backend or LocalBackend()
        self.tokenizer = tokenizer
        self._embedder = embedder  # called only when a vector is needed (loading is slow)
        self._vectors: dict[str, np.ndarray] = {}  # recent query vectors (embed_query)
        self._vectors_lock = threading.Lock()
        self.token_matcher = TokenMatcher(embedder, config.index_dir / TOKEN_CACHE)
        self.case_settings = CaseRankSettings(
            problem_weight=config.case_problem_weight, industry_weight=config.case_industry_weight,
            related_industry_share=config.case_related_industry_share, region_penalty=config.case_region_penalty,
            evidence_weight=config.case_evidence_weight, other_industry_min=config.case_other_industry_min,
            same_industry_bonus=config.similar_same_industry_bonus,
            section_only_share=config.case_section_only_share, section_only_fill=config.case_section_only_fill,
            matching_industry_weight=config.case_matching_industry_weight)

    # ----------------------------------------------------------------- model
    def check_model(self, snap: Snapshot) -> None:
        check_compatible(snap.manifest.get("model"), self._embedder())

    def embed_query(self, snap: Snapshot, text: str) -> np.ndarray:
        """The query vector of ``text`` (the last few are kept: a search, its figure-answer check and
        the direct answer embed the same text)."""
        self.check_model(snap)
        with self._vectors_lock:
            vector = self._vectors.get(text)
        if vector is None:
            vector = self._embedder().embed([text])[0]
            vector.setflags(write=False)  # shared by the callers
            with self._vectors_lock:
                while len(self._vectors) >= 32:
                    self._vectors.pop(next(iter(self._vectors)))
                self._vectors[text] = vector
        return vector

    # ----------------------------------------------------------------- reading the query
    def read(self, snap: Snapshot, query: str) -> str:
        """``query`` as every search path reads it: Traditional characters as Simplified (認證貸 →
        认证贷), homophone typos of pinyin input as the word meant (认正贷 → 认证贷; see
        :mod:`kb.homophones`: only words that neither the dictionary nor the index nor the glossary
        knows, with the pinyin of a glossary word or a frequent word of this index), and without a
        trainer's framing (准备讲课，…; 做课件用：…; see :func:`without_framing`)."""
        return without_framing(snap.homophones(self.tokenizer).correct(to_simplified(query or ""))[0])

    def corrections(self, snap: Snapshot, query: str) -> tuple[Correction, ...]:
        """The homophone typos :meth:`read` corrects in ``query`` (what the notes tell the user)."""
        return snap.homophones(self.tokenizer).correct(to_simplified(query or ""))[1]

    # ----------------------------------------------------------------- candidates
    def candidates(self, snap: Snapshot, query: str, mode: str = "hybrid", filters: Filters | None = None,
                   n: int | None = None) -> Candidates:
        """Up to ``n`` keyword and ``n`` vector candidates for ``query`` (the sides ``mode`` uses).

        The query is tokenised and embedded here, once, whatever the backend; the backend
        (``self.backend``: local files or Milvus) finds the candidates with the filters applied.
        Traditional characters are read as Simplified (認證貸 → 认证贷), as in every query path.
        """
        if mode not in MODES:
            raise KBError(f"未知的检索模式“{mode}”，可选：{', '.join(MODES)}")
        query = self.read(snap, query)
        n = n or self.config.candidates
        typed = self.tokenizer.tokenize(query)
        terms = self.tokenizer.tokenize(expand(query, self.tokenizer))
        if not any(informative(t) and len(snap.bm25.containing(t)) for t in terms):
            # no informative word found as written: read glued words by their parts (营收能 → 营收)
            typed, terms = self.known_parts(snap, typed), self.known_parts(snap, terms)
        # 哪些问题没解决: 解决 is no keyword evidence (有效解决…质量问题2.4万个 says the opposite)
        negated = not_looked_for(query, self.tokenizer)
        dropped = tuple(t for t in dict.fromkeys(terms) if t in negated)
        typed, terms = [t for t in typed if t not in negated], [t for t in terms if t not in negated]
        keyword: dict[int, float] = {}
        coverage: dict[int, float] = {}
        dense: dict[int, float] = {}
        sentences: dict[int, int] = {}
        if mode in ("hybrid", "bm25") and terms:
            keyword = self.backend.keyword_candidates(snap, terms, filters, n)
            coverage = self.coverage(snap, terms, keyword, set(typed))
        if mode in ("hybrid", "dense") and snap.sentence_count:
            text = expand(query, self.tokenizer) if self.config.dense_expand else query
            dense, sentences = self.backend.vector_candidates(snap, self.embed_query(snap, text), filters, n,
                                                              n * self.config.sentences_per_candidate)
        return Candidates(keyword, dense, tuple(terms), coverage, sentences, dropped)

    @staticmethod
    def known_parts(snap: Snapshot, terms: list[str]) -> list[str]:
        """``terms`` with a Chinese word of three or more characters the index has never seen
        replaced by the longest indexed words inside it, left to right: jieba's guesser glues a
        word to the next character in some questions ("营收能涨多少" gives 营收能, the documents say
        营收), and the word typed would otherwise find nothing. Used only for a question none of
        whose informative words is indexed as written (a question that finds something keeps its
        words: 工信部 is not read as the documents' 工信 there). Words the index knows, words with
        no indexed part and words the tokenizer also split itself stay as they are."""
        out: list[str] = []
        for t in terms:
            # (a word jieba's search mode also gave in pieces or inside a longer one, 行政部 of
            # 行政部门, is read through those already)
            if len(t) < 3 or t.isascii() or len(snap.bm25.containing(t)) or any(
                    u != t and (u in t or t in u) for u in terms):
                out.append(t)
                continue
            parts, i = [], 0
            while i < len(t) - 1:
                size = next((k for k in range(len(t) - i - (i == 0), 1, -1)
                             if len(snap.bm25.containing(t[i:i + k]))), 0)
                if size:
                    parts.append(t[i:i + size])
                    i += size
                else:
                    i += 1
            out.extend(parts or [t])
        return out

    def coverage(self, snap: Snapshot, terms: list[str], keys, typed: set[str]) -> dict[int, float]:
        """Share of the query's informative IDF that each passage in ``keys`` contains.

        Words the user typed that the index has never seen count in the total too: a question
        mostly made of words the documents do not use has little keyword evidence, whatever BM25
        says. Glossary expansions count only when the index knows them.
        """
        n = len(snap.chunks)
        total = 0.0
        found: dict[int, float] = {}
        for t in dict.fromkeys(terms):
            if not informative(t):
                continue
            where = snap.bm25.containing(t)
            if not len(where) and t not in typed:
                continue
            w = idf(len(where), n)
            total += w
            for i in where:
                if int(i) in keys:
                    found[int(i)] = found.get(int(i), 0.0) + w
        return {i: (found.get(i, 0.0) / total if total else 0.0) for i in keys}

    # ----------------------------------------------------------------- fusion
    def fuse(self, cand: Candidates, mode: str) -> dict[int, float]:
        """One 0–1 score per chunk (see README: 分数含义)."""
        if mode == "bm25":
            top = max(cand.keyword.values(), default=1.0) or 1.0
            return {i: s / top for i, s in cand.keyword.items()}
        if mode == "dense":
            return {i: max(0.0, s) for i, s in cand.dense.items()}
        c = self.config
        return evidence_fusion(cand.keyword, cand.coverage, cand.dense, c.keyword_weight, c.dense_floor, c.dense_power,
                               c.coverage_power, c.keyword_trust_power, c.uninformative_keyword_weight)

    def token_scores(self, snap: Snapshot, query: str, evidence: dict[int, float]) -> dict[int, float]:
        """Token-match scores (kb.token_match), spread 0–1 over the ``config.token_match_candidates``
        passages with the most evidence; empty when the weight is 0 or the model has no token vectors."""
        n = self.config.token_match_candidates
        if not self.config.token_match_weight or not n or not evidence:
            return {}
        self.check_model(snap)
        if not self.token_matcher.available():
            return {}
        top = sorted(evidence, key=lambda i: (-evidence[i], i))[:n]
        return spread(self.token_matcher.scores(query, {i: snap.chunks[i].text for i in top}))

    def rerank(self, snap: Snapshot, query: str, evidence: dict[int, float], token: dict[int, float]) -> dict[int, float]:
        """The hybrid score: evidence fusion plus ``config.token_match_weight`` × token match, plus
        ``config.figure_bonus`` for a passage with a figure when the question asks for one
        (多少家, 几个点), divided so it stays 0–1 (:func:`kb.fusion.rerank`); then, for a question
        about what certification brings (:func:`asks_for_benefit`) or what to do
        (:func:`asks_for_remedy`), less ``config.benefit_problem_penalty`` for a passage under a
        heading that names a problem."""
        wants = asks_for_figure(query)
        figures = {i for i in evidence if wants and has_figure(snap.chunks[i].text)}
        out = rerank(evidence, token, figures, self.config.token_match_weight,
                     self.config.figure_bonus if wants else 0.0)
        penalty = self.config.benefit_problem_penalty
        # 能多赚钱吗: not the section on why firms doubt it; 第一步从哪入手: not the difficulty restated
        if penalty and (asks_for_benefit(query) or asks_for_remedy(query)):
            out = lowered(out, {i for i in out if in_problem_section(snap.chunks[i].section)}, penalty)
        example = asks_for_example(query)
        if penalty and (asks_what_was_done(query) or example):  # 有没有地方搞了…: a deed, not the next-steps chapter's plan
            out = lowered(out, {i for i in out if in_next_steps_section(snap.chunks[i].section)}, penalty)
        if penalty and asks_vs_earlier(query):  # 比起前一年是多了还是少了: a passage comparing with an earlier year
            out = lifted(out, {i for i in out if compares_with_earlier(snap.chunks[i].text)}, penalty)
        if penalty and asks_what_comes_next(query):  # 下一步还打算怎么做: the next-steps chapter, the same amount up
            out = lifted(out, {i for i in out if in_next_steps_section(snap.chunks[i].section)}, penalty)
        # 总结出了哪几条经验, 怎样让政府更认可证书: that chapter (下一步打算怎么让…: the plans, above)
        advice = asks_for_advice(query) and not asks_what_comes_next(query)
        if penalty and (asks_for_lessons(query) or advice) and not place_names(query):
            out = lifted(out, {i for i in out if in_lessons_section(snap.chunks[i].section)}, penalty)
        if penalty and example and not (asks_for_lessons(query) or advice):  # 别的地方是怎么拉上工信、发改一起干的: what was done, not what should be
            out = lowered(out, {i for i in out if in_lessons_section(snap.chunks[i].section)}, penalty)
        if penalty and example and not (asks_for_open_problems(query) or "problem" in named_parts(query)):
            # … nor what is still wrong (一是协调联动的工作合力仍有优化空间)
            out = lowered(out, {i for i in out if in_problem_section(snap.chunks[i].section)}, penalty)
        # 提升行动是干啥的: the passage where the document introduces the term it asks about
        defined = [e.term for e in asked_terms(query, self.tokenizer)]
        if penalty and defined:
            out = lifted(out, {i for i in out if introduces(snap.chunks[i].text, defined)}, penalty)
        if penalty and asks_for_purpose(query):  # 国家为什么要搞这个行动: where the document introduces it
            out = lifted(out, {i for i in out if introduces_programme(snap.chunks[i].text)}, penalty)
        ranked_place = place_names(query) if penalty and _RANK_ASKED.search(query) else frozenset()
        if ranked_place:  # 江苏排第几: the passage with a sentence ranking it (排名前10的省份依次为：浙江、江苏…)
            out = lifted(out, {i for i in out if any(_RANK_TOLD.search(t) and place_names(t) & ranked_place
                                                     for _, t, _ in snap.sentences_of(i))}, penalty)
        if penalty and asks_for_open_problems(query):  # 哪些问题没解决: the problem chapters, the same amount up
            out = lifted(out, {i for i in out if in_problem_section(snap.chunks[i].section)}, penalty)
        # 养老院能做质量认证吗: the one passage naming the trade asked about (长三角养老领域…) before
        # passages that only share 质量认证
        forms = trade_forms(query)
        lift = self.config.trade_bonus
        if lift and forms:
            named = {i for i in out if any(f in snap.chunks[i].section_path + snap.chunks[i].text for f in forms)}
            if named:
                out = lifted(out, named, lift)
        # 江苏的经验是什么: passages telling what that place did (a sentence naming it among at most two
        # places) before the national ones that list it among ten, or only share 经验
        asked = place_names(query)
        lift = self.config.place_bonus
        # ... when the place is all it names: with a trade too (南通做家纺那一串企业), the trade and the
        # words decide (a case headed 南通某家纺企业 and the report's 南通 家纺产业链 passage both name it)
        if lift and asked and not forms and not asks_for_places(query):
            matchers = [region_matcher(n) for n in asked]
            # a sentence naming it among fewer than three places, or the passage's own case is there
            # (潮州那家…原来卡在哪: the case's 存在问题 passage, headed by the case, names no place itself)
            named = {i for i in out if any(m(Region(*r)) for r in snap.tags[i].regions for m in matchers)
                     or any(place_count(t) < 3 and place_names(t) & asked for _, t, _ in snap.sentences_of(i))}
            if named:
                out = lifted(out, named, lift)
        if self.config.case_problem_share < 1:
            self.wanted_parts_first(snap, out, evidence, wanted_parts(query))
        return out

    def wanted_parts_first(self, snap: Snapshot, scores: dict[int, float], evidence: dict[int, float],
                           wanted: frozenset[str]) -> None:
        """In a case written over several passages (基本情况 / 存在问题 / 主要做法 / 取得成效), the
        parts the question asks for (:func:`wanted_parts`) come first: their passages are lifted
        together (keeping their own order) until the best of them has the case's best score (and
        evidence); the case's other part passages follow, with at most ``config.case_problem_share``
        of the lowest wanted score. An owner's question names his problem (假发染色不均，客户老退货),
        so the problem passage matches it best, yet the measures and results are what he is
        looking for; 原来卡在哪 asks for the problem, 效果怎么样 for the results. Changes
        ``scores`` and ``evidence`` in place."""
        share = self.config.case_problem_share
        seen: set[str] = set()
        for i in list(scores):
            for case in snap.cases_of_chunk(snap.chunks[i].chunk_id):
                if len(case.chunk_ids) < 2 or case.case_id in seen:
                    continue
                seen.add(case.case_id)
                pos = [snap.chunk_pos[c] for c in case.chunk_ids if c in snap.chunk_pos]
                parts = {p: section_part(snap.chunks[p].section) for p in pos}
                first = [p for p in pos if parts[p] in wanted]
                if not first:
                    continue
                best = max(scores.get(p, 0.0) for p in pos)
                best_evidence = max(evidence.get(p, 0.0) for p in pos)
                lift = best - max(scores.get(p, 0.0) for p in first)  # they keep their own order
                lifted = []
                for p in first:
                    if p in scores or lift > 0:  # one neither side found comes in at the lift alone, if any
                        scores[p] = scores.get(p, 0.0) + lift
                        evidence[p] = max(evidence.get(p, 0.0), best_evidence)
                        lifted.append(scores[p])
                cap = share * min(lifted, default=0.0)  # the other parts after all of the wanted ones
                for p in pos:
                    if parts[p] is not None and parts[p] not in wanted and p in scores:
                        scores[p] = min(scores[p], cap)

    def search(self, snap: Snapshot, query: str, top_k: int = 10, mode: str = "hybrid",
               filters: Filters | None = None, include_all: bool = False) -> list[Hit]:
        """Rank chunks for ``query``; copies of one passage (same text) are shown once.

        In hybrid mode, passages whose evidence score (before the token match and figure bonus)
        is below ``config.relevance_floor`` are left out unless ``include_all``, and an off-topic
        question (:meth:`on_topic`) gets an empty list, not unrelated passages.
        """
        check_top_k(top_k)
        if mode not in MODES:
            raise KBError(f"未知的检索模式“{mode}”，可选：{', '.join(MODES)}")
        query = self.read(snap, (query or "").strip())
        if not query or not snap.chunks:
            return []
        cand = self.candidates(snap, query, mode, filters, max(self.config.candidates, top_k * 3))
        evidence = self.fuse(cand, mode)
        floor = self.config.relevance_floor if mode == "hybrid" and not include_all else float("-inf")
        if floor > float("-inf") and not self.on_topic(snap, query, cand):
            return []
        token = self.token_scores(snap, query, evidence) if mode == "hybrid" else {}
        fused = self.rerank(snap, query, evidence, token) if mode == "hybrid" else evidence
        bm25_rank = {i: r for r, i in enumerate(cand.keyword, start=1)}
        dense_rank = {i: r for r, i in enumerate(cand.dense, start=1)}
        hits: list[Hit] = []
        seen: set[str] = set()
        words = set(cand.terms)
        asked = sorted(place_names(query), key=lambda n: (query.find(n), -len(n)))
        for i in sorted(fused, key=lambda i: (-fused[i], i)):
            if evidence[i] < floor:
                continue  # the floor is on the evidence of the words and vectors
            chunk = snap.chunks[i]
            key = _text_key(chunk.text)
            if key in seen:
                continue  # the same passage from another copy of a document
            seen.add(key)
            tags = snap.tags[i]
            # under a region filter, the place filtered by; else a place the question names (沙县小吃是怎么
            # 做的: the passage telling 南通 and 沙县 shows 沙县), else its first case's
            region = shown_region(tags, filters.region if filters and filters.region else None)
            chosen = bool(filters and filters.region)
            for name in ([] if filters and filters.region else asked):
                if tags.regions and region_matcher(name)(region):
                    chosen = True
                    break
                named = shown_region(tags, name)
                if region_matcher(name)(named):
                    region, chosen = named, True
                    break
            if not chosen and len(tags.regions) > 1:
                # a passage telling several places' cases: the place of the sentence that matches the question
                # best (种黄芪的，浑源产值涨到多少: the 上虞–浑源 passage shows 浑源, not its first case 上虞)
                region = sentence_region(snap, i, words, tags) or region
            spans = self.tokenizer.spans(chunk.text)  # (营业 is not in 经营业绩)
            matched = tuple(sorted((w for w in words if occurs(chunk.text, w, spans)), key=lambda w: (-len(w), w)))
            hits.append(Hit(
                rank=len(hits) + 1, score=float(fused[i]), chunk=chunk, doc_title=snap.doc_title(chunk.doc_id),
                region=region, industry=shown_industry(snap, chunk.chunk_id, tags, region),
                bm25_rank=bm25_rank.get(i), dense_rank=dense_rank.get(i), matched_terms=matched,
                token_match=round(token[i], 4) if i in token else None,
                printed_page=snap.printed_page(chunk.doc_id, chunk.page),
                printed_page_end=snap.printed_page(chunk.doc_id, chunk.page_end)))
            if len(hits) >= max(top_k, ANSWER_FROM_HITS):
                break
        if self.config.answer_passage_first and mode == "hybrid" and len(hits) > 1:
            if asks_for_figure(query):
                hits = self.answer_first(snap, query, hits)
            elif hits[1].score >= hits[0].score - self.config.answer_tie_margin:  # a near tie: the answer breaks it
                hits = self.answer_first(snap, query, hits, within=self.config.answer_tie_margin)
        return hits[:top_k]

    def answer_first(self, snap: Snapshot, query: str, hits: list[Hit], within: float | None = None) -> list[Hit]:
        """For a question asking for a figure, the passage holding the sentence that gives it (the
        direct answer's first sentence, :meth:`answer_one`, from the first ``ANSWER_FROM_HITS``)
        comes first, at the best score: the figure is one sentence of a long passage (落实3.7亿元财政
        补贴 in the introduction's list of totals), and a passage that shares more of the question's
        words but gives another figure (the policy-incentives section) otherwise ranks above it.
        Then the passage list and the direct answer agree. ``within``: only a passage scoring at most
        that much below the first is moved (for any other question, when the first two nearly tie:
        the sentence that answers it decides)."""
        best = self.answer_one(snap, query, hits, max_sentences=1)
        if not best or best[0].chunk_id == hits[0].chunk.chunk_id:
            return hits
        i = next(i for i, h in enumerate(hits) if h.chunk.chunk_id == best[0].chunk_id)
        if within is not None and hits[i].score < hits[0].score - within:
            return hits
        order = [hits[i], *hits[:i], *hits[i + 1:]]
        return [replace(h, rank=r, score=max(h.score, hits[0].score) if r == 1 else h.score)
                for r, h in enumerate(order, start=1)]

    def off_topic(self, snap: Snapshot, query: str) -> bool:
        """Whether the documents cannot speak to ``query`` at all (not :meth:`on_topic`, judged
        on the candidates of all documents, as an unfiltered hybrid search would)."""
        query = self.read(snap, (query or "").strip())
        if not query or not snap.chunks:
            return False
        return not self.on_topic(snap, query, self.candidates(snap, query, "hybrid", None, self.config.candidates))

    def on_topic(self, snap: Snapshot, query: str, cand: Candidates) -> bool:
        """Whether the documents can speak to ``query`` at all. Unrelated questions (医保异地就医怎么备案,
        asdfghjkl) are not; a question is, when

        - some informative word of it (typed or from the glossary) occurs in the documents, or
          every word typed does (质量提升: general, but on topic);
        - it names the field itself (:func:`kb.tokenizer.names_the_field`: 厂里缺懂质量的人,
          农产品能搞认证往外卖吗); or
        - a passage sentence is as close to it as ``config.on_topic_cosine`` (考评前十是哪几个省:
          everyday words only, yet the vectors find the ranking passage).

        Before all that, a question about an everyday topic the documents never mention is refused
        (:meth:`elsewhere`: 今天北京天气怎么样, 食品经营许可证怎么办理)."""
        typed = self.tokenizer.tokenize(query)
        # No word at all (。, ？？？, @@@###, 的的的: punctuation, stopwords, single letters): the
        # vectors of such a query are near every short passage (谢谢！), so nothing is about it.
        if not any(len(t) > 1 or not unicodedata.normalize("NFKC", t).isascii() for t in typed):
            return False
        if self.elsewhere(snap, query, typed):
            return False
        if _THIS_ACTION.search(query):  # 这个活动明年还搞吗, 以后还会继续搞吗: the action itself, its future
            return True
        if _JOINING.search(query):  # 开饭馆的能参加这个吗, 咋报名
            rest = self.tokenizer.tokenize(_JOINING.sub(" ", query))
            if _OWNER.search(query) or not any(informative(t) and not len(snap.bm25.containing(t)) for t in rest):
                return True
        if any(v > 0 for v in cand.coverage.values()):
            return True
        if any(informative(t) and len(snap.bm25.containing(t)) for t in cand.dropped):
            return True  # 哪些问题解决不了: on topic by the word it negates, though not searched by
        if typed and all(len(snap.bm25.containing(t)) for t in typed):
            return True
        if names_the_field(typed):
            return True
        return max(cand.dense.values(), default=0.0) >= self.config.on_topic_cosine

    @staticmethod
    def elsewhere(snap: Snapshot, query: str, typed: list[str]) -> bool:
        """A question about something else: a word typed is one of the everyday topics of
        kb/data/offtopic_words.txt (weather, travel, exams, personal and business paperwork …) that
        the documents never use, no word typed is a compound term of the field (:data:`DOMAIN_WORDS`),
        and it shares at most :data:`ELSEWHERE_MAX_SHARED` other informative words with them.

        Places it shares do not count (今天北京天气怎么样, 浙江高考分数线), nor do one or two common
        words (食品经营许可证怎么办理 shares 经营, 出国旅游签证怎么办 shares 旅游). A word the documents
        do use is never off-topic evidence, so a collection about tourism keeps 旅游 questions, and
        a trade word the documents use keeps the question (沙县小吃开店的能参加吗).
        Document frequencies only, so every backend agrees."""
        # a topic word the glossary gives as an everyday word of the field is the field's figure of speech
        # (看病开方: 质量诊断), unless another topic word is there too (去医院看病挂号)
        topics = offtopic_words() - everyday_words()
        words = list(dict.fromkeys(typed))
        if not any(t in topics and not len(snap.bm25.containing(t)) for t in words) and not any(
            # a topic word the segmenter split ("个税怎么申报" gives 税 and 申报)
            len(w) >= 2 and w in query and w not in words and not len(snap.bm25.containing(w)) for w in topics
        ):
            return False
        # the field's compound term typed, however the segmenter cut it (短视频上学质量管理的人多吗 gives
        # 上学 | 质量 | 管理, not 质量管理)
        if any(t in DOMAIN_WORDS for t in words) or any(not w.isascii() and w in query for w in DOMAIN_WORDS):
            return False
        if _MAKER.search(query):  # 做健身器材的厂, 游戏机配件厂: a maker's question
            return False
        # 沙县小吃开店的能参加吗: a trade the documents speak of makes it a question of that trade
        if any(len(w) >= 2 and len(snap.bm25.containing(w)) for w in trade_words(query)):
            return False
        places = place_names(query)
        shared = [t for t in words if informative(t) and t not in places and len(snap.bm25.containing(t))]
        return len(shared) <= ELSEWHERE_MAX_SHARED

    def absent_names(self, snap: Snapshot, query: str) -> list[str]:
        """Places, trades, Latin names and topics of certification practice the question names that no
        document mentions (深圳, 家具, CE认证, 花钱买证): the results can only be about something near them,
        and the user should be told so.

        Latin names (:func:`latin_names`) count when the glossary does not list them
        (:func:`explained_latin`: ISO9001 is the report's 质量管理体系) and some word of them is not
        in the index.

        Only names, not every unknown word: colloquial words (咋办, 下手) are missing from the
        documents all the time without the question being about anything they lack. A trade is
        there when a passage is tagged with its industry (雨伞: the 伞业 passage); an everyday word
        for a trade (奶茶, 汽修) only when a passage says it, because its 大类 covers other trades
        too (the 沙县小吃 passage is 餐饮业 and says nothing about 奶茶). A name inside a longer
        missing one (深圳 in 深圳市) is given once. The question as searched (:meth:`read`: Jiangsu is
        江苏, a typo the word meant)."""
        query = self.read(snap, query or "")
        places = sorted((n for n in place_names(query) if len(n) >= 2), key=query.find)
        # 欧盟, 美国: outside the gazetteer; only as words of their own (not 法国 in 依法国家标准)
        abroad = foreign_names(query)
        if abroad:  # tokenise only when a name abroad is there to check
            words = set(self.tokenizer.tokenize(query))
            abroad = [n for n in abroad if n in words]
        trades = {w: None if is_everyday_word(w) else classify_industry(w)
                  for w in trade_words(query) if len(w) >= 2}
        # CE认证, HACCP: a name the glossary does not explain (ISO9001 is 质量管理体系 in the report)
        latin = {shown: core for shown, core in latin_names(query).items() if not explained_latin(core)}
        brands = self.brand_names(snap, query, trades)  # 罗莱家纺: an enterprise's own name
        topics = self.topic_names(query)  # 假证书, 审核人日, 首检: a topic of certification practice
        if not places and not trades and not abroad and not latin and not brands and not topics:
            return []
        industries, regions = snap.tagged()

        def mentioned(name: str) -> bool:
            if name in latin:  # every word of it indexed (bm25 reads CE as "ce")
                words = [t for t in self.tokenizer.tokenize(latin[name]) if t.strip(".-/")]
                return bool(words) and all(len(snap.bm25.containing(t)) for t in words)
            if name in trades and trades[name] in industries:  # 雨伞 is also there when a passage is about 伞业
                # ... and 床上用品 when one says 家纺, the glossary's term for it
                terms = [e.term for e in glossary() if name in e.everyday]
                return any(name in c.text or trades[name] in t.industries and names_the_trade(c.text, name)
                           or any(term in c.text for term in terms)
                           for c, t in zip(snap.chunks, snap.tags, strict=True))
            if name in topics:  # the word, or (a glossary word) its term or any other word for it
                return any(w in c.text or w in c.section_path for w in topics[name] for c in snap.chunks)
            if name in trades or name in abroad or name in brands:
                return any(name in c.text or name in c.section_path for c in snap.chunks)
            # a place by any of its names: 上海市 is there when the documents say 上海
            matches = region_matcher(name)
            if any(matches(Region(*r)) for r in regions):
                return True
            place = find_region(name)  # 香港 is there when the documents say 桂港合作
            return place.city is None and place.province in snap.abbreviated()

        order = unicodedata.normalize("NFKC", query)  # latin names are read from the NFKC form (ＣＥ → CE)
        missing = sorted((n for n in dict.fromkeys((*places, *abroad, *brands, *trades, *latin, *topics)) if not mentioned(n)),
                         key=lambda n: query.find(n) if n in query else order.find(n))
        # 做鞋 (a trade keyword for 做鞋的) is shown as what is made: 鞋
        return [n[1:] if n in trades and n.startswith("做") and len(n) > 1 else n
                for n in missing if not any(n != m and n in m for m in missing)]

    def topic_names(self, query: str) -> dict[str, tuple[str, ...]]:
        """Words of ``query`` (whole words) that name one topic of certification practice, each with
        the words that would show a document speaks to it: those of kb/data/topic_words.txt (假证书,
        审核人日; one of three characters or more anywhere: 花钱买证书 is cut 花钱 | 买 | 证书) as themselves,
        and the words of a glossary term of shop-floor practice that the report does not define (首检 →
        首件检验: 首检, 首件, 首件确认 …). Not the standards' everyday terms (不合格, 整改): the report
        speaks of them in its own words (缺陷, 不良率)."""
        out: dict[str, tuple[str, ...]] = {}
        bounds = word_boundaries(query, self.tokenizer)
        for word in topic_words():
            if word in query if len(word) >= 3 else word_spans(query, word, self.tokenizer, bounds, first=True):
                out[word] = (word,)
        for entry in glossary():
            if entry.source != _SHOP_FLOOR:
                continue
            words = [w for w in (entry.term, *entry.everyday) if not _LATIN_LETTER.search(w)]
            typed = next((w for w in words if word_spans(query, w, self.tokenizer, bounds, first=True)), None)
            if typed:  # once per term (首件检验就是首检吗: 首件检验)
                out.setdefault(typed, tuple(words))
        kept: dict[str, tuple[str, ...]] = {}
        taken: set[int] = set()
        for w in sorted(out, key=lambda w: (-len(w), query.find(w))):  # 花钱买证书: one topic, not two overlapping
            at = set(range(query.find(w), query.find(w) + len(w)))
            if not at & taken:
                kept[w], taken = out[w], taken | at
        return kept

    def brand_names(self, snap: Snapshot, query: str, trades) -> list[str]:
        """Words that name one enterprise (南通罗莱家纺 → 罗莱; 李记食品厂 → 李记): a word of two to four Chinese
        characters that no dictionary knows, that is not a place, holds none of the everyday characters
        the segmenter glues to the next word (有个厂子, 开个小厂, 咱小厂子) and is no typo read as another word
        (共付工坊 → 共富), right before the trade it makes or an enterprise's ending (家纺, 公司, 厂, 集团, 牌)."""
        out = []
        read = self.read(snap, query)
        for word in dict.fromkeys(self.tokenizer.tokenize(query)):
            if not (2 <= len(word) <= 4 and re.fullmatch(r"[\u4e00-\u9fa5]+", word)) or self.tokenizer.known(word):
                continue
            if (_GLUE_CHARS.search(word) or word not in read or place_names(word)
                    or any(word in t or t in word for t in trades)):
                continue
            after = query[query.find(word) + len(word):]
            if _BRAND_TAIL.match(after) or any(after.startswith(t) for t in trades):
                out.append(word)
        return out

    # ----------------------------------------------------------------- direct answer
    def answer(self, snap: Snapshot, query: str, hits: list[Hit], max_sentences: int = 2,
               from_hits: int = ANSWER_FROM_HITS, filters: Filters | None = None) -> list[AnswerSentence]:
        """:meth:`answer_one`; for a question asking two things (认证费用能减免多少，还有能不能拿到贷款)
        whose answer leaves one of them untold, the best sentence for each part, in the question's order."""
        out = self.answer_one(snap, query, hits, max_sentences, from_hits)
        first, second = second_topic(query)
        if not second or not out or max_sentences < 2:
            return out

        def told(part: str) -> bool:  # some informative word of the part is in the answer (or none to tell)
            def indexed(text: str) -> list[str]:
                return [t for t in self.tokenizer.tokenize(text) if informative(t) and len(snap.bm25.containing(t))]

            # the words typed; the glossary's only when none is indexed (抖音号 → 宣传, 培训 would count
            # 免费培训 in the fee sentence as telling how many watch the Douyin account)
            words = indexed(part) or indexed(expand(part, self.tokenizer))
            return not words or any(w in a.text for a in out for w in words)

        if told(first) and told(second):
            return out
        both: list[AnswerSentence] = []
        for part in (first, second):
            # each part searched as the whole was (the same filters: 江苏 stays 江苏)
            best = self.answer_one(snap, part, self.search(snap, part, top_k=from_hits, filters=filters), 1, from_hits)
            both += [b for b in best if all(_text_key(b.text) != _text_key(a.text) for a in both)]
        return both if len(both) == 2 else out

    def answer_one(self, snap: Snapshot, query: str, hits: list[Hit], max_sentences: int = 2,
                   from_hits: int = ANSWER_FROM_HITS) -> list[AnswerSentence]:
        """The one or two sentences of the best passages that answer ``query`` most directly.

        Each sentence of the first ``from_hits`` passages is ranked by its cosine with the query
        plus half the share of the query's informative words it contains, plus
        ``config.answer_figure_bonus`` when the question asks for a figure (多少, 几个点 …) and
        the sentence has one, plus ``config.answer_places_bonus`` when the question asks which places
        (哪几个省) and the sentence names three or more, plus ``config.answer_passage_weight`` times
        its passage's score; a sentence in a part of a case write-up the question does not ask for
        (:func:`wanted_parts`; 存在问题：… when it asks what was done) ``config.answer_problem_penalty``
        less, and, when the question names a part (原来卡在哪), a sentence in that part of a case
        ``config.answer_part_bonus`` more. A sentence that only repeats its section's heading (一是优化认证服务。)
        says nothing and is passed over while the passages have another. The second sentence is
        given only when it ranks nearly as well as the first (within 0.05). The score reported is
        that ranking sum divided by its largest possible value (and not below 0): a 0–1 scale,
        same order. No answer when no passage reaches ``config.answer_min_score``.
        """
        if not hits or not snap.sentence_count or max(h.score for h in hits) < self.config.answer_min_score:
            return []
        query = self.read(snap, query)
        qv = self.embed_query(snap, expand(query, self.tokenizer) if self.config.dense_expand else query)
        # 哪些问题没解决: 解决 is what the answer must not say; 这个活动是为了啥: 活动 is the action itself
        negated = not_looked_for(query, self.tokenizer)
        words = [t for t in dict.fromkeys(self.tokenizer.tokenize(expand(query, self.tokenizer)))
                 if informative(t) and t not in negated]
        # a word the user typed counts fully, one only the glossary added (结果, 采信 for 投标能加分) by
        # config.answer_expansion_weight: the sentence saying 招投标加分项 answers 有证书投标能加分吗
        # before one saying 采信认证结果
        typed = set(self.tokenizer.tokenize(query))
        weight = {w: 1.0 if w in typed else self.config.answer_expansion_weight for w in words}
        total_weight = sum(weight.values())
        bonus = self.config.answer_figure_bonus if asks_for_figure(query) else 0.0
        units, things = counted(query, self.tokenizer) if bonus else ((), ())  # 多少家认证机构: 457家认证机构
        # 要花多少钱 / 要多久: the figure wanted is an amount of money or a length of time, not any number
        wanted_figure = next((given for kind, asked, given in _ASKED_FIGURES
                              if kind in _FIGURE_KINDS and asked.search(query)), _FIGURE)
        benefit = self.config.answer_result_bonus if asks_for_benefit(query) else 0.0
        # 咋办, 米厂碎米多 (the trouble told), 有先例吗 / 别的地方咋弄的 (an example of what others did): what
        # was done, not the difficulty restated
        remedy = (self.config.answer_result_bonus
                  if not benefit and (asks_for_remedy(query) or tells_trouble(query, self.tokenizer)
                                      or asks_for_example(query)) else 0.0)
        change = asks_for_change(query)  # 由多少提升到多少: the result, not the figure of the trouble
        open_problems = self.config.answer_result_bonus if not benefit and asks_for_open_problems(query) else 0.0
        coming = self.config.answer_result_bonus if asks_what_comes_next(query) else 0.0  # 下一步还打算怎么做
        earlier = self.config.answer_result_bonus if asks_vs_earlier(query) else 0.0  # 比上年增长多少
        defined = [e.term for e in asked_terms(query, self.tokenizer)]  # 提升行动是干啥的: where it is introduced
        purpose = self.config.answer_result_bonus if asks_for_purpose(query) else 0.0  # 为啥要搞这个行动
        places = self.config.answer_places_bonus if asks_for_places(query) else 0.0
        top_place = places if asks_for_top(query) else 0.0  # 哪个省搞得最好: the ranking
        # 江苏排第几: a sentence ranking that place (排名前10的省份依次为：浙江、江苏…)
        rank_of = place_names(query) if _RANK_ASKED.search(query) else frozenset()
        named = named_parts(query)
        # 降了多少, 后来…降到多少: a sentence stating the change, by how plainly (see states_change); not
        # when the question also asks what was done or what the trouble was (怎么解决的，效果咋样: either answers)
        how_changed = (self.config.answer_result_bonus
                       if not benefit and asks_how_changed(query) and named <= {"outcomes"} else 0.0)
        opinion = self.config.answer_result_bonus if asks_for_opinion(query) else 0.0  # 有人觉得有用吗
        steps = (self.config.answer_steps_bonus  # 先做什么后做什么, 第一步先从哪入手
                 if _STEPS_QUESTION.search(query) or (_FIRST_STEP_QUESTION.search(query) and not _TROUBLE.search(query))
                 else 0.0)
        # a place the question names (我在江苏…): a sentence listing places (浙江、江苏、河北等19个省局…) is
        # the national account, not what that place did (其中，江苏省局…为1433家企业…)
        asked_places = place_names(query)
        # ... unless it asks that place's rank (江苏排第几: the ranking lists ten provinces)
        own_places = bool(asked_places) and not places and not _RANK_ASKED.search(query)
        where = self.config.answer_own_place_bonus if not places and not asked_places and _WHERE.search(query) else 0.0
        # a figure asked of no place and no example (政府一共补了多少钱): the total, not one province's
        # (not a trade's or an owner's own trouble: 做豆瓣酱的…菌落总数降了多少 wants the case's figure)
        total = (self.config.answer_figure_bonus
                 if bonus and not asked_places and not places and not _EXAMPLE_ASKED.search(query)
                 and not trade_words(query) and not remedy else 0.0)
        nationwide = bool(total) and bool(_NATIONWIDE.search(query))
        other_part = self.config.answer_problem_penalty
        wanted = named or RESULT_PARTS
        part_bonus = 0.0  # given to some sentence: part of the largest possible rank
        scored = []
        # What the question is about (a trade, a place it names) as the best passage has it: a
        # sentence of a passage that names none of it is about another enterprise or place
        # (健身器材…客户投诉降了多少: not the 15→3 complaints of a printing case two passages down).
        def about(h: Hit) -> str:  # a case's name is often its heading
            return h.chunk.section_path + h.chunk.text

        subject = [w for w in (*trade_words(query), *sorted(place_names(query))) if w in about(hits[0])]
        # A passage far below the best one (under answer_hit_share of its score) is no source of the answer.
        pool = [h for h in hits[:from_hits] if h is hits[0] or h.score >= self.config.answer_hit_share * hits[0].score]
        # ... but the passage continuing the best one's case (案例一 → 案例一（续）: its 取得成效) is
        pool += [h for h in hits[1:] if all(h is not p for p in pool) and continues(snap, hits[0].chunk, h.chunk)]
        # 降了多少: a sentence giving only the level before the change (差错每月8起，安全隐患大) is no answer
        befores = (before_figures(text for h in pool for _, text, _ in snap.sentences_of(snap.chunk_pos[h.chunk.chunk_id]))
                   if how_changed else set())
        for hit in pool:
            elsewhere = (bool(subject) and not any(w in about(hit) for w in subject)
                         and not continues(snap, hits[0].chunk, hit.chunk))
            sents = snap.sentences_of(snap.chunk_pos[hit.chunk.chunk_id])
            pages = hit.chunk.pages_of([text for _, text, _ in sents])  # each sentence cites its own page
            # a case's place is often in its heading only (南通某家纺企业 > 存在问题)
            heading_places = place_names(hit.chunk.section_path) if own_places else frozenset()
            # parts of a case write-up; a report's own 基本情况 / 存在问题 chapters are no case's parts
            cases = snap.cases_of_chunk(hit.chunk.chunk_id)
            has_case = bool(cases)
            parts = (case_parts(hit.chunk.section, [text for _, text, _ in sents])
                     if has_case else [None] * len(sents))
            # a case told in prose (no part headings or labels): for a question asking what to do, its
            # sentences about the trouble before or the enterprise itself are not the answer (the part
            # of the case record a sentence went into, else its words tell)
            prose = ([record_part(cases, text) or prose_part(text) if p is None else None
                      for p, (_, text, _) in zip(parts, sents)]
                     if (remedy or change or how_changed) and has_case else [None] * len(sents))
            for (sid, text, vector), page, part, told in zip(sents, pages, parts, prose, strict=True):
                low = text.lower()
                spans = self.tokenizer.spans(low)  # 营业额: not 营业 across 经营|业绩
                share = sum(weight[w] for w in words if occurs(low, w, spans)) / total_weight if words else 0.0
                score = float(vector @ qv) + 0.5 * share
                # 多少家认证机构: a sentence giving that count gets the figure bonus twice, one giving only
                # a figure in another unit (覆盖率…达90%) none
                in_unit = any(c.search(text) for c in units)
                rank = (score + (bonus if bonus and wanted_figure.search(text) and (in_unit or not units) else 0.0)
                        + (bonus if in_unit or any(c.search(text) for c in things) else 0.0)
                        + self.config.answer_passage_weight * hit.score)
                if bonus and units and not _FIGURE.search(text):  # 多少…的人: a sentence with no figure at all
                    rank -= bonus
                if benefit:  # 有啥好处: a result, not a problem
                    polarity = reads_as_result(text)
                    rank += benefit if polarity else -benefit if polarity is False else 0.0
                elif open_problems:  # 哪些问题没解决: a problem, not a result (有效解决…问题2.4万个)
                    polarity = reads_as_result(text)
                    if polarity is not False and any(w in text for w in negated):
                        polarity = True
                    rank += open_problems if polarity is False else -open_problems if polarity else 0.0
                elif remedy and reads_as_result(text) is False:  # 咋办: not the difficulty restated
                    # under a heading naming a problem (需要完善的主要方向 > …能力不足) the passage is the
                    # difficulty itself: no more an answer to 咋整 than a case's 存在问题
                    rank -= other_part if in_problem_section(hit.chunk.section) else remedy
                elif remedy and aggregate_result(text):  # 返工多咋整: not the average over all enterprises
                    rank -= remedy
                if places and len(place_names(text)) >= 3:  # 哪几个省: the sentence that lists them
                    rank += places
                if top_place:  # 哪个省最好: a ranking of places; a sentence naming no place is no answer
                    rank += (top_place if _RANKING.search(text) else 0.0) - (top_place if not place_count(text) else 0.0)
                if rank_of and _RANK_TOLD.search(text) and place_names(text) & rank_of:
                    rank += self.config.answer_result_bonus
                if how_changed:
                    # 省了多少钱: the change in the kind of figure asked for (an amount of money), not any change
                    told_change = states_change(text) if wanted_figure.search(text) else 0
                    if told_change:
                        rank += how_changed * told_change
                    elif states_before(text, befores):
                        rank -= 2 * how_changed
                    elif reads_as_result(text) is False:
                        rank -= how_changed
                if steps and _FIRST_STEP.search(text):
                    rank += steps
                if opinion and _OPINION.search(text):
                    rank += opinion
                if coming and in_next_steps_section(hit.chunk.section):
                    rank += coming
                if earlier and compares_with_earlier(text):
                    rank += earlier
                if defined and introduces(text, defined):
                    rank += self.config.answer_result_bonus
                elif purpose and introduces_programme(text):
                    rank += purpose
                if total and place_count(text) == 1 and not _NATIONWIDE.search(text):
                    # 政府一共补了多少钱: the national total, not 河北…财政补贴728万元; a question saying 全国
                    # itself (全国一共放了多少贷款) is not answered by one province's figure at all
                    rank -= other_part if nationwide else total
                if where and place_count(text):
                    rank += where  # 分档的做法是哪里的: a sentence naming the place
                if own_places and place_count(text) >= 3:
                    rank -= self.config.answer_list_penalty
                elif own_places and (place_names(text) | heading_places) & asked_places:  # 江苏的经验: what 江苏 did
                    rank += self.config.answer_own_place_bonus
                if elsewhere:
                    rank -= other_part
                if told in ("problem", "profile"):
                    rank -= other_part  # 开裂变形怎么办 / 合格率由多少提升到多少: not 过去…合格率仅为88%
                if part is not None and part not in wanted:
                    rank -= other_part  # 染色不均怎么办: not 存在问题：染色不均; 原来卡在哪: not what was done
                elif part is not None and named:  # 漳州那家当初出了什么问题: its 【问题】, not a report's example
                    rank += self.config.answer_part_bonus
                    part_bonus = self.config.answer_part_bonus
                if heading_only(text, hit.chunk.section) or points_to_table(text) or fragment(text) or header_row(text):
                    rank -= 1.0  # last resort (a heading repeated; "…对比如下表。", a lone table cell, a header row say nothing)
                scored.append((rank, score, sid, text, hit, page))
        scored.sort(key=lambda x: -x[0])
        out: list[AnswerSentence] = []
        top = (1.5 + self.config.answer_passage_weight + where + bonus + (bonus if units or things else 0.0) + benefit + places + top_place + 2 * how_changed
               + opinion + steps + part_bonus + open_problems + coming + earlier
               + (self.config.answer_result_bonus if defined or purpose else 0.0)
               + (self.config.answer_result_bonus if rank_of else 0.0))  # the largest rank
        # the same sentence told twice (a passage and its copy, a PDF that repeats a paragraph) is given once
        seen: set[str] = set()
        scored = [x for x in scored if not (_text_key(x[3]) in seen or seen.add(_text_key(x[3])))]
        for rank, _score, _sid, text, hit, page in scored[:max_sentences]:
            if out and (rank < scored[0][0] - 0.05 or heading_only(text, hit.chunk.section) or points_to_table(text)
                        or fragment(text) or header_row(text)):
                break
            out.append(AnswerSentence(text, hit.chunk.chunk_id, hit.doc_title, hit.chunk.section_path,
                                      page, answer_score(rank * 1.5 / top), hit.chunk.doc_id,
                                      snap.printed_page(hit.chunk.doc_id, page)))
        return out

    def outline(self, snap: Snapshot, query: str, hits: list[Hit]) -> Outline | None:
        """For a question asking for a list (:func:`asks_for_outline`), the headings under the first
        result's section, or under its parent when that section has none (a passage on one point
        of a list: 一是深化区域试点 → 四、下一步工作考虑's 一是…三是); for a question about the
        parts of the whole document (报告分哪几部分), its top-level headings. None when the chosen
        section has fewer than two. The outline comes from the document's own headings, so it is the document's list,
        whatever passage ranked first within it."""
        if not hits or not asks_for_outline(to_simplified(query)):
            return None
        chunk = hits[0].chunk
        section = tuple(chunk.section)
        if not section or _STRUCTURE_QUESTION.search(to_simplified(query)):
            nodes: tuple[tuple[str, ...], ...] = ((),)
        elif _BROAD_PARTS.search(to_simplified(query)) and len(section) >= 2:
            # 做得还不够的地方分几大块: the parts of the chapter the passage is in, not the points of its sub-part
            nodes = (section[:1], section, section[:-1])
        else:  # its own sub-headings, else its siblings — not the whole document's chapters
            nodes = (section, section[:-1]) if len(section) >= 2 else (section,)
        for node in nodes:
            kids = snap.children(chunk.doc_id, node)
            if all(heading_part(h) for h, _ in kids):
                continue  # 基本情况 / 存在问题 / 主要做法 / 取得成效: one case's parts, not a list of points
            if len(kids) >= 2:
                items = tuple(OutlineItem(heading, snap.chunks[i].chunk_id, snap.chunks[i].page,
                                          snap.printed_page(chunk.doc_id, snap.chunks[i].page))
                              for heading, i in kids[:OUTLINE_MAX_ITEMS])
                return Outline(hits[0].doc_title, " > ".join(node), items, len(kids), chunk.doc_id)
        return None

    # ----------------------------------------------------------------- cases
    def problem_scores(self, snap: Snapshot, problem: str, idx: list[int]) -> dict[int, float]:
        """How well each case position in ``idx`` matches ``problem``, on an absolute 0–1 scale.

        Mostly (``case_term_weight``) the share of the query's own terms the case contains, each
        term weighted by its IDF over the cases (a term no case has weighs most; a synonym found
        in the case counts for the term it expands): a case sharing only a common word such as
        产品 scores near 0, whatever its rank. The rest is the
        case's cosine to the query, scaled from the median over all cases (0) to the best (1),
        which lifts paraphrases that share no word. Ranks alone (RRF) would give the second
        case 0.9 even when it shares one common word with the query.
        """
        if not idx:
            return {}
        problem = self.read(snap, problem)
        bm25 = snap.case_bm25(self.tokenizer)
        own = list(dict.fromkeys(self.tokenizer.tokenize(problem)))
        extra = [t for t in dict.fromkeys(self.tokenizer.tokenize(expand(problem, self.tokenizer))) if t not in own]
        n = max(len(snap.cases), 1)
        covered = np.zeros(len(snap.cases), dtype=np.float64)
        total = 0.0
        for t in own + extra:
            present = bm25.scores([t]) > 0
            if not present.any() and informative(t):
                # A word the records only hold inside a longer one ("胖听" in 胖听率, one token there).
                present = self._records_holding(snap, t)
            df = int(present.sum())
            idf = float(np.log((n - df + 0.5) / (df + 0.5) + 1.0))
            covered += idf * present
            if t in own:  # a word no case has counts against all; a synonym only helps
                total += idf
        covered = np.minimum(covered, total)
        coverage = covered / total if total else covered
        w = self.config.case_term_weight
        dense = np.zeros(len(snap.cases), dtype=np.float64)
        if len(snap.case_vectors):
            dense = spread_from_median(snap.case_vectors @ self.embed_query(snap, problem))
        else:
            w = 1.0
        return {i: float(w * coverage[i] + (1 - w) * dense[i]) for i in idx}

    @staticmethod
    def _records_holding(snap: Snapshot, word: str) -> np.ndarray:
        """Which case records hold ``word`` as written (also inside a longer word)."""
        return np.array([word in c.index_text for c in snap.cases], dtype=bool)

    def in_case_records(self, snap: Snapshot, problem: str) -> bool:
        """Whether an informative word of ``problem`` is written in a case record, also inside a
        longer word (胖听 in 胖听率): a problem the records speak of is never off-topic."""
        return any(self._records_holding(snap, t).any() for t in self.tokenizer.tokenize(self.read(snap, problem))
                   if informative(t))

    def cases(self, snap: Snapshot, industry: str | None = None, problem: str | None = None,
              region: str | None = None, top_k: int = 10, kind: str | None = None) -> list[CaseHit]:
        """Rank case records by one additive score (problem, industry, region, evidence; see
        :mod:`kb.cases_ranking`). A problem that is off-topic or nonsense (今天天气怎么样, asdfghjkl;
        :meth:`on_topic`, as for passages) with no industry or region to go by gets no cases, not
        every case in an arbitrary order."""
        check_top_k(top_k)
        industry, region = (to_simplified(industry) if industry else industry), (to_simplified(region) if region else region)
        problem = self.read(snap, problem) if problem else problem
        if problem and problem.strip() and not industry and not region and snap.chunks:
            if not self.on_topic(snap, problem.strip(), self.candidates(snap, problem.strip())) \
                    and not self.in_case_records(snap, problem.strip()):
                return []
        ranked = rank_cases(snap.cases, lambda idx: self.problem_scores(snap, problem or "", idx),
                            industry=industry, problem=problem, region=region, top_k=top_k, kind=kind,
                            settings=self.case_settings)
        hits = [case_hit(snap, r, i, s, parts) for r, (i, s, parts) in enumerate(ranked, start=1)]
        if problem and problem.strip() and not industry:
            # Cases that do not clearly match the problem are marked (listed for reference only).
            floor = self.config.guidance_problem_min
            hits = [replace(h, weak=dict(h.score_parts).get("problem", 0.0) < floor) for h in hits]
        return hits

    def guidance(self, snap: Snapshot, query: str, top_k: int = 2,
                 industry: str | None = None) -> tuple[str | None, list[CaseHit]]:
        """For an owner's question: the trade chosen in the search's filter, else the one it names
        (做雨伞的小厂 → 伞业's class), and the most comparable case(s) with outcomes — of that trade
        first; with no trade, only cases whose problem match (:meth:`problem_scores`) reaches
        ``config.guidance_problem_min`` (产品老出毛病，返工多 → a case about rework; 老板不重视质量 →
        none: no case is about that)."""
        query = self.read(snap, (query or "").strip())
        if not query or not snap.cases:
            return None, []
        industry = (industry or "").strip() or question_industry(query, self.tokenizer)
        if industry:
            return industry, [h for h in self.cases(snap, industry=industry, problem=query, top_k=top_k)
                              if h.case.outcomes]
        floor = self.config.guidance_problem_min
        return None, [h for h in self.cases(snap, problem=query, top_k=top_k)
                      if h.case.outcomes and dict(h.score_parts).get("problem", 0.0) >= floor]

    def similar_cases(self, snap: Snapshot, case_id: str, top_k: int = 5, industry: str | None = None,
                      region: str | None = None, kind: str | None = None) -> list[CaseHit]:
        """The cases most like ``case_id`` (a shared industry counted, itself excluded), only of
        ``industry``, ``region`` and ``kind`` when given."""
        check_top_k(top_k)
        pos = next((i for i, c in enumerate(snap.cases) if c.case_id == case_id), None)
        if pos is None:
            raise KBError(f"找不到案例“{case_id}”。用 kb cases 查看全部案例编号。")
        industry, region = (to_simplified(industry) if industry else industry), (to_simplified(region) if region else region)
        ranked = rank_similar(snap.cases, snap.case_vectors, pos, top_k, self.case_settings,
                              industry=industry, region=region, kind=kind)
        return [case_hit(snap, r, i, s, parts) for r, (i, s, parts) in enumerate(ranked, start=1)]
