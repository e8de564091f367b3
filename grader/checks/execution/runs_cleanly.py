"""EXE001: the notebook runs top to bottom in a fresh kernel."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, Params, check
from grader.checks.followups import DID_NOT_RUN
from grader.evidence.context import CheckContext
from grader.models.execution import CellRecord, CellStatus, ErrorClass, RunStatus
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity


class RunsCleanlyParams(Params):
    #: How much each failure class weighs: an environment failure is not a candidate bug.
    environment: Severity = Severity.low
    data: Severity = Severity.medium
    candidate: Severity = Severity.high
    resources: Severity = Severity.high
    sandbox: Severity = Severity.info
    #: Share of one cell that a failure of each class costs in the score (proportional scoring).
    environment_weight: float = Field(default=0.25, ge=0, le=1)
    data_weight: float = Field(default=0.5, ge=0, le=1)
    candidate_weight: float = Field(default=1.0, ge=0, le=1)
    resources_weight: float = Field(default=1.0, ge=0, le=1)
    sandbox_weight: float = Field(default=0.0, ge=0, le=1)
    #: A cell that only fails because an earlier one did (`caused_by`) costs this share of its class's weight.
    consequence_weight: float = Field(default=0.5, ge=0, le=1)
    #: Cells that never ran because of an earlier fatal stop count this much each.
    not_executed_weight: float = Field(default=0.5, ge=0, le=1)


@check(
    id="EXE001",
    slug="notebook-runs-cleanly",
    category=Category.execution,
    title="The notebook runs top to bottom in a fresh kernel",
    params=RunsCleanlyParams,
    requires={Need.execution},
    followup=DID_NOT_RUN,
)
def notebook_runs_cleanly(ctx: CheckContext, params: RunsCleanlyParams) -> CheckOutcome:
    """Every code cell runs without error when the notebook is executed from scratch.

    What it checks: the sandbox ran every notebook of the submission top to bottom
    in a fresh kernel; each cell that raised, timed out or never ran is a finding,
    with its error class (environment, data, candidate, resources) deciding its severity
    and how much of the score it costs (`<class>_weight`: a removed library API costs a
    quarter of what a bug in the candidate's own code costs). A cell that only fails because
    an earlier cell failed (a `NameError` for a name that cell should have defined) takes
    that cell's class, costs `consequence_weight` of it, and is reported with it.

    Why it matters: a notebook that only works in the author's live session (hidden
    state, deleted cells, missing files) cannot be reproduced or trusted; its
    numbers may come from code that is no longer there.

    Example: cell 14 uses `X_tr`, a name defined in a cell that was deleted, and
    raises `NameError` on a clean run.

    Do instead: restart the kernel and run all cells before submitting
    ("Kernel → Restart & Run All"), and read data through relative paths.
    """
    records = [r for r in ctx.execution.cells if r.cell_type == "code"]
    if not records:
        return CheckOutcome(message="the notebook has no code cells", score=1.0)
    findings = list(_cell_findings(ctx, params))
    ok = sum(1 for r in records if r.status in (CellStatus.ok, CellStatus.skipped))
    not_run = sum(1 for r in records if r.status is CellStatus.not_executed)
    lost = params.not_executed_weight * not_run + sum(_weight(r, params) for r in records)
    score = max(0.0, 1.0 - lost / len(records))
    status = ctx.execution.status
    message = f"{ok} of {len(records)} code cells ran cleanly; run status: {status.value}"
    if status in (
        RunStatus.oom,
        RunStatus.timeout,
        RunStatus.kernel_died,
        RunStatus.output_limit,
        RunStatus.disk_limit,
    ):
        findings.insert(
            0,
            Finding(
                message=f"The run stopped early ({status.value}): {ctx.execution.reason}",
                severity=params.resources,
                evidence=[ctx.evidence(_first_bad(ctx), source=EvidenceSource.execution, note=status.value)],
                data={"run_status": status.value},
            ),
        )
    return CheckOutcome(findings=findings, score=score if findings else 1.0, message=message)


def _weight(record: CellRecord, params: RunsCleanlyParams) -> float:
    """What one failed cell costs: its class's weight, less when it only follows an earlier failure."""
    if record.status not in (CellStatus.error, CellStatus.timeout):
        return 0.0
    error_class = record.error_class or ErrorClass.candidate
    weight = float(getattr(params, f"{error_class.value}_weight"))
    return weight * params.consequence_weight if record.caused_by is not None else weight


def _first_bad(ctx: CheckContext) -> int | None:
    for record in ctx.execution.cells:
        if record.status not in (CellStatus.ok, CellStatus.skipped):
            return record.index
    return None


def _cell_findings(ctx: CheckContext, params: RunsCleanlyParams) -> Iterator[Finding]:
    not_run: list[int] = []
    consequences: dict[int, list[CellRecord]] = {}
    for record in ctx.execution.cells:
        if record.status is CellStatus.error and record.caused_by is not None:
            consequences.setdefault(record.caused_by, []).append(record)
        elif record.status is CellStatus.error or record.status is CellStatus.timeout:
            error_class = record.error_class or ErrorClass.candidate
            severity = getattr(params, error_class.value)
            what = "timed out" if record.status is CellStatus.timeout else f"raised {record.error_name}"
            value = (record.error_value or "").strip().splitlines()
            detail = f": {value[0][:200]}" if value else ""
            yield Finding(
                message=f"Cell {record.index} {what}{detail} ({error_class.value} problem)"
                + (f": {record.triage_note[:300]}" if record.triage_note else ""),
                severity=severity,
                confidence=Confidence.high
                if error_class in (ErrorClass.candidate, ErrorClass.resources)
                else Confidence.medium,
                evidence=[
                    ctx.evidence(
                        record.index,
                        1,
                        snippet=_error_line(ctx, record.index),
                        source=EvidenceSource.execution,
                        note=(record.traceback or "")[-1500:] or None,
                    )
                ],
                data={
                    "error_class": error_class.value,
                    "error_name": record.error_name,
                    "duration_s": record.duration_s,
                    "triage_note": record.triage_note,
                },
            )
        elif record.status is CellStatus.not_executed:
            not_run.append(record.index)
    for root, followers in consequences.items():
        error_class = followers[0].error_class or ErrorClass.candidate
        cells = [r.index for r in followers]
        yield Finding(
            message=f"{len(cells)} later cell(s) failed only because cell {root} failed "
            f"(first: cell {cells[0]}, {followers[0].error_name}: {(followers[0].error_value or '')[:120]}) "
            f"({error_class.value} problem)",
            severity=getattr(params, error_class.value),
            confidence=Confidence.medium,
            evidence=[
                ctx.evidence(
                    r.index, 1, snippet=_error_line(ctx, r.index), source=EvidenceSource.execution, note=r.triage_note
                )
                for r in followers[:3]
            ],
            data={"error_class": error_class.value, "caused_by": root, "cells": cells[:200]},
        )
    if not_run:
        yield Finding(
            message=f"{len(not_run)} cell(s) never ran because the run stopped earlier (first: cell {not_run[0]})",
            severity=Severity.medium,
            evidence=[ctx.evidence(not_run[0], source=EvidenceSource.execution, note="not executed")],
            data={"cells": not_run[:200]},
        )


def _error_line(ctx: CheckContext, index: int) -> str:
    cell = ctx.notebook[index]
    lines = [line for line in cell.lines if line.strip()]
    return "\n".join(lines[:6])[:400]
