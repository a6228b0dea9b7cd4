"""Command line: parse flags, make one library call, print. ``KBError`` → exit code."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .config import KBConfig
from .errors import KBError, os_reason
from .industries import industry_list
from .present import (
    KIND_ZH,
    STATUS_ZH,
    guidance_heading,
    headline_outcomes,
    ocr_text,
    outcome_text,
    outline_title,
    page_text,
    progress_item,
    score_parts_text,
    weak_notes,
)
from .records import KIND_CHOICES, KINDS, kind_value


def _kb(args):
    from .knowledge_base import KnowledgeBase

    config = KBConfig()
    if getattr(args, "model", None):
        config = replace(config, model=args.model)
    return KnowledgeBase(config)


def _positive_int(text: str) -> int:
    """argparse type for counts such as --top-k: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，收到“{text}”") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数（至少 1），收到 {value}")
    return value


def _export_top_k(text: str) -> int:
    """argparse type for kb export --top-k: 1–50 (a course pack of hundreds of items per query
    takes minutes and is no course pack)."""
    value = _positive_int(text)
    if value > 50:
        raise argparse.ArgumentTypeError(f"每个查询最多导出 50 条，收到 {value}")
    return value


def _port(text: str) -> int:
    """argparse type for --port: 1–65535."""
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"端口应在 1–65535 之间，收到 {value}")
    return value


def _rate(text: str) -> float:
    """argparse type for --rate: a finite number of at least 0 (0: no limit)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为数字，收到“{text}”") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"应为 0 或正数（0 表示不限），收到 {text}")
    return value


def _check_listen(host: str, port: int) -> None:
    """Fail early, in Chinese, when ``host:port`` cannot be bound (before the model loads; uvicorn
    would log an English error and exit)."""
    import errno
    import socket

    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise KBError(f"无法识别监听地址“{host}”：应为本机的 IP 地址或主机名，如 127.0.0.1。") from exc
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(addr)
        except OSError as exc:
            reason = {errno.EADDRINUSE: "端口已被占用", errno.EACCES: "没有权限（1024 以下的端口需要管理员权限）",
                      errno.EADDRNOTAVAIL: "本机没有这个地址"}.get(exc.errno, exc.strerror or str(exc))
            raise KBError(f"无法在 {host}:{port} 上监听：{reason}。可以用 --port 换一个端口，或用 --host 换地址。") from exc


def _unquote(text: str) -> str:
    """'magic' → magic (argparse quotes values with repr)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _list_zh(text: str) -> str:
    """"'hybrid', 'bm25'" → "hybrid、bm25"."""
    return "、".join(_unquote(part) for part in text.split(", "))


# argparse's own messages (Python 3.11–3.13 wording) → Chinese; anything else is shown as it is.
_ARGPARSE_ZH: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)$"),
     lambda m: f"无效的取值“{_unquote(m['value'])}”（可选：{_list_zh(m['choices'])}）"),
    (re.compile(r"unrecognized arguments: (?P<args>.*)$"), lambda m: f"无法识别的参数：{m['args']}"),
    (re.compile(r"the following arguments are required: (?P<names>.*)$"),
     lambda m: f"缺少必需的参数：{_list_zh(m['names'])}"),
    (re.compile(r"expected one argument$"), lambda m: "需要给出一个值"),
    (re.compile(r"expected at most one argument$"), lambda m: "最多只能给出一个值"),
    (re.compile(r"expected at least one argument$"), lambda m: "至少需要给出一个值"),
    (re.compile(r"invalid int value: (?P<value>.*)$"), lambda m: f"应为整数，收到“{_unquote(m['value'])}”"),
    (re.compile(r"invalid float value: (?P<value>.*)$"), lambda m: f"应为数字，收到“{_unquote(m['value'])}”"),
    (re.compile(r"invalid (?P<type>\w+) value: (?P<value>.*)$"), lambda m: f"取值不合法：“{_unquote(m['value'])}”"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)$"),
     lambda m: f"选项 {m['option']} 不明确，可能是：{_list_zh(m['matches'])}"),
    (re.compile(r"ignored explicit argument (?P<value>.*)$"), lambda m: f"该选项不接受值（收到 {m['value']}）"),
    (re.compile(r"not allowed with argument (?P<other>.*)$"), lambda m: f"不能与 {m['other']} 同时使用"),
    (re.compile(r"one of the arguments (?P<names>.*) is required$"), lambda m: f"需要给出其中一个参数：{m['names']}"),
]
_ARGUMENT_PREFIX = re.compile(r"^argument (?P<name>.+?): (?P<rest>.*)$", re.DOTALL)


