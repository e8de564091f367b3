"""`grader assignment audit`: planted problems are reported with figures, clean data is not accused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from grader import api
from grader.models.assignment import SuspectPart
from grader.models.audit import AuditLevel, AuditReport, ColumnKind, Declaration, Suspect, SuspectKind
from grader.submission.audit import AuditThresholds
from grader.submission.audit.tabular import convert, profile_column
from tests.assignments._build import Plan, build

REPO = Path(__file__).resolve().parent.parent.parent


def only(report: AuditReport, column: str | None, part: SuspectPart | None = None) -> Suspect:
    found = [s for s in report.suspects if s.column == column and (part is None or s.part is part)]
    assert len(found) == 1, [(s.column, s.part, s.kinds) for s in report.suspects]
    return found[0]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> AuditReport:
    folder = build(
        tmp_path_factory.mktemp("planted") / "tiny",
        Plan(post_outcome=True, extra_id=True, duplicates=20, missing_signal=True),
    )
    return api.audit_assignment(folder)


def test_a_planted_post_outcome_column_is_a_strong_undeclared_suspect(planted: AuditReport) -> None:
    missing = only(planted, "closed_reason", SuspectPart.missingness)
    assert missing.kinds == [SuspectKind.near_perfect_predictor] and missing.level is AuditLevel.strong
    assert missing.figures["missingness_roc_auc"] >= 0.9 and "ROC AUC 0.9" in missing.why
    assert not missing.declared
    named = only(planted, "closed_reason", SuspectPart.values)
    assert SuspectKind.outcome_name in named.kinds and named.level is AuditLevel.strong
    assert "recorded after the outcome" in named.why
    assert {(s.column, s.part) for s in planted.undeclared_strong} >= {
        ("closed_reason", SuspectPart.missingness),
        ("closed_reason", SuspectPart.values),
    }


def test_identifiers_are_reported_and_only_the_declared_one_counts_as_declared(planted: AuditReport) -> None:
    extra = only(planted, "account_number")
    assert extra.kinds == [SuspectKind.identifier] and extra.level is AuditLevel.moderate and not extra.declared
    assert extra.figures["unique_share"] == 1.0
    declared = only(planted, "customer_id")
    assert declared.declared == [Declaration.id_column] and declared.level is AuditLevel.info
    assoc = planted.association("account_number")
    assert assoc is not None and assoc.kind is ColumnKind.identifier and assoc.score is not None
    assert assoc.score < 0.6  # cross-fitted / numeric: a unique id does not look predictive


def test_train_test_duplicates_are_counted_with_examples(planted: AuditReport) -> None:
    duplicates = only(planted, None)
    assert duplicates.kinds == [SuspectKind.train_test_duplicates] and duplicates.level is AuditLevel.strong
    assert duplicates.figures["duplicates_in_test_features.csv"] == 20
    assert str(duplicates.figures["examples"]).startswith("D0000")
    assert "20 rows of `test_features.csv` (9.1%)" in duplicates.why


def test_informative_missingness_has_rates_lift_and_no_explanation(planted: AuditReport) -> None:
    gap = only(planted, "app_days", SuspectPart.missingness)
    assert gap.kinds == [SuspectKind.informative_missingness] and gap.level is AuditLevel.moderate
    figures = gap.figures
    assert float(figures["rate_when_missing"]) > 2 * float(figures["rate_when_present"])  # type: ignore[arg-type]
    assert float(figures["z"]) >= 4 and "explained_by" not in figures  # type: ignore[arg-type]
    assert "no other column explains it" in gap.why


def test_messy_encodings_are_read_as_what_they_are(planted: AuditReport) -> None:
    kinds = {a.column: a.kind for a in planted.associations if a.part is SuspectPart.values}
    assert kinds["monthly_fee"] is ColumnKind.numeric  # "$1,234.50" and plain numbers
    assert kinds["autopay"] is ColumnKind.boolean  # Yes / y / TRUE / No / N / false
    assert kinds["signup_date"] is ColumnKind.date  # ISO and US dates as text
    plan = planted.association("plan")
    assert plan is not None and {g.value for g in plan.groups} == {"basic", "standard", "premium"}
    assert sum(g.rows for g in plan.groups) == plan.rows
    assert pd.isna(convert(pd.Series(["(12.50)", "$1,000", "n/a", ""]), ColumnKind.numeric)[2])
    assert convert(pd.Series(["(12.50)", "$1,000"]), ColumnKind.numeric).tolist() == [-12.5, 1000.0]
    profile = profile_column(
        "mixed", pd.Series(["2024-01-31", "02/29/2024", "Mar 3, 2024", "not a date"]), parse_share=0.7
    )
    assert profile.kind is ColumnKind.date and profile.unparsed == 1


def test_a_clean_assignment_reports_none_of_them(tmp_path: Path) -> None:
    report = api.audit_assignment(build(tmp_path / "clean", Plan()))
    assert [(s.column, s.kinds, s.declared) for s in report.suspects] == [
        ("customer_id", [SuspectKind.identifier], [Declaration.id_column])
    ]
    assert report.class_balance is not None and report.class_balance.matches is True
    assert report.rows == {"train.csv": 800, "test_features.csv": 200} and report.rows_screened == 800
    assert all(a.score is None or a.score < 0.7 for a in report.associations)


def test_declared_columns_are_marked_with_the_assignment_s_reason(tmp_path: Path) -> None:
    plan = Plan(
        post_outcome=True,
        missing_signal=True,
        yaml={
            "leakage_columns": ["closed_reason"],
            "suspect_columns": [{"column": "app_days", "part": "missingness", "why": "deleted when leaving"}],
        },
    )
    report = api.audit_assignment(build(tmp_path / "declared", plan))
    assert not report.undeclared_strong
    assert only(report, "closed_reason", SuspectPart.values).declared == [Declaration.leakage_column]
    gap = only(report, "app_days", SuspectPart.missingness)
    assert gap.declared == [Declaration.suspect_column] and gap.declared_why == "deleted when leaving"


def test_thresholds_are_parameters(tmp_path: Path) -> None:
    folder = build(tmp_path / "t", Plan(post_outcome=True))
    strict = api.audit_assignment(folder, thresholds=AuditThresholds(near_perfect_auc=0.99))
    kinds = {k for s in strict.suspects for k in s.kinds}
    assert SuspectKind.near_perfect_predictor not in kinds and SuspectKind.outcome_name in kinds
    assert strict.thresholds["near_perfect_auc"] == 0.99
    with pytest.raises(ValidationError):
        AuditThresholds.model_validate({"near_perfect": 0.9})


def test_rows_beyond_the_budget_are_sampled(tmp_path: Path) -> None:
    folder = build(tmp_path / "big", Plan(rows=3_000, post_outcome=True))
    report = api.audit_assignment(folder, thresholds=AuditThresholds(max_rows=1_000))
    assert report.rows_screened == 1_000 and "seeded sample of 1,000 of 3,000" in report.notes[0]
    assert only(report, "closed_reason", SuspectPart.missingness).level is AuditLevel.strong


def test_a_regression_assignment_with_post_event_dates_time_order_and_new_groups(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 600
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 200 * 24 * 60, n)), unit="min")
    minutes = np.round(rng.gamma(4, 8, n), 1)
    stores = np.where(np.arange(n) < 480, rng.integers(0, 40, n), rng.integers(40, 60, n))
    frame = pd.DataFrame(
        {
            "order_id": [f"O{i:05d}" for i in range(n)],
            "ordered_at": start.strftime("%Y-%m-%d %H:%M:%S"),
            "store_id": [f"S{s:03d}" for s in stores],
            "distance_km": np.round(minutes / 6 + rng.normal(0, 2, n), 2),
            "handed_over_at": (start + pd.to_timedelta(minutes, unit="min")).strftime("%Y-%m-%d %H:%M:%S"),
            "minutes": minutes,
        }
    )
    frame.iloc[:480].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[480:].drop(columns=["minutes"]).to_csv(tmp_path / "test.csv", index=False)
    config = {
        "name": "orders",
        "title": "Orders",
        "task": "regression",
        "target": "minutes",
        "id_column": "order_id",
        "primary_metric": "mae",
        "public_files": ["train.csv", "test.csv"],
        "prediction_contract": {"id_column": "order_id", "prediction_column": "minutes"},
        "structure": {"time_ordered": True, "time_column": "ordered_at"},
    }
    (tmp_path / "assignment.yaml").write_text(yaml.safe_dump(config))
    report = api.audit_assignment(tmp_path)
    post = only(report, "handed_over_at")
    assert post.kinds == [SuspectKind.post_event_date] and post.level is AuditLevel.strong
    assert post.figures["after_time_share"] == 1.0 and post.figures["lag_spearman"] == 1.0
    assert float(post.figures["lag_score"]) > 0.5  # type: ignore[arg-type]
    timing = only(report, "ordered_at")
    assert timing.kinds == [SuspectKind.time_split] and timing.declared == [Declaration.time_column]
    stores_found = only(report, "store_id")
    assert stores_found.kinds == [SuspectKind.shared_groups] and stores_found.level is AuditLevel.moderate
    assert stores_found.figures["share_seen_in_test.csv"] == 0.0 and "GroupKFold" in stores_found.why
    distance = report.association("distance_km")
    assert (
        distance is not None and distance.metric == "r2" and distance.spearman is not None and distance.spearman > 0.5
    )


def test_the_churn_sample_lists_its_declared_leak_and_suspect_with_figures() -> None:
    report = api.audit_assignment(REPO / "sample_datasets" / "churn")
    reason = only(report, "cancellation_reason", SuspectPart.missingness)
    assert reason.declared == [Declaration.leakage_column] and reason.level is AuditLevel.strong
    assert 0.93 <= float(reason.figures["missingness_roc_auc"]) <= 0.97  # type: ignore[arg-type]
    login = only(report, "last_login_days", SuspectPart.missingness)
    assert login.declared == [Declaration.suspect_column] and login.kinds == [SuspectKind.informative_missingness]
    assert login.figures["rate_when_missing"] == pytest.approx(0.537, abs=0.01)
    assert login.figures["rate_when_present"] == pytest.approx(0.163, abs=0.01)
    assert login.figures["missingness_roc_auc"] == pytest.approx(0.60, abs=0.01)
    assert report.class_balance is not None and report.class_balance.matches is True
    assert not report.undeclared_strong


def test_free_text_and_dates_after_a_plausible_cut_off(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    n = 500
    words = ["called", "about", "billing", "router", "slow", "upgrade", "asked", "refund", "happy", "moving"]
    signup = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 4 * 365, n), unit="D")
    visit = pd.Timestamp("2024-02-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    frame = pd.DataFrame(
        {
            "account": [f"A{i:05d}" for i in range(n)],
            "signup_date": signup.strftime("%Y-%m-%d"),
            "agent_note": [" ".join(rng.choice(words, 6)) for _ in range(n)],
            "site_visit": [d.strftime("%d %b %Y") if rng.random() < 0.7 else "" for d in visit],
            "spend": rng.gamma(2, 50, n).round(2),
            "left": (rng.random(n) < 0.3).astype(int),
        }
    )
    frame.to_csv(tmp_path / "train.csv", index=False)
    config = {
        "name": "notes",
        "title": "Notes",
        "task": "binary_classification",
        "target": "left",
        "id_column": "account",
        "primary_metric": "roc_auc",
        "public_files": ["train.csv"],
        "prediction_contract": {"id_column": "account", "prediction_column": "left"},
    }
    (tmp_path / "assignment.yaml").write_text(yaml.safe_dump(config))
    report = api.audit_assignment(tmp_path)
    note = only(report, "agent_note")
    assert note.kinds == [SuspectKind.free_text] and float(note.figures["mean_words"]) == 6.0  # type: ignore[arg-type]
    text = report.association("agent_note")
    assert text is not None and text.kind is ColumnKind.text
    visit_suspect = only(report, "site_visit")
    assert visit_suspect.kinds == [SuspectKind.post_event_date] and visit_suspect.level is AuditLevel.moderate
    assert (
        visit_suspect.figures["after_cutoff_share"] == 1.0 and visit_suspect.figures["cutoff_column"] == "signup_date"
    )
    assert report.association("site_visit", SuspectPart.values).kind is ColumnKind.date  # type: ignore[union-attr]


def _rentals(folder: Path, *, components: bool) -> AuditReport:
    """Daily bike rentals whose total is (or is not) the sum of two published columns."""
    rng = np.random.default_rng(7)
    n = 400
    temp = rng.uniform(0, 30, n)
    casual = np.round(rng.poisson(20 + 10 * temp)).astype(int)
    registered = np.round(rng.poisson(300 + 40 * temp)).astype(int)
    total = casual + registered if components else casual + registered + rng.integers(1, 50, n)
    frame = pd.DataFrame(
        {"day": range(n), "temp": np.round(temp, 2), "casual": casual, "registered": registered, "cnt": total}
    )
    frame.to_csv(folder / "train.csv", index=False)
    config = {
        "name": "rentals",
        "title": "Rentals",
        "task": "regression",
        "target": "cnt",
        "id_column": "day",
        "primary_metric": "rmse",
        "public_files": ["train.csv"],
        "prediction_contract": {"id_column": "day", "prediction_column": "cnt"},
    }
    (folder / "assignment.yaml").write_text(yaml.safe_dump(config))
    return api.audit_assignment(folder)


def test_two_columns_that_add_up_to_the_target_are_strong_suspects_and_near_misses_are_not(tmp_path: Path) -> None:
    (tmp_path / "sum").mkdir()
    report = _rentals(tmp_path / "sum", components=True)
    for column in ("casual", "registered"):
        suspect = only(report, column, SuspectPart.values)
        assert SuspectKind.target_components in suspect.kinds and suspect.level is AuditLevel.strong
        assert "equals the target `cnt` on 100.0%" in suspect.why and not suspect.declared
    assert not any(SuspectKind.target_components in s.kinds for s in report.suspects if s.column == "temp")
    (tmp_path / "noise").mkdir()
    noisy = _rentals(tmp_path / "noise", components=False)
    assert not any(SuspectKind.target_components in s.kinds for s in noisy.suspects)
