"""One index generation held in memory for queries: records, BM25, vectors (read-only).

Queries read a snapshot, never the files, so they are safe from many threads and keep
answering while another process builds the next generation.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import store
from .bm25_index import BM25Index
from .chunking import LEAD_SECTION
from .records import Case, Chunk
from .regions import abbreviated_provinces
from .tokenizer import Tokenizer
from .vector_index import VectorIndex

SENTENCE_VECTORS = "sentence_vectors.npy"
SENTENCE_INDEX = "sentences.faiss"
CASE_VECTORS = "case_vectors.npy"
BM25_DIR = "bm25"


class Snapshot:
    """Everything one generation needs to answer queries."""

    def __init__(self, gen: Path, manifest: dict):
        store.verify_generation(gen, manifest)
        self.gen = gen
        recs = store.load_records(gen)
        self._set_records(manifest, recs, np.load(gen / CASE_VECTORS, allow_pickle=False))
        self.bm25 = BM25Index.load(gen / BM25_DIR, len(self.chunks))
        self.sentence_index = VectorIndex.load(gen / SENTENCE_INDEX)

    def _set_records(self, manifest: dict, recs: store.Records, case_vectors: np.ndarray) -> None:
        """The part every backend's snapshot holds in memory: records and case vectors."""
        self.manifest = manifest
        self.chunks: list[Chunk] = recs.chunks
        self.tags = recs.tags
        self.cases: list[Case] = recs.cases
        self.sent_owner = np.asarray(recs.sentence_owner, dtype=np.int64)
        counts: dict[str, list[int]] = {}
        for c in self.chunks:
            counts.setdefault(c.doc_id, [0, 0])[0] += 1
        for c in self.cases:
            counts.setdefault(c.doc_id, [0, 0])[1] += 1
        self.docs = {k: replace(d, info=replace(d.info, chunks=counts.get(k, [0, 0])[0], cases=counts.get(k, [0, 0])[1]))
                     for k, d in recs.docs.items()}
        self.chunk_pos = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self._cases_by_chunk: dict[str, list[Case]] = {}
        for case in self.cases:
            for chunk_id in case.passage_ids:
                self._cases_by_chunk.setdefault(chunk_id, []).append(case)
        self.case_vectors = case_vectors
        self._case_bm25: BM25Index | None = None
        self._homophones = None
        self._sentences: tuple[list[str], np.ndarray] | None = None
        self._tagged: tuple[frozenset[str], frozenset[tuple]] | None = None
        self._abbreviated: frozenset[str] | None = None
        self._lock = threading.Lock()

    @property
    def sentence_count(self) -> int:
        """How many sentence vectors the dense search runs over."""
        return int(self.sentence_index.size)

    @property
    def vector_index_kind(self) -> str:
        return self.sentence_index.kind

    @property
    def generation(self) -> str | None:
        return self.manifest.get("generation")

    def doc_title(self, doc_id: str) -> str:
        """Title from this snapshot (not from a newer one loaded meanwhile)."""
        d = self.docs.get(doc_id)
        return d.info.title if d else doc_id

    def printed(self, doc_id: str) -> dict[int, str]:
        """File page → the page number printed on it, where the two differ (DocumentInfo.page_labels)."""
        d = self.docs.get(doc_id)
        return dict(d.info.page_labels) if d else {}

    def printed_page(self, doc_id: str, page: int | None) -> str | None:
        return self.printed(doc_id).get(page) if page is not None else None

    def cases_of_chunk(self, chunk_id: str) -> list[Case]:
        """The case records whose text lies (partly) in the chunk ``chunk_id``."""
        return list(self._cases_by_chunk.get(chunk_id, ()))

    def tagged(self) -> tuple[frozenset[str], frozenset[tuple]]:
        """Every industry code and every region (as a tuple) some chunk is tagged with, gathered on
        first use: what a question's places and trades are checked against, once per snapshot
        instead of once per question."""
        with self._lock:
            if self._tagged is None:
                self._tagged = (frozenset(ind for t in self.tags for ind in t.industries),
                                frozenset(tuple(r) for t in self.tags for r in t.all_regions))
            return self._tagged

    def abbreviated(self) -> frozenset[str]:
        """Provinces some chunk names only by one-character names joined together (桂港合作 → 香港),
        gathered on first use (:func:`kb.regions.abbreviated_provinces`)."""
        with self._lock:
            if self._abbreviated is None:
                self._abbreviated = frozenset(p for c in self.chunks for p in abbreviated_provinces(c.text))
            return self._abbreviated

    def children(self, doc_id: str, section: tuple[str, ...]) -> list[tuple[str, int]]:
        """The headings one level under ``section`` in document ``doc_id``, in document order, each
        with the position of its first chunk (the outline of a chapter: 二、经验总结 → （一）…（四）).
        The name given to text before the first heading (引言) is no heading of the document's."""
        out: dict[str, int] = {}
        depth = len(section)
        for i, c in enumerate(self.chunks):
            if (c.doc_id == doc_id and len(c.section) > depth and tuple(c.section[:depth]) == tuple(section)
                    and c.section != (LEAD_SECTION,)):
                out.setdefault(c.section[depth], i)
        return list(out.items())

    def sentences(self) -> tuple[list[str], np.ndarray]:
        """Sentence texts and vectors in vec_id order, read once (for direct answers)."""
        with self._lock:
            if self._sentences is None:
                self._sentences = (self.sentence_texts(), self.sentence_vectors())
            return self._sentences

    def sentences_of(self, pos: int) -> list[tuple[int, str, np.ndarray]]:
        """(sentence id, text, vector) of each sentence of the chunk at position ``pos``, in order."""
        texts, vectors = self.sentences()
        return [(int(sid), texts[sid], vectors[sid]) for sid in np.flatnonzero(self.sent_owner == pos)]

    def sentence_texts(self) -> list[str]:
        """All sentence texts in vec_id order (read when an ingest reuses them)."""
        return store.sentence_texts(self.gen)

    def sentence_vectors(self) -> np.ndarray:
        """All sentence vectors in vec_id order (read when an ingest reuses them)."""
        return np.load(self.gen / SENTENCE_VECTORS, allow_pickle=False)

    def homophones(self, tokenizer: Tokenizer):
        """The homophone-typo corrector of this generation (:func:`kb.homophones.index_corrector`:
        the glossary's words and the index's frequent words), built on first use."""
        from .homophones import index_corrector

        with self._lock:
            if self._homophones is None:
                self._homophones = index_corrector(tokenizer, self.bm25.doc_freqs())
            return self._homophones

    def case_bm25(self, tokenizer: Tokenizer) -> BM25Index:
        """BM25 over the case records, built on first use (a few hundred records at most)."""
        with self._lock:
            if self._case_bm25 is None:
                self._case_bm25 = BM25Index.build([tokenizer.tokenize(c.index_text) for c in self.cases])
            return self._case_bm25
