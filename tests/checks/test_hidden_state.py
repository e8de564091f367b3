"""EXE003's hidden-state finding: a saved output read from a name the notebook never binds."""

from __future__ import annotations

from grader.checks.execution.executed_in_order import executed_in_order
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.code import CodeIndex
from grader.evidence.context import CheckContext, SubmissionFacts
from grader.evidence.kernel_state import hidden_reads
from grader.execution.record import not_run_record
from grader.models.findings import CheckStatus, Severity
from grader.models.notebook import NotebookView
from tests.conftest import make_notebook


def _view(*cells: str, counts: list[int | None]) -> NotebookView:
    return NotebookView.from_nodes([("analysis.ipynb", make_notebook(*cells, counts=counts))])


def _ctx(view: NotebookView) -> CheckContext:
    return context_of(submission=SubmissionFacts(name="t"), notebook=view, execution=not_run_record(view, "t"))


def _unbound(*cells: str, counts: list[int | None]) -> list[tuple[int, str]]:
    return [(read.cell, read.name) for read in hidden_reads(CodeIndex(_view(*cells, counts=counts)).cells)]


def test_a_headline_printed_from_a_variable_nothing_computes_is_high_and_flags_unverified() -> None:
    view = _view("import numpy as np", "auc_nn = 0.71", "print('MLP ROC AUC', roc_auc)", counts=[1, 2, 3])
    result = run_check(executed_in_order, _ctx(view))
    assert result.status is CheckStatus.failed
    [hidden] = [f for f in result.problems if f.severity is Severity.high]
    assert "`roc_auc`" in hidden.message and hidden.evidence[0].cell == 2
    assert result.score is not None and result.score <= 0.5


def test_the_same_notebook_with_the_variable_computed_passes() -> None:
    view = _view("import numpy as np", "roc_auc = 0.71", "print('MLP ROC AUC', roc_auc)", counts=[1, 2, 3])
    result = run_check(executed_in_order, _ctx(view))
    assert result.status is CheckStatus.passed, [f.message for f in result.findings]


def test_a_result_from_a_cell_that_never_ran_is_hidden_state() -> None:
    cells = ("a = 1", "preds = a + 1", "print(preds)")
    assert _unbound(*cells, counts=[1, None, 3]) == [(2, "preds")]
    assert _unbound(*cells, counts=[1, 2, 3]) == []


def test_a_cell_re_run_above_or_run_earlier_below_accounts_for_the_name() -> None:
    # Re-running the cell above later is the normal way to work: top to bottom, the name is there.
    assert _unbound("x = 1", "print(x)", counts=[5, 3]) == []
    # A cell below that ran first: out of order (another finding), but the value came from that cell.
    assert _unbound("print(y)", "y = 2", counts=[4, 2]) == []
    # A cell below that ran *after* the reader cannot have produced what the reader printed.
    assert _unbound("print(y)", "y = 2", counts=[2, 4]) == [(0, "y")]


def test_function_bodies_comprehensions_and_builtins_are_not_reads_at_run_time() -> None:
    cells = (
        "def score():\n    return later * 2",
        "xs = [i * 2 for i in range(3)]\nfor k, v in {}.items():\n    print(k, v)",
        "later = len(xs)",
        "print(score(), display, sorted(xs))",
        "try:\n    import xgboost\nexcept ImportError as error:\n    print(error)",
    )
    assert _unbound(*cells, counts=[1, 2, 3, 4, 5]) == []


def test_cells_that_can_bind_names_unseen_leave_the_notebook_alone() -> None:
    assert _unbound("from os.path import *", "print(join)", counts=[1, 2]) == []
    assert _unbound("exec('z = 1')", "print(z)", counts=[1, 2]) == []
    assert _unbound("%run helpers.py", "print(helper)", counts=[1, 2]) == []


def test_a_cell_whose_saved_run_stopped_at_a_name_error_holds_no_hidden_state() -> None:
    """ads-03: the ROC cell reads `fprSvc` and `roc_auc_svc`, never defined, and its saved output is the NameError."""
    cells = ("a = 1", "plt.plot(fprSvc, tprSvc, label=roc_auc_svc)")
    error = {"output_type": "error", "ename": "NameError", "evalue": "name 'fprSvc' is not defined", "traceback": []}
    view = NotebookView.from_nodes([("analysis.ipynb", make_notebook(*cells, counts=[1, 2], outputs={1: [error]}))])
    assert [(r.cell, r.name) for r in hidden_reads(CodeIndex(view).cells)] == []
    # The same read with a drawn figure saved under it is hidden state.
    assert sorted(_unbound(*cells, counts=[1, 2])) == [(1, "fprSvc"), (1, "plt"), (1, "roc_auc_svc"), (1, "tprSvc")]


