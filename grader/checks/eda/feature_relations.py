"""EDA006: the notebook looks at correlations and at how features relate to the target."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import DATA_EXPLORATION
from grader.evidence.context import CheckContext
from grader.evidence.eda import CORRELATION, TARGET_RELATION, hit_evidence, load_evidence
from grader.models.findings import Confidence, Finding, Severity


@check(
    id="EDA006",
    slug="explores-feature-relations",
    category=Category.eda,
    title="Looks at correlations and feature–target relations",
    followup=DATA_EXPLORATION,
)
def explores_feature_relations(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Relations are explored: correlations between features, and how features relate to the target.

    What it checks: two parts. Correlations: `df.corr()`, `corrwith`, `sns.heatmap` of a
    correlation matrix, `pairplot`, `scatter_matrix`, mutual information, chi-squared,
    VIF. Feature–target relations (needs the assignment's target): `df.groupby(col)[TARGET].mean()`,
    `pd.crosstab(df[col], df[TARGET])`, `corr()[TARGET]`, plots split by the target
    (`hue=TARGET`, `sns.boxplot(x=TARGET, y=col)`), `mutual_info_classif(X, y)`. The score
    is the share of parts present; without an assignment the target part is judged on
    target-oriented statistics (mutual information, `corrwith`) only.

    Why it matters: correlated features change how a linear model's coefficients read
    and whether importances can be trusted; feature–target relations are where feature
    ideas and leakage suspicions come from (a feature that predicts the target perfectly
    is usually a leak).

    Example: a notebook that goes from `df.describe()` straight to fitting five models,
    with no look at which features move with the target.

    Do instead: show a correlation heat map of the numeric features and, for the main
    features, the target rate per category or the target's distribution per class.
    """
    del params
    facts = ctx.eda
    findings = []
    parts = 0
    correlations = facts.of(CORRELATION)
    relations = facts.of(TARGET_RELATION)
    if not facts.target_known:
        relations = [
            h
            for h in correlations
            if any(k in h.what for k in ("mutual_info", "corrwith", "f_classif", "f_regression", "pointbiserial"))
        ]
    for hits, label, example in (
        (correlations, "correlations between features", "`df.corr()` with a heat map"),
        (
            relations,
            "how features relate to the target",
            "`df.groupby(col)[target].mean()` or a plot with `hue=target`",
        ),
    ):
        if hits:
            parts += 1
            findings.append(
                Finding(
                    message=f"Looks at {label}: `{hits[0].what.strip()[:100]}` in cell {hits[0].cell}",
                    severity=Severity.info,
                    confidence=hits[0].confidence,
                    evidence=[hit_evidence(ctx, hits[0])],
                    data={"places": len(hits), "cells": sorted({h.cell for h in hits})[:30]},
                )
            )
        else:
            findings.append(
                Finding(
                    message=f"The notebook never looks at {label} (e.g. {example})",
                    severity=Severity.low if parts or correlations or relations else Severity.medium,
                    confidence=Confidence.high if facts.target_known else Confidence.medium,
                    evidence=[load_evidence(ctx, f"expected in the EDA: {example}")],
                )
            )
    return CheckOutcome(
        findings=findings, score=parts / 2, message=f"{parts} of 2 parts (correlations, feature–target relations)"
    )
