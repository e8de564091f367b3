"""The submitting side: a `Grader` whose submissions are graded by workers through the broker.

`RemoteGrader.grade` keeps the local contract (never raises for a bad submission, writes
`out_dir/report.json`, `report.html`, `executed/`, `outputs/`), so `grader.pipeline.batch` and the
web app's worker pool use it unchanged. Where the assignment has a hidden holdout, the
labels stay here: the worker grades everything else, and `settle_holdout` scores the
collected predictions, runs the checks that need the labels, re-scores and renders.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from grader import __version__
from grader.checks.base import Need
from grader.checks.runner import run_checks
from grader.distributed.client import BrokerClient, client_for
from grader.distributed.settings import BrokerSettings, redacted
from grader.distributed.tasks import registry_fingerprint
from grader.distributed.transport import (
    MAX_RESULT_ARCHIVE_BYTES,
    Archive,
    GradeJob,
    TransportError,
    pack_assignment,
    pack_submission,
    rubric_fields,
    submitted_notebooks,
    unpack,
)
from grader.errors import ConfigError, GraderError, SubmissionError
from grader.evidence.build import build_context, observe
from grader.evidence.context import SubmissionFacts
from grader.execution.live_progress import CellListener
from grader.models.notebook import NotebookView
from grader.models.report import GradingStatus, Report
from grader.pipeline.desk import render_report_dir
from grader.pipeline.files import atomic_write, load_report, read_executed, write_report_files
from grader.pipeline.grading import Grader, reviewed_report
from grader.report.assemble import anonymous_id, flags_for
from grader.report.cell_names import CellNames, name_cells
from grader.report.followups import followups_for
from grader.report.redact import redact_report
from grader.review.carry import carry_overrides
from grader.scoring.score import score_rubric
from grader.submission.loader import SubmissionLimits, parse_notebook, read_ignore_patterns

log = logging.getLogger("grader.broker")


@dataclass
class RemoteGrader(Grader):
    """Grades through a broker; `sandbox` stays None here (the workers have the sandboxes)."""

    broker: BrokerClient | None = None
    #: Mixed into every task id: a resumed batch asks for the same tasks, and finds results computed meanwhile.
    run_key: str = field(default_factory=lambda: secrets.token_hex(8))

    def grade(
        self,
        path: Path,
        *,
        out_dir: Path | None = None,
        name: str | None = None,
        candidate: str | None = None,
        on_cell: CellListener | None = None,
    ) -> Report:
        """Send one submission to a worker and write its report; never raises for a bad submission.

        `on_cell` is not called: cell progress does not cross the broker.
        """
        del on_cell
        path = Path(path)
        name = name or (path.stem if path.is_file() else path.name)
        shown = anonymous_id(name) if self.options.blind else (candidate or name)
        target = Path(out_dir) if out_dir is not None else None
        earlier = reviewed_report(target)  # a review already there is carried over, as in local grading
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".remote-", dir=target.parent if target else None) as scratch:
            try:
                report, folder = self._grade_remote(path, name, candidate, Path(scratch), target)
            except _NotGraded as exc:
                return self._not_graded(name, shown, str(exc), exc.status, path, target)
            except (TransportError, SubmissionError) as exc:
                return self._not_graded(name, shown, str(exc), GradingStatus.rejected, path, target)
            except Exception as exc:  # noqa: BLE001 - one submission's failure never stops a batch
                detail = f"could not grade through the broker: {type(exc).__name__}: {exc}"
                return self._not_graded(name, shown, detail, GradingStatus.failed, path, target)
            if target is not None:
                _move_into(folder, target)
                if earlier is not None:
                    report = _carry_review(earlier, report, target, path)
        return report

    # ------------------------------------------------------------------ the job

    @cached_property
    def _assignment_archive(self) -> Archive | None:
        return pack_assignment(self.assignment) if self.assignment is not None else None

    @cached_property
    def _checks(self) -> list[tuple[str, str]]:
        return registry_fingerprint(self.registry)

    @property
    def holdout_here(self) -> bool:
        """True when hidden labels exist: this side finishes (and renders) every report."""
        return self.assignment is not None and self.assignment.holdout_labels() is not None

    def job_for(self, path: Path, name: str, candidate: str | None) -> GradeJob:
        """The task for one submission (public inputs only)."""
        options = self.options
        return GradeJob(
            grader_version=__version__,
            checks=self._checks,
            name=name,
            candidate=candidate,
            source="" if options.blind else str(path),
            # The submission's own .graderignore: a hidden file, so it does not travel in the archive.
            ignore=list(read_ignore_patterns(path)) if path.is_dir() else [],
            submission=pack_submission(path),
            assignment=self._assignment_archive,
            # Rendered here once the holdout is in, rather than twice.
            options=dataclasses.replace(options, write_html=options.write_html and not self.holdout_here),
            **rubric_fields(self.rubric),
        )

    def _grade_remote(
        self, path: Path, name: str, candidate: str | None, scratch: Path, target: Path | None
    ) -> tuple[Report, Path]:
        if self.broker is None:
            raise ConfigError("a RemoteGrader needs a broker")
        job = self.job_for(path, name, candidate)
        where = str(target.resolve()) if target is not None else secrets.token_hex(8)
        task_id = (
            "grade-"
            + hashlib.sha256(f"{self.run_key}\0{where}\0{name}\0{job.submission.sha256}".encode()).hexdigest()[:40]
        )
        outcome = self.broker.submit(job, task_id).result()
        if outcome.report is None:
            status = GradingStatus.rejected if outcome.status == "rejected" else GradingStatus.failed
            raise _NotGraded(f"{outcome.reason} (worker {outcome.worker})", status)
        folder = unpack(outcome.report, scratch / "report", cap=MAX_RESULT_ARCHIVE_BYTES)
        report = load_report(folder / "report.json")
        if self.holdout_here:
            report = settle_holdout(self, report, folder, submitted_notebooks(path, job))
        return report, folder

    def _not_graded(
        self, name: str, shown: str, error: str, status: GradingStatus, path: Path, target: Path | None
    ) -> Report:
        report = self.failed_report(name, shown, error, status, path)  # the same report local grading writes
        if self.options.blind:
            report = redact_report(report)
        if target is not None:
            write_report_files(report, target, html=self.options.write_html, blind=self.options.blind)
        return report


class _NotGraded(GraderError):
    def __init__(self, message: str, status: GradingStatus) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- the holdout, where the labels are


def settle_holdout(grader: Grader, report: Report, folder: Path, submitted: dict[str, Any]) -> Report:
    """Score the worker's predictions against the hidden labels, run the checks that need them, re-score.

    The same functions as local grading (`Grader.holdout_result`, `build_context`, `run_checks`,
    `score_rubric`, `flags_for`, `followups_for`), fed from the report folder the worker returned.
    """
    started = time.perf_counter()
    holdout = None
    if report.status in (GradingStatus.graded, GradingStatus.needs_review) and submitted:
        seen = observe(
            submission=SubmissionFacts(name=report.submission.name, notebooks=tuple(submitted)),
            notebook=NotebookView.from_nodes(list(submitted.items())),
            execution=report.execution,
            executed=_executed_view(folder, submitted),
            assignment=grader.assignment.assignment if grader.assignment else None,
        )
        outputs = folder / "outputs"
        collected = {p.name: p.read_bytes() for p in outputs.iterdir() if p.is_file()} if outputs.is_dir() else {}
        holdout = grader.holdout_result(report.execution, collected, seen.shown)
    if holdout is not None:
        needs = [(spec, params) for spec, params in grader.selection if Need.holdout in spec.requires | spec.reads]
        ctx = build_context(seen, holdout=holdout)
        fresh = {result.id: result for result in run_checks(ctx, needs)}
        results = [fresh.get(result.id, result) for result in report.checks]
        criteria, total = score_rubric(grader.rubric.rubric, results)
        report = report.model_copy(
            update={
                "checks": results,
                "criteria": criteria,
                "total": total,
                "holdout": holdout,
                "status": GradingStatus.needs_review if total.needs_review else GradingStatus.graded,
                "flags": flags_for(report.execution, results, grader.registry),
            }
        )
        report.followups = followups_for(report, grader.registry)
        # Cells named as local grading names them (local indexes; "task2.ipynb cell 8" with several notebooks).
        names = CellNames.of_view(seen.notebook)
        report = Report.model_validate(name_cells(report.model_dump(mode="json"), names))
        report.timings["holdout (submitting side)"] = round(time.perf_counter() - started, 4)
        if grader.options.blind:
            report = redact_report(report)
    write_report_files(
        report,
        folder,
        html=grader.options.write_html,
        executed=read_executed(folder) if grader.options.write_html else None,
        submitted=submitted,
        blind=grader.options.blind,
    )
    return report


def _executed_view(folder: Path, submitted: dict[str, Any]) -> NotebookView | None:
    """The executed notebooks the worker kept (it validated them); None when it kept none."""
    executed = folder / "executed"
    if not executed.is_dir() or not any(executed.iterdir()):
        return None
    nodes = []
    limits = SubmissionLimits(max_notebook_bytes=64 * 1024 * 1024)
    for rel, node in submitted.items():
        copy = executed / rel.replace("/", "__")
        nodes.append((rel, parse_notebook(rel, copy.read_bytes(), limits) if copy.is_file() else node))
    return NotebookView.from_nodes(nodes)


def _move_into(folder: Path, target: Path) -> None:
    """Move the report folder's files into `target`, report.json last (its presence means complete)."""
    files = sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.name == "report.json")
    for path in files:
        destination = target / path.relative_to(folder)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, destination)
    shutil.rmtree(folder, ignore_errors=True)


def through_broker(grader: Grader, broker: str | BrokerSettings, *, check: bool = True) -> RemoteGrader:
    """The same grader (rubric, assignment, options) grading through the broker's workers."""
    if isinstance(grader, RemoteGrader):
        return grader
    settings = broker if isinstance(broker, BrokerSettings) else BrokerSettings(url=broker)
    client = client_for(settings)
    if check and client.check() == 0:
        log.warning("no grader worker answered on %s yet; submissions wait in the queue", redacted(settings.url))
    return RemoteGrader(
        rubric=grader.rubric,
        registry=grader.registry,
        assignment=grader.assignment,
        sandbox=None,
        options=grader.options,
        on_stage=grader.on_stage,
        broker=client,
    )


def _carry_review(earlier: Report, report: Report, target: Path, submission: Path) -> Report:
    """Re-apply the review `target` held before this grading; rewrite its report.json and report.html."""
    carried = carry_overrides(earlier, report)
    atomic_write(target / "report.json", carried.model_dump_json(indent=2).encode())
    if (target / "report.html").is_file():
        page = render_report_dir(target, report=carried, submitted=submission if submission.is_dir() else None)
        atomic_write(target / "report.html", page.encode())
    return carried
