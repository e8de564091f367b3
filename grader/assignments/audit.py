"""Screen an assignment's public data against its target before it goes to candidates.

The audit reads the training file and the other public tables the way a careful
candidate would (`grader.assignments.tabular`), then reports:

- per column and per missingness indicator, the univariate association with the
  target: ROC AUC for classification (oriented, so 0.5 is none), cross-fitted R² and
  Spearman for regression, the target's rate or mean by group for categoricals;
- suspects, each with why, its figures, and whether `assignment.yaml` declares it:
  near-perfect single predictors, outcome-like names, informative missingness, dates
  after the row's own time or after a plausible cut-off, identifiers, free text, the
  same records in train and test, time columns that make a random split optimistic,
  group columns shared across files;
- the class balance against the declared `positive_rate`.

Group encodings are cross-fitted (each row's group rate comes from the other folds),
so an identifier or a rare category does not look predictive by memorising itself.
Every threshold is a field of `AuditThresholds`.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sklearn.metrics import roc_auc_score

from grader.assignments.tabular import (
    Profile,
    convert,
    data_files,
    normalise_labels,
    numeric_part,
    profile_column,
    read_table,
    row_keys,
)
from grader.errors import AssignmentError
from grader.loading import LoadedAssignment
from grader.models.assignment import Assignment, SuspectPart
from grader.models.audit import (
    Association,
    AuditLevel,
    AuditReport,
    ClassBalance,
    ColumnKind,
    Declaration,
    Direction,
    Figure,
    GroupRate,
    Suspect,
    SuspectKind,
)

OUTCOME_PATTERNS = (
    "cancel*",
    "*_reason",
    "reason_*",
    "closed_*",
    "*_closed",
    "closure*",
    "churn*",
    "refund*",
    "chargeback*",
    "*dispute*",
    "*_outcome",
    "outcome_*",
    "resolution*",
    "*_resolved",
    "terminat*",
    "delivered_*",
    "returned_*",
    "*_rating",
    "rating",
    "*review*",
    "*feedback*",
    "write_off*",
    "writeoff*",
    "collections*",
)
ID_PATTERNS = ("id", "*_id", "*id", "id_*", "*_key", "*_uuid", "uuid", "*_number", "*_no", "*_code")


class AuditThresholds(BaseModel):
    """Every threshold the audit uses, with the defaults it runs with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Training rows screened for associations; beyond this a seeded sample is used (duplicates use every row).
    max_rows: int = Field(default=200_000, ge=1_000)
    #: Share of a column's non-empty values that must parse as a number, boolean or date for it to be one.
    parse_share: float = Field(default=0.95, gt=0.5, le=1)
    #: A single column (or its missingness) with this oriented ROC AUC alone nearly gives the target away.
    near_perfect_auc: float = Field(default=0.90, gt=0.5, le=1)
    #: The same for regression, as cross-fitted R² (of decile means), or as a rank correlation (monotonic relations).
    near_perfect_r2: float = Field(default=0.80, gt=0, le=1)
    near_perfect_spearman: float = Field(default=0.95, gt=0, le=1)
    #: Column names that sound like something recorded after the outcome (shell patterns, case-insensitive).
    outcome_patterns: tuple[str, ...] = OUTCOME_PATTERNS
    #: An outcome-like name with at least this AUC (or R²) on values or missingness is a strong suspect.
    outcome_signal_auc: float = Field(default=0.60, gt=0.5, le=1)
    outcome_signal_r2: float = Field(default=0.05, ge=0, le=1)
    #: Informative missingness: enough missing rows, a large enough gap, and far from chance.
    missingness_min_rows: int = Field(default=30, ge=1)
    #: Classification: the target's rate when missing is at least this many times (or at most 1/this) the rate when present.
    missingness_min_lift: float = Field(default=2.0, gt=1)
    #: Regression: the target's mean differs by at least this many standard deviations.
    missingness_min_effect: float = Field(default=0.3, gt=0)
    #: The gap is at least this many standard errors (a two-proportion or two-mean z).
    missingness_min_z: float = Field(default=4.0, gt=0)
    #: Informative missingness another column's values tell apart this well (ROC AUC) is probably structural.
    missingness_explained_auc: float = Field(default=0.90, gt=0.5, le=1)
    #: Categorical columns with more values than this are not tried as an explanation (they would memorise rows).
    missingness_explainer_max_groups: int = Field(default=50, ge=2)
    #: Share of distinct values among non-empty rows from which a text or integer column is an identifier.
    identifier_unique_share: float = Field(default=0.95, gt=0.5, le=1)
    identifier_patterns: tuple[str, ...] = ID_PATTERNS
    #: Fewer distinct values than this never make an identifier; more words per value make text, not an id.
    identifier_min_distinct: int = Field(default=20, ge=2)
    identifier_max_words: float = Field(default=2.0, gt=0)
    #: An identifier whose number follows the row order this closely (Spearman) is monotonic.
    monotonic_min_spearman: float = Field(default=0.99, gt=0, le=1)
    #: An identifier's number with this AUC (or R²) carries signal (row order or creation time relate to the target).
    identifier_signal_auc: float = Field(default=0.60, gt=0.5, le=1)
    identifier_signal_r2: float = Field(default=0.05, ge=0, le=1)
    #: Free text: at least this many words per value on average, and this many distinct values.
    free_text_min_words: float = Field(default=3.0, gt=0)
    free_text_min_distinct: int = Field(default=30, ge=2)
    #: Test rows found in train (as a share of the test file) from which duplicates are a strong suspect.
    duplicate_strong_share: float = Field(default=0.01, gt=0, le=1)
    #: With a declared time column: a date column later than the row's own time in this share of rows.
    post_event_share: float = Field(default=0.95, gt=0.5, le=1)
    #: Without one: the plausible cut-off is this quantile of the earliest-ending date column...
    cutoff_quantile: float = Field(default=0.99, gt=0.5, le=1)
    #: ...and a date column with this share of its values after it is suspect.
    after_cutoff_share: float = Field(default=0.5, gt=0, le=1)
    #: A test file lies after train when this share of its rows is later than train's `later_quantile`.
    later_quantile: float = Field(default=0.95, gt=0.5, le=1)
    time_split_later_share: float = Field(default=0.8, gt=0, le=1)
    #: Group columns: id-like names with at least this many distinct values and rows per value.
    group_patterns: tuple[str, ...] = ID_PATTERNS
    group_min_distinct: int = Field(default=10, ge=2)
    group_min_rows_per_value: float = Field(default=2.0, ge=1)
    #: Below this share of test rows with a group seen in train, a random split of train is optimistic.
    group_seen_share: float = Field(default=0.5, gt=0, le=1)
    #: The declared `positive_rate` matches the training data within max(absolute, relative × declared).
    balance_abs_tolerance: float = Field(default=0.01, ge=0, le=1)
    balance_rel_tolerance: float = Field(default=0.15, ge=0, le=1)
    #: Quantile bins of a numeric column for its cross-fitted R² (regression).
    numeric_bins: int = Field(default=10, ge=2, le=100)
    #: Cross-fitting folds and smoothing (pseudo-rows of the overall rate) for group encodings.
    folds: int = Field(default=5, ge=2, le=20)
    smoothing: float = Field(default=20.0, ge=0)
    #: Groups listed per categorical column.
    top_groups: int = Field(default=8, ge=1, le=50)
    #: Multiclass targets: the most frequent classes screened one against the rest.
    max_classes: int = Field(default=10, ge=2, le=100)
    seed: int = 0


