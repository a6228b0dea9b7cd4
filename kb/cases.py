"""Case records: the concrete enterprise cases and local experiences a document describes.

Two kinds of input:

* **A report** (such as the annual work summary). A case starts at a sentence whose subject,
  after a lead-in such as 例如，/其中，, is one locality ("江苏南通市…", "河北出台…",
  "浙江在德清县设立…"), an enterprise ("青岛某公司…"), or several localities acting jointly
  ("吉林与浙江签署…", "上海、江苏和安徽形成跨…"). Not a case: aggregate statements
  with a count ("山东、辽宁等16个省局…", "浙江、广东等21省…", "北京、山西等地创新认证规则134项"):
  a tally over places, some unnamed, is no one's practice. Named places sharing one practice
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
from dataclasses import dataclass, replace
from itertools import groupby

from .chunking import sentence_owners
from .cleaning import split_sentences
from .industries import classify_industries, classify_industry, field_industries
from .labels import FIELD_LABEL, is_byline
from .numbering import CN_DIGITS
from .numerals import arabic_figures
from .records import Case, Chunk, Outcome, Region, Sentence
from .regions import find_region, region_spans
from .structure import (
    APPENDIX_HEAD,
    BRACKET_LABEL,
    ENTERPRISE_SUBJECT,
    ENTERPRISE_WORD,
    GROUP_HEADING,
    INLINE_LABEL,
    NAMED_WORKS,
    NOTE_HEADING,
    PARTS,
    bare_heading,
    heading_part,
    label_part,
    leading_places_end,
    names_case,
    names_case_strictly,
    opening_enterprise,
)

# ---------------------------------------------------------------------------------------------
# Outcome patterns. Every regex of the outcome parser is here.

# A quantity: number, optional 余/多 ("1000余个", "1.3亿余元"), multiplier 万/亿, unit.
# A bare number (a year, "前10") has neither multiplier nor unit and is ignored.
# Bump when extraction changes what a case record holds: an index built by other rules is then
# re-processed by the next ``kb ingest`` (as for a new chunker), so stale case records do not stay.
# 2: labelled parts (概况/问题/做法/成效), industries with 小类 codes, several places and industries.
# 3: part headings numbered like cases, group headings, bracketed labels, more from–to figures;
#    chunk filter tags also hold the places a passage names (kb/pipeline.py), made at parse time too.
# 4: figures in Chinese numerals (kb/numerals.py), explicit industry fields, field tables without
#    案例N headings, PDF before/after tables read cell by cell.
# 5: unnumbered place-and-colon titles head the items of a collection (kb/structure.py); the first
#    paragraph of an unlabelled write-up that only sets out the situation is its problem; problem
#    items that end a sentence are not followed by "；"; bedding words (被子/被褥) and 汽配 are trade keywords.
# 6: counties renamed or created since cpca's table (kb/data/region_changes.tsv: 郫都区, 横州市 …).
# 7: a file that is one case written up is a case document, its passages of the case's kind, not a report's.
# 8: a single figure keeps its qualifier (Outcome.approx: 1000余个, 超过350亿元); short county names before
#    an enterprise or its trade are places (吴江某丝绸企业, kb/data/county_short_names.txt).
# 10: a before and an after in different units of one kind are a pair (由每周6小时降至每周40分钟), as are two
#    figures followed by the same unlisted unit (由30万冲次提高到55万冲次); a PDF table's rows whose cells run
#    together ("指标帮扶前帮扶后", "客户退货率3.5% 0.6%") are read as a before/after table; an unnamed place's
#    enterprises ("某县小微企业…") are no enterprise subject; 建安区 (2017) is a county; 质量诊所 is no clinic;
#    a table with one case per row (序号 | 企业名称 | 所在地 | 行业 | 主要问题 | 改进措施 | 成效) gives a case per
#    row; appendices (附录：帮扶企业名单) are no cases; a place alone before a title's colon makes a local experience.
# 11: a count of beneficiaries names what it counts (发放认证融资贷款的企业：1433家); a place subject written as a
#    chain reads as a name in the title (浙江德清县); 眼镜 is a trade word (3587 眼镜制造); ten districts renamed
#    2016–2020 (余江区, 永年区 …); pumps and fasteners are 34, fitness equipment 24, rice noodles 14, yarn 17;
#    narrative slides are cases, more part labels (对策, 难点 …), a figure's time base stays in its unit (起/季度),
#    an after-only result takes its before figure from the problem; numbered field lines (企业名称/所在地区)
#    name the case, targets (力争…) are no outcomes; per-mille figures (3‰降至0.8‰) are read; a change and
#    the level it reached are one pair (提升了6.3个百分点，达到97.1% → 90.8% → 97.1%).
# 12: a case told over two slides ("案例三" then "案例三（续）", or a slide of only its measures and results) is
#    one record citing both (Case.page_end); a lone figure a later result starts from is no outcome; difficulty
#    wording (靠经验, 隐患, 不健全 …) states an unlabelled problem; an appendix line (附表：…) ends the last case.
# 13: in a narrative labelled only for measures, a results paragraph after them (实施以来/通过上述措施 …) is
#    outcomes only and the measures' counts are inputs; scale facts of the opening paragraph are profile, its
#    difficulties the problem; a colon lead-in right before a table is no measure.
# 14: a collection whose case titles only name the topic in bold or a larger size (PDF, DOCX) is split into its
#    cases by those headings (kb/styled_headings.py).
# 15: a heading naming only places ("一、河南省") over two or more case headings groups them (each case its own
#    record, in the group's place when its title names none); 零件 is no 0 件; a lone figure is the before of a
#    later result also when only one states a time base (每季度约15起 / 从每季度15起减少到3起); activity counts
#    among what was done (组织…培训1200人次) are measures; 红枣/螺蛳粉/保温杯/起重 trades.
# 16: everyday part labels (怎么做的：, 做了哪些：, 效果怎么样：); a place's zone before the colon
#    (郑州经济技术开发区：…) is a local experience.
# 17: a range of figures ("缩短20%～30%", "10-15%", "降低10%至15%") is one outcome, its far end in Outcome.upto.
# 18: a collection whose case headings name only the practice, each write-up opening with the enterprise, is
#    a collection (titled "enterprise：practice"); "某地某某陶瓷制品厂是…" is one enterprise; a failed action
#    (未通过验厂) is a fault.
# 19: bylines and datelines are no case fields; a closing plan (下一步，…将继续…) is no measure; an unclosed
#    bracket is cut from a metric name; labelled measures over several paragraphs are joined by "；".
# 20: places nested over places ("## 省" / "### 市" / "#### 县：…") give a case per deepest heading, titled by it
#    and in the place the heading path names; a list's lead-in line ("受益企业：") is neither a measure nor a
#    problem; a fact sheet's label and value cells ("企业名称" / "某公司") are no part; worn equipment and a bad
#    rate high (设备老旧, 碎米率高) are faults, 建设/搭建/提供 actions; 休闲食品/脱水蔬菜/航空零部件 trades.
# 21: a clause that only says where ("在河北省沧州市泊头市") is neither problem nor measure; 不强 is a fault; a
#    clause only counting documents drawn up or people trained (制定团体标准6项) is a measure, not an outcome;
#    an empty table cell still counts (spreadsheet TXT rows keep their columns).
# 22: a case told over several slides — a title slide "案例1｜某公司", then slides titled by a part (痛点 / 存在问题,
#    做法, 成效 with its 帮扶前/帮扶后 table) — is one record; its parts come from those slides (no result from the
#    problem or measures slide when a results slide is there); "案例1｜" is a heading's number.
CASES_VERSION = "22"

_QTY = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)(?P<more>余|多)?(?P<mult>万|亿)?(?P<more2>余|多)? ?"
    r"(?P<base>%|‰|ppm|PPM|个百分点|个月|元|美元|家|个|人次|人|项|户|次|倍|吨|件|场|份|篇|名|亩|台|套|批次|批|种|"
    r"mg/L|mg/kg|mg/m³|毫克/升|毫克/千克|分钟|分|起|天|小时|周|例|条|处|单|箱|辆|公斤|千克|克|平方米|米|千瓦时)?"
)
_COUNT_UNITS = {"家", "个", "人次", "人", "项", "户", "名", "件", "场", "份", "篇", "台", "套", "批", "种"}
_UP = "增长|增加|提升|提高|上升|扩大|增收"
_DOWN = "下降|降低|减少|缩短|缩减"
# A rate's base between 由/至 and the number: "由每月23起降至每月5起", "每千行代码3.2个".
_PER = r"(?:每[\u4e00-\u9fff]{1,6}|[年月日]均)?"
# The time base of a rate, written before its figure: "由每季度15起…" → 季度, "月均" → 月.
_PERIOD = re.compile(r"每个?(?P<per>[\u4e00-\u9fff]{1,6}?)(?:约|近|的)?$|(?P<avg>[年月日周])均(?:约|近)?$")


def _per_unit(unit: str | None, *leads: str) -> str | None:
    """``unit`` with the time base the text before a figure states ("起" after "由每季度" → "起/季度"), so
    "每季度15起 → 3起" is not read as 15 起 in all; a share (%) or a unit already per something is kept."""
    if not unit or "/" in unit or unit in ("%", "‰", "ppm", "PPM", "个百分点"):
        return unit
    for lead in leads:
        if m := _PERIOD.search(lead):
            return f"{unit}/{m['per'] or m['avg']}"
    return unit


# A time base: a calendar period only ("每千行代码" is no time base).
_PERIOD_WORD = r"(?:年度|年|季度|季|月|周|星期|天|日|班次|班|小时)"
_TIME_BASE = rf"(?:平均每|每个?){_PERIOD_WORD}|[年月日周]均"
# "每季度客户退货", "每年复染返工损失": a rate the metric states with 每. ("月均经济效益" names a
# monthly average: its change is in 万元 of that average, so a metric starting with X均 is kept.)
_METRIC_PERIOD = re.compile(rf"^(?:平均每|每个?){_PERIOD_WORD}的?(?=[\u4e00-\u9fff])")
# "月均减少损失约30万元": the average is of the change itself (30 万元/月).
_AVG_BEFORE_VERB = re.compile(r"[年月日周]均$")


def _period_from_metric(metric: str, unit: str | None) -> tuple[str, str | None]:
    """(metric, unit) with a time base the metric starts with moved into the unit ("每季度客户退货", 批次
    → 客户退货, 批次/季度), as README promises; a share (%) or a unit already per something keeps the
    metric as it is."""
    m = _METRIC_PERIOD.match(metric)
    if not m or (per := _per_unit(unit, m[0].rstrip("的"))) == unit:
        return metric, unit
    return metric[m.end() :], per


# "从2020年的143家" — the start of a from–to pair (the year in between is skipped).
_FROM = re.compile(rf"(?:从|由)(?:\d{{4}}年(?:底|度)?的?)?{_PER}(?:约|近)?$")
# What joins the two quantities of a pair: "降至", "增加到2023年的", "回升至", "缩短到", "到".
_TO = re.compile(rf"(?:[\u4e00-\u9fff]{{0,3}}?(?:至|到)|[\u4e00-\u9fff]{{1,3}}?为|达到?)(?:\d{{4}}年(?:底|度)?的?)?{_PER}")
# A pair ending on a bare number: "由3.2%降至0" (the unit is the first figure's).
_TO_BARE = re.compile(rf"(?:[\u4e00-\u9fff]{{0,3}}?(?:至|到)|[\u4e00-\u9fff]{{1,3}}?为){_PER}(?P<num>\d+(?:\.\d+)?)(?![\d.])")
# A figure stated for the time before ("帮扶前…为7.7%"), paired with "降至2.0%" in the next clause.
_BEFORE_MARK = re.compile(r"前|原来|原先|此前|过去|以往")
# A stated change right before the number: "下降20.2%", "增加了约10万元".
# The thing changed may stand between the verb and the number when it is an amount of money or
# loss: "每年减少损失约120万元" (损失 -120 万元), "减少复染返工损失约86万元", "增加销售收入300万元".
_CHANGED_AMOUNT = r"[\u4e00-\u9fff]{0,4}?(?:损失|成本|费用|支出|开支|浪费|能耗|收入|利润|效益|销售额|产值|营收)"
_CHANGE = re.compile(rf"(?P<verb>{_UP}|{_DOWN})了?(?P<what>{_CHANGED_AMOUNT})?(?:约|近|超过|超)?$")
# A level reached: "增长至5亿", "突破130亿元", "达1.3亿余元", "超过350亿元", "为63.0%".
_REACH = re.compile(rf"(?P<reach>(?:{_UP}|{_DOWN}|降|升|增|减)?(?:至|到)|达到|达|突破|超过|超|逾|共计|累计|总计|为|约|近)"
                    rf"(?P<per>{_TIME_BASE})?(?:约|近)?$")
# A saving: "返修成本每年节约85万元" is the amount saved, not a level of 返修成本每年节 (约 is no "about").
_SAVING = re.compile(r"(?P<verb>节约|节省|节支)了?(?:约|近|超过|超)?$")
# Who benefited: "为1433家企业…", "带动3800余人…", "帮助115家…"; the metric follows the number.
_BENEFIT = re.compile(r"(?:为|帮助|带动|指导|培训|服务|惠及|覆盖|助力|推动|支持|组织)了?(?:近|约|超过|超)?$")
_CLAUSE = re.compile(r"[^，,；;。！？!?]+")
# What a count of beneficiaries counts and what they got: "（为1433家）企业发放认证融资贷款" →
# 发放认证融资贷款的企业, so the count does not read like an amount of the loans.
_COUNTED = re.compile(
    r"(?P<noun>[\u4e00-\u9fff]{0,8}?(?:企业|机构|公司|工厂|工坊|门店|作坊|商户|农户|合作社|单位|人员|员工|学员|茶农))"
    r"(?P<rest>(?!的)[\u4e00-\u9fff“”《》A-Za-z0-9]{2,})$")
# "抽检连续6个月全部合格", "连续12个月抽检全部合格": a streak, counted in months (or batches).
_STREAK = re.compile(r"连续(?P<num>\d+)(?P<unit>个月|个季度|年|批次|批)(?P<what>[^，,；;。]*?)(?:全部|均|全)?合格")
# Profile facts: what the enterprise or place has at the start, stated with no change.
_PROFILE_NOUN = re.compile(
    r"员工|职工|从业人员|工人|茶农|农户|社员|会员|成员企业|年加工|年产|年处理|产能|占地|面积|生产线|"
    r"注册资本|固定资产|集聚|拥有|现有|下辖|入驻|窑炉"
)
_HAS = re.compile(r"(?:^|[^没只仅])有(?![效关力序望助利限])")  # not 有限公司
_RESULT_WORD = re.compile(rf"{_UP}|{_DOWN}|降|增|升|至|到|达|突破|合格|倍|翻番|节约|挽回|减")
_CLAUSE_END = re.compile(r"(?:以上|左右)?\s*$")
# Metric clean-up: a leading year, lead verbs, place qualifiers, and trailing comparisons.
_METRIC_YEAR = re.compile(r"^\d{4}年(?:底|度)?的?")
_METRIC_VERB = re.compile(r"^(?:有效|切实|积极)?(?:帮助|带动|推动|助力|支持|指导|实现|创造|促进|使)+")
# Verbs whose object is the metric: "…产业通过提升行动帮助小微企业注册商标" → 小微企业注册商标.
_METRIC_CUT = re.compile(r"帮助|带动|推动|助力|指导|促进")
_METRIC_PLACE = re.compile(
    r"^(?:(?:该|本)(?:市|县|区|省|公司|企业|厂|地)?|其(?:市|县|区|省|公司|企业|厂)|区域内|全县|全市|全省|全区|区域)的?"
)
_METRIC_TAIL = re.compile(r"(?:(?:较|比)(?:\d{4}年(?:底|度)?|上年度?|去年)|同比|环比|平均|累计|共计|分别|共|总|的|超过|超|(?<![户人])均|虽|为|达|连续|每年|每月|每季度|年均|全年)$")
_METRIC_CONJ = re.compile(r"^(?:但|而|并|且|同时|其中|(?:帮扶|实施|整改|认证|导入|上线|改造|改进|投产|试点)[前后]|目前|现)")
# What follows a leading list of places: "、青海等7个省局出台…" (the count is already removed).
_METRIC_PLACES_REST = re.compile(r"^(?:[、和与及]|等(?:省局|省份|省|地区|地|市)?|(?:省|市)?局)")
_METRIC_MAX = 30


_OPEN_BRACKETS, _CLOSE_BRACKETS = "（(", "）)"


def _balanced_brackets(text: str) -> str:
    """``text`` without a bracket left open or closed alone at its ends: the figure is written in brackets
    after its metric ("菌落总数超标批次（由每月3批降至0）客户投诉（由15起…"), so the text before a
    figure may end in the bracket that opens it and start after the one that closed the figure before."""
    depth, start = 0, 0
    for i, c in enumerate(text):
        if c in _OPEN_BRACKETS:
            depth += 1
        elif c in _CLOSE_BRACKETS:
            if depth:
                depth -= 1
            else:
                start = i + 1  # closes a bracket opened before this text: what follows is a new phrase
    text = text[start:]
    depth, cut = 0, None
    for i in range(len(text) - 1, -1, -1):
        if text[i] in _CLOSE_BRACKETS:
            depth += 1
        elif text[i] in _OPEN_BRACKETS:
            if depth:
                depth -= 1
            else:
                cut = i  # opens a bracket this text does not close: the figure's, not the metric's
    return text if cut is None else text[:cut]


def _metric(segment: str) -> str:
    """The noun phrase naming what was measured, from the text before the number/verb."""
    m = segment
    m = _QTY.sub(lambda q: "" if (q["mult"] or q["base"]) else q[0], m)
    m = re.split(r"[：:]", m)[-1]
    m = _balanced_brackets(m)
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
    return m.strip().lstrip("-*+•●▪◆■ ")[-_METRIC_MAX:]


def _value(q: re.Match) -> tuple[float, str]:
    return float(q["num"]), (q["mult"] or "") + (q["base"] or "")


# Units of one kind, in a common measure: a before and an after stated in different units of one
# kind ("由每周6小时降至每周40分钟", "由5000万元增至1.2亿元") are one pair, the before in the after's unit.
_MULTIPLIER = {"": 1, "万": 10_000, "亿": 100_000_000}
_SAME_KIND = (
    {"分钟": 1, "小时": 60, "天": 1440, "周": 10080},
    {"克": 1, "千克": 1000, "公斤": 1000, "吨": 1_000_000},
    {"mg/L": 1, "毫克/升": 1},
    {"mg/kg": 1, "毫克/千克": 1},
)


def _split_unit(unit: str) -> tuple[int, str]:
    """(multiplier, base) of a unit as _value gives it: "万元" → (10000, "元"), "小时" → (1, "小时")."""
    if unit[:1] in ("万", "亿"):
        return _MULTIPLIER[unit[:1]], unit[1:]
    return 1, unit


def convert(value: float, unit: str, to: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to`` (6 小时 → 360 分钟, 5000 万元 → 0.5 亿元), or None when
    the two units are not of one kind (元 and 家, 个月 and 天: a month has no fixed length)."""
    if unit == to:
        return value
    (m1, b1), (m2, b2) = _split_unit(unit), _split_unit(to)
    if b1 == b2:
        factor = 1.0
    else:
        kind = next((k for k in _SAME_KIND if b1 in k and b2 in k), None)
        if kind is None:
            return None
        factor = kind[b1] / kind[b2]
    return round(value * m1 / m2 * factor, 4)


