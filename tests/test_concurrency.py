"""Many threads searching one KnowledgeBase while another process ingests.

Every answer is recorded with the generation it came from (``kb.manifest()['generation']``
read before and after the query; an answer is attributed only when both agree, since
generations never come back) and compared with a serial run against a private copy of that
generation. The corpus is copies of the shipped report with one SYNTHETIC sentence each.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import hostile
import numpy as np
import pytest

import kb.knowledge_base as kbmod
from kb import KBConfig, KnowledgeBase
from kb.tokenizer import Tokenizer

REPO = Path(__file__).resolve().parent.parent
THREADS = 16
QUERIES = ("认证贷", "家纺企业产品缺陷率高", "江苏认证融资贷款", "小微企业质量管理体系认证", "培训 帮扶",
           "黄芪", "合成测试副本", "认证机构 帮扶 企业")
MODES = ("hybrid", "bm25", "dense", "cases")


def config(home: Path) -> KBConfig:
    return KBConfig(home=home, model="hash-bigram-64")


def ask(kb: KnowledgeBase, query: str, mode: str) -> list:
    if mode == "cases":
        return kb.cases(problem=query, top_k=5)
    return kb.search(query, top_k=10, mode=mode)


def serial_answers(gen_dir: Path, home: Path, pairs: set[tuple[str, str]], tokenizer: Tokenizer) -> dict:
    """Answers of a fresh KnowledgeBase over a private copy of one generation, one at a time
    (it borrows the loaded jieba tables: same dictionary, and it saves a second of start-up)."""
    index = home / "indexes"
    shutil.copytree(gen_dir, index / gen_dir.name)
    os.symlink(gen_dir.name, index / "current")
    kb = KnowledgeBase(config(home))
    kb.tokenizer = tokenizer
    assert kb.manifest()["generation"] == gen_dir.name
    return {(q, m): ask(kb, q, m) for q, m in sorted(pairs)}


@pytest.fixture()
def one_omp_thread():
    """FAISS parallelises each query with OpenMP, whose idle threads spin; with 16 searching
    threads on a small machine that spinning starves the ingest process. One OpenMP thread
    per query is also what a multi-threaded server wants."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(before)


@pytest.fixture(scope="module")
def base_home(tmp_path_factory) -> Path:
    """An index of two copies of the report (read-only: tests copy it before changing it)."""
    home = tmp_path_factory.mktemp("concurrency")
    hostile.write_copies(home / "corpus", [0, 1])
    hostile.seed_tokenizer_cache(home / "indexes")  # for the ingest process
    kb = KnowledgeBase(config(home))
    kb.tokenizer = hostile.shared_tokenizer()
    assert not kb.ingest().failed
    return home


