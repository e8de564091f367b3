"""Leakage facts for the `LEAK` checks: static dataflow, proven or sharpened by the runtime trace.

`analyse_leakage(ctx)` runs once per submission (cached on the context) and returns
`LeakFinding`s grouped by `LeakKind`; each check in `grader/checks/leakage/` reports
the findings of its kind. A finding found by the dataflow alone has medium (or, when
it went through code the interpreter could not follow, low) confidence; one the trace
proves carries row counts and cells and high confidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from grader.analysis.dataflow import (
    Data,
    DataflowResult,
    Est,
    EstKind,
    Eval,
    Fit,
    FitCategory,
    Role,
    Site,
    Split,
)
from grader.analysis.tracefacts import Overlap, TestSide, TraceFacts, difference, overlap
from grader.models.findings import Confidence, Evidence, EvidenceSource, Finding, Severity
from grader.models.trace import NotebookTrace, TraceCall, TraceSplit, TraceStat

if TYPE_CHECKING:
    from grader.analysis.context import CheckContext


class LeakKind(StrEnum):
    preprocessing = "preprocessing"
    statistic = "statistic"
    target_encoding = "target_encoding"
    oversampling = "oversampling"
    test_rows_in_training = "test_rows_in_training"
    selection = "selection"
    leakage_column = "leakage_column"
    target_derived = "target_derived"
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
    LeakKind.perfect_predictor: "target",
    LeakKind.temporal: "temporal",
    LeakKind.group: "group",
}

_SEVERITY = {
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
_WHAT = {
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
_NOT_PREPROCESSING = {
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


class _Builder:
    """Collects findings for one submission."""

    def __init__(self, ctx: CheckContext, flow: DataflowResult, facts: TraceFacts | None) -> None:
        self.ctx = ctx
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
            return self.ctx.evidence(None, note=note, source=source)
        return self.ctx.evidence(
            site.cell,
            site.line,
            snippet=snippet or site.snippet,
            note=note,
            end_line=site.end_line if site.end_line and site.end_line - site.line <= 3 else None,
            source=source,
        )

    def trace_evidence(self, cell: int | None, line: int | None, note: str) -> Evidence:
        snippet = None
        if cell is not None and line is not None and 0 <= cell < len(self.ctx.notebook):
            snippet = self.ctx.code.snippet(cell, line)
        return self.ctx.evidence(cell, line, snippet=snippet, source=EvidenceSource.trace, note=note)

    def add(self, kind: LeakKind, key: tuple[Any, ...], finding: Finding, *, traced: bool = False) -> None:
        full = (kind, *key)
        if full in self.keys:
            return
        self.keys.add(full)
        self.out.append(LeakFinding(kind, finding, key, traced))

    def confidence(self, *uncertain: bool) -> Confidence:
        return Confidence.low if any(uncertain) else Confidence.medium


# --------------------------------------------------------------------------- entry point


def analyse_leakage(ctx: CheckContext) -> LeakageAnalysis:
    """Every leak the dataflow and the trace can show, grouped by kind."""
    flow = ctx.dataflow
    facts = TraceFacts(ctx.trace) if ctx.trace is not None and ctx.trace.usable else None
    builder = _Builder(ctx, flow, facts)
    _preprocessing(builder)
    _oversampling(builder)
    _test_rows_in_training(builder)
    _selection(builder)
    _target_columns(builder)
    _structure(builder)
    if facts is not None:
        _runtime_only(builder, facts)
    notes = []
    if ctx.trace is not None and not ctx.trace.usable:
        notes.append(f"no runtime evidence: {ctx.trace.reason}")
    return LeakageAnalysis(findings=builder.out, flow=flow, traced=facts is not None, notes=notes)


# --------------------------------------------------------------------------- preprocessing


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
    if fit.category in _NOT_PREPROCESSING:
        return False
    if fit.category is FitCategory.pipeline:
        est = fit.est
        return est is not None and not est.is_predictor
    return not (fit.category is FitCategory.custom and fit.est is not None and not fit.est.stateful_custom)


def _preprocessing(b: _Builder) -> None:
    """One finding per leaking fit: against the first split it leaks into, else the first CV run."""
    flow = b.flow
    leaks: dict[int, tuple[Split, Data]] = {}
    cv_leaks: dict[int, list[tuple[Site, str, Data]]] = {}
    for _, data, _, _ in _consumers(flow):
        for fit_id in sorted(data.taints):
            fit = flow.fits.get(fit_id)
            if fit is None or not _is_preprocessing(fit) or fit_id in leaks:
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


def _report_preprocessing(b: _Builder, fit: Fit, split: Split, data: Data, also: list[str]) -> None:
    kind = _leak_kind(fit)
    severity = _SEVERITY.get(fit.category, Severity.medium)
    what = _WHAT.get(fit.category, "transformer")
    label = _fit_label(fit)
    held_out = "validation" if split.role("test") is Role.validation else "test"
    before = "before" if _before(fit.site, split.site) else "after"
    at_fit, at_split = _places(fit.site, split.site)
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
    data_facts: dict[str, Any] = {
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
    proof = _prove_fit_covers_test(b, fit, split)
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


def _report_preprocessing_cv(b: _Builder, fit: Fit, site: Site, function: str, data: Data, also: list[str]) -> None:
    kind = _leak_kind(fit)
    label = _fit_label(fit)
    what = _WHAT.get(fit.category, "transformer")
    message = (
        f"{label} ({what}) is fitted in cell {fit.site.cell} on every row that {function} in cell "
        f"{site.cell} then splits into folds: each validation fold was seen during preprocessing"
    )
    if also:
        message += f" (so do {', '.join(also[:3])})"
    data_facts: dict[str, Any] = {
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
                        f"validation fold was seen during preprocessing"
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
            severity=_SEVERITY.get(fit.category, Severity.medium),
            confidence=confidence,
            evidence=evidence,
            data=data_facts,
        ),
        traced=traced,
    )


def _places(first: Site, second: Site) -> tuple[str, str]:
    """ "cell 7" and "cell 9", or "cell 7 (line 3)" and "cell 7 (line 8)" when both are in one cell."""
    if first.cell == second.cell:
        return f"cell {first.cell} (line {first.line})", f"line {second.line}"
    return f"cell {first.cell}", f"cell {second.cell}"


def _before(a: Site, b: Site) -> bool:
    return (a.executed_cell, a.executed_line) < (b.executed_cell, b.executed_line)


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
    for notebook, call in facts.calls():
        if call.cell == cell and call.is_fit and (call.cls == fit.cls or fit.cls in call.steps):
            found.append((notebook, call))
    return found


def _prove_fit_covers_test(
    b: _Builder, fit: Fit, split: Split
) -> tuple[int, int, Overlap, int | None, int | None] | None:
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


# --------------------------------------------------------------------------- overlap


def _oversampling(b: _Builder) -> None:
    flow = b.flow
    reported: set[int] = set()
    for split in sorted(flow.splits.values(), key=lambda s: (s.site.executed_cell, s.site.executed_line)):
        for resample_id in sorted(split_input_resampled(flow, split)):
            if resample_id in reported:
                continue
            reported.add(resample_id)
            event = flow.resamples[resample_id]
            message = (
                f"{event.cls} in cell {event.site.cell} oversamples the data before the split in cell "
                f"{split.site.cell}: synthetic or duplicated rows made from the same originals land on both "
                f"sides, so the held-out score is inflated"
            )
            data_facts: dict[str, Any] = {
                "resample_cell": event.site.cell,
                "split_cell": split.site.cell,
                "resampler": event.cls,
            }
            evidence = [
                b.evidence(event.site, note="resampling before the split"),
                b.evidence(split.site, note="split of the resampled rows"),
            ]
            confidence = b.confidence(event.uncertain, split.uncertain)
            traced = False
            proof = _prove_resample(b, event.site, split.site)
            if proof is not None:
                message, facts_data, trace_evidence = proof
                data_facts.update(facts_data)
                evidence.append(trace_evidence)
                confidence = Confidence.high
                traced = True
            b.add(
                LeakKind.oversampling,
                (event.id, split.id),
                Finding(
                    message=message, severity=Severity.high, confidence=confidence, evidence=evidence, data=data_facts
                ),
                traced=traced,
            )
    for run in flow.cv_runs.values():
        for resample_id in sorted(run.data.resampled):
            if resample_id in reported:
                continue
            reported.add(resample_id)
            event = flow.resamples[resample_id]
            b.add(
                LeakKind.oversampling,
                (event.id, "cv", run.id),
                Finding(
                    message=(
                        f"{event.cls} in cell {event.site.cell} oversamples the data that {run.function} in cell "
                        f"{run.site.cell} cross-validates: copies of the same rows sit in training and validation "
                        f"folds"
                    ),
                    severity=Severity.high,
                    confidence=b.confidence(event.uncertain),
                    evidence=[
                        b.evidence(event.site, note="resampling before cross-validation"),
                        b.evidence(run.site, note="cross-validation of resampled rows"),
                    ],
                    data={"resample_cell": event.site.cell, "cv_cell": run.site.cell, "resampler": event.cls},
                ),
            )


def split_input_resampled(flow: DataflowResult, split: Split) -> frozenset[int]:
    """Oversampling events whose output the split divides."""
    found: set[int] = set()
    for resample in flow.resamples.values():
        if not resample.oversampling:
            continue
        if split.id in resample_splits(flow, resample.id):
            found.add(resample.id)
    return frozenset(found)


def resample_splits(flow: DataflowResult, resample_id: int) -> set[int]:
    return {s.id for s in flow.splits.values() if resample_id in s.input_resampled}


def _prove_resample(b: _Builder, resample_site: Site, split_site: Site) -> tuple[str, dict[str, Any], Evidence] | None:
    facts = b.facts
    if facts is None:
        return None
    for notebook, call in facts.calls():
        if call.method != "fit_resample" or call.cell != resample_site.executed_cell:
            continue
        synthetic = notebook.rowset(call.out.get("synthetic") if isinstance(call.out.get("synthetic"), int) else None)
        for side in facts.splits_at(split_site.executed_cell):
            if side.notebook is not notebook:
                continue
            test = notebook.rowset(side.rows)
            train = notebook.rowset(side.train_rows)
            made = overlap(test, synthetic)
            copies = overlap(test, train)
            parts = []
            if made:
                parts.append(f"{made.text()} of the {side.n:,} test rows are synthetic rows {call.cls} made")
            if copies:
                parts.append(f"{copies.text()} test rows also appear in the training set")
            if not parts:
                continue
            n_synthetic = call.out.get("n_synthetic")
            message = (
                f"{call.cls} in cell {call.cell} added {n_synthetic:,} rows before the split in cell {side.cell}: "
                if isinstance(n_synthetic, int)
                else f"{call.cls} in cell {call.cell} resampled before the split in cell {side.cell}: "
            )
            message += "; ".join(parts)
            data = {
                "test_rows": side.n,
                "synthetic_in_test": made.count if made else 0,
                "test_rows_in_train": copies.count if copies else 0,
                "traced": True,
            }
            return message, data, b.trace_evidence(call.cell, call.line, "traced: " + "; ".join(parts))
    return None


def _test_rows_in_training(b: _Builder) -> None:
    flow = b.flow
    for fit, x, _ in flow.model_fits:
        est = fit.est
        if est is None:
            continue
        position = est.fits.index(fit) + 1 if fit in est.fits else None
        for evaluation in flow.evals.values():
            if evaluation.est is not est or (position is not None and evaluation.version != position):
                continue
            for split, side in flow.parts(evaluation.tags):
                if side != "test" or split.recombines_files:
                    continue
                if not flow.covers(fit.tags, ("part", split.id, "test")):
                    continue
                if est.kind is EstKind.search and fit.tags == frozenset({("part", split.id, "test")}):
                    continue  # a search fitted on the test set: reported as selection on the test set
                _report_model_on_test(b, fit, split, evaluation, x)
                break


def _report_model_on_test(b: _Builder, fit: Fit, split: Split, evaluation: Eval, x: Data) -> None:
    held_out = "validation" if split.role("test") is Role.validation else "test"
    message = (
        f"{fit.cls} is trained in cell {fit.site.cell} on rows that include the {held_out} rows of the split "
        f"in cell {split.site.cell}, and then scored on them in cell {evaluation.site.cell}"
    )
    data_facts: dict[str, Any] = {
        "fit_cell": fit.site.cell,
        "split_cell": split.site.cell,
        "eval_cell": evaluation.site.cell,
        "estimator": fit.cls,
    }
    evidence = [
        b.evidence(fit.site, note="trained on the held-out rows too"),
        b.evidence(split.site, note="split"),
        b.evidence(evaluation.site, note="scored on rows it has seen"),
    ]
    confidence = b.confidence(fit.uncertain, x.uncertain, split.uncertain)
    traced = False
    proof = _prove_fit_covers_test(b, fit, split)
    if proof is not None:
        fit_rows, test_rows, shared, fit_cell, split_cell = proof
        message = (
            f"{fit.cls} in cell {fit_cell} was trained on {fit_rows:,} rows, {shared.text()} of which are the "
            f"{test_rows:,} {held_out} rows of the split in cell {split_cell} that it is scored on in cell "
            f"{evaluation.site.cell}"
        )
        data_facts.update(fit_rows=fit_rows, test_rows=test_rows, overlap=shared.count, traced=True)
        evidence.append(
            b.trace_evidence(
                fit_cell,
                fit.site.executed_line,
                f"traced: trained on {shared.text()} of the {test_rows:,} {held_out} rows",
            )
        )
        confidence = Confidence.high
        traced = True
    b.add(
        LeakKind.test_rows_in_training,
        (fit.id, split.id),
        Finding(message=message, severity=Severity.high, confidence=confidence, evidence=evidence, data=data_facts),
        traced=traced,
    )


# --------------------------------------------------------------------------- selection on the test set


def _test_part(flow: DataflowResult, tags: frozenset[Any]) -> Split | None:
    for split, side in flow.parts(tags):
        if side == "test" and split.role("test") is Role.test and not split.recombines_files:
            return split
    return None


def _selection(b: _Builder) -> None:
    flow = b.flow
    # A search (GridSearchCV...) fitted on the test set.
    for fit, _, _ in flow.model_fits:
        if fit.est is None or fit.est.kind is not EstKind.search:
            continue
        split = _test_part(flow, fit.tags)
        if split is None:
            continue
        message = (
            f"{fit.cls} is fitted on the test set in cell {fit.site.cell}: the hyperparameters are chosen on "
            f"the rows the split in cell {split.site.cell} held out for the final score"
        )
        data_facts: dict[str, Any] = {"fit_cell": fit.site.cell, "split_cell": split.site.cell, "how": "search"}
        evidence = [b.evidence(fit.site, note="search fitted on the test rows"), b.evidence(split.site, note="split")]
        confidence = b.confidence(fit.uncertain, split.uncertain)
        traced = False
        proof = _prove_fit_covers_test(b, fit, split)
        if proof is not None:
            fit_rows, test_rows, shared, fit_cell, split_cell = proof
            message = (
                f"{fit.cls} in cell {fit_cell} was fitted on {fit_rows:,} rows, {shared.text()} of which are "
                f"the "
                f"{test_rows:,} test rows of the split in cell {split_cell}: hyperparameters were chosen on "
                f"the test set"
            )
            data_facts.update(fit_rows=fit_rows, test_rows=test_rows, overlap=shared.count, traced=True)
            evidence.append(b.trace_evidence(fit_cell, fit.site.executed_line, "traced: fitted on the test rows"))
            confidence, traced = Confidence.high, True
        b.add(
            LeakKind.selection,
            ("search", fit.id),
            Finding(message=message, severity=Severity.high, confidence=confidence, evidence=evidence, data=data_facts),
            traced=traced,
        )
    # Early stopping monitored on the test set.
    for fit in flow.fits.values():
        if not fit.early_stopping or fit.eval_set is None:
            continue
        split = _test_part(flow, fit.eval_set.tags)
        if split is None:
            continue
        b.add(
            LeakKind.selection,
            ("early", fit.id),
            Finding(
                message=(
                    f"{fit.cls} in cell {fit.site.cell} stops early on the test set of the split in cell "
                    f"{split.site.cell}: the number of boosting rounds is chosen on the rows used for the final "
                    f"score"
                ),
                severity=Severity.high,
                confidence=b.confidence(fit.uncertain),
                evidence=[b.evidence(fit.site, note="eval_set is the test set"), b.evidence(split.site, note="split")],
                data={"fit_cell": fit.site.cell, "split_cell": split.site.cell, "how": "early_stopping"},
            ),
        )
    # Scores on the test set compared or ranked to pick a model or a hyperparameter.
    for selection in flow.selections:
        evals = [flow.evals[i] for i in sorted(selection.scores) if i in flow.evals]
        by_split: dict[int, list[Eval]] = {}
        for evaluation in evals:
            split = _test_part(flow, evaluation.tags)
            if split is not None:
                by_split.setdefault(split.id, []).append(evaluation)
        for split_id, group in by_split.items():
            split = flow.splits[split_id]
            looped = [e for e in group if e.loops]
            sweeps = [e for e in group if any(flow.loops[i].sweeps for i in e.loops if i in flow.loops)]
            models = {(id(e.est), e.version) for e in group}
            if not looped and len(models) < 2 and len(group) < 2:
                continue
            _report_selection(b, selection.site, selection.how, split, group, bool(sweeps))


def _report_selection(b: _Builder, site: Site, how: str, split: Split, group: list[Eval], sweep: bool) -> None:
    first = group[0]
    what = "hyperparameter values" if sweep else ("candidates" if first.loops else "models")
    message = (
        f"Scores on the test set of the split in cell {split.site.cell} (computed in cell "
        f"{first.site.cell}) are compared in cell {site.cell} to choose between {what}: the chosen one's test "
        f"score is no longer an unbiased estimate"
    )
    data_facts: dict[str, Any] = {
        "split_cell": split.site.cell,
        "eval_cells": sorted({e.site.cell for e in group}),
        "selection_cell": site.cell,
        "how": how,
        "sweep": sweep,
    }
    evidence = [
        b.evidence(first.site, note="scored on the test set"),
        b.evidence(site, note=f"selection ({how})"),
        b.evidence(split.site, note="the test set"),
    ]
    confidence = Confidence.medium
    traced = False
    if b.facts is not None:
        for side in b.facts.splits_at(split.site.executed_cell):
            versions = {(inst, gen) for _, inst, gen in b.facts.evaluated_on(side)}
            if len(versions) >= 2:
                message = (
                    f"{len(versions)} fitted models were scored on the same {side.n:,} test rows of the split "
                    f"in cell {side.cell}, and the scores are compared in cell {site.cell} to choose between "
                    f"{what}"
                )
                data_facts.update(models_scored_on_test=len(versions), test_rows=side.n, traced=True)
                evidence.append(
                    b.trace_evidence(
                        first.site.executed_cell,
                        first.site.executed_line,
                        f"traced: {len(versions)} models scored on the same test rows",
                    )
                )
                confidence, traced = Confidence.high, True
                break
    b.add(
        LeakKind.selection,
        ("select", split.id, site.cell),
        Finding(
            message=message,
            severity=Severity.high if sweep else Severity.medium,
            confidence=confidence,
            evidence=evidence,
            data=data_facts,
        ),
        traced=traced,
    )


# --------------------------------------------------------------------------- target leakage


def _estimator_columns(est: Est | None, x: Data) -> tuple[str, ...] | None:
    """Columns a pipeline's ColumnTransformer reads, if it names them all."""
    if est is None:
        return None
    for step in [est, *est.all_steps()]:
        if step.selects is not None and step.selects.mode == "known":
            return tuple(sorted(step.selects.names))
    return None


