"""Drive DAG runs of a running Airflow through its REST API (v2, a JWT from ``/auth/token``).

``make demo`` lands, builds and evaluates the way an operator or an outside scheduler would: it
triggers runs and waits for them, so every step is a run in Airflow's UI with its task logs. A run
that fails raises with the failed tasks' log tails, so the person at the terminal reads the reason
without opening the UI.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from citypulse.errors import CityPulseError

DONE = {"success", "failed"}
# Task states whose log tails explain a failed run (upstream_failed tasks never ran: no log).
FAILED_TASK_STATES = {"failed"}


class AirflowRunFailed(CityPulseError):
    """A DAG run ended failed, or did not end within its time limit."""


@dataclass(frozen=True)
class AirflowAPI:
    base_url: str
    token: str

    @classmethod
    def login(cls, base_url: str, username: str, password: str, timeout: float = 30.0) -> AirflowAPI:
        """A client holding a token of ``username`` (simple auth manager or any JWT issuer)."""
        body = _call(
            "POST", f"{base_url}/auth/token", {"username": username, "password": password}, None, timeout
        )
        return cls(base_url, str(body["access_token"]))

    def request(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        url = f"{self.base_url}/api/v2/{path.lstrip('/')}"
        params = {k: v for k, v in query.items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        return _call(method, url, body, self.token)

    # --- DAGs ---
    def dag(self, dag_id: str) -> dict[str, Any] | None:
        try:
            return dict(self.request("GET", f"dags/{dag_id}"))
        except AirflowHTTPError as exc:
            if exc.status == 404:
                return None
            raise

    def wait_for_dags(self, dag_ids: Iterable[str], timeout: float = 300.0) -> dict[str, dict[str, Any]]:
        """Wait until the dag-processor has parsed every DAG (the API knows them); return them."""
        wanted = list(dag_ids)
        deadline = time.monotonic() + timeout
        found: dict[str, dict[str, Any]] = {}
        while True:
            for dag_id in wanted:
                if dag_id not in found and (dag := self.dag(dag_id)) is not None:
                    found[dag_id] = dag
            if len(found) == len(wanted):
                return found
            if time.monotonic() > deadline:
                missing = sorted(set(wanted) - set(found))
                raise AirflowRunFailed(f"Airflow did not load the DAGs {missing} within {timeout:.0f}s")
            time.sleep(2.0)

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.request("PATCH", f"dags/{dag_id}", {"is_paused": paused})

    # --- runs ---
    def trigger(
        self, dag_id: str, logical_date: dt.datetime | None = None, conf: dict[str, Any] | None = None
    ) -> str:
        """Create a run (queued) and return its run_id; ``logical_date`` None is a run "now"."""
        body: dict[str, Any] = {"conf": conf or {}, "logical_date": _iso(logical_date)}
        if logical_date is not None:
            # A past logical date queues in date order with the schedule's own runs.
            body["run_after"] = _iso(logical_date)
        return str(self.request("POST", f"dags/{dag_id}/dagRuns", body)["dag_run_id"])

    def run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return dict(self.request("GET", f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"))

    def run_at(self, dag_id: str, logical_date: dt.datetime) -> dict[str, Any] | None:
        """The run of ``dag_id`` at exactly ``logical_date`` (there is at most one), or None."""
        at = _iso(logical_date)
        runs = self.request(
            "GET", f"dags/{dag_id}/dagRuns", logical_date_gte=at, logical_date_lte=at, limit=1
        )["dag_runs"]
        return dict(runs[0]) if runs else None

    def ensure_run(
        self, dag_id: str, logical_date: dt.datetime, conf: dict[str, Any] | None = None
    ) -> tuple[str, str]:
        """The run at ``logical_date``: reused when it exists (a failed one is cleared to run again),
        otherwise triggered. Returns (run_id, "triggered" | "reused" | "cleared")."""
        existing = self.run_at(dag_id, logical_date)
        if existing is None:
            return self.trigger(dag_id, logical_date, conf), "triggered"
        run_id = str(existing["dag_run_id"])
        if existing["state"] == "failed":
            path = f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/clear"
            self.request("POST", path, {"dry_run": False, "only_failed": True})
            return run_id, "cleared"
        return run_id, "reused"

    def wait(self, dag_id: str, run_id: str, timeout: float, poll: float = 2.0) -> dict[str, Any]:
        """Wait for the run to end; return it when it succeeded, raise with log tails otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.run(dag_id, run_id)
            if run["state"] == "success":
                return run
            if run["state"] == "failed":
                raise AirflowRunFailed(f"{dag_id} run {run_id} failed\n{self.failure_logs(dag_id, run_id)}")
            if time.monotonic() > deadline:
                raise AirflowRunFailed(
                    f"{dag_id} run {run_id} still {run['state']} after {timeout:.0f}s\n"
                    f"{self.failure_logs(dag_id, run_id, states=None)}"
                )
            time.sleep(poll)

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value") -> Any:
        """What a task of the run returned (its XCom), deserialized."""
        path = (
            f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances/{task_id}/"
            f"xcomEntries/{key}"
        )
        return self.request("GET", path, deserialize="true")["value"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        path = f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances"
        return list(self.request("GET", path, limit=1000)["task_instances"])

    def failure_logs(
        self, dag_id: str, run_id: str, lines: int = 30, states: set[str] | None = FAILED_TASK_STATES
    ) -> str:
        """Each failed task (any unfinished one when ``states`` is None) with its log's last lines."""
        out: list[str] = []
        for ti in self.task_instances(dag_id, run_id):
            state = ti.get("state")
            if states is None and state in {"success", "skipped"}:
                continue
            if states is not None and state not in states:
                continue
            label = ti["task_id"] + (f"[{ti['map_index']}]" if ti.get("map_index", -1) >= 0 else "")
            out.append(f"--- task {label}: {state}, try {ti.get('try_number')}")
            out.extend(self.log_tail(dag_id, run_id, ti, lines))
        return "\n".join(out) or "(no task instance reported a failure)"

    def log_tail(self, dag_id: str, run_id: str, ti: dict[str, Any], lines: int) -> list[str]:
        try_number = int(ti.get("try_number") or 0)
        if try_number < 1:
            return ["(the task never started)"]
        path = (
            f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances/"
            f"{ti['task_id']}/logs/{try_number}"
        )
        try:
            content = self.request("GET", path, full_content="true", map_index=ti.get("map_index", -1))[
                "content"
            ]
        except (AirflowHTTPError, urllib.error.URLError, OSError) as exc:
            return [f"(log not readable: {exc})"]
        rendered = [_log_line(entry) for entry in content]
        return [line for line in rendered if line][-lines:]


class AirflowHTTPError(CityPulseError):
    def __init__(self, status: int, method: str, url: str, detail: str) -> None:
        super().__init__(f"Airflow API {method} {url}: HTTP {status}: {detail[:500]}")
        self.status = status


def _call(method: str, url: str, body: Any, token: str | None, timeout: float = 30.0) -> Any:
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raise AirflowHTTPError(exc.code, method, url, exc.read().decode(errors="replace")) from exc
    return json.loads(raw) if raw else None


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("Airflow needs time-zone aware dates")
    return value.isoformat()


def _log_line(entry: Any) -> str:
    """One structured log event as a line: timestamp, level, event, and an error's last words."""
    if isinstance(entry, str):
        return entry
    parts = [str(entry.get(k, "")) for k in ("timestamp", "level") if entry.get(k)]
    parts.append(str(entry.get("event", "")))
    error = entry.get("error_detail")
    if isinstance(error, list) and error:
        last = error[-1]
        parts.append(f"{last.get('exc_type', '')}: {last.get('exc_value', '')}")
    return " ".join(p for p in parts if p).strip()
