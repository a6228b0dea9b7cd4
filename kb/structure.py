"""Heading hierarchy of Chinese official documents, attached to every sentence.

Levels, outermost first::

    1  一、工作举措与成效            (also "案例1 …", "# …" in Markdown)
    2  （一）强化统筹推进，……        (title = up to the first 。, body may follow inline)
    3  1. / 1、 / 1．
    4  （1）
    5  一是…二是…三是… (inline enumeration; title = first clause of that sentence)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .cleaning import Paragraph, split_sentences
from .records import Sentence

_CN = "一二三四五六七八九十"
_LEVELS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^(?:[{_CN}]{{1,3}}、|案例\s*[0-9{_CN}]+(?=[\s：:、.．\u4e00-\u9fff])|#{{1,2}}\s)")),
    (2, re.compile(rf"^(?:（[{_CN}]{{1,3}}）|\([{_CN}]{{1,3}}\)|#{{3}}\s)")),
    (3, re.compile(r"^(?:\d{1,2}[.．、](?!\d)|#{4,6}\s)")),
    (4, re.compile(r"^(?:（\d{1,2}）|\(\d{1,2}\))")),
]
_ENUM = re.compile(rf"^[{_CN}]是(?!否|指|因为|由于)")
_ENUM_ORDER = {c: i + 1 for i, c in enumerate(_CN)}
ENUM_LEVEL = 5
_TITLE_MAX = 60  # a heading paragraph without 。 longer than this is body text


def heading_level(text: str) -> int | None:
    """The heading level that ``text`` starts with, or None."""
    for level, pattern in _LEVELS:
        if pattern.match(text):
            return level
    return None


def _clean_title(title: str) -> str:
    return re.sub(r"^#+\s*", "", title).strip().rstrip("。；;：:")


def extract_title(paragraphs: Sequence[Paragraph]) -> tuple[str | None, int]:
    """A title block is the run of short, unpunctuated paragraphs before the body."""
    parts: list[str] = []
    for p in paragraphs:
        if heading_level(p.text) is not None or len(p.text) > _TITLE_MAX or re.search(r"[。；！？]", p.text):
            break
        parts.append(p.text)
        if len(parts) == 3:
            break
    if parts and paragraphs[len(parts):]:
        return "".join(parts), len(parts)
    return None, 0


def structure_sentences(paragraphs: Sequence[Paragraph]) -> tuple[str | None, list[Sentence]]:
    """Return (document title if found, sentences with section paths and pages)."""
    title, skip = extract_title(paragraphs)
    path: dict[int, str] = {}
    sentences: list[Sentence] = []
    last_enum = 0
    for pi, para in enumerate(paragraphs[skip:], start=skip):
        text = para.text
        level = heading_level(text)
        body_offset = 0
        if level is not None:
            head_sents = split_sentences(text)
            first_off, first = head_sents[0]
            if level == 1 and len(head_sents) == 1 and len(text) <= _TITLE_MAX:
                heading, body_offset = text, len(text)
            elif len(head_sents) > 1 or first[-1:] in "。；":
                heading, body_offset = first, first_off + len(first)
                # A long "1. …" paragraph with no short lead sentence is a list item: keep it as body.
                if len(heading) > _TITLE_MAX:
                    heading, body_offset = _first_clause(first), 0
            else:
                heading, body_offset = text, len(text)
                if len(text) > _TITLE_MAX:
                    heading, body_offset = _first_clause(text), 0
            if not text[body_offset:].strip() and heading[-1:] in "。；！？":
                # A one-sentence item such as "（1）建立回访机制。" is content, not only a title.
                body_offset = 0
            for lv in list(path):
                if lv >= level:
                    del path[lv]
            path[level] = _clean_title(heading)
            last_enum = 0
        body = text[body_offset:]
        for off, sent in split_sentences(body):
            m = _ENUM.match(sent)
            if m and _ENUM_ORDER[sent[0]] in (last_enum + 1, 1):
                last_enum = _ENUM_ORDER[sent[0]]
                path[ENUM_LEVEL] = _clean_title(_first_clause(sent))
            elif m is None and last_enum == 0:
                path.pop(ENUM_LEVEL, None)
            section = tuple(path[k] for k in sorted(path))
            sentences.append(Sentence(sent, para.page_at(body_offset + off), section, pi))
        if level is None and not _ENUM.match(text):
            # A plain paragraph after an enumeration closes it only if it is a new paragraph
            # at the same level (e.g. the closing remarks of a section).
            pass
    return title, sentences


def _first_clause(sentence: str) -> str:
    m = re.match(r"^(.+?)[。；，：,;:]", sentence)
    clause = m.group(1) if m else sentence
    return clause[:_TITLE_MAX]
