"""What the dataflow knows of libraries: estimator kinds, what each fit learns, data functions and names."""

from __future__ import annotations

import re
from enum import StrEnum


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
ML_PACKAGES = ("sklearn", "imblearn", "xgboost", "lightgbm", "catboost", "category_encoders", "feature_engine")
GROUP_SPLITTERS = {"GroupKFold", "StratifiedGroupKFold", "GroupShuffleSplit", "LeaveOneGroupOut", "LeavePGroupsOut"}
RANDOM_SPLITTERS = {
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
}
SOURCE_FUNCTIONS = {
    "read_csv",
    "read_parquet",
    "read_excel",
    "read_json",
    "read_feather",
    "read_table",
    "read_sql",
    "read_sql_query",
    "read_pickle",
    "read_orc",
    "read_stata",
    "loadtxt",
    "genfromtxt",
    "load",
    "fromfile",
    "make_classification",
    "make_regression",
    "make_blobs",
    "make_moons",
    "load_iris",
    "load_diabetes",
    "load_breast_cancer",
    "load_wine",
    "fetch_california_housing",
    "fetch_openml",
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
STATS = {
    "mean",
    "median",
    "mode",
    "std",
    "var",
    "quantile",
    "min",
    "max",
    "sum",
    "describe",
    "nunique",
    "value_counts",
    "corr",
    "cov",
    "skew",
    "kurt",
    "sem",
    "mad",
    "count",
    "agg",
    "aggregate",
    "nlargest",
    "nsmallest",
    "idxmax",
    "idxmin",
    "cummax",
    "cummin",
    "rank",
}
#: Statistics that learn something from the rows when their result is fed back into data.
FITTING_STATS = {
    "mean",
    "median",
    "mode",
    "std",
    "var",
    "quantile",
    "min",
    "max",
    "sum",
    "skew",
    "kurt",
    "sem",
    "agg",
    "aggregate",
    "rank",
}
ROW_PRESERVING = {
    "fillna",
    "astype",
    "replace",
    "map",
    "apply",
    "applymap",
    "transform",
    "clip",
    "round",
    "abs",
    "copy",
    "rename",
    "reset_index",
    "set_index",
    "to_numpy",
    "to_frame",
    "ravel",
    "reshape",
    "squeeze",
    "where",
    "mask",
    "interpolate",
    "ffill",
    "bfill",
    "infer_objects",
    "convert_dtypes",
    "pipe",
    "log1p",
    "isna",
    "isnull",
    "notna",
    "notnull",
    "isin",
    "between",
    "eq",
    "ne",
    "lt",
    "gt",
    "le",
    "ge",
    "add",
    "sub",
    "mul",
    "div",
    "truediv",
    "pow",
    "str",
    "dt",
    "cat",
    "get",
    "explode",
    "assign",
    "dropna",
    "drop_duplicates",
    "query",
    "head",
    "tail",
    "filter",
    "select_dtypes",
    "sort_index",
    "reindex",
    "align",
    "combine_first",
    "update",
    "tolist",
    "to_list",
    "to_dict",
    "split",
    "strip",
    "lower",
    "upper",
    "contains",
    "cumsum",
    "cumprod",
    "shift",
    "diff",
    "pct_change",
    "rolling",
    "expanding",
    "ewm",
    "resample",
    "stack",
    "unstack",
    "melt",
    "pivot",
    "pivot_table",
    "sample",
    "nlargest",
    "nsmallest",
    "first",
    "last",
    "T",
    "transpose",
    "flatten",
    "toarray",
    "todense",
    "tocsr",
    "to_datetime",
    "date",
    "year",
    "month",
    "day",
    "dayofweek",
    "hour",
    "weekday",
    "total_seconds",
    "normalize",
    "floor",
    "ceil",
    "len",
    "cut",
    "qcut",
    "get_dummies",
    "drop",
    "pop",
    "insert",
    "loc",
    "iloc",
    "merge",
    "join",
    "concat",
    "clip_lower",
    "sort_values",
    "groupby",
}
FRAME_ATTRS = {
    "shape",
    "columns",
    "index",
    "dtypes",
    "dtype",
    "values",
    "T",
    "iloc",
    "loc",
    "at",
    "iat",
    "str",
    "dt",
    "cat",
    "empty",
    "size",
    "ndim",
    "name",
    "plot",
    "hist",
    "style",
    "axes",
    "attrs",
    "flags",
    "array",
    "nbytes",
    "hasnans",
    "is_unique",
    "is_monotonic_increasing",
    "is_monotonic_decreasing",
}
SELECT_FUNCTIONS = {
    "max",
    "min",
    "sorted",
    "argmax",
    "argmin",
    "nanargmax",
    "nanargmin",
    "idxmax",
    "idxmin",
    "nlargest",
    "nsmallest",
    "sort_values",
    "argsort",
}
TIME_NAME = re.compile(r"(date|time|_at$|^at_|timestamp|day|month|year|period|week|ts$)", re.IGNORECASE)
DATE_LITERAL = re.compile(r"^\d{4}-\d{2}(-\d{2})?")


class Role(StrEnum):
    train = "train"
    test = "test"
    validation = "validation"


_AFFIX = r"(x|y|df|data|dataset|features|feats|labels)?"
_SUFFIX = r"(x|y|df|set|data|dataset|features|feats|labels|\d+)?"
_ROLE_WORDS = (
    (Role.test, re.compile(rf"^{_AFFIX}(test|tst|te|holdout|hold|ho)(out)?{_SUFFIX}$")),
    (Role.validation, re.compile(rf"^{_AFFIX}(val|vals|valid|validation|dev|eval|vl)(id)?{_SUFFIX}$")),
    (Role.train, re.compile(rf"^{_AFFIX}(train|training|tr|trn|fit)(ing)?{_SUFFIX}$")),
)


def role_of_name(name: str) -> Role | None:
    """The partition role a variable name announces (`X_test` → test, `val_df` → validation)."""
    words = [w.lower() for w in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if w]
    for role, pattern in _ROLE_WORDS:
        if any(pattern.match(word) for word in words):
            return role
    return None
