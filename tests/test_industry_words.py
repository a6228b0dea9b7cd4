"""Everyday trade words in industry filters (食品, 电子厂, 被子) and how case ranking treats the
大类 an industry shares only its 门类 with. Case records here are SYNTHETIC."""

from __future__ import annotations

import csv

import pytest

from kb.cases_ranking import rank_cases
from kb.industries import (
    WORDS_PATH,
    all_industries,
    classify_industry,
    industry_label,
    is_known_industry,
    neighbour_industries,
    resolve_industries,
    resolve_industry,
    trade_words,
)
from kb.records import Case, Region


def test_ambiguous_words_resolve_to_every_division_main_first():
    assert resolve_industries("食品") == ["食品制造业", "农副食品加工业"]
    assert resolve_industries("电子") == ["计算机、通信和其他电子设备制造业", "电气机械和器材制造业"]
    assert resolve_industry("食品") == "食品制造业"  # the passage filters take the main one


def test_everyday_words_and_trade_suffixes():
    assert resolve_industries("被子") == ["纺织业"]
    assert resolve_industries("电子厂") == resolve_industries("电子")
    assert resolve_industries("食品厂") == resolve_industries("食品")
    assert resolve_industries("机械行业") == ["通用设备制造业", "专用设备制造业"]
    for word, want in [("汽配", "汽车制造业"), ("包装", "造纸和纸制品业"), ("五金", "金属制品业"), ("塑料", "橡胶和塑料制品业"),
                       ("印刷", "印刷和记录媒介复制业"), ("化工", "化学原料和化学制品制造业"), ("建材", "非金属矿物制品业"),
                       ("家具", "家具制造业"), ("陶瓷", "非金属矿物制品业"), ("茶叶", "酒、饮料和精制茶制造业"),
                       ("餐饮", "餐饮业"), ("小吃", "餐饮业"), ("制衣", "纺织服装、服饰业"), ("服装厂", "纺织服装、服饰业"),
                       ("床上用品", "纺织业"), ("鞋厂", "皮革、毛皮、羽毛及其制品和制鞋业")]:
        assert resolve_industries(word)[0] == want, word
    for word in ("食品", "电子", "被子", "电子厂", "汽配", "包装", "机械"):
        assert is_known_industry(word), word
    assert not is_known_industry("火星业") and resolve_industries("火星业") == ["火星业"]
    assert resolve_industries("") == [] and resolve_industry(None) is None


def test_service_trades_and_their_shops():
    for word, want in [("奶茶", "餐饮业"), ("奶茶店", "餐饮业"), ("饭馆", "餐饮业"), ("外卖", "餐饮业"),
                       ("汽修厂", "机动车、电子产品和日用产品修理业"), ("洗车店", "机动车、电子产品和日用产品修理业"),
                       ("美甲店", "居民服务业"), ("干洗", "居民服务业"), ("保洁公司", "其他服务业"),
                       ("搬家公司", "道路运输业"), ("快递", "邮政业"), ("装修公司", "建筑装饰、装修和其他建筑业"),
                       ("药店", "零售业")]:
        assert resolve_industries(word)[0] == want, word
    # 店 after a goods word is a shop, not a maker: 鞋店 is not 制鞋业, 酒店 is a hotel.
    assert resolve_industries("鞋店") == ["鞋店"]
    assert resolve_industries("酒店") == ["住宿业"]


def test_trade_words_of_a_question():
    assert trade_words("我开奶茶店的，旁边还有个汽修厂") == ["奶茶", "汽修"]
    assert trade_words("美容美发店") == ["美容美发"]  # the longer keyword, not 美发 inside it
    assert trade_words("做家具的，顺便搞装修") == ["家具", "装修"]
    # goods words of the everyday list are common words in questions: not trades there
    assert trade_words("电子台账和包装标识，机械化生产") == []
    assert trade_words("清洗车间怎么管理") == []


