"""Synthetic PowerPoint decks for tests (合成测试材料), written under a test's ``tmp_path`` only."""

from __future__ import annotations

from pathlib import Path


def write_deck(path: Path, slides: list[list[str]], title_slide: tuple[str, str] | None = None) -> Path:
    """A deck: an optional title slide (title, subtitle), then one text box per slide whose first
    line is the slide's title."""
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
