"""Deny-by-default middleware: security headers on every response, login and CSRF on every route.

Authentication is a middleware rather than a per-route dependency so that a
route added later is private without anyone remembering to say so: only the
paths in `PUBLIC_PATHS` / `PUBLIC_PREFIXES` are reachable without a session.
Every unsafe method must carry the session's CSRF token, as the `X-CSRF-Token`
header or a `csrf_token` form field; streamed uploads check the field
themselves before storing a byte (see `uploads.py`).
"""

from __future__ import annotations

import hmac
import html
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import anyio.to_thread

from grader.web.accounts import Session, lookup_session
from grader.web.db import Database

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "thg_session"
LOGIN_CSRF_COOKIE = "thg_login_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: Reachable without logging in; everything else needs a session.
PUBLIC_PATHS = {"/login"}
PUBLIC_PREFIXES = ("/static/",)
#: Multipart routes that check the CSRF field while streaming, before storing any file.
STREAMING_UPLOADS = {"/upload", "/api/uploads"}
MAX_FORM_BYTES = 64 * 1024

APP_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
#: For report.html from our output folder: candidate output inside it is untrusted, so no script at all,
#: and `sandbox` gives the page an opaque origin with no access to the app's cookies or pages.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox"
)
SECURITY_HEADERS = {
    "content-security-policy": APP_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def is_public(path: str) -> bool:
    """Whether a path is served without a login."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def is_api(path: str) -> bool:
    """Whether a path belongs to the JSON API."""
    return path == "/api" or path.startswith("/api/")


def safe_next(target: str | None) -> str:
    """Where to go after login: a local path only (never `//host` or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _cookies(scope: Scope) -> dict[str, str]:
    jar: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for item in value.decode("latin-1").split(";"):
                key, _, val = item.strip().partition("=")
                if key and key not in jar:
                    jar[key] = val
    return jar


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


class SecurityHeadersMiddleware:
    """Adds the security headers to every response that did not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(PUBLIC_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _respond(
    send: Send, status: int, body: bytes, content_type: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole (small) body, or None if it is larger than `limit` or the client left."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            return None
        chunks.append(body)
        if not message.get("more_body", False):
            return b"".join(chunks)


class AuthMiddleware:
    """Session lookup for every non-public path, and the CSRF check for every unsafe method."""

    def __init__(self, app: ASGIApp, *, db: Database, idle_seconds: float) -> None:
        self.app = app
        self.db = db
        self.idle_seconds = idle_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        state = scope.setdefault("state", {})
        cookies = _cookies(scope)
        if is_public(path):
            if path == "/login" and method not in SAFE_METHODS:
                expected = cookies.get(LOGIN_CSRF_COOKIE, "")
                replayed = await self._check_form_token(scope, receive, send, expected)
                if replayed is None:
                    return
                receive = replayed
            await self.app(scope, receive, send)
            return

        token = cookies.get(SESSION_COOKIE, "")
        session: Session | None = None
        if token:
            session = await anyio.to_thread.run_sync(
                lambda: lookup_session(self.db, token, idle_seconds=self.idle_seconds)
            )
        if session is None:
            await self._unauthenticated(scope, send, path)
            return
        state["session"] = session
        state["user"] = session.user

        if method not in SAFE_METHODS:
            if not self._same_origin(scope):
                await self._forbidden(send, path, "cross-site request refused")
                return
            header = _header(scope, CSRF_HEADER.encode())
            content_type = (_header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
            if header is not None:
                if not hmac.compare_digest(header.encode(), session.csrf_token.encode()):
                    await self._forbidden(send, path, "the CSRF token is wrong; reload the page and try again")
                    return
                state["csrf_checked"] = True
            elif content_type == "application/x-www-form-urlencoded":
                checked = await self._check_form_token(scope, receive, send, session.csrf_token)
                if checked is None:
                    return
                receive = checked
                state["csrf_checked"] = True
            elif content_type == "multipart/form-data" and path in STREAMING_UPLOADS:
                state["csrf_checked"] = False  # the upload route checks the first field before any file
            else:
                await self._forbidden(send, path, "the CSRF token is missing; send it as the X-CSRF-Token header")
                return
        await self.app(scope, receive, send)

    async def _check_form_token(self, scope: Scope, receive: Receive, send: Send, expected: str) -> Receive | None:
        """Read a small urlencoded form, compare its `csrf_token`, and replay the body to the app."""
        content_type = (_header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            await self._forbidden(send, scope["path"], "the form's security token is missing; reload the page")
            return None
        body = await _read_body(receive, MAX_FORM_BYTES)
        if body is None:
            await _respond(send, 413, b"form too large", b"text/plain; charset=utf-8")
            return None
        sent = parse_qs(body.decode("latin-1"), keep_blank_values=True).get("csrf_token", [""])[0]
        if not expected or not hmac.compare_digest(sent.encode("latin-1"), expected.encode("latin-1")):
            await self._forbidden(
                send, scope["path"], "the form's security token is missing or wrong; reload the page and try again"
            )
            return None
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    @staticmethod
    def _same_origin(scope: Scope) -> bool:
        """Defence in depth beside the token: refuse what the browser itself says is cross-site.

        `Origin: null` carries no information (Chromium sends it for every form POST from a page
        with `Referrer-Policy: no-referrer`, ours included), so only a named foreign origin counts.
        """
        if (_header(scope, b"sec-fetch-site") or "").lower() == "cross-site":
            return False
        origin = _header(scope, b"origin")
        if origin is None or origin == "null":
            return True
        return urlsplit(origin).netloc == (_header(scope, b"host") or "")

    @staticmethod
    async def _unauthenticated(scope: Scope, send: Send, path: str) -> None:
        if is_api(path):
            body = json.dumps({"detail": "log in first: POST /login, then send the session cookie"}).encode()
            await _respond(send, 401, body, b"application/json")
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{query}" if query else "")
        location = "/login" if path == "/" else f"/login?next={quote(target, safe='')}"
        await _respond(send, 303, b"", b"text/plain", [(b"location", location.encode())])

    @staticmethod
    async def _forbidden(send: Send, path: str, message: str) -> None:
        if is_api(path):
            await _respond(send, 403, json.dumps({"detail": message}).encode(), b"application/json")
            return
        page = (
            f"<!doctype html><meta charset=utf-8><title>Refused</title><link rel=stylesheet href=/static/style.css>"
            f"<main><h1>Request refused</h1><p class=error>{html.escape(message)}</p>"
            f"<p><a href=/>Back to the start page</a></p></main>"
        )
        await _respond(send, 403, page.encode(), b"text/html; charset=utf-8")


def new_login_csrf() -> str:
    """A fresh CSRF token for the login form."""
    return secrets.token_urlsafe(24)
