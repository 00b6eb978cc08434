"""``dashboard doctor``: is this installation fit to run, and if not, what to do about it.

Every check has an id, a result (ok, warn, fail; skip when an earlier failure makes it
moot) and, when it is not ok, a fix a person can type. Doctor only looks: it never
migrates, creates or changes anything (the data directory is probed with a temporary
file, removed at once). A check that raises is reported as a crash of the check (a bug
to report), never as a fault of the installation. Exit 1 on any failure or crash.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard import i18n
from dashboard.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

OK, WARN, FAIL, SKIP, CRASH = "ok", "warn", "fail", "skip", "crash"
# "[ 通过 ok ]": both words of each status, padded to one width on a terminal.
MARK = {
    OK: "[ {} {} ]".format(*i18n.both("doctor.status.ok")),
    WARN: "[{} {}]".format(*i18n.both("doctor.status.warn")),
    FAIL: "[{} {}]".format(*i18n.both("doctor.status.fail")),
    SKIP: "[{} {}]".format(*i18n.both("doctor.status.skip")),
    CRASH: "[{} {} ]".format(*i18n.both("doctor.status.crash")),
}
# Free space below which imports (a version is a full copy of a ledger) and backups start failing.
DISK_FAIL_MB = 500
DISK_WARN_MB = 2048
OFFICE_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Result:
    """The outcome of one check, in both languages, with the fix when it is not ok."""

    id: str
    status: str
    message: str
    message_en: str
    fix: str = ""
    fix_en: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Context:
    """What the checks share: the settings, and the database once it answered."""

    settings: Settings
    engine: Engine | None = None
    migrated: bool = False
    env_file: Path | None = field(default_factory=lambda: _env_file())


def _env_file() -> Path | None:
    """The installation's environment file (DIR/etc/dashboard.env), named by bin/dashboard."""
    value = os.environ.get("DASHBOARD_ENV_FILE")
    return Path(value) if value else None


def _ok(cid: str, message: tuple[str, str]) -> Result:
    """``message`` is a catalogue pair: ``i18n.both(key, ...)``."""
    return Result(cid, OK, *message)


def _fail(cid: str, message: tuple[str, str], fix: tuple[str, str], status: str = FAIL) -> Result:
    """``message`` and ``fix`` are (zh, en) pairs; a command to type is the same in both."""
    return Result(cid, status, *message, *fix)


# ---------------------------------------------------------------------------
# database


def _safe_url(ctx: Context) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(ctx.settings.db_url).render_as_string(hide_password=True)


def check_db_reachable(ctx: Context) -> Result:
    import sqlalchemy as sa

    from dashboard.store import storage

    try:
        storage.check_url(ctx.settings.db_url)
    except storage.BadDatabaseUrl as exc:
        return _fail("db.reachable", (exc.message, exc.message_en), i18n.both("doctor.db.url.fix"))
    url = _safe_url(ctx)
    if ctx.settings.is_sqlite:
        path = sa.engine.make_url(ctx.settings.db_url).database or ""
        if path and path != ":memory:" and not Path(path).exists():
            return _fail(
                "db.reachable",
                i18n.both("doctor.db.reachable.no_file", path=path),
                i18n.both("doctor.db.reachable.no_file.fix"),
            )
    try:
        engine = sa.create_engine(ctx.settings.db_url, pool_pre_ping=True)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:  # any driver error means: not reachable; say which
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return _fail(
            "db.reachable",
            i18n.both("doctor.db.reachable.fail", url=url, reason=reason),
            i18n.both("doctor.db.reachable.fix"),
        )
    ctx.engine = engine
    return _ok("db.reachable", i18n.both("doctor.db.reachable.ok", url=url))


