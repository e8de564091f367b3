"""EDA002: the notebook measures missing values before handling them."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import MISSING_VALUES
from grader.evidence.context import CheckContext
from grader.evidence.eda import MISSING, MISSING_HANDLED, hit_evidence, load_evidence
from grader.models.findings import Confidence, Finding, Severity


@check(
    id="EDA002",
    slug="checks-missing-values",
    category=Category.eda,
    title="Measures missing values",
    followup=MISSING_VALUES,
)
def checks_missing_values(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Missing values are counted (per column) before they are imputed or dropped.

    What it checks: calls that measure missingness: `df.isna().sum()`,
    `df.isnull().mean()`, `notna`, `df.info()` (non-null counts, weaker evidence),
    `missingno` plots or a profiling report. Imputing or dropping (`fillna`,
    `dropna`, `SimpleImputer`) without measuring first earns half the score.

    Why it matters: how much is missing, and whether it is missing at random,
    decides the treatment: a column 70 % empty, or one whose emptiness predicts the
    target, needs a different answer than a blanket `fillna(0)`.

    Example: `df = df.fillna(df.mean())` in the first cleaning cell, with no look at
    which columns were missing or how many rows.

    Do instead: show `df.isna().mean().sort_values(ascending=False)`, compare the
    target rate with and without each missing column, then choose per column
    (impute inside the pipeline, add a missing indicator, or drop).
    """
    del params
    facts = ctx.eda
    measured = facts.of(MISSING)
    strong = [h for h in measured if h.confidence is Confidence.high]
    if measured:
        hit = (strong or measured)[0]
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"Missing values are measured: `{hit.what.strip()[:80]}` in cell {hit.cell}",
                    severity=Severity.info,
                    confidence=hit.confidence,
                    evidence=[hit_evidence(ctx, hit)],
                    data={"places": len(measured)},
                )
            ],
            score=1.0,
            message=f"missing values measured in {len({h.cell for h in measured})} cell(s)",
        )
    handled = facts.of(MISSING_HANDLED)
    if handled:
        hit = handled[0]
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"Missing values are handled (`{hit.what.strip()[:80]}`) but never measured: how many, "
                    "in which columns and whether they relate to the target is not shown",
                    severity=Severity.low,
                    evidence=[ctx.evidence(hit.cell, hit.line, note="handled here without a prior count")],
                )
            ],
            score=0.5,
            message="missing values handled without being measured",
        )
    return CheckOutcome(
        findings=[
            Finding(
                message="The notebook never looks at missing values (no `isna()`/`isnull()`, `info()` or missingno)",
                severity=Severity.medium,
                evidence=[load_evidence(ctx, "expected after loading: df.isna().sum()")],
            )
        ],
        score=0.0,
        message="missing values not examined",
    )
