"""Grid-search the hybrid ranking settings on the development sets (run: python eval/tune_fusion.py).

Asks the public ``kb.candidates()`` once per query (BM25 scores, informative coverage, sentence
cosines) and the token matcher once per candidate passage (kb/token_match.py), caches them in a
JSON file so reruns skip the model, then replays the whole hybrid score offline: evidence_fusion,
the token match spread over the passages with the most evidence, the figure bonus, and
Retriever.rerank's sum (not its benefit-question penalty, config.benefit_problem_penalty, which
touches a handful of questions and was chosen separately). Tune on the dev sets only (eval/queries.jsonl, eval/dev2.jsonl,
eval/plain.jsonl, eval/plain2.jsonl, eval/plain3.jsonl) plus the off-topic set, which must stay
≥ 90 % empty. The frozen held-out set eval/heldout_plain.jsonl is never read here.

``--decontaminate`` scores each set with the glossary's everyday words that occur only in that
set's questions left out (and not in the round-1 synonym list): the glossary was written with the
dev sets in view, so without this the keyword side looks stronger than it is on new questions.
``--loso`` also reports leave-one-set-out: each set scored with the best setting on the other four.

    python eval/tune_fusion.py [--top 15] [--decontaminate] [--loso] [--cache /tmp/kb-fusion-cache.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import json
import subprocess
from pathlib import Path

import numpy as np

import kb.glossary as glossary_module
from kb import KnowledgeBase
from kb.evaluation import load_queries, relevance, score_ranking
from kb.fusion import evidence_fusion, rerank
from kb.retrieval import asks_for_figure, has_figure
from kb.token_match import spread

DEV = ("eval/queries.jsonl", "eval/dev2.jsonl", "eval/plain.jsonl", "eval/plain2.jsonl", "eval/plain3.jsonl")
OFFTOPIC = "eval/offtopic.jsonl"
OLD_SYNONYMS = "30f0dcd:kb/data/synonyms.tsv"  # the round-1 list, written before any colloquial set


def glossary_without(path: str, sets: dict[str, list]) -> tuple:
    """The glossary without the everyday words that occur in ``path``'s questions only."""
    old = subprocess.run(["git", "show", OLD_SYNONYMS], capture_output=True, text=True, check=True).stdout
    old_words = {w.strip() for line in old.splitlines() if "\t" in line and not line.startswith("#")
                 for w in line.split("\t")[1].split(",")}
    own = sets[path]
    others = [q for p, qs in sets.items() if p != path for q in qs]

    def leaked(word: str) -> bool:
        return (any(word in q.query for q in own) and not any(word in q.query for q in others)
                and word not in old_words)

    return tuple(dataclasses.replace(e, everyday=tuple(w for w in e.everyday if not leaked(w)))
                 for e in glossary_module.glossary())


def collect(kb: KnowledgeBase, cache: Path, decontaminate: bool) -> dict:
    cache = cache.with_name(cache.stem + ("-decontaminated" if decontaminate else "") + cache.suffix)
    if cache.exists():  # one file per kind of measurement
        return json.loads(cache.read_text(encoding="utf-8"))
    texts = [c.text for c in kb.chunks()]  # candidate keys are positions in this order
    sets = {p: load_queries(kb.config.home / p) for p in DEV}
    full = glossary_module.glossary
    out = {"figures": [i for i, t in enumerate(texts) if has_figure(t)]}
    try:
        for path in (*DEV, OFFTOPIC):
            if decontaminate and path in sets:
                clean = glossary_without(path, sets)
                glossary_module.glossary = lambda clean=clean: clean
            else:
                glossary_module.glossary = full
            rows = []
            for q in sets.get(path) or load_queries(kb.config.home / path):
                c = kb.candidates(q.query, "hybrid", n=len(texts))
                keys = sorted(set(c.keyword) | set(c.dense))
                token = kb.retriever.token_matcher.scores(q.query, {i: texts[i] for i in keys})
                rows.append({"id": q.id, "kw": c.keyword, "cov": c.coverage, "dense": c.dense, "token": token,
                             "figure_question": asks_for_figure(q.query),
                             "topic": kb.retriever.on_topic(kb.snapshot(), q.query, c),
                             "rel": relevance(texts, q.answers) if q.answers else []})
            out[path] = rows
    finally:
        glossary_module.glossary = full
    cache.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return json.loads(cache.read_text(encoding="utf-8"))


