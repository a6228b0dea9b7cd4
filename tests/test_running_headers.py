"""A PDF's running header (the same line above every page) is layout, not text, and the document's
title comes from its metadata when the text opens with the first case rather than a title line.
All text here is 合成测试材料 (synthetic): invented enterprises, figures and collections."""

from __future__ import annotations

import re
from pathlib import Path

from kb.cleaning import clean_document, running_lines
from kb.pipeline import parse_document
from kb.records import Document, Page
from kb.structure import structure_sentences
from kb.styled_headings import similar_titles
from tests.pdfgen import wrap, write_styled_pdf

HEADER = "合成测试材料：山区小微企业质量提升案例集"
META_TITLE = "山区小微企业质量提升案例集"
CASES = (
    ("竹筷：一根筷子的防霉之路", [
        "赤水市合成竹木制品厂位于贵州省遵义市赤水市，员工32人，年产竹筷约800万双（合成测试材料）。"
        "企业竹材含水率控制不严，霉变退货每年约9批次，出厂抽检合格率90%。",
        "帮扶组指导企业增设竹材含水率快检，改造烘干房温湿度记录，建立成品留样制度。",
        "经过一年的运行，霉变退货由每年9批次降至1批次，出厂抽检合格率由90%提升至98%。",
    ]),
    ("腊肉：烟熏工序有了标准", [
        "合成湘西腊味食品有限公司位于湖南省湘西土家族苗族自治州吉首市，员工27人，主要生产烟熏腊肉。"
        "企业烟熏时间全凭经验，亚硝酸盐抽检超标时有发生，客户投诉每月6起。",
        "帮扶组帮助企业制定烟熏作业指导书，配置亚硝酸盐快检设备，实行批次检验放行。",
        "实施以来，客户投诉由每月6起降至每月1起，批次检验合格率由86%提升至97%。",
    ]),
    ("石材：切割精度从毫米抓起", [
        "合成云浮石材有限公司位于广东省云浮市云城区，员工55人，主要生产建筑饰面板。"
        "企业切割设备精度不足，尺寸偏差不合格率达5.2%，返工成本高。",
        "帮扶组指导企业校准切割设备，增设首件检验和尺寸巡检，完善出厂检验规程。",
        "通过上述措施，尺寸偏差不合格率由5.2%降至1.3%，年销售额由1800万元增至2300万元。",
    ]),
    ("蜂蜜：溯源码让消费者放心", [
        "合成秦岭蜂业合作社位于陕西省汉中市留坝县，社员41户，年产蜂蜜约60吨。"
        "合作社收购环节把关不严，蜂蜜水分超标批次每年5批。",
        "帮扶组帮助合作社建立蜂农档案和收购快检制度，给每批产品赋溯源码。",
        "截至2023年底，水分超标批次由每年5批降至0，产品复购率由35%提升至52%。",
    ]),
)


def _pages(header: str | None = HEADER, opening_title: str | None = None) -> list[list[tuple[str, float, bool]]]:
    """Two cases a page, the running ``header`` in small type above each page (drawn first, as a page
    template draws it), the case titles larger than the body; ``opening_title`` a title line first."""
    pages: list[list[tuple[str, float, bool]]] = []
    for k, (title, paras) in enumerate(CASES):
        if k % 2 == 0:
            pages.append([(header, 9, False)] if header else [])
            if k == 0 and opening_title:
                pages[-1].append((opening_title, 14, False))
        pages[-1].append((title, 14, False))
        for para in paras:
            pages[-1].extend((line, 10.5, False) for line in wrap(para, 40))
    return pages


def _practice(title: str) -> str:
    """A case's title without the enterprise its write-up opens with (a topic-titled case is titled
    "enterprise：topic"; the topics here have a colon of their own: "合成…石材有限公司：石材：切割…")."""
    return re.sub(r"^[^：]*(?:公司|厂|合作社)：", "", title)


def test_a_running_header_is_no_text_and_no_title(tmp_path: Path):
    parsed = parse_document(write_styled_pdf(tmp_path / "案例集.pdf", _pages(), title=META_TITLE))
    assert parsed.title == META_TITLE
    assert not any(HEADER in c.text for c in parsed.chunks)
    # each case is on one page: the header of the next page does not stretch its pages
    for chunk in parsed.chunks:
        assert chunk.page_end in (None, chunk.page), (chunk.section, chunk.page, chunk.page_end)
    sections = [c.section for c in parsed.chunks]
    for title, _ in CASES:
        assert (title,) in sections
    assert ("引言",) not in sections
    # the first case is a case of its own (it was the title's tail and the collection's "引言")
    by_title = {_practice(c.title): c for c in parsed.cases}
    first = by_title[CASES[0][0]]
    assert first.title.endswith("竹木制品厂：" + CASES[0][0])  # the enterprise named first
    assert first.page == 1 and first.kind == "enterprise_case"
    assert (first.region.province, first.region.city, first.region.county) == ("贵州省", "遵义市", "赤水市")
    assert {(o.before, o.after) for o in first.outcomes} >= {(90.0, 98.0)}
    assert len(parsed.cases) == len(CASES)
    assert by_title[CASES[1][0]].page == 1 and by_title[CASES[2][0]].page == 2


