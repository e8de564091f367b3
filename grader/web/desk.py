"""The reviewer's desk in the web app: the report page with its review forms, the assignment's summary,
re-grading, deleting and downloading.

The pages are the CLI's own (`grader.api.render_report_dir`, `grader.api.render_summary`) with
the app's navigation, log-out and forms added (`grader.api.Desk`); every override goes through
`grader.api.review`, exactly as `grader review` does. Forms post with the session's CSRF token
(checked by the middleware) and only a logged-in reviewer reaches any of this.
"""

from __future__ import annotations

import shutil
import threading
import time
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from grader import api
from grader.errors import ReviewError
from grader.web.accounts import Session
from grader.web.context import (
    AppContext,
    Ctx,
    CurrentSession,
    _assignment_or_404,
    _job_or_404,
    _page,
    _result_dir,
    _rubric_key,
    _summary,
    _summary_key,
)
from grader.web.jobs import Job, JobState

desk_routes = APIRouter(include_in_schema=False)

#: How many candidates the comparison page takes (as `grader compare`).
MIN_COMPARED, MAX_COMPARED = 2, 4
#: One review at a time: each rewrites report.json from what it read.
_REVIEW_LOCK = threading.Lock()
NOTICES = {
    "criterion": "Override recorded.",
    "check": "Points recorded.",
    "dismiss": "Finding dismissed.",
    "note": "Note added.",
}


def _html(page: str, status: int = 200) -> Response:
    """A page rendered by grader.rendering, with the policy it declares sent as a header too."""
    policy = api.page_policy(page) + "; frame-ancestors 'none'"
    return Response(
        page, status_code=status, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": policy}
    )


def _executed(ctx: AppContext, job: Job) -> list[str]:
    folder = _result_dir(ctx, job) / "executed"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.is_symlink() and p.suffix == ".ipynb")


# --------------------------------------------------------------------------- the report


def _report(
    request: Request,
    ctx: AppContext,
    session: Session,
    job: Job,
    *,
    notice: str = "",
    error: bool = False,
    dismiss: str | None = None,
    status: int = 200,
) -> Response:
    folder = _result_dir(ctx, job)
    if not (folder / "report.json").is_file():
        raise HTTPException(404, "the report of this job is missing")
    title = (
        ctx.catalog.assignments[job.assignment].assignment.title if job.assignment in ctx.catalog.assignments else ""
    )
    links = [api.DeskLink("report.json", f"/jobs/{job.id}/report.json", id="download-json")]
    links += [
        api.DeskLink(f"executed {name}", f"/jobs/{job.id}/executed/{quote(name)}", id=f"download-executed-{n}")
        for n, name in enumerate(_executed(ctx, job))
    ]
    desk = api.Desk(
        user=session.user.name,
        csrf_token=session.csrf_token,
        back=api.DeskLink(title or job.assignment, f"/assignments/{quote(job.assignment, safe='')}", id="back-link"),
        links=tuple(links),
        review_action=f"/jobs/{job.id}/review",
        dismiss=dismiss,
        notice=notice,
        notice_error=error,
    )
    upload = ctx.data_dir / job.upload_path
    page = api.render_report_dir(folder, submission=upload if upload.is_dir() else None, desk=desk)
    return _html(page, status)


@desk_routes.get("/jobs/{job_id}/report")
def report_page(
    request: Request, ctx: Ctx, session: CurrentSession, job_id: str, recorded: str = "", dismiss: str = ""
) -> Response:
    """A graded job's report, with the reviewer's forms."""
    job = _job_or_404(ctx, job_id)
    return _report(request, ctx, session, job, notice=NOTICES.get(recorded, ""), dismiss=dismiss[:64] or None)


