"""What every leak analysis shares: leak kinds and their severities, the findings by kind, and the builder that collects them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from grader.evidence.dataflow.values import DataflowResult, Site
from grader.evidence.ml.vocabulary import FitCategory
from grader.evidence.tracefacts import TraceFacts
from grader.models.findings import Confidence, Evidence, EvidenceSource, Finding, Severity

if TYPE_CHECKING:
    from grader.evidence.context import Observations


class LeakKind(StrEnum):
    preprocessing = "preprocessing"
    statistic = "statistic"
    target_encoding = "target_encoding"
    oversampling = "oversampling"
    test_rows_in_training = "test_rows_in_training"
    selection = "selection"
    leakage_column = "leakage_column"
    target_derived = "target_derived"
    id_column = "id_column"
    too_good = "too_good"
    perfect_predictor = "perfect_predictor"
    temporal = "temporal"
    group = "group"


#: The leak type (as in the issue and the benchmark) each kind belongs to.
LEAK_TYPE = {
    LeakKind.preprocessing: "preprocessing",
    LeakKind.statistic: "preprocessing",
    LeakKind.target_encoding: "preprocessing",
    LeakKind.oversampling: "overlap",
    LeakKind.test_rows_in_training: "overlap",
    LeakKind.selection: "multi_test",
    LeakKind.leakage_column: "target",
    LeakKind.target_derived: "target",
    LeakKind.id_column: "target",
    LeakKind.too_good: "target",
    LeakKind.perfect_predictor: "target",
    LeakKind.temporal: "temporal",
    LeakKind.group: "group",
}

SEVERITY = {
    FitCategory.scaler: Severity.medium,
    FitCategory.imputer: Severity.medium,
    FitCategory.encoder: Severity.low,
    FitCategory.selector: Severity.high,
    FitCategory.decomposition: Severity.medium,
    FitCategory.vectorizer: Severity.medium,
    FitCategory.discretizer: Severity.medium,
    FitCategory.clustering: Severity.medium,
    FitCategory.custom: Severity.medium,
    FitCategory.unknown: Severity.medium,
    FitCategory.pipeline: Severity.medium,
    FitCategory.statistic: Severity.medium,
    FitCategory.target_statistic: Severity.high,
    FitCategory.target_encoder: Severity.high,
}
#: Fits that learn from the labels: leaking them into the test rows invalidates the test score.
SUPERVISED = {FitCategory.target_statistic, FitCategory.target_encoder}


def leak_severity(category: FitCategory, supervised: bool, *, into_test: bool) -> Severity:
    """Severity of a fit that saw held-out rows: what it learnt (labels or not) and where it leaks.

    Into the test rows, a fit that learnt from the labels (a supervised selector, a target
    statistic or encoder) is high: the test score is no longer an estimate. Contamination
    inside cross-validation only is one step lower (the test score is untouched). An
    unsupervised statistic (a scaler's mean) is a small effect: medium into the test, low in CV.
    """
    learnt_labels = category in SUPERVISED or (category is FitCategory.selector and supervised)
    if into_test:
        if category is FitCategory.selector and not supervised:
            return Severity.medium
        return SEVERITY.get(category, Severity.medium)
    return Severity.medium if learnt_labels else Severity.low


def only_cross_validated(flow: DataflowResult) -> bool:
    """No split holds rows out for a final test: cross-validation (or folds iterated by hand) is the only estimate.

    Contamination of those folds then reaches the reported performance itself, so it weighs as a
    leak into the test rows would (see `leak_severity`).
    """
    return not any(split.kind != "splitter" for split in flow.evaluation_splits())


def consequence(severity: Severity, *, into_test: bool, held_out: str = "test", only_cv: bool = False) -> str:
    """What the leak does to the reported numbers, said plainly in the message."""
    if only_cv:
        effect = "not a fair estimate" if severity is Severity.high else "slightly optimistic"
        return f"your cross-validation scores, the notebook's only held-out estimate, are {effect}"
    if not into_test:
        return "this inflates your cross-validation scores (the test score is not affected)"
    if severity is Severity.high:
        return f"your {held_out} score is not a fair estimate"
    return f"your {held_out} score is slightly optimistic (a small effect for a statistic that does not use the labels)"


WHAT = {
    FitCategory.scaler: "scaler",
    FitCategory.imputer: "imputer",
    FitCategory.encoder: "encoder",
    FitCategory.selector: "feature selector",
    FitCategory.decomposition: "decomposition",
    FitCategory.vectorizer: "vectorizer",
    FitCategory.discretizer: "discretizer",
    FitCategory.clustering: "clustering",
    FitCategory.custom: "custom transformer",
    FitCategory.unknown: "transformer",
    FitCategory.pipeline: "preprocessing pipeline",
    FitCategory.statistic: "statistic",
    FitCategory.target_statistic: "target statistic",
    FitCategory.target_encoder: "target encoder",
}
NOT_PREPROCESSING = {
    FitCategory.model,
    FitCategory.search,
    FitCategory.stateless,
    FitCategory.resampler,
    FitCategory.undersampler,
}


@dataclass
class LeakFinding:
    kind: LeakKind
    finding: Finding
    #: Dedupe key (e.g. fit id and split id).
    key: tuple[Any, ...] = ()
    traced: bool = False


@dataclass
class LeakageAnalysis:
    findings: list[LeakFinding] = field(default_factory=list)
    flow: DataflowResult | None = None
    traced: bool = False
    notes: list[str] = field(default_factory=list)

    def of(self, kind: LeakKind) -> list[Finding]:
        return [f.finding for f in self.findings if f.kind is kind]


def _cell_text(cell: int | None) -> str:
    return f"cell {cell}" if cell is not None else "an unknown cell"


class LeakBuilder:
    """Collects findings for one submission."""

    def __init__(self, seen: Observations, flow: DataflowResult, facts: TraceFacts | None) -> None:
        self.seen = seen
        self.flow = flow
        self.facts = facts
        self.out: list[LeakFinding] = []
        self.keys: set[tuple[Any, ...]] = set()

    def evidence(
        self,
        site: Site | None,
        note: str | None = None,
        *,
        source: EvidenceSource = EvidenceSource.code,
        snippet: str | None = None,
    ) -> Evidence:
        if site is None:
            return self.seen.evidence(None, note=note, source=source)
        return self.seen.evidence(
            site.cell,
            site.line,
            snippet=snippet or site.snippet,
            note=note,
            end_line=site.end_line if site.end_line and site.end_line - site.line <= 3 else None,
            source=source,
        )

    def trace_evidence(self, cell: int | None, line: int | None, note: str) -> Evidence:
        snippet = None
        if cell is not None and line is not None and 0 <= cell < len(self.seen.notebook):
            snippet = self.seen.code.snippet(cell, line)
        return self.seen.evidence(cell, line, snippet=snippet, source=EvidenceSource.trace, note=note)

    def add(self, kind: LeakKind, key: tuple[Any, ...], finding: Finding, *, traced: bool = False) -> None:
        full = (kind, *key)
        if full in self.keys:
            return
        self.keys.add(full)
        self.out.append(LeakFinding(kind, finding, key, traced))

    def confidence(self, *uncertain: bool) -> Confidence:
        return Confidence.low if any(uncertain) else Confidence.medium


def places(first: Site, second: Site) -> tuple[str, str]:
    """ "cell 7" and "cell 9", or "cell 7 (line 3)" and "cell 7 (line 8)" when both are in one cell."""
    if first.cell == second.cell:
        return f"cell {first.cell} (line {first.line})", f"line {second.line}"
    return f"cell {first.cell}", f"cell {second.cell}"


def ran_before(a: Site, b: Site) -> bool:
    """Whether `a` ran before `b` in the notebook's execution order."""
    return (a.executed_cell, a.executed_line) < (b.executed_cell, b.executed_line)