def _uses_column(x: Data, est: Est | None, column: str) -> tuple[bool | None, list[str]]:
    """(whether the model's features include `column` or columns built from it, and which)."""
    selected = _estimator_columns(est, x)
    derived = x.derived_map()

    def built_from(name: str) -> bool:
        # Derived features and dummies are conventionally named after their source (`delivered_at_hour`).
        return name != column and (column in derived.get(name, frozenset()) or name.startswith(column + "_"))

    if selected is not None:
        names = [n for n in selected if n == column or built_from(n)]
        return bool(names), names
    found = [column] if x.cols.contains(column) else []
    named = x.cols.names if x.cols.mode == "known" else frozenset()
    found += sorted(n for n in set(derived) | named if built_from(n) and x.cols.contains(n))
    if found:
        return True, found
    return x.cols.contains(column), []


def _where_named(x: Data, est: Est | None, column: str, via: list[str]) -> Site | None:
    """Where the model's feature set picks up the column: a feature list, a ColumnTransformer list, a `drop`."""
    names = [column, *via]
    if est is not None:
        for step in [est, *est.all_steps()]:
            for name in names:
                if name in step.select_sites:
                    return step.select_sites[name]
    sites = dict(x.col_sites)
    for name in names:
        if name in sites:
            return sites[name]
    return x.cols_site


