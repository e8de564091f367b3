"""Kill the real server (`grader serve`) mid-grading and restart it: no job lost, none graded twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tests.web.conftest import PASSWORD, USER, Server, login, notebook_bytes, write_tiny_assignment

pytestmark = pytest.mark.slow

JOBS = 4


def _env(marks: Path, sleep: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(
        GRADER_WEB_GRADER_FACTORY="tests.web.fake_grader:factory",
        GRADER_FAKE_DIR=str(marks),
        GRADER_FAKE_SLEEP=str(sleep),
        PYTHONPATH=str(REPO),
    )
    return env


def _db(data: Path) -> dict[str, sqlite3.Row]:
    with sqlite3.connect(data / "grader.sqlite3") as conn:
        conn.row_factory = sqlite3.Row
        return {row["id"]: row for row in conn.execute("SELECT * FROM jobs")}


def _marks(marks: Path, job_id: str, what: str) -> list[str]:
    return sorted(p.name for p in marks.glob(f"{job_id}.*.{what}"))


def _stop_cleanly(server: Server) -> None:
    """SIGTERM: uvicorn shuts the app down, then re-raises the signal (so -15 is a clean exit too)."""
    assert server.stop() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.output()


def test_sigkill_mid_grading_then_restart_grades_every_job_exactly_once(tmp_path: Path) -> None:
    data, marks = tmp_path / "data", tmp_path / "marks"
    assignments = write_tiny_assignment(tmp_path / "assignments" / "tiny")
    added = subprocess.run(
        [sys.executable, "-m", "grader.cli", "user", "add", USER, "--password-stdin", "--data", str(data)],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    assert added.returncode == 0, added.stderr

    # First life: one worker, each grading takes 2 minutes, so the first job is caught running.
    server = Server(data, assignments, env=_env(marks, sleep=120), workers=1)
    try:
        client = httpx.Client(base_url=server.url, timeout=10)
        csrf = login(client)
        ids = []
        for i in range(JOBS):
            response = client.post(
                "/api/uploads",
                headers={"X-CSRF-Token": csrf},
                data={"assignment": "tiny", "candidate": f"candidate {i}"},
                files=[("files", (f"sub{i}/analysis.ipynb", notebook_bytes(f"x = {i}")))],
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        deadline = time.monotonic() + 180
        while not _marks(marks, ids[0], "start"):
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.05)
        states = {i: client.get(f"/api/jobs/{i}").json()["state"] for i in ids}
        assert states == {ids[0]: "running", **{i: "queued" for i in ids[1:]}}
    finally:
        assert server.stop(signal.SIGKILL) == -signal.SIGKILL

    rows = _db(data)
    assert rows[ids[0]]["state"] == "running" and rows[ids[0]]["attempts"] == 1  # as the crash left it
    assert all(rows[i]["state"] == "queued" and rows[i]["attempts"] == 0 for i in ids[1:])
    assert not any(marks.glob("*.done"))

    # Second life: two workers racing for the queue, quick grading.
    server = Server(data, assignments, env=_env(marks, sleep=0.5), workers=2)
    try:
        client.close()
        client = httpx.Client(base_url=server.url, timeout=10, cookies=client.cookies)  # the session survived
        deadline = time.monotonic() + 180
        while True:
            jobs = [client.get(f"/api/jobs/{i}").json() for i in ids]
            if all(j["state"] in ("done", "failed") for j in jobs):
                break
            assert time.monotonic() < deadline, (jobs, server.output())
            time.sleep(0.2)
        _stop_cleanly(server)
    finally:
        server.stop()
        client.close()

    rows = _db(data)
    for job_id in ids:
        row = rows[job_id]
        assert row["state"] == "done" and row["report_status"] == "graded", dict(row)
        assert row["owner"] is None and row["lease_expires_at"] is None
        # Every job was graded to the end exactly once...
        assert len(_marks(marks, job_id, "done")) == 1, sorted(p.name for p in marks.iterdir())
        # ...and only the interrupted one was started twice (attempt 1 killed, attempt 2 finished).
        expected_attempts = 2 if job_id == ids[0] else 1
        assert row["attempts"] == expected_attempts
        assert len(_marks(marks, job_id, "start")) == expected_attempts
        assert row["result_dir"] == f"reports/{job_id}/attempt-{expected_attempts}"
        assert (data / row["result_dir"] / "report.json").is_file()
        # The killed attempt's leftovers are gone; only the committed one is kept.
        assert [p.name for p in (data / "reports" / job_id).iterdir()] == [f"attempt-{expected_attempts}"]
    started = [name.split(".")[2] for name in _marks(marks, ids[0], "start")]
    assert len(set(started)) == 2  # graded by two different server processes


def test_sigterm_puts_the_running_job_back_without_losing_it(tmp_path: Path) -> None:
    data, marks = tmp_path / "data", tmp_path / "marks"
    assignments = write_tiny_assignment(tmp_path / "assignments" / "tiny")
    subprocess.run(
        [sys.executable, "-m", "grader.cli", "user", "add", USER, "--password-stdin", "--data", str(data)],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        cwd=REPO,
        check=True,
    )
    server = Server(data, assignments, env=_env(marks, sleep=120), workers=1)
    try:
        client = httpx.Client(base_url=server.url, timeout=10)
        csrf = login(client)
        response = client.post(
            "/api/uploads",
            headers={"X-CSRF-Token": csrf},
            data={"assignment": "tiny"},
            files=[("files", ("sub/analysis.ipynb", notebook_bytes("x = 1")))],
        )
        job_id = response.json()["id"]
        deadline = time.monotonic() + 180
        while not _marks(marks, job_id, "start"):
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.05)
    finally:
        _stop_cleanly(server)
        client.close()
    row = _db(data)[job_id]
    assert row["state"] == "queued" and row["owner"] is None and row["attempts"] == 1
