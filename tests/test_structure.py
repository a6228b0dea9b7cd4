"""kb.structure: heading levels of Chinese official documents, title block, enumerations."""

from __future__ import annotations

import pytest

from kb.cleaning import Paragraph, clean_document
from kb.loaders import load_document
from kb.records import Sentence
from kb.structure import extract_title, heading_level, structure_sentences

SECTION_ONE = "一、工作举措与成效"
PRECISE_HELP = "（二）优化精准帮扶，强企强链效能更加显著"


def paragraphs(*texts: str, page: int | None = None) -> list[Paragraph]:
    """Paragraphs of a small synthetic text, all on one page."""
    return [Paragraph(t, ((0, page),)) for t in texts]


def sentence_with(sentences: list[Sentence], needle: str) -> Sentence:
    hits = [s for s in sentences if needle in s.text]
    assert len(hits) == 1, f"{needle!r} found in {len(hits)} sentences"
    return hits[0]


# --- the shipped report -------------------------------------------------------------------

def test_title_block_is_detected(report_structure):
    title, sentences = report_structure
    assert title == "2023年度“小微企业质量管理体系认证提升行动”工作总结"
    # The title block is neither body text nor a section.
    assert sentences[0].text.startswith("习近平总书记高度重视中小企业发展")
    assert not any("工作总结" in s.text or "工作总结" in "".join(s.section) for s in sentences)


@pytest.mark.parametrize(
    "needle, section",
    [
        ("江苏南通市为家纺", (SECTION_ONE, PRECISE_HELP, "二是赋能产业链供应链韧性和安全水平有效提升")),
        ("青岛某公司", (SECTION_ONE, PRECISE_HELP, "一是聚焦小微企业质量竞争力塑造持续发力")),
        ("总局深入贯彻落实《质量强国建设纲要》", (SECTION_ONE, "（一）强化统筹推进，质量提升氛围更加浓厚", "一是加强政策引导")),
        ("浙江绍兴上虞区依托区域试点", (SECTION_ONE, "（三）完善要素协同，服务区域发展更加有力", "一是助推区域经济高质量发展")),
        ("针对不同产业类别", ("二、经验总结", "（一）企业帮扶要坚持问题导向")),
        ("经过持续努力", ("二、经验总结",)),
        ("中西部等地区存在政策支持不足", (
            "三、需要完善的主要方向", "（一）长效深入的工作机制有待优化", "二是“有为政府”作用发挥不均衡、不充分")),
        ("总局将会同各地区", ("四、下一步工作考虑",)),
        ("落实认证认可检验检测工作会议部署", ("四、下一步工作考虑", "一是深化区域试点与产业试点")),
        ("助力民营经济行稳致远", ("四、下一步工作考虑", "三是优化完善政策协同机制")),
        ("习近平总书记高度重视中小企业发展", ()),  # before the first heading
    ],
)
def test_section_paths_of_the_shipped_report(report_sentences, needle, section):
    assert sentence_with(report_sentences, needle).section == section


def test_sentences_keep_their_pages(report_sentences):
    assert sentence_with(report_sentences, "江苏南通市为家纺").page == 5
    assert sentence_with(report_sentences, "青岛某公司").page == 4
    assert sentence_with(report_sentences, "立足质量认证传递信任的本质属性").page == 12
    pages = [s.page for s in report_sentences]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == 15


def test_heading_sentence_is_a_title_not_body(report_sentences):
    assert not any(s.text.startswith(("（一）", "（二）", "一、", "二、")) for s in report_sentences)
    # ... but an inline enumeration lead stays in the body: it is the start of the content.
    assert sentence_with(report_sentences, "二是赋能产业链供应链韧性").text == "二是赋能产业链供应链韧性和安全水平有效提升。"


def test_every_top_level_section_is_found(report_sentences):
    tops = list(dict.fromkeys(s.section[0] for s in report_sentences if s.section))
    assert tops == [SECTION_ONE, "二、经验总结", "三、需要完善的主要方向", "四、下一步工作考虑"]


