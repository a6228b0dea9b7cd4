"""Index generations on disk: SQLite records, vectors, BM25 and a manifest with checksums.

Layout under ``indexes/``::

    current -> gen-<stamp>/        symlink swapped atomically with os.replace
    gen-<stamp>/manifest.json      format, model, tokenizer, counts, sha256 of every file
    gen-<stamp>/manifest.sha256    sha256 of manifest.json itself
    gen-<stamp>/kb.sqlite          documents, chunks, cases, outcomes, sentences
    gen-<stamp>/sentence_vectors.npy  sentence vectors (row i = sentences.vec_id i)
    gen-<stamp>/sentences.faiss    FAISS index over the sentence vectors (dense search)
    gen-<stamp>/case_vectors.npy   case vectors (row i = cases.vec_id i)
    gen-<stamp>/bm25/              bm25s arrays (.npy) and vocabulary (.json)

A generation is written into ``gen-<stamp>.tmp/``, fsynced, renamed, and only then
pointed to by ``current``; a crash at any moment leaves the previous generation in use.

The schema and the mapping between its rows and the records of :mod:`kb.records` live here
together (``insert_*`` to write, :func:`load_records` to read).
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
from dataclasses import dataclass
from pathlib import Path

from .errors import IndexCorrupt, IndexMismatch, IndexMissing, IngestBusy
from .loaders import file_sha256
from .records import Case, Chunk, ChunkTags, DocumentInfo, Outcome, Region

FORMAT_VERSION = 4  # 3: cases carry every region, industry and chunk id; 4: case profile, outcome chunk id
CURRENT = "current"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"  # sha256 of manifest.json, so the manifest itself is checked too

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, title TEXT NOT NULL, format TEXT NOT NULL,
    sha256 TEXT NOT NULL, pages INTEGER NOT NULL, paginated INTEGER NOT NULL, kind TEXT NOT NULL,
    ingested_at TEXT NOT NULL, page_labels TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE chunks (
    vec_id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, section TEXT NOT NULL, page INTEGER, page_end INTEGER,
    kind TEXT NOT NULL, regions TEXT NOT NULL, industries TEXT NOT NULL,
    ocr INTEGER NOT NULL DEFAULT 0, ocr_confidence REAL, mentions TEXT NOT NULL DEFAULT '[]',
    page_breaks TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE cases (
    vec_id INTEGER PRIMARY KEY, case_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents,
    kind TEXT NOT NULL, title TEXT NOT NULL, province TEXT, city TEXT, county TEXT, industry TEXT,
    problem TEXT NOT NULL, measures TEXT NOT NULL, section TEXT NOT NULL, page INTEGER, chunk_id TEXT,
    text TEXT NOT NULL, regions TEXT NOT NULL, industries TEXT NOT NULL, chunk_ids TEXT NOT NULL,
    profile TEXT NOT NULL, page_end INTEGER
);
CREATE TABLE outcomes (
    case_id TEXT NOT NULL REFERENCES cases(case_id), idx INTEGER NOT NULL, metric TEXT NOT NULL,
    before REAL, after REAL, change REAL, unit TEXT, page INTEGER, text TEXT NOT NULL, chunk_id TEXT,
    approx TEXT NOT NULL DEFAULT '', upto REAL,
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


# --------------------------------------------------------------------------- rows <-> records

@dataclass(frozen=True)
class StoredDocument:
    info: DocumentInfo
    kind: str
    paginated: bool
    ingested_at: str


@dataclass(frozen=True)
class Records:
    """Everything a generation's database holds, as records (``chunks[i]`` has vec_id ``i``)."""

    docs: dict[str, StoredDocument]
    chunks: list[Chunk]
    tags: list[ChunkTags]
    cases: list[Case]
    sentence_owner: list[int]  # sentence vec_id -> chunk vec_id


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def insert_document(conn: sqlite3.Connection, doc: StoredDocument) -> None:
    i = doc.info
    conn.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)", (
        i.doc_id, i.path, i.title, i.format, i.sha256, i.pages, int(doc.paginated), doc.kind, doc.ingested_at,
        _json([list(x) for x in i.page_labels])))


def insert_chunk(conn: sqlite3.Connection, vec_id: int, c: Chunk, t: ChunkTags) -> None:
    conn.execute("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
        vec_id, c.chunk_id, c.doc_id, c.ordinal, c.text, _json(list(c.section)), c.page, c.page_end, c.kind,
        _json([list(r) for r in t.regions]), _json(list(t.industries)), int(c.ocr), c.ocr_confidence,
        _json([list(r) for r in t.mentioned]), _json([list(b) for b in c.page_breaks])))


def _chunk_ocr(row: sqlite3.Row) -> tuple[bool, float | None]:
    """(ocr, ocr_confidence) of a chunks row; a generation written before OCR existed has
    neither column, and none of its chunks came from OCR."""
    if "ocr" not in row.keys():
        return False, None
    return bool(row["ocr"]), row["ocr_confidence"]


def _chunk_tags(row: sqlite3.Row) -> ChunkTags:
    """The filter tags of a chunks row. A generation written before passages' own place names
    were kept has no ``mentions`` column: its chunks match by case regions only until the next
    ``kb ingest`` re-processes it (``cases_version`` in the manifest, kb/cases.py)."""
    mentions = json.loads(row["mentions"]) if "mentions" in row.keys() else []
    return ChunkTags(tuple(tuple(x) for x in json.loads(row["regions"])), tuple(json.loads(row["industries"])),
                     tuple(tuple(x) for x in mentions))


