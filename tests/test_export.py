"""Course pack export (kb/export.py): DOCX opens with python-docx and cites its sources;
Markdown shows document text literally. All items here are synthetic test data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace

import docx
import markdown_it
import pytest

from kb.export import (
    DEFAULT_TITLE,
    ExportItem,
    ExportOutcome,
    collect_items,
    continued_header,
    covered_share,
    escape_markdown,
    export_docx,
    export_markdown,
    found_by_words,
    item_from_case_hit,
    item_from_hit,
    passage_title,
    shown_titles,
    sources,
    text_segments,
)
from kb.present import citation_text, outcome_text, safe_export_name
from kb.records import Case, CaseHit, Chunk, Hit, Outcome, Region

DOC_TITLE = "合成测试报告（非真实材料）"
SECTION = ("一、工作举措与成效", "（二）优化精准帮扶")


def _case() -> Case:
    return Case(
        case_id="doc000000001-c001", doc_id="doc000000001", kind="local_experience",
        title="合成市：为家纺小微企业定制自检法", region=Region("江苏省", "南通市"), industry="纺织业",
        problem="产品缺陷率高", measures="量身定制防错方法和快捷自检法", profile="合成企业，员工35人，主营床品",
        outcomes=(Outcome("产品缺陷发生率", 15.0, 7.0, None, "%", 5, chunk_id="doc000000001-0007"),
                  Outcome("月均经济效益", None, None, 10.0, "万元", 5, chunk_id="doc000000001-0007"),
                  # read from the next passage: a card of passage 0007 does not show it
                  Outcome("服务企业", None, 30.0, None, "家", 6, chunk_id="doc000000001-0008")),
        section=SECTION, page=5, chunk_id="doc000000001-0007",
        text="合成市为家纺小微企业定制自检法，产品缺陷发生率从15%降至7%。")


def _hit() -> Hit:
    chunk = Chunk("doc000000001-0007", "doc000000001", 7, "合成市为家纺小微企业定制自检法，产品缺陷发生率从15%降至7%。",
                  SECTION, 5, 6, "report")
    return Hit(rank=1, score=0.9, chunk=chunk, doc_title=DOC_TITLE, region=Region("江苏省", "南通市"),
               industry="纺织业", bm25_rank=1, dense_rank=2, matched_terms=("家纺",))


def _xss_item() -> ExportItem:
    return ExportItem(key="doc000000002-0001", source="passage", title="安全测试", doc_id="doc000000002",
                      doc_title="合成 <b>文档</b>", section="一、测试", page=None,
                      text="<script>alert(1)</script> <img src=x onerror=alert(1)> [点我](javascript:alert(1))\n1. 不是列表\n- 也不是列表",
                      outcomes=(ExportOutcome("指标*", 1.0, 2.0, None, "%", None),))


def test_outcome_text_formats():
    assert outcome_text(Outcome("产品缺陷发生率", 15.0, 7.0, None, "%")) == "产品缺陷发生率：15% → 7%"
    assert outcome_text(Outcome("月均经济效益", change=10.0, unit="万元")) == "月均经济效益：+10万元"
    assert outcome_text(Outcome("质量成本控制率", change=-6.0, unit="%")) == "质量成本控制率：-6%"
    assert outcome_text(Outcome("行业产值", after=130.0, unit="亿元")) == "行业产值：130亿元"


def test_citation_text():
    assert citation_text("报告", "一 > 二", 3) == "《报告》 · 一 > 二 · 第 3 页"
    assert citation_text("报告", "一", 3, 4) == "《报告》 · 一 · 第 3–4 页"
    assert citation_text("报告", "", None) == "《报告》"


def test_items_from_hit_and_case_hit():
    case = _case()
    item = item_from_hit(_hit(), [case])
    assert item.key == "doc000000001-0007" and item.source == "passage"
    assert item.title == "（二）优化精准帮扶"
    assert item.page == 5 and item.page_end == 6
    assert item.region == "江苏省南通市" and item.industry == "纺织业"
    assert [o.metric for o in item.outcomes] == ["产品缺陷发生率", "月均经济效益"]

    citem = item_from_case_hit(CaseHit(1, 0.8, case, DOC_TITLE))
    assert citem.key == "case:doc000000001-c001" and citem.source == "case" and len(citem.outcomes) == 3
    assert citem.problem == "产品缺陷率高" and citem.measures.startswith("量身定制")
    assert citem.profile == "合成企业，员工35人，主营床品" and item.profile == ""
    assert citem.kind == "local_experience"
    assert ExportItem.from_dict(citem.as_dict()) == citem


def test_sources_collects_pages_per_document():
    items = [item_from_hit(_hit(), [_case()]), _xss_item()]
    assert sources(items) == [("doc000000001", DOC_TITLE, [5, 6]), ("doc000000002", "合成 <b>文档</b>", [])]


def test_docx_opens_and_contains_citations():
    case = _case()
    items = [item_from_hit(_hit(), [case]), item_from_case_hit(CaseHit(1, 0.8, case, DOC_TITLE)), _xss_item()]
    data = export_docx(items, "认证提升案例选编")
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == "认证提升案例选编"
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.splitlines()[0] == "认证提升案例选编"
    assert f"出处：《{DOC_TITLE}》 · 一、工作举措与成效 > （二）优化精准帮扶 · 第 5–6 页" in text
    assert f"出处：《{DOC_TITLE}》 · 一、工作举措与成效 > （二）优化精准帮扶 · 第 5 页" in text
    assert "产品缺陷发生率：15% → 7%（第 5 页）" in text
    assert "问题：产品缺陷率高" in text and "做法：量身定制防错方法和快捷自检法" in text
    assert text.index("概况：合成企业，员工35人，主营床品") < text.index("问题：产品缺陷率高")
    assert "资料来源" in text
    assert f"《{DOC_TITLE}》（文档编号 doc000000001；引用 第 5、6 页）" in text
    # Document text is stored as text, not interpreted.
    assert "<script>alert(1)</script>" in text


def test_docx_drops_characters_xml_cannot_hold():
    item = ExportItem(key="k", source="passage", title="控制\x07字符", text="正文\x00\x1b有控制字符", doc_id="d",
                      doc_title="文档")
    document = docx.Document(io.BytesIO(export_docx([item], "标题\x0b")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "正文有控制字符" in text and "控制字符" in text


def test_empty_export_is_valid():
    document = docx.Document(io.BytesIO(export_docx([], "")))
    assert document.paragraphs[0].text == DEFAULT_TITLE  # an empty title gets the default one
    md = export_markdown([], "")
    assert md.startswith(f"# {DEFAULT_TITLE}\n") and "（无）" in md


def test_markdown_structure_and_citation():
    case = _case()
    md = export_markdown([item_from_hit(_hit(), [case]), item_from_case_hit(CaseHit(1, 0.8, case, DOC_TITLE))], "选编")
    assert md.startswith("# 选编\n")
    assert "## 1. （二）优化精准帮扶" in md
    assert "## 2. 合成市：为家纺小微企业定制自检法" in md
    assert "- 产品缺陷发生率：15% → 7%（第 5 页）" in md
    assert "**概况**：合成企业，员工35人，主营床品" in md
    assert "出处：《合成测试报告（非真实材料）》 · 一、工作举措与成效 \\> （二）优化精准帮扶 · 第 5–6 页" in md
    assert "## 资料来源" in md


def test_escape_markdown_keeps_text_literal():
    assert escape_markdown("<script>alert(1)</script>") == "\\<script\\>alert(1)\\</script\\>"
    assert escape_markdown("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert escape_markdown("1. 不是列表") == "1\\. 不是列表"
    assert escape_markdown("- 不是列表") == "\\- 不是列表"
    assert escape_markdown("a*b*_c_ &lt; $x$") == "a\\*b\\*\\_c\\_ \\&lt; \\$x\\$"
    assert escape_markdown("普通中文，2023—2025 年。") == "普通中文，2023—2025 年。"


def test_markdown_export_renders_without_html_or_links():
    md = export_markdown([_xss_item()], "标题 <i>x</i>")
    html = markdown_it.MarkdownIt("commonmark").render(md)
    assert "<script" not in html and "<img" not in html and "<i>" not in html and "<b>" not in html
    assert "href=" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "[点我](javascript:alert(1))" in html
    assert "&amp;" not in md  # text is escaped with backslashes, not entities
    # "1. " and "- " inside the quoted passage stay text, not lists.
    quote = html.split("<blockquote>")[1].split("</blockquote>")[0]
    assert "<ol>" not in quote and "<ul>" not in quote


@pytest.mark.parametrize(("name", "suffix", "expected"), [
    ("第一期课件", ".docx", "第一期课件.docx"),
    ("../../etc/passwd", ".md", "etc_passwd.md"),
    ("2023/2024 合成培训", ".docx", "2023_2024 合成培训.docx"),  # the text before "/" is kept
    ("合成公司\\质量提升/第一讲.pptx", ".pptx", "合成公司_质量提升_第一讲.pptx"),
    ("/合成课件/", ".md", "合成课件.md"),
    ("课件.pptx", ".pptx", "课件.pptx"),
    ("课件.docx", ".docx", "课件.docx"),
    ("", ".md", "课件素材.md"),
    ('a<b>:"c"|?*', ".docx", "a_b___c.docx"),
])
def test_safe_export_name(name, suffix, expected):
    assert safe_export_name(name, suffix) == expected
    assert "/" not in safe_export_name(name, suffix) and "\\" not in safe_export_name(name, suffix)


def test_docx_is_a4_with_the_course_title_and_no_python_docx_properties():
    import datetime

    from kb.export import PROPERTY_AUTHOR

    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
    document = docx.Document(io.BytesIO(export_docx([item_from_hit(_hit(), [_case()])], "合成课件")))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    props = document.core_properties
    assert props.title == "合成课件"
    assert props.author == props.last_modified_by == PROPERTY_AUTHOR
    assert "python-docx" not in (props.comments or "") and props.comments == ""
    for when in (props.created, props.modified):
        assert when.replace(tzinfo=None) >= before - datetime.timedelta(seconds=1)


# --- collecting items (kb export): synthetic hits and cases through a stand-in knowledge base ---

class FakeKB:
    """What collect_items asks of a KnowledgeBase, answering from synthetic hits and cases."""

    def __init__(self, hits: dict[str, list[Hit]], case_hits: list[CaseHit] = (), cases: Sequence[Case] = (),
                 chunks: Sequence[Chunk] = ()):
        from kb.config import KBConfig

        self.config = KBConfig()
        self.hits, self.case_hits, self.all = hits, list(case_hits), list(cases) + [h.case for h in case_hits]
        self.stored = list(chunks) + [h.chunk for found in hits.values() for h in found]
        self.asked: list[dict] = []

    def chunks(self, doc=None):
        return [c for c in dict((c.chunk_id, c) for c in self.stored).values() if doc is None or c.doc_id == doc]

    def search(self, query, top_k=10, filters=None):
        self.asked.append({"query": query, "filters": filters})
        return self.hits.get(query, [])[:top_k]

    def cases(self, industry=None, problem=None, region=None, top_k=10):
        self.asked.append({"industry": industry, "problem": problem, "region": region})
        return self.case_hits[:top_k]

    def cases_of_chunk(self, chunk_id):
        return [c for c in dict((c.case_id, c) for c in self.all).values() if chunk_id in c.passage_ids]

    def case_hit(self, case_id):
        case = next((c for c in self.all if c.case_id == case_id), None)
        return None if case is None else CaseHit(0, 0.0, case, DOC_TITLE)


def _chunk_hit(n: int, score: float, text: str, section=SECTION, region: Region | None = None, industry=None,
               bm25_rank: int | None = -1, matched=(), ordinal: int | None = None, page: int = 5) -> Hit:
    """A synthetic hit; BM25 ranked it (at ``n``) unless ``bm25_rank`` is None (the vectors alone
    found it). Passages ``n`` are ten apart in their document (no neighbours) unless ``ordinal`` says."""
    chunk = Chunk(f"doc000000001-{n:04d}", "doc000000001", 10 * n if ordinal is None else ordinal, text,
                  tuple(section), page, page, "report")
    return Hit(rank=n, score=score, chunk=chunk, doc_title=DOC_TITLE, region=region or Region(), industry=industry,
               bm25_rank=n if bm25_rank == -1 else bm25_rank, matched_terms=tuple(matched))


def _other_case(case_id: str, title: str, industry: str, chunk_ids=(), text="合成案例原文。") -> Case:
    return Case(case_id=case_id, doc_id="doc000000001", kind="enterprise_case", title=title,
                region=Region("合成省", "合成市"), industry=industry, problem="合成问题", measures="合成做法",
                outcomes=(Outcome("合成指标", 10.0, 5.0, None, "%", 5),), section=(title,), page=5,
                chunk_id=chunk_ids[0] if chunk_ids else None, text=text, chunk_ids=tuple(chunk_ids))


def test_export_filters_reach_the_passages_and_keep_only_cases_of_the_trade():
    textile = CaseHit(1, 1.2, _other_case("doc000000001-c101", "合成纺织厂", "纺织业"), DOC_TITLE)
    electronics = CaseHit(2, 1.1, _other_case("doc000000001-c102", "合成电子厂", "计算机、通信和其他电子设备制造业"), DOC_TITLE)
    kb = FakeKB({"家纺": [_chunk_hit(1, 0.9, "合成段落一。")]}, [electronics, textile])
    items = collect_items(kb, ["家纺"], problem="产品缺陷率高", industry="家纺", region="江苏", top_k=5)
    search = kb.asked[0]["filters"]
    assert (search.industry, search.region) == ("家纺", "江苏")
    assert kb.asked[1]["industry"] == "家纺" and kb.asked[1]["region"] == "江苏"
    # 家纺 means 纺织业: the electronics case that kb cases would list for its problem match is left out
    assert [it.title for it in items if it.source == "case"] == ["合成纺织厂"]
    unknown = collect_items(FakeKB({}, [electronics, textile]), problem="缺陷", industry="火星业")
    assert unknown == []


def test_export_leaves_out_weak_passages_and_weak_cases():
    hits = [_chunk_hit(1, 0.84, "合成段落一。"), _chunk_hit(2, 0.70, "合成段落二。"), _chunk_hit(3, 0.09, "合成塑料段落。")]
    strong = CaseHit(1, 0.9, _other_case("doc000000001-c101", "合成纺织厂", "纺织业"), DOC_TITLE)
    weak = CaseHit(2, 0.3, _other_case("doc000000001-c102", "合成食品厂", "食品制造业"), DOC_TITLE, weak=True)
    items = collect_items(FakeKB({"家纺": hits}, [strong, weak]), ["家纺"], problem="产品缺陷率高", top_k=15)
    assert [it.text for it in items if it.source == "passage"] == ["合成段落一。", "合成段落二。"]
    assert [it.title for it in items if it.source == "case"] == ["合成纺织厂"]
    everything = collect_items(FakeKB({"家纺": hits}), ["家纺"], top_k=15, relative_floor=0.0)
    assert len(everything) == 3


def test_export_keeps_passages_only_the_vectors_found_when_close_to_the_best():
    """一企一策 on a tester's corpus (scores as measured, text synthetic): the best passage holds a
    glossary word of it (按需施策), the next ones hold the term; two policy passages only the vectors
    found (0.34 and 0.30 of the best) are left out, though above the quarter floor; one close to
    the best (0.6) stays. A single character in common (按) is no word evidence."""
    hits = [_chunk_hit(1, 0.719, "合成：按需施策的帮扶效能有待提升。", matched=("需施策", "按")),
            _chunk_hit(2, 0.566, "合成：坚持一企一策。", matched=("一企一策",)),
            _chunk_hit(3, 0.44, "合成：相近的做法。", bm25_rank=None),
            _chunk_hit(4, 0.247, "合成：加强政策引导。", bm25_rank=None),
            _chunk_hit(5, 0.213, "合成：总局按照要求完善政策激励。", bm25_rank=None, matched=("按",)),
            _chunk_hit(6, 0.20, "合成：一企一策的又一段。", bm25_rank=None, matched=("一企一策",))]
    items = collect_items(FakeKB({"一企一策": hits}), ["一企一策"], top_k=10)
    assert [it.key[-1] for it in items] == ["1", "2", "3", "6"]
    # the floor is a setting; at 0 only the quarter floor applies
    items = collect_items(FakeKB({"一企一策": hits}), ["一企一策"], top_k=10, vector_only_floor=0.0)
    assert [it.key[-1] for it in items] == ["1", "2", "3", "4", "5", "6"]


def test_found_by_words():
    assert found_by_words(_chunk_hit(1, 0.5, "合成。"))
    assert found_by_words(_chunk_hit(1, 0.5, "合成。", bm25_rank=None, matched=("认证贷",)))
    assert not found_by_words(_chunk_hit(1, 0.5, "合成。", bm25_rank=None, matched=("按", "高")))


def test_export_filters_apply_to_every_item_on_the_report(hash_kb):
    """The shipped report (hash test embedder): a place that does not exist leaves nothing, though
    the query alone finds passages; a real province keeps only passages about it."""
    assert collect_items(hash_kb, ["认证贷"], top_k=5)
    assert collect_items(hash_kb, ["认证贷"], region="火星", top_k=5) == []
    assert collect_items(hash_kb, [], problem="缺陷", industry="火星业", top_k=10) == []
    for it in collect_items(hash_kb, ["认证贷"], region="浙江", top_k=5):
        assert "浙江" in it.text or "浙江" in it.region


def test_a_case_is_exported_once_as_its_case_record():
    """Two passages of one case record (its first and last part) and the record itself, ranked:
    one item, the case record, where its first passage was found."""
    part1, part2 = "合成纺织厂位于合成市，员工40人。存在问题：缺陷率高。", "取得成效：缺陷率由8%降至3%。"
    case = _other_case("doc000000001-c101", "合成纺织厂", "纺织业", ("doc000000001-0001", "doc000000001-0002"),
                       text=part1 + part2)
    other = _chunk_hit(3, 0.8, "合成报告段落，与案例无关。")
    kb = FakeKB({"家纺": [_chunk_hit(1, 0.9, part1, section=("合成纺织厂", "一、基本情况")), other,
                        _chunk_hit(2, 0.7, part2, section=("合成纺织厂", "四、取得成效"))]},
                [CaseHit(1, 1.0, case, DOC_TITLE)])
    items = collect_items(kb, ["家纺"], problem="缺陷率高", top_k=5)
    assert [(it.source, it.title) for it in items] == [("case", "合成纺织厂"), ("passage", "（二）优化精准帮扶")]
    assert items[0].problem == "合成问题" and items[0].outcomes


def test_a_report_paragraph_of_several_cases_stays_and_its_cases_are_not_repeated():
    text = ("二是赋能产业链。例如，合成甲市为家纺企业定制自检法，缺陷发生率从15%降至7%。"
            "合成乙区智能装备企业从143家增加到336家。合成丙县小吃产业链协同提升。")
    cid = "doc000000001-0010"
    a = _other_case("doc000000001-c201", "合成甲市：家纺自检法", "纺织业", (cid,), "合成甲市为家纺企业定制自检法，缺陷发生率从15%降至7%。")
    b = _other_case("doc000000001-c202", "合成乙区：智能装备", "专用设备制造业", (cid,), "合成乙区智能装备企业从143家增加到336家。")
    kb = FakeKB({"家纺": [_chunk_hit(10, 0.7, text)]}, [CaseHit(1, 1.0, a, DOC_TITLE)], cases=[b])
    items = collect_items(kb, ["家纺"], problem="缺陷", top_k=5)
    assert [it.source for it in items] == ["passage"]
    # one case told in a sentence among general text: the passage stays, the case is not repeated
    single = _other_case("doc000000001-c203", "合成甲市：家纺自检法", "纺织业", (cid,), "合成甲市为家纺企业定制自检法，缺陷发生率从15%降至7%。")
    kb = FakeKB({"家纺": [_chunk_hit(10, 0.7, text)]}, [CaseHit(1, 1.0, single, DOC_TITLE)])
    assert [it.source for it in collect_items(kb, ["家纺"], problem="缺陷", top_k=5)] == ["passage"]


def test_a_case_in_two_copies_of_a_collection_is_exported_once():
    text = "合成纺织厂缺陷率由8%降至3%。"
    first = _other_case("doc000000001-c101", "合成纺织厂", "纺织业", ("doc000000001-0001",), text)
    copy = replace(first, case_id="doc000000009-c101", doc_id="doc000000009", chunk_ids=("doc000000009-0001",))
    kb = FakeKB({"家纺": [_chunk_hit(1, 0.9, text)]}, [CaseHit(1, 1.0, copy, DOC_TITLE)], cases=[first])
    assert [it.key for it in collect_items(kb, ["家纺"], problem="缺陷", top_k=5)] == ["case:doc000000001-c101"]


def test_covered_share_compares_letters_only():
    assert covered_share("“抱团认证”做法。其他内容。", "抱团认证做法。") == pytest.approx(6 / 10)
    assert covered_share("", "x") == 0.0


@pytest.mark.parametrize(("section", "text", "cases", "expected"), [
    # a part heading names the case above it
    (("二、企业优良案例", "（二）合成东莞某电子公司", "四、取得成效"), "返工率由8.5%降至2.1%。", 0,
     "（二）合成东莞某电子公司 · 四、取得成效"),
    # a heading under a part: the case, then the heading
    (("合成某家电配件企业", "三、主要做法", "（一）健全来料检验"), "建立来料检验规程。", 0,
     "合成某家电配件企业 · （一）健全来料检验"),
    # a passage that only repeats its (long, numbered) heading: the case and the part instead
    (("案例四：合成某纺织有限公司", "三、主要做法", "（一）按照过程方法梳理订单评审、排产、织造、验布等14个过程"),
     "（一）按照过程方法梳理订单评审、排产、织造、验布等14个过程。", 0, "案例四：合成某纺织有限公司 · 三、主要做法"),
    # a part heading at the top: the one case the passage belongs to
    (("四、取得成效",), "合格率由88%提升至96%。", 1, "合成纺织厂 · 四、取得成效"),
    # ... or the document, when no case is known
    (("四、取得成效",), "合格率由88%提升至96%。", 0, "合成文档 · 四、取得成效"),
    # a report heading with its own text stays as it is
    (("一、工作举措与成效", "二是完善政策激励"), "二是完善政策激励。总局出台了合成政策，共计81项。", 0, "二是完善政策激励"),
    (("四、几点体会", "三是政策激励是保障"), "三是政策激励是保障。合成说明。", 0, "三是政策激励是保障"),
    ((), "合成正文。", 0, "合成文档"),
])
def test_passage_title_names_the_case_or_section(section, text, cases, expected):
    owners = [_other_case("doc000000001-c101", "合成纺织厂", "纺织业")] * cases
    assert passage_title(section, text, "合成文档", owners) == expected


def test_passage_item_title_names_its_case():
    chunk = Chunk("doc000000001-0009", "doc000000001", 9, "返工率由8.5%降至2.1%。",
                  ("二、企业优良案例", "（二）合成东莞某电子公司", "四、取得成效"), 3, 3, "enterprise_case")
    item = item_from_hit(Hit(rank=1, score=0.5, chunk=chunk, doc_title=DOC_TITLE))
    assert item.title == "（二）合成东莞某电子公司 · 四、取得成效"


TABLE_TEXT = ("以下为合成案例，每行一个案例。序号 | 企业名称 | 所在地 | 成效；1 | 合成甲眼镜厂 | 合成省甲市 | 焊点不良率降低；"
              "2 | 合成乙汽配厂 | 合成省乙市 | 合格率提升。注：数据为合成。")


def test_text_segments_split_paragraphs_and_table_rows():
    assert text_segments(TABLE_TEXT) == [
        "以下为合成案例，每行一个案例。",
        (("序号", "企业名称", "所在地", "成效"), ("1", "合成甲眼镜厂", "合成省甲市", "焊点不良率降低"),
         ("2", "合成乙汽配厂", "合成省乙市", "合格率提升")),
        "注：数据为合成。"]
    assert text_segments("没有表格。第二句") == ["没有表格。第二句"]


def test_markdown_and_docx_show_a_table_one_row_per_line():
    chunk = Chunk("doc000000001-0011", "doc000000001", 11, TABLE_TEXT, ("合成一览表",), None, None, "enterprise_case")
    item = item_from_hit(Hit(rank=1, score=0.5, chunk=chunk, doc_title=DOC_TITLE))
    md = export_markdown([item], "合成课件")
    assert "| 序号 | 企业名称 | 所在地 | 成效 |" in md and "| 2 | 合成乙汽配厂 | 合成省乙市 | 合格率提升 |" in md
    document = docx.Document(io.BytesIO(export_docx([item], "合成课件")))
    assert len(document.tables) == 1 and document.tables[0].cell(1, 1).text == "合成甲眼镜厂"


def test_a_passage_of_several_cases_does_not_mix_their_place_and_trade():
    chunk = Chunk("doc000000001-0011", "doc000000001", 11, TABLE_TEXT, ("合成一览表",), None, None, "enterprise_case")
    hit = Hit(rank=1, score=0.5, chunk=chunk, doc_title=DOC_TITLE, region=Region("合成甲省", "甲市"), industry="汽车制造业")
    a = replace(_other_case("doc000000001-c301", "合成甲眼镜厂", "其他制造业"), region=Region("合成甲省", "甲市"))
    b = replace(_other_case("doc000000001-c302", "合成乙汽配厂", "汽车制造业"), region=Region("合成乙省", "乙市"))
    item = item_from_hit(hit, [a, b])
    assert (item.region, item.industry) == ("", "")
    same_trade = item_from_hit(hit, [a, replace(b, industry="其他制造业")])
    assert (same_trade.region, same_trade.industry) == ("", "汽车制造业")


def test_neighbouring_passages_of_one_section_are_one_item():
    """Two queries find the two halves of one paragraph (passages 4 and 5 of 二是完善政策激励, as on
    the report): one item where the first was found, its text in document order, pages 2–3. Passage
    3, the section before, and passage 9, of the same section but not next to them, stay apart."""
    section = ("一、工作举措与成效", "二是完善政策激励")
    second = _chunk_hit(5, 0.8, "合成：省局出台金融信贷政策。", section=section, ordinal=5, page=3)
    first = _chunk_hit(4, 0.5, "二是完善政策激励。合成：总局出台政策。", section=section, ordinal=4, page=2)
    before = _chunk_hit(3, 0.7, "一是加强政策引导。合成。", section=("一、工作举措与成效", "一是加强政策引导"),
                        ordinal=3, page=2)
    far = _chunk_hit(9, 0.6, "合成：同一小节后面的一段。", section=section, ordinal=9, page=4)
    other = _chunk_hit(7, 0.9, "合成：另一小节。", ordinal=7)
    kb = FakeKB({"认证贷": [second, before], "政策": [other, first, far]})
    items = collect_items(kb, ["认证贷", "政策"], top_k=5)
    assert [it.key for it in items] == ["doc000000001-0004+doc000000001-0005", "doc000000001-0003",
                                        "doc000000001-0007", "doc000000001-0009"]
    merged = items[0]
    assert merged.text == "二是完善政策激励。合成：总局出台政策。\n合成：省局出台金融信贷政策。"
    assert (merged.page, merged.page_end, merged.title) == (2, 3, "二是完善政策激励")
    # a passage joining two runs makes them one
    a, b, c = (_chunk_hit(n, 0.9 - n / 10, f"合成第{n}句。", ordinal=n) for n in (1, 3, 2))
    items = collect_items(FakeKB({"q": [a, b, c]}), ["q"], top_k=5, relative_floor=0.0, vector_only_floor=0.0)
    assert [it.text for it in items] == ["合成第1句。\n合成第2句。\n合成第3句。"]
    assert sources(items) == [("doc000000001", DOC_TITLE, [5])]


def _titled(n: int, title: str, section: str, doc_title: str = DOC_TITLE) -> ExportItem:
    return ExportItem(key=f"doc000000001-{n:04d}", source="passage", title=title, text="合成正文。",
                      doc_id="doc000000001", doc_title=doc_title, section=section, page=n)


def test_items_of_one_title_are_told_apart():
    """Three passages of one write-up titled by the case heading above them (a tester's synthetic
    collection): each gets the heading where their sections part, up to its colon."""
    head = "编者按 > 以过程控制破解电机返修难题 > "
    items = [_titled(1, "以过程控制破解电机返修难题", head + "3. 企业概况：主要生产小型潜水泵和离心泵，员工72人"),
             _titled(2, "以过程控制破解电机返修难题", head + "6. 取得成效：整机返修率降至1.8%"),
             _titled(3, "以过程控制破解电机返修难题", head + "4. 存在问题：电机绕组绝缘处理不规范"),
             _titled(4, "二是完善政策激励", "一、工作举措与成效 > 二是完善政策激励"),
             _titled(5, "二是完善政策激励", "一、工作举措与成效 > 二是完善政策激励"),
             _titled(6, "一是加强政策引导", "一、工作举措与成效 > 一是加强政策引导"),
             _titled(7, "一是加强政策引导", "一、工作举措与成效 > 一是加强政策引导", "合成的另一份报告")]
    assert shown_titles(items) == [
        "以过程控制破解电机返修难题 · 3. 企业概况", "以过程控制破解电机返修难题 · 6. 取得成效",
        "以过程控制破解电机返修难题 · 4. 存在问题",
        "二是完善政策激励", "二是完善政策激励（之二）",
        "一是加强政策引导（《合成测试报告（非真实材料）》）", "一是加强政策引导（《合成的另一份报告》）"]
    md = export_markdown(items, "合成课件")
    assert "## 2. 以过程控制破解电机返修难题 · 6. 取得成效" in md and "## 5. 二是完善政策激励（之二）" in md
    document = docx.Document(io.BytesIO(export_docx(items, "合成课件")))
    assert "3. 以过程控制破解电机返修难题 · 4. 存在问题" in [p.text for p in document.paragraphs]
    # titles of different sections under one heading keep their own heading when it is different
    parted = [_titled(1, "合成公司 · 四、取得成效", "合成公司 > 四、取得成效"),
              _titled(2, "合成公司 · 四、取得成效", "合成公司 > 四、取得成效 > （一）质量")]
    assert shown_titles(parted) == ["合成公司 · 四、取得成效", "合成公司 · 四、取得成效 · （一）质量"]


TABLE_SECTION = ("合成优良案例一览表",)
TABLE_CHUNKS = [  # one table over three passages (as kb stores a table: cells joined by " | ")
    Chunk("doc000000001-0000", "doc000000001", 0, "以下每行一个案例。序号 | 企业名称 | 成效；1 | 合成甲厂 | 不良率从2.1%降至0.4%；"
          "2 | 合成乙厂 | 合格率从92.5%提升到98.7%。", TABLE_SECTION, 1),
    Chunk("doc000000001-0001", "doc000000001", 1, "3 | 合成丙厂 | 合格率从88%提升到100%；4 | 合成丁厂 | 售价提高15元。",
          TABLE_SECTION, 1),
    Chunk("doc000000001-0002", "doc000000001", 2, "5 | 合成戊厂 | 投诉下降45%；6 | 合成己厂 | 碎米率从11%降至4.5%。注：数据为虚构。",
          TABLE_SECTION, 1),
]


def test_continued_header_is_the_first_row_of_the_table_a_passage_continues():
    first, middle, last = TABLE_CHUNKS
    assert continued_header(last, TABLE_CHUNKS) == ("序号", "企业名称", "成效")
    assert continued_header(middle, TABLE_CHUNKS) == ("序号", "企业名称", "成效")
    assert continued_header(first, TABLE_CHUNKS) is None  # it has its header
    # a paragraph between them, another width or no passage before: no header to repeat
    broken = replace(middle, text="合成：一段文字。")
    assert continued_header(last, [first, broken, last]) is None
    wider = replace(middle, text="3 | 合成丙厂 | 甲 | 乙。")
    assert continued_header(last, [first, wider, last]) is None
    assert continued_header(last, [last]) is None


def test_a_table_passage_found_alone_repeats_its_header_and_names_whose_figures():
    """The third passage of a table, found without the others: the item begins with the table's
    header row (a slide, a Word table and a Markdown table show it as the header); each figure
    of a passage of several cases names its case."""
    last = TABLE_CHUNKS[2]
    cases = [_other_case(f"doc000000001-c00{n}", name, "纺织业", (last.chunk_id,), text=f"{n} | {name}")
             for n, name in ((5, "合成戊厂：以检促改"), (6, "合成己厂"))]
    cases = [replace(c, outcomes=(Outcome(m, b, a, None, "%", 1, chunk_id=last.chunk_id),))
             for c, (m, b, a) in zip(cases, (("投诉", None, None), ("碎米率", 11.0, 4.5)), strict=True)]
    hit = Hit(rank=1, score=0.9, chunk=last, doc_title=DOC_TITLE, bm25_rank=1)
    kb = FakeKB({"碎米率": [hit]}, cases=cases, chunks=TABLE_CHUNKS)
    [item] = collect_items(kb, ["碎米率"], top_k=5)
    assert item.text.startswith("序号 | 企业名称 | 成效；5 | 合成戊厂")
    table = text_segments(item.text)[0]
    assert table[0] == ("序号", "企业名称", "成效") and len(table) == 3
    assert [o.metric for o in item.outcomes] == ["合成戊厂 · 投诉", "合成己厂 · 碎米率"]
    md = export_markdown([item], "合成课件")
    assert "| 序号 | 企业名称 | 成效 |\n| --- | --- | --- |\n| 5 | 合成戊厂 | 投诉下降45% |" in md
    # found with the passages before it: one item, one table, the header once
    hits = [Hit(rank=k + 1, score=0.9 - k / 10, chunk=c, doc_title=DOC_TITLE, bm25_rank=k + 1)
            for k, c in enumerate(TABLE_CHUNKS)]
    [item] = collect_items(FakeKB({"一览表": hits}), ["一览表"], top_k=5)
    assert item.text.count("序号") == 1
    assert len(text_segments(item.text)[1]) == 7  # the header and six rows


def test_a_case_whose_passages_are_in_the_basket_is_exported_once():
    """A trainer added a report paragraph from 案例检索 and then the case it tells from 可比案例:
    both were exported. The paragraph stays (its figures are in it); the case record goes."""
    from kb.export import ExportItem, without_told_cases

    def item(key, source):
        return ExportItem(key=key, source=source, title=key, text="合成测试材料", doc_id="d", doc_title="文档")

    basket = [item("d-0003", "passage"), item("case:c1", "case"), item("case:c2", "case"), item("case:gone", "case")]
    passages = {"c1": ("d-0003",), "c2": ("d-0003", "d-0004")}
    kept = without_told_cases(basket, passages.get)
    assert [it.key for it in kept] == ["d-0003", "case:c2", "case:gone"]  # c2 is told partly elsewhere
    assert without_told_cases(basket[1:], passages.get) == basket[1:]  # no passage in the basket


# --- the times a before/after outcome compares (PPTX chart labels); 合成测试材料 ------------------

@pytest.mark.parametrize(("sentence", "before", "after", "labels"), [
    ("合成企业产品缺陷率由2022年的15%降至2023年的7%", 15, 7, ("2022年", "2023年")),
    ("2022年合成企业营收500万元，2023年增至800万元", 500, 800, ("2022年", "2023年")),
    ("返修率从2023年初的9.5%降至2023年底的3%", 9.5, 3, ("2023年初", "2023年底")),
    ("缺陷率由帮扶前的15%降至帮扶后的7%", 15, 7, ("帮扶前", "帮扶后")),
    ("认证前后对比，合成企业一次交检合格率由90%提高到98%", 90, 98, ("认证前", "认证后")),
    ("合格率由整改前的82%提高到96.5%", 82, 96.5, ("整改前", "整改后")),
    ("合成企业缺陷率由15%降至7%", 15, 7, None),  # no times named: the chart says 之前/之后
    ("2023年合成企业缺陷率由15%降至7%", 15, 7, None),  # one year only
    ("合成企业目前缺陷率由15%降至7%", 15, 7, None),  # 目前 is not a "before"
    ("营收由2023年的500万元变为2022年的800万元", 500, 800, None),  # years out of order: not trusted
])
def test_period_labels_from_the_sentence(sentence, before, after, labels):
    from kb.export import period_labels

    assert period_labels(ExportOutcome("合成指标", before, after, text=sentence)) == labels


def test_period_labels_of_a_table_row_come_from_its_header():
    from kb.export import period_labels

    row = ExportOutcome("返工率", 8.5, 2.1, text="返工率 | 8.5% | 2.1%")
    assert period_labels(row, "合成表1\n指标 | 帮扶前 | 帮扶后；返工率 | 8.5% | 2.1%；投诉 | 15起 | 3起") == ("帮扶前", "帮扶后")
    assert period_labels(row, "项目 | 2022年 | 2023年；返工率 | 8.5% | 2.1%；") == ("2022年", "2023年")
    assert period_labels(row, "返工率 | 8.5% | 2.1%") is None  # no header above it
    line = ExportOutcome("合成合格率", 88, 99.2, text="合成合格率88% 99.2%")
    assert period_labels(line, "成效如下\n指标改进前改进后\n合成合格率88% 99.2%") == ("改进前", "改进后")
