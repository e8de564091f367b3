"""Login, sessions, CSRF and security headers, checked on every route the app has."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from grader.web.app import create_app
from grader.web.security import LOGIN_CSRF_COOKIE, PUBLIC_PATHS, PUBLIC_PREFIXES, SESSION_COOKIE
from grader.web.settings import WebSettings
from tests.web.conftest import PASSWORD, USER, TestClient, database_of, login
from tests.web.fake_grader import factory

JOB = "0" * 32
PARAMS = {"job_id": JOB, "name": "tiny"}


def _routes(client: TestClient) -> list[tuple[str, str, str]]:
    """(method, concrete path, template) for every route of the app, path parameters filled in."""
    found = []
    # iter_route_contexts flattens included routers, so routes added anywhere later are enumerated too.
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(route.original_route, Mount):
            found.append(("GET", f"{route.path}/style.css", route.path))
            continue
        assert isinstance(route.original_route, APIRoute | Route), route
        assert route.path and route.methods, route
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PARAMS[m.group(1)], route.path)
        for method in sorted(route.methods):
            if method != "HEAD":
                found.append((method, path, route.path))
    return found


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def test_the_public_surface_is_only_login_and_static() -> None:
    # Widening this set must be a deliberate change: update the test with it.
    assert {"/login"} == PUBLIC_PATHS
    assert PUBLIC_PREFIXES == ("/static/",)


def test_every_route_but_login_needs_a_session(client: TestClient) -> None:
    routes = _routes(client)
    templates = {template for _, _, template in routes}
    # The enumeration really sees the app (and so will see routes added later).
    assert {"/", "/upload", "/jobs/{job_id}", "/api/uploads", "/api/openapi.json", "/static"} <= templates
    checked = 0
    for method, path, _ in routes:
        response = client.request(method, path, follow_redirects=False)
        if _public(path):
            assert response.status_code in (200, 403), (method, path)  # 403: the login form's own CSRF check
            continue
        checked += 1
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert "log in" in response.json()["detail"]
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login"), (method, path)
    assert checked >= 15


def test_a_garbage_session_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "forged-token")
    assert client.get("/api/jobs").status_code == 401
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_login_redirects_only_to_local_paths(client: TestClient) -> None:
    response = client.get("/jobs/abc?x=1", follow_redirects=False)
    assert response.headers["location"] == "/login?next=%2Fjobs%2Fabc%3Fx%3D1"
    page = client.get("/login", params={"next": "//evil.example/x"})
    assert 'name="next" value="/"' in page.text
    token = client.cookies.get(LOGIN_CSRF_COOKIE)
    response = client.post(
        "/login",
        data={"name": USER, "password": PASSWORD, "csrf_token": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_wrong_password_and_unknown_user_are_refused_alike(client: TestClient) -> None:
    for name, password in ((USER, "wrong password!"), ("mallory", PASSWORD)):
        client.get("/login")
        response = client.post(
            "/login", data={"name": name, "password": password, "csrf_token": client.cookies.get(LOGIN_CSRF_COOKIE)}
        )
        assert response.status_code == 400
        assert "wrong name or password" in response.text
        assert SESSION_COOKIE not in response.cookies


def test_repeated_failures_are_throttled(client: TestClient) -> None:
    for _ in range(5):
        client.get("/login")
        client.post(
            "/login",
            data={"name": USER, "password": "nope nope nope", "csrf_token": client.cookies.get(LOGIN_CSRF_COOKIE)},
        )
    client.get("/login")
    response = client.post(
        "/login", data={"name": USER, "password": PASSWORD, "csrf_token": client.cookies.get(LOGIN_CSRF_COOKIE)}
    )
    assert response.status_code == 429


def test_login_form_needs_its_csrf_cookie(client: TestClient) -> None:
    response = client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": "made-up"})
    assert response.status_code == 403
    client.get("/login")
    response = client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": "made-up"})
    assert response.status_code == 403


def test_a_second_login_page_does_not_invalidate_the_first(client: TestClient) -> None:
    first = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    client.get("/login?next=%2Ffavicon.ico")  # e.g. the browser's favicon fetch, redirected to the login page
    assert first is not None
    response = client.post(
        "/login", data={"name": USER, "password": PASSWORD, "csrf_token": first.group(1)}, follow_redirects=False
    )
    assert response.status_code == 303


def test_session_cookie_flags_and_hashed_storage(client: TestClient, settings: WebSettings) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"name": USER, "password": PASSWORD, "csrf_token": client.cookies.get(LOGIN_CSRF_COOKIE)},
        follow_redirects=False,
    )
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in header
    assert re.search(r"SameSite=(lax|strict)", header, re.IGNORECASE)
    assert "Secure" not in header
    token = header.split(";")[0].split("=", 1)[1]
    db = database_of(settings)
    with db.connect() as conn:
        stored = [row[0] for row in conn.execute("SELECT token_hash FROM sessions")]
    db.close()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in stored


def test_secure_flag_is_configurable(settings: WebSettings) -> None:
    from dataclasses import replace

    from grader.web.accounts import add_user

    app = create_app(replace(settings, secure_cookies=True), grader_factory=factory, start_workers=False)
    db = database_of(settings)
    add_user(db, "bob", PASSWORD)
    db.close()
    with TestClient(app, base_url="https://testserver") as client:
        client.get("/login")
        response = client.post(
            "/login",
            data={"name": "bob", "password": PASSWORD, "csrf_token": client.cookies.get(LOGIN_CSRF_COOKIE)},
            follow_redirects=False,
        )
        header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "="))
        assert "Secure" in header


def test_cookie_replayed_after_logout_is_refused(client: TestClient) -> None:
    csrf = login(client)
    stolen = client.cookies.get(SESSION_COOKIE)
    assert client.get("/api/me").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    client.cookies.set(SESSION_COOKIE, stolen)
    assert client.get("/api/me").status_code == 401
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303


def _unsafe_routes(client: TestClient) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _ in _routes(client) if m in ("POST", "PUT", "PATCH", "DELETE") and not _public(p)]


def test_every_post_needs_the_csrf_token(authed: tuple[TestClient, str]) -> None:
    client, csrf = authed
    unsafe = _unsafe_routes(client)
    assert {p for _, p in unsafe} >= {"/logout", "/upload", "/api/uploads"}
    forged = csrf[:-4] + ("AAAA" if not csrf.endswith("AAAA") else "BBBB")
    for method, path in unsafe:
        # No token at all, as JSON, as a form and as multipart.
        assert client.request(method, path).status_code == 403, path
        assert client.request(method, path, json={"x": 1}).status_code == 403, path
        assert client.request(method, path, data={"a": "b"}).status_code == 403, path
        assert (
            client.request(method, path, data={"assignment": "tiny"}, files={"archive": ("a.zip", b"PK")}).status_code
            == 403
        ), path
        # A forged token, in the header and in the form.
        assert client.request(method, path, headers={"X-CSRF-Token": forged}).status_code == 403, path
        assert client.request(method, path, data={"csrf_token": forged}).status_code == 403, path
        assert (
            client.request(
                method, path, data={"csrf_token": forged, "assignment": "tiny"}, files={"archive": ("a.zip", b"PK")}
            ).status_code
            == 403
        ), path
    # The session survived all that (no forged request logged it out).
    assert client.get("/api/me").status_code == 200


def test_another_sessions_token_is_not_accepted(client: TestClient, settings: WebSettings) -> None:
    first = login(client)
    second = login(client)  # a new session: the first one's token belongs to a different session
    assert first != second
    response = client.post("/api/uploads", headers={"X-CSRF-Token": first}, files={"archive": ("a.zip", b"PK")})
    assert response.status_code == 403


def test_cross_origin_posts_are_refused_even_with_a_token(authed: tuple[TestClient, str]) -> None:
    client, csrf = authed
    response = client.post(
        "/logout", data={"csrf_token": csrf}, headers={"Origin": "https://evil.example"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert client.get("/api/me").status_code == 200
    response = client.post(
        "/logout", data={"csrf_token": csrf}, headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False
    )
    assert response.status_code == 403
    # Chromium sends `Origin: null` from pages with Referrer-Policy no-referrer: the token decides.
    response = client.post(
        "/logout",
        data={"csrf_token": csrf},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert response.status_code == 303


@pytest.mark.parametrize("logged_in", [False, True])
def test_security_headers_on_every_response(client: TestClient, logged_in: bool) -> None:
    if logged_in:
        login(client)
    for method, path, _ in [*_routes(client), ("GET", "/no/such/page", ""), ("GET", "/api/no/such", "")]:
        response = client.request(method, path, follow_redirects=False)
        csp = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, (method, path)
        assert "default-src 'none'" in csp, (method, path)
        assert "http" not in csp, (method, path)  # no external source anywhere
        assert response.headers.get("referrer-policy") == "no-referrer", (method, path)
        assert response.headers.get("x-content-type-options") == "nosniff", (method, path)


def test_openapi_schema_needs_login_and_documents_the_api(authed: tuple[TestClient, str]) -> None:
    client, _ = authed
    schema = client.get("/api/openapi.json").json()
    assert {"/api/uploads", "/api/jobs/{job_id}", "/api/jobs/{job_id}/report"} <= set(schema["paths"])
    assert "multipart/form-data" in schema["paths"]["/api/uploads"]["post"]["requestBody"]["content"]
    assert client.get("/docs").status_code in (303, 404)  # no Swagger UI: it would load scripts from a CDN


def test_user_add_command(tmp_path: object, settings: WebSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from grader.cli import main
    from grader.web.accounts import authenticate

    where = ["--data", str(settings.data_dir)] + (["--database", settings.database] if settings.database else [])
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["user", "add", "carol", "--password-stdin", *where]) == 0
    db = database_of(settings)
    assert authenticate(db, "carol", "another long password") is not None
    assert authenticate(db, "carol", "another long passwor") is None
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "dave", "--password-stdin", *where]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["user", "add", "carol", "--password-stdin", *where]) == 2
    with db.connect() as conn:
        (hashed,) = conn.execute("SELECT password_hash FROM users WHERE name = 'carol'").fetchone()
    db.close()
    assert hashed.startswith("$argon2id$")
