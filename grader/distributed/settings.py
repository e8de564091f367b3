"""Broker settings both sides must agree on: plain data, no Celery import (the CLI reads them at start)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from grader.errors import ConfigError

#: Where servers and workers read the broker URL when `--broker` is absent (its password stays out of `ps`).
BROKER_ENV = "GRADER_BROKER_URL"
#: The broker URLs `--broker` takes, for help texts.
BROKER_URL_FORMS = "redis://[:password@]host:6379/0, rediss://… for TLS, or amqp(s)://user:password@host/vhost"
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
            f"the broker {redacted(self.url)} is not Redis: name a Redis result store as well "
            "(`--result-backend redis://…`); it holds results and delivery counts"
        )

    @property
    def hard_time_limit(self) -> int:
        """No task may run longer than this, so a running task is never handed to a second worker."""
        return max(10, int(self.visibility_timeout * 0.9))

    def validate(self) -> BrokerSettings:
        """Raise ConfigError for URLs and numbers that cannot work, or when Celery is not installed."""
        try:
            import celery  # noqa: F401
            import redis  # noqa: F401
        except ImportError as exc:
            raise ConfigError(
                "grading through a broker needs the `scale` extra: pip install 'take-home-grader[scale]'"
            ) from exc
        if _scheme(self.url) not in ("redis", "rediss", "amqp", "amqps", "pyamqp"):
            raise ConfigError(f"--broker must be a redis://, rediss:// or amqp(s):// URL, not {redacted(self.url)!r}")
        if _scheme(self.results_url) not in ("redis", "rediss"):
            raise ConfigError("the result store must be Redis (redis:// or rediss://)")
        if self.visibility_timeout < 20:
            raise ConfigError("the visibility timeout must be at least 20 seconds")
        if self.max_deliveries < 1:
            raise ConfigError("max deliveries must be at least 1")
        return self


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def redacted(url: str) -> str:
    """A URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