def test_everyday_words_do_not_classify_texts():
    """The word list resolves filters only: a report's 电子台账 or 包装标识 names no trade."""
    assert classify_industry("企业建立电子台账，规范包装标识和机械化作业") is None


def test_word_table_names_real_divisions():
    names = set(all_industries())
    with open(WORDS_PATH, encoding="utf-8") as fh:
        rows = list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))
    assert rows and all(r["note"].strip() for r in rows)
    for r in rows:
        assert set(resolve_industries(r["word"])) <= names


def test_neighbours_within_manufacturing_are_its_branch():
    drink = set(neighbour_industries("酒、饮料和精制茶制造业"))
    assert {"农副食品加工业", "食品制造业"} <= drink
    assert "金属制品业" not in drink and "橡胶和塑料制品业" not in drink
    assert set(neighbour_industries("餐饮业")) == {"住宿业"}  # outside 制造业: the whole 门类


def _case(n: int, industry: str) -> Case:
    return Case(f"syn-c{n:03d}", "syn", "enterprise_case", f"合成案例{n}", Region("江苏省"), industry, "", "",
                (), (), 1, None, f"合成案例{n}")


def test_food_word_ranks_both_divisions_as_the_chosen_industry():
    cases = [_case(0, "农副食品加工业"), _case(1, "食品制造业"), _case(2, "纺织业")]
    ranked = {i: dict(p)["industry"] for i, _s, p in rank_cases(cases, None, industry="食品")}
    assert ranked[0] == ranked[1] > ranked.get(2, 0.0)


def test_cases_sharing_only_the_section_are_left_out_when_the_trade_has_enough_cases():
    cases = [_case(0, "酒、饮料和精制茶制造业"), _case(1, "酒、饮料和精制茶制造业"), _case(2, "酒、饮料和精制茶制造业"),
             _case(3, "食品制造业"), _case(4, "金属制品业"), _case(5, "橡胶和塑料制品业"), _case(6, "餐饮业")]
    order = [i for i, _s, _p in rank_cases(cases, None, industry="酒、饮料和精制茶制造业")]
    assert order[:3] == [0, 1, 2] and order[3] == 3
    assert not {4, 5, 6} & set(order)
    # With a single case of the trade and no neighbour, the rest of 制造业 fills the list, below it.
    few = [cases[0], cases[4], cases[5], cases[6]]
    ranked = rank_cases(few, None, industry="酒、饮料和精制茶制造业")
    assert ranked[0][0] == 0 and {i for i, _s, _p in ranked} == {0, 1, 2}
    assert ranked[0][1] > ranked[1][1]


def test_section_only_case_needs_a_problem_match_and_ranks_below_a_neighbour():
    cases = [_case(0, "酒、饮料和精制茶制造业"), _case(1, "食品制造业"), _case(2, "金属制品业"), _case(3, "餐饮业")]
    match = {0: 0.5, 1: 0.6, 2: 0.6, 3: 0.6}
    ranked = rank_cases(cases, lambda idx: {i: match[i] for i in idx}, industry="酒、饮料和精制茶制造业", problem="合成问题")
    score = {i: s for i, s, _p in ranked}
    assert score[0] > score[1] > score[2] > score[3]


def test_a_service_word_describing_a_product_is_no_trade():
    from kb.industries import trade_words

    for q in ("保姆式服务", "建筑材料企业", "外卖餐盒生产", "干洗剂", "足浴盆厂", "清洗车间"):
        assert trade_words(q) == [], q
    assert trade_words("我开外卖店的") == ["外卖"] and trade_words("请保姆要注意什么") == ["保姆"]


