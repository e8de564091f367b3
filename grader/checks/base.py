"""What a check is: metadata, typed parameters and a pure function of the evidence.

A check lives in its own module and is declared with `@check(...)`:

    @check(id="EXE001", slug="notebook-runs-cleanly", category=Category.execution,
           title="The notebook runs top to bottom", requires={Need.execution},
           followup=DID_NOT_RUN)
    def notebook_runs_cleanly(ctx: CheckContext, params: NoParams) -> Iterator[Finding]:
        \"\"\"One-line summary.

        What it checks: ...
        Why it matters: ...
        Example: ...
        Do instead: ...
        \"\"\"

Besides what it needs (`requires`), a check declares what the report does with it: the
follow-up question its worst finding raises (`followup`, see `grader.checks.followups`),
the red flag its failure raises (`flag`), and, with `needs_fitted_model`, that it has
nothing to judge when no model is fitted (the runner then reports that, one way for all).

The decorator returns a `CheckSpec`; nothing is registered globally. A registry
collects specs explicitly (see `grader.checks.registry`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from grader.checks.followups import Question
from grader.models.findings import CheckResult, CheckStatus, Finding, Severity
from grader.models.report import FlagKind

if TYPE_CHECKING:
    from grader.evidence.context import CheckContext


class Category(StrEnum):
    eda = "eda"
    features = "features"
    modeling = "modeling"
    evaluation = "evaluation"
    leakage = "leakage"
    quality = "quality"
    docs = "docs"
    execution = "execution"


class Scope(StrEnum):
    """What a check judges, which decides where `grader lint` runs it."""

    #: Statements, wherever they are: meaningful on a helper module alone (a scaler fitted before the split).
    code = "code"
    #: The analysis as a whole (narrative, EDA, modelling choices, cells): meaningful on a notebook only.
    notebook = "notebook"


#: Categories whose checks judge code unless they declare otherwise.
CODE_CATEGORIES = frozenset({Category.leakage, Category.quality})


class Need(StrEnum):
    """Inputs a check cannot work without; if one is missing the check is skipped."""

    #: The notebook was run in the sandbox (any outcome).
    execution = "execution"
    #: The assignment (task, target, metric) is known.
    assignment = "assignment"
    #: The runtime trace was recorded and is trusted.
    trace = "trace"
    #: pylint ran on the code.
    pylint = "pylint"
    #: The hidden holdout could be scored.
    holdout = "holdout"


class Params(BaseModel):
    """Base for a check's parameters: unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Params):
    """For checks without parameters."""


@dataclass
class CheckOutcome:
    """What a check function may return instead of a plain iterable of findings."""

    findings: list[Finding] = field(default_factory=list)
    #: Fraction of the goal met (0–1), for proportional scoring.
    score: float | None = None
    #: A measured value, for metric-to-points scoring.
    metric: float | None = None
    message: str = ""
    #: Force a status (e.g. skipped when the evidence is absent); None derives it.
    status: CheckStatus | None = None


DOC_SECTIONS = ("What it checks", "Why it matters", "Example", "Do instead")


def parse_doc(doc: str) -> dict[str, str]:
    """Split a check's docstring into its summary and the four sections."""
    text = inspect.cleandoc(doc or "")
    parts: dict[str, str] = {"summary": text.split("\n\n", 1)[0].strip()}
    pattern = re.compile(rf"^({'|'.join(DOC_SECTIONS)}):\s*", re.MULTILINE)
    matches = list(pattern.finditer(text))
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        parts[match.group(1)] = text[match.end() : end].strip()
    return parts


#: A check: the context and its parameters (an instance of its `params` model) in, findings out.
CheckFunction = Callable[["CheckContext", Any], "CheckOutcome | Iterable[Finding]"]


@dataclass(frozen=True)
class FlagRule:
    """A red flag at the top of the report when the check fails."""

    kind: FlagKind
    #: Flag the most severe problem if it is at least this severe; None: the first problem, whatever its severity.
    min_severity: Severity | None = None

    def pick(self, result: CheckResult) -> Finding | None:
        """The finding the flag quotes, or None when the failure does not deserve one."""
        if self.min_severity is None:
            return result.problems[0] if result.problems else None
        worst = max(result.problems, key=lambda f: f.severity.rank, default=None)
        return worst if worst is not None and worst.severity.rank >= self.min_severity.rank else None


@dataclass(frozen=True)
class CheckSpec:
    """A check's identity and behaviour."""

    id: str
    slug: str
    category: Category
    title: str
    version: int
    func: CheckFunction
    params_model: type[Params]
    requires: frozenset[Need]
    module: str
    #: Inputs read when present, without which the check still runs (a result computed without them
    #: is recomputed once they arrive, e.g. the holdout scored on the submitting side of a broker).
    reads: frozenset[Need] = frozenset()
    #: The interview question a finding of this check raises (None: the report's fallback by slug and category).
    followup: Question | None = None
    #: The red flag a failure raises (None: no flag).
    flag: FlagRule | None = None
    #: What cannot be judged without a fitted model ("nothing is tuned"); the runner reports it when none is.
    needs_fitted_model: str | None = None
    #: What it judges; None: `code` for leakage and quality checks, `notebook` for the rest.
    declared_scope: Scope | None = None

    @property
    def scope(self) -> Scope:
        """Code-level or notebook-level (declared, or by category)."""
        if self.declared_scope is not None:
            return self.declared_scope
        return Scope.code if self.category in CODE_CATEGORIES else Scope.notebook

    @property
    def doc(self) -> dict[str, str]:
        """The docstring's summary and its four sections."""
        return parse_doc(self.func.__doc__ or "")

    @property
    def summary(self) -> str:
        """The docstring's first paragraph."""
        return self.doc.get("summary", "")

    def make_params(self, values: dict[str, Any] | None = None) -> Params:
        """The check's parameters from a rubric's values (defaults for the rest)."""
        return self.params_model.model_validate(values or {})


_ID = re.compile(r"^[A-Z]{2,5}\d{3}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def check(
    *,
    id: str,  # noqa: A002 - the natural name for a check id
    slug: str,
    category: Category,
    title: str,
    version: int = 1,
    params: type[Params] = NoParams,
    requires: Iterable[Need] = (),
    reads: Iterable[Need] = (),
    followup: Question | None = None,
    flag: FlagRule | None = None,
    needs_fitted_model: str | None = None,
    scope: Scope | None = None,
) -> Callable[[CheckFunction], CheckSpec]:
    """Declare a check; returns its `CheckSpec` in place of the function."""
    if not _ID.match(id):
        raise ValueError(f"check id {id!r} must look like LEAK001")
    if not _SLUG.match(slug):
        raise ValueError(f"check slug {slug!r} must be lower-case words joined by dashes")

    def wrap(func: CheckFunction) -> CheckSpec:
        return CheckSpec(
            id=id,
            slug=slug,
            category=category,
            title=title,
            version=version,
            func=func,
            params_model=params,
            requires=frozenset(requires),
            module=func.__module__,
            reads=frozenset(reads),
            followup=followup,
            flag=flag,
            needs_fitted_model=needs_fitted_model,
            declared_scope=scope,
        )

    return wrap
