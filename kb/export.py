"""Course packs: passages and cases collected by a trainer, exported as Markdown or DOCX.

An :class:`ExportItem` is a plain snapshot of a :class:`~kb.records.Hit` or
:class:`~kb.records.CaseHit` (text, outcomes, full citation), so a basket kept in a web
session survives a re-index and can be exported without the index.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace

from .labels import ANY_LABEL, LABEL_NUMBER
from .present import KIND_ZH, citation_text, outcome_text, page_text, passage_outcomes
from .records import Case, CaseHit, Chunk, Hit, Outcome, printed_label

# The course title when none is given (kb export --title, the app's 课件标题 field, an empty title).
DEFAULT_TITLE = "小微企业质量管理体系认证提升行动案例选编"

# A quantified result in an export item: the record itself, kept without its source sentence
# (the item carries the passage already).
ExportOutcome = Outcome


@dataclass(frozen=True)
class ExportItem:
    """One passage or case in a course pack, with everything needed to cite it."""

    key: str  # chunk_id or "case:<case_id>"; unique within a basket
    source: str  # "passage" | "case"
    title: str
    text: str
    doc_id: str
    doc_title: str
    section: str = ""
    page: int | None = None
    page_end: int | None = None
    kind: str = "report"
    region: str = ""
    industry: str = ""
    profile: str = ""  # a case's 企业概况 (who the enterprise is), shown before its problem
    problem: str = ""
    measures: str = ""
    outcomes: tuple[ExportOutcome, ...] = field(default_factory=tuple)
    ocr: bool = False  # the passage was read by OCR from a scanned page
    ocr_confidence: float | None = None
    # (page, printed page number) for the cited pages whose printed number differs
    printed: tuple[tuple[int, str], ...] = ()

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ExportItem:
        data = dict(data)
        data["outcomes"] = tuple(ExportOutcome(**o) if isinstance(o, dict) else o for o in data.get("outcomes", ()))
        data["printed"] = tuple((int(p), str(label)) for p, label in data.get("printed", ()))
        return cls(**data)

    def printed_of(self, page: int | None) -> str | None:
        return printed_label(self.printed, page)


# --------------------------------------------------------------------------- formatting

def item_citation(item: ExportItem) -> str:
    return citation_text(item.doc_title, item.section, item.page, item.page_end, item.ocr, item.ocr_confidence,
                         item.printed_of(item.page), item.printed_of(item.page_end))


def outcome_where(item: ExportItem, o: ExportOutcome) -> str:
    """``（第 5 页）`` / ``（第 5 页（印刷页码 3））`` after an outcome; "" without a page."""
    return f"（{page_text(o.page, printed=item.printed_of(o.page))}）" if o.page is not None else ""


# --------------------------------------------------------------------------- building items

def _outcomes(outcomes: Iterable[Outcome]) -> tuple[ExportOutcome, ...]:
    # the source sentence is kept: it names the times compared (2022年 → 2023年, 帮扶前 → 帮扶后), see period_labels
    return tuple(ExportOutcome(o.metric, o.before, o.after, o.change, o.unit, o.page, text=o.text, approx=o.approx,
                                 upto=o.upto)
                 for o in outcomes)


# The two times an outcome compares, as the text names them: years (2022年 … 2023年, 2023年初 … 2023年底)
# or a step and its before/after (帮扶前 … 帮扶后, 认证前后). A step named on one side only (由帮扶前的15%降至7%)
# counts when it is one of these actions.
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年(初|底|末|上半年|下半年|一季度|前三季度)?")
_STEP = r"[\u4e00-\u9fff]{2}"
_ONE_SIDED_STEPS = ("帮扶", "认证", "实施", "改进", "改造", "整改", "治理", "提升", "开展", "参加", "参与", "导入", "引入",
                    "应用", "培训", "指导", "试点", "技改", "上线", "贯标", "创建", "行动")
_PART_ORDER = {"初": 0, "一季度": 1, "上半年": 2, "前三季度": 3, None: 4, "下半年": 5, "末": 6, "底": 6}


def _figure(text: str, value: float, start: int = 0) -> re.Match | None:
    """Where ``value`` is written in ``text`` from ``start`` on (15 for 15.0; not inside 150 or 2015年)."""
    from .present import number_text

    return re.compile(rf"(?<![\d.]){re.escape(number_text(value))}(?![\d]|\.\d|年)").search(text, start)


def _labels_between(head: str, mid: str) -> tuple[str, str] | None:
    """The labels of the before figure (named in ``head``, the text up to it) and the after figure
    (named in ``mid``, the text between the two)."""
    years_before, years_after = list(_YEAR.finditer(head)), list(_YEAR.finditer(mid))
    if years_before and len(years_after) == 1:
        b, a = years_before[-1], years_after[0]
        if (int(b[1]), _PART_ORDER[b[2]]) < (int(a[1]), _PART_ORDER[a[2]]):
            return b.group(), a.group()
        return None
    if years_after:
        return None
    both = re.search(rf"({_STEP})前后", head)
    if both:
        return f"{both[1]}前", f"{both[1]}后"
    for m in reversed(list(re.finditer(rf"({_STEP})(之|以)?前", head))):
        step = m[1]
        after = re.search(rf"{step}(之|以)?后", mid)
        if after:
            return m.group(), after.group()
        if step in _ONE_SIDED_STEPS:
            return m.group(), f"{step}后"
    return None


def _table_header(text: str, row: str) -> str | None:
    """The header line of the before/after table that holds ``row`` in ``text`` (指标 | 帮扶前 | 帮扶后;
    项目2022年2023年): the nearest line above it without figures other than years."""
    at = text.find(row.strip())
    if not row.strip() or at < 0:
        return None
    for line in reversed(re.split(r"[；;\n]", text[:at])[-20:]):
        line = line.strip()
        if line and not re.search(r"\d", _YEAR.sub("", line)):
            return line
    return None


def period_labels(o: ExportOutcome, text: str = "") -> tuple[str, str] | None:
    """The names of the two times a before/after outcome compares, as its source sentence gives them
    (``2022年``/``2023年``, ``帮扶前``/``帮扶后``), or for a table row as the table's header does (``text``:
    the passage or case it is in); None when they are not written (a chart then says 之前/之后)."""
    if o.before is None or o.after is None or not o.text:
        return None
    b = _figure(o.text, o.before)
    a = _figure(o.text, o.after, b.end()) if b else None
    if b and a:
        labels = _labels_between(o.text[:b.start()], o.text[b.end():a.start()])
        if labels:
            return labels
    header = _table_header(text, o.text) if text else None
    if header:
        years = list(_YEAR.finditer(header))
        if len(years) == 2:
            return _labels_between(header[:years[1].start()], header[years[1].start():])
        if not years and "前" in header:
            return _labels_between(header, header[header.find("前") + 1:])
    return None


# A heading that names only a part of a case write-up or of a report (四、取得成效, （三）主要做法,
# 案例背景): as a slide title it does not say which case the slide is about.
_PART_HEADING = re.compile(
    rf"^{LABEL_NUMBER}(?:{ANY_LABEL}|案例(?:背景|简介|点评)|专家点评|讨论与思考|思考与讨论|经验启示|启示|几点体会|体会)\s*[：:]?$")


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _is_part_heading(heading: str) -> bool:
    return bool(_PART_HEADING.match(heading.strip()))


def passage_title(section: Sequence[str], text: str, fallback: str, cases: Sequence[Case] = ()) -> str:
    """The title of a passage item: its own heading, named with the case or section it belongs to.

    A heading that the passage only repeats (a numbered measure, ``（3）通过认证后…``, standing alone
    as a passage) gives way to the one above it; a part heading (``四、取得成效``), or a heading
    under one (``三、主要做法 > （一）健全来料检验``), is shown after the heading above the part, or
    after the title of the one case the passage belongs to: ``某纺织有限公司 · 四、取得成效``.
    ``fallback`` (the document title) when there is no heading.
    """
    headings = [h.strip() for h in section if h and h.strip()]
    if not headings:
        return fallback
    body = _letters(text)
    last = _letters(headings[-1])
    if len(headings) > 1 and len(last) >= 15 and body.startswith(last) and len(body) < len(last) + 30:
        titled = _part_title(headings[:-1], fallback, cases)
        if titled:
            return titled
    return _part_title(headings, fallback, cases) or headings[-1]


def _part_title(headings: list[str], fallback: str, cases: Sequence[Case]) -> str | None:
    """``上级标题 · 本级标题`` for a heading in or of a part of a write-up; None when no heading
    above the part names the case (the heading alone then)."""
    own = headings[-1]
    part = next((i for i, h in enumerate(headings) if _is_part_heading(h)), None)
    if part is None:
        return own
    above = next((h for h in reversed(headings[:part]) if not _is_part_heading(h)), None)
    if above is None and len(cases) == 1:
        above = cases[0].title
    if above is None and part == len(headings) - 1:
        above = fallback  # the document is the case: 《…某假发企业》 · 四、取得成效
    return f"{above} · {own}" if above else None


def _case_name(title: str, limit: int = 16) -> str:
    """A case's title short enough to name it before one of its figures: up to a colon or dash
    (``某电子有限公司：用“质量成本”倒逼返工下降`` → ``某电子有限公司``)."""
    name = re.split(r"[：:]|——|—", title.strip(), maxsplit=1)[0].strip() or title.strip()
    return name if len(name) <= limit else name[: limit - 1] + "…"


def item_from_hit(hit: Hit, cases: Sequence[Case] = ()) -> ExportItem:
    """A passage item; ``cases`` are the case records the passage belongs to (for outcomes)."""
    c: Chunk = hit.chunk
    outcomes: list[ExportOutcome] = []
    several = len({case.case_id for case in cases}) > 1
    for case in cases:
        for o in _outcomes(passage_outcomes([case], c.chunk_id)):
            if several:
                # a table of one case per row: each figure says whose it is (the bullets and charts
                # of the item put them side by side)
                o = replace(o, metric=f"{_case_name(case.title)} · {o.metric}")
            if all(replace(o, text="") != replace(x, text="") for x in outcomes):  # the same figure once
                outcomes.append(o)
    title = passage_title(c.section, c.text, hit.doc_title, cases)
    region, industry = hit.region.display(), hit.industry or ""
    if len({case.case_id for case in cases}) > 1:
        # A passage telling several cases (a table of one case per row, a report paragraph): a
        # place or trade is shown only when they all share it, never one case's place with another's trade.
        if len({case.region.display() for case in cases}) > 1:
            region = ""
        if len({case.industry or "" for case in cases}) > 1:
            industry = ""
    return ExportItem(
        key=c.chunk_id, source="passage", title=title, text=c.text, doc_id=c.doc_id, doc_title=hit.doc_title,
        section=c.section_path, page=c.page, page_end=c.page_end, kind=c.kind,
        region=region, industry=industry, outcomes=tuple(outcomes), ocr=c.ocr,
        ocr_confidence=c.ocr_confidence,
        printed=tuple(dict.fromkeys((p, label) for p, label in ((c.page, hit.printed_page), (c.page_end, hit.printed_page_end))
                                    if p is not None and label)))


def item_from_hits(found: Sequence[tuple[Hit, Sequence[Case]]]) -> ExportItem:
    """One passage item of neighbouring passages of one section (each with the case records it
    belongs to), in document order: their text one after the other, the pages they span, every
    outcome and printed page number once. One passage gives :func:`item_from_hit`'s item."""
    found = sorted(found, key=lambda f: f[0].chunk.ordinal)
    parts = [item_from_hit(hit, cases) for hit, cases in found]
    if len(parts) == 1:
        return parts[0]
    first, chunk = parts[0], found[0][0].chunk
    text = "\n".join(it.text for it in parts)
    cases = list({c.case_id: c for _, cs in found for c in cs}.values())
    regions = {it.region for it in parts if it.region}
    industries = {it.industry for it in parts if it.industry}
    ends = [p for it in parts for p in (it.page, it.page_end) if p is not None]
    confidences = [it.ocr_confidence for it in parts if it.ocr_confidence is not None]
    return replace(
        first, key="+".join(it.key for it in parts), text=text,
        title=passage_title(chunk.section, text, found[0][0].doc_title, cases),
        page=min((it.page for it in parts if it.page is not None), default=None),
        page_end=max(ends, default=None),
        region=regions.pop() if len(regions) == 1 else "", industry=industries.pop() if len(industries) == 1 else "",
        outcomes=tuple(dict.fromkeys(o for it in parts for o in it.outcomes)),
        ocr=any(it.ocr for it in parts), ocr_confidence=min(confidences, default=None),
        printed=tuple(dict.fromkeys(pl for it in parts for pl in it.printed)))


