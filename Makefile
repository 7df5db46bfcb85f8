# dp_portal: `make run` to try it, `make test` to check it. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
CSS := dp_portal/static/build/app.css
JS := dp_portal/static/build/govuk-frontend.min.js
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in emails and letters name the address the portal answers on (0.0.0.0 listens
# everywhere; this machine reaches it at 127.0.0.1).
PUBLIC_BASE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
# Production is the app's default; every target here is a developer's machine, so it says so.
FLASK := DP_ENV=development PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/flask --app dp_portal
# uv installs in seconds when it is on the machine; pip does the same job otherwise.
UV := $(shell command -v uv 2>/dev/null)
DEMO_ACCOUNTS ?= 200

# Production (docs/deployment.md): the settings come from the environment, or from ENV_FILE
# (shell syntax, as systemd's EnvironmentFile reads it too). DP_ENV=production whatever it says.
PROD_STAMP := $(VENV)/.installed-prod
ENV_FILE ?=
PROD := $(if $(ENV_FILE),set -a && . $(abspath $(ENV_FILE)) && set +a &&) DP_ENV=production

.DEFAULT_GOAL := help
.PHONY: help install assets migrate demo run test test-fast lint format bench clean \
	prod prod-scheduler prod-check prod-install prod-assets

help: ## List the make targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-15s %s\n", $$1, $$2}'

$(PY_STAMP): setup.cfg pyproject.toml
ifneq ($(UV),)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python -e '.[test]'
else
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
endif
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): $(NPM_STAMP) dp_portal/static/src/app.scss
	mkdir -p dp_portal/static/build
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
		--quiet-deps dp_portal/static/src/app.scss $(CSS)

$(JS): $(NPM_STAMP)
	mkdir -p dp_portal/static/build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(JS)

install: $(PY_STAMP) $(NPM_STAMP) ## Create the virtualenv and install Python and front-end packages

assets: $(CSS) $(JS) ## Build the council's GOV.UK Frontend CSS and copy its JavaScript

migrate: install ## Bring the database (instance/dp_portal.sqlite3, or DATABASE_URL) up to date
	$(FLASK) db upgrade

demo: migrate ## Load demo data once (DEMO_ACCOUNTS=200); prints a login for every role
	$(FLASK) dp demo --accounts $(DEMO_ACCOUNTS) --seed 1 --if-empty

run: install assets demo ## Set everything up and start the portal and its scheduler (HOST, PORT)
	@echo ""
	@echo "Starting dp_portal on http://$(HOST):$(PORT) and its scheduler (Ctrl+C stops both)"
	@$(FLASK) dp scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install assets ## Run the whole suite (TEST_DATABASE_URL for PostgreSQL; browser tests need Chromium)
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install assets ## The suite without the browser tests
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install ## ruff lint and format check
	$(BIN)/ruff check dp_portal tests bench migrations deploy
	$(BIN)/ruff format --check dp_portal tests bench migrations deploy

format: install ## Format and fix what ruff can
	$(BIN)/ruff format dp_portal tests bench migrations deploy
	$(BIN)/ruff check --fix dp_portal tests bench migrations deploy

bench: install ## Run the benchmarks (figures in docs/benchmarks.md)
	$(BIN)/python bench/demo_data.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/payment_run.py
	$(BIN)/python bench/returns.py
	$(BIN)/python bench/reminders.py

# The app and its runtime packages only (no test tools); a machine that ran `make install`
# already has them.
$(PROD_STAMP): setup.cfg pyproject.toml
	@if [ -f $(PY_STAMP) ] && [ $(PY_STAMP) -nt setup.cfg ]; then touch $@; exit 0; fi; \
	$(if $(UV),$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV) && \
	$(UV) pip install --quiet --python $(BIN)/python -e .,$(PYTHON) -m venv $(VENV) && \
	$(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e .) && touch $@

prod-install: $(PROD_STAMP)

# A release may ship its stylesheet built; only build it (with Node.js) when it is missing.
prod-assets:
	@if [ ! -f $(CSS) ] || [ ! -f $(JS) ]; then $(MAKE) --no-print-directory assets; fi

prod-check: ## Check this host's production settings (names every one missing)
	@$(PROD) $(BIN)/python -m deploy.preflight

prod: prod-install prod-assets ## Production web host: check settings, migrate, start gunicorn (ENV_FILE)
	@$(PROD) $(BIN)/python -m deploy.preflight
	@$(PROD) $(BIN)/python -m deploy.release
	@$(PROD) exec $(BIN)/gunicorn --config deploy/gunicorn.conf.py

prod-scheduler: prod-install ## Production scheduler host: check settings, migrate, start the scheduler (STANDBY=1)
	@$(PROD) $(BIN)/python -m deploy.preflight
	@$(PROD) $(BIN)/python -m deploy.release
	@$(PROD) exec $(BIN)/flask --app dp_portal dp scheduler $(if $(STANDBY),--standby)

clean: ## Remove the virtualenv, node_modules and built assets (keeps instance/ data)
	rm -rf $(VENV) node_modules dp_portal/static/build
