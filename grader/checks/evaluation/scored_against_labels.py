"""EVAL010: every score compares a model's predictions with the true labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grader.checks.base import Category, CheckOutcome, FlagRule, NoParams, check
from grader.checks.followups import FollowUpSubject, Question
from grader.evidence.context import CheckContext
from grader.evidence.dataflow.values import DataflowResult, Eval
from grader.models.findings import Confidence, Evidence, Finding, Severity
from grader.models.report import FlagKind

#: Metrics whose value changes when the true and predicted arguments are swapped (precision and
#: recall trade places, R² divides by the variance of the wrong vector, AUC needs scores second).
ASYMMETRIC = frozenset(
    {
        "r2_score",
        "explained_variance_score",
        "mean_absolute_percentage_error",
        "precision_score",
        "recall_score",
        "f1_score",
        "fbeta_score",
        "classification_report",
        "precision_recall_fscore_support",
        "roc_auc_score",
        "average_precision_score",
        "roc_curve",
        "precision_recall_curve",
        "log_loss",
        "brier_score_loss",
        "confusion_matrix",
        "mean_squared_log_error",
    }
)
#: A score of one model's predictions against another's, said to be on purpose (how much two models agree).
_ON_PURPOSE = ("agree", "fidelity", "consisten", "surrogate", "similar", "overlap", "concordance")


def _ask(s: FollowUpSubject) -> str:
    return f"{s.message()} — what does this model score against the true labels of those rows?"


WRONG_REFERENCE = Question("evaluation", _ask)


@check(
    id="EVAL010",
    slug="scored-against-true-labels",
    category=Category.evaluation,
    title="Scores compare predictions with the true labels",
    followup=WRONG_REFERENCE,
    flag=FlagRule(FlagKind.claim_unsupported, min_severity=Severity.high),
)
def scored_against_true_labels(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Each reported score measures a model's predictions against the true labels.

    What it checks: the reference argument of every metric (`r2_score(y_true, y_pred)`,
    `accuracy_score`, a classification report...) and the `y` of every `model.score(X, y)`,
    as the dataflow follows them. A reference that is itself a model's predictions is a
    finding: `model.score(X_test, model.predict(X_test))` compares the predictions with
    themselves (always a perfect score) and `r2_score(tree_pred, svr_pred)` measures how much two
    models agree, not how good either is. High when that is the only score the model gets (its
    reported performance is meaningless), medium when the model is also scored properly (a
    wrong figure beside a right one, which still misleads a comparison built from it). A metric
    whose true and predicted arguments are swapped (`r2_score(y_pred, y_test)`) is low for a
    metric that changes under the swap (R², precision/recall, a classification report); a
    symmetric one (accuracy, MSE, MAE) is left alone. A score said to measure agreement
    (`agreement = accuracy_score(a_pred, b_pred)`) is left alone.

    Why it matters: the number looks like a test score and is reported as one, but it does
    not say how well the model predicts the labels; a reviewer reading "accuracy 1.0" or
    comparing models on it is misled.

    Example: `yhat = model.predict(X_test)` then `print("Accuracy:", model.score(X_test, yhat))`
    (prints 1.0); `r2_score(y_pred_tree, y_pred_svr)` reported as the SVR's R².

    Do instead: pass the true labels of the scored rows first and the predictions second:
    `r2_score(y_test, model.predict(X_test))`, `model.score(X_test, y_test)`.
    """
    del params
    flow = ctx.dataflow
    wrong = [e for e in flow.evals.values() if _against_predictions(e) and not _on_purpose(e)]
    swapped = [
        e
        for e in flow.evals.values()
        if e.truth_predictions and not _against_predictions(e) and e.function in ASYMMETRIC and not _on_purpose(e)
    ]
    if not wrong and not swapped:
        scored = len(flow.evals)
        return CheckOutcome(
            message=f"{scored} score(s), each against the true labels" if scored else "no score computed in the code"
        )
    findings: list[Finding] = []
    properly = _properly_scored_models(flow)
    for group in _by_model(flow, wrong).values():
        first = group[0]
        model = _model_of(flow, first)
        only = model is None or model not in properly
        findings.append(_wrong_reference(ctx, flow, group, Severity.high if only else Severity.medium, only))
    if swapped:
        findings.append(_swapped(ctx, swapped))
    return CheckOutcome(
        findings=findings,
        message=f"{len(wrong)} score(s) against predictions instead of labels, {len(swapped)} with arguments swapped",
    )


