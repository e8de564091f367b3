"""QUAL003: blocks of code copied between cells with only names or numbers changed."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import CODE_QUALITY
from grader.evidence.context import CheckContext
from grader.models.findings import Finding, Severity

#: Calls whose lines are boilerplate: the same in every plotting cell, not a sign of copying.
_BOILERPLATE = {
    "show",
    "figure",
    "tight_layout",
    "legend",
    "close",
    "grid",
    "title",
    "xlabel",
    "ylabel",
    "set_title",
    "set_xlabel",
    "set_ylabel",
    "suptitle",
    "subplots",
    "xticks",
    "yticks",
    "savefig",
}


class CopyPasteParams(Params):
    #: Matched lines (boilerplate not counted) that make two cells copies of each other.
    min_lines: int = Field(default=4, ge=2, le=100)
    #: Matched tokens needed as well, so that a few short lines do not count.
    min_tokens: int = Field(default=30, ge=5, le=10_000)
    #: Share of the smaller cell's lines that must match, unless the match is one contiguous block.
    min_share: float = Field(default=0.6, gt=0, le=1)
    #: Matched lines that make a copy a medium finding (also: three or more copies).
    severe_lines: int = Field(default=8, ge=2, le=1000)


@dataclass(frozen=True)
class _Line:
    line: int
    key: str
    tokens: int
    trivial: bool


@dataclass(frozen=True)
class CopyGroup:
    """Cells that repeat the same code; `spans` gives each cell's copied lines."""

    cells: tuple[int, ...]
    spans: dict[int, tuple[int, int]]
    lines: int


@check(
    id="QUAL003",
    slug="copy-pasted-code",
    category=Category.quality,
    title="No copy-pasted code blocks",
    params=CopyPasteParams,
    followup=CODE_QUALITY,
)
def copy_pasted_code(ctx: CheckContext, params: CopyPasteParams) -> CheckOutcome:
    """No block of code is pasted into several cells with only names or numbers changed.

    What it checks: each code cell is reduced to its logical lines with variable names,
    numbers, strings and constructor calls (`LogisticRegression(max_iter=500)`) replaced
    by placeholders (attribute and function names kept), so
    `lr = LogisticRegression(max_iter=500); lr.fit(X_train, y_train)` and
    `rf = RandomForestClassifier(max_depth=8); rf.fit(X_tr, y_tr)` read the same. Two cells
    are copies when at least `min_lines` such lines (and `min_tokens` tokens) match in
    order, covering `min_share` of the smaller cell or forming one contiguous block.
    Plot boilerplate (`plt.show()`, titles, labels) and prints of constants do not count.
    Each group of copies is a finding pointing at every cell and its copied lines;
    three or more copies, or `severe_lines` matched lines, make it medium.

    Why it matters: pasted blocks drift apart (the third copy forgets the scaler, or
    scores on the wrong split), make every fix a multi-place edit, and show that the
    candidate did not reach for a function or a loop.

    Example: the same eight lines of fit / predict / print metrics pasted for logistic
    regression, random forest and gradient boosting, with only the model changed.

    Do instead: write `def evaluate(model): ...` once (or loop over a dict of models)
    and call it; the comparison table then comes for free.
    """
    groups = copy_groups(ctx, params)
    code_cells = sum(1 for c in ctx.notebook.code_cells() if c.source.strip())
    findings = []
    for group in groups:
        original, *copies = group.cells
        severe = len(group.cells) >= 3 or group.lines >= params.severe_lines
        findings.append(
            Finding(
                message=f"Cell(s) {', '.join(map(str, copies))} repeat about {group.lines} lines of cell {original} "
                "with only names or values changed",
                severity=Severity.medium if severe else Severity.low,
                evidence=[
                    ctx.evidence(
                        cell,
                        group.spans[cell][0],
                        end_line=group.spans[cell][1],
                        note="original" if cell == original else f"copy of cell {original}",
                    )
                    for cell in [*copies, original][:8]
                ],
                data={"cells": list(group.cells), "lines": group.lines},
            )
        )
    copied = sum(len(g.cells) - 1 for g in groups)
    return CheckOutcome(
        findings=findings,
        score=1.0 - copied / code_cells if code_cells else 1.0,
        message=f"{len(groups)} group(s) of copy-pasted code ({copied} copied cell(s))",
    )


def copy_groups(ctx: CheckContext, params: CopyPasteParams) -> list[CopyGroup]:
    """Groups of code cells that are the same code with small edits."""
    cells = {code.index: _normalise(code.source) for code in ctx.code.parsed()}
    cells = {k: v for k, v in cells.items() if sum(1 for x in v if not x.trivial) >= params.min_lines}
    # Candidate pairs share lines; lines shared by very many cells say nothing.
    where: dict[str, set[int]] = {}
    for index, lines in cells.items():
        for item in lines:
            if not item.trivial:
                where.setdefault(item.key, set()).add(index)
    shared: dict[tuple[int, int], int] = {}
    for holders in where.values():
        if 1 < len(holders) <= 40:
            for pair in combinations(sorted(holders), 2):
                shared[pair] = shared.get(pair, 0) + 1
    pairs: dict[tuple[int, int], tuple[int, tuple[int, int], tuple[int, int]]] = {}
    for (a, b), count in sorted(shared.items(), key=lambda kv: -kv[1])[:3000]:
        # Distinct shared lines: a block that repeats one line twice shares fewer keys than lines.
        if count < max(2, params.min_lines // 2):
            continue
        match = _match(cells[a], cells[b], params)
        if match is not None:
            pairs[(a, b)] = match
    # Union the pairs into groups of copies.
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(b)] = find(a)
    members: dict[int, list[int]] = {}
    for a, b in pairs:
        for cell in (a, b):
            members.setdefault(find(cell), [])
            if cell not in members[find(cell)]:
                members[find(cell)].append(cell)
    groups = []
    for cells_in in members.values():
        ordered = tuple(sorted(cells_in))
        spans: dict[int, tuple[int, int]] = {}
        longest = 0
        for (a, b), (matched, span_a, span_b) in pairs.items():
            if a in ordered:
                longest = max(longest, matched)
                spans.setdefault(a, span_a)
                spans[b] = span_b
        groups.append(CopyGroup(ordered, spans, longest))
    return sorted(groups, key=lambda g: g.cells)


