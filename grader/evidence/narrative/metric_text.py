"""How metrics, their values and models are written in prose and printed outputs.

Shared by the candidate's stated results (`claims`) and the values the notebook's own
outputs show (`reported`): metric names (`ROC AUC`, `r2_score`, `R²`, `f1-score`) mapped to
a `Measure`, numbers as people write them (`0.87`, `87 %`, `.87`, `4,261`, `0.5–0.6`), and
model families by their usual names (`Random Forest`, `RandomForestClassifier`, `RF`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from grader.evidence.ml.vocabulary import Measure

#: Metric names, most specific first: a span claimed by one is not read again by a later one.
_METRIC_PATTERNS: tuple[tuple[Measure, str], ...] = (
    (
        Measure.average_precision,
        r"average[\s_-]*precision|avg[\s_-]*precision|pr[\s_-]*auc|auprc|auc[\s_-]*pr\b|(?-i:(?<![\w-])AP(?![\w-]))",
    ),
    (Measure.balanced_accuracy, r"balanced[\s_-]*accuracy"),
    (Measure.roc_auc, r"roc[\s_-]*auc|auc[\s_-]*roc|auroc|roc[\s_-]*score|(?<![\w-])auc(?![\w-])"),
    (Measure.rmse, r"(?<![\w-])rmse(?![\w-])|root[\s_-]*mean[\s_-]*squared[\s_-]*error"),
    (Measure.mape, r"(?<![\w-])mape(?![\w-])|mean[\s_-]*absolute[\s_-]*percentage[\s_-]*error"),
    (Measure.mse, r"(?<![\w-])mse(?![\w-])|mean[\s_-]*squared[\s_-]*error"),
    (Measure.mae, r"(?<![\w-])mae(?![\w-])|mean[\s_-]*absolute[\s_-]*error"),
    (
        Measure.r2,
        r"(?<![\w-])r2(?:[\s_-]*score)?(?![\w-])|r²|r\^2|r-squared|r\s+squared|coefficient\s+of\s+determination",
    ),
    (Measure.log_loss, r"log[\s_-]*loss|cross[\s_-]*entropy"),
    (Measure.f1, r"(?<![\w-])f1(?:[\s_-]*score)?(?![\w])|f-score|f-measure"),
    (Measure.accuracy, r"accuracy|(?<![\w-])acc(?![\w-])"),
    (Measure.precision, r"(?<![\w-])precision"),
    (Measure.recall, r"(?<![\w-])recall|sensitivity"),
)
_METRIC_RES = tuple((m, re.compile(p, re.IGNORECASE)) for m, p in _METRIC_PATTERNS)

#: Metrics whose values are shares (0-1, or written as a percentage).
RATIO_MEASURES = frozenset(
    {
        Measure.accuracy,
        Measure.balanced_accuracy,
        Measure.roc_auc,
        Measure.average_precision,
        Measure.f1,
        Measure.precision,
        Measure.recall,
        Measure.r2,
    }
)
#: How far "about 0.72" (a share) may be from the value: a point of the last decimal, at least one percentage point.
APPROXIMATE_RATIO = 0.01
#: Metrics where a lower value is better.
LOWER_IS_BETTER = frozenset({Measure.rmse, Measure.mse, Measure.mae, Measure.mape, Measure.log_loss})


@dataclass(frozen=True)
class MetricMention:
    measure: Measure
    start: int
    end: int


def metric_mentions(text: str) -> list[MetricMention]:
    """Every metric name in `text`, left to right, no two overlapping."""
    taken: list[tuple[int, int]] = []
    found = []
    for measure, pattern in _METRIC_RES:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            found.append(MetricMention(measure, *span))
    return sorted(found, key=lambda m: m.start)


#: A number as written: not glued to a word, a dot, `@` or a path (`f1@0.30`, `x2`, `v1.2.3`).
NUMBER = re.compile(
    r"(?<![\w@./\\^-])(?P<sign>-)?\$?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?![\w.]\d|[\w])"
    r"(?:\s*(?P<pct>%|percent\b))?"
)


@dataclass(frozen=True)
class Number:
    """A number in text: its value (a percentage kept as written), decimals shown, and where it is."""

    value: float
    decimals: int
    percent: bool
    start: int
    end: int


def parse_number(match: re.Match[str]) -> Number | None:
    """The `Number` of a `NUMBER` match (None when it is not finite)."""
    raw = match.group("num").replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return None
    if match.group("sign"):
        value = -value
    if not math.isfinite(value):
        return None
    decimals = len(raw.split(".", 1)[1]) if "." in raw else 0
    return Number(value, decimals, bool(match.group("pct")), match.start(), match.end())


def numbers_in(text: str) -> Iterator[Number]:
    """Every number in `text`, left to right."""
    for match in NUMBER.finditer(text):
        number = parse_number(match)
        if number is not None:
            yield number


def as_share(measure: Measure, number: Number) -> float | None:
    """The number as a value of `measure` (percentages of ratio metrics as 0-1); None when it cannot be one."""
    value = number.value
    if measure in RATIO_MEASURES:
        if number.percent or (1.0 < value <= 100.0 and number.decimals <= 2 and value >= 10):
            value /= 100.0
        if value > 1.0 or (value < -1.0 and measure is not Measure.r2):  # R² has no lower bound
            return None
    elif (number.percent and measure is not Measure.mape) or value < 0:
        return None
    return value


def tolerance(measure: Measure, number: Number, approximate: bool = False) -> float:
    """How far a value may be from this written number and still be it (rounded or cut, and `about` when said)."""
    unit = _unit(measure, number)
    rounding = unit * 10.0 ** (-_decimals(number)) + 1e-9
    if not approximate:
        return rounding
    if measure in RATIO_MEASURES:
        return max(rounding, APPROXIMATE_RATIO)
    return max(rounding, 0.05 * abs(number.value))


def written_as(value: float, stated: float, measure: Measure, number: Number, approximate: bool = False) -> bool:
    """Whether `value` (in the metric's units) can be written as this number: rounded or cut, or near it if `about`.

    "0.11" is 0.105 to 0.1199... (rounded or cut to two decimals), not 0.1185 rounded up.
    """
    if approximate:
        return abs(value - stated) <= tolerance(measure, number, approximate)
    step = _unit(measure, number) * 10.0 ** (-_decimals(number))
    return -step / 2 - 1e-9 <= value - stated < step - 1e-9


#: Written numbers are compared to at most this many decimals: a figure pasted with its full float
#: repr ("MAE: 23.191132678478603") is the value printed, not a claim finer than the outputs keep.
MAX_DECIMALS = 6


def _decimals(number: Number) -> int:
    return min(number.decimals, MAX_DECIMALS)


def _unit(measure: Measure, number: Number) -> float:
    return 0.01 if number.percent or (measure in RATIO_MEASURES and number.value > 1.0) else 1.0


def measures_named(code: str) -> frozenset[Measure]:
    """The metrics some code computes by name (`mean_absolute_error`, `scoring="neg_mean_squared_error"`,
    `rmse = ...`), with the ones derived from them by hand: a root of an MSE is an RMSE, a square of an
    RMSE an MSE, a mean of absolute differences an MAE."""
    named = {m.measure for m in metric_mentions(code.replace("_", " "))}
    if named & {Measure.mse, Measure.rmse}:
        named |= {Measure.mse, Measure.rmse}
    if re.search(r"\babs(?:olute)?\s*\(|\.abs\(\)|\babsolute\b", code):
        named.add(Measure.mae)
    return frozenset(named)


# --------------------------------------------------------------------------- models

_MODEL_PATTERNS: tuple[tuple[str, str], ...] = (
    ("logistic regression", r"logistic[\s_-]*regression\w*|logreg|log[\s_-]reg\b|(?<![\w-])lr(?![\w-])"),
    ("random forest", r"random[\s_-]*forest\w*|(?<![\w-])rf(?![\w-])|(?<![\w-])rfc(?![\w-])"),
    ("extra trees", r"extra[\s_-]*trees?\w*"),
    (
        "gradient boosting",
        r"(?:hist)?[\s_-]*gradient[\s_-]*boost\w*|(?<![\w-])(?:h?gbm?|hgb|gbc|gbr)(?![\w-])",
    ),
    ("xgboost", r"xgb\w*|xgboost"),
    ("lightgbm", r"light[\s_-]*gbm\w*|lgbm\w*|lgb(?![\w-])"),
    ("catboost", r"cat[\s_-]*boost\w*"),
    ("adaboost", r"ada[\s_-]*boost\w*"),
    ("decision tree", r"decision[\s_-]*tree\w*|(?<![\w-])dt(?![\w-])"),
    ("support vector machine", r"support[\s_-]*vector\w*|(?<![\w-])sv[mcr](?![\w-])|linearsv[cr]"),
    ("k-nearest neighbours", r"k[\s_-]*nearest|(?<![\w-])knn\w*|kneighbou?rs\w*|nearest[\s_-]*neighbou?rs?"),
    ("naive bayes", r"naive[\s_-]*bayes|gaussiannb|multinomialnb|bernoullinb"),
    ("linear regression", r"(?<!logistic )linear[\s_-]*regression\w*"),
    ("ridge", r"(?<![\w-])ridge\w*"),
    ("lasso", r"(?<![\w-])lasso\w*"),
    ("elastic net", r"elastic[\s_-]*net\w*"),
    ("neural network", r"neural[\s_-]*net\w*|(?<![\w-])mlp\w*|(?<![\w-])ann(?![\w-])"),
)
_MODEL_RES = tuple((name, re.compile(p, re.IGNORECASE)) for name, p in _MODEL_PATTERNS)


def models_in(text: str) -> list[tuple[str, int]]:
    """Model families named in `text`, with where each is first named, left to right."""
    found: dict[str, int] = {}
    taken: list[tuple[int, int]] = []
    for name, pattern in _MODEL_RES:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            found.setdefault(name, span[0])
    return sorted(found.items(), key=lambda item: item[1])


def split_of(text: str) -> str | None:
    """`train` when the text speaks of training rows, `test` of held-out ones, else None."""
    lowered = text.lower()
    held = re.search(r"\b(test|testing|validation|valid|val|hold[\s-]?out|cv|cross[\s-]?val\w*|oof|unseen)\b", lowered)
    train = re.search(r"\b(train|training|train_score|in[\s-]sample|fit)\b", lowered)
    if train and not held:
        return "train"
    if held and not train:
        return "test"
    return None
