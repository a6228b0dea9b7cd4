"""Homophone typos of pinyin input (认正贷 for 认证贷, 管里 for 管理), read as the word meant.

An owner typing with a pinyin input method picks a wrong character of the same sound now and then.
Such a word is unknown everywhere (jieba's dictionary, the index's vocabulary, the glossary), so
BM25 finds nothing for it, the off-topic check refuses the question and the glossary has no entry.
:class:`Corrector` reads such a word as the domain word with the same pinyin (tones ignored): the
glossary's terms and everyday words and the frequent words of the indexed text.

What may be read as another word (:meth:`Corrector.correct`):

- a stretch of 2–8 characters that jieba (precise mode, no HMM, the project's user dictionary) left
  as single characters: a typo breaks a word into characters (认|正|贷), while dictionary words
  (手表|准时, 靠|认证, 种|药材) are what the owner wrote. The stretch may also end on the first character
  of a two-character word whose second one is a function character (认|正要多少钱: 认正, 要 stays);
- with no function character (是, 个, 的, 啥, 咋 …) and no numeral in it (是个 is no typo of 十个);
- unknown itself: not in jieba's dictionary, not in the index's vocabulary, not a glossary word
  (人证 and 彩信 are words and stay);
- read with each character's usual pinyin (提 as ti, not its rare shi), equal to the pinyin of the
  word meant (tones ignored; the word meant may be read with any of its characters' readings), and
  sharing at least one character with it in the same place (the usual typo changes one character
  of a word; two characters that only sound like a word are more likely something else).

The pinyin → words map is built once per index generation (and once for the glossary alone); a
question then costs a segmentation and a few dictionary look-ups. pypinyin is imported on first
use (about 0.2 s once per process).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .glossary import glossary
from .regions import division_names
from .simplified import to_simplified
from .tokenizer import Tokenizer, stopwords

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_NUMERAL = re.compile(r"[0-9一二三四五六七八九十百千万亿两零〇几第]")
MIN_LEN, MAX_LEN = 2, 8
# Function characters of questions that are not in the stop-list: pronouns and colloquial particles.
# 做, 搞 and 弄 too: the owner's verbs of every question (讲做伞的那个地方 is no typo of 讲座).
_FUNCTION_CHARS = frozenset("我你他她您咱俺啥咋嘛么哪谁呀哦哈嗯啦咯呗俩仨做搞弄")
_MAX_READINGS = 64  # heteronym combinations of one target word (行业: xing/hang × ye)
_CACHE = 512


@lru_cache(maxsize=1)
def _char_readings() -> Mapping[int, tuple[str, ...]]:
    """Code point → its toneless pinyin readings (pypinyin's character table)."""
    from pypinyin.pinyin_dict import pinyin_dict

    return _ToneLess(pinyin_dict)


class _ToneLess(dict):
    """pypinyin's table with tone marks stripped, filled lazily per character."""

    _MARKS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")

    def __init__(self, table: Mapping[int, str]):
        super().__init__()
        self._table = table

    def __missing__(self, code: int) -> tuple[str, ...]:
        raw = self._table.get(code, "")
        out = tuple(dict.fromkeys(r.strip().translate(self._MARKS) for r in raw.split(",") if r.strip()))
        self[code] = out
        return out


def readings(word: str) -> list[tuple[str, ...]]:
    """Every toneless pinyin reading of ``word`` (one syllable per character; heteronyms give
    several, at most :data:`_MAX_READINGS`); empty when a character has none."""
    table = _char_readings()
    per_char = [table[ord(ch)] for ch in word]
    if not all(per_char):
        return []
    return list(itertools.islice(itertools.product(*per_char), _MAX_READINGS))


def reading(word: str) -> tuple[str, ...] | None:
    """The usual toneless reading of ``word``: each character's first (most common) reading
    (提 is ti, not its rare shi); None when a character has none."""
    table = _char_readings()
    per_char = [table[ord(ch)] for ch in word]
    return tuple(r[0] for r in per_char) if all(per_char) else None


# Places typed in pinyin or their usual romanisation (Jiangsu, Qingdao, Fujian 认证贷): read as the Chinese
# name, so that place filters, place lifts and the not-in-documents note see the place. The
# romanisations plain pinyin does not give are listed; a pinyin spelling two places (huangpu: 黄浦 and
# 黄埔; shanxi: 山西 and 陕西, whose official spelling is Shaanxi) is no place at all.
_ROMANISED = {"shaanxi": ("陕西", 1), "shanxi": ("山西", 1), "innermongolia": ("内蒙古", 1), "tibet": ("西藏", 1),
              "hongkong": ("香港", 1), "macau": ("澳门", 1), "macao": ("澳门", 1), "peking": ("北京", 1),
              "harbin": ("哈尔滨", 2), "urumqi": ("乌鲁木齐", 2), "lhasa": ("拉萨", 2), "hohhot": ("呼和浩特", 2)}
_LATIN_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]+(?:\s+[A-Za-z]+)?(?![A-Za-z0-9])")
_LATIN_ALONE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{4,}(?![A-Za-z0-9])")


