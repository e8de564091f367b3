"""Redis and `grader worker` processes for the broker tests, started and stopped by fixtures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO
from tests.services import RedisServer

#: Short enough that a worker killed outright has its task handed on within the test.
TEST_VISIBILITY_TIMEOUT = 40


class Worker:
    """`grader worker` in its own process group (so a test can kill it and its pool outright)."""

    def __init__(self, broker: str, name: str, folder: Path, *extra: str) -> None:
        self.name = name
        self.log_path = folder / f"worker-{name}.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 - the worker keeps it
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "grader.cli",
                "worker",
                "--broker",
                broker,
                "--name",
                name,
                "--work-dir",
                str(folder / f"work-{name}"),
                *extra,
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.output():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited: {self.output()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"worker {self.name} did not start: {self.output()[-3000:]}")

    def output(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def pool_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL the worker and its pool: a host that vanished."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM: drain (finish running tasks, take no new ones), then exit."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def start_workers(redis_server: RedisServer, tmp_path: Path) -> Iterator[Callable[..., list[Worker]]]:
    """Start named workers (extra CLI options apply to all); every one is stopped afterwards."""
    started: list[Worker] = []

    def start(*names: str, extra: tuple[str, ...] = ()) -> list[Worker]:
        workers = [Worker(redis_server.url, name, tmp_path, *extra) for name in names]
        started.extend(workers)
        for worker in workers:
            worker.wait_ready()
        return workers

    yield start
    for worker in started:
        worker.kill()
    from grader.execution.docker_client import DockerClient
    from grader.execution.sandbox import reap_leftovers

    reap_leftovers(DockerClient.from_env())  # containers of pool processes the tests killed


def started_tasks(redis_url: str) -> dict[str, dict[str, Any]]:
    """Tasks a worker is running now: id → {"pid", "hostname"} (Celery's STARTED state)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    found = {}
    for key in client.scan_iter("celery-task-meta-*"):
        raw = client.get(key)
        meta = json.loads(raw) if raw else {}
        if meta.get("status") == "STARTED" and isinstance(meta.get("result"), dict):
            found[meta["task_id"]] = meta["result"]
    return found


def quick_assignment(folder: Path) -> Path:
    """The adversarial corpus's tiny assignment with a run limit the test visibility timeout can hold."""
    import shutil

    target = folder / "assignment"
    shutil.copytree(REPO / "tests" / "adversarial" / "assignment", target)
    spec = yaml.safe_load((target / "assignment.yaml").read_text())
    spec["rubric"] = str(REPO / "rubrics" / "ml-takehome.yaml")
    spec["limits"].update(timeout_seconds=14, cell_timeout_seconds=12)
    (target / "assignment.yaml").write_text(yaml.safe_dump(spec))
    return target
