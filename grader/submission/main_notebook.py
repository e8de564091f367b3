"""Which notebooks of a submission are the work to grade, and in which order to run them.

A repository sent as a submission often holds more than the take-home: a practice
notebook, an `Untitled.ipynb`, a notebook from another project. The main notebooks are
those that read the assignment's data (a data file's name appears in their code), plus
those that read what a main notebook writes (`01_eda.ipynb` saves `clean.csv`,
`02_model.ipynb` reads it). They run writers first, otherwise in name order; every other
notebook is listed as not graded, with the reason. When no notebook names the data (paths
built at run time, or no assignment), every notebook is graded, as before. `--notebook`
and the assignment's `notebook:` decide before any of this (see `loader.load_folder`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader import pyast

#: File types a notebook reads or writes as data.
DATA_FILE = re.compile(
    r"[\w.-]+\.(csv|tsv|txt|json|jsonl|parquet|feather|xlsx?|pkl|pickle|joblib|npy|npz|zip|gz|h5|hdf5|sav|dta)$",
    re.IGNORECASE,
)
#: Calls whose path arguments are written, not read.
WRITERS = frozenset(
    {
        "to_csv",
        "to_parquet",
        "to_excel",
        "to_json",
        "to_pickle",
        "to_feather",
        "to_hdf",
        "savefig",
        "save",
        "savez",
        "savetxt",
        "dump",
        "write_text",
        "write_bytes",
    }
)


@dataclass(frozen=True)
class NotebookFiles:
    """The data files a notebook's code names, split into those it writes and the rest (read)."""

    path: str
    reads: frozenset[str]
    writes: frozenset[str]


@dataclass(frozen=True)
class NotGraded:
    path: str
    reason: str


@dataclass(frozen=True)
class NotebookSelection:
    """The notebooks to run and grade, in order, and those left out with the reason."""

    graded: list[str]
    not_graded: list[NotGraded] = field(default_factory=list)
    #: `inferred` (some were left out or reordered), or `all` (every notebook, in name order).
    how: str = "all"


def _code(node: Any) -> str:
    cells = node.get("cells", []) if isinstance(node, dict) else getattr(node, "cells", [])
    parts = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            parts.append("\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in text.split("\n")))
    return "\n".join(parts)


def _basename(text: str) -> str | None:
    name = text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name.lower() if DATA_FILE.search(name) else None


def _strings(node: ast.AST) -> Iterable[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def _open_for_writing(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(c in mode.value for c in "wax")


def files_of(path: str, node: Any) -> NotebookFiles:
    """Data file names (lower case) a notebook's code writes, and every other one it names (read)."""
    code = _code(node)
    try:
        tree = pyast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        named = {b for s in re.findall(r"['\"]([^'\"\n]{1,300})['\"]", code) if (b := _basename(s))}
        return NotebookFiles(path, frozenset(named), frozenset())
    writes: set[str] = set()
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in WRITERS or (name == "open" and _open_for_writing(call)):
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                writes.update(b for s in _strings(arg) if (b := _basename(s)))
    named = {b for s in _strings(tree) if (b := _basename(s))}
    return NotebookFiles(path, frozenset(named - writes), frozenset(writes))


def choose_main_notebooks(notebooks: Sequence[tuple[str, Any]], data_files: Iterable[str]) -> NotebookSelection:
    """The notebooks that read the assignment's data or a graded notebook's outputs, writers first."""
    paths = [path for path, _ in notebooks]
    data = {name.replace("\\", "/").rsplit("/", 1)[-1].lower() for name in data_files}
    data = {name for name in data if DATA_FILE.search(name)}
    if len(notebooks) < 2 or not data:
        return NotebookSelection(graded=paths)
    facts = {path: files_of(path, node) for path, node in notebooks}
    main = {path for path, f in facts.items() if f.reads & data}
    if not main:
        return NotebookSelection(graded=paths)
    changed = True
    while changed:
        produced = set().union(*(facts[p].writes for p in main))
        grown = main | {p for p, f in facts.items() if f.reads & produced}
        changed = grown != main
        main = grown
    order = _writers_first([p for p in paths if p in main], facts)
    shown = ", ".join(sorted(data)[:4])
    left = [
        NotGraded(p, f"does not read the assignment's data ({shown}) or a file a graded notebook writes")
        for p in paths
        if p not in main
    ]
    how = "inferred" if left or order != [p for p in paths if p in main] else "all"
    return NotebookSelection(graded=order, not_graded=left, how=how)


def _writers_first(paths: list[str], facts: dict[str, NotebookFiles]) -> list[str]:
    """Name order, except that a notebook runs after every notebook whose written files it reads."""
    done: list[str] = []
    pending = list(paths)
    while pending:
        ready = next(
            (p for p in pending if not any(facts[p].reads & facts[q].writes for q in pending if q != p)), pending[0]
        )
        done.append(ready)
        pending.remove(ready)
    return done
