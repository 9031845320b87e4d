"""The production images, built and run as docker-compose.yml runs them: `make test-images`.

Works without Docker Engine and without a registry: Debian's podman builds the images (the base
images too, from Debian's packages, when no registry answers) and serves the Docker API on a private
socket, and docker-compose drives the stack through it. Then the system test runs through the
containers: a sample inbox mounted into the Airflow containers lands (citypulse_land), the warehouse
publishes (citypulse_warehouse, on the lake asset), a monthly evaluation completes through the
scheduler and the Celery worker, the warehouse republishes on the evaluations asset, and Superset's
chart data API answers the evaluation dashboard's ranking with the run's rows. Everything the run
created (containers, volumes, network, the API service) is removed at the end; the images stay, so
the next run reuses them and their layers.

Run from the repository root with any Python 3.11 (standard library only):
    python3 -m tests.images.run [--keep] [--skip-test]
Not collected by pytest (no test_ module): it needs root and podman, and takes most of an hour here.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import suppress
from pathlib import Path
from typing import Any

from tests.stack.airflow_api import AirflowApi

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
WORK = Path(os.environ.get("CITYPULSE_IMAGES_WORK", REPO / "test-artifacts" / "images"))
PROJECT = os.environ.get("CITYPULSE_IMAGES_PROJECT", "citypulse-images")
TAG = os.environ.get("CITYPULSE_IMAGE_TAG", "dev")
STAGE_TIMEOUT = float(os.environ.get("CITYPULSE_SYSTEM_TIMEOUT", "1800"))
# Debian packages the run needs, by the command that shows they are there. runc: Debian's default
# runtime, crun, refuses a host with cgroup v1 and v2 mounted side by side ("hybrid mode").
TOOLS = {
    "podman": "podman",
    "mmdebstrap": "mmdebstrap",
    "docker-compose": "docker-compose",
    "runc": "runc",
    "aardvark-dns": "/usr/lib/podman/aardvark-dns",
}
OFFICIAL = {
    "python": "docker.io/library/python:3.11-slim-bookworm",
    "postgres": "docker.io/library/postgres:16-bookworm",
    "redis": "docker.io/library/redis:7.2-bookworm",
}
BOOKWORM = "localhost/citypulse-bookworm:base"
# apt keeps no downloaded packages in a layer, as in Debian's own images: the Dockerfiles clean only
# the package lists.
APT_CLEAN = (
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };'
    ' APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };'
    ' Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";'
)
STANDIN = {name: f"localhost/citypulse-base-{name}:bookworm" for name in OFFICIAL}
IMAGES = {
    "airflow": (f"localhost/citypulse-airflow:{TAG}", "docker/airflow.Dockerfile"),
    "superset": (f"localhost/citypulse-superset:{TAG}", "docker/superset.Dockerfile"),
}
LAND, WAREHOUSE, MONTHLY = "citypulse_land", "citypulse_warehouse", "citypulse_monthly_evaluation"
PERIOD = "2026-10"  # the sample's one month (exports through 2026-11-07), evaluated by November's run
RANKING_CHART = "综合传播力排名"  # on the 城市传播力月度评估 dashboard: one row per city with its run_id


class Failure(RuntimeError):
    """A step failed; the message names what is missing or what went wrong."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(
    args: list[str], *, env: dict[str, str] | None = None, check: bool = True, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args,
        env=env,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )
    if check and done.returncode != 0:
        detail = f"\n{done.stderr[-3000:]}" if capture and done.stderr else ""
        raise Failure(f"`{' '.join(args[:6])} …` exited {done.returncode}{detail}")
    return done


class Timer:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.started = time.monotonic()

    def stage(self, name: str, since: float) -> None:
        self.stages[name] = round(time.monotonic() - since, 1)
        log(f"{name}: {self.stages[name]:.0f} s")


# --- the host: packages and podman's configuration ---


def ensure_tools() -> None:
    missing = [pkg for pkg, exe in TOOLS.items() if not shutil.which(exe) and not Path(exe).exists()]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Failure(f"missing Debian packages {missing}: install them with apt-get (needs root)")
    log(f"installing {' '.join(missing)} from Debian")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if run(["apt-get", "install", "-y", "-q", *missing], env=env, check=False).returncode != 0:
        run(["apt-get", "update", "-q"], env=env)
        run(["apt-get", "install", "-y", "-q", *missing], env=env)


