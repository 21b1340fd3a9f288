"""The architecture's import rules (docs/architecture.md, "Layers"), checked on the source.

``make lint`` runs import-linter on the packages (``[tool.importlinter]`` in pyproject.toml);
import-linter cannot take the top-level modules (``app``, ``runtime``, ``errors``, ``i18n``)
as sources, so their rules are here, with the rule no contract can state: no import cycle
between the top-level units.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = (
    "app", "runtime", "errors", "i18n", "openapi", "loyalty", "webhooks", "hooks", "jobs",
    "admin", "widgets", "devtools", "migrations",
)  # fmt: skip
"""Klubb's top-level modules and packages (tests/ and bench/ sit above them all)."""


def _sources(unit: str) -> list[Path]:
    path = ROOT / unit
    return sorted(path.rglob("*.py")) if path.is_dir() else [ROOT / f"{unit}.py"]


def imports_of(path: Path) -> Iterator[tuple[str, ast.AST]]:
    """Every module the file imports (deferred imports inside functions included)."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node


def top_level_imports(unit: str) -> set[str]:
    """The other top-level units that ``unit`` imports anywhere."""
    found = set()
    for path in _sources(unit):
        for module, _ in imports_of(path):
            root = module.split(".")[0]
            if root in UNITS and root != unit:
                found.add(root)
    return found


def test_no_import_cycle_between_top_level_units() -> None:
    """Imports point one way between app, the adapters, jobs, runtime and the domain."""
    graph = {unit: top_level_imports(unit) for unit in UNITS}
    # the dev command (app.py's ``dev``) starts devtools, and devtools is given create_app
    graph["app"].discard("devtools")

    def cycle_from(unit: str, path: list[str]) -> list[str] | None:
        for nxt in sorted(graph[unit]):
            if nxt in path:
                return [*path[path.index(nxt) :], nxt]
            found = cycle_from(nxt, [*path, nxt])
            if found:
                return found
        return None

    cycles = [c for unit in UNITS if (c := cycle_from(unit, [unit]))]
    assert cycles == []


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        # runtime.py sits below jobs/ and beside nothing of the web: the worker builds it alone.
        ("runtime", {"flask", "flask_babel", "werkzeug", "app", "errors", "i18n", "admin",
                     "widgets", "webhooks", "hooks", "jobs", "devtools", "tests"}),
        ("errors", {"app", "admin", "widgets", "webhooks", "hooks", "jobs", "devtools", "tests"}),
        ("i18n", {"app", "admin", "widgets", "webhooks", "hooks", "jobs", "devtools", "tests"}),
        ("app", {"tests"}),
    ],
)  # fmt: skip
def test_top_level_modules_import_only_what_lies_below_them(
    module: str, forbidden: set[str]
) -> None:
    """The contracts import-linter cannot check on a module that is not a package."""
    imported = {name.split(".")[0] for name, _ in imports_of(ROOT / f"{module}.py")}
    assert imported & forbidden == set()


def test_only_the_dev_command_imports_devtools_from_app() -> None:
    """``app`` imports devtools only inside the ``dev`` command's function, when it runs."""
    tree = ast.parse((ROOT / "app.py").read_text())
    dev = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "dev"]
    assert len(dev) == 1
    lines = range(dev[0].lineno, (dev[0].end_lineno or dev[0].lineno) + 1)
    outside = [
        name
        for name, node in imports_of(ROOT / "app.py")
        if name.split(".")[0] == "devtools" and getattr(node, "lineno", 0) not in lines
    ]
    assert outside == []


def test_nothing_but_tests_bench_and_devtools_imports_tests_or_devtools() -> None:
    """The issue's grep, as a test: production code never depends on the tests folder."""
    offenders = []
    for unit in UNITS:
        if unit == "devtools":
            continue
        for path in _sources(unit):
            for name, _ in imports_of(path):
                root = name.split(".")[0]
                if root == "tests" or (root == "devtools" and path.name != "app.py"):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


@pytest.mark.slow
def test_a_contract_broken_on_purpose_fails_lint_imports(tmp_path: Path) -> None:
    """A domain module that imports Flask makes ``lint-imports`` (run by ``make lint``) fail."""
    copy = tmp_path / "klubb"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "instance", "*.pyc"),
    )
    lint = [str(Path(sys.executable).with_name("lint-imports"))]
    kept = subprocess.run(
        lint, cwd=copy, capture_output=True, text=True, env={"PYTHONPATH": str(copy)}
    )
    assert kept.returncode == 0, kept.stdout[-2000:]
    (copy / "loyalty" / "core" / "probe.py").write_text("from flask import current_app\n")
    broken = subprocess.run(
        lint, cwd=copy, capture_output=True, text=True, env={"PYTHONPATH": str(copy)}
    )
    assert broken.returncode != 0
    assert "loyalty.core.probe -> flask" in broken.stdout
