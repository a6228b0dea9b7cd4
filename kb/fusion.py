"""Pure functions that combine rankings; numbers here can be worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence


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
