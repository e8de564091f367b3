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
from dataclasses import dataclass
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
        text = pd.Series(np.asarray(uniques, dtype=object), dtype="string").str.strip()
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
        return pd.Series(obj, index=self.index, dtype="string")

    def share_parsed(self, per_value: pd.Series) -> float:
        """Share of the non-empty rows whose value converted."""
        total = int(self.counts.sum())
        return float(self.counts[per_value.notna().to_numpy()].sum()) / total if total else 0.0

    def weighted_mean(self, per_value: pd.Series) -> float:
        total = int(self.counts.sum())
        return float((per_value.to_numpy(dtype="float64") * self.counts).sum()) / total if total else 0.0


def _numbers(text: pd.Series) -> pd.Series:
    ok = text.str.fullmatch(_NUMBER).fillna(False) & text.str.contains(r"\d", regex=True).fillna(False)
    negative = (text.str.startswith("(") & text.str.endswith(")")).fillna(False)
    cleaned = text.str.replace(_STRIP_NUMBER, "", regex=True)
    number = pd.to_numeric(cleaned.where(ok), errors="coerce").astype("float64")
    return number.where(~negative, -number)


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


_CONVERTERS = {ColumnKind.boolean: _booleans, ColumnKind.numeric: _numbers, ColumnKind.date: _dates}


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


def profile_column(name: str, raw: pd.Series, *, parse_share: float = 0.95) -> Profile:
    """Decide what a text column holds; `parse_share` of its non-empty values must parse for a kind to win."""
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
    numbers = _numbers(distinct.text)
    if distinct.share_parsed(numbers) >= parse_share:
        finite = numbers[observed].dropna()
        return result(ColumnKind.numeric, numbers, bool((finite == finite.round()).all()))
    dates = _dates(distinct.text)
    if distinct.share_parsed(dates) >= parse_share:
        return result(ColumnKind.date, dates, False)
    digits = distinct.text.str.contains(r"\d", regex=True).fillna(False).astype("float64")
    integral = distinct.weighted_mean(digits) >= parse_share
    return result(ColumnKind.categorical, _normalise(distinct.text), integral)


def numeric_part(values: pd.Series) -> pd.Series:
    """The number inside identifiers such as `C000123` or `ORD-1000001` (NaN when there is none)."""
    digits = values.astype("string").str.extract(r"(\d+)(?!.*\d)", expand=False)
    return pd.to_numeric(digits, errors="coerce").astype("float64")


def row_keys(frame: pd.DataFrame, kinds: dict[str, ColumnKind]) -> pd.Series:
    """A 64-bit hash per row of the values read as `kinds`, for finding the same record in two files."""
    columns = {}
    for name in frame.columns:
        values = convert(frame[name], kinds.get(name, ColumnKind.categorical))
        if values.dtype == "float64":
            values = values.round(6)
        columns[name] = values.astype("string").fillna("")
    return pd.util.hash_pandas_object(pd.DataFrame(columns, index=frame.index), index=False)
