"""Everyday questions about case collections (eval/cases_plain.jsonl and eval/cases_plain2.jsonl, see
eval/CASES_PLAIN_README.md).

The collections are the SYNTHETIC ones under eval/cases/docs and eval/cases_other, indexed with
the shipped report as a user would add them to corpus/. The well-formedness check uses the hash
embedder; the figures (``MEASURED``, README “案例集上的口语问题”) need the real model (slow).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb import KBConfig, KnowledgeBase
from kb.evaluation import MODES, evaluate, load_queries, relevance

REPO = Path(__file__).resolve().parent.parent
DOCS = [*sorted((REPO / "eval" / "cases" / "docs").iterdir()),
        *sorted(p for p in (REPO / "eval" / "cases_other").iterdir() if p.suffix in (".docx", ".pdf"))]
METRICS = ("hit@1", "hit@5", "hit@10", "mrr@10")
MARGIN = 0.01  # one query is 1/40 = 0.025: losing any hit fails
# Measured 2026-11-27 (cases_plain hybrid again 2026-11-28, after the place and trade lifts; m3e-small,
# ONNX int8, CPU) on this corpus with the case parts ranked as in
# kb/config.py (case_problem_share 0.9, answer_problem_penalty 0.5, answer_part_bonus 0.2). The
# testers' first readings: cases_plain hybrid hit@1 0.525, MRR@10 0.654, answer@1 0.200 (before
# any of those settings); cases_plain2 0.650 / 0.737 / 0.425 (after the first version of them).
MEASURED = {
    "eval/cases_plain.jsonl": {
        "bm25": {"hit@1": 0.525, "hit@5": 0.700, "hit@10": 0.750, "mrr@10": 0.605},
        # session 27: dense one query lower (0.525 / 0.603 → 0.500 / 0.591) with the trainer's framing
        # taken out of the question; hybrid and the direct answer one higher
        "dense": {"hit@1": 0.500, "hit@5": 0.700, "hit@10": 0.775, "mrr@10": 0.591},
        "hybrid": {"hit@1": 0.800, "hit@5": 0.925, "hit@10": 1.000, "mrr@10": 0.855},
        "answer@1": 0.675,
    },
    "eval/cases_plain2.jsonl": {
        "bm25": {"hit@1": 0.500, "hit@5": 0.800, "hit@10": 0.850, "mrr@10": 0.630},
        # session 30: dense one query lower (0.525 / 0.587 → 0.500 / 0.572; d37 德清…帮了多少家企业, whose 帮了
        # now also brings the glossary's 帮扶 into the embedded query); hybrid and the direct answer unchanged
        "dense": {"hit@1": 0.500, "hit@5": 0.650, "hit@10": 0.775, "mrr@10": 0.572},
        # session 28: hit@1 one query lower (0.800 → 0.775; d10, d23 lost and d04 won) with a near tie broken
        # by the direct answer's passage (KBConfig.answer_tie_margin); cases_plain two higher, hit@10 1.000
        "hybrid": {"hit@1": 0.775, "hit@5": 1.000, "hit@10": 1.000, "mrr@10": 0.877},
        "answer@1": 0.725,
    },
}


def _home(tmp_path_factory, name: str) -> Path:
    home = tmp_path_factory.mktemp(name)
    (home / "corpus").mkdir()
    for p in [*(REPO / "corpus").glob("*.txt"), *DOCS]:
        shutil.copy(p, home / "corpus" / p.name)
    return home


@pytest.mark.parametrize("path", sorted(MEASURED))
def test_case_question_sets_are_well_formed(tmp_path_factory, path):
    queries = load_queries(REPO / path)
    assert len(queries) == 40 and len({q.id for q in queries}) == 40
    kb = KnowledgeBase(KBConfig(home=_home(tmp_path_factory, "cases_plain_hash"), model="hash-bigram-64"))
    assert not kb.ingest().failed
    texts = [c.text for c in kb.chunks()]
    for q in queries:  # every label is in some passage of the collections
        assert any(relevance(texts, q.answers)), q.id


@pytest.fixture(scope="module")
def real_cases_kb(tmp_path_factory, real_embedder):
    from kb.config import DEFAULT_MODEL

    kb = KnowledgeBase(KBConfig(home=_home(tmp_path_factory, "cases_plain_real"), model=DEFAULT_MODEL),
                       embedder=real_embedder)
    assert not kb.ingest().failed
    return kb


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(MEASURED))
def test_case_question_figures_hold(real_cases_kb, path):
    r = evaluate(real_cases_kb, load_queries(REPO / path))
    measured = MEASURED[path]
    low = [f"{mode} {k}: {r['modes'][mode][k]:.4f} < {measured[mode][k]:.4f}"
           for mode in MODES for k in METRICS if r["modes"][mode][k] < measured[mode][k] - MARGIN]
    if r["answer@1"] < measured["answer@1"] - MARGIN:
        low.append(f"answer@1: {r['answer@1']:.4f} < {measured['answer@1']:.4f}")
    assert not low, f"{path}: " + "; ".join(low) + f"; misses: {r['misses']}"