# A qualifier right before a figure: "近6成", "约10万元", "超过350亿元", "超83亿元", "逾千家"; and
# right after it: "10万元以上", "30天左右" (kept with the figure).
_APPROX_BEFORE = re.compile(r"(?:近|约|超过|超|逾|不到)$")
_APPROX_AFTER = re.compile(r"以上|左右")


def _approx(q: re.Match, before: str, after: str = "") -> str:
    """How the text qualifies the figure ``q``: 余/多 inside it ("1000余个", "1.3亿余元"), 以上/左右
    after it, or 近, 约, 超过, 超, 逾, 不到 right before it; "" when it is exact."""
    if q["more"] or q["more2"]:
        return q["more"] or q["more2"]
    if m := _APPROX_AFTER.match(after):
        return m[0]
    m = _APPROX_BEFORE.search(before)
    return m[0] if m else ""


_SOLVED = re.compile(r"^(?:有效|切实|成功|基本)?(?:解决|破解|攻克|化解)了?(?=[\u4e00-\u9fff])")
_REQUIREMENT = re.compile(r"规定|必须|方可|不得|应当")
_UNITLESS_PAIR = re.compile(rf"(?:由|从)(?P<a>\d+(?:\.\d+)?)(?:{_UP}|{_DOWN}|升|降|增|减)?(?:至|到)(?P<b>\d+(?:\.\d+)?)(?![\d.])")
# A pair stated in a unit the parser does not list, the same word after both figures: "模具寿命由30万冲次
# 提高到55万冲次" (30 → 55, unit 万冲次: 万 is a multiplier, as in 万元), "由2遍降至1遍". The word after the
# first figure is taken as a unit only because it recurs after the second.
_WORD_UNIT_PAIR = re.compile(
    rf"(?:从|由)(?:\d{{4}}年(?:底|度)?的?)?{_PER}(?:约|近)?(?P<a>\d+(?:\.\d+)?)(?P<ma>万|亿)?(?P<unit>[\u4e00-\u9fff]{{1,3}}?)"
    rf"(?:{_UP}|{_DOWN}|升|降|增|减|延长|回升|回落)?(?:至|到){_PER}(?P<b>\d+(?:\.\d+)?)(?P<mb>万|亿)?(?P=unit)"
    r"(?![\u4e00-\u9fff]|\d)")


def _word_unit_pairs(clause: str) -> list[re.Match]:
    """The from–to pairs of ``clause`` in a unit the parser does not list (see ``_WORD_UNIT_PAIR``)."""
    return [m for m in _WORD_UNIT_PAIR.finditer(clause)
            if not (q := _QTY.match("1" + m["unit"])) or not q["base"]]


# The near end of a range, right before its far end: "20%～30%", "10-15%", "10%至15%", "10万～20万元"
# (the near end may leave out the unit, or give only its 万/亿).
_RANGE_LOW = re.compile(r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)(?:余|多)?(?P<unit>万|亿)?(?P<base>%|‰)?\s*(?P<sep>[～~〜\-－—–]|至|到)\s*$")


def _range_low(clause: str, q: re.Match, prev: re.Match | None) -> tuple[int, float] | None:
    """(start, value in ``q``'s unit) of the near end of a range whose far end is ``q`` ("缩短20%～30%":
    the 20% of the 30%), or None. The near end is in ``q``'s unit or a part of it; "至/到" joins a range
    only from the smaller figure and not after 由/从 ("降低10%至15%"; "由10%至15%" is a pair)."""
    low = _RANGE_LOW.search(clause, prev.start() if prev is not None else 0, q.start())
    if low is None or prev is not None and prev.start() < low.start() < prev.end():
        return None
    unit = (low["unit"] or "") + (low["base"] or "")
    if unit and unit not in ((q["mult"] or "") + (q["base"] or ""), q["mult"] or ""):
        return None
    if low["sep"] in ("至", "到") and _FROM.search(clause[: low.start()]):
        return None
    value = float(low["num"])
    if value == float(q["num"]) or low["sep"] in ("至", "到") and value > float(q["num"]):
        return None
    return low.start(), value


def _clause_outcomes(clause: str, page: int | None) -> list[tuple[Outcome, str]]:
    """Outcomes of one clause, each tagged with how it was stated (pair, change, count,
    reach_to — "降至4%" —, level — a bare figure or "达/突破" —, streak)."""
    out: list[tuple[Outcome, str]] = []
    if _REQUIREMENT.search(clause):
        return out  # "规定竹材含水率控制在8%至12%之间方可投产": a rule set, not a result
    streak = _STREAK.search(clause)
    if streak is not None:
        metric = _metric(clause[: streak.start()]) or streak["what"].strip("的全部均")
        out.append((Outcome(f"{metric}连续合格", None, float(streak["num"]), None, streak["unit"], page, clause), "streak"))
    word_pairs = _word_unit_pairs(clause)
    qs = [
        q
        for q in _QTY.finditer(clause)
        if (q["mult"] or q["base"])
        and not (streak is not None and streak.start() <= q.start() < streak.end())
        and not any(w.start() <= q.start() < w.end() for w in word_pairs)
        and not clause[q.end() :].startswith("的")  # "15%的小微企业认为…" describes, not results
        and not clause[: q.start()].endswith(("前", "第"))
    ]
    # A range ("缩短20%～30%") is one figure: its near end, where it is a figure of its own, is dropped.
    lows: dict[int, tuple[int, float]] = {}  # start of a range's far end → (start, value) of its near end
    for k, q in enumerate(qs):
        if (low := _range_low(clause, q, qs[k - 1] if k else None)) is not None:
            lows[q.start()] = low
    qs = [q for q in qs if not any(low[0] == q.start() for low in lows.values())]
    if not qs and not word_pairs and (bare := _UNITLESS_PAIR.search(clause)):
        # "工序能力指数Cpk由0.86提升至1.35", "评分由81提高到94": a pair of plain numbers
        a, b = float(bare["a"]), float(bare["b"])
        out.append((Outcome(_metric(clause[: bare.start()]), a, b, round(b - a, 4), None, page, clause), "pair"))
        return out
    seg_start = 0  # the metric of the next outcome starts here
    pending = list(word_pairs)

    def word_pair(w: re.Match) -> None:
        nonlocal seg_start
        unit = (w["mb"] or "") + w["unit"]
        value, after = convert(float(w["a"]), (w["ma"] or "") + w["unit"], unit), float(w["b"])
        lead_a, lead_b = clause[w.start() : w.start("a")], clause[w.end("unit") : w.start("b")]
        out.append((Outcome(_metric(clause[seg_start : w.start()]), value, after, round(after - value, 4),
                            _per_unit(unit, lead_b, lead_a), page, clause), "pair"))
        seg_start = w.end()

    i = 0
    while i < len(qs):
        q = qs[i]
        while pending and pending[0].start() < q.start():
            word_pair(pending.pop(0))
        value, unit = _value(q)
        upto = None  # the far end of a range ("缩短20%～30%": q is the 30%, value the 20%)
        if (low := lows.get(q.start())) is not None:
            value, upto = low[1], value
        before = clause[: low[0] if low is not None else q.start()]
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        nxt_low = lows.get(nxt.start()) if nxt is not None else None
        if ((f := _FROM.search(before)) and nxt and low is None
                and _TO.fullmatch(clause[q.end() : nxt_low[0] if nxt_low else nxt.start()])):
            after, unit2 = _value(nxt)
            after_upto = None
            if nxt_low is not None:  # "由90%提升至95%～98%"
                after, after_upto = nxt_low[1], after
            # in the after's unit when the two differ but are of one kind (6小时 → 40分钟: 360 → 40 分钟)
            value = convert(value, unit, unit2)
            if value is not None:
                metric = _metric(clause[seg_start : f.start()])
                unit2 = _per_unit(unit2, clause[q.end() : nxt.start()], f[0])
                out.append((Outcome(metric, value, after, round(after - value, 4), unit2, page, clause,
                                    upto=after_upto), "pair"))
                seg_start, i = nxt.end(), i + 2
                continue
            value = float(q["num"])
        if f and low is None and (bare := _TO_BARE.match(clause, q.end())) and (nxt is None or nxt.start() >= bare.end()):
            after = float(bare["num"])
            metric = _metric(clause[seg_start : f.start()])
            unit = _per_unit(unit, clause[q.end() : bare.start("num")], f[0])
            out.append((Outcome(metric, value, after, round(after - value, 4), unit, page, clause), "pair"))
            seg_start, i = bare.end(), i + 1
            continue
        if (c := _CHANGE.search(before)) is not None:
            sign = -1 if re.fullmatch(_DOWN, c["verb"]) else 1
            lead = clause[seg_start : c.start()]
            if (avg := _AVG_BEFORE_VERB.search(lead)) and (per := _per_unit(unit, avg[0])) != unit:
                lead, unit = lead[: avg.start()], per  # "月均减少损失约30万元": 30 万元/月
            metric = _metric(lead + (c["what"] or ""))
            if c["verb"] == "增收":  # "茶农户均增收1.2万元": what grew is the income
                metric += "收入"
            out.append((Outcome(metric, None, None, sign * value, unit, page, clause, approx=_approx(q, before, clause[q.end():]),
                                upto=sign * upto if upto is not None else None), "change"))
            seg_start = q.end()
        elif (saving := _SAVING.search(before)) is not None:
            metric = _metric(clause[seg_start : saving.start()])
            out.append((Outcome(f"{metric}{saving['verb']}" if metric else saving["verb"], None, value, None, unit,
                                page, clause, approx=_approx(q, before, clause[q.end():]), upto=upto), "level"))
            seg_start = q.end()
        elif q["base"] in _COUNT_UNITS and (
            (b := _BENEFIT.search(before)) is not None or not clause[seg_start : len(before)].strip()
        ):
            # The number counts beneficiaries; what they got follows it.
            verb = b[0] if b is not None else ""
            tail = clause[q.end() : nxt.start() if nxt else len(clause)]
            counted = _COUNTED.match(re.sub(r"(?:超过|超|近|约|逾|不到|达到|达|共计|共|累计|合计)$", "", tail.strip()))
            metric = f"{counted['rest']}的{counted['noun']}" if counted else _metric(verb + tail)
            out.append((Outcome(metric, None, value, None, unit, page, clause, approx=_approx(q, before, clause[q.end():]),
                                upto=upto), "count"))
        elif (r := _REACH.search(before)) is not None or _CLAUSE_END.match(clause, q.end()):
            # "突破130亿元", or a bare figure closing the clause ("注册商标1000余个"); a count
            # inside a noun phrase ("5项快捷自检法") describes a measure and is skipped.
            end = r.start() if r else len(before)
            tag = "reach_to" if r is not None and re.search(r"[至到]$", r["reach"]) and r["reach"] != "达到" else "level"
            if r is None:
                tag = "bare"
            elif r["per"]:  # "降至每月2起": 起/月
                unit = _per_unit(unit, r["per"])
            out.append((Outcome(_metric(clause[seg_start:end]), None, value, None, unit, page, clause,
                                approx=_approx(q, before, clause[q.end():]), upto=upto), tag))
            seg_start = q.end()
        i += 1
    for w in pending:
        word_pair(w)
    return [(replace(o, metric=metric, unit=unit), tag) for o, tag in out
            for metric, unit in [_period_from_metric(o.metric, o.unit)]]


# The scale of a place or an industry: its share of the country's output ("茉莉花产量占全国80%以上"), or
# how many enterprises it counts, said with no verb ("肥西县汽车零部件配套小微企业约210家").
_SHARE_OF_ALL = re.compile(r"占(?:全国|全省|全市|全县|全区|全球|世界|全行业|国内)[^，。；\d]{0,8}\d")
_ESTABLISHMENTS = re.compile(
    r"^[^，。；\d]{0,20}?(?:企业|工厂|厂家|作坊|工坊|门店|合作社|商户|经营主体|市场主体)"
    r"(?:约|近|超过|逾|共)?\d+(?:\.\d+)?万?余?(?:家|个|户)(?:以上|左右)?$")
_COUNTED_FOR = re.compile(r"获证|认证|帮扶|服务|培训|受益|参与|参加|签约|入选|评为|覆盖|惠及|新增|累计|整治|抽检|检查|关停|取缔")


