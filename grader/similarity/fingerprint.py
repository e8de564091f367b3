"""Notebook-aware fingerprints: normalised code units and markdown lines, then winnowed k-grams.

Code goes through the AST, so formatting and comments are gone before anything is
compared. Names the notebook binds (variables, parameters, functions, classes) become
`V`, `F` or `C` wherever they appear; import aliases become the module or name they
stand for (`np` → `numpy`), so library calls stay recognisable; string and number
literals become `S` and `N`. Each simple statement, and each compound statement's
header, is one *unit*: the granularity at which imports, starter code and lines common
to a large share of the batch are removed. Markdown lines become lower-case words
without stop words. Outputs are never read.

Fingerprints follow MOSS (Schleimer, Wilkerson and Aiken, "Winnowing", SIGMOD 2003):
hash every k-gram of the token stream and keep the rightmost minimum of each window of
`w` hashes, which guarantees that any shared run of `w + k - 1` tokens is found. Each
fingerprint remembers the cell its k-gram starts in (`compare.fingerprint` runs the
cells of a notebook as one stream, so a split or merged cell changes nothing).
Markdown keeps every word shingle, since there is little of it.
"""

from __future__ import annotations

import ast
import hashlib
import keyword
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from grader import pyast
from grader.evidence.code import neutralise

#: Compound statements: their fields that hold nested statements (everything else is the header).
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
_SKIPPED_STATEMENTS = (ast.Import, ast.ImportFrom, ast.Pass, ast.Global, ast.Nonlocal)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_LEXICAL = re.compile(r"""[A-Za-z_]\w*|\d[\w.]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[^\s\w]""")
_KEYWORDS = frozenset(keyword.kwlist)
#: English function words carry no evidence of copying; dropping them also survives small rewording.
STOP_WORDS = frozenset(
    str.split(
        "a an the and or but if then so of to in on at by for with from as is are was were be been being it "
        "its this that these those we i you he she they our my your their them us me not no do does did have "
        "has had will would can could should may might also very just here there which what when where who "
        "how than into over out up down about all any each more most some such only own same too s t"
    )
)
_PRIME = 1099511628211


class CellKind:
    code = "code"
    markdown = "markdown"


@dataclass(frozen=True)
class CellSource:
    """One cell as the candidate wrote it: its global index (as reports number cells), kind and text."""

    index: int
    kind: str
    source: str


@dataclass(frozen=True)
class Unit:
    """A normalised statement (code) or line (markdown): the unit boilerplate is removed in."""

    tokens: tuple[int, ...]
    #: Stable identity of the normalised text, for counting in how many notebooks it appears.
    key: int


@dataclass
class CellUnits:
    index: int
    kind: str
    units: list[Unit] = field(default_factory=list)


@dataclass
class NotebookUnits:
    """Every cell of one submission (or reference), normalised; built once, filtered many ways."""

    name: str
    cells: list[CellUnits]

    def unit_keys(self) -> set[int]:
        return {u.key for c in self.cells for u in c.units}


