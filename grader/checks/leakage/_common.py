"""What the leakage checks share: parameters and the filter from analysis to findings."""

from __future__ import annotations

import re

from pydantic import Field

from grader.checks.base import CheckOutcome, FlagRule, Params
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind
from grader.models.findings import CheckStatus, Confidence, Finding, Severity
from grader.models.report import FlagKind

_RANK = {Confidence.low: 0, Confidence.medium: 1, Confidence.high: 2}


#: A leak of medium severity or more is a red flag at the top of the report.
LEAK_FLAG = FlagRule(FlagKind.leakage, min_severity=Severity.medium)


class LeakParams(Params):
    #: Findings below this confidence are not reported (low: report everything the dataflow suspects).
    min_confidence: Confidence = Confidence.low
    #: At most this many findings per check (the first ones in notebook order).
    max_findings: int = Field(default=10, ge=1, le=100)


def code_mentions(ctx: CheckContext, pattern: re.Pattern[str]) -> bool:
    """Whether any code cell's text (or the submission's own modules) matches `pattern`."""
    if any(pattern.search(cell.source) for cell in ctx.code.cells):
        return True
    return any(pattern.search(text) for path, text in ctx.submission.texts.items() if path.endswith(".py"))


def leak_outcome(
    ctx: CheckContext,
    kinds: tuple[LeakKind, ...],
    params: LeakParams,
    findings: list[Finding] | None = None,
    *,
    not_applicable: str | None = None,
) -> CheckOutcome:
    """The check's outcome: the analysis's findings of these kinds, filtered and ordered.

    `not_applicable` says why the notebook does nothing this check judges (no resampling, no
    declared time order...): with no finding, the check is then `not_applicable` and its points
    leave the total instead of being earned for an absence.
    """
    found = findings if findings is not None else [f for kind in kinds for f in ctx.leakage.of(kind)]
    kept = [f for f in found if _RANK[f.confidence] >= _RANK[params.min_confidence]]
    kept.sort(key=lambda f: min((e.cell for e in f.evidence if e.cell is not None), default=10**9))
    kept = [f.model_copy(deep=True) for f in kept[: params.max_findings]]
    traced = sum(1 for f in kept if f.data.get("traced"))
    if not found and not_applicable:
        return CheckOutcome(status=CheckStatus.not_applicable, message=f"not applicable: {not_applicable}")
    if not kept:
        note = "" if ctx.leakage.traced or ctx.trace is None else f" ({'; '.join(ctx.leakage.notes)})"
        return CheckOutcome(message="no leak found" + note)
    proof = f"; {traced} proven by the runtime trace" if traced else ""
    return CheckOutcome(findings=kept, message=f"{len(kept)} leak(s) found{proof}")