def item_from_case_hit(hit: CaseHit) -> ExportItem:
    """A case item: problem, measures, outcomes and the passage it was found in."""
    c = hit.case
    return ExportItem(
        key=f"case:{c.case_id}", source="case", title=c.title, text=c.text, doc_id=c.doc_id,
        doc_title=hit.doc_title or c.doc_id, section=c.section_path, page=c.page, page_end=c.page_end, kind=c.kind,
        region=c.region.display(), industry=c.industry or "", profile=c.profile, problem=c.problem,
        measures=c.measures, outcomes=_outcomes(c.outcomes), ocr=hit.ocr, ocr_confidence=hit.ocr_confidence,
        printed=tuple((p, label) for p, label in hit.printed
                      if p in (c.page, c.page_end) or any(o.page == p for o in c.outcomes)))


def without_told_cases(items: Sequence[ExportItem],
                       passages_of: Callable[[str], Sequence[str] | None]) -> list[ExportItem]:
    """``items`` (a course basket, in order) without a case record whose passages are all in it as
    passage items already: a case added from 可比案例 after the report paragraph that tells it (the
    paragraph is kept, its figures are in it; as :func:`collect_items` does). ``passages_of`` gives
    a case id's passage chunk ids (None for a case no longer indexed: the item stays)."""
    passages = {it.key for it in items if it.source == "passage"}
    out = []
    for it in items:
        ids = passages_of(it.key.removeprefix("case:")) if it.source == "case" else None
        if not (ids and set(ids) <= passages):
            out.append(it)
    return out


