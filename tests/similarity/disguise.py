"""Disguised copies of real submissions, to measure the similarity stage.

Each transformation is what a candidate might do to hide a copy: rename every variable
and function, drop comments, reformat, reword the markdown, split or merge cells,
reorder independent cells, add dead code. Each works on a submission's notebooks (plain
nbformat-4 dicts), is deterministic for a given `random.Random`, keeps the code valid
Python (reformatting is checked against the original AST), and clears outputs (a copier
re-runs the notebook). `disguise` applies all of them.

Used by `tests/similarity/` and `bench/similarity.py`; `write_corpus` writes copies of
the sample submissions next to their originals.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import keyword
import random
import re
import shutil
import tokenize
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from grader.evidence.code import neutralise
from grader.similarity.fingerprint import NameScope, parse_cell

Notebook = dict[str, Any]
Transformation = Callable[[list[Notebook], random.Random], list[Notebook]]

NAME_WORDS = str.split(
    "alpha beta gamma delta omega item thing value result frame table holder store block part piece chunk "
    "entry record unit node cargo bundle packet token ref obj var tmp aux buf acc mat vec grid"
)
#: Synonyms a candidate reaches for when rewording someone else's narrative.
SYNONYMS = {
    "model": "classifier",
    "models": "estimators",
    "data": "dataset",
    "dataset": "data",
    "use": "employ",
    "used": "employed",
    "using": "leveraging",
    "show": "indicate",
    "shows": "indicates",
    "important": "key",
    "improve": "boost",
    "improves": "boosts",
    "because": "since",
    "feature": "variable",
    "features": "variables",
    "missing": "absent",
    "values": "entries",
    "value": "entry",
    "check": "verify",
    "train": "fit",
    "training": "fitting",
    "test": "holdout",
    "split": "partition",
    "result": "outcome",
    "results": "outcomes",
    "score": "metric",
    "best": "strongest",
    "good": "solid",
    "look": "examine",
    "first": "initially",
    "final": "last",
    "predict": "forecast",
    "predictions": "forecasts",
    "customers": "clients",
    "customer": "client",
    "rate": "ratio",
    "high": "large",
    "low": "small",
    "large": "big",
    "small": "little",
    "we": "I",
    "our": "my",
    "this": "the present",
    "shown": "displayed",
    "baseline": "reference model",
    "performance": "quality",
    "column": "field",
    "columns": "fields",
    "target": "label",
    "distribution": "spread",
    "analysis": "study",
    "approach": "method",
    "simple": "basic",
    "clear": "obvious",
    "next": "then",
    "also": "additionally",
    "however": "that said",
}
FILLERS = ("basically", "clearly", "overall", "notably", "essentially", "here", "again", "roughly")
#: Methods that change the object they are called on (a cell calling them defines that object).
MUTATING = frozenset(
    str.split(
        "fit fit_transform fit_resample partial_fit append extend insert update pop remove sort drop dropna "
        "fillna rename reset_index set_index replace clip astype"
    )
)


# --------------------------------------------------------------------------- helpers


def source_of(cell: Notebook) -> str:
    value = cell.get("source", "")
    return "".join(value) if isinstance(value, list) else str(value)


def new_cell(kind: str, source: str, rng: random.Random) -> Notebook:
    cell: Notebook = {"cell_type": kind, "id": f"{rng.getrandbits(48):012x}", "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _with_source(cell: Notebook, source: str) -> Notebook:
    cell = copy.deepcopy(cell)
    cell["source"] = source
    if cell.get("cell_type") == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def _map_cells(notebooks: list[Notebook], kind: str, change: Callable[[str], str]) -> list[Notebook]:
    out = []
    for notebook in notebooks:
        notebook = copy.deepcopy(notebook)
        notebook["cells"] = [
            _with_source(c, change(source_of(c))) if c.get("cell_type") == kind else _with_source(c, source_of(c))
            for c in notebook.get("cells", [])
        ]
        out.append(notebook)
    return out


def _tokens(source: str) -> list[tokenize.TokenInfo] | None:
    """Tokens of the cell with IPython syntax neutralised (same lines), or None if it does not tokenize."""
    try:
        return list(tokenize.generate_tokens(io.StringIO(neutralise(source)[0]).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None


def _edit(source: str, edits: list[tuple[int, int, int, str]]) -> str:
    """Replace (row, start col, end col) spans (1-based rows, one line each) with new text."""
    lines = source.split("\n")
    for row, start, end, text in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + text + line[end:]
    return "\n".join(lines)


def _scope(notebooks: list[Notebook]) -> NameScope:
    trees = [parse_cell(source_of(c)) for nb in notebooks for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    return NameScope.of(t for t in trees if t is not None)


# --------------------------------------------------------------------------- transformations


def rename_identifiers(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Every variable, parameter, function and class the notebook defines gets a new name, consistently."""
    scope = _scope(notebooks)
    own = (scope.bound | scope.functions | scope.classes) - set(scope.imports) - {"self", "cls", "_"}
    own = {n for n in own if not (n.startswith("__") and n.endswith("__"))}
    renames = {name: f"{rng.choice(NAME_WORDS)}_{n}" for n, name in enumerate(sorted(own))}
    callables = scope.functions | scope.classes

    def change(source: str) -> str:
        tokens = _tokens(source)
        if tokens is None:
            return source
        edits = []
        callees: list[str | None] = []
        previous: tokenize.TokenInfo | None = None
        for n, token in enumerate(tokens):
            if token.type == tokenize.OP and token.string in "([{":
                callees.append(previous.string if previous is not None and previous.type == tokenize.NAME else None)
            elif token.type == tokenize.OP and token.string in ")]}" and callees:
                callees.pop()
            elif token.type == tokenize.NAME and token.string in renames:
                after_dot = previous is not None and previous.string == "."
                following = tokens[n + 1].string if n + 1 < len(tokens) else ""
                keyword = following == "=" and previous is not None and previous.string in ("(", ",")
                keep = (after_dot and token.string not in scope.functions) or (
                    keyword and bool(callees) and callees[-1] not in callables
                )
                if not keep:
                    edits.append((token.start[0], token.start[1], token.end[1], renames[token.string]))
            if token.type not in (tokenize.NL, tokenize.COMMENT):
                previous = token
        return _edit(source, edits)

    return _map_cells(notebooks, "code", change)


