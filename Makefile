# Two commands a newcomer needs: `make run` and `make test`. Everything else
# here is what they call.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
BUILD := static/build/app.css

.PHONY: run test setup system-deps services migrate seed serve worker run-services bench-smoke clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

$(BUILD): $(NPM_STAMP) static/src/app.scss static/src/app.mjs static/src/build.mjs
	npm run --silent build

setup: $(STAMP) $(BUILD)

# Debian packages the browser tests and PDF checks use (root only; never
# `playwright install`: the tests drive Debian's /usr/bin/chromium).
system-deps:
	@bash scripts/system-deps.sh

## make run: the demo school on SQLite with tasks in-process, at http://127.0.0.1:8000
run: setup
	DEBUG=true SEND_REQUIRE_MFA=false $(PY) manage.py migrate --noinput
	DEBUG=true SEND_REQUIRE_MFA=false $(PY) manage.py seed_demo
	DEBUG=true SEND_REQUIRE_MFA=false $(PY) manage.py runserver 127.0.0.1:8000

## make run-services: the same on PostgreSQL and Redis with a real worker and beat
run-services: setup
	bash scripts/run-with-services.sh

## make test: set up and run every test (PostgreSQL and Redis when they can be had)
test: setup system-deps
	bash scripts/test.sh

## make audit: known vulnerabilities in the pinned Python and npm packages
## (says plainly when the vulnerability service cannot be reached; fails only on findings)
.PHONY: audit
audit: $(STAMP)
	bash scripts/audit.sh

bench-smoke: setup
	DEBUG=true $(PY) -m bench.smoke

clean:
	rm -rf $(VENV) node_modules static/build staticfiles
