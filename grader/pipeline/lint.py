"""`grader lint`: the static checks alone, on notebooks, scripts and folders, without Docker.

Checks that need the sandbox run, the runtime trace, the hidden holdout or pylint never
run here; checks that need the assignment run only when one is given. A notebook or a
`# %%` script gets every other check; a plain `.py` module (a helper) gets the
code-level ones only (`Scope.code`: leakage, code quality), since "no title" or "no EDA"
means nothing for a module. Places are 1-based, the way editors count.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.checks.base import CheckSpec, Need, Scope
from grader.checks.registry import Registry
from grader.checks.runner import run_check
from grader.errors import ConfigError, SubmissionError
from grader.evidence.build import MAX_TEXT_BYTES, TEXT_SUFFIXES, context_of
from grader.evidence.context import SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.findings import CheckResult, CheckStatus, Finding, Severity
from grader.models.lint import FileKind, LintedFile, LintFinding, LintReport
from grader.models.notebook import NotebookView
from grader.submission.archive import IGNORED_PARTS
from grader.submission.assignment import LoadedAssignment
from grader.submission.loader import SubmissionLimits, parse_notebook
from grader.submission.notebook_lines import source_file_lines
from grader.submission.pyscript import has_cell_markers, script_to_notebook

#: Inputs `grader lint` never has, and what to do instead.
RUNTIME_NEEDS = {
    Need.execution: "it judges the sandbox run",
    Need.trace: "it reads the runtime trace of a sandbox run",
    Need.holdout: "it scores predictions on the hidden holdout",
    Need.pylint: "pylint runs only when a submission is graded",
}
MAX_SCRIPT_BYTES = 5 * 1024 * 1024
SUFFIXES = (".ipynb", ".py")


@dataclass(frozen=True)
class Selection:
    """The checks a lint run uses, and the selected ones it cannot run (id → why)."""

    specs: tuple[CheckSpec, ...]
    not_run: dict[str, str]


def _words(items: Sequence[str] | None) -> list[str]:
    return [w.strip() for item in items or () for w in item.split(",") if w.strip()]


def _resolve(registry: Registry, words: list[str], option: str) -> tuple[set[str], set[str]]:
    """(categories, check ids) a list of `--select`/`--ignore` words names; unknown words are refused."""
    categories = {s.category.value for s in registry}
    unknown = [w for w in words if w.lower() not in categories and w not in registry]
    if unknown:
        hints = []
        for word in unknown:
            close = registry.closest(word)
            hints.append(f"{word!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        raise ConfigError(
            f"{option}: unknown check or category {', '.join(hints)}; "
            f"categories: {', '.join(sorted(categories))}; `grader checks list` shows the checks"
        )
    return {w.lower() for w in words if w.lower() in categories}, {registry.get(w).id for w in words if w in registry}


def select_checks(
    registry: Registry,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    has_assignment: bool = False,
) -> Selection:
    """The checks to run; a check named by id that lint cannot run is an error that says why."""
    chosen_categories, chosen_ids = _resolve(registry, _words(select), "--select")
    dropped_categories, dropped_ids = _resolve(registry, _words(ignore), "--ignore")
    everything = not chosen_categories and not chosen_ids
    specs: list[CheckSpec] = []
    not_run: dict[str, str] = {}
    refused: list[str] = []
    for spec in registry:
        named = spec.id in chosen_ids
        if not (everything or named or spec.category.value in chosen_categories):
            continue
        if spec.id in dropped_ids or spec.category.value in dropped_categories:
            continue
        runtime = [why for need, why in RUNTIME_NEEDS.items() if need in spec.requires]
        if runtime:
            if named:
                refused.append(f"{spec.id} ({spec.slug}) cannot run in `grader lint`: {runtime[0]}")
            continue
        if Need.assignment in spec.requires and not has_assignment:
            if named:
                refused.append(f"{spec.id} ({spec.slug}) needs --assignment (it reads the assignment's settings)")
            else:
                not_run[spec.id] = "needs --assignment"
            continue
        specs.append(spec)
    if refused:
        raise ConfigError("; ".join(refused))
    return Selection(tuple(specs), not_run)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the notebooks and `.py` files under folders (hidden and cache folders skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in IGNORED_PARTS)
                files.extend(Path(folder) / n for n in sorted(names) if n.lower().endswith(SUFFIXES))
        elif path.is_file():
            if not path.name.lower().endswith(SUFFIXES):
                raise ConfigError(f"{path}: give notebooks (.ipynb), Python files (.py) or folders")
            files.append(path)
        else:
            raise ConfigError(f"{path} does not exist")
    return list(dict.fromkeys(files))


@dataclass(frozen=True)
class ReadFile:
    """A file read as a notebook view, how it was read, and where each cell's lines are in the file."""

    view: NotebookView
    kind: FileKind
    #: Per cell, the 1-based file line of each source line (empty when unknown).
    file_lines: list[list[int]]


