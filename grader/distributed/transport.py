"""What travels through the broker: JSON messages carrying size-capped zip archives.

Everything that arrives from the other side is unpacked as hostile input with
`grader.submission.archive.extract_zip` (entry count, inflated size, compression
ratio, no links, no `..`), whatever the broker's authentication: a broker is a
boundary between hosts.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from grader.errors import GraderError
from grader.pipeline.grading import GradingOptions
from grader.scoring.rubric_file import LoadedRubric
from grader.submission.archive import IGNORED_PARTS, ArchiveLimits, extract_zip
from grader.submission.assignment import LoadedAssignment
from grader.submission.loader import open_submission

PROTOCOL: Literal[1] = 1
#: Compressed size caps; an archive over its cap never leaves the side that made it.
MAX_SUBMISSION_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_ASSIGNMENT_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_RESULT_ARCHIVE_BYTES = 128 * 1024 * 1024
#: What a packed folder may hold before compression (the loader's own submission limit).
MAX_FOLDER_BYTES = 200 * 1024 * 1024
MAX_FOLDER_FILES = 2_000


class TransportError(GraderError):
    """An archive could not be made, sent or trusted."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Archive(_Message):
    """A zip (or a single file) in base64, with its digest: `kind` says how to put it back."""

    kind: Literal["folder", "zip", "notebook"]
    #: The original file name (zip and notebook kinds: the loader keys notebooks by it).
    filename: str
    sha256: str
    data: str

    @property
    def size(self) -> int:
        return len(self.data) * 3 // 4

    def payload(self, cap: int) -> bytes:
        """The bytes, refused when over `cap` or when they do not match the digest."""
        if self.size > cap + 3:
            raise TransportError(f"the {self.kind} archive is {self.size:,} bytes; at most {cap:,} are accepted")
        try:
            data = base64.b64decode(self.data, validate=True)
        except ValueError as exc:
            raise TransportError(f"the {self.kind} archive is not valid base64") from exc
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise TransportError(f"the {self.kind} archive does not match its digest (damaged in transit?)")
        return data


class GradeJob(_Message):
    """One submission to grade, with everything a worker needs besides its sandbox image."""

    protocol: Literal[1] = PROTOCOL
    grader_version: str
    #: (check id, version) of every registered check: a worker with other checks refuses the job.
    checks: list[tuple[str, str]]
    name: str
    candidate: str | None = None
    #: What the report shows as the submission's source ("" in blind mode): the submitting side's path.
    source: str
    #: The lines of the submission folder's own `.graderignore` (a hidden file, left out of `submission`).
    ignore: list[str] = []
    submission: Archive
    #: assignment.yaml and the public files only.
    assignment: Archive | None = None
    rubric: dict[str, Any]
    rubric_sha256: str
    rubric_path: str
    #: The submitting side's options (`write_html` off when it renders after scoring the holdout).
    options: GradingOptions


class GradeOutcome(_Message):
    """A worker's answer: the report folder, or why the submission was not graded."""

    protocol: Literal[1] = PROTOCOL
    worker: str
    deliveries: int = 1
    report: Archive | None = None
    #: Set when `report` is None: `rejected` (the submission's fault) or `failed` (the grader's).
    status: Literal["rejected", "failed"] = "failed"
    reason: str = ""


# --------------------------------------------------------------------------- packing


def _archive(kind: Literal["folder", "zip", "notebook"], filename: str, data: bytes, cap: int, what: str) -> Archive:
    if len(data) > cap:
        raise TransportError(f"{what} is {len(data):,} bytes packed; at most {cap:,} bytes travel to a worker")
    return Archive(
        kind=kind,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        data=base64.b64encode(data).decode("ascii"),
    )


def _zip_files(files: list[tuple[str, Path]], what: str) -> bytes:
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as bundle:
        for rel, path in files:
            total += path.stat().st_size
            if total > MAX_FOLDER_BYTES:
                raise TransportError(f"{what} is larger than {MAX_FOLDER_BYTES:,} bytes")
            bundle.write(path, rel)
    return buffer.getvalue()


