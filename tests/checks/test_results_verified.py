"""EXE010 (results verified) on hand-built run records: the rule both ways, and the flag it raises."""

from __future__ import annotations

from grader.checks.execution.results_verified import results_verified
from grader.checks.registry import default_registry
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.context import SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.execution import CellStatus, ErrorClass, RunStatus
from grader.models.findings import CheckResult, CheckStatus, Severity
from grader.models.notebook import NotebookView
from grader.models.report import FlagKind, HoldoutResult
from grader.report.assemble import flags_for
from tests.conftest import make_notebook

SOURCES = [
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import roc_auc_score\nfrom sklearn.model_selection import cross_val_score, train_test_split",
    "df = pd.read_csv('data/train.csv')\nX, y = df.drop(columns='churned'), df['churned']\n"
    "X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)",
    "model = LogisticRegression()\nprint(cross_val_score(model, X_tr, y_tr, scoring='roc_auc').mean())",
    "model.fit(X_tr, y_tr)\nprint(roc_auc_score(y_te, model.predict_proba(X_te)[:, 1]))",
    "print('done')",
]
EVALUATION_CELLS = [2, 3]
SCORED = HoldoutResult(status="ok", metric="roc_auc", score=0.86, rows_expected=10, rows_matched=10)
MISSING = HoldoutResult(status="missing", metric="roc_auc", rows_expected=10, message="no predictions.csv")


def _run(
    failed: dict[int, CellStatus] | None = None,
    *,
    status: RunStatus | None = None,
    holdout: HoldoutResult | None = None,
    sources: list[str] | None = None,
    executed: bool = True,
) -> CheckResult:
    view = NotebookView.from_nodes([("analysis.ipynb", make_notebook(*(sources or SOURCES)))])
    record = not_run_record(view, "unit test")
    if executed:
        failed = failed or {}
        cells = []
        for cell in record.cells:
            outcome = failed.get(cell.index, CellStatus.ok)
            update: dict[str, object] = {"status": outcome}
            if outcome is CellStatus.error:
                update |= {"error_name": "NameError", "error_class": ErrorClass.candidate}
            elif outcome is CellStatus.timeout:
                update |= {"error_class": ErrorClass.resources}
            cells.append(cell.model_copy(update=update))
        run_status = status or (RunStatus.errors if failed else RunStatus.ok)
        record = record.model_copy(update={"status": run_status, "cells": cells})
    ctx = context_of(
        submission=SubmissionFacts(name="t", files=("analysis.ipynb",), notebooks=("analysis.ipynb",)),
        notebook=view,
        execution=record,
        executed=view if executed else None,
        holdout=holdout,
    )
    return run_check(results_verified, ctx)


def test_a_clean_rerun_of_the_evaluation_verifies_the_results_without_a_holdout() -> None:
    result = _run()
    assert result.status is CheckStatus.passed, result.findings
    assert "2 evaluation cell(s) re-ran cleanly" in result.message


def test_a_failed_final_evaluation_without_a_holdout_score_is_unverified() -> None:
    for holdout in (None, MISSING):
        result = _run({3: CellStatus.error}, holdout=holdout)
        assert result.status is CheckStatus.failed
        [finding] = result.problems
        assert finding.severity is Severity.high
        assert "could not be verified" in finding.message and "including the last one" in finding.message
        assert finding.data["failed_cells"] == [3] and finding.data["evaluation_cells"] == EVALUATION_CELLS
        assert [e.cell for e in finding.evidence] == [3]


def test_a_holdout_score_verifies_the_results_even_when_evaluation_cells_failed() -> None:
    result = _run({2: CellStatus.error, 3: CellStatus.error}, holdout=SCORED)
    assert result.status is CheckStatus.passed
    assert "verified on the hidden holdout" in result.message


def test_one_failed_evaluation_cell_of_several_is_only_partly_reproduced() -> None:
    sources = [*SOURCES[:3], SOURCES[3], "print(roc_auc_score(y_te, model.predict_proba(X_te)[:, 1]) > 0.5)"]
    result = _run({2: CellStatus.error}, sources=sources)
    [finding] = result.problems
    assert finding.severity is Severity.medium and "only partly reproduced" in finding.message


def test_a_run_stopped_by_a_limit_before_the_evaluation_is_unverified_and_says_so() -> None:
    result = _run(
        {1: CellStatus.timeout, 2: CellStatus.not_executed, 3: CellStatus.not_executed, 4: CellStatus.not_executed},
        status=RunStatus.timeout,
    )
    [finding] = result.problems
    assert finding.severity is Severity.high
    assert finding.data["failed_cells"] == [2, 3]
    assert "time or resource limit" in finding.message


def test_without_recognised_evaluation_only_an_incomplete_run_is_unverified() -> None:
    plain = ["import pandas as pd", "df = pd.read_csv('data/train.csv')", "print(df.shape)"]
    assert _run(sources=plain).status is CheckStatus.passed
    stopped = _run({1: CellStatus.timeout, 2: CellStatus.not_executed}, status=RunStatus.timeout, sources=plain)
    assert stopped.status is CheckStatus.failed and stopped.problems[0].severity is Severity.high


def test_nothing_is_decided_without_a_run() -> None:
    assert _run(executed=False).status is CheckStatus.skipped


def test_only_an_unverified_result_raises_the_unverified_flag() -> None:
    registry = default_registry()
    view = NotebookView.from_nodes([("analysis.ipynb", make_notebook(*SOURCES))])
    record = not_run_record(view, "unit test").model_copy(update={"status": RunStatus.ok})
    unverified = _run({3: CellStatus.error})
    partial = _run(
        {2: CellStatus.error},
        sources=[*SOURCES[:4], "print(roc_auc_score(y_te, model.predict_proba(X_te)[:, 1]) > 0.5)"],
    )
    assert [f.kind for f in flags_for(record, [unverified], registry)] == [FlagKind.unverified]
    assert flags_for(record, [partial], registry) == []
    assert flags_for(record, [_run()], registry) == []
