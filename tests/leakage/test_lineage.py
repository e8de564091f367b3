"""Leakage by lineage (issue 14): derived leak columns, the target among the features read from the
code, supervised feature choices before the split, the Kaggle idioms, and severities that tell
cross-validation contamination from leakage into the test rows. Static analysis only; the traced
decisions are proven by the executed examples (tests/check_examples/LEAK012, LEAK008)."""

from __future__ import annotations

import pytest

from grader.evidence.leakage.base import LeakKind
from grader.models.findings import Confidence, Finding, Severity
from tests.conftest import make_notebook, static_context
from tests.leakage.test_dataflow import HEAD, assignment

FEATURES = 'X = df.drop(columns=["y", "id", "after_outcome"])\n'
SPLIT_FIT = (
    'Xtr, Xte, ytr, yte = train_test_split(X, df["y"], random_state=0)\n'
    "m = LogisticRegression().fit(Xtr, ytr)\n"
    "print(m.score(Xte, yte))\n"
)


def findings(*cells: str) -> list[tuple[LeakKind, Finding]]:
    ctx = static_context(make_notebook(HEAD, *cells), assignment=assignment())
    return [(leak.kind, leak.finding) for leak in ctx.leakage.findings]


def of(kind: LeakKind, *cells: str) -> list[Finding]:
    return [f for k, f in findings(*cells) if k is kind]


# -- a declared leakage column in disguise -------------------------------------------------------

DISGUISES = {
    "notna": 'df["gave"] = df["after_outcome"].notna().astype(int)\n',
    "map": 'df["gave"] = df["after_outcome"].map({"moved": 1}).fillna(0)\n',
    "len": 'df["gave"] = df["after_outcome"].str.len()\n',
    "apply": 'df["gave"] = df["after_outcome"].apply(lambda r: r is not None)\n',
    "arithmetic": 'df["gave"] = (df["after_outcome"] * 2) + df["a"]\n',
    "transform": 'df["gave"] = df.groupby("a")["after_outcome"].transform("count")\n',
}


@pytest.mark.parametrize("how", sorted(DISGUISES))
def test_a_feature_built_from_a_leakage_column_is_that_column(how: str) -> None:
    found = of(LeakKind.leakage_column, DISGUISES[how] + FEATURES + SPLIT_FIT)
    assert len(found) == 1, found
    assert found[0].severity is Severity.high
    assert "`gave`, built from `after_outcome`" in found[0].message
    assert "not a fair estimate" in found[0].message


@pytest.mark.parametrize("how", sorted(DISGUISES))
def test_the_built_feature_dropped_too_is_no_leak(how: str) -> None:
    features = 'X = df.drop(columns=["y", "id", "after_outcome", "gave"])\n'
    assert not of(LeakKind.leakage_column, DISGUISES[how] + features + SPLIT_FIT)


def test_dummies_of_a_leakage_column_are_that_column() -> None:
    cells = 'd = pd.get_dummies(df.drop(columns=["y", "id"]))\nX = d\n' + SPLIT_FIT
    assert of(LeakKind.leakage_column, cells)


# -- the target among the features, read from the code ----------------------------------------

TARGET_REMOVED = {
    "iloc_last": 'd = df[["a", "b", "y"]]\nX = d.iloc[:, :-1]\ny = d.iloc[:, -1]\n',
    "dummies_dropped": 'd = pd.get_dummies(df.drop(columns=["id", "after_outcome"]), drop_first=True)\n'
    'X = d.drop(columns=["y_Yes"])\n',
    "drop_axis_keyword": 'X = df.drop("y", axis=1).drop(["id", "after_outcome"], axis=1)\n',
    "drop_axis_positional": 'X = df.drop(["y"], 1).drop(["id", "after_outcome"], 1)\n',
    "drop_inplace_in_helper": "def load():\n    d = pd.read_csv('data/train.csv')\n"
    "    d.drop(['y', 'id', 'after_outcome'], axis=1, inplace=True)\n    return d\nX = load()\n",
    # Columns renamed (abalone: `Rings` -> `rings`), then the renamed target dropped.
    "columns_reassigned": 'df.columns = ["target", "ident", "after", "a", "b"]\n'
    'X = df.drop(["target", "ident", "after"], axis=1)\n',
    "renamed_by_mapping": 'df = df.rename(columns={"y": "label", "id": "key"})\n'
    'X = df.drop(columns=["label", "key", "after_outcome"])\n',
    # Kaggle: train without its target stacked on test.csv, then the training rows taken back.
    "rows_stacked_with_test": 'test = pd.read_csv("data/test.csv")\n'
    'both = pd.concat([df.drop(columns=["y"]), test]).drop(columns=["id", "after_outcome"])\n'
    "X = both.iloc[: len(df)]\n",
}


