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
the role itself; nothing the browser says about its role is believed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard.accounts import auth
from dashboard.accounts.auth import Identity, Role
from dashboard.contract import DATASETS
from dashboard.ingest.reading import UnreadableFile
from dashboard.settings import get_settings
from dashboard.store import storage, uploads
from dashboard.store.audit import Actor

Handler = Callable[[Request], Awaitable[Response]]


def engine():  # noqa: ANN201 (sqlalchemy Engine, cached per URL by storage)
    return storage.make_engine(get_settings().db_url)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _refuse(status: int, message: str, message_en: str) -> JSONResponse:
    return JSONResponse({"message": message, "message_en": message_en}, status_code=status)


NOT_SIGNED_IN = (401, "请先登录。", "Please sign in.")
FORBIDDEN = (403, "您的账户没有这项权限。", "Your account may not do this.")


def _same_origin(request: Request) -> bool:
    """A state-changing request must come from our own pages (CSRF), when the browser says."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def identity(request: Request) -> Identity | None:
    token = request.cookies.get(auth.SESSION_COOKIE)
    return await run_in_threadpool(auth.resolve, engine(), token)


def requires(role: Role, *, post: bool = False) -> Callable[[Callable], Handler]:
    """Route decorator: the signed-in user must hold ``role`` (checked here, on the server)."""

    def wrap(fn: Callable[[Request, Identity], Awaitable[Response]]) -> Handler:
        async def route(request: Request) -> Response:
            if post and not _same_origin(request):
                return _refuse(*FORBIDDEN)
            who = await identity(request)
            if who is None:
                return _refuse(*NOT_SIGNED_IN)
            if not who.can(role):
                return _refuse(*FORBIDDEN)
            return await fn(request, who)

        return route

    return wrap


def _attachment(data: bytes, file_name: str, media_type: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": disposition, "x-content-type-options": "nosniff"},
    )


# ---------------------------------------------------------------------------
# Sign in / out


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
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=auth.IDLE_HOURS * 3600 * 3,  # the server decides expiry; this only bounds the browser
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https",
        path="/",
    )
    return response


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
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
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
        return _refuse(404, "没有这个数据集。", "No such dataset.")
    try:
        data = await read_limited(request, settings.upload_max_bytes)
    except ClientDisconnect:  # the staff member pressed 取消上传: nothing arrived, nothing is kept
        return _refuse(400, "上传已取消。", "The upload was cancelled.")
    except TooLarge:
        mb = settings.upload_max_bytes / (1024 * 1024)
        await run_in_threadpool(
            auth.audit, engine(), "upload_rejected", user=who.name, ok=False, target=file_name,
            detail=f"too large (limit {mb:g} MB)", address=address,
        )  # fmt: skip
        response = _refuse(
            413,
            f"文件超过 {mb:g} MB 上限，已拒绝，什么都没有写入。请删去多余的工作表或行后再上传。",
            f"The file is larger than the {mb:g} MB limit and was refused; nothing was written.",
        )
        response.headers["connection"] = "close"
        return response
    try:
        if not dataset:
            dataset = await run_in_threadpool(uploads.guess_dataset, data, file_name) or ""
            if not dataset:
                return _refuse(
                    422,
                    "无法从表头判断是哪张台账，请先选择数据集。",
                    "The headers match no dataset; choose the dataset first.",
                )
        report = await run_in_threadpool(
            uploads.check_upload, engine(), settings.data_dir, data, file_name, dataset,
            user=Actor(who.name, address), reveal_names=who.is_admin,
        )  # fmt: skip
    except UnreadableFile as exc:  # check_upload audited it
        return _refuse(422, exc.message, exc.message_en)
    return JSONResponse({"id": report.id, "dataset": dataset, "accepted": report.accepted})


@requires(Role.EDITOR)
async def error_report(request: Request, who: Identity) -> Response:
    try:
        report = uploads.load_report(get_settings().data_dir, request.path_params["pending"], who.name)
    except uploads.PendingNotFound:
        return _refuse(404, "找不到这次上传（可能已过期）。", "No such upload (it may have expired).")
    stem = report.file_name.rsplit(".", 1)[0]
    return _attachment(uploads.errors_csv(report), f"{stem}-错误报告.csv", "text/csv; charset=utf-8")


# ---------------------------------------------------------------------------
# Downloads


def _dataset_or_404(request: Request) -> str | None:
    name = request.path_params["dataset"]
    return name if name in DATASETS else None


@requires(Role.EDITOR)
async def template(request: Request, who: Identity) -> Response:
    from dashboard.store.export import template_csv

    name = _dataset_or_404(request)
    kind = request.path_params["kind"]
    if name is None or kind not in ("csv", "xlsx"):
        return _refuse(404, "没有这个模板。", "No such template.")
    title = DATASETS[name].title
    if kind == "csv":
        return _attachment(template_csv(name), f"{title}-模板.csv", "text/csv; charset=utf-8")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(uploads.template_xlsx(name), f"{title}-模板.xlsx", xlsx)


@requires(Role.EDITOR)
async def original(request: Request, who: Identity) -> Response:
    name = _dataset_or_404(request)
    try:
        version = int(request.path_params["version"])
    except ValueError:
        version = -1
    found = None if name is None else await run_in_threadpool(storage.original_file, engine(), name, version)
    if found is None:
        return _refuse(404, "没有这个版本的原始文件。", "No original file for this version.")
    file_name, data = found
    await run_in_threadpool(
        auth.audit, engine(), "download_original", user=who.name, target=f"{name} v{version}",
        address=client_address(request),
    )  # fmt: skip
    return _attachment(data, file_name, "application/octet-stream")


@requires(Role.VIEWER)
async def export(request: Request, who: Identity) -> Response:
    """The current ledger as CSV; 户主 names masked for every role but admin."""
    from dashboard.store.export import to_csv_bytes

    name = _dataset_or_404(request)
    if name is None:
        return _refuse(404, "没有这个数据集。", "No such dataset.")
    frame = await run_in_threadpool(storage.load_current, engine(), name)
    data = await run_in_threadpool(lambda: to_csv_bytes(name, frame, mask_personal=not who.is_admin))
    return _attachment(data, f"{DATASETS[name].title}.csv", "text/csv; charset=utf-8")


@requires(Role.VIEWER)
async def term_calendar(request: Request, who: Identity) -> Response:
    """换届提醒: every organisation's term end with the 180-day window, as CSV."""
    from dashboard import clock, i18n
    from dashboard.board import warnings

    lang = request.query_params.get("lang", "zh")
    lang = lang if lang in ("zh", "en") else "zh"
    frames = {"elections": await run_in_threadpool(storage.load_current, engine(), "elections")}
    data = await run_in_threadpool(warnings.term_calendar_csv, frames, clock.office_today(), lang)
    return _attachment(data, i18n.t("term_calendar.file", lang) + ".csv", "text/csv; charset=utf-8")


