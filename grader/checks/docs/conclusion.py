"""DOC004: the notebook ends with a conclusion: results, and next steps."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import COMMUNICATION
from grader.evidence.context import CheckContext
from grader.evidence.narrative.markdown import (
    CONCLUSION_HEADING,
    NEXT_STEPS,
    NUMBER,
    RESULTS,
    excerpt,
    prose,
    words,
)
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity
from grader.models.notebook import Cell


class ConclusionParams(Params):
    #: Words of running text a conclusion needs.
    min_words: int = Field(default=30, ge=1, le=2000)
    #: Without a conclusion heading, the markdown among this many last cells is read.
    tail_cells: int = Field(default=6, ge=1, le=100)


@check(
    id="DOC004",
    slug="conclusion-and-next-steps",
    category=Category.docs,
    title="Ends with a conclusion: results and next steps",
    params=ConclusionParams,
    followup=COMMUNICATION,
)
def conclusion_and_next_steps(ctx: CheckContext, params: ConclusionParams) -> CheckOutcome:
    """The notebook ends with a written conclusion that reports the results and the next steps.

    What it checks: the section under the last conclusion-like heading in the second
    half of the notebook (Conclusion, Summary, Results, Findings, Next steps,
    Recommendations, ...), or else the markdown among the last `tail_cells` cells.
    Three parts: a conclusion of at least `min_words` words; results in it (a metric
    name with a number); next steps or limitations (next steps, with more time,
    limitations, would try, in production, monitor, ...). The score is the share of
    parts present.

    Why it matters: the hiring team reads the end first. A conclusion with the final
    score, what drives the target, what the candidate would do next and what they do
    not trust yet is the difference between an analysis and a pile of cells.

    Example: the last cell is `predictions.to_csv("predictions.csv")`, with no sentence
    about how good the model is.

    Do instead: finish with `## Conclusions`: the validated score against the baseline,
    the main drivers, the limitations, and two or three concrete next steps.
    """
    view = ctx.notebook
    md = ctx.narrative.markdown
    if not len(view):
        return CheckOutcome(
            findings=[
                Finding(
                    message="The notebook is empty: no conclusion",
                    severity=Severity.medium,
                    evidence=[ctx.evidence(None, source=EvidenceSource.file, note="no cells")],
                )
            ],
            score=0.0,
            message="empty notebook",
        )
    half = len(view) // 2
    section: list[Cell] = []
    heading = next((h for h in reversed(md.headings) if h.cell >= half and CONCLUSION_HEADING.search(h.text)), None)
    if heading is not None:
        level = heading.level
        for cell in view.cells[heading.cell :]:
            later = [h for h in md.headings if h.cell == cell.index and h.cell > heading.cell and h.level <= level]
            if later:
                break
            if cell.is_markdown:
                section.append(cell)
    else:
        section = [c for c in view.cells[-params.tail_cells :] if c.is_markdown]
    text = "\n".join(prose(c.source) for c in section)
    n_words = len(words(text))
    anchor = section[0].index if section else view.cells[-1].index
    source = EvidenceSource.markdown if section else EvidenceSource.code
    findings = []
    present = n_words >= params.min_words and (
        heading is not None or bool(RESULTS.search(text) or NEXT_STEPS.search(text))
    )
    results = bool(RESULTS.search(text) and NUMBER.search(text))
    next_steps = bool(NEXT_STEPS.search(text))
    if not present:
        last = view.cells[-1]
        findings.append(
            Finding(
                message="The notebook does not end with a written conclusion"
                + (f" ({n_words} word(s) of markdown at the end)" if n_words else ""),
                severity=Severity.medium,
                evidence=[
                    ctx.evidence(
                        last.index,
                        snippet=excerpt(last.source, 200),
                        note="the end of the notebook",
                        source=EvidenceSource.markdown if last.is_markdown else EvidenceSource.code,
                    )
                ],
            )
        )
        parts = 0
    else:
        parts = 1
        snippet = excerpt(text, 240)
        findings.append(
            Finding(
                message=f"Conclusion of {n_words} words" + (f" under {heading.text[:60]!r}" if heading else ""),
                severity=Severity.info,
                evidence=[ctx.evidence(anchor, source=source, snippet=snippet)],
            )
        )
        for ok, label, example in (
            (results, "does not report results", "a metric with its value, against the baseline"),
            (next_steps, "gives no next steps or limitations", "what you would do with more time, what to monitor"),
        ):
            if ok:
                parts += 1
            else:
                findings.append(
                    Finding(
                        message=f"The conclusion {label} (e.g. {example})",
                        severity=Severity.low,
                        confidence=Confidence.medium,
                        evidence=[ctx.evidence(anchor, source=source, snippet=snippet)],
                    )
                )
    return CheckOutcome(
        findings=findings, score=parts / 3, message=f"{parts} of 3 parts (conclusion, results, next steps)"
    )
