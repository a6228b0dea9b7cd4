"""Milvus as the search engine (``KB_BACKEND=milvus``): Milvus Lite from a file, or a server/cluster.

What lives where
----------------
``kb ingest`` still builds each generation under ``indexes/`` first (that folder is the
ingest machine's build area and its cache for incremental re-embedding), then *publishes* it
to Milvus as three collections named after the generation::

    <prefix>_<gen>_chunks  one row per chunk: jieba terms (VARCHAR, whitespace analyzer) → BM25
                           sparse vector (BM25 Function), and the filter fields
    <prefix>_<gen>_sents   one row per sentence: its vector (inner product = cosine), its chunk,
                           the same filter fields
    <prefix>_<gen>_recs    the records as JSON (documents, chunks, cases with their vectors)
                           and, written last, the generation's manifest

and only when all three are flushed and their row counts verified, points the name
``<prefix>_current`` at the new generation. A Milvus server does this with an alias
(``alter_alias``); Milvus Lite 2.5 has no aliases (UNIMPLEMENTED), so there the pointer is
one row of the collection ``<prefix>_current`` replaced by an upsert. Serving processes read
only Milvus: a process needs the URI, not the ``indexes/`` folder.

BM25 parity: the chunk terms are our own jieba tokens (domain dictionary, stop-list,
glossary expansion of the query) joined by spaces, and Milvus splits them on whitespace, so
both backends score the same terms with the same BM25 (k1 1.2, b 0.75, Lucene IDF).
Milvus's built-in ``chinese``/``jieba`` analyzers would segment differently (no domain
dictionary, no stop-list) and the two backends would no longer rank alike.

Milvus Lite is one process per database file (a second process gets "opened by another
program"): with Lite, run one ``kb serve`` and let the other users go through its API, and
ingest through that process (``POST /api/ingest``) or while it is stopped. A Milvus server
has no such limit.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from . import store
from .config import KBConfig
from .errors import IndexMismatch, IndexMissing, KBError
from .industries import resolve_industries
from .records import Case, Chunk, ChunkTags, DocumentInfo, Outcome, Region
from .regions import find_region, other_county_name
from .retrieval import Filters, best_per_chunk
from .snapshot import Snapshot

MAX_VARCHAR = 65_535  # bytes, Milvus's limit for one VARCHAR value
PART_BYTES = 60_000  # records longer than this are stored in several rows
BATCH = 1_000
ARRAY_CAP = 1_024
MAX_TOPK = 16_384  # Milvus's limit for one search
# Layout of the collections, recorded in the manifest; another layout is refused (rebuild).
# 2: sentence texts in ``<base>_sents`` (the direct answer reads them).
MILVUS_SCHEMA = 2


class MilvusUnavailable(KBError):
    """Milvus cannot be reached or failed to answer (the API answers 503)."""

    exit_code = 2


class MilvusInUse(MilvusUnavailable):
    """A Milvus Lite file is held by another process (exit 3, like any lock refusal)."""

    exit_code = 3


# --------------------------------------------------------------------------- Lite file lock

# Our own lock beside a Milvus Lite file, held while this process has it open. Milvus Lite's
# lock (``.<name>.lock``) cannot be trusted across processes: a process it refuses still
# unlinks that file when it cleans up, and the next process then creates a new one, locks it
# and opens the database beside the first (two servers on one file: each blind to the other's
# writes, one of them dropping collections the other serves). This file is never unlinked, and
# a refused process stops here, before Milvus Lite is started at all. Counted per process, so
# several MilvusIndex objects of one process may share the file (Milvus Lite shares the server).
_LITE_LOCKS: dict[str, list] = {}  # lock path -> [open file, users]
_LITE_LOCKS_GUARD = threading.Lock()


def lite_lock_path(db: Path) -> Path:
    """The lock file ``kb`` holds beside the Milvus Lite database ``db``."""
    return db.parent / f".{db.name}.kb-lock"


def _acquire_lite_lock(db: Path) -> str:
    import fcntl

    key = str(lite_lock_path(db))
    with _LITE_LOCKS_GUARD:
        held = _LITE_LOCKS.get(key)
        if held is not None:
            held[1] += 1
            return key
        db.parent.mkdir(parents=True, exist_ok=True)
        fh = open(key, "a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.close()
            raise MilvusInUse(f"Milvus Lite 数据库文件 {db} 正被另一个进程使用（一个数据库文件同一时间只能由一个进程打开）。"
                              "请通过正在运行的 kb serve 的接口检索或导入（POST /api/ingest），或先停掉那个进程。") from exc
        _LITE_LOCKS[key] = [fh, 1]
        return key


def _release_lite_lock(key: str) -> None:
    with _LITE_LOCKS_GUARD:
        held = _LITE_LOCKS.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] <= 0:
            del _LITE_LOCKS[key]
            held[0].close()  # closing releases the flock; the file stays (see above)


def _quiet_pymilvus() -> None:
    """pymilvus prints English WARNING/ERROR lines to stderr (its own handlers, set up when it is
    imported); send them to the ``kb.milvus`` debug log instead. Our own messages say what failed."""
    import logging

    target = logging.getLogger("kb.milvus")

    class _ToDebugLog(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            target.debug("pymilvus: %s", record.getMessage())

    for name in ("pymilvus", "pymilvus.milvus_client", "pymilvus.bulk_writer", "pymilvus.decorators",
                 "pymilvus.orm.iterator", "pymilvus.milvus_client._utils"):
        logger = logging.getLogger(name)
        logger.handlers = [_ToDebugLog()]
        logger.propagate = False
        logger.setLevel(logging.DEBUG if target.isEnabledFor(logging.DEBUG) else logging.WARNING)


# --------------------------------------------------------------------------- filter fields

def region_keys(regions) -> list[str]:
    """Keys a region filter can ask for: each region with and without its city and county,
    so ``江苏`` (province), ``南通`` (city) and a county each match by one array_contains."""
    keys: set[str] = set()
    for p, c, x in regions:
        if not p:
            continue
        for city in {None, c}:
            for county in {None, x}:
                keys.add(_region_key(p, city, county))
    return sorted(keys)


def _region_key(p: str | None, c: str | None, x: str | None) -> str:
    return f"{p or ''}|{c or ''}|{x or ''}"


def _region_text(regions) -> str:
    return "\n".join(Region(*r).display() for r in regions)


def _quote(text: str) -> str:
    """A Milvus string literal, for names from our own tables (gazetteer, industries, kinds)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# What user text may reach a Milvus expression. Milvus 2.5's parser has no reliable escapes for
