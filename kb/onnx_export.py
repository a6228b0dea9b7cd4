"""Export a local sentence-transformers model to ONNX, once, into the model cache.

This is the only module that needs torch and sentence-transformers for the ONNX path, and it
runs only when a model's export is not cached yet. The export is checked against
sentence-transformers itself on probe sentences before it is published; a model whose
export does not reproduce its vectors is reported as unsupported (and then embedded through
sentence-transformers). The folder is built under a temporary name and renamed into place
with ``os.replace``, under a file lock, so concurrent processes never see half an export.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .model_files import PipelineConfig, write_json_atomic
from .onnx_model import EXPORT_FORMAT, META, MODEL, TOKENIZER, OnnxModel

OPSET = 17
# Minimum cosine between ONNX and sentence-transformers vectors on the probe sentences.
# fp32 must reproduce the model (interchangeable vectors); int8 only approximates it.
MIN_COSINE = {"fp32": 0.9999, "int8": 0.997}
# Probe sentences: domain Chinese, mixed-case Latin, digits and full-width forms, surrounding
# spaces, an empty text and one longer than any model's maximum length (truncation).
PROBES = [
    "家纺企业产品缺陷率高，别的地方怎么帮扶的？",
    "认证贷",
    "江苏省市场监管局联合金融机构发放“认证贷”12.5亿元，惠及小微企业3000余家。",
    "ISO 9001 Quality Management audit 审核 GB/T 19001-2016",
    "  前后有空格的句子　",
    "",
    "小微企业质量管理体系认证提升行动" * 60,
]


class ExportUnsupported(Exception):
    """The model cannot be reproduced by the ONNX path (the message, in Chinese, says why)."""


def export_dir(cache_root: Path, files_sha256: str, precision: str) -> Path:
    """The cache folder of one model's export at one precision."""
    return Path(cache_root) / "onnx" / f"{files_sha256[:32]}-{precision}-v{EXPORT_FORMAT}"


