"""Our HTTP routes, mounted in front of Reflex (``rx.App(api_transformer=...)``).

Why our own routes rather than Reflex's ``rx.upload``: Reflex's buffered upload
path calls ``request.form()``, which spools the whole multipart body to disk
before any handler (or size check) runs, and ``rx.upload``'s max_size is only
checked in the browser. Here the body is counted while it arrives and cut off
at the limit (413), and files go to ``<data_dir>/pending``, never the public
``/_upload/``. Sign-in is a plain form POST so the session lives in an
HttpOnly cookie that page scripts cannot read; Reflex event handlers see the
same cookie in the websocket's handshake headers (server side).

Every route resolves the session from the cookie in the database and checks
the role itself; nothing the browser says about its role is believed. An
account that must change its password is refused everything but
``POST /api/password``. :func:`security_headers` wraps the whole app (pages,
routes, static files) with the 等保 HTTP headers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Match, Route

from dashboard import clock, params
from dashboard.accounts import Identity, Role, auth
from dashboard.contract import DATASETS
from dashboard.i18n import both, t
from dashboard.ingest import UnreadableFile, scoping
from dashboard.settings import get_settings
from dashboard.store import Actor, storage, uploads

if TYPE_CHECKING:
    import pandas as pd

Handler = Callable[[Request], Awaitable[Response]]


def engine():  # noqa: ANN201 (sqlalchemy Engine, cached per URL by storage)
    return storage.make_engine(get_settings().db_url)


def client_address(request: Request) -> str:
    """The address the audit log records for a sign-in, an upload, a refusal. Behind nginx the socket's
    peer is nginx itself (every sign-in would read 127.0.0.1): with REFLEX_TRUSTED_PROXY_HOPS=N the
    address N hops from the end of X-Forwarded-For, as Reflex reads it for the websocket side (the
    header is client-controlled, so only as many hops as the admin says are trusted proxies)."""
    peer = request.client.host if request.client else ""
    try:
        hops = int(os.environ.get("REFLEX_TRUSTED_PROXY_HOPS") or 0)
    except ValueError:
        hops = 0
    if hops > 0:
        forwarded = [ip.strip() for ip in request.headers.get("x-forwarded-for", "").split(",") if ip.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:100]
    return peer


def _refuse(status: int, message: str, message_en: str) -> JSONResponse:
    return JSONResponse({"message": message, "message_en": message_en}, status_code=status)


def _refuse_param(exc: params.BadParameter) -> JSONResponse:
    """A number or day of the URL that cannot be one (dashboard.params says why): 400."""
    return _refuse(400, *both(exc.key, **exc.fmt))


NOT_SIGNED_IN = (401, *both("api.refused.not_signed_in"))
FORBIDDEN = (403, *both("api.refused.forbidden"))
PASSWORD_FIRST = (403, *both("api.refused.password_first"))


def _same_origin(request: Request) -> bool:
    """A state-changing request must come from our own pages (CSRF), when the browser says."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def identity(request: Request) -> Identity | None:
    token = request.cookies.get(auth.SESSION_COOKIE)
    return await run_in_threadpool(auth.resolve, engine(), token)


def _wants_page(request: Request) -> bool:
    """A browser opening the address (a GET whose Accept ranks text/html above JSON: a link tapped
    in 企业微信/钉钉/飞书, a bookmark), not an API client (JSON, */* or nothing said)."""
    if request.method not in ("GET", "HEAD"):
        return False
    weights: dict[str, float] = {}
    for part in request.headers.get("accept", "").split(","):
        kind, *options = (p.strip() for p in part.split(";"))
        weight = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[kind.lower()] = max(weight, weights.get(kind.lower(), 0.0))
    page = max(weights.get("text/html", 0.0), weights.get("application/xhtml+xml", 0.0))
    return page > 0 and page > weights.get("application/json", 0.0)


