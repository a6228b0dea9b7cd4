"""Parse files in a separate worker process, with a wall-clock limit and a memory ceiling.

A hostile file (a decompression bomb, a loop in a PDF's structure, a parser bug that spins)
must cost one failed file, never a hung or killed ingest. So :func:`parse_in_worker` hands
each file to a child process (:func:`main` of this module) that runs
:func:`kb.pipeline.parse_document` under ``RLIMIT_AS`` and answers within ``timeout_s`` or
is killed. One child serves every file of an ingest (start-up cost is paid once); after a
timeout, a crash or a memory error it is replaced by a fresh one for the next file.

The parent and the child talk JSON lines over pipes: a request ``{"path", "min_chars",
"max_chars", "timeout_s", "ocr", "ocr_page_s"}`` and an answer ``{"ok": true, "result":
ParsedDocument}`` or ``{"ok": false, "kind": ..., "reason"|"type"|"message": ...}``.

OCR of scanned pages (kb/ocr.py) is slow, so while a document is OCR'd the child also sends
``{"progress": OcrEvent}`` lines: the parent passes them on (page n/N for the progress bars)
and extends the wall-clock limit by a per-page allowance (``ocr_page_s``) for each page,
up to the document's OCR time limit. The OCR models are loaded on the first scanned page
with the memory ceiling lifted, and the ceiling is then set again above them, as it is set
above the parsers imported at start-up: OCR itself (rendering, inference) stays under it. Records cross the pipe as
plain JSON (:func:`to_json` / :func:`from_json`): nothing is pickled, nothing is written to disk.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import types
import typing
from collections.abc import Sequence
from pathlib import Path

from .errors import KBError, UnreadableDocument
from .ocr import OcrEvent, OcrProgress, OcrSettings
from .pipeline import ParsedDocument

DEFAULT_TIMEOUT_S = 60.0
"""Wall-clock seconds one file may take to parse (pypdf reads ~200 text pages a second)."""
DEFAULT_MEMORY_MB = 1024
"""Address space the child may add, beyond what it uses after start-up, while parsing."""
IDLE_EXIT_S = 300.0
"""A child nobody has asked anything for this long exits by itself."""
STARTUP_TIMEOUT_S = 30.0
"""How long a new child may take to import the parsers before it takes its first file."""
OCR_PAGE_TIMEOUT_S = 120.0
"""Wall-clock seconds allowed per scanned page (measured: 5–16 s for a dense A4 page on 2 busy cores)."""
OCR_LOAD_TIMEOUT_S = 60.0
"""Extra wall-clock seconds for loading the OCR models (about 1–5 s) before the first scanned page."""


def ocr_allowance(event: OcrEvent, timeout_s: float, page_s: float) -> float:
    """Seconds the parse may still take after ``event``: one page (and the model load before
    the first), or after the last page the ordinary limit for the rest of the parse."""
    if event.kind == "start":
        return OCR_LOAD_TIMEOUT_S + page_s
    return page_s if event.done < event.total else timeout_s

_KB_ROOT = str(Path(__file__).resolve().parent.parent)
_CHILD_MAIN = "import sys; from kb.worker import main; sys.exit(main(sys.argv[1:]))"
_ACK = b'{"ack": true}\n'


# ----------------------------------------------------------------------------- JSON records

def to_json(obj) -> typing.Any:
    """A JSON-able copy of a (nested) dataclass record."""
    return dataclasses.asdict(obj)


def from_json(tp: type, value: typing.Any) -> typing.Any:
    """Rebuild a value of type ``tp`` (a dataclass, tuple, union …) from :func:`to_json` output."""
    if value is None:
        return None
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: from_json(hints[f.name], value[f.name])
                     for f in dataclasses.fields(tp) if f.init and f.name in value})
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return from_json(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], v) for v in value)
        return tuple(from_json(a, v) for a, v in zip(args, value, strict=True))
    if origin is list:
        return [from_json(args[0], v) for v in value]
    if origin is dict:
        return {k: from_json(args[1], v) for k, v in value.items()}
    if tp is float and isinstance(value, int):
        return float(value)
    return value


# ----------------------------------------------------------------------------- parent side

class ParseWorker:
    """One reusable child process that parses files; thread-safe (one file at a time)."""

    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int = DEFAULT_MEMORY_MB):
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self._proc: subprocess.Popen | None = None
        self._proc_memory_mb: int | None = None
        self._pending = bytearray()  # bytes read from the child beyond the last full line
        self._lock = threading.Lock()
        self.started = 0  # children started so far (for tests and docs/reliability.md)

    def __enter__(self) -> ParseWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child (it also stops by itself when its parent dies or it idles)."""
        with self._lock:
            self._stop()

    def parse(self, path: str | Path, min_chars: int = 150, max_chars: int = 400, *,
              timeout_s: float | None = None, memory_mb: int | None = None, ocr: OcrSettings | None = None,
              ocr_page_s: float = OCR_PAGE_TIMEOUT_S, progress: OcrProgress | None = None) -> ParsedDocument:
        """Parse ``path`` in the child; raise :class:`UnreadableDocument` with a Chinese reason
        on any failure, including a timeout or running out of memory.

        Scanned pages are OCR'd as ``ocr`` says; ``progress`` hears about each of them, and
        each adds ``ocr_page_s`` to the wall-clock limit (see :func:`ocr_allowance`).
        """
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        memory_mb = self.memory_mb if memory_mb is None else memory_mb
        ocr = ocr or OcrSettings()
        name = str(path)
        request = {"path": str(Path(path).absolute()), "min_chars": min_chars, "max_chars": max_chars,
                   "timeout_s": timeout_s, "ocr": dataclasses.asdict(ocr), "ocr_page_s": ocr_page_s}
        with self._lock:
            for attempt in range(2):
                proc = self._ensure(memory_mb)
                try:
                    proc.stdin.write(json.dumps(request).encode("ascii") + b"\n")
                    proc.stdin.flush()
                except (BrokenPipeError, OSError):
                    self._stop()
                    continue  # the child had just exited (idle): start a new one
                # A new child acknowledges once its imports are done; the clock for the
                # file starts then, so start-up on a busy machine does not count as parsing.
                first = self._read_line(proc, time.monotonic() + max(timeout_s, STARTUP_TIMEOUT_S))
                if first == b"" and attempt == 0 and self._exited_idle(proc):
                    continue  # it exited before taking the request: retry once
                ocr_seen: list[OcrEvent] = []
                if first == _ACK:
                    answer = self._read_answer(proc, timeout_s, ocr, ocr_page_s, progress, ocr_seen)
                else:
                    answer = first
                return self._answer(name, answer, proc, timeout_s, memory_mb, ocr_seen, ocr_page_s)
        raise UnreadableDocument(name, "无法启动解析进程")

    # -- internals

    def _ensure(self, memory_mb: int) -> subprocess.Popen:
        if self._proc is not None and (self._proc.poll() is not None or self._proc_memory_mb != memory_mb):
            self._stop()
        if self._proc is None:
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [_KB_ROOT, env.get("PYTHONPATH")]))
            # One thread each: fewer reserved arenas, so the address-space ceiling means memory.
            for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
                env.setdefault(var, "1")
            # The OCR runtime runs threads of its own; without this each may reserve a 64 MB
            # malloc arena of address space it never uses.
            env.setdefault("MALLOC_ARENA_MAX", "2")
            try:
                # Not ``-m kb.worker``: the kb package imports this module first, and runpy
                # would warn about executing a module that is already imported.
                args = [sys.executable, "-c", _CHILD_MAIN, "--memory-mb", str(int(memory_mb)),
                        "--idle-exit-s", str(IDLE_EXIT_S)]
                if threading.current_thread() is threading.main_thread():
                    args.append("--die-with-parent")
                self._proc = subprocess.Popen(
                    args,
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True)
            except OSError as exc:
                raise KBError(f"无法启动解析进程（{exc}）") from exc
            self._proc_memory_mb = memory_mb
            self._pending = bytearray()
            self.started += 1
        return self._proc

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        proc.wait()

    def _read_line(self, proc: subprocess.Popen, deadline: float) -> bytes | None:
        """One line from the child; ``b""`` at end of file (it died), None when ``deadline`` passes."""
        fd = proc.stdout.fileno()
        buf = self._pending
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            block = os.read(fd, 1 << 20)
            if not block:
                return b""
            buf += block
        end = buf.index(b"\n") + 1
        line = bytes(buf[:end])
        del buf[:end]
        return line

    def _read_answer(self, proc: subprocess.Popen, timeout_s: float, ocr: OcrSettings, page_s: float,
                     progress: OcrProgress | None, seen: list[OcrEvent]) -> bytes | None:
        """The answer line, passing OCR progress lines on and extending the deadline for each."""
        now = time.monotonic()
        deadline = now + timeout_s
        # However often pages report, the whole parse never runs longer than this.
        cap = deadline + OCR_LOAD_TIMEOUT_S + ocr.max_seconds + page_s
        while True:
            line = self._read_line(proc, deadline)
            if not line or not line.startswith(b'{"progress"'):
                return line
            try:
                event = OcrEvent(**json.loads(line)["progress"])
            except (ValueError, TypeError, KeyError):
                return b"?\n"  # not a progress line after all: reported as unrecognisable
            seen.append(event)
            deadline = min(cap, time.monotonic() + ocr_allowance(event, timeout_s, page_s))
            if progress:
                progress(event)

    @staticmethod
    def _exited_idle(proc: subprocess.Popen) -> bool:
        try:
            return proc.wait(timeout=1) == _IDLE_EXIT_CODE
        except subprocess.TimeoutExpired:
            return False

    def _answer(self, name: str, line: bytes | None, proc: subprocess.Popen, timeout_s: float,
                memory_mb: int, ocr_seen: Sequence[OcrEvent] = (), ocr_page_s: float = OCR_PAGE_TIMEOUT_S
                ) -> ParsedDocument:
        if line is None and ocr_seen:  # the deadline passed while OCR'ing
            self._stop()
            last = ocr_seen[-1]
            if last.done < last.total:
                raise UnreadableDocument(name, f"OCR 识别超时：扫描页第 {last.done + 1}/{last.total} 页超过 "
                                               f"{ocr_page_s:g} 秒仍未完成（页面可能异常复杂或是恶意构造的），已停止并跳过该文件")
            raise UnreadableDocument(name, f"解析超时：OCR 完成后超过 {timeout_s:g} 秒仍未完成，已停止解析并跳过该文件")
        if line is None:  # the deadline passed
            self._stop()
            raise UnreadableDocument(name, f"解析超时：超过 {timeout_s:g} 秒仍未完成（文件可能过大、结构异常或是恶意构造的），"
                                           "已停止解析并跳过该文件")
        if line == b"":  # end of file: the child died
            try:
                code = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = -signal.SIGKILL  # closed its output but hangs on exit: kill it
            self._stop()
            how = f"被信号 {signal.Signals(-code).name} 终止" if code < 0 else f"退出码 {code}"
            raise UnreadableDocument(name, f"解析进程异常退出（{how}），文件可能已损坏或超出内存上限（{memory_mb} MB），已跳过")
        try:
            answer = json.loads(line)
        except ValueError:
            self._stop()
            raise UnreadableDocument(name, "解析进程返回了无法识别的结果，已跳过") from None
        if answer.get("ok"):
            result = from_json(ParsedDocument, answer["result"])
            return dataclasses.replace(result, document=dataclasses.replace(result.document, path=name))
        kind = answer.get("kind")
        if kind == "unreadable":
            raise UnreadableDocument(name, answer["reason"])
        self._stop()  # after a memory error or a parser bug, start afresh
        if kind == "memory":
            raise UnreadableDocument(name, f"解析时内存超出上限（{memory_mb} MB），文件可能是压缩炸弹或内容过大，已跳过")
        logging.getLogger("kb").debug("parser error in %s: %s: %s", name, answer.get("type"), answer.get("message"))
        raise UnreadableDocument(name, "解析时发生程序内部错误，未索引（可用 PDF 阅读器或 Word 另存一份后再导入）")


