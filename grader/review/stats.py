"""Agreement statistics for calibration: Spearman's ρ, quadratic-weighted κ, mean absolute difference.

Plain Python over short lists (a batch is tens of candidates); no NumPy or SciPy at run time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r, or None when it is undefined (fewer than two pairs, or a constant side)."""
    if len(x) != len(y):
        raise ValueError("pearson needs two sequences of the same length")
    n = len(x)
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 0 or syy <= 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's ρ: Pearson's r of the average ranks (ties handled), None when undefined."""
    return pearson(average_ranks(x), average_ranks(y))


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int], categories: int) -> float | None:
    """Cohen's κ with quadratic weights for ordered categories `0 .. categories-1`.

    1 is perfect agreement, 0 what chance gives; None when undefined (no pairs, or both
    raters put everyone in one and the same category).
    """
    if len(a) != len(b):
        raise ValueError("kappa needs two sequences of the same length")
    n = len(a)
    if n == 0 or categories < 2:
        return None
    if any(not 0 <= v < categories for v in (*a, *b)):
        raise ValueError(f"categories must lie in 0..{categories - 1}")
    observed = [[0.0] * categories for _ in range(categories)]
    for i, j in zip(a, b, strict=True):
        observed[i][j] += 1
    row = [sum(observed[i]) for i in range(categories)]
    col = [sum(observed[i][j] for i in range(categories)) for j in range(categories)]
    scale = (categories - 1) ** 2
    disagreement = expected = 0.0
    for i in range(categories):
        for j in range(categories):
            weight = (i - j) ** 2 / scale
            disagreement += weight * observed[i][j]
            expected += weight * row[i] * col[j] / n
    if expected == 0:  # both raters put everyone in the same single category
        return None
    return 1.0 - disagreement / expected


def mean_absolute_difference(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Mean of |x - y|, None for no pairs."""
    if len(x) != len(y):
        raise ValueError("mean_absolute_difference needs two sequences of the same length")
    return sum(abs(a - b) for a, b in zip(x, y, strict=True)) / len(x) if x else None
