"""Methods of estimators (fit, transform, resample, split) and of data (pandas), and value helpers."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from grader.evidence.dataflow.base import InterpreterBase
from grader.evidence.dataflow.catalogue import (
    FITTING_STATS,
    FRAME_ATTRS,
    FRAME_WRITERS,
    SELECT_FUNCTIONS,
    STATS,
    Role,
    file_name,
)
from grader.evidence.dataflow.values import (
    MERGED_COLUMNS,
    UNKNOWN,
    Cols,
    ColsVal,
    Const,
    Cut,
    CVRun,
    Data,
    Est,
    Eval,
    Fit,
    Func,
    IndexPart,
    Mapping,
    Predict,
    Resample,
    Seq,
    Site,
    Split,
    Tag,
    Value,
    all_constant,
    func_node,
    join,
    join_all,
)
from grader.evidence.ml.vocabulary import GROUP_SPLITTERS, KERAS_MODEL, EstKind, FitCategory

if TYPE_CHECKING:
    pass

#: A fit call whose callbacks name early stopping (`callbacks=[early_stop]`, `[EarlyStopping(...)]`, `[earlystopping]`).
_EARLY_STOPPING = re.compile(r"early_?stop", re.IGNORECASE)


class MethodRules(InterpreterBase):
    """How the interpreter follows estimator and data methods."""

    def estimator_method(
        self, node: ast.Call, est: Est, method: str, args: list[Value], kwargs: dict[str, Value]
    ) -> Value:
        x = args[0] if args else kwargs.get("X", kwargs.get("x"))
        y = args[1] if len(args) > 1 else kwargs.get("y")
        xd = x if isinstance(x, Data) else None
        yd = y if isinstance(y, Data) else None
        if method == "fit_sample":
            method = "fit_resample"  # imbalanced-learn before 0.8 (Kaggle notebooks of its time)
        if method == "set_params":
            self.mark_sweep(node, est)
            return est
        if method == "split" and est.kind is EstKind.splitter:
            return self.splitter_split(node, est, xd, kwargs)
        if est.design is not None and method in ("fit", "fit_regularized") and not args:
            xd, yd = est.design  # statsmodels: the rows were given where the model was built
            method = "fit"
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
            if xd is None and est.design is not None and est.fits and est.fits[-1].data is not None:
                xd = est.fits[-1].data  # statsmodels' `results.predict()`: the rows it was fitted on
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
        if method == "score" or (method == "evaluate" and est.cls == KERAS_MODEL):
            data = xd or Data(uncertain=True)
            evaluation = self.estimator_score(node, "score", est, data, data.tags)
            evaluation.truth_predictions = yd.predictions if yd is not None else frozenset()
            return Data(tags=data.tags, scores=frozenset({evaluation.id}), stat=True)
        if method in ("get_support", "get_feature_names_out") and est.category is FitCategory.selector and est.fits:
            # The columns a fitted selector kept: chosen from the rows (and labels) it was fitted on.
            last = est.fits[-1]
            return Data(tags=last.tags, taints=frozenset({last.id}), stat=True)
        if method in ("get_feature_names_out", "get_params", "get_support"):
            return UNKNOWN
        return est

    def estimator_score(self, node: ast.AST, function: str, est: Est, data: Data, tags: frozenset[Tag]) -> Eval:
        """A score the estimator computes itself (`.score(X, y)`, statsmodels' `rsquared`), of `tags`' rows."""
        evaluation: Eval = self.keyed(
            "eval",
            node,
            lambda: Eval(self.new_id(), self.site(node), function, est, est.version, tags, self.loops, data),
        )
        evaluation.version, evaluation.tags, evaluation.loops, evaluation.data = est.version, tags, self.loops, data
        self.result.evals[evaluation.id] = evaluation
        return evaluation

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
        validation = kwargs.get("validation_data")
        if isinstance(validation, Seq) and validation.items and isinstance(validation.items[0], Data):
            fit.eval_set, fit.validation_data = validation.items[0], True
        callbacks = kwargs.get("callbacks")
        stopping = kwargs.get("early_stopping_rounds")
        fit.early_stopping = (
            est.early_stopping
            or (stopping is not None and not (isinstance(stopping, Const) and stopping.value is None))
            or (
                isinstance(callbacks, Seq)
                and any(isinstance(c, Data) or c is UNKNOWN for c in callbacks.items)
                and _EARLY_STOPPING.search(ast.unparse(node)) is not None
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

    def utils_resample(self, node: ast.Call, args: list[Value], upsample: bool, name: str = "resample") -> Value:
        """`sklearn.utils.resample(minority, replace=True, n_samples=...)`: bootstrap copies of rows."""
        first = args[0]
        assert isinstance(first, Data)
        event = self.keyed(
            "resample", node, lambda: Resample(self.new_id(), self.site(node), name, first.tags, upsample)
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
        split.group_aware = est.group_aware or (groups is not None and est.cls in GROUP_SPLITTERS)
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
        if method == "corr" and not data.stat and not args:
            # The correlation matrix is learnt from the rows; its target column informs feature choices.
            return self.statistic(node, data, method)
        if method in STATS and method in FITTING_STATS and not data.stat:
            result = self.statistic(node, data, method)
            if method in ("idxmax", "idxmin", "nlargest", "nsmallest") or data.scores:
                self._maybe_select(node, data, method)
            return result
        if method in SELECT_FUNCTIONS and data.scores:
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
            bootstrap = kwargs.get("replace")
            if isinstance(bootstrap, Const) and bootstrap.value is True:
                # `minority.sample(n, replace=True)`: bootstrap copies of rows, i.e. oversampling.
                return self.utils_resample(node, [data], True, "sample(replace=True)")
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
                value = replace(value, cols=_renamed(data.cols, kwargs.get("columns")))
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
        if method in FRAME_WRITERS and data.frame:
            # A notebook that writes a cleaned frame for the next one to read: the reader gets these columns.
            written_to = args[0] if args else kwargs.get("path_or_buf", kwargs.get("path", UNKNOWN))
            if isinstance(written_to, Const) and isinstance(written_to.value, str) and written_to.value:
                self.result.written[file_name(written_to.value)] = data.cols
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
                and sub.attr not in FRAME_ATTRS
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
        if isinstance(columns_arg, Data) and self.informed_by_target(columns_arg):
            return self._inplace(node, self.chosen_columns(node, data, columns_arg), inplace)
        cols = data.cols.without(names)
        if columns_arg is not None and not all_constant(columns_arg):
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
            left,
            taints=left.taints | right.taints,
            cols=cols,
            cut=None,
            uncertain=left.uncertain or right.uncertain,
            derived=_merged_lineage(left, right),
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


def _renamed(cols: Cols, mapping: Value | None) -> Cols:
    """Columns after `rename(columns=...)`: a literal mapping moves names; anything else leaves membership a maybe."""
    if isinstance(mapping, Mapping) and mapping.items:
        new = {
            k: v.value
            for k, v in mapping.items.items()
            if isinstance(k, str) and isinstance(v, Const) and isinstance(v.value, str)
        }
        if len(new) == len(mapping.items):
            return cols.without(new).plus(new.values())
    if mapping is None:
        return cols  # index labels renamed, not columns
    return Cols("unknown") if cols.mode == "known" else replace(cols, filtered=True)


def _merged_lineage(left: Data, right: Data) -> tuple[tuple[str, frozenset[str]], ...]:
    """Lineage after a merge: the right frame's new columns depend on what the right frame was computed from."""
    derived = {**right.derived_map(), **left.derived_map()}
    sources = frozenset(d for d in right.deps if not d.startswith("__target__"))
    if right.target:
        sources |= {f"__target__:{d}" for d in right.deps}
    if right.cols.mode == "known" and not right.stat:
        for name in right.cols.names:
            if name not in derived and left.cols.contains(name) is not True:
                deps = right.column_deps(name) | sources
                if deps - {name}:
                    derived[name] = deps
    elif sources:
        derived[MERGED_COLUMNS] = sources
    return tuple(sorted(derived.items()))
