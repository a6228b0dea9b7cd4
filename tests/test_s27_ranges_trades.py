"""Figure ranges as one outcome, --industry on every exported item, 茶 as a trade word, an
enterprise's county named after its city-prefixed name.

Every text here is 合成测试材料 (SYNTHETIC test material written for these tests: places are real,
enterprises and figures are invented), short, and written under ``tmp_path`` only.
"""

from __future__ import annotations

import pytest
from kbgen import build_kb
from test_export import FakeKB, _chunk_hit, _other_case

from kb.cases import parse_outcomes
from kb.export import collect_items
from kb.industries import resolve_industries
from kb.pipeline import parse_document
from kb.present import outcome_text
from kb.records import Outcome
from kb.retrieval import question_industry


def _one(text: str) -> Outcome:
    found = parse_outcomes(text)
    assert len(found) == 1, found
    return found[0]


# --- ranges -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["合成模具厂交货周期缩短20%～30%。", "合成模具厂交货周期缩短20%-30%。",
                                  "合成模具厂交货周期缩短20~30%。", "合成模具厂交货周期缩短20%至30%。"])
def test_a_range_of_change_is_one_outcome(text):
    o = _one(text)
    assert (o.metric, o.before, o.after, o.change, o.upto, o.unit) == ("合成模具厂交货周期", None, None, -20.0, -30.0, "%")
    assert outcome_text(o) == "合成模具厂交货周期：缩短20%～30%"


def test_ranges_of_levels_and_of_an_after():
    level = _one("合成企业产品合格率提高到95%～98%。")
    assert (level.after, level.upto, level.change) == (95.0, 98.0, None)
    assert outcome_text(level) == "合成企业产品合格率：95%～98%"
    pair = _one("合成企业产品合格率由90%提升至95%～98%。")
    assert (pair.before, pair.after, pair.upto) == (90.0, 95.0, 98.0)
    assert outcome_text(pair) == "合成企业产品合格率：90% → 95%～98%"
    money = _one("合成企业年节约成本10万～20万元。")
    assert (money.after, money.upto, money.unit) == (10.0, 20.0, "万元")


def test_no_outcome_is_named_after_the_range_mark():
    found = parse_outcomes("合成企业交货周期缩短20%～30%，配套企业客户投诉率降低10%～15%，合格率提升至98.5%-99.2%。")
    assert [(o.metric, o.change, o.after, o.upto) for o in found] == [
        ("合成企业交货周期", -20.0, None, -30.0), ("配套企业客户投诉率", -10.0, None, -15.0), ("合格率", None, 98.5, 99.2)]
    assert not any(o.metric.strip("～~-至") == "" or o.metric.startswith(("～", "~")) for o in found)


def test_a_from_to_pair_and_single_figures_are_no_range():
    pair = _one("合成企业不良率由10%至15%。")
    assert (pair.before, pair.after, pair.upto) == (10.0, 15.0, None)
    single = _one("合成企业不良率下降15%。")
    assert (single.change, single.upto) == (-15.0, None)
    assert "～" not in outcome_text(single)


# --- a range kept through the index, and the county of an enterprise -----------------------

_REPORT = """合成测试材料：某省小微企业质量提升工作总结

一、主要做法

各地组织专家开展上门诊断，帮助企业建立质量管理体系。

二、典型案例

湖州织里合成童装有限公司位于浙江省湖州市吴兴区织里镇，员工40人，主要生产童装。帮扶组指导企业建立面料进厂检测制度，色牢度抽检合格率由86%提升至97%。

台州市黄岩区组织模具企业共建共享检测平台，为合成模塑厂等28家企业开展试模检测，交货周期缩短20%～30%，客户投诉率降低10-15%。

湖州市推动吴兴区、南浔区童装企业开展认证，获证企业由40家增至95家。
"""


@pytest.fixture(scope="module")
def report_cases(tmp_path_factory):
    path = tmp_path_factory.mktemp("s27ranges") / "合成总结.txt"
    path.write_text(_REPORT, encoding="utf-8")
    return {c.title.split("：")[0]: c for c in parse_document(path).cases}


