"""Generators of hostile and broken input files, built at test time.

Every text in these files is SYNTHETIC (invented for the tests). Each generator writes one
file into ``directory`` and returns its path. :data:`HOSTILE` lists them with what the system
is expected to do, and is the source of the table in ``docs/reliability.md``.

PDFs are written by hand (:func:`build_pdf`) so that their structure can be broken on purpose:
a /Prev chain that loops, an outline whose /Next points back to itself, a page tree that
contains itself, streams that decompress to hundreds of megabytes.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pdfgen

SYNTHETIC_TEXT = "合成测试文本：某合成企业导入质量管理体系后，产品不良率下降了百分之二十。"
"""A synthetic sentence used where a file needs real-looking Chinese text."""

_ASCII_TEXT = b"Synthetic test text for a hand-written PDF."


# --- a tiny PDF writer --------------------------------------------------------------------

def stream_object(data: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    """The body of a stream object holding ``data`` (optionally FlateDecode-compressed)."""
    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def build_pdf(objects: list[bytes], trailer: bytes = b"/Root 1 0 R", xref: bool = True) -> bytes:
    """A PDF whose object ``i + 1`` is ``objects[i]``, with a correct xref table.

    ``trailer`` is the inside of the trailer dictionary (without /Size, which is added).
    """
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    if xref:
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        for off in offsets:
            out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, start))
    return out.getvalue()


def _page_objects(content: bytes, font: bytes = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                  compress: bool = False) -> list[bytes]:
    """Catalog, page tree, one page, its content stream and font (objects 1-5)."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream_object(content, compress=compress),
        font,
    ]


def _text_ops(text: bytes) -> bytes:
    return b"BT /F1 12 Tf 72 760 Td (" + text + b") Tj ET\n"


# --- PDF structure attacks ----------------------------------------------------------------

def write_xref_loop_pdf(directory: Path, name: str = "xref循环.pdf") -> Path:
    """Two xref sections whose /Prev entries point at each other (an infinite chain)."""
    body = build_pdf(_page_objects(_text_ops(_ASCII_TEXT)))
    first = body.rindex(b"xref\n")
    # A second, incremental xref section at the end whose /Prev points to itself,
    # and the original trailer rewritten to point forward to it.
    second = len(body)
    tail = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 6 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        second, second)
    body = body.replace(b"<< /Size 6 /Root 1 0 R >>", b"<< /Size 6 /Root 1 0 R /Prev %d >>" % second, 1)
    path = Path(directory) / name
    path.write_bytes(body + tail)
    assert first < second
    return path


