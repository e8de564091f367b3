"""The web app's database on PostgreSQL: the same migrations and queries as on SQLite.

The stores write portable SQL with `?` placeholders and read rows by column name or
index, as `sqlite3.Row` allows; this module turns `?` into psycopg's `%s` and returns
rows that behave the same. Connections come from a small pool (a PostgreSQL
connection is a process on the server: too dear to open per query). Write
transactions run at READ COMMITTED: every read-then-write in the stores is either a
single guarded statement or a claim with `FOR UPDATE SKIP LOCKED`; migrations take an
advisory lock so that servers starting together apply each migration once.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from grader.errors import ConfigError
from grader.web.db import Connection, Cursor, Database, bundled_migrations

#: Any constant shared by every server of one deployment: the key of the migration lock.
MIGRATION_LOCK_KEY = 0x7468_6772_6164  # "thgrad"
_TOKEN = re.compile(r"'(?:[^']|'')*'|\?|%")


@functools.lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """`?` placeholders (outside string literals) to `%s`; every literal `%` doubled."""

    def replace(match: re.Match[str]) -> str:
        token = match.group()
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _TOKEN.sub(replace, sql)


class Row(tuple[Any, ...]):
    """A result row readable by index or column name, and by `dict(row)` (like `sqlite3.Row`)."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    index = {column.name: n for n, column in enumerate(cursor.description or [])}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._index = index
        return row

    return make


class _Connection:
    """A pooled psycopg connection that speaks the stores' dialect."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        cursor: Cursor = self._conn.execute(to_pyformat(sql), tuple(parameters))
        return cursor


class PostgresDatabase(Database):
    """A PostgreSQL database named by a `postgresql://` URL."""

    dialect = "postgresql"

    def __init__(self, url: str, *, max_connections: int = 10) -> None:
        self.url = url
        try:
            # One plain connection first: a wrong URL fails at once with the server's own message.
            psycopg.connect(url, connect_timeout=10).close()
            self.pool: ConnectionPool[Any] = ConnectionPool(
                url,
                min_size=1,
                max_size=max_connections,
                kwargs={"autocommit": True, "row_factory": _row_factory},
                open=True,
                name="grader-web",
            )
            self.pool.wait(timeout=15.0)
        except Exception as exc:  # psycopg_pool says PoolTimeout for a refused or a wrong URL
            with contextlib.suppress(Exception):
                self.pool.close()
            raise ConfigError(f"cannot connect to the PostgreSQL database: {exc}") from exc

    def close(self) -> None:
        self.pool.close()

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.pool.connection() as conn:
            yield _Connection(conn)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.pool.connection() as conn, conn.transaction():
            yield _Connection(conn)

    @contextlib.contextmanager
    def _migration_lock(self) -> Iterator[None]:
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))

    def initialise(self) -> list[str]:
        """Apply pending migrations (the database itself is made by its administrator)."""
        return self.migrate(bundled_migrations())
