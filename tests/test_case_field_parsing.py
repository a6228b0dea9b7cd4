"""Case fields and figures from write-ups a black-box tester found misread: slides told in plain
sentences, part labels outside the usual list, a before figure stated only in the problem, and
a figure's time base (每月/每季度).

All case text here is SYNTHETIC (合成测试材料), invented for the tests: places are real names,
enterprises and figures are made up.
"""

from __future__ import annotations

from kb.pipeline import parse_document


def _deck(tmp_path, slides, name="合成案例展示.pptx"):
    """A deck of text boxes (no title placeholder), one (title, lines, notes) per slide."""
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    for title, lines, notes in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        box = slide.shapes.add_textbox(Inches(0.5), Inches(0.3), Inches(9), Inches(0.8))
        box.text_frame.text = title
        body = slide.shapes.add_textbox(Inches(0.5), Inches(1.3), Inches(9), Inches(5)).text_frame
        for i, line in enumerate(lines):
            (body.paragraphs[0] if i == 0 else body.add_paragraph()).text = line
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    path = tmp_path / name
    deck.save(str(path))
    return parse_document(path).cases


_STORY = ["企业主要生产不锈钢保温杯。过去杯体焊缝渗漏、喷涂脱落，客户投诉每月多达9起。",
          "帮扶中，认证机构指导企业制定焊接作业指导书，改进喷涂前处理工序，增加气密性检测。",
          "实施以来，客户投诉由每月9起降至1起，产品返修率下降了3.5个百分点，获得认证贷150万元。"]


def test_a_slide_told_in_plain_sentences_is_one_case(tmp_path):
    """No 问题：/做法：/成效： labels on the slide: its title names the enterprise, its lines tell the
    trouble, what was done and what came of it. Before, it gave a case of the title line alone
    (no problem, no measures, no figures)."""
    cases = _deck(tmp_path, [("合成展示（测试用虚构材料）", ["本文件为测试用合成材料"], None),
                             ("金华市武义县合成保温杯有限公司", _STORY, "备注：讲解提示：该企业位于金华市武义县。")])
    (case,) = cases
    assert case.kind == "enterprise_case" and case.title == "金华市武义县合成保温杯有限公司"
    assert case.region.county == "武义县"
    assert case.problem.startswith("过去杯体焊缝渗漏、喷涂脱落") and "客户投诉每月多达9起" in case.problem
    assert case.measures == "认证机构指导企业制定焊接作业指导书；改进喷涂前处理工序；增加气密性检测"
    assert "主要生产不锈钢保温杯" in case.profile and "讲解提示" not in case.profile
    got = [(o.metric, o.before, o.after, o.change) for o in case.outcomes]
    assert got == [("客户投诉", 9, 1, -8), ("产品返修率", None, None, -3.5), ("获得认证贷", None, 150, None)]


def test_a_slide_with_a_place_title_and_no_result_is_no_narrative_case(tmp_path):
    """A slide of general remarks under a place title (no figure of a result) stays prose."""
    cases = _deck(tmp_path, [("金华市武义县工作思路", ["下一步将继续组织认证机构开展帮扶。", "存在的困难是企业意识不强。"],
                              None)])
    assert all(c.title != "金华市武义县工作思路" for c in cases)
