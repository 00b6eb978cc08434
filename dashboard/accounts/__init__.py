"""Accounts, sessions, roles, the audit trail and wall-screen (kiosk) links.

Passwords and tokens are kept as hashes only.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Public names and the module that defines them; imported on first use so that
# importing the package (the CLI does) stays cheap.
_PUBLIC: dict[str, str] = {
    "MIN_PASSWORD": "auth",
    "MAX_FAILURES": "auth",
    "LOCK_MINUTES": "auth",
    "IDLE_HOURS": "auth",
    "SESSION_COOKIE": "auth",
    "LOGIN_FAILED": "auth",
    "LOGIN_FAILED_EN": "auth",
    "Role": "auth",
    "allows": "auth",
    "AccountError": "auth",
    "UserInfo": "auth",
    "Identity": "auth",
    "Audit": "auth",
    "audit": "auth",
    "list_audit": "auth",
    "check_password": "auth",
    "add_user": "auth",
    "get_user": "auth",
    "list_users": "auth",
    "set_disabled": "auth",
    "set_password": "auth",
    "set_role": "auth",
    "login": "auth",
    "resolve": "auth",
    "logout": "auth",
    "token_from_cookie_header": "auth",
    "identity_from_cookie": "auth",
    "DEMO_ACCOUNTS": "auth",
    "demo_accounts_file": "auth",
    "ensure_demo_accounts": "auth",
    "KioskLink": "kiosk",
    "list_links": "kiosk",
    "create": "kiosk",
    "revoke": "kiosk",
    "check": "kiosk",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
