"""Metric values the notebook's own outputs show: printed lines, tables, bare results.

Read from the outputs that count (`Observations.output_cells`, the one rule for trusted
outputs): `Accuracy: 0.8212`, `{'roc_auc': 0.87}`, `R^2 Score: 0.1241`; tables whose header
names metrics (a DataFrame of models by metric, a classification report), each value taken
from the column it sits under; and a bare number (or an array of them) printed by a cell
whose code computes a single kind of metric (`accuracy_score(y_test, pred)` → `0.8212`).
Each value keeps the line it came from and the model and split that line (or its table
row, or the heading line above it) names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from statistics import mean

from grader.evidence.ml.vocabulary import METRIC_FUNCTIONS, Measure, measures_from_scoring
from grader.evidence.narrative.metric_text import (
    RATIO_MEASURES,
    MetricMention,
    Number,
    as_share,
    metric_mentions,
    models_in,
    numbers_in,
    split_of,
)
from grader.models.findings import EvidenceSource
from grader.models.notebook import Cell

MAX_LINES_PER_OUTPUT = 400
_FOLD_BEFORE = re.compile(
    r"(?:fold|split|iter\w*|epoch|k|n|#|step|round|trial|seed|class|label|degree)\s*[:=]?\s*$", re.I
)
_BARE = re.compile(r"^\s*(?:np\.float\d*\()?\s*(?P<num>-?\d*\.?\d+(?:e-?\d+)?)\s*\)?\s*$")
_ARRAY = re.compile(r"^\s*(?:array\()?\[\s*([-\d.e\s,]+)\]\)?\s*$")
#: Metrics a candidate states as a number (curves, confusion matrices and the like are not).
_CLAIMABLE = RATIO_MEASURES | {Measure.rmse, Measure.mse, Measure.mae, Measure.mape, Measure.log_loss}
_MEASURED = {name: measures & _CLAIMABLE for name, measures in METRIC_FUNCTIONS.items()}
#: A results table's column named for a score and the rows it was measured on, but not the metric
#: (`Score_train  Score_test`, `test_accuracy` aside): the estimator's own score, per split.
_SPLIT = r"(?:test|testing|train|training|val|valid|validation|cv)"
_SCORE_COLUMN = re.compile(rf"\b(?:{_SPLIT}[_ ]?score|score[_ ]?{_SPLIT})\b", re.IGNORECASE)


@dataclass(frozen=True)
class ReportedValue:
    """One metric value an output shows."""

    measure: Measure
    value: float
    cell: int
    #: The output line the value is on (trimmed).
    text: str
    source: EvidenceSource
    #: The model family the line, its table row or its heading names.
    model: str | None = None
    #: `train` or `test` when the line, row or heading says which rows.
    split: str | None = None


def reported_values(cells: list[tuple[Cell, EvidenceSource]]) -> list[ReportedValue]:
    """Every metric value the given cells' outputs show, in notebook order."""
    found: list[ReportedValue] = []
    for cell, source in cells:
        single = _single_measure(cell.source)
        for output in cell.outputs:
            if output.output_type == "error" or not output.text:
                continue
            lines = output.text.splitlines()[:MAX_LINES_PER_OUTPUT]
            found.extend(_read_output(lines, cell.index, source, single))
    return found


def _single_measure(code: str) -> Measure | None:
    """The one kind of metric a cell's code computes, if it computes exactly one."""
    measures: set[Measure] = set()
    for name in re.findall(r"\b([a-z_]+)\s*\(", code):
        measures |= _MEASURED.get(name, frozenset())
    for scoring in re.findall(r"scoring\s*=\s*[\"']([a-z_0-9]+)[\"']", code):
        measures |= measures_from_scoring(scoring) & _CLAIMABLE
    return next(iter(measures)) if len(measures) == 1 else None


