"""提升行动案例知识库 — Streamlit front end. Draws pages only; logic lives in ``kb/``.

Run with ``streamlit run app.py``. The knowledge base is opened once per process
(``st.cache_resource``); the embedding model loads in a background thread (the ONNX model in
well under a second, so a page waits briefly for it), and until it is ready searches run on
BM25 alone. Document text is never rendered as HTML: see
``kb/ui_helpers.py`` (``escape_streamlit``/``highlight_markdown``).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import streamlit as st

from kb import Filters, KBConfig, KBError, KnowledgeBase
from kb import ui_helpers as ui
from kb.errors import IndexMissing
from kb.export import (
    DEFAULT_TITLE,
    ExportItem,
    export_docx,
    export_markdown,
    item_citation,
    item_from_case_hit,
    item_from_hit,
    without_told_cases,
)
from kb.export_pptx import export_pptx
from kb.glossary import expansions as glossary_expansions
from kb.industries import industry_label, industry_list
from kb.present import (
    citation_text,
    guidance_heading,
    headline_outcomes,
    outcome_text,
    outline_title,
    page_text,
    passage_outcomes,
    safe_export_name,
    score_parts_text,
    weak_notes,
)
from kb.records import Case, CaseHit, Hit
from kb.retrieval import ANSWER_FROM_HITS

PAGES = tuple(ui.PAGE_SLUGS)  # 案例检索, 可比案例, 知识库管理, 检索测试, 课件导出
PAGE_ICONS = {"案例检索": ":material/search:", "可比案例": ":material/compare_arrows:", "知识库管理": ":material/folder_managed:",
              "检索测试": ":material/science:", "课件导出": ":material/output:"}
ALL = "__all__"
esc = ui.escape_streamlit
Runtime = ui.KBRuntime


# --------------------------------------------------------------------------- resources

@st.cache_resource(show_spinner=False)
def open_runtime(home: str, model: str) -> Runtime:
    """One KnowledgeBase per (KB_HOME, model) per process; every query re-reads the current generation."""
    return Runtime(KnowledgeBase(replace(KBConfig(), home=Path(home), model=model)))


def init_state(home: Path) -> None:
    ss = st.session_state
    if "sid" not in ss:
        # The basket is kept under KB_HOME per session id, and the id rides in the URL (?s=…),
        # so a page refresh (a new Streamlit session) finds the same basket again.
        sid = st.query_params.get("s", "")
        if ui.basket_path(home, sid) is None:
            sid = ui.new_session_id()
        st.query_params["s"] = sid
        ss.sid = sid
        ss.home = home
        ss.basket = ui.load_basket(home, sid)
        # The page rides in the URL too (?p=…, see sidebar): a refresh or a shared link opens it again.
        ss.page = ui.page_from_param(st.query_params.get("p")) or PAGES[0]
    ss.setdefault("basket", [])  # list[ExportItem], in the order added
    ss.setdefault("similar_open", set())  # card keys whose 相似案例 list is shown
    ss.setdefault("uploader_round", 0)
    ss.setdefault("messages", [])  # (level, text) shown once, at the top of the next page drawn
    ss.setdefault("last_report", None)


# --------------------------------------------------------------------------- basket

def in_basket(key: str) -> bool:
    return any(it.key == key for it in st.session_state.basket)


def save_basket() -> None:
    ss = st.session_state
    try:
        ui.save_basket(ss.home, ss.sid, ss.basket)
    except OSError as exc:
        ss.messages.append(("warning", f"课件篮未能保存到磁盘（{exc}），刷新页面后可能丢失。"))


def add_to_basket(item: ExportItem) -> None:
    if not in_basket(item.key):
        st.session_state.basket.append(item)
        save_basket()
        st.toast(f"已加入课件：{esc(item.title)}")  # the whole title (a toast wraps)


def basket_button(item: ExportItem, key: str) -> None:
    if in_basket(item.key):
        st.button("已在课件中", key=key, disabled=True, icon=":material/check:")
    else:
        st.button("加入课件", key=key, icon=":material/add_shopping_cart:", on_click=add_to_basket, args=(item,))


def toggle_similar(key: str) -> None:
    opened = st.session_state.similar_open
    opened.symmetric_difference_update({key})


def similar_button(key: str) -> None:
    label = "收起相似案例" if key in st.session_state.similar_open else "相似案例"
    st.button(label, key=f"sim-{key}", icon=":material/join_inner:", on_click=toggle_similar, args=(key,))


# --------------------------------------------------------------------------- drawing pieces

def draw_outcomes_list(outcomes, printed_of=lambda page: None) -> None:
    if outcomes:
        lines = []
        for o in outcomes:
            where = f"（{page_text(o.page, printed=printed_of(o.page))}）" if o.page is not None else ""
            lines.append(f"- {esc(outcome_text(o) + where)}")
        st.markdown("**成效**\n\n" + "\n".join(lines))


def draw_case_card(ch: CaseHit, key: str, rt: Runtime, show_similar: bool = True, compact: bool = False,
                   show_score: bool = True) -> None:
    c: Case = ch.case
    with st.container(border=True):
        head = f"**{ch.rank}\\. {esc(c.title)}**"
        if show_score:
            head += f" · 匹配度 {ch.score:.2f}"
        st.markdown(head)
        if show_score and ch.score_parts:
            st.caption("匹配度构成：" + esc(score_parts_text(ch.score_parts)))
        st.markdown(ui.tag_badges(c.kind, "、".join(r.display() for r in c.all_regions),
                                  industry_list(c.all_industries)))
        if c.profile:
            st.markdown(f"**概况**：{esc(c.profile)}")
        if c.problem:
            st.markdown(f"**问题**：{esc(c.problem)}")
        if c.measures:
            st.markdown(f"**做法**：{esc(c.measures)}")
        if compact:
            if c.outcomes:
                st.markdown(ui.outcome_badges(c.outcomes))
        else:
            draw_outcomes_list(c.outcomes, ch.printed_of)
        st.caption("出处：" + esc(citation_text(ch.doc_title or c.doc_id, c.section_path, c.page, c.page_end, ch.ocr,
                                               ch.ocr_confidence, ch.printed_of(c.page), ch.printed_of(c.page_end))))
        if not compact:
            with st.expander("原文"):
                st.markdown(esc(c.text))
        with st.container(horizontal=True):
            basket_button(item_from_case_hit(ch), key=f"add-{key}")
            if show_similar:
                similar_button(key)
        if show_similar and key in st.session_state.similar_open:
            draw_similar(rt, key, case=c)


def draw_similar(rt: Runtime, key: str, case: Case | None = None, hit: Hit | None = None,
                 own: tuple[str, ...] = ()) -> None:
    """相似案例 under a card: by the case's vector, or (plain passage) by the passage text."""
    kb = rt.kb
    try:
        if case is not None:
            found = kb.similar_cases(case.case_id, top_k=5)
        else:
            with st.spinner("正在查找相似案例…"):
                found = kb.cases(problem=hit.chunk.text[:300], industry=hit.industry, top_k=5 + len(own))
    except KBError as exc:
        st.error(esc(str(exc)))
        return
    found = [h for h in found if h.case.case_id not in own][:5]
    with st.container(border=False):
        st.markdown("**相似案例**")
        if not found:
            st.info("知识库中没有找到相似的案例。")
        for i, h in enumerate(found, start=1):
            draw_case_card(replace(h, rank=i), key=f"{key}-{h.case.case_id}", rt=rt, show_similar=False, compact=True)


