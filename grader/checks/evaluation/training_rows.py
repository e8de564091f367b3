"""EVAL008: no reported score is computed on the rows the model was fitted on."""

from __future__ import annotations

from typing import Any

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import NO_HELD_OUT
from grader.evidence.context import CheckContext
from grader.evidence.ml.queries import resolve_measures, task_of
from grader.evidence.ml.vocabulary import METRIC_FUNCTIONS, PRIMARY_MEASURES, Measure
from grader.evidence.narrative.markdown import prose
from grader.evidence.narrative.metric_text import numbers_in
from grader.evidence.scored_rows import Score, ScoredModel, scored_models
from grader.models.findings import Confidence, Evidence, EvidenceSource, Finding, Severity


@check(
    id="EVAL008",
    slug="evaluated-on-training-rows",
    category=Category.evaluation,
    title="Reported scores are not computed on the rows the model was fitted on",
    followup=NO_HELD_OUT,
)
def evaluated_on_training_rows(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Each model whose score is reported is scored on rows it did not see while fitting.

    What it checks: for every fitted model version that is scored (a metric of its
    predictions, `.score`, a classification report), whether the scored rows are rows it
    was fitted on. When the notebook ran, the runtime trace decides by comparing the row
    fingerprints of the scored data with those of the fit; otherwise the static dataflow
    decides from the rows each variable holds. A model scored both on its training rows
    and on held-out rows is fine (the pair shows over-fitting). A model scored only on its
    training rows is a finding: high when that is the headline (no held-out score or
    cross-validation anywhere, or the final model's "test" score is on rows it was fitted
    on, e.g. a search refitted on all rows and then scored on the test split), medium when
    several models are compared on their training scores or when the markdown right below
    quotes the training score as a result, low for a single aside. A model
    scored on held-out rows whose only confusion matrix or classification report (in the
    whole notebook) is of its training rows is medium: the reading of its errors is of rows
    it memorised. A score on all the rows of a split's source, fitted rows among them
    (`model.predict(X)` after fitting on `X_train`), counts with the training scores. A model
    scored on held-out rows whose assignment's metric (the brief's ROC AUC) is only ever
    computed on its training rows, or on all the rows, is medium: the figure the hiring team
    compares is memorisation, however honest the accuracy beside it.

    Why it matters: a model scored on its own training rows reports how well it memorised
    them; a random forest reaches ~1.0 there whatever its real quality, so any decision or
    claim based on that number is unfounded.

    Example: `model.fit(X, y)` then `print("R2:", model.score(X, y))` for three feature
    sets, keeping the one with the highest R2; or `GridSearchCV(...).fit(df, target)`
    followed by `search.best_estimator_.score(X_test, y_test)` where `X_test` is part of `df`.

    Do instead: split first (or cross-validate), fit on the training part only, and report
    and compare scores on held-out rows; print a training score only next to the held-out
    one, to show the gap.
    """
    del params
    models = scored_models(ctx.dataflow, ctx.trace_facts)
    suspect = [m for m in models if m.only_training]
    breakdown = _breakdown_on_training_only(ctx, models)
    primary = _primary_metric_on_training_only(ctx, models)
    if not suspect:
        held = sum(1 for m in models if m.held_out)
        side = [f for f in (primary, breakdown) if f is not None]
        if side:
            return CheckOutcome(
                findings=side, message="a model scored on held-out rows is measured on its training rows too"
            )
        return CheckOutcome(
            message=f"{held} scored model(s), each scored on held-out rows" if models else "no scored model found"
        )
    any_held_out = any(m.held_out for m in models) or bool(ctx.dataflow.cv_runs)
    last = max(models, key=lambda m: (m.last.site.executed_cell, m.last.site.executed_line))
    findings = []
    headline = [m for m in suspect if not any_held_out or (m is last and _posed_as_held_out(m))]
    if headline:
        reason = _headline_reason(any_held_out)
        findings.append(_finding(ctx, headline[0], Severity.high, reason, others=headline[1:]))
    rest = [m for m in suspect if m not in headline]
    stated = [m for m in rest if _stated_in_prose(ctx, m)]
    if stated:
        reason = "the prose right after states this score as a result, but it is of the rows the model was fitted on"
        findings.append(_finding(ctx, stated[0], Severity.medium, reason, others=stated[1:]))
        rest = [m for m in rest if m not in stated]
    if rest:
        compared = len(rest) >= 2 or any(_in_model_loop(ctx, m) for m in rest)
        severity = Severity.medium if compared else Severity.low
        reason = (
            f"{len(rest)} model(s) are compared on scores of the rows they were fitted on"
            if compared
            else "this score is of the rows the model was fitted on; only a held-out score says how it generalises"
        )
        findings.append(_finding(ctx, rest[0], severity, reason, others=rest[1:]))
    findings += [f for f in (primary, breakdown) if f is not None]
    return CheckOutcome(findings=findings, message=f"{len(suspect)} model(s) scored only on their training rows")


#: Scores that break the errors down (per class, by kind of error) rather than summarise them.
_BREAKDOWNS = frozenset(
    {"classification_report", "confusion_matrix", "multilabel_confusion_matrix", "plot_confusion_matrix"}
)


def _breakdown_on_training_only(ctx: CheckContext, models: list[ScoredModel]) -> Finding | None:
    """A model scored on held-out rows whose confusion matrix or report is only ever of its training rows.

    The summary score is honest, but the notebook's reading of its errors (which class is missed,
    how often) is of rows the model memorised: a random forest's training confusion matrix is
    near-diagonal whatever it does on new patients. Not a finding when any model's errors are
    broken down on held-out rows too (the pair shows the gap).
    """
    if any(s.eval.function in _BREAKDOWNS for m in models for s in m.held_out):
        return None
    for model in models:
        if not model.held_out:
            continue  # scored only on training rows: the findings above say so
        broken = [s for s in model.training if s.eval.function in _BREAKDOWNS]
        if not broken:
            continue
        kinds = sorted({s.eval.function.replace("_", " ") for s in broken})
        held = model.held_out[0].eval.site
        site = broken[0].eval.site
        return Finding(
            message=f"{model.est.cls}'s {' and '.join(kinds)} (cell {site.executed_cell}) is computed on the rows it "
            f"was fitted on, and no breakdown of its errors is computed on held-out rows (its held-out score is in "
            f"cell {held.executed_cell}): what the notebook reads about its errors is memorisation",
            severity=Severity.medium,
            confidence=Confidence.high if broken[0].traced is not None else Confidence.medium,
            evidence=[
                ctx.evidence(site.executed_cell, site.executed_line, note="errors broken down on training rows"),
                ctx.evidence(held.executed_cell, held.executed_line, note="held-out score, with no breakdown"),
            ],
            data={"kind": "breakdown_on_training", "estimator": model.est.cls, "functions": kinds},
        )
    return None


def _primary_metric_on_training_only(ctx: CheckContext, models: list[ScoredModel]) -> Finding | None:
    """The brief's metric is computed for a model only on rows it was fitted on, its other metrics on held-out rows.

    `accuracy_score(y_test, pred)` beside `roc_auc_score(y, model.predict_proba(X)[:, 1])` on all the
    rows, two thirds of which trained the model: the ROC AUC the hiring team compares candidates
    on measures memorisation, however honest the accuracy next to it.
    """
    if ctx.assignment is None:
        return None
    metric = ctx.assignment.primary_metric
    wanted = PRIMARY_MEASURES.get(metric, frozenset())
    task = task_of(ctx.assignment, ctx.ml)

    def measures(score: Score) -> set[Measure]:
        function = score.eval.function
        # An estimator's own score is its default metric, statsmodels' rsquared an R²; anything else unknown.
        fallback = (
            {Measure.default} if function == "score" else {Measure.r2} if function.startswith("rsquared") else set()
        )
        return resolve_measures(METRIC_FUNCTIONS.get(function, frozenset(fallback)), task)

    for model in models:
        if not model.held_out or any(measures(s) & wanted for s in model.held_out):
            continue
        on_training = [s for s in model.training if measures(s) & wanted]
        if not on_training:
            continue
        score = on_training[0]
        site = score.eval.site
        held = model.held_out[0].eval.site
        rows = "on all the rows, those it was fitted on among them" if score.mixed else "on the rows it was fitted on"
        return Finding(
            message=f"The assignment's metric ({metric.value}) of {model.est.cls} is only computed {rows} (cell "
            f"{site.executed_cell}); the model's held-out scores (cell {held.executed_cell}) are of other metrics: "
            "the figure the brief asks for measures memorisation",
            severity=Severity.medium,
            confidence=Confidence.high if score.traced is not None else Confidence.medium,
            evidence=[
                ctx.evidence(site.executed_cell, site.executed_line, note=f"{metric.value} {rows}"),
                ctx.evidence(held.executed_cell, held.executed_line, note="held-out score of another metric"),
            ],
            data={"kind": "primary_metric_on_training", "estimator": model.est.cls, "metric": metric.value},
        )
    return None


#: How far below a score's cell the prose that reads it may be (markdown cells; code cells end the search).
_PROSE_REACH = 2


def _stated_in_prose(ctx: CheckContext, model: ScoredModel) -> bool:
    """A number the score's cell printed is quoted in the markdown right below it.

    "After adding PCA the score was 0.9775, higher than the previous 0.967" under a cell that
    fits on X and prints `pipeline.score(X, y)`: the training score is presented as a result.
    """
    view = ctx.notebook
    for score in model.training:
        index = score.eval.site.executed_cell
        if not 0 <= index < len(view) or not view[index].outputs:
            continue
        cell = view[index]
        printed = {(n.value, n.decimals) for o in cell.outputs for n in numbers_in(o.text[:5000]) if n.decimals >= 2}
        if not printed:
            continue
        for below in range(index + 1, min(index + 1 + _PROSE_REACH, len(view))):
            follow = view[below]
            if not follow.is_markdown:
                break
            for said in numbers_in(prose(follow.source)):
                if said.decimals >= 2 and any(
                    round(value, said.decimals) == said.value and decimals >= said.decimals
                    for value, decimals in printed
                ):
                    return True
    return False


def _posed_as_held_out(model: ScoredModel) -> bool:
    """The scored rows are the test side of a split: the notebook presents the score as held-out."""
    return any(s.named_held_out for s in model.training)


def _headline_reason(any_held_out: bool) -> str:
    if not any_held_out:
        return "no model is scored on held-out rows or cross-validated, so these scores are the notebook's result"
    return "this is the final model's score, presented as a test score, but the model was fitted on those rows"


def _in_model_loop(ctx: CheckContext, model: ScoredModel) -> bool:
    loops = ctx.dataflow.loops
    return any(
        i in loops and (loops[i].over_estimators or loops[i].sweeps) for s in model.training for i in s.eval.loops
    )


def _finding(
    ctx: CheckContext, model: ScoredModel, severity: Severity, reason: str, others: list[ScoredModel] | None = None
) -> Finding:
    others = others or []
    first = model.training[0]
    fit = model.fit
    fit_cell = fit.site.executed_cell if fit is not None else None
    score_cells = sorted({s.eval.site.executed_cell for m in [model, *others] for s in m.training})
    shown = ", ".join(str(c) for c in score_cells[:6]) + (" ..." if len(score_cells) > 6 else "")
    traced = first.traced
    what = model.est.cls if not others else f"{len(others) + 1} models ({model.est.cls}, ...)"
    if traced is not None:
        message = (
            f"{what} fitted in cell {traced.fit_cell if traced.fit_cell is not None else fit_cell} is "
            f"scored in cell(s) {shown} on {traced.rows:,} rows, {traced.fitted.text()} of which it was fitted "
            f"on: {reason}"
        )
    else:
        where = f"in cell {fit_cell}" if not others else f"from cell {fit_cell} on"
        message = f"{what} fitted {where} are scored in cell(s) {shown} on rows they were fitted on: {reason}"
        if not others:
            message = message.replace(" are scored", " is scored").replace("rows they were", "rows it was")
        if first.mixed:
            who = "they were" if others else "it was"
            message = message.replace(f"on rows {who} fitted on", f"on all the rows, those {who} fitted on among them")
    evidence: list[Evidence] = []
    if fit is not None:
        evidence.append(ctx.evidence(fit.site.executed_cell, fit.site.executed_line, note="fitted on these rows"))
    places = dict.fromkeys(
        (s.eval.site.executed_cell, s.eval.site.executed_line) for m in [model, *others] for s in m.training
    )
    for cell, line in list(places)[:3]:
        evidence.append(ctx.evidence(cell, line, note="scored on them"))
    if traced is not None:
        evidence.append(
            ctx.evidence(
                first.eval.site.executed_cell,
                first.eval.site.executed_line,
                source=EvidenceSource.trace,
                note=f"traced: {traced.fitted.text()} of the {traced.rows:,} scored rows were fitted on",
            )
        )
    data: dict[str, Any] = {
        "estimator": model.est.cls,
        "fit_cell": fit_cell,
        "score_cells": score_cells,
        "models": 1 + len(others),
        "traced": traced is not None,
    }
    uncertain = fit is not None and fit.uncertain
    confidence = Confidence.high if traced is not None else (Confidence.low if uncertain else Confidence.medium)
    return Finding(message=message, severity=severity, confidence=confidence, evidence=evidence, data=data)
