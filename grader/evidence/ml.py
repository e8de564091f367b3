"""Machine-learning vocabulary and small queries over a `CodeIndex`, shared by the checks.

The vocabulary names what reviewers look for: estimator families (and which of them
need scaled inputs or draw random numbers), baselines, transformers, splitters,
search and cross-validation helpers, metric functions and `scoring=` strings,
resamplers. `ml_facts(code)` computes, once per `CodeIndex`, where each of them is
built and used: which variable or container holds an estimator, which pipeline or
search wraps it, which data each `fit` and each metric sees. Everything is a single
pass over the calls the index already collected, so the checks stay linear-time.

Names are resolved through the notebook's imports (`from sklearn.ensemble import
RandomForestClassifier as RF` is a random forest); a bare name that no import
explains is taken at face value (star imports), a method on an unknown object is not.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from grader.evidence.code import CallSite, CodeIndex
from grader.evidence.context import CheckContext
from grader.models.assignment import Assignment, Metric, TaskType
from grader.models.findings import Evidence, EvidenceSource
from grader.models.notebook import Cell, NotebookView

# --------------------------------------------------------------------------- vocabulary

#: Top-level packages whose names we trust when an import resolves a call.
ML_MODULES = frozenset(
    {
        "sklearn",
        "imblearn",
        "xgboost",
        "lightgbm",
        "catboost",
        "statsmodels",
        "category_encoders",
        "skopt",
        "optuna",
        "tensorflow",
        "keras",
        "torch",
        "scipy",
        "numpy",
        "pandas",
        "ngboost",
        "pygam",
        "interpret",
    }
)


class Family(StrEnum):
    """Model families a reviewer would count as genuinely different approaches."""

    linear = "linear"
    tree = "tree"
    forest = "forest"
    boosting = "boosting"
    knn = "knn"
    svm = "svm"
    naive_bayes = "naive_bayes"
    neural = "neural"
    ensemble = "ensemble"
    other = "other"
    dummy = "dummy"


class Task(StrEnum):
    classification = "classification"
    regression = "regression"


@dataclass(frozen=True)
class EstimatorKind:
    """What we know about one estimator class."""

    name: str
    family: Family
    task: Task
    #: Regularised, distance- or gradient-based models whose fit depends on feature scale.
    needs_scaling: bool = False
    #: Draws random numbers with `random_state=None` (and so changes from run to run).
    stochastic: bool = False
    #: Accepts NaN in the input natively.
    handles_missing: bool = False
    #: A dummy or a deliberately simple model, fit to be a baseline.
    simple: bool = False
    #: The keyword(s) that seed it.
    seed_keywords: tuple[str, ...] = ("random_state",)


def _kinds(names: Iterable[str], family: Family, **kw: object) -> dict[str, EstimatorKind]:
    out = {}
    for name in names:
        task = (
            Task.classification
            if name.endswith(("Classifier", "Classifier_")) or name in _CLASSIFIER_NAMES
            else Task.regression
        )
        out[name] = EstimatorKind(name=name, family=family, task=task, **kw)  # type: ignore[arg-type]
    return out


_CLASSIFIER_NAMES = frozenset(
    {
        "LogisticRegression",
        "LogisticRegressionCV",
        "Logit",
        "logit",
        "Probit",
        "probit",
        "MNLogit",
        "mnlogit",
        "SVC",
        "NuSVC",
        "LinearSVC",
        "GaussianNB",
        "MultinomialNB",
        "BernoulliNB",
        "ComplementNB",
        "CategoricalNB",
        "Perceptron",
        "LinearDiscriminantAnalysis",
        "QuadraticDiscriminantAnalysis",
        "NearestCentroid",
        "RidgeClassifierCV",
        "CalibratedClassifierCV",
        "EasyEnsembleClassifier",
        "RUSBoostClassifier",
    }
)

_SEEDS_BOOST = ("random_state", "seed", "random_seed")

ESTIMATORS: dict[str, EstimatorKind] = {
    **_kinds(
        ["LogisticRegression", "LogisticRegressionCV", "RidgeClassifier", "RidgeClassifierCV"],
        Family.linear,
        needs_scaling=True,
    ),
    **_kinds(
        ["SGDClassifier", "SGDRegressor", "Perceptron", "PassiveAggressiveClassifier", "PassiveAggressiveRegressor"],
        Family.linear,
        needs_scaling=True,
        stochastic=True,
    ),
    **_kinds(
        [
            "Ridge",
            "RidgeCV",
            "Lasso",
            "LassoCV",
            "ElasticNet",
            "ElasticNetCV",
            "Lars",
            "LarsCV",
            "LassoLars",
            "LassoLarsCV",
            "BayesianRidge",
            "ARDRegression",
            "HuberRegressor",
            "PoissonRegressor",
            "TweedieRegressor",
            "GammaRegressor",
            "QuantileRegressor",
        ],
        Family.linear,
        needs_scaling=True,
    ),
    **_kinds(
        [
            "LinearRegression",
            "OLS",
            "ols",
            "WLS",
            "GLS",
            "GLM",
            "glm",
            "Logit",
            "logit",
            "Probit",
            "probit",
            "MNLogit",
            "mnlogit",
            "LinearDiscriminantAnalysis",
            "QuadraticDiscriminantAnalysis",
        ],
        Family.linear,
    ),
    **_kinds(["TheilSenRegressor", "RANSACRegressor"], Family.linear, stochastic=True),
    **_kinds(
        ["DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier", "ExtraTreeRegressor"],
        Family.tree,
        stochastic=True,
    ),
    **_kinds(
        [
            "RandomForestClassifier",
            "RandomForestRegressor",
            "ExtraTreesClassifier",
            "ExtraTreesRegressor",
            "BaggingClassifier",
            "BaggingRegressor",
            "BalancedRandomForestClassifier",
            "BalancedBaggingClassifier",
        ],
        Family.forest,
        stochastic=True,
    ),
    **_kinds(
        [
            "GradientBoostingClassifier",
            "GradientBoostingRegressor",
            "AdaBoostClassifier",
            "AdaBoostRegressor",
            "EasyEnsembleClassifier",
            "RUSBoostClassifier",
        ],
        Family.boosting,
        stochastic=True,
    ),
    **_kinds(
        ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"],
        Family.boosting,
        stochastic=True,
        handles_missing=True,
    ),
    # xgboost, lightgbm and catboost use a fixed default seed: unseeded, they still repeat exactly.
    **_kinds(
        [
            "XGBClassifier",
            "XGBRegressor",
            "XGBRFClassifier",
            "XGBRFRegressor",
            "LGBMClassifier",
            "LGBMRegressor",
            "CatBoostClassifier",
            "CatBoostRegressor",
            "NGBClassifier",
            "NGBRegressor",
        ],
        Family.boosting,
        handles_missing=True,
        seed_keywords=_SEEDS_BOOST,
    ),
    **_kinds(
        [
            "KNeighborsClassifier",
            "KNeighborsRegressor",
            "RadiusNeighborsClassifier",
            "RadiusNeighborsRegressor",
            "NearestCentroid",
        ],
        Family.knn,
        needs_scaling=True,
    ),
    **_kinds(["SVC", "SVR", "NuSVC", "NuSVR", "LinearSVC", "LinearSVR"], Family.svm, needs_scaling=True),
    **_kinds(["GaussianNB", "MultinomialNB", "BernoulliNB", "ComplementNB", "CategoricalNB"], Family.naive_bayes),
    **_kinds(["MLPClassifier", "MLPRegressor"], Family.neural, needs_scaling=True, stochastic=True),
    **_kinds(["Sequential"], Family.neural, needs_scaling=True),
    **_kinds(["VotingClassifier", "VotingRegressor", "StackingClassifier", "StackingRegressor"], Family.ensemble),
    **_kinds(["GaussianProcessClassifier", "GaussianProcessRegressor"], Family.other, needs_scaling=True),
    **_kinds(["DummyClassifier", "DummyRegressor"], Family.dummy),
}
for _simple in (
    "LogisticRegression",
    "LinearRegression",
    "Ridge",
    "RidgeClassifier",
    "Lasso",
    "ElasticNet",
    "GaussianNB",
    "Logit",
    "logit",
    "OLS",
    "ols",
    "DummyClassifier",
    "DummyRegressor",
):
    ESTIMATORS[_simple] = dataclasses.replace(ESTIMATORS[_simple], simple=True)

#: Wrappers whose inner estimator is a tool, not a model being compared.
SELECTORS = frozenset(
    {"SelectFromModel", "RFE", "RFECV", "SequentialFeatureSelector", "IterativeImputer", "permutation_importance"}
)
#: Wrappers whose inner estimator is still the model.
MODEL_WRAPPERS = frozenset(
    {
        "CalibratedClassifierCV",
        "OneVsRestClassifier",
        "OneVsOneClassifier",
        "MultiOutputClassifier",
        "MultiOutputRegressor",
        "TransformedTargetRegressor",
        "ClassifierChain",
        "RegressorChain",
    }
)

SCALERS = frozenset(
    {
        "StandardScaler",
        "MinMaxScaler",
        "RobustScaler",
        "MaxAbsScaler",
        "Normalizer",
        "QuantileTransformer",
        "PowerTransformer",
        "scale",
        "minmax_scale",
        "robust_scale",
        "maxabs_scale",
        "quantile_transform",
        "power_transform",
        "normalize",
    }
)
IMPUTERS = frozenset({"SimpleImputer", "KNNImputer", "IterativeImputer", "MissingIndicator"})
#: pandas methods that deal with missing values.
PANDAS_MISSING = frozenset({"fillna", "dropna", "interpolate", "ffill", "bfill"})


class Encoding(StrEnum):
    onehot = "onehot"
    ordinal = "ordinal"
    #: Integer codes meant for targets (`LabelEncoder`, `factorize`, `.cat.codes`).
    label = "label"
    target = "target"
    frequency = "frequency"
    #: The model takes categories itself (`astype("category")`, `cat_features=`).
    native = "native"


ENCODERS: dict[str, Encoding] = {
    "OneHotEncoder": Encoding.onehot,
    "get_dummies": Encoding.onehot,
    "LabelBinarizer": Encoding.onehot,
    "DictVectorizer": Encoding.onehot,
    "BinaryEncoder": Encoding.onehot,
    "HashingEncoder": Encoding.onehot,
    "BaseNEncoder": Encoding.onehot,
    "MultiLabelBinarizer": Encoding.onehot,
    "OrdinalEncoder": Encoding.ordinal,
    "LabelEncoder": Encoding.label,
    "factorize": Encoding.label,
    "TargetEncoder": Encoding.target,
    "CatBoostEncoder": Encoding.target,
    "LeaveOneOutEncoder": Encoding.target,
    "WOEEncoder": Encoding.target,
    "JamesSteinEncoder": Encoding.target,
    "MEstimateEncoder": Encoding.target,
    "GLMMEncoder": Encoding.target,
    "QuantileEncoder": Encoding.target,
    "CountEncoder": Encoding.frequency,
}
#: Keywords by which boosting libraries take categorical columns natively.
NATIVE_CATEGORICAL_KEYWORDS = frozenset(
    {"categorical_feature", "categorical_features", "cat_features", "enable_categorical"}
)

RANDOM_RESAMPLERS = frozenset(
    {
        "SMOTE",
        "SMOTENC",
        "SMOTEN",
        "ADASYN",
        "BorderlineSMOTE",
        "SVMSMOTE",
        "KMeansSMOTE",
        "RandomOverSampler",
        "RandomUnderSampler",
        "ClusterCentroids",
        "SMOTETomek",
        "SMOTEENN",
        "InstanceHardnessThreshold",
    }
)
RESAMPLERS = RANDOM_RESAMPLERS | {
    "NearMiss",
    "TomekLinks",
    "EditedNearestNeighbours",
    "RepeatedEditedNearestNeighbours",
    "AllKNN",
    "CondensedNearestNeighbour",
    "OneSidedSelection",
    "NeighbourhoodCleaningRule",
}
#: Other transformers that learn from the data they are fitted on.
LEARNED_TRANSFORMS = frozenset(
    {
        "PCA",
        "TruncatedSVD",
        "KBinsDiscretizer",
        "SelectKBest",
        "SelectPercentile",
        "VarianceThreshold",
        "SelectFromModel",
        "RFE",
        "RFECV",
        "SequentialFeatureSelector",
    }
)
#: Transformers that build new features inside a pipeline.
FEATURE_BUILDERS = frozenset(
    {"PolynomialFeatures", "SplineTransformer", "FunctionTransformer", "KBinsDiscretizer", "Nystroem", "RBFSampler"}
)

PIPELINE_BUILDERS = frozenset(
    {
        "Pipeline",
        "make_pipeline",
        "ColumnTransformer",
        "make_column_transformer",
        "FeatureUnion",
        "make_union",
        "TransformedTargetRegressor",
    }
)


@dataclass(frozen=True)
class SplitterKind:
    name: str
    stratified: bool = False
    grouped: bool = False
    time: bool = False
    #: "always", "optional" (`shuffle=True`) or "never".
    shuffles: str = "optional"


SPLITTERS: dict[str, SplitterKind] = {
    s.name: s
    for s in (
        SplitterKind("KFold"),
        SplitterKind("StratifiedKFold", stratified=True),
        SplitterKind("GroupKFold", grouped=True),
        SplitterKind("StratifiedGroupKFold", stratified=True, grouped=True),
        SplitterKind("TimeSeriesSplit", time=True, shuffles="never"),
        SplitterKind("ShuffleSplit", shuffles="always"),
        SplitterKind("StratifiedShuffleSplit", stratified=True, shuffles="always"),
        SplitterKind("GroupShuffleSplit", grouped=True, shuffles="always"),
        SplitterKind("RepeatedKFold", shuffles="always"),
        SplitterKind("RepeatedStratifiedKFold", stratified=True, shuffles="always"),
        SplitterKind("LeaveOneOut", shuffles="never"),
        SplitterKind("LeavePOut", shuffles="never"),
        SplitterKind("LeaveOneGroupOut", grouped=True, shuffles="never"),
        SplitterKind("LeavePGroupsOut", grouped=True, shuffles="never"),
        SplitterKind("PredefinedSplit", shuffles="never"),
    )
}
SPLIT_FUNCTIONS = frozenset({"train_test_split"})

SEARCH_CV = frozenset(
    {
        "GridSearchCV",
        "RandomizedSearchCV",
        "HalvingGridSearchCV",
        "HalvingRandomSearchCV",
        "BayesSearchCV",
        "TuneSearchCV",
        "TuneGridSearchCV",
    }
)
RANDOM_SEARCH_CV = frozenset({"RandomizedSearchCV", "HalvingRandomSearchCV", "BayesSearchCV", "TuneSearchCV"})
#: Estimators that tune their own regularisation by internal cross-validation.
BUILTIN_CV_ESTIMATORS = frozenset(
    {
        "LogisticRegressionCV",
        "RidgeCV",
        "RidgeClassifierCV",
        "LassoCV",
        "ElasticNetCV",
        "LarsCV",
        "LassoLarsCV",
        "RFECV",
    }
)
CV_FUNCTIONS = frozenset(
    {
        "cross_val_score",
        "cross_validate",
        "cross_val_predict",
        "learning_curve",
        "validation_curve",
        "permutation_test_score",
    }
)
#: `xgboost.cv`, `lightgbm.cv`, `catboost.cv` are only recognised through an import.
LIBRARY_CV = frozenset({"xgboost.cv", "lightgbm.cv", "catboost.cv"})


class Measure(StrEnum):
    """What an evaluation call measures (metrics, and the error analyses reviewers look for)."""

    accuracy = "accuracy"
    balanced_accuracy = "balanced_accuracy"
    roc_auc = "roc_auc"
    average_precision = "average_precision"
    f1 = "f1"
    precision = "precision"
    recall = "recall"
    log_loss = "log_loss"
    brier = "brier"
    mcc = "mcc"
    kappa = "kappa"
    confusion = "confusion"
    report = "classification_report"
    roc_curve = "roc_curve"
    pr_curve = "pr_curve"
    mae = "mae"
    mse = "mse"
    rmse = "rmse"
    r2 = "r2"
    mape = "mape"
    medae = "median_absolute_error"
    msle = "msle"
    max_error = "max_error"
    residuals = "residuals"
    #: The estimator's own `score` (accuracy for classifiers, R² for regressors).
    default = "default"
    #: A scorer we could not read.
    custom = "custom"


CLASSIFICATION_MEASURES = frozenset(
    {
        Measure.accuracy,
        Measure.balanced_accuracy,
        Measure.roc_auc,
        Measure.average_precision,
        Measure.f1,
        Measure.precision,
        Measure.recall,
        Measure.log_loss,
        Measure.brier,
        Measure.mcc,
        Measure.kappa,
        Measure.confusion,
        Measure.report,
        Measure.roc_curve,
        Measure.pr_curve,
    }
)
#: Classification measures that stay informative when one class is rare.
IMBALANCE_AWARE = CLASSIFICATION_MEASURES - {Measure.accuracy, Measure.confusion, Measure.roc_curve}
REGRESSION_MEASURES = frozenset(
    {Measure.mae, Measure.mse, Measure.rmse, Measure.r2, Measure.mape, Measure.medae, Measure.msle, Measure.max_error}
)
#: Measures only meaningful for class labels: on a regression target they are a mistake.
LABEL_ONLY_MEASURES = frozenset(
    {
        Measure.accuracy,
        Measure.balanced_accuracy,
        Measure.f1,
        Measure.precision,
        Measure.recall,
        Measure.confusion,
        Measure.report,
        Measure.roc_auc,
        Measure.average_precision,
        Measure.mcc,
        Measure.kappa,
    }
)
ERROR_ANALYSIS = frozenset({Measure.confusion, Measure.report, Measure.residuals})

METRIC_FUNCTIONS: dict[str, frozenset[Measure]] = {
    name: frozenset(measures)
    for name, measures in {
        "accuracy_score": {Measure.accuracy},
        "top_k_accuracy_score": {Measure.accuracy},
        "balanced_accuracy_score": {Measure.balanced_accuracy},
        "roc_auc_score": {Measure.roc_auc},
        "average_precision_score": {Measure.average_precision},
        "f1_score": {Measure.f1},
        "fbeta_score": {Measure.f1},
        "precision_score": {Measure.precision},
        "recall_score": {Measure.recall},
        "precision_recall_fscore_support": {Measure.precision, Measure.recall, Measure.f1},
        "log_loss": {Measure.log_loss},
        "brier_score_loss": {Measure.brier},
        "matthews_corrcoef": {Measure.mcc},
        "cohen_kappa_score": {Measure.kappa},
        "classification_report": {Measure.report, Measure.precision, Measure.recall, Measure.f1},
        "confusion_matrix": {Measure.confusion},
        "multilabel_confusion_matrix": {Measure.confusion},
        "plot_confusion_matrix": {Measure.confusion},
        "roc_curve": {Measure.roc_curve},
        "plot_roc_curve": {Measure.roc_curve, Measure.roc_auc},
        "precision_recall_curve": {Measure.pr_curve},
        "plot_precision_recall_curve": {Measure.pr_curve, Measure.average_precision},
        "mean_absolute_error": {Measure.mae},
        "mean_squared_error": {Measure.mse},
        "root_mean_squared_error": {Measure.rmse},
        "mean_absolute_percentage_error": {Measure.mape},
        "r2_score": {Measure.r2},
        "explained_variance_score": {Measure.r2},
        "median_absolute_error": {Measure.medae},
        "mean_squared_log_error": {Measure.msle},
        "root_mean_squared_log_error": {Measure.msle},
        "max_error": {Measure.max_error},
        # Displays, constructed or through `.from_estimator` / `.from_predictions`.
        "RocCurveDisplay": {Measure.roc_curve, Measure.roc_auc},
        "PrecisionRecallDisplay": {Measure.pr_curve, Measure.average_precision},
        "ConfusionMatrixDisplay": {Measure.confusion},
        "DetCurveDisplay": {Measure.roc_curve},
        "PredictionErrorDisplay": {Measure.residuals},
    }.items()
}

PRIMARY_MEASURES: dict[Metric, frozenset[Measure]] = {
    Metric.roc_auc: frozenset({Measure.roc_auc}),
    Metric.average_precision: frozenset({Measure.average_precision}),
    Metric.f1: frozenset({Measure.f1}),
    Metric.accuracy: frozenset({Measure.accuracy}),
    Metric.balanced_accuracy: frozenset({Measure.balanced_accuracy}),
    Metric.log_loss: frozenset({Measure.log_loss}),
    Metric.rmse: frozenset({Measure.rmse, Measure.mse}),
    Metric.mae: frozenset({Measure.mae}),
    Metric.r2: frozenset({Measure.r2}),
    Metric.mape: frozenset({Measure.mape}),
}

#: Words a reader uses for a measure in prose or printed output.
MEASURE_WORDS: dict[Measure, re.Pattern[str]] = {
    Measure.roc_auc: re.compile(r"\b(roc[\s_-]*auc|auc[\s_-]*roc|auroc|roc)\b", re.IGNORECASE),
    Measure.average_precision: re.compile(
        r"\b(average[\s_-]*precision|pr[\s_-]*auc|auc[\s_-]*pr|auprc|ap)\b", re.IGNORECASE
    ),
    Measure.f1: re.compile(r"\bf1", re.IGNORECASE),
    Measure.accuracy: re.compile(r"\baccuracy\b", re.IGNORECASE),
    Measure.mae: re.compile(r"\b(mae|mean[\s_-]*absolute[\s_-]*error)\b", re.IGNORECASE),
    Measure.rmse: re.compile(r"\b(rmse|root[\s_-]*mean[\s_-]*squared)\b", re.IGNORECASE),
    Measure.r2: re.compile(r"(\br2\b|\br²|r\^2|r-squared)", re.IGNORECASE),
}


def measures_from_scoring(text: str) -> frozenset[Measure]:
    """The measure behind a scikit-learn `scoring=` string (`"neg_root_mean_squared_error"` → RMSE)."""
    s = text.strip().lower()
    table = [
        ("balanced_accuracy", Measure.balanced_accuracy),
        ("accuracy", Measure.accuracy),
        ("roc_auc", Measure.roc_auc),
        ("average_precision", Measure.average_precision),
        ("f1", Measure.f1),
        ("precision", Measure.precision),
        ("recall", Measure.recall),
        ("neg_log_loss", Measure.log_loss),
        ("neg_brier_score", Measure.brier),
        ("matthews_corrcoef", Measure.mcc),
        ("neg_mean_absolute_percentage_error", Measure.mape),
        ("neg_mean_absolute_error", Measure.mae),
        ("neg_root_mean_squared_log_error", Measure.msle),
        ("neg_mean_squared_log_error", Measure.msle),
        ("neg_root_mean_squared_error", Measure.rmse),
        ("neg_mean_squared_error", Measure.mse),
        ("neg_median_absolute_error", Measure.medae),
        ("explained_variance", Measure.r2),
        ("r2", Measure.r2),
        ("max_error", Measure.max_error),
    ]
    for prefix, measure in table:
        if s.startswith(prefix):
            return frozenset({measure})
    return frozenset({Measure.custom})


#: Name parts that by convention mark held-out data (test, validation, out-of-fold) or training data.
HELDOUT_TOKENS = frozenset(
    {
        "test",
        "tst",
        "val",
        "valid",
        "validation",
        "holdout",
        "hold",
        "heldout",
        "oof",
        "dev",
        "te",
        "va",
        "eval",
        "unseen",
        "xtest",
        "ytest",
        "xval",
        "yval",
        "xvalid",
        "yvalid",
        "xte",
        "yte",
        "xhold",
        "yhold",
    }
)
TRAIN_TOKENS = frozenset({"train", "tr", "training", "xtrain", "ytrain", "xtr", "ytr"})
PREDICTION_NAME = re.compile(r"(pred|yhat|y_hat|proba|prob\b|oof)", re.IGNORECASE)


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[_\d]+", name.lower()) if t]


def is_heldout_name(name: str) -> bool:
    """`X_test`, `y_val`, `valid_df`, `oof_pred`, `X_hold`: named as held-out data."""
    return any(t in HELDOUT_TOKENS or t.startswith("test") for t in _tokens(name))


def is_train_name(name: str) -> bool:
    return any(t in TRAIN_TOKENS for t in _tokens(name))


#: Words that mark a reason being given, in markdown or comments.
REASONING = re.compile(
    r"\b(because|since|so that|due to|given that|reasons?|why|intuition|hypothes\w*|expect\w*|likely|"
    r"suggest\w*|captures?|capturing|proxy|signal|interpretab\w*|explainab\w*|trade-?off|robust\w*|"
    r"in order to|otherwise|therefore|thus|hence|motivat\w*|which means|rather than|instead of|so we|so i|"
    r"so it|so the|indicat\w*|driven by|drives?|reflects?|separates?)\b",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- resolved calls


def canonical(site: CallSite) -> str:
    """The vocabulary name of what a call builds or calls, or "" for a method on an unknown object.

    `RF()` with `RF` imported from sklearn gives `RandomForestClassifier`;
    `ConfusionMatrixDisplay.from_predictions(...)` gives `ConfusionMatrixDisplay`.
    """
    if site.qualname:
        parts = site.qualname.split(".")
        if parts[0] not in ML_MODULES:
            return ""
        if parts[-1] in ("from_estimator", "from_predictions") and len(parts) > 1:
            return parts[-2]
        return parts[-1]
    if site.receiver is None:
        return site.name
    if site.name in ("from_estimator", "from_predictions") and site.receiver.isidentifier():
        return site.receiver
    return ""


def kw(call: ast.Call, *names: str) -> ast.expr | None:
    """The value of the first of these keywords given to a call."""
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


def is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def names_in(node: ast.AST | None) -> set[str]:
    """Every plain name read inside an expression."""
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _call_args(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords)]


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Use:
    """One place where a vocabulary class or function is called."""

    site: CallSite
    #: Canonical name (`RandomForestClassifier`, `train_test_split`).
    name: str
    #: The variable (or container: dict, list, loop variable, function) that holds the result.
    bound_to: str | None
    #: Canonical names of the vocabulary calls wrapping this one, innermost first.
    enclosing: tuple[str, ...]
    #: The function definition this call sits in, if any.
    function: str | None

    @property
    def cell(self) -> int:
        return self.site.cell

    @property
    def line(self) -> int:
        return self.site.line

    @property
    def call(self) -> ast.Call:
        return self.site.node

    def inside(self, names: frozenset[str] | set[str]) -> bool:
        return any(n in names for n in self.enclosing)


@dataclass(frozen=True)
class Binding:
    """`name = value` (or a `for` loop binding `name` to the elements of `value`)."""

    name: str
    cell: int
    line: int
    value: ast.expr
    #: The binding comes from a loop over a container or a tuple unpacking.
    element: bool = False


@dataclass(frozen=True)
class MetricUse:
    """One evaluation: a metric call, a `scoring=` argument, an estimator's `.score`, a helper call."""

    site: CallSite
    measures: frozenset[Measure]
    #: "function", "scoring", "score", "helper".
    how: str
    #: Names of the data the evaluation reads (for held-out vs training decisions).
    data: frozenset[str]
    function: str | None = None


