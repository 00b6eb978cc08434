"""How a cell's text is read before it is compared: the one normalisation of the contract.

Every cell of an upload goes through it (``ingest.reading.normalise``, vectorised), and so does
every value an account's scope names (:meth:`dashboard.contract.scopes.Scope.parse`), so a scope
typed ``示例社区Ａ`` or `` 示例社区A `` matches the ledger's ``示例社区A``.
"""

from __future__ import annotations

import unicodedata


def normalise_text(value: str) -> str:
    """NFKC then trim: '　９１ ' -> '91' (full-width letters, digits and spaces become half-width)."""
    return unicodedata.normalize("NFKC", value).strip()
