# Two commands for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean browser

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# Runs the service on a SQLite file filled with a demo jurisdiction.
run: $(STAMP)
	$(BIN)/python main.py demo --if-empty
	$(BIN)/python main.py serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Debian's chromium and a CJK font for the browser tests (tests/web/); needs root (apt-get).
browser:
	command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q . || \
	  (apt-get update -q && apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk)

# Style and types; CI runs it before the tests ([tool.mypy] in pyproject.toml says what is checked).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache hotline.db hotline.db-wal hotline.db-shm
