"""Case collections in layouts a black-box tester tried: Markdown grouped by province, DOCX field tables
one after another, figures written in other units, table rows in exports and answers.

All case material here is 合成测试材料 (synthetic): the enterprises and figures are made up."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.cases import names_place_only, parse_outcomes
from kb.export import text_segments
from kb.industries import classify_industry, resolve_industries
from kb.numerals import arabic_figures
from kb.pipeline import parse_document
from kb.present import outcome_text
from kb.retrieval import header_row

GROUPED_MD = """# 华中两省小微企业典型案例选编（合成测试材料）

说明：本选编为合成测试材料，企业与数据均为虚构。

## 一、河南省

### （一）禹州市钧瓷坊陶瓷有限公司

【问题】窑变成品率低，仅为62%。

【措施】建立烧成曲线记录制度，开展窑工技能培训。

【成效】成品率由62%提升至80%。

### （二）豫丰面业有限公司

公司位于周口市项城市，生产挂面，员工35人。

【问题】面条断条率高，客户投诉多。

【措施】引入和面加水量自动控制，制定工艺卡。

【成效】断条率由5%降至1.2%。

### （三）中原标牌制作有限公司

【问题】标牌字体脱落，返工多。

【措施】改进丝印烘烤工艺。

【成效】返工率由9%降至3%。

## 二、湖南省

### （一）浏阳市红光烟花配件有限公司

【问题】引线燃速不稳定。

【措施】建立原料批次检验制度。

【成效】燃速合格率由88%提升至97%。

### （二）醴陵市白鹭瓷业有限公司

【问题】釉面针孔多。

【措施】优化施釉工序。

