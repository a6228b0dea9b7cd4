"""Printed page numbers: a PDF whose pages show other numbers than the file's page count (a cover
and a contents page before printed page 1, or the PDF's own page labels) is cited with both.

All documents here are synthetic (written by the tests)."""

from __future__ import annotations

import json

import pdfgen
import pytest

from kb import KBConfig, KnowledgeBase
from kb.export import _pages_list, export_markdown, item_from_case_hit, item_from_hit
from kb.loaders import load_document, printed_page_labels
from kb.present import citation_text, page_text

CASE = [
    "案例1：合成市某胶合板企业以原料检验降低甲醛释放量（合成测试材料）",
    "存在问题：原料胶黏剂进货不检验，抽检合格率仅82%。",
    "帮扶措施：建立胶黏剂进货检验制度，配置甲醛快速检测设备。",
    "取得成效：抽检合格率由82%提升至97%，客户退货率由6%降至1%。",
]


def _collection_pdf(path, footers: bool = True):
    """Cover, contents, then two body pages whose footers print 1 and 2."""
    pages = [["合成测试材料：某省企业优良案例汇编（合成）", "二〇二三年十二月"],
             ["目  录", "案例1 合成市某胶合板企业 ………… 1"],
             CASE + (["— 1 —"] if footers else []),
             ["案例2：合成县某豆制品企业理顺生熟分区（合成测试材料）", "存在问题：豆腐易发酸，客户投诉多。",
              "取得成效：客户投诉由每月15起降至3起。"] + (["— 2 —"] if footers else [])]
    return pdfgen.write_pdf(path, pages, footer=False)


@pytest.mark.parametrize("texts, catalog, expected", [
    (["封面", "目录", "正文\n— 1 —", "正文\n— 2 —", "正文\n- 3 -"], None, {3: "1", 4: "2", 5: "3"}),
    (["正文\n— 1 —", "正文\n— 2 —"], None, {}),  # the printed number is the file page: nothing to add
    (["封面", "正文\n第 1 页 共 2 页", "正文\n第2页"], None, {2: "1", 3: "2"}),
    (["封面", "第一段\n1", "第二段\n2", "第三段"], None, {2: "1", 3: "2"}),  # bare numbers on the last line
    (["封面", "正文\n— 19 —", "正文"], None, {}),  # one footer alone proves no numbering
    (["表格\n35", "表格\n12", "表格\n7"], None, {}),  # numbers that do not run in step
    (["a", "b", "c"], ["i", "ii", "1"], {1: "i", 2: "ii", 3: "1"}),  # the PDF's own labels win
    # labels that only repeat the page count say nothing: the footers still count
    (["a\n— 5 —", "b\n— 6 —"], ["1", "2"], {1: "5", 2: "6"}),
])
def test_printed_page_labels(texts, catalog, expected):
    assert printed_page_labels(texts, catalog) == expected


def test_page_and_citation_text_name_both_numbers():
    assert page_text(5) == "第 5 页"
    assert page_text(5, printed="3") == "第 5 页（印刷页码 3）"
    assert page_text(5, 6, "3", "4") == "第 5–6 页（印刷页码 3–4）"
    assert citation_text("文档", "一、概况", 5, None, printed="3") == "《文档》 · 一、概况 · 第 5 页（印刷页码 3）"
    assert _pages_list([1, 4], {4: "2"}) == "第 1、4（印刷页码 2） 页"
    assert _pages_list([3, 4], {3: "1", 4: "2"}) == "第 3、4 页（印刷页码 1、2）"
    assert _pages_list([3, 4]) == "第 3、4 页"


def test_a_pdf_with_a_cover_reads_its_footers(tmp_path):
    doc = load_document(_collection_pdf(tmp_path / "合成汇编.pdf"))
    assert {p.number: p.label for p in doc.pages} == {1: None, 2: None, 3: "1", 4: "2"}
    plain = load_document(_collection_pdf(tmp_path / "无页脚.pdf", footers=False))
    assert all(p.label is None for p in plain.pages)


