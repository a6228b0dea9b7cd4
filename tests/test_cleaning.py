"""kb.cleaning: extraction debris removed, numbers and words repaired, pages kept, sentences split."""

from __future__ import annotations

import re

import pdfgen
import pytest

from kb.cleaning import Paragraph, clean_document, normalize_text, split_sentences
from kb.loaders import load_document
from kb.records import Document, Page


def find(paragraphs: list[Paragraph], needle: str) -> tuple[Paragraph, int]:
    """The only paragraph containing ``needle`` and the offset of ``needle`` in it."""
    hits = [p for p in paragraphs if needle in p.text]
    assert len(hits) == 1, f"{needle!r} found in {len(hits)} paragraphs"
    return hits[0], hits[0].text.index(needle)


def sentence_start_page(paragraphs: list[Paragraph], needle: str) -> int | None:
    para, at = find(paragraphs, needle)
    for offset, sentence in split_sentences(para.text):
        if offset <= at < offset + len(sentence):
            return para.page_at(offset)
    raise AssertionError(f"no sentence holds {needle!r}")


# --- debris -------------------------------------------------------------------------------

def test_no_urls_footers_or_attachment_header(report_paragraphs):
    assert len(report_paragraphs) > 20
    for p in report_paragraphs:
        assert not re.search(r"https?://|www\.|\.com", p.text), p.text[:40]
        assert not re.search(r"[—–-]\s*19\s*[—–-]", p.text)
        assert not re.match(r"附\s*件", p.text)
        assert "附件" not in p.text


def test_url_line_inside_a_sentence_is_removed_and_the_sentence_rejoined(report_paragraphs):
    # Page 2 ends "…习近平新时代中国特" + a URL line; page 3 starts "色社会主义思想…".
    para, at = find(report_paragraphs, "习近平新时代中国特色社会主义思想")
    assert para.page_at(at) == 2
    assert para.page_at(at + len("习近平新时代中国特")) == 3


