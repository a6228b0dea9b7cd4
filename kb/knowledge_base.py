"""The library's front door: one object that ingests files and answers queries.

It holds what both sides share (configuration, tokenizer, the lazily loaded embedding model,
the in-memory snapshot of the current generation) and hands the work to
:class:`kb.indexing.IndexWriter` (writing an index) and :class:`kb.retrieval.Retriever`
(reading one).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import store
from .config import KBConfig
from .embedding import Embedder, make_embedder
from .errors import KBError
from .glossary import expand
from .homophones import Correction
from .homophones import notes as homophone_notes
from .indexing import IndexWriter, IngestReport, Progress, discover
from .present import guidance_heading
from .records import Case, CaseHit, Chunk, DocumentInfo, Hit, Region
from .retrieval import (
    ANSWER_FROM_HITS,
    MODES,
    AnswerSentence,
    Candidates,
    Filters,
    Outline,
    Retriever,
    case_hit,
)
from .snapshot import Snapshot
from .tokenizer import Tokenizer

# Why a question came back empty when it is about something the documents never speak to.
OFF_TOPIC_NOTE = ("没有找到相关内容：知识库里的文档没有谈到这个问题（这里收录的是小微企业质量管理体系认证提升行动的"
                  "报告、案例和经验）。如果问的是企业质量方面的事，可以换个说法，写出行业和遇到的问题。")

# A greeting or thanks typed as a question (你好, 在吗, 谢谢): no search, a word on what to ask.
GREETING = re.compile(r"(?:你好|您好|嗨|哈喽|hello|hi|hey|在吗|在不在|有人吗|谢谢|多谢|感谢|thanks|thank you|再见|拜拜)"
                      r"[啊呀呢吗哈啦~～]*", re.IGNORECASE)
GREETING_NOTE = ("您好！这里可以查小微企业质量管理体系认证提升行动的报告、企业案例和地方经验。请直接写出行业和遇到的问题，"
                 "例如“家纺企业产品缺陷率高怎么办”“认证贷是什么”“做了认证利润能多几个点”。")

OFF_TOPIC_CASES_NOTE = ("所述问题与知识库中的案例无关（这里收录的是小微企业质量管理体系认证提升行动的报告、案例和经验），"
                        "没有列出案例。如果问的是企业质量方面的事，可以写出行业和遇到的问题。")

__all__ = ["KnowledgeBase", "Filters", "greeting_note", "is_greeting", "IngestReport", "Candidates", "AnswerSentence", "MODES"]


def is_greeting(query: str) -> bool:
    """Whether ``query`` is only a greeting or thanks, with punctuation (你好！, 在吗？, 谢谢)."""
    return bool(GREETING.fullmatch(re.sub(r"[\s\W_]+", "", query or "")))


def greeting_note(query: str, inline_examples: bool = True) -> str:
    """The answer to a greeting or thanks (你好, 谢谢) typed as a question: what can be asked here.

    With ``inline_examples`` the note names example questions itself (the CLI and the API's
    ``notes``); without, it ends with 例如下面的问题： for a page that shows its own clickable
    examples below it (the app)."""
    thanks = re.search(r"谢|thank", query or "", re.IGNORECASE)
    intro, _, examples = GREETING_NOTE.partition("例如")
    if thanks:
        intro = "不客气！还可以接着问：" + intro.split("请", 1)[1]
    return intro + "例如" + (examples if inline_examples else "下面的问题：")


class KnowledgeBase:
    """Open (lazily) the index under ``config.index_dir``; ingest and query it.

    Queries read an immutable in-memory snapshot of one generation, so they are safe from
    many threads and keep answering while another process builds the next generation.
    """

    def __init__(self, config: KBConfig | None = None, embedder: Embedder | None = None):
        self.config = config or KBConfig()
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self.tokenizer = Tokenizer(self.config.index_dir / ".cache")
        self._snap: Snapshot | None = None
        self._snap_lock = threading.Lock()
        self._pinned = threading.local()  # see pinned()
        self.milvus = None
        backend = None
        if self.config.backend == "milvus":
            from .milvus_backend import MilvusBackend, MilvusIndex

            self.milvus = MilvusIndex(self.config)
            backend = MilvusBackend(self.milvus)
        elif self.config.backend != "local":
            raise KBError(f"未知的检索后端“{self.config.backend}”（KB_BACKEND 可选 local 或 milvus）。")
        # The writer always builds under indexes/ (and reuses vectors from there); with Milvus
        # the finished generation is then published (see kb/milvus_backend.py).
        self.writer = IndexWriter(self.config, self.tokenizer, lambda: self.embedder,
                                  self.snapshot if self.milvus is None else self.local_snapshot)
        self.retriever = Retriever(self.config, self.tokenizer, lambda: self.embedder, backend)

    def close(self) -> None:
        """Release the Milvus connection (and a Milvus Lite server process); the local backend holds none."""
        if self.milvus is not None:
            self.milvus.close()

    # ----------------------------------------------------------------- model
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    self._embedder = make_embedder(self.config.model, self.config.embed_batch_size,
                                                   self.config.embed_backend, self.config.embed_precision)
        return self._embedder

    @property
    def model_loaded(self) -> bool:
        emb = self._embedder
        return emb is not None and getattr(emb, "loaded", True)

    def warm_up(self) -> None:
        """Initialise jieba and the embedding model before serving (e.g. in a web app)."""
        self.tokenizer.tokenize("预热")
        self.embedder.embed(["预热"])

    def start_token_warm_up(self) -> threading.Thread:
        """:meth:`warm_token_cache` in a daemon thread (web app, ``kb serve``), after building the
        homophone corrector's pinyin map; a failure there only means slower first searches, which
        compute what they need themselves."""
        def run() -> None:
            try:
                self.snapshot().homophones(self.tokenizer).warm()  # the pinyin map of kb.homophones
                self.warm_token_cache()
            except Exception:  # noqa: BLE001 - best effort
                logging.getLogger(__name__).debug("token cache warm-up failed", exc_info=True)

        thread = threading.Thread(target=run, name="kb-token-cache", daemon=True)
        thread.start()
        return thread

    def warm_token_cache(self, limit: int | None = None, batch: int = 16) -> int:
        """Compute the token vectors of the first ``limit`` passages (``config.token_warm_chunks``)
        that no cache holds yet, so the first searches need not (kb.token_match; run in the
        background by the web app and ``kb serve``). Returns how many passages it embedded."""
        snap = self.snapshot()
        if not self.retriever.token_matcher.available():
            return 0
        texts = [c.text for c in snap.chunks[: self.config.token_warm_chunks if limit is None else limit]]
        matcher = self.retriever.token_matcher
        todo = [t for t in dict.fromkeys(texts) if not matcher.cached(t)]
        for start in range(0, len(todo), batch):
            matcher.passage_vectors(todo[start:start + batch])
        return len(todo)

    # ----------------------------------------------------------------- snapshot
    def local_snapshot(self) -> Snapshot:
        """The generation ``indexes/current`` points at, read from its files."""
        return Snapshot(*store.open_current(self.config.index_dir))

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Within the block, this thread's queries all read one generation (the first one a
        query in it reads): the hits, their answer, outline and cases agree even when
        ``kb ingest`` moves ``current`` meanwhile (otherwise a hit's chunk id may be missing
        from the generation the answer reads). Nested blocks share the outer one's."""
        if getattr(self._pinned, "active", False):
            yield
            return
        self._pinned.active, self._pinned.snap = True, None
        try:
            yield
        finally:
            self._pinned.active, self._pinned.snap = False, None

    def snapshot(self) -> Snapshot:
        """The current generation in memory (reloaded when ``current`` moved); inside
        :meth:`pinned`, the one this thread read first."""
        if getattr(self._pinned, "active", False):
            if self._pinned.snap is None:
                self._pinned.snap = self._current_snapshot()
            return self._pinned.snap
        return self._current_snapshot()

    def _current_snapshot(self) -> Snapshot:
        if self.milvus is not None:
            return self._milvus_snapshot()
        gen, manifest = store.open_current(self.config.index_dir)
        snap = self._snap
        if snap is not None and snap.generation == manifest.get("generation"):
            return snap
        with self._snap_lock:
            # Read ``current`` again under the lock: while this thread waited, another may have
            # loaded a newer generation, and going back to an older (maybe pruned) one is wrong.
            gen, manifest = store.open_current(self.config.index_dir)
            if self._snap is None or self._snap.generation != manifest.get("generation"):
                self._snap = Snapshot(gen, manifest)
            return self._snap

    def _milvus_snapshot(self) -> Snapshot:
        from .milvus_backend import MilvusSnapshot

        base = self.milvus.current_base()
        snap = self._snap
        if snap is not None and base is not None and snap.base == base:
            return snap
        with self._snap_lock:
            base, manifest = self.milvus.open_current()
            if self._snap is None or self._snap.base != base:
                self._snap = MilvusSnapshot(self.milvus, base, manifest)
            return self._snap

    def manifest(self) -> dict:
        return self.snapshot().manifest

    # ----------------------------------------------------------------- ingest
    def discover(self, paths: Sequence[str | Path] | None) -> list[Path]:
        return discover([Path(p) for p in paths] if paths else [self.config.corpus_dir], skip=[self.config.index_dir])

    def ingest(self, paths: Sequence[str | Path] | None = None, rebuild: bool = False,
               progress: Progress | None = None) -> IngestReport:
        """Index ``paths`` (default: the corpus folder) incrementally and atomically.

        With Milvus, the new local generation is then published to Milvus; when nothing
        changed and Milvus already serves the local generation, nothing is written.
        """
        started = time.perf_counter()
        if self.milvus is not None:
            # Connect first: a Milvus Lite file held by another process refuses this ingest before
            # minutes of parsing and embedding, and before indexes/ moves ahead of Milvus.
            self.milvus.client  # noqa: B018 - connecting is the point
        report = self.writer.ingest(paths, rebuild=rebuild, progress=progress)
        if self.milvus is not None:
            with store.ingest_lock(self.config.index_dir):
                base, written = self.milvus.publish(self.local_snapshot(), progress)
            if written:
                report.changed = True
                report.generation = report.generation or self.local_snapshot().generation
                report.notes.append(f"已写入 Milvus（{self.milvus.uri}）：{base}")
            report.seconds = time.perf_counter() - started
        if report.changed:  # token vectors of passages no longer indexed (kb.token_match)
            try:
                self.retriever.token_matcher.prune([c.text for c in self.local_snapshot().chunks])
            except Exception:  # noqa: BLE001 - a cache left as it was costs disk space only
                logging.getLogger(__name__).debug("token cache prune failed", exc_info=True)
        return report

    # ----------------------------------------------------------------- inspect
    def documents(self) -> list[DocumentInfo]:
        return [d.info for d in self.snapshot().docs.values()]

    def document_list(self, snap=None) -> list[dict]:
        """The indexed documents as JSON rows (``kb stats --json`` and ``GET /api/documents``);
        ``snap``: read this snapshot (one generation for the whole answer)."""
        keys = ("doc_id", "title", "path", "format", "pages", "chunks", "cases", "sha256")
        return [{k: getattr(d.info, k) for k in keys} for d in (snap or self.snapshot()).docs.values()]

    def chunks(self, doc: str | None = None) -> list[Chunk]:
        return [c for c in self.snapshot().chunks if doc is None or c.doc_id == doc or c.doc_id.startswith(doc)]

    def all_cases(self) -> list[Case]:
        return list(self.snapshot().cases)

    def passage_regions(self) -> list[Region]:
        """Every place the passage region filter can match: the places of the cases and the
        places the passages name (each once, in index order)."""
        seen: dict[tuple, None] = {}
        for t in self.snapshot().tags:
            seen.update(dict.fromkeys(t.all_regions))
        return [Region(*r) for r in seen]

    def case(self, case_id: str) -> Case | None:
        return next((c for c in self.snapshot().cases if c.case_id == case_id), None)

    def case_hit(self, case_id: str) -> CaseHit | None:
        """The case ``case_id`` as an unranked result (its document's title, printed page numbers,
        OCR), e.g. for a course pack that shows a passage as the case it belongs to; None if unknown."""
        snap = self.snapshot()
        pos = next((i for i, c in enumerate(snap.cases) if c.case_id == case_id), None)
        return None if pos is None else case_hit(snap, 0, pos, 0.0, ())

    def cases_of_chunk(self, chunk_id: str) -> list[Case]:
        """The case records a passage belongs to (its outcomes are theirs)."""
        return self.snapshot().cases_of_chunk(chunk_id)

    def doc_title(self, doc_id: str) -> str:
        return self.snapshot().doc_title(doc_id)

    def stats(self) -> dict:
        snap = self.snapshot()
        m = snap.manifest
        kinds: dict[str, int] = {}
        for c in snap.cases:
            kinds[c.kind] = kinds.get(c.kind, 0) + 1
        return {
            "generation": m.get("generation"), "created": m.get("created"), "index_dir": str(self.config.index_dir),
            "model": m.get("model"), "tokenizer": m.get("tokenizer"), "chunker_version": m.get("chunker_version"),
            "cases_version": m.get("cases_version"), "documents": len(snap.docs), "pages": sum(d.info.pages for d in snap.docs.values()),
            "chunks": len(snap.chunks), "cases": len(snap.cases), "cases_by_kind": kinds,
            "outcomes": sum(len(c.outcomes) for c in snap.cases),
            "vector_index": snap.vector_index_kind, "sentences": snap.sentence_count, "backend": self.config.backend,
            "document_list": self.document_list(snap),
        }

    def filter_notes(self, industry: str | None = None, region: str | None = None,
                     doc: str | None = None) -> list[str]:
        """Chinese notes for filter values that match nothing known (an unknown trade or place, a
        document id no document has, filters everything out; the note says why the list is empty)."""
        from .industries import industry_list, is_known_industry
        from .regions import is_known_region
        from .simplified import to_simplified

        notes = []
        industry, region = to_simplified((industry or "").strip()), to_simplified((region or "").strip())
        if industry and not is_known_industry(industry):
            known = industry_list(self.industries(), labels=False) or "（索引中还没有识别出行业）"
            notes.append(f"未知行业“{industry}”，可选：{known}（也可写 GB/T 4754 的其他大类名称，或“家纺”这类常用说法）。")
        if region and not is_known_region(region):
            notes.append(f"未识别的地区“{region}”：应为省、市或县的名称（如 江苏、南通市），结果将为空。")
        doc = (doc or "").strip()
        if doc and not any(d.doc_id.startswith(doc) for d in self.documents()):
            notes.append(f"没有编号以“{doc}”开头的文档（kb stats 列出各文档的编号），结果将为空。")
        return notes

    def industry_notes(self, industry: str | None, hits: Sequence[CaseHit], region: str | None = None,
                       kind: str | None = None, problem: str | None = None) -> list[str]:
        """:meth:`reading_notes` of ``problem`` (a homophone typo read as the word meant), then
        :meth:`trade_notes`."""
        return self.reading_notes(problem) + self.trade_notes(industry, hits, region, kind, problem)

    def trade_notes(self, industry: str | None, hits: Sequence[CaseHit], region: str | None = None,
                    kind: str | None = None, problem: str | None = None) -> list[str]:
        """Chinese notes for a case list asked for a trade none of whose cases is listed: the index (or
        the region and kind chosen) has no case of it, so the list holds neighbouring trades; or it has
        some that match the problem too weakly to be among these. Shared by kb cases, /api/cases and
        the app's 可比案例 page. Nothing for no trade or an unknown one (:meth:`filter_notes` says so).
        An empty list for a ``problem`` the documents never speak to (今天天气怎么样) says that instead."""
        from .cases_ranking import industry_case_count
        from .industries import industry_list, is_known_industry, resolve_industries
        from .simplified import to_simplified

        if not hits and (problem or "").strip() and not (industry or "").strip() and not region \
                and self.off_topic(problem) and not self.retriever.in_case_records(self.snapshot(), problem):
            return [OFF_TOPIC_CASES_NOTE]
        industry = to_simplified((industry or "").strip())
        if not industry or not is_known_industry(industry):
            return []
        wanted = set(resolve_industries(industry))
        if any(wanted & set(h.case.all_industries) for h in hits):
            return []
        region = to_simplified(region) if region else region
        label = f"“{industry}”（{industry_list(sorted(wanted))}）"
        count = industry_case_count(self.snapshot().cases, industry, region, kind)
        if count:
            return [f"{label}有 {count} 个案例，但与问题匹配较弱，不在这 {len(hits)} 条里；增加条数可以看到。"] if hits else []
        where = "所选地区或类型中" if region or kind else "索引中"
        tail = "，下面列出的是相近行业的案例。" if hits else "。"
        return [f"{where}没有{label}的案例{tail}"]

    def industries(self) -> list[str]:
        snap = self.snapshot()
        names = {i for c in snap.cases for i in c.all_industries}
        for t in snap.tags:
            names.update(t.industries)
        return sorted(names)

    # ----------------------------------------------------------------- search
    def read_query(self, query: str) -> str:
        """``query`` as the searches read it: Simplified characters, homophone typos of pinyin input
        corrected (认正贷 → 认证贷; :mod:`kb.homophones`)."""
        return self.retriever.read(self.snapshot(), query or "")

    def corrections(self, query: str | None) -> list[Correction]:
        """The homophone typos read as another word in ``query`` (认正贷 → 认证贷)."""
        if not (query or "").strip():
            return []
        return list(self.retriever.corrections(self.snapshot(), query))

    def reading_notes(self, query: str | None) -> list[str]:
        """Chinese notes for the homophone typos read as the word meant (已按“认证贷”理解“认正贷”。)."""
        return homophone_notes(self.corrections(query))

    def expand_query(self, query: str) -> str:
        """``query`` (typos corrected) followed by the report terms its everyday words stand for
        (kb/data/glossary.tsv)."""
        return expand(self.read_query(query), self.tokenizer)

    def candidates(self, query: str, mode: str = "hybrid", filters: Filters | None = None,
                   n: int | None = None) -> Candidates:
        """What BM25 and the vectors each found, before fusion (for tuning and diagnostics)."""
        return self.retriever.candidates(self.snapshot(), query, mode, filters, n)

    def search(self, query: str, top_k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               include_all: bool = False) -> list[Hit]:
        """Rank chunks for ``query``. Scores are on a 0–1 scale (see README: 分数含义); in hybrid
        mode passages below the relevance floor are left out unless ``include_all``."""
        return self.retriever.search(self.snapshot(), query, top_k, mode, filters, include_all)

    def absent_names(self, query: str) -> list[str]:
        """Places, trades and Latin names ``query`` names that no document mentions (see
        Retriever.absent_names)."""
        return self.retriever.absent_names(self.snapshot(), query)

    def answer(self, query: str, hits: list[Hit], filters: Filters | None = None) -> list[AnswerSentence]:
        """The one or two sentences of ``hits`` that answer ``query`` most directly (``filters``: those of
        the search, for the second part of a question asking two things)."""
        return self.retriever.answer(self.snapshot(), query, hits, filters=filters)

    def empty_note(self, query: str, mode: str = "hybrid", include_all: bool = False,
                   filters: Filters | None = None, examples_below: bool = False) -> str:
        """Why a search came back empty, in Chinese: a greeting (what can be asked here), the question
        is about something the documents never speak to (天气, 个税; see Retriever.on_topic), or no
        passage reached the relevance floor. Shared by ``kb search``, the API's ``notes`` and the app;
        ``examples_below``: the app's wording, for a page that lists clickable example questions
        after the note (and has a 显示低相关度结果 switch instead of ``--all``)."""
        narrowed = filters is not None and any((filters.industry, filters.region, filters.kind, filters.doc))
        if is_greeting(query):
            return greeting_note(query, inline_examples=not examples_below)
        tail = "也可以试试下面的问题：" if examples_below else ""
        if mode == "hybrid" and not include_all and not narrowed and self.off_topic(query):
            return OFF_TOPIC_NOTE + tail
        kind = self.kind_note(filters.kind if filters else None)
        if examples_below:
            return ("没有找到相关内容。可以换个说法（写出行业、遇到的问题）" + ("，去掉行业/地区/类型筛选" if narrowed else "") +
                    ("。" if include_all else "，或打开“显示低相关度结果”。") + kind + tail)
        return "没有找到相关内容：可以换个说法（写出行业、遇到的问题）" + ("，去掉筛选条件" if narrowed else "") + \
            ("。" if include_all or mode != "hybrid" else "，或查看低相关度的段落（kb search --all，API 中 all=true）。") + kind

    def kind_note(self, kind: str | None) -> str:
        """For a passage search narrowed to a kind of case that came back empty: the kind filter
        reads the kind of the passage's document, and a report's 地方经验 are report passages; the
        case records of that kind are on the 可比案例 page / kb cases (empty when there are none)."""
        from .present import KIND_ZH
        from .records import kind_value

        kind = kind_value(kind) if kind else None
        if kind not in ("enterprise_case", "local_experience"):
            return ""
        count = sum(c.kind == kind for c in self.all_cases())
        if not count:
            return ""
        zh = KIND_ZH[kind]
        return (f"类型筛选看的是段落所在文档的类型，报告里写到的{zh}算报告段落；{zh}的案例记录共 {count} 个，"
                f"请在“可比案例”页按类型查看（kb cases --kind {zh}）。")

    def off_topic(self, query: str) -> bool:
        """Whether the documents cannot speak to ``query`` at all (今天天气怎么样, 个税怎么申报)."""
        return self.retriever.off_topic(self.snapshot(), query)

    def definitions(self, query: str) -> list:
        """The glossary entries a question asks the meaning of (啥叫采信, 链主是啥; see
        :func:`kb.glossary.asked_terms`): the plain explanation comes before the report's sentences."""
        from .glossary import asked_terms

        return asked_terms(self.read_query(query), self.tokenizer)

    @staticmethod
    def unanswered(query: str, answer) -> str | None:
        """A note when the question asks for something no answer sentence gives (a cost, a length of
        time, how to apply, where to complain, a body to recommend, a contact, the number certified, a
        loan's terms, a date, a bank to go to; see :data:`kb.retrieval.UNANSWERED_ZH`), for a year the
        sentences are not about (文档中没有写到2024年的数字…) or for a place they are not about (广东给了多少
        补贴: 文档中没有写到广东的这项数字…); None otherwise. ``query`` as searched (:meth:`read_query`:
        Jiangsu is 江苏)."""
        from .retrieval import (
            UNANSWERED_ZH,
            unanswered_figures,
            unanswered_places,
            unanswered_years,
            unranked_places,
        )

        notes = [UNANSWERED_ZH[k] for k in unanswered_figures(query, answer)] if answer else []
        years = unanswered_years(query, answer) if answer else []
        if years:  # 2024年营收又涨了多少: the sentences give 2023年's
            notes.append(f"文档中没有写到{'、'.join(y + '年' for y in years)}的数字，下面的句子说的是其他年份")
        places = unanswered_places(query, answer) if answer and not years else []
        if places:  # 广东给了多少财政补贴: the sentences give the national total and 河北's
            notes.append(f"文档中没有写到{'、'.join(places)}的这项数字，下面的句子说的是其他地方或全国的")
        unranked = unranked_places(query, answer) if answer and not places else []
        if unranked:  # 广东排第几: the report ranks ten provinces, 广东 is not among them
            notes.append(f"文档中没有写到{'、'.join(unranked)}的名次")
        # 有效期几年，年审要交多少钱: 文档中没有写到需要多长时间，也没有写到具体的费用数额
        return "，也".join([notes[0], *(n.removeprefix("文档中") for n in notes[1:])]) if notes else None

    def outline(self, query: str, hits: list[Hit]) -> Outline | None:
        """For a question asking for a list (哪几条经验), the headings under the first result's
        section (see Retriever.outline)."""
        return self.retriever.outline(self.snapshot(), query, hits)

    def guidance(self, query: str, industry: str | None = None) -> tuple[str | None, list[CaseHit]]:
        """The trade of an owner's question (``industry`` as filtered, else the one it names) and its
        most comparable case(s) with outcomes (see Retriever.guidance)."""
        return self.retriever.guidance(self.snapshot(), query, industry=industry)

    def search_json(self, query: str, top_k: int = 10, mode: str = "hybrid",
                    filters: Filters | None = None, include_all: bool = False) -> dict:
        """The JSON object of one query, shared by ``kb search --json`` and ``GET /api/search``:
        the results plus ``answer`` (the best sentence or two with their chunk ids, and for a
        question asking for a list the ``outline`` of headings it comes from; or null), ``guidance``
        (the trade the question names and its most comparable cases with outcomes; null in bm25
        mode, which never loads the model, and without results) and
        ``not_in_documents`` (places, trades, Latin names and topics of certification practice the query names
        that no document mentions)
        and ``notes`` (a homophone typo read as the word meant, 已按“认证贷”理解“认正贷”; filter values
        that match nothing: an unknown trade, place or document id; why nothing was found)."""
        with self.pinned():
            wider = self.search(query, top_k=max(top_k, ANSWER_FROM_HITS), mode=mode, filters=filters,
                                include_all=include_all)
            hits = wider[:top_k]
            answer = self.answer(query, wider, filters) if mode != "bm25" else []
            outline = self.outline(query, hits) if answer else None
            industry, cases = (self.guidance(query, filters.industry if filters else None)
                               if hits and mode != "bm25" else (None, []))  # bm25: no model
            absent = self.absent_names(query)
            notes = self.filter_notes(filters.industry, filters.region, filters.doc) if filters else []
            if not hits and query.strip() and not notes:
                notes.append(self.empty_note(query, mode, include_all, filters))
            notes = self.reading_notes(query) + notes
            definitions = self.definitions(query)
        return {"query": query,
                "notes": notes,
                "not_in_documents": absent,
                "definitions": [{"term": e.term, "meaning": e.meaning, "everyday": list(e.everyday), "source": e.source}
                                for e in definitions],
                "answer": {"sentences": [a.as_dict() for a in answer],
                           "chunk_ids": list(dict.fromkeys(a.chunk_id for a in answer)),
                           "outline": outline.as_dict() if outline else None,
                           "unanswered": self.unanswered(self.read_query(query), answer)} if answer else None,
                # the heading the CLI and the app put over these cases: 同行怎么做的（…）only when
                # every case is of ``industry``, 类似问题的案例 when they are of other trades
                "guidance": {"industry": industry, "heading": guidance_heading(industry, cases, query),
                             "cases": [c.as_dict() for c in cases]} if cases else None,
                "results": [h.as_dict() for h in hits]}

    # ----------------------------------------------------------------- cases
    def cases(self, industry: str | None = None, problem: str | None = None, region: str | None = None,
              top_k: int = 10, kind: str | None = None) -> list[CaseHit]:
        """Rank case records: problem similarity, same industry first, spread across regions."""
        return self.retriever.cases(self.snapshot(), industry, problem, region, top_k, kind)

    def similar_cases(self, case_id: str, top_k: int = 5, industry: str | None = None,
                      region: str | None = None, kind: str | None = None) -> list[CaseHit]:
        """The cases most like ``case_id`` (same industry counted, itself excluded), only of
        ``industry``, ``region`` and ``kind`` when given."""
        return self.retriever.similar_cases(self.snapshot(), case_id, top_k, industry, region, kind)
