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

