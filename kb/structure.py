"""Heading hierarchy of Chinese official documents, attached to every sentence.

Levels, outermost first::

    1  一、工作举措与成效            (also "案例1 …", "# …" in Markdown)
    2  （一）强化统筹推进，……        (title = up to the first 。, body may follow inline)
    3  1. / 1、 / 1．
    4  （1）
    5  一是…二是…三是… (inline enumeration; title = first clause of that sentence)

In a collection (two or more top-level headings that are case titles), a part heading numbered
like a top-level one under a case heading ("案例三：某公司" then "一、企业基本情况 … 四、取得成效")
is nested under the case, at level 1.5; in a report such headings stay top-level. A "案例N"
heading under a "一、"-numbered heading that is no case ("一、地方经验" then "案例一 江苏丹阳市：…")
is a case of that group, at level 1.25.

A line with no numbering that starts with a place and a colon ("江苏省昆山市：以认证贷破解融资难"),
short and without sentence-ending punctuation, is a level-1 heading when the document has at least
two such lines: a collection of local experiences titled by place (see :func:`place_title`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .cleaning import DATE, Paragraph, split_sentences
from .labels import (  # noqa: F401  (PARTS and INLINE_LABEL are read from here by kb.cases and kb.retrieval)
    ANY_LABEL,
    BRACKET_LABEL,
    INLINE_LABEL,
    LABEL_NUMBER,
    LABELLED_ITEM,
    PART_LABELS,
    PARTS,
    label_part,
)
from .numbering import CN_DIGITS, heading_level
from .records import Region, Sentence
from .regions import find_region, region_spans
from .styled_headings import similar_titles

_CN = CN_DIGITS
_ENUM = re.compile(rf"^[{_CN}]是(?!否|指|因为|由于)")
_ENUM_ORDER = {c: i + 1 for i, c in enumerate(_CN)}
ENUM_LEVEL = 5
PART_LEVEL = 1.5  # a part heading (一、基本情况) under a case heading of the same numbering
GROUPED_CASE_LEVEL = 1.25  # "案例一 …" under a group heading "一、地方经验" (both numbered at level 1)
_GROUP_NUMBERING = re.compile(rf"^[{CN_DIGITS}]{{1,3}}、")
_TITLE_MAX = 60  # a heading paragraph without 。 longer than this is body text


# ---------------------------------------------------------------------------------------------
# Case write-ups: part labels (概况/问题/做法/成效) and headings that name a case.

# The part labels (PARTS, PART_LABELS, INLINE_LABEL …) are in kb/labels.py; imported from here too.
# A heading that only names a part: "（二）主要做法", "四、取得成效", "存在的主要问题", "【问题】".
_HEADING_LABEL = re.compile(rf"^{LABEL_NUMBER}[【\[〔]?(?P<label>{ANY_LABEL})[】\]〕]?\s*[：:。]?$")


def section_part(section: tuple[str, ...]) -> str | None:
    """The part of a case write-up the deepest heading naming one puts a passage in ("案例一 >
    三、主要做法 > （二）推行首件三检" → measures), or None."""
    return next((p for p in map(heading_part, reversed(section)) if p), None)


def case_parts(section: tuple[str, ...], sentences: list[str]) -> list[str | None]:
    """The part of a case write-up (profile, problem, measures, outcomes) each of a passage's
    ``sentences`` belongs to: the part its heading names ("（二）存在问题" → problem; a sub-heading
    under "三、主要做法" stays measures), changed by a label a sentence starts with ("【做法】…",
    "取得成效：…"), a bracketed label inside it (the last one) or a label on a line of its own
    ("存在的主要问题"). None where nothing names one
    (a report's paragraphs)."""
    part = section_part(section)
    out: list[str | None] = []
    for text in sentences:
        head = text.strip()
        if len(head) <= 12 and (bare := heading_part(head)) is not None:
            part = bare
        elif m := INLINE_LABEL.match(head):
            part = label_part(m["label"] or m["bracket"])
        elif inner := BRACKET_LABEL.findall(head):  # a case heading run into its first label: "（二）某地：…【基本情况】…"
            part = label_part(inner[-1].strip("【[〔】]〕"))
        out.append(part)
    return out


# A case told in prose, with no part heading or label: what each sentence is about, by its words.
# The enterprise at the start ("该厂位于…，主要生产…"); what was done (a sentence opening with an act:
# "将注塑温度…固化为工艺卡"); what changed ("未再发生", "降至"); the trouble before ("过去…控制不严",
# "一度达到5.2%", "频繁退货").
_PROSE_PROFILE = re.compile(r"^(?:该|这家|本)?(?:企业|公司|厂|合作社|作坊)?(?:位于|成立于|始建于|创办于|地处)"
                            r"|^(?:该|这家|本)(?:企业|公司|厂|合作社|作坊)(?:主要|专业)?(?:生产|从事|主营)")
_PROSE_MEASURE = re.compile(r"^(?:[^，。；]{0,12}?(?:通过|采取|建立|引入|引进|开展|实施|制定|组织|邀请|派出|聘请|推行|"
                            r"改造|配备|配置|购置|实行|设立|设置|委托|将|把|针对))")
_PROSE_OUTCOME = re.compile(r"未再|未发生|未出现|零投诉|杜绝|再无|实施以来|此后|"
                            r"(?:降至|降到|降低|减少|下降|提升|提高|增长|达到)[^，。；]{0,12}?\d|\d[^，。；]{0,8}?(?:降至|提高到|提升至)")
_PROSE_PROBLEM = re.compile(r"过去|以往|此前|原先|一度|频繁|屡|时有|问题(?:突出|集中|较多)|投诉|退货|拒收|退运|差评|"
                            r"不合格|不稳定|不严|不规范|开裂|脱落|超标|锈点|霉变|发霉|损失|下滑")


def prose_part(text: str) -> str | None:
    """The part of a case write-up a sentence of a prose case is about (profile, measures, outcomes,
    problem), judged by its words; None when they do not tell. For passages that hold a case and
    whose sentences no heading or label places (:func:`case_parts` gives None)."""
    text = text.strip()
    if _PROSE_PROFILE.search(text):
        return "profile"
    if _PROSE_OUTCOME.search(text):
        return "outcomes"
    if _PROSE_MEASURE.search(text):
        return "measures"
    if _PROSE_PROBLEM.search(text):
        return "problem"
    return None


def heading_part(heading: str) -> str | None:
    """The part a sub-heading names ("（二）主要做法" → measures), or None."""
    m = _HEADING_LABEL.match(heading.strip())
    return label_part(m["label"]) if m else None


HEADING_NUMBER = re.compile(
    r"^(?:【?案例\s*[0-9一二三四五六七八九十]+(?:】|[\s：:、.．|｜丨]*)|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[)）]"
    r"|\d{1,2}\s*[|｜丨]\s*)\s*")
ENTERPRISE_WORD = re.compile(r"公司|企业|厂|集团|合作社|作坊|车间|工坊")
# A heading that groups cases ("一、地方典型经验", "二、企业优良案例") rather than naming one.
GROUP_HEADING = re.compile(r"^[\u4e00-\u9fff]{0,8}?(?:典型经验|优良案例|典型案例|经验做法|案例|经验)(?:汇编|选编|集|材料|篇)?$")
# Front and back matter of a collection: not a case.
NOTE_HEADING = re.compile(r"说明|前言|目录|序言|编者按|编后|后记|引言|附录|附表|概述|导语|体会|启示|结语|结束语|小结"
                          # a bulletin's overview of progress and its plans: "一、总体进展", "三、下一步打算"
                          r"|(?:总体|工作)进展|进展情况|下一?步|工作(?:打算|计划|安排)")
# An appendix's title line: "附表：参与帮扶企业名单（略）", "附件2  帮扶企业名单", "附表部分案例主要成效指标".
# 附件 takes a number or a separator after it ("附件材料齐全" opens a sentence, no appendix).
APPENDIX_HEAD = re.compile(rf"^(?:(?:附录|附表)\s*[0-9{CN_DIGITS}]*|附件\s*(?:[0-9{CN_DIGITS}]+|(?=[\s：:、.．]|$)))\s*[：:、.．]?\s*")
_APPENDIX_LINE_MAX = 40


def appendix_line(text: str) -> bool:
    """Whether a paragraph is an appendix's title line (see APPENDIX_HEAD): short, one phrase (no
    clause or sentence break before its end). Under a heading it ends that section, so a closing
    "附表：…（略）" is not read as part of the last case of a collection."""
    t = text.strip().rstrip("。")
    return (len(t) <= _APPENDIX_LINE_MAX and APPENDIX_HEAD.match(t) is not None
            and not re.search(r"[，,；;。！？!?]", t))


# A note in prose at the head of a collection ("编者按", "前言"): it has no sections of its own, so
# a heading below it in rank ("## 某公司" after "# 编者按") starts a case, not a part of the note.
_PROSE_NOTE = re.compile(r"编者按|编者的话|按语|前言|序言|导语|卷首语")


def bare_heading(heading: str) -> str:
    """A heading without its numbering ("案例三：", "一、", "（一）", "第一，") and without a bracketed label
    the line ran into ("江苏常州：…【企业概况】该公司…" → "江苏常州：…")."""
    return BRACKET_LABEL.split(ORDINAL.sub("", HEADING_NUMBER.sub("", heading)), maxsplit=1)[0].strip().rstrip("：:")


def names_case(heading: str) -> bool:
    """A heading naming one case: 案例N, a place or an enterprise (not a part label or a group)."""
    if heading_part(heading) is not None:
        return False
    bare = bare_heading(heading)
    if GROUP_HEADING.match(bare) and not re.match(r"\s*案例\s*[0-9一二三四五六七八九十]", heading):
        return False  # "二、企业优良案例" groups cases; its 企业 names none
    return (heading.lstrip().startswith("案例") or find_region(bare) != Region()
            or bool(ENTERPRISE_WORD.search(bare)))


# An enterprise as the subject of a heading or of a report's sentence: "某五金制品有限公司",
# "宁波XX股份有限公司", "某县某食品厂" (kb/cases.py reads case subjects with the same pattern). An unnamed
# place is none: "某县推动小微企业…", "某市小微企业…" speak of a place's enterprises, not of one.
ENTERPRISE_SUBJECT = re.compile(
    r"^(?:(?:某[省市县区镇乡])?某(?![省市县区镇乡](?!场))[\u4e00-\u9fff]{0,6}?|[\u4e00-\u9fff]{2,20}?(?:有限|股份)(?:责任)?)"
    r"(?:公司|企业|厂|集团|合作社|作坊|车间|工坊)")


# A works named by its trade name without 有限/股份, after its place, as the subject of a sentence describing
# it: "潮州市潮安区瓷韵陶瓷制品厂是…一家…", "某县兴旺食品厂位于…" (not "该厂是…", "这家工厂位于…").
NAMED_WORKS = re.compile(r"(?![该这本其此那各每一])(?:(?![的和与及等、])[\u4e00-\u9fff]){2,12}?(?:公司|厂|合作社|作坊|工坊)"
                         r"(?=是|位于|地处|坐落|成立|始建|创办|创建|主要|专业|主营|现有|拥有|专注)")


def leading_places_end(text: str) -> int:
    """Where the chain of places ``text`` starts with ends ("浙江省湖州市安吉县以…" → 9), or 0."""
    end = 0
    for a, b, _ in region_spans(text):
        if a != end:
            break
        end = b
    return end


def opening_enterprise(text: str) -> int:
    """The length of the enterprise's name a sentence opens with, its place included ("漳州市龙海区海味坊食品
    有限公司位于…" → 15, "潮州市潮安区瓷韵陶瓷制品厂是…" → 13), or 0 when it opens with none."""
    text = text.strip()
    end = leading_places_end(text)
    if m := ENTERPRISE_SUBJECT.match(text[end:]):
        return end + m.end()
    if end and (m := NAMED_WORKS.match(text, end)):
        return m.end()
    return 0


# A case titled by its practice alone, on a line of its own ("以数字化追溯破解食品安全难题"), over a write-up
# whose first paragraph opens with the enterprise ("某某食品有限公司位于…"): short, one phrase (no clause or
# sentence break), after a paragraph that ends a sentence. A heading only when the document has two or more.
_TOPIC_TITLE_MAX = 30
_TOPIC_BREAK = re.compile(r"[，,；;。！？!?：:…|]")


def topic_title(text: str, before: str | None, after: str | None) -> bool:
    """Whether a line without numbering titles a case by its practice (see above): ``before`` is the
    paragraph above it (None at the top), ``after`` the one below."""
    t = text.strip()
    if (not 6 <= len(t) <= _TOPIC_TITLE_MAX or _TOPIC_BREAK.search(t) or heading_level(t) is not None
            or after is None or before is not None and not re.search(r"[。！？!?；;”」）)]$", before.strip())):
        return False
    return opening_enterprise(split_sentences(after)[0][1] if after.strip() else "") > 0 and not opening_enterprise(t)


def names_case_strictly(heading: str) -> bool:
    """A top-level heading that is one case's title (案例N, or starting with a place or an
    enterprise), strictly: "一、小微企业质量管理现状" mentions 企业 but names no case."""
    if heading_part(heading) is not None:
        return False
    if heading.lstrip().startswith("案例"):
        return True
    bare = bare_heading(heading)
    spans = region_spans(bare)
    return bool(spans and spans[0][0] == 0) or bool(ENTERPRISE_SUBJECT.match(bare))


_PLACE_TITLE_MAX = 40
_SENTENCE_END = re.compile(r"[。！？!?；;…]")


# An ordinal opening an item: "第一，甘肃省定西市安定区：…".
ORDINAL = re.compile(rf"^第[{CN_DIGITS}]{{1,3}}[，,、]\s*")


def place_title(text: str) -> bool:
    """Whether a line without numbering could title one local experience: it starts with a place,
    has a colon after it and something after the colon, is at most 40 characters long and ends no
    sentence ("江苏省昆山市：以认证贷破解小微企业融资难"; not "江苏：推动…。", which is prose).
    An ordinal may open it ("第一，甘肃省定西市安定区：马铃薯淀粉企业“抱团”认证")."""
    t = ORDINAL.sub("", text.strip())
    if (len(t) > _PLACE_TITLE_MAX or heading_level(t) is not None or _SENTENCE_END.search(t)
            or not (colon := re.search(r"[：:]", t)) or not t[colon.end():].strip()):
        return False
    spans = region_spans(t[: colon.start()])
    return bool(spans and spans[0][0] == 0)


def _clean_title(title: str) -> str:
    return re.sub(r"^#+\s*", "", title).strip().rstrip("。；;：:")


_DATE = DATE
_DATE_LINE = re.compile(_DATE)
# The issuer printed on a cover under the title, alone or before the date ("某省市场监督管理局",
# "国家市场监督管理总局认证监管司 2024年12月", "某市质量协会 编"): names of offices and bodies.
_ISSUER_LINE = re.compile(r"(?:(?:某|国家|中国|全国)?[\u4e00-\u9fff（）()]{1,30}?(?:局|厅|委员会|委|办公室|办|部门?|司|处|院|所|中心|"
                          r"协会|学会|联合会|商会|促进会|研究会|政府|小组|单位|机构|联盟)\s*)+(?:编印|编制|主办|印发|编)?\s*"
                          rf"(?P<date>{_DATE})?")
_PARENTHESISED = re.compile(r"[（(][^（()）]+[)）]")


def _cover_line(text: str) -> bool:
    """A date or an issuer line of a cover ("2024年12月", "某省市场监督管理局2024年12月"): under the
    title it is neither title nor body. An issuer starts with a place, "某…" or "国家/中国/全国", or
    names a government body ("…市场监督管理局")."""
    t = text.strip()
    if _DATE_LINE.fullmatch(t):
        return True
    if not (m := _ISSUER_LINE.fullmatch(t)):
        return False
    spans = region_spans(t)
    # A body's name with the date after it is a cover line whatever the name ("市场监管部门 2024年11月").
    return (m["date"] is not None or t.startswith(("某", "国家", "中国", "全国")) or bool(spans and spans[0][0] == 0)
            or re.search(r"监督管理|市场监管|人民政府|管理委员会|领导小组|质量协会", t) is not None)


def extract_title(paragraphs: Sequence[Paragraph]) -> tuple[str | None, int]:
    """A title block is the run of short, unpunctuated paragraphs before the body. The issuer and
    date lines of a cover under it are skipped with it (they are counted, not part of the title)."""
    parts: list[str] = []
    for p in paragraphs:
        if (heading_level(p.text) is not None or len(p.text) > _TITLE_MAX or re.search(r"[。；！？]", p.text)
                or re.fullmatch(r"目\s*录", p.text.strip())):  # a table of contents follows the title
            break
        if parts and _cover_line(p.text):
            cover = len(parts)
            while cover < len(paragraphs) and _cover_line(paragraphs[cover].text):
                cover += 1
            return ("".join(parts), cover) if paragraphs[cover:] else (None, 0)
        if parts and re.search(r"[，,]", p.text):
            break  # under the title, a note ("本文件为测试用合成材料，…") is no more title
        parts.append(p.text)
        if len(parts) == 3 or (len(parts) > 1 and _PARENTHESISED.fullmatch(p.text.strip())):
            # A line in brackets under the title ("（第二辑）", "（2023—2025年）", a note) ends it:
            # the next short line is the first case or section, not more title.
            break
    if parts and paragraphs[len(parts):]:
        return "".join(parts), len(parts)
    return None, 0


# A line dividing a document into parts, each numbered "一、" afresh: "第一部分  地方经验", "第二篇 企业案例".
# A heading: run on into the last paragraph of the part above, it would be read as that case's words.
_DIVISION_LINE = re.compile(rf"第[{CN_DIGITS}]{{1,3}}(?:部分|篇|编)\s*[\u4e00-\u9fff、和与及]{{0,16}}")


def structure_sentences(paragraphs: Sequence[Paragraph], known_title: str | None = None) -> tuple[str | None, list[Sentence]]:
    """Return (document title if found, sentences with section paths and pages). ``known_title``: the
    title in the file's metadata (a PDF's /Title), when it is a real one. Lines at the top that read
    like a title but name something else (the first case of a collection: "茉莉花茶：从茶园到茶杯的全程质控"
    under the metadata title "某地区案例选编") are no title block: they stay text."""
    title, skip = extract_title(paragraphs)
    if title and known_title and not similar_titles(title, known_title):
        title, skip = None, 0
    # Lines titled by a place and a colon are headings only when there are two or more of them.
    place_titles = {pi for pi, p in enumerate(paragraphs[skip:], start=skip) if place_title(p.text)}
    if len(place_titles) < 2:
        # One is a heading right under a group heading ("二、企业优良案例" then "某公司：…").
        place_titles = {pi for pi in place_titles if pi > skip and _group_heading(paragraphs[pi - 1].text)}
    # Lines titling a case by its practice alone are headings only when there are two or more of them.
    topic_titles = {pi for pi in range(skip, len(paragraphs) - 1) if pi not in place_titles and topic_title(
        paragraphs[pi].text, paragraphs[pi - 1].text if pi > skip else None, paragraphs[pi + 1].text)}
    if len(topic_titles) < 2:
        topic_titles = set()

    toc = _table_of_contents(paragraphs, skip)

    def level_of(pi: int, text: str) -> int | None:
        if pi in toc:
            return None  # a line of the table of contents (skipped), not the heading it lists
        if pi in place_titles or pi in topic_titles or _DIVISION_LINE.fullmatch(text.strip()):
            return 1
        level = heading_level(text)
        if level in (3, 4) and LABELLED_ITEM.match(text):
            return None  # "1. 企业名称：某公司", "4. 存在问题：…": a labelled line of the case above
        return level

    # Part headings numbered like top-level ones nest under the case above them only in a
    # collection: at least two top-level headings that are case titles (see PART_LEVEL), with or
    # without the "# " of a Word heading style ("# 某公司：…" then a bold "一、基本情况").
    nest_parts = sum(1 for pi, p in enumerate(paragraphs[skip:], start=skip)
                     if level_of(pi, p.text) == 1 and names_case_strictly(_clean_title(p.text[:_TITLE_MAX]))) >= 2
    path: dict[float, str] = {}
    sentences: list[Sentence] = []
    last_enum = 0
    for pi, para in enumerate(paragraphs[skip:], start=skip):
        text = para.text
        if pi in toc:
            continue  # a table of contents lists headings found further on: nothing to index or cite
        if pi - 1 in toc:
            path = {}  # what follows it (编者按 …) is under no heading
        level = level_of(pi, text)
        body_offset = 0
        if level is not None:
            head_sents = split_sentences(text)
            first_off, first = head_sents[0]
            if level == 1 and len(head_sents) == 1 and len(text) <= _TITLE_MAX:
                heading, body_offset = text, len(text)
            elif len(head_sents) > 1 or first[-1:] in "。；":
                heading, body_offset = first, first_off + len(first)
                # A long "1. …" paragraph with no short lead sentence is a list item: keep it as body.
                if len(heading) > _TITLE_MAX:
                    heading, body_offset = _first_clause(first), 0
            else:
                heading, body_offset = text, len(text)
                if len(text) > _TITLE_MAX:
                    heading, body_offset = _first_clause(text), 0
            if not text[body_offset:].strip() and heading[-1:] in "。；！？":
                # A one-sentence item such as "（1）建立回访机制。" is content, not only a title.
                body_offset = 0
            if level == 2 and 1 in path and _PROSE_NOTE.fullmatch(bare_heading(_clean_title(path[1]))):
                path = {}
            case_above = path.get(GROUPED_CASE_LEVEL) or path.get(1)
            if (level == 1 and 1 in path and (heading.lstrip().startswith("案例") or pi in place_titles
                                               and _group_heading(path[1]))
                    and _GROUP_NUMBERING.match(path[1]) and not names_case_strictly(path[1])):
                # "一、地方经验" then "案例一 江苏丹阳市：…" (or "某公司：…" under "二、企业优良案例"):
                # a case of that group, not a sibling.
                level = GROUPED_CASE_LEVEL
            elif (nest_parts and level == 1 and case_above and heading_part(heading) is not None
                  and names_case_strictly(case_above)):
                # "案例三：某公司" then "二、存在的主要问题": a part of that case, numbered like a
                # top-level heading; it sits between the case and the case's own sub-headings.
                level = PART_LEVEL
            for lv in list(path):
                if lv >= level:
                    del path[lv]
            path[level] = _clean_title(heading)
            last_enum = 0
        body = text[body_offset:]
        for off, sent in split_sentences(body):
            if path and appendix_line(sent) and path.get(1) != _clean_title(sent):
                # "附表：参与帮扶企业名单（略）" after the last case (a line of its own or run on at the end of
                # its last paragraph): back matter under its own heading, no part of the case. Its line
                # stays text, indexed and cited as written.
                path, last_enum = {1: _clean_title(sent)}, 0
            m = _ENUM.match(sent)
            if m and _ENUM_ORDER[sent[0]] in (last_enum + 1, 1):
                last_enum = _ENUM_ORDER[sent[0]]
                path[ENUM_LEVEL] = _clean_title(_first_clause(sent))
            elif m is None and last_enum == 0:
                path.pop(ENUM_LEVEL, None)
            section = tuple(path[k] for k in sorted(path))
            sentences.append(Sentence(sent, para.page_at(body_offset + off), section, pi))
        if level is None and not _ENUM.match(text):
            # A plain paragraph after an enumeration closes it only if it is a new paragraph
            # at the same level (e.g. the closing remarks of a section).
            pass
    return title, sentences


def _group_heading(text: str) -> bool:
    """A numbered heading that groups cases ("二、企业优良案例", "## 一、地方典型经验")."""
    t = _clean_title(text)
    return bool(_GROUP_NUMBERING.match(t)) and bool(GROUP_HEADING.match(bare_heading(t)))


_TOC_HEAD = re.compile(r"目\s*录")
_TOC_PAGE = re.compile(r"[\s.．…·-]+\d{1,4}$")  # "……… 12": the page an entry is on


def _table_of_contents(paragraphs: Sequence[Paragraph], start: int) -> set[int]:
    """Positions of a table of contents (left out of the sentences): its "目录" line and the entries after it — each a
    heading or ending in a page number, whose text opens some later paragraph (the heading it
    lists) — up to the first line that is not such an entry. Empty without one."""
    at = next((pi for pi in range(start, len(paragraphs)) if _TOC_HEAD.fullmatch(paragraphs[pi].text.strip())), None)
    if at is None:
        return set()
    compact = ["".join(p.text.split()) for p in paragraphs]
    entries = {at}
    for pi in range(at + 1, len(paragraphs)):
        line = paragraphs[pi].text.strip()
        entry = "".join(_TOC_PAGE.sub("", line).split())
        if not entry or not (heading_level(entry) is not None or _TOC_PAGE.search(line)):
            break
        if not any(later.startswith(entry) for later in compact[pi + 1:]):
            break
        entries.add(pi)
    return entries if len(entries) > 1 else set()


def _first_clause(sentence: str) -> str:
    m = re.match(r"^(.+?)[。；，：,;:]", sentence)
    clause = m.group(1) if m else sentence
    return clause[:_TITLE_MAX]
