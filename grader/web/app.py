"""The FastAPI application: reviewers upload submissions, follow their grading and read the reports.

Thin over the library: uploads are validated by `grader.submission`, graded by
`grader.api` graders in the worker pool, and summarised by `grader.pipeline.batch`.
HTML pages are server-rendered Jinja templates shipped with the package; the
same actions are offered as JSON under `/api/`, described by the OpenAPI schema
at `/api/openapi.json` (which, like every route but `/login` and `/static/`,
needs a login).
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Form, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from grader import __version__, api
from grader.web.accounts import Session, authenticate, end_session, start_session
from grader.web.catalog import load_catalog
from grader.web.context import (
    AppContext,
    Ctx,
    CurrentSession,
    _assignment_or_404,
    _job_or_404,
    _page,
    _report_of,
    _result_dir,
    _rubric_key,
    _summary,
    _summary_key,
    _templates,
)
from grader.web.databases import open_database
from grader.web.desk import desk_routes
from grader.web.jobs import Job, JobState, JobStore
from grader.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    AuthMiddleware,
    SecurityHeadersMiddleware,
    is_api,
    new_login_csrf,
    safe_next,
)
from grader.web.settings import WebSettings
from grader.web.uploads import UploadReceiver, UploadRefused, clean_name, discard, prepare_submission
from grader.web.workers import GraderFactory, GradingBackend, SandboxGraderFactory, WorkerPool, load_factory

log = logging.getLogger("grader.web")
REFRESH_SECONDS = 2


# --------------------------------------------------------------------------- API models


class JobOut(BaseModel):
    """A grading job as the API shows it."""

    id: str
    assignment: str
    rubric: str | None
    candidate: str
    submission: str
    state: JobState
    attempts: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    report_status: str | None
    score: float | None
    max: float | None
    percent: float | None
    band: str | None
    flags: list[str]
    error: str | None
    #: The code cell running now ("cell 7 of 23"), or "".
    progress: str = ""


class AssignmentOut(BaseModel):
    name: str
    title: str
    task: str
    primary_metric: str
    rubric: str
    jobs: dict[str, int]


class MeOut(BaseModel):
    user: str
    csrf_token: str


class SummaryOut(BaseModel):
    assignment: str
    rubric: str
    submissions: list[dict[str, Any]]


UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["assignment"],
                    "properties": {
                        "csrf_token": {
                            "type": "string",
                            "description": "the session's CSRF token, first, unless the X-CSRF-Token header is sent",
                        },
                        "assignment": {"type": "string"},
                        "rubric": {
                            "type": "string",
                            "description": "a file name from rubrics/; default: the assignment's",
                        },
                        "candidate": {"type": "string"},
                        "anonymous": {
                            "type": "string",
                            "enum": ["on"],
                            "description": "replace names by an anonymous id",
                        },
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "the files of a folder; each part's filename is its relative path",
                        },
                        "archive": {"type": "string", "format": "binary", "description": "a .zip (or a single .ipynb)"},
                    },
                }
            }
        },
    },
}


# --------------------------------------------------------------------------- helpers


def _job_out(job: Job) -> JobOut:
    return JobOut(**job.public())


# --------------------------------------------------------------------------- uploads


@dataclass
class UploadResult:
    job: Job | None = None
    error: UploadRefused | None = None
    fields: dict[str, str] = field(default_factory=dict)


async def _accept_upload(request: Request, ctx: AppContext, session: Session) -> UploadResult:
    """Stream, store, unpack and validate one upload, then queue it; never leaves files behind on refusal."""
    job_id = uuid.uuid4().hex
    staging = ctx.data_dir / "uploads" / job_id
    staging.mkdir(mode=0o700, parents=True)
    result = UploadResult()
    try:
        receiver = UploadReceiver(
            staging,
            ctx.settings.limits,
            csrf_token=session.csrf_token,
            csrf_verified=bool(getattr(request.state, "csrf_checked", False)),
        )
        try:
            received = await receiver.receive(
                request.headers.get("content-type", ""), request.headers.get("content-length"), request.stream()
            )
        finally:
            result.fields = receiver.result.fields
        assignment = received.fields.get("assignment", "")
        if assignment not in ctx.catalog.assignments:
            raise UploadRefused(
                "choose an assignment from the list"
                if not assignment
                else f"there is no assignment called {assignment[:100]!r}"
            )
        rubric = received.fields.get("rubric") or None
        if rubric is not None and rubric not in ctx.catalog.rubrics:
            raise UploadRefused(f"there is no rubric called {rubric[:100]!r}")
        loaded = ctx.catalog.assignments[assignment]
        prepared = await anyio.to_thread.run_sync(
            lambda: prepare_submission(staging, received, loaded, ctx.settings.limits)
        )
        name = prepared.name
        candidate = "".join(ch for ch in received.fields.get("candidate", "") if ch.isprintable()).strip()[:100]
        blind = received.fields.get("anonymous", "").lower() in ("on", "1", "true", "yes")
        if blind:  # graded blind, as the CLI's --blind: no name, e-mail address or upload path in the report
            candidate = name = api.anonymous_id(job_id)
        elif not candidate:
            candidate = name
        result.job = ctx.store.enqueue(
            job_id=job_id,
            assignment=assignment,
            rubric=_rubric_key(ctx, assignment, rubric),
            candidate=candidate,
            submission_name=name,
            upload_path=prepared.root.relative_to(ctx.data_dir).as_posix(),
            created_by=session.user.id,
            blind=blind,
        )
    except UploadRefused as exc:
        discard(staging)
        result.error = exc
        return result
    except BaseException:
        discard(staging)
        raise
    ctx.pool.notify()
    log.info("queued job %s (%s) for %s", job_id, assignment, session.user.name)
    return result


# --------------------------------------------------------------------------- HTML routes

pages = APIRouter(include_in_schema=False)


@pages.get("/login")
def login_page(request: Request, ctx: Ctx, next: str = "/") -> Response:  # noqa: A002 - the query name
    """The login form."""
    return _login_form(request, ctx, next=next)


def _login_form(
    request: Request,
    ctx: AppContext,
    *,
    next: str,  # noqa: A002 - the login form's own field name
    error: str | None = None,
    status: int = 200,
    name: str = "",
) -> Response:
    # Reuse the browser's token: a second login tab (or a favicon fetch redirected here) must not
    # invalidate the form already on screen.
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{32}", token):
        token = new_login_csrf()
    response = _page(
        request, "login.html.j2", {"login_csrf": token, "next": safe_next(next), "error": error, "name": name}, status
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
        path="/login",
        max_age=3600,
    )
    return response


@pages.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",  # noqa: A002 - the login form field
) -> Response:
    """Check a reviewer's name and password and start a session."""
    if ctx.throttle.blocked(name):
        return _login_form(
            request, ctx, next=next, error="too many failed attempts; wait a few minutes", status=429, name=name
        )
    user = authenticate(ctx.db, name, password)
    if user is None:
        ctx.throttle.failed(name)
        return _login_form(request, ctx, next=next, error="wrong name or password", status=400, name=name)
    ctx.throttle.succeeded(name)
    token, _ = start_session(ctx.db, user, max_seconds=ctx.settings.session_max_seconds)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
        path="/",
        max_age=int(ctx.settings.session_max_seconds),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@pages.post("/logout")
