"""kb.pdf_order: a PDF line drawn in two passes (quotes and leaders first) is read left to right.

All PDFs here are SYNTHETIC, written by tests/pdfgen.py with invented text.
"""

from __future__ import annotations

import re

import pdfgen
from pypdf import PdfReader

from kb.loaders import load_document
from kb.pdf_order import RunRecorder, _lines_in_order, reordered_pages
from kb.pipeline import parse_document

QUOTED = ["合成市监管局联合银行推出“认证贷”，对获证企业给予优惠。", "抽检合格率由“88%”提升至96%。"]


def test_pypdf_reads_a_two_pass_line_in_drawing_order(tmp_path):
    """The defect being fixed, as pypdf shows it (if pypdf starts to sort runs, this test says so)."""
    path = pdfgen.write_two_pass_pdf(tmp_path / "两遍.pdf", [QUOTED])
    raw = PdfReader(str(path)).pages[0].extract_text()
    assert "推出“认证贷”" not in re.sub(r"\s", "", raw)
    assert raw.startswith("“")


def test_two_pass_line_is_read_left_to_right(tmp_path):
    path = pdfgen.write_two_pass_pdf(tmp_path / "两遍.pdf", [QUOTED])
    assert load_document(path).pages[0].text.splitlines() == QUOTED


def test_table_of_contents_with_leaders_drawn_first_is_left_out(tmp_path):
    """A cover, a contents page whose leaders and quotes were drawn before the text, then the cases
    (a tester's LibreOffice PDF): the contents lines are recognised and not indexed."""
    pages = [
        ["合成案例汇编"],
        ["目录", "一、合成省甲市：“认证贷”助力竹木企业 …… 1", "二、合成省乙市某纸箱厂 …… 2"],
        ["一、合成省甲市：“认证贷”助力竹木企业", "存在问题：合格率仅为88%，融资难。", "主要做法：推出“认证贷”。"],
        ["二、合成省乙市某纸箱厂", "存在问题：退货率达4.5%。", "取得成效：退货率由4.5%降至0.8%。"],
    ]
    path = pdfgen.write_two_pass_pdf(tmp_path / "合成案例汇编.pdf", pages)
    doc = load_document(path)
    assert doc.pages[1].text.replace(" ", "").splitlines()[1] == "一、合成省甲市：“认证贷”助力竹木企业……1"
    parsed = parse_document(path)
    assert not any("目录" in c.text or "……" in c.text for c in parsed.chunks)
    assert any("推出“认证贷”" in c.text for c in parsed.chunks)


def test_pages_drawn_in_order_keep_pypdfs_text(sample_files):
    reader = PdfReader(str(sample_files["report_pdf"]))
    for page, loaded in zip(reader.pages, load_document(sample_files["report_pdf"]).pages):
        runs = RunRecorder()
        assert page.extract_text(visitor_text=runs) == loaded.text == page.extract_text()
        assert runs.origins and not runs.out_of_order()


def test_a_page_is_only_reordered_never_changed(tmp_path):
    """pdfium's text is used only when it holds exactly the characters pypdf read."""
    path = pdfgen.write_two_pass_pdf(tmp_path / "两遍.pdf", [QUOTED])
    raw = PdfReader(str(path)).pages[0].extract_text()
    assert reordered_pages(path, {1: raw}) == {1: "\n".join(QUOTED)}
    assert reordered_pages(path, {1: raw + "多"}) == {}


def test_lines_keep_the_order_they_were_drawn_in():
    """Two columns drawn one after the other on the same baselines stay apart; within a line,
    glyphs are read by position, and a wide gap is a space."""
    def glyphs(text, x, y):
        return [(ch, x + 10 * k, y, x + 10 * k + 10, 10.0) for k, ch in enumerate(text)]

    left = glyphs("左栏一", 50, 700) + glyphs("左栏二", 50, 680)
    right = glyphs("右栏一", 300, 700) + glyphs("右栏二", 300, 680)
    assert _lines_in_order(left + right) == "左栏一\n左栏二\n右栏一\n右栏二"
    line = glyphs("”", 80, 700) + glyphs("甲", 50, 700) + glyphs("乙丙", 90, 700) + glyphs("“", 60, 700) \
        + glyphs("丁", 70, 700) + glyphs("戊", 140, 700)
    assert _lines_in_order(line) == "甲“丁”乙丙 戊"
