"""FEAT003: models that need scaled inputs get them."""

from __future__ import annotations

import ast

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import FEATURES
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts, Use, canonical, is_none, kw
from grader.evidence.ml.queries import code_sources
from grader.evidence.ml.vocabulary import SCALERS
from grader.models.findings import CheckStatus, Confidence, Finding, Severity

_PIPELINES = frozenset({"Pipeline", "make_pipeline"})


@check(
    id="FEAT003",
    slug="scaled-where-needed",
    category=Category.features,
    title="Models that need scaled features get them",
    followup=FEATURES,
)
def scaled_where_needed(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Regularised linear models, SVMs, k-NN and neural networks see standardised features.

    What it checks: every scale-sensitive estimator (`LogisticRegression`, `Ridge`,
    `Lasso`, `SGD*`, `SVC`, `KNeighbors*`, `MLP*`) is scaled: inside a `Pipeline`
    that also holds a scaler (`StandardScaler`, `MinMaxScaler`, `RobustScaler`, ...),
    directly or through a `ColumnTransformer` or a helper that builds one; or, when
    it is not in a pipeline, with a scaler applied somewhere in the notebook. Tree
    models, naive Bayes and unpenalised linear regression do not need scaling and are
    not checked.

    Why it matters: the L2 penalty of a logistic regression shrinks a coefficient in
    dollars and one in years by the same amount, so unscaled features are penalised
    arbitrarily; k-NN distances are dominated by whichever column has the largest
    range (`total_charges` in thousands against `num_lines` in units), and solvers
    converge slowly or not at all.

    Example: `LogisticRegression().fit(X_train, y_train)` on raw charges, tenure and
    one-hot columns, with a convergence warning in the output.

    Do instead: `make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))`,
    or a `ColumnTransformer` that scales the numeric columns in front of the model.
    """
    del params
    facts = ctx.ml
    scaled_somewhere = _scales_anywhere(ctx)
    needing = [(u, k) for u, k in facts.estimators if k.needs_scaling and not _unpenalised(u)]
    if not needing:
        return CheckOutcome(status=CheckStatus.not_applicable, message="no scale-sensitive model")
    findings = []
    for use, kind in needing:
        pipeline = _pipeline_of(facts, use)
        if pipeline is not None:
            if SCALERS & facts.constructs_reachable(pipeline.call):
                continue
            if scaled_somewhere:
                findings.append(
                    Finding(
                        message=f"{use.name} sits in a {pipeline.name} without a scaler; a scaler is applied elsewhere, "
                        "so check that this pipeline receives scaled data",
                        severity=Severity.low,
                        confidence=Confidence.low,
                        evidence=[ctx.evidence(use.cell, use.line)],
                    )
                )
                continue
        elif scaled_somewhere:
            continue
        findings.append(
            Finding(
                message=f"{use.name} ({kind.family.value}) is fitted on unscaled features: its "
                f"{'penalty depends' if kind.family.value == 'linear' else 'distances and optimisation depend'} "
                "on each column's units",
                severity=Severity.medium,
                confidence=Confidence.medium if pipeline is None else Confidence.high,
                evidence=[ctx.evidence(use.cell, use.line)],
                data={"estimator": use.name},
            )
        )
    ok = len(needing) - len(findings)
    return CheckOutcome(
        findings=findings, score=ok / len(needing), message=f"{ok} of {len(needing)} scale-sensitive model(s) scaled"
    )


def _unpenalised(use: Use) -> bool:
    """`LogisticRegression(penalty=None)` predicts the same whatever the scale."""
    penalty = kw(use.call, "penalty")
    return penalty is not None and (is_none(penalty) or (isinstance(penalty, ast.Constant) and penalty.value == "none"))


def _pipeline_of(facts: MLFacts, use: Use) -> Use | None:
    """The pipeline that wraps the estimator, lexically or through the variable holding it."""
    node = facts.parent(use.call)
    while node is not None and not isinstance(node, ast.stmt):
        site = facts.site(node) if isinstance(node, ast.Call) else None
        if site is not None and canonical(site) in _PIPELINES:
            # A notebook's own helper named like sklearn's (`def make_pipeline(model, scale)`)
            # is a call site without a recorded use: keep looking outward.
            wrapper = next((u for u in facts.uses if u.site is site), None)
            if wrapper is not None:
                return wrapper
        node = facts.parent(node)
    if use.bound_to:
        for outer in facts.named(_PIPELINES):
            if (outer.cell, outer.line) >= (use.cell, use.line) and any(
                isinstance(n, ast.Name) and n.id == use.bound_to for n in ast.walk(outer.call)
            ):
                return outer
    return None


def _scales_anywhere(ctx: CheckContext) -> bool:
    """A scaler, a scaling function, or a hand-written z-score `(x - x.mean()) / x.std()`."""
    for source in code_sources(ctx):
        if source.facts.named(SCALERS):
            return True
    for _, node in ctx.ml.nodes(ast.BinOp):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and isinstance(node.left, ast.BinOp)
            and isinstance(node.left.op, ast.Sub)
        ):
            called = {
                n.func.attr for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            }
            if called & {"mean", "min", "median"} and called & {"std", "max", "var"}:
                return True
    return False
