"""HOLD003: the predictions file follows the assignment's prediction contract."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, Need, NoParams, check
from grader.checks.followups import EVALUATION
from grader.evidence.context import CheckContext
from grader.models.findings import EvidenceSource, Finding, Severity

_PROBLEMS = {
    "missing_ids": ("{n:,} test id(s) have no prediction", Severity.high),
    "unknown_ids": ("{n:,} id(s) in the file are not test ids", Severity.medium),
    "duplicate_ids": ("{n:,} id(s) appear more than once", Severity.medium),
    "nan_predictions": ("{n:,} prediction(s) are empty or not numbers", Severity.medium),
    "probability_out_of_range": ("{n:,} probabilit(y/ies) lie outside [0, 1]", Severity.medium),
    "missing_probability_column": (
        "the probability column is missing, so only hard labels could be scored",
        Severity.low,
    ),
}


@check(
    id="HOLD003",
    slug="predictions-follow-contract",
    category=Category.evaluation,
    title="The predictions file follows the prediction contract",
    requires={Need.holdout},
    followup=EVALUATION,
)
def predictions_follow_contract(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The notebook writes the predictions file with the right columns, one row per test id.

    What it checks: the file named by the assignment's `prediction_contract` exists after
    the run, is a readable CSV with the id and prediction columns (and the probability
    column when one is asked for), covers every test id exactly once and holds numeric
    predictions (probabilities within [0, 1]). Each problem is a finding; none stops the
    scoring of the rows that are usable.

    Why it matters: a deliverable that a downstream system cannot read is not delivered;
    missing or duplicated ids also silently change the holdout score.

    Example: `predictions.csv` written with the index as an extra column and
    `customer_id` missing, or with 1,990 of 2,000 test customers after a `dropna()`.

    Do instead: predict every row of `test_features.csv` (impute instead of dropping) and
    write `pd.DataFrame({id: ..., prediction: ..., probability: ...}).to_csv(path, index=False)`.
    """
    del params
    holdout = ctx.holdout
    assert holdout is not None
    contract = ctx.assignment.prediction_contract.file if ctx.assignment else "predictions.csv"
    evidence = [ctx.evidence(None, source=EvidenceSource.holdout, note=holdout.message[:400] or None)]
    if holdout.status in ("missing", "invalid"):
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"{contract}: {holdout.message}",
                    severity=Severity.high,
                    evidence=evidence,
                    data={"status": holdout.status},
                )
            ],
            message=holdout.status,
        )
    findings = []
    for key, (template, severity) in _PROBLEMS.items():
        count = holdout.extra.get(key)
        if count:
            findings.append(
                Finding(
                    message=f"{contract}: " + template.format(n=int(count)),
                    severity=severity,
                    evidence=evidence,
                    data={"problem": key, "count": int(count)},
                )
            )
    return CheckOutcome(findings=findings, message=holdout.message or "the file follows the contract")
