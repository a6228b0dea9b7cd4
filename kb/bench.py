"""``kb bench``: speed and memory figures, reported as medians (never as timed tests).

* ingest  — cold ingest of the shipped corpus in a fresh process (model load included),
            re-ingest with nothing changed, embedding throughput before/after (PyTorch vs ONNX);
* query   — warm latency p50/p95 per mode on the shipped corpus (query embedding included);
* scale   — a synthetic corpus of N chunks (text re-combined from corpus sentences, vectors
            are random unit vectors): hybrid latency, resident memory, flat vs HNSW recall;
* startup — process start to answer of ``kb search`` and its peak memory (bm25, hybrid, and
            hybrid through PyTorch as before);
* ocr     — scans generated from the shipped report's text (Noto CJK, dense A4 at 200 dpi,
            degraded: 1° skew, blur, noise, JPEG): character accuracy and seconds per page.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .config import KBConfig

# questions as owners, auditors and trainers type them (written for the benchmark; whole answers are timed)
SAMPLE_QUESTIONS = [
    "我们是做雨伞的小厂，认证能带来什么？", "老板不重视质量，什么都交给手下", "参加以后利润能多几个点",
    "拿着证书去银行能借到钱吗", "家纺企业产品缺陷率高怎么办", "政府一共补了多少钱", "哪几个省搞得最好",
    "厂里没人懂质量管理咋整", "认证费用能减免多少", "下一步国家还打算怎么搞", "报告总结了哪几条经验",
    "种黄芪的，产值涨到多少", "认证机构水平参差不齐吗", "有证书投标能加分吗", "啥叫采信",
    "小厂拿完证就不管体系了，这问题普遍吗", "大厂带着供应商小厂一起搞质量有这种做法吗",
    "宣传培训借啥节日", "江苏认证贷一共放了多少钱", "客户投诉多怎么解决",
]
SAMPLE_QUERIES = [
    "家纺企业产品缺陷率高", "认证贷", "江苏发放了多少认证融资贷款", "雨伞产业共富工坊", "黄芪产值",
    "小微企业质量管理能力不足", "认证机构帮扶", "电动自行车商标专利", "地理信息企业质量问题", "区域试点效果",
]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _kb_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kb", *args]


def _time_cmd(cmd: list[str], env: dict) -> tuple[float, float, int]:
    """Wall seconds, peak resident memory (MB) and exit code of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, usage.ru_maxrss / 1024, proc.returncode


def _ingest_texts() -> tuple[list[str], int]:
    """The sentences ingest embeds for the shipped corpus, and the number of chunks they come from."""
    from .indexing import sentences_of
    from .pipeline import parse_document

    texts, n_chunks = [], 0
    for path in sorted(KBConfig().corpus_dir.iterdir()):
        try:
            chunks = parse_document(path).chunks
        except Exception:
            continue
        n_chunks += len(chunks)
        texts += [s for c in chunks for s in sentences_of(c)]
    return texts, n_chunks


EMBED_ONCE = """
import json, sys, time
from kb.embedding import make_embedder
texts_file, model, batch, backend, precision, per_call = sys.argv[1:7]
texts = json.load(open(texts_file, encoding="utf-8"))
emb = make_embedder(model, int(batch), backend, precision)
emb.embed(texts[:2])  # load (and export, the first time) outside the timing
passes = []
for _ in range(3):
    t = time.perf_counter()
    for start in range(0, len(texts), int(per_call)):
        emb.embed(texts[start:start + int(per_call)])
    passes.append(time.perf_counter() - t)
print(json.dumps({"seconds": sorted(passes)[1], "backend": emb.identity()["backend"]}))
"""


BEFORE_BATCH = 8  # texts per call to PyTorch in the ingest before ONNX (and its model batch size)