def _chunk_page_breaks(row: sqlite3.Row) -> tuple[tuple[int, int], ...]:
    """Where each later page begins in a chunks row; a generation written before they were
    recorded has no such column (its chunks cite their first page; the next ingest re-parses
    it, see CHUNKER_VERSION)."""
    if "page_breaks" not in row.keys():
        return ()
    return tuple((int(o), int(p)) for o, p in json.loads(row["page_breaks"]))


def _page_labels(row: sqlite3.Row) -> tuple[tuple[int, str], ...]:
    """A generation written before printed page numbers were read has no such column."""
    if "page_labels" not in row.keys():
        return ()
    return tuple((int(n), str(label)) for n, label in json.loads(row["page_labels"]))


def insert_sentence(conn: sqlite3.Connection, vec_id: int, chunk_vec_id: int, text: str) -> None:
    conn.execute("INSERT INTO sentences VALUES (?,?,?)", (vec_id, chunk_vec_id, text))


def insert_case(conn: sqlite3.Connection, vec_id: int, c: Case) -> None:
    conn.execute("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
        vec_id, c.case_id, c.doc_id, c.kind, c.title, c.region.province, c.region.city, c.region.county, c.industry,
        c.problem, c.measures, _json(list(c.section)), c.page, c.chunk_id, c.text,
        _json([[r.province, r.city, r.county] for r in c.regions]), _json(list(c.industries)),
        _json(list(c.chunk_ids)), c.profile, c.page_end))
    for i, o in enumerate(c.outcomes):
        conn.execute("INSERT INTO outcomes VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (
            c.case_id, i, o.metric, o.before, o.after, o.change, o.unit, o.page, o.text, o.chunk_id, o.approx,
            o.upto))


def load_records(gen: Path) -> Records:
    """Read a generation's database into records (call after :func:`verify_generation`)."""
    conn = connect(gen)
    try:
        docs = {r["doc_id"]: StoredDocument(
            DocumentInfo(r["doc_id"], r["path"], r["title"], r["format"], r["sha256"], r["pages"], 0, 0,
                         _page_labels(r)),
            r["kind"], bool(r["paginated"]), r["ingested_at"]) for r in conn.execute("SELECT * FROM documents")}
        rows = conn.execute("SELECT * FROM chunks ORDER BY vec_id").fetchall()
        chunks = [Chunk(r["chunk_id"], r["doc_id"], r["ordinal"], r["text"], tuple(json.loads(r["section"])),
                        r["page"], r["page_end"], r["kind"], *_chunk_ocr(r), _chunk_page_breaks(r)) for r in rows]
        tags = [_chunk_tags(r) for r in rows]
        outcomes: dict[str, list[Outcome]] = {}
        for r in conn.execute("SELECT * FROM outcomes ORDER BY case_id, idx"):
            outcomes.setdefault(r["case_id"], []).append(
                Outcome(r["metric"], r["before"], r["after"], r["change"], r["unit"], r["page"], r["text"], r["chunk_id"],
                        # a generation written before qualifiers were kept has no such column
                        r["approx"] if "approx" in r.keys() else "",
                        # nor, before ranges were kept, their far end
                        r["upto"] if "upto" in r.keys() else None))
        owner = [r[0] for r in conn.execute("SELECT chunk_vec_id FROM sentences ORDER BY vec_id")]
        cases = [Case(r["case_id"], r["doc_id"], r["kind"], r["title"], Region(r["province"], r["city"], r["county"]),
                      r["industry"], r["problem"], r["measures"], tuple(outcomes.get(r["case_id"], [])),
                      tuple(json.loads(r["section"])), r["page"], r["chunk_id"], r["text"],
                      regions=tuple(Region(*x) for x in json.loads(r["regions"])),
                      industries=tuple(json.loads(r["industries"])), chunk_ids=tuple(json.loads(r["chunk_ids"])),
                      profile=r["profile"],
                      # a generation written before cases kept their last page has no such column
                      page_end=r["page_end"] if "page_end" in r.keys() else None)
                 for r in conn.execute("SELECT * FROM cases ORDER BY vec_id")]
    finally:
        conn.close()
    return Records(docs, chunks, tags, cases, owner)


def indexed_documents(index_dir: Path) -> list[tuple[str, str, str]]:
    """(doc_id, path, title) of every document in the current generation, read straight from its
    database: also from a generation that cannot be used any more (another model, format or rule
    version), so that a rebuild knows which files to read again. Empty when there is none or the
    database cannot be read."""
    gen = current_generation(index_dir)
    if gen is None or not (gen / "kb.sqlite").is_file():
        return []
    try:
        conn = connect(gen)
        try:
            return [(r[0], r[1], r[2]) for r in conn.execute("SELECT doc_id, path, title FROM documents ORDER BY rowid")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def sentence_texts(gen: Path) -> list[str]:
    """All sentence texts in vec_id order."""
    conn = connect(gen)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM sentences ORDER BY vec_id")]
    finally:
        conn.close()


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
            raise IngestBusy("另一个导入任务正在运行（索引已加锁），请等它结束后再试。") from exc
        yield
    finally:
        fh.close()