def check_db_migrated(ctx: Context) -> Result | None:
    if ctx.engine is None:
        return None
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from dashboard.store import storage

    heads = set(ScriptDirectory.from_config(storage.alembic_config()).get_heads())
    with ctx.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        ctx.migrated = True
        return _ok("db.migrated", i18n.both("doctor.db.migrated.ok", heads=", ".join(sorted(heads))))
    have = ", ".join(sorted(current)) or i18n.both("doctor.none")
    return _fail(
        "db.migrated",
        i18n.both("doctor.db.migrated.fail", have=have, heads=", ".join(sorted(heads))),
        i18n.both("doctor.db.migrated.fix"),
    )


# ---------------------------------------------------------------------------
# accounts and secrets


def check_admin_account(ctx: Context) -> Result | None:
    if ctx.engine is None or not ctx.migrated:
        return None
    from dashboard.accounts import auth

    admins = [u for u in auth.list_users(ctx.engine) if u.role == auth.Role.ADMIN and not u.disabled]
    if admins:
        return _ok("accounts.admin", i18n.both("doctor.accounts.admin.ok", n=len(admins)))
    return _fail(
        "accounts.admin", i18n.both("doctor.accounts.admin.fail"), i18n.both("doctor.accounts.admin.fix")
    )


def check_demo_accounts(ctx: Context) -> Result | None:
    """Outside demo mode, the demo accounts (passwords in a file) must not be able to sign in."""
    if ctx.engine is None or not ctx.migrated:
        return None
    from dashboard.accounts import auth

    if ctx.settings.demo:
        return _fail(
            "secrets.demo",
            i18n.both("doctor.secrets.demo.on"),
            i18n.both("doctor.secrets.demo.on.fix"),
            status=WARN,
        )
    demo = {name for name, _role in auth.DEMO_ACCOUNTS}
    active = sorted(u.name for u in auth.list_users(ctx.engine) if u.name in demo and not u.disabled)
    if not active:
        return _ok("secrets.demo", i18n.both("doctor.secrets.demo.ok"))
    names = " ".join(active)
    disable = "; ".join(f"dashboard users disable {n}" for n in active)
    return _fail(
        "secrets.demo",
        i18n.both(
            "doctor.secrets.demo.fail", names=names, file=auth.demo_accounts_file(ctx.settings.data_dir)
        ),
        (disable, disable),
    )


def check_env_file(ctx: Context) -> Result | None:
    """The environment file can hold the database password: owner-only, like ~/.pgpass."""
    path = ctx.env_file
    if path is None:
        return None
    if not path.exists():
        return _ok("secrets.env_file", i18n.both("doctor.secrets.env_file.none", path=path))
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return _fail(
            "secrets.env_file",
            i18n.both("doctor.secrets.env_file.fail", path=path, mode=f"{mode:o}"),
            (f"chmod 600 {path}", f"chmod 600 {path}"),
        )
    return _ok("secrets.env_file", i18n.both("doctor.secrets.env_file.ok", path=path))


# ---------------------------------------------------------------------------
# data directory, disk, time zone


def check_data_dir(ctx: Context) -> Result:
    path = ctx.settings.data_dir
    if not path.is_dir():
        return _fail(
            "data_dir.writable",
            i18n.both("doctor.data_dir.writable.missing", path=path),
            i18n.both("doctor.data_dir.writable.missing.fix", path=path),
        )
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return _fail(
            "data_dir.writable",
            i18n.both("doctor.data_dir.writable.fail", path=path, reason=exc.strerror),
            i18n.both("doctor.data_dir.writable.fix", path=path),
        )
    return _ok("data_dir.writable", i18n.both("doctor.data_dir.writable.ok", path=path))


def check_data_dir_private(ctx: Context) -> Result | None:
    """Pending uploads and account files live there: no one but the service's user (0700, 0750 at most)."""
    path = ctx.settings.data_dir
    if not path.is_dir():
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o027:  # any access for others, or write for the group
        return _fail(
            "data_dir.private",
            i18n.both("doctor.data_dir.private.fail", path=path, mode=f"{mode:o}"),
            (f"chmod 700 {path}", f"chmod 700 {path}"),
        )
    return _ok("data_dir.private", i18n.both("doctor.data_dir.private.ok", mode=f"{mode:o}"))