def draw_hit_card(hit: Hit, rt: Runtime, chunk_cases: list[Case]) -> None:
    c = hit.chunk
    key = f"hit-{c.chunk_id}"
    with st.container(border=True):
        st.markdown(f"**{hit.rank}\\. {esc(ui.card_title(c, hit.doc_title))}** · 相关度 {hit.score:.2f}")
        st.markdown(ui.tag_badges(c.kind, hit.region.display(), industry_label(hit.industry)))
        st.markdown(ui.highlight_markdown(c.text, hit.matched_terms))
        # Only the outcomes read from this passage's own sentences (a passage may hold the end of
        # one case and the start of another).
        outcomes = passage_outcomes(chunk_cases, c.chunk_id)
        if chunk_cases:
            names = "、".join(case.title for case in chunk_cases)
            st.caption(f"本段涉及的案例：{esc(names)}")
        if outcomes:
            st.markdown(ui.outcome_badges(outcomes))
        st.caption("出处：" + esc(citation_text(hit.doc_title, c.section_path, c.page, c.page_end, c.ocr, c.ocr_confidence,
                                               hit.printed_page, hit.printed_page_end)))
        with st.container(horizontal=True):
            basket_button(item_from_hit(hit, chunk_cases), key=f"add-{key}")
            similar_button(key)
        if key in st.session_state.similar_open:
            own = tuple(case.case_id for case in chunk_cases)
            if chunk_cases:
                draw_similar(rt, key, case=chunk_cases[0], own=own)
            else:
                draw_similar(rt, key, hit=hit, own=own)


def mode_note(rt: Runtime, requested: str) -> str:
    ready = rt.model_ready if requested == "bm25" else rt.wait_ready()
    mode, note = ui.effective_mode(requested, ready, rt.model_error)
    if note:
        st.info(note, icon=":material/hourglass_top:")
    return mode


def no_index(rt: Runtime) -> None:
    st.warning("还没有索引。请先把 PDF、DOCX、TXT 或 MD 文件放进 corpus/ 目录（或在“知识库管理”页上传），然后建立索引。")
    st.caption(f"corpus 目录：{esc(str(rt.kb.config.corpus_dir))}")
    if st.button("导入 corpus/ 建立索引", type="primary", key="ingest-empty"):
        run_ingest(rt)


