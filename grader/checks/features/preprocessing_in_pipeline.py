"""FEAT005: transformations that learn from data live inside a Pipeline / ColumnTransformer."""

from __future__ import annotations

import ast
import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import IN_PIPELINE
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts, Use, names_in
from grader.evidence.ml.queries import Source, code_sources, evidence_for
from grader.evidence.ml.vocabulary import ENCODERS, IMPUTERS, LEARNED_TRANSFORMS, PIPELINE_BUILDERS, RESAMPLERS, SCALERS
from grader.models.findings import CheckStatus, Confidence, Finding, Severity

#: Transformer classes that learn statistics in `fit` (functions like `scale()` or `get_dummies` excluded).
_LEARNED = frozenset(
    {n for n in SCALERS if n[0].isupper()}
    | IMPUTERS
    | RESAMPLERS
    | LEARNED_TRANSFORMS
    | {n for n in ENCODERS if n[0].isupper()}
) - {"LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer"}
_FITS = frozenset({"fit", "fit_transform", "fit_resample"})
_STATISTICS = frozenset({"mean", "median", "mode", "quantile", "std"})
_FRAME_OR_COLUMN = re.compile(r"[\w.]+(\[[^\]]+\])*")
_TARGET_LIKE = re.compile(r"^y(_|$)|target|label", re.IGNORECASE)


@check(
    id="FEAT005",
    slug="preprocessing-in-pipeline",
    category=Category.features,
    title="Learned preprocessing lives inside a Pipeline",
    followup=IN_PIPELINE,
)
def preprocessing_in_pipeline(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Imputers, encoders, scalers and resamplers are steps of a `Pipeline` / `ColumnTransformer`.

    What it checks: every transformer that learns from the data it is fitted on
    (`StandardScaler`, `SimpleImputer`, `OneHotEncoder`, `TargetEncoder`, `PCA`,
    `SelectKBest`, `SMOTE`, ...) is built inside a `Pipeline`, `make_pipeline`,
    `ColumnTransformer` or an imblearn pipeline, directly or through the variable
    that holds it. One fitted on its own (`scaler.fit_transform(X_train)`) is a
    low-severity finding, as is `fillna(df[col].median())` computed in pandas. The
    score is the share of learned transformations that sit in a pipeline.

    Why it matters: a pipeline re-fits every statistic inside each CV fold and
    applies exactly the same steps to the test data and in production; hand-applied
    steps drift apart between train and test and leak fold statistics into
    cross-validation.

    Example: `scaler.fit_transform(X_train)` / `scaler.transform(X_test)`,
    `imputer.fit_transform(...)` and `SMOTE().fit_resample(...)` as separate cells,
    then `cross_val_score(model, X_train_resampled, ...)`.

    Do instead: `Pipeline([("prep", ColumnTransformer([...])), ("smote", SMOTE()),
    ("model", model)])` (imblearn's `Pipeline` for resamplers), fitted and
    cross-validated as one estimator.
    """
    del params
    inside = 0
    findings: list[Finding] = []
    for source in code_sources(ctx):
        facts = source.facts
        for use in facts.named(_LEARNED):
            if _in_pipeline(facts, use):
                inside += 1
                continue
            fit = _fit_of(facts, use)
            if fit is None:
                continue
            findings.append(
                Finding(
                    message=f"{use.name} is fitted on its own ({fit}) rather than as a pipeline step: every split and "
                    "the test data need the same step applied by hand",
                    severity=Severity.low,
                    confidence=Confidence.high,
                    evidence=[evidence_for(ctx, source, use.cell, use.line)],
                    data={"transformer": use.name},
                )
            )
        findings.extend(_pandas_statistics(ctx, source))
    total = inside + len(findings)
    if not total:
        return CheckOutcome(status=CheckStatus.not_applicable, message="no learned preprocessing")
    return CheckOutcome(
        findings=findings,
        score=inside / total,
        message=f"{inside} of {total} learned transformation(s) inside a pipeline",
    )


def _in_pipeline(facts: MLFacts, use: Use) -> bool:
    if use.inside(PIPELINE_BUILDERS):
        return True
    if use.bound_to is None:
        return False
    return any(use.bound_to in names_in(p.call) for p in facts.named(PIPELINE_BUILDERS))


def _fit_of(facts: MLFacts, use: Use) -> str | None:
    """How the transformer is fitted outside a pipeline (`scaler.fit_transform`), if it is."""
    parent = facts.parent(use.call)
    if isinstance(parent, ast.Attribute) and parent.attr in _FITS:
        return f"{use.name}().{parent.attr}"
    if use.bound_to is None:
        return None
    for fit in facts.fits:
        if fit.receiver == use.bound_to and (fit.site.cell, fit.site.line) >= (use.cell, use.line):
            return f"{use.bound_to}.{fit.site.name}"
    return None


def _pandas_statistics(ctx: CheckContext, source: Source) -> list[Finding]:
    """`fillna(df["x"].median())`: a statistic learnt in pandas, outside any pipeline."""
    findings = []
    for site in source.facts.code.calls:
        if (
            site.name != "fillna"
            or not site.receiver
            or not site.node.args
            or not _FRAME_OR_COLUMN.fullmatch(site.receiver)
        ):
            continue
        statistics = [
            n.func
            for n in ast.walk(site.node.args[0])
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _STATISTICS
        ]
        # A fallback prediction from the target's median is a baseline rule, not feature preprocessing.
        called = {
            f.attr
            for f in statistics
            if isinstance(f, ast.Attribute) and not any(_TARGET_LIKE.search(x) for x in names_in(f.value))
        }
        if called:
            findings.append(
                Finding(
                    message=f"{site.receiver}.fillna(...{'/'.join(sorted(called & _STATISTICS))}()) learns an "
                    "imputation value in pandas, outside a pipeline",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[evidence_for(ctx, source, site.cell, site.line)],
                )
            )
    return findings
