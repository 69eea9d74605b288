# Sunlit — `make run` serves the demo, `make test` checks everything. Nothing else to install
# by hand: Python packages come from PyPI, front-end packages from npm (when npm is present).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test install lint types pytest demo messages screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
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

# Re-extract messages after changing user-facing text; then translate the new zh entries.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k translate --no-location --sort-output \
		--project Sunlit --copyright-holder "Sunlit contributors" -o src/sunlit/locale/messages.pot .
	$(BIN)/pybabel update -i src/sunlit/locale/messages.pot -d src/sunlit/locale -D messages \
		--no-fuzzy-matching --ignore-obsolete

# Screenshots of every page in both languages, into docs/screenshots (needs /usr/bin/chromium).
screenshots: install
	$(BIN)/python scripts/screenshots.py docs/screenshots

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
