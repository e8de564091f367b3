"""EXE009: the outputs the grade rests on were reproduced, not taken on trust."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, Params, check
from grader.checks.followups import REPRODUCIBILITY
from grader.evidence.context import CheckContext
from grader.models.execution import CellStatus, ErrorClass
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity


class EvidenceReproducedParams(Params):
    #: Severity when saved outputs stand in for cells the candidate's own bug broke.
    candidate: Severity = Severity.medium
    #: Severity when the environment, the data or the limits broke them.
    other: Severity = Severity.low
    max_cells: int = Field(default=5, ge=1, le=50)


@check(
    id="EXE009",
    slug="evidence-reproduced",
    category=Category.execution,
    title="Outputs used as evidence were reproduced",
    params=EvidenceReproducedParams,
    requires={Need.execution},
    followup=REPRODUCIBILITY,
)
def evidence_reproduced(ctx: CheckContext, params: EvidenceReproducedParams) -> CheckOutcome:
    """Every output the other checks read as evidence came from the grader's own run.

    What it checks: code cells that failed or never ran in the sandbox but have outputs
    saved in the submitted notebook. Other checks still read those saved outputs (a plot,
    a results table) and mark them "from the submission, not reproduced"; this check lists
    them, so the reproducibility criterion reflects how much of the grade rests on outputs
    nobody re-ran. The severity follows why the cells did not run (the candidate's bug, or
    the environment, the data or a limit).

    Why it matters: saved outputs can come from an older version of the code, another
    data file, or an edit by hand; they are the candidate's claim, not a fact the grader
    observed.

    Example: the model cell raises `TypeError: OneHotEncoder.__init__() got an unexpected
    keyword argument 'sparse'` in the sandbox, so its saved cross-validation table is
    evidence from the candidate's machine only.

    Do instead: make the notebook run top to bottom in a fresh environment (pin versions
    in `requirements.txt`, relative paths), so every output is reproduced.
    """
    with_outputs = [c.index for c in ctx.notebook.code_cells() if c.outputs]
    saved = ctx.saved_evidence_cells()
    if not saved:
        return CheckOutcome(
            score=1.0,
            message=f"all {len(with_outputs)} cell(s) with outputs reproduced"
            if with_outputs
            else "no saved outputs to rely on",
        )
    classes = []
    for index in saved:
        record = ctx.execution.cell(index)
        if record is not None and record.status in (CellStatus.error, CellStatus.timeout):
            classes.append(record.error_class or ErrorClass.candidate)
    ours = ErrorClass.candidate in classes
    severity = params.candidate if ours else params.other
    evidence = [
        ctx.evidence(
            index,
            source=EvidenceSource.saved_output,
            snippet=ctx.notebook[index].output_text.strip()[:200] or None,
            note="from the submission, not reproduced",
        )
        for index in saved[: params.max_cells]
    ]
    finding = Finding(
        message=f"{len(saved)} cell(s) with saved outputs did not run cleanly in the sandbox; their outputs are "
        f"used as evidence from the submission, not reproduced (cells {', '.join(map(str, saved[:12]))}"
        + (" ..." if len(saved) > 12 else "")
        + ")",
        severity=severity,
        confidence=Confidence.high,
        evidence=evidence,
        data={"cells": saved[:200], "classes": sorted({c.value for c in classes})},
    )
    total = max(len(with_outputs), len(saved))
    return CheckOutcome(
        findings=[finding],
        score=1.0 - len(saved) / total,
        message=f"{len(saved)} of {total} cell(s) with outputs not reproduced",
    )
