"""Databases and roles on the machine's PostgreSQL, created idempotently as the superuser.

Each application gets its own role and a database it owns; the role's password is generated once
into the data home's credentials.json (0600) and re-applied on every start, so a rotated password
takes effect by editing that file (docs/operations.md). The superuser's own password, where the
server asks for one, comes only from the environment (PGPASSWORD), never from a file we write.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from citypulse import credentials
from citypulse.errors import CityPulseError
from citypulse.stack.stack_config import StackConfig

APPS = ("airflow", "superset")


def _admin_connection(cfg: StackConfig) -> Any:
    import psycopg2

    try:
        con = psycopg2.connect(
            host=cfg.pg_host, port=cfg.pg_port, user=cfg.pg_superuser, dbname="postgres", connect_timeout=10
        )
    except psycopg2.OperationalError as exc:
        raise CityPulseError(
            f"PostgreSQL at {cfg.pg_host}:{cfg.pg_port} refused the superuser {cfg.pg_superuser!r}: {exc}".strip()
        ) from exc
    con.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    return con


def passwords(cfg: StackConfig) -> dict[str, str]:
    stored = credentials.section(cfg.settings, "stack", {f"{app}_db_password": 24 for app in APPS})
    return {app: stored[f"{app}_db_password"] for app in APPS}


def ensure_databases(cfg: StackConfig) -> dict[str, str]:
    """Create (or re-sync) each application's role and database; returns the SQLAlchemy URL per app."""
    from psycopg2 import sql

    secrets_ = passwords(cfg)
    con = _admin_connection(cfg)
    try:
        with con.cursor() as cur:
            for app in APPS:
                name = cfg.database(app)
                cur.execute("select 1 from pg_roles where rolname = %s", (name,))
                if cur.fetchone() is None:
                    cur.execute(sql.SQL("create role {} login").format(sql.Identifier(name)))
                cur.execute(
                    sql.SQL("alter role {} with login password {}").format(
                        sql.Identifier(name), sql.Literal(secrets_[app])
                    )
                )
                cur.execute("select 1 from pg_database where datname = %s", (name,))
                if cur.fetchone() is None:
                    cur.execute(
                        sql.SQL("create database {} owner {} encoding 'UTF8' template template0").format(
                            sql.Identifier(name), sql.Identifier(name)
                        )
                    )
    finally:
        con.close()
    return {app: url(cfg, app, secrets_[app]) for app in APPS}


def url(cfg: StackConfig, app: str, password: str, scheme: str = "postgresql+psycopg2") -> str:
    name = cfg.database(app)
    return f"{scheme}://{name}:{quote(password, safe='')}@{cfg.pg_host}:{cfg.pg_port}/{name}"


def drop_databases(cfg: StackConfig) -> None:
    """Remove the stack's databases and roles (tests, or a deliberate reset; never called by ``down``)."""
    from psycopg2 import sql

    con = _admin_connection(cfg)
    try:
        with con.cursor() as cur:
            for app in APPS:
                name = sql.Identifier(cfg.database(app))
                cur.execute(sql.SQL("drop database if exists {} with (force)").format(name))
                cur.execute(sql.SQL("drop role if exists {}").format(name))
    finally:
        con.close()


def existing(cfg: StackConfig) -> dict[str, bool]:
    """Which of the stack's databases exist (for status and tests)."""
    con = _admin_connection(cfg)
    try:
        with con.cursor() as cur:
            cur.execute(
                "select datname from pg_database where datname = any(%s)",
                ([cfg.database(app) for app in APPS],),
            )
            present = {row[0] for row in cur.fetchall()}
    finally:
        con.close()
    return {app: cfg.database(app) in present for app in APPS}
