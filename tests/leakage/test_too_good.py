"""LEAK013's holdout rule: far better than the assignment's expected range, both metric directions."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from grader.checks.leakage.too_good_to_be_true import far_better
from grader.models.assignment import ExpectedScore
from grader.submission.assignment import load_assignment

SAMPLES = Path(__file__).resolve().parents[2] / "sample_datasets"


def test_far_better_for_a_score_and_for_an_error() -> None:
    auc = ExpectedScore.model_validate({"metric": "roc_auc", "low": 0.84, "high": 0.89})
    assert not far_better(0.89, auc, 1.0) and not far_better(0.93, auc, 1.0)
    assert far_better(0.95, auc, 1.0) and not far_better(0.95, auc, 2.0)
    mae = ExpectedScore.model_validate({"metric": "mae", "low": 8.3, "high": 9.5})
    assert far_better(5.5, mae, 1.0) and not far_better(7.5, mae, 1.0) and not far_better(12.0, mae, 1.0)


def test_expected_score_must_be_an_ordered_range() -> None:
    with pytest.raises(ValidationError):
        ExpectedScore.model_validate({"metric": "roc_auc", "low": 0.9, "high": 0.8})


# Holdout scores of the sample corpus (tests/goldens/corpus/executed): honest ones vs one leak each.
HONEST = {"churn": [0.858, 0.862, 0.867, 0.876], "fraud": [0.427, 0.563, 0.585], "delivery": [8.53, 8.59, 9.29]}
LEAKED = {"churn": 0.982, "fraud": 0.952, "delivery": 5.47}


@pytest.mark.parametrize("name", sorted(HONEST))
def test_sample_assignments_expect_what_honest_submissions_score(name: str) -> None:
    expected = load_assignment(SAMPLES / name).assignment.expected_score
    assert expected is not None
    assert not any(far_better(score, expected, 1.0) for score in HONEST[name])
    assert far_better(LEAKED[name], expected, 1.0)
