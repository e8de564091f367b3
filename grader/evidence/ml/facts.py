"""Where the ML vocabulary is used in a notebook's code: `MLFacts`.

Which variable or container holds an estimator, which pipeline or search wraps it,
which data each `fit` and each metric sees, which calls draw random numbers.
Everything is a single pass over the calls the code index already collected, so the
checks stay linear-time. Names are resolved through the notebook's imports
(`from sklearn.ensemble import RandomForestClassifier as RF` is a random forest); a
bare name that no import explains is taken at face value (star imports), a method on
an unknown object is not."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from grader.evidence.code import CallSite, CodeIndex
from grader.evidence.ml.vocabulary import (
    BUILTIN_CV_ESTIMATORS,
    CV_FUNCTIONS,
    ESTIMATORS,
    LIBRARY_CV,
    METRIC_FUNCTIONS,
    ML_MODULES,
    MODEL_BUILDERS,
    NOISY_FAMILIES,
    NUMPY_DRAWS,
    RANDOM_RESAMPLERS,
    RANDOM_SEARCH_CV,
    SEARCH_CV,
    SELECTORS,
    SPLIT_FUNCTIONS,
    SPLITTERS,
    VOCABULARY,
    EstimatorKind,
    Family,
    Measure,
    SplitterKind,
    is_heldout_name,
    is_train_name,
    measures_from_scoring,
)


def canonical(site: CallSite) -> str:
    """The vocabulary name of what a call builds or calls, or "" for a method on an unknown object.

    `RF()` with `RF` imported from sklearn gives `RandomForestClassifier`;
    `ConfusionMatrixDisplay.from_predictions(...)` gives `ConfusionMatrixDisplay`.
    """
    if site.qualname:
        parts = site.qualname.split(".")
        if parts[0] not in ML_MODULES:
            return ""
        if parts[-1] in ("from_estimator", "from_predictions") and len(parts) > 1:
            return parts[-2]
        return parts[-1]
    if site.receiver is None:
        return site.name
    if site.name in ("from_estimator", "from_predictions") and site.receiver.isidentifier():
        return site.receiver
    return ""


def kw(call: ast.Call, *names: str) -> ast.expr | None:
    """The value of the first of these keywords given to a call."""
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    """Whether the call passes `**kwargs` (its keywords are then unknown)."""
    return any(k.arg is None for k in call.keywords)


def is_none(node: ast.expr | None) -> bool:
    """Whether the expression is the constant None."""
    return isinstance(node, ast.Constant) and node.value is None


def is_false(node: ast.expr | None) -> bool:
    """Whether the expression is the constant False."""
    return isinstance(node, ast.Constant) and node.value is False


def is_true(node: ast.expr | None) -> bool:
    """Whether the expression is the constant True."""
    return isinstance(node, ast.Constant) and node.value is True


def names_in(node: ast.AST | None) -> set[str]:
    """Every plain name read inside an expression."""
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _call_args(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords)]


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Use:
    """One place where a vocabulary class or function is called."""

    site: CallSite
    #: Canonical name (`RandomForestClassifier`, `train_test_split`).
    name: str
    #: The variable (or container: dict, list, loop variable, function) that holds the result.
    bound_to: str | None
    #: Canonical names of the vocabulary calls wrapping this one, innermost first.
    enclosing: tuple[str, ...]
    #: The function definition this call sits in, if any.
    function: str | None

    @property
    def cell(self) -> int:
        return self.site.cell

    @property
    def line(self) -> int:
        return self.site.line

    @property
    def call(self) -> ast.Call:
        return self.site.node

    def inside(self, names: frozenset[str] | set[str]) -> bool:
        return any(n in names for n in self.enclosing)


@dataclass(frozen=True)
class Binding:
    """`name = value` (or a `for` loop binding `name` to the elements of `value`)."""

    name: str
    cell: int
    line: int
    value: ast.expr
    #: The binding comes from a loop over a container or a tuple unpacking.
    element: bool = False


@dataclass(frozen=True)
class MetricUse:
    """One evaluation: a metric call, a `scoring=` argument, an estimator's `.score`, a helper call."""

    site: CallSite
    measures: frozenset[Measure]
    #: "function", "scoring", "score", "helper".
    how: str
    #: Names of the data the evaluation reads (for held-out vs training decisions).
    data: frozenset[str]
    function: str | None = None


