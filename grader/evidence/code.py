"""Python `ast` over every code cell, with a cell/line map and import-aware names.

IPython syntax (magics, `!` shell lines, `?` help) is neutralised line by line
so line numbers still match the notebook. Each cell is parsed on its own; a cell
that does not parse is recorded, not fatal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from grader import pyast
from grader.models.notebook import Cell, NotebookView

_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "skip", "memit", "py", "python", "python3"}
_LINE_MAGIC = re.compile(r"^(\s*)(%|!|\?)")
_ASSIGN_SHELL = re.compile(r"^(\s*[\w.,\s\[\]]+=\s*)(!|%)")
_HELP = re.compile(r"^(\s*)[\w.\[\]()]+\?\??\s*$")


_PY2_PRINT = re.compile(r"^(\s*)print(?:\s+(?![(=.,\[])(.*?)|\s*)\s*$")


def python2_prints(source: str) -> str:
    """Python 2 `print x, y` statements as calls (old Kaggle notebooks), line by line; other lines unchanged."""
    lines = []
    for line in source.split("\n"):
        match = _PY2_PRINT.match(line)
        lines.append(f"{match.group(1)}print({match.group(2) or ''})" if match else line)
    return "\n".join(lines)


def neutralise(source: str) -> tuple[str, list[int]]:
    """Turn IPython source into parseable Python; returns it and the 1-based magic lines."""
    lines = source.split("\n")
    magic_lines: list[int] = []
    if lines and lines[0].lstrip().startswith("%%"):
        name = lines[0].lstrip()[2:].split()[0] if lines[0].lstrip()[2:].split() else ""
        magic_lines.append(1)
        if name not in _PYTHON_CELL_MAGICS:
            return "\n".join("" for _ in lines), list(range(1, len(lines) + 1))
        lines[0] = ""
    out = []
    continuing = False
    for number, line in enumerate(lines, start=1):
        if continuing:
            magic_lines.append(number)
            continuing = line.rstrip().endswith("\\")
            out.append("")
            continue
        match = _LINE_MAGIC.match(line)
        if match or _HELP.match(line):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}pass")
            magic_lines.append(number)
            continuing = line.rstrip().endswith("\\")
            continue
        assign = _ASSIGN_SHELL.match(line)
        if assign:
            out.append(f"{assign.group(1)}None")
            magic_lines.append(number)
            continue
        out.append(line)
    return "\n".join(out), magic_lines


@dataclass
class CodeCell:
    cell: Cell
    source: str
    tree: ast.Module | None
    syntax_error: str | None = None
    magic_lines: list[int] = field(default_factory=list)

    @property
    def index(self) -> int:
        return self.cell.index


@dataclass(frozen=True)
class CallSite:
    """One call in the code: where it is, what it calls, and on what."""

    cell: int
    line: int
    node: ast.Call
    #: Fully qualified name when the callee resolves through imports (`sklearn.model_selection.train_test_split`).
    qualname: str | None
    #: The last attribute or name (`fit_transform`, `train_test_split`).
    name: str
    #: For method calls, the receiver's source text (`scaler`, `df["x"]`).
    receiver: str | None


class CodeIndex:
    """Parsed code of all code cells, with helpers the checks share."""

    def __init__(self, view: NotebookView) -> None:
        self.view = view
        self.cells: list[CodeCell] = []
        for cell in view.code_cells():
            source, magic = neutralise(cell.source)
            try:
                tree: ast.Module | None = pyast.parse(source)
                error = None
            except SyntaxError as exc:
                tree, error = None, f"line {exc.lineno}: {exc.msg}"
                if "print" in source:
                    try:  # Python 2 prints: the rest of the cell still tells what the code does
                        tree = pyast.parse(python2_prints(source))
                    except (SyntaxError, ValueError, RecursionError, MemoryError):
                        tree = None
            except (ValueError, RecursionError, MemoryError) as exc:
                tree, error = None, f"{type(exc).__name__}: {exc}"
            self.cells.append(CodeCell(cell, source, tree, error, magic))
        self._by_index = {c.index: c for c in self.cells}
        self._lines: dict[int, list[str]] = {}

    # ------------------------------------------------------------------ basics

    def cell(self, index: int) -> CodeCell | None:
        return self._by_index.get(index)

    def parsed(self) -> Iterator[CodeCell]:
        return (c for c in self.cells if c.tree is not None)

    def walk(self) -> Iterator[tuple[CodeCell, ast.AST]]:
        """Every node of every parsed cell, with its cell, in notebook order."""
        for code in self.parsed():
            assert code.tree is not None
            for node in ast.walk(code.tree):
                yield code, node

    def snippet(self, index: int, line: int, end_line: int | None = None, width: int = 240) -> str:
        cell = self.view[index]
        lines = cell.lines[line - 1 : (end_line or line)]
        text = "\n".join(lines).strip("\n")
        return text if len(text) <= width else text[: width - 1] + "…"

    def segment(self, code: CodeCell, node: ast.AST) -> str:
        """The source text of a node (the cell's lines are split once and cached)."""
        lines = self._lines.get(code.index)
        if lines is None:
            lines = self._lines[code.index] = code.source.splitlines(keepends=True)
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
        if start is None or end is None or col is None or end_col is None or end > len(lines):
            return ""
        if start == end:
            return _decode_slice(lines[start - 1], col, end_col)
        first = _decode_slice(lines[start - 1], col, None)
        last = _decode_slice(lines[end - 1], 0, end_col)
        return "".join([first, *lines[start : end - 1], last])

    # ------------------------------------------------------------------ imports and names

    @cached_property
    def aliases(self) -> dict[str, str]:
        """Local name → fully qualified name, from every import in the notebook."""
        names: dict[str, str] = {}
        for _, node in self.walk():
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        names[head] = head
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        return names

    @cached_property
    def imported_modules(self) -> dict[str, tuple[int, int]]:
        """Top-level module → (cell, line) of its first import."""
        found: dict[str, tuple[int, int]] = {}
        for code, node in self.walk():
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            for module in modules:
                found.setdefault(module.split(".")[0], (code.index, getattr(node, "lineno", 0)))
        return found

    def qualname(self, node: ast.AST) -> str | None:
        """Resolve `pd.read_csv` to `pandas.read_csv` through the notebook's imports."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id)
        if head is None:
            return None
        return ".".join([head, *reversed(parts)])

    # ------------------------------------------------------------------ calls

    @cached_property
    def calls(self) -> list[CallSite]:
        sites: list[CallSite] = []
        for code, node in self.walk():
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            receiver = None
            if isinstance(func, ast.Attribute):
                name = func.attr
                receiver = self.segment(code, func.value) or None
            elif isinstance(func, ast.Name):
                name = func.id
            else:
                name = ""
            sites.append(CallSite(code.index, node.lineno, node, self.qualname(func), name, receiver))
        sites.sort(key=lambda s: (s.cell, s.line, s.node.col_offset))
        return sites

    def calls_named(self, *names: str) -> list[CallSite]:
        wanted = set(names)
        return [s for s in self.calls if s.name in wanted]

    def calls_to(self, *qualnames: str, suffix_ok: bool = True) -> list[CallSite]:
        """Calls whose resolved name is one of `qualnames` (or ends with `.name` when unresolved)."""
        wanted = set(qualnames)
        short = {q.rsplit(".", 1)[-1] for q in qualnames}
        found = []
        for site in self.calls:
            unresolved_match = suffix_ok and site.qualname is None and site.receiver is None and site.name in short
            qualname = site.qualname or ""
            same_package_match = (
                bool(qualname)
                and any(qualname.endswith("." + s) for s in short)
                and qualname.split(".")[0] == next(iter(wanted)).split(".")[0]
            )
            if site.qualname in wanted or unresolved_match or same_package_match:
                found.append(site)
        return found

    def constructed(self, *class_names: str) -> list[CallSite]:
        """Calls that construct one of these classes, by short name (`StandardScaler`)."""
        wanted = set(class_names)
        return [s for s in self.calls if s.name in wanted and (s.receiver is None or s.qualname is not None)]

    def names_used(self) -> set[str]:
        return {n.id for _, n in self.walk() if isinstance(n, ast.Name)}

    def keyword(self, call: ast.Call, name: str) -> ast.expr | None:
        for kw in call.keywords:
            if kw.arg == name:
                return kw.value
        return None

    def strings(self) -> Iterator[tuple[CodeCell, ast.Constant]]:
        for code, node in self.walk():
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield code, node

    def text_matches(self, pattern: str | re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
        """(cell, line, text) of source lines matching a regex, comments excluded."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        for code in self.cells:
            for number, line in enumerate(code.source.split("\n"), start=1):
                stripped = line.split("#", 1)[0] if "#" in line and "'" not in line and '"' not in line else line
                if rx.search(stripped):
                    yield code.index, number, line.strip()


def _decode_slice(line: str, start: int, end: int | None) -> str:
    """ast column offsets count UTF-8 bytes, not characters."""
    raw = line.encode("utf-8")
    return raw[start:end].decode("utf-8", "replace")


def first(items: Iterable[CallSite]) -> CallSite | None:
    """The first call site, or None."""
    return next(iter(items), None)