@lru_cache(maxsize=1)
def romanised_places() -> Mapping[str, tuple[str, int]]:
    """Lower-case pinyin (toneless, syllables run together) → the short name and level of the one
    province, city or county it spells (jiangsu → 江苏 1, nantong → 南通 2, shangyu → 上虞 3). A spelling
    with the characters' usual readings wins over one through a rare reading (guangzhou is 广州, not
    横州 through 横's guang); two places with the same spelling either way give none."""
    usual: dict[str, set[tuple[str, int]]] = {}
    rare: dict[str, set[tuple[str, int]]] = {}
    for name, level in division_names():
        if not _HAN.match(name) or len(name) < 2:
            continue
        first = reading(name)
        # a county by its usual reading only (昌邑 would spell change through 邑's rare e)
        for key in readings(name) if level < 3 else [first] if first else []:
            spelled = "".join(key).replace("v", "u")
            (usual if key == first else rare).setdefault(spelled, set()).add((name, level))
    out = {}
    for key in usual.keys() | rare.keys():
        names = usual[key] if usual.get(key) else rare[key]
        top = min(level for _, level in names)  # a province before a county of the same spelling (新疆, 新绛)
        names = {n for n, level in names if level == top}
        if len(key) >= 4 and len(names) == 1:
            out[key] = (names.pop(), top)
    out.update(_ROMANISED)
    return out


def read_romanised_places(text: str) -> tuple[str, tuple[Correction, ...]]:
    """``text`` with place names typed in pinyin (Jiangsu, qingdao, Inner Mongolia) as their Chinese names,
    and the readings made. Words of four letters or more only; a county only when capitalised
    (Shangyu, Deqing), as English words may spell one (dean: 德安)."""
    if not re.search(r"[A-Za-z]{4}", text):
        return text, ()
    places = romanised_places()
    fixes: list[Correction] = []

    def place(word: str) -> str | None:
        found = places.get(re.sub(r"\s+", "", word.lower()))
        if found is None or found[1] >= 3 and not word[:1].isupper():
            return None
        return found[0]

    def one(m: re.Match[str]) -> str:
        meant = place(m.group(0))
        if meant is None:
            return m.group(0)
        fixes.append(Correction(m.group(0), meant))
        return meant

    # two words first (Inner Mongolia, Hong Kong), then single ones
    text = _LATIN_RUN.sub(lambda m: one(m) if " " in m.group(0) and place(m.group(0)) else m.group(0), text)
    text = _LATIN_ALONE.sub(one, text)
    return text, tuple(dict.fromkeys(fixes))


@dataclass(frozen=True)
class Correction:
    typed: str  # what the question has (认正贷)
    meant: str  # the domain word it is read as (认证贷)

    def note(self) -> str:
        return f"已按“{self.meant}”理解“{self.typed}”。"


def notes(corrections: Iterable[Correction]) -> list[str]:
    """One Chinese note per correction (已按“认证贷”理解“认正贷”。)."""
    return [c.note() for c in corrections]


def target_word(word: str) -> bool:
    """Whether ``word`` may be what a typo is read as: Chinese, 2–8 characters, no figure, no stop word."""
    return (MIN_LEN <= len(word) <= MAX_LEN and _HAN.match(word) is not None
            and not _NUMERAL.search(word) and word not in stopwords())


def glossary_words() -> list[str]:
    """The glossary's terms and everyday words, in glossary order."""
    return list(dict.fromkeys(w for e in glossary() for w in (e.term, *e.everyday)))


