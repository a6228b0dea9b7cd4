"""The Streamlit app (app.py) through ``streamlit.testing.v1.AppTest``, and its helpers (kb/ui_helpers.py).

The app runs against a temporary KB_HOME holding a copy of ``corpus/`` plus one synthetic
document (clearly marked as such) whose text contains HTML/Markdown injection attempts.
The deterministic test embedder (``KB_MODEL=hash-bigram-64``) keeps these tests fast.
"""

from __future__ import annotations

import io
import re
import shutil
import threading
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import markdown_it
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from kb import KBConfig, KnowledgeBase
from kb import ui_helpers as ui
from kb.export import ExportItem
from kb.records import Outcome

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
MODEL = "hash-bigram-64"

XSS_NAME = "合成安全测试文档.txt"
XSS_TEXT = """合成测试文档（非真实案例，仅用于界面安全测试）

一、界面安全测试

本段落是为测试而编写的合成文字，不是真实的企业案例。文档中出现的脚本标签<script>alert(1)</script>必须作为普通文字原样显示。\
图片标签<img src=x onerror=alert(1)>同样必须原样显示，不得被浏览器执行。链接写法[点我](javascript:alert(1))也只能显示为文字。\
符号 *星号* _下划线_ $x$ :red[红色] &lt;实体&gt; 也应原样显示。安全测试关键词：防注入校验样本。
"""


def _make_home(root: Path, with_xss: bool = True, ingest: bool = True) -> Path:
    shutil.copytree(REPO / "corpus", root / "corpus")
    if with_xss:
        (root / "corpus" / XSS_NAME).write_text(XSS_TEXT, encoding="utf-8")
    if ingest:
        report = KnowledgeBase(replace(KBConfig(), home=root, model=MODEL)).ingest()
        assert not report.failed, report.failed
    return root


@pytest.fixture(scope="module")
def kb_home(tmp_path_factory) -> Path:
    """An indexed KB_HOME shared by the read-only app tests."""
    return _make_home(tmp_path_factory.mktemp("kb_home"))


def _start(monkeypatch, home: Path, model: str = MODEL, wait_model: bool = True) -> AppTest:
    monkeypatch.setenv("KB_HOME", str(home))
    monkeypatch.setenv("KB_MODEL", model)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    deadline = time.monotonic() + 20
    while wait_model and not any(c.value.startswith("语义模型：") and "加载中" not in c.value
                                 for c in at.sidebar.caption):
        assert time.monotonic() < deadline, "model warm-up did not finish"
        time.sleep(0.1)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def app(monkeypatch, kb_home) -> AppTest:
    return _start(monkeypatch, kb_home)