def argparse_message_zh(message: str) -> str:
    """argparse's English error ``message`` in Chinese (unknown wording is returned unchanged)."""
    m = _ARGUMENT_PREFIX.match(message)
    if m:
        return f"参数 {m['name']}：{argparse_message_zh(m['rest'])}"
    for pattern, render in _ARGPARSE_ZH:
        found = pattern.match(message)
        if found:
            return render(found)
    return message


class ArgumentParser(argparse.ArgumentParser):
    """argparse with Chinese error messages (exit code 2 as before), and a query may start with "-".

    ``kb search "-6.0%"``: argparse takes any word starting with "-" for an option; when it is
    none of this command's options and the command's optional positional text is still empty,
    it is that text (a query, a glossary word), not an error.
    """

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras and extras[0].startswith("-") and extras[0] not in ("-", "--"):
            slot = next((a for a in self._actions if not a.option_strings and a.nargs == "?" and a.type is None
                         and a.choices is None and getattr(namespace, a.dest, None) is None), None)
            if slot is not None:
                setattr(namespace, slot.dest, extras[0])
                extras = extras[1:]
        return namespace, extras

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "用法：", 1)

    def format_help(self) -> str:
        text = super().format_help().replace("usage: ", "用法：", 1)
        for en, zh in _HELP_HEADINGS:
            text = text.replace(en, zh)
        return text

    def error(self, message: str):
        self.exit(2, f"{self.format_usage()}{self.prog}：错误：{argparse_message_zh(message)}\n")


# argparse's own section headings, in Chinese (kb --help, kb search --help …).
_HELP_HEADINGS = (("\npositional arguments:\n", "\n位置参数：\n"), ("\noptions:\n", "\n选项：\n"),
                  ("\noptional arguments:\n", "\n选项：\n"))


def _print_json(obj) -> None:
    """One JSON document on stdout: UTF-8 text as is; on a terminal whose encoding cannot hold
    every character (a GBK console and an emoji), \\u escapes, which every JSON reader decodes."""
    text = json.dumps(obj, ensure_ascii=False)
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj)
    except LookupError:
        pass
    print(text)


