#!/bin/bash
# Runs once, when the postgres volume is first initialised: one database and one owner per
# application, passwords from the environment (.env). Re-running is harmless.
set -euo pipefail
: "${AIRFLOW_DB_PASSWORD:?}" "${SUPERSET_DB_PASSWORD:?}"
prefix="${CITYPULSE_DB_PREFIX:-citypulse}"
for app in airflow superset; do
  var="$(echo "${app}" | tr a-z A-Z)_DB_PASSWORD"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
       -v role="${prefix}_${app}" -v pw="${!var}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')\gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'role', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'role')\gexec
SQL
done
