"""The layout keeps its promises: no import cycles, no hidden imports, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    nodes = sorted(m for m in graph.modules if m.startswith("simulator"))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    imported = graph.find_modules_directly_imported_by
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(imported(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c.startswith("simulator")), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imported(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_no_import_cycles_anywhere_in_the_package() -> None:
    graph = grimp.build_graph("simulator")
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for m in ("simulator.a", "simulator.b", "simulator.c"):
        graph.add_module(m)
    graph.add_import(importer="simulator.a", imported="simulator.b")
    graph.add_import(importer="simulator.b", imported="simulator.c")
    graph.add_import(importer="simulator.c", imported="simulator.a")
    assert _cycles(graph) == [["simulator.a", "simulator.b", "simulator.c"]]


def _function_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [f"{path.name}:{node.lineno} {n}" for n in names if n.startswith("simulator")]
    return found


def test_no_function_level_simulator_imports() -> None:
    found = [hit for p in sorted(PACKAGE.rglob("*.py")) for hit in _function_level_imports(p)]
    assert found == []


def test_no_module_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
