"""Live progress in headless Chromium: while a slow notebook runs in the Docker sandbox, the job page and
the assignment's summary say which cell is running out of how many."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.conftest import PASSWORD, USER, login, notebook_bytes, start_server, wait_for_job
from tests.web.test_desk_browser import browser

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.docker]
__all__ = ["browser"]  # the Chromium fixture shared with the desk's browser tests

SLOW_CELLS = (
    "import time\nimport pandas as pd\ntrain = pd.read_csv('data/train.csv')",
    "time.sleep(2.5)",
    "time.sleep(2.5)",
    "time.sleep(2.5)",
    "train.shape",
)


def test_job_page_and_summary_show_the_running_cell(tmp_path: Path, browser: Any, runtime_image: str) -> None:
    from playwright.sync_api import expect

    server = start_server(tmp_path, fake=False)  # the real grader: the notebook runs in the Docker sandbox
    client = httpx.Client(base_url=server.url, timeout=30)
    context = browser.new_context()
    try:
        csrf = login(client)
        response = client.post(
            "/api/uploads",
            headers={"X-CSRF-Token": csrf},
            data={"assignment": "tiny", "candidate": "Slow Sam"},
            files=[("files", ("slow/analysis.ipynb", notebook_bytes(*SLOW_CELLS)))],
        )
        assert response.status_code == 201, response.text
        job_id = response.json()["id"]

        page = context.new_page()
        page.goto(server.url + "/")
        page.fill("input[name=name]", USER)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(server.url + "/")

        page.goto(f"{server.url}/jobs/{job_id}")  # refreshes itself every 2 s while the job runs
        progress = page.locator("#job-progress")
        expect(progress).to_have_text(re.compile(r"^cell [2-5] of 5$"), timeout=120_000)
        seen = {progress.inner_text()}
        api_progress = client.get(f"/api/jobs/{job_id}").json()["progress"]
        assert re.fullmatch(r"cell [1-5] of 5", api_progress) or api_progress == "", api_progress

        page.goto(f"{server.url}/assignments/tiny")
        row = page.locator(f'#candidates tbody tr[data-job="{job_id}"]')
        if row.get_attribute("data-status") == "running":
            seen.add(row.locator(".progress-text").inner_text())
        assert all("of 5" in text for text in seen), seen

        assert wait_for_job(client, job_id, timeout=180)["state"] == "done"
        job = client.get(f"/api/jobs/{job_id}").json()
        assert job["progress"] == "" and job["report_status"] in ("graded", "needs_review"), job
    finally:
        context.close()
        client.close()
        server.stop()