# --- heading levels -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, level",
    [
        ("一、总体情况", 1),
        ("十二、附则", 1),
        ("案例1 某合成企业", 1),
        ("（一）强化统筹推进", 2),
        ("(二)完善政策", 2),
        ("1. 培训工作", 3),
        ("2、帮扶工作", 3),
        ("3．诊断工作", 3),
        ("（1）线上培训", 4),
        ("(2)线下培训", 4),
        ("3.7亿元财政补贴已落实。", None),
        ("2023年，全国各地累计出台激励政策。", None),
        ("一是加强政策引导。", None),
        ("唯一是成本问题。", None),
    ],
)
def test_heading_level(text, level):
    assert heading_level(text) == level


# --- synthetic texts ----------------------------------------------------------------------

NESTED = paragraphs(  # synthetic
    "一、总体情况",
    "（一）质量提升工作",
    "1. 培训工作",
    "（1）线上培训。全年开展线上培训12场。",
    "（2）线下培训。全年开展线下培训8场。",
    "2. 帮扶工作",
    "企业帮扶成效明显。一是加强诊断。专家进企诊断30次。二是完善体系。帮助企业完善文件50份。",
    "（二）存在问题",
    "部分企业面临的唯一是成本压力。唯一是要坚持质量第一。",
    "（三）其他情况",
    "三是没有前两点的第三点。",
)


def sections_by_text(paras: list[Paragraph]) -> dict[str, tuple[str, ...]]:
    _, sentences = structure_sentences(paras)
    return {s.text: s.section for s in sentences}


def test_numbered_levels_nest():
    got = sections_by_text(NESTED)
    base = ("一、总体情况", "（一）质量提升工作")
    assert got["全年开展线上培训12场。"] == (*base, "1. 培训工作", "（1）线上培训")
    assert got["全年开展线下培训8场。"] == (*base, "1. 培训工作", "（2）线下培训")
    # "2." closes "1." and its "（2）".
    assert got["企业帮扶成效明显。"] == (*base, "2. 帮扶工作")


def test_inline_enumeration_opens_a_level():
    got = sections_by_text(NESTED)
    base = ("一、总体情况", "（一）质量提升工作", "2. 帮扶工作")
    assert got["一是加强诊断。"] == (*base, "一是加强诊断")
    assert got["专家进企诊断30次。"] == (*base, "一是加强诊断")
    assert got["二是完善体系。"] == (*base, "二是完善体系")
    assert got["帮助企业完善文件50份。"] == (*base, "二是完善体系")


def test_yi_shi_inside_a_word_is_not_an_enumeration():
    got = sections_by_text(NESTED)
    assert got["部分企业面临的唯一是成本压力。"] == ("一、总体情况", "（二）存在问题")
    assert got["唯一是要坚持质量第一。"] == ("一、总体情况", "（二）存在问题")


def test_enumeration_must_start_at_one():
    assert sections_by_text(NESTED)["三是没有前两点的第三点。"] == ("一、总体情况", "（三）其他情况")


def test_one_sentence_list_item_is_kept_as_content():
    got = sections_by_text(paragraphs("三、下一步工作", "（1）建立跟踪回访机制，每季度回访一次。"))
    assert got == {
        "（1）建立跟踪回访机制，每季度回访一次。": ("三、下一步工作", "（1）建立跟踪回访机制，每季度回访一次"),
    }


def test_long_numbered_paragraph_is_body_with_a_short_title():
    item = "1. " + "合成测试内容" * 12 + "，并且继续说明。"
    _, sentences = structure_sentences(paragraphs("一、总体情况", item))
    assert [s.text for s in sentences] == [item]
    assert sentences[0].section == ("一、总体情况", ("1. " + "合成测试内容" * 12)[:60])


