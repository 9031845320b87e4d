"""One MinHash signature per post caption (同质化 homogeneity, citypulse.diagnostics.homogeneity).

A signature depends on the caption alone, so the build computes it once per post version instead
of every monthly run computing the month's again (3.5 s of a 16 s run at 11M
observations). Incremental like int_post_topics: a run reads the posts int_posts restamped since
this table's newest row and replaces their rows (a post always has one row, NULL without a caption,
so delete+insert on the post leaves nothing stale). Python, because the signature is numpy
arithmetic: on DuckDB only (dbt_project.yml disables it on Spark, where the evaluation does not run).
"""

from citypulse.diagnostics.homogeneity import caption_signatures


def model(dbt, session):  # noqa: ANN001, ANN201 - dbt's Python model entry point
    dbt.config(
        materialized="incremental",
        unique_key=["platform", "post_id"],
        incremental_strategy="delete+insert",
        on_schema_change="fail",
    )
    posts = dbt.ref("int_posts").project("platform, post_id, built_at, title, text")
    if dbt.is_incremental:
        posts = posts.filter(
            f"built_at > coalesce((select max(posts_built_at) from {dbt.this}), timestamptz '1970-01-01')"
        )
    frame = posts.pl()
    return caption_signatures(frame).with_columns(posts_built_at=frame["built_at"])