def read_file(path: Path) -> ReadFile:
    """A notebook (`.ipynb`) or a script (`.py`, `# %%` cells or a plain module)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".ipynb":
        try:
            node = parse_notebook(path.name, data, SubmissionLimits())
        except SubmissionError as exc:
            raise ConfigError(str(exc)) from exc
        view = NotebookView.from_nodes([(path.name, node)])
        return ReadFile(view, FileKind.notebook, source_file_lines(data.decode("utf-8", "replace")))
    if len(data) > MAX_SCRIPT_BYTES:
        raise ConfigError(f"{path} is larger than {MAX_SCRIPT_BYTES:,} bytes")
    text = data.decode("utf-8", "replace")
    node = script_to_notebook(text)
    kind = FileKind.script if has_cell_markers(text) else FileKind.module
    file_lines = []
    for cell in node.cells:
        first = int(cell.metadata.get("grader", {}).get("first_line", 1))
        file_lines.append([first + n for n in range(cell.source.count("\n") + 1)])
    return ReadFile(NotebookView.from_nodes([(path.name, node)]), kind, file_lines)


def _placed(result: CheckResult, finding: Finding, read: ReadFile) -> LintFinding:
    """A finding at its first evidence's cell and line, counted from 1."""
    where = next((e for e in finding.evidence if e.cell is not None), None)
    cell = where.cell if where is not None else None
    line = where.line if where is not None and where.line else (1 if cell is not None else None)
    file_line = None
    if cell is not None and line is not None and cell < len(read.file_lines):
        lines = read.file_lines[cell]
        file_line = lines[min(line, len(lines)) - 1] if lines else None
    return LintFinding(
        check_id=result.id,
        slug=result.slug,
        category=result.category,
        severity=finding.severity,
        confidence=finding.confidence,
        message=finding.message,
        cell=cell + 1 if cell is not None else None,
        line=line,
        file_line=file_line,
        evidence=finding.evidence,
    )


def _facts(path: Path) -> SubmissionFacts:
    """The file with the folder around it: its modules are local (`import features`), its README counts."""
    siblings = sorted(p for p in path.parent.iterdir() if p.is_file() and p != path and not p.name.startswith("."))
    texts = {
        p.name: p.read_bytes().decode("utf-8", "replace")
        for p in siblings[:200]
        if p.name.lower().endswith(TEXT_SUFFIXES) and p.stat().st_size <= MAX_TEXT_BYTES
    }
    files = (path.name, *(p.name for p in siblings[:200]))
    return SubmissionFacts(name=path.stem, files=files, texts=texts, notebooks=(path.name,))


def lint_file(path: Path, *, specs: Sequence[CheckSpec], assignment: LoadedAssignment | None = None) -> LintedFile:
    """Run the selected checks that fit the file (a module gets the code-level ones)."""
    try:
        read = read_file(path)
    except (ConfigError, OSError) as exc:
        return LintedFile(path=str(path), error=str(exc))
    ctx = context_of(
        submission=_facts(path),
        notebook=read.view,
        execution=not_run_record(read.view, "grader lint: static analysis only"),
        assignment=assignment.assignment if assignment is not None else None,
    )
    linted = LintedFile(path=str(path), kind=read.kind)
    for spec in specs:
        if read.kind is FileKind.module and spec.scope is not Scope.code:
            continue
        result = run_check(spec, ctx)
        linted.checks.append(spec.id)
        if result.status is CheckStatus.error:
            linted.check_errors[spec.id] = (result.error or result.message or "crashed").strip().splitlines()[-1]
        elif result.status is not CheckStatus.skipped:
            linted.findings.extend(_placed(result, f, read) for f in result.problems)
    return linted


def lint_paths(
    paths: Sequence[Path],
    *,
    registry: Registry,
    assignment: LoadedAssignment | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    fail_on: Severity = Severity.low,
) -> LintReport:
    """Lint every file and folder given; one unreadable file is reported, the others are linted."""
    if not paths:
        raise ConfigError("give at least one notebook, script or folder")
    selection = select_checks(registry, select=select, ignore=ignore, has_assignment=assignment is not None)
    files = expand_paths(paths)
    return LintReport(
        grader_version=__version__,
        files=[lint_file(path, specs=selection.specs, assignment=assignment) for path in files],
        fail_on=fail_on,
        not_run=selection.not_run,
    )
