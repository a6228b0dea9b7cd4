"""Case fields from labelled parts, profile facts, one-case documents, industries, and the gold set.

All case text here and under eval/cases/ is SYNTHETIC (合成测试材料), invented for the tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.case_eval import FIELDS, evaluate_cases
from kb.cases import heading_part, is_profile_clause, is_single_case, parse_outcomes, table_outcomes
from kb.chunking import chunk_sentences
from kb.cleaning import clean_document
from kb.industries import classify_industries, classify_industry, industry_label
from kb.loaders import load_document
from kb.pipeline import parse_document
from kb.records import Sentence
from kb.structure import structure_sentences

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "eval" / "cases" / "gold.jsonl"


# --- the gold set ---------------------------------------------------------------------------


def test_gold_set_shape_and_every_file_says_it_is_synthetic():
    gold = [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(gold) >= 40
    files = {g["file"] for g in gold}
    assert {Path(f).suffix for f in files} == {".txt", ".docx", ".pdf"}
    assert len({g["layout"] for g in gold}) >= 4
    assert sum(1 for g in gold if g["layout"] == "single") == len([f for f in files if f.startswith("F")])
    for f in files:
        doc = load_document(GOLD.parent / "docs" / f)
        assert "合成测试材料" in doc.pages[0].text[:200], f
    assert all(g["outcomes"] and g["province"] and g["industry"] for g in gold)


def test_gold_set_field_accuracy():
    report = evaluate_cases(GOLD)
    assert report["records"] >= 40
    assert set(report["fields"]) == set(FIELDS)
    assert report["overall"] >= 0.95, report["misses"]
    low = {f: a for f, a in report["fields"].items() if a < 0.9}
    assert not low, (low, report["misses"])


def test_cli_eval_cases_prints_each_field(capsys, monkeypatch):
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(REPO))
    assert main(["eval", "--cases"]) == 0
    out = capsys.readouterr().out
    assert "总体准确率" in out and "（outcomes）" in out and "（profile）" in out


# --- labelled parts -------------------------------------------------------------------------


def _cases(tmp_path, text: str, name: str = "合成案例汇编.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_document(path).cases


COLLECTION = """合成测试材料：企业案例汇编（测试用，内容虚构）

案例1：安徽芜湖某米厂稳定大米品质

企业概况：该厂位于安徽省芜湖市，员工48人，年加工大米2万吨。

存在问题：大米碎米率偏高。

帮扶措施：建立原粮验收和色选复检制度。

取得成效：碎米率从12%降至5%。

案例2：湖南长沙某卤制品作坊规范生产

取得成效：产品抽检连续6个月全部合格。

帮扶措施：配置温度记录仪。

企业简介：作坊员工22人，通过网店销售。

存在问题：

案例3：贵州贵阳某辣椒酱车间改进工艺

