"""Embedders: model identity by content, index compatibility, the ONNX export cache, pooling.

Model folders made here are synthetic: a config.json and a few bytes standing in for weights
(fast tests), or a tiny randomly initialised BERT (slow tests, which need torch). Tests marked
``slow`` also use the real m3e-small model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kb import onnx_export
from kb.config import KBConfig
from kb.embedding import (
    HashEmbedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    check_compatible,
    embedder_status,
    make_embedder,
    model_mismatch,
)
from kb.errors import IndexMismatch, KBError
from kb.knowledge_base import KnowledgeBase
from kb.model_files import model_files_sha256, read_pipeline_config
from kb.onnx_model import pool

REPO = Path(__file__).resolve().parent.parent
SENTENCES = [
    "家纺企业产品缺陷率高，别的地方怎么帮扶的？",
    "认证贷帮助小微企业解决融资难题。",
    "Quality management audit 审核 ISO 9001",
    "黄芪产业区域试点",
]


def fake_model(folder: Path, weights: bytes, dim: int = 64) -> Path:
    """A synthetic model folder: enough files to be hashed and found, no real weights."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"hidden_size": dim, "model_type": "bert"}), encoding="utf-8")
    (folder / "model.safetensors").write_bytes(weights)
    return folder


class PatchedST(SentenceTransformerEmbedder):
    """A sentence-transformers embedder for a synthetic folder: real identity, hash vectors."""

    def embed(self, texts, progress=False):
        return HashEmbedder(self.dim).embed(texts)


# --------------------------------------------------------------------------- identity

def test_model_hash_depends_on_contents_not_folder_name(tmp_path):
    a = fake_model(tmp_path / "a" / "model", b"weights of model A")
    b = fake_model(tmp_path / "b" / "model", b"weights of model B")
    copy = tmp_path / "elsewhere" / "renamed"
    shutil.copytree(a, copy)
    memo = tmp_path / "cache"
    assert model_files_sha256(a, memo) != model_files_sha256(b, memo)
    assert model_files_sha256(a, memo) == model_files_sha256(copy, memo)
    (a / "README.md").write_text("docs do not change the vectors", encoding="utf-8")
    assert model_files_sha256(a, memo) == model_files_sha256(copy, memo)


def test_model_hash_memo_notices_a_changed_file(tmp_path):
    a = fake_model(tmp_path / "model", b"AAAA")
    memo = tmp_path / "cache"
    before = model_files_sha256(a, memo)
    assert (memo / "model-hashes.json").exists()
    weights = a / "model.safetensors"
    weights.write_bytes(b"BBBB")  # same size
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 1_000_000))
    assert model_files_sha256(a, memo) != before


def _write_corpus(home: Path) -> None:
    corpus = home / "corpus"
    corpus.mkdir(parents=True)
    # Synthetic text, written for this test.
    (corpus / "a.txt").write_text("测试文档\n\n某县推行认证贷，帮助小微企业解决融资难题。家纺企业缺陷率下降。\n", encoding="utf-8")


def test_two_models_in_folders_of_the_same_name_do_not_mix(tmp_path):
    """Regression: models were identified by folder name, so these two shared the id "model"."""
    a = fake_model(tmp_path / "one" / "model", b"first model's weights")
    b = fake_model(tmp_path / "two" / "model", b"second model's weights")
    home = tmp_path / "home"
    _write_corpus(home)
    config = KBConfig(home=home, model=str(a))
    emb_a, emb_b = PatchedST(str(a)), PatchedST(str(b))
    assert emb_a.model_id == emb_b.model_id == "model"
    KnowledgeBase(config, embedder=emb_a).ingest()
    assert KnowledgeBase(config, embedder=emb_a).search("认证贷", mode="dense")
    with pytest.raises(IndexMismatch) as err:
        KnowledgeBase(replace(config, model=str(b)), embedder=emb_b).search("认证贷", mode="dense")
    assert "kb ingest --rebuild" in str(err.value) and "KB_MODEL" in str(err.value)
    # The same model copied to another folder is the same model.
    shutil.copytree(a, tmp_path / "three" / "model")
    same = PatchedST(str(tmp_path / "three" / "model"))
    assert KnowledgeBase(config, embedder=same).search("认证贷", mode="dense")
    # Ingest with the other model re-embeds everything instead of reusing A's vectors.
    report = KnowledgeBase(replace(config, model=str(b)), embedder=emb_b).ingest()
    assert report.embedded_chunks > 0 and any("将用当前模型重新嵌入" in n for n in report.notes)
    assert KnowledgeBase(replace(config, model=str(b)), embedder=emb_b).search("认证贷", mode="dense")