# --- numbers and words --------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1. 提升质量", "1. 提升质量"),  # list numbering keeps its space
        ("3. 7 亿元", "3.7亿元"),  # a decimal split by extraction
        ("10. 2％", "10.2%"),  # ... with a full-width percent sign
        ("下降 20. 2％，增长 8. 7％。", "下降20.2%，增长8.7%。"),
        ("全国 31 个省（区、市）", "全国31个省（区、市）"),
        ("ＩＳＯ ９００１ 认证", "ISO 9001认证"),
        ("（2023—2025 年）", "（2023—2025年）"),
        ("留样覆盖率 20% 100%", "留样覆盖率20% 100%"),  # two table cells stay apart
        ("提高 20% 以上", "提高20%以上"),
        ("案例1 安徽省某企业：降本", "案例1 安徽省某企业：降本"),  # as written, so Ctrl+F in the source finds it
        ("见案例2 的做法", "见案例2的做法"),
        ("案例一 以标准化破解返工难题", "案例一 以标准化破解返工难题"),  # a Chinese-numeral case number too
        ("案例十二 浙江某企业", "案例十二 浙江某企业"),
        ("见案例一 的做法", "见案例一的做法"),
        ("中国 质量 认证", "中国质量认证"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_no_split_decimals_remain(report_paragraphs):
    for p in report_paragraphs:
        assert not re.search(r"\d\.\s+\d", p.text), p.text
        assert not re.search(r"\d\s+\.\d", p.text), p.text
    text = "".join(p.text for p in report_paragraphs)
    for figure in ("落实3.7亿元财政补贴", "平均提升10.2%", "下降20.2%", "增长39.7%", "5.2万人次"):
        assert figure in text


def test_words_are_rejoined_across_lines_and_pages(report_paragraphs):
    text = "\n".join(p.text for p in report_paragraphs)
    assert "有机融合" in text  # split across pages 4/5
    assert "有机 融合" not in text
    assert "全过程的质量帮扶" in text  # split across pages 3/4
    assert "提升产业链供应链稳定性" in text  # split across lines
    assert "\n融合" not in text and " 融合" not in text


def test_wrapped_lines_become_whole_paragraphs(report_paragraphs):
    para, _ = find(report_paragraphs, "（二）优化精准帮扶")
    assert para.text.startswith("（二）优化精准帮扶，强企强链效能更加显著。一是聚焦小微企业")
    assert para.text.endswith("有效带动餐饮、食品、旅游、民俗等沙县小吃产业链协同提升。")
    headings = [p.text for p in report_paragraphs if re.fullmatch(r"[一二三四]、\S+", p.text)]
    assert headings == ["一、工作举措与成效", "二、经验总结", "三、需要完善的主要方向", "四、下一步工作考虑"]


# --- pages --------------------------------------------------------------------------------

def test_pages_of_the_shipped_report(report_paragraphs):
    assert sentence_start_page(report_paragraphs, "青岛某公司") == 4
    para, at = find(report_paragraphs, "有机融合")
    assert para.page_at(at) == 4  # "有机" ends page 4 ...
    assert para.page_at(at + 2) == 5  # ... "融合" starts page 5
    assert sentence_start_page(report_paragraphs, "有效解决了内外贸产品标准差异") == 4

    para, at = find(report_paragraphs, "三、需要完善的主要方向")
    assert para.text == "三、需要完善的主要方向" and para.page_at(at) == 11

    assert sentence_start_page(report_paragraphs, "提升行动在有力助推企业提质增效") == 2
    assert sentence_start_page(report_paragraphs, "年利润率提升8.3%") == 1
    assert sentence_start_page(report_paragraphs, "助力民营经济行稳致远") == 15


def test_pages_never_go_backwards(report_paragraphs):
    pages = [page for p in report_paragraphs for _, page in p.page_starts]
    assert pages == sorted(pages)
    assert pages[0] == 1 and pages[-1] == 15


def test_pdf_paragraph_runs_on_to_the_next_page(sample_files):
    """A page break inside a sentence (and inside the word 学习) does not end the paragraph."""
    paragraphs = clean_document(load_document(sample_files["report_pdf"]))
    para, at = find(paragraphs, "制定了学习计划。二是实施质量诊断。")
    assert para.text.startswith("（二）帮扶措施扎实有效。")
    assert para.page_at(at) == 1
    assert para.page_at(at + len("制定了学")) == 2
    assert sentence_start_page(paragraphs, "第二页独有的句子") == 2
    assert sentence_start_page(paragraphs, "第三页独有的句子") == 3
    assert not any(re.search(r"—\s*\d\s*—", p.text) for p in paragraphs)


def test_hand_written_txt_keeps_headings_apart(sample_files):
    """One paragraph per line, separated by blank lines (synthetic text)."""
    paragraphs = clean_document(load_document(sample_files["gbk_txt"]))
    assert [p.text for p in paragraphs] == [
        "合成测试文本",
        "一、总体情况",
        "某合成企业的不良率下降20.2%，合格率提升到98.5%。",
    ]
    assert all(p.page_at(0) is None for p in paragraphs)  # an unpaginated text has no pages


def test_docx_has_one_paragraph_per_block(sample_files):
    paragraphs = clean_document(load_document(sample_files["docx"]))
    texts = [p.text for p in paragraphs]
    assert texts[:3] == [pdfgen.DOCX_HEADINGS[0], pdfgen.DOCX_BODY[0], "指标 | 2022年 | 2023年；"]  # a table row ends as a sentence
    assert len(texts) == 7


# --- sentences ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("第一句。第二句！第三句？第四句；第五句", ["第一句。", "第二句！", "第三句？", "第四句；", "第五句"]),
        ("他说：“质量第一。”随后离开。", ["他说：“质量第一。”", "随后离开。"]),
        ("强调“中小企业能办大事”“要解决实际困难”。这是重点。", ["强调“中小企业能办大事”“要解决实际困难”。", "这是重点。"]),
        ("口号是“甲。乙”，已推广。", ["口号是“甲。乙”，已推广。"]),  # 。 inside quotes, no closing ” after it
        ("金额3.7亿元。比例10.2%。", ["金额3.7亿元。", "比例10.2%。"]),
        ("（见附表。）后文。", ["（见附表。）", "后文。"]),
        ("English works too! Yes? Fine;", ["English works too!", "Yes?", "Fine;"]),
    ],
)
def test_split_sentences(text, expected):
    assert [s for _, s in split_sentences(text)] == expected