车间改进了配料流程，员工的质量意识明显提高。
"""


def test_labelled_parts_profile_and_outcomes(tmp_path):
    first, second, third = _cases(tmp_path, COLLECTION)
    assert first.profile.startswith("该厂位于安徽省芜湖市") and "员工48人" in first.profile
    assert first.problem == "大米碎米率偏高。"
    assert first.measures == "建立原粮验收和色选复检制度。"
    assert [(o.metric, o.before, o.after) for o in first.outcomes] == [("碎米率", 12, 5)]
    assert (first.region.province, first.region.city, first.industry) == ("安徽省", "芜湖市", "农副食品加工业")


def test_bad_input_still_yields_sensible_records(tmp_path):
    """Labels in an unexpected order, a label with no content, a case with no numbers."""
    _, second, third = _cases(tmp_path, COLLECTION)
    assert second.measures == "配置温度记录仪。" and "员工22人" in second.profile
    assert second.problem == ""  # the 存在问题 label has no content
    assert [(o.metric, o.after, o.unit) for o in second.outcomes] == [("产品抽检连续合格", 6, "个月")]
    assert second.industry == "农副食品加工业"  # sold through 网店, made in a workshop
    assert third.outcomes == () and "配料流程" in third.measures and third.industry == "食品制造业"


def test_empty_label_before_the_next_label_in_one_sentence():
    from kb.cases import _inline_labels

    assert _inline_labels("问题：做法：建立台账。") == ("measures", "建立台账。")
    assert _inline_labels("（二）存在问题：返工多。") == ("problem", "返工多。")
    assert _inline_labels("问题在于返工多。") == (None, "问题在于返工多。")


@pytest.mark.parametrize(
    ("heading", "part"),
    [("（一）基本情况", "profile"), ("（二）面临困难", "problem"), ("（三）经验做法", "measures"),
     ("（四）工作成效", "outcomes"), ("三、具体举措", "measures"), ("一、江苏某公司", None),
     ("（二）强化统筹推进", None)],
)
def test_heading_part(heading, part):
    assert heading_part(heading) == part


def test_one_case_per_document(tmp_path):
    text = ("合成测试材料：湖北襄阳某汽车配件企业质量提升\n\n本文件为合成测试材料，内容虚构。\n\n"
            "一、基本情况\n\n企业生产汽车制动片，员工150人。\n\n二、存在问题\n\n制动片摩擦系数离散。\n\n"
            "三、具体举措\n\n企业引入摩擦试验机。\n\n四、工作成效\n\n年索赔金额由60万元降至10万元。\n")
    (case,) = _cases(tmp_path, text, "某企业.txt")
    assert case.problem == "制动片摩擦系数离散。" and case.measures == "企业引入摩擦试验机。"
    assert "员工150人" in case.profile
    assert [(o.metric, o.before, o.after, o.unit) for o in case.outcomes] == [("年索赔金额", 60, 10, "万元")]
    assert (case.region.city, case.industry) == ("襄阳市", "汽车制造业")


def test_a_notice_with_background_and_measures_headings_is_not_one_case(tmp_path):
    text = ("合成测试材料：浙江省关于开展质量提升工作的通知\n\n一、工作背景\n\n近年来小微企业数量增长。\n\n"
            "二、主要做法\n\n组织认证机构开展帮扶。\n\n三、工作要求\n\n各地按时报送材料。\n")
    path = tmp_path / "通知.txt"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    title, sentences = structure_sentences(clean_document(doc))
    assert "通知" in title and not is_single_case(title, sentences)
    # the same text as a case write-up with its results labelled is one case
    case_text = text.replace("关于开展质量提升工作的通知", "某合成企业质量提升案例").replace("三、工作要求", "三、取得成效")
    path.write_text(case_text, encoding="utf-8")
    title, sentences = structure_sentences(clean_document(load_document(path)))
    assert is_single_case(title, sentences)


def test_heading_line_does_not_swallow_the_next_sub_heading(tmp_path):
    from tests.pdfgen import write_pdf

    lines = ["合成测试材料：典型经验汇编", "本文件为合成测试材料，内容虚构。",
             "一、河南省许昌市：发制品产业“一企一策”质量提升",  # as wide as a full line
             "（一）基本情况", "许昌市集聚发制品小微企业600家，从业人员3万人，主要",
             "生产假发和发套。", "（二）主要做法", "组织认证机构开展“一企一策”诊断。",
             "（三）取得成效", "出口退货率从5%降至1.5%。",
             "二、江苏某合成企业：降低缺陷率", "（一）主要做法", "建立首件检验。"]
    path = write_pdf(tmp_path / "合成经验汇编.pdf", [lines])
    cases = parse_document(path).cases
    assert cases[0].title == "河南省许昌市：发制品产业“一企一策”质量提升"
    assert "集聚发制品小微企业600家" in cases[0].profile and cases[0].outcomes[0].before == 5


# --- outcomes vs profile facts --------------------------------------------------------------


@pytest.mark.parametrize(
    "clause", ["员工：48人", "茶农：210户", "年加工大米：2万吨", "集聚小微企业：600家", "景德镇市有手工陶瓷作坊1200家"]
)
def test_profile_facts_are_not_outcomes(clause):
    assert is_profile_clause(clause)
    assert parse_outcomes(clause) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("售后成本原占营收9%，帮扶后售后成本占比降至4%", [("售后成本占比", 9, 4, -5, "%")]),
        ("连续6个月抽检全部合格", [("抽检连续合格", None, 6, None, "个月")]),
        ("出口额增长2倍", [("出口额", None, None, 2, "倍")]),
        ("茶农户均增收1.2万元", [("茶农户均收入", None, None, 1.2, "万元")]),
        ("获证作坊从30家增加到210家", [("获证作坊", 30, 210, 180, "家")]),
        # the amount changed between the verb and the number (synthetic sentences)
        ("平均每家企业每年减少损失约120万元", [("平均每家企业每年损失", None, None, -120, "万元")]),
        ("每年减少复染返工损失约86万元", [("复染返工损失", None, None, -86, "万元/年")]),
        ("企业增加销售收入300万元", [("企业销售收入", None, None, 300, "万元")]),
        ("工业增加值约120万元", [("工业增加值", None, 120, None, "万元")]),
    ],
)
def test_outcome_forms(text, expected):
    assert [(o.metric, o.before, o.after, o.change, o.unit) for o in parse_outcomes(text)] == expected


def test_before_after_table():
    sents = [Sentence(t, None, ("一、某合成企业",), i) for i, t in enumerate(
        ["指标 | 帮扶前 | 帮扶后", "强度合格率 | 91% | 99%", "客户拒收批次 | 14批 | 2批", "其他说明。"])]
    got = [(o.metric, o.before, o.after, o.unit) for _, o in table_outcomes(sents)]
    assert got == [("强度合格率", 91, 99, "%"), ("客户拒收批次", 14, 2, "批")]


def test_outcomes_know_their_passage(tmp_path):
    from kb.cases import extract_cases

    path = tmp_path / "合成案例汇编.txt"
    path.write_text(COLLECTION, encoding="utf-8")
    doc = load_document(path)
    title, sentences = structure_sentences(clean_document(doc))
    chunks = chunk_sentences(doc.doc_id, sentences, 20, 60)  # small chunks: cases span several
    text = {c.chunk_id: c.text for c in chunks}
    cases = extract_cases(doc.doc_id, sentences, chunks, title or doc.title)
    assert sum(len(c.outcomes) for c in cases) == 2
    for case in cases:
        for o in case.outcomes:
            assert o.chunk_id in case.chunk_ids and o.text in text[o.chunk_id]


# --- industries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title", "industry"),
    [
        ("作坊主要生产卤制品，通过网店销售。", "", "农副食品加工业"),
        ("车间生产辣椒酱，主要通过电商平台销售。", "", "食品制造业"),
        ("该厂年加工大米2万吨。", "安徽某米厂", "农副食品加工业"),
        ("合作社开展茶叶加工。", "某茶叶合作社推行标准化", "酒、饮料和精制茶制造业"),
        ("企业生产蘑菇罐头。", "福建某食用菌罐头企业", "食品制造业"),
        ("某超市加强进货查验。", "", "零售业"),
        ("某餐馆规范后厨管理。", "", "餐饮业"),
    ],
)
def test_classify_food_and_trade(text, title, industry):
    assert classify_industry(text, title) == industry


def test_farm_word_yields_to_processing_and_title_keeps_every_trade():
    assert classify_industries("开展加工", "某食用菌罐头企业") == ["食品制造业"]
    assert classify_industries("", "某家纺与服装企业") == ["纺织业", "纺织服装、服饰业"]


def test_industry_label_shows_the_code():
    assert industry_label("食品制造业") == "C14 食品制造业"
    assert industry_label("餐饮业") == "H62 餐饮业"
    assert industry_label(None) == ""


# --- layouts seen in other people's collections (synthetic texts modelled on them) ------------

PARTS_AS_TOP_HEADINGS = """合成测试材料：企业优良案例汇编（第二批）

