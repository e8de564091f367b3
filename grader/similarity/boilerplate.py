"""Code that is not evidence of copying, removed before notebooks are compared.

Four sources: the assignment's starter code (everyone got it), a `--base` folder of
code everyone may use, imports (dropped while normalising), and lines common to a
large share of the batch (`pd.read_csv(...)`, `train_test_split(...)` written the
way everybody writes them). Each is removed at two levels: whole normalised lines
(statements or markdown lines) and fingerprints, which also catch multi-line
snippets of the starter code that were re-indented or split differently.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from grader.similarity.fingerprint import NotebookUnits


@dataclass
class Boilerplate:
    """Normalised lines and fingerprints to drop from every notebook."""

    units: set[int] = field(default_factory=set)
    fingerprints: set[int] = field(default_factory=set)

    def __or__(self, other: Boilerplate) -> Boilerplate:
        return Boilerplate(units=self.units | other.units, fingerprints=self.fingerprints | other.fingerprints)


def common_threshold(notebooks: int, share: float, minimum: int) -> int:
    """How many notebooks a line must appear in to be common to the batch."""
    return max(minimum, math.ceil(share * notebooks))


def common_units(notebooks: Sequence[NotebookUnits], *, share: float, minimum: int) -> set[int]:
    """Normalised lines that appear in at least `share` of the notebooks (and `minimum` of them)."""
    counts: Counter[int] = Counter()
    for notebook in notebooks:
        counts.update(notebook.unit_keys())
    needed = common_threshold(len(notebooks), share, minimum)
    return {key for key, n in counts.items() if n >= needed}


def common_fingerprints(sets: Iterable[set[int]], count: int, *, share: float, minimum: int) -> set[int]:
    """Fingerprints found in at least `share` of `count` notebooks (MOSS's "-m" option)."""
    counts: Counter[int] = Counter()
    for fingerprints in sets:
        counts.update(fingerprints)
    needed = common_threshold(count, share, minimum)
    return {fp for fp, n in counts.items() if n >= needed}
