"""A case written in parts over several passages: the part the question asks for comes first —
what was done and what changed for an owner describing his problem, the problem for 原来卡在哪
(Retriever.wanted_parts_first, answer_problem_penalty, answer_part_bonus).

The case collection below is SYNTHETIC test material (合成测试材料，非真实案例); the hash
embedder keeps the test fast and the ranking mostly lexical.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from kb import KBConfig, KnowledgeBase
from kb.retrieval import named_parts, wanted_parts
from kb.structure import case_parts, section_part

COLLECTION = """企业优良案例汇编（合成测试材料，非真实案例）

案例一：江苏南通某家纺企业降低缝制缺陷
一、企业基本情况
该企业位于江苏省南通市，主要生产床上用品，员工86人，年产值3200万元。
二、存在的主要问题
产品缝制缺陷率高，跳针、断线频繁，客户退货多，返工成本高。
三、主要做法
企业对照质量管理体系标准梳理缝制工序，推行首件检验和巡检制度，为每台缝纫机建立保养记录，对新员工开展岗前操作培训。
四、取得成效
产品缝制缺陷率由6.5%降至1.8%，客户退货批次由每月9批降至2批。

案例二：浙江温州某阀门企业解决内漏问题
一、企业基本情况
该企业位于浙江省温州市，生产工业阀门，员工120人。
二、存在的主要问题
阀门关闭后仍有内漏，出口客户多次索赔。
三、主要做法
企业改进密封面研磨工艺，引入出厂前逐台气密性试验，建立不合格品追溯台账。
四、取得成效
出厂内漏不合格率由4.2%降至0.5%，年索赔金额由80万元降至12万元。
"""
OWNER = "家纺厂跳针断线多，客户老退货，别人怎么解决的"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("case_parts")
    (home / "corpus").mkdir()
    (home / "corpus" / "案例汇编（合成）.txt").write_text(COLLECTION, encoding="utf-8")
    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64"))
    assert not kb.ingest().failed
    assert len(kb.all_cases()) == 2 and all(len(c.chunk_ids) == 4 for c in kb.all_cases())
    return home


def _kb(home, **settings) -> KnowledgeBase:
    return KnowledgeBase(replace(KBConfig(home=home, model="hash-bigram-64"), **settings))


def _ingested(home, name: str, text: str) -> KnowledgeBase:
    """A knowledge base (hash test embedder) over one synthetic file ``corpus/name``, ingested."""
    (home / "corpus").mkdir(exist_ok=True)
    (home / "corpus" / name).write_text(text, encoding="utf-8")
    kb = _kb(home)
    assert not kb.ingest().failed
    return kb


def _parts(hits) -> list[str | None]:
    return [section_part(h.chunk.section) for h in hits]


def test_parts_of_sentences_and_passages():
    assert section_part(("案例一：某厂", "三、主要做法", "（二）推行首件三检")) == "measures"
    assert section_part(("案例一：某厂", "二、存在的主要问题")) == "problem"
    assert section_part(("二、经验总结", "（一）企业帮扶要坚持问题导向")) is None  # a report's heading
    assert case_parts(("案例三：某厂",), ["该厂生产月饼。", "存在问题：返工多。", "原料混放。", "【做法】分区管理。",
                                        "取得成效：返工率由8%降至2%。"]) == [
        None, "problem", "problem", "measures", "outcomes"]
    assert case_parts(("案例一", "四、取得成效"), ["缺陷率由6.5%降至1.8%。"]) == ["outcomes"]
    assert case_parts((), ["存在的主要问题", "跳针多。"]) == ["problem", "problem"]  # a label on its own line


def test_an_owners_problem_finds_what_was_done_first(home):
    kb = _kb(home)
    hits = kb.search(OWNER)
    case_one = [h for h in hits if h.chunk.section[0].startswith("案例一")]
    parts = _parts(case_one)
    assert parts[0] == "measures", parts  # 怎么解决的: what was done, not the problem restated
    assert parts.index("problem") > parts.index("measures")
    answer = kb.answer(OWNER, hits)
    assert answer and "跳针" not in answer[0].text  # not the problem restated
    # the same question with both settings off: the problem passage and sentence come first
    off = _kb(home, case_problem_share=1.0, answer_problem_penalty=0.0, answer_part_bonus=0.0)
    hits_off = off.search(OWNER)
    assert _parts(hits_off)[0] == "problem"
    assert "跳针" in off.answer(OWNER, hits_off)[0].text


def test_an_owner_naming_no_part_gets_what_was_done_and_what_changed(home):
    kb = _kb(home)
    q = "家纺厂跳针断线多，客户老退货"
    parts = _parts([h for h in kb.search(q) if h.chunk.section[0].startswith("案例一")])
    assert set(parts[:2]) == {"measures", "outcomes"}, parts
    assert parts.index("problem") > max(parts.index("measures"), parts.index("outcomes"))


@pytest.mark.parametrize("q, part, quoted", [
    ("那家家纺企业存在哪些问题", "problem", "跳针"),  # the problem, when asked for, still comes first
    ("家纺厂缝制缺陷率降了多少", "outcomes", "6.5%"),
    ("那家家纺企业跳针断线，具体采取了哪些措施", "measures", "首件检验"),
])
def test_the_part_asked_for_comes_first_and_is_quoted(home, q, part, quoted):
    kb = _kb(home)
    hits = kb.search(q)
    assert _parts(hits)[0] == part and hits[0].chunk.section[0].startswith("案例一")
    assert quoted in kb.answer(q, hits)[0].text


def test_the_part_a_question_asks_for():
    assert wanted_parts(OWNER) == {"measures"}  # 怎么解决的
    assert wanted_parts("家纺厂跳针断线多，客户老退货") == {"measures", "outcomes"}  # names none
    assert named_parts("家纺厂跳针断线多，客户老退货") == frozenset()
    assert wanted_parts("那家织布厂审核前是什么状况") == {"problem"}
    assert wanted_parts("潮州那家做不锈钢碗筷的，原来卡在哪") == {"problem"}
    assert wanted_parts("我们织真丝布的，布面小毛病多，有啥好做法") == {"measures"}  # his own 毛病, not a question
    assert wanted_parts("那家公司有多少员工") == {"profile"}
    assert wanted_parts("温州那家阀门厂返修率后来降到多少") == {"outcomes"}
    assert wanted_parts("返修多的问题是怎么解决的，效果咋样") == {"measures", "outcomes"}


def test_one_cases_parts_are_no_outline(home):
    kb = _kb(home)
    q = "那家家纺企业存在哪些问题"  # asks for a list, but the parts of one case are not one
    assert kb.outline(q, kb.search(q)) is None


REPORT = """某市2023年小微企业质量提升工作总结（合成测试材料）

