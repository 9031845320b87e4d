"""The ``citypulse`` command (contract: design.md "Command line").

Each subcommand is a thin shell over a library function; the Airflow DAGs call the same
functions directly. Heavy imports happen inside the handlers so ``--help`` stays instant.
Exit codes: 0 success, 1 internal error, 2 the command ran but refused something
(e.g. a quarantined file, a failed audit, an incomplete month).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from citypulse import __version__
from citypulse.settings import get_settings


def _cmd_sample(args: argparse.Namespace) -> int:
    from citypulse.sample.generator import generate

    summary = generate(Path(args.out), cities=args.cities, months=args.months, seed=args.seed, rows=args.rows)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _cmd_land(args: argparse.Namespace) -> int:
    from citypulse.landing.runner import land_inbox

    settings = get_settings().ensure()
    result = land_inbox(settings, Path(args.inbox) if args.inbox else settings.inbox)
    print(json.dumps(result.to_json(), ensure_ascii=False))
    return result.exit_code


def _cmd_build(args: argparse.Namespace) -> int:
    from citypulse.warehouse.build import build

    outcome = build(get_settings().ensure(), full_refresh=args.full_refresh)
    print(json.dumps(outcome.to_json(), ensure_ascii=False))
    return outcome.exit_code


def _cmd_forget(args: argparse.Namespace) -> int:
    from citypulse.landing.forget import forget

    outcome = forget(
        get_settings().ensure(), args.platform, args.account, reason=args.reason, rebuild=not args.no_build
    )
    print(json.dumps(outcome.to_json(), ensure_ascii=False))
    return outcome.exit_code


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from citypulse.evaluation.run import evaluate

    run_id = evaluate(
        get_settings().ensure(),
        args.period,
        restate=args.restate,
        allow_incomplete=args.allow_incomplete,
        **({"methodology_version": args.methodology_version} if args.methodology_version else {}),
    )
    print(run_id)
    return 0


def _cmd_methodology_baseline(args: argparse.Namespace) -> int:
    from citypulse.evaluation import baseline
    from citypulse.evaluation.methodology import DEFAULT_VERSION, default_directory

    settings = get_settings().ensure()
    directory = Path(args.dir) if args.dir else default_directory(settings)
    source = args.source_version or DEFAULT_VERSION
    derived = baseline.derive(settings.evaluations, directory, args.start, args.end, source, args.new_version)
    baseline.write(directory, derived)
    print(derived.version)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from citypulse.report.render import write_report_files

    files = write_report_files(get_settings().ensure(), args.period, Path(args.out))
    print(str(files.html))
    if files.pdf is not None:
        print(str(files.pdf))
    return 0


def _cmd_superset_bootstrap(args: argparse.Namespace) -> int:
    from citypulse.superset.bootstrap import bootstrap

    return bootstrap(get_settings().ensure())


def _cmd_doctor(args: argparse.Namespace) -> int:
    from citypulse.doctor import run_checks

    return run_checks(get_settings(), as_json=args.json, deep=args.deep)


def _period(value: str) -> str:
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"period must be YYYY-MM, got {value!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citypulse",
        description="城市脉搏 CityPulse — land social-media exports, build the warehouse, evaluate 传播力指数.",
    )
    parser.add_argument("--version", action="version", version=f"citypulse {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    p = add("sample", _cmd_sample, "generate realistic, messy exports for every supported format")
    p.add_argument("--out", required=True, help="folder to write an inbox tree into")
    p.add_argument("--cities", type=int, default=6)
    p.add_argument("--months", type=int, default=3)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--rows", type=int, default=None, help="scale the largest files to about this many rows")

    p = add("land", _cmd_land, "land every new file of the inbox into raw/, the lake and the ledger")
    p.add_argument("--inbox", default=None, help="inbox folder (default: $CITYPULSE_HOME/inbox)")

    p = add("build", _cmd_build, "dbt build + audits into build.duckdb, publish serving.duckdb on success")
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")

    p = add(
        "forget",
        _cmd_forget,
        "删除请求 (个人信息保护法 第四十七条): remove an account's rows from the lake, tombstone it so "
        "no landing or build brings them back, then full-refresh build and publish",
    )
    p.add_argument("--platform", required=True, help="平台 platform of the account (weibo, douyin, …)")
    p.add_argument("--account", required=True, help="账号 ID the account id as landed (account_id)")
    p.add_argument("--reason", default=None, help="原因 why, kept in the tombstone (e.g. a ticket number)")
    p.add_argument(
        "--no-build",
        action="store_true",
        help="不重建 skip the rebuild (serving.duckdb keeps the account until the next full-refresh build)",
    )

    p = add("evaluate", _cmd_evaluate, "freeze the monthly evaluation run of a period; prints its run_id")
    p.add_argument("--period", required=True, type=_period, help="YYYY-MM")
    p.add_argument("--restate", action="store_true", help="make a new official run for a period that has one")
    p.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="evaluate although registered official accounts lack data (recorded in the run)",
    )
    p.add_argument("--methodology-version", default=None, help="default: the version new runs use")

    p = add(
        "methodology",
        _cmd_methodology_baseline,
        "methodology baseline: derive anchored goalposts (pooled P5/P95 of a window of official runs) "
        "into a new methodology version; prints its name",
    )
    p.add_argument("action", choices=["baseline"])
    p.add_argument("--from", dest="start", required=True, type=_period, help="first month YYYY-MM")
    p.add_argument("--to", dest="end", required=True, type=_period, help="last month YYYY-MM")
    p.add_argument("--source-version", default=None, help="runs and config to start from (default: current)")
    p.add_argument("--new-version", default=None, help="name of the new version (default: the next number)")
    p.add_argument("--dir", default=None, help="methodology folder (default: the dbt seeds)")

    p = add("report", _cmd_report, "write a period's evaluation report (HTML, Chinese) and its PDF beside it")
    p.add_argument("--period", required=True, type=_period)
    p.add_argument("--out", required=True)

    add("superset-bootstrap", _cmd_superset_bootstrap, "import the dashboards-as-code into Superset")

    p = add("doctor", _cmd_doctor, "check environments, versions, data home and telemetry settings")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--deep",
        action="store_true",
        help="also hash every raw file against its ledger entry (reads all of raw/)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "doctor":  # doctor must see the environment as it really is
        from citypulse.environment import apply

        apply(get_settings())
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's contract is exit 1 with a readable message
        from citypulse.errors import CityPulseError

        if isinstance(exc, CityPulseError):
            print(f"citypulse {args.command}: {exc}", file=sys.stderr)
            return exc.exit_code
        raise


if __name__ == "__main__":
    sys.exit(main())
