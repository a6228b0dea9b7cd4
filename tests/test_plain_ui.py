"""The app's plain-language parts: direct answer, glossary, empty state, basket across refreshes.

Runs app.py through AppTest on the shipped report with the hash embedder; see tests/test_app.py.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from kb import ui_helpers as ui
from kb.export import ExportItem
from tests.test_app import APP, MODEL, _make_home, _search, _start


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return _make_home(tmp_path_factory.mktemp("plain_ui"), with_xss=False)


def test_direct_answer_and_glossary_shown(monkeypatch, home):
    at = _search(_start(monkeypatch, home), "江苏为多少家企业发放认证融资贷款？认证贷有用吗")
    text = " ".join(m.value for m in at.markdown)
    assert "直接回答" in text
    assert "**1433家**" in text  # figures are emphasised in the answer
    assert "术语解释" in text and "认证贷" in text


def test_a_question_about_a_word_gets_its_plain_meaning_first(monkeypatch, home):
    from kb.glossary import lookup

    at = _search(_start(monkeypatch, home), "啥叫采信 听不懂")
    text = [m.value for m in at.markdown]
    meaning = lookup("采信")[0].meaning
    first = next(i for i, t in enumerate(text) if t.startswith("**采信** 是什么意思："))
    assert meaning in text[first]
    assert first < next(i for i, t in enumerate(text) if "直接回答" in t)  # before the report's sentences
    plain = _search(_start(monkeypatch, home), "认证贷怎么申请")
    assert not any("是什么意思：" in m.value for m in plain.markdown)


def test_a_cost_the_report_does_not_give_is_said(monkeypatch, home):
    at = _search(_start(monkeypatch, home), "做个质量体系认证要花多少钱啊")
    assert any("直接回答" in m.value for m in at.markdown)
    assert any(c.value.startswith("文档中没有写到具体的费用数额") for c in at.caption)


def test_outline_shown_for_a_list_question(monkeypatch, home):
    at = _search(_start(monkeypatch, home), "报告分哪几部分")
    text = " ".join(m.value for m in at.markdown)
    assert "提纲" in text and "（共 4 项）" in text
    assert "- 二、经验总结（第 8 页）" in text  # the chapter's own heading, escaped, with its page
    plain = _search(_start(monkeypatch, home), "江苏为多少家企业发放认证融资贷款")
    assert not any("提纲" in m.value for m in plain.markdown)


def test_guidance_card_for_a_problem_without_a_trade(monkeypatch, home):
    at = _search(_start(monkeypatch, home), "认证贷怎么申请，能贷多少")
    text = [m.value for m in at.markdown]
    assert "**类似问题的案例**" in text and not any(t.startswith("**同行怎么做的**") for t in text)
    at = _search(_start(monkeypatch, home), "考评前十是哪几个省")
    assert not any("类似问题的案例" in m.value or "同行怎么做的" in m.value for m in at.markdown)


def test_offtopic_query_shows_nothing_found(monkeypatch, home):
    from kb.knowledge_base import OFF_TOPIC_NOTE

    at = _search(_start(monkeypatch, home), "asdfghjkl")
    # said to be off-topic, not merely below the floor (no "显示低相关度结果" to try)
    assert any(i.value.startswith(OFF_TOPIC_NOTE) for i in at.info)
    assert not any("直接回答" in m.value for m in at.markdown)


def test_basket_survives_a_new_session_with_the_same_id(monkeypatch, home):
    at = _start(monkeypatch, home)
    sid = at.query_params["s"]
    sid = sid[0] if isinstance(sid, list) else sid
    assert re.fullmatch(r"[0-9a-f]{32}", sid)
    _search(at, "认证贷 融资难")
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("add-hit-"))).click().run()
    assert len(at.session_state.basket) == 1
    key = at.session_state.basket[0].key
    # A refresh is a new Streamlit session; the id in the URL brings the basket back.
    again = AppTest.from_file(str(APP), default_timeout=60)
    again.query_params["s"] = sid
    again.run()
    assert [it.key for it in again.session_state.basket] == [key]
    other = AppTest.from_file(str(APP), default_timeout=60).run()
    assert other.session_state.basket == []


def test_basket_files_ignore_malformed_ids(tmp_path):
    item = ExportItem(key="c1", source="passage", title="合成标题", text="合成文字", doc_id="d", doc_title="合成文档")
    ui.save_basket(tmp_path, "../../etc", [item])
    assert not (tmp_path / ".sessions").exists()
    sid = ui.new_session_id()
    ui.save_basket(tmp_path, sid, [item])
    assert ui.load_basket(tmp_path, sid) == [item]
    assert ui.load_basket(tmp_path, ui.new_session_id()) == []


def test_highlight_only_informative_terms_without_spaces():
    text = "南通市家纺产业链小微企业不断提升产品质量"
    spans = ui.highlight_spans(text, ["家纺", "企业", "质量", "产品", "不", "南通市"])
    assert [text[s:e] for s, e in spans] == ["南通市家纺"]
    md = ui.highlight_markdown(text, ["家纺"])
    assert re.sub(r":orange\[\*\*(.*?)\*\*\]", r"\1", md) == text  # nothing inserted


def test_emphasise_numbers_and_no_none_cells():
    assert ui.emphasise_numbers("年利润率提升8.3%，1433家企业") == "年利润率提升**8\\.3\\%**，**1433家**企业"


def test_hits_table_has_no_none(home):
    from dataclasses import replace

    from kb import KBConfig, KnowledgeBase

    kb = KnowledgeBase(replace(KBConfig(), home=home, model=MODEL))
    rows = ui.hits_table(kb.search("认证贷", top_k=20, mode="bm25"))
    assert rows and all(v is not None for row in rows for v in row.values())
    assert any(row["语义名次"] == "—" for row in rows)


def test_question_industry_reads_the_trade():
    assert ui.question_industry("做家纺的小厂产品缺陷多") == "纺织业"
    assert ui.question_industry("老板不重视质量") is None


def test_model_constant_is_the_test_embedder():
    assert MODEL.startswith("hash-bigram-")


def test_guidance_card_names_the_trades_case(monkeypatch, home):
    at = _search(_start(monkeypatch, home), "我们是做雨伞的小厂，认证能带来什么？")
    text = [m.value for m in at.markdown]
    i = next(i for i, m in enumerate(text) if m.startswith("**同行怎么做的**"))
    assert "上虞" in text[i + 1] and "伞业" in text[i + 1]  # the umbrella trade's own case comes first


@pytest.mark.parametrize("query", ["你好", "谢谢！"])
def test_a_greeting_in_the_app_gets_the_clis_note_worded_for_the_buttons_below(monkeypatch, home, query):
    from kb.knowledge_base import greeting_note

    at = _search(_start(monkeypatch, home), query)
    assert [i.value for i in at.main.info] == [greeting_note(query, inline_examples=False)]
    assert any(b.key and b.key.startswith("ex-empty-") for b in at.button)  # the examples it points to
