"""The grading worker pool: threads that claim jobs from SQLite and grade them through `grader.api`.

Grading is mostly waiting on a Docker container, so threads are enough; the
claim protocol in `jobs.py` would let several processes share one queue too.
A keeper thread renews the leases of the jobs this process is grading and puts
back jobs whose owner died or whose lease lapsed.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import shutil
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from grader import api
from grader.web.catalog import Catalog
from grader.web.jobs import Job, JobState, JobStore, Outcome, new_owner_id

log = logging.getLogger("grader.web")


class GraderLike(Protocol):
    """What a worker needs from a grader: `grader.pipeline.grading.Grader` is one."""

    def grade(
        self,
        path: Path,
        *,
        out_dir: Path | None = None,
        name: str | None = None,
        candidate: str | None = None,
        on_cell: Callable[[api.CellProgress], None] | None = None,
    ) -> api.Report: ...


class GraderFactory(Protocol):
    """Builds the grader for one (assignment, rubric file[, blind]); called once per combination and cached.

    `blind` is passed only when true, so a factory that never grades blind may omit it.
    """

    def __call__(self, assignment: api.LoadedAssignment, rubric: Path, /, **options: bool) -> GraderLike: ...


def html_renderer_available() -> bool:
    """True once `grader.rendering` provides the HTML report renderer."""
    try:
        module = importlib.import_module("grader.rendering")
    except ImportError:
        return False
    return hasattr(module, "render_report_html")


class SandboxGraderFactory:
    """The real thing: `api.make_grader` with one shared sandbox runner.

    The runner (Docker client, leftover reaping, image lookup) is made once, on
    first use, so reaping never races a container another job just created.
    """

    def __init__(self) -> None:
        self._runner: api.SandboxRunner | None = None
        self._lock = threading.Lock()

    def __call__(self, assignment: api.LoadedAssignment, rubric: Path, /, **options: bool) -> GraderLike:
        with self._lock:
            if self._runner is None:
                self._runner = api.sandbox_runner()
            runner = self._runner
        return api.make_grader(
            assignment=assignment,
            rubric=rubric,
            sandbox=runner,
            write_html=html_renderer_available(),
            blind=options.get("blind", False),
        )


def load_factory(spec: str) -> GraderFactory:
    """A factory named "module:attribute" (tests point this at a fake grader)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"a grader factory is 'module:attribute', not {spec!r}")
    factory = getattr(importlib.import_module(module_name), attribute)
    if not callable(factory):
        raise ValueError(f"{spec} is not callable")
    return factory  # type: ignore[no-any-return]


class GradingBackend:
    """Graders per (assignment, rubric), made on first use and shared by every worker."""

    def __init__(self, catalog: Catalog, factory: GraderFactory) -> None:
        self.catalog = catalog
        self.factory = factory
        self._graders: dict[tuple[str, str | None, bool], GraderLike] = {}
        self._lock = threading.Lock()

    def grader_for(self, assignment: str, rubric: str | None, *, blind: bool = False) -> GraderLike:
        key = (assignment, rubric, blind)
        with self._lock:
            grader = self._graders.get(key)
            if grader is None:
                loaded = self.catalog.assignments[assignment]
                path = self.catalog.rubric_path(assignment, rubric)
                grader = self.factory(loaded, path, blind=True) if blind else self.factory(loaded, path)
                self._graders[key] = grader  # a factory that raised is retried by the next job
            return grader


def outcome_of(report: api.Report, result_dir: str) -> Outcome:
    """What a finished job records of its report."""
    error = report.error.strip()[:4000] if report.error else None
    return Outcome(
        state=JobState.done,
        result_dir=result_dir,
        report_status=report.status.value,
        score=report.total.score,
        max_score=report.total.max,
        percent=report.total.percent,
        band=report.total.band,
        flags=tuple(f.kind.value for f in report.flags),
        error=error,
    )


