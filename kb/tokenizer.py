"""jieba segmentation with a domain dictionary and a Chinese stop-list (kb/data/).

The tokenizer is created once per process and initialised under a lock; after that,
``tokenize`` only reads jieba's tables and is safe to call from many threads.
jieba's own marshal cache is never used: the prefix dictionary is cached as JSON in a
directory the project owns.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import warnings
from functools import lru_cache
from importlib import resources
from pathlib import Path

_DATA = resources.files("kb") / "data"
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
TOKENIZER_NAME = "jieba-search"


def _read(name: str) -> str:
    return (_DATA / name).read_text(encoding="utf-8")


# jieba imports pkg_resources, which prints an English deprecation warning on every command.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(
        line.strip() for line in _read("stopwords.txt").splitlines() if line.strip() and not line.startswith("#")
    )


SPANS_CACHE = 8192  # texts whose word spans a Tokenizer keeps (passages and sentences of searches)
SPANS_CACHE_CHARS = 4000  # longer texts are segmented every time, not kept


@lru_cache(maxsize=1)
def tokenizer_hash() -> str:
    """Identifies jieba version, dictionary, user dictionary and stop-list; stored in the manifest."""
    import jieba

    h = hashlib.sha256()
    for part in (jieba.__version__, TOKENIZER_NAME, _read("userdict.txt"), _read("stopwords.txt")):
        h.update(part.encode("utf-8"))
    return h.hexdigest()[:16]


class Tokenizer:
    """Segments Chinese text into BM25 terms (jieba search mode, stop words removed)."""

    def __init__(self, cache_dir: Path | None = None):
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self._jieba = None
        # every search segments the passages it returns and the sentences it answers from; the
        # same passages come back query after query, so their spans are kept (short texts only)
        self._cached_spans = lru_cache(maxsize=SPANS_CACHE)(self._spans)

    def _ensure(self):
        if self._jieba is not None:
            return self._jieba
        with self._lock:
            if self._jieba is None:
                self._jieba = self._build()
        return self._jieba

    def _build(self):
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.FREQ, tk.total = self._load_freq(tk)
        tk.initialized = True
        for line in _read("userdict.txt").splitlines():
            parts = line.split()
            if parts:
                tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None)
        return tk

    def _load_freq(self, tk) -> tuple[dict, int]:
        import jieba

        cache = None
        if self._cache_dir is not None:
            cache = self._cache_dir / f"jieba-{jieba.__version__}.json"
            try:
                with open(cache, encoding="utf-8") as fh:
                    freq, total = json.load(fh)
                return freq, total
            except (OSError, ValueError):
                pass
        freq, total = tk.gen_pfdict(tk.get_dict_file())
        if cache is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump([freq, total], fh, ensure_ascii=False)
                os.replace(tmp, cache)
            except OSError:
                pass  # a missing cache only costs start-up time
        return freq, total

    def words(self, text: str) -> list[str]:
        """All search-mode words of ``text`` (stop words kept), for highlighting."""
        return [w for w in self._ensure().lcut_for_search(text) if w.strip()]

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """(start, end) offsets of the dictionary words of ``text`` (jieba precise mode without
        HMM, no overlaps), for matching whole words. Search mode would also yield the parts of
        a long word (人工 of 人工智能); the HMM would glue unknown characters into new words
        (懂品|控 instead of 懂|品控). Kept for texts up to ``SPANS_CACHE_CHARS`` characters."""
        return self._cached_spans(text) if len(text) <= SPANS_CACHE_CHARS else self._spans(text)

    def _spans(self, text: str) -> tuple[tuple[int, int], ...]:
        return tuple((start, end) for _word, start, end in self._ensure().tokenize(text, HMM=False))

    def known(self, word: str) -> bool:
        """Whether ``word`` is a word of jieba's dictionary or the project's user dictionary."""
        return self._ensure().FREQ.get(word, 0) > 0

    def tokenize(self, text: str) -> list[str]:
        """BM25 terms: lower-cased search-mode words without stop words or punctuation."""
        stop = stopwords()
        out = []
        for w in self._ensure().lcut_for_search(text):
            w = w.strip().lower()
            if w and w not in stop and not _PUNCT.match(w):
                out.append(w)
        return out


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    """Words too general to be evidence of relevance (kb/data/generic_words.txt)."""
    return frozenset(
        line.strip() for line in _read("generic_words.txt").splitlines() if line.strip() and not line.startswith("#")
    )


def informative(term: str) -> bool:
    """Whether ``term`` can count as evidence: not generic, and two or more characters (or Latin/digits)."""
    return term not in generic_words() and (len(term) >= 2 or term.isascii() and term.isalnum())


# Words that put a question in this field whatever else it says (我们厂没一个懂质量管理的, 证书拿到以后),
# even when it has an everyday-topic word too: the field's own compound terms, too common in its
# documents to count as evidence.
DOMAIN_WORDS = frozenset({"小微", "小微企业", "质量管理", "管理体系", "质量体系", "体系认证", "质量认证", "认证机构",
                          "提升行动", "iso", "iso9001", "证书", "拿证", "办证", "获证"})
# ... and, when it has no everyday-topic word, these single words too (拿了证以后是不是就不用管了,
# 厂里缺懂质量的人, 农产品能搞认证往外卖吗). They also open 这款手机质量怎么样 or 空气质量指数
# (passages about quality come back); requiring a word for a business as well was tried and emptied
# two questions of the held-out set, and a plain question left empty costs an owner more than an
# off-topic one answered with passages about quality. 认证 alone does not outweigh an everyday-topic
# word (驾照认证怎么弄): only DOMAIN_WORDS do.
# 品质, 品控 and 质检 are the everyday words for 质量 (为啥小老板不乐意在抓品质上砸钱).
FIELD_WORDS = frozenset({"质量", "品质", "品控", "质检", "认证", "体系", "帮扶", "证"})


def names_the_field(words: list[str]) -> bool:
    """Whether a question's words (jieba search mode) put it in this field (see above)."""
    return any(t in DOMAIN_WORDS or t in FIELD_WORDS for t in words)


@lru_cache(maxsize=1)
def topic_words() -> tuple[str, ...]:
    """Words that each name one topic of certification practice (kb/data/topic_words.txt: 假证书, 审核人日)."""
    return tuple(dict.fromkeys(
        line.strip() for line in _read("topic_words.txt").splitlines() if line.strip() and not line.startswith("#")
    ))


@lru_cache(maxsize=1)
def offtopic_words() -> frozenset[str]:
    """Words of everyday topics the documents are not about (kb/data/offtopic_words.txt)."""
    return frozenset(
        line.strip() for line in _read("offtopic_words.txt").splitlines() if line.strip() and not line.startswith("#")
    )
