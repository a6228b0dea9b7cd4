"""The fifth synthetic case collection (eval/cases_s23, written by a black-box tester in the layouts real
collections use: Word-styled titles over parts, one case per table row, place titles with no numbering in a
PDF, mixed numbering in Markdown): every expected case is found, with its kind and place, and no front or
back matter is taken for a case. Hash test embedder (no model)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kb import KBConfig, KnowledgeBase

SET = Path(__file__).resolve().parent.parent / "eval" / "cases_s23"


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    home = tmp_path_factory.mktemp("cases_s23")
    (home / "corpus").mkdir()
    for f in SET.iterdir():
        if f.suffix in (".docx", ".pdf", ".md") and f.name != "README.md":
            shutil.copy(f, home / "corpus" / f.name)
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64", backend="local"))
    assert not kb.ingest().failed
    return [h.as_dict() for h in kb.cases(top_k=100)]


EXPECTED = json.loads((SET / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("want", EXPECTED["cases"], ids=[c["id"] for c in EXPECTED["cases"]])
def test_every_expected_case_is_found_with_its_kind_and_place(cases, want):
    found = [c for c in cases if want["title_kw"] in c["title"]]
    assert found, f"{want['id']} ({want['title_kw']}) not found"
    c = found[0]
    assert c["kind"] == want["kind"]
    assert (c["region"]["province"], c["region"]["city"]) == (want["province"], want["city"])


def test_no_front_or_back_matter_is_a_case(cases):
    assert len(cases) == len(EXPECTED["cases"])
    for title in (c["title"] for c in cases):
        assert not any(word in title for word in ("前言", "编者按", "几点体会", "附录")), title
