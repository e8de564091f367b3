"""Facts proven by the runtime trace: which rows each call saw, set against the splits.

Row sets are sketches of 64-bit row hashes (see `grader.models.trace.RowSet`); two
sketches are compared at the coarser of their sampling rates, so counts are exact
when neither was sampled and estimates otherwise (`Overlap.exact`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from grader.models.trace import (
    DataInfo,
    NotebookTrace,
    RowSet,
    RuntimeTrace,
    TraceCall,
    TraceCV,
    TraceEvent,
    TraceFolds,
    TraceMetric,
    TraceSplit,
    TraceStat,
)


@dataclass(frozen=True)
class Overlap:
    """How many rows two row sets share."""

    count: int
    exact: bool

    def __bool__(self) -> bool:
        return self.count > 0

    def text(self) -> str:
        return f"{self.count:,}" if self.exact else f"about {self.count:,}"


@dataclass(frozen=True)
class TestSide:
    """The held-out side of a traced split (or of one fold)."""

    notebook: NotebookTrace
    event: TraceSplit | TraceFolds
    #: Content sketch and index sketch of the held-out feature rows.
    rows: int | None
    index: int | None
    n: int
    train_rows: int | None
    train_index: int | None
    n_train: int
    #: Digest of the held-out target vector, when the split returned one.
    y_digest: str | None
    fold: int | None = None

    @property
    def cell(self) -> int | None:
        return self.event.cell

    @property
    def seq(self) -> int:
        return self.event.seq


def _hashes(rowset: RowSet, k: int) -> np.ndarray:
    values = np.frombuffer(rowset.data, dtype="<u8")
    if k > rowset.k:
        values = values[(values & np.uint64(k - 1)) == 0]
    return values


def overlap(a: RowSet | None, b: RowSet | None) -> Overlap | None:
    """Shared rows of two sketches (None when either is missing)."""
    if a is None or b is None:
        return None
    k = max(a.k, b.k)
    shared = np.intersect1d(_hashes(a, k), _hashes(b, k), assume_unique=True).size
    return Overlap(int(shared * k), exact=k == 1)


def difference(a: RowSet | None, b: RowSet | None) -> Overlap | None:
    """Rows of `a` not in `b`."""
    if a is None or b is None:
        return None
    k = max(a.k, b.k)
    left = _hashes(a, k)
    return Overlap(int((left.size - np.intersect1d(left, _hashes(b, k), assume_unique=True).size) * k), exact=k == 1)


class TraceFacts:
    """Queries over one runtime trace."""

    def __init__(self, trace: RuntimeTrace) -> None:
        self.trace = trace

    @property
    def usable(self) -> bool:
        return self.trace.usable

    @cached_property
    def test_sides(self) -> list[TestSide]:
        sides: list[TestSide] = []
        for notebook in self.trace.notebooks:
            for event in notebook.events:
                if isinstance(event, TraceSplit):
                    part = event.features
                    if part is None:
                        continue
                    y_digest = next((p.test.digest for p in event.parts if p.test.digest), None)
                    sides.append(
                        TestSide(
                            notebook,
                            event,
                            part.test.rows,
                            part.test.index,
                            part.test.n_rows or 0,
                            part.train.rows,
                            part.train.index,
                            part.train.n_rows or 0,
                            y_digest,
                        )
                    )
                elif isinstance(event, TraceFolds):
                    for number, fold in enumerate(event.folds):
                        if fold.test is not None:
                            sides.append(
                                TestSide(
                                    notebook,
                                    event,
                                    fold.test,
                                    None,
                                    fold.n_test,
                                    None,
                                    None,
                                    fold.n_train,
                                    None,
                                    fold=number,
                                )
                            )
        return sides

    def rows_in(self, notebook: NotebookTrace, info: DataInfo | None, side: TestSide) -> Overlap | None:
        """Rows of a call's data that are rows of a held-out side (content first, then index labels)."""
        if info is None or side.notebook is not notebook:
            return None
        for mine, theirs in ((info.rows, side.rows), (info.index, side.index)):
            held_out = notebook.rowset(theirs)
            found = overlap(notebook.rowset(mine), held_out)
            if found:
                if found.exact and held_out is not None and found.count >= held_out.size:
                    # Every distinct held-out row was seen: count the held-out rows themselves (duplicates too).
                    return Overlap(side.n or found.count, exact=True)
                return found
        return overlap(notebook.rowset(info.rows), notebook.rowset(side.rows))

    def events(self) -> list[tuple[NotebookTrace, TraceEvent]]:
        return [(nb, e) for nb in self.trace.notebooks for e in nb.events]

    def calls(self) -> list[tuple[NotebookTrace, TraceCall]]:
        return [(nb, e) for nb, e in self.events() if isinstance(e, TraceCall)]

    def stats(self) -> list[tuple[NotebookTrace, TraceStat]]:
        return [(nb, e) for nb, e in self.events() if isinstance(e, TraceStat)]

    def metrics(self) -> list[tuple[NotebookTrace, TraceMetric]]:
        return [(nb, e) for nb, e in self.events() if isinstance(e, TraceMetric)]

    def cv_runs(self) -> list[tuple[NotebookTrace, TraceCV]]:
        return [(nb, e) for nb, e in self.events() if isinstance(e, TraceCV)]

    def splits(self) -> list[tuple[NotebookTrace, TraceSplit]]:
        return [(nb, e) for nb, e in self.events() if isinstance(e, TraceSplit)]

    def folds(self) -> list[tuple[NotebookTrace, TraceFolds]]:
        return [(nb, e) for nb, e in self.events() if isinstance(e, TraceFolds)]

    def fit_of(self, notebook: NotebookTrace, inst: int, gen: int) -> TraceCall | None:
        """The fit call that produced generation `gen` of estimator instance `inst`."""
        found = None
        for event in notebook.events:
            if isinstance(event, TraceCall) and event.inst == inst and event.is_fit and event.gen == gen:
                found = event
        return found

    def calls_at(
        self, cell: int | None, *, cls: str | None = None, methods: tuple[str, ...] = ()
    ) -> list[tuple[NotebookTrace, TraceCall]]:
        return [
            (nb, e)
            for nb, e in self.calls()
            if e.cell == cell and (cls is None or e.cls == cls) and (not methods or e.method in methods)
        ]

    def splits_at(self, cell: int | None) -> list[TestSide]:
        return [s for s in self.test_sides if s.cell == cell]

    def evaluated_on(self, side: TestSide) -> list[tuple[TraceEvent, int, int]]:
        """Model versions (inst, gen) scored or predicted on this held-out side, with the event."""
        notebook = side.notebook
        found: list[tuple[TraceEvent, int, int]] = []
        for event in notebook.events:
            if event.seq <= side.seq:
                continue
            if (
                isinstance(event, TraceCall)
                and event.method in ("predict", "predict_proba", "decision_function", "score")
                and event.predictor
                and event.x is not None
            ):
                shared = self.rows_in(notebook, event.x, side)
                if shared and side.n and shared.count >= 0.9 * min(side.n, event.x.n_rows or side.n):
                    found.append((event, event.inst, event.gen))
            elif isinstance(event, TraceMetric) and event.y_pred is not None and event.y_pred.source is not None:
                source = notebook.event(event.y_pred.source)
                on_side = False
                if event.y_true is not None and side.y_digest and event.y_true.digest == side.y_digest:
                    on_side = True
                elif isinstance(source, TraceCall):
                    shared = self.rows_in(notebook, source.x, side)
                    on_side = bool(shared and side.n and shared.count >= 0.9 * side.n)
                if on_side and isinstance(source, TraceCall):
                    found.append((event, source.inst, source.gen))
        return found
