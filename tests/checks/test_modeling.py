"""Edge cases of the model-selection checks (MOD001–MOD004)."""

from __future__ import annotations

from grader.checks.modeling.baseline import has_baseline
from grader.checks.modeling.compares_models import compares_model_families
from grader.checks.modeling.model_choice_explained import model_choice_explained
from grader.checks.modeling.tuning import tuned_inside_cv
from grader.models.findings import CheckStatus
from tests.checks._helpers import cells_of, run, severities

IMPORTS = """\
import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier as RF
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, mean_absolute_error
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
df = pd.read_csv("data/train.csv")
X, y = df.drop(columns=["churned"]), df["churned"]
"""

# --------------------------------------------------------------------------- MOD001


def test_dummy_inside_a_dict_that_is_looped_over_is_a_baseline() -> None:
    result = run(
        has_baseline,
        IMPORTS,
        "models = {'dummy': DummyClassifier(strategy='prior'), 'rf': RF(random_state=0)}\n"
        "for name, m in models.items():\n    print(name, cross_val_score(m, X, y, scoring='roc_auc').mean())",
    )
    assert result.status is CheckStatus.passed


def test_dummy_built_but_never_used_is_low() -> None:
    result = run(has_baseline, IMPORTS, "dummy = DummyClassifier()", "m = RF(random_state=0).fit(X, y)")
    assert severities(result) == ["low"]
    assert 1 in cells_of(result)


def test_constant_median_prediction_is_a_baseline() -> None:
    result = run(
        has_baseline,
        IMPORTS + "from sklearn.ensemble import GradientBoostingRegressor\n",
        "m = GradientBoostingRegressor(random_state=0).fit(X_tr, y_tr)\n"
        "print(mean_absolute_error(y_va, m.predict(X_va)))\n"
        "print(mean_absolute_error(y_va, np.full_like(y_va, y_tr.median())))",
    )
    assert result.status is CheckStatus.passed


def test_simple_model_framed_as_baseline_passes_unframed_is_low() -> None:
    cells = (
        IMPORTS,
        "for m in [LogisticRegression(), RF(random_state=0)]:\n"
        "    print(cross_val_score(m, X, y, scoring='roc_auc').mean())",
    )
    unframed = run(has_baseline, *cells)
    assert severities(unframed) == ["low"]
    framed = run(has_baseline, *cells, ("md", "Logistic regression is the baseline the forest has to beat."))
    assert framed.status is CheckStatus.passed


def test_baseline_words_without_a_baseline_do_not_pass() -> None:
    """Words alone ("naive", "dummy variables", "Naive Bayes", `va="baseline"`) name no reference model."""
    result = run(
        has_baseline,
        IMPORTS + "import matplotlib.pyplot as plt\n",
        ("md", "A naive first look: we built 12 dummy variables; Naive Bayes scores 0.71 on 3 folds."),
        "m = RF(random_state=0).fit(X_tr, y_tr)\n"
        "score = roc_auc_score(y_va, m.predict_proba(X_va)[:, 1])\n"
        "plt.text(0, score, 'naive', va='baseline')",
    )
    assert severities(result) == ["medium"]


def test_majority_class_rate_is_a_baseline_and_a_column_share_is_not() -> None:
    model = "m = RF(random_state=0).fit(X_tr, y_tr)\nprint(roc_auc_score(y_va, m.predict_proba(X_va)[:, 1]))"
    majority = run(has_baseline, IMPORTS, model, "print('always no:', y_va.value_counts(normalize=True).max())")
    assert majority.status is CheckStatus.passed
    column = run(has_baseline, IMPORTS, model, "print((df['region'] == 'north').mean())")
    assert severities(column) == ["medium"]


def test_simple_model_framed_where_it_is_built_passes_and_baseline_elsewhere_does_not() -> None:
    compared = "for m in [lr, RF(random_state=0)]:\n    print(cross_val_score(m, X, y, scoring='roc_auc').mean())"
    framed = run(has_baseline, IMPORTS, "lr = LogisticRegression()  # the baseline", compared)
    assert framed.status is CheckStatus.passed
    elsewhere = run(
        has_baseline,
        IMPORTS,
        ("md", "The baseline churn rate is about a quarter of customers."),
        "lr = LogisticRegression()",
        compared,
    )
    assert severities(elsewhere) == ["low"]


