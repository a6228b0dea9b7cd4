"""Re-measure eval/plain.jsonl without the glossary words that occur only there.

The glossary was written after the colloquial held-out set by the same person; everyday words
that appear in eval/plain.jsonl but in neither dev set nor the old synonym list (commit 30f0dcd)
are dropped for this run, which estimates quality on phrasings the glossary did not anticipate.
Run from the repository root: ``python eval/decontaminated_plain.py``.
"""

from __future__ import annotations

import dataclasses
import subprocess

import kb.glossary as glossary_module
from kb import KnowledgeBase
from kb.evaluation import evaluate, load_queries


def main() -> None:
    old = subprocess.run(["git", "show", "30f0dcd:kb/data/synonyms.tsv"], capture_output=True, text=True,
                         check=True).stdout
    old_words = {w.strip() for line in old.splitlines() if "\t" in line and not line.startswith("#")
                 for w in line.split("\t")[1].split(",")}
    plain = load_queries("eval/plain.jsonl")
    dev = load_queries("eval/queries.jsonl") + load_queries("eval/dev2.jsonl")

    def leaked(word: str) -> bool:
        return (any(word in q.query for q in plain) and not any(word in q.query for q in dev)
                and word not in old_words)

    entries = glossary_module.glossary()
    removed = sorted({w for e in entries for w in e.everyday if leaked(w)})
    print(f"removed {len(removed)} everyday words: {'、'.join(removed)}")
    clean = tuple(dataclasses.replace(e, everyday=tuple(w for w in e.everyday if not leaked(w))) for e in entries)
    glossary_module.glossary = lambda: clean
    report = evaluate(KnowledgeBase(), plain, modes=("bm25", "hybrid"))
    for mode in ("bm25", "hybrid"):
        print(mode, {k: round(v, 3) for k, v in report["modes"][mode].items() if k != "by_type"})


if __name__ == "__main__":
    main()