def test_an_enterprise_named_with_its_city_is_in_the_county_its_first_sentence_names(report_cases):
    case = report_cases["湖州织里合成童装有限公司"]
    assert (case.region.province, case.region.city, case.region.county) == ("浙江省", "湖州市", "吴兴区")
    # a city's own experience stays the city's, though it names counties
    city = report_cases["湖州市"]
    assert (city.region.city, city.region.county) == ("湖州市", None)


def test_ranges_read_back_from_the_index(tmp_path):
    kb = build_kb(tmp_path, {"合成总结.txt": _REPORT})
    hits = kb.cases(region="黄岩", top_k=3)
    outcomes = {o.metric: o for h in hits for o in h.case.outcomes}
    assert outcomes["交货周期"].upto == -30.0 and outcomes["客户投诉率"].upto == -15.0
    row = hits[0].as_dict()["outcomes"]
    assert {"metric": "交货周期", "change": -20.0, "upto": -30.0}.items() <= next(
        o for o in row if o["metric"] == "交货周期").items()


# --- --industry on every exported item ------------------------------------------------------

def test_an_export_with_a_trade_takes_only_the_cases_of_that_trade_from_a_passage_of_two():
    passage = _chunk_hit(1, 0.9, "合成童装厂……。合成酒厂……。", industry="酒、饮料和精制茶制造业")
    cid = passage.chunk.chunk_id
    clothes = _other_case("doc000000001-c101", "合成童装厂", "纺织服装、服饰业", chunk_ids=(cid,), text="合成童装厂……。")
    liquor = _other_case("doc000000001-c102", "合成酒厂", "酒、饮料和精制茶制造业", chunk_ids=(cid,), text="合成酒厂……。")
    kb = FakeKB({"白酒批次": [passage]}, cases=[clothes, liquor])
    items = collect_items(kb, ["白酒批次"], industry="白酒", top_k=2)
    assert [(it.source, it.title, it.industry) for it in items] == [("case", "合成酒厂", "酒、饮料和精制茶制造业")]
    # without a trade the passage of two cases stays one passage
    both = collect_items(FakeKB({"白酒批次": [passage]}, cases=[clothes, liquor]), ["白酒批次"], top_k=2)
    assert [it.source for it in both] == ["passage"]


def test_an_export_passage_of_cases_all_of_the_trade_stays_a_passage():
    passage = _chunk_hit(1, 0.9, "合成酒厂甲……。合成酒厂乙……。", industry="酒、饮料和精制茶制造业")
    cid = passage.chunk.chunk_id
    a = _other_case("doc000000001-c101", "合成酒厂甲", "酒、饮料和精制茶制造业", chunk_ids=(cid,))
    b = _other_case("doc000000001-c102", "合成酒厂乙", "酒、饮料和精制茶制造业", chunk_ids=(cid,))
    items = collect_items(FakeKB({"白酒": [passage]}, cases=[a, b]), ["白酒"], industry="白酒", top_k=2)
    assert [it.source for it in items] == ["passage"]


# --- 茶 as a trade ------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["茶", "茶叶", "茶厂", "茶企", "茶企业"])
def test_tea_words_filter_to_the_tea_class(word):
    assert resolve_industries(word) == ["酒、饮料和精制茶制造业"]


@pytest.mark.parametrize("question", ["做茶的小厂农残老超标怎么办", "我们茶企农残超标", "开酒厂的批次不稳定",
                                      "有没有茶叶企业农残超标的案例"])
def test_a_question_writing_tea_as_a_trade_names_the_tea_class(question):
    assert question_industry(question) == "酒、饮料和精制茶制造业"


@pytest.mark.parametrize("question", ["开奶茶店的卫生怎么管", "茶馆的服务怎么提升", "喝茶的杯子容易裂", "茶几厂的桌面开裂"])
def test_tea_inside_other_words_is_no_tea_trade(question):
    assert question_industry(question) != "酒、饮料和精制茶制造业"
