"""Case collections whose cases are numbered lists of labelled lines ("1. 企业名称：…", "2、存在问题：…",
or Word's own list numbering), and bulletins whose non-case sections are no cases. Every snippet
here is SYNTHETIC (made up for the test: enterprises and figures are invented, places are real)."""

from __future__ import annotations

from pathlib import Path

import docx

from kb.cleaning import Paragraph
from kb.pipeline import parse_document
from kb.structure import structure_sentences

_PUMP = ["1. 企业名称：临海市某泵业有限公司",
         "2. 所在地区：浙江省台州市临海市",
         "3. 企业概况：主要生产小型水泵，员工50人。",
         "4. 存在问题：电机返修率高达5.0%，客户投诉多。",
         "5. 帮扶措施：专家驻厂一周，帮助企业建立浸漆工艺规程。",
         "6. 取得成效：电机返修率降至1.5%。"]
_CUP = ["1、企业名称：永康市某杯业有限公司",
        "2、所在地区：浙江省金华市永康市",
        "3、存在问题：杯体焊缝渗漏，出厂不良率达3.2%。",
        "4、主要做法：引入氦检漏设备，建立焊接首件检验制度。",
        "5、取得成效：出厂不良率由3.2%降至0.6%。"]
_KETTLE = ["企业名称：潮州市某五金有限公司",
           "所在地区：广东省潮州市潮安区",
           "存在问题：不锈钢壶抛光不良，返工多。",
           "帮扶措施：制定抛光作业指导书，增设巡检岗位。",
           "取得成效：返工率由8%降至2%。"]


def test_numbered_labelled_lines_are_body_not_headings():
    """Synthetic: "1. 企业名称：…" under a case heading is a line of that case, not a heading."""
    paragraphs = [Paragraph("一、以过程控制破解电机返修难题", ((0, 1),))] + [Paragraph(t, ((0, 1),)) for t in _PUMP]
    _, sentences = structure_sentences(paragraphs)
    assert {s.section for s in sentences} == {("一、以过程控制破解电机返修难题",)}
    assert sentences[0].text == "1. 企业名称：临海市某泵业有限公司"
    # a numbered label alone is still the heading of that part
    _, sentences = structure_sentences([Paragraph("一、某公司案例", ((0, 1),)), Paragraph("4. 存在问题：", ((0, 1),)),
                                        Paragraph("返修率高。", ((0, 1),))])
    assert sentences[-1].section == ("一、某公司案例", "4. 存在问题")


def _collection_docx(path: Path) -> Path:
    d = docx.Document()
    d.add_heading("某省帮扶企业案例汇编（合成测试材料）", level=0)
    d.add_heading("编者按", level=1)
    d.add_paragraph("现将各地报送的帮扶企业情况按统一格式整理如下。")
    d.add_heading("以过程控制破解电机返修难题", level=2)
    for t in _PUMP:
        d.add_paragraph(t)
    d.add_heading("焊缝渗漏问题的解决", level=2)
    for t in _CUP:
        d.add_paragraph(t)
    d.add_heading("抛光工序的标准化", level=2)
    for t in _KETTLE:
        d.add_paragraph(t, style="List Number")  # Word's own numbering: the text has no "1."
    d.add_heading("编后语", level=1)
    d.add_paragraph("以上案例表明，认证帮扶要找准企业的关键问题。")
    d.save(str(path))
    return path


def test_numbered_fact_sheets_give_one_case_each(tmp_path):
    """Synthetic: three fact sheets written "1.", "1、" and with Word list numbering, under Heading 2
    titles after a Heading 1 "编者按": three cases, titled by the enterprise, placed by 所在地区;
    the 编者按 and 编后语 are no case and their passages are typed report."""
    parsed = parse_document(_collection_docx(tmp_path / "汇编.docx"))
    cases = parsed.cases
    assert [c.title for c in cases] == ["临海市某泵业有限公司：以过程控制破解电机返修难题",
                                        "永康市某杯业有限公司：焊缝渗漏问题的解决",
                                        "潮州市某五金有限公司：抛光工序的标准化"]
    assert [(c.region.city, c.region.county) for c in cases] == [("台州市", "临海市"), ("金华市", "永康市"),
                                                                 ("潮州市", "潮安区")]
    assert [c.section for c in cases] == [("以过程控制破解电机返修难题",), ("焊缝渗漏问题的解决",), ("抛光工序的标准化",)]
    pump = cases[0]
    assert pump.profile.startswith("主要生产小型水泵")
    assert pump.problem.startswith("电机返修率高达5.0%")
    assert pump.measures.startswith("专家驻厂一周")
    assert [(o.before, o.after) for o in pump.outcomes] == [(5.0, 1.5)]
    assert "企业名称" not in pump.problem + pump.measures
    chunks = parsed.chunks
    assert any("临海市某泵业有限公司" in c.text for c in chunks)  # the name line is indexed
    kinds = {c.section[0]: c.kind for c in chunks}
    assert kinds["编者按"] == kinds["编后语"] == "report"
    assert kinds["以过程控制破解电机返修难题"] == "enterprise_case"


