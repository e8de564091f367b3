"""pylint over a notebook's code, in a subprocess with a hard timeout, mapped back to cells.

The code cells are assembled into one module (IPython syntax neutralised with the
same rules as the code index, so line numbers inside a cell are unchanged; cells
that do not parse are left out and listed). pylint runs on a temporary copy with
a generated rcfile that disables the noise notebooks always make (display
expressions, `X_train` names, imports mid-notebook, ...). Every message is mapped
back to its cell and line. pylint only parses the code; nothing is executed.

pylint runs on the host, not in the sandbox image: it needs only the code, so it runs while
the sandbox executes and also when grading with `--no-execute` (no Docker at all), and the
plugin below keeps it from reading any installed library. What would make scores drift with
the host is pylint's own version, so it is pinned exactly (`PYLINT_VERSION`, the same pin as
in pyproject.toml); under any other version QUAL001 is skipped with the reason, never scored.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from enum import StrEnum
from importlib import metadata
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from grader.evidence.code import neutralise
from grader.models.notebook import NotebookView

#: The pylint QUAL001's thresholds are calibrated with (pyproject.toml pins the same).
PYLINT_VERSION = "4.1.4"

#: Messages that notebooks produce by their nature, not by poor code.
NOTEBOOK_NOISE = (
    "missing-module-docstring",
    "missing-function-docstring",
    "missing-class-docstring",
    "invalid-name",  # X_train, df, module-level "constants"
    "pointless-statement",  # `df` as the last line of a cell displays it
    "expression-not-assigned",  # `df.shape`, `a == b` displayed
    "pointless-string-statement",
    "wrong-import-position",  # imports in later cells
    "wrong-import-order",
    "ungrouped-imports",
    "reimported",  # the scattered-imports check reports this once, per cell
    "unused-import",  # reported by its own check, which sees magics and markdown
    "import-error",  # packages of the sandbox need not be on the host
    "no-name-in-module",
    "redefined-outer-name",  # notebook globals reused as function arguments
    "unnecessary-pass",  # magics are neutralised to `pass`
    "too-many-lines",
    "trailing-whitespace",
    "missing-final-newline",
    "trailing-newlines",
    "line-too-long",  # max-line-length is set, but long data literals are common; style, not quality
    "fixme",
    "unspecified-encoding",
    # pandas and numpy defeat inference: these are false positives far more often than not
    "no-member",
    "unsubscriptable-object",
    "unsupported-assignment-operation",
    "unsupported-membership-test",
    "invalid-unary-operand-type",  # `~df.duplicated()`
    "not-callable",
    "possibly-used-before-assignment",
    "use-dict-literal",
    "duplicate-code",
)

#: A pylint plugin that stops astroid at the standard library. Inferring through pandas or
#: scikit-learn takes pylint from about a second to minutes, gives mostly false positives on
#: them, and would make the score depend on what happens to be installed on the host.
STDLIB_ONLY_PLUGIN = """
import sys

from astroid.exceptions import AstroidImportError
from astroid.manager import AstroidManager

_original = AstroidManager.ast_from_module_name


def _stdlib_only(self, modname, context_file=None, use_cache=True):
    top = (modname or "").split(".")[0]
    if modname and top not in sys.stdlib_module_names and top != "builtins":
        raise AstroidImportError(f"third-party module {modname!r} is not analysed")
    return _original(self, modname, context_file, use_cache)


AstroidManager.ast_from_module_name = _stdlib_only


def register(linter):
    del linter
"""
PLUGIN_NAME = "grader_stdlib_only"

#: Names IPython provides that plain Python does not know.
IPYTHON_BUILTINS = ("display", "get_ipython", "In", "Out", "exit", "quit", "_", "__", "___")


class PylintStatus(StrEnum):
    ok = "ok"
    timeout = "timeout"
    failed = "failed"
    #: The code is larger than the limits; pylint was not run.
    too_large = "too_large"
    #: No code to lint.
    empty = "empty"


class PylintMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    symbol: str
    message_id: str
    #: convention, refactor, warning, error, fatal
    category: str
    message: str
    cell: int | None = None
    #: 1-based line inside the cell.
    line: int | None = None
    column: int | None = None
    end_line: int | None = None


class PylintReport(BaseModel):
    """The outcome of one pylint run on a notebook's code."""

    model_config = ConfigDict(extra="forbid")

    status: PylintStatus
    #: pylint's own 0–10 evaluation, with the notebook noise disabled.
    score: float | None = None
    messages: list[PylintMessage] = []
    duration_s: float = 0.0
    error: str | None = None
    #: Cells left out because they do not parse (reported by the execution checks instead).
    skipped_cells: list[int] = []
    disabled: list[str] = Field(default_factory=lambda: list(NOTEBOOK_NOISE))


@dataclass(frozen=True)
class Assembled:
    """The notebook's code as one module."""

    source: str
    #: For each line of `source` (0-based), the (cell, 1-based line) it came from; None for separators.
    origin: list[tuple[int, int] | None]
    #: Cells left out because they do not parse.
    skipped: list[int]


def assemble(view: NotebookView) -> Assembled:
    """One module from the code cells, and for each of its lines the (cell, line) it came from."""
    lines: list[str] = []
    origin: list[tuple[int, int] | None] = []
    skipped: list[int] = []
    for cell in view.code_cells():
        source, _ = neutralise(cell.source)
        if not source.strip():
            continue
        try:
            compile(source, f"cell-{cell.index}", "exec", flags=0, dont_inherit=True, optimize=0)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            skipped.append(cell.index)
            continue
        lines.append(f"# cell {cell.index}")
        origin.append(None)
        for number, line in enumerate(source.split("\n"), start=1):
            lines.append(line.rstrip())
            origin.append((cell.index, number))
        lines.append("")
        origin.append(None)
    return Assembled("\n".join(lines) + "\n", origin, skipped)


