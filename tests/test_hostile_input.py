"""Hostile and broken input: a clear Chinese reason per file, the rest still indexed, the
previous index intact, and no hang (parsing runs in kb/worker.py under a time and memory limit).

The files come from :mod:`hostile` (synthetic content); :data:`hostile.HOSTILE` says what the
system must do with each one.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
import time
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import hostile
import pdfgen
import pytest

from kb import KBConfig, KnowledgeBase
from kb import worker as worker_mod
from kb.errors import UnreadableDocument
from kb.pipeline import parse_document
from kb.store import current_generation
from kb.worker import ParseWorker

REPO = Path(__file__).resolve().parent.parent
REPORT = next((REPO / "corpus").glob("*.txt"))
# Small limits so the tests stay fast (the defaults are 60 s and 1024 MB).
TIMEOUT_S = 2.0
MEMORY_MB = 1024
CJK = re.compile(r"[\u4e00-\u9fff]")
CHANGED = "先好后坏.pdf"  # indexed first, then overwritten by a truncated copy

# pypdf releases that fixed published denial-of-service advisories (GitHub advisory database,
# py-pdf/pypdf CHANGELOG "Security (SEC)" entries). The newest fix we rely on:
# 7.0.0 (2026-11-06) "Block not strictly increasing offsets in object streams" (#4364) —
# CVE-2026-134366, memory exhaustion via cross-reference streams with identical offsets,
# affects "pypdf before 7.0.0". Older floors on the way: 6.1.3 (LZW size limit, DCT inline-
# image loop), 6.6.0 (/Root recovery and startxref runtimes), 6.6.2 and 6.7.1 (outline and
# TreeObject cycles), 6.7.2 (circular xref /Prev), 6.10.x (stream size limits), 6.14.2
# (inline-image loops). See docs/reliability.md.
PYPDF_FLOOR = (7, 0, 0)


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def make_config(home: Path, **overrides) -> KBConfig:
    base = KBConfig(home=home, model="hash-bigram-64", parse_timeout_s=TIMEOUT_S, parse_memory_mb=MEMORY_MB)
    return replace(base, **overrides)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> dict[str, Path]:
    """Every hostile file, each in its own folder (names may repeat across generators)."""
    root = tmp_path_factory.mktemp("hostile")
    files = {}
    for h in hostile.HOSTILE:
        folder = root / h.key
        folder.mkdir()
        files[h.key] = h.write(folder)
    return files


@pytest.fixture(scope="module")
def hostile_ingest(tmp_path_factory, hostile_dir):
    """Ingest the shipped report alone, then again with every hostile file beside it."""
    home = tmp_path_factory.mktemp("hostile_home")
    corpus = home / "corpus"
    corpus.mkdir()
    shutil.copy(REPORT, corpus / REPORT.name)
    pdfgen.write_report_pdf(corpus, name=CHANGED)
    kb = KnowledgeBase(make_config(home))
    kb.tokenizer = hostile.shared_tokenizer()
    first = kb.ingest()
    assert not first.failed
    before = {c.chunk_id: c for c in kb.chunks()}
    gen_before = current_generation(kb.config.index_dir).name
    for key, path in hostile_dir.items():
        target = corpus / "hostile" / key / path.name
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)
    shutil.copy(hostile_dir["truncated_pdf"], corpus / CHANGED)  # same path, now a broken download
    started = time.perf_counter()
    report = kb.ingest()
    seconds = time.perf_counter() - started
    return kb, report, before, gen_before, seconds


def _result_for(report, key: str):
    matches = [f for f in report.files if f"hostile/{key}/" in f.path.replace(os.sep, "/")]
    assert len(matches) == 1, (key, [f.path for f in report.files])
    return matches[0]


@pytest.mark.parametrize("case", hostile.HOSTILE, ids=[h.key for h in hostile.HOSTILE])
def test_hostile_file_outcome_and_reason(hostile_ingest, case):
    _kb, report, *_ = hostile_ingest
    res = _result_for(report, case.key)
    assert res.status == case.outcome, (case.key, res.status, res.reason)
    if case.outcome == "failed":
        assert CJK.search(res.reason), res.reason  # a Chinese reason for the user
        for word in case.keywords:
            assert word in res.reason, (case.key, res.reason)
    else:
        assert res.chunks >= 1


def test_other_files_indexed_and_previous_index_intact(hostile_ingest):
    kb, report, before, gen_before, seconds = hostile_ingest
    assert seconds < 60, f"ingest of {len(report.files)} files took {seconds:.0f} s"
    statuses = {f.status for f in report.files}
    assert statuses <= {"indexed", "unchanged", "failed"}
    assert any(f.status == "unchanged" and f.path.endswith(REPORT.name) for f in report.files)
    changed = next(f for f in report.files if f.path.endswith(CHANGED))
    assert changed.status == "failed" and "损坏" in changed.reason and "上一版本" in changed.reason
    after = {c.chunk_id: c for c in kb.chunks()}
    assert set(before) <= set(after)  # every chunk of the earlier index is still there (CHANGED too)
    assert all(after[k] == v for k, v in before.items())
    indexed = [f for f in report.files if f.status == "indexed"]
    assert len(kb.documents()) == 2 + len(indexed)
    assert current_generation(kb.config.index_dir).name != gen_before
    # No garbage from the rejected files reached the index.
    assert not any(re.search("[\ue000-\uf8ff\ufffd]|ºÏ³É", c.text) for c in kb.chunks())
    assert kb.search("认证贷", mode="bm25")


def test_cli_names_each_failed_file(tmp_path, hostile_dir, monkeypatch, capsys):
    """``kb ingest`` prints the file and the reason for each failure and exits 1."""
    from kb.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    picked = ["truncated_pdf", "latin1_mojibake_pdf", "docx_zip_bomb", "huge_text"]
    for key in picked:
        shutil.copy(hostile_dir[key], corpus / hostile_dir[key].name)
    monkeypatch.setenv("KB_HOME", str(tmp_path))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["ingest", "-q"]) == 1
    out = capsys.readouterr().out
    for key in picked:
        line = next(x for x in out.splitlines() if hostile_dir[key].name in x)
        assert "失败" in line
    assert "需人工核对" in out and "压缩炸弹" in out and "文件过大" in out


# --- the worker process -------------------------------------------------------------------

@pytest.fixture(scope="module")
def worker():
    """One worker for the tests below (each restart it causes is part of what they check)."""
    with ParseWorker(timeout_s=20) as w:
        yield w


def test_worker_result_equals_in_process_parse(worker, sample_files):
    worker.parse(REPORT)
    started = worker.started
    for path in [REPORT, sample_files["report_pdf"], sample_files["docx"], sample_files["gbk_txt"]]:
        assert worker.parse(path) == parse_document(path), path
    assert worker.started == started  # one child served every file


def test_worker_timeout_kills_and_next_file_parses(worker, hostile_dir, sample_files):
    worker.parse(sample_files["gbk_txt"])  # a warm child: the clock measures parsing only
    started, began = worker.started, time.perf_counter()
    with pytest.raises(UnreadableDocument, match="解析超时：超过 0.5 秒") as info:
        worker.parse(hostile_dir["many_streams_bomb_pdf"], timeout_s=0.5)
    assert time.perf_counter() - began < 3
    assert info.value.path == str(hostile_dir["many_streams_bomb_pdf"])
    assert worker.parse(sample_files["gbk_txt"]).chunks  # a fresh child takes the next file
    assert worker.started == started + 1


def test_worker_memory_ceiling(worker, hostile_dir, sample_files):
    # 40 MB more than the child needs at rest: the 75 MB pypdf may inflate does not fit.
    with pytest.raises(UnreadableDocument, match="内存超出上限（40 MB）"):
        worker.parse(hostile_dir["flate_bomb_pdf"], memory_mb=40)
    assert worker.parse(sample_files["gbk_txt"]).chunks


def test_worker_crash_is_reported_and_replaced(worker, hostile_dir, sample_files):
    worker.parse(sample_files["gbk_txt"])
    pid = worker._proc.pid
    killer = threading.Timer(0.2, os.kill, (pid, signal.SIGKILL))
    killer.start()
    with pytest.raises(UnreadableDocument, match="解析进程异常退出（被信号 SIGKILL 终止）"):
        worker.parse(hostile_dir["many_streams_bomb_pdf"])
    killer.join()
    assert worker.parse(sample_files["gbk_txt"]).chunks and worker._proc.pid != pid


def test_worker_that_exited_when_idle_is_restarted(monkeypatch, sample_files):
    monkeypatch.setattr(worker_mod, "IDLE_EXIT_S", 0.1)
    with ParseWorker(timeout_s=20) as w:
        w.parse(sample_files["gbk_txt"])
        w._proc.wait(timeout=10)  # it exits by itself after 0.1 s without work
        assert w.parse(sample_files["gbk_txt"]).chunks
        assert w.started == 2


@pytest.mark.parametrize("starter", ["main", "thread"])
def test_worker_child_dies_with_its_parent(tmp_path, starter):
    """A killed ``kb ingest`` must not leave a parser running; a child started from a thread
    that has ended (a web request) must keep serving (PR_SET_PDEATHSIG is per thread)."""
    import subprocess
    import sys

    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, threading, time\n"
        "from kb.worker import ParseWorker\n"
        "w = ParseWorker(timeout_s=60)\n"
        f"report = {str(REPORT)!r}\n"
        "if sys.argv[1] == 'thread':\n"
        "    t = threading.Thread(target=w.parse, args=(report,)); t.start(); t.join()\n"
        "else:\n"
        "    w.parse(report)\n"
        "pid = w._proc.pid\n"
        "time.sleep(0.3)\n"
        "w.parse(report)\n"
        "assert w._proc.pid == pid and w.started == 1, 'the child died with its thread'\n"
        "print(pid, flush=True)\n"
        "time.sleep(60)\n", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), starter], stdout=subprocess.PIPE, cwd=REPO,
                              env=dict(os.environ, PYTHONPATH=str(REPO)))
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ")[1][0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.mark.parametrize(
    ("key", "limits", "reason"),
    [
        ("flate_bomb_pdf", {"parse_memory_mb": 40}, "内存超出上限（40 MB）"),
        ("many_streams_bomb_pdf", {"parse_timeout_s": 0.5}, "解析超时：超过 0.5 秒"),
    ],
)
def test_ingest_applies_the_configured_parse_limits(tmp_path, hostile_dir, key, limits, reason):
    """``KBConfig.parse_memory_mb`` / ``parse_timeout_s`` reach the parse worker: the file fails
    on the limit that was configured, and the user is told which limit."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(hostile_dir[key], corpus)
    kb = KnowledgeBase(make_config(tmp_path, **limits))
    kb.tokenizer = hostile.shared_tokenizer()
    started = time.perf_counter()
    (result,) = kb.ingest().files
    assert result.status == "failed" and reason in result.reason, result.reason
    assert time.perf_counter() - started < 20


