# Blue Ledger: `make run` starts the system, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
BL := $(VENV)/bin/blueledger
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

# Django 6 needs Python 3.12+; the machine's default python3 may be older, so look for one.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

.PHONY: help run test test-unit test-browser lint fmt bench messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Blue Ledger needs Python 3.12 or newer (Django 6 requires it) and none was found."; \
	  echo "Install one (for example 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 run"; \
	  exit 1; fi
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml package.json
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@# axe-core for the accessibility checks of the browser tests; without npm they say so and skip.
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --loglevel=error; \
	  else echo "npm not found: the accessibility checks will be skipped (CI installs it)"; fi
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install Blue Ledger with its tools

run: $(STAMP) ## Migrate, load demo data if empty, start web server and worker on 127.0.0.1:$(PORT)
	$(BL) migrate --no-input
	$(BL) demo --if-empty
	$(BL) serve --host $(HOST) --port $(PORT)

# Tests run on every core (pytest-xdist); TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto

test: $(STAMP) ## Run the whole suite (browser tests in their own process)
	$(PY) -m pytest -m "not browser" -q -n $(TEST_WORKERS)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser -q

lint: $(STAMP) ## ruff and mypy
	$(VENV)/bin/ruff format --check blueledger bench
	$(VENV)/bin/ruff check blueledger bench
	$(VENV)/bin/mypy blueledger

fmt: $(STAMP) ## Format and fix what ruff can
	$(VENV)/bin/ruff format blueledger bench
	$(VENV)/bin/ruff check --fix blueledger bench

bench: $(STAMP) ## Run the benchmarks and print their figures
	$(PY) bench/run.py

messages: $(STAMP) ## Extract and compile translations (needs GNU gettext)
	cd blueledger && ../$(BL) makemessages -l fr -l ar --no-obsolete && ../$(BL) compilemessages

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
