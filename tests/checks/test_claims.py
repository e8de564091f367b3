"""Stated results (markdown, comments) and the metric values outputs show, read both ways."""

from __future__ import annotations

import pytest

from grader.evidence.ml.vocabulary import Measure
from grader.evidence.narrative.claims import ClaimKind, _read_sentence, _sentences
from grader.evidence.narrative.reported import _read_output
from grader.models.findings import EvidenceSource


def _values(sentence: str) -> list[tuple[str, float]]:
    return [
        (c.measure.value, round(c.value, 4))
        for c in _read_sentence(sentence, 0, "markdown", None)
        if c.kind is ClaimKind.value and c.measure is not None and c.value is not None
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The final model reaches a ROC AUC of 0.97 on the test set.", [("roc_auc", 0.97)]),
        ("It reached 95% accuracy.", [("accuracy", 0.95)]),
        ("an accuracy of 81.3 % on the leaderboard", [("accuracy", 0.813)]),
        ("RMSE of 0.45 on the validation set", [("rmse", 0.45)]),
        ("MAE = $4,261 for the multi-feature model", [("mae", 4261.0)]),
        ("Precision(1 Class): 0.14", [("precision", 0.14)]),
        (
            "holdout AP 0.56, holdout ROC AUC 0.88 (baseline AP 0.012).",
            [("average_precision", 0.56), ("roc_auc", 0.88)],
        ),
    ],
)
def test_stated_values_are_read(sentence: str, expected: list[tuple[str, float]]) -> None:
    assert _values(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "We hold out 20% of the data to measure accuracy.",
        "The dummy classifier gets 80% accuracy.",
        "An AUC above 0.95 would be suspicious.",
        "The three families are within 0.005 ROC AUC of each other.",
        "We aim for an accuracy of 0.9.",
        "Accuracy for class 0 is fine, precision for class 1 is not.",
        "ROC AUC improved by 0.02.",
        "What accuracy of 0.9 would mean?",
        "roc_auc  avg_precision  f1@0.30",
    ],
)
def test_what_is_not_a_stated_result_of_ones_own_is_left_out(sentence: str) -> None:
    assert _values(sentence) == []


def test_winners_and_denials_of_overfitting_are_read_only_when_they_are_claims() -> None:
    [best] = [
        c for c in _read_sentence("Random Forest performs best on F1.", 3, "markdown", None) if c.kind is ClaimKind.best
    ]
    assert (best.model, best.measure, best.cell) == ("random forest", Measure.f1, 3)
    assert not [c for c in _read_sentence("I use the best parameters of the random forest.", 0, "markdown", None)]
    assert not [c for c in _read_sentence("Random forest and XGBoost are the best.", 0, "markdown", None)]
    denial = _read_sentence("The model does not overfit: train and test scores are close.", 0, "markdown", None)
    assert [c.kind for c in denial] == [ClaimKind.no_overfitting]
    assert not _read_sentence("If the model overfits we would see a gap.", 0, "markdown", None)


def test_markdown_sentences_skip_tables_code_and_join_wrapped_lines() -> None:
    text = "## Results\n\nThe model reaches\nan accuracy of 0.82.\n\n| model | accuracy |\n| rf | 0.99 |\n\n```\nacc = 0.5\n```\n- second point"
    assert _sentences(text) == ["Results", "The model reaches an accuracy of 0.82.", "second point"]


def _reported(text: str, single: Measure | None = None) -> list[tuple[str, float, str | None, str | None]]:
    return [
        (v.measure.value, round(v.value, 4), v.model, v.split)
        for v in _read_output(text.splitlines(), 0, EvidenceSource.output, single)
    ]


def test_outputs_give_values_from_lines_tables_reports_and_bare_results() -> None:
    assert _reported("Random Forest accuracy: 0.83\nTrain accuracy: 1.0, test accuracy: 0.82") == [
        ("accuracy", 0.83, "random forest", None),
        ("accuracy", 1.0, None, "train"),
        ("accuracy", 0.82, None, "test"),
    ]
    table = "             roc_auc  avg_precision  f1@0.30\nhgb (tuned)    0.879          0.678    0.643"
    assert _reported(table) == [
        ("roc_auc", 0.879, "gradient boosting", None),
        ("average_precision", 0.678, "gradient boosting", None),
        ("f1", 0.643, "gradient boosting", None),
    ]
    report = (
        "              precision    recall  f1-score   support\n\n"
        "           1       0.79      0.74      0.76        69\n\n"
        "    accuracy                           0.82       179"
    )
    assert _reported(report) == [
        ("precision", 0.79, None, None),
        ("recall", 0.74, None, None),
        ("f1", 0.76, None, None),
        ("accuracy", 0.82, None, None),
    ]
    assert _reported("0.8212290502793296", Measure.accuracy) == [("accuracy", 0.8212, None, None)]
    assert _reported("0.8212290502793296") == []  # a bare number from a cell computing no single metric
    assert [v for _, v, _, _ in _reported("[0.80 0.84]", Measure.roc_auc)] == [0.8, 0.84, 0.82]
    assert _reported("CV fold 3: accuracy 0.82") == [("accuracy", 0.82, None, "test")]


@pytest.mark.parametrize(
    ("value", "written", "measure", "supported"),
    [
        (0.1149, "0.11", Measure.r2, True),  # rounded
        (0.1199, "0.11", Measure.r2, True),  # cut
        (0.105, "0.11", Measure.r2, True),
        (0.1185, "0.11", Measure.r2, True),  # cut (people copy figures that way)
        (0.1201, "0.11", Measure.r2, False),
        (0.1040, "0.11", Measure.r2, False),  # neither rounds nor cuts to 0.11
        (0.9546, "95%", Measure.accuracy, True),
        (0.9600, "95%", Measure.accuracy, False),
        (4261.4, "4261", Measure.rmse, True),
        (4262.0, "4261", Measure.rmse, False),
    ],
)
def test_a_written_figure_is_supported_only_by_values_it_rounds_or_cuts_from(
    value: float, written: str, measure: Measure, supported: bool
) -> None:
    from grader.evidence.narrative.metric_text import NUMBER, as_share, parse_number, written_as

    match = NUMBER.search(written)
    assert match is not None
    number = parse_number(match)
    assert number is not None
    stated = as_share(measure, number)
    assert stated is not None
    assert written_as(value, stated, measure, number) is supported
