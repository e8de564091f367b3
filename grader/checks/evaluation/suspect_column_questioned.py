"""EVAL007: a column whose signal is partly post-outcome is questioned or handled, not used blindly."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, Params, check
from grader.checks.followups import SUSPECT_COLUMN
from grader.evidence.context import CheckContext
from grader.evidence.suspects import SuspectUse, suspect_uses
from grader.models.assignment import SuspectPart
from grader.models.findings import CheckStatus, Confidence, Evidence, EvidenceSource, Finding, Severity


class SuspectColumnParams(Params):
    #: Further words or phrases that count as questioning a column in prose (matched literally, any case).
    extra_terms: tuple[str, ...] = Field(default=(), max_length=50)


def _fit_trace_evidence(ctx: CheckContext, use: SuspectUse, note: str) -> Evidence:
    """Evidence at the traced model fit, with its line of code."""
    cell, line = use.fit_cell, use.fit_line
    snippet = ctx.code.snippet(cell, line) if cell is not None and line else None
    return ctx.evidence(cell, line, snippet=snippet, source=EvidenceSource.trace, note=note)


def _handled(ctx: CheckContext, use: SuspectUse) -> Finding:
    """A positive observation: how the notebook questioned or handled the column."""
    column, evidence = use.suspect.column, []
    if use.questioned:
        mention = use.questioned[0]
        source = EvidenceSource.markdown if mention.where == "markdown" else EvidenceSource.code
        if mention.cell is None:
            source = EvidenceSource.file
        where = f"cell {mention.cell}" if mention.cell is not None else mention.where
        message = f"`{column}` is questioned in {where}: “{mention.text}”"
        evidence = [
            ctx.evidence(
                mention.cell, mention.line, snippet=mention.text, source=source, note=f"{mention.where} about {column}"
            )
        ]
    elif use.compared_at is not None:
        compared = use.compared_at
        message = (
            f"A model is fitted without `{column}` (cell {compared.cell}) beside one that uses it: a with/without "
            "comparison"
        )
        evidence = [ctx.evidence(compared.cell, compared.line, note=f"{column} left out here")]
    elif use.traced:
        message = f"`{column}` and features built from it are kept out of every fitted model (traced column names)"
        evidence = [_fit_trace_evidence(ctx, use, f"traced: {use.estimator} was fitted without {column}")]
    else:
        message = f"`{column}` and features built from it are kept out of the model (static dataflow)"
        dropped = use.dropped_at
        evidence = [
            ctx.evidence(dropped.cell, dropped.line, note=f"{column} dropped")
            if dropped
            else ctx.evidence(None, source=EvidenceSource.code, note=f"no model's features include {column}")
        ]
    return Finding(
        message=message,
        severity=Severity.info,
        confidence=Confidence.high if use.traced or use.questioned else Confidence.medium,
        evidence=evidence,
        data={"column": column, "part": use.suspect.part.value, "questioned": bool(use.questioned)},
    )


def _used_as_is(ctx: CheckContext, use: SuspectUse) -> Finding:
    """The column reaches the model and nothing in the notebook questions it."""
    suspect = use.suspect
    features = ", ".join(f"`{f}`" for f in use.features[:3])
    via = f" (as {features})" if features and use.features != [suspect.column] else ""
    where = f"{use.estimator or 'the model'} fitted in cell {use.fit_cell}" if use.fit_cell is not None else "the model"
    subject = f"`{suspect.column}`"
    if suspect.part is SuspectPart.missingness:
        subject += " (and so whether it is missing)"
    message = (
        f"{subject} reaches {where}{via} and nothing in the notebook questions it; the assignment flags its "
        f"{suspect.part.value} as partly post-outcome: {suspect.why.strip()}"
    )
    evidence: list[Evidence] = []
    if use.named_at is not None and (use.named_at.cell, use.named_at.line) != (use.fit_cell, use.fit_line):
        evidence.append(ctx.evidence(use.named_at.cell, use.named_at.line, note=f"`{suspect.column}` kept here"))
    for name, site in use.built_at:
        if all((e.cell, e.line) != (site.cell, site.line) for e in evidence):
            evidence.append(ctx.evidence(site.cell, site.line, note=f"`{name}` built from `{suspect.column}`"))
    if use.traced:
        fitted_with = ", ".join(use.features[:3])
        evidence.append(_fit_trace_evidence(ctx, use, f"traced: {use.estimator} was fitted with {fitted_with}"))
    else:
        evidence.append(ctx.evidence(use.fit_cell, use.fit_line, note=f"{suspect.column} reaches the model"))
    confidence = Confidence.high if use.traced else Confidence.low if use.uncertain else Confidence.medium
    return Finding(
        message=message,
        severity=Severity.medium,
        confidence=confidence,
        evidence=evidence,
        data={
            "column": suspect.column,
            "part": suspect.part.value,
            "features": use.features[:10],
            "fit_cell": use.fit_cell,
            "estimator": use.estimator,
            "traced": use.traced,
        },
    )


@check(
    id="EVAL007",
    slug="suspect-column-questioned",
    category=Category.evaluation,
    title="Columns with a partly post-outcome signal are questioned",
    params=SuspectColumnParams,
    requires={Need.assignment},
    followup=SUSPECT_COLUMN,
)
def suspect_column_questioned(ctx: CheckContext, params: SuspectColumnParams) -> CheckOutcome:
    """Columns the assignment lists as suspect are questioned or handled before the model relies on them.

    What it checks: each of the assignment's `suspect_columns` (a column whose values, or whose
    missingness, are partly recorded after the outcome). It passes when the notebook keeps the
    column and every feature built from it out of the fitted models (traced column names when
    the notebook ran, else the static dataflow), fits a model without it beside one with it,
    or questions it in prose (markdown, a code comment or the README naming it, or a flag built
    from it, next to words of timing or leakage: "not known at prediction time", "recorded after
    the customer left", "possible leak"). It fails, at medium severity, when the column reaches
    the model and nothing questions it, and is skipped when neither the trace nor the dataflow
    shows which columns the models used. Hard `leakage_columns` are LEAK007's, at high severity.

    Why it matters: a signal recorded partly after the outcome makes offline scores look better
    than the model will do in production, and noticing it is what separates careful work; it is
    not forbidden, so the grader asks about it rather than calling it a leak.

    Example: churn's `last_login_days` is empty when the app account was deleted, which leaving
    customers often do; `df["no_app"] = df.last_login_days.isna()` fed to the model, with the
    notebook calling it "a strong churn signal", learns part of the outcome.

    Do instead: ask when the value (or its absence) is recorded; drop or neutralise the part known
    only after the outcome, or keep it and say why, with the score with and without it.
    """
    assert ctx.assignment is not None
    if not ctx.assignment.suspect_columns:
        return CheckOutcome(
            status=CheckStatus.not_applicable, message="not applicable: the assignment declares no suspect columns"
        )
    uses = suspect_uses(ctx, extra_terms=params.extra_terms)
    findings = []
    unknown = []
    for use in uses:
        if use.handled:
            findings.append(_handled(ctx, use))
        elif use.used is True:
            findings.append(_used_as_is(ctx, use))
        else:
            unknown.append(use.suspect.column)
    handled = sum(1 for use in uses if use.handled)
    decided = len(uses) - len(unknown)
    message = f"{handled} of {len(uses)} suspect column(s) questioned or handled"
    if unknown:
        message += f"; no model fit shows whether {', '.join(f'`{c}`' for c in unknown)} is used"
    if not decided:
        # Neither a point for code the analysis cannot follow nor a loss for it: a reviewer looks.
        return CheckOutcome(message=message, status=CheckStatus.skipped)
    return CheckOutcome(findings=findings, score=handled / decided, message=message)
