"""Where digests go: group robots (企业微信, 钉钉, 飞书), a generic JSON webhook, email.

Each robot gets its platform's documented format, signed when it has a
secret, and cut to its size limit: lines are packed into at most MAX_PARTS
messages; what still does not fit is dropped from the end with a line
"…另有 N 条，详见看板" linking to the dashboard.

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
# Size limits in bytes: what each platform measures (wecom/dingtalk: the markdown text; feishu: the body).
LIMITS: dict[str, int] = {"wecom": 4096, "dingtalk": 20000, "feishu": 20 * 1024, "json": 1024 * 1024}
MAX_PARTS = 3
TIMEOUT_SECONDS = 10.0

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


@dataclass(frozen=True)
class Outcome:
    ok: bool
    reason: str = ""  # why not, for the delivery log ("HTTP 500", "timeout", "errcode 93000 ...")


# ---------------------------------------------------------------------------
# masking and configuration


def mask(secret: str) -> str:
    """'SEC1234567890ab12' -> '…ab12': enough to tell two secrets apart, never enough to use one."""
    return "…" + secret[-4:] if secret else ""


def mask_url(url: str) -> str:
    """An address with its credentials masked: query values, long path tokens, passwords."""
    try:
        p = urllib.parse.urlsplit(url)
    except ValueError:
        return mask(url)
    host = p.hostname or ""
    if p.port:
        host += f":{p.port}"
    if p.username:
        host = f"{urllib.parse.unquote(p.username)}@{host}"  # the password is dropped, not masked
    path = "/".join(mask(seg) if len(seg) >= 16 else seg for seg in p.path.split("/"))
    query = "&".join(
        f"{k}={mask(v)}" for k, v in urllib.parse.parse_qsl(p.query, keep_blank_values=True) if k != "from"
    )
    return urllib.parse.urlunsplit((p.scheme, host, path, query, ""))


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
        if not eq or kind not in WEBHOOK_KINDS:
            problems.append(Problem("notify.webhook_kind", mask_url(url) or kind))
        elif urllib.parse.urlsplit(url).scheme not in ("http", "https"):
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
    if urllib.parse.urlsplit(smtp_url).scheme not in ("smtp", "smtps"):
        return [], [Problem("notify.smtp_url", mask_url(smtp_url))]
    return [Channel(kind="email", target=smtp_url, recipients=tuple(recipients))], []


# ---------------------------------------------------------------------------
# platform formats


def _md_line(kind: str, line: Line) -> str:
    text = line.text
    if line.href:
        text = f"[{text}]({line.href})"
    if kind == "wecom" and line.level:
        text = f'<font color="{"warning" if line.level == "red" else "comment"}">{text}</font>'
    return text


def _markdown(kind: str, title: str, rows: Sequence[Row]) -> str:
    out = [f"## {title}" if kind == "wecom" else f"#### {title}"]
    for tag, line in rows:
        if tag == "heading":
            out.append(f"**{line.text}**")
        elif tag == "intro":
            out.append(f"> {line.text}")
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
    """Bytes as the platform counts them against its limit."""
    if channel.kind == "wecom":
        return len(payload["markdown"]["content"].encode())
    if channel.kind == "dingtalk":
        return len(payload["markdown"]["text"].encode())
    return len(json.dumps(payload, ensure_ascii=False).encode())


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
    limit = LIMITS[channel.kind]
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


def _scrub(text: str, channel: Channel) -> str:
    """An error text with the channel's address and secret replaced by their masks."""
    for raw, shown in ((channel.target, mask_url(channel.target)), (channel.secret, mask(channel.secret))):
        if raw:
            text = text.replace(raw, shown)
    return text[:300]


def _reply_error(channel: Channel, response: httpx.Response) -> str:
    """'' when the platform accepted the message, else why not."""
    if not 200 <= response.status_code < 300:
        return f"HTTP {response.status_code}"
    if channel.kind == "json":
        return ""
    try:
        reply = response.json()
    except ValueError:
        return "reply is not JSON"
    if not isinstance(reply, dict):
        return "reply is not a JSON object"
    if channel.kind == "feishu":
        code = reply.get("code", reply.get("StatusCode"))
        message = reply.get("msg", reply.get("StatusMessage", ""))
    else:
        code, message = reply.get("errcode"), reply.get("errmsg", "")
    return "" if code == 0 else f"errcode {code}: {message}"


def post(channel: Channel, payload: dict[str, Any], timeout: float = TIMEOUT_SECONDS) -> Outcome:
    """Send one body to a robot; an HTTP error, a timeout or an error code in the reply is a failure."""
    url = channel.target
    headers = {"Content-Type": "application/json; charset=utf-8"}
    payload = dict(payload)
    if channel.secret and channel.kind == "dingtalk":
        ms = int(time.time() * 1000)
        url += ("&" if "?" in url else "?") + f"timestamp={ms}&sign={dingtalk_sign(channel.secret, ms)}"
    elif channel.secret and channel.kind == "feishu":
        ts = int(time.time())
        payload = {"timestamp": str(ts), "sign": feishu_sign(channel.secret, ts), **payload}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    if channel.secret and channel.kind == "json":
        ts = int(time.time())
        headers["X-Dashboard-Timestamp"] = str(ts)
        headers["X-Dashboard-Signature"] = "sha256=" + json_sign(channel.secret, ts, raw)
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            response = client.post(url, content=raw, headers=headers)
    except httpx.TimeoutException:
        return Outcome(False, "timeout")
    except httpx.HTTPError as exc:
        return Outcome(False, _scrub(f"{type(exc).__name__}: {exc}", channel))
    error = _reply_error(channel, response)
    return Outcome(not error, _scrub(error, channel))


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
    smtp = Smtp.parse(channel.target)
    mail = EmailMessage()
    mail["Subject"] = msg.title
    mail["From"] = smtp.sender
    mail["To"] = ", ".join(channel.recipients)
    mail.set_content(msg.plain())
    mail.add_alternative(email_html(msg), subtype="html")
    for a in attachments:
        main, _, sub = a.mime.partition("/")
        mail.add_attachment(a.content, maintype=main, subtype=sub, filename=a.name)
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
            refused = server.send_message(mail)
    except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
        return Outcome(False, "timeout" if isinstance(exc, TimeoutError) else "SMTP disconnected")
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, _scrub(f"{type(exc).__name__}: {exc}", channel))
    if refused:
        return Outcome(False, "refused: " + ", ".join(sorted(refused)))
    return Outcome(True)
