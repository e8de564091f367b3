"""A grader for web tests that needs no Docker: the real grader without execution, slowed down.

Each call leaves marker files (`<job>.<attempt>.<pid>.start` before grading and
`.done` after) in $GRADER_FAKE_DIR, so a test can count exactly how often every
job was graded; $GRADER_FAKE_SLEEP seconds of sleep make a job slow enough to be
caught running.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from grader import api
from grader.models.report import Report
from grader.submission.assignment import LoadedAssignment

MARKS_ENV = "GRADER_FAKE_DIR"
SLEEP_ENV = "GRADER_FAKE_SLEEP"


class SlowGrader:
    """Sleeps, then grades statically with the real pipeline (checks, scoring, report files)."""

    def __init__(self, inner: object, marks: Path | None, sleep: float) -> None:
        self.inner = inner
        self.marks = marks
        self.sleep = sleep

    def _mark(self, out_dir: Path | None, what: str) -> None:
        if self.marks is None or out_dir is None:
            return
        self.marks.mkdir(parents=True, exist_ok=True)
        (self.marks / f"{out_dir.parent.name}.{out_dir.name}.{os.getpid()}.{what}").touch()

    def grade(
        self,
        path: Path,
        *,
        out_dir: Path | None = None,
        name: str | None = None,
        candidate: str | None = None,
        on_cell: Callable[[api.CellProgress], None] | None = None,
    ) -> Report:
        del on_cell  # nothing runs: no cell to report
        self._mark(out_dir, "start")
        time.sleep(self.sleep)
        report: Report = self.inner.grade(path, out_dir=out_dir, name=name, candidate=candidate)  # type: ignore[attr-defined]
        self._mark(out_dir, "done")
        return report


def factory(assignment: LoadedAssignment, rubric: Path, /, **options: bool) -> SlowGrader:
    """The `GRADER_WEB_GRADER_FACTORY=tests.web.fake_grader:factory` entry point (`blind=True` grades blind)."""
    inner = api.make_grader(
        assignment=assignment, rubric=rubric, execute=False, write_html=False, blind=options.get("blind", False)
    )
    marks = os.environ.get(MARKS_ENV)
    return SlowGrader(inner, Path(marks) if marks else None, float(os.environ.get(SLEEP_ENV, "0")))
