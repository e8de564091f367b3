"""The library's public face: keyword-only functions that hold the defaults.

The CLI and the web app only parse input, call these, and present the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from grader.batch import BatchEvent, BatchResult, grade_folder, grade_groups
from grader.cache import ResultCache
from grader.checks.registry import Registry, default_registry
from grader.errors import ConfigError
from grader.execution.docker_client import DockerClient
from grader.execution.image import BuildReport, cache_dir, find_runtime_image
from grader.execution.image import build_image as _build_image
from grader.execution.sandbox import SandboxSettings, reap_leftovers
from grader.execution.seccomp import profile_json
from grader.grading import Grader, GradingOptions, SandboxRunner
from grader.lint import LintResult, lint_file
from grader.loading import (
    LoadedAssignment,
    LoadedRubric,
    load_rubric_file,
    resolve_rubric_path,
)
from grader.loading import (
    load_assignment as _load_assignment,
)
from grader.models.report import Report

if TYPE_CHECKING:
    from grader.distributed.settings import BrokerSettings

DEFAULT_RUBRIC = "ml-takehome.yaml"

__all__ = [
    "build_image",
    "grade_assignments",
    "grade_batch",
    "grade_submission",
    "lint",
    "load_assignment",
    "load_rubric",
    "make_grader",
    "render_report",
]


def load_rubric(path: Path | str, *, registry: Registry | None = None) -> LoadedRubric:
    """Load and validate a rubric file (every problem is listed in the error)."""
    return load_rubric_file(resolve_rubric_path(str(path)), registry or default_registry())


def load_assignment(path: Path | str) -> LoadedAssignment:
    """Load an assignment folder (or its `assignment.yaml`)."""
    return _load_assignment(Path(path))


def seccomp_profile(choice: str) -> str | None:
    """`grader` (the current allow-list profile), `engine` (the engine's built-in) or a JSON file path."""
    if choice == "grader":
        return profile_json()
    if choice == "engine":
        return None
    path = Path(choice)
    if not path.is_file():
        raise ConfigError(f"seccomp profile {choice!r} is neither 'grader', 'engine' nor a JSON file")
    return path.read_text(encoding="utf-8")


def sandbox_runner(
    *, image: str | None = None, runtime: str | None = None, seccomp: str = "grader", trace: bool = True
) -> SandboxRunner:
    """Connect to Docker, reap leftovers of crashed runs, and pick the runtime image."""
    client = DockerClient.from_env()
    reap_leftovers(client)
    tag = image or find_runtime_image(client)
    if tag is None:
        raise ConfigError("the sandbox image is not built for this version of the grader: run `grader image build`")
    if not client.image_exists(tag):
        raise ConfigError(f"image {tag} does not exist; run `grader image build`")
    return SandboxRunner(
        client=client,
        settings=SandboxSettings(image=tag, runtime=runtime, seccomp_profile=seccomp_profile(seccomp), trace=trace),
    )


def make_grader(
    *,
    assignment: Path | str | LoadedAssignment | None = None,
    rubric: Path | str | LoadedRubric | None = None,
    execute: bool = True,
    blind: bool = False,
    notebook: str | None = None,
    image: str | None = None,
    runtime: str | None = None,
    registry: Registry | None = None,
    write_html: bool = True,
    sandbox: SandboxRunner | None = None,
    cache: bool | Path = False,
    broker: str | BrokerSettings | None = None,
) -> Grader:
    """A grader for one assignment and rubric, ready to grade many submissions.

    `cache=True` reuses results of unchanged submissions from the user cache folder
    (a path picks another folder). `broker` (a URL or settings) grades on `grader worker`
    hosts instead of a local sandbox; the cache is then not used.
    """
    registry = registry or default_registry()
    loaded_assignment = (
        assignment if isinstance(assignment, LoadedAssignment) or assignment is None else load_assignment(assignment)
    )
    if isinstance(rubric, LoadedRubric):
        loaded_rubric = rubric
    else:
        path = (
            Path(rubric)
            if rubric
            else (loaded_assignment.rubric_path() if loaded_assignment else resolve_rubric_path(DEFAULT_RUBRIC))
        )
        loaded_rubric = load_rubric_file(path if path.is_file() else resolve_rubric_path(str(path)), registry)
    runner = sandbox
    if execute and runner is None and broker is None:
        runner = sandbox_runner(image=image, runtime=runtime)
    grader = Grader(
        rubric=loaded_rubric,
        registry=registry,
        assignment=loaded_assignment,
        sandbox=runner,
        options=GradingOptions(execute=execute, blind=blind, notebook=notebook, write_html=write_html),
        cache=ResultCache(cache if isinstance(cache, Path) else cache_dir() / "results") if cache else None,
    )
    if broker is not None:
        from grader.distributed.remote import through_broker

        return through_broker(grader, broker)
    return grader


def grade_submission(
    path: Path | str,
    *,
    assignment: Path | str | LoadedAssignment | None = None,
    rubric: Path | str | LoadedRubric | None = None,
    out: Path | str | None = None,
    execute: bool = True,
    blind: bool = False,
    notebook: str | None = None,
    candidate: str | None = None,
    image: str | None = None,
    runtime: str | None = None,
    grader: Grader | None = None,
) -> Report:
    """Grade one submission folder or zip; writes `out/report.json` (and HTML) when `out` is given."""
    grader = grader or make_grader(
        assignment=assignment,
        rubric=rubric,
        execute=execute,
        blind=blind,
        notebook=notebook,
        image=image,
        runtime=runtime,
    )
    return grader.grade(Path(path), out_dir=Path(out) if out else None, candidate=candidate)


def grade_batch(
    submissions: Path | str,
    *,
    out: Path | str,
    assignment: Path | str | LoadedAssignment | None = None,
    rubric: Path | str | LoadedRubric | None = None,
    jobs: int | None = None,
    execute: bool = True,
    blind: bool = False,
    resume: bool = False,
    image: str | None = None,
    runtime: str | None = None,
    on_event: Callable[[BatchEvent], None] | None = None,
    grader: Grader | None = None,
    broker: str | BrokerSettings | None = None,
) -> BatchResult:
    """Grade every submission directly under `submissions` into `out/<name>/`, plus the summaries.

    With `broker`, `grader worker` hosts grade and `jobs` counts submissions in flight.
    """
    grader = grader or make_grader(
        assignment=assignment, rubric=rubric, execute=execute, blind=blind, image=image, runtime=runtime, broker=broker
    )
    if broker is not None:
        from grader.distributed import broker_batch

        grader, jobs = broker_batch.prepare(grader, broker, Path(out), resume=resume, jobs=jobs)
    return grade_folder(grader, Path(submissions), Path(out), jobs=jobs, resume=resume, on_event=on_event)


def lint(
    path: Path | str,
    *,
    assignment: Path | str | LoadedAssignment | None = None,
    only: Sequence[str] | None = None,
    registry: Registry | None = None,
) -> LintResult:
    """Run the static checks (no Docker) on one notebook or `.py` script; `only` keeps categories or checks."""
    loaded = (
        assignment if isinstance(assignment, LoadedAssignment) or assignment is None else load_assignment(assignment)
    )
    return lint_file(Path(path), registry=registry or default_registry(), assignment=loaded, only=only)


def grade_assignments(
    groups: dict[str, tuple[Grader, Path]],
    *,
    out: Path | str,
    jobs: int | None = None,
    resume: bool = False,
    on_event: Callable[[BatchEvent], None] | None = None,
    broker: str | BrokerSettings | None = None,
) -> dict[str, BatchResult]:
    """Grade several assignments' submission folders on one shared pool; `out/<group>/<name>/`."""
    if broker is not None:
        from grader.distributed import broker_batch

        groups = broker_batch.prepare_groups(groups, broker, Path(out), resume=resume)
        jobs = jobs or broker_batch.IN_FLIGHT
    return grade_groups(groups, Path(out), jobs=jobs, resume=resume, on_event=on_event)


def render_report(
    report: Report,
    *,
    executed: dict[str, object] | None = None,
    submitted: dict[str, object] | None = None,
    blind: bool = False,
) -> str:
    """The self-contained HTML page for a report (`submitted` supplies outputs of cells that did not run)."""
    from grader.rendering import render_report_html

    return render_report_html(report, executed or {}, submitted, blind=blind)


def build_image(*, base: str = "auto", force: bool = False, log: Callable[[str], None] = print) -> BuildReport:
    """Build the sandbox runtime image if its inputs changed."""
    return _build_image(DockerClient.from_env(), base=base, force=force, log=log)
