# Two commands a new user needs (see README "Quick start"):
#   make serve   install into .venv, index seeds/, serve http://127.0.0.1:5000
#   make test    install test tools (and Debian's chromium), run the whole suite
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TSTAMP  := $(VENV)/.installed-test

.PHONY: serve index test test-large fuzz install install-test browser bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(TSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

install-test: $(TSTAMP) browser

# Debian's chromium drives the browser tests; installed once if missing.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

index: $(STAMP)
	$(BIN)/zhsearch index seeds

serve: index
	$(BIN)/zhsearch serve --host 127.0.0.1 --port 5000

test: install-test
	$(BIN)/python -m pytest -q

# A JSON lines file and a text file of 300 MB each indexed under a watch of every process's peak memory
# (tests/test_large_files.py; make test runs the same code on a small file).
test-large: install-test
	ZHSEARCH_LARGE_MB=300 $(BIN)/python -m pytest -q -s tests/test_large_files.py

# The long fuzzing run (tests/test_fuzz.py, 5 properties x 2,500 cases = 12,500); make test runs 25 each.
fuzz: install-test
	ZHSEARCH_FUZZ=long $(BIN)/python -m pytest -q tests/test_fuzz.py --hypothesis-show-statistics

$(VENV)/.installed-bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

# the benchmark, with tantivy (the optional bench extra) beside SQLite FTS5 as peers
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run

clean:
	rm -rf $(VENV) index/_* index/*.toc index/*.seg index/zhsearch.json