def is_profile_clause(clause: str) -> bool:
    """A fact about the enterprise or place at the start ("员工48人", "年加工大米2万吨",
    "集聚小微企业600家", "某市有作坊1200家", "员工四十余人", "产量占全国80%以上", "配套小微企业约210家"):
    a number with no verb of change or result."""
    clause = arabic_figures(clause)
    if not re.search(r"\d", clause) or _RESULT_WORD.search(clause):
        return False
    if _SHARE_OF_ALL.search(clause):
        return True
    if _ESTABLISHMENTS.search(clause.strip()) and not _COUNTED_FOR.search(clause) and not _ACTION.search(clause):
        return True
    return bool(_PROFILE_NOUN.search(clause) or _HAS.search(clause))


_NOTES = re.compile(r"备注\s*[：:](?:\s*[\u4e00-\u9fff]{0,4}(?:提示|说明)\s*[：:])?")


def profile_facts(text: str, prose: bool = False) -> str:
    """The profile clauses of ``text``, joined with "，"; in a collection's unlabelled write-up
    (``prose``) also the clauses describing the subject ("主要生产竹制桌椅", "产品80%出口")."""
    return "，".join(c for m in _CLAUSE.finditer(_NOTES.sub("", text.strip(), count=1))
                    if (c := m.group().strip()) and not (prose and _is_fault(c))
                    and (is_profile_clause(c) or prose and _DESCRIPTION.search(c)))


def _sentence_outcomes(sentence: str, page: int | None) -> list[Outcome]:
    """Outcomes of one sentence; a bare figure followed by "降至/提高到" another figure of the same
    unit in a later clause is one before→after pair ("售后成本占营收9%，…占比降至4%")."""
    out: list[tuple[Outcome, str]] = []
    # Figures in Chinese numerals are read as Arabic ones; the evidence stays as written
    # (the rewrite keeps every clause mark, so the clauses correspond one to one).
    for m, written in zip(_CLAUSE.finditer(arabic_figures(sentence)), _CLAUSE.finditer(sentence), strict=True):
        if is_profile_clause(m.group()):
            continue
        for o, tag in _clause_outcomes(m.group(), page):
            o = replace(o, text=written.group())
            prev = out[-1] if out else None
            if (tag == "reach_to" and prev is not None and prev[0].text != o.text
                    and (prev[1] == "bare" or prev[1] == "level" and _BEFORE_MARK.search(prev[0].text))
                    and prev[0].after is not None and o.after is not None
                    and (start := convert(prev[0].after, prev[0].unit or "", o.unit or "")) is not None):
                b = prev[0]
                metric = o.metric or b.metric
                out[-1] = (Outcome(metric, start, o.after, round(o.after - start, 4), o.unit, page,
                                   b.text + "，" + o.text), "pair")
                continue
            out.append((o, tag))
    return [o for o, _ in out]


# A list item's marker, at the start or run into the text before it ("…警告- 来料检验…"): each
# item is a clause of its own.
_BULLET = re.compile(r"(?:^\s*|(?<=[\u4e00-\u9fff%％）)\d])\s*)(?:[-*+]\s+|[•●▪◆■]\s*)(?=[\u4e00-\u9fff])")


def parse_outcomes(text: str, page: int | None = None) -> list[Outcome]:
    """Quantified results stated in ``text``, sentence by sentence, clause by clause.

    "产品缺陷发生率从15%降至7%" → (产品缺陷发生率, before 15, after 7, change -8, %);
    "产品不良率较2022年下降20.2%" → change -20.2; "行业产值突破130亿元" → after 130 亿元;
    "带动3800余人增收致富" → (增收致富, after 3800, 人); "抽检连续6个月全部合格" →
    (抽检连续合格, after 6, 个月). A clause without its own metric ("比2022年增加93%") takes the
    metric of the outcome before it. Profile facts ("员工48人") are not outcomes.
    """
    out: list[Outcome] = []
    text = _BULLET.sub(lambda m: "；" if m.start() else "", text)
    for _off, sentence in split_sentences(text) or [(0, text)]:
        start = len(out)
        for o in _sentence_outcomes(sentence, page):
            if not o.metric and out:
                o = replace(o, metric=out[-1].metric)
            if not o.metric:
                continue
            if len(out) > start and (pair := _change_and_level(out[-1], o)) is not None:
                out[-1] = pair
            else:
                out.append(o)
    return out


def _change_and_level(change: Outcome, level: Outcome) -> Outcome | None:
    """A stated change and the level it reached, in one sentence and of one metric ("合格率提升了6.3个
    百分点，达到97.1%", "增加20家，达到120家"): one before→after pair (90.8% → 97.1%). Only exact figures,
    and only points with a percentage or one unit (not %: "增长10%，达到110家" is no pair)."""
    if (change.change is None or change.before is not None or change.after is not None or level.after is None
            or level.before is not None or level.change is not None or change.metric != level.metric
            or change.approx or level.approx):
        return None
    if not ((change.unit == "个百分点" and level.unit == "%") or (change.unit == level.unit and change.unit != "%")):
        return None
    return replace(level, before=round(level.after - change.change, 4), change=change.change)


_TABLE_BEFORE = re.compile(r"前|基期|原|\d{4}年")
_TABLE_AFTER = re.compile(r"后|目前|现|\d{4}年")


_CELL_MAX = 16  # a table cell that a PDF extracts as a line of its own is short
# A figure cell, maybe of a rate ("每月6起") or with a unit ("2600万元", "500万美元").
_NUMBER_CELL = re.compile(r"^(?:每[\u4e00-\u9fff]{1,4})?[\d.,%％]+\s*(?:[\u4e00-\u9fff/（）()]{0,6})$")
# A row's name run into its first figure by the PDF ("单位能耗（吨标煤/万件）1.2"), and an intro run
# into the first header cell ("帮扶前后主要指标对比如下：指标").
_NAME_AND_FIGURE = re.compile(
    r"(?P<name>[^\d|：:，,。；;]{2,24}?[）)\u4e00-\u9fff])\s*(?P<figure>(?:每[\u4e00-\u9fff]{1,4})?\d+(?:\.\d+)?\s*(?:%|％)?)")
_INTRO_AND_CELL = re.compile(r".*(?:如下|见下表|对比|情况)[：:](?P<cell>[^：:，,。；;\d]{1,8})")


def _cells(sentences: Sequence[Sentence]) -> list[tuple[int, str]]:
    """(sentence position, text) of every line as a table cell; a line holding a row's name and
    its first figure is two cells, and of an intro line only the header cell it ends with counts."""
    out: list[tuple[int, str]] = []
    for i, s in enumerate(sentences):
        text = s.text.strip()
        if m := _NAME_AND_FIGURE.fullmatch(text):
            out += [(i, m["name"]), (i, m["figure"])]
        elif m := _INTRO_AND_CELL.fullmatch(text):
            out.append((i, m["cell"]))
        else:
            out.append((i, text))
    return out


def _cell_tables(sentences: Sequence[Sentence]) -> tuple[list[tuple[int, Outcome]], set[int]]:
    """Rows of a before/after table whose cells a PDF extracted one per line (a header of short
    cells "指标", "帮扶前", "帮扶后", then rows of a name and one figure per column), and the
    positions of the sentences the tables take (they are cells, not prose)."""
    out: list[tuple[int, Outcome]] = []
    taken: set[int] = set()
    cells = _cells(sentences)
    texts = [t for _, t in cells]
    i = 0
    while i < len(texts):
        # the header: short cells without figures, the last of them naming the time after
        j = i
        while j < len(texts) and len(texts[j]) <= _CELL_MAX and "|" not in texts[j] and (
                not re.search(r"\d", texts[j]) or re.fullmatch(r"\d{4}年(?:度|底)?", texts[j])):
            j += 1
        if j - i < 4:  # at least three header cells and the first row's name
            i = j + 1
            continue
        header = texts[i:j - 1]  # the cell before the first figure names the first row
        before = next((k for k in range(1, len(header)) if _TABLE_BEFORE.search(header[k])), None)
        after = next((k for k in range(len(header) - 1, 0, -1) if _TABLE_AFTER.search(header[k])), None)
        if before is None or after is None or before == after or j >= len(texts):
            i = j
            continue
        width, k = len(header), j - 1
        while k + width <= len(texts):
            row = texts[k:k + width]
            if not (row[0] and len(row[0]) <= 30 and not _NUMBER_CELL.match(row[0])
                    and all(_NUMBER_CELL.match(cell) for cell in row[1:])):
                break
            b, a = _QTY.search(row[before]), _QTY.search(row[after])
            (bv, bu), (av, au) = _value(b), _value(a)
            if (bv := convert(bv, bu, au)) is not None:
                unit = _per_unit(au, row[after][: a.start()], row[before][: b.start()]) or (
                    m[1] if (m := re.search(r"[（(]([^）)]+)[）)]", row[0])) else None)
                first = cells[k][0]
                out.append((first, Outcome(re.sub(r"[（(][^）)]*[）)]$", "", row[0]), bv, av, round(av - bv, 4), unit,
                                           sentences[first].page, " | ".join(row))))
            k += width
        if k > j - 1:  # at least one row: the header and the rows are table cells
            taken.update(cells[n][0] for n in range(i, k))
        i = max(k, i + 1)
    rows, lines = _line_tables(sentences)
    out += [(n, o) for n, o in rows if n not in taken]
    return out, taken | lines


# A before/after table whose rows a PDF extracted one per line, the cells of a row run together: a header line
# "指标帮扶前帮扶后" ("指标 之前 之后", "项目2022年2023年"), then rows of a name and two figures
# ("导体电阻合格率88% 99.2%", "年销售额（万元）5000 6200", "客户投诉15起3起").
_HEADER_LINE_MAX = 20
_ROW_FIGURE = r"(?:每[\u4e00-\u9fff]{1,4})?\d+(?:\.\d+)?(?:万|亿)?(?:%|％|[\u4e00-\u9fff/]{1,4})?"
_ROW_LINE = re.compile(
    rf"(?P<name>[^\d|：:，,。；;、\s][^\d|：:，,。；;、]{{1,23}}?[）)\u4e00-\u9fff])\s*(?P<a>{_ROW_FIGURE})"
    rf"(?:\s+|(?<=[^\d.\s])\s*)(?P<b>{_ROW_FIGURE})")


def _header_columns(text: str) -> bool:
    """Whether a line heads a before/after table whose cells run together: short, no figures but years,
    no punctuation, naming the time before and, after it, the time after ("指标帮扶前帮扶后")."""
    text = re.sub(r"\s+", "", text)
    if (len(text) > _HEADER_LINE_MAX or re.search(r"[|：:，,。；;、]", text)
            or re.search(r"\d", re.sub(r"\d{4}年(?:度|底)?", "", text))):
        return False
    before, after = _TABLE_BEFORE.search(text), None
    if before is not None:
        after = next((m for m in _TABLE_AFTER.finditer(text, before.end())), None)
    return after is not None


def _line_tables(sentences: Sequence[Sentence]) -> tuple[list[tuple[int, Outcome]], set[int]]:
    """Rows of before/after tables whose rows are lines of a name and two figures under a header line
    naming the time before and after (see ``_ROW_LINE``), and the positions of the lines they take."""
    out: list[tuple[int, Outcome]] = []
    taken: set[int] = set()
    for i, s in enumerate(sentences):
        if i in taken or not _header_columns(s.text.strip()):
            continue
        k = i + 1
        while k < len(sentences) and (row := _ROW_LINE.fullmatch(sentences[k].text.strip())):
            b, a = _QTY.search(row["a"]), _QTY.search(row["b"])
            (bv, bu), (av, au) = _value(b), _value(a)
            if (bv := convert(bv, bu, au)) is None:
                break
            name = row["name"]
            unit = _per_unit(au, row["b"][: a.start()], row["a"][: b.start()]) or (
                m[1] if (m := re.search(r"[（(]([^）)]+)[）)]$", name)) else None)
            out.append((k, Outcome(re.sub(r"\s*[（(][^）)]*[）)]$", "", name), bv, av, round(av - bv, 4), unit,
                                   sentences[k].page, sentences[k].text.strip())))
            k += 1
        if k > i + 1:
            taken.update(range(i, k))
    return out, taken


def table_cells(sentences: Sequence[Sentence]) -> set[int]:
    """Positions of the sentences that are cells of a before/after table extracted one per line."""
    return _cell_tables(sentences)[1]


def table_outcomes(sentences: Sequence[Sentence]) -> list[tuple[int, Outcome]]:
    """(sentence position, outcome) of each row of a before/after table ("指标 | 帮扶前 | 帮扶后"),
    whether its cells are joined by | (DOCX) or come one per line (PDF)."""
    out: list[tuple[int, Outcome]] = _cell_tables(sentences)[0]
    cols: tuple[int, int] | None = None
    for i, s in enumerate(sentences):
        cells = [c.strip() for c in s.text.split("|")]
        if len(cells) < 3:
            cols = None
            continue
        if cols is None:
            before = next((k for k in range(1, len(cells)) if _TABLE_BEFORE.search(cells[k])), None)
            after = next((k for k in range(len(cells) - 1, 0, -1) if _TABLE_AFTER.search(cells[k])), None)
            if before is not None and after is not None and before != after:
                cols = (before, after)
            continue
        b, a = (_QTY.search(cells[k]) if k < len(cells) else None for k in cols)
        if b is None or a is None or not cells[0]:
            continue
        (bv, bu), (av, au) = _value(b), _value(a)
        if (bv := convert(bv, bu, au)) is not None:
            unit = _per_unit(au, cells[cols[1]][: a.start()], cells[cols[0]][: b.start()]) or None
            out.append((i, Outcome(cells[0], bv, av, round(av - bv, 4), unit, s.page, s.text)))
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
# Between the places of a joint subject: "上海、江苏和安徽", "吉林与浙江".
_JOINER = re.compile(r"[、和与及同]")
# What several places do together (otherwise a list of places is an aggregate statement).
_JOINT_VERB = re.compile(r"^(?:共同|联合|携手|签署|签订|形成跨|建立跨|共建|合作)")
# Cooperation between the subject and a partner place named later in the clause.
_COOPERATION = re.compile(r"协同|合作|互认|共建|联合|对接|结对")
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


_SUBJECT_SCAN = 240


def case_subject(text: str) -> _Subject | None:
    """The locality/enterprise a sentence is about, if it starts a case (see module docstring)."""
    lead = _LEAD_IN.match(text)
    off = lead.end() if lead else 0
    body = text[off:]
    if _GENERIC.match(body):
        return None
    # the subject opens the sentence: the places of its first clauses are all that matter (a long line
    # without punctuation would otherwise be scanned whole for every sentence)
    spans = region_spans(body[:_SUBJECT_SCAN])
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
        clause = _CLAUSE.match(body, end)
        if clause and _COOPERATION.search(clause.group()):  # "雨花台区软件…业与浙江湖州德清县…协同"
            for start, _stop, place in spans[count:]:
                if start < clause.end() and body[start - 1] in "与同" and place not in places:
                    places.append(place)
    enterprise = ENTERPRISE_SUBJECT.match(body[end:])
    if enterprise is None and count == 1:
        # "潮州市潮安区瓷韵陶瓷制品厂是…一家…": a works after its place is one enterprise, not "place：sentence".
        enterprise = NAMED_WORKS.match(body[end:])
    if enterprise:
        end += enterprise.end()
    if count == 0 and not enterprise:
        return None
    rest = body[end:]
    if re.match(r"等\s*\d", rest):
        return None  # an aggregate statistic ("山东、辽宁等16个省局…"), not one practice
    if etc := re.match(r"等(?:省局|省份|地区|地|省|市)?", rest):
        clause = _CLAUSE.match(rest, etc.end())
        if clause and any(q["base"] in _COUNT_UNITS for q in _QTY.finditer(clause.group())):
            return None  # a tally over these and other places ("北京、山西等地…规则134项")
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
    if not subject.enterprise:  # a place named as a chain: "浙江在德清县" → 浙江德清县, "江苏省的南通市" → 江苏省南通市
        label = re.sub(r"(?<=[\u4e00-\u9fff])[在的](?=[\u4e00-\u9fff])", "", label)
    # "江苏省昆山市：…": the subject's own colon is not part of the clause after it.
    rest = _TITLE_FILLER.sub("", text[subject.end :]).lstrip("：: ")
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