def matches(name: str, patterns: Iterable[str]) -> bool:
    """Whether a column name matches one of the shell patterns, ignoring case."""
    lowered = name.casefold()
    return any(fnmatch.fnmatchcase(lowered, pattern.casefold()) for pattern in patterns)


# --------------------------------------------------------------------------- the target


@dataclass(frozen=True)
class _Target:
    """The screened rows' target: one 0/1 vector per class screened, or the values (regression)."""

    classes: list[tuple[str, np.ndarray]]
    values: np.ndarray | None
    folds: np.ndarray

    @property
    def is_classification(self) -> bool:
        return self.values is None

    @property
    def n(self) -> int:
        return len(self.folds)


def _label_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        return f"{float(value):g}"
    return str(normalise_labels(pd.Series([str(value)])).iloc[0])


def _target_labels(profile: Profile) -> pd.Series:
    if profile.is_numeric:
        return profile.values.map(lambda v: f"{v:g}", na_action="ignore")
    return profile.values


def _positive_label(assignment: Assignment, labels: pd.Series) -> str:
    counts = labels.value_counts()
    if assignment.positive_label is not None:
        wanted = _label_text(assignment.positive_label)
        if wanted not in counts.index:
            raise AssignmentError(
                f"positive_label {assignment.positive_label!r} does not occur in `{assignment.target}`; "
                f"its values are {sorted(map(str, counts.index))[:10]}"
            )
        return wanted
    if set(counts.index) == {"0", "1"}:
        return "1"
    return str(counts.idxmin())


# --------------------------------------------------------------------------- measures


def _auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """Oriented ROC AUC (0.5 none, 1.0 perfect) and None when it is undefined."""
    if len(y) < 2 or y.all() or not y.any() or np.all(score == score[0]):
        return None
    return float(roc_auc_score(y, score))


def _oriented(auc: float | None) -> tuple[float | None, Direction | None]:
    if auc is None:
        return None, None
    return max(auc, 1 - auc), "higher" if auc >= 0.5 else "lower"


def _cross_fitted_means(
    codes: np.ndarray, target: np.ndarray, folds: np.ndarray, k: int, smoothing: float
) -> np.ndarray:
    """Each row's group mean of `target` from the other folds, shrunk towards their overall mean."""
    groups = int(codes.max()) + 1 if len(codes) else 0
    total_sum = np.bincount(codes, weights=target, minlength=groups)
    total_count = np.bincount(codes, minlength=groups).astype("float64")
    out = np.empty(len(codes), dtype="float64")
    for fold in range(k):
        inside = folds == fold
        if not inside.any():
            continue
        fold_sum = np.bincount(codes[inside], weights=target[inside], minlength=groups)
        fold_count = np.bincount(codes[inside], minlength=groups)
        rest_sum, rest_count = total_sum - fold_sum, total_count - fold_count
        prior = rest_sum.sum() / max(rest_count.sum(), 1.0)
        encoded = (rest_sum + smoothing * prior) / (rest_count + smoothing)
        out[inside] = encoded[codes[inside]]
    return out


def _r2(y: np.ndarray, predicted: np.ndarray) -> float | None:
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0 or len(y) < 2:
        return None
    return max(0.0, 1 - float(((y - predicted) ** 2).sum()) / total)


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 3:
        return None
    rx, ry = pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


@dataclass
class _Measure:
    score: float | None
    direction: Direction | None = None
    spearman: float | None = None
    best_class: str | None = None


