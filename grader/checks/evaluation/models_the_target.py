"""EVAL011: the models predict the assignment's target, not another column."""

from __future__ import annotations

import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import FollowUpSubject, Question
from grader.evidence.context import CheckContext
from grader.evidence.dataflow.values import Data, Fit
from grader.evidence.ml.vocabulary import FitCategory
from grader.models.findings import CheckStatus, Confidence, Finding, Severity


def _ask(s: FollowUpSubject) -> str:
    return f"{s.message()} — which column does your final model predict, and how does that answer the brief?"


OTHER_TARGET = Question("evaluation", _ask)

#: Fits that learn no labels, whatever their estimator's kind.
_UNSUPERVISED = frozenset({FitCategory.clustering, FitCategory.decomposition})
#: A rename or a new list of column names: the target may live on under another name the dataflow cannot follow.
_RENAMES = r"\.rename\s*\(|\.columns\s*=|\bset_axis\s*\("


@check(
    id="EVAL011",
    slug="models-the-assignment-target",
    category=Category.evaluation,
    title="The models predict the assignment's target",
    followup=OTHER_TARGET,
)
def models_the_assignment_target(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """At least one supervised model is fitted to the assignment's target (or a transform of it).

    What it checks: the labels (`y`) of every supervised fit, as the dataflow follows them back
    to the data's columns. When every model's labels come from other columns and none from the
    target (`np.log1p(df["area"])` or `df["quality"] >= 7` count as the target), the notebook
    answers another question than the brief's. High when the target itself, or a column built
    from it, is among the named features of such a model (the answer is used to predict
    something else: `temp` predicted from `log(area)`, or every column but `chlorides` used to
    predict `chlorides`, the target among them); medium when the target is only read elsewhere
    in the code. Labels the dataflow cannot place (`df.iloc[:, -1]`) may be the
    target, so they pass; a notebook that renames columns is left alone when the target is
    not among the named features, since its target may live on under another name.

    Why it matters: a score for another column says nothing about the brief's prediction
    problem, however good it looks; a reviewer reading the headline number takes it for the
    answer to the assignment.

    Example: the brief asks for the burned `area`; the notebook drops the fires with no burned
    area, then fits `LinearRegression().fit(df[["log_area", "BUI"]], df["temp"])` and reports
    the RMSE of the temperature.

    Do instead: fit the models to the brief's target (a transform of it is fine, said so), keep
    the target and anything computed from it out of the features, and report the brief's metric
    for that target.
    """
    del params
    target = ctx.assignment.target if ctx.assignment is not None else None
    if not target:
        return CheckOutcome(status=CheckStatus.not_applicable, message="not applicable: no assignment target")
    flow = ctx.dataflow
    fits = [(fit, x, y) for fit, x, y in flow.model_fits if _learns_labels(fit, y)]
    if not fits:
        return CheckOutcome(status=CheckStatus.not_applicable, message="not applicable: no supervised model fitted")
    others = [(fit, x, y) for fit, x, y in fits if _labels_elsewhere(y, target)]
    if len(others) < len(fits):
        return CheckOutcome(
            message=f"{len(fits) - len(others)} model(s) fitted to `{target}`, a transform of it or labels it may be"
        )
    predicted = sorted({c for _, _, y in others if y is not None for c in y.deps if not c.startswith("__")})
    code = "\n".join(c.source for c in ctx.notebook.code_cells())
    # The target's name means the data's column only where the code reads it and never renames columns.
    present = target in flow.mentions and not re.search(_RENAMES, code)
    fed = [(fit, x, _target_features(x, target, present)) for fit, x, _ in others]
    fed = [(fit, x, names) for fit, x, names in fed if names]
    shown = ", ".join(f"`{c}`" for c in predicted[:3])
    if fed:
        fit, _, names = fed[0]
        via = ", ".join(f"`{n}`" for n in names[:3])
        message = (
            f"No model predicts the assignment's target `{target}`: every model is fitted to {shown}, and "
            f"{fit.cls} in cell {fit.site.executed_cell} takes {via} (the target or built from it) as a feature — the "
            "brief's answer is used to predict another column, so the results do not answer the brief"
        )
        return _outcome(ctx, message, Severity.high, Confidence.high, [f for f, _, _ in fed], target, predicted)
    if not present:
        return CheckOutcome(message=f"the models predict {shown}; the target `{target}` may be renamed in the code")
    message = (
        f"No model predicts the assignment's target `{target}`: every model is fitted to {shown}, so the "
        "results answer another question than the brief's"
    )
    return _outcome(ctx, message, Severity.medium, Confidence.medium, [f for f, _, _ in others], target, predicted)


def _same_column(name: str, target: str) -> bool:
    """The same column, however the data file spaces or cases it (`Chance of Admit ` is `Chance of Admit`)."""
    return _key(name) == _key(target)


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name).lower()


def _learns_labels(fit: Fit, y: Data | None) -> bool:
    """A supervised fit, or a predictor's fit whose labels the dataflow could not follow (a name no cell binds)."""
    if fit.supervised:
        return True
    est = fit.est
    return y is None and est is not None and est.is_predictor and fit.category not in _UNSUPERVISED


def _labels_elsewhere(y: Data | None, target: str) -> bool:
    """The labels are known to come only from columns other than the target (labels the dataflow could not
    follow, from a name no cell binds, may be the target)."""
    if y is None:
        return False
    return not y.uncertain and not y.target and bool(y.deps) and not any(_same_column(d, target) for d in y.deps)


def _target_features(x: Data, target: str, present: bool) -> list[str]:
    """The features that are the target or are built from it: named ones, or the target left in
    "all the columns but some" (`df.drop(columns=["chlorides"])`) when it is known to be a column."""
    if x.cols.mode == "all":
        return [target] if present and x.cols.contains(target) is True else []
    if x.cols.mode != "known":
        return []
    derived = x.derived_map()
    return sorted(
        n
        for n in x.cols.names
        if _same_column(n, target) or any(_same_column(d, target) for d in derived.get(n, frozenset()))
    )


def _outcome(
    ctx: CheckContext,
    message: str,
    severity: Severity,
    confidence: Confidence,
    fits: list[Fit],
    target: str,
    predicted: list[str],
) -> CheckOutcome:
    evidence = [
        ctx.evidence(f.site.executed_cell, f.site.executed_line, note="fitted to another column") for f in fits[:3]
    ]
    return CheckOutcome(
        findings=[
            Finding(
                message=message,
                severity=severity,
                confidence=confidence,
                evidence=evidence,
                data={"target": target, "predicted": predicted[:10]},
            )
        ],
        message=message,
    )
