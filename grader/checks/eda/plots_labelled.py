"""EDA005: figures carry a title or axis labels."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import DATA_EXPLORATION
from grader.evidence.context import CheckContext
from grader.evidence.eda import load_evidence
from grader.evidence.narrative.figures import PlotKind
from grader.models.findings import Confidence, Finding, Severity

_MAX_FINDINGS = 10


@check(
    id="EDA005",
    slug="plots-labelled",
    category=Category.eda,
    title="Figures have titles or axis labels",
    followup=DATA_EXPLORATION,
)
def plots_labelled(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Every figure says what it shows: a title, or axis labels set by the author.

    What it checks: for each cell that draws figures (real figures in its outputs, or
    plotting calls when there are no outputs), whether the cell, or a helper function
    it calls, sets a title or labels: `plt.title`, `ax.set_title`, `fig.suptitle`,
    `plt.xlabel`, `ax.set(title=..., xlabel=...)`, `g.set_axis_labels`, a `title=`
    argument (`df.plot(title=...)`, plotly), `fig.update_layout(title=...)`.
    scikit-learn's `*Display` plots label themselves. The score is the share of
    figure cells that are labelled; each unlabelled one is a finding.

    Why it matters: a reviewer skims figures first. An untitled grid of histograms with
    `Count` on every y axis makes them read the code to know what they are looking at,
    and a plot without units invites the wrong conclusion.

    Example: `for col in num_cols: df[col].hist(); plt.show()`, six anonymous histograms.

    Do instead: give each figure a title that states the point (`"Churners have shorter
    tenure"`) and label the axes with units; in loops use `ax.set_title(col)`.
    """
    del params
    facts = ctx.narrative.figures
    cells = sorted((c for c in facts.cells.values() if c.shows_figures), key=lambda c: c.index)
    if not cells:
        return CheckOutcome(
            findings=[
                Finding(
                    message="No figures, so none with titles or labels (see EDA004)",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[load_evidence(ctx, "no figure anywhere in the notebook")],
                )
            ],
            score=0.0,
            message="no figures",
        )
    labelled = [c for c in cells if c.labelled or PlotKind.evaluation in c.kinds]
    bare = [c for c in cells if c not in labelled]
    findings = []
    for n, cell in enumerate(bare[:_MAX_FINDINGS]):
        more = len(bare) - _MAX_FINDINGS if n == _MAX_FINDINGS - 1 and len(bare) > _MAX_FINDINGS else 0
        line = next((line for c, line, _ in cell.calls if c == cell.index), 1)
        what = cell.calls[0][2] if cell.calls else "figure"
        evidence = [ctx.evidence(cell.index, line, note="no title or axis labels set")]
        if cell.figures and cell.source is not None:
            evidence.append(
                ctx.evidence(cell.index, source=cell.source, snippet=f"{cell.figures} figure(s) in the output")
            )
        findings.append(
            Finding(
                message=f"Cell {cell.index} draws {cell.figures or 'a'} figure(s) ({what}) without a title or axis "
                "labels" + (f"; {more} more cell(s) like it" if more else ""),
                severity=Severity.low,
                confidence=Confidence.medium,
                evidence=evidence,
                data={"cells": [c.index for c in bare][:100]} if more else {},
            )
        )
    return CheckOutcome(
        findings=findings,
        score=len(labelled) / len(cells),
        message=f"{len(labelled)} of {len(cells)} figure cell(s) have a title or labels",
    )
