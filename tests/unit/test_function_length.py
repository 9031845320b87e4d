"""No function in the landing, adapters and parsing packages runs longer than a screen.

A function is measured from its ``def`` line to its last line (decorators excluded); a nested
function counts on its own and inside the function that holds it.
"""

from __future__ import annotations

import ast

from citypulse.settings import REPO_ROOT

PACKAGE = REPO_ROOT / "plugins" / "citypulse"
CHECKED = ("landing", "adapters", "parsing")
MAX_LINES = 60


def _long_functions() -> list[str]:
    found = []
    for folder in CHECKED:
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    assert node.end_lineno is not None
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_LINES:
                        where = path.relative_to(REPO_ROOT)
                        found.append(f"{where}:{node.lineno} {node.name} {length}")
    return found


def test_the_checked_packages_are_there() -> None:
    for folder in CHECKED:
        assert any((PACKAGE / folder).glob("*.py")), folder


def test_no_function_is_longer_than_the_limit() -> None:
    long_functions = _long_functions()
    assert not long_functions, f"functions over {MAX_LINES} lines:\n" + "\n".join(long_functions)
