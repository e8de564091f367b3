"""Edge cases of EXE005 (saved outputs reproduced by the sandbox run), on hand-built run records."""

from __future__ import annotations

from typing import Any

from grader.checks.execution.outputs_reproduced import outputs_reproduced
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.context import SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.execution import CellStatus, ErrorClass, RunStatus
from grader.models.findings import CheckResult, CheckStatus, EvidenceSource
from grader.models.notebook import NotebookView
from tests.conftest import make_notebook

SOURCES = ["import pandas as pd\nfrom sklearn.metrics import roc_auc_score", "print(f'ROC AUC: {auc:.3f}')"]


def _stream(text: str) -> list[dict[str, Any]]:
    return [{"output_type": "stream", "name": "stdout", "text": text}]


def _result(text: str) -> list[dict[str, Any]]:
    return [{"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": text}}]


def _run(
    sources: list[str],
    saved: dict[int, list[dict[str, Any]]],
    rerun: dict[int, list[dict[str, Any]]],
    failed: dict[int, ErrorClass] | None = None,
    timed_out: int | None = None,
) -> CheckResult:
    submitted = NotebookView.from_nodes([("analysis.ipynb", make_notebook(*sources, outputs=saved))])
    executed = NotebookView.from_nodes([("analysis.ipynb", make_notebook(*sources, outputs=rerun))])
    record = not_run_record(submitted, "unit test")
    cells = []
    for cell in record.cells:
        if cell.index == timed_out:
            cells.append(cell.model_copy(update={"status": CellStatus.timeout, "error_class": ErrorClass.resources}))
        elif failed and cell.index in failed:
            cells.append(
                cell.model_copy(
                    update={
                        "status": CellStatus.error,
                        "error_name": "FileNotFoundError",
                        "error_value": "data/v2.csv",
                        "error_class": failed[cell.index],
                    }
                )
            )
        else:
            cells.append(cell.model_copy(update={"status": CellStatus.ok}))
    record = record.model_copy(update={"status": RunStatus.errors if failed else RunStatus.ok, "cells": cells})
    ctx = context_of(
        submission=SubmissionFacts(name="t", files=("analysis.ipynb",), notebooks=("analysis.ipynb",)),
        notebook=submitted,
        execution=record,
        executed=executed,
    )
    return run_check(outputs_reproduced, ctx)


def test_same_numbers_pass() -> None:
    result = _run(SOURCES, {1: _stream("ROC AUC: 0.871\n")}, {1: _stream("ROC AUC: 0.871\n")})
    assert result.status is CheckStatus.passed
    assert result.score == 1.0


def test_small_differences_are_within_tolerance() -> None:
    result = _run(
        SOURCES,
        {1: _stream("ROC AUC: 0.871\nMAE: 7.45 minutes\n")},
        {1: _stream("ROC AUC: 0.866\nMAE: 7.55 minutes\n")},
    )
    assert result.status is CheckStatus.passed


def test_a_claimed_score_the_code_does_not_produce_is_high() -> None:
    result = _run(SOURCES, {1: _stream("ROC AUC: 0.991\n")}, {1: _stream("ROC AUC: 0.803\n")})
    assert result.status is CheckStatus.failed
    finding = result.problems[0]
    assert finding.severity.value == "high"
    assert [e.source for e in finding.evidence] == [EvidenceSource.saved_output, EvidenceSource.output]
    assert finding.evidence[0].snippet == "ROC AUC: 0.991" and finding.evidence[0].cell == 1


def test_timings_and_unnamed_numbers_are_ignored() -> None:
    saved = _stream("fit time: 12.3 s\nrows: 8080\nCPU times: user 3.1 s\n")
    rerun = _stream("fit time: 2.1 s\nrows: 8000\nCPU times: user 1.2 s\n")
    result = _run(SOURCES, {1: saved}, {1: rerun})
    assert result.status is CheckStatus.passed
    assert result.message.startswith("0 of 0")


def test_metric_table_rows_are_compared_by_header() -> None:
    header = "          roc_auc  average_precision\nmodel\nlogistic  0.855  0.640\n"
    saved = _result(header + "forest  0.861  0.655")
    rerun = _result(header + "forest  0.861  0.702")
    result = _run(SOURCES, {1: saved}, {1: rerun})
    assert result.status is CheckStatus.failed
    assert result.problems[0].data["pairs"] == [[0.655, 0.702]]
    assert result.problems[0].severity.value == "medium"


def test_table_with_timing_columns_is_skipped() -> None:
    saved = _result("   mean_fit_time  mean_test_score\n0  1.20  0.81\n1  3.40  0.83")
    rerun = _result("   mean_fit_time  mean_test_score\n0  0.90  0.81\n1  2.10  0.83")
    assert _run(SOURCES, {1: saved}, {1: rerun}).status is CheckStatus.passed


def test_saved_success_that_fails_now_is_a_finding() -> None:
    sources = [*SOURCES, "v2 = pd.read_csv('data/v2.csv')\nprint(len(v2))"]
    result = _run(sources, {2: _stream("8120\n")}, {}, failed={2: ErrorClass.data})
    assert result.status is CheckStatus.failed
    assert result.problems[0].data["kind"] == "now_fails"
    assert result.problems[0].severity.value == "medium"
    environment = _run(sources, {2: _stream("8120\n")}, {}, failed={2: ErrorClass.environment})
    assert environment.problems[0].severity.value == "low"


def test_a_saved_error_that_still_fails_is_not_this_checks_business() -> None:
    sources = [*SOURCES, "v2 = pd.read_csv('data/v2.csv')"]
    saved = {2: [{"output_type": "error", "ename": "FileNotFoundError", "evalue": "x", "traceback": []}]}
    assert _run(sources, saved, {}, failed={2: ErrorClass.data}).status is CheckStatus.passed


def test_unseeded_randomness_before_the_cell_lowers_confidence() -> None:
    sources = [
        "from sklearn.model_selection import train_test_split\nfrom sklearn.ensemble import "
        "RandomForestClassifier\na, b, c, d = train_test_split(X, y)",
        "print(f'ROC AUC: {auc:.3f}')",
    ]
    result = _run(sources, {1: _stream("ROC AUC: 0.91\n")}, {1: _stream("ROC AUC: 0.84\n")})
    finding = result.problems[0]
    assert (finding.severity.value, finding.confidence.value) == ("low", "low")
    assert "train_test_split" in finding.message


def test_not_executed_notebook_is_skipped_and_no_outputs_pass() -> None:
    view = NotebookView.from_nodes([("analysis.ipynb", make_notebook(*SOURCES))])
    ctx = context_of(submission=SubmissionFacts(name="t"), notebook=view, execution=not_run_record(view, "off"))
    assert run_check(outputs_reproduced, ctx).status is CheckStatus.skipped
    assert _run(SOURCES, {}, {1: _stream("ROC AUC: 0.8\n")}).status is CheckStatus.passed


def test_failures_after_a_timeout_are_its_consequences() -> None:
    sources = [*SOURCES, "search.fit(X, y)", "print(f'ROC AUC: {search.best_score_:.3f}')"]
    result = _run(
        sources,
        {1: _stream("ROC AUC: 0.871\n"), 3: _stream("ROC AUC: 0.874\n")},
        {1: _stream("ROC AUC: 0.871\n")},
        failed={3: ErrorClass.candidate},
        timed_out=2,
    )
    assert result.status is CheckStatus.passed
    assert "cells after cell 2" in result.message
