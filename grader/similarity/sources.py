"""Reading the notebooks to compare: submissions, known public solutions, starter and base code.

Submissions are opened exactly as grading opens them (same loader, limits, notebook
choice and ignore files), so cells are numbered as the reports number them: globally,
from 0, across the notebooks in natural filename order. Everything read is hostile
and bounded; a folder that cannot be read is skipped with its reason.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import ConfigError, SubmissionError
from grader.similarity.fingerprint import CellKind, CellSource
from grader.submission.loader import SubmissionLimits, open_submission

#: A folder of starter, base or reference code holds at most this many files of this size.
MAX_CODE_FILES = 500
MAX_CODE_FILE_BYTES = 5 * 1024 * 1024
_PERCENT_CELL = re.compile(r"^#\s*%%(.*)$")


@dataclass(frozen=True)
class NotebookSource:
    """One submission or reference: its name, its cells, and where it came from."""

    name: str
    cells: tuple[CellSource, ...]
    path: Path
    notebooks: tuple[str, ...] = ()

    def cell(self, index: int) -> CellSource | None:
        return next((c for c in self.cells if c.index == index), None)


def _text(value: Any) -> str:
    return "".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


def cells_of(nodes: Sequence[Any]) -> tuple[CellSource, ...]:
    """Cells of parsed notebooks (in order), numbered globally; other cell types keep their number."""
    cells = []
    index = 0
    for node in nodes:
        for raw in node.get("cells", []) or []:
            kind = str(raw.get("cell_type", "")) if isinstance(raw, dict) else ""
            if kind in (CellKind.code, CellKind.markdown):
                cells.append(CellSource(index=index, kind=kind, source=_text(raw.get("source", ""))))
            index += 1
    return tuple(cells)


@contextlib.contextmanager
def open_notebooks(path: Path, *, notebook: str | None = None) -> Iterator[dict[str, Any]]:
    """A submission's parsed notebooks by relative path, opened as grading opens them."""
    with open_submission(path, notebook=notebook, limits=SubmissionLimits()) as loaded:
        yield {nb.path: nb.node for nb in loaded.notebooks}


def load_submission(name: str, path: Path, *, notebook: str | None = None) -> NotebookSource:
    """A submission's cells as grading sees them; raises `SubmissionError` when it cannot be read."""
    with open_notebooks(path, notebook=notebook) as nodes:
        return NotebookSource(name=name, cells=cells_of(list(nodes.values())), path=path, notebooks=tuple(nodes))


def script_cells(text: str) -> tuple[CellSource, ...]:
    """A `.py` file as cells: split at `# %%` markers (`# %% [markdown]` cells are comment text), else one cell."""
    cells: list[CellSource] = []
    kind = CellKind.code
    lines: list[str] = []

    def close() -> None:
        body = "\n".join(
            line.removeprefix("# ").removeprefix("#") if kind == CellKind.markdown else line for line in lines
        )
        if body.strip():
            cells.append(CellSource(index=len(cells), kind=kind, source=body))

    for line in text.splitlines():
        marker = _PERCENT_CELL.match(line)
        if marker:
            close()
            kind, lines = (CellKind.markdown if "[markdown]" in marker.group(1) else CellKind.code), []
        else:
            lines.append(line)
    close()
    return tuple(cells)


def _code_files(folder: Path) -> Iterator[Path]:
    count = 0
    for path in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_symlink() or not path.is_file() or path.suffix.lower() not in (".ipynb", ".py"):
            continue
        count += 1
        if count > MAX_CODE_FILES:
            raise ConfigError(f"{folder} holds more than {MAX_CODE_FILES} notebooks and scripts")
        yield path


def load_code_folder(folder: Path) -> list[NotebookSource]:
    """Every notebook and `.py` file under a starter or `--base` folder, each as one source."""
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder of notebooks or scripts")
    sources = []
    for path in _code_files(folder):
        rel = str(path.relative_to(folder))
        if path.stat().st_size > MAX_CODE_FILE_BYTES:
            continue
        if path.suffix.lower() == ".py":
            sources.append(NotebookSource(rel, script_cells(path.read_text("utf-8", "replace")), path))
            continue
        try:
            sources.append(load_submission(rel, path))
        except SubmissionError:
            continue
    return sources


def load_references(folder: Path) -> tuple[list[NotebookSource], list[tuple[str, str]]]:
    """Known public solutions: each entry of `folder` (a folder, zip, notebook or `.py` file) is one.

    Returns the readable ones and (name, reason) for the others.
    """
    if not folder.is_dir():
        raise ConfigError(f"--references {folder} is not a folder")
    found, skipped = [], []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        if entry.name.startswith((".", "_")) or entry.is_symlink():
            continue
        try:
            if entry.is_file() and entry.suffix.lower() == ".py":
                if entry.stat().st_size <= MAX_CODE_FILE_BYTES:
                    found.append(NotebookSource(entry.stem, script_cells(entry.read_text("utf-8", "replace")), entry))
            elif entry.is_dir() or entry.suffix.lower() in (".zip", ".ipynb"):
                found.append(load_submission(entry.stem if entry.is_file() else entry.name, entry))
        except SubmissionError as exc:
            skipped.append((entry.name, str(exc)))
    return found, skipped
