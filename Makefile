# CityPulse — the two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
CITYPULSE_HOME ?= $(CURDIR)/data
CITYPULSE_REPO := $(CURDIR)
VENV := .venv
SVENV := .venv-superset
KVENV := .venv-spark
export CITYPULSE_HOME CITYPULSE_REPO
# The committed environment (telemetry off, Airflow/dbt paths): one file for make and Python.
include config/citypulse.env
export $(shell sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' config/citypulse.env)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help venv venv-superset venv-spark test-spark system-deps manifest demo demo-stop stack stack-down test-stack test-images test test-setup lint typecheck unit docs bench bench-smoke clean-data

help:
	@echo "make demo    sample exports -> land -> build -> evaluate -> report -> Superset + Airflow on localhost"
	@echo "make test    the whole suite (ruff, mypy, unit, integration, Airflow, dbt, GX, Superset, browser)"
	@echo "make stack | stack-down   the production topology as local processes (make test-stack tests it)"
	@echo "make test-spark   dbt on Spark over the same lake, compared with DuckDB (own venv: make venv-spark)"
	@echo "make test-images  build the images and run the system test through docker-compose (podman, no Docker Engine needed)"
	@echo "make venv | venv-superset | docs | bench | bench-smoke | clean-data"

# --- environments: created once, reinstalled only when the pins change (stamp files) ---
# Modules compile to bytecode when first imported: most of a venv never is, and compiling it all
# at install is a third of the install's time.
PIP_INSTALL = -q --disable-pip-version-check --no-deps --no-compile

venv: $(VENV)/.installed
$(VENV)/.installed: requirements/pipeline.txt pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install $(PIP_INSTALL) -r requirements/pipeline.txt
	$(VENV)/bin/python -m pip install $(PIP_INSTALL) --no-build-isolation -e .
	@touch $@

venv-superset: $(SVENV)/.installed
$(SVENV)/.installed: requirements/superset.txt
	@test -x $(SVENV)/bin/python || $(PYTHON) -m venv $(SVENV)
	$(SVENV)/bin/python -m pip install $(PIP_INSTALL) -r requirements/superset.txt
	@touch $@

# dbt on Spark (docs/spark.md): dbt-spark + pyspark, its own venv; citypulse installed for the session runner.
venv-spark: $(KVENV)/.installed
$(KVENV)/.installed: requirements/spark.txt pyproject.toml
	@test -x $(KVENV)/bin/python || $(PYTHON) -m venv $(KVENV)
	$(KVENV)/bin/python -m pip install $(PIP_INSTALL) -r requirements/spark.txt
	$(KVENV)/bin/python -m pip install $(PIP_INSTALL) --no-build-isolation -e .
	@touch $@

# The same dbt project on Spark over the same lake, compared with DuckDB (own venv and JVM; .ci/run runs it after `make test`).
test-spark: venv venv-spark
	$(VENV)/bin/python scripts/run_pytest.py tests/spark -m spark --junitxml=test-artifacts/junit-test-spark.xml

# Chromium for browser tests; installed from Debian where we are allowed to, otherwise explained.
system-deps:
	@bash scripts/system-deps.sh

# --- the main job on the embedded default ---
demo: venv venv-superset
	$(VENV)/bin/python -m citypulse.demo

demo-stop: venv
	$(VENV)/bin/python -m citypulse.demo stop

# --- the production topology as local processes (PostgreSQL, Redis, Celery; see docs/operations.md) ---
stack: venv venv-superset
	$(VENV)/bin/python -m citypulse.stack up

stack-down: venv
	$(VENV)/bin/python -m citypulse.stack down

# The end-to-end system test through the real scheduler and Celery worker: long, run on its own.
test-stack: venv venv-superset system-deps
	$(VENV)/bin/python scripts/run_pytest.py tests/stack tests/notify

# The images and docker-compose.yml, end to end through the containers (root; podman, mmdebstrap and
# docker-compose from Debian, installed when missing; base images built locally without a registry).
# Standard library only, so it needs no venv; long (two warehouse runs), not part of `make test`.
test-images:
	python3 -m tests.images.run

# --- the whole suite ---
lint: venv
	$(VENV)/bin/ruff check plugins dags tests bench superset
	$(VENV)/bin/ruff format --check plugins dags tests bench superset

typecheck: venv
	$(VENV)/bin/mypy plugins/citypulse

unit: venv
	$(VENV)/bin/python -m pytest tests -q -p no:cacheprovider

# One worker per core (two here): modules and the Superset folder stay whole on one worker.
TEST_WORKERS ?= 2
# What the suite needs, made side by side on the cores: the two venvs install together, then
# mypy runs beside ruff and the manifest.
test-setup: venv venv-superset system-deps lint typecheck manifest

test:
	@$(MAKE) --no-print-directory -j$(TEST_WORKERS) --output-sync=target test-setup
	$(VENV)/bin/python scripts/run_pytest.py tests -m "not system and not spark" \
		-n $(TEST_WORKERS) --dist loadgroup --junitxml=test-artifacts/junit-test.xml

# The dbt manifest the warehouse DAG renders from (Cosmos reads it at parse time; dbt parse only when stale).
manifest: venv
	$(VENV)/bin/python -c "from citypulse.settings import get_settings; from citypulse.warehouse.manifest import ensure_manifest; print(ensure_manifest(get_settings().ensure()))"

docs: venv
	cd dbt_project && ../$(VENV)/bin/dbt docs generate --target-path target

bench: venv
	$(VENV)/bin/python -m bench.run

bench-smoke: venv
	$(VENV)/bin/python -m bench.run --smoke

clean-data:
	rm -rf "$(CITYPULSE_HOME)"
