"""Pure helpers for the Streamlit app (``app.py`` only draws).

Safety rule: document text is never rendered as HTML. It goes through :func:`escape_streamlit`
(every ASCII punctuation character backslash-escaped, which CommonMark renders literally) and
only the matched terms are wrapped in Streamlit's ``:orange[...]`` colour directive (bold, no
background: the background directive pads the span, which reads as spaces inside a Chinese sentence).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableDocument
from .knowledge_base import KnowledgeBase
from .loaders import check_bytes, file_sha256
from .present import KIND_COLOR, KIND_ZH, MODE_ZH, STATUS_ZH, outcome_text, safe_filename
from .records import Case, Chunk, Hit, Outcome, Region
from .retrieval import question_industry  # noqa: F401  (the app reads it as ui.question_industry)
from .tokenizer import generic_words

__all__ = ["KIND_COLOR", "KIND_ZH", "MODE_ZH", "STATUS_ZH", "safe_filename"]  # re-exported for app.py

# Shown when the query box is empty; all answerable from the shipped report.
EXAMPLE_QUERIES = (
    "家纺企业产品缺陷率高，别的地方怎么帮扶的？",
    "认证贷 融资难",
    "我们是做雨伞的小厂，认证能带来什么？",
    "黄芪 区域试点 认证＋标准＋品牌",
    "长三角养老服务质量提升",
    "认证机构为小微企业减免认证费用",
)
EXAMPLE_PROBLEMS = (
    ("纺织业", "产品缺陷率高，返工多"),
    ("", "小微企业融资难，缺少抵押"),
    ("", "产业链上下游质量协同不足"),
)

# The app's pages, with the name each has in the URL (?p=…): a refresh or a shared link opens the
# same page. The Chinese name is accepted too (a link typed by hand).
PAGE_SLUGS = {"案例检索": "search", "可比案例": "cases", "知识库管理": "manage", "检索测试": "debug", "课件导出": "export"}


def page_from_param(value) -> str | None:
    """The page a ``?p=`` value names (its slug or its Chinese name), else None."""
    if isinstance(value, list):  # a repeated parameter: the last one, as a browser would
        value = value[-1] if value else None
    value = (value or "").strip()
    if value in PAGE_SLUGS:
        return value
    return next((page for page, slug in PAGE_SLUGS.items() if slug == value.lower()), None)


# The app's only HTML: a static style sheet, loaded from a file (st.html applies style-only content).
APP_CSS = Path(__file__).parent / "data" / "app.css"


# --------------------------------------------------------------------------- serving

# How long a page may wait for the model before answering with BM25 alone. The ONNX model
# loads in well under a second, so the first answer is already hybrid; a model that has to be
# exported first (or a slow fallback) still gets keyword results at once.
MODEL_WAIT_S = 1.5


class KBRuntime:
    """A knowledge base for serving: the embedding model loads in a background thread.

    Until :attr:`model_ready`, callers should search with BM25 only (see :func:`effective_mode`)
    instead of blocking a page on the model load; :meth:`wait_ready` waits a bounded time first.
    """

    def __init__(self, kb: KnowledgeBase, start: bool = True):
        self.kb = kb
        self.model_error: str | None = None
        self.thread = threading.Thread(target=self._warm_up, name="kb-warm-up", daemon=True)
        if start:
            self.thread.start()

    def _warm_up(self) -> None:
        try:
            self.kb.warm_up()
        except Exception as exc:  # reported in the UI; keyword search keeps working
            self.model_error = str(exc) or type(exc).__name__
            return
        # The passages' token vectors next (kb.token_match), without holding up the model's readiness.
        self.kb.start_token_warm_up()

    @property
    def model_ready(self) -> bool:
        return self.kb.model_loaded and not self.thread.is_alive()

    def wait_ready(self, timeout: float = MODEL_WAIT_S) -> bool:
        """:attr:`model_ready`, after waiting up to ``timeout`` seconds for the warm-up to finish."""
        if self.thread.ident is not None:  # started
            self.thread.join(timeout)
        return self.model_ready


# --------------------------------------------------------------------------- Markdown safety

_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def escape_streamlit(text: str) -> str:
    """Make arbitrary text render literally in ``st.markdown`` (no HTML, links, directives, math).

    Every ASCII punctuation character gets a backslash (CommonMark renders ``\\<`` as ``<``),
    so ``<script>``, ``<img onerror=…>``, ``[x](javascript:…)``, ``$x$`` and ``:red[x]`` stay text.
    Line breaks are kept as hard breaks.
    """
    lines = [_ASCII_PUNCT.sub(r"\\\1", line) for line in (text or "").splitlines()]
    return "  \n".join(lines)


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``terms`` in ``text``, longest term first, sorted.

    Only informative terms are marked: two or more characters and not one of the generic words
    (企业, 质量, 产品 … in kb/data/generic_words.txt) that occur in nearly every passage.
    Matching is case-insensitive for Latin letters.
    """
    generic = generic_words()
    words = sorted({t.strip() for t in terms if t and len(t.strip()) >= 2 and t.strip() not in generic},
                   key=lambda t: (-len(t), t))
    lowered = text.lower()
    taken = [False] * len(text)
    spans: list[tuple[int, int]] = []
    for w in words:
        needle = w.lower()
        start = lowered.find(needle)
        while start != -1:
            end = start + len(needle)
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = lowered.find(needle, end)
    spans.sort()
    # Adjacent spans read as one highlight.
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and merged[-1][1] == s:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|万人次|万元|亿元|万|亿|家|个|项|人次|人|元|倍)?")


