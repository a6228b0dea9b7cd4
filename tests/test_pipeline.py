"""kb.pipeline: the kind of each passage of a case collection.

The collections here are SYNTHETIC (invented enterprises and figures), written by the tests.
"""

from __future__ import annotations

import pytest

from kb.pipeline import not_case_matter, parse_document
from kb.records import Chunk

COLLECTION = """# 合成测试材料：企业优良案例汇编

（合成测试材料，企业和数据均为虚构。）

## 前言

2024年，合成省共帮扶小微企业120家，帮扶企业获证率提高了15个百分点。

## 目录

案例1 合成市某纸箱厂 …… 1

案例2 合成县某食品厂 …… 2

## 案例1 合成市某纸箱厂

存在问题：纸箱抗压强度不稳定，客户退货率达4.5%。

帮扶措施：建立原纸进厂检验制度。

取得成效：客户退货率由4.5%降至0.8%。

## 案例2 合成县某食品厂

存在问题：产品菌落总数超标。

帮扶措施：改造洁净车间，实行批批检验。

取得成效：抽检合格率由90%提升至99%。

## 四、几点体会

一是领导重视是前提。各地把提升行动纳入考核。

## 附录：帮扶企业名单（节选）

序号 | 企业名称 | 帮扶成效

1 | 合成市某纸箱厂 | 退货率下降

## 谢谢！
"""


def test_front_and_back_matter_of_a_collection_is_no_case(tmp_path):
    path = tmp_path / "合成汇编.md"
    path.write_text(COLLECTION, encoding="utf-8")
    parsed = parse_document(path)
    assert parsed.kind == "enterprise_case" and len(parsed.cases) == 2
    kinds = {c.section[0]: c.kind for c in parsed.chunks}
    assert kinds["案例1 合成市某纸箱厂"] == kinds["案例2 合成县某食品厂"] == "enterprise_case"
    assert kinds["引言"] == "report"  # lead text no case holds: front matter
    for section in ("前言", "四、几点体会", "附录：帮扶企业名单（节选）"):
        assert kinds[section] == "report", section
    assert not any("目录" in c.text or "……" in c.text for c in parsed.chunks)


def _chunk(text: str, *section: str) -> Chunk:
    return Chunk(chunk_id="c", doc_id="d", ordinal=0, text=text, section=tuple(section), page=1, kind="enterprise_case")


@pytest.mark.parametrize("text, section, expected", [
    ("谢谢！", ("谢谢！",), True),
    ("谢谢观看", ("第 9 页",), True),
    ("感谢聆听！敬请批评指正。", ("结束",), True),
    ("谢谢观看！合成省市场监督管理局", ("谢谢观看",), True),  # a closing slide with the issuer under it
    ("目录\n案例1 合成市某纸箱厂 …… 1", ("引言",), True),  # a contents page the structure missed
    ("以上经验由各地推荐，仅供交流参考。", ("三、有关说明",), True),
    ("名单见下表。", ("附件：帮扶企业名单",), True),
    # lead text before the first heading that no case holds is front matter too
    ("编者按：本材料中的案例由各地推荐。", ("引言",), True),
    ("谢谢合作伙伴的支持，企业产值增长两成。", ("案例1 合成市某纸箱厂",), False),
    ("存在问题：纸箱抗压强度不稳定。", ("案例1 合成市某纸箱厂",), False),
    ("提升行动覆盖120家企业。", ("一、地方典型经验",), False),
])
def test_not_case_matter(text, section, expected):
    assert not_case_matter(_chunk(text, *section)) is expected