@dataclass(frozen=True)
class Fit:
    """A `.fit(...)` / `.fit_transform(...)` / `.fit_resample(...)` call."""

    site: CallSite
    receiver: str
    #: Names in the first two positional arguments (X, y).
    data: frozenset[str]


class Role(StrEnum):
    heldout = "heldout"
    train = "train"
    #: Data that a split was taken from: it contains the held-out rows.
    full = "full"


class MLFacts:
    """Where the ML vocabulary is used in one `CodeIndex`. Build with `ml_facts(code)`."""

    def __init__(self, code: CodeIndex) -> None:
        self.code = code
        self.parents: dict[int, ast.AST] = {}
        self.functions: dict[str, tuple[int, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.bindings: dict[str, list[Binding]] = {}
        self.loads: dict[str, list[tuple[int, int]]] = {}
        self.for_loops: list[tuple[int, ast.For]] = []
        self.subscript_assigns: list[tuple[int, ast.Assign | ast.AugAssign]] = []
        self.class_bases: list[tuple[int, ast.ClassDef, set[str]]] = []
        self._by_type: dict[type[ast.AST], list[tuple[int, ast.AST]]] = {}
        for cell in code.parsed():
            assert cell.tree is not None
            stack: list[ast.AST] = [cell.tree]
            while stack:
                node = stack.pop()
                for child in ast.iter_child_nodes(node):
                    self.parents[id(child)] = node
                    stack.append(child)
                self._by_type.setdefault(type(node), []).append((cell.index, node))
                self._note(cell.index, node)
        for bindings in self.bindings.values():
            bindings.sort(key=lambda b: (b.cell, b.line))
        self.for_loops.sort(key=lambda item: (item[0], item[1].lineno))
        self._site_of = {id(s.node): s for s in code.calls}

    def _note(self, cell: int, node: ast.AST) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self.loads.setdefault(node.id, []).append((cell, node.lineno))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions.setdefault(node.name, (cell, node))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind(cell, target, node.value, node.lineno)
                if isinstance(target, ast.Subscript):
                    self.subscript_assigns.append((cell, node))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._bind(cell, node.target, node.value, node.lineno)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript):
            self.subscript_assigns.append((cell, node))
        elif isinstance(node, ast.For):
            self.for_loops.append((cell, node))
            self._bind(cell, node.target, node.iter, node.lineno, element=True)
        elif isinstance(node, ast.ClassDef):
            self.class_bases.append(
                (cell, node, {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases})
            )

    def _bind(self, cell: int, target: ast.expr, value: ast.expr, line: int, element: bool = False) -> None:
        if isinstance(target, ast.Name):
            self.bindings.setdefault(target.id, []).append(Binding(target.id, cell, line, value, element))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for item in target.elts:
                if isinstance(item, ast.Starred):
                    item = item.value
                self._bind(cell, item, value, line, element=True)

    # ------------------------------------------------------------------ structure

    def nodes(self, *types: type[ast.AST]) -> list[tuple[int, ast.AST]]:
        """(cell, node) of every node of these types, in notebook order; no second walk of the trees."""
        found = [item for kind in types for item in self._by_type.get(kind, [])]
        found.sort(key=lambda item: (item[0], getattr(item[1], "lineno", 0), getattr(item[1], "col_offset", 0)))
        return found

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def site(self, node: ast.AST) -> CallSite | None:
        return self._site_of.get(id(node))

    def statement(self, node: ast.AST) -> ast.stmt | None:
        current: ast.AST | None = node
        while current is not None and not isinstance(current, ast.stmt):
            current = self.parent(current)
        return current

    def enclosing_function(self, node: ast.AST) -> str | None:
        current = self.parent(node)
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return getattr(current, "name", "<lambda>")
            current = self.parent(current)
        return None

    def enclosing_loops(self, node: ast.AST) -> list[ast.For]:
        loops = []
        current = self.parent(node)
        while current is not None:
            if isinstance(current, ast.For):
                loops.append(current)
            current = self.parent(current)
        return loops

    def _bound_to(self, node: ast.AST) -> str | None:
        stmt = self.statement(node)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                base = target
                while isinstance(base, (ast.Subscript, ast.Attribute)):
                    base = base.value
                if isinstance(base, ast.Name):
                    return base.id
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("append", "extend", "update", "insert")
                and isinstance(func.value, ast.Name)
            ):
                return func.value.id
        if isinstance(stmt, ast.For) and isinstance(stmt.target, ast.Name) and self._within(node, stmt.iter):
            return stmt.target.id
        if isinstance(stmt, ast.Return):
            return self.enclosing_function(node)
        return None

    def _within(self, node: ast.AST, ancestor: ast.AST) -> bool:
        current: ast.AST | None = node
        while current is not None:
            if current is ancestor:
                return True
            current = self.parent(current)
        return False

    # ------------------------------------------------------------------ vocabulary uses

    @cached_property
    def uses(self) -> list[Use]:
        """Every call whose canonical name is in the vocabulary, in notebook order."""
        known = VOCABULARY
        found = []
        for site in self.code.calls:
            name = canonical(site)
            if name not in known or (site.qualname is None and name in self.functions):
                continue
            enclosing = []
            current = self.parent(site.node)
            while current is not None and not isinstance(current, ast.stmt):
                if isinstance(current, ast.Call):
                    outer = self.site(current)
                    outer_name = canonical(outer) if outer is not None else ""
                    if outer_name:
                        enclosing.append(outer_name)
                    elif outer is not None and outer.receiver is None and outer.name in self.functions:
                        enclosing.append("call:" + outer.name)
                current = self.parent(current)
            found.append(
                Use(site, name, self._bound_to(site.node), tuple(enclosing), self.enclosing_function(site.node))
            )
        return found

    def named(self, names: Iterable[str] | frozenset[str]) -> list[Use]:
        wanted = set(names)
        return [u for u in self.uses if u.name in wanted]

    @cached_property
    def estimators(self) -> list[tuple[Use, EstimatorKind]]:
        """Estimators built as models (not as a tool inside a feature selector or imputer)."""
        out = []
        for use in self.uses:
            kind = ESTIMATORS.get(use.name)
            if kind is None or (use.enclosing and use.enclosing[0] in SELECTORS):
                continue
            out.append((use, kind))
        return out

    def families(self, *, include_dummy: bool = False) -> dict[Family, list[Use]]:
        found: dict[Family, list[Use]] = {}
        for use, kind in self.estimators:
            if kind.family is Family.dummy and not include_dummy:
                continue
            found.setdefault(kind.family, []).append(use)
        return found

    @cached_property
    def fits(self) -> list[Fit]:
        out = []
        for site in self.code.calls:
            if site.name in ("fit", "fit_transform", "fit_resample", "fit_predict") and site.receiver:
                data: set[str] = set()
                for arg in site.node.args[:2]:
                    data |= names_in(arg)
                out.append(Fit(site, site.receiver, frozenset(data)))
        return out

    def fitted_names(self) -> set[str]:
        """Names of the data passed to any `fit` (X and y)."""
        names: set[str] = set()
        for fit in self.fits:
            names |= fit.data
        return names

    def is_used(self, use: Use) -> bool:
        """The built object is passed on, fitted or referenced again (not built and forgotten)."""
        if use.enclosing or use.bound_to is None or isinstance(self.parent(use.call), ast.Attribute):
            return True  # wrapped, passed on, or used in place (`sm.Logit(y, X).fit()`)
        return any(place > (use.cell, use.line) for place in self.loads.get(use.bound_to, []))

    # ------------------------------------------------------------------ name resolution

    def constructs_reachable(self, node: ast.AST, depth: int = 4) -> set[str]:
        """Canonical names of vocabulary calls inside `node`, following names and local functions."""
        seen: set[int] = set()
        found: set[str] = set()
        self._reach(node, depth, seen, found)
        return found

    def _reach(self, node: ast.AST, depth: int, seen: set[int], found: set[str]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                site = self.site(sub)
                if site is None:
                    continue
                name = canonical(site)
                if name in VOCABULARY:
                    found.add(name)
                elif depth > 0 and site.receiver is None and site.name in self.functions:
                    self._reach(self.functions[site.name][1], depth - 1, seen, found)
            elif depth > 0 and isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                for binding in self.bindings.get(sub.id, [])[-3:]:
                    self._reach(binding.value, depth - 1, seen, found)

    def value_of(self, name: str, before: tuple[int, int] | None = None) -> ast.expr | None:
        """The latest value bound to `name` (before a position, when given)."""
        best = None
        for binding in self.bindings.get(name, []):  # sorted by position
            if before is None or (binding.cell, binding.line) <= before:
                best = binding.value
        return best

    # ------------------------------------------------------------------ data roles

    @cached_property
    def split_uses(self) -> list[Use]:
        return self.named(SPLIT_FUNCTIONS)

    @cached_property
    def roles(self) -> dict[str, Role]:
        """Held-out, training or full-data role of each variable, from splits, names and data flow."""
        roles: dict[str, Role] = {}
        for use in self.split_uses:
            stmt = self.statement(use.call)
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], (ast.Tuple, ast.List)):
                for position, target in enumerate(stmt.targets[0].elts):
                    if isinstance(target, ast.Name):
                        roles[target.id] = Role.heldout if position % 2 else Role.train
            for arg in use.call.args:
                for name in names_in(arg):
                    roles.setdefault(name, Role.full)
        for use in self.named({"cross_val_predict"}):
            if use.bound_to:
                roles[use.bound_to] = Role.heldout
        # What a model is fitted on is training data, whatever it is called (`X_dev` of a dev period).
        for name in self.fitted_names():
            roles.setdefault(name, Role.train)
        # Propagate through assignments in notebook order: `p = model.predict(X_val)` is held-out.
        ordered = sorted((b for bs in self.bindings.values() for b in bs), key=lambda b: (b.cell, b.line))
        for binding in ordered:
            if binding.name in roles or self._is_model_object(binding.value):
                continue
            if is_heldout_name(binding.name):
                roles[binding.name] = Role.heldout
                continue
            if is_train_name(binding.name):
                roles[binding.name] = Role.train
                continue
            sources = {roles.get(n) for n in names_in(binding.value)}
            for role in (Role.heldout, Role.train, Role.full):
                if role in sources:
                    roles[binding.name] = role
                    break
        return roles

    def _is_model_object(self, value: ast.expr) -> bool:
        """`RF().fit(X_va, y_va)` or `GridSearchCV(...)`: a model, which has no data role of its own."""
        for node in ast.walk(value):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Attribute) and node.func.attr in ("fit", "fit_resample"):
                    return True
                site = self.site(node)
                if site is not None and node is value and canonical(site) in _MODEL_BUILDERS:
                    return True
        return False

    def role(self, name: str) -> Role | None:
        found = self.roles.get(name)
        if found is not None:
            return found
        if is_heldout_name(name):
            return Role.heldout
        if is_train_name(name):
            return Role.train
        return None

    # ------------------------------------------------------------------ validation

    @cached_property
    def splitters(self) -> list[tuple[Use, SplitterKind]]:
        return [(u, SPLITTERS[u.name]) for u in self.uses if u.name in SPLITTERS]

    @cached_property
    def searches(self) -> list[Use]:
        return self.named(SEARCH_CV)

    @cached_property
    def cv_calls(self) -> list[Use]:
        """Cross-validation helpers (`cross_val_score`, `cross_validate`, ...)."""
        return self.named(CV_FUNCTIONS)

    @cached_property
    def manual_cv_loops(self) -> list[tuple[int, ast.For]]:
        """`for train_idx, val_idx in kf.split(X, y):` loops."""
        found = []
        for cell, loop in self.for_loops:
            it = loop.iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate" and it.args:
                it = it.args[0]
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == "split":
                found.append((cell, loop))
        return found

    @cached_property
    def library_cv(self) -> list[CallSite]:
        return [s for s in self.code.calls if s.qualname in LIBRARY_CV]

    def has_cross_validation(self) -> bool:
        return bool(
            self.cv_calls
            or self.searches
            or self.manual_cv_loops
            or self.library_cv
            or self.named(BUILTIN_CV_ESTIMATORS)
        )

    def cv_evidence(self) -> list[tuple[int, int]]:
        places = [(u.cell, u.line) for u in self.cv_calls + self.searches + self.named(BUILTIN_CV_ESTIMATORS)]
        places += [(cell, loop.lineno) for cell, loop in self.manual_cv_loops]
        places += [(s.cell, s.line) for s in self.library_cv]
        return sorted(places)

    # ------------------------------------------------------------------ metrics

    def scoring_measures(self, node: ast.expr | None, depth: int = 3) -> frozenset[Measure]:
        """Measures named by a `scoring=` value: a string, list, dict, `make_scorer(f)` or a variable."""
        if node is None or is_none(node):
            return frozenset({Measure.default})
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return measures_from_scoring(node.value)
        found: set[Measure] = set()
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for item in node.elts:
                found |= self.scoring_measures(item, depth)
        elif isinstance(node, ast.Dict):
            for value in node.values:
                found |= self.scoring_measures(value, depth)
        elif isinstance(node, ast.Call):
            site = self.site(node)
            if site is not None and canonical(site) in ("make_scorer", "get_scorer") and node.args:
                inner = node.args[0]
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    found |= measures_from_scoring(inner.value)
                else:
                    name = inner.attr if isinstance(inner, ast.Attribute) else getattr(inner, "id", "")
                    found |= METRIC_FUNCTIONS.get(name, frozenset({Measure.custom}))
            else:
                found.add(Measure.custom)
        elif isinstance(node, ast.Name) and depth > 0:
            bound = self.value_of(node.id)
            found |= self.scoring_measures(bound, depth - 1) if bound is not None else {Measure.custom}
        else:
            found.add(Measure.custom)
        return frozenset(found)

    @cached_property
    def metric_uses(self) -> list[MetricUse]:
        """Every evaluation in the code, in notebook order."""
        out: list[MetricUse] = []
        roc_curve_seen = any(u.name == "roc_curve" for u in self.uses)
        for use in self.uses:
            measures = METRIC_FUNCTIONS.get(use.name)
            if measures is not None:
                measures = self._refine(use, measures)
                out.append(MetricUse(use.site, measures, "function", self._data(use.call), use.function))
            elif use.name == "auc":
                args = names_in(use.call)
                is_roc = any("fpr" in n or "tpr" in n for n in args) or (
                    roc_curve_seen and not any("prec" in n or "rec" in n for n in args)
                )
                out.append(
                    MetricUse(
                        use.site,
                        frozenset({Measure.roc_auc if is_roc else Measure.average_precision}),
                        "function",
                        frozenset(args),
                        use.function,
                    )
                )
            elif (use.name in CV_FUNCTIONS and use.name != "cross_val_predict") or use.name in SEARCH_CV:
                out.append(
                    MetricUse(
                        use.site, self.scoring_measures(kw(use.call, "scoring")), "scoring", frozenset(), use.function
                    )
                )
        for site in self.code.calls:
            if site.name == "score" and site.receiver and len(site.node.args) >= 2:
                out.append(
                    MetricUse(
                        site,
                        self._score_measures(site),
                        "score",
                        self._data(site.node),
                        self.enclosing_function(site.node),
                    )
                )
        helpers = self.eval_helpers(out)
        for site in self.code.calls:
            if site.receiver is None and site.qualname is None and site.name in helpers:
                out.append(
                    MetricUse(
                        site, helpers[site.name], "helper", self._data(site.node), self.enclosing_function(site.node)
                    )
                )
        out.sort(key=lambda m: (m.site.cell, m.site.line, m.site.node.col_offset))
        return out

    def _refine(self, use: Use, measures: frozenset[Measure]) -> frozenset[Measure]:
        if Measure.mse in measures:
            parent = self.parent(use.call)
            squared = kw(use.call, "squared")
            sqrt_parent = isinstance(parent, ast.Call) and (
                (isinstance(parent.func, ast.Attribute) and parent.func.attr == "sqrt")
                or (isinstance(parent.func, ast.Name) and parent.func.id == "sqrt")
            )
            pow_parent = isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Pow)
            if is_false(squared) or sqrt_parent or pow_parent:
                return frozenset({Measure.rmse})
        return measures

    def _score_measures(self, site: CallSite) -> frozenset[Measure]:
        receiver = site.receiver or ""
        if receiver.isidentifier():
            value = self.value_of(receiver, (site.cell, site.line))
            if isinstance(value, ast.Call):
                inner = self.site(value)
                if inner is not None and canonical(inner) in SEARCH_CV:
                    return self.scoring_measures(kw(value, "scoring"))
        return frozenset({Measure.default})

    def _data(self, call: ast.Call) -> frozenset[str]:
        names: set[str] = set()
        for arg in _call_args(call):
            names |= names_in(arg)
        return frozenset(names)

    def eval_helpers(self, uses: list[MetricUse]) -> dict[str, frozenset[Measure]]:
        """Local functions that compute metrics (`def evaluate(model): ...`), with what they measure."""
        helpers: dict[str, set[Measure]] = {}
        for use in uses:
            if use.function and use.function in self.functions:
                helpers.setdefault(use.function, set()).update(use.measures)
        return {k: frozenset(v) for k, v in helpers.items()}

    def function_params(self, name: str | None) -> set[str]:
        if name is None or name not in self.functions:
            return set()
        args = self.functions[name][1].args
        return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}

    # ------------------------------------------------------------------ seeds

    @cached_property
    def global_seeds(self) -> list[CallSite]:
        """`np.random.seed(...)` calls, which also seed scikit-learn's `random_state=None`."""
        return [s for s in self.code.calls if s.qualname == "numpy.random.seed" and s.node.args]

    def seeded_globally_before(self, cell: int, line: int) -> bool:
        return any((s.cell, s.line) <= (cell, line) for s in self.global_seeds)

    @cached_property
    def randomness(self) -> list[RandomUse]:
        """Every random draw: splits, shuffled folds, random searches, resamplers, estimators, samples."""
        return _randomness(self)