def emphasise_numbers(text: str) -> str:
    """Escaped ``text`` with its figures (10.2%、3960万元、1433家) in bold, for the direct answer."""
    out: list[str] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        out.append(escape_streamlit(text[pos:m.start()]))
        out.append(f"**{escape_streamlit(m.group(0))}**")
        pos = m.end()
    out.append(escape_streamlit(text[pos:]))
    return "".join(out)


def highlight_markdown(text: str, terms: Iterable[str], color: str = "orange") -> str:
    """Escaped ``text`` with the matched terms wrapped in ``:{color}[**...**]``."""
    out: list[str] = []
    pos = 0
    for s, e in highlight_spans(text, terms):
        out.append(escape_streamlit(text[pos:s]))
        inner = escape_streamlit(text[s:e]).replace("  \n", " ")
        out.append(f":{color}[**{inner}**]")
        pos = e
    out.append(escape_streamlit(text[pos:]))
    return "".join(out)


def badge(label: str, color: str = "gray") -> str:
    """A Streamlit Markdown badge with ``label`` shown literally."""
    label = escape_streamlit(label).replace("  \n", " ")
    return f":{color}-badge[{label}]"


def outcome_badges(outcomes: Sequence[Outcome]) -> str:
    """Outcome figures as small green badges: ``产品缺陷发生率：15% → 7%``."""
    return " ".join(badge(outcome_text(o), "green") for o in outcomes)


def tag_badges(kind: str, region: str = "", industry: str = "") -> str:
    parts = [badge(KIND_ZH.get(kind, kind), KIND_COLOR.get(kind, "gray"))]
    if region:
        parts.append(badge(f"地区：{region}", "violet"))
    if industry:
        parts.append(badge(f"行业：{industry}", "orange"))
    return " ".join(parts)


# --------------------------------------------------------------------------- results

def card_title(chunk: Chunk, doc_title: str) -> str:
    """The nearest section heading, else the document title."""
    return chunk.section[-1] if chunk.section else doc_title


def effective_mode(requested: str, model_loaded: bool, model_error: str | None = None) -> tuple[str, str | None]:
    """The mode to run now and a note for the user when it differs from ``requested``."""
    if requested == "bm25":
        return "bm25", None
    if model_error:
        return "bm25", f"语义模型不可用（{model_error}），暂时只提供关键词检索。"
    if not model_loaded:
        return "bm25", "语义结果正在加载：语义模型尚未就绪，先显示关键词检索结果；模型就绪后页面会自动更新为混合/语义结果。"
    return requested, None


# Terms too general to explain next to every result.
_PLAIN_SKIP = frozenset({"质量", "认证", "培训", "管理体系", "合格", "检验", "审核", "帮扶", "人力", "营收", "提升行动"})


