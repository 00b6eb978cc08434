"""Where digests go: group robots (企业微信, 钉钉, 飞书), a generic JSON webhook, email.

Each robot gets its platform's documented format, signed when it has a
secret, and cut to its size limit: lines are packed into at most MAX_PARTS
messages; what still does not fit is dropped from the end with a line
"…另有 N 条，详见看板" linking to the dashboard. A part is measured as it is
sent (飞书: with ``timestamp`` and ``sign``), within its limit less MARGIN.
Text put into markdown (ledger titles, names, notes) is shown as typed, never
read as markup (:func:`md_text`).

- 企业微信 group robot: ``{"msgtype": "markdown", "markdown": {"content": ...}}``,
  content at most 4096 bytes; the reply is ``{"errcode": 0, "errmsg": "ok"}``.
- 钉钉 custom robot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``,
  at most 20000 bytes; with a secret the URL gets ``&timestamp=<ms>&sign=<s>``,
  s = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{ms}\\n{secret}"))); reply errcode 0.
- 飞书 custom bot: ``{"msg_type": "post", "content": {"post": {"zh_cn": {"title",
  "content": [[{"tag": "text"|"a", ...}], ...]}}}}``, body at most 20 KB; with a
  secret the body gets ``timestamp`` (seconds) and ``sign`` =
  base64(HMAC-SHA256(key=f"{ts}\\n{secret}", msg=b"")); reply ``code`` 0 (older: ``StatusCode`` 0).
- json (ours): ``{"type": "dashboard.digest", "version": 1, "title", "lang", "text",
  "lines": [{"kind", "text", "href", "level"}], "digest": {...codes, numbers, dates...}}``;
  with a secret, header ``X-Dashboard-Timestamp: <s>`` and ``X-Dashboard-Signature:
  sha256=<hex HMAC-SHA256(key=secret, msg=f"{ts}.{body}")>``; any 2xx reply is delivered.
- email: SMTP (``smtps://`` = TLS from the start, ``smtp://`` upgrades with STARTTLS when
  offered), an HTML body and, on the report day, the weekly report attached.

Secrets (robot tokens in URLs, signing secrets, SMTP passwords) never leave
this module except as :func:`mask` shows them: "…ab12".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import logging
import smtplib
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx

from dashboard import i18n
from dashboard.notify.messages import Line, Message

# httpx logs every request's full URL at INFO, and a robot's URL is its credential
# (key=..., access_token=...): only warnings from it reach the server's log.
logging.getLogger("httpx").setLevel(logging.WARNING)

WEBHOOK_KINDS: tuple[str, ...] = ("wecom", "dingtalk", "feishu", "json")
KINDS: tuple[str, ...] = (*WEBHOOK_KINDS, "email")
# Size limits in bytes: what each platform measures (wecom: the markdown content, UTF-8; the others:
# the request body as sent, signature included).
LIMITS: dict[str, int] = {"wecom": 4096, "dingtalk": 20000, "feishu": 20 * 1024, "json": 1024 * 1024}
# Room left under each limit: a part is packed to at most LIMITS - MARGIN bytes as measured.
MARGIN: dict[str, int] = {"wecom": 0, "dingtalk": 256, "feishu": 256, "json": 0}
MAX_PARTS = 3
TIMEOUT_SECONDS = 10.0

# Reply codes that say what to do (the platforms' documented codes). Refused: the address, the
# signature or the robot's settings are wrong, and sending again changes nothing. Rate limited:
# the robot takes about 20 messages a minute; send again in the next minute.
REFUSED_CODES: dict[str, frozenset[int]] = {
    "wecom": frozenset({93000}),  # invalid webhook url (key)
    "dingtalk": frozenset({300001, 310000}),  # token / keyword missing; sign mismatch, IP not allowed
    "feishu": frozenset({9499, 19021, 19022, 19024}),  # bad request; sign; IP; keyword
}
RATE_LIMITED_CODES: dict[str, frozenset[int]] = {
    "wecom": frozenset({45009}),
    "dingtalk": frozenset({130101}),
    "feishu": frozenset({11232}),
}

Row = tuple[str, Line]  # (intro | heading | line | outro, line)


@dataclass(frozen=True)
class Channel:
    """One destination; ``key`` names it in the delivery log and lease without any secret."""

    kind: str
    target: str  # the robot's address, or the SMTP URL
    secret: str = ""
    recipients: tuple[str, ...] = ()
    label: str = ""
    source: str = "env"  # env | admin (set on /notify)
    id: int | None = None

    @property
    def key(self) -> str:
        digest = hashlib.sha256(f"{self.kind}|{self.target}|{','.join(self.recipients)}".encode()).hexdigest()
        return f"{self.kind}:{digest[:12]}"

    @property
    def masked(self) -> str:
        shown = mask_url(self.target)
        if self.recipients:
            shown += " → " + ", ".join(self.recipients)
        return shown


@dataclass(frozen=True)
class Problem:
    """A configuration mistake: an id a test asserts on, and the entry it is about (masked)."""

    id: str
    entry: str


# Outcome.failure: what a failed send means for sending it again.
TRANSIENT = "transient"  # not delivered (refused connection, HTTP 5xx, an unknown error code): retry
RATE_LIMITED = "rate_limited"  # the robot's per-minute limit: retry in the next minute
REFUSED = "refused"  # the platform refused it as configured (bad key, signature, keyword, 3xx/4xx)
MAYBE_DELIVERED = "maybe_delivered"  # sent, but no answer (read timeout, reset): it may have arrived


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""  # why not, for the delivery log ("HTTP 500", "timeout", "errcode 93000 ...")
    failure: str = ""  # "" when ok, else TRANSIENT | RATE_LIMITED | REFUSED | MAYBE_DELIVERED

    @property
    def retry_now(self) -> bool:
        """Whether sending it again within this run can help and cannot duplicate it."""
        return not self.ok and self.failure in (TRANSIENT, RATE_LIMITED)


# ---------------------------------------------------------------------------
# masking and configuration


def mask(secret: str) -> str:
    """'SEC1234567890ab12' -> '…ab12': enough to tell two secrets apart, never enough to use one."""
    return "…" + secret[-4:] if secret else ""


def mask_url(url: str) -> str:
    """An address with its credentials masked: query values, long path tokens, passwords.

    Never raises: it names channels in logs and error messages, also those whose address is
    wrong (a port out of range is shown as typed); what it cannot read at all is ``mask(url)``.
    """
    try:
        return _mask_url(url)
    except ValueError:
        return mask(str(url))


def _port_text(p: urllib.parse.SplitResult) -> str:
    try:
        return str(p.port or "")
    except ValueError:  # out of range or not a number: shown as typed when it is digits
        raw = p.netloc.rpartition("@")[2].rpartition(":")[2]
        return raw if raw.isascii() and raw.isdigit() and len(raw) <= 12 else mask(raw)


def _mask_url(url: str) -> str:
    p = urllib.parse.urlsplit(url)
    host = p.hostname or ""
    port = _port_text(p)
    if port:
        host += f":{port}"
    if p.username:
        host = f"{urllib.parse.unquote(p.username)}@{host}"  # the password is dropped, not masked
    path = "/".join(mask(seg) if len(seg) >= 16 else seg for seg in p.path.split("/"))
    query = "&".join(
        f"{k}={mask(v)}" for k, v in urllib.parse.parse_qsl(p.query, keep_blank_values=True) if k != "from"
    )
    return urllib.parse.urlunsplit((p.scheme, host, path, query, ""))


def url_problem(url: str, schemes: Sequence[str]) -> str:
    """What is wrong with an address a channel sends to: "" (nothing), "scheme" (not one of
    ``schemes``, or no host), or "port" (not a number from 1 to 65535)."""
    try:
        p = urllib.parse.urlsplit(url)
    except ValueError:
        return "scheme"
    if p.scheme not in schemes or not p.hostname:
        return "scheme"
    hostport = p.netloc.rpartition("@")[2].rpartition("]")[2]  # after an IPv6 address's brackets
    raw_port = hostport.rpartition(":")[2] if ":" in hostport else ""
    try:
        port = p.port
    except ValueError:
        return "port"
    if port == 0 or (raw_port and not (raw_port.isascii() and raw_port.isdigit())):
        return "port"
    if p.scheme in ("http", "https"):
        try:
            httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            return "scheme"
    return ""


def parse_webhooks(raw: str) -> tuple[list[Channel], list[Problem]]:
    """DASHBOARD_WEBHOOKS ('wecom=https://…,dingtalk=https://…|SEC…') -> channels and problems."""
    channels: list[Channel] = []
    problems: list[Problem] = []
    for entry in (e.strip() for e in raw.split(",")):
        if not entry:
            continue
        kind, eq, rest = entry.partition("=")
        url, _, secret = rest.partition("|")
        kind, url, secret = kind.strip().lower(), url.strip(), secret.strip()
        wrong = url_problem(url, ("http", "https"))
        if not eq or kind not in WEBHOOK_KINDS:
            problems.append(Problem("notify.webhook_kind", mask_url(url) or kind))
        elif wrong == "port":  # named as configured, kind and address, so the admin finds the entry
            problems.append(Problem("notify.webhook_port", f"{kind}={mask_url(url)}"))
        elif wrong:
            problems.append(Problem("notify.webhook_url", mask_url(url)))
        else:
            channels.append(Channel(kind=kind, target=url, secret=secret))
    return channels, problems


def email_channel(smtp_url: str, recipients: Sequence[str]) -> tuple[list[Channel], list[Problem]]:
    """DASHBOARD_SMTP_URL + DASHBOARD_DIGEST_EMAIL -> the email channel (none if either is unset)."""
    if not smtp_url and not recipients:
        return [], []
    if not smtp_url or not recipients:
        return [], [Problem("notify.email_incomplete", mask_url(smtp_url))]
    wrong = url_problem(smtp_url, ("smtp", "smtps"))
    if wrong == "port":
        return [], [Problem("notify.smtp_port", mask_url(smtp_url))]
    if wrong:
        return [], [Problem("notify.smtp_url", mask_url(smtp_url))]
    return [Channel(kind="email", target=smtp_url, recipients=tuple(recipients))], []


_DEFAULT_PORTS = {"https": 443, "http": 80, "smtps": 465, "smtp": 25}


def reach(channel: Channel, timeout: float = 3.0) -> str:
    """'' when this server can open a connection to the channel's host, else why not (host:port and
    the system's reason). Nothing is sent. The senders connect directly (no proxy from the
    environment), so this does too: on an intranet, the internet's robots are usually out of reach."""
    parts = urllib.parse.urlsplit(channel.target)
    host, port = parts.hostname or "", parts.port or _DEFAULT_PORTS.get(parts.scheme, 443)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return f"{host}:{port} ({exc.strerror or type(exc).__name__})"
    return ""


