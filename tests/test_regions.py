"""County-level divisions renamed or created after cpca's table (kb/data/region_changes.tsv)."""

from __future__ import annotations

import csv
import re

import pytest

from kb.records import Region
from kb.regions import CHANGES_PATH, adcodes_path, find_region, find_regions, region_changes, region_matches


def test_renamed_counties_are_found_by_their_new_name():
    assert find_regions("成都市郫都区的企业") == [Region("四川省", "成都市", "郫都区")]
    assert find_regions("广西横州市茉莉花") == [Region("广西壮族自治区", "南宁市", "横州市")]
    assert find_region("重庆武隆区") == Region("重庆市", None, "武隆区")  # a municipality's district: no city
    assert find_region("深圳光明区") == Region("广东省", "深圳市", "光明区")  # a new district, no old name
    assert find_region("河南省许昌市建安区某假发企业") == Region("河南省", "许昌市", "建安区")  # 许昌县 until 2017
    assert find_region("（一）广西横州：某茶业有限公司") == Region("广西壮族自治区", "南宁市", "横州市")  # short, after its province
    assert region_matches(Region("四川省", "成都市", "郫都区"), "成都")
    assert find_region("鹰潭市余江区眼镜产业园") == Region("江西省", "鹰潭市", "余江区")  # 余江县 until 2018
    assert find_region("邯郸市永年区某紧固件企业") == Region("河北省", "邯郸市", "永年区")  # 永年县 until 2016


def test_old_names_keep_working_and_places_already_present_are_unchanged():
    assert find_regions("成都郫县") == [Region("四川省", "成都市", "郫县")]
    assert find_regions("广西横县茉莉花") == [Region("广西壮族自治区", "南宁市", "横县")]
    # the short form of a renamed county stays with its old name: 福建沙县 is still 沙县
    assert find_region("福建沙县小吃产业") == Region("福建省", "三明市", "沙县")
    assert find_region("浙江绍兴上虞区") == Region("浙江省", "绍兴市", "上虞区")
    assert find_region("江苏南通") == Region("江苏省", "南通市")
    assert find_region("莱芜") == Region("山东省", "莱芜市")


def test_change_file_format():
    text = CHANGES_PATH.read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    assert header.split("\t") == ["name", "adcode", "parent", "old_name", "year", "note"]
    with open(adcodes_path(), encoding="utf-8") as fh:
        cpca = {r["adcode"]: r["name"] for r in csv.DictReader(fh)}
    counties = {name for code, name in cpca.items() if code[4:] != "0" * 8}
    rows = region_changes()
    assert rows
    for row in rows:
        assert all(row[k] is not None for k in ("name", "adcode", "parent", "old_name", "year", "note")), row
        assert row["name"] not in counties, row  # only what cpca lacks
        assert re.fullmatch(r"\d{4}0{8}", row["parent"]) and row["parent"] in cpca, row
        assert row["adcode"] == "" or (re.fullmatch(r"\d{6}0{6}", row["adcode"])
                                       and row["adcode"][:2] == row["parent"][:2] and row["adcode"] not in cpca), row
        assert row["old_name"] in counties or (row["old_name"] == "" and row["adcode"]), row
        assert 2016 <= int(row["year"]) <= 2025 and row["note"].strip(), row


def test_a_renamed_county_matches_under_either_name():
    from kb.regions import region_matcher, same_county

    assert region_matcher("三明沙县区")(Region("福建省", "三明市", "沙县"))
    assert region_matcher("福建沙县")(Region("福建省", "三明市", "沙县区"))
    assert region_matcher("成都郫县")(Region("四川省", "成都市", "郫都区"))
    assert not region_matcher("成都郫县")(Region("四川省", "成都市", "双流区"))
    # a county whose city changed with it: 莱芜市莱城区 became 济南市莱芜区 in 2019
    assert region_matcher("济南市莱芜区")(Region("山东省", "莱芜市", "莱城区"))
    assert region_matcher("莱芜市莱城区")(Region("山东省", "济南市", "莱芜区"))
    assert region_matcher("济南市莱芜区")(Region("山东省", "济南市", "莱芜区"))
    assert not region_matcher("济南市莱芜区")(Region("山东省", "济南市", "历下区"))
    assert not region_matcher("济南市")(Region("山东省", "莱芜市", "莱城区"))  # a city is not renamed
    assert not same_county("浙江省", "德清县", None) and not region_matcher("湖州市德清县")(Region("浙江省", "湖州市"))
    assert same_county("四川省", "郫都区", "郫县") and not same_county("福建省", "郫都区", "郫县")


