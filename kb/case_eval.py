"""``kb eval --cases``: field accuracy of case extraction on a labelled gold set.

The gold set (``eval/cases/``) is synthetic: documents in several layouts and, in
``gold.jsonl``, one expected record per case. Each document is parsed exactly as ``kb ingest``
parses it (no index, no model), and each expected record is compared with the extracted case
whose title contains its ``key``. Fields (1 when right, 0 when wrong or the case is missing):

* found       exactly one extracted case has the key in its title
* region      province and city equal the expected ones
* industry    the expected 大类 is the case's (first) industry
* problem     every expected problem word is in the problem (with none expected: no measure word is)
* measures    every expected measure word is in the measures
* outcomes    every expected outcome (metric word, before, after, change) is among the outcomes
* profile     every fact word is in the profile
* not_outcome no outcome's metric names a fact (headcount, output, members are not results)
"""

from __future__ import annotations

from pathlib import Path

from .evaluation import read_jsonl

FIELDS = ("found", "region", "industry", "problem", "measures", "outcomes", "profile", "not_outcome")
DEFAULT_GOLD = "eval/cases/gold.jsonl"


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def _outcome_found(exp: dict, outcomes) -> bool:
    for o in outcomes:
        if exp["metric"] not in o.metric:
            continue
        if not (_same(exp.get("before"), o.before) and _same(exp.get("after"), o.after)):
            continue
        if "change" in exp and exp["change"] is not None and not _same(exp["change"], o.change):
            continue
        if "upto" in exp and not _same(exp["upto"], o.upto):
            continue
        return True
    return False


def score_case(exp: dict, found: list) -> dict[str, int]:
    """0/1 per field for one expected record and the extracted cases matching its key."""
    if len(found) != 1:
        return dict.fromkeys(FIELDS, 0)
    c = found[0]
    profile = getattr(c, "profile", "") or ""
    industries = list(getattr(c, "industries", ()) or ([c.industry] if c.industry else []))
    if exp["problem_words"]:
        problem_ok = all(w in c.problem for w in exp["problem_words"])
    else:
        problem_ok = not any(w in c.problem for w in exp["measure_words"])
    return {
        "found": 1,
        "region": int((c.region.province, c.region.city) == (exp["province"], exp["city"])),
        "industry": int(bool(industries) and industries[0] == exp["industry"]),
        "problem": int(problem_ok),
        "measures": int(all(w in c.measures for w in exp["measure_words"])),
        "outcomes": int(all(_outcome_found(o, c.outcomes) for o in exp["outcomes"])),
        "profile": int(all(w in profile for w in exp["facts"])),
        "not_outcome": int(not any(w in o.metric for w in exp["facts"] for o in c.outcomes)),
    }


def load_gold(path: str | Path) -> list[dict]:
    return read_jsonl(path, "案例评测集")


def evaluate_cases(gold_path: str | Path) -> dict:
    """Field accuracy over the gold set: per field, overall, per layout, and the misses."""
    from .pipeline import parse_document

    gold_path = Path(gold_path)
    gold = load_gold(gold_path)
    parsed: dict[str, list] = {}
    rows = []
    for exp in gold:
        name = exp["file"]
        if name not in parsed:
            parsed[name] = list(parse_document(gold_path.parent / "docs" / name).cases)
        found = [c for c in parsed[name] if exp["key"] in c.title]
        rows.append((exp, score_case(exp, found)))
    fields = {f: sum(r[f] for _, r in rows) / len(rows) for f in FIELDS} if rows else {}
    layouts = {}
    for layout in sorted({e["layout"] for e, _ in rows}):
        sub = [r for e, r in rows if e["layout"] == layout]
        layouts[layout] = {"n": len(sub), "accuracy": sum(sum(r.values()) for r in sub) / (len(sub) * len(FIELDS))}
    misses = {f: [e["key"] for e, r in rows if not r[f]] for f in FIELDS}
    overall = sum(fields.values()) / len(fields) if fields else 0.0
    return {"path": str(gold_path), "records": len(rows), "files": len(parsed), "fields": fields,
            "overall": overall, "layouts": layouts, "misses": {f: m for f, m in misses.items() if m}}


FIELD_ZH = {"found": "识别出案例", "region": "省/市", "industry": "行业", "problem": "问题", "measures": "做法",
            "outcomes": "成效", "profile": "概况事实", "not_outcome": "事实不作成效"}


def print_case_report(report: dict) -> None:
    print(f"== 案例抽取评测：{report['path']}（{report['records']} 条期望记录，{report['files']} 个文件）\n")
    for f, acc in report["fields"].items():
        print(f"  {FIELD_ZH[f]:<8}（{f}）{acc:>8.3f}")
    print(f"\n  总体准确率 {report['overall']:.3f}")
    print("\n按版式：")
    for layout, v in report["layouts"].items():
        print(f"  {layout:<14}(n={v['n']:>2}) {v['accuracy']:.3f}")
    for f, keys in report["misses"].items():
        print(f"未通过（{FIELD_ZH[f]}）：{'，'.join(keys)}")
