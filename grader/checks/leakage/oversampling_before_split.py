"""LEAK004: rows are oversampled (SMOTE, RandomOverSampler) before the split."""

from __future__ import annotations

import re

from grader.checks.base import Category, CheckOutcome, check
from grader.checks.followups import OVERSAMPLING
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, code_mentions, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind

#: Any sign of resampling in the code: then the check has something to judge.
_RESAMPLING = re.compile(r"fit_resample|SMOTE|ADASYN|OverSampl|\bresample\(|upsampl|oversampl", re.IGNORECASE)


@check(
    id="LEAK004",
    slug="oversampling-before-split",
    category=Category.leakage,
    title="Oversampling happens on the training rows only",
    params=LeakParams,
    followup=OVERSAMPLING,
    flag=LEAK_FLAG,
)
def oversampling_before_split(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """The data is resampled after the split (or inside cross-validation), never before.

    What it checks: `fit_resample` of an oversampler (SMOTE and its variants, ADASYN,
    RandomOverSampler, SMOTETomek...) whose output is then split by `train_test_split` or
    cross-validated. Traced runs count the synthetic and duplicated rows that ended up in
    the test set.

    Why it matters: synthetic rows are interpolated from real ones and random oversampling
    copies rows, so near-copies of training rows sit in the test set; the model is scored on
    rows it has effectively seen, and the minority-class recall looks far better than it is.

    Example: `X_res, y_res = SMOTE().fit_resample(X, y)` followed by
    `train_test_split(X_res, y_res)`.

    A notebook that resamples nothing is not applicable: the check's points leave the total.

    Do instead: split first and resample only `X_train`, or put the sampler in an
    `imblearn.pipeline.Pipeline` so cross-validation resamples each training fold.
    """
    resampled = any(r.oversampling for r in ctx.dataflow.resamples.values()) or code_mentions(ctx, _RESAMPLING)
    return leak_outcome(
        ctx,
        (LeakKind.oversampling,),
        params,
        not_applicable=None if resampled else "the notebook does not resample rows",
    )
