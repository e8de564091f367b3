"""The web app's embedded SQLite database and its numbered migrations.

Each operation opens its own short-lived connection: SQLite connections are not
meant to be shared between threads, and opening one is cheap. WAL mode lets the
workers write while pages read. The schema lives in `migrations/NNN_name.sql`,
applied in order inside a transaction and recorded in `schema_migrations`.
`grader.web.postgres` runs the same migrations and queries on PostgreSQL
(`grader.web.databases.open_database` picks by the URL).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The file's statements; migrations are plain DDL/DML, so `;` at a line end ends one."""
        body = "\n".join(line for line in self.sql.splitlines() if not line.strip().startswith("--"))
        return [s.strip() for s in re.split(r";\s*(?:\n|$)", body) if s.strip()]


def bundled_migrations() -> list[Migration]:
    """The migrations shipped with the package, in version order."""
    found = []
    for entry in resources.files("grader.web").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {[m.name for m in found]}")
    return found


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the stores use of a connection: `?` placeholders, rows readable by name and by index."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...


class Database:
    """A SQLite file; `connect()` hands out one connection per unit of work."""

    #: The SQL dialect, for the few statements that differ (see `JobStore.claim`).
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def close(self) -> None:
        """Release pooled connections (SQLite keeps none)."""

    @contextlib.contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """Held while migrating; SQLite's IMMEDIATE transactions already serialise servers."""
        yield

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly what we wrote.
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection in autocommit mode, closed afterwards."""
        conn = self._open()
        try:
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: taken up front (IMMEDIATE) so two writers never deadlock on upgrade."""
        conn = self._open()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def initialise(self) -> list[str]:
        """Create the file (private to this user) and apply pending migrations; returns their names."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        with self.connect() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
        return self.migrate(bundled_migrations())

    def migrate(self, migrations: list[Migration]) -> list[str]:
        """Apply the migrations not yet recorded, each in its own transaction."""
        with self._migration_lock():
            return self._migrate(migrations)

    def _migrate(self, migrations: list[Migration]) -> list[str]:
        applied = []
        with self.transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
            )
        for migration in migrations:
            with self.transaction() as conn:
                # Checked inside the transaction: two servers starting at once apply each migration once.
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ).fetchone()
                if done:
                    continue
                for statement in migration.statements():
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, time.time()),
                )
                applied.append(migration.name)
        return applied

    def applied_versions(self) -> list[int]:
        with self.connect() as conn:
            return [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
