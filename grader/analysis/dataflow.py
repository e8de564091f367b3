"""Static dataflow over a notebook's code, in cell order, for leakage analysis.

An abstract interpreter walks every statement of every code cell once, in order
(loop bodies twice, so loop-carried facts settle; user functions are inlined at
their call sites). Values are abstract:

- `Data`: a frame, array, series or number derived from data. It knows which rows
  it holds (`tags`: a data source, or one side of a split), which fitted statistics
  or transformers have been applied to it (`taints`), which columns it has, which
  source columns a series derives from, whether it was resampled, and whether it
  is a score computed on some partition;
- `Est`: an estimator object (transformer, model, pipeline, search, resampler,
  splitter), with every fit recorded on it;
- column lists, containers, functions, modules and unknowns.

Events are recorded as the interpreter goes: reads of data sources (`Source`),
splits (`Split`: `train_test_split`, splitter folds, boolean-mask, `.iloc` and
`.sample` cuts), fits (`Fit`: transformers, models, pandas statistics, target
encodings), resampling, predictions, evaluations, cross-validation runs and score
selections (`max`, comparisons, `idxmax`...). `grader.analysis.leakage` turns them
into leak findings. Code the interpreter does not understand passes data through
conservatively (the result holds everything its inputs held) and marks it
`uncertain`, which lowers the confidence of whatever is found through it.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from grader.analysis.code import CodeCell, CodeIndex

# --------------------------------------------------------------------------- catalogue


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


_CATALOGUE: dict[str, tuple[EstKind, FitCategory]] = {}


def _register(kind: EstKind, category: FitCategory, names: str) -> None:
    for name in names.split():
        _CATALOGUE[name] = (kind, category)


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

_MODEL_NAME = re.compile(
    r"(Classifier|Regressor|Regression|Classifier[A-Z]\w*|^SVC$|^SVR$|^NuSVC$|^NuSVR$|^LinearSVC$|^LinearSVR$|NB$|"
    r"^Ridge|^Lasso|^ElasticNet|^Lars|^LassoLars|^Perceptron$|^SGD\w+|^OrthogonalMatchingPursuit|^BayesianRidge$|"
    r"^ARDRegression$|^HuberRegressor$|^TheilSenRegressor$|^RANSACRegressor$|^LinearDiscriminantAnalysis$|"
    r"^QuadraticDiscriminantAnalysis$|^KernelRidge$|^GaussianProcess\w+|^MLP\w+|^Booster$|^IsolationForest$|"
    r"^OneClassSVM$|^LocalOutlierFactor$|^TransformedTargetRegressor$|^CalibratedClassifierCV$|"
    r"^LogisticRegressionCV$|^RidgeCV$|^LassoCV$|^ElasticNetCV$|^Dummy\w+)"
)
_ML_PACKAGES = ("sklearn", "imblearn", "xgboost", "lightgbm", "catboost", "category_encoders", "feature_engine")
_GROUP_SPLITTERS = {"GroupKFold", "StratifiedGroupKFold", "GroupShuffleSplit", "LeaveOneGroupOut", "LeavePGroupsOut"}
_RANDOM_SPLITTERS = {
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
}
_SOURCE_FUNCTIONS = {
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
_CV_FUNCTIONS = {
    "cross_val_score",
    "cross_validate",
    "cross_val_predict",
    "learning_curve",
    "validation_curve",
    "permutation_test_score",
}
_METRIC_NAME = re.compile(
    r"(_score|_error|_loss|^log_loss|^confusion_matrix|^classification_report|"
    r"^precision_recall_curve|^roc_curve|^r2_score|^rmse|^mae|^mape)$"
)
_STATS = {
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
_FITTING_STATS = {
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
_ROW_PRESERVING = {
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
_FRAME_ATTRS = {
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
_SELECT_FUNCTIONS = {
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
_TIME_NAME = re.compile(r"(date|time|_at$|^at_|timestamp|day|month|year|period|week|ts$)", re.IGNORECASE)
_DATE_LITERAL = re.compile(r"^\d{4}-\d{2}(-\d{2})?")


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


# --------------------------------------------------------------------------- events

Tag = tuple[Any, ...]


@dataclass(frozen=True)
class Site:
    """Where something happens: cell, line and a snippet of the code.

    Inside a function, `cell`/`line` are in the function's body and `run_cell`/`run_line`
    are the outermost call in the notebook (what ran at that moment, and what the
    runtime trace records).
    """

    cell: int
    line: int
    snippet: str
    end_line: int | None = None
    run_cell: int | None = None
    run_line: int | None = None

    @property
    def executed_cell(self) -> int:
        return self.run_cell if self.run_cell is not None else self.cell

    @property
    def executed_line(self) -> int:
        return self.run_line if self.run_line is not None else self.line


@dataclass
class Source:
    id: int
    site: Site
    path: str | None
    #: The file name suggests the unlabelled test features (e.g. `test_features.csv`).
    is_test_file: bool


@dataclass
class Split:
    """One way rows were divided into a training side and a held-out side."""

    id: int
    site: Site
    kind: str  # train_test_split | splitter | mask | iloc | sample | drop
    input_tags: frozenset[Tag]
    #: Rows were shuffled / drawn at random (as opposed to a cut by time or position).
    random: bool
    time_based: bool = False
    group_aware: bool = False
    stratified: bool = False
    function: str = ""
    #: Role of each side, from the names the outputs were bound to.
    roles: dict[str, Role] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)
    uncertain: bool = False
    #: The rows come from a data set the notebook put together from train and test files (not an evaluation split).
    recombines_files: bool = False
    #: Oversampling events whose output this split divides.
    input_resampled: frozenset[int] = frozenset()
    #: For splits made from cuts: (kind, key, base tags), and which cut piece became which side.
    cut_key: tuple[Any, ...] | None = None
    cut_parts: dict[str, str] = field(default_factory=dict)

    def role(self, side: str) -> Role:
        return self.roles.get(side) or (Role.train if side == "train" else Role.test)


@dataclass
class Fit:
    """Something learnt from rows: an estimator fit or a pandas statistic."""

    id: int
    site: Site
    category: FitCategory
    cls: str
    method: str
    tags: frozenset[Tag]
    supervised: bool = False
    est: Est | None = None
    uncertain: bool = False
    #: Columns involved (for statistics), for messages.
    columns: tuple[str, ...] = ()
    loops: tuple[int, ...] = ()
    #: The rows, as the whole Data value (for later checks).
    data: Data | None = None
    eval_set: Data | None = None
    early_stopping: bool = False
    #: Group-by keys of a group statistic.
    by: tuple[str, ...] = ()


@dataclass
class Resample:
    id: int
    site: Site
    cls: str
    tags: frozenset[Tag]
    oversampling: bool
    uncertain: bool = False


@dataclass
class Predict:
    id: int
    site: Site
    est: Est | None
    version: int
    data: Data


@dataclass
class Eval:
    """A score computed on some rows (metric function or `.score`)."""

    id: int
    site: Site
    function: str
    est: Est | None
    version: int
    tags: frozenset[Tag]
    loops: tuple[int, ...]
    data: Data | None = None


@dataclass
class CVRun:
    """A cross-validation helper or a search fitted with internal CV."""

    id: int
    site: Site
    function: str
    est: Est | None
    data: Data
    random: bool
    group_aware: bool
    time_based: bool
    cv_text: str = ""


@dataclass
class Selection:
    """Scores compared or ranked to pick something (`max`, `>`, `idxmax`, `sorted`...)."""

    id: int
    site: Site
    scores: frozenset[int]
    how: str


@dataclass
class Loop:
    id: int
    site: Site
    targets: tuple[str, ...]
    #: The loop walks over estimators (a dict/list of models).
    over_estimators: bool = False
    #: An estimator is built from the loop variable inside the body (a hyperparameter sweep).
    sweeps: bool = False


@dataclass
class ColumnUse:
    """A named column that reaches a model's features."""

    column: str
    fit: Fit
    #: Where the column's name appears in the code (definition, feature list), if known.
    mention: Site | None
    certain: bool


# --------------------------------------------------------------------------- abstract values


@dataclass(frozen=True)
class Cols:
    """The columns of a frame: all source columns but some, exactly some, or unknown."""

    mode: str = "all"  # all | known | unknown
    names: frozenset[str] = frozenset()
    #: Some columns may have been filtered out (e.g. `select_dtypes`): membership is only a maybe.
    filtered: bool = False

    def contains(self, column: str) -> bool | None:
        if self.mode == "known":
            return (
                column in self.names or any(n.startswith(column + "_") for n in self.names) or None
                if self.filtered
                else column in self.names
            )
        if self.mode == "all":
            if column in self.names:
                return False
            return None if self.filtered else True
        return None

    def without(self, names: Iterable[str]) -> Cols:
        drop = frozenset(names)
        if self.mode == "known":
            return replace(self, names=self.names - drop)
        if self.mode == "all":
            return replace(self, names=self.names | drop)
        return self

    def plus(self, names: Iterable[str]) -> Cols:
        add = frozenset(names)
        if self.mode == "known":
            return replace(self, names=self.names | add)
        if self.mode == "all":
            return replace(self, names=self.names - add)
        return self

    def join(self, other: Cols) -> Cols:
        if self.mode == other.mode == "known":
            return Cols("known", self.names | other.names, self.filtered or other.filtered)
        if self.mode == other.mode == "all":
            return Cols("all", self.names & other.names, self.filtered or other.filtered)
        if "unknown" in (self.mode, other.mode):
            return Cols("unknown")
        known, everything = (self, other) if self.mode == "known" else (other, self)
        return Cols("all", everything.names - known.names, self.filtered or other.filtered)


@dataclass(frozen=True)
class Data:
    """Abstract data: which rows, what was fitted into it, which columns, and where it came from."""

    tags: frozenset[Tag] = frozenset()
    taints: frozenset[int] = frozenset()
    cols: Cols = Cols("unknown")
    #: For a series: the source columns it is computed from (derived columns expanded).
    deps: frozenset[str] = frozenset()
    #: Columns created by the notebook → the source columns they depend on.
    derived: tuple[tuple[str, frozenset[str]], ...] = ()
    #: Computed row by row from the target column (a target-derived feature).
    target: bool = False
    resampled: frozenset[int] = frozenset()
    predictions: frozenset[int] = frozenset()
    scores: frozenset[int] = frozenset()
    #: This value is a statistic (or a fitted mapping) rather than rows.
    stat: bool = False
    uncertain: bool = False
    shuffled: bool = False
    sorted_by: str | None = None
    #: A pending cut (boolean mask, .iloc, .sample) that becomes a split when bound to a role name.
    cut: Cut | None = None
    groupby: tuple[str, ...] | None = None
    frame: bool = False
    #: Where each explicitly selected column was named (e.g. the feature list).
    col_sites: tuple[tuple[str, Site], ...] = ()
    #: Where the current set of columns was decided (a selection or a `drop`).
    cols_site: Site | None = None

    def derived_map(self) -> dict[str, frozenset[str]]:
        return dict(self.derived)

    def column_deps(self, column: str) -> frozenset[str]:
        """Source columns behind a column of this frame."""
        return self.derived_map().get(column, frozenset({column}))


@dataclass(frozen=True)
class Cut:
    base_tags: frozenset[Tag]
    kind: str
    key: str
    random: bool
    time_based: bool
    site: Site
    #: For `.drop(other.index)`: the split and side of `other`.
    complement_of: tuple[int, str] | None = None
    #: Which piece of the cut this is (`head`/`tail` of a positional cut, the comparison of a mask).
    part: str = ""
    #: False for a boolean mask on its own: only rows selected with it can become a split side.
    applied: bool = True

    @property
    def tag(self) -> Tag:
        """Rows of one piece of a cut that may become a split side later."""
        return ("cut", self.kind, self.key, self.part, self.base_tags)


@dataclass(eq=False)
class Est:
    """An estimator object; identity matters (several names may refer to one)."""

    id: int
    cls: str
    kind: EstKind
    category: FitCategory
    site: Site
    qualname: str | None = None
    steps: list[Est] = field(default_factory=list)
    inner: Est | None = None
    kwargs: dict[str, ast.expr] = field(default_factory=dict)
    fits: list[Fit] = field(default_factory=list)
    loops: tuple[int, ...] = ()
    #: Built (or re-parameterised) from a loop variable: a hyperparameter sweep.
    sweep_loop: int | None = None
    #: Columns a ColumnTransformer selects (None: unknown or passthrough), and where each is named.
    selects: Cols | None = None
    select_sites: dict[str, Site] = field(default_factory=dict)
    random: bool = False
    group_aware: bool = False
    time_based: bool = False
    early_stopping: bool = False
    stateful_custom: bool = True

    @property
    def version(self) -> int:
        return len(self.fits)

    def all_steps(self) -> Iterator[Est]:
        for step in self.steps:
            yield step
            yield from step.all_steps()
        if self.inner is not None:
            yield self.inner
            yield from self.inner.all_steps()

    @property
    def is_predictor(self) -> bool:
        if self.kind is EstKind.model:
            return True
        if self.kind is EstKind.search:
            return self.inner is None or self.inner.is_predictor or self.inner.kind is EstKind.unknown
        if self.kind is EstKind.pipeline:
            return bool(self.steps) and self.steps[-1].is_predictor
        return False


