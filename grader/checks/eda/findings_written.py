"""EDA008: what the EDA showed is written down next to it."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import DATA_EXPLORATION
from grader.evidence.context import CheckContext
from grader.evidence.eda import INTERPRETED, eda_window, load_evidence, output_evidence
from grader.evidence.narrative.markdown import OBSERVATION, excerpt, group_blocks, prose
from grader.models.findings import Confidence, Evidence, EvidenceSource, Finding, Severity


class FindingsWrittenParams(Params):
    #: Cells after an EDA output in which a written interpretation is looked for.
    window: int = Field(default=2, ge=1, le=10)
    #: Words of running text that make a markdown cell an interpretation, not a caption.
    min_words: int = Field(default=15, ge=1, le=500)


@check(
    id="EDA008",
    slug="eda-findings-written",
    category=Category.eda,
    title="Writes down what the EDA found",
    params=FindingsWrittenParams,
    followup=DATA_EXPLORATION,
)
def eda_findings_written(ctx: CheckContext, params: FindingsWrittenParams) -> CheckOutcome:
    """Exploratory outputs are followed by a written interpretation.

    What it checks: the exploratory cells before the first model fit (summary
    statistics, missing values, target balance, duplicates, outliers, correlations,
    feature–target tables and figures) are grouped into blocks of consecutive code
    cells. A block is interpreted when a markdown cell with at least `min_words` words
    of running text (half as many if it reports an observation: skewed, imbalanced,
    a percentage...) follows within `window` cells, or directly precedes it and
    reports an observation. The score is the share of interpreted blocks; each block left
    uncommented is a finding.

    Why it matters: plots without conclusions are decoration. The reviewer wants to see
    that the candidate noticed the 20 % churn rate, the 999-year-old customers and the
    leaky column, and that the later choices follow from it.

    Example: eight plotting cells in a row, then `## Modelling`, with no sentence about
    what the plots showed.

    Do instead: after each group of exploratory outputs, write two or three sentences:
    what you see, and what you will do about it (a feature, a cleaning rule, a metric).
    """
    view = ctx.notebook
    facts = ctx.eda
    figures = ctx.narrative.figures
    md = ctx.narrative.markdown
    any_outputs = view.has_outputs or ctx.executed is not None
    candidates: set[int] = set()
    for aspect in INTERPRETED:
        for hit in facts.of(aspect):
            candidates |= hit.cells
    candidates |= {c.index for c in figures.eda_cells()}
    eda_cells = sorted(
        c
        for c in candidates
        if eda_window(facts, c) and view[c].is_code and (not any_outputs or ctx.outputs_of(c) is not None)
    )
    if not eda_cells:
        return CheckOutcome(
            findings=[
                Finding(
                    message="No exploratory outputs, so no written findings about the data",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[load_evidence(ctx, "no EDA output to interpret")],
                )
            ],
            score=0.0,
            message="no exploratory outputs",
        )
    blocks = group_blocks(view, eda_cells)

    def substantive(index: int) -> bool:
        # A short note counts when it reports an observation ("Only 1 % of transactions are fraud.").
        n = md.words.get(index, 0) if view[index].is_markdown else 0
        return n >= params.min_words or (n >= params.min_words // 2 and index in md.observation)

    interpreted: list[tuple[list[int], int]] = []
    bare: list[list[int]] = []
    for block in blocks:
        after = [i for i in range(block[-1] + 1, min(len(view), block[-1] + 1 + params.window)) if substantive(i)]
        before = block[0] - 1
        if after:
            interpreted.append((block, after[0]))
        elif before >= 0 and substantive(before) and OBSERVATION.search(prose(view[before].source)):
            interpreted.append((block, before))
        else:
            bare.append(block)
    findings: list[Finding] = []
    if interpreted:
        block, note_cell = interpreted[0]
        findings.append(
            Finding(
                message=f"{len(interpreted)} of {len(blocks)} block(s) of EDA output are followed by written "
                f"findings (first: markdown cell {note_cell} about cell {block[-1]})",
                severity=Severity.info,
                evidence=[
                    ctx.evidence(
                        note_cell, source=EvidenceSource.markdown, snippet=excerpt(prose(view[note_cell].source), 240)
                    )
                ],
                data={"blocks": [b for b, _ in interpreted][:50]},
            )
        )
    if not interpreted:
        findings.append(
            Finding(
                message=f"None of the {len(blocks)} block(s) of EDA output is followed by a written interpretation",
                severity=Severity.medium,
                evidence=[_block_evidence(ctx, b) for b in bare[:5]],
                data={"blocks": bare[:50]},
            )
        )
    else:
        for block in bare[:10]:
            cells = ", ".join(map(str, block))
            findings.append(
                Finding(
                    message=f"EDA output in cell(s) {cells} is not followed by a written interpretation",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[_block_evidence(ctx, block)],
                )
            )
    return CheckOutcome(
        findings=findings,
        score=len(interpreted) / len(blocks),
        message=f"{len(interpreted)} of {len(blocks)} EDA block(s) interpreted in writing",
    )


def _block_evidence(ctx: CheckContext, block: list[int]) -> Evidence:
    shown = output_evidence(ctx, block[-1])
    if shown is not None:
        return shown
    return ctx.evidence(block[-1], 1, note="exploratory output without a written interpretation")
