"""Geometry for the small inline-SVG charts; the templates draw them, no JavaScript involved."""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

LABEL_WIDTH = 230
BAR_WIDTH = 360
VALUE_WIDTH = 110
ROW_HEIGHT = 30


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Bar:
    label: str
    full_label: str
    y: float
    score_width: float
    pending_x: float
    pending_width: float
    value: str
    level: str  # good | fair | poor | none


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bar_width: int
    row_height: int
    bars: list[Bar]


def _level(fraction: float | None) -> str:
    if fraction is None:
        return "none"
    if fraction >= 0.75:
        return "good"
    if fraction >= 0.5:
        return "fair"
    return "poor"


def criterion_bars(rows: Sequence[tuple[str, float, float, float]]) -> BarChart:
    """Horizontal bars of score per criterion from (title, score, pending, possible) rows."""
    bars = []
    for n, (title, score, pending, possible) in enumerate(rows):
        scale = BAR_WIDTH / possible if possible > 0 else 0.0
        score_width = max(0.0, min(score, possible)) * scale
        pending_width = max(0.0, min(pending, possible - score)) * scale
        scored = possible - pending
        fraction = score / scored if scored > 0 else None
        value = f"{score:g} / {possible:g}" + (f" (+{pending:g} pending)" if pending else "")
        bars.append(
            Bar(
                label=_short(title),
                full_label=title,
                y=n * ROW_HEIGHT,
                score_width=round(score_width, 1),
                pending_x=round(LABEL_WIDTH + score_width, 1),
                pending_width=round(pending_width, 1),
                value=value,
                level=_level(fraction),
            )
        )
    return BarChart(
        width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH + 40,
        height=max(1, len(bars)) * ROW_HEIGHT + 4,
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
        row_height=ROW_HEIGHT,
        bars=bars,
    )


# --------------------------------------------------------------------------- batch distributions

STRIP_WIDTH = 300
STRIP_HEIGHT = 34


@dataclass
class Dot:
    x: float
    y: float
    title: str


@dataclass
class Strip:
    """One criterion's scores across candidates: a dot per candidate and the median."""

    label: str
    full_label: str
    possible: float
    dots: list[Dot] = field(default_factory=list)
    median_x: float | None = None
    median: float | None = None
    ticks: list[tuple[float, str]] = field(default_factory=list)


def _jitter(name: str) -> float:
    # Deterministic: the same batch always draws the same picture.
    return int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) / 0xFFFF


def strip_plot(label: str, possible: float, values: Sequence[tuple[str, float]]) -> Strip:
    """Dots for (candidate, score) on a 0..possible axis."""
    scale = STRIP_WIDTH / possible if possible > 0 else 0.0
    strip = Strip(label=_short(label, 28), full_label=label, possible=possible)
    for name, value in values:
        x = max(0.0, min(value, possible)) * scale
        strip.dots.append(
            Dot(
                x=round(x, 1),
                y=round(6 + _jitter(name) * (STRIP_HEIGHT - 16), 1),
                title=f"{name}: {value:g} / {possible:g}",
            )
        )
    if values:
        strip.median = round(statistics.median(v for _, v in values), 2)
        strip.median_x = round(max(0.0, min(strip.median, possible)) * scale, 1)
    strip.ticks = [(round(f * STRIP_WIDTH, 1), f"{possible * f:g}") for f in (0, 0.5, 1)]
    return strip


@dataclass
class HistogramBin:
    x: float
    width: float
    height: float
    y: float
    count: int
    title: str


@dataclass
class Histogram:
    width: int
    height: int
    bins: list[HistogramBin]
    ticks: list[tuple[float, str]]


def percent_histogram(percents: Sequence[float], *, bins: int = 10, width: int = 420, height: int = 120) -> Histogram:
    """Counts of total percentages in `bins` equal bins over 0–100."""
    counts = [0] * bins
    for p in percents:
        counts[min(bins - 1, max(0, int(p // (100 / bins))))] += 1
    top = max(counts) or 1
    plot_height = height - 20
    step = width / bins
    out = []
    for n, count in enumerate(counts):
        h = plot_height * count / top
        low, high = n * 100 / bins, (n + 1) * 100 / bins
        out.append(
            HistogramBin(
                x=round(n * step + 1, 1),
                width=round(step - 2, 1),
                height=round(h, 1),
                y=round(plot_height - h, 1),
                count=count,
                title=f"{low:g}–{high:g} %: {count} candidate{'s' if count != 1 else ''}",
            )
        )
    ticks = [(round(width * f, 1), f"{100 * f:g} %") for f in (0, 0.25, 0.5, 0.75, 1)]
    return Histogram(width=width, height=height, bins=out, ticks=ticks)
