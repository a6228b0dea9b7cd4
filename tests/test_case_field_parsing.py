"""Case fields and figures from write-ups a black-box tester found misread: slides told in plain
sentences, part labels outside the usual list, a before figure stated only in the problem, and
a figure's time base (每月/每季度).

All case text here is SYNTHETIC (合成测试材料), invented for the tests: places are real names,
enterprises and figures are made up.
"""

from __future__ import annotations

from kb.pipeline import parse_document


def _deck(tmp_path, slides, name="合成案例展示.pptx"):
    """A deck of text boxes (no title placeholder), one (title, lines, notes) per slide."""
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    for title, lines, notes in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        box = slide.shapes.add_textbox(Inches(0.5), Inches(0.3), Inches(9), Inches(0.8))
        box.text_frame.text = title
        body = slide.shapes.add_textbox(Inches(0.5), Inches(1.3), Inches(9), Inches(5)).text_frame
        for i, line in enumerate(lines):
            (body.paragraphs[0] if i == 0 else body.add_paragraph()).text = line
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    path = tmp_path / name
    deck.save(str(path))
    return parse_document(path).cases


_STORY = ["企业主要生产不锈钢保温杯。过去杯体焊缝渗漏、喷涂脱落，客户投诉每月多达9起。",
          "帮扶中，认证机构指导企业制定焊接作业指导书，改进喷涂前处理工序，增加气密性检测。",
          "实施以来，客户投诉由每月9起降至1起，产品返修率下降了3.5个百分点，获得认证贷150万元。"]


def test_a_slide_told_in_plain_sentences_is_one_case(tmp_path):
    """No 问题：/做法：/成效： labels on the slide: its title names the enterprise, its lines tell the
    trouble, what was done and what came of it. Before, it gave a case of the title line alone
    (no problem, no measures, no figures)."""
    cases = _deck(tmp_path, [("合成展示（测试用虚构材料）", ["本文件为测试用合成材料"], None),
                             ("金华市武义县合成保温杯有限公司", _STORY, "备注：讲解提示：该企业位于金华市武义县。")])
    (case,) = cases
    assert case.kind == "enterprise_case" and case.title == "金华市武义县合成保温杯有限公司"
    assert case.region.county == "武义县"
    assert case.problem.startswith("过去杯体焊缝渗漏、喷涂脱落") and "客户投诉每月多达9起" in case.problem
    assert case.measures == "认证机构指导企业制定焊接作业指导书；改进喷涂前处理工序；增加气密性检测"
    assert "主要生产不锈钢保温杯" in case.profile and "讲解提示" not in case.profile
    got = [(o.metric, o.before, o.after, o.change) for o in case.outcomes]
    assert got == [("客户投诉", 9, 1, -8), ("产品返修率", None, None, -3.5), ("获得认证贷", None, 150, None)]


def test_a_slide_with_a_place_title_and_no_result_is_no_narrative_case(tmp_path):
    """A slide of general remarks under a place title (no figure of a result) stays prose."""
    cases = _deck(tmp_path, [("金华市武义县工作思路", ["下一步将继续组织认证机构开展帮扶。", "存在的困难是企业意识不强。"],
                              None)])
    assert all(c.title != "金华市武义县工作思路" for c in cases)


