"""The typed evidence every check reads: one frozen value per submission.

`Observations` is what was seen directly: the submission's files, its notebooks as
submitted and as run, the run record, the runtime trace, the code index and, per cell,
the outputs that count (`trusted_outputs`, the one rule the HTML report follows too).
`CheckContext` adds what the evidence stage derived from them, each computed once by
`grader.evidence.build`: ML facts, the dataflow and leakage analysis, narrative and EDA
facts, the facts of the trace, the package plan, pylint's messages and the holdout score.

An analysis that crashed is kept as `AnalysisFailed`: a check that reads it raises
`AnalysisUnavailable` (with the analysis's traceback), so that check reports `error` and
its criterion goes to a human, while every other check runs as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from grader.evidence.code import CodeIndex
from grader.models.assignment import Assignment
from grader.models.execution import CellStatus, ExecutionRecord, RunStatus
from grader.models.findings import Evidence, EvidenceSource
from grader.models.notebook import Cell, NotebookView, trusted_outputs
from grader.models.report import HoldoutResult
from grader.models.trace import RuntimeTrace

if TYPE_CHECKING:
    from grader.evidence.dataflow.values import DataflowResult
    from grader.evidence.eda import EdaFacts
    from grader.evidence.leakage.base import LeakageAnalysis
    from grader.evidence.ml.facts import MLFacts
    from grader.evidence.ml.modules import Module
    from grader.evidence.narrative.facts import NarrativeFacts
    from grader.evidence.pylint_runner import PylintReport
    from grader.evidence.tracefacts import TraceFacts
    from grader.execution.packages import PackagePlan

T = TypeVar("T")


@dataclass(frozen=True)
class SubmissionFacts:
    """What checks may know about the submission's files (no I/O from checks)."""

    name: str
    files: tuple[str, ...] = ()
    #: Small text files by relative path: README, requirements, .py modules.
    texts: dict[str, str] = field(default_factory=dict)
    notebooks: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Observations:
    """What was observed directly; every analysis is built from this."""

    submission: SubmissionFacts
    notebook: NotebookView
    execution: ExecutionRecord
    #: The code index over `notebook` (`ast` of every cell with a cell/line map).
    code: CodeIndex
    #: `notebook` with, for each code cell, the outputs `outputs_of` picks.
    shown: NotebookView
    executed: NotebookView | None = None
    assignment: Assignment | None = None
    #: What the tracer recorded in the sandbox (None: not executed; `usable` False: tracing failed or was off).
    trace: RuntimeTrace | None = None

    @property
    def ran(self) -> bool:
        """The notebook was run in the sandbox (whatever the outcome)."""
        return self.execution.status is not RunStatus.not_run and self.execution.status is not RunStatus.sandbox_error

    def cell_ran(self, index: int) -> bool:
        """The cell ran in the sandbox, cleanly or with an error."""
        record = self.execution.cell(index)
        return record is not None and record.status in (CellStatus.ok, CellStatus.error)

    def outputs_of(self, index: int) -> tuple[Cell, EvidenceSource] | None:
        """The outputs of a cell that count (see `trusted_outputs`), and where they come from."""
        return best_outputs(self.notebook, self.executed, self.execution, index)

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


@dataclass(frozen=True)
class AnalysisFailed:
    """An analysis that crashed while the evidence was built."""

    name: str
    traceback: str


class AnalysisUnavailable(RuntimeError):
    """A check read an analysis that crashed; the check reports `error` for a human to look at."""

    def __init__(self, failed: AnalysisFailed) -> None:
        super().__init__(f"the {failed.name} analysis crashed:\n{failed.traceback}")
        self.failed = failed


@dataclass(frozen=True)
class Analyses:
    """What the evidence stage derived from the observations (or how each analysis failed)."""

    ml: MLFacts | AnalysisFailed
    #: The submission's own `.py` modules the notebook imports, each with its ML facts.
    ml_modules: tuple[Module, ...] | AnalysisFailed
    narrative: NarrativeFacts | AnalysisFailed
    eda: EdaFacts | AnalysisFailed
    dataflow: DataflowResult | AnalysisFailed
    #: None when there is no usable trace.
    trace_facts: TraceFacts | AnalysisFailed | None
    leakage: LeakageAnalysis | AnalysisFailed
    #: The packages the submission asks for, planned against the image and the assignment's policy.
    packages: PackagePlan | AnalysisFailed


def available(value: T | AnalysisFailed) -> T:
    """The analysis, or `AnalysisUnavailable` if it crashed."""
    if isinstance(value, AnalysisFailed):
        raise AnalysisUnavailable(value)
    return value


@dataclass(frozen=True, kw_only=True)
class CheckContext(Observations):
    """Everything known about one submission when checks run; built by `grader.evidence.build`."""

    analyses: Analyses
    pylint: PylintReport | None = None
    #: The notebook's predictions scored against the hidden labels (None: no holdout, or not executed).
    holdout: HoldoutResult | None = None

    @property
    def ml(self) -> MLFacts:
        """Where the ML vocabulary is used in the notebook's code."""
        return available(self.analyses.ml)

    @property
    def ml_modules(self) -> tuple[Module, ...]:
        """The submission's own modules the notebook imports, with their ML facts."""
        return available(self.analyses.ml_modules)

    @property
    def narrative(self) -> NarrativeFacts:
        """Markdown, code scopes, target references and figures."""
        return available(self.analyses.narrative)

    @property
    def eda(self) -> EdaFacts:
        """What the code and its outputs show of exploring the data, by aspect."""
        return available(self.analyses.eda)

    @property
    def dataflow(self) -> DataflowResult:
        """The static dataflow over the code (and the submission's own modules)."""
        return available(self.analyses.dataflow)

    @property
    def trace_facts(self) -> TraceFacts | None:
        """Queries over the runtime trace (None when no usable trace was recorded)."""
        return available(self.analyses.trace_facts)

    @property
    def leakage(self) -> LeakageAnalysis:
        """Leak findings from the dataflow and the runtime trace, by kind."""
        return available(self.analyses.leakage)

    @property
    def packages(self) -> PackagePlan:
        """The packages the submission asks for, planned against the image and the assignment's policy."""
        return available(self.analyses.packages)


def best_outputs(
    notebook: NotebookView, executed: NotebookView | None, execution: ExecutionRecord, index: int
) -> tuple[Cell, EvidenceSource] | None:
    """One cell's outputs that count, from the re-run or from the submission (`trusted_outputs`)."""
    record = execution.cell(index)
    saved = notebook[index] if index < len(notebook) else None
    rerun = executed[index] if executed is not None and index < len(executed) else None
    source = trusted_outputs(
        record.status if record is not None else None,
        rerun=rerun is not None,
        saved_output_types=[o.output_type for o in saved.outputs] if saved is not None else [],
    )
    if source is EvidenceSource.output and rerun is not None:
        return rerun, source
    if source is EvidenceSource.saved_output and saved is not None:
        return saved, source
    return None


def best_outputs_view(
    notebook: NotebookView, executed: NotebookView | None, execution: ExecutionRecord
) -> NotebookView:
    """The submitted notebook with each code cell's most trustworthy outputs (re-run, else saved)."""
    cells = []
    for cell in notebook.cells:
        best = best_outputs(notebook, executed, execution, cell.index) if cell.is_code else None
        outputs = best[0].outputs if best is not None else ()
        cells.append(cell if outputs is cell.outputs else replace(cell, outputs=outputs))
    return NotebookView(cells=tuple(cells), notebooks=notebook.notebooks)