def _to_page(page: str, request: Request) -> Response:
    """Off to /login (or /password) with this very address as the return target."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{page}?next={quote(_next_path(here))}", status_code=303)


def requires(role: Role, *, post: bool = False) -> Callable[[Callable], Handler]:
    """Route decorator: the signed-in user must hold ``role`` (checked here, on the server).

    Signed out (or due a new password), an API client gets the JSON refusal; a browser opening a
    download's address is sent to sign in first, and lands on the download afterwards.
    """

    def wrap(fn: Callable[[Request, Identity], Awaitable[Response]]) -> Handler:
        async def route(request: Request) -> Response:
            if post and not _same_origin(request):
                return _refuse(*FORBIDDEN)
            who = await identity(request)
            if who is None:
                return _to_page("/login", request) if _wants_page(request) else _refuse(*NOT_SIGNED_IN)
            if who.must_change:
                return _to_page("/password", request) if _wants_page(request) else _refuse(*PASSWORD_FIRST)
            if not who.can(role):
                return _refuse(*FORBIDDEN)
            return await fn(request, who)

        return route

    return wrap


CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {"csv": CSV_MEDIA, "xlsx": XLSX_MEDIA}


def ascii_name(file_name: str, stand_in: str = "download") -> str:
    """The ASCII ``filename`` old clients read: the name itself with its non-ASCII characters
    replaced ('台账 demolition.csv' -> '_ demolition.csv'), led by ``stand_in`` when no ASCII
    letter is left ('拆迁台账.xlsx' -> 'demolition_v3.xlsx', '台账_2026-09-24.csv' ->
    'demolition_v3_2026-09-24.csv')."""
    stem, dot, ext = file_name.rpartition(".") if "." in file_name else (file_name, "", "")
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    stem = re.sub(r"[^\x20-\x7e]+", "_", stem)
    if not re.search(r"[A-Za-z]", stem):
        rest = stem.strip("_ .-")
        stem = f"{stand_in}_{rest}" if rest else stand_in
    return f"{stem}.{ext}" if dot and ext else stem


def _attachment(data: bytes, file_name: str, media_type: str, fallback: str | None = None) -> Response:
    """A download: the Chinese name in RFC 5987 ``filename*``, an ASCII ``filename`` for old clients
    (``fallback``, else the name itself made ASCII)."""
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": _disposition(file_name, fallback), **_NOSNIFF},
    )


_NOSNIFF = {"x-content-type-options": "nosniff"}


def _disposition(file_name: str, fallback: str | None = None) -> str:
    from dashboard.store import content_disposition

    return content_disposition(file_name, fallback or ascii_name(file_name))


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in ("zh", "en") else "zh"


def _data_day(name: str, version: int | None = None) -> date:
    """The office day of the data a download holds: its version's, today's when there is none."""
    from dashboard import clock

    versions = storage.list_versions(engine(), name)
    chosen = next((v for v in versions if version is None or v.number == version), None)
    if chosen is None:
        return clock.office_today()
    return chosen.created_at.astimezone(clock.OFFICE_TZ).date()


def _ledger_download(name: str, frame: object, kind: str, day: date, *, mask: bool) -> Response:
    """One ledger frame as CSV or XLSX, named 拆迁房产进度_2026-12-02.xlsx (ASCII: demolition_...)."""
    from dashboard.store import download_name, to_csv_bytes, to_xlsx_bytes

    build = to_xlsx_bytes if kind == "xlsx" else to_csv_bytes
    data = build(name, frame, mask_personal=mask)  # type: ignore[arg-type]
    return _attachment(
        data, download_name(DATASETS[name].title, day, kind), KINDS[kind], download_name(name, day, kind)
    )


# ---------------------------------------------------------------------------
# Sign in / out


def _within(who: Identity, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a ledger of ``name``) narrowed to the account's scope: a scoped account downloads
    its own rows only (activities through the brands as they are now)."""
    if who.scope is None:
        return frame
    frames = {name: frame} | {other: storage.load_current(engine(), other) for other in scoping.needs(name)}
    return scoping.restrict(frames, who.scope)[name]