目录

案例一：浙江省宁波市某五金制品有限公司

案例二：广东省佛山市顺德区某家具有限公司

为总结推广小微企业质量提升经验，现将合成案例汇编如下。

案例一：浙江省宁波市某五金制品有限公司

一、企业基本情况

该公司主要生产门窗五金配件，现有员工86人。

二、存在的主要问题

产品一次交验合格率偏低，客户投诉多。

三、主要做法

推行首件三检制度，建立客户投诉闭环机制。

四、取得成效

产品一次交验合格率由92.1%提升到98.6%。

案例二：广东省佛山市顺德区某家具有限公司

一、企业基本情况

该公司生产实木沙发，员工120人。

二、存在的主要问题

沙发开胶退货多。

三、主要做法

健全来料检验，开展工序巡检。

四、取得成效

开胶率由3.2%降至0.9%。
"""


def test_part_headings_numbered_like_cases_stay_inside_their_case(tmp_path):
    """"案例一：…" then "一、企业基本情况 … 四、取得成效" (parts numbered like top-level headings),
    after a table of contents that repeats the case headings."""
    path = tmp_path / "合成案例汇编.txt"
    path.write_text(PARTS_AS_TOP_HEADINGS, encoding="utf-8")
    assert parse_document(path).title == "合成测试材料：企业优良案例汇编（第二批）"  # not "…（第二批）目录"
    first, second = _cases(tmp_path, PARTS_AS_TOP_HEADINGS, "合成案例汇编.txt")
    assert first.title == "浙江省宁波市某五金制品有限公司" and second.title == "广东省佛山市顺德区某家具有限公司"
    assert first.problem == "产品一次交验合格率偏低，客户投诉多。" and "首件三检" in first.measures
    assert "为总结推广" not in first.measures + second.measures  # the text after the contents is no case's
    assert [(o.metric, o.before, o.after) for o in first.outcomes] == [("产品一次交验合格率", 92.1, 98.6)]
    assert "员工86人" in first.profile and second.problem == "沙发开胶退货多。"
    assert [(o.metric, o.before, o.after) for o in second.outcomes] == [("开胶率", 3.2, 0.9)]


GROUPED = """合成测试材料：地方典型经验和企业优良案例选编

一、地方典型经验

（一）江苏常州：武进区一企一策助推纺织企业降缺陷

【问题】纺织小微企业布面疵点多。【做法】认证机构逐企诊断。【成效】布面疵点率由4.1%降至1.6%。

（二）江西赣州：南康区共享工厂破解家具质量难

【问题】家具作坊涂装质量差。【做法】建设共享喷涂中心。【成效】涂装不良率由9%降至3%。

二、企业优良案例

（一）广西横州：某茶业有限公司打通出口通道

【企业概况】该公司员工40人。【问题】出口茶叶农残超标被退运。【做法】导入体系。【成效】出口额由320万元回升至860万元。

（二）广东东莞：某电子有限公司降低返工

【问题】返工率高。【做法】核算质量成本。【成效】返工率由8.5%降至2.1%。

三、有关说明