@pytest.mark.parametrize("how", sorted(TARGET_REMOVED))
def test_target_removed_from_the_features_is_no_finding(how: str) -> None:
    cells = (
        TARGET_REMOVED[how] + 'Xtr, Xte, ytr, yte = train_test_split(X, df["y"])\nLogisticRegression().fit(Xtr, ytr)\n'
    )
    assert not [f for k, f in findings(cells) if k is LeakKind.target_derived], how


@pytest.mark.parametrize(
    "features",
    [
        'X = df.drop(columns=["id", "after_outcome"])\n',
        'X = df[["a", "b", "y"]]\n',
        'df = df.rename(columns={"id": "key"})\nX = df.drop(columns=["key", "after_outcome"])\n',
    ],
    ids=["kept", "named", "others_renamed"],
)
def test_target_left_in_the_features_read_from_the_code_is_never_high(features: str) -> None:
    cells = features + 'Xtr, Xte, ytr, yte = train_test_split(X, df["y"])\nLogisticRegression().fit(Xtr, ytr)\n'
    found = of(LeakKind.target_derived, cells)
    assert found
    assert all(f.severity is not Severity.high and f.confidence is Confidence.low for f in found)
    assert "read from the code" in found[0].message


def test_the_target_as_a_feature_of_a_model_of_another_column_is_no_finding() -> None:
    """A side analysis that classifies `a` from every column, the target among them, does not leak the target."""
    other = 'Xtr, Xte, ytr, yte = train_test_split(df[["b", "y"]], df[["a"]])\nLogisticRegression().fit(Xtr, ytr)\n'
    assert not of(LeakKind.target_derived, other)
    own = 'Xtr, Xte, ytr, yte = train_test_split(df[["b", "y"]], df["y"])\nLogisticRegression().fit(Xtr, ytr)\n'
    assert of(LeakKind.target_derived, own)


# -- supervised feature choices before the split ----------------------------------------------

SELECT_FIRST = {
    "select_k_best": "from sklearn.feature_selection import SelectKBest, f_classif\n"
    + FEATURES
    + 'X = SelectKBest(f_classif, k=5).fit_transform(X, df["y"])\n',
    "rfe_support": "from sklearn.feature_selection import RFE\n"
    + FEATURES
    + 'rfe = RFE(LogisticRegression(), n_features_to_select=5).fit(X, df["y"])\n'
    "X = X[X.columns[rfe.get_support()]]\n",
    "correlation_filter": 'corr = df.corr()["y"].abs()\nX = df[corr[corr > 0.1].index.drop("y")]\n',
    "importances_on_all_rows": "from sklearn.ensemble import RandomForestClassifier\n"
    + FEATURES
    + 'rf = RandomForestClassifier().fit(X, df["y"])\n'
    "X = X[pd.Series(rf.feature_importances_, index=X.columns).nlargest(5).index]\n",
}
SELECT_AFTER = {
    "select_k_best": "from sklearn.feature_selection import SelectKBest, f_classif\n"
    + FEATURES
    + 'Xtr, Xte, ytr, yte = train_test_split(X, df["y"], random_state=0)\n'
    "sel = SelectKBest(f_classif, k=5).fit(Xtr, ytr)\n"
    "m = LogisticRegression().fit(sel.transform(Xtr), ytr)\nprint(m.score(sel.transform(Xte), yte))\n",
    "correlation_filter": FEATURES + 'Xtr, Xte, ytr, yte = train_test_split(X, df["y"], random_state=0)\n'
    'corr = Xtr.assign(y=ytr).corr()["y"].abs()\ntop = corr[corr > 0.1].index.drop("y")\n'
    "m = LogisticRegression().fit(Xtr[top], ytr)\nprint(m.score(Xte[top], yte))\n",
}


@pytest.mark.parametrize("how", sorted(SELECT_FIRST))
def test_a_supervised_choice_of_features_before_the_split_leaks_into_the_test_rows(how: str) -> None:
    found = of(LeakKind.preprocessing, SELECT_FIRST[how] + SPLIT_FIT)
    assert found, how
    assert found[0].severity is Severity.high
    assert found[0].data["reaches"] == "test"
    assert "your test score is not a fair estimate" in found[0].message