def _manifest(**kw) -> dict:
    base = {"id": "m", "dim": 64, "files_sha256": "ab" * 32, "backend": "onnx", "precision": "fp32"}
    return {**base, **kw}


class Fixed:
    """An embedder with a given identity (only :func:`check_compatible` looks at it)."""

    model_id, dim = "m", 64

    def __init__(self, **kw):
        self._identity = _manifest(**kw)

    def identity(self):
        return self._identity


def test_fp32_onnx_and_torch_vectors_share_an_index_int8_does_not():
    check_compatible(_manifest(backend="onnx"), Fixed(backend="sentence-transformers"))
    check_compatible(_manifest(backend="sentence-transformers"), Fixed(backend="onnx"))
    check_compatible(_manifest(precision="int8"), Fixed(precision="int8"))
    for have, want in (("int8", "fp32"), ("fp32", "int8")):
        with pytest.raises(IndexMismatch) as err:
            check_compatible(_manifest(precision=have), Fixed(precision=want))
        msg = str(err.value)
        assert "kb ingest --rebuild" in msg and f"KB_EMBED_PRECISION 设回 {have}" in msg


def test_other_hash_other_dim_or_no_hash_is_a_clear_mismatch():
    with pytest.raises(IndexMismatch, match="不同模型的向量不能混用"):
        check_compatible(_manifest(files_sha256="cd" * 32), Fixed())
    with pytest.raises(IndexMismatch, match="128 维"):
        check_compatible(_manifest(dim=128), Fixed())
    old_index = {"id": "m", "dim": 64}  # manifests written before models were hashed
    with pytest.raises(IndexMismatch, match="kb ingest --rebuild"):
        check_compatible(old_index, Fixed())
    assert model_mismatch(_manifest(), Fixed()) is None


def test_embedders_without_identity_compare_by_id_and_dim():
    class Bare:
        model_id, dim = "fake", 8

    check_compatible({"id": "fake", "dim": 8}, Bare())
    with pytest.raises(IndexMismatch):
        check_compatible({"id": "other", "dim": 8}, Bare())


def test_make_embedder_rejects_unknown_settings_in_chinese(tmp_path):
    a = fake_model(tmp_path / "model", b"x")
    with pytest.raises(KBError, match="未知的嵌入后端"):
        make_embedder(str(a), backend="tensorflow")
    with pytest.raises(KBError, match="未知的嵌入精度"):
        make_embedder(str(a), precision="fp16")
    with pytest.raises(KBError, match="int8 精度只适用于 ONNX"):
        make_embedder(str(a), backend="sentence-transformers", precision="int8")


# --------------------------------------------------------------------------- pipeline config

