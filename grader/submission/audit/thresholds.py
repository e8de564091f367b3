"""Every cut-off the audit uses (`AuditThresholds`), and the name patterns it matches columns with."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

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
    #: Regression: two numeric columns whose sum or difference equals the target on this share of rows are its components.
    components_share: float = Field(default=0.99, gt=0.5, le=1)
    #: Numeric columns tried in pairs for that (the ones most rank-correlated with the target).
    components_max_columns: int = Field(default=40, ge=2, le=200)
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
