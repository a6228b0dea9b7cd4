"""Homophone typos of pinyin input (kb/homophones.py): 认正贷 is read as 认证贷, in search, the
off-topic check, the glossary and the answer; words that exist are never "corrected".

The collection here is 合成测试材料 (synthetic test material written for these tests): a made-up
dyeing workshop's notes. The index is built with the hash test embedder (fast)."""

from __future__ import annotations

import json

import pytest
from kbgen import build_kb

from kb import KnowledgeBase
from kb.bm25_index import BM25Index
from kb.cli import main
from kb.homophones import Corrector, glossary_corrector, index_corrector, read_romanised_places
from kb.tokenizer import Tokenizer

# 合成测试材料：虚构的扎染作坊材料，仅供测试。
SYNTHETIC = """合成测试材料：某扎染作坊质量提升记录

一、基本情况
某县一家扎染作坊有工人十二名，主要生产扎染围巾和扎染桌布，产品销往周边景区。

二、存在问题
扎染颜色深浅不一，客户投诉多，返工率达到百分之十五。

三、主要做法
作坊申请质量管理体系认证，按标准写出扎染工艺卡，每批布料先小样比色再下缸。
作坊凭认证证书向银行申请认证贷，贷款二十万元更换染缸。

四、取得成效
扎染返工率降至百分之三，客户投诉减少一半，扎染产品进入两家连锁门店。
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> KnowledgeBase:
    return build_kb(tmp_path_factory.mktemp("homophones"), {"合成扎染作坊.txt": SYNTHETIC})


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


# --- the corrector alone ---------------------------------------------------------------------

@pytest.mark.parametrize("typed, meant, fixed", [
    ("认正贷是个啥玩意", "认证贷是个啥玩意", ("认正贷", "认证贷")),
    ("认正", "认证", ("认正", "认证")),
    ("才信是什么意思", "采信是什么意思", ("才信", "采信")),
    ("连主企业带着小厂干", "链主企业带着小厂干", ("连主", "链主")),
    ("体细认正要多久", "体系认证要多久", ("体细认正", "体系认证")),
    ("搞个认正要多少钱", "搞个认证要多少钱", ("认正", "认证")),  # 正要 is a word: the typo ends inside it
    ("認正貸", "认证贷", ("认正贷", "认证贷")),  # Traditional characters first read as Simplified
])
def test_glossary_words_are_read_through_typos(typed, meant, fixed):
    text, fixes = glossary_corrector().correct(typed)
    assert text == meant
    assert [(f.typed, f.meant) for f in fixes] == [fixed]
    assert fixes[0].note() == f"已按“{fixed[1]}”理解“{fixed[0]}”。"


@pytest.mark.parametrize("query", [
    "人证物证都齐了",  # 人证 is a dictionary word (ren zheng, like 认证)
    "彩信收到了吗",  # 彩信 is a word (cai xin, like 采信)
    "手表准时吗",  # 表准 would split two words (biao zhun, like 标准)
    "认证贷是什么",  # already right
    "",
])
def test_known_words_stay(query):
    assert glossary_corrector().correct(query) == (query, ())


@pytest.mark.parametrize("query", [
    "种药材的县里卖得更远了吗",  # 种|药材 (not 中药材)
    "老板觉得搞质量就是白花钱",  # 搞|质量 (not 高质量)
    "把质量管起来以后能省钱吗",  # 质量|管 (not 质量观)
    "考评分几个环节",  # 分|几个 (not 分级)
    "整县提档的经验",  # 提's usual reading is ti (not 县市 through its rare shi)
    "是个啥",  # function characters (not 十个)
    "报告里讲做伞的那个地方带动了多少人",  # 讲|做|伞: 做 is the owner's verb (not 讲座, a tester's question)
    "口味不统一",  # 不|统一: a word holding a numeral is no function word to end a typo on (not 不同; tester t23)
])
def test_plain_wording_is_not_read_as_a_homophone(tokenizer, query):
    """Real words and single-character words next to words the corrector could reach by sound."""
    corrector = Corrector(tokenizer, ["中药材", "高质量", "质量观", "分级", "县市", "十个", "诗歌", "讲座", "不同"])
    assert corrector.correct(query) == (query, ())


@pytest.mark.parametrize("typed, meant", [
    # session 31 tester t20: Jiangsu, Qingdao, Fujian, Guangxi got 文档中没有提到“Jiangsu”
    ("Jiangsu 认证融资 loan 给多少家企业发了多少钱", "江苏 认证融资 loan 给多少家企业发了多少钱"),
    ("Qingdao 某公司 defect rate 降了多少", "青岛 某公司 defect rate 降了多少"),
    ("fujian的做法", "福建的做法"),  # a province or a city in lower case too
    ("Guangzhou Huangpu 智能装备", "广州 Huangpu 智能装备"),  # huangpu spells 黄浦 and 黄埔: left alone
    ("Shaanxi和Shanxi", "陕西和山西"),  # the official spellings that plain pinyin does not tell apart
    ("Inner Mongolia 有啥经验", "内蒙古 有啥经验"),
    ("Xinjiang", "新疆"),  # the province, not the county 新绛 of the same spelling
    ("Shangyu 伞业", "上虞 伞业"),  # a county when capitalised
    ("dean 说的 KPI", "dean 说的 KPI"),  # an English word spelling a county (德安): a county only when capitalised
    ("change 一下 KPI", "change 一下 KPI"),  # no place at all (昌邑 would need 邑's rare reading)
    ("QMS SME ISO9001 bottleneck revenue", "QMS SME ISO9001 bottleneck revenue"),
])
def test_places_typed_in_pinyin_are_read_in_chinese(typed, meant):
    text, fixes = read_romanised_places(typed)
    assert text == meant
    assert all(f.typed in typed and f.meant in meant for f in fixes)
    assert glossary_corrector().correct(typed)[0] == meant  # every reading of a question does this


def test_word_meant_shares_a_character(tokenizer):
    """Two characters that only sound like a word (任正 for 认证) are left alone."""
    corrector = Corrector(tokenizer, ["认证"])
    assert corrector.correct("任正")[1] == ()
    assert corrector.correct("认正")[0] == "认证"


def test_index_words_are_targets_and_known(tokenizer):
    freqs = {"扎染": 5, "工艺": 3, "扎然": 1}
    corrector = index_corrector(tokenizer, freqs)
    assert corrector.correct("扎然工艺怎么控制")[0] == "扎然工艺怎么控制"  # 扎然 is a word of this index
    corrector = index_corrector(tokenizer, {"扎染": 5, "工艺": 3})
    assert corrector.correct("扎然工艺怎么控制")[0] == "扎染工艺怎么控制"
    assert glossary_corrector().correct("扎然工艺怎么控制")[1] == ()  # not a glossary word
    # a word found in one passage only is no target
    assert index_corrector(tokenizer, {"扎染": 1}).correct("扎然")[1] == ()


def test_many_questions_each_read(tokenizer):
    """Past the cache's size every question is still read (what a question costs is in ``kb bench``'s
    search medians, not timed here)."""
    corrector = index_corrector(tokenizer, {f"{a}{b}": 3 for a in "质量管理体系认证标准" for b in "质量管理体系认证标准"})
    corrector.warm()
    questions = [f"第{i}个问题：咱们厂做认正有补贴吗，管里体系咋搞" for i in range(600)]
    for q in questions:
        assert "认证" in corrector.correct(q)[0]


def test_tokenizer_known_and_bm25_doc_freqs(tokenizer):
    assert tokenizer.known("认证") and tokenizer.known("认证贷")  # jieba, and the project's user dictionary
    assert not tokenizer.known("认正")
    corpus = [["认证", "质量"], ["认证"], ["质量", "标准", "认证"]]
    bm25 = BM25Index.build(corpus)
    assert bm25.doc_freqs() == {"认证": 3, "质量": 2, "标准": 1}
    assert all(len(bm25.containing(t)) == n for t, n in bm25.doc_freqs().items())
    assert BM25Index.build([]).doc_freqs() == {}


# --- in the knowledge base -------------------------------------------------------------------

def test_search_reads_the_typo_and_says_so(kb):
    right, typo = kb.search_json("认证贷是个啥玩意"), kb.search_json("认正贷是个啥玩意")
    assert typo["notes"] == ["已按“认证贷”理解“认正贷”。"]
    assert right["notes"] == []
    assert [r["chunk_id"] for r in typo["results"]] == [r["chunk_id"] for r in right["results"]]
    assert typo["results"] and "认证贷" in typo["results"][0]["text"]
    assert [d["term"] for d in typo["definitions"]] == [d["term"] for d in right["definitions"]] == ["认证贷"]
    assert typo["answer"] == right["answer"]


def test_place_typed_in_pinyin_is_named_in_chinese(kb):
    """Jiangsu is read as 江苏: the note says so, and what the documents lack is 江苏, not a Latin name."""
    out = kb.search_json("Jiangsu的扎染返工率", mode="bm25")
    assert out["notes"][0] == "已按“江苏”理解“Jiangsu”。"
    assert out["not_in_documents"] == ["江苏"] == kb.absent_names("Jiangsu的扎染返工率")


def test_typo_alone_is_not_off_topic(kb):
    assert not kb.off_topic("认正")
    assert kb.search("认正", top_k=3)
    assert kb.read_query("做认正有补贴吗") == "做认证有补贴吗"
    assert kb.expand_query("认正贷") == kb.expand_query("认证贷")
    assert kb.off_topic("今天天气怎么样")  # a real off-topic question stays refused


def test_index_word_typo(kb):
    """扎染 is no glossary word: the index's frequent words are targets too."""
    out = kb.search_json("扎然返工率高怎么办", mode="bm25")
    assert out["notes"] == ["已按“扎染”理解“扎然”。"]
    assert "扎染" in out["results"][0]["text"]
    assert kb.search_json("扎染返工率高怎么办", mode="bm25")["notes"] == []