def run_ingest(rt: Runtime, rebuild: bool = False, uploaded: tuple[Path, ...] = ()) -> None:
    """Ingest corpus/ with a progress bar; the report is kept in the session and shown after a rerun."""
    bar = st.progress(0.0, text="准备导入…")
    last = [0.0]

    def progress(stage: str, done: int, total: int, item: str) -> None:
        frac, label = ui.progress_fraction(stage, done, total, item)
        last[0] = last[0] if frac is None else frac  # OCR pages: same place, new label
        bar.progress(last[0], text=esc(label))

    try:
        report = rt.kb.ingest(None, rebuild=rebuild, progress=progress)
    except KBError as exc:
        bar.empty()
        st.session_state.messages.append(("error", f"导入失败：{exc}"))
        st.rerun()
    bar.progress(1.0, text="完成")
    messages = st.session_state.messages
    for note in report.notes:
        messages.append(("info", note))
    just_uploaded = {p.resolve() for p in uploaded}
    for f in report.failed:
        text = f"{f.path}：{f.reason}"
        src = Path(f.path) if Path(f.path).is_absolute() else rt.kb.config.home / f.path
        if src.resolve() in just_uploaded:
            src.unlink(missing_ok=True)  # a just-uploaded file that cannot be read is not kept
            text += "（该文件未保留在 corpus/ 中）"
        messages.append(("error", text))
    counts = {s: sum(1 for f in report.files if f.status == s) for s in ui.STATUS_ZH}
    summary = (f"导入完成：已索引 {counts['indexed']}，未变化 {counts['unchanged']}，失败 {counts['failed']}，"
               f"移除 {counts['removed']}，重复 {counts['duplicate']}；用时 {report.seconds:.1f} 秒。")
    messages.append(("success" if not report.failed else "warning", summary))
    st.session_state.last_report = [
        {"状态": ui.STATUS_ZH.get(f.status, f.status), "文件": f.path,
         **({"页": f.pages, "分块": f.chunks, "案例": f.cases} if f.status in ("indexed", "unchanged")
            else {"页": "—", "分块": "—", "案例": "—"}),
         "说明": f.reason} for f in report.files]
    st.rerun()


# --------------------------------------------------------------------------- pages

def set_query(text: str) -> None:
    st.session_state.q = text


