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

.PHONY: run test lint format install lock migrate demo clean bench bench-install

# requirements/lock.txt pins every package with its hashes (all platforms, Python >= 3.11):
# installs are reproducible. pyproject.toml keeps the ranges; `make lock` refreshes the pins.
LOCK := requirements/lock.txt

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Aduan needs Python 3.11 or newer (found %s); set PYTHON=python3.x" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock: install
	$(BIN)/python -m pip install --quiet 'uv>=0.13,<1'
	$(BIN)/python -m uv pip compile pyproject.toml --extra dev --extra s3 --extra sentry --universal \
		--python-version 3.11 --generate-hashes --no-header --output-file $(LOCK)

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
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/ .pytest_cache .ruff_cache

# Benchmarks (issue 8) on their own PostgreSQL database, filled once with `generate_synthetic`
# (BENCH_SIZE=ci: 1 M complaints). Figures print to the terminal and to var/bench/.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aduan_bench
BENCH_SIZE ?= ci
# They run on the interpreter production runs on: docs/deploy.md makes the server's virtualenv from
# the distribution's python3 (Debian's links libpython statically and is built with profile-guided
# optimisation; pyenv's default build ran the same pages 1.1-1.4x slower, bench/README.md).
# BENCH_PYTHON chooses another; every run prints the interpreter it used and the machine's speed.
BENCH_PYTHON ?= $(firstword $(wildcard /usr/bin/python3) $(PYTHON))
BENCH_VENV := var/bench/venv
BENCH_BIN := $(BENCH_VENV)/bin
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp

# pip of .venv installs into it: the distribution's python3 may lack ensurepip (python3-venv).
$(BENCH_STAMP): $(STAMP)
	@$(BENCH_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "the benchmarks need Python 3.11 or newer (found %s); set BENCH_PYTHON=python3.x" % sys.version.split()[0])'
	test -x $(BENCH_BIN)/python || $(BENCH_PYTHON) -m venv --without-pip $(BENCH_VENV)
	$(BIN)/python -m pip --python $(BENCH_BIN)/python install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip --python $(BENCH_BIN)/python install --quiet --no-deps -e .
	touch $(BENCH_STAMP)

bench-install: $(BENCH_STAMP)

bench: install $(BENCH_STAMP)
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -qtAc "select 1 from pg_database where datname='$(notdir $(BENCH_DATABASE_URL))'" | grep -q 1 \
		|| psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "create database $(notdir $(BENCH_DATABASE_URL))"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BENCH_BIN)/python manage.py migrate --noinput -v0
	mkdir -p var/bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BENCH_BIN)/python bench/run.py --size $(BENCH_SIZE) $(BENCH_ARGS) \
		| tee var/bench/$$(date +%Y%m%d-%H%M%S).txt
