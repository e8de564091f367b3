"""The library's public face: keyword-only functions that hold the defaults.

The CLI and the web app only parse input, call these, and present the result; they
import nothing else from the grading core (errors aside). The types they handle
(`Report`, `Grader`, `LoadedAssignment`, ...) are re-exported here for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.checks.registry import Registry, default_registry
from grader.distributed.settings import (
    BROKER_ENV,
    BROKER_URL_FORMS,
    DEFAULT_MAX_DELIVERIES,
    DEFAULT_QUEUE,
    DEFAULT_VISIBILITY_TIMEOUT,
    BrokerSettings,
)
from grader.errors import ConfigError
from grader.execution.docker_client import DockerClient
from grader.execution.image import BuildReport, build_all_images, cache_dir, find_runtime_image
from grader.execution.image import build_image as _build_image
from grader.execution.live_progress import CellProgress, parse_cell_line
from grader.execution.profiles import AUTO, RuntimeProfile, check_runtime, get_profile, load_profiles
from grader.execution.run import SandboxRunner, sandbox_runner, seccomp_profile
from grader.execution.sandbox import reap_leftovers
from grader.models.audit import AssignmentValidation, AuditReport
from grader.models.findings import Severity
from grader.models.lint import LintReport
from grader.models.report import GradingStatus, Report
from grader.models.rubric import Rubric
from grader.pipeline import desk as _desk
from grader.pipeline.batch import BatchEvent, BatchResult, grade_folder, grade_groups
from grader.pipeline.cache import ResultCache
from grader.pipeline.files import load_report
from grader.pipeline.grading import Grader, GradingOptions
from grader.pipeline.lint import lint_paths
from grader.pipeline.progress import BatchProgress, JsonLinesProgress
from grader.pipeline.similarity import SimilarityOptions
from grader.rendering.audit_text import audit_text as _audit_text
from grader.rendering.audit_text import validation_text as _validation_text
from grader.rendering.desk import Desk, DeskLink, RowAction
from grader.rendering.lint_output import LintFormat, render_lint
from grader.rendering.summary_csv import summary_csv as _summary_csv
from grader.report.assemble import anonymous_id
from grader.report.summary import summary_rows
from grader.review.calibrate import Calibration
from grader.review.overrides import review_entry
from grader.scoring.rubric_file import LoadedRubric, load_rubric_file, validate_rubric_file
from grader.submission.archive import IGNORED_PARTS, ArchiveLimits, extract_zip, safe_member_name
from grader.submission.assignment import REPO_RUBRICS, LoadedAssignment, resolve_rubric_path
from grader.submission.assignment import load_assignment as _load_assignment
from grader.submission.loader import SubmissionLimits, load_folder
from grader.submission.scaffold import init_assignment as _init_assignment
from grader.submission.yaml_file import Problem

if TYPE_CHECKING:
    from grader.submission.audit import AuditThresholds

DEFAULT_RUBRIC = "ml-takehome.yaml"
#: The repository's rubrics (`ml-takehome.yaml` and the ones that extend it).
RUBRICS_DIR = REPO_RUBRICS

__all__ = [
    "BROKER_ENV",
    "BROKER_URL_FORMS",
    "DEFAULT_MAX_DELIVERIES",
    "DEFAULT_QUEUE",
    "DEFAULT_VISIBILITY_TIMEOUT",
    "IGNORED_PARTS",
    "RUBRICS_DIR",
    "BatchEvent",
    "BatchProgress",
    "BatchResult",
    "BrokerSettings",
    "Calibration",
    "CellProgress",
    "Desk",
    "DeskLink",
    "Grader",
    "GradingStatus",
    "JsonLinesProgress",
    "LintFormat",
    "LintReport",
    "LoadedAssignment",
    "LoadedRubric",
    "Problem",
    "Report",
    "RowAction",
    "Rubric",
    "SandboxRunner",
    "Severity",
    "anonymous_id",
    "audit_assignment",
    "audit_text",
    "broker_settings",
    "build_image",
    "build_images",
    "calibrate",
    "check_output_folder",
    "check_submission_folder",
    "compare",
    "grade_assignments",
    "grade_batch",
    "grade_submission",
    "init_assignment",
    "lint",
    "lint_output",
    "list_checks",
    "load_assignment",
    "load_report",
    "load_rubric",
    "make_grader",
    "page_policy",
    "parse_cell_line",
    "plugin_failures",
    "reap",
    "render_compare",
    "render_report",
    "render_report_dir",
    "render_summary",
    "review",
    "run_worker",
    "runtime_image_tag",
    "runtime_profiles",
    "safe_member_name",
    "sandbox_runner",
    "seccomp_profile",
    "similarity_options",
    "summary_csv",
    "summary_rows",
    "unpack_zip",
    "validate_assignment",
    "validate_rubric",
    "validation_text",
]


def load_rubric(path: Path | str, *, registry: Registry | None = None) -> LoadedRubric:
    """Load and validate a rubric file (every problem is listed in the error)."""
    return load_rubric_file(resolve_rubric_path(str(path)), registry or default_registry())


def load_assignment(path: Path | str) -> LoadedAssignment:
    """Load an assignment folder (or its `assignment.yaml`); its `runtime:` must name a runtime profile."""
    path = Path(path)
    loaded = _load_assignment(path)
    check_runtime(loaded.assignment, path / "assignment.yaml" if path.is_dir() else path)
    return loaded


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
    profile: str | None = None,
    broker: str | BrokerSettings | None = None,
) -> Grader:
    """A grader for one assignment and rubric, ready to grade many submissions.

    `cache=True` reuses results of unchanged submissions from the user cache folder
    (a path picks another folder). `profile` runs every submission in that runtime profile
    (over the assignment's `runtime:`; `auto` infers one per submission).
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
        options=GradingOptions(execute=execute, blind=blind, notebook=notebook, write_html=write_html, profile=profile),
        cache=ResultCache(cache if isinstance(cache, Path) else cache_dir() / "results") if cache else None,
    )
    fixed = profile or (loaded_assignment.assignment.runtime if loaded_assignment else None)
    if fixed and fixed != AUTO:
        get_profile(fixed)  # an unknown name is a configuration error
        if execute and fixed not in grader.profile_images:
            raise ConfigError(
                f"the {fixed} runtime profile's image is not built: run `grader image build --profile {fixed}`"
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
    profile: str | None = None,
) -> Report:
    """Grade one submission folder or zip; writes `out/report.json` (and HTML) when `out` is given."""
    if not Path(path).exists():
        raise ConfigError(f"{path} does not exist; give a submission folder, zip or notebook")
    if out is not None:
        check_output_folder(out)
    grader = grader or make_grader(
        assignment=assignment,
        rubric=rubric,
        execute=execute,
        blind=blind,
        notebook=notebook,
        image=image,
        runtime=runtime,
        profile=profile,
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
    profile: str | None = None,
    similarity: bool = True,
    references: Path | str | None = None,
    base: Path | str | None = None,
    broker: str | BrokerSettings | None = None,
) -> BatchResult:
    """Grade every submission directly under `submissions` into `out/<name>/`, plus the summaries.

    With `similarity` (static, so also without execution) the submissions are then compared with each
    other and with the known public solutions in `references`; code in `base` (and the assignment's
    `starter/`) does not count. Similar pairs are flagged on both reports and listed in the summaries.
    With `broker`, `grader worker` hosts grade and `jobs` counts submissions in flight.
    """
    if not Path(submissions).is_dir():
        raise ConfigError(f"{submissions} is not a folder of submissions")
    check_output_folder(out)
    options = similarity_options(similarity, references=references, base=base)
    grader = grader or make_grader(
        assignment=assignment,
        rubric=rubric,
        execute=execute,
        blind=blind,
        image=image,
        runtime=runtime,
        profile=profile,
        broker=broker,
    )
    if broker is not None:
        from grader.distributed import broker_batch

        grader, jobs = broker_batch.prepare(grader, broker, Path(out), resume=resume, jobs=jobs)
    return grade_folder(
        grader, Path(submissions), Path(out), jobs=jobs, resume=resume, on_event=on_event, similarity=options
    )