def _short_heading(heading: str, limit: int = 20) -> str:
    """A heading as a title's tail: up to its colon (``3. 企业概况：主要生产…`` → ``3. 企业概况``)."""
    head = re.split(r"[：:]", heading.strip(), maxsplit=1)[0].strip() or heading.strip()
    return head if len(head) <= limit else head[: limit - 1] + "…"


def _parting(path: list[str], others: list[list[str]]) -> int | None:
    """The first level at which ``path`` has parted from every one of ``others`` (None: one of
    them is the same path, or ``path`` ends first, or there are none)."""
    if not others:
        return None
    level = 0
    for other in others:
        k = next((i for i, (a, b) in enumerate(zip(path, other)) if a != b), min(len(path), len(other)))
        if k >= len(path):
            return None
        level = max(level, k)
    return level


_NUMERALS = "〇一二三四五六七八九十"


def shown_titles(items: Sequence[ExportItem]) -> list[str]:
    """The title each item is shown with in a course pack: its own, unless another item has the
    same one. Items of one title are told apart by the heading where their sections part
    (``以过程控制破解电机返修难题 · 4. 存在问题``: three passages of one write-up), else by their
    document (《…》), else the second and later are marked ``（之二）``, ``（之三）``."""
    titles = [it.title for it in items]
    by_title: dict[str, list[int]] = {}
    for k, it in enumerate(items):
        by_title.setdefault(it.title, []).append(k)
    for title, ks in by_title.items():
        if len(ks) < 2:
            continue
        paths = {k: [h.strip() for h in items[k].section.split(" > ") if h.strip()] for k in ks}
        for k in ks:
            level = _parting(paths[k], [paths[j] for j in ks if j != k and paths[j] != paths[k]])
            tail = _short_heading(paths[k][level]) if level is not None and paths[k] else ""
            if tail and tail not in title:
                titles[k] = f"{title} · {tail}"
            elif len({items[j].doc_title for j in ks}) > 1:
                titles[k] = f"{title}（《{_short_heading(items[k].doc_title, 24)}》）"
    counts: dict[str, int] = {}
    for k, title in enumerate(titles):
        counts[title] = counts.get(title, 0) + 1
        if counts[title] > 1:
            titles[k] = f"{title}（之{_NUMERALS[counts[title]]}）" if counts[title] < len(_NUMERALS) else f"{title}（之 {counts[title]}）"
    return titles


