"""Accounts, sessions, roles, the audit trail and wall-screen (kiosk) links.

Passwords and tokens are kept as hashes only.
"""

from __future__ import annotations

from dashboard.lazy import exports

# Public names and the module that defines each (dashboard.lazy: imported on first use).
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
    "open_round": "auth",
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
__all__, __getattr__ = exports(__name__, _PUBLIC)