def similarity_options(
    enabled: bool = True, *, references: Path | str | None = None, base: Path | str | None = None
) -> SimilarityOptions | None:
    """The similarity stage's options (None when it is off), checked before any grading starts."""
    if not enabled:
        if references is not None or base is not None:
            raise ConfigError("references and base folders need the similarity stage: do not turn it off")
        return None
    options = SimilarityOptions(
        references=Path(references) if references is not None else None,
        base=Path(base) if base is not None else None,
    )
    options.check()
    return options


def lint(
    paths: Path | str | Sequence[Path | str],
    *,
    assignment: Path | str | LoadedAssignment | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    fail_on: Severity | str = Severity.low,
    registry: Registry | None = None,
) -> LintReport:
    """Run the static checks (no Docker) on notebooks, `.py` files and folders.

    `select`/`ignore` take categories, check ids or slugs (unknown ones are refused); a plain
    `.py` module gets the code-level checks only. `report.failed` applies `fail_on`.
    """
    loaded = (
        assignment if isinstance(assignment, LoadedAssignment) or assignment is None else load_assignment(assignment)
    )
    given = [paths] if isinstance(paths, Path | str) else list(paths)
    return lint_paths(
        [Path(p) for p in given],
        registry=registry or default_registry(),
        assignment=loaded,
        select=select,
        ignore=ignore,
        fail_on=Severity(fail_on),
    )


