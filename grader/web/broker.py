"""The web app's `--broker`: its worker threads hand each job to `grader worker` hosts."""

from __future__ import annotations

from pathlib import Path

from grader import api
from grader.web.workers import GraderLike, html_renderer_available


class BrokerGraderFactory:
    """Graders that send submissions through the broker (the job queue, leases and retries stay the web app's)."""

    def __init__(self, url: str, result_backend: str | None = None) -> None:
        self.settings = api.broker_settings(url, result_backend=result_backend)

    def __call__(self, assignment: api.LoadedAssignment, rubric: Path, /, **options: bool) -> GraderLike:
        return api.make_grader(
            assignment=assignment,
            rubric=rubric,
            broker=self.settings,
            write_html=html_renderer_available(),
            blind=options.get("blind", False),
        )
