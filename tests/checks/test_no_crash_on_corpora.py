"""No check crashes on any notebook we have, statically (fast, no Docker).

A crashed check is reported as `error` and its points go to a human; that is the safety net,
not an excuse. This runs every registered check over every sample submission and every
real-world twin without execution, so a crash shows up here before the sandboxed tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.checks.registry import default_registry
from grader.models.findings import CheckStatus
from grader.pipeline.grading import Grader, GradingOptions
from grader.scoring.rubric_file import load_rubric_file
from grader.submission.assignment import load_assignment
from tests.conftest import REPO
from tests.corpus import corpus

REGISTRY = default_registry()
FOLDERS = [folder for _, folder, _ in corpus()] + sorted(
    p for p in (REPO / "tests" / "real_world" / "corpus").glob("*/*") if p.is_dir() and any(p.glob("*.ipynb"))
)


def _assignment_of(folder: Path) -> Path:
    if folder.is_relative_to(REPO / "submissions"):
        return REPO / "sample_datasets" / folder.parent.name
    return REPO / "sample_datasets" / "churn"


@pytest.mark.parametrize("folder", FOLDERS, ids=[str(f.relative_to(REPO)) for f in FOLDERS])
def test_no_check_crashes(folder: Path, tmp_path: Path) -> None:
    assignment = load_assignment(_assignment_of(folder))
    grader = Grader(
        rubric=load_rubric_file(assignment.rubric_path(), REGISTRY),
        registry=REGISTRY,
        assignment=assignment,
        sandbox=None,
        options=GradingOptions(execute=False, write_html=False, pylint=False),
    )
    report = grader.grade(folder, out_dir=tmp_path / "out")
    crashed = {r.id: (r.error or "")[-400:] for r in report.checks if r.status is CheckStatus.error}
    assert not crashed, crashed


def test_the_corpora_are_found() -> None:
    assert len(FOLDERS) >= 27