@pytest.mark.parametrize(
    "texts, expected",
    [
        (("合成测试报告", "某市工作总结", "一、总体情况", "正文。"), ("合成测试报告某市工作总结", 2)),
        (("这是一段正文。", "一、总体情况"), (None, 0)),
        (("一、总体情况", "正文。"), (None, 0)),
        (("只有一行标题",), (None, 0)),  # nothing follows: it is the body
        # A bracketed line under the title ends it: the next short line is a case, not title.
        (("合成案例选编", "（第二辑）", "浙江某五金工具有限公司：以体系认证推动精益生产", "该公司……。"),
         ("合成案例选编（第二辑）", 2)),
        (("（此件公开发布）", "合成市工作方案", "一、总体要求", "正文。"), ("（此件公开发布）合成市工作方案", 2)),
        # A note or a date under the title is no more title (a tester's DOCX title swallowed its note).
        (("合成案例选编", "本文件为测试用合成材料，所述企业均为虚构", "（一）合成某厂", "正文。"), ("合成案例选编", 1)),
        # The cover's date (and issuer) lines are skipped with the title: cover, not body text.
        (("合成市工作总结", "2024年1月", "一、总体情况", "正文。"), ("合成市工作总结", 2)),
        # A cover: title lines, the issuer and the date (on one line or two), then the contents page.
        (("合成测试材料：某省认证提升行动典型案例汇编", "某省市场监督管理局2024年12月", "目录", "一、某市…… 1"),
         ("合成测试材料：某省认证提升行动典型案例汇编", 2)),
        (("合成省小微企业质量提升", "典型案例汇编", "合成省市场监督管理局", "二〇二四年十二月", "一、合成市某厂", "正文。"),
         ("合成省小微企业质量提升典型案例汇编", 4)),
        (("合成案例选编", "国家市场监督管理总局认证监管司 编", "前言", "正文。"), ("合成案例选编", 2)),
        (("合成测试报告", "（2024年12月）"), (None, 0)),  # nothing but the cover: it is the body
        # An issuer named "…部门" and a date under the title (a tester's title swallowed "某市场监管部门2024年11月").
        (("合成市小微企业质量提升地方典型经验选编", "某市场监管部门  2024年11月", "（合成测试材料）", "一、合成市某区：正文。"),
         ("合成市小微企业质量提升地方典型经验选编", 2)),
        # Any body's name before the date; a date in Chinese numerals.
        (("合成案例选编", "市场监管部门 2024年11月", "一、合成某厂", "正文。"), ("合成案例选编", 2)),
        (("合成案例选编", "某质量发展促进会", "二〇二四年十一月", "一、合成某厂", "正文。"), ("合成案例选编", 3)),
    ],
)
def test_extract_title(texts, expected):
    assert extract_title(paragraphs(*texts)) == expected


def test_synthetic_pdf_sections_and_pages(sample_files):
    title, sentences = structure_sentences(clean_document(load_document(sample_files["report_pdf"])))
    assert title == "合成测试报告某市小微企业质量提升工作总结"
    s = sentence_with(sentences, "第二页独有的句子")
    assert s.page == 2
    assert s.section == ("一、总体情况", "（二）帮扶措施扎实有效", "二是实施质量诊断")
    s = sentence_with(sentences, "制定了学习计划")  # starts on page 1, ends on page 2
    assert s.page == 1 and s.section[-1] == "一是开展专题培训"
    s = sentence_with(sentences, "第三页独有的句子")
    assert s.page == 3
    assert s.section == ("三、下一步工作", "1. 扩大覆盖范围", "（1）第三页独有的句子：按行业分批组织现场观摩")


def test_part_headings_nest_under_cases_only_in_a_collection():
    """"二、存在的主要问题" after "一、小微企业质量管理现状" in a report stays top-level (the first
    heading mentions 企业 but names no case); after "案例一：某公司" in a collection it nests."""

    def sections(texts):
        paras = [Paragraph(t, ((0, None),)) for t in texts]
        return [s.section for s in structure_sentences(paras)[1]]

    report = ["一、小微企业质量管理现状", "全县有小微企业1200家（合成）。", "二、存在的主要问题", "检验手段落后。"]
    assert sections(report) == [("一、小微企业质量管理现状",), ("二、存在的主要问题",)]
    collection = ["案例一：浙江某五金有限公司", "一、基本情况", "员工86人（合成）。", "二、存在的主要问题", "返工多。",
                  "案例二：广东某家具有限公司", "一、存在的主要问题", "开胶多。"]
    assert sections(collection) == [("案例一：浙江某五金有限公司", "一、基本情况"),
                                    ("案例一：浙江某五金有限公司", "二、存在的主要问题"),
                                    ("案例二：广东某家具有限公司", "一、存在的主要问题")]


