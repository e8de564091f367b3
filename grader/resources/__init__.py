"""Data the package ships, found through `importlib.resources` so an installed wheel works anywhere.

- `rubrics/`: the bundled rubrics (`ml-takehome.yaml`, the default, and those extending it);
- `schemas/`: the JSON Schemas of `report.json`, rubric files and `assignment.yaml`;
- `assignments/churn-mini/`: a small, complete sample assignment.

In a checkout, `rubrics` and `schemas` are links to the repository's `rubrics/` and
`schemas/` folders, so there is one copy of each file; a wheel holds real copies.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from grader.errors import ConfigError

SAMPLE_ASSIGNMENT = "churn-mini"


def resource_dir(*parts: str) -> Path:
    """A folder of package data as a filesystem path (the package must be installed unzipped)."""
    found = resources.files(__name__).joinpath(*parts)
    if not isinstance(found, Path):
        raise ConfigError(f"take-home-grader's data ({'/'.join(parts)}) is inside an archive; install it unzipped")
    return found


def rubrics_dir() -> Path:
    """The bundled rubrics."""
    return resource_dir("rubrics")


def schemas_dir() -> Path:
    """The published JSON Schemas."""
    return resource_dir("schemas")


def sample_assignment_dir() -> Path:
    """The small sample assignment (data, brief, hidden labels)."""
    return resource_dir("assignments", SAMPLE_ASSIGNMENT)
