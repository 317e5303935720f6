# Two entry points do all the set-up on a fresh machine with Python 3.11+:
#   make demo   -> builds .venv, then runs the main job (against the built-in emulator unless GRAFANA_URL is set)
#   make test   -> builds .venv, then runs lint, types, import contracts, the distribution check and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck contracts dist pytest bench clean release-tag

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m syncer.demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# The wheel and sdist as they would be published (PyPI name grafana-syncer, command syncer), checked
# by twine; the wheel is built from the sdist, so a file missing from the sdist fails here.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

pytest: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: lint typecheck contracts dist pytest

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# A release is the annotated tag v<version> (pyproject.toml) on a clean, tested main: the tag that
# the pre-commit example (`rev:`) and the CI install lines pin. Push it with: git push origin v<version>
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
release-tag: test
	@git diff --quiet HEAD || { echo "release-tag: the work tree has uncommitted changes" >&2; exit 1; }
	git tag -a "v$(VERSION)" -m "grafana-syncer $(VERSION)"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
