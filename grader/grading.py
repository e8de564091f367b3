"""Grade one submission: load → sandbox run → evidence → checks → scoring → report.

Data flows one way. A `Grader` holds what a whole batch shares (assignment,
rubric, registry, sandbox settings) and grades submissions independently: bad
input gives a `rejected` report for that submission, a grader bug a `failed`
one, and neither stops the batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import nbformat

from grader import __version__
from grader.analysis.context import CheckContext, SubmissionFacts, best_outputs_view
from grader.analysis.notebook import NotebookView
from grader.analysis.pylint_runner import run_pylint
from grader.cache import ResultCache, digest, tree_hash
from grader.checks.base import CheckSpec, Need
from grader.checks.registry import Registry
from grader.checks.runner import run_checks
from grader.errors import GraderError, ImageError, SandboxError, SubmissionError, UntrustedOutputError
from grader.execution.docker_client import DockerClient
from grader.execution.image.derived import DerivedImage, provide_packages
from grader.execution.packages import plan_packages
from grader.execution.profile_evidence import gather as gather_profile_evidence
from grader.execution.profiles import RuntimeProfile, load_profiles
from grader.execution.record import build_record, not_run_record
from grader.execution.retry import RunOutcome, RuntimePlan, available_profiles, plan_runtime, run_with_retry
from grader.execution.sandbox import SandboxInput, SandboxResult, SandboxSettings, run_in_sandbox
from grader.execution.trace import parse_trace
from grader.execution.triage import MalformedFile, find_malformed_files
from grader.loading import LoadedAssignment, LoadedRubric
from grader.models.assignment import PackagePolicy, RunLimits
from grader.models.execution import ExecutionRecord, RunStatus
from grader.models.findings import CheckResult, CheckStatus, Severity
from grader.models.report import (
    AssignmentInfo,
    Flag,
    FlagKind,
    GradingStatus,
    HoldoutResult,
    NotGradedNotebook,
    Report,
    RubricInfo,
    SubmissionInfo,
    SubmittedFile,
    Total,
)
from grader.models.runtime import ChoiceSource
from grader.models.trace import RuntimeTrace
from grader.rendering.followups import followups_for
from grader.scoring.holdout import score_holdout
from grader.scoring.score import score_rubric
from grader.submission.cell_names import CellNames, name_cells
from grader.submission.loader import (
    Submission,
    SubmissionLimits,
    open_submission,
    parse_notebook,
    read_ignore_patterns,
)
from grader.submission.main_notebook import choose_main_notebooks

TEXT_SUFFIXES = (".md", ".txt", ".py", ".yml", ".yaml", ".toml", ".cfg", ".rst")
MAX_TEXT_BYTES = 200_000


@dataclass
class GradingOptions:
    """Per-run choices; the API's keyword arguments end up here."""

    execute: bool = True
    blind: bool = False
    notebook: str | None = None
    write_html: bool = True
    limits: RunLimits | None = None
    #: Run pylint on the code (only when a selected check needs it).
    pylint: bool = True
    #: Runtime profile to run in, over the assignment's `runtime:` (None: the assignment decides).
    profile: str | None = None


@dataclass
class SandboxRunner:
    """The sandbox side of grading: a Docker client and how to run containers."""

    client: DockerClient
    settings: SandboxSettings

    def run(self, job: SandboxInput) -> SandboxResult:
        return run_in_sandbox(self.client, self.settings, job)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def anonymous_id(name: str, salt: str = "") -> str:
    return "candidate-" + hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()[:8]