def _st_folder(tmp_path: Path, modules: list[dict], pooling: dict | None = None) -> Path:
    folder = fake_model(tmp_path / "st", b"w")
    (folder / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    if pooling is not None:
        (folder / "1_Pooling").mkdir()
        (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    return folder


TRANSFORMER = {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}
POOLING = {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}
NORMALIZE = {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}


def test_pipeline_config_is_read_from_the_model_folder(tmp_path):
    assert read_pipeline_config(fake_model(tmp_path / "plain", b"w")).pooling == ("mean",)  # ST's default
    cls = read_pipeline_config(_st_folder(tmp_path / "a", [TRANSFORMER, POOLING, NORMALIZE],
                                          {"word_embedding_dimension": 64, "pooling_mode_cls_token": True,
                                           "pooling_mode_mean_tokens": False}))
    assert cls.pooling == ("cls",) and cls.normalize and cls.unsupported is None
    legacy_two = read_pipeline_config(_st_folder(tmp_path / "b", [TRANSFORMER, POOLING],
                                                 {"pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": True}))
    assert legacy_two.pooling == ("max", "mean")  # sentence-transformers' concatenation order
    new_format = read_pipeline_config(_st_folder(tmp_path / "c", [TRANSFORMER, POOLING],
                                                 {"embedding_dimension": 64, "pooling_mode": "lasttoken"}))
    assert new_format.pooling == ("lasttoken",)


def test_unsupported_pipelines_are_named(tmp_path):
    dense = {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
    assert "Dense" in read_pipeline_config(_st_folder(tmp_path / "a", [TRANSFORMER, POOLING, dense],
                                                      {"pooling_mode": "mean"})).unsupported
    prompt = _st_folder(tmp_path / "b", [TRANSFORMER, POOLING], {"pooling_mode": "mean"})
    (prompt / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "查询："}, "default_prompt_name": "query"}), encoding="utf-8")
    assert "default_prompt_name" in read_pipeline_config(prompt).unsupported


def test_pooling_modes_by_hand():
    te = np.array([[[1.0, 0.0], [3.0, 4.0], [9.0, 9.0]]], dtype=np.float32)  # third token is padding
    mask = np.array([[1, 1, 0]])
    np.testing.assert_allclose(pool(te, mask, ["mean"]), [[2.0, 2.0]])
    np.testing.assert_allclose(pool(te, mask, ["cls"]), [[1.0, 0.0]])
    np.testing.assert_allclose(pool(te, mask, ["max"]), [[3.0, 4.0]])
    np.testing.assert_allclose(pool(te, mask, ["lasttoken"]), [[3.0, 4.0]])
    np.testing.assert_allclose(pool(te, mask, ["mean_sqrt_len_tokens"]), [[4.0 / np.sqrt(2), 4.0 / np.sqrt(2)]])
    np.testing.assert_allclose(pool(te, mask, ["weightedmean"]), [[(1 + 6) / 3, 8 / 3]], rtol=1e-6)
    np.testing.assert_allclose(pool(te, mask, ["cls", "mean"]), [[1.0, 0.0, 2.0, 2.0]])


# --------------------------------------------------------------------------- the export cache

def test_failed_export_leaves_nothing_and_unsupported_is_remembered(tmp_path, monkeypatch):
    model = fake_model(tmp_path / "model", b"w")
    cache = tmp_path / "cache"
    calls = []

    def broken(model_path, dest, precision, pipeline, sha):
        calls.append(dest)
        (dest / "model.onnx").write_bytes(b"half written")
        raise OSError("disk full")

    monkeypatch.setattr(onnx_export, "export_model", broken)
    emb = OnnxEmbedder(str(model), cache_root=cache)
    assert emb.resolve() == "sentence-transformers" and "disk full" in emb.fallback.reason
    onnx_dir = cache / "onnx"
    assert [p.name for p in onnx_dir.iterdir() if not p.name.endswith(".lock")] == []  # no folder, no temp

    def unsupported(model_path, dest, precision, pipeline, sha):
        calls.append(dest)
        raise onnx_export.ExportUnsupported("含有 ONNX 路径不支持的模块 Dense")

    monkeypatch.setattr(onnx_export, "export_model", unsupported)
    emb = OnnxEmbedder(str(model), cache_root=cache)
    assert emb.resolve() == "sentence-transformers"
    assert embedder_status(emb)["backend"] == "sentence-transformers"
    n = len(calls)
    again = OnnxEmbedder(str(model), cache_root=cache)  # a later process: no second attempt
    assert again.status()["reason"] == "含有 ONNX 路径不支持的模块 Dense"
    assert again.resolve() == "sentence-transformers" and len(calls) == n


