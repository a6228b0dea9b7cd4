"""Writing an index: find files, parse each in the worker, embed, write a new generation.

Incremental by content hash (an unchanged file is reused with its vectors), atomic (the new
generation is published only when complete), and forgiving (a file that fails keeps its
previous version; the other files are still indexed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import store
from .bm25_index import BM25Index
from .cases import CASES_VERSION
from .chunking import CHUNKER_VERSION
from .cleaning import split_sentences
from .config import KBConfig
from .embedding import Embedder, embedder_identity, model_mismatch
from .errors import KBError, UnreadableDocument, damage_reason
from .loaders import doc_id_for, file_sha256, format_of, is_stray_file
from .pipeline import ParsedDocument
from .records import Chunk, ChunkTags, DocumentInfo
from .snapshot import BM25_DIR, CASE_VECTORS, SENTENCE_INDEX, SENTENCE_VECTORS, Snapshot
from .tokenizer import TOKENIZER_NAME, Tokenizer, tokenizer_hash
from .vector_index import VectorIndex
from .worker import parse_in_worker

Progress = Callable[[str, int, int, str], None]  # (stage, done, total, item)


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


def sentences_of(chunk: Chunk) -> list[str]:
    """The sentences of a chunk as embedded for dense search."""
    return [s for _, s in split_sentences(chunk.text)] or [chunk.text]


def _ocr_progress(progress: Progress | None, shown: str):
    """OCR page events of one file as ``progress("ocr", pages done, pages, "file：page n/N, time left")``."""
    if progress is None:
        return None
    from .ocr import progress_text

    return lambda e: progress("ocr", e.done, e.total, f"{shown}：{progress_text(e.done, e.total, e.seconds)}")


def ocr_note(doc) -> str:
    """``其中 3 页为扫描件，已 OCR 识别（平均置信度 0.97）`` for a document with OCR'd pages, else ``""``."""
    pages = [p for p in doc.pages if p.ocr]
    if not pages:
        return ""
    scores = [p.ocr_confidence for p in pages if p.ocr_confidence is not None]
    mean = f"（平均置信度 {sum(scores) / len(scores):.2f}）" if scores else ""
    turned = [p.number for p in pages if p.ocr_turned]
    upright = f"；第 {'、'.join(map(str, turned))} 页方向不正，已自动转正后识别" if turned else ""
    return f"其中 {len(pages)} 页为扫描件，已 OCR 识别{mean}{upright}"


def _resolved(path: Path) -> str:
    """The absolute real path of ``path``; as given when it cannot be resolved (a missing file, a
    symlink loop: those are reported by name when parsed)."""
    try:
        return str(path.resolve()) if path.exists() else str(path)
    except (OSError, RuntimeError):  # RuntimeError: "Symlink loop" from pathlib (Python 3.11)
        return str(path)


def discover(roots: Sequence[Path], skip: Sequence[Path] = ()) -> list[Path]:
    """Files under ``roots`` (folders walked; hidden files, Office lock files such as ``~$案例.docx``
    and system files such as ``Thumbs.db`` skipped, and so are the folders ``skip``, e.g. the
    index itself when ``kb ingest .`` walks the home folder), each once, in sorted order.
    Special files met in a folder (a named pipe, a broken or looping link) are listed too, so
    the ingest reports them by name instead of passing over them."""
    skipped = [Path(_resolved(p)) for p in skip]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(p for p in root.rglob("*") if not p.is_dir() and not is_stray_file(p.name) and not any(
                part.startswith(".") for part in p.relative_to(root).parts)
                and not any(Path(_resolved(p)).is_relative_to(s) for s in skipped)))
        else:
            files.append(root)
    seen, out = set(), []
    for f in files:
        key = _resolved(f)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


