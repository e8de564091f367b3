"""Leaks only the runtime trace shows: fits on rows that include the test rows, fillna with full-data statistics, leakage columns."""

from __future__ import annotations

from grader.evidence.leakage.base import LeakBuilder, LeakFinding, LeakKind, consequence
from grader.evidence.ml.vocabulary import FitCategory
from grader.evidence.tracefacts import TraceFacts, overlap
from grader.models.findings import Confidence, Finding, Severity
from grader.models.trace import TraceCall, TraceSplit, TraceStat


def runtime_only_leaks(b: LeakBuilder, facts: TraceFacts) -> None:
    """Leaks the trace proves even where the dataflow lost track."""
    assignment = b.seen.assignment
    for side in facts.test_sides:
        if not isinstance(side.event, TraceSplit):
            continue
        notebook = side.notebook
        event = side.event
        part = event.features
        if part is None:
            continue
        # Transformers whose output was split, and which were fitted on rows that became test rows.
        for via in sorted(set(part.test.via) | set(part.train.via)):
            transform = notebook.event(via)
            if not isinstance(transform, TraceCall) or transform.predictor or not _library_transformer(transform):
                continue
            fit = facts.fit_of(notebook, transform.inst, transform.gen)
            if fit is None or fit.x is None:
                continue
            shared = facts.rows_in(notebook, fit.x, side)
            if not shared or shared.count < 0.5 * max(1, side.n):
                continue
            if any(
                f.kind in (LeakKind.preprocessing, LeakKind.target_encoding)
                and f.finding.data.get("fit_cell") == fit.cell
                for f in b.out
            ):
                continue
            n_fit = fit.x.n_rows or 0
            message = (
                f"{fit.cls} in cell {fit.cell} was fitted on {n_fit:,} rows, {shared.text()} of which are the "
                f"rows later used as the test set in cell {side.cell}"
            )
            kind = (
                LeakKind.target_encoding
                if "TargetEncoder" in fit.cls or (fit.cls.endswith("Encoder") and "Target" in fit.cls)
                else LeakKind.preprocessing
            )
            severity = Severity.high if kind is LeakKind.target_encoding else Severity.medium
            message += f" — {consequence(severity, into_test=True)}"
            b.add(
                kind,
                ("rt", fit.seq, event.seq),
                Finding(
                    message=message,
                    severity=severity,
                    confidence=Confidence.high,
                    evidence=[
                        b.trace_evidence(fit.cell, fit.line, f"traced: {fit.cls} fitted on {n_fit:,} rows"),
                        b.trace_evidence(side.cell, event.line, f"traced: split with {side.n:,} test rows"),
                    ],
                    data={
                        "reaches": "test",
                        "fit_cell": fit.cell,
                        "split_cell": side.cell,
                        "fit_rows": n_fit,
                        "test_rows": side.n,
                        "overlap": shared.count,
                        "traced": True,
                        "estimator": fit.cls,
                    },
                ),
                traced=True,
            )
        # The same record on both sides: its id (the assignment's id column) occurs in training and test rows.
        # Identical feature rows prove nothing (few low-cardinality features collide by chance); ids do.
        id_column = assignment.id_column if assignment is not None else None
        stats = part.groups.get(id_column or "") if id_column else None
        shared_rows = stats.get("test_rows_shared", 0) if stats else 0
        # A messy export's incidental duplicates (about 1 % of rows) are not reported; 5 % and more is a pattern.
        if (
            stats
            and side.n
            and shared_rows >= max(10, 0.05 * side.n)
            and not any(
                f.kind is LeakKind.oversampling and f.finding.data.get("split_cell") == side.cell for f in b.out
            )
        ):
            b.add(
                LeakKind.test_rows_in_training,
                ("dups", event.seq),
                Finding(
                    message=(
                        f"{shared_rows:,} of the {side.n:,} test rows of the split in cell {side.cell} have a "
                        f"`{id_column}` that also occurs in the training rows: duplicated records sit on both "
                        f"sides (drop duplicates before splitting)"
                    ),
                    severity=Severity.high if shared_rows >= 0.2 * side.n else Severity.medium,
                    confidence=Confidence.high,
                    evidence=[
                        b.trace_evidence(
                            side.cell,
                            event.line,
                            f"traced: {stats.get('shared', 0):,} {id_column} values on both sides",
                        )
                    ],
                    data={
                        "split_cell": side.cell,
                        "test_rows": side.n,
                        "test_rows_in_train": shared_rows,
                        "shared_ids": stats.get("shared", 0),
                        "traced": True,
                    },
                ),
                traced=True,
            )
    _runtime_fillna(b, facts)
    _runtime_columns(b, facts, list(assignment.leakage_columns) if assignment is not None else [])


def _library_transformer(call: TraceCall) -> bool:
    """A transformer of a known library that learns from data (the trace cannot see inside the notebook's own)."""
    from grader.evidence.ml.vocabulary import CATALOGUE

    if not call.module.startswith(("sklearn", "imblearn", "category_encoders", "xgboost", "lightgbm")):
        return False
    known = CATALOGUE.get(call.cls)
    return known is None or known[1] not in (FitCategory.stateless, FitCategory.resampler, FitCategory.undersampler)


