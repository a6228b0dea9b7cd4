"""Build test input files at test time: PDFs, DOCX and TXT, good and broken.

Every text written by these helpers is SYNTHETIC: invented for the tests, about no real
enterprise, region or figure. The module-level constants hold that text so tests can assert
on exactly what was written.
"""

from __future__ import annotations

from pathlib import Path

# --- synthetic report content -------------------------------------------------------------

REPORT_TITLE = "合成测试报告：某市小微企业质量提升工作总结"
"""PDF metadata title of :func:`write_report_pdf` (synthetic)."""

# Paragraphs per page. A paragraph that continues onto the next page is split in two: the
# last paragraph of a page is marked with CONTINUES and the first paragraph of the next page
# is its continuation. All content is synthetic test data.
CONTINUES = "\x00"
REPORT_PAGES: tuple[tuple[str, ...], ...] = (
    (
        "合成测试报告",
        "某市小微企业质量提升工作总结",
        "本报告全部内容为测试用合成数据，不对应任何真实企业、地区或统计数字。全市共有一百二十家"
        "小微企业参与本轮提升行动，覆盖机械、食品和纺织三个行业。",
        "一、总体情况",
        "（一）质量提升成效明显。参与企业的产品不良率下降20.2%，一次交验合格率提升到98.5%，"
        "客户投诉数量同比减少三成。",
        "（二）帮扶措施扎实有效。一是开展专题培训。全年组织培训三十六场，覆盖企业负责人四百一十"
        "人次，培训内容包括质量目标设定、过程控制和内部审核等方面，帮助企业管理人员系统掌握"
        "质量管理体系的基本要求和持续改进的方法，并结合每家企业的实际情况制定了学习" + CONTINUES,
    ),
    (
        "计划。二是实施质量诊断。专家进企诊断八十五次，为每家企业形成一份改进清单。"
        "第二页独有的句子：示例企业甲将返工率从8.0%降至3.4%。",
        "二、存在问题",
        "部分企业质量管理人员流动较大，体系文件与实际操作存在差距。",
    ),
    (
        "三、下一步工作",
        "1. 扩大覆盖范围。计划新增参与企业五十家。",
        "（1）第三页独有的句子：按行业分批组织现场观摩。",
        "（2）建立跟踪回访机制，每季度回访一次。",
    ),
)

DOCX_HEADINGS = ("一、总体情况", "二、典型做法")
DOCX_BODY = (
    "本文档为测试用合成数据。某合成企业导入质量管理体系后，产品不良率下降20.2%。",
    "该合成企业建立了每周质量例会制度，问题关闭率提升到95%。",
)
DOCX_TABLE = (
    ("指标", "2022年", "2023年"),
    ("不良率", "5.0%", "3.99%"),
    ("合格率", "92%", "97%"),
)

TXT_TEXT = "合成测试文本\n\n一、总体情况\n\n某合成企业的不良率下降20.2％，合格率提升到98.5％。\n"
"""Synthetic text written as GBK by :func:`write_gbk_txt` and as UTF-8 with BOM by :func:`write_bom_txt`."""


# --- helpers ------------------------------------------------------------------------------

def _register_cid_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    name = "STSong-Light"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name


def _width(text: str) -> float:
    """Visual width in CJK character units (ASCII counts half), as the cleaner measures it."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def wrap(text: str, width: float = 30) -> list[str]:
    """Wrap ``text`` into lines of at most ``width`` CJK units, like a typeset page."""
    lines, line = [], ""
    for ch in text:
        if line and _width(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


def report_page_lines(width: float = 30) -> list[list[str]]:
    """Lines of each page of :data:`REPORT_PAGES`, wrapped like a typeset page.

    A paragraph marked with :data:`CONTINUES` runs on to the next page: the page keeps only
    its full lines (as a typesetter would) and the rest of the line starts the next page,
    so the page break falls inside a sentence.
    """
    pages: list[list[str]] = []
    carry = ""
    for paragraphs in REPORT_PAGES:
        lines: list[str] = []
        for i, para in enumerate(paragraphs):
            if i == 0 and carry:
                para, carry = carry + para, ""
            if para.endswith(CONTINUES):
                wrapped = wrap(para[:-1], width)
                if _width(wrapped[-1]) < width - 1:
                    carry = wrapped.pop()
                lines.extend(wrapped)
            else:
                lines.extend(wrap(para, width))
        pages.append(lines)
    assert not carry, "the last page cannot continue"
    return pages


def write_pdf(path: Path, pages: list[list[str]], title: str | None = None, footer: bool = True) -> Path:
    """Write ``pages`` (lists of lines) as a text PDF in the built-in CID font STSong-Light."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _register_cid_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    if title:
        c.setTitle(title)
    for number, lines in enumerate(pages, start=1):
        c.setFont(font, 14)
        y = 790
        for line in lines:
            c.drawString(60, y, line)
            y -= 22
        if footer:
            c.drawCentredString(A4[0] / 2, 40, f"— {number} —")
        c.showPage()
    c.save()
    return path