def test_the_pdfs_own_page_labels_are_read(tmp_path):
    from pypdf import PdfReader, PdfWriter

    src = _collection_pdf(tmp_path / "源.pdf", footers=False)
    writer = PdfWriter(clone_from=PdfReader(str(src)))
    writer.set_page_label(0, 1, style="/r")  # i, ii
    writer.set_page_label(2, 3, style="/D", start=1)  # 1, 2
    out = tmp_path / "页码标签.pdf"
    with open(out, "wb") as fh:
        writer.write(fh)
    assert [p.label for p in load_document(out).pages] == ["i", "ii", "1", "2"]


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    home = tmp_path_factory.mktemp("printed")
    (home / "corpus").mkdir()
    _collection_pdf(home / "corpus" / "合成汇编.pdf")
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64", backend="local"))
    assert not kb.ingest().failed
    return kb


def test_results_cases_and_exports_cite_the_printed_number(kb):
    hit = next(h for h in kb.search("胶合板 甲醛 胶黏剂", top_k=5) if "胶黏剂" in h.chunk.text)
    assert (hit.chunk.page, hit.printed_page) == (3, "1")
    data = hit.as_dict()
    assert data["page"] == 3 and data["printed_page"] == "1"
    json.dumps(data, ensure_ascii=False)
    case = next(h for h in kb.cases() if "胶合板" in h.case.title)
    assert case.case.page == 3 and case.printed_of(3) == "1" and case.as_dict()["printed_page"] == "1"
    item = item_from_case_hit(case)
    assert "第 3 页（印刷页码 1）" in export_markdown([item], "合成课件")
    assert "第 3 页（印刷页码 1）" in export_markdown([item_from_hit(hit)], "合成课件")


def test_the_labels_survive_an_ingest_that_reuses_the_document(kb):
    again = KnowledgeBase(kb.config)
    report = again.ingest()
    assert not report.failed
    doc = next(d for d in again.documents())
    assert dict(doc.page_labels) == {3: "1", 4: "2"}


def test_cli_cases_show_the_printed_number(kb, capsys, monkeypatch):
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(kb.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    monkeypatch.setenv("KB_BACKEND", "local")
    assert main(["cases"]) == 0
    out = capsys.readouterr().out
    assert "第 3 页（印刷页码 1）" in out and "第 4 页（印刷页码 2）" in out


@pytest.mark.parametrize("cover, title", [
    (["合成测试材料：某省企业优良案例汇编（合成）", "二〇二三年十二月"], "合成测试材料：某省企业优良案例汇编（合成）"),
    (["合成测试材料：某省认证提升行动", "典型案例汇编", "某省市场监督管理局  2024年12月"],
     "合成测试材料：某省认证提升行动典型案例汇编"),
    (["合成测试材料：某省认证提升行动典型案例汇编", "某省市场监督管理局", "2024年12月"],
     "合成测试材料：某省认证提升行动典型案例汇编"),
    # an issuer named "…部门" (a tester's title became "…地方典型经验选编某市场监管部门2024年11月")
    (["合成测试材料：小微企业认证提升行动地方典型经验选编", "某市场监管部门  2024年11月"],
     "合成测试材料：小微企业认证提升行动地方典型经验选编"),
])
def test_the_title_is_the_covers_title_lines_only(tmp_path, cover, title):
    """A cover's issuer and date (on one line or two) are neither the title nor a passage: the
    title cited everywhere is the title lines (a tester's cover gave "…汇编某省市场监督管理局2024年12月")."""
    from kb.pipeline import parse_document

    path = _collection_pdf(tmp_path / "合成汇编.pdf")
    pages = [cover, ["目  录", "案例1 合成市某胶合板企业 ………… 1"], CASE + ["— 1 —"]]
    parsed = parse_document(pdfgen.write_pdf(path, pages, footer=False))
    assert parsed.title == parsed.document.title == title
    assert not any("监督管理局" in c.text or "十二月" in c.text or "12月" in c.text for c in parsed.chunks)
