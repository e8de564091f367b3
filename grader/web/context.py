"""What the web app's routes share: the application context, the session dependencies, and helpers that
find jobs, their reports and an assignment's summary (`grader.web.app` and `grader.web.desk` use them)."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader

from grader import __version__, api
from grader.web.accounts import Session
from grader.web.catalog import Catalog
from grader.web.db import Database
from grader.web.jobs import Job, JobState, JobStore
from grader.web.settings import WebSettings
from grader.web.uploads import clean_name
from grader.web.workers import WorkerPool

JOB_ID = re.compile(r"^[0-9a-f]{32}$")


# --------------------------------------------------------------------------- shared state


class LoginThrottle:
    """Slows password guessing: after `limit` failures for a name within `window` seconds, wait."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, name: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(name, []) if now - t < self.window]
            self._failures[name] = recent
            return len(recent) >= self.limit

    def failed(self, name: str) -> None:
        with self._lock:
            self._failures.setdefault(name, []).append(time.monotonic())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


@dataclass
class AppContext:
    """Everything the routes share; one per application."""

    settings: WebSettings
    data_dir: Path
    db: Database
    store: JobStore
    catalog: Catalog
    pool: WorkerPool
    templates: Jinja2Templates
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


def _ctx(request: Request) -> AppContext:
    context: AppContext = request.app.state.ctx
    return context


def _session(request: Request) -> Session:
    session: Session | None = getattr(request.state, "session", None)
    if session is None:  # the middleware lets no such request through; this guards a misconfiguration
        raise HTTPException(401, "log in first")
    return session


Ctx = Annotated[AppContext, Depends(_ctx)]
CurrentSession = Annotated[Session, Depends(_session)]


# --------------------------------------------------------------------------- helpers


def _fmt_time(value: float | None) -> str:
    if value is None:
        return ""
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("grader.web", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["when"] = _fmt_time
    env.filters["num"] = _num
    return Jinja2Templates(env=env)


def _page(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> Response:
    session: Session | None = getattr(request.state, "session", None)
    ctx = _ctx(request)
    base = {
        "user": session.user if session else None,
        "csrf_token": session.csrf_token if session else "",
        "version": __version__,
    }
    return ctx.templates.TemplateResponse(request, name, {**base, **(context or {})}, status_code=status)


def _job_or_404(ctx: AppContext, job_id: str) -> Job:
    job = ctx.store.get(job_id) if JOB_ID.match(job_id) else None
    if job is None:
        raise HTTPException(404, "no such job")
    return job


def _result_dir(ctx: AppContext, job: Job) -> Path:
    """The committed attempt's folder, checked to lie inside our own reports folder."""
    if job.state is not JobState.done or not job.result_dir:
        raise HTTPException(409, f"the job is {job.state.value}; there is no report yet")
    reports = (ctx.data_dir / "reports").resolve()
    folder = (ctx.data_dir / job.result_dir).resolve()
    if not folder.is_relative_to(reports):
        raise HTTPException(404, "no report")
    return folder


def _report_of(ctx: AppContext, job: Job) -> api.Report | None:
    try:
        return api.load_report(_result_dir(ctx, job) / "report.json")
    except (HTTPException, OSError, ValueError):
        return None


def _assignment_or_404(ctx: AppContext, name: str) -> None:
    if name not in ctx.catalog.assignments:
        raise HTTPException(404, f"no assignment called {name[:100]!r}")


def _rubric_key(ctx: AppContext, assignment: str, rubric: str | None) -> str | None:
    """None when the rubric is the assignment's own, so one rubric is never listed under two names."""
    if not rubric:
        return None
    if ctx.catalog.rubric_path(assignment, rubric) == ctx.catalog.rubric_path(assignment, None):
        return None
    return rubric


def _summary_key(job: Job) -> str:
    # Starts with the hex job id: safe in a spreadsheet cell and unique.
    return f"{job.id[:8]}-{clean_name(job.submission_name)}"


def _summary(ctx: AppContext, assignment: str, rubric: str | None = "") -> tuple[list[Job], dict[str, api.Report]]:
    """The assignment's jobs (newest first) and the reports of the done ones, keyed by `_summary_key`.

    `rubric=""` keeps every job; otherwise only those graded with that rubric (None: the assignment's own).
    """
    jobs = ctx.store.list_jobs(assignment=assignment)
    if rubric != "":
        jobs = [j for j in jobs if j.rubric == rubric]
    reports = {}
    for job in reversed(jobs):
        if job.state is JobState.done:
            report = _report_of(ctx, job)
            if report is not None:
                reports[_summary_key(job)] = report
    return jobs, reports
