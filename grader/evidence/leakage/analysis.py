"""The leakage analysis of one submission: every leak the dataflow and the trace can show, by kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.evidence.dataflow.values import DataflowResult
from grader.evidence.leakage.base import LeakageAnalysis, LeakBuilder
from grader.evidence.leakage.chosen_features import chosen_features_leaks
from grader.evidence.leakage.overlap import oversampling_leaks, training_rows_leaks
from grader.evidence.leakage.preprocessing import preprocessing_leaks
from grader.evidence.leakage.prose import prose_selection_leaks
from grader.evidence.leakage.runtime import runtime_only_leaks
from grader.evidence.leakage.selection import selection_leaks
from grader.evidence.leakage.structure import structure_leaks
from grader.evidence.leakage.target import target_column_leaks
from grader.evidence.tracefacts import TraceFacts

if TYPE_CHECKING:
    from grader.evidence.context import Observations


def analyse_leakage(seen: Observations, flow: DataflowResult, facts: TraceFacts | None) -> LeakageAnalysis:
    """Every leak the dataflow and the trace can show, grouped by kind."""
    builder = LeakBuilder(seen, flow, facts)
    preprocessing_leaks(builder)
    chosen_features_leaks(builder)
    oversampling_leaks(builder)
    training_rows_leaks(builder)
    selection_leaks(builder)
    prose_selection_leaks(builder)
    target_column_leaks(builder)
    structure_leaks(builder)
    if facts is not None:
        runtime_only_leaks(builder, facts)
    notes = []
    if seen.trace is not None and not seen.trace.usable:
        notes.append(f"no runtime evidence: {seen.trace.reason}")
    return LeakageAnalysis(findings=builder.out, flow=flow, traced=facts is not None, notes=notes)
