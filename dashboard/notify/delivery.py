"""Sending the digest: once per office day and channel, retried, logged, nothing lost.

The lease is a row in the database (``notify_delivery``, unique on
(office_day, channel)), not a process-local timer: a worker claims it by
inserting the row, or by a conditional UPDATE of a row that failed or whose
holder's lease ran out, each in its own transaction. Only the claimant sends,
so every worker on every host can run :func:`run` at the digest time and the
group gets one message. A sent row is never claimed again without ``force``.

Every attempt is logged (``notify_log``) with its reason, and what happens next
depends on what the failure means (``channels.Outcome.failure``):

- not delivered (refused connection, connect timeout, HTTP 5xx, an unknown error
  code): retried RETRIES times with doubling backoff; a rate limit (企业微信 45009,
  钉钉 130101, 飞书 11232, HTTP 429) waits RATE_LIMIT_SECONDS, into the next minute.
  If all fail the row is ``failed`` and the next run (the server's next check after
  ``next_try_at``, or ``digest --send``) sends it, with the digest frozen for that
  day, for up to MISSED_DAYS days back.
- refused as configured (a wrong key, signature or keyword, a redirect, a 4xx): not
  retried; the row is ``refused`` with the platform's code and message. The server
  leaves it; ``digest --send`` or a successful test send on /notify (after the fix)
  sends it again.
- maybe delivered (sent, then a read timeout or a reset: the robots have no
  idempotency key): never sent again automatically; the row is ``maybe_delivered``
  and a warning asks the admin to look in the group (``digest --send --force``
  sends it again).

A message split in parts resumes after the parts already delivered, so none
arrives twice. One channel's failure, of whatever kind, never stops the others.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from dashboard import clock
from dashboard.notify import channels as ch
from dashboard.notify import messages
from dashboard.notify.digest import Digest, compute
from dashboard.settings import Settings, get_settings
from dashboard.store import NotifyChannel, NotifyDelivery, NotifyDigest, NotifyLog

log = logging.getLogger(__name__)

_DELIVERY = NotifyDelivery.__table__
_DIGEST = NotifyDigest.__table__
_LOG = NotifyLog.__table__
_CHANNEL = NotifyChannel.__table__

LEASE_SECONDS = 600  # a holder that died frees its row after this long
RETRIES = 3  # attempts per part within one run
BACKOFF_SECONDS = 1.0  # before the 2nd attempt; doubled each time
RATE_LIMIT_SECONDS = 61.0  # after a rate-limit reply: the robots count messages per minute
RETRY_AFTER = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))  # between runs
MISSED_DAYS = 3  # failed digests of this many earlier days are still sent
REPORT_NAME = "weekly-report-{day}.docx"


@dataclass
class Result:
    """What one run did for one channel on one day."""

    day: str
    channel: str  # key
    target: str  # masked
    status: str  # sent | failed | refused | maybe_delivered | already_sent | busy
    reason: str = ""
    parts: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written as UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


# ---------------------------------------------------------------------------
# channels


def admin_channels(engine: Engine) -> list[ch.Channel]:
    """The channels an admin set on /notify (enabled or not: the page lists both)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(_CHANNEL).order_by(_CHANNEL.c.id)).mappings().all()
    return [
        ch.Channel(
            kind=r["kind"],
            target=r["target"],
            secret=r["secret"],
            recipients=tuple(a for a in r["recipients"].split(",") if a),
            label=r["label"],
            source="admin" if r["enabled"] else "disabled",
            id=r["id"],
        )
        for r in rows
    ]


def configured(
    engine: Engine | None, settings: Settings | None = None
) -> tuple[list[ch.Channel], list[ch.Problem]]:
    """Every channel a digest goes to: the environment's, then the admin's (same address once).
    ``engine`` None: the environment's alone (doctor, when the database does not answer)."""
    settings = settings or get_settings()
    hooks, problems = ch.parse_webhooks(settings.webhooks)
    mail, mail_problems = ch.email_channel(settings.smtp_url, settings.digest_email)
    admin = admin_channels(engine) if engine is not None else []
    out: dict[str, ch.Channel] = {}
    for c in [*hooks, *mail, *(c for c in admin if c.source == "admin")]:
        out.setdefault(c.key, c)
    return list(out.values()), [*problems, *mail_problems]


