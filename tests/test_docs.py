"""The README documents every command and setting (after datasette's tests/test_docs.py).

A new subcommand, option or environment variable fails here until README.md shows it: in a
command line (``python -m dashboard <command> … --option``) or in the Configuration table.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

import dashboard
from dashboard.cli import build_parser

DASHBOARD = Path(dashboard.__file__).parent
README = (DASHBOARD.parent / "README.md").read_text(encoding="utf-8")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


COMMANDS = _subcommands(build_parser())


def _usage(command: str) -> str:
    """README's lines running ``command``, each with the indented ``[--option …]`` lines under it."""
    found: list[str] = []
    lines = README.splitlines()
    for i, line in enumerate(lines):
        if re.search(rf"dashboard {command}\b", line):
            found.append(line)
            for more in lines[i + 1 :]:
                if not more.lstrip().startswith("["):
                    break
                found.append(more)
    return "\n".join(found)


def _options(parser: argparse.ArgumentParser) -> list[list[str]]:
    """Each optional argument's spellings (``-o``, ``--output``), --help aside."""
    return [
        a.option_strings for a in parser._actions if a.option_strings and "--help" not in a.option_strings
    ]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_and_its_options_are_in_the_readme(command: str) -> None:
    usage = _usage(command)
    assert usage, f"README.md: show `python -m dashboard {command} …`"
    parser = COMMANDS[command]
    missing = [spellings[-1] for spellings in _options(parser) if not any(o in usage for o in spellings)]
    for action, sub in _subcommands(parser).items():  # users add|list…, audit verify
        if not re.search(rf"\b{action}\b", usage):
            missing.append(action)
        missing += [f"{action} {s[-1]}" for s in _options(sub) if not any(o in usage for o in s)]
    assert missing == [], f"README.md: document `{command}` {missing}"


def _variables() -> set[str]:
    """DASHBOARD_* names the app reads (benchmarks' own knobs aside) and what settings.py reads."""
    found: set[str] = set()
    for path in DASHBOARD.rglob("*.py"):
        if "bench" not in path.relative_to(DASHBOARD).parts:
            found |= set(re.findall(r"""["'](DASHBOARD_[A-Z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    settings = (DASHBOARD / "settings.py").read_text(encoding="utf-8")
    return found | set(re.findall(r"""environ\.get\(\s*["']([A-Z0-9_]+)["']""", settings))


def test_every_environment_variable_is_in_the_readme() -> None:
    variables = _variables()
    assert {"DASHBOARD_DB_URL", "REDIS_URL", "DASHBOARD_RHYTHM_DAYS"} <= variables  # the scan works
    assert sorted(v for v in variables if f"`{v}`" not in README) == []
