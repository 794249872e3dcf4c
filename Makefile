# The verbs of the JTec site. `make serve` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: serve test lint build bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

serve: $(VENV)/.installed
	PORT=$(PORT) $(PY) -m local.serve

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

build: $(VENV)/.installed
	$(PY) -m pelican content -o output -s publishconf.py

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf output .pytest_cache
