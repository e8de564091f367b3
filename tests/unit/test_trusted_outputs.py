"""One rule for which outputs of a cell count: the checks read them and the HTML report shows them."""

from __future__ import annotations

from itertools import product

import nbformat
import pytest

from grader.evidence.build import context_of
from grader.evidence.context import SubmissionFacts
from grader.models.execution import CellRecord, CellStatus, ExecutionRecord, RunStatus
from grader.models.findings import EvidenceSource
from grader.models.notebook import NotebookView, trusted_outputs
from grader.rendering.cells import notebook_sections
from tests.conftest import make_notebook

STREAM = {"output_type": "stream", "name": "stdout", "text": "saved 0.91\n"}
ERROR = {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["ValueError: bad"]}
RERUN = {"output_type": "stream", "name": "stdout", "text": "rerun 0.88\n"}
SAVED_CASES = {"none": [], "stream": [STREAM], "error only": [ERROR], "stream and error": [STREAM, ERROR]}
STATUSES = [None, CellStatus.ok, CellStatus.error, CellStatus.timeout, CellStatus.not_executed]


def test_the_rule() -> None:
    assert trusted_outputs(CellStatus.ok, rerun=True, saved_output_types=["stream"]) is EvidenceSource.output
    assert trusted_outputs(CellStatus.error, rerun=True, saved_output_types=["error"]) is EvidenceSource.output
    assert trusted_outputs(CellStatus.error, rerun=True, saved_output_types=[]) is EvidenceSource.output
    assert (
        trusted_outputs(CellStatus.error, rerun=True, saved_output_types=["stream", "error"])
        is EvidenceSource.saved_output
    )
    assert trusted_outputs(CellStatus.timeout, rerun=True, saved_output_types=["stream"]) is EvidenceSource.saved_output
    assert trusted_outputs(CellStatus.ok, rerun=False, saved_output_types=["stream"]) is EvidenceSource.saved_output
    assert trusted_outputs(CellStatus.timeout, rerun=True, saved_output_types=[]) is None


@pytest.mark.parametrize(("status", "saved"), list(product(STATUSES, SAVED_CASES)))
def test_checks_and_report_trust_the_same_outputs(status: CellStatus | None, saved: str) -> None:
    submitted = make_notebook("print(score)", outputs={0: SAVED_CASES[saved]})
    executed = make_notebook("print(score)", outputs={0: [ERROR] if status is CellStatus.error else [RERUN]})
    cells = [] if status is None else [CellRecord(index=0, notebook="analysis.ipynb", local_index=0, status=status)]
    record = ExecutionRecord(status=RunStatus.errors, cells=cells)
    ctx = context_of(
        submission=SubmissionFacts(name="t", notebooks=("analysis.ipynb",)),
        notebook=NotebookView.from_nodes([("analysis.ipynb", submitted)]),
        executed=NotebookView.from_nodes([("analysis.ipynb", executed)]),
        execution=record,
    )
    best = ctx.outputs_of(0)
    [section] = notebook_sections(
        record, ["analysis.ipynb"], {"analysis.ipynb": nbformat.from_dict(executed)}, {"analysis.ipynb": submitted}
    )
    shown = section.cells[0].outputs_from
    expected = {None: "none", EvidenceSource.output: "sandbox", EvidenceSource.saved_output: "submission"}
    assert shown == expected[best[1] if best is not None else None]


def test_stream_chunks_are_joined_however_the_kernel_flushed_them() -> None:
    """A loaded machine splits one print loop into several stream outputs; the evidence must not change."""
    import nbformat

    from grader.models.notebook import NotebookView

    def view(*texts: str) -> NotebookView:
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("for i in range(3): print(i)")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in texts]
        cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text="warning\n"))
        nb.cells.append(cell)
        return NotebookView.from_nodes([("a.ipynb", nb)])

    whole, chunked = view("0\n1\n2\n"), view("0\n1", "\n2\n")
    assert whole.cells[0].output_text == chunked.cells[0].output_text == "0\n1\n2\n\nwarning\n"
    # Different streams stay apart.
    assert [o.text for o in chunked.cells[0].outputs] == ["0\n1\n2\n", "warning\n"]