_shared: ParseWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> ParseWorker:
    """The process-wide worker used by :func:`parse_in_worker` (started on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ParseWorker()
            atexit.register(_shared.close)
        return _shared


def parse_in_worker(path: str | Path, min_chars: int = 150, max_chars: int = 400, *,
                    timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int = DEFAULT_MEMORY_MB,
                    ocr: OcrSettings | None = None, ocr_page_s: float = OCR_PAGE_TIMEOUT_S,
                    progress: OcrProgress | None = None) -> ParsedDocument:
    """:func:`kb.pipeline.parse_document` in the shared worker process, within limits.

    ``timeout_s <= 0`` parses in this process instead (no limits; for debugging).
    """
    if timeout_s <= 0:
        from .pipeline import parse_document

        return parse_document(path, min_chars, max_chars, ocr, progress)
    return shared_worker().parse(path, min_chars, max_chars, timeout_s=timeout_s, memory_mb=memory_mb, ocr=ocr,
                                 ocr_page_s=ocr_page_s, progress=progress)


# ----------------------------------------------------------------------------- child side

_IDLE_EXIT_CODE = 0


def _die_with_parent(kernel: bool) -> None:
    """Exit when the parent dies (a killed ``kb ingest``), even in the middle of a file.

    A watchdog thread notices the parent is gone within half a second. With ``kernel``, Linux
    also delivers SIGKILL at once (``PR_SET_PDEATHSIG``); that is only asked for when the parent
    started us from its main thread, because the kernel ties it to the *thread* that started
    the child, and a worker thread that ends (a web request) must not take the parser with it.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="kb-worker-watchdog", daemon=True).start()
    if kernel:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
        except (OSError, AttributeError):
            pass  # not Linux: the watchdog is enough


