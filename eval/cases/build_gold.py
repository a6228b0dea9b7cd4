"""Write the SYNTHETIC gold documents and their expectations (``eval/cases/``).

    .venv/bin/python eval/cases/build_gold.py

合成测试材料: all text comes from ``eval/cases/specs.py`` and is invented. Every document says
so in its title and first line. Layouts: inline labels (TXT), short labels in one paragraph
(TXT, with labels out of order and an empty label), sub-headings (DOCX and PDF), a table of
before/after figures (DOCX), unlabelled prose in a report (PDF), and one case per file
(TXT, DOCX, PDF).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT)]

from specs import INLINE, PROSE, SHORT, SINGLE, SUBHEAD, TABLE  # noqa: E402

from tests.pdfgen import wrap, write_pdf  # noqa: E402

DOCS = HERE / "docs"
NOTICE = "本文件为合成测试材料，企业、地点和数字均为虚构，仅用于评测案例抽取。"
CN = "一二三四五六七八九十"


def cn(n: int) -> str:
    """1 → 一, 12 → 十二."""
    if n <= 10:
        return CN[n - 1]
    return "十" + CN[n - 11] if n < 20 else CN[n // 10 - 1] + "十" + (CN[n % 10 - 1] if n % 10 else "")


def write_txt(name: str, paragraphs: list[str]) -> str:
    (DOCS / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return name


def write_docx(name: str, blocks: list) -> str:
    """``blocks``: strings (paragraphs) or lists of rows (tables)."""
    import docx

    d = docx.Document()
    for b in blocks:
        if isinstance(b, str):
            d.add_paragraph(b)
        else:
            t = d.add_table(rows=len(b), cols=len(b[0]))
            for r, row in enumerate(b):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
    d.core_properties.title = blocks[0]
    d.save(str(DOCS / name))
    return name


def write_pdf_doc(name: str, paragraphs: list[str], per_page: int = 30) -> str:
    lines = [line for p in paragraphs for line in wrap(p, 30)]
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    write_pdf(DOCS / name, pages, title=paragraphs[0])
    return name


def expect(s: dict, file: str, layout: str) -> dict:
    return {
        "file": file, "layout": layout, "key": s["key"], "province": s["province"], "city": s["city"],
        "industry": s["industry"], "problem_words": s["pw"], "measure_words": s["mw"],
        "outcomes": [dict(zip(("metric", "before", "after", "change"), o)) for o in s["oc"]],
        "facts": s["facts"],
    }


def inline_doc() -> list[dict]:
    paras = ["合成测试材料：小微企业质量提升企业案例汇编（标注式）", NOTICE]
    for n, s in enumerate(INLINE, start=1):
        paras += [f"案例{n}：{s['title']}", f"企业概况：{s['profile']}", f"存在问题：{s['problem']}",
                  f"帮扶措施：{s['measures']}", f"取得成效：{s['results']}"]
    f = write_txt("A_标注式案例汇编.txt", paras)
    return [expect(s, f, "inline") for s in INLINE]


def short_doc() -> list[dict]:
    paras = ["合成测试材料：企业优良案例选编（简写标注）", NOTICE]
    for n, s in enumerate(SHORT, start=1):
        parts = [s["profile"], f"问题：{s['problem']}", f"做法：{s['measures']}", f"成效：{s['results']}"]
        if n == 3:  # labels in an unexpected order
            parts = [s["profile"], f"成效：{s['results']}", f"做法：{s['measures']}", f"问题：{s['problem']}"]
        paras += [f"{cn(n)}、{s['title']}", "".join(parts)]
    f = write_txt("B_简写标注案例选编.txt", paras)
    return [expect(s, f, "inline-short") for s in SHORT]


def _subhead_blocks(specs: list[dict], labels: list[tuple[str, str, str, str]]) -> list[str]:
    out = []
    for n, s in enumerate(specs, start=1):
        lab = labels[(n - 1) % len(labels)]
        out += [f"{cn(n)}、{s['title']}", f"（一）{lab[0]}", s["profile"], f"（二）{lab[1]}", s["problem"],
                f"（三）{lab[2]}", s["measures"], f"（四）{lab[3]}", s["results"]]
    return out


def subhead_docs() -> list[dict]:
    docx_specs, pdf_specs = SUBHEAD[:6], SUBHEAD[6:]
    f1 = write_docx("C_分标题案例汇编.docx", ["合成测试材料：地方质量提升典型经验汇编（分标题）", NOTICE]
                    + _subhead_blocks(docx_specs, [("基本情况", "存在问题", "主要做法", "取得成效")]))
    f2 = write_pdf_doc("C_分标题案例汇编.pdf", ["合成测试材料：质量提升典型案例汇编（PDF）", NOTICE]
                       + _subhead_blocks(pdf_specs, [("企业简介", "面临困难", "经验做法", "工作成效"),
                                                     ("基本情况", "主要问题", "具体举措", "主要成效")]))
    return [expect(s, f1, "subheadings") for s in docx_specs] + [expect(s, f2, "subheadings") for s in pdf_specs]


def table_doc() -> list[dict]:
    blocks: list = ["合成测试材料：企业质量提升成效对比案例（表格）", NOTICE]
    for n, s in enumerate(TABLE, start=1):
        blocks += [f"{cn(n)}、{s['title']}", f"企业概况：{s['profile']}", f"主要问题：{s['problem']}",
                   f"具体举措：{s['measures']}", "帮扶前后主要指标对比如下：",
                   [["指标", "帮扶前", "帮扶后"]] + [list(r) for r in s["results"]]]
    f = write_docx("D_成效对比表案例.docx", blocks)
    return [expect(s, f, "table") for s in TABLE]


def prose_doc() -> list[dict]:
    paras = ["合成测试材料：某省小微企业质量提升工作情况", NOTICE, "一、工作开展情况",
             "2023年，全省持续推进小微企业质量管理体系认证提升行动，各地结合产业特点开展帮扶。"]
    for s in PROSE:
        paras.append(f"{s['measures']}。{s['profile']}{s['results']}")
        paras.append("各地认证机构持续跟踪帮扶成效。")
    paras += ["二、下一步工作", "继续扩大提升行动覆盖面。"]
    f = write_pdf_doc("E_工作情况报告.pdf", paras)
    return [expect(s, f, "prose") for s in PROSE]


def single_docs() -> list[dict]:
    out = []
    for n, s in enumerate(SINGLE):
        title = f"合成测试材料：{s['title']}"
        if n % 2 == 0:  # inline labels
            body = [title, NOTICE, f"企业概况：{s['profile']}", f"存在问题：{s['problem']}",
                    f"主要做法：{s['measures']}", f"取得成效：{s['results']}"]
        else:  # sub-headings
            body = [title, NOTICE, "一、基本情况", s["profile"], "二、存在问题", s["problem"],
                    "三、具体举措", s["measures"], "四、工作成效", s["results"]]
        stem = f"F{n + 1}_{s['key']}"
        if n < 2:
            f = write_txt(f"{stem}.txt", body)
        elif n < 4:
            f = write_docx(f"{stem}.docx", body)
        else:
            f = write_pdf_doc(f"{stem}.pdf", body)
        out.append(expect(s, f, "single"))
    return out


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for old in DOCS.iterdir():
        old.unlink()
    gold = inline_doc() + short_doc() + subhead_docs() + table_doc() + prose_doc() + single_docs()
    with open(HERE / "gold.jsonl", "w", encoding="utf-8") as fh:
        for g in gold:
            fh.write(json.dumps(g, ensure_ascii=False) + "\n")
    print(f"{len(gold)} 条期望记录，{len(list(DOCS.iterdir()))} 个文件")


if __name__ == "__main__":
    main()
