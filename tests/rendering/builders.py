"""Hand-built reports and notebooks for the rendering tests (no grading pipeline involved)."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import nbformat

from grader.checks.registry import default_registry
from grader.models.execution import CellRecord, CellStatus, ErrorClass, ExecutionRecord, RunStatus
from grader.models.findings import (
    CheckResult,
    CheckStatus,
    Confidence,
    Evidence,
    EvidenceSource,
    Finding,
    Severity,
)
from grader.models.report import (
    AssignmentInfo,
    GradingStatus,
    Report,
    RubricInfo,
    SubmissionInfo,
    SubmittedFile,
    Total,
)
from grader.models.rubric import Rubric
from grader.report.assemble import flags_for
from grader.report.followups import followups_for
from grader.scoring.score import score_rubric
from tests.conftest import make_notebook

MAIN = "analysis.ipynb"
#: A candidate name that is also a script payload.
EVIL = "<img src=x onerror=window.__pwned=true>"
APPENDIX = "extra/appendix.ipynb"


def tiny_png() -> bytes:
    """A valid 2x2 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x2f\x5b\xd3" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG_B64 = base64.b64encode(tiny_png()).decode()
TABLE_HTML = (
    "<style scoped>.dataframe tbody tr th {vertical-align: top;}</style>"
    '<table border="1" class="dataframe"><thead><tr><th></th><th>tenure</th><th>churn</th></tr></thead>'
    "<tbody><tr><th>0</th><td>12</td><td>0</td></tr><tr><th>1</th><td>3</td><td>1</td></tr></tbody></table>"
)

MAIN_CELLS: list[Any] = [
    ("md", "# Churn model\n\nI predict churn from **usage** data. See [the docs](https://example.org/docs)."),
    "import pandas as pd\nimport numpy as np",
    "df = pd.read_csv('train.csv')\ndf.head()",
    "from sklearn.preprocessing import StandardScaler\nscaler = StandardScaler()\n"
    "X = scaler.fit_transform(df[features])\nX_train, X_test, y_train, y_test = train_test_split(X, y)\n"
    "print(X_train.shape)",
    "import matplotlib.pyplot as plt\ndf['churn'].value_counts().plot.bar()",
    "model.fit(X_tr, y_train)",
    "print('accuracy', accuracy)",
]
APPENDIX_CELLS: list[Any] = [("md", "## Appendix"), "print('appendix')"]


def submitted_notebooks() -> dict[str, nbformat.NotebookNode]:
    """The notebooks as the candidate saved them (with their own outputs)."""
    main = make_notebook(
        *MAIN_CELLS,
        counts=[1, 2, 3, 4, 7, 5],
        outputs={
            3: [{"output_type": "stream", "name": "stdout", "text": "(800, 12)\n"}],
            6: [{"output_type": "stream", "name": "stdout", "text": "accuracy 0.97\n"}],
        },
    )
    appendix = make_notebook(
        *APPENDIX_CELLS,
        counts=[1],
        outputs={
            1: [{"output_type": "stream", "name": "stdout", "text": "appendix\n"}],
        },
    )
    return {MAIN: main, APPENDIX: appendix}


def executed_notebooks() -> dict[str, nbformat.NotebookNode]:
    """The main notebook as re-run in the sandbox; the appendix never ran (no executed copy)."""
    main = make_notebook(
        *MAIN_CELLS,
        counts=[1, 2, 3, 4, 5, None],
        outputs={
            2: [
                {
                    "output_type": "execute_result",
                    "execution_count": 2,
                    "metadata": {},
                    "data": {"text/html": TABLE_HTML, "text/plain": "   tenure  churn\n0      12      0"},
                }
            ],
            3: [
                {"output_type": "stream", "name": "stdout", "text": "(800, 12)\n"},
                {"output_type": "stream", "name": "stderr", "text": "UserWarning: something\n"},
            ],
            4: [
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {"image/png": PNG_B64, "text/plain": "<Figure size 640x480 with 1 Axes>"},
                }
            ],
            5: [
                {
                    "output_type": "error",
                    "ename": "NameError",
                    "evalue": "name 'X_tr' is not defined",
                    "traceback": ["\x1b[0;31mNameError\x1b[0m: name 'X_tr' is not defined"],
                }
            ],
        },
    )
    return {MAIN: main}


