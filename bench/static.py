"""Static analysis and scoring speed, per submission (issue 4's "under a second").

For every corpus submission, in this process: the baseline is reading its
notebooks and `ast.parse`-ing every code cell (the least any analysis must do);
the measured run is the whole grading path without execution and without
pylint (load, code index, dataflow, every check, scoring, report model). It
prints both times and their ratio per submission, then the worst case and the
median, and `static_max_s=<seconds>` on a line of its own.
"""

from __future__ import annotations

import ast
import statistics
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.checks.registry import default_registry  # noqa: E402
from grader.evidence.code import neutralise  # noqa: E402
from grader.pipeline.grading import Grader, GradingOptions  # noqa: E402
from grader.scoring.rubric_file import load_rubric_file  # noqa: E402
from grader.submission.assignment import load_assignment  # noqa: E402
from tests.corpus import corpus  # noqa: E402

REPEAT = 3


def baseline(folder: Path) -> float:
    started = time.perf_counter()
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                try:
                    ast.parse(neutralise(cell.source)[0])
                except SyntaxError:
                    pass
    return time.perf_counter() - started


def main() -> int:
    registry = default_registry()
    graders: dict[str, Grader] = {}
    rows = []
    for assignment, folder, _ in corpus():
        if assignment not in graders:
            loaded = load_assignment(REPO / "sample_datasets" / assignment)
            graders[assignment] = Grader(
                rubric=load_rubric_file(loaded.rubric_path(), registry),
                registry=registry,
                assignment=loaded,
                sandbox=None,
                options=GradingOptions(execute=False, pylint=False, write_html=False),
            )
        base = min(baseline(folder) for _ in range(REPEAT))
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            graders[assignment].grade(folder)
            times.append(time.perf_counter() - started)
        rows.append((f"{assignment}/{folder.name}", base, min(times)))
    print(f"{'submission':34} {'baseline':>9} {'static':>9} {'ratio':>7}")
    for name, base, full in rows:
        print(f"{name:34} {base * 1000:7.1f}ms {full * 1000:7.1f}ms {full / base:7.1f}")
    worst = max(rows, key=lambda r: r[2])
    print(
        f"median static: {statistics.median(r[2] for r in rows) * 1000:.0f} ms; "
        f"worst: {worst[0]} {worst[2] * 1000:.0f} ms ({worst[2] / worst[1]:.1f}x its baseline)"
    )
    print(f"static_max_s={worst[2]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
