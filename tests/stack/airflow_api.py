"""A small client for Airflow 3's public REST API (/api/v2, JWT from /auth/token), for the stack tests."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

TERMINAL_RUN_STATES = {"success", "failed"}


@dataclass
class AirflowApi:
    base_url: str
    username: str
    password: str
    _token: str = field(default="", repr=False)

    def _login(self) -> str:
        body = json.dumps({"username": self.username, "password": self.password}).encode()
        request = urllib.request.Request(
            f"{self.base_url}/auth/token",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(json.loads(response.read())["access_token"])

    def call(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        if not self._token:
            self._token = self._login()
        url = f"{self.base_url}/api/v2{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path}: HTTP {exc.code} {exc.read().decode()[:1000]}") from exc
        return json.loads(text) if text else None

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.call("PATCH", f"/dags/{dag_id}", {"is_paused": paused})

    def trigger(self, dag_id: str, logical_date: str | None = None) -> str:
        run = self.call("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": logical_date})
        return str(run["dag_run_id"])

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return list(
            self.call("GET", f"/dags/{dag_id}/dagRuns", query={"order_by": "run_after", "limit": 100})[
                "dag_runs"
            ]
        )

    def run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"))

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        path = f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/taskInstances"
        return list(self.call("GET", path, query={"limit": 1000})["task_instances"])

    def upstream_asset_events(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """The asset events that triggered an asset-scheduled run."""
        path = f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}/upstreamAssetEvents"
        return list(self.call("GET", path)["asset_events"])

    def wait_for_run(self, dag_id: str, run_id: str, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            run = self.run(dag_id, run_id)
            if run["state"] in TERMINAL_RUN_STATES:
                return run
            time.sleep(3)
        raise AssertionError(
            f"{dag_id} {run_id} not finished within {timeout_s:.0f}s: {self.describe(dag_id, run_id)}"
        )

    def wait_for_new_run(self, dag_id: str, known: set[str], timeout_s: float) -> str:
        """The id of the first run of ``dag_id`` not in ``known`` (e.g. one an asset event created)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            fresh = [r["dag_run_id"] for r in self.runs(dag_id) if r["dag_run_id"] not in known]
            if fresh:
                return str(fresh[0])
            time.sleep(3)
        raise AssertionError(f"no new run of {dag_id} within {timeout_s:.0f}s")

    def describe(self, dag_id: str, run_id: str) -> str:
        states = [
            (t["task_id"], t.get("map_index"), t["state"], t.get("try_number"))
            for t in self.task_instances(dag_id, run_id)
        ]
        return f"{self.run(dag_id, run_id)['state']}: {states}"
