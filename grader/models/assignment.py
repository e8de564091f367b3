"""The assignment a hiring team sends: task, data files, prediction contract."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    """Base for every model read from a file: unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskType(StrEnum):
    binary_classification = "binary_classification"
    multiclass_classification = "multiclass_classification"
    regression = "regression"


class Metric(StrEnum):
    """Metrics the grader can compute on the hidden holdout."""

    roc_auc = "roc_auc"
    average_precision = "average_precision"
    f1 = "f1"
    accuracy = "accuracy"
    balanced_accuracy = "balanced_accuracy"
    log_loss = "log_loss"
    rmse = "rmse"
    mae = "mae"
    r2 = "r2"
    mape = "mape"

    @property
    def greater_is_better(self) -> bool:
        return self not in {Metric.log_loss, Metric.rmse, Metric.mae, Metric.mape}

    @property
    def needs_probability(self) -> bool:
        return self in {Metric.roc_auc, Metric.average_precision, Metric.log_loss}


class PredictionContract(Strict):
    """What the candidate's notebook must write for the hidden-holdout score."""

    file: str = "predictions.csv"
    id_column: str
    prediction_column: str
    probability_column: str | None = None


class DataStructure(Strict):
    """Structure of the data that makes some splits wrong (time order, groups)."""

    time_column: str | None = None
    time_ordered: bool = False
    group_column: str | None = None
    #: When the group is only a part of `group_column`'s values (the speaker `S01` in a recording
    #: called `phon_R01_S01_1`): a regular expression whose first group (or whole match) is the
    #: group. Rows whose value does not match form no group.
    group_pattern: str | None = None

    @field_validator("group_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _pattern_needs_column(self) -> DataStructure:
        if self.group_pattern is not None and not self.group_column:
            raise ValueError("group_pattern picks the group out of group_column: name the column too")
        return self

    @property
    def group_patterns(self) -> dict[str, str]:
        """The group column and its pattern, for the runtime tracer (empty without a pattern)."""
        return {self.group_column: self.group_pattern} if self.group_column and self.group_pattern else {}


class SuspectPart(StrEnum):
    """Which part of a column carries the partly post-outcome signal."""

    #: The values themselves (e.g. a score updated after the customer complained).
    values = "values"
    #: Only whether the value is missing (e.g. empty once an account was deleted).
    missingness = "missingness"


class SuspectColumn(Strict):
    """A column whose signal is partly recorded after the outcome: softer than a leakage column.

    Candidates may use it, but a strong submission questions or handles it; the grader asks
    the others about it at medium severity.
    """

    column: str = Field(min_length=1)
    part: SuspectPart = SuspectPart.values
    #: Why the column is suspect, in a sentence a reviewer can read aloud.
    why: str = Field(min_length=1)


class Holdout(Strict):
    """The hidden labels for the public test features; never mounted in a sandbox."""

    labels_file: str
    id_column: str
    target_column: str
    #: A candidate's claimed score this far from the holdout score is a finding.
    max_gap: float = 0.05


class ExpectedScore(Strict):
    """The range honest submissions reach on this assignment (from the generator / reference solutions).

    A score far better than `high` (lower than `low` for an error metric) is too good to be true
    without a reason: the grader asks why (LEAK013).
    """

    metric: Metric
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> ExpectedScore:
        if self.low > self.high:
            raise ValueError(f"expected_score: low ({self.low}) is above high ({self.high})")
        return self


class PackagePolicy(StrEnum):
    base_only = "base_only"
    allow_list = "allow_list"
    any = "any"


class RunLimits(Strict):
    """Resource limits for one sandbox run; defaults suit a 4–6 hour take-home."""

    timeout_seconds: int = Field(default=300, ge=5, le=7200)
    cell_timeout_seconds: int = Field(default=120, ge=1, le=7200)
    memory_mb: int = Field(default=2048, ge=128, le=65536)
    cpus: float = Field(default=1.0, gt=0, le=64)
    pids: int = Field(default=256, ge=16, le=65536)
    tmp_mb: int = Field(default=256, ge=16, le=16384)
    output_mb: int = Field(default=256, ge=16, le=16384)
    max_output_bytes_per_cell: int = Field(default=1_000_000, ge=1_000)

    @model_validator(mode="after")
    def _cell_within_run(self) -> RunLimits:
        if self.cell_timeout_seconds > self.timeout_seconds:
            raise ValueError("cell_timeout_seconds must not exceed timeout_seconds")
        return self


def _inside(path: str) -> str:
    if path.startswith(("/", "\\")) or ".." in path.replace("\\", "/").split("/"):
        raise ValueError(f"{path!r} must be a relative path inside the assignment folder")
    return path


class Assignment(Strict):
    """`assignment.yaml`: one take-home project and its data."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    task: TaskType
    target: str
    id_column: str
    primary_metric: Metric
    secondary_metrics: list[Metric] = []
    positive_label: int | str | None = None
    #: Path of the rubric, relative to the assignment folder, or a bare name in `rubrics/`.
    rubric: str = "ml-takehome.yaml"
    public_files: list[str]
    hidden_files: list[str] = []
    prediction_contract: PredictionContract
    holdout: Holdout | None = None
    #: What honest submissions score; far better is "too good to be true" (optional).
    expected_score: ExpectedScore | None = None
    leakage_columns: list[str] = []
    #: Columns whose signal is partly post-outcome: questioned by strong candidates, not forbidden.
    suspect_columns: list[SuspectColumn] = []
    structure: DataStructure = DataStructure()
    #: Expected share of positives in the target, for imbalance-aware checks.
    positive_rate: float | None = Field(default=None, gt=0, lt=1)
    limits: RunLimits = RunLimits()
    packages: PackagePolicy = PackagePolicy.base_only
    allowed_packages: list[str] = []
    #: Main notebook file name when a submission holds several; None means "pick".
    notebook: str | None = None
    #: Runtime profile to run submissions in (`grader image profiles` lists them: `current`, `2024`,
    #: `2022`), said in the brief; `auto` infers one per submission and retries on environment failures.
    runtime: str = Field(default="auto", pattern=r"^[a-z0-9][a-z0-9._-]{0,30}$")
    #: Folder of starter code handed to candidates (notebooks, `.py`), relative to the assignment
    #: folder; optional. Code from it is not evidence of copying between candidates.
    starter: str = "starter"

    @field_validator("public_files", "hidden_files")
    @classmethod
    def _relative_paths(cls, paths: list[str]) -> list[str]:
        for path in paths:
            _inside(path)
        return paths

    @field_validator("starter")
    @classmethod
    def _relative_folder(cls, path: str) -> str:
        return _inside(path)

    @model_validator(mode="after")
    def _hidden_not_public(self) -> Assignment:
        overlap = set(self.public_files) & set(self.hidden_files)
        if overlap:
            raise ValueError(f"files cannot be both public and hidden: {sorted(overlap)}")
        if self.holdout and self.holdout.labels_file in self.public_files:
            raise ValueError("the holdout labels file must not be public")
        return self

    @model_validator(mode="after")
    def _suspects_are_distinct(self) -> Assignment:
        seen: set[tuple[str, SuspectPart]] = set()
        for suspect in self.suspect_columns:
            key = (suspect.column, suspect.part)
            if key in seen:
                raise ValueError(f"suspect column {suspect.column!r} ({suspect.part.value}) is listed twice")
            seen.add(key)
            if suspect.column in self.leakage_columns:
                raise ValueError(
                    f"{suspect.column!r} is a leakage column already; list it in leakage_columns or in "
                    "suspect_columns, not both"
                )
            if suspect.column in (self.target, self.id_column):
                raise ValueError(f"{suspect.column!r} is the target or the id column, not a suspect feature")
        return self

    def suspects_of(self, column: str) -> list[SuspectColumn]:
        """The declared suspects for one column (a column may be suspect in both parts)."""
        return [s for s in self.suspect_columns if s.column == column]

    @property
    def is_classification(self) -> bool:
        return self.task is not TaskType.regression
