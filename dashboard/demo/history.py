"""The demo's history: the ledgers as staff uploaded them again and again over the 100 days.

A real installation opened after weeks of use has versions: the demolition
ledger every few days, the others weekly or monthly, each with its time and
uploader. So that "change since the previous version", the weekly report's
comparison with last week and every trend rebuilt from versions move on the
first screen, :func:`uploads` replays that history from the final ledgers
alone: each past upload is the final ledger *as it stood on that day*, worked
out from the dates in its rows (a property is 已摸底 → 已评估 → 已签约 → … on
the days its dates say; an activity exists from its date on; a 督办 item is
open until its 办结日期). Nothing a version shows happens after its day, and
the last upload of each ledger is the committed demo file itself, so the demo
ends exactly where it did with one version per ledger.

Rows are handled as the CSV's text cells (ISO dates compare as text), so a
past ledger is written back in the committed files' own format and goes
through the same import code as any upload (:func:`dashboard.demo.load.load_demo`).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dashboard import clock
from dashboard.contract import LOAD_ORDER, get_dataset
from dashboard.contract.datasets import ELECTION_STAGE, PROPERTY_STATUS, TASK_STATUS

Row = dict[str, str]

# Campaign days (1 = the first of the 100 days; the load day is CAMPAIGN_DAY) on which each
# ledger was uploaded before the load day; every ledger is uploaded once more on the load day.
SCHEDULE: dict[str, range] = {
    "elections": range(1, 85, 14),  # every two weeks while the elections ran
    "brands": range(1, 85, 30),  # monthly
    "activities": range(2, 85, 7),  # weekly
    # every few days from the survey's close (all 91 listed); none the day before the load day, so
    # the load day's upload brings that day's signings: "since yesterday" has something to say
    "demolition": range(11, 84, 3),
    "milestones": range(1, 85, 7),
    "meetings": range(7, 85, 7),
    "tasks": range(7, 85, 7),
    "org_life": range(1, 85, 28),  # monthly
}
# Office time of day each ledger is usually uploaded (Asia/Shanghai), minutes jittered per upload.
SLOTS: dict[str, time] = {
    "elections": time(9, 10),
    "brands": time(9, 40),
    "activities": time(16, 20),
    "demolition": time(17, 30),
    "milestones": time(10, 5),
    "meetings": time(18, 0),
    "tasks": time(17, 50),
    "org_life": time(15, 10),
}
# The demo's staff accounts (fictional, like every name in the demo) who take turns uploading
# each ledger. Account names, so ASCII like the demo's leader/staff/admin: an English page shows
# them as they are. dashboard.board tells demo data apart by these names (the "示例数据" banner).
DEMO_STAFF: tuple[str, ...] = ("demo.wang", "demo.li", "demo.zhao")
WANG, LI, ZHAO = DEMO_STAFF
UPLOADERS: dict[str, tuple[str, ...]] = {
    "elections": (WANG,),
    "brands": (ZHAO,),
    "activities": (ZHAO, WANG),
    "demolition": (LI, WANG),
    "milestones": (LI,),
    "meetings": (LI,),
    "tasks": (ZHAO, LI),
    "org_life": (WANG,),
}
KEY_SIGNED_NOTE = "街道主要领导亲自做工作后签约的重点户"  # as build.py writes it
KEY_HOLDOUT_NOTE = "街道主要领导包保的重点户、持续做工作"


@dataclass(frozen=True)
class Upload:
    """One upload of the history: which ledger, when (aware), by whom, and the file's bytes."""

    dataset: str
    at: datetime
    user: str
    file_name: str
    data: bytes
    final: bool  # the committed demo file itself (the load day's upload)


# ---------------------------------------------------------------------------
# CSV text rows


def read_rows(data: bytes) -> tuple[list[str], list[Row]]:
    """(headers, rows as header -> cell text) of a demo CSV."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    return header, [dict(zip(header, r, strict=True)) for r in rows[1:]]


def write_rows(header: list[str], rows: list[Row]) -> bytes:
    """The rows as a CSV in the demo files' format (UTF-8 with BOM, CRLF)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([r[h] for h in header] for r in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _h(dataset: str, column: str) -> str:
    return get_dataset(dataset).column(column).header