def sources(items: Sequence[ExportItem]) -> list[tuple[str, str, list[int]]]:
    """(doc_id, doc_title, sorted cited pages) for every document cited, in first-cited order."""
    out: dict[str, tuple[str, set[int]]] = {}
    for it in items:
        title, pages = out.setdefault(it.doc_id, (it.doc_title, set()))
        for p in (it.page, it.page_end):
            if p is not None:
                pages.add(p)
        for o in it.outcomes:
            if o.page is not None:
                pages.add(o.page)
    return [(doc_id, title, sorted(pages)) for doc_id, (title, pages) in out.items()]


def printed_in(items: Sequence[ExportItem], doc_id: str) -> dict[int, str]:
    """The printed page numbers the items of document ``doc_id`` know of (ExportItem.printed)."""
    return {p: label for it in items if it.doc_id == doc_id for p, label in it.printed}


def _pages_list(pages: list[int], printed: dict[int, str] | None = None) -> str:
    """``第 4、5 页``; ``第 4、5 页（印刷页码 2、3）`` when the pages show other numbers;
    ``第 1、4（印刷页码 2）页`` when only some do."""
    if not pages:
        return "无页码"
    printed = printed or {}
    if printed and all(p in printed for p in pages):
        return f"第 {'、'.join(str(p) for p in pages)} 页（印刷页码 {'、'.join(printed[p] for p in pages)}）"
    return f"第 {'、'.join(str(p) + (f'（印刷页码 {printed[p]}）' if p in printed else '') for p in pages)} 页"


