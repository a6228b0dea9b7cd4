"""kb.chunking: sentence-bounded chunks of one section each, with pages and stable ids."""

from __future__ import annotations

import re

from kb.chunking import LEAD_SECTION, chunk_sentences
from kb.cleaning import clean_document
from kb.loaders import load_document
from kb.records import Sentence
from kb.structure import structure_sentences

MAX = 400
SENTENCE_END = re.compile(r"[。！？；!?;][”’」』）)]*$")


# --- the shipped report -------------------------------------------------------------------

def test_every_chunk_has_a_section_and_a_page(report_chunks):
    assert len(report_chunks) > 20
    for c in report_chunks:
        assert c.section and all(c.section)
        assert c.page is not None and 1 <= c.page <= c.page_end <= 15
        assert c.kind == "report"


def test_chunks_stay_under_the_maximum(report_chunks, report_sentences):
    assert max(len(s.text) for s in report_sentences) <= MAX  # so no chunk may exceed it
    assert all(0 < len(c.text) <= MAX for c in report_chunks)


def test_no_sentence_is_cut(report_chunks, report_sentences):
    for c in report_chunks:
        assert SENTENCE_END.search(c.text), c.text[-20:]
    # Nothing is lost, duplicated or reordered.
    assert "".join(c.text for c in report_chunks).replace("\n", "") == "".join(s.text for s in report_sentences)


def test_no_chunk_mixes_two_sections(report_chunks, report_sentences):
    i = 0
    for c in report_chunks:
        first, covered, sections = i, "", set()
        while len(covered) < len(c.text):
            covered += report_sentences[i].text
            sections.add(report_sentences[i].section)
            i += 1
        assert covered == c.text  # the chunk is a run of whole sentences
        assert sections == {() if c.section == (LEAD_SECTION,) else c.section}
        assert (c.page, c.page_end) == (report_sentences[first].page, report_sentences[i - 1].page)
    assert i == len(report_sentences)


def test_chunk_pages_are_those_of_its_sentences(report_chunks):
    nantong = next(c for c in report_chunks if "江苏南通市为家纺" in c.text)
    assert nantong.page == 5 and nantong.section[-1] == "二是赋能产业链供应链韧性和安全水平有效提升"
    qingdao = next(c for c in report_chunks if "青岛某公司" in c.text)
    assert qingdao.page == 4 and qingdao.page_end == 5
    lead = [c for c in report_chunks if c.section == (LEAD_SECTION,)]
    assert lead and lead[0].ordinal == 0 and lead[0].page == 1


def test_chunk_ids_are_stable_across_runs(report_path, report_chunks):
    doc = load_document(report_path)
    _, sentences = structure_sentences(clean_document(doc))
    again = chunk_sentences(doc.doc_id, sentences)
    assert [(c.chunk_id, c.text) for c in again] == [(c.chunk_id, c.text) for c in report_chunks]
    assert [c.ordinal for c in report_chunks] == list(range(len(report_chunks)))
    assert all(c.chunk_id == f"{doc.doc_id}-{c.ordinal:04d}" for c in report_chunks)
    assert len({c.chunk_id for c in report_chunks}) == len(report_chunks)


# --- synthetic sentences ------------------------------------------------------------------

def long_sentence() -> str:
    """One synthetic sentence of about 900 characters, clauses separated by commas."""
    clauses = [f"第{i}项合成测试措施已经在示例企业中落实到位并取得阶段性成效" for i in range(1, 31)]
    return "，".join(clauses) + "。"


def test_a_long_sentence_is_split_at_commas_under_the_maximum():
    text = long_sentence()
    assert 850 <= len(text) <= 950
    section = ("一、合成章节", "（一）超长句子")
    chunks = chunk_sentences("synthetic", [Sentence(text, 3, section)], max_chars=MAX)
    assert len(chunks) == 3  # ceil(900 / 400)
    assert all(len(c.text) <= MAX for c in chunks)
    assert "".join(c.text for c in chunks) == text
    assert all(c.text.endswith("，") for c in chunks[:-1]) and chunks[-1].text.endswith("。")
    assert all(c.section == section and c.page == 3 for c in chunks)
    sizes = [len(c.text) for c in chunks]
    assert max(sizes) - min(sizes) < 150  # balanced, not 400 + 400 + 100


