"""EVAL005: the errors are looked at, not only summarised in one number."""

from __future__ import annotations

import ast
import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import ERROR_ANALYSIS
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts, names_in
from grader.evidence.ml.queries import evaluation_places, model_places, resolve_measures, task_of
from grader.evidence.ml.vocabulary import PREDICTION_NAME, Measure, Task
from grader.models.findings import Confidence, Finding, Severity

_CLASSIFICATION_PROSE = re.compile(
    r"false[\s-]+(positive|negative)s?|misclassif\w*|confusion matrix|"
    r"error analysis|type (i|ii|1|2) error",
    re.IGNORECASE,
)
_REGRESSION_PROSE = re.compile(
    r"residuals?|error analysis|under-?predict\w*|over-?predict\w*|largest errors|"
    r"biggest errors|worst predictions",
    re.IGNORECASE,
)
_ERROR_NAME = re.compile(r"(resid|error|err\b|errs\b|abs_err|miss|wrong|mistake|_fn\b|_fp\b)", re.IGNORECASE)
_TRUE_NAME = re.compile(r"^y(_|$|true|test|val|hold|te$)|true|actual|target|label", re.IGNORECASE)
_PLOTS = frozenset(
    {
        "scatter",
        "scatterplot",
        "regplot",
        "residplot",
        "hist",
        "histplot",
        "kdeplot",
        "plot",
        "boxplot",
        "jointplot",
        "displot",
        "lineplot",
        "barplot",
    }
)


@check(
    id="EVAL005",
    slug="error-analysis",
    category=Category.evaluation,
    title="Errors are analysed (confusion matrix, residuals)",
    followup=ERROR_ANALYSIS,
    needs_fitted_model="there are no errors to analyse",
)
def error_analysis(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The notebook looks at where the model is wrong, not only at one summary score.

    What it checks: for classification, a confusion matrix
    (`confusion_matrix`, `ConfusionMatrixDisplay`, `pd.crosstab(y_true, y_pred)`), a
    `classification_report`, or code that selects the misclassified rows; for
    regression, residuals (`y_test - pred`, `PredictionErrorDisplay`, a scatter of
    predictions against actuals, errors by segment). Prose that discusses false
    positives/negatives or residuals also counts.

    Why it matters: a single ROC AUC hides which customers the model misses and what
    a threshold costs; residuals show bias by segment (long distances, rush hours)
    that the next iteration should fix. Reviewers read this as the difference between
    fitting a model and understanding it.

    Example: the notebook ends with `print(roc_auc_score(y_test, proba))` and a
    comparison table; no confusion matrix, no look at the errors.

    Do instead: `ConfusionMatrixDisplay.from_predictions(y_test, pred)` at the chosen
    threshold and a short look at the false negatives; for regression, plot
    `y_test - pred` against the prediction and by the main segments.
    """
    del params
    facts = ctx.ml
    task = task_of(ctx.assignment, facts)
    found = _found(ctx, facts, task)
    if found:
        return CheckOutcome(score=1.0, message=found)
    places = evaluation_places(facts) or model_places(facts)
    what = "residuals" if task is Task.regression else "a confusion matrix or the misclassified cases"
    return CheckOutcome(
        findings=[
            Finding(
                message=f"No error analysis: the model is summarised by scores only, without {what}",
                severity=Severity.medium,
                confidence=Confidence.medium,
                evidence=[ctx.evidence(cell, line) for cell, line in places[-2:]],
            )
        ]
    )


def _found(ctx: CheckContext, facts: MLFacts, task: Task | None) -> str:
    measured = resolve_measures((x for m in facts.metric_uses for x in m.measures), task)
    regression = task is Task.regression
    if not regression and measured & {Measure.confusion, Measure.report}:
        return "confusion matrix or classification report"
    if Measure.residuals in measured:
        return "prediction-error display"
    for cell, node in facts.nodes(ast.BinOp, ast.Compare, ast.Call, ast.Assign):
        if regression and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and _pred_vs_true(node):
            return f"residuals computed in cell {cell}"
        if (
            not regression
            and isinstance(node, ast.Compare)
            and any(isinstance(o, (ast.NotEq, ast.Eq)) for o in node.ops)
            and _pred_vs_true(node)
        ):
            return f"misclassified rows selected in cell {cell}"
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "crosstab" and not regression and any(PREDICTION_NAME.search(n) for n in names_in(node)):
                return f"crosstab of predictions in cell {cell}"
            if regression and name in _PLOTS and _pred_vs_true(node):
                return f"predictions plotted against actuals in cell {cell}"
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and _ERROR_NAME.search(t.id) for t in node.targets)
            and _pred_vs_true(node.value)
        ):
            return f"errors computed in cell {cell}"
    prose = _REGRESSION_PROSE if regression else _CLASSIFICATION_PROSE
    for markdown in ctx.notebook.markdown_cells():
        if prose.search(markdown.source):
            return f"errors discussed in cell {markdown.index}"
    return ""


def _pred_vs_true(node: ast.AST) -> bool:
    """The expression involves both predictions and true values."""
    names = names_in(node)
    has_pred = any(PREDICTION_NAME.search(n) for n in names)
    has_true = any(_TRUE_NAME.search(n) and not PREDICTION_NAME.search(n) for n in names)
    if not has_true:
        has_true = any(isinstance(n, ast.Subscript) for n in ast.walk(node))
    return has_pred and has_true
