"""Command-line pieces: `grader worker`, and the `--broker` options of `batch` and `serve`.

Kept apart from `grader/cli.py` (which only registers them) so that the CLI imports
Celery only when one of these options is used.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from grader.distributed.settings import BrokerSettings

DEFAULTS_NOTE = "redis://[:password@]host:6379/0, rediss://… for TLS, or amqp(s)://user:password@host/vhost"


BROKER_ENV = "GRADER_BROKER_URL"


def add_broker_options(parser: argparse.ArgumentParser, *, from_env: bool = False) -> None:
    """`--broker` (and `--result-backend`) on a command that submits grading work.

    `from_env` (a server) takes the URL from $GRADER_BROKER_URL when the option is absent,
    so that its password does not show in the process list.
    """
    parser.add_argument(
        "--broker",
        metavar="URL",
        default=(os.environ.get(BROKER_ENV) or None) if from_env else None,
        help=f"grade on `grader worker` hosts through this broker ({DEFAULTS_NOTE}); jobs or workers then "
        "count submissions in flight" + (f"; default: ${BROKER_ENV}" if from_env else ""),
    )
    parser.add_argument(
        "--result-backend", metavar="URL", help="Redis store for results (default: the broker, when it is Redis)"
    )


def add_worker_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `grader worker`."""
    from grader.distributed.settings import DEFAULT_MAX_DELIVERIES, DEFAULT_QUEUE, DEFAULT_VISIBILITY_TIMEOUT

    worker = sub.add_parser("worker", help="grade submissions sent through a broker on this Docker host")
    worker.add_argument(
        "--broker",
        metavar="URL",
        default=os.environ.get(BROKER_ENV) or None,
        help=f"{DEFAULTS_NOTE} (default: ${BROKER_ENV})",
    )
    worker.add_argument(
        "--result-backend", metavar="URL", help="Redis store for results (default: the broker, when it is Redis)"
    )
    worker.add_argument("--concurrency", type=int, default=1, help="sandboxes at once (default: 1)")
    worker.add_argument("--runtime", choices=["runc", "runsc"], default=None, help="container runtime (default: runc)")
    worker.add_argument("--name", help="this worker's name in reports and logs (default: the host name)")
    worker.add_argument("--queue", default=DEFAULT_QUEUE, help=f"queue to take tasks from (default: {DEFAULT_QUEUE})")
    worker.add_argument(
        "--visibility-timeout",
        type=int,
        default=DEFAULT_VISIBILITY_TIMEOUT,
        help="seconds before a Redis broker hands an unacknowledged task to another worker; a task may run at most "
        f"0.9 × this (default: {DEFAULT_VISIBILITY_TIMEOUT})",
    )
    worker.add_argument(
        "--max-deliveries",
        type=int,
        default=DEFAULT_MAX_DELIVERIES,
        help=f"deliveries of one task before it ends as not graded (default: {DEFAULT_MAX_DELIVERIES})",
    )
    worker.add_argument("--work-dir", type=Path, help="scratch folder for unpacked assignments and submissions")


def broker_settings(args: argparse.Namespace) -> BrokerSettings | None:
    """The broker settings given on the command line, or None without `--broker`."""
    url = getattr(args, "broker", None)
    if not url:
        return None
    from grader.distributed.settings import (
        DEFAULT_MAX_DELIVERIES,
        DEFAULT_QUEUE,
        DEFAULT_VISIBILITY_TIMEOUT,
        BrokerSettings,
    )

    return BrokerSettings(
        url=url,
        result_backend=getattr(args, "result_backend", None),
        queue=getattr(args, "queue", DEFAULT_QUEUE),
        visibility_timeout=getattr(args, "visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT),
        max_deliveries=getattr(args, "max_deliveries", DEFAULT_MAX_DELIVERIES),
    ).validate()


def run_worker_command(args: argparse.Namespace, console: Console) -> int:
    """`grader worker`: runs until stopped."""
    from grader.distributed.worker import run_worker
    from grader.errors import ConfigError

    settings = broker_settings(args)
    if settings is None:
        raise ConfigError(f"give --broker URL (or set ${BROKER_ENV})")
    return run_worker(
        settings,
        concurrency=args.concurrency,
        runtime=None if args.runtime in (None, "runc") else args.runtime,
        name=args.name,
        work_dir=args.work_dir,
        log_line=lambda line: console.print(line, markup=False),
    )
