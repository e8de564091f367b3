"""DOC002: markdown headings structure the notebook into sections."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import COMMUNICATION
from grader.evidence.context import CheckContext
from grader.models.findings import EvidenceSource, Finding, Severity


class HeadingsParams(Params):
    #: Headings expected in a full notebook (fewer are expected of a short one: one per 5 code cells).
    min_headings: int = Field(default=4, ge=1, le=50)
    #: More consecutive code cells than this without a heading is a wall of code.
    max_cells_per_section: int = Field(default=12, ge=2, le=200)
    #: Score lost for each wall of code.
    run_penalty: float = Field(default=0.2, ge=0, le=1)


@check(
    id="DOC002",
    slug="headings-structure",
    category=Category.docs,
    title="Headings structure the work",
    params=HeadingsParams,
    followup=COMMUNICATION,
)
def headings_structure(ctx: CheckContext, params: HeadingsParams) -> CheckOutcome:
    """Markdown headings divide the notebook into sections a reviewer can navigate.

    What it checks: markdown headings (`#`-style, underlined, HTML `<h2>`, or a short
    bold line standing alone) across the submission's notebooks. At least
    `min_headings` are expected (fewer for a short notebook: one per five code cells),
    and no run of more than `max_cells_per_section` code cells without a heading. The
    score is the share of expected headings present, minus `run_penalty` per wall of
    code; each shortfall is a finding.

    Why it matters: a take-home is read, not run. Sections (data audit, EDA, features,
    validation, models, results) let the reviewer jump to what they want to check and
    show that the work followed a plan.

    Example: forty code cells under a single `# Analysis` heading.

    Do instead: one heading per stage of the work (`## 1. Data audit`, `## 2. EDA`,
    `## 3. Validation design`, ...), with sub-headings where a stage is long.
    """
    view = ctx.notebook
    md = ctx.narrative.markdown
    headings = md.headings
    code_cells = [c.index for c in view.code_cells() if c.source.strip()]
    expected = max(1, min(params.min_headings, 1 + len(code_cells) // 5))
    findings = []
    if len(headings) >= expected:
        findings.append(
            Finding(
                message=f"{len(headings)} heading(s): " + "; ".join(h.text[:40] for h in headings[:8]),
                severity=Severity.info,
                evidence=[
                    ctx.evidence(h.cell, source=EvidenceSource.markdown, snippet=h.text[:200]) for h in headings[:5]
                ],
            )
        )
    else:
        first = headings[0].cell if headings else (code_cells[0] if code_cells else None)
        findings.append(
            Finding(
                message=f"Only {len(headings)} heading(s) for {len(code_cells)} code cells; at least {expected} expected",
                severity=Severity.medium if len(headings) <= 1 else Severity.low,
                evidence=[
                    ctx.evidence(
                        first,
                        source=EvidenceSource.markdown if headings else EvidenceSource.code,
                        snippet=headings[0].text[:200] if headings else None,
                        note="the notebook's sections",
                    )
                ],
                data={"headings": [h.text[:80] for h in headings], "expected": expected},
            )
        )
    heading_cells = {h.cell for h in headings}
    runs: list[list[int]] = [[]]
    for cell in view.cells:
        if cell.index in heading_cells or (runs[-1] and cell.notebook != view[runs[-1][-1]].notebook):
            runs.append([])
        if cell.is_code and cell.source.strip():
            runs[-1].append(cell.index)
    walls = [r for r in runs if len(r) > params.max_cells_per_section]
    for run in walls[:10]:
        findings.append(
            Finding(
                message=f"{len(run)} code cells in a row without a heading (cells {run[0]}–{run[-1]})",
                severity=Severity.low,
                evidence=[
                    ctx.evidence(run[0], 1, note="start of the section"),
                    ctx.evidence(run[-1], 1, note="end of the section"),
                ],
                data={"cells": run},
            )
        )
    score = max(0.0, min(1.0, len(headings) / expected) - params.run_penalty * len(walls))
    return CheckOutcome(
        findings=findings,
        score=score,
        message=f"{len(headings)} heading(s), {len(walls)} long run(s) of code without one",
    )
