"""Fixtures for the web app: a tiny assignment, an app with the fake grader, a logged-in client."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import nbformat
import pytest
import yaml

from grader.web.accounts import add_user
from grader.web.app import create_app
from grader.web.databases import open_database
from grader.web.db import Database
from grader.web.postgres import PostgresDatabase
from grader.web.settings import UploadLimits, WebSettings
from tests.conftest import REPO, make_notebook
from tests.services import PostgresServer, free_port
from tests.web.fake_grader import factory

with warnings.catch_warnings():
    # Starlette 1.x wants the `httpx2` fork for its test client; plain httpx still works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

USER, PASSWORD = "alice", "correct horse battery staple"
#: Small limits so the tests can cross them with small bodies.
TEST_LIMITS = UploadLimits(
    max_request_bytes=4 * 1024 * 1024, max_files=20, max_file_bytes=2 * 1024 * 1024, max_expanded_bytes=6 * 1024 * 1024
)


def write_tiny_assignment(folder: Path) -> Path:
    """A small binary-classification assignment whose notebook runs in a second or two."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.csv").write_text("id,x,y\n1,0.5,0\n2,1.5,1\n3,2.5,1\n4,0.1,0\n5,0.3,0\n6,2.0,1\n")
    (folder / "test_features.csv").write_text("id,x\n7,0.2\n8,2.2\n")
    (folder / "hidden").mkdir(exist_ok=True)
    (folder / "hidden" / "test_labels.csv").write_text("id,y\n7,0\n8,1\n")
    (folder / "BRIEF.md").write_text("# Tiny\nPredict y.\n")
    spec = {
        "name": "tiny",
        "title": "Tiny take-home",
        "task": "binary_classification",
        "target": "y",
        "id_column": "id",
        "primary_metric": "roc_auc",
        "public_files": ["train.csv", "test_features.csv", "BRIEF.md"],
        "hidden_files": ["hidden/test_labels.csv"],
        "rubric": str(REPO / "rubrics" / "ml-takehome.yaml"),
        "prediction_contract": {"id_column": "id", "prediction_column": "y", "probability_column": "p"},
        "holdout": {"labels_file": "hidden/test_labels.csv", "id_column": "id", "target_column": "y"},
        "limits": {"timeout_seconds": 120, "cell_timeout_seconds": 60, "memory_mb": 1024, "pids": 128},
    }
    (folder / "assignment.yaml").write_text(yaml.safe_dump(spec))
    return folder


TINY_CELLS = (
    ("md", "# Tiny model\nA logistic regression on one feature."),
    "import pandas as pd\ntrain = pd.read_csv('data/train.csv')\ntrain.shape",
    "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(train[['x']], train['y'])",
    "test = pd.read_csv('data/test_features.csv')\n"
    "pd.DataFrame({'id': test['id'], 'y': model.predict(test[['x']]),"
    " 'p': model.predict_proba(test[['x']])[:, 1]}).to_csv('predictions.csv', index=False)",
)


def notebook_bytes(*cells: str | tuple[str, str]) -> bytes:
    return nbformat.writes(make_notebook(*(cells or TINY_CELLS))).encode()


def write_tiny_submission(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "analysis.ipynb").write_bytes(notebook_bytes())
    (folder / "README.md").write_text("# My take-home\nRun analysis.ipynb.\n")
    return folder


@pytest.fixture(scope="session")
def tiny_assignment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_assignment(tmp_path_factory.mktemp("assignments") / "tiny")


# --------------------------------------------------------------------------- SQLite, and PostgreSQL too

#: Modules whose DB-level and API tests run on both databases (the browser suite stays on SQLite).
BOTH_DATABASES = {"tests.web.test_jobs", "tests.web.test_auth", "tests.web.test_uploads"}
TEMPLATE = "template_with_user"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_kind" in metafunc.fixturenames and metafunc.module.__name__ in BOTH_DATABASES:
        metafunc.parametrize(
            "db_kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
        )


@pytest.fixture
def db_kind(request: pytest.FixtureRequest) -> str:
    """`sqlite` (the default) or `postgresql` where a module runs on both."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer) -> str:
    """A schema holding the test reviewer (hashed once), copied into each test's schema."""
    db = PostgresDatabase(postgres.create_schema(TEMPLATE))
    db.initialise()
    add_user(db, USER, PASSWORD)
    db.close()
    return TEMPLATE


