"""dbt on Spark (profile target ``spark``, dbt-spark's ``session`` method), run in the Spark venv.

    .venv-spark/bin/python -m citypulse.warehouse.spark_session build --exclude resource_type:test

dbt-spark's session method calls ``SparkSession.builder.getOrCreate()`` in the dbt process, so this
module creates that session first, with everything our SQL needs that Spark SQL lacks:

- ``citypulse_nfkc(text)``: Unicode NFKC (Spark SQL has no NFKC builtin), Python's
  ``unicodedata.normalize``, as DuckDB's plugin does (``warehouse/duckdb_functions.py``);
- the session variable ``citypulse_pii_key`` for the keyed hash of personal accounts, set with a
  bound parameter so the key never appears in SQL text (macros/pseudonymise.sql);
- every piece of Spark state (Derby metastore, warehouse files, scratch space, derby.log) under
  one directory of the data home, never in the working directory or the repository.

Only this module imports pyspark; the pipeline venv never does (pyspark is not installed there).
Nothing is downloaded: no ``spark.jars.packages``, only the jars inside the pyspark wheel.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Any

from citypulse.errors import CityPulseError
from citypulse.warehouse.pii import pii_key


def java_home() -> str:
    """The JDK the pyspark wheel runs on (Spark 4 needs Java 17+): JAVA_HOME, else the ``java`` on PATH."""
    configured = os.environ.get("JAVA_HOME", "").strip()
    if configured:
        return configured
    found = shutil.which("java")
    if found is None:
        raise CityPulseError(
            "Spark needs Java 17 or newer and none was found (no JAVA_HOME, no java on PATH): "
            "apt-get install openjdk-17-jre-headless, or set JAVA_HOME to a JDK 17+"
        )
    return str(Path(found).resolve().parents[1])


def data_home() -> Path:
    return Path(os.environ.get("CITYPULSE_HOME", "./data")).expanduser().resolve()


def spark_state(home: Path | None = None) -> Path:
    """Where the Spark catalog and tables live: ``CITYPULSE_SPARK_DIR`` or ``<home>/warehouse/spark``."""
    configured = os.environ.get("CITYPULSE_SPARK_DIR", "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return (home or data_home()) / "warehouse" / "spark"


def warehouse_dir(state: Path) -> Path:
    """Spark's ``spark.sql.warehouse.dir``: tables are parquet folders ``<schema>.db/<table>``."""
    return state / "spark-warehouse"


def nfkc(value: str | None) -> str | None:
    return None if value is None else unicodedata.normalize("NFKC", value)


def session_config(state: Path) -> dict[str, str]:
    """The Spark settings of a local session; a cluster deployment sets the same SQL settings."""
    derby = state / "derby"
    master = os.environ.get("CITYPULSE_SPARK_MASTER", "local[2]")
    # a local session listens on loopback only; a cluster's executors must reach the driver
    local = (
        {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
        if master.startswith("local")
        else {}
    )
    return {
        **local,
        "spark.master": master,
        "spark.app.name": "citypulse-dbt",
        "spark.sql.warehouse.dir": str(warehouse_dir(state)),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={state / 'metastore_db'};create=true",
        # derby.log and Derby's own files go here instead of the current directory
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={derby} -Dderby.stream.error.file={derby / 'derby.log'}",
        "spark.local.dir": str(state / "tmp"),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.legacy.createHiveTableByDefault": "false",
        "spark.sql.sources.default": "parquet",
        # instants as parquet TIMESTAMP(UTC) rather than legacy INT96, so DuckDB (a serving extract)
        # reads them back as timestamptz, like the DuckDB warehouse's
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.shuffle.partitions": os.environ.get("CITYPULSE_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.eventLog.enabled": "false",
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }


def start_session(home: Path | None = None, state: Path | None = None) -> Any:
    """Create (or return) the process's SparkSession with our functions and the PII key installed."""
    home = home or data_home()
    state = state or spark_state(home)
    for sub in ("derby", "tmp"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    os.environ["JAVA_HOME"] = java_home()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    from pyspark.sql import SparkSession
    from pyspark.sql.types import StringType

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_config(state).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    # dbt reports failed statements itself; Spark would print each one again as a JVM stack trace
    spark.sparkContext.setLogLevel("FATAL")
    spark.udf.register("citypulse_nfkc", nfkc, StringType())
    spark.sql("declare or replace variable citypulse_pii_key string")
    spark.sql("set var citypulse_pii_key = :key", args={"key": pii_key(home)})
    return spark


def run_dbt(args: list[str], home: Path | None = None) -> int:
    """``dbt <args>`` against the spark target in this process; returns dbt's exit code (0, 1 or 2)."""
    home = home or data_home()
    state = spark_state(home)
    os.environ["CITYPULSE_DBT_TARGET"] = "spark"
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    start_session(home, state)

    from dbt.cli.main import dbtRunner

    repo = Path(os.environ.get("CITYPULSE_REPO", Path(__file__).resolve().parents[3]))
    project = Path(os.environ.get("DBT_PROJECT_DIR", repo / "dbt_project"))
    defaults = {
        "--project-dir": str(project),
        "--profiles-dir": str(project),
        "--target-path": str(state / "dbt_target"),
        "--log-path": str(state / "dbt_logs"),
    }
    extra = [item for flag, value in defaults.items() if flag not in args for item in (flag, value)]
    result = dbtRunner().invoke([*args, *extra])
    if result.success:
        return 0
    return 2 if result.exception is None else 1


def main(argv: list[str] | None = None) -> int:
    return run_dbt(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
