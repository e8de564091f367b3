"""The submission's own `.py` modules the notebook imports, indexed like notebooks."""

from __future__ import annotations

from dataclasses import dataclass

from grader import pyast
from grader.evidence.code import CodeIndex
from grader.evidence.ml.facts import MLFacts
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
    facts: MLFacts

    def file_line(self, cell: int, line: int) -> int:
        """The line in the file of a line of one of the module's cells."""
        return self.offsets[cell] + line if 0 <= cell < len(self.offsets) else line


_CHUNK_LINES = 10


def _chunks(text: str) -> list[tuple[int, str]]:
    """(first line - 1, source) pieces of a module, cut between top-level statements."""
    lines = text.split("\n")
    try:
        tree = pyast.parse(text)
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
    """The submission's `.py` files that the notebook imports, each parsed with its ML facts."""
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
        index = CodeIndex(NotebookView(cells=cells, notebooks=(path,)))
        found.append(Module(path, index, tuple(offset for offset, _ in pieces), MLFacts(index)))
    return tuple(found)


# --------------------------------------------------------------------------- task and prose
