"""The submission's own `.py` modules the notebook imports, indexed like notebooks."""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass

from grader.evidence.code import CodeIndex
from grader.evidence.ml.facts import MLFacts, ml_facts
from grader.models.notebook import Cell, NotebookView


@dataclass(frozen=True)
class Module:
    """A local `.py` file the notebook imports (`features.py`), indexed as a notebook.

    The file is cut into cells at top-level statements (small cells keep the code
    index fast); `offsets[cell]` turns a cell's line back into the file's line.
    """

    path: str
    code: CodeIndex
    offsets: tuple[int, ...]

    @property
    def facts(self) -> MLFacts:
        return ml_facts(self.code)

    def file_line(self, cell: int, line: int) -> int:
        return self.offsets[cell] + line if 0 <= cell < len(self.offsets) else line


_MODULES: weakref.WeakKeyDictionary[CodeIndex, tuple[Module, ...]] = weakref.WeakKeyDictionary()
_CHUNK_LINES = 10


def _chunks(text: str) -> list[tuple[int, str]]:
    """(first line - 1, source) pieces of a module, cut between top-level statements."""
    lines = text.split("\n")
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [(0, text)]
    starts = []
    for stmt in tree.body:
        decorators = getattr(stmt, "decorator_list", [])
        starts.append(min([stmt.lineno, *(d.lineno for d in decorators)]) - 1)
    if not starts:
        return [(0, text)]
    starts[0] = 0
    pieces: list[tuple[int, str]] = []
    begin = 0
    for position, start in enumerate(starts[1:], start=1):
        if start - begin >= _CHUNK_LINES or (start - starts[position - 1]) >= _CHUNK_LINES:
            pieces.append((begin, "\n".join(lines[begin:start])))
            begin = start
    pieces.append((begin, "\n".join(lines[begin:])))
    return pieces


def local_modules(code: CodeIndex, texts: dict[str, str]) -> tuple[Module, ...]:
    """The submission's `.py` files that the notebook imports, parsed once."""
    cached = _MODULES.get(code)
    if cached is not None:
        return cached
    imported = (
        set(code.imported_modules) | {q.rsplit(".", 1)[0] for q in code.aliases.values()} | set(code.aliases.values())
    )
    found = []
    for path, text in sorted(texts.items()):
        if not path.endswith(".py"):
            continue
        dotted = path[:-3].replace("/", ".").replace("\\", ".")
        if dotted not in imported and dotted.split(".")[-1] not in imported:
            continue
        pieces = _chunks(text)
        cells = tuple(
            Cell(index=i, notebook=path, local_index=i, cell_type="code", source=source)
            for i, (_, source) in enumerate(pieces)
        )
        found.append(
            Module(path, CodeIndex(NotebookView(cells=cells, notebooks=(path,))), tuple(offset for offset, _ in pieces))
        )
    _MODULES[code] = tuple(found)
    return _MODULES[code]


# --------------------------------------------------------------------------- task and prose
