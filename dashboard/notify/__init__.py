"""Leaders are told, not only shown: the daily digest, its channels and delivery, the report as a file.

digest (what changed, language-free) → messages (in zh or en) → channels
(each platform's format, size and signature) → delivery (the once-a-day lease
in the database, retries, the log); document: the weekly report as .docx /
.pdf / .html. Reads insights, store and charts; nothing here imports Reflex.
"""

from __future__ import annotations

from dashboard.lazy import exports

# Public names and the module that defines each (dashboard.lazy: imported on first use).
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
__all__, __getattr__ = exports(__name__, _PUBLIC)