def _target_columns(b: _Builder) -> None:
    flow = b.flow
    assignment = b.ctx.assignment
    leak_columns = list(assignment.leakage_columns) if assignment is not None else []
    target = flow.target
    for fit, x, _ in flow.model_fits:
        if not x.frame and x.cols.mode == "unknown":
            continue
        for column in leak_columns:
            used, via = _uses_column(x, fit.est, column)
            if not used:
                continue
            mention = _where_named(x, fit.est, column, via) or flow.mentions.get(column)
            built = [v for v in via if v != column]
            if column in via:
                how = f"The column `{column}` is one of the features"
                if built:
                    how += f" (and {', '.join(f'`{v}`' for v in built[:3])}, built from it)"
            else:
                how = f"{', '.join(f'`{v}`' for v in built[:3])}, built from `{column}`, " + (
                    "are features" if len(built) > 1 else "is a feature"
                )
            message = (
                f"{how} of {fit.cls} fitted in cell {fit.site.cell}; the assignment declares `{column}` a "
                f"leakage column (recorded after the outcome)"
            )
            evidence = [b.evidence(fit.site, note=f"{column} reaches the model")]
            if mention is not None and (mention.cell, mention.line) != (fit.site.cell, fit.site.line):
                evidence.insert(0, b.evidence(mention, note=f"`{column}` appears here"))
            b.add(
                LeakKind.leakage_column,
                (column,),
                Finding(
                    message=message,
                    severity=Severity.high,
                    confidence=b.confidence(x.uncertain),
                    evidence=evidence,
                    data={"column": column, "via": via[:10], "fit_cell": fit.site.cell},
                ),
            )
        if target is None:
            continue
        derived = x.derived_map()
        marker = f"__target__:{target}"
        for name, deps in derived.items():
            if marker in deps and name != target and x.cols.contains(name):
                site = flow.mentions.get(name)
                b.add(
                    LeakKind.target_derived,
                    (name,),
                    Finding(
                        message=(
                            f"The feature `{name}` is computed from the target `{target}` and is used by {fit.cls} "
                            f"in cell {fit.site.cell}: it will not exist when predicting new rows"
                        ),
                        severity=Severity.high,
                        confidence=b.confidence(x.uncertain),
                        evidence=[
                            b.evidence(site, note=f"`{name}` derived from `{target}`"),
                            b.evidence(fit.site, note="used as a feature"),
                        ]
                        if site
                        else [b.evidence(fit.site, note=f"`{name}` derived from `{target}` is used as a feature")],
                        data={"column": name, "target": target, "fit_cell": fit.site.cell},
                    ),
                )
        _entity_target_means(b, fit, x, target)
        if x.cols.contains(target) and _estimator_columns(fit.est, x) is None and x.frame:
            b.add(
                LeakKind.target_derived,
                ("__target__", fit.site.cell),
                Finding(
                    message=f"The target `{target}` itself is among the features of {fit.cls} fitted in cell "
                    f"{fit.site.cell}",
                    severity=Severity.high,
                    confidence=Confidence.low if x.uncertain else Confidence.medium,
                    evidence=[b.evidence(fit.site, note=f"`{target}` is not dropped from the features")],
                    data={"column": target, "target": target, "fit_cell": fit.site.cell},
                ),
            )


