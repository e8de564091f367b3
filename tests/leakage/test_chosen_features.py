"""Features chosen by hand from correlations with the target (or a supervised model) over all rows (LEAK001)."""

from __future__ import annotations

from grader.evidence.leakage.base import LeakKind
from grader.models.findings import Finding
from tests.conftest import make_notebook, static_context

HEAD = """\
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
df = pd.read_csv("data/train.csv")
"""
CORR_ALL = 'print(df.corr()["price"].sort_values())'
CORR_TRAIN = (
    'train, test = train_test_split(df, test_size=0.2, random_state=0)\nprint(train.corr()["price"].sort_values())'
)
MODEL = """\
X = df[["ram", "battery", "width"]]
y = df["price"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
print(LinearRegression().fit(X_train, y_train).score(X_test, y_test))
"""
IMPORTANCES_ALL = 'from sklearn.ensemble import RandomForestRegressor\nrf = RandomForestRegressor().fit(df.drop(columns="price"), df["price"])\nprint(rf.feature_importances_)'


def chosen(*cells: str | tuple[str, str]) -> list[Finding]:
    ctx = static_context(make_notebook(HEAD, *cells))
    return [f for f in ctx.leakage.of(LeakKind.preprocessing) if f.data.get("how") == "chosen_features"]


def test_features_kept_for_their_correlation_with_the_target_over_all_rows_leak() -> None:
    [finding] = chosen(
        CORR_ALL, ("md", "We keep the three features with the highest correlation to the target."), MODEL
    )
    assert finding.severity.value == "medium" and finding.data["basis"] == "correlation"
    assert finding.evidence[0].cell == 2 and finding.evidence[0].source.value == "markdown"
    # ... said in a code comment, naming the target column instead of "target".
    comment = "# select the features most correlated with price\n" + MODEL
    [finding] = chosen(CORR_ALL, comment)
    assert finding.evidence[0].cell == 2 and finding.evidence[0].source.value == "code"


def test_features_kept_on_importances_of_a_model_fitted_on_all_rows_leak() -> None:
    note = ("md", "The importances above are tiny for most columns, so we drop those features and keep three.")
    [finding] = chosen(IMPORTANCES_ALL, note, MODEL)
    assert finding.data["basis"] == "model"


def test_no_leak_without_a_choice_on_the_labels_of_the_test_rows() -> None:
    keep = ("md", "We keep the three features with the highest correlation to the target.")
    # Correlations computed on the training rows only.
    on_train = 'cols = ["ram", "battery", "width"]\nm = LinearRegression().fit(train[cols], train["price"])\nprint(m.score(test[cols], test["price"]))'
    assert chosen(CORR_TRAIN, keep, on_train) == []
    assert len(chosen(CORR_ALL, keep, CORR_TRAIN, on_train)) == 1  # the same choice on all rows' correlations leaks
    # An observation, not a choice; collinearity between features; a plan for later.
    assert chosen(CORR_ALL, ("md", "Ram is the feature most correlated with the target."), MODEL) == []
    collinear = ("md", "We drop the features highly correlated with each other.")
    assert chosen(CORR_ALL, collinear, MODEL) == []
    later = ("md", "In future work we could select features by their correlation with the target.")
    assert chosen(CORR_ALL, later, MODEL) == []
    # A choice the notebook states, but no correlation computed before it: nothing to rest on.
    assert chosen(keep, MODEL) == []


def test_features_dropped_on_p_values_of_an_ols_over_all_rows_leak() -> None:
    """fish-01's shape: statsmodels OLS on all rows, features dropped on its p-values, then a split."""
    ols_all = 'import statsmodels.api as sm\nres = sm.OLS(df["price"], sm.add_constant(df.drop(columns="price"))).fit()\nprint(res.pvalues)'
    note = ("md", "Width has a p-value above 0.05, so we drop that feature.")
    [finding] = chosen(ols_all, note, MODEL)
    assert finding.data["basis"] == "model"
    ols_train = (
        "import statsmodels.api as sm\ntrain, test = train_test_split(df, test_size=0.2, random_state=0)\n"
        'res = sm.OLS(train["price"], sm.add_constant(train.drop(columns="price"))).fit()\nprint(res.pvalues)'
    )
    on_train = 'cols = ["ram", "battery"]\nm = LinearRegression().fit(train[cols], train["price"])\nprint(m.score(test[cols], test["price"]))'
    assert chosen(ols_train, note, on_train) == []
