"""Stated results (markdown, comments) and the metric values outputs show, read both ways."""

from __future__ import annotations

from typing import Any

import pytest

from grader.checks.evaluation.claims_match_outputs import claims_match_outputs
from grader.evidence.ml.vocabulary import Measure
from grader.evidence.narrative.claims import ClaimKind, _read_sentence, _sentences, stated_results
from grader.evidence.narrative.reported import _read_output
from grader.models.findings import CheckResult, CheckStatus, EvidenceSource, Severity
from grader.models.notebook import NotebookView
from tests.checks._helpers import run
from tests.conftest import make_notebook


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
        ("The overall accuracy of the network is quite low at 35%.", [("accuracy", 0.35)]),
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
    [compared] = _read_sentence("Random forest has good result as compare to other algorithms.", 0, "markdown", None)
    assert (compared.kind, compared.model) == (ClaimKind.best, "random forest")
    assert not _read_sentence("Random forest is compared to other algorithms below.", 0, "markdown", None)
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


# --------------------------------------------------------------------------- the check, both ways


def _stream(text: str) -> list[dict[str, Any]]:
    return [{"output_type": "stream", "name": "stdout", "text": text}]


REGRESSION = """\
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import cross_val_score, train_test_split
df = pd.read_csv("data/train.csv")
X = df.drop(columns=["y"])
y = df["y"]
"""


def _kinds(result: CheckResult) -> list[str]:
    return [str(f.data.get("kind")) for f in result.problems]


def test_an_approximate_share_is_one_point_of_its_last_decimal_not_two() -> None:
    assert _values("Mean Accuracy for the model is around 0.72") == [("accuracy", 0.72)]
    cells = (REGRESSION, "print(0.7019059043049447)", ("md", "Mean accuracy for the model is around {}"))
    near = run(
        claims_match_outputs, *cells[:2], ("md", cells[2][1].format("0.71")), outputs={1: _stream("accuracy 0.7019\n")}
    )
    far = run(
        claims_match_outputs, *cells[:2], ("md", cells[2][1].format("0.72")), outputs={1: _stream("accuracy 0.7019\n")}
    )
    assert near.status is CheckStatus.passed, near.message
    assert far.status is CheckStatus.failed and _kinds(far) == ["better_than_shown"], far.message


def test_values_listed_under_a_lead_naming_the_metric_are_claims_inline_or_one_per_item() -> None:
    inline = "Here are their r-squared values: Portuguese KNN: -0.21 Portuguese Tree: -0.94 Maths Forest: 0.23"
    assert _values(inline) == [("r2", -0.21), ("r2", -0.94), ("r2", 0.23)]
    items = "Test R² per model:\n- KNN: 0.20\n- Tree: -0.63\n- Forest: 0.23\n\nBest parameters: depth: 5, trees: 100"
    listed = [
        (c.measure, c.value)
        for c in stated_results(NotebookView.from_nodes([("a.ipynb", make_notebook(("md", items)))]))
    ]
    assert listed == [(Measure.r2, 0.2), (Measure.r2, -0.63), (Measure.r2, 0.23)]
    block = "Here are their r-squared values:\n\n        Portuguese KNN: -0.21\n        Maths Tree:-0.63\n"
    listed = [
        (c.measure, c.value)
        for c in stated_results(NotebookView.from_nodes([("a.ipynb", make_notebook(("md", block)))]))
    ]
    assert listed == [(Measure.r2, -0.21), (Measure.r2, -0.63)]
    # Not a list of values: one labelled number, a list of parameters, a baseline among the labels.
    assert _values("R² values: KNN: 0.20") == []
    assert _values("Best parameters: max_depth: 5, n_estimators: 100") == []
    assert _values("R² values: Baseline: 0.01, Mean predictor: 0.00") == []


