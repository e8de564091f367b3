"""MOD001: there is a baseline, and the models are compared to it."""

from __future__ import annotations

import ast
import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import NO_BASELINE
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts, Use, is_true, kw
from grader.evidence.ml.queries import SourcedEstimator, evidence_for, model_places, reachable_estimators
from grader.evidence.ml.vocabulary import EstimatorKind, Family
from grader.evidence.narrative.markdown import prose, sentences
from grader.models.findings import Confidence, Finding, Severity

#: numpy calls that build a constant prediction (`np.full_like(y_val, y_train.median())`, `np.zeros(n)`).
_CONSTANT_ARRAYS = frozenset({"full", "full_like", "repeat", "tile", "zeros", "zeros_like", "ones", "ones_like"})
#: A statistic of the training target that a constant predictor predicts.
_STATISTIC_CALLS = frozenset({"mean", "median", "mode", "idxmax", "max", "min"})
_TARGET_NAME = re.compile(r"^y(_|$)|target|label", re.IGNORECASE)
_BASELINE = re.compile(r"\bbaseline", re.IGNORECASE)
#: A baseline score quoted in prose: what the baseline is and a number, or "baseline" with a metric and a number.
_MARKDOWN_BASELINE = re.compile(
    r"(majority[- ]class|most[- ]frequent (class|label)|always predict\w*|predict\w* (the )?(mean|median|mode)|"
    r"baseline[^\n.]{0,60}?\b(accuracy|score|auc|f1|r2|r²|mae|rmse|mse|error|precision|recall)\b)"
    r"[^\n]{0,80}?\d",
    re.IGNORECASE,
)
#: Words a sentence uses for each simple family, besides the class name itself.
_FAMILY_WORDS = {
    Family.linear: ("logistic", "linear", "ridge", "lasso", "elastic", "ols", "logit"),
    Family.naive_bayes: ("naive bayes", "gaussiannb", "nb"),
}


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
    (directly, in a dict of models, through a helper); a constant prediction scored
    next to the model (`np.full_like(y_val, y_train.median())`, `[y_train.mean()] *
    len(y_val)`) or the majority-class rate (`y_val.value_counts(normalize=True).max()`);
    a simple model (logistic or linear regression, naive Bayes) explicitly made the
    reference where it is built (`baseline = LogisticRegression()`, a `# baseline`
    comment) or in a sentence that names it and calls it the baseline, compared with a
    more complex family; or a baseline score quoted in the narrative ("predicting the
    majority class gives 80 %"). A baseline is recognised by what it is, never by a word
    alone: "naive", "dummy variables", "Naive Bayes" or `va="baseline"` are not one. No
    baseline at all is a medium finding; a simple model that is only one of the models
    compared, never framed as the reference, or a dummy built but never scored, is low.

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
    found = reachable_estimators(ctx)
    dummies = [f for f in found if f.kind.family is Family.dummy]
    scored_dummies = [f for f in dummies if f.source.facts.is_used(f.use)]
    if scored_dummies:
        first = scored_dummies[0]
        return CheckOutcome(score=1.0, message=f"{first.use.name} baseline in {first.source.where(first.use.cell)}")
    manual = _constant_baseline(ctx, facts)
    if manual is not None:
        return CheckOutcome(score=1.0, message=f"constant or naive baseline scored in cell {manual}")
    simple = [f for f in found if f.kind.simple and f.kind.family is not Family.dummy]
    others = {f.kind.family for f in found if not f.kind.simple and f.kind.family is not Family.dummy}
    framed = _called_baseline(ctx, simple)
    if simple and others and framed:
        use = simple[0].use
        return CheckOutcome(
            score=1.0,
            message=f"simple model {use.name} ({simple[0].source.where(use.cell)}) used as the baseline for "
            f"{', '.join(sorted(f.value for f in others))}",
        )
    quoted = _quoted_in_markdown(ctx)
    if quoted is not None:
        return CheckOutcome(score=1.0, message=f"baseline score quoted in markdown cell {quoted}")
    if dummies:
        dummy = dummies[0]
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"{dummy.use.name} is built but never fitted or scored, so no model is compared with it",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[evidence_for(ctx, dummy.source, dummy.use.cell, dummy.use.line)],
                )
            ]
        )
    places = model_places(facts)
    if simple and others:
        use = simple[0].use
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
    """A cell that scores a constant prediction, or computes the majority-class rate.

    Recognised by what the code computes, never by a name: a metric whose predictions are a
    constant array (`np.full_like(y_val, y_train.median())`, `[y_train.mean()] * len(y_val)`,
    `np.zeros(len(y_test))`), or the share of the most frequent class
    (`y_test.value_counts(normalize=True).max()`, `(y_test == 0).mean()`).
    """
    target = ctx.assignment.target if ctx.assignment is not None else None
    for metric in facts.metric_uses:
        if metric.how != "function":
            continue
        call = metric.site.node
        predicted = kw(call, "y_pred", "y_score") or (call.args[1] if len(call.args) >= 2 else None)
        if predicted is not None and _constant_prediction(facts, predicted, (metric.site.cell, metric.site.line)):
            return metric.site.cell
    for cell, node in facts.nodes(ast.Call):
        assert isinstance(node, ast.Call)
        if _majority_rate(node) and _about_target(node, target):
            return cell
    return None