def podman_env() -> dict[str, str]:
    """podman with a configuration of its own (the host's /etc/containers stays as it is).

    Containers get resource limits within this machine's hard limits: podman's defaults for root
    (1048576 files, 4194304 processes) are above them, and the runtime may not raise a limit
    ("error setting rlimit type 7: operation not permitted"). The process limit is capped lower
    still: the runtime could not set the hard limit itself here.
    """
    nofile = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 65536)
    nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], 32768)
    WORK.mkdir(parents=True, exist_ok=True)
    conf = WORK / "containers.conf"
    conf.write_text(
        "[containers]\n"
        f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
        "[engine]\n"
        'runtime = "runc"\n'
    )
    return {**os.environ, "CONTAINERS_CONF": str(conf)}


def registry_reachable() -> bool:
    choice = os.environ.get("CITYPULSE_IMAGES_BASE", "auto")
    if choice in ("official", "local"):
        return choice == "official"
    try:
        urllib.request.urlopen("https://registry-1.docker.io/v2/", timeout=5)
    except urllib.error.HTTPError as exc:
        return exc.code == 401  # the registry answers; pulls are anonymous
    except OSError:
        return False
    return True


def image_exists(env: dict[str, str], ref: str) -> bool:
    return run(["podman", "image", "exists", ref], env=env, check=False).returncode == 0


# --- images ---


def build_bookworm(env: dict[str, str]) -> None:
    """A minimal bookworm root file system from Debian's packages, imported as an image.

    The host's CA certificates go in with it: pip and apt in the builds then trust what the host
    trusts (e.g. a proxy that inspects TLS).
    """
    if image_exists(env, BOOKWORM):
        return
    tarball = WORK / "bookworm-rootfs.tar"
    mirror = "http://deb.debian.org/debian"
    run(
        [
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            "--include=ca-certificates",
            # as Debian's -slim images: no manuals, documentation or translations
            "--dpkgopt=path-exclude=/usr/share/man/*",
            "--dpkgopt=path-exclude=/usr/share/doc/*",
            "--dpkgopt=path-include=/usr/share/doc/*/copyright",
            "--dpkgopt=path-exclude=/usr/share/locale/*",
            "--dpkgopt=path-exclude=/usr/share/info/*",
            "--customize-hook=cp /usr/local/share/ca-certificates/*.crt "
            '"$1/usr/local/share/ca-certificates/" 2>/dev/null || true',
            '--customize-hook=chroot "$1" update-ca-certificates',
            f"--customize-hook=printf '%s\\n' '{APT_CLEAN}' >\"$1/etc/apt/apt.conf.d/docker-clean\"",
            '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin',
            "bookworm",
            str(tarball),
            f"deb {mirror} bookworm main",
            f"deb {mirror} bookworm-updates main",
            "deb http://deb.debian.org/debian-security bookworm-security main",
        ],
        env=env,
        capture=True,
    )
    import_args = ["podman", "import", "--quiet", "--change", 'CMD ["bash"]', str(tarball), BOOKWORM]
    run(import_args, env=env, capture=True)
    tarball.unlink()


def base_images(env: dict[str, str], official: bool) -> dict[str, str]:
    """python/postgres/redis: the official images from the registry, or stand-ins built here."""
    if official:
        for ref in OFFICIAL.values():
            if not image_exists(env, ref):
                run(["podman", "pull", "--quiet", ref], env=env)
        return dict(OFFICIAL)
    build_bookworm(env)
    for name, ref in STANDIN.items():
        run(
            ["podman", "build", "--quiet", "--pull=never", "--build-arg", f"BOOKWORM_IMAGE={BOOKWORM}"]
            + ["-f", str(HERE / "base" / f"{name}.Dockerfile"), "-t", ref, str(HERE / "base")],
            env=env,
            capture=True,
        )
    return dict(STANDIN)


def build_project_images(env: dict[str, str], python_image: str) -> None:
    for ref, dockerfile in IMAGES.values():
        started = time.monotonic()
        run(
            ["podman", "build", "--quiet", "--pull=never", "--build-arg", f"PYTHON_IMAGE={python_image}"]
            + ["-f", str(REPO / dockerfile), "-t", ref, str(REPO)],
            env=env,
            capture=True,
        )
        log(f"built {ref} in {time.monotonic() - started:.0f} s")