def page_search(rt: Runtime) -> None:
    kb = rt.kb
    st.header("案例检索")
    st.text_input("检索内容", key="q", placeholder="例如：家纺企业产品缺陷率高，别的地方怎么帮扶的？",
                  help="输入问题或关键词，按回车检索。")
    all_cases = kb.all_cases()
    cols = st.columns([2, 2, 2, 3, 1])
    industry = cols[0].selectbox("行业", [ALL, *kb.industries()], key="s_industry", placeholder="请选择",
                                 format_func=lambda x: "全部行业" if x == ALL else x)
    region = cols[1].selectbox("地区", [ALL, *ui.region_options(all_cases, kb.passage_regions())], key="s_region", placeholder="请选择",
                               format_func=lambda x: "全部地区" if x == ALL else x)
    kind = cols[2].selectbox("类型", [ALL, *ui.KIND_ZH], key="s_kind", placeholder="请选择",
                             format_func=lambda x: "全部类型" if x == ALL else ui.KIND_ZH[x])
    requested = cols[3].radio("检索方式", list(ui.MODE_ZH), key="s_mode", horizontal=True,
                              format_func=ui.MODE_ZH.get,
                              help="混合 = 关键词（BM25）与语义向量按名次融合；关键词 = 只看字面匹配；语义 = 只看意思相近。")
    top_k = cols[4].number_input("条数", min_value=1, max_value=50, value=10, key="s_top_k")
    query = (st.session_state.get("q") or "").strip()
    if not query:
        st.markdown("**可以这样问**（点击即可检索）：")
        ex_cols = st.columns(3)
        for i, example in enumerate(ui.EXAMPLE_QUERIES):
            ex_cols[i % 3].button(example, key=f"ex-{i}", on_click=set_query, args=(example,), width="stretch")
        st.caption("提示：可以用上方的行业、地区、类型缩小范围；结果卡片可“加入课件”，在“课件导出”页导出 DOCX/PPTX/Markdown。")
        return
    mode = mode_note(rt, requested)
    filters = Filters(industry=None if industry == ALL else industry, region=None if region == ALL else region,
                      kind=None if kind == ALL else kind)
    show_all = st.toggle("显示低相关度结果", key="s_all",
                         help="默认只显示达到相关度门槛的段落；打开后也显示门槛以下的段落。")
    try:
        # the answer is chosen among ANSWER_FROM_HITS passages however few are shown
        wider = kb.search(query, top_k=max(int(top_k), ANSWER_FROM_HITS), mode=mode, filters=filters,
                          include_all=show_all)
        hits = wider[:int(top_k)]
        answer = kb.answer(query, wider, filters) if mode != "bm25" else []
        outline = kb.outline(query, hits) if answer else None
    except KBError as exc:
        st.error(esc(str(exc)))
        return
    read = kb.read_query(query)  # 认正贷 → 认证贷 (a homophone typo of pinyin input)
    expansions = " ".join(glossary_expansions(read, kb.tokenizer))
    info = f"找到 {len(hits)} 条结果（{ui.MODE_ZH[mode]}检索）"
    if expansions:
        info += f"；按术语表扩展：{esc(expansions)}"
    st.caption(info)
    for note in kb.reading_notes(query):
        st.info(esc(note))
    absent = kb.absent_names(query)
    if absent:
        st.warning(f"文档中没有提到{'、'.join(f'“{esc(n)}”' for n in absent)}" +
                   ("，下面是按问题里其余的词找到的相近内容。" if hits else "。"))
    definitions = kb.definitions(query)
    if definitions:  # 啥叫采信: the plain explanation first
        with st.container(border=True, key="definitions"):
            for e in definitions:
                st.markdown(f"**{esc(e.term)}** 是什么意思：{esc(e.meaning)}")
                st.caption(f"术语表，依据：{esc(e.source)}")
    if not hits:
        # the CLI's note (a greeting, an off-topic question, nothing above the floor), worded for the
        # example buttons below it
        st.info(kb.empty_note(query, mode, show_all, filters, examples_below=True))  # fixed wording, no document text
        ex_cols = st.columns(3)
        for i, example in enumerate(ui.EXAMPLE_QUERIES):
            ex_cols[i % 3].button(example, key=f"ex-empty-{i}", on_click=set_query, args=(example,), width="stretch")
        return
    if answer:
        with st.container(border=True, key="direct-answer"):
            st.markdown("**直接回答**")
            unanswered = kb.unanswered(kb.read_query(query), answer)
            if unanswered:
                st.caption(f"{unanswered}；下面是与问题最相关的原文。")
            for a in answer:
                st.markdown(ui.emphasise_numbers(a.text))
                st.caption("出处：" + esc(citation_text(a.doc, a.section, a.page, printed=a.printed_page)))
            if outline:  # 哪几条经验: the chapter's own list of points
                st.markdown("**" + esc(outline_title(outline)) + "**")
                st.markdown("\n".join(f"- {esc(i.heading)}" + (f"（{page_text(i.page, printed=i.printed_page)}）" if i.page else "")
                                       for i in outline.items))
    main_col, side_col = st.columns([3, 1])
    with main_col:  # the passages first: the side column may wait for the model
        for hit in hits:
            draw_hit_card(hit, rt, kb.cases_of_chunk(hit.chunk.chunk_id))
    with side_col:
        if rt.model_ready:  # the case match needs the vectors; while the model loads, keyword results only
            draw_guidance(kb, query, filters.industry)
        draw_glossary([read, *(h.chunk.text for h in hits[:5])])


def draw_guidance(kb: KnowledgeBase, query: str, industry: str | None = None) -> None:
    """For an owner: the most comparable case(s) of the trade chosen or named in the question, or
    of the problem it describes when that matches a case clearly, with what was done and the figures."""
    try:
        industry, hits = kb.guidance(query, industry)
    except KBError:
        return
    if not hits:
        return
    with st.container(border=True, key="guidance"):
        heading = guidance_heading(industry, hits, query)
        name, _, rest = heading.partition("（")
        st.markdown(f"**{esc(name)}**" + (f"（{esc(rest)}" if rest else ""))
        for h in hits:
            c = h.case
            st.markdown(f"**{esc(c.title)}**")
            if c.measures:
                st.caption("做法：" + esc(c.measures[:120]) + ("…" if len(c.measures) > 120 else ""))
            st.markdown("成效：" + "；".join(ui.emphasise_numbers(outcome_text(o)) for o in headline_outcomes(c.outcomes, 4)))
            st.caption("出处：" + esc(citation_text(h.doc_title, c.section_path, c.page, c.page_end, h.ocr, h.ocr_confidence,
                                                   h.printed_of(c.page), h.printed_of(c.page_end))))


def draw_glossary(texts: list[str]) -> None:
    """Plain explanations of the glossary terms the question and the first results use."""
    entries = ui.glossary_terms(texts)
    if not entries:
        return
    with st.container(border=True, key="glossary"):
        st.markdown("**术语解释**")
        for e in entries[:8]:
            st.markdown(f"**{esc(e.term)}**：{esc(e.meaning)}")


def set_problem(industry: str, problem: str) -> None:
    st.session_state.c_industry = industry or ALL
    st.session_state.c_problem = problem


