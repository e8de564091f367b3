"""LEAK005: the model is scored on rows it was trained on."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, check
from grader.checks.followups import TEST_ROWS_IN_TRAINING
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


@check(
    id="LEAK005",
    slug="test-rows-in-training",
    category=Category.leakage,
    title="No test row is also a training row",
    params=LeakParams,
    followup=TEST_ROWS_IN_TRAINING,
    flag=LEAK_FLAG,
)
def training_includes_test_rows(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """The rows a model is scored on were not part of its training data.

    What it checks: a model fitted on data that includes the held-out rows (fitted on the
    whole data set, or on the test set) and then scored on those rows; and, in traced runs,
    splits whose test side shares many exact rows with the training side (duplicates that
    were not removed before splitting).

    Why it matters: a score on training rows measures memorisation, not generalisation; a
    random forest scores close to perfect on rows it has seen.

    Example: `model.fit(X, y)` in cell 5, then `model.score(X_test, y_test)` in cell 8 where
    `X_test` came from a split of `X`.

    Do instead: fit on `X_train` only; remove duplicate rows (`df.drop_duplicates()`)
    before splitting; refit on all data only for the final predictions, after evaluating.
    """
    return leak_outcome(ctx, (LeakKind.test_rows_in_training,), params)