def write_outline_loop_pdf(directory: Path, name: str = "书签循环.pdf") -> Path:
    """A readable page plus an outline whose only item's /Next and /First point back to itself."""
    objects = _page_objects(_text_ops(_ASCII_TEXT))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>"
    objects.append(b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>")
    objects.append(b"<< /Title (loop) /Parent 6 0 R /Next 7 0 R /First 7 0 R /Last 7 0 R /Count 1 "
                   b"/Dest [3 0 R /Fit] >>")
    path = Path(directory) / name
    path.write_bytes(build_pdf(objects))
    return path


def write_page_tree_loop_pdf(directory: Path, name: str = "页面树循环.pdf") -> Path:
    """A page tree node whose /Kids contains the node itself."""
    objects = _page_objects(_text_ops(_ASCII_TEXT))
    objects[1] = b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    path = Path(directory) / name
    path.write_bytes(build_pdf(objects))
    return path


def write_deep_nesting_pdf(directory: Path, name: str = "深层嵌套.pdf", depth: int = 100_000) -> Path:
    """A page dictionary holding an array nested ``depth`` levels deep (recursion attack)."""
    objects = _page_objects(_text_ops(_ASCII_TEXT))
    objects[2] = objects[2][:-2] + b"/Junk " + b"[" * depth + b"]" * depth + b" >>"
    path = Path(directory) / name
    path.write_bytes(build_pdf(objects))
    return path


def write_missing_root_pdf(directory: Path, name: str = "缺少Root.pdf") -> Path:
    """A trailer without /Root and an absurd /Size (forces pypdf's recovery path)."""
    body = build_pdf(_page_objects(_text_ops(_ASCII_TEXT)), trailer=b"")
    body = body.replace(b"/Size 6", b"/Size 99999999")
    path = Path(directory) / name
    path.write_bytes(body)
    return path


def deflate_repeated(head: bytes, block: bytes, count: int) -> tuple[bytes, int, int]:
    """Raw DEFLATE data inflating to ``head + block * count``, built in milliseconds.

    After a full flush the compressor starts afresh, so every flushed copy of ``block``
    compresses to the same bytes: compress it once and repeat the bytes. Returns
    (data, crc32, uncompressed length).
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    unit = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    assert comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH) == unit
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return first + unit * count + b"\x03\x00", crc, len(head) + len(block) * count  # \x03\x00: empty final block


def _zlib_blanks(head: bytes, megabytes: int) -> bytes:
    """zlib (FlateDecode) data that inflates to ``head`` followed by ``megabytes`` MB of blanks."""
    block = b" " * (1 << 20)
    raw, _, _ = deflate_repeated(head, block, megabytes)
    adler = zlib.adler32(head)
    for _ in range(megabytes):
        adler = zlib.adler32(block, adler)
    return b"\x78\xda" + raw + adler.to_bytes(4, "big")


def write_flate_bomb_pdf(directory: Path, name: str = "压缩炸弹.pdf", megabytes: int = 300) -> Path:
    """One page whose content stream is ~300 KB on disk but inflates to ``megabytes`` MB."""
    data = _zlib_blanks(_text_ops(_ASCII_TEXT), megabytes)
    objects = _page_objects(b"")
    objects[3] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    path = Path(directory) / name
    path.write_bytes(build_pdf(objects))
    return path


def write_many_streams_bomb_pdf(directory: Path, name: str = "多流压缩炸弹.pdf", pages: int = 8,
                                megabytes: int = 60) -> Path:
    """``pages`` pages, each with a stream inflating to ``megabytes`` MB: every single stream stays
    below pypdf's own 75 MB cap, but together they are hundreds of MB of work."""
    data = _zlib_blanks(_text_ops(_ASCII_TEXT), megabytes)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    # Every page points at the same stream object: one copy on disk, decoded once per page.
    content = 4 + pages
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 3 0 R >> >> >>" % content)
    objects.append(stream)
    path = Path(directory) / name
    path.write_bytes(build_pdf(objects))
    return path


# --- scans (no text layer: the pages go to OCR) -------------------------------------------

def _image_page_pdf(image: bytes, media_box: bytes = b"0 0 595 842", draw: bytes = b"595 0 0 842 0 0") -> bytes:
    """One page whose only content draws the image XObject ``image`` (a stream object body)."""
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [" + media_box + b"] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        stream_object(b"q " + draw + b" cm /Im1 Do Q\n"),
        image,
    ])


def _gray_image(width: int, height: int, data: bytes, filter_: bytes = b"") -> bytes:
    extra = b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8" % (
        width, height)
    return stream_object(data, extra + (b" /Filter " + filter_ if filter_ else b""))


def write_malformed_image_pdf(directory: Path, name: str = "损坏图片.pdf") -> Path:
    """A scan-like page whose JPEG image is garbage after a valid JPEG signature."""
    junk = b"\xff\xd8\xff\xe0" + bytes((i * 37 + 11) % 256 for i in range(4000))
    path = Path(directory) / name
    path.write_bytes(_image_page_pdf(_gray_image(800, 600, junk, b"/DCTDecode")))
    return path


def write_zero_size_page_pdf(directory: Path, name: str = "零尺寸页面.pdf") -> Path:
    """A page with /MediaBox [0 0 0 0] that draws an image (nothing to render)."""
    path = Path(directory) / name
    path.write_bytes(_image_page_pdf(_gray_image(8, 8, bytes(64)), b"0 0 0 0", b"1 0 0 1 0 0"))
    return path


def write_huge_page_pdf(directory: Path, name: str = "超大页面.pdf") -> Path:
    """A 200 × 200 inch page (14 400 pt, the PDF maximum) covered by a small image: at 200 dpi
    it would be 40 000 × 40 000 pixels; the renderer must cap it."""
    image = _gray_image(64, 64, bytes(range(64)) * 64, b"")
    path = Path(directory) / name
    path.write_bytes(_image_page_pdf(image, b"0 0 14400 14400", b"14400 0 0 14400 0 0"))
    return path


def write_image_bomb_pdf(directory: Path, name: str = "图片炸弹.pdf") -> Path:
    """A page image that declares 40 000 × 40 000 pixels (1.6 GB when decoded) in 1.6 MB of Flate data."""
    data = _zlib_blanks(b"", 1600)
    path = Path(directory) / name
    path.write_bytes(_image_page_pdf(_gray_image(40_000, 40_000, data, b"/FlateDecode")))
    return path


