"""`grader worker`: a Celery worker on one Docker host.

At start it checks the engine (and the runtime it was asked for), finds or builds the
sandbox image, and removes what crashed graders left behind; then it takes one task per
free sandbox. SIGTERM drains it: no new tasks, the running ones finish, then it exits.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

from celery.signals import worker_process_init

from grader.distributed.app import make_app
from grader.distributed.settings import BrokerSettings, redacted
from grader.distributed.tasks import WorkerConfig, WorkerRuntime, register_tasks
from grader.errors import ConfigError, SandboxError
from grader.execution.docker_client import DockerClient
from grader.execution.image import build_image, find_runtime_image
from grader.execution.sandbox import reap_leftovers

log = logging.getLogger("grader.worker")


def prepare_host(runtime: str | None, log_line: Callable[[str], None]) -> str:
    """Check the engine and the runtime, reap leftovers, find or build the image; returns its tag."""
    client = DockerClient.from_env()
    runtimes = client.info().get("Runtimes") or {}
    if runtime and runtime not in runtimes:
        raise ConfigError(f"the Docker engine has no runtime {runtime!r} (it has: {', '.join(sorted(runtimes))})")
    try:
        removed = reap_leftovers(client)
    except SandboxError as exc:  # another grader on this engine may be cleaning up at the same moment
        log_line(f"could not remove leftovers now ({exc}); the next start will")
    else:
        if removed:
            log_line(f"removed {removed} leftover container(s) or volume(s)")
    tag = find_runtime_image(client)
    if tag is None:
        log_line("the sandbox image is not built for this grader version: building it")
        tag = build_image(client, log=log_line).tag
    return tag


def run_worker(
    settings: BrokerSettings,
    *,
    concurrency: int = 1,
    runtime: str | None = None,
    name: str | None = None,
    work_dir: Path | None = None,
    log_line: Callable[[str], None] = print,
) -> int:
    """Run until stopped; returns the worker's exit code."""
    if concurrency < 1:
        raise ConfigError("--concurrency must be at least 1")
    settings.validate()
    image = prepare_host(runtime, log_line)
    host = socket.gethostname()
    node = f"grader@{name or host}"
    folder = Path(work_dir or Path(tempfile.gettempdir()) / f"grader-worker-{os.getuid()}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    state = WorkerRuntime(
        WorkerConfig(
            node=node,
            image=image,
            runtime=runtime,
            work_dir=folder,
            hard_time_limit=settings.hard_time_limit,
            max_deliveries=settings.max_deliveries,
        )
    )
    app = make_app(settings)
    register_tasks(app, state, settings)

    @worker_process_init.connect(weak=False)  # type: ignore[untyped-decorator]
    def _fresh_process(**_: object) -> None:
        state.reset_after_fork()

    log_line(
        f"worker {node}: broker {redacted(settings.url)}, queue {settings.queue}, {concurrency} sandbox(es), "
        f"image {image}, runtime {runtime or 'runc'}, visibility timeout {settings.visibility_timeout} s"
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Celery logs every result in full; ours carry archives, so the task logs its own one-line summary.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    worker = app.Worker(
        hostname=node,
        concurrency=concurrency,
        pool="prefork",
        queues=[settings.queue],
        loglevel="INFO",
        optimization="fair",
        without_gossip=True,
        without_mingle=True,
    )
    worker.start()
    return int(worker.exitcode or 0)