def test_export_is_published_whole_and_reused(tmp_path, monkeypatch):
    model = fake_model(tmp_path / "model", b"w")
    cache = tmp_path / "cache"
    calls = []

    def fake_export(model_path, dest, precision, pipeline, sha):
        calls.append(dest)
        (dest / "model.onnx").write_bytes(b"graph")
        (dest / "meta.json").write_text(json.dumps({"dim": 64, "model_sha256": sha}), encoding="utf-8")

    monkeypatch.setattr(onnx_export, "export_model", fake_export)
    emb = OnnxEmbedder(str(model), cache_root=cache)
    assert emb.status()["reason"] == "尚未导出（首次使用时自动导出）"
    assert emb.resolve() == "onnx"
    assert emb.identity() == {"id": "model", "dim": 64, "files_sha256": emb.files_sha256, "backend": "onnx",
                              "precision": "fp32"}
    folder = onnx_export.export_dir(cache, emb.files_sha256, "fp32")
    assert emb.folder == folder and (folder / "model.onnx").read_bytes() == b"graph"
    assert not calls[0].exists()  # the temporary folder was renamed into place
    assert OnnxEmbedder(str(model), cache_root=cache).resolve() == "onnx" and len(calls) == 1
    assert OnnxEmbedder(str(model), precision="int8", cache_root=cache).identity()["precision"] == "int8"
    assert len(calls) == 2  # int8 is its own export


def test_unsupported_pipeline_never_tries_to_export(tmp_path, monkeypatch):
    dense = {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
    folder = _st_folder(tmp_path, [TRANSFORMER, POOLING, dense], {"pooling_mode": "mean"})
    monkeypatch.setattr(onnx_export, "export_model", lambda *a: pytest.fail("export attempted"))
    emb = OnnxEmbedder(str(folder), cache_root=tmp_path / "cache")
    assert "Dense" in emb.status()["reason"]
    assert emb.resolve() == "sentence-transformers" and "Dense" in emb.fallback.reason


# --------------------------------------------------------------------------- serving

class _GatedEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__(8)
        self.release = threading.Event()

    def embed(self, texts, progress=False):
        self.release.wait(10)
        return super().embed(texts)


def test_runtime_waits_a_bounded_time_for_the_model(tmp_path):
    from kb import ui_helpers as ui

    gated = _GatedEmbedder()
    rt = ui.KBRuntime(KnowledgeBase(KBConfig(home=tmp_path, model="slow"), embedder=gated))
    started = time.perf_counter()
    assert not rt.wait_ready(0.2)  # still loading: the page answers with BM25 after the wait
    assert time.perf_counter() - started < 5
    gated.release.set()
    assert rt.wait_ready(10)
    quick = ui.KBRuntime(KnowledgeBase(KBConfig(home=tmp_path, model="hash-bigram-8"), embedder=HashEmbedder(8)))
    assert quick.wait_ready(10)  # a model that loads quickly serves the first answer in hybrid mode


# --------------------------------------------------------------------------- the real model (slow)

@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers():
    onnx = make_embedder("m3e-small")
    torch_emb = make_embedder("m3e-small", backend="sentence-transformers")
    a, b = onnx.embed(SENTENCES), torch_emb.embed(SENTENCES)
    assert onnx.identity()["backend"] == "onnx"
    assert a.shape == b.shape == (len(SENTENCES), 512)
    cosines = np.sum(a * b, axis=1)
    assert cosines.min() >= 0.9999, cosines
    assert np.abs(a - b).max() < 1e-4
    check_compatible(onnx.identity(), torch_emb)  # interchangeable, so one index serves both
    # one at a time (no padding) gives the same vectors as a padded batch
    single = np.vstack([onnx.embed([s]) for s in SENTENCES])
    assert np.abs(single - a).max() < 1e-4


@pytest.mark.slow
def test_int8_is_close_batch_independent_and_needs_its_own_index():
    int8 = make_embedder("m3e-small", precision="int8")
    fp32 = make_embedder("m3e-small")
    batched = int8.embed(SENTENCES)
    cosines = np.sum(batched * fp32.embed(SENTENCES), axis=1)
    assert cosines.min() >= 0.999, cosines  # weight-only int8; the dynamic quantisation gave 0.995
    # a sentence's vector does not depend on the other sentences of its batch (a query is embedded
    # alone, the index's sentences in batches)
    single = np.vstack([int8.embed([s]) for s in SENTENCES])
    assert np.abs(single - batched).max() < 1e-5
    identity = int8.identity()
    assert identity["precision"] == "int8" and identity["quantization"] == "weight-only-8bit-block64"
    with pytest.raises(IndexMismatch, match="KB_EMBED_PRECISION"):
        check_compatible(fp32.identity(), int8)
    old_int8 = {k: v for k, v in identity.items() if k != "quantization"}  # an index from the dynamic int8
    with pytest.raises(IndexMismatch, match="量化方式"):
        check_compatible(old_int8, int8)


@pytest.mark.slow
def test_batches_run_side_by_side_give_the_same_vectors():
    """An ingest runs its batches on every core at once (one-thread session); a text's vector is
    exactly what the one-session, one-batch-after-another path gives."""
    from kb.onnx_model import OnnxModel

    emb = make_embedder("m3e-small", precision=KBConfig().embed_precision)
    emb.load()
    texts = [f"{s}（第{i}遍）" for i in range(5) for s in SENTENCES]
    one_by_one = OnnxModel(emb.folder, parallel=1).embed(texts, batch_size=3)
    side_by_side = OnnxModel(emb.folder, parallel=2)
    assert np.array_equal(side_by_side.embed(texts, batch_size=3), one_by_one)
    assert side_by_side._single is not None  # the parallel path did run


def test_default_precision_is_int8_only_for_the_shipped_model_on_onnx(monkeypatch):
    from kb.config import DEFAULT_MODEL, KBConfig

    for var in ("KB_EMBED_PRECISION", "KB_EMBED_BACKEND", "KB_MODEL"):
        monkeypatch.delenv(var, raising=False)
    assert KBConfig().embed_precision == "int8"
    monkeypatch.setenv("KB_MODEL", "/models/other")
    assert KBConfig().embed_precision == "fp32"  # int8 was measured on m3e-small only
    monkeypatch.setenv("KB_MODEL", DEFAULT_MODEL)
    monkeypatch.setenv("KB_EMBED_BACKEND", "sentence-transformers")
    assert KBConfig().embed_precision == "fp32"
    monkeypatch.setenv("KB_EMBED_PRECISION", "fp32")
    monkeypatch.setenv("KB_EMBED_BACKEND", "onnx")
    assert KBConfig().embed_precision == "fp32"


@pytest.fixture(scope="module")
def real_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "corpus", home / "corpus")
    return home


