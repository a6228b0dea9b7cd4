"""FAISS index over L2-normalised vectors; inner product equals cosine similarity.

Small corpora use an exact ``IndexFlatIP``. Above ``ANN_THRESHOLD`` vectors an approximate
index is used (type chosen by measurement with ``kb bench scale``; recall vs flat reported there).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ANN_THRESHOLD = 100_000
ANN_KIND = "ivf"  # kb bench scale, 450k sentence vectors: ivf p50 39 ms recall 1.00; hnsw 21 ms recall 0.78
HNSW_M = 32
IVF_PROBE_FRACTION = 1 / 16


class VectorIndex:
    def __init__(self, index, dim: int):
        self._index = index
        self.dim = dim

    @property
    def size(self) -> int:
        return int(self._index.ntotal) if self._index is not None else 0

    @property
    def kind(self) -> str:
        import faiss

        if isinstance(self._index, faiss.IndexHNSWFlat):
            return "hnsw"
        return "ivf" if isinstance(self._index, faiss.IndexIVFFlat) else "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int, kind: str = "auto") -> VectorIndex:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
        if kind == "auto":
            kind = ANN_KIND if len(vectors) >= ANN_THRESHOLD else "flat"
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 40
            index.hnsw.efSearch = 128
        elif kind == "ivf":
            nlist = max(16, int(4 * np.sqrt(len(vectors))))
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            sample = vectors[np.random.default_rng(0).choice(len(vectors), min(len(vectors), 50 * nlist), replace=False)]
            index.train(sample)
            index.nprobe = max(1, int(nlist * IVF_PROBE_FRACTION))
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        return cls(index, dim)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Load a FAISS file; callers verify its checksum first (see store.py)."""
        import faiss

        index = faiss.read_index(str(path))
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = 128
        elif isinstance(index, faiss.IndexIVFFlat):
            index.nprobe = max(1, int(index.nlist * IVF_PROBE_FRACTION))
        return cls(index, index.d)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (ids, scores) for one query vector; ``allowed`` restricts ids inside the search."""
        import faiss

        n = self.size
        if n == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(128, k))
            elif self.kind == "ivf":
                params = faiss.SearchParametersIVF(sel=sel, nprobe=self._index.nprobe)
            else:
                params = faiss.SearchParameters(sel=sel)
            k = min(k, len(allowed))
        k = min(k, n)
        scores, ids = self._index.search(q, k, params=params) if params is not None else self._index.search(q, k)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]