# --- good files ---------------------------------------------------------------------------

def write_report_pdf(directory: Path, name: str = "合成报告.pdf") -> Path:
    """A three-page Chinese text PDF (synthetic content) with headings and a printed footer."""
    return write_pdf(Path(directory) / name, report_page_lines(), title=REPORT_TITLE)


def write_empty_password_pdf(directory: Path, name: str = "空密码.pdf") -> Path:
    """The synthetic report, encrypted with an EMPTY user password: it opens without a password."""
    from pypdf import PdfWriter

    source = write_report_pdf(directory, name="_plain_for_empty_password.pdf")
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password="", owner_password="owner-secret")
    path = Path(directory) / name
    with open(path, "wb") as fh:
        writer.write(fh)
    source.unlink()
    return path


def write_encrypted_variant(directory: Path, algorithm: str, user_password: str = "", name: str | None = None) -> Path:
    """The synthetic report encrypted by pypdf's writer with ``algorithm`` ("RC4-128",
    "AES-128", "AES-256") and an owner password (print/copy restrictions), like government
    attachments; ``user_password`` "" opens without asking."""
    from pypdf import PdfWriter

    source = write_report_pdf(directory, name=f"_plain_for_{algorithm}.pdf")
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm,
                   permissions_flag=0)
    path = Path(directory) / (name or f"加密_{algorithm}{'_有密码' if user_password else ''}.pdf")
    with open(path, "wb") as fh:
        writer.write(fh)
    source.unlink()
    return path


def write_docx(directory: Path, name: str = "合成文档.docx") -> Path:
    """A DOCX (synthetic content): heading, body, a table, a second heading and body."""
    import docx

    document = docx.Document()
    document.add_heading(DOCX_HEADINGS[0], level=1)
    document.add_paragraph(DOCX_BODY[0])
    table = document.add_table(rows=len(DOCX_TABLE), cols=len(DOCX_TABLE[0]))
    for r, row in enumerate(DOCX_TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_heading(DOCX_HEADINGS[1], level=1)
    document.add_paragraph(DOCX_BODY[1])
    path = Path(directory) / name
    document.save(str(path))
    return path


def write_gbk_txt(directory: Path, name: str = "gbk编码.txt") -> Path:
    """:data:`TXT_TEXT` (synthetic) encoded as GBK."""
    path = Path(directory) / name
    path.write_bytes(TXT_TEXT.encode("gbk"))
    return path


def write_bom_txt(directory: Path, name: str = "utf8_bom.txt") -> Path:
    """:data:`TXT_TEXT` (synthetic) encoded as UTF-8 with a byte-order mark."""
    path = Path(directory) / name
    path.write_bytes(TXT_TEXT.encode("utf-8-sig"))
    return path


# --- bad files ----------------------------------------------------------------------------

def write_encrypted_pdf(directory: Path, name: str = "加密.pdf", password: str = "secret") -> Path:
    """The synthetic report, encrypted with a non-empty user password."""
    from pypdf import PdfWriter

    source = write_report_pdf(directory, name="_plain_for_encrypted.pdf")
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=password, owner_password="owner-secret")
    path = Path(directory) / name
    with open(path, "wb") as fh:
        writer.write(fh)
    source.unlink()
    return path


