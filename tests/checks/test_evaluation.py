"""Edge cases of the evaluation-methodology checks (EVAL001–EVAL006)."""

from __future__ import annotations

from grader.checks.evaluation.cross_validation import uses_cross_validation
from grader.checks.evaluation.error_analysis import error_analysis
from grader.checks.evaluation.held_out_evaluation import evaluates_on_held_out_data
from grader.checks.evaluation.metrics_fit_task import metrics_fit_task
from grader.checks.evaluation.random_seeds import random_seeds_set
from grader.checks.evaluation.stratified_splits import stratified_splits
from grader.models.findings import CheckStatus
from tests.checks._helpers import cells_of, run, severities

IMPORTS = """\
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier as RF
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
df = pd.read_csv("data/train.csv")
X, y = df.drop(columns=["churned"]), df["churned"]
"""

# --------------------------------------------------------------------------- EVAL001


def test_helper_function_evaluated_on_validation_data_passes() -> None:
    result = run(
        evaluates_on_held_out_data,
        IMPORTS,
        "X_tr, X_va, y_tr, y_va = train_test_split(X, y, stratify=y, random_state=0)",
        "def evaluate(model, features, target):\n    return roc_auc_score(target, model.predict_proba(features)[:, 1])",
        "m = RF(random_state=0).fit(X_tr, y_tr)\nprint(evaluate(m, X_va, y_va))",
    )
    assert result.status is CheckStatus.passed, result.message


def test_helper_called_on_training_data_only_is_high() -> None:
    result = run(
        evaluates_on_held_out_data,
        IMPORTS,
        "def evaluate(model, features, target):\n    return roc_auc_score(target, model.predict_proba(features)[:, 1])",
        "m = RF(random_state=0).fit(X, y)\nprint(evaluate(m, X, y))",
    )
    assert result.status is CheckStatus.failed
    assert severities(result) == ["high"]
    assert 2 in cells_of(result)


def test_score_method_on_fitted_data_is_high() -> None:
    result = run(evaluates_on_held_out_data, IMPORTS, "clf = LogisticRegression().fit(X, y)\nclf.score(X, y)")
    assert severities(result) == ["high"]


def test_training_score_next_to_test_score_passes() -> None:
    result = run(
        evaluates_on_held_out_data,
        IMPORTS,
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
        "clf = LogisticRegression().fit(X_train, y_train)\n"
        "print(clf.score(X_train, y_train), accuracy_score(y_test, clf.predict(X_test)))",
    )
    assert result.status is CheckStatus.passed


def test_no_split_and_no_evaluation_is_medium() -> None:
    result = run(evaluates_on_held_out_data, IMPORTS, "final = RF(random_state=0).fit(X, y)")
    assert severities(result) == ["medium"]


# --------------------------------------------------------------------------- EVAL002


def test_manual_fold_loop_counts_as_cross_validation() -> None:
    result = run(
        uses_cross_validation,
        IMPORTS + "from sklearn.model_selection import StratifiedKFold\n",
        "skf = StratifiedKFold(5, shuffle=True, random_state=0)\n"
        "for fold, (tr, va) in enumerate(skf.split(X, y)):\n"
        "    m = RF(random_state=0).fit(X.iloc[tr], y.iloc[tr])\n"
        "    print(fold, roc_auc_score(y.iloc[va], m.predict_proba(X.iloc[va])[:, 1]))",
    )
    assert result.status is CheckStatus.passed


def test_library_cv_and_builtin_cv_estimators_count() -> None:
    lgb = run(
        uses_cross_validation,
        "import lightgbm as lgb\n" + IMPORTS,
        "res = lgb.cv({'objective': 'binary'}, lgb.Dataset(X, y), nfold=5)",
    )
    assert lgb.status is CheckStatus.passed
    builtin = run(
        uses_cross_validation,
        IMPORTS + "from sklearn.linear_model import LogisticRegressionCV\n",
        "m = LogisticRegressionCV(Cs=10).fit(X, y)",
    )
    assert builtin.status is CheckStatus.passed


def test_single_split_points_at_the_split() -> None:
    result = run(
        uses_cross_validation,
        IMPORTS,
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
        "m = RF(random_state=0).fit(X_train, y_train)\nprint(roc_auc_score(y_test, m.predict_proba(X_test)[:, 1]))",
    )
    assert result.status is CheckStatus.failed
    assert 1 in cells_of(result)


# --------------------------------------------------------------------------- EVAL003


def test_regression_is_not_applicable() -> None:
    result = run(
        stratified_splits,
        "from sklearn.model_selection import KFold, train_test_split\n"
        "a, b = train_test_split(df)\ncv = KFold(5, shuffle=True, random_state=0)",
        task="delivery",
    )
    assert result.status is CheckStatus.not_applicable
    assert "not applicable" in result.message