def _goto(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="q").set_value(query).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _plain(elements) -> list[str]:
    """Message texts with the Markdown backslash escapes removed."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]


# --------------------------------------------------------------------------- 案例检索

def test_empty_query_shows_clickable_examples(app):
    assert not app.error
    assert "**可以这样问**（点击即可检索）：" in _markdown(app)
    labels = [b.label for b in app.button]
    assert all(example in labels for example in ui.EXAMPLE_QUERIES)
    app.button(key="ex-0").click().run()
    assert app.text_input(key="q").value == ui.EXAMPLE_QUERIES[0]
    assert any(c.startswith("找到 ") for c in _captions(app))
    assert any(c.startswith("出处：") for c in _captions(app))


def test_search_card_has_highlight_outcomes_and_citation(app):
    _search(app, "家纺 产品缺陷率")
    caption = next(c for c in _captions(app) if c.startswith("找到 "))
    assert "混合检索" in caption and "按术语表扩展" in caption
    md = _markdown(app)
    assert md[0] == "**直接回答**"
    assert any(m.startswith("**1\\. ") for m in md)
    assert any(":orange[**家纺**]" in m for m in md)
    # The passage that belongs to the 南通 case carries its outcome figures as badges.
    assert any(":green-badge[产品缺陷发生率：15\\% → 7\\%]" in m for m in md)
    citations = [c for c in _captions(app) if c.startswith("出处：")]
    assert citations and all("《2023年度" in c for c in citations)
    assert any("第 5 页" in c for c in citations)
    assert any(c.startswith("本段涉及的案例：江苏南通市") for c in _captions(app))


def test_add_to_basket_and_similar_cases(app):
    _search(app, "家纺 产品缺陷率")
    add = next(b for b in app.button if b.key and b.key.startswith("add-hit-"))
    add.click().run()
    assert len(app.session_state.basket) == 1
    item = app.session_state.basket[0]
    assert isinstance(item, ExportItem) and item.source == "passage" and item.doc_title.startswith("2023年度")
    assert app.button(key=add.key).disabled and app.button(key=add.key).label == "已在课件中"
    assert app.sidebar.caption[-1].value == "课件篮：1 条"

    sim = next(b for b in app.button if b.key and b.key.startswith("sim-hit-"))
    sim.click().run()
    assert not app.exception
    assert "**相似案例**" in _markdown(app)
    # Similar cases come with their own add buttons (case items).
    nested = [b for b in app.button if b.key and b.key.startswith(f"add-{sim.key[4:]}-")]
    assert nested
    nested[0].click().run()
    assert [it.source for it in app.session_state.basket] == ["passage", "case"]


def test_filters_and_mode_switch(app):
    _search(app, "质量提升")
    app.selectbox(key="s_industry").set_value("纺织业").run()
    badges = [m for m in _markdown(app) if m.startswith(":gray-badge[") or m.startswith(":blue-badge[")]
    assert badges and all("行业：C17 纺织业" in b for b in badges)
    app.selectbox(key="s_industry").set_value("__all__")
    app.radio(key="s_mode").set_value("bm25").run()
    assert any("（关键词检索）" in c for c in _captions(app))
    app.radio(key="s_mode").set_value("dense").run()
    assert any("（语义检索）" in c for c in _captions(app))
    # The shipped corpus is one report: filtering by 报告 keeps every card, each badged 报告 …
    app.selectbox(key="s_kind").set_value("report").run()
    kinds = _kind_badges(app)
    assert len(kinds) == 10 and all(m.startswith(":gray-badge[报告]") for m in kinds)
    # … and by 企业案例 leaves nothing, which the user is told.
    app.selectbox(key="s_kind").set_value("enterprise_case").run()
    assert "找到 0 条结果（语义检索）" in _captions(app)
    assert [i.value[:len(NO_RESULTS)] for i in app.main.info] == [NO_RESULTS]
    assert not _kind_badges(app) and not [c for c in _captions(app) if c.startswith("出处：")]


NO_RESULTS = "没有找到相关内容。"  # the message starts so, then suggests what to change


def _kind_badges(at: AppTest) -> list[str]:
    """The badge line of each result card (it starts with the card's type)."""
    return [m for m in _markdown(at) if re.match(r":(gray|blue|green)-badge\[(报告|企业案例|地方经验)\]", m)]


def test_no_results_message(app):
    _search(app, "量子计算火箭发动机")
    app.radio(key="s_mode").set_value("bm25").run()
    # 北京 has no case: it is in the list because a passage names it (the 上海 ranking passage
    # holds 发动 of 组织发动, a BM25 match for 发动机).
    app.selectbox(key="s_region").set_value("北京市").run()
    assert "找到 0 条结果（关键词检索）" in _captions(app)
    assert [i.value[:len(NO_RESULTS)] for i in app.main.info] == [NO_RESULTS]
    assert not _kind_badges(app) and not [c for c in _captions(app) if c.startswith("出处：")]
    # Without the filter the same page shows cards again (the message is not stuck).
    app.selectbox(key="s_region").set_value("__all__").run()
    app.radio(key="s_mode").set_value("hybrid").run()
    assert not app.main.info and _kind_badges(app)


def test_document_text_is_shown_literally(app):
    source = APP.read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in source and "components.html" not in source
    # The one st.html call loads the static style sheet, which holds CSS rules only.
    assert re.findall(r"st\.html\(([^)]*)\)", source) == ["ui.APP_CSS"]
    css = ui.APP_CSS.read_text(encoding="utf-8")
    assert "<" not in css and 'InputInstructions"] { display: none; }' in css
    _search(app, "防注入校验样本")
    passage = next(m for m in _markdown(app) if "onerror" in m)
    assert "\\<script\\>alert\\(1\\)\\<\\/script\\>" in passage
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in passage
    assert "\\[点我\\]\\(javascript\\:alert\\(1\\)\\)" in passage
    assert "\\:red\\[红色\\]" in passage and "\\$x\\$" in passage and "\\&lt\\;" in passage
    # Only the highlight directive is unescaped markup.
    assert passage.replace(":orange[**", "").count("<") == passage.count("\\<")


# --------------------------------------------------------------------------- 可比案例

def test_comparable_cases_page(app):
    _goto(app, "可比案例")
    assert any(c.startswith("未填写条件：列出全部 ") for c in _captions(app))
    app.selectbox(key="c_industry").set_value("纺织业")
    app.text_input(key="c_problem").set_value("产品缺陷率高，返工多").run()
    assert not app.exception
    md = _markdown(app)
    first = next(m for m in md if m.startswith("**1\\. "))
    assert "南通" in first and "匹配度" in first
    parts = next(c for c in _captions(app) if c.startswith("匹配度构成：")).replace("\\", "")
    assert "问题匹配 +" in parts and "行业匹配 +1.100" in parts  # the trade asked, matching the problem
    assert any("行业：C17 纺织业" in m for m in md)
    assert any("- 产品缺陷发生率：15\\% → 7\\%（第 5 页）" in m for m in md)
    assert any(c.startswith("出处：《2023年度") and "第 5 页" in c for c in _captions(app))
    add = next(b for b in app.button if b.key and b.key.startswith("add-case-"))
    add.click().run()
    item = app.session_state.basket[0]
    assert item.source == "case" and "南通" in item.title and item.outcomes
    sim = next(b for b in app.button if b.key and b.key.startswith("sim-case-"))
    sim.click().run()
    assert "**相似案例**" in _markdown(app)


@pytest.mark.parametrize("problem", ["认证融资贷款门槛高", "产品质量不稳定，客户投诉多"])
def test_comparable_cases_set_apart_weak_matches_like_the_cli(app, kb_home, problem):
    """A problem with no trade: one "仅供参考" line, right before the first case the CLI and the
    JSON mark weak (none when no case is weak)."""
    hits = KnowledgeBase(replace(KBConfig(), home=kb_home, model=MODEL)).cases(problem=problem, top_k=10)
    _goto(app, "可比案例")
    app.text_input(key="c_problem").set_value(problem).run()
    assert not app.exception
    marks = [c for c in _captions(app) if "仅供参考" in c]
    weak = [h for h in hits if h.weak]
    assert len(marks) == (1 if weak else 0)
    if weak:
        assert ("没有与所述问题明显相符" in marks[0]) == (weak[0].rank == 1)


def test_comparable_cases_example_fills_form(app):
    _goto(app, "可比案例")
    app.button(key="cex-1").click().run()
    assert app.text_input(key="c_problem").value == ui.EXAMPLE_PROBLEMS[1][1]
    assert any(c.startswith("找到 ") for c in _captions(app))


# --------------------------------------------------------------------------- 检索测试

def test_retrieval_test_table(app):
    _goto(app, "检索测试")
    app.text_input(key="t_query").set_value("认证贷 融资").run()
    assert not app.exception
    df = app.dataframe[0].value
    assert {"名次", "融合分数", "BM25 名次", "语义名次"} <= set(df.columns)
    assert len(df) > 0 and df["融合分数"].between(0, 1).all()
    assert df["BM25 名次"].notna().any() and df["语义名次"].notna().any()
    assert any(m.startswith("**检索用词**") for m in _markdown(app))


# --------------------------------------------------------------------------- 课件导出

def test_export_page_with_basket(app):
    _goto(app, "课件导出")
    assert any("课件篮是空的" in i.value for i in app.info)
    _goto(app, "案例检索")
    _search(app, "认证贷 融资")
    for b in [b for b in app.button if b.key and b.key.startswith("add-hit-")][:2]:
        app.button(key=b.key).click().run()
    first, second = app.session_state.basket
    _goto(app, "课件导出")
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["导出 DOCX", "导出 PPTX", "导出 Markdown"]
    app.button(key=f"down-{first.key}").click().run()
    assert [it.key for it in app.session_state.basket] == [second.key, first.key]
    app.button(key=f"rm-{second.key}").click().run()
    assert [it.key for it in app.session_state.basket] == [first.key]
    app.text_input(key="e_title").set_value("认证贷课件").run()
    assert app.button(key="clear-basket").disabled  # emptying the basket asks for a tick first
    app.checkbox(key="confirm-clear").check().run()
    app.button(key="clear-basket").click().run()
    assert app.session_state.basket == []


def test_scanned_passage_is_marked_in_citations_and_manage_page(monkeypatch, tmp_path):
    """A passage read by OCR says so in its citation (search card, basket) and in 知识库管理."""
    import pdfgen

    from kb.scan_samples import find_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font (apt-get install fonts-noto-cjk)")
    (tmp_path / "corpus").mkdir()
    pdfgen.write_mixed_scan_pdf(tmp_path / "corpus")
    report = KnowledgeBase(replace(KBConfig(), home=tmp_path, model=MODEL, parse_timeout_s=30)).ingest()
    assert not report.failed, report.failed
    at = _start(monkeypatch, tmp_path)
    _search(at, "雨伞 认证贷")
    captions = [c.value for c in at.caption if c.value.startswith("出处：")]
    assert any("第 2 页（扫描件 OCR 识别，置信度 0" in c for c in captions), captions  # Markdown-escaped "0\\.98"
    assert not any("扫描件" in c for c in captions if "第 1 页" in c)
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("add-hit-"))).click().run()
    _goto(at, "课件导出")
    assert any("扫描件 OCR 识别" in c.value for c in at.caption)
    _goto(at, "知识库管理")
    df = next(d.value for d in at.dataframe if "OCR 分块" in d.value.columns)
    assert list(df["OCR 分块"]) == [1]


