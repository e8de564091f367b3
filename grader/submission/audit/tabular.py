"""Read an assignment's data files as a candidate would, and make messy columns comparable.

Real exports store numbers as currency text (`"$1,234.50"`), booleans in several
encodings (`Yes`, `y`, `TRUE`, `1`), dates as text in mixed formats, and the same
category in several spellings. `profile_column` decides what a column holds and
gives values the audit can measure: floats for numbers, booleans and dates (days
since 1970), normalised labels for categories. Parsing works on the distinct
values, so a column of a few hundred thousand rows costs one pass of pandas.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from grader.errors import AssignmentError
from grader.models.audit import ColumnKind

#: Public files the audit reads as tables.
DATA_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")

_TRUE = {"yes", "y", "true", "t", "1", "1.0"}
_FALSE = {"no", "n", "false", "f", "0", "0.0"}
_NUMBER = re.compile(r"^[(]?[-+]?[$€£¥]?\s?[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?%?[)]?$")
_STRIP_NUMBER = re.compile(r"[\s$€£¥%(),+]")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_DATE = re.compile(
    r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?"
    rf"|(\d{{1,2}}[ -])?({_MONTHS})[a-z]*\.?[ -]\d{{1,2}}(,)?[ -]\d{{2,4}}"
    rf"|\d{{1,2}}[ -]({_MONTHS})[a-z]*\.?[ -]\d{{2,4}})$",
    re.IGNORECASE,
)
_LABEL_SEPARATORS = re.compile(r"[\s_\-/.]+")
_WORDS = re.compile(r"[^\W\d_]{2,}")
_EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class Profile:
    """One column, read: its kind, measurable values and what could not be parsed."""

    name: str
    kind: ColumnKind
    #: float64 for numeric, boolean (0/1) and date (days since 1970) columns; normalised labels otherwise.
    values: pd.Series
    missing: pd.Series
    #: Non-empty values that did not parse as the column's kind (treated as missing).
    unparsed: int
    distinct: int
    #: Distinct non-empty values over non-empty rows.
    distinct_share: float
    #: Mean number of words per non-empty value (free text has several).
    mean_words: float
    #: Integer-valued numbers, or strings with a number in them: what identifiers look like.
    integral: bool

    @property
    def is_numeric(self) -> bool:
        return self.kind in (ColumnKind.numeric, ColumnKind.boolean, ColumnKind.date)

    def rows(self, positions: np.ndarray) -> Profile:
        """The same column restricted to some rows (kind and distinct counts stay those of every row)."""
        values = self.values.iloc[positions].reset_index(drop=True)
        missing = self.missing.iloc[positions].reset_index(drop=True)
        return replace(self, values=values, missing=missing)


def data_files(folder: Path, public_files: list[str]) -> list[str]:
    """The public files the audit reads as tables, in the assignment's order."""
    return [name for name in public_files if name.lower().endswith(DATA_SUFFIXES) and (folder / name).is_file()]