【成效】优等品率由70%提升至86%。
"""


def test_place_only_headings():
    assert names_place_only("一、河南省")
    assert names_place_only("湖北省宜昌市")
    assert names_place_only("二、浙江、福建篇")
    assert not names_place_only("一、河南省郑州市：以认证贷破解融资难")
    assert not names_place_only("（一）新郑市枣乡红食品有限公司")
    assert not names_place_only("一、质量提升的主要做法")


def test_markdown_grouped_by_province_gives_one_record_per_enterprise(tmp_path: Path):
    path = tmp_path / "华中两省案例.md"
    path.write_text(GROUPED_MD, encoding="utf-8")
    cases = parse_document(path).cases
    titles = [c.title for c in cases]
    assert titles == ["禹州市钧瓷坊陶瓷有限公司", "豫丰面业有限公司", "中原标牌制作有限公司",
                      "浏阳市红光烟花配件有限公司", "醴陵市白鹭瓷业有限公司"]
    assert all(c.kind == "enterprise_case" for c in cases)
    by_title = {c.title: c for c in cases}
    # A title naming no place: the group's place, as specific as the text says within it.
    assert by_title["豫丰面业有限公司"].region.display() == "河南省周口市项城市"
    assert by_title["中原标牌制作有限公司"].region.display() == "河南省"
    assert by_title["禹州市钧瓷坊陶瓷有限公司"].region.display() == "河南省许昌市禹州市"
    assert by_title["醴陵市白鹭瓷业有限公司"].region.province == "湖南省"
    assert [(o.before, o.after) for o in by_title["豫丰面业有限公司"].outcomes] == [(5, 1.2)]
    assert "釉面针孔" in by_title["醴陵市白鹭瓷业有限公司"].problem


def _field_table_docx(path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("浙北小微企业案例汇编（合成测试材料）", style="Title")
    document.add_paragraph("编者按：本汇编为合成测试材料，企业与数据均为虚构。")
    rows = [
        [("序号", "1"), ("企业名称", "湖州市吴兴区织锦丝绸有限公司"), ("所在地区", "浙江省湖州市吴兴区"),
         ("所属行业", "丝绸织造"), ("主要问题", "织疵多，一等品率仅81%；客户退货多。"),
         ("帮扶措施", "建立织机点检制度；开展质量管理体系内审员培训。"), ("取得成效", "一等品率由81%提升至93%。")],
        [("序号", "2"), ("企业名称", "嘉兴市秀洲区恒美五金有限公司"), ("所在地区", "浙江省嘉兴市秀洲区"),
         ("所属行业", "五金制品"), ("主要问题", "电镀层附着力不稳定，投诉多。"),
         ("帮扶措施", "配置附着力测试仪，制定电镀作业指导书。"), ("取得成效", "客户投诉由每月7起降至每月1起。")],
    ]
    for table_rows in rows:
        table = document.add_table(rows=len(table_rows), cols=2)
        for r, (a, b) in enumerate(table_rows):
            table.cell(r, 0).text, table.cell(r, 1).text = a, b
    document.save(str(path))


def test_field_tables_one_after_another_are_passages_of_their_own(tmp_path: Path):
    path = tmp_path / "浙北案例.docx"
    _field_table_docx(path)
    parsed = parse_document(path)
    assert [c.title for c in parsed.cases] == ["湖州市吴兴区织锦丝绸有限公司", "嘉兴市秀洲区恒美五金有限公司"]
    case_chunks = [(c, t) for c, t in zip(parsed.chunks, parsed.tags) if c.section != ("引言",)]
    assert [c.section for c, _ in case_chunks] == [("湖州市吴兴区织锦丝绸有限公司",), ("嘉兴市秀洲区恒美五金有限公司",)]
    (silk, silk_tags), (metal, metal_tags) = case_chunks
    assert "恒美五金" not in silk.text and "织锦丝绸" not in metal.text
    assert silk.text.startswith("序号 | 1")  # the number row belongs to its own table
    assert silk_tags.regions == (("浙江省", "湖州市", "吴兴区"),)
    assert metal_tags.regions == (("浙江省", "嘉兴市", "秀洲区"),)
    # each case cites only its own passage
    assert [c.chunk_ids for c in parsed.cases] == [(silk.chunk_id,), (metal.chunk_id,)]


def test_part_dividers_are_headings_not_words_of_the_case_above(tmp_path: Path):
    path = tmp_path / "两部分材料.txt"
    path.write_text(
        "西北地区地方经验与企业案例（合成测试材料）\n\n第一部分  地方经验\n\n"
        "一、甘肃省定西市安定区：马铃薯淀粉企业抱团认证\n"
        "安定区马铃薯淀粉企业多为小作坊，缺乏检验手段。\n"
        "安定区组建专家服务队逐家诊断，组织质量管理体系培训800人次，推行一企一策。\n"
        "实施以来，获证企业由5家增加到21家。\n\n"
        "第二部分  企业案例\n\n"
        "一、宁夏回族自治区银川市西夏区塞上枸杞食品有限公司\n"
        "企业存在枸杞分级靠目测的问题，客户投诉每季度约12起。\n"
        "企业引入色选机，建立分级标准。\n"
        "实施以来，客户投诉从每季度12起减少到2起。\n", encoding="utf-8")
    cases = parse_document(path).cases
    assert len(cases) == 2
    local, firm = cases
    assert "第二部分" not in local.measures and "企业案例" not in local.measures
    # a count of what was done is a measure, not a result
    assert "培训800人次" in local.measures
    assert [(o.metric, o.before, o.after) for o in local.outcomes] == [("获证企业", 5, 21)]
    # the level stated in the problem is the before of the later result, not a result of its own
    assert [(o.before, o.after) for o in firm.outcomes] == [(12, 2)]


def test_zero_in_a_word_is_no_figure():
    assert arabic_figures("零件尺寸合格率由93%提升至99%") == "零件尺寸合格率由93%提升至99%"
    assert arabic_figures("从零起步") == "从零起步"
    assert arabic_figures("投诉由3起降至零起") == "投诉由3起降至0起"
    outs = parse_outcomes("零件尺寸合格率由93%提升至99%")
    assert [(o.before, o.after) for o in outs] == [(93, 99)]


def test_pair_in_other_units_is_shown_as_written():
    (o,) = parse_outcomes("追溯时间由2天缩短至2小时")
    assert (o.before, o.after, o.unit) == (48, 2, "小时")  # stored in one unit
    assert outcome_text(o) == "追溯时间：2天 → 2小时"  # shown as the source writes it
    (p,) = parse_outcomes("合格率由92%提升至98.5%")
    assert outcome_text(p) == "合格率：92% → 98.5%"


def test_semicolon_inside_a_table_cell_keeps_the_cell():
    text = ("主要问题 | 关键尺寸超差，客户索赔多；图纸版本管理混乱。帮扶措施 | 建立图纸受控制度；配置测量仪。"
            "取得成效 | 索赔由每年18万元降至4万元。后面的段落。")
    segments = text_segments(text)
    assert segments[0] == (("主要问题", "关键尺寸超差，客户索赔多；图纸版本管理混乱"),
                           ("帮扶措施", "建立图纸受控制度；配置测量仪"), ("取得成效", "索赔由每年18万元降至4万元"))
    assert segments[1] == "后面的段落。"


def test_header_row_is_no_answer():
    assert header_row("指标 | 帮扶前 | 帮扶后；")
    assert header_row("项目 | 2022年 | 2023年；")
    assert not header_row("返修率 | 4.2% | 1.1%；")
    assert not header_row("帮扶措施 | 建立图纸受控管理制度；")


@pytest.mark.parametrize("text, industry", [
    ("公司主要从事红枣干制和分级包装，年产红枣制品800吨。", "农副食品加工业"),
    ("公司生产预包装螺蛳粉。", "食品制造业"),
    ("公司是一家生产不锈钢保温杯的小微企业。", "金属制品业"),
    ("公司生产电动葫芦和起重机端梁。", "通用设备制造业"),
])
def test_trades_recognised(text, industry):
    assert classify_industry(text) == industry


def test_trade_words_typed():
    assert resolve_industries("红枣")[0] == "农副食品加工业"
    assert resolve_industries("起重") == ["通用设备制造业"]


def test_problem_word_inside_a_longer_word_of_the_records_is_not_off_topic(tmp_path: Path):
    """"胖听" is written only inside 胖听率 (one word to the tokenizer): the case that states it is listed."""
    from kb import KBConfig, KnowledgeBase

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "罐头案例.md").write_text(
        "# 罐头企业质量提升案例汇编（合成测试材料）\n\n## 案例一 漳浦县海晟罐头食品有限公司\n\n"
        "【问题】杀菌记录不全，胖听率偏高。\n\n【措施】建立杀菌工艺记录和复核制度。\n\n【成效】胖听率由1.1%降至0.2%。\n\n"
        "## 案例二 安溪县茗香茶业有限公司\n\n【问题】农残控制靠经验。\n\n【措施】建立茶园用药档案。\n\n"
        "【成效】农残检测合格率由90%提升至99%。\n", encoding="utf-8")
    kb = KnowledgeBase(KBConfig(home=tmp_path, model="hash-bigram-64", backend="local"))
    assert not kb.ingest().failed
    hits = kb.cases(problem="胖听", top_k=1)
    assert [h.case.title for h in hits] == ["漳浦县海晟罐头食品有限公司"]
    assert not hits[0].weak
    assert not kb.trade_notes(None, [], problem="胖听")