@pytest.mark.parametrize("how", sorted(SELECT_AFTER))
def test_a_supervised_choice_of_features_on_the_training_rows_is_no_leak(how: str) -> None:
    assert not of(LeakKind.preprocessing, SELECT_AFTER[how]), how


# -- severities: inside cross-validation vs into the test rows --------------------------------


def test_a_scaler_fitted_before_the_test_split_is_medium_and_says_the_test_score_is_optimistic() -> None:
    found = of(LeakKind.preprocessing, FEATURES + "X = StandardScaler().fit_transform(X)\n" + SPLIT_FIT)
    assert [f.severity for f in found] == [Severity.medium]
    assert found[0].data["reaches"] == "test" and "test score" in found[0].message


def test_a_scaler_fitted_on_the_training_split_before_cv_only_inflates_cv_scores() -> None:
    cells = FEATURES + (
        'Xtr, Xte, ytr, yte = train_test_split(X, df["y"])\n'
        "Xs = StandardScaler().fit_transform(Xtr)\n"
        "print(cross_val_score(LogisticRegression(), Xs, ytr, cv=5))\n"
    )
    found = of(LeakKind.preprocessing, cells)
    assert [f.severity for f in found] == [Severity.low]
    assert found[0].data["reaches"] == "cross_validation"
    assert "inflates your cross-validation scores" in found[0].message


@pytest.mark.parametrize("cv", ["cross_val_score(LogisticRegression(), Xs, y, cv=5)", "KFOLDS"])
def test_preprocessing_before_cv_weighs_as_a_test_leak_when_cv_is_the_only_estimate(cv: str) -> None:
    """With no test split, the folds' scores are the reported performance: the leak reaches them."""
    if cv == "KFOLDS":
        cv = (
            "from sklearn.model_selection import KFold\nscores = []\n"
            "for tr, va in KFold(5).split(Xs):\n"
            "    m = LogisticRegression().fit(Xs[tr], y.iloc[tr])\n"
            "    scores.append(m.score(Xs[va], y.iloc[va]))\n"
            "print(scores)"
        )
    cells = FEATURES + 'y = df["y"]\nXs = StandardScaler().fit_transform(X)\n' + cv + "\n"
    found = of(LeakKind.preprocessing, cells)
    assert [f.severity for f in found] == [Severity.medium]
    assert "the notebook's only held-out estimate" in found[0].message
    assert found[0].data["reaches"] == "cross_validation"


def test_a_supervised_selector_before_cv_is_medium_not_high() -> None:
    cells = FEATURES + (
        "from sklearn.feature_selection import SelectKBest\n"
        'Xtr, Xte, ytr, yte = train_test_split(X, df["y"])\n'
        "Xk = SelectKBest(k=5).fit_transform(Xtr, ytr)\n"
        "print(cross_val_score(LogisticRegression(), Xk, ytr, cv=5))\n"
    )
    found = of(LeakKind.preprocessing, cells)
    assert [f.severity for f in found] == [Severity.medium]
    assert "inflates your cross-validation scores" in found[0].message


# -- Kaggle idioms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ('df["a"] = df["a"].fillna(df["a"].mean())\n' + FEATURES + SPLIT_FIT, LeakKind.statistic),
        (
            "def prep(d):\n    d = d.copy()\n    d[['a', 'b']] = StandardScaler().fit_transform(d[['a', 'b']])\n"
            "    return d\ndf = prep(df)\n" + FEATURES + SPLIT_FIT,
            LeakKind.preprocessing,
        ),
        (
            "from sklearn.cross_validation import train_test_split as tts\n"
            + FEATURES
            + "Xs = StandardScaler().fit_transform(X)\n"
            'Xtr, Xte, ytr, yte = tts(Xs, df["y"])\nm = LogisticRegression().fit(Xtr, ytr)\nprint(m.score(Xte, yte))\n',
            LeakKind.preprocessing,
        ),
        (
            "from keras.models import Sequential\n" + FEATURES + "Xs = StandardScaler().fit_transform(X)\n"
            'model = Sequential()\nmodel.fit(Xs, df["y"], epochs=5, validation_split=0.2)\n',
            LeakKind.preprocessing,
        ),
        (
            "from sklearn.cross_validation import KFold\n"
            + FEATURES
            + "Xs = StandardScaler().fit_transform(X.values)\n"
            'y = df["y"].values\nfor tr, te in KFold(len(y), n_folds=5):\n'
            "    m = LogisticRegression().fit(Xs[tr], y[tr])\n    print(m.score(Xs[te], y[te]))\n",
            LeakKind.preprocessing,
        ),
    ],
    ids=["fillna_mean", "helper_on_full_frame", "old_cross_validation_module", "keras_validation_split", "old_kfold"],
)
def test_kaggle_idioms_fit_on_all_rows(code: str, kind: LeakKind) -> None:
    assert of(kind, code)


