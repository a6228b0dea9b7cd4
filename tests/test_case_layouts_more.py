"""Case collections in more layouts real Chinese collections use. Every snippet here is SYNTHETIC
(made up for the test: enterprises and figures are invented, places are real), short, and written
under ``tmp_path`` only."""

from __future__ import annotations

from pathlib import Path

import docx

from kb.pipeline import parse_document


def _table_docx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    d = docx.Document()
    d.add_paragraph("合成测试材料 优良案例一览表")
    d.add_paragraph("以下为各地推荐的优良案例，每行一个案例。")
    t = d.add_table(rows=1, cols=len(header))
    for k, h in enumerate(header):
        t.rows[0].cells[k].text = h
    for row in rows:
        cells = t.add_row().cells
        for k, v in enumerate(row):
            cells[k].text = v
    d.save(str(path))
    return path


_ROWS = [["合肥某汽车零部件有限公司", "安徽省合肥市肥西县", "汽车零部件", "冲压件尺寸超差", "建立统计过程控制",
          "焊点不良率由2.1%降至0.4%"],
         ["五常市某米业有限公司", "黑龙江省哈尔滨市五常市", "大米加工", "碎米率高", "更新色选机", "碎米率从11%降至4.5%"]]


def test_table_with_one_case_per_row(tmp_path):
    """Synthetic: 序号 | 企业名称 | 所在地 | 行业 | 主要问题 | 改进措施 | 成效, one case per row."""
    header = ["序号", "企业名称", "所在地", "行业", "主要问题", "改进措施", "成效"]
    path = _table_docx(tmp_path / "一览表.docx", header, [[str(k), *r] for k, r in enumerate(_ROWS, start=1)])
    cases = parse_document(path).cases
    assert [c.title for c in cases] == ["合肥某汽车零部件有限公司", "五常市某米业有限公司"]
    first, second = cases
    assert first.kind == "enterprise_case"
    assert (first.region.province, first.region.city, first.region.county) == ("安徽省", "合肥市", "肥西县")
    assert second.region.county == "五常市"
    assert first.industry == "汽车制造业" and second.industry == "农副食品加工业"
    assert first.problem == "冲压件尺寸超差" and first.measures == "建立统计过程控制"
    [o] = first.outcomes
    assert (o.metric, o.before, o.after, o.unit) == ("焊点不良率", 2.1, 0.4, "%")


def test_table_with_one_case_per_row_without_number_column(tmp_path):
    """Synthetic: the same table without 序号; titles are the names, not the raw rows."""
    header = ["企业名称", "所在地", "行业", "主要问题", "改进措施", "成效"]
    cases = parse_document(_table_docx(tmp_path / "一览表.docx", header, _ROWS)).cases
    assert [c.title for c in cases] == ["合肥某汽车零部件有限公司", "五常市某米业有限公司"]
    assert [c.problem for c in cases] == ["冲压件尺寸超差", "碎米率高"]
    assert cases[1].outcomes[0].after == 4.5


def test_list_of_enterprises_with_results_is_no_case_table(tmp_path):
    """Synthetic: a name list with only a results column (帮扶企业名单) gives no case per row."""
    header = ["序号", "企业名称", "所在地", "帮扶成效"]
    rows = [["1", "宜昌某罐头食品厂", "湖北省宜昌市夷陵区", "抽检合格率由90%提升到99%"],
            ["2", "定西某淀粉有限公司", "甘肃省定西市安定区", "吨产品加工成本下降6%"]]
    cases = parse_document(_table_docx(tmp_path / "名单.docx", header, rows)).cases
    assert all(c.title not in ("宜昌某罐头食品厂", "定西某淀粉有限公司") for c in cases)


