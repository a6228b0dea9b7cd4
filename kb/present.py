"""How records read to a person: Chinese labels, outcome and citation wording, safe file names.

One home for wording shared by the CLI, the web app and the exports, so that the three say
the same thing the same way. Pure functions over records; imports nothing above ``records``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

KIND_ZH = {"report": "报告", "enterprise_case": "企业案例", "local_experience": "地方经验"}
KIND_COLOR = {"report": "gray", "enterprise_case": "blue", "local_experience": "green"}
MODE_ZH = {"hybrid": "混合", "bm25": "关键词", "dense": "语义"}
# Parts of a case's ranking score (kb/cases_ranking.py), in display order.
PART_ZH = {"problem": "问题匹配", "industry": "行业匹配", "region": "地区分散", "evidence": "量化成效",
           "similarity": "内容相似"}
STATUS_ZH = {"indexed": "已索引", "unchanged": "未变化", "failed": "失败", "removed": "已移除", "duplicate": "重复"}


class OutcomeLike(Protocol):
    metric: str
    before: float | None
    after: float | None
    change: float | None
    unit: str | None
    approx: str
    upto: float | None


def number_text(x: float | None) -> str:
    """``15`` not ``15.0``; empty for a missing value."""
    return f"{x:g}" if x is not None else ""


def outcome_text(o: OutcomeLike) -> str:
    """``产品缺陷发生率：15% → 7%`` / ``月均经济效益：+10万元`` / ``年质量损失：减少约50万元`` (an approximate
    change in words) / ``行业产值：130亿元``; a range reads as one: ``交货周期：缩短20%～30%``,
    ``合格率：90% → 95%～98%``, ``合格率：95%～98%``."""
    unit = o.unit or ""
    upto = getattr(o, "upto", None)
    if o.before is not None and o.after is not None:
        before = written_before(o) or f"{number_text(o.before)}{unit}"
        after = range_text(o.after, upto, unit) if upto is not None else f"{number_text(o.after)}{unit}"
        return f"{o.metric}：{before} → {after}"
    if o.change is not None and upto is not None:
        verb = _range_verb(getattr(o, "text", "") or "", abs(o.change)) or ("增加" if o.change > 0 else "减少")
        return f"{o.metric}：{verb}{range_text(abs(o.change), abs(upto), unit, o.approx)}"
    if o.after is not None and upto is not None:
        return f"{o.metric}：{range_text(o.after, upto, unit, o.approx)}"
    if o.change is not None:
        if o.approx and o.change:
            # "约-50万元" reads badly: an approximate change says which way in words ("减少约50万元").
            return f"{o.metric}：{'增加' if o.change > 0 else '减少'}{approx_text(abs(o.change), unit, o.approx)}"
        return f"{o.metric}：{'+' if o.change > 0 else ''}{approx_text(o.change, unit, o.approx)}"
    if o.after is not None:
        return f"{o.metric}：{approx_text(o.after, unit, o.approx)}"
    return o.metric


def headline_outcomes(outcomes, n: int) -> list:
    """The ``n`` outcomes a card shows: those telling a change (15% → 7%, 缩短20%) or an amount of money or
    a rate (助企降损增效1.3亿余元, 优良率提升12%) before counts of scale (帮助115家企业导入体系), each group in
    the source's order. A session 29 tester: the 德清 card listed 115家, 220家, 490个 and left out 1.3亿元."""
    def weight(o) -> int:
        if o.before is not None or o.change is not None:
            return 0
        unit = o.unit or ""
        return 0 if "元" in unit or "%" in unit or "％" in unit or "率" in o.metric else 1
    return sorted(outcomes, key=weight)[:n]


# A from–to pair as written: "由2天缩短至2小时", "从5000万元增至1.2亿元" (the before figure and its unit; the
# units kb/cases.convert turns into one another).
_WRITTEN_PAIR = re.compile(r"(?:由|从)(?:每个?[\u4e00-\u9fff]{1,3}?)?(?:约|近)?(?P<num>\d+(?:\.\d+)?)"
                           r"(?P<unit>[万亿]?(?:分钟|小时|天|周|千克|公斤|克|吨|元|件|个|台|套))[\u4e00-\u9fff]{0,3}?(?:至|到)(?:约|近)?(?P<after>\d+(?:\.\d+)?)")