# --- pypdf ----------------------------------------------------------------------------------

def test_pypdf_has_the_published_dos_fixes():
    installed = _version_tuple(version("pypdf"))
    assert installed >= PYPDF_FLOOR, (
        f"pypdf {version('pypdf')} is older than {'.'.join(map(str, PYPDF_FLOOR))}, which fixes published "
        "denial-of-service advisories; upgrade pypdf")


def test_a_clean_install_gets_the_fixes():
    """pyproject.toml itself asks for the floor, so ``make install`` on a clean clone has the fixes
    (the test above only sees this machine's environment)."""
    import tomllib

    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    (spec,) = [d for d in deps if re.match(r"pypdf\b", d)]
    floor = re.search(r">=\s*([0-9.]+)", spec)
    assert floor and _version_tuple(floor[1]) >= PYPDF_FLOOR, spec


def test_misnamed_documents_are_read_by_content_with_a_note(hostile_ingest):
    _kb, report, *_ = hostile_ingest
    for key, real in (("docx_as_pdf", ".docx"), ("docx_as_doc", ".docx"), ("pdf_as_docx", ".pdf")):
        res = _result_for(report, key)
        assert "已按实际格式读取" in res.reason and f"建议把扩展名改为 {real}" in res.reason, (key, res.reason)
    assert "旧版 Word 文档（.doc" in _result_for(report, "ole2_doc").reason


