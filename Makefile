# scop-ledger: every target creates .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := demo

.PHONY: demo test lint docs docs-reference docs-guides clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@ $(VENV)/.installed

## demo: build the sample ledger from examples/ and print point-in-time answers
demo: $(VENV)/.installed
	@PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/demo.sh $(DEMO)

## test: the whole suite (PostgreSQL too when SCOP_LEDGER_TEST_PG holds a URL)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 -q

## lint: ruff and mypy (strict on domain/)
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

## docs: the CLI reference is current, and mkdocs builds strictly
docs: $(VENV)/.installed-dev
	$(BIN)/python scripts/cli_reference.py --check
	$(BIN)/python scripts/guides.py --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

## docs-reference: regenerate docs/cli-reference.md from --help
docs-reference: $(VENV)/.installed
	$(BIN)/python scripts/cli_reference.py

## docs-guides: run the guides' commands again and write their real output into docs/
docs-guides: $(VENV)/.installed
	$(BIN)/python scripts/guides.py

clean:
	rm -rf $(VENV) site $(DEMO) .pytest_cache .mypy_cache .ruff_cache .hypothesis
