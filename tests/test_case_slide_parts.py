"""A case told over several slides: a title slide naming the enterprise, then slides titled by a part
(痛点 / 存在问题, 做法, 成效) with a 帮扶前/帮扶后 table. Every deck here is SYNTHETIC (合成测试材料: made up
for the test; enterprises and figures are invented, places are real), short, and written under
``tmp_path`` only."""

from __future__ import annotations

from pathlib import Path

from kb.pipeline import parse_document


def _deck(path: Path, slides: list[tuple[str, list[str], list[tuple[str, str, str]]]]) -> Path:
    """A deck: a title slide, then per slide a title placeholder, bullets and an optional table
    (指标 | 帮扶前 | 帮扶后 over its rows)."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.text, cover.placeholders[1].text = "质量帮扶案例讲评（合成测试材料）", "某培训班  2024年9月"
    for title, bullets, rows in slides:
        if rows:
            s = prs.slides.add_slide(prs.slide_layouts[5])  # title only
            s.shapes.title.text = title
            table = s.shapes.add_table(len(rows) + 1, 3, Inches(1), Inches(1.6), Inches(8), Inches(1.2)).table
            for i, row in enumerate([("指标", "帮扶前", "帮扶后"), *rows]):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
            if bullets:
                box = s.shapes.add_textbox(Inches(1), Inches(5), Inches(8), Inches(1)).text_frame
                box.text = bullets[0]
                for line in bullets[1:]:
                    box.add_paragraph().text = line
        else:
            s = prs.slides.add_slide(prs.slide_layouts[1])
            s.shapes.title.text = title
            body = s.placeholders[1].text_frame
            body.text = bullets[0]
            for line in bullets[1:]:
                body.add_paragraph().text = line
    prs.save(str(path))
    return path


# Two cases, four slides each, worded in two ways (｜ and 痛点/做法/成效; ： and 存在问题/主要做法/取得成效).
_SLIDES = [
    ("案例一｜寿光市禾丰蔬菜加工有限公司", ["山东省潍坊市寿光市 · 脱水蔬菜 · 员工40人"], []),
    ("痛点", ["脱水蔬菜水分含量波动大，出口批次合格率仅88%", "客户每月投诉约9起"], []),
    ("做法", ["烘干工序定温定时并逐批记录", "编制烘干、分拣作业指导书12份"], []),
    ("成效", ["获证后进入两家出口商的合格供方名录"], [("出口批次合格率", "88%", "98%"), ("客户投诉（起/月）", "9", "2")]),
    ("案例二：南康区木匠坊家具有限公司", ["江西省赣州市南康区 · 实木家具 · 员工55人"], []),
    ("存在问题", ["板材含水率不稳定，成品开裂返工多，返工率达11%"], []),
    ("主要做法", ["板材入厂逐批测含水率", "增设恒温平衡库，开展内审员培训30人次"], []),
    ("取得成效", [], [("返工率", "11%", "3%")]),
    ("谢谢！", ["欢迎交流"], []),
]


def test_each_title_slide_gathers_its_part_slides_into_one_case(tmp_path):
    """Synthetic: one record per case title slide, with the problem, measures and results of the part
    slides after it, the slide range as its pages, and the results from the results slide only."""
    parsed = parse_document(_deck(tmp_path / "讲评.pptx", _SLIDES))
    first, second = parsed.cases
    assert [c.title for c in parsed.cases] == ["寿光市禾丰蔬菜加工有限公司", "南康区木匠坊家具有限公司"]
    assert parsed.kind == "enterprise_case" and {c.kind for c in parsed.cases} == {"enterprise_case"}
    assert (first.page, first.page_end) == (2, 5) and (second.page, second.page_end) == (6, 9)
    assert first.region.county == "寿光市" and second.region.county == "南康区"
    assert "水分含量波动大" in first.problem and "烘干" not in first.problem
    assert "烘干工序定温定时" in first.measures and "水分含量" not in first.measures
    assert "开裂返工多" in second.problem and "恒温平衡库" in second.measures
    # the table's rows are the results; the problem's 88% and 每月约9起 and the 12份 of the measures are not
    assert sorted((o.metric, o.before, o.after) for o in first.outcomes) == [
        ("出口批次合格率", 88, 98), ("客户投诉", 9, 2)]
    assert [(o.metric, o.before, o.after) for o in second.outcomes] == [("返工率", 11, 3)]


def test_part_slides_are_cited_under_their_case_title(tmp_path):
    """Synthetic: a part slide's section names the case ("案例一｜某公司 > 成效"), so its citation names
    the enterprise; each slide is still a passage of its own, and the closing slide is under no case."""
    parsed = parse_document(_deck(tmp_path / "讲评.pptx", _SLIDES))
    by_page = {c.page: c for c in parsed.chunks}
    assert by_page[2].section == ("案例一｜寿光市禾丰蔬菜加工有限公司",)
    assert by_page[5].section == ("案例一｜寿光市禾丰蔬菜加工有限公司", "成效")
    assert by_page[8].section == ("案例二：南康区木匠坊家具有限公司", "主要做法")
    assert by_page[10].section == ("谢谢！",) and by_page[10].kind == "report"
    assert all(c.page_end in (None, c.page) for c in parsed.chunks)
    assert by_page[5].chunk_id in parsed.cases[0].passage_ids


def test_no_result_from_the_problem_when_a_table_slide_holds_them(tmp_path):
    """Synthetic: the title slide says 存在问题：… (with figures), the next slide 做法, and the results are
    only a table on a slide titled by no part label: its rows are the results, the problem's figures
    and an input are not."""
    slides = [
        ("案例1：德化县瓷源陶瓷有限公司", ["福建省泉州市德化县 · 日用陶瓷 · 员工60人",
                                         "存在问题：釉面针孔多，一次烧成合格率仅82%；窑温记录缺失，追溯一窑要36小时"], []),
        ("做法", ["主要做法：重新测定烧成曲线；编制施釉作业指导书9份"], []),
        ("帮扶前后对比", [], [("一次烧成合格率", "82%", "95%"), ("追溯用时（小时）", "36", "4")]),
    ]
    [case] = parse_document(_deck(tmp_path / "陶瓷.pptx", slides)).cases
    assert (case.page, case.page_end) == (2, 4)
    assert sorted((o.metric, o.before, o.after) for o in case.outcomes) == [
        ("一次烧成合格率", 82, 95), ("追溯用时", 36, 4)]
    assert "釉面针孔" in case.problem and "施釉作业指导书" in case.measures


def test_a_part_slide_after_a_complete_case_or_a_non_case_slide_stands_alone(tmp_path):
    """Synthetic: a "经验做法" slide after a case that already told its 做法, and a "存在问题" slide after a
    slide naming no case, start no case's continuation: their sections stay their own titles."""
    slides = [
        ("课程导入", ["本讲介绍认证帮扶的基本方法"], []),
        ("存在问题", ["小微企业普遍存在质量管理基础薄弱的问题"], []),
        ("案例一：余姚市精工模具有限公司", ["存在问题：试模次数多，交付准时率仅78%",
                                       "主要做法：建立模具设计评审制度", "取得成效：交付准时率由78%提高到95%"], []),
        ("经验做法", ["一是问题导向", "二是标准引领"], []),
    ]
    parsed = parse_document(_deck(tmp_path / "导入.pptx", slides))
    sections = {c.page: c.section for c in parsed.chunks}
    assert sections[3] == ("存在问题",) and sections[5] == ("经验做法",)
    [case] = [c for c in parsed.cases if "精工模具" in c.title]
    assert (case.page, case.page_end) == (4, None)