PROBE = """
import json, sys
from kb.cli import main
rc = main(sys.argv[1:])
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
print(json.dumps({"rc": rc, "heavy": heavy}), file=sys.stderr)
"""


def _run_probe(home: Path, *args: str) -> tuple[dict, str]:
    env = dict(os.environ, KB_HOME=str(home), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, timeout=600)
    return json.loads(proc.stderr.strip().splitlines()[-1]), proc.stdout


@pytest.mark.slow
def test_ingest_and_search_do_not_import_torch(real_home):
    cfg = KBConfig()
    make_embedder("m3e-small", precision=cfg.embed_precision).resolve()  # the one-time export (uses torch)
    result, _ = _run_probe(real_home, "ingest", "-q")
    assert result == {"rc": 0, "heavy": []}
    result, out = _run_probe(real_home, "search", "认证贷 融资难", "--json")
    assert result == {"rc": 0, "heavy": []}
    hits = json.loads(out)["results"]
    assert hits and any("认证贷" in h["text"] for h in hits[:3])
    manifest = json.loads(subprocess.run([sys.executable, "-m", "kb", "stats", "--json"], capture_output=True,
                                         text=True, env=dict(os.environ, KB_HOME=str(real_home))).stdout)
    assert manifest["model"]["backend"] == "onnx" and manifest["model"]["precision"] == cfg.embed_precision
    assert manifest["embedder"]["backend"] == "onnx"