def written_before(o: OutcomeLike) -> str | None:
    """The before figure of a pair as the source writes it, when the record holds it converted to
    the after's unit ("由2天缩短至2小时" is recorded 48 → 2 小时; an auditor checking the source reads
    2天): "2天", else None."""
    text, unit = getattr(o, "text", "") or "", o.unit or ""
    for m in _WRITTEN_PAIR.finditer(text):
        if (o.before is not None and o.after is not None and float(m["after"]) == o.after
                and float(m["num"]) != o.before and m["unit"] != unit.split("/")[0]):
            return f"{m['num']}{m['unit']}"
    return None


def range_text(x: float, upto: float, unit: str, approx: str = "") -> str:
    """A range as the text writes it: ``20%～30%``, ``约10～15天``, ``10～20万元``, ``300～500人以上``."""
    span = f"{number_text(x)}%～{number_text(upto)}%" if unit == "%" else f"{number_text(x)}～{number_text(upto)}{unit}"
    if approx in ("以上", "左右"):
        return span + approx
    return span if approx in ("余", "多") else approx + span


# The verb of a range of change as written: "交货周期缩短20%～30%" → 缩短.
_CHANGE_VERB = re.compile(r"(增长|增加|提升|提高|上升|扩大|下降|降低|减少|缩短|缩减)了?(?:约|近|超过|超)?(\d+(?:\.\d+)?)")


def _range_verb(text: str, value: float) -> str | None:
    """The verb right before the figure ``value`` in ``text`` (full-width digits too), or None."""
    return next((m[1] for m in _CHANGE_VERB.finditer(unicodedata.normalize("NFKC", text)) if float(m[2]) == value),
                None)


def approx_text(x: float, unit: str, approx: str = "") -> str:
    """A single figure with its qualifier where the text puts it: ``1000余个``, ``1.3亿余元``,
    ``超过350亿元``, ``约10万元``, ``10万元以上``."""
    if approx in ("余", "多"):
        mult = unit[:1] if unit[:1] in ("万", "亿") else ""
        return f"{number_text(x)}{mult}{approx}{unit[len(mult):]}"
    if approx in ("以上", "左右"):
        return f"{number_text(x)}{unit}{approx}"
    return f"{approx}{number_text(x)}{unit}"


def passage_outcomes(cases, chunk_id: str) -> list:
    """The outcomes of ``cases`` read from the passage ``chunk_id`` itself (by the outcome's
    chunk id): a passage card shows its own figures, not those of a neighbouring case."""
    return [o for case in cases for o in case.outcomes if o.chunk_id == chunk_id]


def weak_notes(hits, floor: float) -> dict[int, str]:
    """The line that sets the weak matches (``CaseHit.weak``: problem part of the score under
    ``floor``) apart, keyed by the rank of the first of them; empty when none is weak. The ranking
    itself is unchanged; the line names the problem part, since the total score may be higher."""
    first = next((h for h in hits if getattr(h, "weak", False)), None)
    if first is None:
        return {}
    if first.rank == hits[0].rank:
        return {first.rank: f"没有与所述问题明显相符的案例（问题匹配都低于 {floor:g}）；以下按相近程度列出，仅供参考。"}
    return {first.rank: f"以下案例与所述问题关联较弱（问题匹配低于 {floor:g}），仅供参考。"}


def score_parts_text(parts) -> str:
    """``问题匹配 +0.833 · 行业匹配 +0.500 · 地区分散 -0.030 · 量化成效 +0.033``."""
    return " · ".join(f"{PART_ZH.get(n, n)} {v:+.3f}" for n, v in parts)


def page_text(page: int | None, page_end: int | None = None, printed: str | None = None,
              printed_end: str | None = None) -> str:
    """``第 3 页`` / ``第 3–4 页`` / ``""`` when the source has no page numbers. The page is the
    file's own (what a PDF reader's page box goes to); where the page shows another number
    (``printed``: a cover and a contents page come before printed page 1), it follows:
    ``第 5 页（印刷页码 3）``, ``第 5–6 页（印刷页码 3–4）``."""
    if page is None:
        return ""
    span = page_end is not None and page_end != page
    where = f"第 {page}–{page_end} 页" if span else f"第 {page} 页"
    if printed:
        return where + f"（印刷页码 {printed}–{printed_end}）" if span and printed_end else where + f"（印刷页码 {printed}）"
    return where


def outline_title(outline) -> str:
    """``提纲：二、经验总结（共 4 项）`` (the document's title when the outline is its top level);
    ``（列出前 20 项）`` when it has more headings than it lists."""
    where = outline.section or outline.doc
    more = f"，列出前 {len(outline.items)} 项" if outline.count > len(outline.items) else ""
    return f"提纲：{where}（共 {outline.count} 项{more}）"


