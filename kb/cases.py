"""Case records: the concrete enterprise cases and local experiences a document describes.

Two kinds of input:

* **A report** (such as the annual work summary). A case starts at a sentence whose subject,
  after a lead-in such as 例如，/其中，, is one locality ("江苏南通市…", "河北出台…",
  "浙江在德清县设立…"), an enterprise ("青岛某公司…"), or several localities acting jointly
  ("吉林与浙江签署…", "上海、江苏和安徽形成跨…"). Not a case: aggregate statements
  with a count ("山东、辽宁等16个省局…", "浙江、广东等21省…"). Named places sharing one practice
  ("四川、湖北、新疆将…", "山东、天津等地通过制定…") are one local experience. A case continues over the following sentences of the same paragraph
  and section until a sentence starts with a generic subject (提升行动/2023年/全国/各地/总局/
  认证机构 …), a locality (another case or an aggregate) or an enumeration (一是…).
* **A case collection** (附件2/附件3 dropped by a user, see :func:`is_case_collection`): one case
  per top-level section, whatever its length, titled by its heading.

``kind`` is ``enterprise_case`` when the subject is an enterprise (某公司/企业/厂), else
``local_experience``. The title is the subject as written plus the first clause of what it did,
so nothing is invented. Outcomes come from :func:`parse_outcomes`, whose sign convention is:
``change`` is the signed change the text states (下降20.2% → -20.2, in the stated unit, so for
% it may be relative or in points, as the text has it); for a from–to pair (从15%降至7%) it is
``after - before`` in the same unit (-8 percentage points).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .chunking import sentence_owners
from .industries import classify_industry
from .records import Case, Chunk, Outcome, Region, Sentence
from .regions import find_region, region_spans

# ---------------------------------------------------------------------------------------------
# Outcome patterns. Every regex of the outcome parser is here.

# A quantity: number, optional 余/多 ("1000余个", "1.3亿余元"), multiplier 万/亿, unit.
# A bare number (a year, "前10") has neither multiplier nor unit and is ignored.
_QTY = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)(?:余|多)?(?P<mult>万|亿)?(?:余|多)?"
    r"(?P<base>%|个百分点|元|美元|家|个|人次|人|项|户|次|倍|吨|件|场|份|篇|名|亩|台|套|批|种)?"
)
_COUNT_UNITS = {"家", "个", "人次", "人", "项", "户", "名", "件", "场", "份", "篇", "台", "套", "批", "种"}
_UP = "增长|增加|提升|提高|上升|扩大|增收"
_DOWN = "下降|降低|减少|缩短|缩减"
# "从2020年的143家" — the start of a from–to pair (the year in between is skipped).
_FROM = re.compile(r"(?:从|由)(?:\d{4}年(?:底|度)?的?)?$")
# What joins the two quantities of a pair: "降至", "增加到2023年的", "提升到", "到".
_TO = re.compile(rf"(?:(?:{_UP}|{_DOWN}|降|增|升)?(?:至|到)|达到?)(?:\d{{4}}年(?:底|度)?的?)?")
# A stated change right before the number: "下降20.2%", "增加了约10万元".
_CHANGE = re.compile(rf"(?P<verb>{_UP}|{_DOWN})了?(?:约|近|超过|超)?$")
# A level reached: "增长至5亿", "突破130亿元", "达1.3亿余元", "超过350亿元", "为63.0%".
_REACH = re.compile(rf"(?:(?:{_UP}|{_DOWN})?(?:至|到)|达到|达|突破|超过|超|逾|共计|累计|总计|为|约|近)$")
# Who benefited: "为1433家企业…", "带动3800余人…", "帮助115家…"; the metric follows the number.
_BENEFIT = re.compile(r"(?:为|帮助|带动|指导|培训|服务|惠及|覆盖|助力|推动|支持|组织)了?(?:近|约|超过|超)?$")
_CLAUSE = re.compile(r"[^，,；;。！？!?]+")
_CLAUSE_END = re.compile(r"(?:以上|左右)?\s*$")
# Metric clean-up: a leading year, lead verbs, place qualifiers, and trailing comparisons.
_METRIC_YEAR = re.compile(r"^\d{4}年(?:底|度)?的?")
_METRIC_VERB = re.compile(r"^(?:有效|切实|积极)?(?:帮助|带动|推动|助力|支持|指导|实现|创造|促进|使)+")
# Verbs whose object is the metric: "…产业通过提升行动帮助小微企业注册商标" → 小微企业注册商标.
_METRIC_CUT = re.compile(r"帮助|带动|推动|助力|指导|促进")
_METRIC_PLACE = re.compile(
    r"^(?:(?:该|本)(?:市|县|区|省|公司|企业|厂|地)?|其(?:市|县|区|省|公司|企业|厂)|区域内|全县|全市|全省|全区|区域)的?"
)
_METRIC_TAIL = re.compile(r"(?:(?:较|比)(?:\d{4}年(?:底|度)?|上年度?|去年)|同比|环比|平均|累计|共计|分别|共|总|的|超过|超|均|虽|为|达)$")
_METRIC_CONJ = re.compile(r"^(?:但|而|并|且|同时|其中)")
# What follows a leading list of places: "、青海等7个省局出台…" (the count is already removed).
_METRIC_PLACES_REST = re.compile(r"^(?:[、和与及]|等(?:省局|省份|省|地区|地|市)?|(?:省|市)?局)")
_METRIC_MAX = 30


def _metric(segment: str) -> str:
    """The noun phrase naming what was measured, from the text before the number/verb."""
    m = segment
    m = _QTY.sub(lambda q: "" if (q["mult"] or q["base"]) else q[0], m)
    m = re.split(r"[：:]", m)[-1]
    m = re.split(r"[将把]", m)[-1]  # "帮助企业将产品缺陷发生率…" → 产品缺陷发生率
    if len(tail := _METRIC_CUT.split(m)[-1]) >= 2:
        m = tail
    m = _METRIC_YEAR.sub("", m)
    while (spans := region_spans(m)) and spans[0][0] == 0:  # "河北出台…政策16项" → 出台…政策
        m = m[spans[0][1] :]
        while (rest := _METRIC_PLACES_REST.sub("", m)) != m:
            m = rest
    m = _METRIC_PLACE.sub("", _METRIC_VERB.sub("", _METRIC_CONJ.sub("", m)))
    while (t := _METRIC_TAIL.sub("", m)) != m:
        m = t
    return m.strip()[-_METRIC_MAX:]


def _value(q: re.Match) -> tuple[float, str]:
    return float(q["num"]), (q["mult"] or "") + (q["base"] or "")


def _clause_outcomes(clause: str, page: int | None) -> list[Outcome]:
    qs = [
        q
        for q in _QTY.finditer(clause)
        if (q["mult"] or q["base"])
        and not clause[q.end() :].startswith("的")  # "15%的小微企业认为…" describes, not results
        and not clause[: q.start()].endswith(("前", "第"))
    ]
    out: list[Outcome] = []
    seg_start = 0  # the metric of the next outcome starts here
    i = 0
    while i < len(qs):
        q = qs[i]
        before = clause[: q.start()]
        value, unit = _value(q)
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        if (f := _FROM.search(before)) and nxt and _TO.fullmatch(clause[q.end() : nxt.start()]):
            after, unit2 = _value(nxt)
            if unit2 == unit:
                metric = _metric(clause[seg_start : f.start()])
                out.append(Outcome(metric, value, after, round(after - value, 4), unit, page, clause))
                seg_start, i = nxt.end(), i + 2
                continue
        if (c := _CHANGE.search(before)) is not None:
            sign = -1 if re.fullmatch(_DOWN, c["verb"]) else 1
            out.append(Outcome(_metric(clause[seg_start : c.start()]), None, None, sign * value, unit, page, clause))
            seg_start = q.end()
        elif q["base"] in _COUNT_UNITS and (
            (b := _BENEFIT.search(before)) is not None or not clause[seg_start : q.start()].strip()
        ):
            # The number counts beneficiaries; what they got follows it.
            verb = b[0] if b is not None else ""
            tail = clause[q.end() : nxt.start() if nxt else len(clause)]
            out.append(Outcome(_metric(verb + tail), None, value, None, unit, page, clause))
        elif (r := _REACH.search(before)) is not None or _CLAUSE_END.match(clause, q.end()):
            # "突破130亿元", or a bare figure closing the clause ("注册商标1000余个"); a count
            # inside a noun phrase ("5项快捷自检法") describes a measure and is skipped.
            end = r.start() if r else q.start()
            out.append(Outcome(_metric(clause[seg_start:end]), None, value, None, unit, page, clause))
            seg_start = q.end()
        i += 1
    return out


def parse_outcomes(text: str, page: int | None = None) -> list[Outcome]:
    """Quantified results stated in ``text``, clause by clause.

    "产品缺陷发生率从15%降至7%" → (产品缺陷发生率, before 15, after 7, change -8, %);
    "产品不良率较2022年下降20.2%" → change -20.2; "行业产值突破130亿元" → after 130 亿元;
    "带动3800余人增收致富" → (增收致富, after 3800, 人). A clause without its own metric
    ("比2022年增加93%") takes the metric of the outcome before it.
    """
    out: list[Outcome] = []
    for m in _CLAUSE.finditer(text):
        for o in _clause_outcomes(m.group(), page):
            if not o.metric and out:
                o = Outcome(out[-1].metric, o.before, o.after, o.change, o.unit, o.page, o.text)
            if o.metric:
                out.append(o)
    return out


# ---------------------------------------------------------------------------------------------
# Case starts in a report.

# Lead-ins stripped before looking for the subject: "例如，江苏南通市…".
_LEAD_IN = re.compile(r"^(?:例如|其中|比如|譬如|如|同时|此外|另外)[，,：:]")
# Generic subjects: such a sentence neither starts nor continues a case.
_GENERIC = re.compile(
    r"^(?:提升行动|\d{4}年|全国|各地|各省|各级|各类|总局|认证机构|认证监管|据|第三方|部分|很多|"
    r"有\d|近年来|当前|截至|通过|经过|[一二三四五六七八九十]是)"
)
# The authority after a place name: "江苏省局", "上海局", "南通市市场监管局".
_ACTOR = re.compile(r"^(?:省|市|县|区)?(?:市场监管局|市场监督管理局|局)")
# An enterprise as subject: "某公司", "某家纺企业", "XX有限公司".
_ENTERPRISE = re.compile(
    r"^(?:某[\u4e00-\u9fff]{0,6}?|[\u4e00-\u9fff]{2,20}?(?:有限|股份)(?:责任)?)(?:公司|企业|厂|集团|合作社)"
)
# Between the places of a joint subject: "上海、江苏和安徽", "吉林与浙江".
_JOINER = re.compile(r"[、和与及同]")
# What several places do together (otherwise a list of places is an aggregate statement).
_JOINT_VERB = re.compile(r"^(?:共同|联合|携手|签署|签订|形成跨|建立跨|共建|合作)")
# A stated problem: "解决了内外贸产品标准差异、体系文件适宜性差等问题", "存在…问题".
_PROBLEM = re.compile(
    r"(?:解决|破解|攻克|针对|克服|存在|面临)了?(?P<what>[^，,；;。]*?)等?(?:问题|难题|痛点|堵点|瓶颈)"
)
# Words that make a problem generic ("解决各类质量问题490个" is a result, not a problem).
_GENERIC_PROBLEM = re.compile(r"各类|各项|质量|企业|小微|的|等|\d+|[家个项]")
# A qualitative result clause, kept out of the measures: "品牌影响力明显提升".
_QUALITATIVE = re.compile(r"(?:明显|显著|进一步|大幅|持续|不断)(?:提升|提高|增强|改善|下降|降低)$")
# Filler left out of titles: "通过提升行动有效助推…" → "助推…".
_TITLE_FILLER = re.compile(r"(?:通过|依托|借助)(?:提升行动|区域试点)|有效|积极|切实")
_TITLE_MAX = 32


@dataclass(frozen=True)
class _Subject:
    start: int  # where the subject starts (after 例如，)
    end: int  # where what it did starts
    region: Region
    enterprise: bool
    regions: tuple[Region, ...] = ()  # every place of a joint subject ("上海、江苏和安徽"), first = region


def case_subject(text: str) -> _Subject | None:
    """The locality/enterprise a sentence is about, if it starts a case (see module docstring)."""
    lead = _LEAD_IN.match(text)
    off = lead.end() if lead else 0
    body = text[off:]
    if _GENERIC.match(body):
        return None
    spans = region_spans(body)
    end, count, region, places = 0, 0, Region(), []
    if spans and spans[0][0] == 0:
        region, end, count = spans[0][2], spans[0][1], 1
        places.append(region)
        for start, stop, place in spans[1:]:  # "上海、江苏和安徽"
            if start == end + 1 and _JOINER.fullmatch(body[end]):
                end, count = stop, count + 1
                if place not in places:
                    places.append(place)
            else:
                break
        if actor := _ACTOR.match(body[end:]):
            end += actor.end()
    enterprise = _ENTERPRISE.match(body[end:])
    if enterprise:
        end += enterprise.end()
    if count == 0 and not enterprise:
        return None
    rest = body[end:]
    if re.match(r"等\s*\d", rest):
        return None  # an aggregate statistic ("山东、辽宁等16个省局…"), not one practice
    if etc := re.match(r"等(?:省局|省份|地区|地|省|市)?", rest):
        end += etc.end()  # "山东、天津等地" is the subject as written
    return _Subject(off, off + end, region, enterprise is not None, tuple(places))


def _continues(sentence: Sentence, first: Sentence) -> bool:
    if sentence.section != first.section or sentence.paragraph != first.paragraph:
        return False
    body = _LEAD_IN.sub("", sentence.text)
    if _GENERIC.match(body) or case_subject(sentence.text):
        return False
    spans = region_spans(body)
    return not (spans and spans[0][0] == 0)


def _title(text: str, subject: _Subject) -> str:
    label = text[subject.start : subject.end]
    rest = _TITLE_FILLER.sub("", text[subject.end :])
    clause = next((c for c in _CLAUSE.findall(rest) if c.strip()), "")
    if len(clause) > _TITLE_MAX:
        clause = clause[: _TITLE_MAX - 1] + "…"
    return f"{label}：{clause}" if clause else label


def _problem(text: str) -> str:
    found = [
        m[0]
        for m in _PROBLEM.finditer(text)
        if len(_GENERIC_PROBLEM.sub("", m["what"])) >= 4  # not "解决各类质量问题490个"
    ]
    return "；".join(found)


def _measures(text: str, skip: int = 0) -> str:
    """The clauses saying what was done: not outcomes, problems or bare qualitative results."""
    kept = []
    for m in _CLAUSE.finditer(text[skip:]):
        clause = m.group().strip()
        if clause and not parse_outcomes(clause) and not _PROBLEM.search(clause) and not _QUALITATIVE.search(clause):
            kept.append(clause)
    return "；".join(kept)


def _make_case(
    doc_id: str, n: int, kind: str, title: str, region: Region, industry: str | None,
    sents: Sequence[Sentence], chunk_ids: tuple[str, ...], measures_skip: int = 0,
    regions: tuple[Region, ...] = (),
) -> Case:
    text = "".join(s.text for s in sents)
    outcomes = tuple(o for s in sents for o in parse_outcomes(s.text, s.page))
    return Case(
        case_id=f"{doc_id}-c{n:03d}",
        doc_id=doc_id,
        kind=kind,
        title=title,
        region=region,
        industry=industry,
        problem=_problem(text),
        measures=_measures(text, measures_skip),
        outcomes=outcomes,
        section=sents[0].section,
        page=sents[0].page,
        chunk_id=chunk_ids[0] if chunk_ids else None,
        text=text,
        regions=regions or ((region,) if region.display() else ()),
        industries=(industry,) if industry else (),
        chunk_ids=chunk_ids,
    )


def _owned(owners: Sequence[tuple[str, ...]], idx: Sequence[int]) -> tuple[str, ...]:
    """The chunk ids of the sentences ``idx``, in order, without repeats."""
    out: list[str] = []
    for i in idx:
        out.extend(c for c in owners[i] if c not in out)
    return tuple(out)


def _report_cases(doc_id: str, sentences: Sequence[Sentence], owners: Sequence[tuple[str, ...]]) -> list[Case]:
    cases: list[Case] = []
    i = 0
    while i < len(sentences):
        subject = case_subject(sentences[i].text)
        if subject is None:
            i += 1
            continue
        j = i + 1
        while j < len(sentences) and _continues(sentences[j], sentences[i]):
            j += 1
        sents = sentences[i:j]
        text = "".join(s.text for s in sents)
        kind = "enterprise_case" if subject.enterprise else "local_experience"
        title = _title(sents[0].text, subject)
        cases.append(
            _make_case(doc_id, len(cases) + 1, kind, title, subject.region, classify_industry(text),
                       sents, _owned(owners, range(i, j)), measures_skip=subject.end, regions=subject.regions)
        )
        i = j
    return cases


# ---------------------------------------------------------------------------------------------
# Case collections (附件2 地方典型经验, 附件3 企业优良案例 …).

_HEADING_NUMBER = re.compile(r"^(?:案例\s*[0-9一二三四五六七八九十]+[\s：:、.．]*|[一二三四五六七八九十]{1,3}、)\s*")
_ENTERPRISE_WORD = re.compile(r"公司|企业|厂|集团|合作社")


def _top_sections(sentences: Sequence[Sentence]) -> list[str]:
    seen: list[str] = []
    for s in sentences:
        if s.section and s.section[0] not in seen:
            seen.append(s.section[0])
    return seen


def is_case_collection(doc_title: str, sentences: Sequence[Sentence]) -> bool:
    """Whether a document is a collection of cases, one per top-level section.

    True when it has at least two top-level sections and either its title names cases or
    experiences (案例/经验, but not a 总结 report) or most of its top-level headings name a
    region, an enterprise, or start with 案例N.
    """
    heads = _top_sections(sentences)
    if len(heads) < 2:
        return False
    title = doc_title or ""
    if re.search(r"案例|经验", title) and "总结" not in title:
        return True
    named = sum(
        1 for h in heads if h.startswith("案例") or find_region(_HEADING_NUMBER.sub("", h)) != Region()
        or _ENTERPRISE_WORD.search(h)
    )
    return named * 2 > len(heads)


def collection_kind(doc_title: str, heading: str) -> str:
    """enterprise_case or local_experience for a case in a collection titled ``doc_title``."""
    t = doc_title or ""
    if "企业" in t and ("案例" in t or "经验" not in t) and "地方" not in t:
        return "enterprise_case"
    if re.search(r"地方|经验|区域", t):
        return "local_experience"
    return "enterprise_case" if _ENTERPRISE_WORD.search(heading) else "local_experience"


def _collection_cases(
    doc_id: str, doc_title: str, sentences: Sequence[Sentence], owners: Sequence[tuple[str, ...]]
) -> list[Case]:
    cases: list[Case] = []
    for heading in _top_sections(sentences):
        idx = [i for i, s in enumerate(sentences) if s.section and s.section[0] == heading]
        sents = [sentences[i] for i in idx]
        title = _HEADING_NUMBER.sub("", heading).strip() or heading
        text = "".join(s.text for s in sents)
        region = find_region(title)
        if region == Region():
            region = find_region(text)
        cases.append(
            _make_case(doc_id, len(cases) + 1, collection_kind(doc_title, title), title, region,
                       classify_industry(title + "。" + text), sents, _owned(owners, idx))
        )
    return cases


def extract_cases(
    doc_id: str, sentences: Sequence[Sentence], chunks: Sequence[Chunk], doc_title: str = ""
) -> list[Case]:
    """Case records of one document: one per top-level section of a case collection,
    otherwise the cases its sentences describe (rules in the module docstring)."""
    owners = sentence_owners(sentences, chunks)
    if is_case_collection(doc_title, sentences):
        return _collection_cases(doc_id, doc_title, sentences, owners)
    return _report_cases(doc_id, sentences, owners)