def _match(
    a: list[_Line], b: list[_Line], params: CopyPasteParams
) -> tuple[int, tuple[int, int], tuple[int, int]] | None:
    matcher = SequenceMatcher(None, [x.key for x in a], [x.key for x in b], autojunk=False)
    matched = 0
    tokens = 0
    longest = 0
    first_a = first_b = last_a = last_b = None
    for block in matcher.get_matching_blocks():
        run = 0
        for k in range(block.size):
            item = a[block.a + k]
            tokens += item.tokens
            if item.trivial:
                continue
            matched += 1
            run += 1
            if first_a is None:
                first_a, first_b = a[block.a + k].line, b[block.b + k].line
            last_a, last_b = a[block.a + k].line, b[block.b + k].line
        longest = max(longest, run)
    smaller = min(sum(1 for x in a if not x.trivial), sum(1 for x in b if not x.trivial))
    if matched < params.min_lines or tokens < params.min_tokens or smaller == 0:
        return None
    if matched / smaller < params.min_share and longest < params.min_lines:
        return None
    assert first_a is not None and first_b is not None and last_a is not None and last_b is not None
    return matched, (first_a, last_a), (first_b, last_b)


_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\f]+|\\\r?\n)
  | (?P<comment>\#[^\n]*)
  | (?P<newline>\r?\n)
  | (?P<string>[rRbBuUfF]{0,2}(?:\"\"\"(?:\\.|[^\\])*?\"\"\"|'''(?:\\.|[^\\])*?'''
                               |"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<number>(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%&|^@=!<>]=|\S)
""",
    re.VERBOSE,
)


def _tokens(source: str) -> list[tuple[str, str, int]]:
    """(kind, text, line) of the significant tokens, with `newline` only where a logical line ends.

    A regex scanner: several times faster than `tokenize`, and exact enough for comparing shapes.
    """
    found: list[tuple[str, str, int]] = []
    line = 1
    depth = 0
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup or "op"
        text = match.group()
        if kind == "newline":
            if depth == 0 and found and found[-1][0] != "newline":
                found.append(("newline", "", line))
        elif kind == "op":
            if text in "([{":
                depth += 1
            elif text in ")]}":
                depth = max(0, depth - 1)
            found.append((kind, text, line))
        elif kind not in ("space", "comment"):
            found.append((kind, text, line))
        line += text.count("\n")
    return found


def _closing(tokens: list[tuple[str, str, int]], opening: int) -> int:
    """Index of the bracket closing the one at `opening` (or of the last token of the line)."""
    depth = 0
    for n in range(opening, len(tokens)):
        kind, text, _ = tokens[n]
        if kind == "newline":
            return n - 1
        if text in "([{" and kind == "op":
            depth += 1
        elif text in ")]}" and kind == "op":
            depth -= 1
            if depth == 0:
                return n
    return len(tokens) - 1


def _normalise(source: str) -> list[_Line]:
    """Logical lines with names, numbers and strings replaced; attribute and call names kept."""
    tokens = _tokens(source)
    lines: list[_Line] = []
    current: list[str] = []
    start = 0
    depth = 0
    called: list[str] = []
    skip_to = -1
    for n, (kind, text, line) in enumerate(tokens):
        if n <= skip_to:
            continue
        if kind == "newline":
            if current:
                lines.append(_line(start, current, called))
            current, called, depth = [], [], 0
            continue
        if not current:
            start = line
        if kind == "op" and text in "([{":
            depth += 1
        elif kind == "op" and text in ")]}":
            depth -= 1
        if kind == "name":
            previous = tokens[n - 1][1] if n else ""
            following = tokens[n + 1][1] if n + 1 < len(tokens) else ""
            # Attributes, called names and keyword-argument names are the shape of the code; variables are not.
            if following == "(" and previous != "." and text[:1].isupper():
                # Swapping the estimator and its hyperparameters is the typical edit of a pasted block:
                # `LogisticRegression(max_iter=500)` and `RandomForestClassifier(max_depth=12)` read the same.
                current.extend(("Class", "(...)"))
                called.append(text)
                skip_to = _closing(tokens, n + 1)
            elif keyword.iskeyword(text) or previous == "." or following == "(" or (following == "=" and depth > 0):
                current.append(text)
                if following == "(":
                    called.append(text)
            else:
                current.append("_")
        elif kind == "number":
            current.append("0")
        elif kind == "string":
            current.append("''")
        else:
            current.append(text)
    if current:
        lines.append(_line(start, current, called))
    return lines


def _line(start: int, tokens: list[str], called: list[str]) -> _Line:
    trivial = (
        (len(tokens) < 5 and "Class" not in tokens)
        or tokens[0] in ("import", "from")
        or (bool(called) and called[0] in _BOILERPLATE and len(tokens) < 12)
        or all(t in ("_", "''", "0", "(", ")", ",", "print", "display", ".", "=") for t in tokens)
    )
    return _Line(start, " ".join(tokens), len(tokens), trivial)
