"""Figures written in Chinese numerals (synthetic sentences written for these tests)."""

from __future__ import annotations

import pytest

from kb.cases import parse_outcomes, profile_facts
from kb.numerals import arabic_figures, chinese_number


@pytest.mark.parametrize(("text", "value"), [
    ("十二", 12), ("四十二", 42), ("两", 2), ("二十五", 25), ("一百零五", 105), ("十五点五", 15.5), ("三百", 300),
])
def test_chinese_number(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["一二", "点五", "成效", ""])
def test_not_a_chinese_number(text):
    assert chinese_number(text) is None


@pytest.mark.parametrize(("text", "want"), [
    ("客户投诉由每年十二起降至三起", ("客户投诉", 12, 3, -9, "起/年")),
    ("起球等级不合格率由百分之八降至百分之二", ("起球等级不合格率", 8, 2, -6, "%")),
    ("农残超标批次下降了三成", ("农残超标批次", None, None, -30, "%")),
    ("销售收入增长三成", ("销售收入", None, None, 30, "%")),
    ("出口额翻了一番", ("出口额", None, None, 100, "%")),
    ("棉结投诉减少了一半", ("棉结投诉", None, None, -50, "%")),
    ("新增获证企业四十二家", ("新增获证企业", None, 42, None, "家")),
    ("优质品占比提高到两成", ("优质品占比", None, 20, None, "%")),
    ("产品合格率达到百分之九十五点五", ("产品合格率", None, 95.5, None, "%")),
    ("吨纱用工由二十五人降至十八人", ("吨纱用工", 25, 18, -7, "人")),
])
def test_outcomes_in_chinese_numerals_read_like_arabic_ones(text, want):
    (o,) = parse_outcomes(text + "。")
    assert (o.metric, o.before, o.after, o.change, o.unit) == want
    assert o.text == text  # the evidence is quoted as written


def test_arabic_and_chinese_numerals_give_the_same_outcomes():
    arabic = parse_outcomes("出口退货率下降了30%，新增获证企业42家，客户投诉由每年12起降至3起。")
    chinese = parse_outcomes("出口退货率下降了三成，新增获证企业四十二家，客户投诉由每年十二起降至三起。")
    assert [(o.metric, o.before, o.after, o.change, o.unit) for o in chinese] == [
        (o.metric, o.before, o.after, o.change, o.unit) for o in arabic]


@pytest.mark.parametrize("text", [
    "产品一次合格率明显提高",  # 一次 is a word
    "统一批次标准",
    "千家万户受益",
    "黑龙江省七台河市某企业",  # a numeral inside a place name
    "新疆五家渠市某企业",
    "三成企业认为融资难",  # 三成 describing, not a result
    "这一点十分重要",
])
def test_words_with_numerals_are_left_alone(text):
    assert arabic_figures(text) == text


def test_profile_facts_in_chinese_numerals():
    assert profile_facts("该企业从事枸杞分级包装，员工四十余人。") == "员工四十余人"
    assert parse_outcomes("员工四十余人。") == []


def test_figure_variants_write_a_questions_numerals_in_digits():
    from kb.numerals import figure_variants

    assert figure_variants("排名前十的省份是哪些") == ["前10"]
    assert figure_variants("新增获证企业四十二家") == ["42家"]
    assert figure_variants("百分之八十的企业满意") == ["80%"]
    # no figure, or one already in digits, or a word that only looks like one (前年, 前两年那么管用)
    for q in ("质量提升", "2023年有多少家", "前年", "前两年那么管用", "去年一共给企业免了多少费用",
              "前一段时间", "排名前十几名"):
        assert figure_variants(q) == [], q


def test_expansion_adds_the_digits():
    from kb.glossary import expand

    assert expand("排名前十的省份是哪些").endswith(" 前10")
    assert expand("质量提升") == "质量提升"