def test_listed_figures_the_outputs_do_not_show_are_a_finding_and_ones_they_show_are_not() -> None:
    shown = {1: _stream("KNN R2: 0.2012\nTree R2: -1.1034\nForest R2: 0.3911\n")}
    bad = run(
        claims_match_outputs,
        REGRESSION,
        "print(scores)",
        ("md", "Their R² values: KNN: 0.20, Tree: -0.94, Forest: 0.23"),
        outputs=shown,
    )
    good = run(
        claims_match_outputs,
        REGRESSION,
        "print(scores)",
        ("md", "Their R² values: KNN: 0.20, Tree: -1.10, Forest: 0.39"),
        outputs=shown,
    )
    assert bad.status is CheckStatus.failed and len(bad.problems) == 2, bad.message
    assert good.status is CheckStatus.passed, good.message


CV_MSE = (
    "scores = cross_val_score(RandomForestRegressor(), X, y, cv=5, scoring='neg_mean_squared_error')\n"
    "print(-scores.mean())"
)


def test_an_error_metric_the_code_never_computes_is_a_finding_even_when_its_figure_is_printed() -> None:
    out = {1: _stream("18.04777\n")}
    bad = run(
        claims_match_outputs, REGRESSION + CV_MSE, ("md", "- Mean Absolute Error (MAE): 18.05"), outputs={0: out[1]}
    )
    assert bad.status is CheckStatus.failed and _kinds(bad) == ["metric_not_computed"], bad.message
    assert "never computes a mae (it computes mse, rmse)" in bad.problems[0].message
    named = run(
        claims_match_outputs, REGRESSION + CV_MSE, ("md", "- Mean squared error (MSE): 18.05"), outputs={0: out[1]}
    )
    by_hand = run(
        claims_match_outputs,
        REGRESSION + "import numpy as np\nprint(np.mean(np.abs(y - y.mean())))",
        ("md", "The MAE is 18.05"),
        outputs={0: out[1]},
    )
    assert named.status is CheckStatus.passed, named.message
    assert by_hand.status is CheckStatus.passed, by_hand.message


def test_a_score_said_to_be_on_test_data_with_no_held_out_score_anywhere_is_a_finding() -> None:
    said = ("md", "We observe the accuracy of the model on the set of test data.")
    fit_all = (
        "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit(X, y)\nprint(m.score(X, y))"
    )
    split = (
        "from sklearn.linear_model import LogisticRegression\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
        "m = LogisticRegression().fit(X_train, y_train)\nprint(m.score(X_test, y_test))"
    )
    out = {1: _stream("0.815\n")}
    bad = run(claims_match_outputs, REGRESSION, fit_all, said, outputs=out)
    good = run(claims_match_outputs, REGRESSION, split, said, outputs=out)
    assert bad.status is CheckStatus.failed and _kinds(bad) == ["held_out_not_used"], bad.message
    assert {e.cell for e in bad.problems[0].evidence} == {1, 2}
    assert good.status is CheckStatus.passed, good.message
    # A goal or hypothetical is not a statement about the notebook's own evaluation.
    assert not [
        c
        for c in _read_sentence("We aim for an accuracy of 0.9 on the test set.", 0, "markdown", None)
        if c.kind is ClaimKind.held_out
    ]


def test_results_stated_where_no_scoring_cell_was_ever_run_are_a_finding() -> None:
    fit = (
        "from sklearn.metrics import mean_squared_error\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
        "m = RandomForestRegressor(random_state=0).fit(X_train, y_train)\n"
        "print(mean_squared_error(y_test, m.predict(X_test), squared=False))"
    )
    said = ("md", "Random Forest has the lowest RMSE, 4.1.")
    never = run(claims_match_outputs, REGRESSION, fit, said, outputs={0: _stream("loaded\n")}, counts=[1, None])
    ran = run(
        claims_match_outputs,
        REGRESSION,
        fit,
        said,
        outputs={0: _stream("loaded\n"), 1: _stream("4.1\n")},
        counts=[1, 2],
    )
    assert "never_run" in _kinds(never), never.message
    assert {e.cell for e in never.problems[_kinds(never).index("never_run")].evidence} == {1, 2}
    assert ran.status is CheckStatus.passed, ran.message
    cleared = run(claims_match_outputs, REGRESSION, fit, said, counts=[None, None])
    assert "never_run" not in _kinds(cleared), cleared.message


