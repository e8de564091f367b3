"""EDA004: the notebook plots distributions and relationships of the data."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import DATA_EXPLORATION
from grader.evidence.context import CheckContext
from grader.evidence.eda import CORRELATION, TARGET_RELATION, load_evidence
from grader.evidence.narrative.figures import FigureCell, PlotKind
from grader.models.findings import Confidence, Evidence, EvidenceSource, Finding, Severity


class VisualisesDataParams(Params):
    #: Exploratory figures (about the data, not the model) expected at least.
    min_figures: int = Field(default=2, ge=1, le=50)


@check(
    id="EDA004",
    slug="visualises-data",
    category=Category.eda,
    title="Plots distributions and relationships",
    params=VisualisesDataParams,
    followup=DATA_EXPLORATION,
)
def visualises_data(ctx: CheckContext, params: VisualisesDataParams) -> CheckOutcome:
    """Exploratory figures are drawn: distributions of variables and relationships between them.

    What it checks: real figures in the outputs (PNG, SVG, Plotly; sandbox outputs when
    the notebook ran, else the saved ones) of cells that plot the data, not the model
    (ROC curves, confusion matrices and importances do not count). Plotting calls
    (matplotlib, seaborn, pandas `.plot`, plotly express, missingno), also inside
    helper functions and loops, tell what a figure shows: a distribution (histogram,
    count plot, box plot) or a relationship (scatter, heat map, pair plot, a plot
    split by the target). Three parts: at least `min_figures` exploratory figures, a
    distribution plot, a relationship plot; the score is the share present. A
    notebook without outputs is judged on its plotting calls, with medium confidence.

    Why it matters: tables of numbers hide shapes; skew, bimodality, outliers and
    non-linear relations are seen in a plot long before they show up as a bad model.

    Example: a notebook whose only figure is the final confusion matrix.

    Do instead: plot the distributions of the key numeric and categorical features and
    of the target, then how the most promising features relate to the target
    (`sns.histplot(data=df, x="tenure", hue="churned")`, `sns.boxplot(...)`).
    """
    facts = ctx.narrative.figures
    eda = sorted(facts.eda_cells(), key=lambda c: c.index)
    findings: list[Finding] = []
    count = sum(max(c.figures, 1) for c in eda)
    inferred = any(c.inferred and not c.figures for c in eda)
    parts = 0
    if count >= params.min_figures:
        parts += 1
        findings.append(
            Finding(
                message=f"{count} exploratory figure(s) in {len(eda)} cell(s)",
                severity=Severity.info,
                confidence=Confidence.medium if inferred else Confidence.high,
                evidence=[_figure_evidence(ctx, c) for c in eda[:5]],
                data={"figures": count, "cells": [c.index for c in eda][:50]},
            )
        )
    else:
        # Plotting code whose outputs hold no figure (it raised, or the figure was never shown) does not count.
        unrendered = sorted(
            (
                c
                for c in facts.cells.values()
                if c.kinds - {PlotKind.evaluation} and not c.evaluation and not c.shows_figures
            ),
            key=lambda c: c.index,
        )
        findings.append(
            Finding(
                message=(
                    f"Only {count} exploratory figure(s); at least {params.min_figures} expected"
                    if count
                    else "The notebook has no exploratory figures"
                )
                + (f" ({len(unrendered)} plotting cell(s) show no figure in their outputs)" if unrendered else ""),
                severity=Severity.medium if count == 0 else Severity.low,
                evidence=[_figure_evidence(ctx, c) for c in eda[:5]]
                + [
                    ctx.evidence(
                        c.index,
                        next((line for cell, line, _ in c.calls if cell == c.index), 1),
                        note="plotting call, but no figure in the output",
                    )
                    for c in unrendered[:5]
                ]
                or [load_evidence(ctx, "no figure of the data anywhere in the notebook")],
                data={"figures": count, "min_figures": params.min_figures},
            )
        )
    # A bar chart of `groupby(col)[target].mean()` or histograms drawn per class show a relation too.
    related = {cell for hit in ctx.eda.of(TARGET_RELATION, CORRELATION) for cell in hit.cells}
    for kind, label, example in (
        (PlotKind.distribution, "distribution", "a histogram or count plot of a feature or the target"),
        (PlotKind.relationship, "relationship", "a scatter, heat map or a plot split by the target"),
    ):
        cells = [c for c in eda if kind in c.kinds or (kind == PlotKind.relationship and c.index in related)]
        if cells:
            parts += 1
            findings.append(
                Finding(
                    message=f"Plots a {label}: {cells[0].calls[0][2] if cells[0].calls else 'figure'} "
                    f"in cell {cells[0].index}",
                    severity=Severity.info,
                    evidence=[_figure_evidence(ctx, cells[0])],
                    data={"cells": [c.index for c in cells][:50]},
                )
            )
        else:
            findings.append(
                Finding(
                    message=f"No {label} plot of the data ({example})",
                    severity=Severity.medium if not eda else Severity.low,
                    confidence=Confidence.medium,
                    evidence=[_figure_evidence(ctx, c) for c in eda[:3]]
                    or [load_evidence(ctx, f"expected in the EDA: {example}")],
                )
            )
    return CheckOutcome(
        findings=findings, score=parts / 3, message=f"{count} exploratory figure(s); {parts} of 3 parts"
    )


def _figure_evidence(ctx: CheckContext, cell: FigureCell) -> Evidence:
    kinds = ", ".join(sorted(cell.kinds - {PlotKind.evaluation, PlotKind.other})) or "figure"
    if cell.figures and cell.source is not None:
        return ctx.evidence(
            cell.index, source=cell.source, snippet=f"{cell.figures} figure(s) in the output", note=kinds
        )
    line = cell.calls[0][1] if cell.calls and cell.calls[0][0] == cell.index else 1
    return ctx.evidence(
        cell.index, line, source=EvidenceSource.code, note=f"{kinds}; no output to confirm the figure was drawn"
    )
