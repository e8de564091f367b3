"""What comes out of a sandbox, read as hostile input: streamed, capped, validated.

The results folder arrives as a tar from the engine. It is read member by member
(never extracted), regular files only, with per-file and total size caps, and the
manifest's HMAC is checked with the one-time key only the host and the executor
knew. `execution.json` is then validated against a schema with bounded sizes.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import posixpath
import tarfile
from collections.abc import Iterator
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import UntrustedOutputError

MAX_MEMBERS = 200
MAX_TOTAL_BYTES = 200 * 1024 * 1024
FILE_CAPS = {
    "execution.json": 8 * 1024 * 1024,
    "done.json": 64 * 1024,
    "trace.jsonl": 8 * 1024 * 1024,
    "executed/": 64 * 1024 * 1024,
    "collected/": 50 * 1024 * 1024,
}

Short = Annotated[str, Field(max_length=10_000)]


class _Untrusted(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=20_000)


class ExecutorCell(_Untrusted):
    notebook: Short
    local_index: int = Field(ge=0, le=1_000_000)
    cell_type: Short = "code"
    status: Annotated[str, Field(pattern=r"^(ok|error|timeout|not_executed|skipped)$")]
    duration_s: float | None = Field(default=None, ge=0, le=1e6)
    execution_count: int | None = None
    error_name: Short | None = None
    error_value: Short | None = None
    traceback: Short | None = None
    output_bytes: int = Field(default=0, ge=0)
    outputs_truncated: bool = False


class ExecutorNotebook(_Untrusted):
    path: Short
    status: Short = "ok"
    error: Short | None = None
    tracing: Short | None = None
    executed: Short | None = None


class ExecutorRedirect(_Untrusted):
    """A data-path event from the kernel (candidate process): a redirect, a stub, a separator."""

    kind: Annotated[str, Field(pattern=r"^(redirect|shim|separator)$")]
    notebook: Annotated[str, Field(max_length=1000)] = ""
    local_index: int | None = Field(default=None, ge=0, le=1_000_000)
    requested: Annotated[str, Field(max_length=1000)] = ""
    resolved: Annotated[str, Field(max_length=1000)] = ""
    via: Annotated[str, Field(max_length=200)] = ""
    detail: Annotated[str, Field(max_length=1000)] = ""


class ExecutorOutput(_Untrusted):
    """`execution.json` as the executor writes it."""

    executor_version: int
    status: Annotated[str, Field(pattern=r"^(ok|errors|timeout|oom|kernel_died|output_limit|disk_limit)$")]
    reason: Short = ""
    duration_s: float = Field(ge=0, le=1e6)
    notebooks: list[ExecutorNotebook] = Field(default=[], max_length=100)
    cells: list[ExecutorCell] = Field(default=[], max_length=200_000)
    tracing: Short = "disabled"
    skipped_lines: list[dict[str, int | str]] = Field(default=[], max_length=1000)
    redirects: list[ExecutorRedirect] = Field(default=[], max_length=500)
    stray_processes: int = 0
    packages: dict[str, Short] = Field(default={}, max_length=100)
    peak_memory_bytes: int | None = None
    oom_kills: int = 0
    collected: list[Short] = Field(default=[], max_length=100)


class CollectedResults(BaseModel):
    """Verified files from the results folder, by name."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    output: ExecutorOutput
    executed: dict[str, bytes] = {}
    collected: dict[str, bytes] = {}
    trace: bytes = b""


class ChunkReader(io.RawIOBase):
    """A file-like view over an iterator of byte chunks, for tarfile's stream mode."""

    def __init__(self, chunks: Iterator[bytes], limit: int) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._read = 0
        self._limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
            self._read += len(self._buffer)
            if self._read > self._limit:
                raise UntrustedOutputError(f"the sandbox's results exceed {self._limit:,} bytes")
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _cap_for(name: str) -> int | None:
    for prefix, cap in FILE_CAPS.items():
        if name == prefix or (prefix.endswith("/") and name.startswith(prefix) and name.count("/") == 1):
            return cap
    return None


def read_results_tar(chunks: Iterator[bytes]) -> dict[str, bytes]:
    """Read regular files from a results tar; anything else is skipped, oversize is an error."""
    files: dict[str, bytes] = {}
    total = 0
    reader = io.BufferedReader(ChunkReader(chunks, MAX_TOTAL_BYTES + 1024 * 1024))
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for count, member in enumerate(tar):
                if count >= MAX_MEMBERS:
                    raise UntrustedOutputError(f"the sandbox's results hold more than {MAX_MEMBERS} entries")
                if not member.isreg():
                    continue
                name = posixpath.normpath(member.name.lstrip("/"))
                parts = name.split("/")
                if parts and parts[0] == "grader":
                    name = "/".join(parts[1:])
                if not name or name.startswith("..") or "/../" in f"/{name}/":
                    continue
                cap = _cap_for(name)
                if cap is None:
                    continue
                if member.size > cap:
                    raise UntrustedOutputError(f"{name} is {member.size:,} bytes, over its {cap:,}-byte cap")
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                data = handle.read(cap + 1)
                total += len(data)
                if total > MAX_TOTAL_BYTES:
                    raise UntrustedOutputError("the sandbox's results are too large")
                files[name] = data
    except tarfile.TarError as exc:
        raise UntrustedOutputError(f"the sandbox's results are not a readable tar: {exc}") from exc
    return files


def manifest_is_signed(raw: bytes, nonce: bytes) -> bool:
    """Whether `done.json` carries the executor's signature (cheap pre-check)."""
    try:
        done = json.loads(raw)
        manifest = json.dumps(done["files"], sort_keys=True)
        signature = str(done["hmac"])
    except (KeyError, ValueError, TypeError):
        return False
    expected = hmac.new(nonce, manifest.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def verify_and_parse(files: dict[str, bytes], nonce: bytes) -> CollectedResults:
    """Check the signed manifest against every file, then validate execution.json."""
    try:
        done = json.loads(files["done.json"])
        digests = done["files"]
        signature = str(done["hmac"])
    except (KeyError, ValueError, TypeError) as exc:
        raise UntrustedOutputError("the results manifest is missing or malformed") from exc
    if not isinstance(digests, dict):
        raise UntrustedOutputError("the results manifest is malformed")
    manifest = json.dumps(digests, sort_keys=True)
    expected = hmac.new(nonce, manifest.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise UntrustedOutputError("the results manifest's signature does not match: results were forged")
    for name, digest in digests.items():
        data = files.get(name)
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            raise UntrustedOutputError(f"{name} does not match the signed manifest")
    unlisted = set(files) - set(digests) - {"done.json"}
    for name in unlisted:
        files.pop(name)
    try:
        output = ExecutorOutput.model_validate_json(files["execution.json"])
    except (KeyError, ValidationError) as exc:
        raise UntrustedOutputError(f"execution.json is invalid: {str(exc)[:500]}") from exc
    executed = {name: data for name, data in files.items() if name.startswith("executed/")}
    collected = {name.split("/", 1)[1]: data for name, data in files.items() if name.startswith("collected/")}
    return CollectedResults(output=output, executed=executed, collected=collected, trace=files.get("trace.jsonl", b""))


def parse_progress(data: bytes, limit: int = 100_000) -> list[ExecutorCell]:
    """Cells from the unsigned progress log, used only when the run was cut short."""
    cells = []
    for line in data.splitlines()[:limit]:
        try:
            cells.append(ExecutorCell.model_validate_json(line))
        except ValidationError:
            continue
    return cells
