"""`grader lint`: the static checks alone, on one notebook or `.py` script, without Docker.

Checks that need the sandbox run, the runtime trace, the hidden holdout or pylint are
left out; checks that need the assignment run only when one is given. Candidates and CI
pipelines use it as a pre-commit check: a high-severity finding fails the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.checks.base import CheckSpec, Need
from grader.checks.registry import Registry
from grader.checks.runner import run_check
from grader.errors import ConfigError, SubmissionError
from grader.evidence.build import context_of
from grader.evidence.context import SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.findings import CheckResult, CheckStatus, Finding, Severity
from grader.models.notebook import NotebookView
from grader.submission.assignment import LoadedAssignment
from grader.submission.loader import SubmissionLimits, parse_notebook
from grader.submission.pyscript import script_to_notebook

#: Inputs `grader lint` never has.
RUNTIME_NEEDS = frozenset({Need.execution, Need.trace, Need.holdout, Need.pylint})
MAX_SCRIPT_BYTES = 5 * 1024 * 1024


@dataclass
class LintResult:
    """The static checks' results for one file."""

    path: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def problems(self) -> list[tuple[CheckResult, Finding]]:
        return [(r, f) for r in self.results for f in r.problems]

    @property
    def has_high(self) -> bool:
        return any(f.severity is Severity.high for _, f in self.problems)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "high": self.has_high,
            "checks": [r.model_dump(mode="json", exclude={"duration_ms"}) for r in self.results],
        }


def select_checks(registry: Registry, only: Sequence[str] | None = None) -> list[CheckSpec]:
    """Registered checks that can run without execution; `only` keeps categories, ids or slugs."""
    specs = [s for s in registry if not (s.requires & RUNTIME_NEEDS)]
    if not only:
        return specs
    wanted = {w.strip() for item in only for w in item.split(",") if w.strip()}
    categories = {s.category.value for s in registry}
    unknown = sorted(w for w in wanted if w not in categories and w not in registry)
    if unknown:
        raise ConfigError(f"--only: unknown check or category {', '.join(unknown)}")
    ids = {registry.get(w).id for w in wanted if w in registry}
    return [s for s in specs if s.category.value in wanted or s.id in ids]


def read_notebook(path: Path) -> NotebookView:
    """A notebook (`.ipynb`) or a script (`.py`, `# %%` cells or plain) as a notebook view."""
    if not path.is_file():
        raise ConfigError(f"{path} does not exist or is not a file")
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        try:
            node = parse_notebook(path.name, path.read_bytes(), SubmissionLimits())
        except SubmissionError as exc:
            raise ConfigError(str(exc)) from exc
    elif suffix == ".py":
        data = path.read_bytes()
        if len(data) > MAX_SCRIPT_BYTES:
            raise ConfigError(f"{path} is larger than {MAX_SCRIPT_BYTES:,} bytes")
        node = script_to_notebook(data.decode("utf-8", "replace"))
    else:
        raise ConfigError(f"{path}: give a notebook (.ipynb) or a Python script (.py)")
    return NotebookView.from_nodes([(path.name, node)])


def lint_file(
    path: Path, *, registry: Registry, assignment: LoadedAssignment | None = None, only: Sequence[str] | None = None
) -> LintResult:
    """Run the static checks on one file."""
    view = read_notebook(path)
    ctx = context_of(
        submission=SubmissionFacts(name=path.stem, files=(path.name,), notebooks=(path.name,)),
        notebook=view,
        execution=not_run_record(view, "grader lint: static analysis only"),
        assignment=assignment.assignment if assignment is not None else None,
    )
    results = []
    for spec in select_checks(registry, only):
        result = run_check(spec, ctx)
        if result.status is not CheckStatus.skipped:
            results.append(result)
    return LintResult(path=str(path), results=results)
