"""End to end in a real browser: ``streamlit run app.py`` driven by headless Chromium (Playwright).

Uses the real embedding model (m3e-small); the KB_HOME is temporary and starts *without* an
index, so the first step is the app's own “导入 corpus/ 建立索引” button. A missing model,
Chromium or Playwright fails these tests with a clear message; only ``KB_ALLOW_SKIP=1`` turns
that into a skip (for machines that cannot run a browser, never in CI).

Screenshots of every page go to a temporary folder, or to ``$KB_TEST_ARTIFACTS`` when set.
``make screenshot`` sets ``KB_SCREENSHOT`` to regenerate the README screenshot
(``docs/screenshot-search.png``); otherwise nothing in the repository is written.

The synthetic document uploaded in the XSS check is test data, not a real case.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import docx
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
ALLOW_SKIP = os.environ.get("KB_ALLOW_SKIP") == "1"
MODEL = "m3e-small"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 180_000  # the first ingest loads the real model
CARD = '[data-testid="stMain"] [data-testid="stLayoutWrapper"] > [data-testid="stVerticalBlock"]'  # bordered container

XSS_TEXT = """合成测试文档（非真实案例，仅用于界面安全测试）

一、界面安全测试

本段落是为测试而编写的合成文字，不是真实的企业案例。文档中出现的脚本标签<script>alert(1)</script>必须作为普通文字原样显示。\
图片标签<img src=x onerror=alert(1)>同样必须原样显示，不得被浏览器执行。链接写法[点我](javascript:alert(1))也只能显示为文字。\
安全测试关键词：防注入校验样本。远程图片写法![远程图](http://127.0.0.1:9/remote.png)也只能显示为文字。
例如，江苏某合成公司<script>alert(2)</script>将防注入校验样本纳入质量管理体系，产品不良率下降5%。
"""


def _assert_inert(pg) -> None:
    """Nothing from the document became live HTML: no script, image, remote image or javascript link."""
    main = pg.locator('[data-testid="stMain"]')
    assert main.locator("script").count() == 0
    assert main.locator('img[src="x"]').count() == 0
    assert main.locator('img[src*="127.0.0.1:9"]').count() == 0
    assert main.locator('a[href^="javascript"]').count() == 0
    pg.wait_for_timeout(500)
    assert not pg.dialogs, pg.dialogs


def _missing(what: str) -> None:
    """A prerequisite is missing: fail (the default, and always in CI) or, with KB_ALLOW_SKIP=1, skip."""
    message = f"浏览器测试无法运行：{what}（只有设置 KB_ALLOW_SKIP=1 时才跳过）"
    if ALLOW_SKIP:
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


def _check_prerequisites() -> None:
    from kb.embedding import resolve_model_path
    from kb.errors import ModelUnavailable

    if not Path(CHROMIUM).exists():
        _missing(f"需要 {CHROMIUM}（make browser 会安装）")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("需要 Python 包 playwright（make install 会安装）")
    try:
        resolve_model_path(MODEL)
    except ModelUnavailable as exc:
        _missing(str(exc))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _streamlit(home: Path, gate: Path | None = None):
    """``streamlit run app.py`` on a free port with ``KB_HOME=home``; yields its URL. With
    ``gate``, the model does not load until that file exists (tests/gated_model.py)."""
    port = _free_port()
    env = dict(os.environ, KB_HOME=str(home), KB_MODEL=MODEL, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false")
    launcher = [sys.executable, "-m", "streamlit"]
    if gate is not None:
        env["KB_TEST_MODEL_GATE"] = str(gate)
        launcher = [sys.executable, str(REPO / "tests" / "gated_model.py")]
    log_path = home / f"streamlit-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [*launcher, "run", str(REPO / "app.py"), "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("streamlit did not start:\n" + log_path.read_text(encoding="utf-8"))
                time.sleep(0.3)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _check_prerequisites()
    home = tmp_path_factory.mktemp("browser_home")
    shutil.copytree(REPO / "corpus", home / "corpus")
    with _streamlit(home) as url:
        yield {"url": url, "home": home}


@contextlib.contextmanager
def chromium():
    """Headless Debian Chromium driven by Playwright, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as b:
        yield b


def _new_page(browser, url: str, artifacts: Path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.artifacts = artifacts
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(url, wait_until="domcontentloaded")
    return pg


@pytest.fixture(scope="module")
def page(browser, server, artifacts):
    pg = _new_page(browser, server["url"], artifacts)
    yield pg
    pg.context.close()


def _idle(pg) -> None:
    """Wait until Streamlit has finished the current run (the “Running…” widget is gone)."""
    pg.wait_for_timeout(300)
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.match(/Running|Stop/)",
        timeout=TIMEOUT_MS)
    pg.wait_for_timeout(300)


def _goto(pg, name: str) -> None:
    pg.locator('[data-testid="stSidebar"] label').filter(has_text=name).click()
    pg.locator("h2").filter(has_text=name).wait_for()
    _idle(pg)


def _shot(pg, name: str, full_page: bool = True) -> Path:
    path = pg.artifacts / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full_page)
    return path


