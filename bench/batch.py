"""Batch grading speed against the bare cost of running the notebooks (issue 8).

On the sample corpus (every submission under submissions/<assignment>/), in one run:

  A  `grader batch` wall time, cold result cache (image already built);
  B  the same notebooks executed one after another on the host with
     `jupyter nbconvert --execute` (no sandbox, no analysis): the bare cost;
  C  `grader batch` again with a warm cache.

It ends with `A/B=<ratio>` and `C/A=<ratio>` on lines of their own, after a
profile of where A's time went (per-stage totals from the reports) and the grader
process's peak memory. `--memory` adds a series of batch sizes (copies of the
corpus, each made distinct) to show how peak memory grows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SUBMISSIONS = REPO / "submissions"
ASSIGNMENTS = REPO / "sample_datasets"


def corpus() -> list[tuple[str, Path]]:
    found = []
    for assignment in sorted(p for p in SUBMISSIONS.iterdir() if p.is_dir()):
        if not (ASSIGNMENTS / assignment.name / "assignment.yaml").is_file():
            continue
        found += [(assignment.name, sub) for sub in sorted(p for p in assignment.iterdir() if p.is_dir())]
    return found


def run_batch(
    submissions: Path, out: Path, cache: Path, jobs: int, extra: list[str] | None = None
) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one `grader batch` process."""
    env = {**os.environ, "GRADER_CACHE_DIR": str(cache)}
    command = [
        str(BIN / "grader"),
        "batch",
        str(submissions),
        "--assignments",
        str(ASSIGNMENTS),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--quiet",
        *(extra or []),
    ]
    # A fresh wrapper per measurement: RUSAGE_CHILDREN's maximum then belongs to this batch alone.
    wrapper = (
        "import resource, subprocess, sys, json\n"
        "code = subprocess.run(json.loads(sys.argv[1])).returncode\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(code)"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, json.dumps(command)], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"grader batch failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    peak = int(proc.stdout.rsplit("PEAK", 1)[1].split()[0])
    return wall, peak


def run_nbconvert(items: list[tuple[str, Path]], scratch: Path) -> float:
    """Execute every notebook on the host, one after another, errors allowed."""
    total = 0.0
    for assignment, folder in items:
        work = scratch / assignment / folder.name
        shutil.copytree(folder, work)
        (work / "data").symlink_to(ASSIGNMENTS / assignment)
        for notebook in sorted(work.glob("*.ipynb")):
            started = time.perf_counter()
            subprocess.run(
                [
                    str(BIN / "jupyter"),
                    "nbconvert",
                    "--to",
                    "notebook",
                    "--execute",
                    "--allow-errors",
                    "--ExecutePreprocessor.timeout=300",
                    "--output",
                    f"{notebook.stem}.executed.ipynb",
                    notebook.name,
                ],
                cwd=work,
                capture_output=True,
                check=False,
            )
            total += time.perf_counter() - started
    return total


def stage_profile(out: Path) -> dict[str, float]:
    totals: dict[str, float] = {}
    startup = []
    for path in out.glob("*/*/report.json"):
        report = json.loads(path.read_text())
        for stage, seconds in report.get("timings", {}).items():
            if isinstance(seconds, (int, float)):
                totals[stage] = totals.get(stage, 0.0) + seconds
        if report["execution"].get("startup_s") is not None:
            startup.append(report["execution"]["startup_s"])
        totals["sandbox run (executor)"] = totals.get("sandbox run (executor)", 0.0) + report["execution"].get(
            "duration_s", 0.0
        )
    if startup:
        totals["container start-up (mean)"] = sum(startup) / len(startup)
    return totals


def replicate(items: list[tuple[str, Path]], count: int, target: Path) -> Path:
    """`count` distinct submissions from the corpus (a comment makes each copy's content unique)."""
    import nbformat

    n = 0
    while n < count:
        for assignment, folder in items:
            if n >= count:
                break
            copy = target / assignment / f"{folder.name}-copy{n}"
            shutil.copytree(folder, copy)
            for notebook in copy.glob("*.ipynb"):
                nb = nbformat.read(str(notebook), as_version=4)
                nb.cells.append(nbformat.v4.new_markdown_cell(f"<!-- copy {n} -->"))
                nbformat.write(nb, str(notebook))
            n += 1
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--memory", default="", help="comma-separated batch sizes for the memory series, e.g. 25,50,100"
    )
    args = parser.parse_args()
    items = corpus()
    if len(items) < 16:
        sys.exit(f"the corpus holds {len(items)} submissions; the benchmark needs at least 16")
    with tempfile.TemporaryDirectory(prefix="thg-bench-") as tmp:
        root = Path(tmp)
        cache = root / "cache"
        print(f"corpus: {len(items)} submissions over {len({a for a, _ in items})} assignments; jobs={args.jobs}")
        a_wall, a_peak = run_batch(SUBMISSIONS, root / "out-a", cache, args.jobs)
        print(f"A  grader batch, cold cache:        {a_wall:8.1f} s   (peak RSS {a_peak / 1024:.0f} MB)")
        b_wall = run_nbconvert(items, root / "nbconvert")
        print(f"B  nbconvert --execute, sequential: {b_wall:8.1f} s")
        c_wall, _ = run_batch(SUBMISSIONS, root / "out-c", cache, args.jobs)
        print(f"C  grader batch, warm cache:        {c_wall:8.1f} s")
        print("where A's time went (summed over submissions; stages overlap across parallel sandboxes):")
        for stage, seconds in sorted(stage_profile(root / "out-a").items(), key=lambda kv: -kv[1]):
            print(f"   {stage:28} {seconds:8.2f} s")
        if args.memory:
            print("peak memory of the grader process by batch size:")
            for size in [int(s) for s in args.memory.split(",") if s.strip()]:
                batch = replicate(items, size, root / f"many-{size}")
                wall, peak = run_batch(batch, root / f"out-many-{size}", root / f"cache-{size}", args.jobs)
                print(f"   {size:4d} submissions: peak RSS {peak / 1024:7.0f} MB, {wall:7.1f} s")
        print(f"A/B={a_wall / b_wall:.3f}")
        print(f"C/A={c_wall / a_wall:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
