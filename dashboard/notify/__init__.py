"""Leaders are told, not only shown: the daily digest, its channels and delivery, the report as a file.

digest (what changed, language-free) → messages (in zh or en) → channels
(each platform's format, size and signature) → delivery (the once-a-day lease
in the database, retries, the log); document: the weekly report as .docx /
.pdf / .html. Reads insights, store and charts; nothing here imports Reflex.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Public names and the module that defines them; imported on first use (the CLI starts fast).
_PUBLIC: dict[str, str] = {
    "Digest": "digest",
    "Section": "digest",
    "SECTIONS": "digest",
    "compute": "digest",
    "Message": "messages",
    "render": "messages",
    "Channel": "channels",
    "KINDS": "channels",
    "mask": "channels",
    "mask_url": "channels",
    "parse_webhooks": "channels",
    "pack": "channels",
    "configured": "delivery",
    "run": "delivery",
    "preview": "delivery",
    "test_send": "delivery",
    "due": "delivery",
    "Document": "document",
    "build": "document",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
