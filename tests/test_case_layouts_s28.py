"""Case layouts a black-box tester tried (s27, t6): Markdown local experiences under province → city →
county headings, a PDF fact-sheet table whose rows are split by a page break, and trade words of
manufacturing next to words of farming or retail.

All case material here is 合成测试材料 (synthetic): the enterprises and figures are made up; the place
names are real."""

from __future__ import annotations

import pytest
from pdfgen import wrap, write_pdf

from kb.cleaning import clean_document
from kb.industries import classify_industries, classify_industry, field_industries
from kb.pipeline import parse_document
from kb.records import Document, Page

NESTED_MD = """# 某省小微企业认证提升地方经验（合成测试材料）

> 本文件为合成测试材料，企业与数据均为虚构。

## 江苏省

江苏省共报送两条经验，分列如下。

### 徐州市

#### 丰县：果品企业共建冷库提升品质

丰县果品加工小微企业分散，冷藏条件差，果脯霉变问题突出。县局牵头建设共享冷库，指导企业导入食品安全管理体系。

典型企业：

- 丰县甜园果脯厂：霉变批次由每年9批降至1批。

#### 沛县：电动车配件企业标准对标

沛县电动车配件小微企业多，产品一致性差。县局组织企业对标行业标准，开展首件检验。

典型企业：

- 沛县捷行车件有限公司：出厂合格率由90%提高到98%。

## 浙江省

### 湖州市

#### 织里镇：童装企业联建检测室

织里镇童装小微企业数以万计，面料色牢度不达标问题多发。镇里搭建公共检测室，为企业提供免费送检。

典型企业：

- 湖州织里小童星服饰厂：色牢度抽检合格率由80%提高到96%。

## 四川省

### 眉山市

#### 洪雅县：茶叶加工企业改造生产线

洪雅县茶叶加工小微企业厂房简陋、设备老旧，杀青温度靠经验，返工率高。县局推动企业开展体系认证，指导企业更新杀青、烘干设备。

典型企业：

- 洪雅县峨眉雪芽茶厂：返工率由12%降至3%。
"""


@pytest.fixture(scope="module")
def nested(tmp_path_factory) -> list:
    path = tmp_path_factory.mktemp("nested") / "地方经验_省市县.md"
    path.write_text(NESTED_MD, encoding="utf-8")
    return list(parse_document(path).cases)


def test_one_record_per_deepest_heading_titled_by_it(nested):
    assert [c.title for c in nested] == [
        "丰县：果品企业共建冷库提升品质",
        "沛县：电动车配件企业标准对标",
        "织里镇：童装企业联建检测室",
        "洪雅县：茶叶加工企业改造生产线",
    ]
    assert {c.kind for c in nested} == {"local_experience"}
    # the province's introduction is no part of its first county's case
    assert all("共报送两条经验" not in c.text for c in nested)


def test_region_comes_from_the_heading_path(nested):
    regions = [(c.region.province, c.region.city, c.region.county) for c in nested]
    # 丰县/沛县: two-character counties the gazetteer knows only after their city; 织里镇: a town, its city kept
    assert regions == [
        ("江苏省", "徐州市", "丰县"),
        ("江苏省", "徐州市", "沛县"),
        ("浙江省", "湖州市", None),
        ("四川省", "眉山市", "洪雅县"),
    ]


def test_list_lead_in_is_no_measure_and_parts_come_from_their_clauses(nested):
    for case in nested:
        assert "典型企业" not in case.measures
        assert "典型企业" not in case.problem
    feng, pei, zhili, hongya = nested
    assert "霉变问题突出" in feng.problem and "共享冷库" in feng.measures
    assert "共享冷库" not in feng.problem
    # a measure told with 搭建/提供 is a measure, not part of the problem
    assert "不达标" in zhili.problem and "公共检测室" in zhili.measures
    assert "公共检测室" not in zhili.problem
    # worn equipment and a bad rate high (设备老旧, 返工率高) are the problem, not measures
    assert "设备老旧" in hongya.problem and "返工率高" in hongya.problem
    assert "设备老旧" not in hongya.measures and "体系认证" in hongya.measures
    assert [(o.before, o.after) for o in hongya.outcomes] == [(12.0, 3.0)]


FLAT_MD = """# 企业案例（合成测试材料）

## 河南省

### 某某陶瓷有限公司

【问题】成品率低。

【措施】建立烧成记录。

## 湖北省

### 某某汽配有限公司

【问题】尺寸不稳。

【措施】导入SPC。
"""


def test_a_place_over_one_enterprise_titles_the_enterprise(tmp_path):
    path = tmp_path / "flat.md"
    path.write_text(FLAT_MD, encoding="utf-8")
    cases = parse_document(path).cases
    assert [(c.title, c.region.province) for c in cases] == [("某某陶瓷有限公司", "河南省"), ("某某汽配有限公司", "湖北省")]
    assert [c.measures for c in cases] == ["建立烧成记录。", "导入SPC。"]


THEMES_MD = """# 地方经验（合成测试材料）

## 浙江省湖州市

当地童装企业多，色牢度不达标问题突出。

### 一、强化标准引领

组织企业对标国家标准。

### 二、建设检测平台

建设公共检测室。

## 江苏省苏州市

当地电子配件企业多，焊点虚焊问题频繁。

### 一、开展体系认证

指导企业导入质量管理体系。

### 二、培训技术骨干

组织焊工技能培训。
"""