# ---------------------------------------------------------------------------
# the frozen digest of a day


def load_digest(engine: Engine, day: date) -> Digest | None:
    with engine.connect() as conn:
        text = conn.execute(sa.select(_DIGEST.c.payload).where(_DIGEST.c.office_day == day)).scalar()
    return Digest.from_json(text) if text else None


def previous_digest(engine: Engine, day: date) -> Digest | None:
    """The newest stored digest before ``day``: what today's changes count from."""
    with engine.connect() as conn:
        text = conn.execute(
            sa.select(_DIGEST.c.payload)
            .where(_DIGEST.c.office_day < day)
            .order_by(_DIGEST.c.office_day.desc())
            .limit(1)
        ).scalar()
    return Digest.from_json(text) if text else None


def preview(engine: Engine, day: date | None = None) -> Digest:
    """Today's digest as it would be sent (the stored one if already frozen), writing nothing."""
    day = day or clock.office_today()
    return load_digest(engine, day) or compute(engine, day, previous_digest(engine, day))


def freeze(engine: Engine, day: date, force: bool = False) -> Digest:
    """The digest of ``day``: the stored one, else computed and stored (``force``: recomputed)."""
    stored = None if force else load_digest(engine, day)
    if stored is not None:
        return stored
    digest = compute(engine, day, previous_digest(engine, day))
    values = {"office_day": day, "created_at": _now(), "payload": digest.to_json()}
    try:
        with engine.begin() as conn:
            done = conn.execute(sa.update(_DIGEST).where(_DIGEST.c.office_day == day).values(**values))
            if done.rowcount == 0:
                conn.execute(sa.insert(_DIGEST).values(**values))
    except IntegrityError:  # another worker stored it first: send theirs, the same for everyone
        return load_digest(engine, day) or digest
    return digest


# ---------------------------------------------------------------------------
# the lease


def claim(
    engine: Engine,
    day: date,
    key: str,
    owner: str,
    *,
    force: bool = False,
    respect_backoff: bool = False,
) -> bool:
    """Take (day, channel) for sending; False when it was sent, or someone else holds it."""
    now = _now()
    lease = now + timedelta(seconds=LEASE_SECONDS)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(_DELIVERY).values(
                    office_day=day,
                    channel=key,
                    status="sending",
                    attempts=0,
                    parts_sent=0,
                    reason="",
                    owner=owner,
                    lease_until=lease,
                    updated_at=now,
                )
            )
        return True
    except IntegrityError:
        pass
    free = sa.or_(
        _DELIVERY.c.status == "failed",
        sa.and_(_DELIVERY.c.status == "sending", _DELIVERY.c.lease_until < now),
    )
    if respect_backoff:  # the server: a refused row waits for a person (the fix, then a test send)
        free = sa.and_(free, sa.or_(_DELIVERY.c.next_try_at.is_(None), _DELIVERY.c.next_try_at <= now))
    else:  # a person running digest --send, after fixing what the platform refused
        free = sa.or_(free, _DELIVERY.c.status == "refused")
    values: dict[str, object] = {"status": "sending", "owner": owner, "lease_until": lease, "updated_at": now}
    if force:  # sent, or maybe delivered: a person asked for it again
        free = sa.or_(free, _DELIVERY.c.status.in_(("sent", "maybe_delivered")))
        values["parts_sent"] = 0
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(_DELIVERY)
            .where(_DELIVERY.c.office_day == day, _DELIVERY.c.channel == key, free)
            .values(**values)
        )
    return done.rowcount == 1


def _row(engine: Engine, day: date, key: str) -> dict:
    with engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(_DELIVERY).where(_DELIVERY.c.office_day == day, _DELIVERY.c.channel == key)
            )
            .mappings()
            .first()
        )
    return dict(row) if row else {}


