"""The assignments and rubrics reviewers can pick from, found on disk at start-up."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from grader import api
from grader.errors import GraderError

log = logging.getLogger("grader.web")


@dataclass
class Catalog:
    """Assignments by name and rubric file names; anything not listed here cannot be chosen."""

    assignments: dict[str, api.LoadedAssignment] = field(default_factory=dict)
    rubrics: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def rubric_path(self, assignment: str, rubric: str | None) -> Path:
        """The rubric a job grades with: the one chosen, else the assignment's own."""
        if rubric:
            return self.rubrics[rubric]
        return self.assignments[assignment].rubric_path()


def _assignment_folders(root: Path) -> list[Path]:
    if (root / "assignment.yaml").is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "assignment.yaml").is_file())


def load_catalog(assignment_dirs: tuple[Path, ...], rubrics_dir: Path) -> Catalog:
    """Load every assignment under the given folders; invalid ones are skipped and reported."""
    catalog = Catalog()
    for root in assignment_dirs:
        for folder in _assignment_folders(Path(root)):
            try:
                loaded = api.load_assignment(folder)
            except GraderError as exc:
                catalog.problems.append(f"{folder}: {str(exc).splitlines()[0]}")
                log.warning("skipping assignment %s: %s", folder, exc)
                continue
            name = loaded.assignment.name
            if name in catalog.assignments:
                catalog.problems.append(f"{folder}: another assignment is already called {name!r}")
                continue
            catalog.assignments[name] = loaded
    if rubrics_dir.is_dir():
        for path in sorted(rubrics_dir.glob("*.yaml")):
            catalog.rubrics[path.name] = path.resolve()
    return catalog
