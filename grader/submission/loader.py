"""Load a submission (a folder or a .zip) into memory, refusing bad input clearly.

A submission is one or more Jupyter notebooks, optionally with a README, `.py`
files and requirement files. Every problem (no notebook, malformed JSON,
non-UTF-8 bytes, too many cells, an oversized file, an unsafe archive) becomes a
`SubmissionError` that names the file and says what is wrong.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pathspec

from grader.errors import SubmissionError
from grader.submission.archive import IGNORED_PARTS, ArchiveLimits, extract_zip


@dataclass(frozen=True)
class SubmissionLimits:
    max_files: int = 2_000
    max_total_bytes: int = 200 * 1024 * 1024
    max_file_bytes: int = 50 * 1024 * 1024
    max_notebook_bytes: int = 50 * 1024 * 1024
    max_cells: int = 5_000
    max_notebooks: int = 10
    max_json_depth: int = 64


@dataclass
class NotebookFile:
    """One notebook of the submission, parsed and validated."""

    path: str
    node: nbformat.NotebookNode
    size: int


@dataclass
class Submission:
    """A submission held in a folder on the host (extracted if it came as a zip)."""

    name: str
    root: Path
    source: Path
    files: dict[str, Path]
    notebooks: list[NotebookFile]
    content_hash: str
    file_hashes: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def text(self, rel: str, limit: int = 1_000_000) -> str | None:
        """A small text file of the submission (README, requirements), or None."""
        path = self.files.get(rel)
        if path is None:
            return None
        data = path.read_bytes()[:limit]
        return data.decode("utf-8", "replace")

    def find(self, pattern: str) -> list[str]:
        rx = re.compile(pattern, re.IGNORECASE)
        return sorted(rel for rel in self.files if rx.search(rel))


def _natural_key(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def _json_depth(text: str, limit: int) -> int:
    """Maximum bracket nesting, computed without recursion (deep nesting is an attack)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def parse_notebook(rel: str, data: bytes, limits: SubmissionLimits) -> nbformat.NotebookNode:
    """Decode, bound and validate one notebook file."""
    if len(data) > limits.max_notebook_bytes:
        raise SubmissionError(f"{rel} is {len(data):,} bytes; notebooks are limited to {limits.max_notebook_bytes:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"{rel} is not UTF-8 text (byte {exc.start}); re-save it from Jupyter") from exc
    if not text.strip():
        raise SubmissionError(f"{rel} is empty")
    if _json_depth(text, limits.max_json_depth) > limits.max_json_depth:
        raise SubmissionError(f"{rel} nests JSON deeper than {limits.max_json_depth} levels; it is not a real notebook")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{rel} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except RecursionError as exc:
        raise SubmissionError(f"{rel} nests JSON too deeply") from exc
    if not isinstance(raw, dict):
        raise SubmissionError(f"{rel} is JSON but not a Jupyter notebook (no list of cells)")
    if isinstance(raw.get("worksheets"), list):  # nbformat 3: cells live in worksheets
        cells = [c for w in raw["worksheets"] if isinstance(w, dict) for c in (w.get("cells") or [])]
    elif isinstance(raw.get("cells"), list):
        cells = raw["cells"]
    else:
        raise SubmissionError(f"{rel} is JSON but not a Jupyter notebook (no list of cells)")
    if len(cells) > limits.max_cells:
        raise SubmissionError(f"{rel} has {len(cells):,} cells; the limit is {limits.max_cells:,}")
    try:
        node = nbformat.reads(text, as_version=4)
    except Exception as exc:
        raise SubmissionError(f"{rel} could not be read as a notebook: {type(exc).__name__}: {str(exc)[:300]}") from exc
    try:
        nbformat.validate(node)
    except nbformat.ValidationError:
        # Older tools write small schema slips (missing ids, stray keys): repair those.
        with contextlib.suppress(Exception):
            _, repaired = nbformat.validator.normalize(node)
            node = nbformat.from_dict(repaired)
        try:
            nbformat.validate(node)
        except nbformat.ValidationError as exc:
            raise SubmissionError(f"{rel} is not a valid notebook: {exc.message[:300]}") from exc
    result: nbformat.NotebookNode = node
    return result


IGNORE_FILE = ".graderignore"
MAX_IGNORE_BYTES = 64 * 1024


def read_ignore_patterns(root: Path) -> tuple[str, ...]:
    """The lines of the submission's own `.graderignore` (gitignore syntax), if it has one.

    Only the file at the submission's root counts, and its patterns match paths inside the
    submission only: what a submission is made of never depends on the folders around it.
    """
    path = root / IGNORE_FILE
    if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_IGNORE_BYTES:
        return ()
    return tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())


def _ignore_spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec | None:
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


