"""Grade one submission: load → sandbox run → evidence → checks → scoring → report.

Data flows one way. A `Grader` holds what a whole batch shares (assignment,
rubric, registry, sandbox settings) and grades submissions independently: bad
input gives a `rejected` report for that submission, a grader bug a `failed`
one, and neither stops the batch.
"""

from __future__ import annotations

import hashlib
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

from grader import __version__
from grader.checks.base import CheckSpec, Need
from grader.checks.registry import Registry
from grader.checks.runner import run_checks
from grader.errors import GraderError, ImageError, SubmissionError
from grader.evidence.build import build_context, observe, plan_for_policy, submission_facts
from grader.evidence.context import SubmissionFacts
from grader.evidence.holdout import score_holdout
from grader.evidence.pylint_runner import run_pylint
from grader.execution.live_progress import CellListener
from grader.execution.packages import PackagePlan
from grader.execution.profile_evidence import gather as gather_profile_evidence
from grader.execution.profiles import RuntimeProfile, load_profiles
from grader.execution.retry import RuntimePlan, available_profiles, plan_runtime, run_with_retry
from grader.execution.run import RunOutcome, SandboxRunner, not_executed, run_submission
from grader.execution.triage import find_malformed_files
from grader.models.assignment import RunLimits
from grader.models.execution import ExecutionRecord, RunStatus
from grader.models.notebook import NotebookView
from grader.models.report import GradingStatus, HoldoutResult, Report
from grader.models.runtime import ChoiceSource
from grader.pipeline.cache import ResultCache, digest, tree_hash
from grader.pipeline.files import atomic_write, load_report, write_evidence, write_report_files
from grader.report.assemble import anonymous_id, environment_info, failed_report, graded_report, submission_info
from grader.report.cell_names import CellNames
from grader.report.choices import choice_questions
from grader.report.redact import redact_report
from grader.review.carry import carry_overrides
from grader.scoring.rubric_file import LoadedRubric
from grader.scoring.score import score_rubric
from grader.submission.assignment import LoadedAssignment
from grader.submission.loader import Submission, SubmissionLimits, open_submission
from grader.submission.main_notebook import choose_main_notebooks


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
        """The rubric's checks, in order, with their parameters."""
        return [(self.registry.get(ref.check), ref.params) for c in self.rubric.rubric.criteria for ref in c.checks]

    def _stage(self, name: str, stage: str, started: float, timings: dict[str, float]) -> float:
        now = time.perf_counter()
        timings[stage] = round(now - started, 4)
        if self.on_stage:
            self.on_stage(name, stage, now - started)
        return now

    def grade(
        self,
        path: Path,
        *,
        out_dir: Path | None = None,
        name: str | None = None,
        candidate: str | None = None,
        on_cell: CellListener | None = None,
    ) -> Report:
        """Grade one submission folder or zip; never raises for a bad submission.

        `on_cell` hears each code cell as it starts running in the sandbox ("cell i of n").
        """
        path = Path(path)
        name = name or (path.stem if path.is_file() else path.name)
        shown = anonymous_id(name) if self.options.blind else (candidate or name)
        timings: dict[str, float] = {}
        submitted: dict[str, Any] = {}
        executed: dict[str, Any] = {}
        key = None
        # A re-grade into a folder with a review keeps it: read it before anything is overwritten.
        earlier = reviewed_report(out_dir)
        try:
            with open_submission(
                path,
                notebook=self.options.notebook or self._assignment_notebook(),
                limits=SubmissionLimits(),
                name=name,
            ) as submission:
                if not (self.options.notebook or self._assignment_notebook()):
                    self._select_notebooks(submission)
                if self.cache is not None and out_dir is not None and earlier is None:
                    key = self._cache_key(submission, shown)
                    cached = self._from_cache(key, out_dir, path)
                    if cached is not None:
                        return cached
                submitted = {nb.path: nb.node for nb in submission.notebooks}
                report, executed = self._grade_loaded(submission, shown, timings, out_dir, on_cell)
        except SubmissionError as exc:
            report = self.failed_report(name, shown, str(exc), GradingStatus.rejected, path)
        except Exception as exc:  # noqa: BLE001 - one submission's failure never stops a batch
            detail = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, GraderError):
                detail += "\n" + traceback.format_exc(limit=8)
            report = self.failed_report(name, shown, detail, GradingStatus.failed, path)
        report.timings.update(timings)
        if self.options.blind:
            # Names are already anonymous; e-mail addresses and personal paths in findings,
            # errors and tracebacks go too.
            report = redact_report(report)
        if earlier is not None:
            report = carry_overrides(earlier, report)
        if out_dir is not None:
            write_report_files(
                report,
                out_dir,
                html=self.options.write_html,
                executed=executed,
                submitted=submitted,
                blind=self.options.blind,
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
        self,
        submission: Submission,
        shown: str,
        timings: dict[str, float],
        out_dir: Path | None,
        on_cell: CellListener | None = None,
    ) -> tuple[Report, dict[str, Any]]:
        """Every stage for a loaded submission; the report and the notebooks as executed."""
        started = time.perf_counter()
        view = NotebookView.from_nodes([(nb.path, nb.node) for nb in submission.notebooks])
        facts = submission_facts(submission)
        started = self._stage(submission.name, "load", started, timings)
        # pylint needs only the code: it runs (in its own process) while the sandbox executes.
        pylint_job: Future[Any] | None = None
        if self.options.pylint and any(Need.pylint in spec.requires for spec, _ in self.selection):
            pylint_job = _background().submit(_timed, run_pylint, view)
        assignment = self.assignment.assignment if self.assignment else None
        plan = plan_for_policy(view, facts, assignment) if self._executing else None
        run = self._execute(submission, view, facts, plan, on_cell)
        seen = observe(
            submission=facts,
            notebook=view,
            execution=run.record,
            executed=run.executed,
            assignment=assignment,
            trace=run.trace,
        )
        holdout = self.holdout_result(run.record, run.collected, seen.shown)
        started = self._stage(submission.name, "execute", started, timings)
        pylint = None
        if pylint_job is not None:
            pylint, pylint_seconds = pylint_job.result()
            timings["pylint (overlapped)"] = round(pylint_seconds, 4)
            started = self._stage(submission.name, "pylint wait", started, timings)
        ctx = build_context(seen, pylint=pylint, holdout=holdout, packages=plan)
        results = run_checks(ctx, self.selection)
        started = self._stage(submission.name, "checks", started, timings)
        criteria, total = score_rubric(self.rubric.rubric, results)
        self._stage(submission.name, "score", started, timings)
        report = graded_report(
            submission=submission_info(submission, shown, blind=self.options.blind),
            assignment=self.assignment,
            rubric=self.rubric,
            registry=self.registry,
            execution=run.record,
            results=results,
            criteria=criteria,
            total=total,
            holdout=holdout,
            environment=environment_info(run.record, self.sandbox.settings if self.sandbox else None),
            choices=choice_questions(ctx, holdout),
            cells=CellNames.of_view(view),
        )
        if out_dir is not None:
            write_evidence(out_dir, run.executed_files, run.collected)
        return report, run.executed_nodes

    @property
    def _executing(self) -> bool:
        return self.options.execute and self.sandbox is not None

    def _execute(
        self,
        submission: Submission,
        view: NotebookView,
        facts: SubmissionFacts,
        plan: PackagePlan | None,
        on_cell: CellListener | None = None,
    ) -> RunOutcome:
        if self.sandbox is None or plan is None:
            return not_executed(view, "execution disabled" if not self.options.execute else "no sandbox configured")
        # Run on the profile the notebook was written for; once more on another if its libraries failed it.
        runtime = self._runtime_plan(submission, view, facts)
        malformed = find_malformed_files(submission.files)
        limits = self.options.limits or (self.assignment.assignment.limits if self.assignment else RunLimits())
        assignment = self.assignment.assignment if self.assignment else None

        def run_on(profile: RuntimeProfile) -> RunOutcome:
            """One sandbox run of the submission on one runtime profile, with the packages planned against it."""
            assert self.sandbox is not None
            image = self.profile_images.get(profile.name)
            if image is None:
                raise ImageError(
                    f"the {profile.name} profile's image is not built: "
                    f"run `grader image build --profile {profile.name}`"
                )
            packages = plan_for_policy(view, facts, assignment, profile=profile.name)
            return run_submission(
                self.sandbox,
                submission,
                view,
                packages,
                assignment=self.assignment,
                limits=limits,
                image=image,
                profile=profile.name,
                malformed=malformed,
                on_cell=on_cell,
            )

        return run_with_retry(runtime, run_on, view)

    @cached_property
    def profile_images(self) -> dict[str, str]:
        """Profile name → sandbox image, for every profile whose image is built."""
        assert self.sandbox is not None
        return available_profiles(self.sandbox.client, self.sandbox.settings.image)

    def _runtime_plan(self, submission: Submission, view: NotebookView, facts: SubmissionFacts) -> RuntimePlan:
        requested = self.options.profile or (self.assignment.assignment.runtime if self.assignment else None)
        how = ChoiceSource.option if self.options.profile else ChoiceSource.assignment
        evidence = gather_profile_evidence([(nb.path, nb.node) for nb in submission.notebooks], view, facts.texts)
        available = [p for p in load_profiles() if p.name in self.profile_images]
        return plan_runtime(requested, how, evidence, available)

    def holdout_result(
        self, execution: ExecutionRecord, collected: dict[str, bytes], view: NotebookView
    ) -> HoldoutResult | None:
        """Score the collected predictions against the hidden labels (never mounted in a sandbox).

        Public for the broker's submitting side, which holds the labels (`grader.distributed.remote`).
        """
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

    def failed_report(self, name: str, shown: str, error: str, status: GradingStatus, path: Path) -> Report:
        """The report of a submission this grader could not grade (`rejected` or `failed`)."""
        return failed_report(
            name=name,
            shown=shown,
            error=error,
            status=status,
            source=str(path),
            assignment=self.assignment,
            rubric=self.rubric,
            blind=self.options.blind,
        )


_BACKGROUND: ThreadPoolExecutor | None = None
_BACKGROUND_LOCK = threading.Lock()


def reviewed_report(out_dir: Path | None) -> Report | None:
    """The report already in `out_dir` when a reviewer worked on it (overrides, notes, or entries not carried)."""
    if out_dir is None or not (Path(out_dir) / "report.json").is_file():
        return None
    try:
        earlier = load_report(Path(out_dir) / "report.json")
    except (OSError, ValueError):
        return None  # unreadable: graded afresh, as before
    return earlier if earlier.overrides or earlier.not_carried else None


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