def _disk_paths(ctx: Context) -> list[Path]:
    paths = [ctx.settings.data_dir]
    if ctx.settings.is_sqlite:
        import sqlalchemy as sa

        database = sa.engine.make_url(ctx.settings.db_url).database
        if database and database != ":memory:":
            paths.append(Path(database).parent)
    return [p for p in dict.fromkeys(paths) if p.exists()]


def check_disk_space(ctx: Context) -> Result | None:
    paths = _disk_paths(ctx)
    if not paths:
        return None
    free = {p: shutil.disk_usage(p).free // (1024 * 1024) for p in paths}
    least = min(free, key=free.__getitem__)
    mb = free[least]
    if mb >= DISK_WARN_MB:
        return _ok("disk.space", i18n.both("doctor.disk.space.ok", mb=mb, path=least))
    return _fail(
        "disk.space",
        i18n.both("doctor.disk.space.fail", mb=mb, path=least),
        i18n.both("doctor.disk.space.fix", warn=DISK_WARN_MB, fail=DISK_FAIL_MB),
        status=FAIL if mb < DISK_FAIL_MB else WARN,
    )


#: A daily backup older than this many days means the server's backups are failing (or it is not running).
BACKUP_STALE_DAYS = 2


def check_backups(ctx: Context) -> Result | None:
    """The daily backup (DASHBOARD_BACKUP_DIR): its folder can be written, and the newest is recent. The
    server only logs a failed backup and retries; nobody reads that log until a restore is needed."""
    from dashboard import clock
    from dashboard.store import backup

    settings = ctx.settings
    folder = settings.backup_dir or settings.data_dir / "backups"
    if settings.backup_keep <= 0:
        return _fail("backup.daily", i18n.both("doctor.backup.off"), i18n.both("doctor.backup.off.fix"), WARN)
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return _fail(
            "backup.daily",
            i18n.both("doctor.backup.unwritable", path=folder),
            i18n.both("doctor.data_dir.writable.fix", path=folder),
        )
    days = []
    for path in folder.glob("dashboard-[0-9]*.tar.gz") if folder.is_dir() else ():
        try:
            days.append(date(int(path.name[10:14]), int(path.name[14:16]), int(path.name[16:18])))
        except ValueError:
            continue
    since = _first_day(ctx)
    if not days and (since is None or (clock.office_today() - since).days <= BACKUP_STALE_DAYS):
        return _ok("backup.daily", i18n.both("doctor.backup.none", path=folder, at=settings.backup_at))
    if not days:
        return _fail("backup.daily", i18n.both("doctor.backup.never", day=since, path=folder),
                     i18n.both("doctor.backup.stale.fix", path=folder))  # fmt: skip
    newest = max(days)
    if (clock.office_today() - newest).days > BACKUP_STALE_DAYS:
        return _fail(
            "backup.daily",
            i18n.both("doctor.backup.stale", day=newest.isoformat(), path=folder),
            i18n.both("doctor.backup.stale.fix", path=folder),
        )
    return _ok("backup.daily", i18n.both("doctor.backup.ok", day=newest.isoformat(), path=folder,
                                         name=backup.backup_name(newest)))  # fmt: skip


def _first_day(ctx: Context) -> date | None:
    """The office day of the installation's first audit row (a new installation has no backup yet)."""
    if ctx.engine is None or not ctx.migrated:
        return None
    from dashboard import clock
    from dashboard.accounts import auth

    first = auth.first_audit_at(ctx.engine)
    if first is None:
        return None
    return first.astimezone(clock.OFFICE_TZ).date()


def check_time_zone(ctx: Context) -> Result:
    """Every "today" is counted in office time: the zone must load (tzdata wheel or the system's)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        offset = datetime(2026, 1, 1, tzinfo=ZoneInfo(OFFICE_ZONE)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError, OSError):
        offset = None
    if offset is not None and offset.total_seconds() == 8 * 3600:
        return _ok("time.zone", i18n.both("doctor.time.zone.ok", zone=OFFICE_ZONE))
    return _fail(
        "time.zone", i18n.both("doctor.time.zone.fail", zone=OFFICE_ZONE), i18n.both("doctor.time.zone.fix")
    )


# ---------------------------------------------------------------------------
# frontend, redis


def check_frontend(ctx: Context) -> Result:
    import sys

    from dashboard.ops import serve

    record = serve.prebuilt()
    if record is not None:
        index, asset = serve.FRONTEND_DIR / "index.html", serve.env_asset()
        if index.is_file() and asset is not None:
            built = record.get("version", "?")
            return _ok(
                "frontend.build", i18n.both("doctor.frontend.build.ok", built=built, path=serve.FRONTEND_DIR)
            )
        return _fail(
            "frontend.build",
            i18n.both("doctor.frontend.build.incomplete", path=serve.FRONTEND_DIR),
            i18n.both("doctor.frontend.build.incomplete.fix"),
        )
    bin_dir = Path(sys.executable).parent
    if (bin_dir / "bun").exists() or shutil.which("bun"):
        return _ok("frontend.build", i18n.both("doctor.frontend.build.source"))
    return _fail(
        "frontend.build", i18n.both("doctor.frontend.build.fail"), i18n.both("doctor.frontend.build.fix")
    )


def check_redis(ctx: Context) -> Result | None:
    url = ctx.settings.redis_url
    if not url:
        return None
    import redis

    safe = url.split("@")[-1]
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        return _fail(
            "redis.reachable",
            i18n.both("doctor.redis.reachable.fail", url=safe, reason=exc),
            i18n.both("doctor.redis.reachable.fix"),
        )
    return _ok("redis.reachable", i18n.both("doctor.redis.reachable.ok", url=safe))


# ---------------------------------------------------------------------------

Check = Callable[[Context], "Result | None"]
def check_settings(ctx: Context) -> Result:
    """Every variable set to a value that cannot be used (the app runs on its default meanwhile)."""
    if not ctx.settings.invalid:
        return _ok("settings.values", i18n.both("doctor.settings.ok"))
    said = invalid_settings(ctx.settings)
    zh, en = "".join(z for z, _ in said), " ".join(e for _, e in said)
    names = ", ".join(name for name, _, _ in ctx.settings.invalid)
    return _fail("settings.values", (zh, en), i18n.both("settings.fix", names=names))


def invalid_settings(settings: Settings) -> list[tuple[str, str]]:
    """What is wrong with each unusable setting, (zh, en): the CLI prints these before any command."""
    return [
        i18n.both("settings.invalid", name=name, value=value, expect=i18n.both(f"settings.expect.{name}"),
                  default=default or i18n.both("settings.default.off"))
        for name, value, default in settings.invalid
    ]  # fmt: skip


def check_digest_channels(ctx: Context) -> Result | None:
    """The digest's robots and mail server: configured right, and reachable from this server (a
    connection opened and closed, nothing sent). On a government intranet the internet's 企业微信 /
    钉钉 / 飞书 addresses are usually out of reach: said here, not first at tomorrow's 08:30."""
    from dashboard.notify import channels as ch
    from dashboard.notify import delivery

    engine = ctx.engine if ctx.migrated else None  # with it, the channels set on /notify too
    found, problems = delivery.configured(engine, ctx.settings)
    if not found and not problems:
        return None  # no digest configured: nothing to check
    if problems:
        entries = ", ".join(f"{p.id} {p.entry}" for p in problems)
        return _fail(
            "digest.channels",
            i18n.both("doctor.digest.misconfigured", entries=entries),
            i18n.both("doctor.digest.misconfigured.fix"),
        )
    out = [f"{c.kind} {why}" for c in found if (why := ch.reach(c))]
    if out:
        return _fail(
            "digest.channels",
            i18n.both("doctor.digest.unreachable", n=len(out), total=len(found), entries="; ".join(out)),
            i18n.both("doctor.digest.unreachable.fix"),
            status=WARN,
        )
    return _ok("digest.channels", i18n.both("doctor.digest.ok", n=len(found)))


