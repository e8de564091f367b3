"""The test set used to choose: searches and early stopping on it, test scores ranked, swept or cross-validated.

A choice made by looking at test scores makes the chosen model's test score optimistic.
How bad that is depends on what is reported afterwards: a winner whose own test score is
then reported as its performance (or the best of a hyper-parameter sweep) is high; a
choice the test set only informed (models compared by eye, a cross-validation over rows
that include the test rows) is medium. The runtime trace, when the notebook ran, proves
how many fitted models were scored on the same test rows and which rows a
cross-validation saw. Choices announced in prose are in `grader.evidence.leakage.prose`.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from grader.evidence.dataflow.catalogue import Role
from grader.evidence.dataflow.values import CVRun, DataflowResult, Est, Eval, Selection, Split
from grader.evidence.leakage.base import LeakBuilder, LeakKind, ran_before
from grader.evidence.leakage.preprocessing import prove_fit_covers_test
from grader.evidence.ml.facts import names_in
from grader.evidence.ml.vocabulary import EstKind
from grader.evidence.narrative.markdown import excerpt, sentences
from grader.evidence.tracefacts import TestSide
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity
from grader.models.trace import TraceCall, TraceCV

#: Keyword arguments that are not hyper-parameters: a loop over seeds is a robustness check, not tuning.
NOT_TUNING = frozenset({"random_state", "seed", "random_seed", "n_jobs", "verbose", "verbosity"})


def test_part(flow: DataflowResult, tags: frozenset[Any]) -> Split | None:
    """The evaluation split whose test side (not a validation side) these rows are."""
    for split, side in flow.parts(tags):
        if side == "test" and split.role("test") is Role.test and not split.recombines_files:
            return split
    return None


def held_out_role(flow: DataflowResult, tags: frozenset[Any]) -> Role | None:
    """`test` or `validation` when the rows are the held-out side of an evaluation split, else None."""
    for split, side in flow.parts(tags):
        if side == "test" and not split.recombines_files:
            return split.role("test")
    return None


def selection_leaks(b: LeakBuilder) -> None:
    """The test set used to choose models, hyper-parameters, thresholds or stopping rounds."""
    _searches_on_test(b)
    _early_stopping_on_test(b)
    reported = _ranked_test_scores(b)
    _sweeps_compared_by_eye(b, reported)
    _sweeps_by_hand(b, reported)
    _tuned_without_validation(b, reported)
    _cross_validation_over_test_rows(b)


# --------------------------------------------------------------------------- searches and early stopping


def _searches_on_test(b: LeakBuilder) -> None:
    """A search (GridSearchCV...) fitted on the test set."""
    flow = b.flow
    for fit, _, _ in flow.model_fits:
        if fit.est is None or fit.est.kind is not EstKind.search:
            continue
        split = test_part(flow, fit.tags)
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
                f"the {test_rows:,} test rows of the split in cell {split_cell}: hyperparameters were chosen on "
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


def _early_stopping_on_test(b: LeakBuilder) -> None:
    """Training monitored on the test set: early stopping on it, or Keras' `validation_data` set to it.

    Early stopping on the test rows chooses the number of rounds (or epochs) on them: high. A
    network trained with the test rows as its `validation_data`, whose test split then gives the
    score, had its loss curves on the test rows to read epochs and settings from: medium.
    """
    flow = b.flow
    scored = {s.id for e in flow.evals.values() if (s := test_part(flow, e.tags)) is not None}
    for fit in flow.fits.values():
        if fit.eval_set is None or not (fit.early_stopping or fit.validation_data):
            continue
        split = test_part(flow, fit.eval_set.tags)
        if split is None or (not fit.early_stopping and split.id not in scored):
            continue
        rounds = "epochs" if fit.validation_data else "boosting rounds"
        if fit.early_stopping:
            message = (
                f"{fit.cls} in cell {fit.site.cell} stops early on the test set of the split in cell "
                f"{split.site.cell}: the number of {rounds} is chosen on the rows used for the final score"
            )
        else:
            message = (
                f"{fit.cls} in cell {fit.site.cell} is trained with the test set of the split in cell "
                f"{split.site.cell} as its validation data, and that test set gives the final score: epochs and "
                "settings read off its loss curves were chosen on the test rows"
            )
        b.add(
            LeakKind.selection,
            ("early", fit.id),
            Finding(
                message=message,
                severity=Severity.high if fit.early_stopping else Severity.medium,
                confidence=b.confidence(fit.uncertain),
                evidence=[
                    b.evidence(fit.site, note="validation data is the test set"),
                    b.evidence(split.site, note="split"),
                ],
                data={
                    "fit_cell": fit.site.cell,
                    "split_cell": split.site.cell,
                    "how": "early_stopping" if fit.early_stopping else "validation_data",
                },
            ),
        )


# --------------------------------------------------------------------------- test scores ranked in code


def _ranked_test_scores(b: LeakBuilder) -> set[int]:
    """Scores on the test set compared or ranked (`max`, `>`, `idxmax`, `sort_values`) to pick something.

    Returns the ids of the evaluations that were reported this way.
    """
    flow = b.flow
    reported: set[int] = set()
    for selection in flow.selections:
        evals = [flow.evals[i] for i in sorted(selection.scores) if i in flow.evals]
        by_split: dict[int, list[Eval]] = {}
        for evaluation in evals:
            split = test_part(flow, evaluation.tags)
            if split is not None:
                by_split.setdefault(split.id, []).append(evaluation)
        for split_id, group in by_split.items():
            split = flow.splits[split_id]
            looped = [e for e in group if e.loops]
            models = {(id(e.est), e.version) for e in group}
            if not looped and len(models) < 2 and len(group) < 2:
                continue
            sweep = any(_tunes(flow, e) for e in group)
            winner = _winner_scored_again(flow, selection, split, group)
            _report_ranking(b, selection, split, group, sweep, winner)
            reported |= {e.id for e in group}
    return reported


def _sweep_loops(flow: DataflowResult, evaluation: Eval) -> list[int]:
    """The loops sweeping hyper-parameter values that this evaluation's scores run over.

    Either loops around the evaluation itself, or, for models built in a sweep and scored in a
    later loop over them (`[clf.score(X_test, y_test) for clf in models]`), the sweep that built them.
    """
    sweeping = [i for i in evaluation.loops if i in flow.loops and flow.loops[i].sweeps]
    if sweeping:
        return sweeping
    est = evaluation.est
    over_models = any(i in flow.loops and flow.loops[i].over_estimators for i in evaluation.loops)
    if over_models and est is not None and est.sweep_loop in flow.loops and flow.loops[est.sweep_loop].sweeps:
        return [est.sweep_loop]
    return []


def _tunes(flow: DataflowResult, evaluation: Eval) -> bool:
    """The evaluation's scores run over hyper-parameter values a loop sweeps (seeds alone do not count)."""
    sweeping = [flow.loops[i] for i in _sweep_loops(flow, evaluation)]
    if not sweeping:
        return False
    est = evaluation.est
    if est is None or not est.kwargs:
        return True  # re-parameterised through `set_params` or a helper: take the sweep at its word
    targets = {t for loop in sweeping for t in loop.targets}
    tuned = [k for k, v in est.kwargs.items() if names_in(v) & targets]
    return not tuned or any(k not in NOT_TUNING for k in tuned)


