"""Collections of local experiences whose items are titled by a place and a colon, without
numbering ("浙江省湖州市德清县：…" on a line of its own), and the joining of problem items.

Every fixture here is SYNTHETIC, written for these tests (places are real, facts are invented).
"""

from __future__ import annotations

from kb.cases import extract_cases
from kb.cleaning import Paragraph
from kb.pipeline import parse_document
from kb.structure import place_title, structure_sentences

_COLLECTION = """\
区域质量提升经验选编
（本文件为测试用虚构案例）

浙江省湖州市德清县：以标准化带动竹制品产业升级

德清县竹制品作坊分散，产品尺寸偏差大，出口订单屡遭退货。

德清县市场监管局联合行业协会制定团体标准，组织认证机构为企业开展体系诊断。

竹制品出口退货率由6%降至1.5%，新增获证企业三十五家。

安徽省宣城市宁国市：橡胶件企业抱团认证

宁国市橡胶件企业规模小，质量控制依赖经验，批次稳定性不足。

宁国市组织企业组成认证联合体，统一原料验收和硫化控制规程。

产品抽检合格率由91%提升到99%，联合体企业销售额增长了两成。

河北省保定市白沟新城：箱包企业质量帮扶

白沟新城箱包企业数量多，五金配件来料检验缺失，客户投诉较多。

白沟新城建立箱包公共检测中心，推行进货检验和首件确认。

客户投诉下降40%。
"""


