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


# --- documents written in Traditional Chinese --------------------------------------------------

_TRADITIONAL_MD = """# 小微企業質量提升典型案例（合成測試材料）

## 案例一 東莞市某合成玩具廠：以拉力測試杜絕小零件脫落

企業概況：該廠位於廣東省東莞市，主要生產塑膠毛絨玩具。

存在問題：玩具眼睛等小零件容易脫落，拉力測試合格率僅89%。

幫扶措施：建立小零件拉力全數測試制度，開展玩具安全標準培訓。

取得成效：拉力測試合格率由89%提高到99%。
"""


def test_a_traditional_document_is_indexed_in_simplified(tmp_path):
    """A collection written in Traditional Chinese: its labels, places and trades are read (they
    were not: no problem, no place, measures holding every label), and the ingest says it converted."""
    from kb.pipeline import parse_document
    from kb.simplified import TRADITIONAL_NOTE

    md = tmp_path / "繁體案例.md"
    md.write_text(_TRADITIONAL_MD, encoding="utf-8")
    parsed = parse_document(md)
    assert TRADITIONAL_NOTE in parsed.document.notes
    assert parsed.title == "小微企业质量提升典型案例（合成测试材料）"
    (case,) = parsed.cases
    assert case.region.city == "东莞市" and case.kind == "enterprise_case"
    assert case.problem.startswith("玩具眼睛等小零件容易脱落")
    assert "存在问题" not in " ".join(case.measures) and case.measures
    assert [(o.before, o.after) for o in case.outcomes] == [(89.0, 99.0)]
    assert "東莞" not in "".join(c.text for c in parsed.chunks)


def test_a_simplified_document_is_left_as_written(tmp_path):
    from kb.pipeline import parse_document
    from kb.simplified import TRADITIONAL_NOTE, is_traditional

    report = next((REPO / "corpus").glob("*.txt"))
    assert not is_traditional(report.read_text(encoding="utf-8"))
    assert TRADITIONAL_NOTE not in parse_document(report).document.notes
    # a Simplified text quoting a few Traditional names stays as it is
    assert not is_traditional("本报告介绍台湾地区“品質保證”制度的做法。" + "小微企业质量管理体系认证提升行动。" * 20)
