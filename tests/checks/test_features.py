"""Edge cases of the feature-engineering checks (FEAT001–FEAT005)."""

from __future__ import annotations

from grader.checks.features.categorical_encoding import categoricals_encoded
from grader.checks.features.engineered_features import features_engineered_with_reasons
from grader.checks.features.missing_values import missing_values_handled
from grader.checks.features.preprocessing_in_pipeline import preprocessing_in_pipeline
from grader.checks.features.scaling import scaled_where_needed
from grader.models.findings import CheckStatus, EvidenceSource
from tests.checks._helpers import cells_of, run, severities

IMPORTS = """\
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler
df = pd.read_csv("data/train.csv")
"""

FEATURES_PY = """\
import numpy as np


def add_features(df):
    out = df.copy()
    # business accounts pay per line, so this separates them from families
    out["charges_per_line"] = out["monthly_charges"] / out["num_lines"]
    out["log_usage"] = np.log1p(out["data_usage_gb_30d"])
    out["age"] = out["age"].fillna(out["age"].median())
    return out
"""

# --------------------------------------------------------------------------- FEAT001


def test_targeted_dropna_and_imputer_with_prose_pass() -> None:
    result = run(
        missing_values_handled,
        IMPORTS,
        ("md", "Missing incomes are imputed with the median; rows without a label are dropped."),
        "df = df.dropna(subset=['churned'])\nimp = SimpleImputer(strategy='median')",
    )
    assert result.status is CheckStatus.passed


def test_whole_frame_dropna_without_reason_is_medium() -> None:
    result = run(missing_values_handled, IMPORTS, "df.dropna(inplace=True)\nm = RandomForestClassifier().fit(X, y)")
    assert severities(result) == ["medium"]
    assert 1 in cells_of(result)


def test_whole_frame_dropna_with_stated_reason_is_informational() -> None:
    result = run(
        missing_values_handled,
        IMPORTS,
        ("md", "Only 12 rows have missing values, so I drop them rather than impute: 0.1 % of the data."),
        "clean = df.dropna()",
    )
    assert result.status is CheckStatus.passed
    assert [f.severity.value for f in result.findings] == ["info"]


def test_plotting_a_column_without_nans_is_not_a_drop() -> None:
    result = run(
        missing_values_handled,
        IMPORTS,
        ("md", "Missing values are imputed in the pipeline."),
        "df['age'].dropna().hist()\nages = df['age'].dropna()\nimp = SimpleImputer()",
    )
    assert result.status is CheckStatus.passed


def test_dropna_inside_a_reduction_drops_no_rows_and_a_kept_chain_does() -> None:
    looked_at = run(
        missing_values_handled,
        IMPORTS,
        ("md", "Missing values are imputed in the pipeline."),
        "first = df.apply(lambda s: s.dropna().iloc[0])\nn_complete = len(df.dropna())\n"
        "shape = df.dropna().shape\nimp = SimpleImputer()",
    )
    assert looked_at.status is CheckStatus.passed
    kept = run(missing_values_handled, IMPORTS, "df = df.dropna().reset_index(drop=True)")
    assert severities(kept) == ["medium"]


def test_relying_on_native_nan_support_silently_is_low() -> None:
    result = run(missing_values_handled, IMPORTS, "m = HistGradientBoostingClassifier().fit(X, y)")
    assert severities(result) == ["low"]


def test_handling_in_an_imported_module_counts() -> None:
    result = run(
        missing_values_handled,
        IMPORTS + "import features\n",
        ("md", "Missing ages are filled with the median in features.py."),
        "df = features.add_features(df)\nm = RandomForestClassifier().fit(X, y)",
        files={"features.py": FEATURES_PY},
    )
    assert result.status is CheckStatus.passed
    assert "features.py" in result.message


def test_no_handling_at_all_is_medium() -> None:
    result = run(missing_values_handled, IMPORTS, "m = LogisticRegression().fit(X, y)")
    assert severities(result) == ["medium"]


# --------------------------------------------------------------------------- FEAT002


def test_label_encoder_on_target_with_get_dummies_passes() -> None:
    result = run(
        categoricals_encoded,
        IMPORTS,
        "X = pd.get_dummies(df.drop(columns=['churned']))\nle = LabelEncoder()\n"
        "y = le.fit_transform(df['churned'])\nm = LogisticRegression().fit(X, y)",
        task="churn",
    )
    assert result.status is CheckStatus.passed, [f.message for f in result.problems]


def test_factorize_for_a_linear_model_is_medium() -> None:
    result = run(
        categoricals_encoded,
        IMPORTS,
        "for c in ['region', 'plan_tier']:\n    df[c] = pd.factorize(df[c])[0]",
        "m = LogisticRegression().fit(df[['region', 'plan_tier']], df['churned'])",
        task="churn",
    )
    assert severities(result) == ["medium"]
    assert 1 in cells_of(result)


