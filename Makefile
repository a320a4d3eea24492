# Every target creates .venv on first use, so a fresh clone needs nothing but Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
APP_STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/default.yaml

.PHONY: app test lint typecheck recommend bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(APP_STAMP)

app: $(APP_STAMP)
	$(BIN)/streamlit run app.py -- --scenario $(SCENARIO)

lint: $(STAMP)
	$(BIN)/ruff check simulator tests benchmarks app.py app_pages
	$(BIN)/ruff format --check simulator tests benchmarks app.py app_pages

typecheck: $(STAMP)
	$(BIN)/mypy simulator

test: lint typecheck
	$(BIN)/python -m pytest

recommend: $(APP_STAMP)
	$(BIN)/commitsim recommend $(SCENARIO)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
