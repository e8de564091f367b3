"""The calibration benchmark's comparison of reports with rater labels, on constructed data."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bench.calibration.agreement import compare, graded_from_report, kappa, kinds_of, spearman
from bench.calibration.labels import parse_labels

CRITERIA = ("eda", "features", "modeling", "evaluation", "quality_docs", "execution")
MAXIMA = {"eda": 14, "features": 12, "modeling": 13, "evaluation": 35, "quality_docs": 14, "execution": 12}


def _report(percent: float, band: str, *, checks: list[dict[str, Any]] = (), flags: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    share = percent / 100
    return {
        "total": {"percent": percent, "band": band},
        "criteria": [{"id": c, "score": MAXIMA[c] * share, "points_possible": MAXIMA[c]} for c in CRITERIA],
        "checks": list(checks),
        "flags": [{"kind": k} for k in flags],
    }


def _label(notebook_id: str, share: float, band: str, flags: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    criteria = {c: round(MAXIMA[c] * share * 2) / 2 for c in CRITERIA}
    return {
        "id": notebook_id,
        "criteria": criteria,
        "total": sum(criteria.values()),
        "band": band,
        "flags": list(flags),
        "rationale": "constructed",
    }


def _leak(severity: str, slug: str = "preprocessing-fit-before-split", check_id: str = "LEAK001") -> dict[str, Any]:
    return {
        "id": check_id,
        "slug": slug,
        "category": "leakage",
        "status": "failed",
        "findings": [{"severity": severity, "message": "scaler fitted on all rows"}],
    }


def _timeout() -> dict[str, Any]:
    return {
        "id": "EXE002",
        "slug": "runtime-within-budget",
        "category": "execution",
        "status": "failed",
        "findings": [{"severity": "high", "message": "cell 3 timed out"}],
    }


def test_spearman_and_kappa_on_known_values() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    assert kappa(["weak", "average", "strong"], ["weak", "average", "strong"]) == pytest.approx(1.0)
    # One band apart on one of three: quadratic weights penalise it lightly.
    assert 0 < kappa(["weak", "average", "strong"], ["weak", "strong", "strong"]) < 1


def test_kinds_need_a_failed_check_with_a_medium_or_worse_problem() -> None:
    assert kinds_of(_leak("high")) == {"leakage"}
    assert kinds_of(_leak("low")) == set()
    assert kinds_of({**_leak("high"), "status": "passed"}) == set()
    selection = _leak("medium", slug="test-set-used-for-selection", check_id="LEAK006")
    assert kinds_of(selection) == {"test_set_selection"}
    overlap = _leak("high", slug="test-rows-in-training", check_id="LEAK005")
    assert kinds_of(overlap) == {"leakage", "evaluation_on_training"}  # scored on rows it was trained on


def test_results_typed_in_by_hand_stand_for_an_unsupported_claim() -> None:
    typed = {**_leak("medium", slug="results-computed-not-typed", check_id="EVAL012"), "category": "evaluation"}
    assert kinds_of(typed) == {"claim_unsupported"}
    assert kinds_of({**typed, "status": "passed"}) == set()


def test_only_hidden_state_in_the_saved_notebook_stands_for_unverified_results() -> None:
    def order(severity: str) -> dict[str, Any]:
        return {**_leak(severity, slug="executed-in-order", check_id="EXE003"), "category": "execution"}

    assert kinds_of(order("high")) == {"unverified"}  # a saved output read from a name nothing binds
    assert kinds_of(order("medium")) == set()  # cells out of order alone


def test_a_saved_failure_in_the_submitted_notebook_stands_for_did_not_run() -> None:
    def saved(severity: str) -> dict[str, Any]:
        return {**_leak(severity, slug="submitted-run-complete", check_id="EXE011"), "category": "execution"}

    assert kinds_of(saved("high")) == {"unverified", "did_not_run"}  # a saved traceback before the results
    assert kinds_of(saved("medium")) == set()  # a saved error after the results, or some scoring cells unrun


def test_compare_reports_rho_recall_and_unconfirmed_highs() -> None:
    reports = {
        "a-01": _report(90, "strong"),
        "a-02": _report(70, "average", checks=[_leak("high")]),
        "a-03": _report(50, "weak", flags=["did_not_run"], checks=[_timeout()]),
        "a-04": _report(80, "average", checks=[_leak("high")]),
    }
    graded = {i: graded_from_report(i, r) for i, r in reports.items()}
    r1 = parse_labels(
        {
            "rater": "r1",
            "notebooks": [
                _label("a-01", 0.9, "strong"),
                _label("a-02", 0.6, "average", ["leakage"]),
                _label("a-03", 0.3, "weak", ["did_not_run"]),
                _label("a-04", 0.8, "strong"),
            ],
        }
    )
    r2 = parse_labels(
        {
            "rater": "r2",
            "notebooks": [
                _label("a-01", 0.95, "strong"),
                _label("a-02", 0.5, "weak", ["leakage", "test_set_selection"]),
                _label("a-03", 0.2, "weak", ["did_not_run"]),
                _label("a-04", 0.75, "average"),
            ],
        }
    )
    lines = compare("tune", graded, [r1, r2])
    text = "\n".join(lines)
    assert "rho=1.00 (tune, n=4)" in lines
    assert "rater_rho=1.00 (r1 vs r2, tune, n=4)" in lines
    # Both raters flagged a-02 leakage and a-03 did_not_run: the grader found both.
    assert "flag_recall=1.00 (2/2, both raters, tune)" in lines
    # r2 alone flagged test-set selection on a-02, which the grader missed.
    assert "flag_recall_either=0.67 (2/3, tune)" in lines
    # a-04's high leak finding is of a kind neither rater flagged.
    assert "false_high=1 (tune, n=4)" in lines
    assert "unconfirmed high: a-04 LEAK001" in text
    assert "band_agreement_r1=0.75" in text
    # A timeout is not a kind the raters flag: listed apart, not counted as a false alarm.
    assert "other_high=1 (tune; kinds the raters' flags do not cover: EXE002 runtime-within-budget x1)" in lines


def test_compare_only_counts_notebooks_every_rater_labelled() -> None:
    graded = {i: graded_from_report(i, _report(p, "average")) for i, p in (("a-01", 80), ("a-02", 60), ("a-03", 40))}
    r1 = parse_labels({"rater": "r1", "notebooks": [_label("a-01", 0.8, "average"), _label("a-02", 0.6, "average")]})
    assert compare("heldout", graded, [r1])[0].endswith("(heldout, n=2)")