@desk_routes.post("/jobs/{job_id}/review")
async def review(request: Request, ctx: Ctx, session: CurrentSession, job_id: str) -> Response:
    """Record an override, a dismissed finding or a note from the report page's forms (as `grader review`)."""
    job = _job_or_404(ctx, job_id)
    folder = _result_dir(ctx, job)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    action = fields.get("action", "")
    target = fields.get("target", "").strip()[:200]
    reason = fields.get("reason", "")
    options: dict[str, Any] = {}
    try:
        if action in ("criterion", "check"):
            try:
                points = float(fields.get("points", "").strip())
            except ValueError:
                raise ReviewError("give the points as a number") from None
            options = {action: target, "points": points, "reason": reason}
        elif action == "dismiss":
            options = {"dismiss": target, "reason": reason}
        elif action == "note":
            options = {"note": reason}
        else:
            raise ReviewError("choose what to record: a criterion's or a check's points, a dismissal or a note")

        def record() -> None:
            with _REVIEW_LOCK:
                api.review(folder, reviewer=session.user.name, **options)

        await anyio.to_thread.run_sync(record)
    except ReviewError as exc:
        message = str(exc)
        return await anyio.to_thread.run_sync(
            lambda: _report(request, ctx, session, job, notice=message, error=True, status=400)
        )
    return RedirectResponse(f"/jobs/{job.id}/report?recorded={action}#review", status_code=303)


@desk_routes.get("/jobs/{job_id}/executed/{name}")
def executed_download(ctx: Ctx, job_id: str, name: str) -> Response:
    """The notebook as it ran in the sandbox."""
    job = _job_or_404(ctx, job_id)
    if name not in _executed(ctx, job):
        raise HTTPException(404, "no such executed notebook")
    return FileResponse(
        _result_dir(ctx, job) / "executed" / name,
        media_type="application/x-ipynb+json",
        filename=f"{job.id[:8]}-{name}",
    )


# --------------------------------------------------------------------------- re-grade and delete


@desk_routes.post("/jobs/{job_id}/regrade")
def regrade(ctx: Ctx, job_id: str) -> Response:
    """Grade a finished job again (a new rubric or grader version); the old report stays until the new one."""
    job = _job_or_404(ctx, job_id)
    if not ctx.store.requeue(job.id):
        raise HTTPException(409, f"the job is {job.state.value}; only a finished job can be graded again")
    ctx.pool.notify()
    return RedirectResponse(f"/assignments/{quote(job.assignment, safe='')}", status_code=303)


@desk_routes.get("/jobs/{job_id}/delete")
def delete_page(request: Request, ctx: Ctx, job_id: str) -> Response:
    """Ask before deleting a job, its upload and its report."""
    job = _job_or_404(ctx, job_id)
    return _page(request, "delete.html.j2", {"job": job})


@desk_routes.post("/jobs/{job_id}/delete")
def delete(ctx: Ctx, job_id: str) -> Response:
    """Delete a job with its upload and reports (not while it is being graded)."""
    job = _job_or_404(ctx, job_id)
    if not ctx.store.delete(job.id):
        raise HTTPException(409, "the job is being graded; delete it once it is done")
    for folder in (ctx.data_dir / "reports" / job.id, ctx.data_dir / "uploads" / job.id):
        shutil.rmtree(folder, ignore_errors=True)
    return RedirectResponse(f"/assignments/{quote(job.assignment, safe='')}", status_code=303)


# --------------------------------------------------------------------------- the assignment's summary


def _row_status(job: Job) -> str:
    if job.state is JobState.done:
        return job.report_status or "failed"
    return "error" if job.state is JobState.failed else job.state.value


def _progress(job: Job) -> str:
    if job.state is JobState.running and job.started_at:
        running = f"grading for {int(time.time() - job.started_at)} s (attempt {job.attempts})"
        return f"{job.progress_text}, {running}" if job.progress_text else running
    return "waiting for a worker" if job.state is JobState.queued else ""


def _row(job: Job, scored: dict[str, Any] | None) -> dict[str, Any]:
    base: dict[str, Any] = scored or {
        "submission": _summary_key(job),
        "candidate": job.candidate,
        "status": _row_status(job),
        "error": (job.error or "").splitlines()[0][:300] if job.error else "",
        "flags": [],
        "criteria": {},
    }
    actions = []
    if job.finished:
        actions.append(api.RowAction("Re-grade", f"/jobs/{job.id}/regrade", id=f"regrade-{job.id}"))
    if job.state is JobState.done:
        actions.append(api.RowAction("report.json", f"/jobs/{job.id}/report.json", method="get"))
    if job.state is not JobState.running:
        actions.append(
            api.RowAction("Delete", f"/jobs/{job.id}/delete", method="get", danger=True, id=f"delete-{job.id}")
        )
    return {
        **base,
        "href": f"/jobs/{job.id}/report" if scored else f"/jobs/{job.id}",
        "job": job.id,
        "progress": _progress(job),
        "actions": actions,
    }


