"""The package's imports run one way: down the layers below, or sideways within a layer without
a cycle between packages.

Every module of ``plugins/citypulse`` is parsed (no import runs), and every ``import`` counts,
wherever it stands: a function-local or ``TYPE_CHECKING`` import is a dependency all the same,
only a later one. A "package" is the first name under ``citypulse``: ``citypulse.landing.runner``
belongs to ``landing``, ``citypulse.settings`` is the package ``settings``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from citypulse.settings import REPO_ROOT

PLUGINS = REPO_ROOT / "plugins"
ROOT = "citypulse"

# Top to bottom. A package may import its own layer (without a cycle) and every layer below it.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "orchestration",
        {
            "cli",
            "demo",
            "stack",
            "orchestration",
            "airflow_embedded",
            "airflow_rest",
            "services",
            "doctor",
        },
    ),
    (
        "domain",
        {
            "warehouse",
            "evaluation",
            "report",
            "diagnostics",
            "superset",
            "notify",
            "quality",
            "landing",
            "sample",
        },
    ),
    # adapters turn export files into rows of the lake's entities, with the lake's reason codes
    ("adapters", {"adapters"}),
    ("lake", {"lake"}),
    ("parsing", {"parsing"}),
    (
        "base",
        {
            ROOT,  # the package itself: its version
            "settings",
            "environment",
            "errors",
            "credentials",
            "progress",
            "process_groups",
            "limits",
            "platforms",
            "file_lock",
        },
    ),
]
LAYER_OF = {package: index for index, (_, packages) in enumerate(LAYERS) for package in packages}


@dataclass(frozen=True)
class Edge:
    source: str  # module
    target: str  # module
    line: int

    def __str__(self) -> str:
        return f"{self.source} → {self.target} (line {self.line})"


def _modules() -> dict[str, tuple[Path, bool]]:
    """Each module's dotted name: its file, and whether it is a package's ``__init__``."""
    modules = {}
    for path in sorted((PLUGINS / ROOT).rglob("*.py")):
        parts = list(path.relative_to(PLUGINS).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> list[str]:
    """The citypulse modules one import statement reaches (``from p import m`` reaches p.m when m
    is a module, else p)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == ROOT]
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    else:
        base = node.module or ""
    if base.split(".")[0] != ROOT:
        return []
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]


def _edges() -> list[Edge]:
    modules = _modules()
    known = set(modules)
    edges = []
    for module, (path, is_package) in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges += [
                    Edge(module, target, node.lineno) for target in _targets(module, is_package, node, known)
                ]
    return sorted(set(edges), key=lambda edge: (edge.source, edge.line, edge.target))


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def _between_packages() -> dict[tuple[str, str], list[Edge]]:
    by_pair: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in _edges():
        pair = (package_of(edge.source), package_of(edge.target))
        if pair[0] != pair[1]:
            by_pair[pair].append(edge)
    return by_pair


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of every strongly connected component of more than one package (Tarjan): for
    each package in one, a shortest cycle through it, as a path back to its start; each cycle once."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles: list[list[str]] = []
    seen: set[frozenset[tuple[str, str]]] = set()
    for component in components:
        for start in sorted(component):
            cycle = _shortest_cycle(graph, component, start)
            steps = frozenset(zip(cycle, cycle[1:], strict=False))
            if steps not in seen:
                seen.add(steps)
                cycles.append(cycle)
    return cycles


def _shortest_cycle(graph: dict[str, set[str]], component: set[str], start: str) -> list[str]:
    """A shortest cycle through ``start`` inside its component (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & component):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {sorted(component)}")


def test_every_module_parses_and_the_graph_is_not_empty() -> None:
    pairs = {(edge.source, edge.target) for edge in _edges()}
    assert len(_modules()) > 100
    assert ("citypulse.landing.runner", "citypulse.adapters.engine") in pairs
    assert ("citypulse.cli", "citypulse.landing.runner") in pairs


def test_every_package_has_a_layer() -> None:
    packages = {package_of(module) for module in _modules()}
    assert packages - set(LAYER_OF) == set(), "add these packages to LAYERS"
    assert set(LAYER_OF) - packages == set(), "LAYERS names packages that no longer exist"


def test_no_cycle_between_packages() -> None:
    by_pair = _between_packages()
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in by_pair:
        graph[source].add(target)
        graph.setdefault(target, set())
    found = []
    for cycle in _cycles(graph):
        steps = [f"  {' → '.join(cycle)}"]
        for source, target in zip(cycle, cycle[1:], strict=False):
            steps += [f"    {edge}" for edge in by_pair[(source, target)]]
        found.append("\n".join(steps))
    assert not found, "cycles between packages:\n" + "\n".join(found)


def test_no_import_goes_up_a_layer() -> None:
    upward = [
        f"  {edge}  [{LAYERS[LAYER_OF[source]][0]} imports {LAYERS[LAYER_OF[target]][0]}]"
        for (source, target), edges in sorted(_between_packages().items())
        if source in LAYER_OF and target in LAYER_OF and LAYER_OF[target] < LAYER_OF[source]
        for edge in edges
    ]
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def test_the_checks_see_what_they_must() -> None:
    """The parser resolves relative and function-local imports, and the cycle finder finds a cycle."""
    tree = ast.parse("def f():\n    from .sibling import thing\n    from . import other\n")
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    known = {"citypulse.pkg.sibling", "citypulse.pkg.other"}
    assert _targets("citypulse.pkg.mod", False, imports[0], known) == ["citypulse.pkg.sibling"]
    assert _targets("citypulse.pkg.mod", False, imports[1], known) == ["citypulse.pkg.other"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": {"a", "c"}, "c": {"b"}}) == [["a", "b", "a"], ["c", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
