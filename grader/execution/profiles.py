"""Runtime profiles: the eras of the scientific Python stack a notebook can be run in.

A notebook written on pandas 1.5 and scikit-learn 1.1 can fail on today's libraries for
reasons that are not the candidate's (a removed API, a changed default). Each profile is
one sandbox image built the same way (Debian's Python 3.11, the same executor and kernel
stack, an offline wheelhouse) with one era's libraries. `profiles.yaml` beside the image
files lists them, newest first; this module reads it and answers questions about the
versions a profile carries. No Docker here: images are built by `grader.execution.image`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import AssignmentError, ConfigError
from grader.models.assignment import Assignment

IMAGE_DIR = Path(__file__).resolve().parent / "image"
PROFILES_FILE = IMAGE_DIR / "profiles.yaml"
DEFAULT_PROFILE = "current"
#: What an assignment's `runtime:` says when it leaves the choice to the grader.
AUTO = "auto"
#: The libraries whose versions tell the eras apart, in the order reports show them.
KEY_LIBRARIES = ("pandas", "scikit-learn", "numpy", "matplotlib", "scipy")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,30}$")


class LeftOut(BaseModel):
    """A package of the era the profile does not carry as it was, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    package: str
    why: str


class _ProfileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    era: str = Field(pattern=r"^\d{4}$")
    requirements: str
    constraints: str
    left_out: list[LeftOut] = []


@dataclass(frozen=True)
class RuntimeProfile:
    """One era of libraries: its pins, its full lock and what it leaves out."""

    name: str
    title: str
    era: str
    requirements_path: Path
    constraints_path: Path
    left_out: tuple[LeftOut, ...] = ()
    #: 0 for the newest profile; larger is older.
    age: int = 0

    def requirements_text(self) -> str:
        return self.requirements_path.read_text(encoding="utf-8")

    def constraints_text(self) -> str:
        return self.constraints_path.read_text(encoding="utf-8")

    def lock(self) -> dict[str, str]:
        """Distributions installed in the profile's image and their versions (the lock)."""
        return _lock(self.constraints_path, self.requirements_path)

    def version(self, distribution: str) -> Version | None:
        """The version of a distribution in this profile, parsed, or None if it is not there."""
        raw = self.lock().get(normalise(distribution))
        return parse_version(raw) if raw else None

    def key_versions(self) -> dict[str, str]:
        """pandas, scikit-learn, numpy... as pinned, for reports."""
        lock = self.lock()
        return {name: lock[name] for name in KEY_LIBRARIES if name in lock}

    def describe(self) -> str:
        """`2022 (pandas 1.5.3, scikit-learn 1.1.3, numpy 1.23.5)`."""
        versions = self.key_versions()
        shown = ", ".join(f"{name} {versions[name]}" for name in KEY_LIBRARIES[:3] if name in versions)
        return f"{self.name} ({shown})" if shown else self.name


#: A parsed release number: `1.5.3` → (1, 5, 3); pre-release and local parts are dropped.
Version = tuple[int, ...]


def parse_version(text: str) -> Version | None:
    """`2.2.3` → (2, 2, 3); `1.4.1.post1` → (1, 4, 1); None when no leading number."""
    match = re.match(r"^\s*v?(\d+(?:\.\d+)*)", text)
    if not match:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def normalise(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower().strip()


@cache
def _lock(constraints: Path, requirements: Path) -> dict[str, str]:
    lock: dict[str, str] = {}
    for path in (constraints, requirements):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                name, _, version = line.partition("==")
                lock[normalise(name)] = version.split(";")[0].strip()
    return lock


@cache
def load_profiles(path: Path = PROFILES_FILE) -> tuple[RuntimeProfile, ...]:
    """Every runtime profile, newest first."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"the runtime profiles file {path} cannot be read: {exc}") from exc
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{path} must map profile names to their settings")
    profiles = []
    for age, (name, settings) in enumerate(raw.items()):
        name = str(name)
        if not _NAME.match(name) or name == AUTO:
            raise ConfigError(f"{path}: {name!r} is not a usable profile name")
        try:
            spec = _ProfileSpec.model_validate(settings)
        except ValidationError as exc:
            raise ConfigError(f"{path}: profile {name!r} is invalid: {exc}") from exc
        profiles.append(
            RuntimeProfile(
                name=name,
                title=spec.title,
                era=spec.era,
                requirements_path=path.parent / spec.requirements,
                constraints_path=path.parent / spec.constraints,
                left_out=tuple(spec.left_out),
                age=age,
            )
        )
    if DEFAULT_PROFILE not in {p.name for p in profiles}:
        raise ConfigError(f"{path} must define the {DEFAULT_PROFILE!r} profile")
    return tuple(profiles)


def profile_names() -> list[str]:
    """The profiles' names, newest first."""
    return [p.name for p in load_profiles()]


def get_profile(name: str) -> RuntimeProfile:
    """The profile called `name`; an unknown name is a configuration error that lists the known ones."""
    for profile in load_profiles():
        if profile.name == name:
            return profile
    raise ConfigError(f"unknown runtime profile {name!r}; known profiles: {', '.join(profile_names())}")


def default_profile() -> RuntimeProfile:
    """The `current` profile: today's libraries."""
    return get_profile(DEFAULT_PROFILE)


def check_runtime(assignment: Assignment, source: Path) -> None:
    """Refuse an assignment whose `runtime:` names no profile (`source`: its `assignment.yaml`)."""
    if assignment.runtime != AUTO and assignment.runtime not in profile_names():
        raise AssignmentError(
            f"{source}: runtime {assignment.runtime!r} is not a runtime profile; "
            f"use auto or one of: {', '.join(profile_names())}"
        )
