"""Questions the checks ask of the ML facts: the task, where models are, positive rates, prose near code."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts
from grader.evidence.ml.modules import Module
from grader.evidence.ml.vocabulary import REASONING, Family, Measure, Task
from grader.models.assignment import Assignment, TaskType
from grader.models.findings import Evidence, EvidenceSource
from grader.models.notebook import Cell, NotebookView


def task_of(assignment: Assignment | None, facts: MLFacts) -> Task | None:
    """Classification or regression: from the assignment, else from the estimators the code builds."""
    if assignment is not None:
        return Task.regression if assignment.task is TaskType.regression else Task.classification
    votes = {Task.classification: 0, Task.regression: 0}
    for _, kind in facts.estimators:
        votes[kind.task] += 1
    if votes[Task.classification] == votes[Task.regression]:
        return None
    return max(votes, key=lambda t: votes[t])


def resolve_measures(measures: Iterable[Measure], task: Task | None) -> set[Measure]:
    """Replace the estimator's default `score` by what it is for this task."""
    out = set()
    for measure in measures:
        if measure is Measure.default:
            if task is Task.classification:
                out.add(Measure.accuracy)
            elif task is Task.regression:
                out.add(Measure.r2)
        else:
            out.add(measure)
    return out


_VALUE_COUNT_ROW = re.compile(r"^\s*(\S+)\s+(0?\.\d+|1\.0+|\d+(?:\.\d+)?%?)\s*$")


def observed_positive_rate(view: NotebookView, target: str | None = None) -> float | None:
    """The minority share printed by a `value_counts(normalize=True)` (or `.mean()` of the target) output."""
    for cell in view.code_cells():
        if "value_counts" not in cell.source or "normalize" not in cell.source:
            continue
        if target is not None and target not in cell.source:
            continue
        shares = []
        for line in cell.output_text.splitlines():
            match = _VALUE_COUNT_ROW.match(line)
            if match:
                raw = match.group(2)
                value = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
                if 0 <= value <= 1:
                    shares.append(value)
        if len(shares) == 2 and abs(sum(shares) - 1) < 0.02:
            return min(shares)
    return None


def positive_rate(assignment: Assignment | None, view: NotebookView) -> float | None:
    """The share of the positive class: the assignment's, else what the notebook printed."""
    if assignment is not None and assignment.positive_rate is not None:
        return assignment.positive_rate
    return observed_positive_rate(view, assignment.target if assignment else None)


def markdown_near(view: NotebookView, index: int, before: int = 3, after: int = 2) -> Iterator[Cell]:
    """Markdown cells within a few cells of `index`, nearest first."""
    order = sorted(range(max(0, index - before), min(len(view), index + after + 1)), key=lambda i: abs(i - index))
    for i in order:
        if view[i].is_markdown:
            yield view[i]


def gives_reasons(text: str) -> bool:
    """Prose that explains rather than only labels (a reason word in a sentence, not a heading)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or len(stripped) < 20:
            continue
        if REASONING.search(stripped):
            return True
    return False


def comments(cell_source: str) -> list[tuple[int, str]]:
    """`# comment` lines of a code cell with their 1-based line numbers."""
    out = []
    for number, line in enumerate(cell_source.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            out.append((number, stripped.lstrip("#").strip()))
        elif "  # " in line:
            out.append((number, line.split("  # ", 1)[1].strip()))
    return out


# --------------------------------------------------------------------------- where to point


def model_places(facts: MLFacts, limit: int = 2) -> list[tuple[int, int]]:
    """Where the models are built (else fitted): the place a finding about something missing points at."""
    places: list[tuple[int, int]] = []
    for use, kind in facts.estimators:
        if kind.family is not Family.dummy and (use.cell, use.line) not in places:
            places.append((use.cell, use.line))
    if not places:
        places = [(f.site.cell, f.site.line) for f in facts.fits]
    return places[:limit]


def evaluation_places(facts: MLFacts, limit: int = 2) -> list[tuple[int, int]]:
    """Where models are scored (metric calls outside helper bodies), first ones first."""
    places: list[tuple[int, int]] = []
    for metric in facts.metric_uses:
        place = (metric.site.cell, metric.site.line)
        if place not in places:
            places.append(place)
    return places[:limit]


def has_model(facts: MLFacts) -> bool:
    """The code builds an estimator, or fits something that looks like a model."""
    return bool(facts.estimators) or any(f.site.name == "fit" for f in facts.fits)


# --------------------------------------------------------------------------- notebook and modules together


@dataclass(frozen=True)
class Source:
    """One body of candidate code: the notebook (`module` None) or a local module it imports."""

    facts: MLFacts
    module: Module | None = None

    def where(self, cell: int) -> str:
        return self.module.path if self.module is not None else f"cell {cell}"


def code_sources(ctx: CheckContext) -> list[Source]:
    """The notebook's facts, then those of each local module it imports (`features.py`)."""
    return [Source(ctx.ml), *(Source(m.facts, m) for m in ctx.ml_modules)]


def evidence_for(ctx: CheckContext, source: Source, cell: int, line: int) -> Evidence:
    """Evidence at a place in the notebook, or in a local module (as a file excerpt)."""
    if source.module is None:
        return ctx.evidence(cell, line)
    return ctx.evidence(
        None,
        source.module.file_line(cell, line),
        snippet=source.module.code.snippet(cell, line),
        source=EvidenceSource.file,
        note=source.module.path,
    )