def _tiny_model(folder: Path, pooling: str, dense: bool = False) -> Path:
    """A randomly initialised 2-layer BERT with m3e-small's tokenizer, saved as a sentence-transformers folder."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel

    try:
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers import models

    from kb.model_files import resolve_model_path

    torch.manual_seed(0)
    hf = folder.parent / (folder.name + "-hf")
    BertModel(BertConfig(vocab_size=21128, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=128)).save_pretrained(hf)
    m3e = resolve_model_path("m3e-small")
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(m3e / name, hf / name)
    modules = [models.Transformer(str(hf), max_seq_length=64), models.Pooling(32, pooling_mode=pooling)]
    if dense:
        modules.append(models.Dense(32, 16))
    modules.append(models.Normalize())
    SentenceTransformer(modules=modules, device="cpu").save(str(folder))
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("pooling", ["cls", "max"])
def test_custom_model_folder_is_exported_with_its_own_pooling(tmp_path, pooling):
    folder = _tiny_model(tmp_path / "tiny", pooling)
    assert read_pipeline_config(folder).pooling == (pooling,)
    onnx = OnnxEmbedder(str(folder), cache_root=tmp_path / "cache")
    torch_emb = SentenceTransformerEmbedder(str(folder))
    long_text = "小微企业质量管理体系认证提升行动" * 10  # longer than max_seq_length=64: truncated alike
    texts = [*SENTENCES, long_text]
    a, b = onnx.embed(texts), torch_emb.embed(texts)
    assert onnx.backend == "onnx" and a.shape == b.shape == (len(texts), 32)
    assert np.sum(a * b, axis=1).min() >= 0.9999


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated model", "bad meta"])
def test_damaged_export_is_exported_again(tmp_path, damage, caplog):
    """A cached export damaged after it was made (a disk full mid-copy, a stray edit) is removed
    and exported again from the model's files, instead of failing every search."""
    folder = _tiny_model(tmp_path / "tiny", "mean")
    cache = tmp_path / "cache"
    first = OnnxEmbedder(str(folder), cache_root=cache)
    before = first.embed(SENTENCES)
    export = first.folder
    if damage == "truncated model":
        with open(export / "model.onnx", "r+b") as fh:
            fh.truncate(1000)
    else:
        (export / "meta.json").write_text("{bad", encoding="utf-8")
    again = OnnxEmbedder(str(folder), cache_root=cache)  # a later process
    with caplog.at_level("WARNING", logger="kb.embedding"):
        after = again.embed(SENTENCES)
    assert again.backend == "onnx" and again.folder == export
    assert "已损坏" in caplog.text and "将删除并重新导出" in caplog.text
    assert (export / "model.onnx").stat().st_size > 1000 and json.loads((export / "meta.json").read_text("utf-8"))
    assert np.sum(before * after, axis=1).min() >= 0.9999


@pytest.mark.slow
def test_custom_model_that_cannot_be_exported_runs_through_sentence_transformers(tmp_path):
    folder = _tiny_model(tmp_path / "tiny-dense", "mean", dense=True)
    home = tmp_path / "home"
    _write_corpus(home)
    env = dict(os.environ, KB_HOME=str(home), KB_MODEL=str(folder), KB_CACHE_DIR=str(tmp_path / "cache"))
    ingest = subprocess.run([sys.executable, "-m", "kb", "ingest", "-q"], env=env, capture_output=True, text=True)
    assert ingest.returncode == 0, ingest.stderr
    assert "改用 sentence-transformers" in ingest.stderr
    stats = subprocess.run([sys.executable, "-m", "kb", "stats"], env=env, capture_output=True, text=True).stdout
    assert "索引向量由 sentence-transformers（PyTorch，fp32）生成" in stats and "Dense" in stats
    search = subprocess.run([sys.executable, "-m", "kb", "search", "认证贷", "--json"], env=env,
                            capture_output=True, text=True)
    assert search.returncode == 0 and json.loads(search.stdout)["results"]
