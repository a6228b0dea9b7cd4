"""Plain-language questions: glossary, evidence fusion, relevance floor, direct answer.

Uses the shipped report with the deterministic hash embedder (no model load).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace as _replace
from pathlib import Path

import numpy as np
import pytest
from kbgen import build_kb

from kb import Filters, KBConfig, KnowledgeBase
from kb.errors import KBError
from kb.fusion import evidence_fusion, idf
from kb.glossary import COLUMNS, contains_word, expansions, glossary, lookup, parse_glossary, terms_in
from kb.knowledge_base import OFF_TOPIC_NOTE
from kb.records import Hit
from kb.retrieval import in_problem_section

REPO = Path(__file__).resolve().parent.parent
REPORT = next((REPO / "corpus").glob("*.txt"))
SOURCES = {"GB/T 19000-2016", "GB/T 27000-2006", "报告用语", "行业用语", "地名简称"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> KnowledgeBase:
    return build_kb(tmp_path_factory.mktemp("plainhome"), {REPORT.name: REPORT})


# ----------------------------------------------------------------- glossary
def test_glossary_file_format():
    text = (REPO / "kb" / "data" / "glossary.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert all(len(r) == len(COLUMNS) for r in rows)
    entries = glossary()
    assert len([e for e in entries if "简称" not in e.meaning]) >= 60
    terms = [e.term for e in entries]
    assert len(terms) == len(set(terms)), "a term is listed twice"
    for e in entries:
        assert e.source in SOURCES, e
        assert e.meaning.endswith("。") and len(e.meaning) <= 80, e.term
        assert all(w and "\t" not in w and "," not in w for w in e.everyday)
    for needed in ("认证贷", "采信", "链主", "专精特新", "质量基础设施", "一次交验合格率", "成熟度评价", "三同",
                   "首件检验", "质量成本", "管理体系认证", "认证机构", "区域试点"):
        assert needed in terms


def test_report_wording_is_the_reports():
    """An entry marked 报告用语 is a word the report uses (a tester saw 首件检验 marked so; the report
    never says 首件): the term itself, or its two halves a few characters apart (复合型…人才)."""
    text = re.sub(r"\s", "", REPORT.read_text(encoding="utf-8"))
    for e in glossary():
        if e.source == "报告用语":
            assert any(re.search(re.escape(e.term[:i]) + ".{0,6}" + re.escape(e.term[i:]), text)
                       for i in range(len(e.term) + 1)), e.term


def test_glossary_rejects_malformed_lines():
    with pytest.raises(KBError, match="第 2 行"):
        parse_glossary("# comment\n术语\t只有两列\n")


def test_expansion_matches_whole_words_only():
    assert "伞业" in expansions("我们是做雨伞的小厂")
    assert "认证融资贷款" in expansions("认证贷怎么申请")
    # 老板 alone is an owner talking about himself, not a question about leadership: only 不重视 expands
    assert "领导作用" in expansions("老板不重视质量") and "主要负责人" not in expansions("老板不重视质量")
    assert "主要负责人" in expansions("一把手不管质量")
    assert "软件和信息服务" in expansions("我们是 IT 公司")
    assert "软件和信息服务" not in expansions("QUALITY LIMITED")  # "IT" inside a longer Latin word
    assert not contains_word("他是个体面的人", "个体户")
    assert expansions("asdfghjkl") == []


def test_lookup_and_terms_in():
    assert lookup("采信")[0].term == "采信"
    assert any(e.term == "主要负责人" for e in lookup("一把手"))
    assert [e.term for e in lookup("老板")] == ["最高管理者"]  # no term or everyday word: found in the explanation
    assert lookup("不存在的词") == []
    assert [e.term for e in terms_in("实施认证结果采信，发挥链主作用", skip=frozenset())][:2] == ["认证结果采信", "链主"]


# ----------------------------------------------------------------- fusion
def test_evidence_fusion_by_hand():
    # kw: chunk 1 has the best BM25 (1.0 relative) but covers 0.2 of the query; chunk 2 covers 1.0 at 0.5.
    # dense: chunk 2 cos 0.8 → (0.8 - 0.6) / 0.4 = 0.5 → squared 0.25; chunk 3 cos 0.6 → 0.
    s = evidence_fusion({1: 10.0, 2: 5.0}, {1: 0.2, 2: 1.0}, {2: 0.8, 3: 0.6}, 0.6, 0.6, 2.0, 1.0)
    assert s[1] == pytest.approx(0.6 * 0.2)
    assert s[2] == pytest.approx(0.6 * 0.5 + 0.4 * 0.25)
    assert s[3] == pytest.approx(0.0)
    assert idf(0, 10) > idf(5, 10) > idf(10, 10) > 0


def test_evidence_fusion_trusts_keywords_by_what_they_found_by_hand():
    # Best coverage 0.25 → keyword weight 0.8 * 0.25 ** 0.5 = 0.4. Chunk 1 has the best BM25 but
    # none of the query's informative words: with uninformative_weight 0 it has no keyword score.
    kw, cov, dense = {1: 10.0, 2: 5.0}, {1: 0.0, 2: 0.25}, {1: 0.75, 2: 0.7, 3: 0.9}
    s = evidence_fusion(kw, cov, dense, 0.8, 0.5, 1.0, 0.0, trust_power=0.5, uninformative_weight=0.0)
    assert s[1] == pytest.approx(0.4 * 0.0 + 0.6 * 0.5)
    assert s[2] == pytest.approx(0.4 * 0.5 + 0.6 * 0.4)
    assert s[3] == pytest.approx(0.6 * 0.8)
    assert sorted(s, key=lambda i: -s[i]) == [3, 2, 1]
    # Full coverage keeps the whole keyword weight.
    full = evidence_fusion(kw, {1: 1.0, 2: 0.5}, dense, 0.8, 0.5, 1.0, 0.0, trust_power=0.5, uninformative_weight=0.0)
    assert full[1] == pytest.approx(0.8 * 1.0 + 0.2 * 0.5)
    # A question of general words only (no passage covers anything): plain weight, BM25 kept.
    general = evidence_fusion(kw, {1: 0.0, 2: 0.0}, dense, 0.8, 0.5, 1.0, 0.0, trust_power=0.5,
                              uninformative_weight=0.0)
    assert general[1] == pytest.approx(0.8 * 1.0 + 0.2 * 0.5)


# ----------------------------------------------------------------- floor and answer
def test_offtopic_query_is_empty_unless_all(built):
    assert built.search("asdfghjkl", mode="hybrid") == []
    assert built.search("asdfghjkl", mode="hybrid", include_all=True)
    assert built.search("认证贷 融资难", mode="hybrid")


def test_sports_and_programming_questions_are_elsewhere(built):
    # a black-box tester's off-topic questions that came back with results (on 欧盟, 文件)
    for q in ("2024年欧洲杯冠军是哪个国家", "Python怎么读取Excel文件", "世界杯哪个队夺冠了"):
        assert built.search(q) == [], q
    assert built.search("Excel表格怎么做质量统计")  # Excel alone is no topic of its own
    # trades and makers are not leisure: sports goods, pets' supplies, game consoles (a reviewer's examples)
    for q in ("健身器材厂产品老出毛病怎么办", "做宠物用品的小厂怎么办认证", "篮球生产企业如何提升质量",
              "游戏机配件厂怎么搞认证", "质量技能比赛怎么报名"):
        assert built.search(q), q


def test_floor_is_documented_in_config():
    c = KBConfig()
    assert 0 < c.relevance_floor < 1


def test_answer_object_in_search_json(built, capsys, monkeypatch):
    from kb import cli

    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert cli.main(["search", "江苏为多少家企业发放认证融资贷款", "--json", "--top-k", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    answer = out["answer"]
    assert answer and 1 <= len(answer["sentences"]) <= 2
    ids = {r["chunk_id"] for r in out["results"]}
    by_chunk = {r["chunk_id"]: r for r in out["results"]}
    for s in answer["sentences"]:
        assert s["chunk_id"] in ids and s["text"] and s["doc"]
        assert set(s) == {"text", "chunk_id", "doc", "doc_id", "title", "section", "page", "printed_page", "score"}
        # the names results use mean the same here: doc_id = results[].doc, title = results[].title
        assert (s["doc_id"], s["title"]) == (by_chunk[s["chunk_id"]]["doc"], by_chunk[s["chunk_id"]]["title"])
        assert s["doc"] == s["title"]
    assert set(answer["chunk_ids"]) <= ids
    assert set(answer) == {"sentences", "chunk_ids", "outline", "unanswered"} and answer["outline"] is None
    assert answer["unanswered"] is None  # asks for a count, not a cost or a time
    assert cli.main(["search", "asdfghjkl", "--json"]) == 0
    from kb.knowledge_base import OFF_TOPIC_NOTE

    # an off-topic question: empty, and the JSON says why in Chinese
    assert json.loads(capsys.readouterr().out) == {"query": "asdfghjkl", "notes": [OFF_TOPIC_NOTE],
                                                   "not_in_documents": [], "definitions": [],
                                                   "answer": None, "guidance": None, "results": []}
    assert cli.main(["search", "asdfghjkl"]) == 0
    assert capsys.readouterr().out.strip() == OFF_TOPIC_NOTE
    # the message for an on-topic question with nothing above the floor suggests removing filters only
    # when some were set, and --all only without it
    built.retriever.off_topic = lambda snap, query: False
    try:
        assert built.empty_note("认证贷") == "没有找到相关内容：可以换个说法（写出行业、遇到的问题），或查看低相关度的段落（kb search --all，API 中 all=true）。"
        assert "去掉筛选条件" in built.empty_note("认证贷", filters=Filters(region="江苏"))
        assert "--all" not in built.empty_note("认证贷", include_all=True)
    finally:
        del built.retriever.off_topic
    assert cli.main(["search", "asdfghjkl", "--region", "江苏"]) == 0
    assert "去掉筛选条件" in capsys.readouterr().out


def test_evidence_fusion_coverage_power_zero_is_plain_bm25_share():
    s = evidence_fusion({1: 10.0, 2: 5.0}, {1: 0.2, 2: 1.0}, {}, 0.7, 0.6, 1.0, 0.0)
    assert s == pytest.approx({1: 0.7, 2: 0.35})


def test_figure_questions_and_heading_sentences_are_recognised():
    from kb.retrieval import asks_for_figure, has_figure, heading_only

    for q in ("去年一共给企业免了多少费用", "利润率平均能涨几个点", "满意度的比例是多少", "有没有数据",
              "觉得有效果的占几成", "几家企业通过了认证", "全国一共几个试点"):
        assert asks_for_figure(q), q
    for q in ("拿了证到底有啥用", "专家进厂一般都干些啥", "怎样让政府更认可认证结果", "数字化转型怎么做",
              "数据安全怎么管", "几点开始报名", "帮企业的那一揽子措施包括哪几个方面", "用了哪几种评价方式",
              "去年评估里进步比较快的几个省", "老人院的服务质量，几个省有没有联手搞"):
        assert not asks_for_figure(q), q
    assert has_figure("年利润率提升8.3%") and not has_figure("年利润率明显提升")
    assert heading_only("一是优化认证服务。", ("一、工作举措与成效", "一是优化认证服务"))
    assert not heading_only("一是优化认证服务。2023年度，各省局组织认证机构有效解决小微企业质量问题2.4万个。",
                            ("一、工作举措与成效", "一是优化认证服务"))
    assert not heading_only("一是优化认证服务。", ())


def test_direct_answer_passes_over_a_bare_heading(built):
    """A passage's first sentence that only repeats its heading answers nothing."""
    from kb.retrieval import heading_only

    for q in ("好多厂拿到证书就锁抽屉里，之后再也不当回事", "后面宣传借啥节日", "试点以后还会再扩吗"):
        hits = built.search(q)
        answer = built.answer(q, hits)
        assert hits and answer, q
        by_id = {h.chunk.chunk_id: h for h in hits}
        assert not any(heading_only(s.text, by_id[s.chunk_id].chunk.section) for s in answer), (q, answer[0].text)


@pytest.mark.slow
def test_figure_questions_are_answered_with_a_figure(real_kb):
    # Measured 2026-11-27: without the figure bonus the first two were answered with sentences that
    # have no figure (…减免认证费用 went to 认证创新; 跨部门联动政策 to the next-step plans).
    for q, figure in (("做认证能不能少交点钱？去年一共给企业免了多少费用", "3960"),
                      ("跟工信发改这些部门一起联合出台的政策有多少条", "219"),
                      ("参加了的厂子，一年下来利润率平均能涨几个点", "8.3")):
        answer = real_kb.answer(q, real_kb.search(q))
        assert answer and figure in answer[0].text, (q, answer[0].text if answer else None)


def test_places_and_trades_the_documents_never_mention_are_named(built):
    assert built.absent_names("深圳的家具小厂有没有人来帮扶") == ["深圳", "家具"]
    assert built.absent_names("南通家纺企业产品缺陷率高") == []
    assert built.absent_names("深圳市的情况") == ["深圳市"]  # not 深圳 and 深圳市
    for q in ("上海市有哪些做法", "青岛市的企业", "新疆维吾尔自治区"):  # the report says 上海, 青岛, 新疆
        assert built.absent_names(q) == [], q
    data = built.search_json("做家具的小厂，认证有什么好处")
    assert data["not_in_documents"] == ["家具"]
    assert built.search_json("做雨伞的小厂")["not_in_documents"] == []
    # 床上用品 is 家纺 in the glossary, and the report's 家纺 passage speaks of it (session 31 tester t19)
    assert built.absent_names("我是做床上用品的，次品太多") == []