def _entity_target_means(b: _Builder, fit: Fit, x: Data, target: str) -> None:
    """Target means per entity (a customer, a patient): each row's own label is a large part of its feature."""
    assignment = b.ctx.assignment
    group = assignment.structure.group_column if assignment is not None else None
    for fit_id in sorted(x.taints):
        stat = b.flow.fits.get(fit_id)
        if stat is None or stat.category is not FitCategory.target_statistic:
            continue
        keys = [k for k in stat.by if k == group or k.lower().endswith("id")]
        if not keys:
            continue
        b.add(
            LeakKind.target_derived,
            ("entity", stat.id),
            Finding(
                message=(
                    f"The target `{target}` is averaged per `{keys[0]}` in cell {stat.site.cell} and fed to "
                    f"{fit.cls} in cell {fit.site.cell}: with few rows per {keys[0]}, each row's feature is mostly "
                    f"its own label"
                ),
                severity=Severity.high,
                confidence=b.confidence(stat.uncertain, x.uncertain),
                evidence=[
                    b.evidence(stat.site, note=f"target mean per {keys[0]}"),
                    b.evidence(fit.site, note="used as a feature"),
                ],
                data={"column": keys[0], "target": target, "fit_cell": fit.site.cell, "stat_cell": stat.site.cell},
            ),
        )


