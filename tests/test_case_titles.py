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