# control characters or LIKE wildcards, so text outside these shapes is not sent at all: it
# cannot match anyway (document ids are hex, kinds are lower-case words, region names are
# Chinese), and "pos < 0" (nothing) is then exactly what the local filter gives.
_SAFE_DOC = re.compile(r"[0-9A-Za-z-]+")
_SAFE_KIND = re.compile(r"[a-z_]+")
_SAFE_PLACE = re.compile(r"[\u3400-\u9fff·]+")
NOTHING = "pos < 0"


def filter_expression(filters: Filters | None) -> str:
    """The Milvus boolean expression for ``filters`` (same meaning as the local mask)."""
    if not filters:
        return ""
    parts = []
    if filters.kind:
        parts.append(f"kind == {_quote(filters.kind)}" if _SAFE_KIND.fullmatch(filters.kind) else NOTHING)
    if filters.doc:
        parts.append(f'doc_id like "{filters.doc}%"' if _SAFE_DOC.fullmatch(filters.doc) else NOTHING)
    industries = resolve_industries(filters.industry)  # 食品: either food division
    if industries:
        parts.append(f"array_contains_any(industries, [{', '.join(_quote(i) for i in industries)}])")
    query = (filters.region or "").strip()
    if query:
        wanted = find_region(query)
        if wanted == Region():
            # Not a known place: substring of a region's display name (as region_matches does).
            parts.append(f'region_text like "%{query}%"' if _SAFE_PLACE.fullmatch(query) else NOTHING)
        else:
            keys = [_region_key(wanted.province, wanted.city, wanted.county)]
            other = other_county_name(wanted.province, wanted.county)  # 沙县区 also finds 沙县
            if other:  # under any city: 济南市莱芜区 was 莱芜市莱城区 (region_matcher does the same)
                keys.append(_region_key(wanted.province, None, other))
            parts.append(f"array_contains_any(region_keys, [{', '.join(_quote(k) for k in keys)}])")
    return " and ".join(parts)


# --------------------------------------------------------------------------- records <-> JSON