以上材料为合成测试材料，数据均为虚构。
"""


def test_group_headings_hold_the_cases_and_set_their_kind(tmp_path):
    cases = _cases(tmp_path, GROUPED, "合成选编.txt")
    assert [(c.title[:5], c.kind) for c in cases] == [
        ("江苏常州：", "local_experience"), ("江西赣州：", "local_experience"),
        ("广西横州：", "enterprise_case"), ("广东东莞：", "enterprise_case")]  # no 说明, no group record
    changzhou, _, hengzhou, _ = cases
    assert changzhou.problem == "纺织小微企业布面疵点多。" and changzhou.measures == "认证机构逐企诊断。"
    assert [(o.metric, o.before, o.after) for o in changzhou.outcomes] == [("布面疵点率", 4.1, 1.6)]
    assert hengzhou.problem == "出口茶叶农残超标被退运。" and "员工40人" in hengzhou.profile
    assert [(o.metric, o.before, o.after, o.unit) for o in hengzhou.outcomes] == [("出口额", 320, 860, "万元")]


@pytest.mark.parametrize("first_line", ["附件2", "合成测试材料", "2023年帮扶工作材料汇编", ""])
def test_one_labelled_case_is_found_whatever_the_first_line(tmp_path, first_line):
    text = (f"{first_line}\n\n" if first_line else "") + (
        "案例1 江西赣州某脐橙合作社\n\n企业概况：合作社有社员30户（合成测试材料）。\n\n"
        "存在问题：次果率高。\n\n帮扶措施：推行分级采摘。\n\n取得成效：次果率由18%降至6%。\n")
    (case,) = _cases(tmp_path, text, "合成单个案例.txt")
    assert "某脐橙合作社" in case.title and case.problem == "次果率高。"
    assert [(o.metric, o.before, o.after) for o in case.outcomes] == [("次果率", 18, 6)]


def test_before_after_table_with_one_cell_per_line_as_pdfs_extract_it():
    cells = ["【成效】帮扶前后主要指标对比如下：", "指标", "帮扶前", "帮扶后", "返工率", "8.5%", "2.1%",
             "单位产品制造成本（元/件）", "14.2", "11.8", "企业年节约成本约460万元。",
             "指标", "2022年", "2023年", "客户退货批次（批）", "14", "3"]
    got = [(i, o.metric, o.before, o.after, o.unit) for i, o in table_outcomes([Sentence(t, 2) for t in cells])]
    assert got == [(4, "返工率", 8.5, 2.1, "%"), (7, "单位产品制造成本", 14.2, 11.8, "元/件"),
                   (14, "客户退货批次", 14, 3, "批")]


@pytest.mark.parametrize(("text", "want"), [
    ("客户满意度由81分提升至94分。", ("客户满意度", 81, 94, "分")),
    ("客户投诉由每月23起降至每月5起。", ("客户投诉", 23, 5, "起/月")),
    ("出口额由320万元回升至860万元。", ("出口额", 320, 860, "万元")),
    ("上线后缺陷数由每千行代码3.2个降至0.9个。", ("缺陷数", 3.2, 0.9, "个/千行代码")),
    ("帮扶前釉面针孔率为7.7%，帮扶后降至2.0%。", ("釉面针孔率", 7.7, 2.0, "%")),
    ("不良率由3.2%降至0。", ("不良率", 3.2, 0, "%")),
    ("交货周期由15天缩短至8天。", ("交货周期", 15, 8, "天")),
])
def test_more_ways_of_stating_a_before_and_after(text, want):
    assert [(o.metric, o.before, o.after, o.unit) for o in parse_outcomes(text)] == [want]


def test_part_labels_on_lines_of_their_own_without_numbering(tmp_path):
    text = ("合成测试材料：企业优良案例汇编\n\n案例一：浙江省宁波市某五金制品有限公司\n\n企业基本情况\n\n该公司现有员工86人。\n\n"
            "存在的主要问题\n\n冲压工序波动大，客户投诉频繁。\n\n主要做法\n\n推行首件三检。\n\n取得成效\n\n"
            "一次交验合格率由92.1%提升到98.6%。\n\n案例二：广东省佛山市某家具有限公司\n\n存在的主要问题\n\n开胶退货多。\n\n"
            "取得成效\n\n开胶率由3.2%降至0.9%。\n")
    first, second = _cases(tmp_path, text)
    assert first.problem == "冲压工序波动大，客户投诉频繁。" and first.measures == "推行首件三检。"
    assert "员工86人" in first.profile and second.problem == "开胶退货多。"
    assert [(o.metric, o.before, o.after) for o in first.outcomes] == [("一次交验合格率", 92.1, 98.6)]


def test_collection_of_field_tables_one_per_case(tmp_path):
    """A DOCX where each case is "案例N" above a two-column table (字段 | 内容: 企业名称, 所在地区,
    所属行业, 存在问题, 主要做法, 取得成效) — synthetic, modelled on a tester's collection."""
    import docx

    document = docx.Document()
    document.add_paragraph("合成测试材料：企业优良案例汇编（表格版）")
    for n, (name, place, trade, problem, measures, result) in enumerate([
        ("虚构的禾丰纺织品有限公司", "浙江省湖州市", "纺织业", "产品缺陷率高", "引入色差仪", "产品缺陷率由5.8%降至1.9%"),
        ("虚构的金穗米业有限公司", "江西省上饶市", "粮食加工（大米）", "碎米率偏高", "更新色选机", "碎米率由12%降至6%"),
    ], start=1):
        document.add_paragraph(f"案例{n}")
        table = document.add_table(rows=0, cols=2)
        for field, value in (("字段", "内容"), ("企业名称", name), ("所在地区", place), ("所属行业", trade),
                             ("存在问题", problem), ("主要做法", measures), ("取得成效", result)):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = field, value
    path = tmp_path / "合成表格版案例.docx"
    document.save(str(path))
    first, second = parse_document(path).cases
    assert first.title == "案例1：虚构的禾丰纺织品有限公司" and first.region.city == "湖州市"
    assert first.problem.startswith("产品缺陷率高") and first.measures.startswith("引入色差仪")
    assert [(o.metric, o.before, o.after) for o in first.outcomes] == [("产品缺陷率", 5.8, 1.9)]
    assert second.title == "案例2：虚构的金穗米业有限公司" and second.industry == "农副食品加工业"


def test_a_stated_industry_field_wins_over_keywords(tmp_path):
    text = ("合成测试材料：企业优良案例汇编（本文件为测试用虚构案例）\n\n"
            "案例1：浙江省宁波市某配件有限公司\n\n企业概况：该公司为家电整机厂提供配套，所属行业：家具制造业。\n\n"
            "存在问题：开胶退货多。\n\n取得成效：开胶率由3.2%降至0.9%。\n\n"
            "案例2：江西省上饶市某有限公司\n\n行业：粮食加工（大米）\n\n存在问题：碎米率偏高，化工原料堆放混乱。\n\n"
            "取得成效：碎米率由12%降至6%。\n")
    first, second = _cases(tmp_path, text)
    assert first.industries == ("家具制造业",)
    assert second.industries == ("农副食品加工业",)


