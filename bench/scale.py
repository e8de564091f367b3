"""Grading through a broker against grading locally (issue 19), in one run.

On N churn submissions of the sample corpus (default 4), with a Redis started on a free
port and `grader worker` processes started before any timing:

  A  a local batch with one sandbox (`jobs=1`), run before and after the others (mean);
  B  the same batch through the broker with one worker of one sandbox;
  C  the same batch through the broker with two workers of one sandbox each.

It prints the broker path's overhead per submission, `B/A=<ratio>` (goal: at most
1.05, i.e. the broker path costs no more than 5 % of wall time) and `B/C=<ratio>`
(throughput of two workers against one; 2.0 is perfect scaling, which needs two
free cores), each on a line of its own. No result cache anywhere.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader import api  # noqa: E402
from grader.distributed.client import close_clients  # noqa: E402
from tests.distributed.conftest import Worker  # noqa: E402
from tests.services import RedisServer  # noqa: E402

ASSIGNMENT = REPO / "sample_datasets" / "churn"


def timed_batch(subs: Path, out: Path, **kwargs: object) -> float:
    started = time.perf_counter()
    result = api.grade_batch(subs, out=out, assignment=ASSIGNMENT, **kwargs)  # type: ignore[arg-type]
    wall = time.perf_counter() - started
    bad = [name for name in result.ungraded]
    if bad:
        sys.exit(f"not graded: {bad}")
    return wall


def path_work(subs: Path, graded: Path, names: list[str]) -> float:
    """Mean seconds of what the broker path adds around grading, measured alone (no sandbox, no queue wait)."""
    from grader.distributed.remote import RemoteGrader, settle_holdout
    from grader.distributed.transport import (
        MAX_RESULT_ARCHIVE_BYTES,
        GradeJob,
        pack_report_folder,
        submitted_notebooks,
        unpack,
    )
    from grader.pipeline.files import load_report

    made = api.make_grader(assignment=ASSIGNMENT, execute=False)
    remote = RemoteGrader(rubric=made.rubric, registry=made.registry, assignment=made.assignment, options=made.options)
    scratch = Path(tempfile.mkdtemp(prefix="thg-bench-path-"))
    for rounds in ("warm-up", "timed"):  # the first pass pays one-off imports and template compilation
        started = time.perf_counter()
        for name in names:
            job = remote.job_for(subs / name, name, None)  # the submission and public files packed
            GradeJob.model_validate_json(job.model_dump_json())  # through JSON, as the broker carries it
            archive = pack_report_folder(graded / name)  # the worker's answer
            folder = unpack(archive, scratch / rounds / name, cap=MAX_RESULT_ARCHIVE_BYTES)
            settle_holdout(remote, load_report(folder / "report.json"), folder, submitted_notebooks(subs / name, job))
        spent = time.perf_counter() - started
    shutil.rmtree(scratch, ignore_errors=True)
    return spent / len(names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=4, help="churn submissions to grade (default: 4)")
    args = parser.parse_args()
    names = sorted(p.name for p in (REPO / "submissions" / "churn").iterdir() if p.is_dir())[: args.count]
    scratch = Path(tempfile.mkdtemp(prefix="thg-bench-scale-"))
    subs = scratch / "subs"
    for name in names:
        shutil.copytree(REPO / "submissions" / "churn" / name, subs / name)
    redis = RedisServer(scratch / "redis")
    workers: list[Worker] = []
    try:
        print(f"{len(names)} churn submissions; {os.cpu_count()} cores (shared with other work: figures vary)")
        local = [timed_batch(subs, scratch / "local-1", jobs=1)]
        print(f"A local batch, 1 sandbox:          {local[0]:7.1f} s", flush=True)

        workers.append(Worker(redis.url, "one", scratch))
        workers[0].wait_ready()
        one = timed_batch(subs, scratch / "broker-1", broker=redis.url)
        print(f"B broker, 1 worker x 1 sandbox:    {one:7.1f} s", flush=True)

        workers.append(Worker(redis.url, "two", scratch))
        workers[1].wait_ready()
        two = timed_batch(subs, scratch / "broker-2", broker=redis.url)
        print(f"C broker, 2 workers x 1 sandbox:   {two:7.1f} s", flush=True)

        local.append(timed_batch(subs, scratch / "local-2", jobs=1))
        print(f"A local batch again:               {local[1]:7.1f} s", flush=True)
        base = statistics.mean(local)
        print(f"broker overhead per submission:    {(one - base) / len(names):+7.2f} s (A as the mean of both runs)")
        work = path_work(subs, scratch / "broker-1", names)
        print(
            f"broker path's own work per submission: {work:.3f} s (pack, JSON, unpack, holdout at home), "
            f"{100 * work * len(names) / base:.2f} % of A"
        )
        print(f"B/A={one / base:.3f}")
        print(f"B/C={one / two:.3f}")
    finally:
        close_clients()
        for worker in workers:
            worker.stop()
        redis.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