def lint_output(
    report: LintReport, fmt: LintFormat | str = LintFormat.text, *, registry: Registry | None = None
) -> str:
    """A lint report as text, JSON, GitHub annotations or SARIF 2.1.0."""
    fmt = LintFormat(fmt)
    specs = list(registry or default_registry()) if fmt is LintFormat.sarif else []
    return render_lint(report, fmt, specs)


def plugin_failures(*, registry: Registry | None = None) -> list[str]:
    """Check plugins that could not be loaded (each was skipped), as messages."""
    return [str(failure) for failure in (registry or default_registry()).failures]


def init_assignment(folder: Path | str, *, example: bool = False, title: str | None = None) -> list[Path]:
    """Start an assignment folder: a commented `assignment.yaml` and a brief, or (`example`) the sample."""
    return _init_assignment(Path(folder), example=example, title=title)


def check_output_folder(out: Path | str) -> Path:
    """`out` as a folder reports can go to; an existing file there is a configuration error."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--out {path} is a file; give a folder for the reports")
    return path


def grade_assignments(
    groups: dict[str, tuple[Grader, Path]],
    *,
    out: Path | str,
    jobs: int | None = None,
    resume: bool = False,
    on_event: Callable[[BatchEvent], None] | None = None,
    similarity: bool = True,
    references: Path | str | None = None,
    base: Path | str | None = None,
    broker: str | BrokerSettings | None = None,
) -> dict[str, BatchResult]:
    """Grade several assignments' submission folders on one shared pool; `out/<group>/<name>/`.

    Similarity (see `grade_batch`) compares each assignment's submissions among themselves.
    """
    check_output_folder(out)
    options = similarity_options(similarity, references=references, base=base)
    if broker is not None:
        from grader.distributed import broker_batch

        groups = broker_batch.prepare_groups(groups, broker, Path(out), resume=resume)
        jobs = jobs or broker_batch.IN_FLIGHT
    return grade_groups(groups, Path(out), jobs=jobs, resume=resume, on_event=on_event, similarity=options)


def broker_settings(
    url: str,
    *,
    result_backend: str | None = None,
    queue: str = DEFAULT_QUEUE,
    visibility_timeout: int = DEFAULT_VISIBILITY_TIMEOUT,
    max_deliveries: int = DEFAULT_MAX_DELIVERIES,
) -> BrokerSettings:
    """Checked broker settings for `make_grader(broker=...)`, `grade_batch(broker=...)` and `run_worker`.

    Raises ConfigError for URLs and numbers that cannot work, or when the `scale` extra is missing.
    """
    return BrokerSettings(
        url=url,
        result_backend=result_backend,
        queue=queue,
        visibility_timeout=visibility_timeout,
        max_deliveries=max_deliveries,
    ).validate()


def run_worker(
    broker: BrokerSettings,
    *,
    concurrency: int = 1,
    runtime: str | None = None,
    name: str | None = None,
    work_dir: Path | None = None,
    log_line: Callable[[str], None] = print,
) -> int:
    """Grade submissions sent through `broker` on this Docker host until stopped; the worker's exit code."""
    from grader.distributed.worker import run_worker as _run_worker

    return _run_worker(
        broker, concurrency=concurrency, runtime=runtime, name=name, work_dir=work_dir, log_line=log_line
    )


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


