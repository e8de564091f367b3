"""EXE010: the notebook's results could be verified, by a clean re-run of its evaluation or by the holdout."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, FlagRule, Need, NoParams, check
from grader.checks.followups import FollowUpSubject, Question
from grader.evidence.context import CheckContext
from grader.models.execution import CellStatus, ErrorClass
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity
from grader.models.report import FlagKind

#: Cell outcomes that leave a cell's results unreproduced.
_NOT_REPRODUCED = (CellStatus.error, CellStatus.timeout, CellStatus.not_executed)


def _unverified(s: FollowUpSubject) -> str:
    return (
        f"{s.message()} — which of the numbers in your notebook can we reproduce, and what would you change so "
        f"that a colleague gets them on a clean run?"
    )


UNVERIFIED = Question("reproducibility", _unverified)


@check(
    id="EXE010",
    slug="results-verified",
    category=Category.execution,
    title="The reported results could be verified",
    requires={Need.execution},
    reads={Need.holdout},
    followup=UNVERIFIED,
    flag=FlagRule(FlagKind.unverified, min_severity=Severity.high),
)
def results_verified(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The notebook's results were reproduced: its evaluation re-ran cleanly, or its predictions were scored.

    What it checks: when the notebook was run in the sandbox, either its predictions were
    scored on the hidden holdout, or the cells that evaluate a model (a metric, `.score`,
    cross-validation or a search, or a helper that computes one, called at top level) ran
    cleanly. The results are *unverified* (a high-severity finding, the `unverified` flag,
    and the default rubric holds the submission at `average` or below until a reviewer has
    looked) when there is no holdout score and the last evaluation cell or at least half of
    them failed, timed out or never ran, or when the run stopped before any evaluation.
    Fewer failing evaluation cells are a medium finding. Nothing is decided without a run
    (the check is skipped in static grading).

    Why it matters: numbers that only exist in the saved notebook may come from code that is
    no longer there, an earlier kernel state or another machine; a reviewer cannot trust a
    score nobody could reproduce, however good the rest of the notebook looks.

    Example: `from catboost import CatBoostClassifier` fails in a clean environment, every
    model cell after it raises `NameError`, no `predictions.csv` is written, and the saved
    cross-validation scores cannot be checked.

    Do instead: restart the kernel and run all cells before submitting, pin what the
    notebook needs, and write the predictions the brief asks for.
    """
    del params
    holdout = ctx.holdout
    if holdout is not None and holdout.score is not None:
        return CheckOutcome(message=f"verified on the hidden holdout ({holdout.metric} {holdout.score:.4g})")
    code = [r for r in ctx.execution.cells if r.cell_type == "code"]
    stopped = next((r for r in code if r.status is CellStatus.not_executed), None)
    evaluations = sorted({m.site.cell for m in ctx.ml.metric_uses if m.function is None})
    if not evaluations:
        if stopped is None:
            return CheckOutcome(message="the notebook ran to the end; it evaluates nothing the grader recognises")
        last_ran = max((r.index for r in code if r.status is not CellStatus.not_executed), default=None)
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"The results could not be verified: the run stopped ({ctx.execution.status.value}) "
                    f"after cell {last_ran} and no holdout score was possible",
                    severity=Severity.high,
                    confidence=Confidence.high,
                    evidence=[ctx.evidence(last_ran, source=EvidenceSource.execution, note=ctx.execution.reason)],
                    data={"run_status": ctx.execution.status.value, "evaluation_cells": []},
                )
            ],
            message="run stopped, nothing verified",
        )
    failed = [
        (cell, record)
        for cell in evaluations
        if (record := ctx.execution.cell(cell)) is not None and record.status in _NOT_REPRODUCED
    ]
    if not failed:
        return CheckOutcome(message=f"all {len(evaluations)} evaluation cell(s) re-ran cleanly")
    cells = [cell for cell, _ in failed]
    last_failed = evaluations[-1] in cells
    severity = Severity.high if last_failed or 2 * len(failed) >= len(evaluations) else Severity.medium
    load = [r for _, r in failed if r.error_class is ErrorClass.resources or r.status is not CellStatus.error]
    why = ", ".join(f"cell {cell} {_outcome(record.status, record.error_name)}" for cell, record in failed[:6]) + (
        f" and {len(failed) - 6} more" if len(failed) > 6 else ""
    )
    verdict = "could not be verified" if severity is Severity.high else "were only partly reproduced"
    message = (
        f"The results {verdict}: {len(failed)} of {len(evaluations)} evaluation cell(s) did not run cleanly "
        f"({why})" + (", including the last one" if last_failed else "") + ", and there is no holdout score"
    )
    if load and len(load) == len(failed):
        message += "; the run stopped on a time or resource limit, so a re-run on a quieter machine may settle it"
    return CheckOutcome(
        findings=[
            Finding(
                message=message,
                severity=severity,
                confidence=Confidence.high,
                evidence=[
                    ctx.evidence(cell, source=EvidenceSource.execution, note=_outcome(record.status, record.error_name))
                    for cell, record in failed[:5]
                ],
                data={
                    "evaluation_cells": evaluations,
                    "failed_cells": cells,
                    "run_status": ctx.execution.status.value,
                    "last_evaluation_failed": last_failed,
                },
            )
        ],
        message=f"{len(failed)} of {len(evaluations)} evaluation cell(s) not reproduced",
    )


def _outcome(status: CellStatus, error: str | None) -> str:
    if status is CellStatus.error:
        return f"raised {error or 'an error'}"
    return "timed out" if status is CellStatus.timeout else "never ran"