CHECKS: list[tuple[str, Check]] = [
    ("db.reachable", check_db_reachable),
    ("db.migrated", check_db_migrated),
    ("accounts.admin", check_admin_account),
    ("secrets.demo", check_demo_accounts),
    ("secrets.env_file", check_env_file),
    ("data_dir.writable", check_data_dir),
    ("data_dir.private", check_data_dir_private),
    ("disk.space", check_disk_space),
    ("backup.daily", check_backups),
    ("time.zone", check_time_zone),
    ("frontend.build", check_frontend),
    ("redis.reachable", check_redis),
    ("settings.values", check_settings),
    ("digest.channels", check_digest_channels),
]
# Skipped checks are reported only when an earlier failure made them moot (not when they do not apply).
_NEEDS: dict[str, str] = {
    "db.migrated": "db.reachable",
    "accounts.admin": "db.migrated",
    "secrets.demo": "db.migrated",
}


def run_checks(settings: Settings, checks: list[tuple[str, Check]] | None = None) -> list[Result]:
    """Every check, in order; one that raises becomes a CRASH result and the others still run."""
    ctx = Context(settings)
    results: list[Result] = []
    for cid, check in checks or CHECKS:
        try:
            result = check(ctx)
        except Exception as exc:
            result = _crashed(cid, exc)
        if result is None:
            needed = _NEEDS.get(cid)
            if needed and any(r.id == needed and r.status != OK for r in results):
                result = Result(cid, SKIP, *i18n.both("doctor.skipped", needed=needed))
            else:
                continue
        results.append(result)
    if ctx.engine is not None:
        ctx.engine.dispose()
    return results


