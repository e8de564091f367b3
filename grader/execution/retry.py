"""Run a submission on the runtime profile it was written for, and once more on another when that helps.

The first run goes to the profile the assignment names (`runtime:` in `assignment.yaml`,
or `--profile`), else to the one the submission's evidence points to (`profile_evidence`),
else to `current`. When cells of that run fail for environmental reasons (a library change
triage named, or a removed API it could not name) and the profile was not fixed by the
assignment, the notebook is run again on the profile in which those changes had not
happened yet (or had already, for an API that is too new), chosen among the profiles whose
images are built. The run that reproduces the notebook best is graded: the one that ran to
the end, with fewer failed or skipped cells, then more saved outputs reproduced exactly,
the first run on a tie. The record says which profile ran, why, and what the other run did.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grader.execution import library_changes
from grader.execution.docker_client import DockerClient
from grader.execution.image import find_runtime_image
from grader.execution.profile_evidence import fits, rank
from grader.execution.profiles import AUTO, RuntimeProfile, get_profile, load_profiles
from grader.execution.run import RunOutcome
from grader.models.execution import CellRecord, CellStatus, ErrorClass, ExecutionRecord
from grader.models.notebook import NotebookView
from grader.models.runtime import ChoiceSource, EvidenceKind, ProfileChoice, ProfileEvidence, ProfileRun

#: Environment failures that another era's libraries cannot fix (a package no profile has).
_MISSING_PACKAGE = re.compile(r"No module named")


@dataclass(frozen=True)
class Attempt:
    """One run of a submission on one profile: what it left behind, and its host wall-clock seconds."""

    profile: RuntimeProfile
    outcome: RunOutcome
    #: Host wall-clock seconds of the whole run (packages, container, notebook).
    wall_s: float = 0.0

    @property
    def record(self) -> ExecutionRecord:
        """The run's execution record."""
        return self.outcome.record


@dataclass(frozen=True)
class RuntimePlan:
    """The profile of the first run, why, and what a retry may choose from."""

    first: RuntimeProfile
    choice: ProfileChoice
    evidence: tuple[ProfileEvidence, ...]
    #: Named by the assignment or the grader's options: candidates were told, so no retry.
    fixed: bool
    available: tuple[RuntimeProfile, ...]


@dataclass(frozen=True)
class RetryDecision:
    """The profile to run again on (None: no retry), and why."""

    profile: RuntimeProfile | None
    reason: str
    evidence: tuple[ProfileEvidence, ...] = ()
    #: Whether the report should say why there was no retry (there were environment failures).
    worth_telling: bool = True


def available_profiles(client: DockerClient, current_image: str) -> dict[str, str]:
    """Profile name → image for every profile whose image is built (`current` is the grader's image)."""
    images = {"current": current_image}
    for profile in load_profiles():
        if profile.name != "current" and (tag := find_runtime_image(client, profile)) is not None:
            images[profile.name] = tag
    return images


def plan_runtime(
    requested: str | None,
    how: ChoiceSource,
    evidence: Sequence[ProfileEvidence],
    available: Sequence[RuntimeProfile],
) -> RuntimePlan:
    """The first run's profile: the one `requested` names, else the best fit to the evidence among `available`."""
    if requested and requested != AUTO:
        profile = get_profile(requested)
        reason = (
            f"the assignment's `runtime:` names the {profile.name} profile"
            if how is ChoiceSource.assignment
            else f"the grader was asked to run the {profile.name} profile (--profile)"
        )
        choice = _choice(profile, how, reason, evidence)
        return RuntimePlan(profile, choice, tuple(evidence), True, tuple(available))
    ranked = rank(load_profiles(), evidence)
    best = ranked[0]
    usable = [v for v in ranked if v.profile in available]
    chosen = usable[0] if usable else best
    if not evidence:
        reason = "no evidence of an older stack in the submission: today's libraries"
        choice = _choice(chosen.profile, ChoiceSource.default, reason, evidence)
        return RuntimePlan(chosen.profile, choice, tuple(evidence), False, tuple(available))
    reason = f"fits {len(chosen.fits)} of {len(chosen.fits) + len(chosen.contradicts)} hints in the submission"
    if chosen.fits:
        reason += ": " + "; ".join(f"{e.detail} ({e.bounds_text()})" for e in chosen.fits[:3])
    if chosen.contradicts:
        reason += "; against it: " + "; ".join(f"{e.detail} ({e.bounds_text()})" for e in chosen.contradicts[:2])
    if chosen is not best:
        reason += f"; the {best.profile.name} profile fits better but its image is not built (grader image build --all)"
    return RuntimePlan(
        chosen.profile,
        _choice(chosen.profile, ChoiceSource.inferred, reason, evidence),
        tuple(evidence),
        False,
        tuple(available),
    )


