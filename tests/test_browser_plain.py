"""Browser test of the plain-language search: direct answer, glossary, highlighting, basket after refresh.

Reuses the harness of tests/test_browser.py (real Chromium, ``streamlit run``); marked slow.
"""

from __future__ import annotations

import shutil

import pytest

from kb import KBConfig, KnowledgeBase
from tests.test_browser import (
    CARD,
    MODEL,
    REPO,
    _check_prerequisites,
    _download,
    _goto,
    _idle,
    _new_page,
    _search,
    _streamlit,
    chromium,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory):
    _check_prerequisites()  # missing Chromium, Playwright or model: a failure unless KB_ALLOW_SKIP=1
    home = tmp_path_factory.mktemp("browser_plain")
    shutil.copytree(REPO / "corpus", home / "corpus")
    assert not KnowledgeBase(KBConfig(home=home, model=MODEL)).ingest().failed
    with _streamlit(home) as url:
        yield url


@pytest.fixture(scope="module")
def plain_browser(plain_server):
    with chromium() as b:
        yield b


def test_direct_answer_glossary_and_basket_after_refresh(plain_browser, plain_server, artifacts):
    pg = _new_page(plain_browser, plain_server, artifacts)
    pg.locator('[data-testid="stSidebar"]').get_by_text("语义模型：已就绪").wait_for()
    _search(pg, "参加以后利润能多几个点")
    answer = pg.locator(".st-key-direct-answer")
    answer.wait_for()
    assert "直接回答" in answer.inner_text()
    assert "8.3%" in answer.inner_text() and "出处：" in answer.inner_text()
    assert answer.locator("strong").filter(has_text="8.3%").count() >= 1  # the figure is emphasised
    glossary = pg.locator(".st-key-glossary")
    # Wait for this answer's terms: under load the panel of an earlier run can still be on screen.
    glossary.get_by_text("利润率").first.wait_for()
    assert "术语解释" in glossary.inner_text() and "利润率" in glossary.inner_text()
    pg.screenshot(path=str(artifacts / "plain-answer.png"), full_page=True)
    # Highlighting inserts nothing into the passage text.
    card = pg.locator(CARD).filter(has_text="相关度").filter(has=pg.get_by_role("button", name="加入课件")).first
    text = card.inner_text()
    assert "年利润率提升8.3%" in text, text[:300]
    # The basket survives a page refresh: the session id is in the URL.
    card.get_by_role("button", name="加入课件").click()
    _idle(pg)
    assert "s=" in pg.url
    pg.goto(pg.url, wait_until="domcontentloaded")
    _goto(pg, "课件导出")
    pg.get_by_text("共 1 条素材").wait_for()
    pg.context.close()


def test_a_refresh_stays_on_the_page_and_a_slash_in_the_title_is_kept_in_the_file_name(
        plain_browser, plain_server, artifacts, tmp_path):
    """A refresh went back to 案例检索; the export's file name lost the text before a "/" of the title."""
    pg = _new_page(plain_browser, plain_server, artifacts)
    _search(pg, "认证贷 融资难")
    pg.locator(CARD).filter(has=pg.get_by_role("button", name="加入课件")).first.get_by_role("button", name="加入课件").click()
    _idle(pg)
    _goto(pg, "课件导出")
    assert "p=export" in pg.url and "s=" in pg.url
    pg.reload(wait_until="domcontentloaded")
    pg.locator("h2").filter(has_text="课件导出").wait_for()  # no click on the sidebar: the URL says the page
    pg.get_by_text("共 1 条素材").wait_for()
    _idle(pg)
    assert "p=export" in pg.url and "s=" in pg.url
    title = pg.get_by_role("textbox", name="课件标题")
    title.fill("2023/2024 合成培训")
    title.press("Enter")
    _idle(pg)
    assert _download(pg, "导出 PPTX", tmp_path).name == "2023_2024 合成培训.pptx"  # no file name typed: the title
    pg.context.close()
