"""Rank case records (not chunks) for an industry and a problem description.

Order: cases of the chosen industry first, then related industries (same GB/T 4754 门类),
then others that still match the problem well. Within a tier, the problem score decides,
and a case from a province already shown is discounted so results spread across regions.

Pure ranking over plain inputs: the case records, and a function that scores the problem
against a list of case positions (the reader supplies it; see :mod:`kb.retrieval`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .industries import related_industries, resolve_industry
from .records import Case
from .regions import region_matches

ProblemScorer = Callable[[list[int]], dict[int, float]]  # case positions -> 0–1 score of each


@dataclass(frozen=True)
class CaseRankSettings:
    """Knobs of case ranking (KBConfig carries the defaults, each with its reason)."""

    region_discount: float = 0.85
    other_industry_min: float = 0.3
    same_industry_bonus: float = 0.1


def _tier(case: Case, industry: str | None, related: set[str]) -> int:
    if industry is None:
        return 0
    names = set(case.all_industries)
    if industry in names:
        return 0
    if names & related:
        return 1
    return 2


def _diversify(order: list[int], scores: dict[int, float], tiers: dict[int, int], cases: Sequence[Case],
               discount: float) -> list[int]:
    """Greedy re-rank inside each tier: repeated provinces are discounted."""
    out: list[int] = []
    shown: dict[str, int] = {}
    remaining = list(order)
    while remaining:
        tier = min(tiers[i] for i in remaining)
        pool = [i for i in remaining if tiers[i] == tier]

        def eff(i: int) -> float:
            prov = cases[i].region.province or ""
            return scores[i] * (discount ** shown.get(prov, 0))

        best = max(pool, key=lambda i: (eff(i), -order.index(i)))
        out.append(best)
        remaining.remove(best)
        prov = cases[best].region.province or ""
        shown[prov] = shown.get(prov, 0) + 1
    return out


def select_cases(cases: Sequence[Case], region: str | None = None, kind: str | None = None) -> list[int]:
    """Positions of the cases in ``region`` (any of a case's places) and of ``kind``."""
    return [i for i, c in enumerate(cases)
            if (not region or any(region_matches(r, region) for r in c.all_regions))
            and (not kind or c.kind == kind)]


def rank_cases(cases: Sequence[Case], score_problem: ProblemScorer | None, industry: str | None = None,
               problem: str | None = None, region: str | None = None, top_k: int = 10, kind: str | None = None,
               settings: CaseRankSettings = CaseRankSettings()) -> list[tuple[int, float]]:
    """(position, score) of the best ``top_k`` cases, best first."""
    idx = select_cases(cases, region, kind)
    industry = resolve_industry(industry)
    problem = (problem or "").strip()
    if not problem and not industry:
        return [(i, 1.0) for i in idx]  # no question: every case, in document order
    related = set(related_industries(industry)) - {industry} if industry else set()
    tiers = {i: _tier(cases[i], industry, related) for i in idx}
    if problem and score_problem is not None:
        scores = score_problem(idx)
        idx = [i for i in idx if tiers[i] < 2 or scores[i] >= settings.other_industry_min]
    else:
        idx = [i for i in idx if tiers[i] < 2]
        scores = {i: 1.0 if tiers[i] == 0 else 0.5 for i in idx}
    order = sorted(idx, key=lambda i: (tiers[i], -scores[i], i))
    order = _diversify(order, scores, tiers, cases, settings.region_discount)[:top_k]
    return [(i, float(scores[i])) for i in order]


def rank_similar(cases: Sequence[Case], case_vectors: np.ndarray, pos: int, top_k: int = 5,
                 settings: CaseRankSettings = CaseRankSettings()) -> list[tuple[int, float]]:
    """(position, score) of the cases most like ``cases[pos]``: cosine plus a same-industry bonus."""
    if case_vectors is None or not len(case_vectors):
        return []
    me = cases[pos]
    sims = case_vectors @ case_vectors[pos]
    mine = set(me.all_industries)
    scores = {}
    for i, c in enumerate(cases):
        if i == pos:
            continue
        bonus = settings.same_industry_bonus if mine & set(c.all_industries) else 0.0
        scores[i] = float(np.clip(sims[i] + bonus, 0.0, 1.0))
    order = sorted(scores, key=lambda i: -scores[i])
    tiers = {i: 0 for i in order}
    order = _diversify(order, scores, tiers, cases, settings.region_discount)[:top_k]
    return [(i, scores[i]) for i in order]
