"""LEAK009: a single feature predicts the target almost perfectly (traced)."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, check
from grader.checks.followups import PERFECT_PREDICTOR
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity


class PerfectPredictorParams(LeakParams):
    #: Single-feature ROC AUC (binary targets) or |correlation| (regression) at or above which a feature is suspect.
    min_score: float = Field(default=0.99, gt=0.5, le=1.0)


@check(
    id="LEAK009",
    slug="feature-predicts-target-perfectly",
    category=Category.leakage,
    title="No single feature gives the target away",
    params=PerfectPredictorParams,
    requires={Need.trace},
    followup=PERFECT_PREDICTOR,
    flag=LEAK_FLAG,
)
def feature_predicts_target_perfectly(ctx: CheckContext, params: PerfectPredictorParams) -> CheckOutcome:
    """No column of a fitted model's data predicts the target almost perfectly on its own.

    What it checks: when a model is fitted in the sandbox, the tracer scores each of its
    input columns alone against the training target (ROC AUC for a binary target,
    absolute correlation for a numeric one, on at most 20,000 rows, without copying the
    data out); a score of `min_score` or more is a finding. Needs the runtime trace.

    Why it matters: real-world features almost never separate the classes perfectly; a
    column that does is nearly always the target in disguise or something recorded after
    the outcome, and the model's score is an illusion.

    Example: a `refund_issued` flag that is 1 for every fraud and 0 otherwise reaches the
    model with a single-feature AUC of 1.000.

    Do instead: look at such columns (when are they recorded? how are they computed?) and
    drop them unless they are truly known at prediction time.
    """
    return leak_outcome(ctx, (), params, perfect_predictors(ctx, params.min_score))


def perfect_predictors(ctx: CheckContext, min_score: float) -> list[Finding]:
    """Columns that alone predict the target almost perfectly, from the trace's probes."""
    if ctx.trace is None or not ctx.trace.usable:
        return []
    found: dict[str, Finding] = {}
    leak_columns = set(ctx.assignment.leakage_columns) if ctx.assignment else set()
    for notebook in ctx.trace.notebooks:
        for call in notebook.calls():
            for probe in call.probe:
                if probe.score < min_score or probe.col in found:
                    continue
                if call.steps and call.features and not any(probe.col in name for name in call.features):
                    continue  # an input column the pipeline drops before its model
                metric = "ROC AUC" if probe.metric == "auc" else "|correlation|"
                declared = " (a declared leakage column)" if probe.col in leak_columns else ""
                rows = call.x.n_rows if call.x else None
                snippet = ctx.code.snippet(call.cell, call.line) if call.cell is not None and call.line else None
                found[probe.col] = Finding(
                    message=(
                        f"The feature `{probe.col}`{declared} alone predicts the target almost perfectly "
                        f"({metric} {probe.score:.3f} on the {rows or 0:,} rows {call.cls} was fitted on in "
                        f"cell {call.cell}): it is most likely derived from the target or recorded after it"
                    ),
                    severity=Severity.high,
                    confidence=Confidence.high,
                    evidence=[
                        ctx.evidence(
                            call.cell,
                            call.line,
                            snippet=snippet,
                            source=EvidenceSource.trace,
                            note=f"traced: single-feature {metric} {probe.score:.3f}",
                        )
                    ],
                    data={
                        "column": probe.col,
                        "score": probe.score,
                        "metric": probe.metric,
                        "fit_cell": call.cell,
                        "rows": rows,
                        "traced": True,
                    },
                )
    return list(found.values())