def test_label_codes_for_trees_only_pass() -> None:
    result = run(
        categoricals_encoded,
        IMPORTS,
        "df['region'] = df['region'].astype('category').cat.codes\n"
        "m = RandomForestClassifier().fit(df[['region']], df['churned'])",
        task="churn",
    )
    assert result.status is CheckStatus.passed


def test_select_dtypes_drops_categoricals() -> None:
    result = run(
        categoricals_encoded,
        IMPORTS,
        "X = df.select_dtypes(include='number').drop(columns=['churned'])\n"
        "m = RandomForestClassifier().fit(X, df['churned'])",
        task="churn",
    )
    assert severities(result) == ["medium"]
    assert "select_dtypes" in result.problems[0].message


def test_get_dummies_on_train_and_test_without_alignment_is_low() -> None:
    cells = (
        IMPORTS,
        "test_df = pd.read_csv('data/test_features.csv')",
        "X = pd.get_dummies(df)\nX_test = pd.get_dummies(test_df)\nm = RandomForestClassifier().fit(X, y)",
    )
    assert severities(run(categoricals_encoded, *cells, task="churn")) == ["low"]
    aligned = run(
        categoricals_encoded, *cells, "X_test = X_test.reindex(columns=X.columns, fill_value=0)", task="churn"
    )
    assert aligned.status is CheckStatus.passed


def test_target_statistic_encoder_outside_a_pipeline_is_low() -> None:
    result = run(
        categoricals_encoded,
        IMPORTS + "import category_encoders as ce\n",
        "enc = ce.TargetEncoder(cols=['region'])\nX = enc.fit_transform(df, df['churned'])\n"
        "m = RandomForestClassifier().fit(X, df['churned'])",
        task="churn",
    )
    assert severities(result) == ["low"]


def test_yes_no_mapping_is_not_an_ordinal_code() -> None:
    result = run(
        categoricals_encoded,
        IMPORTS,
        "df['paperless'] = df['paperless_billing'].map({'Yes': 1, 'No': 0})\n"
        "m = LogisticRegression().fit(df[['paperless']], df['churned'])",
        task="churn",
    )
    assert result.status is CheckStatus.passed


# --------------------------------------------------------------------------- FEAT003


def test_scaler_inside_pipeline_through_column_transformer_helper() -> None:
    result = run(
        scaled_where_needed,
        IMPORTS,
        "def make_prep():\n    return ColumnTransformer([('num', StandardScaler(), ['a']), "
        "('cat', OneHotEncoder(), ['b'])])",
        "pipe = Pipeline([('prep', make_prep()), ('clf', LogisticRegression())])",
    )
    assert result.status is CheckStatus.passed


def test_models_dict_looped_into_a_pipeline_with_a_scaler() -> None:
    result = run(
        scaled_where_needed,
        IMPORTS + "from sklearn.svm import SVC\n",
        "prep = ColumnTransformer([('num', StandardScaler(), ['a'])])\n"
        "models = {'lr': LogisticRegression(), 'svc': SVC(), 'rf': RandomForestClassifier()}\n"
        "for name, model in models.items():\n    Pipeline([('prep', prep), ('model', model)]).fit(X, y)",
    )
    assert result.status is CheckStatus.passed
    assert result.message.startswith("2 of 2")


def test_pipeline_without_scaler_is_medium_with_high_confidence() -> None:
    result = run(
        scaled_where_needed, IMPORTS, "pipe = make_pipeline(SimpleImputer(), LogisticRegression())\npipe.fit(X, y)"
    )
    assert severities(result) == ["medium"]
    assert result.problems[0].confidence.value == "high"


def test_pipeline_without_scaler_but_scaled_elsewhere_is_low() -> None:
    result = run(
        scaled_where_needed,
        IMPORTS,
        "Xs = StandardScaler().fit_transform(X)\npipe = make_pipeline(SimpleImputer(), LogisticRegression())",
    )
    assert severities(result) == ["low"]


def test_unpenalised_and_tree_models_do_not_need_scaling() -> None:
    result = run(
        scaled_where_needed,
        IMPORTS + "from sklearn.linear_model import LinearRegression\n",
        "a = LogisticRegression(penalty=None).fit(X, y)\nb = LinearRegression().fit(X, y)\n"
        "c = RandomForestClassifier().fit(X, y)",
    )
    assert result.status is CheckStatus.not_applicable  # nothing to scale: no finding, and no credit either
    assert "no scale-sensitive" in result.message


def test_hand_written_z_score_counts_as_scaling() -> None:
    result = run(
        scaled_where_needed,
        IMPORTS + "from sklearn.neighbors import KNeighborsClassifier\n",
        "Xz = (X - X.mean()) / X.std()\nKNeighborsClassifier().fit(Xz, y)",
    )
    assert result.status is CheckStatus.passed