def test_keras_validation_rows_kept_out_of_the_scaler_is_no_leak() -> None:
    cells = (
        "from keras.models import Sequential\n"
        + FEATURES
        + (
            'Xtr, Xte, ytr, yte = train_test_split(X, df["y"])\nsc = StandardScaler().fit(Xtr)\n'
            "model = Sequential()\nmodel.fit(sc.transform(Xtr), ytr, epochs=5, validation_data=(sc.transform(Xte), yte))\n"
        )
    )
    assert not of(LeakKind.preprocessing, cells)


PREFIT = (
    "from sklearn.feature_selection import SelectFromModel\nfrom sklearn.ensemble import RandomForestClassifier\n"
    + FEATURES
    + 'clf = RandomForestClassifier().fit(X, df["y"])\n'
)


def test_a_prefit_selector_learnt_from_the_rows_its_model_was_fitted_on() -> None:
    cells = PREFIT + (
        "X_small = SelectFromModel(clf, prefit=True).transform(X)\n"
        'print(cross_val_score(LogisticRegression(), X_small, df["y"], cv=5).mean())\n'
    )
    found = of(LeakKind.preprocessing, cells)
    # Cross-validation is this notebook's only estimate, so choosing features with its folds' labels is high.
    assert [f.severity for f in found] == [Severity.high]
    assert "SelectFromModel" in found[0].message and "cross-validation" in found[0].message


def test_a_prefit_selector_from_a_model_fitted_on_the_training_split_is_no_leak() -> None:
    cells = FEATURES + (
        "from sklearn.feature_selection import SelectFromModel\nfrom sklearn.ensemble import RandomForestClassifier\n"
        'Xtr, Xte, ytr, yte = train_test_split(X, df["y"])\nclf = RandomForestClassifier().fit(Xtr, ytr)\n'
        "sel = SelectFromModel(clf, prefit=True)\nm = LogisticRegression().fit(sel.transform(Xtr), ytr)\n"
        "print(m.score(sel.transform(Xte), yte))\n"
    )
    assert not of(LeakKind.preprocessing, cells)


def test_python2_print_statements_do_not_hide_the_cell() -> None:
    cells = PREFIT + (
        "X_small = SelectFromModel(clf, prefit=True).transform(X)\nprint X_small.shape\n"
        'print cross_val_score(LogisticRegression(), X_small, df["y"], cv=5).mean()\n'
    )
    assert of(LeakKind.preprocessing, cells)


# -- a statistic of the labels that only reaches the labels a metric compares with ------------


def test_test_labels_binarised_at_their_own_mean_for_scoring_are_no_leak() -> None:
    """cardio-02 (fresh5): `y_test >= y_test.mean()` feeds `accuracy_score` only; nothing reaches the features."""
    cells = (
        'X = df.drop(columns=["y", "id", "after_outcome"])\n'
        'Xtr, Xte, ytr, yte = train_test_split(X, df["y"], random_state=0)\n'
        "m = LogisticRegression().fit(Xtr, ytr >= ytr.mean())\n"
        "from sklearn.metrics import accuracy_score\n"
        "print(accuracy_score(yte >= yte.mean(), m.predict(Xte)))\n"
    )
    assert not of(LeakKind.target_encoding, cells)


def test_a_target_mean_that_reaches_the_features_before_the_split_still_leaks() -> None:
    cells = (
        'df["a_rate"] = df["a"].map(df.groupby("a")["y"].mean())\n'
        'X = df.drop(columns=["y", "id", "after_outcome"])\n'
        'Xtr, Xte, ytr, yte = train_test_split(X, df["y"], random_state=0)\n'
        "m = LogisticRegression().fit(Xtr, ytr)\nprint(m.score(Xte, yte))\n"
    )
    found = [f for k, f in findings(cells) if k in (LeakKind.target_encoding, LeakKind.target_derived)]
    assert found and found[0].severity is Severity.high
