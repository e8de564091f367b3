"""MOD001: there is a baseline, and the models are compared to it."""

from __future__ import annotations

import ast
import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import NO_BASELINE
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts
from grader.evidence.ml.queries import model_places
from grader.evidence.ml.vocabulary import Family
from grader.models.findings import Confidence, Finding, Severity

_BASELINE_WORD = re.compile(r"baseline|naive|majority|most[_ ]frequent", re.IGNORECASE)
_CONSTANT_PREDICTION = frozenset({"full", "full_like", "repeat", "tile"})
_STATISTIC = re.compile(r"mean|median|mode|prior|rate", re.IGNORECASE)
_MARKDOWN_BASELINE = re.compile(
    r"(baseline|naive|majority[- ]class|dummy|most[- ]frequent|always predict\w*|predict\w* (the )?(mean|median))"
    r"[^\n]{0,120}?\d",
    re.IGNORECASE,
)


@check(
    id="MOD001",
    slug="has-baseline",
    category=Category.modeling,
    title="A baseline is built and compared against",
    followup=NO_BASELINE,
    needs_fitted_model="there is nothing to compare with a baseline",
)
def has_baseline(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The models are compared with a baseline: a dummy, a constant prediction, or a simple model.

    What it checks: a `DummyClassifier` / `DummyRegressor` that is evaluated
    (directly, in a dict of models, through a helper), a constant prediction
    (`np.full_like(y_val, y_train.median())`) scored next to the model, a simple
    model (logistic or linear regression, naive Bayes) that the notebook calls its
    baseline and compares with a more complex family, or a baseline score quoted in
    the narrative ("predicting the majority class gives 80 %"). No baseline at all
    is a medium finding; a simple model that is only one of the models compared,
    never framed as the reference, or a dummy built but never scored, is low.

    Why it matters: a score means little without a floor. An MAE of 9 minutes is
    good if predicting the median gives 15, and poor if it gives 10; a ROC AUC of
    0.86 from boosted trees is not worth the complexity if logistic regression gets
    0.855.

    Example: the notebook trains one XGBoost model and reports its ROC AUC, with
    nothing to compare it to.

    Do instead: score `DummyClassifier(strategy="prior")` (or the training median
    for regression) and a plain logistic/linear model on the same folds, and put
    them in the comparison table.
    """
    del params
    facts = ctx.ml
    dummies = [use for use, kind in facts.estimators if kind.family is Family.dummy]
    scored_dummies = [u for u in dummies if facts.is_used(u)]
    if scored_dummies:
        return CheckOutcome(score=1.0, message=f"{scored_dummies[0].name} baseline in cell {scored_dummies[0].cell}")
    manual = _constant_baseline(ctx, facts)
    if manual is not None:
        return CheckOutcome(score=1.0, message=f"constant or naive baseline scored in cell {manual}")
    simple = [(u, k) for u, k in facts.estimators if k.simple and k.family is not Family.dummy]
    others = {k.family for u, k in facts.estimators if not k.simple and k.family is not Family.dummy}
    framed = _called_baseline(ctx)
    if simple and others and framed:
        use = simple[0][0]
        return CheckOutcome(
            score=1.0,
            message=f"simple model {use.name} (cell {use.cell}) used as the baseline for "
            f"{', '.join(sorted(f.value for f in others))}",
        )
    quoted = _quoted_in_markdown(ctx)
    if quoted is not None:
        return CheckOutcome(score=1.0, message=f"baseline score quoted in markdown cell {quoted}")
    if dummies:
        use = dummies[0]
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"{use.name} is built but never fitted or scored, so no model is compared with it",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[ctx.evidence(use.cell, use.line)],
                )
            ]
        )
    places = model_places(facts)
    if simple and others:
        use = simple[0][0]
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"No explicit baseline: {use.name} is one of the models compared, but no dummy or constant "
                    "prediction shows what doing nothing scores, and nothing is framed as the reference point",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[ctx.evidence(cell, line) for cell, line in places],
                )
            ]
        )
    only_simple = " (the only model is itself a simple one, with nothing to compare it to)" if simple else ""
    return CheckOutcome(
        findings=[
            Finding(
                message="No baseline: no dummy model, constant prediction or simple reference model to compare the "
                f"model's score with{only_simple}",
                severity=Severity.medium,
                confidence=Confidence.medium,
                evidence=[ctx.evidence(cell, line) for cell, line in places],
            )
        ]
    )


def _constant_baseline(ctx: CheckContext, facts: MLFacts) -> int | None:
    """A cell that scores a constant or explicitly named baseline prediction."""
    metric_cells = {m.site.cell for m in facts.metric_uses}
    for cell, node in facts.nodes(ast.Name, ast.Constant, ast.Call):
        if cell not in metric_cells:
            continue
        if isinstance(node, ast.Name) and _BASELINE_WORD.search(node.id):
            return cell
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _BASELINE_WORD.search(node.value)
            and len(node.value) < 60
        ):
            return cell
        if isinstance(node, ast.Call):
            site = facts.site(node)
            if (
                site is not None
                and site.qualname
                and site.qualname.startswith("numpy.")
                and site.qualname.rsplit(".", 1)[-1] in _CONSTANT_PREDICTION
                and _STATISTIC.search(ast.unparse(node))
            ):
                return cell
    return None


def _called_baseline(ctx: CheckContext) -> bool:
    """The notebook names something its baseline (prose, a comment, a label or a variable)."""
    if any(re.search(r"\bbaseline", c.source, re.IGNORECASE) for c in ctx.notebook.cells):
        return True
    return any(
        re.search(r"\bbaseline", t, re.IGNORECASE) for p, t in ctx.submission.texts.items() if p.lower().endswith(".md")
    )


def _quoted_in_markdown(ctx: CheckContext) -> int | None:
    for cell in ctx.notebook.markdown_cells():
        if _MARKDOWN_BASELINE.search(cell.source):
            return cell.index
    return None