class IndexWriter:
    """Builds the next generation from files, reusing what the current one already holds."""

    def __init__(self, config: KBConfig, tokenizer: Tokenizer, embedder: Callable[[], Embedder],
                 current: Callable[[], Snapshot]):
        self.config = config
        self.tokenizer = tokenizer
        self._embedder = embedder
        self._current = current

    def _display_path(self, path: Path) -> str:
        resolved = _resolved(path)
        try:
            return str(Path(resolved).relative_to(self.config.home.resolve()))
        except ValueError:
            return resolved

    def _source(self, stored_path: str) -> Path:
        """The file a stored document path names (relative paths are under the home folder)."""
        src = Path(stored_path)
        return src if src.is_absolute() else self.config.home / src

    def ingest(self, paths: Sequence[str | Path] | None = None, rebuild: bool = False,
               progress: Progress | None = None) -> IngestReport:
        """Index ``paths`` (default: the corpus folder) incrementally and atomically.

        Unchanged files (same content hash) are reused without re-embedding; files whose
        source disappeared leave the index; a file that fails keeps its previous version.
        When the old index cannot be reused (``rebuild``, another model or rule version), every
        document it holds whose source file still exists is read again, wherever it lies; one
        whose source is gone is reported as removed.
        """
        started = time.perf_counter()
        if not paths and not self.config.corpus_dir.is_dir():
            raise KBError(f"没有文档文件夹 {self.config.corpus_dir}：请新建它并放入要导入的文档（PDF、DOCX、PPTX、TXT、MD），"
                          "或在命令后给出文件或文件夹的路径。索引没有改动。")
        report = IngestReport()
        index_dir = self.config.index_dir
        with store.ingest_lock(index_dir):
            store.prune(index_dir)
            old = self._compatible_old(report, rebuild)
            old_by_id = {d.info.doc_id: d for d in old.docs.values()} if old else {}
            old_by_path = {d.info.path: d for d in old.docs.values()} if old else {}
            keep: dict[str, str] = {}  # doc_id -> display path, reused from old
            parsed: list[ParsedDocument] = []
            roots = [Path(p) for p in paths] if paths else [self.config.corpus_dir]
            gone: list[FileResult] = []
            again: set[str] = set()  # documents of the unusable old index, read again
            if old is None:
                for doc_id, stored, title in store.indexed_documents(index_dir):
                    src = self._source(stored)
                    if src.is_file():
                        roots.append(src)
                        again.add(stored)
                    else:
                        gone.append(FileResult(stored, "removed", doc_id, title,
                                               reason="源文件已不存在，无法重新读取，已从索引中移除"))
            # A rebuild asked for by the user, of an index this code could still read: a file that
            # fails to parse this time (a timeout on a busy machine) keeps its previous version.
            fallback = self._compatible_old(IngestReport(), rebuild=False) if rebuild else None
            fallback_by_path = {d.info.path: d for d in fallback.docs.values()} if fallback else {}
            files = discover(roots, skip=[index_dir])
            shown_paths = [self._display_path(path) for path in files]
            # Files the index already holds go first: of two files with the same content, the one
            # indexed before stays the source and the newcomer is the duplicate. The report keeps
            # the sorted order.
            held = set(old_by_path) | set(fallback_by_path) | again  # what the index held before, rebuilt or not
            order = sorted(range(len(files)), key=lambda k: (shown_paths[k] not in held, k))
            results: dict[int, FileResult] = {}
            for i, k in enumerate(order):
                path, shown = files[k], shown_paths[k]
                if progress:
                    progress("parse", i, len(files), shown)
                result = self._parse_one(path, shown, old_by_id, old_by_path, keep, parsed, progress)
                if result.status == "failed" and shown in fallback_by_path:
                    keep[fallback_by_path[shown].info.doc_id] = shown
                    result.reason += "（索引中保留该文件的上一版本）"
                elif result.status == "failed" and shown in again:
                    result.reason += "（重新处理时读取失败，该文件已不在新索引中）"
                results[k] = result
            report.files.extend(results[k] for k in range(len(files)))
            if progress:
                progress("parse", len(files), len(files), "")
            report.files.extend(gone)
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
                elif (now := next((r for r in report.files if r.path == doc.info.path and r.status == "indexed"),
                                  None)) is not None:
                    # the same file, edited: one row saying so, not "indexed" and "removed" for one file
                    now.reason = "；".join(filter(None, ("内容已更新，替换了上一版本", now.reason)))
                else:
                    report.files.append(FileResult(doc.info.path, "removed", doc.info.doc_id, doc.info.title,
                                                   reason="源文件已删除或已更改"))
            removed = any(f.status == "removed" for f in report.files)
            moved = any(old_by_id[d].info.path != p for d, p in keep.items() if d in old_by_id)
            if old is not None and not parsed and not removed and not moved:
                report.seconds = time.perf_counter() - started
                return report
            report.generation = self._write_generation(old if old is not None else fallback if keep else None,
                                                       keep, parsed, report, progress)
            report.changed = True
            store.prune(index_dir)
        report.seconds = time.perf_counter() - started
        return report

    def _compatible_old(self, report: IngestReport, rebuild: bool) -> Snapshot | None:
        if rebuild:
            return None
        try:
            snap = self._current()
        except store.IndexMissing:
            return None
        except KBError as exc:
            report.notes.append(f"旧索引不可用（{exc}），将完整重建。")
            return None
        m = snap.manifest
        if m.get("tokenizer", {}).get("hash") != tokenizer_hash() or m.get("chunker_version") != CHUNKER_VERSION:
            report.notes.append("分词词典或切分规则已更新，将重新处理全部文档。")
            return None
        if m.get("cases_version") != CASES_VERSION:
            report.notes.append("案例抽取或地区标记规则已更新，将重新处理全部文档。")
            return None
        problem = model_mismatch(m.get("model"), self._embedder())
        if problem:
            report.notes.append(f"{problem[0]}将用当前模型重新嵌入全部文档。")
            return None
        return snap

    def _still_there(self, stored: str, shown: str, doc_id: str) -> bool:
        """Whether a document indexed from ``stored`` still has that file, with the same content, so
        that ``shown`` (another path) is a copy of it rather than the file moved."""
        if stored == shown:
            return False
        src = self._source(stored)
        try:
            return src.is_file() and doc_id_for(file_sha256(src)) == doc_id
        except OSError:
            return False

    def _parse_one(self, path: Path, shown: str, old_by_id, old_by_path, keep, parsed,
                   progress: Progress | None = None) -> FileResult:
        try:
            if not path.exists():
                raise UnreadableDocument(shown, "符号链接指向不存在的文件，或链接自身成环" if path.is_symlink() else "文件不存在")
            if not path.is_file():  # a named pipe would block the read forever; a device never ends
                raise UnreadableDocument(shown, "不是普通文件（管道、设备等特殊文件无法导入）")
            format_of(shown)  # an unsupported type is refused before the worker, with what to do
            size_mb = path.stat().st_size / 1e6
            if size_mb > self.config.max_file_mb:
                raise UnreadableDocument(shown, f"文件过大（{size_mb:.0f} MB，上限 {self.config.max_file_mb} MB）")
            doc_id = doc_id_for(file_sha256(path))
            same = keep.get(doc_id) or next((p.document.path for p in parsed if p.document.doc_id == doc_id), None)
            if same is not None:
                return FileResult(shown, "duplicate", doc_id, reason=f"与 {same} 内容完全相同，只索引一次")
            if doc_id in old_by_id and self._still_there(old_by_id[doc_id].info.path, shown, doc_id):
                # a copy, given from outside the corpus, of a document whose source is unchanged: the
                # source stays that file (a tester's copy became the source, and the next plain
                # ingest switched it back)
                keep[doc_id] = old_by_id[doc_id].info.path
                return FileResult(shown, "duplicate", doc_id, reason=f"与 {keep[doc_id]} 内容完全相同，只索引一次")
            if doc_id in old_by_id:
                keep[doc_id] = shown
                info = old_by_id[doc_id].info
                return FileResult(shown, "unchanged", doc_id, info.title, info.pages, info.chunks, info.cases)
            result = parse_in_worker(path, self.config.chunk_min_chars, self.config.chunk_max_chars,
                                     timeout_s=self.config.parse_timeout_s, memory_mb=self.config.parse_memory_mb,
                                     ocr=self.config.ocr, ocr_page_s=self.config.ocr_page_timeout_s,
                                     progress=_ocr_progress(progress, shown))
        except UnreadableDocument as exc:
            reason = exc.reason
            if shown in old_by_path:
                reason += "（索引中保留该文件的上一版本）"
            return FileResult(shown, "failed", reason=reason)
        except Exception as exc:  # a parser bug must not stop the other files
            return FileResult(shown, "failed", reason=f"解析时出错（{damage_reason(exc)}），未索引")
        parsed.append(replace(result, document=replace(result.document, path=shown)))
        d = result.document
        return FileResult(shown, "indexed", d.doc_id, result.title, len(d.pages), len(result.chunks), len(result.cases),
                          reason="；".join(filter(None, (*d.notes, ocr_note(d)))))

    def _write_generation(self, old: Snapshot | None, keep: dict[str, str], parsed: list[ParsedDocument],
                          report: IngestReport, progress: Progress | None) -> str:
        new_chunks = [c for p in parsed for c in p.chunks]
        new_cases = [c for p in parsed for c in p.cases]
        new_sents = [sentences_of(c) for c in new_chunks]
        flat_sents = [s for group in new_sents for s in group]
        emb = self._embedder()
        vecs = self._embed(flat_sents + [c.index_text for c in new_cases], progress)
        report.embedded_chunks = len(new_chunks)
        sent_vecs_new, case_vecs_new = vecs[: len(flat_sents)], vecs[len(flat_sents):]
        dim = emb.dim if not len(vecs) else vecs.shape[1]
        reuse = old is not None and bool(keep)
        old_sent_vectors = old.sentence_vectors() if reuse else None
        old_sent_texts = old.sentence_texts() if reuse else []
        old_sents_by_chunk: dict[int, list[int]] = {}
        if old is not None:
            for sid, owner in enumerate(old.sent_owner):
                old_sents_by_chunk.setdefault(int(owner), []).append(sid)

        writer = store.GenerationWriter(self.config.index_dir)
        try:
            conn = writer.conn
            sent_rows: list[np.ndarray] = []
            case_vec_rows: list[np.ndarray] = []
            tokens: list[list[str]] = []
            now = time.strftime("%Y-%m-%dT%H:%M:%S")
            n_cases = 0

            def add_chunk(c: Chunk, t: ChunkTags, texts: list[str], svecs: np.ndarray) -> None:
                vec_id = len(tokens)
                store.insert_chunk(conn, vec_id, c, t)
                for text, v in zip(texts, svecs):
                    store.insert_sentence(conn, len(sent_rows), vec_id, text)
                    sent_rows.append(v)
                tokens.append(self.tokenizer.tokenize(c.embed_text))

            # Reused documents first (in their old order), then the new ones.
            if old is not None:
                for doc_id, path in keep.items():
                    d = old.docs[doc_id]
                    store.insert_document(conn, replace(d, info=replace(d.info, path=path)))
                    for i, (c, t) in enumerate(zip(old.chunks, old.tags)):
                        if c.doc_id == doc_id:
                            sids = old_sents_by_chunk.get(i, [])
                            add_chunk(c, t, [old_sent_texts[j] for j in sids], old_sent_vectors[sids])
                    for i, c in enumerate(old.cases):
                        if c.doc_id == doc_id:
                            store.insert_case(conn, n_cases, c)
                            case_vec_rows.append(old.case_vectors[i])
                            n_cases += 1
            ci = si = ki = 0
            for p in parsed:
                d = p.document
                store.insert_document(conn, store.StoredDocument(
                    DocumentInfo(d.doc_id, d.path, p.title, d.format, d.sha256, len(d.pages), 0, 0,
                                 tuple((pg.number, pg.label) for pg in d.pages if pg.label)),
                    p.kind, d.paginated, now))
                for c, t in zip(p.chunks, p.tags):
                    group = new_sents[ci]
                    add_chunk(c, t, group, sent_vecs_new[si:si + len(group)])
                    si += len(group)
                    ci += 1
                for c in p.cases:
                    store.insert_case(conn, n_cases, c)
                    case_vec_rows.append(case_vecs_new[ki])
                    n_cases += 1
                    ki += 1
            case_matrix = np.vstack(case_vec_rows).astype(np.float32) if case_vec_rows else np.zeros((0, dim), np.float32)
            sent_matrix = np.vstack(sent_rows).astype(np.float32) if sent_rows else np.zeros((0, dim), np.float32)
            np.save(writer.tmp / SENTENCE_VECTORS, sent_matrix, allow_pickle=False)
            VectorIndex.build(sent_matrix, dim).save(writer.tmp / SENTENCE_INDEX)
            np.save(writer.tmp / CASE_VECTORS, case_matrix, allow_pickle=False)
            BM25Index.build(tokens).save(writer.tmp / BM25_DIR)
            manifest = {
                "model": {**embedder_identity(emb), "dim": int(dim)},
                "tokenizer": {"name": TOKENIZER_NAME, "hash": tokenizer_hash()},
                "chunker_version": CHUNKER_VERSION,
                "cases_version": CASES_VERSION,
                "chunking": {"min_chars": self.config.chunk_min_chars, "max_chars": self.config.chunk_max_chars},
                "counts": {"documents": len(keep) + len(parsed), "chunks": len(tokens), "cases": n_cases,
                           "sentences": int(sent_matrix.shape[0])},
            }
            final = writer.publish(manifest)
        except BaseException:
            writer.abort()
            raise
        return final.name

    def _embed(self, texts: list[str], progress: Progress | None) -> np.ndarray:
        emb = self._embedder()
        if not texts:
            return np.zeros((0, emb.dim), dtype=np.float32)
        batch = max(1, self.config.embed_call_texts)
        parts = []
        for start in range(0, len(texts), batch):
            if progress:
                progress("embed", start, len(texts), "")
            parts.append(emb.embed(texts[start:start + batch]))
        if progress:
            progress("embed", len(texts), len(texts), "")
        return np.vstack(parts)