async def _refuse_scoped(request: Request, who: Identity, target: str) -> Response:
    """An office-wide file asked for by a scoped account: refused and audited."""
    await run_in_threadpool(
        auth.audit, engine(), "forbidden", user=who.name, ok=False, target=target,
        detail=f"scope {who.scope.text if who.scope else ''}", address=client_address(request),
    )  # fmt: skip
    return _refuse(403, *both("api.refused.scoped"))


def _next_path(value: str | None) -> str:
    """Only a path on this site ('/brands'), never '//evil.example' or a full URL."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


async def login(request: Request) -> Response:
    if not _same_origin(request):
        return _refuse(*FORBIDDEN)
    form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    target = _next_path(str(form.get("next") or ""))
    token = await run_in_threadpool(auth.login, engine(), name, password, address=client_address(request))
    if token is None:
        return RedirectResponse(f"/login?failed=1&next={quote(target)}", status_code=303)
    who = await run_in_threadpool(auth.resolve, engine(), token)
    if who is not None and who.must_change:  # 等保: a new password before anything else
        target = f"/password?next={quote(target)}"
    elif who is not None and who.role is Role.AUDITOR and target == "/":
        target = auth.home_path(who.role)  # the auditor has no board
    response = RedirectResponse(target, status_code=303)
    _session_cookie(request, response, token)
    return response


def is_https(request: Request) -> bool:
    """Served over HTTPS, directly or behind the proxy (nginx sets X-Forwarded-Proto)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def _session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=auth.IDLE_HOURS * 3600 * 3,  # the server decides expiry; this only bounds the browser
        httponly=True,
        # Lax, not Strict: a leader tapping the digest's link in 企业微信/钉钉/飞书 (another site) must
        # arrive signed in. Cross-site POSTs are still refused (_same_origin) and Lax sends no cookie
        # with another site's requests from inside a page (fetch, websocket, forms that POST).
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