def _iso(d: date) -> str:
    return d.isoformat()


def _plus(day: str, n: int) -> str:
    return _iso(date.fromisoformat(day) + timedelta(days=n))


def _rng(*key: object) -> random.Random:
    """A random stream per row and purpose: the history does not shift when a ledger grows."""
    return random.Random("|".join(map(str, key)))


# ---------------------------------------------------------------------------
# Each ledger as it stood on ``day`` (ISO text, as ``start``, the campaign's day 1, and ``today``)


def _dated(column: str, dataset: str) -> Callable[[list[Row], str, str, str], list[Row]]:
    """Ledgers of events (activities, meetings, org_life): the rows dated on or before the day."""
    header = _h(dataset, column)
    return lambda rows, day, start, today: [r for r in rows if r[header] <= day]


def _elections(rows: list[Row], day: str, start: str, today: str) -> list[Row]:
    """An organisation completes on its 完成日期; before that it is at the stage its days left say."""
    done, stage, turnout = (_h("elections", c) for c in ("completed_date", "stage", "turnout"))
    out = []
    for r in rows:
        if r[done] and r[done] > day:
            left = (date.fromisoformat(r[done]) - date.fromisoformat(day)).days
            code = next(c for limit, c in _STAGE_BY_DAYS_LEFT if left <= limit)
            r = {**r, stage: ELECTION_STAGE.label(code), done: "", turnout: ""}
        out.append(r)
    return out


_STAGE_BY_DAYS_LEFT = (
    (3, "approval"),
    (7, "voting"),
    (14, "qualification"),
    (24, "nomination"),
    (40, "survey"),
    (10**6, "not_started"),
)


def _demolition(rows: list[Row], day: str, start: str, today: str) -> list[Row]:
    """Every property is 已摸底 once the survey closed (day 11, before the first upload), is
    appraised before it signs, and reaches each later status on the date its row records;
    已清运 comes a few days after 拆除."""
    h = {c: _h("demolition", c) for c in ("property_id", "status", "signed_date", "vacated_date",
                                          "demolished_date", "note")}  # fmt: skip
    out = []
    for r in rows:
        rng = _rng("demolition", r[h["property_id"]])
        surveyed = _plus(start, 10)  # 入户摸底 (M-01) finished on day 11
        final = PROPERTY_STATUS.lookup()[r[h["status"]]]
        signed = r[h["signed_date"]]
        latest = min(_plus(start, 19), _plus(signed, -1)) if signed else _plus(start, 19)
        appraised = min(latest, _plus(surveyed, rng.randint(1, 8)))
        demolished = r[h["demolished_date"]]
        cleared = _plus(demolished, rng.randint(1, 7)) if final == "cleared" else ""
        steps = (
            ("cleared", cleared),
            ("demolished", demolished),
            ("vacated", r[h["vacated_date"]]),
            ("signed", signed),
            ("appraised", appraised if PROPERTY_STATUS.rank(final) >= 1 else ""),
        )
        code = next((c for c, d in steps if d and d <= day), "surveyed")
        if PROPERTY_STATUS.rank(code) >= PROPERTY_STATUS.rank(final):
            out.append(r)  # already as it is today
            continue
        past = {**r, h["status"]: PROPERTY_STATUS.label(code)}
        for c in ("signed_date", "vacated_date", "demolished_date"):
            if past[h[c]] > day:
                past[h[c]] = ""
        if past[h["note"]] == KEY_SIGNED_NOTE and not past[h["signed_date"]]:
            past[h["note"]] = KEY_HOLDOUT_NOTE
        out.append(past)
    return out