#: numpy's legacy global-state draws, reproducible only after `np.random.seed`.
NUMPY_DRAWS = frozenset(
    {
        "rand",
        "randn",
        "randint",
        "random",
        "random_sample",
        "choice",
        "permutation",
        "shuffle",
        "normal",
        "uniform",
        "binomial",
        "poisson",
        "exponential",
        "sample",
    }
)
#: Estimators whose randomness is noticeable in the reported scores.
NOISY_FAMILIES = frozenset({Family.forest, Family.boosting, Family.neural})


@dataclass(frozen=True)
class RandomUse:
    """A call that draws random numbers, and whether its seed is fixed."""

    site: CallSite
    #: "split", "search", "resampler", "estimator", "sample", "numpy".
    kind: str
    what: str
    seeded: bool
    #: Its randomness moves the reported numbers noticeably (splits, ensembles).
    noisy: bool


def _randomness(facts: MLFacts) -> list[RandomUse]:
    found: list[RandomUse] = []
    reseeded = {s.receiver for s in facts.code.calls if s.name == "set_params" and kw(s.node, "random_state")}

    def seeded(use_site: CallSite, keywords: tuple[str, ...] = ("random_state",), globally: bool = True) -> bool:
        call = use_site.node
        value = kw(call, *keywords)
        if value is not None:
            return not is_none(value)
        if has_star_kwargs(call):
            return True
        return globally and facts.seeded_globally_before(use_site.cell, use_site.line)

    for use in facts.uses:
        name, site = use.name, use.site
        if name == "train_test_split":
            if not is_false(kw(use.call, "shuffle")):
                found.append(RandomUse(site, "split", "train_test_split", seeded(site), True))
        elif name in SPLITTERS:
            kind = SPLITTERS[name]
            if kind.shuffles == "always" or (kind.shuffles == "optional" and is_true(kw(use.call, "shuffle"))):
                found.append(RandomUse(site, "split", name, seeded(site), True))
        elif name in RANDOM_SEARCH_CV:
            found.append(RandomUse(site, "search", name, seeded(site), True))
        elif name in RANDOM_RESAMPLERS or name == "resample":
            found.append(RandomUse(site, "resampler", name, seeded(site), True))
        elif name == "permutation_importance":
            found.append(RandomUse(site, "estimator", name, seeded(site), False))
        elif name in ESTIMATORS and ESTIMATORS[name].stochastic:
            kind_ = ESTIMATORS[name]
            ok = seeded(site, kind_.seed_keywords) or (use.bound_to is not None and use.bound_to in reseeded)
            found.append(RandomUse(site, "estimator", name, ok, kind_.family in NOISY_FAMILIES))
    for site in facts.code.calls:
        if site.name == "sample" and site.qualname is None and site.receiver and site.receiver not in ("random", "rng"):
            if kw(site.node, "frac", "n") is not None or site.node.args:
                found.append(RandomUse(site, "sample", f"{site.receiver}.sample", seeded(site), False))
        elif site.qualname and site.qualname.startswith("numpy.random."):
            draw = site.qualname.rsplit(".", 1)[-1]
            if draw in NUMPY_DRAWS:
                found.append(
                    RandomUse(
                        site, "numpy", f"np.random.{draw}", facts.seeded_globally_before(site.cell, site.line), False
                    )
                )
            elif draw in ("default_rng", "RandomState") and not site.node.args and not site.node.keywords:
                found.append(RandomUse(site, "numpy", f"np.random.{draw}()", False, False))
    found.sort(key=lambda r: (r.site.cell, r.site.line, r.site.node.col_offset))
    return found


