"""Run ``kb`` and SIGKILL it at a chosen point of an ingest (for tests/test_crash_safety.py).

``python -c "import killpoints; killpoints.main()" ingest …`` with ``KB_KILL_AT=<point>:<n>``
kills the process the n-th time it reaches ``<point>``. The process sends SIGKILL to itself,
so the death is as abrupt as an outside ``kill -9`` (no ``finally``, no ``atexit``), but it
lands exactly at the point, however loaded the machine is. Just before dying it writes
``KILLPOINT <point> <n> children=<pids>`` to stderr (the parse worker's pid among them).

Points, in the order an ingest reaches them:

``parse``    before the n-th file is handed to the parse worker (n - 1 files parsed)
``embed``    inside an embedder call, after its texts up to the n-th of this ingest are embedded
             (counted in texts, so the point does not depend on how ingest groups its calls)
``write``    before the n-th index file (FAISS, BM25) is saved into the new generation folder,
             after its SQLite rows were inserted (not yet committed)
``publish``  after the finished generation folder was renamed into place, before the symlink
             ``current`` is created and swapped (``current`` still names the old generation)
``switched`` right after ``current`` was swapped, before old generations are pruned
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter

POINTS = ("parse", "embed", "write", "publish", "switched")
_reached: Counter[str] = Counter()


def _children() -> str:
    try:
        with open(f"/proc/self/task/{os.getpid()}/children", encoding="ascii") as fh:
            return ",".join(fh.read().split())
    except OSError:
        return ""


def _reach(point: str, target: tuple[str, int]) -> None:
    _reached[point] += 1
    if (point, _reached[point]) == target:
        os.write(2, f"\nKILLPOINT {point} {_reached[point]} children={_children()}\n".encode("ascii"))
        os.kill(os.getpid(), signal.SIGKILL)


def _embed_until(func, target):
    """``embed`` that, on the call holding the n-th text, embeds up to it and then dies."""
    def wrapper(self, texts, *args, **kwargs):
        if target[0] == "embed" and _reached["embed"] < target[1] <= _reached["embed"] + len(texts):
            func(self, texts[: target[1] - _reached["embed"]], *args, **kwargs)
            _reached["embed"] = target[1] - 1
            _reach("embed", target)
        _reached["embed"] += len(texts)
        return func(self, texts, *args, **kwargs)
    return wrapper


def _before(point: str, func, target):
    def wrapper(*args, **kwargs):
        _reach(point, target)
        return func(*args, **kwargs)
    return wrapper


def install(spec: str) -> None:
    """Arm the kill named by ``spec`` (``point:n``)."""
    import kb.bm25_index
    import kb.embedding
    import kb.vector_index
    import kb.worker

    point, _, n = spec.partition(":")
    if point not in POINTS or not n.isdigit():
        raise SystemExit(f"KB_KILL_AT={spec!r}: expected one of {POINTS} and a count, e.g. parse:2")
    target = (point, int(n))
    worker = kb.worker.ParseWorker
    worker.parse = _before("parse", worker.parse, target)
    for cls in (kb.embedding.HashEmbedder, kb.embedding.OnnxEmbedder, kb.embedding.SentenceTransformerEmbedder):
        cls.embed = _embed_until(cls.embed, target)
    for cls in (kb.vector_index.VectorIndex, kb.bm25_index.BM25Index):
        cls.save = _before("write", cls.save, target)
    real_symlink, real_replace = os.symlink, os.replace

    def symlink(src, dst, *args, **kwargs):
        if os.path.basename(dst).startswith("current."):
            _reach("publish", target)
        return real_symlink(src, dst, *args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        result = real_replace(src, dst, *args, **kwargs)
        if os.path.basename(dst) == "current":
            _reach("switched", target)
        return result

    os.symlink, os.replace = symlink, replace


def main() -> None:
    install(os.environ["KB_KILL_AT"])
    from kb.cli import main as kb_main

    sys.exit(kb_main(sys.argv[1:]))
