"""Grading jobs in the web app's database, with a claim protocol that survives a crash.

A worker claims a job with one guarded UPDATE (`... WHERE id = ? AND state =
'queued'`): of two workers racing for a job exactly one sees a changed row. The
claim records the worker's owner id (host:pid:nonce), bumps `attempts` and sets
a lease the worker keeps renewing. The result is committed by one more guarded
UPDATE that only succeeds while the worker still owns the running job, so a job
whose lease was taken away is never completed twice. When a lease lapses, or its
owner is a process that no longer exists, the job goes back to the queue. On
PostgreSQL the claim is one `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)`.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from grader.api import CellProgress, parse_cell_line
from grader.web.db import Database


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


@dataclass(frozen=True)
class Job:
    """One row of `jobs`."""

    id: str
    assignment: str
    rubric: str | None
    candidate: str
    submission_name: str
    upload_path: str
    created_by: str | None
    state: JobState
    attempts: int
    owner: str | None
    lease_expires_at: float | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    result_dir: str | None
    report_status: str | None
    score: float | None
    max_score: float | None
    percent: float | None
    band: str | None
    flags: list[str]
    error: str | None
    #: Graded blind (uploaded as anonymous).
    blind: bool = False
    #: The code cell running now, as the sandbox last reported it (see `progress_text`).
    progress: dict[str, int] | None = None

    @classmethod
    def from_row(cls, row: Any) -> Job:
        data = dict(row)
        data.pop("heartbeat_at", None)
        data["state"] = JobState(data["state"])
        data["flags"] = json.loads(data["flags"]) if data.get("flags") else []
        data["blind"] = bool(data.get("blind"))
        data["progress"] = _progress_of(data.get("progress"))
        return cls(**data)

    @property
    def progress_text(self) -> str:
        """ "cell 7 of 23" while the job runs and the sandbox has reported a cell, else ""."""
        if self.state is not JobState.running or self.progress is None:
            return ""
        return CellProgress(**self.progress).text()

    @property
    def finished(self) -> bool:
        return self.state in (JobState.done, JobState.failed)

    def public(self) -> dict[str, Any]:
        """The job as the JSON API shows it (no server paths, no owner)."""
        return {
            "id": self.id,
            "assignment": self.assignment,
            "rubric": self.rubric,
            "candidate": self.candidate,
            "submission": self.submission_name,
            "state": self.state.value,
            "attempts": self.attempts,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "report_status": self.report_status,
            "score": self.score,
            "max": self.max_score,
            "percent": self.percent,
            "band": self.band,
            "flags": self.flags,
            "error": self.error,
            "progress": self.progress_text,
        }


@dataclass(frozen=True)
class Outcome:
    """What a finished attempt commits: a report's headline, or why grading could not happen."""

    state: JobState
    result_dir: str | None = None
    report_status: str | None = None
    score: float | None = None
    max_score: float | None = None
    percent: float | None = None
    band: str | None = None
    flags: tuple[str, ...] = ()
    error: str | None = None


def _progress_of(stored: Any) -> dict[str, int] | None:
    """The stored progress, validated again (it came from a sandbox); None when absent or unreadable."""
    if not isinstance(stored, str):
        return None
    parsed = parse_cell_line(stored.encode())
    return parsed.as_dict() if parsed else None


def new_owner_id() -> str:
    """This process's identity as a job owner; the nonce tells a restarted server from its past self."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_dead(owner: str) -> bool:
    """True when `owner` was a process on this host that no longer runs (zombies count as dead)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine: only its lease can tell
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


_COLUMNS = (
    "id, assignment, rubric, candidate, submission_name, upload_path, created_by, state, attempts, owner,"
    " lease_expires_at, heartbeat_at, created_at, started_at, finished_at, result_dir, report_status,"
    " score, max_score, percent, band, flags, error, blind, progress"
)


