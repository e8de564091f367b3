"""LEAK003: categories are encoded with target statistics that include the held-out rows."""

from __future__ import annotations

import re

from grader.checks.base import Category, CheckOutcome, check
from grader.checks.followups import TARGET_ENCODING
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, code_mentions, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind
from grader.evidence.ml.vocabulary import FitCategory

#: Target encoders by name: then the check has something to judge.
_TARGET_ENCODING = re.compile(
    r"TargetEncoder|MEstimateEncoder|CatBoostEncoder|LeaveOneOutEncoder|WOEEncoder|JamesSteinEncoder|"
    r"target_encod|mean_encod",
    re.IGNORECASE,
)


@check(
    id="LEAK003",
    slug="target-encoding-before-split",
    category=Category.leakage,
    title="Target encoding is learnt on the training rows only",
    params=LeakParams,
    followup=TARGET_ENCODING,
    flag=LEAK_FLAG,
)
def target_encoding_before_split(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """No feature is built from target statistics computed over the held-out rows.

    What it checks: group-by aggregates of the target mapped back onto rows
    (`df.groupby("city")["churned"].transform("mean")`, `.map(df.groupby(...)[y].mean())`)
    and target encoders (`TargetEncoder`, category_encoders' `TargetEncoder`,
    `LeaveOneOutEncoder`...) fitted on rows that a split later holds out.

    Why it matters: each held-out row's own label is averaged into its feature, so the
    model can read the answer; held-out scores become far better than on new data,
    especially for small categories.

    Example: `df["city_rate"] = df.groupby("city")["churned"].transform("mean")` before
    `train_test_split`.

    A notebook with no target statistic or target encoder is not applicable: the points leave the total.

    Do instead: compute the category means on the training rows and map them onto the
    test rows, or use scikit-learn's `TargetEncoder` (cross-fitted) inside a `Pipeline`.
    """
    encodes = any(
        fit.category in (FitCategory.target_statistic, FitCategory.target_encoder) for fit in ctx.dataflow.fits.values()
    ) or code_mentions(ctx, _TARGET_ENCODING)
    return leak_outcome(
        ctx,
        (LeakKind.target_encoding,),
        params,
        not_applicable=None if encodes else "the notebook computes no per-category target statistic",
    )