def drop_comments(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Every `#` comment removed; lines that held only a comment disappear."""

    def change(source: str) -> str:
        tokens = _tokens(source)
        if tokens is None:
            return source
        magic = set(neutralise(source)[1])
        comments = {t.start[0]: t.start[1] for t in tokens if t.type == tokenize.COMMENT and t.start[0] not in magic}
        lines = []
        for number, line in enumerate(source.split("\n"), start=1):
            if number in comments:
                kept = line[: comments[number]].rstrip()
                if not kept:
                    continue
                line = kept
            lines.append(line)
        return "\n".join(lines).strip("\n")

    return _map_cells(notebooks, "code", change)


_WORDLIKE = (tokenize.NAME, tokenize.NUMBER, tokenize.STRING)
_NO_SPACE_AFTER = {"(", "[", "{", ".", "~", "@"}
_NO_SPACE_BEFORE = {")", "]", "}", ",", ":", "."}


def _requote(text: str) -> str:
    """'abc' ↔ "abc" for plain one-line strings without quotes or escapes inside."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and not text.startswith(("'''", '"""')):
        body = text[1:-1]
        if not any(ch in body for ch in "'\"\\"):
            other = '"' if text[0] == "'" else "'"
            return other + body + other
    return text


def _reformat_source(source: str, rng: random.Random) -> str:
    if neutralise(source)[1]:
        return source  # magics: leave the cell as written
    tokens = _tokens(source)
    if tokens is None:
        return source
    unit = rng.choice(["  ", "   ", "\t"])
    lines: list[str] = []
    current: list[str] = []
    level = depth = 0
    previous: tokenize.TokenInfo | None = None
    wrap = rng.random() < 0.5
    dense = rng.random() < 0.4

    def flush() -> None:
        if current:
            lines.append(unit * level + "".join(current).rstrip())
            current.clear()

    for token in tokens:
        kind, text = token.type, token.string
        if kind == tokenize.INDENT:
            level += 1
            continue
        if kind == tokenize.DEDENT:
            level -= 1
            continue
        if kind in (tokenize.ENCODING, tokenize.ENDMARKER):
            continue
        if kind == tokenize.NEWLINE or (kind == tokenize.NL and depth == 0):
            if not current and kind == tokenize.NL and rng.random() < 0.5:
                lines.append("")
            flush()
            if kind == tokenize.NEWLINE and level == 0 and rng.random() < 0.3:
                lines.append("")
            previous = None
            continue
        if kind == tokenize.NL:
            continue
        if kind == tokenize.COMMENT:
            current.append(("  " if current else "") + text)
            if depth:
                current.append("\n" + unit * (level + 2))
            else:
                flush()
            previous = None
            continue
        if kind == tokenize.STRING:
            text = _requote(text)
        if current and previous is not None:
            if previous.type in _WORDLIKE and kind in _WORDLIKE:
                space = True  # two names or numbers must not run together
            elif previous.string in _NO_SPACE_AFTER or text in _NO_SPACE_BEFORE:
                space = False
            elif text in "([":
                # A call or a subscript hugs its callee; a bracket after an operator or keyword does not.
                space = keyword.iskeyword(previous.string) or not (
                    previous.type in (tokenize.NAME, tokenize.STRING) or previous.string in ")]"
                )
            elif "=" in (text, previous.string):
                space = depth == 0  # `x = 1`, but `f(x=1)`
            else:
                space = not dense
            if space:
                current.append(" ")
        current.append(text)
        if kind == tokenize.OP and text in "([{":
            depth += 1
        elif kind == tokenize.OP and text in ")]}":
            depth -= 1
        elif kind == tokenize.OP and text == "," and depth and wrap:
            current.append("\n" + unit * (level + 2))
            previous = None
            continue
        previous = token
    flush()
    result = "\n".join(lines).strip("\n")
    try:
        same = ast.dump(ast.parse(result)) == ast.dump(ast.parse(source))
    except SyntaxError:
        same = False
    return result if same else source


def reformat(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Other indentation, spacing, quotes, blank lines and line breaks; the AST stays the same."""
    return _map_cells(notebooks, "code", lambda source: _reformat_source(source, rng))


def _reword_line(line: str, rng: random.Random) -> str:
    def word(match: re.Match[str]) -> str:
        text = match.group(0)
        lowered = text.lower()
        if lowered in SYNONYMS and rng.random() < 0.85:
            replacement = SYNONYMS[lowered]
            return replacement.capitalize() if text[0].isupper() else replacement
        if len(text) > 3 and rng.random() < 0.2:
            return f"{rng.choice(FILLERS)} {text}"
        return text

    return re.sub(r"[A-Za-z]+", word, line)


def _reword(source: str, rng: random.Random) -> str:
    out = []
    for paragraph in source.split("\n\n"):
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph)
        if len(sentences) > 2 and not paragraph.lstrip().startswith(("#", "-", "*", "|", "1.")):
            rng.shuffle(sentences)
        out.append(" ".join(_reword_line(s, rng) for s in sentences))
    return "\n\n".join(out)


def reword_markdown(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Synonyms, filler words and shuffled sentences in every markdown cell."""
    return _map_cells(notebooks, "markdown", lambda source: _reword(source, rng))


def _statement_starts(source: str) -> list[int] | None:
    tree = parse_cell(source)
    if tree is None:
        return None
    starts = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        starts.append(first - 1)
    return starts


def split_cells(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Each code cell of three or more statements, and each markdown cell of two or more paragraphs, in two."""
    out = []
    for notebook in notebooks:
        notebook = copy.deepcopy(notebook)
        cells = []
        for cell in notebook.get("cells", []):
            source = source_of(cell)
            kind = cell.get("cell_type")
            parts = [source]
            if kind == "code":
                starts = _statement_starts(source)
                if starts and len(starts) >= 3:
                    cut = starts[rng.randint(1, len(starts) - 1)]
                    lines = source.split("\n")
                    parts = ["\n".join(lines[:cut]).rstrip(), "\n".join(lines[cut:]).strip("\n")]
            elif kind == "markdown":
                paragraphs = source.split("\n\n")
                if len(paragraphs) >= 2:
                    cut = rng.randint(1, len(paragraphs) - 1)
                    parts = ["\n\n".join(paragraphs[:cut]), "\n\n".join(paragraphs[cut:])]
            if len(parts) == 1:
                cells.append(_with_source(cell, source))
            else:
                cells += [_with_source(cell, parts[0]), new_cell(str(kind), parts[1], rng)]
        notebook["cells"] = cells
        out.append(notebook)
    return out


def merge_cells(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Consecutive cells of the same kind merged two by two."""
    out = []
    for notebook in notebooks:
        notebook = copy.deepcopy(notebook)
        cells: list[Notebook] = []
        merged_last = False
        for cell in notebook.get("cells", []):
            kind = cell.get("cell_type")
            if cells and not merged_last and cells[-1].get("cell_type") == kind and kind in ("code", "markdown"):
                cells[-1] = _with_source(cells[-1], source_of(cells[-1]).rstrip() + "\n\n" + source_of(cell))
                merged_last = True
            else:
                cells.append(_with_source(cell, source_of(cell)))
                merged_last = False
        notebook["cells"] = cells
        out.append(notebook)
    return out


def _defs_and_uses(source: str) -> tuple[set[str], set[str]] | None:
    tree = parse_cell(source)
    if tree is None:
        return None
    defs: set[str] = set()
    uses: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (uses if isinstance(node.ctx, ast.Load) else defs).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defs.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defs.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Subscript | ast.Attribute) and not isinstance(node.ctx, ast.Load):
            defs.update(_roots(node))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            inplace = any(k.arg == "inplace" for k in node.keywords)
            if node.func.attr in MUTATING or inplace:
                defs.update(_roots(node.func.value))
    return defs, uses


def _roots(node: ast.AST) -> Iterator[str]:
    while isinstance(node, ast.Subscript | ast.Attribute | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    if isinstance(node, ast.Name):
        yield node.id


def independent(first: str, second: str) -> bool:
    """Whether two code cells can run in either order: neither defines what the other reads or defines."""
    a, b = _defs_and_uses(first), _defs_and_uses(second)
    if a is None or b is None or neutralise(first)[1] or neutralise(second)[1]:
        return False
    (defs_a, uses_a), (defs_b, uses_b) = a, b
    return not (defs_a & (uses_b | defs_b)) and not (defs_b & uses_a)


def reorder_cells(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Neighbouring code cells that do not depend on each other swapped (markdown cells stay put)."""
    out = []
    for notebook in notebooks:
        notebook = copy.deepcopy(notebook)
        cells = [_with_source(c, source_of(c)) for c in notebook.get("cells", [])]
        code = [n for n, c in enumerate(cells) if c.get("cell_type") == "code" and source_of(c).strip()]
        n = 0
        while n + 1 < len(code):
            i, j = code[n], code[n + 1]
            if independent(source_of(cells[i]), source_of(cells[j])):
                cells[i], cells[j] = cells[j], cells[i]
                n += 2
            else:
                n += 1
        notebook["cells"] = cells
        out.append(notebook)
    return out


def _dead_statement(rng: random.Random, n: int) -> str:
    name = f"{rng.choice(NAME_WORDS)}_unused_{n}"
    return rng.choice(
        [
            f"{name} = {rng.randint(2, 999)}",
            f"{name} = [{rng.randint(0, 9)}, {rng.randint(10, 99)}]",
            f"if False:\n    print('{name}')",
            f"{name} = None  # kept for later",
            f"for {name} in range(0):\n    pass",
        ]
    )


def _dead_cell(rng: random.Random, n: int) -> str:
    word = rng.choice(NAME_WORDS)
    return (
        f"def {word}_helper_{n}(values, factor=2):\n"
        f"    total = 0\n"
        f"    for v in values:\n"
        f"        total += v * factor\n"
        f"    return total / max(len(values), 1)\n\n"
        f"{word}_limit_{n} = {rng.randint(3, 300)}"
    )


def add_dead_code(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Unused statements appended to a third of the code cells, and two unused helper cells."""
    out = []
    counter = 0
    for notebook in notebooks:
        notebook = copy.deepcopy(notebook)
        cells = []
        for cell in notebook.get("cells", []):
            source = source_of(cell)
            if cell.get("cell_type") == "code" and source.strip() and rng.random() < 0.35 and parse_cell(source):
                counter += 1
                source = source.rstrip() + "\n" + _dead_statement(rng, counter)
            cells.append(_with_source(cell, source))
        for _ in range(2):
            counter += 1
            cells.insert(rng.randint(1, max(1, len(cells))), new_cell("code", _dead_cell(rng, counter), rng))
        notebook["cells"] = cells
        out.append(notebook)
    return out


TRANSFORMATIONS: dict[str, Transformation] = {
    "rename": rename_identifiers,
    "comments": drop_comments,
    "reformat": reformat,
    "reword": reword_markdown,
    "split": split_cells,
    "merge": merge_cells,
    "reorder": reorder_cells,
    "dead_code": add_dead_code,
}


def disguise(notebooks: list[Notebook], rng: random.Random) -> list[Notebook]:
    """Every transformation, in the order a careful copier would apply them."""
    for name in ("rename", "comments", "dead_code", "reorder", "merge", "split", "reformat", "reword"):
        notebooks = TRANSFORMATIONS[name](notebooks, rng)
    return notebooks


TRANSFORMATIONS_AND_ALL: dict[str, Transformation] = {**TRANSFORMATIONS, "all": disguise}


# --------------------------------------------------------------------------- files


def read_notebooks(folder: Path) -> dict[str, Notebook]:
    """A submission folder's notebooks by file name."""
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.ipynb"))}


def write_submission(folder: Path, notebooks: dict[str, Notebook]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, notebook in notebooks.items():
        (folder / name).write_text(json.dumps(notebook, indent=1), "utf-8")


def copy_of(folder: Path, transformation: str, seed: int) -> dict[str, Notebook]:
    """One disguised copy of a submission folder's notebooks."""
    originals = read_notebooks(folder)
    rng = random.Random(f"{seed}:{folder.name}:{transformation}")
    changed = TRANSFORMATIONS_AND_ALL[transformation](list(originals.values()), rng)
    return dict(zip(originals, changed, strict=True))


def write_corpus(submissions: Path, out: Path, *, seed: int = 0, transformations: tuple[str, ...] = ()) -> None:
    """`out/<candidate>/` (the original) and `out/<candidate>--<transformation>/` for every submission."""
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
        shutil.copytree(folder, out / folder.name, ignore=shutil.ignore_patterns("expected.yaml"))
        for name in transformations or tuple(TRANSFORMATIONS_AND_ALL):
            write_submission(out / f"{folder.name}--{name}", copy_of(folder, name, seed))