def image_sizes(env: dict[str, str], refs: list[str]) -> dict[str, int]:
    sizes = {}
    for ref in refs:
        out = run(["podman", "image", "inspect", "--format", "{{.Size}}", ref], env=env, capture=True)
        sizes[ref] = int(out.stdout.strip())
    return sizes


# --- the stack ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class Stack:
    """docker-compose on podman's Docker API, on a socket and under a project name of its own."""

    def __init__(self, env: dict[str, str], bases: dict[str, str]) -> None:
        self.socket = WORK / "podman.sock"
        self.inbox = WORK / "inbox"
        self.airflow_port, self.superset_port = free_port(), free_port()
        self.secrets = {
            name: secrets.token_urlsafe(24)
            for name in (
                "POSTGRES_PASSWORD",
                "AIRFLOW_DB_PASSWORD",
                "SUPERSET_DB_PASSWORD",
                "REDIS_PASSWORD",
                "AIRFLOW_JWT_SECRET",
                "AIRFLOW_API_SECRET_KEY",
                "AIRFLOW_ADMIN_PASSWORD",
                "SUPERSET_SECRET_KEY",
                "SUPERSET_ADMIN_PASSWORD",
                "SUPERSET_ANALYST_PASSWORD",
                "SUPERSET_VIEWER_PASSWORD",
            )
        }
        self.secrets["AIRFLOW_FERNET_KEY"] = fernet_key()
        self.podman_env = env
        # The secrets go into an env file (0600) that compose reads, never into this process's args.
        self.env_file = WORK / "compose.env"
        settings = {
            **self.secrets,
            "AIRFLOW_PORT": str(self.airflow_port),
            "SUPERSET_PORT": str(self.superset_port),
            "AIRFLOW_BASE_URL": f"http://localhost:{self.airflow_port}",
            "SUPERSET_WORKERS": "2",
            "CITYPULSE_IMAGE_TAG": TAG,
            "CITYPULSE_PYTHON_IMAGE": bases["python"],
            "CITYPULSE_POSTGRES_IMAGE": bases["postgres"],
            "CITYPULSE_REDIS_IMAGE": bases["redis"],
            "CITYPULSE_TEST_INBOX": str(self.inbox),
        }
        fd = os.open(self.env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.writelines(f"{k}={v}\n" for k, v in settings.items())
        # Only the env file may set the compose file's variables (make exports its own settings).
        self.compose_env = {k: v for k, v in env.items() if k in {"PATH", "HOME", "LANG", "CONTAINERS_CONF"}}
        self.compose_env.update(DOCKER_HOST=f"unix://{self.socket}", COMPOSE_HTTP_TIMEOUT="300")
        self.service: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._health: threading.Thread | None = None

    # podman's API service, started and stopped by this run only
    def start_service(self) -> None:
        self.socket.unlink(missing_ok=True)
        log_file = open(WORK / "podman-service.log", "wb")  # noqa: SIM115 (lives as long as the service)
        self.service = subprocess.Popen(
            ["podman", "system", "service", "--time=0", f"unix://{self.socket}"],
            env=self.podman_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._ping, 60, f"podman's API on {self.socket} (log: {WORK / 'podman-service.log'})")

    def _ping(self) -> bool:
        if self.service is not None and self.service.poll() is not None:
            raise Failure(f"`podman system service` exited {self.service.returncode}: see podman-service.log")
        if not self.socket.exists():
            return False
        with socket.socket(socket.AF_UNIX) as s:
            try:
                s.connect(str(self.socket))
                s.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
                return b"200 OK" in s.recv(200)
            except OSError:
                return False

    def stop_service(self) -> None:
        if self.service is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.service.pid, signal.SIGTERM)
        try:
            self.service.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.service.pid, signal.SIGKILL)
            self.service.wait(10)
        self.service = None
        self.socket.unlink(missing_ok=True)

    def compose(
        self, *args: str, check: bool = True, capture: bool = False
    ) -> subprocess.CompletedProcess[str]:
        base = ["docker-compose", "--project-name", PROJECT, "--project-directory", str(REPO)]
        base += ["--env-file", str(self.env_file), "-f", str(REPO / "docker-compose.yml")]
        base += ["-f", str(HERE / "compose.test.yml")]
        return run([*base, *args], env=self.compose_env, check=check, capture=capture)

    # Healthchecks: podman runs them from systemd timers, and there is no systemd here; the test
    # runs them instead, as often as the compose file asks (more often during the start period,
    # where a failure does not count, so that a service is seen healthy as soon as it is).
    def _containers(self, every: bool = False) -> list[dict[str, Any]]:
        out = run(
            ["podman", "ps", *(["--all"] if every else [])]
            + ["--filter", f"label=com.docker.compose.project={PROJECT}", "--format", "json"],
            env=self.podman_env,
            capture=True,
            check=False,
        )
        return list(json.loads(out.stdout or "[]")) if out.returncode == 0 else []

    def _healthchecks(self) -> None:
        due: dict[str, float] = {}
        specs: dict[str, tuple[float, float, float]] = {}
        while not self._stop.is_set():
            for ctr in self._containers():
                cid = ctr["Id"]
                if cid not in specs:
                    inspect = run(["podman", "inspect", cid], env=self.podman_env, capture=True, check=False)
                    if inspect.returncode != 0:
                        continue
                    data = json.loads(inspect.stdout)[0]
                    hc = data["Config"].get("Healthcheck") or {}
                    if not hc.get("Test") or hc["Test"][0] == "NONE":
                        specs[cid] = (0.0, 0.0, 0.0)
                        continue
                    started = time.monotonic()
                    specs[cid] = (started, hc.get("Interval", 30e9) / 1e9, hc.get("StartPeriod", 0) / 1e9)
                started, interval, start_period = specs[cid]
                now = time.monotonic()
                if not interval or now < due.get(cid, 0):
                    continue
                run(["podman", "healthcheck", "run", cid], env=self.podman_env, capture=True, check=False)
                in_start = now - started < start_period
                due[cid] = time.monotonic() + (min(interval, 15) if in_start else interval)
            self._stop.wait(2)

    def up(self) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        self._health = threading.Thread(target=self._healthchecks, daemon=True)
        self._health.start()
        self.compose("up", "--detach", "--no-build")
        wait_until(self._all_healthy, 600, "every long-running service to be healthy")
        # Only compose's depends_on needs the checks; each Airflow one starts an Airflow CLI, which
        # the DAG runs need the CPU for.
        self.stop_healthchecks()

    def stop_healthchecks(self) -> None:
        self._stop.set()
        if self._health is not None:
            self._health.join(60)
            self._health = None

    def _all_healthy(self) -> bool:
        """Every long-running container healthy; a one-shot that failed or a service that exited stops the wait."""
        containers = self._containers(every=True)
        for ctr in containers:
            service = ctr.get("Labels", {}).get("com.docker.compose.service", "?")
            if ctr.get("State") == "exited" and (not service.endswith("-init") or ctr.get("ExitCode")):
                raise Failure(
                    f"{service} exited ({ctr.get('ExitCode')}): see `docker-compose logs {service}`"
                )
            if int(ctr.get("Restarts") or 0) >= 3:
                raise Failure(f"{service} keeps restarting: see `docker-compose logs {service}`")
        running = [c for c in containers if not c["Labels"]["com.docker.compose.service"].endswith("-init")]
        return bool(running) and all("(healthy)" in c.get("Status", "") for c in running)

    def down(self) -> None:
        self.stop_healthchecks()
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "30", check=False)

    def save_logs(self) -> Path:
        out = WORK / "logs"
        out.mkdir(exist_ok=True)
        for ctr in self._containers():
            name = ctr["Names"][0]
            logs = run(
                ["podman", "logs", "--tail", "400", name], env=self.podman_env, capture=True, check=False
            )
            (out / f"{name}.log").write_text(logs.stdout + logs.stderr)
        (out / "ps.txt").write_text(self.compose("ps", check=False, capture=True).stdout)
        return out


