"""Records passed between the layers of the pipeline (frozen dataclasses, no numpy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .industries import industry_label

KINDS = ("report", "enterprise_case", "local_experience")
# The kinds by the Chinese names the UI shows (kb/present.KIND_ZH) and the reports use: a filter
# takes either (kb cases --kind 地方经验, /api/cases?kind=企业案例).
KIND_NAMES = {"报告": "report", "报告段落": "report", "企业案例": "enterprise_case", "企业优良案例": "enterprise_case",
              "优良案例": "enterprise_case", "地方经验": "local_experience", "地方典型经验": "local_experience",
              "典型经验": "local_experience"}
# The kinds as a message lists them (an unknown --kind / kind=).
KIND_CHOICES = "report（报告）、enterprise_case（企业案例）、local_experience（地方经验）"


def kind_value(name: str | None) -> str | None:
    """The kind a filter means: a code as it is, a Chinese name as its code (地方经验 →
    local_experience), blank as None; anything else unchanged (it then matches nothing, and the
    faces say it is unknown)."""
    name = (name or "").strip()
    return KIND_NAMES.get(name, name) or None


@dataclass(frozen=True)
class Page:
    """One page of raw extracted text; ``number`` is 1-based.

    ``ocr`` marks a page read by OCR (a scan, no usable text layer); ``ocr_confidence`` is
    the recognition score of its text (0–1, character-weighted mean of its lines);
    ``ocr_turned`` the degrees the scan was turned to read it upright (0: it lay upright).
    """

    number: int
    text: str
    ocr: bool = False
    ocr_confidence: float | None = None
    ocr_turned: int = 0
    # the page number printed on the page (its footer, or the PDF's page labels) when it is not
    # ``number``: a cover and a table of contents come before printed page 1
    label: str | None = None


@dataclass(frozen=True)
class Document:
    """A loaded source file before cleaning."""

    doc_id: str
    path: str
    title: str
    format: str  # pdf | txt | md | docx
    sha256: str
    pages: tuple[Page, ...]
    paginated: bool = True  # False for DOCX/MD: page numbers are not meaningful
    notes: tuple[str, ...] = ()  # for the user (Chinese), e.g. the content decided the format


@dataclass(frozen=True)
class Sentence:
    """A cleaned sentence with the page it starts on and its section path."""

    text: str
    page: int | None
    section: tuple[str, ...] = ()
    paragraph: int = 0


@dataclass(frozen=True)
class Chunk:
    """A sentence-bounded passage of one section."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    section: tuple[str, ...]
    page: int | None
    page_end: int | None = None
    kind: str = "report"
    ocr: bool = False  # text comes (partly) from OCR'd pages
    ocr_confidence: float | None = None  # lowest confidence of those pages
    # (offset in ``text``, page) where each later page begins, for a chunk that spans pages
    page_breaks: tuple[tuple[int, int], ...] = ()

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    def page_at(self, offset: int) -> int | None:
        """The page the character at ``offset`` of :attr:`text` lies on."""
        page = self.page
        for start, p in self.page_breaks:
            if start > offset:
                break
            page = p
        return page

    def pages_of(self, sentences: Sequence[str]) -> list[int | None]:
        """The page each of ``sentences`` (consecutive pieces of :attr:`text`, in order) starts on."""
        out, pos = [], 0
        for s in sentences:
            i = self.text.find(s, pos)
            if i < 0:
                out.append(self.page)
                continue
            out.append(self.page_at(i))
            pos = i + len(s)
        return out

    @property
    def embed_text(self) -> str:
        """Text given to the embedder: the nearest section titles give context."""
        context = "；".join(self.section[-2:])
        return f"{context}：{self.text}" if context else self.text


@dataclass(frozen=True)
class ChunkTags:
    """What the filters see of a chunk.

    ``regions`` (province, city, county) and ``industries`` come from the cases a chunk talks
    about; ``mentioned`` holds the other places its text names ("北京、山西等地创新认证规则…"
    names 北京市 and 山西省 without a case about them). The region filter matches either kind;
    a hit shows a case region first.
    """

    regions: tuple[tuple[str | None, str | None, str | None], ...] = ()
    industries: tuple[str, ...] = ()
    mentioned: tuple[tuple[str | None, str | None, str | None], ...] = ()

    @property
    def all_regions(self) -> tuple[tuple[str | None, str | None, str | None], ...]:
        """Case regions, then the places the text names (what the region filter matches)."""
        return self.regions + tuple(r for r in self.mentioned if r not in self.regions)


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None

    def display(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county) if p)

    def as_dict(self) -> dict:
        return {"province": self.province, "city": self.city, "county": self.county}


@dataclass(frozen=True)
class Outcome:
    """A quantified result, e.g. 产品缺陷发生率 15% → 7%."""

    metric: str
    before: float | None = None
    after: float | None = None
    change: float | None = None
    unit: str | None = None
    page: int | None = None
    text: str = ""  # the sentence (clause) it was read from
    chunk_id: str | None = None  # the passage holding that sentence
    # how the single figure is qualified, as written: 余 or 多 inside it ("1000余个"), 以上 or 左右
    # after it, 近, 约, 超过, 超, 逾 or 不到 before it ("超过350亿元"); "" for an exact figure (and for
    # every from–to pair)
    approx: str = ""
    # the far end of a range the text gives for the figure ("缩短20%～30%": change -20, upto -30;
    # "合格率达到95%～98%": after 95, upto 98), in the figure's unit and with its sign; None for one figure
    upto: float | None = None

    def as_dict(self) -> dict:
        return {
            "metric": self.metric,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "unit": self.unit,
            "page": self.page,
            "approx": self.approx,
            "upto": self.upto,
        }


