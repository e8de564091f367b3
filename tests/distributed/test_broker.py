"""Batches through a real Redis broker and real `grader worker` processes (issue 19).

Same reports as a local batch; a worker killed mid-submission (its pool process, or the
whole worker) loses nothing and grades nothing twice; a submission that keeps killing
its worker ends as not graded; a broker restart mid-batch recovers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from grader import api
from grader.distributed.client import close_clients
from grader.distributed.tasks import deliveries_key
from grader.models.assignment import RunLimits
from grader.models.report import GradingStatus
from grader.pipeline.batch import BatchEvent, BatchResult
from grader.pipeline.grading import Grader
from tests.adversarial.test_adversarial import _comparable, _differences
from tests.batch.test_resume_after_kill import _submissions
from tests.conftest import REPO, write_submission
from tests.distributed.conftest import TEST_VISIBILITY_TIMEOUT, Worker, quick_assignment, started_tasks
from tests.services import RedisServer

pytestmark = [pytest.mark.docker, pytest.mark.broker, pytest.mark.slow]

QUICK = ("--visibility-timeout", str(TEST_VISIBILITY_TIMEOUT))


@pytest.fixture(autouse=True)
def _close_broker_clients() -> Iterator[None]:
    yield
    close_clients()


def _in_background(**kwargs: Any) -> tuple[Future[BatchResult], list[BatchEvent]]:
    events: list[BatchEvent] = []
    lock = threading.Lock()

    def record(event: BatchEvent) -> None:
        with lock:
            events.append(event)

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(api.grade_batch, on_event=record, **kwargs)
    pool.shutdown(wait=False)
    return future, events


def _wait_started(
    redis: RedisServer, *, not_pids: set[int], host: str | None = None, timeout: float = 180
) -> tuple[str, int, str]:
    """The first running task (id, pool pid, worker) on `host` whose pid is not in `not_pids`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for task_id, info in started_tasks(redis.url).items():
            pid, hostname = int(info.get("pid", 0)), str(info.get("hostname", ""))
            if pid and pid not in not_pids and (host is None or hostname == host):
                return task_id, pid, hostname
        time.sleep(0.1)
    raise AssertionError("no task started in time")


def _deliveries(redis: RedisServer, task_id: str) -> int:
    """How many deliveries of the task a worker has counted."""
    import redis as redis_client

    raw = redis_client.Redis.from_url(redis.url).get(deliveries_key(task_id))
    return int(raw) if raw else 0


def _counted(redis: RedisServer, task_id: str, delivery: int, timeout: float = 120) -> None:
    """Wait until a worker counted `delivery` of the task, so that killing it now costs exactly that delivery.

    A task is STARTED a moment before the worker counts its delivery; a kill in between would
    cost nothing, which is not what a submission that kills its worker while graded does.
    """
    deadline = time.monotonic() + timeout
    while _deliveries(redis, task_id) < delivery:
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery {delivery} of {task_id} was not counted in time")
        time.sleep(0.02)


def _graded_once(events: list[BatchEvent], names: set[str]) -> None:
    done = [e.name for e in events if e.kind == "done"]
    assert sorted(done) == sorted(names), "every submission is reported done exactly once"


def _report_lines(workers: list[Worker]) -> list[str]:
    """Submissions the workers finished grading, from their logs (one line per graded task)."""
    return [m.group(1) for w in workers for m in re.finditer(r"task \S+ \(([^)]+)\): report in", w.output())]


def _quick_churn(folder: Path) -> Path:
    """A small churn submission that meets the prediction contract in seconds (holdout scored, no plots)."""
    return write_submission(
        folder,
        ("md", "# Churn\nA logistic regression on three numeric columns."),
        "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
        "train = pd.read_csv('data/train.csv')\ntest = pd.read_csv('data/test_features.csv')\n"
        "columns = ['tenure_months', 'monthly_charges', 'support_calls_90d']",
        "model = LogisticRegression(max_iter=500).fit(train[columns].fillna(0), train['churned'])\n"
        "print(model.score(train[columns].fillna(0), train['churned']))",
        "pd.DataFrame({'customer_id': test['customer_id'], 'churned': model.predict(test[columns].fillna(0)),"
        " 'churn_probability': model.predict_proba(test[columns].fillna(0))[:, 1]}).to_csv('predictions.csv',"
        " index=False)",
    )


