"""Narrative case write-ups labelled only for what was done ("主要做法：…"): the paragraph of results after
the measures, the opening paragraph's scale facts and difficulties, and a table's lead-in line.

Every text here is 合成测试材料 (SYNTHETIC test material, made up for these tests: places are real,
enterprises and figures are invented), short, and written under ``tmp_path`` only.
"""

from __future__ import annotations

import docx
import pytest

from kb.cases import is_profile_clause
from kb.pipeline import parse_document

_COLLECTION = """合成测试材料：某省小微企业质量提升地方经验选编

一、宁波市慈溪市：家电配套企业质量提升

慈溪市小家电配套小微企业约340家。部分企业来料检验缺失，售后返修频繁。

主要做法：组织检测机构开展上门诊断；培训质量管理骨干260名；建立返修数据月报制度。

通过上述措施，配套件返修率由4.8%降至1.6%，全市家电出口额增长12%。

二、临沂市兰陵县：蔬菜加工企业追溯体系建设

兰陵县蔬菜产量占全省10%以上，蔬菜加工小作坊近500家。多数作坊原料来源记录不全，农残检测靠送检。

主要做法：推行“一品一码”追溯；为42家企业配备快检设备；开展认证辅导。

经过一年的运行，农残抽检合格率由93.5%提高到99.2%，并新进入两家连锁商超。

三、赣州市南康区：家具企业涂装工艺提升

南康区家具制造小微企业超过2000家，大多为家庭作坊。涂装工序粗放，漆面起泡投诉多。

主要做法：建设共享喷涂中心；制定水性漆涂装工艺规范；开展班组长轮训。截至2023年底，漆面起泡投诉由每月30起降至每月6起。

四、泉州市德化县：陶瓷企业窑炉温控改造

德化县日用陶瓷小微企业约600家。窑温控制凭经验，烧成合格率只有82%。

主要做法：

2023年以来，组织企业开展窑炉温控改造培训15场，为企业加装温度记录仪。

目前，烧成合格率由82%提高到95%。
"""


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    path = tmp_path_factory.mktemp("narrative") / "地方经验选编.txt"
    path.write_text(_COLLECTION, encoding="utf-8")
    found = parse_document(path).cases
    assert [c.title.split("：")[0] for c in found] == ["宁波市慈溪市", "临沂市兰陵县", "赣州市南康区", "泉州市德化县"]
    return found


def _figures(case):
    return [(o.before, o.after, o.change, o.unit) for o in case.outcomes]


@pytest.mark.parametrize("k, lead", [(0, "通过上述措施"), (1, "经过一年的运行"), (2, "截至2023年底"), (3, "目前")])
def test_the_results_after_the_measures_are_outcomes_not_measures(cases, k, lead):
    """Synthetic: the paragraph (or the sentence, when the break is lost) opening with a result lead-in
    after "主要做法：…" reports results; it is no measure."""
    case = cases[k]
    assert lead not in case.measures
    assert "由" not in case.measures and "降至" not in case.measures and "提高到" not in case.measures
    assert case.measures  # the measures themselves are kept
    assert any(o.before is not None and o.after is not None for o in case.outcomes)


def test_outcomes_are_only_the_reported_results(cases):
    """Synthetic: with a paragraph of results, the scale of the place, the level at the time of the problem
    and the counts of what was done (trained 260, equipped 42 enterprises, 15 sessions) are no outcomes."""
    assert _figures(cases[0]) == [(4.8, 1.6, -3.2, "%"), (None, None, 12.0, "%")]
    assert _figures(cases[1]) == [(93.5, 99.2, 5.7, "%")]
    assert _figures(cases[2]) == [(30.0, 6.0, -24.0, "起/月")]
    assert _figures(cases[3]) == [(82.0, 95.0, 13.0, "%")]
    assert "260名" in cases[0].measures and "42家企业" in cases[1].measures and "15场" in cases[3].measures


def test_opening_paragraph_gives_profile_and_problem(cases):
    """Synthetic: the unlabelled opening paragraph before "主要做法：": its scale facts are the profile,
    its difficulties (and the level at the time) the problem."""
    assert cases[0].profile == "慈溪市小家电配套小微企业约340家"
    assert cases[0].problem == "部分企业来料检验缺失；售后返修频繁"
    assert "占全省10%以上" in cases[1].profile and "近500家" in cases[1].profile
    assert "原料来源记录不全" in cases[1].problem and "占全省" not in cases[1].problem
    assert "超过2000家" in cases[2].profile and "大多为家庭作坊" in cases[2].profile
    assert cases[2].problem == "涂装工序粗放；漆面起泡投诉多"
    assert cases[3].problem == "窑温控制凭经验；烧成合格率只有82%"


def test_measures_paragraph_with_a_time_lead_in_stays_measures(cases):
    """Synthetic: "2023年以来，组织…培训15场" opens a paragraph under the measures label but does things and
    states no change: still a measure."""
    assert cases[3].measures.startswith("2023年以来，组织企业开展窑炉温控改造培训15场")


