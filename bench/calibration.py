"""How well the grader agrees with blind expert raters on real public notebooks (issue 14).

Grades every notebook of one split of the calibration corpus (`bench/calibration/corpus.yaml`,
built by `bench/calibration/build_corpus.py`) with the `grader` command line, as a user would,
then compares the reports with the raters' labels (`bench/calibration/labels/<rater>.yaml`,
written by raters who never saw the grader's output). For that split only it prints:

  rho=0.84 (heldout, n=20)                 Spearman ρ, grader total vs the raters' mean total
  rater_rho=0.71 (r1 vs r2, heldout, n=20) the raters' agreement with each other, for reference
  rho[evaluation]=0.77 (...)               the same per rubric criterion
  band_agreement_r1=0.65 kappa=0.58 (...)  bands: exact agreement and quadratic-weighted κ
  flag_recall=0.92 (11/12, both raters)    problems both raters flagged that the grader found
  false_high=0 (heldout, n=20)             high-severity findings of a kind no rater flagged

`--split` is required: tune checks and weights on `tune`, report on `heldout` (a corpus you tuned
on says nothing about the next candidate). `fresh` is the first fresh held-out set (datasets marked
`fresh: true`, assembled after the held-out half had been looked at, rated by r3 and r4) and `fresh2`
the second (datasets marked `fresh: 2`, assembled after the first fresh set had been looked at, rated
by r5 and r6); `fresh3` to `fresh12` (datasets marked `fresh: 3` to `fresh: 12`) the third to twelfth: report
on them, never tune on them; their labels are read from `bench/calibration/labels-<split>/`
(`labels-fresh/`, `labels-fresh2/`, ... `labels-fresh12/`) unless `--labels DIR` names another folder. `all` is `tune` and `heldout` together (never a fresh set).
`--reuse` keeps reports already under `--out`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.calibration.agreement import compare, read_graded  # noqa: E402
from bench.calibration.labels import load_labels  # noqa: E402
from bench.calibration.manifest import FRESH_SPLITS, SPLITS, load_manifest  # noqa: E402

BIN = Path(sys.executable).parent
LABELS = REPO / "bench" / "calibration" / "labels"
#: Each fresh held-out set has its own raters and label folder: `labels-fresh/`, `labels-fresh2/`, ...
FRESH_LABELS = {split: REPO / "bench" / "calibration" / f"labels-{split}" for split in FRESH_SPLITS}


def grade(corpus: Path, out: Path, entries: list[tuple[str, str]], *, jobs: int, execute: bool, reuse: bool) -> None:
    """Grade each (dataset, id) with `grader grade` into `out/<id>/`, one subprocess each."""

    def one(entry: tuple[str, str]) -> None:
        dataset, notebook_id = entry
        target = out / notebook_id
        if reuse and (target / "report.json").is_file():
            return
        command = [
            str(BIN / "grader"),
            "grade",
            str(corpus / dataset / notebook_id),
            "--assignment",
            str(corpus / dataset),
            "--out",
            str(target),
            "--no-cache",
            "--no-html",
            *([] if execute else ["--no-execute"]),
        ]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ.copy())
        ok = (target / "report.json").is_file()
        print(
            f"  {notebook_id}: {'graded' if ok else f'NO REPORT (exit {done.returncode})'}"
            f" in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        if not ok:
            print(done.stderr[-2000:], file=sys.stderr)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, entries))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="grader vs blind expert raters on the calibration corpus")
    parser.add_argument("--split", choices=[*SPLITS, "all"], required=True)
    parser.add_argument("--corpus", type=Path, default=Path("/work/calibration/corpus"))
    parser.add_argument(
        "--labels",
        type=Path,
        default=None,
        help=f"label folder (default {LABELS}; labels-<split>/ beside it for a fresh split)",
    )
    parser.add_argument("--out", type=Path, default=Path("/work/calibration/graded"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-execute", action="store_true", help="static analysis only")
    parser.add_argument("--reuse", action="store_true", help="keep reports already under --out")
    args = parser.parse_args(argv)

    manifest = load_manifest()
    wanted = {"tune", "heldout"} if args.split == "all" else {args.split}
    entries = [(n.dataset, n.id) for n in manifest.notebooks if n.split in wanted]
    labels_dir = args.labels or FRESH_LABELS.get(args.split, LABELS)
    missing = [i for d, i in entries if not (args.corpus / d / i).is_dir()]
    if missing:
        print(
            f"the corpus is not built at {args.corpus} ({len(missing)} missing): run bench/calibration/build_corpus.py"
        )
        return 2
    known = {n.id for n in manifest.notebooks}
    raters = [load_labels(p, known_ids=known) for p in sorted(labels_dir.glob("*.yaml"))]
    if not raters:
        print(f"no label files in {labels_dir}")
        return 2
    mode = "static" if args.no_execute else "executed"
    out = args.out / mode
    started = time.monotonic()
    print(f"grading {len(entries)} notebooks ({args.split}, {mode}) into {out} ...", flush=True)
    grade(args.corpus, out, entries, jobs=args.jobs, execute=not args.no_execute, reuse=args.reuse)
    print(f"graded in {time.monotonic() - started:.0f} s")
    graded = {i: read_graded(i, out / i / "report.json") for _, i in entries if (out / i / "report.json").is_file()}
    for line in compare(args.split, graded, raters):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