# --------------------------------------------------------------------------- 知识库管理

def test_manage_page_lists_documents(app):
    _goto(app, "知识库管理")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["文档"] == "2" and int(metrics["分块"]) > 30 and int(metrics["案例"]) >= 10
    df = app.dataframe[0].value
    assert set(df["格式"]) == {"TXT"} and len(df) == 2


def test_upload_checks_save_ingest_and_delete(monkeypatch, tmp_path):
    home = _make_home(tmp_path, with_xss=False)
    at = _start(monkeypatch, home)
    _goto(at, "知识库管理")
    good = "合成测试案例集（非真实内容）\n\n一、测试企业\n\n合成测试公司通过质量管理体系认证提升了管理水平。".encode()
    at.file_uploader[0].set_value([
        ("../../逃逸测试.txt", good, "text/plain"),
        ("假的.pdf", b"this is not a pdf", "application/pdf"),
        ("假的.docx", _zip_without_word(), "application/octet-stream"),
    ]).run()
    at.button(key="upload-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = _plain(at.error)
    assert any("假的.pdf" in e and "不是 PDF" in e for e in errors)
    assert any("假的.docx" in e and "word/document.xml" in e for e in errors)
    assert (home / "corpus" / "逃逸测试.txt").read_bytes() == good
    assert not (tmp_path.parent / "逃逸测试.txt").exists()
    assert any(s.startswith("导入完成") for s in _plain(at.success))
    assert len(at.dataframe) == 2  # last ingest report + document list
    report = at.dataframe[0].value
    assert "已索引" in set(report["状态"])
    assert {m.label: m.value for m in at.metric}["文档"] == "2"

    # The same content again is refused; a different file with a taken name gets a suffix.
    at.file_uploader[0].set_value([("逃逸测试.txt", good, "text/plain"),
                                   ("逃逸测试.txt", good + "补充一句。".encode(), "text/plain")]).run()
    at.button(key="upload-go").click().run()
    assert any("内容相同" in w for w in _plain(at.warning))
    assert (home / "corpus" / "逃逸测试 (2).txt").exists()
    assert {m.label: m.value for m in at.metric}["文档"] == "3"

    # Delete one document: its source leaves corpus/ and the index.
    docs = KnowledgeBase(replace(KBConfig(), home=home, model=MODEL)).documents()
    target = next(d for d in docs if d.path.endswith("逃逸测试 (2).txt"))
    at.selectbox(key="del-doc").set_value(target.doc_id).run()
    assert at.button(key="delete").disabled
    at.checkbox(key=f"confirm-del-{target.doc_id}").check().run()
    at.button(key="delete").click().run()
    assert not at.exception
    assert not (home / "corpus" / "逃逸测试 (2).txt").exists()
    assert {m.label: m.value for m in at.metric}["文档"] == "2"
    assert any(s.startswith("导入完成") and "移除 1" in s for s in _plain(at.success))


def test_an_unsupported_upload_is_refused_in_chinese_with_what_to_do(monkeypatch, tmp_path):
    """The file picker takes any file (its own type filter would refuse in English); the server
    check refuses an old Word .doc in Chinese and says to save it as .docx. (Synthetic bytes.)"""
    home = _make_home(tmp_path, with_xss=False)
    at = _start(monkeypatch, home)
    _goto(at, "知识库管理")
    at.file_uploader[0].set_value(("合成旧格式.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
                                   "application/msword")).run()
    at.button(key="upload-go").click().run()
    assert not at.exception
    errors = _plain(at.error)
    assert any("合成旧格式.doc" in e and ".docx" in e for e in errors), errors
    assert not (home / "corpus" / "合成旧格式.doc").exists()


def test_a_failing_page_shows_a_chinese_message_not_a_traceback(monkeypatch, tmp_path):
    home = _make_home(tmp_path, with_xss=False)

    def broken(self):
        raise RuntimeError("synthetic failure")

    monkeypatch.setattr(KnowledgeBase, "stats", broken)
    at = _start(monkeypatch, home, wait_model=False)
    assert not at.exception
    assert any("页面出错" in e and "重启" in e for e in _plain(at.error))


def test_unreadable_upload_is_reported_and_not_kept(monkeypatch, tmp_path):
    home = _make_home(tmp_path, with_xss=False)
    at = _start(monkeypatch, home)
    _goto(at, "知识库管理")
    # Passes the upload checks (real %PDF header) but cannot be parsed.
    at.file_uploader[0].set_value(("损坏.pdf", b"%PDF-1.4\n%broken", "application/pdf")).run()
    at.button(key="upload-go").click().run()
    assert not at.exception
    errors = _plain(at.error)
    assert any("corpus/损坏.pdf" in e and "未保留" in e for e in errors), errors
    assert not (home / "corpus" / "损坏.pdf").exists()


def test_no_index_offers_to_ingest(monkeypatch, tmp_path):
    home = _make_home(tmp_path, with_xss=False, ingest=False)
    at = _start(monkeypatch, home, wait_model=False)
    assert any("还没有索引" in w.value for w in at.warning)
    at.button(key="ingest-empty").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.startswith("导入完成：已索引 1") for s in _plain(at.success))
    assert any(c.value.startswith("文档 1") for c in at.sidebar.caption)


