"""What a fitted estimator actually saw, from the runtime trace, and the lineage of its columns.

The static dataflow reads names in the code; when the notebook ran, the trace holds the
column names the estimator was fitted on (`feature_names_in_`, a pipeline's output
features, the frame's columns) and the columns the notebook derived from named series
(`df["flag"] = df["reason"].notna()`). Checks about *which columns* a model used decide
from these whenever they exist, and from the code only otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.evidence.dataflow.values import Fit
from grader.evidence.ml.vocabulary import BUILT_BY_FACTORY
from grader.evidence.tracefacts import TraceFacts
from grader.models.trace import TraceCall, TraceDerive


@dataclass(frozen=True)
class Fitted:
    """The traced fit calls of one static fit and the column names they received."""

    calls: tuple[TraceCall, ...]
    #: Names the final estimator saw (empty when it was fitted on unnamed arrays).
    names: tuple[str, ...] = ()
    #: Single-feature scores the tracer measured, by column.
    probes: dict[str, float] = field(default_factory=dict)

    @property
    def named(self) -> bool:
        return bool(self.names)

    @property
    def first(self) -> TraceCall:
        return self.calls[0]


def call_columns(call: TraceCall) -> tuple[str, ...]:
    """Column names the final estimator of a traced fit received."""
    if call.features:
        return tuple(call.features)
    return tuple(call.x.cols) if call.x is not None else ()


def traced_cls(fit: Fit) -> str:
    """The class a static fit has in the trace: `make_pipeline(...)` in the code is a `Pipeline` there."""
    return BUILT_BY_FACTORY.get(fit.cls, fit.cls)


def traced_fit(facts: TraceFacts | None, fit: Fit) -> Fitted | None:
    """The trace's record of a static model fit (None: not traced, or that code never ran)."""
    if facts is None or not facts.usable:
        return None
    cell = fit.site.executed_cell
    cls = traced_cls(fit)
    calls = [
        call
        for _, call in facts.calls()
        if call.cell == cell
        and call.is_fit
        and (call.predictor or call.search)
        and (call.cls == cls or cls in call.steps or call.inner == cls)
    ]
    if not calls:
        return None
    names: list[str] = []
    probes: dict[str, float] = {}
    for call in calls:
        for name in call_columns(call):
            if name not in names:
                names.append(name)
        for probe in call.probe:
            probes[probe.col] = max(probe.score, probes.get(probe.col, 0.0))
    # One unnamed call makes the whole set unknown: the names are only decisive when every call has them.
    if any(not call_columns(call) for call in calls):
        names = []
    return Fitted(tuple(calls), tuple(names), probes)


def named_as(names: tuple[str, ...] | list[str], column: str) -> list[str]:
    """Names that are `column` itself, also inside a pipeline (`num__age`)."""
    return [n for n in names if n == column or n.endswith("__" + column)]


def dummies_of(names: tuple[str, ...] | list[str], column: str) -> list[str]:
    """One-hot columns made from `column` (`churned_Yes`, `cat__churned_Yes`)."""
    prefix = column + "_"
    return [n for n in names if n.startswith(prefix) or ("__" + prefix) in n]


def runtime_lineage(facts: TraceFacts | None) -> dict[str, frozenset[str]]:
    """Columns the notebook derived from named series, expanded to their sources (traced)."""
    if facts is None or not facts.usable:
        return {}
    direct: dict[str, set[str]] = {}
    for _, event in facts.events():
        if isinstance(event, TraceDerive):
            direct.setdefault(event.col, set()).update(s for s in event.sources if s != event.col)
    expanded: dict[str, frozenset[str]] = {}
    for column in direct:
        seen: set[str] = set()
        todo = list(direct[column])
        while todo and len(seen) < 200:
            source = todo.pop()
            if source in seen or source == column:
                continue
            seen.add(source)
            todo.extend(direct.get(source, ()))
        expanded[column] = frozenset(seen)
    return expanded


def built_from(names: tuple[str, ...] | list[str], column: str, lineage: dict[str, frozenset[str]]) -> list[str]:
    """Names derived from `column` according to a lineage map (pipeline prefixes and dummies included)."""
    found = []
    for name in names:
        base = name.split("__", 1)[1] if "__" in name else name
        for derived, sources in lineage.items():
            if column in sources and (base == derived or base.startswith(derived + "_")):
                found.append(name)
                break
    return found
