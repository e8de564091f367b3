"""Checks with nothing to judge are `not_applicable` (their points leave the total), and only then.

Each check is shown both ways: a notebook that does nothing the check judges, and one that does
(where the check then passes or fails on what it finds).
"""

from __future__ import annotations

from grader.checks.evaluation.claims_match_outputs import claims_match_outputs
from grader.checks.leakage.group_overlap_across_split import group_overlap_across_split
from grader.checks.leakage.leakage_column_used import leakage_column_used
from grader.checks.leakage.oversampling_before_split import oversampling_before_split
from grader.checks.leakage.random_split_of_time_series import random_split_of_time_series
from grader.checks.leakage.target_encoding_before_split import target_encoding_before_split
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.context import SubmissionFacts
from grader.execution.record import not_run_record
from grader.models.findings import CheckStatus
from grader.models.notebook import NotebookView
from tests.checks._helpers import assignment, run
from tests.conftest import make_notebook

LOAD = "import pandas as pd\nfrom sklearn.model_selection import train_test_split\ndf = pd.read_csv('data/churn.csv')\n"
SPLIT = (
    "X, y = df.drop(columns=['churned']), df['churned']\nX_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y)\n"
)
FIT = "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit(X_tr, y_tr)\n"


def test_oversampling_not_applicable_without_resampling_judged_with_it() -> None:
    plain = run(oversampling_before_split, LOAD + SPLIT + FIT, task="churn")
    assert plain.status is CheckStatus.not_applicable and "does not resample" in plain.message
    after = run(
        oversampling_before_split,
        LOAD
        + SPLIT
        + "from imblearn.over_sampling import SMOTE\nX_tr, y_tr = SMOTE().fit_resample(X_tr, y_tr)\n"
        + FIT,
        task="churn",
    )
    assert after.status is CheckStatus.passed
    before = run(
        oversampling_before_split,
        LOAD
        + "from imblearn.over_sampling import SMOTE\nX, y = df.drop(columns=['churned']), df['churned']\n"
        + "X, y = SMOTE().fit_resample(X, y)\nX_tr, X_te, y_tr, y_te = train_test_split(X, y)\n"
        + FIT,
        task="churn",
    )
    assert before.status is CheckStatus.failed


def test_target_encoding_not_applicable_without_a_target_statistic_judged_with_one() -> None:
    plain = run(target_encoding_before_split, LOAD + SPLIT + FIT, task="churn")
    assert plain.status is CheckStatus.not_applicable
    leaky = run(
        target_encoding_before_split,
        LOAD + "df['plan_rate'] = df.groupby('plan')['churned'].transform('mean')\n" + SPLIT + FIT,
        task="churn",
    )
    assert leaky.status is CheckStatus.failed
    named = run(
        target_encoding_before_split,
        LOAD
        + SPLIT
        + "from sklearn.preprocessing import TargetEncoder\nenc = TargetEncoder().fit(X_tr[['plan']], y_tr)\n",
        task="churn",
    )
    assert named.status is CheckStatus.passed


def test_time_and_group_checks_apply_only_where_the_assignment_declares_them() -> None:
    code = LOAD + SPLIT + FIT
    assert run(random_split_of_time_series, code, task="churn").status is CheckStatus.not_applicable
    assert run(group_overlap_across_split, code, task="churn").status is CheckStatus.not_applicable
    delivery = (
        "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
        "from sklearn.linear_model import LinearRegression\ndf = pd.read_csv('data/deliveries.csv')\n"
        "X, y = df[['distance_km', 'restaurant_id']], df['delivery_minutes']\n"
        "X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)\nm = LinearRegression().fit(X_tr, y_tr)\n"
    )
    assert run(random_split_of_time_series, delivery, task="delivery").status is CheckStatus.failed
    assert run(group_overlap_across_split, delivery, task="delivery").status is CheckStatus.failed


def test_leakage_columns_apply_only_when_declared() -> None:
    code = LOAD + SPLIT + FIT
    view = NotebookView.from_nodes([("analysis.ipynb", make_notebook(code))])
    undeclared = context_of(
        submission=SubmissionFacts(name="t", files=("analysis.ipynb",), notebooks=("analysis.ipynb",)),
        notebook=view,
        execution=not_run_record(view, "unit test"),
        assignment=assignment("churn").model_copy(update={"leakage_columns": []}),
    )
    assert run_check(leakage_column_used, undeclared, {}).status is CheckStatus.not_applicable
    assert run(leakage_column_used, code, task="churn").status is CheckStatus.failed  # X keeps cancellation_reason
    kept_out = LOAD + "X, y = df[['tenure_months']], df['churned']\n" + SPLIT.split("\n")[1] + "\n" + FIT
    assert run(leakage_column_used, kept_out, task="churn").status is CheckStatus.passed
    used = (
        LOAD
        + "X, y = df[['tenure_months', 'cancellation_reason']], df['churned']\n"
        + SPLIT.split("\n")[1]
        + "\n"
        + FIT
    )
    assert run(leakage_column_used, used, task="churn").status is CheckStatus.failed


def test_claims_not_applicable_when_the_prose_states_no_result() -> None:
    silent = run(claims_match_outputs, ("md", "# Churn\nWe fit a model."), "x = 1")
    assert silent.status is CheckStatus.not_applicable
    stated = run(
        claims_match_outputs,
        "print('ROC AUC: 0.71')",
        ("md", "The model reaches a ROC AUC of 0.97 on the test set."),
        outputs={0: [{"output_type": "stream", "name": "stdout", "text": "ROC AUC: 0.71\n"}]},
    )
    assert stated.status is CheckStatus.failed