def test_bm25_terms_and_highlight_use_the_word_meant(kb):
    cand = kb.candidates("认正贷", mode="bm25")
    assert "认证贷" in cand.terms and "认正贷" not in cand.terms
    hit = kb.search("认正贷", mode="bm25", top_k=1)[0]
    assert "认证贷" in hit.matched_terms


def test_case_list_notes(kb):
    hits = kb.cases(problem="扎然颜色深浅不一")
    assert hits
    assert kb.industry_notes(None, hits, problem="扎然颜色深浅不一")[0] == "已按“扎染”理解“扎然”。"
    assert kb.industry_notes(None, hits, problem="扎染颜色深浅不一") == []


# --- the command line ------------------------------------------------------------------------

@pytest.fixture()
def env(kb, monkeypatch):
    monkeypatch.setenv("KB_HOME", str(kb.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    monkeypatch.setenv("KB_BACKEND", "local")
    return kb


def test_cli_glossary_reads_the_typo(capsys):
    assert main(["glossary", "认正贷"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("提示：已按“认证贷”理解“认正贷”。\n认证贷：")
    assert main(["glossary", "彩信"]) == 0  # a word of its own: not read as 采信
    assert "术语表里没有“彩信”" in capsys.readouterr().out
    assert main(["glossary", "认正贷", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out.splitlines()[0])["term"] == "认证贷"
    assert "已按“认证贷”理解“认正贷”" in captured.err


def test_cli_search_prints_the_note(env, capsys):
    assert main(["search", "认正贷是个啥玩意", "--mode", "bm25", "--top-k", "1"]) == 0
    assert capsys.readouterr().out.startswith("提示：已按“认证贷”理解“认正贷”。\n")
    assert main(["search", "认正贷", "--json", "--mode", "bm25", "--top-k", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["notes"] == ["已按“认证贷”理解“认正贷”。"]


def test_snapshot_builds_the_corrector_once(kb):
    snap = kb.snapshot()
    assert snap.homophones(kb.tokenizer) is snap.homophones(kb.tokenizer)
    freqs = snap.bm25.doc_freqs()
    assert freqs["扎染"] >= 2
    assert all(len(snap.bm25.containing(t)) == n for t, n in freqs.items())
