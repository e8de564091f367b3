"""The web app in headless Chromium: log in, upload a folder through the directory picker, read the report."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, USER, Server, notebook_bytes, start_server, write_tiny_submission

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _log_in(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    assert page.url.endswith("/login")
    page.fill("input[name=name]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    assert page.locator("#folder-input").get_attribute("webkitdirectory") is not None


def _csp_watch(page: Any) -> list[str]:
    """Console messages about blocked content: our own pages must work under our own policy."""
    blocked: list[str] = []
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    return blocked


@pytest.mark.docker
def test_reviewer_uploads_a_folder_and_reads_the_report(tmp_path: Path, browser: Any, runtime_image: str) -> None:
    from playwright.sync_api import expect

    submission = write_tiny_submission(tmp_path / "alice-submission")
    server = start_server(tmp_path, fake=False)  # the real grader: the notebook runs in the Docker sandbox
    context = browser.new_context()
    try:
        page = context.new_page()
        blocked = _csp_watch(page)
        _log_in(page, server)
        page.select_option("select[name=assignment]", "tiny")
        page.fill("input[name=candidate]", "Alice Example")
        page.set_input_files("#folder-input", str(submission))  # the directory picker, with a whole folder
        page.click("#upload-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/jobs/[0-9a-f]{32}$"))
        job_id = page.url.rsplit("/", 1)[1]
        expect(page.locator("h1")).to_have_text("Alice Example")

        # The page refreshes itself until grading is over.
        expect(page.locator("#job-score")).to_be_visible(timeout=180_000)
        expect(page.locator("#job-state")).to_have_text("done")
        job = page.request.get(f"{server.url}/api/jobs/{job_id}").json()
        assert job["report_status"] in ("graded", "needs_review"), job
        score = f"{job['score']:g} / {job['max']:g}"
        expect(page.locator("#job-score")).to_contain_text(score)

        report = page.request.get(f"{server.url}/api/jobs/{job_id}/report").json()
        assert report["execution"]["status"] == "ok", report["execution"]  # really ran in the sandbox
        assert report["submission"]["notebooks"] == ["analysis.ipynb"]
        assert sorted(f["path"] for f in report["submission"]["files"]) == ["README.md", "analysis.ipynb"]

        page.click("#open-report")
        page.wait_for_url(f"{server.url}/jobs/{job_id}/report")
        expect(page.locator("body")).to_contain_text(f"{job['score']:g}")
        expect(page.locator("body")).to_contain_text("Alice Example")
        assert not blocked, blocked

        page.goto(f"{server.url}/assignments/tiny")
        expect(page.locator("#candidates")).to_contain_text("Alice Example")
        expect(page.locator("#candidates")).to_contain_text(f"{job['score']:g}")
    finally:
        context.close()
        server.stop()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            bundle.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_zip_bomb_and_zip_slip_are_refused_on_the_page(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    notebook = notebook_bytes("print('hi')")
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip({"analysis.ipynb": notebook, "data.csv": b"0" * (40 * 1024 * 1024)}))
    slip = tmp_path / "slip.zip"
    slip.write_bytes(_zip({"analysis.ipynb": notebook, "../../outside.py": b"print('escaped')\n"}))
    server = start_server(tmp_path, fake=True)
    context = browser.new_context()
    try:
        page = context.new_page()
        blocked = _csp_watch(page)
        _log_in(page, server)
        for archive, message in ((bomb, "zip bomb"), (slip, "zip-slip")):
            page.goto(server.url + "/")
            page.fill("input[name=candidate]", "Mallory")
            page.set_input_files("#archive-input", str(archive))
            page.click("#upload-form button[type=submit]")
            error = page.locator("#upload-error")
            expect(error).to_be_visible()
            expect(error).to_contain_text(message)
            expect(error).to_contain_text(f"{archive.name} was refused")
            assert page.url == server.url + "/upload"
        assert page.request.get(f"{server.url}/api/jobs").json() == []
        assert not (tmp_path / "outside.py").exists() and not (tmp_path / "data" / "outside.py").exists()
        assert list((tmp_path / "data" / "uploads").iterdir()) == []
        assert not blocked, blocked
    finally:
        context.close()
        server.stop()