def test_model_unavailable_falls_back_to_keywords(monkeypatch, kb_home, tmp_path):
    at = _start(monkeypatch, kb_home, model=str(tmp_path / "no-such-model"))
    assert any("语义模型：不可用" in c.value for c in at.sidebar.caption)
    _search(at, "认证贷")
    assert any("语义模型不可用" in i.value for i in at.info)
    assert any("（关键词检索）" in c for c in _captions(at))
    assert any(c.startswith("出处：") for c in _captions(at))


# --------------------------------------------------------------------------- helpers (pure)

def test_escape_streamlit_renders_literally():
    text = "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1)) **b** # h\n1. a &amp; $x$"
    html = markdown_it.MarkdownIt("commonmark").render(ui.escape_streamlit(text))
    assert "<script" not in html and "<img" not in html and "href" not in html
    assert "<strong>" not in html and "<h1>" not in html and "<ol>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp;amp;" in html


def test_highlight_spans_prefers_long_terms_and_skips_single_chars():
    text = "家纺产业链小微企业的产品缺陷发生率高"
    spans = ui.highlight_spans(text, ["产品缺陷", "产品", "高", "家纺"])
    assert [text[s:e] for s, e in spans] == ["家纺", "产品缺陷"]
    assert ui.highlight_spans("高质量", ["高"]) == []  # single characters are never marked
    assert ui.highlight_spans("IT服务", ["it"]) == [(0, 2)]
    assert ui.highlight_spans("认证贷认证贷", ["认证贷", "贷"]) == [(0, 6)]  # adjacent spans read as one


