"""The evidence stage's entry point: observations in, one complete `CheckContext` out.

Every analysis is computed here, once, in dependency order. An analysis that crashes
is kept as `AnalysisFailed` (with its traceback) instead of stopping the submission:
only the checks that read it report `error`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import fields
from typing import TypeVar

from grader.evidence.code import CodeIndex
from grader.evidence.context import (
    Analyses,
    AnalysisFailed,
    CheckContext,
    Observations,
    SubmissionFacts,
    available,
    best_outputs_view,
)
from grader.evidence.dataflow.interpreter import analyse, module_sources
from grader.evidence.eda import eda_facts
from grader.evidence.leakage.analysis import analyse_leakage
from grader.evidence.ml.facts import MLFacts
from grader.evidence.ml.modules import local_modules
from grader.evidence.narrative.facts import narrative_facts
from grader.evidence.pylint_runner import PylintReport
from grader.evidence.tracefacts import TraceFacts
from grader.execution.packages import PackagePlan, plan_packages
from grader.models.assignment import Assignment, PackagePolicy
from grader.models.execution import ExecutionRecord
from grader.models.notebook import NotebookView
from grader.models.report import HoldoutResult
from grader.models.trace import RuntimeTrace
from grader.submission.loader import Submission

T = TypeVar("T")


def observe(
    *,
    submission: SubmissionFacts,
    notebook: NotebookView,
    execution: ExecutionRecord,
    executed: NotebookView | None = None,
    assignment: Assignment | None = None,
    trace: RuntimeTrace | None = None,
) -> Observations:
    """What was seen of one submission, with its code index and the outputs that count."""
    return Observations(
        submission=submission,
        notebook=notebook,
        execution=execution,
        code=CodeIndex(notebook),
        shown=best_outputs_view(notebook, executed, execution),
        executed=executed,
        assignment=assignment,
        trace=trace,
    )


def _attempt(name: str, build: Callable[[], T]) -> T | AnalysisFailed:
    try:
        return build()
    except Exception:  # noqa: BLE001 - a crashed analysis becomes `error` in the checks that read it
        return AnalysisFailed(name=name, traceback=traceback.format_exc(limit=12))


def analyse_all(seen: Observations, packages: PackagePlan | None = None) -> Analyses:
    """Every analysis of the observations, in dependency order (`packages`: a plan made already)."""
    assignment = seen.assignment
    ml = _attempt("ML facts", lambda: MLFacts(seen.code))
    ml_modules = _attempt("local modules", lambda: local_modules(seen.code, seen.submission.texts))
    narrative = _attempt("narrative", lambda: narrative_facts(seen))
    eda = _attempt("EDA", lambda: eda_facts(seen, available(narrative)))
    dataflow = _attempt(
        "dataflow",
        lambda: analyse(
            seen.code,
            target=assignment.target if assignment else None,
            time_column=assignment.structure.time_column if assignment else None,
            group_column=assignment.structure.group_column if assignment else None,
            modules=module_sources(seen.submission.texts),
        ),
    )
    trace_facts = _attempt(
        "trace", lambda: TraceFacts(seen.trace) if seen.trace is not None and seen.trace.usable else None
    )
    leakage = _attempt("leakage", lambda: analyse_leakage(seen, available(dataflow), available(trace_facts)))
    plan = packages if packages is not None else _attempt("package plan", lambda: plan_for(seen))
    return Analyses(
        ml=ml,
        ml_modules=ml_modules,
        narrative=narrative,
        eda=eda,
        dataflow=dataflow,
        trace_facts=trace_facts,
        leakage=leakage,
        packages=plan,
    )


def plan_for(seen: Observations) -> PackagePlan:
    """The package plan of the observed submission."""
    return plan_for_policy(seen.notebook, seen.submission, seen.assignment)


def plan_for_policy(
    view: NotebookView, submission: SubmissionFacts, assignment: Assignment | None, *, profile: str | None = None
) -> PackagePlan:
    """The packages a submission asks for, under its assignment's policy (base packages only without one).

    Planned against the image of runtime profile `profile` (the current one by default).
    """
    return plan_packages(
        view,
        submission.texts,
        submission.files,
        assignment.packages if assignment else PackagePolicy.base_only,
        assignment.allowed_packages if assignment else (),
        profile=profile,
    )


#: Small text files checks may read (README, requirements, the submission's own modules).
TEXT_SUFFIXES = (".md", ".txt", ".py", ".yml", ".yaml", ".toml", ".cfg", ".rst")
MAX_TEXT_BYTES = 200_000


def submission_facts(submission: Submission) -> SubmissionFacts:
    """What checks may know of a loaded submission's files, read once (no I/O in checks)."""
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


def build_context(
    seen: Observations,
    *,
    pylint: PylintReport | None = None,
    holdout: HoldoutResult | None = None,
    packages: PackagePlan | None = None,
) -> CheckContext:
    """The check context: the observations and every analysis of them."""
    observed = {f.name: getattr(seen, f.name) for f in fields(Observations)}
    return CheckContext(**observed, analyses=analyse_all(seen, packages), pylint=pylint, holdout=holdout)


def context_of(
    *,
    submission: SubmissionFacts,
    notebook: NotebookView,
    execution: ExecutionRecord,
    executed: NotebookView | None = None,
    assignment: Assignment | None = None,
    trace: RuntimeTrace | None = None,
    pylint: PylintReport | None = None,
    holdout: HoldoutResult | None = None,
) -> CheckContext:
    """`observe` and `build_context` in one call, for callers that have every part at hand."""
    seen = observe(
        submission=submission,
        notebook=notebook,
        execution=execution,
        executed=executed,
        assignment=assignment,
        trace=trace,
    )
    return build_context(seen, pylint=pylint, holdout=holdout)