@pytest.mark.parametrize("text", ["", "   ", "。", "甲。 乙！  丙", "\n甲。\n\n  乙；\n", "“好。”  “对。”"])
def test_split_sentences_has_no_empty_sentences_and_exact_offsets(text):
    for offset, sentence in split_sentences(text):
        assert sentence and sentence == sentence.strip()
        assert text[offset:].startswith(sentence)


def test_shipped_sentences_end_with_punctuation(report_paragraphs):
    for p in report_paragraphs:
        sentences = [s for _, s in split_sentences(p.text)]
        assert "".join(sentences) == p.text  # nothing lost between sentences
        if p.text.endswith("。"):
            assert all(re.search(r"[。！？；][”’）]*$", s) for s in sentences), sentences


def test_page_seam_inside_a_split_decimal():
    """Synthetic two-page document whose page break falls inside "20. 2％"."""
    line = "合成测试文字" * 5
    doc = Document(
        doc_id="synthetic", path="合成.pdf", title="合成", format="pdf", sha256="0" * 64,
        pages=(Page(1, f"{line}\n{line}\n{line[:18]}产品不良率下降 20."), Page(2, " 2％，合格率提升到 98. 5％。\n")),
    )
    [para] = clean_document(doc)
    assert para.text.endswith("产品不良率下降20.2%，合格率提升到98.5%。")
    at = para.text.index("20.2%")
    assert para.page_at(at + 2) == 1  # "20." is on page 1
    assert para.page_at(at + 3) == 2  # "2%" is on page 2


# --- radicals in place of characters (PDFs printed by Chromium) ---------------------------

def test_radical_table_maps_radicals_to_the_ideographs_their_names_say():
    import unicodedata

    from kb.cleaning import RADICAL_SUPPLEMENT, fold_radicals

    for cp, char in RADICAL_SUPPLEMENT.items():
        assert 0x2E80 <= cp <= 0x2EF3 and unicodedata.name(chr(cp)).startswith("CJK RADICAL ")
        assert len(char) == 1 and unicodedata.name(char).startswith("CJK UNIFIED IDEOGRAPH-"), hex(cp)
        if "SIMPLIFIED" in unicodedata.name(chr(cp)):
            char.encode("gb2312")  # a simplified radical stands for a simplified character
    # The names that say which character a simplified radical is.
    named = {"C-SIMPLIFIED GATE": "门", "C-SIMPLIFIED LONG": "长", "C-SIMPLIFIED SEE": "见", "C-SIMPLIFIED SHELL": "贝",
             "C-SIMPLIFIED CART": "车", "C-SIMPLIFIED LEAF": "页", "C-SIMPLIFIED WIND": "风", "C-SIMPLIFIED HORSE": "马",
             "C-SIMPLIFIED FISH": "鱼", "C-SIMPLIFIED EVEN": "齐", "SIMPLIFIED WHEAT": "麦", "SIMPLIFIED YELLOW": "黄",
             "SIMPLIFIED HORN": "角", "EAT ONE": "食", "BLUE": "青", "WEST TWO": "西"}
    for name, char in named.items():
        assert fold_radicals(unicodedata.lookup("CJK RADICAL " + name)) == char, name
    # Every Kangxi radical becomes an ordinary character; 户 青 黄 in their simplified code points.
    kangxi = fold_radicals("".join(map(chr, range(0x2F00, 0x2FD6))))
    assert all(unicodedata.name(c).startswith("CJK UNIFIED IDEOGRAPH-") for c in kangxi)
    assert fold_radicals("⼾⾭⿈⼀⼩⾁") == "户青黄一小肉"
    # Only radicals change: full-width punctuation and ordinary characters are left as they are.
    assert fold_radicals("（一）客户，“门”；ＡＢ１") == "（一）客户，“门”；ＡＢ１"