def write_image_only_pdf(directory: Path, name: str = "扫描件.pdf") -> Path:
    """A PDF page holding only an image and shapes, no text layer (like a scan)."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = Path(directory) / name
    c = canvas.Canvas(str(path), pagesize=A4)
    image = Image.new("RGB", (64, 64), (180, 40, 40))
    c.drawImage(ImageReader(image), 80, 500, width=200, height=200)
    c.setFillColorRGB(0.2, 0.4, 0.8)
    c.rect(300, 300, 200, 120, fill=1)
    c.circle(200, 200, 60, fill=1)
    c.showPage()
    c.save()
    return path


def write_truncated_pdf(directory: Path, name: str = "截断.pdf") -> Path:
    """The first half of the bytes of a valid PDF (a broken download)."""
    source = write_report_pdf(directory, name="_plain_for_truncated.pdf")
    data = source.read_bytes()
    source.unlink()
    path = Path(directory) / name
    path.write_bytes(data[: len(data) // 2])
    return path


def write_empty_file(directory: Path, name: str = "空文件.pdf") -> Path:
    """A zero-byte file."""
    path = Path(directory) / name
    path.write_bytes(b"")
    return path


def write_fake_pdf(directory: Path, name: str = "伪装.pdf") -> Path:
    """A file named .pdf whose content is plain (synthetic) text."""
    path = Path(directory) / name
    path.write_text("这不是 PDF，只是一段合成测试文字。\n", encoding="utf-8")
    return path


def write_unsupported(directory: Path, name: str = "表格.xlsx") -> Path:
    """A file with an extension the loader does not support."""
    path = Path(directory) / name
    path.write_bytes(b"PK\x03\x04 synthetic, not a real workbook")
    return path


# --- scans (kb/scan_samples.py draws them with a CJK font) ---------------------------------

SCAN_TEXT = "（合成测试文字）第二页：合成县雨伞小微企业建立质量管理体系，通过认证后获得认证贷二百万元。"
SMALL_SCAN = {"size_px": (1000, 560), "font_px": 40, "margin_px": (60, 50)}


def write_mixed_scan_pdf(directory: Path, name: str = "文字加扫描.pdf") -> Path:
    """Page 1 a text page, page 2 a scan of a heading and :data:`SCAN_TEXT` (a typed cover letter
    and a scanned attachment; synthetic content)."""
    from pypdf import PdfReader, PdfWriter

    from kb.scan_samples import wrap_lines, write_scan_pdf

    directory = Path(directory)
    text = write_pdf(directory / "_text.pdf", [["一、合成文字页", "（合成测试文字）本页有文字层，说明合成企业的基本情况和帮扶需求。"]])
    scan = write_scan_pdf(directory / "_scan.pdf", [["二、合成扫描页", *wrap_lines(SCAN_TEXT, 20)]], seed=9,
                          **(SMALL_SCAN | {"size_px": (1000, 620)}))
    writer = PdfWriter()
    for source in (text, scan):
        for page in PdfReader(str(source)).pages:
            writer.add_page(page)
    path = directory / name
    with open(path, "wb") as fh:
        writer.write(fh)
    text.unlink()
    scan.unlink()
    return path


STAMPED_SCAN_TEXT = "（合成测试文字）附件扫描页：合成县伞业小厂的伞骨断裂率由5.1%降至1.2%，通过质量管理体系认证。"


def write_stamped_scan_pdf(directory: Path, name: str = "扫描件带页眉.pdf", stamp: str = "附件2  第1页",
                           watermark: bool = False, portrait: bool = True) -> Path:
    """A scanned page (an image covering the whole page; :data:`STAMPED_SCAN_TEXT`, synthetic) with a
    short typed text layer on top: a header at the top, or a light diagonal ``watermark`` across it,
    as offices stamp scans before sending them. ``portrait=False``: a landscape page of the same
    kind, as a slide saved as PDF is (a title over a full-page picture)."""
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from kb.scan_samples import Degradation, degrade, draw_page, wrap_lines

    width, height = (1000, 1300) if portrait else SMALL_SCAN["size_px"]  # a scanned sheet is portrait
    image = degrade(draw_page(wrap_lines(STAMPED_SCAN_TEXT, 20), (width, height), SMALL_SCAN["font_px"],
                              (60, 90)), Degradation(), seed=4)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    buf.seek(0)
    page_w, page_h = width * 72 / 200, height * 72 / 200  # scanned at 200 dpi
    path = Path(directory) / name
    c = canvas.Canvas(str(path), pagesize=(page_w, page_h))
    c.drawImage(ImageReader(Image.open(buf)), 0, 0, width=page_w, height=page_h)
    font = _register_cid_font()
    if watermark:
        c.saveState()
        c.setFont(font, 22)
        c.setFillGray(0.85)
        c.translate(page_w / 2, page_h / 2)
        c.rotate(30)
        c.drawCentredString(0, 0, stamp)
        c.restoreState()
    else:
        c.setFont(font, 8)
        c.drawString(12, page_h - 14, stamp)
    c.showPage()
    c.save()
    return path


def write_logo_text_pdf(directory: Path, name: str = "带徽标的文字版.pdf") -> Path:
    """A text PDF (synthetic) whose pages carry a small logo image: a short cover page (title
    only) and a page of body text, like a report printed on letterhead. Nothing here needs OCR."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font = _register_cid_font()
    logo = ImageReader(Image.new("RGB", (120, 120), (200, 30, 30)))
    path = Path(directory) / name
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in (["合成测试报告（封面）"], report_page_lines()[0]):
        c.drawImage(logo, 40, A4[1] - 100, width=60, height=60)
        c.setFont(font, 14)
        y = 700
        for line in lines:
            c.drawString(60, y, line)
            y -= 22
        c.showPage()
    c.save()
    return path