def _chunk_json(c: Chunk, t: ChunkTags) -> dict:
    return {"c": [c.chunk_id, c.doc_id, c.ordinal, c.text, list(c.section), c.page, c.page_end, c.kind],
            "r": [list(r) for r in t.regions], "i": list(t.industries), "m": [list(r) for r in t.mentioned],
            "p": [list(b) for b in c.page_breaks], "o": [c.ocr, c.ocr_confidence]}


def _chunk_from(d: dict) -> tuple[Chunk, ChunkTags]:
    cid, doc, ordinal, text, section, page, page_end, kind = d["c"]
    breaks = tuple((int(o), int(p)) for o, p in d.get("p", ()))  # absent in generations written before
    ocr, ocr_confidence = d.get("o", (False, None))  # absent before OCR marks were kept here
    return (Chunk(cid, doc, ordinal, text, tuple(section), page, page_end, kind, ocr=bool(ocr),
                  ocr_confidence=ocr_confidence, page_breaks=breaks),
            ChunkTags(tuple(tuple(r) for r in d["r"]), tuple(d["i"]), tuple(tuple(r) for r in d.get("m", []))))


def _case_from(d: dict) -> Case:
    d = dict(d)
    d["region"] = Region(**d["region"])
    d["regions"] = tuple(Region(**r) for r in d["regions"])
    d["outcomes"] = tuple(Outcome(**o) for o in d["outcomes"])
    for key in ("section", "industries", "chunk_ids"):
        d[key] = tuple(d[key])
    return Case(**d)


def _doc_from(d: dict) -> store.StoredDocument:
    info = dict(d["info"], page_labels=tuple((int(n), str(label)) for n, label in d["info"].get("page_labels", ())))
    return store.StoredDocument(DocumentInfo(**info), d["kind"], d["paginated"], d["ingested_at"])