def test_single_complex_model_without_baseline_is_medium() -> None:
    result = run(
        has_baseline, IMPORTS + "from xgboost import XGBClassifier\n", "m = XGBClassifier(n_estimators=300).fit(X, y)"
    )
    assert severities(result) == ["medium"]
    assert 1 in cells_of(result)


# --------------------------------------------------------------------------- MOD002


def test_aliases_xgboost_lightgbm_in_a_dict_are_families() -> None:
    result = run(
        compares_model_families,
        "import xgboost as xgb\nimport lightgbm as lgb\n" + IMPORTS,
        "models = {'xgb': xgb.XGBClassifier(), 'lgbm': lgb.LGBMClassifier(), 'rf': RF()}\n"
        "for n, m in models.items():\n    m.fit(X, y)",
    )
    assert result.status is CheckStatus.passed
    assert "boosting" in result.message and "forest" in result.message


def test_two_tuned_random_forests_are_one_family() -> None:
    result = run(
        compares_model_families,
        IMPORTS,
        "a = RF(max_depth=4).fit(X, y)\nb = RF(max_depth=None).fit(X, y)",
        "g = GridSearchCV(RF(), {'n_estimators': [100, 300]}).fit(X, y)",
    )
    assert severities(result) == ["medium"]
    assert result.problems[0].data["families"] == ["forest"]


def test_selector_estimator_and_dummy_do_not_count() -> None:
    result = run(
        compares_model_families,
        IMPORTS + "from sklearn.feature_selection import SelectFromModel\n",
        "pipe = make_pipeline(SelectFromModel(LogisticRegression(penalty='l1', solver='liblinear')), RF())\n"
        "d = DummyClassifier().fit(X, y)\npipe.fit(X, y)",
    )
    assert severities(result) == ["medium"]


def test_pipelines_imblearn_and_statsmodels_families() -> None:
    result = run(
        compares_model_families,
        "import statsmodels.api as sm\n"
        "from imblearn.pipeline import Pipeline as ImbPipeline\nfrom imblearn.over_sampling import SMOTE\n" + IMPORTS,
        "logit = sm.Logit(y, sm.add_constant(X)).fit()\n"
        "pipe = ImbPipeline([('smote', SMOTE(random_state=0)), ('rf', RF(random_state=0))]).fit(X, y)",
    )
    assert result.status is CheckStatus.passed, [f.message for f in result.problems]


def test_unseeded_shuffled_folds_per_model_are_different_folds() -> None:
    result = run(
        compares_model_families,
        IMPORTS,
        "a = cross_val_score(LogisticRegression(), X, y, cv=StratifiedKFold(5, shuffle=True))\n"
        "b = cross_val_score(RF(), X, y, cv=StratifiedKFold(5, shuffle=True))",
    )
    assert severities(result) == ["low"]
    assert result.score == 1.0


def test_same_cv_object_and_same_integer_folds_are_the_same() -> None:
    result = run(
        compares_model_families,
        IMPORTS,
        "cv = StratifiedKFold(5, shuffle=True, random_state=0)\n"
        "a = cross_val_score(LogisticRegression(), X, y, cv=cv)\nb = cross_val_score(RF(), X, y, cv=cv)\n"
        "c = cross_val_score(LogisticRegression(), X, y, cv=5)\nd = cross_val_score(RF(), X, y)",
    )
    assert severities(result) == ["low"]  # cv object vs default 5-fold: two fold definitions
    same = run(
        compares_model_families,
        IMPORTS,
        "a = cross_val_score(LogisticRegression(), X, y, cv=5)\nb = cross_val_score(RF(), X, y)",
    )
    assert same.status is CheckStatus.passed


# --------------------------------------------------------------------------- MOD003


def test_search_over_a_pipeline_fitted_on_training_part_passes() -> None:
    result = run(
        tuned_inside_cv,
        IMPORTS,
        "X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)\n"
        "pipe = Pipeline([('scale', StandardScaler()), ('clf', LogisticRegression())])\n"
        "search = GridSearchCV(pipe, {'clf__C': [0.1, 1, 10]}, cv=5, scoring='roc_auc')\n"
        "search.fit(X_train, y_train)",
    )
    assert result.status is CheckStatus.passed


