"""Undo the damage of PDF text extraction and split Chinese text into sentences.

Input is a :class:`Document` of raw pages; output is a list of :class:`Paragraph` whose
characters each know their page. What is repaired, and why:

* wrapped lines are rejoined (a line break inside a sentence is an artefact of layout);
* page footers ("— 19 —"), stray URL lines and the attachment header ("附件 1") are dropped, and so
  is a running header or footer: the same line at the top or the bottom of most pages
  (:func:`running_lines`; "某某案例选编" above every page is layout, not text);
* decimals split by a space ("3. 7 亿元") are rejoined without touching list numbers ("1. 提升");
* spaces between Chinese and digits, and full-width digits/letters/％, are normalised;
* radical code points that PDF fonts put in place of ordinary characters ("⼀" U+2F00 for 一,
  "⻔" U+2ED4 for 门: PDFs printed by Chromium do this) are read as those characters
  (:func:`fold_radicals`).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from .labels import ANY_LABEL, FIELD_LABEL, INLINE_LABEL, label_part, run_on_label
from .loaders import PAGE_FOOTER
from .numbering import heading_level
from .records import Document

_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S*\s*$", re.I)
_URL_ANY = re.compile(r"https?://[^\s\u4e00-\u9fff，。；]+", re.I)
_ATTACHMENT = re.compile(r"^\s*附\s*件\s*[0-9０-９一二三四五六七八九十]*\s*[:：]?\s*$")
_PAGE_NO = re.compile(r"^\s*(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d{1,4})\s*$")
_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|\([一二三四五六七八九十]{1,3}\)"
    r"|\d{1,2}[.．、](?!\d)|（\d{1,2}）|[一二三四五六七八九十]是|【?案例\s*[0-9一二三四五六七八九十]+|\d{1,2}\s*[|｜丨]\s*(?=[^|｜丨\s\d])|#{1,6}\s)"
)
_SENTENCE_END = "。！？；!?;"
# A date as a cover prints it: "2024年11月", "二〇二四年十一月", "（2024年12月5日）".
DATE = (r"[（(]?(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
        r"(?:\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?[)）]?")
# A cover's issuer and date line ("某市场监管部门  2024年11月", "二〇二四年十一月"): a name without
# punctuation, then the date, and nothing else.
_COVER_DATE_LINE = re.compile(rf"[\u4e00-\u9fff（）() \t]{{0,30}}{DATE}")
_COVER_LINES = 8  # how far into a document a cover's lines may be
# A cover's issuer line without a date ("浙江省市场监督管理局", "某市质量技术协会", "嘉兴市标准化研究院",
# "某市市场监管局认证处"): a place (or 某/国家/中国/全国), then the name of an office or a body, and nothing else.
_COVER_ISSUER_LINE = re.compile(
    r"(?:某|国家|中国|全国|[\u4e00-\u9fff]{1,6}?(?:省|市|区|县|州|盟|旗))[\u4e00-\u9fff（）()]{0,24}?"
    r"(?:局|厅|委员会|办公室|协会|学会|联合会|商会|促进会|研究会|研究院|人民政府|中心|部门|单位|机构|联盟)"
    r"(?:[\u4e00-\u9fff]{1,8}?(?:司|处|科|室))?\s*(?:编印|编制|主办|印发|编)?")
# A case title on a line of its own that names a place or an enterprise before a colon, with no
# numbering: "浙江省湖州市：“认证+金融”撬动童装产业质量升级", "某某食品有限公司：…".
# A table's label cell on a line of its own: "措施", "存在问题", "企业名称", "所在地" (no colon, nothing after it).
_LABEL_CELL = re.compile(rf"(?:{ANY_LABEL}|{FIELD_LABEL})")
_SUBJECT_TITLE = re.compile(r"^[\u4e00-\u9fff]{1,16}(?:省|市|区|县|旗|州|盟|镇|公司|厂|合作社)[：:]")
# A pair of quotation marks with nothing between them: a PDF whose quotes are drawn in another font
# may give them apart from the words they enclose ("“ ”（一）江西省…：家具产业集群 抱团认证"). They
# quote nothing, and before a heading's numbering they hide that the line is a heading.
_EMPTY_QUOTES = re.compile(r"“\s*”|‘\s*’|「\s*」|『\s*』")
# The layout of a text exported from a social-media article (a WeChat post): emoji and pictographs
# anywhere ("控制不住😣", "✅ 怎么做的：", "👉 点个…"), bullets opening a line ("▲ 请专家…", "● 企业情况：…")
# and rules of box-drawing or dash characters ("━━━━━━━━━━") between its parts. None of it is text:
# an emoji left in runs into the words beside it, a bullet into the line above. A bulleted line is
# an item of its own (a new paragraph); a rule ends a paragraph like a blank line. (Stars stay inside
# a line, "（★★★★）" being a rating; dingbat circled digits "❶" are numbering.)
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u2604\u2607-\u2775\u2794-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]")
_BULLET = re.compile(r"^(?:[▲△▶►▸▷◆◇■□●○◎•▪▫◦★☆✦✧❖➤➢➜✔✓☑]|[·・](?=\s))+\s*")
_RULE_LINE = re.compile(r"[━─—═=＝\-*＊~～_·•]{3,}")
_CLOSERS = "”’」』）)】》"
_SPLIT_DECIMAL = re.compile(r"(?<![\d.])(\d{1,4})[.．]\s+(\d{1,2})(?!\d)")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# (a space between a percentage and a number stays: "留样覆盖率 20% 100%" is two table cells)
_SPACE_CJK_LEFT = re.compile(rf"(?<=[{_CJK}，。、；：！？“”（）])[ \t\u3000]+(?=[0-9A-Za-z{_CJK}“（])"
                             rf"|(?<=[％%])[ \t\u3000]+(?=[A-Za-z{_CJK}“（])")
_CASE_NUMBER_END = re.compile(r"案例[ \t]*(?:\d{1,3}|[一二三四五六七八九十]{1,3})$")


def _after_case_number(text: str, end: int) -> bool:
    """Whether ``text[:end]`` ends in a case's number ("案例1", "案例十二", not "见案例2"): only the last few
    characters are looked at, so a long page stays linear."""
    m = _CASE_NUMBER_END.search(text, max(0, end - 8), end)
    return m is not None and (m.start() == 0 or text[m.start() - 1] in " \t\n：:。；")
_SPACE_CJK_RIGHT = re.compile(rf"(?<=[0-9A-Za-z%）])[ \t\u3000]+(?=[{_CJK}％%，。、；：！？”）])")
# Full-width forms that are safe to fold: digits, Latin letters and a few symbols.
_FOLD = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９％＋－．／＝＜＞＆＠＃"}
_FOLD.update({ord(c): ord(c) - 0xFEE0 for c in "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"})
_FOLD.update({ord(c): ord(c) - 0xFEE0 for c in "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"})
_FOLD[0x3000] = 0x20

# Radicals in place of characters. A CJK font draws "一" and the Kangxi radical "⼀" (U+2F00) with
# one glyph; a PDF writer that maps glyphs back to text (Chromium's "Save as PDF") may then write
# the radical, which looks the same but matches nothing in a search. Kangxi radicals (U+2F00–U+2FD5)
# and CJK compatibility ideographs (U+F900–U+FAFF) have compatibility decompositions (NFKC), used
# character by character: NFKC of the whole text would also turn "，" into ",". Three Kangxi
# radicals decompose to a variant code point where simplified Chinese writes another one.
_KANGXI_SIMPLIFIED = {
    0x2F3E: "户",  # KANGXI RADICAL DOOR → 戶 U+6236 by NFKC; simplified text writes 户 U+6237
    0x2FAD: "青",  # KANGXI RADICAL BLUE → 靑 U+9751; simplified text writes 青 U+9752
    0x2FC8: "黄",  # KANGXI RADICAL YELLOW → 黃 U+9EC3; simplified text writes 黄 U+9EC4
}
# The CJK Radicals Supplement (U+2E80–U+2EF3) has no decompositions. Its simplified forms and
# full-character forms share a glyph with a character used in running text (as the names say:
# "CJK RADICAL C-SIMPLIFIED GATE" is 门); its component forms (亻 氵 艹 …) map to the unified
# ideograph of the same form. Bound forms that stand for no one character (⺌ of 当, ⺼ drawn like
# 月 but meaning 肉) are left alone.
RADICAL_SUPPLEMENT = {
    0x2E85: "亻",  # CJK RADICAL PERSON
    0x2E89: "刂",  # CJK RADICAL KNIFE TWO
    0x2E96: "忄",  # CJK RADICAL HEART ONE
    0x2E98: "扌",  # CJK RADICAL HAND
    0x2E9F: "母",  # CJK RADICAL MOTHER (also NFKC)
    0x2EA0: "民",  # CJK RADICAL CIVILIAN
    0x2EA1: "氵",  # CJK RADICAL WATER ONE
    0x2EA8: "犭",  # CJK RADICAL DOG
    0x2EB0: "纟",  # CJK RADICAL C-SIMPLIFIED SILK
    0x2EBE: "艹",  # CJK RADICAL GRASS ONE
    0x2EC1: "虎",  # CJK RADICAL TIGER
    0x2EC4: "西",  # CJK RADICAL WEST TWO
    0x2EC5: "见",  # CJK RADICAL C-SIMPLIFIED SEE
    0x2EC6: "角",  # CJK RADICAL SIMPLIFIED HORN
    0x2EC8: "讠",  # CJK RADICAL C-SIMPLIFIED SPEECH
    0x2EC9: "贝",  # CJK RADICAL C-SIMPLIFIED SHELL
    0x2ECB: "车",  # CJK RADICAL C-SIMPLIFIED CART
    0x2ECC: "辶",  # CJK RADICAL SIMPLIFIED WALK
    0x2ECF: "阝",  # CJK RADICAL CITY
    0x2ED0: "钅",  # CJK RADICAL C-SIMPLIFIED GOLD
    0x2ED1: "長",  # CJK RADICAL LONG ONE
    0x2ED3: "长",  # CJK RADICAL C-SIMPLIFIED LONG
    0x2ED4: "门",  # CJK RADICAL C-SIMPLIFIED GATE
    0x2ED6: "阝",  # CJK RADICAL MOUND TWO
    0x2ED8: "青",  # CJK RADICAL BLUE
    0x2ED9: "韦",  # CJK RADICAL C-SIMPLIFIED TANNED LEATHER
    0x2EDA: "页",  # CJK RADICAL C-SIMPLIFIED LEAF
    0x2EDB: "风",  # CJK RADICAL C-SIMPLIFIED WIND
    0x2EDC: "飞",  # CJK RADICAL C-SIMPLIFIED FLY
    0x2EDD: "食",  # CJK RADICAL EAT ONE
    0x2EE0: "饣",  # CJK RADICAL C-SIMPLIFIED EAT
    0x2EE2: "马",  # CJK RADICAL C-SIMPLIFIED HORSE
    0x2EE3: "骨",  # CJK RADICAL BONE
    0x2EE4: "鬼",  # CJK RADICAL GHOST
    0x2EE5: "鱼",  # CJK RADICAL C-SIMPLIFIED FISH
    0x2EE6: "鸟",  # CJK RADICAL C-SIMPLIFIED BIRD
    0x2EE7: "卤",  # CJK RADICAL C-SIMPLIFIED SALT
    0x2EE8: "麦",  # CJK RADICAL SIMPLIFIED WHEAT
    0x2EE9: "黄",  # CJK RADICAL SIMPLIFIED YELLOW
    0x2EEA: "黾",  # CJK RADICAL C-SIMPLIFIED FROG
    0x2EEC: "齐",  # CJK RADICAL C-SIMPLIFIED EVEN
    0x2EEE: "齿",  # CJK RADICAL C-SIMPLIFIED TOOTH
    0x2EF0: "龙",  # CJK RADICAL C-SIMPLIFIED DRAGON
    0x2EF3: "龟",  # CJK RADICAL C-SIMPLIFIED TURTLE (also NFKC)
}


def _radical_table() -> dict[int, str]:
    table = {}
    for lo, hi in ((0x2F00, 0x2FD5), (0xF900, 0xFAFF)):
        for cp in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if folded != chr(cp) and len(folded) == 1:
                table[cp] = folded
    return {**table, **_KANGXI_SIMPLIFIED, **RADICAL_SUPPLEMENT}


_RADICALS = _radical_table()
_HAS_RADICAL = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")


def fold_radicals(text: str) -> str:
    """Radicals and compatibility ideographs written in place of characters, as those characters:
    "（⼀）河南省某⾁制品企业：⻝品安全" → "（一）河南省某肉制品企业：食品安全"."""
    return text.translate(_RADICALS) if _HAS_RADICAL.search(text) else text


def fold_forms(text: str) -> str:
    """Radicals and the safe full-width forms (digits, Latin letters, ％ and a few symbols) folded
    as :func:`normalize_text` folds them in documents: "１４３３家" → "1433家"."""
    return fold_radicals(text).translate(_FOLD)


@dataclass(frozen=True)
class Paragraph:
    """Clean text with the page each character range starts on."""

    text: str
    page_starts: tuple[tuple[int, int | None], ...]  # (char offset, page), ascending offsets

    def page_at(self, offset: int) -> int | None:
        offsets = [o for o, _ in self.page_starts]
        i = max(0, bisect_right(offsets, offset) - 1)
        return self.page_starts[i][1]


def normalize_text(text: str) -> str:
    """Fold radicals and safe full-width forms, rejoin split decimals, drop spaces next to Chinese."""
    text = fold_forms(text)
    text = _SPLIT_DECIMAL.sub(r"\1.\2", text)
    # ... but not after a case's number: "案例1 安徽省某企业：…", "案例一 以…" stay as the document writes them
    text = _SPACE_CJK_LEFT.sub(lambda m: m[0][:1] if _after_case_number(text, m.start()) else "", text)
    text = _SPACE_CJK_RIGHT.sub(lambda m: m[0][:1] if _after_case_number(text, m.start()) else "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _width(line: str) -> float:
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in line)


def _is_debris(line: str, index: int) -> bool:
    if PAGE_FOOTER.match(line) or _URL_LINE.match(line) or _PAGE_NO.match(line):
        return True
    return index < 3 and bool(_ATTACHMENT.match(line))


# A number cut by a line wrap: digits at the end of a line that run on from a word ("…合格率9", "年产量
#约12"), digits at the start of the next that run on into one ("0%。", "0万双"). Digits with a space
# on their other side are a cell or a figure of their own ("20 30" in a table row) and stay apart.
_WRAPPED_DIGITS_LEFT = re.compile(r"(?:^|[^\s\d])\d+$")
_WRAPPED_DIGITS_RIGHT = re.compile(r"\d+(?![\s\d])")


# A line is a running header or footer when it is among the first or the last few lines of a page
# (page numbers aside) on at least two pages and on this share of the pages with text.
_RUNNING_EDGE = 2
_RUNNING_SHARE = 0.4
_RUNNING_MAX = 60


def _running_key(line: str) -> str:
    """A line as a running header is compared: digits stand for any number (a page number in it)."""
    return re.sub(r"\d+", "0", re.sub(r"\s+", "", line))


def running_lines(pages: list[str]) -> set[str]:
    """The running headers and footers of a paginated document (keys of :func:`_running_key`): a line
    printed at the top or the bottom of a page (among its first or last two lines, page numbers
    aside) on at least two pages and on two pages in five. Such a line is the layout of the page,
    not its text: read as text it runs into the paragraph above and stretches its pages ("第 1–2
    页"), and on the first page into the title. Only a short phrase qualifies: not a table row of
    several cells ("序号 企业名称 所在地" repeated over a continued table), not a line of prose."""
    counts: dict[str, int] = {}
    with_text = 0
    for text in pages:
        lines = text.split("\n")
        edges = _edge_lines(lines)
        if not edges and not any(t.strip() for t in lines):
            continue
        with_text += 1
        keys = {_running_key(t) for t in (fold_radicals(lines[i]).strip() for i in edges)
                if len(t) <= _RUNNING_MAX and len(t.split()) <= 2 and re.search(r"[\u4e00-\u9fffA-Za-z]", t)
                and not re.search(r"[。；！？]$", t)}
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    if with_text < 2:
        return set()
    return {key for key, n in counts.items() if n >= 2 and n >= _RUNNING_SHARE * with_text}


def _edge_lines(lines: list[str]) -> set[int]:
    """The indexes of the first and the last two lines of a page with text, page numbers aside."""
    text = [i for i, raw in enumerate(lines) if (t := fold_radicals(raw).strip()) and not _is_debris(t, 99)]
    return set(text[:_RUNNING_EDGE] + text[-_RUNNING_EDGE:])


def _join(left: str, right: str, wrapped: bool = False) -> str:
    """``right``, the next line of a paragraph, after ``left``. Latin letters or digits on both sides of
    the break are two words ("ISO" "9001"), except digits in a ``wrapped`` line (one filled to the
    column, not a short table row) that run on from the text on both sides: one number ("9" "0%")."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        if (wrapped and _WRAPPED_DIGITS_LEFT.search(left[-40:]) and _WRAPPED_DIGITS_RIGHT.match(right)
                and not _HEADING_START.match(right)):
            return left + right
        return left + " " + right
    return left + right


