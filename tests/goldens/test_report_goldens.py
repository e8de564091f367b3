"""Golden snapshots of report.json from the static pipeline (no sandbox).

A change in checks, scoring, flags or follow-ups shows up as a diff against
tests/goldens/<case>.json. After an intended change, refresh them with
`pytest tests/goldens --update-goldens` and review the diff like code.
Volatile fields (times, durations, paths, container ids, image tag, packages,
grader version) are normalised first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader.api import load_rubric
from grader.checks.registry import default_registry
from grader.pipeline.grading import Grader, GradingOptions
from tests.conftest import make_notebook

GOLDENS = Path(__file__).resolve().parent
VOLATILE = "<volatile>"
#: Keys whose values change from run to run (or machine to machine), wherever they appear.
VOLATILE_KEYS = {
    "generated_at",
    "started_at",
    "duration_s",
    "duration_ms",
    "startup_s",
    "container",
    "container_id",
    "image",
    "grader_version",
}
CLEARED_KEYS = {"timings", "packages"}

CASES: dict[str, list[Any]] = {
    "clean": [
        ("md", "# Churn\n\nA small, tidy analysis."),
        "import math",
        "values = [1, 2, 3]",
        ("md", "## Result"),
        "print(sum(values) / len(values))",
    ],
    "messy": [
        "import math",
        "values = [1, 2, 3]",
        "scaled = [v / max(values) for v in values]",
        "unused = 1",
        "print(scaled)",
    ],
}
COUNTS = {"clean": [1, 2, 3], "messy": [9, 7, 12, None, 8]}


def normalise(value: Any, tmp: str) -> Any:
    """The report with volatile values replaced by placeholders, so it compares equal across runs."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in CLEARED_KEYS:
                out[key] = {}
            elif key in VOLATILE_KEYS and item is not None:
                out[key] = VOLATILE
            else:
                out[key] = normalise(item, tmp)
        return out
    if isinstance(value, list):
        return [normalise(v, tmp) for v in value]
    if isinstance(value, str) and tmp in value:
        return value.replace(tmp, "<tmp>")
    return value


def _submission(folder: Path, case: str) -> Path:
    nb = make_notebook(*CASES[case], counts=COUNTS[case])
    for n, cell in enumerate(nb.cells):
        cell["id"] = f"{case}-{n}"  # nbformat draws random cell ids; fixed ones keep file hashes stable
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / "analysis.ipynb"))
    return folder


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_json_matches_golden(case: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    grader = Grader(
        rubric=load_rubric("ml-takehome.yaml"),
        registry=default_registry(),
        sandbox=None,
        options=GradingOptions(execute=False, write_html=False),
    )
    report = grader.grade(_submission(tmp_path / case, case))
    actual = normalise(report.model_dump(mode="json"), str(tmp_path))
    golden = GOLDENS / f"{case}.json"
    text = json.dumps(actual, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if request.config.getoption("--update-goldens"):
        golden.write_text(text, "utf-8")
        return
    if not golden.is_file():
        pytest.fail(f"{golden.name} does not exist: run `pytest tests/goldens --update-goldens` and review it")
    expected = json.loads(golden.read_text("utf-8"))
    assert actual == expected, (
        f"report for {case!r} differs from {golden.name}; if the change is intended, "
        f"run `pytest tests/goldens --update-goldens` and review the diff"
    )


def test_normalise_hides_only_volatile_values() -> None:
    raw = {
        "generated_at": "2026-01-01",
        "total": {"score": 3.5},
        "timings": {"load": 0.1},
        "execution": {"duration_s": 1.2, "image": None, "packages": {"pandas": "2"}, "cells": [{"duration_s": 0.1}]},
        "submission": {"source": "/tmp/xyz/alice"},
    }
    assert normalise(raw, "/tmp/xyz") == {
        "generated_at": VOLATILE,
        "total": {"score": 3.5},
        "timings": {},
        "execution": {"duration_s": VOLATILE, "image": None, "packages": {}, "cells": [{"duration_s": VOLATILE}]},
        "submission": {"source": "<tmp>/alice"},
    }