# --------------------------------------------------------------------------- tables in text

# kb stores a table row as a sentence of its own, cells joined by " | " (loaders.table_row_text):
# "指标 | 帮扶前 | 帮扶后；返工率 | 8.5% | 2.1%；…。"
_PIECE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n)|[^。！？；!?;\n]+")
CELL_SEP = " | "

Table = tuple[tuple[str, ...], ...]


def text_segments(text: str) -> list[str | Table]:
    """``text`` as paragraphs (str) and tables (rows of cells, every row as wide as the widest):
    a run of table-row sentences is one table."""
    out: list[str | Table] = []
    rows: list[tuple[str, ...]] = []
    para = ""
    # A row ends in "；" (in "。" when it is the table's last): a "；" inside a cell ("关键尺寸超差，客户索赔多；
    # 图纸版本管理混乱…。") ends the row's sentence too early, and what follows up to the next row is the
    # rest of that cell.
    open_cell = False

    def flush_table() -> None:
        if rows:
            width = max(len(r) for r in rows)
            out.append(tuple(r + ("",) * (width - len(r)) for r in rows))
            rows.clear()

    for piece in _PIECE.findall(text or ""):
        if CELL_SEP in piece:
            if para.strip():
                out.append(para.strip())
            para = ""
            rows.append(tuple(c.strip() for c in piece.strip().rstrip("。；;").split(CELL_SEP.strip())))
            open_cell = piece.strip().endswith(("；", ";"))
        elif rows and not piece.strip():
            continue
        elif rows and open_cell and not piece.endswith("\n"):
            rest = piece.strip()
            rows[-1] = (*rows[-1][:-1], rows[-1][-1] + "；" + rest.rstrip("。；;"))
            open_cell = rest.endswith(("；", ";"))
        else:
            flush_table()
            para += piece
    flush_table()
    if para.strip():
        out.append(para.strip())
    return out


def continued_header(chunk: Chunk, chunks: Sequence[Chunk]) -> tuple[str, ...] | None:
    """The header row of the table ``chunk`` continues: ``chunk`` begins with table rows under no
    header (``5 | 某家具厂 | …``) and the passages before it in its section (``chunks``, any
    order) are rows of that table back to one that starts it with a header of as many columns.
    None otherwise (a paragraph between them, another width, no header found)."""
    segments = text_segments(chunk.text)
    if not segments or isinstance(segments[0], str) or has_header(segments[0]):
        return None
    width = len(segments[0][0])
    before = {c.ordinal: c for c in chunks if c.doc_id == chunk.doc_id and c.section == chunk.section}
    ordinal = chunk.ordinal - 1
    while ordinal in before:
        segments = text_segments(before[ordinal].text)
        if not segments or isinstance(segments[-1], str) or len(segments[-1][0]) != width:
            return None
        if has_header(segments[-1]):
            return segments[-1][0]
        if len(segments) > 1:
            return None
        ordinal -= 1
    return None


def has_header(table: Table) -> bool:
    """Whether a table's first row names its columns (序号 | 企业名称 …), not a data row (3 | 临沂…):
    a table continued from the passage before has none."""
    first = table[0][0].strip() if table and table[0] else ""
    return bool(first) and not first[0].isdigit()


# --------------------------------------------------------------------------- Markdown

_MD_INLINE = re.compile(r"([\\`*_\[\]<>#|~$&])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")


def escape_markdown(text: str) -> str:
    """Backslash-escape the Markdown/HTML punctuation that could change how text renders.

    CommonMark allows a backslash before any ASCII punctuation, so ``<script>``,
    ``[x](javascript:…)`` and ``&lt;`` render as the characters typed. Only characters that can
    start markup are escaped (a list marker only at the start of a line), so the file stays
    readable as plain text. Newlines become hard line breaks.
    """
    lines = []
    for line in (text or "").splitlines() or [""]:
        line = _MD_INLINE.sub(r"\\\1", line.strip())
        m = _MD_LINE_START.match(line)
        if m:
            if m.group(2)[0].isdigit():
                # "1. " / "1) " would start an ordered list: escape the dot/paren after the digits.
                end = m.end()
                line = line[:end] + "\\" + line[end:]
            else:
                line = line[: m.start(2)] + "\\" + line[m.start(2):]
        lines.append(line)
    return "  \n".join(lines)


