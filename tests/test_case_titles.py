"""Where one case of a collection ends and the next begins, and what each is titled: case headings
that open with a quotation mark, a deck's title slide, a PDF heading as wide as the text column,
a Word subtitle line naming the enterprise. Every snippet here is SYNTHETIC (made up for the test:
enterprises and figures are invented, places are real), short, and written under ``tmp_path`` only."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from deckgen import write_deck

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
    return write_deck(path, slides, title_slide)


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


def _pdf_lines(paragraphs: list[str], width: float = 30) -> list[str]:
    from tests.pdfgen import wrap

    return [line for p in paragraphs for line in wrap(p, width)]


def test_pdf_heading_as_wide_as_the_column_is_not_run_into_the_paragraph_below(tmp_path):
    """Synthetic: a PDF whose case heading fills a printed line exactly (30 characters), then the
    case's text. The heading stays the title; the text is not cut at the heading's colon."""
    from tests.pdfgen import _width, write_pdf

    heading = "（一）邢台市清河县：聚焦羊绒产业集群开展“组团式”认证帮扶行动"
    assert _width(heading) == 30  # as wide as the 30-unit column
    lines = _pdf_lines([
        "合成测试材料 典型经验选编", "一、地方典型经验", heading,
        "清河县是全国重要的羊绒制品生产基地，全县有羊绒小微企业300余家。针对羊绒制品起球、缩水等问题，"
        "县市场监管局组织认证机构开展集中诊断和培训。",
        "通过帮扶，羊绒制品抽检合格率由85.2%提升至96.7%。",
        "（二）沧州市泊头市：铸造企业“一企一策”精准帮扶",
        "泊头市铸造企业普遍存在铸件气孔多的问题。泊头市组织专家团队深入企业，帮助企业编制铸造工艺卡。",
        "一年来，帮扶企业铸件废品率由9.5%下降到4.3%。",
    ])
    cases = parse_document(write_pdf(tmp_path / "选编.pdf", [lines])).cases
    assert [c.title for c in cases] == [heading[3:], "沧州市泊头市：铸造企业“一企一策”精准帮扶"]
    first = cases[0]
    assert (first.region.city, first.region.county) == ("邢台市", "清河县")
    assert not first.measures.startswith("：") and "聚焦羊绒" not in first.measures


def test_pdf_heading_wrapped_onto_a_short_second_line_is_one_heading(tmp_path):
    """Synthetic: a heading longer than a line wraps; its short tail is still the heading's."""
    from tests.pdfgen import write_pdf

    heading = "（一）邯郸市永年区某紧固件有限公司：热处理全程受控出口退货大幅下降"
    lines = _pdf_lines([
        "合成测试材料 优良案例选编", "二、企业优良案例", heading,
        "基本情况：该公司位于邯郸市永年区，主要生产高强度螺栓，产品40%出口，员工58人。",
        "存在问题：螺栓硬度不均，部分出口订单被客户退回。",
        "帮扶措施：帮扶专家指导企业对热处理炉温曲线实施实时监控。",
        "取得成效：出口退货率由2.4%降至0.5%。",
        "（二）雄县某包装印刷有限公司：从“凭眼看”到“用数据说话”",
        "存在问题：印刷色差大、套印不准，客户投诉较多。",
        "帮扶措施：引入色差仪，制定印前打样确认流程。",
        "取得成效：客户投诉从每季度15起减少到3起。",
    ])
    assert lines[2] + lines[3] == heading
    cases = parse_document(write_pdf(tmp_path / "选编.pdf", [lines])).cases
    assert [c.title for c in cases] == [heading[3:], "雄县某包装印刷有限公司：从“凭眼看”到“用数据说话”"]


def test_numbered_list_item_filling_a_line_still_runs_on(tmp_path):
    """Synthetic: a "1." list item (no section heading) whose first line has no punctuation runs on
    into its next line; only 一、/（一）/案例N headings or place/enterprise titles are cut off."""
    from kb.cleaning import clean_document
    from kb.loaders import load_document
    from tests.pdfgen import write_pdf

    item = "1.建立首件检验制度每批次产品生产前由质检员确认首件合格后方可批量生产，并做好记录，每月汇总分析一次。"
    body = "各地围绕小微企业质量管理的薄弱环节，组织认证机构深入企业开展诊断，帮助企业建立和完善质量管理制度。" * 2
    lines = _pdf_lines(["合成测试材料 工作要点", "一、主要做法", body, item, "2.开展全员培训。", body])
    paragraphs = [p.text for p in clean_document(load_document(write_pdf(tmp_path / "要点.pdf", [lines])))]
    assert item in paragraphs