def _codes(values: pd.Series) -> np.ndarray:
    return np.asarray(pd.factorize(values, use_na_sentinel=False)[0], dtype="int64")


def _measure(profile_kind: ColumnKind, values: pd.Series, target: _Target, t: AuditThresholds) -> _Measure:
    """Association of one column's (non-missing) values with the target on the screened rows."""
    keep = values.notna().to_numpy()
    if keep.sum() < 2:
        return _Measure(None)
    numeric = profile_kind in (ColumnKind.numeric, ColumnKind.boolean, ColumnKind.date, ColumnKind.identifier)
    folds = target.folds[keep]
    if numeric:
        x = values.to_numpy(dtype="float64")[keep]
    else:
        codes = _codes(values[keep])
    if target.is_classification:
        best = _Measure(None)
        for label, y_all in target.classes:
            y = y_all[keep]
            score = x if numeric else _cross_fitted_means(codes, y.astype("float64"), folds, t.folds, t.smoothing)
            value, direction = _oriented(_auc(y, score))
            if value is not None and (best.score is None or value > best.score):
                best = _Measure(value, direction if numeric else None, best_class=label)
        return best
    assert target.values is not None
    y = target.values[keep]
    if numeric:
        bins = pd.qcut(pd.Series(x), q=t.numeric_bins, labels=False, duplicates="drop").to_numpy()
        bins = np.nan_to_num(bins, nan=0).astype("int64")
        predicted = _cross_fitted_means(bins, y, folds, t.folds, t.smoothing)
        return _Measure(_r2(y, predicted), spearman=_spearman(x, y))
    predicted = _cross_fitted_means(codes, y, folds, t.folds, t.smoothing)
    return _Measure(_r2(y, predicted))


def _groups(labels: pd.Series, target: _Target, t: AuditThresholds, best_class: str | None) -> list[GroupRate]:
    """The largest groups of a categorical column with the target's rate (best class) or mean."""
    if target.is_classification:
        wanted = best_class or target.classes[0][0]
        y = next(v for label, v in target.classes if label == wanted).astype("float64")
    else:
        assert target.values is not None
        y = target.values
    frame = pd.DataFrame({"g": labels.to_numpy(), "y": y}).dropna(subset=["g"])
    stats = frame.groupby("g", sort=False)["y"].agg(["size", "mean"]).sort_values("size", ascending=False)
    return [
        GroupRate(value=str(value)[:80], rows=int(row["size"]), target=round(float(row["mean"]), 4))
        for value, row in stats.head(t.top_groups).iterrows()
    ]


@dataclass
class _MissingFigures:
    association: Association
    lift: float | None
    z: float | None
    effect: float | None


def _missingness(
    name: str, kind: ColumnKind, missing: pd.Series, target: _Target, t: AuditThresholds
) -> _MissingFigures:
    flag = missing.to_numpy(dtype=bool)
    n_missing, n = int(flag.sum()), len(flag)
    base: dict[str, Any] = {"column": name, "part": SuspectPart.missingness, "kind": kind, "rows": n}
    base["missing_share"] = round(n_missing / n, 4) if n else 0.0
    if target.is_classification:
        best: tuple[float, Direction, str, np.ndarray] | None = None
        for label, y in target.classes:
            value, direction = _oriented(_auc(y, flag.astype("float64")))
            if value is not None and (best is None or value > best[0]):
                best = (value, direction or "higher", label, y)
        if best is None:
            return _MissingFigures(Association(**base, metric="roc_auc", score=None), None, None, None)
        value, direction, _, y = best
        rate_m, rate_p = float(y[flag].mean()), float(y[~flag].mean())
        pooled = float(y.mean())
        se = math.sqrt(pooled * (1 - pooled) * (1 / n_missing + 1 / (n - n_missing)))
        lift = rate_m / rate_p if rate_p > 0 else math.inf
        association = Association(
            **base,
            metric="roc_auc",
            score=round(value, 4),
            direction=direction,
            target_when_missing=round(rate_m, 4),
            target_when_present=round(rate_p, 4),
        )
        return _MissingFigures(association, lift, abs(rate_m - rate_p) / se if se else None, None)
    assert target.values is not None
    y = target.values
    mean_m, mean_p, sd = float(y[flag].mean()), float(y[~flag].mean()), float(y.std())
    predicted = _cross_fitted_means(flag.astype("int64"), y, target.folds, t.folds, t.smoothing)
    r2 = _r2(y, predicted)
    effect = (mean_m - mean_p) / sd if sd else None
    z = abs(mean_m - mean_p) / (sd * math.sqrt(1 / n_missing + 1 / (n - n_missing))) if sd else None
    association = Association(
        **base,
        metric="r2",
        score=None if r2 is None else round(r2, 4),
        target_when_missing=round(mean_m, 4),
        target_when_present=round(mean_p, 4),
    )
    return _MissingFigures(association, None, z, effect)


# --------------------------------------------------------------------------- the audit


@dataclass
class _Found:
    """Suspect reasons gathered per (column, part) before they are merged into one `Suspect`."""

    kinds: list[SuspectKind] = field(default_factory=list)
    level: AuditLevel = AuditLevel.info
    reasons: list[str] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)

    def add(self, kind: SuspectKind, level: AuditLevel, reason: str, **figures: Figure) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)
        if level.rank > self.level.rank:
            self.level = level
        self.reasons.append(reason)
        self.figures.update(figures)


