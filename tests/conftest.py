"""Shared fixtures: tiny notebooks, and the real Docker engine for `docker` tests.

Docker tests never skip silently in CI: if no engine answers they fail. Set
GRADER_SKIP_DOCKER=1 to skip them on a laptop without Docker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from grader.evidence.build import context_of
from grader.evidence.context import CheckContext, SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.notebook import NotebookView
from grader.models.report import Report
from tests.corpus import Expected
from tests.services import PostgresServer

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden report snapshots instead of comparing against them",
    )


def make_notebook(
    *cells: str | tuple[str, str], outputs: dict[int, list[dict]] | None = None, counts: list[int | None] | None = None
) -> nbformat.NotebookNode:
    """A notebook from sources; `("md", text)` makes a markdown cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code_number = 0
    for index, cell in enumerate(cells):
        if isinstance(cell, tuple) and cell[0] == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell[1]))
            continue
        source = cell if isinstance(cell, str) else cell[1]
        code = nbformat.v4.new_code_cell(source)
        if outputs and index in outputs:
            code.outputs = [nbformat.from_dict(o) for o in outputs[index]]
        if counts is not None:
            code.execution_count = counts[code_number] if code_number < len(counts) else None
        code_number += 1
        nb.cells.append(code)
    return nb


def write_submission(folder: Path, *cells: str | tuple[str, str], name: str = "analysis.ipynb", **kw: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(make_notebook(*cells, **kw), str(folder / name))  # type: ignore[arg-type]
    return folder


def static_context(nb: nbformat.NotebookNode, **kw: object) -> CheckContext:
    """A check context for a notebook that was not executed."""
    view = NotebookView.from_nodes([("analysis.ipynb", nb)])
    return context_of(
        submission=SubmissionFacts(name="test", files=("analysis.ipynb",), notebooks=("analysis.ipynb",)),
        notebook=view,
        execution=not_run_record(view, "static test"),
        **kw,
    )  # type: ignore[arg-type]


@pytest.fixture
def notebook_factory():  # type: ignore[no-untyped-def]
    return make_notebook


# --------------------------------------------------------------------------- Docker


def _skip_docker() -> bool:
    return os.environ.get("GRADER_SKIP_DOCKER") == "1"


@pytest.fixture(scope="session")
def docker_client():  # type: ignore[no-untyped-def]
    if _skip_docker():
        pytest.skip("GRADER_SKIP_DOCKER=1")
    from grader.execution.docker_client import DockerClient

    return DockerClient.from_env()


@pytest.fixture(scope="session")
def runtime_image(docker_client) -> str:  # type: ignore[no-untyped-def]
    from grader.execution.image import build_image, find_runtime_image

    tag = find_runtime_image(docker_client)
    if tag is None:
        tag = build_image(docker_client, log=lambda line: None).tag
    return tag


@pytest.fixture(scope="session")
def profile_images(docker_client, runtime_image) -> list[str]:  # type: ignore[no-untyped-def]
    """Every runtime profile's image, for tests that grade on older profiles.

    Built once and cached by its inputs' hash (`make image` builds them all before the tests in CI),
    so a test that needs them does not depend on what ran before it.
    """
    from grader.execution.image import build_all_images

    del runtime_image
    return [report.tag for report in build_all_images(docker_client, log=lambda line: None)]


@pytest.fixture(scope="session")
def sandbox(docker_client, runtime_image):  # type: ignore[no-untyped-def]
    from grader.execution.run import SandboxRunner
    from grader.execution.sandbox import SandboxSettings

    return SandboxRunner(client=docker_client, settings=SandboxSettings(image=runtime_image))


@pytest.fixture(scope="session", autouse=True)
def no_leftover_containers(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the whole session: no container or volume of ours may remain."""
    yield
    if _skip_docker() or not any(item.get_closest_marker("docker") for item in request.session.items):
        return
    from grader.execution.docker_client import LABEL, DockerClient
    from grader.execution.sandbox import current_owner, reap_leftovers

    owner = current_owner()
    client = DockerClient.from_env()
    # Only this test process's own runs: other graders may share the engine.
    left = [c.name for c in client.containers_with_label() if c.labels.get(f"{LABEL}.owner") == owner]
    left += [
        v.name for v in client.volumes_with_label() if (v.attrs.get("Labels") or {}).get(f"{LABEL}.owner") == owner
    ]
    reap_leftovers(client, owner=owner)
    assert not left, f"containers or volumes left behind: {left}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (tests/web and tests/distributed); each test makes its own schema."""
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def graded_corpus(tmp_path_factory: pytest.TempPathFactory, sandbox) -> dict[str, tuple[Report, Expected, Path]]:  # type: ignore[no-untyped-def]
    """The whole sample corpus graded once per session with the default rubric, traced.

    `assignment/candidate` → (report, expectations, output folder). Shared by the corpus,
    leakage and rendering tests so the corpus runs once.
    """
    from grader.checks.registry import default_registry
    from grader.pipeline.batch import grade_groups
    from grader.pipeline.grading import Grader, GradingOptions
    from grader.scoring.rubric_file import load_rubric_file
    from grader.submission.assignment import load_assignment
    from tests.corpus import ASSIGNMENTS, SUBMISSIONS, corpus

    registry = default_registry()
    groups = {}
    for folder in sorted(p for p in SUBMISSIONS.iterdir() if p.is_dir()):
        assignment = load_assignment(ASSIGNMENTS / folder.name)
        groups[folder.name] = (
            Grader(
                rubric=load_rubric_file(assignment.rubric_path(), registry),
                registry=registry,
                assignment=assignment,
                sandbox=sandbox,
                options=GradingOptions(write_html=True),
            ),
            folder,
        )
    out = tmp_path_factory.mktemp("corpus")
    results = grade_groups(groups, out, jobs=2)
    graded = {}
    for name, folder, expected in corpus():
        report = results[name].reports[folder.name]
        graded[f"{name}/{folder.name}"] = (report, expected, out / name / folder.name)
    return graded