# --------------------------------------------------------------------------- time and groups


def _used_splits(flow: DataflowResult) -> set[int]:
    """Splits whose sides reach a model fit or an evaluation."""
    used: set[int] = set()
    for fit, x, _ in flow.model_fits:
        used |= {s.id for s, _ in flow.parts(x.tags)}
        del fit
    for evaluation in flow.evals.values():
        used |= {s.id for s, _ in flow.parts(evaluation.tags)}
    return used


def _structure(b: _Builder) -> None:
    assignment = b.ctx.assignment
    if assignment is None:
        return
    structure = assignment.structure
    flow = b.flow
    used = _used_splits(flow)
    for split in flow.splits.values():
        if split.recombines_files or not split.random or split.time_based:
            continue
        if split.id not in used and split.kind != "splitter":
            continue
        if structure.time_ordered:
            _report_temporal(b, split.site, _short(split.function or split.kind), split.id)
        group = structure.group_column
        # On time-ordered data the fix is a time-based split (LEAK010); groups matter there only when the
        # model can memorise them, i.e. the group column is one of its features.
        if (
            group
            and not split.group_aware
            and (
                not structure.time_ordered
                or any(
                    _uses_column(x, fit.est, group)[0]
                    for fit, x, _ in flow.model_fits
                    if any(s.id == split.id for s, _ in flow.parts(x.tags))
                )
            )
        ):
            _report_group(b, split.site, _short(split.function or split.kind), split.id)
    for run in flow.cv_runs.values():
        if not run.random:
            continue
        if structure.time_ordered:
            _report_temporal(b, run.site, f"{run.function} with {run.cv_text or 'shuffled folds'}", ("cv", run.id))
        group = structure.group_column
        if group and not run.group_aware and (not structure.time_ordered or _uses_column(run.data, run.est, group)[0]):
            _report_group(b, run.site, run.function, ("cv", run.id))


