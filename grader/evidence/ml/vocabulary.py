"""The machine-learning vocabulary: what reviewers look for, by name.

Estimator families (and which of them need scaled inputs or draw random numbers),
baselines, transformers, splitters, search and cross-validation helpers, metric
functions and `scoring=` strings, resamplers, and the words of variable names that
announce held-out or training data. Every list of library names the evidence stage and
the checks match code against lives here."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from grader.models.assignment import Metric

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

#: Factory functions and the class of what they build (a traced fit records the class).
BUILT_BY_FACTORY = {
    "make_pipeline": "Pipeline",
    "make_column_transformer": "ColumnTransformer",
    "make_union": "FeatureUnion",
}


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
    """Whether a variable name announces training data (`X_train`, `ytr`)."""
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

MODEL_BUILDERS = frozenset(ESTIMATORS) | SEARCH_CV | PIPELINE_BUILDERS | MODEL_WRAPPERS


def _vocabulary() -> frozenset[str]:
    words: set[str] = set(ESTIMATORS) | SELECTORS | MODEL_WRAPPERS | SCALERS | IMPUTERS | set(ENCODERS)
    words |= RESAMPLERS | LEARNED_TRANSFORMS | FEATURE_BUILDERS | PIPELINE_BUILDERS | set(SPLITTERS)
    words |= SPLIT_FUNCTIONS | SEARCH_CV | CV_FUNCTIONS | set(METRIC_FUNCTIONS)
    words |= {"auc", "make_scorer", "get_scorer", "resample"}
    return frozenset(words)


VOCABULARY = _vocabulary()


# --------------------------------------------------------------------------- estimators as the dataflow sees them


class EstKind(StrEnum):
    transformer = "transformer"
    resampler = "resampler"
    model = "model"
    pipeline = "pipeline"
    search = "search"
    splitter = "splitter"
    stateless = "stateless"
    unknown = "unknown"


class FitCategory(StrEnum):
    """What a fit learns, which decides the leak type and its severity."""

    scaler = "scaler"
    imputer = "imputer"
    encoder = "encoder"
    target_encoder = "target_encoder"
    selector = "selector"
    decomposition = "decomposition"
    vectorizer = "vectorizer"
    discretizer = "discretizer"
    clustering = "clustering"
    custom = "custom"
    statistic = "statistic"
    target_statistic = "target_statistic"
    model = "model"
    pipeline = "pipeline"
    search = "search"
    resampler = "resampler"
    undersampler = "undersampler"
    stateless = "stateless"
    unknown = "unknown"


CATALOGUE: dict[str, tuple[EstKind, FitCategory]] = {}


def _register(kind: EstKind, category: FitCategory, names: str) -> None:
    for name in names.split():
        CATALOGUE[name] = (kind, category)


_register(
    EstKind.transformer,
    FitCategory.scaler,
    "StandardScaler MinMaxScaler RobustScaler MaxAbsScaler QuantileTransformer PowerTransformer",
)
_register(EstKind.transformer, FitCategory.imputer, "SimpleImputer KNNImputer IterativeImputer")
_register(
    EstKind.transformer,
    FitCategory.encoder,
    "OneHotEncoder OrdinalEncoder LabelEncoder LabelBinarizer MultiLabelBinarizer DictVectorizer "
    "BinaryEncoder BaseNEncoder CountEncoder HelmertEncoder SumEncoder BackwardDifferenceEncoder "
    "PolynomialEncoder",
)
_register(
    EstKind.transformer,
    FitCategory.target_encoder,
    "TargetEncoder MEstimateEncoder LeaveOneOutEncoder CatBoostEncoder JamesSteinEncoder WOEEncoder "
    "GLMMEncoder QuantileEncoder SummaryEncoder",
)
_register(
    EstKind.transformer,
    FitCategory.selector,
    "SelectKBest SelectPercentile SelectFromModel RFE RFECV VarianceThreshold SelectFpr SelectFdr SelectFwe "
    "GenericUnivariateSelect SequentialFeatureSelector",
)
_register(
    EstKind.transformer,
    FitCategory.decomposition,
    "PCA TruncatedSVD KernelPCA IncrementalPCA FastICA NMF LatentDirichletAllocation FactorAnalysis "
    "SparsePCA MiniBatchSparsePCA DictionaryLearning Isomap LocallyLinearEmbedding "
    "LinearDiscriminantAnalysis_transform",
)
_register(EstKind.transformer, FitCategory.vectorizer, "CountVectorizer TfidfVectorizer TfidfTransformer")
_register(EstKind.transformer, FitCategory.discretizer, "KBinsDiscretizer SplineTransformer")
_register(
    EstKind.transformer,
    FitCategory.clustering,
    "KMeans MiniBatchKMeans DBSCAN AgglomerativeClustering GaussianMixture Birch MeanShift SpectralClustering",
)
_register(
    EstKind.stateless,
    FitCategory.stateless,
    "PolynomialFeatures FunctionTransformer Binarizer Normalizer HashingVectorizer HashingEncoder MissingIndicator",
)
_register(
    EstKind.resampler,
    FitCategory.resampler,
    "SMOTE ADASYN BorderlineSMOTE SVMSMOTE KMeansSMOTE SMOTENC SMOTEN RandomOverSampler SMOTETomek SMOTEENN",
)
_register(
    EstKind.resampler,
    FitCategory.undersampler,
    "RandomUnderSampler TomekLinks NearMiss EditedNearestNeighbours RepeatedEditedNearestNeighbours "
    "AllKNN CondensedNearestNeighbour OneSidedSelection NeighbourhoodCleaningRule InstanceHardnessThreshold "
    "ClusterCentroids",
)
_register(
    EstKind.pipeline,
    FitCategory.pipeline,
    "Pipeline make_pipeline ColumnTransformer make_column_transformer FeatureUnion make_union",
)
_register(
    EstKind.search,
    FitCategory.search,
    "GridSearchCV RandomizedSearchCV HalvingGridSearchCV HalvingRandomSearchCV BayesSearchCV",
)
_register(
    EstKind.splitter,
    FitCategory.unknown,
    "KFold StratifiedKFold GroupKFold StratifiedGroupKFold GroupShuffleSplit ShuffleSplit "
    "StratifiedShuffleSplit TimeSeriesSplit RepeatedKFold RepeatedStratifiedKFold LeaveOneOut LeaveOneGroupOut "
    "LeavePGroupsOut LeavePOut PredefinedSplit",
)

MODEL_NAME = re.compile(
    r"(Classifier|Regressor|Regression|Classifier[A-Z]\w*|^SVC$|^SVR$|^NuSVC$|^NuSVR$|^LinearSVC$|^LinearSVR$|NB$|"
    r"^Ridge|^Lasso|^ElasticNet|^Lars|^LassoLars|^Perceptron$|^SGD\w+|^OrthogonalMatchingPursuit|^BayesianRidge$|"
    r"^ARDRegression$|^HuberRegressor$|^TheilSenRegressor$|^RANSACRegressor$|^LinearDiscriminantAnalysis$|"
    r"^QuadraticDiscriminantAnalysis$|^KernelRidge$|^GaussianProcess\w+|^MLP\w+|^Booster$|^IsolationForest$|"
    r"^OneClassSVM$|^LocalOutlierFactor$|^TransformedTargetRegressor$|^CalibratedClassifierCV$|"
    r"^LogisticRegressionCV$|^RidgeCV$|^LassoCV$|^ElasticNetCV$|^Dummy\w+)"
)
#: Keyword arguments only Keras' `Model.fit` takes: a call with one of them fits a neural network.
KERAS_FIT_KEYWORDS = frozenset({"validation_split", "validation_data", "epochs"})
#: The class name the dataflow gives a Keras model it knows only by how it is fitted.
KERAS_MODEL = "Keras model"
ML_PACKAGES = ("sklearn", "imblearn", "xgboost", "lightgbm", "catboost", "category_encoders", "feature_engine")
GROUP_SPLITTERS = {"GroupKFold", "StratifiedGroupKFold", "GroupShuffleSplit", "LeaveOneGroupOut", "LeavePGroupsOut"}
RANDOM_SPLITTERS = {
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
}
CV_CALLS = {
    "cross_val_score",
    "cross_validate",
    "cross_val_predict",
    "learning_curve",
    "validation_curve",
    "permutation_test_score",
}
METRIC_NAME = re.compile(
    r"(_score|_error|_loss|^log_loss|^confusion_matrix|^classification_report|"
    r"^precision_recall_curve|^roc_curve|^r2_score|^rmse|^mae|^mape)$"
)


# --------------------------------------------------------------------------- names single checks look for

#: Calls that embody a modelling or feature decision a reviewer expects explained (DOC003).
DECISION_CALLS = {
    "train_test_split",
    "KFold",
    "StratifiedKFold",
    "GroupKFold",
    "TimeSeriesSplit",
    "StratifiedGroupKFold",
    "ShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedStratifiedKFold",
    "cross_val_score",
    "cross_validate",
    "cross_val_predict",
    "GridSearchCV",
    "RandomizedSearchCV",
    "HalvingGridSearchCV",
    "HalvingRandomSearchCV",
    "BayesSearchCV",
    "create_study",
    "Pipeline",
    "make_pipeline",
    "ColumnTransformer",
    "make_column_transformer",
    "StandardScaler",
    "MinMaxScaler",
    "RobustScaler",
    "OneHotEncoder",
    "OrdinalEncoder",
    "TargetEncoder",
    "LabelEncoder",
    "SimpleImputer",
    "KNNImputer",
    "IterativeImputer",
    "PCA",
    "SMOTE",
    "RandomOverSampler",
    "RandomUnderSampler",
    "ADASYN",
    "PolynomialFeatures",
    "FunctionTransformer",
    "SelectKBest",
    "RFE",
    "RFECV",
    "get_dummies",
    "fillna",
    "dropna",
    "qcut",
    "cut",
    "log1p",
    "CalibratedClassifierCV",
    "DummyClassifier",
    "DummyRegressor",
    "precision_recall_curve",
}
#: Encoders that replace a category by a statistic of the target (FEAT002).
TARGET_STATISTIC_ENCODERS = frozenset(
    {
        "CatBoostEncoder",
        "LeaveOneOutEncoder",
        "WOEEncoder",
        "JamesSteinEncoder",
        "MEstimateEncoder",
        "GLMMEncoder",
        "QuantileEncoder",
    }
)
