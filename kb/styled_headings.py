"""Headings of a PDF told by their look: a case collection whose case titles only name the topic.

Some collections title each case with a bold or larger line that names neither a number nor an
enterprise nor a place ("以电镀工艺受控破解镜架退货难题"), then tell the case in unlabelled paragraphs.
Nothing in the text says such a line is a heading: read as text it runs into the last sentence of
the case before it, and the whole file becomes one section. Its look does say so, and pypdf reports
the look of every run of text it extracts (font, size, text matrix) to a ``visitor_text``;
:class:`StyleRecorder` keeps it, with the text rendering mode (a "bold" drawn by stroking the
outline of a regular font) read from the content stream's operators.

:func:`mark_style_headings` then marks a line as a heading ("# …", as a Word heading style is marked
in kb/loaders.py) only when everything agrees:

* it is emphasised against the body text of the document: larger (at least 12 % over the body's size)
  or bold where the body is not;
* it stands alone: one or two such lines, after a line that ends a sentence (or at the top of a page),
  before an ordinary line of prose (with a comma or a full stop);
* it reads as a title: 4–40 characters, no sentence or clause punctuation, no numbering of its own
  ("一、", "（一）", "案例三" are headings already), not a part label ("主要做法"), not before the first
  line of body text (the document's title block) — unless the document's title is known from its
  metadata and is another text, and the line looks like the headings after it: then the collection
  opens with its first case ("茉莉花茶：从茶园到茶杯的全程质控" on the first page of "某地区案例选编");
* the document has at least two of them (a collection, not one emphasised line); a short line printed
  more than once (a running header) is never one.

A DOCX without Word heading styles gets the same reading of its paragraphs (bold: all of a paragraph's
text; kb/loaders.py).

A document with numbered top-level headings that group cases ("一、浙江省") gets the topic
headings one level down ("### …"); where numbered headings of both levels exist, or the numbered ones
are part labels ("一、基本情况"), the rank of a topic line cannot be told and nothing is marked.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .labels import INLINE_LABEL, PART_LABELS, is_byline
from .numbering import heading_level

# A line at least this much larger than the body text is emphasised.
_LARGER = 1.12
_TITLE_MIN, _TITLE_MAX = 4, 40
_MIN_HEADINGS = 2
# Stroke-and-fill (2) and stroke (1) rendering: how producers without a bold face draw bold text.
_BOLD_RENDER = (1, 2)
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultrabold|[-_,]w[6-9]\b|hei|黑|粗|"
                        r"xiaobiaosong|biaosong|xbs|小标宋", re.I)
_FORCE_BOLD = 1 << 18  # FontDescriptor /Flags bit 19
_TITLE_PUNCT = re.compile(r"[。！？；，,;!?]")
_SENTENCE_END = "。！？；!?;…"
_CLOSERS = "”’」』）)】》"
_PART_LABEL = re.compile(rf"^[【\[〔]?(?:{'|'.join(f'(?:{v})' for v in PART_LABELS.values())})[】\]〕]?[：:]?$")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])\s*")
# A caption of a table or a figure, an appendix's title: "表1 帮扶前后指标", "图2 …", "附表 …".
_CAPTION = re.compile(r"^(?:(?:续)?表|图|附表|附图|附件|附录)\s*[0-9一二三四五六七八九十]*(?:[-－.．][0-9]+)?(?:\s|[：:]|$)")
_DEBRIS = re.compile(r"^\s*(?:[—–－-]{1,2}\s*\d{1,4}\s*[—–－-]{1,2}|第\s*\d+\s*页.*|\d{1,4}(?:\s*/\s*\d{1,4})?)\s*$")


@dataclass(frozen=True)
class Style:
    """The look of a run of text: its size on the page (points) and whether it is bold."""

    size: float
    bold: bool


class StyleRecorder:
    """A ``visitor_text`` (with :meth:`operand` as ``visitor_operand_before``) for pypdf's
    ``extract_text``: the style of every character pypdf writes, in the order it writes them (the
    texts pypdf hands the visitor, joined, are the page's text)."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, Style]] = []
        self._render = 0
        self._saved: list[int] = []
        self._bold_fonts: dict[int, bool] = {}

    def operand(self, op, args, _cm, _tm) -> None:
        if op == b"q":
            self._saved.append(self._render)
        elif op == b"Q":
            self._render = self._saved.pop() if self._saved else 0
        elif op == b"Tr" and args:
            try:
                self._render = int(args[0])
            except (TypeError, ValueError):
                pass

    def __call__(self, text, cm, tm, font, size) -> None:
        if not text:
            return
        try:
            scale = math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2])) * math.sqrt(abs(cm[0] * cm[3] - cm[1] * cm[2]))
            eff = round(float(size or 0) * scale, 1)
        except (TypeError, ValueError, IndexError):
            eff = 0.0
        self.runs.append((text, Style(eff, self._render in _BOLD_RENDER or self._bold_font(font))))

    def _bold_font(self, font) -> bool:
        if not font:
            return False
        key = id(font)
        if key not in self._bold_fonts:
            self._bold_fonts[key] = _font_is_bold(font)
        return self._bold_fonts[key]

    def line_styles(self, text: str) -> list[Style | None] | None:
        """The style of each line of ``text`` (the page text pypdf returned): the style most of its
        characters have; None for a blank line. None when the runs do not spell ``text``."""
        if "".join(t for t, _ in self.runs) != text:
            return None
        out: list[Style | None] = []
        counts: Counter = Counter()
        for piece, style in self.runs:
            parts = piece.split("\n")
            for k, part in enumerate(parts):
                if k:
                    out.append(counts.most_common(1)[0][0] if counts else None)
                    counts = Counter()
                visible = sum(1 for ch in part if not ch.isspace())
                if visible:
                    counts[style] += visible
        out.append(counts.most_common(1)[0][0] if counts else None)
        return out