# --- PDF text that extracts as garbage ----------------------------------------------------

def write_latin1_mojibake_pdf(directory: Path, name: str = "乱码_GBK.pdf") -> Path:
    """GBK-encoded Chinese drawn with a WinAnsi font and no /ToUnicode: it extracts as
    Latin-1 mojibake such as "ºÏ³É²âÊÔ" (the classic symptom of a missing font mapping)."""
    lines = [(SYNTHETIC_TEXT[i:i + 20]).encode("gbk") for i in range(0, len(SYNTHETIC_TEXT), 20)] * 3
    ops = b"BT /F1 12 Tf 72 760 Td 16 TL " + b" ".join(
        b"(" + line.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b") '" for line in lines
    ) + b" ET\n"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    path = Path(directory) / name
    path.write_bytes(build_pdf(_page_objects(ops, font=font)))
    return path


def write_replacement_char_pdf(directory: Path, name: str = "乱码_替换符.pdf") -> Path:
    """A font whose /ToUnicode maps every code to U+FFFD or a private-use character."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CMapName /Broken def /CMapType 2 def\n"
        b"1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"2 beginbfrange <20> <7F> <E000> <80> <FF> <FFFD> endbfrange\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    objects = _page_objects(_text_ops(b"Synthetic text rendered with a broken font mapping " * 3))
    objects[4] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>"
    objects.append(stream_object(cmap))
    path = Path(directory) / name
    path.write_bytes(build_pdf(objects))
    return path


# --- DOCX attacks -------------------------------------------------------------------------

def write_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A ZIP file of (name, raw DEFLATE data, crc32, uncompressed size) entries, written by hand
    so that already-compressed data can be stored as it is."""
    import struct

    out = io.BytesIO()
    central = []
    for name, data, crc, size in entries:
        offset = out.tell()
        raw_name = name.encode("utf-8")
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, len(data), size,
                              len(raw_name), 0) + raw_name + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, crc, len(data),
                                   size, len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0))
    path.write_bytes(out.getvalue())
    return path


def write_docx_zip_bomb(directory: Path, name: str = "压缩炸弹.docx", megabytes: int = 512) -> Path:
    """A DOCX whose word/document.xml inflates to ``megabytes`` MB (half a MB on disk)."""
    source = pdfgen.write_docx(directory, name="_plain_for_bomb.docx")
    entries = []
    with zipfile.ZipFile(source) as zin:
        for item in zin.infolist():
            if item.filename == "word/document.xml":
                head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
                        b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
                entries.append((item.filename, *deflate_repeated(head, b" " * (1 << 20), megabytes)))
            else:
                data = zin.read(item.filename)
                comp = zlib.compressobj(9, zlib.DEFLATED, -15)
                entries.append((item.filename, comp.compress(data) + comp.flush(), zlib.crc32(data), len(data)))
    source.unlink()
    return write_zip(Path(directory) / name, entries)


def write_docx_entity_bomb(directory: Path, name: str = "实体炸弹.docx") -> Path:
    """A DOCX whose document.xml declares nested XML entities ("billion laughs")."""
    source = pdfgen.write_docx(directory, name="_plain_for_entities.docx")
    ents = '<!ENTITY a0 "合成">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    doc = (f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{ents}]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>')
    path = Path(directory) / name
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = doc.encode("utf-8") if item.filename == "word/document.xml" else zin.read(item.filename)
            zout.writestr(item, data)
    source.unlink()
    return path


def write_zip_not_docx(directory: Path, name: str = "普通压缩包.docx") -> Path:
    """A valid ZIP archive without any Word parts."""
    path = Path(directory) / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", SYNTHETIC_TEXT)
    return path


def write_ole2_as_docx(directory: Path, name: str = "旧版Word.docx") -> Path:
    """An old binary Word file (OLE2 compound file header) renamed to .docx."""
    path = Path(directory) / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + SYNTHETIC_TEXT.encode("utf-16-le"))
    return path


def write_pdf_as_docx(directory: Path, name: str = "其实是PDF.docx") -> Path:
    """A real (synthetic) PDF renamed to .docx."""
    source = pdfgen.write_report_pdf(directory, name="_plain_for_rename.pdf")
    path = Path(directory) / name
    source.rename(path)
    return path


