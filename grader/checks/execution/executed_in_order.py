"""EXE003: the saved notebook was executed top to bottom, in order."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from grader.checks.base import Category, CheckOutcome, FlagRule, NoParams, check
from grader.checks.followups import OUT_OF_ORDER
from grader.evidence.code import CodeCell
from grader.evidence.context import CheckContext
from grader.evidence.kernel_state import ForwardRead, HiddenRead, forward_reads, hidden_reads, shows_a_result
from grader.models.execution import CellStatus
from grader.models.findings import Confidence, Evidence, EvidenceSource, Finding, Severity
from grader.models.notebook import Cell
from grader.models.report import FlagKind

#: A read that works only in the saved order: the notebook does not run top to bottom as submitted.
FORWARD_READ_SEVERITY = Severity.high


@check(
    id="EXE003",
    slug="executed-in-order",
    category=Category.execution,
    title="The submitted notebook was executed in order",
    followup=OUT_OF_ORDER,
    flag=FlagRule(FlagKind.unverified, min_severity=Severity.high),
)
def executed_in_order(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The execution counts saved in the notebook rise from top to bottom.

    What it checks: the `execution_count` of every code cell in the notebook as
    submitted. Counts that go down (cell 9 ran before cell 5) and a first count far
    above 1 (a long session never restarted) are findings (cells never run at all are
    EXE011's). Worst (high severity, flag `unverified`): a cell
    that reads a name no cell above it and no cell run before it binds — its saved
    outputs came from a kernel state the notebook does not hold (the binding cell
    was deleted, edited or never run; medium when no saved output rests on it, neither the
    cell's own nor a later cell's that uses what it made, e.g. a cell that only pickles a
    model whose fitting cells never ran); and (also high) a cell that reads a name
    only a cell below it binds, one run earlier: the outputs follow from the code, but
    Restart & Run All stops there with a NameError. When the notebook was re-run in the sandbox
    and that cell ran cleanly, the run settles it and there is no finding.

    Why it matters: out-of-order execution means the saved outputs came from a
    hidden state that the code as written does not produce; the numbers in the
    notebook may not be reproducible, and a reviewer cannot trust a headline
    printed from a variable nothing in the notebook computes.

    Example: `In [12]` above `In [7]`: the model cell was re-run after the
    feature cell below it was edited.

    Do instead: before submitting, restart the kernel and run all cells, so the
    counts read 1, 2, 3 ... from top to bottom.
    """
    del params
    findings: list[Finding] = []
    total = in_order = 0
    # Each notebook has its own kernel and its own counts: compare within a notebook only.
    for notebook in ctx.notebook.notebooks:
        executed = [c for c in ctx.notebook.code_cells() if c.notebook == notebook and c.source.strip()]
        counts = [c for c in executed if c.execution_count is not None]
        total += len(counts)
        backwards = [(a, b) for a, b in pairwise(counts) if (b.execution_count or 0) <= (a.execution_count or 0)]
        in_order += len(counts) - len(backwards)
        findings += _findings(ctx, executed, counts, backwards)
        parsed = _parsed(ctx, executed)
        hidden = [read for read in hidden_reads(parsed) if not _rerun_settles(ctx, read)]
        if hidden:
            findings.append(_hidden_state(ctx, hidden, shown=[r for r in hidden if shows_a_result(parsed, r)]))
        forward = [read for read in forward_reads(parsed) if not _rerun_settles(ctx, read)]
        if forward:
            findings.append(_runs_only_in_saved_order(ctx, forward))
    if total == 0:
        return CheckOutcome(
            message="the notebook was submitted without execution counts (never run or cleared)", score=1.0
        )
    hidden_state = any(f.severity is Severity.high for f in findings)
    return CheckOutcome(
        findings=findings,
        score=(in_order / total) * (0.5 if hidden_state else 1.0) if findings else 1.0,
        message=f"{in_order} of {total} executed cells are in order",
    )


