"""Grid-search the hybrid fusion settings on eval/queries.jsonl (run: python eval/tune_fusion.py).

Scores every chunk once per query with BM25 and with the embedder, then replays fusion
variants offline, so the chosen weights in KBConfig come from measurement, not guesswork.
"""

from __future__ import annotations

import itertools
import json
import sys

import numpy as np

from kb import KnowledgeBase
from kb.evaluation import load_queries, relevance, score_ranking
from kb.fusion import rrf


def main() -> None:
    from dataclasses import replace

    from kb import KBConfig

    kb = KnowledgeBase(replace(KBConfig(), dense_expand="expand" in sys.argv[3:]))
    path = sys.argv[2] if len(sys.argv) > 2 else "eval/queries.jsonl"
    queries = load_queries(kb.config.home / path)
    texts = [c.text for c in kb.chunks()]  # candidate keys are positions in this order
    data = []
    for q in queries:
        cand = kb.candidates(q.query, "hybrid", n=len(texts))
        bm = np.array([cand.keyword.get(i, 0.0) for i in range(len(texts))], dtype=np.float32)
        dn = np.array([cand.dense.get(i, -1.0) for i in range(len(texts))], dtype=np.float32)
        rel = relevance(texts, q.answers)
        data.append((q, bm, dn, rel))

    def evaluate(rank_fn):
        ms = []
        for _q, bm, dn, rel in data:
            order = rank_fn(bm, dn)[:10]
            ms.append(score_ranking([rel[i] for i in order], sum(rel)))
        return {k: float(np.mean([m[k] for m in ms])) for k in ms[0]}

    results = []
    results.append(("bm25", evaluate(lambda bm, dn: [int(i) for i in np.argsort(-bm, kind="stable") if bm[i] > 0])))
    results.append(("dense", evaluate(lambda bm, dn: list(np.argsort(-dn, kind="stable")))))
    for k, wd in itertools.product((5, 10, 20, 30, 60), (0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)):
        def fn(bm, dn, k=k, wd=wd):
            b = [int(i) for i in np.argsort(-bm, kind="stable")[:100] if bm[i] > 0]
            d = [int(i) for i in np.argsort(-dn, kind="stable")[:100]]
            s = rrf([b, d], [1.0, wd], k)
            return sorted(s, key=lambda i: (-s[i], i))
        results.append((f"rrf k={k} wd={wd}", evaluate(fn)))
    for a in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        def fn(bm, dn, a=a):
            b = bm / bm.max() if bm.max() > 0 else bm
            lo, hi = dn.min(), dn.max()
            d = (dn - lo) / (hi - lo) if hi > lo else dn
            s = a * b + (1 - a) * d
            return list(np.argsort(-s, kind="stable"))
        results.append((f"weighted bm25={a}", evaluate(fn)))
    results.sort(key=lambda r: -r[1]["mrr@10"])
    for name, m in results[: int(sys.argv[1]) if len(sys.argv) > 1 else 15]:
        print(f"{name:<24} " + " ".join(f"{k}={v:.3f}" for k, v in m.items()))
    print(json.dumps({"bm25": dict(results)["bm25"], "dense": dict(results)["dense"]}))


if __name__ == "__main__":
    main()
