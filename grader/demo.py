"""`make demo`: grade the bundled sample submissions and write the HTML reports.

Every assignment under `sample_datasets/` with submissions under `submissions/`
is graded on one pool of sandboxes into `OUT/<assignment>/`, with a top-level
`OUT/index.html` linking the batch summaries, and screenshots of one report and
of each summary under `OUT/screenshots/`.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from rich.console import Console

from grader import api
from grader.pipeline.files import atomic_write

REPO = Path(__file__).resolve().parent.parent


def _top_index(results: dict[str, api.BatchResult]) -> str:
    rows = []
    for group, result in results.items():
        reports = result.reports.values()
        graded = sum(1 for r in reports if r.status.value in ("graded", "needs_review"))
        rows.append(
            f'<li><a href="{html.escape(group)}/index.html">{html.escape(group)}</a>: '
            f"{graded} of {len(result.reports)} submissions graded</li>"
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<title>take-home-grader demo</title><style>body{font-family:system-ui,sans-serif;margin:3rem;"
        "max-width:50rem}</style></head><body><h1>take-home-grader: sample batches</h1><ul>"
        + "".join(rows)
        + "</ul><p>Screenshots are in <code>screenshots/</code>.</p></body></html>"
    )


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
    atomic_write(args.out / "index.html", _top_index(results).encode())
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


def _screenshots(results: dict[str, api.BatchResult], folder: Path, console: Console) -> None:
    from grader.rendering.screenshots import chromium, screenshot

    with chromium() as browser:
        for group, result in results.items():
            # Wide enough for every criterion column and the flags of the summary table.
            screenshot(result.out_dir / "index.html", folder / f"{group}-summary.png", 1800, browser=browser)
            graded = [(n, r) for n, r in result.reports.items() if r.status.value in ("graded", "needs_review")]
            picks = []
            if graded:
                picks.append(max(graded, key=lambda item: item[1].total.score)[0])  # the best work
                capped = [(n, r) for n, r in graded if r.total.caps]
                if capped:  # and a submission whose leak capped its score: what a red flag looks like
                    picks.append(max(capped, key=lambda item: item[1].total.score)[0])
            for name in picks:
                screenshot(
                    result.out_dir / name / "report.html", folder / f"{group}-report-{name}.png", browser=browser
                )
    console.print(f"screenshots in {folder}")


if __name__ == "__main__":
    sys.exit(main())
