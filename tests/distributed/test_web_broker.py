"""The web app at scale: accounts, sessions and jobs in PostgreSQL, grading on a `grader worker` (issue 19)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.distributed.client import close_clients
from grader.web.accounts import add_user
from grader.web.app import create_app
from grader.web.postgres import PostgresDatabase
from grader.web.settings import WebSettings
from tests.distributed.conftest import Worker
from tests.services import PostgresServer, RedisServer
from tests.web.conftest import PASSWORD, USER, TestClient, login, notebook_bytes, wait_for_job, write_tiny_assignment

pytestmark = [pytest.mark.docker, pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]


def test_the_web_app_on_postgresql_grades_through_the_workers(
    tmp_path: Path,
    redis_server: RedisServer,
    postgres: PostgresServer,
    start_workers: Callable[..., list[Worker]],
    runtime_image: str,
) -> None:
    try:
        url = postgres.create_schema(f"web_{uuid.uuid4().hex}")
        db = PostgresDatabase(url)
        db.initialise()
        add_user(db, USER, PASSWORD)
        db.close()
        assignment = write_tiny_assignment(tmp_path / "assignments" / "tiny")
        start_workers("web-worker")
        settings = WebSettings(
            data_dir=tmp_path / "data",
            assignment_dirs=(assignment,),
            database=url,
            broker=redis_server.url,
            workers=2,
            poll_seconds=0.1,
            lease_seconds=5.0,
        )
        with TestClient(create_app(settings), base_url="http://testserver") as client:
            csrf = login(client)
            response = client.post(
                "/api/uploads",
                headers={"X-CSRF-Token": csrf},
                data={"assignment": "tiny", "candidate": "Bob"},
                files=[("files", ("bob/analysis.ipynb", notebook_bytes()))],
            )
            assert response.status_code == 201, response.text
            job = wait_for_job(client, str(response.json()["id"]), timeout=600)
            assert job["state"] == "done" and job["report_status"] == "graded", job
            report = client.get(f"/api/jobs/{job['id']}/report").json()
            assert report["environment"]["worker"] == "grader@web-worker"
            assert report["holdout"]["score"] is not None, "the labels stay with the web app, which scores them"
            assert client.get(f"/jobs/{job['id']}/report").status_code == 200
        close_clients()
        check = PostgresDatabase(url)
        with check.connect() as conn:
            row = conn.execute("SELECT state, attempts, owner FROM jobs").fetchone()
        check.close()
        assert (row["state"], row["attempts"], row["owner"]) == ("done", 1, None)
    finally:
        close_clients()