def test_two_workers_grade_like_a_local_batch(
    tmp_path: Path, redis_server: RedisServer, start_workers: Callable[..., list[Worker]], runtime_image: str
) -> None:
    subs = tmp_path / "subs"
    # A corpus notebook (figures, cross-validation, a model, predictions) whose outputs do not depend on how
    # the kernel chunks its stdout, and a small one, so that each worker grades one.
    shutil.copytree(REPO / "submissions" / "churn" / "ryan-mitchell", subs / "ryan-mitchell")
    _quick_churn(subs / "quick-churn")
    # ryan-mitchell's own .graderignore (expected.yaml is not part of the work) must reach the workers too.
    assert (subs / "ryan-mitchell" / ".graderignore").is_file()
    names = {"ryan-mitchell", "quick-churn"}
    assignment = REPO / "sample_datasets" / "churn"
    workers = start_workers("w1", "w2")

    def grader() -> Grader:
        made = api.make_grader(assignment=assignment, execute=True, broker=None)
        # Generous limits: on a loaded machine a cell must not time out in one run and not the other.
        made.options.limits = RunLimits(timeout_seconds=1800, cell_timeout_seconds=900, memory_mb=2048)
        return made

    remote, events = _in_background(submissions=subs, out=tmp_path / "remote", grader=grader(), broker=redis_server.url)
    through_broker = remote.result(timeout=1800)
    # The local batch runs afterwards: parsing in two batches' threads at once has hit CPython 3.11's
    # "AST constructor recursion depth mismatch" SystemError (a known interpreter bug) on this machine.
    local = api.grade_batch(subs, out=tmp_path / "local", grader=grader(), jobs=2)

    assert set(through_broker.reports) == set(local.reports) == names
    for name, report in local.reports.items():
        other = through_broker.reports[name]
        assert report.status is GradingStatus.graded and report.holdout is not None
        assert report.execution.status == other.execution.status, (
            name,
            report.execution.reason,
            other.execution.reason,
        )
        assert not _differences(_comparable(report), _comparable(other)), name
        assert other.environment["delivery"] == 1
        assert json.loads((tmp_path / "remote" / name / "report.json").read_text()) == other.model_dump(mode="json")
        assert (tmp_path / "remote" / name / "report.html").is_file()
        assert sorted(p.name for p in (tmp_path / "remote" / name).rglob("*") if p.is_file()) == sorted(
            p.name for p in (tmp_path / "local" / name).rglob("*") if p.is_file()
        )
    assert {r.environment["worker"] for r in through_broker.reports.values()} == {"grader@w1", "grader@w2"}
    rows = json.loads((tmp_path / "remote" / "summary.json").read_text())["submissions"]
    assert [(r["submission"], r["score"], r["status"]) for r in rows] == [
        (r["submission"], r["score"], r["status"])
        for r in json.loads((tmp_path / "local" / "summary.json").read_text())["submissions"]
    ]
    assert [e.kind for e in events].count("started") == 2
    _graded_once(events, names)
    assert sorted(_report_lines(workers)) == sorted(names)

    again, resumed = _in_background(
        submissions=subs, out=tmp_path / "remote", grader=grader(), broker=redis_server.url, resume=True
    )
    again.result(timeout=120)
    assert sorted(e.name for e in resumed if e.kind == "skipped") == sorted(names)
    assert sorted(_report_lines(workers)) == sorted(names), "a resumed batch sends nothing again"