def _read_output(lines: list[str], cell: int, source: EvidenceSource, single: Measure | None) -> list[ReportedValue]:
    found: list[ReportedValue | None] = []
    header: list[MetricMention] | None = None
    #: Columns of the current table header that name their split, by where they end.
    column_splits: dict[int, str | None] = {}
    heading = ""
    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            continue
        mentions = metric_mentions(line)
        numbers = list(numbers_in(line))
        if not mentions and not numbers and _SCORE_COLUMN.search(line):
            columns = list(_SCORE_COLUMN.finditer(line))
            header = [MetricMention(Measure.default, c.start(), c.end()) for c in columns]
            column_splits = {c.end(): split_of(c.group(0).replace("_", " ")) for c in columns}
            continue
        context = f"{heading} {line}" if heading and line[:1].isspace() else line
        pairs = _values_of(line, mentions, numbers) if mentions else []
        if pairs:
            start = 0
            for measure, number, mention_start in pairs:
                # Each value's own words ("Train accuracy: 1.0, test accuracy: 0.82"), then the heading's.
                own = line[start:mention_start] + " " + line[mention_start : number.start]
                found.append(_value(measure, number, cell, line, source, own, context))
                start = number.end
        elif mentions and not numbers:
            header, column_splits = mentions, {}
        elif header is not None and numbers:
            placed = [(number, _column(header, number)) for number in numbers]
            # The row's label runs up to its first value under a column (a printed index number included).
            first = next((number for number, column in placed if column is not None), numbers[0])
            label = line[: first.start]
            for number, column in placed:
                if column is None:
                    continue
                value = _value(column.measure, number, cell, line, source, f"{heading} {label}")
                if value is not None and column_splits.get(column.end) is not None:
                    value = replace(value, split=column_splits[column.end])
                found.append(value)
        elif single is not None and not mentions:
            found.extend(_bare(line, single, cell, source, context))
        elif not numbers:
            header = None  # prose between tables
        if line.endswith(":") and not numbers:
            heading = line.strip()
    return [v for v in found if v is not None]


def _values_of(line: str, mentions: list[MetricMention], numbers: list[Number]) -> list[tuple[Measure, Number, int]]:
    """Each metric named on a line with the first plausible number after it (and where its name starts)."""
    pairs = []
    for n, mention in enumerate(mentions):
        stop = mentions[n + 1].start if n + 1 < len(mentions) else mention.end + 60
        for number in numbers:
            if number.start < mention.end or number.start >= stop:
                continue
            gap = line[mention.end : number.start]
            if _FOLD_BEFORE.search(gap) or len(re.findall(r"[A-Za-z]{2,}", gap)) > 4:
                continue
            if as_share(mention.measure, number) is not None:
                pairs.append((mention.measure, number, mention.start))
                break
    return pairs


def _column(header: list[MetricMention], number: Number) -> MetricMention | None:
    """The header metric a table value sits under (right-aligned, as pandas and scikit-learn print)."""
    best = min(header, key=lambda m: abs(m.end - number.end))
    if abs(best.end - number.end) <= 4 or best.start - 2 <= number.start <= best.end + 2:
        return best
    return None


def _bare(line: str, measure: Measure, cell: int, source: EvidenceSource, context: str) -> list[ReportedValue]:
    match = _BARE.match(line)
    if match is not None:
        number = next(numbers_in(match.group("num")), None)
        value = _value(measure, number, cell, line, source, context) if number is not None else None
        return [value] if value is not None else []
    array = _ARRAY.match(line)
    if array is None:
        return []
    values = [as_share(measure, n) for n in numbers_in(array.group(1).replace(",", " "))]
    kept = [v for v in values if v is not None]
    if len(kept) < 2:
        return []
    spread = [*kept, mean(kept)]
    return [ReportedValue(measure, v, cell, line.strip()[:200], source, *_model_and_split(context)) for v in spread]


def _value(
    measure: Measure, number: Number, cell: int, line: str, source: EvidenceSource, own: str, context: str = ""
) -> ReportedValue | None:
    value = as_share(measure, number)
    if value is None:
        return None
    model, split = _model_and_split(own)
    if context and (model is None or split is None):
        around, around_split = _model_and_split(context)
        model, split = model or around, split or around_split
    return ReportedValue(measure, value, cell, line.strip()[:200], source, model, split)


def _model_and_split(context: str) -> tuple[str | None, str | None]:
    models = models_in(context)
    return (models[0][0] if len(models) == 1 else None), split_of(context)
