"""Code scopes: which user function each call sits in and which cells call it, and where the target is referenced.

Work done in a helper (`def plot_dist(df, col): ...`) is credited to the cells that call it."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from grader.evidence.code import CallSite, CodeIndex

# --------------------------------------------------------------------------- code scopes


@dataclass(frozen=True)
class Scopes:
    """One pass over every cell's syntax tree, shared by the checks that would otherwise each walk it.

    Which user-defined function each call sits in and who calls those functions; the
    innermost statement and the parent of every node; the nodes of each type, in
    notebook order; the names the code reads.
    """

    #: id(ast.Call) -> name of the innermost enclosing user function (absent: top level of its cell).
    function_of: dict[int, str]
    #: User function name -> (cell, line) of its definition.
    definitions: dict[str, tuple[int, int]]
    #: User function -> user functions it calls.
    calls_between: dict[str, set[str]]
    #: User function -> cells whose top-level code calls it, directly or through other functions.
    called_from_cells: dict[str, set[int]]
    #: id(ast.Call) -> innermost statement holding the call.
    statement_of: dict[int, ast.stmt]
    #: id(node) -> its parent node.
    parent: dict[int, ast.AST] = field(default_factory=dict)
    #: Node type -> (cell, node) in notebook order.
    by_type: dict[type, list[tuple[int, ast.AST]]] = field(default_factory=dict)
    #: Every name the code loads (reads).
    names_read: frozenset[str] = frozenset()

    def nodes(self, *types: type) -> list[tuple[int, ast.AST]]:
        """(cell, node) of the given node types; one type keeps notebook order."""
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        return sorted(
            (item for t in types for item in self.by_type.get(t, [])),
            key=lambda item: (item[0], getattr(item[1], "lineno", 0), getattr(item[1], "col_offset", 0)),
        )

    def enclosing(self, node: ast.AST, *types: type) -> ast.AST | None:
        """The nearest ancestor of one of these types."""
        current = self.parent.get(id(node))
        while current is not None and not isinstance(current, types):
            current = self.parent.get(id(current))
        return current


def build_scopes(code: CodeIndex) -> Scopes:
    """One pass over every cell's syntax tree (see `Scopes`)."""
    function_of: dict[int, str] = {}
    definitions: dict[str, tuple[int, int]] = {}
    statement_of: dict[int, ast.stmt] = {}
    parent: dict[int, ast.AST] = {}
    by_type: dict[type, list[tuple[int, ast.AST]]] = {}
    names: set[str] = set()
    for cell in code.parsed():
        assert cell.tree is not None
        index = cell.index
        # One depth-first pass with an explicit stack: (node, enclosing function, enclosing statement).
        stack: list[tuple[ast.AST, str | None, ast.stmt | None]] = [(cell.tree, None, None)]
        visited: list[tuple[int, ast.AST]] = []
        while stack:
            node, function, statement = stack.pop()
            visited.append((index, node))
            if isinstance(node, ast.stmt):
                statement = node
            elif isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    names.add(node.id)
                continue
            if isinstance(node, ast.Call):
                if function is not None:
                    function_of[id(node)] = function
                if statement is not None:
                    statement_of[id(node)] = statement
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                definitions.setdefault(node.name, (index, node.lineno))
                function = node.name
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, ast.expr_context):
                    continue
                if isinstance(value, ast.AST):
                    parent[id(value)] = node
                    stack.append((value, function, statement))
                elif isinstance(value, list):
                    for item in reversed(value):
                        if isinstance(item, ast.AST):
                            parent[id(item)] = node
                            stack.append((item, function, statement))
        for item in sorted(visited, key=lambda v: (getattr(v[1], "lineno", 0), getattr(v[1], "col_offset", 0))):
            by_type.setdefault(type(item[1]), []).append(item)
    calls_between: dict[str, set[str]] = {name: set() for name in definitions}
    direct_cells: dict[str, set[int]] = {name: set() for name in definitions}
    for site in code.calls:
        if site.receiver is not None or site.name not in definitions or site.qualname is not None:
            continue
        owner = function_of.get(id(site.node))
        if owner is None:
            direct_cells[site.name].add(site.cell)
        elif owner != site.name:
            calls_between[owner].add(site.name)
    # A function called by a function is reached from every cell that reaches its caller.
    called_from = {name: set(cells) for name, cells in direct_cells.items()}
    for _ in range(len(definitions)):
        changed = False
        for caller, callees in calls_between.items():
            for callee in callees:
                before = len(called_from[callee])
                called_from[callee] |= called_from[caller]
                changed |= len(called_from[callee]) != before
        if not changed:
            break
    return Scopes(function_of, definitions, calls_between, called_from, statement_of, parent, by_type, frozenset(names))