def bench_embedding(repeat: int) -> dict:
    """Ingest embedding throughput, before and after, in one run (interleaved, medians: each
    repeat runs every variant in a fresh process, which reports the median of three passes).

    * ``before``: sentence-transformers (PyTorch), handed ``BEFORE_BATCH`` (8) texts per call, as
      ingest did before (each call is padded to its longest text);
    * ``after``: ONNX Runtime at the configured precision (int8 weight-only by default), handed
      ``embed_call_texts`` texts per call (sorted by length inside, so batches pad little), as
      ingest does now;
    * the combinations in between separate the effects: sorted batches alone (PyTorch, large
      calls) and ONNX Runtime alone (fp32, large calls).
    """
    cfg = KBConfig()
    texts, n_chunks = _ingest_texts()
    chars = sum(map(len, texts))
    large, batch = max(1, cfg.embed_call_texts), max(1, cfg.embed_batch_size)
    precision = cfg.embed_precision if cfg.embed_backend == "onnx" else "int8"
    # name: (backend, precision, texts per call, texts per model batch)
    variants = {
        "before: sentence-transformers, calls of %d" % BEFORE_BATCH: ("sentence-transformers", "fp32", BEFORE_BATCH,
                                                                      BEFORE_BATCH),
        "sentence-transformers, calls of %d" % large: ("sentence-transformers", "fp32", large, batch),
        "onnx fp32, calls of %d" % large: ("onnx", "fp32", large, batch),
        "after: onnx %s, calls of %d" % (precision, large): ("onnx", precision, large, batch),
    }
    if precision == "fp32":
        variants["onnx int8, calls of %d" % large] = ("onnx", "int8", large, batch)
    runs: dict[str, list[float]] = {name: [] for name in variants}
    used: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="kb-bench-embed-") as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        for _ in range(repeat):
            for name, (backend, precision, per_call, per_batch) in variants.items():
                # Each measurement in a fresh process holding one embedder, as an ingest worker does:
                # PyTorch's idle OpenMP threads would otherwise spin on the cores the next variant uses.
                proc = subprocess.run(
                    [sys.executable, "-c", EMBED_ONCE, str(texts_file), cfg.model, str(per_batch), backend,
                     precision, str(per_call)],
                    env=dict(os.environ, HF_HUB_OFFLINE="1"), capture_output=True, text=True)
                if proc.returncode != 0:
                    raise RuntimeError(f"embedding benchmark ({name}) failed: {proc.stderr[-500:]}")
                result = json.loads(proc.stdout.strip().splitlines()[-1])
                runs[name].append(result["seconds"])
                used[name] = result["backend"]
    out = {"sentences": len(texts), "chunks": n_chunks, "chars": chars, "repeat": repeat, "variants": {}}
    for name, (_backend, precision, per_call, _batch) in variants.items():
        secs = statistics.median(runs[name])
        out["variants"][name] = {"backend": used[name], "precision": precision,
                                 "texts_per_call": per_call, "seconds": secs,
                                 "sentences_per_s": len(texts) / secs, "chars_per_s": chars / secs}
    rate = {name.split(":")[0]: v["sentences_per_s"] for name, v in out["variants"].items()}
    out["speedup_after_vs_before"] = rate["after"] / rate["before"]
    out["load_avg"] = os.getloadavg()
    return out


def bench_ingest(repeat: int) -> dict:
    from .embedding import make_embedder

    cfg = KBConfig()
    make_embedder(cfg.model, cfg.embed_batch_size, cfg.embed_backend, cfg.embed_precision).embed(["预热"])  # export once
    src = cfg.corpus_dir
    cold, warm = [], []
    for _ in range(repeat):
        home = Path(tempfile.mkdtemp(prefix="kb-bench-"))
        try:
            shutil.copytree(src, home / "corpus")
            env = dict(os.environ, KB_HOME=str(home), HF_HUB_OFFLINE="1")
            cold.append(_time_cmd(_kb_cmd("ingest", "-q"), env)[0])
            warm.append(_time_cmd(_kb_cmd("ingest", "-q"), env)[0])
        finally:
            shutil.rmtree(home, ignore_errors=True)
    return {"cold_ingest_s": statistics.median(cold), "reingest_unchanged_s": statistics.median(warm),
            "repeat": repeat, "embedding": bench_embedding(repeat)}


@contextlib.contextmanager
def _torch_home(cfg: KBConfig):
    """A KB_HOME whose index PyTorch can query (fp32 vectors): the configured one if it is fp32,
    else a temporary copy of the corpus ingested at fp32 (ONNX fp32 and PyTorch share an index)."""
    if cfg.embed_precision == "fp32":
        yield cfg.home
        return
    home = Path(tempfile.mkdtemp(prefix="kb-bench-fp32-"))
    try:
        shutil.copytree(cfg.corpus_dir, home / "corpus")
        env = dict(os.environ, KB_HOME=str(home), HF_HUB_OFFLINE="1", KB_EMBED_PRECISION="fp32")
        if _time_cmd(_kb_cmd("ingest", "-q"), env)[2] != 0:
            raise RuntimeError("kb ingest (fp32) failed")
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


# what ``kb search`` prints, the API returns and the app shows for one question: the hybrid
# results plus the direct answer, the comparable cases, the notes (KnowledgeBase.search_json)
FULL_QUERY = "full"


def bench_query(repeat: int) -> dict:
    """Warm latency per mode (query embedding included); ``full``: a whole answer as ``kb search``
    and the API give it (search_json); hybrid also through sentence-transformers (the previous
    default), on an fp32 index of the same corpus."""
    from dataclasses import replace

    cfg = KBConfig()
    with _torch_home(cfg) as torch_home:
        return _bench_query(repeat, [(mode, cfg) for mode in ("bm25", "dense", "hybrid", FULL_QUERY)] + [
            ("hybrid (sentence-transformers)",
             replace(cfg, home=torch_home, embed_backend="sentence-transformers", embed_precision="fp32"))])


