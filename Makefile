# AuroraVault. Needs only python3 and make: every target installs what it uses.
# Two install steps, each with its own stamp: `run` installs what serving needs, `test`
# (and lint, format, bench) the test extra on top. A changed pyproject.toml re-installs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HASH   := $(shell cat pyproject.toml | $(PYTHON) -c 'import hashlib,sys;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])')
STAMP_RUN  := $(VENV)/.installed-run-$(HASH)
STAMP_TEST := $(VENV)/.installed-test-$(HASH)

.PHONY: run test lint format typecheck bench clean mobile-test mobile-js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-run-* && touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-test-* && touch $@

## run: start the server on the embedded default (SQLite + ./data), http://127.0.0.1:8000
run: $(STAMP_RUN)
	$(BIN)/auroravault serve

## test: install what the tests need and run the whole suite (the phone app's included)
test: $(STAMP_TEST) mobile-js
	$(BIN)/python -m pytest

## mobile-test: the phone app (mobile/): npm ci from the lock, tsc, lint, jest, iOS/Android/web bundles, browser e2e
mobile-test: $(STAMP_TEST) mobile-js
	$(BIN)/python -m pytest tests/mobile

mobile-js: mobile/node_modules/.installed
	cd mobile && npm run typecheck && npm run lint && npm test -- --ci && npm run export:native && npm run export:web

mobile/node_modules/.installed: mobile/package-lock.json
	@command -v npm >/dev/null || { echo "the phone app (mobile/) needs Node 20 and npm"; exit 1; }
	cd mobile && npm ci --no-audit --no-fund
	touch $@

## lint: ruff (lint + format check) and mypy on the package
lint: $(STAMP_TEST)
	$(BIN)/ruff check auroravault tests bench
	$(BIN)/ruff format --check auroravault tests bench
	$(BIN)/mypy

## bench: run every benchmark (bench/results/*.json) and rebuild the table in docs/benchmarks.md
bench: $(STAMP_TEST)
	$(BIN)/pip install -q -e ".[bench]"
	$(BIN)/python bench/run_all.py

format: $(STAMP_TEST)
	$(BIN)/ruff format auroravault tests bench
	$(BIN)/ruff check --fix auroravault tests bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