def _font_is_bold(font) -> bool:
    try:
        name = str(font.get("/BaseFont", "")).split("+")[-1]
        if _BOLD_NAME.search(name):
            return True
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and font.get("/DescendantFonts"):
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant.get("/FontDescriptor")
        if descriptor is None:
            return False
        descriptor = descriptor.get_object()
        weight = descriptor.get("/FontWeight")
        flags = int(descriptor.get("/Flags", 0) or 0)
        return (weight is not None and float(weight) >= 600) or bool(flags & _FORCE_BOLD)
    except Exception:  # a malformed font dictionary: no evidence of bold
        return False


def mark_style_headings(pages: Sequence[str], styles: Sequence[Sequence[Style | None] | None],
                        title: str | None = None) -> list[str]:
    """``pages`` (page texts) with the lines that are headings by their look marked "# " (or "### "
    under numbered group headings); see the module's docstring. ``styles`` holds each page's line
    styles (:meth:`StyleRecorder.line_styles`), None for a page whose look is unknown (read by OCR,
    rebuilt in reading order): its lines are never headings. ``title`` is the document's title from
    its metadata, when it has a real one."""
    where: list[tuple[int, int]] = []  # page index, line index of each line looked at
    lines: list[tuple[str, Style | None]] = []
    for pi, text in enumerate(pages):
        page_styles = styles[pi] if pi < len(styles) else None
        raw = text.split("\n")
        if page_styles is not None and len(page_styles) != len(raw):
            page_styles = None
        for li, line in enumerate(raw):
            t = line.strip()
            if t and not _DEBRIS.match(t):
                where.append((pi, li))
                lines.append((t, page_styles[li] if page_styles is not None else None))
    found = find_style_headings(lines, [pi for pi, _ in where], title)
    if found is None:
        return list(pages)
    marker, blocks = found
    out = [text.split("\n") for text in pages]
    for start, end in blocks:
        pi, li = where[start]
        out[pi][li] = f"{marker} {_block_text(lines, start, end)}"
        for j in range(start + 1, end + 1):
            out[where[j][0]][where[j][1]] = ""
    return ["\n".join(p) for p in out]