def _safe_name(generation: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", generation)


# --------------------------------------------------------------------------- the engine

class MilvusIndex:
    """One Milvus (Lite file or server): publishing generations, the current pointer, pruning."""

    def __init__(self, config: KBConfig):
        if not config.milvus_uri:
            raise KBError("使用 Milvus 后端（KB_BACKEND=milvus）时必须设置 KB_MILVUS_URI："
                          "本地文件路径（如 indexes/milvus.db，即 Milvus Lite）或 http://主机:19530（Milvus 服务）。")
        self.config = config
        self.uri = config.milvus_uri
        if self.is_lite:
            # A relative file path is under KB_HOME (like indexes/), not the current directory.
            path = Path(self.uri).expanduser()
            self.uri = str((path if path.is_absolute() else config.home / path).resolve())
        self.prefix = re.sub(r"[^0-9A-Za-z_]", "_", config.milvus_prefix) or "kb"
        self.pointer = f"{self.prefix}_current"
        self._client = None
        self._lite_lock: str | None = None
        self._lock = threading.Lock()
        self._aliases: bool | None = None

    @property
    def is_lite(self) -> bool:
        return not re.match(r"^(https?|tcp|grpc|unix)://", self.uri)

    @property
    def client(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._connect()
        return self._client

    def _connect(self):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pymilvus 2.5 warns that pkg_resources is deprecated
            from pymilvus import MilvusClient
        _quiet_pymilvus()  # after the import: importing pymilvus installs its own log handlers
        if self.is_lite:
            self._lite_lock = _acquire_lite_lock(Path(self.uri))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # milvus_lite, imported here, warns about pkg_resources too
                if self.is_lite:
                    return MilvusClient(self.uri)
                return MilvusClient(uri=self.uri, token=self.config.milvus_token or "")
        except Exception as exc:
            if self._lite_lock is not None:
                _release_lite_lock(self._lite_lock)
                self._lite_lock = None
            hint = ("该文件可能正被另一个不是 kb 的程序使用（Milvus Lite 一个数据库文件只能由一个进程打开），"
                    "或者文件名不合 Milvus Lite 的要求（只能用英文字母、数字、点、减号和下划线，不超过 36 个字符）。"
                    if self.is_lite else "请确认 Milvus 服务已启动、地址和令牌正确。")
            raise MilvusUnavailable(f"无法连接 Milvus（{self.uri}）：{hint}") from exc

    def close(self) -> None:
        """Disconnect; with Milvus Lite also stop its server process (frees the file for others)."""
        with self._lock:
            client, self._client = self._client, None
            lite_lock, self._lite_lock = self._lite_lock, None
        if client is None:
            return
        try:
            client.close()
        finally:
            try:
                if self.is_lite:
                    from milvus_lite.server_manager import server_manager_instance

                    server_manager_instance.release_server(self.uri)
            finally:
                if lite_lock is not None:
                    _release_lite_lock(lite_lock)

    # ----------------------------------------------------------------- pointer
    def _has_aliases(self) -> bool:
        if self._aliases is None:
            if self.is_lite:
                self._aliases = False  # Milvus Lite 2.5 answers UNIMPLEMENTED
            else:
                try:
                    self.client.list_aliases(self.pointer) if self.client.has_collection(self.pointer) else None
                    self.client.describe_alias(self.pointer)
                    self._aliases = True
                except Exception as exc:
                    self._aliases = "UNIMPLEMENTED" not in str(exc)
        return self._aliases

    def current_base(self) -> str | None:
        """The name stem of the generation ``<prefix>_current`` points at (None before the first)."""
        c = self.client
        if self._has_aliases():
            try:
                target = c.describe_alias(self.pointer).get("collection_name")
            except Exception:
                return None
            return target[: -len("_recs")] if target and target.endswith("_recs") else None
        if not c.has_collection(self.pointer):
            return None
        rows = c.query(self.pointer, filter='name == "current"', output_fields=["target"],
                       consistency_level="Strong")
        return rows[0]["target"] if rows else None

    def _switch(self, base: str) -> None:
        c = self.client
        if self._has_aliases():
            try:
                c.alter_alias(f"{base}_recs", self.pointer)
            except Exception:
                c.create_alias(f"{base}_recs", self.pointer)
            return
        if not c.has_collection(self.pointer):
            from pymilvus import DataType

            s = c.create_schema(auto_id=False)
            s.add_field("name", DataType.VARCHAR, is_primary=True, max_length=64)
            s.add_field("target", DataType.VARCHAR, max_length=512)
            s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
            ip = c.prepare_index_params()
            ip.add_index("v", index_type="FLAT", metric_type="L2")
            c.create_collection(self.pointer, schema=s, index_params=ip, consistency_level="Strong")
        c.upsert(self.pointer, [{"name": "current", "target": base, "v": [0.0, 0.0]}])
        c.flush(self.pointer)

    def open_current(self) -> tuple[str, dict]:
        """(generation stem, manifest) of the generation being served."""
        base = self.current_base()
        if base is None:
            raise IndexMissing(f"Milvus（{self.uri}）中还没有索引。请先运行：kb ingest")
        manifest = self._read_record(f"{base}_recs", "manifest")
        if manifest is None:
            raise IndexMissing(f"Milvus 中的索引 {base} 不完整，请重新运行 kb ingest。")
        if manifest.get("format_version") != store.FORMAT_VERSION:
            raise IndexMismatch(f"Milvus 中的索引格式版本为 {manifest.get('format_version')}，"
                                f"当前程序需要 {store.FORMAT_VERSION}。请运行 kb ingest --rebuild 重建索引。")
        if manifest.get("milvus_schema") != MILVUS_SCHEMA:
            raise IndexMismatch(f"Milvus 中的索引 {base} 是旧版程序写入的（缺少句子原文）。请运行 kb ingest --rebuild 重建索引。")
        return base, manifest

    # ----------------------------------------------------------------- schema
    def _filter_fields(self, s) -> None:
        from pymilvus import DataType

        s.add_field("doc_id", DataType.VARCHAR, max_length=128)
        s.add_field("kind", DataType.VARCHAR, max_length=64)
        s.add_field("industries", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=ARRAY_CAP,
                    max_length=256)
        s.add_field("region_keys", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=ARRAY_CAP,
                    max_length=256)
        s.add_field("region_text", DataType.VARCHAR, max_length=MAX_VARCHAR)

    def _vector_index(self) -> dict:
        # Milvus Lite supports only FLAT (exact, like the local flat index); a server builds HNSW.
        return {"index_type": "FLAT"} if self.is_lite else {"index_type": "HNSW", "params": {"M": 32,
                                                                                          "efConstruction": 200}}

    def create_collections(self, base: str, dim: int) -> None:
        """The three empty collections of generation ``base`` (vectors of ``dim`` floats)."""
        from pymilvus import DataType, Function, FunctionType

        c = self.client
        s = c.create_schema(auto_id=False)
        s.add_field("pos", DataType.INT64, is_primary=True)
        s.add_field("terms", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
                    analyzer_params={"tokenizer": "whitespace"})
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        self._filter_fields(s)
        s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"],
                                output_field_names=["sparse"]))
        ip = c.prepare_index_params()
        ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": 1.2, "bm25_b": 0.75})
        c.create_collection(f"{base}_chunks", schema=s, index_params=ip)

        s = c.create_schema(auto_id=False)
        s.add_field("pos", DataType.INT64, is_primary=True)
        s.add_field("chunk", DataType.INT64)
        s.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)  # for the direct answer
        s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        self._filter_fields(s)
        ip = c.prepare_index_params()
        ip.add_index("vector", metric_type="IP", **self._vector_index())
        c.create_collection(f"{base}_sents", schema=s, index_params=ip)

        s = c.create_schema(auto_id=False)
        s.add_field("key", DataType.VARCHAR, is_primary=True, max_length=256)
        s.add_field("type", DataType.VARCHAR, max_length=16)
        s.add_field("seq", DataType.INT64)
        s.add_field("part", DataType.INT64)
        s.add_field("body", DataType.VARCHAR, max_length=MAX_VARCHAR)
        s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        ip = c.prepare_index_params()
        ip.add_index("vector", metric_type="IP", **self._vector_index())
        c.create_collection(f"{base}_recs", schema=s, index_params=ip)

    def _drop(self, base: str) -> None:
        for suffix in ("_recs", "_sents", "_chunks"):
            if self.client.has_collection(base + suffix):
                self.client.drop_collection(base + suffix)

    # ----------------------------------------------------------------- publish
    def publish(self, snap: Snapshot, progress=None) -> tuple[str, bool]:
        """Copy the local generation ``snap`` into Milvus and point ``current`` at it.

        Returns (stem, written); nothing is written when ``current`` already serves it.
        """
        base = f"{self.prefix}_{_safe_name(snap.generation or 'gen')}"
        if self.current_base() == base:
            return base, False
        self.prune(keep_also={base})
        self._drop(base)  # leftovers of a killed publish of this generation
        vectors = snap.sentence_vectors()
        texts = snap.sentence_texts()
        dim = int(snap.manifest.get("model", {}).get("dim") or (vectors.shape[1] if vectors.ndim == 2 else 0))
        self.create_collections(base, dim)
        c = self.client
        zero = [0.0] * dim
        records: list[tuple[str, str, int, dict, list[float]]] = []
        for i, d in enumerate(snap.docs.values()):
            records.append((f"doc:{i}", "doc", i, asdict(d), zero))
        for i, (ch, t) in enumerate(zip(snap.chunks, snap.tags)):
            records.append((f"chunk:{i}", "chunk", i, _chunk_json(ch, t), zero))
        for i, case in enumerate(snap.cases):
            records.append((f"case:{i}", "case", i, asdict(case), snap.case_vectors[i].tolist()))
        # A record longer than PART_BYTES takes several rows: count the rows, so progress ends at total.
        record_rows = [{"key": f"{key}:{part}", "type": kind, "seq": seq, "part": part, "body": text, "vector": vec}
                       for key, kind, seq, body, vec in records
                       for part, text in enumerate(_split(json.dumps(body, ensure_ascii=False)))]
        total = len(snap.chunks) + len(snap.sent_owner) + len(record_rows) + 1  # + 1: switching current
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress("milvus", done, total, "")

        step(0)
        fields = []
        for ch, t in zip(snap.chunks, snap.tags):
            fields.append({"doc_id": ch.doc_id, "kind": ch.kind, "industries": list(t.industries),
                           "region_keys": region_keys(t.all_regions), "region_text": _region_text(t.all_regions)})
            if len(fields[-1]["industries"]) > ARRAY_CAP or len(fields[-1]["region_keys"]) > ARRAY_CAP:
                raise KBError(f"分块 {ch.chunk_id} 涉及的地区或行业过多（上限 {ARRAY_CAP}），无法写入 Milvus。")
        from .tokenizer import Tokenizer

        tokenizer = Tokenizer(self.config.index_dir / ".cache")

        def insert(collection: str, rows) -> None:
            """Insert ``rows`` (any iterable) in batches of BATCH, reporting progress."""
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    c.insert(f"{base}{collection}", batch)
                    step(len(batch))
                    batch = []
            if batch:
                c.insert(f"{base}{collection}", batch)
                step(len(batch))

        def chunk_rows():
            for i, ch in enumerate(snap.chunks):
                terms = " ".join(tokenizer.tokenize(ch.embed_text))
                if len(terms.encode("utf-8")) > MAX_VARCHAR:
                    raise KBError(f"分块 {ch.chunk_id} 过长（分词后超过 {MAX_VARCHAR} 字节），无法写入 Milvus。")
                yield {"pos": i, "terms": terms, **fields[i]}

        def sentence_rows():
            for sid, owner in enumerate(snap.sent_owner):
                text = texts[sid]
                if len(text.encode("utf-8")) > MAX_VARCHAR:
                    raise KBError(f"第 {sid} 句过长（超过 {MAX_VARCHAR} 字节），无法写入 Milvus。")
                yield {"pos": sid, "chunk": int(owner), "text": text, "vector": vectors[sid].tolist(),
                       **fields[int(owner)]}

        insert("_chunks", chunk_rows())
        insert("_sents", sentence_rows())
        insert("_recs", record_rows)
        for suffix in ("_chunks", "_sents", "_recs"):
            c.flush(base + suffix)
        self._verify(base, len(snap.chunks), len(vectors), len(records))
        # The manifest goes in last: a generation without it is incomplete and never served.
        manifest = dict(snap.manifest, backend="milvus", milvus_base=base, milvus_schema=MILVUS_SCHEMA)
        c.insert(f"{base}_recs", [{"key": f"manifest:0:{p}", "type": "manifest", "seq": 0, "part": p, "body": t,
                                   "vector": zero}
                                  for p, t in enumerate(_split(json.dumps(manifest, ensure_ascii=False)))])
        c.flush(f"{base}_recs")
        if self._read_record(f"{base}_recs", "manifest") is None:
            raise KBError(f"写入 Milvus 后校验失败：{base} 的清单读不回来。")
        self._switch(base)
        step(1)
        self.prune()
        return base, True

    def _count(self, name: str) -> int:
        rows = self.client.query(name, filter="", output_fields=["count(*)"], consistency_level="Strong")
        return int(rows[0]["count(*)"])

    def _verify(self, base: str, chunks: int, sentences: int, records: int) -> None:
        got = (self._count(f"{base}_chunks"), self._count(f"{base}_sents"))
        recs = self.client.query(f"{base}_recs", filter="part == 0", output_fields=["count(*)"],
                                 consistency_level="Strong")
        got = got + (int(recs[0]["count(*)"]),)
        if got != (chunks, sentences, records):
            raise KBError(f"写入 Milvus 后校验失败：{base} 的行数 {got} 与应有的 {(chunks, sentences, records)} 不符。")

    # ----------------------------------------------------------------- read
    def _iterate(self, name: str, filter: str, fields: list[str]):
        it = self.client.query_iterator(name, batch_size=4_000, filter=filter, output_fields=fields)
        try:
            while True:
                batch = it.next()
                if not batch:
                    return
                yield from batch
        finally:
            it.close()

    def _read_bodies(self, name: str, kind: str, with_vector: bool = False) -> list[tuple[int, Any, Any]]:
        parts: dict[int, dict[int, str]] = {}
        vecs: dict[int, Any] = {}
        fields = ["seq", "part", "body"] + (["vector"] if with_vector else [])
        for r in self._iterate(name, f"type == {_quote(kind)}", fields):
            parts.setdefault(r["seq"], {})[r["part"]] = r["body"]
            if with_vector and r["part"] == 0:
                vecs[r["seq"]] = r["vector"]
        out = []
        for seq in sorted(parts):
            p = parts[seq]
            out.append((seq, json.loads("".join(p[i] for i in range(len(p)))), vecs.get(seq)))
        return out

    def _read_record(self, name: str, kind: str) -> dict | None:
        try:
            rows = self._read_bodies(name, kind)
        except Exception:
            return None
        return rows[0][1] if rows else None

    def load_records(self, base: str, dim: int = 0) -> tuple[store.Records, np.ndarray]:
        name = f"{base}_recs"
        docs = {}
        for _seq, d, _v in self._read_bodies(name, "doc"):
            doc = _doc_from(d)
            docs[doc.info.doc_id] = doc
        chunks, tags = [], []
        for _seq, d, _v in self._read_bodies(name, "chunk"):
            c, t = _chunk_from(d)
            chunks.append(c)
            tags.append(t)
        cases, vecs = [], []
        for _seq, d, v in self._read_bodies(name, "case", with_vector=True):
            cases.append(_case_from(d))
            vecs.append(v)
        case_vectors = np.asarray(vecs, dtype=np.float32) if vecs else np.zeros((0, dim), np.float32)
        return store.Records(docs, chunks, tags, cases, []), case_vectors

    # ----------------------------------------------------------------- search
    def _search(self, name: str, **kwargs):
        """``client.search``, its failures said in Chinese (the API answers 503, not a bare 500)."""
        try:
            return self.client.search(name, **kwargs)
        except KBError:
            raise
        except Exception as exc:
            import logging

            logging.getLogger("kb.milvus").warning("Milvus search on %s failed: %s", name, exc)
            raise MilvusUnavailable(f"Milvus（{self.uri}）检索失败，详情见服务日志。请稍后再试；"
                                    "若一直失败，请重新运行 kb ingest。") from exc

    def keyword(self, base: str, terms: list[str], expr: str, n: int) -> dict[int, float]:
        # Milvus's BM25 divides by the mean chunk length: on an empty collection that is 0/0 and
        # a non-empty query fails with "Invalid sparse row: NaN or Inf". No terms: nothing to match.
        if n <= 0 or not any(t.strip() for t in terms):
            return {}
        res = self._search(f"{base}_chunks", data=[" ".join(terms)], anns_field="sparse",
                           limit=min(n, MAX_TOPK), filter=expr, search_params={"metric_type": "BM25"},
                           output_fields=["pos"])
        hits = sorted(((int(h["id"]), float(h["distance"])) for h in res[0]), key=lambda kv: (-kv[1], kv[0]))
        return {i: s for i, s in hits if s > 0}

    def vector(self, base: str, vector: np.ndarray, expr: str, n: int,
               sentences: int) -> tuple[dict[int, float], dict[int, int]]:
        params = {"metric_type": "IP"} if self.is_lite else {"metric_type": "IP", "params": {"ef": max(64, sentences)}}
        if n <= 0 or sentences <= 0:
            return {}, {}
        res = self._search(f"{base}_sents", data=[np.asarray(vector, dtype=np.float32).tolist()],
                           anns_field="vector", limit=min(sentences, MAX_TOPK), filter=expr,
                           search_params=params, output_fields=["chunk"])
        pairs = sorted(((int(h["entity"]["chunk"]), float(h["distance"]), int(h["id"])) for h in res[0]),
                       key=lambda x: (-x[1], x[2]))
        return best_per_chunk(pairs, n)

    def chunk_terms(self, base: str, count: int, page: int = 4_000) -> list[tuple[int, list[str]]]:
        """(position, jieba terms) of each of the ``count`` chunks, as stored for BM25.

        Read in ranges of positions, not with a query iterator: on a collection with ARRAY
        fields, pymilvus 2.5 fails to decode the iterator's final empty batch.
        """
        out = []
        for start in range(0, count, page):
            rows = self.client.query(f"{base}_chunks", filter=f"pos >= {start} and pos < {start + page}",
                                     output_fields=["pos", "terms"], limit=page)
            out += [(int(r["pos"]), r["terms"].split()) for r in rows]
        if len(out) != count:
            raise KBError(f"从 Milvus 读取 {base} 的分词结果时行数不符（{len(out)}，应为 {count}）。")
        return out

    def chunk_sentences(self, base: str, pos: int) -> list[tuple[int, str, np.ndarray]]:
        """(sentence id, text, vector) of each sentence of the chunk at ``pos``, in id order."""
        rows = self.client.query(f"{base}_sents", filter=f"chunk == {int(pos)}",
                                 output_fields=["pos", "text", "vector"])
        return sorted(((int(r["pos"]), r["text"], np.asarray(r["vector"], dtype=np.float32)) for r in rows),
                      key=lambda x: x[0])

    # ----------------------------------------------------------------- prune
    def generations(self) -> list[str]:
        """Stems of every generation with at least one collection, newest first."""
        stems = set()
        for name in self.client.list_collections():
            m = re.match(rf"^({re.escape(self.prefix)}_gen_.+)_(chunks|sents|recs)$", name)
            if m:
                stems.add(m.group(1))
        return sorted(stems, reverse=True)

    def prune(self, keep: int = 2, keep_also: set[str] = frozenset()) -> list[str]:
        """Drop all but the ``keep`` newest complete generations (never the current one)."""
        current = self.current_base()
        kept, dropped = 0, []
        for stem in self.generations():
            complete = self._read_record(f"{stem}_recs", "manifest") is not None
            if stem == current or stem in keep_also:
                kept += 1
                continue
            if complete and kept < keep:
                kept += 1
                continue
            self._drop(stem)
            dropped.append(stem)
        return dropped