def test_a_title_line_like_the_metadata_title_stays_the_title(tmp_path: Path):
    """A title line on the first page that names the collection (as its metadata does) is its title
    block, though it has the look of the case titles: no case of its own."""
    opening = "合成测试材料：山区小微企业质量提升案例集（第一辑）"
    parsed = parse_document(write_styled_pdf(tmp_path / "有标题行.pdf", _pages(header=None, opening_title=opening),
                                             title=META_TITLE))
    assert opening not in {c.title for c in parsed.cases}
    assert not any(opening in s for c in parsed.chunks for s in c.section)
    assert {_practice(c.title) for c in parsed.cases} == {t for t, _ in CASES}


def test_a_wrapped_title_line_is_not_a_case(tmp_path: Path):
    """A title wrapped over two lines in the look of the case titles, then an introduction: its second
    line ("案例集（第一辑）") completes the title and is no heading."""
    pages = _pages(header=None)
    pages[0][:0] = [("山区小微企业质量提升", 14, False), ("案例集（第一辑）", 14, False),
                    *((line, 10.5, False) for line in wrap("本案例集为合成测试材料，收录四个虚构的企业案例，供软件测试使用。", 40))]
    parsed = parse_document(write_styled_pdf(tmp_path / "折行标题.pdf", pages, title=META_TITLE))
    assert not any("案例集（第一辑）" in s for c in parsed.chunks for s in c.section)
    assert {_practice(c.title) for c in parsed.cases} == {t for t, _ in CASES}


def test_without_a_metadata_title_the_first_copy_of_the_header_may_be_the_title(tmp_path: Path):
    """No metadata title: the line above every page may be the cover's title too, so its first copy is
    kept (as the title); the copies above the other pages are still dropped."""
    parsed = parse_document(write_styled_pdf(tmp_path / "无元数据.pdf", _pages()))
    assert parsed.title.startswith(HEADER)
    assert not any(HEADER in c.text for c in parsed.chunks)
    for chunk in parsed.chunks:
        assert chunk.page_end in (None, chunk.page), (chunk.section, chunk.page, chunk.page_end)


def _doc(pages: list[str]) -> Document:
    # (a title other than the file name: a metadata title, so the first page's copy is no title either)
    return Document("d" * 12, "合成.pdf", "合成汇编", "pdf", "0" * 64, tuple(Page(i, t) for i, t in enumerate(pages, 1)))


BODY = "某合成企业建立了首件检验制度，返修率由5%降至2%，客户投诉明显减少，这是合成测试材料。"


def test_running_lines_are_lines_repeated_at_the_edge_of_pages():
    pages = [f"合成汇编 第一辑\n— {n} —\n{BODY}\n{BODY}\n合成汇编页脚 {n}" for n in range(1, 5)]
    # the header, and a footer with the page number in it
    assert running_lines(pages) == {"合成汇编第一辑", "合成汇编页脚0"}
    # on one page of four it is the first line of that page only
    assert running_lines([pages[0]] + [f"{BODY}\n{BODY}"] * 3) == set()
    # a continued table's header row (several cells) repeated at the top is the table's, not layout
    rows = "序号 企业名称 所在地 主要问题\n1 合成甲厂 某县 返修多\n"
    assert running_lines([rows + BODY, rows + BODY, rows + BODY]) == set()


def test_a_repeated_line_inside_a_page_stays():
    """Only the copies at a page's top or bottom are dropped, not the same words inside a page."""
    text = "合成汇编 第一辑\n{b}\n{b}\n合成汇编 第一辑\n{b}\n{b}\n{b}"
    paragraphs = clean_document(_doc([text.format(b=BODY)] * 3))
    joined = "".join(p.text for p in paragraphs)
    assert joined.count("合成汇编第一辑") + joined.count("合成汇编 第一辑") == 3  # the middle copy of each page


def test_similar_titles():
    assert similar_titles("2023年度合成县质量提升工作总结", "工作总结")
    assert similar_titles("（合成测试材料，非真实案例）某地典型经验选编", "某地典型经验选编（合成测试材料）")
    assert not similar_titles("竹筷：一根筷子的防霉之路", META_TITLE)


def test_a_title_block_naming_something_else_than_the_metadata_title_stays_text():
    from kb.cleaning import Paragraph

    paras = [Paragraph("竹筷：一根筷子的防霉之路", ((0, 1),)), Paragraph(BODY, ((0, 1),))]
    title, sentences = structure_sentences(paras, known_title=META_TITLE)
    assert title is None and sentences[0].text.startswith("竹筷")
    title, _ = structure_sentences(paras)
    assert title == "竹筷：一根筷子的防霉之路"  # without a metadata title it still reads as the title
