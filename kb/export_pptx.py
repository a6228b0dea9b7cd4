"""Course packs as PowerPoint decks (python-pptx), from the :class:`~kb.export.ExportItem` records.

The deck: a title slide; for every passage or case one slide (more when its text is long:
text is split between sentences onto continuation slides instead of overflowing the box)
with the title, type / region / industry, and the problem, measures and outcomes of a case
or the text of a passage; a slide of native bar charts (before → after, one chart per
measure, so that 15 % and 3 960 万元 are not drawn on one axis) for an item whose outcomes
have both values; the full citation of every slide in its speaker notes; and closing
资料来源 slides listing every source with the pages cited.

Chinese text is set through the East-Asian font of each run (``a:ea``): PowerPoint picks
the font of CJK characters from it, and the Latin ``font.name`` alone does not apply to them.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .export import (
    DEFAULT_TITLE,
    ExportItem,
    ExportOutcome,
    Table,
    _pages_list,
    has_header,
    item_citation,
    outcome_where,
    period_labels,
    printed_in,
    set_core_properties,
    shown_titles,
    sources,
    text_segments,
)
from .present import KIND_ZH, outcome_text

FONT_EA = "微软雅黑"  # Microsoft YaHei: on every Windows/Office; LibreOffice substitutes a CJK font
FONT_LATIN = "Arial"
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5  # 16:9
MARGIN_IN = 0.6
TITLE_PT, META_PT, BODY_PT, SOURCE_PT, TABLE_PT = 28, 14, 18, 16, 12
BODY_TOP_IN, BODY_H_IN = 1.95, 5.0
CHARTS_PER_SLIDE = 4
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』）)]*|[^。！？；!?;]+")


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text or "")


# --------------------------------------------------------------------------- fitting text

def chars_per_line(width_in: float, size_pt: float) -> int:
    """How many CJK characters (each one em wide) fit on a line of ``width_in`` inches."""
    return max(1, int(width_in * 72 / size_pt))


def lines_per_box(height_in: float, size_pt: float, spacing: float = 1.25) -> int:
    return max(1, int(height_in * 72 / (size_pt * spacing)))


def text_lines(text: str, per_line: int) -> int:
    """Lines ``text`` takes when wrapped at ``per_line`` CJK characters (Latin letters and
    digits count half)."""
    total = 0
    for para in (text or "").split("\n"):
        width = sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in para)
        total += max(1, math.ceil(width / per_line))
    return total


def _fitting(text: str, per_line: int, max_lines: int) -> int:
    """How many characters of ``text`` fit in ``max_lines`` lines (as :func:`text_lines` counts
    them; at least 1): where a text of many short lines, or one long sentence, is cut."""
    lines, width = 1, 0.0
    for i, ch in enumerate(text):
        if ch == "\n":
            lines, width = lines + 1, 0.0
        else:
            w = 0.55 if ord(ch) < 0x2E80 else 1.0
            if width + w > per_line:
                lines, width = lines + 1, 0.0
            width += w
        if lines > max_lines:
            return max(1, i)
    return len(text)


@dataclass(frozen=True)
class Block:
    """A paragraph of a slide body: an optional bold label (``问题：``) and its text; or a table
    (``rows``, the first the header when ``header``) drawn as a PowerPoint table."""

    label: str
    text: str
    bullet: bool = False
    rows: Table = ()
    header: bool = False


def _column_widths(rows: Table, width_in: float) -> list[float]:
    """Column widths (inches) in proportion to each column's longest cell, none narrower than
    about three characters: a 序号 column does not take a seventh of the slide."""
    n = max(len(r) for r in rows)
    need = [min(24.0, max(4.0, max(_width(r[k]) for r in rows if k < len(r)))) for k in range(n)]
    return [width_in * w / sum(need) for w in need]


def _width(text: str) -> float:
    return sum(0.55 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _row_lines(row: Sequence[str], widths: Sequence[float]) -> int:
    """Body lines (of BODY_PT) a table row of TABLE_PT text takes, its cells side by side."""
    lines = max((text_lines(cell, max(1, chars_per_line(w - 0.15, TABLE_PT) - 1)) for cell, w in zip(row, widths)),
                default=1)
    return max(1, math.ceil((lines * TABLE_PT * 1.3 + 8) / (BODY_PT * 1.25)))


def _table_pages(block: Block, per_line: int, room: int, max_lines: int) -> list[tuple[Block, int]]:
    """A table block cut between rows into pieces of at most ``room`` lines (then ``max_lines``),
    the header repeated on each piece; (piece, lines it takes)."""
    widths = _column_widths(block.rows, per_line * BODY_PT / 72)
    head = block.rows[:1] if block.header else ()
    body = block.rows[1:] if block.header else block.rows
    head_lines = sum(_row_lines(r, widths) for r in head)
    pieces, rows, used = [], [], head_lines
    for row in body:
        need = _row_lines(row, widths)
        if rows and used + need > room:
            pieces.append((Block("", "", rows=tuple(head) + tuple(rows), header=block.header), used))
            rows, used, room = [], head_lines, max_lines
        rows.append(row)
        used += need
    pieces.append((Block("", "", rows=tuple(head) + tuple(rows), header=block.header), used))
    return pieces


def _split_text(text: str, per_line: int, max_lines: int) -> list[str]:
    """Cut ``text`` between sentences into pieces of at most ``max_lines`` lines (a sentence
    longer than that is cut between characters)."""
    pieces, current = [], ""
    for sentence in _SENTENCE.findall(text):
        while text_lines(sentence, per_line) > max_lines:
            cut = _fitting(sentence, per_line, max_lines)
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut])
            sentence = sentence[cut:]
        if current and text_lines(current + sentence, per_line) > max_lines:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces or [""]


def paginate(blocks: Sequence[Block], per_line: int, max_lines: int) -> list[list[Block]]:
    """Pack blocks onto pages of ``max_lines`` lines, splitting a block that does not fit
    between sentences; a continued block is labelled ``做法（续）`` on the next page."""
    max_lines = max(2, max_lines)
    pages: list[list[Block]] = [[]]
    used = 0
    for block in blocks:
        if block.rows:
            for k, (piece, lines) in enumerate(_table_pages(block, per_line, max_lines - used, max_lines)):
                if k or (used and lines > max_lines - used):
                    pages.append([])
                    used = 0
                pages[-1].append(piece)
                used += lines
            continue
        remaining = block.text
        label = block.label
        while True:
            prefix = f"{label}：" if label else ""
            room = max_lines - used
            if text_lines(prefix + remaining, per_line) <= room:
                pages[-1].append(Block(label, remaining, block.bullet))
                used += text_lines(prefix + remaining, per_line)
                break
            head = ""
            if room >= 2:  # put what fits here, the rest on the next page
                head = _split_text(prefix + remaining, per_line, room)[0][len(prefix):]
                if used == 0 and (not head or len(head) >= len(remaining)):
                    # nothing fits even on an empty page (or the piece is the whole of a text of many
                    # short lines, which _split_text cannot shorten): cut by length, so the loop ends
                    head = remaining[: max(1, min(len(remaining) - 1, _fitting(prefix + remaining, per_line, room) - len(prefix)))]
            if head and len(head) < len(remaining):
                pages[-1].append(Block(label, head, block.bullet))
                remaining = remaining[len(head):]
                label = f"{block.label}（续）" if block.label else ""
            pages.append([])
            used = 0
    return [p for p in pages if p] or [[]]


# --------------------------------------------------------------------------- runs and fonts

def _set_fonts(font, size_pt: float | None = None, bold: bool | None = None, color: tuple[int, int, int] | None = None):
    """Latin and East-Asian typeface (``a:latin`` and ``a:ea``), size, weight, colour of a run's font."""
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    font.name = FONT_LATIN
    rpr = font._rPr
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        from lxml import etree

        ea = etree.SubElement(rpr, qn("a:ea"))
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", FONT_EA)
    rpr.set("lang", "zh-CN")
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = RGBColor(*color)


