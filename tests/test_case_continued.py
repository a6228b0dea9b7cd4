"""A case told over two slides, difficulty wording without labels, an appendix line after the last
case. Every snippet here is SYNTHETIC (合成测试材料: made up for the test; enterprises and figures are
invented, places are real), short, and written under ``tmp_path`` only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from deckgen import write_deck

from kb import store
from kb.pipeline import parse_document
from kb.present import page_text
from kb.records import CaseHit


def _deck(path: Path, slides: list[list[str]]) -> Path:
    """A synthetic deck: a title slide, then one text box per slide (its first line is the slide's title)."""
    return write_deck(path, slides, ("同行案例分享（合成测试材料）", "某培训班  2024年6月"))


def _first_half(number: str, name: str, place: str, problem: str) -> list[str]:
    return [f"案例{number}：{name}", f"企业概况：{place}{name.split('某')[-1]}，员工约60人。", f"存在问题：{problem}"]


_HALVES = [
    ("一", "余姚市某模具企业", "浙江省宁波市余姚市某模具有限公司",
     "模具试模次数多，交付准时率仅78%。",
     ["主要做法：", "建立模具设计评审制度。", "关键尺寸实行三坐标检测。",
      "取得成效：交付准时率由78%提高到95%，年节约试模费用约12万元。"]),
    ("二", "平湖市某箱包企业", "浙江省嘉兴市平湖市某箱包有限公司",
     "拉链和缝线脱落投诉多，返修率达6%。",
     ["主要做法：", "对拉链供应商开展二方审核。", "增设成品拉力抽检工位。",
      "取得成效：返修率由6%降至1.2%。"]),
]


def _two_slide_deck(tmp_path: Path, continued) -> Path:
    """Each case on two slides: 概况 + 存在问题, then a slide titled ``continued(number)`` with 做法 + 成效."""
    slides = []
    for number, name, place, problem, rest in _HALVES:
        slides.append(_first_half(number, name, place, problem))
        slides.append([continued(number), *rest])
    slides.append(["谢谢！", "欢迎交流"])
    return _deck(tmp_path / "同行案例.pptx", slides)


def _check_joined(cases) -> None:
    assert [c.title for c in cases] == ["余姚市某模具企业", "平湖市某箱包企业"]
    first, second = cases
    assert first.region.county == "余姚市" and second.region.county == "平湖市"
    assert first.problem == "模具试模次数多，交付准时率仅78%。"
    assert "模具设计评审" in first.measures and "三坐标" in first.measures
    assert "续" not in first.measures and "续" not in first.problem
    # one outcome per figure pair: the problem's 78% is where the result starts, not a result of its own
    assert [(o.metric, o.before, o.after) for o in first.outcomes if o.unit == "%"] == [("交付准时率", 78, 95)]
    assert [(o.metric, o.before, o.after) for o in second.outcomes] == [("返修率", 6, 1.2)]
    assert (first.page, first.page_end) == (2, 3) and (second.page, second.page_end) == (4, 5)


def test_case_over_two_slides_titled_continued_is_one_record(tmp_path):
    """Synthetic: "案例一：…" then "案例一（续）" — one record with the fields of both slides."""
    cases = parse_document(_two_slide_deck(tmp_path, lambda n: f"案例{n}（续）")).cases
    _check_joined(cases)


def test_other_continuation_titles(tmp_path):
    """Synthetic: "（续）：做法与成效" and "续：主要做法与成效" say the same."""
    for k, continued in enumerate((lambda n: "（续）：做法与成效", lambda n: "续：主要做法与成效")):
        (tmp_path / str(k)).mkdir()
        _check_joined(parse_document(_two_slide_deck(tmp_path / str(k), continued)).cases)


def test_slide_going_on_with_a_case_without_continuation_title(tmp_path):
    """Synthetic: the second slide of a case is titled "做法与成效" (no 续, no case named): it holds only
    the parts the case slide lacks, so it goes on with that case; the next case slide does not."""
    cases = parse_document(_two_slide_deck(tmp_path, lambda n: "做法与成效")).cases
    _check_joined(cases)


def test_new_case_slide_is_not_a_continuation(tmp_path):
    """Synthetic: two one-slide cases, each naming its enterprise: two records, each on its own page."""
    slides = [
        ["案例一：余姚市某模具企业", "存在问题：交付准时率仅78%。", "主要做法：建立模具设计评审制度。",
         "取得成效：交付准时率由78%提高到95%。"],
        ["平湖市某箱包企业", "主要做法：增设成品拉力抽检工位。", "取得成效：返修率由6%降至1.2%。"],
        ["谢谢！"],
    ]
    cases = parse_document(_deck(tmp_path / "两案例.pptx", slides)).cases
    assert [c.title for c in cases] == ["余姚市某模具企业", "平湖市某箱包企业"]
    assert [(c.page, c.page_end) for c in cases] == [(2, None), (3, None)]


def test_problem_figure_is_no_outcome_when_a_later_result_starts_from_it(tmp_path):
    """Synthetic: one slide labels the problem and the measures only; the change is told among the
    measures. The problem's "返工率达7%" is the state before, not a second result."""
    slides = [["案例一：瓦房店市某轴承企业", "存在问题：轴承噪声超标，返工率达7%。",
               "主要做法：改进磨削工艺，引入振动检测仪，返工率由7%降至1.5%。"], ["谢谢！"]]
    [case] = parse_document(_deck(tmp_path / "一案例.pptx", slides)).cases
    assert [(o.metric, o.before, o.after) for o in case.outcomes] == [("返工率", 7, 1.5)]


def test_case_page_range_is_stored_shown_and_answered(tmp_path):
    """The page range of a case over two slides survives the index and is cited as 第 2–3 页."""
    [first, _] = parse_document(_two_slide_deck(tmp_path, lambda n: f"案例{n}（续）")).cases
    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    conn.executescript(store.SCHEMA)
    store.insert_case(conn, 0, first)
    conn.commit()
    conn.close()
    [loaded] = store.load_records(tmp_path).cases
    assert (loaded.page, loaded.page_end) == (2, 3)
    assert page_text(loaded.page, loaded.page_end) == "第 2–3 页"
    row = CaseHit(1, 1.0, loaded).as_dict()
    assert (row["page"], row["page_end"]) == (2, 3)
    # a generation written before cases kept their last page reads None
    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    conn.execute("ALTER TABLE cases DROP COLUMN page_end")
    conn.commit()
    conn.close()
    assert store.load_records(tmp_path).cases[0].page_end is None


def _collection_pdf(path: Path) -> Path:
    from tests.pdfgen import wrap, write_pdf

    paragraphs = [
        "一、宁波市北仑区：模具企业质量提升",
        "北仑区是全国重要的模具产业基地，区内小微模具企业质量管理基础不健全，检测手段落后，交付延误风险较高。",
        "北仑区组织认证机构上门诊断，指导企业建立模具验收规范，逐台排查设备隐患。",
        "实施以来，模具交付准时率由82%提高到96%。",
        "二、嘉兴市海宁市：经编企业质量提升",
        "海宁市经编小微企业面临染色色差投诉多的难题。",
        "海宁市推动企业导入质量管理体系，统一染色工艺记录。",
        "实施以来，色差投诉由每月9起降至每月2起。",
        "附表：参与企业名单（略）",
    ]
    lines = [line for p in paragraphs for line in (wrap(p) if len(p) > 30 else [p])]
    return write_pdf(path, [["地方典型经验选编（合成测试材料）", *lines]])


def test_unlabelled_problem_is_read_from_difficulty_wording(tmp_path):
    """Synthetic: no 存在问题 label; the first paragraph states difficulties in words (不健全, 落后,
    风险较高) and is the problem, not a measure; a remedy (排查…隐患) stays a measure."""
    cases = parse_document(_collection_pdf(tmp_path / "选编.pdf")).cases
    assert [c.title for c in cases] == ["宁波市北仑区：模具企业质量提升", "嘉兴市海宁市：经编企业质量提升"]
    first = cases[0]
    assert "不健全" in first.problem and "落后" in first.problem and "风险较高" in first.problem
    assert "不健全" not in first.measures and "落后" not in first.measures
    assert "逐台排查设备隐患" in first.measures and "排查" not in first.problem
    assert "色差投诉多的难题" in cases[1].problem


def test_appendix_line_ends_the_last_case(tmp_path):
    """Synthetic: "附表：参与企业名单（略）" after the last case is report matter of its own, in no
    case's passage."""
    parsed = parse_document(_collection_pdf(tmp_path / "选编.pdf"))
    last = parsed.cases[-1]
    held = [c for c in parsed.chunks if c.chunk_id in last.passage_ids]
    assert held and not any("附表" in c.text for c in held)
    [appendix] = [c for c in parsed.chunks if "附表" in c.text]
    assert appendix.kind == "report" and appendix.text.startswith("附表：参与企业名单")


def test_continued_heading_in_a_collection_joins_its_case(tmp_path):
    """Synthetic: a Word collection where a case goes on under "案例一（续）" (a heading repeated on the
    next page): one record with the problem from the first part and the results from the second."""
    import docx

    d = docx.Document()
    d.add_paragraph("企业优良案例选编（合成测试材料）")
    for heading, lines in (
        ("案例一 余姚市某模具有限公司", ["存在问题：模具试模次数多，交付准时率仅78%。", "主要做法：建立模具设计评审制度。"]),
        ("案例一（续）", ["取得成效：交付准时率由78%提高到95%。"]),
        ("案例二 平湖市某箱包有限公司", ["存在问题：拉链脱落投诉多。", "主要做法：增设成品拉力抽检工位。",
                                         "取得成效：返修率由6%降至1.2%。"]),
    ):
        d.add_heading(heading, level=1)
        for line in lines:
            d.add_paragraph(line)
    path = tmp_path / "选编.docx"
    d.save(str(path))
    cases = parse_document(path).cases
    assert [c.title for c in cases] == ["余姚市某模具有限公司", "平湖市某箱包有限公司"]
    first = cases[0]
    assert first.problem == "模具试模次数多，交付准时率仅78%。" and first.measures == "建立模具设计评审制度。"
    assert [(o.metric, o.before, o.after) for o in first.outcomes] == [("交付准时率", 78, 95)]