def test_highlight_markdown_escapes_inside_and_outside():
    md = ui.highlight_markdown("a<b>家纺[1]", ["家纺"])
    assert md == "a\\<b\\>:orange[**家纺**]\\[1\\]"
    assert ui.highlight_markdown("x*y", []) == "x\\*y"


def test_badges():
    assert ui.badge("a]b", "green") == ":green-badge[a\\]b]"
    assert ui.outcome_badges([Outcome("缺陷率", 15.0, 7.0, None, "%")]) == ":green-badge[缺陷率：15\\% → 7\\%]"
    assert ui.tag_badges("enterprise_case", "江苏省", "纺织业") == (
        ":blue-badge[企业案例] :violet-badge[地区：江苏省] :orange-badge[行业：纺织业]")


def test_effective_mode():
    assert ui.effective_mode("bm25", False) == ("bm25", None)
    assert ui.effective_mode("hybrid", True) == ("hybrid", None)
    mode, note = ui.effective_mode("hybrid", False)
    assert mode == "bm25" and "语义结果正在加载" in note
    mode, note = ui.effective_mode("dense", False, "找不到模型")
    assert mode == "bm25" and "找不到模型" in note


def test_progress_fraction():
    assert ui.progress_fraction("parse", 0, 2, "a.txt") == (0.0, "解析文件 0/2：a.txt")
    assert ui.progress_fraction("parse", 2, 2, "")[0] == pytest.approx(0.4)
    assert ui.progress_fraction("embed", 16, 32, "")[0] == pytest.approx(0.7)
    assert ui.progress_fraction("embed", 0, 0, "")[0] == 1.0
    # OCR pages of one file: the bar stays where it is, the label says page n/N and the time left
    assert ui.progress_fraction("ocr", 2, 10, "corpus/扫描.pdf：OCR 第 3/10 页，预计还需约 80 秒") == (
        None, "解析文件：corpus/扫描.pdf：OCR 第 3/10 页，预计还需约 80 秒")


