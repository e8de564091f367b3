"""EVAL004: the metrics fit the task, the class balance and the assignment's primary metric."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import METRIC
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MetricUse
from grader.evidence.ml.queries import has_model, model_places, positive_rate, resolve_measures, task_of
from grader.evidence.ml.vocabulary import (
    ESTIMATORS,
    IMBALANCE_AWARE,
    LABEL_ONLY_MEASURES,
    MEASURE_WORDS,
    PRIMARY_MEASURES,
    REGRESSION_MEASURES,
    Family,
    Measure,
    Task,
)
from grader.models.assignment import TaskType
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity


class MetricsFitTaskParams(Params):
    #: At or below this share of positives, accuracy as the only metric is a high-severity finding.
    rare_threshold: float = Field(default=0.05, gt=0, lt=1)
    #: At or below this share, accuracy as the only metric is a medium finding.
    imbalance_threshold: float = Field(default=0.35, gt=0, lt=1)


@check(
    id="EVAL004",
    slug="metrics-fit-task",
    category=Category.evaluation,
    title="Metrics fit the task and the class balance",
    params=MetricsFitTaskParams,
    followup=METRIC,
)
def metrics_fit_task(ctx: CheckContext, params: MetricsFitTaskParams) -> CheckOutcome:
    """The reported metrics suit the task, the class imbalance and the assignment's primary metric.

    What it checks: every metric the code computes (metric functions, `scoring=`
    strings, an estimator's own `.score`, which is accuracy for classifiers, and
    `cross_val_score` without `scoring=`). For classification, accuracy as the only
    metric is a finding, high when positives are at most `rare_threshold` of the
    data, and a regression model fitted on the class labels (`Ridge`, a
    `DecisionTreeRegressor` on a 0/1 target) is a medium finding; for regression,
    classification metrics are a finding and MAE/RMSE/R² are expected. The
    assignment's primary metric (ROC AUC, average precision, MAE, ...) must be
    among them.

    Why it matters: on the fraud data predicting "never fraud" scores 98.8 %
    accuracy; a candidate who reports accuracy alone cannot tell a useful model from
    that. The hiring team also compares candidates on the primary metric.

    Example: `print(accuracy_score(y_test, model.predict(X_test)))` as the only
    evaluation of a fraud model.

    Do instead: report the primary metric (`average_precision_score(y_test,
    proba)`), plus precision and recall at the chosen threshold; for regression,
    `mean_absolute_error` and RMSE.
    """
    facts = ctx.ml
    task = task_of(ctx.assignment, facts)
    uses = [m for m in facts.metric_uses if m.how != "helper"]
    measured = resolve_measures((x for m in uses for x in m.measures), task)
    if not uses:
        places = model_places(facts)
        what = "No evaluation metric is computed" if has_model(facts) else "No model is fitted or evaluated"
        return CheckOutcome(
            findings=[
                Finding(
                    message=what,
                    severity=Severity.medium,
                    confidence=Confidence.medium,
                    evidence=[ctx.evidence(c, ln) for c, ln in places] or [ctx.evidence(None, note="no metric call")],
                )
            ]
        )
    findings: list[Finding] = []
    rate = positive_rate(ctx.assignment, ctx.shown) if task is Task.classification else None
    if task is Task.classification and not measured & IMBALANCE_AWARE and Measure.accuracy in measured:
        findings.extend(_accuracy_only(ctx, uses, task, rate, params))
    if task is Task.regression:
        wrong = measured & LABEL_ONLY_MEASURES
        if wrong:
            bad = [m for m in uses if resolve_measures(m.measures, task) & wrong]
            findings.append(
                Finding(
                    message=f"Classification metrics ({', '.join(sorted(w.value for w in wrong))}) on a regression "
                    "target: they need class labels and say nothing about the size of the errors",
                    severity=Severity.high,
                    confidence=Confidence.high,
                    evidence=[ctx.evidence(m.site.cell, m.site.line) for m in bad[:3]],
                )
            )
        if not measured & REGRESSION_MEASURES - {Measure.max_error}:
            findings.append(
                Finding(
                    message="No regression error metric (MAE, RMSE, R²) is reported",
                    severity=Severity.medium,
                    confidence=Confidence.high,
                    evidence=[ctx.evidence(m.site.cell, m.site.line) for m in uses[:2]],
                )
            )
    if task is Task.classification and ctx.assignment is not None:
        findings.extend(_regressors_on_labels(ctx, measured, ctx.assignment.target))
    if ctx.assignment is not None:
        findings.extend(_primary_missing(ctx, uses, measured))
    names = ", ".join(sorted(m.value for m in measured)) or "none recognised"
    return CheckOutcome(findings=findings, message=f"metrics: {names}")


def _regressors_on_labels(ctx: CheckContext, measured: set[Measure], target: str) -> list[Finding]:
    """Regression models fitted on the assignment's class labels (`DecisionTreeRegressor().fit(X, y_status)`).

    A regressor on 0/1 labels predicts numbers, not classes or calibrated probabilities: scored
    with accuracy it fails or needs rounding, scored with MSE or R² it answers another question,
    and either way it is not compared with the classifiers on the brief's metric.
    """
    found: dict[str, tuple[int, int]] = {}
    for fit, _, labels in ctx.dataflow.model_fits:
        est = fit.est
        if est is None or labels is None or not labels.target:
            continue  # another column (a salary regression beside the brief) is not this mistake
        final = est.steps[-1] if est.steps else (est.inner or est)
        kind = ESTIMATORS.get(final.cls)
        if kind is None or kind.task is not Task.regression or kind.family is Family.dummy:
            continue
        found.setdefault(final.cls, (fit.site.executed_cell, fit.site.executed_line))
    if not found:
        return []
    scored = sorted(m.value.replace("_", " ") for m in measured & REGRESSION_MEASURES)
    how = f"; the notebook scores them with {', '.join(scored)}" if scored else ""
    names = ", ".join(sorted(found))
    return [
        Finding(
            message=f"Regression model(s) ({names}) fitted on the class labels of `{target}`, a classification "
            f"target{how}: they predict numbers, not classes or probabilities, and are not measured on the brief's "
            "metric alongside the classifiers",
            severity=Severity.medium,
            confidence=Confidence.high,
            evidence=[
                ctx.evidence(cell, line, note="a regressor fitted on the labels") for cell, line in found.values()
            ],
            data={"regressors": sorted(found), "regression_metrics": scored},
        )
    ]


def _accuracy_only(
    ctx: CheckContext, uses: list[MetricUse], task: Task, rate: float | None, params: MetricsFitTaskParams
) -> list[Finding]:
    where = [m for m in uses if Measure.accuracy in resolve_measures(m.measures, task)]
    if rate is not None and rate <= params.rare_threshold:
        severity = Severity.high
    elif rate is None and ctx.assignment is not None and ctx.assignment.task is TaskType.multiclass_classification:
        severity = Severity.low  # no positive class to be rare; accuracy alone is thin but not misleading
    elif rate is None or rate <= params.imbalance_threshold:
        severity = Severity.medium
    else:
        return []
    share = f"only {rate:.1%} of the rows are positive" if rate is not None else "the class balance is not shown"
    implicit = [m for m in where if Measure.default in m.measures]
    note = " (an estimator's .score and cross_val_score without scoring= both measure accuracy)" if implicit else ""
    floor = f"; predicting the majority class alone scores {1 - rate:.1%}" if rate is not None else ""
    return [
        Finding(
            message=f"Accuracy is the only metric while {share}{floor}{note}",
            severity=severity,
            confidence=Confidence.high if rate is not None else Confidence.medium,
            evidence=[ctx.evidence(m.site.cell, m.site.line) for m in where[:3]],
            data={"positive_rate": rate},
        )
    ]


def _primary_missing(ctx: CheckContext, uses: list[MetricUse], measured: set[Measure]) -> list[Finding]:
    assert ctx.assignment is not None
    primary = ctx.assignment.primary_metric
    wanted = PRIMARY_MEASURES.get(primary, frozenset())
    if not wanted or measured & wanted or (Measure.custom in measured and _printed(ctx, wanted)):
        return []
    others = sorted(m.value for m in measured if m not in (Measure.default, Measure.custom))
    return [
        Finding(
            message=f"The assignment's primary metric ({primary.value}) is never computed"
            + (f"; the notebook reports {', '.join(others)}" if others else ""),
            severity=Severity.medium,
            confidence=Confidence.high,
            evidence=[ctx.evidence(m.site.cell, m.site.line) for m in uses[:2]]
            + [ctx.evidence(None, source=EvidenceSource.file, note=f"primary_metric: {primary.value}")],
            data={"primary_metric": primary.value, "reported": others},
        )
    ]


def _printed(ctx: CheckContext, wanted: frozenset[Measure]) -> bool:
    """A custom scorer whose printed output names the primary metric counts as reporting it."""
    patterns = [MEASURE_WORDS[m] for m in wanted if m in MEASURE_WORDS]
    for cell, _ in ctx.output_cells():
        text = cell.output_text
        if any(p.search(text) for p in patterns):
            return True
    return False
