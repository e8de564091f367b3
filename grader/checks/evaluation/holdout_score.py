"""HOLD001: the predictions score on the hidden holdout, turned into points."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, Need, NoParams, check
from grader.checks.followups import HOLDOUT_GAP
from grader.evidence.context import CheckContext
from grader.models.assignment import Metric
from grader.models.findings import EvidenceSource, Finding, Severity


@check(
    id="HOLD001",
    slug="holdout-score",
    category=Category.evaluation,
    title="Predictions score well on the hidden holdout",
    requires={Need.holdout},
    followup=HOLDOUT_GAP,
)
def holdout_score(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The predictions the notebook writes are scored on labels the candidate never saw.

    What it checks: the assignment's prediction file (e.g. `predictions.csv`), collected
    from the sandbox run and scored outside it against the hidden test labels with the
    assignment's primary metric. The raw score is the check's metric (for `metric_to_points`
    scoring with per-assignment bounds) and the share of the way from a constant prediction
    to a perfect one is its score (for `proportional` scoring); a missing or unusable file,
    or a score no better than a constant prediction, is a finding.

    Why it matters: the hidden holdout is the one number the candidate could not tune; it
    shows whether the modelling generalises, whatever the notebook claims.

    Example: the notebook never writes `predictions.csv`, or writes probabilities that
    score a ROC AUC of 0.50, no better than guessing.

    Do instead: fit the final pipeline, predict `test_features.csv` and write the file
    exactly as the brief's prediction contract says (id column, prediction, probability).
    """
    del params
    holdout = ctx.holdout
    assert holdout is not None
    metric = holdout.metric
    evidence = [ctx.evidence(None, source=EvidenceSource.holdout, note=holdout.message[:400] or None)]
    if holdout.score is None:
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"The predictions could not be scored on the hidden holdout ({holdout.status}): {holdout.message}",
                    severity=Severity.high,
                    evidence=evidence,
                    data={"status": holdout.status, "metric": metric},
                )
            ],
            message=f"not scored: {holdout.status}",
        )
    findings = []
    baseline = holdout.extra.get("baseline")
    lower_better = not Metric(metric).greater_is_better
    if baseline is not None and (holdout.score >= baseline if lower_better else holdout.score <= baseline + 1e-9):
        findings.append(
            Finding(
                message=f"The holdout {metric} is {holdout.score:.4g}, no better than a constant prediction "
                f"({baseline:.4g})",
                severity=Severity.high,
                evidence=evidence,
                data={"score": holdout.score, "baseline": baseline, "metric": metric},
            )
        )
    elif holdout.status == "partial":
        findings.append(
            Finding(
                message=f"Only {holdout.rows_matched:,} of {holdout.rows_expected:,} test rows could be scored; holdout "
                f"{metric} {holdout.score:.4g} on those",
                severity=Severity.medium,
                evidence=evidence,
                data={
                    "score": holdout.score,
                    "rows_matched": holdout.rows_matched,
                    "rows_expected": holdout.rows_expected,
                    "metric": metric,
                },
            )
        )
    return CheckOutcome(
        findings=findings,
        metric=holdout.score,
        score=_improvement(holdout.score, baseline, metric),
        message=f"holdout {metric} {holdout.score:.4g} on {holdout.rows_matched:,} rows"
        + (f" (constant prediction: {baseline:.4g})" if baseline is not None else ""),
    )


def _improvement(score: float, baseline: float | None, metric: str) -> float | None:
    """How far the score goes from a constant prediction towards a perfect one (0-1), for proportional scoring.

    Raw metrics need per-assignment `metric_to_points` bounds; this fraction works for any assignment.
    """
    if baseline is None:
        return None
    ideal = 1.0 if Metric(metric).greater_is_better else 0.0
    if ideal == baseline:
        return None
    return max(0.0, min(1.0, (score - baseline) / (ideal - baseline)))