def page_cases(rt: Runtime) -> None:
    kb = rt.kb
    st.header("可比案例")
    c = kb.config
    st.caption("选择行业并描述问题，按匹配度排列案例记录（问题匹配 + 行业匹配 + 地区分散 + 量化成效，各项分值列在卡片上；"
               f"匹配度是各项之和，问题匹配最多 {c.case_problem_weight:g}、行业匹配 {c.case_industry_weight:g}"
               f"（同行业且问题也匹配时 {c.case_matching_industry_weight:g}，排在其他行业之前）、"
               f"量化成效最多 {c.case_evidence_weight:g}，所以可以超过 1），附概况、问题、做法、成效与出处。")
    all_cases = kb.all_cases()
    cols = st.columns([2, 2, 2, 1])
    industry = cols[0].selectbox("行业（GB/T 4754）", [ALL, *kb.industries()], key="c_industry", placeholder="请选择",
                                 format_func=lambda x: "不限行业" if x == ALL else x)
    region = cols[1].selectbox("地区", [ALL, *ui.region_options(all_cases)], key="c_region", placeholder="请选择",
                               format_func=lambda x: "全部地区" if x == ALL else x)
    kind = cols[2].selectbox("类型", [ALL, "enterprise_case", "local_experience"], key="c_kind", placeholder="请选择",
                             format_func=lambda x: "全部案例" if x == ALL else ui.KIND_ZH[x])
    top_k = cols[3].number_input("条数", min_value=1, max_value=50, value=10, key="c_top_k")
    # One line: Enter searches, and so does the 检索 button (a text area wanted Ctrl+Enter).
    q_cols = st.columns([6, 1], vertical_alignment="bottom")
    problem = q_cols[0].text_input("问题描述", key="c_problem",
                                   placeholder="例如：产品缺陷率高，返工多；或：小微企业融资难（回车检索）")
    q_cols[1].button("检索", key="c_go", icon=":material/search:", width="stretch")
    problem = (problem or "").strip()
    industry = None if industry == ALL else industry
    if not problem and not industry:
        st.markdown("**示例**（点击填入）：")
        ex_cols = st.columns(len(ui.EXAMPLE_PROBLEMS))
        for i, (ind, prob) in enumerate(ui.EXAMPLE_PROBLEMS):
            label = f"{ind}：{prob}" if ind else prob
            ex_cols[i].button(label, key=f"cex-{i}", on_click=set_problem, args=(ind, prob), width="stretch")
    try:
        if problem and not rt.model_ready and not rt.model_error:
            with st.spinner("语义模型正在加载，首次查询需要稍等…"):
                hits = kb.cases(industry=industry, problem=problem, region=None if region == ALL else region,
                                top_k=int(top_k), kind=None if kind == ALL else kind)
        else:
            hits = kb.cases(industry=industry, problem=problem or None, region=None if region == ALL else region,
                            top_k=int(top_k) if (problem or industry) else max(int(top_k), len(all_cases)),
                            kind=None if kind == ALL else kind)
    except KBError as exc:
        st.error(esc(str(exc)))
        return
    if not problem and not industry:
        st.caption(f"未填写条件：列出全部 {len(hits)} 个案例。")
    else:
        st.caption(f"找到 {len(hits)} 个可比案例。")
    if not hits:
        st.info("没有符合条件的案例。可以放宽行业或地区，或换个问题描述。")
    for note in kb.industry_notes(industry, hits, None if region == ALL else region, None if kind == ALL else kind, problem):
        st.info(esc(note))  # as kb cases and /api/cases: no case of the trade among these
    # A problem with no trade: cases that do not clearly match it are set apart (as kb cases does).
    notes = weak_notes(hits, kb.config.guidance_problem_min)
    for h in hits:
        if h.rank in notes:
            st.caption(notes[h.rank])
        draw_case_card(h, key=f"case-{h.case.case_id}", rt=rt, show_score=bool(problem or industry))