def _markdown_text(text: str) -> list[str]:
    """An item's text as a quotation; a table in it as a Markdown table (one row per line)."""
    lines = []
    for seg in text_segments(text):
        if isinstance(seg, str):
            lines += [f"> {escape_markdown(seg)}".replace("  \n", "  \n> "), ""]
            continue
        head = seg[0] if has_header(seg) else tuple("" for _ in seg[0])
        body = seg[1:] if has_header(seg) else seg
        rows = ["| " + " | ".join(escape_markdown(c).replace("  \n", " ") for c in row) + " |" for row in (head, *body)]
        lines += [rows[0], "|" + " --- |" * len(head), *rows[1:]]
        lines.append("")
    return lines or ["> ", ""]


def export_markdown(items: Sequence[ExportItem], title: str) -> str:
    """A course pack in Markdown: one section per item, then the list of sources."""
    title = (title or "").strip() or DEFAULT_TITLE
    lines = [f"# {escape_markdown(title)}", "", f"共 {len(items)} 条素材。每条均注明出处（文档、章节、页码）。", ""]
    for n, (it, shown) in enumerate(zip(items, shown_titles(items), strict=True), start=1):
        lines.append(f"## {n}. {escape_markdown(shown)}")
        lines.append("")
        meta = [KIND_ZH.get(it.kind, it.kind)]
        if it.region:
            meta.append(f"地区：{it.region}")
        if it.industry:
            meta.append(f"行业：{it.industry}")
        lines.append(f"*{escape_markdown('；'.join(meta))}*")
        lines.append("")
        for label, value in (("概况", it.profile), ("问题", it.problem), ("做法", it.measures)):
            if value:
                lines += [f"**{label}**：{escape_markdown(value)}", ""]
        lines += _markdown_text(it.text)
        if it.outcomes:
            lines.append("**成效**：")
            lines.append("")
            for o in it.outcomes:
                lines.append(f"- {escape_markdown(outcome_text(o))}{outcome_where(it, o)}")
            lines.append("")
        lines += [f"出处：{escape_markdown(item_citation(it))}", ""]
    lines += ["## 资料来源", ""]
    for n, (doc_id, doc_title, pages) in enumerate(sources(items), start=1):
        lines.append(f"{n}. 《{escape_markdown(doc_title)}》（文档编号 {doc_id}；引用 {_pages_list(pages, printed_in(items, doc_id))}）")
    if not items:
        lines.append("（无）")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- DOCX

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """python-docx rejects characters XML 1.0 cannot hold."""
    return _XML_INVALID.sub("", text or "")


# Office file properties (docProps/core.xml) hold at most 255 characters; python-docx and
# python-pptx refuse more. The heading in the document keeps the whole title.
PROPERTY_MAX = 255
# Who made the file, as Word/PowerPoint show it (文件 > 信息): the templates of python-docx and
# python-pptx otherwise name their own authors ("python-docx", "Steve Canny"), say "generated
# using python-pptx" and date the file 2013.
PROPERTY_AUTHOR = "kb 提升行动案例知识库"


def set_core_properties(props, title: str) -> None:
    """Title, author and dates of a DOCX or PPTX (``core_properties``) for a course pack made now."""
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)  # both libraries write naive UTC
    props.title = title[:PROPERTY_MAX]
    props.author = PROPERTY_AUTHOR
    props.last_modified_by = PROPERTY_AUTHOR
    props.comments = ""
    props.subject = ""
    props.keywords = ""
    props.language = "zh-CN"
    props.revision = 1
    props.created = now
    props.modified = now


