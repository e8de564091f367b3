"""Library changes that break notebooks written for an older stack, and how to recognise them.

Each `LibraryChange` names one release that changed an API notebooks commonly use
(pandas 3.0's `str` dtype, scikit-learn 1.4 removing `OneHotEncoder(sparse=...)`, numpy
1.24 removing `np.float`...), says how a failing cell shows it, and how code written
before it looks. Triage uses the first half to call a failure `environment` and name the
change; profile inference uses the second half (and the versions of each runtime profile)
to pick the era a notebook was written for, and the retry to pick a profile in which the
failure goes away.

Two kinds of matches:

- **direct**: the error *is* the change (an unexpected keyword argument, a missing
  attribute or import, a parameter value scikit-learn no longer accepts);
- **contextual**: the error is a later symptom of a behaviour change, recognised from the
  error together with code of the same or an earlier cell (`dtype == "object"` selecting
  nothing under pandas 3, then "could not convert string to float" in `fit`).

Pure data and regular expressions; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from grader.execution.profiles import RuntimeProfile, Version, parse_version

#: Distributions that provide a library under another name in some profiles.
ALIASES = {"xgboost": ("xgboost", "xgboost-cpu")}


class Direction(StrEnum):
    """`removed`: code written before `version` breaks on it; `added`: code needs at least `version`."""

    removed = "removed"
    added = "added"


@dataclass(frozen=True)
class LibraryChange:
    """One release's change, how a failure shows it, and how code relying on the old behaviour looks."""

    id: str
    library: str
    version: Version
    summary: str
    direction: Direction = Direction.removed
    #: Exception names that can show it (empty: any).
    errors: frozenset[str] = frozenset()
    #: Searched in the error message.
    message: re.Pattern[str] | None = None
    #: Searched in the traceback's frames (must match too when given).
    trace: re.Pattern[str] | None = None
    #: Contextual changes: code of the failing cell or an earlier one that makes the change the cause.
    context: re.Pattern[str] | None = None
    #: Code that relies on the old (or, for `added`, the new) API, for profile inference.
    code: re.Pattern[str] | None = None

    @property
    def contextual(self) -> bool:
        return self.context is not None

    @property
    def release(self) -> str:
        return ".".join(str(p) for p in self.version)

    def label(self) -> str:
        """`pandas 3.0: ...`, as findings name the change."""
        return f"{self.library} {self.release}: {self.summary}"

    def constraint(self) -> tuple[Version | None, Version | None]:
        """(lowest, first excluded) version of `library` under which code hit by the change works."""
        return (None, self.version) if self.direction is Direction.removed else (self.version, None)

    def works_in(self, profile: RuntimeProfile) -> bool | None:
        """Whether code hit by this change runs in `profile`; None if the profile lacks the library."""
        version = profile_version(profile, self.library)
        if version is None:
            return None
        return version < self.version if self.direction is Direction.removed else version >= self.version

    def applies_to(self, versions: Mapping[str, str]) -> bool:
        """Whether a run with these library versions can show the change (unknown versions: yes)."""
        for name in ALIASES.get(self.library, (self.library,)):
            if name in versions:
                parsed = parse_version(versions[name])
                if parsed is None:
                    return True
                return parsed >= self.version if self.direction is Direction.removed else parsed < self.version
        return True


def profile_version(profile: RuntimeProfile, library: str) -> Version | None:
    """The version of a library (or of a distribution that ships it) in a profile, or None."""
    for name in ALIASES.get(library, (library,)):
        version = profile.version(name)
        if version is not None:
            return version
    return None


def _rx(pattern: str) -> re.Pattern[str]:
    """An error-message pattern (case does not matter in messages)."""
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


def _code(pattern: str) -> re.Pattern[str]:
    """A code pattern: case matters (`np.NaN` is gone, `np.nan` is not)."""
    return re.compile(pattern, re.DOTALL)


def _id(library: str, version: Version, slug: str) -> str:
    return f"{library}-{'.'.join(map(str, version))}-{slug}"


def _kwarg(
    slug: str, library: str, version: Version, kwarg: str, callee: str, summary: str, code: str | None = None
) -> LibraryChange:
    """A keyword argument a function no longer accepts (`kwarg` and `callee` are regular expressions)."""
    return LibraryChange(
        id=_id(library, version, slug),
        library=library,
        version=version,
        summary=summary,
        errors=frozenset({"TypeError"}),
        message=_rx(rf"(?:{callee})\w*(?:\.__init__)?\(\) got an unexpected keyword argument '(?:{kwarg})'"),
        code=_code(code) if code else None,
    )


