"""EXE003 across several notebooks: each notebook's counts are compared on their own."""

from __future__ import annotations

from grader.checks.execution.executed_in_order import executed_in_order
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.context import CheckContext, SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.findings import CheckStatus
from grader.models.notebook import NotebookView
from tests.conftest import make_notebook


def _ctx(*notebooks: tuple[str, object]) -> CheckContext:
    view = NotebookView.from_nodes(list(notebooks))
    return context_of(submission=SubmissionFacts(name="t"), notebook=view, execution=not_run_record(view, "t"))


def test_second_notebook_restarting_at_one_is_in_order() -> None:
    eda = make_notebook("a = 1", "b = 2", counts=[1, 2])
    model = make_notebook("c = 3", "d = 4", counts=[1, 2])
    result = run_check(executed_in_order, _ctx(("01_eda.ipynb", eda), ("02_model.ipynb", model)))
    assert result.status is CheckStatus.passed, [f.message for f in result.findings]


def test_out_of_order_inside_the_second_notebook_is_found_there() -> None:
    eda = make_notebook("a = 1", "b = 2", counts=[1, 2])
    model = make_notebook("c = 3", "d = 4", "e = 5", counts=[3, 1, 2])
    result = run_check(executed_in_order, _ctx(("01_eda.ipynb", eda), ("02_model.ipynb", model)))
    assert result.status is CheckStatus.failed
    cells = {e.cell for f in result.problems for e in f.evidence}
    assert cells == {2, 3}