def _collection(tmp_path, text, name="合成案例汇编.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_document(path).cases


def test_labels_outside_the_usual_words_open_their_parts(tmp_path):
    """痛点 / 对策 / 成果 on lines of their own: 对策 was no label, so the measures stayed in the problem;
    a sentence under 痛点 that only describes the enterprise is its profile."""
    cases = _deck(tmp_path, [("合成展示（测试用虚构材料）", ["本文件为测试用合成材料"], None),
                             ("淄博市博山区合成泵业有限公司——出厂试验全覆盖",
                              ["痛点", "泵体渗漏问题突出，出厂试验一次合格率仅88.5%。企业位于淄博市博山区，员工52人。",
                               "对策", "新建综合性能试验台，对每台泵进行压力和密封试验。",
                               "成果", "出厂试验一次合格率从88.5%提高到98.2%；售后维修成本降低30万元。"], None)])
    (case,) = cases
    assert case.problem == "泵体渗漏问题突出，出厂试验一次合格率仅88.5%。"
    assert case.measures == "新建综合性能试验台，对每台泵进行压力和密封试验。"
    assert case.profile == "企业位于淄博市博山区，员工52人。"
    assert [(o.metric, o.before, o.after) for o in case.outcomes][0] == ("出厂试验一次合格率", 88.5, 98.2)


def test_a_background_label_states_the_problem_when_none_is_labelled(tmp_path):
    text = ("# 合成地方经验选编\n\n> 合成测试材料：内容虚构。\n\n## 一、地方典型经验\n\n"
            "### 1. 佛山市顺德区：建设家电配件认证服务站\n\n"
            "**背景**：顺德区家电配件小微企业多，质量管理基础薄弱，产品抽检合格率长期偏低。\n\n"
            "**做法**：区市场监管局联合认证机构建设服务站，为企业提供体系咨询。\n\n"
            "**成效**：产品抽检合格率由80.5%提升至93.1%。\n\n"
            "### 2. 佛山市南海区：以认证促出口\n\n"
            "**背景**：南海区铝型材企业以出口为主，出口退运时有发生。\n\n"
            "**做法**：组织企业对标国际标准。\n\n**成效**：出口退运批次同比下降40%。\n")
    first, second = _collection(tmp_path, text)
    assert first.problem == "质量管理基础薄弱；产品抽检合格率长期偏低"
    assert "顺德区家电配件小微企业多" in first.profile
    assert second.problem == "出口退运时有发生" and second.measures == "组织企业对标国际标准。"


def test_one_paragraph_write_up_opens_with_its_problem(tmp_path):
    """A PDF gives an unlabelled local experience as one paragraph: its opening sentence, before
    anything is done, is the problem, not a measure."""
    text = ("合成测试材料：地方典型经验选编（内容虚构）\n\n一、沧州市泊头市：铸造企业一企一策\n\n"
            "泊头市铸造企业数量多、规模小，普遍存在铸件夹渣、砂眼多，单位能耗高等问题。泊头市组织认证机构专家深入企业，"
            "帮助企业编制铸造工艺卡。一年来，共帮扶铸造企业30家，铸件废品率平均下降4.1个百分点。\n\n"
            "二、邢台市清河县：羊绒企业组团认证\n\n清河县羊绒企业产品抽检合格率不高。县市场监管局组织认证机构集中诊断。"
            "全县获证企业由10家增加到40家。\n")
    first, second = _collection(tmp_path, text, "合成经验.txt")
    assert first.problem == "泊头市铸造企业数量多、规模小；普遍存在铸件夹渣、砂眼多；单位能耗高等问题"
    assert first.measures == "泊头市组织认证机构专家深入企业；帮助企业编制铸造工艺卡"
    assert second.problem == "清河县羊绒企业产品抽检合格率不高"


def test_a_result_after_the_measures_label_is_no_measure(tmp_path):
    text = ("合成测试材料：企业案例汇编（内容虚构）\n\n案例1：临沂市兰山区合成木业有限公司\n\n"
            "存在问题：胶合板甲醛释放量超标。\n\n主要做法：优化热压工艺参数，建立每批次甲醛检测制度。\n\n"
            "产品单价提高了12%。\n\n案例2：临沂市河东区合成板材有限公司\n\n存在问题：胶合强度不稳定。\n\n"
            "主要做法：改进施胶工艺。培训员工200余人次。\n\n取得成效：胶合强度合格率由88%提高到97%。\n")
    first, second = _collection(tmp_path, text, "合成案例.txt")
    assert first.measures == "优化热压工艺参数，建立每批次甲醛检测制度。"
    assert [(o.metric, o.change, o.unit) for o in first.outcomes] == [("产品单价", 12, "%")]
    assert second.measures == "改进施胶工艺。培训员工200余人次。"  # a count of trainees is what was done


def test_a_rate_keeps_its_time_base_in_the_unit():
    """"每季度15起 → 3起" is 15 a quarter, not 15 in all: the period stays with the unit."""
    from kb.cases import parse_outcomes

    got = [(o.metric, o.before, o.after, o.unit) for o in parse_outcomes(
        "客户投诉从每季度15起减少到3起，不合格批次从每月4批次降为0，人均产值由月均3万元提高到4万元，"
        "换模时间由每次2小时缩短到每次40分钟，不良率由每批3.2%降至0.5%，交货周期由15天缩短至8天。")]
    assert got == [("客户投诉", 15, 3, "起/季度"), ("不合格批次", 4, 0, "批次/月"), ("人均产值", 3, 4, "万元/月"),
                   ("换模时间", 120, 40, "分钟/次"), ("不良率", 3.2, 0.5, "%"), ("交货周期", 15, 8, "天")]


def test_a_figure_stated_in_the_text_and_again_in_a_table_is_one_outcome(tmp_path):
    """The prose says "从每月6批次降为0" and "从每年30起减少到7起"; the table repeats them as
    "（批/月）" and "（起/年）" rows: one outcome each, not two in different units."""
    import docx

    document = docx.Document()
    for line in ("合成测试材料：企业优良案例汇编（内容虚构）", "案例一 抚州市南城县合成米粉有限公司", "（一）存在的主要问题",
                 "车间卫生管理不规范，产品胀袋。", "（二）主要做法", "制定清洗消毒规程。", "（三）取得成效",
                 "菌落总数超标批次从每月6批次降为0，胀袋率由2.1%降至0.4%，客户投诉从每年30起减少到7起。"):
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=3)
    for row in (("指标", "帮扶前", "帮扶后"), ("胀袋率", "2.1%", "0.4%"), ("菌落总数超标批次（批/月）", "6", "0"),
                ("客户投诉（起/年）", "30", "7")):
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    for line in ("案例二 抚州市临川区合成食品有限公司", "（一）存在的主要问题", "产品标签不规范。", "（二）主要做法", "建立标签审核制度。",
                 "（三）取得成效", "标签差错由每月5起降至0起。"):
        document.add_paragraph(line)
    path = tmp_path / "合成汇编.docx"
    document.save(str(path))
    case = parse_document(path).cases[0]
    got = [(o.metric, o.before, o.after, o.unit) for o in case.outcomes]
    assert got == [("菌落总数超标批次", 6, 0, "批次/月"), ("胀袋率", 2.1, 0.4, "%"), ("客户投诉", 30, 7, "起/年")]


