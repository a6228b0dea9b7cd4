"""Query expansion, kept under its old name: the word lists now live in the glossary (kb/glossary.py)."""

from __future__ import annotations

from .glossary import expand, expansions, glossary

__all__ = ["expand", "expansions", "synonym_groups"]


def synonym_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(report term, everyday words) pairs, in glossary order."""
    return tuple((e.term, e.everyday) for e in glossary())
