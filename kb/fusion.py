"""Pure functions that combine rankings; numbers here can be worked out by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


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


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    """Scale scores to 0–1; a constant set maps to 1.0."""
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi - lo < 1e-12:
        return {key: 1.0 for key in scores}
    return {key: (v - lo) / (hi - lo) for key, v in scores.items()}


def weighted(score_maps: Sequence[Mapping[str, float]], weights: Sequence[float]) -> dict[str, float]:
    """Weighted sum of min-max normalised scores, divided by the weight total (stays 0–1)."""
    total = sum(weights) or 1.0
    out: dict[str, float] = {}
    for scores, w in zip(score_maps, weights):
        for key, v in min_max(scores).items():
            out[key] = out.get(key, 0.0) + w * v / total
    return out
