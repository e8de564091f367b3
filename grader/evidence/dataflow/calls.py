"""Calls: user functions (inlined), library functions, estimators, splits, CV helpers and metrics."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from grader.evidence.dataflow.base import InterpreterBase
from grader.evidence.dataflow.catalogue import SOURCE_FUNCTIONS, STATSMODELS_MODELS, Role, file_name
from grader.evidence.dataflow.values import (
    UNKNOWN,
    ClassDef,
    Cols,
    ColsVal,
    Const,
    CVRun,
    Data,
    Est,
    Eval,
    Fit,
    Folds,
    Frame,
    Func,
    Mapping,
    Module,
    Selection,
    Seq,
    Source,
    Split,
    Tag,
    Value,
    axis_of,
    const_key,
    data_in,
    join_all,
    names_test_file,
    scores_of,
)
from grader.evidence.ml.vocabulary import (
    CATALOGUE,
    CV_CALLS,
    GROUP_SPLITTERS,
    KERAS_FIT_KEYWORDS,
    KERAS_MODEL,
    METRIC_NAME,
    ML_PACKAGES,
    MODEL_NAME,
    RANDOM_SPLITTERS,
    EstKind,
    FitCategory,
)

if TYPE_CHECKING:
    pass


class CallRules(InterpreterBase):
    """How the interpreter follows calls."""

    def expr_Call(self, node: ast.Call) -> Value:
        func = node.func
        reduced = _reduced_comparison(node)
        if reduced is not None:
            self.reduced_compares.add(id(reduced))
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
        if package == "statsmodels" and name in STATSMODELS_MODELS:
            return self.statsmodels_model(node, name, qual, args, kwargs)
        if (
            name in CATALOGUE
            or (package in ML_PACKAGES and name[:1].isupper())
            or (MODEL_NAME.search(name or "-") and (package in ML_PACKAGES or qual is None))
        ):
            return self.construct(node, name, qual, args, kwargs)
        if name == "train_test_split":
            return self.train_test_split(node, qual or name, args, kwargs)
        if name in CV_CALLS:
            return self.cv_helper(node, name, args, kwargs)
        if name in SOURCE_FUNCTIONS and package in ("pandas", "numpy", "sklearn", "polars", ""):
            return self.source(node, args, kwargs)
        if (package == "sklearn" or qual is None) and METRIC_NAME.search(name or "-") and len(args) + len(kwargs) >= 2:
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
                        if name == "concat" and axis_of(kwargs) == 0
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
            scores = scores_of(args + list(kwargs.values()))
            key = kwargs.get("key")
            if isinstance(key, Func) and args:
                # `max(results.keys(), key=lambda k: results[k]["test_f1"])`: the key reads the scores.
                for element in self._some_elements(args[0]):
                    scores |= scores_of([self.inline(node, key, [element], {})])
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
            "mode",
            "floor",
            "ceil",
            "trunc",
        ):
            return self.data_function(node, name, args, kwargs)
        return self.unknown_call(node, args, kwargs)

    def data_function(self, node: ast.Call, name: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
        sources = (
            [v for k, v in kwargs.items() if k not in ("index", "columns")]
            if name == "DataFrame"
            else list(kwargs.values())
        )
        flattened = list(data_in(args + sources))
        value = join_all(flattened)
        if not isinstance(value, Data):
            return UNKNOWN if not args else (args[0] if isinstance(args[0], Const) else UNKNOWN)
        if (
            name in ("mean", "median", "mode", "percentile", "quantile", "nanmean", "nanmedian", "std", "var", "sum")
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
        kind, category = CATALOGUE.get(
            name,
            (
                EstKind.model if MODEL_NAME.search(name) else EstKind.unknown,
                FitCategory.model if MODEL_NAME.search(name) else FitCategory.unknown,
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
            est.random = name in RANDOM_SPLITTERS or (isinstance(shuffle, Const) and bool(shuffle.value))
            est.group_aware = name in GROUP_SPLITTERS
            est.time_based = name == "TimeSeriesSplit"
        elif kind is EstKind.model:
            stopping = kwargs.get("early_stopping_rounds") or kwargs.get("n_iter_no_change")
            est.early_stopping = stopping is not None and not (isinstance(stopping, Const) and stopping.value is None)
        self._remember_est(est, node)
        self._prefit(node, est, args, kwargs)
        return est

    def statsmodels_model(
        self, node: ast.Call, name: str, qual: str | None, args: list[Value], kwargs: dict[str, Value]
    ) -> Est:
        """`sm.OLS(y, X)` / `smf.ols("y ~ x", data=df)`: a linear model that carries the rows it will fit on.

        Its `.fit()` takes no data, so the rows are taken where the model is built: `endog` (y) and
        `exog` (X) for the array API, the `data` frame (features and target alike) for formulas.
        """
        est: Est = self.keyed(
            "est", node, lambda: Est(self.new_id(), name, EstKind.model, FitCategory.model, self.site(node), qual)
        )
        est.kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        est.loops = self.loops
        if name[:1].islower():  # the formula API: `ols(formula, data)`
            data = kwargs.get("data", args[1] if len(args) > 1 else None)
            if isinstance(data, Data):
                # The formula picks the columns: the features are not the whole frame (its target among them).
                est.design = (replace(data, cols=Cols("unknown"), derived=(), deps=frozenset()), data)
        else:
            endog = kwargs.get("endog", args[0] if args else None)
            exog = kwargs.get("exog", args[1] if len(args) > 1 else None)
            if isinstance(exog, Data):
                est.design = (exog, endog if isinstance(endog, Data) else None)
        self._remember_est(est, node)
        return est

    def _prefit(self, node: ast.Call, est: Est, args: list[Value], kwargs: dict[str, Value]) -> None:
        """`SelectFromModel(clf, prefit=True)`: fitted already, on the rows (and labels) `clf` was fitted on."""
        prefit = kwargs.get("prefit")
        inner = args[0] if args else kwargs.get("estimator")
        if not (isinstance(prefit, Const) and prefit.value is True and isinstance(inner, Est) and inner.fits):
            return
        last = inner.fits[-1]
        fit: Fit = self.keyed(
            "prefit",
            node,
            lambda: Fit(self.new_id(), self.site(node), est.category, est.cls, "fit", last.tags, supervised=True),
        )
        fit.tags, fit.supervised, fit.est, fit.data = last.tags, last.supervised, est, last.data
        fit.uncertain, fit.loops = last.uncertain, self.loops
        self.result.fits[fit.id] = fit
        if fit not in est.fits:
            est.fits.append(fit)

    def _remember_est(self, est: Est, node: ast.Call) -> None:
        if est not in self.result.estimators:
            self.result.estimators.append(est)
        if self.loop_stack and est.kind in (EstKind.model, EstKind.pipeline, EstKind.search, EstKind.unknown):
            self.mark_sweep(node, est)

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
        src = self.keyed("source", node, lambda: Source(self.new_id(), self.site(node), path, names_test_file(path)))
        if src not in self.result.sources:
            self.result.sources.append(src)
        # A file the submission wrote earlier has the columns of the frame written; any other, the source's.
        cols = self.result.written.get(file_name(path), Cols("all")) if path else Cols("all")
        return Data(tags=frozenset({("root", src.id)}), cols=cols, frame=True)

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

    def metric(self, node: ast.AST, function: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
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
        evaluation.truth_predictions = y_true.predictions if isinstance(y_true, Data) else frozenset()
        evaluation.pred_predictions = y_pred.predictions if isinstance(y_pred, Data) else frozenset()
        self.result.evals[evaluation.id] = evaluation
        return Data(tags=tags, scores=frozenset({evaluation.id}), stat=True)

    def _some_elements(self, value: Value, limit: int = 8) -> list[Value]:
        """A few elements of an iterable, each on its own (the keys of a dict), else its joined element."""
        if isinstance(value, Mapping) and value.items:
            return [Const(k) for k in list(value.items)[:limit]]
        if isinstance(value, Seq) and value.items:
            return value.items[:limit]
        return [self.element_of(value)]

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

    def validation_split(self, node: ast.Call, x: Data) -> Data:
        """Keras' `fit(X, y, validation_split=0.2)`: the last rows of `X` become validation rows."""
        tags = x.tags
        split = self.keyed(
            "split",
            node,
            lambda: Split(self.new_id(), self.site(node), "validation_split", tags, False, function="validation_split"),
        )
        split.input_tags = tags
        split.roles["test"] = Role.validation
        split.recombines_files = self._recombines(tags)
        self.result.splits[split.id] = split
        return replace(x, tags=frozenset({("part", split.id, "train")}), cut=None)

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
        keras_fit = method == "fit" and bool(KERAS_FIT_KEYWORDS & set(kwargs)) and bool(args)
        if keras_fit and isinstance(args[0], Data) and not isinstance(receiver, Est):
            # A Keras model the catalogue does not resolve: still a model fitted on these rows, and the
            # name it is held by refers to it from now on (`model.evaluate(X_test, y_test)` scores it).
            receiver = self.keyed(
                "keras",
                node,
                lambda: Est(self.new_id(), KERAS_MODEL, EstKind.model, FitCategory.model, self.site(node)),
            )
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                self.bind(node.func.value.id, receiver)
        if method == "fit" and "validation_split" in kwargs and args and isinstance(args[0], Data):
            args = [self.validation_split(node, args[0]), *args[1:]]
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
                scores = scores_of([receiver])
                if scores and method == "index":
                    self.select(node, scores, "index")
                return Const(0)
            if method in ("sort",):
                scores = scores_of([receiver])
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
                key = const_key(args[0]) if args else None
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


_REDUCTIONS = frozenset({"mean", "average", "sum", "count_nonzero", "nanmean"})


def _reduced_comparison(node: ast.Call) -> ast.Compare | None:
    """The comparison a call averages or counts: `np.mean(a != b)`, `sum(a == b)`, `(a != b).mean()`."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in _REDUCTIONS:
        return None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Compare) and not node.args:
        return func.value
    if node.args and isinstance(node.args[0], ast.Compare):
        return node.args[0]
    return None
