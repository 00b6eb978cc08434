"""A package's public names, imported from their modules on first use (PEP 562).

Each sub-package's ``__init__`` lists its public names and the module defining each, so callers
write ``from dashboard.store import import_file`` whatever module it lives in, and importing the
package (the CLI does, for every command) loads none of its modules until a name is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def exports(package: str, public: dict[str, str]) -> tuple[list[str], Callable[[str], Any]]:
    """``(__all__, __getattr__)`` for ``package``, whose name ``n`` lives in module ``public[n]``."""

    def __getattr__(name: str) -> Any:
        if name in public:
            return getattr(import_module(f"{package}.{public[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return sorted(public), __getattr__