def _add_run(paragraph, text: str, size_pt: float, bold: bool = False, color=None):
    run = paragraph.add_run()
    run.text = _clean(text)
    _set_fonts(run.font, size_pt, bold, color)
    return run


def _textbox(slide, left, top, width, height):
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    return frame


def _title(slide, text: str, size_pt: float = TITLE_PT):
    from pptx.util import Inches

    shape = slide.shapes.title
    shape.left, shape.top = Inches(MARGIN_IN), Inches(0.35)
    shape.width, shape.height = Inches(SLIDE_W_IN - 2 * MARGIN_IN), Inches(1.0)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.text = ""
    p = frame.paragraphs[0]
    _add_run(p, _short(text, 2 * chars_per_line(SLIDE_W_IN - 2 * MARGIN_IN, size_pt)), size_pt, bold=True)
    return shape


def _short(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _notes(slide, text: str) -> None:
    frame = slide.notes_slide.notes_text_frame
    frame.text = ""
    _add_run(frame.paragraphs[0], text, 12)


# --------------------------------------------------------------------------- slides

def _meta(it: ExportItem) -> str:
    parts = [KIND_ZH.get(it.kind, it.kind)]
    # A case without a place or trade says so; a report passage (about many places and trades)
    # names only what it was tagged with, and so does a local experience (a province's work spans
    # many trades: "行业：未识别" would read as a fault).
    if it.region or it.source == "case":
        parts.append(f"地区：{it.region}" if it.region else "地区：未识别")
    if it.industry or it.source == "case" and it.kind != "local_experience":
        parts.append(f"行业：{it.industry}" if it.industry else "行业：未识别")
    if it.ocr:
        parts.append("扫描件 OCR 识别" + (f"（置信度 {it.ocr_confidence:.2f}）" if it.ocr_confidence is not None else ""))
    return " ｜ ".join(parts)


def _outcome_line(it: ExportItem, o: ExportOutcome) -> str:
    return outcome_text(o) + outcome_where(it, o)


def _text_blocks(label: str, text: str) -> list[Block]:
    """Paragraph blocks of ``text``, a table in it as a table block (the label on the first block)."""
    blocks = []
    for seg in text_segments(text):
        if isinstance(seg, str):
            blocks.append(Block(label, seg))
        else:
            if label:
                blocks.append(Block(label, ""))
            blocks.append(Block("", "", rows=seg, header=has_header(seg)))
        label = ""
    return blocks or [Block(label, "")]


def item_blocks(it: ExportItem) -> list[Block]:
    """The body of an item's slides: profile, problem, measures and outcomes of a case; the
    text (and any outcomes) of a passage."""
    blocks: list[Block] = []
    if it.source == "case":
        if it.profile:
            blocks.append(Block("概况", it.profile))
        if it.problem:
            blocks.append(Block("问题", it.problem))
        if it.measures:
            blocks.append(Block("做法", it.measures))
        if not it.problem and not it.measures:
            blocks += _text_blocks("原文", it.text)
    else:
        blocks += _text_blocks("", it.text)
    if it.outcomes:
        blocks.append(Block("成效", ""))
        blocks += [Block("", _outcome_line(it, o), bullet=True) for o in it.outcomes]
    return blocks


def _table(slide, block: Block, top: float, per_line: int) -> float:
    """``block``'s rows as a PowerPoint table at ``top`` (inches); returns its estimated height."""
    from pptx.util import Inches, Pt

    widths = _column_widths(block.rows, per_line * BODY_PT / 72)
    heights = [_row_lines(r, widths) * BODY_PT * 1.25 / 72 for r in block.rows]
    shape = slide.shapes.add_table(len(block.rows), len(block.rows[0]), Inches(MARGIN_IN), Inches(top),
                                   Inches(sum(widths)), Inches(sum(heights)))
    table = shape.table
    table.first_row = block.header
    for k, w in enumerate(widths):
        table.columns[k].width = Inches(w)
    for r, row in enumerate(block.rows):
        table.rows[r].height = Inches(heights[r])
        for k, cell_text in enumerate(row):
            cell = table.cell(r, k)
            cell.margin_left = cell.margin_right = Pt(4)
            cell.margin_top = cell.margin_bottom = Pt(2)
            frame = cell.text_frame
            frame.word_wrap = True
            frame.text = ""
            _add_run(frame.paragraphs[0], cell_text, TABLE_PT, bold=block.header and r == 0)
    return sum(heights)


def _body(slide, blocks: Sequence[Block], per_line: int | None = None) -> None:
    """Text blocks in text boxes, table blocks as tables, top to bottom in the body area."""
    width = SLIDE_W_IN - 2 * MARGIN_IN
    per_line = per_line or chars_per_line(width, BODY_PT)
    line_in = BODY_PT * 1.25 / 72
    top, frame, lines = BODY_TOP_IN, None, 0
    for block in blocks:
        if block.rows:
            if frame is not None:
                top += lines * line_in + 0.1
                frame, lines = None, 0
            top += _table(slide, block, top, per_line) + 0.15
            continue
        if frame is None:
            frame = _textbox(slide, MARGIN_IN, top, width, max(0.5, BODY_TOP_IN + BODY_H_IN - top))
            p = frame.paragraphs[0]
        else:
            p = frame.add_paragraph()
        p.space_after = 6
        if block.label:
            _add_run(p, f"{block.label}：", BODY_PT, bold=True, color=(0x1F, 0x4E, 0x79))
        _add_run(p, ("• " if block.bullet else "") + block.text, BODY_PT)
        lines += text_lines((f"{block.label}：" if block.label else "") + block.text, per_line)


def chartable(outcomes: Sequence[ExportOutcome]) -> list[ExportOutcome]:
    """Outcomes that have both a before and an after value (an after given as a range, "90% → 95%～98%",
    has no one bar to draw)."""
    return [o for o in outcomes if o.before is not None and o.after is not None and o.upto is None]


def _chart_slides(prs, it: ExportItem, n: int, title: str, citation: str) -> int:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
    from pptx.util import Inches, Pt

    pairs = chartable(it.outcomes)
    made = 0
    for start in range(0, len(pairs), CHARTS_PER_SLIDE):
        group = pairs[start:start + CHARTS_PER_SLIDE]
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        _title(slide, f"{n}. {title} — 成效对比" + ("（续）" if start else ""))
        cols = 2 if len(group) > 1 else 1
        rows = math.ceil(len(group) / cols)
        width = (SLIDE_W_IN - 2 * MARGIN_IN) / cols
        height = (BODY_H_IN + 0.4) / rows
        for k, o in enumerate(group):
            data = CategoryChartData()
            # the times the figures compare as the text names them (2022年/2023年, 帮扶前/帮扶后), else 之前/之后
            data.categories = list(period_labels(o, it.text) or ("之前", "之后"))
            data.add_series(o.metric, (o.before, o.after))
            x = MARGIN_IN + (k % cols) * width
            y = BODY_TOP_IN - 0.3 + (k // cols) * height
            chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(x + 0.1), Inches(y + 0.05),
                                           Inches(width - 0.2), Inches(height - 0.1), data).chart
            chart.has_legend = False
            chart.has_title = True
            unit = f"（{o.unit}）" if o.unit else ""
            chart.chart_title.text_frame.text = ""
            _add_run(chart.chart_title.text_frame.paragraphs[0], _clean(o.metric + unit), 14, bold=True)
            _set_fonts(chart.font, 12)
            plot = chart.plots[0]
            plot.has_data_labels = True
            labels = plot.data_labels
            labels.number_format = 'General"' + (o.unit or "").replace('"', "") + '"'
            labels.number_format_is_linked = False
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
            labels.font.size = Pt(12)
            axis = chart.value_axis
            axis.minimum_scale = 0 if min(o.before, o.after) >= 0 else None
            axis.has_major_gridlines = False
        _notes(slide, f"出处：{citation}\n" + "\n".join(_outcome_line(it, o) for o in group))
        made += 1
    return made


def export_pptx(items: Sequence[ExportItem], title: str) -> bytes:
    """A course pack as a PowerPoint deck; returns the file's bytes."""
    from pptx import Presentation
    from pptx.util import Inches

    title = _clean((title or "").strip()) or DEFAULT_TITLE
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    set_core_properties(prs.core_properties, title)

    slide = prs.slides.add_slide(prs.slide_layouts[0])
    head, sub = slide.shapes.title, slide.placeholders[1]
    head.left, head.top, head.width, head.height = Inches(1), Inches(2.2), Inches(SLIDE_W_IN - 2), Inches(1.6)
    sub.left, sub.top, sub.width, sub.height = Inches(1), Inches(4.0), Inches(SLIDE_W_IN - 2), Inches(1.2)
    head.text_frame.text = ""
    _add_run(head.text_frame.paragraphs[0], _short(title, 60), 36, bold=True)
    sub.text_frame.text = ""
    n_cases = sum(1 for it in items if it.source == "case")
    _add_run(sub.text_frame.paragraphs[0], f"共 {len(items)} 条素材（案例 {n_cases} 条，段落 {len(items) - n_cases} 条）；"
                                           "每页备注中注明出处（文档、章节、页码）", 18, color=(0x55, 0x55, 0x55))
    _notes(slide, f"{title}。资料来源见最后的“资料来源”页；每页的出处在该页备注中。")

    width = SLIDE_W_IN - 2 * MARGIN_IN
    per_line = chars_per_line(width, BODY_PT)
    max_lines = lines_per_box(BODY_H_IN, BODY_PT) - 1  # one line of slack for paragraph spacing
    for n, (it, shown) in enumerate(zip(items, shown_titles(items), strict=True), start=1):
        citation = item_citation(it)
        pages = paginate(item_blocks(it), per_line, max_lines)
        for k, blocks in enumerate(pages):
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            _title(slide, f"{n}. {shown}" + (f"（续 {k}）" if k else ""))
            meta = _textbox(slide, MARGIN_IN, 1.35, width, 0.5)
            _add_run(meta.paragraphs[0], _meta(it), META_PT, color=(0x55, 0x55, 0x55))
            _body(slide, blocks, per_line)
            _notes(slide, f"出处：{citation}")
        if chartable(it.outcomes):
            _chart_slides(prs, it, n, shown, citation)

    lines = [f"{i}. 《{doc_title}》（文档编号 {doc_id}；引用 {_pages_list(pages, printed_in(items, doc_id))}）"
             for i, (doc_id, doc_title, pages) in enumerate(sources(items), start=1)] or ["（无）"]
    source_lines = lines_per_box(BODY_H_IN + 0.5, SOURCE_PT) - 1
    chunks = paginate([Block("", line) for line in lines], chars_per_line(width, SOURCE_PT), source_lines)
    for k, blocks in enumerate(chunks):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        _title(slide, "资料来源" + (f"（续 {k}）" if k else ""))
        frame = _textbox(slide, MARGIN_IN, 1.5, width, BODY_H_IN + 0.5)
        for i, block in enumerate(blocks):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            _add_run(p, block.text, SOURCE_PT)
        _notes(slide, "本课件引用的全部文档及页码。")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