@pytest.mark.parametrize(("text", "want"), [
    ("返修成本每年节约85万元。", [("返修成本节约", None, 85, None, "万元")]),  # a saving, not a level of 返修成本每年节
    ("菌落总数超标批次由每年7批降为0。", [("菌落总数超标批次", 7, 0, -7, "批/年")]),
    ("次品率由5%降为2%。", [("次品率", 5, 2, -3, "%")]),
    ("产品抽检合格率连续12个月100%。", [("产品抽检合格率", None, 100, None, "%")]),
    # Markdown list items run together by the loader: each item is a clause, no metric starts with "- "
    ("- 主机厂供应商评级由C级提升至A级- 年订单额增长22%",
     [("年订单额", None, None, 22, "%")]),
    ("- 一次交验合格率从92.1%提升到99.2%- 返修成本每年节约85万元",
     [("一次交验合格率", 92.1, 99.2, 7.1, "%"), ("返修成本节约", None, 85, None, "万元")]),
])
def test_savings_bare_pairs_and_list_items(text, want):
    assert [(o.metric, o.before, o.after, o.change, o.unit) for o in parse_outcomes(text)] == want


def test_a_pdf_table_read_cell_by_cell_pairs_every_row(tmp_path):
    """Cells one per line as reportlab PDFs come out: the first header cell run into the intro, a
    row's name run into its first figure, a rate per month (synthetic)."""
    cells = ["帮扶组指导企业建立HACCP体系。", "帮扶前后主要指标对比如下：指标", "帮扶前", "帮扶后",
             "单位能耗（吨标煤/万件）1.2", "0.95", "客户投诉", "每月6起", "每月1起", "产品损耗率", "3.5%", "1.8%"]
    got = [(i, o.metric, o.before, o.after, o.unit) for i, o in table_outcomes([Sentence(t, 2) for t in cells])]
    assert got == [(4, "单位能耗", 1.2, 0.95, "吨标煤/万件"), (6, "客户投诉", 6, 1, "起/月"), (9, "产品损耗率", 3.5, 1.8, "%")]


def test_unlabelled_write_up_with_a_cell_table(tmp_path):
    text = ("合成测试材料：企业典型案例汇编（本文件为测试用虚构案例）\n\n"
            "（一）河南省漯河市某肉制品企业：筑牢底线该企业生产低温肉制品，曾出现微生物指标抽检不合格，客户投诉多。\n\n"
            "帮扶组指导企业建立HACCP体系，建立不合格品台账，实施冷链温度实时监控。\n\n帮扶前后主要指标对比如下：指标\n\n"
            "帮扶前\n\n帮扶后\n\n客户投诉\n\n每月6起\n\n每月1起\n\n产品损耗率\n\n3.5%\n\n1.8%\n\n"
            "（二）云南省曲靖市某电线电缆企业：敲开大门该企业生产低压电力电缆，导体电阻不合格问题时有发生。\n\n"
            "帮扶专家协助企业完善出厂检验。\n")
    first, second = _cases(tmp_path, text)
    assert first.problem == "曾出现微生物指标抽检不合格；客户投诉多"
    assert first.measures == "帮扶组指导企业建立HACCP体系；建立不合格品台账；实施冷链温度实时监控"
    assert [(o.metric, o.before, o.after) for o in first.outcomes] == [("客户投诉", 6, 1), ("产品损耗率", 3.5, 1.8)]
    assert second.problem == "导体电阻不合格问题时有发生" and second.measures == "帮扶专家协助企业完善出厂检验"


def test_field_tables_without_case_headings_are_one_case_each(tmp_path):
    """Two-column tables one after another with no "案例N" line above them (synthetic)."""
    import docx

    document = docx.Document()
    document.add_paragraph("合成测试材料：企业优良案例汇编（本文件为测试用虚构案例）")
    document.add_paragraph("现将各地报送的案例整理如下。")
    for name, trade, problem, result in [
        ("虚构的宁国某橡胶密封件有限公司", "橡胶和塑料制品业", "批次不合格率高", "批次不合格率由5.8%降至1.6%"),
        ("虚构的保定某箱包制造企业", "皮革、毛皮、羽毛及其制品和制鞋业", "返工率高", "返工率由12%降至4%"),
        ("虚构的寿光某蔬菜加工企业", "农副食品加工业", "追溯困难", "客户投诉由每月9起降至每月2起"),
    ]:
        table = document.add_table(rows=0, cols=2)
        for field, value in (("字段", "内容"), ("企业名称", name), ("所属行业", trade), ("存在问题", problem),
                             ("帮扶措施", "建立检验制度"), ("取得成效", result)):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = field, value
    path = tmp_path / "合成无标题表格案例.docx"
    document.save(str(path))
    parsed = parse_document(path)
    assert [c.title for c in parsed.cases] == ["虚构的宁国某橡胶密封件有限公司", "虚构的保定某箱包制造企业",
                                               "虚构的寿光某蔬菜加工企业"]
    assert [c.industry for c in parsed.cases] == ["橡胶和塑料制品业", "皮革、毛皮、羽毛及其制品和制鞋业", "农副食品加工业"]
    assert [c.problem for c in parsed.cases] == ["批次不合格率高", "返工率高", "追溯困难"]
    assert [[(o.metric, o.before, o.after) for o in c.outcomes] for c in parsed.cases] == [
        [("批次不合格率", 5.8, 1.6)], [("返工率", 12, 4)], [("客户投诉", 9, 2)]]
    assert parsed.kind == "enterprise_case"