# Glyphs LibreOffice sets in a Latin font inside Chinese text: curly quotes and dot leaders.
_LATIN_MARKS = "“”‘’…"


def write_two_pass_pdf(path: Path, pages: list[list[str]], size: float = 12) -> Path:
    """Lines of ``pages`` (synthetic text) drawn as LibreOffice writes Chinese with curly quotes
    and dot leaders: per line, one text object draws the marks (“ ” …, Helvetica) at their places
    first, then goes back to the line start (``Tm``) and draws the Chinese text in one ``TJ``
    with gaps where the marks sit. pypdf reads such a line in drawing order ("“ ”推出 认证贷 ，")."""
    import re

    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font = _register_cid_font()
    c = canvas.Canvas(str(path))
    for lines in pages:
        c.setFont("Helvetica", size)
        c.setFont(font, size)
        latin, cjk = c._doc.getInternalFontName("Helvetica"), c._doc.getInternalFontName(font)
        y = 760.0
        for line in lines:
            placed, x = [], 72.0
            for seg in re.findall(f"[{_LATIN_MARKS}]+|[^{_LATIN_MARKS}]+", line):
                mark = seg[0] in _LATIN_MARKS
                placed.append((seg, x, mark))
                x += stringWidth(seg, "Helvetica" if mark else font, size)
            ops = ["BT"]
            marks = [(seg, x) for seg, x, mark in placed if mark]
            for seg, x in marks:
                ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm {latin} {size} Tf <{seg.encode('cp1252').hex()}> Tj")
            ops.append(f"1 0 0 1 72 {y:.2f} Tm {cjk} {size} Tf")
            parts, end = [], None
            for seg, x, mark in placed:
                if mark:
                    continue
                if end is not None:
                    parts.append(f"{-(x - end) * 1000 / size:.0f}")
                parts.append("<" + seg.encode("utf-16-be").hex() + ">")
                end = x + stringWidth(seg, font, size)
            ops += ["[" + " ".join(parts) + "] TJ", "ET"]
            c._code.append("\n".join(ops))
            y -= size * 1.8
        c.showPage()
    c.save()
    return path


def write_styled_pdf(path: Path, pages: list[list[tuple[str, float, bool]]], title: str | None = None) -> Path:
    """Lines of ``pages`` (synthetic text), each ``(text, font size, bold)``, one under the other, with a
    printed footer. "Bold" is drawn as producers without a bold face draw it: the regular CID font
    stroked and filled (text rendering mode 2)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _register_cid_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    if title:
        c.setTitle(title)
    for number, lines in enumerate(pages, start=1):
        y = 790.0
        for text, size, bold in lines:
            c.saveState()  # (the rendering mode is part of the graphics state: q … Q keeps it to the line)
            t = c.beginText(60, y)
            t.setFont(font, size)
            t.setTextRenderMode(2 if bold else 0)
            t.textLine(text)
            c.drawText(t)
            c.restoreState()
            y -= size * 1.7
        c.setFont(font, 10)
        c.drawCentredString(A4[0] / 2, 40, f"— {number} —")
        c.showPage()
    c.save()
    return path
