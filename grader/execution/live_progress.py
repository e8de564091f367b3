"""Live "cell i of n" while a notebook runs, read from the sandbox's `cells.jsonl`.

The executor appends one JSON line per code cell it starts (`{"notebook": 1, "notebooks": 1,
"cell": 7, "cells": 23}`) to its writable output volume, which candidate code can also write to.
So the host treats the file as hostile: bounded in size and line count, each line a JSON object
with exactly those four keys, plain ints in range, or it is skipped. A candidate can at worst
make the progress display wrong or empty; nothing else reads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

#: The largest progress file read (larger: nothing is reported).
MAX_FILE_BYTES = 1024 * 1024
#: A line longer than this is skipped without parsing.
MAX_LINE_BYTES = 200
MAX_CELLS = 100_000
MAX_NOTEBOOKS = 1_000
_KEYS = frozenset({"notebook", "notebooks", "cell", "cells"})


@dataclass(frozen=True)
class CellProgress:
    """Which code cell (1-based) of how many is running, in which notebook of how many."""

    notebook: int
    notebooks: int
    cell: int
    cells: int

    def text(self) -> str:
        """ "cell 7 of 23", with the notebook when there are several."""
        shown = f"cell {self.cell} of {self.cells}"
        if self.notebooks > 1:
            shown += f" (notebook {self.notebook} of {self.notebooks})"
        return shown

    def as_dict(self) -> dict[str, int]:
        return {"notebook": self.notebook, "notebooks": self.notebooks, "cell": self.cell, "cells": self.cells}


#: Called with each cell as it starts.
CellListener = Callable[[CellProgress], None]


def _int(value: object, low: int, high: int) -> int | None:
    # bool is an int subclass: `true` is not a cell number.
    if type(value) is not int or not low <= value <= high:
        return None
    return value


def parse_cell_line(line: bytes) -> CellProgress | None:
    """One line of `cells.jsonl`, or None when it is not exactly what the executor writes."""
    if len(line) > MAX_LINE_BYTES:
        return None
    try:
        raw = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(raw, dict) or set(raw) != _KEYS:
        return None
    notebooks = _int(raw["notebooks"], 1, MAX_NOTEBOOKS)
    cells = _int(raw["cells"], 1, MAX_CELLS)
    if notebooks is None or cells is None:
        return None
    notebook = _int(raw["notebook"], 1, notebooks)
    cell = _int(raw["cell"], 1, cells)
    if notebook is None or cell is None:
        return None
    return CellProgress(notebook=notebook, notebooks=notebooks, cell=cell, cells=cells)


def parse_cells(data: bytes) -> list[CellProgress]:
    """Every valid line of `cells.jsonl` in order; an oversized file yields nothing."""
    if len(data) > MAX_FILE_BYTES:
        return []
    found = []
    for line in data.splitlines():
        parsed = parse_cell_line(line)
        if parsed is not None:
            found.append(parsed)
    return found


class CellFeed:
    """Hands each newly started cell to a listener once, however often the file is read."""

    def __init__(self, listener: CellListener | None) -> None:
        self.listener = listener
        self.seen = 0

    def update(self, data: bytes) -> None:
        """Pass on the cells of `data` beyond those already passed on; a listener's error stops the feed."""
        if self.listener is None:
            return
        cells = parse_cells(data)
        fresh, self.seen = cells[self.seen :], max(self.seen, len(cells))
        for cell in fresh:
            try:
                self.listener(cell)
            except Exception:  # noqa: BLE001 - a display must never break grading
                self.listener = None
                return
