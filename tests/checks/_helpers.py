"""Small builders shared by the check unit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.checks.base import CheckSpec
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.context import CheckContext, SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.assignment import Assignment
from grader.models.findings import CheckResult
from grader.models.notebook import NotebookView
from grader.submission.assignment import load_assignment
from tests.conftest import make_notebook

REPO = Path(__file__).resolve().parent.parent.parent


def assignment(name: str) -> Assignment:
    return load_assignment(REPO / "sample_datasets" / name).assignment


def context(
    *cells: str | tuple[str, str], task: str | None = None, files: dict[str, str] | None = None, **kw: Any
) -> CheckContext:
    """A static context over cells (`("md", text)` for markdown), optionally with a sample assignment."""
    view = NotebookView.from_nodes([("analysis.ipynb", make_notebook(*cells, **kw))])
    files = files or {}
    return context_of(
        submission=SubmissionFacts(
            name="t", files=("analysis.ipynb", *files), texts=files, notebooks=("analysis.ipynb",)
        ),
        notebook=view,
        execution=not_run_record(view, "unit test"),
        assignment=assignment(task) if task else None,
    )


def run(
    spec: CheckSpec,
    *cells: str | tuple[str, str],
    task: str | None = None,
    files: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    **kw: Any,
) -> CheckResult:
    return run_check(spec, context(*cells, task=task, files=files, **kw), params or {})


def cells_of(result: CheckResult) -> set[int | None]:
    return {e.cell for f in result.problems for e in f.evidence}


def severities(result: CheckResult) -> list[str]:
    return sorted(f.severity.value for f in result.problems)
