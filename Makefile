# jointaudit: `make demo` and `make test` are all a new machine needs (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= var

export JOINTAUDIT_DATA_DIR ?= $(DATA_DIR)
export PREFECT_HOME ?= $(abspath $(DATA_DIR))/prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120

RUNTIME_STAMP := $(VENV)/.stamp-runtime
DEV_STAMP := $(VENV)/.stamp-dev
PREFECT_DB_STAMP := $(PREFECT_HOME)/.database-ready
GOVUK_FRONTEND_VERSION := 6.3.0
GOVUK_ASSETS := agencies/portal/static/govuk

.PHONY: demo test lint format bench clean help assets

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per set of extras: `make demo` then `make test` still installs the dev extra.
$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	# irrCAC, the reference the agreement tests compare with, pins an old scipy it does not need.
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps irrCAC==0.4.4
	touch $@ $(RUNTIME_STAMP)

# Building Prefect's own SQLite database takes longer than its embedded server waits: do it once.
$(PREFECT_DB_STAMP): $(RUNTIME_STAMP)
	mkdir -p $(PREFECT_HOME)
	$(BIN)/prefect server database upgrade -y > /dev/null
	touch $@

# The portal's GOV.UK Frontend assets, fetched (never committed); the portal renders without them.
assets:  ## Fetch govuk-frontend into the portal's static folder when missing
	@if [ -f $(GOVUK_ASSETS)/govuk-frontend.min.css ]; then exit 0; fi; \
	if ! command -v npm > /dev/null; then \
	  echo "npm not found: the portal runs without GOV.UK Frontend's CSS (install Node.js and npm, then make assets)"; \
	  exit 0; fi; \
	tmp=$$(mktemp -d); \
	if npm install --silent --no-audit --no-fund --prefix "$$tmp" govuk-frontend@$(GOVUK_FRONTEND_VERSION); then \
	  mkdir -p $(GOVUK_ASSETS) && cp -R "$$tmp/node_modules/govuk-frontend/dist/govuk/." $(GOVUK_ASSETS)/; \
	else echo "fetching govuk-frontend failed: the portal runs without its CSS"; fi; \
	rm -rf "$$tmp"

# The sign-in tests run a real OpenID provider (npm's oidc-provider, version 8 for Node.js 20).
OIDC_PROVIDER := var/node/node_modules/oidc-provider/package.json
$(OIDC_PROVIDER):
	@if command -v npm > /dev/null; then \
	  mkdir -p var/node && npm install --silent --no-audit --no-fund --prefix var/node oidc-provider@8; \
	else echo "npm not found: the provider sign-in tests are skipped"; fi

demo: $(RUNTIME_STAMP) $(PREFECT_DB_STAMP) assets  ## Run a whole joint audit story on the embedded SQLite default
	$(BIN)/jointaudit demo

# One pytest-xdist worker per core (TEST_WORKERS=0 runs them in this process).
TEST_WORKERS ?= auto

test: $(DEV_STAMP) $(PREFECT_DB_STAMP) assets $(OIDC_PROVIDER)  ## Run the tests (PostgreSQL too when JOINTAUDIT_TEST_POSTGRES_URL is set)
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: $(DEV_STAMP)  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy flows models agencies notifications

format: $(DEV_STAMP)  ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(DEV_STAMP)  ## Run the benchmarks and print their ratios
	$(BIN)/python -m bench

clean:  ## Remove the virtual environment and the data directory
	rm -rf $(VENV) $(DATA_DIR)