def _attribute(
    slug: str, library: str, version: Version, owners: str, names: str, summary: str, code: str | None = None
) -> LibraryChange:
    """Attributes removed from a library's objects or modules."""
    return LibraryChange(
        id=_id(library, version, slug),
        library=library,
        version=version,
        summary=summary,
        errors=frozenset({"AttributeError"}),
        message=_rx(rf"^(?:'(?:{owners})' object|module '(?:{owners})') has no attribute '(?:{names})'"),
        code=_code(code) if code else None,
    )


def _import(slug: str, library: str, version: Version, names: str, module: str, summary: str) -> LibraryChange:
    """A name or module removed from a library's namespace."""
    return LibraryChange(
        id=_id(library, version, slug),
        library=library,
        version=version,
        summary=summary,
        errors=frozenset({"ImportError", "ModuleNotFoundError"}),
        message=_rx(rf"cannot import name '(?:{names})' from '{module}|No module named '{module}\.(?:{names})'"),
        code=_code(rf"\b(?:from\s+{module}(?:\.\w+)*\s+import\s+[^\n]*\b(?:{names})\b|{module}\.(?:{names})\b)"),
    )


def _value(slug: str, library: str, version: Version, parameter: str, values: str, summary: str) -> LibraryChange:
    """A parameter value scikit-learn's validation no longer accepts."""
    return LibraryChange(
        id=_id(library, version, slug),
        library=library,
        version=version,
        summary=summary,
        message=_rx(rf"The '{parameter}' parameter of \w+ must be .*Got '(?:{values})' instead"),
        code=_code(rf"\b{parameter}\s*=\s*['\"](?:{values})['\"]"),
    )


_DTYPE_IS_OBJECT = (
    r"(\.dtypes?(\.name)?\s*(==|!=|is not|is)\s*(['\"](object|O)['\"]|object\b|np\.object_?\b)"
    r"|(['\"](object|O)['\"]|\bobject\b|np\.object_?)\s*(==|!=)\s*[\w\[\]'\".]*\.dtypes?\b"
    r"|\.dtypes?\.kind\s*(==|!=|in)\s*['\"][^'\"]*O|is_object_dtype\(|\.dtypes?\s+in\s*[\[(][^\])]*['\"]?object)"
)