def test_numbered_labels_name_parts_for_answers():
    """Synthetic: the direct answer reads a numbered label ("4. 存在问题：…") as the part it names."""
    from kb.structure import case_parts
    assert case_parts(("一、某公司",), ["1. 企业名称：某公司", "4. 存在问题：返修率高。", "5、帮扶措施：建立规程。",
                                     "（6）取得成效：返修率降至1%。"]) == [None, "problem", "measures", "outcomes"]


_BULLETIN = """认证提升工作简报
第3期
某省市场监督管理局认证监管处          2024年5月6日

一、总体进展
截至4月底，全省共组织认证机构帮扶小微企业1200家，减免认证费用300万元。

二、各地做法
（一）浙江省湖州市德清县以木制家具产业为重点，针对家具开裂问题，推行木材含水率检验。家具出口退货率由2.5%降至0.8%。
（二）河北省邢台市沙河市针对玻璃深加工企业返工多的问题，组织专家开展诊断，帮助企业改进钢化炉温控制。返工率由6%降至2%。

三、下一步打算
（一）扩大帮扶覆盖面，力争全年帮扶小微企业3000家以上。
（二）总结推广典型经验。

（报送：市场监管总局认证监管司    发送：各市市场监管局）
"""


def test_bulletin_overview_plans_and_footer_are_no_cases(tmp_path):
    """Synthetic bulletin: 总体进展 and 下一步打算 (with its 报送 footer) are no cases; the two places
    under 二、各地做法 are local experiences (a place that acts, "沙河市针对…企业…", is still a place's)."""
    path = tmp_path / "简报.txt"
    path.write_text(_BULLETIN, encoding="utf-8")
    parsed = parse_document(path)
    assert [c.title[:9] for c in parsed.cases] == ["浙江省湖州市德清县", "河北省邢台市沙河市"]
    assert {c.kind for c in parsed.cases} == {"local_experience"}
    kinds = {c.section[0]: c.kind for c in parsed.chunks}
    assert kinds["一、总体进展"] == kinds["三、下一步打算"] == "report"


def test_footer_and_targets_are_no_part_of_the_last_case(tmp_path):
    """Synthetic: a footer right after the last case is no part of it, and a target (力争/计划/目标) is
    no outcome."""
    text = ("认证帮扶经验汇编\n\n一、浙江省湖州市德清县：木制家具质量提升\n存在问题：家具开裂多。\n主要做法：推行木材含水率检验。\n"
            "取得成效：出口退货率由2.5%降至0.8%，力争明年降至0.5%以下，计划再帮扶企业30家。\n\n"
            "二、河北省邢台市沙河市：玻璃深加工返工治理\n存在问题：返工多。\n主要做法：改进钢化炉温控制。\n"
            "取得成效：返工率由6%降至2%。\n（报送：市场监管总局认证监管司）\n")
    path = tmp_path / "汇编.txt"
    path.write_text(text, encoding="utf-8")
    first, second = parse_document(path).cases
    assert [(o.before, o.after) for o in first.outcomes] == [(2.5, 0.8)]
    assert "报送" not in second.text


def test_numbered_item_titles_lose_their_number(tmp_path):
    """Synthetic: "1. 某地：…" items under group headings are titled without the "1. "."""
    text = ("# 某省经验与案例（合成）\n\n## 一、地方典型经验\n\n### 1. 中山市古镇镇：建设灯饰认证服务站\n\n"
            "存在问题：灯饰企业认证难。\n\n取得成效：获证企业由10家增加到40家。\n\n"
            "### 2. 揭阳市揭东区：推动餐厨具出口\n\n存在问题：出口退货多。\n\n取得成效：退货率由3%降至1%。\n")
    path = tmp_path / "经验.md"
    path.write_text(text, encoding="utf-8")
    assert [c.title for c in parse_document(path).cases] == ["中山市古镇镇：建设灯饰认证服务站", "揭阳市揭东区：推动餐厨具出口"]