# ---------------------------------------------------------------------------
# platform formats


# Characters 企业微信 / 钉钉 markdown may read as markup, shown instead as their full-width forms,
# which read the same ("(" and "!" only matter next to "[", which never stays). Neither platform
# documents backslash escapes: a backslash could show as typed and leave the link working.
_MD_PLAIN = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "\\[]*_#<>`~|"})
_MD_LEADING = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "-+="})  # list items, setext headings


def md_text(text: str) -> str:
    """Text (a ledger title, a name, a note) as it reads in markdown: as typed, on one line.

    Line breaks inside a cell (Alt+Enter) become spaces, so they cannot start a heading or a
    quote; characters that markdown reads as links, emphasis, headings, quotes, code or tags
    are shown as their full-width forms. The message's own markup is added around it.
    """
    one_line = " ".join(part.strip() for part in text.splitlines() if part.strip())
    plain = one_line.translate(_MD_PLAIN)
    return plain[:1].translate(_MD_LEADING) + plain[1:]


def _md_href(href: str) -> str:
    """A link target that cannot end the markdown link early (our own addresses, ids inside)."""
    return "".join(urllib.parse.quote(c, safe="") if c in ' ()<>[]\n\r"' else c for c in href)


def _md_line(kind: str, line: Line) -> str:
    text = md_text(line.text)
    if line.href:
        text = f"[{text}]({_md_href(line.href)})"
    if kind == "wecom" and line.level:
        text = f'<font color="{"warning" if line.level == "red" else "comment"}">{text}</font>'
    return text