def test_office_lock_and_system_files_are_skipped_like_hidden_files(tmp_path, monkeypatch, capsys):
    """`~$案例集.docx` (Word's owner file while a document is open), `Thumbs.db` and `desktop.ini`
    are not documents: a folder ingest skips them instead of failing with exit code 1."""
    from kb.cli import main
    from kb.indexing import discover

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "合成.txt").write_text("一、合成测试\n" + hostile.SYNTHETIC_TEXT + "\n", encoding="utf-8")
    (corpus / "~$合成案例集.docx").write_bytes(b"\x0cAdministrator" + b"\x00" * 150)
    (corpus / "~WRL0001.tmp").write_bytes(b"\x00" * 64)
    (corpus / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (corpus / "desktop.ini").write_text("[.ShellClassInfo]\n", encoding="utf-8")
    assert [p.name for p in discover([corpus])] == ["合成.txt"]
    hostile.seed_tokenizer_cache(tmp_path / "indexes")
    monkeypatch.setenv("KB_HOME", str(tmp_path))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["ingest", "-q"]) == 0
    assert "~$" not in capsys.readouterr().out


def test_pipes_and_looping_links_are_reported_by_name_and_the_index_folder_is_skipped(tmp_path):
    """A named pipe would block the read forever and a symlink loop raised RuntimeError from
    pathlib: both are now failed files with a Chinese reason, found in a folder walk or named
    on the command line, and the good file is indexed. ``kb ingest .`` from the home folder
    does not try to import the index's own files."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "合成.txt").write_text("一、合成测试\n" + hostile.SYNTHETIC_TEXT + "\n", encoding="utf-8")
    os.mkfifo(corpus / "管道.txt")
    (corpus / "环A.txt").symlink_to("环B.txt")
    (corpus / "环B.txt").symlink_to("环A.txt")
    (corpus / "自指.docx").symlink_to("自指.docx")
    (corpus / "断链.pdf").symlink_to("不存在.pdf")
    hostile.seed_tokenizer_cache(tmp_path / "indexes")
    kb = KnowledgeBase(make_config(tmp_path))
    kb.tokenizer = hostile.shared_tokenizer()
    done = threading.Event()
    outcome: dict = {}

    def ingest(paths) -> None:
        outcome["report"] = kb.ingest(paths)
        done.set()

    threading.Thread(target=ingest, args=([corpus],), daemon=True).start()
    assert done.wait(60), "ingest hung on the named pipe"
    report = outcome["report"]
    reasons = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert reasons["合成.txt"][0] == "indexed"
    assert reasons["管道.txt"] == ("failed", "不是普通文件（管道、设备等特殊文件无法导入）")
    for name in ("环A.txt", "环B.txt", "自指.docx", "断链.pdf"):
        assert reasons[name] == ("failed", "符号链接指向不存在的文件，或链接自身成环"), name
    for named in (corpus / "管道.txt", corpus / "自指.docx"):  # named on the command line
        done.clear()
        threading.Thread(target=ingest, args=([named],), daemon=True).start()
        assert done.wait(60), f"ingest hung on {named.name}"
        assert [f.status for f in outcome["report"].files] == ["failed"]
    assert [p.name for p in kb.discover([tmp_path])] == sorted(reasons)  # indexes/ is not walked
    assert len(kb.search("合成测试文本 不良率", mode="bm25")) >= 1


def test_a_rebuild_keeps_the_previous_version_of_a_file_that_fails_this_time(tmp_path, monkeypatch):
    """kb ingest --rebuild on a busy machine: a good DOCX timed out and was dropped from the new
    index, while the summary said the old index was untouched (a fuzzer's find). A rebuild of an
    index this code can read keeps the previous version of such a file, as a plain ingest does."""
    from kb import indexing

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "甲.txt").write_text("一、合成测试甲\n" + hostile.SYNTHETIC_TEXT + "甲厂独有的合成句子。\n", encoding="utf-8")
    (corpus / "乙.txt").write_text("一、合成测试乙\n" + hostile.SYNTHETIC_TEXT + "乙厂独有的合成句子。\n", encoding="utf-8")
    hostile.seed_tokenizer_cache(tmp_path / "indexes")
    kb = KnowledgeBase(make_config(tmp_path))
    kb.tokenizer = hostile.shared_tokenizer()
    assert not kb.ingest().failed
    real = indexing.parse_in_worker

    def slow_for_jia(path, *args, **kwargs):
        if path.name == "甲.txt":
            raise UnreadableDocument(path.name, "解析超时：超过 60 秒仍未完成")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(indexing, "parse_in_worker", slow_for_jia)
    report = kb.ingest(rebuild=True)
    failed = {f.path: f.reason for f in report.files if f.status == "failed"}
    assert list(failed) == ["corpus/甲.txt"] and "索引中保留该文件的上一版本" in failed["corpus/甲.txt"]
    assert report.changed
    assert sorted(d.path for d in kb.documents()) == ["corpus/乙.txt", "corpus/甲.txt"]
    assert any("甲厂独有" in h.chunk.text for h in kb.search("甲厂独有的合成句子", mode="bm25"))
