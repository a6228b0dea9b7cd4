"""Domain synonym list (kb/data/synonyms.tsv): everyday words → the report's own terms."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(report term, everyday words) pairs, in file order."""
    text = (resources.files("kb") / "data" / "synonyms.tsv").read_text(encoding="utf-8")
    groups = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, _, words = line.partition("\t")
        groups.append((term.strip(), tuple(w.strip() for w in words.split(",") if w.strip())))
    return tuple(groups)


def expansions(query: str) -> list[str]:
    """Report terms to add for ``query``: those whose everyday words occur in it and itself does not."""
    out: list[str] = []
    lowered = query.lower()
    for term, words in synonym_groups():
        if term in query:
            continue
        if any(w.lower() in lowered for w in words) and term not in out:
            out.append(term)
    return out


def expand(query: str) -> str:
    """``query`` followed by its expansions (for BM25 only; the embedder sees the raw query)."""
    extra = expansions(query)
    return query + (" " + " ".join(extra) if extra else "")
