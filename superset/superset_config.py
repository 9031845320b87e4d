"""Superset configuration for CityPulse (城市脉搏): Chinese by default, safe by default.

Loaded by Superset through ``SUPERSET_CONFIG_PATH`` (set by ``citypulse.superset.server`` and the
bootstrap). Everything deployment-specific comes from the environment; nothing here is a working
secret. Paths default to the data home ``CITYPULSE_HOME`` like the rest of the platform.

Environment:
  SUPERSET_SECRET_KEY       required; refused when missing, short or a published default.
  SUPERSET_METADATA_URI     metadata database (PostgreSQL in production); default SQLite under
                            $CITYPULSE_HOME/superset/.
  SUPERSET_CACHE_REDIS_URL  use Redis for caches (production); default: files under the data home.
  CITYPULSE_HOME            the data home; the warehouse is $CITYPULSE_HOME/warehouse/serving.duckdb.
  CITYPULSE_SERVING_DB      override the serving file (the only DuckDB file Superset may open).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy.engine.url import URL
from sqlalchemy.pool import NullPool

# --------------------------------------------------------------------------------------------
# Where things live
# --------------------------------------------------------------------------------------------
CITYPULSE_HOME = Path(os.environ.get("CITYPULSE_HOME", "./data")).expanduser().resolve()
SUPERSET_HOME = CITYPULSE_HOME / "superset"
SERVING_DB = Path(
    os.environ.get("CITYPULSE_SERVING_DB", CITYPULSE_HOME / "warehouse" / "serving.duckdb")
).resolve()
SUPERSET_HOME.mkdir(parents=True, exist_ok=True)
DATA_DIR = str(SUPERSET_HOME)

# --------------------------------------------------------------------------------------------
# Secret key: from the environment only. Superset itself only refuses its own CHANGE_ME value (and
# only outside debug); we also refuse other published defaults and short keys, because the key
# signs sessions and encrypts stored database credentials.
# --------------------------------------------------------------------------------------------
_KNOWN_DEFAULT_KEYS = {
    "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",  # superset.constants.CHANGE_ME_SECRET_KEY
    "thisISaSECRET_1234",  # old docker/.env-non-dev and many tutorials
    "TEST_NON_DEV_SECRET",  # docker/.env
    "YOUR_OWN_RANDOM_GENERATED_SECRET_KEY",  # the docs' example
    "superset",
    "secret",
    "changeme",
}
_MIN_SECRET_LENGTH = 32


def _secret_key_from_env() -> str:
    key = os.environ.get("SUPERSET_SECRET_KEY", "")
    if not key:
        raise RuntimeError(
            "SUPERSET_SECRET_KEY is not set. Generate one (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))') and pass it in the environment; "
            "`citypulse superset-bootstrap` does this for the embedded default."
        )
    if key in _KNOWN_DEFAULT_KEYS or key.lower() in {k.lower() for k in _KNOWN_DEFAULT_KEYS}:
        raise RuntimeError("SUPERSET_SECRET_KEY is a published default value; refusing to start.")
    if len(key) < _MIN_SECRET_LENGTH or len(set(key)) < 10:
        raise RuntimeError(
            f"SUPERSET_SECRET_KEY is too weak (need at least {_MIN_SECRET_LENGTH} varied characters)."
        )
    return key


SECRET_KEY = _secret_key_from_env()

# --------------------------------------------------------------------------------------------
# Metadata database
# --------------------------------------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = os.environ.get(
    "SUPERSET_METADATA_URI",
    f"sqlite:///{SUPERSET_HOME / 'superset.db'}?check_same_thread=false",
)

# --------------------------------------------------------------------------------------------
# Language: Chinese by default, English selectable. The 6.1.0 wheel ships compiled zh catalogues
# (translations/zh/LC_MESSAGES/messages.mo for the server, messages.json for the frontend), so no
# custom build is needed; tests assert the Chinese UI text actually renders.
# --------------------------------------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}
APP_NAME = "城市脉搏 CityPulse"
# Numbers: the d3 locale of the charts' number formats. A d3 locale cannot turn SI prefixes (4M, 50k)
# into 万/亿, and Superset 6 offers no hook for a custom formatter without a frontend build, so the
# charts format counts with thousands separators (",d"), scores with one decimal and rates as percent
# (tests/superset/test_chart_formats.py), never SMART_NUMBER.
D3_FORMAT = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}
D3_TIME_FORMAT = {
    "dateTime": "%Y-%m-%d %H:%M:%S",
    "date": "%Y-%m-%d",
    "time": "%H:%M:%S",
    "periods": ["上午", "下午"],
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": [
        "一月",
        "二月",
        "三月",
        "四月",
        "五月",
        "六月",
        "七月",
        "八月",
        "九月",
        "十月",
        "十一月",
        "十二月",
    ],
    "shortMonths": ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
}

# --------------------------------------------------------------------------------------------
# No telemetry: municipal networks must not call out. SCARF_ANALYTICS covers the server side; the
# prebuilt frontend still renders a Scarf tracking pixel, so the Content-Security-Policy below
# leaves every third-party origin out and the browser refuses to load it (the browser test checks
# that no request leaves localhost).
# --------------------------------------------------------------------------------------------
SCARF_ANALYTICS = False
os.environ.setdefault("SCARF_ANALYTICS", "false")
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
TALISMAN_DEV_CONFIG = TALISMAN_CONFIG
CONTENT_SECURITY_POLICY_WARNING = False
ENABLE_CORS = False
MAPBOX_API_KEY = ""

# --------------------------------------------------------------------------------------------
# Caching: files under the data home by default, Redis when SUPERSET_CACHE_REDIS_URL is set.
# Chart data is cached briefly only: a newly published serving.duckdb should show within minutes.
# --------------------------------------------------------------------------------------------
_REDIS_URL = os.environ.get("SUPERSET_CACHE_REDIS_URL")


def _cache(prefix: str, timeout: int) -> dict[str, Any]:
    if _REDIS_URL:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": _REDIS_URL,
            "CACHE_KEY_PREFIX": f"citypulse_{prefix}_",
            "CACHE_DEFAULT_TIMEOUT": timeout,
        }
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": str(SUPERSET_HOME / "cache" / prefix),
        "CACHE_THRESHOLD": 5000,
        "CACHE_DEFAULT_TIMEOUT": timeout,
    }


CACHE_CONFIG = _cache("metadata", 24 * 3600)
DATA_CACHE_CONFIG = _cache("data", 300)
FILTER_STATE_CACHE_CONFIG = _cache("filter_state", 90 * 24 * 3600)
EXPLORE_FORM_DATA_CACHE_CONFIG = _cache("explore_form_data", 7 * 24 * 3600)

# --------------------------------------------------------------------------------------------
# Features: dashboard native filters and cross-filters are always on in 6.x (no flag); these are
# the flags that still exist. Uploads and templating stay off.
# --------------------------------------------------------------------------------------------
FEATURE_FLAGS = {
    "DASHBOARD_VIRTUALIZATION": False,  # render every chart so screenshots and tests see them all
    "DRILL_BY": True,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "ALLOW_ADHOC_SUBQUERY": False,
    "ESTIMATE_QUERY_COST": False,
    "ALERT_REPORTS": False,
    "ENABLE_SUPERSET_META_DB": False,
    "EMBEDDED_SUPERSET": False,
    "TAGGING_SYSTEM": False,
}

# File upload off: no CSV/Excel/columnar upload, whatever a database's own flag says.
CSV_EXTENSIONS: set[str] = set()
EXCEL_EXTENSIONS: set[str] = set()
COLUMNAR_EXTENSIONS: set[str] = set()
ALLOWED_EXTENSIONS: set[str] = set()

AUTH_USER_REGISTRATION = False
PUBLIC_ROLE_LIKE = None
FAB_API_SWAGGER_UI = False
SHOW_STACKTRACE = False
SQLLAB_CTAS_NO_LIMIT = False
ROW_LIMIT = 50000
SQL_MAX_ROW = 100000
SQLLAB_TIMEOUT = 60
SUPERSET_WEBSERVER_TIMEOUT = 120
WTF_CSRF_ENABLED = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --------------------------------------------------------------------------------------------
# The warehouse connection: exactly one DuckDB file, opened read-only and sandboxed.
#
# Why DuckDB is allowed at all: PREVENT_UNSAFE_DB_CONNECTIONS (left True) refuses dialects that can
# reach the server's filesystem. 6.1.0's BLOCKLIST lists sqlite and shillelagh; upstream PR #40402
# adds duckdb, because duckdb-engine exposes read_csv/glob/COPY/ATTACH. DuckDB is our warehouse, so
# instead of switching the guard off we (1) drop only a duckdb entry from BLOCKLIST (a no-op on
# 6.1.0, needed after an upgrade), (2) refuse every DuckDB URI except the serving file
# (DB_SQLA_URI_VALIDATOR runs before any engine is created), and (3) force the sandbox on every
# DuckDB connection (DB_CONNECTION_MUTATOR), whatever a user typed into the database's "extra":
# read_only, enable_external_access=false (no file/network access: read_csv, COPY, ATTACH, httpfs),
# no extension autoload/autoinstall, lock_configuration=true (SET cannot undo any of it), and a
# NullPool so every query opens the file afresh and sees a newly published serving.duckdb.
# --------------------------------------------------------------------------------------------
PREVENT_UNSAFE_DB_CONNECTIONS = True

DUCKDB_SANDBOX_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}
_DUCKDB_DRIVER = re.compile(r"^duckdb(\+.*)?$")


def _is_duckdb(uri: URL) -> bool:
    return bool(_DUCKDB_DRIVER.match(uri.drivername))


def DB_SQLA_URI_VALIDATOR(uri: URL) -> None:  # noqa: N802 - Superset's config name
    """Refuse any DuckDB URI other than the serving file (no :memory:, no md:, no other files)."""
    if not _is_duckdb(uri):
        return
    database = uri.database or ""
    if database.startswith(("md:", "motherduck:")) or database in ("", ":memory:"):
        raise ValueError("Only the CityPulse serving warehouse may be opened through DuckDB.")
    if Path(database).expanduser().resolve() != SERVING_DB:
        raise ValueError(f"Only the CityPulse serving warehouse ({SERVING_DB}) may be opened through DuckDB.")
    if uri.query:
        raise ValueError("DuckDB URI options are not allowed; the sandbox is set by the server.")


def DB_CONNECTION_MUTATOR(  # noqa: N802 - Superset's config name
    uri: URL, params: dict[str, Any], username: str | None, security_manager: Any, source: Any
) -> tuple[URL, dict[str, Any]]:
    if not _is_duckdb(uri):
        return uri, params
    DB_SQLA_URI_VALIDATOR(uri)
    params = dict(params)
    params["poolclass"] = NullPool
    params["connect_args"] = {"read_only": True, "config": dict(DUCKDB_SANDBOX_CONFIG)}
    return uri, params


# The schemas SQL Lab lists: those of the opened file only, unqualified. duckdb-engine lists every
# catalog's schemas qualified (serving.main, system.main, system.information_schema, temp.main), and
# Superset's DuckDB spec passes that on; the datasets and SQL Lab address the marts as schema main.
# serving.duckdb holds only the published marts in main (citypulse.warehouse.publish), so the list
# is exactly ['main']: staging, intermediate, snapshots and audit exist in build.duckdb only, which
# the sandbox above cannot attach.
_SERVING_SCHEMAS_SQL = "select schema_name from duckdb_schemas() where database_name = current_database()"


def _serving_schema_names(cls: Any, inspector: Any) -> set[str]:  # noqa: ARG001 - a classmethod's cls
    from sqlalchemy import text

    with inspector.engine.connect() as connection:
        return {row[0] for row in connection.execute(text(_SERVING_SCHEMAS_SQL))}


# The shipped zh catalogue leaves a few strings of the screens everyone sees untranslated or
# wrong (its "Sign in" reads "Not In"): corrected in the frontend language pack, both where the
# page embeds it and where /superset/language_pack/zh/ serves it (that view sends the shipped
# file as is, so its answer is replaced after it ran: its own access check still decides).
ZH_UI_CORRECTIONS: dict[str, str] = {
    "Sign in": "登录",
    "Sign In": "登录",
    "Enter your login and password below:": "请输入用户名和密码：",
    "%s record": "共 %s 条",  # a table's row count, shipped as "%s 异常" ("anomalies")
}


def _correct_zh_language_pack(app: Any) -> None:
    import json

    from superset.translations.utils import get_language_pack

    pack = get_language_pack("zh")
    messages = (pack or {}).get("locale_data", {}).get("superset")
    if messages is None:
        return
    messages.update({source: [target] for source, target in ZH_UI_CORRECTIONS.items()})
    corrected = json.dumps(pack, ensure_ascii=False)

    from flask import request

    @app.after_request
    def _corrected_language_pack(response: Any) -> Any:
        if (
            request.endpoint == "Superset.language_pack"
            and (request.view_args or {}).get("lang") == "zh"
            and response.status_code == 200
        ):
            return app.response_class(corrected, mimetype="application/json")
        return response


# SQL Lab must honour a LIMIT the user wrote when it is below the row-limit dropdown. 6.1.0 computes
# min(user limit, dropdown) for the Query row, but the statement executor reads the row back with the
# dropdown's value, so `... limit 10` ran as LIMIT 1001. The executor's apply_limit is wrapped to take
# the statement's own limit first (a smaller dropdown value still wins).
def _honouring_the_users_limit(apply_limit: Any) -> Any:
    def apply(query: Any, statement: Any) -> None:
        own = statement.get_limit_value()
        if own is not None and (not query.limit or own < query.limit):
            query.limit = own
        apply_limit(query, statement)

    apply.citypulse_wrapped = True  # type: ignore[attr-defined]
    return apply


def FLASK_APP_MUTATOR(app: Any) -> None:  # noqa: N802 - Superset's config name
    # Imported here: the module needs an initialised app.
    from superset.db_engine_specs.duckdb import DuckDBEngineSpec
    from superset.security import analytics_db_safety

    from superset import sql_lab

    if not getattr(sql_lab.apply_limit, "citypulse_wrapped", False):
        sql_lab.apply_limit = _honouring_the_users_limit(sql_lab.apply_limit)

    _correct_zh_language_pack(app)

    for entry in list(analytics_db_safety.BLOCKLIST):
        if entry.match("duckdb"):
            analytics_db_safety.BLOCKLIST.discard(entry)
    DuckDBEngineSpec.get_schema_names = classmethod(_serving_schema_names)  # type: ignore[method-assign,assignment]
