# The few commands people type. `make demo` and `make test` are the README's two commands.
VENV ?= .venv
PYTHON ?= python3  # the interpreter the venv is made from (3.11–3.13): `make install PYTHON=python3.12`
PY := $(VENV)/bin/python
# What `make install` (and so CI) installs: every package pinned, the runtime and the dev extras (docs/deploy.md).
# requirements/runtime.lock is the same pins without the dev extras, for the image (deploy/Dockerfile).
LOCK := requirements/dev.lock
LOCK_FLAGS ?=  # `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest release that fits, not only new ones

.PHONY: install lock demo demo-lengkap up test lint chaos

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; \
	  echo "$(LOCK) does not satisfy pyproject.toml: run 'make lock' and commit requirements/"; exit 1; }
	touch $@

install: $(VENV)/.installed

# Re-pins after pyproject.toml changed: keeps every pin that still fits and adds what is new (uv, universal: one file
# for Python 3.11-3.13 on any platform). Commit requirements/ with the pyproject.toml change.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q "uv>=0.9,<1"
	$(PY) -m uv pip compile -q pyproject.toml --extra dev --universal --python-version 3.11 \
	  --custom-compile-command "make lock" $(LOCK_FLAGS) -o $(LOCK)
	$(PY) -m uv pip compile -q pyproject.toml --universal --python-version 3.11 -c $(LOCK) \
	  --custom-compile-command "make lock" --annotation-style line -o requirements/runtime.lock

demo: install  ## install, start the four services on embedded defaults, run the worked example
	$(VENV)/bin/lapkin demo

demo-lengkap: install  ## the demo, then every period approved to its signed final, up to the annual LKIP (minutes)
	$(VENV)/bin/lapkin demo --lengkap

up: install  ## run the four services in the foreground
	$(VENV)/bin/lapkin up

# Two workers, each test file on one (--dist loadfile: a module's fixtures, such as its database or its running
# services, are made once). Most tests wait on processes, Redis or the database, so two fit a 2-core machine:
# 35 minutes serial, 24 on two (docs/benchmarks.md). `make test TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= 2

# With a PostgreSQL server named (CI), the collector's tests run on SQLite as well: the embedded default has paths of
# its own there (reports stored through the group commit, their statements on SQLite's connection: shared/fastsql.py).
SQLITE_TOO ?= tests/integration/collector

test: install  ## the whole test suite (real Redis; PostgreSQL when LAPKIN_TEST_DATABASE_URL is set, else SQLite)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile
	@if [ -n "$$LAPKIN_TEST_DATABASE_URL" ] && [ -n "$(SQLITE_TOO)" ]; then \
	  echo "SQLite as well (the embedded default's own paths): $(SQLITE_TOO)"; \
	  LAPKIN_TEST_DATABASE_URL= $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(SQLITE_TOO); \
	fi

chaos: install  ## only the crash-while-busy test, with its summary and kill log (5,000 submissions per scenario)
	$(PY) -m pytest -q -s tests/chaos

lint: install
	$(VENV)/bin/ruff check services shared lapkin tests
	$(VENV)/bin/mypy services shared lapkin
