"""Receive an uploaded submission as hostile input, enforcing every limit while it streams.

The multipart body is parsed incrementally: each file goes straight to disk
under a private staging folder, with its relative path sanitised by
`api.safe_member_name`, and the request is refused the moment it passes the
total size, the file count or the per-file size. The CSRF token must arrive
(as the `X-CSRF-Token` header or the form's first field) before any file byte is
stored. A zip is then unpacked by `api.unpack_zip` (zip-slip, symlinks,
bombs) and the result checked by `api.check_submission_folder` (it must hold a notebook),
so a bad submission is refused on the upload page, not later in the queue.
"""

from __future__ import annotations

import hmac
import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from grader import api
from grader.errors import SubmissionError
from grader.web.settings import UploadLimits

FIELDS = {"csrf_token", "assignment", "rubric", "candidate", "anonymous"}
FOLDER_FIELD, ARCHIVE_FIELD = "files", "archive"
MAX_PATH_CHARS = 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadRefused(Exception):
    """The upload breaks a rule; the message is shown to the reviewer as is."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class ReceivedUpload:
    """The form fields and what was stored of the files, before validation."""

    fields: dict[str, str] = field(default_factory=dict)
    folder_files: list[str] = field(default_factory=list)
    archive_name: str | None = None
    archive_kind: str | None = None
    bytes_received: int = 0


@dataclass(frozen=True)
class PreparedSubmission:
    root: Path
    name: str


def clean_name(text: str, fallback: str = "submission") -> str:
    """A display-safe, path-free name (letters, digits, `._ -`), at most 100 characters."""
    cleaned = _SAFE_NAME.sub("_", text).strip(" ._-")[:100]
    return cleaned or fallback


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


class _Part:
    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.filename: str | None = None
        self.buffer = bytearray()
        self.sink: int | None = None
        self.size = 0
        self.label = ""
        self.skip = False


class UploadReceiver:
    """Parse one multipart upload into `staging` (which must exist and be empty)."""

    def __init__(self, staging: Path, limits: UploadLimits, *, csrf_token: str, csrf_verified: bool) -> None:
        self.staging = staging
        self.files_dir = staging / "files"
        self.limits = limits
        self.csrf_token = csrf_token
        self.csrf_verified = csrf_verified
        self.result = ReceivedUpload()
        self._events: list[tuple[str, bytes]] = []
        self._header_name = b""
        self._header_value = b""
        self._part = _Part()
        self._refusal: UploadRefused | None = None
        self._seen: set[str] = set()

    # ------------------------------------------------------------------ parser callbacks (collect only)

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]
        if len(self._header_value) > 8192:
            raise UploadRefused("a part header is too long")

    def _on_header_end(self) -> None:
        self._events.append(("header", self._header_name.lower() + b"\x00" + self._header_value))
        self._header_name = self._header_value = b""

    def _on_headers_finished(self) -> None:
        self._events.append(("begin", b""))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._events.append(("data", bytes(data[start:end])))

    def _on_part_end(self) -> None:
        self._events.append(("end", b""))

    # ------------------------------------------------------------------ driving

    async def receive(
        self, content_type: str, content_length: str | None, stream: AsyncIterator[bytes]
    ) -> ReceivedUpload:
        """Consume the whole body; raises `UploadRefused` with the first rule it broke."""
        ctype, params = parse_options_header(content_type)
        if ctype != b"multipart/form-data" or b"boundary" not in params:
            raise UploadRefused("send the submission as multipart/form-data", 415)
        if content_length is not None:
            if not content_length.isdigit():
                raise UploadRefused("invalid Content-Length")
            if int(content_length) > self.limits.max_request_bytes:
                raise UploadRefused(
                    f"the upload is {_mb(int(content_length))}; the limit is "
                    f"{_mb(self.limits.max_request_bytes)} in total",
                    413,
                )
        parser = MultipartParser(
            params[b"boundary"],
            {
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
            },
        )
        self.files_dir.mkdir(mode=0o700)
        try:
            async for chunk in stream:
                self.result.bytes_received += len(chunk)
                if self.result.bytes_received > self.limits.max_request_bytes:
                    raise UploadRefused(f"the upload is larger than {_mb(self.limits.max_request_bytes)} in total", 413)
                if self._refusal is not None:
                    continue  # drain what the browser is still sending, so it can show our answer
                try:
                    parser.write(chunk)
                    await self._process()
                except UploadRefused as exc:
                    if exc.status == 403:
                        raise
                    self._refusal = exc
                    self._close_sink()
                except FormParserError as exc:
                    raise UploadRefused("the upload is not valid multipart/form-data") from exc
            if self._refusal is not None:
                raise self._refusal
            try:
                parser.finalize()
            except FormParserError as exc:
                raise UploadRefused("the upload was cut short") from exc
            await self._process()
        finally:
            self._close_sink()
        if not self.csrf_verified:
            raise UploadRefused("the form's security token is missing; reload the page and try again", 403)
        return self.result

    async def _process(self) -> None:
        events, self._events = self._events, []
        for kind, payload in events:
            if kind == "header":
                name, _, value = payload.partition(b"\x00")
                self._part.headers[name] = value
            elif kind == "begin":
                self._begin()
            elif kind == "data":
                await self._data(payload)
            else:
                self._end()
                self._part = _Part()

    def _begin(self) -> None:
        part = self._part
        _, options = parse_options_header(part.headers.get(b"content-disposition", b"").decode("latin-1"))
        try:
            part.name = options.get(b"name", b"").decode("utf-8")
            filename = options[b"filename"].decode("utf-8") if b"filename" in options else None
        except UnicodeDecodeError as exc:
            raise UploadRefused("a field or file name is not valid UTF-8") from exc
        if filename is None and part.name in (FOLDER_FIELD, ARCHIVE_FIELD):
            filename = ""  # some clients leave the name out of an empty file input
        if filename is None:
            if part.name not in FIELDS:
                raise UploadRefused(f"unexpected form field {part.name[:50]!r}")
            if part.name in self.result.fields:
                raise UploadRefused(f"the field {part.name!r} was sent twice")
            if len(self.result.fields) >= self.limits.max_fields:
                raise UploadRefused("too many form fields")
            return
        part.filename = filename
        if not filename:
            part.skip = True  # an empty file input
            return
        if not self.csrf_verified:
            raise UploadRefused("the form's security token is missing or wrong; reload the page and try again", 403)
        if part.name == FOLDER_FIELD:
            self._begin_folder_file(part, filename)
        elif part.name == ARCHIVE_FIELD:
            self._begin_archive(part, filename)
        else:
            raise UploadRefused(f"unexpected file field {part.name[:50]!r}")

    def _begin_folder_file(self, part: _Part, filename: str) -> None:
        if self.result.archive_name is not None:
            raise UploadRefused("upload either a folder or a .zip, not both")
        if len(filename) > MAX_PATH_CHARS:
            raise UploadRefused(f"a file path is longer than {MAX_PATH_CHARS} characters")
        try:
            rel = api.safe_member_name(filename)
        except SubmissionError as exc:
            raise UploadRefused(str(exc).replace("archive entry", "file")) from exc
        parts = rel.split("/") if rel else []
        if not parts or any(p in api.IGNORED_PARTS or p.startswith(".") for p in parts):
            part.skip = True  # hidden files and tool droppings are not part of a submission
            return
        if len(self.result.folder_files) >= self.limits.max_files:
            raise UploadRefused(
                f"the folder holds more than {self.limits.max_files:,} files; the limit is {self.limits.max_files:,}",
                413,
            )
        if rel.lower() in self._seen:
            raise UploadRefused(f"the file {rel!r} was sent twice")
        self._seen.add(rel.lower())
        part.label = rel
        part.sink = self._open(self.files_dir / rel, rel)
        self.result.folder_files.append(rel)

    def _begin_archive(self, part: _Part, filename: str) -> None:
        if self.result.folder_files or self.result.archive_name is not None:
            raise UploadRefused("upload either a folder or a single .zip, not both")
        base = filename.replace("\\", "/").rsplit("/", 1)[-1]
        suffix = Path(base).suffix.lower()
        if suffix not in (".zip", ".ipynb"):
            raise UploadRefused(
                f"{clean_name(base)} is not a .zip archive or a notebook (.ipynb); zip the "
                "submission folder, or pick the folder itself"
            )
        self.result.archive_name = base
        self.result.archive_kind = suffix
        part.label = clean_name(base)
        if suffix == ".zip":
            target = self.staging / "upload.zip"
        else:
            target = self.files_dir / f"{clean_name(Path(base).stem)}.ipynb"
        part.sink = self._open(target, part.label)

    def _open(self, path: Path, label: str) -> int:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # O_EXCL | O_NOFOLLOW: never write through something that is already there.
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise UploadRefused(f"{label}: conflicts with another file of the upload ({exc.strerror})") from exc

    async def _data(self, data: bytes) -> None:
        part = self._part
        if part.skip:
            if part.filename == "" and data:
                raise UploadRefused(f"a file was sent in {part.name!r} without a file name")
            return
        if part.filename is None:
            part.buffer += data
            if len(part.buffer) > self.limits.max_field_bytes:
                raise UploadRefused(f"the field {part.name!r} is too long")
            return
        part.size += len(data)
        if part.size > self.limits.max_file_bytes:
            raise UploadRefused(
                f"{part.label} is larger than the per-file limit of {_mb(self.limits.max_file_bytes)}", 413
            )
        if part.sink is not None:
            await anyio.to_thread.run_sync(_write_all, part.sink, data)

    def _end(self) -> None:
        part = self._part
        if part.filename is not None:
            self._close_sink()
            return
        try:
            value = part.buffer.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UploadRefused(f"the field {part.name!r} is not valid UTF-8") from exc
        self.result.fields[part.name] = value
        if part.name == "csrf_token" and not self.csrf_verified:
            if not hmac.compare_digest(value.encode(), self.csrf_token.encode()):
                raise UploadRefused("the form's security token is wrong; reload the page and try again", 403)
            self.csrf_verified = True

    def _close_sink(self) -> None:
        if self._part.sink is not None:
            os.close(self._part.sink)
            self._part.sink = None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _unwrap_single_folder(root: Path) -> Path:
    """A submission sent as `name/...` is graded from inside `name/`, as `open_submission` does for zips."""
    entries = [p for p in root.iterdir() if p.name not in api.IGNORED_PARTS]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return root


def prepare_submission(
    staging: Path, received: ReceivedUpload, assignment: api.LoadedAssignment, limits: UploadLimits
) -> PreparedSubmission:
    """Unpack (for a zip) and validate the stored upload; raises `UploadRefused` with the reason."""
    files_dir = staging / "files"
    if received.archive_kind == ".zip":
        archive = staging / "upload.zip"
        try:
            api.unpack_zip(
                archive,
                files_dir,
                max_entries=limits.max_files,
                max_total_bytes=limits.max_expanded_bytes,
                max_file_bytes=limits.max_file_bytes,
                max_ratio=limits.max_ratio,
                ratio_floor_bytes=limits.ratio_floor_bytes,
            )
        except SubmissionError as exc:
            raise UploadRefused(f"{clean_name(received.archive_name or 'the archive')} was refused: {exc}") from exc
        finally:
            archive.unlink(missing_ok=True)
        default_name = Path(received.archive_name or "submission").stem
    elif received.archive_kind == ".ipynb":
        default_name = Path(received.archive_name or "submission").stem
    elif received.folder_files:
        tops = {rel.split("/", 1)[0] for rel in received.folder_files}
        default_name = tops.pop() if len(tops) == 1 and all("/" in r for r in received.folder_files) else "submission"
    else:
        raise UploadRefused("choose a submission folder or a .zip file to upload")
    root = _unwrap_single_folder(files_dir)
    try:
        api.check_submission_folder(
            root,
            name=clean_name(default_name),
            notebook=assignment.assignment.notebook,
            max_files=limits.max_files,
            max_total_bytes=limits.max_expanded_bytes,
            max_file_bytes=limits.max_file_bytes,
        )
    except SubmissionError as exc:
        raise UploadRefused(f"this submission cannot be graded: {exc}") from exc
    return PreparedSubmission(root=root, name=clean_name(default_name))


def discard(staging: Path) -> None:
    """Remove an upload's staging folder."""
    shutil.rmtree(staging, ignore_errors=True)