def _markdown(kind: str, title: str, rows: Sequence[Row]) -> str:
    out = [f"## {md_text(title)}" if kind == "wecom" else f"#### {md_text(title)}"]
    for tag, line in rows:
        if tag == "heading":
            out.append(f"**{md_text(line.text)}**")
        elif tag == "intro":
            out.append(f"> {md_text(line.text)}")
        else:
            out.append(_md_line(kind, line))
    # DingTalk's markdown needs blank lines between paragraphs; WeCom keeps single newlines.
    return ("\n" if kind == "wecom" else "\n\n").join(out)


def _feishu_paragraph(tag: str, line: Line) -> list[dict[str, str]]:
    if line.href:
        return [{"tag": "a", "text": line.text, "href": line.href}]
    return [{"tag": "text", "text": f"【{line.text}】" if tag == "heading" else line.text}]


def body(
    channel: Channel, title: str, rows: Sequence[Row], lang: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """The JSON body ``channel`` is sent for one part (before signing)."""
    if channel.kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": _markdown("wecom", title, rows)}}
    if channel.kind == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": _markdown("dingtalk", title, rows)},
        }
    if channel.kind == "feishu":
        locale = "zh_cn" if lang == "zh" else "en_us"
        content = [_feishu_paragraph(tag, line) for tag, line in rows]
        return {"msg_type": "post", "content": {"post": {locale: {"title": title, "content": content}}}}
    text = "\n".join([title, *(f"{x.text} {x.href}".strip() for _, x in rows)])
    return {
        "type": extra.get("type", "dashboard.digest"),
        "version": 1,
        "title": title,
        "lang": lang,
        "text": text,
        "lines": [{"kind": tag, "text": x.text, "href": x.href, "level": x.level} for tag, x in rows],
        **{k: v for k, v in extra.items() if k != "type"},
    }