def cells_of(site: CallSite, scope: Scopes) -> set[int]:
    """The cells whose run executes this call: its own cell, or the cells calling its function."""
    owner = scope.function_of.get(id(site.node))
    if owner is None:
        return {site.cell}
    return set(scope.called_from_cells.get(owner, ()))


# --------------------------------------------------------------------------- target mentions


_Y_NAME = re.compile(
    r"^(?:y|target|label|labels|targets)(?:_?(?:train|tr|trn|test|te|val|valid|dev|hold\w*|full|"
    r"all|true|[0-9]))?$",
    re.IGNORECASE,
)
_SERIES_TAIL = {"values", "to_numpy", "astype", "map", "copy", "ravel", "to_frame", "squeeze", "reset_index"}


@dataclass
class TargetRefs:
    """How the assignment's target appears in the code: the literal, string aliases, series aliases."""

    target: str
    #: Names bound to the target's column name (`TARGET = "churned"`).
    strings: set[str] = field(default_factory=set)
    #: Names bound to the target's values (`y = df["churned"]`, `y_train` from a split of `y`).
    series: set[str] = field(default_factory=set)

    def mentioned(self, node: ast.AST) -> bool:
        """True when the expression refers to the target column or its values."""
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant) and inner.value == self.target:
                return True
            if isinstance(inner, ast.Attribute) and (inner.attr == self.target or inner.attr.upper() in _TARGET_CONSTS):
                return True
            if isinstance(inner, ast.Name) and (
                inner.id in self.strings or inner.id in self.series or _Y_NAME.match(inner.id)
            ):
                return True
        return False

    def is_series(self, node: ast.AST) -> bool:
        """`df["churned"]`, `df.churned`, `df.pop(TARGET)`, `y`, with harmless tails like `.values`."""
        while True:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SERIES_TAIL:
                node = node.func.value
            elif isinstance(node, ast.Attribute) and node.attr in _SERIES_TAIL:
                node = node.value
            else:
                break
        if isinstance(node, ast.Subscript):
            key = node.slice
            return isinstance(key, ast.Constant | ast.Name | ast.Attribute) and self.mentioned(key)
        if isinstance(node, ast.Attribute):
            return node.attr == self.target
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "pop":
            return any(self.mentioned(a) for a in node.args)
        if isinstance(node, ast.Name):
            return node.id in self.series or bool(_Y_NAME.match(node.id))
        return False


_TARGET_CONSTS = {"TARGET", "TARGET_COL", "TARGET_COLUMN", "TARGET_NAME", "LABEL", "LABEL_COL", "LABEL_COLUMN"}


def target_refs(index: Scopes, target: str | None) -> TargetRefs | None:
    """The target's references in the code, or None when the assignment (and so the target) is unknown."""
    if target is None:
        return None
    refs = TargetRefs(target)
    for _, node in index.nodes(ast.Assign):
        assert isinstance(node, ast.Assign)
        value = node.value
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if isinstance(value, ast.Constant) and value.value == target:
            refs.strings.update(names)
        elif (
            len(node.targets) == 1
            and isinstance(node.targets[0], ast.Tuple)
            and isinstance(value, ast.Call)
            and _call_name(value) == "train_test_split"
        ):
            elements = node.targets[0].elts
            for k, arg in enumerate(value.args):
                if refs.is_series(arg):
                    refs.series.update(e.id for e in elements[2 * k : 2 * k + 2] if isinstance(e, ast.Name))
        elif names and refs.is_series(value):
            refs.series.update(names)
    return refs


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
