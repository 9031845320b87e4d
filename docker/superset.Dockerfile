# CityPulse Superset image: gunicorn serving Superset 6.1 with our config, Chinese UI and the
# dashboards-as-code. Installs exactly requirements/superset.txt (a complete freeze) with --no-deps.
# It reads the data home read-only: only warehouse/serving.duckdb is ever opened.
# A build without a registry passes a local stand-in (tests/images/base); the default is the official image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    SCARF_ANALYTICS=false \
    CITYPULSE_REPO=/opt/citypulse \
    CITYPULSE_HOME=/superset-home \
    CITYPULSE_SUPERSET_VENV=/usr/local \
    SUPERSET_CONFIG_PATH=/opt/citypulse/superset/superset_config.py \
    FLASK_APP="superset.app:create_app()" \
    PYTHONPATH=/opt/citypulse/plugins

RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --gid 0 --home-dir /home/superset --create-home superset \
 && mkdir -p /superset-home /opt/citypulse \
 && chown superset:0 /superset-home

WORKDIR /opt/citypulse
COPY requirements/superset.txt requirements/superset.txt
RUN pip install --no-deps -r requirements/superset.txt

# The bootstrap (citypulse.superset: stdlib + PyYAML only) runs in this interpreter; nothing of
# the pipeline environment is installed here.
COPY config/ config/
COPY superset/ superset/
COPY plugins/citypulse/ plugins/citypulse/
COPY docker/superset-init.sh docker/superset-init.sh

USER superset
WORKDIR /superset-home
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["gunicorn", "--bind=0.0.0.0:8088", "superset.app:create_app()"]
