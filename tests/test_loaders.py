"""kb.loaders: pages, formats, encodings, and a Chinese reason for every unreadable file."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pdfgen
import pytest

from kb.errors import KBError, UnreadableDocument
from kb.loaders import load_document
from kb.pipeline import parse_document


def squash(text: str) -> str:
    """Text without whitespace, so a phrase is found even where the PDF wrapped a line."""
    return re.sub(r"\s", "", text)


# --- PDF ----------------------------------------------------------------------------------

def test_pdf_keeps_page_numbers(sample_files):
    doc = load_document(sample_files["report_pdf"])
    assert doc.format == "pdf" and doc.paginated
    assert [p.number for p in doc.pages] == [1, 2, 3]
    page1, page2, page3 = (squash(p.text) for p in doc.pages)
    assert "第二页独有的句子" in page2
    assert "第二页独有的句子" not in page1 + page3
    assert "第三页独有的句子" in page3
    assert "不良率下降20.2%" in page1
    assert "一、总体情况" in page1 and "三、下一步工作" in page3


def test_pdf_title_comes_from_metadata(sample_files):
    assert load_document(sample_files["report_pdf"]).title == pdfgen.REPORT_TITLE


def test_pdf_with_empty_user_password_is_read(sample_files):
    plain = load_document(sample_files["report_pdf"])
    opened = load_document(sample_files["empty_password_pdf"])
    assert [squash(p.text) for p in opened.pages] == [squash(p.text) for p in plain.pages]
    assert "第二页独有的句子" in squash(opened.pages[1].text)


# --- DOCX and TXT -------------------------------------------------------------------------

def test_docx_paragraphs_and_table_rows_in_document_order(sample_files):
    doc = load_document(sample_files["docx"])
    assert doc.format == "docx" and not doc.paginated
    assert len(doc.pages) == 1
    lines = [line for line in doc.pages[0].text.split("\n") if line.strip()]
    assert lines == [
        pdfgen.DOCX_HEADINGS[0],
        pdfgen.DOCX_BODY[0],
        # each row a sentence of its own; the last ends with 。 so the table ends before the next paragraph
        *(" | ".join(row) + ("。" if i == len(pdfgen.DOCX_TABLE) - 1 else "；") for i, row in enumerate(pdfgen.DOCX_TABLE)),
        pdfgen.DOCX_HEADINGS[1],
        pdfgen.DOCX_BODY[1],
    ]
    assert doc.title == "合成文档"  # no metadata title: the file name


@pytest.mark.parametrize("key", ["gbk_txt", "bom_txt"])
def test_txt_encodings_are_decoded(sample_files, key):
    doc = load_document(sample_files[key])
    assert doc.format == "txt"
    assert doc.pages[0].text == pdfgen.TXT_TEXT
    assert "\ufeff" not in doc.pages[0].text


# Synthetic text in traditional characters: encodable in Big5, GBK and UTF-8 alike.
TRADITIONAL_TEXT = ("（合成測試材料）\n\n一、金門縣高粱酒廠\n\n金門縣高粱酒廠是一家小微企業，幫扶前瓶身標籤脫落率偏高，"
                    "品質管理人員不足。經過半年整改，脫落率由2.0%降至0.5%，企業順利通過品質管理體系認證。\n")


@pytest.mark.parametrize("encoding", ["big5", "gbk", "utf-8", "utf-16"])
def test_same_text_in_big5_gbk_utf8_reads_the_same(tmp_path, encoding):
    path = tmp_path / f"合成_{encoding}.txt"
    path.write_bytes(TRADITIONAL_TEXT.encode(encoding))
    assert load_document(path).pages[0].text == TRADITIONAL_TEXT


def test_simplified_text_in_gbk_is_not_read_as_big5(tmp_path):
    path = tmp_path / "合成_gbk.txt"
    path.write_bytes(pdfgen.TXT_TEXT.encode("gbk"))
    assert load_document(path).pages[0].text == pdfgen.TXT_TEXT


def test_text_in_an_unknown_encoding_is_refused_clearly(tmp_path):
    path = tmp_path / "合成_日文编码.txt"
    path.write_bytes("（合成テスト）これは日本語のテキストです。品質管理の事例。".encode("shift_jis"))
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    assert "无法识别文本编码" in info.value.reason and "另存为 UTF-8" in info.value.reason
    assert info.value.path == str(path)


def test_utf8_cut_inside_its_last_character_is_still_utf8(tmp_path):
    path = tmp_path / "合成_截断.txt"
    path.write_bytes(TRADITIONAL_TEXT.rstrip("\n").encode("utf-8")[:-1])
    assert load_document(path).pages[0].text == TRADITIONAL_TEXT.rstrip("\n")[:-1]


def test_docx_table_rows_stay_apart_in_chunks_sentences_and_cases(tmp_path):
    """Rows of a before/after table (synthetic) never run together, nor into the next paragraph."""
    import docx

    from kb.indexing import sentences_of
    from kb.pipeline import parse_document

    document = docx.Document()
    document.add_paragraph("案例1 合成市合成塑胶厂（合成测试材料）")
    document.add_paragraph("取得成效：")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("指标", "帮扶前", "帮扶后"), ("一次交验合格率", "91.2%", "97.6%"),
                             ("客户退货批次（月）", "14", "3")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 0).text = "一次交验\n合格率"  # a cell of two paragraphs stays on its row
    document.add_paragraph("表格之后的段落：该合成企业获得认证贷八十万元")
    path = tmp_path / "合成表格.docx"
    document.save(str(path))
    parsed = parse_document(path)
    sentences = [s for c in parsed.chunks for s in sentences_of(c)]
    assert "一次交验，合格率 | 91.2% | 97.6%；" in sentences
    assert "客户退货批次（月） | 14 | 3。" in sentences
    assert "表格之后的段落：该合成企业获得认证贷八十万元" in sentences
    assert not any("97.6%客户" in c.text or "| 3表格" in c.text for c in parsed.chunks)
    from kb.cases import table_outcomes
    from kb.cleaning import clean_document
    from kb.structure import structure_sentences

    rows = table_outcomes(structure_sentences(clean_document(parsed.document))[1])
    assert [(o.metric, o.before, o.after) for _, o in rows] == [("一次交验，合格率", 91.2, 97.6), ("客户退货批次（月）", 14, 3)]


def test_markdown_tables_front_matter_and_images(tmp_path):
    from kb.loaders import markdown_text

    md = ("---\ntitle: 合成\ntags: [测试]\n---\n\n# 合成测试经验\n\n![](a.png)\n![图](b.png)\n"
          "![合成市质量诊所现场](c.jpg)\n\n合成市推行防错方法，详见[合成细则](http://example.invalid/x)。\n\n"
          "| 指标 | 前 | 后 |\n|:---|---:|---|\n| 缝制缺陷率 | 3.5% | 1.1% |\n| 返工率 | 8% | 3% |\n下一段文字。\n")
    text = markdown_text(md)
    assert "---" not in text and "title:" not in text and "png" not in text and "(" not in text
    assert "合成市质量诊所现场" in text and "![" not in text and "[图]" not in text
    assert "详见合成细则。" in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[-4:] == ["指标 | 前 | 后；", "缝制缺陷率 | 3.5% | 1.1%；", "返工率 | 8% | 3%。", "下一段文字。"]
    path = tmp_path / "合成经验.md"
    path.write_text(md, encoding="utf-8")
    page = load_document(path).pages[0].text
    assert page == text and "title" not in page


def test_markdown_with_only_front_matter_and_images_has_no_text(tmp_path):
    path = tmp_path / "只有图片.md"
    path.write_text("---\ntitle: 合成\n---\n\n![图](a.png)\n", encoding="utf-8")
    with pytest.raises(UnreadableDocument, match="没有可提取的文字"):
        load_document(path)


def test_hand_written_txt_with_indented_lines_stays_one_page(tmp_path):
    path = tmp_path / "缩进.txt"
    path.write_text(" 第一段合成文字。\n 第二段合成文字。\n 第三段合成文字。\n", encoding="utf-8")
    doc = load_document(path)
    assert len(doc.pages) == 1 and not doc.paginated


# --- unreadable files ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "write, keywords",
    [
        (pdfgen.write_encrypted_pdf, ["加密", "密码"]),
        (pdfgen.write_image_only_pdf, ["扫描", "文字层"]),
        (pdfgen.write_truncated_pdf, ["损坏"]),
        (pdfgen.write_empty_file, ["为空"]),
        (pdfgen.write_fake_pdf, ["不是 PDF"]),
        (pdfgen.write_unsupported, ["不支持"]),
    ],
    ids=["encrypted", "image-only", "truncated", "zero-byte", "text-named-pdf", "unsupported"],
)
def test_bad_file_raises_unreadable_with_chinese_reason(tmp_path, write, keywords):
    path = write(tmp_path)
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    err = info.value
    for keyword in keywords:
        assert keyword in err.reason
    assert err.path == str(path)
    assert str(err).startswith(str(path))  # the message names the file
    assert isinstance(err, KBError) and err.exit_code == 1


@pytest.mark.parametrize("suffix, part", [(".docx", "word/document.xml"), (".pptx", "ppt/presentation.xml")])
def test_damaged_office_xml_is_refused_in_chinese_without_a_class_name(tmp_path, suffix, part):
    """A synthetic Office file whose main XML part is cut off: the reason is Chinese only."""
    import re
    import zipfile

    path = tmp_path / f"合成损坏{suffix}"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr(part, "<w:document xmlns:w='x'><w:body><w:p>合成")
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    reason = info.value.reason
    assert "损坏" in reason or "无法解析" in reason
    assert not re.search(r"[A-Za-z]{4,}", reason.replace("DOCX", "").replace("PPTX", "").replace("Word", "")
                         .replace("PowerPoint", "").replace("ZIP", "").replace("XML", "")), reason


def test_a_damaged_pptx_is_not_called_a_word_document(tmp_path):
    path = tmp_path / "合成损坏.pptx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)  # a ZIP header and nothing else
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    assert "PowerPoint" in info.value.reason and "Word" not in info.value.reason


@pytest.mark.parametrize("core_title, expected", [("合成测试材料 小微企业质量提升优良案例一览表", "合成测试材料 小微企业质量提升优良案例一览表"),
                                                   ("文档1", "合成一览表"), ("", "合成一览表")])
def test_a_docx_title_comes_from_its_properties_unless_a_placeholder(tmp_path, core_title, expected):
    import docx

    document = docx.Document()
    document.core_properties.title = core_title
    document.add_paragraph("合成测试材料：正文第一段。")
    path = tmp_path / "合成一览表.docx"
    document.save(path)
    assert load_document(path).title == expected


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableDocument, match="无法读取"):
        load_document(tmp_path / "不存在.pdf")


def test_docx_that_is_not_a_zip_is_unreadable(tmp_path):
    path = tmp_path / "伪装.docx"
    path.write_text("合成测试文字，不是 Word 文档。", encoding="utf-8")
    with pytest.raises(UnreadableDocument, match="不是 Word"):
        load_document(path)


# --- the shipped report -------------------------------------------------------------------

def test_shipped_report_splits_into_15_pages(report_doc):
    pages = report_doc.pages
    assert report_doc.format == "txt" and report_doc.paginated
    assert [p.number for p in pages] == list(range(1, 16))
    # Page starts are lines with one leading space ...
    assert pages[1].text.startswith(" 提升行动在有力助推企业提质增效")
    assert pages[3].text.startswith(" 扶。山西、河南等 28 个省局")
    assert pages[14].text.startswith(" 产业转型发展。")
    # ... except after the printed footer "— 19 —", which closes page 10.
    assert pages[9].text.rstrip().endswith("— 19 —")
    assert pages[10].text.startswith("三、需要完善的主要方向")
    assert "附件 1" in pages[0].text  # loading keeps everything; cleaning drops debris


def test_doc_id_is_a_stable_content_hash_prefix(report_path, report_doc, tmp_path):
    data = report_path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    assert report_doc.sha256 == sha
    assert report_doc.doc_id == sha[:12]
    assert load_document(report_path).doc_id == report_doc.doc_id

    renamed = tmp_path / "改了名字.txt"
    renamed.write_bytes(data)
    assert load_document(renamed).doc_id == report_doc.doc_id  # the name does not matter

    edited = tmp_path / "改了内容.txt"
    edited.write_bytes(data + "合成的补充一句。".encode())
    assert load_document(edited).doc_id != report_doc.doc_id


# --- encrypted PDFs -----------------------------------------------------------------------

ALGORITHMS = ["RC4-128", "AES-128", "AES-256"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_encrypted_pdf_with_empty_user_password_is_read(sample_files, tmp_path, algorithm):
    """Owner password only (printing/copying restricted), as government attachments often are."""
    from pypdf import PdfReader

    path = pdfgen.write_encrypted_variant(tmp_path, algorithm)
    reader = PdfReader(str(path))
    assert reader.is_encrypted  # the file really is encrypted with that algorithm
    assert {"RC4-128": (2, 3), "AES-128": (4, 4), "AES-256": (5, 6)}[algorithm] == (
        reader.trailer["/Encrypt"]["/V"], reader.trailer["/Encrypt"]["/R"])
    plain = load_document(sample_files["report_pdf"])
    opened = load_document(path)
    assert [squash(p.text) for p in opened.pages] == [squash(p.text) for p in plain.pages]
    assert not any(p.ocr for p in opened.pages)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_encrypted_pdf_with_user_password_is_refused_clearly(tmp_path, algorithm):
    path = pdfgen.write_encrypted_variant(tmp_path, algorithm, user_password="secret")
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    assert "加密" in info.value.reason and "密码" in info.value.reason
    assert "Error" not in info.value.reason  # a sentence for the user, not an exception name


# --- formats decided by content -----------------------------------------------------------

def test_old_word_doc_says_what_it_is_and_what_to_do(tmp_path):
    path = tmp_path / "合成旧版.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    assert "旧版 Word 文档" in info.value.reason and "另存为 .docx" in info.value.reason


@pytest.mark.parametrize("name", ["合成文档.doc", "合成文档.pdf"])
def test_word_document_misnamed_is_read_as_docx_with_a_note(sample_files, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(sample_files["docx"].read_bytes())
    doc = load_document(path)
    assert doc.format == "docx" and not doc.paginated
    assert doc.pages == load_document(sample_files["docx"]).pages
    assert doc.notes == (f"扩展名是 {path.suffix}，但文件实际是Word 文档（.docx），已按实际格式读取；建议把扩展名改为 .docx",)


def test_powerpoint_named_docx_is_read_as_slides(tmp_path):
    from pptx import Presentation

    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[0]).shapes.title.text = "合成测试课件"
    path = tmp_path / "合成课件.docx"
    deck.save(str(path))
    doc = load_document(path)
    assert doc.format == "pptx" and doc.pages[0].text == "合成测试课件。"
    assert "PowerPoint 演示文稿" in doc.notes[0] and "建议把扩展名改为 .pptx" in doc.notes[0]


@pytest.mark.parametrize("name, words", [("合成.ppt", "另存为 .pptx"), ("合成.xlsx", "Excel"), ("合成.jpg", "图片"),
                                         ("合成.zip", "解压"), ("合成.wps", "另存为 .docx"), ("合成.ofd", "PDF")])
def test_unsupported_types_say_what_to_do(tmp_path, name, words):
    path = tmp_path / name
    path.write_bytes(b"synthetic")
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    assert "不支持的文件类型" in info.value.reason and words in info.value.reason


def test_upload_of_a_misnamed_word_document_is_accepted(sample_files):
    from kb.ui_helpers import check_upload

    assert check_upload("合成文档.pdf", sample_files["docx"].read_bytes(), 100).ok
    bad = check_upload("合成旧版.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, 100)
    assert not bad.ok and "旧版 Word 文档" in bad.reason


# --- PowerPoint slides (trainers' course material) ---------------------------------------------

def _write_synthetic_deck(path: Path) -> Path:
    """A SYNTHETIC course deck: bullets, a table, a group, a picture-only slide, speaker notes."""
    import io

    from PIL import Image
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    s1 = deck.slides.add_slide(deck.slide_layouts[1])
    s1.shapes.title.text = "（合成测试课件）案例：合成市某家纺企业降低缺陷率"
    body = s1.placeholders[1].text_frame
    body.text = "问题：产品缺陷发生率高"
    body.add_paragraph().text = "做法：导入防错方法与首件检验"
    s2 = deck.slides.add_slide(deck.slide_layouts[5])
    s2.shapes.title.text = "帮扶前后对比"
    table = s2.shapes.add_table(3, 3, Inches(1), Inches(2), Inches(6), Inches(1.5)).table
    for r, row in enumerate((("指标", "帮扶前", "帮扶后"), ("缺陷发生率", "15%", "7%"), ("客户退货批次", "12", "3"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    s3 = deck.slides.add_slide(deck.slide_layouts[6])
    group = s3.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    box.text_frame.text = "分组里的文字：认证贷帮助企业融资"
    s3.notes_slide.notes_text_frame.text = "讲解提示：强调认证贷的申请条件"
    s4 = deck.slides.add_slide(deck.slide_layouts[6])
    image = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(image, "PNG")
    image.seek(0)
    s4.shapes.add_picture(image, Inches(1), Inches(1))
    deck.save(str(path))
    return path


def test_pptx_slides_are_pages_with_titles_tables_groups_and_notes(tmp_path):
    doc = load_document(_write_synthetic_deck(tmp_path / "合成课件.pptx"))
    assert doc.format == "pptx" and doc.paginated and [p.number for p in doc.pages] == [1, 2, 3, 4]
    one, two, three, four = (p.text for p in doc.pages)
    assert one.startswith("（合成测试课件）案例") and "问题：产品缺陷发生率高。" in one and "首件检验。" in one
    assert "缺陷发生率 | 15% | 7%；" in two and "客户退货批次 | 12 | 3。" in two
    assert "分组里的文字：认证贷帮助企业融资。" in three and "备注：讲解提示：强调认证贷的申请条件。" in three
    assert four == ""  # a picture-only slide has no text (and is not an error)


def test_pptx_is_searchable_and_cites_its_slide(tmp_path):
    path = _write_synthetic_deck(tmp_path / "合成课件.pptx")
    parsed = parse_document(path)
    assert parsed.document.title != "PowerPoint Presentation"
    by_page = {c.page: c for c in parsed.chunks}
    assert "认证贷帮助企业融资" in by_page[3].text and by_page[3].page_end == 3  # a passage stays on its slide
    assert by_page[2].section == ("帮扶前后对比",)  # the slide's title, without the 。 its line was given
    (case,) = [c for c in parsed.cases if "家纺" in c.title] or [None]
    assert case is None or case.page == 1


def test_pptx_misnamed_or_old_is_explained(tmp_path):
    deck = _write_synthetic_deck(tmp_path / "合成课件.pptx")
    renamed = tmp_path / "课件改名.docx"
    renamed.write_bytes(deck.read_bytes())
    doc = load_document(renamed)
    assert doc.format == "pptx" and "已按实际格式读取" in doc.notes[0]
    old = tmp_path / "旧课件.pptx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(UnreadableDocument, match="旧版 PowerPoint"):
        load_document(old)
    with pytest.raises(UnreadableDocument, match="另存为 .pptx"):
        load_document(tmp_path / "老格式.ppt")


def test_utf16_with_a_bom_cut_off_or_damaged_is_read_or_refused_in_chinese(tmp_path):
    from kb.loaders import decode_text

    text = "（合成测试文字）合成县伞业小厂通过认证。"
    data = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    assert decode_text(data + b"a") == text  # an odd last byte (a cut-off copy) is dropped
    damaged = "\ufeff".encode("utf-16-le") + b"\x00\xdc\x41\x00"  # a lone low surrogate
    with pytest.raises(UnreadableDocument, match="无法按 UTF-16 解码"):
        decode_text(damaged, "损坏.txt")


def test_slides_keep_numbered_lines_as_text_and_labelled_case_slides_give_cases(tmp_path):
    """Numbered agenda lines ("一、背景") and "案例一：…" titles do not become headings that run on
    into later slides; a slide labelling its problem and results is one case."""
    from pptx import Presentation

    deck = Presentation()
    agenda = deck.slides.add_slide(deck.slide_layouts[1])
    agenda.shapes.title.text = "课程目录（合成测试课件）"
    agenda.placeholders[1].text_frame.text = "一、帮扶工作背景"
    agenda.placeholders[1].text_frame.add_paragraph().text = "二、典型案例分享"
    case = deck.slides.add_slide(deck.slide_layouts[1])
    case.shapes.title.text = "案例一：青禾市某纸箱包装企业"
    body = case.placeholders[1].text_frame
    body.text = "存在问题：纸箱抗压强度不稳定，客户退货频繁"
    body.add_paragraph().text = "帮扶措施：建立来料检验"
    body.add_paragraph().text = "取得成效：不良率由6.5%降至2.1%"
    closing = deck.slides.add_slide(deck.slide_layouts[1])
    closing.shapes.title.text = "讨论与提问"
    path = tmp_path / "合成课件.pptx"
    deck.save(str(path))
    parsed = parse_document(path)
    sections = {c.page: c.section for c in parsed.chunks}
    assert sections == {1: ("课程目录（合成测试课件）",), 2: ("案例一：青禾市某纸箱包装企业",), 3: ("讨论与提问",)}
    assert "一、帮扶工作背景。" in parsed.chunks[0].text  # a numbered line stays text
    (found,) = parsed.cases
    assert found.title == "青禾市某纸箱包装企业" and found.page == 2  # without its number, as in collections
    assert found.problem.startswith("纸箱抗压强度不稳定") and "来料检验" in found.measures
    assert [(o.metric, o.before, o.after) for o in found.outcomes] == [("不良率", 6.5, 2.1)]


def test_markdown_bold_labels_are_labels(tmp_path):
    text = ("# 合成测试材料：典型经验\n\n## 案例一：山东省临沂市某板材企业\n\n**存在问题**：胶合板甲醛释放量超标。\n\n"
            "**主要做法**：更换低醛胶黏剂。\n\n**取得成效**：甲醛释放量由1.2 mg/L降至0.4 mg/L。\n\n"
            "## 案例二：河南省许昌市某发制品企业\n\n**存在问题**：假发色差大。\n\n**取得成效**：返工率由9%降至3%。\n")
    path = tmp_path / "合成典型经验.md"
    path.write_text(text, encoding="utf-8")
    first, second = parse_document(path).cases
    assert first.problem == "胶合板甲醛释放量超标。" and first.measures == "更换低醛胶黏剂。" and "**" not in first.text
    assert [(o.metric, o.before, o.after, o.unit) for o in first.outcomes] == [("甲醛释放量", 1.2, 0.4, "mg/L")]
    assert second.problem == "假发色差大。"


def test_docx_case_titles_in_heading_styles_without_numbers_split_the_cases(tmp_path):
    """Case titles in Word heading styles (Heading 1, a WPS "标题 1", a custom style based on a
    heading style) without numbering each start a case; the bracketed line under the document
    title is not run into the first case title (synthetic collection)."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    from kb.pipeline import parse_document

    document = docx.Document()
    document.add_heading("合成企业优良案例选编", 0)
    document.add_paragraph("（第二辑）")
    wps = document.styles.add_style("标题 1", WD_STYLE_TYPE.PARAGRAPH)  # as WPS names it: no outline level
    custom = document.styles.add_style("案例题目", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 1"]
    cases = [
        ("Heading 1", "浙江某五金工具有限公司：以体系认证推动精益生产", "产品不良率由4.5%降至1.2%。"),
        ("标题 1", "福建某茶叶专业合作社：标准化种植打开高端市场", "一级品率由55%提升至78%。"),
        ("案例题目", "广东某注塑件企业：认证贷破解融资难", "注塑件不良率由3.1%降至0.8%。"),
        ("Heading 1", "江西某竹木制品厂：从作坊到规范化工厂", "原材料利用率由62%提高到81%。"),
    ]
    for style, title, outcome in cases:
        document.add_paragraph(title, style=style)
        document.add_paragraph("（本段为测试用虚构案例）该企业建立了质量管理体系。")
        document.add_paragraph("取得成效：" + outcome)
    assert wps is not None
    path = tmp_path / "合成案例选编.docx"
    document.save(str(path))
    parsed = parse_document(path)
    assert parsed.title == "合成企业优良案例选编（第二辑）"
    assert [c.title for c in parsed.cases] == [title for _, title, _ in cases]
    assert len({c.section for c in parsed.chunks}) == 4
    assert not any("#" in c.text for c in parsed.chunks)


def test_docx_heading_with_its_own_numbering_keeps_its_level(tmp_path):
    """A heading-styled paragraph that starts with 一、/（一） is placed by its numbering, and the
    unnumbered Heading 2 under it nests below (synthetic report)."""
    import docx

    from kb.pipeline import parse_document

    document = docx.Document()
    document.add_paragraph("合成市质量提升工作总结")
    document.add_paragraph("合成市本年度工作情况如下。")
    document.add_heading("一、主要做法", 1)
    document.add_heading("质量诊所进园区", 2)
    document.add_paragraph("合成市在三个园区开设质量诊所（测试用虚构内容）。")
    path = tmp_path / "合成总结.docx"
    document.save(str(path))
    parsed = parse_document(path)
    chunk = next(c for c in parsed.chunks if "质量诊所（" in c.text)
    assert chunk.section == ("一、主要做法", "质量诊所进园区")


SYNTHETIC_MD = """# 合成帮扶优良案例（Markdown 版）

（本文件为测试用虚构案例）

## 案例1 重庆市江津区某摩托车配件企业

**存在问题**：

- 装配不良率偏高，主机厂多次发出质量警告
* 来料检验缺失；
  + 供应商批次质量波动大

**取得成效**：

1. 装配不良率由2.3%降至0.6%
2) 年订单额增长22%

***

## 案例2 贵州省遵义市仁怀市某酱香白酒作坊

存在问题：基酒质量依赖师傅经验，优级率低。

取得成效：基酒优级率由48%提高到70%。
"""


def test_markdown_list_items_are_sentences_without_markers(tmp_path):
    from kb.indexing import sentences_of
    from kb.loaders import markdown_text
    from kb.pipeline import parse_document

    text = markdown_text(SYNTHETIC_MD)
    assert "装配不良率偏高，主机厂多次发出质量警告。" in text.splitlines()
    assert "来料检验缺失；" in text.splitlines() and "供应商批次质量波动大。" in text.splitlines()
    assert "年订单额增长22%。" in text.splitlines() and "***" not in text
    path = tmp_path / "合成案例.md"
    path.write_text(SYNTHETIC_MD, encoding="utf-8")
    parsed = parse_document(path)
    sentences = [s for c in parsed.chunks for s in sentences_of(c)]
    # (A label line "存在问题：" may open the sentence of the first item.)
    assert any(s.endswith("：装配不良率偏高，主机厂多次发出质量警告。") for s in sentences)
    assert "来料检验缺失；" in sentences and "年订单额增长22%。" in sentences
    assert not any(re.search(r"(?:^|[。；：])\s*(?:[-*+]|\d[.)])\s", s) for s in sentences)
    case = parsed.cases[0]
    assert "质量警告" in case.problem and "质量警告-" not in case.problem
    assert {(o.before, o.after) for o in case.outcomes} >= {(2.3, 0.6)}


def test_markdown_title_is_the_h1_and_its_note_is_no_case(tmp_path):
    from kb.loaders import markdown_title
    from kb.pipeline import parse_document

    path = tmp_path / "合成案例.md"
    path.write_text(SYNTHETIC_MD, encoding="utf-8")
    parsed = parse_document(path)
    assert parsed.title == "合成帮扶优良案例（Markdown 版）"
    assert [c.title for c in parsed.cases] == ["重庆市江津区某摩托车配件企业", "贵州省遵义市仁怀市某酱香白酒作坊"]
    assert all(c.section[0].startswith("案例") for c in parsed.chunks)
    # H1s that are sections, not a title: the first one names a case and has text of its own.
    assert markdown_title("# 案例1 合成某企业\n\n正文。\n\n# 案例2 合成某厂\n\n正文。\n") is None
    assert markdown_title("# 合成案例集\n\n# 案例1 合成某企业\n\n正文。\n") == "合成案例集"
    assert markdown_title("前言一段。\n\n# 合成标题\n") is None


def _write_case_deck(path: Path, title_slide: bool = True) -> Path:
    """A SYNTHETIC deck of cases: a title slide, one case a slide, a summary slide."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    if title_slide:
        s = deck.slides.add_slide(deck.slide_layouts[0])
        s.shapes.title.text_frame.text = "合成认证帮扶\v优秀案例分享"  # a line break inside the title
        s.placeholders[1].text = "培训课件（本文件为测试用虚构案例）"
    for title, lines in (
        ("案例一：山西省晋中市平遥县某牛肉制品企业", ["存在问题：产品水分含量不稳定。", "取得成效：抽检合格率由89%提升至100%。"]),
        ("案例二：湖北省武汉市黄陂区某包装印刷企业", ["存在问题：印刷色差大。", "取得成效：材料损耗率由6%降至3.5%。"]),
        ("案例三：辽宁省大连市瓦房店市某轴承企业", ["存在问题：早期失效多。", "取得成效：交付准时率由85%提升至97%。"]),
    ):
        s = deck.slides.add_slide(deck.slide_layouts[5])
        s.shapes.title.text = title
        frame = s.shapes.add_textbox(Inches(0.5), Inches(1.6), Inches(9), Inches(2)).text_frame
        frame.text = lines[0]
        for line in lines[1:]:
            frame.add_paragraph().text = line
    s = deck.slides.add_slide(deck.slide_layouts[1])
    s.shapes.title.text = "小结"
    s.placeholders[1].text = "认证帮扶要坚持问题导向。"
    deck.core_properties.title = "PowerPoint Presentation"
    deck.save(str(path))
    return path


def test_pptx_title_is_the_title_slides_title(tmp_path):
    assert load_document(_write_case_deck(tmp_path / "合成课件.pptx")).title == "合成认证帮扶优秀案例分享"
    # No title slide: the file name (the title property is a placeholder here).
    assert load_document(_write_case_deck(tmp_path / "无标题页.pptx", title_slide=False)).title == "无标题页"
    # A first slide of content is not a title slide.
    assert load_document(_write_synthetic_deck(tmp_path / "合成.pptx")).title == "合成"


def test_pptx_deck_of_cases_tags_its_passages_as_cases(tmp_path):
    parsed = parse_document(_write_case_deck(tmp_path / "合成课件.pptx"))
    assert len(parsed.cases) == 3 and parsed.kind == "enterprise_case"
    # The case slides' passages are cases; the closing 小结 slide is back matter, no case passage.
    assert {c.kind for c in parsed.chunks if c.section != ("小结",)} == {"enterprise_case"}
    assert {c.kind for c in parsed.chunks if c.section == ("小结",)} == {"report"}
    # A course deck with one example slide stays a report.
    single = parse_document(_write_synthetic_deck(tmp_path / "合成.pptx"))
    assert single.kind == "report" and {c.kind for c in single.chunks} == {"report"}


def test_markdown_quotes_lose_their_marker_and_end_as_sentences():
    """"> 本文件为…" kept its ">" and ran into the next sentence (a tester's Markdown, synthetic)."""
    from kb.loaders import markdown_text

    text = markdown_text("# 合成选编\n\n> 本文件为测试用合成材料，所述企业均为虚构\n\n编印说明：本选编收录4个地方。\n\n>> 嵌套的引用\n")
    assert ">" not in text
    assert "本文件为测试用合成材料，所述企业均为虚构。" in text and "嵌套的引用。" in text