def measured(channel: Channel, payload: dict[str, Any]) -> int:
    """Bytes as the platform counts them against its limit: 企业微信 the markdown content (UTF-8),
    the others the request body exactly as :func:`post` sends it (飞书: signed)."""
    if channel.kind == "wecom":
        return len(payload["markdown"]["content"].encode())
    return len(wire(channel, payload)[1])


def budget(channel: Channel) -> int:
    """The most bytes a part may measure: the platform's limit less the margin."""
    return LIMITS[channel.kind] - MARGIN[channel.kind]


def _fit(text: str, ok: Callable[[str], bool]) -> str:
    """The longest prefix of ``text`` (with '…') that ``ok`` accepts."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(text[:mid] + "…"):
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


def _cut(row: Row, fits: Callable[[Row], bool]) -> Row:
    tag, line = row
    text = _fit(line.text, lambda t: fits((tag, Line(t, line.href, line.level))))
    return (tag, Line(text, line.href, line.level))


def pack(channel: Channel, msg: Message, extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The message as at most MAX_PARTS bodies, each within the platform's limit.

    What does not fit in MAX_PARTS is dropped from the end of the last part and
    replaced by "…另有 N 条，详见看板" linking to the dashboard, so a leader
    always sees the first (most severe, newest) lines and knows more exist.
    """
    extra = extra or {}
    limit = budget(channel)
    reserve = msg.title + i18n.t("notify.part", msg.lang, i=9, n=9)

    def size(rows: Sequence[Row], title: str = reserve) -> int:
        return measured(channel, body(channel, title, rows, msg.lang, extra))

    parts: list[list[Row]] = [[]]
    for row in msg.lines():
        if size([*parts[-1], row]) <= limit:
            parts[-1].append(row)
            continue
        if size([row]) > limit:  # one line alone too long: cut its text
            row = _cut(row, lambda r: size([r]) <= limit)
        parts.append([row])
    if parts and not parts[0]:
        parts.pop(0)
    if len(parts) > MAX_PARTS:
        dropped = sum(1 for p in parts[MAX_PARTS:] for tag, _ in p if tag == "line")
        last = parts[MAX_PARTS - 1]
        parts = parts[:MAX_PARTS]

        def more() -> Row:
            return ("outro", Line(i18n.t("notify.more", msg.lang, n=dropped), href=msg.link))

        while last and size([*last, more()]) > limit:
            tag, _ = last.pop()
            dropped += tag == "line"
        last.append(more())
    n = len(parts)
    titles = [msg.title + (i18n.t("notify.part", msg.lang, i=i + 1, n=n) if n > 1 else "") for i in range(n)]
    return [
        body(channel, t, rows, msg.lang, {**extra, "part": i + 1, "parts": n})
        for i, (t, rows) in enumerate(zip(titles, parts, strict=True))
    ]


# ---------------------------------------------------------------------------
# signing and sending


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉: urlencode(base64(HMAC-SHA256(key=secret, msg="<ms>\\n<secret>")))."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(mac).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书: base64(HMAC-SHA256(key="<s>\\n<secret>", msg=b""))."""
    mac = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def json_sign(secret: str, timestamp_s: int, raw: bytes) -> str:
    """Ours: hex HMAC-SHA256(key=secret, msg="<s>." + body)."""
    return hmac.new(secret.encode(), f"{timestamp_s}.".encode() + raw, hashlib.sha256).hexdigest()