def _winner_scored_again(flow: DataflowResult, selection: Selection, split: Split, group: list[Eval]) -> Eval | None:
    """A candidate scored again on the same test rows after the choice: the winner's test score is reported."""
    candidates: set[int] = {id(e.est) for e in group if e.est is not None}
    candidates |= {id(inner) for e in group if e.est is not None for inner in _wrapped(e.est)}
    for evaluation in flow.evals.values():
        if evaluation.id in {e.id for e in group} or evaluation.est is None:
            continue
        if id(evaluation.est) not in candidates or test_part(flow, evaluation.tags) is not split:
            continue
        if ran_before(selection.site, evaluation.site):
            return evaluation
    return None


def _wrapped(est: Est) -> list[Est]:
    return [est.inner] if est.inner is not None else []


def _report_ranking(
    b: LeakBuilder, selection: Selection, split: Split, group: list[Eval], sweep: bool, winner: Eval | None
) -> None:
    first = group[0]
    site = selection.site
    what = "hyperparameter values" if sweep else ("candidates" if first.loops else "models")
    consequence = (
        f"the chosen one is then scored again on the same test rows in cell {winner.site.cell}, so its test "
        "score is optimistic"
        if winner is not None
        else "the chosen one's test score is no longer an unbiased estimate"
    )
    message = (
        f"Scores on the test set of the split in cell {split.site.cell} (computed in cell "
        f"{first.site.cell}) are compared in cell {site.cell} to choose between {what}; {consequence}"
    )
    data_facts: dict[str, Any] = {
        "split_cell": split.site.cell,
        "eval_cells": sorted({e.site.cell for e in group}),
        "selection_cell": site.cell,
        "how": selection.how,
        "sweep": sweep,
        "winner_reported_cell": winner.site.cell if winner is not None else None,
    }
    evidence = [
        b.evidence(first.site, note="scored on the test set"),
        b.evidence(site, note=f"selection ({selection.how})"),
        b.evidence(split.site, note="the test set"),
    ]
    if winner is not None:
        evidence.append(b.evidence(winner.site, note="the chosen model scored on the same test rows"))
    confidence = Confidence.medium
    traced = False
    proof = models_on_test_rows(b, split, {first.site.executed_cell})
    if proof is not None:
        side, versions = proof
        message = (
            f"{versions} fitted models were scored on the same {side.n:,} test rows of the split in cell "
            f"{side.cell}, and the scores are compared in cell {site.cell} to choose between {what}"
            + (f"; the chosen one is scored again on them in cell {winner.site.cell}" if winner is not None else "")
        )
        data_facts.update(models_scored_on_test=versions, test_rows=side.n, traced=True)
        evidence.append(
            b.trace_evidence(
                first.site.executed_cell,
                first.site.executed_line,
                f"traced: {versions} models scored on the same test rows",
            )
        )
        confidence, traced = Confidence.high, True
    b.add(
        LeakKind.selection,
        ("select", split.id, site.cell),
        Finding(
            message=message,
            severity=Severity.high if sweep or winner is not None else Severity.medium,
            confidence=confidence,
            evidence=evidence,
            data=data_facts,
        ),
        traced=traced,
    )