def export_docx(items: Sequence[ExportItem], title: str) -> bytes:
    """A course pack as a Word document (python-docx); returns the file's bytes."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    title = _clean((title or "").strip()) or DEFAULT_TITLE
    document = docx.Document()
    set_core_properties(document.core_properties, title)
    for section in document.sections:
        # A4 with Word's default margins for it (python-docx's template is US Letter)
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(25.4)
        section.left_margin = section.right_margin = Mm(31.8)
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    document.add_heading(title, level=0)
    document.add_paragraph(f"共 {len(items)} 条素材。每条均注明出处（文档、章节、页码）。")
    for n, (it, shown) in enumerate(zip(items, shown_titles(items), strict=True), start=1):
        document.add_heading(_clean(f"{n}. {shown}"), level=1)
        meta = [KIND_ZH.get(it.kind, it.kind)]
        if it.region:
            meta.append(f"地区：{it.region}")
        if it.industry:
            meta.append(f"行业：{it.industry}")
        p = document.add_paragraph()
        run = p.add_run(_clean("；".join(meta)))
        run.italic = True
        for label, value in (("概况", it.profile), ("问题", it.problem), ("做法", it.measures)):
            if value:
                p = document.add_paragraph()
                p.add_run(f"{label}：").bold = True
                p.add_run(_clean(value))
        for seg in text_segments(it.text):
            if isinstance(seg, str):
                document.add_paragraph(_clean(seg), style="Quote")
                continue
            table = document.add_table(rows=len(seg), cols=len(seg[0]))
            table.style = "Table Grid"
            for r, row in enumerate(seg):
                for k, cell in enumerate(row):
                    run = table.cell(r, k).paragraphs[0].add_run(_clean(cell))
                    run.font.size = Pt(9)
                    run.bold = r == 0 and has_header(seg)
        if it.outcomes:
            p = document.add_paragraph()
            p.add_run("成效：").bold = True
            for o in it.outcomes:
                document.add_paragraph(_clean(outcome_text(o) + outcome_where(it, o)), style="List Bullet")
        p = document.add_paragraph()
        run = p.add_run(_clean(f"出处：{item_citation(it)}"))
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    document.add_heading("资料来源", level=1)
    for doc_id, doc_title, pages in sources(items):
        document.add_paragraph(_clean(f"《{doc_title}》（文档编号 {doc_id}；引用 {_pages_list(pages, printed_in(items, doc_id))}）"),
                               style="List Number")
    if not items:
        document.add_paragraph("（无）")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# A passage whose sentences are this much (by characters) the text of the one case record it
# belongs to is that case: the export shows the case record (problem, measures, figures) instead.
# A report paragraph telling three cases, or one case in a sentence among general text, stays a passage.
CASE_COVER = 0.6
_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;\n]+|[^。！？；!?;\n]+")


def covered_share(passage: str, case_text: str) -> float:
    """The share of ``passage``'s characters in sentences that ``case_text`` also holds (letters and
    digits compared, so moved quotation marks or spaces do not count)."""
    whole = _letters(case_text)
    sentences = [_letters(s) for s in _SENTENCE.findall(passage or "")]
    total = sum(len(s) for s in sentences)
    return sum(len(s) for s in sentences if s and s in whole) / total if total else 0.0


def _case_fits(case: Case, wanted: set[str], region: str | None) -> bool:
    """Whether ``case`` is of one of the ``wanted`` trades (any, when none is) and of ``region``."""
    from .regions import region_matches

    if wanted and not wanted & set(case.all_industries):
        return False
    return not region or any(region_matches(r, region) for r in case.all_regions)


def _passage_case(hit: Hit, cases: Sequence[Case], wanted: set[str], region: str | None) -> Case | None:
    """The case record ``hit``'s passage is part of, when the passage is (mostly) that case's text
    and the case passes the export's filters; None for a passage of several cases or none."""
    if len(cases) != 1 or not _case_fits(cases[0], wanted, region):
        return None
    case = cases[0]
    return case if covered_share(hit.chunk.text, case.text) >= CASE_COVER else None


def found_by_words(hit: Hit) -> bool:
    """Whether the word side of the search found ``hit``'s passage: BM25 ranked it, or it holds a
    word of two or more characters of the query (a glossary word counts: 按需施策 for 一企一策).
    A passage found by the vectors alone is only near the query in meaning."""
    return hit.bm25_rank is not None or any(len(t) >= 2 for t in hit.matched_terms)


