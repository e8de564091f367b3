"""The job queue's claim protocol, migrations, the worker pool and the assignment summaries."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from grader.api import CellProgress
from grader.web.db import Database, Migration
from grader.web.jobs import JobState, JobStore, Outcome, owner_is_dead
from grader.web.settings import WebSettings
from tests.web.conftest import TestClient, notebook_bytes, wait_for_job


@pytest.fixture
def store(fresh_database: Database) -> JobStore:
    fresh_database.initialise()
    return JobStore(fresh_database)


def _enqueue(store: JobStore, n: int = 1) -> list[str]:
    ids = []
    for i in range(n):
        job = store.enqueue(
            job_id=uuid.uuid4().hex,
            assignment="tiny",
            rubric=None,
            candidate=f"c{i}",
            submission_name=f"s{i}",
            upload_path=f"uploads/{i}",
            created_by=None,
        )
        ids.append(job.id)
        time.sleep(0.002)  # distinct created_at: FIFO order is observable
    return ids


def test_migrations_are_recorded_and_applied_once(fresh_database: Database) -> None:
    db = fresh_database
    assert db.initialise() == ["001_initial.sql", "002_blind_jobs.sql", "003_job_progress.sql"]
    assert db.initialise() == []
    assert db.applied_versions() == [1, 2, 3]
    extra = Migration(
        4,
        "004_note.sql",
        "-- a comment\nALTER TABLE jobs ADD COLUMN note TEXT;\nCREATE INDEX jobs_note ON jobs (note);\n",
    )
    assert db.migrate([extra]) == ["004_note.sql"]
    assert db.migrate([extra]) == []
    assert db.applied_versions() == [1, 2, 3, 4]


def test_running_cell_is_recorded_for_the_owner_only_and_cleared_by_the_next_claim(store: JobStore) -> None:
    [job_id] = _enqueue(store)
    claimed = store.claim("me:1:a", 30)
    assert claimed is not None and claimed.progress is None and claimed.progress_text == ""
    assert store.set_progress(job_id, "me:1:a", CellProgress(notebook=1, notebooks=1, cell=7, cells=23))
    assert not store.set_progress(job_id, "someone-else", CellProgress(notebook=1, notebooks=1, cell=9, cells=23))
    job = store.get(job_id)
    assert job is not None and job.progress_text == "cell 7 of 23"
    assert job.public()["progress"] == "cell 7 of 23"
    assert store.complete(job_id, "me:1:a", Outcome(state=JobState.done))
    assert store.get(job_id).progress_text == ""  # type: ignore[union-attr]
    assert store.requeue(job_id)
    again = store.claim("me:1:b", 30)
    assert again is not None and again.progress is None


def test_a_failing_migration_leaves_nothing_half_done(fresh_database: Database) -> None:
    db = fresh_database
    db.initialise()
    broken = Migration(4, "004_broken.sql", "CREATE TABLE t1 (x INTEGER);\nCREATE TABLE jobs (x INTEGER);\n")
    with pytest.raises(Exception, match="already exists"):
        db.migrate([broken])
    assert db.applied_versions() == [1, 2, 3]
    with db.connect() as conn:  # t1 was rolled back with the failing statement
        assert conn.execute("SELECT COUNT(*) FROM schema_migrations WHERE version = 4").fetchone()[0] == 0
        with pytest.raises(Exception, match="t1"):
            conn.execute("SELECT x FROM t1")


def test_servers_starting_together_apply_each_migration_once(fresh_database: Database) -> None:
    fresh_database.initialise()
    extra = Migration(4, "004_note.sql", "ALTER TABLE jobs ADD COLUMN note TEXT;\n")
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            results.append(fresh_database.migrate([extra]))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [[], [], [], ["004_note.sql"]]
    assert fresh_database.applied_versions() == [1, 2, 3, 4]


def test_claim_is_fifo_and_counts_attempts(store: JobStore) -> None:
    first, second = _enqueue(store, 2)
    job = store.claim("me", 30)
    assert job is not None and job.id == first and job.state is JobState.running and job.attempts == 1
    assert job.owner == "me" and job.lease_expires_at and job.lease_expires_at > time.time()
    job2 = store.claim("me", 30)
    assert job2 is not None and job2.id == second
    assert store.claim("me", 30) is None


def test_concurrent_claims_never_hand_out_a_job_twice(store: JobStore) -> None:
    ids = _enqueue(store, 40)
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(owner: str) -> None:
        while (job := store.claim(owner, 30)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(ids)
    assert all(store.get(i).attempts == 1 for i in ids)  # type: ignore[union-attr]


def test_only_the_owner_commits_and_only_once(store: JobStore) -> None:
    (job_id,) = _enqueue(store)
    assert store.claim("a", 30) is not None
    outcome = Outcome(state=JobState.done, result_dir="reports/x/attempt-1", report_status="graded", score=1.0)
    assert not store.complete(job_id, "b", outcome)
    assert store.complete(job_id, "a", outcome)
    assert not store.complete(job_id, "a", outcome)  # already committed
    job = store.get(job_id)
    assert job is not None and job.state is JobState.done and job.score == 1.0 and job.owner is None


def test_a_lapsed_lease_is_requeued_and_the_old_owner_cannot_commit(store: JobStore) -> None:
    (job_id,) = _enqueue(store)
    store.claim("slow", 0.05)
    time.sleep(0.1)
    assert store.recover(max_attempts=3, check_owners=False) == [job_id]
    again = store.claim("fresh", 30)
    assert again is not None and again.id == job_id and again.attempts == 2
    assert not store.complete(job_id, "slow", Outcome(state=JobState.done))
    assert store.complete(job_id, "fresh", Outcome(state=JobState.done))


def test_renewed_leases_are_left_alone(store: JobStore) -> None:
    (job_id,) = _enqueue(store)
    store.claim("busy", 0.3)
    for _ in range(4):
        time.sleep(0.1)
        assert store.renew("busy", [job_id], 0.3) == 1
        assert store.recover(max_attempts=3, check_owners=False) == []
    assert store.renew("someone-else", [job_id], 0.3) == 0


def test_jobs_of_a_dead_owner_are_requeued_at_once(store: JobStore) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    owner = f"{socket.gethostname()}:{dead.pid}:deadbeef"
    alive = f"{socket.gethostname()}:{os.getpid()}:cafe"
    assert owner_is_dead(owner) and not owner_is_dead(alive)
    assert not owner_is_dead(f"another-host:{dead.pid}:x")  # a process elsewhere: only its lease counts
    first, second = _enqueue(store, 2)
    store.claim(owner, 3600)
    store.claim(alive, 3600)
    assert store.recover(max_attempts=3, check_owners=True) == [first]
    job = store.get(first)
    assert job is not None and job.state is JobState.queued and job.owner is None and job.attempts == 1
    assert store.get(second).state is JobState.running  # type: ignore[union-attr]


def test_a_job_that_keeps_crashing_its_server_is_failed(store: JobStore) -> None:
    (job_id,) = _enqueue(store)
    for attempt in range(1, 4):
        job = store.claim(f"crashy-{attempt}", 0.01)
        assert job is not None and job.attempts == attempt
        time.sleep(0.03)
        assert store.recover(max_attempts=3, check_owners=False) == [job_id]
    job = store.get(job_id)
    assert job is not None and job.state is JobState.failed and "interrupted 3 times" in (job.error or "")


def test_shutdown_releases_running_jobs(store: JobStore) -> None:
    first, _ = _enqueue(store, 2)
    store.claim("me", 30)
    assert store.release("me") == 1
    assert store.get(first).state is JobState.queued  # type: ignore[union-attr]


# --------------------------------------------------------------------------- through the app


def test_summary_table_and_csv(authed: tuple[TestClient, str]) -> None:
    client, csrf = authed
    ids = []
    for candidate in ('=HYPERLINK("http://evil.example","x")', "Plain Name", "+cmd|' /C calc'!A0"):
        response = client.post(
            "/api/uploads",
            headers={"X-CSRF-Token": csrf},
            data={"assignment": "tiny", "candidate": candidate},
            files=[("files", ("sub/analysis.ipynb", notebook_bytes("x = 1")))],
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    for job_id in ids:
        assert wait_for_job(client, job_id)["state"] == "done"
    page = client.get("/assignments/tiny")
    assert page.status_code == 200 and "Plain Name" in page.text and "&#34;http://evil.example&#34;" in page.text
    assert '<meta http-equiv="refresh"' not in page.text  # nothing pending: no more refreshing
    summary = client.get("/api/assignments/tiny/summary").json()
    assert {row["job"] for row in summary["submissions"]} == set(ids)
    response = client.get("/assignments/tiny/summary.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["submission", "candidate", "grading_status", "total"]
    assert rows[1][0] == "POINTS POSSIBLE"
    candidates = {row[1] for row in rows[2:]}
    assert candidates == {'\'=HYPERLINK("http://evil.example","x")', "Plain Name", "'+cmd|' /C calc'!A0"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[2:] for cell in row if cell)


def test_pending_jobs_refresh_their_pages(client: TestClient, settings: WebSettings) -> None:
    from tests.web.conftest import login

    csrf = login(client)
    client.app.state.ctx.pool.stop()  # type: ignore[attr-defined]  # nothing will be graded now
    response = client.post(
        "/api/uploads",
        headers={"X-CSRF-Token": csrf},
        data={"assignment": "tiny"},
        files=[("files", ("sub/analysis.ipynb", notebook_bytes("x = 1")))],
    )
    job_id = response.json()["id"]
    assert '<meta http-equiv="refresh" content="2">' in client.get(f"/jobs/{job_id}").text
    # The assignment's summary polls the jobs still grading (and reloads when one finishes).
    assert 'data-poll="/assignments/tiny/progress.json"' in client.get("/assignments/tiny").text
    progress = client.get("/assignments/tiny/progress.json").json()
    assert progress["pending"] is True
    assert progress["jobs"] == [{"id": job_id, "row_status": "queued", "progress": "waiting for a worker"}]
    assert client.get(f"/api/jobs/{job_id}/report").status_code == 409
    assert client.get(f"/jobs/{job_id}/report").status_code == 409


def test_a_grader_that_cannot_start_fails_the_job_with_the_reason(settings: WebSettings) -> None:
    from grader.errors import ConfigError
    from grader.web.app import create_app
    from tests.web.conftest import login

    def broken(assignment: object, rubric: object) -> object:
        raise ConfigError("the sandbox image is not built for this version of the grader: run `grader image build`")

    with TestClient(create_app(settings, grader_factory=broken)) as client:  # type: ignore[arg-type]
        csrf = login(client)
        response = client.post(
            "/api/uploads",
            headers={"X-CSRF-Token": csrf},
            data={"assignment": "tiny"},
            files=[("files", ("sub/analysis.ipynb", notebook_bytes("x = 1")))],
        )
        job = wait_for_job(client, response.json()["id"])
        assert job["state"] == "failed" and "grader image build" in str(job["error"])
        page = client.get(f"/jobs/{job['id']}")
        assert 'id="job-error"' in page.text and "grader image build" in page.text


def test_rejected_submissions_show_the_reason(authed: tuple[TestClient, str], settings: WebSettings) -> None:
    client, csrf = authed
    response = client.post(
        "/api/uploads",
        headers={"X-CSRF-Token": csrf},
        data={"assignment": "tiny"},
        files=[("files", ("sub/analysis.ipynb", notebook_bytes("x = 1")))],
    )
    job_id = response.json()["id"]
    wait_for_job(client, job_id)
    # A submission that vanished before grading (here: re-grading after its files were removed).
    store: JobStore = client.app.state.ctx.store  # type: ignore[attr-defined]
    with store.db.transaction() as conn:
        conn.execute("UPDATE jobs SET state = 'queued', upload_path = 'uploads/missing' WHERE id = ?", (job_id,))
    client.app.state.ctx.pool.notify()  # type: ignore[attr-defined]
    job = wait_for_job(client, job_id)
    assert job["state"] == "done" and job["report_status"] == "rejected" and "does not exist" in str(job["error"])
    assert "The submission was rejected" in client.get(f"/jobs/{job_id}").text


def test_the_report_page_is_rendered_from_report_json_with_a_strict_policy(
    authed: tuple[TestClient, str], settings: WebSettings
) -> None:
    client, csrf = authed
    response = client.post(
        "/api/uploads",
        headers={"X-CSRF-Token": csrf},
        data={"assignment": "tiny"},
        files=[("files", ("sub/analysis.ipynb", notebook_bytes("x = 1")))],
    )
    job = wait_for_job(client, response.json()["id"])
    folder = settings.data_dir / "reports" / str(job["id"])
    (attempt,) = list(folder.iterdir())
    # A file in the output folder is never served as HTML: the page is rendered from report.json.
    (attempt / "report.html").write_text("<!doctype html><p>rendered report</p><script>alert(1)</script>")
    page = client.get(f"/jobs/{job['id']}/report")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "alert(1)" not in page.text and 'id="review-forms"' in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'none'" in csp and "default-src 'none'" in csp and "form-action 'self'" in csp
    assert "frame-ancestors 'none'" in csp and page.headers["x-content-type-options"] == "nosniff"
    # Only pages rendered from our folder are served: the upload itself is never reachable.
    assert client.get(f"/jobs/{job['id']}/report/../../uploads").status_code in (303, 404)