def _choice(
    profile: RuntimeProfile, how: ChoiceSource, reason: str, evidence: Sequence[ProfileEvidence]
) -> ProfileChoice:
    return ProfileChoice(
        profile=profile.name, how=how, reason=reason[:1500], versions=profile.key_versions(), evidence=list(evidence)
    )


def environment_roots(record: ExecutionRecord) -> list[CellRecord]:
    """Cells that failed for environmental reasons on their own (not as a consequence of another)."""
    return [
        c
        for c in record.cells
        if c.status is CellStatus.error and c.error_class is ErrorClass.environment and c.caused_by is None
    ]


def retry_target(plan: RuntimePlan, outcome: Attempt) -> RetryDecision:
    """Whether to run again, on which profile, and why (or why not)."""
    roots = environment_roots(outcome.record)
    if not outcome.record.status.completed or not roots:
        return RetryDecision(None, "no cell failed for environmental reasons", worth_telling=False)
    if plan.fixed:
        return RetryDecision(None, "the profile is fixed by the assignment or the options")
    named = []
    for cell in roots:
        change = library_changes.BY_ID.get(cell.library_change or "")
        if change is not None:
            low, high = change.constraint()
            named.append(
                ProfileEvidence(
                    kind=EvidenceKind.failure,
                    library=change.library,
                    low=_version_text(low),
                    high=_version_text(high),
                    weight=5,
                    detail=f"cell {cell.index} failed on {change.label()}",
                    cell=cell.index,
                )
            )
    others = [p for p in plan.available if p.name != outcome.profile.name]
    if named:
        candidates = [p for p in others if all(fits(e, p) is not False for e in named)]
        if not candidates:
            wanted = "; ".join(sorted({e.bounds_text() for e in named}))
            return RetryDecision(None, f"no built profile has {wanted}", tuple(named))
        best = rank(candidates, [*plan.evidence, *named])[0].profile
        details = list(dict.fromkeys(e.detail for e in named))
        changes = "; ".join(details[:2]) + (f" (and {len(details) - 2} more)" if len(details) > 2 else "")
        return RetryDecision(best, f"{changes}: the {best.describe()} profile predates it", tuple(named))
    generic = [c for c in roots if not _MISSING_PACKAGE.search(c.error_value or "")]
    older = sorted((p for p in others if p.age > outcome.profile.age), key=lambda p: p.age)
    if not generic or not older:
        return RetryDecision(None, "the environment failures are missing packages, which no other profile provides")
    first = generic[0]
    return RetryDecision(
        older[0],
        f"cell {first.index} failed on a library API ({first.error_name}: {(first.error_value or '')[:120]}); "
        f"the next older profile, {older[0].describe()}, may still have it",
    )


def _version_text(version: tuple[int, ...] | None) -> str | None:
    return ".".join(map(str, version)) if version is not None else None


def outputs_matched(record: ExecutionRecord, submitted: NotebookView, executed: NotebookView | None) -> int:
    """Code cells that ran and printed exactly the text their saved outputs show."""
    if executed is None:
        return 0
    matched = 0
    for cell in record.cells:
        if cell.status is not CellStatus.ok or cell.index >= len(submitted) or cell.index >= len(executed):
            continue
        saved = _normalised(submitted[cell.index].output_text)
        if saved and saved == _normalised(executed[cell.index].output_text):
            matched += 1
    return matched


def _normalised(text: str) -> str:
    return " ".join(text.split())


