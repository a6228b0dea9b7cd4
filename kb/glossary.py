"""Plain-language glossary (kb/data/glossary.tsv): report terms, what they mean, everyday words.

The glossary serves three readers: the query expansion (an everyday word in a question adds
the report's term, so BM25 can find passages that never use the owner's words), ``kb glossary``,
and the app, which explains the terms a result contains. Everyday words match whole words only
(:func:`contains_word`): 伞 matches 做伞的 but not 保护伞, 人工 not 人工智能, IT not audit.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import KBError
from .numerals import figure_variants
from .simplified import to_simplified

COLUMNS = ("term", "meaning", "everyday", "source")


@dataclass(frozen=True)
class GlossaryEntry:
    term: str  # the report's / standard's word
    meaning: str  # one plain sentence
    everyday: tuple[str, ...]  # what owners say for it
    source: str  # GB/T 19000-2016, GB/T 27000-2006, 报告用语, 行业用语 or 地名简称 (see glossary.tsv's header)


def parse_glossary(text: str) -> tuple[GlossaryEntry, ...]:
    """Entries of a glossary TSV (``#`` lines are comments); a malformed line is an error."""
    entries = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != len(COLUMNS) or not all(p.strip() for p in (parts[0], parts[1], parts[3])):
            raise KBError(f"术语表第 {n} 行格式错误：应为 术语、解释、口语说法、依据 四列（制表符分隔）。")
        words = tuple(w.strip() for w in parts[2].split(",") if w.strip())
        entries.append(GlossaryEntry(parts[0].strip(), parts[1].strip(), words, parts[3].strip()))
    return tuple(entries)


@lru_cache(maxsize=1)
def glossary() -> tuple[GlossaryEntry, ...]:
    return parse_glossary((resources.files("kb") / "data" / "glossary.tsv").read_text(encoding="utf-8"))


def lookup(word: str | None = None) -> list[GlossaryEntry]:
    """All entries, or those whose term contains ``word`` or that list it as an everyday word;
    failing those, the entries whose explanation uses it (老板 → 最高管理者: "…通常就是老板")."""
    if not word:
        return list(glossary())
    w = word.strip().lower()
    exact = [e for e in glossary() if e.term.lower() == w]
    near = [e for e in glossary() if e not in exact
            and (w in e.term.lower() or any(w == x.lower() for x in e.everyday))]
    return exact + near or [e for e in glossary() if w in e.meaning.lower()]


@lru_cache(maxsize=1)
def _default_tokenizer():
    from .tokenizer import Tokenizer

    return Tokenizer()


_LATIN = re.compile(r"[A-Za-z0-9]")
# Generic heads and modifiers that make plain compounds which keep a word's meaning: 出口|货,
# 软件|产业, 电动自行车|厂, 融资|难, 新玩意|儿, 大|西北, 多|花钱, 哪|几个部门, 出|毛病. Not 智能 (人工智能) nor 保护
# (保护伞): those compounds are words of their own and mean something else.
_HEADS = ("产业", "行业", "企业", "公司", "领域", "方面", "市场", "地区",
          "厂", "业", "货", "品", "类", "店", "户", "难", "儿")
_MODIFIERS = ("大", "小", "老", "新", "全", "多", "哪", "出")


def word_boundaries(text: str, tokenizer=None) -> tuple[set[int], set[int]]:
    """Offsets in ``text`` where a whole word may start, and where one may end.

    The boundaries of jieba's dictionary words (precise mode, :meth:`Tokenizer.spans`), plus the
    joints of plain compounds: before a generic head (出口|货) and after a generic modifier (大|西北).
    Search-mode words would not do: they include the parts of a long word (人工 of 人工智能).
    """
    tokenizer = tokenizer or _default_tokenizer()
    starts, ends = {0}, {len(text)}
    for start, end in tokenizer.spans(text):
        word = text[start:end]
        starts.add(start)
        ends.add(end)
        ends.update(end - len(h) for h in _HEADS if len(word) > len(h) and word.endswith(h))
        starts.update(start + len(m) for m in _MODIFIERS if len(word) > len(m) and word.startswith(m))
    return starts, ends


def occurs(text: str, word: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``word`` occurs in ``text`` other than as the tail of one word and the head of the
    next: 质量管理 in 质量管理体系, 管理 inside it and 各地 in 各|地方 count, 营业 in 经营|业绩 does not.
    ``spans``: the dictionary words of ``text`` (:meth:`Tokenizer.spans`)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        left = next((s for s in spans if s[0] < at < s[1]), None)  # a word the occurrence starts inside
        right = next((s for s in spans if s[0] < end < s[1]), None)  # a word it ends inside
        if left is None or right is None or left == right or left[1] - left[0] < 2 or right[1] - right[0] < 2:
            return True
        at = text.find(word, at + 1)
    return False


def contains_word(text: str, word: str, tokenizer=None, bounds: tuple[set[int], set[int]] | None = None) -> bool:
    """Whether ``word`` occurs in ``text`` as a whole word (not inside a longer word).

    Latin words need word boundaries (IT in "IT 公司", not in "audit"); other words must start
    and end on :func:`word_boundaries` of ``text`` (pass ``bounds`` to reuse them).
    """
    return bool(word_spans(text, word, tokenizer, bounds, first=True))


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    """Every everyday word of the glossary (看病 for 质量诊断, 大厂 for 链主)."""
    return frozenset(w for e in glossary() for w in e.everyday)


def word_spans(text: str, word: str, tokenizer=None, bounds: tuple[set[int], set[int]] | None = None,
               first: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each whole-word occurrence of ``word`` in ``text`` (see :func:`contains_word`);
    ``first``: stop at the first."""
    if not word:
        return []
    if _LATIN.search(word):
        found = [m.span() for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text, re.IGNORECASE)]
        return found[:1] if first else found
    if word not in text:
        return []
    starts, ends = bounds or word_boundaries(text, tokenizer)
    out = []
    at = text.find(word)
    while at >= 0:
        if at in starts and at + len(word) in ends:
            out.append((at, at + len(word)))
            if first:
                break
        at = text.find(word, at + 1)
    return out


def expansions(query: str, tokenizer=None) -> list[str]:
    """Report terms to add for ``query``: those whose everyday words occur in it as whole words
    (Traditional characters read as Simplified). One search asks this of its query several times
    (BM25, vectors, ranking, answer), so the last queries' expansions are kept."""
    tokenizer = tokenizer or _default_tokenizer()
    with _EXPANSIONS_LOCK:
        cached = _EXPANSIONS.get(tokenizer)
        if cached is None:  # one cache per tokenizer, gone with it (a test run makes many)
            ref = weakref.ref(tokenizer)  # the cache must not keep its own key alive
            cached = _EXPANSIONS[tokenizer] = lru_cache(maxsize=256)(lambda q: _expansions(q, ref()))
    return list(cached(to_simplified(query)))


_EXPANSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_EXPANSIONS_LOCK = threading.Lock()


def _expansions(query: str, tokenizer) -> tuple[str, ...]:
    bounds = word_boundaries(query, tokenizer)
    found: list[tuple[GlossaryEntry, list[tuple[int, int]]]] = []  # each entry and where its everyday words are
    for e in glossary():
        spans = [s for w in e.everyday for s in word_spans(query, w, bounds=bounds) + split_spans(query, w, bounds)]
        if spans:
            found.append((e, spans))
    # An entry found only through a word inside a longer everyday word of another entry is that
    # entry's: 给各省的工作打分 (各省…打分, 评估) asks how provinces are ranked, so 打分 does not also
    # bring 成熟度评价, 满意度 and 绩效评价 (even when 评估 itself is typed and so not added)
    def inside_longer(span: tuple[int, int], entry: GlossaryEntry) -> bool:
        return any(o[0] <= span[0] and span[1] <= o[1] and o[1] - o[0] > span[1] - span[0]
                   for other, spans in found if other is not entry for o in spans)

    out: list[str] = []
    for e, spans in found:
        if e.term in query or e.term in out or all(inside_longer(s, e) for s in spans):
            continue
        out.append(e.term)
    return tuple(out)


_GAP = re.compile(r"[\u4e00-\u9fff]{1,4}")


def contains_split(text: str, word: str, bounds: tuple[set[int], set[int]]) -> bool:
    """Whether a four-character everyday word of two two-character words (认可|证书, 投标|加分) occurs
    in ``text`` with up to four Chinese characters between its halves, each half a whole word: a
    verb and its object with words in between (认可认证证书, 看重咱的证书, 投标能加分)."""
    return bool(split_spans(text, word, bounds, first=True))


def split_spans(text: str, word: str, bounds: tuple[set[int], set[int]], first: bool = False) -> list[tuple[int, int]]:
    """(start of the head, end of the tail) of each such split occurrence (see :func:`contains_split`)."""
    if len(word) != 4 or _LATIN.search(word):
        return []
    head, tail = word[:2], word[2:]
    starts, ends = bounds
    out = []
    at = text.find(head)
    while at >= 0:
        if at in starts and at + 2 in ends:
            for gap in range(1, 5):
                b = at + 2 + gap
                if text.startswith(tail, b) and b in starts and b + 2 in ends and _GAP.fullmatch(text, at + 2, b):
                    out.append((at, b + 2))
                    if first:
                        return out
        at = text.find(head, at + 1)
    return out


def expand(query: str, tokenizer=None) -> str:
    """``query`` followed by the report terms its everyday words stand for. BM25 always searches
    the expanded query; the embedder sees it too when ``KBConfig.dense_expand`` is on (the
    default), else the raw query. Figures written in Chinese numerals are added in digits (前十 →
    前10, :func:`kb.numerals.figure_variants`). A Traditional-Chinese query comes back in Simplified
    characters."""
    query = to_simplified(query)
    extra = expansions(query, tokenizer) + figure_variants(query)  # 前十 → 前10, as the documents write it
    return query + (" " + " ".join(extra) if extra else "")


def terms_in(text: str, skip: frozenset[str] = frozenset()) -> list[GlossaryEntry]:
    """The glossary terms a passage uses, in reading order; a term seen only inside a longer
    one (认证 in 认证结果采信) is not repeated.

    Province abbreviations and the words in ``skip`` (too general to be worth explaining) are left out.
    """
    rest = text
    found: list[tuple[int, GlossaryEntry]] = []
    for e in sorted(glossary(), key=lambda e: -len(e.term)):
        if len(e.term) < 2 or e.term in skip or "简称" in e.meaning or e.term not in rest:
            continue
        found.append((rest.index(e.term), e))
        rest = rest.replace(e.term, "\x00" * len(e.term))
    return [e for _, e in sorted(found, key=lambda x: x[0])]


# A question asking what a word means: 啥叫采信, 链主是啥, 质量成本是什么意思, 认证贷听不懂. Not 是什么时候 /
# 是什么样 (a time or a manner), not 不懂质量 (a skill, 厂里没有懂质量的人).
_DEFINITION_CUE = re.compile(
    r"啥叫|什么叫|何为|何谓|什么是|啥是|是啥|是个啥|是什么(?!时候|样|地方|部门|条件|标准|要求)|是干嘛|是干啥|是做什么|"
    r"什么意思|啥意思|意思是|指什么|指的是|指啥|怎么理解|咋理解|如何理解|听不懂|看不懂|不明白|解释一下|含义")
_DEFINED_MAX = 2
# What may surround a bare term typed alone: spaces, punctuation, a question particle.
_BARE_TERM_NOISE = re.compile(r"[\s\W_]+|[吗呢呀啊嘛]+$")


def named_terms(text: str, tokenizer=None) -> list[GlossaryEntry]:
    """The glossary entries a text names, in the order written: the terms it writes, longest first
    (质量管理体系认证 before 认证), else the entries whose everyday words it uses as whole words
    (到底啥叫体系 → 质量管理体系)."""
    text = to_simplified(text or "")
    found = terms_in(text)
    if not found:
        bounds = word_boundaries(text, tokenizer)
        hits = [(min(text.find(w) for w in e.everyday if contains_word(text, w, bounds=bounds)), e)
                for e in glossary() if any(contains_word(text, w, bounds=bounds) for w in e.everyday)]
        found = [e for _, e in sorted(hits, key=lambda x: x[0])]
    return found


def asked_terms(query: str, tokenizer=None) -> list[GlossaryEntry]:
    """The glossary entries a question asks the meaning of (at most two, :func:`named_terms`); empty
    when it does not ask what a word means (:data:`_DEFINITION_CUE`) or names no glossary word.
    Remembered per question: the ranking, the answer and the glossary panel each ask."""
    return list(_asked_terms(query or "", tokenizer))


@lru_cache(maxsize=256)
def _asked_terms(query: str, tokenizer) -> tuple[GlossaryEntry, ...]:
    return tuple(_find_asked_terms(query, tokenizer))


def _find_asked_terms(query: str, tokenizer) -> list[GlossaryEntry]:
    query = to_simplified(query)
    if not _DEFINITION_CUE.search(query):
        # a bare term ("采信", "认证贷？") asks what it is as well
        bare = _BARE_TERM_NOISE.sub("", query)
        if not bare:
            return []
        return ([e for e in glossary() if bare == e.term] or [e for e in glossary() if bare in e.everyday])[:1]
    return named_terms(query, tokenizer)[:_DEFINED_MAX]