def find_style_headings(lines: Sequence[tuple[str, Style | None]], pages: Sequence[int] | None = None,
                        title: str | None = None,
                        paragraphs: bool = False) -> tuple[str, list[tuple[int, int]]] | None:
    """The headings by their look among ``lines`` (stripped, non-blank text and its style, None where
    unknown; ``pages`` the page of each line, when known): the marker to give them ("#" or "###") and
    the first and last index of each (a heading may wrap once); None when there are none. ``title``:
    the document's title from its metadata, if any (see the module's docstring). ``paragraphs``: each
    line is a whole paragraph (a DOCX), so an emphasised line is never the tail of the line before it."""
    # A running header or a line printed on every page is no heading, however it looks: left out.
    seen = Counter(t for t, _ in lines)
    keep = [k for k, (t, _) in enumerate(lines) if seen[t] == 1 or len(t) > _TITLE_MAX or _TITLE_PUNCT.search(t)]
    if len(keep) < len(lines):
        found = find_style_headings([lines[k] for k in keep], None if pages is None else [pages[k] for k in keep],
                                    title, paragraphs)
        return None if found is None else (found[0], [(keep[a], keep[b]) for a, b in found[1]])
    body = _body_style(lines)
    if body is None:
        return None

    def emphasised(style: Style | None) -> bool:
        return style is not None and ((style.size >= _LARGER * body.size and body.size > 0)
                                      or (style.bold and not body.bold))

    first_body = next((k for k, (_, st) in enumerate(lines) if st is not None and not emphasised(st)), None)
    if first_body is None:
        return None
    page_of = list(pages) if pages is not None else [0] * len(lines)
    found: list[tuple[int, int]] = []
    k = first_body
    while k < len(lines):
        if not emphasised(lines[k][1]):
            k += 1
            continue
        end = k  # a block: emphasised lines of one look (a heading may wrap once)
        while end + 1 < len(lines) and lines[end + 1][1] == lines[k][1] and end - k < 2:
            end += 1
        if _heading_block(lines, page_of, k, end, emphasised, paragraphs):
            found.append((k, end))
        k = end + 1
    if len(found) < _MIN_HEADINGS:
        return None
    found = _opening_headings(lines, page_of, first_body, found, title, emphasised) + found
    marker = _marker([t for t, _ in lines])
    return (marker, found) if marker is not None else None


def _opening_headings(lines, page_of, first_body: int, found: list[tuple[int, int]], title: str | None,
                      emphasised) -> list[tuple[int, int]]:
    """The heading just before the first line of body text. The lines there are the document's title
    block, but not all of them when the document's ``title`` (from its metadata) is known: the last one
    or two lines, in the very look of the headings found after them, reading as a title, sharing
    little with ``title`` and after nothing but lines that are the title (or after nothing), are the
    first case's title (a collection that opens with its first case, its own title only in the
    metadata, or on a line above). A wrapped title's second line ("案例集（第一辑）") shares much."""
    if not title or first_body == 0:
        return []
    looks = Counter(lines[a][1] for a, _ in found)
    look, n = looks.most_common(1)[0]
    if n * 2 <= len(found) or lines[first_body - 1][1] != look:
        return []  # the headings have no one look, or the line above the body has another
    start = first_body - 1
    while start > 0 and lines[start - 1][1] == look:
        start -= 1
    for k in (first_body - 1, first_body - 2):
        if k < start:
            break
        rest = _block_text(lines, k, first_body - 1)
        above = _block_text(lines, start, k - 1) if k > start else ""
        if (_share_in(rest, title) < 1 / 3 and (not above or similar_titles(above, title))
                and _heading_block(lines, page_of, k, first_body - 1, emphasised)):
            return [(k, first_body - 1)]
    return []