def test_sigkill_mid_submission_loses_nothing_and_grades_nothing_twice(
    tmp_path: Path, redis_server: RedisServer, start_workers: Callable[..., list[Worker]], runtime_image: str
) -> None:
    subs = _submissions(tmp_path / "subs", 3)
    a, b = start_workers("a", "b", extra=QUICK)
    future, events = _in_background(
        submissions=subs, out=tmp_path / "out", assignment=quick_assignment(tmp_path), broker=redis_server.url
    )

    # The pool process grading a submission dies: its task goes straight back to the queue.
    first, pid, _ = _wait_started(redis_server, not_pids=set())
    _counted(redis_server, first, 1)
    os.kill(pid, signal.SIGKILL)
    # Then a whole worker dies mid-submission: the other one takes the task once the visibility timeout passed.
    second, _, _ = _wait_started(redis_server, not_pids={pid}, host="grader@a")
    _counted(redis_server, second, 2 if second == first else 1)
    a.kill()

    result = future.result(timeout=600)
    names = {f"candidate-{n:02d}" for n in range(3)}
    assert set(result.reports) == names
    assert all(r.status is GradingStatus.graded for r in result.reports.values()), {
        n: r.error for n, r in result.reports.items()
    }
    deliveries = {n: r.environment["delivery"] for n, r in result.reports.items()}
    assert sum(d - 1 for d in deliveries.values()) == 2, f"each kill cost exactly one more delivery: {deliveries}"
    assert {r.environment["worker"] for r in result.reports.values() if r.environment["delivery"] > 1} <= {
        "grader@a",
        "grader@b",
    }
    _graded_once(events, names)
    assert sorted(_report_lines([a, b])) == sorted(names), "each submission was graded to the end exactly once"


def test_a_submission_that_keeps_killing_its_worker_ends_not_graded(
    tmp_path: Path, redis_server: RedisServer, start_workers: Callable[..., list[Worker]], runtime_image: str
) -> None:
    subs = _submissions(tmp_path / "subs", 2)
    start_workers("solo", extra=(*QUICK, "--max-deliveries", "2"))
    future, events = _in_background(
        submissions=subs, out=tmp_path / "out", assignment=quick_assignment(tmp_path), broker=redis_server.url
    )
    poison, pid, _ = _wait_started(redis_server, not_pids=set())
    _counted(redis_server, poison, 1)
    killed = {pid}
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 300
    while not future.done() and time.monotonic() < deadline:  # every time it is graded again, it dies again
        for task_id, info in started_tasks(redis_server.url).items():
            # The delivery after the last one only records the failure (it grades nothing, so it cannot kill).
            if task_id == poison and int(info["pid"]) not in killed and len(killed) < 2:
                _counted(redis_server, poison, len(killed) + 1)
                killed.add(int(info["pid"]))
                os.kill(int(info["pid"]), signal.SIGKILL)
        time.sleep(0.05)
    assert len(killed) == 2

    result = future.result(timeout=600)
    statuses = {name: report.status for name, report in result.reports.items()}
    assert sorted(statuses.values()) == [GradingStatus.failed, GradingStatus.graded], statuses
    (failed,) = [r for r in result.reports.values() if r.status is GradingStatus.failed]
    assert "stopped its worker process 2 times" in (failed.error or "")
    assert "not graded" in (tmp_path / "out" / "index.html").read_text()
    _graded_once(events, set(statuses))


def test_a_broker_restart_mid_batch_recovers(
    tmp_path: Path, redis_server: RedisServer, start_workers: Callable[..., list[Worker]], runtime_image: str
) -> None:
    subs = _submissions(tmp_path / "subs", 3)
    workers = start_workers("r1", "r2", extra=QUICK)
    future, events = _in_background(
        submissions=subs, out=tmp_path / "out", assignment=quick_assignment(tmp_path), broker=redis_server.url
    )
    _wait_started(redis_server, not_pids=set())
    redis_server.restart(down_seconds=2.0)

    result = future.result(timeout=600)
    names = {f"candidate-{n:02d}" for n in range(3)}
    assert set(result.reports) == names
    assert all(r.status is GradingStatus.graded for r in result.reports.values()), {
        n: r.error for n, r in result.reports.items()
    }
    _graded_once(events, names)
    assert len(_report_lines(workers)) >= len(names)
