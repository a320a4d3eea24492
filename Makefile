# Every target creates .venv on first use, so a fresh clone needs nothing but Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
APP_STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/default.yaml

.PHONY: app test test-fast lint typecheck recommend bench clean

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
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy simulator

# -n auto: pytest-xdist spreads the tests over every core.
test: lint typecheck
	$(BIN)/python -m pytest -n auto

# Everything but the Streamlit AppTest and browser tests, for a quick loop while editing.
test-fast: lint typecheck
	$(BIN)/python -m pytest -n auto --ignore=tests/test_app.py --ignore=tests/test_browser.py

recommend: $(APP_STAMP)
	$(BIN)/commitsim recommend $(SCENARIO)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
