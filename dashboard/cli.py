"""The command line: ``python -m dashboard COMMAND``.

For the office's admin and for scripts: import a ledger, export or template
one, see, compare and roll back versions, load the demo, migrate, back up and restore,
verify the audit chain, serve, check the installation (doctor). There is no
command that edits or deletes audit rows. Every command but ``doctor`` (which only looks)
migrates the database first (idempotent), so a newcomer's first command just
works. No Reflex on this import path: the CLI must start fast (``serve``
imports it only once it starts the server).

Exit codes: 0 done, 1 upload rejected (nothing written), 2 usage error
(unknown dataset or version, unreadable file), 3 internal error (a bug in a
check; nothing written, traceback in <data_dir>/logs/errors.log).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import traceback
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dashboard import clock, params
from dashboard.contract import DATASETS, Dataset, Mode, get_dataset
from dashboard.i18n import MISSING, both, t
from dashboard.ingest import CheckCrashed, Problem
from dashboard.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dashboard.store import Actor, ImportResult, VersionInfo

OK, REJECTED, USAGE, INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input to the command itself (not to a ledger): exit 2 with this message."""


# ---------------------------------------------------------------------------
# helpers


def _out() -> IO[str]:
    return sys.stdout


def _say(text: str = "") -> None:
    print(text, file=_out())


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _pair(key: str, sep: str = "\n", **fmt: object) -> str:
    """A catalogue entry as the CLI prints it: Chinese, then English (on the next line or after ``sep``)."""
    return sep.join(both(key, **fmt))


def _number_arg(parse: Any) -> Any:
    """An argparse ``type`` reading a number as the URLs are read (dashboard.params): '²', 5000
    digits or 2**64 are a usage error (exit 2), not a traceback from int() or the database."""

    def read(text: str) -> int:
        try:
            return parse(text)
        except params.BadParameter as exc:
            raise argparse.ArgumentTypeError(_pair(exc.key, " / ", **exc.fmt)) from None

    return read


VERSION_ARG = _number_arg(params.version)
ID_ARG = _number_arg(params.whole)


def _dataset_name(name: str) -> str:
    if name not in DATASETS:
        raise UsageError(_pair("cli.dataset.unknown", name=name, choices=", ".join(DATASETS)))
    return name


def _engine() -> Engine:
    """The configured database, migrated (idempotent) so every command just works."""
    from dashboard.store import storage

    engine = storage.make_engine(get_settings().db_url)
    storage.migrate(engine)
    return engine


def _write_bytes(data: bytes, target: str | None) -> None:
    if target in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(target).write_bytes(data)
        _err(_pair("cli.wrote", " / ", target=target) + t("cli.bytes", "en", size=len(data)))


def log_internal_error(exc: BaseException) -> Path:
    """Append the traceback to <data_dir>/logs/errors.log (never shown on screen)."""
    path = get_settings().data_dir / "logs" / "errors.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as f:
        f.write(f"--- {stamp} {' '.join(sys.argv)}\n")
        f.write("".join(traceback.format_exception(exc)))
    return path


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned text table (CJK-aware padding)."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def format_problem(p: Problem) -> str:
    """'line 3, column 户类: <Chinese message>' then the English one, indented."""
    where = p.where("en") or "file"
    return f"  {where}: {p.message}\n      {p.message_en}"


def _by_line(problems: list[Problem]) -> list[Problem]:
    """File-level problems first, then in spreadsheet order, sheet by sheet (stable within a line)."""
    sheets: dict[str | None, int] = {}
    for p in problems:
        sheets.setdefault(p.sheet, len(sheets))
    return sorted(problems, key=lambda p: (p.line is not None, sheets[p.sheet], p.line or 0))


