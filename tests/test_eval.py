"""Quality regression: `kb eval` on the shipped corpus with the real model (slow).

Every figure of the README quality table is guarded: every set, every mode, hit@1, hit@5,
hit@10, MRR@10 and nDCG@10, the share of case queries whose expected case comes first, and
answer@1 (the direct answer's first sentence holds a labelled answer).
``MEASURED`` holds the figures measured on 2026-11-29 (m3e-small, ONNX int8 weight-only, CPU); a figure more than
``MARGIN`` below its measurement fails. The first eight sets are development sets (see
kb/evaluation.py). Metric arithmetic is checked by hand first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.evaluation import DEFAULT_SETS, MODES, evaluate, load_queries, relevance, score_ranking

REPO = Path(__file__).resolve().parent.parent
METRICS = ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10")
# One query is 1/79 = 0.013 of a hit rate on the first set, 1/45 = 0.022 on the second,
# 1/48 = 0.021 on the third, 1/70 = 0.014 on the fourth, 1/60 = 0.017 on the fifth and sixth, 1/40 =
# 0.025 on the seventh and eighth and 1/67 = 0.015 on the held-out set:
# losing any single hit fails.
MARGIN = 0.01
# Session 27 lowered two single-side figures by one query each, for changes that raised the hybrid ones:
# plain6 bm25 hit@1 0.725 → 0.700 (a trainer's framing 讲课时想举个数 is no longer expanded to 培训, which
# that question happened to need) and plain2 dense hit@5 0.914 → 0.900 (这个活动 read as 提升行动).
# Session 30 lowered plain5 dense hit@1 0.700 → 0.675 (t04's first two passages, 0.001 apart, changed places when
# its expansions changed: a word inside a longer everyday word of another entry no longer expands on its own);
# every hybrid figure is the same or higher.
MEASURED = {
    "eval/queries.jsonl": {
        "bm25": {"hit@1": 0.9873, "hit@5": 1.0000, "hit@10": 1.0000, "mrr@10": 0.9937, "ndcg@10": 0.9924},
        "dense": {"hit@1": 0.7975, "hit@5": 0.9367, "hit@10": 0.9747, "mrr@10": 0.8615, "ndcg@10": 0.8826},
        "hybrid": {"hit@1": 0.9873, "hit@5": 1.0000, "hit@10": 1.0000, "mrr@10": 0.9937, "ndcg@10": 0.9920},
        "cases first@1": 1.0,
        "answer@1": 0.9620,
    },
    "eval/dev2.jsonl": {
        "bm25": {"hit@1": 0.8667, "hit@5": 1.0000, "hit@10": 1.0000, "mrr@10": 0.9144, "ndcg@10": 0.9355},
        "dense": {"hit@1": 0.6889, "hit@5": 0.9111, "hit@10": 0.9778, "mrr@10": 0.7882, "ndcg@10": 0.8344},
        "hybrid": {"hit@1": 0.9778, "hit@5": 0.9778, "hit@10": 1.0000, "mrr@10": 0.9810, "ndcg@10": 0.9852},
        "cases first@1": 1.0,
        "answer@1": 0.8444,
    },
    "eval/plain.jsonl": {
        "bm25": {"hit@1": 0.8750, "hit@5": 1.0000, "hit@10": 1.0000, "mrr@10": 0.9253, "ndcg@10": 0.9378},
        "dense": {"hit@1": 0.7083, "hit@5": 0.8542, "hit@10": 0.8958, "mrr@10": 0.7671, "ndcg@10": 0.7825},
        "hybrid": {"hit@1": 0.9792, "hit@5": 1.0000, "hit@10": 1.0000, "mrr@10": 0.9861, "ndcg@10": 0.9832},
        "cases first@1": 1.0,
        "answer@1": 0.9375,
    },
    "eval/plain2.jsonl": {
        "bm25": {"hit@1": 0.8143, "hit@5": 0.9857, "hit@10": 1.0000, "mrr@10": 0.8917, "ndcg@10": 0.9169},
        "dense": {"hit@1": 0.6714, "hit@5": 0.9000, "hit@10": 0.9714, "mrr@10": 0.7719, "ndcg@10": 0.8142},
        "hybrid": {"hit@1": 0.9571, "hit@5": 1.0000, "hit@10": 1.0000, "mrr@10": 0.9743, "ndcg@10": 0.9798},
        "cases first@1": None,  # its case questions name no expected case record
        "answer@1": 0.9286,
    },
    "eval/plain3.jsonl": {
        "bm25": {"hit@1": 0.7333, "hit@5": 0.9667, "hit@10": 0.9833, "mrr@10": 0.8241, "ndcg@10": 0.8636},
        "dense": {"hit@1": 0.6833, "hit@5": 0.9000, "hit@10": 0.9833, "mrr@10": 0.7902, "ndcg@10": 0.8318},
        "hybrid": {"hit@1": 0.9167, "hit@5": 0.9833, "hit@10": 1.0000, "mrr@10": 0.9491, "ndcg@10": 0.9602},
        "cases first@1": None,  # its case questions name no expected case record
        "answer@1": 0.8833,
    },
    "eval/plain4.jsonl": {
        "bm25": {"hit@1": 0.6667, "hit@5": 0.9167, "hit@10": 0.9500, "mrr@10": 0.7788, "ndcg@10": 0.8201},
        "dense": {"hit@1": 0.6167, "hit@5": 0.8167, "hit@10": 0.8833, "mrr@10": 0.7021, "ndcg@10": 0.7443},
        "hybrid": {"hit@1": 0.8667, "hit@5": 0.9833, "hit@10": 0.9833, "mrr@10": 0.9139, "ndcg@10": 0.9314},
        "cases first@1": None,  # its case questions name no expected case record
        "answer@1": 0.8833,
    },
    "eval/plain5.jsonl": {
        "bm25": {"hit@1": 0.9250, "hit@5": 0.9500, "hit@10": 0.9750, "mrr@10": 0.9365, "ndcg@10": 0.9363},
        "dense": {"hit@1": 0.6750, "hit@5": 0.9250, "hit@10": 0.9500, "mrr@10": 0.7732, "ndcg@10": 0.7822},
        "hybrid": {"hit@1": 0.9750, "hit@5": 0.9750, "hit@10": 0.9750, "mrr@10": 0.9750, "ndcg@10": 0.9631},
        "cases first@1": None,  # its case questions name no expected case record
        "answer@1": 0.8500,
    },
    "eval/plain6.jsonl": {
        "bm25": {"hit@1": 0.7500, "hit@5": 0.9000, "hit@10": 0.9500, "mrr@10": 0.8061, "ndcg@10": 0.8363},
        "dense": {"hit@1": 0.6750, "hit@5": 0.9750, "hit@10": 0.9750, "mrr@10": 0.7725, "ndcg@10": 0.8187},
        "hybrid": {"hit@1": 0.8750, "hit@5": 0.9750, "hit@10": 1.0000, "mrr@10": 0.9096, "ndcg@10": 0.9267},
        "cases first@1": None,  # its case questions name no expected case record
        "answer@1": 0.8250,
    },
    # The frozen held-out set (eval/HELDOUT_README.md): a floor against regressions, not a target.
    "eval/heldout_plain.jsonl": {
        "bm25": {"hit@1": 0.6716, "hit@5": 0.9701, "hit@10": 1.0000, "mrr@10": 0.7922, "ndcg@10": 0.8434},
        "dense": {"hit@1": 0.7164, "hit@5": 0.8955, "hit@10": 0.9403, "mrr@10": 0.7831, "ndcg@10": 0.8169},
        "hybrid": {"hit@1": 0.8657, "hit@5": 0.9851, "hit@10": 0.9851, "mrr@10": 0.9129, "ndcg@10": 0.9311},
        "cases first@1": None,  # its case questions name no expected case record
        "answer@1": 0.8657,
    },
}


def test_score_ranking_by_hand():
    m = score_ranking([0, 1, 0, 1], total_relevant=2)
    assert m["hit@1"] == 0 and m["hit@5"] == 1 and m["mrr@10"] == 0.5
    # DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3)
    assert m["ndcg@10"] == pytest.approx((0.63093 + 0.43068) / 1.63093, abs=1e-4)
    assert score_ranking([0] * 10, 1) == {"hit@1": 0, "hit@5": 0, "hit@10": 0, "mrr@10": 0, "ndcg@10": 0}


def test_labels_copied_from_the_raw_extraction_match_cleaned_passages():
    """A label keeps the PDF's spacing and full-width signs; the passage is cleaned. Both sides are
    compared without whitespace, after NFKC, so a correct label is never silently unanswerable."""
    assert relevance(["年利润率平均提升8.3%，"], ("年利润率平均提升 8. 3％",)) == [1]
    assert relevance(["年利润率平均提升8.3%，"], ("年利润率平均提升 9. 3％",)) == [0]


def test_every_label_occurs_in_the_shipped_report():
    """Each query of every set has an answer that the (cleaned) report contains: a label that
    can never match would count as a miss of the system."""
    from kb.cleaning import clean_document
    from kb.loaders import load_document

    report = "".join(p.text for p in clean_document(load_document(next((REPO / "corpus").glob("*.txt")))))
    for _, path in DEFAULT_SETS:
        for q in load_queries(REPO / path):
            assert any(relevance([report], q.answers)), f"{path}: {q.query} → {q.answers}"


def test_eval_sets_are_well_formed():
    dev = load_queries(REPO / "eval/queries.jsonl")
    dev2 = load_queries(REPO / "eval/dev2.jsonl")
    assert len(dev) >= 60 and len(dev2) >= 40
    assert not {q.query for q in dev} & {q.query for q in dev2}
    assert {q.voice for q in dev} == {"auditor", "enterprise", "trainer"}
    assert {"exact", "paraphrase", "number", "case"} <= {q.type for q in dev}
    assert {path for _, path in DEFAULT_SETS} == set(MEASURED)


def test_development_sets_are_not_labelled_held_out():
    """Fusion was tuned on eval/queries.jsonl and eval/dev2.jsonl (kb/config.py): calling either
    one held out, in ``kb eval`` or the README, would be untrue."""
    labels = dict((path, name) for name, path in DEFAULT_SETS)
    assert labels["eval/queries.jsonl"] == "开发集" and labels["eval/dev2.jsonl"] == "开发集2"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "holdout.jsonl`（" not in readme and "| 留出集" not in readme and "开发集2 `eval/dev2.jsonl`" in readme


@pytest.fixture(scope="module")
def reports(real_kb):
    """``evaluate`` per set, computed once for the tests below."""
    cache: dict[str, dict] = {}

    def report(path: str) -> dict:
        if path not in cache:
            cache[path] = evaluate(real_kb, load_queries(REPO / path))
        return cache[path]
    return report


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(MEASURED))
def test_every_headline_figure_holds(reports, path):
    r = reports(path)
    measured = MEASURED[path]
    low = [f"{mode} {k}: {r['modes'][mode][k]:.4f} < {measured[mode][k]:.4f} - {MARGIN}"
           for mode in MODES for k in METRICS if r["modes"][mode][k] < measured[mode][k] - MARGIN]
    first = r["cases"]["first@1"] if r.get("cases") else None
    if measured["cases first@1"] is not None and (first is None or first < measured["cases first@1"] - MARGIN):
        low.append(f"cases first@1: {first:.4f} < {measured['cases first@1']:.4f} - {MARGIN}")
    if r["answer@1"] < measured["answer@1"] - MARGIN:
        low.append(f"answer@1: {r['answer@1']:.4f} < {measured['answer@1']:.4f} - {MARGIN}")
    assert not low, f"{path}: " + "; ".join(low) + f"; misses: {r['misses']}"


@pytest.mark.slow
@pytest.mark.parametrize("path", ["eval/plain.jsonl", "eval/plain2.jsonl", "eval/plain3.jsonl", "eval/plain4.jsonl",
                                  "eval/heldout_plain.jsonl"])
def test_hybrid_is_not_below_either_mode_on_the_colloquial_sets(reports, path):
    # Not on 开发集2 any more: BM25 there rides on glossary words written against it (28 of its
    # everyday words occur in no other set) and reaches MRR 0.899 against hybrid 0.887 since the
    # settings were chosen with each set's own glossary words left out (kb/config.py).
    m = reports(path)["modes"]
    assert m["hybrid"]["mrr@10"] >= max(m["bm25"]["mrr@10"], m["dense"]["mrr@10"])


# Paraphrases that share no useful word with their answer: BM25 (with the glossary expansion)
# does not rank the answer in its top 10, the real model ranks it in its top 3 (measured ranks
# in comments). Written for this test after looking at the model's answers: a regression guard
# for the dense side, not a quality estimate. (Hybrid drops most of them: none of their words
# is informative enough to pass the relevance floor.)
DENSE_ONLY = [
    ("有没有专门回答疑问的线上专栏", "你问我答"),  # dense 1
    ("哪里把卖吃食的一整条链子都带起来了", "沙县小吃产业链"),  # dense 1
    # (两个省互相认对方的招牌 until session 30: the glossary's 互认 entry now lets BM25 find it)
    ("东北和南方两个省在地方招牌上签了约", "区域品牌建设合作互认协议"),  # dense 1
    ("给床上织物挑毛病的办法", "四化一制"),  # dense 2
    ("乡亲们给人做挡雨家伙事儿能多挣点吗", "共富工坊"),  # dense 2
    ("小厂能不能少交点审查的钱", "认证费用"),  # dense 3
]


def _rank(kb, query: str, answer: str, mode: str) -> int | None:
    hits = kb.search(query, top_k=10, mode=mode)
    rels = relevance([h.chunk.text for h in hits], (answer,))
    return next((i + 1 for i, r in enumerate(rels) if r), None)


@pytest.mark.slow
@pytest.mark.parametrize(("query", "answer"), DENSE_ONLY)
def test_real_model_finds_what_keywords_cannot(real_kb, query, answer):
    assert _rank(real_kb, query, answer, "bm25") is None, "BM25 finds it: not a test of the model"
    dense = _rank(real_kb, query, answer, "dense")
    assert dense is not None and dense <= 5, f"dense rank {dense} (measured ≤ 3)"


@pytest.mark.slow
def test_milvus_backend_scores_like_local(real_kb):
    """``kb eval --compare-backends``: Milvus Lite within 0.01 of the local backend (second dev set)."""
    from kb.evaluation import PARITY_TOLERANCE, compare_backends

    r = compare_backends(real_kb, [("开发集2", REPO / "eval/dev2.jsonl")])["开发集2"]
    print({m: (r["local"]["modes"][m]["mrr@10"], r["milvus"]["modes"][m]["mrr@10"]) for m in r["local"]["modes"]})
    assert r["max_diff"] <= PARITY_TOLERANCE


@pytest.mark.slow
def test_what_certification_brings_is_answered_with_the_gains_not_the_doubts(real_kb):
    """"认证有什么好处" used to be answered with "质量管理难以在短期内带来明显的经济效益…" (好处 expanded
    only to 经济效益, a term the report uses once, in that discouraging passage)."""
    for query in ("质量管理体系认证有什么好处", "搞认证有啥用"):
        hits = real_kb.search(query, top_k=3)
        answer = real_kb.answer(query, hits)
        assert "年利润率平均提升8.3%" in answer[0].text, answer[0].text
        assert "内生动力不足" not in hits[0].chunk.text