def execution_record() -> ExecutionRecord:
    def record(index: int, status: CellStatus, nb: str = MAIN, local: int | None = None, **kw: Any) -> CellRecord:
        return CellRecord(index=index, notebook=nb, local_index=index if local is None else local, status=status, **kw)

    return ExecutionRecord(
        status=RunStatus.kernel_died,
        reason="the kernel died after cell 5",
        duration_s=12.34,
        notebooks=[MAIN, APPENDIX],
        image="take-home-grader-runtime:abc123",
        runtime="runc",
        limits={"timeout_seconds": 600, "memory_mb": 2048},
        packages={"pandas": "2.2.2", "scikit-learn": "1.5.1"},
        cells=[
            record(1, CellStatus.ok, duration_s=0.8, execution_count=1),
            record(2, CellStatus.ok, duration_s=0.2, execution_count=2),
            record(3, CellStatus.ok, duration_s=0.3, execution_count=3),
            record(4, CellStatus.ok, duration_s=1.1, execution_count=4),
            record(
                5,
                CellStatus.error,
                duration_s=0.01,
                execution_count=5,
                error_name="NameError",
                error_value="name 'X_tr' is not defined",
                error_class=ErrorClass.candidate,
                traceback="NameError: name 'X_tr' is not defined",
            ),
            record(6, CellStatus.not_executed),
            record(8, CellStatus.not_executed, nb=APPENDIX, local=1),
        ],
    )


def check_results(*, passing: tuple[str, ...] = ()) -> list[CheckResult]:
    """The sample's check results; checks named in `passing` passed cleanly instead."""
    results = _check_results()
    return [
        r.model_copy(update={"status": CheckStatus.passed, "findings": [], "score": 1.0}) if r.id in passing else r
        for r in results
    ]


def _check_results() -> list[CheckResult]:
    def ev(cell: int, line: int | None = None, **kw: Any) -> Evidence:
        nb = APPENDIX if cell >= 7 else MAIN
        return Evidence(cell=cell, line=line, notebook=nb, **kw)

    return [
        CheckResult(
            id="EXE001",
            slug="notebook-runs-cleanly",
            category="execution",
            version=1,
            title="The notebook runs top to bottom in a fresh kernel",
            status=CheckStatus.failed,
            score=0.5,
            message="4 of 6 code cells ran cleanly",
            findings=[
                Finding(
                    id="EXE001#1",
                    check_id="EXE001",
                    severity=Severity.high,
                    message="Cell 5 raised NameError: name 'X_tr' is not defined (candidate problem)",
                    evidence=[
                        ev(
                            5,
                            1,
                            source=EvidenceSource.execution,
                            snippet="model.fit(X_tr, y_train)",
                            note="NameError: name 'X_tr' is not defined",
                        )
                    ],
                    data={"error_class": "candidate", "error_name": "NameError"},
                ),
                Finding(
                    id="EXE001#2",
                    check_id="EXE001",
                    severity=Severity.medium,
                    message="2 cell(s) never ran because the run stopped earlier (first: cell 6)",
                    evidence=[ev(6, source=EvidenceSource.execution, note="not executed")],
                    data={"cells": [6, 8]},
                ),
            ],
        ),
        CheckResult(
            id="LEAK001",
            slug="preprocessing-fit-before-split",
            category="leakage",
            version=1,
            title="Preprocessing is fitted on the training split only",
            status=CheckStatus.failed,
            findings=[
                Finding(
                    id="LEAK001#1",
                    check_id="LEAK001",
                    severity=Severity.high,
                    message="StandardScaler is fitted on all rows before train_test_split",
                    evidence=[
                        ev(
                            3,
                            2,
                            end_line=3,
                            snippet="scaler = StandardScaler()\nX = scaler.fit_transform(df[features])",
                        ),
                        ev(3, 4, snippet="X_train, X_test, y_train, y_test = train_test_split(X, y)"),
                    ],
                    data={"estimator": "StandardScaler", "fit_cell": 3, "split_cell": 3},
                ),
            ],
        ),
        CheckResult(
            id="EVAL004",
            slug="metrics-fit-task",
            category="evaluation",
            version=1,
            title="A metric suited to the class balance is reported",
            status=CheckStatus.failed,
            findings=[
                Finding(
                    id="EVAL004#1",
                    check_id="EVAL004",
                    severity=Severity.medium,
                    confidence=Confidence.medium,
                    message="Only accuracy is reported; the positive class is 3 % of rows",
                    evidence=[ev(6, source=EvidenceSource.saved_output, snippet="accuracy 0.97")],
                    data={"positive_rate": 0.03, "metric": "accuracy"},
                ),
            ],
        ),
        CheckResult(
            id="EDA001",
            slug="class-balance-inspected",
            category="eda",
            version=1,
            title="The class balance is inspected",
            status=CheckStatus.passed,
            findings=[
                Finding(
                    id="EDA001#1",
                    check_id="EDA001",
                    severity=Severity.info,
                    message="Plots the class balance before modelling",
                    evidence=[ev(4, 2, snippet="df['churn'].value_counts().plot.bar()")],
                ),
            ],
        ),
        CheckResult(
            id="QUAL001",
            slug="pylint-clean",
            category="quality",
            version=1,
            title="The code is free of obvious defects",
            status=CheckStatus.error,
            message="the check crashed",
            error="Traceback (most recent call last):\n  ...\nValueError: boom",
        ),
        CheckResult(
            id="DOC001",
            slug="readme-present",
            category="docs",
            version=1,
            title="A README explains how to run the work",
            status=CheckStatus.skipped,
            message="no README.md in the submission",
        ),
    ]