@lru_cache(maxsize=200_000)
def token_id(token: str) -> int:
    """A stable 63-bit id for a token (Python's own string hash changes between processes)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def _unit(tokens: Sequence[str]) -> Unit:
    ids = tuple(token_id(t) for t in tokens)
    # A tuple of ints hashes the same in every process.
    return Unit(tokens=ids, key=hash(ids))


# --------------------------------------------------------------------------- code


_Name, _Load, _Constant, _Attribute, _Call = ast.Name, ast.Load, ast.Constant, ast.Attribute, ast.Call
_CONTEXTS = frozenset({ast.Load, ast.Store, ast.Del})
#: Markers of raw tokens whose final form depends on the whole notebook's names.
_NAME, _ATTRIBUTE, _KEYWORD, _SEP = "\x00", "\x01", "\x02", "\x03"


@dataclass
class NameScope:
    """What the notebook's own names are: bound names become placeholders, imports their origin."""

    functions: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    bound: set[str] = field(default_factory=set)
    callables: set[str] = field(default_factory=set)
    imports: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, trees: Iterable[ast.Module]) -> NameScope:
        """The names bound anywhere in these cells (a notebook's cells share one namespace)."""
        emitter = _Emitter()
        for tree in trees:
            emitter.units(tree)
        return emitter.scope.finish()

    def finish(self) -> NameScope:
        self.callables = self.functions | self.classes
        self.bound -= self.callables
        return self

    def imported(self, statement: ast.Import | ast.ImportFrom) -> None:
        for alias in statement.names:
            if isinstance(statement, ast.ImportFrom):
                if alias.name != "*":
                    self.imports[alias.asname or alias.name] = alias.name
            elif alias.asname:
                self.imports[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.imports[top] = top

    def resolve(self, token: str) -> str:
        """A raw token's final form: own names as `V`/`F`/`C`, aliases as what they import."""
        marker = token[:1]
        if marker == _NAME:
            name = token[1:]
            if name in self.functions:
                return "F"
            if name in self.classes:
                return "C"
            if name in self.bound:
                return "V"
            return self.imports.get(name, name)
        if marker == _ATTRIBUTE:
            # Methods of the notebook's own classes are its functions too.
            return ".F" if token[1:] in self.functions else "." + token[1:]
        if marker == _KEYWORD:
            # Keyword names of the notebook's own functions are its names too; a library's are not.
            callee, argument = token[2:].split(_SEP, 1)
            own = callee in (self.callables if token[1] == "n" else self.functions)
            return "V=" if own else argument + "="
        return token


def _literal(value: object) -> str:
    if isinstance(value, bool) or value is None or value is Ellipsis:
        return repr(value)
    if isinstance(value, str | bytes):
        return "S"
    return "N"


class _Emitter:
    """Linearises statements into raw tokens in one pass over the AST, collecting the names bound."""

    def __init__(self) -> None:
        self.scope = NameScope()

    def expression(self, node: ast.AST, out: list[str]) -> None:
        kind = type(node)
        if kind is _Name:
            if type(node.ctx) is not _Load:  # type: ignore[attr-defined]
                self.scope.bound.add(node.id)  # type: ignore[attr-defined]
            out.append(_NAME + node.id)  # type: ignore[attr-defined]
        elif kind is _Constant:
            out.append(_literal(node.value))  # type: ignore[attr-defined]
        elif kind is _Attribute:
            self.expression(node.value, out)  # type: ignore[attr-defined]
            out.append(_ATTRIBUTE + node.attr)  # type: ignore[attr-defined]
        elif kind is _Call:
            self.call(node, out)  # type: ignore[arg-type]
        elif kind in _CONTEXTS:
            return
        elif kind is ast.JoinedStr:
            out.append("S")
        elif kind is ast.keyword:
            out.append("**" if node.arg is None else node.arg + "=")  # type: ignore[attr-defined]
            self.expression(node.value, out)  # type: ignore[attr-defined]
        elif kind is ast.arg:
            self.scope.bound.add(node.arg)  # type: ignore[attr-defined]
            out.append("V")
        else:
            if (kind is ast.MatchAs or kind is ast.MatchStar) and node.name:  # type: ignore[attr-defined]
                self.scope.bound.add(node.name)  # type: ignore[attr-defined]
            out.append(kind.__name__)
            for child in ast.iter_child_nodes(node):
                self.expression(child, out)

    def call(self, node: ast.Call, out: list[str]) -> None:
        out.append("Call")
        self.expression(node.func, out)
        for arg in node.args:
            self.expression(arg, out)
        func = node.func
        callee = (
            f"n{func.id}" if isinstance(func, ast.Name) else f"a{func.attr}" if isinstance(func, ast.Attribute) else "x"
        )
        for argument in node.keywords:
            out.append("**" if argument.arg is None else f"{_KEYWORD}{callee}{_SEP}{argument.arg}")
            self.expression(argument.value, out)

    def header(self, statement: ast.stmt | ast.excepthandler | ast.match_case) -> list[str]:
        """The statement without its nested statements (a compound statement's header line)."""
        out = [type(statement).__name__]
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            self.scope.functions.add(statement.name)
            out.append("F")
        elif isinstance(statement, ast.ClassDef):
            self.scope.classes.add(statement.name)
            out.append("C")
        elif isinstance(statement, ast.ExceptHandler) and statement.name:
            self.scope.bound.add(statement.name)
        for name, value in ast.iter_fields(statement):
            if name in _BODIES or name in ("name", "type_comment", "returns", "annotation"):
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    self.expression(child, out)
        return out

    def units(self, tree: ast.Module) -> list[list[str]]:
        """Raw tokens of each statement of a cell; imports, `pass` and bare docstrings are dropped."""
        units = []
        for statement in _statements(tree.body):
            if isinstance(statement, ast.Import | ast.ImportFrom):
                self.scope.imported(statement)
            elif not (isinstance(statement, _SKIPPED_STATEMENTS) or _docstring(statement)):
                units.append(self.header(statement))
        return units


def _statements(body: Sequence[ast.AST]) -> Iterator[ast.stmt | ast.excepthandler | ast.match_case]:
    """Every statement, depth first, each compound one before its nested statements."""
    for node in body:
        if not isinstance(node, ast.stmt | ast.excepthandler | ast.match_case):
            continue
        yield node
        for name in _BODIES:
            nested = getattr(node, name, None)
            if nested:
                yield from _statements(nested)


def _docstring(node: ast.AST) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def parse_cell(source: str) -> ast.Module | None:
    """The cell's AST with IPython syntax neutralised, or None when it does not parse."""
    try:
        return pyast.parse(neutralise(source)[0])
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def lexical_units(source: str) -> list[Unit]:
    """For a cell Python cannot parse: lines of tokens, names as `V` and literals abstracted."""
    units = []
    for line in neutralise(source)[0].splitlines():
        stripped = line.split("#", 1)[0].strip()
        if not stripped or stripped.startswith(("import ", "from ")):
            continue
        tokens = []
        after_dot = False
        for token in _LEXICAL.findall(stripped):
            if token[0] in "\"'":
                tokens.append("S")
            elif token[0].isdigit():
                tokens.append("N")
            elif (token[0].isalpha() or token[0] == "_") and token not in _KEYWORDS:
                tokens.append("." + token if after_dot else "V")
            elif token != ".":
                tokens.append(token)
            after_dot = token == "."
        if tokens:
            units.append(_unit(tokens))
    return units


# --------------------------------------------------------------------------- markdown


def markdown_words(line: str) -> list[str]:
    """Lower-case words of a markdown line, without markup and stop words."""
    text = re.sub(r"\]\([^)]*\)|<[^>]{0,200}>|[`*_#>|~\[\]]", " ", line.lower())
    return [w for w in _WORD.findall(text) if w not in STOP_WORDS]


def markdown_units(source: str) -> list[Unit]:
    """One unit per non-empty line of words (so a heading shared by the whole batch can be dropped)."""
    units = []
    for line in source.splitlines():
        words = markdown_words(line)
        if words:
            units.append(_unit(words))
    return units


# --------------------------------------------------------------------------- notebooks


def notebook_units(name: str, cells: Sequence[CellSource]) -> NotebookUnits:
    """Normalise every code and markdown cell of one notebook (or several, numbered globally)."""
    emitter = _Emitter()
    raw: dict[int, list[list[str]]] = {}
    for cell in cells:
        if cell.kind == CellKind.code and cell.source.strip():
            tree = parse_cell(cell.source)
            if tree is not None:
                raw[cell.index] = emitter.units(tree)
    scope = emitter.scope.finish()
    resolved: dict[str, str] = {}

    def resolve(token: str) -> str:
        final = resolved.get(token)
        if final is None:
            final = resolved[token] = scope.resolve(token)
        return final

    out = []
    for cell in cells:
        if cell.kind == CellKind.code:
            if cell.index in raw:
                units = [_unit([resolve(t) for t in tokens]) for tokens in raw[cell.index]]
            else:
                units = lexical_units(cell.source)
        elif cell.kind == CellKind.markdown:
            units = markdown_units(cell.source)
        else:
            continue
        out.append(CellUnits(index=cell.index, kind=cell.kind, units=units))
    return NotebookUnits(name=name, cells=out)


# --------------------------------------------------------------------------- hashing


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The 64-bit MurmurHash3 finalizer: spreads polynomial k-gram hashes so minima are random."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


@lru_cache(maxsize=64)
def _powers(k: int) -> npt.NDArray[np.uint64]:
    """PRIME**(k-1) ... PRIME**0 modulo 2**64, for a polynomial hash of k token ids."""
    return np.array([pow(_PRIME, k - 1 - i, 1 << 64) for i in range(k)], dtype=np.uint64)


def kgram_hashes(tokens: Sequence[int], k: int) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per k-gram of the token ids (none when there are fewer than k tokens)."""
    if len(tokens) < k:
        return np.empty(0, dtype=np.uint64)
    ids = np.asarray(tokens, dtype=np.uint64)
    powers = _powers(k)
    windows = np.lib.stride_tricks.sliding_window_view(ids, k)
    with np.errstate(over="ignore"):
        polynomial = (windows * powers).sum(axis=1, dtype=np.uint64)
        return _mix(polynomial + np.uint64(k))


def winnow(hashes: npt.NDArray[np.uint64], window: int) -> list[int]:
    """Positions of the rightmost minimum of every window of `window` hashes (robust winnowing), in order."""
    if len(hashes) == 0:
        return []
    if window <= 1:
        return list(range(len(hashes)))
    if len(hashes) <= window:
        return [len(hashes) - 1 - int(np.argmin(hashes[::-1]))]
    windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(np.arange(len(windows)) + rightmost).tolist()  # type: ignore[no-any-return]