def replay(data: dict, w: float, floor_cos: float, trust: float, uninformative: float, token_weight: float,
           figure_bonus: float, floor: float = 0.04, candidates: int = 30) -> dict:
    figures = set(data["figures"])
    report = {}
    for path in (*DEV, OFFTOPIC):
        ms, empty = [], 0
        for r in data[path]:
            kw = {int(k): v for k, v in r["kw"].items()}
            cov = {int(k): v for k, v in r["cov"].items()}
            dn = {int(k): v for k, v in r["dense"].items()}
            ev = evidence_fusion(kw, cov, dn, w, floor_cos, 1.0, 0.0, trust, uninformative)
            top = sorted(ev, key=lambda i: (-ev[i], i))[:candidates]
            token = spread({i: r["token"][str(i)] for i in top if str(i) in r["token"]}) if token_weight else {}
            bonus = figure_bonus if r["figure_question"] else 0.0
            s = rerank(ev, token, figures, token_weight, bonus)
            order = [i for i in sorted(s, key=lambda i: (-s[i], i)) if r["topic"] and ev[i] >= floor][:10]
            empty += not order
            if r["rel"]:
                ms.append(score_ranking([r["rel"][i] for i in order], sum(r["rel"])))
        report[path] = ({k: float(np.mean([m[k] for m in ms])) for k in ("hit@1", "hit@10", "mrr@10")}
                        if ms else {"empty": empty / len(data[path])})
    return report


def key(r: dict, sets=DEV) -> float:
    return sum(r[d]["hit@1"] + r[d]["mrr@10"] for d in sets)


def show(params, r) -> str:
    names = ("keyword_weight", "dense_floor", "keyword_trust_power", "uninformative_keyword_weight",
             "token_match_weight", "figure_bonus")
    return (" ".join(f"{n}={v}" for n, v in zip(names, params)) + "  " +
            " | ".join(f"{Path(d).stem}: " + " ".join(f"{k}={v:.3f}" for k, v in r[d].items()) for d in r))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--cache", default="/tmp/kb-fusion-cache.json")
    ap.add_argument("--decontaminate", action="store_true")
    ap.add_argument("--loso", action="store_true")
    args = ap.parse_args()
    kb = KnowledgeBase()
    data = collect(kb, Path(args.cache), args.decontaminate)
    c = kb.config
    current = (c.keyword_weight, c.dense_floor, c.keyword_trust_power, c.uninformative_keyword_weight,
               c.token_match_weight, c.figure_bonus)
    global replay  # every replay below uses the configured candidate count and floor
    replay = functools.partial(replay, floor=c.relevance_floor, candidates=c.token_match_candidates)
    results = []
    for params in itertools.product((0.6, 0.7, 0.75, 0.8), (0.6, 0.7), (0, 0.5, 0.75, 1), (0, 0.5),
                                    (0, 0.05, 0.1, 0.15, 0.2, 0.3), (0, 0.05, 0.1)):
        r = replay(data, *params)
        if r[OFFTOPIC]["empty"] >= 0.9:
            results.append((key(r), params, r))
    results.sort(key=lambda x: -x[0])
    print(f"current ({key(replay(data, *current)):.3f}):", show(current, replay(data, *current)))
    for k, params, r in results[: args.top]:
        print(f"{k:.3f}", show(params, r))
    if args.loso:
        for name, keep in (("without token match", lambda p: p[4] == 0), ("with token match", lambda p: True)):
            total, picks = 0.0, []
            for held in DEV:
                rest = [d for d in DEV if d != held]
                best = max((x for x in results if keep(x[1])), key=lambda x: key(x[2], rest))
                total += best[2][held]["hit@1"] + best[2][held]["mrr@10"]
                picks.append(f"{Path(held).stem} {best[2][held]['hit@1']:.3f}/{best[2][held]['mrr@10']:.3f}")
            print(f"leave-one-set-out, {name}: {total:.3f} | " + " | ".join(picks))


if __name__ == "__main__":
    main()
