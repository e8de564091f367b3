"""Unpack an uploaded .zip as hostile input.

Python's `zipfile` trusts header sizes and (before 3.11.8/3.12.2) does not catch
overlapping-entry bombs, and writes symlink entries as plain files. So every
limit is enforced here while reading: entry count, bytes actually inflated per
entry and in total, compression ratio, and the shape of each name (no absolute
paths, drive letters, `..` or symlinks).
"""

from __future__ import annotations

import posixpath
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionError

IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git", ".DS_Store"}


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 2_000
    max_total_bytes: int = 200 * 1024 * 1024
    max_file_bytes: int = 50 * 1024 * 1024
    #: Inflated/compressed size above which an entry is treated as a bomb.
    max_ratio: float = 200.0
    #: Entries smaller than this are exempt from the ratio check (tiny files compress well).
    ratio_floor_bytes: int = 1024 * 1024


def safe_member_name(name: str) -> str:
    """The normalised relative path of an entry, or a SubmissionError saying why not."""
    if "\x00" in name:
        raise SubmissionError(f"refused archive entry with a NUL byte in its name: {name!r}")
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise SubmissionError(f"refused archive entry with an absolute path: {name!r}")
    parts = [p for p in cleaned.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise SubmissionError(f"refused archive entry that climbs out of the folder (zip-slip): {name!r}")
    return posixpath.join(*parts) if parts else ""


def extract_zip(archive: Path, target: Path, limits: ArchiveLimits | None = None) -> list[str]:
    """Extract `archive` into the empty folder `target`; returns the relative paths written."""
    limits = limits or ArchiveLimits()
    written: list[str] = []
    total = 0
    try:
        with zipfile.ZipFile(archive) as bundle:
            entries = bundle.infolist()
            if len(entries) > limits.max_entries:
                raise SubmissionError(
                    f"the archive holds {len(entries):,} entries; the limit is {limits.max_entries:,}"
                )
            seen: set[str] = set()
            for info in entries:
                name = safe_member_name(info.filename)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise SubmissionError(f"refused archive entry that is a symbolic link: {info.filename!r}")
                if info.flag_bits & 0x1:
                    raise SubmissionError(f"refused encrypted archive entry: {info.filename!r}")
                if not name or info.is_dir() or set(name.split("/")) & IGNORED_PARTS:
                    continue
                if name.lower() in seen:
                    raise SubmissionError(f"the archive holds {name!r} twice")
                seen.add(name.lower())
                if info.file_size > limits.max_file_bytes:
                    raise SubmissionError(
                        f"{name} would inflate to {info.file_size:,} bytes; the per-file limit is {limits.max_file_bytes:,}"
                    )
                destination = target / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                size = 0
                with bundle.open(info) as source, open(destination, "wb") as sink:
                    while chunk := source.read(1024 * 1024):
                        size += len(chunk)
                        total += len(chunk)
                        if size > limits.max_file_bytes:
                            raise SubmissionError(
                                f"{name} inflates past the per-file limit of {limits.max_file_bytes:,} bytes"
                            )
                        if total > limits.max_total_bytes:
                            raise SubmissionError(
                                f"the archive inflates past {limits.max_total_bytes:,} bytes in total (zip bomb?)"
                            )
                        if size > limits.ratio_floor_bytes and size > limits.max_ratio * max(info.compress_size, 1):
                            raise SubmissionError(
                                f"{name} compresses more than {limits.max_ratio:g}:1 (zip bomb?); refused"
                            )
                        sink.write(chunk)
                written.append(name)
    except zipfile.BadZipFile as exc:
        raise SubmissionError(f"{archive.name} is not a readable zip archive: {exc}") from exc
    except (OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        raise SubmissionError(f"{archive.name} could not be unpacked: {exc}") from exc
    return written