def clean_document(doc: Document) -> list[Paragraph]:
    """Rejoin wrapped lines into paragraphs, drop debris, keep a page for every character."""
    lines: list[tuple[str, int | None, bool]] = []  # text, page, blank-line-before
    indented: list[bool] = []  # the line began with a space: a first-line indent in a PDF
    bullets: list[bool] = []  # the line began with a bullet or an emoji: an item of its own
    seen = 0
    running = (running_lines([p.text.replace("\r\n", "\n").replace("\r", "\n") for p in doc.pages])
               if doc.paginated and doc.format != "pptx" else set())
    # The document's first line is kept though it is printed above every page when nothing else names
    # the document (no metadata title: its title is its file name): a cover's title may be the header.
    named = doc.title.strip() != Path(doc.path).stem.strip()
    for page in doc.pages:
        # A page break is not a blank line: paragraphs often run on to the next page.
        blank = not lines
        raws = page.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        edges = _edge_lines(raws) if running else set()
        for at, raw in enumerate(raws):
            line = fold_radicals(raw).strip()
            if not line:
                blank = True
                continue
            if _is_debris(line, seen) or (at in edges and _running_key(line) in running and (named or lines)):
                seen += 1
                continue
            seen += 1
            if _RULE_LINE.fullmatch(line):
                blank = True  # a rule between the parts of a post: a paragraph break, no text
                continue
            line = _EMPTY_QUOTES.sub("", _URL_ANY.sub("", line)).strip()
            bulleted = _BULLET.match(line) is not None or _EMOJI.match(line) is not None
            line = _BULLET.sub("", _EMOJI.sub("", line).strip()).strip()
            if line:
                lines.append((line, page.number if doc.paginated else None, blank))
                indented.append(raw[:1] in (" ", "\u3000", "\t"))
                bullets.append(bulleted)
            blank = False
    if not lines:
        return []

    one_per_line = doc.format in ("docx", "pptx")  # a paragraph, bullet or table row per line
    # Text extracted from PDFs often puts a blank line after every line; then blank lines
    # carry no meaning and paragraph ends must be found from line widths.
    # But a typed text with a blank line between paragraphs has lines that end a sentence or
    # are headings (no punctuation at all), where wrapped PDF lines stop mid-sentence.
    # (A numbered heading such as "一、企业基本情况" ends clean too: its 、 is numbering.)
    ends_clean = sum(1 for t, _, _ in lines if t[-1] in _SENTENCE_END + "：:" + _CLOSERS
                     or not re.search(r"[，。；、,;]", _HEADING_START.sub("", t)))
    # In Markdown a blank line always ends a paragraph ("1. 某公司：…“全程追溯”" then its text).
    blanks_meaningful = not one_per_line and (sum(b for _, _, b in lines) < 0.6 * len(lines)
                                              or ends_clean >= 0.8 * len(lines) or doc.format == "md")
    # A PDF whose paragraphs open with an indent (pypdf keeps it as a leading space): an indented
    # line after one that ends a sentence starts a paragraph, even when that line is nearly full.
    # Only when some lines but far from all are indented (else the space says nothing).
    indents_meaningful = doc.format == "pdf" and 0.03 * len(lines) <= sum(indented) <= 0.6 * len(lines)
    widths = [_width(t) for t, _, _ in lines]
    # The width of a full line: the upper quartile, because in a short hand-written text
    # (one paragraph per line) most lines are short headings and the median is not "full".
    full = statistics.quantiles(widths, n=4)[2] if len(widths) > 1 else widths[0]
    # The width of the text column: the widest lines but a few (a wrapped line fills the column).
    column = statistics.quantiles(widths, n=10)[8] if len(widths) > 1 else widths[0]

    paragraphs: list[Paragraph] = []
    buf, starts = "", []

    def flush() -> None:
        nonlocal buf, starts
        if buf:
            _emit(paragraphs, buf, starts)
        buf, starts = "", []

    for i, (line, page, blank_before) in enumerate(lines):
        if buf:
            prev = lines[i - 1][0]
            prev_short = _width(prev) < 0.8 * full
            prev_ends = prev[-1] in _SENTENCE_END + "：:" or (prev[-1] in _CLOSERS and prev[-2:-1] in list(_SENTENCE_END))
            # A heading line followed by another heading ("一、某市：…质量提升" then "（一）基本情况")
            # is two headings even when the first line is as wide as a full line.
            after_heading = (_HEADING_START.match(buf) is not None and not re.search(r"[。；！？]", buf)
                             and _HEADING_START.match(line) is not None)
            # A numbered heading on a line of its own, clearly narrower than the text column, is
            # not wrapped: "（二）某陶瓷企业：能耗和合格率双提升" then "该企业生产日用瓷餐具，…".
            # (A heading with a comma may be the first line of a paragraph: "（二）优化…，…".)
            lone_heading = (buf == prev and _HEADING_START.match(prev) is not None
                            and not re.search(r"[，。；、,;！？!?]", _HEADING_START.sub("", prev))
                            and _width(prev) < 0.9 * column)
            # A numbered heading as wide as a full line, then the first labelled part of its case
            # ("案例2：…以原料检验破解甲醛释放量超标" then "企业概况：该企业…"): the label opens a paragraph.
            label_after_heading = (_HEADING_START.match(buf) is not None and not re.search(r"[。；！？]", buf)
                                   and INLINE_LABEL.match(line) is not None)
            # Such a title after a sentence's end, clearly narrower than the column and with no
            # sentence marks, starts a paragraph even when the line before is full (an intro
            # paragraph then "浙江省湖州市：…" was one paragraph, and the case was lost).
            subject_title = (prev_ends and _SUBJECT_TITLE.match(line) is not None and _width(line) < 0.9 * column
                             and not re.search(r"[，。；,;！？!?]", line))
            # A heading as wide as a full line, then a full line of body text: the heading is not
            # wrapped ("（一）邢台市清河县：聚焦羊绒产业集群开展“组团式”认证帮扶" then "清河县是全国重要的
            # 羊绒纺纱…基地，全县有…"). The heading is a section or case heading (一、 （一） 案例N, or
            # a place or an enterprise before a colon) with no sentence marks; the next line has them
            # and is full itself or ends a sentence, where a wrapped heading's tail is short and bare
            # ("…出口退货大" then "幅下降").
            full_heading = (buf == prev and not re.search(r"[，。；、,;！？!?]", _HEADING_START.sub("", prev))
                            and (heading_level(prev) in (1, 2)
                                 or _SUBJECT_TITLE.match(_HEADING_START.sub("", prev)) is not None)
                            and re.search(r"[，。；,;！？!?]", line) is not None
                            and (_width(line) >= 0.8 * full or line[-1] in _SENTENCE_END))
            # A labelled line under a labelled paragraph, a line of another part, after a line that ends
            # no sentence: a scan's OCR lost the full stop ("存在问题：…被索赔" then "帮扶措施：对刷胶…").
            label_line = (not prev_ends and (lm := INLINE_LABEL.match(line)) is not None
                          and (bm := INLINE_LABEL.match(buf)) is not None
                          and _label_part(lm) != _label_part(bm))
            # A table's label cell on a line of its own after a short line or a sentence's end is the next
            # row, not the tail of the cell above, even when that cell ends in a comma — a row split over a
            # page break, whose last line on the page ends "…无法分析原因，" and whose next page opens with "措施".
            label_cell = (prev_short or prev_ends) and _LABEL_CELL.fullmatch(line) is not None
            # A cover's issuer and date line (or its issuer line alone) under a title as wide as the column
            # is not the title's wrapped tail ("…地方典型经验选编" then "某市场监管部门  2024年11月").
            cover_date = i < _COVER_LINES and (_COVER_DATE_LINE.fullmatch(line) is not None
                                               or _COVER_ISSUER_LINE.fullmatch(line.strip()) is not None)
            new_para = (
                one_per_line
                or label_line
                or label_cell
                or bullets[i]
                or cover_date
                or full_heading
                or subject_title
                or after_heading
                or lone_heading
                or label_after_heading
                or (blanks_meaningful and blank_before)
                or (prev_short and prev[-1] not in "，、,")
                or (prev_ends and _HEADING_START.match(line) is not None)
                or (indents_meaningful and indented[i] and prev_ends)
            )
            if new_para:
                flush()
        if not starts or starts[-1][1] != page:
            starts.append((len(buf), page))
        # (a line ending in a digit runs on only when it is full: a short one starts a paragraph)
        buf = _join(buf, line, wrapped=bool(buf) and not one_per_line and _width(lines[i - 1][0]) >= 0.8 * full)
    flush()
    return [piece for p in paragraphs for piece in _split_run_on_labels(p)]