def _findings(
    ctx: CheckContext, executed: list[Cell], counts: list[Cell], backwards: list[tuple[Cell, Cell]]
) -> list[Finding]:
    findings = []
    if backwards:
        before, after = backwards[0]
        findings.append(
            Finding(
                message=f"{len(backwards)} cell(s) ran out of order: cell {after.index} [{after.execution_count}] "
                f"comes after cell {before.index} [{before.execution_count}]",
                severity=Severity.medium,
                evidence=[
                    ctx.evidence(before.index, source=EvidenceSource.code, snippet=f"In [{before.execution_count}]"),
                    ctx.evidence(after.index, source=EvidenceSource.code, snippet=f"In [{after.execution_count}]"),
                ],
                data={"out_of_order": [[b.index, a.index] for b, a in backwards[:50]]},
            )
        )
    if not counts:
        return findings
    first_count = counts[0].execution_count or 0
    if first_count > max(10, len(executed)):
        findings.append(
            Finding(
                message=f"The first execution count is {first_count}: the kernel was not restarted before the final run",
                severity=Severity.low,
                confidence=Confidence.medium,
                evidence=[ctx.evidence(counts[0].index, source=EvidenceSource.code, snippet=f"In [{first_count}]")],
            )
        )
    return findings


def _parsed(ctx: CheckContext, cells: list[Cell]) -> list[CodeCell]:
    return [code for code in (ctx.code.cell(c.index) for c in cells) if code is not None]


def _rerun_settles(ctx: CheckContext, read: HiddenRead | ForwardRead) -> bool:
    """The sandbox re-ran the reading cell without an error: the name was bound after all."""
    record = ctx.execution.cell(read.cell)
    return record is not None and record.status is CellStatus.ok


def _read_evidence(ctx: CheckContext, reads: Sequence[HiddenRead | ForwardRead]) -> list[Evidence]:
    """The code line of each read, as the cell shows it."""
    return [
        ctx.evidence(read.cell, read.line, source=EvidenceSource.code, snippet=ctx.code.snippet(read.cell, read.line))
        for read in reads
    ]


def _hidden_state(ctx: CheckContext, hidden: list[HiddenRead], shown: list[HiddenRead]) -> Finding:
    """High when a saved output rests on a hidden read (`shown`); medium when none does.

    A cell that pickles a model built in cells that never ran reads hidden state too, but no
    output it or a later cell shows depends on it: the notebook is incomplete, not misleading.
    """
    first = (shown or hidden)[0]
    names = ", ".join(f"`{read.name}` (cell {read.cell})" for read in hidden[:5])
    more = f" and {len(hidden) - 5} more" if len(hidden) > 5 else ""
    consequence = (
        "its saved output came from a kernel state this notebook does not hold"
        if shown
        else "no saved output rests on it, but the cell ran on a kernel state this notebook does not hold"
    )
    return Finding(
        message=f"Cell {first.cell} [{first.execution_count}] reads `{first.name}`, which no cell above it and no cell "
        f"run before it defines: {consequence} (unbound reads: {names}{more})",
        severity=Severity.high if shown else Severity.medium,
        confidence=Confidence.medium,
        evidence=_read_evidence(ctx, (shown or hidden)[:3]),
        data={"unbound": [[read.cell, read.name] for read in hidden[:50]], "shown": bool(shown)},
    )


def _runs_only_in_saved_order(ctx: CheckContext, forward: list[ForwardRead]) -> Finding:
    first = forward[0]
    names = ", ".join(f"`{read.name}` (cell {read.cell}, bound in cell {read.bound_in})" for read in forward[:5])
    more = f" and {len(forward) - 5} more" if len(forward) > 5 else ""
    return Finding(
        message=f"Cell {first.cell} [{first.execution_count}] reads `{first.name}`, which only cell {first.bound_in} "
        f"below it defines (it ran earlier, [{first.bound_count}]): run top to bottom in a fresh kernel, the notebook "
        f"stops at cell {first.cell} with a NameError, so its results cannot be reproduced as submitted "
        f"(reads of names defined further down: {names}{more})",
        severity=FORWARD_READ_SEVERITY,
        confidence=Confidence.high,
        evidence=[
            *_read_evidence(ctx, forward[:2]),
            ctx.evidence(first.bound_in, source=EvidenceSource.code, note=f"defines `{first.name}`, further down"),
        ],
        data={"defined_below": [[read.cell, read.name, read.bound_in] for read in forward[:50]]},
    )
