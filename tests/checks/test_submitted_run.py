"""EXE011 (the submitted notebook shows a complete run): saved errors and unrun cells, both ways."""

from __future__ import annotations

from typing import Any

from grader.checks.execution.submitted_run_complete import submitted_run_complete
from grader.checks.registry import default_registry
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.context import SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.findings import CheckResult, CheckStatus, Severity
from grader.models.notebook import NotebookView
from grader.models.report import FlagKind
from grader.report.assemble import flags_for
from tests.checks._helpers import context
from tests.conftest import make_notebook

CELLS = [
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import accuracy_score\nfrom sklearn.model_selection import train_test_split",
    "df = pd.read_csv('data.csv')\ndf.describe()",
    "X_tr, X_te, y_tr, y_te = train_test_split(df.drop(columns='y'), df['y'], random_state=0)",
    "model = LogisticRegression().fit(X_tr, y_tr)",
    "print(accuracy_score(y_te, model.predict(X_te)))",
    "df.head()",
]
ERROR = {"output_type": "error", "ename": "NameError", "evalue": "name 'X_tr' is not defined", "traceback": []}
STREAM = {"output_type": "stream", "name": "stdout", "text": "0.81\n"}


def _grade(
    counts: list[int | None], outputs: dict[int, list[dict[str, Any]]] | None = None, cells: list[str] | None = None
) -> CheckResult:
    return run_check(submitted_run_complete, context(*(cells or CELLS), counts=counts, outputs=outputs or {}))


def _only(result: CheckResult) -> tuple[Severity, str]:
    assert result.status is CheckStatus.failed, result.message
    assert len(result.problems) == 1, [f.message for f in result.problems]
    return result.problems[0].severity, result.problems[0].message


def test_a_complete_run_passes() -> None:
    result = _grade([1, 2, 3, 4, 5, 6], {4: [STREAM]})
    assert result.status is CheckStatus.passed, [f.message for f in result.findings]


def test_a_notebook_cleared_as_a_whole_is_no_finding() -> None:
    result = _grade([None] * 6)
    assert result.status is CheckStatus.passed
    assert "cleared" in result.message


def test_a_saved_error_in_the_scoring_cell_is_high_and_flags_did_not_run() -> None:
    result = _grade([1, 2, 3, 4, 5, 6], {4: [ERROR]})
    severity, message = _only(result)
    assert severity is Severity.high
    assert "cell 4" in message and "NameError" in message
    flags = flags_for(not_run_record(NotebookView.from_nodes([]), "t"), [result], default_registry())
    assert [f.kind for f in flags if f.finding_id] == [FlagKind.did_not_run]


def test_a_saved_error_before_the_results_is_high() -> None:
    severity, message = _only(_grade([1, 2, 3, 4, 5, 6], {1: [ERROR], 4: [STREAM]}))
    assert severity is Severity.high
    assert "one clean run" in message


def test_a_saved_error_after_the_results_is_medium() -> None:
    severity, message = _only(_grade([1, 2, 3, 4, 5, 6], {4: [STREAM], 5: [ERROR]}))
    assert severity is Severity.medium
    assert "after the results" in message


def test_modelling_cells_never_run_are_high() -> None:
    severity, message = _only(_grade([1, 2, None, None, None, None]))
    assert severity is Severity.high
    assert "does not show its own results" in message


def test_some_scoring_cells_never_run_are_medium() -> None:
    severity, message = _only(_grade([1, 2, 3, 4, None, 5], {}))
    assert severity is Severity.medium
    assert "cells 4" in message


def test_a_stray_cell_never_run_is_low() -> None:
    severity, message = _only(_grade([1, 2, 3, 4, 5, None], {4: [STREAM]}))
    assert severity is Severity.low
    assert "none of them fits or scores" in message


def test_a_comment_only_cell_never_run_is_no_finding() -> None:
    result = _grade([1, 2, 3, 4, 5, 6, None], {4: [STREAM]}, [*CELLS, "# TODO: try XGBoost\n"])
    assert result.status is CheckStatus.passed


def test_each_notebook_is_judged_on_its_own() -> None:
    eda = make_notebook("import pandas as pd\ndf = pd.read_csv('d.csv')", "df.describe()", counts=[None, None])
    model = make_notebook(*CELLS, counts=[1, 2, 3, 4, 5, 6])
    view = NotebookView.from_nodes([("01_eda.ipynb", eda), ("02_model.ipynb", model)])
    ctx = context_of(submission=SubmissionFacts(name="t"), notebook=view, execution=not_run_record(view, "t"))
    result = run_check(submitted_run_complete, ctx)
    assert result.status is CheckStatus.passed, [f.message for f in result.findings]
    broken = make_notebook(*CELLS, counts=[1, 2, None, None, None, None])
    view = NotebookView.from_nodes([("01_eda.ipynb", eda), ("02_model.ipynb", broken)])
    ctx = context_of(submission=SubmissionFacts(name="t"), notebook=view, execution=not_run_record(view, "t"))
    assert run_check(submitted_run_complete, ctx).problems[0].severity is Severity.high


def test_a_drop_run_twice_is_medium() -> None:
    cells = [*CELLS[:2], "df = df.drop(columns=['id'])", *CELLS[2:]]
    twice = {"output_type": "error", "ename": "KeyError", "evalue": "\"['id'] not found in axis\"", "traceback": []}
    severity, message = _only(_grade([1, 2, 3, 4, 5, 6, 7], {2: [twice], 5: [STREAM]}, cells))
    assert severity is Severity.medium
    assert "run a second time" in message


def test_an_error_with_a_blank_value_is_named_by_its_class() -> None:
    blank = {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": " ", "traceback": []}
    severity, message = _only(_grade([1, 2, 3, 4, 5, 6], {3: [blank]}))
    assert severity is Severity.high
    assert "cell 3, KeyboardInterrupt)" in message