def _constant_prediction(facts: MLFacts, node: ast.expr, before: tuple[int, int], depth: int = 2) -> bool:
    """The expression is a prediction that is the same for every row."""
    if isinstance(node, ast.Name) and depth > 0:
        value = facts.value_of(node.id, before)
        return value is not None and _constant_prediction(facts, value, before, depth - 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        # `[y_train.mean()] * len(y_val)`
        return any(isinstance(side, ast.List) and len(side.elts) == 1 for side in (node.left, node.right))
    if isinstance(node, ast.Call):
        site = facts.site(node)
        qualname = site.qualname if site is not None else None
        if qualname and qualname.startswith("numpy.") and qualname.rsplit(".", 1)[-1] in _CONSTANT_ARRAYS:
            return True
        if qualname == "pandas.Series" and node.args and _is_constant_value(node.args[0]):
            return True  # `pd.Series(y_train.mean(), index=y_val.index)`
    return False


def _is_constant_value(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STATISTIC_CALLS
        and not node.args
    )


def _majority_rate(call: ast.Call) -> bool:
    """`y.value_counts(normalize=True).max()` or `(y == c).mean()`: what always predicting one class scores."""
    if not isinstance(call.func, ast.Attribute) or call.args:
        return False
    inner = call.func.value
    if call.func.attr == "max" and isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
        normalised = any(k.arg == "normalize" and is_true(k.value) for k in inner.keywords)
        return inner.func.attr == "value_counts" and normalised
    if call.func.attr == "mean" and isinstance(inner, ast.Compare) and len(inner.ops) == 1:
        return isinstance(inner.ops[0], ast.Eq) and isinstance(inner.comparators[0], ast.Constant)
    return False


def _about_target(node: ast.AST, target: str | None) -> bool:
    """The expression reads the target: its column by name, or a `y`/`target`/`label` variable."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and target is not None and sub.value == target:
            return True
        if isinstance(sub, ast.Name) and _TARGET_NAME.search(sub.id):
            return True
    return False


def _called_baseline(ctx: CheckContext, simple: list[SourcedEstimator]) -> bool:
    """One of the simple models is explicitly the reference: named so where it is built, or in a sentence.

    The word must be about that model: on the line that builds it (a comment, a dict key, the
    variable it is bound to), or in a markdown sentence that also names its family. "Baseline"
    elsewhere (`va="baseline"`, a baseline of the data) frames nothing.
    """
    for found in simple:
        use = found.use
        view = found.source.module.code.view if found.source.module is not None else ctx.notebook
        lines = view[use.cell].source.splitlines()
        line = lines[use.line - 1] if 0 < use.line <= len(lines) else ""
        if _BASELINE.search(line) or (use.bound_to and _BASELINE.search(use.bound_to)):
            return True
    texts = [c.source for c in ctx.notebook.markdown_cells()]
    texts += [t for p, t in ctx.submission.texts.items() if p.lower().endswith(".md")]
    for text in texts:
        for sentence in sentences(prose(text)):
            if _BASELINE.search(sentence) and any(_names_model(sentence, f.use, f.kind) for f in simple):
                return True
    return False


def _names_model(sentence: str, use: Use, kind: EstimatorKind) -> bool:
    words = {re.sub(r"(?<!^)(?=[A-Z])", " ", use.name).lower(), use.name.lower()}
    words |= set(_FAMILY_WORDS.get(kind.family, ()))
    if use.bound_to:
        words.add(use.bound_to.lower())
    lowered = sentence.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words if len(w) >= 2)


def _quoted_in_markdown(ctx: CheckContext) -> int | None:
    for cell in ctx.notebook.markdown_cells():
        if _MARKDOWN_BASELINE.search(prose(cell.source)):
            return cell.index
    return None
