"""The Milvus backend, for real, on Milvus Lite (an embedded Milvus server started from a file).

Both backends index the same generation (the shipped report, plus SYNTHETIC test documents
written here), with the hash test embedder, so their candidates can be compared exactly:
the same chunks in the same order, BM25 scores in the same proportion, the same cosines.
Milvus Lite lets one process open a database file at a time, so every test closes its
knowledge base (which stops the Lite server process) before another process opens the file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb import KBConfig, KnowledgeBase
from kb.milvus_backend import MilvusIndex, filter_expression, region_keys
from kb.retrieval import Filters

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC = ("合成测试文档（虚构内容，仅用于测试）\n\n一、工作举措与成效\n\n"
             "浙江省湖州市德清县合成测试服装企业推行“合成测试三查法”，产品返工率由12%降至5%。\n\n"
             "广东省佛山市合成测试家具企业开展认证帮扶，客户投诉下降30%。\n")
# One food trade per file, so each passage is tagged with one of the two food divisions only.
FOOD = {"synthetic-meat.txt": "合成测试文档（虚构内容，仅用于测试）\n\n山东省临沂市合成测试肉制品加工企业推行合成测试检验法，"
                              "产品抽检合格率由91%升至99%。\n",
        "synthetic-sauce.txt": "合成测试文档（虚构内容，仅用于测试）\n\n河南省漯河市合成测试调味酱企业导入质量管理体系，"
                               "客户投诉下降40%。\n"}


def config(home: Path, backend: str) -> KBConfig:
    return KBConfig(home=home, model="hash-bigram-64", backend=backend, milvus_uri=str(home / "milvus.db"),
                    parse_timeout_s=0)


def kb_env(home: Path) -> dict[str, str]:
    return dict(os.environ, KB_HOME=str(home), KB_MODEL="hash-bigram-64", KB_BACKEND="milvus",
                KB_MILVUS_URI=str(home / "milvus.db"), HF_HUB_OFFLINE="1",
                PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("milvus-home")
    shutil.copytree(REPO / "corpus", home / "corpus")
    (home / "corpus" / "synthetic.txt").write_text(SYNTHETIC, encoding="utf-8")
    for name, text in FOOD.items():
        (home / "corpus" / name).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(config(home, "milvus"))
    try:
        report = kb.ingest()
        assert report.changed and not report.failed
    finally:
        kb.close()
    return home


@pytest.fixture(scope="module")
def pair(home):
    local, milvus = KnowledgeBase(config(home, "local")), KnowledgeBase(config(home, "milvus"))
    yield local, milvus
    milvus.close()


QUERIES = ["认证贷", "家纺企业产品缺陷率高", "小微企业质量管理能力不足", "合成测试三查法", "客户投诉", "黄芪产值",
           "创新认证规则"]
FILTERS = [None, Filters(region="江苏"), Filters(region="南通"), Filters(region="浙江省湖州市德清县"),
           Filters(region="北京"), Filters(region="河南"),  # named by passages, no case there
           Filters(industry="纺织业"), Filters(industry="家纺"), Filters(kind="report"), Filters(kind="local_experience"),
           Filters(region="广东", industry="家具制造业"), Filters(industry="食品")]


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_same_candidates_as_local(pair, mode):
    local, milvus = pair
    compared = 0
    for q in QUERIES:
        for f in FILTERS:
            a, b = local.candidates(q, mode, f), milvus.candidates(q, mode, f)
            assert list(a.keyword) == list(b.keyword), (q, f)
            assert list(a.dense) == list(b.dense), (q, f)
            assert a.dense == pytest.approx(b.dense, abs=1e-5)
            assert a.sentences == b.sentences, (q, f)  # the best sentence of each dense candidate
            assert a.coverage == pytest.approx(b.coverage), (q, f)  # document frequencies from Milvus's terms
            if a.keyword:
                # Milvus's BM25 keeps Lucene's (k1 + 1) factor; the proportions are the same.
                ratio = [b.keyword[i] / a.keyword[i] for i in a.keyword]
                assert max(ratio) == pytest.approx(min(ratio), rel=1e-3)
            compared += bool(a.keyword or a.dense)
    assert compared >= len(QUERIES) * 3


def test_filters_apply_inside_the_engine(pair):
    local, milvus = pair
    hits = milvus.search("认证帮扶 企业", top_k=10, mode="bm25", filters=Filters(region="浙江"))
    snap = milvus.snapshot()
    assert hits and all(any(r[0] == "浙江省" for r in snap.tags[snap.chunk_pos[h.chunk.chunk_id]].all_regions)
                        for h in hits)
    # Places a passage only names match too, as in the local mask (kb search 创新认证规则 --region 北京).
    for place, phrase in (("北京", "创新认证规则134项"), ("河南", "排名前10的省份"), ("青海", "跨省联合政策17项")):
        got = milvus.search_json(phrase, mode="bm25", filters=Filters(region=place))
        assert got == local.search_json(phrase, mode="bm25", filters=Filters(region=place))
        assert got["results"] and phrase in got["results"][0]["text"], place
    assert snap.tags == local.snapshot().tags  # named places read back from Milvus
    doc = milvus.documents()[0].doc_id
    assert all(h.chunk.doc_id == doc for h in milvus.search("认证", top_k=20, filters=Filters(doc=doc[:6])))
    assert milvus.search("认证", filters=Filters(doc="不存在的文档")) == []
    for hostile in ('江苏" or kind != "', "100%_\\", "朝阳\n", "'"):
        assert [h.as_dict() for h in milvus.search("认证", filters=Filters(region=hostile, doc=hostile))] == \
               [h.as_dict() for h in local.search("认证", filters=Filters(region=hostile, doc=hostile))]


def same_results(a: dict, b: dict) -> bool:
    """Equal search JSON, scores to 1e-3: Milvus's BM25 keeps Lucene's (k1 + 1) factor, so a score
    relative to the best one can differ in the fourth decimal (0.8994 against 0.8995)."""
    strip = [{k: v for k, v in r.items() if k != "score"} for r in a["results"]]
    return ({k: v for k, v in a.items() if k != "results"} == {k: v for k, v in b.items() if k != "results"}
            and strip == [{k: v for k, v in r.items() if k != "score"} for r in b["results"]]
            and [r["score"] for r in a["results"]] == pytest.approx([r["score"] for r in b["results"]], abs=1e-3))


def test_search_cases_and_stats_match_local(pair):
    local, milvus = pair
    answered = 0
    for mode in ("bm25", "dense", "hybrid"):
        for q in QUERIES + ["医保异地就医怎么备案", "今天北京天气怎么样", "浙江的认证贷"]:
            for include_all in (False, True):
                got = milvus.search_json(q, top_k=5, mode=mode, include_all=include_all)
                assert same_results(got, local.search_json(q, top_k=5, mode=mode, include_all=include_all)), (q, mode)
                answered += got["answer"] is not None  # sentence texts and vectors read from Milvus
    assert answered >= len(QUERIES)
    assert not milvus.search_json("医保异地就医怎么备案")["results"]  # off-topic: nothing above the floor
    assert not milvus.search_json("今天北京天气怎么样")["results"]  # a place name alone is no evidence
    want = [h.as_dict() for h in local.cases(industry="纺织业", problem="产品缺陷率高", top_k=5)]
    assert [h.as_dict() for h in milvus.cases(industry="纺织业", problem="产品缺陷率高", top_k=5)] == want and want
    assert [h.as_dict() for h in milvus.similar_cases(want[0]["case_id"], 3)] == \
           [h.as_dict() for h in local.similar_cases(want[0]["case_id"], 3)]
    assert [c.case_id for c in milvus.all_cases()] == [c.case_id for c in local.all_cases()]
    s, t = milvus.stats(), local.stats()
    assert s["backend"] == "milvus" and s["vector_index"] == "milvus-flat"
    assert {k: s[k] for k in ("generation", "chunks", "cases", "sentences", "documents")} == \
           {k: t[k] for k in ("generation", "chunks", "cases", "sentences", "documents")}


def test_region_keys_cover_every_level():
    keys = region_keys([("江苏省", "南通市", "海门区"), ("北京市", None, "朝阳区")])
    assert "江苏省||" in keys and "江苏省|南通市|" in keys and "江苏省|南通市|海门区" in keys and "江苏省||海门区" in keys
    assert "北京市||朝阳区" in keys and "北京市||" in keys
    assert filter_expression(Filters(region="江苏")) == 'array_contains_any(region_keys, ["江苏省||"])'
    # a renamed county asks for both of its names (沙县区 ↔ 沙县), as the local filter matches both
    assert filter_expression(Filters(region="三明沙县区")) == \
        'array_contains_any(region_keys, ["福建省|三明市|沙县区", "福建省||沙县"])'
    assert filter_expression(Filters(kind='a"b')) == filter_expression(Filters(doc='x\n')) == "pos < 0"


def test_chunk_records_keep_ocr_marks_page_breaks_and_named_places():
    """What a chunk carries through Milvus (JSON in the record) comes back the same, OCR marks
    included; a record written before these fields existed reads back with their defaults."""
    from kb.milvus_backend import _chunk_from, _chunk_json
    from kb.records import Chunk, ChunkTags

    chunk = Chunk("d-0001", "d", 1, "（合成）扫描页文字", ("一、合成",), 2, 3, "report", ocr=True, ocr_confidence=0.93,
                  page_breaks=((5, 3),))
    tags = ChunkTags((("江苏省", "南通市", None),), ("纺织业",), (("北京市", None, None),))
    assert _chunk_from(_chunk_json(chunk, tags)) == (chunk, tags)
    old = _chunk_json(chunk, tags)
    for key in ("o", "p", "m"):
        del old[key]
    back, back_tags = _chunk_from(old)
    assert not back.ocr and back.ocr_confidence is None and back.page_breaks == () and back_tags.mentioned == ()


def test_reingest_unchanged_is_a_no_op(pair, home):
    _local, milvus = pair
    before = sorted(milvus.milvus.client.list_collections())
    gen = milvus.manifest()["generation"]
    report = milvus.ingest()
    assert not report.changed and report.generation is None
    assert sorted(milvus.milvus.client.list_collections()) == before
    assert milvus.manifest()["generation"] == gen


def test_missing_uri_and_unknown_backend_are_explained(tmp_path):
    from kb.errors import KBError

    with pytest.raises(KBError, match="KB_MILVUS_URI"):
        KnowledgeBase(KBConfig(home=tmp_path, backend="milvus", milvus_uri=""))
    with pytest.raises(KBError, match="未知的检索后端"):
        KnowledgeBase(KBConfig(home=tmp_path, backend="elastic"))


def test_kill_during_publish_keeps_the_old_generation_serving(home, pair, tmp_path):
    """SIGKILL ``kb ingest`` while it writes the new generation into Milvus: the old one keeps
    answering, the leftovers are removed by the next ingest, which then publishes and prunes."""
    _local, milvus = pair
    old_gen = milvus.manifest()["generation"]
    want = milvus.search_json("认证贷", top_k=5)
    milvus.close()  # Milvus Lite: one process per file
    (home / "corpus" / "synthetic2.txt").write_text(SYNTHETIC.replace("德清县", "安吉县").replace("三查法", "双查法"),
                                                    encoding="utf-8")
    try:
        proc = subprocess.Popen([sys.executable, "-m", "kb", "ingest"], env=kb_env(home), cwd=home,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seen = b""
        deadline = time.monotonic() + 240
        while "写入 Milvus".encode() not in seen and time.monotonic() < deadline:
            byte = proc.stderr.read(1)
            if not byte:
                break
            seen += byte
        assert "写入 Milvus".encode() in seen, seen.decode(errors="replace")[-500:]
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        index = MilvusIndex(config(home, "milvus"))
        try:
            leftovers = [g for g in index.generations() if g != index.current_base()]
            assert any(index._read_record(f"{g}_recs", "manifest") is None for g in leftovers)  # the killed one
        finally:
            index.close()
        kb = KnowledgeBase(config(home, "milvus"))
        try:
            assert kb.manifest()["generation"] == old_gen
            assert kb.search_json("认证贷", top_k=5) == want
        finally:
            kb.close()
        done = subprocess.run([sys.executable, "-m", "kb", "ingest", "-q"], env=kb_env(home), cwd=home,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        kb = KnowledgeBase(config(home, "milvus"))
        try:
            assert kb.manifest()["generation"] != old_gen
            assert kb.search("合成测试双查法", top_k=1, mode="bm25")[0].chunk.text.count("双查法")
            gens = kb.milvus.generations()
            assert len(gens) <= 2 and all(kb.milvus._read_record(f"{g}_recs", "manifest") for g in gens)
        finally:
            kb.close()
    finally:
        (home / "corpus" / "synthetic2.txt").unlink(missing_ok=True)


def test_empty_corpus_publishes_an_empty_generation(tmp_path):
    (tmp_path / "corpus").mkdir()
    kb = KnowledgeBase(config(tmp_path, "milvus"))
    try:
        kb.ingest()
        assert kb.search("认证贷") == [] and kb.cases() == [] and kb.stats()["chunks"] == 0
    finally:
        kb.close()


def test_an_everyday_trade_word_filters_by_every_division_it_covers(pair):
    """食品 covers 农副食品加工业 (肉制品) and 食品制造业 (调味酱): both backends keep both."""
    local, milvus = pair
    for kb in (local, milvus):
        hits = kb.search("合成测试", top_k=10, mode="bm25", filters=Filters(industry="食品"))
        assert {h.industry for h in hits} == {"农副食品加工业", "食品制造业"}, kb.config.backend
        assert kb.search("合成测试", top_k=10, mode="bm25", filters=Filters(industry="电子")) == []


def test_a_refused_process_leaves_the_holders_lock_and_stays_refused(tmp_path):
    """Milvus Lite's own lock file is unlinked by a process it refuses, and the next process then
    opened the file beside the holder (two servers on one file, the holder blind to the writes).
    kb's own lock refuses every later process, with exit code 3, and the holder keeps working."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "synthetic.txt").write_text(SYNTHETIC, encoding="utf-8")
    holder = KnowledgeBase(config(tmp_path, "milvus"))
    try:
        holder.ingest()
        gen = holder.manifest()["generation"]
        (tmp_path / "corpus" / "synthetic2.txt").write_text(SYNTHETIC.replace("三查法", "双查法"), encoding="utf-8")
        for argv in (["search", "认证贷"], ["ingest"], ["ingest"], ["search", "合成测试双查法"]):
            done = subprocess.run([sys.executable, "-m", "kb", *argv], env=kb_env(tmp_path), cwd=tmp_path,
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 3, (argv, done.stderr)
            assert "正被另一个进程使用" in done.stderr
            assert "WARNING" not in done.stderr and "ERROR" not in done.stderr, done.stderr  # no English lines
            assert (tmp_path / ".milvus.db.lock").exists()  # Milvus Lite's lock of the holder
        assert holder.manifest()["generation"] == gen
        assert holder.search("合成测试三查法", top_k=1, mode="bm25")
    finally:
        holder.close()
    done = subprocess.run([sys.executable, "-m", "kb", "ingest", "-q"], env=kb_env(tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    kb = KnowledgeBase(config(tmp_path, "milvus"))
    try:
        assert kb.manifest()["generation"] != gen
        assert kb.search("合成测试双查法", top_k=1, mode="bm25")[0].chunk.text.count("双查法")
    finally:
        kb.close()


def test_in_use_is_refused_in_process_too_and_shared_within_one(tmp_path):
    from kb.milvus_backend import MilvusInUse, lite_lock_path

    db = tmp_path / "milvus.db"
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print('ok', flush=True); time.sleep(60)",
                               str(lite_lock_path(db))], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        index = MilvusIndex(config(tmp_path, "milvus"))
        with pytest.raises(MilvusInUse, match="正被另一个进程使用") as refused:
            _ = index.client
        assert refused.value.exit_code == 3
        assert not db.exists()  # Milvus Lite was never started
    finally:
        holder.kill()
        holder.wait()
    a, b = MilvusIndex(config(tmp_path, "milvus")), MilvusIndex(config(tmp_path, "milvus"))
    try:
        assert a.client.list_collections() == b.client.list_collections() == []
    finally:
        b.close()
        a.close()


def test_a_relative_lite_path_is_under_kb_home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    index = MilvusIndex(KBConfig(home=home, backend="milvus", milvus_uri="indexes/milvus.db"))
    assert index.uri == str((home / "indexes" / "milvus.db").resolve())
    assert MilvusIndex(KBConfig(home=home, backend="milvus", milvus_uri="http://milvus.example:19530")).uri \
        == "http://milvus.example:19530"


def test_publish_progress_ends_at_its_total(tmp_path):
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    (tmp_path / "corpus" / "synthetic.txt").write_text(SYNTHETIC, encoding="utf-8")
    seen = []
    kb = KnowledgeBase(config(tmp_path, "milvus"))
    try:
        kb.ingest(progress=lambda stage, done, total, _name: seen.append((done, total)) if stage == "milvus" else None)
    finally:
        kb.close()
    assert seen and all(done <= total for done, total in seen)
    assert seen[-1][0] == seen[-1][1]


def test_no_terms_and_an_empty_generation_never_reach_milvus_bm25(tmp_path):
    """Milvus's BM25 on an empty collection divides by a zero mean length ("Invalid sparse row:
    NaN or Inf"); such searches are answered without asking Milvus."""
    from kb.milvus_backend import MilvusBackend

    index = MilvusIndex(config(tmp_path, "milvus"))
    try:
        index.create_collections("kb_gen_empty", 8)
        with pytest.raises(Exception, match="检索失败"):  # what Milvus does, said in Chinese
            index.keyword("kb_gen_empty", ["认证"], "", 10)
        assert index.keyword("kb_gen_empty", [], "", 10) == {}
        assert index.keyword("kb_gen_empty", ["  "], "", 10) == {}

        class Empty:
            chunks = []
            base = "kb_gen_empty"

        backend = MilvusBackend(index)
        assert backend.keyword_candidates(Empty(), ["认证"], None, 10) == {}
        assert backend.vector_candidates(Empty(), [0.0] * 8, None, 10, 40) == ({}, {})
    finally:
        index.close()


def test_pymilvus_messages_go_to_the_debug_log(tmp_path, capfd):
    import logging

    index = MilvusIndex(config(tmp_path, "milvus"))
    try:
        _ = index.client
        capfd.readouterr()
        logging.getLogger("pymilvus.orm.iterator").warning("failed to get mvccTs from milvus server")
        logging.getLogger("pymilvus.decorators").error("RPC error: [search]")
        out = capfd.readouterr()
        assert "mvccTs" not in out.err + out.out and "RPC error" not in out.err + out.out
    finally:
        index.close()
