# Aduan — the two commands a newcomer needs:
#   make run    set up .venv, migrate, load the Balikpapan demo, serve on http://127.0.0.1:8000
#               with a Celery worker (embedded beat); Ctrl-C stops everything.
#   make test   set up .venv, run ruff and the whole pytest suite.
# Only Python >= 3.11 and make are needed; set DATABASE_URL / CELERY_BROKER_URL to use real services.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?= -n 2

.PHONY: run test lint format install migrate demo clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Aduan needs Python 3.11 or newer (found %s); set PYTHON=python3.x" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py serve_embedded

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/ .pytest_cache .ruff_cache