def read_table(path: Path) -> pd.DataFrame:
    """A data file as text columns, with pandas' default missing markers (what `pd.read_csv` gives a candidate)."""
    sep = "\t" if ".tsv" in path.name.lower() else ","
    try:
        return pd.read_csv(path, sep=sep, dtype=str, low_memory=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise AssignmentError(f"cannot read {path} as a table: {exc}") from exc


def _normalise(text: pd.Series) -> pd.Series:
    lowered = text.str.strip().str.casefold()
    return lowered.str.replace(_LABEL_SEPARATORS, " ", regex=True).str.strip()


def normalise_labels(values: pd.Series) -> pd.Series:
    """Category spellings made comparable: case, surrounding space and separators (`Month-To-Month` = `month to month`)."""
    distinct = _Distinct(values)
    return distinct.expand(_normalise(distinct.text))


class _Distinct:
    """A column as its distinct values (stripped; empty is missing) and, per row, which one it holds.

    Every conversion runs once per distinct value and is expanded back to the rows,
    which keeps Python-level string work proportional to the distinct values.
    """

    def __init__(self, raw: pd.Series) -> None:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        # Plain Python strings (object dtype): pandas' string dtype re-validates every value on each copy.
        text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.strip()
        self.text = text.mask(text == "")
        self.index = raw.index
        self.codes = np.asarray(codes, dtype="int64")
        present_code = self.codes >= 0
        self.present = present_code.copy()
        self.present[present_code] = self.text.notna().to_numpy()[self.codes[present_code]]
        #: Rows holding each distinct value.
        self.counts = np.bincount(self.codes[self.present], minlength=len(self.text))

    def expand(self, per_value: pd.Series) -> pd.Series:
        """Per-distinct results back to one per row (missing rows stay missing)."""
        values = per_value.to_numpy()
        if values.dtype.kind == "f":
            out = np.full(len(self.codes), np.nan)
            out[self.present] = values[self.codes[self.present]]
            return pd.Series(out, index=self.index)
        obj = np.full(len(self.codes), None, dtype=object)
        obj[self.present] = values[self.codes[self.present]]
        return pd.Series(obj, index=self.index, dtype=object)

    def share_parsed(self, per_value: pd.Series) -> float:
        """Share of the non-empty rows whose value converted."""
        total = int(self.counts.sum())
        return float(self.counts[per_value.notna().to_numpy()].sum()) / total if total else 0.0

    def weighted_mean(self, per_value: pd.Series) -> float:
        total = int(self.counts.sum())
        return float((per_value.to_numpy(dtype="float64") * self.counts).sum()) / total if total else 0.0


def _finite(numbers: pd.Series) -> pd.Series:
    values = numbers.astype("float64")
    return values.where(np.isfinite(values))


def _numbers(text: pd.Series) -> pd.Series:
    """Plain numbers through pandas' parser; currency, thousands separators and (negatives) by pattern."""
    number = _finite(pd.to_numeric(text, errors="coerce"))
    rest = number.isna() & text.notna()
    if rest.any():
        messy = text[rest]
        ok = messy.str.fullmatch(_NUMBER).fillna(False) & messy.str.contains(r"\d", regex=True).fillna(False)
        negative = (messy.str.startswith("(") & messy.str.endswith(")")).fillna(False)
        cleaned = _finite(pd.to_numeric(messy.str.replace(_STRIP_NUMBER, "", regex=True).where(ok), errors="coerce"))
        number[rest] = cleaned.where(~negative, -cleaned)
    return number


def _booleans(text: pd.Series) -> pd.Series:
    lowered = text.str.casefold()
    return lowered.map(lambda v: 1.0 if v in _TRUE else 0.0 if v in _FALSE else np.nan).astype("float64")


def _dates(text: pd.Series) -> pd.Series:
    looks = text.str.fullmatch(_DATE).fillna(False).to_numpy(dtype=bool)
    days = pd.Series(np.nan, index=text.index, dtype="float64")
    if not looks.any():
        return days
    candidates = text[looks].astype(object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(candidates, format="ISO8601", errors="coerce", utc=True)
        rest = parsed.isna()
        if rest.any():
            parsed[rest] = pd.to_datetime(candidates[rest], format="mixed", errors="coerce", utc=True)
    naive = parsed.dt.tz_convert(None)
    days[looks] = ((naive - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype="float64")
    return days


Converter = Callable[[pd.Series], pd.Series]
_CONVERTERS: dict[ColumnKind, Converter] = {
    ColumnKind.boolean: _booleans,
    ColumnKind.numeric: _numbers,
    ColumnKind.date: _dates,
}


def _converted(distinct: _Distinct, kind: ColumnKind) -> pd.Series:
    """Per distinct value: float for numeric kinds, normalised label otherwise."""
    if kind is ColumnKind.empty:
        return pd.Series(np.nan, index=distinct.text.index, dtype="float64")
    converter = _CONVERTERS.get(kind)
    return converter(distinct.text) if converter else _normalise(distinct.text)


def convert(raw: pd.Series, kind: ColumnKind) -> pd.Series:
    """Values of a text column read as `kind` (what a column of another file is compared with)."""
    distinct = _Distinct(raw)
    return distinct.expand(_converted(distinct, kind))


#: Rows sampled to decide whether converting every distinct value is worth it.
GATE_ROWS = 2_000


def _plausible(distinct: _Distinct, converter: Converter, parse_share: float, seed: int = 0) -> bool:
    """Whether a sample of rows parses often enough for the column to be of this kind (skips hopeless passes)."""
    codes = distinct.codes[distinct.present]
    if len(codes) <= GATE_ROWS:
        return True
    sample = np.random.default_rng(seed).choice(codes, size=GATE_ROWS, replace=True)
    values, counts = np.unique(sample, return_counts=True)
    parsed = converter(distinct.text.iloc[values].reset_index(drop=True)).notna().to_numpy()
    # A margin below the threshold: the sample only says whether the full pass could succeed.
    return float(counts[parsed].sum()) / GATE_ROWS >= parse_share - 0.05


def _numeric_profile(name: str, numbers: pd.Series, present: pd.Series, distinct: int, share: float) -> Profile:
    """A column every non-empty value of which pandas parses as a number."""
    finite = numbers.dropna()
    integral = bool((finite == finite.round()).all())
    if distinct == 2 and set(finite.unique()) <= {0.0, 1.0}:
        return Profile(name, ColumnKind.boolean, numbers, numbers.isna(), 0, distinct, share, 0.0, True)
    unparsed = int((present & numbers.isna()).sum())
    return Profile(name, ColumnKind.numeric, numbers, numbers.isna(), unparsed, distinct, share, 0.0, integral)


def profile_column(name: str, raw: pd.Series, *, parse_share: float = 0.95) -> Profile:
    """Decide what a text column holds; `parse_share` of its non-empty values must parse for a kind to win."""
    present_raw = raw.notna()
    head = raw[present_raw].head(GATE_ROWS)
    numeric_head = not head.empty and bool(_finite(pd.to_numeric(head, errors="coerce")).notna().all())
    fast = _finite(pd.to_numeric(raw, errors="coerce")) if numeric_head else None
    if fast is not None and int(fast.notna().sum()) == int(present_raw.sum()):
        # Clean numbers (the common case): no string work at all.
        n_distinct = int(fast.nunique())
        return _numeric_profile(name, fast, present_raw, n_distinct, n_distinct / int(present_raw.sum()))
    distinct = _Distinct(raw)
    present = pd.Series(distinct.present, index=raw.index)
    n_present = int(distinct.present.sum())
    observed = distinct.counts > 0
    n_distinct = int(distinct.text[observed].nunique(dropna=True))
    distinct_share = n_distinct / n_present if n_present else 0.0
    if n_present == 0:
        return Profile(name, ColumnKind.empty, convert(raw, ColumnKind.empty), ~present, 0, 0, 0.0, 0.0, False)
    words = distinct.weighted_mean(distinct.text.str.count(_WORDS).fillna(0).astype("float64"))

    def result(kind: ColumnKind, per_value: pd.Series, integral: bool) -> Profile:
        values = distinct.expand(per_value)
        unparsed = int((present & values.isna()).sum())
        missing = ~present | values.isna()
        return Profile(name, kind, values, missing, unparsed, n_distinct, distinct_share, words, integral)

    if n_distinct <= 12:
        flags = _booleans(distinct.text)
        if distinct.share_parsed(flags) >= parse_share and flags[observed].dropna().nunique() == 2:
            return result(ColumnKind.boolean, flags, True)
    if _plausible(distinct, _numbers, parse_share):
        numbers = _numbers(distinct.text)
        if distinct.share_parsed(numbers) >= parse_share:
            finite = numbers[observed].dropna()
            return result(ColumnKind.numeric, numbers, bool((finite == finite.round()).all()))
    if _plausible(distinct, _dates, parse_share):
        dates = _dates(distinct.text)
        if distinct.share_parsed(dates) >= parse_share:
            return result(ColumnKind.date, dates, False)
    digits = distinct.text.str.contains(r"\d", regex=True).fillna(False).astype("float64")
    integral = distinct.weighted_mean(digits) >= parse_share
    return result(ColumnKind.categorical, _normalise(distinct.text), integral)


def numeric_part(values: pd.Series) -> pd.Series:
    """The number inside identifiers such as `C000123` or `ORD-1000001` (NaN when there is none)."""
    digits = values.astype(object).str.extract(r"(\d+)(?!.*\d)", expand=False)
    return pd.to_numeric(digits, errors="coerce").astype("float64")


def row_keys(columns: dict[str, pd.Series]) -> pd.Series:
    """A 64-bit hash per row of already converted values, for finding the same record in two files."""
    normalised = {}
    for name, values in columns.items():
        values = values.reset_index(drop=True)
        normalised[name] = values.round(6) if values.dtype == "float64" else values.astype(object).fillna("")
    return pd.util.hash_pandas_object(pd.DataFrame(normalised), index=False)
