"""HOLD002: the score the notebook reports matches the hidden-holdout score."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, FlagRule, Need, Params, check
from grader.checks.followups import HOLDOUT_GAP
from grader.evidence.context import CheckContext
from grader.models.assignment import Metric
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity
from grader.models.report import FlagKind


class ClaimedScoreParams(Params):
    #: Allowed gap between the reported and the holdout score; None uses the assignment's `holdout.max_gap`.
    max_gap: float | None = Field(default=None, gt=0)


@check(
    id="HOLD002",
    slug="claimed-score-matches-holdout",
    category=Category.evaluation,
    title="The reported score holds up on the hidden holdout",
    params=ClaimedScoreParams,
    requires={Need.holdout},
    followup=HOLDOUT_GAP,
    flag=FlagRule(FlagKind.holdout_gap),
)
def claimed_score_matches_holdout(ctx: CheckContext, params: ClaimedScoreParams) -> CheckOutcome:
    """The number the candidate reports for the primary metric is close to the holdout score.

    What it checks: the candidate's own figure for the assignment's primary metric, read
    from the conclusion in markdown or else the last evaluation output that names the
    metric, against the score of their predictions on the hidden labels. A gap larger than
    the assignment's `holdout.max_gap` (or `max_gap`) is a finding.

    Why it matters: a reported score far better than the holdout score usually means the
    evaluation leaked (preprocessing or selection on the test set, a leakage column, a
    random split of time-ordered data) or was computed on training rows; far worse means
    the final predictions are not the model that was evaluated.

    Example: the notebook concludes "ROC AUC 0.97 on the test set" while its predictions
    score 0.86 on the holdout.

    Do instead: evaluate on rows the model and its preprocessing never saw, with the
    validation scheme the data calls for, and report that number.
    """
    holdout = ctx.holdout
    assert holdout is not None
    max_gap = params.max_gap or (ctx.assignment.holdout.max_gap if ctx.assignment and ctx.assignment.holdout else 0.05)
    if holdout.score is None:
        return CheckOutcome(status=None, message="no holdout score to compare with", score=1.0)
    if holdout.claimed is None:
        return CheckOutcome(message=f"no reported {holdout.metric} found in the notebook", score=1.0)
    gap = holdout.claimed - holdout.score
    claimed_cell = holdout.extra.get("claimed_cell")
    cell = int(claimed_cell) if claimed_cell is not None else None
    text = (holdout.claimed_evidence or "").split(": ", 1)[-1]
    evidence = [
        ctx.evidence(cell, source=EvidenceSource.output, snippet=text[:300] or None, note=f"reported {holdout.metric}"),
        ctx.evidence(
            None,
            source=EvidenceSource.holdout,
            note=f"holdout {holdout.metric} {holdout.score:.4g} on {holdout.rows_matched:,} rows",
        ),
    ]
    data = {
        "claimed": holdout.claimed,
        "score": holdout.score,
        "holdout": holdout.score,
        "gap": round(gap, 6),
        "max_gap": max_gap,
        "metric": holdout.metric,
        "claimed_cell": cell,
    }
    if abs(gap) <= max_gap:
        return CheckOutcome(
            message=f"reported {holdout.claimed:.4g}, holdout {holdout.score:.4g} (gap {gap:+.3g} within {max_gap:g})"
        )
    better = gap > 0 if Metric(holdout.metric).greater_is_better else gap < 0
    direction = "better" if better else "worse"
    return CheckOutcome(
        findings=[
            Finding(
                message=f"The notebook reports {holdout.metric} {holdout.claimed:.4g} (cell {cell}), but its predictions score "
                f"{holdout.score:.4g} on the hidden holdout: {abs(gap):.3g} {direction} than the holdout, more than "
                f"the {max_gap:g} allowed",
                severity=Severity.high if better else Severity.medium,
                confidence=Confidence.medium,
                evidence=evidence,
                data=data,
            )
        ],
        message=f"gap {gap:+.3g} exceeds {max_gap:g}",
    )
