"""Docs are tests: the check fires on its bad example and stays quiet on its good one.

Run with the plugin installed beside the grader: `python -m pytest tests`.
"""

from __future__ import annotations

from pathlib import Path

from grader import api

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "EXMP001"


def test_registered_and_documented() -> None:
    """The entry point publishes the check, and its docstring has a summary."""
    (row,) = [row for row in api.list_checks() if row["id"] == "EXMP001"]
    assert row["slug"] == "leftover-todo-comments"
    assert row["summary"]


def test_bad_example_triggers_it() -> None:
    """Both notes of the bad example are findings, and they fail the lint."""
    report = api.lint(EXAMPLES / "bad.ipynb", select=["EXMP001"])
    findings = [f for file in report.files for f in file.findings]
    assert [f.check_id for f in findings] == ["EXMP001", "EXMP001"]
    assert report.failed


def test_good_example_does_not() -> None:
    """The good example: the check runs and finds nothing (a string mentioning TODO is no note)."""
    report = api.lint(EXAMPLES / "good.ipynb", select=["EXMP001"])
    assert report.files[0].checks == ["EXMP001"]  # it ran, and found nothing
    assert not [f for file in report.files for f in file.findings]
    assert not report.failed
