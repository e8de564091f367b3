"""The side-by-side page of a similar pair: the matching cells of both notebooks, row by row.

Both sides are candidate content (or a public solution someone collected), so both
are hostile: code is escaped by Pygments, markdown is rendered and sanitised with nh3,
blind mode redacts e-mail addresses and personal paths, and the page runs no script
under the same Content-Security-Policy as every report. Links go to the two reports
and the batch summary only, built from URL-quoted names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from grader.rendering.cells import highlight_code
from grader.rendering.page import render_page
from grader.rendering.sanitize import markdown_html
from grader.report.redact import redact
from grader.similarity.models import SimilarPair

#: Rows shown on one page; a pair matching more cells than this says how many were left out.
MAX_ROWS = 300


@dataclass(frozen=True)
class Side:
    """One notebook of the pair: who it is, where its report is, and its cells by global index."""

    label: str
    #: The report's link relative to the page (None for a reference solution, which has no report).
    report_href: str | None
    #: Global cell index → (kind, source).
    cells: Mapping[int, tuple[str, str]]


@dataclass
class CellView:
    index: int
    kind: str
    html: Markup


@dataclass
class MatchRow:
    """Cells that match each other: one on each side, or several when a copy split or merged cells."""

    left: list[CellView]
    right: list[CellView]


@dataclass
class SimilarityPage:
    title: str
    pair: SimilarPair
    a: Side
    b: Side
    rows: list[MatchRow]
    hidden_rows: int
    index_href: str


def report_link(submission: str) -> str:
    """A report's link from a page in the batch's `similarity/` folder."""
    return "../" + quote(submission, safe="") + "/report.html"


def _cell(side: Side, index: int, *, blind: bool) -> CellView:
    kind, source = side.cells.get(index, ("missing", ""))
    if kind == "markdown":
        html = markdown_html(source, blind=blind)
    elif kind == "code":
        html = highlight_code(redact(source) if blind else source)
    else:
        html = Markup('<p class="muted">(this cell is not in the notebook any more)</p>')
    return CellView(index=index, kind=kind, html=html)


def groups(matched: list[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
    """Matched cell pairs joined into groups of cells that match each other, in the first notebook's order.

    A cell split in two by a copier matches both halves: they are shown as one row, not twice.
    """
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(node, node) != node:
            node = parent[node] = parent[parent[node]]
        return node

    for left, right in matched:
        parent[root(("a", left))] = root(("b", right))
    members: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    for left, right in matched:
        group = members.setdefault(root(("a", left)), ([], []))
        for side, index in ((group[0], left), (group[1], right)):
            if index not in side:
                side.append(index)
    return sorted(((sorted(a), sorted(b)) for a, b in members.values()), key=lambda g: (g[0][0], g[1][0]))


def build_similarity_page(pair: SimilarPair, a: Side, b: Side, *, blind: bool = False) -> SimilarityPage:
    """The page's view: one row per group of matching cells, in the first notebook's order."""
    grouped = groups(pair.matched_cells)
    shown = grouped[:MAX_ROWS]
    rows = [
        MatchRow([_cell(a, i, blind=blind) for i in left], [_cell(b, i, blind=blind) for i in right])
        for left, right in shown
    ]
    what = "a known public solution" if pair.reference else "another submission"
    return SimilarityPage(
        title=f"{a.label} and {b.label} — similar to {what}",
        pair=pair,
        a=a,
        b=b,
        rows=rows,
        hidden_rows=len(grouped) - len(shown),
        index_href="../index.html",
    )


def render_similarity_html(pair: SimilarPair, a: Side, b: Side, *, blind: bool = False) -> str:
    """One self-contained page (no script) showing a pair's matched cells side by side."""
    return render_page("similarity.html.j2", page=build_similarity_page(pair, a, b, blind=blind))