def test_service_trades_the_documents_never_mention_are_named(built):
    # The report's only 餐饮业 passage is 沙县小吃: it does not make a 奶茶店 or a 饭馆 "mentioned".
    assert built.absent_names("我开奶茶店的，能搞认证吗") == ["奶茶"]
    assert built.absent_names("开饭馆的，小吃行业有案例吗") == ["饭馆"]  # 小吃 is in the report
    assert built.absent_names("汽修厂和美甲店怎么做质量管理") == ["汽修", "美甲"]
    assert built.absent_names("物流公司认证") == ["物流"]
    # Everyday words for goods are common words too (电子台账, 包装标识, 机械化); 清洗车间 is no 洗车店.
    for q in ("电子台账怎么建", "包装标识要注意什么", "机械化生产", "清洗车间怎么管理", "南通家纺企业", "电动车厂"):
        assert built.absent_names(q) == [], q


def test_topics_the_documents_never_speak_of_are_named(built, tmp_path):
    """Session 31 tester t18: bought certificates, 首件检验, audit man-days, withdrawn certificates and
    trainers' fees got a direct answer with no word that the report never speaks of them."""
    assert built.absent_names("有没有人花钱买证书，报告怎么说") == ["花钱买证"]  # one topic, not 买证书 too
    assert built.absent_names("换线以后首检怎么做") == ["首检"]  # a glossary word of 首件检验 (行业用语)
    assert built.absent_names("首件检验就是首检吗") == ["首件检验"]  # once per term
    assert built.absent_names("一个审核要多少人日") == ["人日"]
    assert built.absent_names("证书被撤销了怎么办") == ["撤销"]
    assert built.absent_names("讲课的培训费怎么算") == ["培训费"]
    assert built.search_json("认证咨询公司靠谱吗", mode="bm25")["not_in_documents"] == ["认证咨询"]
    # the standards' everyday terms are the report's in its own words (缺陷, 不良率): no note
    for q in ("产品不合格怎么整改", "出了问题怎么整改才不会再犯", "工人日常怎么培训", "认证费用能减免多少"):
        assert built.absent_names(q) == [], q
    # a collection that speaks of the topic keeps it (合成测试材料: synthetic)
    other = build_kb(tmp_path / "home", {"合成假证案例.txt": "合成测试材料：某地查处花钱买证书的案例。某公司花钱买证，"
                                                             "首件检验流于形式，审核人日不足，证书被撤销。"})
    for q in ("有没有人花钱买证书，报告怎么说", "换线以后首检怎么做", "一个审核要多少人日", "证书被撤销了怎么办"):
        assert other.absent_names(q) == [], q


def test_benefit_questions_and_result_sentences_are_recognised():
    from kb.retrieval import asks_for_benefit, reads_as_result

    for q in ("认证有什么好处", "客户老是投诉退货，搞这个体系管用吗？", "一年能多赚多少钱", "值不值得做",
              "拿证后利润能涨吗", "做了认证以后企业效益能提高多少"):
        assert asks_for_benefit(q), q
    for q in ("是不是白花钱", "看不到好处", "感觉没前两年那么管用", "效果明显的比例是多少", "怎么办理认证",
              "利润为什么下降了", "提高利润率的办法", "效益提高的难点是什么", "企业效益提高面临哪些困难",
              "认证后订单增长的制约因素", "利润没提高", "利润更低了", "客户满意度怎么提高"):
        assert not asks_for_benefit(q), q
    assert reads_as_result("年利润率平均提升8.3%，质量成本控制率下降6.0%。") is True
    assert reads_as_result("帮助企业将产品缺陷发生率从15%降至7%。") is True
    assert reads_as_result("近6成小微企业认为…给企业带来一定经济压力。") is False
    assert reads_as_result("不良率下降20%，缓解了成本压力。") is True  # a result first
    assert not asks_for_benefit("值得信赖的认证机构怎么找")
    assert reads_as_result("各地注重分类挖掘小微企业质量难点痛点问题。") is None
    from kb.retrieval import asks_for_remedy

    assert asks_for_remedy("没人懂质量管理怎么办") and asks_for_remedy("一点头绪都没有，第一步干啥")
    assert not asks_for_remedy("认证贷放了多少") and not asks_for_remedy("认证有什么好处")


@pytest.mark.slow
def test_a_benefit_question_is_answered_with_results_not_doubts(real_kb):
    # Measured 2026-11-27: before the result bonus both were answered with problems the report
    # lists (近6成…带来一定经济压力; 获证后不注重…), from black-box owners' questions.
    for q in ("我开个五金小厂，办个ISO质量体系的证，一年能多赚多少钱？", "客户老是投诉退货，搞这个体系管用吗？"):
        answer = real_kb.answer(q, real_kb.search(q))
        assert answer and "提升" in answer[0].text and "压力" not in answer[0].text, (q, answer[0].text)


def test_problem_headings_are_recognised():
    assert in_problem_section(("三、需要完善的主要方向", "（二）企业质量管理提升驱动力有待加强", "一是企业质量提升内生动力不足"))
    assert not in_problem_section(("一、工作举措与成效", "（四）提升认证供给，质量认证服务更加专业", "一是优化认证服务"))
    assert not in_problem_section(())


@pytest.mark.slow
def test_a_benefit_question_does_not_open_with_the_doubts(real_kb):
    # Measured 2026-11-27 (black-box owners' questions): without benefit_problem_penalty the first
    # passage was 一是企业质量提升内生动力不足 (难以在短期内带来明显的经济效益) for both.
    for q in ("做了认证以后企业效益能提高多少", "我们厂拿了证真能多赚钱吗？"):
        hits = real_kb.search(q)
        assert hits and not in_problem_section(hits[0].chunk.section), (q, hits[0].chunk.section)


def test_places_abroad_the_documents_never_mention_are_named(built):
    from kb.regions import foreign_names

    assert foreign_names("印度尼西亚和印度的客户") == ["印度尼西亚", "印度"]
    assert built.absent_names("产品出口欧盟要做CE认证吗") == ["欧盟", "CE认证"]
    assert built.absent_names("美国客户要求我们有ISO9001，深圳的工厂") == ["美国", "深圳"]
    for q in ("依法国家标准怎么执行", "精英国际公司的做法",  # 法国, 英国 only as words of their own
              "中东部地区的做法", "吉林朝鲜族企业", "俄罗斯族聚居区", "非洲猪瘟防控",  # not places abroad
              "三明沙县区的小吃"):  # 沙县区 is the report's 沙县 renamed
        assert built.absent_names(q) == [], q
    # the report names 香港 only in 桂港合作
    assert built.absent_names("香港的企业有没有参与") == [] and built.absent_names("澳门有案例吗") == ["澳门"]


def test_latin_names_the_documents_never_mention_are_named(built):
    from kb.retrieval import latin_names

    assert latin_names("有没有做HACCP认证的食品厂") == {"HACCP认证": "HACCP"}
    assert latin_names("ISO 13485医疗器械和3C认证") == {"ISO 13485": "ISO 13485", "3C认证": "3C"}
    assert latin_names("how to get ISO certification") == {}  # an English sentence is not a list of names
    assert latin_names("2023年的数据") == {}  # digits alone are no name
    assert built.absent_names("有没有做HACCP认证的食品厂") == ["HACCP认证"]
    assert built.absent_names("产品logo怎么设计，3C认证要多久") == ["3C认证"]  # logo: an everyday word
    assert built.absent_names("做了HACCP 3年了，ＣＥ认证呢") == ["HACCP", "CE认证"]  # full-width read as ASCII
    # not explained by 质量管理体系's ISO; 医疗器械 is of 35 like the report's 智能装备, but no passage speaks of it
    assert built.absent_names("ISO 13485医疗器械") == ["ISO 13485", "医疗器械"]
    # Everyday English words, web addresses and English sentences are no names.
    for q in ("质量管理体系认证ok吗", "这个政策有点low", "我们的product quality不好怎么办", "how to get CE 认证",
              "看 https://www.samr.gov.cn/zw 这个"):
        assert latin_names(q) == {}, q
    # The glossary explains these as the report's own terms (质量管理体系), so they are not absent.
    for q in ("我们厂做了ISO9001认证有用吗", "GB/T 19001-2016是什么", "QC小组怎么搞"):
        assert built.absent_names(q) == [], q
    assert built.search_json("有没有做HACCP认证的食品厂")["not_in_documents"] == ["HACCP认证"]


@pytest.mark.slow
def test_a_what_to_do_question_does_not_open_with_the_difficulty(real_kb):
    # Measured 2026-11-27: with the problem-section penalty for benefit questions only, the first
    # passage for both was under a problem heading (一是“按需施策”的帮扶效能有待提升).
    for q in ("我们是小厂一点头绪都没有，第一步干啥", "给小企业做帮扶，第一步应该先从哪入手"):
        hits = real_kb.search(q)
        assert hits and not in_problem_section(hits[0].chunk.section), (q, hits[0].chunk.section)


def test_place_questions_are_recognised():
    from kb.retrieval import asks_for_places

    for q in ("哪几个省干得最好？前几名", "考评前十是哪几个省", "哪些地方有好的经验", "有没有哪个省对认证公司搞评价",
              "评估排名前十的省份是哪些？", "做得好的地方都是哪些",
              "年终对各省局开展效果评价后，位列前茅的省份名单"):  # a dev question: a list asked for without 哪
        assert asks_for_places(q), q
    for q in ("认证贷放了多少", "哪些行业参加了", "去年各省一共出台多少政策",
              "江苏省有哪些做法", "广东省都有哪些经验", "本地区有哪几项打算"):  # a place named, not asked for
        assert not asks_for_places(q), q


@pytest.mark.slow
def test_a_which_provinces_question_is_answered_with_the_list(real_kb):
    # Measured 2026-11-27: without answer_places_bonus the first sentence was its neighbour
    # (排名进步较大的省份为… / 通过评估，遴选了9个地方典型经验…) for both.
    # "前十的省份是哪些" also needed the places question read after the noun and 前十 read as 前10
    # (without them: 排名进步较大的省份为…, measured 2026-11-27).
    for q in ("哪几个省这件事干得最好", "考评前十是哪几个省", "2023年提升行动评估排名前十的省份是哪些？"):
        answer = real_kb.answer(q, real_kb.search(q))
        assert answer and "浙江、江苏" in answer[0].text, (q, answer[0].text if answer else None)


# ----------------------------------------------------------------- outline
def test_list_questions_are_recognised():
    from kb.retrieval import asks_for_outline

    for q in ("提升行动总结出了哪几条经验，培训时可以怎么讲？", "下一步有哪几项打算", "目前还存在哪些问题",
              "讲课要点有哪些", "报告分哪几部分", "这份总结有哪几个部分", "帮扶主要从哪几个方面入手"):
        assert asks_for_outline(q), q
    for q in ("哪几个省干得最好", "一共几条", "跨省联合出台的政策有几项", "认证贷放了多少", "老板不重视质量怎么办",
              "哪些地方有好的经验"):
        assert not asks_for_outline(q), q


def _hit_in(kb, section: tuple[str, ...]):
    """A hit for the first passage under ``section`` (the ranking of the hash embedder aside)."""
    from kb.records import Hit, Region

    chunk = next(c for c in kb.chunks() if tuple(c.section) == section)
    return Hit(rank=1, score=0.5, chunk=chunk, doc_title=kb.doc_title(chunk.doc_id), region=Region(),
               industry=None, bm25_rank=None, dense_rank=None)


def test_outline_lists_the_headings_under_the_first_result(built):
    intro = _hit_in(built, ("二、经验总结",))
    outline = built.outline("提升行动总结出了哪几条经验", [intro])
    assert outline and outline.section == "二、经验总结" and outline.count == 4
    assert [i.heading for i in outline.items] == ["（一）企业帮扶要坚持问题导向", "（二）产业帮扶要坚持聚链集群",
                                                  "（三）认证牵引要坚持协同联动", "（四）认证采信要坚持统筹发力"]
    by_id = {c.chunk_id: c for c in built.chunks()}
    for item in outline.items:  # each heading cites the first passage under it, and its page
        assert by_id[item.chunk_id].section[-1] == item.heading and item.page == by_id[item.chunk_id].page
    assert outline.items[0].page == 8  # the report's page of （一）企业帮扶要坚持问题导向

    # a passage on one point of a list: the list it belongs to
    point = _hit_in(built, ("四、下一步工作考虑", "一是深化区域试点与产业试点"))
    outline = built.outline("下一步有哪几项打算", [point])
    assert outline.section == "四、下一步工作考虑"
    assert [i.heading for i in outline.items] == ["一是深化区域试点与产业试点", "二是大力提升质量认证供给水平",
                                                  "三是优化完善政策协同机制"]
    # the parts of the whole document, whatever passage came first
    whole = built.outline("报告分哪几部分", [point])
    assert whole.section == "" and [i.heading for i in whole.items] == [  # not the made-up 引言
        "一、工作举措与成效", "二、经验总结", "三、需要完善的主要方向", "四、下一步工作考虑"] and whole.count == 4
    # not a list question, or no results: no outline
    assert built.outline("下一步怎么深化试点", [point]) is None
    # a passage of a top-level chapter with no sub-headings: not the document's chapter list instead
    lead = _hit_in(built, ("引言",))
    assert built.outline("目前还存在哪些问题", [lead]) is None
    assert built.outline("下一步有哪几项打算", []) is None


