# Two commands do everything on a fresh machine:
#   make demo   install rse in .venv, start the local sandbox network, seed it, run rse's jobs on it
#   make test   install rse and its test dependencies in .venv, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test demo bench clean-sandbox

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

test: install
	$(BIN)/python -m pytest -q

demo: install
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

bench: install
	$(BIN)/python bench/startup.py

clean-sandbox:
	-$(BIN)/rse sandbox down