def glossary_terms(texts: Sequence[str]) -> list:
    """Glossary entries used in ``texts`` (question first, then results), each once, in order."""
    from .glossary import terms_in

    seen: set[str] = set()
    out = []
    for text in texts:
        for e in terms_in(text, _PLAIN_SKIP):
            if e.term not in seen:
                seen.add(e.term)
                out.append(e)
    return out


def _cell(value) -> str:
    """A table cell: a missing value reads as —, never ``None``."""
    return "—" if value is None else str(value)


def hits_table(hits: Sequence[Hit]) -> list[dict]:
    """Rows for the 检索测试 table (one per hit)."""
    return [{
        "名次": h.rank,
        "融合分数": round(h.score, 4),
        "BM25 名次": _cell(h.bm25_rank),
        "语义名次": _cell(h.dense_rank),
        "逐字匹配": _cell(None if h.token_match is None else f"{h.token_match:.3f}"),
        "段落": h.chunk.text[:60] + ("…" if len(h.chunk.text) > 60 else ""),
        "页码": _cell(h.chunk.page),
        "命中词": "、".join(h.matched_terms),
        "类型": KIND_ZH.get(h.chunk.kind, h.chunk.kind),
        "章节": h.chunk.section_path,
    } for h in hits]


# A table cell shows one line unless its rows are taller than 4rem (64 px): then Streamlit's data grid
# wraps the text. About 26 Chinese characters fit on a line of a "large" (400 px) column.
_CELL_LINE_PX = 20
_CELL_PAD_PX = 8
WRAP_CHARS = 26


