"""EDA001: the notebook inspects the data's size, column types and summary statistics."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import DATA_EXPLORATION
from grader.evidence.context import CheckContext
from grader.evidence.eda import SIZE, SUMMARY, TYPES, hit_evidence, load_evidence
from grader.evidence.narrative.figures import PlotKind
from grader.models.findings import Finding, Severity

_PARTS = (
    (SIZE, "size", "`df.shape`, `len(df)`, `df.info()`", Severity.low),
    (TYPES, "column types", "`df.dtypes`, `df.info()`", Severity.low),
    (SUMMARY, "summary statistics", "`df.describe()`", Severity.medium),
)


@check(
    id="EDA001",
    slug="inspects-data-overview",
    category=Category.eda,
    title="Inspects the data's shape, types and summary statistics",
    followup=DATA_EXPLORATION,
)
def inspects_data_overview(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The data is inspected before use: its size, its column types and its summary statistics.

    What it checks: calls such as `df.shape`, `len(df)`, `df.info()`, `df.dtypes`,
    `select_dtypes`, `df.describe()` or a profiling report (ydata-profiling, skimpy,
    sweetviz), anywhere in the notebook or in a helper it calls, and `describe()` or
    `info()` tables in the outputs; statistics of several columns at once
    (`df[["a", "b"]].median()`) count as summary statistics. Each of the three parts
    missing is a finding (missing summary statistics are medium unless distribution
    plots show the ranges); the score is the share of parts present.

    Why it matters: a take-home dataset is messy on purpose (numbers stored as text,
    impossible values, skewed columns). A candidate who never looks at the types and
    ranges models the mess, and a reviewer cannot tell whether the cleaning that
    follows was informed by the data.

    Example: `df = pd.read_csv("data/train.csv")` followed directly by
    `train_test_split(df.drop(columns="churned"), df["churned"])`.

    Do instead: right after loading, show `df.shape`, `df.info()` (types and non-null
    counts) and `df.describe(include="all").T`, and write down what looks wrong.
    """
    del params
    facts = ctx.eda
    # Distribution plots show the ranges too: without them, missing summary statistics weigh more.
    plotted = any(PlotKind.distribution in c.kinds for c in ctx.narrative.figures.eda_cells())
    findings = []
    present = 0
    for aspect, label, example, severity in _PARTS:
        if plotted:
            severity = Severity.low
        hits = facts.of(aspect)
        if hits:
            present += 1
            findings.append(
                Finding(
                    message=f"Inspects the data's {label}: `{hits[0].what.strip()[:80]}` in cell {hits[0].cell}",
                    severity=Severity.info,
                    confidence=hits[0].confidence,
                    evidence=[hit_evidence(ctx, hits[0])],
                    data={"aspect": aspect, "places": len(hits)},
                )
            )
        else:
            findings.append(
                Finding(
                    message=f"The notebook never inspects the data's {label} (e.g. {example})",
                    severity=severity,
                    evidence=[load_evidence(ctx, f"expected after loading the data: {example}")],
                    data={"aspect": aspect},
                )
            )
    return CheckOutcome(
        findings=findings,
        score=present / len(_PARTS),
        message=f"{present} of {len(_PARTS)} overview parts (size, types, summary statistics)",
    )
