"""Headings told by their look (kb/styled_headings.py): case titles that only name a topic, in bold or
a larger size, in a PDF or a DOCX. All text here is 合成测试材料 (synthetic): invented enterprises and figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.pipeline import parse_document
from kb.styled_headings import Style, _font_is_bold, find_style_headings
from tests.pdfgen import wrap, write_styled_pdf

TITLE = "合成测试材料：某省小微企业质量提升案例"
INTRO = "本材料为合成测试材料，收录三个虚构的企业案例，企业名称和数字均为编造，仅供软件测试使用。"
CASES = (
    ("给伞骨焊点装上检验关", [
        "合成县晴川伞业有限公司主要生产折叠伞，员工48人。企业伞骨焊点虚焊问题突出，伞骨断裂投诉每月约12起，返修率一度达到6.5%。",
        "认证机构专家进企诊断，帮助企业制定焊接作业指导书，对焊点实行首件检验和每小时巡检，并建立了不合格品台账。",
        "经过一年运行，返修率降至1.5%，伞骨断裂投诉由每月12起减少到每月2起。",
    ]),
    ("茶叶拼配有了标准配方", [
        "合成县云雾茶业有限公司从事绿茶精制加工，自有茶园800亩。企业拼配全凭经验，批次间口味差异大，客户退货率达4%。",
        "帮扶组指导企业建立拼配配方卡和感官审评记录，每批成品茶留样备查，并按质量管理体系要求完善了出厂检验规程。",
        "实施以来，客户退货率由4%降至0.5%，产品抽检合格率由91%提高到99%。",
    ]),
    ("螺丝松动投诉少了九成", [
        "合成县固力五金有限公司生产自攻螺钉，员工120人。企业热处理炉温记录缺失，产品硬度不稳定，螺丝松动投诉每季度约30起。",
        "企业加装炉温自动记录仪，规定每炉次抽检硬度合格后方可出厂，并对热处理班组开展了培训。",
        "通过改进，螺丝松动投诉由每季度30起降为每季度3起，一次交检合格率由88%提升至97%。",
    ]),
)


def _topic(title: str) -> str:
    """A case's title without the enterprise its write-up opens with ("合成县晴川伞业有限公司：给伞骨…" → "给伞骨…")."""
    return title.split("：", 1)[-1]


def _lines(text: str, size: float = 11, bold: bool = False) -> list[tuple[str, float, bool]]:
    return [(line, size, bold) for line in wrap(text, 38)]


def _collection(heading: tuple[float, bool] = (15, True), group: str | None = None,
                header: str | None = None) -> list[list[tuple[str, float, bool]]]:
    """One page for the title and the first case, one page for each further case."""
    pages: list[list[tuple[str, float, bool]]] = [[(TITLE, 16, True), *_lines(INTRO)]]
    if group:
        pages[0].append((group, 16, True))
    for k, (title, paras) in enumerate(CASES):
        if k:
            pages.append([(header, 15, True)] if header else [])
        pages[-1].append((title, *heading))
        for para in paras:
            pages[-1].extend(_lines(para))
    return pages


def test_bold_topic_headings_split_a_pdf_collection_into_its_cases(tmp_path: Path):
    pdf = write_styled_pdf(tmp_path / "主题标题.pdf", _collection())
    parsed = parse_document(pdf)
    sections = {c.section for c in parsed.chunks}
    for title, _ in CASES:
        assert (title,) in sections  # each case's passages cite its own heading, not "引言"
    assert len(parsed.cases) == 3
    by_title = {_topic(c.title): c for c in parsed.cases}
    umbrella = by_title["给伞骨焊点装上检验关"]
    assert "虚焊" in umbrella.problem and "作业指导书" in umbrella.measures
    assert {(o.before, o.after) for o in umbrella.outcomes} >= {(6.5, 1.5), (12.0, 2.0)}
    tea = by_title["茶叶拼配有了标准配方"]
    assert {(o.before, o.after) for o in tea.outcomes} >= {(4.0, 0.5), (91.0, 99.0)}
    assert tea.page == 2
    assert all(c.kind == "enterprise_case" for c in parsed.chunks if c.section != ("引言",))


def test_larger_size_alone_is_emphasis_too(tmp_path: Path):
    parsed = parse_document(write_styled_pdf(tmp_path / "大字号.pdf", _collection(heading=(14, False))))
    assert {_topic(c.title) for c in parsed.cases} == {title for title, _ in CASES}


def test_topic_lines_in_the_body_look_stay_text(tmp_path: Path):
    """Without a look of their own the lines are not taken for headings (no guessing from words)."""
    parsed = parse_document(write_styled_pdf(tmp_path / "无强调.pdf", _collection(heading=(11, False))))
    assert not any(len(c.section) == 1 and c.section[0] == CASES[1][0] for c in parsed.chunks)


def test_under_numbered_group_headings_topics_are_one_level_down(tmp_path: Path):
    parsed = parse_document(write_styled_pdf(tmp_path / "分组.pdf", _collection(group="一、某省")))
    sections = {c.section for c in parsed.chunks}
    assert ("一、某省", CASES[0][0]) in sections and ("一、某省", CASES[2][0]) in sections


