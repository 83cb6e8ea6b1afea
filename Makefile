# Two commands do everything on a fresh machine:
#   make demo   install rse in .venv, start the local sandbox network, seed it, run rse's jobs on it
#   make test   install rse and its test dependencies in .venv, run the whole test suite
# While working: `make test-fast` (no server, under 30 s) and `make lint` (ruff + mypy).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install system test test-slow test-fast lint i18n demo bench clean-sandbox
# Debian packages the test suite drives for real: Chromium renders the HTML audit report,
# PostgreSQL is the shared store for teams with several cron hosts.

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

system:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "note: install$$missing for the full test suite (tests needing them are skipped)"; \
	  fi; \
	fi

# lint first: a type error or a formatting slip fails CI before the servers start. The long kill and
# fuzz loops are `slow` (make test-slow); their short versions run here.
test: install system lint
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: install system
	$(BIN)/python -m pytest -q -m slow

# the tests that need no server (Synapse, PostgreSQL): markers are set in tests/conftest.py
test-fast: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not synapse and not slow and not default_limits"

lint: install
	$(BIN)/ruff check rse_cli tests bench
	$(BIN)/ruff format --check rse_cli tests bench
	$(BIN)/mypy

# the French catalog: list the messages no rse_cli/locale/fr/*.po translates yet
i18n: install
	$(BIN)/python scripts/i18n.py missing

demo: install
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

bench: install
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/animate.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/sync.py --events 10000
	$(BIN)/python bench/sync_network.py
	$(BIN)/python bench/seed.py

clean-sandbox:
	-$(BIN)/rse sandbox down
