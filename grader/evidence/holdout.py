"""Score a notebook's predictions against the hidden holdout labels, outside the sandbox.

The predictions file comes from the candidate's run and is untrusted: it is parsed with
size and row caps, every way it can be malformed (missing or extra ids, duplicates, empty
or non-numeric values, probabilities outside [0, 1], missing columns) is counted rather
than raised, and the score is computed only on the rows that can be matched. The number
the candidate reports for the same metric is looked for in the notebook's outputs and
markdown (`find_claimed_score`), so the report can put the two side by side.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grader.models.assignment import Assignment, Metric
from grader.models.notebook import NotebookView
from grader.models.report import HoldoutResult

MAX_PREDICTION_BYTES = 50 * 1024 * 1024
MAX_PREDICTION_ROWS = 2_000_000

#: How a metric is written in notebooks and prose.
METRIC_WORDS: dict[Metric, str] = {
    Metric.roc_auc: r"roc[\s_-]*auc|auc[\s_-]*roc|auroc|roc[\s_-]*score|(?<![\w-])auc(?![\w-])",
    Metric.average_precision: r"average[\s_-]*precision|(?<![\w-])ap(?![\w-])|pr[\s_-]*auc|auprc|auc[\s_-]*pr",
    Metric.f1: r"(?<![\w-])f1(?:[\s_-]*score)?(?![\w-])|f-score",
    Metric.accuracy: r"(?<!balanced )(?<!balanced_)accuracy",
    Metric.balanced_accuracy: r"balanced[\s_-]*accuracy",
    Metric.log_loss: r"log[\s_-]*loss|cross[\s_-]*entropy",
    Metric.rmse: r"(?<![\w-])rmse(?![\w-])|root[\s_-]*mean[\s_-]*squared[\s_-]*error",
    Metric.mae: r"(?<![\w-])mae(?![\w-])|mean[\s_-]*absolute[\s_-]*error",
    Metric.r2: r"(?<![\w-])r2(?![\w-])|r²|r\^2|r-squared|r squared",
    Metric.mape: r"(?<![\w-])mape(?![\w-])|mean[\s_-]*absolute[\s_-]*percentage",
}
_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\s*(%)?")
_EVAL_WORDS = re.compile(
    r"test|hold[\s-]?out|validation|valid\b|final|expect|estimate|cv|cross[\s-]?val|"
    r"unseen|out[\s-]of[\s-]fold|oof|reach|achiev",
    re.IGNORECASE,
)
_NOT_A_CLAIM = re.compile(
    r"train(ing)?\s+(set\s+)?(score|auc|accuracy|mae|rmse|f1)|\btrain\b|baseline|dummy|"
    r"prior|majority|random guess|chance",
    re.IGNORECASE,
)
_RATIO_METRICS = {
    Metric.roc_auc,
    Metric.average_precision,
    Metric.f1,
    Metric.accuracy,
    Metric.balanced_accuracy,
    Metric.r2,
}


@dataclass(frozen=True)
class Claim:
    """A number the candidate reports for a metric, and where."""

    value: float
    cell: int
    text: str
    source: str  # markdown | output


def find_claimed_score(view: NotebookView | None, metric: Metric) -> Claim | None:
    """The candidate's own figure for `metric`: a conclusion in markdown, else the last evaluation output."""
    if view is None:
        return None
    pattern = re.compile(rf"({METRIC_WORDS[metric]})", re.IGNORECASE)
    markdown: list[Claim] = []
    outputs: list[Claim] = []
    for cell in view.cells:
        texts: list[tuple[str, str]] = []
        if cell.is_markdown:
            texts = [("markdown", cell.source)]
        elif cell.is_code:
            texts = [
                ("output", output.text) for output in cell.outputs if output.output_type != "error" and output.text
            ]
        for source, text in texts:
            for line in text.splitlines()[:2000]:
                claim = _claim_in_line(line, pattern, metric, cell.index, source)
                if claim is not None:
                    (markdown if source == "markdown" else outputs).append(claim)
    half = len(view.cells) // 2
    late_markdown = [c for c in markdown if c.cell >= half and _EVAL_WORDS.search(c.text)]
    if late_markdown:
        return late_markdown[-1]
    evaluated = [c for c in outputs if _EVAL_WORDS.search(c.text)]
    if evaluated:
        return evaluated[-1]
    if outputs:
        return outputs[-1]
    return markdown[-1] if markdown else None