def collect_items(kb, queries: Sequence[str] = (), problem: str | None = None, industry: str | None = None,
                  region: str | None = None, top_k: int = 5, relative_floor: float | None = None,
                  vector_only_floor: float | None = None) -> list[ExportItem]:
    """Items for a course pack: the top passages of each query, then the ranked cases.

    ``industry`` and ``region`` apply to every item, passages and cases alike (an unknown trade or
    place leaves nothing). Weak matches are left out: a query's passages scoring under
    ``relative_floor`` × its best passage's score (``config.export_relative_floor`` by default), those
    the vectors alone found (:func:`found_by_words`) under ``vector_only_floor`` × the best
    (``config.export_vector_only_floor``: only the ones close to the best), and cases marked weak
    (:attr:`~kb.records.CaseHit.weak`: a problem-only query they barely match).

    No case is exported twice: a passage that is the text of one case record is exported as that
    case record (once, however many of its passages were found, and not again among the ranked
    cases); a ranked case whose whole text is in passages already exported (a report paragraph
    telling several cases, whose figures the passage shows) is not repeated. Neighbouring passages
    of one section (a paragraph the chunker cut in two, found by two queries) are one item
    (:func:`item_from_hits`), where the first of them was found.
    """
    from .cases_ranking import same_record
    from .industries import resolve_industries
    from .retrieval import Filters

    if relative_floor is None:
        relative_floor = kb.config.export_relative_floor
    if vector_only_floor is None:
        vector_only_floor = kb.config.export_vector_only_floor
    filters = Filters(industry=industry or None, region=region or None)
    wanted = set(resolve_industries(filters.industry))
    items: list[ExportItem | list[tuple[Hit, Sequence[Case]]]] = []  # a list: passages of one section
    seen: set = set()  # chunk ids, case ids and case contents (a copy of a collection) exported
    passages: set[str] = set()  # chunk ids exported as passages

    def add_case(hit: CaseHit) -> None:
        seen.update((hit.case.case_id, same_record(hit.case)))
        items.append(item_from_case_hit(hit))

    for q in queries:
        hits = kb.search(q, top_k=top_k, filters=filters if filters else None)
        best = max((h.score for h in hits), default=0.0)
        for hit in hits:
            floor = relative_floor if found_by_words(hit) else max(relative_floor, vector_only_floor)
            if hit.score < floor * best or hit.chunk.chunk_id in seen:
                continue
            seen.add(hit.chunk.chunk_id)
            cases = kb.cases_of_chunk(hit.chunk.chunk_id)
            if len(cases) > 1 and (wanted or filters.region):
                fitting = [c for c in cases if _case_fits(c, wanted, filters.region)]
                if len(fitting) < len(cases):
                    # A passage telling cases of several trades or places (a write-up run into the next
                    # one) was found by the trade or place of one of them: the search filter passes the
                    # whole passage, so its cases of the trade and place asked for are exported instead.
                    for c in fitting:
                        if c.case_id not in seen and same_record(c) not in seen and (h := kb.case_hit(c.case_id)):
                            add_case(h)
                    continue
            case = _passage_case(hit, cases, wanted, filters.region)
            case_hit = kb.case_hit(case.case_id) if case is not None else None
            if case_hit is None:
                passages.add(hit.chunk.chunk_id)
                _add_passage(items, hit, cases)
            elif case.case_id not in seen and same_record(case) not in seen:
                add_case(case_hit)
    if problem or industry:
        # kb cases lists cases of other trades that match the problem well; an export keeps only the
        # trade asked for, so more are ranked before the cut to top_k
        hits = kb.cases(industry=filters.industry, problem=problem, region=filters.region,
                        top_k=top_k * 4 if wanted else top_k)
        hits = [h for h in hits if not h.weak and (not wanted or wanted & set(h.case.all_industries))]
        for hit in hits[:top_k]:
            c = hit.case
            if c.case_id in seen or same_record(c) in seen or (c.passage_ids and set(c.passage_ids) <= passages):
                continue
            add_case(hit)
    return [it if isinstance(it, ExportItem) else _with_header(kb, item_from_hits(it), it) for it in items]


def _with_header(kb, item: ExportItem, found: Sequence[tuple[Hit, Sequence[Case]]]) -> ExportItem:
    """``item`` with the header row of the table its first passage continues put before its text
    (:func:`continued_header`), as a continued table on a slide repeats it."""
    first = min((hit.chunk for hit, _ in found), key=lambda c: c.ordinal)
    header = continued_header(first, kb.chunks(first.doc_id)) if CELL_SEP in first.text else None
    if header is None:
        return item
    return replace(item, text=CELL_SEP.join(header) + "；" + item.text)


def _add_passage(items: list, hit: Hit, cases: Sequence[Case]) -> None:
    """Append ``hit``'s passage to ``items``, or join it to the passages of its section next to
    it in the document (merging two runs it connects, where the first of them is)."""
    c = hit.chunk
    near = [k for k, it in enumerate(items) if isinstance(it, list) and any(
        h.chunk.doc_id == c.doc_id and h.chunk.section == c.section and abs(h.chunk.ordinal - c.ordinal) == 1
        for h, _ in it)]
    if not near:
        items.append([(hit, cases)])
        return
    run = items[near[0]]
    run.append((hit, cases))
    for k in reversed(near[1:]):
        run += items.pop(k)
