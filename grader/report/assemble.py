"""The report of one submission, assembled from what the stages produced.

Identity (anonymous in blind mode), the assignment and rubric it was graded against,
the run, the check results, the scores, the red flags at the top and the interview
follow-ups. Nothing here runs, checks or scores anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from grader import __version__
from grader.checks.registry import Registry
from grader.execution.sandbox import SandboxSettings
from grader.models.execution import ExecutionRecord, RunStatus
from grader.models.findings import CheckResult, CheckStatus
from grader.models.report import (
    AssignmentInfo,
    CriterionScore,
    Flag,
    FlagKind,
    FollowUp,
    GradingStatus,
    HoldoutResult,
    NotGradedNotebook,
    Report,
    RubricInfo,
    SubmissionInfo,
    SubmittedFile,
    Total,
)
from grader.report.cell_names import CellNames, name_cells
from grader.report.followups import followups_for
from grader.scoring.rubric_file import LoadedRubric
from grader.submission.assignment import LoadedAssignment
from grader.submission.loader import Submission


def generated_at() -> str:
    """The report's timestamp: now, in UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def anonymous_id(name: str, salt: str = "") -> str:
    """A stable anonymous candidate id for blind grading."""
    return "candidate-" + hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()[:8]


def submission_info(submission: Submission, shown: str, *, blind: bool) -> SubmissionInfo:
    """Who and what was graded: the files with their hashes; in blind mode no name and no source path."""
    files = [
        SubmittedFile(path=rel, size=p.stat().st_size, sha256=submission.file_hashes.get(rel, ""))
        for rel, p in sorted(submission.files.items())
    ]
    return SubmissionInfo(
        name=shown if blind else submission.name,
        candidate=shown,
        notebooks=[nb.path for nb in submission.notebooks],
        not_graded=[NotGradedNotebook(path=path, reason=reason) for path, reason in submission.left_out],
        files=files,
        content_hash=submission.content_hash,
        source="" if blind else str(submission.source),
        blind=blind,
    )


def assignment_info(assignment: LoadedAssignment | None) -> AssignmentInfo | None:
    """The assignment's name, title, task and metric (None when grading without one)."""
    if assignment is None:
        return None
    a = assignment.assignment
    return AssignmentInfo(name=a.name, title=a.title, task=a.task.value, primary_metric=a.primary_metric.value)


def rubric_info(rubric: LoadedRubric) -> RubricInfo:
    """The rubric's identity, content hash, bands and caps."""
    r = rubric.rubric
    return RubricInfo(
        name=r.name,
        version=r.version,
        title=r.title,
        sha256=rubric.sha256,
        path=rubric.path.name,
        bands=r.bands,
        caps=r.caps,
    )


def environment_info(execution: ExecutionRecord, sandbox: SandboxSettings | None) -> dict[str, Any]:
    """The grader version, the image and runtime (and runtime profile) of the run, its packages and limits."""
    env: dict[str, Any] = {"grader_version": __version__, "packages": execution.packages}
    if sandbox is not None:
        env.update(image=execution.image or sandbox.image, runtime=sandbox.runtime or "runc")
    if execution.profile is not None:
        env["profile"] = execution.profile
    env["limits"] = execution.limits
    return env


def flags_for(execution: ExecutionRecord, results: list[CheckResult], registry: Registry) -> list[Flag]:
    """Red flags for the top of the report: the run, and each check's declared flag rule."""
    flags = []
    if execution.status not in (RunStatus.ok, RunStatus.errors, RunStatus.not_run):
        kind = (
            FlagKind.resource_limit
            if execution.status in (RunStatus.oom, RunStatus.timeout, RunStatus.output_limit, RunStatus.disk_limit)
            else FlagKind.did_not_run
        )
        flags.append(Flag(kind=kind, message=f"Run ended as {execution.status.value}: {execution.reason}"[:400]))
    elif execution.status is RunStatus.errors:
        failing = [c for c in execution.cells if c.status.value in ("error", "timeout")]
        flags.append(
            Flag(kind=FlagKind.did_not_run, message=f"{len(failing)} cell(s) failed when re-run in the sandbox")
        )
    for result in results:
        rule = registry.get(result.id).flag if result.id in registry else None
        if rule is not None and result.status is CheckStatus.failed:
            finding = rule.pick(result)
            if finding is not None:
                flags.append(Flag(kind=rule.kind, message=finding.message[:300], finding_id=finding.id))
        if result.status is CheckStatus.error:
            flags.append(Flag(kind=FlagKind.needs_review, message=f"{result.id} ({result.slug}) crashed"))
    return flags


def graded_report(
    *,
    submission: SubmissionInfo,
    assignment: LoadedAssignment | None,
    rubric: LoadedRubric,
    registry: Registry,
    execution: ExecutionRecord,
    results: list[CheckResult],
    criteria: list[CriterionScore],
    total: Total,
    holdout: HoldoutResult | None,
    environment: dict[str, Any],
    choices: Sequence[FollowUp] = (),
    cells: CellNames | None = None,
) -> Report:
    """The report of a submission that went through every stage (`choices`: questions about its own decisions).

    With `cells` (several notebooks), "cell 42" becomes "task2.ipynb cell 8", as the reviewer sees it.
    """
    status = GradingStatus.needs_review if total.needs_review else GradingStatus.graded
    report = Report(
        grader_version=__version__,
        generated_at=generated_at(),
        status=status,
        submission=submission,
        assignment=assignment_info(assignment),
        rubric=rubric_info(rubric),
        execution=execution,
        checks=results,
        criteria=criteria,
        total=total,
        flags=flags_for(execution, results, registry),
        holdout=holdout,
        environment=environment,
    )
    report.followups = followups_for(report, registry, choices=choices)
    if cells is not None:
        report = Report.model_validate(name_cells(report.model_dump(mode="json"), cells))
    return report


def failed_report(
    *,
    name: str,
    shown: str,
    error: str,
    status: GradingStatus,
    source: str,
    assignment: LoadedAssignment | None,
    rubric: LoadedRubric,
    blind: bool,
) -> Report:
    """The report of a submission that could not be graded (`rejected` input or a `failed` grader)."""
    return Report(
        grader_version=__version__,
        generated_at=generated_at(),
        status=status,
        error=error,
        submission=SubmissionInfo(
            name=shown if blind else name, candidate=shown, source="" if blind else source, blind=blind
        ),
        assignment=assignment_info(assignment),
        rubric=rubric_info(rubric),
        execution=ExecutionRecord(status=RunStatus.not_run, reason=error.splitlines()[0] if error else ""),
        total=Total(score=0.0, max=rubric.rubric.max_points, percent=0.0, band=""),
        flags=[Flag(kind=FlagKind.did_not_run, message=error.splitlines()[0][:300] if error else status.value)],
    )
