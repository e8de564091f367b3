"""EDA003: the notebook looks at the target's distribution (class balance, or spread and skew)."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, Need, NoParams, check
from grader.checks.followups import TARGET_DISTRIBUTION
from grader.evidence.context import CheckContext
from grader.evidence.eda import TARGET, hit_evidence, load_evidence
from grader.models.findings import Finding, Severity


@check(
    id="EDA003",
    slug="target-distribution",
    category=Category.eda,
    title="Looks at the target's distribution",
    requires={Need.assignment},
    followup=TARGET_DISTRIBUTION,
)
def target_distribution(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The target's distribution is shown: class balance for classification, spread and skew for regression.

    What it checks: calls on the assignment's target column that summarise it:
    `df["churned"].value_counts(normalize=True)`, `df.churned.mean()`, `y.mean()`,
    `sns.countplot(x=TARGET, data=df)`, `df.groupby(TARGET).size()`,
    `df["delivery_minutes"].describe()`, `.hist()`, `.skew()`, `sns.histplot(y)`.
    The target is followed through aliases (`TARGET = "churned"`, `y = df[TARGET]`,
    `y_train` from `train_test_split(X, y)`).

    Why it matters: the class balance decides the metric, the split (stratify) and the
    baseline: with 1 % fraud, 99 % accuracy is worthless. For regression, a long right
    tail changes the loss and whether to model a log target.

    Example: a fraud notebook that trains and reports accuracy without ever showing
    that only 1.2 % of transactions are fraud.

    Do instead: show `y.value_counts(normalize=True)` (or `y.describe()` and a histogram
    for a numeric target) early, and say what it implies for metrics and splits.
    """
    del params
    assert ctx.assignment is not None
    target = ctx.assignment.target
    kind = "class balance" if ctx.assignment.is_classification else "distribution"
    hits = ctx.eda.of(TARGET)
    if hits:
        first = hits[0]
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"The target's {kind} is shown: `{first.what.strip()[:100]}` in cell {first.cell}",
                    severity=Severity.info,
                    confidence=first.confidence,
                    evidence=[hit_evidence(ctx, first)],
                    data={"places": len(hits), "cells": sorted({h.cell for h in hits})[:20]},
                )
            ],
            score=1.0,
            message=f"target {kind} shown in {len({h.cell for h in hits})} cell(s)",
        )
    how = (
        f"`df['{target}'].value_counts(normalize=True)`"
        if ctx.assignment.is_classification
        else f"`df['{target}'].describe()` and a histogram"
    )
    return CheckOutcome(
        findings=[
            Finding(
                message=f"The notebook never shows the {kind} of the target `{target}` (e.g. {how})",
                severity=Severity.medium,
                evidence=[load_evidence(ctx, f"expected early in the EDA: {how}")],
                data={"target": target},
            )
        ],
        score=0.0,
        message=f"target {kind} not shown",
    )
