"""EXE011: the notebook as submitted shows one complete run: no saved errors, no code cell left unrun."""

from __future__ import annotations

from collections.abc import Iterator

from grader.checks.base import Category, CheckOutcome, FlagRule, NoParams, check
from grader.checks.followups import FollowUpSubject, Question
from grader.evidence.context import CheckContext
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity
from grader.models.notebook import Cell
from grader.models.report import FlagKind


def _incomplete(s: FollowUpSubject) -> str:
    return (
        f"{s.message()} — were the results you describe produced by the code as submitted, and what happens "
        f"when you restart the kernel and run every cell?"
    )


INCOMPLETE = Question("reproducibility", _incomplete)


@check(
    id="EXE011",
    slug="submitted-run-complete",
    category=Category.execution,
    title="The submitted notebook shows a complete run",
    followup=INCOMPLETE,
    flag=FlagRule(FlagKind.did_not_run, min_severity=Severity.high),
)
def submitted_run_complete(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The notebook as submitted shows every code cell run, and none of them failed.

    What it checks: the saved state of each notebook, which is what a reviewer opens first.
    A cell whose saved output is a traceback is a finding; it is high severity (and the
    `did_not_run` flag) when it fits or scores a model, or when a cell that does comes after it
    (the results shown were not produced by one clean run), medium otherwise, and medium for a
    `drop` whose columns were already gone (the cell ran twice, the first time successfully). Code cells that
    were never run (no execution count) in a notebook whose other cells ran are a finding: high
    when the cells that fit or score the models are among them and none of those ran (the
    notebook does not show its own results), medium when some of them ran, low for other cells.
    A notebook submitted with every output cleared is a habit, not a failed run: no finding.
    This reads only the submitted file, so it decides the same with and without a sandbox run.

    Why it matters: a saved traceback or a block of unrun modelling cells means the notebook
    was not run top to bottom before it was sent; the numbers the write-up quotes may come from
    another session or from code that no longer runs, and the reviewer cannot see them.

    Example: cell 4 shows `ModuleNotFoundError: No module named 'xgboost'`, while cells 10-14
    show XGBoost scores from an earlier session; or cells 30-57, the models, have `In [ ]`.

    Do instead: restart the kernel and run all cells, fix or delete what fails, and submit the
    notebook with the outputs of that run.
    """
    del params
    findings: list[Finding] = []
    cells = 0
    cleared = 0
    results = _results_cells(ctx)
    for notebook in ctx.notebook.notebooks:
        code = [c for c in ctx.notebook.code_cells() if c.notebook == notebook and c.code_lines]
        cells += len(code)
        if code and all(c.never_run for c in code):
            cleared += 1
            continue
        findings += _saved_errors(ctx, code, results)
        findings += _never_run(ctx, code, results)
    if cells == 0:
        return CheckOutcome(message="the notebook has no code cells")
    if cleared == len(ctx.notebook.notebooks):
        return CheckOutcome(message="the notebook was submitted with every output cleared; nothing to judge")
    return CheckOutcome(
        findings=findings,
        message="every code cell ran without a saved error" if not findings else f"{len(findings)} problem(s)",
    )


def _results_cells(ctx: CheckContext) -> set[int]:
    """Cells that fit or score a model at top level: where a notebook's results come from."""
    scored = {use.site.cell for use in ctx.ml.metric_uses if use.function is None}
    fitted = {fit.site.cell for fit in ctx.ml.fits if ctx.ml.enclosing_function(fit.site.node) is None}
    searched = {use.site.cell for use in ctx.ml.cv_calls if use.function is None}
    return scored | fitted | searched


def _saved_errors(ctx: CheckContext, code: list[Cell], results: set[int]) -> Iterator[Finding]:
    failed = [c for c in code if c.saved_error is not None]
    if not failed:
        return
    last_result = max((c.index for c in code if c.index in results), default=-1)
    serious = [c for c in failed if (c.index in results or c.index < last_result) and not _run_twice(c)]
    first = serious[0] if serious else failed[0]
    error = first.saved_error
    assert error is not None
    first_line = (error.evalue or "").strip().splitlines()[:1]
    what = f"{error.ename}: {first_line[0][:160]}" if first_line else error.ename
    if first.index in results:
        why = "a cell that fits or scores a model failed, so the results shown did not come from this run"
    elif serious:
        why = "cells that fit or score models come after it, so the results shown were not produced by one clean run"
    elif _run_twice(first):
        why = "the columns it drops were already gone, so it was most likely run a second time after it had worked"
    else:
        why = "it comes after the results"
    cells = [c.index for c in failed]
    yield Finding(
        message=f"The submitted notebook shows {len(failed)} cell(s) that raised an error (first: cell "
        f"{first.index}, {what}): {why}",
        severity=Severity.high if serious else Severity.medium,
        confidence=Confidence.high,
        evidence=[
            ctx.evidence(c.index, source=EvidenceSource.saved_output, snippet=_error_name(c), note="as submitted")
            for c in ([first] + [c for c in failed if c is not first])[:3]
        ],
        data={"kind": "saved_error", "cells": cells[:100], "error_name": error.ename},
    )


def _run_twice(cell: Cell) -> bool:
    """A `drop` that failed because its columns were gone: the cell had already run once, successfully."""
    error = cell.saved_error
    return (
        ".drop(" in cell.source
        and error is not None
        and error.ename == "KeyError"
        and "not found in axis" in (error.evalue or "")
    )


def _error_name(cell: Cell) -> str:
    error = cell.saved_error
    return f"{error.ename}: {(error.evalue or '')[:160]}" if error is not None else ""


def _never_run(ctx: CheckContext, code: list[Cell], results: set[int]) -> Iterator[Finding]:
    unrun = [c for c in code if c.never_run]
    if not unrun:
        return
    result_cells = [c for c in code if c.index in results]
    unrun_results = [c for c in unrun if c.index in results]
    if unrun_results and len(unrun_results) == len(result_cells):
        severity = Severity.high
        why = "none of the cells that fit or score a model was run: the notebook does not show its own results"
    elif unrun_results:
        severity = Severity.medium
        shown = ", ".join(str(c.index) for c in unrun_results[:5])
        why = f"some of them fit or score a model (cells {shown}): their results are not in the notebook"
    else:
        severity, why = Severity.low, "none of them fits or scores a model"
    yield Finding(
        message=f"{len(unrun)} code cell(s) of the submitted notebook were never run (first: cell "
        f"{unrun[0].index}); {why}",
        severity=severity,
        confidence=Confidence.high,
        evidence=[
            ctx.evidence(c.index, source=EvidenceSource.code, snippet="In [ ]", note="never run before submission")
            for c in (unrun_results or unrun)[:3]
        ],
        data={"kind": "never_run", "cells": [c.index for c in unrun][:100]},
    )
