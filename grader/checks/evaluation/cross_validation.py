"""EVAL002: model quality is estimated with cross-validation, not one split."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import NO_CROSS_VALIDATION
from grader.checks.model_guard import no_model_fitted
from grader.evidence.context import CheckContext
from grader.evidence.ml.queries import evaluation_places, model_places
from grader.models.findings import Confidence, Finding, Severity


@check(
    id="EVAL002",
    slug="uses-cross-validation",
    category=Category.evaluation,
    title="Model quality is estimated with cross-validation",
    followup=NO_CROSS_VALIDATION,
)
def uses_cross_validation(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Scores are estimated over several folds, not a single random split.

    What it checks: any form of k-fold validation: `cross_val_score`,
    `cross_validate`, `cross_val_predict`, a `GridSearchCV`-style search, an estimator
    with built-in CV (`LogisticRegressionCV`), `xgboost.cv` / `lightgbm.cv`, or a
    manual `for train_idx, val_idx in kfold.split(X, y)` loop.

    Why it matters: one split gives one number whose noise is unknown; on a few
    thousand rows ROC AUC moves by ±0.02 between random splits, which is as large
    as the differences candidates use to pick a model.

    Example: a single `train_test_split(X, y, test_size=0.2)` and one
    `roc_auc_score(y_test, proba)` as the whole evaluation.

    Do instead: `cross_validate(model, X_train, y_train, cv=StratifiedKFold(5,
    shuffle=True, random_state=0), scoring=...)` and report the mean and spread;
    keep a final held-out set for one last check.
    """
    del params
    facts = ctx.ml
    if facts.has_cross_validation():
        places = facts.cv_evidence()
        return CheckOutcome(
            score=1.0, message=f"cross-validation in {len(places)} place(s), first in cell {places[0][0]}"
        )
    unfitted = no_model_fitted(ctx, "nothing is cross-validated")
    if unfitted is not None:
        return unfitted
    places = [(u.cell, u.line) for u in facts.split_uses + [u for u, _ in facts.splitters]]
    places += [p for p in evaluation_places(facts) + model_places(facts, limit=1) if p not in places]
    how = "a single train/test split" if facts.split_uses else "a single fit"
    return CheckOutcome(
        findings=[
            Finding(
                message=f"No cross-validation: model quality rests on {how}, so the noise in the score is unknown",
                severity=Severity.medium,
                confidence=Confidence.high,
                evidence=[ctx.evidence(cell, line) for cell, line in places[:3]],
            )
        ]
    )
