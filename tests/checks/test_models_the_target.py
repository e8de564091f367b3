"""EVAL011 (the models predict the assignment's target): both ways, with severities."""

from __future__ import annotations

import pytest

from grader.checks.evaluation.models_the_target import models_the_assignment_target
from grader.models.findings import CheckStatus, Severity
from tests.checks._helpers import run

HEAD = (
    "import numpy as np\nimport pandas as pd\n"
    "from sklearn.linear_model import LinearRegression, LogisticRegression\n"
    "from sklearn.cluster import KMeans\n"
    "df = pd.read_csv('data/train.csv')\n"
)


@pytest.mark.parametrize(
    "code",
    [
        "y = df['delivery_minutes']\nX = df[['distance_km']]\nLinearRegression().fit(X, y)",
        "y = np.log1p(df['delivery_minutes'])\nX = df[['distance_km']]\nLinearRegression().fit(X, y)",
        "df['late'] = (df['delivery_minutes'] > 30).astype(int)\nLogisticRegression().fit(df[['distance_km']], df['late'])",
        "y = df.pop('delivery_minutes')\nLinearRegression().fit(df, y)",
        "X = df.iloc[:, :-1]\ny = df.iloc[:, -1]\nLinearRegression().fit(X, y)",  # labels it cannot place
        # Labels from a frame no cell binds (renamed in cells above and not re-run): they may be the target.
        "LinearRegression().fit(train_clean[['distance_km']], train_clean['delivery_minutes'] * 0 + y_unknown)",
        "LinearRegression().fit(df[['distance_km']], y_from_nowhere)",
        # An imputation model of another column beside the model of the target.
        "LinearRegression().fit(df[['distance_km']], df['items_count'])\n"
        "LinearRegression().fit(df[['distance_km', 'items_count']], df['delivery_minutes'])",
    ],
)
def test_a_model_of_the_target_or_a_transform_of_it_passes(code: str) -> None:
    result = run(models_the_assignment_target, HEAD + code, task="delivery")
    assert result.status is CheckStatus.passed, result.message


def test_the_target_as_a_feature_of_a_model_of_another_column_is_high() -> None:
    code = (
        "df['log_minutes'] = np.log(df['delivery_minutes'])\n"
        "X = df[['log_minutes', 'items_count']]\ny = df['courier_experience_days']\nLinearRegression().fit(X, y)"
    )
    result = run(models_the_assignment_target, HEAD + code, task="delivery")
    assert result.status is CheckStatus.failed
    (finding,) = result.problems
    assert finding.severity is Severity.high
    assert "`log_minutes`" in finding.message and "`courier_experience_days`" in finding.message
    assert finding.data == {"target": "delivery_minutes", "predicted": ["courier_experience_days"]}


def test_another_column_modelled_while_the_target_is_only_read_is_medium() -> None:
    code = "print(df['delivery_minutes'].mean())\nLinearRegression().fit(df[['distance_km']], df['order_value'])"
    result = run(models_the_assignment_target, HEAD + code, task="delivery")
    (finding,) = result.problems
    assert finding.severity is Severity.medium and "`order_value`" in finding.message


def test_a_renamed_target_is_not_taken_for_another_column() -> None:
    code = (
        "df = df.rename(columns={'delivery_minutes': 'mins'})\n"
        "X = df.drop(columns=['mins'])\ny = df['mins']\nLinearRegression().fit(X, y)"
    )
    result = run(models_the_assignment_target, HEAD + code, task="delivery")
    assert result.status is CheckStatus.passed, result.message


@pytest.mark.parametrize(
    ("code", "task"),
    [
        ("LinearRegression().fit(df[['distance_km']], df['delivery_minutes'])", None),  # no assignment
        ("KMeans(n_clusters=3).fit(df[['distance_km', 'items_count']])", "delivery"),  # nothing supervised
    ],
)
def test_without_a_target_or_a_supervised_model_it_is_not_applicable(code: str, task: str | None) -> None:
    result = run(models_the_assignment_target, HEAD + code, task=task)
    assert result.status is CheckStatus.not_applicable, result.message


def test_the_target_left_among_all_the_other_columns_is_high_unless_columns_are_renamed() -> None:
    code = "print(df['delivery_minutes'].describe())\nLinearRegression().fit(df.drop(columns=['order_value']), df['order_value'])"
    result = run(models_the_assignment_target, HEAD + code, task="delivery")
    (finding,) = result.problems
    assert finding.severity is Severity.high and "takes `delivery_minutes`" in finding.message
    renamed = run(
        models_the_assignment_target, HEAD + "df.columns = [c.lower() for c in df.columns]\n" + code, task="delivery"
    )
    assert renamed.status is CheckStatus.passed, renamed.message


def test_the_target_spelled_with_other_spacing_or_case_is_the_target() -> None:
    """admission-02: the data file's column is `Chance of Admit ` (a trailing space) for the brief's `Chance of Admit`."""
    code = "y = df['Delivery_Minutes ']\nLinearRegression().fit(df[['distance_km']], y)"
    result = run(models_the_assignment_target, HEAD + code, task="delivery")
    assert result.status is CheckStatus.passed, result.message
