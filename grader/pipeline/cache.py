"""A cache of graded results, so re-grading an unchanged submission is nearly free.

The key covers everything that can change a report: the submission's content
hash and name, the rubric's and the assignment's hashes (hidden labels
included), the sandbox image's id and runtime, the grader's version and the
options that shape the report. An entry is a folder holding the files written
for that submission (report.json, report.html, executed notebooks, outputs);
it is written to a temporary folder and renamed into place, so a killed grader
never leaves half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

ENTRY_MARKER = ".complete"


def digest(parts: dict[str, Any]) -> str:
    """A stable hash of a JSON-able mapping."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def tree_hash(paths: dict[str, Path]) -> str:
    """Hash of named files' contents (e.g. an assignment's public and hidden files)."""
    hashes = {
        name: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
        for name, path in sorted(paths.items())
    }
    return digest(hashes)


class ResultCache:
    """Graded results on disk, keyed by `digest()` of everything that matters."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _entry(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> Path | None:
        entry = self._entry(key)
        return entry if (entry / ENTRY_MARKER).is_file() else None

    def put(self, key: str, folder: Path) -> None:
        """Store a copy of `folder` under `key`, atomically."""
        entry = self._entry(key)
        if (entry / ENTRY_MARKER).is_file():
            return
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=entry.parent))
        try:
            for item in folder.iterdir():
                if item.name.startswith("."):
                    continue
                if item.is_dir():
                    shutil.copytree(item, staging / item.name)
                elif item.is_file():
                    shutil.copy2(item, staging / item.name)
            (staging / ENTRY_MARKER).write_text("ok\n")
            try:
                os.rename(staging, entry)
            except OSError:
                # Another grader stored the same entry first; theirs is as good as ours.
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def restore(self, key: str, folder: Path) -> bool:
        """Copy a cached entry into `folder`; False if there is none."""
        entry = self.get(key)
        if entry is None:
            return False
        folder.mkdir(parents=True, exist_ok=True)
        for item in entry.iterdir():
            if item.name == ENTRY_MARKER:
                continue
            target = folder / item.name
            if item.is_dir():
                shutil.copytree(item, target, dirs_exist_ok=True)
            else:
                shutil.copy2(item, target)
        return True
