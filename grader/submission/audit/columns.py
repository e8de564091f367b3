"""Screens of one column at a time: identifiers, free text, associations, informative missingness, outcome-like names."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from grader.models.assignment import SuspectPart
from grader.models.audit import Association, AuditLevel, ColumnKind, Figure, SuspectKind
from grader.submission.audit.base import AuditBase
from grader.submission.audit.measures import (
    MissingFigures,
    Target,
    binary_auc,
    cross_fitted_means,
    group_codes,
    group_rates,
    measure_column,
    missingness_figures,
    oriented,
    rank_correlation,
)
from grader.submission.audit.tabular import Profile, numeric_part
from grader.submission.audit.thresholds import matches


class ColumnScreens(AuditBase):
    """Per-column screens: each adds its suspects to the shared state."""

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
            order = rank_correlation(np.arange(len(number))[number.notna().to_numpy()], number.dropna().to_numpy())
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
        self, profiles: dict[str, Profile], target: Target, identifiers: set[str], free_text: set[str]
    ) -> list[Association]:
        out = []
        t = self.t
        for name, profile in profiles.items():
            kind = ColumnKind.identifier if name in identifiers else profile.kind
            kind = ColumnKind.text if name in free_text else kind
            values = profile.values
            if kind is ColumnKind.identifier:
                values = numeric_part(profile.values) if profile.kind is ColumnKind.categorical else values
            measure = measure_column(kind, values, target, t)
            rows = int(values.notna().sum())
            groups = (
                group_rates(profile.values.where(profile.values.notna()), target, t, measure.best_class)
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
                figures = missingness_figures(name, kind, profile.missing, target, t)
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
                **({f"{part.value}rank_correlation": association.spearman} if association.spearman is not None else {}),
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

    def _target_components(self, profiles: dict[str, Profile], target: Target) -> None:
        """Two numeric columns whose sum or difference is a regression target: the target is made of them.

        Bike-sharing's `casual + registered == cnt`: each column alone correlates only partly
        with the target, so no single-column screen sees it, yet together they give it away.
        """
        if target.values is None:
            return
        y = target.values
        scale = float(np.nanmax(np.abs(y))) or 1.0
        columns: list[tuple[float, str, np.ndarray]] = []
        for name, profile in profiles.items():
            if profile.kind is not ColumnKind.numeric:
                continue
            values = profile.values.to_numpy(dtype="float64")
            usable = ~np.isnan(values)
            if usable.mean() < self.t.components_share or np.nanstd(values) == 0:
                continue
            strength = abs(rank_correlation(values[usable], y[usable]) or 0.0)
            columns.append((strength, name, values))
        columns.sort(key=lambda c: -c[0])
        columns = columns[: self.t.components_max_columns]
        for i, (_, a, va) in enumerate(columns):
            for _, b, vb in columns[i + 1 :]:
                for how, combined in (
                    (f"`{a}` + `{b}`", va + vb),
                    (f"`{a}` - `{b}`", va - vb),
                    (f"`{b}` - `{a}`", vb - va),
                ):
                    share = float(np.mean(np.isclose(combined, y, rtol=1e-6, atol=1e-9 * scale)))
                    if share < self.t.components_share:
                        continue
                    why = (
                        f"{how} equals the target `{self.assignment.target}` on {share:.1%} of {len(y):,} rows: "
                        "the target is computed from these columns, so a model given both is handed the answer"
                    )
                    for column in (a, b):
                        self.suspect(column, SuspectPart.values).add(
                            SuspectKind.target_components, AuditLevel.strong, why, components_share=round(share, 4)
                        )
                    break  # one way of combining a pair is enough

    def _informative_missingness(
        self, figures: MissingFigures, n_missing: int, profiles: dict[str, Profile], target: Target
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
                codes = group_codes(profile.values[keep])
                score = cross_fitted_means(codes, y.astype("float64"), folds[keep], self.t.folds, self.t.smoothing)
            value, _ = oriented(binary_auc(y, score))
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


def _lift(lift: float) -> str:
    if not math.isfinite(lift):
        return "no positives among rows with a value"
    return f"{lift:.1f}× as often" if lift >= 1 else f"{1 / lift:.1f}× less often" if lift > 0 else "never"