def _measures(text: str, skip: int = 0, prose: bool = False, inputs: bool = False) -> str:
    """The clauses saying what was done: not outcomes, problems, profile facts or bare qualitative
    results; in a collection's unlabelled write-up (``prose``) not the description of the subject
    or the faults it had either (see :func:`_problem_clauses`). With ``inputs`` (a write-up whose
    results are told apart, after it) a clause doing something with a figure and no change is what was
    done ("培训内审员6名", "带动46家配套企业开展认证培训"), not a result."""
    kept = []
    counts = _activity_counts(text[skip:])
    for m in _CLAUSE.finditer(text[skip:]):
        clause = m.group().strip()
        if clause in counts or (inputs and clause and _acts(clause) and parse_outcomes(clause)
                                and not _states_change(clause) and not _continues_result(clause)):
            kept.append(clause)
        elif (clause and not parse_outcomes(clause) and not _continues_result(clause) and not _PROBLEM.search(clause) and not _QUALITATIVE.search(clause)
                and not is_profile_clause(clause) and not _TIME_ONLY.fullmatch(clause)
                and not (prose and (_DESCRIPTION.search(clause) or _is_fault(clause) or _CIRCUMSTANCE.fullmatch(clause)
                                    or _place_only(clause)))):
            kept.append(clause)
    return "；".join(kept)


# The units of how much of an activity was done: "培训1200人次", "举办宣贯会8场".
_ACTIVITY_UNIT = re.compile(r"人次|场次|场|期|次")
# Documents drawn up and people trained, counted: "制定团体标准6项", "编制作业指导书18份", "培训内审员6名".
_DRAFTED = re.compile(r"制定|制订|编制|修订|起草|编写|印发|培训|举办|召开")
_DRAFTED_UNIT = re.compile(r"项|份|套|本|册|部|条|篇|名|人")


def _input_count(clause: str, o: Outcome) -> bool:
    """Whether a figure of a clause that does something only counts what was done: an activity's
    size ("组织培训1200人次") or the documents drawn up and people trained ("制定团体标准6项")."""
    if o.before is not None or o.change is not None:
        return False
    unit = o.unit or ""
    return bool(_ACTIVITY_UNIT.fullmatch(unit) or _DRAFTED_UNIT.fullmatch(unit) and _DRAFTED.search(clause))


def _activity_counts(sentence: str) -> set[str]:
    """Clauses of a sentence listing what was done that count an activity ("荣昌区以2家链主企业牵头，…，
    组织质量管理体系培训1200人次"): a measure's size, not a result. Only in a sentence that does
    something else too and does not open with a result lead-in (实施以来, 截至2023年底: then its
    counts are what came of it). Documents drawn up or people trained ("制定团体标准6项", "编制作业
    指导书18份") are what was done also in a sentence of their own."""
    if _RESULT_LEAD.match(sentence.strip()):
        return set()
    clauses = _clauses(sentence)
    others = any(_acts(c) and not parse_outcomes(c) for c in clauses)
    return {c for c in clauses if _acts(c) and (found := parse_outcomes(c)) and all(
        _input_count(c, o) and (others or _DRAFTED_UNIT.fullmatch(o.unit or "")) for o in found)}


def _continues_result(clause: str) -> bool:
    """A clause stating a figure of the metric named before it ("…提升了6.3个百分点，达到97.1%"): a
    result, never a measure, though on its own it names no metric."""
    return any(not o.metric for o, _tag in _clause_outcomes(arabic_figures(clause), None))


# Who helped, as the lead-in of what was done: "在认证机构帮助下".
_CIRCUMSTANCE = re.compile(r"在[^，,；;。]{1,16}(?:帮助|指导|支持|协助|帮扶|推动)下")
# Where it happened, as the lead-in of a local experience ("在河北省沧州市泊头市，铸造是…"): no fault, no action.
_PLACE_LEAD = re.compile(r"(?:在|位于|地处)(?P<place>[^，,；;。]{2,24}?)(?:境内|当地|一带)?")


def _place_only(clause: str) -> bool:
    """Whether a clause only says where: "在河北省沧州市泊头市", "在曹县" (one place, nothing else)."""
    m = _PLACE_LEAD.fullmatch(clause.strip())
    if not m:
        return False
    spans = region_spans(m["place"])
    return len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(m["place"])


# A clause that only dates what follows ("截至2023年底", "一年来"): the lead-in of a result.
_TIME_ONLY = re.compile(r"(?:截至|截止|到)?(?:\d{4}年(?:底|末|初|年底|上半年|下半年)?(?:以来|以前|之前)?|目前|至今|"
                        r"(?:近|今)?[一二两三\d]*年来|(?:帮扶|实施|整改|认证)(?:以来|后)|"
                        r"在?(?:帮扶|实施|整改|认证)(?:中|期间|过程中))")
# A clause describing the subject, in a collection's write-up: "该企业主要生产床上用品套件".
# Also a clause of that sentence that goes on about it without naming it again: "成立于2012年",
# "主要生产竹制桌椅", "产品80%出口", "70%以上产品通过电商平台销售", "供应周边社区门店和学校", "大多为小微企业",
# "某公司是一家生产日用陶瓷餐具的小微企业".
_DESCRIPTION = re.compile(
    r"(?:该|本)(?:企业|公司|厂|合作社|作坊|工坊)(?:主要|长期|专业)?(?:生产|位于|地处|主营|从事|是|成立|始建|拥有|现有)"
    r"|^[^，。；]{2,30}?(?:公司|企业|厂|合作社|作坊|工坊)(?:位于|地处|成立于|始建于|(?:主要|专业)(?:生产|加工|经营|从事)|主营)"
    r"|^(?:(?:该|本|这家)?(?:企业|公司|厂|合作社))?(?:(?:主要|专业)(?:生产|加工|经营|从事)|主营|(?:成立|始建|创建|组建)于|"
    r"位于|地处|供应周边)"
    r"|^(?:(?:[\d.]+%|[一二三四五六七八九]成)(?:以上)?的?)?产品(?:(?:[\d.]+%|[一二三四五六七八九]成)(?:以上)?)?(?:主要)?"
    r"(?:通过[^，。；]{1,12}销售|销往|出口|远销|外销)"
    r"|^[^，。；]{1,12}是(?:当地|本地|全县|全市|全区|全镇|[^，。；]{2,8}的)(?:重要|主要|传统|特色)?的?(?:支柱|主导|特色|传统|优势|富民)产业"
    r"|^[^，。；]{1,12}是(?:全国|全省|国内|我国|世界|[^，。；]{0,16}?(?:下辖|境内|重要|主要|最大))[^，。；]{0,16}(?:基地|之乡|之都|集聚区|主产区|产区)"
    r"|^是[^，。；]{1,16}(?:供应商|配套企业|配套厂|生产基地|龙头企业)$"
    r"|^(?:其中)?(?:大多|多|大多数|绝大多数|大部分|绝大部分)(?:为|是|属于|属)(?:小微|中小|民营|个体|家庭)"
    r"|^[^，。；]{0,30}?(?:企业|厂家|工厂|作坊|商户)(?:大多|多|大多数|绝大多数|大部分|绝大部分)(?:为|是|属于|属)(?:小微|中小|民营|个体|家庭)"
    r"|^[^，。；]{0,30}?(?:企业|厂家|工厂|作坊|商户)(?:众多|云集|林立|集聚)$"
    r"|^[^，。；]{2,30}?是(?:[^，。；]{2,16}?(?:省|市|县|区|镇|乡|当地|本地))?一家[^，。；]{0,24}(?:企业|公司|工厂|厂|合作社|作坊|工坊)$")
# A fault stated without 问题: "产品缺陷率偏高", "导体电阻不合格问题时有发生", "因缺少认证难以参加招投标".
_FAULT = re.compile(r"偏高|偏低|偏大|偏多|较多|不高|不强(?![制调化])|不足|不稳定|不统一|不合格|不规范|不全|不达标|缺陷|缺少|缺乏|薄弱|频繁|"
                    r"时有发生|难以|困难|投诉多|损耗大|浪费|积压|超标|波动大|率低|融资难|制约|导致|退货|"
                    r"不良|不严|拒收|退运|下架|下滑|负担|杂乱|无人|各自为政|突出|容易|开裂|变形|发霉|霉变|霉味|断裂|不敢|重销售轻质量|"
                    r"老化|异物|混乱|波动|差异大|高达|仅为|靠人盯|凭经验|全凭|"
                    r"不符合|渗漏|泄漏|漏水|脱落|起泡|生锈|锈蚀|划伤|破损|松动|异响|毛刺|气孔|砂眼|裂纹|起球|缩水")
# What was done: a clause with such a verb is a measure, whatever fault it names ("建立不合格品台账").
_ACTION = re.compile(r"建立|推行|导入|引入|引进|制定|完善|开展|实施|指导|协助|优化|配备|配置|设立|取得|通过|编制|整改|帮助|推动|组织|培训|"
                     r"引导|组建|推出|派驻|指派|购置|增设|修订|聘请|建设|搭建|提供")


# Wording of a difficulty, in a write-up with no 存在问题 label ("药物称量靠经验，安全隐患大", "管理基础不健全",
# "面临融资难题", "染色靠老师傅调配", "试模靠反复修模", "断经、错纬等织疵多", "售后故障多、客户投诉集中",
# "同批产品色差明显", "产品保质期内易变质", "合格率只有75%"), unless a remedy is what the clause says
# ("排查安全隐患", "补齐检测短板", "降低色差").
_DIFFICULTY = re.compile(r"隐患|(?:靠|凭|依赖)[^，,；;。、]{0,4}?(?:经验|老师傅|师傅|人工|人眼|肉眼|目测|手感|感觉|反复)|"
                         r"短板|难题|痛点|瓶颈|堵点|不健全|不完善|不到位|不够|较低|偏弱|较弱|较差|落后|粗放|"
                         r"参差不齐|两张皮|流于形式|形同虚设|走过场|风险(?:大|高|较大|较高|突出)|差错(?:多|频|率高)|事故(?:多|频)|多发|频发|易发|"
                         r"(?:故障|投诉|返工|返修|次品|废品|疵|毛病|问题)(?:较|很|偏)?多|(?:投诉|故障|问题|矛盾|缺陷)集中|色差|瑕疵|疵点|"
                         r"易(?:变质|腐败|腐烂|霉变|发霉|受潮|破损|损坏|变形|开裂|脱落|褪色|生锈|氧化|出错|混批|混料)|"
                         r"(?:只有|仅有|仅)(?:约|近)?\d|"
                         # "设备老旧", "碎米率高", "品牌溢价低": worn-out equipment, a bad rate high, a good one low
                         r"老旧|陈旧|(?:碎|废|次|不良|返工|返修|报废|退货|退单|投诉|差评|损耗|故障|破损|残次)[品米]?率(?:较|偏|很|过)?高|"
                         r"(?:溢价|附加值|利润率|效益)(?:较|偏|很|过)?低")
_REMEDY = re.compile(r"消除|排除|排查|整治|杜绝|防范|防止|避免|化解|破解|解决|补齐|补足|弥补|攻克|突破|克服|降低|减少")


def _fault_word(clause: str) -> bool:
    """Whether a clause names a fault or a difficulty (see _FAULT, _DIFFICULTY)."""
    return bool(_FAULT.search(clause)) or bool(_DIFFICULTY.search(clause)) and not _REMEDY.search(clause)


def _is_fault(clause: str) -> bool:
    # An action named only to say it failed or is missing ("未通过海外客户验厂") does not make it a measure.
    return _fault_word(clause) and not _acts(clause) and not parse_outcomes(clause)


# An action named only to say it is missing ("许多企业没有建立质量管理体系") is a fault, not a measure.
_NEGATED_ACTION = re.compile(rf"(?:没有|未能?|尚未|缺乏|缺少|无|不)(?:{_ACTION.pattern})")  # 不完善, 未通过


def _acts(clause: str) -> bool:
    return len(_ACTION.findall(clause)) > len(_NEGATED_ACTION.findall(clause))


def _situation_paragraph(sents: Sequence[Sentence], free: Sequence[_Piece]) -> set[int]:
    """Positions (in ``sents``) of the first paragraph of an unlabelled write-up when it sets out
    the situation: it states a fault or a problem, no clause of it does anything or states a result,
    and more paragraphs follow. When the write-up is one paragraph (as a PDF often gives it) or its
    first paragraph goes on to what was done, its opening sentences that each state a fault (on the same
    terms) or only describe the subject. Empty otherwise."""
    if not free:
        return set()
    first = sents[free[0].index].paragraph
    lead = [x for x in free if sents[x.index].paragraph == first]
    if len(lead) < len(free) and _sets_out_situation(lead):
        return {x.index for x in lead}
    lead = []
    for x in free:  # each sentence states a fault or only describes the subject
        if not (_sets_out_situation([x]) or _describes_only(x.text)):
            break
        lead.append(x)
    if lead and len(lead) < len(free) and _sets_out_situation(lead):
        return {x.index for x in lead}
    return set()


def _clauses(text: str) -> list[str]:
    return [c for m in _CLAUSE.finditer(text) if (c := m.group().strip())]


# A problem stated over several clauses of a sentence: "普遍存在铸件气孔、砂眼多，单位能耗高等问题".
_PROBLEM_SENTENCE = re.compile(r"(?:存在|面临)[^。；;！？]*?等?(?:问题|难题|痛点|瓶颈)")


def _sets_out_situation(lead: Sequence[_Piece]) -> bool:
    """Whether sentences only set out the situation: they state a fault or a problem, and no clause
    does anything or states a result."""
    clauses = [c for x in lead for c in _clauses(x.text)]
    # A figure there states how bad things were ("售后退货率一度达到5.2%", "合格率仅91%", "直接损失近
    # 40万元"); a change ("由15%降至7%", "下降20%") is a result, and then the paragraph is no situation.
    if any(_acts(c) and not _DESCRIPTION.search(c) or _states_change(c) for c in clauses):
        return False  # (a description's 通过 — "产品通过电商平台销售" — does nothing)
    return any(_fault_word(c) and not _acts(c) or _PROBLEM.search(c) for c in clauses) or any(
        _PROBLEM_SENTENCE.search(x.text) for x in lead)


_CHANGE_WORD = re.compile(rf"{_UP}|{_DOWN}|(?:降|升|增|减)(?:至|到|为)|翻番|翻了|(?:从|由)[^，,；;。]*?(?:至|到)")


def _states_change(clause: str) -> bool:
    """Whether ``clause`` states a quantified change (before → after, a rise or a fall)."""
    found = parse_outcomes(clause)
    return any(o.before is not None or o.change is not None for o in found) or (
        bool(found) and bool(_CHANGE_WORD.search(clause)))


# The last paragraph of an unlabelled write-up, when it opens like this and states a figure, tells
# what came of it: its other clauses ("并新进入两家连锁商超", "其中83家通过认证") are results too.
_RESULT_LEAD = re.compile(r"^(?:经过|(?:实施|帮扶|整改|改进|推行|运行|落实|试点)(?:以来|后)|(?:近|这)?[一二两三\d]+年(?:多)?来|目前|如今|截至|截止|到?\d{4}年(?:底|末)?[，,]|"
                          r"通过[^，,；;。]{0,12}(?:提升|认证|帮扶|整改|改进)|通过(?:上述|以上|这些|这一系列|一系列|系列)|"
                          r"(?:上述|以上|这些)(?:措施|举措|做法|工作)|[^，,；;。]{1,12}(?:以来|至今)[，,]|此后|最终)")


