# CityPulse Airflow image: api-server, scheduler, dag-processor, triggerer, Celery worker and init.
# Installs exactly requirements/pipeline.txt (a complete freeze) with --no-deps: one list of versions,
# shared with `make venv`. Code is baked in for production; docker/compose.dev.yml mounts the checkout.
# A build without a registry passes a local stand-in (tests/images/base); the default is the official image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    CITYPULSE_REPO=/opt/citypulse \
    CITYPULSE_HOME=/data \
    AIRFLOW_HOME=/data/airflow

# tini reaps the task processes Celery forks and forwards SIGTERM for a warm shutdown.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 50000 --gid 0 --home-dir /home/airflow --create-home airflow \
 && mkdir -p /data /opt/citypulse /opt/airflow/plugins \
 && chown airflow:0 /data

WORKDIR /opt/citypulse
COPY requirements/pipeline.txt requirements/pipeline.txt
RUN pip install --no-deps -r requirements/pipeline.txt

COPY pyproject.toml README.md ./
COPY config/ config/
COPY plugins/ plugins/
COPY dags/ dags/
COPY dbt_project/ dbt_project/
COPY expectations/ expectations/
COPY docker/ docker/
# Editable, so that the development mount of plugins/ is what Python imports.
# The warehouse DAG renders from dbt's manifest at parse time (Cosmos): parsed here from the project
# baked in (.dockerignore keeps the build machine's target/ out), with a scratch data home so that
# nothing root-owned lands in /data.
RUN pip install --no-deps --no-build-isolation -e . \
 && CITYPULSE_HOME=/tmp/manifest-home DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    python -c "from citypulse.settings import get_settings; from citypulse.warehouse.manifest import ensure_manifest; ensure_manifest(get_settings().ensure())" \
 && rm -rf /tmp/manifest-home \
 && chown -R airflow:0 /opt/citypulse/dbt_project

USER airflow
VOLUME ["/data"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["airflow", "version"]
