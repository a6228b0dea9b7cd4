"""Crash safety of index generations, checksums, and no pickle/marshal anywhere.

* ``kb ingest`` (a real subprocess, ``KB_MODEL=hash-bigram-64``) is killed with SIGKILL inside
  every stage that writes — parsing, embedding, writing the new generation, switching
  ``current`` — at fixed points (tests/killpoints.py), so where each kill lands is known and
  checked; after each kill the index must open and be consistent, and a re-run must give the
  same content as an uninterrupted run (marked ``slow``).
* A truncated or bit-flipped file of any type is caught by its checksum before it is loaded.
* Nothing the project writes under ``indexes/`` is a pickle or a jieba marshal cache.

The corpus is copies of the shipped report, each with one SYNTHETIC sentence inserted so that
every copy is a different document.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import hostile
import numpy as np
import pytest

from kb import KBConfig, KnowledgeBase
from kb.errors import IndexCorrupt
from kb.store import MANIFEST, current_generation, read_manifest, verify_generation

REPO = Path(__file__).resolve().parent.parent


def kb_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, KB_HOME=str(home), KB_MODEL="hash-bigram-64",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    env.update(extra)
    return env


def run_ingest(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb", "ingest", "-q", *args], env=kb_env(home, **extra),
                          cwd=home, capture_output=True, text=True, timeout=300)


# --- consistency of whatever generation is current ------------------------------------------

def check_index(index_dir: Path) -> str | None:
    """Assert the current generation is complete and consistent; return its name (or None)."""
    gen = current_generation(index_dir)
    if gen is None:
        return None
    manifest = read_manifest(gen)
    verify_generation(gen, manifest)
    conn = sqlite3.connect(f"file:{gen / 'kb.sqlite'}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        chunk_ids = [r[0] for r in conn.execute("SELECT vec_id FROM chunks ORDER BY vec_id")]
        case_ids = [r[0] for r in conn.execute("SELECT vec_id FROM cases ORDER BY vec_id")]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        sentence_rows = ([r for r in conn.execute("SELECT vec_id, chunk_vec_id FROM sentences ORDER BY vec_id")]
                         if "sentences" in tables else None)
        dangling_cases = conn.execute(
            "SELECT count(*) FROM cases WHERE chunk_id IS NOT NULL AND chunk_id NOT IN (SELECT chunk_id FROM chunks)"
        ).fetchone()[0]
        dangling_outcomes = conn.execute(
            "SELECT count(*) FROM outcomes WHERE case_id NOT IN (SELECT case_id FROM cases)").fetchone()[0]
        docs_without = conn.execute(
            "SELECT count(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()[0]
    finally:
        conn.close()
    # Chunk rows have ids 0..n-1 (the BM25 row of each).
    assert chunk_ids == list(range(len(chunk_ids)))
    assert case_ids == list(range(len(case_ids)))
    assert np.load(gen / "case_vectors.npy", allow_pickle=False).shape[0] == len(case_ids)
    assert dangling_cases == dangling_outcomes == docs_without == 0
    import faiss

    if sentence_rows is not None:
        assert [r[0] for r in sentence_rows] == list(range(len(sentence_rows)))
        assert all(0 <= r[1] < len(chunk_ids) for r in sentence_rows)
        assert np.load(gen / "sentence_vectors.npy", allow_pickle=False).shape[0] == len(sentence_rows)
        assert faiss.read_index(str(gen / "sentences.faiss")).ntotal == len(sentence_rows)
    counts = manifest["counts"]
    assert counts["chunks"] == len(chunk_ids) and counts["cases"] == len(case_ids)
    return gen.name


def index_content(home: Path) -> dict:
    """What a user sees: documents, chunks and cases (order-free, times left out)."""
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64"))
    return {
        "documents": sorted((d.doc_id, d.path, d.title, d.pages) for d in kb.documents()),
        "chunks": sorted((c.chunk_id, c.doc_id, c.ordinal, c.text, c.section, c.page, c.kind) for c in kb.chunks()),
        "cases": sorted((c.case_id, c.doc_id, c.kind, c.title, c.region, c.industry, c.text, c.outcomes)
                        for c in kb.all_cases()),
    }


# --- SIGKILL inside every stage that writes -----------------------------------------------

STATES = [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5, 6, 7], [2, 3, 4, 5, 6, 7]]
"""Corpus states (copies of the report) an ingest is asked to reach."""

KILLS = [
    # (target state, extra args, kill point (see tests/killpoints.py), `current` moves)
    (0, [], "parse:3", False),  # first ingest: 2 of 6 files parsed, no index yet
    (1, [], "embed:100", False),  # two files added (322 texts to embed): inside the embedding
    (2, [], "write:2", False),  # two files removed: rows inserted, one index file saved
    (0, ["--rebuild"], "embed:500", False),  # a full rebuild re-embeds all six files (966 texts)
    (1, [], "publish:1", False),  # the new generation is in place but not yet current
    (0, [], "switched:1", True),  # current swapped, old generations not yet pruned
    (2, [], "write:1", False),  # two added and two removed: before the first index file
    (1, [], "parse:2", False),  # two files added: the second is never parsed
]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def run_killed_ingest(home: Path, point: str, *args: str) -> tuple[subprocess.CompletedProcess, list[int]]:
    """``kb ingest`` killed at ``point``; returns the run and the pids of its children then."""
    env = kb_env(home, KB_KILL_AT=point)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests"), env["PYTHONPATH"]])
    done = subprocess.run([sys.executable, "-c", "import killpoints; killpoints.main()", "ingest", "-q", *args],
                          env=env, cwd=home, capture_output=True, text=True, timeout=300)
    marker = re.search(r"^KILLPOINT (\w+) (\d+) children=([\d,]*)$", done.stderr, re.M)
    assert done.returncode == -signal.SIGKILL and marker, (
        f"{point}: the ingest was not killed there (exit {done.returncode})\n{done.stdout}{done.stderr}")
    assert f"{marker[1]}:{marker[2]}" == point
    return done, [int(p) for p in marker[3].split(",") if p]


@pytest.mark.slow
def test_sigkill_inside_every_writing_stage_keeps_index_consistent(tmp_path):
    references = []
    for n, numbers in enumerate(STATES):  # uninterrupted runs, one per corpus state
        ref = tmp_path / f"ref{n}"
        hostile.write_copies(ref / "corpus", numbers)
        hostile.seed_tokenizer_cache(ref / "indexes")
        done = run_ingest(ref)
        assert done.returncode == 0, done.stderr
        check_index(ref / "indexes")
        references.append(index_content(ref))

    home = tmp_path / "home"
    hostile.seed_tokenizer_cache(home / "indexes")
    stages = set()
    for state, args, point, moves in KILLS:
        hostile.write_copies(home / "corpus", STATES[state])
        before = check_index(home / "indexes")
        _done, children = run_killed_ingest(home, point, *args)
        stages.add(point.split(":")[0])
        after = check_index(home / "indexes")  # opens, consistent, checksums verify
        assert (after != before) == moves, (point, before, after)
        if moves:  # the new generation is complete: it already answers as a finished run would
            assert index_content(home) == references[state], point
        # The parse worker dies with its parent (no orphan keeps parsing).
        assert children or not point.startswith("parse:"), "no parse worker was running at the kill"
        deadline = time.monotonic() + 10
        while any(map(_alive, children)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(_alive, children)), point
        if after is not None:
            KnowledgeBase(KBConfig(home=home, model="hash-bigram-64")).search("认证贷", mode="hybrid")
        # A re-run completes and gives what an uninterrupted run gives.
        rerun = run_ingest(home)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        check_index(home / "indexes")
        assert index_content(home) == references[state], point
        assert not list((home / "indexes").glob("*.tmp"))
    assert stages == {"parse", "embed", "write", "publish", "switched"}


# --- corrupted files are caught by their checksum --------------------------------------------

@pytest.fixture(scope="module")
def built_home(tmp_path_factory) -> Path:
    """An index built by ``kb ingest`` in a subprocess whose TMPDIR is ``<home>/tmp`` (where
    jieba's default tokenizer would put its marshal cache)."""
    home = tmp_path_factory.mktemp("checksums")
    hostile.write_copies(home / "corpus", [0, 1])
    # Our JSON cache is seeded; jieba's own marshal cache is what must not appear.
    hostile.seed_tokenizer_cache(home / "indexes")
    (home / "tmp").mkdir()
    done = run_ingest(home, TMPDIR=str(home / "tmp"))
    assert done.returncode == 0, done.stdout + done.stderr
    return home


def _index_files(home: Path) -> list[str]:
    gen = current_generation(home / "indexes")
    return sorted(str(p.relative_to(gen)) for p in gen.rglob("*") if p.is_file())


def _damage(path: Path, how: str, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncate":
        data = data[: len(data) // 2]
    else:  # flip one bit somewhere in the file
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def test_every_index_file_type_is_checksummed(built_home):
    gen = current_generation(built_home / "indexes")
    files = set(_index_files(built_home))
    listed = set(read_manifest(gen)["files"])
    assert files - listed == {MANIFEST, "manifest.sha256"}  # everything else carries a sha256
    suffixes = {Path(f).suffix for f in listed}
    assert {".sqlite", ".npy", ".faiss", ".json"} <= suffixes


@pytest.mark.parametrize("how", ["truncate", "bitflip"])
def test_damaged_file_detected_before_loading(built_home, tmp_path, how, monkeypatch):
    """Damage each file of a copy of the index in turn: opening it must fail with a checksum
    error naming that file, and no loader may have read anything first."""
    from kb.bm25_index import BM25Index
    from kb.vector_index import VectorIndex

    loaded = []
    for cls, name in ((BM25Index, "load"), (VectorIndex, "load")):
        real = getattr(cls, name)
        monkeypatch.setattr(cls, name, classmethod(lambda c, *a, _r=real, **k: loaded.append(a) or _r.__func__(c, *a, **k)))
    rng = random.Random(how)
    names = _index_files(built_home)
    for name in names:
        home = tmp_path / f"{how}-{re.sub(r'[^a-z0-9]', '_', name)}"
        shutil.copytree(built_home / "indexes", home / "indexes", symlinks=True)
        gen = current_generation(home / "indexes")
        _damage(gen / name, how, rng)
        loaded.clear()
        with pytest.raises(IndexCorrupt) as info:
            KnowledgeBase(KBConfig(home=home, model="hash-bigram-64")).search("认证贷", mode="bm25")
        message = str(info.value)
        assert name.split("/")[-1] in message and ("校验失败" in message or "无法读取" in message), message
        assert "kb ingest --rebuild" in message
        assert not loaded, f"{name}: an index file was loaded before the checksum check"
    assert len(names) >= 10


# --- no pickle, no marshal -------------------------------------------------------------------

FORBIDDEN_IMPORT = re.compile(
    r"^\s*(?:import|from)\s+(?:pickle|cPickle|_pickle|cloudpickle|dill|marshal|shelve|joblib)\b", re.M)


def test_project_code_does_not_import_pickle_or_marshal():
    offenders = []
    for path in sorted((REPO / "kb").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if FORBIDDEN_IMPORT.search(text) or re.search(r"allow_pickle\s*=\s*True", text):
            offenders.append(str(path.relative_to(REPO)))
        if re.search(r"\bjieba\.(?:initialize|dt\b|lcut|cut)\b", text):
            offenders.append(f"{path.relative_to(REPO)} (jieba's default tokenizer writes a marshal cache)")
    assert not offenders


def _known_format(path: Path, data: bytes) -> bool:
    if data.startswith(b"SQLite format 3\x00") or data.startswith(b"\x93NUMPY"):
        return True
    if path.suffix == ".faiss":
        return data[:4] in (b"IxFI", b"IxF2", b"IxFl", b"IHNf", b"IHNp")
    if path.suffix == ".json":
        json.loads(data.decode("utf-8"))
        return True
    if path.name == "manifest.sha256":
        return re.fullmatch(rb"[0-9a-f]{64}\n", data) is not None
    return path.name == ".lock" and not data


def test_no_pickle_or_marshal_written_by_ingest(built_home):
    files = [p for p in (built_home / "indexes").rglob("*") if p.is_file()]
    assert len(files) >= 10
    for path in files:
        data = path.read_bytes()
        assert not (len(data) >= 2 and data[0] == 0x80 and 1 <= data[1] <= 5), f"{path} is a pickle"
        assert "jieba" not in path.name or path.suffix == ".json", f"{path} looks like a jieba marshal cache"
        assert _known_format(path, data), f"{path}: unknown file format under indexes/"
        if path.suffix == ".npy":
            np.load(path, allow_pickle=False)  # object arrays would need pickle and fail here
    assert not list((built_home / "tmp").rglob("*.cache"))