def build_image(
    *, base: str = "auto", force: bool = False, log: Callable[[str], None] = print, profile: str = "current"
) -> BuildReport:
    """Build a runtime profile's sandbox image (`current` by default) if its inputs changed."""
    return _build_image(DockerClient.from_env(), base=base, force=force, log=log, profile=profile)


def build_images(*, base: str = "auto", force: bool = False, log: Callable[[str], None] = print) -> list[BuildReport]:
    """Build every runtime profile's sandbox image whose inputs changed, newest profile first."""
    return build_all_images(DockerClient.from_env(), base=base, force=force, log=log)


def runtime_image_tag(profile: str = "current") -> str | None:
    """The tag of a runtime profile's sandbox image built for this version of the grader, if it exists."""
    return find_runtime_image(DockerClient.from_env(), profile)


def runtime_profiles() -> tuple[RuntimeProfile, ...]:
    """The runtime profiles notebooks can run in, newest first."""
    return load_profiles()


def reap(*, everything: bool = True) -> int:
    """Remove containers and volumes the grader left behind (all of them, or only those of dead graders)."""
    return reap_leftovers(DockerClient.from_env(), everything=everything)


def validate_rubric(path: Path | str, *, registry: Registry | None = None) -> tuple[Rubric | None, list[Problem]]:
    """Check a rubric file; returns the rubric (if valid) and every problem, each with its line."""
    return validate_rubric_file(Path(path), registry or default_registry())


def list_checks(*, registry: Registry | None = None) -> list[dict[str, Any]]:
    """The check catalogue: id, slug, category, title, summary, version and what each needs."""
    return [
        {
            "id": s.id,
            "slug": s.slug,
            "category": s.category.value,
            "title": s.title,
            "summary": s.summary,
            "version": s.version,
            "requires": sorted(n.value for n in s.requires),
            "scope": s.scope.value,
        }
        for s in registry or default_registry()
    ]


def summary_csv(reports: dict[str, Report], rubric: Rubric) -> str:
    """A batch's summary.csv text (one row per report, plus a points-possible row)."""
    return _summary_csv(summary_rows(reports), rubric)


def unpack_zip(
    archive: Path,
    target: Path,
    *,
    max_entries: int,
    max_total_bytes: int,
    max_file_bytes: int,
    max_ratio: float,
    ratio_floor_bytes: int,
) -> None:
    """Unpack an uploaded zip as hostile input (no escaping paths or links, bounded size and ratio)."""
    limits = ArchiveLimits(
        max_entries=max_entries,
        max_total_bytes=max_total_bytes,
        max_file_bytes=max_file_bytes,
        max_ratio=max_ratio,
        ratio_floor_bytes=ratio_floor_bytes,
    )
    extract_zip(archive, target, limits)


def check_submission_folder(
    folder: Path, *, name: str, notebook: str | None, max_files: int, max_total_bytes: int, max_file_bytes: int
) -> None:
    """Raise `SubmissionError` with the reason unless the folder can be graded (it must hold a notebook)."""
    limits = SubmissionLimits(
        max_files=max_files,
        max_total_bytes=max_total_bytes,
        max_file_bytes=max_file_bytes,
        max_notebook_bytes=max_file_bytes,
    )
    load_folder(folder, notebook=notebook, limits=limits, name=name)


# --------------------------------------------------------------------------- the reviewer's desk


def review(
    report_dir: Path | str,
    *,
    reviewer: str,
    reason: str = "",
    criterion: str | None = None,
    check: str | None = None,
    points: float | None = None,
    dismiss: str | None = None,
    note: str | None = None,
    submission: Path | str | None = None,
) -> Report:
    """Record one override or note beside a report's automatic result; rewrites its files and batch summaries.

    Exactly one of `criterion` (with `points`), `check` (with `points`; settles a check that was
    not scored automatically), `dismiss` (a finding id) or `note`. The history is append-only and
    `total.score` stays automatic; `total.final` is the score after overrides. Raises
    `ReviewError` (a `ConfigError`) with what to fix. `submission` (the submitted folder) lets
    the re-rendered page show saved outputs of cells that did not run.
    """
    folder = Path(report_dir)
    report = _desk.read_report_dir(folder)
    entry = review_entry(
        report,
        reviewer=reviewer,
        reason=reason,
        criterion=criterion,
        check=check,
        points=points,
        dismiss=dismiss,
        note=note,
    )
    return _desk.write_review(folder, [entry], submitted=Path(submission) if submission else None)