def wait_until(ready: Any, timeout_s: float, what: str, every: float = 3) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        time.sleep(every)
    raise Failure(f"timed out after {timeout_s:.0f} s waiting for {what}")


# --- the system test, through the containers ---


def write_sample(stack: Stack) -> None:
    """`citypulse sample` in the Airflow image: every registered city (the evaluation refuses a month
    in which a registered official account has no data), one month."""
    cities = sum(1 for _ in (REPO / "dbt_project" / "seeds" / "cities.csv").open()) - 1
    shutil.rmtree(stack.inbox, ignore_errors=True)
    stack.inbox.mkdir(parents=True)
    run(
        ["podman", "run", "--rm", "--user", "0", "-v", f"{stack.inbox}:/out", "--entrypoint", "citypulse"]
        + [IMAGES["airflow"][0], "sample", "--out", "/out", "--cities", str(cities), "--months", "1"]
        + ["--seed", "42"],
        env=stack.podman_env,
        capture=True,
    )
    files = [p for p in stack.inbox.rglob("*") if p.is_file()]
    if not files:
        raise Failure(f"`citypulse sample` wrote nothing into {stack.inbox}")
    log(f"sample inbox: {len(files)} files")


def xcom(api: AirflowApi, dag_id: str, run_id: str, task_id: str) -> Any:
    quoted = urllib.parse.quote(run_id, safe="")
    entry = api.call(
        "GET", f"/dags/{dag_id}/dagRuns/{quoted}/taskInstances/{task_id}/xcomEntries/return_value"
    )
    value = entry["value"]
    return json.loads(value) if isinstance(value, str) and value.startswith('"') else value


