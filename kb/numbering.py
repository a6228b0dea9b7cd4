"""The numbering that opens a heading of a Chinese official document, by level.

Kept apart (it imports nothing) so that the loaders, which know Word heading styles, and the
structure, which builds section paths, read numbering alike::

    1  一、…   案例1 / 案例一 …   【案例一】…   01 | …   # … / ## … (Markdown)
    2  （一）…  (一)…             ### …
    3  1. / 1、 / 1．             #### … ######
    4  （1）/ (1)
"""

from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十"
# A case title may open with a quotation or a bracket right after its number: once the spaces
# between them are dropped, "案例五  “体检式”诊断…" reads "案例五“体检式”诊断…", still a heading.
_OPENERS = "“‘\"'「『《〈（(【〔["
# A social-media post numbers its cases "01 | 某公司" (or "1｜…"): a number, a bar, a title, and no other
# bar (a table row "1 | 某公司 | 浙江省；" is no heading).
_BAR_NUMBER = r"\d{1,2}\s*[|｜丨]\s*(?=[^|｜丨\s\d])(?![^|｜丨]*[|｜丨])(?![^|｜丨]*[；;。]$)"
LEVELS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^(?:[{CN_DIGITS}]{{1,3}}、|【?案例\s*[0-9{CN_DIGITS}]+(?:】|(?=[\s：:、.．\u4e00-\u9fff{_OPENERS}]|$))"
                   rf"|{_BAR_NUMBER}|#{{1,2}}\s)")),
    (2, re.compile(rf"^(?:（[{CN_DIGITS}]{{1,3}}）|\([{CN_DIGITS}]{{1,3}}\)|#{{3}}\s)")),
    (3, re.compile(r"^(?:\d{1,2}[.．、](?!\d)|#{4,6}\s)")),
    (4, re.compile(r"^(?:（\d{1,2}）|\(\d{1,2}\))")),
]


def heading_level(text: str) -> int | None:
    """The heading level that ``text`` starts with, or None."""
    for level, pattern in LEVELS:
        if pattern.match(text):
            return level
    return None