def test_subtitle_line_names_the_enterprise_and_its_place(tmp_path):
    """Synthetic: a Word collection with a preface, then per case a title naming the practice, a
    subtitle "——企业名（地区）", and its parts. The enterprise opens the title, the place is the
    subtitle's (the text names other places first), and the preface is no case passage."""
    d = docx.Document()
    d.add_paragraph("合成测试材料 某省企业优良案例汇编")
    d.add_paragraph("前  言")
    d.add_paragraph("2023年，全省深入开展提升行动，帮扶小微企业1260家。现将各地报送的优良案例汇编如下，供学习借鉴。")
    for title, sub, text in (
        ("案例一  以体系认证破解镜片合格率低难题", "——某某光学科技有限公司（鹰潭市贵溪市）",
         "产品主要销往南昌市、赣州市等地，镀膜工序参数无记录，一次交验合格率仅为91.5%。"),
        ("案例二  窑炉“有记录”  烧成“有标准”", "——某某日用陶瓷有限公司（景德镇市昌江区）",
         "产品主要销往上饶市，烧成变形缺陷多，废品率高达12%。"),
    ):
        d.add_heading(title, level=2)
        d.add_paragraph(sub)
        for head, body in (("（一）存在的主要问题", text), ("（二）主要做法", "建立工序控制程序，明确关键参数。"),
                           ("（三）取得成效", "合格率由91.5%提升至98.2%。")):
            d.add_paragraph(head)
            d.add_paragraph(body)
    path = tmp_path / "汇编.docx"
    d.save(str(path))
    parsed = parse_document(path)
    assert [c.title for c in parsed.cases] == ["某某光学科技有限公司：以体系认证破解镜片合格率低难题",
                                               "某某日用陶瓷有限公司：窑炉“有记录”烧成“有标准”"]
    assert [(c.region.city, c.region.county) for c in parsed.cases] == [("鹰潭市", "贵溪市"), ("景德镇市", "昌江区")]
    assert all(c.kind == "enterprise_case" for c in parsed.cases)
    preface = [c for c in parsed.chunks if "现将各地报送" in c.text]
    assert preface and all(c.kind == "report" for c in preface)
    assert {c.kind for c in parsed.chunks if "现将各地报送" not in c.text} == {"enterprise_case"}


@pytest.mark.parametrize("line", ["——本案例由某省市场监管局提供", "—— 2024年4月", "——摘自《质量与认证》"])
def test_dash_line_naming_no_enterprise_or_place_is_no_subtitle(line):
    from kb.cases import _subtitle

    assert _subtitle(line) is None


def test_a_place_starting_with_a_numeral_after_a_chinese_case_number_stays_whole(tmp_path):
    """"案例一 六安市…": the space after the case number is kept, so 六 is not read as part of it
    (it was: "安市…", no place)."""
    md = tmp_path / "numeral_places.md"
    lines = ["# 数字开头地名案例（合成测试材料）", ""]
    for number, sep, place, county in (("一", " ", "六安市", "金安区"), ("二", "\u3000", "十堰市", "张湾区"),
                                       ("三", " ", "五常市", "五常市")):
        lines += [f"## 案例{number}{sep}{place}某合成企业：减少返工", "",
                  f"企业概况：该企业位于{place}{county}，主要生产纸箱。", "存在问题：返工多。",
                  "主要做法：建立首件检验制度。", "取得成效：返工率由8%降至2%。", ""]
    md.write_text("\n".join(lines), encoding="utf-8")
    cases = parse_document(md).cases
    assert [c.title.split("某")[0] for c in cases] == ["六安市", "十堰市", "五常市"]
    assert all(place in (c.region.city, c.region.county) for c, place in zip(cases, ("六安市", "十堰市", "五常市"), strict=True))