def unsupported_marker(folder: Path) -> Path:
    """Records why a model cannot be exported, so later runs do not retry (and import torch) every time."""
    return folder.with_name(folder.name + ".unsupported.json")


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def _quiet():
    """Silence the tracer's and quantizer's warnings and progress bars (the checks below decide)."""
    loggers = [logging.getLogger(), logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer")]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels):
                lg.setLevel(level)


def _fsync_folder(folder: Path) -> None:
    for p in folder.iterdir():
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export_to_cache(model_path: Path, files_sha256: str, precision: str, cache_root: Path,
                    pipeline: PipelineConfig) -> Path:
    """Export ``model_path`` into the cache (if no other process did) and return the folder.

    Raises :class:`ExportUnsupported` (and records it beside the folder) when the model cannot be
    reproduced; other errors (no torch, disk full) propagate and leave nothing behind.
    """
    final = export_dir(cache_root, files_sha256, precision)
    with _locked(final.with_name(final.name + ".lock")):
        if (final / META).exists():
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
        try:
            try:
                with _quiet():
                    export_model(model_path, tmp, precision, pipeline, files_sha256)
            except ExportUnsupported as exc:
                write_json_atomic(unsupported_marker(final), {"reason": str(exc), "format": EXPORT_FORMAT})
                raise
            for p in tmp.iterdir():
                p.chmod(0o644)  # mkstemp/mkdtemp make private files; the cache is plain data
            tmp.chmod(0o755)
            _fsync_folder(tmp)
            os.replace(tmp, final)
            fd = os.open(final.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


# int8: weight-only 8-bit quantisation of every MatMul in blocks of INT8_BLOCK input channels
# (MatMulNBits, accuracy level 4 = int8 arithmetic with activations quantised per row and block).
# Measured on m3e-small against fp32 on the shipped corpus's 137 ingest sentences: min cosine
# 0.99973 with blocks of 64 (0.99983 with 32, 0.99949 with 128); each sentence's vector is the
# same alone or in any batch with blocks of 32 or 64 (not with 128 or 256); throughput 1.3-1.4x
# fp32 with 64 (1.2x with 32). Dynamic quantisation (QDQ per tensor), used before, gave min cosine
# 0.995 and vectors that changed with the other sentences of the batch.
INT8_BLOCK = 64
INT8_SCHEME = f"weight-only-8bit-block{INT8_BLOCK}"  # recorded in the manifest


def quantize_weights_int8(src: Path, dest: Path) -> None:
    import onnx

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # This module calls logging.basicConfig(level=INFO) on import: undo it, so the process keeps its logging.
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    root.handlers[:] = handlers
    root.setLevel(level)
    quantizer = MatMulNBitsQuantizer(onnx.load(str(src)), bits=8, block_size=INT8_BLOCK, is_symmetric=True,
                                     accuracy_level=4)
    quantizer.process()
    quantizer.model.save_model_to_file(str(dest), use_external_data_format=False)


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("torch", "transformers", "sentence-transformers", "onnxruntime"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def export_model(model_path: Path, dest: Path, precision: str, pipeline: PipelineConfig, files_sha256: str) -> dict:
    """Write ``model.onnx``, ``tokenizer.json`` and ``meta.json`` for ``model_path`` into ``dest``."""
    if pipeline.unsupported:
        raise ExportUnsupported(pipeline.unsupported)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    st = SentenceTransformer(str(model_path), device="cpu")
    kinds = [type(m).__name__ for m in st]
    if not kinds or kinds[0] != "Transformer" or any(k not in ("Pooling", "Normalize") for k in kinds[1:]):
        raise ExportUnsupported(f"模块组合 {kinds} 不是 Transformer + Pooling (+ Normalize)")
    transformer = st[0]
    hf_model = transformer.auto_model.eval()
    tokenizer = transformer.tokenizer
    if tokenizer is None or not getattr(tokenizer, "is_fast", False):
        raise ExportUnsupported("模型没有 tokenizers 格式的分词器（fast tokenizer）")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]
    if names[:2] != ["input_ids", "attention_mask"]:
        raise ExportUnsupported(f"模型输入 {tokenizer.model_input_names} 不是 input_ids/attention_mask")

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = hf_model

        def forward(self, *tensors):
            return self.model(**dict(zip(names, tensors))).last_hidden_state

    sample = tokenizer(["样例文本", "一个稍长一些的样例文本 with English"], padding=True, return_tensors="pt")
    fp32_path = dest / ("fp32.onnx" if precision == "int8" else MODEL)
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "token_embeddings"]}
    try:
        with torch.no_grad():
            torch.onnx.export(TokenEmbeddings(), tuple(sample[n] for n in names), str(fp32_path),
                              input_names=names, output_names=["token_embeddings"], dynamic_axes=axes,
                              opset_version=OPSET, do_constant_folding=True, dynamo=False)
    except Exception as exc:  # an architecture the tracer cannot export
        raise ExportUnsupported(f"torch.onnx.export 失败：{type(exc).__name__}: {str(exc)[:200]}") from exc
    if precision == "int8":
        quantize_weights_int8(fp32_path, dest / MODEL)
        fp32_path.unlink()
    backend_tokenizer = tokenizer.backend_tokenizer
    backend_tokenizer.save(str(dest / TOKENIZER))
    normalizer = backend_tokenizer.normalizer
    lowers_itself = normalizer is not None and normalizer.normalize_str("AB") == "ab"
    meta = {
        "format": EXPORT_FORMAT,
        "model_sha256": files_sha256,
        "precision": precision,
        "dim": int((getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension)()),
        "max_seq_length": int(transformer.max_seq_length),
        "do_lower_case": bool(getattr(transformer, "do_lower_case", False)) and not lowers_itself,
        "pooling": list(pipeline.pooling),
        "normalize": pipeline.normalize,
        "pad_id": int(tokenizer.pad_token_id or 0),
        "inputs": names,
        "opset": OPSET,
        "exported_with": _versions(),
    }
    write_json_atomic(dest / META, meta)
    got = OnnxModel(dest).embed(PROBES)
    want = st.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
    if got.shape != want.shape:
        raise ExportUnsupported(f"ONNX 向量形状 {got.shape} 与 sentence-transformers {want.shape} 不同")
    cosine = float(np.min(np.sum(got * want, axis=1)))
    if cosine < MIN_COSINE[precision]:
        raise ExportUnsupported(f"ONNX 向量与 sentence-transformers 不一致（最小余弦 {cosine:.6f}）")
    meta["probe_min_cosine"] = cosine
    write_json_atomic(dest / META, meta)
    return meta