def test_cases_of_chunk_and_region_options(kb_home):
    kb = KnowledgeBase(replace(KBConfig(), home=kb_home, model=MODEL))
    cases = kb.all_cases()
    nantong = next(c for c in cases if "南通" in c.title)
    for chunk_id in nantong.chunk_ids:
        assert nantong in kb.cases_of_chunk(chunk_id)
        assert "南通" in next(c.text for c in kb.chunks() if c.chunk_id == chunk_id) or len(nantong.chunk_ids) > 1
    assert kb.cases_of_chunk("x-0001") == []
    # A chunk no case text falls in belongs to no case.
    linked = {i for c in cases for i in c.chunk_ids}
    lonely = next(c for c in kb.chunks() if c.chunk_id not in linked)
    assert kb.cases_of_chunk(lonely.chunk_id) == []
    options = ui.region_options(cases)
    assert "江苏省" in options and options.index("江苏省") < options.index("南通市")


def _zip_without_word() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a word document")
    return buf.getvalue()


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("合成测试段落。")
    d.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "ok", "reason"), [
    ("a.pdf", b"%PDF-1.7\n...", True, ""),
    ("a.pdf", b"<html>not pdf</html>", False, "不是 PDF"),
    ("a.docx", _docx_bytes(), True, ""),
    ("a.docx", b"%PDF-1.7", True, ""),  # a PDF named .docx is read as a PDF (with a note)
    ("a.docx", b"<html>not word</html>", False, "不是 Word 文档"),
    ("a.docx", _zip_without_word(), False, "word/document.xml"),
    ("a.txt", "中文内容".encode("gbk"), True, ""),
    ("a.md", "# 标题\n正文".encode(), True, ""),
    ("a.txt", bytes(range(256)) * 4, False, "无法识别文本编码"),
    # The loaders' own policy: what corpus/ indexes, an upload accepts (and the reverse).
    ("a.txt", "合成的无 BOM UTF-16 文本，第一行。\n第二行。".encode("utf-16-le"), True, ""),
    ("a.pdf", b"junk before the header\n%PDF-1.7\n...", True, ""),
    ("a.txt", "   \n\n".encode(), False, "没有可提取的文字"),
    ("a.txt", b"PK\x03\x04rest", False, "二进制"),
    ("a.txt", b"", False, "为空"),
    ("a.exe", b"MZ", False, "不支持的文件类型"),
    ("a", b"abc", False, "无扩展名"),
])
def test_check_upload(name, data, ok, reason):
    result = ui.check_upload(name, data, max_mb=1)
    assert result.ok is ok
    assert reason in result.reason


def test_upload_policy_is_the_loaders_policy(tmp_path):
    """Every sample the upload check accepts, load_document reads from disk, and the reverse
    for refusals of content (one policy, not two that disagree)."""
    import pdfgen

    from kb.errors import UnreadableDocument
    from kb.loaders import load_document

    pdf_bytes = pdfgen.write_report_pdf(tmp_path, "_synthetic.pdf").read_bytes()
    samples = {
        "utf16.txt": "合成的无 BOM UTF-16 文本。第二句。".encode("utf-16-le"),
        "gbk.txt": "合成的中文内容。".encode("gbk"),
        "junk.txt": b"PK\x03\x04rest",
        "empty.md": b"",
        "word.docx": _docx_bytes(),
        "fake.docx": b"<html>not word</html>",
        "pdf.docx": pdf_bytes,  # read as the PDF it is
    }
    for name, data in samples.items():
        path = tmp_path / name
        path.write_bytes(data)
        try:
            load_document(path)
            loads = True
        except UnreadableDocument:
            loads = False
        assert ui.check_upload(name, data, max_mb=1).ok is loads, name