def test_a_running_header_in_bold_is_no_heading(tmp_path: Path):
    parsed = parse_document(write_styled_pdf(tmp_path / "页眉.pdf", _collection(header="某省案例汇编")))
    assert not any("某省案例汇编" in c.section for c in parsed.chunks)
    assert {_topic(c.title) for c in parsed.cases} == {title for title, _ in CASES}


BODY = Style(11, False)
HEAD = Style(15, True)
PROSE = "某合成企业建立了首件检验制度，返修率由5%降至2%，客户投诉明显减少。"


@pytest.mark.parametrize("title", [
    "一、给伞骨焊点装上检验关",  # numbered: a heading already
    "伞骨焊点装上检验关，返修少了",  # a clause mark: prose
    "主要做法",  # a part label
    "表1 帮扶前后主要指标",  # a caption
    "检验",  # too short
])
def test_lines_that_do_not_read_as_a_title(title: str):
    lines = [("合成标题", HEAD), (PROSE, BODY), (title, HEAD), (PROSE, BODY), ("罐头企业堵住追溯漏洞", HEAD), (PROSE, BODY),
             ("另一个合成案例的标题", HEAD), (PROSE, BODY)]
    found = find_style_headings(lines)
    assert found is not None
    assert all(lines[a][0] != title for a, _ in found[1])


def test_one_emphasised_line_or_one_without_prose_after_it_is_no_heading():
    assert find_style_headings([("合成标题", HEAD), (PROSE, BODY), ("一个合成主题标题", HEAD), (PROSE, BODY)]) is None
    lines = [("合成标题", HEAD), (PROSE, BODY), ("第一个合成主题", HEAD), ("指标 帮扶前 帮扶后", BODY),
             ("第二个合成主题", HEAD), ("合格率 90% 98%", BODY)]
    assert find_style_headings(lines) is None
    # the tail of a paragraph set in bold is no heading: the line before it ends no sentence
    lines = [("合成标题", HEAD), (PROSE[:-1] + "，并且", BODY), ("强调的几个字词", HEAD), (PROSE, BODY),
             ("第一个合成主题", HEAD), (PROSE, BODY)]
    assert find_style_headings(lines) is None


def test_bold_fonts_by_name_or_descriptor():
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    def font(name: str, weight: int | None = None) -> DictionaryObject:
        d = DictionaryObject({NameObject("/BaseFont"): NameObject(name)})
        if weight is not None:
            d[NameObject("/FontDescriptor")] = DictionaryObject({NameObject("/FontWeight"): NumberObject(weight)})
        return d

    assert _font_is_bold(font("/ABCDEF+SimHei"))
    assert _font_is_bold(font("/Arial-BoldMT"))
    assert _font_is_bold(font("/SourceHanSerif", 700))
    assert not _font_is_bold(font("/ABCDEF+FangSong_GB2312"))
    assert not _font_is_bold(font("/SourceHanSerif", 400))


def _docx(path: Path, heading_style: bool = False, bold: bool = True) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph().add_run(TITLE).bold = True
    document.add_paragraph(INTRO)
    for title, paras in CASES:
        if heading_style:
            document.add_heading(title, level=2)
        else:
            document.add_paragraph().add_run(title).bold = bold
        for para in paras:
            document.add_paragraph(para)
    document.save(str(path))
    return path


@pytest.mark.parametrize("heading_style", [False, True])
def test_docx_bold_paragraph_or_heading_style_titles_cases(tmp_path: Path, heading_style: bool):
    parsed = parse_document(_docx(tmp_path / "主题标题.docx", heading_style=heading_style))
    assert {_topic(c.title) for c in parsed.cases} == {title for title, _ in CASES}
    tea = next(c for c in parsed.cases if _topic(c.title) == CASES[1][0])
    assert tea.title == f"合成县云雾茶业有限公司：{CASES[1][0]}"  # the enterprise its write-up opens with
    assert "拼配" in tea.problem and {(o.before, o.after) for o in tea.outcomes} >= {(4.0, 0.5)}


def test_docx_plain_topic_paragraphs_are_headings_only_over_a_named_enterprise(tmp_path: Path):
    """Plain topic paragraphs are headings only when each write-up under them opens with its enterprise
    (kb/structure.topic_title); over "该企业…" they stay text."""
    import docx

    parsed = parse_document(_docx(tmp_path / "不加粗.docx", bold=False))
    assert any(c.section == (CASES[1][0],) for c in parsed.chunks)
    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(INTRO)
    for title, paras in CASES:
        document.add_paragraph(title)
        document.add_paragraph("该企业" + paras[0].split("有限公司", 1)[1])
        for para in paras[1:]:
            document.add_paragraph(para)
    document.save(str(tmp_path / "不加粗无企业名.docx"))
    parsed = parse_document(tmp_path / "不加粗无企业名.docx")
    assert not any(c.section == (CASES[1][0],) for c in parsed.chunks)
