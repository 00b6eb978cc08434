"""How a cell's text is read before it is compared: the one normalisation of the contract.

Every cell of an upload goes through it (``ingest.reading.normalise``, vectorised), and so does
every value an account's scope names (:meth:`dashboard.contract.scopes.Scope.parse`), so a scope
typed ``示例社区Ａ`` or `` 示例社区A `` matches the ledger's ``示例社区A``.
"""

from __future__ import annotations

import unicodedata

# Characters that print as nothing: a zero-width space or joiner, a word joiner, a BOM in mid-text.
# Text pasted from WeChat or a web page carries them; kept, 'ORG-001' and 'ORG-001\u200b' would
# look alike in every message and differ as keys.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalise_text(value: str) -> str:
    """NFKC, invisible characters out, then trim: '　９１\u200b ' -> '91' (full-width letters,
    digits and spaces become half-width)."""
    return unicodedata.normalize("NFKC", value).translate(_INVISIBLE).strip()
