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

    What it checks: choices made from test results, in code and in prose. In code: a
    search (`GridSearchCV`...) fitted on the test set; early stopping monitored on the test
    set (high), or a network trained with the test rows as its Keras `validation_data` and
    then scored on them (medium: epochs read off those loss curves); test scores compared or ranked (`max`, `>`, `idxmax`, `sorted`, `sort_values`, a
    `key=` function reading a dict of results) to pick a model, a hyper-parameter value or
    a threshold; a hyper-parameter sweep scored on the test set and printed or plotted for
    the reader to pick from; cross-validation over rows that include the test rows (models
    compared or a search fitted on all rows before the test split is scored); hyper-parameters
    the notebook says it tuned ("Model Parameter Tuning") with no cross-validation and no
    validation split anywhere, a hand-set model then scored on the test set. In prose: a
    markdown cell that names a winner ("LR gives the best results", "we choose the forest")
    (or a heading written as a sentence: "We can see that SVM gives the highest accuracy")
    right after code that scored two or more candidates, at least one of them only on the
    test set; a grid search counts as compared on its folds only where its cross-validated
    score is read (`best_score_`, `cv_results_`), so families each tuned by their own search
    and then compared by their test scores are compared on the test set. A validation set (named `val`/`valid`) or cross-validation on the training
    part used this way is fine. Severity: high when the best of a sweep, or the chosen
    model, is then scored again on the same test rows (its test score is reported as its
    performance); medium when the test set informed a choice (compared by eye, in prose,
    or inside cross-validation). Traced runs prove how many fitted models were scored on
    the same test rows, and which rows a cross-validation saw.

    Why it matters: picking the best of several candidates on the test set fits the test
    set; the winner's test score is biased upwards and no longer estimates performance on
    new data.

    Example: `for depth in [2, 4, 8]: ... score = f1_score(y_test, model.predict(X_test));
    if score > best: best, best_depth = score, depth`; or three models' test accuracies
    printed, followed by "Random Forest gives the best results, so we keep it".

    Do instead: choose with cross-validation on the training rows (`GridSearchCV` on
    `X_train`) or with a separate validation split, then score the chosen model once on
    the test set.
    """
    return leak_outcome(ctx, (LeakKind.selection,), params)
