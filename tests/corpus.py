"""The sample corpus's ground truth: `submissions/<assignment>/<candidate>/expected.yaml`.

The grader never reads these files; tests and benchmarks compare its reports with them.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "submissions"
ASSIGNMENTS = REPO / "sample_datasets"


class Tier(StrEnum):
    strong = "strong"
    average = "average"
    weak = "weak"
    flawed = "flawed"
    broken = "broken"
    no_narrative = "no_narrative"


class Flaw(StrEnum):
    """The planted mistakes, by name; each is found by the check meant for it."""

    scaler_fit_before_split = "scaler-fit-before-split"
    imputer_fit_before_split = "imputer-fit-before-split"
    oversampling_before_split = "oversampling-before-split"
    leakage_column_used = "leakage-column-used"
    #: A declared suspect column (assignment `suspect_columns`) used as a feature without a word about it.
    suspect_column_unquestioned = "suspect-column-unquestioned"
    target_derived_feature = "target-derived-feature"
    tuned_on_test_set = "tuned-on-test-set"
    random_split_time_series = "random-split-time-series"
    group_split_ignored = "group-split-ignored"
    no_random_seed = "no-random-seed"
    accuracy_only_imbalanced = "accuracy-only-imbalanced"
    no_eda = "no-eda"
    no_baseline = "no-baseline"
    no_cross_validation = "no-cross-validation"
    single_model = "single-model"
    copy_pasted_cells = "copy-pasted-cells"
    raises_midway = "raises-midway"
    hardcoded_absolute_path = "hardcoded-absolute-path"
    missing_package = "missing-package"
    executed_out_of_order = "executed-out-of-order"
    no_narrative = "no-narrative"
    #: A result the prose states that the notebook's outputs (or the holdout) contradict.
    claim_unsupported = "claim-unsupported"
    #: A supervised feature selector (SelectKBest, RFE, ...) fitted on all rows before the split.
    selector_fit_before_split = "selector-fit-before-split"
    #: The model is scored only on the rows it was fitted on.
    evaluation_on_training = "evaluation-on-training"


class PlantedFlaw(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Flaw
    #: Global cell index (0-based, markdown cells counted) where the mistake is made.
    cell: int | None = Field(default=None, ge=0)
    note: str = ""


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: Tier
    #: The run status the sandbox should report (`ok`, `errors`, ...).
    expected_run: str = "ok"
    writes_predictions: bool = True
    flaws: list[PlantedFlaw] = []
    #: Cell index of the first failing cell for broken submissions.
    failing_cell: int | None = None
    notes: str = ""


def load_expected(folder: Path) -> Expected:
    return Expected.model_validate(yaml.safe_load((folder / "expected.yaml").read_text()))


def corpus(assignment: str | None = None) -> list[tuple[str, Path, Expected]]:
    """(assignment, submission folder, expectations) for every corpus submission."""
    found = []
    for folder in sorted(SUBMISSIONS.glob("*/*/expected.yaml")):
        name = folder.parent.parent.name
        if assignment is None or name == assignment:
            found.append((name, folder.parent, load_expected(folder.parent)))
    return found