def _postgres_url(request: pytest.FixtureRequest, *, with_user: bool) -> str:
    """A fresh schema of the session's PostgreSQL server (migrated, with the reviewer, if asked)."""
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.create_schema(f"t_{uuid.uuid4().hex}")
    if with_user:
        template = request.getfixturevalue("postgres_template")
        db = PostgresDatabase(url)
        db.initialise()
        with db.transaction() as conn:
            conn.execute(f"INSERT INTO users SELECT * FROM {template}.users")
        db.close()
    return url


@pytest.fixture
def fresh_database(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty (not migrated) database of the kind under test."""
    if db_kind == "sqlite":
        yield Database(tmp_path / "fresh.sqlite3")
        return
    db = PostgresDatabase(_postgres_url(request, with_user=False))
    yield db
    db.close()


def database_of(settings: WebSettings) -> Database:
    """The database the app of `settings` uses (close it after use)."""
    return open_database(settings.database, settings.db_path)


@pytest.fixture(scope="session")
def database_with_user(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database holding the test reviewer (argon2 is slow on purpose: hash once)."""
    db = Database(tmp_path_factory.mktemp("db") / "grader.sqlite3")
    db.initialise()
    add_user(db, USER, PASSWORD)
    return db.path


@pytest.fixture
def settings(
    tmp_path: Path, tiny_assignment: Path, database_with_user: Path, db_kind: str, request: pytest.FixtureRequest
) -> WebSettings:
    data = tmp_path / "data"
    data.mkdir()
    database = None
    if db_kind == "postgresql":
        database = _postgres_url(request, with_user=True)
    else:
        shutil.copyfile(database_with_user, data / "grader.sqlite3")
    return WebSettings(
        data_dir=data,
        assignment_dirs=(tiny_assignment,),
        limits=TEST_LIMITS,
        poll_seconds=0.1,
        lease_seconds=5.0,
        database=database,
    )


@pytest.fixture
def client(settings: WebSettings) -> Iterator[TestClient]:
    """A client of an app grading with the (instant) fake grader; not logged in."""
    app = create_app(settings, grader_factory=factory)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def login(client: TestClient | httpx.Client, name: str = USER, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token.group(1)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    me = client.get("/api/me")
    assert me.status_code == 200
    csrf: str = me.json()["csrf_token"]
    return csrf


@pytest.fixture
def authed(client: TestClient) -> tuple[TestClient, str]:
    return client, login(client)


def wait_for_job(client: TestClient | httpx.Client, job_id: str, timeout: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, object] = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


# --------------------------------------------------------------------------- a real server process


class Server:
    """`grader serve` in a subprocess."""

    def __init__(
        self, data: Path, assignments: Path, *, env: dict[str, str], workers: int = 1, log: Path | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log or data.parent / f"server-{self.port}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "grader.cli",
                "serve",
                "--port",
                str(self.port),
                "--data",
                str(data),
                "--workers",
                str(workers),
                "--assignments",
                str(assignments),
            ],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}: {self.output()}")
            try:
                if httpx.get(f"{self.url}/login", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not start: {self.output()}")

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return Path(self.log.name).read_text("utf-8", "replace")[-4000:]

    def stop(self, sig: int | None = None, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)  # reaps it: a zombie would still look alive
        self.log.close()
        return code


def start_server(root: Path, *, fake: bool, env: dict[str, str] | None = None) -> Server:
    """`grader serve` on the tiny assignment with the test reviewer (`fake`: the instant fake grader)."""
    data = root / "data"
    assignments = write_tiny_assignment(root / "assignments" / "tiny")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    environment["PYTHONPATH"] = str(REPO)
    if fake:
        environment["GRADER_WEB_GRADER_FACTORY"] = "tests.web.fake_grader:factory"
    environment |= env or {}
    subprocess.run(
        [sys.executable, "-m", "grader.cli", "user", "add", USER, "--password-stdin", "--data", str(data)],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        cwd=REPO,
        check=True,
    )
    return Server(data, assignments, env=environment, workers=1)