def test_three_paragraph_write_ups_split_into_profile_problem_measures_and_results(tmp_path):
    """An unlabelled write-up as case books print them (synthetic, wording of our own): who they
    are and what went wrong with its figures; what was done; what came of it. The situation's
    figures ("一度高达6%", "合格率仅88%") are the trouble, not results; the description
    ("主要生产…", "产品六成出口") is the profile; a rule set ("规定…方可…") is a measure; the
    results paragraph's other clauses are no measures; the closing remarks and the appendix
    table after the last case belong to no case."""
    import docx

    document = docx.Document()
    document.add_paragraph("合成测试材料：虚构企业案例选编", style="Title")
    document.add_paragraph("本文件为测试用合成材料，企业与数据均为虚构。")
    document.add_heading("（一）合成省甲县某藤编家具厂", level=2)
    document.add_paragraph("该厂位于合成省甲县，成立于2015年，现有员工40人，主要生产藤编桌椅，产品通过跨境电商平台销售。"
                           "过去藤条蒸煮时间全凭经验，成品容易发霉，售后退货率一度高达6%，赔付成为一大负担。")
    document.add_paragraph("参加提升行动后，认证机构专家两次上门，帮助企业建立蒸煮记录；规定藤条含水率降到15%以下方可编织；"
                           "成品出厂前逐批抽检。")
    document.add_paragraph("经过一年的运行，该厂退货率由6%降到1.5%，年销售额增长20%，拿到了两家海外零售商的订单。")
    document.add_heading("（二）合成省乙县某五金冲压厂", level=2)
    document.add_paragraph("该厂位于合成省乙县，主要生产门窗五金件，产品六成出口。2022年，企业有3批次产品因毛刺超标被客户拒收，"
                           "出口批次合格率仅88%。")
    document.add_paragraph("认证机构专家帮助企业修订冲压作业指导书，引进去毛刺设备，对模具实行定期保养。")
    document.add_paragraph("通过认证提升，企业出口批次合格率由88%升至98.5%，全年未再发生拒收。")
    document.add_paragraph("以上案例表明，认证帮扶只有与企业实际结合，才能见到实效。")
    document.add_paragraph("附表  部分案例主要成效指标")
    table = document.add_table(rows=0, cols=3)
    for row in (("企业", "提升前", "提升后"), ("甲县某藤编家具厂", "6%", "1.5%"), ("乙县某五金冲压厂", "88%", "98.5%")):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = value
    path = tmp_path / "合成三段式案例.docx"
    document.save(str(path))
    first, second = parse_document(path).cases
    assert first.profile == "该厂位于合成省甲县，成立于2015年，现有员工40人，主要生产藤编桌椅，产品通过跨境电商平台销售"
    assert first.problem == "过去藤条蒸煮时间全凭经验；成品容易发霉；售后退货率一度高达6%；赔付成为一大负担"
    assert first.measures == ("参加提升行动后；认证机构专家两次上门；帮助企业建立蒸煮记录；规定藤条含水率降到15%以下方可编织；"
                              "成品出厂前逐批抽检")
    assert [(o.metric, o.before, o.after, o.change) for o in first.outcomes] == [
        ("退货率", 6, 1.5, -4.5), ("年销售额", None, None, 20)]
    assert second.profile == "该厂位于合成省乙县，主要生产门窗五金件，产品六成出口"
    assert second.problem == "企业有3批次产品因毛刺超标被客户拒收；出口批次合格率仅88%"
    assert second.measures == "认证机构专家帮助企业修订冲压作业指导书；引进去毛刺设备；对模具实行定期保养"
    assert [(o.metric, o.before, o.after) for o in second.outcomes] == [("企业出口批次合格率", 88, 98.5)]
    assert "以上案例表明" not in second.text and "附表" not in second.text


def test_local_experiences_under_theme_headings_each_get_a_record(tmp_path):
    """Places grouped under themes ("一、聚焦产业集群，推动整体提升", one with 企业 in it) were merged into
    one record per theme, titled by the theme, with one place's text under another's name (a
    tester's Markdown, synthetic wording of our own). Each place is its own local experience now;
    a figure of what was done ("组织5家认证机构驻站") is no result when a paragraph of results
    follows; "由约2.6万元降至1.3万元" is one pair; "几点体会" at the end is no case."""
    text = """# 合成地方典型经验选编

> 本文件为测试用合成材料，所述地方做法与数据均为虚构

## 一、聚焦产业集群，推动整体提升

### （一）浙江宁波余姚市：认证服务进园区

余姚市模具小微企业多，全市有模具企业1200余家，普遍存在图纸管理混乱、交期不稳等问题。

市市场监管局在模具城设立认证服务站，组织5家认证机构驻站坐诊，认证费用由财政补助50%。

一年来全市新增获证模具企业138家，单家企业认证成本由约2.6万元降至1.3万元。

### （二）河北保定白沟新城：龙头带小微组建联合体

白沟新城箱包辅料进货把关不严，2022年箱包产品监督抽检合格率为91.3%。

当地市场监管部门引导3家龙头企业牵头，组建由48家小微企业参加的质量提升联合体。

联合体运行一年后，箱包产品抽检合格率由91.3%提升至97.6%，联合体内35家小微企业通过认证。

## 二、创新服务模式，降低企业负担

### （一）湖南浏阳市：认证与安全评审合并开展

浏阳市烟花小微企业装药工序主要凭经验，2022年出口检验批次合格率为88%。

市市场监管局联合应急管理部门，把认证与安全生产标准化评审合并开展。

2023年参与企业出口检验批次合格率由88%提升至98.5%。

### （二）江西赣州南康区：认证贷解资金难题

南康区家具小微企业融资难问题突出，2022年家具产品抽检合格率仅为86%。

区市场监管局与本地银行合作推出认证贷，对获证企业给予利率优惠。

截至2023年底，家具产品抽检合格率由86%提升至95%。

## 三、几点体会

认证帮扶要取得实效，一是要找准短板，二是要用数据说话。
"""
    cases = _cases(tmp_path, text, name="合成地方经验.md")
    assert [c.title for c in cases] == ["浙江宁波余姚市：认证服务进园区", "河北保定白沟新城：龙头带小微组建联合体",
                                        "湖南浏阳市：认证与安全评审合并开展", "江西赣州南康区：认证贷解资金难题"]
    assert {c.kind for c in cases} == {"local_experience"}
    assert [c.region.display() for c in cases] == ["浙江省宁波市余姚市", "河北省保定市", "湖南省长沙市浏阳市", "江西省赣州市南康区"]
    yuyao, baigou = cases[0], cases[1]
    assert [(o.metric, o.before, o.after) for o in yuyao.outcomes] == [
        ("一年来全市新增获证模具企业", None, 138), ("单家企业认证成本", 2.6, 1.3)]
    assert "联合体运行一年后" not in baigou.measures and "35家" not in baigou.measures
    assert baigou.problem == "白沟新城箱包辅料进货把关不严；2022年箱包产品监督抽检合格率为91.3%"