class _Auditor:
    def __init__(self, loaded: LoadedAssignment, thresholds: AuditThresholds) -> None:
        self.loaded = loaded
        self.assignment = loaded.assignment
        self.t = thresholds
        self.found: dict[tuple[str | None, SuspectPart | None], _Found] = {}
        self.notes: list[str] = []

    def suspect(self, column: str | None, part: SuspectPart | None) -> _Found:
        return self.found.setdefault((column, part), _Found())

    # ------------------------------------------------------------------ run

    def run(self) -> AuditReport:
        a = self.assignment
        folder = self.loaded.folder
        files = data_files(folder, a.public_files)
        tables = {name: read_table(folder / name) for name in files}
        train_name = next((name for name in files if a.target in tables[name].columns), None)
        if train_name is None:
            raise AssignmentError(
                f"no public data file has the target column `{a.target}` (read: {', '.join(files) or 'none'})"
            )
        train = tables[train_name]
        others = [name for name in files if name != train_name]
        labelled = train[a.target].notna().to_numpy()
        if not labelled.all():
            self.notes.append(f"{int((~labelled).sum()):,} training rows have no `{a.target}` and are not screened")
        positions = np.flatnonzero(labelled)
        if len(positions) > self.t.max_rows:
            rng = np.random.default_rng(self.t.seed)
            positions = np.sort(rng.choice(positions, size=self.t.max_rows, replace=False))
            self.notes.append(
                f"associations use a seeded sample of {self.t.max_rows:,} of {len(train):,} training rows"
            )
        # Each column is read once, on every row; the associations use the screened rows of it.
        full_profiles = {
            name: profile_column(name, train[name], parse_share=self.t.parse_share)
            for name in train.columns
            if name != a.target
        }
        every_row = len(positions) == len(train)
        profiles = full_profiles if every_row else {name: p.rows(positions) for name, p in full_profiles.items()}
        target_profile = profile_column(a.target, train[a.target], parse_share=self.t.parse_share).rows(positions)
        target, balance = self._target(target_profile)
        identifiers = self._identifiers(train, full_profiles)
        free_text = self._free_text(profiles, identifiers)
        associations = self._associations(profiles, target, identifiers, free_text)
        self._outcome_names(associations)
        self._dates(tables, others, full_profiles, profiles, target)
        self._duplicates(train_name, train, tables, others, full_profiles)
        self._groups(train, tables, others, full_profiles, identifiers)
        self._declared_without_signal(associations)
        if balance is not None:
            balance = self._holdout_balance(balance, target_profile)
        return AuditReport(
            assignment=a.name,
            task=a.task,
            target=a.target,
            train_file=train_name,
            test_files=[name for name in others if a.target not in tables[name].columns],
            rows={name: len(table) for name, table in tables.items()},
            rows_screened=len(positions),
            class_balance=balance,
            associations=associations,
            suspects=self._suspects(),
            notes=self.notes,
            thresholds=self.t.model_dump(mode="json"),
        )

    # ------------------------------------------------------------------ target and balance

    def _target(self, profile: Profile) -> tuple[_Target, ClassBalance | None]:
        a = self.assignment
        n = len(profile.values)
        folds = np.random.default_rng(self.t.seed).permutation(n) % self.t.folds
        if not a.is_classification:
            if profile.kind not in (ColumnKind.numeric, ColumnKind.boolean):
                raise AssignmentError(f"the regression target `{a.target}` is not numeric ({profile.kind.value})")
            values = profile.values.to_numpy(dtype="float64")
            if np.isnan(values).any():
                raise AssignmentError(f"the regression target `{a.target}` has values that are not numbers")
            return _Target([], values, folds), None
        labels = _target_labels(profile)
        positive = _positive_label(a, labels)
        if a.task.value == "binary_classification":
            classes = [(positive, (labels == positive).to_numpy(dtype=bool))]
        else:
            top = labels.value_counts().head(self.t.max_classes).index
            classes = [(str(label), (labels == label).to_numpy(dtype=bool)) for label in top]
        rate = float((labels == positive).mean())
        declared = a.positive_rate
        matches_declared = None
        if declared is not None:
            tolerance = max(self.t.balance_abs_tolerance, self.t.balance_rel_tolerance * declared)
            matches_declared = abs(rate - declared) <= tolerance
        balance = ClassBalance(
            positive_label=positive, train_rate=round(rate, 4), declared_rate=declared, matches=matches_declared
        )
        return _Target(classes, None, folds), balance

    def _holdout_balance(self, balance: ClassBalance, target_profile: Profile) -> ClassBalance:
        holdout = self.assignment.holdout
        path = self.loaded.holdout_labels()
        if holdout is None or path is None or not path.is_file():
            return balance
        try:
            labels_table = read_table(path)
        except AssignmentError as exc:
            self.notes.append(f"hidden labels not read: {exc}")
            return balance
        if holdout.target_column not in labels_table.columns:
            return balance
        raw = labels_table[holdout.target_column]
        values = convert(raw, target_profile.kind)
        labels = values.map(lambda v: f"{v:g}", na_action="ignore") if target_profile.is_numeric else values
        rate = float((labels == balance.positive_label).mean()) if len(labels) else None
        return balance.model_copy(update={"holdout_rate": None if rate is None else round(rate, 4)})

    # ------------------------------------------------------------------ per column

    def _identifiers(self, train: pd.DataFrame, profiles: dict[str, Profile]) -> set[str]:
        found = set()
        for name, profile in profiles.items():
            named = matches(name, self.t.identifier_patterns) or name == self.assignment.id_column
            if (
                profile.distinct_share < self.t.identifier_unique_share
                or profile.distinct < self.t.identifier_min_distinct
            ):
                continue
            text_like = (
                profile.kind is ColumnKind.categorical
                and profile.mean_words < self.t.identifier_max_words
                and (profile.integral or named)
            )
            number_like = profile.kind is ColumnKind.numeric and profile.integral and named
            if not (text_like or number_like):
                continue
            found.add(name)
            number = numeric_part(train[name]) if profile.kind is ColumnKind.categorical else profile.values
            order = _spearman(np.arange(len(number))[number.notna().to_numpy()], number.dropna().to_numpy())
            monotonic = order is not None and order >= self.t.monotonic_min_spearman
            duplicates = int((~profile.missing).sum()) - profile.distinct
            # The declared id column is known to everyone; another identifier is a feature candidates may misuse.
            self.suspect(name, SuspectPart.values).add(
                SuspectKind.identifier,
                AuditLevel.info if name == self.assignment.id_column else AuditLevel.moderate,
                f"`{name}` looks like an identifier: {profile.distinct_share:.1%} of its values are distinct"
                + (f" ({duplicates:,} repeated)" if duplicates > 0 else "")
                + ("; its number increases with the row order (creation order or time)" if monotonic else ""),
                unique_share=round(profile.distinct_share, 4),
                monotonic=monotonic,
                order_spearman=None if order is None else round(order, 4),
            )
        return found

    def _associations(
        self, profiles: dict[str, Profile], target: _Target, identifiers: set[str], free_text: set[str]
    ) -> list[Association]:
        out = []
        t = self.t
        for name, profile in profiles.items():
            kind = ColumnKind.identifier if name in identifiers else profile.kind
            kind = ColumnKind.text if name in free_text else kind
            values = profile.values
            if kind is ColumnKind.identifier:
                values = numeric_part(profile.values) if profile.kind is ColumnKind.categorical else values
            measure = _measure(kind, values, target, t)
            rows = int(values.notna().sum())
            groups = (
                _groups(profile.values.where(profile.values.notna()), target, t, measure.best_class)
                if kind in (ColumnKind.categorical, ColumnKind.text, ColumnKind.boolean)
                else []
            )
            association = Association(
                column=name,
                part=SuspectPart.values,
                kind=kind,
                metric="roc_auc" if target.is_classification else "r2",
                score=None if measure.score is None else round(measure.score, 4),
                direction=measure.direction,
                spearman=None if measure.spearman is None else round(measure.spearman, 4),
                rows=rows,
                missing_share=round(float(profile.missing.mean()), 4),
                groups=groups,
            )
            out.append(association)
            self._signal(association, identifier=kind is ColumnKind.identifier)
            n_missing = int(profile.missing.sum())
            if kind is not ColumnKind.identifier and 0 < n_missing < len(profile.missing):
                figures = _missingness(name, kind, profile.missing, target, t)
                out.append(figures.association)
                self._signal(figures.association)
                if not self._near_perfect(figures.association):
                    self._informative_missingness(figures, n_missing, profiles, target)
        return out

    def _strength(self, association: Association) -> float:
        return association.score or 0.0

    def _near_perfect(self, association: Association) -> bool:
        if association.spearman is not None and abs(association.spearman) >= self.t.near_perfect_spearman:
            return True
        limit = self.t.near_perfect_auc if association.metric == "roc_auc" else self.t.near_perfect_r2
        return association.score is not None and association.score >= limit

    def _signal(self, association: Association, *, identifier: bool = False) -> None:
        column, part = association.column, association.part
        metric = "ROC AUC" if association.metric == "roc_auc" else "cross-fitted R²"
        what = f"`{column}`" if part is SuspectPart.values else f"whether `{column}` is missing"
        if self._near_perfect(association):
            score = "n/a" if association.score is None else f"{association.score:.3f}"
            rank = f", Spearman {association.spearman:+.3f}" if association.spearman is not None else ""
            self.suspect(column, part).add(
                SuspectKind.near_perfect_predictor,
                AuditLevel.strong,
                f"{what} alone nearly gives the target away ({metric} {score}{rank} on {association.rows:,} rows)",
                **{f"{part.value}_{association.metric}": association.score},
                **({f"{part.value}_spearman": association.spearman} if association.spearman is not None else {}),
            )
        elif identifier and association.score is not None:
            limit = self.t.identifier_signal_auc if association.metric == "roc_auc" else self.t.identifier_signal_r2
            if association.score >= limit:
                self.suspect(column, part).add(
                    SuspectKind.identifier,
                    AuditLevel.moderate,
                    f"the number in `{column}` predicts the target ({metric} {association.score:.3f}): the ids "
                    f"encode order or time, so a model can learn from them",
                    **{f"values_{association.metric}": association.score},
                )

    def _informative_missingness(
        self, figures: _MissingFigures, n_missing: int, profiles: dict[str, Profile], target: _Target
    ) -> None:
        association, t = figures.association, self.t
        if n_missing < t.missingness_min_rows or figures.z is None or figures.z < t.missingness_min_z:
            return
        column = association.column
        when_m, when_p = association.target_when_missing, association.target_when_present
        if association.metric == "roc_auc":
            lift = figures.lift
            if lift is None or (1 / t.missingness_min_lift < lift < t.missingness_min_lift):
                return
            reason = (
                f"rows without `{column}` ({association.missing_share:.1%}) have a target rate of {when_m:.1%} "
                f"against {when_p:.1%} with a value ({_lift(lift)}; missingness alone: ROC AUC {association.score:.3f})"
            )
            figures_out: dict[str, Figure] = {
                "missing_share": association.missing_share,
                "rate_when_missing": when_m,
                "rate_when_present": when_p,
                "lift": round(lift, 3) if math.isfinite(lift) else None,
                "missingness_roc_auc": association.score,
                "z": round(figures.z, 1),
            }
        else:
            effect = figures.effect
            if effect is None or abs(effect) < t.missingness_min_effect:
                return
            reason = (
                f"rows without `{column}` ({association.missing_share:.1%}) have a mean target of {when_m:.4g} "
                f"against {when_p:.4g} with a value ({effect:+.2f} standard deviations)"
            )
            figures_out = {
                "missing_share": association.missing_share,
                "mean_when_missing": when_m,
                "mean_when_present": when_p,
                "effect_sd": round(effect, 3),
                "missingness_r2": association.score,
                "z": round(figures.z, 1),
            }
        explained = self._explained_by(column, profiles)
        if explained is not None:
            other, score = explained
            reason += (
                f"; it goes with `{other}` (which tells the missing rows apart with ROC AUC {score:.3f}): check whether "
                "that explains it"
            )
            figures_out.update(explained_by=other, explained_roc_auc=round(score, 4))
        else:
            reason += ": no other column explains it; if the value goes missing after the outcome, the gap is partly the outcome"
        self.suspect(column, SuspectPart.missingness).add(
            SuspectKind.informative_missingness,
            AuditLevel.info if explained is not None else AuditLevel.moderate,
            reason,
            **figures_out,
        )

    def _explained_by(self, column: str, profiles: dict[str, Profile]) -> tuple[str, float] | None:
        """Another column whose values alone tell this column's missing rows apart (structural missingness)."""
        flag = profiles[column].missing.to_numpy(dtype=bool)
        folds = np.random.default_rng(self.t.seed + 1).permutation(len(flag)) % self.t.folds
        best: tuple[str, float] | None = None
        for name, profile in profiles.items():
            if name == column or profile.kind in (ColumnKind.text, ColumnKind.empty):
                continue
            if profile.kind is ColumnKind.categorical and profile.distinct > self.t.missingness_explainer_max_groups:
                continue
            keep = profile.values.notna().to_numpy()
            y = flag[keep]
            if profile.is_numeric:
                score = profile.values.to_numpy(dtype="float64")[keep]
            else:
                codes = _codes(profile.values[keep])
                score = _cross_fitted_means(codes, y.astype("float64"), folds[keep], self.t.folds, self.t.smoothing)
            value, _ = _oriented(_auc(y, score))
            if value is not None and value >= self.t.missingness_explained_auc and (best is None or value > best[1]):
                best = (name, value)
        return best

    def _outcome_names(self, associations: list[Association]) -> None:
        t = self.t
        for association in associations:
            if association.part is not SuspectPart.values or not matches(association.column, t.outcome_patterns):
                continue
            column = association.column
            both = [a for a in associations if a.column == column]
            strongest = max(both, key=self._strength)
            limit = t.outcome_signal_auc if strongest.metric == "roc_auc" else t.outcome_signal_r2
            signal = strongest.score is not None and strongest.score >= limit
            metric = "ROC AUC" if strongest.metric == "roc_auc" else "cross-fitted R²"
            part = "its values relate" if strongest.part is SuspectPart.values else "whether it is missing relates"
            score = "n/a" if strongest.score is None else f"{strongest.score:.3f}"
            self.suspect(column, SuspectPart.values).add(
                SuspectKind.outcome_name,
                AuditLevel.strong if signal else AuditLevel.moderate,
                f"the name `{column}` sounds like something recorded after the outcome, and {part} "
                f"{'' if signal else 'only weakly '}to the target ({metric} {score})",
                outcome_signal=strongest.score,
                outcome_signal_part=strongest.part.value,
            )

    def _free_text(self, profiles: dict[str, Profile], identifiers: set[str]) -> set[str]:
        t = self.t
        found = set()
        for name, profile in profiles.items():
            if name in identifiers or profile.kind is not ColumnKind.categorical:
                continue
            if profile.mean_words >= t.free_text_min_words and profile.distinct >= t.free_text_min_distinct:
                found.add(name)
                self.suspect(name, SuspectPart.values).add(
                    SuspectKind.free_text,
                    AuditLevel.info,
                    f"`{name}` is free text ({profile.mean_words:.1f} words and {profile.distinct:,} distinct values): "
                    "check who writes it and when; notes typed after the outcome describe it",
                    mean_words=round(profile.mean_words, 2),
                    distinct=profile.distinct,
                )
        return found

    # ------------------------------------------------------------------ dates and time

    def _dates(
        self,
        tables: dict[str, pd.DataFrame],
        others: list[str],
        profiles: dict[str, Profile],
        screened: dict[str, Profile],
        target: _Target,
    ) -> None:
        t, a = self.t, self.assignment
        dates = {name: p for name, p in profiles.items() if p.kind is ColumnKind.date}
        time_column = a.structure.time_column
        post_event: set[str] = set()
        if time_column in dates:
            own = dates[time_column].values
            for name, profile in dates.items():
                if name == time_column:
                    continue
                both = profile.values.notna() & own.notna()
                if not both.any():
                    continue
                later = float((profile.values[both] > own[both]).mean())
                if later < t.post_event_share:
                    continue
                post_event.add(name)
                lag = float((profile.values[both] - own[both]).median()) * 24 * 60
                figures: dict[str, Figure] = {"after_time_share": round(later, 4), "median_lag_minutes": round(lag, 1)}
                reason = (
                    f"`{name}` is later than the row's own `{time_column}` in {later:.1%} of rows (median "
                    f"{_duration(lag)} after): it is recorded after the event the target describes"
                )
                if name in screened and time_column in screened:
                    gap = screened[name].values - screened[time_column].values
                    measure = _measure(ColumnKind.numeric, gap, target, t)
                    if measure.score is not None:
                        metric = "ROC AUC" if target.is_classification else "cross-fitted R²"
                        reason += f"; the time between them alone scores {metric} {measure.score:.3f}"
                        figures["lag_score"] = round(measure.score, 4)
                    if measure.spearman is not None:
                        reason += f" (Spearman {measure.spearman:+.3f})"
                        figures["lag_spearman"] = round(measure.spearman, 4)
                self.suspect(name, SuspectPart.values).add(
                    SuspectKind.post_event_date, AuditLevel.strong, reason, **figures
                )
        elif len(dates) >= 2:
            ends = {name: float(p.values.quantile(t.cutoff_quantile)) for name, p in dates.items()}
            cutoff_column = min(ends, key=ends.__getitem__)
            cutoff = ends[cutoff_column]
            for name, profile in dates.items():
                values = profile.values.dropna()
                if name == cutoff_column or values.empty:
                    continue
                after = float((values > cutoff).mean())
                if after >= t.after_cutoff_share:
                    day = (pd.Timestamp("1970-01-01") + pd.Timedelta(days=cutoff)).date().isoformat()
                    self.suspect(name, SuspectPart.values).add(
                        SuspectKind.post_event_date,
                        AuditLevel.moderate,
                        f"{after:.1%} of `{name}` fall after {day}, where `{cutoff_column}` (the earliest-ending date "
                        f"column) ends: a plausible cut-off for what is known at prediction time",
                        after_cutoff_share=round(after, 4),
                        cutoff=day,
                        cutoff_column=cutoff_column,
                    )
        for name, profile in dates.items():
            if name in post_event:
                continue
            train_end = float(profile.values.quantile(t.later_quantile))
            for other, values in _in_other_files(tables, others, name, ColumnKind.date):
                later = float((values > train_end).mean())
                if later >= t.time_split_later_share:
                    self.suspect(name, SuspectPart.values).add(
                        SuspectKind.time_split,
                        AuditLevel.moderate,
                        f"{later:.1%} of `{other}` rows are later than {t.later_quantile:.0%} of the training rows "
                        f"by `{name}`: the test data lies in the future, so a random split of train is optimistic; "
                        "validate on the latest period",
                        later_share=round(later, 4),
                        test_file=other,
                    )

    # ------------------------------------------------------------------ across files

    def _duplicates(
        self,
        train_name: str,
        train: pd.DataFrame,
        tables: dict[str, pd.DataFrame],
        others: list[str],
        profiles: dict[str, Profile],
    ) -> None:
        a, t = self.assignment, self.t
        repeated = int(train.duplicated().sum())
        if repeated:
            self.suspect(None, None).add(
                SuspectKind.duplicate_rows,
                AuditLevel.info,
                f"{repeated:,} rows of `{train_name}` repeat another row exactly: a random split puts copies on both "
                "sides unless candidates deduplicate first",
                duplicate_rows=repeated,
            )
        for other in others:
            table = tables[other]
            columns = [c for c in table.columns if c in train.columns and c not in (a.id_column, a.target)]
            if not columns:
                continue
            train_keys = set(row_keys({c: profiles[c].values for c in columns}).to_numpy().tolist())
            other_keys = row_keys({c: convert(table[c], profiles[c].kind) for c in columns})
            shared = other_keys.isin(train_keys).to_numpy()
            count = int(shared.sum())
            if count:
                share = count / len(table)
                examples = (
                    table.loc[shared, a.id_column].astype(str).head(3).tolist() if a.id_column in table.columns else []
                )
                self.suspect(None, None).add(
                    SuspectKind.train_test_duplicates,
                    AuditLevel.strong if share >= t.duplicate_strong_share else AuditLevel.moderate,
                    f"{count:,} rows of `{other}` ({share:.1%}) repeat a training row on every column but the id: "
                    "their labels are known to the candidate",
                    **{f"duplicates_in_{other}": count, f"duplicate_share_in_{other}": round(share, 4)},
                    **({"examples": ", ".join(examples)} if examples else {}),
                )
            if a.id_column in table.columns and a.id_column in train.columns:
                ids = set(normalise_labels(train[a.id_column]).dropna().to_numpy().tolist())
                same = normalise_labels(table[a.id_column]).isin(ids).to_numpy()
                count = int(same.sum())
                if count:
                    share = count / len(table)
                    self.suspect(a.id_column, SuspectPart.values).add(
                        SuspectKind.shared_ids,
                        AuditLevel.strong if share >= t.duplicate_strong_share else AuditLevel.moderate,
                        f"{count:,} rows of `{other}` ({share:.1%}) have a `{a.id_column}` that is also in "
                        f"`{train_name}`: the same records are on both sides",
                        **{f"shared_ids_in_{other}": count},
                    )

    def _groups(
        self,
        train: pd.DataFrame,
        tables: dict[str, pd.DataFrame],
        others: list[str],
        profiles: dict[str, Profile],
        identifiers: set[str],
    ) -> None:
        a, t = self.assignment, self.t
        for name, profile in profiles.items():
            declared = name == a.structure.group_column
            if (
                name in identifiers
                or name == a.id_column
                or profile.kind not in (ColumnKind.categorical, ColumnKind.numeric)
            ):
                continue
            if not declared and not (profile.integral and matches(name, t.group_patterns)):
                continue
            present = int((~profile.missing).sum())
            per_value = present / profile.distinct if profile.distinct else 0.0
            if not declared and (profile.distinct < t.group_min_distinct or per_value < t.group_min_rows_per_value):
                continue
            seen = set(profile.values.dropna().to_numpy().tolist())
            for other, values in _in_other_files(tables, others, name, profile.kind):
                in_train = float(values.isin(seen).mean())
                new_values = int(values[~values.isin(seen)].nunique())
                if in_train >= t.group_seen_share:
                    advice = (
                        f"{in_train:.1%} of `{other}` rows share a `{name}` with train: per-{name} effects a model "
                        f"memorises carry over; if new {name}s matter in production, validate with groups"
                    )
                else:
                    advice = (
                        f"only {in_train:.1%} of `{other}` rows have a `{name}` seen in train ({new_values:,} new): "
                        f"a random split of train puts the same {name} on both sides and is optimistic; split by "
                        f"`{name}` (GroupKFold)"
                    )
                self.suspect(name, SuspectPart.values).add(
                    SuspectKind.shared_groups,
                    AuditLevel.info if in_train >= t.group_seen_share else AuditLevel.moderate,
                    f"`{name}` groups rows ({profile.distinct:,} values, {per_value:.1f} training rows each); "
                    + advice,
                    groups=profile.distinct,
                    rows_per_group=round(per_value, 2),
                    **{f"share_seen_in_{other}": round(in_train, 4), f"new_groups_in_{other}": new_values},
                )

    def _declared_without_signal(self, associations: list[Association]) -> None:
        a = self.assignment
        declared = [(c, SuspectPart.values) for c in a.leakage_columns] + [
            (s.column, s.part) for s in a.suspect_columns
        ]
        known = {assoc.column for assoc in associations}
        for column, part in declared:
            if column not in known:
                self.notes.append(f"declared column `{column}` is not in the training data")
                continue
            if any(key[0] == column and (part is SuspectPart.values or key[1] is part) for key in self.found):
                continue
            association = next((x for x in associations if x.column == column and x.part is part), None)
            score = "n/a" if association is None or association.score is None else f"{association.score:.3f}"
            self.notes.append(
                f"declared `{column}` ({part.value}) shows no univariate signal the audit flags (score {score}); "
                "keep it declared if the reason is about when it is recorded"
            )

    # ------------------------------------------------------------------ merge

    def _declarations(
        self, column: str | None, part: SuspectPart | None, kinds: list[SuspectKind]
    ) -> tuple[list[Declaration], str | None]:
        a = self.assignment
        declared: list[Declaration] = []
        why = None
        if column is None:
            return declared, why
        if column in a.leakage_columns:
            declared.append(Declaration.leakage_column)
        for suspect in a.suspects_of(column):
            if suspect.part is part or suspect.part is SuspectPart.values:
                declared.append(Declaration.suspect_column)
                why = suspect.why
                break
        structural = set(kinds) - {SuspectKind.shared_ids}
        if column == a.id_column and structural and structural <= {SuspectKind.identifier}:
            declared.append(Declaration.id_column)
        if column == a.structure.time_column and SuspectKind.time_split in kinds and a.structure.time_ordered:
            declared.append(Declaration.time_column)
        if column == a.structure.group_column and SuspectKind.shared_groups in kinds:
            declared.append(Declaration.group_column)
        return declared, why

    def _suspects(self) -> list[Suspect]:
        out = []
        for (column, part), found in self.found.items():
            declared, why = self._declarations(column, part, found.kinds)
            out.append(
                Suspect(
                    kinds=found.kinds,
                    column=column,
                    part=part,
                    level=found.level,
                    why="; ".join(found.reasons),
                    figures=found.figures,
                    declared=declared,
                    declared_why=why,
                )
            )
        out.sort(key=lambda s: (-s.level.rank, s.is_declared))
        return out