def test_provinces_named_by_joined_one_character_names():
    from kb.regions import abbreviated_provinces

    assert abbreviated_provinces("开展桂港合作") == {"广西壮族自治区", "香港特别行政区"}
    assert abbreviated_provinces("长三角沪苏浙皖一体化") == {"上海市", "江苏省", "浙江省", "安徽省"}
    assert abbreviated_provinces("辽宁省和宁夏的企业") == set()  # 辽宁 is spelled out, not 辽 + 宁夏
    assert abbreviated_provinces("吉林省青川县") == set() and abbreviated_provinces("质量提升") == set()
    for text in ("迈上新台阶", "新晋企业", "苏宁易购", "新港区", "澳新银行", "藏青色", "新青年"):
        assert abbreviated_provinces(text) == set(), text
    assert abbreviated_provinces("川渝地区") == {"四川省", "重庆市"}


def test_each_renamed_county_name_is_unique_in_its_province():
    """Renames are looked up by (province, county name) and a filter on one matches the other under
    any city (济南市莱芜区 ↔ 莱芜市莱城区): a name that two cities of a province share (山西 城区)
    would make one match the other's rename, so neither side of a rename may be such a name."""
    from kb.regions import _places

    counts: dict[tuple[str, str], int] = {}
    for p in _places():
        if p.level == 3:
            counts[(p.province, p.name)] = counts.get((p.province, p.name), 0) + 1
    for row in region_changes():
        province = next(p.name for p in _places() if p.level == 1 and p.code[:2] == row["parent"][:2])
        for name in (row["name"], row["old_name"]):
            if name:
                assert counts.get((province, name), 0) <= 1, (province, name)


@pytest.mark.parametrize("query", ["省", "市", "区", "自治区", "特别行政区", "江"])
def test_division_words_and_single_characters_are_not_places(query):
    """--region 省 matched 66 of 69 cases by substring with no note; division words alone and
    single characters that abbreviate no province are now unknown (a note, an empty list)."""
    from kb.regions import is_known_region, region_matcher

    assert not is_known_region(query)
    matches = region_matcher(query)
    assert not matches(Region("江苏省", "南通市")) and not matches(Region("广西壮族自治区"))


@pytest.mark.parametrize("abbr, province, other", [("苏", "江苏省", "浙江省"), ("沪", "上海市", "江苏省"),
                                                   ("粤", "广东省", "广西壮族自治区"), ("新", "新疆维吾尔自治区", "四川省")])
def test_one_character_province_abbreviations_work_as_filters(abbr, province, other):
    from kb.regions import is_known_region, region_matcher

    assert is_known_region(abbr)
    assert region_matcher(abbr)(Region(province)) and not region_matcher(abbr)(Region(other))


def test_a_two_character_part_of_a_name_still_matches_by_substring():
    from kb.regions import is_known_region, region_matcher

    assert is_known_region("壮族") and region_matcher("壮族")(Region("广西壮族自治区"))
    assert not region_matcher("壮族")(Region("江苏省"))


@pytest.mark.parametrize("text, region", [
    ("鹰潭市余江区某光学公司", Region("江西省", "鹰潭市", "余江区")),  # 余江县 until 2018
    ("余江区某光学公司", Region("江西省", "鹰潭市", "余江区")),
    ("邯郸市永年区恒固紧固件有限公司", Region("河北省", "邯郸市", "永年区")),  # 永年县 until 2016
    ("邯郸市肥乡区", Region("河北省", "邯郸市", "肥乡区")),
    ("宁波市奉化区", Region("浙江省", "宁波市", "奉化区")),
    ("西安市鄠邑区", Region("陕西省", "西安市", "鄠邑区")),
    ("大同市云州区", Region("山西省", "大同市", "云州区")),
    ("邢台市任泽区、南和区", Region("河北省", "邢台市", "任泽区")),
    ("芜湖市湾沚区", Region("安徽省", "芜湖市", "湾沚区")),
    ("芜湖市繁昌区", Region("安徽省", "芜湖市", "繁昌区")),
    ("福建省漳州市龙海区某食品厂", Region("福建省", "漳州市", "龙海区")),  # 龙海市 until 2021
    ("漳州市长泰区", Region("福建省", "漳州市", "长泰区")),  # 长泰县 until 2021
])
def test_districts_made_from_counties_after_2016_keep_their_new_name(text, region):
    """A tester's 余江区 and 永年区 were stored as 余江县 and 永年县 (the old names of cpca's table)
    and --region 余江区 was "未识别的地区"; both names now find the place, either way round."""
    from kb.regions import is_known_region, region_matcher

    assert find_region(text) == region
    assert is_known_region(region.county)
    old = next(r["old_name"] for r in region_changes() if r["name"] == region.county)
    assert region_matcher(region.county)(Region(region.province, region.city, old))
    assert region_matcher(region.city + old)(region)  # 户县, 任县 alone need their city