_MODEL_BUILDERS = frozenset(ESTIMATORS) | SEARCH_CV | PIPELINE_BUILDERS | MODEL_WRAPPERS


def _vocabulary() -> frozenset[str]:
    words: set[str] = set(ESTIMATORS) | SELECTORS | MODEL_WRAPPERS | SCALERS | IMPUTERS | set(ENCODERS)
    words |= RESAMPLERS | LEARNED_TRANSFORMS | FEATURE_BUILDERS | PIPELINE_BUILDERS | set(SPLITTERS)
    words |= SPLIT_FUNCTIONS | SEARCH_CV | CV_FUNCTIONS | set(METRIC_FUNCTIONS)
    words |= {"auc", "make_scorer", "get_scorer", "resample"}
    return frozenset(words)


VOCABULARY = _vocabulary()

_FACTS: weakref.WeakKeyDictionary[CodeIndex, MLFacts] = weakref.WeakKeyDictionary()


def ml_facts(code: CodeIndex) -> MLFacts:
    """The ML facts of a code index, computed once and shared by every check."""
    facts = _FACTS.get(code)
    if facts is None:
        facts = MLFacts(code)
        _FACTS[code] = facts
    return facts


# --------------------------------------------------------------------------- the submission's own modules


@dataclass(frozen=True)
class Module:
    """A local `.py` file the notebook imports (`features.py`), indexed as a notebook.

    The file is cut into cells at top-level statements (small cells keep the code
    index fast); `offsets[cell]` turns a cell's line back into the file's line.
    """

    path: str
    code: CodeIndex
    offsets: tuple[int, ...]

    @property
    def facts(self) -> MLFacts:
        return ml_facts(self.code)

    def file_line(self, cell: int, line: int) -> int:
        return self.offsets[cell] + line if 0 <= cell < len(self.offsets) else line


