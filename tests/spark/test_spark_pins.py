"""requirements/spark.txt: exact pins, and dbt shared with the pipeline at the same versions (one
project, one dbt: a macro that parses in one venv must parse in the other). Fast; part of make test."""

from __future__ import annotations

from tests.unit.test_pins import _pins


def test_spark_pins_are_exact_and_share_dbt_with_the_pipeline() -> None:
    spark, pipeline = _pins("spark.txt"), _pins("pipeline.txt")
    for shared in ("dbt-core", "dbt-adapters", "dbt-common", "dbt-semantic-interfaces", "protobuf"):
        assert spark[shared] == pipeline[shared], shared
    assert spark["dbt-spark"].startswith("1.11.")
    assert spark["pyspark"].startswith("4.")
    # nothing fetched at run time: no Delta/Iceberg helper packages that pull jars from Maven
    assert not {"delta-spark", "pyiceberg"} & set(spark)