def test_a_results_table_with_score_columns_by_split_answers_a_winner_claim() -> None:
    table = (
        "               Algorithms  Score_train  Score_test\n"
        "5           Random Forest     0.808182    0.742961\n"
        "0     Logistic Regression     0.723333    0.745686\n"
    )
    assert _reported(table) == [
        ("default", 0.8082, "random forest", "train"),
        ("default", 0.743, "random forest", "test"),
        ("default", 0.7233, "logistic regression", "train"),
        ("default", 0.7457, "logistic regression", "test"),
    ]
    said = ("md", "Random forest has good result as compare to other algorithms.")
    bad = run(claims_match_outputs, "models.sort_values(by='Score_train')", said, outputs={0: _stream(table)})
    assert [f.severity for f in bad.problems] == [Severity.medium], bad.message
    assert "logistic regression higher on test score" in bad.problems[0].message
    fair = table.replace("0.745686", "0.731000")
    good = run(claims_match_outputs, "models.sort_values(by='Score_train')", said, outputs={0: _stream(fair)})
    assert good.status is CheckStatus.passed, good.message


def test_prose_reading_a_result_off_a_cell_that_never_ran_is_a_finding_and_off_a_run_cell_is_not() -> None:
    cells = [
        "import pandas as pd\ndf = pd.read_csv('data.csv')\ndf.head()",
        "df['region'].value_counts().plot.bar()",
        ("md", "This proves that the region column helps the model perform better on the test data."),
    ]
    shown = {0: _stream("   a  b\n0  1  2\n")}
    unrun = run(claims_match_outputs, *cells, outputs=shown, counts=[1, None])
    [finding] = unrun.problems
    assert finding.severity is Severity.medium and finding.data["kind"] == "read_off_unrun_cell"
    assert "reads a result off cell 1, which was never run" in finding.message
    ran = run(claims_match_outputs, *cells, outputs={**shown, 1: _stream("<Axes>\n")}, counts=[1, 2])
    assert not [f for f in ran.findings if f.data.get("kind") == "read_off_unrun_cell"], ran.message
    cleared = run(claims_match_outputs, *cells, counts=[None, None])
    assert not [f for f in cleared.findings if f.data.get("kind") == "read_off_unrun_cell"], cleared.message
    caption = [*cells[:2], ("md", "Region counts.")]
    assert not run(claims_match_outputs, *caption, outputs=shown, counts=[1, None]).problems


CLASSIFIER = """\
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
df = pd.read_csv("data/train.csv")
X_train, X_test, y_train, y_test = train_test_split(df.drop(columns=["y"]), df["y"], random_state=0)
model = LogisticRegression().fit(X_train, y_train)
"""
REPORT = """\
              precision    recall  f1-score   support

           0       0.83      0.72      0.77        53
           1       0.88      0.93      0.91       122

    accuracy                           0.87       175
   macro avg       0.85      0.83      0.84       175
weighted avg       0.87      0.87      0.87       175
"""