def _update(engine: Engine, day: date, key: str, owner: str, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(_DELIVERY)
            .where(_DELIVERY.c.office_day == day, _DELIVERY.c.channel == key, _DELIVERY.c.owner == owner)
            .values(updated_at=_now(), **values)
        )


def record(
    engine: Engine,
    day: date,
    channel: ch.Channel,
    ok: bool,
    reason: str,
    attempt: int = 1,
    test: bool = False,
) -> None:
    """One line of the delivery log (the /notify page reads it)."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(_LOG).values(
                at=_now(),
                office_day=day,
                channel=channel.key,
                target=channel.masked[:300],
                ok=ok,
                attempt=attempt,
                test=test,
                reason=reason,
            )
        )
    if not ok:
        log.warning("digest to %s failed (attempt %d): %s", channel.masked, attempt, reason)


def recent_log(engine: Engine, limit: int = 100) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(_LOG).order_by(_LOG.c.id.desc()).limit(limit)).mappings().all()
    return [{**dict(r), "at": _aware(r["at"])} for r in rows]


def deliveries(engine: Engine, since: date) -> list[dict]:
    with engine.connect() as conn:
        rows = (
            conn.execute(
                sa.select(_DELIVERY)
                .where(_DELIVERY.c.office_day >= since)
                .order_by(_DELIVERY.c.office_day.desc())
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


# ---------------------------------------------------------------------------
# sending


@dataclass
class Options:
    """How hard to try: the tests shorten the waits; nothing else changes them."""

    retries: int = RETRIES
    backoff: float = BACKOFF_SECONDS
    timeout: float = ch.TIMEOUT_SECONDS
    rate_wait: float = RATE_LIMIT_SECONDS


def _attempts(
    engine: Engine, day: date, channel: ch.Channel, send: object, opts: Options, test: bool = False
) -> ch.Outcome:
    """Call ``send()`` up to opts.retries times while sending again is safe and can help, doubling
    the wait (a rate limit: opts.rate_wait, into the next minute); every attempt logged."""
    outcome = ch.Outcome(False, "not tried", ch.TRANSIENT)
    for attempt in range(1, opts.retries + 1):
        try:
            outcome = send()  # type: ignore[operator]
        except Exception as exc:  # a bug in a sender must read as a failed delivery, not crash the server
            _log_crash(channel, "sender crashed")
            outcome = ch.Outcome(False, f"internal error: {type(exc).__name__}", ch.TRANSIENT)
        record(engine, day, channel, outcome.ok, outcome.reason, attempt, test)
        if outcome.ok or not outcome.retry_now:
            return outcome
        if attempt < opts.retries:
            rate_limited = outcome.failure == ch.RATE_LIMITED
            time.sleep(opts.rate_wait if rate_limited else opts.backoff * 2 ** (attempt - 1))
    return outcome


def _log_crash(channel: ch.Channel, what: str) -> None:
    """The traceback of a bug, in the log, with the channel's address and secret masked."""
    log.error("%s (%s):\n%s", what, channel.masked, ch.scrub(traceback.format_exc(), channel, limit=None))


def _attachments(engine: Engine, day: date, lang: str, settings: Settings) -> list[ch.Attachment]:
    if day.isoweekday() != settings.report_weekday:
        return []
    from dashboard.notify import document

    try:
        data = document.build(engine, day, "docx", lang).content
    except Exception:  # the digest still goes out; the log says why the report did not
        log.exception("building the weekly report failed")
        return []
    return [ch.Attachment(REPORT_NAME.format(day=day.isoformat()), data)]


