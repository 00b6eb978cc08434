"""The house plan (README "How the code is laid out"), beyond what import-linter checks.

Each package says what it owns at the top of its ``__init__`` and exports its public names
(``dashboard.lazy``); callers import those names from the package, never from the module that
happens to define them, so a module can be split or renamed inside its package without touching
a caller. The README's diagram names every package and top-level module once.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import dashboard

DASHBOARD = Path(dashboard.__file__).parent
README = DASHBOARD.parent / "README.md"
PACKAGES = sorted(p.name for p in DASHBOARD.iterdir() if (p / "__init__.py").exists())
EXPORTING = [name for name in PACKAGES if hasattr(importlib.import_module(f"dashboard.{name}"), "_PUBLIC")]


def test_every_package_says_what_it_owns_in_at_most_two_lines() -> None:
    for name in PACKAGES:
        doc = ast.get_docstring(ast.parse((DASHBOARD / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc, f"dashboard/{name}/__init__.py: say what the package owns"
        summary = doc.split("\n\n")[0]
        assert len(summary.splitlines()) <= 2, f"dashboard/{name}: {summary!r}"


def test_each_exported_name_is_what_its_module_defines() -> None:
    assert {"store", "ingest", "board", "insights", "accounts"} <= set(EXPORTING)
    for name in EXPORTING:
        package = importlib.import_module(f"dashboard.{name}")
        assert package.__all__ == sorted(package._PUBLIC)
        for public, module in package._PUBLIC.items():
            defined = getattr(importlib.import_module(f"dashboard.{name}.{module}"), public)
            assert getattr(package, public) is defined, f"dashboard.{name}.{public}"


def test_callers_import_public_names_from_the_package_not_its_modules() -> None:
    """``from dashboard.store import import_file``, not ``from dashboard.store.storage import …``.

    Inside a package its modules import each other directly. A name the package cannot export
    stays as it is: store's ``audit`` function shares its module's name.
    """
    packages = {name: importlib.import_module(f"dashboard.{name}") for name in EXPORTING}
    offenders: list[str] = []
    for path in sorted(DASHBOARD.rglob("*.py")):
        inside = path.relative_to(DASHBOARD).parts[0]
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            parts = node.module.split(".")
            if len(parts) != 3 or parts[0] != "dashboard" or parts[1] not in packages or parts[1] == inside:
                continue
            package, module = packages[parts[1]], importlib.import_module(node.module)
            exported = [
                a.name
                for a in node.names
                if a.name in package._PUBLIC and getattr(package, a.name) is getattr(module, a.name)
            ]
            if exported:
                where = path.relative_to(DASHBOARD.parent)
                offenders.append(f"{where}:{node.lineno}: from dashboard.{parts[1]} import {exported}")
    assert offenders == []


def test_the_readme_diagram_names_every_package_and_top_level_module() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("## How the code is laid out", 1)[1].split("```", 2)[1]
    named = set(re.findall(r"\b([a-z0-9_]+)(?:/|\.py)", block))
    modules = {p.stem for p in DASHBOARD.glob("*.py")} - {"__init__", "__main__"}
    assert sorted((set(PACKAGES) | modules) - named) == []