def logout(ctx: Ctx, session: CurrentSession) -> Response:
    """End the session."""
    end_session(ctx.db, session.token_hash)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=ctx.settings.secure_cookies)
    return response


def _index(
    request: Request,
    ctx: AppContext,
    *,
    error: str | None = None,
    fields: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    limits = ctx.settings.limits
    return _page(
        request,
        "index.html.j2",
        {
            "assignments": ctx.catalog.assignments,
            "rubrics": sorted(ctx.catalog.rubrics),
            "problems": ctx.catalog.problems,
            "counts": ctx.store.counts(),
            "jobs": ctx.store.list_jobs(limit=20),
            "error": error,
            "fields": fields or {},
            "limits": {
                "files": limits.max_files,
                "file_mb": limits.max_file_bytes / 2**20,
                "total_mb": limits.max_request_bytes / 2**20,
            },
        },
        status,
    )


@pages.get("/")
def index(request: Request, ctx: Ctx) -> Response:
    """The upload form and the latest jobs."""
    return _index(request, ctx)


@pages.post("/upload")
async def upload_page(request: Request, ctx: Ctx, session: CurrentSession) -> Response:
    """Receive a submission from the upload form and queue it for grading."""
    result = await _accept_upload(request, ctx, session)
    if result.error is not None:
        if result.error.status == 403:
            raise HTTPException(403, result.error.message)
        return await anyio.to_thread.run_sync(
            lambda: _index(
                request,
                ctx,
                error=result.error.message if result.error else None,
                fields=result.fields,
                status=result.error.status if result.error else 400,
            )
        )
    assert result.job is not None
    return RedirectResponse(f"/jobs/{result.job.id}", status_code=303)


@pages.get("/jobs/{job_id}")
def job_page(request: Request, ctx: Ctx, job_id: str) -> Response:
    """One job: its state and, when graded, the report's headline."""
    job = _job_or_404(ctx, job_id)
    report = _report_of(ctx, job) if job.state is JobState.done else None
    html_report = bool(report) and (_result_dir(ctx, job) / "report.html").is_file()
    return _page(
        request,
        "job.html.j2",
        {
            "job": job,
            "report": report,
            "html_report": html_report,
            "refresh": None if job.finished else REFRESH_SECONDS,
        },
    )


@pages.get("/jobs/{job_id}/report.json")
def report_download(ctx: Ctx, job_id: str) -> Response:
    """A graded job's report.json."""
    job = _job_or_404(ctx, job_id)
    path = _result_dir(ctx, job) / "report.json"
    if not path.is_file():
        raise HTTPException(404, "the report of this job is missing")
    return Response(
        path.read_bytes(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="report-{job.id}.json"'},
    )


@pages.get("/assignments/{name}/summary.csv")
def summary_csv(ctx: Ctx, name: str, rubric: str = "") -> Response:
    """An assignment's summary.csv for one rubric."""
    _assignment_or_404(ctx, name)
    if rubric and rubric not in ctx.catalog.rubrics:
        raise HTTPException(404, "no such rubric")
    key = _rubric_key(ctx, name, rubric or None)
    _, reports = _summary(ctx, name, key)
    loaded = api.load_rubric(ctx.catalog.rubric_path(name, key))
    data = api.summary_csv(reports, loaded.rubric).encode()
    filename = f"{clean_name(name)}-{clean_name(key or 'default')}-summary.csv"
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --------------------------------------------------------------------------- JSON API

api_routes = APIRouter(prefix="/api", tags=["api"])


@api_routes.get("/me")
def me(session: CurrentSession) -> MeOut:
    """Who is logged in, and the CSRF token to send as `X-CSRF-Token` with every POST."""
    return MeOut(user=session.user.name, csrf_token=session.csrf_token)


@api_routes.get("/assignments")
def list_assignments(ctx: Ctx) -> list[AssignmentOut]:
    """The assignments submissions can be graded against, with their job counts."""
    counts = ctx.store.counts()
    return [
        AssignmentOut(
            name=name,
            title=a.assignment.title,
            task=a.assignment.task.value,
            primary_metric=a.assignment.primary_metric.value,
            rubric=a.rubric_path().name,
            jobs=counts.get(name, {}),
        )
        for name, a in sorted(ctx.catalog.assignments.items())
    ]


@api_routes.post(
    "/uploads",
    status_code=201,
    openapi_extra=UPLOAD_SCHEMA,
    responses={
        400: {"description": "refused submission"},
        403: {"description": "bad CSRF token"},
        413: {"description": "over a size or count limit"},
    },
)
async def upload(request: Request, ctx: Ctx, session: CurrentSession) -> JSONResponse:
    """Upload a submission (folder files or a .zip) and queue it for grading."""
    result = await _accept_upload(request, ctx, session)
    if result.error is not None:
        return JSONResponse({"detail": result.error.message}, status_code=result.error.status)
    assert result.job is not None
    return JSONResponse(
        _job_out(result.job).model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/api/jobs/{result.job.id}"},
    )


@api_routes.get("/jobs")
def list_jobs(ctx: Ctx, assignment: str | None = None) -> list[JobOut]:
    """Jobs, newest first, optionally for one assignment."""
    return [_job_out(j) for j in ctx.store.list_jobs(assignment=assignment)]


@api_routes.get("/jobs/{job_id}")
def get_job(ctx: Ctx, job_id: str) -> JobOut:
    """One job's state; poll it until `state` is `done` or `failed`."""
    return _job_out(_job_or_404(ctx, job_id))


@api_routes.get("/jobs/{job_id}/report", responses={409: {"description": "not graded yet"}})
def get_report(ctx: Ctx, job_id: str) -> Response:
    """The job's report.json (the schema is `schemas/report.schema.json`)."""
    job = _job_or_404(ctx, job_id)
    path = _result_dir(ctx, job) / "report.json"
    if not path.is_file():
        raise HTTPException(404, "the report of this job is missing")
    return Response(path.read_bytes(), media_type="application/json")


@api_routes.get("/assignments/{name}/summary")
def get_summary(ctx: Ctx, name: str) -> SummaryOut:
    """The batch summary rows (as in summary.json) of every graded submission of an assignment."""
    _assignment_or_404(ctx, name)
    jobs, reports = _summary(ctx, name)
    job_ids = {_summary_key(j): j.id for j in jobs}
    rows = api.summary_rows(reports)
    for row in rows:
        row["job"] = job_ids[row["submission"]]
        row["report"] = f"/jobs/{row['job']}/report"
    return SummaryOut(assignment=name, rubric=ctx.catalog.assignments[name].rubric_path().name, submissions=rows)


# --------------------------------------------------------------------------- the application


def _remove_orphan_uploads(data_dir: Path, store: JobStore, older_than: float = 3600.0) -> None:
    """Uploads of a server that died mid-upload never became jobs: remove them."""
    known = store.ids()
    now = time.time()
    for folder in (data_dir / "uploads").iterdir():
        if folder.name not in known and now - folder.stat().st_mtime > older_than:
            shutil.rmtree(folder, ignore_errors=True)


def _default_factory(settings: WebSettings) -> GraderFactory:
    """The Docker sandbox on this host, or the broker's workers with `--broker`."""
    if settings.broker:
        from grader.web.broker import BrokerGraderFactory

        return BrokerGraderFactory(settings.broker, settings.result_backend)
    return SandboxGraderFactory()


def create_app(
    settings: WebSettings | None = None, *, grader_factory: GraderFactory | None = None, start_workers: bool = True
) -> FastAPI:
    """Build the application: open (and migrate) the database, load assignments, prepare the workers."""
    settings = settings or WebSettings()
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for sub in ("uploads", "reports"):
        (data_dir / sub).mkdir(mode=0o700, exist_ok=True)
    db = open_database(settings.database, data_dir / settings.db_path.name)
    db.initialise()
    store = JobStore(db)
    catalog = load_catalog(settings.assignment_dirs, settings.rubrics_dir)
    factory = grader_factory or (
        load_factory(settings.grader_factory) if settings.grader_factory else _default_factory(settings)
    )
    pool = WorkerPool(
        store,
        GradingBackend(catalog, factory),
        data_dir,
        workers=settings.workers,
        lease_seconds=settings.lease_seconds,
        poll_seconds=settings.poll_seconds,
        max_attempts=settings.max_attempts,
    )
    ctx = AppContext(
        settings=settings, data_dir=data_dir, db=db, store=store, catalog=catalog, pool=pool, templates=_templates()
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _remove_orphan_uploads(data_dir, store)
        if start_workers:
            pool.start()
        try:
            yield
        finally:
            if start_workers:
                await anyio.to_thread.run_sync(pool.stop)
            db.close()

    app = FastAPI(
        title="take-home-grader",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        description="Upload take-home submissions, follow their grading and read the reports. "
        "Every route except /login needs the session cookie; every POST needs the "
        "X-CSRF-Token header (GET /api/me returns it).",
    )
    app.state.ctx = ctx
    app.add_middleware(AuthMiddleware, db=db, idle_seconds=settings.session_idle_seconds)
    app.add_middleware(SecurityHeadersMiddleware)  # added last: outermost, so it also covers refusals
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.include_router(desk_routes)
    app.include_router(pages)
    app.include_router(api_routes)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request.url.path) or getattr(request.state, "session", None) is None:
            return await http_exception_handler(request, exc)
        return _page(request, "error.html.j2", {"status": exc.status_code, "message": exc.detail}, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request.url.path):
            return await request_validation_exception_handler(request, exc)
        return _page(request, "error.html.j2", {"status": 400, "message": "the form was incomplete or invalid"}, 400)

    return app