@desk_routes.get("/assignments/{name}")
def assignment_page(request: Request, ctx: Ctx, session: CurrentSession, name: str, rubric: str = "") -> Response:
    """An assignment's candidates: the batch summary's sortable, filterable table, with links and actions."""
    _assignment_or_404(ctx, name)
    if rubric and rubric not in ctx.catalog.rubrics:
        raise HTTPException(404, "no such rubric")
    key = _rubric_key(ctx, name, rubric or None)
    jobs, reports = _summary(ctx, name, key)
    rows = {row["submission"]: row for row in api.summary_rows(reports)}
    table = [_row(job, rows.get(_summary_key(job))) for job in jobs]
    loaded = api.load_rubric(ctx.catalog.rubric_path(name, key))
    title = ctx.catalog.assignments[name].assignment.title
    quoted = quote(name, safe="")
    csv = f"/assignments/{quoted}/summary.csv" + (f"?rubric={quote(rubric)}" if rubric else "")
    others = sorted({j.rubric for j in ctx.store.list_jobs(assignment=name) if j.rubric and j.rubric != key})
    links = [api.DeskLink("summary.csv", csv, id="download-csv")]
    links += [api.DeskLink(f"graded with {r}", f"/assignments/{quoted}?rubric={quote(r)}") for r in others]
    if key:
        links.append(api.DeskLink("the assignment's rubric", f"/assignments/{quoted}"))
    desk = api.Desk(
        user=session.user.name,
        csrf_token=session.csrf_token,
        back=api.DeskLink("All assignments", "/", id="back-link"),
        links=tuple(links),
        poll=f"/assignments/{quoted}/progress.json" + (f"?rubric={quote(rubric)}" if rubric else ""),
    )
    compare = f"/assignments/{quoted}/compare" + (f"?rubric={quote(rubric)}" if rubric else "")
    return _html(api.render_summary(table, loaded.rubric, title=title, desk=desk, compare_href=compare))


@desk_routes.get("/assignments/{name}/compare")
def compare_page(ctx: Ctx, name: str, c: str = "", rubric: str = "") -> Response:
    """Two to four checked candidates side by side: `grader compare`'s page, from the summary's checkboxes."""
    _assignment_or_404(ctx, name)
    key = _rubric_key(ctx, name, rubric or None)
    wanted = [k for k in dict.fromkeys(c.split(",")) if k][:50]
    if not MIN_COMPARED <= len(wanted) <= MAX_COMPARED:
        raise HTTPException(
            400, f"Check {MIN_COMPARED} to {MAX_COMPARED} graded candidates to compare ({len(wanted)} checked)."
        )
    jobs, reports = _summary(ctx, name, key)
    by_key = {_summary_key(j): j for j in jobs if _summary_key(j) in reports}
    missing = [k for k in wanted if k not in by_key]
    if missing:
        raise HTTPException(404, f"not graded (or not in this assignment): {', '.join(missing)[:300]}")
    folders = {k: _result_dir(ctx, by_key[k]) for k in wanted}
    hrefs = {k: f"/jobs/{by_key[k].id}/report" for k in wanted}
    back = f"/assignments/{quote(name, safe='')}" + (f"?rubric={quote(rubric)}" if rubric else "")
    try:
        page = api.render_compare(folders, hrefs=hrefs, up_href=back)
    except ReviewError as exc:
        raise HTTPException(400, str(exc)) from None
    return _html(page)


@desk_routes.get("/assignments/{name}/progress.json")
def assignment_progress(ctx: Ctx, name: str, rubric: str = "") -> dict[str, Any]:
    """The state of the assignment's jobs, polled by its page while some still grade."""
    _assignment_or_404(ctx, name)
    key = _rubric_key(ctx, name, rubric or None)
    jobs = [j for j in ctx.store.list_jobs(assignment=name) if j.rubric == key]
    return {
        "pending": any(not j.finished for j in jobs),
        "jobs": [{"id": j.id, "row_status": _row_status(j), "progress": _progress(j)} for j in jobs],
    }
