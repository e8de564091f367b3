"""EVAL010 (scores compare predictions with the true labels): both ways, with severities."""

from __future__ import annotations

from grader.checks.evaluation.scored_against_labels import scored_against_true_labels
from grader.checks.runner import run_check
from grader.models.findings import CheckResult, CheckStatus, Severity
from tests.checks._helpers import context

HEAD = (
    "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
    "from sklearn.tree import DecisionTreeRegressor\n"
    "from sklearn.metrics import r2_score, mean_squared_error, mean_absolute_error\n"
    "from sklearn.model_selection import train_test_split\n"
    "df = pd.read_csv('data.csv')\nX, y = df.drop(columns='y'), df['y']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)"
)


def _run(*cells: str) -> CheckResult:
    return run_check(scored_against_true_labels, context(HEAD, *cells))


def _severities(result: CheckResult) -> list[Severity]:
    return [f.severity for f in result.findings]


def test_model_scored_against_its_own_predictions_only_is_high() -> None:
    result = _run(
        "m = LinearRegression().fit(X_train, y_train)\nyhat = m.predict(X_test)\nprint(m.score(X_test, yhat))"
    )
    assert result.status is CheckStatus.failed
    assert _severities(result) == [Severity.high]
    assert "its own predictions" in result.findings[0].message
    assert result.findings[0].evidence[0].cell == 1


def test_wrong_figure_beside_a_right_one_is_medium() -> None:
    result = _run(
        "m = LinearRegression().fit(X_train, y_train)\nyhat = m.predict(X_test)\n"
        "print(m.score(X_test, y_test))\nprint(m.score(X_test, yhat))"
    )
    assert _severities(result) == [Severity.medium]


def test_one_model_scored_against_another_models_predictions() -> None:
    result = _run(
        "t = DecisionTreeRegressor().fit(X_train, y_train)\ny_pred = t.predict(X_test)\n"
        "print(r2_score(y_test, y_pred))",
        "l = LinearRegression().fit(X_train, y_train)\np = l.predict(X_test)\nprint(r2_score(y_pred, p))",
    )
    assert _severities(result) == [Severity.high]
    message = result.findings[0].message
    assert "LinearRegression's predictions with DecisionTreeRegressor's predictions" in message


def test_scores_against_the_labels_pass() -> None:
    result = _run(
        "m = LinearRegression().fit(X_train, y_train)\npred = m.predict(X_test)\n"
        "print(r2_score(y_test, pred), m.score(X_test, y_test))\nprint(mean_squared_error(pred, y_test))"
    )
    assert result.status is CheckStatus.passed, result.findings


def test_swapped_arguments_of_an_asymmetric_metric_are_low() -> None:
    result = _run(
        "m = LinearRegression().fit(X_train, y_train)\npred = m.predict(X_test)\nprint(r2_score(pred, y_test))"
    )
    assert _severities(result) == [Severity.low]
    assert "first argument" in result.findings[0].message


def test_agreement_between_models_on_purpose_is_left_alone() -> None:
    result = _run(
        "a = LinearRegression().fit(X_train, y_train).predict(X_test)\n"
        "b = DecisionTreeRegressor().fit(X_train, y_train).predict(X_test)\n"
        "print(r2_score(y_test, a), r2_score(y_test, b))\nagreement = mean_absolute_error(a, b)"
    )
    assert result.status is CheckStatus.passed, result.findings