def _results_paragraph(sents: Sequence[Sentence], free: Sequence[_Piece], after_situation: bool = False) -> set[int]:
    """Positions (in ``sents``) of the last paragraph of an unlabelled write-up of two or more
    paragraphs when it reports the results: it opens with a result lead-in (经过一年的运行, 实施以来,
    截至2023年底, 目前 …) and states a figure. Empty otherwise."""
    if not free:
        return set()
    last = sents[free[-1].index].paragraph
    tail = [x for x in free if sents[x.index].paragraph == last]
    if len(tail) == len(free):
        # One paragraph (as a PDF or a Markdown item often gives a write-up): the results are told from
        # the sentence that opens with a result lead-in (实施以来, 通过上述做法, 截至2023年底 …) to its end.
        k = next((k for k, x in enumerate(free) if k and _RESULT_LEAD.match(x.text.strip())), None)
        if k is None:
            return set()
        tail = list(free[k:])
    opening = [m.group().strip() for m in _CLAUSE.finditer(tail[0].text)][:2]
    if not (_RESULT_LEAD.match(tail[0].text.strip()) or any(_states_change(c) for c in opening)):
        return set()  # neither "经过一年的运行，…" nor "企业碎米率由12%降至5.5%，…"
    if not any(parse_outcomes(x.text) for x in tail):
        return set()
    before = [c for x in free if x not in tail for m in _CLAUSE.finditer(x.text) if (c := m.group())]
    if not after_situation and not any(_acts(c) for c in before):
        return set()  # nothing was done before it: no write-up of measures then results
    return {x.index for x in tail}


def _reports_results(sents: Sequence[Sentence], measures: Sequence[_Piece]) -> set[int]:
    """Positions of the sentences under a measures label that report what came of the measures: from a
    sentence that opens with a result lead-in (实施以来, 通过上述措施, 经过一年的运行, 截至2023年底, 目前 …)
    to the end of its paragraph, when it opens a paragraph of its own (a PDF keeps the break) or is not
    the label's first sentence, and what follows the lead-in states a figure and either a change or
    nothing done ("实施以来，获证企业由46家增加到132家，…"). Empty when none does."""
    for k, x in enumerate(measures):
        if k == 0 or "|" in x.text or not _RESULT_LEAD.match(x.text.strip()):
            continue
        para = sents[x.index].paragraph
        rest = [y for y in measures[k:] if sents[y.index].paragraph == para and "|" not in y.text]
        clauses = [c for y in rest for c in _clauses(y.text)]
        if not parse_outcomes(clauses[0]) and (_RESULT_LEAD.match(clauses[0] + "，") or _TIME_ONLY.fullmatch(clauses[0])):
            clauses = clauses[1:]  # the lead-in clause itself ("实施以来", "通过上述措施")
        if not any(parse_outcomes(c) for c in clauses):
            continue
        if any(_states_change(c) for c in clauses) or not any(_acts(c) for c in clauses):
            return {y.index for y in rest}
    return set()


def _states_result_only(text: str) -> bool:
    """Whether a sentence only states results: every clause a figure, none doing anything or setting a
    rule, and at least one a change ("产品单价提高了15%"; not "培训员工300余人次", not "将抽检频次提高到…")."""
    clauses = _clauses(text)
    return (bool(clauses) and not re.match(r"[将把对]", text.strip())
            and all(parse_outcomes(c) and not _acts(c) for c in clauses) and any(_states_change(c) for c in clauses))


def _describes_only(text: str) -> bool:
    """Whether every clause of a sentence is a profile fact or describes the subject ("企业位于…，员工47人")."""
    clauses = _clauses(text)
    return bool(clauses) and all((is_profile_clause(c) or _DESCRIPTION.search(c)) and not _is_fault(c) for c in clauses)


def _problem_clauses(text: str) -> list[str]:
    """The clauses of ``text`` stating a fault (see ``_FAULT``), not a description of the subject."""
    return [c for m in _CLAUSE.finditer(text) if (c := m.group().strip()) and _is_fault(c) and not _DESCRIPTION.search(c)]


# ---------------------------------------------------------------------------------------------
# Labelled parts: "存在问题：…", "（二）主要做法", "成效：…".

# A case's name in a field table ("企业名称 | 某公司；") or a labelled line ("企业名称：某公司").
_FIELD_NUMBER = r"(?:\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[)）])?\s*"  # "1. 企业名称：…" in a numbered list
_NAME_FIELD = re.compile(rf"^{_FIELD_NUMBER}(?:企业|单位|案例|项目|公司)?名称\s*[|：:]\s*(?P<name>[^|；;。]+?)\s*[；;。]?$")
# Where it is: "所在地区：浙江省台州市温岭市", "2. 所在地：邢台市平乡县".
_PLACE_FIELD = re.compile(rf"^{_FIELD_NUMBER}(?:所在|所属)(?:地区|地|区域|县区|区县|市县)\s*[|：:]\s*(?P<place>[^|；;。]+?)\s*[；;。]?$")
# An explicit industry field: "所属行业 | 农副食品加工业；", "所属行业：纺织业", "行业：家具制造".
_INDUSTRY_FIELD = re.compile(
    r"(?:^|[，,；;\s])(?:所属|所在)?行业(?:类别|分类|门类|领域)?\s*[|：:]\s*(?P<value>[^|，,；;。]+)")
_TABLE_INTRO = re.compile(r"(?:如下表?|见下表|见表\s*\d*|见附表\s*\d*|下表所示|如表\s*\d*所示)[：:。]?$")


def _leads_into_table(sents: Sequence[Sentence], i: int) -> bool:
    """Whether sentence ``i`` only leads into the table right after it: it names the table
    ("…见下表。") or ends with a colon before the table's first row ("帮扶前后主要指标对比：")."""
    text = sents[i].text.strip()
    return points_to_table(text) or (text.endswith(("：", ":")) and i + 1 < len(sents) and "|" in sents[i + 1].text)


def points_to_table(sentence: str) -> bool:
    """Whether a sentence only says that a table follows ("主要指标变化见下表。", "…对比如下表。")."""
    return bool(_TABLE_INTRO.search(sentence.strip()))


def _inline_labels(text: str) -> tuple[str | None, str]:
    """The last of the labels ``text`` starts with, and the text after them ("问题：做法：…" →
    measures: an empty label is skipped)."""
    part = None
    while m := INLINE_LABEL.match(text):
        part, text = label_part(m["label"] or m["bracket"]), text[m.end() :]
    return part, text


def _label_segments(text: str) -> list[str]:
    """``text`` cut before every bracketed label inside it ("…产品合格。【问题】返工多" → two)."""
    cuts = [m.start() for m in BRACKET_LABEL.finditer(text) if m.start() > 0]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)]) if text[a:b].strip()]


# A fact sheet's label cell on a line of its own, and the part its label and value cells are put in.
_FIELD_CELL = re.compile(FIELD_LABEL)
_FIELD = "field"


@dataclass(frozen=True)
class _Piece:
    part: str | None  # None: unlabelled
    text: str
    index: int  # position of the sentence in the case


def _pieces(sents: Sequence[Sentence], depth: int, slides: bool = False) -> list[_Piece]:
    """Each sentence with the part its label (inline or a sub-heading below ``depth``) puts it in.
    ``slides``: the sentences are a deck's, each slide opening with its title line."""
    out: list[_Piece] = []
    part: str | None = None
    last_heading: str | None = None
    field_value = False  # the segment before was a fact sheet's label cell ("企业名称", "所在地")
    for i, s in enumerate(sents):
        heading = next((p for p in map(heading_part, reversed(s.section[depth:])) if p), None)
        if heading != last_heading:
            part, last_heading = heading, heading
        if (i and s.section != sents[i - 1].section and s.text.strip().rstrip("。；;") == s.section[-1]
                and (0 < len(s.section) <= depth or slides and heading_part(s.section[-1]) is None)):
            # The title line of the next slide of a case told over two ("案例三（续）"): no part of the
            # label above it, and a new slide's text is under no label until it gives one.
            part = heading
            out.append(_Piece(None, s.text, i))
            continue
        for segment in _label_segments(s.text):
            if len(segment) <= 12 and (bare := heading_part(segment)) is not None:
                part, field_value = bare, False  # a part label on a line of its own, without numbering ("存在的主要问题")
                continue
            if _FIELD_CELL.fullmatch(segment.strip().rstrip("：:")) or field_value:
                # A fact sheet's label cell on a line of its own ("企业名称", "所在地", "行业") and the value cell
                # after it: whose case it is, where, in which trade; no part, not even an unlabelled one.
                field_value = not field_value
                part = None
                out.append(_Piece(_FIELD, segment, i))
                continue
            label, text = _inline_labels(segment)
            if label is not None:
                part = label
            elif _NAME_FIELD.match(segment.strip()) or _PLACE_FIELD.match(segment.strip()):
                part = None  # a fact-sheet field ("所在地区：…") is no part of the label above it
            elif _NOTES.match(segment):
                part = None  # a slide's speaker notes ("备注：该企业位于…") are no part of the last label
            out.append(_Piece(part, text, i))
    return out


def _text_of(pieces: Sequence[_Piece], sep: str = "") -> str:
    # A trailing "；" is where a table row ended ("存在问题 | 返工率高；") or a list goes on: not kept.
    return _join([t for p in pieces if (t := p.text.rstrip("；;"))], sep)


def _join(items: Sequence[str], sep: str) -> str:
    """``items`` joined with ``sep``, except after an item that already ends a sentence
    ("…质量警告。" then "来料检验缺失" → "…质量警告。来料检验缺失", not "。；")."""
    out = ""
    for item in items:
        out += (sep if out and not _ENDS_SENTENCE.search(out) else "") + item
    return out


_ENDS_SENTENCE = re.compile(r"[。！？!?；;]$")


def _paragraphs_joined(sents: Sequence[Sentence], pieces: Sequence[_Piece]) -> str:
    """The text of ``pieces``: sentences of one paragraph as written, a "；" between paragraphs where the
    one before ends no sentence (list items without punctuation: "请专家梳理关键控制点" then
    "冷却间加装空气净化" are two measures, not one run-on phrase)."""
    out, last = "", None
    for x in pieces:
        para = sents[x.index].paragraph
        # (not between Latin letters or digits: a PDF cell wrapped across lines, "ISO" then "9001…")
        if (out and last is not None and para != last and not _ENDS_SENTENCE.search(out)
                and not (out[-1].isascii() and out[-1].isalnum() and x.text[:1].isascii() and x.text[:1].isalnum())):
            out += "；"
        out += x.text
        last = para
    return out


def _outcomes_of(sents: Sequence[Sentence], pieces: Sequence[_Piece], owners: Sequence[tuple[str, ...]]) -> list[Outcome]:
    out = []
    for p in pieces:
        if "|" in p.text:
            continue  # table rows are read as a table
        s = sents[p.index]
        chunk = owners[p.index][0] if owners[p.index] else None
        out.extend(replace(o, chunk_id=chunk) for o in parse_outcomes(p.text, s.page))
    return out


# A remark quoted at the end of a write-up: "企业负责人表示，认证带来的不只是一张证书，更是管理方式的转变。",
# "该厂厂长感慨道：…". What someone thinks of it, not what was done.
_REMARK = re.compile(r"^(?:[^，,；;。：:“”]{1,16}?)(?:表示|坦言|感慨|感叹|直言|说道?|称|认为|谈到|深有感触地说)(?:道)?[，,：:“]")


# What is still to come, said at the end of a write-up: "下一步，某市将把这一做法推广到全市…",
# "某区将继续深化“认证+”服务". A plan, not what was done.
_PLAN = re.compile(r"^(?:下一步|下步|下阶段|下一阶段|今后|接下来|未来)[，,]"
                   r"|^[^，,；;。：:“”]{0,16}?将(?:继续|进一步|持续|不断|以点带面|把)")


# A figure aimed at, not reached: "力争全年帮扶5000家以上", "计划组织培训3场", "目标是合格率提高到98%".
_TARGET = re.compile(r"力争|争取|预计|计划(?!书)|目标(?:是|为|值)?|拟(?:于|在|用)?")


# A line that is only a short name and a colon: the lead-in of a list ("受益企业：", "帮扶对象名单：").
_LIST_LEAD = re.compile(r"[\u4e00-\u9fff]{2,8}[：:]")


