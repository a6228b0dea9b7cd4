"""Grid-search the passage fusion settings on the development sets (run: python eval/tune_fusion.py).

Asks the public ``kb.candidates()`` once per query (BM25 scores, informative coverage, sentence
cosines; cached in a JSON file so reruns skip the model), then replays evidence_fusion with each
setting offline. Tune on the dev sets only: eval/queries.jsonl, eval/dev2.jsonl and the colloquial
eval/plain.jsonl (plus the off-topic set, which must stay ≥ 90 % empty). The frozen held-out set
eval/heldout_plain.jsonl is never read here (eval/HELDOUT_README.md).

    python eval/tune_fusion.py [--top 15] [--cache /tmp/kb-fusion-cache.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from kb import KnowledgeBase
from kb.evaluation import load_queries, relevance, score_ranking
from kb.fusion import evidence_fusion

DEV = ("eval/queries.jsonl", "eval/dev2.jsonl", "eval/plain.jsonl", "eval/plain2.jsonl", "eval/plain3.jsonl")
OFFTOPIC = "eval/offtopic.jsonl"


def collect(kb: KnowledgeBase, cache: Path) -> dict:
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    texts = [c.text for c in kb.chunks()]  # candidate keys are positions in this order
    out = {}
    for path in (*DEV, OFFTOPIC):
        rows = []
        for q in load_queries(kb.config.home / path):
            c = kb.candidates(q.query, "hybrid", n=len(texts))
            rows.append({"id": q.id, "kw": c.keyword, "cov": c.coverage, "dense": c.dense,
                         "topic": kb.retriever.on_topic(kb.snapshot(), q.query, c),
                         "rel": relevance(texts, q.answers) if q.answers else []})
        out[path] = rows
    cache.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return json.loads(cache.read_text(encoding="utf-8"))


def replay(data: dict, w: float, floor_cos: float, power: float, cov_power: float, floor: float,
           trust: float = 0.0, uninformative: float = 1.0) -> dict:
    report = {}
    for path, rows in data.items():
        ms, empty = [], 0
        for r in rows:
            kw = {int(k): v for k, v in r["kw"].items()}
            cov = {int(k): v for k, v in r["cov"].items()}
            dn = {int(k): v for k, v in r["dense"].items()}
            s = evidence_fusion(kw, cov, dn, w, floor_cos, power, cov_power, trust, uninformative)
            on_topic = r.get("topic", any(v > 0 for v in cov.values()))  # older caches: coverage only
            order = [i for i in sorted(s, key=lambda i: (-s[i], i)) if on_topic and s[i] >= floor][:10]
            empty += not order
            if r["rel"]:
                m = score_ranking([r["rel"][i] for i in order], sum(r["rel"]))
                ms.append(m)
        report[path] = ({k: float(np.mean([m[k] for m in ms])) for k in ("hit@1", "hit@10", "mrr@10")}
                        if ms else {"empty": empty / len(rows)})
    return report


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--cache", default="/tmp/kb-fusion-cache.json")
    args = ap.parse_args()
    data = collect(KnowledgeBase(), Path(args.cache))
    results = []
    for w, fc, p, cp, floor, trust, unin in itertools.product(
            (0.6, 0.65, 0.7, 0.75, 0.8), (0.5, 0.6, 0.7), (1, 2), (0, 0.25, 0.5), (0.0, 0.04, 0.08),
            (0, 0.25, 0.5, 0.75, 1), (0, 0.5, 1)):
        r = replay(data, w, fc, p, cp, floor, trust, unin)
        if r[OFFTOPIC]["empty"] < 0.9:
            continue
        key = sum(r[d]["hit@1"] + r[d]["mrr@10"] for d in DEV)
        results.append((key, (w, fc, p, cp, floor, trust, unin), r))
    results.sort(key=lambda x: -x[0])
    for _key, params, r in results[: args.top]:
        print("keyword_weight=%.2f dense_floor=%.2f dense_power=%d coverage_power=%.2f relevance_floor=%.2f "
              "keyword_trust_power=%.2f uninformative_keyword_weight=%.1f" % params,
              " | ".join(f"{Path(d).stem}: " + " ".join(f"{k}={v:.3f}" for k, v in r[d].items()) for d in r))


if __name__ == "__main__":
    main()