def test_outline_for_how_many_points_and_for_the_big_parts(built):
    """Session 27 tester: 经验一共几条，每条叫啥 got no outline, and 做得还不够的地方分几大块 the whole report's
    four chapters (报告… matched the question about the document's parts) instead of that chapter's three parts."""
    from kb.retrieval import asks_for_outline

    assert asks_for_outline("报告总结出的经验一共几条，每条叫啥") and asks_for_outline("做得还不够的地方分几大块")
    assert not asks_for_outline("一共出台了几条政策")  # a count, no list
    lead = _hit_in(built, ("二、经验总结",))
    assert built.outline("报告总结出的经验一共几条", [lead]).count == 4
    chunk = next(c for c in built.chunks() if len(c.section) == 3 and c.section[0] == "三、需要完善的主要方向")
    point = _hit_in(built, tuple(chunk.section))
    outline = built.outline("报告里说现在做得还不够的地方分几大块", [point])
    assert outline.section == "三、需要完善的主要方向" and outline.count == 3
    assert all(i.heading.startswith(("（一）", "（二）", "（三）")) for i in outline.items)
    assert built.outline("这份报告分几大块", [point]).section == ""  # the document's own parts


def test_outline_in_search_json_and_cli(built, capsys, monkeypatch):
    from kb import cli

    data = built.search_json("提升行动总结出了哪几条经验，培训时可以怎么讲？", top_k=3)
    outline = data["answer"]["outline"]
    assert set(outline) == {"doc", "doc_id", "title", "section", "count", "items"} and outline["count"] >= 2
    assert (outline["doc_id"], outline["title"]) == (data["results"][0]["doc"], data["results"][0]["title"])
    assert all(set(i) == {"heading", "chunk_id", "page", "printed_page"} for i in outline["items"])
    assert data["answer"]["outline"] == (built.outline(data["query"], built.search(data["query"], top_k=3)).as_dict())
    assert built.search_json("江苏为多少家企业发放认证融资贷款", top_k=3)["answer"]["outline"] is None
    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert cli.main(["search", "报告分哪几部分", "--top-k", "1"]) == 0
    out = capsys.readouterr().out
    assert "提纲：2023年度" in out and "（共 4 项）" in out and "    二、经验总结（第 8 页）" in out


def test_offtopic_problem_gets_no_cases(built):
    # asdfghjkl and the weather are not problems any case speaks to: no arbitrary list of cases
    for q in ("asdfghjkl", "今天北京天气怎么样"):
        assert built.cases(problem=q) == [], q
    assert built.cases(problem="家纺企业产品缺陷率高")
    # with a trade or a place to go by, the cases of that trade or place are still listed
    assert built.cases(problem="asdfghjkl", region="江苏")


def test_guidance_for_a_trade_or_a_clear_problem(built):
    # a trade named: its own case first (上虞伞业), in --json as in the app's card
    data = built.search_json("我们是做雨伞的小厂，认证能带来什么？", top_k=3)
    guidance = data["guidance"]
    assert guidance and guidance["industry"] and "伞" in guidance["cases"][0]["title"] + guidance["cases"][0]["text"]
    assert all(c["outcomes"] for c in guidance["cases"])
    # no trade, no case about the problem: no card; an off-topic question: none either
    industry, cases = built.guidance("考评前十是哪几个省")
    assert industry is None and cases == []
    assert built.search_json("asdfghjkl")["guidance"] is None
    # no trade, a problem a case is about: the cases that match it clearly
    industry, cases = built.guidance("认证贷怎么申请，能贷多少")
    assert industry is None and cases
    assert all(dict(c.score_parts)["problem"] >= built.config.guidance_problem_min for c in cases)


def test_cli_prints_the_guidance(built, capsys, monkeypatch):
    from kb import cli

    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert cli.main(["search", "我们是做雨伞的小厂，认证能带来什么？", "--top-k", "1"]) == 0
    out = capsys.readouterr().out
    assert "同行怎么做的（" in out and "上虞" in out.split("同行怎么做的", 1)[1].split("[1]", 1)[0]


def test_bm25_search_never_creates_the_embedder(built):
    """bm25 is the fast start (no model): its JSON, guidance included, must not need vectors."""
    fresh = KnowledgeBase(built.config)
    data = fresh.search_json("我们是做雨伞的小厂，认证能带来什么？", mode="bm25")
    assert data["results"] and data["answer"] is None and data["guidance"] is None
    assert fresh._embedder is None


def test_guidance_follows_the_industry_filter(built):
    # the trade chosen in the filter wins over none named in the question
    industry, cases = built.guidance("认证能带来什么好处", industry="纺织业")
    assert industry == "纺织业" and cases and cases[0].case.all_industries[0] == "纺织业"  # 南通家纺
    data = built.search_json("产品缺陷率高怎么办", filters=Filters(industry="纺织业"))
    assert data["results"] and data["guidance"]["industry"] == "纺织业"


def test_guidance_is_headed_peers_only_when_every_case_is_of_the_trade():
    """"同行怎么做的（纺织业）" listed a case whose trade was 未识别 (a fuzzer's find)."""
    from kb.present import peers_of
    from kb.records import Case, CaseHit, Region

    def hit(industries):
        case = Case(case_id="c", doc_id="d", kind="enterprise_case", title="合成", region=Region(),
                    industry=industries[0] if industries else None, problem="", measures="", outcomes=(),
                    section=(), page=None, chunk_id=None, text="", industries=tuple(industries))
        return CaseHit(1, 0.5, case, "合成文档")

    assert peers_of("纺织业", [hit(["纺织业"])]) and peers_of("家纺", [hit(["纺织业"])])
    assert not peers_of("纺织业", [hit(["纺织业"]), hit([])])
    assert not peers_of(None, [hit(["纺织业"])]) and not peers_of("纺织业", [])


def test_no_direct_answer_from_passages_that_barely_pass_the_floor(built):
    """A filtered search whose results only just pass the relevance floor gets no direct answer
    (an unrelated sentence would read as the answer); the same passages with their real scores do."""
    from dataclasses import replace

    hits = built.search("江苏为多少家企业发放认证融资贷款", top_k=3)
    assert hits and built.answer("江苏为多少家企业发放认证融资贷款", hits)
    weak = [replace(h, score=built.config.answer_min_score - 0.01) for h in hits]
    assert built.answer("江苏为多少家企业发放认证融资贷款", weak) == []


# ----------------------------------------------------------------- what a word means; figures the report lacks
@pytest.mark.parametrize(("query", "terms"), [
    ("啥叫采信 听不懂", ["采信"]),
    ("链主是啥 我们给大厂配套的有啥好处", ["链主"]),
    ("质量成本是啥意思 能降多少", ["质量成本"]),
    ("体系体系，到底啥叫体系啊", ["质量管理体系"]),  # an everyday word of the entry
    ("提升行动是啥", ["提升行动"]),
    ("什么是认证贷", ["认证贷"]),
    # a term typed alone asks what it is (session 25 tester: 采信 alone had no definition)
    ("采信", ["采信"]), ("认证贷？", ["认证贷"]), (" 链主 ", ["链主"]), ("采信吗", ["采信"]),
    ("养老院", ["养老"]),  # an everyday word of the entry
    ("采信 认证贷", []),  # two terms: a search, not a question
    # no question about a word's meaning
    ("认证贷是什么时候开始的", []),
    ("厂里没有懂质量的人咋办", []),
    ("认证贷怎么申请", []),
    ("今天天气是啥样", []),
])
def test_questions_asking_what_a_word_means(query, terms):
    from kb.glossary import asked_terms

    assert [e.term for e in asked_terms(query)] == terms


