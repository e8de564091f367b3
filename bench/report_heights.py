"""How tall the HTML reports are (issue 16: a report a reviewer reads in five minutes).

Grades every sample submission statically (no sandbox: the saved outputs are shown), renders
each report.html and measures its full-page height in headless Chromium at 1280 px wide.
Prints one line per report and the median and maximum. Run it once with the tree to measure
and once with another on `PYTHONPATH` (e.g. `main`) to compare; both print `median=` and `max=`.

    PYTHONPATH=. python bench/report_heights.py [--limit N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from grader import api
from grader.rendering.screenshots import chromium

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    """Print the height of every sample report, then the median and the maximum."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=0, help="at most this many submissions per assignment")
    args = parser.parse_args(argv)
    heights: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        for group in sorted(p for p in (REPO / "submissions").iterdir() if p.is_dir()):
            grader = api.make_grader(assignment=REPO / "sample_datasets" / group.name, execute=False)
            folders = sorted(p for p in group.iterdir() if p.is_dir())
            for folder in folders[: args.limit or None]:
                out = Path(tmp) / group.name / folder.name
                grader.grade(folder, out_dir=out)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto((out / "report.html").as_uri(), wait_until="load")
                heights[f"{group.name}/{folder.name}"] = int(page.evaluate("document.documentElement.scrollHeight"))
                page.close()
    for name, height in heights.items():
        print(f"{name}: {height:,} px")
    values = list(heights.values())
    print(f"median={statistics.median(values):.0f}")
    print(f"max={max(values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