def test_a_figure_printed_only_as_another_metric_does_not_support_the_metric_said() -> None:
    """ "AUC around 84 %" where the AUC printed is 0.797 and 0.84 is the report's macro-averaged F1."""
    cells = (
        CLASSIFIER,
        "print(classification_report(y_train, model.predict(X_train)))",
        "roc_auc_score(y_test, model.predict(X_test))",
    )
    outputs = {1: _stream(REPORT), 2: [_result("0.7973856209150326")]}
    bad = run(
        claims_match_outputs,
        *cells,
        ("md", "The AUC here is around 84%: the model separates well."),
        outputs=outputs,
    )
    assert bad.status is CheckStatus.failed and _kinds(bad) == ["better_than_shown"], bad.message
    problem = bad.problems[0]
    assert problem.severity is Severity.medium  # a mix-up of metrics, not an invented figure
    assert "printed only as f1, precision, recall (cell 1)" in problem.message
    assert problem.data["printed_as"] == ["f1", "precision", "recall"]
    good = run(
        claims_match_outputs,
        *cells,
        ("md", "The AUC here is around 80%: the model separates well."),
        outputs=outputs,
    )
    assert good.status is CheckStatus.passed, good.message
    # The same 0.84 printed bare by a cell that computes the AUC supports it, a report beside it or not.
    bare = run(
        claims_match_outputs,
        *cells,
        "print(round(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]), 2))",
        ("md", "The AUC here is around 84%: the model separates well."),
        outputs={**outputs, 3: _stream("0.84\n")},
    )
    assert bare.status is CheckStatus.passed, bare.message


def test_a_bare_number_stands_for_a_stated_score_only_where_a_scoring_cell_printed_it() -> None:
    """glass-03: "accuracy quite low at 35 %" under a report of 0.26, with 0.35 only in a training log's loss."""
    cells = (
        CLASSIFIER,
        "model.fit(X_train, y_train)  # verbose: prints its loss per iteration",
        "print(classification_report(y_test, model.predict(X_test)))",
    )
    log = "".join(f"Iteration {i}, loss = {0.30 + i / 1000:.8f}\n" for i in range(30, 60))
    report = REPORT.replace("0.87       175", "0.26       175")
    outputs = {1: _stream(log), 2: _stream(report)}
    claim = ("md", "The confusion matrix shows that the overall accuracy of the network is quite low at 35%.")
    logged = run(claims_match_outputs, *cells, claim, outputs=outputs)
    assert logged.status is CheckStatus.failed and _kinds(logged) == ["better_than_shown"], logged.message
    # The same 0.35 printed bare by a cell that scores the model (its `.score`) is the result said.
    scored = run(
        claims_match_outputs,
        *cells,
        "print(model.score(X_val, y_val))",
        claim,
        outputs={**outputs, 3: _stream("0.35\n")},
    )
    assert scored.status is CheckStatus.passed, scored.message


def _result(text: str) -> dict[str, Any]:
    return {"output_type": "execute_result", "execution_count": 1, "data": {"text/plain": text}, "metadata": {}}


REGRESSOR_SCORED = (
    "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
    "from sklearn.model_selection import train_test_split\n"
    "df = pd.read_csv('data/train.csv')\nX, y = df[['distance_km']], df['delivery_minutes']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
    "model = LinearRegression().fit(X_train, y_train)\nprint('{label}', model.score(X_test, y_test))"
)


@pytest.mark.parametrize(
    ("label", "prose", "cells"),
    [
        ("R2:", "This model is 79.26% accurate in predicting the delivery time.", [1]),
        ("Accuracy:", "The model explains about 79% of the variance (R2 0.79).", [0]),
        ("Accuracy:", "The accuracy of the model is 79%.", [0, 1]),
    ],
)
def test_a_regression_result_called_accuracy_is_a_claim_the_outputs_do_not_support(
    label: str, prose: str, cells: list[int]
) -> None:
    outputs = {0: _stream(f"{label} 0.7926\n")}
    bad = run(
        claims_match_outputs, REGRESSOR_SCORED.format(label=label), ("md", prose), task="delivery", outputs=outputs
    )
    assert bad.status is CheckStatus.failed and "regression_called_accuracy" in _kinds(bad), bad.message
    (finding,) = [f for f in bad.problems if f.data.get("kind") == "regression_called_accuracy"]
    assert finding.severity is Severity.medium and [e.cell for e in finding.evidence] == cells


