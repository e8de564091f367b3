"""The web app's `--broker`: its worker threads hand each job to `grader worker` hosts."""

from __future__ import annotations

from pathlib import Path

from grader import api
from grader.distributed.settings import BrokerSettings
from grader.loading import LoadedAssignment
from grader.web.workers import GraderLike, html_renderer_available


class BrokerGraderFactory:
    """Graders that send submissions through the broker (the job queue, leases and retries stay the web app's)."""

    def __init__(self, url: str, result_backend: str | None = None) -> None:
        self.settings = BrokerSettings(url=url, result_backend=result_backend).validate()

    def __call__(self, assignment: LoadedAssignment, rubric: Path) -> GraderLike:
        return api.make_grader(
            assignment=assignment, rubric=rubric, broker=self.settings, write_html=html_renderer_available()
        )
