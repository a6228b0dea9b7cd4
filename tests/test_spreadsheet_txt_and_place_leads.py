"""Layouts a black-box tester tried (s28, t11): a TXT exported from a spreadsheet (tab- or comma-separated,
one case per row), Markdown local experiences whose place is only the body's first clause ("在某省某市某县，…"),
inputs counted among outcomes ("制定团体标准6项"), fishing-tackle trades and a testing service named with the
goods it tests.

All case material here is 合成测试材料 (synthetic): the enterprises and figures are made up; the place
names are real."""

from __future__ import annotations

import pytest

from kb.errors import UnreadableDocument
from kb.industries import classify_industries, field_industries, industry_label, resolve_industries
from kb.loaders import delimited_text, format_of, load_document
from kb.pipeline import parse_document

HEADER = ["编号", "所在地区", "企业名称", "所属行业", "存在问题", "改进措施", "取得成效"]
ROWS = [
    ["1", "江苏省无锡市宜兴市", "宜兴市紫韵陶瓷制品厂", "日用陶瓷", "釉面针孔多，成品率低",
     "调整釉料配方，窑温分段控制", "成品率由82%提高到93%"],
    ["2", "福建省泉州市晋江市", "晋江市步远鞋业有限公司", "运动鞋", "鞋底开胶，客户投诉多",
     "更换胶黏剂，建立首件确认", "开胶投诉由每月9起降至2起"],
    ["3", "四川省乐山市夹江县", "夹江县墨香纸业有限公司", "手工纸", "纸张厚薄不均",
     "统一打浆工艺，逐批抽检", "厚度合格率由88%提升到97%"],
]


def _tsv(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in [HEADER, *rows]) + "\n"


@pytest.fixture(scope="module")
def tsv_doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("tsv") / "台账导出_合成.txt"
    path.write_text(_tsv(ROWS), encoding="utf-8")
    return path, parse_document(path)


def test_tab_separated_rows_become_one_case_each(tsv_doc):
    _path, parsed = tsv_doc
    cases = list(parsed.cases)
    assert [c.title for c in cases] == ["宜兴市紫韵陶瓷制品厂", "晋江市步远鞋业有限公司", "夹江县墨香纸业有限公司"]
    taoci, xie, zhi = cases
    assert (taoci.region.province, taoci.region.city, taoci.region.county) == ("江苏省", "无锡市", "宜兴市")
    assert taoci.problem == "釉面针孔多，成品率低"
    assert taoci.measures == "调整釉料配方，窑温分段控制"
    assert [(o.before, o.after, o.unit) for o in taoci.outcomes] == [(82.0, 93.0, "%")]
    assert industry_label(xie.industry).startswith("C19")  # 皮革、毛皮、羽毛及其制品和制鞋业
    assert [(o.before, o.after) for o in xie.outcomes] == [(9.0, 2.0)]
    assert zhi.region.county == "夹江县" and "打浆" in zhi.measures


def test_cells_keep_a_separator_and_the_header_is_no_title(tsv_doc):
    path, parsed = tsv_doc
    doc = load_document(path)
    assert doc.title == "台账导出_合成"  # the file name, not the glued header row
    text = "\n".join(c.text for c in parsed.chunks)
    assert "宜兴市紫韵陶瓷制品厂 | 日用陶瓷" in text
    assert "陶瓷制品厂日用陶瓷" not in text  # cells are not run together
    # one row never runs into the next
    assert not any("紫韵" in c.text and "步远" in c.text and "|" not in c.text for c in parsed.chunks)


def test_comma_separated_rows_under_a_header_of_labels(tmp_path):
    lines = [",".join(HEADER)] + [",".join(f'"{c}"' if "，" in c else c for c in r) for r in ROWS[:2]]
    path = tmp_path / "台账_逗号.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cases = list(parse_document(path).cases)
    assert [c.title for c in cases] == ["宜兴市紫韵陶瓷制品厂", "晋江市步远鞋业有限公司"]
    assert cases[1].problem == "鞋底开胶，客户投诉多"


@pytest.mark.parametrize("name", ["台账.csv", "台账.tsv"])
def test_csv_and_tsv_files_are_told_to_be_renamed(name):
    with pytest.raises(UnreadableDocument, match="扩展名改为 .txt"):
        format_of(name)


