"""`make demo`: grade the bundled sample submissions and write the HTML reports.

Every assignment under `sample_datasets/` with submissions under `submissions/`
is graded on one pool of sandboxes into `OUT/<assignment>/`, with a top-level
`OUT/index.html` linking the batch summaries, and screenshots of each summary, of the
best and a capped report, of a report with a reviewer's override and of a comparison
page under `OUT/screenshots/` (with each report's height printed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from grader import api

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    """Grade the bundled sample submissions into one folder of reports, summaries and screenshots."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-out"))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--submissions", type=Path, default=REPO / "submissions")
    parser.add_argument("--assignments", type=Path, default=REPO / "sample_datasets")
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    groups = {}
    for folder in sorted(p for p in args.submissions.iterdir() if p.is_dir()):
        assignment = args.assignments / folder.name
        if (assignment / "assignment.yaml").is_file():
            groups[folder.name] = (api.make_grader(assignment=assignment, cache=True), folder)
    if not groups:
        console.print(f"no sample submissions found under {args.submissions}")
        return 2
    with api.BatchProgress(console) as progress:
        results = api.grade_assignments(groups, out=args.out, jobs=args.jobs, on_event=progress.handle)
    for group, result in results.items():
        bands: dict[str, int] = {}
        for report in result.reports.values():
            bands[report.total.band or report.status.value] = bands.get(report.total.band or report.status.value, 0) + 1
        console.print(
            f"{group}: {len(result.reports)} submissions "
            f"({', '.join(f'{n} {b}' for b, n in sorted(bands.items()))}) → {result.out_dir / 'index.html'}"
        )
    if not args.no_screenshots:
        _screenshots(results, args.out / "screenshots", console)
    console.print(f"open {args.out / 'index.html'}")
    return 0


DEMO_REVIEWER = "demo reviewer"


def _demo_override(out_dir: Path, report: api.Report) -> None:
    """Record one override, so the demo shows how a reviewer's decision sits beside the automatic score."""
    criterion = min(report.criteria, key=lambda c: c.score - c.points_possible)
    api.review(
        out_dir,
        criterion=criterion.id,
        points=criterion.points_possible,
        reason="Demo: the candidate explained this part in the interview (recorded by `make demo`)",
        reviewer=DEMO_REVIEWER,
    )


def _height(png: Path) -> int:
    """A PNG's height in pixels, read from its header."""
    return int.from_bytes(png.read_bytes()[20:24], "big")


def _screenshots(results: dict[str, api.BatchResult], folder: Path, console: Console) -> None:
    from grader.rendering.screenshots import chromium, screenshot

    with chromium() as browser:
        for group, result in results.items():
            # Wide enough for every criterion column and the flags of the summary table.
            graded = [(n, r) for n, r in result.reports.items() if r.status.value in ("graded", "needs_review")]
            picks = []
            if graded:
                picks.append(max(graded, key=lambda item: item[1].total.score)[0])  # the best work
                capped = [(n, r) for n, r in graded if r.total.caps]
                if capped:  # and a submission whose leak capped its score: what a red flag looks like
                    picks.append(max(capped, key=lambda item: item[1].total.score)[0])
            reviewed = next((n for n, r in graded if n not in picks and r.criteria), None)
            if reviewed is not None:
                _demo_override(result.out_dir / reviewed, result.reports[reviewed])
                picks.append(reviewed)
            screenshot(result.out_dir / "index.html", folder / f"{group}-summary.png", 1800, browser=browser)
            for name in picks:
                label = "reviewed" if name == reviewed else "report"
                png = screenshot(
                    result.out_dir / name / "report.html", folder / f"{group}-{label}-{name}.png", browser=browser
                )
                console.print(f"{group}/{name}: report {_height(png):,} px tall", markup=False)
            if len(graded) >= 2:
                pair = (
                    [result.out_dir / n for n in picks[:2]]
                    if len(picks) >= 2
                    else [result.out_dir / n for n, _ in graded[:2]]
                )
                page = api.compare(pair)
                screenshot(page, folder / f"{group}-compare.png", 1500, browser=browser)
    console.print(f"screenshots in {folder}")


if __name__ == "__main__":
    sys.exit(main())
