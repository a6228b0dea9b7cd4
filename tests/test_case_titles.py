"""Where one case of a collection ends and the next begins, and what each is titled: case headings
that open with a quotation mark, a deck's title slide, a PDF heading as wide as the text column,
a Word subtitle line naming the enterprise. Every snippet here is SYNTHETIC (made up for the test:
enterprises and figures are invented, places are real), short, and written under ``tmp_path`` only."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from kb.numbering import heading_level
from kb.pipeline import parse_document


def _parts_docx(path: Path, titles: list[str], style_heading: bool = True) -> Path:
    """A synthetic collection: each title over 基本情况 / 存在问题 / 主要做法 / 取得成效."""
    d = docx.Document()
    d.add_paragraph("合成测试材料 企业案例集")
    for k, title in enumerate(titles):
        d.add_heading(title, level=2) if style_heading else d.add_paragraph(title)
        for head, body in (("（一）企业基本情况", f"某某{k}电缆有限公司位于鹰潭市贵溪市，主要生产电线电缆。"),
                           ("（二）存在的主要问题", "企业导体电阻超标。"),
                           ("（三）主要做法", "配置火花试验机。"),
                           ("（四）取得成效", f"导体电阻合格率由8{k}%提高到100%。")):
            d.add_paragraph(head)
            d.add_paragraph(body)
    d.save(str(path))
    return path


@pytest.mark.parametrize("title", ["案例五“体检式”诊断", "案例5《标准》先行", "案例一（试点）米粉企业", "案例二【示范】"])
def test_case_number_followed_by_a_quotation_or_bracket_is_a_heading(title):
    assert heading_level(title) == 1


def test_case_number_run_into_other_text_is_no_heading():
    assert heading_level("案例库建设") is None
    assert heading_level("案例二,") is None


@pytest.mark.parametrize("style_heading", [True, False])
def test_case_title_opening_with_a_quotation_after_spaces_starts_a_case(tmp_path, style_heading):
    """Synthetic: "案例五  “体检式”…" (Chinese number, spaces, an opening quote) loses its spaces in
    cleaning; it still starts a case of its own instead of running on in 案例四."""
    titles = ["案例四  从源头到饮片", "案例五  “体检式”诊断助电缆企业", "案例六  米粉企业"]
    cases = parse_document(_parts_docx(tmp_path / "案例集.docx", titles, style_heading)).cases
    assert [c.title for c in cases] == ["从源头到饮片", "“体检式”诊断助电缆企业", "米粉企业"]
    assert [c.outcomes[0].before for c in cases] == [80, 81, 82]
    assert all(c.problem == "企业导体电阻超标。" for c in cases)


def _deck(path: Path, slides: list[list[str]], title_slide: tuple[str, str] | None) -> Path:
    """A synthetic deck: an optional title slide (title, subtitle), then one text box per slide."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    if title_slide:
        s = prs.slides.add_slide(prs.slide_layouts[0])
        s.shapes.title.text, s.placeholders[1].text = title_slide
    for lines in slides:
        s = prs.slides.add_slide(prs.slide_layouts[6])
        tf = s.shapes.add_textbox(Inches(0.5), Inches(0.5), Inches(9), Inches(6)).text_frame
        tf.text = lines[0]
        for line in lines[1:]:
            tf.add_paragraph().text = line
    prs.save(str(path))
    return path


_CASE_SLIDES = [
    ["日照市某茶业有限公司：建基地、严追溯", "问题：农药使用无记录，农残抽检合格率只有93%。",
     "举措：建立投入品台账，推行“一品一码”追溯。", "成效：农残抽检合格率由93%提升至100%。"],
    ["临沂市某木业有限公司：胶合板甲醛释放量达标", "存在问题：胶合板甲醛释放量超标。",
     "主要做法：优化施胶量和热压工艺参数。", "取得成效：甲醛释放量合格率由90%提高到99%。"],
]


def test_title_slide_and_closing_slide_are_no_cases(tmp_path):
    """Synthetic: a title slide (deck title, issuer and date, a note), two case slides, a closing
    slide. The issuer and the deck title open with a place but name no case."""
    path = _deck(tmp_path / "展示.pptx", [*_CASE_SLIDES, ["谢谢！"]],
                 ("山东省认证提升行动优秀案例展示", "（合成测试材料）\n山东省市场监督管理局  2024年5月"))
    cases = parse_document(path).cases
    assert [c.title for c in cases] == ["日照市某茶业有限公司：建基地、严追溯", "临沂市某木业有限公司：胶合板甲醛释放量达标"]


def test_slide_telling_a_place_practice_in_prose_is_still_a_case(tmp_path):
    """Synthetic: a slide without part labels that tells what a place did is read as a report's
    sentences are: it is a case."""
    slides = [*_CASE_SLIDES, ["地方经验", "湖州市组织认证机构开展“组团式”帮扶，童装抽检合格率由85%提升至96%。"]]
    cases = parse_document(_deck(tmp_path / "展示.pptx", slides, ("浙江省优秀案例展示", "浙江省市场监督管理局"))).cases
    assert len(cases) == 3 and cases[-1].title.startswith("湖州市")
    assert not any("市场监督管理局" in c.title for c in cases)
