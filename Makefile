# The two commands a person needs: `make lab` and `make test`. Both create .venv when it is missing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# the browser libraries the slide decks load (reveal.js, MathJax, ...), from the npm registry, git-ignored
DECK_LIBS := slides/node_modules/.package-lock.json
# what ruff checks and formats
CODE := course_utils tests tools benchmarks notebooks

.PHONY: help setup lab test execute slides student bench lint format clean

help:
	@echo "make lab      open the course in JupyterLab (creates .venv on first use)"
	@echo "make test     run every test, every notebook included (creates .venv on first use)"
	@echo "make execute  re-run every notebook in place from a clean kernel"
	@echo "make slides   build the reveal.js decks into build/slides/ (they open offline)"
	@echo "make student  write build/student/ without the solution cells"
	@echo "make bench    time every notebook and its peak memory; writes BENCHMARKS.md"
	@echo "make lint     ruff check and ruff format --check over the code and the notebooks"
	@echo "make format   ruff format the code and the notebooks"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(DECK_LIBS): slides/package.json slides/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix slides --no-audit --no-fund --ignore-scripts && touch $(DECK_LIBS); \
	else \
	  echo "note: npm is not installed, so the decks cannot be built and the deck test skips (Debian: apt-get install npm)"; \
	fi

lab: $(STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_welcome.ipynb

test: $(STAMP) $(DECK_LIBS)
	$(BIN)/python -m pytest

execute: $(STAMP)
	$(BIN)/python -m tools.execute $(NOTEBOOKS)

slides: $(STAMP) $(DECK_LIBS)
	$(BIN)/python -m tools.slides $(NOTEBOOKS)

student: $(STAMP)
	$(BIN)/python -m tools.student $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python -m tools.bench $(NOTEBOOKS)

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

format: $(STAMP)
	$(BIN)/ruff format $(CODE)

clean:
	rm -rf build $(VENV)