CHANGES: tuple[LibraryChange, ...] = (
    # ------------------------------------------------------------------ pandas 3.0
    LibraryChange(
        id="pandas-3.0-str-dtype",
        library="pandas",
        version=(3, 0),
        summary="text columns have the `str` dtype, not `object`, so a `dtype == object` test no longer finds "
        "them and they reach numeric code unencoded",
        errors=frozenset({"ValueError", "TypeError"}),
        message=_rx(
            r"could not convert string to float|non-numeric data|Cannot use (mean|median) strategy|"
            r"ufunc '\w+' not supported for the input types|dtype 'str' does not support"
        ),
        context=_rx(_DTYPE_IS_OBJECT),
        code=_code(_DTYPE_IS_OBJECT),
    ),
    LibraryChange(
        id="pandas-3.0-str-dtype-setitem",
        library="pandas",
        version=(3, 0),
        summary="a `str` column holds only strings: assigning numbers into it (`df.loc[mask, col] = 1`) raises "
        "instead of turning it into an `object` column",
        errors=frozenset({"TypeError", "ValueError"}),
        message=_rx(r"Invalid value '.*' for dtype '?str|Cannot set non-string value|Scalar must be NA or str"),
    ),
    LibraryChange(
        id="pandas-3.0-incompatible-setitem",
        library="pandas",
        version=(3, 0),
        summary="setting a value a column's dtype cannot hold (`df.loc[i, 'month'] = 6.5` in an `int64` column) "
        "raises; pandas 2.1-2.3 only warned and upcast the column",
        errors=frozenset({"TypeError"}),
        message=_rx(r"Invalid value '.*' for dtype '?(?:u?int|float|bool|complex|datetime|timedelta)"),
    ),
    LibraryChange(
        id="pandas-3.0-replace-no-downcast",
        library="pandas",
        version=(3, 0),
        summary="`replace` (and `fillna`, `where`...) no longer downcasts, so text labels replaced by numbers "
        "keep the `object` dtype and scikit-learn sees an unknown label type",
        errors=frozenset({"ValueError", "TypeError"}),
        message=_rx(r"Unknown label type: '?unknown|mix of unknown and \w+ targets|mix of \w+ and unknown targets"),
        context=_rx(r"\.(replace|fillna|where|mask|clip)\s*\(|\.(map)\s*\(\s*\{"),
    ),
    LibraryChange(
        id="pandas-3.0-axis-none-reduction",
        library="pandas",
        version=(3, 0),
        summary="`np.sum(df)` (a reduction with `axis=None`) now reduces over both axes to a scalar instead of "
        "giving one value per column",
        errors=frozenset({"IndexError", "TypeError", "KeyError"}),
        message=_rx(r"invalid index to scalar variable|object is not subscriptable|'numpy\.\w+' object"),
        context=_rx(r"\bnp\.(sum|mean|nansum|nanmean|max|min|prod|std|var|median|any|all)\s*\("),
    ),
    LibraryChange(
        id="pandas-3.0-drop-axis-and-columns",
        library="pandas",
        version=(3, 0),
        summary="`drop(columns=..., axis=1)` is refused: `axis` may no longer be given with `index=`/`columns=`",
        errors=frozenset({"ValueError"}),
        message=_rx(r"Cannot specify both 'axis' and 'index'/'columns'"),
        code=_code(
            r"\.drop\([^)]*\b(?:columns|index)\s*=[^)]*\baxis\s*=|\.drop\([^)]*\baxis\s*=[^)]*\b(?:columns|index)\s*="
        ),
    ),
    LibraryChange(
        id="pandas-3.0-positional-getitem",
        library="pandas",
        version=(3, 0),
        summary="`series[0]` looks up the label 0; positional access needs `series.iloc[0]` (the positional "
        "fallback was removed)",
        errors=frozenset({"KeyError"}),
        message=_rx(r"^-?\d+$"),
        trace=_rx(r"in Series\.(__getitem__|_get_value)"),
    ),
    LibraryChange(
        id="pandas-3.0-freq-aliases",
        library="pandas",
        version=(3, 0),
        summary="the frequency aliases `M`, `Y`, `Q`, `H`, `T`, `S` were removed (now `ME`, `YE`, `QE`, `h`, "
        "`min`, `s`)",
        errors=frozenset({"ValueError"}),
        message=re.compile(
            r"Invalid frequency: (B?[MYQA]S?|H|BH|T|S|L|U|N|SM|BA|BQ|BY|CBM)\b|is no longer supported for offsets"
        ),
        code=_code(r"\b(resample|asfreq|date_range|Grouper)\s*\([^)]*['\"](M|Y|A|Q|H|T)['\"]"),
    ),
    _attribute(
        "applymap",
        "pandas",
        (3, 0),
        "DataFrame|Series",
        "applymap|swapaxes|bool|pad|backfill",
        "`DataFrame.applymap` (use `map`), `swapaxes`, `bool`, `pad` and `backfill` were removed",
        r"\.applymap\s*\(",
    ),
    _kwarg(
        "fillna-method",
        "pandas",
        (3, 0),
        "method",
        "(NDFrame|DataFrame|Series)\\.fillna",
        "`fillna(method=...)` was removed (use `ffill()` / `bfill()`)",
        r"\.fillna\s*\([^)]*\bmethod\s*=",
    ),
    _kwarg(
        "read-csv-options",
        "pandas",
        (3, 0),
        "(date_parser|infer_datetime_format|delim_whitespace|keep_date_col|verbose)",
        "read_\\w+",
        "`read_csv` lost `date_parser`, `infer_datetime_format`, `delim_whitespace` and `keep_date_col`",
        r"\bread_\w+\s*\([^)]*\b(date_parser|infer_datetime_format|delim_whitespace|keep_date_col)\s*=",
    ),
    LibraryChange(
        id="pandas-3.0-copy-on-write",
        library="pandas",
        version=(3, 0),
        summary="under Copy-on-Write a chained `df[col].method(..., inplace=True)` (or `df[col][rows] = v`) "
        "changes a copy and leaves `df` as it was",
    ),
    # ------------------------------------------------------------------ pandas 2.0
    _attribute(
        "append",
        "pandas",
        (2, 0),
        "DataFrame|Series",
        "append|iteritems|mad|lookup|is_monotonic|slice_shift|tshift",
        "`DataFrame.append`, `iteritems`, `mad`, `lookup` and `is_monotonic` were removed (use `pd.concat`, "
        "`items`...)",
        # `list.append` is everywhere: only `df = df.append(...)` and `ignore_index=` are pandas for sure.
        r"\.(iteritems|is_monotonic)\s*\(|\.mad\s*\(\s*\)|\b(?P<target>\w+)\s*=\s*(?P=target)\.append\s*\(|"
        r"\.append\s*\([^()]*(\([^()]*\))?[^()]*\bignore_index\s*=",
    ),
    _attribute(
        "ix",
        "pandas",
        (1, 0),
        "DataFrame|Series",
        "ix|as_matrix|get_value|set_value|sortlevel|from_items",
        "`.ix`, `as_matrix`, `get_value` and `set_value` were removed (use `.loc`/`.iloc`, `to_numpy`, `.at`)",
        r"\.ix\[|\.as_matrix\s*\(",
    ),
    _attribute(
        "pd-np",
        "pandas",
        (2, 0),
        "pandas",
        "np|datetime|Panel|Int64Index|Float64Index|UInt64Index",
        "`pd.np`, `pd.datetime` and `Int64Index` were removed",
        r"\bpd\.(np|datetime|Int64Index|Float64Index)\b",
    ),
    _attribute(
        "weekofyear",
        "pandas",
        (2, 0),
        "DatetimeProperties",
        "weekofyear|week",
        "`Series.dt.weekofyear` / `week` were removed (use `dt.isocalendar().week`)",
        r"\.dt\.(weekofyear|week)\b",
    ),
    _kwarg(
        "csv-options",
        "pandas",
        (2, 0),
        "(line_terminator|squeeze|error_bad_lines|warn_bad_lines|mangle_dupe_cols|prefix)",
        "(NDFrame\\.to_csv|DataFrame\\.to_csv|read_\\w+)",
        "`read_csv(squeeze=, error_bad_lines=, prefix=)` and `to_csv(line_terminator=)` were removed",
        r"\b(read_csv|to_csv)\s*\([^)]*\b(line_terminator|squeeze|error_bad_lines|warn_bad_lines)\s*=",
    ),
    LibraryChange(
        id="pandas-2.0-numeric-only",
        library="pandas",
        version=(2, 0),
        summary="reductions (`corr`, `mean`, `groupby().mean()`...) no longer drop text columns silently "
        "(`numeric_only=False` by default)",
        errors=frozenset({"ValueError", "TypeError"}),
        message=_rx(
            r"could not convert|to numeric|agg function failed|does not support (operation|reduction)|"
            r"Cannot perform reduction|not supported between|unsupported operand"
        ),
        # Whole-frame and grouped reductions only: a text Series' own mean fails in every release.
        trace=_rx(
            r"in (DataFrame|\w*GroupBy)\.(corr|cov|mean|median|std|var|sum|quantile|skew|kurt|sem|prod|"
            r"min|max|agg|aggregate)\b|groupby/ops\.py"
        ),
    ),
    # ------------------------------------------------------------------ scikit-learn
    _kwarg(
        "onehot-sparse",
        "scikit-learn",
        (1, 4),
        "sparse",
        "OneHotEncoder",
        "`OneHotEncoder(sparse=...)` was removed (renamed `sparse_output` in 1.2)",
        r"OneHotEncoder\s*\([^)]*\bsparse\s*=",
    ),
    LibraryChange(
        id="scikit-learn-1.2-sparse-output",
        library="scikit-learn",
        version=(1, 2),
        direction=Direction.added,
        summary="`OneHotEncoder(sparse_output=...)` only exists from scikit-learn 1.2",
        errors=frozenset({"TypeError"}),
        message=_rx(r"OneHotEncoder\w*(\.__init__)?\(\) got an unexpected keyword argument 'sparse_output'"),
        code=_code(r"\bsparse_output\s*="),
    ),
    _value(
        "max-features-auto",
        "scikit-learn",
        (1, 3),
        "max_features",
        "auto",
        "`max_features='auto'` was removed from the tree ensembles (use 'sqrt' or 1.0)",
    ),
    _value(
        "criterion-mse",
        "scikit-learn",
        (1, 2),
        "criterion",
        "mse|mae",
        "`criterion='mse'`/`'mae'` were removed (use 'squared_error')",
    ),
    _value("loss-log", "scikit-learn", (1, 3), "loss", "log", "`loss='log'` was removed (use 'log_loss')"),
    _value(
        "penalty-none", "scikit-learn", (1, 4), "penalty", "none", "`penalty='none'` was removed (use `penalty=None`)"
    ),
    _value("samme-r", "scikit-learn", (1, 6), "algorithm", "SAMME\\.R", "AdaBoost's `algorithm='SAMME.R'` was removed"),
    _import(
        "plot-confusion-matrix",
        "scikit-learn",
        (1, 2),
        "plot_confusion_matrix|plot_roc_curve|plot_precision_recall_curve",
        "sklearn.metrics",
        "`plot_confusion_matrix`, `plot_roc_curve` and `plot_precision_recall_curve` were removed (use the "
        "`*Display.from_estimator` classes)",
    ),
    _import("load-boston", "scikit-learn", (1, 2), "load_boston", "sklearn.datasets", "`load_boston` was removed"),
    _import("scorers", "scikit-learn", (1, 3), "SCORERS", "sklearn.metrics", "`sklearn.metrics.SCORERS` was removed"),
    _import(
        "cross-validation",
        "scikit-learn",
        (0, 20),
        "cross_validation|grid_search|learning_curve",
        "sklearn",
        "the modules `sklearn.cross_validation` and `sklearn.grid_search` were removed (now `sklearn.model_selection`)",
    ),
    _import(
        "externals-joblib",
        "scikit-learn",
        (0, 23),
        "joblib",
        "sklearn.externals",
        "`sklearn.externals.joblib` was removed",
    ),
    LibraryChange(
        id="scikit-learn-1.2-get-feature-names",
        library="scikit-learn",
        version=(1, 2),
        summary="`get_feature_names()` was removed (use `get_feature_names_out()`)",
        errors=frozenset({"AttributeError"}),
        message=_rx(r"object has no attribute 'get_feature_names'"),
        code=_code(r"\.get_feature_names\s*\(\s*\)"),
    ),
    _kwarg(
        "normalize",
        "scikit-learn",
        (1, 2),
        "normalize",
        "(LinearRegression|Ridge|Lasso|ElasticNet|Lars|LassoLars|\\w*CV)",
        "the `normalize=` parameter of the linear models was removed",
        r"(LinearRegression|Ridge|Lasso|ElasticNet)\w*\s*\([^)]*\bnormalize\s*=",
    ),
    _kwarg(
        "base-estimator",
        "scikit-learn",
        (1, 4),
        "base_estimator",
        "(Bagging|AdaBoost)\\w*",
        "`base_estimator=` was removed (renamed `estimator` in 1.2)",
        r"(Bagging|AdaBoost)\w*\s*\([^)]*\bbase_estimator\s*=",
    ),
    _kwarg(
        "affinity",
        "scikit-learn",
        (1, 4),
        "affinity",
        "AgglomerativeClustering",
        "`AgglomerativeClustering(affinity=)` was removed (renamed `metric`)",
    ),
    _kwarg(
        "squared",
        "scikit-learn",
        (1, 6),
        "squared",
        "\\w*mean_squared\\w*",
        "`mean_squared_error(squared=False)` was removed (use `root_mean_squared_error`)",
        r"mean_squared_error\s*\([^)]*\bsquared\s*=",
    ),
    _kwarg(
        "fit-params",
        "scikit-learn",
        (1, 6),
        "fit_params",
        "cross_\\w+",
        "`cross_validate(fit_params=)` was removed (renamed `params`)",
    ),
    _kwarg(
        "multi-class",
        "scikit-learn",
        (1, 7),
        "multi_class",
        "LogisticRegression",
        "`LogisticRegression(multi_class=)` was removed",
        r"LogisticRegression\s*\([^)]*\bmulti_class\s*=",
    ),
    LibraryChange(
        id="scikit-learn-1.2-feature-name-types",
        library="scikit-learn",
        version=(1, 2),
        summary="column names of mixed types (numbers and strings, as after `pd.concat` of an array's frame) are "
        "an error, no longer a warning",
        errors=frozenset({"TypeError"}),
        message=_rx(r"Feature names are only supported if all input features have string names"),
    ),
    LibraryChange(
        id="scikit-learn-1.0-keyword-only",
        library="scikit-learn",
        version=(1, 0),
        summary="estimators' parameters after the first are keyword-only (`RFE(model, 10)` must be "
        "`RFE(model, n_features_to_select=10)`)",
        errors=frozenset({"TypeError"}),
        # Python's own message for a class called with too many positional arguments; a scikit-learn class.
        message=_rx(
            r"\b(?:RFE|RFECV|SelectKBest|SelectPercentile|SelectFromModel|PCA|TruncatedSVD|KMeans|DBSCAN|SVC|SVR|"
            r"LinearSVC|KNeighbors\w+|\w+(?:Classifier|Regressor|Regression|Scaler|Encoder|Imputer|KFold|Split))"
            r"\.__init__\(\) takes (?:from \d+ to )?\d+ positional arguments? but \d+ (?:were|was) given"
        ),
        context=_code(r"\bsklearn\b"),
    ),
    LibraryChange(
        id="scikit-learn-1.6-estimator-tags",
        library="scikit-learn",
        version=(1, 6),
        summary="the estimator tags API changed (`__sklearn_tags__`), which breaks third-party estimators "
        "built for older releases",
        errors=frozenset({"AttributeError", "TypeError"}),
        message=_rx(r"__sklearn_tags__|_get_tags|_more_tags"),
    ),
    LibraryChange(
        id="scikit-learn-1.4-root-mean-squared-error",
        library="scikit-learn",
        version=(1, 4),
        direction=Direction.added,
        summary="`root_mean_squared_error` only exists from scikit-learn 1.4",
        errors=frozenset({"ImportError"}),
        message=_rx(r"cannot import name 'root_mean_squared_error'"),
        code=_code(r"\broot_mean_squared_error\b"),
    ),
    LibraryChange(
        id="scikit-learn-1.2-set-output",
        library="scikit-learn",
        version=(1, 2),
        direction=Direction.added,
        summary="`set_output(transform='pandas')` only exists from scikit-learn 1.2",
        errors=frozenset({"AttributeError"}),
        message=_rx(r"has no attribute 'set_output'"),
        code=_code(r"\.set_output\s*\(\s*transform\s*="),
    ),
    # ------------------------------------------------------------------ numpy
    _attribute(
        "aliases",
        "numpy",
        (1, 24),
        "numpy|np",
        "float|int|bool|object|str|long|unicode|complex",
        "the aliases `np.float`, `np.int`, `np.bool`, `np.object` and `np.str` were removed (use the builtins)",
        r"\bnp\.(float|int|bool|object|str|long|unicode|complex)\b(?!\d|_)",
    ),
    _attribute(
        "removed-names",
        "numpy",
        (2, 0),
        "numpy|np",
        "float_|complex_|unicode_|string_|NaN|NAN|Inf|PINF|NINF|infty|product|alltrue|sometrue|cumproduct|"
        "round_|asfarray|find_common_type|bool8|int0|uint0|object0|str0|issubclass_|msort|trapz|in1d|row_stack",
        "`np.NaN`, `np.Inf`, `np.float_`, `np.product`... were removed in NumPy 2.0 (use `np.nan`, `np.inf`, "
        "`np.float64`, `np.prod`)",
        r"\bnp\.(NaN|NAN|Inf|PINF|NINF|infty|float_|complex_|product|alltrue|sometrue|cumproduct|round_|asfarray)\b",
    ),
    LibraryChange(
        id="numpy-2.0-abi",
        library="numpy",
        version=(2, 0),
        summary="modules compiled against NumPy 1.x cannot be imported with NumPy 2",
        message=_rx(r"compiled using NumPy 1\.x cannot be run in|numpy\.dtype size changed|_ARRAY_API not found"),
    ),
    # ------------------------------------------------------------------ matplotlib, seaborn, boosting
    LibraryChange(
        id="matplotlib-3.8-seaborn-styles",
        library="matplotlib",
        version=(3, 8),
        summary="the `seaborn*` style names were removed (renamed `seaborn-v0_8*` in 3.6)",
        message=_rx(r"'seaborn[\w-]*' is not a valid package style|'seaborn[\w-]*' not found in the style library"),
        code=_code(r"style\.use\s*\(\s*['\"]seaborn(?!-v0_8)"),
    ),
    _attribute(
        "get-cmap",
        "matplotlib",
        (3, 9),
        "matplotlib\\.cm",
        "get_cmap",
        "`matplotlib.cm.get_cmap` was removed (use `matplotlib.colormaps[name]`)",
        r"\bcm\.get_cmap\s*\(",
    ),
    LibraryChange(
        id="seaborn-0.12-keyword-data",
        library="seaborn",
        version=(0, 12),
        summary="plotting functions take their data as keyword arguments only (`x=`, `y=`, `data=`)",
        errors=frozenset({"TypeError"}),
        # `sns.countplot("col", data=df)`: the column lands in `data`, the first positional parameter since 0.12.
        message=_rx(
            r"\w+plot\(\) takes from 0 to \d+ positional arguments but \d+ "
            r"(positional arguments? \(and \d+ keyword-only arguments?\) )?(were|was) given"
            r"|\w+plot\(\) got multiple values for argument 'data'"
        ),
    ),
    _kwarg(
        "fit-early-stopping",
        "xgboost",
        (2, 1),
        "(early_stopping_rounds|eval_metric|callbacks)",
        "XGB\\w*\\.fit|XGBModel\\.fit|fit",
        "`fit(early_stopping_rounds=, eval_metric=, callbacks=)` were removed (pass them to the constructor)",
        r"XGB\w*\s*\(.*\.fit\s*\([^)]*\b(early_stopping_rounds|eval_metric)\s*=",
    ),
    _kwarg(
        "fit-early-stopping",
        "lightgbm",
        (4, 0),
        "(early_stopping_rounds|verbose|verbose_eval|evals_result)",
        "(LGBM\\w*\\.fit|fit|train)",
        "`fit(early_stopping_rounds=, verbose=)` and `train(verbose_eval=)` were removed (use callbacks)",
        r"\.fit\s*\([^)]*\b(early_stopping_rounds|verbose)\s*=|lgb\.train\s*\([^)]*\bverbose_eval\s*=",
    ),
)

