# Two commands for a new user: `make run` and `make test`. See README.md.
VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the emails `make run` sends (replies, held comments, unsubscribe) point at
# the address it serves, whatever the port; set SITE_URL to override.
SITE_URL ?= http://$(HOST):$(PORT)

# The in-process tests run in this many pytest-xdist workers (`auto`: one a core).
WORKERS ?= auto
# Extra pytest arguments, e.g. PYTEST_ARGS="-x -k comment" or a --junitxml for CI.
PYTEST_ARGS ?=
PYTEST := $(VENV)/bin/pytest
# Tests that start servers, a database cluster or Chromium of their own: timed,
# port- and CPU-hungry, so they run one at a time, after the in-process tests.
REAL := browser or real_processes

.PHONY: run test check test-inprocess test-real install install-dev browser java migrate lint \
	format audit bench

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# STIX Two Math, subset to a WOFF2 under 300 KB (seminars/mathfont.py); not committed.
MATH_FONT := build/fonts/STIXTwoMath-Math.woff2
$(MATH_FONT): seminars/mathfont.py requirements.txt
	$(PYTHON) -m seminars.mathfont

install: $(VENV)/.installed node_modules/.installed $(MATH_FONT)

install-dev: $(VENV)/.installed-dev node_modules/.installed $(MATH_FONT)

# Browser tests drive Debian's Chromium; Playwright cannot download browsers here.
browser:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# From npm, pinned in package-lock.json: Temml, which seminars/rendering.py runs to
# turn LaTeX into MathML, and the Nu Html Checker (vnu.jar) for
# tests/test_html_validity.py. --ignore-scripts: vnu's install script would
# download a Java; Debian's is used.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
		echo "Installing Debian's npm (and Node.js) for Temml and the Nu Html Checker"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

java:
	@command -v java >/dev/null || { \
		echo "Installing Debian's Java for the Nu Html Checker"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless; }

# rerender: stored HTML of an older renderer (a series' description gains its HTML so).
migrate: install
	$(MANAGE) migrate --noinput
	$(MANAGE) rerender

run: migrate
	$(MANAGE) load_demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo ""
	@echo "Demo portal: http://$(HOST):$(PORT)/"
	@echo "From sign-up to a first published talk (README: For organisers):"
	@echo " 1. Sign up at http://$(HOST):$(PORT)/accounts/signup/"
	@echo "    (the confirmation email is printed in this terminal)."
	@echo " 2. Become an organiser: $(MANAGE) make_organiser you@example.org"
	@echo "    (or an administrator: $(MANAGE) createsuperuser, email and password)."
	@echo " 3. At http://$(HOST):$(PORT)/admin/ add a series with its usual day, time,"
	@echo "    venue and link, then Generate talks on its page (drafts titled TBA)."
	@echo " 4. Fill one in (title, speakers, abstract), set it to Published and save."
	@echo "Emails (replies, digests) are sent by a task worker that runs alongside"
	@echo "the server and stops with it (Ctrl+C)."
	@echo ""
	SITE_URL=$(SITE_URL) $(MANAGE) db_worker --no-reload & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	SITE_URL=$(SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -c pyproject.toml -r config seminars accounts discussion syndication pagecache --quiet
	$(MANAGE) makemigrations --check --dry-run

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Everything, on the database DATABASE_URL names (SQLite without it).
test: lint test-inprocess test-real

# The edit-test loop: lint and every test that runs inside pytest's processes.
check: lint test-inprocess

test-inprocess: install-dev java node_modules/.installed
	$(PYTEST) -m "not ($(REAL))" -n $(WORKERS) $(PYTEST_ARGS)

test-real: install-dev browser
	$(PYTEST) -m "$(REAL)" $(PYTEST_ARGS)

# Lighthouse (pinned in audit/package-lock.json) on the demo site, served as in
# production; writes audit/scores.json and audit/scores.md. See audit/run.py.
audit/node_modules/.installed: audit/package-lock.json
	cd audit && npm ci --no-audit --no-fund
	touch $@

audit: install-dev browser audit/node_modules/.installed
	$(PYTHON) audit/run.py

# Throughput and latency of the pages as in production, at 1,000 and 10,000
# talks (about 20 minutes; BENCH_DURATION=5 for a quick try). Not part of
# `make test`. Needs PostgreSQL; see bench/README.md.
bench: install
	$(PYTHON) bench/run.py
