"""The one answer of every check that needs a fitted model when the code fits none."""

from __future__ import annotations

from grader.checks.base import CheckOutcome
from grader.evidence.context import CheckContext
from grader.evidence.ml.queries import has_model
from grader.models.findings import Confidence, Finding, Severity


def no_model_fitted(ctx: CheckContext, consequence: str) -> CheckOutcome | None:
    """A failed outcome saying no model is fitted, "so <consequence>"; None when the code fits a model."""
    if has_model(ctx.ml):
        return None
    return CheckOutcome(
        findings=[
            Finding(
                message=f"No model is fitted, so {consequence}",
                severity=Severity.medium,
                confidence=Confidence.medium,
                evidence=[ctx.evidence(None, note="no estimator or .fit() call in the code")],
            )
        ]
    )
