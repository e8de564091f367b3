"""Expressions: names, literals, operators, comprehensions, attributes and subscripts."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from grader.evidence.dataflow.base import InterpreterBase
from grader.evidence.dataflow.catalogue import (
    DATE_LITERAL,
    FRAME_ATTRS,
    ROW_PRESERVING,
    STATS,
    STATSMODELS_FITTED,
    STATSMODELS_SCORES,
    TIME_NAME,
)
from grader.evidence.dataflow.values import (
    UNKNOWN,
    Cols,
    ColsVal,
    Const,
    Cut,
    Data,
    Est,
    Fit,
    Func,
    IndexPart,
    Loop,
    Mapping,
    Module,
    Seq,
    Tag,
    Value,
    const_key,
    holds_estimator,
    join,
    join_all,
)
from grader.evidence.ml.vocabulary import FitCategory

if TYPE_CHECKING:
    pass


class ExpressionRules(InterpreterBase):
    """How the interpreter evaluates expressions other than calls."""

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
            items[const_key(self.expr(key))] = evaluated
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
        hand_made = self._hand_made_metric(node, values)
        if hand_made is not None:
            return hand_made
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

    def _hand_made_metric(self, node: ast.Compare, values: list[Value]) -> Value | None:
        """`np.mean(pred != y_test)` (an error rate; `==` an accuracy), averaged or counted: a score of the predictions.

        The usual hand-written metric of the "pick k by the error-rate curve" idiom; read as the
        metric it is, so a choice made from it on the test rows is seen like one made from `accuracy_score`.
        """
        if id(node) not in self.reduced_compares or len(values) != 2:
            return None
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return None
        left, right = values
        if not (isinstance(left, Data) and isinstance(right, Data)):
            return None
        if bool(left.predictions) == bool(right.predictions):
            return None
        y_pred, y_true = (left, right) if left.predictions else (right, left)
        function = "error_rate" if isinstance(node.ops[0], ast.NotEq) else "accuracy (by hand)"
        return self.metric(node, function, [y_true, y_pred], {})

    def _mask_key(self, node: ast.Compare) -> str:
        columns = sorted(
            {c.value for c in ast.walk(node.left) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
            | {a.attr for a in ast.walk(node.left) if isinstance(a, ast.Attribute) and a.attr not in FRAME_ATTRS}
        )
        return ",".join(columns) or ast.dump(node.left)[:80]

    def _compares_time(self, node: ast.Compare) -> bool:
        texts = [c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        attrs = [a.attr for a in ast.walk(node) if isinstance(a, ast.Attribute)]
        names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
        if self.time_column and self.time_column in texts + attrs:
            return True
        if any(DATE_LITERAL.match(t) for t in texts):
            return True
        return any(TIME_NAME.search(t) for t in texts + attrs + names)

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
        pushed = 0
        try:
            for generator in generators:
                iterable = self.expr(generator.iter)
                element = self.element_of(iterable)
                if holds_estimator(element):
                    # `[clf.score(X_test, y_test) for clf in models]`: a loop over models, like a `for`.
                    self.loop_stack.append(self._models_loop(generator))
                    pushed += 1
                self.assign(generator.target, element, generator.iter)
                for condition in generator.ifs:
                    self.expr(condition)
            return [self.expr(element) for element in elements]
        finally:
            for _ in range(pushed):
                self.loop_stack.pop()
            for name, value in saved.items():
                if value is not UNKNOWN:
                    self.bind(name, value)

    def _models_loop(self, generator: ast.comprehension) -> Loop:
        """The loop a comprehension over estimators makes."""
        targets = tuple(n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name))
        site = self.site(generator.iter)
        loop: Loop = self.keyed("loop", generator, lambda: Loop(self.new_id(), site, targets))
        loop.over_estimators = True
        self.result.loops[loop.id] = loop
        return loop

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
            if attr in FRAME_ATTRS or attr in ROW_PRESERVING or attr in STATS:
                return replace(base, cut=None)
            if base.frame and not attr.startswith("_"):
                return self.column(base, attr, node)
            return replace(base, cut=None)
        if isinstance(base, Est):
            if attr in ("best_score_", "cv_results_"):
                self.result.cv_scores_read.add(base.id)
            if attr in ("best_estimator_", "estimator", "estimator_"):
                return base.inner or base
            if attr in ("named_steps", "steps", "named_transformers_", "transformers_"):
                return Seq(list(base.steps))
            if base.design is not None and base.fits and attr in STATSMODELS_FITTED:
                return self.statsmodels_statistic(node, base, attr)
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

    def statsmodels_statistic(self, node: ast.Attribute, est: Est, attr: str) -> Data:
        """`results.pvalues`, `results.rsquared`: learnt from the fit's rows; R² is a score of those rows."""
        last = est.fits[-1]
        value = Data(tags=last.tags, taints=frozenset({last.id}), stat=True)
        if attr not in STATSMODELS_SCORES:
            return value
        data = last.data or Data(tags=last.tags, uncertain=True)
        evaluation = self.estimator_score(node, attr, est, data, last.tags)
        return Data(tags=last.tags, scores=frozenset({evaluation.id}), stat=True)

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
        if isinstance(base, Data) and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2:
            rows_part, column_part = node.slice.elts
            if _whole_slice(rows_part) and not _whole_slice(column_part):
                # `values[:, 0:60]`, `arr[:, :-1]`, `arr[:, 60]`: numpy positions, not names; which
                # columns they are depends on the file's order, which the text does not show.
                self.expr(column_part)
                single = isinstance(column_part, (ast.Constant, ast.UnaryOp))
                return replace(
                    base,
                    cols=Cols("unknown"),
                    frame=not single,
                    cut=None,
                    scores=frozenset(),
                    cols_site=self.site(node),
                )
        key = self.expr(node.slice)
        if isinstance(base, Mapping):
            found = base.items.get(const_key(key))
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
            if isinstance(key, Data) and self.informed_by_target(key):
                return key  # `X.columns[selector.get_support()]`: names chosen from the labels
            return ColsVal(replace(base.cols, filtered=True))
        if not isinstance(base, Data):
            return UNKNOWN if not isinstance(key, Data) else key
        if isinstance(key, IndexPart):
            return self.part_of(base, key)
        if (
            isinstance(node.slice, ast.Tuple)
            and len(node.slice.elts) == 2
            and isinstance(node.slice.elts[0], ast.Slice)
        ):
            return self.array_rows(base, node.slice.elts[0], node.slice.elts[1], node)
        names = self.column_names(key)
        if isinstance(key, Const) and base.stat and not base.frame and key.value == self.result.target:
            # `df.corr()["churned"]`: every column's relation to the labels, learnt from the rows.
            return self.statistic_of_target(node, base)
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
        if isinstance(key, Data) and base.frame and self.informed_by_target(key):
            return self.chosen_columns(node, base, key)
        if isinstance(key, Data) and base.stat and not base.frame:
            # Entries of a statistic picked by a mask on statistics (`corr.index[corr["y"].abs() > 0.2]`).
            return replace(join(base, key), cut=None)
        if isinstance(key, Data) and key.cut is not None:
            # A boolean mask: rows of `base`, a possible split.
            return replace(base, cut=replace(key.cut, base_tags=base.tags, applied=True), scores=frozenset())
        if isinstance(key, Const) and isinstance(key.value, slice):
            return self.positional(base, node.slice, node)
        if isinstance(key, Data):
            return replace(join(base, key), cut=None)
        return replace(base, cut=None)

    def statistic_of_target(self, node: ast.AST, stat: Data) -> Data:
        """The target's entry of a whole-frame statistic (a correlation with the labels)."""
        fit: Fit = self.keyed(
            "target-stat",
            node,
            lambda: Fit(
                self.new_id(), self.site(node), FitCategory.target_statistic, "pandas", "corr", stat.tags, True
            ),
        )
        fit.tags, fit.loops, fit.uncertain = stat.tags, self.loops, stat.uncertain
        self.result.fits[fit.id] = fit
        return replace(stat, taints=stat.taints | {fit.id}, cut=None)

    def informed_by_target(self, key: Data) -> bool:
        """Whether column names were picked from something learnt from the labels (a target correlation,
        a model's importances, a supervised selector's support)."""
        if not key.stat:
            return False
        return any(self._supervised(self.result.fits.get(t)) for t in key.taints)

    @staticmethod
    def _supervised(fit: Fit | None) -> bool:
        if fit is None:
            return False
        return fit.category is FitCategory.target_statistic or (
            fit.supervised and fit.category in (FitCategory.model, FitCategory.search, FitCategory.selector)
        )

    def chosen_columns(self, node: ast.AST, base: Data, key: Data) -> Data:
        """`X[top]` with `top` picked from the labels: a supervised feature selection, learnt on its rows."""
        sources = [f for t in sorted(key.taints) if self._supervised(f := self.result.fits.get(t)) and f]
        first = sources[0]
        how = (
            "correlation with the target"
            if first.category is FitCategory.target_statistic
            else f"{first.cls} importances"
            if first.category is not FitCategory.selector
            else f"{first.cls} support"
        )
        rows: frozenset[Tag] = frozenset().union(*(f.tags for f in sources))
        fit: Fit = self.keyed(
            "choose",
            node,
            lambda: Fit(self.new_id(), first.site, FitCategory.selector, how, "choose", rows, supervised=True),
        )
        fit.tags, fit.loops, fit.uncertain = rows, self.loops, key.uncertain
        self.result.fits[fit.id] = fit
        return replace(
            base,
            cols=Cols("unknown"),
            frame=True,
            cut=None,
            taints=base.taints | {fit.id},
            scores=frozenset(),
            cols_site=self.site(node),
        )

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
            if isinstance(key, Data) and self.informed_by_target(key):
                return self.chosen_columns(node, result, key)
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
            elif not _whole_slice(column_part):
                # `.iloc[:, :-1]`, `.loc[:, mask]`: which columns remain depends on their order or values,
                # which the text does not show (the runtime trace does).
                result = replace(result, cols=Cols("unknown"), frame=True, cols_site=self.site(node))
        return result

    def array_rows(self, base: Data, rows: ast.Slice, columns: ast.expr, node: ast.Subscript) -> Data:
        """`features[:22762, :]`: a numpy array's first rows (a positional cut, like `.iloc[:22762]`), and
        all its columns or some chosen by position."""
        result = self.positional(base, rows, node)
        if not _whole_slice(columns):
            result = replace(result, cols=Cols("unknown"), cols_site=self.site(node))
        return result

    def positional(self, base: Data, selector: ast.expr, node: ast.AST) -> Data:
        if not isinstance(selector, ast.Slice) or (selector.lower is None and selector.upper is None):
            return replace(base, cut=None)
        edge = selector.lower if selector.lower is not None else selector.upper
        assert edge is not None
        bound = ast.unparse(edge)
        time_based = base.sorted_by is not None and (
            TIME_NAME.search(base.sorted_by) is not None or base.sorted_by == self.time_column
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
        split = self.result.splits.get(part.split)
        if split is not None and not split.input_tags and base.tags:
            # Folds made from a row count (old `KFold(n)`): they divide whatever they index.
            split.input_tags = base.tags
        return replace(base, tags=frozenset({("part", part.split, part.side)}), cut=None)


def _whole_slice(node: ast.expr) -> bool:
    """`:` or `::` (every column)."""
    return isinstance(node, ast.Slice) and node.lower is None and node.upper is None and node.step is None
