"""LEAK013: a result too good to be true — a single feature that nearly gives the target away, or a
holdout score far better than honest submissions reach — asks why, with the figures."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, check
from grader.checks.followups import FollowUpSubject, Question
from grader.checks.leakage._common import LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.models.assignment import ExpectedScore, Metric
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity


class TooGoodParams(LeakParams):
    #: Single-feature ROC AUC (binary) or |correlation| (regression) from which a fitted column is asked about;
    #: from LEAK009's `min_score` (0.99) on, that check reports it instead.
    min_feature_score: float = Field(default=0.9, gt=0.5, le=1.0)
    perfect_score: float = Field(default=0.99, gt=0.5, le=1.0)
    #: How far beyond the better end of `expected_score` counts as far, in widths of its range.
    widths: float = Field(default=1.0, gt=0)


def _ask(s: FollowUpSubject) -> str:
    column = s.first("column")
    if column:
        return (
            f"`{column}` alone separates the classes almost perfectly{s.in_cell()} — when is it recorded, how is it "
            f"computed, and would you have it for a new record at prediction time?"
        )
    return (
        "Your holdout score is far better than this problem usually allows — which of your features could know "
        "the outcome, and how did you check that none does?"
    )


TOO_GOOD = Question("leakage", _ask)


@check(
    id="LEAK013",
    slug="too-good-to-be-true",
    category=Category.leakage,
    title="Results are plausible for the problem",
    params=TooGoodParams,
    requires={Need.assignment, Need.execution},
    followup=TOO_GOOD,
)
def too_good_to_be_true(ctx: CheckContext, params: TooGoodParams) -> CheckOutcome:
    """Neither one feature nor the holdout score is implausibly good for the problem.

    What it checks: from the runtime trace, each fitted model's columns scored alone against
    the training target (ROC AUC for a binary target, |correlation| for a numeric one); a
    column from `min_feature_score` (0.9) up to LEAK009's near-perfect threshold is asked
    about. From the hidden holdout, a score beyond the better end of the assignment's
    `expected_score` range by more than `widths` times the range's width (error metrics: below
    its low end). Low severity: a question with the figures, not a verdict.

    Why it matters: a real problem rarely has one column that nearly decides it, and a
    holdout score far above what careful submissions reach usually means something recorded
    after the outcome is among the features. Either can be genuine; the candidate should
    know why.

    Example: a churn model scores ROC AUC 0.98 on the holdout when honest submissions reach
    0.86-0.88, because a flag built from the cancellation reason is a feature.

    Do instead: look at the single strongest features and at when each is recorded; drop
    whatever would not be known at prediction time, and say why a strong feature is legitimate.
    """
    findings = _strong_features(ctx, params) + _implausible_holdout(ctx, params)
    return leak_outcome(ctx, (), params, findings)


def _strong_features(ctx: CheckContext, params: TooGoodParams) -> list[Finding]:
    if ctx.trace is None or not ctx.trace.usable:
        return []
    found: dict[str, Finding] = {}
    for notebook in ctx.trace.notebooks:
        for call in notebook.calls():
            if not (call.predictor or call.search):
                continue
            for probe in call.probe:
                if not params.min_feature_score <= probe.score < params.perfect_score or probe.col in found:
                    continue
                if call.steps and call.features and not any(probe.col in name for name in call.features):
                    continue  # an input column the pipeline drops before its model
                metric = "ROC AUC" if probe.metric == "auc" else "|correlation|"
                rows = call.x.n_rows if call.x else None
                found[probe.col] = Finding(
                    message=(
                        f"The feature `{probe.col}` alone scores {metric} {probe.score:.3f} on the {rows or 0:,} rows "
                        f"{call.cls} was fitted on in cell {call.cell}: one column that nearly decides the outcome is "
                        f"unusual — is it known before the outcome?"
                    ),
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[
                        ctx.evidence(
                            call.cell,
                            call.line,
                            snippet=ctx.code.snippet(call.cell, call.line)
                            if call.cell is not None and call.line
                            else None,
                            source=EvidenceSource.trace,
                            note=f"traced: single-feature {metric} {probe.score:.3f}",
                        )
                    ],
                    data={"column": probe.col, "score": probe.score, "metric": probe.metric, "fit_cell": call.cell},
                )
    return list(found.values())


def far_better(score: float, expected: ExpectedScore, widths: float) -> bool:
    """Whether a score lies beyond the better end of the expected range by more than `widths` of its width."""
    width = max(expected.high - expected.low, 1e-9) * widths
    if Metric(expected.metric).greater_is_better:
        return score > expected.high + width
    return score < expected.low - width


def _implausible_holdout(ctx: CheckContext, params: TooGoodParams) -> list[Finding]:
    expected = ctx.assignment.expected_score if ctx.assignment else None
    holdout = ctx.holdout
    if expected is None or holdout is None or holdout.score is None or holdout.metric != expected.metric:
        return []
    if not far_better(holdout.score, expected, params.widths):
        return []
    return [
        Finding(
            message=(
                f"The holdout {holdout.metric} is {holdout.score:.4g}, far better than honest submissions reach on this "
                f"assignment ({expected.low:g}–{expected.high:g}): before trusting it, find the feature that explains it"
            ),
            severity=Severity.low,
            confidence=Confidence.medium,
            evidence=[
                ctx.evidence(None, source=EvidenceSource.holdout, note=f"holdout {holdout.metric} {holdout.score:.4g}")
            ],
            data={
                "score": holdout.score,
                "metric": holdout.metric,
                "expected_low": expected.low,
                "expected_high": expected.high,
            },
        )
    ]