def test_themes_of_one_place_stay_one_case(tmp_path):
    # numbered themes under a place are parts of that place's one write-up, not cases of their own
    path = tmp_path / "themes.md"
    path.write_text(THEMES_MD, encoding="utf-8")
    cases = parse_document(path).cases
    assert [c.title for c in cases] == ["浙江省湖州市", "江苏省苏州市"]
    assert "对标国家标准" in cases[0].measures and "公共检测室" in cases[0].measures


def _rows(number: str, name: str, place: str, trade: str, problem: str, measures: str, result: str) -> list[str]:
    lines = [f"案例{number}：{name}", "企业名称", name, "所在地", place, "行业", trade, "问题"]
    return lines + wrap(problem) + ["措施"] + wrap(measures) + ["成效"] + wrap(result)


def _page_break_pages() -> list[list[str]]:
    # Cells wrapped at a column's width. 某某汽车零部件有限公司's 问题 cell ends in a comma on a short line at
    # the foot of page 1; its 措施 row opens page 2.
    first = _rows("一", "某某家纺有限公司", "江苏省南通市海门区", "家纺",
                  "缝制环节断针、漏针时有发生，产品缺陷率达3.6%，客户投诉较多，返工成本居高不下。",
                  "引入防错方法，断针登记、金属探测全检、工序标准化；组织班组长参加内审员培训。",
                  "产品缺陷率由3.6%降至0.9%；投诉由28起减少到6起。")
    second = _rows("二", "某某汽车零部件有限公司", "湖北省襄阳市谷城县", "汽车零部件",
                   "关键尺寸波动大，主机厂反馈不良品率1500PPM，交付准时率只有86%。企业原有检验以终检为主，"
                   "过程数据没有记录，出了问题无法分析原因，",
                   "导入统计过程控制（SPC），对12个关键尺寸建立控制图；每班首检、巡检、末检数据录入系统，异常自动报警。",
                   "不良品率由1500PPM降至400PPM；准时率由86%提高到98%。")
    third = _rows("三", "某某茶业有限公司", "广西南宁市横州市", "茉莉花茶",
                  "窨制工艺不规范，成品水分超标，出厂检验合格率88%。",
                  "制定窨制、烘干工艺规程，配备快速水分测定仪；建立花源、茶坯进货验收记录。",
                  "出厂检验合格率由88%提高到97%。")
    cut = second.index("措施")
    return [["企业优良案例表（合成测试材料）", *first, *second[:cut]], [*second[cut:], *third]]


def test_label_cell_after_a_page_break_opens_its_row():
    pages = [Page(number=n, text="\n".join(lines)) for n, lines in enumerate(_page_break_pages(), start=1)]
    doc = Document(doc_id="x", path="表.pdf", title="表", format="pdf", pages=tuple(pages), sha256="0")
    texts = [p.text for p in clean_document(doc)]
    assert texts.count("措施") == 3
    assert not any(t.endswith("原因，措施") for t in texts)


def test_table_row_split_over_a_page_break_goes_to_its_field(tmp_path):
    path = write_pdf(tmp_path / "案例表.pdf", _page_break_pages())
    cases = parse_document(path).cases
    second = next(c for c in cases if "汽车零部件" in c.title)
    assert "SPC" in second.measures and "SPC" not in second.problem
    assert "企业名称" not in second.measures and "所在地" not in second.measures
    assert "尺寸波动" in second.problem
    assert (second.page, second.page_end) == (1, 2)
    assert (second.region.county, second.industry) == ("谷城县", "汽车制造业")


@pytest.mark.parametrize("text,title,expected", [
    ("某县休闲食品小微企业集中，电商差评率由2.8%降至0.6%。", "", "食品制造业"),
    ("企业生产膨化食品，通过电商平台零售。", "", "食品制造业"),
    ("企业主要生产脱水胡萝卜，基地种植蔬菜。", "寿光脱水蔬菜出口", "农副食品加工业"),
    ("某公司生产冻干果蔬，原料来自当地果园。", "", "农副食品加工业"),
    ("企业从事航空零部件机加工。", "", "铁路、船舶、航空航天和其他运输设备制造业"),
    ("某厂为动车组配套生产座椅骨架。", "", "铁路、船舶、航空航天和其他运输设备制造业"),
    # the farm and the shop are still what they are when nothing is made
    ("合作社种植蔬菜，通过电商销售。", "", "农业"),
    ("某企业开展航空运输服务。", "", "航空运输业"),
])
def test_trade_words(text, title, expected):
    assert classify_industry(text, title) == expected


def test_a_stated_trade_field():
    assert field_industries("航空零部件机加工") == ["铁路、船舶、航空航天和其他运输设备制造业"]
    assert classify_industries("", "休闲食品") == ["食品制造业"]



NO_MEASURES_LABEL = """企业案例表（合成测试材料）

案例一：某某机械有限公司

企业名称

某某机械有限公司

所在地

河北省邢台市清河县

行业

通用设备

导入质量管理体系，建立首件检验制度。

成效

合格率由90%提高到98%。

案例二：某某纺织有限公司

企业名称

某某纺织有限公司

所在地

江苏省南通市海门区

行业

家纺

开展员工培训，配备金属探测仪。

成效

投诉由20起降至5起。
"""


def test_fact_sheet_cells_are_no_measures_when_no_label_names_them(tmp_path):
    path = tmp_path / "表.txt"
    path.write_text(NO_MEASURES_LABEL, encoding="utf-8")
    cases = parse_document(path).cases
    assert [c.measures for c in cases] == ["导入质量管理体系；建立首件检验制度", "开展员工培训；配备金属探测仪"]
    assert [c.region.county for c in cases] == ["清河县", "海门区"]
