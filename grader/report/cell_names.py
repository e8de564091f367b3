"""Name cells the way a reviewer sees them: `<notebook> cell <index in that notebook>`.

Checks and triage number cells across all of a submission's notebooks (the global index
evidence uses), which reads fine for one notebook and misleads for several: "cell 42" is
`task2.ipynb`'s cell 8. Once a report is assembled, every evidence entry gets its
notebook and local index, and, when several notebooks were graded, every "cell N" in the
report's texts (messages, notes, reasons) becomes "task2.ipynb cell 8".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.models.notebook import NotebookView

#: "cell 12", "Cell 12", "cells 3, 4 and 9", "cells 3–7".
CELL_REFERENCE = re.compile(r"\b(?P<word>[Cc]ells?) (?P<numbers>\d+(?:(?:, | and |–|-| to )\d+)*)\b")
_NUMBER = re.compile(r"\d+")
#: Report fields whose text may name cells.
TEXT_FIELDS = frozenset(
    {"message", "reason", "note", "question", "triage_note", "first_failure", "detail", "claimed_evidence"}
)


@dataclass(frozen=True)
class CellNames:
    """Global cell index → (notebook, local index) for one submission."""

    places: dict[int, tuple[str, int]]

    @classmethod
    def from_cells(cls, cells: Iterable[tuple[int, str, int]]) -> CellNames:
        """From (global index, notebook, local index) triples, e.g. a `NotebookView`'s cells."""
        return cls({index: (notebook, local) for index, notebook, local in cells})

    @classmethod
    def of_view(cls, view: NotebookView) -> CellNames:
        """The names of a notebook view's cells."""
        return cls.from_cells((c.index, c.notebook, c.local_index) for c in view.cells)

    @property
    def several_notebooks(self) -> bool:
        return len({notebook for notebook, _ in self.places.values()}) > 1

    def label(self, index: int) -> str:
        """`task2.ipynb cell 8` (or `cell 8` when the submission has one notebook)."""
        place = self.places.get(index)
        if place is None or not self.several_notebooks:
            return f"cell {index}"
        return f"{place[0]} cell {place[1]}"

    def relabel(self, text: str) -> str:
        """Every "cell N" of a text, named with its notebook and local index (several notebooks only)."""
        if not self.several_notebooks or "ell" not in text:
            return text
        return CELL_REFERENCE.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        numbers = [int(n) for n in _NUMBER.findall(match.group("numbers"))]
        places = [self.places.get(n) for n in numbers]
        if any(p is None for p in places):
            return match.group(0)
        notebooks = {p[0] for p in places if p is not None}
        if len(notebooks) == 1:
            notebook = notebooks.pop()
            local = iter(str(p[1]) for p in places if p is not None)
            shown = _NUMBER.sub(lambda _: next(local), match.group("numbers"))
            return f"{notebook} {match.group('word').lower()} {shown}"
        return ", ".join(self.label(n) for n in numbers)


def name_cells(report_data: dict[str, Any], names: CellNames) -> dict[str, Any]:
    """A report (as JSON data) with each evidence's notebook and local cell, and cells named in its texts."""
    named: dict[str, Any] = _walk(report_data, names)
    return named


def _walk(value: Any, names: CellNames, key: str = "") -> Any:
    if isinstance(value, dict):
        out = {k: _walk(v, names, k) for k, v in value.items()}
        if "source" in out and isinstance(out.get("cell"), int) and "local_cell" in out:
            place = names.places.get(out["cell"])
            if place is not None:
                out["notebook"] = out.get("notebook") or place[0]
                out["local_cell"] = place[1]
        return out
    if isinstance(value, list):
        return [_walk(v, names, key) for v in value]
    if isinstance(value, str) and key in TEXT_FIELDS:
        return names.relabel(value)
    return value