def wrap_row_height(texts: Iterable[str], chars_per_line: int = WRAP_CHARS, max_lines: int = 6) -> int | None:
    """A ``row_height`` for ``st.dataframe`` that shows the longest of ``texts`` (titles, section
    paths, file names) whole, wrapped, instead of cut off at the column's edge; None (one line, the
    default) when every text fits on a line. Rows of three lines or more: below that the grid does
    not wrap at all."""
    longest = max((len(str(t)) for t in texts if t), default=0)
    if longest <= chars_per_line:
        return None
    lines = min(max_lines, max(3, -(-longest // chars_per_line)))
    return _CELL_PAD_PX + _CELL_LINE_PX * lines


def region_options(cases: Iterable[Case], named: Iterable[Region] = ()) -> list[str]:
    """Provinces, then cities and counties, that occur in case records and in ``named`` (the
    places passages name, for the passage search filter)."""
    provinces, others = set(), set()
    for r in [r for c in cases for r in c.all_regions] + list(named):
        if r.province:
            provinces.add(r.province)
        for name in (r.city, r.county):
            if name:
                others.add(name)
    return sorted(provinces) + sorted(others - provinces)


def progress_fraction(stage: str, done: int, total: int, item: str = "") -> tuple[float | None, str]:
    """Map the library's (stage, done, total, item) progress to one bar: parsing 0–40 %, embedding 40–100 %.

    OCR pages of one file (stage ``ocr``) do not move the bar (None): only its label changes.
    """
    if stage == "ocr":
        return None, f"解析文件：{item}" if item else f"OCR 识别 {done}/{total} 页"
    frac = (done / total) if total else 1.0
    frac = min(max(frac, 0.0), 1.0)
    if stage == "parse":
        label = f"解析文件 {done}/{total}" + (f"：{item}" if item else "")
        return 0.4 * frac, label
    if stage == "embed":
        return 0.4 + 0.6 * frac, f"生成向量 {done}/{total}"
    return frac, f"{stage} {done}/{total}"


# --------------------------------------------------------------------------- uploads

@dataclass(frozen=True)
class UploadCheck:
    ok: bool
    reason: str = ""  # Chinese, for the user, when not ok


def check_upload(name: str, data: bytes, max_mb: float) -> UploadCheck:
    """Server-side checks of an uploaded file: size here, everything else by the loaders' own
    checks (type by extension *and* content, decoding), so an upload is accepted exactly when
    the same file dropped into ``corpus/`` would be read."""
    if len(data) > max_mb * 1024 * 1024:
        return UploadCheck(False, f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 {max_mb:g} MB。")
    try:
        # the name it will be saved under ("..txt" becomes "txt", with no extension)
        check_bytes(safe_filename(name), data)
    except UnreadableDocument as exc:
        return UploadCheck(False, exc.reason.rstrip("。") + "。")
    return UploadCheck(True)


def find_same_content(directory: Path, data: bytes) -> Path | None:
    """A file under ``directory`` with exactly these bytes, if any."""
    if not directory.is_dir():
        return None
    digest, size = hashlib.sha256(data).hexdigest(), len(data)
    for p in directory.rglob("*"):
        try:
            if p.is_file() and p.stat().st_size == size and file_sha256(p) == digest:
                return p
        except OSError:
            continue
    return None


def save_upload(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` under ``directory`` with a sanitised name; never overwrite (adds “ (2)”, “ (3)” …)."""
    directory.mkdir(parents=True, exist_ok=True)
    safe = safe_filename(name)
    stem, dot, ext = safe.rpartition(".")
    if not dot:
        stem, ext = safe, ""
    root = directory.resolve()
    for n in range(1, 1000):
        candidate = f"{stem} ({n}).{ext}" if n > 1 else safe
        if not ext:
            candidate = candidate.rstrip(".")
        path = (root / candidate).resolve()
        if path.parent != root:
            raise ValueError("非法文件名")
        try:
            with open(path, "xb") as fh:  # "x": fails if the name is taken, even in a race
                fh.write(data)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"同名文件过多：{safe}")


def replace_upload(directory: Path, name: str, data: bytes) -> tuple[Path, bytes | None]:
    """Write ``data`` under ``directory`` with a sanitised name, replacing a file of that name
    (HTTP PUT: the name is the document). Returns the path and the bytes it held before (None if
    it is new), for :func:`restore_upload`. Written beside and moved into place, so a reader
    never sees half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    path = (root / safe_filename(name)).resolve()
    if path.parent != root:
        raise ValueError("非法文件名")
    previous = path.read_bytes() if path.is_file() else None
    _write_atomically(path, data)
    return path, previous


def restore_upload(path: Path, previous: bytes | None) -> None:
    """Undo :func:`replace_upload` (or a removal): put ``previous`` back, or remove the new file."""
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        _write_atomically(path, previous)


def _write_atomically(path: Path, data: bytes) -> None:
    from .model_files import write_bytes_atomic

    write_bytes_atomic(path, data, prefix=".upload-", suffix=".part")


def source_in_corpus(home: Path, corpus_dir: Path, doc_path: str) -> Path | None:
    """The source file of an indexed document if it lies inside ``corpus_dir`` (else None)."""
    p = Path(doc_path)
    p = p if p.is_absolute() else home / p
    try:
        resolved = p.resolve()
        resolved.relative_to(corpus_dir.resolve())
    except (OSError, ValueError):
        return None
    return resolved if resolved.is_file() else None


# --------------------------------------------------------------------------- basket across refreshes

_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")


def new_session_id() -> str:
    """A random id for the ``?s=`` URL parameter that names a browser session's basket."""
    import uuid

    return uuid.uuid4().hex


def basket_path(home: Path, session_id: str) -> Path | None:
    """Where the basket of ``session_id`` is kept (``KB_HOME/.sessions``); None for a malformed id."""
    if not _SESSION_ID.match(session_id or ""):
        return None
    return home / ".sessions" / f"basket-{session_id}.json"


def save_basket(home: Path, session_id: str, items: Sequence) -> None:
    """Write the basket as JSON (atomically), so a page refresh with the same id finds it again."""
    import json
    import os
    import tempfile

    path = basket_path(home, session_id)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump([it.as_dict() for it in items], fh, ensure_ascii=False)
    os.replace(tmp, path)


def load_basket(home: Path, session_id: str) -> list:
    """The saved basket of ``session_id`` (empty when there is none or it cannot be read)."""
    import json

    from .export import ExportItem

    path = basket_path(home, session_id)
    if path is None or not path.exists():
        return []
    try:
        return [ExportItem.from_dict(d) for d in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError, KeyError):
        return []
