"""The shape of the house, checked from the source: which package may import which, that the
kernel knows no domain, and that views leave queries to services.

Packages are dp_portal's sub-packages (accounts, payments, ...) and its top-level modules
(cli, scheduler, ...); `app` is dp_portal/__init__.py, the app factory that wires them all.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "dp_portal"
APP = "app"
# The shared kernel: it may import only itself and the Flask extensions.
KERNEL_MAY_IMPORT = {"core", "extensions"}
# Packages whose views are checked for queries, and the code checked for size (payments,
# monitoring and reports join both lists as their reshaping lands).
CHECKED = (
    "accounts",
    "admin",
    "api",
    "auth",
    "client_money",
    "employers",
    "imports",
    "isf",
    "pages",
    "third_party",
)
SIZE_CHECKED = (*CHECKED, "core", "demo", "cli", "config", "scheduler", "templating")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _module_name(path: Path) -> tuple[str, bool]:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else APP


def _imported(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Every dp_portal module `module` imports, anywhere in it (lazy imports count)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: None if is_package else -1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == "dp_portal"}


def _sources() -> dict[Path, str]:
    return {path: path.read_text() for path in sorted(ROOT.rglob("*.py"))}


def import_graph() -> dict[str, dict[str, set[str]]]:
    """package -> package it imports -> the files that do (a file imports a package when it
    imports any module of it; importing a module of the package's own is not an edge)."""
    known = {_package(_module_name(path)[0]) for path in ROOT.rglob("*.py")}
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path, text in _sources().items():
        module, is_package = _module_name(path)
        source = _package(module)
        for target in _imported(ast.parse(text), module, is_package):
            package = _package(target)
            if package != source and package in known:
                graph[source][package].add(str(path.relative_to(ROOT.parent)))
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Each strongly connected group of two or more packages (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _edges_into(graph, target: str, *, allowed: set[str]) -> list[str]:
    return [
        f"{source} -> {target} ({', '.join(sorted(files))})"
        for source, targets in graph.items()
        for name, files in targets.items()
        if name == target and source not in allowed
    ]


def test_the_import_graph_is_found():
    graph = import_graph()
    assert "third_party" in graph["accounts"]  # a known edge, so an empty graph cannot pass
    assert "core" in graph["payments"]


def test_no_package_imports_another_that_imports_it_back():
    found = cycles(import_graph())
    assert found == [], f"import cycles between packages: {found}"


def test_cycles_are_detected():
    graph = {"a": {"b": set()}, "b": {"c": set()}, "c": {"a": set()}, "d": {"a": set()}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_kernel_imports_no_domain():
    graph = import_graph()
    outside = {
        name: files for name, files in graph["core"].items() if name not in KERNEL_MAY_IMPORT
    }
    assert outside == {}, f"core imports {outside}"


def test_payments_never_imports_monitoring():
    """Monitoring raises recoveries through payments' services, never the other way."""
    assert dict(import_graph()["payments"].get("monitoring", {})) == {}


def test_nothing_but_the_app_factory_imports_reports():
    assert _edges_into(import_graph(), "reports", allowed={APP}) == []


def test_the_kernel_names_no_domain_table():
    """A foreign key in core would tie the kernel to a domain's table: core keeps plain ids
    and the owning package declares the key (auth/models.py, accounts/models.py)."""
    offenders = [
        f"{path.name}: {match}"
        for path, text in _sources().items()
        if path.parent.name == "core"
        for match in re.findall(r"ForeignKey\(\s*[\"'][^\"']+[\"']", text)
    ]
    assert offenders == []


def _views(package: str) -> list[Path]:
    folder = ROOT / package
    return sorted(p for p in folder.glob("*.py") if p.stem == "views" or p.stem.endswith("_views"))


@pytest.mark.parametrize("package", CHECKED)
def test_views_leave_queries_to_services(package):
    """Views parse the request, call a service and render: no session, no query."""
    offenders = []
    for path in _views(package):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\bdb\.|\bselect\(|\bsqlalchemy\b", line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("where", SIZE_CHECKED)
def test_modules_and_functions_stay_small(where):
    too_big = []
    single = ROOT / f"{where}.py"
    paths = [single] if single.exists() else sorted((ROOT / where).rglob("*.py"))
    assert paths, f"nothing found for {where}"
    for path in paths:
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_big.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_big.append(f"{path.name}: {node.name} is {length} lines")
    assert too_big == []
