"""The layers of the package, read from its source (no import runs):

- the rules (every capability package but serving, and the top-level modules) import
  no view: nothing of ``facilitation.ui``, not even inside a function;
- the store imports no rule: ``facilitation.store`` imports only itself and ``errors``;
- the views import no store module but the page handle: ``Store``/``open_store`` from
  ``facilitation.store``, never ``facilitation.store.schema`` or another store module;
- no import cycle among the package's modules at module level (an import inside a
  function or under ``TYPE_CHECKING`` runs later, so it makes no cycle at import time;
  importing ``facilitation.voting.rules`` runs ``facilitation/voting/__init__.py`` first,
  so that edge counts).
"""

# regroup-imports: skip (this file names the new packages on purpose)

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "facilitation"
VIEWS, STORE = "facilitation.ui", "facilitation.store"
NOT_RULES = (
    "facilitation.ui",
    "facilitation.cli",
    "facilitation.exports",
    "facilitation.store",
    "facilitation.serving",
)
PAGE_HANDLE = {"Store", "open_store"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _resolve(dotted: str) -> str | None:
    """The module a dotted name lives in (``facilitation.voting.rules.add_dot`` -> ``...rules``)."""
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


class Import:
    def __init__(self, module: str, names: tuple[str, ...], toplevel: bool, line: int) -> None:
        self.module, self.names, self.toplevel, self.line = module, names, toplevel, line


def imports_of(name: str) -> list[Import]:
    """Every ``facilitation`` import of a module, with whether it runs at import time."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[Import] = []

    def visit(nodes: list[ast.stmt], toplevel: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _within(alias.name, "facilitation"):
                        found.append(Import(alias.name, (), toplevel, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                if _within(module, "facilitation"):
                    names = tuple(a.name for a in node.names)
                    found.append(Import(module, names, toplevel, node.lineno))
            else:
                runs_now = toplevel and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                for field in ("body", "orelse", "finalbody", "handlers"):
                    sub = getattr(node, field, None)
                    if isinstance(sub, list):
                        visit(sub, runs_now)

    visit(ast.parse(path.read_text(encoding="utf-8")).body, True)
    return found


def targets(imp: Import) -> set[str]:
    """The modules an import loads: the module, a submodule named in it, and their packages."""
    loaded = set()
    for dotted in [imp.module] + [f"{imp.module}.{n}" for n in imp.names if f"{imp.module}.{n}" in MODULES]:
        module = _resolve(dotted)
        while module and module != "facilitation":
            loaded.add(module)
            module = module.rpartition(".")[0]
    return loaded


def test_the_rules_import_no_view() -> None:
    rules = [m for m in MODULES if not any(_within(m, p) for p in NOT_RULES)]
    assert "facilitation.voting.rules" in rules and "facilitation.events" in rules
    wrong = [
        f"{m}:{imp.line} imports {imp.module}"
        for m in rules
        for imp in imports_of(m)
        if any(_within(t, VIEWS) for t in targets(imp))
    ]
    assert wrong == []


def test_the_store_imports_no_rule() -> None:
    store = [m for m in MODULES if _within(m, STORE)]
    assert len(store) >= 5
    wrong = [
        f"{m}:{imp.line} imports {imp.module}"
        for m in store
        for imp in imports_of(m)
        if not (_within(imp.module, STORE) or imp.module == "facilitation.errors")
    ]
    assert wrong == []


def test_the_views_import_no_store_module_but_the_page_handle() -> None:
    views = [m for m in MODULES if _within(m, VIEWS)]
    assert len(views) >= 10
    wrong = [
        f"{m}:{imp.line} imports {imp.module} {imp.names}"
        for m in views
        for imp in imports_of(m)
        if _within(imp.module, STORE) and (imp.module != STORE or not set(imp.names) <= PAGE_HANDLE)
    ]
    assert wrong == []


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for m in MODULES:
        for imp in imports_of(m):
            if imp.toplevel:
                # A module's own packages are loaded before it: not an edge of its own making.
                graph.add_edges_from((m, t) for t in targets(imp) if t != m and not _within(m, t))
    return graph


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert graph.has_edge("facilitation.voting.rules", "facilitation.themes")  # the faces count
    cycles = [" -> ".join([*c, c[0]]) for c in nx.simple_cycles(graph)]
    assert cycles == []


@pytest.mark.parametrize(
    ("source", "broken"),
    [
        ("from facilitation.ui.page import Page\n", "the_rules_import_no_view"),
        ("def f():\n    from facilitation.ui import widgets\n", "the_rules_import_no_view"),
        ("from facilitation.voting.rules import add_dot\n", "the_store_imports_no_rule"),
        ("from facilitation.store.schema import EVIDENCE_LEVELS\n", "the_views_import_no_store_module"),
        ("from facilitation.network.rules import record_link\n", "no_import_cycle"),
    ],
)
def test_each_check_catches_its_break(source: str, broken: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each check fails when one line breaks its layer (checked on the source, no file written)."""
    host = {
        "the_rules_import_no_view": "facilitation.themes.records",
        "the_store_imports_no_rule": "facilitation.store.base",
        "the_views_import_no_store_module": "facilitation.ui.widgets",
        "no_import_cycle": "facilitation.network.graph",
    }[broken]
    original = Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        text = original(self, *args, **kwargs)
        return text + "\n" + source if self == MODULES[host] else text

    monkeypatch.setattr(Path, "read_text", read_text)
    check = {
        "the_rules_import_no_view": test_the_rules_import_no_view,
        "the_store_imports_no_rule": test_the_store_imports_no_rule,
        "the_views_import_no_store_module": test_the_views_import_no_store_module_but_the_page_handle,
        "no_import_cycle": test_no_import_cycle,
    }[broken]
    with pytest.raises(AssertionError):
        check()
