"""A collection of news-style case articles (kb/styled_headings.py, kb/labels.is_byline, kb/cases.py):
bold headlines that are no Word heading style, a dateline or byline under each, a closing remark or
plan. All text here is 合成测试材料 (synthetic): invented enterprises, reporters and figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.labels import is_byline
from kb.pipeline import parse_document

TITLE = "合成测试材料：某省质量提升案例新闻稿选编"
ARTICLES = (
    ("小伞厂焊点过了关", "（本报讯）记者 甲乙 通讯员 丙丁", [
        "合成县晴川伞业有限公司位于杭州市桐庐县，员工48人，主要生产折叠伞。过去伞骨焊点全凭手感，返修率一度达到6.5%。",
        "县市场监管局请认证机构专家进厂，帮助企业制定焊接作业指导书，推行首件检验和每小时巡检。",
        "一年下来，返修率由6.5%降至1.5%，客户投诉减少四成。",
        "企业负责人表示，将继续加大投入，争取拿下更多订单。",
    ]),
    ("茶叶拼配告别凭经验", "合成县市场监督管理局供稿", [
        "合成县云雾茶业有限公司地处黄山市歙县，从事绿茶精制加工。企业拼配靠老师傅经验，批次间口味差异大，客户退货率达4%。",
        "歙县市场监管局指导企业建立拼配配方卡和感官审评记录，并按质量管理体系要求完善出厂检验规程。",
        "目前，客户退货率由4%降至0.5%，年销售额增加三百余万元。",
        "下一步，歙县将把这一做法推广到全县茶企。",
    ]),
    ("螺钉厂炉温有了记录", "文/戊己", [
        "合成县固力五金有限公司位于宁波市宁海县，生产自攻螺钉。企业热处理炉温记录缺失，产品硬度不稳定，一次交检合格率只有88%。",
        "宁海县市场监管局帮助企业加装炉温自动记录仪，规定每炉次抽检硬度合格后方可出厂。",
        "通过改进，一次交检合格率由88%提升至97%。",
        "宁海县将继续深化帮扶服务，推动更多企业走上质量提升之路。",
    ]),
)


def _news_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph().add_run(TITLE).bold = True
    document.add_paragraph("合成测试材料编写组 编")  # the compiler's line: no full stop before the first headline
    for headline, byline, paras in ARTICLES:
        document.add_paragraph().add_run(headline).bold = True
        document.add_paragraph(byline)
        for para in paras:
            document.add_paragraph(para)
    document.save(str(path))
    return path


@pytest.mark.parametrize("text", ["（本报讯）记者 甲乙 通讯员 丙丁", "（本报讯）", "记者甲乙通讯员丙丁", "本报讯 通讯员 丙丁",
                                  "合成县市场监督管理局供稿", "（合成县市场监管局 供稿）", "来源：合成市市场监管局", "文/戊己 图/庚辛"])
def test_datelines_and_bylines(text: str):
    assert is_byline(text)


@pytest.mark.parametrize("text", ["小伞厂焊点过了关", "记者走进车间看到工人们正在忙碌", "企业名称：合成县晴川伞业有限公司",
                                  "主要做法", "记者甲乙了解到，企业返修率明显下降。", "图1 工艺流程", "质量提升案例材料整理"])
def test_other_lines_are_no_bylines(text: str):
    assert not is_byline(text)


def test_each_news_article_is_one_enterprise_case(tmp_path: Path):
    parsed = parse_document(_news_docx(tmp_path / "新闻稿.docx"))
    cases = parsed.cases
    assert [c.title.split("：")[-1] for c in cases] == [headline for headline, _, _ in ARTICLES]
    assert all(c.kind == "enterprise_case" for c in cases)
    umbrella, tea, screws = cases
    for case in cases:
        # the byline and the closing remark or plan are neither measures nor a case of their own
        for word in ("供稿", "本报讯", "记者", "文/", "表示", "将继续", "推广到"):
            assert word not in case.measures, (word, case.measures)
    assert "作业指导书" in umbrella.measures and "配方卡" in tea.measures and "炉温" in screws.measures
    assert (umbrella.region.county, tea.region.county, screws.region.county) == ("桐庐县", "歙县", "宁海县")
    assert {(o.before, o.after) for o in umbrella.outcomes} >= {(6.5, 1.5)}
    assert any("投诉" in o.metric and o.change == -40.0 for o in umbrella.outcomes)  # 减少四成
    assert {(o.before, o.after) for o in tea.outcomes} >= {(4.0, 0.5)}
    assert any("销售额" in o.metric and (o.change or o.after) == 300.0 for o in tea.outcomes)  # 三百余万元
    assert {(o.before, o.after) for o in screws.outcomes} >= {(88.0, 97.0)}