def _share_in(text: str, title: str) -> float:
    """The share of ``text``'s two-character pieces that are in ``title``."""
    mine = _bigrams(text)
    return len(mine & _bigrams(title)) / len(mine) if mine else 1.0


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[\s\W_]+", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def similar_titles(a: str, b: str) -> bool:
    """Whether two titles name one document: one is part of the other ("工作总结" and "2023年度…工作总结"),
    or they share most of the two-character pieces of the shorter ("（合成测试材料）某某案例选编" and
    "某某案例选编（合成测试材料，非真实案例）"). A case's title and a collection's title share few."""
    x, y = re.sub(r"[\s\W_]+", "", a), re.sub(r"[\s\W_]+", "", b)
    if not x or not y:
        return False
    if x in y or y in x:
        return True
    bx, by = _bigrams(x), _bigrams(y)
    small = min(len(bx), len(by))
    return small > 0 and len(bx & by) >= 0.5 * small


def _block_text(lines, start: int, end: int) -> str:
    return "".join(lines[j][0] for j in range(start, end + 1))


def _body_style(lines) -> Style | None:
    counts: Counter = Counter()
    for text, style in lines:
        if style is not None:
            counts[style] += len(text)
    return counts.most_common(1)[0][0] if counts else None


def _ends_sentence(text: str) -> bool:
    return text[-1] in _SENTENCE_END or (text[-1] in _CLOSERS and text[-2:-1] in list(_SENTENCE_END))


def _heading_block(lines, page_of, start: int, end: int, emphasised, paragraphs: bool = False) -> bool:
    """Whether lines ``start``..``end`` (emphasised, of one look) are a heading: one or two lines
    reading as a title, standing alone, with prose after them. ``paragraphs``: the lines are whole
    paragraphs, so one after a paragraph without a full stop ("某省市场监督管理局质量发展处 编") is no
    tail of it; one after a paragraph ending in a colon or a comma still goes with it."""
    if end - start > 1:
        return False
    title = _block_text(lines, start, end)
    if (not _TITLE_MIN <= len(title) <= _TITLE_MAX or _TITLE_PUNCT.search(title) or title[-1] in "：:、"
            or heading_level(title) is not None or _PART_LABEL.match(title) or INLINE_LABEL.match(title)
            or _CAPTION.match(title)):
        return False
    if start > 0:
        prev, prev_style = lines[start - 1]
        if (page_of[start - 1] == page_of[start] and prev_style is not None and not emphasised(prev_style)
                and not _ends_sentence(prev) and not (paragraphs and prev[-1] not in "：:，,、")):
            return False  # the tail of a paragraph, emphasised for a word or two
    # Prose follows: an ordinary line with a comma or a full stop, maybe after a numbered or a part
    # heading of the case's own ("（一）基本情况", "主要做法") or a news article's dateline or byline
    # ("（本报讯）记者 …", "某县市场监管局供稿").
    for text, style in lines[end + 1:end + 3]:
        if heading_level(text) is not None or _PART_LABEL.match(text) or is_byline(text):
            continue
        return style is not None and not emphasised(style) and re.search(r"[，。]", text) is not None and len(text) >= 10
    return False


def _marker(texts: Sequence[str]) -> str | None:
    """The Markdown-style marker for the topic headings: "#" (top level) when no line is a numbered
    top-level heading, "###" when such headings group the cases (and there are no numbered headings
    one level down), None when their rank cannot be told."""
    levels: Counter = Counter()
    parts: Counter = Counter()  # numbered headings that only name a part of a case ("（二）主要做法")
    for t in texts:
        level = heading_level(t)
        if level in (1, 2):
            levels[level] += 1
            parts[level] += bool(_PART_LABEL.match(_NUMBERING.sub("", t)))
    if not levels[1]:
        # Parts of each case ("（一）基本情况") sit under the topic headings; other numbered
        # second-level headings might group them: no telling.
        return "#" if parts[2] == levels[2] else None
    if parts[1] or levels[2]:
        return None
    return "###"