def _split(text: str) -> list[str]:
    """Cut ``text`` into pieces of at most PART_BYTES UTF-8 bytes (on character boundaries)."""
    out, cur, size = [], [], 0
    for ch in text:
        b = len(ch.encode("utf-8"))
        if size + b > PART_BYTES:
            out.append("".join(cur))
            cur, size = [], 0
        cur.append(ch)
        size += b
    out.append("".join(cur))
    return out


class TermIndex:
    """Which chunks contain each term, from the terms stored in Milvus (kept in memory).

    It stands in for the local BM25 index's :meth:`kb.bm25_index.BM25Index.containing`, which
    the fusion uses for document frequencies and informative-word coverage; BM25 scoring itself
    runs in Milvus.
    """

    def __init__(self, rows, size: int):
        where: dict[str, list[int]] = {}
        for pos, terms in rows:
            for t in set(terms):
                where.setdefault(t, []).append(pos)
        self.size = size
        self._where = {t: np.asarray(sorted(p), dtype=np.int64) for t, p in where.items()}

    def containing(self, term: str) -> np.ndarray:
        """Positions of the chunks that contain ``term`` (its document frequency is the length)."""
        return self._where.get(term, np.zeros(0, dtype=np.int64))

    def doc_freqs(self) -> dict[str, int]:
        """Every term with the number of chunks containing it."""
        return {t: len(p) for t, p in self._where.items()}


