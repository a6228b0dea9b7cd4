"""Token-level matching of a question against passages ("late interaction", as in ColBERT).

Each question token (a character, for Chinese) finds its closest token in the passage, by the
cosine of the embedding model's own contextual token vectors; the passage scores the mean of
those best cosines. It sees what whole-word BM25 and one vector per sentence both miss: a
question in everyday words that shares characters and near-synonyms with the passage spread
over several sentences (小厂 / 小微企业, 免了多少费用 / 减免认证费用). Measured with m3e-small on
the five development sets (glossary words of each set left out when scoring it), adding it to the
evidence fusion raised hit@1 + MRR@10 summed over the sets from 8.511 to 8.659 when every
setting was chosen on the other four sets (``eval/tune_fusion.py --decontaminate --loso``).

A passage's token vectors are computed on first use (about 50 ms a passage on 2 cores) and kept
in memory and on disk: one float16 ``.npy`` file per passage text and model under
``cache_dir`` (no pickle), written atomically, so a later process (the next ``kb search``) reads
them back instead of running the model again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from .fusion import spread_from_median

# Question characters that carry no content: particles, pronouns, question words.
STOP_CHARS = frozenset("的了吗呢啊吧么呀嘛哦是在有和与及或我你他她它们这那个些什么怎么啥咋哪能会要就都也还把被给让对从很")


def _content(token: str) -> bool:
    """Whether a question token counts: a CJK character not in :data:`STOP_CHARS`, or a word
    piece with a letter or digit; not punctuation or the tokenizer's unknown marker."""
    t = token.removeprefix("##")
    if not t or t.startswith("[") or t in STOP_CHARS:
        return False
    return any(ch.isalnum() or unicodedata.category(ch).startswith("L") for ch in t)


def late_interaction(question: np.ndarray, passage: np.ndarray) -> float:
    """Mean over the question's token vectors of the best cosine with a passage token vector."""
    if not len(question) or not len(passage):
        return 0.0
    return float((question @ passage.T.astype(np.float32)).max(axis=1).mean())


def spread(scores: Mapping[int, float]) -> dict[int, float]:
    """Scores mapped from their median (0) to their maximum (1), clipped: how far a passage stands
    out among the candidates, whatever the question's length or wording does to raw cosines."""
    if not scores:
        return {}
    spread_out = spread_from_median(np.array(list(scores.values()), dtype=np.float64))
    return {k: float(v) for k, v in zip(scores, spread_out)}


class TokenMatcher:
    """Token-match scores of passages for a question, with the passage vectors cached.

    ``embedder`` is called to get the model (loaded lazily by the caller); matching is available
    only when the model offers ``token_vectors`` (ONNX, sentence-transformers and the test
    hash embedder do)."""

    def __init__(self, embedder: Callable[[], object], cache_dir: Path | None = None, memory_items: int = 256):
        self._embedder = embedder
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.memory_items = memory_items
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._model_key: str | None = None

    def available(self) -> bool:
        return callable(getattr(self._embedder(), "token_vectors", None))

    def _model(self) -> str:
        if self._model_key is None:
            emb = self._embedder()
            ident = emb.identity() if callable(getattr(emb, "identity", None)) else {"id": type(emb).__name__}
            self._model_key = hashlib.sha1(json.dumps(ident, sort_keys=True).encode("utf-8")).hexdigest()[:16]
        return self._model_key

    def _key(self, text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path | None:
        return self.cache_dir / self._model() / key[:2] / f"{key}.npy" if self.cache_dir else None

    def _remember(self, key: str, vectors: np.ndarray) -> None:
        with self._lock:
            self._memory[key] = vectors
            self._memory.move_to_end(key)
            while len(self._memory) > self.memory_items:
                self._memory.popitem(last=False)

    def _load(self, key: str) -> np.ndarray | None:
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.ndim != 2 or vectors.dtype != np.float16 or not len(vectors):
                raise ValueError("not a token-vector matrix")
        except Exception:  # noqa: BLE001 - empty, truncated or foreign file: computed again
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        self._remember(key, vectors)
        return vectors

    def _store(self, key: str, vectors: np.ndarray) -> None:
        self._remember(key, vectors)
        path = self._path(key)
        if path is None:
            return
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, vectors, allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)  # readable by a server running as another user, like the index files
            os.replace(tmp, path)
        except OSError:  # a read-only index still ranks; it only computes again next time
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def prune(self, keep: list[str]) -> int:
        """Remove this model's cached files for passages not in ``keep`` (the texts of the index
        just published) and leftover temporary files; returns how many files it removed."""
        if self.cache_dir is None:
            return 0
        root = self.cache_dir / self._model()
        if not root.is_dir():
            return 0
        wanted = {self._key(t) for t in keep}
        removed = 0
        for path in root.rglob("*"):
            if path.is_file() and (path.suffix == ".tmp" or path.stem not in wanted):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
        return removed

    def cached(self, text: str) -> bool:
        """Whether ``text``'s token vectors are in memory or on disk."""
        key = self._key(text)
        with self._lock:
            if key in self._memory:
                return True
        path = self._path(key)
        return path is not None and path.exists()

    def passage_vectors(self, texts: list[str]) -> list[np.ndarray]:
        """float16 token vectors of each text, from the caches or the model (one batch)."""
        keys = [self._key(t) for t in texts]
        found = {k: v for k in dict.fromkeys(keys) if (v := self._load(k)) is not None}
        todo = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in found]
        if todo:
            for (k, _t), (_tokens, vectors) in zip(todo, self._embedder().token_vectors([t for _, t in todo])):
                found[k] = vectors.astype(np.float16)
                self._store(k, found[k])
        return [found[k] for k in keys]

    def question_vectors(self, question: str) -> np.ndarray:
        tokens, vectors = self._embedder().token_vectors([question])[0]
        keep = [i for i, t in enumerate(tokens) if _content(t)]
        return vectors[keep] if keep else vectors

    def scores(self, question: str, texts: Mapping[int, str]) -> dict[int, float]:
        """Raw token-match score (mean best cosine, about 0.3–0.9) of each passage in ``texts``."""
        if not texts or not question.strip():
            return {}
        q = self.question_vectors(question)
        keys = list(texts)
        return {k: late_interaction(q, p) for k, p in zip(keys, self.passage_vectors([texts[k] for k in keys]))}