def quality(outcome: RunOutcome, submitted: NotebookView) -> tuple[bool, int, int]:
    """How well a run reproduces the notebook: ran to the end, fewer failed or skipped cells, more outputs."""
    record = outcome.record
    lost = sum(1 for c in record.cells if c.status in (CellStatus.error, CellStatus.timeout, CellStatus.not_executed))
    return record.status.completed, -lost, outputs_matched(record, submitted, outcome.executed)


def run_with_retry(
    plan: RuntimePlan,
    run: Callable[[RuntimeProfile], RunOutcome],
    submitted: NotebookView,
) -> RunOutcome:
    """Run on the planned profile, retry on another when environment failures call for it; the best run, annotated."""
    first = _timed(run, plan.first)
    decision = retry_target(plan, first)
    runs = [first]
    if decision.profile is not None:
        runs.append(_timed(run, decision.profile))
    scores = [quality(r.outcome, submitted) for r in runs]
    best_index = max(range(len(runs)), key=lambda i: scores[i])  # the first run wins a tie
    best = runs[best_index]
    if best_index == 0:
        choice = plan.choice
        if len(runs) > 1:
            choice = choice.model_copy(
                update={
                    "reason": f"{choice.reason}; a re-run on {runs[1].profile.name} did not reproduce the notebook "
                    f"better ({_summary(runs[1])})"[:1500]
                }
            )
    else:
        choice = _choice(
            best.profile,
            ChoiceSource.retry,
            f"on {first.profile.name}: {_summary(first)}; {decision.reason}; there: {_summary(best)}",
            [*plan.evidence, *decision.evidence],
        )
    profile_runs = [
        _profile_run(r, scores[i], graded=i == best_index, note=_note(i, best_index, decision))
        for i, r in enumerate(runs)
    ]
    record = best.record.model_copy(
        update={"profile": best.profile.name, "profile_choice": choice, "profile_runs": profile_runs}
    )
    return dataclasses.replace(best.outcome, record=record)


def _timed(run: Callable[[RuntimeProfile], RunOutcome], profile: RuntimeProfile) -> Attempt:
    started = time.monotonic()
    outcome = run(profile)
    return Attempt(profile, outcome, round(time.monotonic() - started, 3))


def _summary(outcome: Attempt) -> str:
    record = outcome.record
    code = [c for c in record.cells if c.cell_type == "code"]
    ok = sum(1 for c in code if c.status in (CellStatus.ok, CellStatus.skipped))
    text = f"{ok} of {len(code)} code cells ran cleanly (run {record.status.value})"
    roots = environment_roots(record)
    if roots:
        text += f", {len(roots)} failed for environmental reasons"
    return text


def _note(index: int, graded: int, decision: RetryDecision) -> str:
    if index == 0:
        role = "first run"
        if decision.profile is None and decision.worth_telling:
            role += f"; not retried: {decision.reason}"
    else:
        role = f"re-run: {decision.reason}"
    return f"{role}; {'graded' if index == graded else 'not graded'}"[:1000]


def _profile_run(outcome: Attempt, score: tuple[bool, int, int], *, graded: bool, note: str) -> ProfileRun:
    record = outcome.record
    failing = [c for c in record.cells if c.status in (CellStatus.error, CellStatus.timeout)]
    roots = environment_roots(record)
    first = failing[0] if failing else None
    described = None
    if first is not None:
        value = (first.error_value or "").strip().splitlines()
        described = f"cell {first.index}: {first.error_name}: {value[0][:160] if value else ''}"
        if first.error_class is not None:
            described += f" ({first.error_class.value}"
            described += f": {first.triage_note[:200]})" if first.triage_note else ")"
    return ProfileRun(
        profile=outcome.profile.name,
        graded=graded,
        status=record.status.value,
        duration_s=outcome.wall_s or record.duration_s,
        cells_ok=sum(1 for c in record.cells if c.status in (CellStatus.ok, CellStatus.skipped)),
        cells_failed=len(failing),
        cells_not_run=sum(1 for c in record.cells if c.status is CellStatus.not_executed),
        environment_failures=len(roots),
        outputs_matched=score[2],
        first_failure=described,
        note=note,
    )
