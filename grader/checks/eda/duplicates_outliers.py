"""EDA007: the notebook deals with duplicate rows and with outliers."""

from __future__ import annotations

import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import DATA_EXPLORATION
from grader.evidence.context import CheckContext
from grader.evidence.eda import DUPLICATES, OUTLIERS, Hit, hit_evidence, load_evidence
from grader.evidence.narrative.markdown import excerpt, prose
from grader.models.findings import Confidence, Evidence, EvidenceSource, Finding, Severity

_WORDS = {
    DUPLICATES: re.compile(r"\bduplicat\w*", re.IGNORECASE),
    OUTLIERS: re.compile(
        r"\boutliers?\b|\bextreme values?\b|\bimplausible\b|\bimpossible\b|\banomal\w*|"
        r"\bout[- ]of[- ]range\b|\bwinsori\w*|\bcap(?:ped|ping)?\b at|\bclipp?(?:ed|ing)\b|"
        r"\bplaceholder values?\b|\bsentinel\b|\bunrealistic\b|\blong (?:right )?tail\b",
        re.IGNORECASE,
    ),
}


@check(
    id="EDA007",
    slug="duplicates-and-outliers",
    category=Category.eda,
    title="Deals with duplicates and outliers",
    followup=DATA_EXPLORATION,
)
def duplicates_and_outliers(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Duplicate rows and outliers are looked for, and the decision about them is visible.

    What it checks: two parts. Duplicates: `df.duplicated()`, `drop_duplicates()`,
    `df[id].is_unique`, or markdown that reports on duplicates. Outliers: quantiles or
    IQR fences, z-scores, `clip`, `between` validity ranges, box plots, `IsolationForest`,
    or markdown that discusses outliers, extreme or impossible values. The score is the
    share of parts present; markdown alone is weaker (medium confidence).

    Why it matters: duplicated rows inflate validation scores (the same customer lands
    in training and validation folds); a sentinel value such as an age of 999 or a
    meter error of 250,000 GB dominates a linear model and every mean.

    Example: `df.describe()` shows `max age = 999`, and the notebook scales and fits
    without comment.

    Do instead: count and drop exact duplicates (and duplicated ids) before splitting;
    check ranges against the data dictionary, and decide per column whether an extreme
    value is an error (set it missing) or a real customer (keep, maybe cap or log).
    """
    del params
    facts = ctx.eda
    findings = []
    parts = 0
    for aspect, label, example in (
        (DUPLICATES, "duplicate rows", "`df.duplicated().sum()` and `df[id].is_unique`"),
        (OUTLIERS, "outliers or impossible values", "IQR fences, `clip`, a box plot, or range checks"),
    ):
        hits = facts.of(aspect)
        mention = None if hits else _markdown_mention(ctx, aspect)
        if hits:
            evidence, where = hit_evidence(ctx, hits[0]), f"`{hits[0].what.strip()[:100]}` in cell {hits[0].cell}"
        elif mention is not None:
            evidence, where = mention, f"discussed in markdown cell {mention.cell}"
        if hits or mention is not None:
            parts += 1
            findings.append(
                Finding(
                    message=f"Deals with {label}: {where}",
                    severity=Severity.info,
                    confidence=_confidence(hits),
                    evidence=[evidence],
                )
            )
        else:
            findings.append(
                Finding(
                    message=f"The notebook never checks for {label} (e.g. {example})",
                    severity=Severity.low,
                    evidence=[load_evidence(ctx, f"expected in the data audit: {example}")],
                )
            )
    return CheckOutcome(findings=findings, score=parts / 2, message=f"{parts} of 2 parts (duplicates, outliers)")


def _confidence(hits: list[Hit]) -> Confidence:
    """Code evidence of high confidence wins; markdown alone is medium."""
    if any(h.confidence is Confidence.high for h in hits):
        return Confidence.high
    return Confidence.medium


def _markdown_mention(ctx: CheckContext, aspect: str) -> Evidence | None:
    pattern = _WORDS[aspect]
    for cell in ctx.notebook.markdown_cells():
        text = prose(cell.source)
        match = pattern.search(text)
        if match:
            start = max(0, match.start() - 80)
            return ctx.evidence(cell.index, source=EvidenceSource.markdown, snippet=excerpt(text[start:], 200))
    return None
