# The README's commands. Each target sets up what it needs; environments and the trained
# model are cached by the hash of what builds them (~/.cache/cs-assistant), so an
# unchanged checkout starts at once.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: help setup model run test test-fast bench nlu-report lint typecheck catalogs lock clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup:  ## build or reuse .venv (Python 3.11) and .venv-rasa (Python 3.10, Rasa 3.6.21), side by side
	@scripts/ensure-env app & app=$$!; scripts/ensure-env rasa & rasa=$$!; \
	  status=0; wait $$app || status=$$?; wait $$rasa || status=$$?; exit $$status

model: setup  ## train the Rasa model unless one from the same inputs is cached
	@scripts/train-model >/dev/null

run: model  ## run the assistant: Telegram with TELEGRAM_BOT_TOKEN, else a console chat
	@$(PY) -m bot

# The suite runs on every core (pytest-xdist): the end-to-end tests on the session's Rasa
# server share one worker (a second server would cost a minute to load and 1.5 GB); the other
# test files, those that start and kill servers of their own first, spread over all (the
# scheduler is in tests/conftest.py).
TEST_WORKERS ?= auto
test: model  ## run the whole test suite on every core (SQLite and PostgreSQL, real Rasa and action server)
	@$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: setup  ## the tests that need no Rasa server
	@$(PY) -m pytest -n $(TEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

bench: model  ## run the benchmarks and print their table
	@$(PY) -m bench $(BENCH_ARGS)

nlu-report: setup  ## rewrite docs/nlu-report.md: three seeds on the held-out files, 5-fold cross-validation (about 40 min)
	@$(PY) -m nlu report

lint:  setup ## ruff over the project's packages
	@.venv/bin/ruff check shop bot local_bot_api rasa_runtime actions nlu bench tests

typecheck: setup  ## mypy over the project's packages (the files are listed in pyproject.toml)
	@.venv/bin/mypy

catalogs: setup  ## re-extract the messages into shop/locales/messages.pot and update every language's catalog (NEW=fr starts one)
	@$(PY) -m shop.catalogs $(if $(NEW),--new $(NEW))

lock: ## re-resolve requirements/app.in into requirements/app.txt
	@tmp=$$(mktemp -d) && python3 -m venv $$tmp && $$tmp/bin/pip install -q -r requirements/app.in \
	  && { echo '# Pinned lock for .venv; regenerate with `make lock` after editing requirements/app.in.'; \
	       $$tmp/bin/pip freeze; } > requirements/app.txt && rm -rf $$tmp

clean:  ## remove the links to the environments, the model link and var/ (the caches stay)
	rm -rf .venv .venv-rasa models var .pytest_cache
