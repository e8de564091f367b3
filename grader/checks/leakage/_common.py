"""What the leakage checks share: parameters and the filter from analysis to findings."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import CheckOutcome, FlagRule, Params
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind
from grader.models.findings import Confidence, Finding, Severity
from grader.models.report import FlagKind

_RANK = {Confidence.low: 0, Confidence.medium: 1, Confidence.high: 2}


#: A leak of medium severity or more is a red flag at the top of the report.
LEAK_FLAG = FlagRule(FlagKind.leakage, min_severity=Severity.medium)


class LeakParams(Params):
    #: Findings below this confidence are not reported (low: report everything the dataflow suspects).
    min_confidence: Confidence = Confidence.low
    #: At most this many findings per check (the first ones in notebook order).
    max_findings: int = Field(default=10, ge=1, le=100)


def leak_outcome(
    ctx: CheckContext, kinds: tuple[LeakKind, ...], params: LeakParams, findings: list[Finding] | None = None
) -> CheckOutcome:
    """The check's outcome: the analysis's findings of these kinds, filtered and ordered."""
    found = findings if findings is not None else [f for kind in kinds for f in ctx.leakage.of(kind)]
    kept = [f for f in found if _RANK[f.confidence] >= _RANK[params.min_confidence]]
    kept.sort(key=lambda f: min((e.cell for e in f.evidence if e.cell is not None), default=10**9))
    kept = [f.model_copy(deep=True) for f in kept[: params.max_findings]]
    traced = sum(1 for f in kept if f.data.get("traced"))
    if not kept:
        note = "" if ctx.leakage.traced or ctx.trace is None else f" ({'; '.join(ctx.leakage.notes)})"
        return CheckOutcome(message="no leak found" + note)
    proof = f"; {traced} proven by the runtime trace" if traced else ""
    return CheckOutcome(findings=kept, message=f"{len(kept)} leak(s) found{proof}")