def test_radicals_in_a_pdf_text_layer_are_read_as_characters(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from kb.pipeline import parse_document

    # The text layer a Chromium PDF has: radicals where the font shares their glyph (synthetic).
    lines = ["典型案例汇编", "（本⽂件为测试⽤虚构案例）", "（⼀）河南省漯河市某⾁制品企业：⻝品安全管理体系筑牢底线",
             "该企业⽣产低温⾁制品，客⼾投诉多。帮扶组指导企业建⽴HACCP体系，⼤⻔常闭。",
             "（⼆）云南省曲靖市某电线电缆企业：以认证敲开招投标⼤⻔",
             "该企业⽣产低压电⼒电缆，导体电阻不合格率由2.6%降⾄0.4%。"]
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "radicals.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 11)
    for i, line in enumerate(lines):
        c.drawString(40, 780 - 24 * i, line)
    c.save()
    assert "⻔" in load_document(path).pages[0].text  # the text layer really holds radicals
    parsed = parse_document(path)
    text = "".join(c.text for c in parsed.chunks)
    assert not any(0x2E80 <= ord(ch) <= 0x2FDF for ch in text + parsed.title)
    assert "低温肉制品，客户投诉多" in text and "大门常闭" in text
    sections = {c.section[0] for c in parsed.chunks}
    assert "（一）河南省漯河市某肉制品企业：食品安全管理体系筑牢底线" in sections
    assert "（二）云南省曲靖市某电线电缆企业：以认证敲开招投标大门" in sections
    # Each heading is its own line, narrower than the text: not run into the paragraph below it.
    assert len(parsed.cases) == 2
    meat = next(c for c in parsed.cases if "肉制品" in c.title)
    assert any("农副食品" in i for i in meat.all_industries)


def test_a_place_title_after_a_full_intro_line_starts_a_paragraph():
    """Synthetic PDF-like lines: an intro paragraph whose last line is as wide as the others, then
    "某省某市：…" on a line of its own (no numbering): the title is a paragraph, not the intro's tail."""
    from kb.records import Document, Page

    text = ("各地在推进小微企业质量管理体系认证提升行动中探索形成了一批好经验好做法现\n"
            "摘编如下，供各地交流参考借鉴，请结合实际认真学习并抓好贯彻落实工作。\n"
            "浙江省湖州市：“认证+金融”撬动童装产业质量升级\n"
            "湖州市吴兴区织里镇是全国知名的童装产业集聚区，有童装生产经营主体一万余\n"
            "家，以家庭作坊式小微企业为主，企业质量管理意识薄弱，抽检不合格问题突出。\n")
    doc = Document("d", "合成.pdf", "合成", "pdf", "0" * 64, (Page(1, text),))
    texts = [p.text for p in clean_document(doc)]
    assert "浙江省湖州市：“认证+金融”撬动童装产业质量升级" in texts


# --- numbers cut by a line wrap, labels run on where OCR lost the full stop (合成测试材料) ---------

def _pdf_lines(*lines: str) -> list[str]:
    doc = Document("d", "合成.pdf", "合成", "pdf", "0" * 64, (Page(1, "\n".join(lines) + "\n"),))
    return [p.text for p in clean_document(doc)]


def test_a_number_cut_by_a_line_wrap_is_one_number():
    """A tester saw "一次交验合格率9 0%" (text PDF) and "年产量约12 0万双" (OCR): the wrap fell inside
    the number and the lines were joined with a space. Synthetic lines of a full column."""
    texts = _pdf_lines(
        "合成县定制家具小微企业订单多样，生产计划混乱，平均交货期长达35天，一次交验合格率9",
        "0%。合成县组织认证机构帮助企业梳理订单评审流程，推行板材开料优化和工序流转卡，",
        "建立出厂前预装检验。企业概况：该公司位于合成市，主要生产运动鞋，年产量约12",
        "0万双，通过ISO 9001认证，现行标准为GB/T 19001—2016，执行2023年版作业规程，2",
        "024年起全面推行。")
    (text,) = texts
    assert "一次交验合格率90%。" in text and "年产量约120万双" in text
    assert "ISO 9001" in text and "2024年起" in text


def test_digits_at_a_wrap_that_stand_apart_stay_apart():
    """A figure with a space before it at a line's end, or after it at the next line's start, is a
    cell or a figure of its own (a table row, a standard's number): the lines join with a space."""
    texts = _pdf_lines(
        "合成指标甲 12 合成指标乙 34 合成指标丙 56 合成指标丁 78 合成指标戊 90 合成指标己 11",
        "90 合成指标庚 21 合成指标辛 32 合成指标壬 43 合成指标癸 54 合成指标子 65 合成指标丑",
        "企业通过质量管理体系认证，依据的标准为合成标准编号GB/T 19001 2016版及其配套指南和",
        "3 项企业内控规范，年内组织内部审核和管理评审各一次，培训内审员合计二十余人次。")
    joined = "".join(texts)
    assert "11 90" in joined
    assert "19001 2016" in joined and "和3项" in joined


def test_a_short_line_ending_in_a_digit_is_not_run_on():
    """A short line (a table row, a heading) ends its paragraph: a figure after it is not glued on."""
    texts = _pdf_lines(
        "合成县小微企业质量管理体系认证提升行动实施以来，各项工作扎实推进，取得明显成效，",
        "主要指标如下表所示，其中获证企业数量和抽检合格率两项指标提升幅度较大，详见下表。",
        "获证企业 45",
        "128 家")
    assert "45128" not in "\n".join(texts) and "128家" in texts


def test_a_label_run_on_at_a_line_start_opens_its_part():
    """OCR of a scan dropped the full stop at a line's end: "存在问题：…多次被索赔" then "帮扶措施：…" on the
    next line was one paragraph (problem "…被索赔帮扶措施：对刷胶…", no measures)."""
    texts = _pdf_lines(
        "企业概况：该公司位于福建省泉州市晋江市，主要生产运动鞋，年产量约80万双。",
        "存在问题：鞋底开胶问题突出，开胶返修率达4.5%，出口订单多次被客户索赔",
        "帮扶措施：对刷胶、烘干、压合等特殊过程开展过程确认，固化温度和时间参",
        "数，建立胶粘剂进货检验规程",
        "取得成效：开胶返修率由4.5%下降到0.9%，全年减少索赔损失约80万元。")
    assert texts[0].endswith("存在问题：鞋底开胶问题突出，开胶返修率达4.5%，出口订单多次被客户索赔")
    assert texts[1] == "帮扶措施：对刷胶、烘干、压合等特殊过程开展过程确认，固化温度和时间参数，建立胶粘剂进货检验规程"
    assert texts[2].startswith("取得成效：")


def test_a_label_run_on_inside_a_line_opens_its_part():
    """The same with the label inside a line: the full stop before it was lost."""
    texts = _pdf_lines("存在问题：注塑件尺寸波动大，客户退货每月9批次主要做法：引入统计过程控制，绘制控制图"
                       "取得成效：客户退货由每月9批次降为每月1批次。")
    assert texts == ["存在问题：注塑件尺寸波动大，客户退货每月9批次", "主要做法：引入统计过程控制，绘制控制图",
                     "取得成效：客户退货由每月9批次降为每月1批次。"]
    # after a sentence that opens with a label of its own, that label's part is the one to follow
    texts = _pdf_lines("企业概况：该厂生产卫浴五金件。存在问题：镀层起泡主要问题：盐雾试验合格率低帮扶措施：规范前处理。")
    assert texts == ["企业概况：该厂生产卫浴五金件。存在问题：镀层起泡主要问题：盐雾试验合格率低", "帮扶措施：规范前处理。"]


@pytest.mark.parametrize("text", [
    # prose that does not open with a label: the words are a part of it
    "各地认真总结帮扶措施：一是组织专家上门诊断，二是开展体系培训。",
    # a label of an earlier part, or of the same part, inside a labelled paragraph
    "帮扶措施：组织专家上门诊断，发现存在问题：一是记录不全，二是检验缺失。",
    "主要做法：一是组织专家上门诊断，具体措施：开展体系培训。",
    # an object of the sentence ("…的改进措施：", "总结了经验做法：")
    "存在问题：企业缺乏有效的改进措施：返工靠经验，检验无记录。",
    # a bare or unqualified label word
    "企业概况：该厂主要生产卫浴五金件，近年的问题：镀层起泡。",
])
def test_a_label_word_in_prose_does_not_cut_it(text):
    assert _pdf_lines(text) == [text]
