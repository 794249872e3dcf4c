# The verbs of the JTec site. `make serve` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
# What serving needs; the test tools (pytest, ruff, Playwright, schemathesis) come with `make test`.
SERVE_INSTALLED := $(VENV)/.installed-serve
TEST_INSTALLED := $(VENV)/.installed-test

.PHONY: serve preview check test audit lint chromium java node infra-tools build lock form-rules bank-holidays lock-functions bench deploy publish clean

$(SERVE_INSTALLED): pyproject.toml staff/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e . -e ./staff
	touch $@

$(TEST_INSTALLED): $(SERVE_INSTALLED)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The template's linters and the Node tools, each in its own environment (see infra/tools/).
INFRA_INSTALLED := .venv-infra/.installed
CHECKOV_INSTALLED := .venv-checkov/.installed
NODE_INSTALLED := node_modules/.installed
OBSERVATORY := node_modules/@mdn/mdn-http-observatory

$(INFRA_INSTALLED): infra/tools/lint-requirements.txt
	test -x .venv-infra/bin/python || $(PYTHON) -m venv .venv-infra
	.venv-infra/bin/python -m pip install --quiet -r infra/tools/lint-requirements.txt
	touch $@

$(CHECKOV_INSTALLED): infra/tools/checkov-requirements.txt
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet -r infra/tools/checkov-requirements.txt
	touch $@

# --ignore-scripts: the Observatory's install script downloads Chromium's HSTS preload list from GitHub.
# That list names public host names only (127.0.0.1, which the tests scan, is never on it), so an
# empty one is the true answer here.
$(NODE_INSTALLED): package.json package-lock.json | node
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	test -f $(OBSERVATORY)/conf/hsts-preload.json || echo '{}' > $(OBSERVATORY)/conf/hsts-preload.json
	touch $@

infra-tools: $(INFRA_INSTALLED) $(CHECKOV_INSTALLED) $(NODE_INSTALLED)

serve: $(SERVE_INSTALLED)
	PORT=$(PORT) $(PY) -m local.serve $(if $(JSON_LOGS),--json-logs)

# The production build (publishconf.py: no drafts), served as it is on 127.0.0.1 with the forms working.
preview: $(SERVE_INSTALLED)
	PORT=$(PORT) $(PY) -m local.serve --preview

lint: $(TEST_INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The edit-test loop: ruff and every test that needs no browser, no infrastructure linter, no sam build
# and no command started as a process of its own, on both cores, the properties (the API's fuzzing among them)
# tried with fewer examples (make test runs everything, with the full numbers). Compiled modules are kept
# between runs even where the environment says not to write them (PYTHONDONTWRITEBYTECODE): without
# them each run compiles the tests and the project again, ~2 s a process. PYTEST_ARGS go to pytest after
# these (`make check PYTEST_ARGS=-x`; bench/inner_loop.py times this target and breaks a run of it down).
check: lint
	env -u PYTHONDONTWRITEBYTECODE EXAMPLES_SCALE=0.1 $(PY) -m pytest -m "not browser and not tools and not deployed and not process" -n 2 $(PYTEST_ARGS)

# Everything, browser tests included: Debian's Chromium is installed first when it is missing.
test: lint chromium java infra-tools
	$(PY) -m pytest

# The auditor's report (`jtec audit`, README's Staff tools): the tests docs/design.md section 11 names run
# now, and their results written into the report with the commit, for the table jtec is pointed at
# (TABLE_NAME and AWS credentials, or the lines `make serve` prints). A promise whose tests failed or did
# not run is named in the report's summary.
AUDIT_DIR := audit-report
audit: $(TEST_INSTALLED) chromium
	mkdir -p $(AUDIT_DIR)
	-$(PY) -m pytest -q --junitxml=$(AUDIT_DIR)/tests.xml $$($(PY) -m jtec_staff.evidence)
	$(VENV)/bin/jtec audit --evidence $(AUDIT_DIR)/tests.xml --commit "$$(git rev-parse HEAD)" --out $(AUDIT_DIR)/audit.html

# The W3C Nu HTML checker (node_modules/vnu-jar, with the Node tools) runs on Java: Debian's is installed
# first when it is missing.
java:
	@command -v java >/dev/null || { \
	  if [ -f /etc/debian_version ] && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's Java runtime for the Nu HTML checker"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; \
	  else \
	    echo "The HTML validity tests need Java: run 'sudo apt-get install default-jre-headless', then make test again"; \
	    exit 1; \
	  fi; }

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

# Node.js 20 or later and npm (Debian's packages when missing; Debian 12's Node is too old, see README).
node:
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null && command -v npm >/dev/null || { \
	  if [ -f /etc/debian_version ] && [ "$$(id -u)" = 0 ] && ! command -v node >/dev/null; then \
	    echo "Installing Debian's nodejs and npm for the header and workflow checks"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; \
	  fi; \
	  node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null && command -v npm >/dev/null || { \
	    echo "The infrastructure tests need Node.js 20 or later with npm (found: $$(node --version 2>/dev/null || echo none)); install them, then make test again"; \
	    exit 1; }; }

build: $(SERVE_INSTALLED)
	@test -n "$$SITEURL" || echo "Warning: SITEURL is empty, so canonical links and Atom ids are relative. Set SITEURL=https://... for the real site."
	$(PY) -m pelican content -o output -s publishconf.py

# Record published upcoming policy versions and new consent wordings in their locks (refuses to
# rewrite history), and the policy lock's sha256 in the template (what make publish checks the stack for).
lock: $(SERVE_INSTALLED)
	$(PY) -m plugins.policy_versions.lock content/policies functions/jtec_forms/policy_lock.json $(if $(YES),--yes)
	$(PY) -m plugins.site_data.wording_lock
	$(PY) -m infra.deployed_lock

bench: $(TEST_INSTALLED) $(NODE_INSTALLED) chromium
	$(PY) -m bench

# The Lambda package's exact versions, resolved for the functions' runtime (functions/requirements.in ->
# requirements.txt, which sam build bundles).
# The forms' validators, generated from their JSON Schemas (a test fails while they are stale).
form-rules: $(TEST_INSTALLED)
	$(PY) -m project.form_rules

# Northern Ireland's bank holidays for data requests' deadlines, from the holidays library (a test fails
# while the file and the library disagree, or when it ends within three years).
bank-holidays: $(TEST_INSTALLED)
	$(PY) -m project.bank_holidays

lock-functions: $(SERVE_INSTALLED)
	$(PY) -m infra.lock_functions

# Production (docs/deploying.md). deploy: checks (credentials, Python for the runtime, parameters), the
# forms' secret once, then sam build and sam deploy with infra/samconfig.toml. publish: build the site for
# the stack's address, upload what changed, invalidate CloudFront.
SAM := $(CURDIR)/.venv-infra/bin/sam
export SAM_BUILD_FLAGS SAM_DEPLOY_FLAGS
deploy: $(SERVE_INSTALLED) $(INFRA_INSTALLED)
	$(PY) -m infra.prepare_deploy
	cd infra && SAM_CLI_TELEMETRY=0 $(SAM) build $(SAM_BUILD_FLAGS) && SAM_CLI_TELEMETRY=0 $(SAM) deploy $(SAM_DEPLOY_FLAGS)

publish: $(SERVE_INSTALLED)
	$(PY) -m infra.publish

clean:
	rm -rf output .serve audit-report .pytest_cache .ruff_cache .hypothesis .schemathesis