def _address_space() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def _lift_memory_limit() -> None:
    try:
        import resource
    except ImportError:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:
        return
    base = _address_space() or 0
    limit = base + memory_mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def serve(memory_mb: int, idle_exit_s: float, die_with_parent: bool = False) -> int:
    """The child's loop: read a request line, parse, write an answer line, until end of input."""
    import logging

    _die_with_parent(kernel=die_with_parent)
    # Answers go to the original stdout; anything a library prints goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings would clutter the progress bar
    # Import the parsers before the memory ceiling applies (it then measures parsing alone)
    # and before the first acknowledgement (the per-file clock starts after it).
    import encodings.big5  # noqa: F401  (codecs of the text decoder, kb/loaders.decode_text)
    import encodings.big5hkscs  # noqa: F401
    import encodings.gb2312  # noqa: F401
    import encodings.gb18030  # noqa: F401

    import docx  # noqa: F401
    import pypdf  # noqa: F401
    import pypdfium2  # noqa: F401

    from . import ocr as ocr_mod
    from .pipeline import parse_document

    _limit_memory(memory_mb)
    stdin = sys.stdin.buffer
    while True:
        ready, _, _ = select.select([stdin], [], [], idle_exit_s)
        if not ready:
            return _IDLE_EXIT_CODE
        line = stdin.readline()
        if not line:
            return 0
        out.write(_ACK)
        out.flush()
        request = json.loads(line)
        timeout_s = float(request.get("timeout_s", DEFAULT_TIMEOUT_S))
        page_s = float(request.get("ocr_page_s", OCR_PAGE_TIMEOUT_S))
        # A backstop in case the parent is gone and cannot kill us (SIGALRM terminates).
        signal.alarm(int(timeout_s) + 30)

        def progress(event: OcrEvent, timeout_s=timeout_s, page_s=page_s) -> None:
            # Tell the parent first: the line extends its deadline (model loading included).
            out.write(json.dumps({"progress": dataclasses.asdict(event)}).encode("ascii") + b"\n")
            out.flush()
            signal.alarm(int(ocr_allowance(event, timeout_s, page_s)) + 30)
            if event.kind == "start" and not ocr_mod.engine_loaded():
                # The models are part of the parser, like the imports above: load them outside
                # the ceiling, then set it again above them.
                _lift_memory_limit()
                try:
                    ocr_mod.load_engine()
                except ocr_mod.OcrUnavailable:
                    pass  # kb.ocr reports it for this file
                finally:
                    _limit_memory(memory_mb)

        fatal = False
        try:
            settings = OcrSettings(**request["ocr"]) if "ocr" in request else OcrSettings()
            result = parse_document(request["path"], request["min_chars"], request["max_chars"], settings, progress)
            answer = {"ok": True, "result": to_json(result)}
        except UnreadableDocument as exc:
            answer = {"ok": False, "kind": "unreadable", "reason": exc.reason}
        except MemoryError:
            answer, fatal = {"ok": False, "kind": "memory"}, True
        except Exception as exc:  # a parser bug: report it, the parent moves on
            answer = {"ok": False, "kind": "error", "type": type(exc).__name__, "message": str(exc)[:500]}
        signal.alarm(0)
        try:
            data = json.dumps(answer).encode("ascii") + b"\n"
        except MemoryError:
            data, fatal = b'{"ok": false, "kind": "memory"}\n', True
        out.write(data)
        out.flush()
        if fatal:
            return 3


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="kb-worker", description="解析进程（由 kb ingest 自动启动）。")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="解析时可额外使用的内存上限（MB）")
    parser.add_argument("--idle-exit-s", type=float, default=IDLE_EXIT_S, help="空闲多少秒后自动退出")
    parser.add_argument("--die-with-parent", action="store_true", help="父进程退出时由内核立即结束本进程")
    args = parser.parse_args(argv)
    return serve(args.memory_mb, args.idle_exit_s, args.die_with_parent)