@dataclass
class Grader:
    """Grades submissions against one assignment and rubric."""

    rubric: LoadedRubric
    registry: Registry
    assignment: LoadedAssignment | None = None
    sandbox: SandboxRunner | None = None
    options: GradingOptions = field(default_factory=GradingOptions)
    #: Called after each stage with (stage, seconds), for progress displays.
    on_stage: Callable[[str, str, float], None] | None = None
    #: Graded results by content; None grades everything afresh.
    cache: ResultCache | None = None

    @property
    def selection(self) -> list[tuple[CheckSpec, dict[str, Any]]]:
        return [(self.registry.get(ref.check), ref.params) for c in self.rubric.rubric.criteria for ref in c.checks]

    def _stage(self, name: str, stage: str, started: float, timings: dict[str, float]) -> float:
        now = time.perf_counter()
        timings[stage] = round(now - started, 4)
        if self.on_stage:
            self.on_stage(name, stage, now - started)
        return now

    def grade(
        self, path: Path, *, out_dir: Path | None = None, name: str | None = None, candidate: str | None = None
    ) -> Report:
        """Grade one submission folder or zip; never raises for a bad submission."""
        path = Path(path)
        name = name or (path.stem if path.is_file() else path.name)
        shown = anonymous_id(name) if self.options.blind else (candidate or name)
        timings: dict[str, float] = {}
        submitted: dict[str, nbformat.NotebookNode] = {}
        key = None
        try:
            ignore = read_ignore_patterns(path.parent, path.parent.parent)
            with open_submission(
                path,
                notebook=self.options.notebook or self._assignment_notebook(),
                limits=SubmissionLimits(),
                name=name,
                ignore=ignore,
            ) as submission:
                if not (self.options.notebook or self._assignment_notebook()):
                    self._select_notebooks(submission)
                if self.cache is not None and out_dir is not None:
                    key = self._cache_key(submission, shown)
                    cached = self._from_cache(key, out_dir, path)
                    if cached is not None:
                        return cached
                submitted = {nb.path: nb.node for nb in submission.notebooks}
                report = self._grade_loaded(submission, shown, timings, out_dir)
        except SubmissionError as exc:
            report = self._failed_report(name, shown, str(exc), GradingStatus.rejected, path)
        except Exception as exc:  # noqa: BLE001 - one submission's failure never stops a batch
            detail = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, GraderError):
                detail += "\n" + traceback.format_exc(limit=8)
            report = self._failed_report(name, shown, detail, GradingStatus.failed, path)
        report.timings.update(timings)
        if self.options.blind:
            # Names are already anonymous; e-mail addresses and personal paths in findings,
            # errors and tracebacks go too.
            from grader.rendering.sanitize import redact_tree

            report = Report.model_validate(redact_tree(report.model_dump(mode="json")))
        if out_dir is not None:
            write_report_files(
                report, out_dir, html=self.options.write_html, submitted=submitted, blind=self.options.blind
            )
            if key is not None and self.cache is not None and _cacheable(report):
                self.cache.put(key, out_dir)
        return report

    # ------------------------------------------------------------------ cache

    @cached_property
    def fingerprint(self) -> str:
        """Everything besides the submission that can change a report."""
        image_id = runtime = None
        if self.sandbox is not None and self.options.execute:
            image_id = self.sandbox.client.image_id(self.sandbox.settings.image)
            runtime = self.sandbox.settings.runtime or "runc"
            seccomp = hashlib.sha256((self.sandbox.settings.seccomp_profile or "engine").encode()).hexdigest()
        else:
            seccomp = None
        assignment = None
        if self.assignment is not None:
            files = {"assignment.yaml": self.assignment.folder / "assignment.yaml", **self.assignment.public_paths()}
            labels = self.assignment.holdout_labels()
            if labels is not None:
                files["holdout"] = labels
            assignment = tree_hash(files)
        return digest(
            {
                "grader": __version__,
                "rubric": self.rubric.sha256,
                "rubric_model": self.rubric.rubric.model_dump(),
                "assignment": assignment,
                "image": image_id,
                "profile_images": {name: self.sandbox.client.image_id(tag) for name, tag in self.profile_images.items()}
                if image_id is not None and self.sandbox is not None
                else None,
                "runtime": runtime,
                "seccomp": seccomp,
                "checks": sorted((spec.id, spec.version) for spec in self.registry),
                "options": {k: v for k, v in vars(self.options).items() if k != "limits"},
                "limits": self.options.limits.model_dump() if self.options.limits else None,
            }
        )

    def _cache_key(self, submission: Submission, shown: str) -> str:
        return digest(
            {
                "fingerprint": self.fingerprint,
                "content": submission.content_hash,
                "name": submission.name,
                "shown": shown,
                "notebooks": [nb.path for nb in submission.notebooks],
            }
        )

    def _from_cache(self, key: str, out_dir: Path, path: Path) -> Report | None:
        assert self.cache is not None
        if not self.cache.restore(key, out_dir):
            return None
        try:
            report = load_report(out_dir / "report.json")
        except (OSError, ValueError):
            return None
        report.environment["cache"] = "hit"
        if not self.options.blind:
            report.submission.source = str(path)
        atomic_write(out_dir / "report.json", report.model_dump_json(indent=2).encode())
        return report

    def _assignment_notebook(self) -> str | None:
        return self.assignment.assignment.notebook if self.assignment else None

    def _select_notebooks(self, submission: Submission) -> None:
        """Keep the notebooks that are the work (they read the assignment's data), writers first."""
        data = self.assignment.assignment.public_files if self.assignment else []
        selection = choose_main_notebooks([(nb.path, nb.node) for nb in submission.notebooks], data)
        by_path = {nb.path: nb for nb in submission.notebooks}
        submission.notebooks = [by_path[path] for path in selection.graded]
        submission.left_out = [(left.path, left.reason) for left in selection.not_graded]

    # ------------------------------------------------------------------ stages

    def _grade_loaded(
        self, submission: Submission, shown: str, timings: dict[str, float], out_dir: Path | None
    ) -> Report:
        started = time.perf_counter()
        view = NotebookView.from_nodes([(nb.path, nb.node) for nb in submission.notebooks])
        started = self._stage(submission.name, "load", started, timings)
        # pylint needs only the code: it runs (in its own process) while the sandbox executes.
        pylint_job: Future[Any] | None = None
        if self.options.pylint and any(Need.pylint in spec.requires for spec, _ in self.selection):
            pylint_job = _background().submit(_timed, run_pylint, view)
        execution, executed_view, executed_files, collected, trace = self._execute(submission, view)
        holdout = self._holdout(execution, collected, best_outputs_view(view, executed_view, execution))
        started = self._stage(submission.name, "execute", started, timings)
        pylint = None
        if pylint_job is not None:
            pylint, pylint_seconds = pylint_job.result()
            timings["pylint (overlapped)"] = round(pylint_seconds, 4)
            started = self._stage(submission.name, "pylint wait", started, timings)
        ctx = CheckContext(
            submission=_facts(submission),
            notebook=view,
            execution=execution,
            executed=executed_view,
            assignment=self.assignment.assignment if self.assignment else None,
            pylint=pylint,
            trace=trace,
            holdout=holdout,
            extras={"collected": collected},
        )
        results = run_checks(ctx, self.selection)
        started = self._stage(submission.name, "checks", started, timings)
        criteria, total = score_rubric(self.rubric.rubric, results)
        self._stage(submission.name, "score", started, timings)
        status = GradingStatus.needs_review if total.needs_review else GradingStatus.graded
        report = Report(
            grader_version=__version__,
            generated_at=_now(),
            status=status,
            submission=self._submission_info(submission, shown),
            assignment=self._assignment_info(),
            rubric=self._rubric_info(),
            execution=execution,
            checks=results,
            criteria=criteria,
            total=total,
            flags=flags_for(execution, results, total),
            holdout=holdout,
            environment=self._environment(execution),
        )
        report.followups = followups_for(report)
        # Several notebooks: "cell 42" becomes "task2.ipynb cell 8", as the reviewer sees it.
        names = CellNames.from_cells((c.index, c.notebook, c.local_index) for c in view.cells)
        report = Report.model_validate(name_cells(report.model_dump(mode="json"), names))
        if out_dir is not None:
            _write_evidence(out_dir, executed_files, collected)
        return report

    def _execute(
        self, submission: Submission, view: NotebookView
    ) -> tuple[ExecutionRecord, NotebookView | None, dict[str, bytes], dict[str, bytes], RuntimeTrace | None]:
        if not self.options.execute or self.sandbox is None:
            why = "execution disabled" if not self.options.execute else "no sandbox configured"
            return not_run_record(view, why), None, {}, {}, None
        # Run on the profile the notebook was written for; once more on another if its libraries failed it.
        plan = self._runtime_plan(submission, view)
        malformed = find_malformed_files(submission.files)
        best = run_with_retry(plan, lambda profile: self._run_on(submission, view, profile, malformed), view)
        return best.record, best.executed_view, best.executed_files, best.collected, best.trace

    @cached_property
    def profile_images(self) -> dict[str, str]:
        """Profile name → sandbox image, for every profile whose image is built."""
        assert self.sandbox is not None
        return available_profiles(self.sandbox.client, self.sandbox.settings.image)

    def _runtime_plan(self, submission: Submission, view: NotebookView) -> RuntimePlan:
        requested = self.options.profile or (self.assignment.assignment.runtime if self.assignment else None)
        how = ChoiceSource.option if self.options.profile else ChoiceSource.assignment
        evidence = gather_profile_evidence(
            [(nb.path, nb.node) for nb in submission.notebooks], view, _facts(submission).texts
        )
        available = [p for p in load_profiles() if p.name in self.profile_images]
        return plan_runtime(requested, how, evidence, available)

    def _run_on(
        self, submission: Submission, view: NotebookView, profile: RuntimeProfile, malformed: list[MalformedFile]
    ) -> RunOutcome:
        """One sandbox run of the submission on one runtime profile."""
        assert self.sandbox is not None
        limits = self.options.limits or (self.assignment.assignment.limits if self.assignment else RunLimits())
        collect = [self.assignment.assignment.prediction_contract.file] if self.assignment else ["predictions.csv"]
        environment = self._packages(submission, view, profile)
        job = SandboxInput(
            submission_files=dict(submission.files),
            data_files=self.assignment.data_files() if self.assignment else {},
            notebooks=[nb.path for nb in submission.notebooks],
            collect=collect,
            limits=limits,
            image=environment.image,
        )
        limits_used = limits.model_dump()
        try:
            result = self.sandbox.run(job)
        except SandboxError as exc:
            record = not_run_record(view, f"the sandbox failed: {exc}")
            record = record.model_copy(
                update={
                    "status": RunStatus.sandbox_error,
                    "limits": limits_used,
                    "requested_packages": environment.requests,
                }
            )
            return RunOutcome(profile, record, trace=RuntimeTrace.unusable("the sandbox failed"))
        record = build_record(
            view,
            result,
            image=environment.image,
            runtime=self.sandbox.settings.runtime,
            limits=limits_used,
            malformed=malformed,
        ).model_copy(update={"requested_packages": environment.requests})
        if result.results is None:
            return RunOutcome(profile, record, trace=parse_trace(b"", record))
        try:
            executed_view, executed_files = _executed_view(submission, view, result)
        except UntrustedOutputError as exc:
            record = record.model_copy(update={"status": RunStatus.sandbox_error, "reason": str(exc)})
            return RunOutcome(profile, record, trace=RuntimeTrace.unusable("the sandbox's results were not trusted"))
        if executed_view is None:
            record = record.model_copy(
                update={"reason": (record.reason + "; the executed notebook was invalid and is ignored").strip("; ")}
            )
        return RunOutcome(
            profile,
            record,
            executed_view,
            executed_files,
            dict(result.results.collected),
            parse_trace(result.results.trace, record),
        )

    def _packages(self, submission: Submission, view: NotebookView, profile: RuntimeProfile) -> DerivedImage:
        """The image to run in: the profile's image, or one with the extra packages the assignment allows."""
        assert self.sandbox is not None
        assignment = self.assignment.assignment if self.assignment else None
        plan = plan_packages(
            view,
            _facts(submission).texts,
            submission.files,
            assignment.packages if assignment else PackagePolicy.base_only,
            assignment.allowed_packages if assignment else (),
            profile=profile.name,
        )
        base = self.profile_images.get(profile.name)
        if base is None:
            raise ImageError(
                f"the {profile.name} profile's image is not built: run `grader image build --profile {profile.name}`"
            )
        return provide_packages(self.sandbox.client, base, list(plan.requests), profile=profile.name)

    def _holdout(
        self, execution: ExecutionRecord, collected: dict[str, bytes], view: NotebookView
    ) -> HoldoutResult | None:
        """Score the collected predictions against the hidden labels (never mounted in a sandbox)."""
        if (
            self.assignment is None
            or self.assignment.assignment.holdout is None
            or execution.status in (RunStatus.not_run, RunStatus.sandbox_error)
        ):
            return None
        labels = self.assignment.holdout_labels()
        if labels is None or not labels.is_file():
            return None
        assignment = self.assignment.assignment
        try:
            return score_holdout(
                assignment, labels.read_bytes(), collected.get(assignment.prediction_contract.file), view
            )
        except Exception as exc:  # noqa: BLE001 - a scoring failure is reported, never fatal
            return HoldoutResult(
                status="error",
                metric=assignment.primary_metric.value,
                message=f"{type(exc).__name__}: {str(exc)[:300]}",
            )

    # ------------------------------------------------------------------ report parts

    def _submission_info(self, submission: Submission, shown: str) -> SubmissionInfo:
        files = [
            SubmittedFile(path=rel, size=p.stat().st_size, sha256=submission.file_hashes.get(rel, ""))
            for rel, p in sorted(submission.files.items())
        ]
        return SubmissionInfo(
            name=shown if self.options.blind else submission.name,
            candidate=shown,
            notebooks=[nb.path for nb in submission.notebooks],
            not_graded=[NotGradedNotebook(path=path, reason=reason) for path, reason in submission.left_out],
            files=files,
            content_hash=submission.content_hash,
            source="" if self.options.blind else str(submission.source),
        )

    def _assignment_info(self) -> AssignmentInfo | None:
        if self.assignment is None:
            return None
        a = self.assignment.assignment
        return AssignmentInfo(name=a.name, title=a.title, task=a.task.value, primary_metric=a.primary_metric.value)

    def _rubric_info(self) -> RubricInfo:
        r = self.rubric.rubric
        return RubricInfo(
            name=r.name, version=r.version, title=r.title, sha256=self.rubric.sha256, path=self.rubric.path.name
        )

    def _environment(self, execution: ExecutionRecord) -> dict[str, Any]:
        env: dict[str, Any] = {"grader_version": __version__, "packages": execution.packages}
        if self.sandbox is not None:
            env.update(
                image=execution.image or self.sandbox.settings.image, runtime=self.sandbox.settings.runtime or "runc"
            )
        if execution.profile is not None:
            env["profile"] = execution.profile
        env["limits"] = execution.limits
        return env

    def _failed_report(self, name: str, shown: str, error: str, status: GradingStatus, path: Path) -> Report:
        rubric = self.rubric.rubric
        return Report(
            grader_version=__version__,
            generated_at=_now(),
            status=status,
            error=error,
            submission=SubmissionInfo(
                name=shown if self.options.blind else name,
                candidate=shown,
                source="" if self.options.blind else str(path),
            ),
            assignment=self._assignment_info(),
            rubric=self._rubric_info(),
            execution=ExecutionRecord(status=RunStatus.not_run, reason=error.splitlines()[0] if error else ""),
            total=Total(score=0.0, max=rubric.max_points, percent=0.0, band=""),
            flags=[Flag(kind=FlagKind.did_not_run, message=error.splitlines()[0][:300] if error else status.value)],
        )