@dataclass(frozen=True)
class Fit:
    """A `.fit(...)` / `.fit_transform(...)` / `.fit_resample(...)` call."""

    site: CallSite
    receiver: str
    #: Names in the first two positional arguments (X, y).
    data: frozenset[str]


class Role(StrEnum):
    heldout = "heldout"
    train = "train"
    #: Data that a split was taken from: it contains the held-out rows.
    full = "full"


class MLFacts:
    """Where the ML vocabulary is used in one `CodeIndex` (built once per submission by the evidence stage)."""

    def __init__(self, code: CodeIndex) -> None:
        self.code = code
        self.parents: dict[int, ast.AST] = {}
        self.functions: dict[str, tuple[int, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.bindings: dict[str, list[Binding]] = {}
        self.loads: dict[str, list[tuple[int, int]]] = {}
        self.for_loops: list[tuple[int, ast.For]] = []
        self.subscript_assigns: list[tuple[int, ast.Assign | ast.AugAssign]] = []
        self.class_bases: list[tuple[int, ast.ClassDef, set[str]]] = []
        self._by_type: dict[type[ast.AST], list[tuple[int, ast.AST]]] = {}
        for cell in code.parsed():
            assert cell.tree is not None
            stack: list[ast.AST] = [cell.tree]
            while stack:
                node = stack.pop()
                for child in ast.iter_child_nodes(node):
                    self.parents[id(child)] = node
                    stack.append(child)
                self._by_type.setdefault(type(node), []).append((cell.index, node))
                self._note(cell.index, node)
        for bindings in self.bindings.values():
            bindings.sort(key=lambda b: (b.cell, b.line))
        self.for_loops.sort(key=lambda item: (item[0], item[1].lineno))
        self._site_of = {id(s.node): s for s in code.calls}

    def _note(self, cell: int, node: ast.AST) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self.loads.setdefault(node.id, []).append((cell, node.lineno))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions.setdefault(node.name, (cell, node))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind(cell, target, node.value, node.lineno)
                if isinstance(target, ast.Subscript):
                    self.subscript_assigns.append((cell, node))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._bind(cell, node.target, node.value, node.lineno)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript):
            self.subscript_assigns.append((cell, node))
        elif isinstance(node, ast.For):
            self.for_loops.append((cell, node))
            self._bind(cell, node.target, node.iter, node.lineno, element=True)
        elif isinstance(node, ast.ClassDef):
            self.class_bases.append(
                (cell, node, {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases})
            )

    def _bind(self, cell: int, target: ast.expr, value: ast.expr, line: int, element: bool = False) -> None:
        if isinstance(target, ast.Name):
            self.bindings.setdefault(target.id, []).append(Binding(target.id, cell, line, value, element))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for item in target.elts:
                if isinstance(item, ast.Starred):
                    item = item.value
                self._bind(cell, item, value, line, element=True)

    # ------------------------------------------------------------------ structure

    def nodes(self, *types: type[ast.AST]) -> list[tuple[int, ast.AST]]:
        """(cell, node) of every node of these types, in notebook order; no second walk of the trees."""
        found = [item for kind in types for item in self._by_type.get(kind, [])]
        found.sort(key=lambda item: (item[0], getattr(item[1], "lineno", 0), getattr(item[1], "col_offset", 0)))
        return found

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def site(self, node: ast.AST) -> CallSite | None:
        return self._site_of.get(id(node))

    def statement(self, node: ast.AST) -> ast.stmt | None:
        current: ast.AST | None = node
        while current is not None and not isinstance(current, ast.stmt):
            current = self.parent(current)
        return current

    def enclosing_function(self, node: ast.AST) -> str | None:
        current = self.parent(node)
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return getattr(current, "name", "<lambda>")
            current = self.parent(current)
        return None

    def enclosing_loops(self, node: ast.AST) -> list[ast.For]:
        loops = []
        current = self.parent(node)
        while current is not None:
            if isinstance(current, ast.For):
                loops.append(current)
            current = self.parent(current)
        return loops

    def _bound_to(self, node: ast.AST) -> str | None:
        stmt = self.statement(node)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                base = target
                while isinstance(base, (ast.Subscript, ast.Attribute)):
                    base = base.value
                if isinstance(base, ast.Name):
                    return base.id
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("append", "extend", "update", "insert")
                and isinstance(func.value, ast.Name)
            ):
                return func.value.id
        if isinstance(stmt, ast.For) and isinstance(stmt.target, ast.Name) and self._within(node, stmt.iter):
            return stmt.target.id
        if isinstance(stmt, ast.Return):
            return self.enclosing_function(node)
        return None

    def _within(self, node: ast.AST, ancestor: ast.AST) -> bool:
        current: ast.AST | None = node
        while current is not None:
            if current is ancestor:
                return True
            current = self.parent(current)
        return False

    # ------------------------------------------------------------------ vocabulary uses

    @cached_property
    def uses(self) -> list[Use]:
        """Every call whose canonical name is in the vocabulary, in notebook order."""
        known = VOCABULARY
        found = []
        for site in self.code.calls:
            name = canonical(site)
            if name not in known or (site.qualname is None and name in self.functions):
                continue
            enclosing = []
            current = self.parent(site.node)
            while current is not None and not isinstance(current, ast.stmt):
                if isinstance(current, ast.Call):
                    outer = self.site(current)
                    outer_name = canonical(outer) if outer is not None else ""
                    if outer_name:
                        enclosing.append(outer_name)
                    elif outer is not None and outer.receiver is None and outer.name in self.functions:
                        enclosing.append("call:" + outer.name)
                current = self.parent(current)
            found.append(
                Use(site, name, self._bound_to(site.node), tuple(enclosing), self.enclosing_function(site.node))
            )
        return found

    def named(self, names: Iterable[str] | frozenset[str]) -> list[Use]:
        wanted = set(names)
        return [u for u in self.uses if u.name in wanted]

    @cached_property
    def estimators(self) -> list[tuple[Use, EstimatorKind]]:
        """Estimators built as models (not as a tool inside a feature selector or imputer)."""
        out = []
        for use in self.uses:
            kind = ESTIMATORS.get(use.name)
            if kind is None or (use.enclosing and use.enclosing[0] in SELECTORS):
                continue
            out.append((use, kind))
        return out

    def families(self, *, include_dummy: bool = False) -> dict[Family, list[Use]]:
        found: dict[Family, list[Use]] = {}
        for use, kind in self.estimators:
            if kind.family is Family.dummy and not include_dummy:
                continue
            found.setdefault(kind.family, []).append(use)
        return found

    @cached_property
    def fits(self) -> list[Fit]:
        out = []
        for site in self.code.calls:
            if site.name in ("fit", "fit_transform", "fit_resample", "fit_predict") and site.receiver:
                data: set[str] = set()
                for arg in site.node.args[:2]:
                    data |= names_in(arg)
                out.append(Fit(site, site.receiver, frozenset(data)))
        return out

    def fitted_names(self) -> set[str]:
        """Names of the data passed to any `fit` (X and y)."""
        names: set[str] = set()
        for fit in self.fits:
            names |= fit.data
        return names

    def is_used(self, use: Use) -> bool:
        """The built object is passed on, fitted or referenced again (not built and forgotten)."""
        if use.enclosing or use.bound_to is None or isinstance(self.parent(use.call), ast.Attribute):
            return True  # wrapped, passed on, or used in place (`sm.Logit(y, X).fit()`)
        return any(place > (use.cell, use.line) for place in self.loads.get(use.bound_to, []))

    # ------------------------------------------------------------------ name resolution

    def constructs_reachable(self, node: ast.AST, depth: int = 4) -> set[str]:
        """Canonical names of vocabulary calls inside `node`, following names and local functions."""
        seen: set[int] = set()
        found: set[str] = set()
        self._reach(node, depth, seen, found)
        return found

    def _reach(self, node: ast.AST, depth: int, seen: set[int], found: set[str]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                site = self.site(sub)
                if site is None:
                    continue
                name = canonical(site)
                if name in VOCABULARY:
                    found.add(name)
                elif depth > 0 and site.receiver is None and site.name in self.functions:
                    self._reach(self.functions[site.name][1], depth - 1, seen, found)
            elif depth > 0 and isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                for binding in self.bindings.get(sub.id, [])[-3:]:
                    self._reach(binding.value, depth - 1, seen, found)

    def value_of(self, name: str, before: tuple[int, int] | None = None) -> ast.expr | None:
        """The latest value bound to `name` (before a position, when given)."""
        best = None
        for binding in self.bindings.get(name, []):  # sorted by position
            if before is None or (binding.cell, binding.line) <= before:
                best = binding.value
        return best

    # ------------------------------------------------------------------ data roles

    @cached_property
    def split_uses(self) -> list[Use]:
        return self.named(SPLIT_FUNCTIONS)

    @cached_property
    def roles(self) -> dict[str, Role]:
        """Held-out, training or full-data role of each variable, from splits, names and data flow."""
        roles: dict[str, Role] = {}
        for use in self.split_uses:
            stmt = self.statement(use.call)
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], (ast.Tuple, ast.List)):
                for position, target in enumerate(stmt.targets[0].elts):
                    if isinstance(target, ast.Name):
                        roles[target.id] = Role.heldout if position % 2 else Role.train
            for arg in use.call.args:
                for name in names_in(arg):
                    roles.setdefault(name, Role.full)
        for use in self.named({"cross_val_predict"}):
            if use.bound_to:
                roles[use.bound_to] = Role.heldout
        # What a model is fitted on is training data, whatever it is called (`X_dev` of a dev period).
        for name in self.fitted_names():
            roles.setdefault(name, Role.train)
        # Propagate through assignments in notebook order: `p = model.predict(X_val)` is held-out.
        ordered = sorted((b for bs in self.bindings.values() for b in bs), key=lambda b: (b.cell, b.line))
        for binding in ordered:
            if binding.name in roles or self._is_model_object(binding.value):
                continue
            if is_heldout_name(binding.name):
                roles[binding.name] = Role.heldout
                continue
            if is_train_name(binding.name):
                roles[binding.name] = Role.train
                continue
            sources = {roles.get(n) for n in names_in(binding.value)}
            for role in (Role.heldout, Role.train, Role.full):
                if role in sources:
                    roles[binding.name] = role
                    break
        return roles

    def _is_model_object(self, value: ast.expr) -> bool:
        """`RF().fit(X_va, y_va)` or `GridSearchCV(...)`: a model, which has no data role of its own."""
        for node in ast.walk(value):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Attribute) and node.func.attr in ("fit", "fit_resample"):
                    return True
                site = self.site(node)
                if site is not None and node is value and canonical(site) in MODEL_BUILDERS:
                    return True
        return False

    def role(self, name: str) -> Role | None:
        found = self.roles.get(name)
        if found is not None:
            return found
        if is_heldout_name(name):
            return Role.heldout
        if is_train_name(name):
            return Role.train
        return None

    # ------------------------------------------------------------------ validation

    @cached_property
    def splitters(self) -> list[tuple[Use, SplitterKind]]:
        return [(u, SPLITTERS[u.name]) for u in self.uses if u.name in SPLITTERS]

    @cached_property
    def searches(self) -> list[Use]:
        return self.named(SEARCH_CV)

    @cached_property
    def cv_calls(self) -> list[Use]:
        """Cross-validation helpers (`cross_val_score`, `cross_validate`, ...)."""
        return self.named(CV_FUNCTIONS)

    @cached_property
    def manual_cv_loops(self) -> list[tuple[int, ast.For]]:
        """`for train_idx, val_idx in kf.split(X, y):` loops."""
        found = []
        for cell, loop in self.for_loops:
            it = loop.iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate" and it.args:
                it = it.args[0]
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == "split":
                found.append((cell, loop))
        return found

    @cached_property
    def library_cv(self) -> list[CallSite]:
        return [s for s in self.code.calls if s.qualname in LIBRARY_CV]

    def has_cross_validation(self) -> bool:
        return bool(
            self.cv_calls
            or self.searches
            or self.manual_cv_loops
            or self.library_cv
            or self.named(BUILTIN_CV_ESTIMATORS)
        )

    def cv_evidence(self) -> list[tuple[int, int]]:
        places = [(u.cell, u.line) for u in self.cv_calls + self.searches + self.named(BUILTIN_CV_ESTIMATORS)]
        places += [(cell, loop.lineno) for cell, loop in self.manual_cv_loops]
        places += [(s.cell, s.line) for s in self.library_cv]
        return sorted(places)

    # ------------------------------------------------------------------ metrics

    def scoring_measures(self, node: ast.expr | None, depth: int = 3) -> frozenset[Measure]:
        """Measures named by a `scoring=` value: a string, list, dict, `make_scorer(f)` or a variable."""
        if node is None or is_none(node):
            return frozenset({Measure.default})
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return measures_from_scoring(node.value)
        found: set[Measure] = set()
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for item in node.elts:
                found |= self.scoring_measures(item, depth)
        elif isinstance(node, ast.Dict):
            for value in node.values:
                found |= self.scoring_measures(value, depth)
        elif isinstance(node, ast.Call):
            site = self.site(node)
            if site is not None and canonical(site) in ("make_scorer", "get_scorer") and node.args:
                inner = node.args[0]
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    found |= measures_from_scoring(inner.value)
                else:
                    name = inner.attr if isinstance(inner, ast.Attribute) else getattr(inner, "id", "")
                    found |= METRIC_FUNCTIONS.get(name, frozenset({Measure.custom}))
            else:
                found.add(Measure.custom)
        elif isinstance(node, ast.Name) and depth > 0:
            bound = self.value_of(node.id)
            found |= self.scoring_measures(bound, depth - 1) if bound is not None else {Measure.custom}
        else:
            found.add(Measure.custom)
        return frozenset(found)

    @cached_property
    def metric_uses(self) -> list[MetricUse]:
        """Every evaluation in the code, in notebook order."""
        out: list[MetricUse] = []
        roc_curve_seen = any(u.name == "roc_curve" for u in self.uses)
        for use in self.uses:
            measures = METRIC_FUNCTIONS.get(use.name)
            if measures is not None:
                measures = self._refine(use, measures)
                out.append(MetricUse(use.site, measures, "function", self._data(use.call), use.function))
            elif use.name == "auc":
                args = names_in(use.call)
                is_roc = any("fpr" in n or "tpr" in n for n in args) or (
                    roc_curve_seen and not any("prec" in n or "rec" in n for n in args)
                )
                out.append(
                    MetricUse(
                        use.site,
                        frozenset({Measure.roc_auc if is_roc else Measure.average_precision}),
                        "function",
                        frozenset(args),
                        use.function,
                    )
                )
            elif (use.name in CV_FUNCTIONS and use.name != "cross_val_predict") or use.name in SEARCH_CV:
                out.append(
                    MetricUse(
                        use.site, self.scoring_measures(kw(use.call, "scoring")), "scoring", frozenset(), use.function
                    )
                )
        for site in self.code.calls:
            if site.name == "score" and site.receiver and len(site.node.args) >= 2:
                out.append(
                    MetricUse(
                        site,
                        self._score_measures(site),
                        "score",
                        self._data(site.node),
                        self.enclosing_function(site.node),
                    )
                )
        helpers = self.eval_helpers(out)
        for site in self.code.calls:
            if site.receiver is None and site.qualname is None and site.name in helpers:
                out.append(
                    MetricUse(
                        site, helpers[site.name], "helper", self._data(site.node), self.enclosing_function(site.node)
                    )
                )
        out.sort(key=lambda m: (m.site.cell, m.site.line, m.site.node.col_offset))
        return out

    def _refine(self, use: Use, measures: frozenset[Measure]) -> frozenset[Measure]:
        if Measure.mse in measures:
            parent = self.parent(use.call)
            squared = kw(use.call, "squared")
            sqrt_parent = isinstance(parent, ast.Call) and (
                (isinstance(parent.func, ast.Attribute) and parent.func.attr == "sqrt")
                or (isinstance(parent.func, ast.Name) and parent.func.id == "sqrt")
            )
            pow_parent = isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Pow)
            if is_false(squared) or sqrt_parent or pow_parent:
                return frozenset({Measure.rmse})
        return measures

    def _score_measures(self, site: CallSite) -> frozenset[Measure]:
        receiver = site.receiver or ""
        if receiver.isidentifier():
            value = self.value_of(receiver, (site.cell, site.line))
            if isinstance(value, ast.Call):
                inner = self.site(value)
                if inner is not None and canonical(inner) in SEARCH_CV:
                    return self.scoring_measures(kw(value, "scoring"))
        return frozenset({Measure.default})

    def _data(self, call: ast.Call) -> frozenset[str]:
        names: set[str] = set()
        for arg in _call_args(call):
            names |= names_in(arg)
        return frozenset(names)

    def eval_helpers(self, uses: list[MetricUse]) -> dict[str, frozenset[Measure]]:
        """Local functions that compute metrics (`def evaluate(model): ...`), with what they measure."""
        helpers: dict[str, set[Measure]] = {}
        for use in uses:
            if use.function and use.function in self.functions:
                helpers.setdefault(use.function, set()).update(use.measures)
        return {k: frozenset(v) for k, v in helpers.items()}

    def function_params(self, name: str | None) -> set[str]:
        if name is None or name not in self.functions:
            return set()
        args = self.functions[name][1].args
        return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}

    # ------------------------------------------------------------------ seeds

    @cached_property
    def global_seeds(self) -> list[CallSite]:
        """`np.random.seed(...)` calls, which also seed scikit-learn's `random_state=None`."""
        return [s for s in self.code.calls if s.qualname == "numpy.random.seed" and s.node.args]

    def seeded_globally_before(self, cell: int, line: int) -> bool:
        return any((s.cell, s.line) <= (cell, line) for s in self.global_seeds)

    @cached_property
    def randomness(self) -> list[RandomUse]:
        """Every random draw: splits, shuffled folds, random searches, resamplers, estimators, samples."""
        return _randomness(self)


