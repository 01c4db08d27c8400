"""The codebase's shape: no import cycle among the project's modules, and files small enough to read.

The import graph is built from the source with ``ast``: every ``import`` and ``from ... import``,
relative ones too, at module level and inside functions alike (a deferred import keeps start-up
cheap, but a cycle through it still means two modules each need the other). Only
``if TYPE_CHECKING:`` blocks, which never run, are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "gui")
#: Longest file allowed, in lines, per top-level package (the issue's "about 450 / about 350").
MAX_LINES = {"engine": 450, "gui": 350}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project by dotted name (``main`` and everything under the packages)."""
    modules = {"main": ROOT / "main.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules[_module_name(path)] = path
    return modules


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def module_imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that ``module`` imports, at module level or inside its functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()

    def add(name: str) -> None:
        # ``import gui.network.view`` imports gui, gui.network and gui.network.view.
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in known and prefix != module:
                found.add(prefix)

    def visit(statements: list[ast.AST]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, path, node)
                add(target)
                for alias in node.names:
                    add(f"{target}.{alias.name}")
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
            else:
                visit([child for child in ast.iter_child_nodes(node)
                       if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case))])

    visit(tree.body)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    modules = project_modules()
    known = set(modules)
    return {name: module_imports(name, path, known) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle found by a depth-first walk of ``graph``, as the list of modules around it."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    stack: list[str] = []

    def walk(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for dep in sorted(graph.get(name, ())):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                walk(dep)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    return cycles


def test_the_checker_finds_edges_and_cycles() -> None:
    """The checker itself: main.py's engine imports are edges, and a three-module loop is a cycle."""
    graph = import_graph()
    assert any(dep.startswith("engine") for dep in graph["main"]), graph["main"]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("package", PACKAGES)
def test_files_stay_readable(package: str) -> None:
    limit = MAX_LINES[package]
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / package).rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > limit}
    assert not long, f"files over {limit} lines in {package}/: {long}"