def _make_case(
    doc_id: str, n: int, kind: str, title: str, region: Region, industries: Sequence[str],
    sents: Sequence[Sentence], owners: Sequence[tuple[str, ...]], measures_skip: int = 0,
    regions: tuple[Region, ...] = (), depth: int = 0, labelled: bool = False, slides: bool = False,
) -> Case:
    """One record from the sentences of a case (``owners``: their chunk ids, in the same order).

    With labels (``labelled``), each part comes from its labelled sentences; a part with no
    label falls back to the heuristics on the unlabelled sentences, as for prose, where the
    problem is what was solved, the measures are the actions and profile facts are set apart.
    """
    text = "".join(s.text for s in sents)
    pieces = _pieces(sents, depth, slides) if labelled else [_Piece(None, s.text, i) for i, s in enumerate(sents)]
    cells = table_cells(sents)  # a table's cells are read as a table, not as prose
    # A news article's dateline or byline ("（本报讯）记者 …", "某县市场监管局供稿") is no part of its case.
    pieces = [p for p in pieces if p.index not in cells and not _byline_sentence(sents[p.index])]
    # A line that only introduces the list below it ("受益企业：", "典型企业：") is neither a measure nor a problem.
    pieces = [p for p in pieces if not _LIST_LEAD.fullmatch(p.text.strip())]
    by_part = {p: [x for x in pieces if x.part == p] for p in PARTS}
    # Results reported under the measures label ("主要做法：…。" then a paragraph "实施以来，…由46家增加到132家")
    # are the outcomes; the figures of what was done are then inputs, not results.
    if not by_part["outcomes"] and (reported := _reports_results(sents, by_part["measures"])):
        by_part["outcomes"] = [x for x in by_part["measures"] if x.index in reported]
        by_part["measures"] = [x for x in by_part["measures"] if x.index not in reported]
    # A sentence under the measures label that only states a result ("产品单价提高了15%", after the
    # before/after table) is a result, not a measure.
    stated = [x for x in by_part["measures"] if "|" not in x.text and _states_result_only(x.text)]
    if stated and len(stated) < len(by_part["measures"]):
        by_part["measures"] = [x for x in by_part["measures"] if x not in stated]
    else:
        stated = []
    # A sentence under the problem label that only describes the subject ("企业位于淄博市博山区，员工47人。")
    # is its profile.
    facts = [x for x in by_part["problem"] if "|" not in x.text and _describes_only(x.text)]
    if facts and len(facts) < len(by_part["problem"]):
        by_part["problem"] = [x for x in by_part["problem"] if x not in facts]
        by_part["profile"] = sorted(by_part["profile"] + facts, key=lambda x: x.index)
    free = [x for x in pieces if x.part is None and "|" not in x.text]
    free_text = _text_of(free)
    profile = _text_of(by_part["profile"]) or "，".join(filter(None, (profile_facts(x.text, prose=labelled) for x in free)))
    # Table rows after a problem label are read as a table, not as the problem.
    problem = _text_of([x for x in by_part["problem"] if "|" not in x.text], "；") or _problem(free_text)
    if labelled and not problem and by_part["profile"]:
        # No problem label: the background (背景：…) states it ("质量管理基础薄弱，抽检合格率长期偏低").
        background = _text_of(by_part["profile"])
        problem = _problem(background) or "；".join(_problem_clauses(background))
    # The paragraphs that tell the story: not a slide's title repeated as its first line, nor its speaker notes.
    story = [x for x in free if not _NOTES.match(sents[x.index].text)
             and sents[x.index].text.strip().rstrip("。；;") not in sents[x.index].section]
    lead = _situation_paragraph(sents, story) if labelled and not any(by_part.values()) else set()
    if labelled and not lead and not by_part["problem"] and not by_part["profile"] and (by_part["measures"] or by_part["outcomes"]):
        # Labels only for what was done and what came of it ("主要做法：…"): the unlabelled opening before
        # them, when it only sets out the situation and its faults, is the problem (its facts the profile).
        first = min(x.index for x in pieces if x.part is not None and x.part != _FIELD)
        opening = [x for x in story if x.index < first]
        if opening and _sets_out_situation(opening):
            lead = {x.index for x in opening}
    if lead:
        # An unlabelled write-up whose first paragraph only sets out the situation and its faults
        # (then what was done, then the results): that paragraph is the problem.
        problem = "；".join(c for x in free if x.index in lead for m in _CLAUSE.finditer(x.text)
                           if (c := m.group().strip()) and not _TIME_ONLY.fullmatch(c) and not _place_only(c)
                           and (_is_fault(c) or not is_profile_clause(c) and not _DESCRIPTION.search(c)))
        free = [x for x in free if x.index not in lead]
    if labelled and not problem:
        # An unlabelled write-up in a collection: the clauses stating what was wrong.
        problem = "；".join(c for x in free for c in _problem_clauses(x.text))
    # A problem read from the sentence that says it was solved ("有效解决了内外贸产品标准差异…等问题")
    # is the problem, not its solving.
    problem = "；".join(_SOLVED.sub("", c) for c in problem.split("；")) if problem else problem
    # An unlabelled write-up ending in a paragraph of results: its clauses are no measures.
    tail = _results_paragraph(sents, [x for x in story if x.index not in lead], bool(lead)) \
        if labelled and not any(by_part.values()) else set()
    if labelled and depth and len(sents[0].section) >= depth and sents[0].text.startswith(sents[0].section[depth - 1]):
        measures_skip = len(sents[0].section[depth - 1])  # the case heading run into its first sentence
    if by_part["measures"]:
        measures = _paragraphs_joined(sents, [x for x in by_part["measures"]
                                              if "|" not in x.text and not _leads_into_table(sents, x.index)])
    else:
        skip = measures_skip if free and free[0].index == 0 else 0
        measures = "；".join(filter(None, (_measures(x.text, skip if x.index == 0 else 0, prose=labelled, inputs=bool(tail))
                                           for x in free if not _leads_into_table(sents, x.index) and x.index not in tail
                                           and not (labelled and _NOTES.match(sents[x.index].text))
                                           and not _REMARK.match(x.text.strip())
                                           and not _PLAN.match(x.text.strip()))))
    results = (by_part["outcomes"] or free + by_part["measures"] + by_part["problem"]) + stated
    if lead and not by_part["outcomes"]:
        results = [x for x in pieces if x.index not in lead]
    tabled = table_outcomes(sents)
    if tabled and not by_part["outcomes"] and (by_part["problem"] or by_part["measures"]):
        # No results label, but a before/after table (a slide "帮扶前后对比" after the 问题 and 做法 slides): the table
        # holds the results; the problem's figures are the state before ("废品率高达8.5%") and a bare figure among
        # what was done is its size ("编制作业指导书18份"), neither a result.
        results = [x for x in results if x.part != "problem"]
    outcomes = _outcomes_of(sents, sorted(results, key=lambda x: x.index), owners)
    if tabled and not by_part["outcomes"] and by_part["measures"]:
        done = {sents[x.index].text for x in by_part["measures"]}
        outcomes = [o for o in outcomes if not (o.before is None and o.change is None and any(o.text in t for t in done))]
    if tail:
        # A write-up with a paragraph of results: a bare figure in what was done is an input
        # ("组织5家认证机构驻站", "认证费用由财政补助50%"), not a result; a change stays one.
        inputs = {sents[x.index].text for x in results if x.index not in tail}
        outcomes = [o for o in outcomes if not (o.before is None and o.change is None
                                                and any(o.text in t for t in inputs))]
    if not by_part["outcomes"]:
        # "组织…培训1200人次" among what was done: the measure's size, no result.
        counts = {c for x in results for c in _activity_counts(x.text)}
        outcomes = [o for o in outcomes if not any(o.text in c or c in o.text for c in counts)]
    for i, o in tabled:
        outcomes.append(replace(o, chunk_id=owners[i][0] if owners[i] else None))
    outcomes = _without_stated_befores(_without_restated(_unit_from_metric(o) for o in outcomes), text)
    if labelled:
        outcomes = [_with_stated_before(o, problem + "。" + profile) for o in outcomes if not _TARGET.search(o.text)]
    chunk_ids = _owned(owners, range(len(sents)))
    last_page = max((s.page for s in sents if s.page is not None), default=None)
    return Case(
        case_id=f"{doc_id}-c{n:03d}",
        doc_id=doc_id,
        kind=kind,
        title=title,
        region=region,
        industry=industries[0] if industries else None,
        problem=problem,
        measures=measures,
        outcomes=tuple(outcomes),
        section=sents[0].section,
        page=sents[0].page,
        chunk_id=chunk_ids[0] if chunk_ids else None,
        text=text,
        regions=regions or ((region,) if region.display() else ()),
        industries=tuple(industries),
        chunk_ids=chunk_ids,
        profile=profile,
        page_end=last_page if last_page is not None and sents[0].page is not None and last_page > sents[0].page else None,
    )


_METRIC_UNIT = re.compile(r"^(?P<metric>.+?)\s*[（(](?P<unit>[^（）()]{1,8})[)）]$")


def _unit_from_metric(o: Outcome) -> Outcome:
    """A table row headed "焊接不良率（ppm）" or "客户投诉（起/月）" gives its unit in the heading."""
    m = _METRIC_UNIT.match(o.metric) if o.unit is None else None
    return replace(o, metric=m["metric"], unit=m["unit"]) if m else o


# A level the trouble had reached, before the figure: "返工率高达15%", "售后退货率一度达到3.1%", "合格率仅为91%".
_LEVEL_WORDS = re.compile(r"(?:一度|长期|一直|常年|平均|仅为|仅有|仅|只有|只|高达|多达|达到|达|约|近|超过|为|在|高|低|每个?[\u4e00-\u9fff]{1,4}?)+$")
# The verb of a level reached by going up or down: "下降至4%", "降至0.4%", "提高到98%".
_REACH_VERB = re.compile(rf"(?P<verb>{_UP}|{_DOWN}|回升|回落|降|升|增|减)(?:至|到|为)")


def _stated_levels(text: str) -> list[tuple[str, float, str | None, str]]:
    """(metric, value, unit, clause) of each figure the problem or profile states as a level."""
    out = []
    for m in _CLAUSE.finditer(arabic_figures(text)):
        clause = m.group()
        for q in _QTY.finditer(clause):
            if not (q["mult"] or q["base"]):
                continue
            lead = clause[: q.start()]
            value, unit = _value(q)
            # the time base right before the figure ("客户投诉每月约9起"), not one the metric starts with,
            # which would read 月客户投诉 as the period
            run = _LEVEL_WORDS.search(lead)
            metric, unit = _period_from_metric(_LEVEL_WORDS.sub("", _metric(lead)), _per_unit(unit, run[0] if run else ""))
            out.append((metric, value, unit, clause))
    return out


def _metrics_match(after: str, before: str, context: str) -> bool:
    """Whether the metric of an after-only result and that of a figure in the problem are one: equal, one
    ending the other, or sharing a tail of three or more characters ("胖听退货率", "售后退货率") when what
    sets the result's apart is named in the problem too ("导致“胖听”")."""
    if len(after) < 2 or len(before) < 2:
        return False
    if after == before or after.endswith(before) or before.endswith(after):
        return True
    common = 0
    while common < min(len(after), len(before)) and after[-1 - common] == before[-1 - common]:
        common += 1
    qualifier = after[: len(after) - common]
    return common >= 3 and len(qualifier) >= 2 and qualifier in context


def _with_stated_before(o: Outcome, stated: str) -> Outcome:
    """An after-only result ("返工率下降至4%") paired with the before figure of the same metric that the
    case's problem or profile states ("返工率高达15%"), when exactly one such figure is there, in the same
    unit and on the side the verb says (a fall from a higher figure)."""
    if o.before is not None or o.change is not None or o.after is None or not (
            verb := _REACH_VERB.search(o.text or "")):
        return o
    down = bool(re.fullmatch(rf"{_DOWN}|回落|降|减", verb["verb"]))
    found = {(value, unit) for metric, value, unit, _clause in _stated_levels(stated)
             if _metrics_match(o.metric, metric, stated) and (unit or "") == (o.unit or "")
             and (value > o.after if down else value < o.after)}
    if len(found) != 1:
        return o
    ((value, _unit),) = found
    return replace(o, before=value, change=round(o.after - value, 4))


def _unit_base(unit: str | None) -> str:
    return (unit or "").split("/")[0].replace("批次", "批")


def _without_restated(outcomes) -> list[Outcome]:
    """One figure stated twice is one outcome: "菌落总数超标批次从每月5批次降为0" and the table row
    "菌落总数超标批次（批/月） | 5 | 0" (same values, one metric naming the other, units alike but for
    批次/批 or a time base only one of them states) are one, in the unit that says the most."""
    kept: list[Outcome] = []
    for o in outcomes:
        k = next((k for k, x in enumerate(kept) if (x.before, x.after, x.change) == (o.before, o.after, o.change)
                  and x.metric and o.metric and (x.metric in o.metric or o.metric in x.metric)
                  and _same_unit(x.unit, o.unit)), None)
        if k is None:
            kept.append(o)
        elif "/" in (o.unit or "") and "/" not in (kept[k].unit or ""):
            kept[k] = replace(kept[k], unit=o.unit)
    return kept


def _without_stated_befores(outcomes: Sequence[Outcome], context: str) -> list[Outcome]:
    """A lone figure that a later result of the case starts from is the state before, not a result:
    "客诉率3.2%" in the problem, then "客诉率由3.2%降至0.8%" (same metric, or one ending the other,
    and the same unit) — only the change is kept."""
    out = list(outcomes)
    return [o for k, o in enumerate(out) if not (
        o.before is None and o.change is None and o.after is not None
        and any(x.before is not None and x.before == o.after and _same_unit(x.unit, o.unit)
                and _metrics_match(x.metric, o.metric, context) for x in out[k + 1:]))]


def _same_unit(a: str | None, b: str | None) -> bool:
    """Units alike, but for 批次/批 or a time base only one of them states ("起" and "起/季度":
    "每季度约15起" whose period the parser did not tie to the figure)."""
    a, b = (a or "").replace("批次", "批"), (b or "").replace("批次", "批")
    return a == b or _unit_base(a) == _unit_base(b) and ("/" not in a or "/" not in b)


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
        industry = classify_industry(text)
        region = subject.region
        if subject.enterprise and region.province and not region.county:
            # "湖州织里某童装有限公司位于浙江省湖州市吴兴区织里镇": the enterprise's name holds its city, its
            # first sentence the county (within that city); a place's own subject keeps its level.
            region = next((r for _, _, r in region_spans(sents[0].text) if r.county and r.province == region.province
                           and (region.city is None or r.city == region.city)), region)
        cases.append(
            _make_case(doc_id, len(cases) + 1, kind, title, region, [industry] if industry else [],
                       sents, owners[i:j], measures_skip=subject.end,
                       regions=(region, *subject.regions[1:]) if subject.regions else ())
        )
        i = j
    return cases


# ---------------------------------------------------------------------------------------------
# Case collections (附件2 地方典型经验, 附件3 企业优良案例 …).

@dataclass(frozen=True)
class _Unit:
    """The sentences of one case of a collection."""

    heading: str  # as written
    depth: int  # section levels above the case's parts: 1, or 2 under a group heading (more under places)
    group: str  # the group heading above it ("二、企业优良案例"), or ""
    idx: tuple[int, ...]
    places: tuple[str, ...] = ()  # the headings above it that only name places ("山东省", "临沂市"), outermost first


def _groups(sentences: Sequence[Sentence]) -> set[str]:
    """Top-level headings that group cases: a group name (一、地方典型经验) whose sub-headings name
    cases, or a theme (一、聚焦产业集群，推动整体提升) with two or more sub-headings naming cases."""
    cases_under: dict[str, set[str]] = {}
    for s in sentences:
        if len(s.section) >= 2 and names_case(s.section[1]):
            cases_under.setdefault(s.section[0], set()).add(s.section[1])
    return {top for top, subs in cases_under.items()
            if heading_part(top) is None and (not names_case(top) and GROUP_HEADING.match(bare_heading(top))
                                              or len(subs) >= 2 and (not names_case_strictly(top) or names_place_only(top)))}


# What may follow the places of a heading that only groups by place: "华东片区", "河南篇", "浙江、福建部分".
_PLACE_GROUP_SUFFIX = re.compile(r"(?:片区|地区|板块|篇|部分|专辑|辑)?")
_PLACE_JOINER = re.compile(r"[、，,和与及\s]*")


def names_place_only(heading: str) -> bool:
    """Whether a heading names places and nothing else ("一、河南省", "湖北省宜昌市", "浙江、福建篇"):
    with two or more case headings under it, it groups the cases of those places rather than
    being one case."""
    bare = bare_heading(heading)
    spans = region_spans(bare)
    if not spans:
        return False
    pos = 0
    for a, b, _ in spans:
        if not _PLACE_JOINER.fullmatch(bare[pos:a]):
            return False
        pos = b
    return bool(_PLACE_GROUP_SUFFIX.fullmatch(bare[pos:]))


def _is_appendix(heading: str) -> bool:
    """An appendix (附录/附件/附表 …) that names no case after its label: "附录：帮扶企业名单（节选）"
    lists enterprises, it is no case (but "附件2 某公司质量提升案例" is one); an appended table (附表) never is."""
    bare = bare_heading(heading)
    # A table appended (附表) is never a case: "附表 案例企业帮扶前后主要指标" lists the cases' figures.
    return bool(m := APPENDIX_HEAD.match(bare)) and (bare.startswith("附表") or not names_case_strictly(bare[m.end():]))


_BACK_MATTER = re.compile(r"附表|附录|附件\s*\d|附件[：:]|(?:以上|综上|上述)[^，。；]{0,24}(?:表明|说明|可见|看出)"
                          r"|[（(]?(?:报送|发送|抄送|分送|主送)[：:]")  # a bulletin's distribution footer


# A heading whose subject is a place before a colon: "费县：检测前移破解板材甲醛难题", "大朗镇：毛织产业共建检测中心"
# (a county's short name, or a town, that the gazetteer knows only after its city, or not at all).
_PLACE_SUBJECT = re.compile(r"^[\u4e00-\u9fff]{1,12}(?:省|市|区|县|旗|州|盟|镇|乡|街道|开发区|园区|新区)\s*[：:]")


def _names_local_case(heading: str) -> bool:
    """Whether a heading under a heading that only names a place names a case of its own: a place, an
    enterprise, a case (see names_case), or a place's practice ("费县：…"); not a part label, nor a theme
    of the place's one write-up ("一、强化标准引领")."""
    return heading_part(heading) is None and (names_case(heading) or bool(_PLACE_SUBJECT.match(bare_heading(heading))))


def _units(sentences: Sequence[Sentence]) -> list[_Unit]:
    """The cases of a collection in order: one per top-level heading, or per sub-heading under a
    group heading, or per deepest heading under headings that only name places (省 / 市 / 县：…);
    part headings with no case above, front/back matter (说明, 目录 …) and a group's or a place's
    own introduction are left out."""
    groups = _groups(sentences)
    # Heading paths that have a case's heading below them (see _names_local_case): when the path ends in a
    # heading that only names a place ("## 山东省", "### 临沂市"), it groups the cases of that place.
    above = {s.section[:k] for s in sentences for k in range(1, len(s.section)) if _names_local_case(s.section[k])}
    found: dict[tuple[str, ...], list[int]] = {}
    for i, s in enumerate(sentences):
        if not s.section or heading_part(s.section[0]) is not None:
            continue
        top = s.section[0]
        if top in groups:
            if len(s.section) < 2 or not names_case(s.section[1]):
                continue
            key = s.section[:2]
        elif NOTE_HEADING.search(bare_heading(top)) and not names_case(top) or _is_appendix(top):
            continue
        else:
            key = s.section[:1]
        # Places nested over places ("## 山东省" / "### 临沂市" / "#### 费县：检测前移…"): the case is the first
        # heading below them that names more than a place (or the deepest place, when nothing more is named).
        while len(s.section) > len(key) and names_place_only(key[-1]) and _names_local_case(s.section[len(key)]):
            key = s.section[:len(key) + 1]
        if key == s.section and key in above and names_place_only(key[-1]):
            continue  # the introduction of a place whose cases follow under their own headings
        found.setdefault(key, []).append(i)
    units = []
    for key, idx in found.items():
        # A heading met twice (once in a table of contents, again above its text): the text of
        # the first meeting is whatever followed the contents, not this case.
        runs = [[idx[0]]]
        for i in idx[1:]:
            runs[-1].append(i) if i == runs[-1][-1] + 1 else runs.append([i])
        run = runs[-1]
        # The collection's closing remarks or appendix table, run on under its last case
        # ("以上地方经验和企业案例表明…", "附表 部分案例主要成效指标" and its rows), are no part of it.
        cut = next((k for k, i in enumerate(run) if k and _BACK_MATTER.match(sentences[i].text.strip())), len(run))
        run = run[:cut]
        places = key[:-1] if len(key) > 1 and all(names_place_only(h) for h in key[:-1]) else ()
        unit = _Unit(key[-1], len(key), key[0] if len(key) == 2 else "", tuple(run), places)
        # A section whose heading names no case and that holds only a note or a subtitle
        # ("编者的话" over "（本文件为测试用虚构案例）", "联系方式") is no case.
        if names_case(unit.heading) or _has_case_content([sentences[i] for i in unit.idx]):
            units.append((run[0], unit))
    ordered: list[_Unit] = []
    for _, unit in sorted(units, key=lambda x: x[0]):
        if ordered and continued_title(unit.heading) and unit.group == ordered[-1].group:
            # "案例三（续）" (a page's running head, or a slide made a section): the case above goes on.
            ordered[-1] = replace(ordered[-1], idx=ordered[-1].idx + unit.idx)
        else:
            ordered.append(unit)
    return ordered