def scrub(text: str, channel: Channel, limit: int | None = 300) -> str:
    """An error text (or a traceback) with the channel's address and secret replaced by their masks."""
    for raw, shown in ((channel.target, mask_url(channel.target)), (channel.secret, mask(channel.secret))):
        if raw:
            text = text.replace(raw, shown)
    return text[:limit]


def _reply_code(response: httpx.Response) -> tuple[Any, str] | None:
    """(code, message) of the platform's JSON reply; None when the reply is not a JSON object."""
    try:
        reply = response.json()
    except ValueError:
        return None
    if not isinstance(reply, dict):
        return None
    if "code" in reply or "StatusCode" in reply:  # 飞书 (its HTTP 4xx answers too)
        message = reply.get("msg", reply.get("StatusMessage"))
        return reply.get("code", reply.get("StatusCode")), str(message or "")
    return reply.get("errcode"), str(reply.get("errmsg", ""))


def _reply_outcome(channel: Channel, response: httpx.Response) -> Outcome:
    """Whether the platform took the message; if not, why (its own code and message) and what now."""
    status = response.status_code
    if channel.kind == "json" and 200 <= status < 300:
        return Outcome(True)
    found = _reply_code(response)
    said = f"errcode {found[0]}: {found[1]}" if found and found[0] is not None else ""
    if not 200 <= status < 300:
        reason = f"HTTP {status}" + (f" · {said}" if said else "")
    elif found is None:
        reason = "reply is not JSON"
    elif found[0] == 0:
        return Outcome(True)
    else:
        reason = said or "reply has no error code"
    code = found[0] if found else None
    reason = scrub(reason, channel)
    if status == 429 or code in RATE_LIMITED_CODES.get(channel.kind, ()):
        return Outcome(False, reason, RATE_LIMITED)
    if code in REFUSED_CODES.get(channel.kind, ()) or (300 <= status < 500 and status != 408):
        return Outcome(False, reason, REFUSED)  # a wrong key, signature or keyword; a redirect; a 4xx
    return Outcome(False, reason, TRANSIENT)


def wire(
    channel: Channel, payload: dict[str, Any], now: float | None = None
) -> tuple[str, bytes, dict[str, str]]:
    """The request as sent: address, body and headers, signed when the channel has a secret."""
    now = time.time() if now is None else now
    url = channel.target
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if channel.secret and channel.kind == "dingtalk":
        ms = int(now * 1000)
        url += ("&" if "?" in url else "?") + f"timestamp={ms}&sign={dingtalk_sign(channel.secret, ms)}"
    elif channel.secret and channel.kind == "feishu":
        ts = int(now)
        payload = {"timestamp": str(ts), "sign": feishu_sign(channel.secret, ts), **payload}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    if channel.secret and channel.kind == "json":
        ts = int(now)
        headers["X-Dashboard-Timestamp"] = str(ts)
        headers["X-Dashboard-Signature"] = "sha256=" + json_sign(channel.secret, ts, raw)
    return url, raw, headers


# httpx errors raised before the request was written out: nothing reached the robot, sending
# again cannot duplicate it. Any other transport error (read timeout, reset, closed without an
# answer) may come after the robot took the message.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,  # the body was not written out whole: the robot cannot have read it
    httpx.WriteTimeout,
    httpx.LocalProtocolError,
    httpx.ProxyError,
)


