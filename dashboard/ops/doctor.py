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
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

OK, WARN, FAIL, SKIP, CRASH = "ok", "warn", "fail", "skip", "crash"
MARK = {
    OK: "[ 通过 ok ]",
    WARN: "[提醒 warn]",
    FAIL: "[失败 FAIL]",
    SKIP: "[跳过 skip]",
    CRASH: "[出错 BUG ]",
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


def _ok(cid: str, zh: str, en: str) -> Result:
    return Result(cid, OK, zh, en)


def _fail(cid: str, zh: str, en: str, fix: str, fix_en: str, status: str = FAIL) -> Result:
    return Result(cid, status, zh, en, fix, fix_en)


# ---------------------------------------------------------------------------
# database


def _safe_url(ctx: Context) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(ctx.settings.db_url).render_as_string(hide_password=True)


def check_db_reachable(ctx: Context) -> Result:
    import sqlalchemy as sa

    url = _safe_url(ctx)
    if ctx.settings.is_sqlite:
        path = sa.engine.make_url(ctx.settings.db_url).database or ""
        if path and path != ":memory:" and not Path(path).exists():
            return _fail(
                "db.reachable",
                f"数据库文件不存在：{path}",
                f"the database file does not exist: {path}",
                "运行 dashboard migrate 创建数据库（或检查 DASHBOARD_DB_URL）",
                "run `dashboard migrate` to create it (or check DASHBOARD_DB_URL)",
            )
    try:
        engine = sa.create_engine(ctx.settings.db_url, pool_pre_ping=True)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:  # any driver error means: not reachable; say which
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return _fail(
            "db.reachable",
            f"无法连接数据库 {url}：{reason}",
            f"cannot connect to the database {url}: {reason}",
            "检查 DASHBOARD_DB_URL、数据库服务是否在运行、用户名和密码",
            "check DASHBOARD_DB_URL, that the database server runs, and the user and password",
        )
    ctx.engine = engine
    return _ok("db.reachable", f"数据库可以连接：{url}", f"the database answers: {url}")


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
        return _ok("db.migrated", f"数据库结构是最新的（{', '.join(sorted(heads))}）",
                   f"the schema is up to date ({', '.join(sorted(heads))})")  # fmt: skip
    have = ", ".join(sorted(current)) or "无 none"
    return _fail(
        "db.migrated",
        f"数据库结构不是最新：当前 {have}，应为 {', '.join(sorted(heads))}",
        f"the schema is not up to date: at {have}, expected {', '.join(sorted(heads))}",
        "运行 dashboard migrate（serve 启动时也会自动执行）",
        "run `dashboard migrate` (serve also does it when it starts)",
    )


# ---------------------------------------------------------------------------
# accounts and secrets


def check_admin_account(ctx: Context) -> Result | None:
    if ctx.engine is None or not ctx.migrated:
        return None
    from dashboard.accounts import auth

    admins = [u for u in auth.list_users(ctx.engine) if u.role == auth.Role.ADMIN and not u.disabled]
    if admins:
        return _ok("accounts.admin", f"有 {len(admins)} 个可用的管理员账户",
                   f"{len(admins)} active admin account(s)")  # fmt: skip
    return _fail(
        "accounts.admin",
        "没有可用的管理员账户：无人能管理账户、恢复版本或查看审计日志",
        "no active admin account: nobody can manage accounts, restore versions or read the audit log",
        "dashboard users add 管理员姓名 --role admin",
        "dashboard users add NAME --role admin",
    )


def check_demo_accounts(ctx: Context) -> Result | None:
    """Outside demo mode, the demo accounts (passwords in a file) must not be able to sign in."""
    if ctx.engine is None or not ctx.migrated:
        return None
    from dashboard.accounts import auth

    if ctx.settings.demo:
        return _fail(
            "secrets.demo",
            "演示模式已开启（DASHBOARD_DEMO）：演示账户可以登录，不要用于真实数据",
            "demo mode is on (DASHBOARD_DEMO): the demo accounts can sign in; not for real data",
            "正式使用前去掉 DASHBOARD_DEMO",
            "remove DASHBOARD_DEMO before real use",
            status=WARN,
        )
    demo = {name for name, _role in auth.DEMO_ACCOUNTS}
    active = sorted(u.name for u in auth.list_users(ctx.engine) if u.name in demo and not u.disabled)
    if not active:
        return _ok("secrets.demo", "没有可登录的演示账户", "no demo account can sign in")
    names = " ".join(active)
    return _fail(
        "secrets.demo",
        f"演示账户仍可登录（{names}），其密码写在 {auth.demo_accounts_file(ctx.settings.data_dir)}",
        f"demo accounts can still sign in ({names}); their passwords are in "
        f"{auth.demo_accounts_file(ctx.settings.data_dir)}",
        "; ".join(f"dashboard users disable {n}" for n in active),
        "; ".join(f"dashboard users disable {n}" for n in active),
    )


def check_env_file(ctx: Context) -> Result | None:
    """The environment file can hold the database password: owner-only, like ~/.pgpass."""
    path = ctx.env_file
    if path is None:
        return None
    if not path.exists():
        return _ok("secrets.env_file", f"没有环境文件 {path}（使用默认设置）",
                   f"no environment file {path} (defaults apply)")  # fmt: skip
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return _fail(
            "secrets.env_file",
            f"环境文件 {path} 其他用户可读（权限 {mode:o}），其中可能有数据库密码",
            f"the environment file {path} is readable by others (mode {mode:o}); it may hold the "
            "database password",
            f"chmod 600 {path}",
            f"chmod 600 {path}",
        )
    return _ok("secrets.env_file", f"环境文件 {path} 仅所有者可读",
               f"the environment file {path} is owner-only")  # fmt: skip


# ---------------------------------------------------------------------------
# data directory, disk, time zone


def check_data_dir(ctx: Context) -> Result:
    path = ctx.settings.data_dir
    if not path.is_dir():
        return _fail(
            "data_dir.writable",
            f"数据目录不存在：{path}",
            f"the data directory does not exist: {path}",
            f"mkdir -p {path} && chmod 700 {path}（由运行服务的用户执行）",
            f"mkdir -p {path} && chmod 700 {path} (as the user the service runs as)",
        )
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return _fail(
            "data_dir.writable",
            f"数据目录不可写：{path}（{exc.strerror}）",
            f"the data directory is not writable: {path} ({exc.strerror})",
            f"chown 运行服务的用户 {path}",
            f"chown the service's user {path}",
        )
    return _ok("data_dir.writable", f"数据目录可写：{path}", f"the data directory is writable: {path}")


def check_data_dir_private(ctx: Context) -> Result | None:
    """Pending uploads and account files live there: no one but the service's user (0700, 0750 at most)."""
    path = ctx.settings.data_dir
    if not path.is_dir():
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o027:  # any access for others, or write for the group
        return _fail(
            "data_dir.private",
            f"数据目录 {path} 对其他用户开放（权限 {mode:o}），其中有待确认的上传和账户文件",
            f"the data directory {path} is open to other users (mode {mode:o}); it holds pending "
            "uploads and account files",
            f"chmod 700 {path}",
            f"chmod 700 {path}",
        )
    return _ok("data_dir.private", f"数据目录仅服务用户可用（权限 {mode:o}）",
               f"the data directory is private (mode {mode:o})")  # fmt: skip


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
        return _ok("disk.space", f"磁盘剩余 {mb} MB（{least}）", f"{mb} MB free on disk ({least})")
    return _fail(
        "disk.space",
        f"磁盘剩余空间不足：{least} 只剩 {mb} MB",
        f"low disk space: {mb} MB free at {least}",
        f"清理磁盘或扩容（至少 {DISK_WARN_MB} MB；低于 {DISK_FAIL_MB} MB 时导入会失败）",
        f"free or add space (at least {DISK_WARN_MB} MB; imports fail below {DISK_FAIL_MB} MB)",
        status=FAIL if mb < DISK_FAIL_MB else WARN,
    )


def check_time_zone(ctx: Context) -> Result:
    """Every "today" is counted in office time: the zone must load (tzdata wheel or the system's)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        offset = datetime(2026, 1, 1, tzinfo=ZoneInfo(OFFICE_ZONE)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError, OSError):
        offset = None
    if offset is not None and offset.total_seconds() == 8 * 3600:
        return _ok("time.zone", f"办公时区 {OFFICE_ZONE} 可用（UTC+8）",
                   f"office time zone {OFFICE_ZONE} loads (UTC+8)")  # fmt: skip
    return _fail(
        "time.zone",
        f"办公时区 {OFFICE_ZONE} 不可用：所有“今天”都会算错",
        f"the office time zone {OFFICE_ZONE} is not available: every 'today' would be wrong",
        "安装 tzdata（apt-get install tzdata，或安装包中的 tzdata wheel）",
        "install tzdata (apt-get install tzdata, or the tzdata wheel of the bundle)",
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
            return _ok("frontend.build", f"预构建前端已就绪（{built}）：{serve.FRONTEND_DIR}",
                       f"the prebuilt frontend is present ({built}): {serve.FRONTEND_DIR}")  # fmt: skip
        return _fail(
            "frontend.build",
            f"安装包的前端构建不完整：{serve.FRONTEND_DIR}",
            f"the bundle's frontend build is incomplete: {serve.FRONTEND_DIR}",
            "重新解压安装包并运行 ./install.sh --prefix 安装目录",
            "unpack the bundle again and run ./install.sh --prefix DIR",
        )
    bin_dir = Path(sys.executable).parent
    if (bin_dir / "bun").exists() or shutil.which("bun"):
        return _ok("frontend.build", "源码目录：serve 启动时用 bun 构建前端",
                   "a source checkout: serve builds the frontend with bun when it starts")  # fmt: skip
    return _fail(
        "frontend.build",
        "既没有预构建的前端，也没有 bun 可以构建",
        "no prebuilt frontend, and no bun to build one",
        "从安装包安装（make bundle），或在源码目录运行 make run",
        "install from a bundle (make bundle), or run `make run` in a source checkout",
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
            f"无法连接 Redis（{safe}）：{exc}",
            f"cannot reach Redis ({safe}): {exc}",
            "启动 Redis，或检查 REDIS_URL（不用多进程时去掉 REDIS_URL）",
            "start Redis or check REDIS_URL (drop REDIS_URL when running one worker)",
        )
    return _ok("redis.reachable", f"Redis 可以连接（{safe}）", f"Redis answers ({safe})")


# ---------------------------------------------------------------------------

Check = Callable[[Context], "Result | None"]
CHECKS: list[tuple[str, Check]] = [
    ("db.reachable", check_db_reachable),
    ("db.migrated", check_db_migrated),
    ("accounts.admin", check_admin_account),
    ("secrets.demo", check_demo_accounts),
    ("secrets.env_file", check_env_file),
    ("data_dir.writable", check_data_dir),
    ("data_dir.private", check_data_dir_private),
    ("disk.space", check_disk_space),
    ("time.zone", check_time_zone),
    ("frontend.build", check_frontend),
    ("redis.reachable", check_redis),
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
                result = Result(cid, SKIP, f"未检查：先解决 {needed}", f"not checked: fix {needed} first")
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
        f"检查 {cid} 本身出错（程序缺陷，不代表安装有问题）：{type(exc).__name__}",
        f"the check {cid} itself crashed (a bug, not a fault of the installation): {type(exc).__name__}",
        f"请把 {where} 发给维护人员",
        f"please report it (details in {where})",
    )


def format_report(results: list[Result]) -> str:
    """One line per check (Chinese, then English indented), the fix under each that is not ok."""
    lines: list[str] = []
    for r in results:
        lines.append(f"{MARK[r.status]} {r.id}: {r.message}")
        lines.append(f"{' ' * 13}{r.message_en}")
        if r.fix:
            lines.append(f"{' ' * 13}→ 处理 fix: {r.fix}")
            if r.fix_en != r.fix:
                lines.append(f"{' ' * 13}         {r.fix_en}")
    bad = [r for r in results if r.status in (FAIL, CRASH)]
    warned = [r for r in results if r.status == WARN]
    notes = f"；{len(warned)} 项提醒 / {len(warned)} warning(s)" if warned else ""
    if bad:
        lines.append(f"有 {len(bad)} 项需要处理 / {len(bad)} problem(s) to fix{notes}")
    else:
        lines.append(f"安装正常 / the installation is fine{notes}")
    return "\n".join(lines)


def exit_code(results: list[Result]) -> int:
    return 1 if any(r.status in (FAIL, CRASH) for r in results) else 0
