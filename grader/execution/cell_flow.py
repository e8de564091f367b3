"""Which names a notebook cell reads, binds and changes: enough flow to trace a failure to its cause.

Triage asks two questions of cell code. Does this failing cell use a name that an earlier
failed cell should have set (so the failure follows from that one)? Which names carry data
read from a given file, or derived from a frame a no-op call left unchanged? Both are
answered from the cells' source alone with `ast`, statement by statement, so a failure
at line 3 of a cell counts only what that cell did from line 3 on.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from grader import pyast

#: Methods that change their receiver in place (estimators learn, frames and lists change).
MUTATING_METHODS = frozenset(
    {
        "fit",
        "fit_transform",
        "fit_resample",
        "partial_fit",
        "fit_predict",
        "set_params",
        "drop",
        "dropna",
        "fillna",
        "replace",
        "rename",
        "reset_index",
        "set_index",
        "sort_values",
        "sort_index",
        "update",
        "interpolate",
        "ffill",
        "bfill",
        "insert",
        "pop",
        "append",
        "extend",
        "remove",
        "clear",
        "setdefault",
        "add",
    }
)
_CHAINED = re.compile(
    r"The above exception was the direct cause of the following exception:|During handling of the above exception, another exception occurred:"
)
_CELL_LINE = re.compile(
    r"Cell In\[\d+\], line (\d+)|<ipython-input-\d+-\w+> in <module>\S*\s*\n.*?-+> ?(\d+)", re.DOTALL
)


@dataclass(frozen=True)
class Statement:
    """What one top-level statement of a cell does with names."""

    first_line: int
    last_line: int
    binds: frozenset[str]
    mutates: frozenset[str]
    reads: frozenset[str]


def failure_line(traceback: str | None) -> int | None:
    """The line of the cell that raised: the first `Cell In[...]` frame of the last exception of the chain."""
    text = traceback or ""
    last = _CHAINED.split(text)[-1]
    match = _CELL_LINE.search(last) or _CELL_LINE.search(text)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


@lru_cache(maxsize=4096)
def statements(source: str) -> tuple[Statement, ...]:
    """The cell's top-level statements; an unparsable cell gives none."""
    text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return ()
    return tuple(_statement(node) for node in tree.body)


def _base_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _statement(node: ast.stmt) -> Statement:
    binds: set[str] = set()
    mutates: set[str] = set()
    reads: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (binds if isinstance(sub.ctx, ast.Store) else reads).add(sub.id)
        elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            binds.add(sub.name)
        elif isinstance(sub, ast.Import | ast.ImportFrom):
            binds.update((alias.asname or alias.name).split(".")[0] for alias in sub.names)
        elif isinstance(sub, ast.Subscript | ast.Attribute) and isinstance(sub.ctx, ast.Store | ast.Del):
            base = _base_name(sub.value)
            if base:
                mutates.add(base)
        elif (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr in MUTATING_METHODS
            and (base := _base_name(sub.func.value))
        ):
            mutates.add(base)
    end = getattr(node, "end_lineno", None) or node.lineno
    return Statement(node.lineno, end, frozenset(binds), frozenset(mutates), frozenset(reads))


def names_set(source: str, from_line: int | None = None) -> frozenset[str]:
    """Names the cell binds or changes in place, counting only statements that reach `from_line` or later."""
    found: set[str] = set()
    for statement in statements(source):
        if from_line is None or statement.last_line >= from_line:
            found |= statement.binds | statement.mutates
    return frozenset(found)


def names_read(source: str, up_to_line: int | None = None) -> frozenset[str]:
    """Names the cell reads, counting only statements that start at or before `up_to_line`."""
    found: set[str] = set()
    for statement in statements(source):
        if up_to_line is None or statement.first_line <= up_to_line:
            found |= statement.reads
    return frozenset(found)


def derived_names(start: Iterable[str], sources: Sequence[str]) -> frozenset[str]:
    """`start` and every name bound, in order through `sources`, from an expression reading one of them."""
    tainted = set(start)
    for source in sources:
        for statement in statements(source):
            if statement.reads & tainted:
                tainted |= statement.binds | statement.mutates
    return frozenset(tainted)