_MODULES: weakref.WeakKeyDictionary[CodeIndex, tuple[Module, ...]] = weakref.WeakKeyDictionary()
_CHUNK_LINES = 10


def _chunks(text: str) -> list[tuple[int, str]]:
    """(first line - 1, source) pieces of a module, cut between top-level statements."""
    lines = text.split("\n")
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [(0, text)]
    starts = []
    for stmt in tree.body:
        decorators = getattr(stmt, "decorator_list", [])
        starts.append(min([stmt.lineno, *(d.lineno for d in decorators)]) - 1)
    if not starts:
        return [(0, text)]
    starts[0] = 0
    pieces: list[tuple[int, str]] = []
    begin = 0
    for position, start in enumerate(starts[1:], start=1):
        if start - begin >= _CHUNK_LINES or (start - starts[position - 1]) >= _CHUNK_LINES:
            pieces.append((begin, "\n".join(lines[begin:start])))
            begin = start
    pieces.append((begin, "\n".join(lines[begin:])))
    return pieces


def local_modules(code: CodeIndex, texts: dict[str, str]) -> tuple[Module, ...]:
    """The submission's `.py` files that the notebook imports, parsed once."""
    cached = _MODULES.get(code)
    if cached is not None:
        return cached
    imported = (
        set(code.imported_modules) | {q.rsplit(".", 1)[0] for q in code.aliases.values()} | set(code.aliases.values())
    )
    found = []
    for path, text in sorted(texts.items()):
        if not path.endswith(".py"):
            continue
        dotted = path[:-3].replace("/", ".").replace("\\", ".")
        if dotted not in imported and dotted.split(".")[-1] not in imported:
            continue
        pieces = _chunks(text)
        cells = tuple(
            Cell(index=i, notebook=path, local_index=i, cell_type="code", source=source)
            for i, (_, source) in enumerate(pieces)
        )
        found.append(
            Module(path, CodeIndex(NotebookView(cells=cells, notebooks=(path,))), tuple(offset for offset, _ in pieces))
        )
    _MODULES[code] = tuple(found)
    return _MODULES[code]


