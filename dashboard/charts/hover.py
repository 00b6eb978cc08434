"""A point's hover label, written on the server from its trace's ``hovertemplate``.

Why: the boards draw their charts as server-side SVG (``charts.static``) with no plotly.js in
the browser, so the label plotly would have shown on hover is written here, once per point,
and carried by the point's mark (``data-tip``). Only what ``dashboard.charts`` writes is
understood: ``%{x}``, ``%{y}``, ``%{customdata[i]}``, ``%{fullData.name}``, ``%{label}``,
``%{value}``, ``%{percent}`` and ``%{text}``, with d3 number formats (``:.1%``, ``:.1~%``,
``:.0f``, ``:,``) and date formats (``|%Y年%-m月%-d日``, ``|%d %b %Y``); ``<br>`` breaks a
line and ``<extra>name</extra>`` becomes the label's first line, as plotly shows it beside.
A token it does not know is left as written, never an error: a label is never worth a board.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

_TOKEN = re.compile(r"%\{([^}:|]+)(?:([:|])([^}]*))?\}")
_D3 = re.compile(r"^(,)?(?:\.(\d+))?(~)?([f%d])?$")
_TAG = re.compile(r"<[^>]+>")
_EXTRA = re.compile(r"<extra>(.*?)</extra>", re.S)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def label(trace: dict[str, Any], index: int, total: float | None = None) -> str:
    """The hover label of point ``index`` of ``trace`` as plain text, lines joined by "\\n"
    ("" when the trace shows none). ``total``: a pie's sum, for ``%{percent}``."""
    if str(trace.get("hoverinfo", "")) in ("skip", "none"):
        return ""
    template = trace.get("hovertemplate")
    if isinstance(template, list):
        template = template[index] if index < len(template) else None
    if not template:
        template = _default(trace)
    extra = ""
    found = _EXTRA.search(template)
    if found:
        extra = _fill(_plain(found.group(1)), trace, index, total)
        template = _EXTRA.sub("", template)
    # plotly's inline HTML in the template (<br>, <b>) is read there; values are shown as typed
    text = _fill(_plain(re.sub(r"<br\s*/?>", "\n", template)), trace, index, total)
    lines = [line.strip() for line in text.split("\n")]
    if extra.strip():
        lines.insert(0, extra.strip())
    return "\n".join(line for line in lines if line)


def _default(trace: dict[str, Any]) -> str:
    """plotly's label when a trace has no template of its own: its name, then the point."""
    if trace.get("type") == "pie":
        return "%{label}<br>%{value}<br>%{percent}"
    head = "%{fullData.name}<br>" if trace.get("name") else ""
    if trace.get("orientation") == "h":
        return head + "%{y}: %{x}"
    return head + "%{x}: %{y}"


def _fill(template: str, trace: dict[str, Any], index: int, total: float | None) -> str:
    def one(m: re.Match[str]) -> str:
        value = _lookup(trace, m.group(1).strip(), index, total)
        if value is _MISSING:
            return m.group(0)
        if m.group(2) == "|":
            return _date(value, m.group(3))
        if m.group(2) == ":":
            return _number(value, m.group(3))
        return _plain_value(value)

    return _TOKEN.sub(one, template)


_MISSING = object()


def _lookup(trace: dict[str, Any], name: str, index: int, total: float | None) -> Any:
    if name == "fullData.name":
        return trace.get("name", "")
    if name == "percent":
        value = _at(trace.get("values"), index)
        if value is _MISSING or not total:
            return _MISSING
        return _PercentOf(float(value) / total)
    key = {"label": "labels", "value": "values"}.get(name, name)
    got = re.fullmatch(r"customdata\[(\d+)\]", key)
    if got:
        row = _at(trace.get("customdata"), index)
        return _MISSING if row is _MISSING else _at(row, int(got.group(1)))
    if key in ("x", "y", "labels", "values", "text"):
        return _at(trace.get(key), index)
    return _MISSING


class _PercentOf(float):
    """A pie slice's share: plotly writes ``%{percent}`` as "12.3%" when it has no format."""


def _at(values: Any, index: int) -> Any:
    if isinstance(values, str | int | float):
        return values  # one value for every point (a trace's text, say)
    if not isinstance(values, list | tuple) or index >= len(values):
        return _MISSING
    return values[index]


def _plain_value(value: Any) -> str:
    if isinstance(value, _PercentOf):
        return _trim(f"{value * 100:.1f}") + "%"
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return _plain_value(int(value))
        return _trim(f"{value:.3f}")
    return str(value)


def _number(value: Any, spec: str) -> str:
    """d3's format for the specs charts use; anything else: the value as plotly would write it."""
    got = _D3.match(spec.strip())
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _plain_value(value)
    if not got or math.isnan(number):
        return _plain_value(value)
    comma, digits, trim, kind = got.groups()
    places = int(digits) if digits is not None else (0 if kind == "d" else 6)
    if kind == "%":
        text = f"{number * 100:,.{places}f}" if comma else f"{number * 100:.{places}f}"
        return (_trim(text) if trim else text) + "%"
    if kind in ("f", "d") or digits is not None:
        text = f"{number:,.{places}f}" if comma else f"{number:.{places}f}"
        return _trim(text) if trim else text
    if comma:
        return f"{int(number):,}" if number.is_integer() else _trim(f"{number:,.3f}")
    return _plain_value(value)


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _date(value: Any, fmt: str) -> str:
    when = as_datetime(value)
    if when is None:
        return _plain_value(value)
    # %-m / %-d (no leading zero) are glibc's; written out here so any platform reads them alike
    fmt = fmt.replace("%-m", str(when.month)).replace("%-d", str(when.day))
    return when.strftime(fmt)


def as_datetime(value: Any) -> datetime | None:
    """A figure's date (an ISO date or datetime string, epoch milliseconds, a date) as a naive
    datetime, None if it is none: the drawing's date axes (``static``) read their values here too."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (_EPOCH + timedelta(milliseconds=float(value))).replace(tzinfo=None)
    text = str(value).replace("T", " ")
    try:
        return datetime.fromisoformat(text[:19] if len(text) > 10 else text[:10]).replace(tzinfo=None)
    except ValueError:
        return None


def _plain(template: str) -> str:
    """A template without plotly's inline HTML (<b>, <i>, <span>) and its entities."""
    return _TAG.sub("", template).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