def _bench_query(repeat: int, runs: list) -> dict:
    from .knowledge_base import KnowledgeBase

    out = {}
    for name, config in runs:
        kb = KnowledgeBase(config)
        kb.warm_up()
        if name == FULL_QUERY:
            out[name] = _bench_full(kb, repeat)
            continue
        mode = name.split()[0]
        times = []
        for _ in range(repeat):
            for q in SAMPLE_QUERIES:
                t = time.perf_counter()
                kb.search(q, top_k=10, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
        out[name] = {"p50_ms": statistics.median(times), "p95_ms": _pct(times, 0.95), "n": len(times)}
    return out


def _bench_full(kb, repeat: int) -> dict:
    """A whole answer (search_json) for each of SAMPLE_QUESTIONS: the first pass asks each question
    for the first time in this process (its passages may have been seen for another question),
    later passes ask them again (word spans, place spans, expansions and query vectors are kept)."""
    first, again = [], []
    for r in range(repeat):
        for q in SAMPLE_QUESTIONS:
            t = time.perf_counter()
            kb.search_json(q, top_k=10)
            (again if r else first).append((time.perf_counter() - t) * 1000)
    out = {"p50_ms": statistics.median(first), "p95_ms": _pct(first, 0.95), "n": len(first)}
    if again:
        out["again"] = {"p50_ms": statistics.median(again), "p95_ms": _pct(again, 0.95), "n": len(again)}
    return out


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def bench_scale(n_chunks: int, repeat: int, kinds=("flat", "ivf", "hnsw")) -> dict:
    """Run :func:`bench_scale_one` for each index kind in a fresh process (clean memory figures)."""
    out: dict = {"indexes": {}}
    for kind in kinds:
        proc = subprocess.run(
            _kb_cmd("bench", "scale", "--index", kind, "--scale-chunks", str(n_chunks), "--repeat", str(repeat),
                    "--json"), capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
        if proc.returncode != 0:
            out["indexes"][kind] = {"error": proc.stderr.strip()[-300:]}
            continue
        one = json.loads(proc.stdout)["scale"]
        out["indexes"][kind] = one["indexes"][kind]
        out.update({k: v for k, v in one.items() if k != "indexes"})
    return out


def bench_scale_one(n_chunks: int, repeat: int, kind: str) -> dict:
    """Synthetic corpus of ``n_chunks`` chunks of 3–6 corpus sentences each.

    Text: corpus sentences recombined at random (for BM25). Vectors: the real model's vectors
    of those corpus sentences plus Gaussian noise (cosine ≈ 0.85 to the source), so they keep
    the clustered shape of real embeddings; random unit vectors would make every ANN index
    look bad. Measures hybrid latency (query embedding, BM25, FAISS over sentence vectors,
    per-chunk max, RRF), resident memory, and each FAISS index type's recall@10 vs flat.
    """
    from .bm25_index import BM25Index
    from .fusion import rrf
    from .vector_index import VectorIndex

    rss0 = _rss_mb()
    data = _synthetic(n_chunks)
    emb, tok, dim, vecs, owners_arr = data["embedder"], data["tokenizer"], data["dim"], data["vectors"], data["owners"]
    t = time.perf_counter()
    bm25 = BM25Index.build(data["tokens"])
    bm25_build = time.perf_counter() - t
    del data
    result = {"chunks": n_chunks, "sentence_vectors": len(vecs),
              "vectors": "real m3e-small vectors of corpus sentences + Gaussian noise", "bm25_build_s": bm25_build,
              "indexes": {}}
    queries = SAMPLE_QUERIES
    qvecs = emb.embed(queries)
    truth = [set(np.argsort(-(vecs @ q), kind="stable")[:10].tolist()) for q in qvecs]
    t = time.perf_counter()
    index = VectorIndex.build(vecs, dim, kind=kind)
    build = time.perf_counter() - t
    del vecs
    gc.collect()
    cfg = KBConfig()
    n_cand = cfg.candidates
    times, recall = [], []
    for _ in range(repeat):
        for q, qv, want in zip(queries, qvecs, truth):
            t = time.perf_counter()
            qv2 = emb.embed([q])[0]  # the query embedding is part of the latency
            bm = bm25.scores(tok.tokenize(q))
            top_b = np.argpartition(-bm, n_cand)[:n_cand]
            top_b = top_b[np.argsort(-bm[top_b])]
            ids, _ = index.search(qv2, n_cand * cfg.sentences_per_candidate)
            seen, dense = set(), []
            for sid in ids:
                chunk = int(owners_arr[sid])
                if chunk not in seen:
                    seen.add(chunk)
                    dense.append(chunk)
            rrf([top_b.tolist(), dense[:n_cand]], [cfg.bm25_weight, cfg.dense_weight], cfg.rrf_k)
            times.append((time.perf_counter() - t) * 1000)
            recall.append(len(want & set(index.search(qv, 10)[0].tolist())) / 10)
    result["indexes"][kind] = {"build_s": build, "hybrid_p50_ms": statistics.median(times),
                               "hybrid_p95_ms": _pct(times, 0.95), "recall@10_vs_flat": statistics.mean(recall),
                               "rss_mb": _rss_mb()}
    result["rss_start_mb"] = rss0
    return result


def _synthetic(n_chunks: int) -> dict:
    """Synthetic corpus of ``n_chunks`` chunks of 3–6 corpus sentences each (fixed seeds)."""
    from .cleaning import clean_document, split_sentences
    from .embedding import make_embedder
    from .loaders import load_document
    from .tokenizer import Tokenizer

    rng = random.Random(7)
    nrng = np.random.default_rng(7)
    sentences = []
    for path in sorted(KBConfig().corpus_dir.iterdir()):
        try:
            for p in clean_document(load_document(path)):
                sentences += [s for _, s in split_sentences(p.text)]
        except Exception:
            continue
    tok = Tokenizer()
    emb = make_embedder(KBConfig().model)
    base = emb.embed(sentences)
    dim = base.shape[1]
    sent_tokens = [tok.tokenize(s) for s in sentences]
    corpus_tokens, owners, sources = [], [], []
    for c in range(n_chunks):
        picks = rng.sample(range(len(sentences)), rng.randint(3, 6))
        corpus_tokens.append([t for i in picks for t in sent_tokens[i]])
        owners += [c] * len(picks)
        sources += picks
    vecs = base[np.asarray(sources)] + nrng.standard_normal((len(sources), dim)).astype(np.float32) * 0.027
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return {"tokens": corpus_tokens, "owners": np.asarray(owners, dtype=np.int64), "vectors": vecs, "dim": dim,
            "embedder": emb, "tokenizer": tok, "texts": [sentences[i] for i in sources]}


WARM_UP = """
import time
from kb.knowledge_base import KnowledgeBase
kb = KnowledgeBase()
t = time.perf_counter()
kb.warm_up()
print(time.perf_counter() - t)
"""


def bench_startup(repeat: int) -> dict:
    """``kb search`` from process start to answer, and its peak memory, per mode (interleaved, medians).

    ``hybrid (sentence-transformers)`` is the previous default path (PyTorch), for comparison.
    """
    cfg = KBConfig()
    with _torch_home(cfg) as torch_home:
        return _bench_startup(repeat, cfg, torch_home)


def _bench_startup(repeat: int, cfg: KBConfig, torch_home: Path) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    runs = {"bm25": ("bm25", env), "hybrid": ("hybrid", env),
            "hybrid (sentence-transformers)": ("hybrid", dict(env, KB_HOME=str(torch_home), KB_EMBED_PRECISION="fp32",
                                                              KB_EMBED_BACKEND="sentence-transformers"))}
    # The first hybrid search after an ingest also computes the candidates' token vectors
    # (kb.token_match) and stores them; every later one reads them back.
    from .retrieval import TOKEN_CACHE

    # ... measured in a copy of the home, so the user's own token cache is never removed
    scratch = Path(tempfile.mkdtemp(prefix="kb-bench-tokens-"))
    shutil.copytree(cfg.index_dir, scratch / "indexes", symlinks=True,
                    ignore=shutil.ignore_patterns(TOKEN_CACHE, "*.tmp", "*.lock"))
    runs["hybrid (token cache empty)"] = ("hybrid", dict(env, KB_HOME=str(scratch)))
    token_cache = scratch / "indexes" / TOKEN_CACHE
    times: dict[str, list[float]] = {k: [] for k in runs}
    rss: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeat):
        for name, (mode, run_env) in runs.items():
            if name == "hybrid (token cache empty)":
                shutil.rmtree(token_cache, ignore_errors=True)
            secs, peak, code = _time_cmd(_kb_cmd("search", "家纺企业产品缺陷率高", "--mode", mode, "--json"), run_env)
            if code != 0:
                raise RuntimeError(f"kb search --mode {mode} exited with {code}")
            times[name].append(secs)
            rss[name].append(peak)
    shutil.rmtree(scratch, ignore_errors=True)
    out = {name: {"median_s": statistics.median(times[name]), "peak_rss_mb": statistics.median(rss[name]),
                  "n": repeat} for name in runs}
    out["hybrid_over_bm25"] = out["hybrid"]["median_s"] / out["bm25"]["median_s"]
    # The web app answers with BM25 until KnowledgeBase.warm_up() (jieba + model) has finished.
    warm = {"onnx": env, "sentence-transformers": runs["hybrid (sentence-transformers)"][1]}
    out["app_warm_up_s"] = {}
    for name, run_env in warm.items():
        secs = []
        for _ in range(repeat):
            proc = subprocess.run([sys.executable, "-c", WARM_UP], env=run_env, capture_output=True, text=True)
            secs.append(float(proc.stdout.strip().splitlines()[-1]))
        out["app_warm_up_s"][name] = statistics.median(secs)
    out["load_avg"] = os.getloadavg()
    return out


OCR_CHARS_PER_LINE, OCR_LINES_PER_PAGE = 34, 36  # 14.4 pt type on A4: a dense page of ~1 200 characters


def bench_ocr(pages: int = 5) -> dict:
    """OCR ``pages`` generated scans of the shipped report's text (in this process, as the
    worker does); accuracy is 1 − edit distance / characters, per page."""
    from . import ocr
    from .cleaning import clean_document
    from .loaders import load_document
    from .scan_samples import Degradation, character_accuracy, find_cjk_font, wrap_lines, write_scan_pdf

    if find_cjk_font() is None:
        return {"error": "找不到中文字体（Noto CJK），无法生成扫描样张；请安装：apt-get install fonts-noto-cjk"}
    report = next(p for p in sorted(KBConfig().corpus_dir.iterdir()) if p.suffix == ".txt")
    text = "".join(p.text for p in clean_document(load_document(report)))
    lines = wrap_lines(text, OCR_CHARS_PER_LINE)
    truth = [lines[i * OCR_LINES_PER_PAGE:(i + 1) * OCR_LINES_PER_PAGE] for i in range(pages)]
    truth = [t for t in truth if t]
    how = Degradation()
    folder = Path(tempfile.mkdtemp(prefix="kb-bench-ocr-"))
    try:
        pdf = write_scan_pdf(folder / "scan.pdf", truth, dpi=200, how=how)
        t = time.perf_counter()
        ocr.load_engine()
        load_s = time.perf_counter() - t
        events, cpu = [], []

        def progress(event) -> None:
            events.append(event)
            cpu.append(time.process_time())  # all threads of this process: independent of other load

        settings = ocr.OcrSettings(max_pages=len(truth), max_seconds=float("inf"))
        doc = load_document(pdf, settings, progress=progress)
        # The first page again, fed in upright, on its side (both ways) and upside down.
        turns = (0, 90, 180, 270)
        turned_pdf = write_scan_pdf(folder / "turned.pdf", [truth[0]] * len(turns), dpi=200, how=how, turns=turns)
        turned = {}
        for n, turn in enumerate(turns, start=1):
            t = time.perf_counter()
            got = ocr.ocr_pdf_pages(turned_pdf, [n], settings)[0]
            turned[f"{turn}°"] = {"seconds": time.perf_counter() - t, "turned_back": got.turned,
                                  "accuracy": character_accuracy("".join(truth[0]), got.text)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    done = [e.seconds for e in events if e.kind == "page"]
    per_page = [b - a for a, b in zip([0.0, *done], done)]
    cpu_per_page = [b - a for a, b in zip(cpu, cpu[1:])]
    acc = [character_accuracy("".join(t), p.text) for t, p in zip(truth, doc.pages)]
    exact = [character_accuracy("".join(t), p.text, fold=False) for t, p in zip(truth, doc.pages)]
    return {
        "pages": len(truth), "chars": sum(len("".join(t)) for t in truth),
        "scan": f"A4 200 dpi, {OCR_CHARS_PER_LINE}×{OCR_LINES_PER_PAGE} 字/页, 倾斜 {how.skew_deg}°, 模糊 {how.blur}, "
                f"噪声 σ={how.noise}, JPEG 质量 {how.jpeg_quality}",
        "accuracy_mean": statistics.mean(acc), "accuracy_min": min(acc), "accuracy_exact_mean": statistics.mean(exact),
        "confidence_mean": statistics.mean(p.ocr_confidence or 0.0 for p in doc.pages),
        "seconds_per_page_median": statistics.median(per_page), "seconds_per_page_max": max(per_page),
        "cpu_seconds_per_page_median": statistics.median(cpu_per_page), "model_load_s": load_s,
        "turned_pages": turned, "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
    }


def run_bench(args) -> int:
    what = args.what
    report = {}
    if what in ("all", "ingest"):
        report["ingest"] = bench_ingest(args.repeat)
    if what in ("all", "query"):
        report["query"] = bench_query(args.repeat)
    if what in ("all", "startup"):
        report["startup"] = bench_startup(args.repeat)
    if what in ("all", "ocr"):
        report["ocr"] = bench_ocr(getattr(args, "ocr_pages", 5))
    if what in ("all", "api"):
        report["api"] = bench_api(args.clients, args.requests, args.mode)
    if what in ("all", "backends"):
        report["backends"] = bench_backends(args.repeat)
    if what in ("all", "scale-milvus"):
        report["scale_milvus"] = bench_scale_milvus(args.scale_chunks, max(1, args.repeat // 2))
    if what in ("all", "scale"):
        if args.index:
            report["scale"] = bench_scale_one(args.scale_chunks, max(1, args.repeat // 2), args.index)
        else:
            report["scale"] = bench_scale(args.scale_chunks, max(1, args.repeat // 2))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    _print(report)
    return 0


def _print(r: dict) -> None:
    if "api" in r:
        a = r["api"]
        print(f"HTTP API（kb serve，127.0.0.1，{a['backend']} 后端，{a['mode']}）：{a['clients']} 个并发客户端 × "
              f"{a['requests_per_client']} 次 = {a['total']} 次请求，p50 {a['p50_ms']:.1f} ms，p95 {a['p95_ms']:.1f} ms，"
              f"错误 {a['errors']}，吞吐 {a['throughput_rps']:.1f} 次/s")
    if "backends" in r:
        b = r["backends"]
        ing = b["ingest"]
        print(f"冷启动导入随附语料（中位数，{ing['local']['n']} 次）：local {ing['local']['cold_ingest_s']:.2f} s，"
              f"milvus（Milvus Lite）{ing['milvus']['cold_ingest_s']:.2f} s（其中写入 Milvus {ing['milvus'].get('publish_s', 0):.2f} s）")
        for label, key in (("查询", "query"), ("带地区筛选的查询", "query_filtered")):
            for mode in ("bm25", "dense", "hybrid"):
                lo, mi = b[key]["local"][mode], b[key]["milvus"][mode]
                print(f"{label} {mode:<6}：local p50 {lo['p50_ms']:.1f} / p95 {lo['p95_ms']:.1f} ms；"
                      f"milvus p50 {mi['p50_ms']:.1f} / p95 {mi['p95_ms']:.1f} ms（各 {lo['n']} 次）")
    if "backends" in r and "engine" in r["backends"]:
        for name, e in r["backends"]["engine"].items():
            for label, x in e.items():
                what = "无筛选" if label == "none" else "地区筛选"
                print(f"检索引擎本身（{name}，{what}，不含查询向量化，{x['n']} 次）：关键词 p50 {x['keyword_p50_ms']:.2f} / "
                      f"p95 {x['keyword_p95_ms']:.2f} ms；向量 p50 {x['vector_p50_ms']:.2f} / p95 {x['vector_p95_ms']:.2f} ms")
    if "scale_milvus" in r:
        m = r["scale_milvus"]
        rss = f"{m['milvus_server_rss_mb']:.0f} MB" if m.get("milvus_server_rss_mb") else "未测得"
        print(f"合成语料 {m['chunks']} 块、{m['sentence_vectors']} 个句向量写入 Milvus Lite：{m['load_s']:.1f} s；"
              f"混合检索 p50 {m['hybrid_p50_ms']:.1f} ms，p95 {m['hybrid_p95_ms']:.1f} ms；"
              f"Milvus Lite 服务进程常驻内存 {rss}")
    if "ingest" in r:
        i = r["ingest"]
        print(f"导入（中位数，{i['repeat']} 次）：冷启动导入 {i['cold_ingest_s']:.2f} s（含模型加载），"
              f"无变化重导入 {i['reingest_unchanged_s']:.2f} s")
        e = i["embedding"]
        print(f"导入时的嵌入吞吐（{e['sentences']} 句、{e['chars']} 字，中位数，{e['repeat']} 次，交替测量）：")
        for name, v in e["variants"].items():
            print(f"  {name:<42} {v['sentences_per_s']:7.1f} 句/s  {v['chars_per_s']:8.0f} 字/s")
        print(f"  after / before = {e['speedup_after_vs_before']:.2f}×")
    if "query" in r:
        for mode, q in r["query"].items():
            if mode == FULL_QUERY:
                again = q.get("again")
                print(f"完整回答（检索+直接回答+参考案例，即 kb search / API）：首次提问 p50 {q['p50_ms']:.1f} ms，"
                      f"p95 {q['p95_ms']:.1f} ms（{q['n']} 个问题）"
                      + (f"；再问一遍 p50 {again['p50_ms']:.1f} ms，p95 {again['p95_ms']:.1f} ms（{again['n']} 次）"
                         if again else ""))
                continue
            print(f"查询延迟 {mode:<6}：p50 {q['p50_ms']:.1f} ms，p95 {q['p95_ms']:.1f} ms（{q['n']} 次）")
    if "startup" in r:
        s = r["startup"]
        for mode, v in s.items():
            if isinstance(v, dict) and "median_s" in v:
                print(f"kb search 进程启动到答案（{mode}）：{v['median_s']:.2f} s，峰值内存 {v['peak_rss_mb']:.0f} MB（中位数）")
        print(f"  hybrid / bm25 = {s['hybrid_over_bm25']:.2f}×")
        for name, secs in s.get("app_warm_up_s", {}).items():
            print(f"网页界面的模型预热（{name}，新进程中 KnowledgeBase.warm_up()）：{secs:.2f} s（中位数）")
    if "ocr" in r:
        o = r["ocr"]
        if "error" in o:
            print(f"OCR：{o['error']}")
        else:
            print(f"OCR（{o['pages']} 页生成的扫描件，共 {o['chars']} 字；{o['scan']}）：字符准确率 平均 "
                  f"{o['accuracy_mean']:.2%}、最低 {o['accuracy_min']:.2%}（不折叠全角/半角：{o['accuracy_exact_mean']:.2%}），"
                  f"平均置信度 {o['confidence_mean']:.3f}；每页 {o['seconds_per_page_median']:.1f} s（中位数，最慢 "
                  f"{o['seconds_per_page_max']:.1f} s；CPU 时间每页 {o['cpu_seconds_per_page_median']:.1f} s；"
                  f"{o['cpus']} 核，测量时系统负载 {o['load_average']:.1f}），模型加载 {o['model_load_s']:.1f} s")
            for turn, x in o.get("turned_pages", {}).items():
                print(f"  第 1 页转了 {turn} 送入扫描仪：{x['seconds']:.1f} s，转回 {x['turned_back']}°，"
                      f"字符准确率 {x['accuracy']:.2%}")
    if "scale" in r:
        s = r["scale"]
        print(f"合成语料 {s.get('chunks')} 块、{s.get('sentence_vectors')} 个句向量（{s.get('vectors')}）")
        for kind, x in s["indexes"].items():
            if "error" in x:
                print(f"  {kind:<5} 失败：{x['error']}")
                continue
            print(f"  {kind:<5} 构建 {x['build_s']:.1f} s，混合检索 p50 {x['hybrid_p50_ms']:.1f} ms，"
                  f"p95 {x['hybrid_p95_ms']:.1f} ms，recall@10（相对 flat）{x['recall@10_vs_flat']:.3f}，"
                  f"常驻内存 {x['rss_mb']:.0f} MB")


# --------------------------------------------------------------------------- HTTP API load

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_api(clients: int = 16, requests: int = 200, mode: str = "hybrid") -> dict:
    """``kb serve`` in its own process on 127.0.0.1; ``clients`` threads with one keep-alive
    connection each send ``requests`` searches; latency per request, errors, throughput."""
    import http.client
    import threading
    import urllib.parse

    port = _free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    proc = subprocess.Popen(_kb_cmd("serve", "--port", str(port), "--rate", "0"), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode(errors="replace")[-500:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("kb serve 没有在 180 秒内就绪")
            time.sleep(0.3)
        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine, bad = [], []
            for i in range(requests):
                q = SAMPLE_QUERIES[(n + i) % len(SAMPLE_QUERIES)]
                path = "/api/search?" + urllib.parse.urlencode({"q": q, "mode": mode, "top_k": 10})
                t = time.perf_counter()
                try:
                    conn.request("GET", path)
                    r = conn.getresponse()
                    body = r.read()
                    if r.status != 200 or not json.loads(body).get("results"):
                        bad.append(f"{r.status}")
                except Exception as exc:  # counted, not raised: the figure is the error count
                    bad.append(type(exc).__name__)
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                mine.append((time.perf_counter() - t) * 1000)
            conn.close()
            with lock:
                times.extend(mine)
                errors.extend(bad)

        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for q in SAMPLE_QUERIES:  # one request per query first, so the figures are warm
            warm.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q, "mode": mode}))
            warm.getresponse().read()
        warm.close()
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return {"clients": clients, "requests_per_client": requests, "mode": mode, "total": len(times),
            "errors": len(errors), "error_kinds": sorted(set(errors)), "p50_ms": statistics.median(times),
            "p95_ms": _pct(times, 0.95), "throughput_rps": len(times) / wall, "wall_s": wall,
            "backend": os.environ.get("KB_BACKEND", "local")}


# --------------------------------------------------------------------------- local vs Milvus Lite

def _query_latency(kb, repeat: int, filters=None) -> dict:
    out = {}
    for mode in ("bm25", "dense", "hybrid"):
        times = []
        for _ in range(repeat):
            for q in SAMPLE_QUERIES:
                t = time.perf_counter()
                kb.search(q, top_k=10, mode=mode, filters=filters)
                times.append((time.perf_counter() - t) * 1000)
        out[mode] = {"p50_ms": statistics.median(times), "p95_ms": _pct(times, 0.95), "n": len(times)}
    return out


def _engine_latency(kb, repeat: int) -> dict:
    """The backend alone: keyword and vector candidates for precomputed terms and query vectors
    (the query embedding, the same for both backends and most of a dense query's time, left out)."""
    from .retrieval import Filters

    snap = kb.snapshot()
    cfg = kb.config
    backend = kb.retriever.backend
    prepared = [(kb.tokenizer.tokenize(kb.expand_query(q)), kb.embedder.embed([kb.expand_query(q)])[0])
                for q in SAMPLE_QUERIES]
    out = {}
    for label, filters in (("none", None), ("region", Filters(region="江苏"))):
        kw, vec = [], []
        for _ in range(repeat):
            for terms, qv in prepared:
                t = time.perf_counter()
                backend.keyword_candidates(snap, terms, filters, cfg.candidates)
                kw.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                backend.vector_candidates(snap, qv, filters, cfg.candidates, cfg.candidates * cfg.sentences_per_candidate)
                vec.append((time.perf_counter() - t) * 1000)
        out[label] = {"keyword_p50_ms": statistics.median(kw), "keyword_p95_ms": _pct(kw, 0.95),
                      "vector_p50_ms": statistics.median(vec), "vector_p95_ms": _pct(vec, 0.95), "n": len(kw)}
    return out


def bench_backends(repeat: int) -> dict:
    """Shipped corpus: cold ingest (fresh process) and warm query latency on both backends."""
    from dataclasses import replace

    from .knowledge_base import KnowledgeBase
    from .retrieval import Filters

    src = KBConfig().corpus_dir
    out: dict = {"ingest": {}, "query": {}, "query_filtered": {}}
    for backend in ("local", "milvus"):
        runs = []
        for _ in range(repeat):
            home = Path(tempfile.mkdtemp(prefix="kb-bench-"))
            try:
                shutil.copytree(src, home / "corpus")
                env = dict(os.environ, KB_HOME=str(home), HF_HUB_OFFLINE="1", KB_BACKEND=backend,
                           KB_MILVUS_URI=str(home / "milvus.db"))
                secs, _peak, code = _time_cmd(_kb_cmd("ingest", "-q"), env)
                if code != 0:
                    raise RuntimeError(f"kb ingest ({backend}) exited with {code}")
                runs.append(secs)
            finally:
                shutil.rmtree(home, ignore_errors=True)
        out["ingest"][backend] = {"cold_ingest_s": statistics.median(runs), "n": repeat}
    home = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    try:
        shutil.copytree(src, home / "corpus")
        config = replace(KBConfig(), home=home, backend="local")
        local = KnowledgeBase(config)
        local.ingest()
        local.warm_up()
        milvus = KnowledgeBase(replace(config, backend="milvus", milvus_uri=str(home / "milvus.db")),
                               embedder=local.embedder)
        milvus.tokenizer = local.tokenizer
        t = time.perf_counter()
        milvus.ingest()  # nothing to parse: publishes the local generation
        out["ingest"]["milvus"]["publish_s"] = time.perf_counter() - t
        try:
            out["engine"] = {}
            for name, kb in (("local", local), ("milvus", milvus)):
                kb.search("预热", mode="hybrid")
                out["query"][name] = _query_latency(kb, repeat)
                out["query_filtered"][name] = _query_latency(kb, repeat, Filters(region="江苏"))
                out["engine"][name] = _engine_latency(kb, repeat * 10)
        finally:
            milvus.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return out


def bench_scale_milvus(n_chunks: int, repeat: int) -> dict:
    """The synthetic corpus of :func:`bench_scale_one` in Milvus Lite: load time and hybrid latency
    (query embedding, BM25 and vector search in Milvus, per-chunk max, RRF)."""
    from dataclasses import replace

    from .fusion import rrf
    from .milvus_backend import MilvusIndex

    data = _synthetic(n_chunks)
    home = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    index = MilvusIndex(replace(KBConfig(), home=home, backend="milvus", milvus_uri=str(home / "milvus.db")))
    try:
        base = "kb_gen_scale"
        t = time.perf_counter()
        index.create_collections(base, data["dim"])
        empty = {"doc_id": "synthetic", "kind": "report", "industries": [], "region_keys": [], "region_text": ""}
        for start in range(0, n_chunks, 2000):
            index.client.insert(f"{base}_chunks", [{"pos": i, "terms": " ".join(data["tokens"][i]), **empty}
                                                   for i in range(start, min(n_chunks, start + 2000))])
        vecs, owners, texts = data["vectors"], data["owners"], data["texts"]
        for start in range(0, len(vecs), 2000):
            index.client.insert(f"{base}_sents", [{"pos": i, "chunk": int(owners[i]), "text": texts[i],
                                                   "vector": vecs[i].tolist(), **empty}
                                                  for i in range(start, min(len(vecs), start + 2000))])
        index.client.flush(f"{base}_chunks")
        index.client.flush(f"{base}_sents")
        load_s = time.perf_counter() - t
        cfg = KBConfig()
        emb, tok = data["embedder"], data["tokenizer"]
        times = []
        index.keyword(base, tok.tokenize("预热"), "", 10)
        for _ in range(repeat):
            for q in SAMPLE_QUERIES:
                t = time.perf_counter()
                qv = emb.embed([q])[0]
                kw = index.keyword(base, tok.tokenize(q), "", cfg.candidates)
                dense, _ = index.vector(base, qv, "", cfg.candidates, cfg.candidates * cfg.sentences_per_candidate)
                rrf([list(kw), list(dense)],
                    [cfg.bm25_weight, cfg.dense_weight], cfg.rrf_k)
                times.append((time.perf_counter() - t) * 1000)
        rss = _child_rss_mb()
        return {"chunks": n_chunks, "sentence_vectors": int(len(vecs)), "load_s": load_s,
                "hybrid_p50_ms": statistics.median(times), "hybrid_p95_ms": _pct(times, 0.95),
                "milvus_server_rss_mb": rss, "client_rss_mb": _rss_mb()}
    finally:
        index.close()
        shutil.rmtree(home, ignore_errors=True)


def _child_rss_mb() -> float | None:
    """Resident memory of the Milvus Lite server process (a child of this one), if found."""
    try:
        children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    except OSError:
        return None
    total = 0.0
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            if "milvus" in Path(f"/proc/{pid}/comm").read_text():
                total += int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024
        except (OSError, StopIteration):
            continue
    return total or None
