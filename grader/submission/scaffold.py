"""`grader assignment init`: start an assignment folder from the package's templates.

The scaffold is a commented `assignment.yaml` (every key explained, the defaults shown)
and a `BRIEF.md` template; the author adds the data and runs `grader assignment validate`.
With `example=True` the folder gets the packaged sample assignment instead, complete and
gradable at once.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from grader.errors import AssignmentError
from grader.resources import resource_dir, sample_assignment_dir

TEMPLATES = ("assignment.yaml", "BRIEF.md")


def assignment_name(folder: Path) -> str:
    """A valid assignment name from a folder name (`Churn 2025` → `churn-2025`)."""
    name = re.sub(r"[^a-z0-9_-]+", "-", folder.name.lower()).strip("-_")
    return name if name and name[0].isalnum() else "assignment"


def init_assignment(folder: Path, *, example: bool = False, title: str | None = None) -> list[Path]:
    """Write the scaffold (or the sample assignment) into a new or empty folder; returns the files written."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise AssignmentError(f"{folder} exists and is not an empty folder; give a new folder for the assignment")
    if example:
        shutil.copytree(sample_assignment_dir(), folder, dirs_exist_ok=True)
        return sorted(p for p in folder.rglob("*") if p.is_file())
    folder.mkdir(parents=True, exist_ok=True)
    name = assignment_name(folder.resolve())
    values = {"{name}": name, "{title}": (title or name.replace("-", " ").replace("_", " ").capitalize())}
    written = []
    for template in TEMPLATES:
        text = (resource_dir("templates") / template).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value.replace('"', "'"))
        target = folder / template
        target.write_text(text, encoding="utf-8")
        written.append(target)
    (folder / "hidden").mkdir(exist_ok=True)
    return written
