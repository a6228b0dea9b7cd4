"""BM25 over jieba terms, backed by bm25s (sparse matrices, saved as .npy/.json, no pickle)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_EMPTY_MARK = "empty.json"


class BM25Index:
    """Scores every document for a tokenised query."""

    def __init__(self, retriever=None, size: int = 0):
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, corpus_tokens: list[list[str]]) -> BM25Index:
        import bm25s

        if not corpus_tokens:
            return cls(None, 0)
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index([list(t) for t in corpus_tokens], show_progress=False)
        return cls(retriever, len(corpus_tokens))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self._retriever is None:
            (directory / _EMPTY_MARK).write_text(json.dumps({"size": 0}), encoding="utf-8")
            return
        self._retriever.save(str(directory), allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> BM25Index:
        import bm25s

        if (directory / _EMPTY_MARK).exists():
            return cls(None, 0)
        retriever = bm25s.BM25.load(str(directory), allow_pickle=False, show_progress=False, mmap=False)
        return cls(retriever, size)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document (0 where no query term occurs)."""
        if self._retriever is None or not query_tokens:
            return np.zeros(self.size, dtype=np.float32)
        vocab = self._retriever.vocab_dict
        known = [t for t in query_tokens if t in vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    def doc_freqs(self) -> dict[str, int]:
        """Every term of the index with the number of documents containing it."""
        if self._retriever is None:
            return {}
        counts = np.diff(np.asarray(self._retriever.scores["indptr"]))
        return {t: int(counts[i]) for t, i in self._retriever.vocab_dict.items() if i < len(counts)}

    def containing(self, term: str) -> np.ndarray:
        """Positions of the documents that contain ``term`` (its document frequency is the length)."""
        if self._retriever is None or term not in self._retriever.vocab_dict:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.asarray(self._retriever.get_scores([term])) > 0)
