"""Hidden-holdout scoring: malformed predictions are findings, claims are read from the notebook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grader.checks.registry import default_registry
from grader.checks.runner import run_check
from grader.evidence.holdout import find_claimed_score, score_holdout
from grader.models.assignment import Assignment
from grader.models.findings import CheckStatus
from grader.models.notebook import NotebookView
from grader.models.report import HoldoutResult
from tests.conftest import make_notebook, static_context

REGISTRY = default_registry()


def assignment(metric: str = "roc_auc", task: str = "binary_classification", max_gap: float = 0.05) -> Assignment:
    return Assignment.model_validate(
        {
            "name": "toy",
            "title": "Toy",
            "task": task,
            "target": "y",
            "id_column": "id",
            "primary_metric": metric,
            "secondary_metrics": ["f1"] if task != "regression" else ["rmse"],
            "positive_label": 1,
            "public_files": ["train.csv"],
            "hidden_files": ["hidden/labels.csv"],
            "prediction_contract": {"id_column": "id", "prediction_column": "y", "probability_column": "p"}
            if task != "regression"
            else {"id_column": "id", "prediction_column": "y"},
            "holdout": {
                "labels_file": "hidden/labels.csv",
                "id_column": "id",
                "target_column": "y",
                "max_gap": max_gap,
            },
        }
    )


@pytest.fixture
def labels() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"id": [f"C{i:04d}" for i in range(400)], "y": rng.integers(0, 2, 400)})


def predictions(labels: pd.DataFrame, noise: float = 0.7, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = np.clip(labels["y"] * (1 - noise) + rng.random(len(labels)) * noise, 0, 1)
    return pd.DataFrame({"id": labels["id"], "y": (p >= 0.5).astype(int), "p": p})


def csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def test_scores_with_the_primary_metric_secondary_metrics_and_a_baseline(labels: pd.DataFrame) -> None:
    result = score_holdout(assignment(), csv(labels), csv(predictions(labels)))
    assert result.status == "scored" and result.rows_matched == 400 and result.rows_expected == 400
    assert 0.7 < (result.score or 0) < 1.0 and result.extra["baseline"] == 0.5 and "f1" in result.extra


def test_malformed_predictions_are_counted_not_raised(labels: pd.DataFrame) -> None:
    frame = predictions(labels).iloc[:300].copy()
    frame.loc[5, "p"] = np.nan
    frame.loc[6, "p"] = 1.7
    frame = pd.concat([frame, frame.head(3), pd.DataFrame({"id": ["ZZZ"], "y": [1], "p": [0.5]})])
    result = score_holdout(assignment(), csv(labels), csv(frame))
    assert result.status == "partial" and result.rows_matched == 299
    assert result.extra["missing_ids"] == 100 and result.extra["duplicate_ids"] == 3
    assert result.extra["unknown_ids"] == 1 and result.extra["nan_predictions"] == 1
    assert result.extra["probability_out_of_range"] == 1


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (None, "missing", "did not write"),
        (b"\xff\xfe\x00garbage", "invalid", "not a readable CSV"),
        (b"customer,score\n1,2\n", "invalid", "lacks the column"),
        (b"id,y,p\nnope,x,y\n", "invalid", "no prediction could be matched"),
    ],
)
def test_unusable_files_give_a_status_and_a_message(
    labels: pd.DataFrame, data: bytes | None, status: str, words: str
) -> None:
    result = score_holdout(assignment(), csv(labels), data)
    assert result.status == status and words in result.message and result.score is None


def test_hard_labels_and_regression(labels: pd.DataFrame) -> None:
    hard = predictions(labels)[["id", "y"]].assign(y=lambda f: f["y"].map({1: "yes", 0: "no"}))
    result = score_holdout(assignment(), csv(labels), csv(hard))
    assert result.status == "scored" and result.extra["missing_probability_column"] == 1
    truth = pd.DataFrame({"id": [str(i) for i in range(50)], "y": np.arange(50, dtype=float)})
    regression = score_holdout(
        assignment("mae", "regression", max_gap=1.0), csv(truth), csv(truth.assign(y=truth["y"] + 2))
    )
    assert regression.score == pytest.approx(2.0) and regression.extra["baseline"] == pytest.approx(12.5)


def test_claimed_score_prefers_the_conclusion_and_ignores_training_scores() -> None:
    nb = make_notebook(
        "print('train AUC 0.99')",
        "print('Test ROC AUC: 0.861')",
        ("md", "Some text in between"),
        ("md", "## Conclusion\nOn the held-out test set the model reaches a ROC AUC of 86.5%."),
        outputs={
            0: [{"output_type": "stream", "name": "stdout", "text": "train AUC 0.99\n"}],
            1: [{"output_type": "stream", "name": "stdout", "text": "Test ROC AUC: 0.861\n"}],
        },
    )
    view = NotebookView.from_nodes([("a.ipynb", nb)])
    claim = find_claimed_score(view, assignment().primary_metric)
    assert claim is not None and claim.value == pytest.approx(0.865) and claim.cell == 3
    nb.cells = nb.cells[:2]
    claim = find_claimed_score(NotebookView.from_nodes([("a.ipynb", nb)]), assignment().primary_metric)
    assert claim is not None and claim.value == pytest.approx(0.861) and claim.source == "output"


def _run(check: str, holdout: HoldoutResult, toy: Assignment | None = None) -> object:
    ctx = static_context(make_notebook("x = 1", ("md", "claims")), assignment=toy or assignment(), holdout=holdout)
    return run_check(REGISTRY.get(check), ctx)


def test_holdout_checks_turn_results_into_points_and_findings() -> None:
    good = HoldoutResult(
        status="scored",
        metric="roc_auc",
        score=0.84,
        claimed=0.86,
        rows_expected=400,
        rows_matched=400,
        extra={"baseline": 0.5, "claimed_cell": 1.0},
        claimed_evidence="cell 1: ROC AUC 0.86",
    )
    score = _run("HOLD001", good)
    assert score.status is CheckStatus.passed and score.metric == 0.84 and score.score == pytest.approx(0.68)
    assert _run("HOLD002", good).status is CheckStatus.passed
    gap = _run("HOLD002", good.model_copy(update={"claimed": 0.97}))
    assert gap.status is CheckStatus.failed and gap.findings[0].data["gap"] == pytest.approx(0.13)
    assert gap.findings[0].evidence[0].cell == 1
    chance = _run("HOLD001", good.model_copy(update={"score": 0.49}))
    assert chance.status is CheckStatus.failed
    missing = HoldoutResult(status="missing", metric="roc_auc", message="the notebook did not write predictions.csv")
    assert _run("HOLD001", missing).status is CheckStatus.failed
    assert _run("HOLD003", missing).findings[0].severity.value == "high"
    partial = good.model_copy(update={"status": "partial", "extra": {"missing_ids": 12.0, "baseline": 0.5}})
    assert "12 test id(s) have no prediction" in _run("HOLD003", partial).findings[0].message
    assert _run("HOLD001", missing, None).status is CheckStatus.failed


def test_holdout_checks_skip_without_a_holdout() -> None:
    ctx = static_context(make_notebook("x = 1"), assignment=assignment())
    assert run_check(REGISTRY.get("HOLD001"), ctx).status is CheckStatus.skipped