# --------------------------------------------------------------------------- task and prose


def task_of(assignment: Assignment | None, facts: MLFacts) -> Task | None:
    """Classification or regression: from the assignment, else from the estimators the code builds."""
    if assignment is not None:
        return Task.regression if assignment.task is TaskType.regression else Task.classification
    votes = {Task.classification: 0, Task.regression: 0}
    for _, kind in facts.estimators:
        votes[kind.task] += 1
    if votes[Task.classification] == votes[Task.regression]:
        return None
    return max(votes, key=lambda t: votes[t])


def resolve_measures(measures: Iterable[Measure], task: Task | None) -> set[Measure]:
    """Replace the estimator's default `score` by what it is for this task."""
    out = set()
    for measure in measures:
        if measure is Measure.default:
            if task is Task.classification:
                out.add(Measure.accuracy)
            elif task is Task.regression:
                out.add(Measure.r2)
        else:
            out.add(measure)
    return out


_VALUE_COUNT_ROW = re.compile(r"^\s*(\S+)\s+(0?\.\d+|1\.0+|\d+(?:\.\d+)?%?)\s*$")


def observed_positive_rate(view: NotebookView, target: str | None = None) -> float | None:
    """The minority share printed by a `value_counts(normalize=True)` (or `.mean()` of the target) output."""
    for cell in view.code_cells():
        if "value_counts" not in cell.source or "normalize" not in cell.source:
            continue
        if target is not None and target not in cell.source:
            continue
        shares = []
        for line in cell.output_text.splitlines():
            match = _VALUE_COUNT_ROW.match(line)
            if match:
                raw = match.group(2)
                value = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
                if 0 <= value <= 1:
                    shares.append(value)
        if len(shares) == 2 and abs(sum(shares) - 1) < 0.02:
            return min(shares)
    return None