def test_table_units_in_the_heading_and_slide_titles_without_their_number(tmp_path):
    from kb.cases import _unit_from_metric
    from kb.records import Outcome

    assert _unit_from_metric(Outcome("焊接不良率（ppm）", 1200, 180)).unit == "ppm"
    assert _unit_from_metric(Outcome("客户投诉(起/月)", 9, 1)).metric == "客户投诉"
    assert _unit_from_metric(Outcome("合格率（%）", 90, 99, unit="%")).metric == "合格率（%）"  # a unit already
    import pptx

    deck = pptx.Presentation()
    for title, body in (("合成案例培训课件", "本文件为测试用合成材料，企业与数据均为虚构"),
                        ("案例1  漯河市某食品有限公司", "存在问题：2022年有2批次产品抽检不合格。\n取得成效：抽检合格率由93%提高到100%。")):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text, slide.placeholders[1].text = title, body
    path = tmp_path / "合成课件.pptx"
    deck.save(str(path))
    assert [c.title for c in parse_document(path).cases] == ["漯河市某食品有限公司"]


def test_an_indented_pdf_paragraph_starts_a_new_paragraph():
    """pypdf keeps a first-line indent as a leading space: after a line that ends a sentence it
    starts a paragraph even when that line is nearly full (the situation and the measures of a
    tester's PDF case ran together)."""
    from kb.records import Document, Page

    body = (" 合成省某米业有限公司位于合成省合成县，现有员工40人，年加工稻谷约3万吨。企业加\n"
            "工设备老化，碎米率高达12%，成品中偶有小石子等异物，全年收到异物投诉17起。\n"
            " 在认证机构的指导下，企业更新了色选机和去石机，制定设备预防性维护计划，并完\n"
            "成了质量管理体系认证。\n"
            " 企业碎米率由12%降至5.5%，异物投诉由17起降至2起。\n")
    doc = Document(doc_id="x", path="x.pdf", title="", format="pdf", sha256="0",
                   pages=(Page(1, "合成材料\n" + body * 3),))
    texts = [p.text for p in clean_document(doc)]
    assert sum(1 for t in texts if t.startswith("在认证机构的指导下")) == 3
    assert sum(1 for t in texts if t.startswith("企业碎米率由12%降至5.5%")) == 3


def test_slides_with_bullet_labels_and_speaker_notes(tmp_path):
    """A tester's deck (synthetic): "● 难题：… ● 做法：… ● 成效：…" gave no case (the bullet hid the
    labels); a slide's speaker notes were added to its last labelled part as "备注：备注：…"; the
    slide title "案例2  某有限公司" was its profile (有 of 有限公司 read as "has")."""
    import pptx

    from kb.cases import is_profile_clause

    assert not is_profile_clause("案例2西安某仪表有限公司")
    deck = pptx.Presentation()
    slides = [("合成企业案例展示", "本文件为测试用合成材料，所述企业与数据均为虚构", None),
              ("案例2  合成市某仪表有限公司", "痛点\n售后故障率高，返修成本大\n举措\n建立售后故障数据分析例会\n"
               "成效：售后故障率由2.4%降至0.7%", "备注：该企业位于合成省合成市，员工110人，主要生产智能电表。"),
              ("案例3  合成县某木业有限公司", "● 企业：合成县，员工75人\n● 难题：胶合板甲醛释放量不稳定\n"
               "● 做法：改用低醛胶黏剂；每批成品甲醛自检\n● 成效：甲醛释放量由0.9mg/L降至0.3mg/L", None)]
    for title, body, notes in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text, slide.placeholders[1].text = title, body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    path = tmp_path / "合成展示.pptx"
    deck.save(str(path))
    meter, wood = parse_document(path).cases
    assert meter.title == "合成市某仪表有限公司" and "备注" not in meter.measures and "案例2" not in meter.profile
    assert meter.profile == "该企业位于合成省合成市，员工110人，主要生产智能电表"
    assert "备注：备注" not in meter.text
    assert wood.title == "合成县某木业有限公司" and wood.problem == "胶合板甲醛释放量不稳定。"
    assert wood.measures.startswith("改用低醛胶黏剂")
    assert [(o.metric, o.before, o.after, o.unit) for o in wood.outcomes] == [("甲醛释放量", 0.9, 0.3, "mg/L")]