@dataclass(frozen=True)
class RandomUse:
    """A call that draws random numbers, and whether its seed is fixed."""

    site: CallSite
    #: "split", "search", "resampler", "estimator", "sample", "numpy".
    kind: str
    what: str
    seeded: bool
    #: Its randomness moves the reported numbers noticeably (splits, ensembles).
    noisy: bool


def _randomness(facts: MLFacts) -> list[RandomUse]:
    found: list[RandomUse] = []
    reseeded = {s.receiver for s in facts.code.calls if s.name == "set_params" and kw(s.node, "random_state")}

    def seeded(use_site: CallSite, keywords: tuple[str, ...] = ("random_state",), globally: bool = True) -> bool:
        call = use_site.node
        value = kw(call, *keywords)
        if value is not None:
            return not is_none(value)
        if has_star_kwargs(call):
            return True
        return globally and facts.seeded_globally_before(use_site.cell, use_site.line)

    for use in facts.uses:
        name, site = use.name, use.site
        if name == "train_test_split":
            if not is_false(kw(use.call, "shuffle")):
                found.append(RandomUse(site, "split", "train_test_split", seeded(site), True))
        elif name in SPLITTERS:
            kind = SPLITTERS[name]
            if kind.shuffles == "always" or (kind.shuffles == "optional" and is_true(kw(use.call, "shuffle"))):
                found.append(RandomUse(site, "split", name, seeded(site), True))
        elif name in RANDOM_SEARCH_CV:
            found.append(RandomUse(site, "search", name, seeded(site), True))
        elif name in RANDOM_RESAMPLERS or name == "resample":
            found.append(RandomUse(site, "resampler", name, seeded(site), True))
        elif name == "permutation_importance":
            found.append(RandomUse(site, "estimator", name, seeded(site), False))
        elif name in ESTIMATORS and ESTIMATORS[name].stochastic:
            kind_ = ESTIMATORS[name]
            ok = seeded(site, kind_.seed_keywords) or (use.bound_to is not None and use.bound_to in reseeded)
            found.append(RandomUse(site, "estimator", name, ok, kind_.family in NOISY_FAMILIES))
    for site in facts.code.calls:
        if site.name == "sample" and site.qualname is None and site.receiver and site.receiver not in ("random", "rng"):
            if kw(site.node, "frac", "n") is not None or site.node.args:
                found.append(RandomUse(site, "sample", f"{site.receiver}.sample", seeded(site), False))
        elif site.qualname and site.qualname.startswith("numpy.random."):
            draw = site.qualname.rsplit(".", 1)[-1]
            if draw in NUMPY_DRAWS:
                found.append(
                    RandomUse(
                        site, "numpy", f"np.random.{draw}", facts.seeded_globally_before(site.cell, site.line), False
                    )
                )
            elif draw in ("default_rng", "RandomState") and not site.node.args and not site.node.keywords:
                found.append(RandomUse(site, "numpy", f"np.random.{draw}()", False, False))
    found.sort(key=lambda r: (r.site.cell, r.site.line, r.site.node.col_offset))
    return found