@dataclass(frozen=True)
class ColsVal:
    cols: Cols
    site: Site | None = None


@dataclass
class Seq:
    """A list, tuple or set of values (element order kept when known)."""

    items: list[Any]
    kind: str = "list"


@dataclass
class Mapping:
    items: dict[Any, Any]


@dataclass(eq=False)
class Func:
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    #: The notebook cell that defines it; None for a function of the submission's own `.py` module.
    code: CodeCell | None
    #: The module's globals, for functions defined in a `.py` file of the submission.
    env: dict[str, Any] | None = None


@dataclass(frozen=True)
class Module:
    qualname: str


@dataclass(frozen=True)
class Const:
    value: Any
    #: Where a string literal is written (feature lists point back here).
    site: Site | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Folds:
    split: int


@dataclass(frozen=True)
class IndexPart:
    split: int
    side: str


@dataclass(frozen=True)
class ClassDef:
    name: str
    transformer: bool
    stateful: bool


class Unknown:
    """A value the interpreter knows nothing about."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance


UNKNOWN = Unknown()
Value = Any


# --------------------------------------------------------------------------- the interpreter


@dataclass
class Frame:
    """A function activation: local names and the returned values."""

    local: dict[str, Value]
    returns: list[Value] = field(default_factory=list)
    globals_declared: set[str] = field(default_factory=set)


@dataclass
class DataflowResult:
    """Everything the interpreter learnt about a notebook."""

    sources: list[Source] = field(default_factory=list)
    splits: dict[int, Split] = field(default_factory=dict)
    fits: dict[int, Fit] = field(default_factory=dict)
    resamples: dict[int, Resample] = field(default_factory=dict)
    predicts: dict[int, Predict] = field(default_factory=dict)
    evals: dict[int, Eval] = field(default_factory=dict)
    cv_runs: dict[int, CVRun] = field(default_factory=dict)
    selections: list[Selection] = field(default_factory=list)
    loops: dict[int, Loop] = field(default_factory=dict)
    estimators: list[Est] = field(default_factory=list)
    #: Model fits: (fit, X value, y value).
    model_fits: list[tuple[Fit, Data, Data | None]] = field(default_factory=list)
    #: Where string constants name columns: column → first (cell, line).
    mentions: dict[str, Site] = field(default_factory=dict)
    target: str | None = None
    env: dict[str, Value] = field(default_factory=dict)
    #: Statements the interpreter could not follow (for confidence), by cell.
    unknown_calls: int = 0
    #: The analysis stopped at its work budget before the end of the notebook.
    truncated: bool = False

    # ---------------------------------------------------------------- row relations

    def ancestors(self, tag: Tag, _depth: int = 0) -> set[Tag]:
        """Every tag whose rows include this tag's rows."""
        found: set[Tag] = set()
        if tag[0] == "part" and _depth < 20:
            split = self.splits.get(tag[1])
            if split is not None:
                for parent in split.input_tags:
                    found.add(parent)
                    found |= self.ancestors(parent, _depth + 1)
        return found

    def covers(self, seen: frozenset[Tag], tag: Tag) -> bool:
        """Whether rows tagged `seen` include the rows of `tag`."""
        effective = self.resolve(seen)
        return tag in effective or bool(self.ancestors(tag) & effective)

    def resolve(self, tags: Iterable[Tag]) -> set[Tag]:
        """Replace pieces of cuts by the split side they became (or by the rows they were cut from)."""
        resolved: set[Tag] = set()
        for tag in tags:
            if tag[0] != "cut":
                resolved.add(tag)
                continue
            side = None
            for split in self.splits.values():
                if split.cut_key == (tag[1], tag[2], tag[4]) and tag[3] in split.cut_parts:
                    side = ("part", split.id, split.cut_parts[tag[3]])
                    break
            if side is not None:
                resolved.add(side)
            else:
                resolved |= set(tag[4])
        return resolved

    def parts(self, tags: Iterable[Tag]) -> list[tuple[Split, str]]:
        """The (split, side) pairs these rows belong to, innermost first."""
        found = []
        for tag in tags:
            if tag[0] == "part" and tag[1] in self.splits:
                found.append((self.splits[tag[1]], tag[2]))
        return found

    def evaluation_splits(self) -> list[Split]:
        return [s for s in self.splits.values() if not s.recombines_files]


class _OutOfBudget(Exception):
    """The analysis has done as much work as one notebook is allowed."""


