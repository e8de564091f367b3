"""LEAK002: a whole-frame statistic (mean, median, quantile...) is computed before the split."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, check
from grader.checks.followups import STATISTIC_BEFORE_SPLIT
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


@check(
    id="LEAK002",
    slug="statistic-computed-before-split",
    category=Category.leakage,
    title="Fill values and scaling statistics come from the training rows only",
    params=LeakParams,
    followup=STATISTIC_BEFORE_SPLIT,
    flag=LEAK_FLAG,
)
def statistic_computed_before_split(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """No pandas statistic computed over the held-out rows is written back into the data.

    What it checks: statistics computed with pandas or numpy (`mean`, `median`, `mode`,
    `std`, `quantile`, `min`/`max`, group-by aggregates of features) over rows that include
    the later test rows, when their result flows back into the data: `fillna(df.mean())`,
    `(df - df.mean()) / df.std()`, `clip(upper=df.x.quantile(.99))`. Printing a statistic
    during EDA is fine. Traced runs report the rows the statistic was computed over and how
    many of them are test rows.

    Why it matters: imputing or scaling with statistics of the whole data set lets every
    test row influence the training features; the evaluation no longer mimics new data.

    Example: `df["income"] = df["income"].fillna(df["income"].median())` in cell 4, then
    `train_test_split(df.drop(columns="churned"), df["churned"])` in cell 8.

    Do instead: compute fill values on the training rows (`median = X_train.income.median()`)
    and apply them to both sides, or use `SimpleImputer` inside a `Pipeline`.
    """
    return leak_outcome(ctx, (LeakKind.statistic,), params)
