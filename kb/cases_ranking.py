"""Rank case records (not chunks) for an industry and a problem description.

One additive score orders the list, and it is the score shown. Its parts (``score_parts``,
shown in the UI and in ``kb cases --json``), with the weights in :class:`CaseRankSettings`:

* ``problem``  — problem weight × how well the case matches the problem (0–1, hybrid BM25 +
  vectors; see :meth:`kb.retrieval.Retriever.problem_scores`);
* ``industry`` — industry weight for the chosen 大类 (every 大类 an everyday word such as 食品
  covers counts as chosen; the larger matching-industry weight when the case also matches the
  problem, at least ``other_industry_min``), a share of it for a neighbouring 大类 (same 门类, and in
  manufacturing the same branch: consumer goods, materials or equipment), a smaller share for
  a 大类 that only shares the 门类 (酒 and 金属制品 are both 制造业), 0 otherwise;
* ``region``   — minus the region penalty for each case of the same province already listed
  above it (spreading across regions, small enough to break near-ties only);
* ``evidence`` — evidence weight × the share of up to three quantified outcomes.

The weights (reasons beside them in :class:`kb.config.KBConfig`) make the ordering rules
hold: a same-industry case that matches the problem comes first (before a case of another
industry that matches it better: the trade was asked for), a case of another industry
that matches well comes before a same-industry case that does not match at all, and the
region part only breaks near-ties. Without a problem, an industry lists its own cases and its
neighbours'; cases that only share the 门类 are listed only when those are fewer than
``section_only_fill`` (so 制造业 at large is not listed for a trade that has cases of its own).

Pure ranking over plain inputs: the case records, and a function that scores the problem
against a list of case positions (the reader supplies it; see :mod:`kb.retrieval`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .industries import neighbour_industries, related_industries, resolve_industries
from .records import Case, kind_value
from .regions import region_matches

ProblemScorer = Callable[[list[int]], dict[int, float]]  # case positions -> 0–1 score of each
Parts = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class CaseRankSettings:
    """Weights of case ranking (KBConfig carries the defaults, each with its reason)."""

    problem_weight: float = 1.0
    industry_weight: float = 0.4
    related_industry_share: float = 0.5
    region_penalty: float = 0.03
    evidence_weight: float = 0.05
    other_industry_min: float = 0.3
    same_industry_bonus: float = 0.1
    # A 大类 that only shares the 门类 with the chosen one counts this share of the industry
    # weight (half a neighbour's), and without a problem it is listed only while the chosen and
    # neighbouring cases number fewer than section_only_fill.
    section_only_share: float = 0.25
    section_only_fill: int = 3
    # A case of the chosen 大类 that matches the problem (≥ other_industry_min) counts this instead of
    # industry_weight, enough to come before any case of another 大类 (see KBConfig).
    matching_industry_weight: float = 1.1


_SAME, _NEIGHBOUR, _SECTION = 1.0, 0.5, 0.25
_NAMED = 0.75  # a case of another 大类 whose text names the trade asked (see rank_cases)


def _industry_match(case: Case, wanted: set[str], neighbours: set[str], section: set[str]) -> float:
    names = set(case.all_industries)
    if names & wanted:
        return _SAME
    if names & neighbours:
        return _NEIGHBOUR
    if names & section:
        return _SECTION
    return 0.0


def _evidence(case: Case) -> float:
    return min(len(case.outcomes), 3) / 3


def _spread(base: dict[int, Parts], cases: Sequence[Case], penalty: float, top_k: int) -> list[tuple[int, Parts]]:
    """Greedy: take the best total; every case of a province already taken loses ``penalty``.

    Penalties only grow as cases are taken, so the totals come out in non-increasing order.
    """
    out: list[tuple[int, Parts]] = []
    shown: dict[str, int] = {}
    remaining = sorted(base)

    def parts(i: int) -> Parts:
        prov = cases[i].region.province or ""
        n = shown.get(prov, 0) if prov else 0
        region = -penalty * n if n else 0.0
        return tuple((n, region) if n == "region" else (n, v) for n, v in base[i])

    while remaining and len(out) < top_k:
        scored = [(i, parts(i)) for i in remaining]
        best, best_parts = max(scored, key=lambda x: (sum(v for _, v in x[1]), -x[0]))
        out.append((best, best_parts))
        remaining.remove(best)
        prov = cases[best].region.province or ""
        if prov:
            shown[prov] = shown.get(prov, 0) + 1
    return out


def same_record(c: Case) -> tuple:
    """What makes two case records the same case told twice: a copy of a collection in another
    file (the PDF beside its DOCX, an encrypted copy) gives records equal in all of these."""
    return (c.kind, _letters(c.title), _letters(c.problem), _letters(c.measures),
            tuple((_letters(o.metric), o.before, o.after, o.change, o.unit) for o in c.outcomes))


def _letters(text: str) -> str:
    """Only the characters and digits: a PDF's text layer moves or drops quotation marks and spaces
    that the DOCX it was made from has ("“抱团认证”" / "抱团认证")."""
    return "".join(ch for ch in text if ch.isalnum())


def select_cases(cases: Sequence[Case], region: str | None = None, kind: str | None = None) -> list[int]:
    """Positions of the cases in ``region`` (any of a case's places) and of ``kind``; a case equal
    to an earlier one (another copy of its collection) is listed once, at the first copy."""
    seen: set[tuple] = set()
    out = []
    kind = kind_value(kind)
    for i, c in enumerate(cases):
        if (region and not any(region_matches(r, region) for r in c.all_regions)) or (kind and c.kind != kind):
            continue
        key = same_record(c)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


def rank_cases(cases: Sequence[Case], score_problem: ProblemScorer | None, industry: str | None = None,
               problem: str | None = None, region: str | None = None, top_k: int = 10, kind: str | None = None,
               settings: CaseRankSettings = CaseRankSettings()) -> list[tuple[int, float, Parts]]:
    """(position, score, score parts) of the best ``top_k`` cases, best first (score = sum of parts).

    With neither an industry nor a problem every case is listed in document order, score 0.
    """
    idx = select_cases(cases, region, kind)
    wanted = set(resolve_industries(industry))
    problem = (problem or "").strip()
    if not problem and not wanted:
        return [(i, 0.0, ()) for i in idx]
    neighbours = {n for w in wanted for n in neighbour_industries(w)} - wanted
    section = {n for w in wanted for n in related_industries(w)} - wanted - neighbours
    ind = {i: _industry_match(cases[i], wanted, neighbours, section) for i in idx}
    # a trade asked in everyday words that a case's own text names (食品: 沙县小吃…带动餐饮、食品、旅游…协同
    # 提升, a 餐饮业 case) is nearer than a neighbouring 大类 that does not name it
    word = (industry or "").strip()
    if wanted and len(word) >= 2 and word not in wanted:
        ind = {i: max(v, _NAMED) if word in cases[i].text else v for i, v in ind.items()}
    if problem and score_problem is not None:
        prob = score_problem(idx)
        # A case of another industry, related (same 门类) or not, is listed only if it matches the
        # problem well: a 伞业 case that shares nothing with "产品缺陷率高" is noise for 纺织业.
        idx = [i for i in idx if not wanted or ind[i] == _SAME or prob[i] >= settings.other_industry_min]
    else:
        prob = dict.fromkeys(idx, 0.0)
        idx = [i for i in idx if ind[i] > 0]
        if sum(ind[i] >= _NEIGHBOUR for i in idx) >= settings.section_only_fill:
            idx = [i for i in idx if ind[i] >= _NEIGHBOUR]
    share = {_SAME: 1.0, _NAMED: (1.0 + settings.related_industry_share) / 2, _NEIGHBOUR: settings.related_industry_share,
             _SECTION: settings.section_only_share, 0.0: 0.0}
    base: dict[int, Parts] = {}
    for i in idx:
        parts = []
        if problem:
            parts.append(("problem", settings.problem_weight * prob[i]))
        if wanted:
            matching = problem and ind[i] == _SAME and prob[i] >= settings.other_industry_min
            parts.append(("industry", settings.matching_industry_weight if matching
                          else settings.industry_weight * share[ind[i]]))
        parts += [("region", 0.0), ("evidence", settings.evidence_weight * _evidence(cases[i]))]
        base[i] = tuple(parts)
    return [(i, sum(v for _, v in p), p) for i, p in _spread(base, cases, settings.region_penalty, top_k)]


def industry_case_count(cases: Sequence[Case], industry: str | None, region: str | None = None,
                        kind: str | None = None) -> int:
    """How many cases of ``region`` and ``kind`` (each case once, as :func:`select_cases`) are of the
    trade ``industry`` names (every 大类 it covers)."""
    wanted = set(resolve_industries(industry))
    return sum(bool(wanted & set(cases[i].all_industries)) for i in select_cases(cases, region, kind)) if wanted else 0


def rank_similar(cases: Sequence[Case], case_vectors: np.ndarray, pos: int, top_k: int = 5,
                 settings: CaseRankSettings = CaseRankSettings(), industry: str | None = None,
                 region: str | None = None, kind: str | None = None) -> list[tuple[int, float, Parts]]:
    """(position, score, parts) of the cases most like ``cases[pos]``: cosine, plus a bonus when
    they share an industry, minus the region penalty for repeated provinces. ``industry``,
    ``region`` and ``kind`` keep only the cases of that trade, place and kind (kb cases --like
    X --region 江苏)."""
    if case_vectors is None or not len(case_vectors):
        return []
    me = cases[pos]
    sims = case_vectors @ case_vectors[pos]
    mine = set(me.all_industries)
    wanted = set(resolve_industries(industry))
    base: dict[int, Parts] = {}
    for i in select_cases(cases, region, kind):
        c = cases[i]
        if i == pos or same_record(c) == same_record(me) or (wanted and not wanted & set(c.all_industries)):
            continue  # itself, or itself in another copy of its collection
        bonus = settings.same_industry_bonus if mine & set(c.all_industries) else 0.0
        base[i] = (("similarity", max(0.0, float(sims[i]))), ("industry", bonus), ("region", 0.0))
    return [(i, sum(v for _, v in p), p) for i, p in _spread(base, cases, settings.region_penalty, top_k)]
