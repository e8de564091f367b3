"""QUAL002: code cells are short enough to read."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, Scope, check
from grader.checks.followups import CODE_QUALITY
from grader.evidence.context import CheckContext
from grader.models.findings import Finding, Severity


class LongCellsParams(Params):
    #: Lines of code (blank lines and comments not counted) above which a cell is too long.
    max_lines: int = Field(default=50, ge=5, le=1000)
    #: A cell this many times over the limit is a medium finding.
    severe_factor: float = Field(default=3.0, ge=1)


@check(
    id="QUAL002",
    slug="long-cells",
    category=Category.quality,
    title="Code cells are short enough to read",
    scope=Scope.notebook,
    params=LongCellsParams,
    followup=CODE_QUALITY,
)
def long_cells(ctx: CheckContext, params: LongCellsParams) -> CheckOutcome:
    """No code cell is a wall of code: each stays under `max_lines` lines of code.

    What it checks: the lines of code in each code cell, blank lines and comments not
    counted. A cell over `max_lines` is a low finding, over `severe_factor` times the
    limit a medium one. The score is the share of code cells within the limit.

    Why it matters: a 200-line cell mixes cleaning, features and modelling; its output
    cannot be tied to a step, a failure in it is hard to locate, and a reviewer cannot
    check the steps one by one.

    Example: one cell that loads, cleans, encodes, splits, trains three models and
    prints their scores.

    Do instead: one step per cell, with the markdown that explains it; move reusable
    code into functions (or a `.py` module) and call them.
    """
    code_cells = [c for c in ctx.notebook.code_cells() if c.source.strip()]
    if not code_cells:
        return CheckOutcome(message="no code cells", score=1.0)
    findings = []
    for cell in code_cells:
        count = len(cell.code_lines)
        if count > params.max_lines:
            severe = count > params.max_lines * params.severe_factor
            findings.append(
                Finding(
                    message=f"Cell {cell.index} has {count} lines of code (limit {params.max_lines})",
                    severity=Severity.medium if severe else Severity.low,
                    evidence=[
                        ctx.evidence(cell.index, 1, end_line=min(len(cell.lines), 6), note=f"{count} lines of code")
                    ],
                    data={"lines": count},
                )
            )
    within = len(code_cells) - len(findings)
    return CheckOutcome(
        findings=findings,
        score=within / len(code_cells),
        message=f"{len(findings)} of {len(code_cells)} code cell(s) over {params.max_lines} lines",
    )
