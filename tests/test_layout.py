"""The layout's import rules (docs/architecture.md), read from every module's imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "notifications", "flows", "agencies")
APP_COMPOSER = "agencies.app"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, module: str, *, is_package: bool) -> set[str]:
    """Every module this source imports (lazy imports too), except under `if TYPE_CHECKING:`."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from flows.rounds import launch` imports the module flows.rounds.launch.
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def project_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    files = {
        _module_name(path): path
        for package in PACKAGES
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        raw = imports_of(path.read_text(), name, is_package=path.name == "__init__.py")
        graph[name] = {target for target in raw if target in files and target != name}
    return graph


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def broken_rules(graph: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a rule of the layout, as 'importer -> imported: rule'."""
    problems = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            rule = None
            if _within(target, "flows.cli") and not _within(source, "flows.cli"):
                rule = "only flows/cli/ imports flows/cli/"
            elif _within(source, "flows") and not _within(source, "flows.cli"):
                if _within(target, "agencies"):
                    rule = "flows/ outside flows/cli/ never imports agencies/"
            elif _within(source, "models") and not _within(target, "models"):
                rule = "models/ imports only models/"
            elif _within(source, "notifications") and not (
                _within(target, "models") or _within(target, "notifications")
            ):
                rule = "notifications/ imports only models/ and itself"
            if (
                rule is None
                and _within(source, "agencies")
                and source != APP_COMPOSER
                and not _within(target, "agencies.deps")
            ):
                for one, other in (("portal", "api"), ("api", "portal")):
                    if _within(source, f"agencies.{one}") and _within(target, f"agencies.{other}"):
                        rule = "the API and the portal share only agencies/deps.py"
            if rule:
                problems.append(f"{source} -> {target}: {rule}")
    return problems


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def test_every_import_keeps_the_layout_rules() -> None:
    assert broken_rules(project_graph()) == []


def test_no_modules_import_each_other_in_a_cycle() -> None:
    assert import_cycles(project_graph()) == []


def test_one_module_outside_the_portal_and_the_api_composes_the_app() -> None:
    graph = project_graph()
    composers = {
        source
        for source, targets in graph.items()
        if any(_within(t, "agencies.portal") for t in targets)
        and any(_within(t, "agencies.api") for t in targets)
    }
    assert composers == {APP_COMPOSER}


@pytest.mark.parametrize(
    ("path", "source", "rule"),
    [
        ("flows/rounds/extra.py", "from agencies.portal import pages\n", "never imports agencies/"),
        ("models/extra.py", "import flows.rounds.launch\n", "models/ imports only models/"),
        (
            "notifications/extra.py",
            "def f():\n    from flows.rounds import launch\n",
            "notifications/",
        ),
        ("agencies/api/extra.py", "from agencies.portal.pages import render\n", "share only"),
        ("flows/report/extra.py", "from flows.cli.common import console\n", "only flows/cli/"),
    ],
)
def test_a_forbidden_import_is_reported(tmp_path: Path, path: str, source: str, rule: str) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    for module in ("agencies/portal/pages.py", "flows/rounds/launch.py", "flows/cli/common.py"):
        target = tmp_path / module
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("")
    extra = tmp_path / path
    extra.parent.mkdir(parents=True, exist_ok=True)
    extra.write_text(source)
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        problems = broken_rules(project_graph(tmp_path))
    finally:
        ROOT = saved
    assert len(problems) == 1 and rule in problems[0]


def test_an_import_under_type_checking_is_not_an_arrow() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import agencies.deps\n"
    assert "agencies.deps" not in imports_of(source, "flows.x", is_package=False)


def test_a_cycle_of_two_modules_is_found() -> None:
    assert import_cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


IMPORT_RULE = re.compile(r"\b(?:[Mm]ay import|[Ii]mports only|[Ii]mports nothing)\b")


def test_every_package_says_what_lives_there_and_what_it_may_import() -> None:
    silent = []
    for package in PACKAGES:
        for init in sorted((ROOT / package).rglob("__init__.py")):
            doc = ast.get_docstring(ast.parse(init.read_text())) or ""
            if "\n\n" not in doc.strip() or not IMPORT_RULE.search(doc):
                silent.append(str(init.relative_to(ROOT)))
    assert silent == []


def test_portal_routes_take_their_session_and_guards_as_the_annotated_dependencies() -> None:
    by_hand = []
    for path in sorted((ROOT / "agencies" / "portal" / "routes").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            routed = any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                for d in node.decorator_list
            )
            defaults = [*node.args.defaults, *node.args.kw_defaults]
            if routed and any("Depends(db_session)" in ast.unparse(d) for d in defaults if d):
                by_hand.append(f"{path.name}:{node.name}")
    assert by_hand == []
