"""One file in, records out: load → clean → structure → chunk → cases.

Kept apart from the index code so that parsing can run in a separate worker process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from .chunking import LEAD_SECTION, chunk_sentences
from .cleaning import clean_document, fold_radicals, split_sentences
from .errors import UnreadableDocument
from .loaders import load_document
from .ocr import OcrProgress, OcrSettings
from .records import Case, Chunk, ChunkTags, Document, Sentence
from .regions import find_regions
from .simplified import simplified_title, simplify_document
from .structure import NOTE_HEADING, bare_heading, structure_sentences


@dataclass(frozen=True)
class ParsedDocument:
    document: Document
    title: str
    kind: str  # report | enterprise_case | local_experience (a case collection)
    chunks: tuple[Chunk, ...]
    tags: tuple[ChunkTags, ...]
    cases: tuple[Case, ...]


def parse_document(path: str | Path, min_chars: int = 150, max_chars: int = 400,
                   ocr: OcrSettings | None = None, progress: OcrProgress | None = None) -> ParsedDocument:
    """Parse one file; raise :class:`UnreadableDocument` with a Chinese reason on failure.

    ``ocr`` and ``progress`` go to :func:`kb.loaders.load_document` (scanned PDF pages).
    """
    from .cases import extract_cases, is_case_collection, slide_case_sections, table_case_sections

    doc = simplify_document(load_document(path, ocr, progress))
    paragraphs = clean_document(doc)
    stem = Path(doc.path).stem  # (the title of a Traditional document is converted: so is its stem here)
    # A PDF's real metadata title is its title: lines at the top that name something else (a case's
    # title) are neither the title nor cut off as a title block (see structure_sentences).
    meta_title = fold_radicals(doc.title) if doc.format == "pdf" and doc.title not in (stem, simplified_title(stem)) else None
    if doc.format == "pptx":
        # (the slides a case goes on over are set under its title slide's title: "案例1｜某公司 > 成效")
        found_title, sentences = None, slide_case_sections(slide_sentences(doc, paragraphs))
    else:
        found_title, sentences = structure_sentences(paragraphs, meta_title)
    if not sentences:
        raise UnreadableDocument(str(path), "清洗后没有可索引的正文")
    title = fold_radicals(doc.title)
    # A Markdown document's title H1 is its title, whatever lines follow it (a note, an edition).
    marked = doc.format == "md" and doc.title not in (stem, simplified_title(stem))
    if found_title and len(found_title) >= 6 and not marked:
        title = found_title
    # Field tables one after another (a case each): a passage stays within its table and cites its case.
    chunks = mark_ocr(chunk_sentences(doc.doc_id, table_case_sections(sentences), min_chars, max_chars), doc)
    slides = doc.format == "pptx"
    cases = [_without_repeated_outcomes(c) for c in extract_cases(doc.doc_id, sentences, chunks, doc_title=title,
                                                                  collection=not slides)]
    kind = "report"
    collection = is_case_collection(title, sentences) if not slides else _cases_dominate(chunks, cases)
    if cases and (collection or _one_case_write_up(chunks, cases)):
        kinds = {c.kind for c in cases}
        kind = "enterprise_case" if kinds == {"enterprise_case"} else "local_experience" if kinds == {
            "local_experience"} else "enterprise_case"
        chunks = [replace(c, kind=_case_kind_for(c, cases, kind)) for c in chunks]
    tags = tuple(_tags_for(c, cases) for c in chunks)
    return ParsedDocument(replace(doc, title=title), title, kind, tuple(chunks), tags, tuple(cases))


def slide_sentences(doc: Document, paragraphs) -> list[Sentence]:
    """Slides: every line is text (numbered lines such as "一、背景" or "案例一：…" are not
    headings across slides), and each slide's first line (its title) is the section of its
    sentences, so a passage stays on its slide and cites "slide title · 第 N 页"."""
    titles = {p.number: next((line.strip().rstrip("。；;") for line in p.text.splitlines() if line.strip()), "")
              for p in doc.pages}
    out = []
    for index, para in enumerate(paragraphs):
        for off, text in split_sentences(para.text):
            page = para.page_at(off)
            out.append(Sentence(text, page, ((titles.get(page) or f"第 {page} 页")[:60],), index))
    return out


def mark_ocr(chunks: list[Chunk], doc: Document) -> list[Chunk]:
    """Flag chunks whose pages were read by OCR, with the lowest confidence among those pages."""
    scores = {p.number: p.ocr_confidence for p in doc.pages if p.ocr}
    if not scores:
        return chunks
    out = []
    for c in chunks:
        if c.page is None:
            out.append(c)
            continue
        hit = [scores[n] for n in range(c.page, (c.page_end or c.page) + 1) if n in scores]
        if hit:
            known = [s for s in hit if s is not None]
            c = replace(c, ocr=True, ocr_confidence=min(known) if known else None)
        out.append(c)
    return out


def _without_repeated_outcomes(case: Case) -> Case:
    """A figure stated in the text and again in a table (``由3.5%降至1.1%`` and ``缝制缺陷率 | 3.5% |
    1.1%``) is one outcome: exact repeats (same metric, values and unit) are dropped."""
    seen, kept = set(), []
    for o in case.outcomes:
        key = (o.metric, o.before, o.after, o.change, o.unit, o.upto)
        if key not in seen:
            seen.add(key)
            kept.append(o)
    return case if len(kept) == len(case.outcomes) else replace(case, outcomes=tuple(kept))


def _tags_for(chunk: Chunk, cases: list[Case]) -> ChunkTags:
    """Every region and industry of the cases whose text lies (partly) in ``chunk``, and the
    other places the chunk's text names (see :class:`kb.records.ChunkTags`)."""
    regions, industries = [], []
    for case in cases:
        if chunk.chunk_id in case.passage_ids:
            for region in case.all_regions:
                r = (region.province, region.city, region.county)
                if r not in regions:
                    regions.append(r)
            industries.extend(i for i in case.all_industries if i not in industries)
    mentioned = []
    for region in find_regions(chunk.text):
        r = (region.province, region.city, region.county)
        if r not in regions and r not in mentioned:
            mentioned.append(r)
    return ChunkTags(tuple(regions), tuple(industries), tuple(mentioned))