def page_manage(rt: Runtime, stats: dict | None) -> None:
    kb = rt.kb
    st.header("知识库管理")
    if st.session_state.last_report:
        with st.expander("上次导入的逐个文件结果", expanded=True):
            report = st.session_state.last_report
            st.dataframe(report, hide_index=True, width="stretch",
                         row_height=ui.wrap_row_height(v for r in report for v in (r["文件"], r["说明"])),
                         column_config={"文件": st.column_config.TextColumn("文件", width="large"),
                                        "说明": st.column_config.TextColumn("说明", width="large")})
    if stats:
        cols = st.columns(5)
        cols[0].metric("文档", stats["documents"])
        cols[1].metric("页", stats["pages"])
        cols[2].metric("分块", stats["chunks"])
        cols[3].metric("案例", stats["cases"])
        cols[4].metric("量化成效", stats["outcomes"])
        model = stats.get("model") or {}
        st.caption(esc(f"索引版本 {stats['generation']}（创建于 {stats['created']}）；嵌入模型 {model.get('id')}"
                       f"（{model.get('dim')} 维）；向量索引 {stats['vector_index']}；目录 {stats['index_dir']}"))
        docs = kb.documents()
        ocr_chunks: dict[str, int] = {}
        for c in kb.chunks():
            if c.ocr:
                ocr_chunks[c.doc_id] = ocr_chunks.get(c.doc_id, 0) + 1
        st.subheader("已索引的文档")
        # Long titles and file names wrap (taller rows) instead of being cut off at the column's edge.
        st.dataframe([{"标题": d.title, "页数": d.pages, "分块": d.chunks, "OCR 分块": ocr_chunks.get(d.doc_id, 0),
                       "案例": d.cases, "格式": d.format.upper(), "文件": d.path, "文档编号": d.doc_id} for d in docs],
                     hide_index=True, width="stretch",
                     row_height=ui.wrap_row_height(v for d in docs for v in (d.title, d.path)),
                     column_config={"标题": st.column_config.TextColumn("标题", width="large"),
                                    "文件": st.column_config.TextColumn("文件", width="large")})
        if ocr_chunks:
            st.caption("“OCR 分块”来自扫描页（没有文字层，经 OCR 识别），引用时标注“扫描件 OCR 识别”及置信度，请核对原件。")
    else:
        docs = []
        st.info("还没有索引。上传文件或点击“重新扫描 corpus/”建立索引。")

    st.subheader("上传文档")
    # The smaller of the library's limit and the server's upload limit (.streamlit/config.toml).
    max_mb = min(kb.config.max_file_mb, int(st.get_option("server.maxUploadSize")))
    # No type= filter: the widget would refuse other files in English; check_upload refuses them in
    # Chinese with what to do (.doc → 另存为 .docx), as for a file dropped into corpus/.
    files = st.file_uploader(f"PDF（含加密、扫描件）、DOCX、PPTX、TXT、MD，单个文件不超过 {max_mb} MB；保存到 corpus/ 后"
                             "自动导入。扫描页需 OCR 识别，每页约数秒，导入时显示进度",
                             accept_multiple_files=True,
                             key=f"uploader-{st.session_state.uploader_round}", max_upload_size=max_mb)
    if files and st.button("保存并导入", type="primary", key="upload-go"):
        saved: list[Path] = []
        for f in files:
            data = f.getvalue()
            check = ui.check_upload(f.name, data, max_mb)
            if not check.ok:
                st.session_state.messages.append(("error", f"{f.name}：{check.reason}"))
                continue
            same = ui.find_same_content(kb.config.corpus_dir, data)
            if same is not None:
                st.session_state.messages.append(("warning", f"{f.name}：与已有文件“{same.name}”内容相同，未重复保存。"))
                continue
            try:
                path = ui.save_upload(kb.config.corpus_dir, f.name, data)
            except (OSError, ValueError) as exc:
                st.session_state.messages.append(("error", f"{f.name}：保存失败（{exc}）"))
                continue
            if path.name != f.name:
                st.session_state.messages.append(("info", f"{f.name} 已保存为 corpus/{path.name}（文件名已规范或已有同名文件）。"))
            saved.append(path)
        st.session_state.uploader_round += 1
        if saved:
            run_ingest(rt, uploaded=tuple(saved))
        st.rerun()

    st.subheader("维护")
    cols = st.columns(2)
    with cols[0]:
        st.markdown("**重新扫描 corpus/**：导入新增或改动的文件，已删除的文件移出索引（未变化的文件不重新计算）。")
        if st.button("重新扫描 corpus/", key="rescan"):
            run_ingest(rt)
    with cols[1]:
        st.markdown("**完全重建**：忽略旧索引，全部重新解析和嵌入（更换模型或词典后使用）。")
        confirm = st.checkbox("我确认要完全重建", key="confirm-rebuild")
        if st.button("完全重建索引", key="rebuild", disabled=not confirm):
            run_ingest(rt, rebuild=True)
    st.caption("导入或重建期间，其他用户仍按旧索引检索；新索引完成后自动切换。")

    if docs:
        st.subheader("删除文档")
        labels = {d.doc_id: f"{d.title}（{d.path}）" for d in docs}
        doc_id = st.selectbox("选择要删除的文档", list(labels), format_func=labels.get, key="del-doc",
                              placeholder="请选择")
        doc = next(d for d in docs if d.doc_id == doc_id)
        src = ui.source_in_corpus(kb.config.home, kb.config.corpus_dir, doc.path)
        if src is None:
            st.info("该文档的源文件不在 corpus/ 中（或已不存在），无法在这里删除；点击“重新扫描 corpus/”可同步索引。")
        else:
            # the whole title: the select box above cuts a long one off
            st.caption(esc(f"将删除“{doc.title}”的源文件 {src}，然后重新导入 corpus/（该文档及其 {doc.chunks} 个分块、{doc.cases} 个案例移出索引）。"))
            confirm = st.checkbox("我确认删除该文档的源文件", key=f"confirm-del-{doc_id}")
            if st.button("删除并更新索引", key="delete", disabled=not confirm, type="primary"):
                try:
                    src.unlink()
                except OSError as exc:
                    st.session_state.messages.append(("error", f"删除失败：{exc}"))
                    st.rerun()
                st.session_state.messages.append(("info", f"已删除 corpus/{src.name}"))
                run_ingest(rt)