class MilvusSnapshot(Snapshot):
    """A generation served by Milvus: records in memory, searches in Milvus."""

    def __init__(self, index: MilvusIndex, base: str, manifest: dict):
        self.gen = None
        self.base = base
        self.index = index
        recs, case_vectors = index.load_records(base, int(manifest.get("model", {}).get("dim") or 0))
        self._set_records(manifest, recs, case_vectors)
        self.bm25 = TermIndex(index.chunk_terms(base, len(self.chunks)), len(self.chunks))

    @property
    def sentence_count(self) -> int:
        return int(self.manifest.get("counts", {}).get("sentences", 0))

    @property
    def vector_index_kind(self) -> str:
        return "milvus-flat" if self.index.is_lite else "milvus-hnsw"

    def sentences_of(self, pos: int) -> list[tuple[int, str, np.ndarray]]:
        return self.index.chunk_sentences(self.base, pos)

    def sentence_texts(self) -> list[str]:
        raise KBError("Milvus 中的索引不提供全部句子的导出；增量导入使用 indexes/ 中的本地版本。")

    def sentence_vectors(self) -> np.ndarray:
        raise KBError("Milvus 中的索引不提供句向量导出；增量导入使用 indexes/ 中的本地版本。")


class MilvusBackend:
    """:class:`kb.retrieval.SearchBackend` over Milvus (filters become Milvus expressions)."""

    name = "milvus"

    def __init__(self, index: MilvusIndex):
        self.index = index

    def keyword_candidates(self, snap: MilvusSnapshot, terms: list[str], filters: Filters | None,
                           n: int) -> dict[int, float]:
        if not snap.chunks:  # an empty generation: Milvus's BM25 would fail on 0/0 (see keyword)
            return {}
        return self.index.keyword(snap.base, terms, filter_expression(filters), n)

    def vector_candidates(self, snap: MilvusSnapshot, vector: np.ndarray, filters: Filters | None, n: int,
                          sentences: int) -> tuple[dict[int, float], dict[int, int]]:
        if not snap.chunks:
            return {}, {}
        return self.index.vector(snap.base, vector, filter_expression(filters), n, sentences)