_BACKGROUND: ThreadPoolExecutor | None = None
_BACKGROUND_LOCK = threading.Lock()


def _background() -> ThreadPoolExecutor:
    """A shared pool for work that overlaps sandbox runs (pylint subprocesses)."""
    global _BACKGROUND
    with _BACKGROUND_LOCK:
        if _BACKGROUND is None:
            _BACKGROUND = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="static")
        return _BACKGROUND


def _timed(func: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    return func(*args), time.perf_counter() - started


def _cacheable(report: Report) -> bool:
    """Only complete, reproducible outcomes are cached (not grader failures or engine errors)."""
    return (
        report.status in (GradingStatus.graded, GradingStatus.needs_review)
        and report.execution.status is not RunStatus.sandbox_error
    )


def _facts(submission: Submission) -> SubmissionFacts:
    texts = {}
    for rel, path in submission.files.items():
        if rel.lower().endswith(TEXT_SUFFIXES) and path.stat().st_size <= MAX_TEXT_BYTES:
            texts[rel] = path.read_bytes().decode("utf-8", "replace")
    return SubmissionFacts(
        name=submission.name,
        files=tuple(sorted(submission.files)),
        texts=texts,
        notebooks=tuple(nb.path for nb in submission.notebooks),
    )


def _executed_view(
    submission: Submission, view: NotebookView, result: SandboxResult
) -> tuple[NotebookView | None, dict[str, bytes]]:
    """Re-validate the executed notebooks; they must have the submitted cells, in order."""
    assert result.results is not None
    by_path = {nb.path: nb.executed for nb in result.results.output.notebooks}
    nodes = []
    files = {}
    for nb in submission.notebooks:
        key = by_path.get(nb.path)
        data = result.results.executed.get(key or "")
        if data is None:
            nodes.append((nb.path, nb.node))  # not executed: same cells, saved outputs ignored via records
            continue
        try:
            node = parse_notebook(nb.path, data, SubmissionLimits(max_notebook_bytes=64 * 1024 * 1024))
        except SubmissionError:
            return None, {}
        if len(node.cells) != len(nb.node.cells) or any(
            a.get("source") != b.get("source") for a, b in zip(node.cells, nb.node.cells)
        ):
            raise UntrustedOutputError(f"the executed copy of {nb.path} does not match the submitted notebook")
        nodes.append((nb.path, node))
        files[nb.path] = data
    return NotebookView.from_nodes(nodes), files


def flags_for(execution: ExecutionRecord, results: list[CheckResult], total: Total) -> list[Flag]:
    """Red flags for the top of the report."""
    flags = []
    if execution.status not in (RunStatus.ok, RunStatus.errors, RunStatus.not_run):
        kind = (
            FlagKind.resource_limit
            if execution.status in (RunStatus.oom, RunStatus.timeout, RunStatus.output_limit, RunStatus.disk_limit)
            else FlagKind.did_not_run
        )
        flags.append(Flag(kind=kind, message=f"Run ended as {execution.status.value}: {execution.reason}"[:400]))
    elif execution.status is RunStatus.errors:
        failing = [c for c in execution.cells if c.status.value in ("error", "timeout")]
        flags.append(
            Flag(kind=FlagKind.did_not_run, message=f"{len(failing)} cell(s) failed when re-run in the sandbox")
        )
    for result in results:
        if result.category == "leakage" and result.status is CheckStatus.failed:
            worst = max(result.problems, key=lambda f: f.severity.rank, default=None)
            if worst is not None and worst.severity.rank >= Severity.medium.rank:
                flags.append(Flag(kind=FlagKind.leakage, message=worst.message[:300], finding_id=worst.id))
        if result.slug == "claimed-score-matches-holdout" and result.status is CheckStatus.failed and result.problems:
            gap = result.problems[0]
            flags.append(Flag(kind=FlagKind.holdout_gap, message=gap.message[:300], finding_id=gap.id))
        if result.status is CheckStatus.error:
            flags.append(Flag(kind=FlagKind.needs_review, message=f"{result.id} ({result.slug}) crashed"))
    del total
    return flags


# --------------------------------------------------------------------------- files


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _write_evidence(out_dir: Path, executed: dict[str, bytes], collected: dict[str, bytes]) -> None:
    for rel, data in executed.items():
        safe = rel.replace("/", "__")
        atomic_write(out_dir / "executed" / safe, data)
    for name, data in collected.items():
        atomic_write(out_dir / "outputs" / name, data)


def write_report_files(
    report: Report,
    out_dir: Path,
    *,
    html: bool = True,
    submitted: dict[str, nbformat.NotebookNode] | None = None,
    blind: bool = False,
) -> None:
    """report.json (and report.html when a renderer is available), atomically.

    `submitted` supplies saved outputs for cells that did not run; `blind` also strips e-mails and home paths.
    """
    atomic_write(out_dir / "report.json", report.model_dump_json(indent=2).encode())
    if html:
        from grader.rendering import render_report_html

        executed = {}
        folder = out_dir / "executed"
        if folder.is_dir():
            for path in folder.glob("*.ipynb"):
                try:
                    executed[path.name.replace("__", "/")] = nbformat.reads(path.read_text("utf-8"), as_version=4)
                except Exception:  # noqa: BLE001 - an unreadable copy is simply not shown
                    continue
        atomic_write(out_dir / "report.html", render_report_html(report, executed, submitted, blind=blind).encode())


def load_report(path: Path) -> Report:
    return Report.model_validate(json.loads(Path(path).read_text("utf-8")))
