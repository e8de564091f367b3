"""The whole sample corpus graded once per session, with the real sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.batch import grade_groups
from grader.checks.registry import default_registry
from grader.grading import Grader, GradingOptions
from grader.loading import load_assignment, load_rubric_file
from grader.models.report import Report
from tests.corpus import ASSIGNMENTS, SUBMISSIONS, Expected, corpus


@pytest.fixture(scope="session")
def graded_corpus(tmp_path_factory: pytest.TempPathFactory, sandbox) -> dict[str, tuple[Report, Expected, Path]]:  # type: ignore[no-untyped-def]
    """`assignment/candidate` → (report, expectations, output folder)."""
    registry = default_registry()
    groups = {}
    for folder in sorted(p for p in SUBMISSIONS.iterdir() if p.is_dir()):
        assignment = load_assignment(ASSIGNMENTS / folder.name)
        groups[folder.name] = (
            Grader(
                rubric=load_rubric_file(assignment.rubric_path(), registry),
                registry=registry,
                assignment=assignment,
                sandbox=sandbox,
                options=GradingOptions(write_html=True),
            ),
            folder,
        )
    out = tmp_path_factory.mktemp("corpus")
    results = grade_groups(groups, out, jobs=2)
    graded = {}
    for name, folder, expected in corpus():
        report = results[name].reports[folder.name]
        graded[f"{name}/{folder.name}"] = (report, expected, out / name / folder.name)
    return graded
