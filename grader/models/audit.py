"""What an assignment audit finds in the data before it goes out, and what validation adds to it.

Pure data: `grader.submission.audit` fills these from the files, the CLI and the
API present them. Every figure a suspect quotes is in its `figures`, so a reviewer
(or a script reading `--json`) can check the reasoning.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from grader.models.assignment import SuspectPart, TaskType


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnKind(StrEnum):
    """What a column holds once messy encodings are read the way a careful candidate would."""

    numeric = "numeric"
    boolean = "boolean"
    date = "date"
    categorical = "categorical"
    text = "text"
    identifier = "identifier"
    empty = "empty"


class AuditLevel(StrEnum):
    """How much a suspect matters before the assignment goes out."""

    #: Would make a candidate's evaluation untrustworthy unless declared (a leak, duplicated test rows).
    strong = "strong"
    #: Worth a decision: declare it, fix the data, or note why it is fine.
    moderate = "moderate"
    #: Context for the reviewer (already declared identifiers, duplicates inside train).
    info = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "moderate": 1, "strong": 2}[self.value]


class SuspectKind(StrEnum):
    near_perfect_predictor = "near_perfect_predictor"
    outcome_name = "outcome_name"
    informative_missingness = "informative_missingness"
    post_event_date = "post_event_date"
    identifier = "identifier"
    free_text = "free_text"
    train_test_duplicates = "train_test_duplicates"
    shared_ids = "shared_ids"
    duplicate_rows = "duplicate_rows"
    time_split = "time_split"
    shared_groups = "shared_groups"
    #: Two columns that add up to (or differ into) a numeric target: the target is computed from them.
    target_components = "target_components"


class Declaration(StrEnum):
    """Where `assignment.yaml` already accounts for a suspect."""

    leakage_column = "leakage_columns"
    suspect_column = "suspect_columns"
    id_column = "id_column"
    time_column = "structure.time_column"
    group_column = "structure.group_column"


Figure = float | int | str | bool | None
Direction = Literal["higher", "lower"]


class GroupRate(_Model):
    """One value of a categorical column: how many rows, and the target's rate (or mean) among them."""

    value: str
    rows: int
    target: float


class Association(_Model):
    """How much one column (or its missingness) alone tells about the target, on the training rows."""

    column: str
    part: SuspectPart
    kind: ColumnKind
    #: `roc_auc` (classification; oriented so 0.5 is none and 1.0 separates perfectly) or `r2` (regression,
    #: cross-fitted, so an identifier scores about 0).
    metric: Literal["roc_auc", "r2"]
    score: float | None
    #: Classification: `higher` when the positive class has higher values (or is more often missing).
    direction: Direction | None = None
    #: Regression only: rank correlation of the values with the target.
    spearman: float | None = None
    #: Rows the figure was computed on.
    rows: int
    missing_share: float
    #: Missingness only: the target's rate (classification) or mean (regression) with and without a value.
    target_when_missing: float | None = None
    target_when_present: float | None = None
    #: Categoricals: the largest groups with their target rate or mean.
    groups: list[GroupRate] = []


class Suspect(_Model):
    """Something in the data a candidate could exploit or be misled by, with the figures behind it."""

    kinds: list[SuspectKind]
    column: str | None = None
    part: SuspectPart | None = None
    level: AuditLevel
    #: Why it is suspect, figures included, one sentence per reason.
    why: str
    figures: dict[str, Figure] = {}
    #: Where `assignment.yaml` already accounts for it (empty: undeclared).
    declared: list[Declaration] = []
    #: The assignment's own explanation when it lists the column in `suspect_columns`.
    declared_why: str | None = None

    @property
    def is_declared(self) -> bool:
        return bool(self.declared)


class ClassBalance(_Model):
    """The target's positive share in the data against the `positive_rate` the assignment declares."""

    positive_label: str
    train_rate: float
    declared_rate: float | None = None
    #: The positive share of the hidden holdout labels, when the audit could read them.
    holdout_rate: float | None = None
    #: Whether the declared rate is within tolerance of the training data's (None: nothing declared).
    matches: bool | None = None


class AuditReport(_Model):
    """Everything `grader assignment audit` found, per column and across files."""

    assignment: str
    task: TaskType
    target: str
    train_file: str
    test_files: list[str] = []
    #: Rows per data file.
    rows: dict[str, int] = {}
    #: Training rows the associations were computed on (a seeded sample beyond the row budget).
    rows_screened: int
    class_balance: ClassBalance | None = None
    associations: list[Association] = []
    suspects: list[Suspect] = []
    notes: list[str] = []
    #: The thresholds the audit ran with.
    thresholds: dict[str, Any] = {}

    def suspects_for(self, column: str, part: SuspectPart | None = None) -> list[Suspect]:
        return [s for s in self.suspects if s.column == column and (part is None or s.part is part)]

    def association(self, column: str, part: SuspectPart = SuspectPart.values) -> Association | None:
        return next((a for a in self.associations if a.column == column and a.part is part), None)

    @property
    def undeclared_strong(self) -> list[Suspect]:
        return [s for s in self.suspects if s.level is AuditLevel.strong and not s.is_declared]


class ProblemLevel(StrEnum):
    error = "error"
    warning = "warning"


class ValidationProblem(_Model):
    level: ProblemLevel
    #: What the problem is about: a key of `assignment.yaml`, a file, or a column.
    where: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.level.value}: {self.where}: {self.message}" if self.where else f"{self.level.value}: {self.message}"
        )


class AssignmentValidation(_Model):
    """`grader assignment validate`: the assignment file, its files and the data audit together."""

    folder: str
    assignment: str | None = None
    problems: list[ValidationProblem] = []
    audit: AuditReport | None = None

    @property
    def errors(self) -> list[ValidationProblem]:
        return [p for p in self.problems if p.level is ProblemLevel.error]

    @property
    def ok(self) -> bool:
        """No error, and no strong suspect the assignment leaves undeclared."""
        return not self.errors and (self.audit is None or not self.audit.undeclared_strong)


__all__ = [
    "AssignmentValidation",
    "Association",
    "AuditLevel",
    "AuditReport",
    "ClassBalance",
    "ColumnKind",
    "Declaration",
    "Direction",
    "GroupRate",
    "ProblemLevel",
    "Suspect",
    "SuspectKind",
    "ValidationProblem",
]