async def change_password(request: Request) -> Response:
    """The signed-in owner's new password (the only thing an account that must change may do)."""
    if not _same_origin(request):
        return _refuse(*FORBIDDEN)
    who = await identity(request)
    if who is None:
        return RedirectResponse("/login?next=/password", status_code=303)
    form = await request.form(max_files=0, max_fields=6, max_part_size=4096)
    current, new = str(form.get("current") or ""), str(form.get("new") or "")
    target = _next_path(str(form.get("next") or ""))
    back = f"/password?next={quote(target)}&failed="
    if new != str(form.get("again") or ""):
        return RedirectResponse(back + "mismatch", status_code=303)
    try:
        await run_in_threadpool(
            auth.change_password, engine(), who.name, current, new, keep_session=who.session_id,
            address=client_address(request),
        )  # fmt: skip
    except auth.AccountError as exc:
        return RedirectResponse(back + (exc.code or "rules"), status_code=303)
    if who.role is Role.AUDITOR and target == "/":
        target = auth.home_path(who.role)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return _refuse(*FORBIDDEN)
    token = request.cookies.get(auth.SESSION_COOKIE)
    await run_in_threadpool(auth.logout, engine(), token, address=client_address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


# ---------------------------------------------------------------------------
# Upload


class TooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, counted while it arrives; past ``limit`` bytes reading stops (TooLarge)."""
    declared = params.number(request.headers.get("content-length") or "0")
    if declared is None or declared > limit:  # not a number below 2**31: not one we would take
        raise TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return bytes(body)


@requires(Role.EDITOR, post=True)
async def upload(request: Request, who: Identity) -> Response:
    """POST the raw file bytes; ?dataset=NAME (or empty: the headers choose) &name=FILE NAME."""
    settings = get_settings()
    file_name = uploads.safe_file_name(request.query_params.get("name"))
    dataset = request.query_params.get("dataset") or ""
    address = client_address(request)
    if dataset and dataset not in DATASETS:
        return _refuse(404, *both("api.refused.no_dataset"))
    try:
        data = await read_limited(request, settings.upload_max_bytes)
    except ClientDisconnect:  # the staff member pressed 取消上传: nothing arrived, nothing is kept
        return _refuse(400, *both("api.refused.cancelled"))
    except TooLarge:
        mb = settings.upload_max_bytes / (1024 * 1024)
        await run_in_threadpool(
            auth.audit, engine(), "upload_rejected", user=who.name, ok=False, target=file_name,
            detail=f"too large (limit {mb:g} MB)", address=address,
        )  # fmt: skip
        response = _refuse(413, *both("api.refused.too_large", mb=f"{mb:g}"))
        response.headers["connection"] = "close"
        return response
    try:
        if not dataset:
            dataset = await run_in_threadpool(uploads.guess_dataset, data, file_name) or ""
            if not dataset:
                return _refuse(422, *both("api.refused.no_dataset_guess"))
        report = await run_in_threadpool(
            uploads.check_upload, engine(), settings.data_dir, data, file_name, dataset,
            user=Actor(who.name, address), reveal_names=who.is_admin, scope=who.scope,
        )  # fmt: skip
    except UnreadableFile as exc:  # check_upload audited it
        return _refuse(422, exc.message, exc.message_en)
    return JSONResponse({"id": report.id, "dataset": dataset, "accepted": report.accepted})


NO_UPLOAD = (404, *both("api.refused.no_upload"))


@requires(Role.EDITOR)
async def error_report(request: Request, who: Identity) -> Response:
    """The refused upload's errors as CSV or XLSX (only for the user who uploaded it)."""
    kind = request.path_params["kind"]
    try:
        report = uploads.load_report(get_settings().data_dir, request.path_params["pending"], who.name)
    except uploads.PendingNotFound:
        return _refuse(*NO_UPLOAD)
    if kind not in KINDS:
        return _refuse(*NO_UPLOAD)
    stem = report.file_name.rsplit(".", 1)[0]
    data = uploads.errors_xlsx(report) if kind == "xlsx" else uploads.errors_csv(report)
    shown, fallback = both("api.file.error_report", stem=(stem, report.dataset), kind=kind)
    return _attachment(data, shown, KINDS[kind], fallback)


@requires(Role.EDITOR)
async def marked(request: Request, who: Identity) -> Response:
    """ "My file with the problems marked": the refused upload's own bytes, read on the server."""
    from dashboard.store import mark_workbook, report_problems

    try:
        report, data = uploads.load_upload(get_settings().data_dir, request.path_params["pending"], who.name)
    except uploads.PendingNotFound:
        return _refuse(*NO_UPLOAD)
    if report.accepted:
        return _refuse(404, *both("api.refused.nothing_to_mark"))
    problems = report_problems(report.result)
    book = await run_in_threadpool(mark_workbook, data, report.dataset, problems, lang=_lang(request))
    stem = report.file_name.rsplit(".", 1)[0]
    shown, fallback = both("api.file.marked", stem=(stem, report.dataset))
    return _attachment(book, shown, XLSX_MEDIA, fallback)


# ---------------------------------------------------------------------------
# Downloads


def _dataset_or_404(request: Request) -> str | None:
    name = request.path_params["dataset"]
    return name if name in DATASETS else None


@requires(Role.EDITOR)
async def template(request: Request, who: Identity) -> Response:
    from dashboard.store import template_csv, template_xlsx

    name = _dataset_or_404(request)
    kind = request.path_params["kind"]
    if name is None or kind not in KINDS:
        return _refuse(404, *both("api.refused.no_template"))
    data = template_xlsx(name) if kind == "xlsx" else template_csv(name)
    shown, fallback = both("api.file.template", title=(DATASETS[name].title, name), kind=kind)
    return _attachment(data, shown, KINDS[kind], fallback)


@requires(Role.EDITOR)
async def prefilled(request: Request, who: Identity) -> Response:
    """一表通: the current ledger as an XLSX to edit and upload again.

    A ledger with personal data (户主) is only handed out whole to admins: a masked copy uploaded
    back would overwrite every name with 张**, so editors are refused rather than given one.
    """
    from dashboard.store import download_name, prefilled_xlsx

    name = _dataset_or_404(request)
    if name is None:
        return _refuse(404, *both("api.refused.no_dataset"))
    if DATASETS[name].personal and not who.is_admin:
        return _refuse(403, *both("api.refused.personal_ledger"))
    frame = await run_in_threadpool(storage.load_current, engine(), name)
    frame = await run_in_threadpool(_within, who, name, frame)  # a scoped editor fills in its own rows
    day = await run_in_threadpool(_data_day, name)
    data = await run_in_threadpool(prefilled_xlsx, name, frame)
    title = t("api.file.prefilled", "zh", title=DATASETS[name].title)  # the fallback is the bare ASCII name
    return _attachment(data, download_name(title, day, "xlsx"), XLSX_MEDIA, download_name(name, day, "xlsx"))


@requires(Role.EDITOR)
async def original(request: Request, who: Identity) -> Response:
    name = _dataset_or_404(request)
    try:
        version = params.version(request.path_params["version"])
    except params.BadParameter as exc:
        return _refuse_param(exc)
    if who.scope is not None:  # an original file holds every scope's rows
        return await _refuse_scoped(request, who, f"original {name} v{version}")
    if name is not None and DATASETS[name].personal and not who.is_admin:  # 户主 as typed: unmaskable
        return _refuse(403, *both("api.refused.personal_ledger"))
    found = None if name is None else await run_in_threadpool(storage.original_file, engine(), name, version)
    if found is None:
        return _refuse(404, *both("api.refused.no_original"))
    file_name, data = found
    await run_in_threadpool(
        auth.audit, engine(), "download_original", user=who.name, target=f"{name} v{version}",
        address=client_address(request),
    )  # fmt: skip
    fallback = ascii_name(file_name, f"{name}_v{version}")  # '拆迁台账.xlsx' -> demolition_v3.xlsx
    return _attachment(data, file_name, "application/octet-stream", fallback)


@requires(Role.VIEWER)
async def export(request: Request, who: Identity) -> Response:
    """The current ledger (or, for editors, ?version=N) as CSV or XLSX; 户主 masked but for admins."""
    name = _dataset_or_404(request)
    kind = request.path_params["kind"]
    if name is None or kind not in KINDS:
        return _refuse(404, *both("api.refused.no_dataset"))
    if who.scope is not None and not scoping.visible(name, who.scope):
        return await _refuse_scoped(request, who, f"export {name}")
    raw_version = request.query_params.get("version")
    if raw_version is None:
        frame = await run_in_threadpool(storage.load_current, engine(), name)
        version = None
    else:
        if not who.can(Role.EDITOR):
            return _refuse(*FORBIDDEN)
        try:
            version = params.version(raw_version)
        except params.BadParameter as exc:
            return _refuse_param(exc)
        numbers = {v.number for v in await run_in_threadpool(storage.list_versions, engine(), name)}
        if version not in numbers:
            return _refuse(404, *both("api.refused.no_version"))
        frame = await run_in_threadpool(storage.load_version, engine(), name, version)
    frame = await run_in_threadpool(_within, who, name, frame)
    day = await run_in_threadpool(_data_day, name, version)
    return await run_in_threadpool(lambda: _ledger_download(name, frame, kind, day, mask=not who.is_admin))


@requires(Role.VIEWER)
async def term_calendar(request: Request, who: Identity) -> Response:
    """换届提醒: every organisation's term end with the 180-day window, as CSV or XLSX."""
    from dashboard import clock, i18n
    from dashboard.board import warnings
    from dashboard.store import download_name, table_xlsx

    kind = request.path_params["kind"]
    if kind not in KINDS:
        return _refuse(404, *both("api.refused.no_file"))
    lang = _lang(request)
    today = clock.office_today()
    elections = await run_in_threadpool(storage.load_current, engine(), "elections")
    frames = {"elections": await run_in_threadpool(_within, who, "elections", elections)}
    title = i18n.t("term_calendar.file", lang)
    if kind == "csv":
        data = await run_in_threadpool(warnings.term_calendar_csv, frames, today, lang)
    else:
        headers, rows = await run_in_threadpool(warnings.term_calendar_table, frames, today, lang)
        data = await run_in_threadpool(table_xlsx, title, headers, rows)
    return _attachment(
        data, download_name(title, today, kind), KINDS[kind], download_name("term-calendar", today, kind)
    )


@requires(Role.VIEWER)
async def drill_download(request: Request, who: Identity) -> Response:
    """The rows behind a clicked bar, slice or cell (same filters as the board), as CSV or XLSX; 户主
    names masked for every role but admin."""
    from dashboard.board import CACHE, drill
    from dashboard.insights import filters as flt

    kind = request.path_params["kind"]
    query = request.query_params
    filters = flt.Filters.from_query(query, who.scope)  # the session's scope, never the link's
    if filters.asks_outside:
        return await _refuse_scoped(request, who, f"drill {query.get('chart', '')} {filters.community}")
    frames = await run_in_threadpool(CACHE.frames, filters)
    got = drill.rows_behind(frames, query.get("chart", ""), query.get("label", ""))
    if got is None or kind not in KINDS:
        return _refuse(404, *both("api.refused.no_rows"))
    dataset, rows = got
    day = await run_in_threadpool(_data_day, dataset)
    return await run_in_threadpool(lambda: _ledger_download(dataset, rows, kind, day, mask=not who.is_admin))


@requires(Role.VIEWER)
async def weekly_report(request: Request, who: Identity) -> Response:
    """The weekly report as a Word or PDF file (``?week_ending=YYYY-MM-DD&lang=zh|en``, a day from
    2000 to today; none: today)."""
    from dashboard.notify import document

    fmt = request.path_params["kind"]
    if fmt not in ("docx", "pdf"):
        return _refuse(404, *both("api.refused.no_format"))
    query = request.query_params
    lang = query.get("lang") if query.get("lang") in ("zh", "en") else get_settings().digest_lang
    try:
        day = params.report_day(query.get("week_ending"))
    except params.BadParameter as exc:
        return _refuse_param(exc)
    if not document.can_make(fmt):  # no PDF maker on this server: say so before any wait
        return _refuse(503, *both("api.refused.cannot_make"))
    shown = t("api.file.weekly_report", lang, day=day.isoformat(), kind=fmt)  # 党建工作周报_2026-12-04.docx
    disposition = _disposition(shown, document.file_name(day, fmt))
    making = asyncio.ensure_future(
        run_in_threadpool(lambda: document.build(engine(), day, fmt, lang, scope=who.scope))
    )
    done, _ = await asyncio.wait({making}, timeout=REPORT_HEADERS_AFTER_S)
    if done:  # made before (kept), or quick: the whole answer at once, a refusal still possible
        try:
            doc = making.result()
        except Exception:
            logging.getLogger(__name__).exception("weekly report %s failed", fmt)
            return _refuse(503, *both("api.refused.cannot_make"))
        return _attachment(doc.content, shown, doc.mime, document.file_name(day, fmt))

    async def body() -> AsyncIterator[bytes]:
        try:
            doc = await making
        except Exception:  # the headers are out: the browser shows the download as failed
            logging.getLogger(__name__).exception("weekly report %s failed", fmt)
            raise
        yield doc.content

    # Charts take seconds to draw: the headers go now, so the browser shows the download at
    # once (its own progress) instead of a page that seems not to react.
    return StreamingResponse(
        body(), media_type=document.MIME[fmt],
        headers={"content-disposition": disposition, **_NOSNIFF},
    )


REPORT_HEADERS_AFTER_S = 0.5  # a report not made by then is streamed: its headers go first


@requires(Role.EDITOR)
async def diff_download(request: Request, who: Identity) -> Response:
    """Every change between two versions (``/api/diff/<dataset>/<v1>..<v2>.csv|xlsx``) as one table,
    headers in ``?lang``; 户主 masked but for admins. The version page lists only the first ones."""
    from dashboard.board import versions
    from dashboard.store import diff_versions, download_name, table_xlsx

    name = _dataset_or_404(request)
    kind = request.path_params["kind"]
    span = versions.parse_span(request.path_params["span"])
    if name is None or kind not in KINDS or span is None:
        return _refuse(404, *both("api.refused.no_version"))
    if who.scope is not None:  # only what its own scope's report changed (board.versions.shows_to)
        listed = await run_in_threadpool(storage.list_versions, engine(), name)
        info = next((v for v in listed if v.number == span[1]), None)
        if info is None or not versions.shows_to(who.scope, info, ".." in request.path_params["span"]):
            return _refuse(404, *both("api.refused.no_version"))
    try:
        got = await run_in_threadpool(diff_versions, engine(), name, *span)
    except KeyError:
        return _refuse(404, *both("api.refused.no_version"))
    lang, mask = _lang(request), not who.is_admin
    title = f"{DATASETS[name].title}_v{span[0]}-v{span[1]}"
    if kind == "csv":
        data = await run_in_threadpool(lambda: versions.diff_csv(got, lang, mask=mask))
    else:
        headers, rows = await run_in_threadpool(lambda: versions.diff_table(got, lang, mask=mask))
        data = await run_in_threadpool(table_xlsx, DATASETS[name].title, headers, rows)
    day = await run_in_threadpool(_data_day, name, span[1])
    fallback = download_name(f"{name}_v{span[0]}-v{span[1]}", day, kind)
    return _attachment(data, download_name(title, day, kind), KINDS[kind], fallback)


@requires(Role.AUDITOR)
async def audit_export(request: Request, who: Identity) -> Response:
    """The audit log as CSV for auditors and admins: every row asked for (?from=&to= office days,
    ?user=, ?action=), where /audit shows the newest 1000. The download itself is audited."""
    query = request.query_params
    try:
        since = auth.office_day_start(params.report_day(query["from"])) if query.get("from") else None
        last = params.report_day(query["to"]) if query.get("to") else None
    except params.BadParameter as exc:
        return _refuse_param(exc)
    until = auth.office_day_start(last + timedelta(days=1)) if last is not None else None
    user, action = (query.get(k, "").strip()[:200] or None for k in ("user", "action"))
    entries = await run_in_threadpool(
        auth.list_audit, engine(), limit=None, action=action, user=user, since=since, until=until
    )
    await run_in_threadpool(
        auth.audit, engine(), "audit_export", user=who.name, target="audit.csv",
        detail=f"{len(entries)} rows {request.url.query}"[:500], address=client_address(request),
    )  # fmt: skip
    data = await run_in_threadpool(auth.audit_csv, entries)
    day = clock.office_today().isoformat()
    return _attachment(data, f"{t('audit.title', 'zh')}_{day}.csv", CSV_MEDIA, f"audit_{day}.csv")


ROUTES = [
    Route("/api/audit.csv", audit_export, methods=["GET"]),
    Route("/api/report/weekly.{kind}", weekly_report, methods=["GET"]),
    Route("/api/drill.{kind}", drill_download, methods=["GET"]),
    Route("/api/reminders/term-calendar.{kind}", term_calendar, methods=["GET"]),
    Route("/api/login", login, methods=["POST"]),
    Route("/api/logout", logout, methods=["POST"]),
    Route("/api/password", change_password, methods=["POST"]),
    Route("/api/upload", upload, methods=["POST"]),
    Route("/api/upload/{pending}/errors.{kind}", error_report, methods=["GET"]),
    Route("/api/upload/{pending}/marked.xlsx", marked, methods=["GET"]),
    Route("/api/template/{dataset}.{kind}", template, methods=["GET"]),
    Route("/api/prefilled/{dataset}.xlsx", prefilled, methods=["GET"]),
    Route("/api/original/{dataset}/{version}", original, methods=["GET"]),
    Route("/api/export/{dataset}.{kind}", export, methods=["GET"]),
    Route("/api/diff/{dataset}/{span}.{kind}", diff_download, methods=["GET"]),
]


async def _no_such_route(request: Request) -> Response:
    """Any other address under /api/ (else it would reach Reflex's app, mounted behind ours): 405
    when another method is taken there, 404 otherwise."""
    allowed = {m for r in ROUTES if r.matches(request.scope)[0] is Match.PARTIAL for m in r.methods or ()}
    if allowed:
        raise HTTPException(405, headers={"allow": ", ".join(sorted(allowed))})
    raise HTTPException(404)


_HTTP_ERRORS = {404: "api.refused.not_found", 405: "api.refused.method"}


def _ours(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _http_error(request: Request, exc: Exception) -> Response:
    """What Starlette itself refuses (no such route, wrong method, a malformed form) in the routes'
    JSON shape under /api/; Starlette's own plain answer anywhere else."""
    assert isinstance(exc, HTTPException)
    if not _ours(request):
        if exc.status_code in {204, 304}:
            return Response(status_code=exc.status_code, headers=exc.headers)
        return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
    key = _HTTP_ERRORS.get(exc.status_code, "api.refused.bad_request")
    response = _refuse(exc.status_code, *both(key if exc.status_code < 500 else "api.refused.internal"))
    response.headers.update(exc.headers or {})
    return response


async def _crashed(request: Request, exc: Exception) -> Response:
    """A bug in a route: the JSON shape under /api/ (the traceback goes to the server log)."""
    if not _ours(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    return _refuse(500, *both("api.refused.internal"))


def build() -> Starlette:
    """Our routes, then every other /api/ address; Reflex mounts its own app (pages, websocket)
    behind them."""
    every_method = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(
        routes=[*ROUTES, Route("/api/{rest:path}", _no_such_route, methods=every_method)],
        exception_handlers={HTTPException: _http_error, Exception: _crashed},
    )


# ---------------------------------------------------------------------------
# HTTP hardening (等保): headers on every response, whoever made it

_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def content_security_policy(host: str | None) -> str:
    """What the Reflex frontend needs and nothing more.

    Reflex's pages carry inline scripts and styles (the hydration data, Radix's styles) and
    run scripts the server sends with ``eval`` (``rx.call_script``), hence 'unsafe-inline'
    and 'unsafe-eval'; everything else comes from this origin only: no foreign script,
    style, font or image, no plugin, no framing (the wall screen included), forms post here
    only. The event websocket is this host's (named, since not every browser reads 'self'
    as covering ws:/wss:).
    """
    sockets = f" ws://{host} wss://{host}" if host and _HOST_RE.match(host) else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self'{sockets}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own form
    # posts, and the sign-in's CSRF check would refuse them.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


def security_headers(app: Any) -> Any:
    """ASGI middleware: the hardening headers on every HTTP response (pages, our routes, static
    files), HSTS and Secure cookies when the request came over HTTPS (directly or through the proxy)."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        https = scope.get("scheme") == "https" or headers.get(b"x-forwarded-proto") == b"https"
        host = headers.get(b"host", b"").decode("latin-1")

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                out = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                for name, value in message.get("headers", []):
                    if name.lower() == b"set-cookie" and https and b"secure" not in value.lower():
                        out.remove((name, value))
                        out.append((name, value + b"; Secure"))
                out += SECURITY_HEADERS
                out.append((b"content-security-policy", content_security_policy(host).encode()))
                if https:
                    out.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": out}
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


_OURS = frozenset(
    {name for name, _ in SECURITY_HEADERS} | {b"content-security-policy", b"strict-transport-security"}
)
