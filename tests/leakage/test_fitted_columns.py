"""Which columns a model used is decided from the traced fit when the notebook ran (issue 14):
the target, the id column and declared leakage columns (and columns derived from them, by the
traced lineage), with the code's names only as a low-confidence fallback. Hand-written traces."""

from __future__ import annotations

from typing import Any

from grader.evidence.leakage.base import LeakKind
from grader.models.findings import Confidence, Severity
from tests.conftest import make_notebook, static_context
from tests.leakage.test_runtime_facts import toy, trace_of

HEAD = (
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import train_test_split\ndf = pd.read_csv('data/train.csv')"
)
FIT = "Xtr, Xte, ytr, yte = train_test_split(X, df['y'], random_state=0)\nm = LogisticRegression().fit(Xtr, ytr)"


def fit_event(seq: int, cols: list[str], probe: dict[str, float] | None = None) -> dict[str, Any]:
    return {
        "kind": "call",
        "seq": seq,
        "run": 3,
        "line": 2,
        "method": "fit",
        "cls": "LogisticRegression",
        "module": "sklearn.linear_model._logistic",
        "inst": 1,
        "gen": 1,
        "predictor": True,
        "x": {"shape": [80, len(cols)], "cols": cols},
        "probe": [{"col": c, "score": s} for c, s in (probe or {}).items()],
    }


def context(features: str, *events: dict[str, Any]) -> Any:
    cells = (HEAD, features, FIT)
    return static_context(make_notebook(*cells), assignment=toy(), trace=trace_of(*events, cells=cells))


def test_code_that_seems_to_keep_the_target_is_cleared_by_the_traced_columns() -> None:
    # Read from the code, `y` stays (say a helper dropped it); the fit received a, b only.
    code = "X = df.drop(columns=['id', 'after'])"
    assert context(code).leakage.of(LeakKind.target_derived), "the code alone suggests the target stays"
    assert context(code, fit_event(1, ["a", "b"])).leakage.of(LeakKind.target_derived) == []


def test_the_target_among_the_traced_columns_is_high_and_proven() -> None:
    ctx = context("X = df[['a', 'b']]", fit_event(1, ["a", "b", "y"]))
    [finding] = ctx.leakage.of(LeakKind.target_derived)
    assert finding.severity is Severity.high and finding.confidence is Confidence.high
    assert finding.data["traced"] is True and "traced" in finding.message


def test_a_dummy_of_the_target_is_the_target_only_when_it_alone_predicts_it() -> None:
    kept = context("X = df[['a', 'b']]", fit_event(1, ["a", "y_1"], probe={"y_1": 1.0}))
    assert [f.severity for f in kept.leakage.of(LeakKind.target_derived)] == [Severity.high]
    unrelated = context("X = df[['a', 'b']]", fit_event(1, ["a", "y_bucket_3"]))
    assert unrelated.leakage.of(LeakKind.target_derived) == []


def test_unnamed_fitted_columns_fall_back_to_the_code_at_low_confidence() -> None:
    ctx = context("X = df.drop(columns=['id', 'after'])", {**fit_event(1, []), "x": {"shape": [80, 3]}})
    found = ctx.leakage.of(LeakKind.target_derived)
    assert found and all(f.severity is not Severity.high and f.confidence is Confidence.low for f in found)


def test_a_column_derived_from_a_leakage_column_at_runtime_is_that_column() -> None:
    derive = {"kind": "derive", "seq": 1, "run": 2, "line": 1, "col": "flag", "sources": ["after"]}
    # The code cannot tell where `flag` came from (an opaque helper); the trace recorded it.
    code = "df = add_flags(df)\nX = df[['a', 'flag']]"
    assert context(code, fit_event(2, ["a", "flag"])).leakage.of(LeakKind.leakage_column) == []
    ctx = context(code, derive, fit_event(2, ["a", "flag"]))
    [finding] = ctx.leakage.of(LeakKind.leakage_column)
    assert finding.severity is Severity.high and finding.confidence is Confidence.high
    assert finding.data["traced"] is True and "`flag`, built from `after`" in finding.message


def test_a_leakage_column_the_fit_never_received_is_no_finding() -> None:
    # The code keeps `after` (no drop is visible), but the traced fit shows it was not a feature.
    code = "X = df.drop(columns=['y', 'id'])"
    assert context(code).leakage.of(LeakKind.leakage_column), "the code alone suggests `after` stays"
    assert context(code, fit_event(1, ["a", "b"])).leakage.of(LeakKind.leakage_column) == []


def test_the_id_column_among_the_traced_columns_and_how_severe() -> None:
    plain = context("X = df[['a', 'id']]", fit_event(1, ["a", "id"]))
    assert [f.severity for f in plain.leakage.of(LeakKind.id_column)] == [Severity.medium]
    telling = context("X = df[['a', 'id']]", fit_event(1, ["a", "id"], probe={"id": 0.97}))
    [finding] = telling.leakage.of(LeakKind.id_column)
    assert finding.severity is Severity.high and "0.970" in finding.message
    absent = context("X = df[['a', 'id']]", fit_event(1, ["a"]))
    assert absent.leakage.of(LeakKind.id_column) == []
