"""The typed evidence every check reads: code, notebooks, execution, trace, assignment."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from grader.evidence.code import CodeIndex
from grader.models.assignment import Assignment
from grader.models.execution import CellStatus, ExecutionRecord, RunStatus
from grader.models.findings import Evidence, EvidenceSource
from grader.models.notebook import Cell, NotebookView
from grader.models.report import HoldoutResult
from grader.models.trace import RuntimeTrace

if TYPE_CHECKING:
    from grader.evidence.dataflow.values import DataflowResult
    from grader.evidence.leakage import LeakageAnalysis


@dataclass(frozen=True)
class SubmissionFacts:
    """What checks may know about the submission's files (no I/O from checks)."""

    name: str
    files: tuple[str, ...] = ()
    #: Small text files by relative path: README, requirements, .py modules.
    texts: dict[str, str] = field(default_factory=dict)
    notebooks: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckContext:
    """Everything known about one submission when checks run."""

    submission: SubmissionFacts
    notebook: NotebookView
    execution: ExecutionRecord
    executed: NotebookView | None = None
    assignment: Assignment | None = None
    #: What the tracer recorded in the sandbox (None: not executed; `usable` False: tracing failed or was off).
    trace: RuntimeTrace | None = None
    pylint: Any = None
    #: The notebook's predictions scored against the hidden labels (None: no holdout, or not executed).
    holdout: HoldoutResult | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def code(self) -> CodeIndex:
        return CodeIndex(self.notebook)

    @cached_property
    def dataflow(self) -> DataflowResult:
        """The static dataflow over the code (computed once, shared by the leakage checks)."""
        from grader.evidence.dataflow.interpreter import analyse, module_sources

        assignment = self.assignment
        return analyse(
            self.code,
            target=assignment.target if assignment else None,
            time_column=assignment.structure.time_column if assignment else None,
            group_column=assignment.structure.group_column if assignment else None,
            modules=module_sources(self.submission.texts),
        )

    @cached_property
    def leakage(self) -> LeakageAnalysis:
        """Leak findings from the dataflow and the runtime trace, by kind."""
        from grader.evidence.leakage import analyse_leakage

        return analyse_leakage(self)

    @property
    def ran(self) -> bool:
        return self.execution.status is not RunStatus.not_run and self.execution.status is not RunStatus.sandbox_error

    def cell_ran(self, index: int) -> bool:
        record = self.execution.cell(index)
        return record is not None and record.status in (CellStatus.ok, CellStatus.error)

    def outputs_of(self, index: int) -> tuple[Cell, EvidenceSource] | None:
        """The best available outputs of a cell: the sandbox's if it ran cleanly, else the saved ones.

        A cell that failed in the sandbox keeps the outputs saved in the submission when they
        show more than an error; saved outputs are marked as such, so a reviewer knows they
        were not reproduced.
        """
        return _best_outputs(self.notebook, self.executed, self.execution, index)

    @cached_property
    def shown(self) -> NotebookView:
        """The notebook with, for each code cell, the outputs `outputs_of` would pick."""
        return best_outputs_view(self.notebook, self.executed, self.execution)

    def saved_evidence_cells(self) -> list[int]:
        """Code cells whose outputs come from the submission, not from the sandbox run."""
        return [
            c.index
            for c in self.notebook.code_cells()
            if (best := self.outputs_of(c.index)) is not None and best[1] is EvidenceSource.saved_output
        ]

    def output_cells(self) -> list[tuple[Cell, EvidenceSource]]:
        """Every code cell with the outputs a reviewer would trust most."""
        found = []
        for cell in self.notebook.code_cells():
            best = self.outputs_of(cell.index)
            if best is not None:
                found.append(best)
        return found

    def evidence(
        self,
        cell: int | None,
        line: int | None = None,
        *,
        snippet: str | None = None,
        source: EvidenceSource = EvidenceSource.code,
        note: str | None = None,
        end_line: int | None = None,
    ) -> Evidence:
        """Evidence pointing at a cell, filled with its notebook and a snippet of code."""
        notebook = None
        if cell is not None and 0 <= cell < len(self.notebook):
            notebook = self.notebook[cell].notebook
            if snippet is None and line is not None and source is EvidenceSource.code:
                snippet = self.code.snippet(cell, line, end_line)
        return Evidence(
            source=source, cell=cell, line=line, end_line=end_line, notebook=notebook, snippet=snippet, note=note
        )


def _best_outputs(
    notebook: NotebookView, executed: NotebookView | None, execution: ExecutionRecord, index: int
) -> tuple[Cell, EvidenceSource] | None:
    record = execution.cell(index)
    saved = notebook[index] if index < len(notebook) else None
    rerun = executed[index] if executed is not None and index < len(executed) else None
    if rerun is not None and record is not None and record.status is CellStatus.ok:
        return rerun, EvidenceSource.output
    if (
        rerun is not None
        and record is not None
        and record.status is CellStatus.error
        and (saved is None or not any(o.output_type != "error" for o in saved.outputs))
    ):
        return rerun, EvidenceSource.output  # nothing better was saved: the error is the evidence
    if saved is not None and saved.outputs:
        return saved, EvidenceSource.saved_output
    return None


def best_outputs_view(
    notebook: NotebookView, executed: NotebookView | None, execution: ExecutionRecord
) -> NotebookView:
    """The submitted notebook with each code cell's most trustworthy outputs (re-run, else saved)."""
    cells = []
    for cell in notebook.cells:
        best = _best_outputs(notebook, executed, execution, cell.index) if cell.is_code else None
        outputs = best[0].outputs if best is not None else ()
        cells.append(cell if outputs is cell.outputs else replace(cell, outputs=outputs))
    return NotebookView(cells=tuple(cells), notebooks=notebook.notebooks)