def _small_docx(path: Path, text: str) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("一、合成测试文档")
    document.add_paragraph(text)
    document.save(str(path))
    return path


def write_docx_as_pdf(directory: Path, name: str = "其实是Word.pdf") -> Path:
    """A (synthetic) Word 2007+ document renamed to .pdf."""
    return _small_docx(Path(directory) / name, "合成测试文本：改名为 .pdf 的 Word 文档，合成县甲厂返工率由8%降至3%。")


def write_docx_as_doc(directory: Path, name: str = "另存错了.doc") -> Path:
    """A (synthetic) Word 2007+ document named .doc."""
    return _small_docx(Path(directory) / name, "合成测试文本：扩展名为 .doc 的新版 Word 文档，合成县乙厂漏气率由2%降至1%。")


def write_ole2_doc(directory: Path, name: str = "旧版Word.doc") -> Path:
    """An old binary Word file (OLE2 compound file header) with its own extension .doc."""
    path = Path(directory) / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + SYNTHETIC_TEXT.encode("utf-16-le"))
    return path


def write_pptx_as_docx(directory: Path, name: str = "课件改名.docx") -> Path:
    """A (synthetic) PowerPoint file renamed to .docx."""
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = SYNTHETIC_TEXT
    path = Path(directory) / name
    deck.save(str(path))
    return path


# --- text attacks -------------------------------------------------------------------------

def write_pdf_as_txt(directory: Path, name: str = "其实是PDF.txt") -> Path:
    source = pdfgen.write_report_pdf(directory, name="_plain_for_rename_txt.pdf")
    path = Path(directory) / name
    source.rename(path)
    return path


def write_png_as_txt(directory: Path, name: str = "其实是图片.txt") -> Path:
    """A PNG image renamed to .txt."""
    from PIL import Image

    path = Path(directory) / name
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 200)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return path


def write_nul_text(directory: Path, name: str = "含NUL字节.txt") -> Path:
    """Synthetic UTF-8 text with a few stray NUL bytes (as left by a broken copy)."""
    text = "一、合成测试\n" + "\n".join(SYNTHETIC_TEXT for _ in range(6)) + "\n"
    data = text.encode("utf-8")
    data = data[:30] + b"\x00" + data[30:90] + b"\x00\x00" + data[90:]
    path = Path(directory) / name
    path.write_bytes(data)
    return path


def write_utf16_no_bom(directory: Path, name: str = "UTF16无BOM.txt") -> Path:
    """Synthetic text in UTF-16-LE without a byte-order mark (every other byte is NUL)."""
    path = Path(directory) / name
    path.write_bytes(("一、合成测试\n" + SYNTHETIC_TEXT * 4 + "\n").encode("utf-16-le"))
    return path


def write_binary_as_txt(directory: Path, name: str = "二进制.txt") -> Path:
    """Random-looking bytes with many NULs (no known file header) named .txt."""
    import random

    rnd = random.Random(7)
    path = Path(directory) / name
    path.write_bytes(bytes(rnd.choice((0, 0, 0, rnd.randrange(256))) for _ in range(4096)))
    return path


def write_control_char_text(directory: Path, name: str = "控制字符.txt") -> Path:
    """Text made mostly of C0 control characters (decodes as UTF-8 but is not text)."""
    path = Path(directory) / name
    path.write_bytes(bytes(range(1, 9)) * 200 + "合成".encode("utf-8"))
    return path