def send_one(
    engine: Engine,
    channel: ch.Channel,
    digest: Digest,
    owner: str,
    settings: Settings,
    opts: Options,
) -> Result:
    """Deliver ``digest`` (already claimed) to ``channel``, resuming after the parts already sent."""
    day = date.fromisoformat(digest.office_day)
    lang = settings.digest_lang
    report_day = day.isoweekday() == settings.report_weekday
    report_link = (
        f"{settings.public_url}/api/report/weekly.docx?week_ending={day.isoformat()}" if report_day else ""
    )
    msg = messages.render(digest, lang, settings.public_url, report_link)
    row = _row(engine, day, channel.key)
    done, attempts = int(row.get("parts_sent") or 0), int(row.get("attempts") or 0)
    if channel.kind == "email":
        files = _attachments(engine, day, lang, settings)
        sends = [lambda: ch.send_email(channel, msg, files, opts.timeout)]
    else:
        extra = {"digest": asdict(digest)} if channel.kind == "json" else {}
        sends = [
            (lambda p=p: ch.post(channel, p, opts.timeout))
            for p in ch.pack(channel, msg, extra)  # type: ignore[misc]
        ]
    for index in range(done, len(sends)):
        outcome = _attempts(engine, day, channel, sends[index], opts)
        attempts += 1
        if not outcome.ok:
            status = STATUS_OF.get(outcome.failure, "failed")
            wait = RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1]
            _update(
                engine,
                day,
                channel.key,
                owner,
                status=status,
                reason=outcome.reason,
                attempts=attempts,
                parts_sent=index,
                lease_until=None,
                next_try_at=_now() + wait if status == "failed" else None,
            )
            if status == "maybe_delivered":
                log.warning(
                    "digest of %s to %s may have arrived (%s): it is not sent again automatically, so it "
                    "cannot arrive twice. Check the group; if it is missing, run digest --send --force.",
                    digest.office_day,
                    channel.masked,
                    outcome.reason,
                )
            return Result(digest.office_day, channel.key, channel.masked, status, outcome.reason, index)
        _update(engine, day, channel.key, owner, parts_sent=index + 1)
    _update(
        engine,
        day,
        channel.key,
        owner,
        status="sent",
        reason="",
        attempts=attempts,
        sent_at=_now(),
        lease_until=None,
    )
    return Result(digest.office_day, channel.key, channel.masked, "sent", "", len(sends))


# A failed send's row status by what the failure means (any other failure: "failed", retried later).
STATUS_OF = {ch.REFUSED: "refused", ch.MAYBE_DELIVERED: "maybe_delivered"}


def _send_isolated(
    engine: Engine,
    channel: ch.Channel,
    digest: Digest,
    owner: str,
    settings: Settings,
    opts: Options,
) -> Result:
    """:func:`send_one`, with anything that goes wrong kept to this channel: logged (masked),
    recorded on /notify, the row failed for a later run; the other channels still get theirs."""
    try:
        return send_one(engine, channel, digest, owner, settings, opts)
    except Exception as exc:
        reason = f"internal error: {type(exc).__name__}"
        _log_crash(channel, f"digest of {digest.office_day} failed")
        day = date.fromisoformat(digest.office_day)
        try:
            record(engine, day, channel, False, reason)
            _update(
                engine,
                day,
                channel.key,
                owner,
                status="failed",
                reason=reason,
                lease_until=None,
                next_try_at=_now() + RETRY_AFTER[0],
            )
        except Exception:  # the database itself: the lease runs out and a later run tries again
            log.error("could not record the failed digest to %s", channel.masked)
        return Result(digest.office_day, channel.key, channel.masked, "failed", reason)


_WARNED: set[ch.Problem] = set()


def _warn_once(problems: Sequence[ch.Problem]) -> None:
    """The server's log names each configuration problem once per process, not at every check."""
    for p in problems:
        if p not in _WARNED:
            _WARNED.add(p)
            log.warning("digest channel left out, configuration problem %s: %s", p.id, p.entry)