@dataclass(frozen=True)
class Case:
    """A concrete enterprise case or local experience found in a document."""

    case_id: str
    doc_id: str
    kind: str  # enterprise_case | local_experience
    title: str
    region: Region
    industry: str | None
    problem: str
    measures: str
    outcomes: tuple[Outcome, ...]
    section: tuple[str, ...]
    page: int | None
    chunk_id: str | None
    text: str
    # Every place and trade the case is about (``region``/``industry`` are the first of each),
    # and every chunk its sentences fall into (cases link to passages by id, never by text).
    regions: tuple[Region, ...] = ()
    industries: tuple[str, ...] = ()
    chunk_ids: tuple[str, ...] = ()
    # Facts about the enterprise or place at the start (headcount, output, members): never outcomes.
    profile: str = ""
    # The last page its text is on, when later than ``page`` (a case over two slides: 第 2–3 页), else None.
    page_end: int | None = None

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    @property
    def index_text(self) -> str:
        """What case search sees: title, trade, place and the case's own text."""
        return " ".join(filter(None, [self.title, " ".join(self.all_industries),
                                      " ".join(r.display() for r in self.all_regions), self.text]))

    @property
    def all_regions(self) -> tuple[Region, ...]:
        if self.regions:
            return self.regions
        return (self.region,) if self.region.display() else ()

    @property
    def all_industries(self) -> tuple[str, ...]:
        if self.industries:
            return self.industries
        return (self.industry,) if self.industry else ()

    @property
    def passage_ids(self) -> tuple[str, ...]:
        """The chunks holding this case's text (the first one at least)."""
        if self.chunk_ids:
            return self.chunk_ids
        return (self.chunk_id,) if self.chunk_id else ()


@dataclass(frozen=True)
class DocumentInfo:
    """What the store knows about an indexed document."""

    doc_id: str
    path: str
    title: str
    format: str
    sha256: str
    pages: int
    chunks: int
    cases: int
    # (page, printed page number) for the pages whose printed number differs (Page.label)
    page_labels: tuple[tuple[int, str], ...] = ()


def printed_label(printed: tuple[tuple[int, str], ...], page: int | None) -> str | None:
    """From (page, printed page number) pairs, the number printed on file page ``page``, if any."""
    return next((label for p, label in printed if p == page), None) if page is not None else None


@dataclass(frozen=True)
class Hit:
    """One search result with the evidence of why it matched."""

    rank: int
    score: float
    chunk: Chunk
    doc_title: str
    region: Region = field(default_factory=Region)
    industry: str | None = None
    bm25_rank: int | None = None
    dense_rank: int | None = None
    matched_terms: tuple[str, ...] = ()
    token_match: float | None = None  # 0–1 among the candidates (kb.token_match), hybrid only
    # the page numbers printed on the chunk's first and last page, where they differ from the
    # file's page numbers (DocumentInfo.page_labels)
    printed_page: str | None = None
    printed_page_end: str | None = None

    def as_dict(self) -> dict:
        c = self.chunk
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "chunk_id": c.chunk_id,
            "doc": c.doc_id,
            "kind": c.kind,
            "title": self.doc_title,
            "section": c.section_path,
            "page": c.page,
            "page_end": c.page_end,
            "printed_page": self.printed_page,
            "printed_page_end": self.printed_page_end,
            "region": self.region.display() or None,
            "industry": self.industry,
            "text": c.text,
            "ocr": c.ocr,
            "ocr_confidence": None if c.ocr_confidence is None else round(c.ocr_confidence, 3),
            "bm25_rank": self.bm25_rank,
            "dense_rank": self.dense_rank,
            "token_match": self.token_match,
            "matched_terms": list(self.matched_terms),
        }


@dataclass(frozen=True)
class CaseHit:
    """A ranked case record."""

    rank: int
    score: float
    case: Case
    doc_title: str = ""
    # Named parts of ``score`` in display order; they add up to it (see kb/cases_ranking.py).
    score_parts: tuple[tuple[str, float], ...] = ()
    # (page, printed page number) of the case's document where the two differ (DocumentInfo.page_labels)
    printed: tuple[tuple[int, str], ...] = ()
    # the case's text was (partly) read by OCR from a scan: its figures need checking against the original
    ocr: bool = False
    ocr_confidence: float | None = None  # lowest confidence of those pages
    # asked with a problem but no trade: the problem part of the score is below the guidance card's
    # bar (config.guidance_problem_min), so the case is listed for reference, not as a clear match
    weak: bool = False

    def printed_of(self, page: int | None) -> str | None:
        """The page number printed on file page ``page``, where it differs."""
        return printed_label(self.printed, page)

    def as_dict(self) -> dict:
        c = self.case
        return {
            "case_id": c.case_id,
            "kind": c.kind,
            "title": c.title,
            "region": c.region.as_dict(),
            "industry": c.industry,
            "regions": [r.as_dict() for r in c.all_regions],
            "industries": list(c.all_industries),
            "industry_labels": [industry_label(i) for i in c.all_industries],
            "profile": c.profile,
            "problem": c.problem,
            "measures": c.measures,
            "outcomes": [dict(o.as_dict(), printed_page=self.printed_of(o.page)) for o in c.outcomes],
            "doc": c.doc_id,
            "section": c.section_path,
            "page": c.page,
            "page_end": c.page_end,
            "printed_page": self.printed_of(c.page),
            "printed_page_end": self.printed_of(c.page_end),
            "ocr": self.ocr,
            "ocr_confidence": None if self.ocr_confidence is None else round(self.ocr_confidence, 3),
            "text": c.text,
            "score": round(self.score, 4),
            "score_parts": {name: round(value, 4) for name, value in self.score_parts},
            "weak": self.weak,
        }
