# Two entry points for people: `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := run
PYTHON ?= $(shell pyenv which python 2>/dev/null || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Browser libraries (tus-js-client) from package-lock.json into the static files.
TUS_JS := src/kammerpost/exchange/static/kammerpost/vendor/tus.min.js
$(TUS_JS): package.json package-lock.json scripts/install-js
	scripts/install-js
	touch $(TUS_JS)

.PHONY: install run test lint system-packages services pytest lock
install: $(STAMP) $(TUS_JS)

# Debian packages the tests need (the run command works without them).
system-packages:
	scripts/install-system-packages

# Services the tests talk to that are not ours to start in-process (PostgreSQL).
services:
	scripts/ensure-services

# Dependency audit: scripts/audit-dependencies (docs/operations.md, "Security checks").
lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	scripts/audit-dependencies
	KAMMERPOST_PRODUCTION=true KAMMERPOST_SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" \
	  KAMMERPOST_ALLOWED_HOSTS=portal.example KAMMERPOST_VAR_DIR="$$(mktemp -d)" \
	  $(BIN)/kammerpost check --deploy --fail-level WARNING

pytest: install
	scripts/test-suites

run: install
	scripts/run

test: system-packages services lint pytest

# Re-pin dependencies deliberately (needs the network to PyPI).
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.12 -o requirements.lock
