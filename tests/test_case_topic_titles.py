"""Case collections whose titles name only the practice ("以扫码追溯守住糕点质量") on a line of their own,
the enterprise named only at the start of the first paragraph, no labels, three paragraphs per case
(profile and trouble / what was done / results); difficulty wording, closing remarks and works named
after their place.

Every text here is 合成测试材料 (SYNTHETIC test material, made up for these tests: places are real,
enterprises and figures are invented), short, and written under ``tmp_path`` only.
"""

from __future__ import annotations

import pytest

from kb.cases import _fault_word, _is_fault, _measures, case_subject
from kb.pipeline import parse_document
from kb.structure import opening_enterprise, topic_title

_TOPICS = """合成测试材料：三省小微企业质量提升实践汇编

编写说明：以下三篇均为测试用合成内容，企业名称为虚构。

以扫码追溯守住糕点质量

泉州市晋江市甜坊食品有限公司位于福建省泉州市晋江市，员工52人，主要生产馅饼。企业原料来源记录不全，批次无法追溯，2022年霉菌抽检不合格率达3.9%，客户投诉每月8起。

帮扶组指导企业建立原料扫码登记制度，培训内审员4名，对烘烤、包装工序实行卫生巡查。

经过一年的运行，霉菌抽检不合格率由3.9%降至0.6%，客户投诉由每月8起降至每月1起。

以首件确认稳住铸件尺寸

宜兴市丁蜀镇恒铸机械配件厂是江苏省无锡市宜兴市一家生产泵体铸件的小微企业，员工40人。企业模具靠老师傅凭手感修整，铸件尺寸超差返工多，尺寸合格率只有86%。

帮扶专家帮助企业编制8份作业指导书，对造型、浇注实行首件确认，配置三坐标测量仪。

实施以来，尺寸合格率由86%提升至97%，年返工损失减少约18万元。

以温控改造守住茶叶香气

安溪县兰香茶叶有限公司位于福建省泉州市安溪县，员工30人，主营乌龙茶。企业烘焙温度靠人工目测，同批茶叶香气差异明显，客户退货每季度5批次。

帮扶组帮助企业加装烘焙温度记录仪，建立拼配留样制度。

目前，客户退货由每季度5批次降为1批次，优质茶比例由60%提高到78%。
"""


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    path = tmp_path_factory.mktemp("topics") / "实践汇编.txt"
    path.write_text(_TOPICS, encoding="utf-8")
    return parse_document(path)


def test_each_topic_title_is_a_case_section(parsed):
    sections = [c.section for c in parsed.chunks]
    assert ("以扫码追溯守住糕点质量",) in sections
    assert ("以首件确认稳住铸件尺寸",) in sections
    assert ("以温控改造守住茶叶香气",) in sections
    # No chunk holds two cases, and the title line is no part of the paragraph above it.
    for chunk in parsed.chunks:
        names = [n for n in ("甜坊", "恒铸", "兰香") if n in chunk.text]
        assert len(names) <= 1, chunk.text
    lead = next(c for c in parsed.chunks if "编写说明" in c.text)
    assert "以扫码追溯" not in lead.text


def test_records_are_titled_by_enterprise_and_practice(parsed):
    titles = [c.title for c in parsed.cases]
    assert titles == ["泉州市晋江市甜坊食品有限公司：以扫码追溯守住糕点质量",
                      "宜兴市丁蜀镇恒铸机械配件厂：以首件确认稳住铸件尺寸",
                      "安溪县兰香茶叶有限公司：以温控改造守住茶叶香气"]
    assert {c.kind for c in parsed.cases} == {"enterprise_case"}
    assert parsed.cases[1].region.county == "宜兴市"


def test_problem_measures_and_results_come_from_their_paragraphs(parsed):
    food, casting, tea = parsed.cases
    assert "批次无法追溯" in food.problem and "扫码" not in food.problem
    assert "原料扫码登记" in food.measures and "培训内审员4名" in food.measures
    assert "降至" not in food.measures and "无法追溯" not in food.measures
    pairs = {(o.metric, o.before, o.after) for o in food.outcomes}
    assert ("霉菌抽检不合格率", 3.9, 0.6) in pairs
    assert ("客户投诉", 8, 1) in pairs
    # The trouble's own figure (3.9% before) is no result on its own.
    assert not any(o.before is None and o.after == 3.9 for o in food.outcomes)

    assert "凭手感" in casting.problem and "返工多" in casting.problem
    assert "作业指导书" in casting.measures and "首件确认" in casting.measures
    assert ("尺寸合格率", 86, 97) in {(o.metric, o.before, o.after) for o in casting.outcomes}

    assert "香气差异明显" in tea.problem or "靠人工目测" in tea.problem
    assert "温度记录仪" in tea.measures
    assert ("优质茶比例", 60, 78) in {(o.metric, o.before, o.after) for o in tea.outcomes}


def test_a_line_of_a_report_is_no_topic_title():
    # A short line of prose over a paragraph that names no enterprise at its start: no title.
    assert not topic_title("提升行动取得积极成效", "上半年工作如下。", "全省共帮扶企业1200家。")
    # A line continuing the paragraph above (that ended no sentence) is no title either.
    assert not topic_title("以扫码追溯守住糕点质量", "企业原料来源记录不全", "泉州市晋江市甜坊食品有限公司位于晋江市。")
    assert topic_title("以扫码追溯守住糕点质量", "编写说明。", "泉州市晋江市甜坊食品有限公司位于晋江市。")