@requires(Role.VIEWER)
async def drill_csv(request: Request, who: Identity) -> Response:
    """The rows behind a clicked bar, slice or cell (same filters as the board), as CSV; 户主
    names masked for every role but admin."""
    from dashboard.board import CACHE, drill
    from dashboard.insights import filters as flt
    from dashboard.store.export import to_csv_bytes

    params = request.query_params
    filters = flt.Filters.from_query(params)
    frames = await run_in_threadpool(CACHE.frames, filters)
    got = drill.rows_behind(frames, params.get("chart", ""), params.get("label", ""))
    if got is None:
        return _refuse(404, "没有这些行。", "No such rows.")
    dataset, rows = got
    data = await run_in_threadpool(lambda: to_csv_bytes(dataset, rows, mask_personal=not who.is_admin))
    return _attachment(data, f"{DATASETS[dataset].title}.csv", "text/csv; charset=utf-8")


@requires(Role.VIEWER)
async def weekly_report(request: Request, who: Identity) -> Response:
    """The weekly report as a Word or PDF file (``?week_ending=YYYY-MM-DD&lang=zh|en``)."""
    from datetime import date

    from dashboard import clock
    from dashboard.notify import document

    fmt = request.path_params["kind"]
    if fmt not in ("docx", "pdf"):
        return _refuse(404, "没有这种格式。", "No such format.")
    params = request.query_params
    lang = params.get("lang") if params.get("lang") in ("zh", "en") else get_settings().digest_lang
    try:
        day = date.fromisoformat(params["week_ending"]) if params.get("week_ending") else clock.office_today()
    except ValueError:
        return _refuse(400, "日期应写成 2026-12-04。", "The date must look like 2026-12-04.")
    try:
        doc = await run_in_threadpool(document.build, engine(), day, fmt, lang)
    except Exception:  # no PDF maker on this server: say so, no trace
        import logging

        logging.getLogger(__name__).exception("weekly report %s failed", fmt)
        return _refuse(
            503, "暂时无法生成该文件，请联系管理员。", "The file cannot be made now; ask the administrator."
        )
    return _attachment(doc.content, document.file_name(day, fmt), doc.mime)


ROUTES = [
    Route("/api/report/weekly.{kind}", weekly_report, methods=["GET"]),
    Route("/api/drill.csv", drill_csv, methods=["GET"]),
    Route("/api/reminders/term-calendar.csv", term_calendar, methods=["GET"]),
    Route("/api/login", login, methods=["POST"]),
    Route("/api/logout", logout, methods=["POST"]),
    Route("/api/upload", upload, methods=["POST"]),
    Route("/api/upload/{pending}/errors.csv", error_report, methods=["GET"]),
    Route("/api/template/{dataset}.{kind}", template, methods=["GET"]),
    Route("/api/original/{dataset}/{version}", original, methods=["GET"]),
    Route("/api/export/{dataset}.csv", export, methods=["GET"]),
]


def build() -> Starlette:
    """Our routes; Reflex mounts its own app (pages, websocket) behind them."""
    return Starlette(routes=ROUTES)