def test_an_after_only_result_takes_its_before_from_the_problem(tmp_path):
    """"返工率下降至4%" with "返工率高达15%" in the problem is 15 → 4; "胖听退货率降至0.4%" with "导致“胖听”，
    售后退货率一度达到3.1%" is 3.1 → 0.4. Not paired: another metric (一次合格率 vs 抽检合格率), a figure on the
    wrong side of the verb, or two candidates."""
    text = ("合成测试材料：企业案例汇编（内容虚构）\n\n案例1：保定市容城县合成服饰有限公司\n\n"
            "存在问题：成衣尺寸偏差，返工率高达16%。\n\n帮扶措施：推行缝制过程中查制度。\n\n取得成效：返工率下降至5%。\n\n"
            "案例2：承德市平泉市合成罐头有限公司\n\n存在问题：罐头真空度不足，导致“胖听”，售后退货率一度达到2.8%。\n\n"
            "帮扶措施：对杀菌工序实行温度、时间双记录。\n\n取得成效：胖听退货率降至0.3%。\n\n"
            "案例3：保定市雄县合成印刷有限公司\n\n存在问题：抽检合格率仅为85%，材料损耗率为3%。\n\n帮扶措施：引入色差仪。\n\n"
            "取得成效：一次合格率提高到97%，材料损耗率降至4%。\n\n"
            "案例4：保定市安新县合成鞋业有限公司\n\n存在问题：开胶率高达9%，部分批次开胶率达12%。\n\n帮扶措施：改进刷胶工艺。\n\n"
            "取得成效：开胶率降至2%。\n")
    cases = _collection(tmp_path, text, "合成案例.txt")
    got = [[(o.metric, o.before, o.after, o.change) for o in c.outcomes] for c in cases]
    assert got == [[("返工率", 16, 5, -11)], [("胖听退货率", 2.8, 0.3, -2.5)],
                   [("一次合格率", None, 97, None), ("材料损耗率", None, 4, None)], [("开胶率", None, 2, None)]]


def test_a_scanned_write_up_that_lost_its_full_stops_keeps_its_parts(tmp_path):
    """Lines as OCR gives a scan (synthetic, 合成测试材料): the full stop at the end of "存在问题：…" was lost,
    so "帮扶措施：…" ran on into the problem (no measures); and a number was cut by the wrap
    ("年产量约12" then "0万双"), read as "12 0万双"."""
    import pdfgen

    lines = ["合成测试材料：企业优良案例汇编（内容虚构）",
             "案例1：晋江市某合成鞋业有限公司以过程确认解决鞋底开胶难题",
             "企业概况：该公司位于福建省泉州市晋江市，主要生产运动鞋，年产量约12",
             "0万双。",
             "存在问题：鞋底开胶问题突出，开胶返修率达4.5%，出口订单多次被索赔",
             "帮扶措施：对刷胶、烘干、压合等特殊过程开展过程确认，固化温度和时间参",
             "数，建立胶粘剂进货检验规程。",
             "取得成效：开胶返修率由4.5%下降到0.9%，全年减少索赔损失约80万元。"]
    path = pdfgen.write_pdf(tmp_path / "合成扫描识别.pdf", [lines])
    (case,) = parse_document(path).cases
    assert case.problem == "鞋底开胶问题突出，开胶返修率达4.5%，出口订单多次被索赔"
    assert case.measures == "对刷胶、烘干、压合等特殊过程开展过程确认，固化温度和时间参数，建立胶粘剂进货检验规程。"
    assert "年产量约120万双" in case.profile
    assert [(o.metric, o.before, o.after) for o in case.outcomes][0] == ("开胶返修率", 4.5, 0.9)