def test_unstratified_splitter_on_rare_positives_is_medium() -> None:
    result = run(
        stratified_splits,
        "from sklearn.model_selection import KFold, ShuffleSplit, cross_val_score\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "cv = KFold(5, shuffle=True, random_state=0)\n"
        "ss = ShuffleSplit(3, random_state=0)",
        task="fraud",
    )
    assert severities(result) == ["medium", "medium"]
    assert result.score == 0.0


def test_integer_cv_group_and_time_splitters_pass() -> None:
    result = run(
        stratified_splits,
        "from sklearn.model_selection import GroupKFold, TimeSeriesSplit, "
        "cross_val_score, train_test_split\nfrom sklearn.ensemble import RandomForestClassifier\n"
        "a, b, c, d = train_test_split(X, y, stratify=y, random_state=0)\n"
        "cross_val_score(RandomForestClassifier(), X, y, cv=5)\n"
        "g = GroupKFold(5)\nt = TimeSeriesSplit(5)",
        task="fraud",
    )
    assert result.status is CheckStatus.passed


def test_explicit_stratify_none_is_a_finding() -> None:
    result = run(
        stratified_splits,
        "from sklearn.model_selection import train_test_split\na, b, c, d = train_test_split(X, y, stratify=None)",
        task="churn",
    )
    assert severities(result) == ["low"]


def test_imbalance_read_from_printed_value_counts_without_assignment() -> None:
    outputs = {
        0: [
            {
                "output_type": "execute_result",
                "execution_count": 1,
                "metadata": {},
                "data": {"text/plain": "is_fraud\n0    0.97\n1    0.03\nName: proportion, dtype: float64"},
            }
        ]
    }
    result = run(
        stratified_splits,
        "from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.model_selection import "
        "train_test_split\ndf['is_fraud'].value_counts(normalize=True)",
        "a, b, c, d = train_test_split(X, y)\nRandomForestClassifier().fit(a, c)",
        outputs=outputs,
    )
    assert severities(result) == ["medium"]


# --------------------------------------------------------------------------- EVAL004


def test_cross_val_score_without_scoring_is_accuracy_on_fraud() -> None:
    result = run(
        metrics_fit_task,
        IMPORTS + "from sklearn.model_selection import cross_val_score\n",
        "print(cross_val_score(RF(random_state=0), X, y, cv=5).mean())",
        task="fraud",
    )
    assert "high" in severities(result)
    assert any("cross_val_score without scoring=" in f.message for f in result.problems)


def test_classification_report_is_imbalance_aware() -> None:
    result = run(
        metrics_fit_task,
        IMPORTS + "from sklearn.metrics import classification_report, average_precision_score\n",
        "X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)\n"
        "m = RF(random_state=0).fit(X_train, y_train)\n"
        "print(accuracy_score(y_test, m.predict(X_test)))\n"
        "print(classification_report(y_test, m.predict(X_test)))\n"
        "print(average_precision_score(y_test, m.predict_proba(X_test)[:, 1]))",
        task="fraud",
    )
    assert result.status is CheckStatus.passed, [f.message for f in result.problems]


def test_regression_with_classification_metric_is_high() -> None:
    result = run(
        metrics_fit_task,
        "from sklearn.metrics import accuracy_score, mean_absolute_error\n"
        "from sklearn.linear_model import Ridge\n"
        "m = Ridge().fit(X_tr, y_tr)\np = m.predict(X_va)\n"
        "print(accuracy_score(y_va.round(), p.round()), mean_absolute_error(y_va, p))",
        task="delivery",
    )
    assert severities(result) == ["high"]


def test_sqrt_of_mse_is_rmse_and_primary_mae_missing() -> None:
    result = run(
        metrics_fit_task,
        "import numpy as np\nfrom sklearn.metrics import mean_squared_error\n"
        "from sklearn.linear_model import Ridge\n"
        "m = Ridge().fit(X_tr, y_tr)\nprint(np.sqrt(mean_squared_error(y_va, m.predict(X_va))))",
        task="delivery",
    )
    assert "rmse" in result.message
    assert [f.data.get("primary_metric") for f in result.problems] == ["mae"]


def test_scoring_dict_variable_and_make_scorer_are_read() -> None:
    result = run(
        metrics_fit_task,
        "from sklearn.metrics import make_scorer, average_precision_score\n"
        "from sklearn.model_selection import cross_validate\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "SCORING = {'ap': make_scorer(average_precision_score), 'acc': 'accuracy'}\n"
        "cross_validate(RandomForestClassifier(), X, y, scoring=SCORING)",
        task="fraud",
    )
    assert result.status is CheckStatus.passed, [f.message for f in result.problems]


# --------------------------------------------------------------------------- EVAL005


def test_regression_residuals_count_as_error_analysis() -> None:
    result = run(
        error_analysis,
        "from sklearn.linear_model import Ridge\nm = Ridge().fit(X_tr, y_tr)\n"
        "pred = m.predict(X_va)\nresiduals = y_va - pred\nresiduals.hist()",
        task="delivery",
    )
    assert result.status is CheckStatus.passed


