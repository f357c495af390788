# The few commands people type. `make demo` and `make test` are the README's two commands.
VENV ?= .venv
PYTHON ?= python3  # the interpreter the venv is made from (3.11–3.13): `make install PYTHON=python3.12`
PY := $(VENV)/bin/python

.PHONY: install demo demo-lengkap up test lint chaos

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install  ## install, start the four services on embedded defaults, run the worked example
	$(VENV)/bin/lapkin demo

demo-lengkap: install  ## the demo, then every period approved to its signed final, up to the annual LKIP (minutes)
	$(VENV)/bin/lapkin demo --lengkap

up: install  ## run the four services in the foreground
	$(VENV)/bin/lapkin up

test: install  ## the whole test suite (real Redis; PostgreSQL when LAPKIN_TEST_DATABASE_URL is set, else SQLite)
	$(PY) -m pytest -q

chaos: install  ## only the crash-while-busy test, with its summary and kill log (5,000 submissions per scenario)
	$(PY) -m pytest -q -s tests/chaos

lint: install
	$(VENV)/bin/ruff check services shared lapkin tests
	$(VENV)/bin/mypy services shared lapkin