def test_parallel_searches_during_ingest_equal_serial_answers(base_home, tmp_path, one_omp_thread):
    home = tmp_path / "home"
    shutil.copytree(base_home, home, symlinks=True)
    hostile.write_copies(home / "corpus", [0, 1, 2, 3])  # the other process adds two documents

    kb = KnowledgeBase(config(home))
    kb.tokenizer = hostile.shared_tokenizer()  # loaded jieba tables (loading is tested below)
    kb.warm_up()  # jieba and the model, once, before serving
    tokenizer_tables, embedder = kb.tokenizer._jieba, kb.embedder
    env = dict(os.environ, KB_HOME=str(home), KB_MODEL="hash-bigram-64",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    records: list[tuple[str, str, str, str, list]] = []
    errors: list[str] = []
    stop = threading.Event()
    ready = threading.Barrier(THREADS + 1)
    answered, count_lock = [0], threading.Lock()

    def wait_for_answers(n: int) -> None:
        """Until ``n`` searches have been answered in all (a fast ingest must not leave too few)."""
        deadline = time.monotonic() + 120
        while answered[0] < n and time.monotonic() < deadline:
            time.sleep(0.05)

    def search_loop(seed: int) -> None:
        rng = random.Random(seed)
        local = []
        ready.wait()
        while not stop.is_set():
            query, mode = rng.choice(QUERIES), rng.choice(MODES)
            try:
                before = kb.manifest()["generation"]
                answer = ask(kb, query, mode)
                after = kb.manifest()["generation"]
            except Exception as exc:  # any exception fails the test
                errors.append(f"{query}/{mode}: {type(exc).__name__}: {exc}")
                continue
            local.append((before, after, query, mode, answer))
            with count_lock:
                answered[0] += 1
            # A short random pause: the 16 threads still overlap at random, but leave the
            # (two-core) test machine enough CPU for the ingest process to finish quickly.
            time.sleep(rng.uniform(0, 0.2))
        records.extend(local)

    threads = [threading.Thread(target=search_loop, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    ready.wait()
    wait_for_answers(120)  # the old generation answers a good number first
    ingest = subprocess.Popen([sys.executable, "-m", "kb", "ingest", "-q"], env=env, cwd=home,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = ingest.communicate(timeout=180)
    wait_for_answers(answered[0] + 120)  # then the new one, whatever the ingest took
    stop.set()
    for t in threads:
        t.join()

    assert ingest.returncode == 0, out + err
    assert not errors, errors[:5]
    assert kb.tokenizer._jieba is tokenizer_tables and kb.embedder is embedder
    attributed = [r for r in records if r[0] == r[1]]
    generations = Counter(r[0] for r in attributed)
    assert len(generations) == 2 and min(generations.values()) >= 20, generations
    checked = 0
    for n, gen in enumerate(sorted(generations)):
        pairs = {(q, m) for g, _, q, m, _ in attributed if g == gen}
        expected = serial_answers(home / "indexes" / gen, tmp_path / f"serial{n}", pairs, kb.tokenizer)
        for g, _, q, m, answer in attributed:
            if g == gen:
                assert answer == expected[(q, m)], (gen, q, m)
                checked += 1
    assert checked == len(attributed) >= 200
    print(f"\n{THREADS} threads: {len(records)} searches, {checked} compared with serial answers "
          f"over generations {dict(generations)}; {len(records) - checked} straddled the switch")


def test_cold_start_initialises_jieba_model_and_snapshot_once(base_home, monkeypatch):
    calls = Counter()
    build, make, snapshot = Tokenizer._build, kbmod.make_embedder, kbmod.Snapshot.__init__

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            time.sleep(0.05)  # widen the window in which a second initialisation could start
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(Tokenizer, "_build", counting("jieba", build))
    monkeypatch.setattr(kbmod, "make_embedder", counting("model", make))
    monkeypatch.setattr(kbmod.Snapshot, "__init__", counting("snapshot", snapshot))
    kb = KnowledgeBase(config(base_home))
    start = threading.Barrier(THREADS)
    results, errors = [], []

    def first_query(mode: str) -> None:
        start.wait()
        try:
            results.append(kb.search("认证贷", mode=mode))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_query, args=(MODES[i % 3],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == THREADS and all(results)
    assert calls == {"jieba": 1, "model": 1, "snapshot": 1}


# --- the real model ---------------------------------------------------------------------------

REAL_QUERIES = ("家纺企业产品缺陷率高，别的地方怎么帮扶的？", "认证贷", "老板们懒得管，全让下面人弄",
                "有没有专门回答疑问的线上专栏", "我们是做雨伞的小厂，认证能带来什么？", "干活的人老换，留不住")
REAL_PAIRS = [(q, m) for q in REAL_QUERIES for m in ("dense", "hybrid", "cases")]


def _same(answer: list, expected: list) -> bool:
    """Same ranking, same scores up to float32 noise: torch's CPU kernels may sum in another
    order in another thread (another OpenMP team), which moves a cosine by ~1e-7."""
    def ident(hit) -> str:
        return hit.case.case_id if hasattr(hit, "case") else hit.chunk.chunk_id

    return len(answer) == len(expected) and all(
        ident(a) == ident(e) and abs(a.score - e.score) < 1e-5 for a, e in zip(answer, expected))


def _in_parallel(work, n: int = THREADS) -> list[str]:
    """Run ``work(i)`` in ``n`` threads released together; the exceptions they raised."""
    errors: list[str] = []
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        try:
            work(i)
        except Exception as exc:  # "Already borrowed" and the like
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.slow
def test_parallel_queries_through_the_real_model_equal_serial_answers(real_kb, real_embedder, one_omp_thread):
    """One sentence-transformers model shared by threads that embed texts of different lengths
    (kb/embedding.py serialises ``encode``: fast tokenizers have failed with "Already borrowed"
    when two threads used them at once). Every answer must equal the serial one (see ``_same``)."""
    expected = {pair: ask(real_kb, *pair) for pair in REAL_PAIRS}
    batches = [list(REAL_QUERIES[i:]) for i in range(len(REAL_QUERIES))]
    vectors = [real_embedder.embed(b) for b in batches]
    wrong: list[str] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(6):
            pair = rng.choice(REAL_PAIRS)
            if not _same(ask(real_kb, *pair), expected[pair]):
                wrong.append(f"search {pair}")
            i = rng.randrange(len(batches))
            if not np.allclose(real_embedder.embed(batches[i]), vectors[i], atol=1e-5):
                wrong.append(f"embed batch {i}")

    errors = _in_parallel(work)
    assert not errors and not wrong, (errors[:3], wrong[:3])


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx", "sentence-transformers"])
def test_cold_start_with_the_real_model_loads_it_once(real_kb, tmp_path, monkeypatch, one_omp_thread, backend):
    """The first queries of a fresh process arrive together (a web page opened by several
    people): the model is loaded once, not once per thread, and every answer is the serial one."""
    from dataclasses import replace

    import sentence_transformers

    import kb.embedding
    from kb.embedding import make_embedder

    base = real_kb
    if backend == "sentence-transformers" and real_kb.config.embed_precision != "fp32":
        # PyTorch vectors fit an fp32 index only: index the same corpus at fp32 (ONNX, fast).
        shutil.copytree(real_kb.config.home / "corpus", tmp_path / "corpus")
        base = KnowledgeBase(replace(real_kb.config, home=tmp_path, embed_precision="fp32"))
        assert not base.ingest().failed
    precision = "fp32" if backend == "sentence-transformers" else base.config.embed_precision
    expected = {pair: ask(base, *pair) for pair in REAL_PAIRS}
    loads = []

    def counting(real):
        def construct(*args, **kwargs):
            loads.append(args)
            return real(*args, **kwargs)
        return construct

    if backend == "onnx":
        monkeypatch.setattr(kb.embedding, "OnnxModel", counting(kb.embedding.OnnxModel))
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", counting(sentence_transformers.SentenceTransformer))
    fresh = make_embedder(base.config.model, base.config.embed_batch_size, backend, precision)
    kb = KnowledgeBase(base.config, embedder=fresh)
    wrong: list[str] = []

    def first_query(i: int) -> None:
        pair = REAL_PAIRS[i % len(REAL_PAIRS)]
        if not _same(ask(kb, *pair), expected[pair]):
            wrong.append(str(pair))

    errors = _in_parallel(first_query)
    assert not errors and not wrong, (errors[:3], wrong[:3])
    assert len(loads) == 1, loads


QUERY = "江苏认证融资贷款"


def _doc_id(kb: KnowledgeBase, name: str) -> str:
    return next(d.doc_id for d in kb.documents() if d.path.endswith(name))


def _swap_generation(home: Path, numbers: list[int]) -> str:
    """Another writer (its own KnowledgeBase, as another process would be) makes the corpus hold
    the copies ``numbers`` and ingests; returns the new generation."""
    hostile.write_copies(home / "corpus", numbers)
    writer = KnowledgeBase(config(home))
    writer.tokenizer = hostile.shared_tokenizer()
    report = writer.ingest()
    assert report.changed and not report.failed
    return writer.manifest()["generation"]


def test_pinned_queries_read_one_generation_while_ingest_swaps_it(base_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(base_home, home, symlinks=True)
    kb = KnowledgeBase(config(home))
    kb.tokenizer = hostile.shared_tokenizer()
    old, leaving = kb.manifest()["generation"], _doc_id(kb, "副本1.txt")
    with kb.pinned():
        hits = kb.search(QUERY, top_k=10)
        assert any(h.chunk.doc_id == leaving for h in hits)
        new = _swap_generation(home, [0])  # 副本1 (and its chunks) leave the index
        assert new != old and kb.manifest()["generation"] == old
        answer = kb.answer(QUERY, hits)  # reads the hits' own generation
        assert answer and {a.chunk_id for a in answer} <= {h.chunk.chunk_id for h in hits}
        with kb.pinned():  # a nested block shares the outer one's generation
            assert kb.manifest()["generation"] == old
    assert kb.manifest()["generation"] == new  # outside the block: the current one again
    assert not any(h.chunk.doc_id == leaving for h in kb.search(QUERY, top_k=10))


def test_search_json_hits_and_answer_agree_when_ingest_lands_between_them(base_home, tmp_path, monkeypatch):
    """The race a fuzzer hit (KeyError in answer(), HTTP 500): an ingest landing after the
    search and before the answer. search_json reads both from one generation."""
    home = tmp_path / "home"
    shutil.copytree(base_home, home, symlinks=True)
    kb = KnowledgeBase(config(home))
    kb.tokenizer = hostile.shared_tokenizer()
    search = kb.search

    def search_then_ingest(*args, **kwargs):
        hits = search(*args, **kwargs)
        _swap_generation(home, [0])
        return hits

    leaving = _doc_id(kb, "副本1.txt")
    monkeypatch.setattr(kb, "search", search_then_ingest)
    out = kb.search_json(QUERY, top_k=10)
    ids = {r["chunk_id"] for r in out["results"]}
    assert any(r["doc"] == leaving for r in out["results"])
    assert out["answer"] and set(out["answer"]["chunk_ids"]) <= ids