def test_a_star_import_of_the_scientific_stack_binds_what_the_module_exports() -> None:
    """diamonds-02: `from numpy import *` above a fit of a model whose definition sits in a markdown cell."""
    cells = ("from numpy import *\nfrom pandas import *", "x = array([1, 2])\nprint(mean(x))", "model.fit(x)")
    assert _unbound(*cells, counts=[1, 2, 3]) == [(2, "model")]
    assert _unbound("from sklearn.metrics import *", "print(accuracy_score)", counts=[1, 2]) == []
    # A module the grader does not list (or cannot import: a removed API) still leaves the notebook alone.
    assert _unbound("from sklearn.cross_validation import *", "print(model)", counts=[1, 2]) == []
    assert _unbound("from .helpers import *", "print(model)", counts=[1, 2]) == []


def test_a_line_that_is_only_an_ipython_automagic_runs_the_magic_and_reads_nothing() -> None:
    # `ls` alone on a line is `%ls` in IPython (found on a public notebook: "Cell 2 reads `ls`").
    assert _unbound("ls", "pwd", "import pandas as pd", counts=[1, 2, 3]) == []
    # The same names read as values are still reads.
    assert _unbound("print(ls)", "files = pwd + '/data'", counts=[1, 2]) == [(0, "ls"), (1, "pwd")]


def test_a_name_only_a_cell_below_defines_stops_a_fresh_run_and_is_high() -> None:
    """heart-failure-05's shape: `best` used in the model cell, defined in a cell further down that ran earlier."""
    bad = _view("import numpy as np", "print(np.mean(best))", "best = [1, 2]", counts=[1, 7, 4])
    result = run_check(executed_in_order, _ctx(bad))
    [forward] = [f for f in result.problems if f.severity is Severity.high]
    assert "only cell 2 below it defines" in forward.message and "NameError" in forward.message
    assert forward.data["defined_below"] == [[1, "best", 2]]
    # Defined above as well (re-run below later): top to bottom it is there, only out of order.
    good = _view("best = [0]", "print(best)", "best = [1, 2]", counts=[1, 7, 4])
    result = run_check(executed_in_order, _ctx(good))
    assert [f.severity for f in result.problems] == [Severity.medium], [f.message for f in result.problems]
    # Defined in a cell above that never ran: Run All runs it first, so a fresh kernel has the name.
    unrun_above = _view("best = [0]", "print(best)", "best = [1, 2]", counts=[None, 7, 4])
    assert not [f for f in run_check(executed_in_order, _ctx(unrun_above)).problems if f.severity is Severity.high]


def test_a_hidden_read_no_result_rests_on_is_medium() -> None:
    # The cells that build and fit `model` never ran; the cell that reads it only saves it to a file.
    cells = (
        "import pickle\nfrom sklearn.linear_model import LogisticRegression",
        "model = LogisticRegression().fit(X, y)",
        "pickle.dump(model, open('model.pkl', 'wb'))",
    )
    result = run_check(executed_in_order, _ctx(_view(*cells, counts=[1, None, 2])))
    [finding] = result.problems
    assert finding.severity is Severity.medium and "no saved output rests on it" in finding.message
    assert finding.data["shown"] is False
    # A later cell that shows what the saving cell passed on makes it high again.
    shown = (*cells[:2], "saved = pickle.dumps(model)", "print(len(saved))")
    result = run_check(executed_in_order, _ctx(_view(*shown, counts=[1, None, 2, 3])))
    [finding] = result.problems
    assert finding.severity is Severity.high and finding.data["shown"] is True
    # So does a later cell that uses the hidden name itself to show a score.
    scored = (*cells, "print(model.score(X, y))")
    result = run_check(executed_in_order, _ctx(_view(*scored, counts=[1, None, 2, 3])))
    assert [f.severity for f in result.problems] == [Severity.high]
