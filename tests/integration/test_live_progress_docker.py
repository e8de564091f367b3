"""Live "cell i of n" from a real sandbox: every code cell is reported once, in order, while grading."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from grader.execution.live_progress import CellProgress
from grader.models.execution import RunStatus
from grader.pipeline.batch import BatchEvent, BatchItem, grade_items
from grader.pipeline.grading import Grader
from tests.conftest import write_submission
from tests.integration.test_sandbox_run import grader, tiny_assignment

pytestmark = pytest.mark.docker
__all__ = ["grader", "tiny_assignment"]  # module fixtures shared with the sandbox tests


def test_grading_reports_each_code_cell_as_it_starts(grader: Grader, tmp_path: Path) -> None:
    sub = write_submission(
        tmp_path / "cells",
        ("md", "# Progress"),
        "import time\nx = 1",
        "time.sleep(0.7)\ny = 2",
        ("md", "a note between cells"),
        "time.sleep(0.7)\nz = 3",
        "# the last cell writes the side file the candidate could forge\n"
        "open('/sandbox/out/cells.jsonl', 'a').write('garbage\\n{\"cell\": true}\\n')",
    )
    heard: list[tuple[CellProgress, float]] = []
    report = grader.grade(sub, out_dir=tmp_path / "out", on_cell=lambda cell: heard.append((cell, time.monotonic())))
    assert report.execution.status is RunStatus.ok, report.execution.reason
    cells = [cell for cell, _ in heard]
    assert [c.text() for c in cells] == [f"cell {i} of 4" for i in (1, 2, 3, 4)]
    assert {(c.notebook, c.notebooks) for c in cells} == {(1, 1)}
    # Heard live, while the container ran: cells 3 and 4 start 0.7 s after the one before, and were
    # heard apart; read only at the end, they would arrive together.
    gaps = [round(b - a, 2) for (_, a), (_, b) in itertools.pairwise(heard)]
    assert gaps[1] > 0.3 and gaps[2] > 0.3, gaps


def test_a_batch_reports_cells_as_events(grader: Grader, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "two", "x = 1", "time = __import__('time')\ntime.sleep(0.3)")
    events: list[BatchEvent] = []
    grade_items([BatchItem("two", sub, grader, tmp_path / "out")], jobs=1, on_event=events.append)
    kinds = [(e.kind, e.detail.get("cell")) for e in events if e.kind in ("started", "cell", "done")]
    assert kinds == [("started", None), ("cell", 1), ("cell", 2), ("done", None)]
    first = next(e for e in events if e.kind == "cell")
    assert (first.name, first.detail) == ("two", {"notebook": 1, "notebooks": 1, "cell": 1, "cells": 2})