def _against_predictions(evaluation: Eval) -> bool:
    """The reference is a model's predictions, and so is what it is compared with (or it is `.score`)."""
    if not evaluation.truth_predictions:
        return False
    return evaluation.function == "score" or bool(evaluation.pred_predictions)


def _on_purpose(evaluation: Eval) -> bool:
    line = evaluation.site.snippet.lower()
    return any(word in line for word in _ON_PURPOSE)


def _model_of(flow: DataflowResult, evaluation: Eval) -> int | None:
    """The estimator a score is reported for: `.score`'s own, else the one that made `y_pred`."""
    if evaluation.function == "score" and evaluation.est is not None:
        return evaluation.est.id
    ids = evaluation.pred_predictions or evaluation.truth_predictions
    predict = flow.predicts.get(max(ids)) if ids else None
    return predict.est.id if predict is not None and predict.est is not None else None


def _properly_scored_models(flow: DataflowResult) -> set[int]:
    """Estimators with at least one score against something other than predictions."""
    found: set[int] = set()
    for evaluation in flow.evals.values():
        if _against_predictions(evaluation):
            continue
        model = _model_of(flow, evaluation)
        if model is not None:
            found.add(model)
    return found


def _by_model(flow: DataflowResult, evals: Iterable[Eval]) -> dict[int | None, list[Eval]]:
    groups: dict[int | None, list[Eval]] = {}
    for evaluation in sorted(evals, key=lambda e: (e.site.executed_cell, e.site.executed_line)):
        groups.setdefault(_model_of(flow, evaluation), []).append(evaluation)
    return groups


def _classes(flow: DataflowResult, predicts: frozenset[int]) -> list[str]:
    """The estimator classes whose predictions these are."""
    made = [flow.predicts.get(i) for i in sorted(predicts)]
    return sorted({p.est.cls for p in made if p is not None and p.est is not None})


def _wrong_reference(
    ctx: CheckContext, flow: DataflowResult, group: list[Eval], severity: Severity, only: bool
) -> Finding:
    first = group[0]
    reference = ", ".join(_classes(flow, first.truth_predictions)) or "a model"
    if first.function == "score":
        scored = first.est.cls if first.est is not None else "the model"
        own = first.est is not None and reference == scored
        what = f"`{scored}.score` in cell {first.site.executed_cell} compares its predictions with " + (
            "its own predictions (a perfect score whatever the model)" if own else f"{reference}'s predictions"
        )
    else:
        scored = ", ".join(_classes(flow, first.pred_predictions)) or "a model"
        what = f"`{first.function}` in cell {first.site.executed_cell} compares {scored}'s predictions with " + (
            "themselves" if scored == reference else f"{reference}'s predictions"
        )
    more = f" ({len(group) - 1} more such score(s) of this model)" if len(group) > 1 else ""
    why = (
        "this is the model's only score, so its reported performance says nothing about the labels"
        if only
        else "the model is scored properly elsewhere, but this figure is not a measure of it"
    )
    evidence: list[Evidence] = [
        ctx.evidence(e.site.executed_cell, e.site.executed_line, note="scored against predictions, not labels")
        for e in group[:3]
    ]
    data: dict[str, Any] = {
        "function": first.function,
        "cells": sorted({e.site.executed_cell for e in group}),
        "only_score": only,
    }
    return Finding(
        message=f"{what}, not with the true labels{more}: {why}",
        severity=severity,
        confidence=Confidence.high,
        evidence=evidence,
        data=data,
    )


def _swapped(ctx: CheckContext, swapped: list[Eval]) -> Finding:
    first = swapped[0]
    cells = sorted({e.site.executed_cell for e in swapped})
    shown = ", ".join(str(c) for c in cells[:6]) + (" ..." if len(cells) > 6 else "")
    return Finding(
        message=(
            f"`{first.function}` in cell(s) {shown} gets the predictions as its first argument and the labels "
            "second; this metric is not symmetric, so the printed value is not the one it is named for "
            "(the true labels go first)"
        ),
        severity=Severity.low,
        confidence=Confidence.high,
        evidence=[
            ctx.evidence(e.site.executed_cell, e.site.executed_line, note="arguments swapped") for e in swapped[:3]
        ],
        data={"functions": sorted({e.function for e in swapped}), "cells": cells},
    )