def folder_files(root: Path) -> list[tuple[str, Path]]:
    """Regular files under `root` the loader could read: no links, no hidden or tool folders."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_PARTS and not d.startswith("."))
        for name in sorted(names):
            path = here / name
            if name in IGNORED_PARTS or name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            found.append((path.relative_to(root).as_posix(), path))
            if len(found) > MAX_FOLDER_FILES:
                raise TransportError(f"{root.name} holds more than {MAX_FOLDER_FILES:,} files")
    return found


def pack_submission(path: Path) -> Archive:
    """A submission folder as a zip, or a submitted .zip / .ipynb file as it is."""
    path = Path(path)
    what = f"the submission {path.name}"
    if path.is_dir() and not path.is_symlink():
        return _archive("folder", path.name, _zip_files(folder_files(path), what), MAX_SUBMISSION_ARCHIVE_BYTES, what)
    suffix = path.suffix.lower()
    if path.is_file() and suffix in (".zip", ".ipynb"):
        size = path.stat().st_size
        if size > MAX_SUBMISSION_ARCHIVE_BYTES:
            raise TransportError(
                f"{what} is {size:,} bytes; at most {MAX_SUBMISSION_ARCHIVE_BYTES:,} travel to a worker"
            )
        kind: Literal["zip", "notebook"] = "zip" if suffix == ".zip" else "notebook"
        return _archive(kind, path.name, path.read_bytes(), MAX_SUBMISSION_ARCHIVE_BYTES, what)
    raise TransportError(f"{path.name} is neither a folder, a .zip nor a notebook")


def pack_assignment(assignment: LoadedAssignment) -> Archive:
    """assignment.yaml and the public files; hidden files and holdout labels are never read here."""
    files = [("assignment.yaml", assignment.folder / "assignment.yaml")]
    files += sorted(assignment.public_paths().items())
    what = f"the public files of assignment {assignment.assignment.name}"
    return _archive("folder", assignment.folder.name, _zip_files(files, what), MAX_ASSIGNMENT_ARCHIVE_BYTES, what)


def pack_report_folder(out_dir: Path) -> Archive:
    """A graded submission's folder: report.json, report.html, executed/ and outputs/."""
    what = "the report folder"
    return _archive("folder", "report", _zip_files(folder_files(out_dir), what), MAX_RESULT_ARCHIVE_BYTES, what)


def rubric_fields(rubric: LoadedRubric) -> dict[str, Any]:
    """The rubric as a job carries it: the validated model, its file's digest and name."""
    return {
        "rubric": rubric.rubric.model_dump(mode="json"),
        "rubric_sha256": rubric.sha256,
        "rubric_path": rubric.path.name,
    }


# --------------------------------------------------------------------------- unpacking


def unpack(archive: Archive, target: Path, *, cap: int, limits: ArchiveLimits | None = None) -> Path:
    """Put an archive back under the empty folder `target`; returns the path to grade or read.

    A folder archive is extracted as hostile input; a zip or notebook is written as the file it
    was (the loader unpacks a zip with the same limits when it opens it).
    """
    data = archive.payload(cap)
    target.mkdir(parents=True, exist_ok=True)
    if archive.kind == "folder":
        bundle = target.with_name(target.name + ".zip")
        bundle.write_bytes(data)
        try:
            extract_zip(bundle, target, limits or ArchiveLimits())
        finally:
            bundle.unlink(missing_ok=True)
        return target
    name = Path(archive.filename.replace("\\", "/")).name
    if not name or name.startswith(".") or Path(name).suffix.lower() not in (".zip", ".ipynb"):
        raise TransportError(f"refused a submitted file named {archive.filename!r}")
    path = target / name
    path.write_bytes(data)
    return path


def submitted_notebooks(path: Path, job: GradeJob) -> dict[str, Any]:
    """The job's submitted notebooks by path, in the loader's order ({} if the submission cannot be opened)."""
    try:
        with open_submission(path, notebook=job.options.notebook, name=job.name, ignore=tuple(job.ignore)) as sub:
            return {nb.path: nb.node for nb in sub.notebooks}
    except GraderError:
        return {}
