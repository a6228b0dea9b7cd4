"""Comparable-case ranking: one additive score, its parts, and the ordering rules (synthetic records)."""

from __future__ import annotations

import pytest

from kb.cases_ranking import CaseRankSettings, rank_cases
from kb.records import Case, Outcome, Region


def _case(n: int, industry: str | None, province: str, outcomes: int = 0) -> Case:
    return Case(f"syn-c{n:03d}", "syn", "enterprise_case", f"合成案例{n}", Region(province), industry, "", "",
                tuple(Outcome(f"指标{k}", None, 1.0) for k in range(outcomes)), (), 1, None, f"合成案例{n}")


CASES = [
    _case(0, "纺织业", "江苏省", outcomes=1),  # same industry, matches the problem
    _case(1, "纺织业", "浙江省", outcomes=3),  # same industry, does not match at all
    _case(2, "食品制造业", "山东省"),  # another manufacturing trade (related), matches well
    _case(3, "餐饮业", "福建省"),  # unrelated, matches well
    _case(4, "餐饮业", "福建省"),  # unrelated, weak match: left out
    _case(5, "纺织业", "江苏省", outcomes=1),  # same as 0 in every way but a repeated province
    _case(6, "纺织业", "广东省", outcomes=1),
]
PROBLEM = {0: 0.9, 1: 0.0, 2: 0.85, 3: 0.8, 4: 0.1, 5: 0.9, 6: 0.88}


def _rank(**kw):
    return rank_cases(CASES, lambda idx: {i: PROBLEM[i] for i in idx}, **kw)


def test_order_is_the_shown_score_and_parts_add_up():
    ranked = _rank(industry="纺织业", problem="合成问题", top_k=10)
    scores = [s for _, s, _ in ranked]
    assert scores == sorted(scores, reverse=True)
    for _, score, parts in ranked:
        assert [n for n, _ in parts] == ["problem", "industry", "region", "evidence"]
        assert sum(v for _, v in parts) == pytest.approx(score)


def test_ordering_rules():
    order = [i for i, _, _ in _rank(industry="纺织业", problem="合成问题", top_k=10)]
    # same industry matching the problem first, then a well-matching case of another industry,
    # then the same-industry case that shares nothing with the problem; weak outsiders left out
    assert order[:3] == [0, 6, 5] or order[:3] == [0, 5, 6]
    assert order.index(3) < order.index(1) and order.index(2) < order.index(1)
    assert 4 not in order


def test_region_only_breaks_near_ties():
    ranked = {i: (s, dict(p)) for i, s, p in _rank(industry="纺织业", problem="合成问题", top_k=10)}
    # 5 equals 0 but comes from a province already listed: it loses the tie to 广东 (0.88)
    assert ranked[5][1]["region"] == -CaseRankSettings().region_penalty
    assert ranked[0][1]["region"] == 0.0 and ranked[6][0] > ranked[5][0]
    # …yet a repeated province never drops below a clearly weaker case
    assert ranked[5][0] > ranked[2][0]


def test_industry_only_and_listing():
    ranked = _rank(industry="纺织业", top_k=10)
    # no problem: the industry and related ones (same 门类) only, the related one last
    assert {i for i, _, _ in ranked} == {0, 1, 2, 5, 6} and ranked[-1][0] == 2
    assert ranked[0][0] == 1  # the one with most evidence
    listing = _rank(top_k=3)
    assert [i for i, _, _ in listing] == list(range(len(CASES)))  # no question: every case, in order
    assert all(s == 0.0 and p == () for _, s, p in listing)


def test_a_case_told_twice_is_listed_once_even_when_its_quotes_differ():
    """A PDF beside the DOCX it was made from: the same record, but the PDF's text layer moved the
    quotation marks. Listed once, at the first copy; a different case with the same title stays."""
    from dataclasses import replace

    from kb.cases_ranking import select_cases

    docx = Case("docx-c001", "docx", "local_experience", "合成市：家具产业集群“抱团认证”", Region("合成省"), None,
                "开裂变形投诉多。", "组织“抱团”认证。", (Outcome("投诉", None, None, -63.0, "%"),), (), 1, None, "合成")
    pdf = replace(docx, case_id="pdf-c001", doc_id="pdf", title="合成市：家具产业集群抱团认证", measures="组织 抱团 认证。")
    other = replace(docx, case_id="other-c001", doc_id="other", problem="返工多。")
    assert select_cases([docx, pdf, other]) == [0, 2]


def test_a_matching_case_of_the_trade_asked_comes_before_better_matches_of_other_trades():
    """A tester's --industry 专用设备制造业 --problem 合格率 listed its one C35 case (match 0.51) 7th,
    below six other trades matching 0.8–1.0; a case of the trade asked that matches the problem
    (≥ other_industry_min) now comes first, one that does not still comes after good outsiders."""
    cases = [_case(0, "食品制造业", "山东省", outcomes=3), _case(1, "餐饮业", "福建省", outcomes=3),
             _case(2, "纺织业", "江苏省"), _case(3, "纺织业", "浙江省", outcomes=3)]
    problem = {0: 1.0, 1: 0.95, 2: CaseRankSettings().other_industry_min, 3: 0.2}
    ranked = rank_cases(cases, lambda idx: {i: problem[i] for i in idx}, industry="纺织业", problem="合成问题", top_k=10)
    assert [i for i, _, _ in ranked] == [2, 0, 1, 3]
    assert dict(ranked[0][2])["industry"] == CaseRankSettings().matching_industry_weight
    assert dict(ranked[-1][2])["industry"] == CaseRankSettings().industry_weight


def test_a_case_naming_the_trade_asked_comes_before_neighbouring_trades():
    """Session 31 tester t19: `kb cases --industry 食品` listed 家纺 and 伞业 (other manufacturing) before the 沙县小吃
    case (餐饮业) whose text says it brings along 餐饮、食品、旅游. A case of another 大类 naming the everyday word
    asked comes after the trade's own cases and before neighbours that do not name it."""
    named = Case("syn-c100", "syn", "local_experience", "合成经验：小吃产业", Region("福建省"), "餐饮业", "", "",
                 (), (), 1, None, "合成测试材料：小吃产业带动餐饮、食品、旅游协同提升。")
    cases = [*CASES, named]
    order = [i for i, _, _ in rank_cases(cases, None, industry="食品", top_k=10)]
    assert order[0] == 2  # the 食品制造业 case itself
    assert order.index(7) < min(order.index(i) for i in (0, 1, 5, 6))  # then the one naming 食品, then 纺织业
    # the official name chosen in a filter is no everyday word: no case is lifted by it
    official = [i for i, _, _ in rank_cases(cases, None, industry="食品制造业", top_k=10)]
    assert 7 not in official
