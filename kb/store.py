"""Index generations on disk: SQLite records, vectors, BM25 and a manifest with checksums.

Layout under ``indexes/``::

    current -> gen-<stamp>/        symlink swapped atomically with os.replace
    gen-<stamp>/manifest.json      format, model, tokenizer, counts, sha256 of every file
    gen-<stamp>/manifest.sha256    sha256 of manifest.json itself
    gen-<stamp>/kb.sqlite          documents, chunks, cases, outcomes
    gen-<stamp>/vectors.npy        chunk vectors (row i = chunks.vec_id i; mean of its sentences)
    gen-<stamp>/vectors.faiss      FAISS index over the chunk vectors
    gen-<stamp>/sentence_vectors.npy  sentence vectors (row i = sentences.vec_id i)
    gen-<stamp>/sentences.faiss    FAISS index over the sentence vectors (dense search)
    gen-<stamp>/case_vectors.npy   case vectors (row i = cases.vec_id i)
    gen-<stamp>/bm25/              bm25s arrays (.npy) and vocabulary (.json)

A generation is written into ``gen-<stamp>.tmp/``, fsynced, renamed, and only then
pointed to by ``current``; a crash at any moment leaves the previous generation in use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

from .errors import IndexCorrupt, IndexMissing, KBError
from .loaders import file_sha256

FORMAT_VERSION = 2
CURRENT = "current"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"  # sha256 of manifest.json, so the manifest itself is checked too

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, title TEXT NOT NULL, format TEXT NOT NULL,
    sha256 TEXT NOT NULL, pages INTEGER NOT NULL, paginated INTEGER NOT NULL, kind TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE chunks (
    vec_id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, section TEXT NOT NULL, page INTEGER, page_end INTEGER,
    kind TEXT NOT NULL, regions TEXT NOT NULL, industries TEXT NOT NULL
);
CREATE TABLE cases (
    vec_id INTEGER PRIMARY KEY, case_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents,
    kind TEXT NOT NULL, title TEXT NOT NULL, province TEXT, city TEXT, county TEXT, industry TEXT,
    problem TEXT NOT NULL, measures TEXT NOT NULL, section TEXT NOT NULL, page INTEGER, chunk_id TEXT,
    text TEXT NOT NULL
);
CREATE TABLE outcomes (
    case_id TEXT NOT NULL REFERENCES cases(case_id), idx INTEGER NOT NULL, metric TEXT NOT NULL,
    before REAL, after REAL, change REAL, unit TEXT, page INTEGER, text TEXT NOT NULL,
    PRIMARY KEY (case_id, idx)
);
CREATE TABLE sentences (
    vec_id INTEGER PRIMARY KEY, chunk_vec_id INTEGER NOT NULL REFERENCES chunks(vec_id), text TEXT NOT NULL
);
CREATE INDEX chunks_doc ON chunks(doc_id);
CREATE INDEX sentences_chunk ON sentences(chunk_vec_id);
CREATE INDEX cases_doc ON cases(doc_id);
"""


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_generation(index_dir: Path) -> Path | None:
    """The generation folder ``current`` points to, or None before the first ingest."""
    link = index_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = (index_dir / os.readlink(link)) if link.is_symlink() else link
    return target if target.is_dir() else None


def read_manifest(gen: Path) -> dict:
    """The manifest, after checking it against its own checksum file (``manifest.sha256``)."""
    path = gen / MANIFEST
    try:
        data = path.read_bytes()
        expected = (gen / MANIFEST_SUM).read_bytes() if (gen / MANIFEST_SUM).exists() else None
        if expected is not None and expected != (hashlib.sha256(data).hexdigest() + "\n").encode("ascii"):
            raise IndexCorrupt(f"索引清单校验失败（已损坏或被修改）：{path} 与 {MANIFEST_SUM} 不符。"
                               "请运行 kb ingest --rebuild 重建索引。")
        manifest = json.loads(data.decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"索引清单 {path} 无法读取（{type(exc).__name__}），请运行 kb ingest --rebuild 重建索引。") from exc
    if not isinstance(manifest, dict):
        raise IndexCorrupt(f"索引清单 {path} 格式不对，请运行 kb ingest --rebuild 重建索引。")
    return manifest


def verify_generation(gen: Path, manifest: dict) -> None:
    """Check every file's sha256 against the manifest before anything is loaded."""
    for name, expected in manifest.get("files", {}).items():
        path = gen / name
        if not path.exists():
            raise IndexCorrupt(f"索引文件缺失：{path}。请运行 kb ingest --rebuild 重建索引。")
        if file_sha256(path) != expected:
            raise IndexCorrupt(f"索引文件校验失败（已损坏或被修改）：{path}。请运行 kb ingest --rebuild 重建索引。")


def open_current(index_dir: Path) -> tuple[Path, dict]:
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"还没有索引（{index_dir}）。请先运行：kb ingest")
    manifest = read_manifest(gen)
    if manifest.get("format_version") != FORMAT_VERSION:
        from .errors import IndexMismatch

        raise IndexMismatch(
            f"索引格式版本为 {manifest.get('format_version')}，当前程序需要 {FORMAT_VERSION}。请运行 kb ingest --rebuild 重建索引。"
        )
    return gen, manifest


def connect(gen: Path) -> sqlite3.Connection:
    """Read-only connection to a generation's database."""
    uri = f"file:{(gen / 'kb.sqlite').resolve()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


class GenerationWriter:
    """Builds a new generation beside the current one and publishes it atomically."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        self.name = f"gen-{stamp}-{uuid.uuid4().hex[:6]}"
        self.tmp = index_dir / f"{self.name}.tmp"
        self.tmp.mkdir(parents=True)
        self.conn = sqlite3.connect(str(self.tmp / "kb.sqlite"))
        self.conn.executescript(SCHEMA)

    def publish(self, manifest: dict) -> Path:
        self.conn.commit()
        self.conn.close()
        files = {}
        for path in sorted(self.tmp.rglob("*")):
            if path.is_file():
                files[str(path.relative_to(self.tmp))] = file_sha256(path)
        manifest = dict(manifest, format_version=FORMAT_VERSION, generation=self.name, files=files,
                        created=dt.datetime.now().isoformat(timespec="seconds"))
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        (self.tmp / MANIFEST).write_bytes(data)
        (self.tmp / MANIFEST_SUM).write_text(hashlib.sha256(data).hexdigest() + "\n", encoding="ascii")
        _fsync_tree(self.tmp)
        final = self.index_dir / self.name
        os.replace(self.tmp, final)
        link_tmp = self.index_dir / f"{CURRENT}.{uuid.uuid4().hex[:6]}.tmp"
        os.symlink(self.name, link_tmp)
        os.replace(link_tmp, self.index_dir / CURRENT)
        _fsync_dir(self.index_dir)
        return final

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def prune(index_dir: Path, keep: int = 2) -> None:
    """Remove unfinished builds and all but the newest ``keep`` generations (never ``current``)."""
    cur = current_generation(index_dir)
    for tmp in index_dir.glob("*.tmp"):
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                tmp.unlink()
    gens = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.name, reverse=True)
    for old in gens[keep:]:
        if cur is None or old.resolve() != cur.resolve():
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def ingest_lock(index_dir: Path):
    """One ingest at a time per index folder."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fh = open(index_dir / ".lock", "w")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise KBError("另一个导入任务正在运行（索引已加锁），请等它结束后再试。") from exc
        yield
    finally:
        fh.close()