# --------------------------------------------------------------------------- FEAT004


def test_features_in_an_imported_module_with_comments_are_explained() -> None:
    result = run(
        features_engineered_with_reasons,
        IMPORTS + "from features import add_features\n",
        "df = add_features(df)",
        files={"features.py": FEATURES_PY},
        task="churn",
    )
    assert result.message.startswith("2 derived feature(s)"), result.message
    # log_usage has no comment and the notebook never mentions it
    assert [f.data["features"] for f in result.problems] == [["log_usage"]]
    evidence = result.problems[0].evidence[0]
    assert evidence.source is EvidenceSource.file and evidence.note == "features.py" and evidence.line == 8


def test_cleanups_are_not_features() -> None:
    result = run(
        features_engineered_with_reasons,
        IMPORTS,
        "df['total_charges'] = pd.to_numeric(df['total_charges'], errors='coerce')\n"
        "df['age'] = df['age'].where(df['age'].between(18, 100))\n"
        "df['contract_type'] = df['contract_type'].str.lower()",
        task="churn",
    )
    assert result.score == 0.0
    assert severities(result) == ["low"]


def test_assign_transformers_and_custom_classes_count() -> None:
    result = run(
        features_engineered_with_reasons,
        IMPORTS + "from sklearn.base import BaseEstimator, "
        "TransformerMixin\nfrom sklearn.preprocessing import PolynomialFeatures\n",
        (
            "md",
            "Tenure interacts with the contract, so I let the model see products of the two, "
            "which captures the early-churn effect.",
        ),
        "df = df.assign(tenure_years=df['tenure_months'] / 12)\npoly = PolynomialFeatures(2)\n"
        "class Ratios(BaseEstimator, TransformerMixin):\n    pass",
        task="churn",
    )
    assert result.status is CheckStatus.passed
    assert result.message.startswith("3 derived")


# --------------------------------------------------------------------------- FEAT005


def test_transformers_referenced_by_name_in_a_pipeline_pass() -> None:
    result = run(
        preprocessing_in_pipeline,
        IMPORTS,
        "steps = [('impute', SimpleImputer())]\nsteps.append(('scale', StandardScaler()))\n"
        "num = Pipeline(steps)\nohe = OneHotEncoder(handle_unknown='ignore')\n"
        "prep = ColumnTransformer([('num', num, ['a']), ('cat', ohe, ['b'])])",
    )
    assert result.status is CheckStatus.passed
    assert result.message.startswith("3 of 3")


def test_imblearn_pipeline_with_smote_passes_fit_resample_outside_is_low() -> None:
    inside = run(
        preprocessing_in_pipeline,
        IMPORTS + "from imblearn.over_sampling import SMOTE\nfrom imblearn.pipeline import Pipeline as ImbPipeline\n",
        "p = ImbPipeline([('smote', SMOTE(random_state=0)), ('rf', RandomForestClassifier())])",
    )
    assert inside.status is CheckStatus.passed
    outside = run(
        preprocessing_in_pipeline,
        IMPORTS + "from imblearn.over_sampling import SMOTE\n",
        "X_res, y_res = SMOTE(random_state=0).fit_resample(X_train, y_train)",
    )
    assert severities(outside) == ["low"]


def test_pandas_statistic_imputation_is_low() -> None:
    result = run(
        preprocessing_in_pipeline,
        IMPORTS,
        "df['age'] = df['age'].fillna(df['age'].median())\ndf['x'] = df['x'].fillna(0)",
    )
    assert severities(result) == ["low"]
    assert result.score == 0.0


def test_target_median_fallback_of_a_baseline_rule_is_not_preprocessing() -> None:
    result = run(
        preprocessing_in_pipeline,
        IMPORTS,
        "rule = (hold['prep_time_estimate_min'] + allowance).fillna(y_dev.median())\n"
        "X['age'] = X['age'].fillna(y_train.median())",
    )
    assert result.status is CheckStatus.not_applicable
    assert result.message == "no learned preprocessing"


def test_own_helper_named_make_pipeline_does_not_crash_the_check() -> None:
    """maria-gonzalez defines `def make_pipeline(model, scale)`, shadowing sklearn's (it crashed FEAT003)."""
    result = run(
        scaled_where_needed,
        "from sklearn.compose import ColumnTransformer\nfrom sklearn.linear_model import LogisticRegression\n"
        "from sklearn.pipeline import Pipeline\nfrom sklearn.preprocessing import StandardScaler\n",
        "def make_pipeline(model, scale):\n"
        "    steps = [('scaler', StandardScaler())] if scale else []\n"
        "    return Pipeline(steps + [('model', model)])\n",
        "pipe = make_pipeline(LogisticRegression(max_iter=2000), scale=True)",
    )
    assert result.status is CheckStatus.passed, result.error
