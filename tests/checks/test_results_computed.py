"""EVAL012 (scores and search results are computed, not typed in): both ways."""

from __future__ import annotations

import pytest

from grader.checks.evaluation.results_computed import results_computed_not_typed
from grader.models.findings import CheckStatus, Severity
from tests.checks._helpers import run

HEAD = "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\ndf = pd.read_csv('data/train.csv')\n"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("model_2_CV = [0.95202952, 0.94341943, 0.95325953, 0.95202952]", "model_2_CV"),  # pulsar-01
        ("rmse = [6.53, 9.11, 5.44, 5.49]\nprint(min(rmse))", "rmse"),  # concrete-03's summary table
        ("Testing_Accuracy = (0.888, 0.874, 0.852)", "Testing_Accuracy"),  # diamonds-05's chart
    ],
)
def test_scores_written_as_literals_are_medium(code: str, name: str) -> None:
    result = run(results_computed_not_typed, HEAD + code)
    (finding,) = result.problems
    assert finding.severity is Severity.medium and f"`{name}`" in finding.message
    assert finding.message.startswith("Scores typed in by hand")


@pytest.mark.parametrize(
    "code",
    [
        "score_thresholds = [0.3, 0.5, 0.7]",  # values to cut at
        "cv_sizes = [0.1, 0.2, 0.3]",  # values to try
        "scores = [1, 2, 3]",  # integers: counts or labels, not scores
        "auc = [0.81, 0.83]",  # two values: a pair quoted, not a table
        "scores = [0.9, x, 0.8]",  # computed in part
        "from sklearn.model_selection import cross_val_score\n"
        "scores = cross_val_score(RandomForestClassifier(), df[['a']], df['y'], cv=5)",
    ],
)
def test_values_to_try_short_or_computed_lists_pass(code: str) -> None:
    result = run(results_computed_not_typed, HEAD + code)
    assert result.status is CheckStatus.passed, result.message


def test_a_searchs_settings_typed_in_count_only_where_no_search_is_fitted() -> None:
    settings = "grid_search_results = {'batch_size': 64, 'epochs': 75, 'optimizer': 'rmsprop'}"  # pulsar-04
    typed = run(results_computed_not_typed, HEAD + "# validator.best_params_\n" + settings)
    (finding,) = typed.problems
    assert "a search's chosen settings typed in by hand" in finding.message.lower()
    searched = (
        "from sklearn.model_selection import GridSearchCV\n"
        "search = GridSearchCV(RandomForestClassifier(), {'max_depth': [4, 8]}).fit(df[['a']], df['y'])\n"
    )
    assert run(results_computed_not_typed, HEAD + searched + settings).status is CheckStatus.passed
    # A grid of values to search is an input, not a result.
    grid = "param_grid = {'max_depth': [4, 8], 'n_estimators': [100, 300]}"
    assert run(results_computed_not_typed, HEAD + grid).status is CheckStatus.passed
