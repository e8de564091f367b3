"""Rows on both sides: oversampling before the split, test rows in training, the test set used for selection."""

from __future__ import annotations

from typing import Any

from grader.evidence.dataflow.catalogue import Role
from grader.evidence.dataflow.values import Data, DataflowResult, Eval, Fit, Site, Split
from grader.evidence.leakage.base import LeakBuilder, LeakKind
from grader.evidence.leakage.preprocessing import prove_fit_covers_test
from grader.evidence.ml.vocabulary import EstKind
from grader.evidence.tracefacts import overlap
from grader.models.findings import Confidence, Evidence, Finding, Severity


def oversampling_leaks(b: LeakBuilder) -> None:
    """Oversampling done before the split or outside the cross-validation folds."""
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
                f"sides — your test score is not a fair estimate"
            )
            data_facts: dict[str, Any] = {
                "reaches": "test",
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
                        f"folds — this inflates your cross-validation scores (a test set split off before "
                        f"resampling is not affected)"
                    ),
                    severity=Severity.medium,
                    confidence=b.confidence(event.uncertain),
                    evidence=[
                        b.evidence(event.site, note="resampling before cross-validation"),
                        b.evidence(run.site, note="cross-validation of resampled rows"),
                    ],
                    data={
                        "reaches": "cross_validation",
                        "resample_cell": event.site.cell,
                        "cv_cell": run.site.cell,
                        "resampler": event.cls,
                    },
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
    """Ids of the splits whose input went through this resampling."""
    return {s.id for s in flow.splits.values() if resample_id in s.input_resampled}


def _prove_resample(
    b: LeakBuilder, resample_site: Site, split_site: Site
) -> tuple[str, dict[str, Any], Evidence] | None:
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


def training_rows_leaks(b: LeakBuilder) -> None:
    """Models fitted on rows that include the test rows they are then scored on."""
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


def _report_model_on_test(b: LeakBuilder, fit: Fit, split: Split, evaluation: Eval, x: Data) -> None:
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
    proof = prove_fit_covers_test(b, fit, split)
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


def selection_leaks(b: LeakBuilder) -> None:
    """The test set used to choose models, hyper-parameters, thresholds or stopping rounds."""
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
        proof = prove_fit_covers_test(b, fit, split)
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


def _report_selection(b: LeakBuilder, site: Site, how: str, split: Split, group: list[Eval], sweep: bool) -> None:
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