def _in_other_files(
    tables: dict[str, pd.DataFrame], others: list[str], column: str, kind: ColumnKind
) -> Iterator[tuple[str, pd.Series]]:
    """The column's non-missing values in each other file that has it, read as `kind`."""
    for other in others:
        if column in tables[other].columns:
            values = convert(tables[other][column], kind).dropna()
            if not values.empty:
                yield other, values


def _lift(lift: float) -> str:
    if not math.isfinite(lift):
        return "no positives among rows with a value"
    return f"{lift:.1f}× as often" if lift >= 1 else f"{1 / lift:.1f}× less often" if lift > 0 else "never"


def _duration(minutes: float) -> str:
    if abs(minutes) < 120:
        return f"{minutes:.0f} min"
    if abs(minutes) < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


def audit_assignment(loaded: LoadedAssignment, *, thresholds: AuditThresholds | None = None) -> AuditReport:
    """Screen a loaded assignment's public data; raises `AssignmentError` when the data cannot be read."""
    return _Auditor(loaded, thresholds or AuditThresholds()).run()


def audit_folder(folder: Path, *, thresholds: AuditThresholds | None = None) -> AuditReport:
    """`audit_assignment` for an assignment folder (or its `assignment.yaml`)."""
    from grader.loading import load_assignment

    return audit_assignment(load_assignment(folder), thresholds=thresholds)