def test_search_json_explains_the_term_asked_about(built, capsys, monkeypatch):
    data = built.search_json("啥叫采信")
    (d,) = data["definitions"]
    entry = next(e for e in glossary() if e.term == "采信")
    assert d == {"term": "采信", "meaning": entry.meaning, "everyday": list(entry.everyday), "source": entry.source}
    assert built.search_json("认证贷怎么申请")["definitions"] == []
    from kb.api_models import SearchResponse

    SearchResponse.model_validate(data)  # the API documents the field
    from kb.cli import main

    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["search", "链主是啥"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("术语解释：\n  链主：") and "（依据：报告用语）" in out
    assert main(["glossary", "啥叫采信"]) == 0  # a question, not a bare word: the term it names
    assert capsys.readouterr().out.startswith("采信：")


@pytest.mark.parametrize(("query", "sentence", "kind"), [
    ("做个质量体系认证要花多少钱啊", "近6成小微企业认为带来一定经济压力。", "费用"),
    # the fees waived for all enterprises are no price (session 29 tester t14; this case expected no note before)
    ("认证费多少钱", "为1.5万家企业减免认证费用3960万元。", "费用"),
    ("认证费多少钱", "合成：认证费一般在1万元左右。", None),
    ("认证下来要多久", "2023年产品不良率较2022年下降20.2%。", "时间"),  # a year is no length of time
    ("认证下来要多久", "一般3个月可以拿到证书。", None),
    ("认证下来要多久", "用时三个月。", None),
    ("利润能涨多少", "年利润率平均提升8.3%。", None),  # a figure, but not a cost or a time
    ("认证要几个月", "2023年产品不良率较2022年下降20.2%。", "时间"),
    # how to apply (a trainer: 认证贷怎么办理 got loan statistics and no word that the report has no procedure)
    ("认证贷怎么办理", "为1433家企业发放认证融资贷款超83亿元。", "办理"),
    ("免费培训在哪报名", "为34.9万家企业免费培训132.8万人次。", "办理"),
    ("认证贷怎么办理", "企业可向当地银行提交认证证书申请贷款。", None),
    ("家纺企业产品缺陷率高怎么办", "为1433家企业发放认证融资贷款超83亿元。", None),  # asks what to do
    # session 26 tester: a loan total is no cost, and 乱收费怎么办 asks about misconduct, not an amount
    ("年审要交多少钱", "为小微企业提供金融信贷支持320亿元，在资金支持方面夯实保障。", "费用"),
    ("政府补贴多少钱", "河北金融信贷支持6.7亿元，财政补贴728万元。", None),
    ("认证机构乱收费怎么办", "鼓励认证机构优化认证服务供给。", None),
    ("认证怎么收费", "鼓励认证机构优化认证服务供给。", "费用"),
    ("有证书能贷多少钱", "鼓励认证机构优化认证服务供给。", None),  # a loan, not a fee (session 26 tester)
    # an amount saved, not a price (session 29 tester: the note sat over 助企降损增效达1.3亿余元)
    ("德清的地理信息企业省了多少钱", "助企降损增效达1.3亿余元。", None),
    # a score: the report ranks the provinces, it gives no scores (session 29 tester)
    ("浙江排第一，它具体打了多少分", "排名前10的省份依次为：浙江、江苏、河北。", "分数"),
    ("各省的得分是多少", "合成：浙江综合评价得分92.5分。", None),
    ("几分钟能查到结果", "鼓励认证机构优化认证服务供给。", None),  # minutes, not a score
    # session 29 tester t14: a span told is no question; a discount total is no price
    ("我们厂的质检员干不了多久就辞职，怎么办", "小微企业中熟悉质量管理的人才匮乏且流动性大。", None),
    ("认证费用一般多少钱", "认证机构为1.5万家企业减免认证费用共计3960万元。", "费用"),
    ("认证费用能减免多少钱", "认证机构为1.5万家企业减免认证费用共计3960万元。", None),
    ("一年赚了多少钱", "鼓励认证机构优化认证服务供给。", None),
    ("审核一次多少钱", "鼓励认证机构优化认证服务供给。", "费用"),
    # where to complain (a tester: 认证机构收费乱怎么办，能投诉吗 got the 97% satisfaction figure, no note)
    ("认证机构收费乱怎么办，能投诉吗", "小微企业对认证机构的满意率均达97%。", "投诉"),
    ("假证书去哪举报", "可拨打12315投诉举报。", None),
    ("客户老投诉咋整", "建立客户投诉处理制度。", None),  # his customers' complaints: no such question
    ("认证要花多少钱", "鼓励认证机构优化认证服务供给。", "费用"),
    # which body to choose, how to reach someone, how many were certified: the report names no body,
    # gives no contact and counts the enterprises helped, not those certified
    ("哪家认证机构靠谱", "鼓励认证机构优化认证服务供给。", "机构"),
    ("推荐几家好的认证公司", "457家认证机构为3.0万家小微企业实施精准帮扶。", "机构"),
    ("哪家认证机构靠谱", "合成：某某质量认证中心为当地企业提供上门审核。", None),
    ("哪些认证机构参与了", "457家认证机构深度参与提升行动。", None),  # a count answers it
    ("认证公司到底靠不靠谱，企业对他们的本事和态度咋评价的", "小微企业对认证机构的满意率均达97%。", None),  # opinion
    ("上虞那家伞厂的电话是多少", "浙江绍兴上虞区建设伞业“共富工坊”。", "联系"),
    ("上虞那家伞厂的电话是多少", "合成：联系电话0575-12345678。", None),
    ("有多少家企业拿到了证书", "为1.5万家企业减免认证费用共计3960万元。", "获证"),
    ("有多少家企业拿到了证书", "合成：全年新增获证企业1200家。", None),
    ("最后有几家拿到体系证书", "合成：126家帮扶企业中有98家通过质量管理体系认证。", None),
    ("几家企业通过了认证", "为1.5万家企业减免认证费用共计3960万元。", "获证"),
    ("多少家企业参加了", "457家认证机构为3.0万家小微企业实施精准帮扶。", None),
    # session 27 tester: a loan's terms for one firm are not the total lent; an address or opening hours
    ("认证贷的利息多少，一家最多能贷多少钱", "为1433家企业发放认证融资贷款超83亿元。", "贷款"),
    ("认证贷的利息多少", "合成：认证贷年化利率3.65%，单户额度最高300万元。", None),
    ("江苏认证贷一共放了多少钱", "为1433家企业发放认证融资贷款超83亿元。", None),  # lent, no fee (session 27 tester)
    ("今年这个提升行动报名截止到哪天", "2020年至2023年黄埔区持续开展帮扶。", "日期"),
    ("截至2023年底有多少省局推动采信", "截至2023年底，全国20个省局创新推动认证结果采信措施259项。", None),
    ("什么时候开始报名", "合成：报名时间为3月1日至4月30日。", None),
    ("办认证贷要交多少手续费", "为1433家企业发放认证融资贷款超83亿元。", "费用"),
    ("德清那个认证服务中心的地址和开放时间", "浙江在德清县设立全国首个县级质量认证服务中心。", "联系"),
    # session 28 tester: other wordings of the same asks, and which bank
    ("浙江有哪些认证机构靠谱，给推荐几家", "浙江在德清县设立全国首个县级质量认证服务中心。", "机构"),
    ("想报名免费培训，要准备啥材料", "为34.9万家企业免费培训132.8万人次。", "办理"),
    ("认证贷找哪个银行办", "为1433家企业发放认证融资贷款超83亿元。", "银行"),
    ("认证贷找哪个银行办", "合成：可到当地农商银行办理。", None),
    ("跟银行合作的多吗", "合成：各地加强与银行合作。", None),  # not which bank
    # a span the owner tells, not one asked for (a tester's long story: 厂子十几年了)
    ("我们厂子十几年了，这几个月订单少，前几年搞过认证，还有用吗", "2023年产品不良率较2022年下降20.2%。", None),
    # session 31 tester t20: 推了几年 is a span told; money given out as loans (融资, loan) is no price
    ("QMS 推了几年效果为啥到 bottleneck 了", "工作成效在连续2年增长后进入瓶颈期。", None),
    ("认证推几年能见效", "工作成效在连续2年增长后进入瓶颈期。", None),
    ("认证要推几年", "鼓励认证机构优化认证服务供给。", "时间"),
    ("江苏 认证融资 loan 给多少家企业发了多少钱", "为1433家企业发放认证融资贷款超83亿元。", None),
    ("给多少家企业发了多少钱", "为1433家企业发放认证融资贷款超83亿元。", None),
    ("年审要交多少钱", "为1433家企业发放认证融资贷款超83亿元。", "费用"),
    ("找一个出口企业认证后减少退货损失的例子，损失减少了多少钱？", "合成：全年减少退货损失约42万元。", None),  # tester t23
])
def test_what_the_answer_does_not_give_is_said(query, sentence, kind):
    from kb.retrieval import UNANSWERED_ZH, AnswerSentence, unanswered_figure

    answer = [AnswerSentence(sentence, "c1", "文档", "", 1, 0.5)]
    assert unanswered_figure(query, answer) == kind
    assert KnowledgeBase.unanswered(query, answer) == (UNANSWERED_ZH[kind] if kind else None)
    assert KnowledgeBase.unanswered(query, []) is None  # no answer: nothing to qualify


def test_a_year_the_answer_does_not_give_is_said():
    """2024年营收又涨了多少 (session 27 tester) was answered with 2023's figures and no word of it; a
    sentence naming no year counts its document's year (《2023年度…工作总结》)."""
    from kb.retrieval import AnswerSentence, unanswered_years

    def said(query, text, doc="文档"):
        return unanswered_years(query, [AnswerSentence(text, "c1", doc, "", 1, 0.5)])

    assert said("2024年营收又涨了多少", "据统计，2023年参与提升行动的小微企业年度营收平均提升10.2%。") == ["2024"]
    assert said("2022年的时候免了多少认证费", "为1.5万家企业减免认证费用3960万元。", "2023年度工作总结") == ["2022"]
    assert said("2023年免了多少认证费", "为1.5万家企业减免认证费用3960万元。", "2023年度工作总结") == []
    assert said("不良率比2022年降了多少", "2023年产品不良率较2022年下降20.2%。") == []
    assert said("营收涨了多少", "2023年营收平均提升10.2%。") == []  # no year asked
    assert said("2024年营收涨了多少", "营收平均提升10.2%。") == []  # no year told: nothing to say
    answer = [AnswerSentence("2023年营收平均提升10.2%。", "c1", "文档", "", 1, 0.5)]
    assert KnowledgeBase.unanswered("2024年营收又涨了多少", answer) == "文档中没有写到2024年的数字，下面的句子说的是其他年份"


def test_search_json_says_when_the_report_has_no_cost(built):
    data = built.search_json("做个质量体系认证要花多少钱啊")
    assert data["answer"]["unanswered"] == "文档中没有写到具体的费用数额"
    assert built.search_json("认证贷有什么好处")["answer"]["unanswered"] is None


# Synthetic two-case collection (made up for this test): the same complaint figure phrased in both.
TWO_CASES = """# 合成测试案例集（虚构，仅供测试）

谢谢！

## 一、甲市某健身器材公司

企业主要生产跑步机。过去焊缝开裂，客户投诉多。帮扶中建立焊接工艺评定制度。实施以来，投诉由每月11起降至2起，返修率下降4.2个百分点。全年节约返修费用18万元。

## 二、乙县某包装印刷公司

企业主要从事包装袋印刷。存在问题：印刷色差大。帮扶措施：引入色差仪。取得成效：客户投诉从每季度15起减少到3起，材料损耗率由6.5%下降到3.2%。
"""


@pytest.fixture(scope="module")
def two_cases(tmp_path_factory) -> KnowledgeBase:
    return build_kb(tmp_path_factory.mktemp("twocases"), {"合成两案例.md": TWO_CASES})


def _ordered(kb, query, first, second, second_score):
    """The hits of ``query`` with the passage holding ``first`` ranked first (score 0.9), then the one
    holding ``second`` (score ``second_score``): the answer is judged on a fixed ranking."""
    from dataclasses import replace

    hits = kb.search(query, top_k=10, include_all=True)
    a = next(h for h in hits if first in h.chunk.section_path + h.chunk.text)
    b = next(h for h in hits if second in h.chunk.section_path + h.chunk.text and h is not a)
    return [replace(a, rank=1, score=0.9), replace(b, rank=2, score=second_score)]


def test_the_answer_stays_with_the_enterprise_the_question_is_about(two_cases):
    """A black-box auditor asked how far a fitness-equipment maker's complaints fell and got the
    printing company's 15→3 from the second passage."""
    query = "健身器材焊缝开裂的企业，客户投诉降了多少"
    for second_score in (0.85, 0.2):  # close behind (the trade decides) or far behind (the share does)
        answer = two_cases.answer(query, _ordered(two_cases, query, "健身器材", "包装", second_score))
        assert answer and "11起降至2起" in answer[0].text, (second_score, answer[0].text)
        assert all("15起" not in a.text for a in answer)


def test_a_close_second_passage_still_answers_when_the_question_names_no_subject(two_cases):
    query = "客户投诉从每季度多少起减少到几起"
    answer = two_cases.answer(query, _ordered(two_cases, query, "健身器材", "包装", 0.85))
    assert any("15起减少到3起" in a.text for a in answer)


def test_a_trade_is_there_only_when_a_passage_speaks_of_it():
    """GB/T 4754 puts 雨伞 and 假发 in one 大类 (41 其他制造业), 眼镜 and 智能装备 in another (35): the
    report's 伞业 passage speaks of 雨伞, not of 假发; its 智能装备 passage not of 眼镜."""
    from kb.industries import names_the_trade

    umbrellas = "上虞区建设伞业“共富工坊”，带动3800余人增收致富"
    assert names_the_trade(umbrellas, "雨伞") and names_the_trade(umbrellas, "伞业")
    assert not names_the_trade(umbrellas, "假发")
    assert not names_the_trade("黄埔区智能装备产业助推区域产业提质增效", "眼镜")
    assert names_the_trade("某眼镜厂镜架焊点开裂", "眼镜")
    # a word for the whole class (服装 of 纺织服装、服饰业): any trade of the class speaks of it
    assert names_the_trade("某衬衫厂领口起皱返工多", "服装")


def test_trades_of_a_known_class_the_documents_never_speak_of_are_named(built):
    assert built.absent_names("做假发的 有没有同行案例") == ["假发"]
    assert built.absent_names("做眼镜的小作坊 认证下来要多久") == ["眼镜"]
    assert built.absent_names("我们是做雨伞的小厂，认证能带来什么？") == []  # the 伞业 passage
    assert built.absent_names("做家纺的 南通那边咋降下来的") == []
    # a passage that says the word is enough, whatever class it is tagged with (a tester's 食用菌罐头)
    text = next(c.text for c in built.snapshot().chunks if "黄芪" in c.text)
    assert "黄芪" in text and built.absent_names("黄芪种植户") == []


def test_guidance_heading_says_peers_only_for_the_trade_named():
    from kb.present import guidance_heading
    from kb.records import Case, CaseHit, Region

    case = Case(case_id="c", doc_id="d", kind="local_experience", title="浙江绍兴上虞区：建设伞业“共富工坊”",
                region=Region(), industry="其他制造业", problem="", measures="", outcomes=(), section=(), page=None,
                chunk_id=None, text="上虞区建设伞业“共富工坊”。", industries=("其他制造业",))
    hits = [CaseHit(1, 0.5, case, "合成文档")]
    assert guidance_heading("其他制造业", hits, "我们是做雨伞的小厂") == "同行怎么做的（其他制造业）"
    assert guidance_heading("其他制造业", hits, "做假发的 颜色老是不匀") == "相近行业的案例（其他制造业）"
    assert guidance_heading("其他制造业", hits, "认证有什么好处") == "同行怎么做的（其他制造业）"  # trade from the filter
    assert guidance_heading(None, hits, "做假发的") == "类似问题的案例"


@pytest.mark.parametrize("query", ["。", "？？？", "的的的", "@@@###"])
def test_a_query_with_no_word_gets_nothing(two_cases, query):
    """Punctuation, stopwords and symbols: their vectors are near any short passage (a tester got
    "谢谢！" as the answer to "。")."""
    assert two_cases.search(query) == []
    assert two_cases.search_json(query)["notes"] == [OFF_TOPIC_NOTE]


def test_a_cost_question_prefers_a_sentence_with_an_amount_of_money(two_cases):
    query = "健身器材公司返修费用省了多少钱"
    answer = two_cases.answer(query, _ordered(two_cases, query, "健身器材", "包装", 0.2))
    assert answer and "18万元" in answer[0].text, answer[0].text
    assert KnowledgeBase.unanswered(query, answer) is None


def test_a_sentence_told_twice_is_answered_once(tmp_path):
    """A PDF that repeats a paragraph (a tester's 丽水 case): the answer does not give one sentence twice."""
    text = "合成市某灯具企业通过认证后，灯具抽检合格率由82%提高到97%。"
    kb = build_kb(tmp_path / "home", {"合成重复段落.md": "# 合成测试材料（虚构）\n\n## 一、合成市某灯具企业\n\n" + text + text + "\n"})
    query = "灯具企业抽检合格率提高到多少"
    answer = kb.answer(query, kb.search(query, include_all=True))
    assert answer and len({a.text for a in answer}) == len(answer)


# ----------------------------------------------------------------- session 25 owner's questions
@pytest.mark.parametrize("query", ["营收能涨多少", "明年还搞不搞这个行动了", "沙县小吃开店的能参加吗"])
def test_answerable_owner_questions_are_not_refused(built, query):
    """A tester's questions the report answers were refused as off-topic: jieba glued 营收 to the
    next character (营收能), 这个行动 / 明年 named nothing the glossary knew, and 开店 (an everyday
    topic) outweighed the trade 沙县小吃 the report speaks of."""
    assert not built.off_topic(query)
    assert built.search_json(query)["results"]


def test_an_unknown_glued_word_is_read_by_its_indexed_parts(built):
    snap = built.snapshot()
    assert len(snap.bm25.containing("营收")) and not len(snap.bm25.containing("营收能"))
    assert built.retriever.known_parts(snap, ["营收能", "涨", "质量"]) == ["营收", "涨", "质量"]
    assert built.retriever.known_parts(snap, ["asdfghjkl", "的"]) == ["asdfghjkl", "的"]


@pytest.mark.parametrize("query", ["你好", "在吗？", "您好！", "hello", "Hi~"])
def test_a_greeting_gets_a_word_on_what_to_ask(built, query):
    """你好 / 在吗 got "the documents do not speak of this"; now a greeting and examples."""
    from kb.knowledge_base import GREETING_NOTE, is_greeting

    assert is_greeting(query)
    data = built.search_json(query)
    assert data["results"] == [] and data["notes"] == [GREETING_NOTE]


def test_thanks_and_questions_with_a_greeting(built):
    from kb.knowledge_base import is_greeting

    assert built.search_json("谢谢！")["notes"][0].startswith("不客气！")
    assert not is_greeting("你好，认证贷是什么") and built.search_json("你好，认证贷是什么")["results"]


@pytest.mark.parametrize("query", ["采信", "认证贷有什么好处", "家纺企业产品缺陷率高"])
def test_the_direct_answer_does_not_depend_on_how_many_results_are_shown(built, query):
    """--top-k 1 quoted another sentence than the default: the answer is chosen among
    ANSWER_FROM_HITS passages however few are shown."""
    one, ten = built.search_json(query, top_k=1), built.search_json(query, top_k=10)
    assert len(one["results"]) == 1 and one["results"][0] == ten["results"][0]
    assert one["answer"] == ten["answer"] and ten["answer"]


def test_a_kind_filter_that_empties_a_report_search_points_to_the_case_records(built):
    """A trainer filtered passages by 地方经验 and got nothing although 可比案例 lists such cases:
    the filter reads the passage's document kind; the note says so and where the records are."""
    from kb import Filters

    data = built.search_json("德清 质量认证服务中心", filters=Filters(kind="地方经验"))
    count = sum(c.kind == "local_experience" for c in built.all_cases())
    assert data["results"] == [] and count
    assert f"地方经验的案例记录共 {count} 个" in data["notes"][0] and "kb cases --kind 地方经验" in data["notes"][0]
    assert built.kind_note("report") == "" and built.kind_note(None) == ""


@pytest.mark.parametrize(("query", "region"), [("地方经验", "浙江"), ("区域协同", None), ("家纺企业产品缺陷率高", None),
                                               ("质量认证服务中心", "浙江")])
def test_a_hit_shows_a_region_and_a_trade_of_one_case(built, query, region):
    """A card showed 德清 (one case's place) with 雨花台's trade (another's): a shown pair is a case's
    own place and trade, or the trade is left out."""
    from kb import Filters

    hits = built.search(query, top_k=10, filters=Filters(region=region) if region else None, include_all=True)
    assert hits
    for h in hits:
        if h.region.province and h.industry:
            assert any(c.region == h.region and c.industry == h.industry
                       for c in built.cases_of_chunk(h.chunk.chunk_id)), (h.chunk.chunk_id, h.region, h.industry)


@pytest.mark.parametrize(("query", "off"), [("明年还有啥打算", False), ("以后还会继续搞吗", False),
                                            ("这个活动明年还搞吗", False), ("明年天气怎么样", True), ("明年个税怎么交", True)])
def test_questions_about_the_action_and_its_next_steps_are_on_topic(built, query, off):
    assert built.off_topic(query) is off


def test_what_to_do_is_not_answered_with_the_difficulty_the_report_lists(built):
    """老板不重视质量咋整: the report's 需要完善的主要方向 passage (领导作用发挥有限…) matches best, but it restates
    the difficulty; the 经验总结 passage ranked below it says what to do."""
    query = "老板不重视质量咋整"
    chunks = built.chunks()
    hits = [Hit(rank=i + 1, score=score, chunk=next(c for c in chunks if words in c.text), doc_title="报告")
            for i, (words, score) in enumerate((("领导作用发挥有限", 0.9), ("唤醒质量意识", 0.8)))]
    assert in_problem_section(hits[0].chunk.section)
    answer = built.answer(query, hits)
    assert answer and answer[0].chunk_id == hits[1].chunk.chunk_id, answer[0].text
    # a question not asking what to do still gets the passage it matched best
    query = "老板不重视质量是普遍问题吗"
    assert built.answer(query, hits)[0].chunk_id == hits[0].chunk.chunk_id


def test_what_to_do_is_not_answered_with_the_national_average(built, monkeypatch):
    """返工多咋整: the passage of the 青岛 example also holds the national averages (…年利润率平均提升8.3%，
    质量成本控制率下降6.0%); those share more words with the expanded question (质量成本) but tell no one
    what to do. The example of what an enterprise did answers it."""
    from kb.retrieval import aggregate_result

    assert aggregate_result("据统计，2023年参与提升行动的小微企业年度营收平均提升10.2%")
    assert not aggregate_result("2023年产品不良率较2022年下降20.2%")
    query = "返工多咋整"
    chunk = next(c for c in built.chunks() if "青岛某公司" in c.text)
    assert any(aggregate_result(s) for s in chunk.text.split("。"))
    hits = [Hit(rank=1, score=0.9, chunk=chunk, doc_title="报告")]
    # every sentence equally close to the question (the test embedder's cosines are noise): the words
    # shared and the bonuses decide
    snap = built.snapshot()
    monkeypatch.setattr(type(built.retriever), "embed_query",
                        lambda self, s, q: np.zeros_like(snap.sentences()[1][0]))
    answer = built.answer(query, hits)
    assert answer and not aggregate_result(answer[0].text), answer[0].text
    assert "青岛某公司" in answer[0].text


@pytest.mark.parametrize(("query", "asks"), [
    ("国家为什么要搞这个行动，背景和目的是什么", True), ("讲课开头想说清楚，搞这个认证活动到底是为了啥", True),
    ("这个行动是干啥的，为啥要搞", True), ("为啥要搞认证", False),  # why an owner should: what it brings
    ("以后国家还会接着搞这个吗", False), ("这个活动明年还搞吗", False),
    ("这行动干啥的", True), ("这个活动是做什么的", True)])  # session 29 tester: 是 left out
def test_asks_for_purpose(query, asks):
    from kb.retrieval import asks_for_purpose

    assert asks_for_purpose(query) is asks


@pytest.mark.parametrize(("query", "read"), [
    ("准备讲课，报告总结出的经验一共几条，每条叫啥", "报告总结出的经验一共几条，每条叫啥"),
    ("做课件用：全国一共出台了多少条鼓励政策", "全国一共出台了多少条鼓励政策"),
    ("提升行动总结出了哪几条经验，培训时可以怎么讲？", "提升行动总结出了哪几条经验？"),
    ("有没有靠留住员工来稳定质量的例子，讲课想用", "有没有靠留住员工来稳定质量的例子"),
    # training asked about stays
    ("认证公司给我们这种小厂免费上课吗", "认证公司给我们这种小厂免费上课吗"),
    ("除了线下讲课，还有哪些推广渠道", "除了线下讲课，还有哪些推广渠道"),
    ("我们想上课，有免费的吗", "我们想上课，有免费的吗"),
    ("准备讲课", "准备讲课"),  # nothing left to ask
])
def test_a_trainers_framing_is_not_searched(query, read):
    """准备讲课，经验有哪几条 (session 27 tester): 讲课 expanded to 培训 and the answer was the training
    statistics (全国累计组织培训1.4万场…). What the lesson is for is no topic."""
    from kb.retrieval import without_framing

    assert without_framing(query) == read


def test_the_words_naming_the_action_are_no_keywords_when_asking_why_it_exists(built):
    from kb.retrieval import purpose_subject

    tok = built.tokenizer
    assert purpose_subject("搞这个小微企业认证活动到底是为了啥", tok) == {"活动"}
    assert purpose_subject("这个活动明年还搞吗", tok) == set()  # not asking why
    cands = built.retriever.candidates(built.snapshot(), "搞这个认证活动到底是为了啥", mode="bm25")
    assert "活动" not in cands.terms and "活动" in cands.dropped


def test_a_question_why_the_action_exists_lifts_where_the_report_introduces_it(built):
    """国家为什么要搞这个行动，背景和目的是什么 (session 27 tester): the opening passage (…开展“…提升行动”
    （以下简称提升行动），运用质量认证手段帮助…) ranked 26th with the real model. A programme's short name
    marks it; a body's short name (（以下简称省局）) does not."""
    from kb.retrieval import introduces_programme

    assert introduces_programme("开展“小微企业质量管理体系认证提升行动”（以下简称提升行动），运用质量认证手段")
    assert not introduces_programme("各省市场监管部门（以下简称省局）精心组织")
    query = "国家为什么要搞这个行动，背景和目的是什么"

    def rank(kb):
        return next(h.rank for h in kb.search(query, top_k=37, include_all=True) if introduces_programme(h.chunk.text))

    plain = KnowledgeBase(_replace(built.config, benefit_problem_penalty=0.0))
    assert rank(built) < rank(plain)


@pytest.mark.parametrize(("query", "asks"), [
    ("对认证机构本身，有没有地方搞了奖优罚劣的考核办法？", True), ("有没有省份出过给小厂体系打分定级的标准", True),
    ("各地在评奖、扶持里认可认证结果的措施一共出了多少项", True),
    ("下一步有没有地方要搞考核", False),  # a plan asked about
    ("奖优罚劣的考核怎么搞", False)])
def test_asks_what_was_done(query, asks):
    from kb.retrieval import asks_what_was_done

    assert asks_what_was_done(query) is asks


def test_a_question_about_what_was_done_puts_the_plans_below(built):
    """对认证机构本身，有没有地方搞了奖优罚劣的考核办法 (session 27 tester): the two passages of 四、下一步工作考虑
    (推动将提升行动纳入…考核) ranked above 福建's 监督+激励, which was done. A plan is no deed."""
    from kb.retrieval import in_next_steps_section

    query = "对认证机构本身，有没有地方搞了奖优罚劣的考核办法？"

    def plans(kb):
        return {h.chunk.chunk_id: h.score for h in kb.search(query, top_k=37, include_all=True)
                if in_next_steps_section(h.chunk.section)}

    with_rule, without = plans(built), plans(KnowledgeBase(_replace(built.config, benefit_problem_penalty=0.0)))
    assert with_rule and all(with_rule[c] <= without[c] for c in with_rule)
    assert any(with_rule[c] < without[c] for c in with_rule)  # (a score already 0 stays 0)


@pytest.mark.parametrize(("query", "asks"), [
    ("企业对帮扶成效的主观评价较上一年度有何变化", True), ("觉得真有用的老板，比起前一年是多了还是少了？", True),
    ("2023年各地出台的激励政策数量与上年相比增幅是多少？", True),
    ("是不是越搞越没劲了？感觉没前两年那么管用", True), ("激励政策比2022年多了多少", True),
    ("2023年出台了多少激励政策", False), ("前两年搞过认证还有用吗", False)])
def test_asks_vs_earlier(query, asks):
    from kb.retrieval import asks_vs_earlier

    assert asks_vs_earlier(query) is asks


def test_a_question_comparing_with_last_year_lifts_the_passages_that_compare(built):
    """觉得真有用的老板，比起前一年是多了还是少了 (a dev-set question): the passage saying the share 比2022年
    下降7个百分点 ranked 29th with the real model, and the question was refused as off topic."""
    from kb.retrieval import compares_with_earlier

    assert compares_with_earlier("出台政策激励措施达1108项，比2022年增加93%。")
    assert compares_with_earlier("占比虽达90%，但比2022年下降7个百分点")
    assert not compares_with_earlier("从2020年的143家增加到2023年的336家")  # a span, no comparison word
    query = "觉得真有用的老板，比起前一年是多了还是少了？"
    assert not built.off_topic(query)

    def best(kb):
        return next(h.rank for h in kb.search(query, top_k=37, include_all=True) if compares_with_earlier(h.chunk.text))

    assert best(built) < best(KnowledgeBase(_replace(built.config, benefit_problem_penalty=0.0)))


def test_a_passage_of_several_places_shows_the_place_of_its_best_sentence(built):
    """种黄芪的，产值涨到多少了 (session 27 tester): the passage telling 上虞's umbrellas and 浑源's 黄芪 showed
    上虞, its first case, beside an answer about 浑源."""
    hit = next(h for h in built.search("种黄芪的，产值涨到多少了", top_k=37, include_all=True) if "黄芪" in h.chunk.text)
    assert "上虞" in hit.chunk.text and hit.chunk.text.index("上虞") < hit.chunk.text.index("浑源")
    assert hit.region.county == "浑源县"
    umbrella = next(h for h in built.search("做雨伞的产值突破多少", top_k=37, include_all=True) if "伞业" in h.chunk.text)
    assert umbrella.region.county == "上虞区"


def test_a_short_county_name_pointed_at_is_the_place():
    from kb.regions import place_names

    assert place_names("德清那边怎么分层的") == {"德清"} and place_names("义乌当地有啥做法") == {"义乌"}
    assert place_names("那边怎么分层的") == frozenset()


def test_trade_forms_add_the_report_term_of_an_everyday_trade_word():
    from kb.retrieval import trade_forms

    assert trade_forms("养老院能做质量认证吗") == {"养老院", "养老"}
    assert "雨伞" in trade_forms("我们是做雨伞的小厂") and trade_forms("认证贷怎么申请") == set()


def test_a_passage_naming_the_trade_asked_about_is_lifted(built):
    """养老院能做质量认证吗: the one passage on elder care (长三角养老领域…) was 8th with the real model,
    under passages sharing only 质量认证. Without the lift (trade_bonus 0) it ranks lower."""
    query = "养老院能做质量认证吗"

    def rank(kb):
        hits = kb.search(query, top_k=37, include_all=True)
        return next(h.rank for h in hits if "养老" in h.chunk.text)

    # the lift alone (a near tie broken by the direct answer, answer_tie_margin, is off on both sides)
    lifted = KnowledgeBase(_replace(built.config, answer_tie_margin=0.0))
    plain = KnowledgeBase(_replace(built.config, trade_bonus=0.0, answer_tie_margin=0.0))
    assert rank(lifted) < rank(plain)
    assert rank(built) <= 2
    # scores stay on 0–1
    assert all(0.0 <= h.score <= 1.0 for h in built.search(query, include_all=True))


@pytest.mark.parametrize("query,off", [
    # an owner asking whether he can join, in his own words (session 26 tester: all four were refused)
    ("俺们厂子小，弄这个中不中", False), ("开饭馆的能参加这个吗", False), ("厂子小能参加不", False), ("咋报名", False),
    # joining something else is still another matter
    ("孩子上小学怎么报名", True), ("驾校怎么报名", True), ("广场舞比赛能参加吗", True), ("马拉松怎么报名参加", True),
])
def test_asking_whether_one_can_join_is_about_the_action(built, query, off):
    assert built.off_topic(query) is off


def test_words_a_question_says_were_not_done():
    from kb.retrieval import asks_for_open_problems, not_done
    from kb.tokenizer import Tokenizer

    tok = Tokenizer()
    assert not_done("这个行动有哪些问题没解决", tok) == {"解决"}
    assert "落实" in not_done("哪些政策还没落实", tok)
    assert not_done("还存在哪些不足", tok) == set() and asks_for_open_problems("还存在哪些不足")
    assert not asks_for_open_problems("有效解决了哪些问题") and not_done("怎么解决返工多", tok) == set()


def test_what_is_still_unsolved_is_not_answered_with_what_was_solved(built):
    """这个行动有哪些问题没解决 (session 26 tester): the answer was 有效解决小微企业质量问题2.4万个…满意率97%,
    the opposite of what was asked; 解决 is not searched by, and a sentence saying it was done is no answer."""
    query = "这个行动有哪些问题没解决"
    cand = built.retriever.candidates(built.snapshot(), query)
    assert "解决" not in cand.terms and cand.dropped == ("解决",)
    chunks = built.chunks()
    hits = [Hit(rank=i + 1, score=score, chunk=next(c for c in chunks if words in c.text), doc_title="报告")
            for i, (words, score) in enumerate((("有效解决小微企业质量问题2.4万个", 0.9), ("力度、深度、广度不均衡", 0.8)))]
    answer = built.answer(query, hits)
    assert answer and "有效解决" not in answer[0].text and answer[0].chunk_id == hits[1].chunk.chunk_id
    # still on topic by the word it negates
    assert built.off_topic("哪些问题解决不了") is False


def test_a_question_naming_a_place_is_answered_with_what_that_place_did(built):
    """江苏的经验是什么 (session 26 tester): the answer was 遴选了9个地方典型经验和26个企业优良案例 (it shares
    经验), not anything 江苏 did."""
    query = "江苏的经验是什么"
    chunks = built.chunks()
    hits = [Hit(rank=i + 1, score=score, chunk=next(c for c in chunks if words in c.text), doc_title="报告")
            for i, (words, score) in enumerate((("遴选了9个地方典型经验", 0.9), ("江苏南京雨花台区构建", 0.85)))]
    answer = built.answer(query, hits)
    assert answer and "江苏" in answer[0].text, answer[0].text
    # the passage ranking: with place_bonus a passage telling what 江苏 did ranks higher than without
    plain = KnowledgeBase(_replace(built.config, place_bonus=0.0))

    def best_own(kb):
        return next(h.rank for h in kb.search(query, top_k=37, include_all=True)
                    if "江苏南京雨花台区" in h.chunk.text or "江苏省局" in h.chunk.text)

    assert best_own(built) < best_own(plain)


@pytest.mark.parametrize("query,absent", [
    # session 26 tester: 皮鞋 and 饭馆 were named as missing, 鞋 and 电子产品 were not
    ("我是做鞋的，同行有啥经验", ["鞋"]), ("我是做电子产品的，同行有啥经验", ["电子产品"]), ("做鞋子的有案例吗", ["鞋子"]),
    ("我们是做皮鞋的，同行有啥经验", ["皮鞋"]),
])
def test_trades_the_report_never_mentions_are_named(built, query, absent):
    assert built.absent_names(query) == absent


@pytest.mark.parametrize("query,absent", [
    # session 27 tester: 南通罗莱家纺… got the 南通 15%→7% figure as if it were 罗莱's, with no word
    ("南通罗莱家纺参加以后次品率降了多少", ["罗莱"]),
    # words the segmenter glues (有个厂子, 开个小厂, 咱小厂子) and a typo read as another word are no names
    ("听说青岛有个厂子内销外销用一个标准", []), ("我开个小厂，营业额能涨多少", []), ("去年全国一共给咱小厂子贷了多少款", []),
    ("上虞做雨伞的那个共付工坊带了多少人增收", []),
])
def test_an_enterprise_the_documents_never_name_is_named(built, query, absent):
    assert built.absent_names(query) == absent


def test_a_question_asking_for_a_time_and_a_cost_is_told_both_are_missing():
    from kb.retrieval import AnswerSentence, unanswered_figures

    query = "认证证书有效期几年，年审要交多少钱"
    answer = [AnswerSentence("全国各地重点开展行业特色认证、分级认证。", "c1", "文档", "", 1, 0.5)]
    assert unanswered_figures(query, answer) == ["费用", "时间"]
    assert KnowledgeBase.unanswered(query, answer) == "文档中没有写到具体的费用数额，也没有写到需要多长时间"


def test_questions_about_what_comes_next_and_the_sections_that_answer_them():
    from kb.retrieval import asks_what_comes_next, in_next_steps_section

    for q in ("下一步国家还打算怎么做", "下一步有哪几项打算", "明年还搞不搞这个行动了", "以后还会继续搞吗", "今后有啥计划",
              "后续宣传打算借哪些节日活动来推",
              "以后国家还会接着搞这个吗，对企业来说主要图个啥", "这个行动还会继续搞吗"):  # words between 以后 and 还
        assert asks_what_comes_next(q), q
    for q in ("认证贷怎么申请", "做了认证以后利润能涨多少", "老板不重视质量咋整", "有啥好处", "以后贷款好借吗",
              "拿了证以后企业有什么好处"):
        assert not asks_what_comes_next(q), q
    assert in_next_steps_section(("四、下一步工作考虑", "一是深化区域试点与产业试点"))
    assert in_next_steps_section(("五、2025年工作打算",)) and in_next_steps_section(("今后工作计划",))
    assert not in_next_steps_section(("三、需要完善的主要方向",)) and not in_next_steps_section(())


def test_a_question_about_what_comes_next_ranks_the_next_steps_chapter_higher(built):
    """下一步国家还打算怎么做 (session 26 tester): the intro came first. The next-steps chapter is lifted by
    benefit_problem_penalty; with it 0 the chapter's best passage ranks lower."""
    from kb.retrieval import in_next_steps_section

    query = "下一步国家还打算怎么做"

    def best(kb):
        return next(h.rank for h in kb.search(query, top_k=37, include_all=True) if in_next_steps_section(h.chunk.section))

    assert best(built) < best(KnowledgeBase(_replace(built.config, benefit_problem_penalty=0.0)))


def test_a_question_about_lessons_ranks_the_lessons_chapter_higher_unless_it_names_a_place(built):
    from kb.retrieval import asks_for_lessons, in_lessons_section

    assert asks_for_lessons("讲经验的部分 帮企业那几步") and asks_for_lessons("有啥启示")
    assert not asks_for_lessons("认证贷怎么申请")
    assert in_lessons_section(("二、经验总结", "（一）企业帮扶要坚持问题导向")) and in_lessons_section(("几点体会",))
    assert not in_lessons_section(("三、需要完善的主要方向",))
    query = "讲经验的部分 帮企业那几步 像看病一样先诊断再对症下药"

    def best(kb, q):
        return next(h.rank for h in kb.search(q, top_k=37, include_all=True) if in_lessons_section(h.chunk.section))

    plain = KnowledgeBase(_replace(built.config, benefit_problem_penalty=0.0))
    assert best(built, query) < best(plain, query)
    # 江苏的经验是什么 asks what 江苏 did: no lift for the lessons chapter
    assert best(built, "江苏的经验是什么") == best(KnowledgeBase(_replace(built.config, benefit_problem_penalty=0.0)),
                                               "江苏的经验是什么")


@pytest.mark.parametrize("query, asks", [
    ("厂子千差万别，上门帮忙的时候是不是得一家一个方子", True),
    ("光靠一个局单打独斗不够吧，别的口子要不要一起上", True),
    ("怎样让官方和买家更认可拿到的证书", True),
    ("为啥要让大企业带着小厂一块搞", True),
    ("我们是给大厂做配套的小厂，大厂凭啥要带我们一起搞质量", True),  # session 29 tester
    ("这证凭什么管用", False),
    ("我啥都不懂，头一步该做啥", True),
    ("帮扶的人来了是先讲课还是先诊断", True),
    ("给学员讲企业帮扶应该分几步走，先干啥后干啥", True),
    ("总结出的帮扶企业的几个步骤是什么", True),
    ("怎样通过一家大企业带动整条产业链上的小厂一起提高", True),  # session 29 tester: the lessons chapter
    ("认证贷一共放了多少钱", False),
    ("做了认证以后利润能涨多少", False),
    ("南通家纺是怎么做的", False),
])
def test_asks_for_advice(query, asks):
    from kb.retrieval import asks_for_advice

    assert asks_for_advice(query) is asks


def test_a_question_asking_how_things_should_be_done_ranks_the_lessons_chapter_higher(built):
    """厂子千差万别…是不是得一家一个方子 (a dev question): the problems chapter (按需施策的帮扶效能有待提升)
    came first; the lessons chapter (企业帮扶要坚持问题导向) says what works. A question about the plans
    (下一步打算怎么让…) gets the next-steps chapter instead, and a place's own deeds are not lifted."""
    from kb.retrieval import in_lessons_section

    # the lift alone (a near tie broken by the direct answer, answer_tie_margin, is off on both sides)
    lifted = KnowledgeBase(_replace(built.config, answer_tie_margin=0.0))
    plain = KnowledgeBase(_replace(built.config, benefit_problem_penalty=0.0, answer_tie_margin=0.0))

    def best(kb, q):
        return next(h.rank for h in kb.search(q, top_k=37, include_all=True) if in_lessons_section(h.chunk.section))

    for query in ("厂子千差万别，上门帮忙的时候是不是得一家一个方子", "为啥要让大企业带着小厂一块搞"):
        assert best(lifted, query) < best(plain, query), query
    from kb.retrieval import in_next_steps_section

    assert in_next_steps_section(built.search("下一步打算怎么让市场也使上劲", top_k=1)[0].chunk.section)
    assert best(lifted, "江苏是怎么让企业更认可证书的") == best(plain, "江苏是怎么让企业更认可证书的")


def test_what_a_figure_question_counts():
    """多少家认证机构 wants 457家认证机构, not the 90% of a sentence on coverage; 培养了多少质量管理人才
    wants the figure next to 人才; 几个省有没有联手搞 asks whether several did, not how many."""
    from kb.retrieval import counted
    from kb.tokenizer import Tokenizer

    tok = Tokenizer()

    def gives(query, text):
        units, things = counted(query, tok)
        return any(p.search(text) for p in units + things)

    assert gives("提升行动覆盖多少家认证机构", "457家认证机构为3.0万家小微企业实施精准帮扶")
    assert not gives("提升行动覆盖多少家认证机构", "提升行动覆盖率逐年增长，2023年占比虽达90%")
    assert gives("这一年一共培养了多少质量管理人才", "有效培育企业质量管理人才5.2万人次")
    assert not gives("这一年一共培养了多少质量管理人才", "从品牌建设、人才培养等方面夯实要素保障")
    assert gives("跟部门一起出台的政策有多少条", "出台跨部门联动政策219项")
    assert gives("利润能多几个点", "年利润率提升8.3％") and gives("利润能多几个点", "下降7个百分点")
    assert gives("覆盖了多少企业多少人次", "免费培训132.8万人次")
    assert counted("老人院的服务质量，几个省有没有联手搞", tok) == ((), ())
    assert counted("把企业分成几个档次区别对待的做法是哪里的", tok) == ((), ())
    assert counted("有没有好的做法", tok) == ((), ())
    assert counted("找一个养老服务方面几个省市联合搞质量提升的例子", tok) == ((), ())  # several, not how many
    assert gives("觉得有效果的占几成", "占比虽达90%")
    # the thing counted before 多少 (session 31 tester t20: 认证机构多少家 was answered with 为1.5万家企业)
    for q in ("认证机构多少家", "认证机构一共有多少家", "认证机构具体有多少家"):
        assert gives(q, "457家认证机构深度参与提升行动") and gives(q, "参与的认证机构共457家。"), q
        assert not gives(q, "认证机构为1.5万家企业减免认证费用共计3960万元"), q
    assert gives("激励政策几项", "出台政策激励措施达1108项，比2022年增加93%")  # 几 after the thing counted
    assert gives("各地推动采用认证结论的举措共有多少条", "推动认证结果采信措施259项，")  # another word for it
    # a clause ending in an adverb or a verb counts nothing before it
    assert gives("听说认证机构帮了好几万家小厂，具体是多少家啊", "457家认证机构为3.0万家小微企业实施精准帮扶")
    assert gives("江苏认证贷发给了多少家", "为1433家企业发放认证融资贷款超83亿元")
    # … and right after the counter (session 31 tester t22: 有多少家认证机构参加 got 为1.5万家企业 first)
    # (the figure in its counter; 认证机构 next to a figure is one bonus for either, see Retriever.answer_one)
    units, _ = counted("有多少家认证机构参加", tok)
    assert any(p.search("457家认证机构、1785个产业/工业园区深度参与") for p in units)
    assert not any(p.search("认证机构为1.5万家企业减免认证费用共计3960万元") for p in units)
    # the counter after what is counted (多少懂质量管理的人: 人才5.2万人次; session 31 tester t22)
    assert gives("培养了多少懂质量管理的人", "有效培育企业质量管理人才5.2万人次")
    assert not gives("培养了多少懂质量管理的人", "排名前10的省份依次为：浙江、江苏")
    assert counted("有没有几位懂行的人", tok) == ((), ())  # several, not how many: no counter at the end either
    units, _ = counted("淘汰或留下了几家供应商？", tok)  # a few characters may qualify the thing (tester t23)
    assert any(p.search("合成：淘汰2家竹材供应商") for p in units)


def test_a_figure_question_ranks_the_passage_of_its_answer_first(built):
    """跟工信发改这些部门一起联合出台的政策有多少条 (a dev question): the direct answer was right (…出台跨部门
    联动政策219项) but its passage ranked second, under the next-steps passage sharing 工信、发改. For a
    figure question the passage list and the direct answer now agree."""
    for query in ("跟工信发改这些部门一起联合出台的政策有多少条", "这一年各地一共培养了多少质量管理人才",
                  "政府一共补了多少钱"):
        j = built.search_json(query, top_k=5)
        assert j["answer"] and j["results"], query
        assert j["answer"]["sentences"][0]["chunk_id"] == j["results"][0]["chunk_id"], query
        scores = [r["score"] for r in j["results"]]
        assert scores == sorted(scores, reverse=True), query
    j = built.search_json("跟工信发改这些部门一起联合出台的政策有多少条", top_k=3)
    assert "219" in j["results"][0]["text"]


@pytest.mark.slow
def test_a_figure_asked_of_no_place_is_answered_with_the_total(real_kb):
    """政府直接给了多少补助 (a dev question): the answer was 河北…财政补贴728万元, one province's figure; the
    question names no place, so the national total (落实3.7亿元财政补贴) answers it, and its passage ranks
    first. A question naming the province still gets that province's figure."""
    def first(query):
        return real_kb.search_json(query, top_k=3)["answer"]["sentences"][0]["text"]

    for query in ("政府直接给了多少补助", "政府给不给补贴，一共补了多少钱？"):
        assert "3.7亿元财政补贴" in first(query), query
    assert "728万元" in first("河北的财政补贴给了多少")


def test_a_word_across_two_words_is_no_match():
    """营业额平均涨了多少 (session 28 tester): 营业, a piece of 营业额, counted as found in 经营|业绩, so a
    sentence on 经营业绩 outranked the one on 营收. A word inside one word, or spanning whole words, still counts."""
    from kb.glossary import occurs
    from kb.tokenizer import Tokenizer

    tok = Tokenizer()

    def found(text, word):
        return occurs(text, word, tok.spans(text))

    assert not found("在经营业绩等方面明显提升", "营业")
    assert found("年度营业额平均提升", "营业")
    assert found("建立质量管理体系", "质量管理") and found("建立质量管理体系", "管理")
    assert found("各地方积极制定实施意见", "各地")  # 各 is one character: 各|地方 is 各地 + 方
    assert not found("没有这个词", "营业")


def test_matched_terms_leave_out_a_word_across_two_words(built):
    hit = next(h for h in built.search("营业额平均涨了多少", top_k=37, include_all=True) if "经营业绩" in h.chunk.text)
    assert "营业" not in hit.matched_terms or "营业额" in hit.chunk.text


@pytest.mark.slow
def test_a_where_question_is_answered_with_a_sentence_naming_the_place(real_kb, monkeypatch):
    """把企业分成几个档次区别对待的做法是哪里的 (a dev question): a sentence on 分级认证 with no place
    answered it; the one naming 德清 does. With the bonus at 0 (answer_own_place_bonus) it would not."""
    from kb.retrieval import _WHERE

    assert _WHERE.search("这种做法是哪里的") and _WHERE.search("在哪个地方搞的") and not _WHERE.search("认证贷怎么办理")
    query = "把企业分成几个档次区别对待的做法是哪里的"
    hits = real_kb.search(query, top_k=10, include_all=True)
    assert "德清" in real_kb.answer(query, hits)[0].text
    monkeypatch.setattr(real_kb.retriever, "config", _replace(real_kb.retriever.config, answer_own_place_bonus=0.0))
    assert "德清" not in real_kb.answer(query, hits)[0].text


@pytest.mark.slow
def test_a_near_tie_is_broken_by_the_passage_of_the_answer(real_kb, monkeypatch):
    """德清那个县里专门搞认证服务的中心，是怎么给企业分档的 (a dev question): 推进认证创新 (分级认证…) and the
    passage with 德清…“初创层”“发展层”和“跨越层” score 0.624 and 0.615; the direct answer is the 德清 sentence.
    Within answer_tie_margin the answer's passage goes first; with the margin 0 it does not. (Until session 30
    the example was 有没有省份出台了给…打分分级的准则, a tie no longer: the glossary stopped reading 打分 there
    as 满意度 / 绩效评价 too, and the 成熟度评价准则 passage now leads by 0.25.)"""
    query = "德清那个县里专门搞认证服务的中心，是怎么给企业分档的"
    assert "初创层" in real_kb.answer(query, real_kb.search(query, top_k=10))[0].text
    assert "初创层" in real_kb.search(query, top_k=3)[0].chunk.text
    monkeypatch.setattr(real_kb.retriever, "config", _replace(real_kb.retriever.config, answer_tie_margin=0.0))
    assert "初创层" not in real_kb.search(query, top_k=3)[0].chunk.text


def test_campaign_days_are_one_word_and_explained():
    """后面宣传借啥节日 (a dev question): 质量月 was read as 质量 + 月; the glossary now says what it is and that
    a 节日 for publicity means it."""
    from kb.tokenizer import Tokenizer

    assert "质量月" in Tokenizer().tokenize("以“质量月”“世界认可日”等活动为契机")
    assert "世界认可日" in Tokenizer().tokenize("以“质量月”“世界认可日”等活动为契机")
    assert "质量月" in expansions("后面宣传借啥节日")


def test_a_passage_about_several_places_shows_the_one_the_question_names(built):
    """沙县小吃是怎么做的 (session 26 tester): the passage telling 南通's 家纺 and 沙县's 小吃 was labelled
    江苏省南通市."""
    def shown(query):
        hit = next(h for h in built.search(query, top_k=37, include_all=True)
                   if "沙县" in h.chunk.text and "南通" in h.chunk.text)
        return hit.region.county or hit.region.city or ""

    assert "沙县" in shown("沙县小吃是怎么做的")
    assert "南通" in shown("南通家纺怎么做的")
    # a region filter still decides
    hit = next(h for h in built.search("小吃", top_k=37, include_all=True, filters=Filters(region="江苏"))
               if "沙县" in h.chunk.text)
    assert hit.region.province == "江苏省"


def test_a_what_is_question_is_answered_where_the_document_introduces_the_term(built):
    """这个提升行动到底是干啥的 (session 26 tester): the answer was 进入瓶颈期…; the report says what the action
    is where it introduces the short name (…（以下简称提升行动），运用质量认证手段帮助小微企业…)."""
    from kb.retrieval import introduces

    assert introduces("持续部署开展“小微企业质量管理体系认证提升行动”（以下简称提升行动），运用质量认证手段", ["提升行动"])
    assert introduces("某市开展“质量护航”专项行动（简称“护航行动”）。", ["护航行动"])
    assert not introduces("提升行动覆盖率逐年增长", ["提升行动"])
    query = "这个提升行动到底是干啥的"
    answer = built.answer(query, built.search(query))
    assert answer and "以下简称提升行动" in answer[0].text, answer[0].text

    def rank(kb):
        return next(h.rank for h in kb.search(query, top_k=37, include_all=True) if "以下简称提升行动" in h.chunk.text)

    assert rank(built) < rank(KnowledgeBase(_replace(built.config, benefit_problem_penalty=0.0))) or rank(built) == 1


def test_a_question_asking_two_things_is_answered_on_both(built):
    """我们做电子产品的，想知道认证费用能减免多少，还有能不能拿到贷款 (session 26 tester): only the loan
    was answered; asked alone, the fee reduction was."""
    from kb.retrieval import second_topic

    assert second_topic("想知道认证费用能减免多少，还有能不能拿到贷款") == ("想知道认证费用能减免多少", "能不能拿到贷款")
    assert second_topic("讲认证贷，还想讲讲专家进企业帮扶") == ("讲认证贷", "专家进企业帮扶")
    assert second_topic("认证有啥好处") == ("认证有啥好处", "") and second_topic("还有别的吗")[1] == ""
    query = "认证费用能减免多少，还有能不能拿到贷款"
    answer = built.answer(query, built.search(query))
    text = " ".join(a.text for a in answer)
    assert len(answer) == 2 and "减免" in text and "贷" in text, text
    assert "减免" in answer[0].text  # in the question's order


def test_the_second_part_is_told_by_its_own_words_not_the_glossarys(built, monkeypatch):
    """认证费能免多少，另外抖音号有多少人看 (session 27 tester): 抖音号 expands to 宣传/培训, and the fee sentence's
    免费培训 counted as telling the second part, so only the fee was answered."""
    from kb.retrieval import AnswerSentence, Retriever

    fee = next(c for c in built.chunks() if "减免认证费用共计" in c.text)
    douyin = next(c for c in built.chunks() if "抖音号" in c.text)
    calls = []
    one = Retriever.answer_one

    def answer_one(self, snap, query, hits, max_sentences=2, from_hits=5):
        calls.append(query)
        if len(calls) == 1:  # the whole question: both sentences about the fee, one naming 免费培训
            return [AnswerSentence("认证机构为1.5万家企业减免认证费用共计3960万元。", fee.chunk_id, "报告", "", 1, 0.9),
                    AnswerSentence("为1.5万家企业减免认证费用3960万元，为34.9万家企业免费培训132.8万人次。",
                                   fee.chunk_id, "报告", "", 1, 0.9)]
        return one(self, snap, query, hits, max_sentences, from_hits)

    monkeypatch.setattr(Retriever, "answer_one", answer_one)
    # (each part's search would call answer_one too, to put its answer's passage first)
    monkeypatch.setattr(built.retriever, "config", _replace(built.retriever.config, answer_passage_first=False))
    built.answer("认证费能免多少，另外抖音号有多少人看", [])
    assert calls[1:] == ["认证费能免多少", "抖音号有多少人看"]  # each part searched on its own
    assert douyin.chunk_id  # (the passage the second part should find exists)


def test_greeting_note_with_and_without_inline_examples():
    """One function for the greeting (the CLI names examples itself; the app shows buttons below)."""
    from kb.knowledge_base import GREETING_NOTE, greeting_note

    assert greeting_note("你好") == GREETING_NOTE
    short = greeting_note("你好", inline_examples=False)
    assert short.endswith("例如下面的问题：") and "“" not in short and short.startswith(GREETING_NOTE.split("例如")[0])
    thanks = greeting_note("谢谢！", inline_examples=False)
    assert thanks.startswith("不客气！") and thanks.endswith("例如下面的问题：")
    assert greeting_note("thank you").startswith("不客气！") and "认证贷是什么" in greeting_note("thank you")


def test_the_app_wording_of_the_empty_note_comes_from_the_same_function(built):
    from kb.knowledge_base import OFF_TOPIC_NOTE, greeting_note

    assert built.empty_note("你好", examples_below=True) == greeting_note("你好", inline_examples=False)
    assert built.empty_note("今天天气怎么样", examples_below=True) == OFF_TOPIC_NOTE + "也可以试试下面的问题："
    note = built.empty_note("今天天气怎么样", include_all=True, examples_below=True)
    assert note.startswith("没有找到相关内容。") and "显示低相关度结果" not in note and "kb search" not in note
    assert "打开“显示低相关度结果”" in built.empty_note("今天天气怎么样", mode="bm25", examples_below=True)


def test_everyday_part_labels_open_their_parts(tmp_path):
    """A tester's synthetic Markdown collection labelled its parts **遇到的难题**：/**怎么做的**：/**效果**：; 怎么做的
    was not a label, so each case's measures were read into its problem."""
    text = ("# 合成测试材料（虚构）\n\n## 甲市某五金制品有限公司：控制尺寸超差\n\n**遇到的难题**：五金件尺寸超差频发，一次交验合格率仅88%。\n\n"
            "**怎么做的**：在冲压工序引入统计过程控制，对关键尺寸每两小时抽检。\n\n**效果**：一次交验合格率由88%提升至97%。\n")
    kb = build_kb(tmp_path / "home", {"合成五金.md": text})
    (case,) = kb.all_cases()
    assert "统计过程控制" in case.measures and "统计过程控制" not in case.problem
    assert "尺寸超差" in case.problem


def test_a_places_development_zone_before_the_colon_is_a_local_experience():
    """郑州经济技术开发区：“组团式”帮扶汽车零部件企业 (a tester's synthetic case) was an enterprise case."""
    from kb.cases import collection_kind

    assert collection_kind("", "郑州经济技术开发区：“组团式”帮扶汽车零部件企业") == "local_experience"
    assert collection_kind("", "苏州工业园区：精密制造企业提质") == "local_experience"
    assert collection_kind("", "郑州惠民超市有限公司：冷链管理降低生鲜损耗") == "enterprise_case"


@pytest.mark.parametrize("query,trades", [
    # a tool used or bought is not the owner's trade (session 26 tester: ERP软件 gave the 软件 trade's cases)
    ("隔壁厂老板用的什么ERP软件好", []), ("用什么软件管理质量比较好", []),
    ("我们是做软件的", ["软件"]), ("做软件的小公司有啥案例", ["软件"]), ("上门做保洁的", ["保洁"]),
])
def test_a_tool_the_question_names_is_not_its_trade(query, trades):
    from kb.industries import trade_words
    from kb.retrieval import question_industry

    assert trade_words(query) == trades
    if "保洁" not in query:  # an everyday service word names no GB/T 4754 class by itself
        assert (question_industry(query) is None) == (not trades)


def test_each_part_of_a_two_part_question_is_searched_with_the_same_filters(built):
    query = "认证费用能减免多少，还有能不能拿到贷款"
    filters = Filters(region="江苏")
    allowed = {h.chunk.chunk_id for h in built.search(query, top_k=37, include_all=True, filters=filters)}
    allowed |= {h.chunk.chunk_id for part in ("认证费用能减免多少", "能不能拿到贷款")
                for h in built.search(part, top_k=37, include_all=True, filters=filters)}
    answer = built.answer(query, built.search(query, filters=filters), filters)
    assert answer and all(a.chunk_id in allowed for a in answer)
    data = built.search_json(query, filters=filters)
    assert all(c in allowed for c in data["answer"]["chunk_ids"])


def test_an_everyday_word_split_by_words_between_its_halves_still_expands():
    """各省一共出了多少条让各方认可认证证书的办法 (a dev question): 认可证书 (an everyday word for 采信) was
    not found across 认可|认证|证书, so the passage on 采信措施259项 was not in the top 10. A verb and its
    object with up to four characters between them count; halves inside other words or across punctuation do not."""
    from kb.glossary import contains_split, word_boundaries

    def split(text, word):
        return contains_split(text, word, word_boundaries(text))

    assert "采信" in expansions("各省一共出了多少条让各方认可认证证书的办法")
    assert "认证结果采信" in expansions("去投标能加分吗")
    assert split("看重咱的证书", "看重证书")
    assert not split("认可。我们的证书", "认可证书")  # punctuation between
    assert not split("认可了我们公司所有的证书", "认可证书")  # more than four characters between
    assert not split("认证证书", "认可证书") and not split("投标加分", "贷款加分")


@pytest.mark.slow
def test_words_typed_count_more_than_glossary_words_in_the_answer(real_kb, monkeypatch):
    """银行那边一共放了多少钱给小厂 (a dev question): the glossary adds 融资, 认证融资, 贷款, 金融, 信贷 for 银行, and
    with those counted like the words typed the 江苏…认证融资贷款超83亿元 sentence (one province) answered.
    Words the user typed count fully, glossary additions by answer_expansion_weight, so the national
    total (金融信贷支持320亿元) answers; at weight 1 it does not."""
    query = "银行那边一共放了多少钱给小厂"
    hits = real_kb.search(query, top_k=10)
    assert "320亿元" in real_kb.answer(query, hits)[0].text
    monkeypatch.setattr(real_kb.retriever, "config", _replace(real_kb.retriever.config, answer_expansion_weight=1.0))
    assert "320亿元" not in real_kb.answer(query, hits)[0].text


@pytest.mark.slow
def test_a_question_saying_nationwide_is_not_answered_with_one_provinces_figure(real_kb):
    """全国一共给小微企业放了多少跟认证挂钩的贷款 (session 29 tester): answered with 江苏…超83亿元, one province's
    figure, while the passage gives the national 320亿. A question that says 全国 (各地, 各省, 累计) itself
    passes over a sentence naming one place; a question naming the province still gets its figure."""
    def first(query):
        return real_kb.search_json(query, top_k=3)["answer"]["sentences"][0]["text"]

    assert "320" in first("全国一共给小微企业放了多少跟认证挂钩的贷款")
    assert "83亿元" in first("江苏放了多少认证贷款")


@pytest.mark.slow
def test_a_question_asking_whether_some_province_did_it_wants_a_place(real_kb):
    """认证公司服务好坏，有没有省份专门评比表彰的 (session 29 tester): the first passage holds 福建…优质机构评选
    和典型案例表彰, yet the answer was a next-steps sentence naming no place. 有没有省份 / 有没有地方 asks
    where, like 是哪里的; 有没有省钱 and 有没有市场 do not."""
    from kb.retrieval import _WHERE

    assert _WHERE.search("有没有地方专门给小厂开了服务站") and _WHERE.search("有没有哪个省份出了标准")
    assert not _WHERE.search("有没有省钱的办法") and not _WHERE.search("有没有市场") and not _WHERE.search("有没有省事的")
    query = "认证公司服务好坏，有没有省份专门评比表彰的"
    assert "福建" in real_kb.search_json(query, top_k=3)["answer"]["sentences"][0]["text"]


@pytest.mark.slow
def test_a_question_asking_what_is_wrong_with_a_way_lifts_the_problem_chapters(real_kb):
    """我们这边基本靠财政补贴在推，这样有啥问题 (session 29 tester): the passage saying 很多地方…主要依靠政府财政
    补贴推动 (“有效市场”作用发挥不足) came third, under the passages giving subsidy totals. 有啥问题 / 说了哪些
    毛病 asks what is wrong, like 还存在哪些不足; not when it also asks what to do (有啥问题，咋解决)."""
    from kb.retrieval import asks_for_open_problems

    assert asks_for_open_problems("这样有啥问题") and asks_for_open_problems("报告里说了哪些毛病")
    assert not asks_for_open_problems("有啥问题，咋解决") and not asks_for_open_problems("认证能解决哪些问题")
    top = real_kb.search("我们这边基本靠财政补贴在推，这样有啥问题", top_k=1)[0]
    assert "依靠政府财政补贴推动" in top.chunk.text
    # why something does not happen asks for the problem too (session 31 tester t21: answered with the 28个省局
    # 建立了…协同联动 achievement, the weakness 3rd)
    assert asks_for_open_problems("为什么说各部门的政策没拧成一股绳？") and asks_for_open_problems("为啥老板不愿搞")
    assert not asks_for_open_problems("为什么要搞这个行动")
    query = "为什么说各部门的政策没拧成一股绳？"
    hits = real_kb.search(query, top_k=10)
    assert "协调联动的工作合力仍有优化空间" in hits[0].chunk.text
    assert "28个省局" not in real_kb.answer(query, hits)[0].text


def test_a_card_shows_results_before_counts_of_scale():
    """The 德清 card (session 29 tester) listed 115家, 220家, 490个 and left out 助企降损增效1.3亿余元 and
    优良率提升12%: a card's few outcomes are the changes, money and rates first, then the counts."""
    from kb.present import headline_outcomes
    from kb.records import Outcome

    def o(metric, after=None, change=None, unit="家", before=None):
        return Outcome(metric=metric, before=before, after=after, change=change, unit=unit)

    counts = [o("导入体系的企业", 115), o("解决问题的企业", 220), o("解决质量问题", 490, unit="个")]
    results = [o("助企降损增效", 1.3, unit="亿元"), o("质量优良率", change=12.0, unit="%"), o("缺陷率", 7, before=15, unit="%")]
    assert [x.metric for x in headline_outcomes(counts + results, 3)] == ["助企降损增效", "质量优良率", "缺陷率"]
    assert [x.metric for x in headline_outcomes(counts, 2)] == ["导入体系的企业", "解决问题的企业"]  # source order kept


@pytest.mark.slow
def test_this_action_in_few_words_finds_where_the_report_introduces_it(real_kb):
    """这行动干啥的 (session 29 tester): with 是 left out it was not read as asking the programme's purpose,
    and 这行动 was not the glossary's everyday word for 提升行动, so no word was left to search by and the
    introduction was not in the top 10 (这个行动是干啥的 found it)."""
    from kb.glossary import expansions

    assert "提升行动" in expansions("这行动干啥的")
    assert real_kb.search("这行动干啥的", top_k=1)[0].chunk.section == ("引言",)


@pytest.mark.slow
def test_a_question_asking_the_order_of_steps_is_answered_where_the_sequence_opens(real_kb, monkeypatch):
    """报告总结的帮扶单个企业的套路是怎样的？先做什么后做什么？ (session 29 testers t13, t14): the answer was
    the summary sentence before the steps (要聚焦问题、分类施策…); the short 首先，普及认证知识… scored far below
    it on the vectors. A question asking the order of steps gives the sentence opening the sequence
    answer_steps_bonus more; at 0 it is not the answer."""
    from kb.retrieval import _STEPS_QUESTION

    assert _STEPS_QUESTION.search("先做什么后做什么") and _STEPS_QUESTION.search("按什么步骤来")
    assert not _STEPS_QUESTION.search("先做认证有什么好处")
    query = "报告总结的帮扶单个企业的套路是怎样的？先做什么后做什么？"
    hits = real_kb.search(query, top_k=10)
    assert real_kb.answer(query, hits)[0].text.startswith("首先")
    # the first step asked (a dev question), but not by an owner telling his own trouble: what others did about it
    first = "给小企业做帮扶，第一步应该先从哪入手"
    assert real_kb.answer(first, real_kb.search(first, top_k=10))[0].text.startswith("首先")
    trouble = "产品老出毛病，第一步该干啥"
    assert not real_kb.answer(trouble, real_kb.search(trouble, top_k=10))[0].text.startswith("首先")
    monkeypatch.setattr(real_kb.retriever, "config", _replace(real_kb.retriever.config, answer_steps_bonus=0.0))
    assert not real_kb.answer(query, hits)[0].text.startswith("首先")
    assert not real_kb.answer(first, real_kb.search(first, top_k=10))[0].text.startswith("首先")


@pytest.mark.slow
def test_an_example_question_is_answered_with_what_was_done(real_kb, monkeypatch):
    """有先例吗 / 别的地方是怎么…的 asks what others did (session 31 testers t18, t19): the lessons, plans and
    problem chapters go down in the ranking, and a sentence stating a problem (有10个中西部省份反馈存在…
    薄弱) is not the answer; 德清's 县级质量认证服务中心 is."""
    from kb.retrieval import asks_for_example

    for q in ("有没有类似的例子", "别的地方是咋弄的", "有地方这样做过吗", "别的地方市场监管局是怎么拉上工信、发改这些部门一起干的"):
        assert asks_for_example(q), q
    for q in ("下一步有没有例子可以学", "这个活动是干啥的", "有没有地方"):
        assert not asks_for_example(q), q
    query = "我是中部一个县市场监管局的，想在县里建个认证服务站，按企业大小分层次服务，有先例吗？"
    hits = real_kb.search(query, top_k=10)
    assert "德清县" in hits[0].chunk.text
    assert "德清县" in real_kb.answer(query, hits)[0].text
    asked = "别的地方市场监管局是怎么拉上工信、发改这些部门一起干的？"
    assert "联动" in real_kb.search(asked, top_k=1)[0].chunk.section_path  # 三是强化协同联动 (what was done)
    monkeypatch.setattr(real_kb.retriever, "config", _replace(real_kb.retriever.config, benefit_problem_penalty=0.0))
    assert "经验总结" in real_kb.search(asked, top_k=1)[0].chunk.section_path  # without: the lessons chapter


def test_a_rank_the_answer_does_not_give_is_said():
    """广东排第几 (session 30 testers t15, t17; session 31 t23): answered with other sentences about 广东 and no
    word that the report ranks ten provinces without it."""
    from kb.retrieval import AnswerSentence, unranked_places

    def sentences(*texts):
        return [AnswerSentence(text=t, chunk_id=f"c{i}", doc="文档", section="", page=1, score=0.5)
                for i, t in enumerate(texts)]

    ranking = "排名前10的省份依次为：浙江、江苏、河北、山东、山西、上海、湖北、福建、辽宁、河南；"
    other = "浙江、广东等21省编制工作指南数量183个。"
    assert unranked_places("广东排第几", sentences(other)) == ["广东"]
    assert KnowledgeBase.unanswered("广东省在全国评估里排第几名？", sentences(other)) == "文档中没有写到广东省的名次"
    assert unranked_places("江苏排第几", sentences(ranking)) == []
    assert unranked_places("四川排名怎么样", sentences("排名进步较大的省份为：四川、陕西、甘肃、江西、天津。")) == []
    assert unranked_places("广东有哪些做法", sentences(other)) == []  # no rank asked
    assert unranked_places("哪个省排第一", sentences(other)) == []  # no place named


@pytest.mark.slow
def test_a_count_question_is_not_answered_by_a_sentence_without_a_figure(real_kb):
    """培养了多少懂质量管理的人 (session 31 tester t22) was answered with …品牌建设、人才培养… (both words, no figure);
    a question counting in a counter is not answered by a sentence with no figure at all."""
    q = "培养了多少懂质量管理的人"
    answer = real_kb.answer(q, real_kb.search(q, top_k=10))
    assert answer and "5.2万人次" in answer[0].text, answer[0].text if answer else None


@pytest.mark.slow
def test_a_place_asked_its_rank_gets_the_ranking(real_kb):
    """江苏排第几: the ranking sentence answers it, though it lists ten provinces (not 江苏's loans)."""
    for q in ("江苏排第几", "福建在全国排名第几", "上海排第几"):
        answer = real_kb.answer(q, real_kb.search(q, top_k=10))
        assert answer and answer[0].text.startswith("排名前10的省份"), (q, answer[0].text if answer else None)


def test_a_place_the_answer_is_not_about_is_said():
    """广东给了多少财政补贴 (session 29 tester t14): answered with the national 3.7亿 and 河北's 728万 and no word
    that the report gives no figure for 广东. When every answer sentence is about another place or the whole
    country, the note says so; a sentence naming the place, or naming no place at all (a case's own
    sentence), gets none."""
    from kb.retrieval import AnswerSentence

    def said(query, *texts):
        answer = [AnswerSentence(text=t, chunk_id=f"c{i}", doc="文档", section="", page=1, score=0.5)
                  for i, t in enumerate(texts)]
        return KnowledgeBase.unanswered(query, answer)

    national, hebei = "2023年，全国各地累计落实3.7亿元财政补贴。", "河北出台金融信贷支持政策16项，财政补贴728万元。"
    assert said("广东给了多少财政补贴", national, hebei) == "文档中没有写到广东的这项数字，下面的句子说的是其他地方或全国的"
    assert said("河北给了多少财政补贴", national, hebei) is None
    assert said("南通家纺企业缺陷率降了多少", "产品缺陷率由15%降至7%。") is None  # names no place: unknown
    assert said("广东有哪些做法", national) is None  # no figure asked
