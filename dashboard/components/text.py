"""Catalogue strings on the staff and admin pages, following the language toggle.

Why on the client: these pages hold per-viewer states (not the boards' shared
per-language views), so both languages go into the page and ``Prefs.is_en``
picks one; the toggle then needs no round trip and keeps typed form values.
"""

from __future__ import annotations

import string

import reflex as rx
from reflex.vars import StringVar

from dashboard import i18n
from dashboard.contract import DATASETS
from dashboard.state.prefs import Prefs


def pieces(text: str) -> list[tuple[str, str | None]]:
    """'有 {n} 处错误' -> [('有 ', 'n'), (' 处错误', None)]: literal text and the field after it."""
    return [(literal, field) for literal, field, _, _ in string.Formatter().parse(text)]


def _filled(text: str, values: dict[str, rx.Var | str | int]) -> rx.Var | str:
    """A catalogue template with its ``{fields}`` taken from Vars (state values)."""
    parts: list[rx.Var | str] = []
    for literal, field in pieces(text):
        parts.append(literal)
        if field is None:
            continue
        value = values[field]
        if not isinstance(value, rx.Var):
            parts.append(str(value))
        else:  # to_string() would JSON-quote a string
            parts.append(value if isinstance(value, StringVar) else value.to_string())
    merged: list[rx.Var | str] = []
    for part in parts:  # adjacent literals joined, empty ones dropped (Reflex renders "" + "" as "()")
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (isinstance(part, str) and part == ""):
            merged.append(part)
    if not merged or all(isinstance(part, str) for part in merged):
        return "".join(str(part) for part in merged)
    out = rx.Var.create(merged[0])
    for part in merged[1:]:
        out = out + part
    return out


def label(key: str, **values: rx.Var | str | int) -> rx.Var:
    """The catalogue string ``key`` in the viewer's language, fields filled from ``values``."""
    if not values:
        return rx.cond(Prefs.is_en, i18n.t(key, "en"), i18n.t(key, "zh"))
    return rx.cond(Prefs.is_en, _filled(i18n.t(key, "en"), values), _filled(i18n.t(key, "zh"), values))


def pick(zh: rx.Var, en: rx.Var) -> rx.Var:
    """A text a state built in both languages (``i18n.both``)."""
    return rx.cond(Prefs.is_en, en, zh)


def dataset_label(code: str) -> rx.Var:
    """A dataset's title (the contract's, in both languages) in the viewer's language."""
    ds = DATASETS[code]
    return rx.cond(Prefs.is_en, ds.title_en, ds.title)


def dataset_title(name: rx.Var) -> rx.Var:
    """A dataset's title from its code (e.g. ``demolition``), unknown codes as they are."""
    return rx.match(name, *((code, dataset_label(code)) for code in DATASETS), name)