def _claim_in_line(line: str, pattern: re.Pattern[str], metric: Metric, cell: int, source: str) -> Claim | None:
    text = line.strip()
    if len(text) > 400:
        text = text[:400]
    match = pattern.search(text)
    if match is None or _NOT_A_CLAIM.search(text):
        return None
    tail = text[match.end() : match.end() + 60]
    number = _NUMBER.search(tail)
    if number is None:
        head = text[max(0, match.start() - 30) : match.start()]
        numbers = list(_NUMBER.finditer(head))
        if not numbers:
            return None
        number = numbers[-1]
    try:
        value = float(number.group(1))
    except ValueError:
        return None
    if number.group(2) and metric in _RATIO_METRICS:
        value /= 100.0
    if metric in _RATIO_METRICS and not (-1.0 <= value <= 1.0):
        return None
    if not math.isfinite(value) or (metric not in _RATIO_METRICS and value < 0):
        return None
    return Claim(value=value, cell=cell, text=text[:300], source=source)


# --------------------------------------------------------------------------- scoring


def _read_csv(data: bytes, **kwargs: object) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), nrows=MAX_PREDICTION_ROWS, **kwargs)


def score_holdout(
    assignment: Assignment, labels: bytes, predictions: bytes | None, view: NotebookView | None = None
) -> HoldoutResult:
    """Score the predictions file (None: not written) against the hidden labels; never raises on bad input."""
    metric = assignment.primary_metric
    holdout = assignment.holdout
    claim = find_claimed_score(view, metric)
    base = {
        "metric": metric.value,
        "claimed": claim.value if claim else None,
        "claimed_evidence": f"cell {claim.cell}: {claim.text}" if claim else None,
    }
    extra: dict[str, float] = {}
    if claim is not None:
        extra["claimed_cell"] = float(claim.cell)
    if holdout is None:
        return HoldoutResult(status="no_labels", message="the assignment has no hidden holdout", extra=extra, **base)
    truth = _read_csv(labels, dtype={holdout.id_column: str})
    truth = truth.drop_duplicates(subset=holdout.id_column)
    expected = len(truth)
    contract = assignment.prediction_contract
    if predictions is None:
        return HoldoutResult(
            status="missing",
            rows_expected=expected,
            extra=extra,
            message=f"the notebook did not write {contract.file}",
            **base,
        )
    if len(predictions) > MAX_PREDICTION_BYTES:
        return HoldoutResult(
            status="invalid",
            rows_expected=expected,
            extra=extra,
            message=f"{contract.file} is larger than {MAX_PREDICTION_BYTES:,} bytes",
            **base,
        )
    try:
        frame = _read_csv(predictions, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        return HoldoutResult(
            status="invalid",
            rows_expected=expected,
            extra=extra,
            message=f"{contract.file} is not a readable CSV: {str(exc)[:200]}",
            **base,
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    problems: list[str] = []
    missing_columns = [c for c in (contract.id_column, contract.prediction_column) if c not in frame.columns]
    use_probability = metric.needs_probability and contract.probability_column in frame.columns
    if metric.needs_probability and contract.probability_column and contract.probability_column not in frame.columns:
        problems.append(f"no `{contract.probability_column}` column: scored on the hard predictions")
        extra["missing_probability_column"] = 1.0
    if contract.id_column in missing_columns or (contract.prediction_column in missing_columns and not use_probability):
        extra["missing_columns"] = float(len(missing_columns))
        return HoldoutResult(
            status="invalid",
            rows_expected=expected,
            extra=extra,
            message=f"{contract.file} lacks the column(s) {', '.join(missing_columns)}; it has "
            f"{', '.join(list(frame.columns)[:10])}",
            **base,
        )
    value_column = contract.probability_column if use_probability else contract.prediction_column
    assert value_column is not None
    ids = frame[contract.id_column].astype(str).str.strip()
    duplicated = int(ids.duplicated().sum())
    if duplicated:
        problems.append(f"{duplicated:,} duplicated id(s)")
        extra["duplicate_ids"] = float(duplicated)
    frame = frame.assign(_id=ids).drop_duplicates(subset="_id")
    known = set(truth[holdout.id_column].astype(str))
    unknown = int((~frame["_id"].isin(known)).sum())
    if unknown:
        problems.append(f"{unknown:,} id(s) not in the test set")
        extra["unknown_ids"] = float(unknown)
    values = pd.to_numeric(frame[value_column].str.strip().replace({"": None}), errors="coerce")
    if not assignment.is_classification or use_probability:
        bad = int(values.isna().sum())
        numeric = values
    else:
        numeric, bad = _labels_to_numeric(frame[value_column], assignment)
    if bad:
        problems.append(f"{bad:,} empty or non-numeric prediction(s)")
        extra["nan_predictions"] = float(bad)
    if use_probability:
        outside = int(((numeric < 0) | (numeric > 1)).sum())
        if outside:
            problems.append(f"{outside:,} probabilit(y/ies) outside [0, 1]")
            extra["probability_out_of_range"] = float(outside)
    merged = truth.assign(_id=truth[holdout.id_column].astype(str)).merge(
        frame.assign(_value=numeric)[["_id", "_value"]], on="_id", how="left"
    )
    absent = int((~merged["_id"].isin(set(frame["_id"]))).sum())
    if absent:
        problems.append(f"{absent:,} of the {expected:,} test ids have no prediction")
        extra["missing_ids"] = float(absent)
    usable = merged.dropna(subset=["_value"])
    matched = len(usable)
    if matched == 0:
        return HoldoutResult(
            status="invalid",
            rows_expected=expected,
            rows_matched=0,
            extra=extra,
            message="no prediction could be matched to a test id" + (f" ({'; '.join(problems)})" if problems else ""),
            **base,
        )
    y_true = usable[holdout.target_column].to_numpy()
    y_score = usable["_value"].to_numpy(dtype=float)
    try:
        score = compute_metric(metric, y_true, y_score, assignment, probabilities=use_probability)
        baseline = baseline_score(metric, y_true, assignment)
    except ValueError as exc:
        return HoldoutResult(
            status="invalid",
            rows_expected=expected,
            rows_matched=matched,
            extra=extra,
            message=f"the predictions could not be scored: {str(exc)[:200]}",
            **base,
        )
    if baseline is not None:
        extra["baseline"] = round(baseline, 6)
    for secondary in assignment.secondary_metrics:
        try:
            value = compute_metric(secondary, y_true, y_score, assignment, probabilities=use_probability)
        except ValueError:
            continue
        if value is not None and math.isfinite(value):
            extra[secondary.value] = round(value, 6)
    status = "scored" if matched == expected else "partial"
    if status == "partial":
        problems.insert(0, f"scored on {matched:,} of {expected:,} rows")
    message = "; ".join(problems) if problems else f"all {expected:,} test rows scored"
    return HoldoutResult(
        status=status,
        score=None if score is None else round(score, 6),
        rows_expected=expected,
        rows_matched=matched,
        message=message,
        extra=extra,
        **base,
    )


def _labels_to_numeric(column: pd.Series, assignment: Assignment) -> tuple[pd.Series, int]:
    """Hard class predictions as 1 (positive) / 0, accepting `1`, `1.0`, `True`, `yes` or the positive label."""
    positive = str(assignment.positive_label if assignment.positive_label is not None else 1).strip().lower()
    text = column.astype(str).str.strip().str.lower()
    words = text.map(
        lambda v: 1.0 if v in (positive, "true", "yes", "y") else 0.0 if v in ("false", "no", "n") else np.nan
    )
    numeric = pd.to_numeric(text, errors="coerce")
    try:
        positive_value: float | None = float(positive)
    except ValueError:
        positive_value = None
    if positive_value is not None:
        numeric = numeric.where(numeric.isna(), (numeric == positive_value).astype(float))
    result = numeric.fillna(words)
    return result, int(result.isna().sum())


def _binary_truth(y_true: np.ndarray, assignment: Assignment) -> np.ndarray:
    positive = assignment.positive_label if assignment.positive_label is not None else 1
    return np.asarray((pd.Series(y_true).astype(str).str.strip() == str(positive)).to_numpy(), dtype=int)


def compute_metric(
    metric: Metric, y_true: np.ndarray, y_score: np.ndarray, assignment: Assignment, *, probabilities: bool
) -> float | None:
    """One metric on matched rows; hard 0/1 predictions are accepted where probabilities are expected."""
    from sklearn import metrics as m

    if metric in (Metric.rmse, Metric.mae, Metric.r2, Metric.mape):
        truth = y_true.astype(float)
        if metric is Metric.rmse:
            return float(np.sqrt(m.mean_squared_error(truth, y_score)))
        if metric is Metric.mae:
            return float(m.mean_absolute_error(truth, y_score))
        if metric is Metric.r2:
            return float(m.r2_score(truth, y_score))
        return float(m.mean_absolute_percentage_error(truth, y_score))
    truth = _binary_truth(y_true, assignment)
    if metric is Metric.roc_auc:
        if len(set(truth.tolist())) < 2:
            raise ValueError("the matched rows hold a single class")
        return float(m.roc_auc_score(truth, y_score))
    if metric is Metric.average_precision:
        return float(m.average_precision_score(truth, y_score))
    if metric is Metric.log_loss:
        return float(m.log_loss(truth, np.clip(y_score, 1e-15, 1 - 1e-15), labels=[0, 1]))
    hard = (y_score >= 0.5).astype(int) if probabilities else y_score.astype(int)
    if metric is Metric.f1:
        return float(m.f1_score(truth, hard, zero_division=0))
    if metric is Metric.accuracy:
        return float(m.accuracy_score(truth, hard))
    if metric is Metric.balanced_accuracy:
        return float(m.balanced_accuracy_score(truth, hard))
    return None


def baseline_score(metric: Metric, y_true: np.ndarray, assignment: Assignment) -> float | None:
    """The score of a constant prediction (the majority class, the base rate or the median)."""
    if metric in (Metric.rmse, Metric.mae, Metric.r2, Metric.mape):
        truth = y_true.astype(float)
        constant = np.full_like(truth, np.median(truth) if metric in (Metric.mae, Metric.mape) else truth.mean())
        return compute_metric(metric, y_true, constant, assignment, probabilities=False)
    truth = _binary_truth(y_true, assignment)
    rate = float(truth.mean()) if truth.size else 0.0
    if metric is Metric.roc_auc:
        return 0.5
    if metric is Metric.average_precision:
        return rate
    if metric is Metric.log_loss:
        rate = min(max(rate, 1e-15), 1 - 1e-15)
        return float(-(rate * math.log(rate) + (1 - rate) * math.log(1 - rate)))
    if metric is Metric.f1:
        return 2 * rate / (1 + rate) if rate else 0.0
    if metric is Metric.accuracy:
        return max(rate, 1 - rate)
    if metric is Metric.balanced_accuracy:
        return 0.5
    return None
