"""The dataflow's events (sources, splits, fits, evaluations...), abstract values and how values join."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from grader.evidence.code import CodeCell
from grader.evidence.dataflow.catalogue import Role
from grader.evidence.ml.vocabulary import EstKind, FitCategory

Tag = tuple[Any, ...]

#: Stands for the columns a merge brings in when their names are unknown (lineage still counts).
MERGED_COLUMNS = "the columns merged in from another frame"


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
    #: Keras' `validation_data=(X, y)`: rows the training is monitored on, epoch by epoch (an
    #: `eval_set` whose loss curves are what a notebook reads its number of epochs from).
    validation_data: bool = False
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
    #: Model predictions (`Predict` ids) the reference argument carries: the "true" labels of a
    #: metric, or the `y` of `.score(X, y)`. Non-empty means the score compares predictions with
    #: predictions, not with the labels.
    truth_predictions: frozenset[int] = frozenset()
    #: Model predictions the scored argument carries (a metric's `y_pred`).
    pred_predictions: frozenset[int] = frozenset()


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
    #: ("all" mode) Columns dropped from some of the frames joined into this one (rows stacked,
    #: branches merged): present only as the missing values of those rows, so only a maybe.
    maybe: frozenset[str] = frozenset()

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
            if column in self.maybe or any(n.startswith(column + "_") for n in self.names):
                # `churned_Yes` dropped: the column was one-hot encoded; whether every level went is unknown.
                return None
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
            return replace(self, names=self.names - add, maybe=self.maybe - add)
        return self

    def join(self, other: Cols) -> Cols:
        if self.mode == other.mode == "known":
            return Cols("known", self.names | other.names, self.filtered or other.filtered)
        if self.mode == other.mode == "all":
            maybe = (self.names ^ other.names) | self.maybe | other.maybe
            return Cols(
                "all", self.names & other.names, self.filtered or other.filtered, maybe - (self.names & other.names)
            )
        if "unknown" in (self.mode, other.mode):
            return Cols("unknown")
        known, everything = (self, other) if self.mode == "known" else (other, self)
        return Cols(
            "all", everything.names - known.names, self.filtered or other.filtered, everything.maybe - known.names
        )


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
    #: A statsmodels model's data, given where it is built (`sm.OLS(y, X)`): the rows `.fit()` fits on (X, y).
    design: tuple[Data, Data | None] | None = None

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
    #: Searches whose cross-validated score was read (`best_score_`, `cv_results_`), by `Est.id`: only
    #: those have a score of their own to be compared by; the others are compared by what they print.
    cv_scores_read: set[int] = field(default_factory=set)
    selections: list[Selection] = field(default_factory=list)
    loops: dict[int, Loop] = field(default_factory=dict)
    estimators: list[Est] = field(default_factory=list)
    #: Model fits: (fit, X value, y value).
    model_fits: list[tuple[Fit, Data, Data | None]] = field(default_factory=list)
    #: Where string constants name columns: column → first (cell, line).
    mentions: dict[str, Site] = field(default_factory=dict)
    target: str | None = None
    env: dict[str, Value] = field(default_factory=dict)
    #: Files the submission writes a frame to (`to_csv` ...), by file name → that frame's columns.
    written: dict[str, Cols] = field(default_factory=dict)
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


class OutOfBudget(Exception):
    """The analysis has done as much work as one notebook is allowed."""


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
    """The join of several values (see `join`)."""
    result: Value = UNKNOWN
    for value in values:
        result = join(result, value, combine=combine)
    return result


def scores_of(values: Iterable[Value], _depth: int = 0) -> frozenset[int]:
    """Ids of the scores the values (or the sequences they hold) carry."""
    found: set[int] = set()
    for value in values:
        if isinstance(value, Data):
            found |= value.scores
        elif isinstance(value, Seq) and _depth < 3:
            found |= scores_of(value.items, _depth + 1)
        elif isinstance(value, Mapping) and _depth < 3:
            found |= scores_of(list(value.items.values()), _depth + 1)
    return frozenset(found)


def func_node(func: Func) -> ast.AST:
    """The syntax tree of a user function."""
    return func.node


def all_constant(value: Value) -> bool:
    """Whether a column argument is made only of string constants."""
    if isinstance(value, Const):
        return isinstance(value.value, str)
    if isinstance(value, Seq):
        return all(all_constant(v) for v in value.items)
    if isinstance(value, ColsVal):
        return value.cols.mode == "known" and not value.cols.filtered
    return False


def data_in(values: Iterable[Value], _depth: int = 0) -> Iterator[Data]:
    """Every Data value inside (nested) containers."""
    for value in values:
        if isinstance(value, Data):
            yield value
        elif isinstance(value, Seq) and _depth < 4:
            yield from data_in(value.items, _depth + 1)
        elif isinstance(value, Mapping) and _depth < 4:
            yield from data_in(list(value.items.values()), _depth + 1)


def holds_estimator(value: Value, _depth: int = 0) -> bool:
    """Whether a value is (or contains) a model, pipeline or search."""
    if isinstance(value, Est):
        return value.kind in (EstKind.model, EstKind.pipeline, EstKind.search)
    if isinstance(value, Seq) and _depth < 3:
        return any(holds_estimator(v, _depth + 1) for v in value.items)
    if isinstance(value, Mapping) and _depth < 3:
        return any(holds_estimator(v, _depth + 1) for v in value.items.values())
    return False


def const_key(value: Value) -> Any:
    """A hashable key for a constant value (None for anything else)."""
    if isinstance(value, Const):
        try:
            hash(value.value)
        except TypeError:
            return None
        return value.value
    return None


def axis_of(kwargs: dict[str, Value]) -> int:
    """1 when `axis=` says columns, else 0."""
    axis = kwargs.get("axis")
    return 1 if isinstance(axis, Const) and axis.value in (1, "columns") else 0


def names_test_file(path: str | None) -> bool:
    """Whether a file name announces held-out data (test, holdout, submission)."""
    if not path:
        return False
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return "test" in name or "holdout" in name or "submission" in name
