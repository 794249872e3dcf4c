# The verbs of the JTec site. `make serve` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
# What serving needs; the test tools (pytest, ruff, Playwright, schemathesis) come with `make test`.
SERVE_INSTALLED := $(VENV)/.installed-serve
TEST_INSTALLED := $(VENV)/.installed-test

.PHONY: serve check test lint chromium build lock bench clean

$(SERVE_INSTALLED): pyproject.toml staff/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e . -e ./staff
	touch $@

$(TEST_INSTALLED): $(SERVE_INSTALLED)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

serve: $(SERVE_INSTALLED)
	PORT=$(PORT) $(PY) -m local.serve

lint: $(TEST_INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The edit-test loop: ruff and every test that needs no browser, on both cores, the API fuzzed with
# fewer examples (make test fuzzes with the full number).
check: lint
	FUZZ_EXAMPLES=15 $(PY) -m pytest -m "not browser" -n 2

# Everything, browser tests included: Debian's Chromium is installed first when it is missing.
test: lint chromium
	$(PY) -m pytest

chromium:
	@test -x $(CHROMIUM) || { \
	  if [ -f /etc/debian_version ] && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else \
	    echo "The browser tests need Chromium: run 'sudo apt-get install chromium chromium-driver', then make test again (make check runs the rest)"; \
	    exit 1; \
	  fi; }

build: $(SERVE_INSTALLED)
	@test -n "$$SITEURL" || echo "Warning: SITEURL is empty, so canonical links and Atom ids are relative. Set SITEURL=https://... for the real site."
	$(PY) -m pelican content -o output -s publishconf.py

# Record published upcoming policy versions and new consent wordings in their locks (refuses to
# rewrite history).
lock: $(SERVE_INSTALLED)
	$(PY) -m plugins.policy_versions.lock content/policies functions/jtec_forms/policy_lock.json
	$(PY) -m plugins.site_data.wording_lock

bench: $(TEST_INSTALLED)
	$(PY) -m bench

clean:
	rm -rf output .pytest_cache .ruff_cache .hypothesis .schemathesis
