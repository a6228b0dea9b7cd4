"""A knowledge base built from synthetic documents (合成测试材料) under a test's temporary directory,
with the model-free hash embedder so it builds in a second."""

from __future__ import annotations

from pathlib import Path

from kb import KBConfig, KnowledgeBase


def build_kb(home: Path, files: dict[str, str | Path]) -> KnowledgeBase:
    """Write ``files`` (name → text, or a path to copy) into ``home/corpus``, ingest them and return the
    knowledge base; fails the test if any file does not index."""
    corpus = home / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, Path):
            (corpus / name).write_bytes(content.read_bytes())
        else:
            (corpus / name).write_text(content, encoding="utf-8")
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64"))
    report = kb.ingest()
    assert not report.failed, [(f.path, f.reason) for f in report.failed]
    return kb
