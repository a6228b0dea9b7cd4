"""Turn a file into a :class:`Document` of raw pages: PDF (pypdf), TXT/MD, DOCX.

Every failure is raised as :class:`UnreadableDocument` with a reason in Chinese, so one bad
file can be reported by name while the others are still indexed.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

from .errors import UnreadableDocument
from .records import Document, Page

SUPPORTED = {".pdf": "pdf", ".txt": "txt", ".md": "md", ".markdown": "md", ".docx": "docx"}

# A PDF page with fewer visible characters than this is treated as having no text layer.
_MIN_TEXT_CHARS_PER_PAGE = 5
_PAGE_START = re.compile(r"^ (?=\S)")
# A printed page footer such as "— 19 —" or "- 3 -" ends a page.
PAGE_FOOTER = re.compile(r"^\s*[—–－-]{1,2}\s*\d{1,4}\s*[—–－-]{1,2}\s*$")


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
    """Guess the real file type from its first bytes (the extension may lie)."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def load_document(path: str | Path) -> Document:
    """Load ``path`` and return its pages; raise :class:`UnreadableDocument` with the reason."""
    path = Path(path)
    name = str(path)
    fmt = SUPPORTED.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableDocument(name, f"不支持的文件类型“{path.suffix or '无扩展名'}”（支持 PDF、DOCX、TXT、MD）")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableDocument(name, f"无法读取文件：{exc.strerror or exc}") from exc
    if size == 0:
        raise UnreadableDocument(name, "文件为空（0 字节）")
    with open(path, "rb") as fh:
        head = fh.read(8)
    real = sniff_format(head)
    if fmt == "pdf" and real != "pdf":
        raise UnreadableDocument(name, "扩展名是 .pdf，但文件内容不是 PDF（文件头不符）")
    if fmt == "docx" and real != "zip":
        raise UnreadableDocument(name, "扩展名是 .docx，但文件内容不是 Word 文档（文件头不符）")
    if fmt in ("txt", "md") and real in ("pdf", "zip"):
        raise UnreadableDocument(name, f"扩展名是 {path.suffix}，但文件内容是二进制（{real.upper()}）")

    sha = file_sha256(path)
    if fmt == "pdf":
        pages, title = _load_pdf(path)
        paginated = True
    elif fmt == "docx":
        pages, title = _load_docx(path), None
        paginated = False
    else:
        text = decode_text(path.read_bytes(), name)
        pages = _split_text_pages(text)
        paginated = len(pages) > 1
        title = None
    if not any(p.text.strip() for p in pages):
        raise UnreadableDocument(name, "文件中没有可提取的文字")
    return Document(
        doc_id=doc_id_for(sha),
        path=name,
        title=(title or path.stem).strip(),
        format=fmt,
        sha256=sha,
        pages=tuple(pages),
        paginated=paginated,
    )


def decode_text(data: bytes, name: str = "") -> str:
    """Decode UTF-8 (with or without BOM), else GB18030/GBK, else a detected encoding."""
    if b"\x00" in data:
        # NUL bytes are not text; UTF-16 files would need a BOM, which we accept below.
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        data = data.replace(b"\x00", b"")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument(name, "无法识别文本编码（不是 UTF-8 或 GBK/GB18030）")
    return str(best)


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


def _load_pdf(path: Path) -> tuple[list[Page], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    name = str(path)
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # unsupported algorithm etc.
                raise UnreadableDocument(name, f"PDF 已加密，无法解密：{exc}") from exc
            if not ok:
                raise UnreadableDocument(name, "PDF 已加密，需要密码才能打开")
        pages = []
        for i, page in enumerate(reader.pages, start=1):
            pages.append(Page(i, page.extract_text() or ""))
        title = None
        try:
            meta = reader.metadata
            if meta and meta.title and meta.title.strip():
                title = str(meta.title)
        except Exception:
            title = None
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError) as exc:
        raise UnreadableDocument(name, f"PDF 文件损坏或不完整，无法解析（{type(exc).__name__}）") from exc
    if not pages:
        raise UnreadableDocument(name, "PDF 没有任何页面")
    visible = [len(re.sub(r"\s", "", p.text)) for p in pages]
    if sum(v >= _MIN_TEXT_CHARS_PER_PAGE for v in visible) == 0:
        raise UnreadableDocument(name, "PDF 没有文字层（可能是扫描件或图片），需要先做 OCR")
    return pages, title


def _load_docx(path: Path) -> list[Page]:
    """Paragraphs and tables in document order; a DOCX has no reliable page numbers."""
    name = str(path)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        lines: list[str] = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(block, document).text)
            elif tag == "tbl":
                for row in Table(block, document).rows:
                    cells: list[str] = []
                    for cell in row.cells:
                        t = cell.text.strip()
                        if t and (not cells or cells[-1] != t):  # merged cells repeat
                            cells.append(t)
                    if cells:
                        lines.append(" | ".join(cells))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(name, f"Word 文档损坏或不是 DOCX 格式（{type(exc).__name__}）") from exc
    except Exception as exc:  # python-docx raises a variety of lxml/opc errors
        raise UnreadableDocument(name, f"Word 文档无法解析（{type(exc).__name__}）") from exc
    # One paragraph per line, separated by blank lines so cleaning keeps paragraph breaks.
    return [Page(1, "\n\n".join(line for line in lines if line.strip()))]
