"""Traditional → Simplified Chinese for queries (OpenCC ``t2s``).

The documents are in Simplified Chinese, and so are the domain dictionary, the glossary and the
stop-lists: a question typed in Traditional characters (認證貸) shares no token with them and
embeds differently. Every query path (passage search, direct answer, case problem text,
glossary expansion) calls :func:`to_simplified` before tokenising or embedding.

OpenCC converts phrase by phrase, and its ``t2s`` tables leave Simplified text alone (著 stays 著,
乾隆 stays 乾隆); ``tests/test_simplified.py`` checks that the shipped report, the glossary and the
evaluation questions come out unchanged. Documents themselves are indexed as they are.
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
