"""Assignments: `assignment.yaml` and the public files it lists, checked when loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from grader.errors import AssignmentError
from grader.models.assignment import Assignment
from grader.resources import rubrics_dir
from grader.submission.yaml_file import pydantic_problems, read_yaml

#: The rubrics the package ships (package data; in a checkout, the repository's `rubrics/`).
REPO_RUBRICS = rubrics_dir()


def resolve_rubric_path(ref: str, base_dir: Path | None = None) -> Path:
    """A rubric path relative to `base_dir`, or a bare name (`leakage.yaml`) of a bundled rubric."""
    candidate = Path(ref)
    if candidate.is_absolute():
        return candidate
    for folder in filter(None, [base_dir, Path.cwd() / "rubrics", REPO_RUBRICS]):
        path = folder / ref
        if path.is_file():
            return path.resolve()
    return (base_dir or Path.cwd()) / ref


@dataclass(frozen=True)
class LoadedAssignment:
    """An assignment and the folder its files are in."""

    assignment: Assignment
    folder: Path

    def public_paths(self) -> dict[str, Path]:
        """Public files (name → path); hidden files are never part of this."""
        return {name: self.folder / name for name in self.assignment.public_files}

    def data_files(self) -> dict[str, Path]:
        """The public files that go into the sandbox's read-only `data/` folder."""
        return {Path(name).name: path for name, path in self.public_paths().items()}

    def rubric_path(self) -> Path:
        """The rubric the assignment names (relative to its folder, or one of the repository's)."""
        return resolve_rubric_path(self.assignment.rubric, self.folder)

    def holdout_labels(self) -> Path | None:
        """The hidden labels file (never mounted into a sandbox), if the assignment has a holdout."""
        if self.assignment.holdout is None:
            return None
        return self.folder / self.assignment.holdout.labels_file


def load_assignment(folder: Path) -> LoadedAssignment:
    """Load `assignment.yaml` from an assignment folder and check its files exist."""
    folder = Path(folder)
    path = folder / "assignment.yaml" if folder.is_dir() else folder
    folder = path.parent
    raw, node, _ = read_yaml(path, "assignment")
    try:
        assignment = Assignment.model_validate(raw)
    except ValidationError as exc:
        listing = "\n".join(f"  - {p}" for p in pydantic_problems(exc, node))
        raise AssignmentError(f"{path} is not a valid assignment:\n{listing}") from exc
    missing = [name for name in assignment.public_files if not (folder / name).is_file()]
    if missing:
        raise AssignmentError(f"{path}: public files missing from {folder}: {missing}")
    resolved = folder.resolve()
    for name in assignment.public_files:
        if not (folder / name).resolve().is_relative_to(resolved):
            raise AssignmentError(f"{path}: public file {name} points outside the assignment folder")
    return LoadedAssignment(assignment=assignment, folder=resolved)