def _short(function: str) -> str:
    name = function.rsplit(".", 1)[-1]
    return {
        "sample": "`df.sample`",
        "mask": "A boolean-mask split",
        "iloc": "A positional split",
        "drop": "A `drop`-based split",
    }.get(name, name)


def _report_temporal(b: _Builder, site: Site, how: str, key: Any) -> None:
    assignment = b.ctx.assignment
    assert assignment is not None
    column = assignment.structure.time_column
    message = (
        f"{how} in cell {site.cell} splits time-ordered rows at random: the model is validated on periods it "
        f"was also trained on (and on the past, trained on the future)"
        + (f"; split by `{column}` instead" if column else "")
    )
    data_facts: dict[str, Any] = {"split_cell": site.cell, "time_column": column}
    evidence = [b.evidence(site, note="random split of time-ordered data")]
    confidence = Confidence.medium
    traced = False
    if b.facts is not None:
        for side in b.facts.splits_at(site.executed_cell):
            event = side.event
            if isinstance(event, TraceSplit) and event.shuffle:
                spans = {}
                for part in event.parts:
                    spans.update(part.time_spans)
                span = spans.get(column or "") or (next(iter(spans.values())) if spans else None)
                detail = f"{side.n_train:,} training and {side.n:,} test rows drawn at random"
                order = event.parts[0].order if event.parts else {}
                if order.get("n_test"):
                    detail += (
                        f"; {order.get('test_before_last_train', 0):,} of the {order['n_test']:,} test rows "
                        f"come before the last training row in the data's order"
                    )
                    data_facts.update(test_before_last_train=order.get("test_before_last_train"))
                if span and span.get("train") and span.get("test"):
                    detail += (
                        f"; training rows span {span['train'][0][:10]}..{span['train'][1][:10]}, test rows "
                        f"{span['test'][0][:10]}..{span['test'][1][:10]}"
                    )
                    data_facts.update(train_span=span["train"], test_span=span["test"])
                message = f"train_test_split in cell {side.cell} shuffled time-ordered rows: {detail}"
                data_facts.update(test_rows=side.n, train_rows=side.n_train, traced=True)
                evidence.append(b.trace_evidence(side.cell, event.line, f"traced: {detail}"))
                confidence, traced = Confidence.high, True
                break
    b.add(
        LeakKind.temporal,
        (key,),
        Finding(message=message, severity=Severity.high, confidence=confidence, evidence=evidence, data=data_facts),
        traced=traced,
    )


