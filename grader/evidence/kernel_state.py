"""Which saved outputs came from a kernel state the notebook does not hold (hidden state).

A notebook's saved outputs are evidence only if the code as saved produces them. Replaying
the code cells in the order their execution counts record, a cell that reads a name no cell
run before it binds (the binding cell was deleted, edited or never run) shows outputs of a
kernel state the notebook does not hold: "prints `roc_auc` = 0.826" where `roc_auc` was last
bound by a cell that no longer exists. Pure: reads the parsed cells only.

Only module-level reads count (a function body reads its globals when it is called, not when
it is defined). A cell that can bind names the analysis cannot see (`from m import *` of a
module other than the scientific stack's, `exec`, `globals()`, `%run`, `%store`) ends the
replay for its notebook: everything after it might be bound by it. A star import of numpy,
pandas, scipy, scikit-learn or the standard library's maths modules binds the names that
module exports, read from the module the grader itself runs with.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from grader.evidence.code import CodeCell

#: Names an IPython kernel binds before any cell runs.
_KERNEL_NAMES = frozenset({"display", "get_ipython", "In", "Out", "exit", "quit", "__name__", "__file__"})
_BUILTINS = frozenset(dir(builtins)) | _KERNEL_NAMES
#: IPython's automagics and shell aliases: a cell line that is only one of these names (`ls`,
#: `pwd`, `who`) runs the magic (`%ls`) instead of reading a variable.
_AUTOMAGIC = frozenset(
    {
        "alias", "autocall", "automagic", "bookmark", "cat", "cd", "clear", "colors", "conda", "config", "cp",
        "dhist", "dirs", "doctest_mode", "env", "gui", "hist", "history", "killbgscripts", "ldir", "less", "lf",
        "lk", "ll", "load_ext", "ls", "lsmagic", "lx", "macro", "magic", "mamba", "man", "matplotlib", "mkdir",
        "mv", "notebook", "page", "pdb", "pinfo", "pip", "popd", "pprint", "precision", "prun", "pushd", "pwd",
        "quickref", "recall", "rehashx", "reload_ext", "reset", "rm", "rmdir", "sx", "system", "tb", "time",
        "timeit", "unalias", "who", "who_ls", "whos", "xmode",
    }
)  # fmt: skip
#: Calls after which any name may be bound.
_OPAQUE_CALLS = frozenset({"exec", "eval", "globals", "locals", "vars", "execfile", "__import__"})
#: Magics after which any name may be bound (matched in the raw cell source).
_OPAQUE_MAGICS = ("%run", "%store", "%load", "%%capture", "get_ipython(")
#: Modules whose star import binds names the grader can list: its own dependencies, imported from
#: its own environment (never a module the candidate names otherwise: importing runs module code).
_STAR_MODULES = ("numpy", "pandas", "math", "statistics", "random", "scipy", "sklearn")


@cache
def star_names(module: str) -> frozenset[str] | None:
    """The names `from <module> import *` binds, or None for a module outside `_STAR_MODULES`."""
    if module.split(".")[0] not in _STAR_MODULES:
        return None
    try:
        imported = importlib.import_module(module)
    except Exception:  # noqa: BLE001 - a removed submodule binds what the analysis cannot list
        return None
    exported = getattr(imported, "__all__", None)
    if exported is None:
        exported = [name for name in dir(imported) if not name.startswith("_")]
    return frozenset(str(name) for name in exported)


#: Calls that show a result even when the saved notebook kept no output of them.
_SHOW_CALL = re.compile(r"\b(?:print|display|plt\.\w+|sns\.\w+|\w+\.plot\w*|\w+\.show)\s*\(")


@dataclass(frozen=True)
class HiddenRead:
    """A module-level read of `name` in `cell` (1-based line) that no cell run before it binds."""

    cell: int
    line: int
    name: str
    execution_count: int


def hidden_reads(cells: Iterable[CodeCell]) -> list[HiddenRead]:
    """Module-level reads of names that neither a cell above nor a cell run before binds.

    `cells` are one notebook's code cells in notebook order. Cells without an execution count
    never ran and bind nothing. A name bound by an executed cell above the reader (run top to
    bottom it is there) or by one with a lower count (it was there when the reader ran) is
    accounted for; any other read shows a kernel state the notebook does not hold. Each name
    is reported once (its first reader in notebook order). A notebook with a cell that can bind
    names the analysis cannot see gives nothing. A cell whose saved run stopped at a NameError
    read nothing hidden: the kernel lacked the name (a saved failure, not a hidden state).
    """
    ran = [c for c in cells if c.cell.execution_count is not None]
    if any(c.tree is None or _opaque(c) for c in ran):
        return []
    binds = {c.index: _bound_names(c.tree) for c in ran if c.tree is not None}
    found: list[HiddenRead] = []
    reported: set[str] = set()
    above = set(_BUILTINS)
    for position, code in enumerate(ran):
        assert code.tree is not None
        count = code.cell.execution_count or 0
        available = above.union(
            binds[code.index],
            *(binds[c.index] for c in ran[position + 1 :] if (c.cell.execution_count or 0) < count),
        )
        if not _failed_on_a_name(code):
            for name, line in _module_level_reads(code.tree):
                if name in available or name in reported or name.startswith("_"):
                    continue
                reported.add(name)
                found.append(HiddenRead(code.index, line, name, count))
        above |= binds[code.index]
    return found


def _failed_on_a_name(code: CodeCell) -> bool:
    """The saved run of the cell stopped at a NameError: the kernel lacked a name, it did not hold a hidden one
    (a saved failure, which the submitted-run check reports)."""
    return any(output.ename == "NameError" for output in code.cell.outputs)


def shows_a_result(cells: Iterable[CodeCell], read: HiddenRead) -> bool:
    """Whether a saved output rests on the hidden read: the reading cell's own, or a later one's.

    Taint starts with the hidden name and whatever the reading cell binds; each cell run after
    it (by execution count) that reads a tainted name either shows outputs (the result rests on
    the hidden state) or passes the taint on to what it binds. A cell that only saves a model to
    a file, reading a name from a deleted cell, shows nothing a reviewer would trust or distrust.
    """
    ran = sorted(
        (c for c in cells if c.cell.execution_count is not None and c.tree is not None),
        key=lambda c: c.cell.execution_count or 0,
    )
    reader = next((c for c in ran if c.index == read.cell), None)
    if reader is None or reader.tree is None:
        return True  # nothing to follow: assume the worst
    if _shows(reader):
        return True
    tainted = {read.name} | _bound_names(reader.tree)
    for code in ran:
        if (code.cell.execution_count or 0) <= read.execution_count:
            continue
        assert code.tree is not None
        if any(name in tainted for name, _ in _module_level_reads(code.tree)):
            if _shows(code):
                return True
            tainted |= _bound_names(code.tree)
    return False


def _shows(code: CodeCell) -> bool:
    """The cell has saved outputs, or calls something that shows a result (print, display, a plot)."""
    return bool(code.cell.outputs) or bool(_SHOW_CALL.search(code.cell.source))


@dataclass(frozen=True)
class ForwardRead:
    """A module-level read of `name` in `cell` that only a cell below it binds, one that ran earlier."""

    cell: int
    line: int
    name: str
    execution_count: int
    #: The cell below that binds the name, and its (lower) execution count.
    bound_in: int
    bound_count: int


def forward_reads(cells: Iterable[CodeCell]) -> list[ForwardRead]:
    """Reads that work only in the order the cells ran, not top to bottom ("Restart & Run All").

    `cells` are one notebook's code cells in notebook order. A cell that reads a name no cell
    above it binds (run or not: Run All runs them all) while a cell below it, run earlier, does:
    the saved outputs follow from the code, but a fresh kernel stops there with a NameError
    (`bestFeatures` used in cell 86, defined in cell 93 which ran at [34]). Each name once; a
    notebook with a cell that can bind names the analysis cannot see gives nothing.
    """
    cells = [c for c in cells if c.tree is not None]
    if any(c.cell.execution_count is not None and _opaque(c) for c in cells):
        return []
    binds = {c.index: _bound_names(c.tree) for c in cells if c.tree is not None}
    found: list[ForwardRead] = []
    reported: set[str] = set()
    above = set(_BUILTINS)
    for position, code in enumerate(cells):
        assert code.tree is not None
        count = code.cell.execution_count
        own = binds[code.index]
        if count is not None:
            for name, line in _module_level_reads(code.tree):
                if name in above or name in own or name in reported or name.startswith("_"):
                    continue
                binder = next(
                    (
                        c
                        for c in cells[position + 1 :]
                        if name in binds[c.index]
                        and c.cell.execution_count is not None
                        and c.cell.execution_count < count
                    ),
                    None,
                )
                if binder is None:
                    continue  # bound by nothing run before it: hidden_reads reports it
                reported.add(name)
                found.append(ForwardRead(code.index, line, name, count, binder.index, binder.cell.execution_count or 0))
        above |= own
    return found


def _opaque(code: CodeCell) -> bool:
    assert code.tree is not None
    if any(magic in code.cell.source for magic in _OPAQUE_MAGICS):
        return True
    for node in ast.walk(code.tree):
        if (
            isinstance(node, ast.ImportFrom)
            and any(alias.name == "*" for alias in node.names)
            and (node.level or star_names(node.module or "") is None)
        ):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _OPAQUE_CALLS:
            return True
    return False


def _bound_names(tree: ast.Module) -> set[str]:
    """Every name the cell binds anywhere at module level (assignments, loops, imports, defs, `with`, `except`)."""
    names: set[str] = set()
    for node in _module_level_nodes(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            names.update(star_names(node.module or "") or ())
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            names.add(node.name)
    # `global x` (also inside a function body, which binds x at module level when it runs).
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            names.update(node.names)
    return names


def _module_level_reads(tree: ast.Module) -> list[tuple[str, int]]:
    comprehension_targets = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.comprehension)
        for target in ast.walk(node.target)
        if isinstance(target, ast.Name)
    }
    magics = {
        id(node.value)
        for node in tree.body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Name) and node.value.id in _AUTOMAGIC
    }
    reads = [
        (node.id, node.lineno)
        for node in _module_level_nodes(tree)
        if isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and node.id not in comprehension_targets
        and id(node) not in magics
    ]
    return sorted(reads, key=lambda read: read[1])


def _module_level_nodes(tree: ast.Module) -> list[ast.AST]:
    """Nodes executed when the cell runs: everything but the bodies of functions, lambdas and classes' methods.

    Decorators, default values and base classes are evaluated at definition time and are kept.
    """
    nodes: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        nodes.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend(node.decorator_list)
            stack.extend(d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return nodes