def _label_part(m: re.Match) -> str:
    return label_part(m["label"] or m["bracket"])


def _split_run_on_labels(para: Paragraph) -> list[Paragraph]:
    """A labelled paragraph cut before each label of a later part run on without a full stop before it
    ("存在问题：…多次被索赔帮扶措施：对刷胶…" → "存在问题：…被索赔" and "帮扶措施：对刷胶…"): OCR often
    drops the full stop at a line's end. Only in a paragraph that opens with a label, so prose that
    happens to hold such a word with a colon is left whole."""
    m = INLINE_LABEL.match(para.text)
    if m is None:
        return [para]
    out, text, starts = [], para.text, list(para.page_starts)
    part, at = _label_part(m), m.end()
    while (found := run_on_label(text, part, at)) is not None:
        nxt = found[0]
        cut = nxt.start()
        head = text[:cut].rstrip()
        out.append(Paragraph(head, tuple((o, pg) for o, pg in starts if o < max(len(head), 1))))
        page = para.page_at(len(para.text) - len(text) + cut)
        starts = [(0, page)] + [(o - cut, pg) for o, pg in starts if o > cut]
        text, part, at = text[cut:], label_part(nxt["label"]), nxt.end() - cut
    out.append(Paragraph(text, tuple(starts)))
    return out