def _parse(tmp_path, text: str, name: str = "经验.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_document(path)


def test_each_place_titled_item_is_one_case(tmp_path):
    doc = _parse(tmp_path, _COLLECTION)
    cases = doc.cases
    assert [c.title for c in cases] == [
        "浙江省湖州市德清县：以标准化带动竹制品产业升级",
        "安徽省宣城市宁国市：橡胶件企业抱团认证",
        "河北省保定市白沟新城：箱包企业质量帮扶",
    ]
    assert all(c.kind == "local_experience" for c in cases)
    assert [(c.region.province, c.region.county) for c in cases[:2]] == [("浙江省", "德清县"), ("安徽省", "宁国市")]
    assert not any("：：" in c.title for c in cases)


def test_first_paragraph_is_the_problem_and_the_rest_measures_and_results(tmp_path):
    deqing, pidu, baigou = _parse(tmp_path, _COLLECTION).cases
    assert "产品尺寸偏差大" in deqing.problem and "出口订单屡遭退货" in deqing.problem
    assert "团体标准" in deqing.measures and "尺寸偏差" not in deqing.measures
    assert "批次稳定性不足" in pidu.problem and "认证联合体" in pidu.measures
    assert "来料检验缺失" in baigou.problem and "公共检测中心" in baigou.measures
    figures = {(o.before, o.after, o.change, o.unit) for o in deqing.outcomes}
    assert (6.0, 1.5, -4.5, "%") in figures
    assert any(o.after == 35 and o.unit == "家" for o in deqing.outcomes)  # 三十五家, Chinese numerals
    assert any(o.change == 20 and o.unit == "%" for o in pidu.outcomes)  # 增长了两成
    assert any(o.change == -40 for o in baigou.outcomes)


def test_place_title_rules():
    assert place_title("江苏省昆山市：以认证贷破解小微企业融资难")
    assert not place_title("江苏：推动小微企业质量提升。")  # a sentence of prose
    assert not place_title("江苏省昆山市以认证贷破解小微企业融资难")  # no colon
    assert not place_title("小微企业：以认证贷破解融资难")  # no place first
    assert not place_title("江苏省昆山市：" + "以认证贷破解小微企业融资难" * 3)  # too long for a title
    assert not place_title("（一）江苏省昆山市：以认证贷破解融资难")  # numbered: an ordinary heading


def _paras(*texts: str) -> list[Paragraph]:
    return [Paragraph(t, ((0, None),)) for t in texts]


def test_a_single_place_line_stays_body_text():
    """One place-and-colon line is no collection: it stays a paragraph of the body."""
    _title, sents = structure_sentences(_paras(
        "工作总结", "（本文件为测试用虚构材料）", "江苏省昆山市：认证贷试点", "昆山市推出认证贷产品，为企业授信。"))
    assert all(s.section == () for s in sents)
    _title, sents = structure_sentences(_paras(
        "工作总结", "（本文件为测试用虚构材料）", "江苏省昆山市：认证贷试点", "昆山市推出认证贷产品，为企业授信。",
        "浙江省德清县：标准化试点", "德清县制定团体标准。"))
    assert sents[-1].section == ("浙江省德清县：标准化试点",)


def test_report_prose_with_place_colon_sentences_is_not_split_into_titles():
    _title, sents = structure_sentences(_paras(
        "2024年质量工作总结", "（本文件为测试用虚构材料）", "江苏：推动小微企业质量管理体系认证，全年帮扶企业300家。",
        "浙江：组织认证机构开展诊断服务，企业满意度明显提升。", "山东：建立帮扶专家库"))
    assert all(s.section == () for s in sents)


def test_report_case_title_has_one_colon():
    _title, sents = structure_sentences(_paras("江苏省昆山市：联合本地银行推出认证贷产品，为小微企业授信。"))
    (case,) = extract_cases("d", sents, [], collection=False)
    assert "：：" not in case.title and case.title.startswith("江苏省昆山市：联合本地银行")


def test_problem_items_ending_a_sentence_are_not_followed_by_a_semicolon(tmp_path):
    text = ("企业案例\n（本文件为测试用虚构案例）\n\n"
            "# 案例1 浙江省宁波市某模具企业\n\n存在问题：\n\n- 模具寿命短，客户多次投诉。\n- 热处理记录缺失\n\n"
            "主要做法：建立热处理工艺卡。\n\n取得成效：客户投诉下降50%。\n\n"
            "# 案例2 浙江省台州市某阀门企业\n\n存在问题：\n\n- 密封试验漏检。\n- 交期延误\n\n"
            "主要做法：配备试压设备。\n\n取得成效：漏检率由3%降至0.5%。\n")
    cases = _parse(tmp_path, text, "案例.md").cases
    assert len(cases) == 2
    assert cases[0].problem.startswith("模具寿命短，客户多次投诉。热处理记录缺失")
    assert "。；" not in cases[0].problem
    assert "。；" not in cases[1].problem and "；；" not in cases[1].problem


def test_sections_that_name_no_case_and_hold_only_a_note_are_no_cases(tmp_path):
    text = ("企业案例选编\n（本文件为测试用虚构案例）\n\n"
            "一、本辑收录情况\n本辑共收录两个案例，按地区排列。\n\n"
            "二、浙江省宁波市某模具企业\n存在问题：模具寿命短，客户投诉多。\n主要做法：建立热处理工艺卡。\n取得成效：客户投诉下降50%。\n\n"
            "三、浙江省台州市某阀门企业\n存在问题：密封试验漏检。\n主要做法：配备试压设备。\n取得成效：漏检率由3%降至0.5%。\n\n"
            "四、联系方式\n联系人：张三，电话：010-12345678\n")
    assert [c.title for c in _parse(tmp_path, text, "选编.txt").cases] == ["浙江省宁波市某模具企业", "浙江省台州市某阀门企业"]
    md = ("# 编者的话\n\n（本文件为测试用虚构案例）\n\n"
          "# 案例1 浙江省宁波市某模具企业\n\n存在问题：模具寿命短。\n\n主要做法：建立热处理工艺卡。\n\n"
          "# 案例2 浙江省台州市某阀门企业\n\n存在问题：密封试验漏检。\n\n主要做法：配备试压设备。\n")
    assert [c.title for c in _parse(tmp_path, md, "选编.md").cases] == ["浙江省宁波市某模具企业", "浙江省台州市某阀门企业"]


def test_a_section_without_a_case_title_but_with_case_content_stays_a_case(tmp_path):
    text = ("典型经验汇编\n（本文件为测试用虚构案例）\n\n"
            "一、链主带链\n存在问题：配套企业质量薄弱。\n主要做法：组织龙头企业帮扶配套企业。\n\n"
            "二、浙江省台州市某阀门企业\n存在问题：密封试验漏检。\n主要做法：配备试压设备。\n")
    assert [c.title for c in _parse(tmp_path, text, "汇编.txt").cases] == ["链主带链", "浙江省台州市某阀门企业"]