BY_ID = {change.id: change for change in CHANGES}
#: Chained `inplace=True` calls and chained assignment that Copy-on-Write turns into no-ops.
CHAINED_INPLACE = re.compile(
    r"(?P<frame>\b[A-Za-z_]\w*)(\[[^\]\n]+\]|\.(?!loc\b|iloc\b|at\b|iat\b|str\b|dt\b|cat\b)[A-Za-z_]\w*)"
    r"\.(replace|fillna|drop|dropna|rename|astype|clip|where|mask|interpolate|ffill|bfill|update|sort_values|"
    r"reset_index|set_index)\s*\([^\n]*\binplace\s*=\s*True"
    r"|(?P<frame2>\b[A-Za-z_]\w*)\[[^\]\n]+\]\[[^\]\n]+\]\s*=(?!=)"
)


def match_direct(
    error_name: str | None, error_value: str | None, traceback: str | None, versions: Mapping[str, str]
) -> LibraryChange | None:
    """The change a failure *is* (a removed API hit head-on), if any, among those the run's versions can show."""
    for change in CHANGES:
        if not change.contextual and _matches(change, error_name, error_value, traceback, versions):
            return change
    return None


def match_contextual(
    error_name: str | None,
    error_value: str | None,
    traceback: str | None,
    code: Sequence[str],
    versions: Mapping[str, str],
) -> LibraryChange | None:
    """A behaviour change that explains a failure, given the code of the failing cell and the cells before it."""
    for change in CHANGES:
        if (
            change.context is not None
            and _matches(change, error_name, error_value, traceback, versions)
            and any(change.context.search(source) for source in code)
        ):
            return change
    return None


def _matches(
    change: LibraryChange,
    error_name: str | None,
    error_value: str | None,
    traceback: str | None,
    versions: Mapping[str, str],
) -> bool:
    if change.message is None:
        return False
    if change.errors and (error_name or "") not in change.errors:
        return False
    if not change.message.search((error_value or "").strip()):
        return False
    if change.trace is not None and not change.trace.search(traceback or ""):
        return False
    return change.applies_to(versions)


def uses_in_code(source: str) -> list[LibraryChange]:
    """Changes whose old (or, for `added`, new) API the code uses: evidence of the era it was written in."""
    return [change for change in CHANGES if change.code is not None and change.code.search(source)]
