# INLOGOV Research Hub. `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP_RUN := $(VENV)/.installed-runtime
STAMP_DEV := $(VENV)/.installed-dev

# Tests run with production-like settings (DEBUG off) and a throwaway key.
TEST_ENV := DJANGO_SECRET_KEY=test-only-not-secret DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver DJANGO_DEBUG=false
# `make run` is the local development server.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-true}

.PHONY: run test install install-dev migrate starter lint bench browsers

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
install-dev: $(STAMP_DEV)

migrate: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

starter: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_starter_content
	$(RUN_ENV) $(BIN)/python manage.py ensure_admin

run: starter
	@echo "Serving the hub at http://127.0.0.1:$(PORT)/ (admin at /admin/). Stop with Ctrl-C."
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite. Browser tests need /usr/bin/chromium (apt-get install chromium); without it
# they skip with a reason, except under CI=true where they must run.
test: install-dev
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	$(BIN)/python bench/run.py $(if $(SCALE),--scale $(SCALE),)
