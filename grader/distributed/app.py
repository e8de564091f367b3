"""The Celery application both sides share (JSON only, late acknowledgement, redelivery on a lost worker)."""

from __future__ import annotations

from celery import Celery

from grader.distributed.settings import RESULT_EXPIRES, BrokerSettings


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
