"""Parsing from several batch threads at once (CPython 3.11's shared AST recursion counter)."""

from __future__ import annotations

import ast
import gc
import re
import sys
import threading
from pathlib import Path

import pytest

from grader import pyast

GRADER = Path(__file__).resolve().parents[2] / "grader"
SOURCE = (
    "x = "
    + "(" * 30
    + "1"
    + ")" * 30
    + "\n"
    + "\n".join(f"def f{i}(a, b=[{i}]):\n    return [a + b for a in range({i}) if a]" for i in range(300))
)


class _Finaliser:
    """Garbage with a finaliser: a collection during a parse lets another thread run."""

    def __del__(self) -> None:
        pass


def _parse_under_pressure(errors: list[str]) -> None:
    for _ in range(25):
        junk = [_Finaliser() for _ in range(200)]
        for item in junk:
            item.me = item  # type: ignore[attr-defined]
        del junk
        try:
            pyast.parse(SOURCE)
        except SystemError as exc:  # what ast.parse raised here before the lock
            errors.append(str(exc))
            return


def test_parses_from_four_threads_with_frequent_switches_never_fail() -> None:
    errors: list[str] = []
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(1e-6)
    gc.set_threshold(50, 2, 2)
    try:
        threads = [threading.Thread(target=_parse_under_pressure, args=(errors,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
    assert errors == []


def test_the_result_and_the_errors_are_those_of_ast_parse() -> None:
    assert ast.dump(pyast.parse("a = 1")) == ast.dump(ast.parse("a = 1"))
    with pytest.raises(SyntaxError) as raised:
        pyast.parse("a = (")
    assert raised.value.lineno == 1


def test_the_grading_path_parses_only_through_the_lock() -> None:
    direct = [
        f"{path.relative_to(GRADER)}:{number}"
        for path in GRADER.rglob("*.py")
        if path.name != "pyast.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if re.search(r"\bast\.(parse|literal_eval)\(", line)
    ]
    assert direct == []
