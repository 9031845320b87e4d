"""What the citypulse_warehouse DAG's Python tasks do (the DAG file only wires them)."""

from __future__ import annotations

from citypulse.settings import get_settings
from citypulse.warehouse.audit import audit


def audit_or_fail() -> dict[str, object]:
    """Run the audit; a failed audit fails the task without retries and names the failed checks."""
    from airflow.exceptions import AirflowFailException

    result = audit(get_settings())
    if not result.passed:
        # Retrying cannot make a bad batch good: fail now, serving stays as it was.
        raise AirflowFailException(result.summary())
    return {"run_id": result.run_id, "checks": len(result.checks), "timings": result.timings}
