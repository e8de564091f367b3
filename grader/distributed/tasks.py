"""The worker side: the Celery task that grades one `GradeJob` with the local `Grader`.

A worker process keeps its Docker client, the graders it built (one per rubric,
assignment and options) and the assignments it unpacked (by digest) between tasks.
It never sees hidden labels: the assignment archive holds public files only, so the
holdout checks are skipped here and finished by the submitting side.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from celery import Celery, Task
from pydantic import ValidationError

from grader import __version__
from grader.checks.registry import Registry, default_registry
from grader.distributed.settings import GRADE_TASK, RESULT_EXPIRES, BrokerSettings
from grader.distributed.transport import (
    MAX_ASSIGNMENT_ARCHIVE_BYTES,
    MAX_SUBMISSION_ARCHIVE_BYTES,
    Archive,
    GradeJob,
    GradeOutcome,
    TransportError,
    pack_report_folder,
    submitted_notebooks,
    unpack,
)
from grader.errors import SubmissionError
from grader.execution.run import SandboxRunner, sandbox_runner
from grader.models.rubric import Rubric
from grader.pipeline.files import load_report, read_executed, write_report_files
from grader.pipeline.grading import Grader
from grader.scoring.rubric_file import LoadedRubric
from grader.submission.assignment import LoadedAssignment, load_assignment
from grader.submission.loader import IGNORE_FILE

log = logging.getLogger("grader.worker")
#: Time a job needs besides its sandbox run (loading, checks, pylint, rendering, packing).
GRADING_ALLOWANCE_SECONDS = 20
_MAX_GRADERS = 32


def registry_fingerprint(registry: Registry) -> list[tuple[str, str]]:
    """(id, version) of every check: both sides must grade with the same checks."""
    return sorted((spec.id, str(spec.version)) for spec in registry)


@dataclass(frozen=True)
class WorkerConfig:
    """What one worker host grades with."""

    #: The node name recorded in every report's environment (`grader@host` by default).
    node: str
    image: str
    runtime: str | None
    work_dir: Path
    hard_time_limit: int
    max_deliveries: int


class WorkerRuntime:
    """Per-process state of a worker; built in the parent, used lazily in each pool process."""

    def __init__(self, config: WorkerConfig, registry: Registry | None = None) -> None:
        self.config = config
        self.registry = registry or default_registry()
        self.checks = registry_fingerprint(self.registry)
        self._sandbox: SandboxRunner | None = None
        self._graders: dict[str, Grader] = {}
        self._assignments: dict[str, LoadedAssignment] = {}
        self._lock = threading.Lock()

    def reset_after_fork(self) -> None:
        """A new pool process: never share the parent's Docker connection."""
        self._sandbox = None
        self._graders.clear()

    def sandbox(self) -> SandboxRunner:
        """This process's sandbox runner; making it also reaps containers of dead pool processes."""
        with self._lock:
            if self._sandbox is None:
                self._sandbox = sandbox_runner(image=self.config.image, runtime=self.config.runtime)
            return self._sandbox

    # ------------------------------------------------------------------ inputs

    def assignment(self, archive: Archive) -> LoadedAssignment:
        """The public assignment, unpacked once per digest (concurrent processes race harmlessly)."""
        known = self._assignments.get(archive.sha256)
        if known is not None:
            return known
        folder = self.config.work_dir / "assignments" / archive.sha256
        if not (folder / "assignment.yaml").is_file():
            folder.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=folder.parent))
            try:
                unpack(archive, staging / "a", cap=MAX_ASSIGNMENT_ARCHIVE_BYTES)
                try:
                    (staging / "a").rename(folder)
                except OSError:
                    pass  # another process put it there first
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        loaded = load_assignment(folder)
        labels = loaded.holdout_labels()
        if labels is not None and labels.exists():
            raise TransportError("the assignment archive holds its hidden labels; they must stay with the assignment")
        self._assignments[archive.sha256] = loaded
        return loaded

    def grader(self, job: GradeJob) -> Grader:
        """A grader for the job's rubric, assignment and options (reused across jobs)."""
        key = hashlib.sha256(
            json.dumps(
                [
                    job.rubric,
                    job.rubric_sha256,
                    job.assignment.sha256 if job.assignment else None,
                    job.model_dump(mode="json", include={"options"}),
                ],
                sort_keys=True,
            ).encode()
        ).hexdigest()
        grader = self._graders.get(key)
        if grader is None:
            rubric = LoadedRubric(
                rubric=Rubric.model_validate(job.rubric), path=Path(job.rubric_path), sha256=job.rubric_sha256
            )
            grader = Grader(
                rubric=rubric,
                registry=self.registry,
                assignment=self.assignment(job.assignment) if job.assignment else None,
                sandbox=self.sandbox() if job.options.execute else None,
                # The HTML is rendered below, once the report names this worker.
                options=dataclasses.replace(job.options, write_html=False),
            )
            if len(self._graders) >= _MAX_GRADERS:
                self._graders.pop(next(iter(self._graders)))
            self._graders[key] = grader
        return grader

    def refusal(self, job: GradeJob) -> str | None:
        """Why this worker cannot grade the job faithfully, or None."""
        if job.grader_version != __version__ or [tuple(c) for c in job.checks] != self.checks:
            return (
                f"the worker {self.config.node} runs grader {__version__} with other checks than the submitting side "
                f"(grader {job.grader_version}); run the same grader version on both"
            )
        return None

    # ------------------------------------------------------------------ grading

    def grade(self, job: GradeJob, deliveries: int) -> GradeOutcome:
        """Grade one job into a report folder and pack it; a bad submission is a report, not an error."""
        refused = self.refusal(job)
        if refused:
            return self.not_graded(refused, deliveries)
        grader = self.grader(job)
        limits = grader.options.limits or (grader.assignment.assignment.limits if grader.assignment else None)
        if limits is not None and limits.timeout_seconds + GRADING_ALLOWANCE_SECONDS > self.config.hard_time_limit:
            return self.not_graded(
                f"the run may take {limits.timeout_seconds} s but the worker {self.config.node} holds a task at most "
                f"{self.config.hard_time_limit} s (0.9 × its visibility timeout); raise --visibility-timeout on the "
                "workers or lower the assignment's limits",
                deliveries,
            )
        jobs_dir = self.config.work_dir / "jobs"
        jobs_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="job-", dir=jobs_dir) as scratch:
            root = Path(scratch)
            try:
                path = unpack(job.submission, root / "submission", cap=MAX_SUBMISSION_ARCHIVE_BYTES)
            except (TransportError, SubmissionError) as exc:
                return self.not_graded(f"the submission could not be unpacked: {exc}", deliveries, "rejected")
            # The submission's own .graderignore (hidden files do not travel), where the loader reads it.
            if path.is_dir() and job.ignore:
                (path / IGNORE_FILE).write_text("\n".join(job.ignore) + "\n", encoding="utf-8")
            out = root / "out"
            grader.grade(path, out_dir=out, name=job.name, candidate=job.candidate)
            report = load_report(out / "report.json")
            report.environment["worker"] = self.config.node
            report.environment["delivery"] = deliveries
            if not job.options.blind:
                report.submission.source = job.source
            write_report_files(
                report,
                out,
                html=job.options.write_html,
                executed=read_executed(out) if job.options.write_html else None,
                submitted=submitted_notebooks(path, job),
                blind=job.options.blind,
            )
            return GradeOutcome(worker=self.config.node, deliveries=deliveries, report=pack_report_folder(out))

    def not_graded(
        self, reason: str, deliveries: int, status: Literal["rejected", "failed"] = "failed"
    ) -> GradeOutcome:
        """An answer without a report: the submitting side writes the `not graded` report."""
        return GradeOutcome(worker=self.config.node, deliveries=deliveries, status=status, reason=reason)


