"""How pandas and numpy operations move rows and columns, for the dataflow interpreter.

Data sources, whole-frame statistics (and which of them fit on the data), row-preserving
methods, frame attributes, selections, time-like names and the role a variable name
announces. What the interpreter knows of estimators is the ML vocabulary
(`grader.evidence.ml.vocabulary`).
"""

from __future__ import annotations

import re
from enum import StrEnum

#: Frame methods that write the frame to a file another notebook (or a later cell) may read back.
FRAME_WRITERS = ("to_csv", "to_parquet", "to_feather", "to_pickle", "to_json", "to_excel")


def file_name(path: str) -> str:
    """The last part of a path as the code writes it (`./out/train_clean.csv` → `train_clean.csv`)."""
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


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


#: statsmodels models: built with their data (`sm.OLS(y, X)`, `smf.ols("y ~ x", data=df)`), then `.fit()`.
STATSMODELS_MODELS = frozenset(
    {
        "OLS",
        "WLS",
        "GLS",
        "GLSAR",
        "GLM",
        "Logit",
        "Probit",
        "MNLogit",
        "Poisson",
        "NegativeBinomial",
        "QuantReg",
        "RLM",
    }
    | {"ols", "wls", "gls", "glm", "logit", "probit", "mnlogit", "poisson", "negativebinomial", "quantreg", "rlm"}
)
#: Statistics of a fitted statsmodels result learnt from its rows (p-values, coefficients, residuals).
STATSMODELS_FITTED = frozenset(
    {"params", "pvalues", "tvalues", "bse", "fittedvalues", "resid", "resid_pearson", "llf", "aic", "bic"}
    | {"rsquared", "rsquared_adj", "prsquared", "f_pvalue", "fvalue", "mse_resid"}
)
#: Of those, the in-sample goodness of fit a notebook reads as the model's score.
STATSMODELS_SCORES = frozenset({"rsquared", "rsquared_adj", "prsquared"})