@pytest.mark.parametrize("clause, profile", [
    ("茉莉花产量占全国80%以上", True),
    ("某县汽车零部件配套小微企业约210家", True),
    ("全市食品小作坊近1200家", True),
    ("累计帮扶企业120家", False),
    ("获证企业132家", False),
    ("为42家企业配备快检设备", False),
    ("市场占有率提高到30%", False),
])
def test_scale_facts_are_profile_clauses(clause, profile):
    """Synthetic clauses: the scale of a place or industry is a profile fact; counts of what was done or got are not."""
    assert is_profile_clause(clause) is profile


def test_table_lead_in_line_is_no_measure(tmp_path):
    """Synthetic DOCX case: a line ending in a colon right before the before/after table ("帮扶前后主要指标对比：")
    only leads into the table."""
    d = docx.Document()
    d.add_paragraph("合成测试材料 企业优良案例")
    d.add_heading("案例一：丽水市缙云县某五金工具有限公司", level=2)
    d.add_paragraph("存在问题：锯片焊齿脱落，客户退货率达3.2%。")
    d.add_paragraph("主要做法：引进高频焊接设备；建立焊齿拉力抽检制度。")
    d.add_paragraph("主要质量指标变化情况：")
    t = d.add_table(rows=2, cols=3)
    for cell, text in zip(t.rows[0].cells, ["指标", "帮扶前", "帮扶后"]):
        cell.text = text
    for cell, text in zip(t.rows[1].cells, ["客户退货率（%）", "3.2", "0.6"]):
        cell.text = text
    d.add_paragraph("取得成效：客户退货率由3.2%降至0.6%。")
    path = tmp_path / "案例.docx"
    d.save(str(path))
    (case,) = parse_document(path).cases
    assert case.measures == "引进高频焊接设备；建立焊齿拉力抽检制度。"
    assert [(o.before, o.after) for o in case.outcomes] == [(3.2, 0.6)]


def test_pdf_paragraph_of_results_after_the_measures(tmp_path):
    """Synthetic text PDF, paragraphs indented with two full-width spaces and wrapped at the line end (as a
    typeset collection is): the "实施以来，…" paragraph is the outcomes, the opening one profile and problem."""
    from tests.pdfgen import wrap, write_pdf

    lines = ["合成测试材料：地方典型经验选编"]
    for title, paras in [
        ("一、湖州市织里镇：童装企业质量提升",
         ["织里镇童装小微企业约1.3万家。部分企业面料进厂不检验，成品缩水率超标问题突出。",
          "主要做法：建设童装公共检测中心；组织企业开展质量管理体系认证辅导；培训质检员380名。",
          "实施以来，童装抽检合格率由86.5%提高到95.2%，电商平台退货率由12%降至7%。"]),
        ("二、潮州市潮安区：不锈钢制品企业质量提升",
         ["潮安区不锈钢制品小微企业约800家。产品抛光工艺落后，表面划伤多。",
          "主要做法：推广自动抛光设备；制定不锈钢餐具团体标准。",
          "通过上述措施，表面划伤不良率由6.2%降至1.9%。"]),
    ]:
        lines.append(title)
        for para in paras:
            lines.extend(wrap("\u3000\u3000" + para, 30))
    path = write_pdf(tmp_path / "地方经验.pdf", [lines], title="Microsoft Word - 文档1")
    case, second = parse_document(path).cases
    assert "通过上述措施" not in second.measures and [(o.before, o.after) for o in second.outcomes] == [(6.2, 1.9)]
    assert "实施以来" not in case.measures and "380名" in case.measures
    assert [(o.before, o.after) for o in case.outcomes] == [(86.5, 95.2), (12.0, 7.0)]
    assert case.profile == "织里镇童装小微企业约1.3万家"
    assert "面料进厂不检验" in case.problem


@pytest.mark.parametrize("issuer", ["浙江省市场监督管理局", "某市质量技术协会", "嘉兴市标准化研究院", "某市市场监管局认证处"])
def test_cover_issuer_line_without_date_is_no_title_tail(tmp_path, issuer):
    """Synthetic cover: a title as wide as the line, then the issuer alone on the next line (no date):
    the issuer does not join the title."""
    from tests.pdfgen import wrap, write_pdf

    title = "2024年全市小微企业质量管理体系认证提升行动典型经验汇编材料"
    lines = [*wrap(title, 30), issuer, "一、某市：加强认证帮扶",
             "\u3000\u3000某市组织认证机构开展帮扶，合成测试材料抽检合格率由80%提高到95%。"]
    assert len(lines) == 4  # the title fills one line
    parsed = parse_document(write_pdf(tmp_path / "汇编.pdf", [lines]))
    assert parsed.title == title
    assert all(issuer not in c.text for c in parsed.chunks)
