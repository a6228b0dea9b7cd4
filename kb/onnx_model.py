"""Run an exported embedding model with ONNX Runtime and ``tokenizers`` (no torch, no pickle).

An export folder (written by :mod:`kb.onnx_export`) holds ``model.onnx`` (the transformer,
returning token embeddings), ``tokenizer.json`` (the model's own tokenizer, as its fast
tokenizer saved it) and ``meta.json`` (pooling, maximum length, lower-casing: what
sentence-transformers does around the transformer for this model).
"""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

META = "meta.json"
MODEL = "model.onnx"
TOKENIZER = "tokenizer.json"
MAX_PARALLEL = 4  # batches run side by side during an ingest, at most (one per core)
EXPORT_FORMAT = 2  # bump when the export folder's layout or meaning changes (2: int8 is weight-only)


def pool(token_embeddings: np.ndarray, mask: np.ndarray, modes: tuple[str, ...] | list[str]) -> np.ndarray:
    """Sentence vectors from (batch, tokens, dim) token embeddings, as sentence-transformers' Pooling.

    ``mask`` is the attention mask (1 = real token); several modes are concatenated in order.
    """
    te = np.asarray(token_embeddings, dtype=np.float32)
    m = np.asarray(mask).astype(np.float32)
    mf = m[:, :, None]
    count = np.clip(m.sum(axis=1, keepdims=True), 1e-9, None)
    parts = []
    for mode in modes:
        if mode == "cls":
            first = m.argmax(axis=1)
            parts.append(te[np.arange(len(te)), first])
        elif mode == "max":
            parts.append(np.where(mf > 0, te, -np.inf).max(axis=1))
        elif mode == "mean":
            parts.append((te * mf).sum(axis=1) / count)
        elif mode == "mean_sqrt_len_tokens":
            parts.append((te * mf).sum(axis=1) / np.sqrt(count))
        elif mode == "weightedmean":
            pad = m.argmax(axis=1)[:, None]  # left padding shifts the weights (none with our padding)
            w = (np.arange(1, te.shape[1] + 1, dtype=np.float32)[None, :] - pad) * m
            parts.append((te * w[:, :, None]).sum(axis=1) / np.clip(w.sum(axis=1, keepdims=True), 1e-9, None))
        elif mode == "lasttoken":
            last = te.shape[1] - 1 - m[:, ::-1].argmax(axis=1)
            parts.append((te * mf)[np.arange(len(te)), last])
        else:
            raise ValueError(f"unknown pooling mode {mode!r}")
    return np.concatenate(parts, axis=1)


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class OnnxModel:
    """One export folder, loaded: an ONNX Runtime session and a ``tokenizers`` tokenizer."""

    def __init__(self, folder: Path, parallel: int | None = None):
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.meta = json.loads((self.folder / META).read_text(encoding="utf-8"))
        self.dim = int(self.meta["dim"])
        self.pooling = tuple(self.meta["pooling"])
        self.max_length = int(self.meta["max_seq_length"])
        self.lower = bool(self.meta.get("do_lower_case"))
        self.pad_id = int(self.meta.get("pad_id") or 0)
        self.tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER))
        self.tokenizer.no_padding()  # padding is done per batch below, to the batch's longest text
        self.tokenizer.enable_truncation(self.max_length)
        self.session = self._new_session()  # ONNX Runtime's default: one thread per core
        self.inputs = [i.name for i in self.session.get_inputs()]
        # Many batches (an ingest) run side by side, one per core, each in one thread of a second
        # session: on 2 cores this embedded 1.1x as many sentences per second as one 2-thread
        # session running the batches in turn (the small matrices of one batch do not keep two
        # threads busy). A text's vector is the same either way (checked in the tests).
        self.parallel = max(1, min(os.cpu_count() or 1, MAX_PARALLEL) if parallel is None else parallel)
        self._single: object | None = None  # the one-thread session, made on the first large call
        self._session_lock = threading.Lock()
        # The Rust tokenizer is not documented as safe to share across threads: one call at a time.
        self._tok_lock = threading.Lock()

    def _new_session(self, threads: int = 0):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        # Worker threads sleep instead of spinning between operators: on a busy 2-core machine,
        # spinning doubled the median query embedding time (measured 13.4 → 5.8 ms at load 3)
        # and did not help batch throughput.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.folder / MODEL), options, providers=["CPUExecutionProvider"])

    def _single_thread_session(self):
        with self._session_lock:
            if self._single is None:
                self._single = self._new_session(threads=1)
        return self._single

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in input order."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prepared = [str(t) for t in texts]
        if self.lower:  # only when the saved tokenizer does not lower-case by itself
            prepared = [t.lower() for t in prepared]
        with self._tok_lock:
            encodings = self.tokenizer.encode_batch(prepared)
        # Sorted by length, each batch pads only to its own longest text.
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        size = max(1, batch_size)
        batches = [order[start:start + size] for start in range(0, len(order), size)]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if self.parallel > 1 and len(batches) > 1:
            session = self._single_thread_session()
            with ThreadPoolExecutor(self.parallel) as workers:
                for idx, vectors in zip(batches, workers.map(lambda idx: self._run(session, encodings, idx), batches)):
                    out[idx] = vectors
        else:
            for idx in batches:
                out[idx] = self._run(self.session, encodings, idx)
        return l2_normalise(out)

    def token_vectors(self, texts: list[str], batch_size: int = 4) -> list[tuple[list[str], np.ndarray]]:
        """Each text's tokens and their L2-normalised contextual vectors (float32), without the
        [CLS]/[SEP] markers: the model's last layer before pooling, for token-level matching."""
        if not texts:
            return []
        prepared = [t.lower() if self.lower else str(t) for t in texts]
        with self._tok_lock:
            encodings = self.tokenizer.encode_batch(prepared)
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        out: list[tuple[list[str], np.ndarray]] = [([], np.zeros((0, self.dim), np.float32))] * len(texts)
        for start in range(0, len(order), max(1, batch_size)):
            idx = order[start:start + max(1, batch_size)]
            token_embeddings, _mask = self._forward(self.session, encodings, idx)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                vectors = l2_normalise(token_embeddings[row, 1:n - 1].astype(np.float32))
                out[i] = (list(encodings[i].tokens[1:n - 1]), vectors)
        return out

    def _forward(self, session, encodings, idx: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Last-layer token vectors of the texts at ``idx``, padded to the longest, and the mask."""
        width = max(len(encodings[i].ids) for i in idx)
        ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        types = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            enc = encodings[i]
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            mask[row, :n] = 1
            types[row, :n] = enc.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return session.run(None, {k: feed[k] for k in self.inputs})[0], mask

    def _run(self, session, encodings, idx: list[int]) -> np.ndarray:
        """Pooled (not yet normalised) vectors of the texts at ``idx``, padded to the longest."""
        token_embeddings, mask = self._forward(session, encodings, idx)
        return pool(token_embeddings, mask, self.pooling)