def _crashed(cid: str, exc: BaseException) -> Result:
    from dashboard.settings import get_settings

    log = get_settings().data_dir / "logs" / "errors.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as f:
            f.write(f"--- doctor check {cid}\n{''.join(traceback.format_exception(exc))}")
        where = str(log)
    except OSError:
        where = "stderr"
    return Result(
        cid,
        CRASH,
        *i18n.both("doctor.crashed", check=cid, error=type(exc).__name__),
        *i18n.both("doctor.crashed.fix", where=where),
    )


def format_report(results: list[Result]) -> str:
    """One line per check (Chinese, then English indented), the fix under each that is not ok."""
    lines: list[str] = []
    fix_zh, fix_en = i18n.both("doctor.fix")
    for r in results:
        lines.append(f"{MARK[r.status]} {r.id}: {r.message}")
        lines.append(f"{' ' * 13}{r.message_en}")
        if r.fix:
            lines.append(f"{' ' * 13}→ {fix_zh} {fix_en}: {r.fix}")
            if r.fix_en != r.fix:
                lines.append(f"{' ' * 13}         {r.fix_en}")
    bad = [r for r in results if r.status in (FAIL, CRASH)]
    warned = [r for r in results if r.status == WARN]
    notes = ""
    if warned:
        notes = i18n.t("sep.rules", "zh") + " / ".join(i18n.both("doctor.summary.warnings", n=len(warned)))
    if bad:
        lines.append(" / ".join(i18n.both("doctor.summary.bad", n=len(bad))) + notes)
    else:
        lines.append(" / ".join(i18n.both("doctor.summary.fine")) + notes)
    return "\n".join(lines)


def exit_code(results: list[Result]) -> int:
    return 1 if any(r.status in (FAIL, CRASH) for r in results) else 0
