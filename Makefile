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

.PHONY: install run test lint system-packages services pytest lock
install: $(STAMP)

# Debian packages the tests need (the run command works without them).
system-packages:
	scripts/install-system-packages

# Services the tests talk to that are not ours to start in-process (PostgreSQL).
services:
	scripts/ensure-services

# pip-audit fails closed: a dependency it could not look up fails the lint like a
# vulnerable one (docs/operations.md, "Security checks"). `make lint PIP_AUDIT_FLAGS=` only
# where the vulnerability service cannot be reached, and say so.
PIP_AUDIT_FLAGS ?= --strict
lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pip-audit $(PIP_AUDIT_FLAGS) --require-hashes --disable-pip --progress-spinner off -r requirements.lock
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
