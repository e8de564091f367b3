"""Which database the web app uses: the SQLite file by default, PostgreSQL for a `postgresql://` URL.

Apart from `db` and `postgres` so that neither imports the other's choice, and psycopg is
imported only when a PostgreSQL URL is given.
"""

from __future__ import annotations

from pathlib import Path

from grader.errors import ConfigError
from grader.web.db import Database


def open_database(url: str | None, sqlite_path: Path) -> Database:
    """PostgreSQL for a `postgresql://` URL, else the SQLite file (the default)."""
    if url and url.startswith(("postgresql://", "postgres://")):
        from grader.web.postgres import PostgresDatabase

        return PostgresDatabase(url)
    if url:
        raise ConfigError("--database takes a postgresql:// URL (SQLite in the data folder is the default)")
    return Database(sqlite_path)