def format_result(result: ImportResult) -> str:
    """Human report of an import: every error and warning, then a summary line."""
    lines = []
    errors, warnings = result.problems.errors, result.problems.warnings
    if errors:
        lines.append(_pair("cli.result.errors", " / ", n=len(errors)))
        lines += [format_problem(p) for p in _by_line(errors)]
    if warnings:
        lines.append(_pair("cli.result.warnings", " / ", n=len(warnings)))
        lines += [format_problem(p) for p in _by_line(warnings)]
    counts = both(
        "cli.result.counts", rows=result.rows, added=result.added, changed=result.changed,
        removed=result.removed, skipped=result.skipped, warnings=len(warnings),
    )  # fmt: skip
    if not result.accepted:
        lines.append(_pair("cli.result.rejected", dataset=result.dataset, n=len(errors)))
    elif result.dry_run:
        lines.append(_pair("cli.result.dry_run", dataset=result.dataset, counts=counts))
    else:
        lines.append(
            _pair("cli.result.accepted", dataset=result.dataset, version=result.version, counts=counts)
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# commands


def cmd_import(args: argparse.Namespace) -> int:
    from dashboard.ingest import UnreadableFile
    from dashboard.store import storage

    name = _dataset_name(args.dataset)
    path = Path(args.file)
    if args.marked and Path(args.marked).suffix.lower() != ".xlsx":
        raise UsageError(_pair("cli.import.marked_not_xlsx", path=args.marked))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(_pair("cli.import.unreadable", path=path, reason=exc.strerror)) from None
    engine = _engine()
    mode = Mode(args.mode) if args.mode else None
    try:
        result = storage.import_file(
            engine, name, data, path.name, mode=mode, user=_actor(args), dry_run=args.dry_run,
            scope=_account_scope(engine, args.user), note=args.note,
        )  # the import audits itself
    except UnreadableFile as exc:
        raise UsageError(f"{exc.message}\n{exc.message_en}") from None
    if args.json:
        _say(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        _say(format_result(result))
    if args.marked and not result.accepted:
        from dashboard.store import mark_workbook

        marked = mark_workbook(data, name, result.problems.items, lang=args.lang)
        Path(args.marked).write_bytes(marked)
        _err(_pair("cli.import.wrote_marked", " / ", path=args.marked))
    return OK if result.accepted else REJECTED


def _account_scope(engine: Any, user: str) -> Any:
    """``--user NAME`` acts as that account, scope included; a name that is no account is office-wide."""
    from dashboard.accounts import auth

    info = auth.get_user(engine, user)
    return info.scope if info is not None else None


def _actor(args: argparse.Namespace) -> Actor:
    """CLI writes are audited as --user from address "cli" (someone with a shell on the server)."""
    from dashboard.store import Actor

    return Actor(args.user, "cli")


FORMATS = ("csv", "xlsx")


def output_format(target: str | None, fmt: str | None) -> tuple[str, str | None]:
    """(format, file name) from ``-o`` and ``--format``: the extension decides, --format overrides.

    A mismatch cannot happen: a .csv/.xlsx name with the other --format is refused (exit 2); a
    name without one of those extensions gets the format's extension added (--format given) or
    is refused (not given), so an .xlsx file always holds a workbook and a .csv file CSV text.
    """
    if target in (None, "-"):
        return fmt or "csv", target
    ext = Path(target).suffix.lower().lstrip(".")
    if ext in FORMATS:
        if fmt and fmt != ext:
            raise UsageError(_pair("cli.format.disagree", target=target, ext=ext, fmt=fmt))
        return ext, target
    if fmt:
        return fmt, f"{target}.{fmt}"
    raise UsageError(_pair("cli.format.unknown", target=target))


def cmd_export(args: argparse.Namespace) -> int:
    from dashboard.store import storage, to_csv_bytes, to_xlsx_bytes

    name = _dataset_name(args.dataset)
    fmt, target = output_format(args.output, args.format)
    engine = _engine()
    if args.version is None:
        frame = storage.load_current(engine, name)
    else:
        numbers = {v.number for v in storage.list_versions(engine, name)}
        if args.version not in numbers:
            raise UsageError(_no_version(name, args.version, numbers))
        frame = storage.load_version(engine, name, args.version)
    _write_bytes(to_xlsx_bytes(name, frame) if fmt == "xlsx" else to_csv_bytes(name, frame), target)
    return OK


def _no_version(name: str, version: int, numbers: set[int]) -> str:
    have = ", ".join(str(n) for n in sorted(numbers)) or _pair("cli.word.none", " ")
    return _pair("cli.version.missing", name=name, version=version, have=have)


def cmd_template(args: argparse.Namespace) -> int:
    from dashboard.store import prefilled_xlsx, template_csv, template_xlsx

    name = _dataset_name(args.dataset)
    fmt, target = output_format(args.output, args.format or ("xlsx" if args.prefilled else None))
    if args.prefilled:
        if fmt != "xlsx":
            raise UsageError(_pair("cli.template.prefilled_xlsx_only"))
        from dashboard.store import storage

        data = prefilled_xlsx(name, storage.load_current(_engine(), name))
    else:
        data = template_xlsx(name) if fmt == "xlsx" else template_csv(name)
    _write_bytes(data, target)
    return OK


def _history_row(v: VersionInfo) -> list[str]:
    created = clock.office_time(v.created_at)
    counts = f"+{v.added} ~{v.changed} -{v.removed} ={v.skipped}"
    restored = "" if v.restored_from is None else str(v.restored_from)
    return [
        v.dataset,
        str(v.number),
        created,
        v.user,
        v.file_name,
        str(v.rows),
        counts,
        str(v.mode),
        restored,
    ]


HISTORY_HEADER = (
    *(_pair(f"cli.col.{col}", " ") for col in ("dataset", "version", "time", "user", "file", "rows")),
    t("cli.col.counts", "zh"),  # the +/~/-/= signs explain themselves: the Chinese words alone, as before
    *(_pair(f"cli.col.{col}", " ") for col in ("mode", "restored_from")),
)


def cmd_history(args: argparse.Namespace) -> int:
    from dashboard.store import storage

    name = _dataset_name(args.dataset) if args.dataset else None
    versions = storage.list_versions(_engine(), name)
    if not versions:
        _say(_pair("cli.history.empty", " / "))
        return OK
    _say(format_table(HISTORY_HEADER, [_history_row(v) for v in versions]))
    return OK


def cmd_rollback(args: argparse.Namespace) -> int:
    from dashboard.store import storage

    name = _dataset_name(args.dataset)
    engine = _engine()
    result = storage.restore(engine, name, args.version, user=_actor(args))  # audits itself
    if any(p.rule == "restore.no_such_version" for p in result.problems.errors):
        numbers = {v.number for v in storage.list_versions(engine, name)}
        raise UsageError(_no_version(name, args.version, numbers))
    if not result.accepted:  # the old content no longer fits (e.g. a brand it references is gone)
        _say(format_result(result))
        return REJECTED
    _say(_pair("cli.rollback.done", name=name, version=args.version, new=result.version, rows=result.rows))
    return OK


def cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo import load_demo
    from dashboard.store import storage

    engine = _engine()
    if args.if_empty and not storage.is_empty(engine):
        _say(_pair("cli.demo.not_empty", " / "))
    else:
        for r in load_demo(engine):
            demo, rows, version = (_pair(f"cli.{k}", " ") for k in ("word.demo", "word.rows", "col.version"))
            _say(f"{demo} {r.dataset}: {r.rows} {rows} → {version} {r.version}")
    _say_demo_accounts(engine)
    return OK


def _say_demo_accounts(engine: Engine) -> None:
    """Demo accounts (random passwords per database), printed and kept in <data_dir>."""
    from dashboard.accounts import auth

    data_dir = get_settings().data_dir
    accounts = auth.ensure_demo_accounts(engine, data_dir)
    roles = dict(auth.DEMO_ACCOUNTS)
    _say(f"{_pair('cli.demo.accounts', ' ')} ({_pair('cli.demo.only', ' / ')}):")
    word = _pair("cli.word.password", " ")
    for name, password in accounts.items():
        _say(f"  {name:<7} {roles[name].label} {roles[name].value:<7} {word}: {password}")
    _say(f"  ({_pair('cli.demo.kept_in', ' ')} {auth.demo_accounts_file(data_dir)})")


def _read_password(args: argparse.Namespace) -> str:
    """From stdin (--password-stdin, first line) or typed twice at a hidden prompt."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"{_pair('cli.word.password', ' ')}: ")
    if getpass.getpass(f"{_pair('cli.password.again', ' ')}: ") != first:
        raise UsageError(_pair("cli.password.differ"))
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from dashboard.accounts import auth

    engine = _engine()
    try:
        if args.users_command == "add":  # an admin chose the password: its owner replaces it first
            scope = auth.parse_scope(args.scope)  # a typo is refused before the password is asked
            notice = auth.vet_scope(engine, scope)  # so is a community no ledger holds
            info = auth.add_user(
                engine, args.name, args.role, _read_password(args), must_change=True, scope=scope
            )
            role = (f"{info.role.label} {info.role.value}", info.role.value)
            _say(_pair("cli.users.added", "/ ", name=info.name, role=role))
            if info.scope is not None:
                _say(_pair("cli.users.scope", " / ", name=info.name, scope=info.scope.text))
            if notice is not None:
                _say("\n".join(notice))
        elif args.users_command == "scope":
            notice = auth.set_scope(engine, args.name, args.scope)
            info = auth.get_user(engine, args.name)
            shown = info.scope.text if info is not None and info.scope is not None else "-"
            _say(_pair("cli.users.scope", " / ", name=args.name, scope=shown))
            if notice is not None:
                _say("\n".join(notice))
        elif args.users_command == "list":
            rows = [
                [
                    u.name,
                    f"{u.role.label} {u.role.value}",
                    _pair("cli.users.disabled" if u.disabled else "cli.users.active", " "),
                    clock.office_time(u.created_at),
                    u.scope.text if u.scope is not None else "-",
                ]
                for u in auth.list_users(engine)
            ]
            columns = ("user", "role", "status", "created", "scope")
            header = tuple(_pair(f"cli.users.col.{c}", " ") for c in columns)
            _say(format_table(header, rows) if rows else _pair("cli.users.none", " / "))
        elif args.users_command == "disable":
            auth.set_disabled(engine, args.name, True)
            _say(_pair("cli.users.disable", " / ", name=args.name))
        elif args.users_command == "enable":
            auth.set_disabled(engine, args.name, False)
            _say(_pair("cli.users.enable", " / ", name=args.name))
        elif args.users_command == "passwd":
            auth.set_password(engine, args.name, _read_password(args), must_change=True)
            _say(_pair("cli.users.passwd", " / ", name=args.name))
    except auth.AccountError as exc:
        raise UsageError(f"{exc.message}\n{exc.message_en}") from None
    return OK


def cmd_rounds(args: argparse.Namespace) -> int:
    """填报任务: list the rounds with each scope's state, open one, close one (as /rounds does)."""
    from datetime import date

    from dashboard.accounts import auth
    from dashboard.store import rounds

    engine = _engine()
    who = _actor(args) if hasattr(args, "user") else None
    try:
        if args.rounds_command == "open":
            try:
                deadline = date.fromisoformat(args.deadline)
            except ValueError:
                raise UsageError(_pair("cli.report.bad_date", text=args.deadline)) from None
            round_id = auth.open_round(
                engine, _dataset_name(args.dataset), args.scope, deadline, args.note or "", by=who or "cli"
            )
            _say(_pair("cli.rounds.opened", " / ", id=round_id))
        elif args.rounds_command == "close":
            rounds.close_round(engine, args.id, by=who or "cli")
            _say(_pair("cli.rounds.closed", " / ", id=args.id))
        else:
            _say(format_rounds(rounds.list_rounds(engine, open_only=args.open), clock.office_today()))
    except rounds.RoundError as exc:
        raise UsageError(_pair(exc.key, **exc.values)) from None
    return OK


def format_rounds(found: Sequence[Any], today: Any) -> str:
    """One block per round: its line, then one line per asked scope with its state, time and uploader."""
    if not found:
        return _pair("cli.rounds.none", " / ")
    blocks = []
    for r in found:
        status = _pair("rounds.open" if r.is_open else "rounds.closed", " ")
        deadline = f"{_pair('rounds.deadline', ' ')} {r.deadline.isoformat()}"
        head = f"#{r.id} {r.dataset} {deadline} [{status}] {r.note}"
        rows = [
            [
                s.scope,
                _pair(f"rounds.state.{s.state(r.deadline, today)}", " "),
                clock.office_time(s.reported_at) if s.reported_at else "-",
                s.reported_by or "-",
                str(s.version or "-"),
            ]
            for s in r.scopes
        ]
        header = tuple(_pair(f"rounds.col.{c}", " ") for c in ("scope", "state", "at", "by", "version"))
        blocks.append(head.rstrip() + "\n" + format_table(header, rows))
    return "\n\n".join(blocks)


def _head() -> str | None:
    from alembic.script import ScriptDirectory

    from dashboard.store import storage

    return ScriptDirectory.from_config(storage.alembic_config()).get_current_head()


def cmd_backup(args: argparse.Namespace) -> int:
    from dashboard.store import backup
    from dashboard.store.audit import audit

    if args.verify:
        try:  # a missing file, or one that is no .tar.gz at all: said, not a traceback
            manifest, problems = backup.verify(Path(args.verify))
        except backup.BackupError as exc:
            manifest, problems = None, [exc.message, exc.message_en]
        if manifest is None or problems:
            _err(_pair("cli.backup.verify_failed", " / ", path=args.verify))
            for problem in problems:
                _err(f"  {problem}")
            return REJECTED
        _say(
            _pair(
                "cli.backup.intact", parts=len(manifest.parts), backend=manifest.backend,
                revision=manifest.revision, created=manifest.created_at,
            )
        )  # fmt: skip
        return OK
    if not args.output:
        raise UsageError(_pair("cli.backup.no_output"))
    settings = get_settings()
    engine = _engine()
    try:
        manifest = backup.backup(engine, settings.data_dir, Path(args.output), backup_dir=settings.backup_dir)
    except backup.BackupError as exc:
        raise UsageError(f"{exc.message}\n{exc.message_en}") from None
    rows = sum(manifest.rows.values())
    audit(engine, "backup", _actor(args), target=str(Path(args.output).resolve()), detail=f"{rows} rows")
    _say(_pair("cli.backup.done", path=args.output, rows=rows, parts=len(manifest.parts)))
    return OK


def cmd_restore(args: argparse.Namespace) -> int:
    from dashboard.store import backup
    from dashboard.store.audit import audit

    settings = get_settings()
    engine = _engine()
    path = Path(args.file)
    try:
        manifest = backup.restore(path, engine, settings.data_dir, head=_head(), force=args.force)
    except backup.BackupError as exc:
        _err(f"{exc.message}\n{exc.message_en}")
        return REJECTED
    kept = manifest.replaced_audit
    detail = f"made {manifest.created_at}" + (f"; replaced audit rows kept in {kept}" if kept else "")
    audit(engine, "backup_restore", _actor(args), target=str(path.resolve()), detail=detail)
    rows = sum(manifest.rows.values())
    _say(_pair("cli.restore.done", path=path, rows=rows))
    if kept:
        _say(_pair("cli.restore.audit_kept", path=kept))
    return OK


def _office_day(text: str | None, option: str) -> datetime | None:
    """--from/--to: an office day (YYYY-MM-DD) as the UTC instant its office midnight is."""
    from dashboard.accounts import auth

    if text is None:
        return None
    try:  # 0001-01-01's office midnight is in year 0 UTC: OverflowError
        return auth.office_day_start(date.fromisoformat(text.strip()))
    except (ValueError, OverflowError):
        raise UsageError(_pair("cli.audit.bad_day", option=option, text=text)) from None


def cmd_audit(args: argparse.Namespace) -> int:
    from dashboard.store import verify_audit

    if args.audit_command == "export":
        from dashboard.accounts import auth

        since, until = _office_day(args.since, "--from"), _office_day(args.until, "--to")
        if until is not None:
            until += timedelta(days=1)  # --to names the last office day included
        entries = auth.list_audit(
            _engine(), limit=None, action=args.action, user=args.user, since=since, until=until
        )
        _write_bytes(auth.audit_csv(entries), args.output)
        return OK
    report = verify_audit(_engine())
    if report.ok:
        _say(_pair("cli.audit.intact", checked=report.checked, head=report.head))
        return OK
    when = clock.office_time(report.broken_at, "%Y-%m-%d %H:%M:%S") if report.broken_at else "?"
    _err(
        _pair(
            "cli.audit.broken", id=report.broken_id, when=when, action=report.broken_action,
            reason=report.reason, checked=report.checked,
        )
    )  # fmt: skip
    return REJECTED


def cmd_migrate(args: argparse.Namespace) -> int:
    _engine()
    _say(_pair("cli.migrate.done", " / "))
    return OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate (so a newer bundle over an older install just starts), then serve in the foreground."""
    from dashboard.ops import serve

    settings = get_settings()
    try:
        serve.check_workers(args.workers, settings.redis_url)
        _engine()
        return serve.serve(args.port, args.host, args.workers, settings.redis_url)
    except serve.ServeError as exc:
        raise UsageError(str(exc)) from None


def cmd_doctor(args: argparse.Namespace) -> int:
    from dashboard.ops import doctor

    results = doctor.run_checks(get_settings())
    if args.json:
        _say(json.dumps([r.to_json() for r in results], ensure_ascii=False))
    else:
        _say(doctor.format_report(results))
    return doctor.exit_code(results)


# ---------------------------------------------------------------------------
# digest and weekly report (dashboard.notify)


def cmd_digest(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from dashboard.notify import delivery, messages

    engine = _engine()
    settings = get_settings()
    channels, problems = delivery.configured(engine, settings)
    for p in problems:
        _err(_pair(f"cli.{p.id}", entry=p.entry))
    if problems and args.send:  # nothing is sent while the configuration is wrong
        return USAGE
    if not args.send:
        digest = delivery.preview(engine)
        if args.json:
            _say(json.dumps(asdict(digest), ensure_ascii=False, indent=2))
        else:
            _say(messages.render(digest, settings.digest_lang, settings.public_url).plain())
        return OK
    if not channels:
        raise UsageError(_pair("cli.digest.no_channel"))
    results = delivery.run(engine, force=args.force, channels=channels, settings=settings)
    if args.json:
        _say(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2))
    else:
        statuses = ("sent", "failed", "refused", "maybe_delivered", "already_sent", "busy")
        words = {status: _pair(f"cli.digest.{status}", " / ") for status in statuses}
        for r in results:
            reason = f" — {r.reason}" if r.reason else ""
            _say(f"{r.day}  {r.target}  {words[r.status]}{reason}")
    return REJECTED if any(r.status in ("failed", "refused", "maybe_delivered") for r in results) else OK


def _day_arg(text: str | None) -> date:
    """--week-ending: a day from 2000 to the office's today (dashboard.params), else exit 2."""
    try:
        return params.report_day(text)
    except params.BadParameter as exc:
        raise UsageError(_pair(exc.key, **exc.fmt)) from None


def cmd_report(args: argparse.Namespace) -> int:
    from dashboard.notify import document

    fmt = args.format or (
        Path(args.output).suffix.lstrip(".").lower() if args.output not in (None, "-") else ""
    )
    fmt = fmt if fmt in document.FORMATS else "docx"
    day = _day_arg(args.week_ending)
    lang = args.lang or get_settings().digest_lang
    try:
        doc = document.build(_engine(), day, fmt, lang, charts=not args.no_charts)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        log = log_internal_error(exc)
        _err(_pair("cli.report.failed", fmt=fmt.upper(), log=log))
        return REJECTED
    if not doc.charts_drawn and not args.no_charts:
        _err(_pair("cli.report.no_charts", " / "))
    if fmt == "pdf":
        _err(_pair("cli.report.pdf_engine", " / ", engine=doc.engine))
    _write_bytes(doc.content, args.output)
    return OK


# ---------------------------------------------------------------------------


def _row_text(ds: Dataset, row: dict[str, str | None]) -> str:
    """A row as 'header=value' pairs, empty cells left out."""
    return ", ".join(f"{c.header}={row[c.name]}" for c in ds.columns if row.get(c.name) not in (None, ""))


def format_diff(ds: Dataset, got: dict[str, Any]) -> str:
    """The diff as text: a summary line, then '+' added, '-' removed, '~' changed cells (old → new)."""
    lines = [
        _pair(
            "cli.diff.summary", " / ", name=ds.name, old=got["from"], new=got["to"],
            added=len(got["added"]), removed=len(got["removed"]),
            changed=len({c["key"] for c in got["changed"]}),
        )
    ]  # fmt: skip
    key_of = partial(_key_text, ds)
    lines += [f"+ {key_of(r)}  {_row_text(ds, r)}" for r in got["added"]]
    lines += [f"- {key_of(r)}  {_row_text(ds, r)}" for r in got["removed"]]
    for c in got["changed"]:
        old, new = (MISSING if v is None else v for v in (c["old"], c["new"]))
        lines.append(f"~ {c['key']}  {ds.column(c['column']).header}: {old} → {new}")
    return "\n".join(lines)


def _key_text(ds: Dataset, row: dict[str, str | None]) -> str:
    return " / ".join(row[k] or "" for k in ds.key)


def cmd_diff(args: argparse.Namespace) -> int:
    from dashboard.store import diff, storage

    name = _dataset_name(args.dataset)
    engine = _engine()
    numbers = {v.number for v in storage.list_versions(engine, name)}
    for number in (args.v1, args.v2):
        if number != 0 and number not in numbers:
            raise UsageError(_no_version(name, number, numbers))
    got = diff.diff_versions(engine, name, args.v1, args.v2).to_json()
    if args.json:
        _say(json.dumps(got, ensure_ascii=False))
    else:
        _say(format_diff(get_dataset(name), got))
    return OK


def build_parser() -> argparse.ArgumentParser:
    names = ", ".join(DATASETS)
    p = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="党建看板 command line: import, export, versions, demo data, digests, the weekly report.",
        epilog=f"datasets: {names}. Database: DASHBOARD_DB_URL (see dashboard/settings.py).",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("import", help="check and import a ledger: .xlsx, .xls, .ods or CSV (all or nothing)")
    s.add_argument("dataset", help=names)
    s.add_argument("file")
    s.add_argument("--mode", choices=[m.value for m in Mode], help="default: the dataset's own mode")
    s.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    s.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    s.add_argument("--user", default="cli", help="recorded with the version (default: cli)")
    s.add_argument(
        "--marked",
        metavar="OUT.xlsx",
        help="when refused, write the file with its problems marked (red cells, comments, a 问题清单 "
        "sheet); nothing is written when the import is accepted",
    )
    s.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the marks (default zh)")
    s.add_argument(
        "--note", default="", metavar="TEXT", help="更新说明: what this upload changes, kept with the version"
    )
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("export", help="current (or an earlier) version as CSV or XLSX for Excel")
    s.add_argument("dataset", help=names)
    s.add_argument("-o", "--output", help="file to write, .csv or .xlsx (default: CSV on stdout)")
    s.add_argument(
        "--format",
        choices=FORMATS,
        help="csv or xlsx; default: the extension of -o. A .csv/.xlsx name with the other format is "
        "refused (exit 2); a name without either extension gets the format's added",
    )
    s.add_argument("--version", type=VERSION_ARG, help="an earlier version number (see history)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("template", help="an empty ledger: Chinese header plus one example row")
    s.add_argument("dataset", help=names)
    s.add_argument("-o", "--output", help="file to write, .csv or .xlsx (default: CSV on stdout)")
    s.add_argument(
        "--format",
        choices=FORMATS,
        help="csv or xlsx; default: the extension of -o. A .csv/.xlsx name with the other format is "
        "refused (exit 2); a name without either extension gets the format's added",
    )
    s.add_argument(
        "--prefilled",
        action="store_true",
        help="一表通: the current rows to edit, with dropdowns and a 填表说明 sheet (xlsx only)",
    )
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("history", help="versions of every dataset (or one), newest first")
    s.add_argument("dataset", nargs="?", help=names)
    s.set_defaults(func=cmd_history)

    s = sub.add_parser("rollback", help="make an earlier version current again (as a new version)")
    s.add_argument("dataset", help=names)
    s.add_argument("version", type=VERSION_ARG)
    s.add_argument("--user", default="cli", help="recorded with the new version (default: cli)")
    s.set_defaults(func=cmd_rollback)

    s = sub.add_parser("diff", help="what changed from version V1 to V2: rows added, removed, cells old→new")
    s.add_argument("dataset", help=names)
    s.add_argument("v1", type=VERSION_ARG, help="the version compared from (0: before the first)")
    s.add_argument("v2", type=VERSION_ARG, help="the version compared to")
    s.add_argument("--json", action="store_true", help='{"added": [rows], "removed": [rows], "changed": '
                   '[{"key", "column", "old", "new"}]}, values as the export writes them')
    s.set_defaults(func=cmd_diff)

    s = sub.add_parser("demo", help="load the demo ledgers (dates moved to today)")
    s.add_argument("--if-empty", action="store_true", help="do nothing when any version exists")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("users", help="accounts: add, list, scope, disable, enable, passwd")
    users = s.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    u = users.add_parser("add", help="a new account (password typed twice, or --password-stdin)")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=["viewer", "editor", "admin", "auditor"])
    u.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    u.add_argument(
        "--scope", default=None, metavar="KIND=V[,V…]",
        help="what a viewer or editor reports and sees: community=示例社区A[,…], organisation=ORG-001[,…] "
        "or party_group=1[,…] (default: the whole sub-district)",
    )  # fmt: skip
    u = users.add_parser("scope", help="set an account's scope ('' = whole sub-district; ends its sessions)")
    u.add_argument("name")
    u.add_argument("--scope", required=True, metavar="KIND=V[,V…]")
    users.add_parser("list", help="every account with its role and scope")
    u = users.add_parser("disable", help="stop an account from signing in (ends its sessions)")
    u.add_argument("name")
    u = users.add_parser("enable", help="let a disabled account sign in again")
    u.add_argument("name")
    u = users.add_parser("passwd", help="set a new password (ends the account's sessions)")
    u.add_argument("name")
    u.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    s.set_defaults(func=cmd_users)

    s = sub.add_parser("rounds", help="reporting rounds (填报任务): list, open, close")
    rounds_cmd = s.add_subparsers(dest="rounds_command", required=True, metavar="ACTION")
    r = rounds_cmd.add_parser("list", help="every round with each scope: reported, late, overdue or pending")
    r.add_argument("--open", action="store_true", help="open rounds only")
    r = rounds_cmd.add_parser("open", help="ask scopes to report a ledger by a deadline")
    r.add_argument("dataset", help=names)
    r.add_argument(
        "--scope", action="append", required=True, metavar="KIND=V[,V…]",
        help="the scopes asked (repeat it, or several values: community=示例社区A,示例社区B)",
    )  # fmt: skip
    r.add_argument("--deadline", required=True, metavar="YYYY-MM-DD", help="the last office day on time")
    r.add_argument("--note", default="", help="what is asked (11月品牌活动，请于30日前上报)")
    r.add_argument("--user", default="cli", help="recorded in the audit log (default: cli)")
    r = rounds_cmd.add_parser("close", help="close a round (it stays listed with its reports)")
    r.add_argument("id", type=ID_ARG)
    r.add_argument("--user", default="cli", help="recorded in the audit log (default: cli)")
    s.set_defaults(func=cmd_rounds)

    s = sub.add_parser("backup", help="an online backup (database, data directory, manifest) or --verify one")
    s.add_argument("-o", "--output", help="the .tar.gz to write (owner-only)")
    s.add_argument("--verify", metavar="FILE", help="check FILE against its manifest (exit 1 on a mismatch)")
    s.add_argument("--user", default="cli", help="recorded in the audit log (default: cli)")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser(
        "restore", help="restore a backup into an empty installation (--force: a non-empty one)"
    )
    s.add_argument("file")
    s.add_argument("--force", action="store_true", help="replace what the installation holds")
    s.add_argument("--user", default="cli", help="recorded in the audit log (default: cli)")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("audit", help="the audit log: verify its hash chain (nothing edits or deletes rows)")
    audit = s.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit.add_parser("verify", help="recompute the chain; names the first broken row (exit 1)")
    a = audit.add_parser("export", help="every audit row (or those asked) as CSV for Excel, oldest first")
    a.add_argument("-o", "--output", help="the .csv to write (default: stdout)")
    a.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="first office day included")
    a.add_argument("--to", dest="until", metavar="YYYY-MM-DD", help="last office day included")
    a.add_argument("--user", help="one account's rows (as recorded)")
    a.add_argument("--action", help="one action: login, upload, user_add, backup_restore, …")
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser("migrate", help="create or upgrade the database tables")
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser("serve", help="migrate, then start the server on one port (Ctrl-C stops it)")
    s.add_argument("--port", type=int, default=3000, help="default: 3000")
    s.add_argument("--host", default="0.0.0.0", help="default 0.0.0.0; 127.0.0.1 behind nginx")
    s.add_argument("--workers", type=int, help="backend processes (more than 1 needs REDIS_URL)")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("doctor", help="check this installation and say what to fix (exit 1 on a failure)")
    s.add_argument("--json", action="store_true", help="print one JSON list instead of text")
    s.set_defaults(func=cmd_doctor)

    s = sub.add_parser("digest", help="today's digest for leaders: print it, or --send it to the channels")
    s.add_argument("--send", action="store_true", help="send to every channel not yet sent today")
    s.add_argument("--force", action="store_true", help="with --send: send again even if sent today")
    s.add_argument("--json", action="store_true", help="print JSON (the digest, or what was sent)")
    s.set_defaults(func=cmd_digest)

    s = sub.add_parser("report", help="the weekly report as a Word, PDF or HTML file")
    s.add_argument("--week-ending", help="last day of the week, YYYY-MM-DD (default: today)")
    s.add_argument("--format", choices=["docx", "pdf", "html"], help="default: from -o's suffix, else docx")
    s.add_argument("-o", "--output", required=True, help="file to write ('-' = stdout)")
    s.add_argument("--lang", choices=["zh", "en"], help="default: DASHBOARD_DIGEST_LANG (zh)")
    s.add_argument("--no-charts", action="store_true", help="tables only, no chart images")
    s.set_defaults(func=cmd_report)
    return p


def _warn_settings() -> None:
    """A setting with a value that cannot be used (DASHBOARD_DIGEST_AT=25:00): said before the command
    runs on its default, so nobody waits for a digest that was never going to be sent."""
    from dashboard.ops import doctor

    for zh, en in doctor.invalid_settings(get_settings()):
        _err(f"{zh}\n{en}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (never raises for user mistakes)."""
    for stream in (sys.stdout, sys.stderr):  # a non-UTF-8 console must not crash the report
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    if args.command != "doctor":  # doctor lists them as a failure of its own
        _warn_settings()
    try:
        return args.func(args)
    except UsageError as exc:
        _err(str(exc))
        return USAGE
    except CheckCrashed as exc:
        log = log_internal_error(exc)
        _err(_pair("cli.internal_error", rule=exc.rule, log=log))
        return INTERNAL
    except Exception as exc:
        from dashboard.store import storage

        if isinstance(exc, storage.BadDatabaseUrl):  # DASHBOARD_DB_URL as written cannot be used
            _err(f"{exc.message}\n{exc.message_en}")
            return USAGE
        if not storage.unavailable(exc):
            raise
        # The driver's first line says why; the lines after it quote our SQL (PostgreSQL's "LINE 1:
        # INSERT INTO …" and a caret), which is not for staff.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__]
        _err(_pair("cli.unavailable", reason=reason[0][:200]))
        return INTERNAL