def _report_group(b: _Builder, site: Site, how: str, key: Any) -> None:
    assignment = b.ctx.assignment
    assert assignment is not None
    column = assignment.structure.group_column
    message = (
        f"{how} in cell {site.cell} ignores the `{column}` groups: the same {column} ends up on both sides, so "
        f"the held-out score measures entities the model has already seen (use a group-aware split such as "
        f"GroupShuffleSplit / GroupKFold)"
    )
    data_facts: dict[str, Any] = {"split_cell": site.cell, "group_column": column}
    evidence = [b.evidence(site, note="split without groups")]
    confidence = Confidence.medium
    traced = False
    if b.facts is not None:
        for side in b.facts.splits_at(site.executed_cell):
            event = side.event
            if not isinstance(event, TraceSplit):
                continue
            groups = {}
            for part in event.parts:
                groups.update(part.groups)
            stats = groups.get(column or "")
            if stats and stats.get("shared"):
                detail = (
                    f"{stats['shared']:,} of the {stats.get('test', 0):,} {column} values in the test rows also "
                    f"occur in the training rows ({stats.get('test_rows_shared', 0):,} of {side.n:,} test rows)"
                )
                message = f"{how} in cell {side.cell} ignores the `{column}` groups: {detail}"
                data_facts.update(
                    shared_groups=stats["shared"],
                    test_groups=stats.get("test"),
                    test_rows_shared=stats.get("test_rows_shared"),
                    traced=True,
                )
                evidence.append(b.trace_evidence(side.cell, event.line, f"traced: {detail}"))
                confidence, traced = Confidence.high, True
                break
    b.add(
        LeakKind.group,
        (key,),
        Finding(message=message, severity=Severity.medium, confidence=confidence, evidence=evidence, data=data_facts),
        traced=traced,
    )


