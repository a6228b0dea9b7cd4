"""Plain-language glossary (kb/data/glossary.tsv): report terms, what they mean, everyday words.

The glossary serves three readers: the query expansion (an everyday word in a question adds
the report's term, so BM25 can find passages that never use the owner's words), ``kb glossary``,
and the app, which explains the terms a result contains. Everyday words match whole words only:
jieba words for Chinese, word boundaries for Latin letters, so 伞 matches 做伞的 but 认证 does
not match inside 认证贷 by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import KBError

COLUMNS = ("term", "meaning", "everyday", "source")


@dataclass(frozen=True)
class GlossaryEntry:
    term: str  # the report's / standard's word
    meaning: str  # one plain sentence
    everyday: tuple[str, ...]  # what owners say for it
    source: str  # GB/T 19000-2016, GB/T 27000-2006 or 报告用语


def parse_glossary(text: str) -> tuple[GlossaryEntry, ...]:
    """Entries of a glossary TSV (``#`` lines are comments); a malformed line is an error."""
    entries = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != len(COLUMNS) or not all(p.strip() for p in (parts[0], parts[1], parts[3])):
            raise KBError(f"术语表第 {n} 行格式错误：应为 术语、解释、口语说法、依据 四列（制表符分隔）。")
        words = tuple(w.strip() for w in parts[2].split(",") if w.strip())
        entries.append(GlossaryEntry(parts[0].strip(), parts[1].strip(), words, parts[3].strip()))
    return tuple(entries)


@lru_cache(maxsize=1)
def glossary() -> tuple[GlossaryEntry, ...]:
    return parse_glossary((resources.files("kb") / "data" / "glossary.tsv").read_text(encoding="utf-8"))


def lookup(word: str | None = None) -> list[GlossaryEntry]:
    """All entries, or those whose term or everyday words contain ``word``."""
    if not word:
        return list(glossary())
    w = word.strip().lower()
    exact = [e for e in glossary() if e.term.lower() == w]
    near = [e for e in glossary() if e not in exact
            and (w in e.term.lower() or any(w == x.lower() for x in e.everyday))]
    return exact + near


@lru_cache(maxsize=1)
def _default_words():
    from .tokenizer import Tokenizer

    return Tokenizer().words


_LATIN = re.compile(r"[A-Za-z0-9]")


def contains_word(text: str, word: str, tokens: list[str] | None = None, words=None) -> bool:
    """Whether ``word`` occurs in ``text`` as a whole word (not inside a longer word).

    Latin words need word boundaries; Chinese words must be one of the jieba search-mode words
    of ``text``, or a run of consecutive jieba words (做伞 → 做 / 伞 finds 伞).
    """
    if not word:
        return False
    if _LATIN.search(word):
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text, re.IGNORECASE) is not None
    if word not in text:
        return False
    words = words or _default_words()
    tokens = tokens if tokens is not None else words(text)
    if word in tokens:
        return True
    joined = "\x00".join(tokens)
    parts = words(word)
    return len(parts) > 1 and "\x00".join(parts) in joined


def expansions(query: str, words=None) -> list[str]:
    """Report terms to add for ``query``: those whose everyday words occur in it as whole words."""
    words = words or _default_words()
    tokens = words(query)
    out: list[str] = []
    for e in glossary():
        if e.term in query or e.term in out:
            continue
        if any(contains_word(query, w, tokens, words) for w in e.everyday):
            out.append(e.term)
    return out


def expand(query: str, words=None) -> str:
    """``query`` followed by the report terms its everyday words stand for."""
    extra = expansions(query, words)
    return query + (" " + " ".join(extra) if extra else "")


def terms_in(text: str, skip: frozenset[str] = frozenset()) -> list[GlossaryEntry]:
    """The glossary terms a passage uses, in reading order; a term seen only inside a longer
    one (认证 in 认证结果采信) is not repeated.

    Province abbreviations and the words in ``skip`` (too general to be worth explaining) are left out.
    """
    rest = text
    found: list[tuple[int, GlossaryEntry]] = []
    for e in sorted(glossary(), key=lambda e: -len(e.term)):
        if len(e.term) < 2 or e.term in skip or "简称" in e.meaning or e.term not in rest:
            continue
        found.append((rest.index(e.term), e))
        rest = rest.replace(e.term, "\x00" * len(e.term))
    return [e for _, e in sorted(found, key=lambda x: x[0])]
