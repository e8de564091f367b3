"""Who is to blame for a failing cell: the environment, the data, the candidate, or resources.

A reviewer grades a submission that broke on a removed library API differently
from one that broke on a typo. The class is judged from the exception and the
traceback's frames: an error raised inside a library about a parameter or
attribute that no longer exists is an environment problem; a `NameError` in the
candidate's own cell is theirs. A failure that only follows from an earlier one
(a `NameError` for a name the failed cell should have defined, a `NotFittedError` for a
model whose `fit` failed) takes the class of the cell it follows from, so one removed API
does not turn into ten "candidate bugs". Library changes are named from the catalogue in
`library_changes` (pandas 3's `str` dtype and Copy-on-Write, scikit-learn's removed
parameters...), and a data file of the submission that cannot be parsed as intended
(merge-conflict markers) makes the failures that use it `data` problems.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import pyast
from grader.execution import cell_flow, library_changes
from grader.models.execution import CellRecord, CellStatus, DataRedirect, ErrorClass

_ENV_NAMES = {"ModuleNotFoundError", "ImportError"}
_DATA_NAMES = {
    "FileNotFoundError",
    "EmptyDataError",
    "ParserError",
    "UnicodeDecodeError",
    "IsADirectoryError",
    "NotADirectoryError",
    "BadZipFile",
    "XLRDError",
    "ArrowInvalid",
}
_RESOURCE_NAMES = {
    "MemoryError",
    "CellTimeoutError",
    "DeadKernelError",
    "OutputLimitExceeded",
    "KeyboardInterrupt",
    "SandboxOOMKilled",
}
_CANDIDATE_NAMES = {
    "NameError",
    "SyntaxError",
    "IndentationError",
    "UnboundLocalError",
    "ZeroDivisionError",
    "AssertionError",
    "RecursionError",
    "TabError",
}
_LIBRARY_FRAME = re.compile(r"(site-packages|dist-packages|/usr/lib/python3|/usr/local/lib/python3)")
#: Messages of APIs that were removed or changed in the libraries candidates use.
_API_DRIFT = re.compile(
    r"unexpected keyword argument|got an unexpected|has no attribute '(append|iteritems|ix|as_matrix|"
    r"get_feature_names|plot_confusion_matrix|plot_roc_curve|plot_precision_recall_curve|swapaxes|mad|lookup|"
    r"_get_numeric_data|set_value|get_value|is_monotonic|to_dense|bool8|float_|int_|object|str|NaN|Inf|infty)'|"
    r"was removed|is deprecated and will be removed|no longer supported|cannot import name|"
    r"is not a valid package style|numeric_only|"
    r"could not convert string to float|could not convert .* to numeric|agg function failed|"
    r"unsupported operand type\(s\) for [+/-]: '(str|Timestamp)'",
    re.IGNORECASE,
)
#: scikit-learn's parameter validation rejecting a value that older versions accepted.
_REMOVED_VALUES = re.compile(
    r"parameter of \w+ must be .* Got '(auto|none|mse|mae|log|deprecated|SAMME\.R|warn|friedman_mse_|"
    r"l1_ratio_|ovr|multinomial)' instead",
    re.IGNORECASE | re.DOTALL,
)
#: Pandas reductions that stopped dropping text columns silently (pandas 2.0: `numeric_only=False`).
_NUMERIC_ONLY_FRAME = re.compile(
    r"in (DataFrame|Series|\w*GroupBy)\.(corr|cov|mean|median|std|var|sum|quantile|"
    r"skew|kurt|sem|prod|min|max)\b"
)
_DISK = re.compile(r"\[Errno (28|27)\]")
_CALLEE = re.compile(r"^([\w.]+?)(?:\.__init__)?\(\) got an unexpected keyword argument")
_MISSING_NAME = re.compile(r"name '(\w+)' is not defined")


def classify(
    error_name: str | None, error_value: str | None, traceback: str | None, user_names: frozenset[str] = frozenset()
) -> ErrorClass:
    """The error class of one failed cell; `user_names` are functions and classes the candidate defined."""
    name = error_name or ""
    value = error_value or ""
    trace = traceback or ""
    if name in _RESOURCE_NAMES or _DISK.search(value) or (name == "BlockingIOError" and "[Errno 11]" in value):
        return ErrorClass.resources
    if name in _ENV_NAMES:
        return ErrorClass.environment
    if name in _DATA_NAMES or "No such file or directory" in value:
        return ErrorClass.data
    if name in _CANDIDATE_NAMES:
        return ErrorClass.candidate
    if _REMOVED_VALUES.search(value):
        # Also when wrapped: cross_val_score's "All the 5 fits failed" ValueError quotes it.
        return ErrorClass.environment
    if name == "InvalidParameterError":
        return ErrorClass.candidate
    if name == "TypeError" and "unexpected keyword argument" in value:
        # `OneHotEncoder(sparse=False)`: raised at the call site, so the frames do not tell;
        # the callee does. A function the candidate wrote is their own bug.
        callee = _CALLEE.match(value.strip())
        owner = callee.group(1).split(".")[0] if callee else ""
        return ErrorClass.candidate if owner in user_names else ErrorClass.environment
    raised_in_library = _raised_in_library(trace)
    if (
        name in ("ValueError", "TypeError")
        and raised_in_library
        and _NUMERIC_ONLY_FRAME.search(trace)
        and re.search(
            r"could not convert|to numeric|agg function failed|not supported between|unsupported operand",
            value,
            re.IGNORECASE,
        )
    ):
        return ErrorClass.environment
    drift = _API_DRIFT.search(f"{value}\n{trace[-3000:]}")
    if drift and (raised_in_library or name in {"TypeError", "AttributeError"}):
        if name == "AttributeError" and not _library_object(value):
            return ErrorClass.candidate
        if (
            name == "ValueError"
            and "could not convert string to float" in value
            and not _NUMERIC_ONLY_FRAME.search(trace)
        ):
            return ErrorClass.candidate  # their own conversion of a text column
        return ErrorClass.environment
    return ErrorClass.candidate


def _raised_in_library(trace: str) -> bool:
    """Whether the innermost frame of an IPython traceback is inside an installed package."""
    frames = [line for line in trace.splitlines() if line.lstrip().startswith(("File ", "Cell In["))]
    return bool(frames) and bool(_LIBRARY_FRAME.search(frames[-1]))


def _library_object(value: str) -> bool:
    match = re.search(r"'(\w+)' object has no attribute|module '([\w.]+)' has no attribute", value)
    if not match:
        return False
    owner = match.group(1) or match.group(2) or ""
    return (
        owner
        in {
            "DataFrame",
            "Series",
            "Index",
            "GroupBy",
            "DataFrameGroupBy",
            "SeriesGroupBy",
            "ndarray",
            "OneHotEncoder",
            "ColumnTransformer",
            "Pipeline",
        }
        or "." in owner
        or owner in {"pandas", "numpy", "sklearn", "seaborn", "matplotlib", "np", "pd"}
    )


# --------------------------------------------------------------------------- whole-run refinement


def function_and_class_names(sources: Iterable[str]) -> frozenset[str]:
    """Functions and classes the candidate defined (cells and their own modules)."""
    names: set[str] = set()
    for source in sources:
        try:
            tree = pyast.parse(_strip_magics(source))
        except (SyntaxError, ValueError, RecursionError):
            continue
        names |= {
            n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
    return frozenset(names)


def _strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


@dataclass(frozen=True)
class MalformedFile:
    """A data file of the submission that no reader can parse as intended (e.g. merge-conflict markers)."""

    path: str
    line: int
    what: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


#: Data files scanned for merge-conflict markers, and how much of each.
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl", ".dat")
MAX_SCAN_BYTES = 20 * 1024 * 1024
_CONFLICT = re.compile(rb"^(<{7}|>{7})( |$)|^={7}$", re.MULTILINE)


def find_malformed_files(files: Mapping[str, Path]) -> list[MalformedFile]:
    """Submission data files holding merge-conflict markers (`<<<<<<< HEAD` ... `>>>>>>> branch`)."""
    found = []
    for rel, path in sorted(files.items()):
        if not rel.lower().endswith(DATA_SUFFIXES):
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_SCAN_BYTES)
        except OSError:
            continue
        match = _CONFLICT.search(data)
        if match is not None:
            line = data.count(b"\n", 0, match.start()) + 1
            marker = match.group(0).decode("ascii", "replace").strip()
            found.append(MalformedFile(rel, line, f"holds merge-conflict markers (`{marker}` at line {line})"))
    return found


def refine(
    cells: list[CellRecord],
    sources: dict[int, str],
    events: Sequence[DataRedirect] = (),
    *,
    versions: Mapping[str, str] | None = None,
    malformed: Sequence[MalformedFile] = (),
) -> list[CellRecord]:
    """Second pass over a run's records: named library changes, consequences, and data problems.

    `sources` maps global cell index to code; `versions` are the run's library versions (a
    pandas-3 behaviour is only blamed on a run with pandas 3). In order, a failing cell:

    1. that hits a removed or changed library API head-on is `environment`, the change named;
    2. that uses a name an earlier failed (or never run) cell should have set, from the line
       it failed on, takes that cell's class and `caused_by` (a `NameError`, `NotFittedError`,
       a missing `best_estimator_`...);
    3. after a CSV was read with the wrong separator, or that uses data read from a malformed
       file of the submission (merge-conflict markers), is `data`;
    4. explained by a behaviour change together with earlier code (`dtype == "object"` under
       pandas 3's `str` dtype, `replace` no longer downcasting, a Copy-on-Write no-op) is
       `environment`, the change named.
    """
    versions = versions or {}
    by_index = {r.index: r for r in cells}
    ordered = sorted(by_index)
    separators = sorted((e for e in events if e.kind == "separator" and e.cell is not None), key=lambda e: e.cell or 0)
    out: dict[int, CellRecord] = {}
    for index in ordered:
        record = by_index[index]
        if record.status is CellStatus.error:
            record = (
                _direct_change(record, versions)
                or _consequence(record, index, ordered, sources, out)
                or _data_problem(record, index, ordered, sources, separators, malformed)
                or _behaviour_change(record, index, ordered, sources, versions, out)
                or record
            )
        out[index] = record
    return [out[i] for i in ordered]


def _direct_change(record: CellRecord, versions: Mapping[str, str]) -> CellRecord | None:
    change = library_changes.match_direct(record.error_name, record.error_value, record.traceback, versions)
    if change is None:
        return None
    return record.model_copy(
        update={"error_class": ErrorClass.environment, "library_change": change.id, "triage_note": change.label()}
    )


#: Failures that say something about the code as written, whatever ran before it.
_SELF_CONTAINED = frozenset({"SyntaxError", "IndentationError", "TabError", "ModuleNotFoundError", "ImportError"})


def _consequence(
    record: CellRecord, index: int, ordered: list[int], sources: dict[int, str], done: dict[int, CellRecord]
) -> CellRecord | None:
    """The failure follows from an earlier failed cell whose unfinished work it uses."""
    if record.error_name in _SELF_CONTAINED or record.error_class in (ErrorClass.resources, ErrorClass.sandbox):
        return None
    source = sources.get(index, "")
    if record.error_name == "NameError":
        missing = _MISSING_NAME.search(record.error_value or "")
        used = frozenset({missing.group(1)}) if missing else frozenset()
    else:
        used = cell_flow.names_read(source, cell_flow.failure_line(record.traceback))
    for name in sorted(used):
        root = _setting_failure(name, index, ordered, sources, done)
        if root is None:
            continue
        root_class = root.error_class or ErrorClass.candidate
        origin = root.caused_by if root.caused_by is not None else root.index
        how = "never ran" if root.status is CellStatus.not_executed else "failed"
        verb = "is defined" if record.error_name == "NameError" else "is set"
        return record.model_copy(
            update={
                "error_class": root_class,
                "caused_by": origin,
                "library_change": root.library_change,
                "triage_note": f"'{name}' {verb} in cell {root.index}, which {how}: a consequence of that "
                f"failure ({root_class.value})",
            }
        )
    return None


def _setting_failure(
    name: str, index: int, ordered: list[int], sources: dict[int, str], done: dict[int, CellRecord]
) -> CellRecord | None:
    """The nearest earlier cell that sets `name`, if it failed (at or before setting it) or never ran."""
    for earlier in reversed([i for i in ordered if i < index]):
        record = done.get(earlier)
        source = sources.get(earlier, "")
        if record is None or name not in cell_flow.names_set(source):
            continue
        if record.status is CellStatus.not_executed:
            return record
        if record.status in (CellStatus.error, CellStatus.timeout):
            if name in cell_flow.names_set(source, cell_flow.failure_line(record.traceback)):
                return record
            return None  # set before the line that failed: it holds what the cell made of it
        return None
    return None


def _data_problem(
    record: CellRecord,
    index: int,
    ordered: list[int],
    sources: dict[int, str],
    separators: list[DataRedirect],
    malformed: Sequence[MalformedFile],
) -> CellRecord | None:
    if record.error_class is not ErrorClass.candidate:
        return None
    before = [e for e in separators if (e.cell or 0) <= index]
    if before and record.error_name in ("KeyError", "AttributeError", "ValueError"):
        event = before[-1]
        return record.model_copy(
            update={
                "error_class": ErrorClass.data,
                "triage_note": f"{event.requested} was read with the wrong separator in cell {event.cell}: "
                f"{event.detail}"[:500],
            }
        )
    for problem in malformed:
        readers = [i for i in ordered if i <= index and problem.name in sources.get(i, "")]
        if not readers:
            continue
        value = f"{record.error_value or ''}"
        later = [sources.get(i, "") for i in ordered if readers[0] < i < index]
        carried = cell_flow.derived_names(cell_flow.names_set(sources.get(readers[0], "")), later)
        if _MARKER_TEXT.search(value) or readers[-1] == index or carried & cell_flow.names_read(sources.get(index, "")):
            return record.model_copy(
                update={
                    "error_class": ErrorClass.data,
                    "triage_note": f"{problem.path} {problem.what}; read in cell {readers[0]}"[:500],
                }
            )
    return None


_MARKER_TEXT = re.compile(r"<{7}|>{7}|={7}")


def _behaviour_change(
    record: CellRecord,
    index: int,
    ordered: list[int],
    sources: dict[int, str],
    versions: Mapping[str, str],
    done: dict[int, CellRecord],
) -> CellRecord | None:
    if record.error_class is not ErrorClass.candidate:
        return None
    code = [sources.get(i, "") for i in ordered if i <= index]
    change = library_changes.match_contextual(record.error_name, record.error_value, record.traceback, code, versions)
    if change is not None:
        return record.model_copy(
            update={"error_class": ErrorClass.environment, "library_change": change.id, "triage_note": change.label()}
        )
    cow = library_changes.BY_ID["pandas-3.0-copy-on-write"]
    if not cow.applies_to(versions):
        return None
    for earlier in ordered:
        if earlier >= index or done[earlier].status is not CellStatus.ok:
            continue
        for match in library_changes.CHAINED_INPLACE.finditer(sources.get(earlier, "")):
            frame = match.group("frame") or match.group("frame2")
            later = [sources.get(i, "") for i in ordered if earlier < i < index]
            if cell_flow.derived_names({frame}, later) & cell_flow.names_read(sources.get(index, "")):
                call = match.group(0).strip()[:80]
                return record.model_copy(
                    update={
                        "error_class": ErrorClass.environment,
                        "library_change": cow.id,
                        "triage_note": f"{cow.label()}: `{call}` in cell {earlier} left `{frame}` unchanged",
                    }
                )
    return None