class WorkerPool:
    """N grading threads plus a keeper thread, all acting as one job owner."""

    def __init__(
        self,
        store: JobStore,
        backend: GradingBackend,
        data_dir: Path,
        *,
        workers: int,
        lease_seconds: float,
        poll_seconds: float,
        max_attempts: int,
    ) -> None:
        self.store = store
        self.backend = backend
        self.data_dir = data_dir
        self.workers = max(1, workers)
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self.owner = new_owner_id()
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._inflight: set[str] = set()
        self._inflight_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Put back what a dead server left running, then start grading."""
        recovered = self.store.recover(max_attempts=self.max_attempts, check_owners=True)
        if recovered:
            log.info("requeued or failed %d job(s) left running by a stopped server", len(recovered))
        for index in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"grade-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        keeper = threading.Thread(target=self._keep, name="grade-keeper", daemon=True)
        keeper.start()
        self._threads.append(keeper)

    def notify(self) -> None:
        """A job was queued: wake an idle worker now rather than at its next poll."""
        with self._wake:
            self._wake.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop claiming; jobs still being graded go back to the queue for the next start."""
        self._stop.set()
        self.notify()
        for thread in self._threads:
            thread.join(timeout=timeout / max(1, len(self._threads)))
        released = self.store.release(self.owner)
        if released:
            log.info("put %d unfinished job(s) back in the queue", released)

    # ------------------------------------------------------------------ threads

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.store.claim(self.owner, self.lease_seconds)
            except Exception:
                log.exception("could not claim a job")
                job = None
            if job is None:
                with self._wake:
                    self._wake.wait(self.poll_seconds)
                continue
            with self._inflight_lock:
                self._inflight.add(job.id)
            try:
                self._run(job)
            finally:
                with self._inflight_lock:
                    self._inflight.discard(job.id)

    def _run(self, job: Job) -> None:
        relative = f"reports/{job.id}/attempt-{job.attempts}"
        out_dir = self.data_dir / relative
        self._keep_review(job, out_dir)
        try:
            grader = self.backend.grader_for(job.assignment, job.rubric, blind=job.blind)
            report = grader.grade(
                self.data_dir / job.upload_path,
                out_dir=out_dir,
                name=job.submission_name,
                candidate=job.candidate,
                on_cell=lambda cell: self._record_progress(job.id, cell),
            )
            outcome = outcome_of(report, relative)
        except Exception as exc:  # noqa: BLE001 - the job fails with the reason; the worker lives on
            log.error("job %s could not be graded: %s", job.id, traceback.format_exc(limit=6))
            outcome = Outcome(state=JobState.failed, error=f"grading could not run: {type(exc).__name__}: {exc}"[:4000])
        if self.store.complete(job.id, self.owner, outcome):
            self._prune_attempts(job.id, keep=out_dir)
        else:
            log.warning("job %s was taken away from this worker (lease lost); its result is discarded", job.id)
            shutil.rmtree(out_dir, ignore_errors=True)

    def _keep_review(self, job: Job, out_dir: Path) -> None:
        """A re-grade starts from the last report, so the grader carries its review over (see grader.review.carry)."""
        if not job.result_dir or job.result_dir.startswith("/") or ".." in Path(job.result_dir).parts:
            return
        earlier = self.data_dir / job.result_dir / "report.json"
        if earlier.is_file() and not earlier.is_symlink() and earlier.parent != out_dir:
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(earlier, out_dir / "report.json")

    def _record_progress(self, job_id: str, cell: api.CellProgress) -> None:
        """Show the running cell on the job's pages; a failed write only costs the display."""
        try:
            self.store.set_progress(job_id, self.owner, cell)
        except Exception:
            log.warning("could not record the progress of job %s", job_id, exc_info=True)

    def _prune_attempts(self, job_id: str, keep: Path) -> None:
        folder = self.data_dir / "reports" / job_id
        if not folder.is_dir():
            return
        for attempt in folder.iterdir():
            if attempt != keep:
                shutil.rmtree(attempt, ignore_errors=True)

    def _keep(self) -> None:
        interval = max(0.2, self.lease_seconds / 3)
        while not self._stop.wait(interval):
            try:
                with self._inflight_lock:
                    held = sorted(self._inflight)
                renewed = self.store.renew(self.owner, held, self.lease_seconds)
                if renewed < len(held):
                    log.warning("%d lease(s) were lost", len(held) - renewed)
                if self.store.recover(max_attempts=self.max_attempts, check_owners=True):
                    self.notify()
            except Exception:
                log.exception("lease keeper round failed")
