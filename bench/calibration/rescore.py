"""Re-score saved calibration reports under other rubrics and print the agreement with the raters.

A change of points (how much a check weighs, how much a severity costs) does not change what
the checks find, so it can be measured without grading again: every `report.json` that
`bench/calibration.py` wrote keeps its check results, and the grader's own scoring
(`grader.scoring.score.score_rubric`) totals them under any rubric file. This is how the
execution criterion's re-weighting (EXE011 at 8 of its 12 points) was measured on the spent
splits before it was adopted.

    PYTHONPATH=$PWD .venv/bin/python bench/calibration/rescore.py \\
        --runs /work/calibration/survey10/b2 --mode static --rubric /tmp/other.yaml

`--runs` holds one folder per split, as `bench/calibration.py --out RUNS/<split>` writes them
(`RUNS/<split>/<mode>/<id>/report.json`). Each rubric named with `--rubric` is compared with the
default rubric (`rubrics/ml-takehome.yaml`, or `--base`): one line per split and one for the mean,
`rho=0.81 -> 0.83 (heldout, n=20)`. A rubric may `extends:` the default and change only some
checks (docs/rubrics.md). Spent splits only tell whether a change does what it was meant to do;
only a fresh set says how it judges the next candidate.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.calibration.agreement import spearman  # noqa: E402
from bench.calibration.labels import RaterLabels, load_labels  # noqa: E402
from bench.calibration.manifest import SPLITS, load_manifest  # noqa: E402
from grader.checks.registry import default_registry  # noqa: E402
from grader.models.findings import CheckResult  # noqa: E402
from grader.models.rubric import Rubric  # noqa: E402
from grader.scoring.rubric_file import load_rubric_file  # noqa: E402
from grader.scoring.score import score_rubric  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_RUBRIC = ROOT / "rubrics" / "ml-takehome.yaml"


def labels_dir(split: str) -> Path:
    """Where a split's labels are committed (`labels/` for tune and heldout, `labels-<split>/` otherwise)."""
    return HERE / ("labels" if split in ("tune", "heldout") else f"labels-{split}")


def rescored_percent(report: dict, rubric: Rubric) -> float:
    """The total percent a saved report would have under `rubric` (caps included)."""
    results = [CheckResult.model_validate(raw) for raw in report.get("checks", [])]
    _, total = score_rubric(rubric, results)
    return total.percent


def rater_means(raters: Iterable[RaterLabels]) -> dict[str, float]:
    """Each notebook's mean total over the raters who labelled it."""
    totals: dict[str, list[float]] = {}
    for rater in raters:
        for label in rater.notebooks:
            totals.setdefault(label.id, []).append(label.total)
    return {notebook: mean(values) for notebook, values in totals.items()}


def split_rhos(reports: dict[str, dict], truth: dict[str, float], rubrics: list[Rubric]) -> tuple[int, list[float]]:
    """Spearman's ρ of each rubric's totals against the raters' means, over the notebooks both have."""
    ids = sorted(set(reports) & set(truth))
    rhos = [spearman([rescored_percent(reports[i], r) for i in ids], [truth[i] for i in ids]) for r in rubrics]
    return len(ids), rhos


def _reports(folder: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*/report.json"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=Path, required=True, help="one folder per split, as bench/calibration.py --out")
    parser.add_argument("--mode", choices=["static", "executed"], default="static")
    parser.add_argument("--rubric", type=Path, action="append", required=True, help="a rubric to compare (repeatable)")
    parser.add_argument("--base", type=Path, default=DEFAULT_RUBRIC, help="the rubric compared with")
    parser.add_argument("--splits", nargs="*", default=list(SPLITS))
    args = parser.parse_args(argv)

    registry = default_registry()
    rubrics = [load_rubric_file(path, registry).rubric for path in [args.base, *args.rubric]]
    known = {n.id for n in load_manifest().notebooks}
    per_split: list[list[float]] = []
    for split in args.splits:
        folder = args.runs / split / args.mode
        if not folder.is_dir():
            continue
        raters = [load_labels(p, known_ids=known) for p in sorted(labels_dir(split).glob("*.yaml"))]
        n, rhos = split_rhos(_reports(folder), rater_means(raters), rubrics)
        if n < 3:
            continue
        per_split.append(rhos)
        print(f"rho={' -> '.join(f'{r:.2f}' for r in rhos)} ({split}, n={n})")
    if not per_split:
        print(f"no graded split under {args.runs} ({args.mode})")
        return 2
    means = [mean(r[k] for r in per_split if not math.isnan(r[k])) for k in range(len(rubrics))]
    better = [sum(r[k] > r[0] + 0.005 for r in per_split) for k in range(1, len(rubrics))]
    print(
        f"mean_rho={' -> '.join(f'{m:.3f}' for m in means)} ({len(per_split)} splits; "
        + ", ".join(f"rubric {k + 1} better on {b}" for k, b in enumerate(better))
        + ")"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