# --------------------------------------------------------------------------- runtime-only facts


def _runtime_only(b: _Builder, facts: TraceFacts) -> None:
    """Leaks the trace proves even where the dataflow lost track."""
    assignment = b.ctx.assignment
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
            b.add(
                kind,
                ("rt", fit.seq, event.seq),
                Finding(
                    message=message,
                    severity=Severity.medium,
                    confidence=Confidence.high,
                    evidence=[
                        b.trace_evidence(fit.cell, fit.line, f"traced: {fit.cls} fitted on {n_fit:,} rows"),
                        b.trace_evidence(side.cell, event.line, f"traced: split with {side.n:,} test rows"),
                    ],
                    data={
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
    from grader.analysis.dataflow import _CATALOGUE

    if not call.module.startswith(("sklearn", "imblearn", "category_encoders", "xgboost", "lightgbm")):
        return False
    known = _CATALOGUE.get(call.cls)
    return known is None or known[1] not in (FitCategory.stateless, FitCategory.resampler, FitCategory.undersampler)


def _runtime_fillna(b: _Builder, facts: TraceFacts) -> None:
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


def _runtime_columns(b: _Builder, facts: TraceFacts, leak_columns: list[str]) -> None:
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


def _disproved_columns(b: _Builder, facts: TraceFacts) -> None:
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


def perfect_predictors(ctx: CheckContext, min_score: float) -> list[Finding]:
    """Columns that alone predict the target almost perfectly, from the trace's probes."""
    if ctx.trace is None or not ctx.trace.usable:
        return []
    found: dict[str, Finding] = {}
    leak_columns = set(ctx.assignment.leakage_columns) if ctx.assignment else set()
    for notebook in ctx.trace.notebooks:
        for call in notebook.calls():
            for probe in call.probe:
                if probe.score < min_score or probe.col in found:
                    continue
                if call.steps and call.features and not any(probe.col in name for name in call.features):
                    continue  # an input column the pipeline drops before its model
                metric = "ROC AUC" if probe.metric == "auc" else "|correlation|"
                declared = " (a declared leakage column)" if probe.col in leak_columns else ""
                rows = call.x.n_rows if call.x else None
                snippet = ctx.code.snippet(call.cell, call.line) if call.cell is not None and call.line else None
                found[probe.col] = Finding(
                    message=(
                        f"The feature `{probe.col}`{declared} alone predicts the target almost perfectly "
                        f"({metric} {probe.score:.3f} on the {rows or 0:,} rows {call.cls} was fitted on in "
                        f"cell {call.cell}): it is most likely derived from the target or recorded after it"
                    ),
                    severity=Severity.high,
                    confidence=Confidence.high,
                    evidence=[
                        ctx.evidence(
                            call.cell,
                            call.line,
                            snippet=snippet,
                            source=EvidenceSource.trace,
                            note=f"traced: single-feature {metric} {probe.score:.3f}",
                        )
                    ],
                    data={
                        "column": probe.col,
                        "score": probe.score,
                        "metric": probe.metric,
                        "fit_cell": call.cell,
                        "rows": rows,
                        "traced": True,
                    },
                )
    return list(found.values())


def difference_count(notebook: NotebookTrace, a: int | None, b: int | None) -> Overlap | None:
    """Rows of sketch `a` not in sketch `b` (used by tests and the benchmark)."""
    return difference(notebook.rowset(a), notebook.rowset(b))


__all__ = [
    "LEAK_TYPE",
    "LeakFinding",
    "LeakKind",
    "LeakageAnalysis",
    "TestSide",
    "analyse_leakage",
    "perfect_predictors",
]