def test_one_such_line_alone_is_no_heading(tmp_path):
    text = ("合成测试材料：某市质量提升工作总结\n\n一、总体情况\n\n全市帮扶小微企业300家。\n\n"
            "以扫码追溯守住糕点质量\n\n泉州市晋江市甜坊食品有限公司位于晋江市，员工52人。企业建立扫码追溯制度。\n")
    path = tmp_path / "总结.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_document(path)
    assert {c.section for c in parsed.chunks} == {("一、总体情况",)}


def test_numbered_topic_titles_make_a_collection_too(tmp_path):
    numbered = _TOPICS.replace("以扫码追溯", "一、以扫码追溯").replace("以首件确认", "二、以首件确认").replace(
        "以温控改造", "三、以温控改造")
    path = tmp_path / "实践汇编.txt"
    path.write_text(numbered, encoding="utf-8")
    cases = parse_document(path).cases
    assert [c.title.split("：")[0] for c in cases] == ["泉州市晋江市甜坊食品有限公司", "宜兴市丁蜀镇恒铸机械配件厂",
                                                     "安溪县兰香茶叶有限公司"]
    assert ("霉菌抽检不合格率", 3.9, 0.6) in {(o.metric, o.before, o.after) for o in cases[0].outcomes}


def test_a_works_named_after_its_place_is_one_enterprise():
    text = "宜兴市丁蜀镇恒铸机械配件厂是江苏省无锡市宜兴市一家生产泵体铸件的小微企业，员工40人。"
    subject = case_subject(text)
    assert subject is not None and subject.enterprise
    assert text[subject.start:subject.end] == "宜兴市丁蜀镇恒铸机械配件厂"
    assert opening_enterprise(text) == len("宜兴市丁蜀镇恒铸机械配件厂")
    # "该厂", "这家工厂" and a place's trade are no enterprise's name.
    assert opening_enterprise("宜兴市该厂是一家铸件厂。") == 0
    assert not case_subject("宜兴市这家工厂位于丁蜀镇。").enterprise


@pytest.mark.parametrize("clause", ["企业跳线、漏针等疵点多", "同批布料色差明显", "产品夏季易霉变", "冷库温控不完善",
                                    "调漆靠老师傅凭感觉", "返修故障多、用户投诉集中"])
def test_difficulty_wording_is_a_fault(clause):
    assert _is_fault(clause)


def test_a_low_level_stated_is_fault_wording():
    # A clause with a figure is read as a figure (no fault clause of the problem on its own), but its
    # wording tells that the sentence sets out the trouble.
    assert _fault_word("出厂合格率只有80%") and not _fault_word("出厂合格率达到98%")


@pytest.mark.parametrize("clause", ["帮扶组完善冷库温控制度", "指导企业降低色差", "建立配色数据库"])
def test_remedies_are_no_faults(clause):
    assert not _is_fault(clause)


def test_closing_remark_is_no_measure(tmp_path):
    text = ("合成测试材料：企业案例汇编\n\n案例一：赣州市南康区木艺家具有限公司\n\n"
            "赣州市南康区木艺家具有限公司位于江西省赣州市南康区，员工35人。企业板材含水率控制靠经验，开裂返修多。"
            "帮扶组指导企业配置含水率检测仪，建立首件确认制度。实施以来，开裂返修率由6.2%降至1.9%。"
            "企业负责人表示，体系认证带来的是管理习惯的改变。\n\n"
            "案例二：抚州市临川区金穗米业有限公司\n\n"
            "抚州市临川区金穗米业有限公司位于江西省抚州市临川区，员工28人。企业碎米率偏高，客户投诉多。"
            "帮扶组帮助企业更换色选机，制定设备维护计划。实施以来，碎米率由11%降至5%。"
            "公司总经理坦言：“数据说话比经验可靠。”\n")
    path = tmp_path / "汇编.txt"
    path.write_text(text, encoding="utf-8")
    cases = parse_document(path).cases
    assert len(cases) == 2
    for case in cases:
        assert "表示" not in case.measures and "坦言" not in case.measures
        assert "建立" in case.measures or "更换色选机" in case.measures
    assert "开裂返修多" in cases[0].problem and "开裂返修" not in cases[0].measures


def test_inputs_before_results_are_measures():
    assert "培训内审员4名" in _measures("帮扶组建立登记制度，培训内审员4名", prose=True, inputs=True)
    # Without a paragraph of results, a bare figure of something done is not taken for a measure ...
    assert "带动46家" not in _measures("帮扶组建立登记制度，带动46家配套企业开展认证培训", prose=True)
    assert "带动46家" in _measures("帮扶组建立登记制度，带动46家配套企业开展认证培训", prose=True, inputs=True)
    # ... but people trained and documents drawn up (培训…4名, 制定…6项) are what was done anyway.
    assert "培训内审员4名" in _measures("帮扶组建立登记制度，培训内审员4名", prose=True)
    # A change is a result wherever it is stated.
    assert "降至" not in _measures("帮扶组建立登记制度，不合格率由5%降至1%", prose=True, inputs=True)