RUBRIC = Rubric.model_validate(
    {
        "name": "test-rubric",
        "version": "2",
        "title": "Test rubric",
        "criteria": [
            {
                "id": "execution",
                "title": "Execution and reproducibility",
                "points": 5,
                "checks": [{"check": "EXE001", "points": 5, "scoring": "proportional"}],
            },
            {
                "id": "evaluation",
                "title": "Sound evaluation",
                "points": 9,
                "checks": [
                    {"check": "LEAK001", "points": 4},
                    {"check": "EVAL004", "points": 3},
                    {"check": "EDA001", "points": 2},
                ],
            },
            {
                "id": "quality",
                "title": "Code quality and documentation",
                "points": 4,
                "checks": [{"check": "QUAL001", "points": 2}, {"check": "DOC001", "points": 2}],
            },
        ],
    }
)


def sample_report(
    *,
    candidate: str = "Alice Example",
    results: list[CheckResult] | None = None,
    execution: ExecutionRecord | None = None,
    **updates: Any,
) -> Report:
    """A complete report: scored criteria, flags and follow-ups derived the way the grader derives them."""
    results = check_results() if results is None else results
    execution = execution_record() if execution is None else execution
    criteria, total = score_rubric(RUBRIC, results)
    report = Report(
        grader_version="0.1.0",
        generated_at="2026-01-01T00:00:00+00:00",
        status=GradingStatus.needs_review if total.needs_review else GradingStatus.graded,
        submission=SubmissionInfo(
            name="alice",
            candidate=candidate,
            notebooks=[MAIN, APPENDIX],
            files=[
                SubmittedFile(path=MAIN, size=2048, sha256="ab" * 32),
                SubmittedFile(path=APPENDIX, size=512, sha256="cd" * 32),
            ],
            content_hash="ef" * 32,
            source="/srv/submissions/alice",
        ),
        assignment=AssignmentInfo(
            name="churn", title="Customer churn", task="binary_classification", primary_metric="roc_auc"
        ),
        rubric=RubricInfo(
            name=RUBRIC.name, version=RUBRIC.version, title=RUBRIC.title, sha256="12" * 32, path="test-rubric.yaml"
        ),
        execution=execution,
        checks=results,
        criteria=criteria,
        total=total,
        flags=flags_for(execution, results, default_registry()),
        environment={
            "grader_version": "0.1.0",
            "image": execution.image,
            "runtime": "runc",
            "packages": execution.packages,
            "limits": execution.limits,
        },
    )
    report.followups = followups_for(report)
    return report.model_copy(update=updates)


def rejected(name: str) -> Report:
    """The report of a submission that could not be graded."""
    return Report(
        grader_version="0.1.0",
        generated_at="2026-01-01T00:00:00+00:00",
        status=GradingStatus.rejected,
        error="not a notebook\nmore",
        submission=SubmissionInfo(name=name, candidate=name),
        execution=ExecutionRecord(status=RunStatus.not_run),
        total=Total(score=0, max=18, percent=0, band=""),
    )