def _missed(engine: Engine, today: date) -> list[tuple[date, str]]:
    """(day, channel) rows of earlier days still not sent."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(_DELIVERY.c.office_day, _DELIVERY.c.channel).where(
                _DELIVERY.c.office_day < today,
                _DELIVERY.c.office_day >= today - timedelta(days=MISSED_DAYS),
                _DELIVERY.c.status != "sent",
            )
        ).all()
    return [(r[0], r[1]) for r in rows]


def run(
    engine: Engine,
    *,
    today: date | None = None,
    force: bool = False,
    respect_backoff: bool = False,
    channels: Sequence[ch.Channel] | None = None,
    settings: Settings | None = None,
    opts: Options | None = None,
) -> list[Result]:
    """Send what is due: earlier days' failed digests, then today's, each channel at most once."""
    settings = settings or get_settings()
    opts = opts or Options()
    today = today or clock.office_today()
    if channels is None:
        channels, problems = configured(engine, settings)
        _warn_once(problems)
    by_key = {c.key: c for c in channels}
    owner = owner_id()
    results: list[Result] = []
    for day, key in sorted(_missed(engine, today)):
        channel = by_key.get(key)
        stored = load_digest(engine, day)
        if channel is None or stored is None:
            continue
        if claim(engine, day, key, owner, respect_backoff=respect_backoff):
            results.append(_send_isolated(engine, channel, stored, owner, settings, opts))
    digest: Digest | None = None
    for channel in channels:
        row = _row(engine, today, channel.key)
        if not force and row.get("status") == "sent":  # the usual case
            results.append(Result(today.isoformat(), channel.key, channel.masked, "already_sent"))
            continue
        if not claim(engine, today, channel.key, owner, force=force, respect_backoff=respect_backoff):
            row = _row(engine, today, channel.key)
            status = row.get("status", "")
            if status in ("refused", "maybe_delivered"):  # waiting for a person: said again, not sent
                shown, reason = status, row.get("reason") or ""
            else:
                shown, reason = ("already_sent" if status == "sent" else "busy"), ""
            results.append(Result(today.isoformat(), channel.key, channel.masked, shown, reason))
            continue
        if digest is None:
            digest = freeze(engine, today, force=force)
        results.append(_send_isolated(engine, channel, digest, owner, settings, opts))
    return results


def test_send(
    engine: Engine, channel: ch.Channel, settings: Settings | None = None, opts: Options | None = None
) -> ch.Outcome:
    """The /notify test button: a short message, logged as a test, no lease (send as often as asked).

    When it gets through, the digests this channel refused (the fix is in) are due again.
    """
    settings = settings or get_settings()
    opts = opts or Options(retries=1)
    msg = messages.test_message(settings.digest_lang, settings.public_url)
    if channel.kind == "email":
        outcome = _attempts(
            engine,
            clock.office_today(),
            channel,
            lambda: ch.send_email(channel, msg, (), opts.timeout),
            opts,
            test=True,
        )
    else:
        payload = ch.pack(channel, msg, {"type": "dashboard.test"})[0]
        outcome = _attempts(
            engine,
            clock.office_today(),
            channel,
            lambda: ch.post(channel, payload, opts.timeout),
            opts,
            test=True,
        )
    if outcome.ok:
        _reopen(engine, channel.key)
    return outcome


def _reopen(engine: Engine, key: str) -> None:
    """The channel works again (a test send got through): what it refused is due at the next check."""
    since = clock.office_today() - timedelta(days=MISSED_DAYS)
    with engine.begin() as conn:
        conn.execute(
            sa.update(_DELIVERY)
            .where(_DELIVERY.c.channel == key, _DELIVERY.c.office_day >= since)
            .where(_DELIVERY.c.status == "refused")
            .values(status="failed", next_try_at=None, updated_at=_now())
        )


# ---------------------------------------------------------------------------
# the server's clock


def due(settings: Settings, now: datetime | None = None) -> bool:
    """Whether the office clock has passed DASHBOARD_DIGEST_AT today ('' = never)."""
    spec = settings.digest_at
    if not spec:
        return False
    hour, _, minute = spec.partition(":")
    if not (hour.strip().isdigit() and (minute.strip() or "0").isdigit()):
        return False
    now = (now or clock.office_now()).astimezone(clock.OFFICE_TZ)
    return (now.hour, now.minute) >= (int(hour), int(minute or 0))
