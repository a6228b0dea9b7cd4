"""The library's front door: ingest files, search passages, rank comparable cases."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import store
from .bm25_index import BM25Index
from .chunking import CHUNKER_VERSION
from .cleaning import split_sentences
from .config import KBConfig
from .embedding import Embedder, make_embedder
from .errors import IndexMismatch, KBError, UnreadableDocument
from .fusion import rrf, rrf_max
from .loaders import SUPPORTED, doc_id_for, file_sha256
from .pipeline import ChunkTags, ParsedDocument
from .records import Case, CaseHit, Chunk, DocumentInfo, Hit, Outcome, Region
from .tokenizer import TOKENIZER_NAME, Tokenizer, tokenizer_hash
from .vector_index import VectorIndex
from .worker import parse_in_worker

MODES = ("hybrid", "bm25", "dense")
Progress = Callable[[str, int, int, str], None]  # (stage, done, total, item)


@dataclass(frozen=True)
class Filters:
    """Restrictions applied inside the search (before top-k is cut)."""

    industry: str | None = None
    region: str | None = None
    kind: str | None = None
    doc: str | None = None

    def __bool__(self) -> bool:
        return any((self.industry, self.region, self.kind, self.doc))


@dataclass
class FileResult:
    path: str
    status: str  # indexed | unchanged | failed | removed | duplicate
    doc_id: str | None = None
    title: str = ""
    pages: int = 0
    chunks: int = 0
    cases: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    generation: str | None = None
    changed: bool = False
    seconds: float = 0.0
    embedded_chunks: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]


@dataclass(frozen=True)
class _Doc:
    info: DocumentInfo
    kind: str
    paginated: bool
    ingested_at: str


class _Snapshot:
    """Everything one generation needs to answer queries, held in memory (read-only)."""

    def __init__(self, gen: Path, manifest: dict):
        store.verify_generation(gen, manifest)
        self.gen = gen
        self.manifest = manifest
        conn = store.connect(gen)
        try:
            self.docs = {r["doc_id"]: _Doc(
                DocumentInfo(r["doc_id"], r["path"], r["title"], r["format"], r["sha256"], r["pages"], 0, 0),
                r["kind"], bool(r["paginated"]), r["ingested_at"]) for r in conn.execute("SELECT * FROM documents")}
            rows = conn.execute("SELECT * FROM chunks ORDER BY vec_id").fetchall()
            self.chunks = [Chunk(r["chunk_id"], r["doc_id"], r["ordinal"], r["text"], tuple(json.loads(r["section"])),
                                 r["page"], r["page_end"], r["kind"]) for r in rows]
            self.tags = [ChunkTags(tuple(tuple(x) for x in json.loads(r["regions"])), tuple(json.loads(r["industries"])))
                         for r in rows]
            outcomes: dict[str, list[Outcome]] = {}
            for r in conn.execute("SELECT * FROM outcomes ORDER BY case_id, idx"):
                outcomes.setdefault(r["case_id"], []).append(
                    Outcome(r["metric"], r["before"], r["after"], r["change"], r["unit"], r["page"], r["text"]))
            self.sent_owner = np.array([r[0] for r in conn.execute(
                "SELECT chunk_vec_id FROM sentences ORDER BY vec_id")], dtype=np.int64)
            self.cases = [Case(r["case_id"], r["doc_id"], r["kind"], r["title"], Region(r["province"], r["city"], r["county"]),
                               r["industry"], r["problem"], r["measures"], tuple(outcomes.get(r["case_id"], [])),
                               tuple(json.loads(r["section"])), r["page"], r["chunk_id"], r["text"])
                          for r in conn.execute("SELECT * FROM cases ORDER BY vec_id")]
        finally:
            conn.close()
        counts: dict[str, list[int]] = {}
        for c in self.chunks:
            counts.setdefault(c.doc_id, [0, 0])[0] += 1
        for c in self.cases:
            counts.setdefault(c.doc_id, [0, 0])[1] += 1
        self.docs = {k: replace(d, info=replace(d.info, chunks=counts.get(k, [0, 0])[0], cases=counts.get(k, [0, 0])[1]))
                     for k, d in self.docs.items()}
        self.chunk_pos = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.bm25 = BM25Index.load(gen / "bm25", len(self.chunks))
        self.sentence_index = VectorIndex.load(gen / "sentences.faiss")
        self.case_vectors = np.load(gen / "case_vectors.npy", allow_pickle=False)
        self._case_bm25: BM25Index | None = None
        self._lock = threading.Lock()

    def sentence_texts(self) -> list[str]:
        """All sentence texts in vec_id order (read once, when an ingest reuses them)."""
        conn = store.connect(self.gen)
        try:
            return [r[0] for r in conn.execute("SELECT text FROM sentences ORDER BY vec_id")]
        finally:
            conn.close()

    def case_bm25(self, tokenizer: Tokenizer) -> BM25Index:
        with self._lock:
            if self._case_bm25 is None:
                self._case_bm25 = BM25Index.build([tokenizer.tokenize(_case_doc(c)) for c in self.cases])
            return self._case_bm25


def sentences_of(chunk: Chunk) -> list[str]:
    """The sentences of a chunk as embedded for dense search."""
    return [s for _, s in split_sentences(chunk.text)] or [chunk.text]


def _mean_vector(vectors: np.ndarray, dim: int) -> np.ndarray:
    if not len(vectors):
        return np.zeros(dim, dtype=np.float32)
    v = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    n = np.linalg.norm(v)
    return v / n if n else v


def _doc_title(snap: _Snapshot, doc_id: str) -> str:
    """Title from the same snapshot as the hit (not a newer one loaded meanwhile)."""
    d = snap.docs.get(doc_id)
    return d.info.title if d else doc_id


def _case_doc(case: Case) -> str:
    return " ".join(filter(None, [case.title, case.industry or "", case.region.display(), case.text]))


def _text_key(text: str) -> str:
    return hashlib.sha1("".join(text.split()).encode("utf-8")).hexdigest()


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
        self._snap: _Snapshot | None = None
        self._snap_lock = threading.Lock()

    # ----------------------------------------------------------------- model
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    self._embedder = make_embedder(self.config.model, self.config.embed_batch_size)
        return self._embedder

    @property
    def model_loaded(self) -> bool:
        emb = self._embedder
        return emb is not None and getattr(emb, "loaded", True)

    def warm_up(self) -> None:
        """Initialise jieba and the embedding model before serving (e.g. in a web app)."""
        self.tokenizer.tokenize("预热")
        self.embedder.embed(["预热"])

    # ----------------------------------------------------------------- snapshot
    def _snapshot(self) -> _Snapshot:
        gen, manifest = store.open_current(self.config.index_dir)
        snap = self._snap
        if snap is not None and snap.manifest.get("generation") == manifest.get("generation"):
            return snap
        with self._snap_lock:
            # Read ``current`` again under the lock: while this thread waited, another may have
            # loaded a newer generation, and going back to an older (maybe pruned) one is wrong.
            gen, manifest = store.open_current(self.config.index_dir)
            if self._snap is None or self._snap.manifest.get("generation") != manifest.get("generation"):
                self._snap = _Snapshot(gen, manifest)
            return self._snap

    def _check_model(self, snap: _Snapshot) -> None:
        model = snap.manifest.get("model", {})
        emb = self.embedder
        if model.get("id") != emb.model_id:
            raise IndexMismatch(
                f"索引是用嵌入模型“{model.get('id')}”构建的，当前模型是“{emb.model_id}”。"
                "不同模型的向量不能混用：请运行 kb ingest --rebuild 用当前模型重建索引，或把 KB_MODEL 改回原模型。")

    def manifest(self) -> dict:
        return self._snapshot().manifest

    # ----------------------------------------------------------------- ingest
    def discover(self, paths: Sequence[str | Path] | None) -> list[Path]:
        roots = [Path(p) for p in paths] if paths else [self.config.corpus_dir]
        files: list[Path] = []
        for root in roots:
            if root.is_dir():
                files.extend(sorted(p for p in root.rglob("*") if p.is_file() and not any(
                    part.startswith(".") for part in p.relative_to(root).parts)))
            else:
                files.append(root)
        seen, out = set(), []
        for f in files:
            key = str(f.resolve()) if f.exists() else str(f)
            if key not in seen:
                seen.add(key)
                out.append(f)
        return out

    def _display_path(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.config.home.resolve()))
        except ValueError:
            return str(path.resolve()) if path.exists() else str(path)

    def ingest(self, paths: Sequence[str | Path] | None = None, rebuild: bool = False,
               progress: Progress | None = None) -> IngestReport:
        """Index ``paths`` (default: the corpus folder) incrementally and atomically.

        Unchanged files (same content hash) are reused without re-embedding; files whose
        source disappeared leave the index; a file that fails keeps its previous version.
        """
        started = time.perf_counter()
        report = IngestReport()
        index_dir = self.config.index_dir
        with store.ingest_lock(index_dir):
            store.prune(index_dir)
            old = self._compatible_old(report, rebuild)
            old_by_id = {d.info.doc_id: d for d in old.docs.values()} if old else {}
            old_by_path = {d.info.path: d for d in old.docs.values()} if old else {}
            keep: dict[str, str] = {}  # doc_id -> display path, reused from old
            parsed: list[ParsedDocument] = []
            files = self.discover(paths)
            for i, path in enumerate(files):
                shown = self._display_path(path)
                if progress:
                    progress("parse", i, len(files), shown)
                res = self._ingest_one(path, shown, old_by_id, old_by_path, keep, parsed)
                report.files.append(res)
            if progress:
                progress("parse", len(files), len(files), "")
            # Documents whose source file no longer exists leave the index.
            for doc in (old.docs.values() if old else []):
                if doc.info.doc_id in keep:
                    continue
                src = Path(doc.info.path)
                src = src if src.is_absolute() else self.config.home / src
                if src.exists() and any(r.path == doc.info.path and r.status == "failed" for r in report.files):
                    keep[doc.info.doc_id] = doc.info.path
                elif src.exists() and not any(r.path == doc.info.path for r in report.files):
                    keep[doc.info.doc_id] = doc.info.path  # outside the paths given this time
                else:
                    report.files.append(FileResult(doc.info.path, "removed", doc.info.doc_id, doc.info.title,
                                                   reason="源文件已删除或已更改"))
            removed = any(f.status == "removed" for f in report.files)
            moved = any(old_by_id[d].info.path != p for d, p in keep.items() if d in old_by_id)
            if old is not None and not parsed and not removed and not moved:
                report.seconds = time.perf_counter() - started
                return report
            report.generation = self._write_generation(old, keep, parsed, report, progress)
            report.changed = True
            store.prune(index_dir)
        report.seconds = time.perf_counter() - started
        return report

    def _compatible_old(self, report: IngestReport, rebuild: bool) -> _Snapshot | None:
        if rebuild:
            return None
        try:
            snap = self._snapshot()
        except store.IndexMissing:
            return None
        except KBError as exc:
            report.notes.append(f"旧索引不可用（{exc}），将完整重建。")
            return None
        m = snap.manifest
        if m.get("tokenizer", {}).get("hash") != tokenizer_hash() or m.get("chunker_version") != CHUNKER_VERSION:
            report.notes.append("分词词典或切分规则已更新，将重新处理全部文档。")
            return None
        if m.get("model", {}).get("id") != self._model_id_cheap():
            report.notes.append(f"嵌入模型由“{m.get('model', {}).get('id')}”改为“{self._model_id_cheap()}”，将重新嵌入全部文档。")
            return None
        return snap

    def _model_id_cheap(self) -> str:
        """The model id without loading the model (resolving the folder is enough)."""
        return self.embedder.model_id

    def _ingest_one(self, path: Path, shown: str, old_by_id, old_by_path, keep, parsed) -> FileResult:
        try:
            if not path.exists():
                raise UnreadableDocument(shown, "文件不存在")
            if path.suffix.lower() not in SUPPORTED:
                raise UnreadableDocument(shown, f"不支持的文件类型“{path.suffix or '无扩展名'}”（支持 PDF、DOCX、TXT、MD）")
            size_mb = path.stat().st_size / 1e6
            if size_mb > self.config.max_file_mb:
                raise UnreadableDocument(shown, f"文件过大（{size_mb:.0f} MB，上限 {self.config.max_file_mb} MB）")
            doc_id = doc_id_for(file_sha256(path))
            if doc_id in keep or any(p.document.doc_id == doc_id for p in parsed):
                return FileResult(shown, "duplicate", doc_id, reason="与另一个文件内容完全相同，只索引一次")
            if doc_id in old_by_id:
                keep[doc_id] = shown
                info = old_by_id[doc_id].info
                return FileResult(shown, "unchanged", doc_id, info.title, info.pages, info.chunks, info.cases)
            result = parse_in_worker(path, self.config.chunk_min_chars, self.config.chunk_max_chars,
                                     timeout_s=self.config.parse_timeout_s, memory_mb=self.config.parse_memory_mb)
        except UnreadableDocument as exc:
            reason = exc.reason
            if shown in old_by_path:
                reason += "（索引中保留该文件的上一版本）"
            return FileResult(shown, "failed", reason=reason)
        except Exception as exc:  # a parser bug must not stop the other files
            return FileResult(shown, "failed", reason=f"解析时出错（{type(exc).__name__}: {exc}）")
        parsed.append(replace(result, document=replace(result.document, path=shown)))
        d = result.document
        return FileResult(shown, "indexed", d.doc_id, result.title, len(d.pages), len(result.chunks), len(result.cases))

    def _write_generation(self, old: _Snapshot | None, keep: dict[str, str], parsed: list[ParsedDocument],
                          report: IngestReport, progress: Progress | None) -> str:
        new_chunks = [c for p in parsed for c in p.chunks]
        new_cases = [c for p in parsed for c in p.cases]
        new_sents = [sentences_of(c) for c in new_chunks]
        flat_sents = [s for group in new_sents for s in group]
        texts = flat_sents + [_case_doc(c) for c in new_cases]
        emb = self.embedder
        vecs = self._embed(texts, progress)
        report.embedded_chunks = len(new_chunks)
        sent_vecs_new, case_vecs_new = vecs[: len(flat_sents)], vecs[len(flat_sents):]
        dim = emb.dim if not len(vecs) else vecs.shape[1]
        old_sent_vectors = np.load(old.gen / "sentence_vectors.npy", allow_pickle=False) \
            if old is not None and keep else None
        old_case_vectors = old.case_vectors if old is not None else None
        old_sents_by_chunk: dict[int, list[int]] = {}
        old_sent_texts = old.sentence_texts() if old is not None and keep else []
        if old is not None:
            for sid, owner in enumerate(old.sent_owner):
                old_sents_by_chunk.setdefault(int(owner), []).append(sid)

        writer = store.GenerationWriter(self.config.index_dir)
        try:
            conn = writer.conn
            rows_vec: list[np.ndarray] = []
            sent_rows: list[np.ndarray] = []
            case_vec_rows: list[np.ndarray] = []
            tokens: list[list[str]] = []
            now = time.strftime("%Y-%m-%dT%H:%M:%S")
            vec_id = case_id_row = 0

            def add_chunk(c: Chunk, t: ChunkTags, texts: list[str], svecs: np.ndarray) -> None:
                nonlocal vec_id
                self._insert_chunk(conn, vec_id, c, t)
                for text, v in zip(texts, svecs):
                    conn.execute("INSERT INTO sentences VALUES (?,?,?)", (len(sent_rows), vec_id, text))
                    sent_rows.append(v)
                rows_vec.append(_mean_vector(svecs, dim))
                tokens.append(self.tokenizer.tokenize(c.embed_text))
                vec_id += 1

            # Reused documents first (in their old order), then the new ones.
            if old is not None:
                for doc_id, path in keep.items():
                    d = old.docs[doc_id]
                    conn.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)", (
                        doc_id, path, d.info.title, d.info.format, d.info.sha256, d.info.pages, int(d.paginated),
                        d.kind, d.ingested_at))
                    for i, (c, t) in enumerate(zip(old.chunks, old.tags)):
                        if c.doc_id == doc_id:
                            sids = old_sents_by_chunk.get(i, [])
                            add_chunk(c, t, [old_sent_texts[j] for j in sids], old_sent_vectors[sids])
                    for i, c in enumerate(old.cases):
                        if c.doc_id == doc_id:
                            self._insert_case(conn, case_id_row, c)
                            case_vec_rows.append(old_case_vectors[i])
                            case_id_row += 1
            ci = si = ki = 0
            for p in parsed:
                d = p.document
                conn.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)", (
                    d.doc_id, d.path, p.title, d.format, d.sha256, len(d.pages), int(d.paginated), p.kind, now))
                for c, t in zip(p.chunks, p.tags):
                    group = new_sents[ci]
                    add_chunk(c, t, group, sent_vecs_new[si:si + len(group)])
                    si += len(group)
                    ci += 1
                for c in p.cases:
                    self._insert_case(conn, case_id_row, c)
                    case_vec_rows.append(case_vecs_new[ki])
                    case_id_row += 1
                    ki += 1
            matrix = np.vstack(rows_vec).astype(np.float32) if rows_vec else np.zeros((0, dim), np.float32)
            case_matrix = np.vstack(case_vec_rows).astype(np.float32) if case_vec_rows else np.zeros((0, dim), np.float32)
            sent_matrix = np.vstack(sent_rows).astype(np.float32) if sent_rows else np.zeros((0, dim), np.float32)
            np.save(writer.tmp / "vectors.npy", matrix, allow_pickle=False)
            np.save(writer.tmp / "sentence_vectors.npy", sent_matrix, allow_pickle=False)
            VectorIndex.build(sent_matrix, dim).save(writer.tmp / "sentences.faiss")
            np.save(writer.tmp / "case_vectors.npy", case_matrix, allow_pickle=False)
            VectorIndex.build(matrix, dim).save(writer.tmp / "vectors.faiss")
            BM25Index.build(tokens).save(writer.tmp / "bm25")
            manifest = {
                "model": {"id": emb.model_id, "dim": int(dim)},
                "tokenizer": {"name": TOKENIZER_NAME, "hash": tokenizer_hash()},
                "chunker_version": CHUNKER_VERSION,
                "chunking": {"min_chars": self.config.chunk_min_chars, "max_chars": self.config.chunk_max_chars},
                "counts": {"documents": len(keep) + len(parsed), "chunks": vec_id, "cases": case_id_row,
                           "vectors": int(matrix.shape[0]), "sentences": int(sent_matrix.shape[0])},
            }
            final = writer.publish(manifest)
        except BaseException:
            writer.abort()
            raise
        return final.name

    def _embed(self, texts: list[str], progress: Progress | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        batch = max(1, self.config.embed_batch_size)
        parts = []
        for start in range(0, len(texts), batch):
            if progress:
                progress("embed", start, len(texts), "")
            parts.append(self.embedder.embed(texts[start:start + batch]))
        if progress:
            progress("embed", len(texts), len(texts), "")
        return np.vstack(parts)

    @staticmethod
    def _insert_chunk(conn, vec_id: int, c: Chunk, t: ChunkTags) -> None:
        conn.execute("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)", (
            vec_id, c.chunk_id, c.doc_id, c.ordinal, c.text, json.dumps(list(c.section), ensure_ascii=False),
            c.page, c.page_end, c.kind, json.dumps([list(r) for r in t.regions], ensure_ascii=False),
            json.dumps(list(t.industries), ensure_ascii=False)))

    @staticmethod
    def _insert_case(conn, row: int, c: Case) -> None:
        conn.execute("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
            row, c.case_id, c.doc_id, c.kind, c.title, c.region.province, c.region.city, c.region.county, c.industry,
            c.problem, c.measures, json.dumps(list(c.section), ensure_ascii=False), c.page, c.chunk_id, c.text))
        for i, o in enumerate(c.outcomes):
            conn.execute("INSERT INTO outcomes VALUES (?,?,?,?,?,?,?,?,?)", (
                c.case_id, i, o.metric, o.before, o.after, o.change, o.unit, o.page, o.text))

    # ----------------------------------------------------------------- inspect
    def documents(self) -> list[DocumentInfo]:
        return [d.info for d in self._snapshot().docs.values()]

    def chunks(self, doc: str | None = None) -> list[Chunk]:
        return [c for c in self._snapshot().chunks if doc is None or c.doc_id == doc or c.doc_id.startswith(doc)]

    def all_cases(self) -> list[Case]:
        return list(self._snapshot().cases)

    def case(self, case_id: str) -> Case | None:
        return next((c for c in self._snapshot().cases if c.case_id == case_id), None)

    def doc_title(self, doc_id: str) -> str:
        return _doc_title(self._snapshot(), doc_id)

    def stats(self) -> dict:
        snap = self._snapshot()
        m = snap.manifest
        kinds: dict[str, int] = {}
        for c in snap.cases:
            kinds[c.kind] = kinds.get(c.kind, 0) + 1
        return {
            "generation": m.get("generation"), "created": m.get("created"), "index_dir": str(self.config.index_dir),
            "model": m.get("model"), "tokenizer": m.get("tokenizer"), "chunker_version": m.get("chunker_version"),
            "documents": len(snap.docs), "pages": sum(d.info.pages for d in snap.docs.values()),
            "chunks": len(snap.chunks), "cases": len(snap.cases), "cases_by_kind": kinds,
            "outcomes": sum(len(c.outcomes) for c in snap.cases),
            "vector_index": snap.sentence_index.kind, "sentences": int(snap.sentence_index.size),
        }

    def industries(self) -> list[str]:
        snap = self._snapshot()
        names = {c.industry for c in snap.cases if c.industry}
        for t in snap.tags:
            names.update(t.industries)
        return sorted(names)

    # ----------------------------------------------------------------- search
    def _mask(self, snap: _Snapshot, filters: Filters | None) -> np.ndarray | None:
        if not filters:
            return None
        from .regions import region_matches

        mask = np.ones(len(snap.chunks), dtype=bool)
        for i, (c, t) in enumerate(zip(snap.chunks, snap.tags)):
            if filters.kind and c.kind != filters.kind:
                mask[i] = False
            elif filters.doc and not c.doc_id.startswith(filters.doc):
                mask[i] = False
            elif filters.industry and filters.industry not in t.industries:
                mask[i] = False
            elif filters.region and not any(region_matches(Region(*r), filters.region) for r in t.regions):
                mask[i] = False
        return mask

    def expand_query(self, query: str) -> str:
        """Append domain synonyms of words in the query (see kb/data/synonyms.tsv)."""
        from .synonyms import expand

        return expand(query)

    def search(self, query: str, top_k: int = 10, mode: str = "hybrid", filters: Filters | None = None) -> list[Hit]:
        """Rank chunks for ``query``. Scores are on a 0–1 scale (see README: 分数含义)."""
        if mode not in MODES:
            raise KBError(f"未知的检索模式“{mode}”，可选：{', '.join(MODES)}")
        query = (query or "").strip()
        if not query:
            return []
        snap = self._snapshot()
        n = len(snap.chunks)
        if n == 0:
            return []
        mask = self._mask(snap, filters)
        cand = max(self.config.candidates, top_k * 3)
        bm25_rank: dict[int, int] = {}
        dense_rank: dict[int, int] = {}
        bm25_score: dict[int, float] = {}
        dense_score: dict[int, float] = {}
        q_tokens = self.tokenizer.tokenize(self.expand_query(query))
        if mode in ("hybrid", "bm25"):
            scores = snap.bm25.scores(q_tokens)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            order = np.argsort(-scores, kind="stable")[:cand]
            order = [int(i) for i in order if scores[i] > 0]
            bm25_rank = {i: r for r, i in enumerate(order, start=1)}
            bm25_score = {i: float(scores[i]) for i in order}
        if mode in ("hybrid", "dense") and snap.sentence_index.size:
            self._check_model(snap)
            dense_score = self._dense_scores(snap, query, mask, cand)
            order = sorted(dense_score, key=lambda i: (-dense_score[i], i))
            dense_rank = {i: r for r, i in enumerate(order, start=1)}
        if mode == "bm25":
            top = max(bm25_score.values(), default=1.0) or 1.0
            fused = {i: s / top for i, s in bm25_score.items()}
        elif mode == "dense":
            fused = {i: max(0.0, s) for i, s in dense_score.items()}
        else:
            w = [self.config.bm25_weight, self.config.dense_weight]
            raw = rrf([list(bm25_rank), list(dense_rank)], w, self.config.rrf_k)
            top = rrf_max(w, self.config.rrf_k)
            fused = {int(i): s / top for i, s in raw.items()}
        ordered = sorted(fused, key=lambda i: (-fused[i], i))
        hits: list[Hit] = []
        seen: set[str] = set()
        words = set(q_tokens)
        for i in ordered:
            chunk = snap.chunks[i]
            key = _text_key(chunk.text)
            if key in seen:
                continue  # the same passage from another copy of a document
            seen.add(key)
            tags = snap.tags[i]
            matched = tuple(sorted((w for w in words if w in chunk.text), key=lambda w: (-len(w), w)))
            hits.append(Hit(
                rank=len(hits) + 1, score=float(fused[i]), chunk=chunk, doc_title=_doc_title(snap, chunk.doc_id),
                region=Region(*tags.regions[0]) if tags.regions else Region(),
                industry=tags.industries[0] if tags.industries else None,
                bm25_rank=bm25_rank.get(i), dense_rank=dense_rank.get(i), matched_terms=matched))
            if len(hits) >= top_k:
                break
        return hits

    def _dense_scores(self, snap: _Snapshot, query: str, mask: np.ndarray | None, cand: int) -> dict[int, float]:
        """Chunk score = best cosine between the query and one of the chunk's sentences.

        Matching single sentences is much sharper than one vector per 150–400 character chunk
        with a small model (measured on eval/queries.jsonl: dense MRR@10 0.63 → 0.82).
        """
        text = self.expand_query(query) if self.config.dense_expand else query
        qv = self.embedder.embed([text])[0]
        allowed = np.flatnonzero(mask[snap.sent_owner]) if mask is not None else None
        ids, sims = snap.sentence_index.search(qv, cand * 4, allowed)
        best: dict[int, float] = {}
        for sid, sim in zip(ids, sims):
            chunk = int(snap.sent_owner[sid])
            if chunk not in best:
                best[chunk] = float(sim)  # results arrive best-first
            if len(best) >= cand:
                break
        return best

    def search_many(self, queries: Iterable[str], **kwargs) -> list[list[Hit]]:
        return [self.search(q, **kwargs) for q in queries]

    # ----------------------------------------------------------------- cases
    def cases(self, industry: str | None = None, problem: str | None = None, region: str | None = None,
              top_k: int = 10, kind: str | None = None) -> list[CaseHit]:
        """Rank case records: problem similarity, same industry first, spread across regions."""
        from .cases_ranking import rank_cases

        snap = self._snapshot()
        return rank_cases(self, snap, industry=industry, problem=problem, region=region, top_k=top_k, kind=kind)

    def similar_cases(self, case_id: str, top_k: int = 5) -> list[CaseHit]:
        """The cases most like ``case_id`` (same industry counted, itself excluded)."""
        from .cases_ranking import similar_cases

        return similar_cases(self, self._snapshot(), case_id, top_k)
