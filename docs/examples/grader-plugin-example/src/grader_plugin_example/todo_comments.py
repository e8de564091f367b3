"""EXMP001: notes left for later (`# TODO`, `# FIXME`) in the code a candidate submitted."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import CODE_QUALITY
from grader.evidence.context import CheckContext
from grader.models.findings import Confidence, Finding, Severity


class TodoParams(Params):
    #: Words that mark a note left for later when they start a comment or follow its `#`.
    markers: tuple[str, ...] = Field(default=("TODO", "FIXME", "XXX"), min_length=1)
    #: Match `todo` and `Fixme` as well as `TODO`.
    ignore_case: bool = True
    #: At this many notes or more the finding is medium instead of low.
    medium_at: int = Field(default=3, ge=1)


@check(
    id="EXMP001",
    slug="leftover-todo-comments",
    category=Category.quality,
    title="No notes left for later in the submitted code",
    params=TodoParams,
    followup=CODE_QUALITY,
)
def leftover_todo_comments(ctx: CheckContext, params: TodoParams) -> CheckOutcome:
    """The submitted code holds no `# TODO` or `# FIXME` notes the candidate meant to come back to.

    What it checks: every comment in every code cell (read with Python's tokenizer, so a
    string that happens to contain "TODO" does not count); a comment whose text starts with
    one of `markers` (`# TODO: tune`, `# FIXME`) is a note left for later. Each note is a
    finding pointing at its cell and line; `medium_at` notes or more make them medium.

    Why it matters: a note left for later is work the candidate knew was missing (a
    validation step, a leak to fix, a parameter never tuned); the reviewer should see it
    before the interview rather than find it by reading every cell.

    Example: `# TODO: scale inside the CV folds` above a scaler fitted on the whole frame.

    Do instead: finish the work, or say in a markdown cell what was left out and why.
    """
    findings = list(_notes(ctx, params))
    severity = Severity.medium if len(findings) >= params.medium_at else Severity.low
    findings = [f.model_copy(update={"severity": severity}) for f in findings]
    return CheckOutcome(findings=findings, message=f"{len(findings)} note(s) left for later in the code")


def _notes(ctx: CheckContext, params: TodoParams) -> Iterator[Finding]:
    flags = re.IGNORECASE if params.ignore_case else 0
    pattern = re.compile(rf"^#+\s*({'|'.join(map(re.escape, params.markers))})\b", flags)
    for cell in ctx.notebook.code_cells():
        for line, comment, exact in _comments(cell.source):
            match = pattern.match(comment)
            if match is None:
                continue
            yield Finding(
                message=f"`{comment[:80]}` in cell {cell.index}, line {line}: a note left for later",
                confidence=Confidence.high if exact else Confidence.medium,
                evidence=[ctx.evidence(cell.index, line)],
                data={"marker": match.group(1)},
            )


def _comments(source: str) -> Iterator[tuple[int, str, bool]]:
    """(line, comment text, read by the tokenizer) for each comment of a cell's source."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        # Not Python the tokenizer accepts (an unterminated string, a cell magic): read line by line.
        for number, text in enumerate(source.splitlines(), start=1):
            if text.lstrip().startswith("#"):
                yield number, text.strip(), False
        return
    for token in tokens:
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string.strip(), True
