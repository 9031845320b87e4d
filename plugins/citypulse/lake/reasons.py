"""Why a row or a file was refused: a small closed set of stable codes with Chinese labels.

The codes and their labels live in one place, the dbt seed ``reason_codes.csv``: dbt joins it to
label ``ops_rejects`` and ``ops_ingests``, and landing reads it here, so a code that is not in the
seed fails when the code is written (at import), never as an unlabelled bar on a dashboard. The
free-text reason stays beside the code as the detail an engineer reads.
"""

from __future__ import annotations

import csv
from functools import cache

from citypulse.settings import REPO_ROOT

SEED = REPO_ROOT / "dbt_project" / "seeds" / "reason_codes.csv"


@cache
def labels() -> dict[str, str]:
    """Every reason code and its Chinese label, in the seed's order."""
    with SEED.open(encoding="utf-8", newline="") as fh:
        return {row["reason_code"]: row["label_zh"] for row in csv.DictReader(fh)}


def code(name: str) -> str:
    """``name``, checked against the seed: refuses a code dbt could not label."""
    if name not in labels():
        raise ValueError(f"unknown reason code {name!r}; add it to {SEED}")
    return name


def label(name: str) -> str:
    """The Chinese label of a reason code."""
    return labels()[code(name)]


# Rows (lake/_rejects)
NUMBER_UNPARSEABLE = code("number_unparseable")
DATE_UNPARSEABLE = code("date_unparseable")
VALUE_UNPARSEABLE = code("value_unparseable")
REQUIRED_MISSING = code("required_missing")
NEGATIVE_COUNT = code("negative_count")
PUBLISHED_AFTER_OBSERVED = code("published_after_observed")
HEADER_ROW = code("header_row")
DESCRIPTION_ROW = code("description_row")
TOTALS_ROW = code("totals_row")
NOT_DATA_ROW = code("not_data_row")
DUPLICATE_KEY = code("duplicate_key")
INVALID_ID = code("invalid_id")
INCONSISTENT_VALUE = code("inconsistent_value")
OUT_OF_SCOPE = code("out_of_scope")
UNKNOWN_PLATFORM = code("unknown_platform")
PLATFORM_RULE = code("platform_rule")
FORGOTTEN = code("forgotten")

# Files (quarantine/<ingest_id>/reason.json and the ledger)
ENCODING = code("encoding")
UNREADABLE_FILE = code("unreadable_file")
NO_ADAPTER = code("no_adapter")
MANIFEST_INVALID = code("manifest_invalid")
PARSE_FAILED = code("parse_failed")
DATE_ORDER_AMBIGUOUS = code("date_order_ambiguous")
ARCHIVE_UNREADABLE = code("archive_unreadable")
ARCHIVE_EMPTY = code("archive_empty")
EMPTY_FILE = code("empty_file")
TABLES_IGNORED = code("tables_ignored")
# hostile or broken input (citypulse.limits, citypulse.landing.safe_archive)
COUNT_TOO_LARGE = code("count_too_large")
DATE_OUT_OF_RANGE = code("date_out_of_range")
LIMIT_EXCEEDED = code("limit_exceeded")
IMPLAUSIBLE_FILE = code("implausible_file")
SYMLINK_REFUSED = code("symlink_refused")
LANDING_FAILED = code("landing_failed")
MEMBER_REFUSED = code("member_refused")

_PARSER_CODES = {
    "count": NUMBER_UNPARSEABLE,
    "number": NUMBER_UNPARSEABLE,
    "rate": NUMBER_UNPARSEABLE,
    "percent": NUMBER_UNPARSEABLE,
    "duration": NUMBER_UNPARSEABLE,
    "date": DATE_UNPARSEABLE,
    "datetime": DATE_UNPARSEABLE,
}


def unparseable(parser: str) -> str:
    """The code of a value its column's parser (``citypulse.parsing.PARSERS``) could not read."""
    return _PARSER_CODES.get(parser, VALUE_UNPARSEABLE)
