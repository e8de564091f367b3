"""LEAK001: a transformer is fitted on rows that later become test rows."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, check
from grader.checks.followups import FIT_BEFORE_SPLIT
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


class PreprocessingParams(LeakParams):
    #: Report encoders (one-hot, ordinal, label) fitted before the split; they leak only the category vocabulary.
    encoders: bool = True


@check(
    id="LEAK001",
    slug="preprocessing-fit-before-split",
    category=Category.leakage,
    title="Preprocessing is fitted on the training data only",
    params=PreprocessingParams,
    followup=FIT_BEFORE_SPLIT,
    flag=LEAK_FLAG,
)
def preprocessing_fit_before_split(ctx: CheckContext, params: PreprocessingParams) -> CheckOutcome:
    """No scaler, imputer, encoder, selector, PCA or vectorizer learns from the held-out rows.

    What it checks: every transformer fit (`fit`, `fit_transform`) in the notebook whose
    output reaches the model, traced through assignments, function calls and pipelines;
    it fails when the transformer saw rows that a later (or earlier) split holds out as
    the test or validation set, or all the rows a cross-validation then splits into folds.
    When the notebook ran traced, the finding says how many of the fitted rows are test rows.
    The same choice made by hand also counts (medium): the narrative or a comment says the
    features were kept for their correlation with the target, or dropped on p-values or
    importances, and that correlation (or a supervised model) was computed on rows that
    include the test rows of a split scored later.

    Why it matters: the transformer's statistics (means, scales, fill values, the chosen
    features, the principal components) then carry information about the test rows into
    training, so the held-out score is optimistic. A supervised selector (`SelectKBest`
    with `y`) leaks the test labels themselves.

    Example: `X = StandardScaler().fit_transform(X)` in cell 7, then
    `train_test_split(X, y)` in cell 9.

    Do instead: split first, fit on the training rows only (`scaler.fit(X_train)`, then
    `transform` both sides), or put the transformer in a `Pipeline` and cross-validate
    the whole pipeline.
    """
    findings = ctx.leakage.of(LeakKind.preprocessing)
    if not params.encoders:
        findings = [f for f in findings if f.data.get("category") != "encoder"]
    return leak_outcome(ctx, (LeakKind.preprocessing,), params, findings)
