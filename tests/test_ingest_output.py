"""What `kb ingest` tells the user: duplicate files, document titles, progress lines in a log,
the JSON summary. Every document here is SYNTHETIC, written at test time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import hostile
import pdfgen
import pytest

from kb import KBConfig, KnowledgeBase
from kb.cli import _Bar, main
from kb.loaders import load_document, meta_title_usable
from kb.present import progress_item, shorten_middle

TEXT = "一、合成测试文档\n本文件为测试用合成文档。合成县甲厂的伞骨断裂率由5.1%降至1.2%。\n"


@pytest.fixture()
def home(tmp_path) -> Path:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "合成甲.txt").write_text(TEXT, encoding="utf-8")
    hostile.seed_tokenizer_cache(tmp_path / "indexes")
    return tmp_path


def test_duplicate_names_the_file_it_duplicates(home):
    shutil.copy(home / "corpus" / "合成甲.txt", home / "corpus" / "合成甲_副本.txt")
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64"))
    dup = next(f for f in kb.ingest().files if f.status == "duplicate")
    assert dup.path.endswith("合成甲_副本.txt") and "与 corpus/合成甲.txt 内容完全相同" in dup.reason
    (home / "corpus" / "合成甲_副本2.txt").write_bytes((home / "corpus" / "合成甲.txt").read_bytes())
    dup = next(f for f in kb.ingest().files if f.path.endswith("合成甲_副本2.txt"))  # the original is unchanged now
    assert dup.status == "duplicate" and "corpus/合成甲.txt" in dup.reason


def test_a_copy_added_later_never_takes_the_place_of_the_file_indexed_before(home):
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64"))
    assert [f.status for f in kb.ingest().files] == ["indexed"]
    shutil.copy(home / "corpus" / "合成甲.txt", home / "corpus" / "0合成甲副本.txt")  # sorts before the original
    files = kb.ingest().files
    assert [(Path(f.path).name, f.status) for f in files] == [("0合成甲副本.txt", "duplicate"), ("合成甲.txt", "unchanged")]
    assert "corpus/合成甲.txt" in files[0].reason
    assert [d.path for d in kb.documents()] == ["corpus/合成甲.txt"]
    rebuilt = kb.ingest(rebuild=True).files  # a rebuild keeps the source the index had
    assert [(Path(f.path).name, f.status) for f in rebuilt] == [("0合成甲副本.txt", "duplicate"), ("合成甲.txt", "indexed")]
    assert [d.path for d in kb.documents()] == ["corpus/合成甲.txt"]


def test_a_copy_given_from_outside_the_corpus_is_a_duplicate_and_the_source_stays(home, tmp_path_factory):
    """kb ingest /elsewhere with a byte-identical copy of a corpus file said 未变化 and made the copy the
    document's source; the next plain kb ingest switched it back."""
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64"))
    kb.ingest()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(home / "corpus" / "合成甲.txt", elsewhere / "dup_copy.txt")
    files = kb.ingest([elsewhere]).files
    assert [(Path(f.path).name, f.status) for f in files] == [("dup_copy.txt", "duplicate")]
    assert "与 corpus/合成甲.txt 内容完全相同" in files[0].reason
    assert [d.path for d in kb.documents()] == ["corpus/合成甲.txt"]
    assert [f.status for f in kb.ingest().files] == ["unchanged"]
    # a file moved (its old path gone) still takes the document with it
    moved = elsewhere / "合成甲_moved.txt"
    shutil.move(home / "corpus" / "合成甲.txt", moved)
    assert [f.status for f in kb.ingest([moved]).files] == ["unchanged"]
    assert [d.path for d in kb.documents()] == [str(moved.resolve())]


@pytest.mark.parametrize("title, usable", [
    ("合成测试报告：某市小微企业质量提升工作总结", True), ("Annual Report 2023", True),
    ("untitled", False), ("Untitled", False), ("无标题", False), ("Microsoft Word - 合成报告.docx", False),
    ("Microsoft Word - 合成报告", False), ("文档1", False), ("Document1", False), ("合成报告.docx", False),
    ("PowerPoint Presentation", False), ("   ", False), ("1", False), ("新建 Microsoft Word 文档", False),
])
def test_placeholder_pdf_titles_are_not_used(title, usable):
    assert meta_title_usable(title) is usable


def test_pdf_titled_microsoft_word_takes_its_file_name(tmp_path):
    path = pdfgen.write_pdf(tmp_path / "合成季度总结.pdf", [["合成测试内容。"]], title="Microsoft Word - 合成模板.docx")
    assert load_document(path).title == "合成季度总结"


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal(capsys):
    bar = _Bar(True)  # capsys: stderr is not a TTY
    assert bar.plain
    bar("parse", 0, 2, "corpus/合成甲.pdf")
    bar("ocr", 0, 2, "corpus/合成甲.pdf：OCR 第 1/2 页（正在估算用时）")
    bar("ocr", 1, 2, "corpus/合成甲.pdf：OCR 第 2/2 页，预计还需约 9 秒")
    bar("parse", 1, 2, "corpus/合成乙.txt")
    bar("parse", 2, 2, "")
    bar("embed", 0, 10, "")
    bar("embed", 10, 10, "")
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b[" not in err
    assert err.splitlines() == ["解析文件 1/2：corpus/合成甲.pdf", "OCR 识别：corpus/合成甲.pdf：OCR 第 1/2 页（正在估算用时）",
                                "OCR 识别：corpus/合成甲.pdf：OCR 第 2/2 页，预计还需约 9 秒", "解析文件 2/2：corpus/合成乙.txt",
                                "解析文件 2/2", "生成向量 0/10", "生成向量 10/10"]


def test_terminal_bar_cuts_a_long_file_name_in_the_middle():
    name = "corpus/2024年某市小微企业质量管理体系认证提升行动典型案例汇编（第二批）扫描件.pdf"
    shown = progress_item(f"{name}：OCR 第 3/10 页，预计还需约 40 秒")
    assert shown.startswith("corpus/") and "….pdf" not in shown and shown.endswith("件.pdf：OCR 第 3/10 页，预计还需约 40 秒")
    assert "…" in shown and len(shown) <= 40
    assert shorten_middle("abcdefghij", 5) == "ab…ij" and shorten_middle("abc", 5) == "abc"


def test_ingest_json_ends_with_a_summary_line(home, monkeypatch, capsys):
    (home / "corpus" / "坏.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    monkeypatch.setenv("KB_HOME", str(home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    capsys.readouterr()
    assert main(["ingest", "--json"]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert sorted(x["status"] for x in lines[:-1]) == ["failed", "indexed"]
    summary = lines[-1]["summary"]
    assert summary["files"] == 2 and summary["indexed"] == 1 and summary["failed"] == 1
    assert summary["changed"] is True and summary["generation"].startswith("gen-")