def test_search_inside_a_pipeline_and_halving_search_count() -> None:
    result = run(
        tuned_inside_cv,
        IMPORTS + "from sklearn.experimental import enable_halving_search_cv\n"
        "from sklearn.model_selection import HalvingGridSearchCV\n",
        "pipe = make_pipeline(StandardScaler(), HalvingGridSearchCV(LogisticRegression(), {'C': [1, 10]}))\n"
        "pipe.fit(X, y)",
    )
    assert result.status is CheckStatus.passed


def test_search_fitted_on_the_data_the_test_split_comes_from_is_medium() -> None:
    result = run(
        tuned_inside_cv,
        IMPORTS,
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
        "grid = GridSearchCV(RF(), {'max_depth': [3, None]})\ngrid.fit(X, y)",
    )
    assert severities(result) == ["medium"]
    assert 2 in cells_of(result)


def test_manual_loop_with_cross_validation_passes_without_is_low() -> None:
    with_cv = run(
        tuned_inside_cv,
        IMPORTS,
        "for depth in [3, 5, 8]:\n    print(depth, cross_val_score(RF(max_depth=depth), X, y).mean())",
    )
    assert with_cv.status is CheckStatus.passed
    one_split = run(
        tuned_inside_cv,
        IMPORTS,
        "for c in [0.1, 1, 10]:\n    m = LogisticRegression(C=c).fit(X_tr, y_tr)\n"
        "    print(c, roc_auc_score(y_va, m.predict_proba(X_va)[:, 1]))",
    )
    assert severities(one_split) == ["low"]


def test_loop_over_seeds_is_not_tuning() -> None:
    result = run(tuned_inside_cv, IMPORTS, "for seed in range(3):\n    RF(random_state=seed).fit(X, y)")
    assert severities(result) == ["low"]
    assert "never tuned" in result.problems[0].message


# --------------------------------------------------------------------------- MOD004


def test_explanation_in_readme_counts() -> None:
    result = run(
        model_choice_explained,
        IMPORTS,
        "m = RF(random_state=0).fit(X, y)",
        files={
            "README.md": "# Churn\n\nI chose the random forest because it handles the interactions "
            "between contract and support calls that the linear model misses."
        },
    )
    assert result.status is CheckStatus.passed


def test_plan_in_the_introduction_only_is_not_an_explanation() -> None:
    result = run(
        model_choice_explained,
        (
            "md",
            "# Plan\n\nI will compare a logistic regression with a random forest and pick the better "
            "one because the brief asks for a ranking.",
        ),
        IMPORTS,
        "for m in [LogisticRegression(), RF()]:\n    m.fit(X, y)",
        ("md", "## Results\n\nThe random forest scores 0.86 and the logistic regression 0.85."),
    )
    assert severities(result) == ["low"]


def test_no_prose_about_models_is_medium() -> None:
    result = run(model_choice_explained, IMPORTS, "m = RF().fit(X, y)", ("md", "## Predictions"))
    assert severities(result) == ["medium"]


def test_fresh_unseeded_folds_inside_a_model_loop_differ_per_model() -> None:
    result = run(
        compares_model_families,
        IMPORTS + "from sklearn.model_selection import KFold\n",
        "for m in [LogisticRegression(), RF()]:\n    print(cross_val_score(m, X, y, cv=KFold(5, shuffle=True)).mean())",
    )
    assert severities(result) == ["low"]


def test_robustness_check_of_the_chosen_model_on_other_folds_is_fine() -> None:
    result = run(
        compares_model_families,
        IMPORTS + "from sklearn.model_selection import GroupKFold, TimeSeriesSplit, cross_validate\n",
        "tscv = TimeSeriesSplit(5)\ncandidates = {'lr': LogisticRegression(), 'rf': RF(random_state=0)}\n"
        "for name, model in candidates.items():\n    cross_validate(model, X, y, cv=tscv)",
        "search = GridSearchCV(candidates['rf'], {'max_depth': [3, 5]}, cv=tscv).fit(X, y)\n"
        "cross_validate(search.best_estimator_, X, y, groups=g, cv=GroupKFold(5))",
    )
    assert result.status is CheckStatus.passed, [f.message for f in result.problems]
