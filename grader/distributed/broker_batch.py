"""Batches through the broker: the same `grader.pipeline.batch` code, with remote graders and a resumable run key."""

from __future__ import annotations

import secrets
from pathlib import Path

from grader.distributed.remote import RemoteGrader, through_broker
from grader.distributed.settings import BrokerSettings
from grader.pipeline.files import atomic_write
from grader.pipeline.grading import Grader

#: Submissions in flight at once by default: enough to keep many workers busy, each a thread waiting.
IN_FLIGHT = 32
#: Holds the run key of the batch written into this folder, so `--resume` asks for the same tasks.
RUN_KEY_FILE = ".broker-run"


def run_key(out_dir: Path, *, resume: bool) -> str:
    """This folder's run key: kept on `resume`, new otherwise."""
    path = Path(out_dir) / RUN_KEY_FILE
    if resume and path.is_file():
        key = path.read_text("utf-8").strip()
        if key.isalnum() and len(key) <= 64:
            return key
    key = secrets.token_hex(12)
    atomic_write(path, key.encode())
    return key


def prepare(
    grader: Grader, broker: str | BrokerSettings, out_dir: Path, *, resume: bool, jobs: int | None
) -> tuple[RemoteGrader, int]:
    """The grader to batch with through `broker`, and how many submissions to keep in flight."""
    remote = through_broker(grader, broker)
    remote.run_key = run_key(out_dir, resume=resume)
    return remote, jobs or IN_FLIGHT


def prepare_groups(
    groups: dict[str, tuple[Grader, Path]], broker: str | BrokerSettings, out_dir: Path, *, resume: bool
) -> dict[str, tuple[Grader, Path]]:
    """Each group's grader through `broker`, with its folder's run key."""
    prepared: dict[str, tuple[Grader, Path]] = {}
    for group, (grader, folder) in groups.items():
        remote, _ = prepare(grader, broker, Path(out_dir) / group, resume=resume, jobs=None)
        prepared[group] = (remote, folder)
    return prepared