class Corrector:
    """Reads unknown words of a question as the known word with the same pinyin (see module doc).

    ``targets``: the words a typo may be read as, best first (a pinyin shared by several goes to the
    one sharing most characters with the typo, then to the earliest); ``known``: whether a word is a
    real word, never corrected (the tokenizer's dictionary is asked as well).
    """

    def __init__(self, tokenizer: Tokenizer, targets: Iterable[str], known: Callable[[str], bool] = lambda w: False):
        self.tokenizer = tokenizer
        self._known = known
        self._targets = [w for w in dict.fromkeys(targets) if target_word(w)]
        self._map: dict[tuple[str, ...], list[str]] | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, tuple[Correction, ...]]] = {}

    def _pinyin_map(self) -> dict[tuple[str, ...], list[str]]:
        if self._map is None:
            with self._lock:
                if self._map is None:
                    out: dict[tuple[str, ...], list[str]] = {}
                    for w in self._targets:
                        for key in readings(w):
                            out.setdefault(key, []).append(w)
                    self._map = out
        return self._map

    def warm(self) -> None:
        """Build the pinyin map now (a web app or ``kb serve`` before its first question)."""
        self._pinyin_map()

    def known(self, word: str) -> bool:
        return self.tokenizer.known(word) or self._known(word)

    def correct(self, text: str) -> tuple[str, tuple[Correction, ...]]:
        """``text`` (read as Simplified) with its homophone typos replaced, and the corrections made."""
        text = to_simplified(text or "")
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        out = self._correct(text)
        placed, places = read_romanised_places(out[0])
        if places:
            out = (placed, out[1] + places)
        if len(self._cache) >= _CACHE:
            self._cache.clear()
        self._cache[text] = out
        return out

    def _correct(self, text: str) -> tuple[str, tuple[Correction, ...]]:
        if not self._targets or not re.search(r"[\u4e00-\u9fff]{2}", text):
            return text, ()
        spans = self.tokenizer.spans(text)
        stop = stopwords()
        pieces: list[str] = []
        fixes: list[Correction] = []
        last = 0
        i = 0
        while i < len(spans):
            found = self._match(text, spans, i, stop)
            if found is None:
                i += 1
                continue
            end, i_next, meant = found
            start = spans[i][0]
            pieces.append(text[last:start] + meant)
            fixes.append(Correction(text[start:end], meant))
            last, i = end, i_next
        if not fixes:
            return text, ()
        pieces.append(text[last:])
        return "".join(pieces), tuple(dict.fromkeys(fixes))

    def _match(self, text: str, spans: list[tuple[int, int]], i: int, stop) -> tuple[int, int, str] | None:
        """The longest stretch from ``spans[i]`` read as another word: (where it ends, the next word
        to look at, the word meant). A stretch is single characters (认|正|贷); it may end on the
        first character of a two-character word whose second one is a function character
        (认|正要多少钱: 认正 → 认证, 要 stays). A dictionary word and a character after it (认证|代)
        are not read as a longer word: the character is a word of its own too often (质量|管起来
        is no 质量观)."""

        def loose(j: int) -> bool:  # a single character that may be part of a typo
            w = text[spans[j][0]:spans[j][1]]
            return len(w) == 1 and _HAN.match(w) is not None and w not in stop and w not in _FUNCTION_CHARS \
                and not _NUMERAL.search(w)

        if not loose(i):
            return None
        start = spans[i][0]
        best = None
        for j in range(i, len(spans)):
            if spans[j][1] - start > MAX_LEN:
                break
            if not loose(j):
                word = text[spans[j][0]:spans[j][1]]
                if j > i and len(word) == 2 and _HAN.match(word) \
                        and (word[1] in stop or word[1] in _FUNCTION_CHARS) and not _NUMERAL.search(word):
                    meant = self._meant(text[start:spans[j][0] + 1])
                    if meant is not None:
                        best = (spans[j][0] + 1, j + 1, meant)
                break
            if spans[j][1] - start >= MIN_LEN:
                meant = self._meant(text[start:spans[j][1]])
                if meant is not None:
                    best = (spans[j][1], j + 1, meant)
        return best

    def _meant(self, typed: str) -> str | None:
        key = reading(typed)
        choices = [w for w in self._pinyin_map().get(key, ()) if w != typed] if key else []
        if not choices or self.known(typed):
            return None
        shared = {w: sum(a == b for a, b in zip(w, typed)) for w in choices}
        choices = [w for w in choices if shared[w]]
        return max(choices, key=lambda w: shared[w]) if choices else None  # max keeps the first of equals


@lru_cache(maxsize=1)
def glossary_corrector() -> Corrector:
    """A corrector to the glossary's words alone (``kb glossary``, no index needed)."""
    from .glossary import _default_tokenizer

    words = frozenset(glossary_words())
    return Corrector(_default_tokenizer(), glossary_words(), known=words.__contains__)


def index_corrector(tokenizer: Tokenizer, doc_freqs: Mapping[str, int], min_df: int = 2,
                    most: int = 20000) -> Corrector:
    """A corrector for one index: its targets are the glossary's words, then the ``most`` most frequent
    of the index's dictionary words found in ``min_df`` passages or more (not the words jieba's HMM
    made up, such as 做认证); every word of the index is known."""
    glossary_list = glossary_words()
    known = frozenset(glossary_list) | frozenset(doc_freqs)
    frequent = sorted((w for w, n in doc_freqs.items() if n >= min_df and target_word(w) and tokenizer.known(w)),
                      key=lambda w: (-doc_freqs[w], w))[:most]
    return Corrector(tokenizer, [*glossary_list, *frequent], known=known.__contains__)