def _milestones(rows: list[Row], day: str, start: str, today: str) -> list[Row]:
    """The plan from day 1; progress grows linearly from the planned start to today's figure."""
    h = {c: _h("milestones", c) for c in ("planned_start", "actual_end", "progress")}
    out = []
    for r in rows:
        begin, end, final = r[h["planned_start"]], r[h["actual_end"]], float(r[h["progress"]])
        if end and end <= day:
            out.append(r)
            continue
        stop = end or today
        span = max(1, (date.fromisoformat(stop) - date.fromisoformat(begin)).days)
        elapsed = (date.fromisoformat(day) - date.fromisoformat(begin)).days
        share = min(1.0, max(0.0, elapsed / span))
        progress = int(final * share) if not end else min(99, int(100 * share))
        out.append({**r, h["actual_end"]: "", h["progress"]: str(progress)})
    return out


def _tasks(rows: list[Row], day: str, start: str, today: str) -> list[Row]:
    """Items exist from their 提出日期 and are open (办理中 after the first day) until their 办结日期."""
    h = {c: _h("tasks", c) for c in ("raised_date", "status", "closed_date", "outcome")}
    out = []
    for r in rows:
        if r[h["raised_date"]] > day:
            continue
        if r[h["closed_date"]] and r[h["closed_date"]] > day:
            code = "in_progress" if r[h["raised_date"]] < day else "open"
            r = {**r, h["status"]: TASK_STATUS.label(code), h["closed_date"]: "", h["outcome"]: ""}
        out.append(r)
    return out


AS_OF: dict[str, Callable[[list[Row], str, str, str], list[Row]]] = {
    "elections": _elections,
    "brands": lambda rows, day, start, today: rows,  # the brands did not change status in the 100 days
    "activities": _dated("date", "activities"),
    "demolition": _demolition,
    "milestones": _milestones,
    "meetings": _dated("date", "meetings"),
    "tasks": _tasks,
    "org_life": _dated("date", "org_life"),
}


def as_of(dataset: str, data: bytes, day: date, start: date, today: date) -> bytes:
    """The final demo file ``data`` (loaded on ``today``) as the ledger stood on ``day``."""
    header, rows = read_rows(data)
    replay = AS_OF.get(dataset, AS_OF["brands"])  # a ledger with no rule here: as it is today
    return write_rows(header, replay(rows, _iso(day), _iso(start), _iso(today)))


# ---------------------------------------------------------------------------
# The uploads, oldest first


def _office(day: date, at: time, minutes: int) -> datetime:
    local = datetime.combine(day, at, tzinfo=clock.OFFICE_TZ) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


def uploads(
    files: dict[str, bytes], today: date, campaign_day: int, now: datetime | None = None
) -> list[Upload]:
    """Every upload of the history in the order they happened (ties: LOAD_ORDER, so brands
    before activities and elections before org_life), the final demo files last.

    ``files``: the final demo file of each ledger as loaded on ``today``, which is campaign
    day ``campaign_day``. Past uploads fall at office times of their days; the load day's uploads
    at their office time, or just before ``now`` when that time is still ahead.
    """
    now = now or datetime.now(UTC)
    start = today - timedelta(days=campaign_day - 1)
    out: list[Upload] = []
    for order, name in enumerate(LOAD_ORDER):
        title = get_dataset(name).title
        staff = UPLOADERS.get(name, DEMO_STAFF[:1])
        days = [d for d in SCHEDULE.get(name, range(1, 85, 30)) if d < campaign_day]
        for n, k in enumerate([*days, campaign_day]):
            day = start + timedelta(days=k - 1)
            final = k == campaign_day
            jitter = _rng("slot", name, k).randint(-8, 8)
            at = _office(day, SLOTS.get(name, time(10, 0)), jitter)
            if final:
                at = min(at, now - timedelta(seconds=len(LOAD_ORDER) - order))
            data = files[name] if final else as_of(name, files[name], day, start, today)
            out.append(Upload(name, at, staff[n % len(staff)], f"{title}_{_iso(day)}.csv", data, final))
    rank = {name: i for i, name in enumerate(LOAD_ORDER)}
    return sorted(out, key=lambda u: (u.at, rank[u.dataset]))
