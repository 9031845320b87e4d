"""docker-compose.yml, statically: valid for docker-compose, and the invariants a reviewer would check.

There is no Docker engine here, so the file is validated with ``docker-compose config`` (Debian's
package, installed by ``make system-deps``) and the commands it runs are run here, in the same pinned
environments the images install.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from citypulse.settings import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"
DEV_OVERLAY = REPO_ROOT / "docker" / "compose.dev.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
VENV_BIN = REPO_ROOT / ".venv" / "bin"
SUPERSET_BIN = REPO_ROOT / ".venv-superset" / "bin"
SERVICES = {
    "postgres",
    "redis",
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "superset-init",
    "superset",
}
ONE_SHOT = {"airflow-init", "superset-init"}
AIRFLOW = {s for s in SERVICES if s.startswith("airflow-")}
CODE_DIRS = ("dags", "plugins", "dbt_project", "expectations")
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|_KEY|TOKEN)$")
REQUIRED_VAR = re.compile(r"\$\{(\w+):\?[^}]*\}")
DEFAULTED_VAR = re.compile(r"\$\{(\w+):-([^}]*)\}")


def _required_vars() -> set[str]:
    return set(REQUIRED_VAR.findall(COMPOSE.read_text()))


def _docker_compose() -> str:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip(
            "docker-compose is not installed (Debian package `docker-compose`): run `make system-deps`"
        )
    return exe


def _env_file(tmp_path: Path, values: dict[str, str]) -> Path:
    path = tmp_path / "compose.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def _config(tmp_path: Path, env_values: dict[str, str], *files: Path) -> subprocess.CompletedProcess[str]:
    args = [
        _docker_compose(),
        "--project-directory",
        str(REPO_ROOT),
        "--env-file",
        str(_env_file(tmp_path, env_values)),
    ]
    for f in files or (COMPOSE,):
        args += ["-f", str(f)]
    # A clean environment: only the env file may provide the secrets.
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run([*args, "config"], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture(scope="module")
def generated_secrets() -> dict[str, str]:
    return {name: secrets.token_urlsafe(24) for name in sorted(_required_vars())}


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory, generated_secrets: dict[str, str]) -> dict[str, Any]:
    done = _config(tmp_path_factory.mktemp("compose"), generated_secrets)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def _volumes(service: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) for short and long volume syntax."""
    out = []
    for v in service.get("volumes", []):
        if isinstance(v, str):
            parts = v.split(":")
            out.append((parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")))
        else:
            out.append((v["source"], v["target"], bool(v.get("read_only"))))
    return out


def test_compose_is_valid_and_names_every_service(resolved: dict[str, Any]) -> None:
    assert set(resolved["services"]) == SERVICES


def test_compose_refuses_to_start_without_the_secrets(tmp_path: Path) -> None:
    placeholders = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"^[A-Z_]+=", line)
    )
    done = _config(tmp_path, placeholders)
    assert done.returncode != 0
    assert "in .env" in done.stderr, done.stderr


def test_every_required_secret_is_a_placeholder_in_env_example() -> None:
    example = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"^[A-Z_]+=", line)
    )
    required = _required_vars()
    assert required >= {"POSTGRES_PASSWORD", "AIRFLOW_FERNET_KEY", "SUPERSET_SECRET_KEY", "REDIS_PASSWORD"}
    assert required <= set(example), f"missing from .env.example: {sorted(required - set(example))}"
    assert {k: v for k, v in example.items() if v} == {}, ".env.example must not carry working values"