def test_numbered_cases_nest_under_their_group_heading():
    """"一、地方经验" then "案例一 …", "案例二 …", "二、企业案例" then "案例三 …" (a tester's PDF,
    synthetic): the 案例 headings were siblings of the group headings, so every case lost its
    group and a local experience was typed an enterprise case. They nest now, and parts
    numbered like top-level headings still nest under a grouped case."""
    from kb.cases import extract_cases

    texts = ["一、地方经验", "案例一 合成省甲市：集群链式推进认证帮扶", "帮扶眼镜小微企业236家（合成）。",
             "案例二 合成省乙市：四步工作法推动陶瓷小微企业提质", "累计帮扶127家（合成）。",
             "二、企业案例", "案例三 某陶瓷企业：以烧成记录破解开裂难题", "一、基本情况", "员工33人（合成）。",
             "二、取得成效", "变形率由12%降至4.5%（合成）。"]
    _, sentences = structure_sentences(paragraphs(*texts))
    assert [s.section for s in sentences] == [
        ("一、地方经验", "案例一 合成省甲市：集群链式推进认证帮扶"),
        ("一、地方经验", "案例二 合成省乙市：四步工作法推动陶瓷小微企业提质"),
        ("二、企业案例", "案例三 某陶瓷企业：以烧成记录破解开裂难题", "一、基本情况"),
        ("二、企业案例", "案例三 某陶瓷企业：以烧成记录破解开裂难题", "二、取得成效")]
    cases = extract_cases("doc", sentences, [], doc_title="合成地方经验与企业案例")
    assert [c.kind for c in cases] == ["local_experience", "local_experience", "enterprise_case"]
    report = ["一、工作举措", "全市帮扶小微企业（合成）。", "二、典型案例", "案例1：合成市某服装企业", "返工率下降（合成）。"]
    _, sentences = structure_sentences(paragraphs(*report))
    assert [s.section for s in sentences] == [("一、工作举措",), ("二、典型案例", "案例1：合成市某服装企业")]


def test_a_table_of_contents_is_no_heading_and_what_follows_it_is_under_none():
    """A tester's DOCX (synthetic): "目录" and its entries "案例一 …" … "案例四 …" were headings, so
    the editor's note after them was cited under "案例四 …". The contents are left out (as a
    passage naming every case they would match every question about one)."""
    texts = ["合成优良案例汇编", "目录", "案例一 合成县某豆制品有限公司：理顺生熟分区", "案例二 合成县某印染有限公司：管住色差",
             "编者按：本汇编收录2个合成案例（本文件为测试用合成材料）。",
             "案例一 合成县某豆制品有限公司：理顺生熟分区", "存在问题：豆腐容易发酸。",
             "案例二 合成县某印染有限公司：管住色差", "存在问题：色差返工多。"]
    _, sentences = structure_sentences(paragraphs(*texts))
    assert [(s.text, s.section) for s in sentences] == [
        ("编者按：本汇编收录2个合成案例（本文件为测试用合成材料）。", ()),
        ("存在问题：豆腐容易发酸。", ("案例一 合成县某豆制品有限公司：理顺生熟分区",)),
        ("存在问题：色差返工多。", ("案例二 合成县某印染有限公司：管住色差",))]
    toc = ["合成工作报告", "目 录", "一、总体情况……1", "二、主要做法……3", "一、总体情况", "正文。", "二、主要做法", "正文二。"]
    _, sentences = structure_sentences(paragraphs(*toc))
    assert [(s.text, s.section) for s in sentences] == [("正文。", ("一、总体情况",)), ("正文二。", ("二、主要做法",))]


def test_appendix_table_heading_is_not_a_case():
    """"附表：案例汇总" after the cases of a collection is back matter, not a fifth case (synthetic)."""
    from kb.cases import extract_cases

    texts = ["案例一 合成省合成市某枸杞加工企业", "存在问题：农残超标批次多。", "取得成效：出口额翻了一番。",
             "案例二 合成省合成市某棉纺企业", "存在问题：棉结杂质超标。", "取得成效：投诉减少了一半。",
             "# 附表：案例汇总", "1 | 某枸杞加工企业 | 出口额翻番；"]
    _, sentences = structure_sentences(paragraphs(*texts))
    cases = extract_cases("doc", sentences, [], doc_title="合成案例集")
    assert [c.title for c in cases] == ["合成省合成市某枸杞加工企业", "合成省合成市某棉纺企业"]