@pytest.mark.parametrize(
    ("task", "label", "prose"),
    [
        ("delivery", "R2:", "The model explains about 79% of the variance (R2 0.79)."),
        ("delivery", "R2:", "Accuracy is not a metric for a continuous target, so we report R2 and MAE."),
        ("churn", "Accuracy:", "The model is 79% accurate."),  # a classifier's accuracy is accuracy
    ],
)
def test_r2_named_as_such_or_accuracy_of_a_classifier_is_not(task: str, label: str, prose: str) -> None:
    outputs = {0: _stream(f"{label} 0.7926\n")}
    good = run(claims_match_outputs, REGRESSOR_SCORED.format(label=label), ("md", prose), task=task, outputs=outputs)
    assert "regression_called_accuracy" not in _kinds(good), good.message


def test_accuracy_in_a_list_of_metric_names_a_goal_or_a_plot_label_is_not_a_result_called_accuracy() -> None:
    prose = (
        "Metrics by task. Regression: R^2, MAE, RMSE. Classification: Accuracy, Precision, Recall, F1.\n\n"
        "We aim for a model that is 90% accurate."
    )
    outputs = {0: _stream("R2: 0.7926\n"), 1: [_result("Text(0, 0.5, 'Accuracy')")]}
    good = run(
        claims_match_outputs,
        REGRESSOR_SCORED.format(label="R2:"),
        "plt.ylabel('Accuracy')",
        ("md", prose),
        task="delivery",
        outputs=outputs,
    )
    assert "regression_called_accuracy" not in _kinds(good), good.message


def test_a_figure_pasted_with_its_full_float_repr_is_the_value_printed() -> None:
    cells = (REGRESSOR_SCORED.format(label="R2:"), "print('MAE:', 23.191132678478603)")
    outputs = {0: _stream("R2: 0.7926\n"), 1: _stream("MAE: 23.191132678478603\n")}
    same = run(claims_match_outputs, *cells, ("md", "MAE: 23.191132678478603"), task="delivery", outputs=outputs)
    assert same.status is CheckStatus.passed, same.message
    other = run(claims_match_outputs, *cells, ("md", "MAE: 23.291132678478603"), task="delivery", outputs=outputs)
    assert other.status is CheckStatus.failed, other.message


def test_many_results_one_cell_states_that_no_output_shows_are_one_finding() -> None:
    cells = (REGRESSOR_SCORED.format(label="R2:"), "print('MAE:', 23.19)")
    outputs = {0: _stream("R2: 0.7926\n"), 1: _stream("MAE: 23.19\n")}
    table = "Earlier splits:\n\nMAE: 32.86\n\nMAE: 43.06\n\nMAE: 39.88\n\nMAE: 23.19"
    many = run(claims_match_outputs, *cells, ("md", table), task="delivery", outputs=outputs)
    (finding,) = many.problems
    assert finding.data["kind"] == "results_not_shown" and finding.data["count"] == 3, many.message
    assert "states 3 results that no output of the notebook shows (mae 32.86, mae 43.06, mae 39.88)" in finding.message
    two = run(claims_match_outputs, *cells, ("md", "MAE: 32.86\n\nMAE: 43.06"), task="delivery", outputs=outputs)
    assert _kinds(two) == ["worse_than_shown", "worse_than_shown"], two.message  # two stay separate


@pytest.mark.parametrize(
    ("prose", "called"),
    [
        ("The accuracy of LR is: 92.71 percent!", True),  # a 0-100 score with decimals (100 - RMSE)
        ("Accuracy for the model_3 with variation: 0.80 (+/- 0.08)", True),  # digits inside a name
        ("10.3: Checking the accuracy of the predictions", False),  # a heading's section number
    ],
)
def test_how_a_regression_result_called_accuracy_is_written(prose: str, called: bool) -> None:
    outputs = {0: _stream("R2: 0.7926\n")}
    result = run(
        claims_match_outputs, REGRESSOR_SCORED.format(label="R2:"), ("md", prose), task="delivery", outputs=outputs
    )
    assert ("regression_called_accuracy" in _kinds(result)) is called, result.message
