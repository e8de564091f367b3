"""Who is to blame for a failing cell: the environment, the data, the candidate, or resources.

A reviewer grades a submission that broke on a removed library API differently
from one that broke on a typo. The class is judged from the exception and the
traceback's frames: an error raised inside a library about a parameter or
attribute that no longer exists is an environment problem; a `NameError` in the
candidate's own cell is theirs.
"""

from __future__ import annotations

import re

from grader.models.execution import ErrorClass

_ENV_NAMES = {"ModuleNotFoundError", "ImportError"}
_DATA_NAMES = {"FileNotFoundError", "EmptyDataError", "ParserError", "UnicodeDecodeError", "IsADirectoryError",
               "NotADirectoryError"}
_RESOURCE_NAMES = {"MemoryError", "CellTimeoutError", "DeadKernelError", "OutputLimitExceeded", "KeyboardInterrupt"}
_CANDIDATE_NAMES = {"NameError", "SyntaxError", "IndentationError", "UnboundLocalError", "ZeroDivisionError",
                    "AssertionError", "RecursionError"}
_LIBRARY_FRAME = re.compile(r"(site-packages|dist-packages|/usr/lib/python3)")
_API_DRIFT = re.compile(
    r"unexpected keyword argument|got an unexpected|has no attribute '(append|iteritems|ix|as_matrix|get_feature_names|"
    r"plot_confusion_matrix|swapaxes|mad|lookup)'|parameter of \w+ must be|"
    r"was removed|is deprecated and will be removed|no longer supported|cannot import name|"
    r"could not convert string to float.*\n?.*corr|numeric_only",
    re.IGNORECASE,
)
_DISK = re.compile(r"\[Errno (28|27)\]")


def classify(error_name: str | None, error_value: str | None, traceback: str | None) -> ErrorClass:
    """The error class of one failed cell."""
    name = error_name or ""
    value = error_value or ""
    trace = traceback or ""
    if name in _RESOURCE_NAMES or _DISK.search(value) or (name == "BlockingIOError" and "[Errno 11]" in value):
        return ErrorClass.resources
    if name in _ENV_NAMES:
        return ErrorClass.environment
    if name in _DATA_NAMES or ("No such file or directory" in value):
        return ErrorClass.data
    if name in _CANDIDATE_NAMES:
        return ErrorClass.candidate
    raised_in_library = _raised_in_library(trace)
    if _API_DRIFT.search(f"{value}\n{trace[-3000:]}") and (raised_in_library or name in {"TypeError", "AttributeError"}):
        if name == "AttributeError" and not _library_object(value):
            return ErrorClass.candidate
        return ErrorClass.environment
    return ErrorClass.candidate


def _raised_in_library(trace: str) -> bool:
    """Whether the innermost frame of an IPython traceback is inside an installed package."""
    frames = [line for line in trace.splitlines() if line.startswith(("File ", "Cell In["))]
    return bool(frames) and bool(_LIBRARY_FRAME.search(frames[-1]))


def _library_object(value: str) -> bool:
    match = re.search(r"'(\w+)' object has no attribute|module '([\w.]+)' has no attribute", value)
    if not match:
        return False
    owner = match.group(1) or match.group(2) or ""
    return owner in {"DataFrame", "Series", "Index", "GroupBy", "DataFrameGroupBy", "ndarray"} or "." in owner or \
        owner in {"pandas", "numpy", "sklearn", "seaborn", "matplotlib"}
