"""LEAK009: a single feature predicts the target almost perfectly (traced)."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, check
from grader.checks.followups import PERFECT_PREDICTOR
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage import perfect_predictors


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
