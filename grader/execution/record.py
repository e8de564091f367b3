"""Turn what the sandbox returned into the report's `ExecutionRecord`.

Cells are mapped to global indices through the submitted notebooks; failing cells
get an error class; a run cut short from outside keeps whatever partial evidence
there is, and every cell without a record is `not_executed`, never "passed".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.execution.results import ExecutorCell, ExecutorRedirect
from grader.execution.sandbox import SandboxResult
from grader.execution.triage import MalformedFile, classify, function_and_class_names, refine
from grader.models.execution import (
    CellRecord,
    CellStatus,
    DataRedirect,
    ErrorClass,
    ExecutionRecord,
    RunStatus,
)
from grader.models.notebook import NotebookView


def _cell_record(view: NotebookView, cell: ExecutorCell, user_names: frozenset[str] = frozenset()) -> CellRecord | None:
    index = view.global_index(cell.notebook, cell.local_index)
    if index is None or not view[index].is_code:
        return None
    status = CellStatus(cell.status)
    error_class = None
    if status is CellStatus.error:
        error_class = classify(cell.error_name, cell.error_value, cell.traceback, user_names)
    elif status is CellStatus.timeout:
        error_class = ErrorClass.resources
    return CellRecord(
        index=index,
        notebook=cell.notebook,
        local_index=cell.local_index,
        status=status,
        duration_s=cell.duration_s,
        execution_count=cell.execution_count,
        error_name=cell.error_name,
        error_value=cell.error_value,
        traceback=cell.traceback,
        error_class=error_class,
        output_bytes=cell.output_bytes,
        outputs_truncated=cell.outputs_truncated,
    )


def _fill_missing(view: NotebookView, records: dict[int, CellRecord]) -> list[CellRecord]:
    for cell in view.code_cells():
        if cell.index not in records:
            records[cell.index] = CellRecord(
                index=cell.index,
                notebook=cell.notebook,
                local_index=cell.local_index,
                status=CellStatus.not_executed if cell.source.strip() else CellStatus.ok,
            )
    return [records[i] for i in sorted(records)]


def build_record(
    view: NotebookView,
    result: SandboxResult,
    *,
    image: str,
    runtime: str | None,
    limits: dict[str, Any],
    malformed: Sequence[MalformedFile] = (),
) -> ExecutionRecord:
    """The execution record for the report, from a sandbox result (complete or not).

    `malformed` lists the submission's data files that cannot be parsed as intended.
    """
    common: dict[str, Any] = {
        "image": image,
        "runtime": runtime or "runc",
        "limits": limits,
        "exit_code": result.exit_code,
        "oom_killed": result.oom_killed,
        "startup_s": round(result.startup_s, 3),
        "notebooks": list(view.notebooks),
    }
    if result.results is not None:
        out = result.results.output
        user_names = function_and_class_names(c.source for c in view.code_cells())
        records = {r.index: r for c in out.cells if (r := _cell_record(view, c, user_names)) is not None}
        redirects = [_redirect(view, r) for r in out.redirects]
        sources = {c.index: c.source for c in view.code_cells()}
        return ExecutionRecord(
            status=RunStatus(out.status),
            reason=out.reason,
            duration_s=out.duration_s,
            cells=refine(_fill_missing(view, records), sources, redirects, versions=out.packages, malformed=malformed),
            tracing=out.tracing,
            collected_files=list(out.collected),
            packages=dict(out.packages),
            skipped_lines=[_skipped(view, s) for s in out.skipped_lines],
            redirects=redirects,
            **common,
        )
    records = {r.index: r for c in result.partial_cells if (r := _cell_record(view, c)) is not None}
    if result.host_timeout:
        status, reason = RunStatus.timeout, "the sandbox passed its wall-clock limit and was killed by the host"
    elif result.oom_killed:
        status, reason = RunStatus.oom, "the sandbox was killed for exceeding its memory limit"
    elif result.exit_code is not None:
        # The executor does not exit on its own before writing results; candidate code
        # running beside it is the only thing that can stop it (e.g. a signal under a
        # runtime without init protection). It must not earn "not scored".
        status = RunStatus.kernel_died
        reason = (
            f"the sandbox's supervisor was stopped from inside (exit code {result.exit_code}) "
            "before it could write results"
        )
    else:
        status, reason = RunStatus.sandbox_error, result.error or "the sandbox returned no results"
    if result.partial_cells:
        reason += " (cell records before the stop come from the unsigned progress log)"
    if status in (RunStatus.timeout, RunStatus.oom) and records:
        # Only with a progress record do we know which cell was running; never guess.
        _mark_running_cell(view, records, status)
    return ExecutionRecord(
        status=status,
        reason=reason,
        duration_s=round(result.wall_s, 3),
        cells=_fill_missing(view, records),
        tracing="failed: the run was cut short",
        **common,
    )


def _mark_running_cell(view: NotebookView, records: dict[int, CellRecord], status: RunStatus) -> None:
    """The first code cell after the last recorded one was running when the sandbox was stopped."""
    last = max(records, default=-1)
    for cell in view.code_cells():
        if cell.index > last and cell.source.strip():
            timed_out = status is RunStatus.timeout
            records[cell.index] = CellRecord(
                index=cell.index,
                notebook=cell.notebook,
                local_index=cell.local_index,
                status=CellStatus.timeout if timed_out else CellStatus.error,
                error_name="CellTimeoutError" if timed_out else "SandboxOOMKilled",
                error_value="running when the sandbox passed its wall-clock limit"
                if timed_out
                else "running when the whole sandbox was killed for exceeding its memory limit",
                error_class=ErrorClass.resources,
            )
            return


def _redirect(view: NotebookView, raw: ExecutorRedirect) -> DataRedirect:
    """A kernel's data-path event, its cell mapped to the global index."""
    cell = view.global_index(raw.notebook, raw.local_index) if raw.local_index is not None else None
    return DataRedirect(
        kind=raw.kind, requested=raw.requested, resolved=raw.resolved, via=raw.via, detail=raw.detail, cell=cell
    )


def _skipped(view: NotebookView, raw: dict[str, Any]) -> dict[str, Any]:
    index = view.global_index(str(raw.get("notebook", "")), int(raw.get("local_index", -1)))
    return {"cell": index, "line": raw.get("line"), "text": str(raw.get("text", ""))[:300]}


def not_run_record(view: NotebookView, reason: str) -> ExecutionRecord:
    """The record when execution was not attempted (lint mode, or the sandbox is off)."""
    return ExecutionRecord(
        status=RunStatus.not_run,
        reason=reason,
        notebooks=list(view.notebooks),
        cells=_fill_missing(view, {}),
    )