def test_no_secret_has_a_default(resolved: dict[str, Any], generated_secrets: dict[str, str]) -> None:
    text = COMPOSE.read_text()
    defaulted = {name: default for name, default in DEFAULTED_VAR.findall(text) if SECRET_NAME.search(name)}
    assert all(default == "" for default in defaulted.values()), defaulted
    # Every secret the services receive is one of the values we supplied (or an optional, empty one).
    allowed = set(generated_secrets.values()) | {""}
    for name, service in resolved["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert value in allowed, f"{name}: {key} has a value that did not come from .env"
            for secret_in_url in re.findall(r"://[^:/@]*:([^@]+)@", str(value)):
                assert secret_in_url in generated_secrets.values(), f"{name}: {key} embeds a literal password"


def test_long_running_services_are_healthchecked_and_wait_for_their_dependencies(
    resolved: dict[str, Any],
) -> None:
    services = resolved["services"]
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") in ("no", None), name
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        for dep, spec in (service.get("depends_on") or {}).items():
            assert spec["condition"] in ("service_healthy", "service_completed_successfully"), (name, dep)
    for name in AIRFLOW - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert (
        services["superset"]["depends_on"]["superset-init"]["condition"] == "service_completed_successfully"
    )
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    worker = services["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker, "the worker must scale with --scale"
    assert worker["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_one_data_home_volume_read_only_for_superset(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    for name in AIRFLOW:
        assert ("citypulse-data", "/data", False) in _volumes(services[name]), name
        assert services[name]["environment"]["CITYPULSE_HOME"] == "/data"
    for name in ("superset", "superset-init"):
        data_mounts = [v for v in _volumes(services[name]) if v[0] == "citypulse-data"]
        assert data_mounts == [("citypulse-data", "/data", True)], name
        assert services[name]["environment"]["CITYPULSE_SERVING_DB"] == "/data/warehouse/serving.duckdb"
    assert "citypulse-data" in resolved["volumes"]


def test_code_is_baked_in_and_mounted_only_by_the_dev_overlay(
    tmp_path: Path, resolved: dict[str, Any], generated_secrets: dict[str, str]
) -> None:
    for name in AIRFLOW:
        sources = {Path(src).name for src, _, _ in _volumes(resolved["services"][name])}
        assert not sources & set(CODE_DIRS), f"{name} mounts code in the production file"
    dockerfile = (REPO_ROOT / "docker" / "airflow.Dockerfile").read_text()
    for code in CODE_DIRS:
        assert re.search(rf"^COPY {code}/ {code}/$", dockerfile, re.M), code

    done = _config(tmp_path, generated_secrets, COMPOSE, DEV_OVERLAY)
    assert done.returncode == 0, done.stderr
    dev = yaml.safe_load(done.stdout)["services"]
    for name in AIRFLOW:
        mounts = {(Path(src).name, target) for src, target, _ in _volumes(dev[name])}
        for code in CODE_DIRS:
            assert (code, f"/opt/citypulse/{code}") in mounts, (name, code)
    assert [v for v in _volumes(dev["superset"]) if v[0] == "citypulse-data"] == [
        ("citypulse-data", "/data", True)
    ]


@pytest.mark.parametrize(
    ("dockerfile", "requirements"),
    [
        ("airflow.Dockerfile", "requirements/pipeline.txt"),
        ("superset.Dockerfile", "requirements/superset.txt"),
    ],
)
def test_images_install_exactly_the_pinned_requirement_files(dockerfile: str, requirements: str) -> None:
    text = (REPO_ROOT / "docker" / dockerfile).read_text()
    # The base is a build ARG (a machine without a registry passes a local stand-in); its default
    # is the official image of the project's Python (3.11).
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11[-.]", text, re.M), "the images use Python 3.11"
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\}$", text, re.M), dockerfile
    installs = re.findall(r"pip install ([^\n\\&]+)", text)
    assert installs, dockerfile
    assert f"--no-deps -r {requirements}" in installs[0]
    for args in installs:
        words = [w for w in args.split() if not w.startswith("-")]
        # Only the pinned file and the project itself: no second list of versions.
        assert words in ([requirements], ["."]), f"{dockerfile}: unexpected install {args!r}"
    assert f"COPY {requirements} {requirements}" in text


def _airflow_subcommand(argv: list[str]) -> list[str]:
    words = []
    for word in argv[1:]:
        if word.startswith("-"):
            break
        words.append(word)
    return words


def test_the_commands_the_services_run_exist_in_our_environments(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    airflow_commands = {
        tuple(_airflow_subcommand(s["command"]))
        for n, s in services.items()
        if n in AIRFLOW and s["command"][0] == "airflow"
    }
    assert ("celery", "worker") in airflow_commands and ("api-server",) in airflow_commands
    # One interpreter parses every command line with Airflow's real CLI parser (an unknown
    # subcommand or option exits non-zero); cheaper than one `airflow … --help` per command.
    command_lines = [
        s["command"][1:] for n, s in services.items() if n in AIRFLOW and s["command"][0] == "airflow"
    ]
    for name in ("airflow-dag-processor", "airflow-triggerer"):
        check = services[name]["healthcheck"]["test"][-1].replace('"$(hostname)"', "host")
        command_lines.append(check.split()[1:])
    program = (
        "import json, sys\n"
        "from airflow.cli import cli_parser\n"
        "parser = cli_parser.get_parser()\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    parser.parse_args(argv)\n"
        "print('parsed', len(json.loads(sys.argv[1])))\n"
    )
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-c", program, json.dumps(command_lines)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert done.returncode == 0, f"{command_lines}: {done.stderr[-2000:]}"
    assert f"parsed {len(command_lines)}" in done.stdout
    # airflow-init runs our module; the worker healthcheck loads the Celery app (it imports the
    # executor, so a Celery release the provider does not support fails here, not in production).
    assert services["airflow-init"]["command"] == ["python", "-m", "citypulse.stack", "init"]
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "citypulse.stack", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "init" in done.stdout
    worker_check = " ".join(services["airflow-worker"]["healthcheck"]["test"])
    app = re.search(r"--app (\S+)", worker_check)
    assert app is not None
    done = subprocess.run(
        [str(VENV_BIN / "celery"), "--app", app.group(1), "inspect", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]

    # Superset: gunicorn serves it, and the init script's bootstrap imports without the pipeline env.
    assert services["superset"]["command"][0] == "gunicorn"
    assert (SUPERSET_BIN / "gunicorn").exists() and (SUPERSET_BIN / "superset").exists()
    assert services["superset"]["command"][-1] == "superset.app:create_app()"
    init_script = (REPO_ROOT / "docker" / "superset-init.sh").read_text()
    assert "python -m citypulse.cli superset-bootstrap" in init_script
    done = subprocess.run(
        [str(SUPERSET_BIN / "python"), "-c", "import citypulse.superset.bootstrap, citypulse.cli"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT / "plugins")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for script in ("superset-init.sh", "postgres-init.sh"):
        assert subprocess.run(["bash", "-n", str(REPO_ROOT / "docker" / script)]).returncode == 0


def test_postgres_init_script_creates_both_databases_idempotently() -> None:
    """The script the postgres container runs on first start, run against this machine's server."""
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    prefix = f"cptest_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "POSTGRES_USER": "postgres",
        "CITYPULSE_DB_PREFIX": prefix,
        "AIRFLOW_DB_PASSWORD": secrets.token_urlsafe(16),
        "SUPERSET_DB_PASSWORD": secrets.token_urlsafe(16),
    }
    probe = subprocess.run(["psql", "-U", "postgres", "-tAc", "select 1"], capture_output=True, env=env)
    if probe.returncode != 0:
        pytest.skip(f"no PostgreSQL superuser access on 127.0.0.1: {probe.stderr.decode()[-200:]}")
    script = str(REPO_ROOT / "docker" / "postgres-init.sh")
    try:
        for _ in range(2):
            done = subprocess.run(["bash", script], capture_output=True, text=True, env=env, timeout=60)
            assert done.returncode == 0, done.stderr
        query = (
            "select d.datname, r.rolname, r.rolpassword is not null from pg_database d "
            f"join pg_authid r on r.oid = d.datdba where d.datname like '{prefix}%' order by 1"
        )
        rows = subprocess.run(
            ["psql", "-U", "postgres", "-tA", "-F", ",", "-c", query], capture_output=True, text=True, env=env
        ).stdout.split()
        assert rows == [f"{prefix}_airflow,{prefix}_airflow,t", f"{prefix}_superset,{prefix}_superset,t"]
    finally:
        for app in ("airflow", "superset"):
            subprocess.run(
                ["psql", "-U", "postgres", "-c", f'drop database if exists "{prefix}_{app}" with (force)'],
                capture_output=True,
                env=env,
            )
            subprocess.run(
                ["psql", "-U", "postgres", "-c", f'drop role if exists "{prefix}_{app}"'],
                capture_output=True,
                env=env,
            )


@pytest.mark.slow
def test_airflow_init_command_prepares_the_metadata_idempotently(
    resolved: dict[str, Any], tmp_path: Path
) -> None:
    """`python -m citypulse.stack init` with the environment compose gives airflow-init (paths mapped
    to a temporary data home, SQLite standing in for the postgres service)."""
    import sqlite3

    data, plugins = tmp_path / "data", tmp_path / "empty-plugins"
    plugins.mkdir()
    env = {}
    for key, value in resolved["services"]["airflow-init"]["environment"].items():
        value = (
            str(value).replace("/opt/airflow/plugins", str(plugins)).replace("/opt/citypulse", str(REPO_ROOT))
        )
        env[key] = re.sub(r"(?<![\w/])/data", str(data), value)
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{tmp_path / 'airflow.db'}"
    env["PATH"] = f"{VENV_BIN}:{os.environ['PATH']}"
    command = [str(VENV_BIN / "python"), *resolved["services"]["airflow-init"]["command"][1:]]

    refused = subprocess.run(
        command, env={**env, "AIRFLOW_ADMIN_PASSWORD": ""}, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0 and "AIRFLOW_ADMIN_PASSWORD" in refused.stderr
    for _ in range(2):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
    passwords = data / "airflow" / "simple_auth_manager_passwords.json"
    assert (passwords.stat().st_mode & 0o777) == 0o600
    assert json.loads(passwords.read_text()) == {"admin": env["AIRFLOW_ADMIN_PASSWORD"]}
    with sqlite3.connect(tmp_path / "airflow.db") as con:
        assert con.execute("select slots from slot_pool where pool = 'duckdb_writer'").fetchall() == [(1,)]