def models_on_test_rows(b: LeakBuilder, split: Split, cells: set[int] | None = None) -> tuple[TestSide, int] | None:
    """From the trace: the split's test side and how many fitted models (2 or more) were scored on it.

    With `cells`, only scores computed in those cells count (the models one comparison is about).
    """
    if b.facts is None:
        return None
    for side in b.facts.splits_at(split.site.executed_cell):
        versions = {
            (inst, gen) for event, inst, gen in b.facts.evaluated_on(side) if cells is None or event.cell in cells
        }
        if len(versions) >= 2:
            return side, len(versions)
    return None


# --------------------------------------------------------------------------- sweeps shown, not picked in code


def _sweeps_compared_by_eye(b: LeakBuilder, reported: set[int]) -> None:
    """A hyper-parameter sweep scored on the test set and printed or plotted: the reader picks the value."""
    flow = b.flow
    groups: dict[tuple[int, int], list[Eval]] = {}
    for evaluation in flow.evals.values():
        if evaluation.id in reported or not _tunes(flow, evaluation):
            continue
        split = test_part(flow, evaluation.tags)
        if split is None:
            continue
        outer = min(_sweep_loops(flow, evaluation))
        groups.setdefault((split.id, outer), []).append(evaluation)
    for (split_id, loop_id), group in groups.items():
        split, loop = flow.splits[split_id], flow.loops[loop_id]
        first = group[0]
        message = (
            f"The loop in cell {loop.site.cell} sweeps {', '.join(loop.targets)} and scores every value on the "
            f"test set of the split in cell {split.site.cell}: whichever value is then kept was chosen on the "
            "test set, so its test score is optimistic"
        )
        data_facts: dict[str, Any] = {
            "split_cell": split.site.cell,
            "loop_cell": loop.site.cell,
            "eval_cells": sorted({e.site.cell for e in group}),
            "how": "sweep",
            "sweep": True,
        }
        evidence = [
            b.evidence(loop.site, note="hyper-parameter sweep"),
            b.evidence(first.site, note="each value scored on the test set"),
            b.evidence(split.site, note="the test set"),
        ]
        confidence, traced = Confidence.medium, False
        proof = models_on_test_rows(b, split, {first.site.executed_cell})
        if proof is not None:
            side, versions = proof
            message = (
                f"The loop in cell {loop.site.cell} sweeps {', '.join(loop.targets)}: {versions} fitted models "
                f"were scored on the same {side.n:,} test rows of the split in cell {side.cell}, so the value "
                "kept was chosen on the test set"
            )
            data_facts.update(models_scored_on_test=versions, test_rows=side.n, traced=True)
            evidence.append(
                b.trace_evidence(
                    first.site.executed_cell, first.site.executed_line, f"traced: {versions} models on the test rows"
                )
            )
            confidence, traced = Confidence.high, True
        b.add(
            LeakKind.selection,
            ("sweep", split.id, loop.id),
            Finding(
                message=message, severity=Severity.medium, confidence=confidence, evidence=evidence, data=data_facts
            ),
            traced=traced,
        )


