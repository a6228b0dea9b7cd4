"""Ingest → store → search with the deterministic test embedder (fast; no model)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kb import Filters, KBConfig, KnowledgeBase
from kb.embedding import HashEmbedder
from kb.errors import IndexCorrupt, IndexMismatch, IndexMissing
from kb.store import current_generation, read_manifest

REPO = Path(__file__).resolve().parent.parent
REPORT = next((REPO / "corpus").glob("*.txt"))


def make_kb(home: Path, embedder=None) -> KnowledgeBase:
    return KnowledgeBase(KBConfig(home=home, model="hash-bigram-64"), embedder=embedder)


@pytest.fixture()
def home(tmp_path) -> Path:
    (tmp_path / "corpus").mkdir()
    shutil.copy(REPORT, tmp_path / "corpus" / REPORT.name)
    return tmp_path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> KnowledgeBase:
    home = tmp_path_factory.mktemp("kbhome")
    (home / "corpus").mkdir()
    shutil.copy(REPORT, home / "corpus" / REPORT.name)
    kb = make_kb(home)
    report = kb.ingest()
    assert not report.failed
    return kb


def test_ingest_builds_manifest_with_counts_and_checksums(built):
    gen = current_generation(built.config.index_dir)
    m = read_manifest(gen)
    assert m["model"] == HashEmbedder(64).identity()  # id, dim, content hash, backend, precision
    assert m["counts"]["documents"] == 1
    assert m["counts"]["chunks"] == len(built.chunks()) > 20
    assert m["counts"]["sentences"] > m["counts"]["chunks"]
    assert {"kb.sqlite", "sentences.faiss", "sentence_vectors.npy", "case_vectors.npy"} <= set(m["files"])
    # Nothing is written that no reader loads (chunk-level vectors were, once).
    assert not {"vectors.faiss", "vectors.npy"} & set(m["files"])
    assert m["tokenizer"]["name"] == "jieba-search" and len(m["tokenizer"]["hash"]) == 16


def test_every_chunk_has_section_and_page(built):
    for c in built.chunks():
        assert c.section and all(c.section), c.chunk_id
        assert c.page is not None and 1 <= c.page <= 15


def test_reingest_unchanged_writes_nothing(built):
    before = current_generation(built.config.index_dir).name
    report = built.ingest()
    assert not report.changed
    assert [f.status for f in report.files] == ["unchanged"]
    assert current_generation(built.config.index_dir).name == before


def test_index_from_other_case_rules_is_reprocessed(home, monkeypatch):
    """Case records are made at parse time: when the extraction rules change (CASES_VERSION), the
    next ingest re-processes every document instead of keeping the old records."""
    from kb import indexing

    base = make_kb(home)
    base.ingest()
    assert read_manifest(current_generation(base.config.index_dir))["cases_version"] == indexing.CASES_VERSION
    assert base.stats()["cases_version"] == indexing.CASES_VERSION
    monkeypatch.setattr(indexing, "CASES_VERSION", "test-next")
    report = make_kb(home).ingest()
    assert "案例抽取或地区标记规则已更新，将重新处理全部文档。" in report.notes
    assert [f.status for f in report.files] == ["indexed"] and report.changed
    assert not make_kb(home).ingest().changed  # recorded now: no second re-processing


class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__(64)
        self.seen = 0

    def embed(self, texts, progress=False):
        self.seen += len(texts)
        return super().embed(texts)


def test_incremental_add_change_remove(home):
    emb = CountingEmbedder()
    kb = make_kb(home, emb)
    kb.ingest()
    first = emb.seen
    extra = home / "corpus" / "synthetic.txt"
    extra.write_text("一、合成测试文档\n这是一份为测试编写的合成文档，内容与真实案例无关。江苏某合成企业不良率下降5%。\n", encoding="utf-8")
    r = kb.ingest()
    statuses = {Path(f.path).name: f.status for f in r.files}
    assert statuses == {REPORT.name: "unchanged", "synthetic.txt": "indexed"}
    added = emb.seen - first
    assert 0 < added < first  # only the new document was embedded
    assert any("江苏某合成企业不良率下降5%" in c.text for c in kb.chunks())
    extra.write_text("一、合成测试文档\n内容已修改：这是合成文档的第二版。\n", encoding="utf-8")
    r = kb.ingest()
    # one row for the edited file (a fuzzer's find: it was listed as indexed and as removed)
    assert [(f.path, f.status) for f in r.files if f.status in ("indexed", "removed")] == [("corpus/synthetic.txt", "indexed")]
    assert next(f.reason for f in r.files if f.status == "indexed").startswith("内容已更新，替换了上一版本")
    assert len(kb.documents()) == 2
    assert any("第二版" in c.text for c in kb.chunks())
    assert not any("江苏某合成企业" in c.text or "不良率下降5%" in c.text for c in kb.chunks())  # version 1 is gone
    extra.unlink()
    r = kb.ingest()
    assert [f.status for f in r.files if f.status == "removed"] == ["removed"]
    assert len(kb.documents()) == 1


def test_bad_files_reported_good_files_indexed(home):
    (home / "corpus" / "empty.txt").write_bytes(b"")
    (home / "corpus" / "fake.pdf").write_text("not a pdf", encoding="utf-8")
    (home / "corpus" / "notes.xyz").write_text("x", encoding="utf-8")
    kb = make_kb(home)
    r = kb.ingest()
    failed = {Path(f.path).name: f.reason for f in r.failed}
    assert set(failed) == {"empty.txt", "fake.pdf", "notes.xyz"}
    assert "为空" in failed["empty.txt"] and "不是 PDF" in failed["fake.pdf"] and "不支持" in failed["notes.xyz"]
    assert len(kb.documents()) == 1 and kb.chunks()


def test_failed_write_keeps_previous_generation(home, monkeypatch):
    kb = make_kb(home)
    kb.ingest()
    gen = current_generation(kb.config.index_dir).name
    (home / "corpus" / "new.txt").write_text("合成文档：用于测试写入失败。" * 20, encoding="utf-8")
    import kb.indexing as kbmod

    def boom(*a, **k):
        raise RuntimeError("simulated crash while building the vector index")

    monkeypatch.setattr(kbmod.VectorIndex, "build", boom)
    with pytest.raises(RuntimeError):
        kb.ingest()
    assert current_generation(kb.config.index_dir).name == gen
    assert not list(kb.config.index_dir.glob("*.tmp"))
    assert make_kb(home).search("认证贷", mode="bm25")


def test_model_mismatch_is_refused(built):
    other = KnowledgeBase(replace(built.config, model="hash-bigram-32"))
    with pytest.raises(IndexMismatch, match="重建"):
        other.search("认证贷", mode="dense")
    assert other.search("认证贷", mode="bm25")  # keyword search needs no vectors


def test_corrupt_file_detected_before_loading(home):
    kb = make_kb(home)
    kb.ingest()
    gen = current_generation(kb.config.index_dir)
    with open(gen / "sentences.faiss", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\xff\xff\xff\xff")
    with pytest.raises(IndexCorrupt, match="校验失败"):
        make_kb(home).search("认证贷")


def test_missing_index_message(tmp_path):
    with pytest.raises(IndexMissing, match="kb ingest"):
        make_kb(tmp_path).search("认证贷")


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_search_modes_return_ranked_cited_hits(built, mode):
    hits = built.search("江苏认证融资贷款", top_k=5, mode=mode)
    assert hits and [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.chunk.chunk_id for h in hits}) == len(hits)
    if mode != "dense":
        assert "1433家企业" in hits[0].chunk.text
        assert hits[0].bm25_rank == 1 and "江苏" in hits[0].matched_terms


def test_hybrid_reports_both_ranks(built):
    hits = built.search("江苏认证融资贷款", top_k=10, mode="hybrid")
    assert any(h.bm25_rank and h.dense_rank for h in hits)


def test_synonym_expansion_reaches_report_terms(built):
    hits = built.search("床上用品", top_k=3, mode="bm25")
    assert hits and "家纺" in hits[0].chunk.text


def test_filters_apply_inside_search(built):
    hits = built.search("提升", top_k=50, mode="bm25", filters=Filters(region="江苏"))
    assert hits
    for h in hits:
        snap = built.snapshot()
        tags = snap.tags[snap.chunk_pos[h.chunk.chunk_id]]
        assert any(r[0] == "江苏省" for r in tags.all_regions)  # a case there, or the text names it
        assert h.region.province == "江苏省"
    assert not built.search("提升", mode="bm25", filters=Filters(kind="enterprise_case"))


def test_duplicate_document_indexed_once(home):
    shutil.copy(REPORT, home / "corpus" / "copy.txt")
    kb = make_kb(home)
    r = kb.ingest()
    assert sorted(f.status for f in r.files) == ["duplicate", "indexed"]
    hits = kb.search("认证贷", top_k=20, mode="bm25")
    assert len({h.chunk.text for h in hits}) == len(hits)


def test_vectors_match_chunks_and_sentences(built):
    from kb.indexing import sentences_of
    from kb.store import connect

    gen = current_generation(built.config.index_dir)
    svecs = np.load(gen / "sentence_vectors.npy", allow_pickle=False)
    chunks = built.chunks()
    conn = connect(gen)
    owners = [r[0] for r in conn.execute("SELECT chunk_vec_id FROM sentences ORDER BY vec_id")]
    conn.close()
    assert svecs.shape == (len(owners), 64) and set(owners) == set(range(len(chunks)))
    rows = [i for i, o in enumerate(owners) if o == 3]
    expected = built.embedder.embed(sentences_of(chunks[3]))
    assert np.allclose(svecs[rows], expected, atol=1e-6)


def test_cases_are_stored_with_outcomes(built):
    cases = built.all_cases()
    assert len(cases) >= 10
    nantong = [c for c in cases if "南通" in c.text and "家纺" in c.text]
    assert nantong and any(o.before == 15 and o.after == 7 for o in nantong[0].outcomes)
    assert all(c.chunk_id in {ch.chunk_id for ch in built.chunks()} for c in cases)


def test_cases_rank_same_industry_first(built):
    hits = built.cases(industry="纺织业", problem="产品缺陷率高", top_k=5)
    assert hits and hits[0].case.industry == "纺织业" and "南通" in hits[0].case.text
    all_cases = built.cases()
    assert len(all_cases) == len(built.all_cases())


def test_cli_cases_json_is_ordered_by_score_and_parts_add_up(built, monkeypatch, capsys):
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["cases", "--industry", "纺织业", "--problem", "产品缺陷率高", "--top-k", "10", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(rows) >= 3 and "南通" in rows[0]["title"]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    for r in rows:
        assert list(r["score_parts"]) == ["problem", "industry", "region", "evidence"]
        assert sum(r["score_parts"].values()) == pytest.approx(r["score"], abs=1e-3)
        assert "profile" in r and len(r["industry_labels"]) == len(r["industries"])
    assert rows[0]["industry_labels"] == ["C17 纺织业"]


def test_passage_shows_only_its_own_outcomes(built):
    """A passage holding the end of one case and the start of another shows the figures of its
    own sentences only (by the outcome's chunk id)."""
    from kb.present import passage_outcomes

    for chunk in built.chunks():
        cases = built.cases_of_chunk(chunk.chunk_id)
        shown = passage_outcomes(cases, chunk.chunk_id)
        assert all(o.text in chunk.text or chunk.text in o.text for o in shown), chunk.chunk_id
    every = [o for c in built.all_cases() for o in c.outcomes]
    assert every and all(o.chunk_id for o in every)


def test_similar_cases_excludes_itself(built):
    first = built.all_cases()[0]
    sims = built.similar_cases(first.case_id, top_k=3)
    assert sims and all(h.case.case_id != first.case_id for h in sims)


def test_similar_cases_keep_the_filters(built, monkeypatch, capsys):
    """kb cases --like X --region 浙江 ignored --region (a tester's find): the filters now apply,
    the order among the kept cases is the unfiltered one's."""
    from kb.cli import main
    from kb.regions import region_matches

    first = built.all_cases()[0]
    every = built.similar_cases(first.case_id, top_k=len(built.all_cases()))
    zhejiang = built.similar_cases(first.case_id, top_k=50, region="浙江")
    assert zhejiang and len(zhejiang) < len(every)
    assert all(any(region_matches(r, "浙江") for r in h.case.all_regions) for h in zhejiang)
    local = built.similar_cases(first.case_id, top_k=50, kind="local_experience")
    assert local and {h.case.kind for h in local} == {"local_experience"}
    textile = built.similar_cases(first.case_id, top_k=50, industry="纺织业")
    assert textile and all("纺织业" in h.case.all_industries for h in textile)
    assert built.similar_cases(first.case_id, top_k=5, region="省") == []
    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["cases", "--like", first.case_id, "--region", "浙江", "--json"]) == 0
    ids = [json.loads(line)["case_id"] for line in capsys.readouterr().out.splitlines()]
    assert ids == [h.case.case_id for h in zhejiang][:10]
    assert main(["cases", "--like", first.case_id, "--problem", "缺陷"]) == 2
    assert "不能同时给 --problem" in capsys.readouterr().err


