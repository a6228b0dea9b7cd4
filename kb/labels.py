"""The labels that name the parts of a case write-up (概况/问题/做法/成效): "存在问题：…", "【做法】",
"（二）主要做法".

Kept apart (it imports nothing) so that the cleaning, which must not join a heading line with the
labelled line under it, and the structure and the case extraction read labels alike.
"""

from __future__ import annotations

import re

PARTS = ("profile", "problem", "measures", "outcomes")
PART_LABELS = {
    "profile": r"(?:企业|项目|单位|公司|合作社|地方|区域|产业)?(?:基本)?(?:情况|概况|简介|背景)(?:介绍)?|(?:企业|公司|单位)介绍",
    "problem": (r"(?:存在的?|面临的?|遇到的?)?(?:主要|突出|突出的|主要的)?(?:质量)?(?:问题|困难|难题|痛点|难点|堵点|症结|短板|瓶颈)"
                r"(?:和(?:问题|困难|挑战))?"),
    "measures": (r"(?:帮扶|主要|经验|具体|典型|改进|提升|创新|工作|整改|应对|解决)?(?:做法|措施|举措|对策|办法)(?:和经验|与经验)?"
                 r"|(?:主要)?经验做法|(?:解决|改进|整改|帮扶)(?:方案|过程|路径)"
                 # everyday labels (a tester's synthetic collection: **怎么做的**：…)
                 r"|(?:是)?(?:怎么|怎样|咋|如何)(?:做|干|改|解决)的?|做了(?:什么|哪些|啥)"),
    "outcomes": (r"(?:取得的?|工作|主要|帮扶|实施|提升|改进|整改)?(?:成效|成果|效果|效益|成绩|实效)(?:和经验)?"
                 r"|效果(?:怎么样|如何)|有(?:什么|啥|哪些)变化"),
}
ANY_LABEL = "|".join(f"(?:{v})" for v in PART_LABELS.values())
LABEL_NUMBER = r"(?:[●•▪◆■◇○◦]\s*)?(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、])?\s*"
BRACKET_LABEL = re.compile(rf"[【\[〔](?:{ANY_LABEL})[】\]〕]")


# A part label a line starts with: "存在问题：…", "【做法】…", "（二）成效：…", "问题 | …" (a table row).
INLINE_LABEL = re.compile(
    rf"^{LABEL_NUMBER}(?:[【\[〔](?P<bracket>{ANY_LABEL})[】\]〕]\s*[：:]?|(?P<label>{ANY_LABEL})\s*[：:|])\s*")

# A field of a case's fact sheet that names no part: whose case it is, where, in which trade
# ("企业名称：某公司", "所在地区：某市某县", "所属行业：纺织业").
FIELD_LABEL = (r"(?:企业|单位|案例|项目|公司)?名称|(?:所在|所属)(?:地区|地|区域|县区|区县|市县)|所在地|地区"
               r"|(?:所属|所在)?行业(?:类别|分类|门类|领域)?")

# A numbered list item that is a labelled line of a case, not a heading: "1. 企业名称：某公司",
# "4、存在问题：返修率高…", "（2）主要做法：…" (a label, a colon and something after it). A numbered
# label alone ("4. 存在问题：") is still a part heading.
LABELLED_ITEM = re.compile(
    rf"^(?:\d{{1,2}}[.．、](?!\d)|[（(]\d{{1,2}}[)）])\s*(?:{ANY_LABEL}|{FIELD_LABEL})\s*[：:]\s*\S")


def label_part(label: str) -> str:
    """The part a label names ("帮扶措施" → measures)."""
    return next(p for p, pattern in PART_LABELS.items() if re.fullmatch(pattern, label))


# A label with a colon inside a paragraph: after a sentence's end it opens the sentence; elsewhere it
# may be run on where a scan's OCR lost the full stop before it ("…出口订单多次被索赔帮扶措施：对刷胶…").
_LABEL_IN_TEXT = re.compile(rf"(?P<label>{ANY_LABEL})\s*[：:](?=\S)")
_SENTENCE_END = "。！？；!?;"
# Words that make the label an object of the sentence ("企业的主要做法：", "总结了经验做法：").
_OBJECT_BEFORE = "的了和与及等之对在有无为是其把将被"


def strong_label(label: str) -> bool:
    """Whether a part label is a write-up's label rather than a word of prose: a qualified name of a part
    ("帮扶措施", "取得成效", "存在问题", "主要做法"), not a bare "问题" or "质量问题"."""
    return len(label) >= 4 and not label.startswith("质量")


def run_on_label(text: str, part: str | None, start: int = 0) -> tuple[re.Match, str] | None:
    """The first strong label in ``text`` from ``start`` run on without a full stop before it that opens
    a later part than the one the text is in there, with that part: "存在问题：…被索赔帮扶措施：…" →
    ("帮扶措施：", "problem"). ``part`` is the part at ``start``; a label that opens a sentence moves it on.
    Only a later part: a write-up goes 概况, 问题, 做法, 成效, and a label of the part the text is in, or
    an earlier one, is more likely a word of the text ("帮扶措施：…发现存在问题：一是…")."""
    for m in _LABEL_IN_TEXT.finditer(text, start):
        before = text[m.start() - 1] if m.start() else "。"
        if before in _SENTENCE_END:
            part = label_part(m["label"])
        elif (before not in _OBJECT_BEFORE and strong_label(m["label"]) and part is not None
              and PARTS.index(label_part(m["label"])) > PARTS.index(part)):
            return m, part
    return None


# A news article's dateline or byline, a line of its own between the headline and the story: who
# wrote or sent it, not a part of the case ("（本报讯）记者 陈晓 通讯员 林斌", "（本报讯）",
# "某县市场监管局供稿", "来源：某市市场监管局", "文/张三 图/李四").
_REPORTER = r"特约记者|见习记者|记者|通讯员|实习生"
_BYLINE = re.compile(
    r"^[（(【\[〔]\s*(?:本[报刊台网站]|[\u4e00-\u9fff]{1,10}?)讯\s*[）)】\]〕]"
    r"|^本[报刊台网站]讯"
    r"|(?:^|\s)(?:特约记者|见习记者|记者|通讯员|实习生|撰稿人?|作者|摄影?|责任编辑|责编|编辑|审核|来源|供稿|文|图)"
    r"\s*[：:/／]\s*\S"
    rf"|(?:^|\s|[）)】〕])(?:{_REPORTER})\s*[\u4e00-\u9fff]{{2,4}}?(?=\s|$|[，,、]|{_REPORTER})"
    r"|(?:供稿|撰稿|报送|供图)\s*[）)]?$")
_BYLINE_MAX = 50


def is_byline(text: str) -> bool:
    """Whether ``text`` (one line) is a news article's dateline or byline: short, no sentence of its
    own (no comma or full stop), naming the paper's news service ("（本报讯）"), a reporter
    ("记者 陈晓"), or who sent the article ("某县市场监管局供稿")."""
    t = text.strip()
    return (0 < len(t) <= _BYLINE_MAX and re.search(r"[，。！？；,;!?]", t) is None
            and _BYLINE.search(t) is not None)
