"""Benchmark script: same as `kb bench` (medians on this machine). Usage: python benchmarks/run.py [all|ingest|query|scale|startup|ocr]."""

import sys

from kb.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
