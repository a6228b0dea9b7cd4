"""Everyday questions about case collections (eval/cases_plain.jsonl, see eval/CASES_PLAIN_README.md).

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
QUERIES = REPO / "eval" / "cases_plain.jsonl"
DOCS = [*sorted((REPO / "eval" / "cases" / "docs").iterdir()),
        *sorted(p for p in (REPO / "eval" / "cases_other").iterdir() if p.suffix in (".docx", ".pdf"))]
METRICS = ("hit@1", "hit@5", "hit@10", "mrr@10")
MARGIN = 0.01  # one query is 1/40 = 0.025: losing any hit fails
# Measured 2026-11-27 (m3e-small, ONNX int8, CPU) on this corpus, with the case parts ranked as in
# kb/config.py (case_problem_share 0.9, answer_problem_penalty 0.35). The tester's first reading,
# before those two settings existed: hybrid hit@1 0.525, MRR@10 0.654, answer@1 0.200.
MEASURED = {
    "bm25": {"hit@1": 0.525, "hit@5": 0.700, "hit@10": 0.750, "mrr@10": 0.605},
    "dense": {"hit@1": 0.525, "hit@5": 0.700, "hit@10": 0.775, "mrr@10": 0.603},
    "hybrid": {"hit@1": 0.675, "hit@5": 0.875, "hit@10": 1.000, "mrr@10": 0.780},
    "answer@1": 0.550,
}


def _home(tmp_path_factory, name: str) -> Path:
    home = tmp_path_factory.mktemp(name)
    (home / "corpus").mkdir()
    for p in [*(REPO / "corpus").glob("*.txt"), *DOCS]:
        shutil.copy(p, home / "corpus" / p.name)
    return home


def test_case_question_set_is_well_formed(tmp_path_factory):
    queries = load_queries(QUERIES)
    assert len(queries) == 40 and len({q.id for q in queries}) == 40
    kb = KnowledgeBase(KBConfig(home=_home(tmp_path_factory, "cases_plain_hash"), model="hash-bigram-64"))
    assert not kb.ingest().failed
    texts = [c.text for c in kb.chunks()]
    for q in queries:  # every label is in some passage of the collections
        assert any(relevance(texts, q.answers)), q.id


@pytest.mark.slow
def test_case_question_figures_hold(tmp_path_factory, real_embedder):
    from kb.config import DEFAULT_MODEL

    kb = KnowledgeBase(KBConfig(home=_home(tmp_path_factory, "cases_plain_real"), model=DEFAULT_MODEL),
                       embedder=real_embedder)
    assert not kb.ingest().failed
    r = evaluate(kb, load_queries(QUERIES))
    low = [f"{mode} {k}: {r['modes'][mode][k]:.4f} < {MEASURED[mode][k]:.4f}"
           for mode in MODES for k in METRICS if r["modes"][mode][k] < MEASURED[mode][k] - MARGIN]
    if r["answer@1"] < MEASURED["answer@1"] - MARGIN:
        low.append(f"answer@1: {r['answer@1']:.4f} < {MEASURED['answer@1']:.4f}")
    assert not low, "; ".join(low) + f"; misses: {r['misses']}"