def test_delimited_text_leaves_prose_alone():
    prose = "Hello, world, again\n今天开会, 讨论了三件事, 结论如下\n"
    assert delimited_text(prose) == prose  # commas without a header of column labels
    indented = "\t第一段正文，企业质量意识不强。\n\t第二段正文，市场监管局组织帮扶。\n"
    assert delimited_text(indented) == indented  # tab-indented paragraphs are no table
    one = "名称\t数值\n下一行没有制表符。\n"
    assert delimited_text(one) == one  # a single tab-separated line is no table
    table = "指标\t帮扶前\t帮扶后\n合格率\t90%\t98%\n"
    assert delimited_text(table).split() == ["指标", "|", "帮扶前", "|", "帮扶后；", "合格率", "|", "90%", "|", "98%。"]


def test_empty_cells_keep_the_columns_aligned(tmp_path):
    rows = [ROWS[0][:4] + ["", *ROWS[0][5:]], ROWS[1]]
    path = tmp_path / "台账_空格.txt"
    path.write_text(_tsv(rows), encoding="utf-8")
    cases = list(parse_document(path).cases)
    assert [c.title for c in cases] == ["宜兴市紫韵陶瓷制品厂", "晋江市步远鞋业有限公司"]
    assert cases[0].problem == "" and cases[0].measures == "调整釉料配方，窑温分段控制"


PLACE_LEAD_MD = """# 地方经验选编（合成测试材料）

### 一、“检测共享”补短板

在浙江省金华市永康市，五金制品企业多为家庭作坊，质量意识不强。市局牵头建设共享检测中心，帮助永康市锐锋工具厂等企业开展出厂检验。获证企业由20家增加到65家，抽检合格率由86%提升至95%。

### 二、“标准引领”促提升

在福建省宁德市福安市，电机电器是当地支柱产业，小微电机企业工艺落后，缺少统一标准。市局联合行业协会制定团体标准4项，编制工艺指导书12份，组织福安市远航电机厂等企业对标达标。电机返修率平均下降2个百分点，获证企业由18家增至47家。
"""


@pytest.fixture(scope="module")
def place_lead(tmp_path_factory) -> list:
    path = tmp_path_factory.mktemp("lead") / "地方经验_首句地名.md"
    path.write_text(PLACE_LEAD_MD, encoding="utf-8")
    return list(parse_document(path).cases)


def test_leading_place_clause_is_neither_problem_nor_measure(place_lead):
    yongkang, fuan = place_lead
    assert (yongkang.region.city, yongkang.region.county) == ("金华市", "永康市")
    assert (fuan.region.city, fuan.region.county) == ("宁德市", "福安市")
    for case in place_lead:
        assert "在浙江省" not in case.problem + case.measures
        assert "在福建省" not in case.problem + case.measures
    # "质量意识不强" is the difficulty: the problem, not a measure
    assert "质量意识不强" in yongkang.problem and "质量意识不强" not in yongkang.measures
    assert "共享检测中心" in yongkang.measures
    # a trade's standing ("是当地支柱产业") describes the place: no fault
    assert "支柱产业" not in fuan.problem and "工艺落后" in fuan.problem and "缺少统一标准" in fuan.problem


def test_documents_drawn_up_are_measures_not_outcomes(place_lead):
    yongkang, fuan = place_lead
    assert "制定团体标准4项" in fuan.measures and "编制工艺指导书12份" in fuan.measures
    assert not any(o.unit in ("项", "份") for o in fuan.outcomes)
    # the results stay results
    assert {(o.before, o.after, o.change) for o in fuan.outcomes} == {(None, None, -2.0), (18.0, 47.0, 29.0)}
    assert {(o.before, o.after) for o in yongkang.outcomes} == {(20.0, 65.0), (86.0, 95.0)}


@pytest.mark.parametrize("word", ["渔具", "钓具", "鱼竿"])
def test_fishing_tackle_is_sporting_goods(word):
    assert industry_label(resolve_industries(word)[0]).startswith("C24")
    assert industry_label(classify_industries(f"该企业主要生产{word}", "")[0]).startswith("C24")


def test_a_testing_service_is_not_the_trade_of_the_goods_it_tests():
    assert field_industries("检测服务（服装、纺织品检测）") == ["专业技术服务业"]
    # a maker naming two goods keeps both
    assert field_industries("服装、纺织品") == ["纺织服装、服饰业", "纺织业"]