def _tolerant_output() -> None:
    """Characters the terminal's encoding lacks (an emoji on a GBK console) print as "?" instead
    of ending the command with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.errors or "strict") == "strict":
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


class _Bar:
    """Progress on stderr: tqdm bars, one per stage, on a terminal; plain lines when stderr is a
    file or a pipe (no carriage returns or cursor codes in a log)."""

    def __init__(self, enabled: bool, plain: bool | None = None):
        self.enabled = enabled
        self.plain = not sys.stderr.isatty() if plain is None else plain
        self.bars = {}
        self._last = ""

    def __call__(self, stage: str, done: int, total: int, item: str) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        label = {"parse": "解析文件", "embed": "生成向量", "ocr": "OCR 识别", "milvus": "写入 Milvus"}.get(stage, stage)
        if self.plain:
            if stage == "ocr":
                line = f"{label}：{item}"
            elif item:  # working on item number done + 1
                line = f"{label} {min(done + 1, total)}/{total}：{item}"
            else:
                line = f"{label} {done}/{total}"
            if line != self._last:
                print(line, file=sys.stderr, flush=True)
                self._last = line
            return
        bar = self.bars.get(stage)
        if bar is None or bar.total != total:
            if bar is not None:
                bar.close()
            # One OCR bar per scanned file (page n/N and the time left), removed when it is done.
            bar = self.bars[stage] = tqdm(total=total, desc=label, unit="页" if stage == "ocr" else "项",
                                          file=sys.stderr, leave=stage != "ocr")
        bar.n = done
        if item:
            bar.set_postfix_str(progress_item(item), refresh=False)
        bar.refresh()
        if done >= total:
            bar.close()
            del self.bars[stage]


def cmd_ingest(args) -> int:
    if any(not str(p).strip() for p in args.paths or ()):
        raise KBError("导入路径不能为空（空字符串会被当作当前目录）；不给路径则导入 corpus/。")
    kb = _kb(args)
    report = kb.ingest(args.paths or None, rebuild=args.rebuild, progress=_Bar(not args.quiet and not args.json))
    counts = {s: sum(1 for f in report.files if f.status == s) for s in STATUS_ZH}
    if args.json:
        for f in report.files:
            _print_json(f.__dict__)
        _print_json({"summary": {"files": len(report.files), **counts, "changed": report.changed,
                                 "generation": report.generation, "embedded_chunks": report.embedded_chunks,
                                 "seconds": round(report.seconds, 2), "notes": report.notes}})
        return 1 if report.failed else 0
    for note in report.notes:
        print(f"提示：{note}")
    rows = [("状态", "文件", "页", "分块", "案例", "说明")]
    for f in report.files:
        rows.append((STATUS_ZH.get(f.status, f.status), f.path, str(f.pages or ""), str(f.chunks or ""),
                     str(f.cases or ""), f.reason))
    _print_table(rows)
    print(f"\n共 {len(report.files)} 个文件：已索引 {counts['indexed']}，未变化 {counts['unchanged']}，"
          f"失败 {counts['failed']}，移除 {counts['removed']}，重复 {counts['duplicate']}；用时 {report.seconds:.1f} 秒。")
    if report.changed:
        s = kb.stats()
        print(f"新索引 {report.generation}：{s['documents']} 个文档，{s['pages']} 页，{s['chunks']} 个分块，"
              f"{s['cases']} 个案例（新嵌入 {report.embedded_chunks} 个分块）。")
    else:
        print("索引没有变化" + ("（其余文件内容未改动）。" if report.failed else "（所有文件内容未改动）。"))
    if report.failed:
        dropped = sum(1 for f in report.failed if "不在新索引中" in f.reason)
        kept = sum(1 for f in report.failed if "保留该文件的上一版本" in f.reason)
        print(f"有 {len(report.failed)} 个文件导入失败，其余文件已正常索引" +
              (f"；其中 {kept} 个仍用索引中的上一版本" if kept else "") +
              (f"；{dropped} 个在重建时读取失败，已不在新索引中（修好文件后再运行 kb ingest 即可加回）" if dropped else "") + "。",
              file=sys.stderr)
        return 1
    return 0


def _cell(text: str) -> str:
    """A table cell on one line: a newline or tab in a file name would break the columns."""
    return re.sub(r"[\x00-\x1f\x7f]", "␤", str(text))


def _print_table(rows) -> None:
    import unicodedata

    def w(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)

    rows = [[_cell(c) for c in r] for r in rows]
    widths = [max(w(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell + " " * (widths[i] - w(cell)) for i, cell in enumerate(r)).rstrip())


def _filters(args):
    from .retrieval import Filters

    return Filters(industry=args.industry, region=args.region, kind=args.kind, doc=args.doc)


def _print_filter_notes(kb, industry: str | None, region: str | None, doc: str | None = None) -> None:
    """Unknown --industry/--region/--doc values: say so on stderr (stdout, e.g. JSON, is unchanged)."""
    for note in kb.filter_notes(industry, region, doc):
        print(f"提示：{note}", file=sys.stderr)


def cmd_search(args) -> int:
    kb = _kb(args)
    with kb.pinned():  # hits, answer and cases from one generation, even if an ingest swaps it
        return _search(kb, args)


_CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


def _search(kb, args) -> int:
    from .retrieval import ANSWER_FROM_HITS

    filters = _filters(args)
    _print_filter_notes(kb, args.industry, args.region, args.doc)
    if args.batch and args.query:
        raise KBError("--batch 与查询词不能同时给出：查询文件里每行一个问题；只查一个问题时去掉 --batch。")
    if args.batch:
        path = Path(args.batch)
        try:
            # Output line n answers input line n: a blank line gets its own (empty) answer.
            queries = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
        except OSError as exc:
            raise KBError(f"无法读取查询文件 {path}：{os_reason(exc)}") from exc
        except UnicodeDecodeError as exc:
            raise KBError(f"查询文件 {path} 不是 UTF-8 编码的文本。") from exc
        for q in queries:
            _print_json(kb.search_json(q, top_k=args.top_k, mode=args.mode, filters=filters,
                                       include_all=args.all))
        return 0
    args.query = _CONTROL.sub("", args.query or "").strip()  # an ANSI colour code pasted with the text
    if not args.query:
        raise KBError("请给出查询词，例如：kb search \"家纺企业产品缺陷率高\"，或用 --batch 文件。")
    if args.json:
        _print_json(kb.search_json(args.query, top_k=args.top_k, mode=args.mode, filters=filters,
                                   include_all=args.all))
        return 0
    for note in kb.reading_notes(args.query):  # 已按“认证贷”理解“认正贷”。
        print(f"提示：{note}")
    # the answer is chosen among ANSWER_FROM_HITS passages however few are shown
    wider = kb.search(args.query, top_k=max(args.top_k, ANSWER_FROM_HITS), mode=args.mode, filters=filters,
                      include_all=args.all)
    hits = wider[:args.top_k]
    absent = kb.absent_names(args.query)
    if absent:
        print(f"提示：文档中没有提到{'、'.join(f'“{n}”' for n in absent)}" +
              ("，下面是按问题里其余的词找到的相近内容。\n" if hits else "。"))
    definitions = kb.definitions(args.query)
    if definitions:  # 啥叫采信: the plain explanation first
        print("术语解释：")
        for e in definitions:
            print(f"  {e.term}：{e.meaning}（依据：{e.source}）")
        print()
    if not hits:
        print(kb.empty_note(args.query, args.mode, args.all, filters))
        return 0
    answer = kb.answer(args.query, wider, filters) if args.mode != "bm25" else []
    scanned = {h.chunk.chunk_id: h.chunk for h in hits if h.chunk.ocr}
    if answer:
        print("直接回答：")
        unanswered = kb.unanswered(kb.read_query(args.query), answer)
        if unanswered:
            print(f"  （{unanswered}；下面是与问题最相关的原文）")
        for a in answer:
            ocr = ocr_text(scanned[a.chunk_id].ocr_confidence) if a.chunk_id in scanned else ""
            print(f"  {a.text}（{' · '.join(filter(None, (a.doc, a.section, page_text(a.page, printed=a.printed_page), ocr)))}）")
        outline = kb.outline(args.query, hits)
        if outline:
            print(f"  {outline_title(outline)}：")
            for item in outline.items:
                print(f"    {item.heading}" + (f"（{page_text(item.page, printed=item.printed_page)}）" if item.page else ""))
        print()
    industry, guidance = kb.guidance(args.query, args.industry) if args.mode != "bm25" else (None, [])  # bm25: no model
    if guidance:
        print(guidance_heading(industry, guidance, args.query) + "：")
        for h in guidance:
            c = h.case
            print(f"  {c.title}：" + "；".join(outcome_text(o) for o in headline_outcomes(c.outcomes, 3)) +
                  f"（{' · '.join(filter(None, (h.doc_title, c.section_path, page_text(c.page, c.page_end, h.printed_of(c.page), h.printed_of(c.page_end)))))}）"
                  + (f"（{ocr_text(h.ocr_confidence)}，请核对原件）" if h.ocr else ""))
        print()
    for h in hits:
        c = h.chunk
        where = " · ".join(filter(None, (h.doc_title, c.section_path,
                                         page_text(c.page, c.page_end, h.printed_page, h.printed_page_end))))
        if c.ocr:
            where += f"（{ocr_text(c.ocr_confidence)}，请核对原件）"
        tags = " ".join(x for x in (KIND_ZH.get(c.kind, c.kind), h.region.display(), h.industry or "") if x)
        print(f"[{h.rank}] 分数 {h.score:.3f}  {tags}\n    出处：{where}\n    {c.text}\n")
    return 0


def cmd_cases(args) -> int:
    kb = _kb(args)
    top_k = args.top_k or 10
    _print_filter_notes(kb, args.industry, args.region)
    if args.like is not None and not args.like.strip():
        raise KBError("--like 需要一个案例编号（用 kb cases 查看，如 34bdf404b1d4-c001）。")
    if args.like:
        if args.problem:
            raise KBError("--like 按一个案例找相似案例，不能同时给 --problem；可以加 --industry、--region、--kind 筛选。")
        hits = kb.similar_cases(args.like, top_k=top_k, industry=args.industry, region=args.region, kind=args.kind)
    else:
        with kb.pinned():  # the note counts the cases of the generation the list came from
            hits = kb.cases(industry=args.industry, problem=args.problem, region=args.region, top_k=top_k, kind=args.kind)
            for note in kb.industry_notes(args.industry, hits, args.region, args.kind, args.problem):
                print(f"提示：{note}", file=sys.stderr)
        # With no industry or problem every case is listed; an explicit --top-k still limits the list.
        hits = hits[:args.top_k] if args.top_k else hits
    if args.json:
        for h in hits:
            _print_json(h.as_dict())
        return 0
    if not hits:
        print("没有符合条件的案例。")
        return 0
    # A problem with no trade: the cases that do not clearly match it are set apart, not dropped
    # (the ranking is the same); the bar is the guidance card's (config.guidance_problem_min).
    notes = weak_notes(hits, kb.config.guidance_problem_min)
    for h in hits:
        if h.rank in notes:
            print(f"—— {notes[h.rank]} ——\n")
        c = h.case
        industry = industry_list(c.all_industries) or "行业未识别"
        score = f"；分数 {h.score:.3f}" if h.score_parts else ""
        print(f"[{h.rank}] {c.title}  （{KIND_ZH.get(c.kind, c.kind)}；{c.region.display() or '地区未知'}；"
              f"{industry}{score}）")
        if h.score_parts:
            print(f"    分数构成：{score_parts_text(h.score_parts)}")
        # A case without a section (a record of a DOCX case table) cites the document alone.
        where = " · ".join(filter(None, (h.doc_title, c.section_path, page_text(c.page, c.page_end, h.printed_of(c.page), h.printed_of(c.page_end)))))
        if h.ocr:
            where += f"（{ocr_text(h.ocr_confidence)}，请核对原件）"
        print(f"    编号：{c.case_id}    出处：{where}")
        if c.profile:
            print(f"    概况：{c.profile}")
        if c.problem:
            print(f"    问题：{c.problem}")
        if c.measures:
            print(f"    做法：{c.measures}")
        for o in c.outcomes:  # an outcome read on a later page than the case starts cites that page
            later = f"（{page_text(o.page, printed=h.printed_of(o.page))}）" if o.page and o.page != c.page else ""
            print(f"    成效：{outcome_text(o)}{later}")
        print()
    return 0


def cmd_chunks(args) -> int:
    kb = _kb(args)
    chunks = kb.chunks(args.doc)
    if args.doc and not chunks:
        known = "、".join(f"{d.doc_id}（{d.title}）" for d in kb.documents()) or "（索引中还没有文档）"
        raise KBError(f"没有编号为“{args.doc}”的文档。已有的文档：{known}")
    for c in chunks:
        if args.json:
            _print_json({"chunk_id": c.chunk_id, "doc": c.doc_id, "kind": c.kind, "section": c.section_path,
                         "page": c.page, "page_end": c.page_end, "ocr": c.ocr,
                         "ocr_confidence": None if c.ocr_confidence is None else round(c.ocr_confidence, 3),
                         "text": c.text})
        else:
            page = f"{page_text(c.page, c.page_end)}  " if c.page else ""
            ocr = f"（OCR 识别，置信度 {c.ocr_confidence:.2f}）  " if c.ocr and c.ocr_confidence is not None else (
                "（OCR 识别）  " if c.ocr else "")
            print(f"{c.chunk_id}  {page}{ocr}{c.section_path}\n    {c.text}\n")
    return 0


def cmd_glossary(args) -> int:
    from .glossary import lookup, named_terms
    from .homophones import glossary_corrector
    from .homophones import notes as homophone_notes
    from .simplified import to_simplified

    entries = lookup(to_simplified(args.word) if args.word else args.word)  # 採信 → 采信
    if not entries and args.word:  # a question rather than a word: 啥叫采信, 链主是啥
        entries = named_terms(args.word)
    if not entries and args.word:  # a homophone typo of pinyin input: 认正贷 → 认证贷, 才信 → 采信
        word, fixes = glossary_corrector().correct(args.word)
        entries = (lookup(word) or named_terms(word)) if fixes else []
        for note in homophone_notes(fixes) if entries else ():
            print(f"提示：{note}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        for e in entries:
            _print_json({"term": e.term, "meaning": e.meaning, "everyday": list(e.everyday), "source": e.source})
        return 0
    if not entries:
        print(f"术语表里没有“{args.word}”。用 kb glossary 查看全部术语。")
        return 0
    for e in entries:
        everyday = f"（常说：{'、'.join(e.everyday)}）" if e.everyday else ""
        print(f"{e.term}：{e.meaning}{everyday} [{e.source}]")
    return 0


def cmd_stats(args) -> int:
    from .embedding import describe_backend, embedder_status

    kb = _kb(args)
    s = kb.stats()
    try:
        s["embedder"] = embedder_status(kb.embedder)
    except KBError as exc:
        s["embedder"] = {"error": str(exc)}
    if args.json:
        _print_json(s)
        return 0
    m, now = s["model"] or {}, s["embedder"]
    print(f"索引目录：{s['index_dir']}（版本 {s['generation']}，创建于 {s['created']}）")
    sha = m.get("files_sha256")
    print(f"嵌入模型：{m.get('id')}（{m.get('dim')} 维{f'，指纹 {sha[:12]}' if sha else ''}）；向量索引：{s['vector_index']}；"
          f"分词：{s['tokenizer']['name']}（{s['tokenizer']['hash']}）")
    built = f"索引向量由 {describe_backend(m)}生成" if m.get("backend") else "索引未记录嵌入后端（旧版本构建）"
    if "error" in now:
        print(f"嵌入后端：{built}；当前模型不可用：{now['error']}")
    else:
        reason = f"，原因：{now['reason']}" if now.get("reason") else ""
        print(f"嵌入后端：{built}；当前查询使用 {describe_backend(now)}{reason}")
    print(f"文档 {s['documents']} 个，{s['pages']} 页，分块 {s['chunks']} 个，案例 {s['cases']} 个，量化成效 {s['outcomes']} 条")
    for kind, n in s["cases_by_kind"].items():
        print(f"  {KIND_ZH.get(kind, kind)}：{n}")
    for d in kb.documents():
        print(f"  - {d.doc_id}  {d.title}（{d.path}；{d.pages} 页，{d.chunks} 块，{d.cases} 个案例）")
    return 0


def export_path(out: str | None, title: str | None, fmt: str | None) -> Path:
    """Where ``kb export`` writes: ``--out`` as given when it names a file; without ``--out``, or
    when it is a folder (an existing one, or written with a trailing "/"), a file in it named after
    the course title, with "/" and other path-unsafe characters of the title made "_" (a title
    ``2023/2024 培训`` gives ``2023_2024 培训.docx``, not a folder ``2023``)."""
    from .export import DEFAULT_TITLE
    from .present import safe_export_name

    suffixes = (".docx", ".pptx", ".md", ".markdown")
    if out and not out.endswith(("/", os.sep)) and not Path(out).is_dir():
        path = Path(out)
        if path.suffix.lower() not in suffixes:
            raise KBError("输出文件的扩展名应为 .docx、.pptx 或 .md")
        if fmt and path.suffix.lower().lstrip(".") != fmt and not (fmt == "md" and path.suffix.lower() == ".markdown"):
            raise KBError(f"--format {fmt} 与输出文件的扩展名 {path.suffix} 不一致。")
        return path
    folder = Path(out) if out else Path(".")
    return folder / safe_export_name((title or "").strip() or DEFAULT_TITLE, f".{fmt or 'docx'}")


def cmd_export(args) -> int:
    from .export import collect_items, export_docx, export_markdown

    if not args.query and not args.problem and not args.industry:
        raise KBError("请至少给出一个 --query，或用 --problem/--industry 选择案例。")
    out = export_path(args.out, args.title, args.format)
    kb = _kb(args)
    _print_filter_notes(kb, args.industry, args.region)
    items = collect_items(kb, args.query or [], args.problem, args.industry, args.region, args.top_k)
    if not items:
        if args.industry or args.region:
            wanted = [f"{name}：{value}" for name, value in (("行业", args.industry), ("地区", args.region)) if value]
            raise KBError(f"没有符合筛选条件（{'，'.join(wanted)}）的段落或案例，没有导出。")
        raise KBError("没有检索到可导出的内容。")
    if out.suffix.lower() == ".docx":
        data = export_docx(items, args.title)
    elif out.suffix.lower() == ".pptx":
        from .export_pptx import export_pptx

        data = export_pptx(items, args.title)
    else:
        data = export_markdown(items, args.title).encode("utf-8")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)  # --out 课件/第一讲.docx: the folder is made
        out.write_bytes(data)
    except OSError as exc:
        raise KBError(f"无法写入 {out}：{os_reason(exc)}") from exc
    print(f"已导出 {len(items)} 条内容到 {out}")
    return 0


def cmd_eval(args) -> int:
    if args.cases:
        from .case_eval import DEFAULT_GOLD, evaluate_cases, print_case_report
        from .config import KBConfig

        path = Path(args.queries) if args.queries else KBConfig().home / DEFAULT_GOLD
        report = evaluate_cases(path)
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
        else:
            print_case_report(report)
        return 0
    from .evaluation import run_eval

    return run_eval(_kb(args), args)


def cmd_serve(args) -> int:
    from .api import ApiSettings, serve

    _check_listen(args.host, args.port)
    kb = _kb(args)
    token = os.environ.get("KB_API_TOKEN") or None
    settings = ApiSettings(token=token, rate_per_s=args.rate, burst=max(1, int(args.rate * 2)))
    mode = "可用令牌导入" if token else "只读"
    print(f"知识库 API：http://{args.host}:{args.port}/docs（{mode}；检索后端 {kb.config.backend}）", file=sys.stderr)
    if not args.lazy:
        kb.warm_up()
        kb.start_token_warm_up()  # passages' token vectors (kb.token_match): first searches get faster
    serve(kb, host=args.host, port=args.port, settings=settings)
    return 0


def cmd_bench(args) -> int:
    from .bench import run_bench

    return run_bench(args)


def _kind(value: str) -> str | None:
    """--kind as a code or its Chinese name (地方经验 → local_experience)."""
    kind = kind_value(value)
    if kind is not None and kind not in KINDS:
        raise argparse.ArgumentTypeError(f"无效的取值“{value}”（可选：{KIND_CHOICES}）")
    return kind


def build_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="kb", description="提升行动案例知识库：导入报告与案例集，检索可比案例。"
                                "数据目录为当前目录（corpus/ 与 indexes/），可用环境变量 KB_HOME 指定。")
    p.add_argument("--model", help="嵌入模型（默认 m3e-small，或环境变量 KB_MODEL 指向的本地模型目录）")
    sub = p.add_subparsers(dest="command", metavar="命令")

    s = sub.add_parser("ingest", help="导入 corpus/（或指定的文件/目录）并增量更新索引",
                       description="导入文档并增量更新索引：未变化的文件不重新嵌入；失败的文件会逐个说明原因。")
    s.add_argument("paths", nargs="*", help="要导入的文件或目录（默认 corpus/）")
    s.add_argument("--rebuild", action="store_true", help="忽略旧索引，全部重新处理")
    s.add_argument("--json", action="store_true", help="每个文件输出一行 JSON，最后一行是汇总 {\"summary\": …}")
    s.add_argument("-q", "--quiet", action="store_true", help="不显示进度条")
    s.set_defaults(func=cmd_ingest)

    def add_filters(sp):
        sp.add_argument("--industry", help="行业（GB/T 4754 大类名称，如 纺织业）")
        sp.add_argument("--region", help="地区（省/市/县，省级同时匹配其下属市县）")
        sp.add_argument("--kind", type=_kind, metavar="类型",
                        help="类型：report 或 报告，enterprise_case 或 企业案例，local_experience 或 地方经验")

    s = sub.add_parser("search", help="检索段落（混合/关键词/语义）", description="检索段落并给出出处（文档、章节、页码）。")
    s.add_argument("query", nargs="?", help="查询，例如：家纺企业产品缺陷率高")
    s.add_argument("--top-k", type=_positive_int, default=10, help="返回条数（默认 10）")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid", help="检索模式（默认 hybrid）")
    add_filters(s)
    s.add_argument("--doc", help="只在某个文档（文档编号或其前缀）中检索")
    s.add_argument("--batch", metavar="FILE", help="批量查询：文件每行一个查询，每个查询输出一行 JSON")
    s.add_argument("--all", action="store_true", help="也显示低于相关度门槛的段落（默认不显示，见 README：相关度门槛）")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("cases", help="可比案例：按行业与问题排序案例记录", description="按行业与问题检索案例；不给条件时列出全部案例。")
    s.add_argument("--problem", help="问题描述，例如：产品缺陷率高")
    add_filters(s)
    s.add_argument("--like", metavar="CASE_ID", help="相似案例：与该案例最相似的其他案例（可同时用 --industry、--region、--kind 筛选）")
    s.add_argument("--top-k", type=_positive_int, default=None,
                   help="返回条数（默认 10；不给行业和问题时默认列出全部案例，给出本参数则只列前 N 条）")
    s.add_argument("--json", action="store_true", help="每个案例输出一行 JSON")
    s.set_defaults(func=cmd_cases)

    s = sub.add_parser("chunks", help="列出已存储的分块", description="列出已存储的分块（可按文档筛选）。")
    s.add_argument("--doc", help="文档编号（或其前缀）")
    s.add_argument("--json", action="store_true", help="每个分块输出一行 JSON")
    s.set_defaults(func=cmd_chunks)

    s = sub.add_parser("glossary", help="术语表：报告用语的通俗解释", description="列出术语及其通俗解释和口语说法；给出词时只显示相关术语。")
    s.add_argument("word", nargs="?", help="要查的词，例如：采信、认证贷、老板")
    s.add_argument("--json", action="store_true", help="每个术语输出一行 JSON")
    s.set_defaults(func=cmd_glossary)

    s = sub.add_parser("stats", help="索引统计", description="显示索引版本、模型、文档/分块/案例数量。")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("export", help="导出课件包（DOCX、PPTX 或 Markdown，含出处）",
                       description="把检索到的段落和可比案例导出为课件包，每条带完整出处，文末附来源列表。")
    s.add_argument("--query", action="append", help="检索词，可重复多次；每个取前 --top-k 条段落")
    s.add_argument("--problem", help="可比案例的问题描述")
    s.add_argument("--industry", help="行业（GB/T 4754 大类名称，或“家纺”这类常用说法）：段落和案例都只取这一行业")
    s.add_argument("--region", help="地区（省/市/县）：段落和案例都只取这一地区")
    s.add_argument("--top-k", type=_export_top_k, default=5, help="每个查询/案例检索取几条（默认 5，最多 50）")
    s.add_argument("--title", default=None, help="课件标题（默认：小微企业质量管理体系认证提升行动案例选编）")
    s.add_argument("--out", default=None,
                   help="输出文件：.docx（Word）、.pptx（PowerPoint 幻灯片）或 .md；给一个目录（或不给，即当前目录）时，"
                        "文件名取课件标题（标题中的“/”等不能用于文件名的字符换成“_”）")
    s.add_argument("--format", choices=("docx", "pptx", "md"), default=None,
                   help="--out 是目录或不给时的文件格式（默认 docx）")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("eval", help="检索质量评测（hit@1/hit@5/MRR/nDCG）", description="在评测集上比较 bm25、dense、hybrid 三种模式。")
    s.add_argument("--queries", default=None,
                   help="评测集（默认：开发集 eval/queries.jsonl、开发集2 eval/dev2.jsonl、开发集3 eval/plain.jsonl、开发集4 eval/plain2.jsonl、开发集5 eval/plain3.jsonl、开发集6 eval/plain4.jsonl、开发集7 eval/plain5.jsonl、开发集8 eval/plain6.jsonl、口语留出集 eval/heldout_plain.jsonl；"
                        "--cases 时默认 eval/cases/gold.jsonl）")
    s.add_argument("--cases", action="store_true", help="评测案例抽取：逐字段准确率（地区、行业、问题、做法、成效、概况）")
    s.add_argument("--compare-backends", action="store_true",
                   help="在本地后端与 Milvus 后端上各评测一次并并列显示（Milvus 地址取 KB_MILVUS_URI，"
                        "未设置时用索引目录下的 Milvus Lite 文件）；差异超过 0.01 时退出码为 1")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("serve", help="启动 HTTP API（JSON；文档在 /docs）",
                       description="启动 JSON HTTP API：/api/search、/api/cases、/api/cases/{编号}/similar、/api/stats、"
                       "/healthz，文档在 /docs。默认只读；设置环境变量 KB_API_TOKEN 后可用令牌调用导入接口。")
    s.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，只允许本机访问）")
    s.add_argument("--port", type=_port, default=8000, help="端口（默认 8000）")
    s.add_argument("--rate", type=_rate, default=50.0, help="每个客户端地址每秒最多请求数（默认 50；0 表示不限）")
    s.add_argument("--lazy", action="store_true", help="不预先加载模型（第一次检索时再加载）")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("bench", help="性能基准（导入、查询延迟、吞吐、OCR、API、后端对比）",
                       description="测量导入与查询速度、扫描件 OCR 的准确率与每页用时、HTTP API 并发、"
                       "本地与 Milvus Lite 后端对比，报告中位数。")
    s.add_argument("what", nargs="?", default="all",
                   choices=["all", "ingest", "query", "scale", "startup", "ocr", "api", "backends", "scale-milvus"],
                   help="测哪一项（默认 all）")
    s.add_argument("--ocr-pages", type=_positive_int, default=5, help="ocr：生成几页扫描件（默认 5）")
    s.add_argument("--repeat", type=_positive_int, default=5, help="重复次数（默认 5）")
    s.add_argument("--scale-chunks", type=_positive_int, default=100_000, help="合成语料的分块数（默认 100000）")
    s.add_argument("--index", choices=["flat", "ivf", "hnsw"], help="scale 只测这一种向量索引（默认三种各在独立进程中测）")
    s.add_argument("--clients", type=_positive_int, default=16, help="api：并发客户端数（默认 16）")
    s.add_argument("--requests", type=_positive_int, default=200, help="api：每个客户端的请求数（默认 200）")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid", help="api：检索模式（默认 hybrid）")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.set_defaults(func=cmd_bench)
    return p


def _show_library_messages() -> None:
    """Library progress notes (e.g. the one-time ONNX export of the model) go to stderr as plain lines."""
    logger = logging.getLogger("kb")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # some libraries configure the root logger; print each note once


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _tolerant_output()
    _show_library_messages()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except KBError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # KB_HOME is a file, a folder cannot be made … : said in Chinese
        where = f" {exc.filename}" if exc.filename else ""
        print(f"错误：无法读写{where}：{os_reason(exc)}（请检查 KB_HOME 与给出的路径）。", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