def superset_chart_rows(stack: Stack, slice_name: str) -> list[dict[str, Any]]:
    """The chart's data as an API client reads it: login, then GET /api/v1/chart/<id>/data/."""
    base = f"http://127.0.0.1:{stack.superset_port}"

    def call(method: str, path: str, payload: dict[str, Any] | None = None, token: str = "") -> Any:
        # A GET with a JSON content type and no body is a 400 in Flask: the header goes with a body only.
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{base}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise Failure(f"Superset {method} {path}: HTTP {exc.code} {exc.read().decode()[:1000]}") from exc

    login = {
        "username": "admin",
        "password": stack.secrets["SUPERSET_ADMIN_PASSWORD"],
        "provider": "db",
        "refresh": False,
    }
    token = call("POST", "/api/v1/security/login", login)["access_token"]
    query = urllib.parse.quote(f"(filters:!((col:slice_name,opr:eq,value:'{slice_name}')))")
    charts = call("GET", f"/api/v1/chart/?q={query}", token=token)["result"]
    if len(charts) != 1:
        raise Failure(
            f"Superset has {len(charts)} charts named {slice_name}: the dashboards were not imported"
        )
    data = call("GET", f"/api/v1/chart/{charts[0]['id']}/data/?force=true", token=token)
    return list(data["result"][0]["data"])


def airflow_api(stack: Stack) -> AirflowApi:
    password = stack.secrets["AIRFLOW_ADMIN_PASSWORD"]
    return AirflowApi(f"http://127.0.0.1:{stack.airflow_port}", "admin", password)


def system_test(stack: Stack, timer: Timer) -> dict[str, Any]:
    api = airflow_api(stack)
    wait_until(
        lambda: {LAND, WAREHOUSE, MONTHLY} <= _dag_ids(api), 300, "the dag-processor to parse the DAGs"
    )
    land(api, timer)
    warehouse_run_after(api, set(), timer, "warehouse (lake asset)")
    known_warehouse = {r["dag_run_id"] for r in api.runs(WAREHOUSE)}
    monthly_run, run_id = monthly_evaluation(api, timer)
    # the evaluations asset schedules the warehouse, which republishes the eval_* marts
    warehouse_run_after(api, known_warehouse, timer, "warehouse (evaluations asset)")
    rows = ranking_rows_of(stack, run_id, timer)
    return {"run_id": run_id, "chart_rows": rows, "monthly_run": monthly_run}


def land(api: AirflowApi, timer: Timer) -> None:
    """Unpausing also schedules the latest tick (catchup off); the two runs share the work, since
    landing is idempotent, and one lake event follows."""
    started = time.monotonic()
    api.set_paused(WAREHOUSE, False)
    api.set_paused(LAND, False)
    land_run = api.trigger(LAND)
    done = api.wait_for_run(LAND, land_run, STAGE_TIMEOUT)
    if done["state"] != "success":
        raise Failure(f"{LAND} {land_run}: {api.describe(LAND, land_run)}")
    timer.stage("land", started)


def warehouse_run_after(api: AirflowApi, known: set[str], timer: Timer, stage: str) -> None:
    started = time.monotonic()
    run_id = api.wait_for_new_run(WAREHOUSE, known, STAGE_TIMEOUT)
    done = api.wait_for_run(WAREHOUSE, run_id, STAGE_TIMEOUT)
    if done["state"] != "success":
        raise Failure(f"{WAREHOUSE} {run_id}: {api.describe(WAREHOUSE, run_id)}")
    if done["run_type"] != "asset_triggered":
        raise Failure(f"{WAREHOUSE} {run_id} is {done['run_type']}, not started by an asset event")
    timer.stage(stage, started)


