# Doudi: two commands do everything. `make run` starts the app with demo data; `make test` runs
# the whole suite (lint, types, import contracts, tests on SQLite and PostgreSQL, browser).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
VENDOR := build/vendor
NODE_MODULES := frontend/node_modules

.PHONY: run test setup install vendor lint typecheck contracts bench clean

run: setup
	$(BIN)/doudi demo
	$(BIN)/doudi run

setup: install vendor
	$(BIN)/doudi setup

install: $(VENV)/.installed

$(VENV)/.installed: requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Front-end libraries from the npm registry (versions locked in frontend/package-lock.json),
# copied into build/vendor, where collectstatic and whitenoise pick them up.
vendor: $(VENDOR)/.stamp

$(VENDOR)/.stamp: frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund --silent
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons/fonts $(VENDOR)/htmx $(VENDOR)/echarts
	cp $(NODE_MODULES)/bootstrap/dist/css/bootstrap.min.css $(NODE_MODULES)/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp $(NODE_MODULES)/bootstrap/dist/js/bootstrap.bundle.min.js $(NODE_MODULES)/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp $(NODE_MODULES)/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/bootstrap-icons/
	cp $(NODE_MODULES)/bootstrap-icons/font/fonts/bootstrap-icons.woff $(NODE_MODULES)/bootstrap-icons/font/fonts/bootstrap-icons.woff2 $(VENDOR)/bootstrap-icons/fonts/
	cp $(NODE_MODULES)/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp $(NODE_MODULES)/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	touch $@

test: install vendor
	scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

# Benchmarks (results in bench/results/, summarised in docs/benchmarks.md).
bench: install vendor
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/workorders.py
	$(BIN)/python bench/dashboard.py --data-dir var/bench-1m
	$(BIN)/python bench/export.py --data-dir var/bench-1m
	$(BIN)/python bench/search.py --data-dir var/bench-1m
	$(BIN)/python bench/triage.py

clean:
	rm -rf $(VENV) build $(NODE_MODULES) test-artifacts
