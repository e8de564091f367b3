"""Screen an assignment's public data against its target before it goes to candidates.

The audit reads the training file and the other public tables the way a careful
candidate would (`tabular`), then reports:

- per column and per missingness indicator, the univariate association with the
  target: ROC AUC for classification (oriented, so 0.5 is none), cross-fitted R² and
  Spearman for regression, the target's rate or mean by group for categoricals
  (`measures`, `columns`);
- suspects, each with why, its figures, and whether `assignment.yaml` declares it:
  near-perfect single predictors, two numeric columns that add up to a regression target,
  outcome-like names, informative missingness, dates after the row's own time or after a
  plausible cut-off, identifiers, free text, the same records in train and test, time
  columns that make a random split optimistic,
  group columns shared across files (`columns`, `across`, merged in `base`);
- the class balance against the declared `positive_rate`.

Every threshold is a field of `AuditThresholds` (`thresholds`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from grader.errors import AssignmentError
from grader.models.assignment import SuspectPart
from grader.models.audit import Association, AuditReport, ClassBalance, ColumnKind
from grader.submission.assignment import LoadedAssignment, load_assignment
from grader.submission.audit.across import FileScreens
from grader.submission.audit.columns import ColumnScreens
from grader.submission.audit.measures import Target, positive_label, target_labels
from grader.submission.audit.tabular import Profile, convert, data_files, profile_column, read_table
from grader.submission.audit.thresholds import AuditThresholds


class Auditor(ColumnScreens, FileScreens):
    """One audit of one assignment: `run` reads the files and applies every screen."""

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
        self._target_components(profiles, target)
        self._dates(tables, others, full_profiles, profiles, target)
        self._duplicates(train_name, train, tables, others, full_profiles)
        self._shared_groups(train, tables, others, full_profiles, identifiers)
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

    def _target(self, profile: Profile) -> tuple[Target, ClassBalance | None]:
        a = self.assignment
        n = len(profile.values)
        folds = np.random.default_rng(self.t.seed).permutation(n) % self.t.folds
        if not a.is_classification:
            if profile.kind not in (ColumnKind.numeric, ColumnKind.boolean):
                raise AssignmentError(f"the regression target `{a.target}` is not numeric ({profile.kind.value})")
            values = profile.values.to_numpy(dtype="float64")
            if np.isnan(values).any():
                raise AssignmentError(f"the regression target `{a.target}` has values that are not numbers")
            return Target([], values, folds), None
        labels = target_labels(profile)
        positive = positive_label(a, labels)
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
        return Target(classes, None, folds), balance

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


def audit_assignment(loaded: LoadedAssignment, *, thresholds: AuditThresholds | None = None) -> AuditReport:
    """Screen a loaded assignment's public data; raises `AssignmentError` when the data cannot be read."""
    return Auditor(loaded, thresholds or AuditThresholds()).run()


def audit_folder(folder: Path, *, thresholds: AuditThresholds | None = None) -> AuditReport:
    """`audit_assignment` for an assignment folder (or its `assignment.yaml`)."""
    return audit_assignment(load_assignment(folder), thresholds=thresholds)
