"""Turn a file into a :class:`Document` of raw pages: PDF (pypdf), TXT/MD, DOCX.

Every failure is raised as :class:`UnreadableDocument` with a reason in Chinese, so one bad
file can be reported by name while the others are still indexed.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .errors import UnreadableDocument, damage_reason, os_reason
from .numbering import heading_level
from .ocr import OcrProgress, OcrSettings, ocr_pdf_pages
from .pdf_order import RunRecorder, reordered_pages
from .records import Document, Page
from .styled_headings import Style, StyleRecorder, find_style_headings, mark_style_headings

SUPPORTED = {".pdf": "pdf", ".txt": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".pptx": "pptx"}

# A PDF page with fewer visible characters than this is treated as having no text layer.
_MIN_TEXT_CHARS_PER_PAGE = 5
# A page whose text layer is shorter than this but which draws an image over most of the page
# (at least _SCAN_IMAGE_SHARE of its area) is a scan with a typed stamp on it: a header such as
# "附件2 第1页" (6 characters) or a watermark such as "内部资料 注意保存" (8). It is OCR'd, and the
# stamp kept where OCR did not read it. A text page has hundreds of characters (the shipped report
# ~560 a page); a page of a text PDF with a logo draws a small image and is not OCR'd.
_STAMP_MAX_CHARS = 40
_SCAN_IMAGE_SHARE = 0.5
_PAGE_START = re.compile(r"^ (?=\S)")
# A printed page footer such as "— 19 —" or "- 3 -" ends a page.
PAGE_FOOTER = re.compile(r"^\s*[—–－-]{1,2}\s*\d{1,4}\s*[—–－-]{1,2}\s*$")

# A page number printed at the foot (or head) of a page: "— 3 —", "- 3 -", "第 3 页", "第3页 共20页",
# "3/20" or a bare "3" (the bare forms only on the page's first or last line).
_PRINTED_NUMBER = re.compile(r"^\s*(?:[—–－-]{1,2}\s*(\d{1,4})\s*[—–－-]{1,2}|第\s*(\d{1,4})\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?)\s*$")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,4})(?:\s*/\s*\d{1,4})?\s*$")

# Limits on what one file may hold (see docs/reliability.md). The worker process adds a
# wall-clock limit and a memory ceiling on top (kb/worker.py).
MAX_TEXT_CHARS = 2_000_000  # about 1 000 pages of a Chinese report; parses in ~15 s
MAX_TEXT_FILE_MB = 8  # a TXT/MD file above this is refused before it is read
DOCX_MAX_UNCOMPRESSED_MB = 256  # sum of the sizes declared in the ZIP central directory
DOCX_MAX_XML_PART_MB = 64  # one XML part (python-docx parses each into memory)
DOCX_MAX_ENTRIES = 10_000
# Text whose share of garbage characters on one page reaches this is mojibake.
_MOJIBAKE_SHARE = 0.3
_MOJIBAKE_MIN_CHARS = 20
# Latin-1 symbols that do occur in Chinese official documents (·×÷°±§¥).
_LATIN1_OK = frozenset("\u00a0\u00a5\u00a7\u00b0\u00b1\u00b7\u00d7\u00f7")

# Magic numbers of formats a user may drop by mistake, with a Chinese name for messages.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x7fELF", "elf"),
    (b"{\\rtf", "rtf"),
)
FORMAT_NAMES = {
    "pdf": "PDF 文档", "zip": "ZIP 压缩包", "ole2": "旧版 Office 文件（.doc/.xls/.ppt）", "png": "PNG 图片",
    "jpeg": "JPEG 图片", "gif": "GIF 图片", "tiff": "TIFF 图片", "gzip": "GZIP 压缩包", "rar": "RAR 压缩包",
    "7z": "7z 压缩包", "elf": "可执行程序", "rtf": "RTF 文档",
    "docx": "Word 文档（.docx）", "pptx": "PowerPoint 演示文稿（.pptx）", "xlsx": "Excel 表格（.xlsx）",
}
# Extensions read by what the content turns out to be: an old Word document is refused with what
# to do, a Word 2007+ document misnamed .doc is read as DOCX.
_BY_CONTENT = {".doc": "doc"}
_SAVE_AS_DOCX = "请用 Word 或 WPS 打开，另存为 .docx 后再导入"
_SAVE_AS_PDF = "请另存为 PDF 后再导入"
# What to do with files of formats that are not read, by extension.
_UNSUPPORTED_HINTS = {
    **dict.fromkeys((".wps", ".wpt", ".dot", ".rtf", ".odt"), f"这种文字处理文档不能直接导入；{_SAVE_AS_DOCX}"),
    **dict.fromkeys((".ppt", ".pps", ".ppsx", ".dps", ".odp"),
                    "这种演示文稿不能直接导入；请用 PowerPoint 或 WPS 另存为 .pptx（或 PDF）后再导入"),
    **dict.fromkeys((".xls", ".xlsx", ".xlsm", ".et", ".ods"), "Excel 表格不能导入；请把需要的内容复制到"
                    f"Word 文档，或{_SAVE_AS_PDF[1:]}"),
    # Text a spreadsheet exported: read as a table once named .txt (see delimited_text).
    **dict.fromkeys((".csv", ".tsv"), "表格导出的文本不能直接导入；请把扩展名改为 .txt 后再导入（每行按表格读取，"
                    "用英文逗号分隔时第一行须是列名）"),
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic"),
                    "图片文件不能直接导入；扫描件或照片请先合成为 PDF（扫描版 PDF 会自动 OCR 识别）"),
    **dict.fromkeys((".zip", ".rar", ".7z", ".gz", ".tar", ".tgz", ".bz2", ".xz"), "压缩包不能直接导入；请先解压，再导入其中的文件"),
    ".ofd": f"OFD 版式文档不能直接导入；{_SAVE_AS_PDF}",
}
# Office, WPS and system files that sit beside documents and are never documents themselves:
# skipped when a folder is walked, like hidden files (kb/indexing.discover).
_LOCK_PREFIXES = ("~$", "~WRL", ".~lock.")
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


def is_stray_file(name: str) -> bool:
    """An Office/WPS lock or owner file (``~$案例集.docx``, ``.~lock.x.docx#``) or a system file
    (``Thumbs.db``, ``desktop.ini``): skipped when a folder is walked."""
    base = Path(name.replace("\\", "/")).name
    return base.startswith(_LOCK_PREFIXES) or base.lower() in _SYSTEM_FILES


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def doc_id_for(sha256: str) -> str:
    """Stable document id: a prefix of the content hash."""
    return sha256[:12]


def sniff_format(head: bytes) -> str | None:
    """Guess the real file type from its first bytes (the extension may lie).

    Returns ``"pdf"``, ``"zip"`` or another key of :data:`FORMAT_NAMES`, or None for text
    and unknown content. A PDF header may follow up to 1 KB of junk, as PDF readers allow.
    """
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    return None


def format_of(name: str) -> str:
    """``pdf`` / ``docx`` / ``txt`` / ``md`` by the file name's extension, ``doc`` for an old Word
    name (decided by content, :func:`check_content`); other names are refused with what to do."""
    suffix = Path(name.replace("\\", "/")).suffix
    fmt = SUPPORTED.get(suffix.lower()) or _BY_CONTENT.get(suffix.lower())
    if fmt is None:
        hint = _UNSUPPORTED_HINTS.get(suffix.lower())
        raise UnreadableDocument(name, f"不支持的文件类型“{suffix or '无扩展名'}”" + (
            f"：{hint}" if hint else "（支持 PDF、DOCX、PPTX、TXT、MD）"))
    return fmt


def _zip_kind(source: Path | io.BytesIO) -> str:
    """``docx``, ``pptx`` or ``xlsx`` by the parts an Office ZIP holds, else ``zip``."""
    try:
        with zipfile.ZipFile(source) as z:
            names = set(z.namelist()[:DOCX_MAX_ENTRIES])
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"
    finally:
        if isinstance(source, io.BytesIO):
            source.seek(0)
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def check_content(name: str, head: bytes, size: int, source: Path | io.BytesIO | None = None) -> tuple[str, str]:
    """Refuse a file whose first bytes contradict its extension, or that is empty or too big
    to be text. The same checks for files in the corpus and for uploads (:func:`check_bytes`).

    Returns the format to read the file as and a note (Chinese, or ``""``): a Word (.docx) or
    PDF document misnamed .pdf, .doc or .docx is read as what it is, and the note says so.
    ``source`` (the file, or its bytes) lets an Office ZIP be told apart by its parts.
    """
    fmt = format_of(name)
    suffix = Path(name.replace("\\", "/")).suffix
    if size == 0:
        raise UnreadableDocument(name, "文件为空（0 字节）")
    real = sniff_format(head)
    if real == "zip" and source is not None:
        real = _zip_kind(source)
    actual = f"，实际是{FORMAT_NAMES[real]}" if real in FORMAT_NAMES else ""
    if fmt in ("pdf", "docx", "doc") and real in ("pdf", "docx") and real != fmt:
        right = ".docx" if real == "docx" else ".pdf"
        return real, f"扩展名是 {suffix}，但文件实际是{FORMAT_NAMES[real]}，已按实际格式读取；建议把扩展名改为 {right}"
    if fmt == "doc":
        if real == "ole2":
            raise UnreadableDocument(name, f"这是旧版 Word 文档（.doc，Word 97–2003 格式），不能直接导入；{_SAVE_AS_DOCX}")
        if real == "rtf":
            raise UnreadableDocument(name, f"扩展名是 .doc，但文件实际是 RTF 文档，不能直接导入；{_SAVE_AS_DOCX}")
        raise UnreadableDocument(name, f"扩展名是 .doc（旧版 Word 格式）{actual}，不能直接导入；{_SAVE_AS_DOCX}")
    if fmt == "docx" and real == "pptx":
        return "pptx", "扩展名是 .docx，但文件实际是PowerPoint 演示文稿（.pptx），已按实际格式读取；建议把扩展名改为 .pptx"
    if fmt == "pptx" and real == "docx":
        return "docx", "扩展名是 .pptx，但文件实际是Word 文档（.docx），已按实际格式读取；建议把扩展名改为 .docx"
    if fmt == "pptx" and real == "ole2":
        raise UnreadableDocument(name, "扩展名是 .pptx，但文件是旧版 PowerPoint 格式（.ppt），请用 PowerPoint 或 WPS "
                                       "另存为 .pptx 后再导入")
    if fmt == "pptx" and real not in ("zip", "pptx"):
        raise UnreadableDocument(name, f"扩展名是 .pptx，但文件内容不是 PowerPoint 演示文稿{actual}（文件头不符）")
    if fmt == "docx" and real == "xlsx":
        raise UnreadableDocument(name, f"扩展名是 .docx，但文件实际是{FORMAT_NAMES[real]}，不是 Word 文档；"
                                       + _UNSUPPORTED_HINTS["." + real].split("；", 1)[1])
    if fmt == "pdf" and real != "pdf":
        raise UnreadableDocument(name, f"扩展名是 .pdf，但文件内容不是 PDF{actual}（文件头不符）")
    if fmt == "docx" and real == "ole2":
        raise UnreadableDocument(name, "扩展名是 .docx，但文件是旧版 Word 格式（.doc），请用 Word 另存为 .docx 后再导入")
    if fmt == "docx" and real not in ("zip", "docx"):
        raise UnreadableDocument(name, f"扩展名是 .docx，但文件内容不是 Word 文档{actual}（文件头不符）")
    if fmt in ("txt", "md") and real is not None:
        raise UnreadableDocument(name, f"扩展名是 {suffix}，但文件内容是二进制（{FORMAT_NAMES[real]}），不是文本")
    if fmt in ("txt", "md") and size > MAX_TEXT_FILE_MB * 1024 * 1024:
        raise UnreadableDocument(name, f"文件过大：纯文本 {size / 1024 / 1024:.1f} MB，超过 {MAX_TEXT_FILE_MB} MB 上限"
                                       "（约 200 万字）；请拆分成几个文件后再导入")
    return fmt, ""


def check_bytes(name: str, data: bytes) -> None:
    """The checks :func:`load_document` makes before parsing, on bytes not yet saved (an upload):
    type by extension and content, DOCX structure (ZIP bomb limits), text decoding and mojibake.
    Raises :class:`UnreadableDocument` with the reason."""
    if is_stray_file(name):
        raise UnreadableDocument(name, "这是 Office/WPS 的临时锁定文件或系统文件，不是文档；导入文件夹时也会跳过")
    fmt, _note = check_content(name, data[:1024], len(data), io.BytesIO(data))
    if fmt == "pdf":
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
        except Exception:  # noqa: BLE001 - a damaged PDF is reported, with its reason, by the ingest
            reader = None
        if reader is not None:
            _decrypt(reader, name)  # a PDF that needs a password can never be read: refused now
    elif fmt in ("docx", "pptx"):
        _check_docx_zip(io.BytesIO(data), name, fmt)
    elif fmt in ("txt", "md"):
        text = decode_text(data, name)
        pages = _split_text_pages(markdown_text(text) if fmt == "md" else delimited_text(text))
        if not any(p.text.strip() for p in pages):
            raise UnreadableDocument(name, "文件中没有可提取的文字")
        _check_text_limits(name, pages)


def load_document(path: str | Path, ocr: OcrSettings | None = None, progress: OcrProgress | None = None) -> Document:
    """Load ``path`` and return its pages; raise :class:`UnreadableDocument` with the reason.

    PDF pages without a usable text layer (scans) are OCR'd as ``ocr`` says (default: on,
    with the limits of :class:`~kb.ocr.OcrSettings`); ``progress`` hears about each page.
    """
    path = Path(path)
    name = str(path)
    format_of(name)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableDocument(name, f"无法读取文件：{os_reason(exc)}") from exc
    with open(path, "rb") as fh:
        head = fh.read(1024)
    fmt, note = check_content(name, head, size, path)

    sha = file_sha256(path)
    if fmt == "pdf":
        pages, title = _load_pdf(path, ocr or OcrSettings(), progress)
        paginated = True
    elif fmt == "docx":
        pages, title = _load_docx(path), _docx_title(path)
        paginated = False
    elif fmt == "pptx":
        pages, title = _load_pptx(path)
        paginated = True  # one page per slide: a citation's 第 N 页 is slide N
    else:
        text = decode_text(path.read_bytes(), name)
        pages = _split_text_pages(markdown_text(text) if fmt == "md" else delimited_text(text))
        paginated = len(pages) > 1
        if paginated:
            pages = _with_labels(pages)
        title = markdown_title(text) if fmt == "md" else None
    if not any(p.text.strip() for p in pages):
        raise UnreadableDocument(name, "文件中没有可提取的文字")
    _check_text_limits(name, pages)
    return Document(
        doc_id=doc_id_for(sha),
        path=name,
        title=(title or path.stem).strip(),
        format=fmt,
        sha256=sha,
        pages=tuple(pages),
        paginated=paginated,
        notes=(note,) if note else (),
    )


_ROW_END = "。！？；!?;"


def table_row_text(cells: list[str], last: bool) -> str:
    """One table row as a sentence of its own: ``指标 | 帮扶前 | 帮扶后；`` (``。`` after the last row),
    so that sentence splitting, chunks and the direct answer never run two rows, or the table
    and the next paragraph, together. A row of one cell is a paragraph and is left as it is."""
    row = " | ".join(cells)
    if len(cells) > 1 and row[-1] not in _ROW_END:
        row += "。" if last else "；"
    return row


# Column labels of a spreadsheet exported as comma-separated text: a line of commas is a header row
# only when most of its cells are such labels (a sentence with ASCII commas is not).
_CSV_LABEL = re.compile(r"(?:序号|编号|案例|企业|单位|公司|名称|地区|所在地|地市|区县|行业|产品|产业|"
                        r"问题|困难|难点|痛点|措施|做法|举措|经验|成效|效果|成果|结果|备注|概况|简介|时间|年份)")
_CSV_LABEL_MAX = 12  # characters in a header cell: "主要问题", "企业名称（全称）"


def _tab_cells(line: str) -> list[str] | None:
    """The cells of a tab-separated line, or None when it is no table row (no tab, an empty
    first cell as in an indented paragraph, or fewer than two filled cells)."""
    if "\t" not in line:
        return None
    cells = [c.strip() for c in line.split("\t")]
    if not cells[0] or sum(1 for c in cells if c) < 2:
        return None
    return cells


def _csv_cells(line: str) -> list[str] | None:
    """The cells of a comma-separated line (quotes as in CSV), or None when it has fewer than three."""
    if "," not in line:
        return None
    try:
        cells = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None
    cells = [c.strip() for c in cells]
    return cells if len(cells) >= 3 else None


def _csv_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    labels = sum(1 for c in filled if len(c) <= _CSV_LABEL_MAX and _CSV_LABEL.search(c) and not re.search(r"\d", c))
    return len(filled) >= 3 and labels * 3 >= len(filled) * 2


def _cell_run(lines: list[str], i: int, cells_of, header_ok=None) -> list[list[str]]:
    """The rows of a run of at least two lines from ``lines[i]`` that ``cells_of`` splits into the
    same number of cells (the first accepted by ``header_ok``, if given); [] when there is none."""
    first = cells_of(lines[i])
    if first is None or (header_ok is not None and not header_ok(first)):
        return []
    j = i + 1
    while j < len(lines) and (cells := cells_of(lines[j])) is not None and len(cells) == len(first):
        j += 1
    return [cells_of(line) for line in lines[i:j]] if j - i >= 2 else []


def delimited_text(text: str) -> str:
    """Plain text with the tables a spreadsheet export writes as lines of cells, read as tables:
    a run of at least two lines that split on tabs into the same number of cells (the first one
    filled), or a run of comma-separated lines under a header row of column labels (序号, 企业,
    地区, 行业, 问题, 措施, 成效 …; quoted cells as in CSV), becomes one row per paragraph written
    ``单元格 | 单元格；`` like a Markdown or DOCX table (:func:`table_row_text`), so that cells
    are not run together and a header row names the columns. Empty cells inside a row are kept
    (the columns stay aligned with the header). Other lines are left as they are."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if "\t" not in text and "," not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(lines):
        rows = _cell_run(lines, i, _tab_cells) or _cell_run(lines, i, _csv_cells, _csv_header)
        if not rows:
            out.append(lines[i])
            i += 1
            continue
        # Each row a paragraph of its own, the table set off from what follows by blank lines.
        out.append("")
        for k, cells in enumerate(rows):
            while not cells[-1]:  # a row's trailing empty cells (the spreadsheet's unused columns)
                cells = cells[:-1]
            out.extend([table_row_text(cells, k == len(rows) - 1), ""])
        i += len(rows)
    return "\n".join(out)


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\([^)]*\)")
# Alt texts that say nothing about the picture.
_EMPTY_ALT = re.compile(r"^(?:图|图片|图像|照片|截图|插图|示意图|image|img|picture|photo|figure|fig|screenshot|"
                        r"[\w.-]+\.(?:png|jpe?g|gif|bmp|svg|webp))?\s*\d*$", re.I)