def _has_case_content(sents: Sequence[Sentence]) -> bool:
    """Whether sentences say something a case says: a labelled part, a problem or fault, an
    action taken, or a quantified result."""
    if any(heading_part(h) for s in sents for h in s.section) or table_outcomes(sents):
        return True
    for s in sents:
        if any(_inline_labels(seg)[0] for seg in _label_segments(s.text)) or parse_outcomes(s.text):
            return True
        if _PROBLEM.search(s.text) or any(_acts(c) or _is_fault(c) for m in _CLAUSE.finditer(s.text)
                                          if (c := m.group().strip())):
            return True
    return False


def _top_sections(sentences: Sequence[Sentence]) -> list[str]:
    """Top-level headings in order, leaving out part labels ("一、基本情况" names a part of one case)."""
    seen: list[str] = []
    for s in sentences:
        if s.section and s.section[0] not in seen and heading_part(s.section[0]) is None:
            seen.append(s.section[0])
    return seen


def is_case_collection(doc_title: str, sentences: Sequence[Sentence]) -> bool:
    """Whether a document is a collection of cases, one per top-level section (or per
    sub-section under group headings such as 一、地方典型经验 / 二、企业优良案例).

    True when it has at least two cases (part labels such as 一、基本情况 and front matter such
    as 说明 do not count) and either its title names cases or experiences (案例/经验, but not a
    总结 report) or most of its case headings name a region, an enterprise, or start with 案例N.
    """
    units = _units(sentences)
    heads = [u.heading for u in units]
    if len(heads) < 2:  # field tables one after another, or a table with a case per row; no case headings
        return len(_field_tables(sentences)) >= 2 or sum(len(rows) for _, _, rows in _row_tables(sentences)) >= 2
    title = doc_title or ""
    if re.search(r"案例|经验", title) and "总结" not in title:
        return True
    # A heading naming only the practice ("以数字化追溯破解食品安全难题") over a write-up opening with the
    # enterprise ("某某食品有限公司位于…") names that enterprise's case.
    return sum(1 for u in units if names_case(u.heading) or _opened_by_enterprise(sentences, u)) * 2 > len(heads)


def _opened_by_enterprise(sentences: Sequence[Sentence], unit: _Unit) -> str:
    """The enterprise the first sentence under a case's heading opens with ("漳州市龙海区海味坊食品有限公司
    位于…" → 漳州市龙海区海味坊食品有限公司), or ""."""
    lead = next((sentences[i] for i in unit.idx if not _byline_sentence(sentences[i])), None)
    first = lead.text.strip() if lead is not None else ""
    return first[:opening_enterprise(first)]


def _byline_sentence(sentence: Sentence) -> bool:
    """Whether a sentence is a news article's dateline or byline ("（本报讯）记者 …", "某局供稿")."""
    return is_byline(sentence.text.strip().rstrip("。；;"))


def _labelled_parts(sentences: Sequence[Sentence]) -> set[str]:
    """The parts the document labels (inline or as headings)."""
    parts = {heading_part(h) for s in sentences for h in s.section}
    parts |= {_inline_labels(seg)[0] or (heading_part(seg) if len(seg) <= 12 else None)
              for s in sentences for seg in _label_segments(s.text)}
    return parts - {None}


# Titles of documents that are not one case even when they have 背景/做法 headings.
_NOT_A_CASE_TITLE = re.compile(r"总结|报告|通知|意见|方案|办法|规划|指南|决定|公告")


def _names_one_case(name: str) -> bool:
    return bool(re.search(r"案例|经验", name) or find_region(name) != Region() or ENTERPRISE_WORD.search(name))


def is_single_case(doc_title: str, sentences: Sequence[Sentence]) -> bool:
    """A document holding one case: it labels at least two parts (概况/问题/做法/成效), one of
    them its problem or its results, and its title or first heading names a case (案例/经验, a
    region or an enterprise); a report, notice or plan is not one case."""
    if is_case_collection(doc_title, sentences):
        return False
    parts = _labelled_parts(sentences)
    if len(parts) < 2 or not parts & {"problem", "outcomes"}:
        return False
    if doc_title and _NOT_A_CASE_TITLE.search(doc_title):
        return False
    heads = _top_sections(sentences)
    names = [n for n in (doc_title, heads[0] if heads else "") if n]
    return any(_names_one_case(n) and not _NOT_A_CASE_TITLE.search(n) for n in names)


def _kind_of_title(title: str) -> str | None:
    enterprise = "企业" in title and ("案例" in title or "经验" not in title)
    local = bool(re.search(r"地方|区域|经验", title))
    if enterprise != local:
        return "enterprise_case" if enterprise else "local_experience"
    return None  # both (地方典型经验和企业优良案例) or neither: the case heading decides


_PLACE_ACTS = re.compile(r"(?:以|聚焦|围绕|针对|依托|立足|坚持|探索|推动|创新|通过|打造|实施|开展|建立|着力|强化|深化)")


_ZONE = re.compile(r"(?:国家级)?(?:经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|高新区|经开区|开发区|工业园区|"
                   r"产业园区|工业园|产业园|园区|新区|自贸区|自由贸易试验区|综合保税区|保税区)")


def collection_kind(doc_title: str, heading: str, group: str = "") -> str:
    """enterprise_case or local_experience for a case headed ``heading`` under the group heading
    ``group`` (if any) of a collection titled ``doc_title``."""
    # A theme grouping cases ("二、创新服务模式，降低企业负担") says nothing of their kind; a group
    # name ("一、地方典型经验", "二、企业案例") does.
    named_group = group if group and GROUP_HEADING.match(bare_heading(group)) else ""
    for name in (named_group, doc_title or ""):
        if name and (kind := _kind_of_title(name)):
            return kind
    bare = bare_heading(heading)
    # A place alone before the colon is the subject ("河北省沧州市泊头市：铸造企业提质"): a local experience,
    # whatever enterprises the rest of the title speaks of.
    subject = re.split(r"[：:]", bare, maxsplit=1)[0] if re.search(r"[：:]", bare) else ""
    if subject and "".join(subject[a:b] for a, b, _ in region_spans(subject)) == subject:
        return "local_experience"
    # ... or a place's zone (郑州经济技术开发区：…, 苏州工业园区：…): an area, not an enterprise
    if subject and leading_places_end(subject) and _ZONE.fullmatch(subject[leading_places_end(subject):]):
        return "local_experience"
    # A place that acts ("河北省邢台市沙河市针对玻璃深加工企业…", "安吉县以竹制品产业为重点"): the place's
    # experience, whatever enterprises the rest of the title speaks of.
    if _PLACE_ACTS.match(bare[leading_places_end(bare):]) and leading_places_end(bare):
        return "local_experience"
    return "enterprise_case" if ENTERPRISE_WORD.search(bare) else "local_experience"


# A subtitle line under a case's title naming whose case it is: "——江西某光学科技有限公司（鹰潭市余江区）",
# "——记某县某食品厂". The name is an enterprise or a place; the bracket, if any, says where it is.
_SUBTITLE = re.compile(r"^[—－–-]{1,2}\s*(?:记)?(?P<name>[^（()）—－–\-。；;，,]{2,30}?)\s*"
                       r"(?:[（(](?P<place>[^（()）]{2,20})[)）])?[。；;]?$")


def _subtitle(text: str) -> tuple[str, str] | None:
    """(name, place) of a subtitle line under a case's title, or None (see _SUBTITLE)."""
    m = _SUBTITLE.match(text.strip())
    if not m or not (ENTERPRISE_WORD.search(m["name"]) or find_region(m["name"]) != Region()):
        return None
    return m["name"], m["place"] or ""


def _within(place: Region, area: Region) -> bool:
    """Whether ``place`` lies in ``area`` and is at least as specific."""
    return all(getattr(area, f) is None or getattr(place, f) == getattr(area, f) for f in ("province", "city", "county"))


def _place_headline(title: str) -> bool:
    """Whether a title is a headline opening with a place that names no enterprise and has no colon
    ("寿光脱水蔬菜出口再无“退运单”"; not "瑞安汽配小厂…", not "河北省沧州市：…")."""
    return not re.search(r"[：:]", title) and not ENTERPRISE_WORD.search(title) and not names_place_only(title)


def _case_from(doc_id: str, n: int, doc_title: str, title: str, sents: Sequence[Sentence],
               owners: Sequence[tuple[str, ...]], depth: int, group: str = "", places: tuple[str, ...] = (),
               slides: bool = False) -> Case:
    text = "".join(s.text for s in sents)
    place = ""
    # A news article's dateline or byline before its first sentence ("（本报讯）记者 …") is passed over.
    first = next((k for k, s in enumerate(sents) if not _byline_sentence(s)), 0)
    if sents and (sub := _subtitle(sents[first].text)):
        # A title that names only the practice ("以体系认证破解镜片合格率低难题") over "——某公司（某市某区）":
        # the case is the enterprise's, titled "某公司：以体系认证…", and it is where the bracket says.
        name, place = sub
        if name not in title:
            title = f"{name}：{title}" if title else name
    elif name := next((m["name"] for s in sents if (m := _NAME_FIELD.match(s.text.strip()))), ""):
        # A title that names only the practice over a fact sheet ("1. 企业名称：某公司", "2. 所在地区：…"):
        # the case is that enterprise's, and it is where the place field says.
        if name not in title:
            title = f"{name}：{title}" if title else name
    elif (sents and depth and (not names_case_strictly(title) or _place_headline(title)) and len(sents[first].section) >= depth
          and (name := sents[first].text.strip()[:opening_enterprise(sents[first].text)])):
        # A title that names only the practice ("以数字化追溯破解食品安全难题"), or a headline that names only its
        # place and trade ("寿光脱水蔬菜出口再无“退运单”"), over a write-up that opens with the enterprise
        # ("漳州市龙海区海味坊食品有限公司位于…"): the case is that enterprise's.
        if name not in title:
            title = f"{name}：{title}"
    if not place:
        place = next((m["place"] for s in sents if (m := _PLACE_FIELD.match(s.text.strip()))), "")
    region = find_region(place) if place else Region()
    if region == Region():
        region = find_region(title)
    area = "".join(bare_heading(h) for h in places) if places else bare_heading(group) if group else ""
    if places and (_PLACE_SUBJECT.match(bare_heading(title)) or names_place_only(title)):
        # A place's case under headings that only name places ("## 山东省" / "### 临沂市" / "#### 费县：…"): its
        # place read after theirs, where a short county name is known ("山东省临沂市费县") and a town's city is
        # kept (大朗镇 under 东莞市).
        chained = find_region(area + bare_heading(title))
        if chained != region and _within(chained, region):
            region = chained
    if region == Region() and area and names_place_only(area):
        # "（二）某食品有限公司" under "一、河南省" (or under "## 河南省" / "### 漯河市"): the case is in the group's
        # place, as specific as its text says within it ("位于漯河市源汇区").
        areas = [r for _, _, r in region_spans(area)]
        region = next((r for _, _, r in region_spans(text) if any(_within(r, a) for a in areas)),
                      areas[0] if len(areas) == 1 else Region())
    if region == Region():
        region = find_region(text)
    if region.province and not region.county:
        # "浙江省宁波市某公司" whose text says "位于宁波市鄞州区": the county is named later.
        region = next((r for _, _, r in region_spans(title + "。" + text) if r.county and r.province == region.province
                       and (region.city is None or r.city == region.city)), region)
    # A field stating the industry wins over keywords guessed from the rest of the text.
    stated = next((found for s in sents for m in _INDUSTRY_FIELD.finditer(s.text.strip())
                   if (found := field_industries(m["value"]))), None)
    return _make_case(doc_id, n, collection_kind(doc_title, title, group), title, region,
                      stated or classify_industries(text, title), sents, owners, depth=depth, labelled=True,
                      slides=slides)


def _collection_cases(
    doc_id: str, doc_title: str, sentences: Sequence[Sentence], owners: Sequence[tuple[str, ...]]
) -> list[Case]:
    # (positions, title, depth, group heading, place headings above)
    found: list[tuple[tuple[int, ...], str, int, str, tuple[str, ...]]] = []
    for unit in _units(sentences):
        tables = _field_tables([sentences[i] for i in unit.idx])
        if len(tables) >= 2:  # several field tables under one heading: one case each
            found.extend((tuple(unit.idx[k] for k in t), _named(sentences, [unit.idx[k] for k in t]), unit.depth,
                          unit.group, unit.places) for t in tables)
            continue
        # "1. 中山市古镇镇：…" under a group heading: the item's number is no part of its title.
        title = re.sub(r"^\d{1,2}[.．、](?!\d)\s*", "", bare_heading(unit.heading))
        if not title:  # "案例1" above a field table: the table's 企业名称 row names the case
            named = _named(sentences, unit.idx)
            title = f"{unit.heading}：{named}" if named else unit.heading
        found.append((unit.idx, title, unit.depth, unit.group, unit.places))
    # Field tables under no heading at all, one after another.
    loose = [i for i, s in enumerate(sentences) if not s.section]
    if len(tables := _field_tables([sentences[i] for i in loose])) >= 2:
        found.extend((tuple(loose[k] for k in t), _named(sentences, [loose[k] for k in t]), 0, "", ()) for t in tables)
    cases: list[Case] = []
    for idx, title, depth, group, places in sorted(found, key=lambda f: f[0][0]):
        cases.append(_case_from(doc_id, len(cases) + 1, doc_title, title, [sentences[i] for i in idx],
                                [owners[i] for i in idx], depth=depth, group=group, places=places))
    return cases


def _named(sentences: Sequence[Sentence], idx: Sequence[int]) -> str:
    """The name a case's 企业名称 field gives, or ""."""
    return next((m["name"] for i in idx if (m := _NAME_FIELD.match(sentences[i].text.strip()))), "")


# A field table's header row: "字段 | 内容", "项目 | 内容".
_FIELD_HEADER = re.compile(r"^[^|\d]{1,8}\|[^|\d]{1,8}[；;。]?$")


def _field_tables(sentences: Sequence[Sentence]) -> list[tuple[int, ...]]:
    """The cases of a run of field tables (or of 名称：… lines), as positions in ``sentences``:
    each 企业名称/案例名称 field starts a case (with the table's header row just above it) that
    runs to the next one, and every case labels a part (存在问题/主要做法/取得成效 …). Empty
    when there are fewer than two such cases."""
    starts = [i for i, s in enumerate(sentences) if _NAME_FIELD.match(s.text.strip())]
    if len(starts) < 2:
        return []
    starts = [_table_top(sentences, i) for i in starts]
    tables = []
    for a, b in zip(starts, [*starts[1:], len(sentences)]):
        idx = tuple(k for k in range(a, b) if sentences[k].section == sentences[a].section)
        if not any(_inline_labels(seg)[0] for k in idx for seg in _label_segments(sentences[k].text)):
            return []
        tables.append(idx)
    return tables