def render_report_dir(report_dir: Path | str, *, submission: Path | str | None = None, desk: Desk | None = None) -> str:
    """The report page of a grading output folder, rendered now (`desk`: the web app's navigation and forms)."""
    return _desk.render_report_dir(Path(report_dir), submitted=Path(submission) if submission else None, desk=desk)


def render_summary(
    rows: list[dict[str, Any]],
    rubric: Rubric,
    *,
    title: str | None = None,
    desk: Desk | None = None,
    compare_href: str | None = None,
) -> str:
    """The batch summary page for `summary_rows` (plus the web app's own rows and actions when `desk` is given).

    `compare_href` adds row checkboxes and a "Compare checked" link (with `desk`: `compare_href?c=key,key`).
    """
    from grader.rendering import render_index_html

    return render_index_html(rows, rubric, title=title, desk=desk, compare_href=compare_href)


def page_policy(page: str) -> str:
    """The Content-Security-Policy a rendered page declares, to send as its header."""
    from grader.rendering.page import policy_of

    return policy_of(page)


def compare(report_dirs: Sequence[Path | str], *, out: Path | str | None = None) -> Path:
    """Two to four graded candidates side by side in one HTML page; returns its path."""
    folders = [Path(d) for d in report_dirs]
    if out is None:
        names = "-".join(f.resolve().name for f in folders)[:120]
        out = Path(os.path.commonpath([str(f.resolve().parent) for f in folders])) / f"compare-{names}.html"
    return _desk.compare_dirs(folders, Path(out))


def render_compare(
    report_dirs: Mapping[str, Path | str], *, hrefs: Mapping[str, str] | None = None, up_href: str | None = None
) -> str:
    """`grader compare`'s page for two to four report folders, named by the keys; links from `hrefs`."""
    return _desk.compare_named({k: Path(v) for k, v in report_dirs.items()}, hrefs=hrefs, up_href=up_href)


def calibrate(
    batch_dir: Path | str,
    *,
    human: Path | str | None = None,
    rubric: Path | str | None = None,
    out: Path | str | None = None,
    registry: Registry | None = None,
) -> tuple[Calibration, Path]:
    """Agreement with the team's scores (`human` CSV, else reviewers' overrides) and a rubric overlay of better bands.

    Returns the measures and where the overlay (which `extends:` the rubric in use) was written.
    """
    return _desk.calibrate_batch(
        Path(batch_dir),
        registry=registry or default_registry(),
        human=Path(human) if human else None,
        rubric=Path(rubric) if rubric else None,
        out=Path(out) if out else None,
    )


# --------------------------------------------------------------------------- assignment authors
# The audit needs scikit-learn: imported when an audit is asked for, not with the API.


def audit_assignment(
    assignment: Path | str | LoadedAssignment, *, thresholds: AuditThresholds | None = None
) -> AuditReport:
    """Screen an assignment's public data against its target: associations, suspects, class balance."""
    from grader.submission.audit import audit_assignment as _audit

    loaded = assignment if isinstance(assignment, LoadedAssignment) else load_assignment(assignment)
    return _audit(loaded, thresholds=thresholds)


def validate_assignment(folder: Path | str, *, thresholds: AuditThresholds | None = None) -> AssignmentValidation:
    """Check `assignment.yaml`, its files and rubric, then audit the data; `.ok` when ready to send."""
    from grader.pipeline.assignment_check import validate_assignment as _validate

    return _validate(Path(folder), thresholds=thresholds)


def audit_text(report: AuditReport) -> str:
    """An audit as text for a person (`--json` is the model itself)."""
    return _audit_text(report)


def validation_text(result: AssignmentValidation) -> str:
    """A validation as text: the audit, the problems (errors first) and the verdict."""
    return _validation_text(result)