一、基本情况
全市共有小微企业1.2万家，今年新增获得质量管理体系认证的企业326家，全市认证机构18家。

二、主要做法
市场监管局组织认证机构开展免费培训40场，覆盖企业900家。

三、存在问题
部分企业获证后体系运行不到位，认证机构服务能力参差不齐。

四、下一步打算
继续扩大帮扶覆盖面，推动认证结果在政府采购中采信。
"""


def test_a_reports_own_chapters_are_no_case_parts(tmp_path):
    """A work report headed 基本情况 / 主要做法 / 存在问题 is no case write-up: its sentences are
    neither lowered nor raised by the case-part settings (a reviewer's finding)."""
    kb = _ingested(tmp_path, "工作总结（合成）.txt", REPORT)
    assert not any(kb.cases_of_chunk(c.chunk_id) for c in kb.chunks())
    off = _kb(tmp_path, answer_problem_penalty=0.0, answer_part_bonus=0.0)
    for q in ("今年有多少家企业获得认证", "认证机构存在什么问题", "免费培训开展了多少场"):
        hits = kb.search(q)
        assert hits, q
        assert [(a.text, a.score) for a in kb.answer(q, hits)] == [(a.text, a.score) for a in off.answer(q, hits)], q


# A case told in prose, one paragraph, no part headings or labels (SYNTHETIC, 合成测试材料，非真实案例).
PROSE = """小微企业质量提升案例选编（合成测试材料，非真实案例）

（一）福建德化县某陶瓷企业
该厂位于福建省德化县，主要生产日用陶瓷碗盘，员工58人。过去窑温全凭老师傅经验控制，釉面针孔频繁出现，出口订单多次被退货。认证机构派出审核员驻厂，帮助企业建立烧成曲线记录制度，对每窑产品开展抽检。实施以来，釉面针孔不良率由7.5%降至1.2%，全年未再发生出口退货。

（二）浙江永康市某五金工具企业
该企业位于浙江省永康市，主要生产电动工具，员工90人。以往装配工序缺少检验，电机异响投诉较多。企业引入装配首件检验和出厂噪声测试，建立不合格品台账。此后，电机异响投诉由每月12起降至2起。
"""


def test_prose_parts_of_sentences():
    from kb.structure import prose_part

    assert prose_part("该厂位于福建省德化县，主要生产日用陶瓷碗盘，员工58人。") == "profile"
    assert prose_part("过去窑温全凭老师傅经验控制，釉面针孔频繁出现，出口订单多次被退货。") == "problem"
    assert prose_part("认证机构派出审核员驻厂，帮助企业建立烧成曲线记录制度。") == "measures"
    assert prose_part("实施以来，釉面针孔不良率由7.5%降至1.2%，全年未再发生出口退货。") == "outcomes"
    assert prose_part("2023年是提升行动的第二年。") is None


def test_an_owner_asking_what_to_do_is_not_answered_with_a_prose_cases_trouble(tmp_path):
    """A tester's owners (镀膜老脱落，有人解决过吗) got the problem or the enterprise's profile back as the
    direct answer from cases told in prose; the case's measures or results answer them."""
    kb = _ingested(tmp_path, "案例选编（合成）.txt", PROSE)
    q = "做陶瓷碗盘的，釉面老有针孔，出口被退货，怎么办"
    hits = kb.search(q)
    assert hits
    first = kb.answer(q, hits)[0].text
    assert "过去窑温" not in first and "该厂位于" not in first, first
    # not asking what to do: the sentence about the trouble may answer (what the problem was)
    assert "针孔" in kb.answer("那家陶瓷企业过去釉面针孔是什么情况", kb.search("那家陶瓷企业过去釉面针孔是什么情况"))[0].text


def test_sentences_of_a_prose_case_take_the_part_their_record_gave_them(tmp_path):
    """kb.cases.record_part: where a sentence's clauses went in its case record — the trouble
    told without any cue word (含水率控制不严，容易开裂变形) is the problem, so an owner asking what
    to do is not answered with it (synthetic write-up)."""
    from kb.cases import record_part
    from kb.pipeline import parse_document

    text = ("合成案例选编（本文件为测试用合成材料）\n\n（一）合成省甲县某竹木家具厂\n\n"
            "该厂位于合成省甲县，现有员工52人，主要生产竹制桌椅。过去企业竹材含水率控制不严，产品运到北方后容易开裂变形，"
            "售后退货率一度达到5.2%。\n\n参加提升行动后，认证机构专家帮助企业在原料进厂环节增加含水率检测，对干燥窑温湿度实行每班记录。\n\n"
            "经过一年的运行，该厂开裂变形退货率由5.2%降到0.8%。\n\n（二）合成省乙县某茶业合作社\n\n"
            "该合作社位于合成省乙县，主要加工红茶。合作社茶叶两次被检出农残超标而整批退货。\n\n"
            "帮扶组帮助合作社建立统一用药台账，鲜叶进厂前开展农残快速检测。\n\n实施以来，农残抽检合格率保持100%。\n")
    path = tmp_path / "corpus" / "合成竹木案例.txt"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    case = parse_document(path).cases[0]
    assert record_part([case], "过去企业竹材含水率控制不严，产品运到北方后容易开裂变形，售后退货率一度达到5.2%。") == "problem"
    assert record_part([case], "参加提升行动后，认证机构专家帮助企业在原料进厂环节增加含水率检测，对干燥窑温湿度实行每班记录。") == "measures"
    assert record_part([case], "经过一年的运行，该厂开裂变形退货率由5.2%降到0.8%。") == "outcomes"
    assert record_part([case], "2023年是提升行动的第二年。") is None
    kb = KnowledgeBase(KBConfig(home=tmp_path, model="hash-bigram-64"))
    assert not kb.ingest().failed
    q = "做竹家具的，货发到北方老是开裂变形，退货太多怎么办"
    first = kb.answer(q, kb.search(q))[0].text
    assert "控制不严" not in first and "该厂位于" not in first, first


def test_a_sentence_that_only_points_to_a_table_is_no_answer(tmp_path):
    """"取得成效：帮扶前后主要指标对比如下表。" was a tester's direct answer although the table's row
    with the figures was in the same passage (synthetic)."""
    from kb.cases import points_to_table

    for pointer in ("取得成效：帮扶前后主要指标对比如下表。", "主要指标变化见下表。", "具体数据见附表1。", "情况如下："):
        assert points_to_table(pointer), pointer
    assert not points_to_table("售后故障率由2.4%降至0.7%。")
    kb = _ingested(tmp_path, "合成电表案例.txt",
                   "合成案例选编（本文件为测试用合成材料）\n\n案例1：合成市某智能电表有限公司\n\n存在问题：售后故障率高。\n\n"
                   "帮扶措施：建立故障数据分析例会。\n\n取得成效：帮扶前后售后故障率对比如下表。\n\n"
                   "指标 | 帮扶前 | 帮扶后；\n\n售后故障率 | 2.4% | 0.7%。\n")
    q = "智能电表售后故障率帮扶前后对比"
    answer = kb.answer(q, kb.search(q))
    assert answer and not points_to_table(answer[0].text), answer[0].text


def test_a_question_about_a_change_is_answered_with_the_result_not_the_trouble(tmp_path):
    """"浏阳烟花企业出口检验批次合格率由多少提升到多少" was answered with the write-up's first
    paragraph ("2022年出口检验批次合格率为88%") — a tester's find (synthetic text of our own)."""
    from kb.retrieval import asks_for_change

    assert asks_for_change("出口检验批次合格率由多少提升到多少") and asks_for_change("帮扶前后分别是多少")
    assert not asks_for_change("出口检验批次合格率是多少")
    kb = _ingested(
        tmp_path, "合成地方经验.md",
        "# 合成地方经验选编\n\n本文件为测试用合成材料，所述做法与数据均为虚构。\n\n"
        "## （一）湖南浏阳市：认证与安全评审合并开展\n\n浏阳市烟花小微企业装药工序主要凭经验，产品燃放性能不稳定，"
        "2022年出口检验批次合格率为88%，部分订单被境外客户退回。\n\n市市场监管局联合应急管理部门，把认证与安全生产标准化评审合并开展。\n\n"
        "2023年参与企业出口检验批次合格率由88%提升至98.5%，企业迎检次数减少一半。\n\n"
        "## （二）江西赣州南康区：认证贷解资金难题\n\n南康区家具小微企业融资难问题突出。\n\n区市场监管局与本地银行合作推出认证贷。\n\n"
        "截至2023年底，家具产品抽检合格率由86%提升至95%。\n")
    q = "浏阳烟花企业出口检验批次合格率由多少提升到多少"
    assert "由88%提升至98.5%" in kb.answer(q, kb.search(q))[0].text


def test_an_owner_who_only_tells_his_trouble_gets_what_others_did():
    """"我们米厂碎米多，客户还老说吃出小石子" asks nothing in words but wants the fix (a tester's owner);
    without a trade (懂品控的员工老跳槽) or with a question, or 老 of 老板/养老, it is no such request."""
    from kb.retrieval import tells_trouble

    assert tells_trouble("我们米厂碎米多，客户还老说吃出小石子")
    assert tells_trouble("做豆腐的，豆腐总是发酸")
    for q in ("懂品控的员工老跳槽", "我们米厂碎米多，是什么原因", "老板嫌弄这套东西费钱费人手", "养老服务质量 跨省一起搞的例子"):
        assert not tells_trouble(q), q