def test_word_heading_titles_with_parts_numbered_like_top_level_headings(tmp_path):
    """Synthetic: two case titles in Heading 2, each over bold "一、基本情况 … 四、取得成效" paragraphs:
    two cases, the parts nested under each title (not one case titled by the document)."""
    d = docx.Document()
    d.add_heading("合成测试材料 企业案例汇编", 0)
    for name, place in [("佛山市顺德区某电器有限公司：从靠检验到靠过程", "广东省佛山市顺德区"),
                        ("成都市郫都区某调味品有限公司：老作坊走上标准化之路", "四川省成都市郫都区")]:
        d.add_heading(name, 2)
        for head, text in zip(["一、基本情况", "二、存在问题", "三、主要做法", "四、取得成效"],
                              [f"公司位于{place}。", "售后返修率达到2.6%。", "建立首件检验制度。", "售后返修率由2.6%降至0.9%。"]):
            d.add_paragraph().add_run(head).bold = True
            d.add_paragraph(text)
    path = tmp_path / "汇编.docx"
    d.save(str(path))
    cases = parse_document(path).cases
    assert [c.title for c in cases] == ["佛山市顺德区某电器有限公司：从靠检验到靠过程",
                                        "成都市郫都区某调味品有限公司：老作坊走上标准化之路"]
    assert [c.region.county for c in cases] == ["顺德区", "郫都区"]
    assert all(c.problem == "售后返修率达到2.6%。" and c.measures == "建立首件检验制度。" for c in cases)
    assert cases[1].section == ("成都市郫都区某调味品有限公司：老作坊走上标准化之路", "一、基本情况")


_GROUPED_MD = """# 合成测试材料 经验交流材料

## 一、地方典型经验

### （一）湖北省宜昌市夷陵区：标准化破解罐头质量波动难题

罐头真空度不稳定。区局制定过程控制规范。抽检合格率由90.5%提升至98.8%。

## 二、企业优良案例

1. 湖南省长沙市宁乡市某食品有限公司：卤制品企业建起“全程追溯”

企业曾因产品胀袋问题频繁被投诉。企业建立冷链温度记录制度。产品胀袋投诉由每月20起降至每月2起。

## 三、经验交流（补充）

第一，甘肃省定西市安定区：马铃薯淀粉企业“抱团”认证

淀粉白度不稳定。安定区成立产业质量联盟。淀粉白度达标率由78%提升到95%。

## 附录：帮扶企业名单（节选）

| 序号 | 企业名称 | 所在地 | 帮扶成效 |
|---|---|---|---|
| 1 | 宜昌某罐头食品厂 | 湖北省宜昌市夷陵区 | 抽检合格率由90%提升到99% |
| 2 | 定西某淀粉有限公司 | 甘肃省定西市安定区 | 吨产品加工成本下降6% |
"""


def test_enterprise_item_under_group_heading_and_ordinal_item(tmp_path):
    """Synthetic: "1. 某公司：…" under "二、企业优良案例" is an enterprise case titled by that line;
    "第一，某地：…" is a case titled by its place line (not by the group heading); an appendix
    (附录：帮扶企业名单) is no case."""
    path = tmp_path / "经验交流材料.md"
    path.write_text(_GROUPED_MD, encoding="utf-8")
    cases = parse_document(path).cases
    assert [(c.title, c.kind) for c in cases] == [
        ("湖北省宜昌市夷陵区：标准化破解罐头质量波动难题", "local_experience"),
        ("湖南省长沙市宁乡市某食品有限公司：卤制品企业建起“全程追溯”", "enterprise_case"),
        ("甘肃省定西市安定区：马铃薯淀粉企业“抱团”认证", "local_experience")]
    enterprise, place = cases[1], cases[2]
    assert enterprise.section[0] == "二、企业优良案例" and enterprise.region.county == "宁乡市"
    assert enterprise.problem == "企业曾因产品胀袋问题频繁被投诉"
    assert "追溯" not in enterprise.problem
    assert place.measures == "安定区成立产业质量联盟" and place.problem == "淀粉白度不稳定"


def test_place_titled_cases_are_local_experiences(tmp_path):
    """Synthetic: "一、河北省沧州市泊头市：铸造企业提质" names a place before the colon: a local
    experience, though its title speaks of enterprises."""
    path = tmp_path / "案例集.md"
    path.write_text("# 合成测试材料 案例集\n\n## 一、河北省沧州市泊头市：铸造企业提质\n\n铸件废品率高。泊头市组建质量联盟。"
                    "铸件废品率由8%降至3%。\n\n## 二、四川省眉山市东坡区：泡菜企业提升\n\n泡菜亚硝酸盐含量波动。"
                    "东坡区推广恒温发酵。抽检合格率从89%提升至98.2%。\n", encoding="utf-8")
    cases = parse_document(path).cases
    assert [c.kind for c in cases] == ["local_experience", "local_experience"]
    assert cases[0].region.county == "泊头市"