def test_check_upload_size_limit():
    result = ui.check_upload("big.txt", b"a" * (2 * 1024 * 1024), max_mb=1)
    assert not result.ok and "上限为 1 MB" in result.reason


@pytest.mark.parametrize(("name", "expected"), [
    ("报告.pdf", "报告.pdf"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\win.ini.md", "win.ini.md"),
    (".hidden.txt", "hidden.txt"),
    ("a:b*c?.DOCX", "a_b_c.docx"),
    ("...", "上传文件"),
    ("x.markdown", "x.md"),
    ("/", "上传文件"),
])
def test_safe_filename(name, expected):
    assert ui.safe_filename(name) == expected


def test_save_upload_never_overwrites(tmp_path):
    first = ui.save_upload(tmp_path, "../a.txt", b"1")
    second = ui.save_upload(tmp_path, "a.txt", b"2")
    third = ui.save_upload(tmp_path, "sub/a.txt", b"3")
    assert [p.name for p in (first, second, third)] == ["a.txt", "a (2).txt", "a (3).txt"]
    assert first.read_bytes() == b"1" and all(p.parent == tmp_path.resolve() for p in (first, second, third))
    assert ui.find_same_content(tmp_path, b"2") == second
    assert ui.find_same_content(tmp_path, b"4") is None


def test_source_in_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    assert ui.source_in_corpus(tmp_path, corpus, "corpus/a.txt") == (corpus / "a.txt").resolve()
    assert ui.source_in_corpus(tmp_path, corpus, "corpus/../outside.txt") is None
    assert ui.source_in_corpus(tmp_path, corpus, str(tmp_path / "outside.txt")) is None
    assert ui.source_in_corpus(tmp_path, corpus, "corpus/missing.txt") is None


class _SlowEmbedder:
    """Stands in for a model that takes a while to load."""

    model_id = "slow-test"
    dim = 8

    def __init__(self):
        self.release = threading.Event()
        self.loaded = False

    def embed(self, texts):
        self.release.wait(10)
        self.loaded = True
        return np.full((len(texts), self.dim), 1 / np.sqrt(self.dim), dtype=np.float32)


def test_runtime_reports_model_loading_then_ready(tmp_path):
    emb = _SlowEmbedder()
    rt = ui.KBRuntime(KnowledgeBase(replace(KBConfig(), home=tmp_path, model="slow-test"), embedder=emb))
    assert not rt.model_ready and rt.model_error is None
    assert ui.effective_mode("hybrid", rt.model_ready, rt.model_error)[0] == "bm25"
    emb.release.set()
    rt.thread.join(10)
    assert rt.model_ready and rt.model_error is None


def test_runtime_reports_model_error(tmp_path):
    rt = ui.KBRuntime(KnowledgeBase(replace(KBConfig(), home=tmp_path, model=str(tmp_path / "missing"))))
    rt.thread.join(10)
    assert not rt.model_ready and "找不到嵌入模型" in rt.model_error


def test_uploads_that_could_never_be_indexed_are_refused(tmp_path):
    """A fuzzer's finds: a PDF that needs an open password, "..txt" (saved as "txt", with no
    extension) and "~$lock.txt" (skipped by every ingest) were accepted and then failed or were
    passed over at every ingest; a 90-character Chinese name was over 255 bytes (HTTP 500)."""
    import pdfgen

    locked = pdfgen.write_encrypted_pdf(tmp_path).read_bytes()
    open_pdf = pdfgen.write_empty_password_pdf(tmp_path).read_bytes()
    text = "合成测试文本：某合成企业导入质量管理体系后，产品不良率下降了百分之二十。".encode()
    assert "需要打开密码" in ui.check_upload("加密.pdf", locked, max_mb=5).reason
    assert ui.check_upload("空密码.pdf", open_pdf, max_mb=5).ok  # only printing/copying restricted
    assert "扩展名" in ui.check_upload("..txt", text, max_mb=5).reason
    assert "临时锁定文件" in ui.check_upload("~$lock.txt", text, max_mb=5).reason
    long_name = "关于印发" + "长" * 82 + ".txt"
    assert ui.check_upload(long_name, text, max_mb=5).ok
    saved = ui.save_upload(tmp_path / "corpus", long_name, text)
    assert saved.suffix == ".txt" and len(saved.name.encode("utf-8")) <= 255 and saved.read_bytes() == text


def test_the_app_listens_on_this_machine_only_by_default():
    """`make run` / `make app` start Streamlit with the repository's .streamlit/config.toml: it must
    bind 127.0.0.1 (the 知识库管理 page changes the corpus without a login), and the Makefile must
    not override it."""
    import tomllib

    repo = Path(__file__).resolve().parent.parent
    config = tomllib.loads((repo / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert "server.address" not in (repo / "Makefile").read_text(encoding="utf-8")
    assert ".sessions/" in (repo / ".gitignore").read_text(encoding="utf-8").splitlines()


# --------------------------------------------------------------------------- page in the URL, long titles

def _sid(at: AppTest) -> str:
    sid = at.query_params["s"]
    return sid[0] if isinstance(sid, list) else sid


def _param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_the_page_is_kept_in_the_url_and_a_refresh_opens_it_again(monkeypatch, kb_home):
    """A refresh (a new session with the same URL) went back to 案例检索 whatever page was shown."""
    at = _goto(_start(monkeypatch, kb_home), "课件导出")
    sid, page = _sid(at), _param(at, "p")
    assert page == ui.PAGE_SLUGS["课件导出"]
    again = AppTest.from_file(str(APP), default_timeout=60)
    again.query_params["s"] = sid
    again.query_params["p"] = page
    again.query_params["utm"] = "keep-me"  # a parameter the app does not know is left alone
    again.run()
    assert not again.exception
    assert again.sidebar.radio(key="page").value == "课件导出"
    assert [h.value for h in again.header] == ["课件导出"]
    assert _sid(again) == sid and _param(again, "utm") == "keep-me"  # the basket's id stays in the URL
    _goto(again, "可比案例")
    assert _param(again, "p") == ui.PAGE_SLUGS["可比案例"] and _sid(again) == sid


@pytest.mark.parametrize(("value", "page"), [("export", "课件导出"), ("知识库管理", "知识库管理"), ("CASES", "可比案例"),
                                             ("nonsense", None), ("", None), (None, None), (["search", "debug"], "检索测试")])
def test_page_from_param(value, page):
    assert ui.page_from_param(value) == page


def test_a_shared_link_to_an_unknown_page_opens_the_first(monkeypatch, kb_home):
    monkeypatch.setenv("KB_HOME", str(kb_home))
    monkeypatch.setenv("KB_MODEL", MODEL)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["p"] = "../nothing"
    at.run()
    assert not at.exception and at.sidebar.radio(key="page").value == "案例检索"
    assert _param(at, "p") == ui.PAGE_SLUGS["案例检索"]


def test_long_document_titles_wrap_in_the_manage_table(monkeypatch, tmp_path):
    """A long title was cut off at the column's edge (one line per row); the table now wraps it."""
    long_title = "合成测试文档：某合成市小微企业质量管理体系认证提升行动典型案例汇编（第二辑·内部学习资料）"
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "合成长标题.txt").write_text(
        f"{long_title}\n\n一、合成章节\n\n本文为合成测试材料，不是真实案例。合成企业通过质量管理体系认证，产品合格率提高。\n",
        encoding="utf-8")
    assert not KnowledgeBase(replace(KBConfig(), home=tmp_path, model=MODEL)).ingest().failed
    at = _goto(_start(monkeypatch, tmp_path), "知识库管理")
    table = next(d for d in at.dataframe if "标题" in d.value.columns)
    assert list(table.value["标题"]) == [long_title]  # the whole title, not a shortened one
    assert table.proto.row_height > 64  # Streamlit's grid wraps cell text only in rows taller than 4rem
    assert ui.wrap_row_height(["短标题"]) is None  # short titles keep one-line rows


def test_wrap_row_height():
    assert ui.wrap_row_height([]) is None and ui.wrap_row_height(["合" * ui.WRAP_CHARS]) is None
    assert ui.wrap_row_height(["合" * (ui.WRAP_CHARS + 1)]) > 64
    assert ui.wrap_row_height(["合" * 1000]) == ui.wrap_row_height(["合" * 2000])  # capped