def _emit(out: list[Paragraph], raw: str, starts: list[tuple[int, int | None]]) -> None:
    """Normalise ``raw`` while carrying page offsets across the edit."""
    pieces = []
    bounds = [o for o, _ in starts] + [len(raw)]
    # Normalise each page's slice on its own so offsets stay exact, then fix the seams.
    text = ""
    new_starts: list[tuple[int, int | None]] = []
    for (off, page), end in zip(starts, bounds[1:]):
        part = raw[off:end]
        pieces.append(part)
        new_starts.append((len(text), page))
        text += part
    # Seams can hide a split decimal or a space; normalising the whole text shifts offsets
    # by at most a few characters, so map page starts through a character-count ratio.
    normalized = normalize_text(text)
    if normalized != text and new_starts:
        mapped = []
        for off, page in new_starts:
            mapped.append((len(normalize_text(text[:off])) if off else 0, page))
        new_starts = mapped
    if normalized:
        out.append(Paragraph(normalized, tuple(new_starts)))


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Split at 。！？； (and a closing quote right after them); return (offset, sentence)."""
    out: list[tuple[int, str]] = []
    start, i, n = 0, 0, len(text)
    depth = 0
    while i < n:
        ch = text[i]
        if ch in "“「『":
            depth += 1
        elif ch in "”」』" and depth:
            depth -= 1
        if ch in _SENTENCE_END:
            j = i + 1
            while j < n and text[j] in _CLOSERS:
                j += 1
            # A full stop inside quotes ends the sentence only when the quote closes after it.
            if depth == 0 or (j > i + 1):
                if j > i + 1:
                    depth = 0
                out.append((start, text[start:j]))
                start = j
                i = j
                continue
        i += 1
    if start < n and text[start:].strip():
        out.append((start, text[start:]))
    # Offsets point at the first character of the stripped sentence.
    return [(o + len(s) - len(s.lstrip()), s.strip()) for o, s in out if s.strip()]