@pytest.mark.parametrize("text, code", [
    ("该企业主要生产仿古砖和抛光瓷砖。", "30"), ("某建陶企业窑炉改造。", "30"),
    ("企业生产USB、Type-C连接器。", "39"), ("浏阳烟花爆竹小微企业装药工序凭经验。", "26"),
    ("该公司年产黑茶约260吨。", "15"), ("企业生产调味面制品（辣条）。", "14"),
])
def test_trades_a_tester_named_are_classified(text, code):
    """Trades of a tester's collection that came out 行业未识别 (GB/T 4754-2017: 3071 建筑陶瓷,
    3989 其他电子元件, 2672 焰火鞭炮, 1530 精制茶, 1439 其他方便食品)."""
    assert industry_label(classify_industry(text)).startswith("C" + code)


def test_a_trade_with_no_case_is_said_so(tmp_path, monkeypatch, capsys):
    """kb cases --industry 造纸 with no paper maker in the index listed food and textile cases
    under nothing but their own labels; a note now says the trade has no case."""
    from kb.cli import main

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "合成案例.txt").write_text(
        "合成案例汇编（本文件为测试用合成材料）\n\n案例1：合成省某豆制品有限公司\n\n存在问题：豆腐容易发酸。\n\n"
        "取得成效：投诉由每月12起降至2起。\n\n案例2：合成省某印染有限公司\n\n存在问题：色差返工多。\n\n"
        "取得成效：色差返工率由9.2%降至2.1%。\n", encoding="utf-8")
    monkeypatch.setenv("KB_HOME", str(tmp_path))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["ingest", "-q"]) == 0
    capsys.readouterr()
    assert main(["cases", "--industry", "造纸"]) == 0
    assert "提示：索引中没有“造纸”（C22 造纸和纸制品业）的案例，下面列出的是相近行业的案例。" in capsys.readouterr().err
    assert main(["cases", "--industry", "纺织业"]) == 0
    assert "索引中没有" not in capsys.readouterr().err


@pytest.mark.parametrize("text, expected", [
    ("合成旗奶豆腐、奶皮子小作坊菌落总数超标", "食品制造业"),  # 乳制品, not the 豆腐 of 豆制品
    ("合成市铸造企业铸件气孔砂眼多", "金属制品业"),
    ("合成区泡菜企业亚硝酸盐含量波动", "农副食品加工业"),
    ("合成市某鞋厂鞋底开胶", "皮革、毛皮、羽毛及其制品和制鞋业"),
    ("合成市眼镜企业镜架焊点开裂", "专用设备制造业"),  # 3587 眼镜制造 (session 24)
])
def test_trades_a_tester_found_unnamed(text, expected):
    """Synthetic sentences naming trades a black-box tester's collections used (session 23)."""
    from kb.industries import classify_industries

    assert classify_industries(text)[:1] == [expected]


def test_trade_lists_are_joined_so_names_with_a_dunhao_stay_whole():
    """GB/T 4754 names hold a "、" of their own; a list of them is joined with "；"."""
    from kb.industries import industry_list

    names = ["纺织业", "计算机、通信和其他电子设备制造业"]
    assert industry_list(names) == "C17 纺织业；C39 计算机、通信和其他电子设备制造业"
    assert industry_list(names, labels=False) == "纺织业；计算机、通信和其他电子设备制造业"
    assert industry_list([]) == ""


