"""The Celery application both sides share, and the settings that must agree between them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from celery import Celery

from grader.errors import ConfigError

#: The one task a worker runs; the submitting side publishes it by name (it never imports the worker).
GRADE_TASK = "grader.grade"
DEFAULT_QUEUE = "grader"
#: Three hours: longer than the slowest run an assignment may allow (`RunLimits.timeout_seconds` ≤ 7200 s)
#: plus the checks. A Redis broker hands an unacknowledged task to another worker after this long.
DEFAULT_VISIBILITY_TIMEOUT = 3 * 3600
#: A task is delivered at most this many times; the next delivery ends it as `not graded`.
DEFAULT_MAX_DELIVERIES = 3
#: Unclaimed results and delivery counters disappear from the result store after this long.
RESULT_EXPIRES = 2 * 24 * 3600


@dataclass(frozen=True)
class BrokerSettings:
    """Where tasks and results go, and the redelivery rules."""

    url: str
    #: The result store; None uses the broker URL when it is Redis (RabbitMQ needs a Redis URL here).
    result_backend: str | None = None
    queue: str = DEFAULT_QUEUE
    visibility_timeout: int = DEFAULT_VISIBILITY_TIMEOUT
    max_deliveries: int = DEFAULT_MAX_DELIVERIES

    @property
    def results_url(self) -> str:
        if self.result_backend:
            return self.result_backend
        if _scheme(self.url) in ("redis", "rediss"):
            return self.url
        raise ConfigError(
            f"the broker {_redacted(self.url)} is not Redis: name a Redis result store as well "
            "(`--result-backend redis://…`); it holds results and delivery counts"
        )

    @property
    def hard_time_limit(self) -> int:
        """No task may run longer than this, so a running task is never handed to a second worker."""
        return max(10, int(self.visibility_timeout * 0.9))

    def validate(self) -> BrokerSettings:
        """Raise ConfigError for URLs and numbers that cannot work."""
        if _scheme(self.url) not in ("redis", "rediss", "amqp", "amqps", "pyamqp"):
            raise ConfigError(f"--broker must be a redis://, rediss:// or amqp(s):// URL, not {_redacted(self.url)!r}")
        if _scheme(self.results_url) not in ("redis", "rediss"):
            raise ConfigError("the result store must be Redis (redis:// or rediss://)")
        if self.visibility_timeout < 20:
            raise ConfigError("the visibility timeout must be at least 20 seconds")
        if self.max_deliveries < 1:
            raise ConfigError("max deliveries must be at least 1")
        return self


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def _redacted(url: str) -> str:
    """A URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def make_app(settings: BrokerSettings) -> Celery:
    """The Celery app: JSON only (never pickle), late acknowledgement, redelivery on a lost worker."""
    settings.validate()
    app = Celery("grader", broker=settings.url, backend=settings.results_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=settings.queue,
        # A task is acknowledged when it finishes, and put back when the process running it dies.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # A worker takes one task per free sandbox: nothing waits behind a long run on a busy host.
        worker_prefetch_multiplier=1,
        task_track_started=True,
        task_time_limit=settings.hard_time_limit,
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout,
            # How often a worker looks for tasks whose worker vanished (one cheap sorted-set read).
            "unacked_restore_interval": max(2, min(60, settings.visibility_timeout // 8)),
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={"visibility_timeout": settings.visibility_timeout},
        result_expires=RESULT_EXPIRES,
        result_extended=False,
        # Ride out a broker restart: keep reconnecting, keep retrying result writes, keep grading.
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        result_backend_always_retry=True,
        result_backend_max_retries=60,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 30, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 3},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app