@pytest.mark.parametrize("text, want", [
    ("磨加工工序能力指数Cpk由0.86提升至1.35。", [("磨加工工序能力指数Cpk", 0.86, 1.35, 0.49, None)]),
    ("客户满意度评分由81提高到94。", [("客户满意度评分", 81, 94, 13, None)]),
    ("客户退货率由3.8%降至0.6%，Cpk由0.86提升至1.35。",
     [("客户退货率", 3.8, 0.6, -3.2, "%"), ("Cpk", 0.86, 1.35, 0.49, None)]),
    ("规上企业从2020年的143家增加到2023年的336家。", [("规上企业", 143, 336, 193, "家")]),  # years are no pair
])
def test_a_pair_of_plain_numbers_is_a_result(text, want):
    """A tester's "Cpk由0.86提升至1.35" was no outcome: neither figure has a unit."""
    assert [(o.metric, o.before, o.after, o.change, o.unit) for o in parse_outcomes(text)] == want


def test_a_table_whose_row_cells_run_together_gives_before_and_after(tmp_path):
    """A Word-exported PDF gives a table row as one line, its cells run together: "指标帮扶前帮扶后", then
    "导体电阻合格率88% 99.2%" (a tester saw only 99.2%, the before lost, and "年销售额（万元）5000 6200"
    missing). Synthetic rows."""
    lines = ["取得成效：见下表。", "指标帮扶前帮扶后", "导体电阻合格率88% 99.2%", "年销售额（万元）5000 6200",
             "客户投诉15起3起", "企业还取得了认证证书。", "指标之前之后", "留样覆盖率20% 100%"]
    got = [(i, o.metric, o.before, o.after, o.unit) for i, o in table_outcomes([Sentence(t, 2) for t in lines])]
    assert got == [(2, "导体电阻合格率", 88, 99.2, "%"), (3, "年销售额", 5000, 6200, "万元"), (4, "客户投诉", 15, 3, "起"),
                   (7, "留样覆盖率", 20, 100, "%")]
    # a line of prose with two figures, under no such header, is no row
    assert table_outcomes([Sentence("抽检合格率88% 99.2%", 2)]) == []
    text = ("合成测试材料：企业案例汇编（虚构）\n\n案例1：合成省合成市某豆瓣酱企业\n\n存在问题：批次色差大。\n\n"
            "帮扶措施：编写发酵工艺规程。\n\n取得成效：实施以来客户投诉明显减少。\n\n指标 之前 之后\n\n留样覆盖率 20% 100%\n\n"
            "案例2：合成省合成市某面料企业\n\n存在问题：色牢度不达标。\n\n帮扶措施：每缸留样比色。\n\n"
            "取得成效：退货率由4.8%降至0.9%。\n")
    first, _second = _cases(tmp_path, text)
    assert [(o.metric, o.before, o.after, o.unit) for o in first.outcomes] == [("留样覆盖率", 20, 100, "%")]


def _pdf_cases(text: str, title: str = "合成案例汇编"):
    """Cases of a one-page PDF whose text layer is ``text`` (synthetic)."""
    from kb.cases import extract_cases
    from kb.records import Document, Page

    doc = Document(doc_id="synthetic", path="合成.pdf", title=title, format="pdf", sha256="0" * 64,
                   pages=(Page(1, text),))
    found, sentences = structure_sentences(clean_document(doc))
    return extract_cases(doc.doc_id, sentences, chunk_sentences(doc.doc_id, sentences), found or title)


def test_empty_quotes_a_pdf_puts_before_a_heading_do_not_hide_it():
    """A PDF gave the quotes of “抱团认证” apart: "“ ”（一）江西省…集群 抱团认证"; the two local experiences
    became one case titled 地方典型经验 (a tester, home10). Synthetic text."""
    text = ("合成测试材料：地方经验与企业案例汇编\n一、地方典型经验\n“ ”（一）合成省南康区：家具产业 抱团认证\n"
            "南康区有家具企业700家。存在问题：板材含水率控制不稳。\n主要做法：组建家具质量提升联盟。\n"
            "取得成效：开裂投诉下降63%。\n“ ”（二）合成省澄海区：玩具企业 认证贷\n存在问题：融资难。\n"
            "主要做法：推出认证贷。\n取得成效：召回次数由每年9次降至2次。\n")
    first, second = _pdf_cases(text)
    assert (first.title, second.title) == ("合成省南康区：家具产业抱团认证", "合成省澄海区：玩具企业认证贷")
    assert "融资难" not in first.problem and second.problem == "融资难。"


@pytest.mark.parametrize("fmt", ["pdf", "txt"])
def test_a_long_case_heading_does_not_run_into_its_first_label(fmt, tmp_path):
    """A case heading as wide as a full line ran into the next line: title "案例2" (PDF) or a title ending
    in "…超标存在问题：原料…" (TXT), the problem lost (a tester). Synthetic text."""
    text = ("合成测试材料：长标题案例集\n案例1：合成省合成市兰山区某胶合板企业以原料检验破解甲醛释放量超标\n"
            "存在问题：原料胶黏剂进货不检验。\n帮扶措施：建立进货检验制度。\n取得成效：合格率由82%提升至97%。\n"
            "案例2：合成省合成市某木业企业以工艺记录破解甲醛释放问题\n企业概况：该企业员工85人。\n"
            "存在问题：热压参数随意调整。\n帮扶措施：热压温度逐班签字确认。\n取得成效：合格率由80%提升至96%。\n")
    if fmt == "pdf":
        cases = _pdf_cases(text)
    else:
        cases = _cases(tmp_path, text, "长标题案例集.txt")
    assert [c.title for c in cases] == ["合成省合成市兰山区某胶合板企业以原料检验破解甲醛释放量超标",
                                        "合成省合成市某木业企业以工艺记录破解甲醛释放问题"]
    assert [c.problem for c in cases] == ["原料胶黏剂进货不检验。", "热压参数随意调整。"]