def post(channel: Channel, payload: dict[str, Any], timeout: float = TIMEOUT_SECONDS) -> Outcome:
    """Send one body to a robot; an HTTP error, a timeout or an error code in the reply is a failure,
    classified (:class:`Outcome`) so the caller knows whether sending again is safe and useful."""
    wrong = url_problem(channel.target, ("http", "https"))
    if wrong:  # stored before addresses were checked: httpx would even wrap a port out of range
        return Outcome(False, f"invalid address ({wrong})", REFUSED)
    try:
        url, raw, headers = wire(channel, payload)
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            response = client.post(url, content=raw, headers=headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
        return Outcome(False, scrub(f"invalid address: {type(exc).__name__}", channel), REFUSED)
    except httpx.ConnectTimeout:
        return Outcome(False, "connect timeout", TRANSIENT)
    except _NOT_SENT as exc:
        return Outcome(False, scrub(f"{type(exc).__name__}: {exc}", channel), TRANSIENT)
    except httpx.TimeoutException:
        return Outcome(False, "timeout after sending", MAYBE_DELIVERED)
    except httpx.HTTPError as exc:
        reason = scrub(f"{type(exc).__name__} after sending: {exc}", channel)
        return Outcome(False, reason, MAYBE_DELIVERED)
    return _reply_outcome(channel, response)


# ---------------------------------------------------------------------------
# email


@dataclass
class Attachment:
    name: str
    content: bytes
    mime: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Smtp:
    """DASHBOARD_SMTP_URL read apart: smtp[s]://user:password@host:port?from=sender."""

    tls: bool
    host: str
    port: int
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""

    @classmethod
    def parse(cls, url: str) -> Smtp:
        p = urllib.parse.urlsplit(url)
        tls = p.scheme == "smtps"
        user = urllib.parse.unquote(p.username or "")
        query = dict(urllib.parse.parse_qsl(p.query))
        sender = query.get("from") or (user if "@" in user else f"dashboard@{p.hostname or 'localhost'}")
        return cls(
            tls=tls,
            host=p.hostname or "localhost",
            port=p.port or (465 if tls else 25),
            user=user,
            password=urllib.parse.unquote(p.password or ""),
            sender=sender,
        )


def email_html(msg: Message) -> str:
    """The digest as a small HTML page (inline styles: mail clients drop style sheets)."""
    colour = {"red": "#c8102e", "yellow": "#b7791f"}
    out = [f'<h2 style="color:#c8102e">{html.escape(msg.title)}</h2>']
    for tag, line in msg.lines():
        text = html.escape(line.text)
        if line.href:
            text = f'<a href="{html.escape(line.href, quote=True)}">{text}</a>'
        if tag == "heading":
            out.append(f"<h3>{text}</h3>")
        else:
            style = f' style="color:{colour[line.level]}"' if line.level in colour else ""
            out.append(f"<p{style}>{text}</p>")
    lang = "zh-CN" if msg.lang == "zh" else "en"
    return f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><body>{"".join(out)}</body></html>'


def send_email(
    channel: Channel,
    msg: Message,
    attachments: Sequence[Attachment] = (),
    timeout: float = TIMEOUT_SECONDS,
) -> Outcome:
    """One email with the digest as HTML (plain text beside it) and any attachments."""
    try:
        smtp = Smtp.parse(channel.target)
    except ValueError:  # a port out of range: configuration refuses it, this is the last guard
        return Outcome(False, "invalid address", REFUSED)
    mail = EmailMessage()
    mail["Subject"] = msg.title
    mail["From"] = smtp.sender
    mail["To"] = ", ".join(channel.recipients)
    mail.set_content(msg.plain())
    mail.add_alternative(email_html(msg), subtype="html")
    for a in attachments:
        main, _, sub = a.mime.partition("/")
        mail.add_attachment(a.content, maintype=main, subtype=sub, filename=a.name)
    sending = False  # once the message is handed over, a lost answer may follow its delivery
    try:
        factory = smtplib.SMTP_SSL if smtp.tls else smtplib.SMTP
        with factory(smtp.host, smtp.port, timeout=timeout) as server:
            if not smtp.tls:
                server.ehlo()
                if server.has_extn("starttls"):
                    server.starttls(context=ssl.create_default_context())
                    server.ehlo()
            if smtp.user:
                server.login(smtp.user, smtp.password)
            sending = True
            refused = server.send_message(mail)
    except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
        reason = "timeout" if isinstance(exc, TimeoutError) else "SMTP disconnected"
        return Outcome(False, reason, MAYBE_DELIVERED if sending else TRANSIENT)
    except (smtplib.SMTPAuthenticationError, smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        return Outcome(False, scrub(f"{type(exc).__name__}: {exc}", channel), REFUSED)
    except (OSError, smtplib.SMTPException) as exc:
        failure = MAYBE_DELIVERED if sending and isinstance(exc, OSError) else TRANSIENT
        return Outcome(False, scrub(f"{type(exc).__name__}: {exc}", channel), failure)
    if refused:
        return Outcome(False, "refused: " + ", ".join(sorted(refused)), REFUSED)
    return Outcome(True)
