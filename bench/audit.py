"""`grader assignment audit` speed on a few hundred thousand rows (issue 20's "bounded time").

Builds a churn-like assignment with messy encodings (currency text, mixed booleans,
dates as text, category spellings) and every planted problem, in a temporary folder,
then, in this process: the baseline is reading its public CSV files with pandas (the
least any audit must do); the measured run is the whole audit. It prints both times
and their ratio, and `audit_s=<seconds>` on a line of its own.

    python bench/audit.py [ROWS]          # default 300,000 training rows (+20 % test rows)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader import api  # noqa: E402
from tests.assignments._build import Plan, build  # noqa: E402


def main(argv: list[str]) -> int:
    rows = int(argv[0]) if argv else 300_000
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        plan = Plan(
            rows=rows, test_rows=rows // 5, post_outcome=True, extra_id=True, duplicates=100, missing_signal=True
        )
        folder = build(Path(tmp) / "big", plan)
        print(f"built {rows:,} + {rows // 5:,} rows in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        for name in ("train.csv", "test_features.csv"):
            pd.read_csv(folder / name, dtype=str)
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        report = api.audit_assignment(folder)
        measured = time.perf_counter() - started
    kinds = sorted({k.value for s in report.suspects for k in s.kinds})
    print(f"read the CSV files: {baseline:.2f} s; audit: {measured:.2f} s ({measured / baseline:.1f}× the read)")
    print(f"screened {report.rows_screened:,} rows; {len(report.suspects)} suspects: {', '.join(kinds)}")
    print(f"audit_s={measured:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
