"""Fingerprint sets per notebook, and the score of a pair with the cells that match.

The score is the share of the smaller notebook's fingerprints found in the other:
dead code or extra work added to a copy does not dilute it, and a candidate who
pasted a whole public solution into a longer notebook still scores near 1. It is
taken over code alone and over code with markdown, and the higher counts, so a
copy whose markdown was reworded is judged on its code.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from grader.similarity.boilerplate import Boilerplate
from grader.similarity.fingerprint import CellKind, NotebookUnits, kgram_hashes, winnow
from grader.similarity.models import SimilarityParams, SimilarPair


@dataclass
class NotebookPrint:
    """One notebook's fingerprints (boilerplate removed) and the cells each occurs in."""

    name: str
    code: set[int] = field(default_factory=set)
    markdown: set[int] = field(default_factory=set)
    cells: dict[int, list[int]] = field(default_factory=dict)
    reference: bool = False

    @property
    def fingerprints(self) -> set[int]:
        return self.code | self.markdown

    @property
    def size(self) -> int:
        return len(self.code) + len(self.markdown)

    @cached_property
    def cell_sizes(self) -> Counter[int]:
        """How many fingerprints each cell holds."""
        return Counter(itertools.chain.from_iterable(self.cells.values()))

    @cached_property
    def first_cell(self) -> dict[int, int]:
        return {fp: cells[0] for fp, cells in self.cells.items()}

    @cached_property
    def repeated(self) -> set[int]:
        """Fingerprints found in more than one cell."""
        return {fp for fp, cells in self.cells.items() if len(cells) > 1}

    def without(self, fingerprints: set[int]) -> NotebookPrint:
        """The same notebook with these fingerprints removed."""
        return NotebookPrint(
            self.name,
            self.code - fingerprints,
            self.markdown - fingerprints,
            {fp: cells for fp, cells in self.cells.items() if fp not in fingerprints},
            self.reference,
        )


def fingerprint(
    notebook: NotebookUnits, params: SimilarityParams, boilerplate: Boilerplate, *, reference: bool = False
) -> NotebookPrint:
    """Winnowed k-grams of the code and word shingles of the markdown, minus boilerplate, each with its cell.

    The code cells are one token stream in notebook order (and the markdown cells another), so
    splitting or merging cells changes nothing; a fingerprint belongs to the cell its k-gram starts in.
    """
    result = NotebookPrint(notebook.name, reference=reference)
    for kind, found in ((CellKind.code, result.code), (CellKind.markdown, result.markdown)):
        tokens: list[int] = []
        owners: list[int] = []
        for cell in notebook.cells:
            if cell.kind != kind:
                continue
            for unit in cell.units:
                if unit.key not in boilerplate.units:
                    tokens += unit.tokens
                    owners += [cell.index] * len(unit.tokens)
        if not tokens:
            continue
        if kind == CellKind.code:
            hashes = kgram_hashes(tokens, params.k)
            positions = winnow(hashes, params.window)
        else:
            hashes = kgram_hashes(tokens, min(params.markdown_k, len(tokens)))
            positions = list(range(len(hashes)))
        values = hashes.tolist()
        for position in positions:
            value = values[position]
            if value in boilerplate.fingerprints:
                continue
            cells = result.cells.get(value)
            if cells is None:
                result.cells[value] = [owners[position]]
                found.add(value)
            elif owners[position] not in cells:
                cells.append(owners[position])
    return result


@dataclass(frozen=True)
class PairScore:
    """How much two notebooks share; cheap to compute for every candidate."""

    score: float
    code_score: float
    shared: set[int]

    def reported(self, params: SimilarityParams) -> bool:
        """Whether the pair is strong enough to show a reviewer."""
        return self.score >= params.threshold and len(self.shared) >= params.min_matched


def _containment(shared: int, left: int, right: int, minimum: int) -> float:
    smaller = min(left, right)
    return shared / smaller if smaller >= minimum else 0.0


def score(a: NotebookPrint, b: NotebookPrint, params: SimilarityParams) -> PairScore:
    """The share of the smaller notebook found in the other, over code and over everything."""
    shared_code = a.code & b.code
    shared = shared_code | (a.markdown & b.markdown)
    code_score = _containment(len(shared_code), len(a.code), len(b.code), params.min_fingerprints)
    all_score = _containment(len(shared), a.size, b.size, params.min_fingerprints)
    return PairScore(score=max(code_score, all_score), code_score=code_score, shared=shared)


def similar_pair(a: NotebookPrint, b: NotebookPrint, scored: PairScore, params: SimilarityParams) -> SimilarPair:
    """A scored pair as reported, with its matching cells."""
    return SimilarPair(
        a=a.name,
        b=b.name,
        score=round(scored.score, 4),
        code_score=round(scored.code_score, 4),
        matched=len(scored.shared),
        a_fingerprints=a.size,
        b_fingerprints=b.size,
        matched_cells=matched_cells(a, b, scored.shared, params.cell_min_matched),
        reference=b.reference,
    )


def compare(a: NotebookPrint, b: NotebookPrint, params: SimilarityParams) -> SimilarPair:
    """Score one pair and list its matching cells (whether or not it would be reported)."""
    return similar_pair(a, b, score(a, b, params), params)


def matched_cells(a: NotebookPrint, b: NotebookPrint, shared: set[int], minimum: int) -> list[tuple[int, int]]:
    """Cell pairs that share at least `minimum` fingerprints, or every fingerprint of the smaller cell."""
    values = list(shared)
    # Nearly every fingerprint is in one cell: count those pairs in one pass, then add the rest.
    counts: Counter[tuple[int, int]] = Counter(
        zip(map(a.first_cell.__getitem__, values), map(b.first_cell.__getitem__, values), strict=True)
    )
    for value in shared & (a.repeated | b.repeated):
        for cell_a in a.cells[value]:
            for cell_b in b.cells[value]:
                if (cell_a, cell_b) != (a.first_cell[value], b.first_cell[value]):
                    counts[(cell_a, cell_b)] += 1
    sizes_a, sizes_b = a.cell_sizes, b.cell_sizes
    return sorted(pair for pair, n in counts.items() if n >= minimum or n >= min(sizes_a[pair[0]], sizes_b[pair[1]]))