def test_split_keeps_every_character_even_with_stray_commas():
    text = "甲，，乙：，丙、" * 120 + "完。"
    chunks = chunk_sentences("synthetic", [Sentence(text, 1, ("一、合成",))], max_chars=MAX)
    assert "".join(c.text for c in chunks) == text
    assert all(len(c.text) <= MAX for c in chunks)


def test_a_sentence_without_commas_is_cut_hard():
    text = "无" * 1000 + "。"
    chunks = chunk_sentences("synthetic", [Sentence(text, 1, ("一、合成",))], max_chars=MAX)
    assert "".join(c.text for c in chunks) == text
    assert all(len(c.text) <= MAX for c in chunks)


def test_short_sections_are_never_merged():
    sentences = [
        Sentence("第一节的合成短句。", 1, ("一、甲",)),
        Sentence("第二节的合成短句。", 1, ("二、乙",)),
        Sentence("第二节的又一合成短句。", 2, ("二、乙",)),
    ]
    chunks = chunk_sentences("synthetic", sentences)
    assert [(c.text, c.section, c.page, c.page_end) for c in chunks] == [
        ("第一节的合成短句。", ("一、甲",), 1, 1),
        ("第二节的合成短句。第二节的又一合成短句。", ("二、乙",), 1, 2),
    ]


def test_sentences_before_any_heading_go_to_the_lead_section():
    chunks = chunk_sentences("synthetic", [Sentence("合成的引言句子。", 1, ())])
    assert chunks[0].section == (LEAD_SECTION,)


def test_a_long_section_is_cut_into_balanced_chunks():
    sentences = [Sentence(f"合成句子{i:02d}" + "测" * 83 + "。", 1, ("一、合成",)) for i in range(10)]
    assert {len(s.text) for s in sentences} == {90}
    chunks = chunk_sentences("synthetic", sentences, min_chars=150, max_chars=MAX)
    assert len(chunks) == 3  # ceil(900 / 400)
    assert sorted(len(c.text) for c in chunks) == [270, 270, 360]
    assert "".join(c.text for c in chunks).replace("\n", "") == "".join(s.text for s in sentences)


def test_kind_is_carried():
    chunks = chunk_sentences("synthetic", [Sentence("合成案例句子。", None, ("案例1 合成企业",))],
                             kind="enterprise_case")
    assert chunks[0].kind == "enterprise_case" and chunks[0].page is None


def test_paragraphs_that_end_no_sentence_are_set_off_by_a_line_break():
    """A PDF table read a cell per line gave "企业指标帮扶前帮扶后华瓷建陶抽检合格率78%100%" in a
    passage (synthetic cells); cells now keep a line break between them, a sentence still runs on
    into the next, and every sentence still maps to the chunk it landed in."""
    from kb.chunking import sentence_owners

    cells = ["附表 合成企业帮扶前后主要指标", "企业", "指标", "帮扶前", "帮扶后", "合成建陶", "抽检合格率", "78%", "100%"]
    sentences = [Sentence("从以上合成案例看，认证帮扶要用数据说话。", 1, ("五、几点体会",), 0),
                 Sentence("指标对比是检验成效的标尺。", 1, ("五、几点体会",), 0)]
    sentences += [Sentence(c, 1, ("五、几点体会",), k + 1) for k, c in enumerate(cells)]
    chunks = chunk_sentences("synthetic", sentences, min_chars=10, max_chars=400)
    text = "".join(c.text for c in chunks)
    assert "用数据说话。指标对比" in text  # one paragraph's sentences run on
    assert "标尺。附表 合成企业帮扶前后主要指标\n企业\n指标\n帮扶前" in text and "78%\n100%" in text
    assert not text.endswith("\n")
    owners = sentence_owners(sentences, chunks)
    assert all(len(o) == 1 for o in owners)
    assert all(s.text in next(c.text for c in chunks if c.chunk_id == o[0]) for s, o in zip(sentences, owners))
