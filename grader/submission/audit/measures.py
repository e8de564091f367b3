"""The audit's measures: the screened target, oriented ROC AUC, cross-fitted group means, R², ranks.

Group encodings are cross-fitted (each row's group rate comes from the other folds), so an
identifier or a rare category does not look predictive by memorising itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from grader.errors import AssignmentError
from grader.models.assignment import Assignment, SuspectPart
from grader.models.audit import Association, ColumnKind, Direction, GroupRate
from grader.submission.audit.tabular import Profile, normalise_labels
from grader.submission.audit.thresholds import AuditThresholds


@dataclass(frozen=True)
class Target:
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


def target_labels(profile: Profile) -> pd.Series:
    """The target as text labels (numbers written as `%g`, so `1.0` and `1` are one class)."""
    if profile.is_numeric:
        return profile.values.map(lambda v: f"{v:g}", na_action="ignore")
    return profile.values


def positive_label(assignment: Assignment, labels: pd.Series) -> str:
    """The declared positive label as it appears in the data, else `1` of 0/1, else the rarest class."""
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


def binary_auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """Oriented ROC AUC (0.5 none, 1.0 perfect) and None when it is undefined."""
    if len(y) < 2 or y.all() or not y.any() or np.all(score == score[0]):
        return None
    return float(roc_auc_score(y, score))


def oriented(auc: float | None) -> tuple[float | None, Direction | None]:
    """An AUC turned so 0.5 is none and 1.0 perfect, with the direction of the relation."""
    if auc is None:
        return None, None
    return max(auc, 1 - auc), "higher" if auc >= 0.5 else "lower"


def cross_fitted_means(
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


def r_squared(y: np.ndarray, predicted: np.ndarray) -> float | None:
    """R² of `predicted` against `y`, floored at 0; None when `y` is constant."""
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0 or len(y) < 2:
        return None
    return max(0.0, 1 - float(((y - predicted) ** 2).sum()) / total)


def rank_correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman correlation; None when either side is constant or there are fewer than 3 rows."""
    if len(x) < 3:
        return None
    rx, ry = pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


@dataclass
class Measure:
    score: float | None
    direction: Direction | None = None
    spearman: float | None = None
    best_class: str | None = None


def group_codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column's values (missing is a group of its own)."""
    return np.asarray(pd.factorize(values, use_na_sentinel=False)[0], dtype="int64")


def measure_column(profile_kind: ColumnKind, values: pd.Series, target: Target, t: AuditThresholds) -> Measure:
    """Association of one column's (non-missing) values with the target on the screened rows."""
    keep = values.notna().to_numpy()
    if keep.sum() < 2:
        return Measure(None)
    numeric = profile_kind in (ColumnKind.numeric, ColumnKind.boolean, ColumnKind.date, ColumnKind.identifier)
    folds = target.folds[keep]
    if numeric:
        x = values.to_numpy(dtype="float64")[keep]
    else:
        codes = group_codes(values[keep])
    if target.is_classification:
        best = Measure(None)
        for label, y_all in target.classes:
            y = y_all[keep]
            score = x if numeric else cross_fitted_means(codes, y.astype("float64"), folds, t.folds, t.smoothing)
            value, direction = oriented(binary_auc(y, score))
            if value is not None and (best.score is None or value > best.score):
                best = Measure(value, direction if numeric else None, best_class=label)
        return best
    assert target.values is not None
    y = target.values[keep]
    if numeric:
        bins = pd.qcut(pd.Series(x), q=t.numeric_bins, labels=False, duplicates="drop").to_numpy()
        bins = np.nan_to_num(bins, nan=0).astype("int64")
        predicted = cross_fitted_means(bins, y, folds, t.folds, t.smoothing)
        return Measure(r_squared(y, predicted), spearman=rank_correlation(x, y))
    predicted = cross_fitted_means(codes, y, folds, t.folds, t.smoothing)
    return Measure(r_squared(y, predicted))


def group_rates(labels: pd.Series, target: Target, t: AuditThresholds, best_class: str | None) -> list[GroupRate]:
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
class MissingFigures:
    association: Association
    lift: float | None
    z: float | None
    effect: float | None


def missingness_figures(
    name: str, kind: ColumnKind, missing: pd.Series, target: Target, t: AuditThresholds
) -> MissingFigures:
    """The association of whether `name` is missing with the target, with its lift, z and effect size."""
    flag = missing.to_numpy(dtype=bool)
    n_missing, n = int(flag.sum()), len(flag)
    base: dict[str, Any] = {"column": name, "part": SuspectPart.missingness, "kind": kind, "rows": n}
    base["missing_share"] = round(n_missing / n, 4) if n else 0.0
    if target.is_classification:
        best: tuple[float, Direction, str, np.ndarray] | None = None
        for label, y in target.classes:
            value, direction = oriented(binary_auc(y, flag.astype("float64")))
            if value is not None and (best is None or value > best[0]):
                best = (value, direction or "higher", label, y)
        if best is None:
            return MissingFigures(Association(**base, metric="roc_auc", score=None), None, None, None)
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
        return MissingFigures(association, lift, abs(rate_m - rate_p) / se if se else None, None)
    assert target.values is not None
    y = target.values
    mean_m, mean_p, sd = float(y[flag].mean()), float(y[~flag].mean()), float(y.std())
    predicted = cross_fitted_means(flag.astype("int64"), y, target.folds, t.folds, t.smoothing)
    r2 = r_squared(y, predicted)
    effect = (mean_m - mean_p) / sd if sd else None
    z = abs(mean_m - mean_p) / (sd * math.sqrt(1 / n_missing + 1 / (n - n_missing))) if sd else None
    association = Association(
        **base,
        metric="r2",
        score=None if r2 is None else round(r2, 4),
        target_when_missing=round(mean_m, 4),
        target_when_present=round(mean_p, 4),
    )
    return MissingFigures(association, None, z, effect)
