"""``python -m citypulse.stack up|down|status|init`` (``make stack`` / ``make stack-down``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from citypulse.errors import CityPulseError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m citypulse.stack", description=__doc__)
    parser.add_argument(
        "action",
        choices=["up", "down", "status", "init"],
        help="up: provision and start; down: stop what up started; status: report; "
        "init: the compose airflow-init step (environment from the container)",
    )
    parser.add_argument(
        "--home", help="the stack's data home (default $CITYPULSE_STACK_HOME or $CITYPULSE_HOME/stack)"
    )
    parser.add_argument("--no-superset", action="store_true", help="start the Airflow services only")
    args = parser.parse_args(argv)

    if args.action == "init":
        from citypulse.stack.airflow_processes import init_from_environment

        init_from_environment()
        return 0

    from citypulse.stack import StackConfig, down, status, up

    cfg = StackConfig.from_env(args.home)
    try:
        if args.action == "up":
            up(cfg, with_superset=not args.no_superset)
        elif args.action == "down":
            down(cfg)
        else:
            print(json.dumps(status(cfg), ensure_ascii=False, indent=2))
    except CityPulseError as exc:
        print(f"[stack] {exc}", file=sys.stderr)
        return 1
    return 0


# Airflow's plugin manager imports every file under plugins/ with its stem as the module name, so
# this file is also loaded as a module called "__main__": only ``python -m citypulse.stack`` runs it.
if __name__ == "__main__" and __spec__ is not None and __spec__.name == "citypulse.stack.__main__":
    sys.exit(main())
