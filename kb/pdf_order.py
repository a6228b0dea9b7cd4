"""Reading order of PDF text drawn out of order on a line.

Some producers draw a line's glyphs in two passes: LibreOffice sets curly quotes and dot leaders
(“ ” ……) in a Latin font and writes those first, then goes back to the start of the line for the
Chinese text, which leaves gaps where the quotes sit. pypdf reports text in drawing order, so
"推出“认证贷”，" comes out as "“ ”推出 认证贷 ，", and a table of contents entry as
"…… 一、某市：认证贷助力…1". A page where that happens is rebuilt from glyph positions (pdfium):
the glyphs of one baseline, drawn one after another, read left to right.

The rebuilt text only reorders: it is used when it holds exactly the characters pypdf read
(spaces aside), so a font pdfium maps differently never changes what a page says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

# Two origins closer than this (points) vertically are on one baseline; a run starting more than
# this left of the previous run on its baseline was drawn out of order.
_SAME_LINE_PT = 1.0
_BACKWARD_PT = 1.0
# A gap between two glyphs wider than this share of the font size is a space.
_SPACE_SHARE = 0.25


class RunRecorder:
    """A ``visitor_text`` for pypdf's ``extract_text``: records where each run of text starts
    (page space), to tell afterwards whether the page was drawn out of order on a line."""

    def __init__(self) -> None:
        self.origins: list[tuple[float, float]] = []
        self.rotated = False

    def __call__(self, text, cm, tm, _font, _size) -> None:
        if not text.strip():
            return
        # Position of the run's origin: the text matrix's translation mapped by the CTM.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if abs(tm[1]) > 1e-6 or abs(tm[2]) > 1e-6 or abs(cm[1]) > 1e-6 or abs(cm[2]) > 1e-6:
            self.rotated = True  # vertical or turned text: left to right means nothing here
        self.origins.append((x, y))

    def out_of_order(self) -> bool:
        """A run starts left of the run drawn just before it on the same baseline."""
        if self.rotated:
            return False
        return any(abs(y - py) < _SAME_LINE_PT and x < px - _BACKWARD_PT
                   for (px, py), (x, y) in zip(self.origins, self.origins[1:]))


def reordered_pages(path: Path, texts: dict[int, str]) -> dict[int, str]:
    """Pages of ``path`` (1-based number → pypdf's text) rebuilt in reading order; a page is left
    out when pdfium cannot read it or reads other characters than pypdf."""
    import pypdfium2 as pdfium

    out: dict[int, str] = {}
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError, ValueError):
        return out
    try:
        for number, text in texts.items():
            try:
                page = pdf[number - 1]
                textpage = page.get_textpage()
                rebuilt = _lines_in_order(_glyphs(textpage))
                textpage.close()
                page.close()
            except (pdfium.PdfiumError, ValueError, IndexError):
                continue
            if rebuilt and _visible(rebuilt) == _visible(text):
                out[number] = rebuilt
    finally:
        pdf.close()
    return out


def _visible(text: str) -> Counter:
    return Counter(ch for ch in text if not ch.isspace())


def _glyphs(textpage) -> list[tuple[str, float, float, float, float]]:
    """Each drawn character of a pdfium text page in pdfium's order: (char, origin x, baseline y,
    right edge, font size). The spaces and line breaks pdfium makes up are left out."""
    import ctypes

    import pypdfium2.raw as raw

    x, y = ctypes.c_double(), ctypes.c_double()
    out = []
    for i in range(textpage.count_chars()):
        if raw.FPDFText_IsGenerated(textpage.raw, i):
            continue
        char = chr(raw.FPDFText_GetUnicode(textpage.raw, i))
        if char in "\r\n\x00" or not raw.FPDFText_GetCharOrigin(textpage.raw, i, x, y):
            continue
        right = textpage.get_charbox(i, loose=True)[2]
        out.append((char, x.value, y.value, right, raw.FPDFText_GetFontSize(textpage.raw, i) or 1.0))
    return out


def _lines_in_order(glyphs: Sequence[tuple[str, float, float, float, float]]) -> str:
    """Glyphs drawn one after another on one baseline form a line, read left to right; a gap
    wider than a quarter of the font size is a space. Lines keep the order they were drawn in,
    so two columns written one after the other are not merged."""
    lines: list[list[tuple[str, float, float, float, float]]] = []
    for g in glyphs:
        if lines and abs(lines[-1][-1][2] - g[2]) < max(_SAME_LINE_PT, 0.2 * g[4]):
            lines[-1].append(g)
        else:
            lines.append([g])
    out = []
    for line in lines:
        line.sort(key=lambda g: g[1])
        text = ""
        for k, (char, x, _y, _right, size) in enumerate(line):
            if k and x - line[k - 1][3] > _SPACE_SHARE * size and not text.endswith(" ") and char != " ":
                text += " "
            text += char
        out.append(" ".join(text.split()) if text.strip() else "")
    return "\n".join(t for t in out if t)