def page_debug(rt: Runtime) -> None:
    kb = rt.kb
    st.header("检索测试")
    st.caption("查看每条结果在关键词（BM25）和语义（向量）两路检索中的名次，以及融合后的分数（0–1）。")
    cols = st.columns([4, 2, 1])
    query = cols[0].text_input("测试查询", key="t_query", placeholder="例如：认证贷")
    requested = cols[1].radio("检索方式", list(ui.MODE_ZH), key="t_mode", horizontal=True, format_func=ui.MODE_ZH.get)
    top_k = cols[2].number_input("条数", min_value=1, max_value=100, value=20, key="t_top_k")
    query = (query or "").strip()
    if not query:
        st.info("输入一个查询，查看各路名次。")
        return
    mode = mode_note(rt, requested)
    try:
        hits = kb.search(query, top_k=int(top_k), mode=mode)
    except KBError as exc:
        st.error(esc(str(exc)))
        return
    expanded = kb.expand_query(query)
    tokens = kb.tokenizer.tokenize(expanded)
    st.markdown(f"**检索用词**（BM25，含同义扩展；每个词列一次）：{esc(' / '.join(dict.fromkeys(tokens)))}")
    if not hits:
        st.info("没有结果。")
        return
    rows = ui.hits_table(hits)
    st.dataframe(rows, hide_index=True, row_height=ui.wrap_row_height((r["章节"] for r in rows), max_lines=4),
                 column_config={"章节": st.column_config.TextColumn("章节", width="large"),
                                "段落": st.column_config.TextColumn("段落", width="large"),"融合分数": st.column_config.ProgressColumn("融合分数", min_value=0.0, max_value=1.0,
                                                                          format="%.3f")})
    st.caption("名次为空表示该路检索的候选中没有这条结果。")


def move_item(i: int, delta: int) -> None:
    basket = st.session_state.basket
    j = i + delta
    if 0 <= j < len(basket):
        basket[i], basket[j] = basket[j], basket[i]
        save_basket()


def remove_item(i: int) -> None:
    del st.session_state.basket[i]
    save_basket()


def clear_basket() -> None:
    st.session_state.basket = []
    save_basket()


def page_export(rt: Runtime) -> None:
    st.header("课件导出")
    basket: list[ExportItem] = st.session_state.basket
    if not basket:
        st.info("课件篮是空的。在“案例检索”或“可比案例”页点击“加入课件”收集段落和案例。")
        return
    cols = st.columns(2)
    title = cols[0].text_input("课件标题", value=DEFAULT_TITLE, key="e_title")
    name = cols[1].text_input("文件名（不含扩展名）", key="e_name", placeholder="不填则用课件标题",
                              help="文件名中的“/”等不能用于文件名的字符换成“_”。")
    # a "/" in the title or the name is part of the file name, never a folder (safe_export_name)
    stem = (name or "").strip() or (title or "").strip() or DEFAULT_TITLE
    st.markdown(f"共 **{len(basket)}** 条素材：")
    for i, it in enumerate(basket):
        with st.container(border=True):
            st.markdown(f"**{i + 1}\\. {esc(it.title)}** " + ui.tag_badges(it.kind, it.region, it.industry))
            st.markdown(esc(it.text[:200] + ("…" if len(it.text) > 200 else "")))
            if it.outcomes:
                st.markdown(ui.outcome_badges(it.outcomes))
            st.caption("出处：" + esc(item_citation(it)))
            with st.container(horizontal=True):
                st.button("上移", key=f"up-{it.key}", on_click=move_item, args=(i, -1), disabled=i == 0,
                          icon=":material/arrow_upward:")
                st.button("下移", key=f"down-{it.key}", on_click=move_item, args=(i, 1),
                          disabled=i == len(basket) - 1, icon=":material/arrow_downward:")
                st.button("移除", key=f"rm-{it.key}", on_click=remove_item, args=(i,), icon=":material/delete:")
    st.divider()
    kb = rt.kb
    told = without_told_cases(basket, lambda cid: c.passage_ids if (c := kb.case(cid)) else None)
    if len(told) < len(basket):
        st.caption(f"有 {len(basket) - len(told)} 个案例记录的原文段落已在课件篮里（同一案例既作为段落又作为案例加入），"
                   "导出时只保留段落，不重复列出。")
    row = st.container(horizontal=True)
    basket = told
    row.download_button("导出 DOCX", data=export_docx(basket, title), file_name=safe_export_name(stem, ".docx"),
                            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            type="primary", key="dl-docx", icon=":material/description:")
    row.download_button("导出 PPTX", data=export_pptx(basket, title), file_name=safe_export_name(stem, ".pptx"),
                        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                        key="dl-pptx", icon=":material/slideshow:",
                        help="PowerPoint 幻灯片：每条素材一页（长文自动分页），成效前后对比图，出处在备注中")
    row.download_button("导出 Markdown", data=export_markdown(basket, title).encode("utf-8"),
                            file_name=safe_export_name(stem, ".md"), mime="text/markdown", key="dl-md",
                            icon=":material/article:")
    sure = row.checkbox("确认清空", key="confirm-clear")
    row.button("清空课件篮", key="clear-basket", on_click=clear_basket, icon=":material/delete_sweep:", disabled=not sure)
    st.caption("课件篮保存在本机，跟随当前网址（地址栏中的 ?s=…）：收藏或记下这个网址，下次打开同一网址即可继续；"
               "把网址发给别人，对方看到并能修改的是同一个课件篮。")


