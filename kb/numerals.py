"""Figures written in Chinese numerals, rewritten with Arabic digits for the outcome parser.

Case write-ups often state results in words: "客户投诉由每年十二起降至三起", "由百分之八降至
百分之二", "下降了三成", "出口额翻了一番", "投诉减少了一半", "新增获证企业四十二家".
:func:`arabic_figures` rewrites such figures as the parser reads Arabic ones ("由每年12起降至
3起", "由8%降至2%", "下降了30%", "增长了100%", "减少了50%", "42家") and leaves every
punctuation mark where it was, so clause ``k`` of the result is clause ``k`` of the input and
the original wording can be quoted as evidence.

Only figures that cannot be read otherwise are rewritten: a numeral right before a unit of
measure (not a lone 一, which is mostly a word: 一次合格率, 一批企业, 统一), 百分之…, N成 at
the end of a clause, 翻番 and 一半 after a verb of change; numerals inside a place name
(七台河市, 五家渠市) stay as they are.
"""

from __future__ import annotations

import re

from .regions import region_spans

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}
_NUM = "零〇一二两三四五六七八九十百千"
_FRACTION = "零〇一二三四五六七八九"
# Units a count or a quantity is stated in (those of the outcome parser, less 分, which
# makes 十分 "very", and 个 alone, which makes 两个维护 a slogan).
_UNITS = ("个百分点|个月|个季度|元|美元|家|人次|人|项|户|次|倍|吨|件|场|份|篇|名|亩|台|套|批次|批|种|"
          "分钟|起|天|小时|周|例|条|处|单|箱|辆|公斤|千克|克|平方米|米|千瓦时")
_CHANGE_UP = "增长|增加|提升|提高|上升|扩大"
_CHANGE_DOWN = "下降|降低|减少|缩短|缩减|压缩|减"

_PERCENT = re.compile(rf"百分之(?P<num>[{_NUM}]+(?:点[{_FRACTION}]+)?)")
_BEFORE_UNIT = re.compile(
    rf"(?<![第数几{_NUM}])(?P<num>[{_NUM}]+(?:点[{_FRACTION}]+)?)(?=(?:余|多)?(?:万|亿)?(?:余|多)?(?:{_UNITS}))")
# "三成" = 30%, only where a clause ends or a qualifier follows (三成企业 describes, 一成不变 is a word).
_TENTHS = re.compile(rf"(?<![第{_NUM}])(?P<num>[一二两三四五六七八九十])成(?=以上|左右|多|[，,；;。！？!?、）)\s]|$)")
# "翻了一番" = +100%, "翻两番" = ×4 = +300%, "实现翻番" = +100%.
_DOUBLED = re.compile(r"翻了?(?:(?P<num>[一二两三四])番|番)")
_HALF = re.compile(rf"(?P<verb>{_CHANGE_UP}|{_CHANGE_DOWN})(?P<mid>了?(?:近|约|超过)?)一半")


def chinese_number(text: str) -> float | None:
    """The value of a Chinese numeral ("四十二" → 42, "十二" → 12, "两" → 2, "十五点五" → 15.5,
    "一百零五" → 105), or None if ``text`` is not one."""
    whole, _, fraction = text.partition("点")
    if not whole or any(c not in _DIGITS and c not in _POWERS for c in whole):
        return None
    total, digit = 0, None
    for c in whole:
        if c in _DIGITS:
            if digit is not None and _DIGITS[c] != 0:  # "一二" is not a number
                return None
            digit = _DIGITS[c] if _DIGITS[c] != 0 else None
        else:
            total += (1 if digit is None else digit) * _POWERS[c]
            digit = None
    total += digit or 0
    if fraction:
        if any(c not in _FRACTION for c in fraction):
            return None
        return float(f"{total}.{''.join(str(_DIGITS[c]) for c in fraction)}")
    return float(total)


def _digits(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


# What makes a lone 零 a word rather than a zero: 零件 (a part), 零起点/零起步 (from scratch).
_ZERO_WORD = re.compile(r"件|起[点步]")


def arabic_figures(text: str) -> str:
    """``text`` with its figures in Chinese numerals written in Arabic digits (see the module
    docstring); the same text when it has none."""
    if not re.search(rf"[{_NUM}]|翻", text):
        return text

    def percent(m: re.Match) -> str:
        value = chinese_number(m["num"])
        return f"{_digits(value)}%" if value is not None else m[0]

    def tenths(m: re.Match) -> str:
        value = chinese_number(m["num"])
        return f"{_digits(value * 10)}%" if value is not None else m[0]

    def doubled(m: re.Match) -> str:
        times = chinese_number(m["num"]) if m["num"] else 1
        return f"增长{_digits(2 ** times * 100 - 100)}%"

    text = _PERCENT.sub(percent, text)
    text = _DOUBLED.sub(doubled, text)
    text = _HALF.sub(lambda m: f"{m['verb']}{m['mid']}50%", text)
    text = _TENTHS.sub(tenths, text)
    places = [(a, b) for a, b, _ in region_spans(text)]  # 七台河市, 五家渠市

    def before_unit(m: re.Match) -> str:
        num = m["num"]
        value = chinese_number(num)
        if (value is None or num in ("一", "百", "千")  # 一次合格率, 百余家, 千家万户: words, not figures
                or num in ("零", "〇") and _ZERO_WORD.match(text, m.end())  # 零件尺寸, 零起点: words
                or any(a < m.end() and m.start() < b for a, b in places)):
            return num
        return _digits(value)

    return _BEFORE_UNIT.sub(before_unit, text)


# 前十, 前三名: a rank written in numerals, which the documents write in digits (排名前10的省份).
_TOP_N = re.compile(r"前(?P<num>[一二两三四五六七八九十]{1,3})(?![年月天日周段阵几些期夕提])")


def figure_variants(text: str) -> list[str]:
    """The figures of a question written in Chinese numerals, as the documents write them in
    digits: 前十 → 前10, 四十二家 → 42家 (:func:`arabic_figures`), for matching words. Empty when
    the question has none."""
    out = []
    for m in _TOP_N.finditer(text):
        value = chinese_number(m.group("num"))
        if value is not None:
            out.append(f"前{_digits(value)}")
    rewritten = arabic_figures(text)
    if rewritten != text:
        out.extend(w for w in re.findall(rf"\d+(?:\.\d+)?(?:%|{_UNITS})?", rewritten) if w not in text)
    return list(dict.fromkeys(out))
