"""Reviewer accounts and server-side sessions.

Passwords are hashed with argon2id. A session is a random token in an HttpOnly
cookie; the database keeps only its SHA-256, with the session's CSRF token and
its expiry, so logging out (deleting the row) really ends it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from grader.errors import ConfigError
from grader.web.db import Database

_HASHER = PasswordHasher()
#: Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class User:
    id: str
    name: str


@dataclass(frozen=True)
class Session:
    user: User
    token_hash: str
    csrf_token: str
    expires_at: float


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(db: Database, name: str, password: str) -> User:
    """Create a reviewer; the name must be new and the password long enough."""
    if not USER_NAME.match(name):
        raise ConfigError("a user name is 1-100 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = User(id=uuid.uuid4().hex, name=name)
    with db.transaction() as conn:
        # One statement, so two servers adding the same name at once cannot both succeed (nor crash).
        added = conn.execute(
            "INSERT INTO users (id, name, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
            (user.id, name, _HASHER.hash(password), time.time()),
        ).rowcount
    if added != 1:
        raise ConfigError(f"the user {name!r} already exists")
    return user


def authenticate(db: Database, name: str, password: str) -> User | None:
    """The user if the password matches, else None (in about the same time either way)."""
    with db.connect() as conn:
        row = conn.execute("SELECT id, name, password_hash FROM users WHERE name = ?", (name,)).fetchone()
    stored = row["password_hash"] if row else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        with db.transaction() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (_HASHER.hash(password), row["id"]))
    return User(id=row["id"], name=row["name"])


def start_session(db: Database, user: User, *, max_seconds: float) -> tuple[str, Session]:
    """A fresh session (never reusing a token the browser already had); returns the cookie value."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    session = Session(
        user=user, token_hash=_token_hash(token), csrf_token=secrets.token_urlsafe(32), expires_at=now + max_seconds
    )
    with db.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
        conn.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (session.token_hash, user.id, session.csrf_token, now, now, session.expires_at),
        )
    return token, session


def lookup_session(db: Database, token: str, *, idle_seconds: float) -> Session | None:
    """The live session for a cookie value; expired or idle sessions are deleted and refused."""
    if not token or len(token) > 200:
        return None
    token_hash = _token_hash(token)
    now = time.time()
    with db.connect() as conn:
        row = conn.execute(
            "SELECT s.token_hash, s.csrf_token, s.last_seen_at, s.expires_at, u.id, u.name"
            " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
            (token_hash,),
        ).fetchone()
    if row is None:
        return None
    if row["expires_at"] < now or row["last_seen_at"] + idle_seconds < now:
        end_session(db, token_hash)
        return None
    if now - row["last_seen_at"] > 60:  # touch at most once a minute: reads stay reads
        with db.transaction() as conn:
            conn.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", (now, token_hash))
    return Session(
        user=User(id=row["id"], name=row["name"]),
        token_hash=row["token_hash"],
        csrf_token=row["csrf_token"],
        expires_at=row["expires_at"],
    )


def end_session(db: Database, token_hash: str) -> None:
    """Delete the session: its cookie is worthless from now on."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))
