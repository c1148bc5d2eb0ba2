# Two commands for a new user: `make run` and `make test`. Everything else is a helper of those.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
BUN_VERSION := 1.4.4
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_DIR := $(CURDIR)/.reflex-home
export APP_HARNESS_HEADLESS := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-sqlite test-postgres postgres redis lint setup deps bun pdf-libs chromium test-tools migrate demo bench clean i18n i18n-extract i18n-update i18n-check

run: setup migrate
	$(BIN)/python -m practice serve

# The whole suite on SQLite (the browser journeys, the other tests) and, beside them, the tests without a browser on a
# throwaway PostgreSQL and Redis: three passes at once (tests/both_engines.py); CI covers both engines. `test-sqlite`
# is the SQLite suite alone, in one pass.
test: setup chromium test-tools postgres redis lint
	$(BIN)/python -m tests.both_engines

test-sqlite: setup chromium test-tools lint
	$(BIN)/python -m pytest

# The suite on a throwaway PostgreSQL and Redis (tests/postgres.py, tests/redis_server.py: Debian's servers, a
# temporary folder, free ports of 127.0.0.1) instead of SQLite and the queue file. For now the tests without a
# browser; see docs/postgresql.md.
test-postgres: setup postgres redis
	PRACTICE_TEST_ENGINE=postgresql PRACTICE_TEST_REDIS=1 $(BIN)/python -m pytest -m "not e2e"

# Debian's Redis server, installed when missing (not started as a service: the tests start their own).
redis:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; fi; }

# Debian's PostgreSQL server, installed when missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; fi; }

# The layers and the no-cycle rule (pyproject.toml's import-linter contracts), then ruff: either failing fails `make test`.
lint: deps
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .

setup: deps bun pdf-libs

deps: $(VENV)/.installed
$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is needed (python3.11 not found)"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

bun: .tools/node_modules/.bin/bun
.tools/node_modules/.bin/bun:
	mkdir -p .tools
	npm install --prefix .tools --no-save --no-audit --no-fund bun@$(BUN_VERSION)

# WeasyPrint (documents, proposals and audit pages rendered to PDF) needs Pango and a font; install them when missing.
pdf-libs:
	@{ /sbin/ldconfig -p | grep -q libpangoft2-1.0 && fc-list | grep -qi dejavu; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; fi; }

# Browser tests drive Debian's Chromium; install it when missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

# The drive's tests use a real WebDAV client: Debian's rclone; install it when missing.
test-tools:
	@command -v rclone >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rclone; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rclone; fi; }

migrate: deps
	$(BIN)/python -m practice migrate

demo: deps migrate
	$(BIN)/python -m practice demo

# Translations (docs/architecture.md, "Languages"): extract the texts into the template, merge it into each
# language's catalog (new texts arrive untranslated), then check that nothing is missing. The app reads the .po
# files themselves (compiled in memory at start), so there is no .mo to build. tests/test_catalogs.py runs the
# same extraction and fails when the committed template or a catalog is out of date.
I18N_EXTRACT := -F babel.cfg -k lazy --no-location --sort-output --no-wrap \
	--project=practice --msgid-bugs-address=" " --copyright-holder=" "
i18n: i18n-update i18n-check

i18n-extract: deps
	$(BIN)/pybabel extract $(I18N_EXTRACT) -o practice/locale/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i practice/locale/messages.pot -d practice/locale --no-wrap --no-fuzzy-matching --ignore-obsolete

i18n-check: deps
	$(BIN)/python -m pytest -q tests/test_catalogs.py

bench: setup
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf .web .states data