def rcfile_text() -> str:
    """The generated pylint configuration: notebook noise off, IPython names known."""
    return "\n".join(
        [
            "[MAIN]",
            "jobs=1",
            "persistent=no",
            f"load-plugins={PLUGIN_NAME}",
            "unsafe-load-any-extension=no",
            "extension-pkg-allow-list=",
            "limit-inference-results=20",
            "",
            "[MESSAGES CONTROL]",
            "disable=" + ",".join(NOTEBOOK_NOISE),
            "",
            "[VARIABLES]",
            "additional-builtins=" + ",".join(IPYTHON_BUILTINS),
            "",
            "[FORMAT]",
            "max-line-length=120",
            "",
            "[REPORTS]",
            "score=yes",
            "",
        ]
    )


def run_pylint(
    view: NotebookView, *, timeout_s: float = 30, max_lines: int = 8000, max_bytes: int = 400_000
) -> PylintReport:
    """Lint the notebook's code with pylint in a subprocess, killed after `timeout_s` seconds."""
    started = time.perf_counter()
    installed = _installed_pylint()
    if installed != PYLINT_VERSION:
        return PylintReport(
            status=PylintStatus.failed,
            error=f"pylint {installed or 'is not installed'}; scores are calibrated with pylint {PYLINT_VERSION} "
            f"(pip install pylint=={PYLINT_VERSION})",
        )
    assembled = assemble(view)
    source, origin, skipped = assembled.source, assembled.origin, assembled.skipped
    if not any(o is not None for o in origin):
        return PylintReport(status=PylintStatus.empty, skipped_cells=skipped)
    if len(origin) > max_lines or len(source.encode()) > max_bytes:
        return PylintReport(
            status=PylintStatus.too_large,
            skipped_cells=skipped,
            error=f"{len(origin)} lines / {len(source.encode()):,} bytes of code; the limits are "
            f"{max_lines} lines and {max_bytes:,} bytes",
        )
    with tempfile.TemporaryDirectory(prefix="grader-pylint-") as tmp:
        folder = Path(tmp)
        module = folder / "notebook_code.py"
        module.write_text(source, encoding="utf-8")
        rcfile = folder / "pylintrc"
        rcfile.write_text(rcfile_text(), encoding="utf-8")
        (folder / f"{PLUGIN_NAME}.py").write_text(STDLIB_ONLY_PLUGIN, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "pylint",
            f"--rcfile={rcfile}",
            "--output-format=json2",
            "--jobs=1",
            "--persistent=n",
            "--score=y",
            str(module),
        ]
        # A clean environment: no user pylintrc, no PYTHONPATH from the host, caches in the temp folder.
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": tmp,
            "PYLINTHOME": tmp,
            "PYTHONPATH": tmp,
            "PYTHONDONTWRITEBYTECODE": "1",
            "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0",
        }
        try:
            proc = subprocess.Popen(
                command,
                cwd=tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            return PylintReport(
                status=PylintStatus.failed,
                error=f"could not start pylint: {exc}",
                duration_s=time.perf_counter() - started,
                skipped_cells=skipped,
            )
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return PylintReport(
                status=PylintStatus.timeout,
                error=f"pylint did not finish within {timeout_s:g} s",
                duration_s=time.perf_counter() - started,
                skipped_cells=skipped,
            )
    duration = time.perf_counter() - started
    return _parse(out, err, proc.returncode, origin, duration, skipped)


def _installed_pylint() -> str | None:
    try:
        return metadata.version("pylint")
    except metadata.PackageNotFoundError:
        return None


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill pylint and anything it started (its own session), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _parse(
    out: bytes, err: bytes, returncode: int, origin: list[tuple[int, int] | None], duration: float, skipped: list[int]
) -> PylintReport:
    # pylint's exit code is a bit field of message categories; 32 means a usage error.
    if returncode & 32 or not out.strip():
        detail = (err or out).decode("utf-8", "replace").strip()[-2000:]
        return PylintReport(
            status=PylintStatus.failed,
            error=f"pylint exited with {returncode}: {detail}",
            duration_s=duration,
            skipped_cells=skipped,
        )
    try:
        data = json.loads(out.decode("utf-8", "replace"))
    except json.JSONDecodeError as exc:
        return PylintReport(
            status=PylintStatus.failed,
            error=f"unreadable pylint output: {exc}",
            duration_s=duration,
            skipped_cells=skipped,
        )
    messages = []
    for raw in data.get("messages", []):
        line = raw.get("line")
        where = origin[line - 1] if isinstance(line, int) and 0 < line <= len(origin) else None
        end = raw.get("endLine")
        end_where = origin[end - 1] if isinstance(end, int) and 0 < end <= len(origin) else None
        messages.append(
            PylintMessage(
                symbol=str(raw.get("symbol", "")),
                message_id=str(raw.get("messageId", "")),
                category=str(raw.get("type", "")),
                message=str(raw.get("message", ""))[:500],
                cell=where[0] if where else None,
                line=where[1] if where else None,
                column=raw.get("column"),
                end_line=end_where[1] if end_where and where and end_where[0] == where[0] else None,
            )
        )
    statistics = data.get("statistics", {}) or {}
    score = statistics.get("score")
    return PylintReport(
        status=PylintStatus.ok,
        score=round(float(score), 2) if isinstance(score, int | float) else None,
        messages=messages,
        duration_s=duration,
        skipped_cells=skipped,
    )
