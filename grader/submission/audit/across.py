"""Screens across rows and files: dates after the event or the cut-off, test data in the future, duplicates, groups."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from grader.models.assignment import SuspectPart
from grader.models.audit import AuditLevel, ColumnKind, Figure, SuspectKind
from grader.submission.audit.base import AuditBase
from grader.submission.audit.measures import Target, measure_column
from grader.submission.audit.tabular import Profile, convert, normalise_labels, row_keys
from grader.submission.audit.thresholds import matches


class FileScreens(AuditBase):
    """Screens of dates and time, and of what train shares with the other files."""

    def _dates(
        self,
        tables: dict[str, pd.DataFrame],
        others: list[str],
        profiles: dict[str, Profile],
        screened: dict[str, Profile],
        target: Target,
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
                    measure = measure_column(ColumnKind.numeric, gap, target, t)
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
            for other, values in in_other_files(tables, others, name, ColumnKind.date):
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

    def _shared_groups(
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
            for other, values in in_other_files(tables, others, name, profile.kind):
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


def in_other_files(
    tables: dict[str, pd.DataFrame], others: list[str], column: str, kind: ColumnKind
) -> Iterator[tuple[str, pd.Series]]:
    """The column's non-missing values in each other file that has it, read as `kind`."""
    for other in others:
        if column in tables[other].columns:
            values = convert(tables[other][column], kind).dropna()
            if not values.empty:
                yield other, values


def _duration(minutes: float) -> str:
    if abs(minutes) < 120:
        return f"{minutes:.0f} min"
    if abs(minutes) < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"
