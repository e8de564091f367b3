"""EXE008: no shell escapes or package-manager magics in the notebook."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import REPRODUCIBILITY
from grader.evidence.context import CheckContext
from grader.execution.executor.shell_lines import neutralize_shell_lines
from grader.models.findings import Confidence, Finding, Severity


@check(
    id="EXE008",
    slug="shell-lines-skipped",
    category=Category.execution,
    title="No shell commands or pip installs inside the notebook",
    followup=REPRODUCIBILITY,
)
def shell_lines_skipped(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The notebook does not install packages or run shell commands from its cells.

    What it checks: `!pip install ...`, `%pip`, `%conda`, `!wget`, `!unzip`, `%%bash`
    cells and other shell escapes. The sandbox skips them (it has no network and runs
    no shell for the candidate), so each cell that holds one is a finding listing the
    skipped lines; the rest of the cell still runs.

    Why it matters: installs inside a notebook change the environment on every run,
    pin nothing, and fail offline or behind a proxy; downloads make the result depend
    on a URL that may change. A reviewer cannot tell which versions produced the numbers.

    Example: `!pip install xgboost==1.7.6 imbalanced-learn` in the first cell.

    Do instead: list dependencies in `requirements.txt` (with versions) and ship or
    document the data files instead of downloading them in a cell.
    """
    del params
    findings = []
    total = 0
    for cell in ctx.notebook.code_cells():
        _, skipped = neutralize_shell_lines(cell.source)
        if not skipped:
            continue
        total += len(skipped)
        texts = [text.strip()[:160] for _, text in skipped]
        findings.append(
            Finding(
                message=f"Cell {cell.index}: {len(skipped)} shell line(s) skipped in the sandbox: "
                + "; ".join(texts[:3])
                + (" ..." if len(texts) > 3 else ""),
                severity=Severity.low,
                confidence=Confidence.high,
                evidence=[ctx.evidence(cell.index, skipped[0][0], note="skipped: the sandbox runs no shell commands")],
                data={"lines": [[number, text[:300]] for number, text in skipped[:20]]},
            )
        )
    return CheckOutcome(
        findings=findings[:20],
        score=0.0 if findings else 1.0,
        message=f"{total} shell line(s) skipped" if total else "no shell lines",
    )
