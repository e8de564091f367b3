"""LEAK006: the test set chooses the model or its hyperparameters."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, check
from grader.checks.followups import TEST_SET_REUSE
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


@check(
    id="LEAK006",
    slug="test-set-used-for-selection",
    category=Category.leakage,
    title="Models and hyperparameters are chosen without the test set",
    params=LeakParams,
    followup=TEST_SET_REUSE,
    flag=LEAK_FLAG,
)
def uses_test_set_for_selection(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """The test set is used once, for the final score, not to pick between candidates.

    What it checks: a search (`GridSearchCV`, `RandomizedSearchCV`...) fitted on the test
    set; early stopping monitored on the test set (`eval_set=[(X_test, y_test)]`); and
    scores computed on the test set that are then compared or ranked (`max`, `>`,
    `idxmax`, `sorted`) to pick a model, a hyperparameter value or a threshold. A
    validation set (named `val`/`valid`) used this way is fine. Traced runs report how many
    fitted models were scored on the same test rows.

    Why it matters: picking the best of several candidates on the test set fits the test
    set; the winner's test score is biased upwards and no longer estimates performance on
    new data.

    Example: `for depth in [2, 4, 8]: ... score = f1_score(y_test, model.predict(X_test));
    if score > best: best, best_depth = score, depth`.

    Do instead: choose with cross-validation on the training rows (`GridSearchCV` on
    `X_train`) or with a separate validation split, then score the chosen model once on
    the test set.
    """
    return leak_outcome(ctx, (LeakKind.selection,), params)
