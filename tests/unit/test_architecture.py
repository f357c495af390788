"""The layering, read from the source with `ast` (nothing is imported): the kernel `shared/` knows no service and no
CLI, the services never import the CLI `lapkin/` nor one another, and no module imports another in a circle —
neither between the three top-level packages nor between modules.

For the layering every import counts, also one inside a function (a deferred import is still a dependency). For
circles, the imports a module runs when it is imported (module and class bodies, not function bodies): a deferred
import inside a function is how Python code breaks a circle at import time, and two such remain
(`DEFERRED_CIRCLES`); a circle through deferred imports beyond those fails too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("lapkin", "services", "shared")


def modules() -> dict[str, Path]:
    """Module name → file, for every module of the three packages (migrations are alembic scripts, not modules)."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            if "migrations" in rel.parts:
                continue
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out[".".join(parts)] = path
    return out


def _statements(tree: ast.AST, deferred: bool) -> Iterator[ast.AST]:
    """Every node, or (deferred=False) every node outside function bodies."""
    for child in ast.iter_child_nodes(tree):
        if deferred or not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield child
            yield from _statements(child, deferred)


def imported_names(name: str, path: Path, deferred: bool = True) -> Iterator[str]:
    """Every module name an import statement of this file names (`from a.b import c` yields `a.b.c` and `a.b`)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in _statements(ast.parse(path.read_text(encoding="utf-8")), deferred):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def graph(deferred: bool = True) -> dict[str, set[str]]:
    """Module → the project modules it imports (a name that is no module, `from m import function`, resolves to m);
    deferred=False: only the imports that run when the module is imported."""
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = set()
        for imported in imported_names(name, path, deferred):
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(f"{imported}."):  # not its own package
                targets.add(imported)
        edges[name] = targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def top(module: str) -> str:
    return module.split(".")[0]


def service_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 2 else None


def crossing(source: str, target: str) -> list[str]:
    edges = graph()
    return sorted(f"{m} -> {t}" for m, ts in edges.items() if top(m) == source for t in ts if top(t) == target)


def test_the_kernel_imports_no_service_and_no_cli():
    assert crossing("shared", "services") == []
    assert crossing("shared", "lapkin") == []


def test_no_service_imports_the_cli():
    assert crossing("services", "lapkin") == []


def test_no_service_imports_another_service():
    """A service reaches another only through events and HTTP; what several share lives in the kernel (or, for the
    system as a whole, in services/system.py)."""
    edges = graph()
    found = [
        f"{m} -> {t}"
        for m, ts in edges.items()
        for t in ts
        if service_of(m) and service_of(t) not in (None, service_of(m))
    ]
    assert sorted(found) == []


def test_no_circle_between_the_top_level_packages():
    between = {top(m): {top(t) for t in ts if top(t) != top(m)} for m, ts in graph().items()}
    merged: dict[str, set[str]] = {}
    for package, targets in between.items():
        merged.setdefault(package, set()).update(targets)
    assert cycles(merged) == []


# circles closed only by an import inside a function, in code owned elsewhere: each to be broken by moving what both
# modules need into a third one. Listed so that no new one comes; a fixed one may leave this list.
DEFERRED_CIRCLES: list[list[str]] = []


def test_no_module_imports_another_in_a_circle():
    assert cycles(graph(deferred=False)) == []
    assert [c for c in cycles(graph()) if c not in DEFERRED_CIRCLES] == []


def test_the_checks_see_what_they_forbid():
    """The rules above would fail on a violation: a cycle and a crossing are found in a made-up graph."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert "shared.events.catalogue" not in graph()["shared.events.envelope"]  # versions.py broke that circle
    assert "services.approval.officials" not in graph(deferred=False)["lapkin.cli"]  # imported inside commands only
    assert any(t == "services.approval.officials" for t in graph()["lapkin.cli"])  # deferred imports are read


SERVICE_NAMES = re.compile(r"\b(collector|aggregator|approval|renderer)\b")  # the lower-case words: prose and code
PAYLOAD_FIELDS = re.compile(r"\b(realisasi|indikator|triwulan|tahun|submission_id|draft_id|document_id)\b")
# the event catalogue (the published contract) and the SAKIP vocabulary name the domain; the rest of the kernel not
DOMAIN_PACKAGES = ("shared/events/", "shared/sakip/", "shared/i18n/")  # i18n: the product's words
NAMED_YET: set[str] = set()  # left, with where it goes (none left: the period's name is the vocabulary's Periode)


def kernel_files() -> list[Path]:
    files = sorted((ROOT / "shared").rglob("*.py"))
    return [p for p in files if not str(p.relative_to(ROOT)).startswith(DOMAIN_PACKAGES)]


def test_the_kernel_names_no_service_and_no_payload_field():
    found = []
    for path in kernel_files():
        rel = str(path.relative_to(ROOT))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SERVICE_NAMES.search(line) or (rel not in NAMED_YET and PAYLOAD_FIELDS.search(line)):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []
    assert SERVICE_NAMES.search("see services/renderer/documents.py") and PAYLOAD_FIELDS.search('payload["tahun"]')
