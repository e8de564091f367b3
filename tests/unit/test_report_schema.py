"""The published report schema matches the model, and real reports validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from grader.checks.registry import default_registry
from grader.models.schema import report_schema_text
from grader.pipeline.grading import Grader, GradingOptions
from grader.scoring.rubric_file import load_rubric_file
from grader.submission.assignment import load_assignment
from tests.conftest import REPO, write_submission

SCHEMA = REPO / "schemas" / "report.schema.json"


def test_published_schema_is_up_to_date() -> None:
    assert SCHEMA.read_text() == report_schema_text(), (
        "regenerate with: .venv/bin/python -m grader.models.schema > schemas/report.schema.json"
    )


def test_a_real_report_validates(tmp_path: Path) -> None:
    registry = default_registry()
    assignment = load_assignment(REPO / "sample_datasets" / "churn")
    grader = Grader(
        rubric=load_rubric_file(assignment.rubric_path(), registry),
        registry=registry,
        assignment=assignment,
        options=GradingOptions(execute=False, write_html=False, pylint=False),
    )
    sub = write_submission(
        tmp_path / "sub", ("md", "# Churn"), "import pandas as pd\ndf = pd.read_csv('data/train.csv')"
    )
    grader.grade(sub, out_dir=tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    for key in ("schema_version", "submission", "rubric", "execution", "checks", "criteria", "total"):
        assert key in report
    assert {"status", "cells"} <= set(report["execution"]) and {"score", "max"} <= set(report["total"])
    assert all({"id", "status", "findings"} <= set(c) for c in report["checks"])
