"""The abstract interpreter: statements in cell order, assignments, the submission's own modules."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from grader import pyast
from grader.evidence.code import CodeIndex
from grader.evidence.dataflow.calls import CallRules
from grader.evidence.dataflow.catalogue import FITTING_STATS, Role, role_of_name
from grader.evidence.dataflow.expressions import ExpressionRules
from grader.evidence.dataflow.methods import MethodRules
from grader.evidence.dataflow.values import (
    UNKNOWN,
    ClassDef,
    Cols,
    Const,
    Data,
    DataflowResult,
    Est,
    Func,
    Loop,
    Mapping,
    Module,
    OutOfBudget,
    Seq,
    Site,
    Split,
    Tag,
    Value,
    const_key,
    holds_estimator,
    join,
    join_all,
)
from grader.evidence.ml.vocabulary import EstKind


class Interpreter(ExpressionRules, CallRules, MethodRules):
    """Walks the notebook's statements in order and records events."""

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
        except OutOfBudget:
            self.result.truncated = True
        self.result.env = dict(self.globals)
        return self.result

    def _statement_guarded(self, node: ast.stmt) -> None:
        self.steps += 1
        if self.steps > self.MAX_STEPS:
            raise OutOfBudget
        try:
            self.statement(node)
        except (RecursionError, OutOfBudget) as exc:
            if isinstance(exc, OutOfBudget):
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
            tree = pyast.parse(self.module_sources[name])
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
                        and sub.func.attr in FITTING_STATS | {"fit", "fit_transform", "groupby", "value_counts"}
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
        if isinstance(iterable, Est) and iterable.kind is EstKind.splitter and isinstance(node.iter, ast.Call):
            # scikit-learn < 0.18 (`sklearn.cross_validation`): `for tr, te in KFold(n, n_folds=5)`.
            iterable = self.splitter_split(node.iter, iterable, None, {})
        targets = tuple(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        loop = self.keyed("loop", node, lambda: Loop(self.new_id(), self.site(node), targets))
        self.result.loops[loop.id] = loop
        element = self.element_of(iterable)
        if holds_estimator(element):
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
            elif target.attr == "columns" and isinstance(base, Data) and isinstance(target.value, ast.Name):
                # `df.columns = ["sex", "length", ..., "rings"]`: the frame's columns are now exactly these names.
                names = self.column_names(value)
                cols = Cols("known", frozenset(names)) if names and isinstance(value, Seq) else Cols("unknown")
                self.bind(target.value.id, replace(base, cols=cols))
            elif isinstance(base, Data) and base.frame and _column_attribute(target):
                # `df.Cement = df.Cement.fillna(mdn)`: a column written through attribute access.
                column = ast.copy_location(
                    ast.Subscript(value=target.value, slice=ast.Constant(target.attr), ctx=ast.Store()), target
                )
                self.assign_subscript(column, value, augment=augment)
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
            base.items[const_key(key)] = join(base.items.get(const_key(key)), value) if augment else value
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


#: Frame attributes that are not columns: writing them does not write a column.
_NOT_COLUMNS = frozenset(
    {"columns", "index", "name", "loc", "iloc", "at", "iat", "values", "dtypes", "shape", "T", "attrs", "flags"}
)


def _column_attribute(target: ast.Attribute) -> bool:
    """`df.Cement = ...`: an attribute of a named frame that pandas would treat as an existing column."""
    return isinstance(target.value, ast.Name) and not target.attr.startswith("_") and target.attr not in _NOT_COLUMNS