def shorten_middle(text: str, width: int) -> str:
    """``corpus/很长的文件名…第二批.pdf``: at most ``width`` characters, cut in the middle (the folder
    and the end of a file name both tell files apart)."""
    if len(text) <= width:
        return text
    if width < 3:
        return text[:width]
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


def progress_item(item: str, width: int = 40) -> str:
    """The file (and OCR page text) of a progress line in at most ``width`` characters: the file
    name is cut in the middle, ``OCR 第 3/10 页，预计还需…`` after it is kept whole."""
    name, sep, rest = item.rpartition("：")
    if sep and rest.startswith("OCR"):
        return shorten_middle(name, max(12, width - len(rest) - 1)) + sep + rest
    return shorten_middle(item, width)


def ocr_text(confidence: float | None = None) -> str:
    """``扫描件 OCR 识别，置信度 0.97`` — the mark of a passage read from a scanned page."""
    return "扫描件 OCR 识别" + (f"，置信度 {confidence:.2f}" if confidence is not None else "")


def citation_text(doc_title: str, section: str = "", page: int | None = None, page_end: int | None = None,
                  ocr: bool = False, ocr_confidence: float | None = None, printed: str | None = None,
                  printed_end: str | None = None) -> str:
    """Full citation: ``《文档》 · 一、工作举措与成效 > （一）… · 第 3 页`` (``（扫描件 OCR 识别…）`` after it
    when the passage was read by OCR)."""
    parts = [f"《{doc_title}》" if doc_title else "（未知文档）"]
    if section:
        parts.append(section)
    where = page_text(page, page_end, printed, printed_end)
    if where:
        parts.append(where)
    return " · ".join(parts) + (f"（{ocr_text(ocr_confidence)}）" if ocr else "")


_UNSAFE_CHARS = re.compile(r"[\\/:*?\"<>|\x00-\x1f\x7f]")


def safe_filename(name: str, default: str = "上传文件") -> str:
    """A file name safe to create in a folder or offer as a download: no directories, no hidden
    or reserved names, a lower-case extension (``.markdown`` becomes ``.md``)."""
    base = (name or "").replace("\\", "/").split("/")[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE_CHARS.sub("_", base).strip().lstrip(".")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = ext.lower()
    if ext == "markdown":
        ext = "md"
    stem = re.sub(r"\s+", " ", stem).strip(" ._")[:100] or default
    # A file name holds at most 255 bytes (ext4, NTFS …): 100 Chinese characters are 300 in UTF-8.
    # Keep room for " (99)" and the extension.
    ext = ext[:16]
    while len(stem.encode("utf-8")) > 200:
        stem = stem[:-1]
    return f"{stem}.{ext}" if ext else stem


def safe_export_name(name: str, suffix: str, default: str = "课件素材") -> str:
    """A download name from user input (a file name or a course/case title) with ``suffix``; a typed
    export extension is replaced. A "/" or "\\" is part of the name (``2023/2024 培训`` →
    ``2023_2024 培训.docx``), never a folder: it becomes "_" like the other path-unsafe characters."""
    # dots next to a separator go too: "../x" is not a hidden name nor an extension ("._x")
    cleaned = safe_filename(re.sub(r"\.*[\\/]+\.*", "_", name or ""), default)
    stem, dot, ext = cleaned.rpartition(".")
    if dot and f".{ext}" in (".docx", ".md", ".pptx"):
        cleaned = stem
    cleaned = cleaned[:80].strip(" ._") or default
    return f"{cleaned}{suffix}"


def peers_of(industry: str | None, hits) -> bool:
    """Whether the guidance cards may be headed 同行怎么做的（industry）: every listed case is of the
    trade the question names (by any name of it: 家纺 is 纺织业); else they are 类似问题的案例."""
    if not industry or not hits:
        return False
    from .industries import resolve_industries

    wanted = set(resolve_industries(industry))
    return all(wanted & set(h.case.all_industries) for h in hits)


def guidance_heading(industry: str | None, hits, query: str = "") -> str:
    """The heading of the guidance cards: 同行怎么做的（industry） when every case is of the trade
    (:func:`peers_of`) and speaks of the trade the question names (做雨伞的 → a 伞业 case); 相近行业的案例
    when the cases are only of its 大类 (做假发的 → the 伞业 case: both are 41 其他制造业); else 类似问题的案例."""
    if not peers_of(industry, hits):
        return "类似问题的案例"
    from .industries import names_the_trade, trade_words

    words = trade_words(query)
    if words and not all(any(names_the_trade(h.case.title + h.case.text, w) for w in words) for h in hits):
        return f"相近行业的案例（{industry}）"
    return f"同行怎么做的（{industry}）"