def _validated_elsewhere(flow: DataflowResult) -> bool:
    """The notebook has cross-validation or a validation split: choices may have been made there."""
    return bool(flow.cv_runs) or any(split.role("test") is Role.validation for split in flow.splits.values())


#: Variants of one model class, each written out and scored on the test set, that make a sweep by hand.
HAND_SWEEP_MIN = 3


def _sweeps_by_hand(b: LeakBuilder, reported: set[int]) -> None:
    """One model class written out with three or more hyper-parameter settings, each scored only on the test set.

    The loop-free twin of a sweep: `SVC(kernel="linear")`, `SVC(kernel="rbf")`, `SVC(C=10)` in
    cells of their own, each printing its test accuracy, with no cross-validation and no
    validation split anywhere. Whichever setting the candidate then keeps was chosen on the test set.
    """
    flow = b.flow
    if _validated_elsewhere(flow):
        return  # choices may have been made on folds or a validation split
    groups: dict[tuple[int, str], dict[int, Eval]] = {}
    for evaluation in flow.evals.values():
        est = evaluation.est
        if evaluation.id in reported or evaluation.loops or est is None or est.kind is not EstKind.model:
            continue
        split = test_part(flow, evaluation.tags)
        if split is not None:
            groups.setdefault((split.id, est.cls), {}).setdefault(est.id, evaluation)
    for (split_id, cls), by_est in groups.items():
        settings = {_setting(e.est) for e in by_est.values() if e.est is not None}
        if len(by_est) < HAND_SWEEP_MIN or len(settings) < HAND_SWEEP_MIN:
            continue
        split = flow.splits[split_id]
        evals = sorted(by_est.values(), key=lambda e: (e.site.executed_cell, e.site.executed_line))
        cells = sorted({e.site.executed_cell for e in evals})
        shown = ", ".join(str(c) for c in cells[:6]) + (" ..." if len(cells) > 6 else "")
        message = (
            f"{len(by_est)} {cls} models with different hyper-parameters (cells {shown}) are each scored on the test "
            f"set of the split in cell {split.site.cell}, with no cross-validation or validation split: the setting "
            "kept is chosen on the test set, so its test score is optimistic"
        )
        evidence = [b.evidence(e.site, note="one setting scored on the test set") for e in evals[:3]]
        evidence.append(b.evidence(split.site, note="the test set"))
        data_facts: dict[str, Any] = {
            "split_cell": split.site.cell,
            "eval_cells": cells,
            "estimator": cls,
            "settings": len(settings),
            "how": "sweep_by_hand",
            "sweep": True,
        }
        b.add(
            LeakKind.selection,
            ("hand_sweep", split.id, cls),
            Finding(
                message=message,
                severity=Severity.medium,
                confidence=Confidence.medium,
                evidence=evidence,
                data=data_facts,
            ),
        )


