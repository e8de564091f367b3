"""EXE002: the notebook runs within its time budget."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, Params, check
from grader.checks.followups import SLOW
from grader.evidence.context import CheckContext
from grader.models.execution import CellStatus, RunStatus
from grader.models.findings import EvidenceSource, Finding, Severity


class RuntimeBudgetParams(Params):
    #: Whole-run budget in seconds; a take-home should re-run in a few minutes.
    budget_seconds: float = Field(default=120.0, gt=0)
    #: A single cell slower than this is worth pointing out.
    slow_cell_seconds: float = Field(default=60.0, gt=0)


@check(
    id="EXE002",
    slug="runtime-within-budget",
    category=Category.execution,
    title="The notebook runs within its time budget",
    params=RuntimeBudgetParams,
    requires={Need.execution},
    followup=SLOW,
)
def runtime_within_budget(ctx: CheckContext, params: RuntimeBudgetParams) -> CheckOutcome:
    """The whole notebook re-runs within the time budget, with no runaway cell.

    What it checks: the sandbox's measured run time against `budget_seconds`, a
    timeout of the run or of any cell, and cells slower than `slow_cell_seconds`.

    Why it matters: reviewers and CI re-run the work; a notebook that takes an hour
    (an unbounded grid search, `n_jobs=-1` on a laptop-sized search space) cannot
    be checked, and often hides an accidental quadratic loop.

    Example: `GridSearchCV` over 5 x 5 x 4 x 3 parameters with 10-fold CV inside a
    loop over feature sets, which hits the 300 s limit.

    Do instead: size searches to the time box (`RandomizedSearchCV` with `n_iter`),
    cache expensive steps, and state the expected run time in the README.
    """
    findings = []
    duration = ctx.execution.duration_s
    if ctx.execution.status is RunStatus.timeout:
        findings.append(
            Finding(
                message=f"The run hit its time limit: {ctx.execution.reason}",
                severity=Severity.high,
                evidence=[ctx.evidence(None, source=EvidenceSource.execution, note=ctx.execution.reason)],
                data={"duration_s": duration},
            )
        )
    elif duration > params.budget_seconds:
        findings.append(
            Finding(
                message=f"The notebook took {duration:.0f} s to run; the budget is {params.budget_seconds:.0f} s",
                severity=Severity.medium,
                evidence=[ctx.evidence(None, source=EvidenceSource.execution)],
                data={"duration_s": duration, "budget_s": params.budget_seconds},
            )
        )
    for record in ctx.execution.cells:
        if record.status is CellStatus.timeout:
            findings.append(
                Finding(
                    message=f"Cell {record.index} did not finish within its time limit",
                    severity=Severity.high,
                    evidence=[
                        ctx.evidence(
                            record.index,
                            1,
                            source=EvidenceSource.execution,
                            snippet="\n".join(ctx.notebook[record.index].lines[:4]),
                        )
                    ],
                )
            )
        elif record.duration_s is not None and record.duration_s > params.slow_cell_seconds:
            findings.append(
                Finding(
                    message=f"Cell {record.index} took {record.duration_s:.0f} s",
                    severity=Severity.low,
                    evidence=[
                        ctx.evidence(
                            record.index,
                            1,
                            source=EvidenceSource.execution,
                            snippet="\n".join(ctx.notebook[record.index].lines[:4]),
                        )
                    ],
                    data={"duration_s": record.duration_s},
                )
            )
    return CheckOutcome(
        findings=findings, metric=duration, message=f"ran in {duration:.1f} s (budget {params.budget_seconds:.0f} s)"
    )