def positive_rate(assignment: Assignment | None, view: NotebookView) -> float | None:
    """The share of the positive class: the assignment's, else what the notebook printed."""
    if assignment is not None and assignment.positive_rate is not None:
        return assignment.positive_rate
    return observed_positive_rate(view, assignment.target if assignment else None)


def markdown_near(view: NotebookView, index: int, before: int = 3, after: int = 2) -> Iterator[Cell]:
    """Markdown cells within a few cells of `index`, nearest first."""
    order = sorted(range(max(0, index - before), min(len(view), index + after + 1)), key=lambda i: abs(i - index))
    for i in order:
        if view[i].is_markdown:
            yield view[i]


def gives_reasons(text: str) -> bool:
    """Prose that explains rather than only labels (a reason word in a sentence, not a heading)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or len(stripped) < 20:
            continue
        if REASONING.search(stripped):
            return True
    return False


def comments(cell_source: str) -> list[tuple[int, str]]:
    """`# comment` lines of a code cell with their 1-based line numbers."""
    out = []
    for number, line in enumerate(cell_source.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            out.append((number, stripped.lstrip("#").strip()))
        elif "  # " in line:
            out.append((number, line.split("  # ", 1)[1].strip()))
    return out


# --------------------------------------------------------------------------- where to point


def model_places(facts: MLFacts, limit: int = 2) -> list[tuple[int, int]]:
    """Where the models are built (else fitted): the place a finding about something missing points at."""
    places: list[tuple[int, int]] = []
    for use, kind in facts.estimators:
        if kind.family is not Family.dummy and (use.cell, use.line) not in places:
            places.append((use.cell, use.line))
    if not places:
        places = [(f.site.cell, f.site.line) for f in facts.fits]
    return places[:limit]


def evaluation_places(facts: MLFacts, limit: int = 2) -> list[tuple[int, int]]:
    """Where models are scored (metric calls outside helper bodies), first ones first."""
    places: list[tuple[int, int]] = []
    for metric in facts.metric_uses:
        place = (metric.site.cell, metric.site.line)
        if place not in places:
            places.append(place)
    return places[:limit]


def has_model(facts: MLFacts) -> bool:
    """The code builds an estimator, or fits something that looks like a model."""
    return bool(facts.estimators) or any(f.site.name == "fit" for f in facts.fits)


# --------------------------------------------------------------------------- notebook and modules together


@dataclass(frozen=True)
class Source:
    """One body of candidate code: the notebook (`module` None) or a local module it imports."""

    facts: MLFacts
    module: Module | None = None

    def where(self, cell: int) -> str:
        return self.module.path if self.module is not None else f"cell {cell}"


def code_sources(code: CodeIndex, texts: dict[str, str]) -> list[Source]:
    """The notebook's facts, then those of each local module it imports (`features.py`)."""
    return [Source(ml_facts(code)), *(Source(m.facts, m) for m in local_modules(code, texts))]


def evidence_for(ctx: CheckContext, source: Source, cell: int, line: int) -> Evidence:
    """Evidence at a place in the notebook, or in a local module (as a file excerpt)."""
    if source.module is None:
        return ctx.evidence(cell, line)
    return ctx.evidence(
        None,
        source.module.file_line(cell, line),
        snippet=source.module.code.snippet(cell, line),
        source=EvidenceSource.file,
        note=source.module.path,
    )
