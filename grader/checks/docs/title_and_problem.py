"""DOC001: the notebook opens with a title and a statement of the problem."""

from __future__ import annotations

import ast
import re

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import COMMUNICATION
from grader.evidence.context import CheckContext
from grader.evidence.narrative.markdown import Heading, excerpt, prose, words
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity

_PROBLEM = re.compile(
    r"\b(?:predict\w*|forecast\w*|classif\w*|regress\w*|goal|objective|aim\w*|task|problem|estimat\w*|identify|"
    r"detect\w*|brief|question|business|stakeholder|build\w* a model|model\w*|target|churn\w*|fraud\w*|"
    r"deliver\w*)\b",
    re.IGNORECASE,
)


class TitleParams(Params):
    #: The opening is the markdown before the first code cell that is more than imports, and at most this many cells.
    opening_cells: int = Field(default=4, ge=1, le=20)
    #: Words of running text that make the opening a statement, not a caption.
    min_words: int = Field(default=12, ge=1, le=500)


@check(
    id="DOC001",
    slug="title-and-problem-statement",
    category=Category.docs,
    title="Opens with a title and the problem statement",
    params=TitleParams,
    followup=COMMUNICATION,
)
def title_and_problem_statement(ctx: CheckContext, params: TitleParams) -> CheckOutcome:
    """The notebook starts with a title and a short opening that states the problem.

    What it checks: the markdown at the top of the (first) notebook, before the first
    code cell that does more than import, and within `opening_cells` cells. Two parts:
    a title (a markdown heading), and an opening of at least `min_words` words of
    running text that says what is predicted and why (words such as predict, goal,
    task, problem, the target). The score is the share of parts present.

    Why it matters: the reviewer opens the notebook cold. Two sentences on the question,
    the data and the headline result frame everything that follows and show that the
    candidate understood the brief.

    Example: a notebook whose first cell is `import pandas as pd`, with no title at all.

    Do instead: start with `# Churn prediction for Brightwave` and a paragraph: the
    question, the data, how success is measured, and the headline result.
    """
    view = ctx.notebook
    md = ctx.narrative.markdown
    first_notebook = view.notebooks[0] if view.notebooks else None
    opening = []
    for cell in view.cells:
        if cell.notebook != first_notebook or cell.local_index >= params.opening_cells:
            break
        if cell.is_code and _does_work(ctx, cell.index):
            break
        if cell.is_markdown:
            opening.append(cell)
    titles: list[Heading] = [h for h in md.headings if any(h.cell == c.index for c in opening)]
    text = " ".join(prose(c.source) for c in opening)
    target_words = _target_words(ctx)
    statement = len(words(text)) >= params.min_words and bool(
        _PROBLEM.search(text) or any(w in text.lower() for w in target_words)
    )
    findings = []
    first = view[0].index if len(view) else None
    if titles:
        findings.append(
            Finding(
                message=f"Title: {titles[0].text[:120]!r}",
                severity=Severity.info,
                evidence=[ctx.evidence(titles[0].cell, source=EvidenceSource.markdown, snippet=titles[0].text[:200])],
            )
        )
    else:
        findings.append(
            Finding(
                message="The notebook has no title (a markdown heading at the top)",
                severity=Severity.low,
                evidence=[
                    ctx.evidence(
                        first,
                        source=EvidenceSource.markdown if opening else EvidenceSource.code,
                        snippet=excerpt(view[0].source, 160) if first is not None else None,
                        note="first cell of the notebook",
                    )
                ],
            )
        )
    if statement:
        findings.append(
            Finding(
                message="The opening states the problem",
                severity=Severity.info,
                evidence=[ctx.evidence(opening[0].index, source=EvidenceSource.markdown, snippet=excerpt(text, 240))],
            )
        )
    else:
        why = (
            f"the opening has {len(words(text))} word(s) and does not say what is predicted or why"
            if opening
            else "there is no opening markdown before the code starts"
        )
        findings.append(
            Finding(
                message=f"No problem statement at the top: {why}",
                severity=Severity.medium,
                confidence=Confidence.medium if opening else Confidence.high,
                evidence=[
                    ctx.evidence(
                        opening[0].index if opening else first,
                        source=EvidenceSource.markdown if opening else EvidenceSource.code,
                        snippet=excerpt(text or (view[0].source if first is not None else ""), 200),
                        note="the opening of the notebook",
                    )
                ],
            )
        )
    parts = int(bool(titles)) + int(statement)
    return CheckOutcome(findings=findings, score=parts / 2, message=f"{parts} of 2 parts (title, problem statement)")


def _does_work(ctx: CheckContext, index: int) -> bool:
    """A code cell that does more than imports, magics and settings."""
    code = ctx.code.cell(index)
    if code is None or code.tree is None:
        return bool(ctx.notebook[index].source.strip())
    for node in code.tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom | ast.Pass):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            continue  # warnings.filterwarnings(...), sns.set_theme(...)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            continue  # SEED = 42
        return True
    return False


def _target_words(ctx: CheckContext) -> list[str]:
    if ctx.assignment is None:
        return []
    found = [w.lower() for w in re.split(r"[_\W]+", ctx.assignment.target) if len(w) > 3]
    found += [w.lower() for w in re.split(r"\W+", ctx.assignment.title) if len(w) > 4]
    return found
