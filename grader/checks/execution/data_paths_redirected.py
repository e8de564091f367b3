"""EXE006: every data read found its file where the code said it was."""

from __future__ import annotations

import re

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, Params, check
from grader.checks.followups import REPRODUCIBILITY
from grader.evidence.context import CheckContext
from grader.models.execution import DataRedirect
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity

_WEB = re.compile(r"^https?://", re.IGNORECASE)


class DataPathsParams(Params):
    #: Severity of one read the sandbox had to redirect (the path itself is EXE004's business).
    severity: Severity = Severity.low
    max_findings: int = Field(default=10, ge=1, le=100)


@check(
    id="EXE006",
    slug="data-paths-redirected",
    category=Category.execution,
    title="Data is read from where the code says",
    params=DataPathsParams,
    requires={Need.execution},
    followup=REPRODUCIBILITY,
)
def data_paths_redirected(ctx: CheckContext, params: DataPathsParams) -> CheckOutcome:
    """Every file the notebook reads exists at the path its code uses.

    What it checks: reads of files that did not exist in the sandbox and that the grader
    redirected by name to a public data file or a file of the submission
    (`C:\\Users\\jane\\train.csv` → `data/train.csv`, `/content/drive/MyDrive/...`,
    `../input/train.csv`, an http(s) address ending in a data file's name: the sandbox has
    no network), and Colab `drive.mount()` calls that did nothing. Each is a
    finding with the requested path, the file used instead and the cell.

    Why it matters: without the redirect the notebook stops at its first cell on any
    machine but the author's; a reviewer had to guess which file was meant. The grader
    guesses by file name only, so the run may not be the author's run.

    Example: `pd.read_csv("/content/drive/MyDrive/churn/train.csv")` after
    `drive.mount("/content/drive")`.

    Do instead: ship the notebook with the data layout the brief gives (`data/train.csv`)
    and read through that relative path.
    """
    events = [e for e in ctx.execution.redirects if e.kind in ("redirect", "shim")]
    findings = [_finding(ctx, event, params) for event in events[: params.max_findings]]
    if len(events) > params.max_findings:
        findings[-1] = findings[-1].model_copy(
            update={"message": findings[-1].message + f" ({len(events) - params.max_findings} more)"}
        )
    reads = sum(1 for e in events if e.kind == "redirect")
    return CheckOutcome(
        findings=findings,
        score=0.0 if findings else 1.0,
        message=f"{reads} read(s) redirected" if events else "every read found its file",
    )


def _finding(ctx: CheckContext, event: DataRedirect, params: DataPathsParams) -> Finding:
    line = _line_of(ctx, event)
    if event.kind == "shim":
        message = f"{event.requested} did nothing in the sandbox (google.colab is not available)"
    else:
        missing = "cannot be fetched (no network)" if _WEB.match(event.requested) else "does not exist"
        message = f"{event.requested!r} {missing}; {event.via or 'the read'} was redirected to {event.resolved}"
    return Finding(
        message=message[:500],
        severity=params.severity,
        confidence=Confidence.medium,
        evidence=[
            ctx.evidence(
                event.cell,
                line,
                source=EvidenceSource.execution if line is None else EvidenceSource.code,
                note=f"sandbox: {event.kind} via {event.via}"[:300],
            )
        ],
        data={
            "requested": event.requested[:300],
            "resolved": event.resolved[:300],
            "kind": event.kind,
            "via": event.via,
        },
    )


def _line_of(ctx: CheckContext, event: DataRedirect) -> int | None:
    """The line of the cell that names the requested file (its last path part), if any."""
    if event.cell is None or not 0 <= event.cell < len(ctx.notebook):
        return None
    needle = (
        event.requested.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip("'\")(")
        if event.kind == "redirect"
        else "mount"
    )
    for number, text in enumerate(ctx.notebook[event.cell].lines, start=1):
        if needle and needle in text.replace("\\\\", "/").replace("\\", "/"):
            return number
    return None
