"""Pure functions that combine rankings; numbers here can be worked out by hand."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = 60) -> dict[str, float]:
    """Reciprocal rank fusion: ``sum_i w_i / (k + rank_i)`` with 1-based ranks."""
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + w / (k + rank)
    return scores


def rrf_max(weights: Sequence[float], k: int = 60) -> float:
    """The largest possible RRF score (first in every ranking), to map scores onto 0–1."""
    return sum(w / (k + 1) for w in weights)


def idf(df: int, n: int) -> float:
    """BM25's inverse document frequency of a term found in ``df`` of ``n`` documents."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def evidence_fusion(keyword: Mapping[int, float], coverage: Mapping[int, float], dense: Mapping[int, float],
                    keyword_weight: float, dense_floor: float, dense_power: float = 1.0,
                    coverage_power: float = 1.0, trust_power: float = 0.0,
                    uninformative_weight: float = 1.0) -> dict[int, float]:
    """A 0–1 score per key that weighs each side by how much it actually found.

    keyword side: BM25 relative to the best, times ``coverage ** coverage_power`` (coverage is the
    share of the query's informative IDF the passage contains; power 0 ignores it);
    dense side: cosine mapped from ``dense_floor``…1 onto 0…1 and raised to ``dense_power``,
    so only clear semantic matches count. ``w * kw + (1 - w) * dense`` with
    ``w = keyword_weight * best_coverage ** trust_power``: when no passage contains much of the
    query's informative words (a question in everyday words), the keyword side has found little
    and the semantic side decides more (power 0: a fixed ``keyword_weight``). A passage that
    contains none of the query's informative words keeps ``uninformative_weight`` of its keyword
    score (0: words like 带来 or 认证 alone are no keyword evidence). A question with no
    informative word at all in the passages keeps the plain ``keyword_weight`` and its BM25.
    """
    top = max(keyword.values(), default=0.0)
    best_coverage = max(coverage.values(), default=0.0)
    w = keyword_weight
    if best_coverage <= 0:  # a question of general words only (质量提升): BM25 is all the keyword evidence
        uninformative_weight = 1.0
    elif trust_power:
        w *= best_coverage ** trust_power
    out: dict[int, float] = {}
    for i in set(keyword) | set(dense):
        cov = coverage.get(i, 0.0)
        kw = (cov ** coverage_power if cov > 0 else uninformative_weight) * (keyword.get(i, 0.0) / top if top > 0 else 0.0)
        cos = dense.get(i)
        d = max(0.0, min(1.0, (cos - dense_floor) / (1.0 - dense_floor))) ** dense_power if cos is not None else 0.0
        out[i] = w * kw + (1.0 - w) * d
    return out


def rerank(evidence: Mapping[int, float], token: Mapping[int, float], figures: set[int] | frozenset[int],
           token_weight: float, figure_bonus: float) -> dict[int, float]:
    """``(evidence + token_weight × token + figure_bonus × [has a figure]) / (1 + token_weight +
    figure_bonus)``: the evidence fusion's 0–1 score with the token match (0–1, missing = 0) and
    the figure bonus added, kept on 0–1. ``figure_bonus`` is 0 unless the question asks for a figure."""
    total = 1.0 + token_weight + figure_bonus
    return {i: (e + token_weight * token.get(i, 0.0) + (figure_bonus if i in figures else 0.0)) / total
            for i, e in evidence.items()}


def spread_from_median(values: np.ndarray) -> np.ndarray:
    """``values`` mapped from their median (0) to their maximum (1), clipped; all 0 when the
    maximum is not above the median. How far each stands out among the others, whatever shifts
    all raw cosines together (a question's length or wording, the model)."""
    lo, hi = float(np.median(values)), float(np.max(values))
    return np.clip((values - lo) / (hi - lo), 0.0, 1.0) if hi > lo else np.zeros(len(values))


def lowered(scores: Mapping[int, float], named, amount: float) -> dict[int, float]:
    """``scores`` with ``amount`` taken from the keys in ``named``, not below 0 (the section penalties
    of :meth:`kb.retrieval.Retriever.rerank`: a problem chapter for 有啥好处, the plans for 有没有地方搞了)."""
    return {i: max(0.0, s - amount) if i in named else s for i, s in scores.items()}


def lifted(scores: Mapping[int, float], named, amount: float) -> dict[int, float]:
    """``scores`` with ``amount`` added to the keys in ``named``, all divided by ``1 + amount`` so
    they stay 0–1 (the section, trade and place lifts of :meth:`kb.retrieval.Retriever.rerank`)."""
    return {i: (s + (amount if i in named else 0.0)) / (1.0 + amount) for i, s in scores.items()}
