"""Shared fixtures.

* The shipped report (``corpus/``) run through each pipeline stage, once per session.
* Sample files built at test time by :mod:`pdfgen` (synthetic content, good and broken).
"""

from __future__ import annotations

from pathlib import Path

import pdfgen
import pytest

from kb.chunking import chunk_sentences
from kb.cleaning import Paragraph, clean_document
from kb.loaders import load_document
from kb.records import Chunk, Document, Sentence
from kb.structure import structure_sentences

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORT_PATH = REPO_ROOT / "corpus" / "2023年度小微企业质量管理体系认证提升行动工作总结.txt"


# --- the shipped report, stage by stage ---------------------------------------------------

@pytest.fixture(scope="session")
def report_path() -> Path:
    assert REPORT_PATH.is_file(), f"shipped report missing: {REPORT_PATH}"
    return REPORT_PATH


@pytest.fixture(scope="session")
def report_doc(report_path) -> Document:
    return load_document(report_path)


@pytest.fixture(scope="session")
def report_paragraphs(report_doc) -> list[Paragraph]:
    return clean_document(report_doc)


@pytest.fixture(scope="session")
def report_structure(report_paragraphs) -> tuple[str | None, list[Sentence]]:
    """(title, sentences) of the shipped report."""
    return structure_sentences(report_paragraphs)


@pytest.fixture(scope="session")
def report_sentences(report_structure) -> list[Sentence]:
    return report_structure[1]


@pytest.fixture(scope="session")
def report_chunks(report_doc, report_sentences) -> list[Chunk]:
    return chunk_sentences(report_doc.doc_id, report_sentences)


# --- sample files built at test time (synthetic content) ----------------------------------

SAMPLE_WRITERS = {
    "report_pdf": pdfgen.write_report_pdf,
    "empty_password_pdf": pdfgen.write_empty_password_pdf,
    "docx": pdfgen.write_docx,
    "gbk_txt": pdfgen.write_gbk_txt,
    "bom_txt": pdfgen.write_bom_txt,
}


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory) -> dict[str, Path]:
    """Readable sample files, keyed as in :data:`SAMPLE_WRITERS`; built once per session."""
    directory = tmp_path_factory.mktemp("samples")
    return {key: write(directory) for key, write in SAMPLE_WRITERS.items()}


# --- the real embedding model (tests marked slow) -----------------------------------------

@pytest.fixture(scope="session")
def real_embedder():
    """m3e-small as users get it (the configured backend, ONNX Runtime by default), loaded once
    per session. Missing is a failure, never a skip: the slow tests exist to check the real model."""
    from kb.config import DEFAULT_MODEL, KBConfig
    from kb.embedding import make_embedder
    from kb.errors import ModelUnavailable

    config = KBConfig()
    try:
        embedder = make_embedder(DEFAULT_MODEL, config.embed_batch_size, config.embed_backend, config.embed_precision)
    except ModelUnavailable as exc:
        pytest.fail(f"the real embedding model is required by this test: {exc}")
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def real_kb(tmp_path_factory, real_embedder):
    """The shipped corpus indexed with the real model (read-only: tests must not ingest)."""
    import shutil

    from kb import KBConfig, KnowledgeBase
    from kb.config import DEFAULT_MODEL

    home = tmp_path_factory.mktemp("real_kb")
    shutil.copytree(REPO_ROOT / "corpus", home / "corpus")
    kb = KnowledgeBase(KBConfig(home=home, model=DEFAULT_MODEL), embedder=real_embedder)
    report = kb.ingest()
    assert not report.failed, report.failed
    return kb


# --- browser tests ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """Where browser screenshots go: ``$KB_TEST_ARTIFACTS`` if set, else a temporary folder
    (tests never write into the repository)."""
    import os

    folder = os.environ.get("KB_TEST_ARTIFACTS")
    if not folder:
        return tmp_path_factory.mktemp("screenshots")
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


@pytest.fixture(scope="session")
def hash_kb(tmp_path_factory):
    """The shipped corpus indexed with the hash test embedder (fast, no model); its users only read it."""
    import shutil

    from kb import KBConfig, KnowledgeBase

    home = tmp_path_factory.mktemp("hashkb")
    shutil.copytree(REPO_ROOT / "corpus", home / "corpus")
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64", backend="local"))
    assert not kb.ingest().failed
    return kb