def _cases_dominate(chunks: list[Chunk], cases: list[Case]) -> bool:
    """A deck of cases (one case a slide, with a title slide and a summary around them): two or
    more cases whose text fills at least half of the passages. A course deck with one example is
    not a collection."""
    in_cases = {cid for case in cases for cid in case.passage_ids}
    return len(cases) >= 2 and 2 * sum(c.chunk_id in in_cases for c in chunks) >= len(chunks)


def _one_case_write_up(chunks: list[Chunk], cases: list[Case]) -> bool:
    """A file that is one case written up (基本情况 / 存在问题 / 主要做法 / 取得成效 under its title):
    its only case fills at least half of the passages. Its passages are a case's, not a report's."""
    covered = {cid for case in cases for cid in case.passage_ids}
    return len(cases) == 1 and 2 * sum(c.chunk_id in covered for c in chunks) >= len(chunks)


def _case_kind_for(chunk: Chunk, cases: list[Case], default: str) -> str:
    """A passage of a collection: its case's kind; the collection's own kind for what is not in a
    case (a group's introduction, a title slide), except front and back matter."""
    kind = next((case.kind for case in cases if chunk.chunk_id in case.passage_ids), None)
    if kind is not None:
        return kind
    return "report" if not_case_matter(chunk) else default


# Words that close a talk or a deck ("谢谢！", "谢谢观看", "感谢聆听", "敬请批评指正").
_CLOSING = re.compile(r"(?:(?:谢谢|感谢)(?:各位|大家|您)?(?:的)?(?:观看|聆听|收看|关注|指导|支持|倾听)?|(?:敬请|欢迎|恳请|请)"
                      r"(?:各位)?(?:领导)?(?:批评)?指正|thankyou|thanks|q&a|问答(?:环节)?|结束)+", re.I)
_CONTENTS_FIRST_LINE = re.compile(r"\s*目\s*录\s*(?:\n|$)")


def not_case_matter(chunk: Chunk) -> bool:
    """Front or back matter of a collection, which is no case whatever the collection holds: a
    preface, editor's note, contents, appendix, lessons or closing section (its top heading:
    "前言", "编者按", "四、几点体会", "附录：帮扶企业名单"), a contents page the structure did not
    recognise, or closing words alone ("谢谢！", a deck's last slide). The text before the first
    heading (引言) that no case holds is front matter too ("现将各地报送的优良案例汇编如下")."""
    top = chunk.section[0] if chunk.section else LEAD_SECTION
    if top:
        bare = bare_heading(top)
        if NOTE_HEADING.search(bare) or bare.startswith("附件") or _closing(bare):
            return True
    return _closing(chunk.text) or _CONTENTS_FIRST_LINE.match(chunk.text) is not None


def _closing(text: str) -> bool:
    return _CLOSING.fullmatch(re.sub(r"[\W_]+", "", text)) is not None
