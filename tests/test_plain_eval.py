"""The colloquial set and the off-topic set: well formed, and off-topic questions come back empty
(slow; every figure of the colloquial set is guarded in tests/test_eval.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.evaluation import load_queries, offtopic_report

REPO = Path(__file__).resolve().parent.parent


def test_plain_and_offtopic_sets_are_well_formed():
    plain = load_queries(REPO / "eval/plain.jsonl")
    off = load_queries(REPO / "eval/offtopic.jsonl")
    assert len(plain) >= 40 and len(off) >= 15
    assert all(q.answers for q in plain) and not any(q.answers for q in off)
    dev = {q.query for name in ("queries", "dev2") for q in load_queries(REPO / f"eval/{name}.jsonl")}
    assert not dev & {q.query for q in plain}


@pytest.mark.slow
def test_offtopic_questions_come_back_empty(real_kb):
    assert offtopic_report(real_kb, REPO / "eval/offtopic.jsonl")["empty"]["hybrid"] >= 0.9
