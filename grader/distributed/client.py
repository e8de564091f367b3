"""The submitting side's connection to the broker: publish jobs, collect outcomes in one thread.

Celery's result objects are not meant to be shared between threads, so the batch and
web threads never touch them: each `submit` returns a `Future`, and one collector
thread reads every pending result from the Redis result store at once (`MGET`),
resolves the futures and removes what it read. It rides out a store restart by
retrying; a job is only lost if the broker loses its queue (see docs/deployment.md).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import Any

from pydantic import ValidationError

from grader.distributed.app import make_app
from grader.distributed.settings import GRADE_TASK, BrokerSettings, redacted
from grader.distributed.tasks import deliveries_key
from grader.distributed.transport import GradeJob, GradeOutcome
from grader.errors import ConfigError

log = logging.getLogger("grader.broker")
POLL_SECONDS = 0.1
_FINISHED = {"SUCCESS", "FAILURE", "REVOKED"}


class BrokerClient:
    """Publishes `GradeJob`s and hands back their `GradeOutcome`s."""

    def __init__(self, settings: BrokerSettings, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.settings = settings.validate()
        self.app = make_app(settings)
        self.poll_seconds = poll_seconds
        self._pending: dict[str, Future[GradeOutcome]] = {}
        self._lock = threading.Lock()
        self._publish_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._collector: threading.Thread | None = None

    def check(self, timeout: float = 5.0) -> int:
        """Raise ConfigError unless the broker and the result store answer; returns how many workers replied."""
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=2, timeout=timeout)
            self.app.backend.client.ping()
        except Exception as exc:  # kombu and redis raise many types; the message says enough
            raise ConfigError(f"the broker {redacted(self.settings.url)} does not answer: {exc}") from exc
        try:
            return len(self.app.control.ping(timeout=1.0) or [])
        except Exception:  # noqa: BLE001 - a ping is advice, never a reason to stop
            return 0

    def submit(self, job: GradeJob, task_id: str, *, time_limit: int | None = None) -> Future[GradeOutcome]:
        """Publish one job under `task_id` (the same id again joins the earlier task's result)."""
        future: Future[GradeOutcome] = Future()
        with self._lock:
            self._pending[task_id] = future
        try:
            with self._publish_lock:
                self.app.send_task(
                    GRADE_TASK,
                    args=[job.model_dump(mode="json")],
                    task_id=task_id,
                    queue=self.settings.queue,
                    time_limit=time_limit,
                )
        except BaseException:
            with self._lock:
                self._pending.pop(task_id, None)
            raise
        self._ensure_collector()
        self._wake.set()
        return future

    def close(self) -> None:
        """Stop collecting; pending futures are cancelled."""
        self._stop.set()
        self._wake.set()
        if self._collector is not None:
            self._collector.join(timeout=5)
        with self._lock:
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
        self.app.close()

    # ------------------------------------------------------------------ collecting

    def _ensure_collector(self) -> None:
        with self._lock:
            if self._collector is None or not self._collector.is_alive():
                self._collector = threading.Thread(target=self._collect, name="broker-results", daemon=True)
                self._collector.start()

    def _collect(self) -> None:
        backend = self.app.backend
        while not self._stop.is_set():
            with self._lock:
                ids = list(self._pending)
            if not ids:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            try:
                values = backend.mget([backend.get_key_for_task(task_id) for task_id in ids])
            except Exception as exc:  # noqa: BLE001 - the store may be restarting: keep trying
                log.warning("the result store does not answer (%s); retrying", exc)
                self._stop.wait(1.0)
                continue
            for task_id, raw in zip(ids, values):
                if raw is None:
                    continue
                outcome = _outcome(backend.decode_result(raw))
                if outcome is None:
                    continue
                try:
                    backend.forget(task_id)
                    backend.delete(deliveries_key(task_id))
                except Exception as exc:  # noqa: BLE001 - leftovers expire on their own
                    log.info("could not remove the result of %s: %s", task_id, exc)
                with self._lock:
                    future = self._pending.pop(task_id, None)
                if future is not None and not future.done():
                    future.set_result(outcome)
            self._stop.wait(self.poll_seconds)


def _outcome(meta: dict[str, Any]) -> GradeOutcome | None:
    """A finished task's outcome, or None while it is queued or running."""
    status = meta.get("status")
    if status not in _FINISHED:
        return None
    result = meta.get("result")
    if status == "SUCCESS":
        try:
            return GradeOutcome.model_validate(result)
        except ValidationError as exc:
            return GradeOutcome(worker="?", reason=f"the worker's answer was not understood: {str(exc)[:500]}")
    if isinstance(result, dict) and result.get("exc_type") == "TimeLimitExceeded":
        reason = f"grading took longer than the worker's time limit ({_message(result)} s) and was stopped"
    elif isinstance(result, dict):
        reason = f"the worker failed: {result.get('exc_type')}: {_message(result)}"
    else:
        reason = f"the task ended as {status}"
    return GradeOutcome(worker="?", reason=reason[:2000])


def _message(result: dict[str, Any]) -> str:
    message = result.get("exc_message")
    if isinstance(message, list | tuple):
        return ", ".join(str(m) for m in message)
    return str(message)


_CLIENTS: dict[BrokerSettings, BrokerClient] = {}
_CLIENTS_LOCK = threading.Lock()


def client_for(settings: BrokerSettings) -> BrokerClient:
    """One client per broker in a process (the web app's graders and a batch share it)."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(settings)
        if client is None:
            client = _CLIENTS[settings] = BrokerClient(settings)
        return client


def close_clients() -> None:
    """Close every client `client_for` made (a server's shutdown, a test's teardown)."""
    with _CLIENTS_LOCK:
        clients = list(_CLIENTS.values())
        _CLIENTS.clear()
    for client in clients:
        client.close()