def _walk(root: Path, limits: SubmissionLimits, ignore: tuple[str, ...] = ()) -> tuple[dict[str, Path], list[str]]:
    files: dict[str, Path] = {}
    skipped: list[str] = []
    total = 0
    spec = _ignore_spec(read_ignore_patterns(root) + ignore)
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        kept = []
        for d in sorted(dirs):
            if d in IGNORED_PARTS or d.startswith("."):
                continue
            if spec is not None and spec.match_file((here / d).relative_to(root).as_posix() + "/"):
                skipped.append(f"{(here / d).relative_to(root).as_posix()}/ (listed in {IGNORE_FILE})")
                continue
            if (here / d).is_symlink():
                skipped.append(f"{(here / d).relative_to(root)}/ (symbolic link, not followed)")
                continue
            kept.append(d)
        dirs[:] = kept
        for name in sorted(names):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if name in IGNORED_PARTS or name.startswith("."):
                continue
            if spec is not None and spec.match_file(rel):
                skipped.append(f"{rel} (listed in {IGNORE_FILE})")
                continue
            if path.is_symlink():
                skipped.append(f"{rel} (symbolic link, not followed)")
                continue
            if not path.is_file():
                continue
            size = path.stat().st_size
            if size > limits.max_file_bytes:
                raise SubmissionError(f"{rel} is {size:,} bytes; files are limited to {limits.max_file_bytes:,}")
            total += size
            if total > limits.max_total_bytes:
                raise SubmissionError(f"the submission is larger than {limits.max_total_bytes:,} bytes")
            files[rel] = path
            if len(files) > limits.max_files:
                raise SubmissionError(f"the submission holds more than {limits.max_files:,} files")
    return files, skipped


@contextlib.contextmanager
def open_submission(
    path: Path,
    *,
    notebook: str | None = None,
    limits: SubmissionLimits | None = None,
    name: str | None = None,
    ignore: tuple[str, ...] = (),
) -> Iterator[Submission]:
    """Load a submission folder or zip; a zip is unpacked to a temporary folder for the duration.

    Files the submission's own `.graderignore` lists (gitignore syntax) are not part of the
    work; `ignore` adds patterns of the caller's.
    """
    limits = limits or SubmissionLimits()
    path = Path(path)
    temp: str | None = None
    try:
        if not path.exists():
            raise SubmissionError(f"{path} does not exist")
        if path.is_file() and path.suffix.lower() == ".zip":
            temp = tempfile.mkdtemp(prefix="thg-sub-")
            extract_zip(
                path,
                Path(temp),
                ArchiveLimits(max_total_bytes=limits.max_total_bytes, max_file_bytes=limits.max_file_bytes),
            )
            root = _single_top_folder(Path(temp))
        elif path.is_file() and path.suffix.lower() == ".ipynb":
            temp = tempfile.mkdtemp(prefix="thg-sub-")
            shutil.copyfile(path, Path(temp) / path.name)
            root = Path(temp)
        elif path.is_dir():
            root = path
        else:
            raise SubmissionError(f"{path.name} is neither a folder, a .zip nor a notebook")
        yield load_folder(
            root, source=path, notebook=notebook, limits=limits, name=name or _name_of(path), ignore=ignore
        )
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


def _name_of(path: Path) -> str:
    return path.stem if path.is_file() else path.name


def _single_top_folder(root: Path) -> Path:
    entries = [p for p in root.iterdir() if p.name not in IGNORED_PARTS]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return root


def load_folder(
    root: Path,
    *,
    source: Path | None = None,
    notebook: str | None = None,
    limits: SubmissionLimits | None = None,
    name: str | None = None,
    ignore: tuple[str, ...] = (),
) -> Submission:
    """Load a submission folder already on disk."""
    limits = limits or SubmissionLimits()
    files, skipped = _walk(root, limits, ignore)
    if not files:
        raise SubmissionError("the submission is empty")
    candidates = sorted((rel for rel in files if rel.lower().endswith(".ipynb")), key=_natural_key)
    if not candidates:
        listed = ", ".join(sorted(files)[:8])
        raise SubmissionError(f"no Jupyter notebook (.ipynb) in the submission (found: {listed})")
    if notebook:
        chosen = [rel for rel in candidates if rel == notebook or Path(rel).name == notebook]
        if not chosen:
            raise SubmissionError(
                f"the notebook {notebook!r} is not in the submission (found: {', '.join(candidates)})"
            )
        candidates = chosen[:1]
    if len(candidates) > limits.max_notebooks:
        raise SubmissionError(f"the submission holds {len(candidates)} notebooks; the limit is {limits.max_notebooks}")
    notebooks = []
    for rel in candidates:
        data = files[rel].read_bytes()
        notebooks.append(NotebookFile(path=rel, node=parse_notebook(rel, data, limits), size=len(data)))
    hashes = {rel: hashlib.sha256(p.read_bytes()).hexdigest() for rel, p in sorted(files.items())}
    content = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()
    return Submission(
        name=name or root.name,
        root=root,
        source=source or root,
        files=files,
        notebooks=notebooks,
        content_hash=content,
        file_hashes=hashes,
        skipped=skipped,
    )
