# Sunlit — `make run` serves the demo, `make test` checks everything. Nothing else to install
# by hand: Python packages come from PyPI exactly as uv.lock pins them (with their hashes),
# front-end packages from npm exactly as package-lock.json pins them (when npm is present).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_STAMP := $(VENV)/.uv-installed
PYTEST_ARGS ?=
# uv installs what uv.lock says and nothing else; --locked refuses a lock that disagrees with
# pyproject.toml instead of quietly re-resolving it (ADR 0007).
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(BIN)/uv

.PHONY: run test install lint types pytest demo messages screenshots clean lock upgrade \
	check-lock fuzz context-map

# uv alone, for `make lock` and `make upgrade`: they must run while uv.lock is stale, which is
# exactly when the full install below refuses to.
$(UV_STAMP): requirements/uv.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --only-binary=:all: --no-deps -r requirements/uv.txt
	touch $(UV_STAMP)

$(STAMP): pyproject.toml uv.lock $(UV_STAMP)
	$(UV) sync --locked --extra dev --quiet
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm not found: pages work without htmx; accessibility checks need npm"; \
	fi

install: $(STAMP) node_modules/.installed

run: install
	$(BIN)/sunlit migrate
	$(BIN)/sunlit demo
	$(BIN)/sunlit serve

lint: install
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench

types: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: lint types pytest

# Schemathesis over the JSON API on a live server (about 5 minutes on 2 cores, so not part of
# `make test`; CI runs it). PYTEST_ARGS="--fuzz-seed=n --fuzz-examples=n --fuzz-seconds=n" to vary.
fuzz: install
	$(BIN)/pytest -q tests/test_openapi_fuzz.py --fuzz $(PYTEST_ARGS)

# Re-extract messages after changing user-facing text; then translate the new zh entries.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k translate --no-location --sort-output \
		--project Sunlit --copyright-holder "Sunlit contributors" -o src/sunlit/locale/messages.pot .
	$(BIN)/pybabel update -i src/sunlit/locale/messages.pot -d src/sunlit/locale -D messages \
		--no-fuzzy-matching --ignore-obsolete

# Screenshots of every page in both languages, into docs/screenshots (needs /usr/bin/chromium).
screenshots: install
	$(BIN)/python scripts/screenshots.py docs/screenshots

# Refresh uv.lock after editing pyproject.toml's dependencies (keeps every other pin).
lock: $(UV_STAMP)
	$(UV) lock
	$(BIN)/python scripts/check_lock.py --write

# Move every pin to the newest release pyproject.toml allows (one package: make upgrade
# PACKAGE=fastapi); then run make test and commit uv.lock on its own.
upgrade: $(UV_STAMP)
	$(UV) lock $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade)
	$(BIN)/python scripts/check_lock.py --write

# Fails when uv.lock, pyproject.toml and requirements/uv.txt disagree (CI runs it).
check-lock: $(UV_STAMP)
	$(UV) lock --check
	$(BIN)/python scripts/check_lock.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache

# docs/architecture.md's context map, from the rules in tests/architecture.py
context-map: install
	$(BIN)/python scripts/context_map.py