#: The notebook says it tuned hyper-parameters ("Model Parameter Tuning", "GBR with some limited tuning").
_TUNING = re.compile(
    r"\b(?:hyper-?\s?parameters? (?:tuning|tuned|optimi[sz]\w*|search)|(?:parameter|model) tuning|fine[- ]?tun\w*|"
    r"tun(?:ed|ing) (?:the )?(?:hyper-?\s?)?parameters|with (?:some |limited |a little )*tuning|after tuning|"
    r"(?:model|models|parameters) (?:were |was |are )?tuned)\b",
    re.IGNORECASE,
)
#: ... but not as a plan, a negation or a search's own output.
_NOT_TUNING_CLAIM = re.compile(
    r"\b(?:future|could|should|would|might|next steps?|not|no|without|untuned|default|grid ?search\w*|"
    r"randomi[sz]ed ?search\w*|cross[- ]?validat\w*|cv|optuna|bayes\w*)\b",
    re.IGNORECASE,
)


def _tuned_without_validation(b: LeakBuilder, reported: set[int]) -> None:
    """The notebook says it tuned hyper-parameters, but has no cross-validation and no validation split.

    The only feedback such tuning can have had is the test score (`boston-03`: "Improved model
    (GBR with tuning)", one train/test split, the tuned model scored on it). Found when a model
    with hyper-parameters set by hand is scored on the test set.
    """
    flow = b.flow
    if _validated_elsewhere(flow):
        return
    if any(leak.kind is LeakKind.selection for leak in b.out):
        return  # the choice on the test set is already shown, more precisely
    claim = _tuning_claim(b)
    if claim is None:
        return
    tuned = [
        e
        for e in flow.evals.values()
        if e.id not in reported
        and e.est is not None
        and e.est.kind is EstKind.model
        and any(k not in NOT_TUNING for k in e.est.kwargs)
        and test_part(flow, e.tags) is not None
    ]
    if not tuned:
        return
    cell, text = claim
    # The models under a "tuning" heading, else (a conclusion that looks back) every tuned one.
    tuned = [e for e in tuned if e.site.cell > cell] or tuned
    first = min(tuned, key=lambda e: (e.site.executed_cell, e.site.executed_line))
    split = test_part(flow, first.tags)
    assert split is not None
    message = (
        f"The notebook says it tuned hyper-parameters (cell {cell}: \u201c{excerpt(text, 120)}\u201d), but it has no "
        f"cross-validation and no validation split: the settings of {first.est.cls if first.est else 'the model'} "
        f"(scored in cell {first.site.cell}) can only have been judged on the test set of the split in cell "
        f"{split.site.cell}, so its test score is optimistic"
    )
    b.add(
        LeakKind.selection,
        ("tuned_without_validation", split.id),
        Finding(
            message=message,
            severity=Severity.medium,
            confidence=Confidence.medium,
            evidence=[
                b.seen.evidence(
                    cell, None, snippet=excerpt(text, 240), source=EvidenceSource.markdown, note="the tuning"
                ),
                b.evidence(first.site, note="a tuned model scored on the test set"),
                b.evidence(split.site, note="the test set"),
            ],
            data={
                "split_cell": split.site.cell,
                "eval_cells": sorted({e.site.cell for e in tuned}),
                "claim_cell": cell,
                "how": "tuned_without_validation",
            },
        ),
    )


def _tuning_claim(b: LeakBuilder) -> tuple[int, str] | None:
    """The first markdown line (heading or sentence) that says hyper-parameters were tuned."""
    for cell in b.seen.notebook.markdown_cells():
        for line in sentences(cell.source):
            text = line.strip().strip("#*_ ").strip()
            if _TUNING.search(text) and not _NOT_TUNING_CLAIM.search(text):
                return cell.index, text
    return None


def _setting(est: Est) -> str:
    """An estimator's hyper-parameters as written (seeds and job counts left out)."""
    return repr(sorted((k, ast.dump(v)) for k, v in est.kwargs.items() if k not in NOT_TUNING))