def monthly_evaluation(api: AirflowApi, timer: Timer) -> tuple[str, str]:
    """November's run (it evaluates October) as a backfill, run by the scheduler and the worker."""
    started = time.monotonic()
    api.call(
        "POST",
        "/backfills",
        {
            "dag_id": MONTHLY,
            "from_date": "2026-11-01T00:00:00+08:00",
            "to_date": "2026-11-30T00:00:00+08:00",
            "max_active_runs": 1,
            "reprocess_behavior": "none",
        },
    )
    # unpaused only once the schedule is past the backfilled month: no catch-up of empty months
    wait_until(
        lambda: (api.call("GET", f"/dags/{MONTHLY}").get("next_dagrun_logical_date") or "") > "2026-11-08T",
        STAGE_TIMEOUT,
        "the monthly schedule to move past the backfilled run",
    )
    api.set_paused(MONTHLY, False)
    (monthly_run,) = [r["dag_run_id"] for r in api.runs(MONTHLY) if r["run_type"] == "backfill"]
    done = api.wait_for_run(MONTHLY, monthly_run, STAGE_TIMEOUT)
    api.set_paused(MONTHLY, True)
    if done["state"] != "success":
        raise Failure(f"{MONTHLY} {monthly_run}: {api.describe(MONTHLY, monthly_run)}")
    run_id = str(xcom(api, MONTHLY, monthly_run, "evaluate"))
    timer.stage("monthly evaluation", started)
    return monthly_run, run_id


def ranking_rows_of(stack: Stack, run_id: str, timer: Timer) -> int:
    started = time.monotonic()
    rows = superset_chart_rows(stack, RANKING_CHART)
    ours = [r for r in rows if r.get("run_id") == run_id]
    if not ours:
        seen = sorted({str(r.get("run_id")) for r in rows})
        raise Failure(f"Superset's {RANKING_CHART} has no row of run {run_id} (runs in its data: {seen})")
    timer.stage("superset chart data", started)
    log(f"Superset's {RANKING_CHART}: {len(ours)} rows of run {run_id}")
    return len(ours)


def _dag_ids(api: AirflowApi) -> set[str]:
    try:
        return {d["dag_id"] for d in api.call("GET", "/dags", query={"limit": 100})["dags"]}
    except (AssertionError, OSError):
        return set()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true", help="leave the stack running (debugging)")
    parser.add_argument("--skip-test", action="store_true", help="build and start the stack only")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise Failure("run as root: podman builds and runs the images as root here")

    timer = Timer()
    started = time.monotonic()
    ensure_tools()
    env = podman_env()
    timer.stage("tools", started)

    started = time.monotonic()
    official = registry_reachable()
    log(
        "base images: " + ("official, from the registry" if official else "built here from Debian's packages")
    )
    bases = base_images(env, official)
    timer.stage("base images", started)

    started = time.monotonic()
    build_project_images(env, bases["python"])
    timer.stage("project images", started)
    sizes = image_sizes(env, [ref for ref, _ in IMAGES.values()] + [bases["postgres"], bases["redis"]])
    for ref, size in sizes.items():
        log(f"image {ref}: {size / 1e6:.0f} MB")

    stack = Stack(env, bases)
    result: dict[str, Any] = {}
    ok = False
    try:
        started = time.monotonic()
        stack.start_service()
        write_sample(stack)
        stack.up()
        timer.stage("stack healthy", started)
        if not args.skip_test:
            result = system_test(stack, timer)
        ok = True
    finally:
        if not ok:
            log(f"failed: container logs in {stack.save_logs()}")
        if args.keep:
            log(f"stack left running: DOCKER_HOST=unix://{stack.socket} docker-compose -p {PROJECT} …")
        else:
            started = time.monotonic()
            stack.down()
            stack.stop_service()
            shutil.rmtree(stack.inbox, ignore_errors=True)
            stack.env_file.unlink(missing_ok=True)
            timer.stage("teardown", started)
    total = round(time.monotonic() - timer.started, 1)
    summary = {"total_s": total, "stages_s": timer.stages, "image_bytes": sizes, **result}
    (WORK / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    log(f"make test-images passed in {total / 60:.1f} min; summary in {WORK / 'summary.json'}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as exc:
        print(f"test-images: {exc}", file=sys.stderr)
        sys.exit(1)
