"""Sentence-bounded chunks that never mix two sections."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import groupby

from .records import Chunk, Sentence

CHUNKER_VERSION = "19"  # 2: clauses of an over-long sentence are packed in balance; 3: table rows end as
# sentences, Markdown tables/front matter/images cleaned (kb/loaders.py), chunks record where each page
# begins (Chunk.page_breaks, so a direct-answer sentence cites its own page); 4: radicals in PDF text read
# as characters (kb/cleaning.fold_radicals): every document is parsed again; 5: "案例N" headings under a
# "一、地方经验" group heading nest under it (kb/structure.GROUPED_CASE_LEVEL), paragraphs that end no sentence
# (table cells) are set off by a line break in a chunk, and a note or a date line under a
# document title is no longer part of the title, and a table of contents is no run of headings;
# 6: the page numbers printed on PDF pages are read (Page.label), a space between a percentage and the
# next number stays ("20% 100%", two table cells), a labelled line ("企业概况：…") after a numbered
# heading as wide as a full line opens a paragraph (the heading no longer runs into it), and empty
# quotation marks ("“ ”" that a PDF gives apart from the words they enclose) are dropped (kb/cleaning.py);
# 7: a blank line in Markdown always ends a paragraph, place-and-colon titles under a group heading
# ("二、企业优良案例") nest under it, "第一，某地：…" lines title items, Word-styled case titles take their
# 一、基本情况 parts under them; 8: a place's or enterprise's title line with a colon ("浙江省湖州市：…")
# after a sentence's end starts a paragraph even when the line before is full, and the space after a
# case's number stays ("案例1 安徽省…", kb/cleaning.py); 9: a PDF line drawn in two passes is read left to
# right (kb/pdf_order.py: curly quotes, contents pages), a cover's issuer and date lines end the title,
# front/back matter and closing words of a collection are typed report (kb/pipeline.py), numbered
# "1. 企业名称：…" lines are lines of the case above, not headings, and bulletins' progress/next-step
# sections and 报送 footers are no case matter; 10: a document written in Traditional Chinese is indexed
# in Simplified (kb/simplified.simplify_document), the space after a Chinese-numeral case number stays
# ("案例一 六安市…": 六 is no longer read as part of the number), a number cut by a wrap in a full line
# is rejoined ("9" "0%" → 90%), a part label run on without a full stop in a labelled paragraph opens a
# paragraph (OCR: "…被索赔帮扶措施：…"), an issuer-and-date cover line is no wrapped title tail
# (kb/cleaning.py), more issuers ("…部门") end the title
# 11: PDF and DOCX headings told by their look (bold or larger lines naming a case's topic, kb/styled_headings.py)
#    are section headings: such a collection is chunked by case.
# 12: field tables one after another (a case
# each, no case headings) are sections of their own named by their 企业名称 row (kb/cases.table_case_sections),
# and "第一部分 地方经验" lines are headings (kb/structure.py), not words of the case above
# 13: everyday part labels (怎么做的：…) open a case's measures (kb/labels.py)
# 14: a case titled by its practice alone on a line of its own ("以数字化追溯破解食品安全难题") over a paragraph
#    opening with the enterprise is a heading when a document has two or more (kb/structure.topic_title)
# 15: a PDF's running header or footer line is dropped (kb/cleaning.running_lines); a real metadata title is
#    the document's title and the first case's heading before the body is a heading
# 16: a social-media post's emoji, bullets and rule lines are layout ("01 | 某公司" and "【案例一】" are headings);
#    a bold DOCX headline over a dateline or byline ("（本报讯）", "…局供稿") is a heading
# 17: a table's label cell on a line of its own ("措施") after a short line opens a paragraph, also when the
#    cell above ends in a comma on the page before (kb/cleaning.py): a row split over a page break stays a row
# 18: a TXT exported from a spreadsheet (tab-separated lines, or comma-separated under a header of column
#    labels) is read as a table, one row a paragraph "单元格 | 单元格；" (kb/loaders.delimited_text)
# 19: slides that go on with a case's title slide (痛点, 做法, 成效, 案例一（续）) are sections under its title
#    ("案例1｜某公司 > 成效", kb/cases.slide_case_sections): a passage of any of them names the case
LEAD_SECTION = "引言"  # sentences before the first heading


def _split_long(sentence: Sentence, max_chars: int) -> list[Sentence]:
    """Cut a sentence longer than ``max_chars`` into clauses at commas (or hard, as a last resort).

    The clauses are returned one by one so that :func:`_partition` packs them into chunks of
    balanced size; packing them greedily here would leave a runt at the end.
    """
    # Every character lands in a part, including a stray second comma ("，，").
    parts = re.findall(r"[^，,、：:]*[，,、：:]|[^，,、：:]+", sentence.text) or [sentence.text]
    out = []
    for part in parts:
        while len(part) > max_chars:
            out.append(part[:max_chars])
            part = part[max_chars:]
        if part:
            out.append(part)
    return [Sentence(t, sentence.page, sentence.section, sentence.paragraph) for t in out]


def chunk_sentences(
    doc_id: str,
    sentences: Sequence[Sentence],
    min_chars: int = 150,
    max_chars: int = 400,
    kind: str = "report",
) -> list[Chunk]:
    """Pack consecutive sentences of one section into chunks of about min..max characters.

    A section shorter than ``min_chars`` is one chunk of its own (sections are never mixed);
    a longer one is cut into ``ceil(len / max)`` chunks of balanced size.
    """
    chunks: list[Chunk] = []
    for section, group in groupby(sentences, key=lambda s: s.section):
        sents: list[Sentence] = []
        for s in group:
            sents.extend(_split_long(s, max_chars) if len(s.text) > max_chars else [s])
        for a, b in _partition([len(s.text) for s in sents], min_chars, max_chars):
            chunks.append(_make(doc_id, len(chunks), sents[a:b], section, kind))
    return chunks


def sentence_owners(sentences: Sequence[Sentence], chunks: Sequence[Chunk]) -> list[tuple[str, ...]]:
    """The ids of the chunks each sentence landed in (a long sentence may span several).

    Exact, by character offsets: the chunks of a document, concatenated in order and without the
    line breaks set between paragraphs (see ``_RUNS_ON``), are its sentences concatenated in order
    (every character of a split sentence lands in a part).
    """
    ends: list[int] = []
    pos = 0
    for c in chunks:
        pos += len(c.text) - c.text.count("\n")
        ends.append(pos)
    owners: list[tuple[str, ...]] = []
    start = k = 0
    for s in sentences:
        end = start + len(s.text)
        while k < len(chunks) and ends[k] <= start:
            k += 1
        ids = []
        j = k
        while j < len(chunks) and (ends[j - 1] if j else 0) < max(end, start + 1):
            ids.append(chunks[j].chunk_id)
            j += 1
        owners.append(tuple(ids))
        start = end
    return owners


def _partition(lengths: list[int], min_chars: int, max_chars: int) -> list[tuple[int, int]]:
    """Split a run of sentence lengths into [a, b) ranges of balanced size, each <= max.

    Dynamic programming over sentence boundaries: the cost of a range is its squared
    distance from the ideal size, plus a penalty for ranges shorter than ``min_chars``.
    """
    n = len(lengths)
    total = sum(lengths)
    target = total / max(1, math.ceil(total / max_chars))
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        size = 0
        for i in range(j - 1, -1, -1):
            size += lengths[i]
            if size > max_chars and i < j - 1:
                break
            cost = (size - target) ** 2 + (4 * (min_chars - size) ** 2 if size < min_chars else 0)
            if best[i] + cost < best[j]:
                best[j], back[j] = best[i] + cost, i
    ranges, j = [], n
    while j > 0:
        ranges.append((back[j], j))
        j = back[j]
    return ranges[::-1]


# A paragraph that ends like this runs straight on into the next one; any other (a table cell, a
# caption, a date line: a paragraph of its own with no closing mark) is set off by a line break,
# so that "企业", "指标", "78%", "100%" do not read "企业指标78%100%". (Sentences are not split there:
# a lone cell as a sentence of its own matched questions by chance in the sentence vectors.)
_RUNS_ON = "。！？!?；;…：:”’」』）)】》"


def _make(doc_id: str, ordinal: int, sents: list[Sentence], section: tuple[str, ...], kind: str) -> Chunk:
    pages = [s.page for s in sents if s.page is not None]
    breaks, offset, last = [], 0, pages[0] if pages else None
    pieces = []
    for k, s in enumerate(sents):
        if s.page is not None and s.page != last:
            breaks.append((offset, s.page))
            last = s.page
        ends_paragraph = k + 1 < len(sents) and sents[k + 1].paragraph != s.paragraph
        piece = s.text + ("\n" if ends_paragraph and s.text and s.text[-1] not in _RUNS_ON else "")
        pieces.append(piece)
        offset += len(piece)
    return Chunk(
        chunk_id=f"{doc_id}-{ordinal:04d}",
        doc_id=doc_id,
        ordinal=ordinal,
        text="".join(pieces),
        section=section or (LEAD_SECTION,),
        page=pages[0] if pages else None,
        page_end=pages[-1] if pages else None,
        kind=kind,
        page_breaks=tuple(breaks),
    )