class Interpreter:
    """Walks the notebook's statements in order and records events."""

    MAX_INLINE_DEPTH = 4
    #: Statements evaluated per notebook before the analysis stops (hostile or generated code).
    MAX_STEPS = 200_000
    #: Loops nested deeper than this run their body once instead of twice.
    MAX_REPEATED_LOOPS = 3

    def __init__(
        self,
        code: CodeIndex,
        *,
        target: str | None = None,
        time_column: str | None = None,
        group_column: str | None = None,
        modules: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        #: The submission's own modules (`features.py` → "features") and their source.
        self.module_sources = dict(modules or {})
        self.module_envs: dict[str, dict[str, Value]] = {}
        self.loading_module: str | None = None
        self.result = DataflowResult(target=target)
        self.time_column = time_column
        self.group_column = group_column
        self.globals: dict[str, Value] = {}
        self.frames: list[Frame] = []
        self.cell: CodeCell | None = None
        self.counter = itertools.count(1)
        self.loop_stack: list[Loop] = []
        self.call_depth = 0
        self.active_functions: list[ast.AST] = []
        self.keys: dict[Any, Any] = {}
        self.pending_cuts: dict[tuple[Any, ...], int] = {}
        self.selection_keys: set[tuple[int, int, int]] = set()
        #: Cells of the functions being inlined (innermost last; None for module code) and the outermost call.
        self.def_cells: list[CodeCell | None] = []
        self.call_sites: list[tuple[int, int]] = []
        self.call_nodes: list[int] = []
        self._select_sites: dict[str, Site] = {}
        self.steps = 0

    # ---------------------------------------------------------------- entry

    def run(self) -> DataflowResult:
        if self.result.target is None:
            self.result.target = infer_target(self.code)
        try:
            for code in self.code.parsed():
                self.cell = code
                assert code.tree is not None
                for statement in code.tree.body:
                    self._statement_guarded(statement)
        except _OutOfBudget:
            self.result.truncated = True
        self.result.env = dict(self.globals)
        return self.result

    def _statement_guarded(self, node: ast.stmt) -> None:
        self.steps += 1
        if self.steps > self.MAX_STEPS:
            raise _OutOfBudget
        try:
            self.statement(node)
        except (RecursionError, _OutOfBudget) as exc:
            if isinstance(exc, _OutOfBudget):
                raise
            self.result.unknown_calls += 1
        except Exception:  # noqa: BLE001 - a statement we cannot follow must not stop the analysis
            self.result.unknown_calls += 1

    # ---------------------------------------------------------------- helpers

    def new_id(self) -> int:
        return next(self.counter)

    def keyed(self, kind: str, node: ast.AST, make: Any) -> Any:
        """One event per AST node and calling context, so loop re-runs update rather than duplicate."""
        key = (kind, id(node), tuple(self.call_nodes))
        if key not in self.keys:
            self.keys[key] = make()
        return self.keys[key]

    def site(self, node: ast.AST) -> Site:
        assert self.cell is not None
        line = getattr(node, "lineno", 1)
        end = getattr(node, "end_lineno", None) or line
        where = self.def_cells[-1] if self.def_cells else self.cell
        if where is None or self.loading_module is not None:
            # Code of the submission's own module: point at the notebook line that called it.
            cell, call_line = self.call_sites[0] if self.call_sites else (self.cell.index, 1)
            return Site(cell, call_line, self.code.snippet(cell, call_line), call_line, cell, call_line)
        snippet = self.code.snippet(where.index, line, min(end, line + 3))
        if self.call_sites:
            outer = self.call_sites[0]
            return Site(where.index, line, snippet, end, outer[0], outer[1])
        return Site(where.index, line, snippet, end)

    @property
    def loops(self) -> tuple[int, ...]:
        return tuple(loop.id for loop in self.loop_stack)

    def lookup(self, name: str) -> Value:
        for frame in reversed(self.frames):
            if name in frame.local:
                return frame.local[name]
            break
        if name in self.globals:
            return self.globals[name]
        if self.loading_module is None and not self._in_module_function():
            qual = self.code.aliases.get(name)
            if qual is not None:
                return self.module_value(qual)
        return UNKNOWN

    def _in_module_function(self) -> bool:
        return bool(self.def_cells) and self.def_cells[-1] is None

    # ---------------------------------------------------------------- the submission's own modules

    def local_module(self, qual: str) -> str | None:
        """The longest prefix of `qual` that names a `.py` module of the submission."""
        parts = qual.split(".")
        for size in range(len(parts), 0, -1):
            name = ".".join(parts[:size])
            if name in self.module_sources:
                return name
        return None

    def module_value(self, qual: str) -> Value:
        """`features.prepare` → the function from the submission's `features.py`; library names stay modules."""
        name = self.local_module(qual)
        if name is None:
            return Module(qual)
        rest = qual[len(name) + 1 :]
        env = self.module_env(name)
        if not rest:
            return Module(qual)
        if "." in rest:
            return UNKNOWN
        return env.get(rest, UNKNOWN)

    def module_env(self, name: str) -> dict[str, Value]:
        """Definitions of a submission module: functions, classes and constants (executed once)."""
        if name in self.module_envs:
            return self.module_envs[name]
        env: dict[str, Value] = {}
        self.module_envs[name] = env
        try:
            tree = ast.parse(self.module_sources[name])
        except (SyntaxError, ValueError, RecursionError):
            return env
        saved_globals, saved_loading = self.globals, self.loading_module
        self.globals, self.loading_module = env, name
        try:
            for statement in tree.body:
                if isinstance(
                    statement,
                    (
                        ast.FunctionDef,
                        ast.AsyncFunctionDef,
                        ast.ClassDef,
                        ast.Assign,
                        ast.AnnAssign,
                        ast.Import,
                        ast.ImportFrom,
                    ),
                ):
                    self._statement_guarded(statement)
        finally:
            self.globals, self.loading_module = saved_globals, saved_loading
        return env

    def bind(self, name: str, value: Value) -> None:
        if self.frames and name not in self.frames[-1].globals_declared:
            self.frames[-1].local[name] = value
        else:
            self.globals[name] = value
        if isinstance(value, Data):
            self._note_role(name, value)

    def _note_role(self, name: str, value: Data) -> None:
        """Binding a split's output, or a pending cut, to a role-bearing name."""
        role = role_of_name(name)
        for split, side in self.result.parts(value.tags):
            split.names.setdefault(side, [])
            if name not in split.names[side]:
                split.names[side].append(name)
            if side == "test" and role is Role.validation:
                split.roles["test"] = Role.validation
            elif side == "test" and role is Role.test and split.roles.get("test") is None:
                split.roles["test"] = Role.test

    # ---------------------------------------------------------------- statements

    def statement(self, node: ast.stmt) -> None:
        method = getattr(self, f"stmt_{type(node).__name__}", None)
        if method is not None:
            method(node)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)

    def body(self, statements: Sequence[ast.stmt]) -> None:
        for statement in statements:
            self._statement_guarded(statement)

    def stmt_Expr(self, node: ast.Expr) -> None:
        self.expr(node.value)

    def stmt_Assign(self, node: ast.Assign) -> None:
        value = self.expr(node.value)
        for target in node.targets:
            self.assign(target, value, node.value)

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.expr(node.value), node.value)

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        value = self.expr(node.value)
        current = self.expr(node.target) if not isinstance(node.target, ast.Subscript) else UNKNOWN
        if isinstance(node.target, ast.Subscript):
            self.assign(node.target, value, node.value, augment=True)
            return
        self.assign(node.target, join(current, value), node.value)

    def stmt_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                frame = self.lookup(target.value.id)
                names = self.column_names(self.expr(target.slice))
                if isinstance(frame, Data) and names:
                    self.bind(target.value.id, replace(frame, cols=frame.cols.without(names)))

    def stmt_FunctionDef(self, node: ast.FunctionDef) -> None:
        if self.loading_module is not None:
            self.bind(node.name, Func(node, None, self.globals))
            return
        if self._in_module_function():
            self.bind(node.name, Func(node, None, self.globals))
            return
        assert self.cell is not None
        self.bind(node.name, Func(node, self.cell))

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {
            b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "" for b in node.bases
        }
        transformer = bool(bases & {"TransformerMixin", "BaseEstimator", "OneToOneFeatureMixin"})
        stateful = False
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "fit":
                for sub in ast.walk(item):
                    if (
                        isinstance(sub, ast.Call)
                        and isinstance(sub.func, ast.Attribute)
                        and sub.func.attr in _FITTING_STATS | {"fit", "fit_transform", "groupby", "value_counts"}
                    ):
                        stateful = True
        self.bind(node.name, ClassDef(node.name, transformer, stateful))

    def stmt_Return(self, node: ast.Return) -> None:
        value = self.expr(node.value) if node.value is not None else Const(None)
        if self.frames:
            self.frames[-1].returns.append(value)

    def stmt_Global(self, node: ast.Global) -> None:
        if self.frames:
            self.frames[-1].globals_declared.update(node.names)

    def stmt_If(self, node: ast.If) -> None:
        self.expr(node.test)
        self.body(node.body)
        self.body(node.orelse)

    def stmt_While(self, node: ast.While) -> None:
        loop = self.keyed("loop", node, lambda: Loop(self.new_id(), self.site(node), ()))
        self.result.loops[loop.id] = loop
        self.loop_stack.append(loop)
        try:
            for _ in range(self._passes()):
                self.expr(node.test)
                self.body(node.body)
        finally:
            self.loop_stack.pop()
        self.body(node.orelse)

    def stmt_For(self, node: ast.For | ast.AsyncFor) -> None:
        iterable = self.expr(node.iter)
        targets = tuple(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        loop = self.keyed("loop", node, lambda: Loop(self.new_id(), self.site(node), targets))
        self.result.loops[loop.id] = loop
        element = self.element_of(iterable)
        if _holds_estimator(element):
            loop.over_estimators = True
        self.loop_stack.append(loop)
        try:
            for _ in range(self._passes()):
                self.assign(node.target, element, node.iter)
                self.body(node.body)
        finally:
            self.loop_stack.pop()
        self.body(node.orelse)

    stmt_AsyncFor = stmt_For

    def _passes(self) -> int:
        """Twice, so loop-carried values settle; once when deeply nested (the cost doubles per level)."""
        return 2 if len(self.loop_stack) <= self.MAX_REPEATED_LOOPS else 1

    def stmt_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            value = self.expr(item.context_expr)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, value, item.context_expr)
        self.body(node.body)

    stmt_AsyncWith = stmt_With

    def stmt_Try(self, node: ast.Try) -> None:
        self.body(node.body)
        for handler in node.handlers:
            self.body(handler.body)
        self.body(node.orelse)
        self.body(node.finalbody)

    stmt_TryStar = stmt_Try

    def stmt_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        if self.loading_module is None and not self._in_module_function():
            return  # the notebook's imports are resolved through CodeIndex.aliases
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                self.bind(name, self.module_value(alias.name if alias.asname else alias.name.split(".")[0]))
        elif node.module and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    self.bind(alias.asname or alias.name, self.module_value(f"{node.module}.{alias.name}"))

    stmt_ImportFrom = stmt_Import

    # ---------------------------------------------------------------- assignment

    def assign(self, target: ast.expr, value: Value, source: ast.expr | None = None, *, augment: bool = False) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, self.settle_cut(target.id, value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = target.elts
            items = self.unpack(value, len(elements))
            for element, item in zip(elements, items):
                if isinstance(element, ast.Starred):
                    self.assign(element.value, Seq([item]), source)
                else:
                    self.assign(element, item, source)
        elif isinstance(target, ast.Subscript):
            self.assign_subscript(target, value, augment=augment)
        elif isinstance(target, ast.Attribute):
            base = self.expr(target.value)
            if isinstance(base, Est) and isinstance(value, Est):
                base.steps.append(value)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, source)

    def unpack(self, value: Value, count: int) -> list[Value]:
        if isinstance(value, Seq) and len(value.items) == count:
            return list(value.items)
        if isinstance(value, Seq) and value.items:
            return [join_all(value.items)] * count
        if isinstance(value, Mapping):
            return [join_all(list(value.items.values()))] * count
        return [value] * count

    def settle_cut(self, name: str, value: Value) -> Value:
        """A pending cut bound to a train/test/validation name becomes (a side of) a split."""
        if not isinstance(value, Data) or value.cut is None or not value.cut.applied:
            return value
        cut = value.cut
        role = role_of_name(name)
        cleared = replace(value, cut=None)
        if role is None:
            return cleared
        side = "train" if role is Role.train else "test"
        if cut.complement_of is not None:
            split_id, other = cut.complement_of
            split = self.result.splits.get(split_id)
            if split is None:
                return cleared
            side = "test" if other == "train" else "train"
        else:
            key = (cut.kind, cut.key, cut.base_tags)
            pending = self.pending_cuts.get(key)
            split = self.result.splits.get(pending) if pending is not None else None
            if split is None or side in split.names:
                split = Split(
                    self.new_id(),
                    cut.site,
                    cut.kind,
                    cut.base_tags,
                    cut.random,
                    cut.time_based,
                    function=cut.kind,
                    uncertain=value.uncertain,
                    input_resampled=value.resampled,
                )
                split.recombines_files = self._recombines(cut.base_tags)
                self.result.splits[split.id] = split
                self.pending_cuts[key] = split.id
        if role is Role.validation and side == "test":
            split.roles["test"] = Role.validation
        split.names.setdefault(side, []).append(name)
        if cut.complement_of is None:
            split.cut_key = (cut.kind, cut.key, cut.base_tags)
            split.cut_parts.setdefault(cut.part, side)
        return replace(cleared, tags=frozenset({("part", split.id, side)}))

    def _recombines(self, tags: frozenset[Tag]) -> bool:
        sources = {t[1] for t in tags if t[0] == "root"}
        files = [s for s in self.result.sources if s.id in sources]
        return any(s.is_test_file for s in files) and any(not s.is_test_file for s in files)

    def assign_subscript(self, target: ast.Subscript, value: Value, *, augment: bool = False) -> None:
        base_node = target.value
        selector = target.slice
        # df.loc[mask, "col"] = ...  /  df.loc[:, cols] = ...
        if isinstance(base_node, ast.Attribute) and base_node.attr in ("loc", "iloc", "at", "iat"):
            if isinstance(selector, ast.Tuple) and len(selector.elts) == 2:
                self.expr(selector.elts[0])
                selector = selector.elts[1]
            base_node = base_node.value
        if not isinstance(base_node, ast.Name):
            base = self.expr(base_node)
            if isinstance(base, (Seq, Mapping)) and isinstance(value, Data):
                self._merge_into_container(base, value)
            return
        name = base_node.id
        base = self.lookup(name)
        key = self.expr(selector)
        if isinstance(base, Mapping):
            base.items[_const_key(key)] = join(base.items.get(_const_key(key)), value) if augment else value
            return
        if isinstance(base, Seq):
            self._merge_into_container(base, value)
            return
        if not isinstance(base, Data):
            if isinstance(value, Data):
                self.bind(name, value)
            return
        columns = self.column_names(key)
        if isinstance(value, Data):
            deps = value.deps or frozenset()
            expanded: set[str] = set()
            for dep in deps:
                expanded |= base.column_deps(dep)
            derived = base.derived_map()
            target_col = self.result.target
            updated = base
            for column in columns:
                derived[column] = frozenset(expanded) if expanded else derived.get(column, frozenset({column}))
            target_flag = value.target and bool(columns) and target_col not in columns
            new_taints = base.taints | value.taints
            updated = replace(
                updated,
                cols=updated.cols.plus(columns),
                derived=tuple(sorted(derived.items())),
                taints=new_taints,
                resampled=base.resampled | value.resampled,
                uncertain=base.uncertain or value.uncertain,
            )
            if target_flag:
                updated = replace(
                    updated,
                    derived=tuple(
                        sorted(
                            {
                                **derived,
                                **{c: frozenset(derived[c] | {f"__target__:{target_col}"}) for c in columns},
                            }.items()
                        )
                    ),
                )
            if columns:
                for column in columns:
                    self.mention(column, target)
            self.bind(name, updated)
        else:
            self.bind(name, replace(base, cols=base.cols.plus(columns)))

    def _merge_into_container(self, container: Seq | Mapping, value: Data) -> None:
        if isinstance(container, Seq):
            container.items.append(value)
        else:
            container.items[("__merged__", len(container.items))] = value

    # ---------------------------------------------------------------- expressions

    def expr(self, node: ast.expr | None) -> Value:
        if node is None:
            return UNKNOWN
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method is None:
            values = [self.expr(child) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]
            return join_all(values) if values else UNKNOWN
        return method(node)

    def expr_Constant(self, node: ast.Constant) -> Value:
        if isinstance(node.value, str) and self.cell is not None:
            self.mention(node.value, node)
            return Const(node.value, self.site(node))
        return Const(node.value)

    def mention(self, text: str, node: ast.AST) -> None:
        if text and len(text) <= 80 and text not in self.result.mentions and self.cell is not None:
            self.result.mentions[text] = self.site(node)

    def expr_Name(self, node: ast.Name) -> Value:
        return self.lookup(node.id)

    def expr_JoinedStr(self, node: ast.JoinedStr) -> Value:
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.expr(value.value)
        return Const("")

    def expr_List(self, node: ast.List | ast.Tuple | ast.Set) -> Value:
        items = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                inner = self.expr(element.value)
                items.extend(inner.items if isinstance(inner, Seq) else [inner])
            else:
                items.append(self.expr(element))
        return Seq(items, type(node).__name__.lower())

    expr_Tuple = expr_List
    expr_Set = expr_List

    def expr_Dict(self, node: ast.Dict) -> Value:
        items: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values):
            evaluated = self.expr(value)
            if key is None:
                if isinstance(evaluated, Mapping):
                    items.update(evaluated.items)
                continue
            items[_const_key(self.expr(key))] = evaluated
        return Mapping(items)

    def expr_BinOp(self, node: ast.BinOp) -> Value:
        left, right = self.expr(node.left), self.expr(node.right)
        if isinstance(left, Seq) and isinstance(right, Seq) and isinstance(node.op, ast.Add):
            return Seq(left.items + right.items)
        if isinstance(left, ColsVal) or isinstance(right, ColsVal):
            lc = self.column_names(left)
            rc = self.column_names(right)
            if isinstance(left, ColsVal) and isinstance(node.op, ast.Sub):
                return ColsVal(left.cols.without(rc))
            if isinstance(node.op, ast.Add):
                if isinstance(right, ColsVal) and right.cols.mode != "known":
                    # `cat_cols + [c for c in df.columns if ...]`: every column but the filtered ones.
                    return ColsVal(right.cols.plus(lc))
                base = left.cols if isinstance(left, ColsVal) else Cols("known", frozenset(lc))
                return ColsVal(base.plus(rc))
        return join(left, right, combine=True)

    def expr_UnaryOp(self, node: ast.UnaryOp) -> Value:
        value = self.expr(node.operand)
        if isinstance(node.op, (ast.Invert, ast.Not)) and isinstance(value, Data) and value.cut is not None:
            # `~mask` selects the other piece of the same cut.
            return replace(value, cut=replace(value.cut, part=f"not:{value.cut.part}"))
        return value

    def expr_BoolOp(self, node: ast.BoolOp) -> Value:
        return join_all([self.expr(v) for v in node.values], combine=True)

    def expr_Compare(self, node: ast.Compare) -> Value:
        values = [self.expr(node.left)] + [self.expr(c) for c in node.comparators]
        scores = frozenset().union(*[v.scores for v in values if isinstance(v, Data)])
        if scores and any(isinstance(op, (ast.Gt, ast.Lt, ast.GtE, ast.LtE)) for op in node.ops):
            self.select(node, scores, "comparison")
        result = join_all(values, combine=True)
        if isinstance(result, Data):
            time_based = self._compares_time(node)
            result = replace(result, scores=frozenset())
            left = values[0]
            if isinstance(left, Data) and left.tags:
                part = (
                    "".join(type(op).__name__ for op in node.ops)
                    + ":"
                    + ",".join(ast.unparse(c)[:40] for c in node.comparators)
                )
                result = replace(
                    result,
                    cut=Cut(
                        left.tags,
                        "mask",
                        self._mask_key(node),
                        random=False,
                        time_based=time_based,
                        site=self.site(node),
                        part=part,
                        applied=False,
                    ),
                )
        return result

    def _mask_key(self, node: ast.Compare) -> str:
        columns = sorted(
            {c.value for c in ast.walk(node.left) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
            | {a.attr for a in ast.walk(node.left) if isinstance(a, ast.Attribute) and a.attr not in _FRAME_ATTRS}
        )
        return ",".join(columns) or ast.dump(node.left)[:80]

    def _compares_time(self, node: ast.Compare) -> bool:
        texts = [c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        attrs = [a.attr for a in ast.walk(node) if isinstance(a, ast.Attribute)]
        names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
        if self.time_column and self.time_column in texts + attrs:
            return True
        if any(_DATE_LITERAL.match(t) for t in texts):
            return True
        return any(_TIME_NAME.search(t) for t in texts + attrs + names)

    def expr_IfExp(self, node: ast.IfExp) -> Value:
        self.expr(node.test)
        return join(self.expr(node.body), self.expr(node.orelse))

    def expr_Lambda(self, node: ast.Lambda) -> Value:
        if self.loading_module is not None or self._in_module_function():
            return Func(node, None, self.globals)
        return Func(node, self.cell)

    def expr_NamedExpr(self, node: ast.NamedExpr) -> Value:
        value = self.expr(node.value)
        self.assign(node.target, value, node.value)
        return value

    def expr_Starred(self, node: ast.Starred) -> Value:
        return self.expr(node.value)

    def expr_Await(self, node: ast.Await) -> Value:
        return self.expr(node.value)

    def expr_Slice(self, node: ast.Slice) -> Value:
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                self.expr(part)
        return Const(slice(None))

    def comprehension(self, generators: list[ast.comprehension], elements: list[ast.expr]) -> list[Value]:
        saved = {}
        names = [n.id for g in generators for n in ast.walk(g.target) if isinstance(n, ast.Name)]
        for name in names:
            saved[name] = self.lookup(name)
        try:
            for generator in generators:
                iterable = self.expr(generator.iter)
                self.assign(generator.target, self.element_of(iterable), generator.iter)
                for condition in generator.ifs:
                    self.expr(condition)
            return [self.expr(element) for element in elements]
        finally:
            for name, value in saved.items():
                if value is not UNKNOWN:
                    self.bind(name, value)

    def expr_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> Value:
        columns = self._column_filter(node)
        if columns is not None:
            return columns
        if (
            len(node.generators) == 1
            and isinstance(node.generators[0].target, ast.Name)
            and isinstance(node.elt, ast.Name)
            and node.elt.id == node.generators[0].target.id
        ):
            source = self.expr(node.generators[0].iter)
            if isinstance(source, Seq) and source.items and all(isinstance(i, Const) for i in source.items):
                # `[c for c in names if ...]`: some of these names (filters are not evaluated).
                for condition in node.generators[0].ifs:
                    self.expr(condition)
                return Seq(list(source.items))
        values = self.comprehension(node.generators, [node.elt])
        return Seq([values[0]])

    expr_SetComp = expr_ListComp
    expr_GeneratorExp = expr_ListComp

    def expr_DictComp(self, node: ast.DictComp) -> Value:
        _, value = self.comprehension(node.generators, [node.key, node.value])
        return Mapping({("__any__",): value})

    def _column_filter(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> ColsVal | None:
        """`[c for c in df.columns if c not in drop]` keeps every column but `drop`."""
        if len(node.generators) != 1:
            return None
        generator = node.generators[0]
        source = self.expr(generator.iter)
        if not isinstance(source, ColsVal) or not isinstance(generator.target, ast.Name):
            return None
        if not (isinstance(node.elt, ast.Name) and node.elt.id == generator.target.id):
            return ColsVal(replace(source.cols, filtered=True))
        cols = source.cols
        for condition in generator.ifs:
            if (
                isinstance(condition, ast.Compare)
                and len(condition.ops) == 1
                and isinstance(condition.left, ast.Name)
                and condition.left.id == generator.target.id
            ):
                operand = self.expr(condition.comparators[0])
                names = self.column_names(operand)
                if isinstance(condition.ops[0], (ast.NotEq, ast.NotIn, ast.IsNot)):
                    cols = cols.without(names)
                    continue
                if isinstance(condition.ops[0], (ast.Eq, ast.In)) and names:
                    cols = Cols("known", frozenset(names))
                    continue
            cols = replace(cols, filtered=True)
        return ColsVal(cols)

    def expr_Attribute(self, node: ast.Attribute) -> Value:
        base = self.expr(node.value)
        attr = node.attr
        if isinstance(base, Module):
            return self.module_value(f"{base.qualname}.{attr}")
        if isinstance(base, Data):
            if attr == "columns":
                return ColsVal(base.cols if base.frame else Cols("unknown"), self.site(node))
            if attr in ("index",):
                return replace(
                    base, cut=None, scores=frozenset(), cols=Cols("unknown"), frame=False, derived=(), deps=frozenset()
                )
            if attr in ("shape", "dtypes", "dtype", "size", "ndim", "empty"):
                return Const(None)
            if attr in _FRAME_ATTRS or attr in _ROW_PRESERVING or attr in _STATS:
                return replace(base, cut=None)
            if base.frame and not attr.startswith("_"):
                return self.column(base, attr, node)
            return replace(base, cut=None)
        if isinstance(base, Est):
            if attr in ("best_estimator_", "estimator", "estimator_"):
                return base.inner or base
            if attr in ("named_steps", "steps", "named_transformers_", "transformers_"):
                return Seq(list(base.steps))
            if attr.endswith("_") and base.fits:
                # A fitted attribute (coef_, feature_importances_, best_score_): learnt from the fit rows.
                last = base.fits[-1]
                value = Data(tags=last.tags, taints=frozenset({last.id}), stat=True)
                if attr in ("best_score_", "cv_results_"):
                    return replace(value, scores=frozenset())
                return value
            return UNKNOWN
        if isinstance(base, Mapping):
            return UNKNOWN
        return UNKNOWN

    def column(self, frame: Data, column: str, node: ast.AST) -> Data:
        """`df["col"]` / `df.col`: a series computed from that column."""
        deps = frame.column_deps(column)
        target = self.result.target
        is_target = target is not None and (column == target or f"__target__:{target}" in deps)
        return replace(
            frame,
            cols=Cols("known", frozenset({column})),
            deps=frozenset(deps) | {column},
            target=is_target,
            frame=False,
            derived=(),
            groupby=None,
            col_sites=(),
        )

    def expr_Subscript(self, node: ast.Subscript) -> Value:
        if (
            isinstance(node.value, ast.Attribute)
            and node.value.attr in ("iloc", "loc")
            and not isinstance(self.expr(node.value.value), (Module, Mapping))
        ):
            return self.locate(node)
        base = self.expr(node.value)
        key = self.expr(node.slice)
        if isinstance(base, Mapping):
            found = base.items.get(_const_key(key))
            if found is None:
                found = join_all(list(base.items.values())) if base.items else UNKNOWN
            return found
        if isinstance(base, Seq):
            if (
                isinstance(key, Const)
                and isinstance(key.value, int)
                and -len(base.items) <= key.value < len(base.items)
            ):
                return base.items[key.value]
            return join_all(base.items) if base.items else UNKNOWN
        if isinstance(base, Est):
            if (
                isinstance(key, Const)
                and isinstance(key.value, int)
                and -len(base.steps) <= key.value < len(base.steps)
            ):
                return base.steps[key.value]
            return base
        if isinstance(base, ColsVal):
            return ColsVal(replace(base.cols, filtered=True))
        if not isinstance(base, Data):
            return UNKNOWN if not isinstance(key, Data) else key
        if isinstance(key, IndexPart):
            return self.part_of(base, key)
        names = self.column_names(key)
        if isinstance(key, Const) and isinstance(key.value, str):
            if base.groupby is not None:
                series = self.column(replace(base, groupby=None), key.value, node)
                return replace(series, groupby=base.groupby, frame=False)
            return (
                self.column(base, key.value, node)
                if base.frame or base.cols.mode != "unknown"
                else replace(base, cut=None)
            )
        if names and isinstance(key, (Seq, ColsVal)):
            cols = key.cols if isinstance(key, ColsVal) else Cols("known", frozenset(names))
            deps: set[str] = set()
            for name in names:
                deps |= base.column_deps(name)
            kept = tuple((k, v) for k, v in base.derived if k in names) if cols.mode == "known" else base.derived
            return replace(
                base,
                cols=cols,
                frame=True,
                cut=None,
                deps=frozenset(deps),
                derived=kept,
                target=any(self._is_target_col(base, n) for n in names),
                scores=frozenset(),
                col_sites=tuple(sorted(self.column_sites(key).items())),
                cols_site=self.site(node),
            )
        if isinstance(key, ColsVal):
            return replace(base, cols=key.cols, frame=True, cut=None, scores=frozenset())
        if isinstance(key, Data) and key.cut is not None:
            # A boolean mask: rows of `base`, a possible split.
            return replace(base, cut=replace(key.cut, base_tags=base.tags, applied=True), scores=frozenset())
        if isinstance(key, Const) and isinstance(key.value, slice):
            return self.positional(base, node.slice, node)
        if isinstance(key, Data):
            return replace(join(base, key), cut=None)
        return replace(base, cut=None)

    def _is_target_col(self, frame: Data, column: str) -> bool:
        target = self.result.target
        return target is not None and (column == target or f"__target__:{target}" in frame.column_deps(column))

    def locate(self, node: ast.Subscript) -> Value:
        """`.iloc[...]` and `.loc[...]`: positional cuts, masks, fold indices and column selections."""
        assert isinstance(node.value, ast.Attribute)
        base = self.expr(node.value.value)
        if not isinstance(base, Data):
            return UNKNOWN
        selector = node.slice
        column_part = None
        if isinstance(selector, ast.Tuple) and len(selector.elts) == 2:
            selector, column_part = selector.elts
        rows = self.expr(selector)
        result: Value = base
        if isinstance(rows, IndexPart):
            result = self.part_of(base, rows)
        elif isinstance(rows, Data) and rows.cut is not None:
            result = replace(base, cut=replace(rows.cut, base_tags=base.tags, applied=True))
        elif isinstance(rows, Const) and isinstance(rows.value, slice) and isinstance(selector, ast.Slice):
            result = self.positional(base, selector, node)
        elif isinstance(rows, Data):
            result = replace(join(base, rows), cut=None)
        if column_part is not None and isinstance(result, Data):
            key = self.expr(column_part)
            names = self.column_names(key)
            if isinstance(key, Const) and isinstance(key.value, str):
                cut = result.cut
                result = replace(self.column(result, key.value, node), cut=cut)
            elif names:
                result = replace(
                    result,
                    cols=Cols("known", frozenset(names)),
                    frame=True,
                    col_sites=tuple(sorted(self.column_sites(key).items())),
                    cols_site=self.site(node),
                )
        return result

    def positional(self, base: Data, selector: ast.expr, node: ast.AST) -> Data:
        if not isinstance(selector, ast.Slice) or (selector.lower is None and selector.upper is None):
            return replace(base, cut=None)
        edge = selector.lower if selector.lower is not None else selector.upper
        assert edge is not None
        bound = ast.unparse(edge)
        time_based = base.sorted_by is not None and (
            _TIME_NAME.search(base.sorted_by) is not None or base.sorted_by == self.time_column
        )
        part = "head" if selector.lower is None else "tail" if selector.upper is None else "middle"
        cut = Cut(
            base.tags,
            "iloc",
            bound,
            random=base.shuffled,
            time_based=time_based and not base.shuffled,
            site=self.site(node),
            part=part,
        )
        return replace(base, cut=cut)

    def part_of(self, base: Data, part: IndexPart) -> Data:
        return replace(base, tags=frozenset({("part", part.split, part.side)}), cut=None)

    # ---------------------------------------------------------------- calls

    def expr_Call(self, node: ast.Call) -> Value:
        func = node.func
        args = [self.expr(a.value) if isinstance(a, ast.Starred) else self.expr(a) for a in node.args]
        kwargs: dict[str, Value] = {}
        for keyword in node.keywords:
            value = self.expr(keyword.value)
            if keyword.arg is None:
                if isinstance(value, Mapping):
                    kwargs.update({str(k): v for k, v in value.items.items()})
            else:
                kwargs[keyword.arg] = value
        if isinstance(func, ast.Attribute):
            receiver = self.expr(func.value)
            return self.method_call(node, receiver, func.attr, args, kwargs)
        callee = self.expr(func)
        return self.function_call(node, callee, args, kwargs)

    def function_call(self, node: ast.Call, callee: Value, args: list[Value], kwargs: dict[str, Value]) -> Value:
        if isinstance(callee, Func):
            return self.inline(node, callee, args, kwargs)
        if isinstance(callee, ClassDef):
            kind = EstKind.transformer if callee.transformer else EstKind.unknown
            est = self.keyed(
                "est",
                node,
                lambda: Est(
                    self.new_id(),
                    callee.name,
                    kind,
                    FitCategory.custom if callee.stateful else FitCategory.stateless,
                    self.site(node),
                    stateful_custom=callee.stateful,
                ),
            )
            self._remember_est(est, node)
            return est
        if isinstance(callee, Est):
            return callee
        qual = callee.qualname if isinstance(callee, Module) else None
        name = qual.rsplit(".", 1)[-1] if qual else (node.func.id if isinstance(node.func, ast.Name) else "")
        if qual is None and isinstance(node.func, ast.Name) and node.func.id in self.globals:
            return self.unknown_call(node, args, kwargs)
        package = qual.split(".")[0] if qual else ""
        if (
            name in _CATALOGUE
            or (package in _ML_PACKAGES and name[:1].isupper())
            or (_MODEL_NAME.search(name or "-") and (package in _ML_PACKAGES or qual is None))
        ):
            return self.construct(node, name, qual, args, kwargs)
        if name == "train_test_split":
            return self.train_test_split(node, qual or name, args, kwargs)
        if name in _CV_FUNCTIONS:
            return self.cv_helper(node, name, args, kwargs)
        if name in _SOURCE_FUNCTIONS and package in ("pandas", "numpy", "sklearn", "polars", ""):
            return self.source(node, args, kwargs)
        if (package == "sklearn" or qual is None) and _METRIC_NAME.search(name or "-") and len(args) + len(kwargs) >= 2:
            return self.metric(node, name, args, kwargs)
        if name in ("concat", "hstack", "vstack", "column_stack", "c_", "r_", "concatenate", "append"):
            items = args[0].items if args and isinstance(args[0], Seq) else args
            value = join_all([i for i in items if isinstance(i, Data)])
            if isinstance(value, Data):
                frames = [i for i in items if isinstance(i, Data)]
                cols = frames[0].cols if frames else Cols("unknown")
                for other in frames[1:]:
                    cols = (
                        cols.join(other.cols)
                        if name == "concat" and _axis(kwargs) == 0
                        else cols.plus(other.cols.names)
                        if other.cols.mode == "known"
                        else Cols("unknown")
                    )
                return replace(value, cols=cols, frame=True)
            return value
        if name in ("merge",) and args:
            left = args[0] if isinstance(args[0], Data) else None
            right = args[1] if len(args) > 1 and isinstance(args[1], Data) else None
            if left is not None:
                return self._merge(left, right)
        if name in ("get_dummies",) and args and isinstance(args[0], Data):
            return replace(args[0], cut=None)
        if name in ("max", "min", "sorted", "argmax", "argmin", "nanargmax", "nanargmin", "argsort"):
            scores = _scores_of(args + list(kwargs.values()))
            if scores:
                self.select(node, scores, name)
            value = join_all(args)
            return (
                replace(value, scores=frozenset()) if isinstance(value, Data) and name not in ("max", "min") else value
            )
        if name == "next" and args:
            return self.element_of(args[0])
        if name == "resample" and (package == "sklearn" or qual is None) and args and isinstance(args[0], Data):
            replace_kw = kwargs.get("replace")
            upsample = isinstance(replace_kw, Const) and replace_kw.value is True
            return self.utils_resample(node, args, upsample)
        if name in ("len", "print", "display", "type", "isinstance", "hasattr", "repr", "id", "format"):
            return Const(None)
        if name in ("zip",):
            return Seq([Seq([self.element_of(a) for a in args], "tuple")])
        if name in ("enumerate",):
            return Seq([Seq([Const(0), self.element_of(args[0]) if args else UNKNOWN], "tuple")])
        if name in ("list", "tuple", "set", "sorted", "reversed", "iter"):
            return args[0] if args else Seq([])
        if name == "dict":
            if args and isinstance(args[0], Mapping):
                return args[0]
            return Mapping({k: v for k, v in kwargs.items()})
        if name in ("range",):
            return Seq([Const(0)])
        if name in (
            "DataFrame",
            "Series",
            "array",
            "asarray",
            "ascontiguousarray",
            "asanyarray",
            "matrix",
            "csr_matrix",
            "float",
            "int",
            "abs",
            "round",
            "sum",
            "mean",
            "median",
            "log",
            "log1p",
            "exp",
            "sqrt",
            "where",
            "select",
            "clip",
            "to_datetime",
            "to_numeric",
            "cut",
            "qcut",
            "squeeze",
            "ravel",
            "unique",
            "percentile",
            "quantile",
            "nanmean",
            "nanmedian",
            "std",
            "var",
        ):
            return self.data_function(node, name, args, kwargs)
        return self.unknown_call(node, args, kwargs)

    def data_function(self, node: ast.Call, name: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
        sources = (
            [v for k, v in kwargs.items() if k not in ("index", "columns")]
            if name == "DataFrame"
            else list(kwargs.values())
        )
        flattened = list(_data_in(args + sources))
        value = join_all(flattened)
        if not isinstance(value, Data):
            return UNKNOWN if not args else (args[0] if isinstance(args[0], Const) else UNKNOWN)
        if (
            name in ("mean", "median", "percentile", "quantile", "nanmean", "nanmedian", "std", "var", "sum")
            and args
            and isinstance(args[0], Data)
            and not args[0].stat
        ):
            return self.statistic(node, args[0], name)
        if name == "DataFrame":
            names = self.column_names(kwargs["columns"]) if "columns" in kwargs else []
            first = args[0] if args else kwargs.get("data")
            if names:
                cols = Cols("known", frozenset(names))
            elif isinstance(first, Data) and first.frame:
                cols = first.cols
            elif isinstance(first, Mapping):
                cols = Cols("known", frozenset(k for k in first.items if isinstance(k, str)))
            else:
                cols = Cols("unknown")
            rows = first if isinstance(first, Data) else value
            return replace(
                value,
                tags=rows.tags if isinstance(rows, Data) else value.tags,
                frame=True,
                cols=cols,
                cut=None,
                derived=first.derived if isinstance(first, Data) else (),
            )
        return replace(value, cut=None)

    def unknown_call(self, node: ast.Call, args: list[Value], kwargs: dict[str, Value]) -> Value:
        values = [v for v in args + list(kwargs.values()) if isinstance(v, (Data, Est, Seq, Mapping))]
        data = []
        for value in values:
            if isinstance(value, Data):
                data.append(value)
            elif isinstance(value, Seq):
                data.extend(v for v in value.items if isinstance(v, Data))
        if not data:
            return UNKNOWN
        self.result.unknown_calls += 1
        merged = join_all(data)
        if not isinstance(merged, Data):
            return merged
        # Unknown code may have dropped or added columns: membership becomes a maybe.
        return replace(merged, uncertain=True, cut=None, cols=replace(merged.cols, filtered=True))

    def inline(self, node: ast.Call, func: Func, args: list[Value], kwargs: dict[str, Value]) -> Value:
        if self.call_depth >= self.MAX_INLINE_DEPTH or func.node in self.active_functions:
            return self.unknown_call(node, args, kwargs)
        parameters = func.node.args
        local: dict[str, Value] = {}
        positional = [*parameters.posonlyargs, *parameters.args]
        defaults = [None] * (len(positional) - len(parameters.defaults)) + list(parameters.defaults)
        for number, parameter in enumerate(positional):
            if number < len(args):
                local[parameter.arg] = args[number]
            elif parameter.arg in kwargs:
                local[parameter.arg] = kwargs.pop(parameter.arg)
            elif defaults[number] is not None:
                local[parameter.arg] = self.expr(defaults[number])
            else:
                local[parameter.arg] = UNKNOWN
        if parameters.vararg is not None:
            local[parameters.vararg.arg] = Seq(args[len(positional) :])
        for parameter, default in zip(parameters.kwonlyargs, parameters.kw_defaults):
            local[parameter.arg] = kwargs.pop(parameter.arg, None) or (
                self.expr(default) if default is not None else UNKNOWN
            )
        if parameters.kwarg is not None:
            local[parameters.kwarg.arg] = Mapping(dict(kwargs))
        frame = Frame(local)
        assert self.cell is not None
        call_cell = self.def_cells[-1] if self.def_cells else self.cell
        if call_cell is not None:
            self.call_sites.append((call_cell.index, node.lineno))
        else:
            self.call_sites.append(self.call_sites[-1] if self.call_sites else (self.cell.index, node.lineno))
        self.call_nodes.append(id(node))
        self.def_cells.append(func.code)
        saved_globals = self.globals
        if func.env is not None:
            self.globals = func.env
        self.frames.append(frame)
        self.active_functions.append(func.node)
        self.call_depth += 1
        try:
            if isinstance(func.node, ast.Lambda):
                return self.expr(func.node.body)
            self.body(func.node.body)
        finally:
            self.call_depth -= 1
            self.active_functions.pop()
            self.frames.pop()
            self.def_cells.pop()
            self.call_sites.pop()
            self.call_nodes.pop()
            self.globals = saved_globals
        if not frame.returns:
            return Const(None)
        if len(frame.returns) == 1:
            return frame.returns[0]
        return join_all(frame.returns)

    # ---------------------------------------------------------------- ML-specific calls

    def construct(
        self, node: ast.Call, name: str, qual: str | None, args: list[Value], kwargs: dict[str, Value]
    ) -> Est:
        kind, category = _CATALOGUE.get(
            name,
            (
                EstKind.model if _MODEL_NAME.search(name) else EstKind.unknown,
                FitCategory.model if _MODEL_NAME.search(name) else FitCategory.unknown,
            ),
        )
        est: Est = self.keyed("est", node, lambda: Est(self.new_id(), name, kind, category, self.site(node), qual))
        est.kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        est.loops = self.loops
        if kind is EstKind.pipeline:
            est.steps = self._pipeline_steps(name, args, kwargs)
            if name in ("ColumnTransformer", "make_column_transformer"):
                self._select_sites = {}
                est.selects = self._column_transformer_columns(name, node, args, kwargs)
                est.select_sites = dict(self._select_sites)
        elif kind is EstKind.search:
            inner = args[0] if args else kwargs.get("estimator")
            est.inner = inner if isinstance(inner, Est) else None
            cv = kwargs.get("cv", args[2] if len(args) > 2 and name == "GridSearchCV" else None)
            est.random, est.group_aware, est.time_based = self._cv_nature(cv)
        elif kind is EstKind.splitter:
            shuffle = kwargs.get("shuffle")
            est.random = name in _RANDOM_SPLITTERS or (isinstance(shuffle, Const) and bool(shuffle.value))
            est.group_aware = name in _GROUP_SPLITTERS
            est.time_based = name == "TimeSeriesSplit"
        elif kind is EstKind.model:
            stopping = kwargs.get("early_stopping_rounds") or kwargs.get("n_iter_no_change")
            est.early_stopping = stopping is not None and not (isinstance(stopping, Const) and stopping.value is None)
        self._remember_est(est, node)
        return est

    def _remember_est(self, est: Est, node: ast.Call) -> None:
        if est not in self.result.estimators:
            self.result.estimators.append(est)
        if self.loop_stack:
            loop = self.loop_stack[-1]
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            if used & set(loop.targets) and est.kind in (
                EstKind.model,
                EstKind.pipeline,
                EstKind.search,
                EstKind.unknown,
            ):
                loop.sweeps = True
                est.sweep_loop = loop.id

    def _pipeline_steps(self, name: str, args: list[Value], kwargs: dict[str, Value]) -> list[Est]:
        steps: list[Est] = []
        candidates: list[Value] = []
        if name in ("Pipeline", "FeatureUnion", "ColumnTransformer"):
            first = args[0] if args else kwargs.get("steps", kwargs.get("transformer_list", kwargs.get("transformers")))
            if isinstance(first, Seq):
                candidates = list(first.items)
        else:
            candidates = list(args)
        for item in candidates:
            if isinstance(item, Seq):
                for element in item.items:
                    if isinstance(element, Est):
                        steps.append(element)
                        break
            elif isinstance(item, Est):
                steps.append(item)
        return steps

    def _column_transformer_columns(
        self, name: str, node: ast.Call, args: list[Value], kwargs: dict[str, Value]
    ) -> Cols | None:
        """Columns a ColumnTransformer reads (None if any selection is unknown or the rest passes through)."""
        remainder = kwargs.get("remainder")
        if (isinstance(remainder, Const) and remainder.value == "passthrough") or isinstance(remainder, Est):
            return None
        groups: list[Value] = []
        if name == "ColumnTransformer":
            first = args[0] if args else kwargs.get("transformers")
            if isinstance(first, Seq):
                groups = [g.items[2] if isinstance(g, Seq) and len(g.items) >= 3 else UNKNOWN for g in first.items]
        else:
            groups = [g.items[1] if isinstance(g, Seq) and len(g.items) >= 2 else UNKNOWN for g in args]
        names: set[str] = set()
        for group in groups:
            if isinstance(group, ColsVal):
                if group.cols.mode != "known":
                    return None
                names |= group.cols.names
                continue
            found = self.column_names(group)
            if not found:
                return None
            names |= set(found)
            self._select_sites.update(
                {k: v for k, v in self.column_sites(group).items() if k not in self._select_sites}
            )
        return Cols("known", frozenset(names))

    def _cv_nature(self, cv: Value) -> tuple[bool, bool, bool]:
        """(random, group_aware, time_based) of a `cv=` argument."""
        if isinstance(cv, Est) and cv.kind is EstKind.splitter:
            return cv.random, cv.group_aware, cv.time_based
        return False, False, False

    def source(self, node: ast.Call, args: list[Value], kwargs: dict[str, Value]) -> Data:
        path = None
        first = args[0] if args else kwargs.get("filepath_or_buffer", kwargs.get("path"))
        if isinstance(first, Const) and isinstance(first.value, str):
            path = first.value
        elif node.args and isinstance(node.args[0], ast.JoinedStr):
            path = "".join(
                v.value for v in node.args[0].values if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
        elif node.args:
            path = ast.unparse(node.args[0])
        src = self.keyed("source", node, lambda: Source(self.new_id(), self.site(node), path, _is_test_file(path)))
        if src not in self.result.sources:
            self.result.sources.append(src)
        return Data(tags=frozenset({("root", src.id)}), cols=Cols("all"), frame=True)

    def train_test_split(self, node: ast.Call, function: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
        arrays = [a for a in args]
        first = next((a for a in arrays if isinstance(a, Data)), None)
        shuffle = kwargs.get("shuffle")
        random = not (isinstance(shuffle, Const) and shuffle.value is False)
        stratify = kwargs.get("stratify")
        input_tags = first.tags if first is not None else frozenset()
        split = self.keyed(
            "split",
            node,
            lambda: Split(self.new_id(), self.site(node), "train_test_split", input_tags, random, function=function),
        )
        split.input_tags = input_tags
        split.random = random
        split.stratified = stratify is not None and not (isinstance(stratify, Const) and stratify.value is None)
        split.time_based = not random and first is not None and first.sorted_by is not None
        split.uncertain = any(isinstance(a, Data) and a.uncertain for a in arrays)
        split.recombines_files = self._recombines(input_tags)
        split.input_resampled = first.resampled if first is not None else frozenset()
        self.result.splits[split.id] = split
        outputs: list[Value] = []
        for array in arrays:
            if isinstance(array, Data):
                for side in ("train", "test"):
                    outputs.append(replace(array, tags=frozenset({("part", split.id, side)}), cut=None))
            else:
                outputs.extend([UNKNOWN, UNKNOWN])
        return Seq(outputs, "tuple")

    def cv_helper(self, node: ast.Call, function: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
        est = args[0] if args else kwargs.get("estimator")
        x = args[1] if len(args) > 1 else kwargs.get("X")
        cv = kwargs.get("cv", args[3] if len(args) > 3 and function == "cross_val_score" else None)
        random, group_aware, time_based = self._cv_nature(cv)
        if kwargs.get("groups") is not None and not isinstance(kwargs.get("groups"), Const):
            group_aware = group_aware or (isinstance(cv, Est) and cv.group_aware)
        cv_node = next((k.value for k in node.keywords if k.arg == "cv"), None)
        data = x if isinstance(x, Data) else Data()
        run = self.keyed(
            "cv",
            node,
            lambda: CVRun(
                self.new_id(),
                self.site(node),
                function,
                est if isinstance(est, Est) else None,
                data,
                random,
                group_aware,
                time_based,
                ast.unparse(cv_node) if cv_node is not None else "",
            ),
        )
        run.data = data
        self.result.cv_runs[run.id] = run
        return Data(tags=data.tags, taints=data.taints, scores=frozenset(), stat=True)

    def metric(self, node: ast.Call, function: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
        y_true = args[0] if args else kwargs.get("y_true")
        y_pred = args[1] if len(args) > 1 else kwargs.get("y_pred", kwargs.get("y_score", kwargs.get("y_prob")))
        est = None
        version = 0
        data = y_true if isinstance(y_true, Data) else None
        if isinstance(y_pred, Data) and y_pred.predictions:
            predict = self.result.predicts.get(max(y_pred.predictions))
            if predict is not None:
                est, version = predict.est, predict.version
                if data is None or not data.tags:
                    data = predict.data
        tags = data.tags if data is not None else frozenset()
        if isinstance(y_pred, Data) and not tags:
            tags = y_pred.tags
        evaluation = self.keyed(
            "eval", node, lambda: Eval(self.new_id(), self.site(node), function, est, version, tags, self.loops, data)
        )
        evaluation.est, evaluation.version, evaluation.tags = est, version, tags
        evaluation.loops = self.loops
        self.result.evals[evaluation.id] = evaluation
        return Data(tags=tags, scores=frozenset({evaluation.id}), stat=True)

    def select(self, node: ast.AST, scores: frozenset[int], how: str) -> None:
        key = (id(node), hash(scores), len(self.result.selections))
        if (id(node), hash(scores), 0) in self.selection_keys:
            return
        self.selection_keys.add((id(node), hash(scores), 0))
        del key
        self.result.selections.append(Selection(self.new_id(), self.site(node), scores, how))

    @staticmethod
    def rows_of(data: Data) -> frozenset[Tag]:
        """The rows a value holds, a pending cut's piece included."""
        return frozenset({data.cut.tag}) if data.cut is not None and data.cut.complement_of is None else data.tags

    def statistic(self, node: ast.Call, data: Data, method: str, *, target: bool = False) -> Data:
        """A statistic learnt from rows: it taints whatever it is later mixed into."""
        columns = tuple(sorted(c for c in data.deps if not c.startswith("__")))[:10]
        rows = self.rows_of(data)
        target = target or (data.target and not data.frame)
        category = FitCategory.target_statistic if target else FitCategory.statistic
        fit = self.keyed(
            "stat",
            node,
            lambda: Fit(
                self.new_id(), self.site(node), category, "pandas", method, rows, supervised=target, columns=columns
            ),
        )
        fit.tags, fit.category, fit.supervised, fit.loops = rows, category, target, self.loops
        fit.uncertain = data.uncertain
        self.result.fits[fit.id] = fit
        return Data(
            tags=data.tags,
            taints=data.taints | {fit.id},
            stat=True,
            deps=data.deps,
            target=False,
            uncertain=data.uncertain,
        )

    def method_call(
        self, node: ast.Call, receiver: Value, method: str, args: list[Value], kwargs: dict[str, Value]
    ) -> Value:
        if isinstance(receiver, Module):
            callee = self.module_value(f"{receiver.qualname}.{method}")
            return self.function_call(node, callee, args, kwargs)
        if isinstance(receiver, Est):
            return self.estimator_method(node, receiver, method, args, kwargs)
        if isinstance(receiver, Data):
            return self.data_method(node, receiver, method, args, kwargs)
        if isinstance(receiver, ColsVal):
            names = set()
            for arg in args:
                names |= set(self.column_names(arg))
            if method in ("drop", "difference"):
                return ColsVal(receiver.cols.without(names))
            if method in ("tolist", "to_list", "copy", "values", "to_numpy"):
                return receiver
            if method in ("union", "append", "insert"):
                return ColsVal(receiver.cols.plus(names))
            return ColsVal(replace(receiver.cols, filtered=True))
        if isinstance(receiver, Seq):
            if method in ("append", "extend", "insert", "add"):
                for arg in args:
                    if isinstance(arg, Seq) and method == "extend":
                        receiver.items.extend(arg.items)
                    else:
                        receiver.items.append(arg)
                return Const(None)
            if method in ("index", "count"):
                scores = _scores_of([receiver])
                if scores and method == "index":
                    self.select(node, scores, "index")
                return Const(0)
            if method in ("sort",):
                scores = _scores_of([receiver])
                if scores:
                    self.select(node, scores, "sort")
                return Const(None)
            return join_all(receiver.items) if receiver.items else UNKNOWN
        if isinstance(receiver, Mapping):
            if method in ("items",):
                return Seq([Seq([Const("k"), v], "tuple") for v in receiver.items.values()])
            if method in ("values",):
                return Seq(list(receiver.items.values()))
            if method in ("keys",):
                return Seq([Const(k) for k in receiver.items])
            if method in ("get", "pop", "setdefault"):
                key = _const_key(args[0]) if args else None
                found = receiver.items.get(key)
                if found is None and method == "setdefault" and len(args) > 1:
                    receiver.items[key] = args[1]
                    return args[1]
                return (
                    found
                    if found is not None
                    else join_all(list(receiver.items.values()))
                    if receiver.items
                    else UNKNOWN
                )
            if method == "update":
                for arg in args:
                    if isinstance(arg, Mapping):
                        receiver.items.update(arg.items)
                receiver.items.update(kwargs)
                return Const(None)
            return UNKNOWN
        if isinstance(receiver, Folds):
            return receiver
        if isinstance(receiver, Func):
            return self.inline(node, receiver, args, kwargs)
        return self.unknown_call(node, args, kwargs)

    # ---------------------------------------------------------------- estimator methods

    def estimator_method(
        self, node: ast.Call, est: Est, method: str, args: list[Value], kwargs: dict[str, Value]
    ) -> Value:
        x = args[0] if args else kwargs.get("X", kwargs.get("x"))
        y = args[1] if len(args) > 1 else kwargs.get("y")
        xd = x if isinstance(x, Data) else None
        yd = y if isinstance(y, Data) else None
        if method == "set_params":
            if self.loop_stack:
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                if used & set(self.loop_stack[-1].targets):
                    self.loop_stack[-1].sweeps = True
                    est.sweep_loop = self.loop_stack[-1].id
            return est
        if method == "split" and est.kind is EstKind.splitter:
            return self.splitter_split(node, est, xd, kwargs)
        if method in ("fit", "partial_fit", "fit_transform", "fit_resample", "fit_predict"):
            if xd is None:
                xd = Data(uncertain=True)
            if method == "fit_resample" or est.kind is EstKind.resampler:
                return self.resample(node, est, xd, yd)
            fit = self.fit(node, est, method, xd, yd, kwargs)
            if method == "fit_transform":
                return self.transformed(est, xd, fit, node)
            if method == "fit_predict":
                return replace(xd, taints=xd.taints | {fit.id}, cut=None, scores=frozenset(), frame=False)
            return est
        if method == "transform" or method == "inverse_transform":
            if xd is None:
                return UNKNOWN
            current = est.fits[-1] if est.fits else None
            return self.transformed(est, xd, current, node)
        if method in ("predict", "predict_proba", "decision_function", "predict_log_proba", "staged_predict"):
            data = xd or Data(uncertain=True)
            predict = self.keyed(
                "predict", node, lambda: Predict(self.new_id(), self.site(node), est, est.version, data)
            )
            predict.data, predict.version = data, est.version
            self.result.predicts[predict.id] = predict
            return replace(
                data,
                predictions=frozenset({predict.id}),
                cut=None,
                scores=frozenset(),
                frame=False,
                cols=Cols("unknown"),
                derived=(),
                deps=frozenset(),
                target=False,
            )
        if method == "score":
            data = xd or Data(uncertain=True)
            evaluation = self.keyed(
                "eval",
                node,
                lambda: Eval(self.new_id(), self.site(node), "score", est, est.version, data.tags, self.loops, data),
            )
            evaluation.version, evaluation.tags, evaluation.loops, evaluation.data = (
                est.version,
                data.tags,
                self.loops,
                data,
            )
            self.result.evals[evaluation.id] = evaluation
            return Data(tags=data.tags, scores=frozenset({evaluation.id}), stat=True)
        if method in ("get_feature_names_out", "get_params", "get_support"):
            return UNKNOWN
        return est

    def fit(self, node: ast.Call, est: Est, method: str, xd: Data, yd: Data | None, kwargs: dict[str, Value]) -> Fit:
        category = est.category
        if est.kind is EstKind.unknown:
            category = FitCategory.unknown
        supervised = yd is not None and est.category in (
            FitCategory.target_encoder,
            FitCategory.selector,
            FitCategory.model,
            FitCategory.search,
            FitCategory.pipeline,
            FitCategory.unknown,
        )
        rows = self.rows_of(xd)
        fit: Fit = self.keyed(
            "fit",
            node,
            lambda: Fit(
                self.new_id(), self.site(node), category, est.cls, method, rows, supervised=supervised, est=est
            ),
        )
        fit.tags, fit.supervised, fit.est, fit.data = rows, supervised, est, xd
        fit.uncertain = xd.uncertain
        fit.loops = self.loops
        eval_set = kwargs.get("eval_set")
        if isinstance(eval_set, Seq) and eval_set.items:
            first = eval_set.items[-1]
            if isinstance(first, Seq) and first.items and isinstance(first.items[0], Data):
                fit.eval_set = first.items[0]
        callbacks = kwargs.get("callbacks")
        stopping = kwargs.get("early_stopping_rounds")
        fit.early_stopping = (
            est.early_stopping
            or (stopping is not None and not (isinstance(stopping, Const) and stopping.value is None))
            or (
                isinstance(callbacks, Seq)
                and any(isinstance(c, Data) or c is UNKNOWN for c in callbacks.items)
                and "early_stopping" in ast.unparse(node)
            )
        )
        self.result.fits[fit.id] = fit
        if fit not in est.fits:
            est.fits.append(fit)
        if est.kind is EstKind.search and est.inner is not None and fit not in est.inner.fits:
            est.inner.fits.append(fit)
        if est.is_predictor or est.kind is EstKind.search or (est.kind is EstKind.unknown and yd is not None):
            entry = (fit, xd, yd)
            if not any(f is fit for f, _, _ in self.result.model_fits):
                self.result.model_fits.append(entry)
            else:
                self.result.model_fits = [(f, xd, yd) if f is fit else (f, a, b) for f, a, b in self.result.model_fits]
        if est.kind is EstKind.search:
            run = self.keyed(
                "searchcv",
                node,
                lambda: CVRun(
                    self.new_id(), self.site(node), est.cls, est, xd, est.random, est.group_aware, est.time_based
                ),
            )
            run.data = xd
            self.result.cv_runs[run.id] = run
        return fit

    def transformed(self, est: Est, xd: Data, fit: Fit | None, node: ast.AST) -> Data:
        taints = set(xd.taints)
        if fit is not None:
            taints.add(fit.id)
        cols = Cols("unknown")
        frame = False
        if est.selects is not None:
            cols = est.selects
        if est.kind is EstKind.stateless or (est.kind is EstKind.transformer and est.category is FitCategory.stateless):
            taints = set(xd.taints)
        return replace(
            xd,
            taints=frozenset(taints),
            cols=cols
            if cols.mode != "unknown"
            else xd.cols
            if est.category in (FitCategory.scaler, FitCategory.imputer)
            else cols,
            frame=frame or xd.frame,
            cut=None,
            scores=frozenset(),
        )

    def resample(self, node: ast.Call, est: Est, xd: Data, yd: Data | None) -> Value:
        oversampling = est.category is FitCategory.resampler or est.kind is EstKind.unknown
        event = self.keyed(
            "resample", node, lambda: Resample(self.new_id(), self.site(node), est.cls, xd.tags, oversampling)
        )
        event.tags, event.uncertain = xd.tags, xd.uncertain
        self.result.resamples[event.id] = event
        ids = frozenset({event.id}) if oversampling else frozenset()
        x_out = replace(xd, resampled=xd.resampled | ids, cut=None)
        y_out = replace(yd, resampled=yd.resampled | ids, cut=None) if yd is not None else UNKNOWN
        return Seq([x_out, y_out], "tuple")

    def utils_resample(self, node: ast.Call, args: list[Value], upsample: bool) -> Value:
        """`sklearn.utils.resample(minority, replace=True, n_samples=...)`: bootstrap copies of rows."""
        first = args[0]
        assert isinstance(first, Data)
        event = self.keyed(
            "resample", node, lambda: Resample(self.new_id(), self.site(node), "resample", first.tags, upsample)
        )
        event.tags, event.oversampling, event.uncertain = first.tags, upsample, first.uncertain
        self.result.resamples[event.id] = event
        ids = frozenset({event.id}) if upsample else frozenset()
        outputs = [replace(a, resampled=a.resampled | ids, cut=None) for a in args if isinstance(a, Data)]
        return outputs[0] if len(outputs) == 1 else Seq(outputs, "tuple")

    def splitter_split(self, node: ast.Call, est: Est, xd: Data | None, kwargs: dict[str, Value]) -> Value:
        groups = kwargs.get("groups")
        tags = xd.tags if xd is not None else frozenset()
        split = self.keyed(
            "split",
            node,
            lambda: Split(
                self.new_id(),
                self.site(node),
                "splitter",
                tags,
                est.random,
                time_based=est.time_based,
                function=est.cls,
            ),
        )
        split.input_tags = tags
        split.random, split.time_based = est.random, est.time_based
        split.group_aware = est.group_aware or (groups is not None and est.cls in _GROUP_SPLITTERS)
        split.roles["test"] = Role.validation
        split.recombines_files = self._recombines(tags)
        split.input_resampled = xd.resampled if xd is not None else frozenset()
        self.result.splits[split.id] = split
        return Seq([Seq([IndexPart(split.id, "train"), IndexPart(split.id, "test")], "tuple")])

    # ---------------------------------------------------------------- data methods

    def data_method(
        self, node: ast.Call, data: Data, method: str, args: list[Value], kwargs: dict[str, Value]
    ) -> Value:
        inplace = isinstance(kwargs.get("inplace"), Const) and kwargs["inplace"].value is True
        extra = [v for v in args + list(kwargs.values()) if isinstance(v, Data)]
        extra_taints = frozenset().union(*[v.taints for v in extra]) if extra else frozenset()
        extra_scores = frozenset().union(*[v.scores for v in extra]) if extra else frozenset()
        result: Value
        if data.groupby is not None and method in (
            "transform",
            "mean",
            "median",
            "agg",
            "aggregate",
            "sum",
            "std",
            "apply",
            "count",
            "nunique",
            "max",
            "min",
            "rank",
            "cumsum",
            "var",
            "size",
            "first",
            "last",
        ):
            target = data.target
            spec = args[0] if args else kwargs.get("func")
            frequency = method in ("count", "nunique", "size", "cumsum", "first", "last") or (
                isinstance(spec, Const) and spec.value in ("count", "size", "nunique", "cumcount", "first", "last")
            )
            if frequency and not target:
                return replace(
                    data,
                    groupby=None,
                    stat=method not in ("transform", "cumsum"),
                    frame=False,
                    deps=data.deps | frozenset(data.groupby),
                )
            if method in ("transform", "apply") and self._is_lag(spec):
                # Lagged per-group values (history before each row): no statistic over the row itself.
                return replace(
                    data, groupby=None, target=False, frame=False, cut=None, deps=data.deps | frozenset(data.groupby)
                )
            stat = self.statistic(node, replace(data, groupby=None), f"groupby.{method}", target=target)
            for fit_id in stat.taints - data.taints:
                self.result.fits[fit_id].by = tuple(data.groupby)
            if method in ("transform", "rank", "cumsum"):
                return replace(
                    data,
                    taints=data.taints | stat.taints,
                    groupby=None,
                    stat=False,
                    target=False,
                    frame=False,
                    deps=data.deps | frozenset(data.groupby),
                )
            return replace(stat, deps=frozenset(data.groupby) | data.deps)
        if method == "shift":
            # Another row's value: a lag of the target is not the row's own label.
            return replace(data, target=False, cut=None, groupby=None)
        if method == "groupby":
            keys = self.column_names(args[0]) if args else self.column_names(kwargs.get("by", UNKNOWN))
            return replace(data, groupby=tuple(keys), cut=None)
        if method in _STATS and method in _FITTING_STATS and not data.stat:
            result = self.statistic(node, data, method)
            if method in ("idxmax", "idxmin", "nlargest", "nsmallest") or data.scores:
                self._maybe_select(node, data, method)
            return result
        if method in _SELECT_FUNCTIONS and data.scores:
            self._maybe_select(node, data, method)
            if method in ("max", "min"):
                return data
            return replace(data, cut=None)
        if method in ("idxmax", "idxmin", "argmax", "argmin"):
            self._maybe_select(node, data, method)
            return replace(data, cut=None)
        if method == "drop":
            return self._drop(node, data, args, kwargs, inplace)
        if method == "pop":
            column = self.column_names(args[0]) if args else []
            if column and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                self.bind(node.func.value.id, replace(data, cols=data.cols.without(column)))
            return self.column(data, column[0], node) if column else UNKNOWN
        if method == "sample":
            frac = kwargs.get("frac")
            fraction = frac.value if isinstance(frac, Const) and isinstance(frac.value, (int, float)) else None
            if fraction is not None and fraction >= 1:
                return replace(data, shuffled=True, sorted_by=None, cut=None)
            n = kwargs.get("n", args[0] if args else None)
            if fraction is None and n is None:
                return replace(data, cut=None)
            cut = Cut(
                data.tags,
                "sample",
                ast.unparse(node)[:80],
                random=True,
                time_based=False,
                site=self.site(node),
                part="sample",
            )
            return replace(data, cut=cut)
        if method == "sort_values":
            by = self.column_names(args[0]) if args else self.column_names(kwargs.get("by", UNKNOWN))
            value = replace(data, sorted_by=by[0] if by else None, shuffled=False, cut=None)
            if data.scores:
                self._maybe_select(node, data, method)
            return self._inplace(node, value, inplace)
        if method in (
            "fillna",
            "clip",
            "where",
            "mask",
            "replace",
            "map",
            "apply",
            "transform",
            "interpolate",
            "combine_first",
            "update",
            "assign",
            "astype",
            "round",
            "abs",
        ):
            value = replace(
                data,
                taints=data.taints | extra_taints,
                cut=None,
                scores=data.scores | extra_scores,
                uncertain=data.uncertain or any(v.uncertain for v in extra),
                resampled=data.resampled.union(*[v.resampled for v in extra]) if extra else data.resampled,
            )
            if method == "assign":
                derived = data.derived_map()
                for new_column, expression in kwargs.items():
                    if isinstance(expression, Data):
                        derived[new_column] = frozenset(
                            d for dep in expression.deps for d in data.column_deps(dep)
                        ) or frozenset({new_column})
                        if expression.target:
                            derived[new_column] = derived[new_column] | {f"__target__:{self.result.target}"}
                value = replace(value, cols=value.cols.plus(kwargs), derived=tuple(sorted(derived.items())))
            if method in ("map", "apply", "transform") and args and isinstance(args[0], Func):
                self.inline(node, args[0], [replace(data, cut=None)], {})
                if data.frame:
                    # A row-wise function: the result depends on the columns it reads.
                    value = self._row_function(data, args[0], value)
            return self._inplace(node, value, inplace)
        if method in (
            "dropna",
            "drop_duplicates",
            "reset_index",
            "set_index",
            "rename",
            "copy",
            "infer_objects",
            "sort_index",
            "reindex",
            "query",
            "head",
            "tail",
        ):
            value = replace(data, cut=None, sorted_by=data.sorted_by if method not in ("set_index",) else None)
            if method == "rename":
                value = replace(value, cols=Cols("unknown") if data.cols.mode == "known" else data.cols)
            return self._inplace(node, value, inplace)
        if method == "select_dtypes":
            return replace(data, cols=replace(data.cols, filtered=True), cut=None)
        if method in ("merge", "join"):
            other = args[0] if args and isinstance(args[0], Data) else kwargs.get("right")
            return self._merge(data, other if isinstance(other, Data) else None)
        if method in ("append", "combine"):
            return join(data, join_all(extra)) if extra else data
        if method == "split" and data.stat is False and not data.frame and not extra:
            return replace(data, cut=None)
        if method in (
            "to_csv",
            "to_parquet",
            "to_excel",
            "to_json",
            "to_pickle",
            "plot",
            "hist",
            "info",
            "head",
            "tail",
            "memory_usage",
            "to_string",
            "savefig",
            "show",
        ):
            return Const(None)
        if method in ("isin",) and args and isinstance(args[0], Data) and isinstance(node.func, ast.Attribute):
            return replace(data, cut=None)
        if method in ("corrwith",):
            return self.statistic(node, data, method)
        if method in ("get_dummies",):
            return replace(data, cut=None)
        # Anything else on data keeps its rows and carries what its arguments brought.
        merged = replace(data, taints=data.taints | extra_taints, scores=data.scores | extra_scores, cut=None)
        return merged

    def _row_function(self, frame: Data, func: Func, value: Data) -> Data:
        """`df.apply(lambda r: ..., axis=1)`: a series computed from the columns the function reads."""
        params = func.node.args.args
        if not params:
            return value
        row = params[0].arg
        columns: set[str] = set()
        for sub in ast.walk(func.node):
            if (
                isinstance(sub, ast.Subscript)
                and isinstance(sub.value, ast.Name)
                and sub.value.id == row
                and isinstance(sub.slice, ast.Constant)
                and isinstance(sub.slice.value, str)
            ):
                columns.add(sub.slice.value)
            elif (
                isinstance(sub, ast.Attribute)
                and isinstance(sub.value, ast.Name)
                and sub.value.id == row
                and sub.attr not in _FRAME_ATTRS
                and not sub.attr.startswith("_")
            ):
                columns.add(sub.attr)
        if not columns:
            return value
        deps: set[str] = set(columns)
        for column in columns:
            deps |= frame.column_deps(column)
        target = any(self._is_target_col(frame, c) for c in columns)
        return replace(value, frame=False, cols=Cols("unknown"), deps=frozenset(deps), target=target, derived=())

    @staticmethod
    def _is_lag(spec: Value) -> bool:
        """A group function that only looks back (`shift`): it never sees the row's own value."""
        if isinstance(spec, Func):
            return any(isinstance(n, ast.Attribute) and n.attr == "shift" for n in ast.walk(func_node(spec)))
        return isinstance(spec, Const) and spec.value in ("shift",)

    def _maybe_select(self, node: ast.AST, data: Data, how: str) -> None:
        if data.scores:
            self.select(node, data.scores, how)

    def _inplace(self, node: ast.Call, value: Data, inplace: bool) -> Value:
        if inplace and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if isinstance(target, ast.Name):
                self.bind(target.id, value)
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                frame = self.lookup(target.value.id)
                if isinstance(frame, Data):
                    self.bind(target.value.id, replace(frame, taints=frame.taints | value.taints))
            return Const(None)
        return value

    def _drop(self, node: ast.Call, data: Data, args: list[Value], kwargs: dict[str, Value], inplace: bool) -> Value:
        columns_arg = kwargs.get("columns")
        axis = kwargs.get("axis")
        names: list[str] = []
        if columns_arg is not None:
            names = self.column_names(columns_arg)
        elif args and (
            (isinstance(axis, Const) and axis.value in (1, "columns"))
            or (len(args) > 1 and isinstance(args[1], Const) and args[1].value in (1, "columns"))
        ):
            names = self.column_names(args[0])
        elif args and isinstance(args[0], Data) and not args[0].stat:
            # df.drop(train.index): the rows not in `train` — the other side of its split.
            other = args[0]
            parts = self.result.parts(other.tags)
            if parts:
                split, side = parts[0]
                cut = Cut(
                    data.tags,
                    "drop",
                    str(split.id),
                    random=split.random,
                    time_based=split.time_based,
                    site=self.site(node),
                    complement_of=(split.id, side),
                )
                return replace(data, cut=cut)
            if other.cut is not None:
                return replace(data, cut=None)
            return replace(data, cut=None)
        elif "labels" in kwargs or "index" in kwargs:
            return replace(data, cut=None)
        cols = data.cols.without(names)
        if columns_arg is not None and not _all_constant(columns_arg):
            cols = replace(cols, filtered=True)  # some dropped names are unknown
        value = replace(
            data,
            cols=cols,
            cut=None,
            derived=tuple((k, v) for k, v in data.derived if k not in names),
            cols_site=self.site(node),
        )
        return self._inplace(node, value, inplace)

    def _merge(self, left: Data, right: Data | None) -> Data:
        if right is None:
            return replace(left, cut=None, uncertain=True)
        cols = left.cols.join(right.cols) if left.cols.mode != "unknown" else left.cols
        return replace(
            left, taints=left.taints | right.taints, cols=cols, cut=None, uncertain=left.uncertain or right.uncertain
        )

    # ---------------------------------------------------------------- values

    def element_of(self, value: Value) -> Value:
        if isinstance(value, Seq):
            if not value.items:
                return UNKNOWN
            if len(value.items) == 1:
                return value.items[0]
            return join_all(value.items)
        if isinstance(value, Mapping):
            keys = list(value.items)
            return Const(keys[0]) if keys and isinstance(keys[0], str) else UNKNOWN
        if isinstance(value, ColsVal):
            return Const("__column__")
        if isinstance(value, Data):
            return replace(value, cut=None)
        return UNKNOWN

    def column_sites(self, value: Value) -> dict[str, Site]:
        """Where the string constants of a column selection are written."""
        if isinstance(value, Const) and isinstance(value.value, str) and value.site is not None:
            return {value.value: value.site}
        found: dict[str, Site] = {}
        if isinstance(value, Seq):
            for item in value.items:
                for name, site in self.column_sites(item).items():
                    found.setdefault(name, site)
        return found

    def column_names(self, value: Value) -> list[str]:
        """String constants in a value: `"a"`, `["a", "b"]`, a list variable, a known column set."""
        if isinstance(value, Const) and isinstance(value.value, str):
            return [value.value]
        if isinstance(value, Seq):
            names: list[str] = []
            for item in value.items:
                names.extend(self.column_names(item))
            return names
        if isinstance(value, ColsVal) and value.cols.mode == "known":
            return sorted(value.cols.names)
        if isinstance(value, Mapping):
            return [k for k in value.items if isinstance(k, str)]
        return []


# --------------------------------------------------------------------------- joins


def join(a: Value, b: Value, *, combine: bool = False) -> Value:
    """The least informative value holding both (data wins over non-data)."""
    if a is None or a is UNKNOWN:
        return b if b is not None else UNKNOWN
    if b is None or b is UNKNOWN:
        return a
    if isinstance(a, Data) and isinstance(b, Data):
        return Data(
            tags=a.tags | b.tags
            if not (a.stat or b.stat)
            else (a.tags if not a.stat else b.tags if not b.stat else a.tags | b.tags),
            taints=a.taints | b.taints,
            cols=a.cols.join(b.cols) if a.frame and b.frame else (a.cols if a.frame else b.cols),
            deps=a.deps | b.deps,
            derived=tuple(sorted({**dict(a.derived), **dict(b.derived)}.items())),
            target=a.target or b.target,
            resampled=a.resampled | b.resampled,
            predictions=a.predictions | b.predictions,
            scores=a.scores | b.scores,
            stat=a.stat and b.stat,
            uncertain=a.uncertain or b.uncertain,
            shuffled=a.shuffled or b.shuffled,
            sorted_by=a.sorted_by or b.sorted_by,
            frame=a.frame or b.frame,
            col_sites=tuple(sorted({**dict(b.col_sites), **dict(a.col_sites)}.items())),
            cols_site=a.cols_site or b.cols_site,
        )
    if isinstance(a, Data):
        return a
    if isinstance(b, Data):
        return b
    if isinstance(a, Est):
        return a
    if isinstance(b, Est):
        return b
    if isinstance(a, Seq) and isinstance(b, Seq):
        return Seq(a.items + b.items)
    return a


def join_all(values: Sequence[Value], *, combine: bool = False) -> Value:
    result: Value = UNKNOWN
    for value in values:
        result = join(result, value, combine=combine)
    return result


def _scores_of(values: Iterable[Value], _depth: int = 0) -> frozenset[int]:
    found: set[int] = set()
    for value in values:
        if isinstance(value, Data):
            found |= value.scores
        elif isinstance(value, Seq) and _depth < 3:
            found |= _scores_of(value.items, _depth + 1)
        elif isinstance(value, Mapping) and _depth < 3:
            found |= _scores_of(list(value.items.values()), _depth + 1)
    return frozenset(found)


def func_node(func: Func) -> ast.AST:
    return func.node


def _all_constant(value: Value) -> bool:
    """Whether a column argument is made only of string constants."""
    if isinstance(value, Const):
        return isinstance(value.value, str)
    if isinstance(value, Seq):
        return all(_all_constant(v) for v in value.items)
    if isinstance(value, ColsVal):
        return value.cols.mode == "known" and not value.cols.filtered
    return False


def _data_in(values: Iterable[Value], _depth: int = 0) -> Iterator[Data]:
    """Every Data value inside (nested) containers."""
    for value in values:
        if isinstance(value, Data):
            yield value
        elif isinstance(value, Seq) and _depth < 4:
            yield from _data_in(value.items, _depth + 1)
        elif isinstance(value, Mapping) and _depth < 4:
            yield from _data_in(list(value.items.values()), _depth + 1)


def _holds_estimator(value: Value, _depth: int = 0) -> bool:
    if isinstance(value, Est):
        return value.kind in (EstKind.model, EstKind.pipeline, EstKind.search)
    if isinstance(value, Seq) and _depth < 3:
        return any(_holds_estimator(v, _depth + 1) for v in value.items)
    if isinstance(value, Mapping) and _depth < 3:
        return any(_holds_estimator(v, _depth + 1) for v in value.items.values())
    return False


def _const_key(value: Value) -> Any:
    if isinstance(value, Const):
        try:
            hash(value.value)
        except TypeError:
            return None
        return value.value
    return None


def _axis(kwargs: dict[str, Value]) -> int:
    axis = kwargs.get("axis")
    return 1 if isinstance(axis, Const) and axis.value in (1, "columns") else 0


def _is_test_file(path: str | None) -> bool:
    if not path:
        return False
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return "test" in name or "holdout" in name or "submission" in name


# --------------------------------------------------------------------------- target inference

_TARGET_NAMES = re.compile(r"^(y|y_all|y_full|target|labels?|Y)$")


def infer_target(code: CodeIndex) -> str | None:
    """The target column when no assignment names it: `y = df["col"]`, `df.pop("col")`, `stratify=df["col"]`."""
    votes: dict[str, int] = {}
    for _, node in code.walk():
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _TARGET_NAMES.match(node.targets[0].id)
        ):
            column = _subscript_column(node.value)
            if column:
                votes[column] = votes.get(column, 0) + 3
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.lower()
            in ("target", "target_col", "target_column", "label", "label_col", "target_name", "y_col", "target_var")
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            votes[node.value.value] = votes.get(node.value.value, 0) + 3
        if isinstance(node, ast.keyword) and node.arg in ("stratify", "y"):
            column = _subscript_column(node.value)
            if column:
                votes[column] = votes.get(column, 0) + 1
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            position = {
                "train_test_split": 1,
                "fit": 1,
                "cross_val_score": 2,
                "cross_validate": 2,
                "cross_val_predict": 2,
                "fit_resample": 1,
            }.get(name)
            if position is not None and len(node.args) > position:
                column = _subscript_column(node.args[position])
                if column:
                    votes[column] = votes.get(column, 0) + 2
    if not votes:
        return None
    return max(votes, key=lambda c: votes[c])


def _subscript_column(node: ast.expr) -> str | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("pop", "values", "to_numpy", "astype", "copy", "map", "apply")
    ):
        if (
            node.func.attr == "pop"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.args[0].value
        return _subscript_column(node.func.value)
    if isinstance(node, ast.Attribute) and node.attr in ("values",):
        return _subscript_column(node.value)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


def module_sources(texts: dict[str, str]) -> dict[str, str]:
    """The submission's `.py` files by importable name (`src/features.py` → `src.features` and `features`)."""
    found: dict[str, str] = {}
    for rel, text in texts.items():
        if not rel.endswith(".py"):
            continue
        dotted = rel[:-3].replace("\\", "/").replace("/", ".")
        if dotted.endswith(".__init__"):
            dotted = dotted[: -len(".__init__")]
        found.setdefault(dotted, text)
        found.setdefault(dotted.rsplit(".", 1)[-1], text)
    return found


def analyse(
    code: CodeIndex,
    *,
    target: str | None = None,
    time_column: str | None = None,
    group_column: str | None = None,
    modules: dict[str, str] | None = None,
) -> DataflowResult:
    """Run the dataflow over a notebook's code (and the submission's own modules it imports)."""
    return Interpreter(code, target=target, time_column=time_column, group_column=group_column, modules=modules).run()
