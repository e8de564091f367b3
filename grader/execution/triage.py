"""Who is to blame for a failing cell: the environment, the data, the candidate, or resources.

A reviewer grades a submission that broke on a removed library API differently
from one that broke on a typo. The class is judged from the exception and the
traceback's frames: an error raised inside a library about a parameter or
attribute that no longer exists is an environment problem; a `NameError` in the
candidate's own cell is theirs. A failure that only follows from an earlier one
(a `NameError` for a name the failed cell should have defined) takes the class of
the cell it follows from, so one removed API does not turn into ten "candidate bugs".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

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


def defined_names(source: str) -> frozenset[str]:
    """Names a cell binds at any level: assignments, imports, functions, classes, loop targets."""
    try:
        tree = ast.parse(_strip_magics(source))
    except (SyntaxError, ValueError, RecursionError):
        return frozenset(re.findall(r"^\s*(\w+)\s*=", source, re.MULTILINE))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
    return frozenset(names)


def function_and_class_names(sources: Iterable[str]) -> frozenset[str]:
    """Functions and classes the candidate defined (cells and their own modules)."""
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(_strip_magics(source))
        except (SyntaxError, ValueError, RecursionError):
            continue
        names |= {
            n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
    return frozenset(names)


def _strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def refine(cells: list[CellRecord], sources: dict[int, str], events: list[DataRedirect] = ()) -> list[CellRecord]:  # type: ignore[assignment]
    """Second pass over a run's records: failures that follow from earlier ones, and misread CSVs.

    `sources` maps global cell index to code. A `NameError` for a name that an earlier cell
    binds, where that cell failed or never ran, takes that cell's class and `caused_by`. A
    `KeyError` after a CSV was read as a single column (a separator event) is a data problem.
    """
    by_index = {r.index: r for r in cells}
    ordered = sorted(by_index)
    names = {i: defined_names(sources.get(i, "")) for i in ordered}
    separators = sorted((e for e in events if e.kind == "separator" and e.cell is not None), key=lambda e: e.cell or 0)
    out: dict[int, CellRecord] = {}
    for index in ordered:
        record = by_index[index]
        if record.status is CellStatus.error and record.error_name == "NameError":
            missing = _MISSING_NAME.search(record.error_value or "")
            root = _defining_failure(missing.group(1), index, ordered, names, out) if missing else None
            if root is not None:
                root_class = root.error_class or ErrorClass.candidate
                origin = root.caused_by if root.caused_by is not None else root.index
                record = record.model_copy(
                    update={
                        "error_class": root_class,
                        "caused_by": origin,
                        "triage_note": f"'{missing.group(1)}' is defined in cell {root.index}, which "  # type: ignore[union-attr]
                        f"{'never ran' if root.status is CellStatus.not_executed else 'failed'}: "
                        f"a consequence of that failure ({root_class.value})",
                    }
                )
        elif (
            record.status is CellStatus.error
            and record.error_name in ("KeyError", "AttributeError", "ValueError")
            and record.error_class is ErrorClass.candidate
        ):
            before = [e for e in separators if (e.cell or 0) <= index]
            if before:
                event = before[-1]
                record = record.model_copy(
                    update={
                        "error_class": ErrorClass.data,
                        "triage_note": f"{event.requested} was read with the wrong separator in cell {event.cell}: "
                        f"{event.detail}"[:500],
                    }
                )
        out[index] = record
    return [out[i] for i in ordered]


def _defining_failure(
    name: str, index: int, ordered: list[int], names: dict[int, frozenset[str]], done: dict[int, CellRecord]
) -> CellRecord | None:
    """The nearest earlier cell that binds `name`, if it failed or never ran."""
    for earlier in reversed([i for i in ordered if i < index]):
        if name in names.get(earlier, frozenset()):
            record = done.get(earlier)
            if record is not None and record.status in (CellStatus.error, CellStatus.timeout, CellStatus.not_executed):
                return record
            return None
    return None