def _download(pg, button: str, folder: Path) -> Path:
    """Click ``button``, save the file it downloads under ``folder`` by its suggested name."""
    with pg.expect_download() as dl:
        pg.get_by_role("button", name=button).click()
    target = folder / dl.value.suggested_filename
    dl.value.save_as(target)
    return target


def _search(pg, query: str) -> None:
    box = pg.get_by_role("textbox", name="检索内容")
    box.fill(query)
    box.press("Enter")
    pg.get_by_text("找到 ").first.wait_for()
    _idle(pg)


def test_first_run_builds_the_index(page):
    page.get_by_text("还没有索引").first.wait_for()
    _shot(page, "0-no-index")
    page.get_by_role("button", name="导入 corpus/ 建立索引").click()
    page.get_by_text("可以这样问").wait_for()
    page.locator('[data-testid="stSidebar"]').get_by_text("文档 1 ·").wait_for()
    page.get_by_text("导入完成：已索引 1").wait_for()
    _idle(page)
    _shot(page, "1-search-examples", full_page=False)


def test_search_card_basket_and_docx_export(page, server, tmp_path):
    _search(page, "家纺企业产品缺陷率高，别的地方怎么帮扶的？")
    # Once the model is ready the sidebar says so and results are hybrid.
    page.locator('[data-testid="stSidebar"]').get_by_text("语义模型：已就绪").wait_for()
    _search(page, "家纺企业产品缺陷率高，别的地方怎么帮扶的？")
    cards = page.locator(CARD).filter(has_text="出处：")
    first = cards.first
    first.wait_for()
    assert "《2023年度" in first.inner_text() and "页" in first.inner_text()
    assert "混合检索" in page.get_by_text("找到 ").first.inner_text()
    nantong = cards.filter(has_text="产品缺陷发生率：15% → 7%").first
    nantong.wait_for()
    shot = _shot(page, "1-search", full_page=False)
    if target := os.environ.get("KB_SCREENSHOT"):  # make screenshot: the README's picture
        shutil.copyfile(shot, target)

    nantong.get_by_role("button", name="加入课件").click()
    _idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("课件篮：1 条").wait_for()

    # 相似案例 opens under the card.
    nantong.get_by_role("button", name="相似案例").click()
    _idle(page)
    page.get_by_text("相似案例", exact=True).first.wait_for()

    _goto(page, "可比案例")
    page.get_by_role("textbox", name="问题描述").fill("产品缺陷率高，返工多")
    page.wait_for_timeout(300)
    # Streamlit's own English hint under a typed-in input is hidden (kb/data/app.css).
    assert not page.get_by_text("Press Enter").first.is_visible()
    page.get_by_role("textbox", name="问题描述").press("Enter")
    page.get_by_text("找到 ").first.wait_for()
    assert not page.get_by_text("Ctrl+Enter").count()
    _idle(page)
    case_card = page.locator(CARD).filter(has_text="匹配度").first
    case_card.get_by_role("button", name="加入课件").first.click()
    _idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("课件篮：2 条").wait_for()
    _shot(page, "2-cases")

    _goto(page, "检索测试")
    box = page.get_by_role("textbox", name="测试查询")
    box.fill("认证贷 融资难")
    box.press("Enter")
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    _idle(page)
    _shot(page, "4-retrieval-test")

    _goto(page, "课件导出")
    title = page.get_by_role("textbox", name="课件标题")
    title.fill("家纺质量提升案例")
    title.press("Enter")
    _idle(page)  # a rerun in flight would reset the next field
    name = page.get_by_role("textbox", name="文件名（不含扩展名）")
    name.fill("../家纺课件")
    name.press("Enter")
    _idle(page)
    assert name.input_value() == "../家纺课件"
    _shot(page, "5-export")
    target = _download(page, "导出 DOCX", tmp_path)
    assert target.name == "家纺课件.docx"
    document = docx.Document(io.BytesIO(target.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.core_properties.title == "家纺质量提升案例"
    assert "出处：《2023年度“小微企业质量管理体系认证提升行动”工作总结》" in text
    assert "产品缺陷发生率：15% → 7%" in text
    assert "资料来源" in text
    target = _download(page, "导出 PPTX", tmp_path)
    assert target.name == "家纺课件.pptx"
    from pptx import Presentation

    slides = list(Presentation(str(target)).slides)
    assert slides[0].shapes.title.text_frame.text == "家纺质量提升案例"
    assert slides[-1].shapes.title.text_frame.text == "资料来源"
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in slides)
    assert "出处：《2023年度“小微企业质量管理体系认证提升行动”工作总结》" in notes
    assert not page.dialogs


def test_upload_and_xss_document_is_shown_literally(page, server, tmp_path):
    _goto(page, "知识库管理")
    src = tmp_path / "合成安全测试<文档>.txt"
    src.write_text(XSS_TEXT, encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(src))
    page.get_by_text("合成安全测试").first.wait_for()
    page.get_by_role("button", name="保存并导入").click()
    page.get_by_text("导入完成：已索引 1").wait_for()
    _idle(page)
    assert (server["home"] / "corpus" / "合成安全测试_文档.txt").exists()
    _shot(page, "3-manage")

    _goto(page, "案例检索")
    _search(page, "防注入校验样本 界面安全测试")
    card = page.locator(CARD).filter(has_text="相关度").filter(has_text="防注入校验样本").first  # a result card, not the answer box
    card.wait_for()
    text = card.inner_text()
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "[点我](javascript:alert(1))" in text
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("script").count() == 0
    assert main.locator('img[src="x"]').count() == 0
    assert main.locator('a[href^="javascript"]').count() == 0
    page.wait_for_timeout(1000)
    assert not page.dialogs, page.dialogs
    _shot(page, "6-xss")


def test_xss_payload_is_literal_on_every_page(page, server):
    """Runs after the upload above: the synthetic payload document is in the index."""
    _goto(page, "案例检索")
    _search(page, "防注入校验样本")
    card = page.locator(CARD).filter(has_text="相关度").filter(has_text="防注入校验样本").first  # a result card, not the answer box
    card.wait_for()
    assert "![远程图](" in card.inner_text()  # cleaning drops the URL itself as debris
    _assert_inert(page)
    card.get_by_role("button", name="加入课件").click()
    _idle(page)

    _goto(page, "可比案例")
    box = page.get_by_role("textbox", name="问题描述")
    box.fill("防注入校验样本 产品不良率")
    box.press("Enter")
    _idle(page)
    case_card = page.locator(CARD).filter(has_text="江苏某合成公司").first
    case_card.wait_for()
    assert "<script>alert(2)</script>" in case_card.inner_text()
    _assert_inert(page)
    _shot(page, "7-xss-cases")

    _goto(page, "检索测试")
    box = page.get_by_role("textbox", name="测试查询")
    box.fill("防注入校验样本")
    box.press("Enter")
    _idle(page)
    _assert_inert(page)

    _goto(page, "知识库管理")
    _assert_inert(page)

    _goto(page, "课件导出")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("防注入校验样本").first.wait_for()
    assert "<img src=x onerror=alert(1)>" in main.inner_text()
    _assert_inert(page)
    _shot(page, "8-xss-basket")


def test_keyword_results_first_while_the_model_loads(browser, server, artifacts, tmp_path):
    """A fresh server process on an existing index whose model is held back (tests/gated_model.py):
    keyword results at once with a note, then hybrid results by themselves once the model is in."""
    gate = tmp_path / "model-may-load"
    with _streamlit(server["home"], gate=gate) as url:
        pg = _new_page(browser, url, artifacts)
        try:
            sidebar = pg.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text("语义模型：加载中").wait_for()
            box = pg.get_by_role("textbox", name="检索内容")
            box.fill("认证贷 融资难")
            box.press("Enter")
            found = pg.get_by_text("找到 ").first
            found.wait_for()
            # The model cannot load before the gate exists, so this state lasts: wait for the cards.
            pg.locator(CARD).filter(has_text="出处：").first.wait_for()
            _idle(pg)
            assert "（关键词检索）" in found.inner_text()
            assert pg.get_by_text("语义结果正在加载").count() == 1
            _shot(pg, "7-cold-start-first-results", full_page=False)
            assert not gate.exists()
            gate.touch()
            # No further input: the page re-runs by itself when the model is ready.
            pg.get_by_text("（混合检索）").first.wait_for()
            sidebar.get_by_text("语义模型：已就绪").wait_for()
            pg.locator(CARD).filter(has_text="出处：").first.wait_for()
            _idle(pg)
            assert pg.get_by_text("语义结果正在加载").count() == 0
        finally:
            pg.context.close()