# A field table's first row numbering the case: "序号 | 3", "编号 | 案例三".
_SERIAL_ROW = re.compile(rf"^(?:序号|编号|案例编号|案例序号)\s*\|\s*(?:案例)?[\d{CN_DIGITS}]{{1,3}}[；;。]?$")


def _table_top(sentences: Sequence[Sentence], i: int) -> int:
    """Where the field table whose 名称 row is at ``i`` starts: at its header row ("字段 | 内容") or its
    number row ("序号 | 3") just above, if any."""
    for _ in range(2):
        above = sentences[i - 1].text.strip() if i > 0 and sentences[i - 1].section == sentences[i].section else ""
        if not (_SERIAL_ROW.match(above) or _FIELD_HEADER.match(above) and _inline_labels(above)[0] is None):
            break
        i -= 1
    return i


def table_case_sections(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences with the field tables of a run of them (two or more under one heading, or under
    none: tables one after another, no case headings between) set off as sections of their own, named
    by each table's 企业名称 row: a passage then stays within one table and cites its case.
    For chunking only; the cases are read from the sentences as structured."""
    out = list(sentences)
    for _, run in groupby(range(len(sentences)), key=lambda i: sentences[i].section):
        idx = list(run)
        for table in _field_tables([sentences[i] for i in idx]):
            name = _named(sentences, [idx[k] for k in table])
            if not name:
                continue
            for k in table:
                s = sentences[idx[k]]
                out[idx[k]] = replace(s, section=(*s.section, name[:60]))
    return out


# A table with one case per row: a header row naming its columns ("序号 | 企业名称 | 所在地 | 行业 |
# 主要问题 | 改进措施 | 成效；") over one row per case. A 序号 column is skipped; the other columns are
# matched by name (the part columns by the part labels: 主要问题, 改进措施, 取得成效 …).
_ROW_SKIP = re.compile(r"序号|编号|No\.?|#")
_ROW_COLUMNS = (
    ("name", re.compile(r"(?:企业|单位|案例|项目|公司|主体)(?:名称)?|名称")),
    ("place", re.compile(r"所在地(?:区|市)?|所属地区?|(?:所在)?(?:地区|地市|区域|地点|区县)")),
    ("industry", re.compile(r"(?:所属|所在)?行业(?:类别|分类|门类|领域)?|(?:主要)?产品|产业")),
)


def _row_cells(text: str) -> list[str]:
    # "a | | b": an empty cell between two others (its spaces squeezed into one) is still a cell.
    return [c.strip() for c in re.split(r"(?<= )\|(?= )", text.strip().rstrip("；;。"))]


def _row_columns(cells: Sequence[str]) -> dict[str, int] | None:
    """Column positions of a one-case-per-row table's header row (name, place, industry and the
    parts), or None when the row names no case column or fewer than two of problem, measures and
    outcomes (a list of enterprises with their results is no case table)."""
    cols: dict[str, int] = {}
    for k, cell in enumerate(cells):
        if _ROW_SKIP.fullmatch(cell):
            continue
        field = next((f for f, pattern in _ROW_COLUMNS if pattern.fullmatch(cell)), None) or heading_part(cell)
        if field:
            cols.setdefault(field, k)
    if "name" in cols and len(cols.keys() & {"problem", "measures", "outcomes"}) >= 2:
        return cols
    return None


def _row_tables(sentences: Sequence[Sentence]) -> list[tuple[int, dict[str, int], list[int]]]:
    """One-case-per-row tables: (header position, its columns, positions of the rows under it with
    as many cells). Not in an appendix (附录/附件/附表: a list, no cases)."""
    out = []
    i = 0
    while i < len(sentences):
        s = sentences[i]
        cols = _row_columns(_row_cells(s.text)) if " | " in s.text else None
        if cols is None or any(_is_appendix(h) for h in s.section):
            i += 1
            continue
        width = len(_row_cells(s.text))
        rows, j = [], i + 1
        while j < len(sentences) and " | " in sentences[j].text and sentences[j].section == s.section:
            if len(_row_cells(sentences[j].text)) == width:
                rows.append(j)
            j += 1
        if rows:
            out.append((i, cols, rows))
        i = j
    return out


def _row_case(doc_id: str, n: int, doc_title: str, cols: dict[str, int], sent: Sentence,
              owner: tuple[str, ...]) -> Case:
    """The case of one row of a one-case-per-row table: titled by its name column, its place,
    industry and parts from their columns."""
    cells = _row_cells(sent.text)

    def cell(field: str) -> str:
        return cells[cols[field]] if field in cols else ""

    title = cell("name")
    region = find_region(cell("place"))
    if region == Region():
        region = find_region(title)
    industries = (field_industries(cell("industry")) if cell("industry") else []) or classify_industries(
        sent.text, title)
    outcomes = [_unit_from_metric(replace(o, chunk_id=owner[0] if owner else None))
                for o in parse_outcomes(cell("outcomes"), sent.page)]
    section = tuple(h for h in sent.section)
    return Case(
        case_id=f"{doc_id}-c{n:03d}", doc_id=doc_id, kind=collection_kind(doc_title, title), title=title,
        region=region, industry=industries[0] if industries else None, problem=cell("problem"),
        measures=cell("measures"), outcomes=tuple(outcomes), section=section, page=sent.page,
        chunk_id=owner[0] if owner else None, text=sent.text, regions=(region,) if region.display() else (),
        industries=tuple(industries), chunk_ids=tuple(owner), profile=cell("profile"),
    )


def _with_row_tables(
    doc_id: str, doc_title: str, sentences: Sequence[Sentence], owners: Sequence[tuple[str, ...]],
    tables: Sequence[tuple[int, dict[str, int], list[int]]],
) -> list[Case]:
    """A case per row of the one-case-per-row tables, with the cases of the rest of the document,
    in the order of the text."""
    taken = {i for head, _, rows in tables for i in (head, *rows)}
    rest = [i for i in range(len(sentences)) if i not in taken]
    placed: list[tuple[int, Case]] = [(i, _row_case(doc_id, 0, doc_title, cols, sentences[i], owners[i]))
                                      for _, cols, rows in tables for i in rows]
    if rest:
        for case in _document_cases(doc_id, doc_title, [sentences[i] for i in rest], [owners[i] for i in rest]):
            at = next((i for i in rest if sentences[i].section == case.section and case.text.startswith(
                sentences[i].text)), rest[0])
            placed.append((at, case))
    placed.sort(key=lambda x: x[0])
    return [replace(case, case_id=f"{doc_id}-c{k:03d}") for k, (_, case) in enumerate(placed, start=1)]


def _single_case(
    doc_id: str, doc_title: str, sentences: Sequence[Sentence], owners: Sequence[tuple[str, ...]]
) -> Case:
    heads = _top_sections(sentences)
    # A first heading naming the case ("案例1 江西赣州某脐橙合作社") names it better than the
    # document's title, which may be "附件2" or the file name.
    title = bare_heading(heads[0]) if heads and names_case(heads[0]) else doc_title or (
        bare_heading(heads[0]) if heads else "")
    # A case heading above the labelled parts belongs to the case, not to a part.
    depth = 1 if heads else 0
    return _case_from(doc_id, 1, doc_title, title, sentences, owners, depth=depth)


def _slide_cases(
    doc_id: str, doc_title: str, sentences: Sequence[Sentence], owners: Sequence[tuple[str, ...]]
) -> list[Case]:
    """Slides: a slide that labels its problem or results (存在问题：/取得成效：, a 帮扶前/帮扶后
    table) and one more part is one case titled by the slide; the other slides' sentences are
    read as a report's are, except on a slide that says nothing a case says (a title slide: the
    deck's title, its issuer and date; an agenda; 谢谢), where a place or an authority opening a
    line ("山东省市场监督管理局  2024年5月") is no case's subject."""
    cases: list[Case] = []
    rest: list[int] = []
    for idx in _slide_runs(sentences):
        sents = [sentences[i] for i in idx]
        heading = sents[0].section[0] if sents[0].section else ""
        if _is_case_slide(heading, sents):
            title = bare_heading(heading) or heading or doc_title  # "案例1  漯河市某公司" → 漯河市某公司
            cases.append(_case_from(doc_id, len(cases) + 1, doc_title, title, sents, [owners[i] for i in idx], depth=1,
                                    slides=True))
        elif _has_case_content(sents):
            rest.extend(idx)
    for case in _report_cases(doc_id, [sentences[i] for i in rest], [owners[i] for i in rest]):
        cases.append(replace(case, case_id=f"{doc_id}-c{len(cases) + 1:03d}"))
    return cases


# A slide title that says it goes on with the slide before: "案例三（续）", "（续）：做法与成效", "续：主要做法",
# "某公司案例（续二）", "接上页".
_CONTINUED = re.compile(r"[（(]\s*(?:续|接上页|续上页|续前页)\s*[0-9一二三四五六七八九十]?\s*[)）]"
                        r"|^\s*(?:续|接上页|续上页|承上页)\s*(?:[：:、.．\s]|$)")


def continued_title(title: str) -> bool:
    """Whether a slide's (or a section's) title says it continues the one before (see _CONTINUED)."""
    return bool(_CONTINUED.search(title or ""))


def _slide_parts(sents: Sequence[Sentence]) -> set[str]:
    return _labelled_parts(sents) | ({"outcomes"} if table_outcomes(sents) else set())


def _is_case_slide(heading: str, sents: Sequence[Sentence]) -> bool:
    parts = _slide_parts(sents)
    return bool(len(parts) >= 2 and parts & {"problem", "outcomes"} or not parts and _narrative_slide(heading, sents))


def _continues_case(heading: str, sents: Sequence[Sentence], before: Sequence[Sentence]) -> bool:
    """Whether a slide goes on with the case of the slides ``before`` although its title does not say so:
    that case's title names it (案例N, a place or an enterprise), this slide's title names no case and
    no back matter (几点体会, 谢谢), and it holds only the parts those slides lack — what was done and
    what came of it ("主要做法：…", "取得成效：…" after "企业概况", "存在问题")."""
    first = before[0].section[0] if before and before[0].section else ""
    if not names_case_strictly(first):
        return False
    bare = bare_heading(heading)
    if names_case_strictly(heading) or NOTE_HEADING.search(bare) or _CLOSING_WORDS.fullmatch(re.sub(r"[\W_]+", "", bare)):
        return False
    parts, held = _slide_parts(sents), _slide_parts(before)
    if heading_part(heading) is not None:
        # A slide titled by a part ("痛点", "存在问题", "做法", "取得成效") after the case's title slide: a later
        # part of that case, the problem included, as long as it goes on in the order of a write-up (概况,
        # 问题, 做法, 成效); a part the case already told ("经验做法" after a case with its 做法) starts none.
        return bool(parts) and min(map(_PART_RANK.get, parts)) > max(map(_PART_RANK.get, held), default=-1)
    return bool(parts) and parts <= {"measures", "outcomes"} and not parts & held


_PART_RANK = {part: rank for rank, part in enumerate(PARTS)}


# Closing words of a deck ("谢谢！", "感谢聆听"): its last slide continues no case.
_CLOSING_WORDS = re.compile(r"(?:谢谢|感谢|敬请|欢迎|thank|q&a|问答|结束).*", re.I)


def _slide_runs(sentences: Sequence[Sentence]) -> list[list[int]]:
    """The positions of the sentences of each slide, a case told over two or more slides taken as one:
    a slide titled as a continuation ("案例三（续）", "（续）：做法与成效") joins the slides before it, and
    so does one that goes on with their case under a title naming none (see :func:`_continues_case`).
    Slides already set under their case's title (:func:`slide_case_sections`) stay with it."""
    runs: list[list[int]] = []
    for _title, group in groupby(range(len(sentences)), key=lambda i: sentences[i].section[:1]):
        idx = list(group)
        heading = sentences[idx[0]].section[0] if sentences[idx[0]].section else ""
        if runs and (continued_title(heading) or _continues_case(heading, [sentences[i] for i in idx],
                                                                  [sentences[i] for i in runs[-1]])):
            runs[-1].extend(idx)
        else:
            runs.append(idx)
    return runs


def slide_case_sections(sentences: Sequence[Sentence]) -> list[Sentence]:
    """Slides: the sentences of the slides that go on with the slide before them (a case told over
    several: "案例1｜某公司", then "痛点", "做法", "成效"; see :func:`_slide_runs`) set under the title of
    the run's first slide ("案例1｜某公司 > 成效"), so that a passage of any of them cites its case."""
    out = list(sentences)
    for run in _slide_runs(sentences):
        top = sentences[run[0]].section[:1]
        for i in run:
            s = sentences[i]
            if top and s.section[:1] != top:
                out[i] = replace(s, section=(*top, *s.section))
    return out


def _narrative_slide(title: str, sents: Sequence[Sentence]) -> bool:
    """A slide that tells one case in plain sentences, without part labels: its title names a place or
    an enterprise (or 案例N), and its text states a quantified result and something done or a fault
    ("过去焊缝开裂…。认证机构指导企业…。实施以来，客户投诉由每月11起降至2起…"). Read like a
    collection's unlabelled write-up, not sentence by sentence like a report."""
    if not title or not names_case_strictly(title):
        return False
    body = [s.text for s in sents if not (s.text.startswith(title) and len(s.text.strip("。；; ")) <= len(title))
            and not _NOTES.match(s.text)]
    if not any(parse_outcomes(t) for t in body):
        return False
    clauses = [c for t in body for m in _CLAUSE.finditer(t) if (c := m.group().strip())]
    return any(_acts(c) for c in clauses) and any(_is_fault(c) or _PROBLEM.search(c) for c in clauses)


def extract_cases(
    doc_id: str, sentences: Sequence[Sentence], chunks: Sequence[Chunk], doc_title: str = "", collection: bool = True
) -> list[Case]:
    """Case records of one document: one per top-level section of a case collection, one for
    a document holding a single labelled case, otherwise the cases its sentences describe
    (rules in the module docstring). ``collection`` off (slides) uses only the last way."""
    owners = sentence_owners(sentences, chunks)
    if not collection:  # slides: their sections are slide titles, not case headings
        return _slide_cases(doc_id, doc_title, sentences, owners)
    if tables := _row_tables(sentences):
        return _with_row_tables(doc_id, doc_title, sentences, owners, tables)
    return _document_cases(doc_id, doc_title, sentences, owners)


def _document_cases(
    doc_id: str, doc_title: str, sentences: Sequence[Sentence], owners: Sequence[tuple[str, ...]]
) -> list[Case]:
    if is_case_collection(doc_title, sentences):
        return _collection_cases(doc_id, doc_title, sentences, owners)
    if is_single_case(doc_title, sentences):
        return [_single_case(doc_id, doc_title, sentences, owners)]
    return _report_cases(doc_id, sentences, owners)


def record_part(cases: Sequence[Case], sentence: str) -> str | None:
    """The part of its case record a sentence of a case's text went into — profile, problem,
    measures or outcomes, by where most of its clauses are — or None when no record holds them
    (kb.retrieval's direct answer: an owner asking what to do is not answered with the trouble)."""
    votes: dict[str, int] = {}
    for case in cases:
        fields = {"profile": set(re.split(r"[，；]", case.profile)), "problem": set(case.problem.split("；")),
                  "measures": set(case.measures.split("；"))}
        said = [o.text for o in case.outcomes]
        for m in _CLAUSE.finditer(sentence):
            clause = m.group().strip()
            if not clause:
                continue
            part = next((name for name, held in fields.items() if clause in held), None)
            if part is None and any(clause in t for t in said):
                part = "outcomes"
            if part is not None:
                votes[part] = votes.get(part, 0) + 1
    if not votes:
        return None
    best = max(votes.values())
    winners = [p for p, n in votes.items() if n == best]
    return winners[0] if len(winners) == 1 else None

