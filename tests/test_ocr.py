"""kb.ocr: scanned PDF pages are rendered and OCR'd offline, marked as OCR all the way to the
search results, and kept within page, time, pixel and memory limits.

Every scan here is generated at test time (kb/scan_samples.py) from SYNTHETIC sentences
written for the tests, drawn with a CJK font and degraded (skew, blur, noise, JPEG).
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import replace
from pathlib import Path

import hostile
import pdfgen
import pytest

from kb import KBConfig, KnowledgeBase, ocr
from kb.errors import UnreadableDocument
from kb.indexing import ocr_note
from kb.loaders import load_document
from kb.ocr import OcrSettings
from kb.pipeline import parse_document
from kb.scan_samples import Degradation, character_accuracy, find_cjk_font, wrap_lines, write_scan_pdf
from kb.worker import ParseWorker

SYNTHETIC = ("（合成测试文字）合成市家纺产业质量提升试点：认证机构派出审核员上门帮扶，产品缺陷发生率从15%降至7%，"
             "退货率下降一半。企业建立首件检验和巡检制度，月度质量例会成为常态。")
SYNTHETIC_2 = pdfgen.SCAN_TEXT
SMALL = pdfgen.SMALL_SCAN  # a small page: 5 lines of 20 characters

pytestmark = pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font (apt-get install fonts-noto-cjk)")


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("scans")
    one = write_scan_pdf(d / "扫描件.pdf", [wrap_lines(SYNTHETIC, 20)], **SMALL)
    two = write_scan_pdf(d / "扫描件两页.pdf", [wrap_lines(SYNTHETIC, 20), wrap_lines(SYNTHETIC_2, 20)], seed=5,
                         **SMALL)
    return {"one": one, "two": two, "mixed": pdfgen.write_mixed_scan_pdf(d)}


@pytest.fixture()
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[1:] if len(args) > 1 else kwargs}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- OCR itself ---------------------------------------------------------------------------

def test_scanned_page_is_read_offline_with_confidence(scans, no_network, monkeypatch):
    monkeypatch.setattr(ocr, "_engine", None)  # load the models again, with the network blocked
    events = []
    parsed = parse_document(scans["one"], progress=events.append)
    page = parsed.document.pages[0]
    assert page.ocr and 0.8 < page.ocr_confidence <= 1.0
    assert character_accuracy(SYNTHETIC, page.text) >= 0.95, page.text
    assert "产品缺陷发生率从15%降至7%" in page.text.replace("\n", "")
    assert all(c.ocr and c.ocr_confidence == page.ocr_confidence for c in parsed.chunks)
    assert [(e.kind, e.done, e.total) for e in events] == [("start", 0, 1), ("page", 1, 1)]
    assert ocr.engine_loaded()


def test_only_pages_without_text_layer_are_ocrd(scans):
    doc = load_document(scans["mixed"])
    text_page, scan_page = doc.pages
    assert not text_page.ocr and text_page.ocr_confidence is None
    assert "本页有文字层" in text_page.text.replace("\n", "")
    assert scan_page.ocr and character_accuracy("二、合成扫描页" + SYNTHETIC_2, scan_page.text) >= 0.95, scan_page.text


def test_missing_model_file_is_a_clear_message_not_a_download(scans, no_network, monkeypatch, tmp_path):
    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setattr(ocr, "model_paths", lambda: (tmp_path / ocr.DET_MODEL, tmp_path / ocr.REC_MODEL))
    with pytest.raises(UnreadableDocument) as info:
        load_document(scans["one"])
    assert "OCR 模型文件缺失" in info.value.reason and ocr.DET_MODEL in info.value.reason
    assert info.value.path == str(scans["one"])


def test_ocr_can_be_switched_off(scans):
    with pytest.raises(UnreadableDocument, match="没有文字层.*已关闭 OCR"):
        load_document(scans["one"], OcrSettings(enabled=False))


def test_page_limit_refuses_before_any_ocr(scans):
    events = []
    with pytest.raises(UnreadableDocument) as info:
        load_document(scans["two"], OcrSettings(max_pages=1), progress=events.append)
    assert "2 页没有文字层" in info.value.reason and "上限 1 页" in info.value.reason
    assert events == []


def test_time_limit_stops_after_the_page_that_passes_it(scans):
    events = []
    with pytest.raises(UnreadableDocument) as info:
        load_document(scans["two"], OcrSettings(max_seconds=0.0), progress=events.append)
    assert "OCR 用时超过" in info.value.reason and "已识别 1/2 页" in info.value.reason
    assert [e.kind for e in events] == ["start", "page"]


def test_progress_text():
    assert ocr.progress_text(0, 10, 0.0) == "OCR 第 1/10 页（正在估算用时）"
    assert ocr.progress_text(2, 10, 20.0) == "OCR 第 3/10 页，预计还需约 80 秒"
    assert ocr.progress_text(5, 100, 50.0) == "OCR 第 6/100 页，预计还需约 16 分钟"
    assert ocr.progress_text(3, 3, 31.0) == "OCR 已完成 3 页，用时 31 秒"


# --- text assembly (no model) -------------------------------------------------------------

class _Result:
    def __init__(self, rows):
        self.boxes = [[(x, y), (x + w, y), (x + w, y + h), (x, y + h)] for x, y, w, h, _, _ in rows]
        self.txts = tuple(r[4] for r in rows)
        self.scores = tuple(r[5] for r in rows)


def test_page_text_orders_boxes_into_lines_and_weights_scores():
    result = _Result([
        (500, 102, 200, 40, "第二段", 0.8),  # same line as the box at x=100, detected separately
        (100, 100, 300, 40, "一、总体情况", 1.0),
        (100, 160, 600, 40, "合成测试正文(一)：", 0.9),
        (100, 220, 300, 40, "噪点", 0.3),  # below the score floor: dropped
    ])
    text, score = ocr.page_text(result)
    assert text == "一、总体情况 第二段\n合成测试正文（一）："
    assert score == pytest.approx((6 * 1.0 + 3 * 0.8 + 10 * 0.9) / 19)  # weighted by characters


def test_fullwidth_punctuation_only_next_to_chinese():
    assert ocr.fullwidth_punctuation("试点:认证(一),下降") == "试点：认证（一），下降"
    assert ocr.fullwidth_punctuation("GB/T 19001-2016 (ISO 9001:2015)") == "GB/T 19001-2016 (ISO 9001:2015)"
    assert ocr.fullwidth_punctuation("增长3.7%,") == "增长3.7%,"


# --- rendering limits ---------------------------------------------------------------------

def test_render_caps_pixels_of_huge_and_empty_page_boxes(tmp_path):
    import pypdfium2 as pdfium

    huge = hostile.write_huge_page_pdf(tmp_path)
    zero = hostile.write_zero_size_page_pdf(tmp_path)
    settings = OcrSettings(dpi=200, max_side=1200)
    pdf = pdfium.PdfDocument(str(huge))
    try:
        image = ocr.render_page(pdf, 0, settings)
    finally:
        pdf.close()
    assert max(image.shape) <= 1200  # 14 400 pt at 200 dpi would be 40 000 pixels
    pdf = pdfium.PdfDocument(str(zero))
    try:
        # pdfium replaces an empty /MediaBox with the default page size (612 × 792 pt)
        image = ocr.render_page(pdf, 0, settings)
    finally:
        pdf.close()
    assert image is None or max(image.shape) <= 1200


def test_declared_image_bomb_is_refused_before_rendering(tmp_path):
    events = []
    with pytest.raises(UnreadableDocument, match="图片炸弹"):
        load_document(hostile.write_image_bomb_pdf(tmp_path), progress=events.append)
    assert events == []


# --- the worker: progress, deadline per page ----------------------------------------------

def test_worker_extends_its_deadline_per_scanned_page(scans):
    """0.5 s would not even load the models; each OCR page adds its allowance (the first page
    shares the allowance of the model load, so a 0.001 s allowance stops the second page)."""
    events = []
    with ParseWorker(timeout_s=0.5) as worker:
        result = worker.parse(scans["one"], progress=events.append)
        assert result.chunks[0].ocr
        assert [e.kind for e in events] == ["start", "page"]
        with pytest.raises(UnreadableDocument, match=r"OCR 识别超时：扫描页第 2/2 页超过 0.001 秒"):
            worker.parse(scans["two"], ocr_page_s=0.001)


def test_worker_result_with_ocr_equals_in_process_parse(scans):
    with ParseWorker(timeout_s=20) as worker:
        assert worker.parse(scans["mixed"]) == parse_document(scans["mixed"])


# --- through the knowledge base: SQLite, search hits, JSON, progress ----------------------

def test_ocr_marks_reach_the_index_search_json_and_kb_chunks(scans, tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    (home / "corpus").mkdir(parents=True)
    for key in ("mixed",):
        (home / "corpus" / scans[key].name).write_bytes(scans[key].read_bytes())
    hostile.seed_tokenizer_cache(home / "indexes")
    kb = KnowledgeBase(replace(KBConfig(home=home, model="hash-bigram-64"), parse_timeout_s=20))
    seen = []
    report = kb.ingest(progress=lambda *a: seen.append(a))
    (res,) = report.files
    assert res.status == "indexed" and "1 页为扫描件，已 OCR 识别" in res.reason
    ocr_events = [a for a in seen if a[0] == "ocr"]
    assert ocr_events[0][1:3] == (0, 1) and "OCR 第 1/1 页" in ocr_events[0][3]
    assert ocr_events[-1][1:3] == (1, 1)

    chunks = KnowledgeBase(kb.config).chunks()  # read back from SQLite by a fresh instance
    by_page = {c.page: c for c in chunks}
    assert by_page[2].ocr and 0.8 < by_page[2].ocr_confidence <= 1
    assert not by_page[1].ocr and by_page[1].ocr_confidence is None

    hits = kb.search("雨伞 认证贷", top_k=3, mode="bm25")
    row = json.loads(json.dumps(hits[0].as_dict(), ensure_ascii=False))
    assert row["page"] == 2 and row["ocr"] is True and 0.8 < row["ocr_confidence"] <= 1
    text_hit = kb.search("文字层 基本情况", top_k=1, mode="bm25")[0].as_dict()
    assert text_hit["page"] == 1 and text_hit["ocr"] is False and text_hit["ocr_confidence"] is None

    # kb chunks (JSON and text) carries the same marks
    from kb import cli

    monkeypatch.setenv("KB_HOME", str(home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    capsys.readouterr()
    assert cli.main(["chunks", "--json"]) == 0
    rows = {r["page"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows[2]["ocr"] is True and 0.8 < rows[2]["ocr_confidence"] <= 1
    assert rows[1]["ocr"] is False and rows[1]["ocr_confidence"] is None
    assert cli.main(["chunks"]) == 0
    assert "第 2 页  （OCR 识别，置信度 " in capsys.readouterr().out
    # kb search (plain text) marks the scanned passage in its citation, and not the typed one
    assert cli.main(["search", "雨伞 认证贷", "--mode", "bm25", "--top-k", "1"]) == 0
    out = capsys.readouterr().out
    assert "（扫描件 OCR 识别，置信度 " in out and "请核对原件" in out
    assert cli.main(["search", "文字层 基本情况", "--mode", "bm25", "--top-k", "1"]) == 0
    assert "OCR" not in capsys.readouterr().out


def test_cli_progress_bar_shows_ocr_pages(capsys):
    from kb.cli import _Bar

    bar = _Bar(True)
    bar("parse", 0, 2, "corpus/扫描.pdf")
    for done in range(3):
        bar("ocr", done, 2, f"corpus/扫描.pdf：{ocr.progress_text(done, 2, 9.0 * done)}")
    bar("parse", 2, 2, "")
    err = capsys.readouterr().err
    assert "OCR 识别" in err and "OCR 第 2/2 页，预计还需约 9 秒" in err and "解析文件" in err
    assert bar.bars == {}  # every bar closed


def test_citation_says_ocr():
    from kb.present import citation_text

    assert citation_text("合成报告", "一、总体", 2, None, True, 0.963) == \
        "《合成报告》 · 一、总体 · 第 2 页（扫描件 OCR 识别，置信度 0.96）"
    assert citation_text("合成报告", "一、总体", 2) == "《合成报告》 · 一、总体 · 第 2 页"


# --- accuracy on a dense degraded A4 scan (slow: ~10–40 s on 2 cores) -----------------------

@pytest.mark.slow
def test_dense_degraded_a4_scan_accuracy(tmp_path):
    text = (SYNTHETIC + SYNTHETIC_2) * 8
    lines = wrap_lines(text, 34)[:36]
    path = write_scan_pdf(tmp_path / "A4.pdf", [lines], how=Degradation(skew_deg=1.0, blur=1.0, noise=18, jpeg_quality=60))
    page = load_document(path).pages[0]
    assert page.ocr
    assert character_accuracy("".join(lines), page.text) >= 0.98


def test_pages_scanned_on_their_side_or_upside_down_are_turned_upright(tmp_path):
    lines = wrap_lines(SYNTHETIC, 20)
    path = write_scan_pdf(tmp_path / "方向不正.pdf", [lines] * 4, turns=(0, 90, 180, 270), seed=3, **SMALL)
    got = ocr.ocr_pdf_pages(path, [1, 2, 3, 4], OcrSettings())
    assert [p.turned for p in got] == [0, 270, 180, 90]  # each turned back the way it was turned
    for p in got:
        assert character_accuracy(SYNTHETIC, p.text) >= 0.95, (p.number, p.text)
        assert p.confidence > 0.9
    parsed = parse_document(path)
    assert [p.ocr_turned for p in parsed.document.pages] == [0, 270, 180, 90]
    assert "第 2、3、4 页方向不正，已自动转正后识别" in ocr_note(parsed.document)


def test_page_text_that_runs_down_the_page_counts_as_sideways():
    class Result:  # the shape of a RapidOCR result: four corner points per box
        boxes = [[(0, 0), (40, 0), (40, 400), (0, 400)], [(0, 0), (400, 0), (400, 40), (0, 40)]]
        txts = ["竖排的一行文字共十个字", "横排"]
        scores = [0.9, 0.4]

    assert ocr._sideways_share(Result()) == pytest.approx(11 / 13)
    assert ocr._strength(Result()) == pytest.approx(11 * 0.9)  # the 0.4 line is below the usable score


# --- scans with a small typed text layer (header, watermark) ------------------------------

@pytest.mark.parametrize("watermark", [False, True], ids=["header", "watermark"])
def test_scan_with_a_typed_header_or_watermark_is_ocrd(tmp_path, watermark):
    stamp = "内部资料 注意保存" if watermark else "附件2  第1页"
    path = pdfgen.write_stamped_scan_pdf(tmp_path, stamp=stamp, watermark=watermark)
    (page,) = load_document(path).pages
    assert page.ocr and page.ocr_confidence > 0.8
    text = re.sub(r"\s", "", page.text)
    assert "伞骨断裂率由5.1%降至1.2%" in text
    assert character_accuracy(pdfgen.STAMPED_SCAN_TEXT, text.replace(re.sub(r"\s", "", stamp), "")) >= 0.9, text
    if not watermark:  # the header is read by OCR too, and kept once
        assert text.count("附件2第1页") == 1


def test_landscape_page_with_a_picture_and_a_short_title_keeps_its_text_layer(tmp_path, monkeypatch):
    """A slide saved as PDF looks like a stamped scan (a short typed title over a page-sized
    picture) but is landscape: its typed text is kept and no OCR runs."""
    from kb import loaders

    path = pdfgen.write_stamped_scan_pdf(tmp_path, name="课件另存.pdf", stamp="合成课件标题", portrait=False)
    monkeypatch.setattr(loaders, "ocr_pdf_pages", lambda *a, **k: pytest.fail("OCR ran on a slide page"))
    (page,) = load_document(path).pages
    assert not page.ocr and "合成课件标题" in page.text


def test_typed_stamp_is_kept_only_where_ocr_did_not_read_it():
    from kb.loaders import merge_stamp

    ocr_text = "附件2 第1页\n（合成测试文字）合成县伞业小厂通过认证。"
    assert merge_stamp(ocr_text, "附件2  第1页\n") == ocr_text  # read by OCR: not repeated
    assert merge_stamp(ocr_text, "附件2  第l页") == ocr_text  # one character misread still counts
    assert merge_stamp(ocr_text, "内部资料 注意保存") == ocr_text + "\n\n内部资料 注意保存"


def test_text_pdf_with_a_logo_costs_no_ocr(tmp_path, monkeypatch):
    from kb import loaders

    path = pdfgen.write_logo_text_pdf(tmp_path)

    def refuse(*args, **kwargs):
        raise AssertionError("a text page with a logo was sent to OCR")

    measured = []
    real_coverage = ocr.image_coverage
    monkeypatch.setattr(loaders, "ocr_pdf_pages", refuse)
    monkeypatch.setattr(ocr, "image_coverage", lambda p, numbers: measured.append(list(numbers)) or real_coverage(p, numbers))
    doc = load_document(path)
    assert [p.ocr for p in doc.pages] == [False, False]
    assert "合成测试报告（封面）" in doc.pages[0].text
    assert measured == [[1]]  # only the short cover page is measured; the logo covers < 1 % of it
    assert real_coverage(path, [1, 2])[1] < 0.01
