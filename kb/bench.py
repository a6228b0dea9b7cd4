"""``kb bench``: speed and memory figures, reported as medians (never as timed tests).

* ingest  — cold ingest of the shipped corpus in a fresh process (model load included),
            re-ingest with nothing changed, embedding throughput;
* query   — warm latency p50/p95 per mode on the shipped corpus (query embedding included);
* scale   — a synthetic corpus of N chunks (text re-combined from corpus sentences, vectors
            are random unit vectors): hybrid latency, resident memory, flat vs HNSW recall;
* startup — process start to first answer of ``kb search`` (bm25 and hybrid).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .config import KBConfig

SAMPLE_QUERIES = [
    "家纺企业产品缺陷率高", "认证贷", "江苏发放了多少认证融资贷款", "雨伞产业共富工坊", "黄芪产值",
    "小微企业质量管理能力不足", "认证机构帮扶", "电动自行车商标专利", "地理信息企业质量问题", "区域试点效果",
]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _kb_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kb", *args]


def _time_cmd(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def bench_ingest(repeat: int) -> dict:
    src = KBConfig().corpus_dir
    cold, warm = [], []
    for _ in range(repeat):
        home = Path(tempfile.mkdtemp(prefix="kb-bench-"))
        try:
            shutil.copytree(src, home / "corpus")
            env = dict(os.environ, KB_HOME=str(home), HF_HUB_OFFLINE="1")
            cold.append(_time_cmd(_kb_cmd("ingest", "-q"), env))
            warm.append(_time_cmd(_kb_cmd("ingest", "-q"), env))
        finally:
            shutil.rmtree(home, ignore_errors=True)
    from .embedding import make_embedder
    from .pipeline import parse_document

    texts = []
    for path in sorted(src.iterdir()):
        try:
            texts += [c.embed_text for c in parse_document(path).chunks]
        except Exception:
            continue
    emb = make_embedder(KBConfig().model)
    emb.embed(texts[:2])  # load the model outside the timing
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        emb.embed(texts)
        runs.append(time.perf_counter() - t)
    secs = statistics.median(runs)
    return {
        "cold_ingest_s": statistics.median(cold), "reingest_unchanged_s": statistics.median(warm),
        "embed_chunks": len(texts), "embed_chunks_per_s": len(texts) / secs,
        "embed_chars_per_s": sum(map(len, texts)) / secs, "repeat": repeat,
    }


def bench_query(repeat: int) -> dict:
    from .knowledge_base import KnowledgeBase

    kb = KnowledgeBase()
    kb.warm_up()
    out = {}
    for mode in ("bm25", "dense", "hybrid"):
        times = []
        for _ in range(repeat):
            for q in SAMPLE_QUERIES:
                t = time.perf_counter()
                kb.search(q, top_k=10, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
        out[mode] = {"p50_ms": statistics.median(times), "p95_ms": _pct(times, 0.95), "n": len(times)}
    return out


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def bench_scale(n_chunks: int, repeat: int) -> dict:
    """Synthetic corpus: text from shuffled corpus sentences; vectors are random unit vectors."""
    from .bm25_index import BM25Index
    from .cleaning import clean_document, split_sentences
    from .embedding import make_embedder
    from .fusion import rrf
    from .loaders import load_document
    from .tokenizer import Tokenizer
    from .vector_index import VectorIndex

    rng = random.Random(7)
    sentences = []
    for path in sorted(KBConfig().corpus_dir.iterdir()):
        try:
            for p in clean_document(load_document(path)):
                sentences += [s for _, s in split_sentences(p.text)]
        except Exception:
            continue
    rss0 = _rss_mb()
    tok = Tokenizer()
    sent_tokens = [tok.tokenize(s) for s in sentences]
    corpus_tokens = []
    for _ in range(n_chunks):
        k = rng.randint(3, 6)
        corpus_tokens.append([t for i in rng.sample(range(len(sentences)), k) for t in sent_tokens[i]])
    t = time.perf_counter()
    bm25 = BM25Index.build(corpus_tokens)
    bm25_build = time.perf_counter() - t
    del corpus_tokens
    emb = make_embedder(KBConfig().model)
    dim = emb.dim or 512
    vecs = np.random.default_rng(7).standard_normal((n_chunks, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    result = {"chunks": n_chunks, "vectors": "random unit vectors", "bm25_build_s": bm25_build, "indexes": {}}
    queries = SAMPLE_QUERIES
    qvecs = emb.embed(queries)
    flat = VectorIndex.build(vecs, dim, kind="flat")
    flat_top = [set(flat.search(q, 10)[0].tolist()) for q in qvecs]
    for kind in ("flat", "hnsw"):
        t = time.perf_counter()
        index = flat if kind == "flat" else VectorIndex.build(vecs, dim, kind="hnsw")
        build = time.perf_counter() - t
        times = []
        recall = []
        for _ in range(repeat):
            for q, qv, truth in zip(queries, qvecs, flat_top):
                t = time.perf_counter()
                bm = bm25.scores(tok.tokenize(q))
                top_b = np.argpartition(-bm, 100)[:100]
                top_b = top_b[np.argsort(-bm[top_b])]
                ids, _ = index.search(qv, 100)
                qv2 = emb.embed([q])[0]  # the query embedding is part of the latency
                del qv2
                rrf([top_b.tolist(), ids.tolist()])
                times.append((time.perf_counter() - t) * 1000)
                recall.append(len(truth & set(ids[:10].tolist())) / 10)
        result["indexes"][kind] = {"build_s": build, "hybrid_p50_ms": statistics.median(times),
                                   "hybrid_p95_ms": _pct(times, 0.95), "recall@10_vs_flat": statistics.mean(recall)}
    result["rss_mb"] = _rss_mb()
    result["rss_start_mb"] = rss0
    return result


def bench_startup(repeat: int) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    out = {}
    for mode in ("bm25", "hybrid"):
        runs = [_time_cmd(_kb_cmd("search", "家纺企业产品缺陷率高", "--mode", mode, "--json"), env) for _ in range(repeat)]
        out[mode] = {"median_s": statistics.median(runs), "n": repeat}
    return out


def run_bench(args) -> int:
    what = args.what
    report = {}
    if what in ("all", "ingest"):
        report["ingest"] = bench_ingest(args.repeat)
    if what in ("all", "query"):
        report["query"] = bench_query(args.repeat)
    if what in ("all", "startup"):
        report["startup"] = bench_startup(args.repeat)
    if what in ("all", "scale"):
        report["scale"] = bench_scale(args.scale_chunks, max(1, args.repeat // 2))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    _print(report)
    return 0


def _print(r: dict) -> None:
    if "ingest" in r:
        i = r["ingest"]
        print(f"导入（中位数，{i['repeat']} 次）：冷启动导入 {i['cold_ingest_s']:.2f} s（含模型加载），"
              f"无变化重导入 {i['reingest_unchanged_s']:.2f} s")
        print(f"嵌入吞吐：{i['embed_chunks_per_s']:.1f} 块/s，{i['embed_chars_per_s']:.0f} 字/s（{i['embed_chunks']} 块）")
    if "query" in r:
        for mode, q in r["query"].items():
            print(f"查询延迟 {mode:<6}：p50 {q['p50_ms']:.1f} ms，p95 {q['p95_ms']:.1f} ms（{q['n']} 次）")
    if "startup" in r:
        for mode, s in r["startup"].items():
            print(f"kb search 进程启动到首个答案（{mode}）：{s['median_s']:.2f} s（中位数）")
    if "scale" in r:
        s = r["scale"]
        print(f"合成语料 {s['chunks']} 块（向量：{s['vectors']}）：常驻内存 {s['rss_mb']:.0f} MB")
        for kind, x in s["indexes"].items():
            print(f"  {kind:<5} 构建 {x['build_s']:.1f} s，混合检索 p50 {x['hybrid_p50_ms']:.1f} ms，"
                  f"p95 {x['hybrid_p95_ms']:.1f} ms，recall@10（相对 flat）{x['recall@10_vs_flat']:.3f}")
