"""The tracer records where a new column came from (issue 14): a real kernel, the real executor."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.evidence.leakage.fitted import runtime_lineage
from grader.evidence.tracefacts import TraceFacts
from grader.models.trace import TraceCall, TraceDerive
from tests.leakage.test_tracing import SETUP, run_local


@pytest.mark.slow
def test_columns_made_from_named_series_are_traced_to_their_source(tmp_path: Path) -> None:
    run = run_local(
        tmp_path,
        SETUP,
        "df['has_city'] = df['city'].notna().astype(int)\n"
        "df = df.assign(city_len=df['city'].str.len(), twice=df['has_city'] * 2)\n"
        "df['ab'] = df['a'] + df['b']",
        "X = df[['a', 'twice', 'city_len', 'ab']]\nmodel = LogisticRegression().fit(X, df['y'])",
    )
    trace = run["trace"]
    assert trace.usable, trace.reason
    [notebook] = trace.notebooks
    derived = {e.col: e.sources for e in notebook.events if isinstance(e, TraceDerive)}
    assert derived == {"has_city": ["city"], "city_len": ["city"], "twice": ["has_city"]}, derived
    assert runtime_lineage(TraceFacts(trace))["twice"] == frozenset({"has_city", "city"})
    fit = next(e for e in notebook.events if isinstance(e, TraceCall) and e.cls == "LogisticRegression")
    assert fit.x is not None and fit.x.cols == ["a", "twice", "city_len", "ab"]
