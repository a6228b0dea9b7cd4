"""Page citations of passages that span pages: ``kb search`` (text and JSON), ``kb chunks`` and
the direct answer show the whole range (第 1–5 页), and each answer sentence cites its own page.

The PDF is SYNTHETIC (written at test time): five pages of one section, one short paragraph
a page, so that one chunk spans all five pages."""

from __future__ import annotations

import json

import hostile
import pdfgen
import pytest

from kb import KBConfig, KnowledgeBase

FIRMS = [("合成市紫砂壶作坊", "壶盖不严率", "6.0%", "1.0%"), ("合成市瓷板画厂", "烧成变形率", "9.0%", "2.5%"),
         ("合成县白瓷厂", "釉面杂质率", "4.0%", "0.8%"), ("合成市釉下彩瓷厂", "色差退货率", "3.0%", "0.6%"),
         ("合成市琉璃制品厂", "气泡超标率", "7.0%", "1.5%")]


@pytest.fixture(scope="module")
def spanning(tmp_path_factory):
    home = tmp_path_factory.mktemp("pages")
    (home / "corpus").mkdir()
    pages = []
    for i, (firm, metric, before, after) in enumerate(FIRMS, start=1):
        lines = pdfgen.wrap("（合成测试材料）陶瓷行业帮扶情况汇编", 34) + pdfgen.wrap("一、陶瓷行业帮扶情况", 34) if i == 1 else []
        lines += pdfgen.wrap(f"第{i}页：{firm}在帮扶组指导下建立了质量管理体系，{metric}由{before}降至{after}。", 34)
        pages.append(lines)
    pdfgen.write_pdf(home / "corpus" / "合成陶瓷汇编.pdf", pages)
    hostile.seed_tokenizer_cache(home / "indexes")
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64"))
    assert not kb.ingest().failed
    return home


def test_a_chunk_spanning_pages_records_where_each_page_begins(spanning):
    (chunk,) = KnowledgeBase(KBConfig(home=spanning, model="hash-bigram-64")).chunks()  # read back from SQLite
    assert (chunk.page, chunk.page_end) == (1, 5)
    assert [p for _, p in chunk.page_breaks] == [2, 3, 4, 5]
    for offset, page in chunk.page_breaks:
        assert chunk.text[offset:].startswith(f"第{page}页")


def test_each_answer_sentence_cites_its_own_page(spanning):
    kb = KnowledgeBase(KBConfig(home=spanning, model="hash-bigram-64"))
    for i, (firm, metric, _, _) in enumerate(FIRMS, start=1):
        query = f"{firm}{metric}"
        answer = kb.answer(query, kb.search(query, top_k=3))
        assert answer and firm in answer[0].text and answer[0].page == i, (query, answer)


def test_cli_shows_page_ranges(spanning, monkeypatch, capsys):
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(spanning))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    capsys.readouterr()
    assert main(["search", "合成县白瓷厂釉面杂质率"]) == 0
    out = capsys.readouterr().out
    assert "出处：（合成测试材料）陶瓷行业帮扶情况汇编 · 一、陶瓷行业帮扶情况 · 第 1–5 页" in out
    assert "· 第 3 页）" in out  # the direct answer: the sentence's own page
    assert main(["search", "合成县白瓷厂釉面杂质率", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["results"][0]["page"], row["results"][0]["page_end"]) == (1, 5)
    assert row["answer"]["sentences"][0]["page"] == 3
    assert main(["chunks"]) == 0
    assert "第 1–5 页" in capsys.readouterr().out
    assert main(["chunks", "--json"]) == 0
    chunk = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (chunk["page"], chunk["page_end"]) == (1, 5)