# Bold or italic markers around a run of text (not a lone * of a bullet list).
_MD_EMPHASIS = re.compile(r"(?<![A-Za-z0-9_*])(\*\*|__|\*)(?=\S)([^*\n]+?)(?<=\S)\1(?![A-Za-z0-9_*])")


# A list item ("- …", "* …", "+ …", "1. …", "2) …", nested or not) and a horizontal rule ("***").
_MD_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?=\S)")
_MD_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_MD_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def _markdown_title_line(lines: list[str]) -> int | None:
    """The index of the line that is the document's title: an H1 ("# …") on the first line with
    text, when it is the only H1 or the next heading is an H1 too (the title over H1 sections)
    with nothing between them but blank lines and a bracketed note. Otherwise H1s are sections."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    m = _MD_HEADING.match(lines[first])
    if not m or m.group(1) != "#" or not m.group(2):
        return None
    rest = [(i, _MD_HEADING.match(line)) for i, line in enumerate(lines) if i > first]
    if not any(h and h.group(1) == "#" for _, h in rest):
        return first
    nxt = next(i for i, h in rest if h)
    between = [line.strip() for line in lines[first + 1:nxt] if line.strip()]
    if _MD_HEADING.match(lines[nxt]).group(1) == "#" and all(re.fullmatch(r"[（(].*[)）]", b) for b in between):
        return first
    return None


def _clean_markdown(text: str) -> str:
    text = _FRONT_MATTER.sub("", text, count=1)
    text = _MD_IMAGE.sub(lambda m: "" if _EMPTY_ALT.match(m.group(1).strip()) else m.group(1).strip(), text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_EMPHASIS.sub(r"\2", text)  # **存在问题**：… → 存在问题：…


def markdown_title(text: str) -> str | None:
    """The title of a Markdown document: its title H1 (see :func:`markdown_text`), or None."""
    lines = _clean_markdown(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    at = _markdown_title_line(lines)
    return _MD_HEADING.match(lines[at]).group(2) if at is not None else None


def markdown_text(text: str) -> str:
    """Markdown as plain text for indexing: YAML front matter, table rules (``|---|---|``),
    horizontal rules and images (``![alt](src)``, the alt text kept when it describes something)
    removed, links reduced to their text, bold/italic markers dropped, each table row made a
    sentence of its own (:func:`table_row_text`), and each list item ("- …", "1. …") and each
    quoted line ("> …") a paragraph of its own without its marker, ending as a sentence. The title H1 (the first line, when the
    H1s below it, if any, are sections: :func:`markdown_title`) is written as a plain line, so it
    is the title and not a section; other "#" headings stay headings."""
    text = _clean_markdown(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title_at = _markdown_title_line(lines)
    if title_at is not None:  # a paragraph of its own: not joined to the next line as a wrapped one
        lines[title_at:title_at + 1] = [_MD_HEADING.match(lines[title_at]).group(2), ""]
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _MD_RULE.match(lines[i]):
            i += 1
            continue
        if _MD_QUOTE.match(lines[i]):  # "> 本文件为…": the quoted text, a paragraph of its own
            quoted = _MD_QUOTE.sub("", lines[i]).strip()
            if quoted:
                out.extend(([""] if out and out[-1] else []) + [_line_end(quoted), ""])
            i += 1
            continue
        if _MD_BULLET.match(lines[i]) and not _MD_TABLE_ROW.match(lines[i]):
            item = _MD_BULLET.sub("", lines[i]).strip()
            out.extend(([""] if out and out[-1] else []) + [_line_end(item), ""])
            i += 1
            continue
        if not _MD_TABLE_ROW.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        rows = []
        while i < len(lines) and (_MD_TABLE_ROW.match(lines[i]) or _MD_TABLE_RULE.match(lines[i])):
            if not _MD_TABLE_RULE.match(lines[i]):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if any(cells):
                    rows.append([c for c in cells if c])
            i += 1
        # Each row a paragraph of its own, the table set off from what follows by blank lines.
        out.append("")
        for k, cells in enumerate(rows):
            out.extend([table_row_text(cells, k == len(rows) - 1), ""])
    return "\n".join(out)


# Legacy Chinese encodings tried after UTF-8, in order of preference when they read alike.
# GB18030 accepts almost any byte pairs (Big5 text read as GB18030 gives kana, private-use and
# rare characters, not an error), so the decoding that reads as ordinary Chinese is chosen.
_LEGACY_ENCODINGS = (("gb18030", "GB18030/GBK"), ("big5hkscs", "Big5"))
# Share of the non-ASCII characters that must be ordinary (see _is_ordinary) for a decoding to
# count as text. Measured: the right decoding of GBK, Big5 and the shipped report gives 1.00;
# Big5 read as GB18030 0.29–0.30, GBK read as Big5 0.48, Shift-JIS read as GB18030 0.28.
_PLAUSIBLE_SHARE = 0.6


def decode_text(data: bytes, name: str = "") -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16; else GB18030/GBK or Big5, whichever reads
    as ordinary Chinese; raise :class:`UnreadableDocument` when none does."""
    if b"\x00" in data:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return _decode_utf16_bom(data, name)
        stripped = data.replace(b"\x00", b"")
        many = data.count(b"\x00") * 100 > len(data)
        if not many:
            try:
                return stripped.decode("utf-8-sig")  # a few stray NULs (a damaged copy): drop them
            except UnicodeDecodeError:
                pass
        text = _decode_utf16_without_bom(data)
        if text is not None:
            return text
        if many:
            raise UnreadableDocument(name, "文件包含大量 NUL 字节，是二进制数据而不是文本（扩展名可能有误）")
        data = stripped
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_utf16_bom(data, name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return data[:exc.start].decode("utf-8-sig")  # a copy cut off inside the last character
    best: tuple[float, str, str] | None = None
    for encoding, label in _LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = _ordinary_share(text)
        if best is None or share > best[0]:
            best = (share, text, label)
    if best is not None and best[0] >= _PLAUSIBLE_SHARE:
        return best[1]
    tried = "、".join(["UTF-8", *(label for _, label in _LEGACY_ENCODINGS)])
    sample = ""
    if best is not None:
        shown = "".join(ch for ch in best[1] if ch.isprintable() and not ch.isspace() and ord(ch) >= 0x80)[:8]
        sample = f"（按 {best[2]} 解码得到“{shown}”这样的乱码）" if shown else ""
    raise UnreadableDocument(name, f"无法识别文本编码：按 {tried} 解码都不是正常的中文文本{sample}；"
                                   "请用记事本或 WPS 把文件另存为 UTF-8 编码后再导入")


def _decode_utf16_bom(data: bytes, name: str) -> str:
    """UTF-16 with a byte-order mark; a copy cut off inside its last character loses that
    character, and damaged data is refused with a reason, never an English decoder error."""
    if len(data) % 2:
        data = data[:-1]
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(name, f"文件开头标明是 UTF-16 编码，但第 {exc.start} 字节起的内容无法按 UTF-16 解码"
                                       "（文件可能已损坏）；请用记事本或 WPS 另存为 UTF-8 后再导入") from exc


@lru_cache(maxsize=65536)
def _is_ordinary(ch: str) -> bool:
    """ASCII, common punctuation, or a Chinese character of the first (most used) level of GB2312
    (simplified, 3 755 characters) or of Big5 (traditional, 5 401): together they cover all but a
    fraction of a percent of running Chinese text."""
    if _is_common(ch) and not 0x4E00 <= ord(ch) <= 0x9FFF:
        return True
    try:
        b = ch.encode("gb2312")
        if len(b) == 2 and 0xB0 <= b[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b = ch.encode("big5")
        return len(b) == 2 and 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E
    except UnicodeEncodeError:
        return False


def _ordinary_share(text: str) -> float:
    """Share of the visible non-ASCII characters of ``text`` that are ordinary Chinese text."""
    chars = [ch for ch in text if ord(ch) >= 0x80 and not ch.isspace()]
    if not chars:
        return 1.0
    return sum(map(_is_ordinary, chars)) / len(chars)


def _decode_utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM, if one byte order gives (almost) only common characters.

    Other bytes read as UTF-16 give scattered code points (Hangul, private use, rare CJK
    extensions), so requiring 95 % ASCII / CJK / CJK punctuation tells them apart.
    """
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        visible = [ch for ch in text if not ch.isspace()]
        if visible and sum(map(_is_common, visible)) >= 0.95 * len(visible):
            return text
    return None


def _is_common(ch: str) -> bool:
    o = ord(ch)
    return (0x20 <= o < 0x7F or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
            or 0x2000 <= o <= 0x206F or ch in _LATIN1_OK)


def _is_garbage(ch: str) -> bool:
    """A character that signals broken extraction rather than text."""
    o = ord(ch)
    return (
        o == 0xFFFD  # replacement character
        or 0xE000 <= o <= 0xF8FF or o >= 0xF0000  # private use (unmapped glyphs)
        or (o < 0x20 and ch not in "\t\n\r\f\v") or 0x7F <= o <= 0x9F  # control characters
        or (0xA0 <= o <= 0xFF and ch not in _LATIN1_OK)  # Latin-1 letters: GBK/UTF-8 read as Latin-1
    )


def _is_mojibake(text: str) -> bool:
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < _MOJIBAKE_MIN_CHARS:
        return False
    return sum(map(_is_garbage, visible)) >= _MOJIBAKE_SHARE * len(visible)


def _visible_chars(text: str) -> int:
    return len(re.sub(r"\s", "", text))


def _needs_ocr(text: str) -> bool:
    """A PDF page whose text layer is empty (a scan) or unusable (mojibake)."""
    return _visible_chars(text) < _MIN_TEXT_CHARS_PER_PAGE or _is_mojibake(text)


def _draws_xobject(page) -> bool:
    """Whether a pypdf page has any XObject (image or form) in its resources: cheap, no decoding."""
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        return bool(xobjects is not None and len(xobjects.get_object()))
    except Exception:  # a broken resource dictionary: not a scan we can tell
        return False


_STAMP_MIN_GAIN = 20  # characters OCR must read beyond the typed layer of a stamped scan


def _portrait(page) -> bool:
    """A page taller than wide: scanned sheets are; slides saved as PDF (a title over a
    full-page picture, much like a stamped scan) are landscape and keep their text layer."""
    try:
        box = page.mediabox
        return float(box.height) >= float(box.width)
    except Exception:  # a broken page box: pdfium decides when rendering
        return True


def _stamped_scans(path: Path, pypdf_pages, pages: list[Page], skip: set[int]) -> list[int]:
    """Pages (1-based) with a short real text layer drawn over a page-sized image: a scan with a
    typed header or watermark. Only pages with little text and an XObject are measured, so a
    text PDF costs nothing."""
    from .ocr import image_coverage

    short = [p.number for p in pages if p.number not in skip and _visible_chars(p.text) < _STAMP_MAX_CHARS
             and _portrait(pypdf_pages[p.number - 1]) and _draws_xobject(pypdf_pages[p.number - 1])]
    if not short:
        return []
    return [n for n, share in image_coverage(path, short).items() if share >= _SCAN_IMAGE_SHARE]


def _squash(text: str) -> str:
    import unicodedata

    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


def _ocr_read(ocr_text: str, line: str) -> bool:
    """Whether OCR already read the typed ``line`` (exactly, or all but a character or two)."""
    from difflib import SequenceMatcher

    hay, needle = _squash(ocr_text), _squash(line)
    if not needle or needle in hay:
        return True
    n = len(needle)
    for i in range(max(1, len(hay) - n + 2)):
        for size in (n - 1, n, n + 1):  # OCR may drop or add a character
            m = SequenceMatcher(None, needle, hay[i:i + size], autojunk=False)
            if m.real_quick_ratio() >= 0.8 and m.quick_ratio() >= 0.8 and m.ratio() >= 0.8:
                return True
    return False


def merge_stamp(ocr_text: str, typed: str) -> str:
    """OCR text of a scan, then the lines of its typed text layer that OCR did not read."""
    extra = [line.strip() for line in typed.splitlines() if line.strip() and not _ocr_read(ocr_text, line)]
    return ocr_text + ("\n\n" + "\n".join(extra) if extra else "")


def _printed_number(text: str) -> int | None:
    """The page number printed in a page's footer or header, if any."""
    lines = [line for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines[-3:][::-1] + lines[:2]):
        m = _PRINTED_NUMBER.match(line)
        if m:
            return int(m.group(1) or m.group(2))
        if i in (0, min(3, len(lines))):  # the last line, or the first one
            m = _BARE_NUMBER.match(line)
            if m:
                return int(m.group(1))
    return None


def printed_page_labels(texts: Sequence[str], catalog: Sequence[str] | None = None) -> dict[int, str]:
    """1-based file page → the page number printed on it, where the two differ.

    ``catalog`` is the PDF's own page labels (``/PageLabels``: i, ii, 1, 2 …), used when the
    document has them and they differ from the page count: a PDF reader's page box goes by those. Otherwise the numbers printed in the
    footers count: they must run in step with the file pages, at one offset, on at least two pages
    and most of the pages that show a number (a cover and a contents page before printed page 1
    make the offset 2); the pages from the first to the last such footer are labelled. Offset 0
    (the printed number is the file page) labels nothing.
    """
    if catalog:
        labels = {n: label for n, label in enumerate(catalog, start=1) if label and label != str(n)}
        if labels:
            return labels  # else the labels only repeat the file's page numbers: the footers may say more
    offsets = {n: n - v for n, v in ((n, _printed_number(t)) for n, t in enumerate(texts, start=1)) if v is not None}
    if not offsets:
        return {}
    best, votes = Counter(offsets.values()).most_common(1)[0]
    if best == 0 or votes < 2 or votes < 0.6 * len(offsets):
        return {}
    agree = [n for n, off in offsets.items() if off == best]
    return {n: str(n - best) for n in range(min(agree), max(agree) + 1) if n - best >= 1}


def _with_labels(pages: list[Page], catalog: Sequence[str] | None = None) -> list[Page]:
    labels = printed_page_labels([p.text for p in pages], catalog)
    return [replace(p, label=labels.get(p.number)) for p in pages] if labels else pages


def _catalog_labels(reader) -> list[str] | None:
    """The PDF's /PageLabels, or None when it defines none (or they cannot be read)."""
    try:
        if "/PageLabels" not in reader.trailer["/Root"]:
            return None
        return list(reader.page_labels)
    except Exception:  # a damaged label tree only loses the labels
        return None


def _check_text_limits(name: str, pages: list[Page]) -> None:
    """Refuse text that is too long to index, or that is mojibake (garbage from a broken font
    mapping or a wrong encoding): indexing it would only put noise into search results."""
    total = sum(len(p.text) for p in pages)
    if total > MAX_TEXT_CHARS:
        raise UnreadableDocument(name, f"文件过大：提取出 {total / 10000:.0f} 万字，超过 {MAX_TEXT_CHARS // 10000} 万字上限；"
                                       "请拆分成几个文件后再导入")
    bad = [page.number for page in pages if _is_mojibake(page.text)]
    if bad:
        where = "、".join(map(str, bad[:10])) + ("等" if len(bad) > 10 else "")
        text = next(p.text for p in pages if p.number == bad[0])
        sample = "".join(ch for ch in text if ch.isprintable() and not ch.isspace())[:12]
        example = f"，如“{sample}”" if sample else ""
        raise UnreadableDocument(name, f"提取出的文字是乱码（第 {where} 页{example}），可能是字体缺少编码映射或编码错误；"
                                       "未索引，需人工核对（可另存为 DOCX/TXT 或做 OCR 后再导入）")


def _split_text_pages(text: str) -> list[Page]:
    """Split text extracted from a PDF into pages at lines that start with one space.

    Text copied out of a PDF viewer marks each page start with a leading space; plain text
    written by hand has no such marks and stays one page.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if _PAGE_START.match(line)]
    nonblank = sum(1 for line in lines if line.strip())
    # Page marks are a minority of lines (roughly one per 20); otherwise it is indentation.
    if len(starts) < 2 or len(starts) * 5 > nonblank:
        return [Page(1, text)]
    # The line after a footer starts a page even without the leading space.
    for i, line in enumerate(lines):
        if PAGE_FOOTER.match(line):
            nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
            if nxt is not None and nxt not in starts:
                starts.append(nxt)
    starts.sort()
    pages: list[Page] = []
    bounds = ([0] if starts[0] != 0 else []) + starts + [len(lines)]
    for a, b in zip(bounds, bounds[1:]):
        chunk = "\n".join(lines[a:b])
        if chunk.strip() or not pages:
            pages.append(Page(len(pages) + 1, chunk))
    return pages


# PDF metadata titles that name the program, a template or a file rather than the document.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:untitled|无标题|未命名|title|标题|document\s*\d*|文档\s*\d*|新建.*文档\s*\d*|slide\s*\d*|"
    r"powerpoint presentation|演示文稿\s*\d*|microsoft (?:word|powerpoint|excel)\b.*|wps.*|.*\.(?:docx?|wps|pdf|pptx?|"
    r"xlsx?|txt|rtf|tmp))$", re.I)


def meta_title_usable(title: str) -> bool:
    """Whether a PDF's metadata title names the document: not "untitled", "Microsoft Word - 报告.docx",
    "文档1" or a file name (then the file name or the title found in the text is used instead)."""
    title = title.strip()
    return bool(re.search(r"[\u4e00-\u9fffA-Za-z]", title)) and not _PLACEHOLDER_TITLE.match(title)


def _decrypt(reader, name: str) -> None:
    """Open an encrypted PDF with the empty password (files that only restrict printing or
    copying); raise :class:`UnreadableDocument` when it needs a password to be opened."""
    if not reader.is_encrypted:
        return
    try:
        ok = reader.decrypt("")
    except Exception as exc:  # unsupported algorithm, missing cryptography package …
        raise UnreadableDocument(name, f"PDF 已加密，使用的加密方式无法解密（{damage_reason(exc)}）") from exc
    if not ok:
        raise UnreadableDocument(name, "PDF 已加密，需要打开密码才能读取；请先用 PDF 阅读器输入密码并另存为"
                                       "不加密的 PDF，再导入（只限制打印/复制的加密文件可直接导入）")


def _load_pdf(path: Path, ocr: OcrSettings, progress: OcrProgress | None) -> tuple[list[Page], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    name = str(path)
    try:
        reader = PdfReader(str(path), strict=False)
        _decrypt(reader, name)
        pages = []
        total = 0
        scrambled: dict[int, str] = {}  # pages with a line drawn out of order (see kb/pdf_order.py)
        looks: list[list | None] = []  # each page's line styles (kb/styled_headings.py)
        for i, page in enumerate(reader.pages, start=1):
            runs, styles = RunRecorder(), StyleRecorder()

            def visit(*args, runs=runs, styles=styles) -> None:
                runs(*args)
                styles(*args)

            pages.append(Page(i, page.extract_text(visitor_text=visit, visitor_operand_before=styles.operand) or ""))
            looks.append(styles.line_styles(pages[-1].text))
            if runs.out_of_order():
                scrambled[i] = pages[-1].text
            total += len(pages[-1].text)
            if total > MAX_TEXT_CHARS:
                break  # _check_text_limits reports it; no need to read the rest
        title = None
        try:
            meta = reader.metadata
            if meta and meta.title and meta_title_usable(str(meta.title)):
                title = str(meta.title).strip()
        except Exception:
            title = None
    except UnreadableDocument:
        raise
    except LimitReachedError as exc:
        raise UnreadableDocument(name, "PDF 中的压缩数据解压后超过安全上限（疑似压缩炸弹），未索引") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError, ZeroDivisionError, OverflowError) as exc:
        raise UnreadableDocument(name, f"PDF 文件损坏或不完整，无法解析（{damage_reason(exc)}）") from exc
    if not pages:
        raise UnreadableDocument(name, "PDF 没有任何页面")
    extracted_texts = [p.text for p in pages]
    if scrambled:
        for number, text in reordered_pages(path, scrambled).items():
            pages[number - 1] = Page(number, text)
    need = [p.number for p in pages if _needs_ocr(p.text)]
    stamped: set[int] = set()
    if ocr.enabled and sum(len(p.text) for p in pages) <= MAX_TEXT_CHARS:
        stamped = set(_stamped_scans(path, reader.pages, pages, set(need)))
        if len(set(need) | stamped) > ocr.max_pages:
            stamped = set()  # pages with a typed text layer never make a document exceed the OCR limit
        need = sorted(set(need) | stamped)
    if need and ocr.enabled and sum(len(p.text) for p in pages) <= MAX_TEXT_CHARS:
        for got in ocr_pdf_pages(path, need, ocr, name, reader.pages, progress):
            old = pages[got.number - 1]
            if got.number in stamped:
                # OCR must find more than the typed text (a header, a watermark) to be worth using.
                if _visible_chars(got.text) > _visible_chars(old.text) + _STAMP_MIN_GAIN:
                    pages[got.number - 1] = Page(got.number, merge_stamp(got.text, old.text), True, got.confidence,
                                                 got.turned)
            # A mojibake page keeps its text when OCR reads garbage too: the check below names it.
            elif got.text.strip() and not (old.text.strip() and _is_mojibake(got.text)):
                pages[got.number - 1] = Page(got.number, got.text, True, got.confidence, got.turned)
    # Headings told by their look (bold or larger lines naming a case's topic), on the pages whose
    # text is still pypdf's: a page read by OCR or rebuilt in reading order has no known look.
    extracted = [look if page.text == original else None
                 for page, look, original in zip(pages, looks, extracted_texts)]
    marked = mark_style_headings([p.text for p in pages], extracted + [None] * (len(pages) - len(extracted)), title)
    pages = [replace(p, text=t) if t != p.text else p for p, t in zip(pages, marked)]
    pages = _with_labels(pages, _catalog_labels(reader))
    visible = [len(re.sub(r"\s", "", p.text)) for p in pages]
    if sum(v >= _MIN_TEXT_CHARS_PER_PAGE for v in visible) == 0:
        if ocr.enabled:
            raise UnreadableDocument(name, "PDF 没有文字层（可能是扫描件或图片），OCR 也没有识别出文字")
        raise UnreadableDocument(name, "PDF 没有文字层（可能是扫描件或图片），需要 OCR（当前已关闭 OCR）")
    return pages, title


def _docx_title(path: Path) -> str | None:
    """The title in a DOCX's properties (文件 › 属性 › 标题), when it is a real one (not a
    template's "文档1" or "Microsoft Word - …"): as for a PDF's metadata title."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile, ValueError):
        return None
    m = re.search(r"<dc:title>([^<]*)</dc:title>", core)
    title = " ".join(html.unescape(m.group(1)).split()) if m else ""
    return title if title and meta_title_usable(title) else None


def _load_docx(path: Path) -> list[Page]:
    """Paragraphs and tables in document order; a DOCX has no reliable page numbers."""
    name = str(path)
    _check_docx_zip(path)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        lines: list[tuple[str, int | None]] = []  # text, Word outline level of a heading
        looks: list[Style | None] = []  # the look of each paragraph (None: a table's row)
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                para = Paragraph(block, document)
                lines.append((para.text, _outline_level(para)))
                looks.append(_paragraph_style(para))
            elif tag == "tbl":
                rows = _table_lines([c.text for c in row.cells] for row in Table(block, document).rows)
                lines.extend((row, None) for row in rows)
                looks.extend(None for _ in rows)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(name, f"Word 文档损坏或不是 DOCX 格式（{damage_reason(exc)}）") from exc
    except Exception as exc:  # python-docx raises a variety of lxml/opc errors
        raise UnreadableDocument(name, f"Word 文档无法解析（{damage_reason(exc)}）") from exc
    if all(lv is None for _, lv in lines):
        lines = _mark_bold_headings(lines, looks)
    # One paragraph per line, separated by blank lines so cleaning keeps paragraph breaks.
    return [Page(1, "\n\n".join(_mark_headings([(t, lv) for t, lv in lines if t.strip()])))]


def _paragraph_style(para) -> Style | None:
    """The look of a Word paragraph: bold when all its text is (a run's bold, else its character or
    paragraph style's, as Word resolves it), and the size most of its text has (0 when no size is set
    on it or its style: the document default)."""
    sizes: Counter = Counter()
    bold = True
    seen = False
    for run in para.runs:
        n = len(run.text.strip())
        if not n:
            continue
        seen = True
        b = run.bold
        if b is None and run.style is not None and run.style.type == 2:  # a character style
            b = _style_attr(run.style, "bold")
        if b is None:
            b = _style_attr(para.style, "bold")
        bold = bold and bool(b)
        size = run.font.size or _style_attr(para.style, "size")
        sizes[size.pt if size else 0.0] += n
    if not seen:
        return None
    return Style(sizes.most_common(1)[0][0], bold)


def _style_attr(style, name: str):
    """A font attribute of a Word style, from the style or the first style it is based on that sets it."""
    for _ in range(10):
        if style is None:
            return None
        try:
            value = getattr(style.font, name)
        except (AttributeError, KeyError, ValueError):
            return None
        if value is not None:
            return value
        style = style.base_style
    return None


def _mark_bold_headings(lines: list[tuple[str, int | None]], looks: list[Style | None]) -> list[tuple[str, int | None]]:
    """Paragraphs that are headings by their look (bold or larger, see kb/styled_headings.py) in a
    document that uses no Word heading style: "以电镀工艺受控破解镜架退货难题" in bold between the
    cases' paragraphs. They are marked as headings ("# …", or "### …" under numbered group headings), as
    a paragraph styled "标题 1" is, so the collection is split into its cases."""
    items = [(i, " ".join(t.split()), look) for i, ((t, _), look) in enumerate(zip(lines, looks)) if t.strip()]
    found = find_style_headings([(t, look) for _, t, look in items], paragraphs=True)
    if found is None:
        return lines
    marker, blocks = found
    out = list(lines)
    for start, end in blocks:
        if start == end:  # a Word paragraph is one heading; two bold paragraphs in a row are not
            out[items[start][0]] = (f"{marker} {items[start][1]}", None)
    return out


_WORD_HEADING = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
_HEADING_MAX = 60  # a "heading" paragraph longer than this is body text styled by mistake


def _outline_level(para) -> int | None:
    """The Word outline level (0 for Heading 1 / 标题 1) of a heading paragraph, or None: set on the
    paragraph, or by its style or a style it is based on ("Heading 2", "标题 2", a custom style
    based on a heading style). The title style (Title / 标题) is not a heading."""
    from docx.oxml.ns import qn

    def level_in(element) -> int | None:
        ppr = element.find(qn("w:pPr")) if element is not None else None
        lvl = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        value = lvl.get(qn("w:val")) if lvl is not None else None
        return int(value) if value is not None and value.isdigit() and int(value) < 9 else None

    own = level_in(para._p)
    if own is not None:
        return own
    try:
        style = para.style
    except (KeyError, ValueError):
        return None
    for _ in range(10):  # a chain of based-on styles (never a loop in a sane document)
        if style is None:
            return None
        m = _WORD_HEADING.match((style.name or "").strip())
        if m:
            return int(m.group(1)) - 1
        found = level_in(style.element)
        if found is not None:
            return found
        style = style.base_style
    return None


def _mark_headings(lines: list[tuple[str, int | None]]) -> list[str]:
    """Paragraphs in a Word heading style become headings of the text ("# …" at the top Word
    level used, "### …" one below, "#### …" two below, as in Markdown), so that a collection whose
    case titles are headings without numbers ("浙江某五金工具有限公司：以体系认证推动精益生产")
    is split into its cases. A heading that starts with its own numbering ("一、", "（二）",
    "案例三") keeps it: the numbering says its level."""
    levels = [lv for text, lv in lines if lv is not None]
    top = min(levels, default=0)
    out = []
    for text, lv in lines:
        text = text.strip()
        if (lv is not None and heading_level(text) is None and len(text) <= _HEADING_MAX
                and not re.search(r"[。！？!?]", text[:-1])):
            text = ("#", "###", "####")[min(lv - top, 2)] + " " + text
        out.append(text)
    return out


_ZIP_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}


def _shape_lines(shape) -> list[str]:
    """Text of one slide shape: a text frame's paragraphs, a table's rows, a group's members
    (in reading order); pictures and charts have none."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        return [line for member in _reading_order(shape.shapes) for line in _shape_lines(member)]
    if getattr(shape, "has_table", False) and shape.has_table:
        return _table_lines([c.text for c in row.cells] for row in shape.table.rows)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return [_line_end(p) for p in (para.text.strip() for para in shape.text_frame.paragraphs) if p]
    return []


def _line_end(line: str) -> str:
    """A slide line (title, bullet) ends as a sentence, so that lines do not run together
    when a passage is cut into sentences (the direct answer quotes one line, not a slide)."""
    return line if line[-1] in _ROW_END + "…：:" + "”’）)】》" else line + "。"


def _reading_order(shapes) -> list:
    """Shapes top to bottom, then left to right (shapes without a position keep their order last)."""
    placed = [s for s in shapes if s.top is not None and s.left is not None]
    rest = [s for s in shapes if s.top is None or s.left is None]
    return sorted(placed, key=lambda s: (int(s.top), int(s.left))) + rest


def _load_pptx(path: Path) -> tuple[list[Page], str | None]:
    """One page per slide: its title, then the other shapes in reading order (text boxes,
    tables row by row, groups), then the speaker notes marked 备注. A line without final
    punctuation gets a 。 (see :func:`_line_end`)."""
    name = str(path)
    _check_docx_zip(path, kind="pptx")
    try:
        from pptx import Presentation

        deck = Presentation(str(path))
        pages: list[Page] = []
        for number, slide in enumerate(deck.slides, start=1):
            title_shape = slide.shapes.title
            lines = _shape_lines(title_shape) if title_shape is not None else []
            for shape in _reading_order([s for s in slide.shapes if title_shape is None
                                         or s.shape_id != title_shape.shape_id]):
                lines.extend(_shape_lines(shape))
            if slide.has_notes_slide:
                notes = (slide.notes_slide.notes_text_frame.text or "").strip() if slide.notes_slide.notes_text_frame else ""
                if notes:
                    notes = " ".join(notes.split())
                    lines.append(_line_end(notes if re.match(r"备注\s*[：:]", notes) else "备注：" + notes))
            pages.append(Page(number, "\n\n".join(lines)))
        meta = (deck.core_properties.title or "").strip()
        first = _title_slide_title(deck.slides[0]) if len(deck.slides) else None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(name, f"PowerPoint 演示文稿损坏或不是 PPTX 格式（{damage_reason(exc)}）") from exc
    except Exception as exc:  # python-pptx raises a variety of lxml/opc errors
        raise UnreadableDocument(name, f"PowerPoint 演示文稿无法解析（{damage_reason(exc)}）") from exc
    # The title on the title slide is what the audience sees; the file's title property is often a
    # template's leftover, so it is used only when there is no title slide.
    return pages, first or (meta if meta and meta_title_usable(meta) else None)


def _title_slide_title(slide) -> str | None:
    """The title of a title slide (a centred title placeholder, or a title with a subtitle), on
    one line; None for a slide of content."""
    from pptx.enum.shapes import PP_PLACEHOLDER

    title = slide.shapes.title
    if title is None or not title.has_text_frame:
        return None
    kinds = {shape.placeholder_format.type for shape in slide.placeholders}
    if PP_PLACEHOLDER.CENTER_TITLE not in kinds and PP_PLACEHOLDER.SUBTITLE not in kinds:
        return None
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", " ".join(title.text_frame.text.split()))
    return text if text and meta_title_usable(text) else None


def _table_lines(rows) -> list[str]:
    """A DOCX or slide table (rows of cell texts) as lines, one per row (:func:`table_row_text`);
    empty cells and the repeats of merged cells are left out."""
    out: list[list[str]] = []
    for row in rows:
        cells: list[str] = []
        for raw in row:
            t = _cell_text(raw)
            if t and (not cells or cells[-1] != t):  # merged cells repeat
                cells.append(t)
        if cells:
            out.append(cells)
    return [table_row_text(cells, k == len(out) - 1) for k, cells in enumerate(out)]


def _cell_text(text: str) -> str:
    """A table cell on one line: its paragraphs joined with ``，`` (no mark after punctuation), so
    that the row stays one sentence."""
    out = ""
    for part in (p.strip() for p in text.splitlines()):
        if part:
            out += ("" if not out or out[-1] in _ROW_END + "，、：:," else "，") + part
    return out


def _check_docx_zip(path: Path | io.BytesIO, name: str | None = None, kind: str = "docx") -> None:
    """Refuse a ZIP bomb before python-docx inflates it: python-docx reads every part into
    memory, so the uncompressed sizes in the central directory are checked first. (Python's
    zipfile stops at the declared size and checks the CRC, so the declared sizes cannot lie.)"""
    name = name or str(path)
    what = "PowerPoint 演示文稿" if kind == "pptx" else "Word 文档"
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableDocument(name, f"{what}损坏或不是 {kind.upper()} 格式（{damage_reason(exc)}）") from exc
    if len(infos) > DOCX_MAX_ENTRIES:
        raise UnreadableDocument(name, f"{what}包含 {len(infos)} 个部件，超过 {DOCX_MAX_ENTRIES} 个上限（疑似压缩炸弹），未索引")
    names = {i.filename for i in infos}
    if kind == "pptx":
        if "ppt/presentation.xml" not in names:
            real = _ZIP_PARTS.get(next((n for n in _ZIP_PARTS if n in names), ""), "")
            raise UnreadableDocument(name, f"文件实际是{FORMAT_NAMES[real]}，不是 PowerPoint 演示文稿" if real
                                     else "文件是 ZIP 压缩包，但不含 ppt/presentation.xml，不是 PowerPoint 演示文稿")
    elif "word/document.xml" not in names:
        for part, kind in (("ppt/presentation.xml", "pptx"), ("xl/workbook.xml", "xlsx")):
            if part in names:
                raise UnreadableDocument(name, f"文件实际是{FORMAT_NAMES[kind]}，不是 Word 文档；"
                                               + _UNSUPPORTED_HINTS["." + kind].split("；", 1)[1])
        raise UnreadableDocument(name, "文件是 ZIP 压缩包，但不含 word/document.xml，不是 Word 文档")
    total = sum(i.file_size for i in infos)
    if total > DOCX_MAX_UNCOMPRESSED_MB * 1024 * 1024:
        raise UnreadableDocument(name, f"{what}解压后共 {total / 1024 / 1024:.0f} MB，超过 {DOCX_MAX_UNCOMPRESSED_MB} MB "
                                       "上限（疑似压缩炸弹），未索引")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size > DOCX_MAX_XML_PART_MB * 1024 * 1024:
            raise UnreadableDocument(name, f"{what}的 {info.filename} 解压后 {info.file_size / 1024 / 1024:.0f} MB，"
                                           f"超过 {DOCX_MAX_XML_PART_MB} MB 上限（疑似压缩炸弹），未索引")
