"""Preprocessing fitted before the split: transformers, statistics and target encodings that saw the test rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grader.evidence.dataflow.catalogue import Role
from grader.evidence.dataflow.values import Data, DataflowResult, Est, Fit, Site, Split
from grader.evidence.leakage.base import (
    NOT_PREPROCESSING,
    SUPERVISED,
    WHAT,
    LeakBuilder,
    LeakKind,
    consequence,
    leak_severity,
    only_cross_validated,
    places,
    ran_before,
)
from grader.evidence.leakage.fitted import traced_cls
from grader.evidence.ml.vocabulary import FitCategory
from grader.evidence.tracefacts import Overlap, TraceFacts, overlap
from grader.models.findings import Confidence, Finding
from grader.models.trace import NotebookTrace, TraceCall, TraceStat


def _consumers(flow: DataflowResult) -> Iterable[tuple[str, Data, Site, Est | None]]:
    """Data that reaches training or evaluation: model fits, evaluations, CV runs."""
    for fit, x, _ in flow.model_fits:
        yield "fit", x, fit.site, fit.est
    for evaluation in flow.evals.values():
        if evaluation.data is not None:
            yield "eval", evaluation.data, evaluation.site, evaluation.est
    for predict in flow.predicts.values():
        yield "predict", predict.data, predict.site, predict.est


def _leak_kind(fit: Fit) -> LeakKind:
    if fit.category in (FitCategory.target_statistic, FitCategory.target_encoder):
        return LeakKind.target_encoding
    if fit.category is FitCategory.statistic:
        return LeakKind.statistic
    return LeakKind.preprocessing


def _is_preprocessing(fit: Fit) -> bool:
    if fit.category in NOT_PREPROCESSING:
        return False
    if fit.category is FitCategory.pipeline:
        est = fit.est
        return est is not None and not est.is_predictor
    return not (fit.category is FitCategory.custom and fit.est is not None and not fit.est.stateful_custom)


def preprocessing_leaks(b: LeakBuilder) -> None:
    """One finding per leaking fit: against the first split it leaks into, else the first CV run."""
    flow = b.flow
    leaks: dict[int, tuple[Split, Data]] = {}
    cv_leaks: dict[int, list[tuple[Site, str, Data]]] = {}
    for consumer, data, _, _ in _consumers(flow):
        for fit_id in sorted(data.taints):
            fit = flow.fits.get(fit_id)
            if fit is None or not _is_preprocessing(fit) or fit_id in leaks:
                continue
            if consumer == "eval" and fit.category in SUPERVISED:
                # A statistic of the labels that only reaches the labels a metric compares with
                # (`y_test >= y_test.mean()`): nothing learnt from them reaches the model's features.
                continue
            for split, _side in flow.parts(data.tags):
                if not split.recombines_files and flow.covers(fit.tags, ("part", split.id, "test")):
                    leaks[fit_id] = (split, data)
                    break
    for run in flow.cv_runs.values():
        data = run.data
        if not data.tags:
            continue
        for fit_id in sorted(data.taints):
            fit = flow.fits.get(fit_id)
            if fit is not None and _is_preprocessing(fit) and all(flow.covers(fit.tags, tag) for tag in data.tags):
                cv_leaks.setdefault(fit_id, []).append((run.site, run.function, data))
    for fit_id, (split, data) in leaks.items():
        fit = flow.fits[fit_id]
        also = [f"{function} in cell {site.cell}" for site, function, _ in cv_leaks.get(fit_id, [])]
        _report_preprocessing(b, fit, split, data, also)
    for fit_id, runs in cv_leaks.items():
        if fit_id not in leaks:
            site, function, data = runs[0]
            _report_preprocessing_cv(
                b, flow.fits[fit_id], site, function, data, [f"{f} in cell {s.cell}" for s, f, _ in runs[1:]]
            )


def _fit_label(fit: Fit) -> str:
    if fit.category in (FitCategory.statistic, FitCategory.target_statistic):
        what = f"`.{fit.method}()`"
        if fit.columns:
            shown = ", ".join(fit.columns[:3]) + ("…" if len(fit.columns) > 3 else "")
            what += f" of {shown}"
        return what
    if fit.category is FitCategory.pipeline and fit.est is not None and fit.est.steps:
        inner = ", ".join(s.cls for s in fit.est.steps[:4])
        return f"{fit.cls} ({inner})"
    return fit.cls


def _report_preprocessing(b: LeakBuilder, fit: Fit, split: Split, data: Data, also: list[str]) -> None:
    kind = _leak_kind(fit)
    # Folds of a splitter the notebook iterates itself are cross-validation; any other held-out side is scored.
    into_test = split.kind != "splitter"
    only_cv = not into_test and only_cross_validated(b.flow)
    severity = leak_severity(fit.category, fit.supervised, into_test=into_test or only_cv)
    what = WHAT.get(fit.category, "transformer")
    label = _fit_label(fit)
    held_out = "validation" if split.role("test") is Role.validation else "test"
    before = "before" if ran_before(fit.site, split.site) else "after"
    at_fit, at_split = places(fit.site, split.site)
    if kind is LeakKind.statistic:
        message = (
            f"The {what} {label} in {at_fit} is computed over all rows, including the rows the split in "
            f"{at_split} holds out as the {held_out} set, and then used to transform the data"
        )
    elif kind is LeakKind.target_encoding:
        message = (
            f"The {what} {label} in {at_fit} is computed from the target over all rows, "
            f"{'before' if before == 'before' else 'including'} the {held_out} rows of the split in "
            f"{at_split}: the {held_out} rows' own labels leak into their features"
        )
    elif fit.method == "choose":
        message = (
            f"The features are chosen by {label} computed in {at_fit} on all rows, "
            f"{'before' if before == 'before' else 'including'} the {held_out} rows of the split in {at_split}: "
            f"the choice saw the labels of the rows it is then tested on"
        )
    elif before == "before":
        message = (
            f"{label} ({what}) is fitted in {at_fit} before the split in {at_split}: it learnt from the "
            f"rows later used as the {held_out} set"
        )
    else:
        message = (
            f"{label} ({what}) is fitted in {at_fit} on data that still includes the {held_out} rows of "
            f"the split in {at_split}"
        )
    if also:
        message += f"; the cross-validation ({', '.join(also[:3])}) also reuses those rows"
    effect = consequence(severity, into_test=into_test, held_out=held_out, only_cv=only_cv)
    message += f" — {effect}"
    data_facts: dict[str, Any] = {
        "reaches": "test" if into_test else "cross_validation",
        "fit_cell": fit.site.cell,
        "fit_line": fit.site.line,
        "split_cell": split.site.cell,
        "estimator": fit.cls,
        "category": fit.category.value,
        "method": fit.method,
        "held_out": held_out,
        "also": also[:10],
    }
    evidence = [
        b.evidence(fit.site, note=f"{label} learns from every row here"),
        b.evidence(split.site, note=f"the {held_out} rows are separated only here"),
    ]
    confidence = b.confidence(fit.uncertain, split.uncertain, data.uncertain)
    proof = prove_fit_covers_test(b, fit, split)
    traced = False
    if proof is not None:
        fit_rows, test_rows, shared, fit_cell, split_cell = proof
        seen = (
            "computed over"
            if kind in (LeakKind.statistic, LeakKind.target_encoding) and fit.cls == "pandas"
            else "fitted on"
        )
        message = (
            f"{label} in cell {fit_cell} was {seen} {fit_rows:,} rows, {shared.text()} of which are the "
            f"rows later used as the {held_out} set in cell {split_cell}"
        )
        if also:
            message += f"; the cross-validation ({', '.join(also[:3])}) also reuses those rows"
        message += f" — {effect}"
        data_facts.update(
            fit_rows=fit_rows, test_rows=test_rows, overlap=shared.count, overlap_exact=shared.exact, traced=True
        )
        evidence.append(
            b.trace_evidence(
                fit_cell,
                fit.site.executed_line,
                f"traced: {seen} {fit_rows:,} rows including {shared.text()} of the {test_rows:,} {held_out} rows",
            )
        )
        confidence = Confidence.high
        traced = True
    b.add(
        kind,
        (fit.site.cell, fit.site.line, fit.cls, split.id),
        Finding(message=message, severity=severity, confidence=confidence, evidence=evidence, data=data_facts),
        traced=traced,
    )


def _report_preprocessing_cv(b: LeakBuilder, fit: Fit, site: Site, function: str, data: Data, also: list[str]) -> None:
    kind = _leak_kind(fit)
    label = _fit_label(fit)
    what = WHAT.get(fit.category, "transformer")
    message = (
        f"{label} ({what}) is fitted in cell {fit.site.cell} on every row that {function} in cell "
        f"{site.cell} then splits into folds: each validation fold was seen during preprocessing"
    )
    if also:
        message += f" (so do {', '.join(also[:3])})"
    only_cv = only_cross_validated(b.flow)
    severity = leak_severity(fit.category, fit.supervised, into_test=only_cv)
    effect = consequence(severity, into_test=False, only_cv=only_cv)
    message += f" — {effect}"
    data_facts: dict[str, Any] = {
        "reaches": "cross_validation",
        "fit_cell": fit.site.cell,
        "cv_cell": site.cell,
        "estimator": fit.cls,
        "category": fit.category.value,
        "cv": function,
    }
    evidence = [
        b.evidence(fit.site, note=f"{label} learns from every row here"),
        b.evidence(site, note="cross-validation on already-transformed rows"),
    ]
    confidence = b.confidence(fit.uncertain, data.uncertain)
    traced = False
    if b.facts is not None:
        for notebook, call in _matching_fits(b.facts, fit):
            if not isinstance(call, TraceCall):
                continue
            for _, run in b.facts.cv_runs():
                if run.cell != site.executed_cell or run.x is None:
                    continue
                shared = overlap(notebook.rowset(call.x.rows if call.x else None), notebook.rowset(run.x.rows))
                if shared is None or not shared:
                    shared = overlap(notebook.rowset(call.x.index if call.x else None), notebook.rowset(run.x.index))
                n_fit = (call.x.n_rows if call.x else None) or 0
                if shared and n_fit:
                    message = (
                        f"{label} in cell {call.cell} was fitted on {n_fit:,} rows; {function} in cell "
                        f"{run.cell} then cross-validated on {shared.text()} of those same rows, so every "
                        f"validation fold was seen during preprocessing — {effect}"
                    )
                    data_facts.update(fit_rows=n_fit, cv_rows=run.x.n_rows, overlap=shared.count, traced=True)
                    evidence.append(b.trace_evidence(call.cell, call.line, f"traced: fitted on {n_fit:,} rows"))
                    confidence = Confidence.high
                    traced = True
                    break
            if traced:
                break
    b.add(
        kind,
        (fit.site.cell, fit.site.line, fit.cls, "cv"),
        Finding(
            message=message,
            severity=severity,
            confidence=confidence,
            evidence=evidence,
            data=data_facts,
        ),
        traced=traced,
    )


def _matching_fits(facts: TraceFacts, fit: Fit) -> list[tuple[NotebookTrace, TraceCall | TraceStat]]:
    """Runtime events of a static fit: same cell, same class or statistic."""
    cell = fit.site.executed_cell
    found: list[tuple[NotebookTrace, TraceCall | TraceStat]] = []
    if fit.category in (FitCategory.statistic, FitCategory.target_statistic):
        method = fit.method.split(".")[-1]
        for notebook, stat in facts.stats():
            if stat.cell == cell and (stat.method == method or stat.method in ("transform", "agg", "aggregate")):
                found.append((notebook, stat))
        return found
    cls = traced_cls(fit)
    for notebook, call in facts.calls():
        if call.cell == cell and call.is_fit and (call.cls == cls or cls in call.steps):
            found.append((notebook, call))
    return found


def prove_fit_covers_test(
    b: LeakBuilder, fit: Fit, split: Split
) -> tuple[int, int, Overlap, int | None, int | None] | None:
    """From the trace: the fit's rows, the test rows among them and where they were seen (None: not proven)."""
    facts = b.facts
    if facts is None:
        return None
    sides = facts.splits_at(split.site.executed_cell)
    if not sides:
        return None
    for notebook, event in _matching_fits(facts, fit):
        for side in sides:
            if side.notebook is not notebook:
                continue
            if isinstance(event, TraceStat):
                shared = overlap(notebook.rowset(event.index), notebook.rowset(side.index))
                n_fit = (event.shape[0] if event.shape else None) or 0
            else:
                shared = facts.rows_in(notebook, event.x, side)
                n_fit = (event.x.n_rows if event.x else None) or 0
            if shared and n_fit:
                return n_fit, side.n, shared, event.cell, side.cell
    return None
