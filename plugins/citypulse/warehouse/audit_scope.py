"""What the audit of a build must cover: the post observations written since the last publish.

The costliest dbt tests (those over every post observation, ``where: "__audit_scope__"``;
dbt_project/macros/audit_scope.sql) test the posts with an observation that builds wrote after the
newest one the published warehouse holds. Every other post is unchanged since an audit passed it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SINCE_ENV = "CITYPULSE_AUDIT_SINCE"

# serving.duckdb holds only the published marts (citypulse.warehouse.publish): each publish writes
# ops_publish with the newest built_at of the post observations it published. A warehouse published
# before that still holds the staging table itself.
_MARKER_SQL = """
select count(*) from information_schema.columns
where table_schema = 'main' and table_name = 'ops_publish' and column_name = 'post_observations_built_at'
"""
_STAMPED_TABLE_SQL = """
select table_schema from information_schema.columns
where table_name = 'stg_post_observations' and column_name = 'built_at'
"""


def published_since(serving_db: Path) -> str | None:
    """The newest ``built_at`` of the published post observations (``ops_publish``), as a SQL
    timestamp literal; None (audit every row) when nothing is published or it predates ``built_at``."""
    if not serving_db.is_file():
        return None
    with duckdb.connect(str(serving_db), read_only=True) as con:
        marker = con.execute(_MARKER_SQL).fetchone()
        if marker is not None and marker[0]:
            newest = con.execute("select max(post_observations_built_at) from main.ops_publish").fetchone()
        else:
            located = con.execute(_STAMPED_TABLE_SQL).fetchone()
            if located is None:
                return None
            newest = con.execute(f'select max(built_at) from "{located[0]}".stg_post_observations').fetchone()
    if newest is None or newest[0] is None:
        return None
    return newest[0].isoformat(sep=" ")
