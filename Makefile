# Two commands on a fresh machine: `make run` (install + serve on the embedded default)
# and `make test` (install + lint + type check + the whole test suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint format typecheck pytest bench clean browser bench-tools

# Reinstall only when the declared dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/journey serve

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest

# Debian's chromium for the browser tests (tests/browser skip, saying why, without it). Through
# the package manager only (never a browser download); instant when it is already installed.
# poppler-utils (pdftotext, pdftoppm) lets the welcome-letter tests read the PDFs they make.
browser:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core fonts-liberation poppler-utils >/dev/null; }
	@chromium --version 2>/dev/null

# wrk, the C load generator `journey bench http` sends its load with (a Python client measured
# itself, not the server); tests/integration/test_wrk_replay.py checks our wrk script with it.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	@wrk --version 2>&1 | head -1 || true

bench: install
	$(BIN)/journey bench kernel

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var
