"""A case collection exported from a WeChat article as plain text: emoji, bullets ("▲", "●", "✅"),
rules of box-drawing characters, cases headed "01 | 某公司" or "【案例一】…", and figures written in
brackets after their metric.

All case material here is 合成测试材料 (synthetic): the enterprises and figures are made up."""

from __future__ import annotations

from pathlib import Path

from kb.cases import parse_outcomes
from kb.numbering import heading_level
from kb.pipeline import parse_document

POST = """【合成测试材料】3家小微企业的质量提升故事

（本文为合成测试材料，企业与数据均为虚构）

👇点击上方蓝字关注我们

▲ 今天整理了3个基层案例👇

══════════

01 | 宁乡县稻香园米粉有限公司

【案例】长沙市宁乡市 · 米粉

● 企业情况：生产湿米粉，员工40余人
● 遇到的难题：保质期短，夏天易酸败😣
（夏季退货批次每月6批）

✅ 怎么做的：
▲ 按HACCP梳理杀菌工序
▲ 车间分区管理
▲ 培训内审员5人

✅ 效果怎么样：
退货批次（由每月6批降至1批）
客户投诉（由20起降至6起）👍

══════════

02 | 德化县瓷韵陶瓷制品厂

【案例】泉州市德化县 · 日用陶瓷

● 企业情况：日用瓷杯碗加工
● 遇到的难题：釉面针孔多
（一次烧成合格率81%）

✅ 怎么做的：
▲ 制定釉料配比作业卡
▲ 窑炉温度曲线每日记录

✅ 效果怎么样：
一次烧成合格率（由81%提高到93%）

══════════

03 | 镇平县玉缘首饰加工有限公司

【案例】南阳市镇平县 · 玉器加工

● 企业情况：玉器首饰来料加工
● 遇到的难题：尺寸不一，返工多（返工率10%）

✅ 怎么做的：
▲ 统一量具并定期校准

✅ 效果怎么样：
返工率（由10%降至3%）🎉

══════════

✅ 以上就是今天分享的案例，欢迎转发！
"""


def test_bar_numbered_and_bracketed_case_lines_are_headings():
    assert heading_level("01 | 某某食品有限公司") == 1
    assert heading_level("3｜某县：抱团建体系") == 1
    assert heading_level("【案例二】某县：检测前移") == 1
    # a table row with a serial number is no heading, nor is a bar between figures
    assert heading_level("1 | 某公司 | 浙江省；") is None
    assert heading_level("12 | 30") is None
    # "【案例】某市某县 · 行业" names no case by number: a line of the case above
    assert heading_level("【案例】某市某县 · 糕点") is None


def test_wechat_post_gives_one_enterprise_case_per_numbered_heading(tmp_path: Path):
    path = tmp_path / "公众号推文.txt"
    path.write_text(POST, encoding="utf-8")
    cases = parse_document(path).cases
    by_title = {c.title: c for c in cases}
    assert set(by_title) == {"宁乡县稻香园米粉有限公司", "德化县瓷韵陶瓷制品厂", "镇平县玉缘首饰加工有限公司"}
    assert all(c.kind == "enterprise_case" for c in cases)
    dehua = by_title["德化县瓷韵陶瓷制品厂"]
    assert (dehua.region.province, dehua.region.city, dehua.region.county) == ("福建省", "泉州市", "德化县")
    zhenping = by_title["镇平县玉缘首饰加工有限公司"]
    assert zhenping.region.county == "镇平县"
    rice = by_title["宁乡县稻香园米粉有限公司"]
    # bullets and emoji are layout: not in the text, and each bulleted item is a measure of its own
    for c in cases:
        assert not any(ch in c.text for ch in "▲●✅😣👍🎉═")
    assert rice.measures.split("；") == ["按HACCP梳理杀菌工序", "车间分区管理", "培训内审员5人"]
    assert "保质期短" in rice.problem
    metrics = {o.metric: (o.before, o.after) for o in rice.outcomes}
    assert metrics == {"退货批次": (6.0, 1.0), "客户投诉": (20.0, 6.0)}


def test_metric_before_a_bracketed_figure_has_no_bracket():
    outs = parse_outcomes("一次合格率（由90%提高至97%）单位产品能耗（下降15%）")
    names = [o.metric for o in outs]
    assert names[0] == "一次合格率"
    assert all("（" not in n and "）" not in n for n in names)
    # a bracket the metric itself closes stays ("合格率（出厂）")
    assert parse_outcomes("产品合格率（出厂）由90%提高至97%")[0].metric.startswith("产品合格率（出厂）")
