"""PowerPoint export (kb/export_pptx.py): the deck is reopened with python-pptx and its slides,
chart data, speaker notes and fonts are checked. All items here are synthetic test data."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from kb.export import DEFAULT_TITLE, ExportItem, ExportOutcome, item_citation
from kb.export_pptx import (
    BODY_H_IN,
    BODY_PT,
    FONT_EA,
    MARGIN_IN,
    SLIDE_W_IN,
    Block,
    chars_per_line,
    export_pptx,
    lines_per_box,
    paginate,
    text_lines,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
LONG = "".join(f"合成长段落第{i}句：认证机构派员驻厂，帮助合成企业建立首件检验、巡检和月度质量例会制度。" for i in range(60))


def _case() -> ExportItem:
    return ExportItem(
        key="case:doc000000001-c001", source="case", title="合成市家纺小微企业质量提升（合成案例）",
        text="合成案例原文。", doc_id="doc000000001", doc_title="合成案例集（测试用，非真实材料）",
        section="二、企业案例 > 案例一", page=3, kind="enterprise_case", region="合成省合成市", industry="纺织业",
        profile="合成企业，员工48人。", problem="产品缺陷率高，返工多。", measures="认证机构派员驻厂，建立首件检验与巡检制度。",
        outcomes=(ExportOutcome("产品缺陷发生率", 15.0, 7.0, None, "%", 3),
                  ExportOutcome("年销售额", 3960.0, 4500.0, None, "万元", 4),
                  ExportOutcome("培训人次", None, 1328.0, None, "人次", 4)))


def _passage(text: str = LONG) -> ExportItem:
    return ExportItem(
        key="doc000000002-0003", source="passage", title="（一）强化政策保障", text=text, doc_id="doc000000002",
        doc_title="合成工作总结（测试用）", section="一、工作举措 > （一）强化政策保障", page=2, page_end=3,
        ocr=True, ocr_confidence=0.97)


@pytest.fixture(scope="module")
def deck():
    items = [_case(), _passage()]
    return items, Presentation(io.BytesIO(export_pptx(items, "合成测试课件")))


def _title(slide) -> str:
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""


def _texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame and s != slide.shapes.title]


def test_slide_sequence(deck):
    items, prs = deck
    titles = [_title(s) for s in prs.slides]
    assert titles[0] == "合成测试课件"
    assert titles[1] == "1. 合成市家纺小微企业质量提升（合成案例）"
    assert titles[2] == "1. 合成市家纺小微企业质量提升（合成案例） — 成效对比"
    assert titles[3] == "2. （一）强化政策保障"
    assert all(t.startswith("2. （一）强化政策保障（续 ") for t in titles[4:-1]) and len(titles) > 5
    assert titles[-1] == "资料来源"


def test_case_slide_has_meta_profile_problem_measures_outcomes(deck):
    _items, prs = deck
    text = "\n".join(_texts(prs.slides[1]))
    assert "企业案例 ｜ 地区：合成省合成市 ｜ 行业：纺织业" in text
    assert text.index("概况：合成企业，员工48人。") < text.index("问题：产品缺陷率高")
    assert "问题：产品缺陷率高，返工多。" in text and "做法：认证机构派员驻厂" in text
    assert "产品缺陷发生率：15% → 7%（第 3 页）" in text and "培训人次：1328人次（第 4 页）" in text


def test_a_report_passage_is_not_labelled_with_unknown_place_and_trade(deck):
    _items, prs = deck
    metas = [_texts(s)[0] for s in prs.slides if _texts(s) and _texts(s)[0].startswith("报告")]
    assert metas and all("未识别" not in m for m in metas)


def test_native_bar_chart_of_before_and_after(deck):
    _items, prs = deck
    charts = [s.chart for s in prs.slides[2].shapes if s.has_chart]
    assert len(charts) == 2  # 培训人次 has no "before": no chart
    data = {c.chart_title.text_frame.text: (list(c.plots[0].categories), list(c.plots[0].series[0].values))
            for c in charts}
    assert data == {"产品缺陷发生率（%）": (["之前", "之后"], [15.0, 7.0]),
                    "年销售额（万元）": (["之前", "之后"], [3960.0, 4500.0])}
    assert all(c.chart_type is not None and "COLUMN_CLUSTERED" in str(c.chart_type) for c in charts)


def test_every_content_slide_cites_its_source_in_the_notes(deck):
    items, prs = deck
    slides = list(prs.slides)[1:-1]
    for slide in slides:
        notes = slide.notes_slide.notes_text_frame.text
        owner = items[int(_title(slide).split(".")[0]) - 1]
        assert f"出处：{item_citation(owner)}" in notes, (_title(slide), notes)
    assert "扫描件 OCR 识别，置信度 0.97" in slides[-1].notes_slide.notes_text_frame.text
    assert "产品缺陷发生率：15% → 7%（第 3 页）" in prs.slides[2].notes_slide.notes_text_frame.text


def test_sources_slide_lists_every_document_with_pages(deck):
    _items, prs = deck
    text = "\n".join(_texts(prs.slides[-1]))
    assert "1. 《合成案例集（测试用，非真实材料）》（文档编号 doc000000001；引用 第 3、4 页）" in text
    assert "2. 《合成工作总结（测试用）》（文档编号 doc000000002；引用 第 2、3 页）" in text


def test_long_text_is_split_between_sentences_and_nothing_is_lost(deck):
    _items, prs = deck
    bodies = [_texts(s)[1] for s in prs.slides if _title(s).startswith("2. ")]
    assert len(bodies) >= 3
    assert "".join(bodies) == LONG
    per_line = chars_per_line(SLIDE_W_IN - 2 * MARGIN_IN, BODY_PT)
    for body in bodies:
        assert text_lines(body, per_line) < lines_per_box(BODY_H_IN, BODY_PT)  # fits its box
    assert all(b.endswith("。") for b in bodies)  # cut between sentences


def test_chinese_runs_carry_the_east_asian_font(deck):
    _items, prs = deck
    checked = 0
    for slide in prs.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame:
                continue
            for p in shape.text_frame.paragraphs:
                for run in p.runs:
                    if CJK.search(run.text):
                        ea = run._r.find(qn("a:rPr")).find(qn("a:ea"))
                        assert ea is not None and ea.get("typeface") == FONT_EA, run.text
                        checked += 1
    assert checked > 20


def test_paginate_keeps_labels_and_marks_continuations():
    blocks = [Block("问题", "短。"), Block("做法", "甲乙丙丁。" * 30)]
    pages = paginate(blocks, per_line=10, max_lines=5)
    assert pages[0][0] == Block("问题", "短。")
    assert pages[0][1].label == "做法" and all(b.label == "做法（续）" for p in pages[1:] for b in p)
    assert "".join(b.text for p in pages for b in p) == "短。" + "甲乙丙丁。" * 30
    for page in pages:
        assert sum(text_lines((f"{b.label}：" if b.label else "") + b.text, 10) for b in page) <= 5


def test_empty_deck_and_hostile_text_are_valid():
    bad = _passage("控制字符\x00\x07与<script>alert(1)</script>。")
    prs = Presentation(io.BytesIO(export_pptx([bad], "")))
    assert _title(prs.slides[0]) == DEFAULT_TITLE  # an empty title gets the default one
    assert "<script>alert(1)</script>" in _texts(prs.slides[1])[1]
    empty = Presentation(io.BytesIO(export_pptx([], "空课件")))
    assert [_title(s) for s in empty.slides] == ["空课件", "资料来源"]


def test_a_text_of_many_short_lines_is_paginated_and_the_loop_ends():
    """A PDF table read a cell per line is a passage of many short lines (kb/chunking.py keeps
    their line breaks): the pagination never finished on it (found in session 22, synthetic)."""
    from kb.export_pptx import Block, paginate, text_lines

    cells = "\n".join(["合成指标", "帮扶前", "帮扶后", "78%", "100%"] * 12)
    pages = paginate([Block("", "附表 合成案例主要指标\n" + cells)], per_line=30, max_lines=10)
    assert len(pages) >= 5
    assert "".join(b.text for page in pages for b in page) == "附表 合成案例主要指标\n" + cells
    assert all(text_lines(b.text, 30) <= 12 for page in pages for b in page)


def test_file_properties_name_the_course_and_kb_not_python_pptx(deck):
    import datetime

    from kb.export import PROPERTY_AUTHOR

    _, prs = deck
    props = prs.core_properties
    assert props.title == "合成测试课件"
    assert props.author == props.last_modified_by == PROPERTY_AUTHOR
    assert props.comments == "" and "Steve Canny" not in props.last_modified_by
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for when in (props.created, props.modified):
        assert abs(when.replace(tzinfo=None) - now) < datetime.timedelta(minutes=10)


TABLE_TEXT = ("（合成测试材料。）以下为合成案例，每行一个案例。序号 | 企业名称 | 所在地 | 成效；"
              "1 | 合成甲眼镜厂 | 合成省甲市 | 焊点不良率由2.1%降至0.4%；2 | 合成乙汽配厂 | 合成省乙市 | 合格率从92.5%提升到98.7%。"
              "注：以上数据为合成。")


def test_table_rows_become_a_powerpoint_table():
    item = _passage(TABLE_TEXT)
    prs = Presentation(io.BytesIO(export_pptx([item], "合成测试课件")))
    slide = prs.slides[1]
    tables = [s.table for s in slide.shapes if s.has_table]
    assert len(tables) == 1
    table = tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "企业名称", "所在地", "成效"]
    assert [c.text for c in table.rows[2].cells] == ["2", "合成乙汽配厂", "合成省乙市", "合格率从92.5%提升到98.7%"]
    text = "\n".join(t for t in _texts(slide))
    assert "|" not in text and "每行一个案例。" in text and "注：以上数据为合成。" in text
    # the table sits below the text before it and above the text after it
    shapes = {("table" if s.has_table else s.text_frame.text[:2]): s.top for s in slide.shapes if s != slide.shapes.title}
    assert shapes["（合"] < shapes["table"] < shapes["注："]


def test_a_long_table_continues_on_the_next_slide_with_its_header():
    rows = "；".join(f"{i} | 合成企业{i} | 合成省合成市合成县 | 合成指标由{i}%降至{i / 2}%，年节约成本约{i}万元" for i in range(1, 41))
    item = _passage("序号 | 企业名称 | 所在地 | 成效；" + rows + "。")
    prs = Presentation(io.BytesIO(export_pptx([item], "合成测试课件")))
    tables = [s.table for slide in prs.slides for s in slide.shapes if s.has_table]
    assert len(tables) > 1
    assert all(t.rows[0].cells[0].text == "序号" for t in tables)
    numbers = [r.cells[0].text for t in tables for r in list(t.rows)[1:]]
    assert numbers == [str(i) for i in range(1, 41)]
    for slide in prs.slides:
        for s in slide.shapes:
            if s.has_table:
                assert (s.top + s.height) / 914400 <= 7.5  # on the slide


def test_items_of_one_title_are_told_apart_on_their_slides():
    """Two cases of one document with one title (synthetic): their slides and chart slides name
    the heading where their sections part."""
    first = _case()
    second = ExportItem(**{**first.as_dict(), "key": "case:doc000000001-c002", "section": "二、企业案例 > 案例二",
                           "outcomes": first.outcomes[:1]})
    prs = Presentation(io.BytesIO(export_pptx([first, second], "合成课件")))
    titles = [_title(s) for s in prs.slides]
    assert "1. 合成市家纺小微企业质量提升（合成案例） · 案例一" in titles
    assert "2. 合成市家纺小微企业质量提升（合成案例） · 案例二 — 成效对比" in titles


def test_a_local_experience_without_a_trade_is_not_labelled_unknown_trade():
    """A province's 地方经验 spans many trades: "行业：未识别" read as a fault (tester, session 25).
    An enterprise case without a trade still says so."""
    from kb.export import ExportItem
    from kb.export_pptx import _meta

    local = ExportItem(key="case:x", source="case", title="合成省局", text="合成测试材料", doc_id="d", doc_title="文档",
                       kind="local_experience", region="合成省")
    assert _meta(local) == "地方经验 ｜ 地区：合成省"
    assert _meta(replace(local, kind="enterprise_case")) == "企业案例 ｜ 地区：合成省 ｜ 行业：未识别"


def test_chart_bars_are_labelled_with_the_times_the_text_names():
    """The bars said 之前/之后 even when the figures' sentence names the years or the step (合成测试材料)."""
    item = replace(_case(), outcomes=(
        ExportOutcome("产品缺陷发生率", 15.0, 7.0, None, "%", 3, text="合成企业产品缺陷发生率由2022年的15%降至2023年的7%"),
        ExportOutcome("返工率", 8.5, 2.1, None, "%", 3, text="返工率 | 8.5% | 2.1%"),
        ExportOutcome("年销售额", 3960.0, 4500.0, None, "万元", 4, text="年销售额由3960万元增至4500万元")),
        text="合成案例原文。\n指标 | 帮扶前 | 帮扶后；返工率 | 8.5% | 2.1%；")
    prs = Presentation(io.BytesIO(export_pptx([item], "合成测试课件")))
    charts = [s.chart for slide in prs.slides for s in slide.shapes if s.has_chart]
    labels = {c.chart_title.text_frame.text: list(c.plots[0].categories) for c in charts}
    assert labels == {"产品缺陷发生率（%）": ["2022年", "2023年"], "返工率（%）": ["帮扶前", "帮扶后"],
                      "年销售额（万元）": ["之前", "之后"]}
