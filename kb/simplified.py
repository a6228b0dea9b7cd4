"""Traditional → Simplified Chinese for queries (OpenCC ``t2s``).

The documents are in Simplified Chinese, and so are the domain dictionary, the glossary and the
stop-lists: a question typed in Traditional characters (認證貸) shares no token with them and
embeds differently. Every query path (passage search, direct answer, case problem text,
glossary expansion) calls :func:`to_simplified` before tokenising or embedding.

OpenCC converts phrase by phrase, and its ``t2s`` tables leave Simplified text alone (著 stays 著,
乾隆 stays 乾隆); ``tests/test_simplified.py`` checks that the shipped report, the glossary and the
evaluation questions come out unchanged. A document written in Traditional Chinese is indexed in
Simplified (:func:`simplify_document`, with a note in the ingest report); a Simplified document is
indexed as it is.
"""

from __future__ import annotations

import threading

_converter = None
_lock = threading.Lock()


def _t2s():
    """The OpenCC converter, created on first use (about 10 ms) and kept for the process."""
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter


def to_simplified(text: str) -> str:
    """``text`` with Traditional Chinese characters and phrases in their Simplified form, and
    full-width digits, letters and radicals folded as the documents' are (kb.cleaning.fold_forms:
    a query typed "１４３３家" finds "1433家")."""
    if not text or text.isascii():
        return text
    from .cleaning import fold_forms

    return _t2s().convert(fold_forms(text))


# A document counts as written in Traditional Chinese when at least this share of its Chinese
# characters (and at least _MIN_CHANGED of them) change under t2s; Simplified text changes in
# none or a handful (a quoted 乾隆 stays), Traditional text in about a quarter.
_TRADITIONAL_SHARE = 0.03
_MIN_CHANGED = 8


def _changed(text: str, converted: str) -> int:
    if len(text) == len(converted):
        return sum(a != b for a, b in zip(text, converted, strict=True))
    import difflib

    matcher = difflib.SequenceMatcher(None, text, converted, autojunk=False)
    return len(text) - sum(b.size for b in matcher.get_matching_blocks())


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in Traditional Chinese (see ``_TRADITIONAL_SHARE``)."""
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in text)
    if not cjk:
        return False
    changed = _changed(text, _t2s().convert(text))
    return changed >= _MIN_CHANGED and changed / cjk >= _TRADITIONAL_SHARE


TRADITIONAL_NOTE = "文档是繁体中文，已转为简体后索引（检索、案例与引用的原文均为简体）"


def simplify_document(doc):
    """``doc`` (a :class:`kb.records.Document`) with its title and pages in Simplified Chinese when
    it is written in Traditional Chinese, and a note saying so; otherwise ``doc`` itself. The
    domain dictionary, the case labels, the industry and place names are Simplified: a
    Traditional collection would otherwise yield no place, no labels and no matches."""
    from dataclasses import replace

    if not is_traditional("\n".join(p.text for p in doc.pages[:50]) + doc.title):
        return doc
    convert = _t2s().convert
    pages = tuple(replace(p, text=convert(p.text)) for p in doc.pages)
    return replace(doc, title=simplified_title(doc.title), pages=pages, notes=(*doc.notes, TRADITIONAL_NOTE))


def simplified_title(text: str) -> str:
    """``text`` through the same conversion :func:`simplify_document` gives a title."""
    return _t2s().convert(text)
