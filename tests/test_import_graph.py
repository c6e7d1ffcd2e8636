"""The import graph, read from the source: the arrows point one way (DESIGN §1). Fails on a
circle between modules, or on the core (tickets/, knowledge_base/, reports/) importing an
adapter or the composition root. Run alone: `.venv/bin/python -m pytest -q tests/test_import_graph.py`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("tickets", "knowledge_base", "reports")
ADAPTERS = ("bot", "integrations", "scheduler", "web")
ROOT_MODULES = ("main", "wiring")
PACKAGES = CORE + ADAPTERS


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The project modules `path` imports (all of them, or only those at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from tickets import texts` imports the module tickets.texts.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES + ROOT_MODULES}


def graph(*, top_level_only: bool) -> dict[str, set[str]]:
    modules = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    modules.update({name: ROOT / f"{name}.py" for name in ROOT_MODULES})
    return {name: {m for m in imports(path, top_level_only=top_level_only) if m in modules and m != name}
            for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles() -> None:
    assert cycles(graph(top_level_only=True)) == []


def test_the_core_imports_no_adapter_even_lazily() -> None:
    bad = sorted((module, target) for module, targets in graph(top_level_only=False).items()
                 if module.split(".")[0] in CORE for target in targets
                 if target.split(".")[0] in ADAPTERS + ROOT_MODULES)
    assert bad == []


def test_the_checks_catch_what_they_look_for() -> None:
    # The checks themselves must be able to fail.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    edges = graph(top_level_only=True)
    assert "tickets.messaging" in edges["tickets.intake"] and "bot.config" in edges["wiring"]
