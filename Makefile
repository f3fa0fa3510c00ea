# Safer Communities. `make demo` and `make test` set everything up themselves.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo runs with two-factor authentication switched off (a banner says so); `make demo MFA=on` keeps it on.
MFA ?= off
# Two workers on these 2-core machines; `make test PYTEST_ARGS=` runs in one process.
PYTEST_ARGS ?= -n 2

.PHONY: help
help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock
	@PYBIN=$$(scripts/find-python) && { [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { rm -rf $(VENV); "$$PYBIN" -m venv $(VENV); }; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	@touch $@

.PHONY: install
install: $(STAMP) ## Create .venv and install the pinned dependencies
	@scripts/system-packages run

.PHONY: demo
demo: install ## Set up and start the demo on http://127.0.0.1:8000 (SQLite, demo data, background worker)
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_demo
	@SAFER_MFA_DISABLED=$$([ "$(MFA)" = "on" ] && echo false || echo true) HOST=$(HOST) PORT=$(PORT) scripts/run-demo

.PHONY: test
test: $(STAMP) ## Set up and run every check: ruff, mypy, pytest (unit, database, browser + axe, schemathesis)
	@scripts/system-packages test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PYTEST_ARGS)

.PHONY: lint
lint: $(STAMP) ## ruff and mypy only
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

.PHONY: bench
bench: $(STAMP) ## Benchmarks, each figure beside a baseline measured in the same run (BENCH_ROWS=10000000 for the full national load)
	@scripts/system-packages bench
	$(PY) bench/run.py
	$(PY) bench/cases.py

.PHONY: assets
assets: ## Rebuild the committed CSS/JS from frontend/ with npm (needs Node.js)
	frontend/build.sh

.PHONY: lock
lock: ## Re-resolve requirements/*.in into requirements/*.lock
	@PYBIN=$$(scripts/find-python) && rm -rf .lockvenv && "$$PYBIN" -m venv .lockvenv && .lockvenv/bin/pip install -q -r requirements/base.in \
	 && { echo "# Pinned run-time dependencies, resolved from requirements/base.in by 'make lock'. Do not edit by hand."; .lockvenv/bin/pip freeze; } > requirements/base.lock \
	 && .lockvenv/bin/pip install -q -r requirements/dev.in \
	 && { echo "# Pinned run-time + development dependencies, resolved from requirements/dev.in by 'make lock'. Do not edit by hand."; .lockvenv/bin/pip freeze; } > requirements/dev.lock \
	 && rm -rf .lockvenv

.PHONY: clean
clean: ## Remove the virtualenv, the demo database and caches
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
