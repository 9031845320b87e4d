"""Run pytest and refuse "no tests ran" (exit 5) as success."""

from __future__ import annotations

import sys

import pytest

if __name__ == "__main__":
    rc = pytest.main(["-p", "no:cacheprovider", *sys.argv[1:]])
    if rc == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("run_pytest: no tests were collected; that is a failure, not a pass", file=sys.stderr)
        sys.exit(1)
    sys.exit(int(rc))
