"""Traditional-Chinese queries are read as Simplified (kb/simplified.py) on every query path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb import Filters, KnowledgeBase
from kb.cleaning import fold_forms
from kb.glossary import expand, expansions
from kb.simplified import to_simplified

REPO = Path(__file__).resolve().parent.parent

# (Traditional, Simplified) pairs; the first two are from the tester's report.
PAIRS = [
    ("認證貸", "认证贷"),
    ("質量管理體系認證有什麼好處", "质量管理体系认证有什么好处"),
    ("家紡企業產品缺陷率高", "家纺企业产品缺陷率高"),
    ("我們是做雨傘的小廠，認證能帶來什麼？", "我们是做雨伞的小厂，认证能带来什么？"),
]


@pytest.mark.parametrize(("traditional", "simplified"), PAIRS)
def test_traditional_becomes_simplified(traditional, simplified):
    assert to_simplified(traditional) == simplified
    assert to_simplified(simplified) == simplified


def test_simplified_text_is_left_alone():
    """t2s must not touch Simplified text: 著 stays 著 (显著, 著作), 乾隆 stays 乾隆, 于/余/后 stay."""
    for text in ("显著成效", "著作权", "乾隆", "于是", "余下", "后来", "发现", "6.0% ISO 9001", ""):
        assert to_simplified(text) == text
    shipped = [*REPO.glob("corpus/*.txt"), *(REPO / "kb" / "data").glob("*.t*")]
    assert len(shipped) >= 5
    for path in shipped:
        text = path.read_text(encoding="utf-8")  # folded (１０．２％ → 10.2%) as the documents are
        assert to_simplified(text) == fold_forms(text), path.name
    questions = [json.loads(line)["query"] for path in REPO.glob("eval/*.jsonl")
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(questions) > 300
    assert [q for q in questions if to_simplified(q) != q] == []


def test_glossary_expansion_reads_traditional():
    assert "伞业" in expansions("我們是做雨傘的小廠")
    assert expand("認證貸") == expand("认证贷")


@pytest.fixture(scope="module")
def built(hash_kb) -> KnowledgeBase:
    return hash_kb  # the shipped corpus, hash test embedder (tests/conftest.py)


def _without_query(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k != "query"}


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
@pytest.mark.parametrize(("traditional", "simplified"), PAIRS[:3])
def test_traditional_query_gives_the_simplified_results(built, mode, traditional, simplified):
    want = built.search_json(simplified, top_k=5, mode=mode)
    got = built.search_json(traditional, top_k=5, mode=mode)
    assert want["results"]
    assert _without_query(got) == _without_query(want)
    assert got["query"] == traditional  # the query is echoed as given


def test_traditional_filters_and_candidates(built):
    f = Filters(region="江苏")
    assert (built.search_json("家紡產品缺陷率高", top_k=3, filters=f)["results"]
            == built.search_json("家纺产品缺陷率高", top_k=3, filters=f)["results"])
    assert built.candidates("認證貸") == built.candidates("认证贷")


def test_traditional_case_problem_gives_the_simplified_ranking(built):
    want = [h.as_dict() for h in built.cases(industry="纺织业", problem="产品缺陷率高", top_k=5)]
    got = [h.as_dict() for h in built.cases(industry="纺织业", problem="產品缺陷率高", top_k=5)]
    assert want and got == want


def test_traditional_filter_values_mean_the_simplified_ones(built):
    """``--region 江蘇`` / ``--industry 紡織業`` used to match nothing ("未识别的地区")."""
    assert Filters(region="江蘇", industry="紡織業") == Filters(region="江苏", industry="纺织业")
    hits = built.search("认证贷", filters=Filters(region="江蘇"))
    same = built.search("认证贷", filters=Filters(region="江苏"))
    assert hits and [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in same]
    assert [c.case.case_id for c in built.cases(industry="紡織業")] == [c.case.case_id for c in built.cases(industry="纺织业")]
    assert built.filter_notes(industry="紡織業", region="江蘇") == []


def test_full_width_digits_letters_and_radicals_fold_as_in_documents():
    assert to_simplified("１４３３家企业，ＩＳＯ９００１，合格率９８．５％") == "1433家企业，ISO9001，合格率98.5%"
    assert to_simplified("⾁制品企業") == "肉制品企业"  # a radical, and a Traditional character
    assert to_simplified("，。：“”（）") == "，。：“”（）"  # Chinese punctuation stays full-width