def test_cli_json_contracts(built, monkeypatch, capsys, tmp_path):
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    batch = tmp_path / "q.txt"
    batch.write_text("认证贷\n家纺 缺陷\n\n黄芪\n", encoding="utf-8")
    assert main(["search", "--batch", str(batch), "--json", "--top-k", "2"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["query"] for x in lines] == ["认证贷", "家纺 缺陷", "", "黄芪"]  # line n answers line n
    keys = {"rank", "score", "chunk_id", "doc", "kind", "title", "section", "page", "region", "industry", "text"}
    assert all(keys <= set(r) for x in lines for r in x["results"])
    assert main(["cases", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows and {"case_id", "kind", "title", "region", "industry", "problem", "measures", "outcomes", "doc",
                     "section", "page", "text", "score"} <= set(rows[0])
    assert set(rows[0]["region"]) == {"province", "city", "county"}
    assert main(["chunks", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    # the contract's fields, plus (kept beside them) whether the passage was read by OCR
    assert rows and set(rows[0]) == {"chunk_id", "doc", "kind", "section", "page", "page_end", "text", "ocr",
                                  "ocr_confidence"}
    assert rows[0]["ocr"] is False and rows[0]["ocr_confidence"] is None


def test_cli_ingest_exit_code_and_summary(home, monkeypatch, capsys):
    from kb.cli import main

    (home / "corpus" / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    monkeypatch.setenv("KB_HOME", str(home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["ingest", "-q"]) == 1
    out = capsys.readouterr()
    assert "broken.pdf" in out.out and "失败" in out.out and "其余文件已正常索引" in out.err
    assert main(["ingest", "-q", str(home / "corpus" / REPORT.name)]) == 0


def test_every_command_has_help(capsys):
    from kb.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert {"ingest", "search", "cases", "chunks", "stats", "eval", "bench", "export"} <= set(sub.choices)
    for name, sp in sub.choices.items():
        text = sp.format_help()
        assert sp.description, name
        for action in sp._actions:
            if action.dest != "help":
                assert action.help, f"{name} {action.dest} has no help"
        assert text.startswith("用法：") and "选项：" in text and "显示本帮助并退出" in text
        assert not any(en in text for en in ("usage:", "options:", "positional arguments:", "show this help"))


def test_cli_export_course_pack(built, monkeypatch, capsys, tmp_path):
    import docx

    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    out = tmp_path / "pack.docx"
    assert main(["export", "--query", "认证贷", "--problem", "产品缺陷率高", "--industry", "纺织业",
                 "--title", "合成课件", "--out", str(out)]) == 0
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "合成课件" in text and "第" in text and "页" in text and "南通" in text
    md = tmp_path / "pack.md"
    assert main(["export", "--query", "认证贷", "--out", str(md)]) == 0
    assert "1433" in md.read_text(encoding="utf-8")
    from pptx import Presentation

    deck = tmp_path / "deck.pptx"
    assert main(["export", "--query", "认证贷", "--problem", "产品缺陷率高", "--industry", "纺织业",
                 "--title", "合成课件", "--out", str(deck)]) == 0
    slides = list(Presentation(str(deck)).slides)
    assert slides[0].shapes.title.text_frame.text == "合成课件"
    assert slides[-1].shapes.title.text_frame.text == "资料来源"
    assert all("出处：" in s.notes_slide.notes_text_frame.text for s in slides[1:-1])
    assert main(["export", "--query", "认证贷", "--out", str(tmp_path / "deck.key")]) == 2
    assert ".pptx" in capsys.readouterr().err


@pytest.mark.parametrize("top_k", [0, -3])
def test_top_k_below_one_is_refused(built, top_k):
    from kb.errors import KBError

    with pytest.raises(KBError, match="正整数"):
        built.search("认证贷", top_k=top_k)
    with pytest.raises(KBError, match="正整数"):
        built.cases(problem="融资难", top_k=top_k)


@pytest.mark.parametrize("top_k", ["0", "-1", "abc"])
def test_cli_top_k_below_one_is_refused(built, monkeypatch, capsys, top_k):
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    with pytest.raises(SystemExit) as info:
        main(["search", "认证贷", "--top-k", top_k, "--json"])
    assert info.value.code == 2
    err = capsys.readouterr()
    assert "正整数" in err.err and err.out == ""


def test_search_and_cases_resolve_an_everyday_industry_word_alike(built):
    """家纺 means 纺织业 for the passage filter as for the case ranking (one resolver)."""
    hits = built.search("缺陷率", top_k=5, mode="bm25", filters=Filters(industry="家纺"))
    assert hits and all("纺织业" in built.snapshot().tags[built.snapshot().chunk_pos[h.chunk.chunk_id]].industries
                        for h in hits)
    assert "南通" in hits[0].chunk.text
    cases = built.cases(industry="家纺", top_k=3)
    assert cases and cases[0].case.industry == "纺织业"


def test_joint_case_matches_every_place(built):
    """上海、江苏和安徽 acting jointly: the case is found under each of the three."""
    title = "上海、江苏和安徽"
    for place in ("上海", "江苏", "安徽"):
        assert any(h.case.title.startswith(title) for h in built.cases(region=place)), place
    case = next(c for c in built.all_cases() if c.title.startswith(title))
    assert [r.province for r in case.all_regions] == ["上海市", "江苏省", "安徽省"]
    # Its passages carry all three places, so the passage filter finds it under 安徽 too.
    hits = built.search("长三角养老", top_k=5, mode="bm25", filters=Filters(region="安徽"))
    assert hits and any(cid == hits[0].chunk.chunk_id for cid in case.chunk_ids)


def test_cases_link_to_passages_by_id(built):
    """Each case lists the chunks its text lies in; every sentence of the case is in them."""
    chunks = {c.chunk_id: c.text for c in built.chunks()}
    for case in built.all_cases():
        assert case.chunk_ids and case.chunk_id == case.chunk_ids[0]
        joined = "".join(chunks[i] for i in case.chunk_ids)
        assert case.text[:40] in joined and case.text[-40:] in joined, case.case_id


# --- the region filter also matches the places a passage names (not only its cases' places) ---

# (query, region filter, a phrase of the passage that must come first, the region it then shows)
NAMED_PLACES = [
    ("创新认证规则", "北京", "北京、山西等地创新认证规则134项", "北京市"),
    ("创新认证规则", "山西", "北京、山西等地创新认证规则134项", "山西省"),
    ("创新认证规则", "江苏", "北京、山西等地创新认证规则134项", "江苏省"),
    ("创新认证规则", "新疆", "北京、山西等地创新认证规则134项", "新疆维吾尔自治区"),
    ("创新认证规则", "浙江", "北京、山西等地创新认证规则134项", "浙江省"),  # the case's own region
    ("排名前十的省份", "河南", "排名前10的省份依次为", "河南省"),
    ("跨省联合政策", "青海", "出台跨省联合政策17项", "青海省"),
]


@pytest.mark.parametrize(("query", "region", "phrase", "shown"), NAMED_PLACES)
def test_region_filter_finds_passages_that_name_the_region(built, query, region, phrase, shown):
    """``kb search 创新认证规则 --region 北京`` was empty: the passage names 北京 but its case is
    浙江's. The filter now matches the places the text names too, and the hit shows the region
    the filter asked for (the case region when it is the one asked for)."""
    got = built.search_json(query, filters=Filters(region=region))["results"]
    assert got and phrase in got[0]["text"], [r["text"][:30] for r in got]
    assert got[0]["region"] == shown
    assert all(region[:2] in r["region"] for r in got)


def test_region_filter_keeps_case_regions_and_sub_regions(built):
    """A province filter still matches the cities and counties of its cases; a passage that
    neither has a case in the place nor names it stays out; without a filter a hit shows its
    case region, and a passage that only names places (a ranking) shows none."""
    hits = built.search("家纺 防错方法", filters=Filters(region="江苏"))
    assert hits and "四化一制" in hits[0].chunk.text and hits[0].region.display() == "江苏省南通市"
    assert not any("创新认证规则134项" in h.chunk.text for h in built.search("创新认证规则", filters=Filters(region="广东")))
    plain = {h.chunk.text[:12]: h.region.display() for h in built.search("创新认证规则", top_k=20)}
    assert plain[next(t for t in plain if "推进认证创新" in t)] == "浙江省"
    ranking = built.search("排名前十的省份", top_k=1)[0]
    assert "排名前10的省份" in ranking.chunk.text and ranking.region.display() == ""


def test_region_options_include_places_passages_name(built):
    from kb import ui_helpers as ui

    named = built.passage_regions()
    assert {"北京市", "河南省", "青海省"} <= {r.province for r in named}
    options = ui.region_options(built.all_cases(), named)
    assert "北京市" in options and "北京市" not in ui.region_options(built.all_cases())


def test_index_without_named_places_is_reprocessed(home, monkeypatch):
    """An index written before passages kept the places they name (cases_version 2, no
    ``mentions`` column data) still serves, matching by case regions only, and the next
    ``kb ingest`` re-processes it (cases_version 3)."""
    from kb import indexing, store
    from kb.records import ChunkTags

    real_insert = store.insert_chunk
    monkeypatch.setattr(indexing, "CASES_VERSION", "2")
    monkeypatch.setattr(store, "insert_chunk", lambda conn, vec_id, c, t: real_insert(
        conn, vec_id, c, ChunkTags(t.regions, t.industries)))
    make_kb(home).ingest()
    assert make_kb(home).search("创新认证规则", filters=Filters(region="北京")) == []
    monkeypatch.undo()
    report = make_kb(home).ingest()
    assert report.changed and "案例抽取或地区标记规则已更新，将重新处理全部文档。" in report.notes
    hits = make_kb(home).search("创新认证规则", filters=Filters(region="北京"))
    assert hits and "创新认证规则134项" in hits[0].chunk.text


def _records_without(built, tmp_path, table: str, column: str):
    """The built generation's records as a generation written before ``table.column`` existed."""
    import sqlite3

    from kb import store

    shutil.copy(current_generation(built.config.index_dir) / "kb.sqlite", tmp_path / "kb.sqlite")
    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.commit()
    conn.close()
    return store.load_records(tmp_path)


def test_generation_without_mentions_column_loads(built, tmp_path):
    """Generations written before the ``mentions`` column existed are read with no named places."""
    old = _records_without(built, tmp_path, "chunks", "mentions")
    assert all(t.mentioned == () for t in old.tags)
    assert [t.regions for t in old.tags] == [t.regions for t in built.snapshot().tags]
    assert any(t.mentioned for t in built.snapshot().tags)


def test_outcome_qualifiers_are_stored_and_old_generations_load(built, tmp_path):
    """注册商标 1000 余个 is stored as 1000 with 余; a generation written before the ``approx``
    column existed loads with exact figures until the next ingest re-parses it (CASES_VERSION)."""
    stored = [o for c in built.all_cases() for o in c.outcomes if o.metric == "小微企业注册商标"]
    assert [(o.after, o.unit, o.approx) for o in stored] == [(1000, "个", "余")]
    old = _records_without(built, tmp_path, "outcomes", "approx")
    assert {o.approx for c in old.cases for o in c.outcomes} == {""}


# --- a place name alone does not make a question about everyday life on topic ---------------

PLACE_OFF_TOPIC = ["今天北京天气怎么样", "上海迪士尼门票多少钱", "浙江高考分数线", "江苏哪里好玩", "明天北京会下雨吗"]
# Questions about the report that share only a place with it (and words it does not use).
PLACE_ON_TOPIC = ["江苏有哪些经验", "浙江的认证贷", "北京定了多少新规矩", "南通的被子厂", "河南排老几", "江苏"]


@pytest.mark.parametrize("query", PLACE_OFF_TOPIC)
def test_place_name_alone_does_not_answer_an_everyday_question(built, query):
    """Each got report passages (scores 0.29–0.39): the place name was the only word the
    documents share with it, and it counted as evidence."""
    assert built.search_json(query)["results"] == []
    assert built.search(query, include_all=True)  # --all still shows what there is


@pytest.mark.parametrize("query", PLACE_ON_TOPIC)
def test_questions_about_a_place_in_the_report_are_answered(built, query):
    assert built.search(query)


def test_rebuild_reads_documents_ingested_by_path_and_names_the_ones_it_drops(home, monkeypatch, capsys):
    """`kb ingest 某目录` then `kb ingest --rebuild`: the documents ingested by path are read
    again (not silently dropped); one whose file is gone is listed as 已移除 with the reason."""
    from kb.cli import main

    outside = home.parent / f"{home.name}-elsewhere"
    outside.mkdir()
    kept = outside / "合成外部文档甲.txt"
    kept.write_text("一、合成测试文档甲\n本文件为测试用合成文档。合成县甲厂的伞骨断裂率由5.1%降至1.2%。\n", encoding="utf-8")
    lost = outside / "合成外部文档乙.txt"
    lost.write_text("一、合成测试文档乙\n本文件为测试用合成文档。合成县乙厂的漏气率由2.4%降至0.4%。\n", encoding="utf-8")
    monkeypatch.setenv("KB_HOME", str(home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["ingest", "-q"]) == 0
    assert main(["ingest", "-q", str(outside)]) == 0
    assert len(make_kb(home).documents()) == 3

    capsys.readouterr()
    assert main(["ingest", "-q", "--rebuild"]) == 0
    docs = {Path(d.path).name for d in make_kb(home).documents()}
    assert docs == {REPORT.name, kept.name, lost.name}
    assert make_kb(home).search("伞骨断裂率", mode="bm25")

    lost.unlink()
    capsys.readouterr()
    assert main(["ingest", "-q", "--rebuild"]) == 0
    out = capsys.readouterr().out
    assert {Path(d.path).name for d in make_kb(home).documents()} == {REPORT.name, kept.name}
    line = next(x for x in out.splitlines() if lost.name in x)
    assert "已移除" in line and "源文件已不存在" in line
    report = make_kb(home).ingest(rebuild=True)
    assert not any(f.status == "removed" for f in report.files)  # reported once, then gone


def test_reprocessing_after_a_rule_change_keeps_documents_ingested_by_path(home, monkeypatch):
    from kb import indexing

    outside = home.parent / f"{home.name}-other"
    outside.mkdir()
    (outside / "合成外部文档.txt").write_text("一、合成测试文档\n本文件为测试用合成文档。合成县丙厂返工率由8.0%降至3.0%。\n",
                                           encoding="utf-8")
    make_kb(home).ingest()
    make_kb(home).ingest([outside])
    monkeypatch.setattr(indexing, "CASES_VERSION", "test-next")
    report = make_kb(home).ingest()  # every document is re-processed, not only corpus/
    assert "案例抽取或地区标记规则已更新，将重新处理全部文档。" in report.notes
    assert sorted(f.status for f in report.files) == ["indexed", "indexed"]
    assert {Path(d.path).name for d in make_kb(home).documents()} == {REPORT.name, "合成外部文档.txt"}
