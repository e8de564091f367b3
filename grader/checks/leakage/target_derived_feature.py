"""LEAK008: a feature is computed from the target."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, check
from grader.checks.followups import TARGET_LEAK
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


@check(
    id="LEAK008",
    slug="target-derived-feature",
    category=Category.leakage,
    title="No feature is computed from the target",
    params=LeakParams,
    followup=TARGET_LEAK,
    flag=LEAK_FLAG,
)
def target_derived_feature(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """No column built row by row from the target (or the target itself) is a feature.

    What it checks: columns the notebook creates from the target column (directly, through
    other derived columns, `assign`, `np.where`, `apply`) that remain in the feature
    matrix of a fitted model, and a feature matrix that still contains the target.

    Why it matters: the feature encodes the answer; it cannot be computed for new rows,
    and the model's scores are meaningless.

    Example: `df["charges_per_churn"] = df["total_charges"] * df["churned"]`, then
    `X = df.drop(columns=["churned"])`.

    Do instead: build features only from columns known at prediction time; drop the target
    (and anything computed from it) before building `X`.
    """
    return leak_outcome(ctx, (LeakKind.target_derived,), params)