class JobStore:
    """Every read and write of `jobs`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(
        self,
        *,
        job_id: str,
        assignment: str,
        rubric: str | None,
        candidate: str,
        submission_name: str,
        upload_path: str,
        created_by: str | None,
        blind: bool = False,
    ) -> Job:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO jobs (id, assignment, rubric, candidate, submission_name, upload_path, created_by,"
                " state, attempts, created_at, blind) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
                (
                    job_id,
                    assignment,
                    rubric,
                    candidate,
                    submission_name,
                    upload_path,
                    created_by,
                    time.time(),
                    int(blind),
                ),
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        with self.db.connect() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_row(row) if row else None

    def list_jobs(self, *, assignment: str | None = None, limit: int = 500) -> list[Job]:
        """Newest first."""
        query = f"SELECT {_COLUMNS} FROM jobs"
        params: tuple[Any, ...] = ()
        if assignment is not None:
            query += " WHERE assignment = ?"
            params = (assignment,)
        query += " ORDER BY created_at DESC, id LIMIT ?"
        with self.db.connect() as conn:
            return [Job.from_row(r) for r in conn.execute(query, (*params, limit))]

    def ids(self) -> set[str]:
        with self.db.connect() as conn:
            return {row[0] for row in conn.execute("SELECT id FROM jobs")}

    def claim(self, owner: str, lease_seconds: float) -> Job | None:
        """Take the oldest queued job for `owner`, or None when the queue is empty."""
        if self.db.dialect == "postgresql":
            return self._claim_skip_locked(owner, lease_seconds)
        while True:
            with self.db.connect() as conn:
                row = conn.execute(
                    "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id LIMIT 1"
                ).fetchone()
            if row is None:
                return None
            now = time.time()
            with self.db.transaction() as conn:
                taken = conn.execute(
                    "UPDATE jobs SET state = 'running', owner = ?, attempts = attempts + 1, lease_expires_at = ?,"
                    " heartbeat_at = ?, started_at = ?, progress = NULL WHERE id = ? AND state = 'queued'",
                    (owner, now + lease_seconds, now, now, row["id"]),
                ).rowcount
            if taken == 1:
                return self.get(row["id"])
            # Another worker won this one: look again.

    def _claim_skip_locked(self, owner: str, lease_seconds: float) -> Job | None:
        """PostgreSQL: one statement; a job another server is claiming is skipped, not waited for."""
        now = time.time()
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE jobs SET state = 'running', owner = ?, attempts = attempts + 1, lease_expires_at = ?,"
                " heartbeat_at = ?, started_at = ?, progress = NULL WHERE id = (SELECT id FROM jobs WHERE state = 'queued'"
                " ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = 'queued' RETURNING id",
                (owner, now + lease_seconds, now, now),
            ).fetchone()
        return self.get(row["id"]) if row is not None else None

    def renew(self, owner: str, job_ids: list[str], lease_seconds: float) -> int:
        """Extend the leases `owner` still holds; returns how many it holds."""
        if not job_ids:
            return 0
        now = time.time()
        marks = ", ".join("?" for _ in job_ids)
        with self.db.transaction() as conn:
            return conn.execute(
                f"UPDATE jobs SET lease_expires_at = ?, heartbeat_at = ? WHERE owner = ? AND state = 'running'"
                f" AND id IN ({marks})",
                (now + lease_seconds, now, owner, *job_ids),
            ).rowcount

    def set_progress(self, job_id: str, owner: str, progress: CellProgress) -> bool:
        """Record the cell a running job has reached; False if `owner` no longer holds the job."""
        with self.db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE jobs SET progress = ? WHERE id = ? AND owner = ? AND state = 'running'",
                    (json.dumps(progress.as_dict()), job_id, owner),
                ).rowcount
                == 1
            )

    def complete(self, job_id: str, owner: str, outcome: Outcome) -> bool:
        """Commit an attempt's result once; False if `owner` no longer holds the job."""
        with self.db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE jobs SET state = ?, result_dir = ?, report_status = ?, score = ?, max_score = ?,"
                    " percent = ?, band = ?, flags = ?, error = ?, finished_at = ?, owner = NULL,"
                    " lease_expires_at = NULL WHERE id = ? AND owner = ? AND state = 'running'",
                    (
                        outcome.state.value,
                        outcome.result_dir,
                        outcome.report_status,
                        outcome.score,
                        outcome.max_score,
                        outcome.percent,
                        outcome.band,
                        json.dumps(list(outcome.flags)),
                        outcome.error,
                        time.time(),
                        job_id,
                        owner,
                    ),
                ).rowcount
                == 1
            )

    def requeue(self, job_id: str) -> bool:
        """Queue a finished job to be graded again (its last report stays until the new one commits)."""
        with self.db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE jobs SET state = 'queued', owner = NULL, lease_expires_at = NULL, started_at = NULL,"
                    " finished_at = NULL WHERE id = ? AND state IN ('done', 'failed')",
                    (job_id,),
                ).rowcount
                == 1
            )

    def delete(self, job_id: str) -> bool:
        """Forget a job that is not being graded; False while a worker holds it."""
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM jobs WHERE id = ? AND state != 'running'", (job_id,)).rowcount == 1

    def release(self, owner: str) -> int:
        """Put back every job `owner` holds (a clean shutdown); the attempt still counts."""
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE jobs SET state = 'queued', owner = NULL, lease_expires_at = NULL"
                " WHERE owner = ? AND state = 'running'",
                (owner,),
            ).rowcount

    def recover(self, *, max_attempts: int, check_owners: bool) -> list[str]:
        """Requeue running jobs whose lease lapsed (or, with `check_owners`, whose owner died).

        A job that already used `max_attempts` is failed instead: it keeps killing its grader.
        Returns the ids that changed.
        """
        now = time.time()
        with self.db.connect() as conn:
            rows = conn.execute(
                "SELECT id, owner, attempts, lease_expires_at FROM jobs WHERE state = 'running'"
            ).fetchall()
        changed = []
        for row in rows:
            lapsed = row["lease_expires_at"] is None or row["lease_expires_at"] < now
            dead = check_owners and (row["owner"] is None or owner_is_dead(row["owner"]))
            if not (lapsed or dead):
                continue
            # Guarded by the owner we saw: if that worker renewed or finished meanwhile, leave it.
            same_owner = "owner IS NULL" if row["owner"] is None else "owner = ?"
            guard: tuple[Any, ...] = (row["id"],) if row["owner"] is None else (row["id"], row["owner"])
            with self.db.transaction() as conn:
                if row["attempts"] >= max_attempts:
                    count = conn.execute(
                        "UPDATE jobs SET state = 'failed', owner = NULL, lease_expires_at = NULL, finished_at = ?,"
                        f" error = ? WHERE id = ? AND state = 'running' AND {same_owner}",
                        (
                            now,
                            f"grading was interrupted {row['attempts']} times (the server stopped while grading"
                            " this submission); giving up",
                            *guard,
                        ),
                    ).rowcount
                else:
                    count = conn.execute(
                        "UPDATE jobs SET state = 'queued', owner = NULL, lease_expires_at = NULL"
                        f" WHERE id = ? AND state = 'running' AND {same_owner}",
                        guard,
                    ).rowcount
            if count:
                changed.append(row["id"])
        return changed

    def counts(self) -> dict[str, dict[str, int]]:
        """Jobs per assignment and state."""
        result: dict[str, dict[str, int]] = {}
        with self.db.connect() as conn:
            for row in conn.execute("SELECT assignment, state, COUNT(*) AS n FROM jobs GROUP BY assignment, state"):
                result.setdefault(row["assignment"], {})[row["state"]] = row["n"]
        return result