# --------------------------------------------------------------------------- CV over rows that include the test rows


def _cross_validation_over_test_rows(b: LeakBuilder) -> None:
    """Models compared or tuned by cross-validation over rows that include the test rows scored later."""
    flow = b.flow
    scored_test = {s.id for e in flow.evals.values() if (s := test_part(flow, e.tags)) is not None}
    for split in flow.evaluation_splits():
        if split.id not in scored_test or split.role("test") is not Role.test:
            continue
        test_tag = ("part", split.id, "test")
        # A search fitted on the test set itself is reported above, as a search on the test set.
        runs = [
            r
            for r in flow.cv_runs.values()
            if flow.covers(r.data.tags, test_tag) and test_part(flow, r.data.tags) is not split
        ]
        searches = [r for r in runs if r.est is not None and r.est.kind is EstKind.search]
        compared = {id(r.est) for r in runs if r.est is not None and r.est.kind is not EstKind.search}
        if not searches and len(compared) < 2:
            continue
        _report_cv_over_test(b, split, runs, bool(searches))


def _report_cv_over_test(b: LeakBuilder, split: Split, runs: list[CVRun], tuned: bool) -> None:
    runs = sorted(runs, key=lambda r: (r.site.executed_cell, r.site.executed_line))
    cells = sorted({r.site.executed_cell for r in runs})
    shown = ", ".join(str(c) for c in cells[:6]) + (" ..." if len(cells) > 6 else "")
    what = "tune hyper-parameters" if tuned else f"compare {len({id(r.est) for r in runs})} models"
    message = (
        f"Cross-validation in cell(s) {shown} is run to {what} on rows that include the test rows of the split "
        f"in cell {split.site.cell}: the test set takes part in the choice, so the chosen model's test score "
        "is optimistic"
    )
    data_facts: dict[str, Any] = {
        "split_cell": split.site.cell,
        "cv_cells": cells,
        "how": "cv_over_test_rows",
        "tuned": tuned,
    }
    evidence = [b.evidence(r.site, note="cross-validated on rows that include the test rows") for r in runs[:3]]
    evidence.append(b.evidence(split.site, note="the test set"))
    confidence = b.confidence(split.uncertain, *(r.data.uncertain for r in runs))
    traced = False
    proof = _prove_cv_covers_test(b, split, cells)
    if proof is not None:
        side, cv_rows, shared, cell = proof
        message = (
            f"Cross-validation in cell {cell} ran on {cv_rows:,} rows, {shared} of which are the {side.n:,} test "
            f"rows of the split in cell {side.cell}, to {what}: the test set takes part in the choice"
        )
        data_facts.update(cv_rows=cv_rows, test_rows=side.n, overlap=shared, traced=True)
        evidence.append(b.trace_evidence(cell, None, f"traced: {shared} of the {side.n:,} test rows in the folds"))
        confidence, traced = Confidence.high, True
    b.add(
        LeakKind.selection,
        ("cv", split.id),
        Finding(message=message, severity=Severity.medium, confidence=confidence, evidence=evidence, data=data_facts),
        traced=traced,
    )


def _prove_cv_covers_test(b: LeakBuilder, split: Split, cells: list[int]) -> tuple[TestSide, int, str, int] | None:
    """From the trace: a cross-validation (or search fit) in these cells whose rows hold the test rows.

    Before or after the split alike: rows are matched by content, and a search over all rows
    that runs before `train_test_split` saw the test rows just as much as one that runs after.
    """
    facts = b.facts
    if facts is None:
        return None
    for side in facts.splits_at(split.site.executed_cell):
        notebook = side.notebook
        for event in notebook.events:
            if event.cell not in cells:
                continue
            if isinstance(event, TraceCV) or (isinstance(event, TraceCall) and event.search and event.is_fit):
                shared = facts.rows_in(notebook, event.x, side)
                if shared and side.n and shared.count >= 0.9 * side.n and event.x is not None:
                    assert event.cell is not None
                    return side, event.x.n_rows or shared.count, shared.text(), event.cell
    return None