# --------------------------------------------------------------------------- shell

@st.fragment(run_every=2)
def model_watch(rt: Runtime) -> None:
    """Re-run the page once the model is ready, so keyword-only results turn into hybrid ones."""
    if rt.model_ready or rt.model_error:
        st.rerun(scope="app")
    st.caption("语义模型：加载中…（先提供关键词检索）")


def page_to_url() -> None:
    """Keep the page shown in the URL (?p=…); the other parameters (the basket's ?s=…) stay."""
    slug = ui.PAGE_SLUGS[st.session_state.page]
    if st.query_params.get("p") != slug:
        st.query_params["p"] = slug


def sidebar(rt: Runtime, stats: dict | None) -> str:
    with st.sidebar:
        st.title("提升行动案例知识库")
        page = st.radio("页面", PAGES, key="page", format_func=lambda p: f"{PAGE_ICONS[p]} {p}",
                        label_visibility="collapsed")
        page_to_url()
        st.divider()
        if stats:
            st.caption(f"文档 {stats['documents']} · 分块 {stats['chunks']} · 案例 {stats['cases']}")
        if rt.model_error:
            st.caption(f"语义模型：不可用（{esc(rt.model_error)}）")
        elif rt.model_ready:
            st.caption("语义模型：已就绪")
        else:
            model_watch(rt)
        st.caption(f"课件篮：{len(st.session_state.basket)} 条")
    return page


def main() -> None:
    st.set_page_config(page_title="提升行动案例知识库", page_icon="📚", layout="wide")
    st.html(ui.APP_CSS)  # a static CSS file only (no document text): hides Streamlit's English input hint
    try:
        render()
    except Exception:  # st.rerun/st.stop are BaseExceptions and pass through
        # A bug, or the program updated under a running server (app.py reloads, kb does not): a
        # Chinese message, and the details in the server's log instead of an English traceback.
        logging.getLogger("kb").exception("app page failed")
        st.error("页面出错（程序内部错误），详细信息已写入运行日志。请刷新页面重试；如果刚更新过程序，请重启应用"
                 "（在运行 make run 的终端按 Ctrl+C 后重新运行）。")


def render() -> None:
    config = KBConfig()
    init_state(config.home)
    rt = open_runtime(str(config.home), config.model)
    stats, problem = None, None
    try:
        stats = rt.kb.stats()
    except IndexMissing:
        problem = "missing"
    except KBError as exc:
        problem = str(exc)
    page = sidebar(rt, stats)
    for level, text in st.session_state.messages:  # results of the last ingest/upload, shown once
        getattr(st, level)(esc(text))
    st.session_state.messages = []
    if page in ("知识库管理", "课件导出"):
        if problem not in (None, "missing"):
            st.error(f"索引不可用：{esc(problem.rstrip('。'))}。可以在下方“完全重建索引”。")
        if page == "知识库管理":
            page_manage(rt, stats)
        else:
            page_export(rt)
        return
    if problem == "missing":
        st.header(page)
        no_index(rt)
        return
    if problem:
        st.header(page)
        st.error(f"索引不可用：{esc(problem.rstrip('。'))}。可以用现有 corpus/ 完全重建索引。")
        if st.button("完全重建索引", type="primary", key="rebuild-broken"):
            run_ingest(rt, rebuild=True)
        return
    with rt.kb.pinned():  # the page's hits, answer and cases from one generation
        {"案例检索": page_search, "可比案例": page_cases, "检索测试": page_debug}[page](rt)


main()