def write_huge_text(directory: Path, name: str = "超大文本.txt", megabytes: int = 50) -> Path:
    """``megabytes`` MB of synthetic UTF-8 text."""
    line = (SYNTHETIC_TEXT + "\n").encode("utf-8")
    block = line * ((1 << 20) // len(line) + 1)
    path = Path(directory) / name
    with open(path, "wb") as fh:
        for _ in range(megabytes):
            fh.write(block[: 1 << 20])
    return path


def write_one_long_line(directory: Path, name: str = "无标点长行.txt", chars: int = 100_000) -> Path:
    """One line of ``chars`` Chinese characters without punctuation or line breaks."""
    unit = "合成测试文本某企业质量管理体系"
    path = Path(directory) / name
    path.write_text((unit * (chars // len(unit) + 1))[:chars], encoding="utf-8")
    return path


# --- the catalogue ------------------------------------------------------------------------

@dataclass(frozen=True)
class Hostile:
    """One hostile input and what the system is expected to do with it."""

    key: str
    write: Callable[[Path], Path]
    description: str  # what the file is (English, for docs/reliability.md)
    outcome: str  # "indexed" or "failed"
    keywords: tuple[str, ...] = ()  # words the Chinese reason must contain (failed only)


HOSTILE: tuple[Hostile, ...] = (
    Hostile("truncated_pdf", pdfgen.write_truncated_pdf, "PDF cut in half (broken download)", "failed", ("损坏",)),
    Hostile("xref_loop_pdf", write_xref_loop_pdf, "PDF whose xref /Prev chain loops", "indexed"),
    Hostile("outline_loop_pdf", write_outline_loop_pdf, "PDF whose outline item is its own /Next and /First",
            "indexed"),
    Hostile("page_tree_loop_pdf", write_page_tree_loop_pdf, "PDF page tree whose /Kids contains itself",
            "failed", ("损坏",)),
    Hostile("deep_nesting_pdf", write_deep_nesting_pdf, "PDF with an array nested 100 000 levels deep",
            "failed", ("损坏",)),
    Hostile("missing_root_pdf", write_missing_root_pdf, "PDF trailer without /Root and /Size 99 999 999",
            "indexed"),
    Hostile("flate_bomb_pdf", write_flate_bomb_pdf, "PDF content stream: 300 KB inflating to 300 MB",
            "failed", ("压缩炸弹",)),
    Hostile("many_streams_bomb_pdf", write_many_streams_bomb_pdf,
            "PDF with 8 pages each inflating a 60 MB stream (480 MB in total)", "failed", ("超时",)),
    Hostile("encrypted_pdf", pdfgen.write_encrypted_pdf, "PDF encrypted with a user password", "failed",
            ("加密", "密码")),
    Hostile("empty_password_pdf", pdfgen.write_empty_password_pdf, "PDF encrypted with an empty user password",
            "indexed"),
    Hostile("image_only_pdf", pdfgen.write_image_only_pdf, "PDF with only an image (scan, no text layer)",
            "failed", ("OCR",)),
    Hostile("latin1_mojibake_pdf", write_latin1_mojibake_pdf,
            "PDF whose Chinese text extracts as Latin-1 mojibake (GBK bytes, WinAnsi font)", "failed",
            ("乱码", "需人工核对")),
    Hostile("replacement_char_pdf", write_replacement_char_pdf,
            "PDF whose /ToUnicode maps to U+FFFD and private-use characters (the glyphs are fine: read by OCR)",
            "indexed"),
    Hostile("malformed_image_pdf", write_malformed_image_pdf, "scan whose JPEG image data is garbage",
            "failed", ("文字层", "OCR")),
    Hostile("zero_size_page_pdf", write_zero_size_page_pdf, "page with /MediaBox [0 0 0 0] drawing an image",
            "failed", ("文字层",)),
    Hostile("huge_page_pdf", write_huge_page_pdf, "200 × 200 inch page covered by an image (render size capped)",
            "failed", ("文字层",)),
    Hostile("image_bomb_pdf", write_image_bomb_pdf, "scan image declaring 40 000 × 40 000 pixels (1.6 GB decoded)",
            "failed", ("图片炸弹",)),
    Hostile("empty_pdf", pdfgen.write_empty_file, "zero-byte .pdf", "failed", ("为空",)),
    Hostile("empty_txt", lambda d: pdfgen.write_empty_file(d, "空文件.txt"), "zero-byte .txt", "failed", ("为空",)),
    Hostile("empty_docx", lambda d: pdfgen.write_empty_file(d, "空文件.docx"), "zero-byte .docx", "failed",
            ("为空",)),
    Hostile("text_as_pdf", pdfgen.write_fake_pdf, "plain text named .pdf", "failed", ("不是 PDF",)),
    Hostile("pdf_as_docx", write_pdf_as_docx, "PDF named .docx (read as PDF, with a note)", "indexed"),
    Hostile("docx_as_pdf", write_docx_as_pdf, "Word 2007+ document named .pdf (read as DOCX, with a note)", "indexed"),
    Hostile("docx_as_doc", write_docx_as_doc, "Word 2007+ document named .doc (read as DOCX, with a note)", "indexed"),
    Hostile("ole2_doc", write_ole2_doc, "old binary Word document (.doc)", "failed", ("旧版 Word", "另存为 .docx")),
    Hostile("pptx_as_docx", write_pptx_as_docx, "PowerPoint file named .docx (read as slides, with a note)", "indexed"),
    Hostile("ole2_as_docx", write_ole2_as_docx, "old binary Word (OLE2) named .docx", "failed", ("旧版",)),
    Hostile("zip_not_docx", write_zip_not_docx, "ZIP archive without Word parts named .docx", "failed",
            ("不是 Word",)),
    Hostile("pdf_as_txt", write_pdf_as_txt, "PDF named .txt", "failed", ("PDF",)),
    Hostile("png_as_txt", write_png_as_txt, "PNG image named .txt", "failed", ("图片",)),
    Hostile("docx_zip_bomb", write_docx_zip_bomb, "DOCX whose document.xml inflates to 512 MB (0.5 MB on disk)",
            "failed", ("压缩炸弹",)),
    Hostile("docx_entity_bomb", write_docx_entity_bomb, "DOCX with nested XML entities (billion laughs)",
            "failed", ("Word",)),
    Hostile("gbk_txt", pdfgen.write_gbk_txt, "text in GBK", "indexed"),
    Hostile("nul_text", write_nul_text, "UTF-8 text with three stray NUL bytes", "indexed"),
    Hostile("utf16_no_bom", write_utf16_no_bom, "UTF-16-LE text without a byte-order mark", "indexed"),
    Hostile("binary_as_txt", write_binary_as_txt, "random binary with many NUL bytes named .txt", "failed",
            ("二进制",)),
    Hostile("control_chars_txt", write_control_char_text, "text made of C0 control characters", "failed",
            ("乱码",)),
    Hostile("huge_text", write_huge_text, "50 MB text file", "failed", ("文件过大",)),
    Hostile("one_long_line", write_one_long_line, "100 000 Chinese characters on one line, no punctuation",
            "indexed"),
)
"""Every hostile input tried; ``tests/test_hostile_input.py`` runs them all."""


# --- corpora for ingest tests ---------------------------------------------------------------

SHIPPED_REPORT = next((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))


def write_copies(corpus: Path, numbers: list[int]) -> None:
    """Make ``corpus`` hold exactly the copies ``numbers`` of the shipped report, each with one
    SYNTHETIC sentence inserted at a different place (so each copy is a different document)."""
    corpus.mkdir(parents=True, exist_ok=True)
    wanted = {f"副本{i}.txt" for i in numbers}
    for old in corpus.iterdir():
        if old.name not in wanted:
            old.unlink()
    lines = SHIPPED_REPORT.read_text(encoding="utf-8").split("\n")
    for i in numbers:
        path = corpus / f"副本{i}.txt"
        if path.exists():
            continue
        out = list(lines)
        out.insert(20 + (i * 37) % (len(out) - 40), f"（合成测试副本 {i}：本句为崩溃测试添加的合成文字，不是原报告内容。）")
        path.write_text("\n".join(out), encoding="utf-8")


# --- test speed ---------------------------------------------------------------------------

_TOKENIZER_CACHE: list[Path] = []


def seed_tokenizer_cache(index_dir: Path) -> None:
    """Copy a prebuilt jieba prefix-dictionary cache (JSON, see kb/tokenizer.py) into
    ``index_dir/.cache`` so that every fresh test index does not spend 2 s building it."""
    from kb.tokenizer import Tokenizer

    if not _TOKENIZER_CACHE:
        folder = Path(tempfile.mkdtemp(prefix="kb-jieba-cache-"))
        Tokenizer(folder).tokenize("预热")
        _TOKENIZER_CACHE.extend(folder.glob("jieba-*.json"))
    target = Path(index_dir) / ".cache"
    target.mkdir(parents=True, exist_ok=True)
    for cache in _TOKENIZER_CACHE:
        shutil.copy(cache, target / cache.name)


_SHARED_TOKENIZER: list = []


def shared_tokenizer():
    """One loaded jieba tokenizer for the in-process KnowledgeBases of these tests (same
    dictionary as any other; after loading it is read-only, see kb/tokenizer.py)."""
    from kb.tokenizer import Tokenizer

    if not _SHARED_TOKENIZER:
        folder = Path(tempfile.mkdtemp(prefix="kb-jieba-shared-"))
        seed_tokenizer_cache(folder)
        tokenizer = Tokenizer(folder / ".cache")
        tokenizer.tokenize("预热")
        _SHARED_TOKENIZER.append(tokenizer)
    return _SHARED_TOKENIZER[0]
