# The two commands a person needs: `make lab` and `make test`. Both create .venv when it is missing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# the browser libraries the slide decks load (reveal.js, MathJax, ...), from the npm registry, git-ignored
DECK_LIBS := slides/node_modules/.package-lock.json
# the browser libraries the website serves itself (MathJax 3), from the npm registry, git-ignored
SITE_LIBS := docs/node_modules/.package-lock.json
# what ruff checks and formats
CODE := course_utils tests tools benchmarks notebooks hub docs
# The exact tested versions (hashed), installed on the platform they were tested on; elsewhere pip
# takes the newest releases within pyproject.toml's ranges.
LOCK := requirements.lock
LOCKED_PLATFORM := $(filter Linux-x86_64,$(shell uname -s)-$(shell uname -m))
# Linux without an NVIDIA GPU takes torch's CPU build from the PyTorch CPU index (PyPI's Linux
# wheel bundles CUDA); `make lab TORCH_CPU=0` takes PyPI's build instead.
TORCH_CPU ?= $(if $(and $(filter Linux,$(shell uname -s)),$(if $(shell command -v nvidia-smi),,no-gpu)),1,0)
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu

.PHONY: help setup lab test execute slides student assignments bench mutation lint format clean site lock

help:
	@echo "make lab      open the course in JupyterLab (creates .venv on first use)"
	@echo "make test     run every test, every notebook included (creates .venv on first use)"
	@echo "make execute  re-run every notebook in place from a clean kernel"
	@echo "make slides   build the reveal.js decks into build/slides/ (they open offline)"
	@echo "make student  write build/student/ without the solution cells and instructor notes"
	@echo "make assignments  write the nbgrader course build/nbgrader/ (graded exercises, hidden tests)"
	@echo "make bench    time every notebook and its peak memory; writes BENCHMARKS.md"
	@echo "make mutation mutation-test course_utils, each module with its own tests; writes BENCHMARKS.md"
	@echo "make site     build the course website into build/site/ (works offline)"
	@echo "make lock     re-resolve pyproject.toml's ranges; writes requirements.lock and environment.yml"
	@echo "make lint     ruff check and ruff format --check over the code and the notebooks"
	@echo "make format   ruff format the code and the notebooks"

setup: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
ifneq ($(LOCKED_PLATFORM),)
ifeq ($(TORCH_CPU),1)
	sed -n '/^torch==/,/[^\\]$$/p' $(LOCK) > $(VENV)/torch.lock
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes --extra-index-url $(TORCH_CPU_INDEX) -r $(VENV)/torch.lock
else
	$(BIN)/python -m pip install --quiet "$$(grep -o '^torch==[^ ]*' $(LOCK))"
endif
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet -e ".[dev,site,hub,grading,mutation]"
else
	$(BIN)/python -m pip install --quiet $(if $(filter 1,$(TORCH_CPU)),--extra-index-url $(TORCH_CPU_INDEX)) -e ".[dev,site,hub,grading,mutation]"
endif
	touch $(STAMP)

# slides/, docs/ and hub/ each pin the browser libraries they need in package.json + package-lock.json
%/node_modules/.package-lock.json: %/package.json %/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix $* --no-audit --no-fund --ignore-scripts && touch $@; \
	else \
	  echo "note: npm is not installed, so $*/node_modules is missing and the tests that need it skip (Debian: apt-get install npm)"; \
	fi

lab: $(STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_welcome.ipynb

test: $(STAMP) $(DECK_LIBS) $(SITE_LIBS)
	$(BIN)/python -m pytest

execute: $(STAMP)
	$(BIN)/python -m tools.execute $(NOTEBOOKS)

slides: $(STAMP) $(DECK_LIBS)
	$(BIN)/python -m tools.slides $(NOTEBOOKS)

site: $(STAMP) $(DECK_LIBS) $(SITE_LIBS)
	$(BIN)/python -m tools.site

lock: $(STAMP)
	$(BIN)/python -m tools.lock

student: $(STAMP)
	$(BIN)/python -m tools.student $(NOTEBOOKS)

assignments: $(STAMP)
	$(BIN)/python -m tools.assignments $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python -m tools.bench $(NOTEBOOKS)

# MODULES=course_utils/xai/metrics.py measures one module (its table goes to benchmarks/mutation.md only)
mutation: $(STAMP)
	$(BIN)/python -m tools.mutation $(MODULES)

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

format: $(STAMP)
	$(BIN)/ruff format $(CODE)

clean:
	rm -rf build $(VENV)

# The class hub: `make hub` starts the trial hub of hub/jupyterhub_config.py on 127.0.0.1 (FOR TRYING
# ONLY); `make test-hub` runs the full class load test (12 learners) and writes benchmarks/hub_load.md.
# Its proxy, configurable-http-proxy, comes from the npm registry (pinned in hub/package-lock.json).
HUB_PROXY := hub/node_modules/.package-lock.json
.PHONY: hub test-hub

# `make test` runs the reduced class (tests/hub: 3 learners), so it needs the proxy too
test: $(HUB_PROXY)

hub: $(STAMP) $(HUB_PROXY)
	$(BIN)/python -m tools.hub serve

test-hub: $(STAMP) $(HUB_PROXY)
	COURSE_HUB_LEARNERS=12 COURSE_HUB_REPORT=benchmarks/hub_load.md $(BIN)/python -m pytest tests/hub