# --------------------------------------------------------------------------- the Celery task


def deliveries_key(task_id: str) -> str:
    """The result store's key counting a task's deliveries."""
    return f"grader-deliveries-{task_id}"


def register_tasks(app: Celery, runtime: WorkerRuntime, settings: BrokerSettings) -> None:
    """Register the grading task on the worker's app."""

    @app.task(name=GRADE_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def grade(task: Task, payload: dict[str, Any]) -> dict[str, Any]:
        backend = task.backend
        task_id = str(task.request.id)
        # A redelivered task that already finished (its worker died before acknowledging) is not graded twice.
        done = backend.get_task_meta(task_id, cache=False)
        if done.get("status") == "SUCCESS" and isinstance(done.get("result"), dict):
            result: dict[str, Any] = done["result"]
            return result
        deliveries = int(backend.incr(deliveries_key(task_id)))
        backend.expire(deliveries_key(task_id), RESULT_EXPIRES)
        if deliveries > settings.max_deliveries:
            log.warning("task %s: delivery %d; not graded", task_id, deliveries)
            reason = (
                f"not graded: grading this submission stopped its worker process {deliveries - 1} times "
                f"(the limit is {settings.max_deliveries} deliveries); it is not retried again"
            )
            return runtime.not_graded(reason, deliveries).model_dump(mode="json")
        try:
            job = GradeJob.model_validate(payload)
        except ValidationError as exc:
            return runtime.not_graded(
                f"the task is not a grading job this worker understands: {exc}"[:2000], deliveries
            ).model_dump(mode="json")
        started = time.monotonic()
        try:
            outcome = runtime.grade(job, deliveries)
        except Exception as exc:  # noqa: BLE001 - the submitting side gets the reason; the worker lives on
            log.error("task %s failed: %s", task_id, traceback.format_exc(limit=8))
            outcome = runtime.not_graded(f"the worker failed: {type(exc).__name__}: {exc}"[:2000], deliveries)
        size = outcome.report.size if outcome.report else 0
        log.info(
            "task %s (%s): %s in %.1f s, delivery %d, %s bytes back",
            task_id,
            job.name,
            "report" if outcome.report else f"not graded ({outcome.reason[:200]})",
            time.monotonic() - started,
            deliveries,
            f"{size:,}",
        )
        return outcome.model_dump(mode="json")
