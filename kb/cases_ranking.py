"""Rank case records (not chunks) for an industry and a problem description.

Order: cases of the chosen industry first, then related industries (same GB/T 4754 门类),
then others that still match the problem well. Within a tier, the problem score decides,
and a case from a province already shown is discounted so results spread across regions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .fusion import rrf, rrf_max
from .records import Case, CaseHit

if TYPE_CHECKING:
    from .knowledge_base import KnowledgeBase, _Snapshot

REGION_DISCOUNT = 0.85  # per case already shown from the same province
OTHER_INDUSTRY_MIN = 0.3  # problem score a case of an unrelated industry needs to be shown


def _resolve_industry(name: str | None) -> str | None:
    if not name:
        return None
    from .industries import all_industries, classify_industry

    if name in set(all_industries()):
        return name
    return classify_industry(name) or name


def _tier(case: Case, industry: str | None, related: set[str]) -> int:
    if industry is None:
        return 0
    if case.industry == industry:
        return 0
    if case.industry in related:
        return 1
    return 2


def problem_scores(kb: KnowledgeBase, snap: _Snapshot, problem: str, idx: list[int]) -> dict[int, float]:
    """Hybrid (BM25 + dense, RRF) score on 0–1 of each case index in ``idx`` for ``problem``."""
    if not idx:
        return {}
    bm25 = snap.case_bm25(kb.tokenizer).scores(kb.tokenizer.tokenize(kb.expand_query(problem)))
    by_bm25 = [i for i in sorted(idx, key=lambda i: -bm25[i]) if bm25[i] > 0]
    rankings, weights = [by_bm25], [kb.config.bm25_weight]
    if snap.case_vectors is not None and len(snap.case_vectors):
        kb._check_model(snap)
        qv = kb.embedder.embed([problem])[0]
        sims = snap.case_vectors @ qv
        rankings.append(sorted(idx, key=lambda i: -sims[i]))
        weights.append(kb.config.dense_weight)
    raw = rrf(rankings, weights, kb.config.rrf_k)
    top = rrf_max(weights, kb.config.rrf_k)
    return {i: raw.get(i, 0.0) / top for i in idx}


def _diversify(order: list[int], scores: dict[int, float], tiers: dict[int, int], cases: list[Case]) -> list[int]:
    """Greedy re-rank inside each tier: repeated provinces are discounted."""
    out: list[int] = []
    shown: dict[str, int] = {}
    remaining = list(order)
    while remaining:
        tier = min(tiers[i] for i in remaining)
        pool = [i for i in remaining if tiers[i] == tier]

        def eff(i: int) -> float:
            prov = cases[i].region.province or ""
            return scores[i] * (REGION_DISCOUNT ** shown.get(prov, 0))

        best = max(pool, key=lambda i: (eff(i), -order.index(i)))
        out.append(best)
        remaining.remove(best)
        prov = cases[best].region.province or ""
        shown[prov] = shown.get(prov, 0) + 1
    return out


def rank_cases(kb: KnowledgeBase, snap: _Snapshot, industry: str | None = None, problem: str | None = None,
               region: str | None = None, top_k: int = 10, kind: str | None = None) -> list[CaseHit]:
    from .industries import related_industries
    from .regions import region_matches

    cases = snap.cases
    idx = [i for i, c in enumerate(cases)
           if (not region or region_matches(c.region, region)) and (not kind or c.kind == kind)]
    industry = _resolve_industry(industry)
    problem = (problem or "").strip()
    if not problem and not industry:
        return [CaseHit(r, 1.0, cases[i], kb.doc_title(cases[i].doc_id)) for r, i in enumerate(idx, start=1)]
    related = set(related_industries(industry)) - {industry} if industry else set()
    tiers = {i: _tier(cases[i], industry, related) for i in idx}
    if problem:
        scores = problem_scores(kb, snap, problem, idx)
        idx = [i for i in idx if tiers[i] < 2 or scores[i] >= OTHER_INDUSTRY_MIN]
    else:
        idx = [i for i in idx if tiers[i] < 2]
        scores = {i: 1.0 if tiers[i] == 0 else 0.5 for i in idx}
    order = sorted(idx, key=lambda i: (tiers[i], -scores[i], i))
    order = _diversify(order, scores, tiers, cases)[:top_k]
    return [CaseHit(r, float(scores[i]), cases[i], kb.doc_title(cases[i].doc_id)) for r, i in enumerate(order, start=1)]


def similar_cases(kb: KnowledgeBase, snap: _Snapshot, case_id: str, top_k: int = 5) -> list[CaseHit]:
    from .errors import KBError

    pos = next((i for i, c in enumerate(snap.cases) if c.case_id == case_id), None)
    if pos is None:
        raise KBError(f"找不到案例“{case_id}”。用 kb cases 查看全部案例编号。")
    if snap.case_vectors is None or not len(snap.case_vectors):
        return []
    me = snap.cases[pos]
    sims = snap.case_vectors @ snap.case_vectors[pos]
    scores = {}
    for i, c in enumerate(snap.cases):
        if i == pos:
            continue
        bonus = 0.1 if me.industry and c.industry == me.industry else 0.0
        scores[i] = float(np.clip(sims[i] + bonus, 0.0, 1.0))
    order = sorted(scores, key=lambda i: -scores[i])
    tiers = {i: 0 for i in order}
    order = _diversify(order, scores, tiers, snap.cases)[:top_k]
    return [CaseHit(r, scores[i], snap.cases[i], kb.doc_title(snap.cases[i].doc_id)) for r, i in enumerate(order, start=1)]