def test_crosstab_of_predictions_counts() -> None:
    result = run(
        error_analysis,
        IMPORTS,
        "m = RF().fit(X_tr, y_tr)\ny_pred = m.predict(X_va)\npd.crosstab(y_va, y_pred)",
        task="churn",
    )
    assert result.status is CheckStatus.passed


def test_scores_only_is_a_finding() -> None:
    result = run(
        error_analysis,
        IMPORTS,
        "m = RF().fit(X_tr, y_tr)\nprint(roc_auc_score(y_va, m.predict_proba(X_va)[:, 1]))",
        task="churn",
    )
    assert severities(result) == ["medium"]


# --------------------------------------------------------------------------- EVAL006


def test_global_numpy_seed_covers_sklearn_but_not_later_generators() -> None:
    result = run(
        random_seeds_set,
        IMPORTS,
        "np.random.seed(0)",
        "a, b, c, d = train_test_split(X, y)\nm = RF().fit(a, c)\nrng = np.random.default_rng()",
    )
    assert result.status is CheckStatus.failed
    assert [f.data["call"] for f in result.problems] == ["np.random.default_rng()"]


def test_models_in_a_dict_are_each_checked() -> None:
    result = run(
        random_seeds_set,
        IMPORTS + "from sklearn.ensemble import GradientBoostingClassifier\nfrom xgboost import XGBClassifier\n",
        "models = {'rf': RF(n_estimators=100), 'gb': GradientBoostingClassifier(random_state=1),\n"
        "          'lr': LogisticRegression(), 'xgb': XGBClassifier()}\n"
        "for name, m in models.items():\n    m.fit(X, y)",
    )
    assert [f.data["call"] for f in result.problems] == ["RandomForestClassifier"]
    assert result.score == 0.5


def test_kwargs_set_params_and_unshuffled_folds_are_fine() -> None:
    result = run(
        random_seeds_set,
        IMPORTS + "from sklearn.model_selection import KFold, StratifiedKFold\n",
        "params = {'random_state': 0}\nm1 = RF(**params)\nm2 = RF()\nm2.set_params(random_state=3)\n"
        "cv = KFold(5)\ncv2 = StratifiedKFold(5, shuffle=False)",
    )
    assert result.status is CheckStatus.passed, [f.message for f in result.problems]


def test_random_search_shuffled_folds_and_samples_without_seed() -> None:
    result = run(
        random_seeds_set,
        IMPORTS + "from sklearn.model_selection import KFold, RandomizedSearchCV\n",
        "cv = KFold(5, shuffle=True)\ns = RandomizedSearchCV(RF(random_state=0), {}, cv=cv)\n"
        "small = df.sample(frac=0.1)",
    )
    assert severities(result) == ["low", "medium", "medium"]


def test_data_the_model_was_fitted_on_is_training_data_whatever_its_name() -> None:
    result = run(
        evaluates_on_held_out_data,
        IMPORTS,
        "X_dev, y_dev = X[:5000], y[:5000]",
        "m = RF(random_state=0).fit(X_dev, y_dev)\nprint(roc_auc_score(y_dev, m.predict_proba(X_dev)[:, 1]))",
    )
    assert severities(result) == ["high"]


def test_a_regressor_fitted_on_the_class_labels_is_medium() -> None:
    """placement-02 / loan-01's shape: Ridge and a DecisionTreeRegressor on the 0/1 target, scored with MSE."""
    regress = (
        "from sklearn.linear_model import Ridge\nfrom sklearn.tree import DecisionTreeRegressor\n"
        "from sklearn.metrics import mean_squared_error\n"
        "X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)\n"
        "r = Ridge().fit(X_tr, y_tr)\nprint(mean_squared_error(y_te, r.predict(X_te)))\n"
        "t = DecisionTreeRegressor(random_state=0).fit(X_tr, y_tr)\nprint(roc_auc_score(y_te, t.predict(X_te)))"
    )
    bad = run(metrics_fit_task, IMPORTS, regress, task="churn")
    [finding] = [f for f in bad.problems if "Regression model" in f.message]
    assert finding.severity.value == "medium" and finding.data["regressors"] == ["DecisionTreeRegressor", "Ridge"]
    assert "churned" in finding.message and "mse" in finding.message
    # Classifiers on the labels, and a regressor on another column (a side question): not this finding.
    good = run(
        metrics_fit_task,
        IMPORTS + "from sklearn.linear_model import Ridge\n",
        "X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)\n"
        "m = LogisticRegression().fit(X_tr, y_tr)\nprint(roc_auc_score(y_te, m.predict_proba(X_te)[:, 1]))\n"
        "side = Ridge().fit(X_tr.drop(columns=['tenure']), X_tr['tenure'])",
        task="churn",
    )
    assert not [f for f in good.problems if "Regression model" in f.message], [f.message for f in good.problems]