@pytest.mark.parametrize("text, code", [
    ("该公司主要生产离心泵、化工泵，员工50人。", "C34"),  # 3441 泵及真空设备, not C26 via 化工
    ("合成县某健身器材公司年产跑步机。", "C24"),  # 2443 健身器材制造, not R89 体育 (a service)
    ("该公司主要生产米粉，员工50人。", "C14"),  # 1431 米、面制品制造
    ("该公司主要生产高强度紧固件。", "C34"),  # 3482 紧固件制造 (348 通用零部件)
    ("清河县是全国重要的羊绒纺纱及羊绒制品生产基地。", "C17"),  # 1721 毛条和毛纱线加工
    ("揭东区不锈钢餐厨具企业以出口为主。", "C33"),  # 3381 金属制厨房用器具制造
    ("该公司位于樟树市，主要从事中药饮片炮制加工。", "C27"),  # 从事中药…: 中 here starts the product
    # session 25 testers: 1781 非织造布制造, 1523 果菜汁饮料, 382/389 插座, 8514 养老护理
    ("合成县某企业主要生产熔喷布、无纺布。", "C17"), ("合成市某果汁厂主要生产苹果汁。", "C15"),
    ("合成市某企业主要生产插座和排插。", "C38"), ("合成区某养老院提升服务质量。", "Q85"),
])
def test_trades_of_tester_a_are_classified_by_their_gbt_4754_class(text, code):
    """Session 24 tester's synthetic collections: pumps were C26 (化工 in 化工泵), fitness equipment
    R89, rice noodles and fasteners in the wrong 大类, cashmere spinning and steel kitchenware none."""
    from kb.industries import classify_industries

    assert industry_label(classify_industries(text)[0]).startswith(code + " ")


def test_making_something_during_production_is_still_no_product():
    from kb.industries import _own_products

    assert _own_products("企业在生产中发现家具开裂") == []
    assert _own_products("主要从事中药饮片炮制加工") == ["医药制造业"]


@pytest.mark.parametrize("word, codes", [("中药", ["C27", "A01"]), ("羊绒", ["C17", "C18"]), ("泵", ["C34"]),
                                         ("泵厂", ["C34"]), ("不锈钢", ["C33", "C31"])])
def test_tester_a_filter_words_are_known(word, codes):
    """--industry 中药 / 羊绒 / 泵 / 不锈钢 were reported as unknown trades."""
    assert is_known_industry(word)
    assert [industry_label(n).split()[0] for n in resolve_industries(word)] == codes


def test_why_no_case_of_the_trade_is_listed(tmp_path):
    """The note of kb cases, /api/cases and the app: the index (or the region) has no case of the
    trade, or it has some that match the problem too weakly to be among the top k. A tester's
    top-k 5 said "索引中没有" though a C35 case ranked 7th, and top-k 30 said nothing."""
    from kb import KBConfig, KnowledgeBase

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "合成案例.txt").write_text(
        "合成案例汇编（本文件为测试用合成材料）\n\n案例1：合成省某豆制品有限公司\n\n存在问题：豆腐容易发酸，合格率低。\n\n"
        "取得成效：合格率由80%提高到95%。\n\n案例2：合成省某印染有限公司\n\n存在问题：色差返工多。\n\n"
        "取得成效：色差返工率由9.2%降至2.1%。\n\n案例3：江苏省某糕点有限公司\n\n存在问题：糕点合格率低。\n\n"
        "取得成效：合格率由85%提高到97%。\n", encoding="utf-8")
    kb = KnowledgeBase(KBConfig(home=tmp_path, model="hash-bigram-64", backend="local"))
    kb.ingest()
    hits = kb.cases(industry="造纸", problem="合格率", top_k=5)
    assert hits and kb.industry_notes("造纸", hits) == ["索引中没有“造纸”（C22 造纸和纸制品业）的案例，下面列出的是相近行业的案例。"]
    hits = kb.cases(industry="纺织业", problem="合格率", top_k=1)
    assert [h.case.industry for h in hits] != ["纺织业"]  # the dyeing case shares nothing with 合格率
    assert kb.industry_notes("纺织业", hits) == ["“纺织业”（C17 纺织业）有 1 个案例，但与问题匹配较弱，不在这 1 条里；增加条数可以看到。"]
    assert kb.industry_notes("纺织业", kb.cases(industry="纺织业", problem="合格率", top_k=5)) == []
    assert kb.industry_notes("火星业", hits) == [] and kb.industry_notes(None, hits) == []
    hits = kb.cases(industry="纺织业", region="江苏", top_k=5)
    assert kb.industry_notes("纺织业", hits, region="江苏")[0].startswith("所选地区或类型中没有“纺织业”")