def _runtime_fillna(b: LeakBuilder, facts: TraceFacts) -> None:
    """`fillna(df.mean())` before a split: the statistic saw the test rows."""
    for notebook, stat in facts.stats():
        if stat.method != "fillna" or stat.value_from is None:
            continue
        source = notebook.event(stat.value_from)
        if not isinstance(source, TraceStat):
            continue
        for side in facts.test_sides:
            if side.notebook is not notebook or side.seq < stat.seq or not isinstance(side.event, TraceSplit):
                continue
            shared = overlap(notebook.rowset(source.index), notebook.rowset(side.index))
            if not shared or shared.count < 0.5 * max(1, side.n):
                continue
            existing = [
                f
                for f in b.out
                if f.kind is LeakKind.statistic and f.finding.data.get("fit_cell") in (source.cell, stat.cell)
            ]
            n_rows = (source.shape[0] if source.shape else None) or 0
            message = (
                f"`.{source.method}()` in cell {source.cell} was computed over {n_rows:,} rows, "
                f"{shared.text()} of which are the test rows of the split in cell {side.cell}, and `fillna` "
                f"in cell {stat.cell} filled the data with it"
            )
            facts_data = {
                "fit_rows": n_rows,
                "test_rows": side.n,
                "overlap": shared.count,
                "traced": True,
                "fit_cell": source.cell,
                "split_cell": side.cell,
            }
            if existing:
                for leak in existing:
                    if not leak.traced:
                        leak.finding.message = message
                        leak.finding.data.update(facts_data)
                        leak.finding.confidence = Confidence.high
                        leak.finding.evidence.append(
                            b.trace_evidence(source.cell, source.line, f"traced: computed over {n_rows:,} rows")
                        )
                        leak.traced = True
                break
            b.add(
                LeakKind.statistic,
                ("rt-fill", stat.seq, side.seq),
                Finding(
                    message=message,
                    severity=Severity.medium,
                    confidence=Confidence.high,
                    evidence=[
                        b.trace_evidence(source.cell, source.line, f"traced: computed over {n_rows:,} rows"),
                        b.trace_evidence(side.cell, side.event.line, "traced: split"),
                    ],
                    data=facts_data,
                ),
                traced=True,
            )
            break


def _runtime_columns(b: LeakBuilder, facts: TraceFacts, leak_columns: list[str]) -> None:
    """Declared leakage columns among the columns a model was fitted on."""
    if not leak_columns:
        return
    _disproved_columns(b, facts)
    for _, call in facts.calls():
        if not call.is_fit or not (call.predictor or call.search):
            continue
        # What the model really received: the pipeline's output features when known, else its input columns.
        names = list(call.features) if call.features else list(call.x.cols if call.x else [])
        for column in leak_columns:
            hits = [n for n in names if n == column or n.startswith(column + "_") or f"__{column}" in n]
            if not hits:
                continue
            existing = [
                f for f in b.out if f.kind is LeakKind.leakage_column and f.finding.data.get("column") == column
            ]
            note = f"traced: {call.cls} was fitted on columns including {', '.join(hits[:3])}"
            if existing:
                for leak in existing:
                    if not leak.traced:
                        leak.finding.confidence = Confidence.high
                        leak.finding.data.update(
                            traced=True, fitted_columns=hits[:10], rows=call.x.n_rows if call.x else None
                        )
                        leak.finding.evidence.append(b.trace_evidence(call.cell, call.line, note))
                        leak.traced = True
                continue
            rows = call.x.n_rows if call.x else None
            b.add(
                LeakKind.leakage_column,
                (column, "rt", call.cell),
                Finding(
                    message=(
                        f"{call.cls} in cell {call.cell} was fitted{f' on {rows:,} rows' if rows else ''} with "
                        f"the leakage column `{column}` among its features ({', '.join(hits[:3])})"
                    ),
                    severity=Severity.high,
                    confidence=Confidence.high,
                    evidence=[b.trace_evidence(call.cell, call.line, note)],
                    data={"column": column, "fit_cell": call.cell, "fitted_columns": hits[:10], "traced": True},
                ),
                traced=True,
            )


def _disproved_columns(b: LeakBuilder, facts: TraceFacts) -> None:
    """Drop static leakage-column findings the trace disproves.

    When every model fit recorded the columns it received and none of them is the column
    (or a feature the dataflow saw built from it), the static finding came from a frame the
    dataflow could not follow (e.g. a CSV another notebook wrote after dropping the column).
    """
    fits = [call for _, call in facts.calls() if call.is_fit and (call.predictor or call.search)]
    received = [list(call.features) if call.features else list(call.x.cols if call.x else []) for call in fits]
    if not fits or not all(received):
        return

    def reached(name: str) -> bool:
        return any(n == name or n.startswith(name + "_") or f"__{name}" in n for names in received for n in names)

    def disproved(leak: LeakFinding) -> bool:
        names = [leak.finding.data.get("column", ""), *leak.finding.data.get("via", [])]
        return not any(reached(name) for name in names if name)

    b.out = [leak for leak in b.out if leak.kind is not LeakKind.leakage_column or leak.traced or not disproved(leak)]
