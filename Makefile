# Two commands on a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app web
VENDOR := web/static/vendor

.PHONY: setup run test lint format bench db demo vendor translations clean e2e-deps mutate

setup: $(VENV)/.installed node_modules/.installed $(VENDOR)/.copied translations

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

MODELER_SOURCES := $(shell find web/static/modeler/src -type f 2>/dev/null)

$(VENDOR)/.copied: node_modules/.installed scripts/vendor.sh $(MODELER_SOURCES)
	bash scripts/vendor.sh
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d web/translations

db: setup
	$(FLASK) db upgrade
	$(FLASK) processes check
	$(FLASK) processes load
	$(FLASK) demo load --if-empty

run: db
	bash scripts/run.sh

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(FLASK) processes check
	bash scripts/ensure_chromium.sh
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python -m tests.benchmarks

# Mutation testing of the rule modules (setup.cfg [mutmut]); not part of `make test`. Slow: run it
# in the background on a busy machine. Results stay in mutants/ (a rerun checks only what changed).
MUTATE_JOBS ?= 2

$(VENV)/.mutate-installed: requirements-mutate.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-mutate.txt
	touch $@

mutate: translations $(VENV)/.mutate-installed
	env -u TEST_DATABASE_URL $(BIN)/mutmut run --max-children $(MUTATE_JOBS)
	$(BIN)/python scripts/mutation_report.py --survivors

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance mutants
