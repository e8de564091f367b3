"""The calibration corpus manifest (`corpus.yaml`): which public notebooks, at which commit, split how.

The manifest names each notebook by repository, commit and path; nothing fetched is committed.
`build_corpus.py` reads the files back out of the fetched mirrors under `/work/.mirror`, and
`render_for_raters.py` turns the built notebooks into plain-text views for the human raters.
Both go through this module so the manifest is validated one way.
"""

from __future__ import annotations

import hashlib
import posixpath
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from grader.models.assignment import Metric, TaskType

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "corpus.yaml"
MIRRORS = Path("/work/.mirror")

SplitName = Literal[
    "tune",
    "heldout",
    "fresh",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
    "fresh11",
    "fresh12",
]
SPLITS: tuple[SplitName, ...] = get_args(SplitName)
#: The fresh held-out sets in the order they were assembled: a dataset marked `fresh: true` belongs to
#: the first (split `fresh`), one marked `fresh: N` to the N-th (split `freshN`). Each was assembled after
#: the sets before it had been looked at, and is never tuned on. A new set adds its split to `SplitName`.
FRESH_SPLITS: tuple[SplitName, ...] = tuple(name for name in SPLITS if name.startswith("fresh"))


class ManifestError(Exception):
    """The manifest is invalid or a file it names cannot be read; the message says what to do."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _relative(path: str) -> str:
    """A clean relative POSIX path that stays inside its root."""
    norm = posixpath.normpath(path)
    if path.startswith(("/", "\\")) or norm == ".." or norm.startswith("../") or "\\" in path:
        raise ValueError(f"{path!r} must be a relative path that stays inside the folder")
    return norm


class FileCopy(_Strict):
    """One file taken from a repository: `from` is its repository path, `to` its place in our folder."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(alias="from")
    to: str

    @field_validator("source", "to")
    @classmethod
    def _inside(cls, value: str) -> str:
        return _relative(value)


class DatasetSource(_Strict):
    """Where an assignment's public data files come from (one repository at one commit)."""

    repo: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
    commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    licence: str
    files: list[FileCopy] = Field(min_length=1)


class Dataset(_Strict):
    """One assignment: the brief a hiring team would send for this public dataset."""

    title: str
    task: TaskType
    target: str
    #: The assignment model needs an id column; datasets without one name a column no file has.
    id_column: str
    primary_metric: Metric
    secondary_metrics: list[Metric] = []
    positive_label: int | str | None = None
    positive_rate: float | None = Field(default=None, gt=0, lt=1)
    brief: str = Field(min_length=40)
    #: Rows of one entity (a speaker's recordings) that must not straddle a split, as the assignment's
    #: `structure.group_column`, and the part of its values that is the group (`structure.group_pattern`).
    group_column: str | None = None
    group_pattern: str | None = None
    #: A dataset of a fresh held-out set: `true` for the first (split `fresh`, assembled after the held-out
    #: half had been looked at), `N` for the N-th (split `freshN`, assembled after the first N-1 had been
    #: looked at); never tuned on. Every notebook of it has that split.
    fresh: bool | int = False
    public_data: DatasetSource

    @field_validator("fresh", mode="before")
    @classmethod
    def _fresh_set(cls, value: object) -> object:
        if isinstance(value, bool) or (isinstance(value, int) and 2 <= value <= len(FRESH_SPLITS)):
            return value
        later = ", ".join(f"{n} (split `{name}`)" for n, name in enumerate(FRESH_SPLITS[1:], start=2))
        raise ValueError(f"must be false, true (the first fresh set, split `fresh`) or a later set's number: {later}")

    @property
    def fresh_split(self) -> SplitName | None:
        """The split of every notebook of this dataset if it belongs to a fresh set, else None."""
        if self.fresh is False:
            return None
        return FRESH_SPLITS[0] if self.fresh is True else FRESH_SPLITS[self.fresh - 1]

    @field_validator("brief")
    @classmethod
    def _brief_length(cls, text: str) -> str:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        if not 3 <= len(lines) <= 6:
            raise ValueError(f"the brief has {len(lines)} non-empty lines; write 3 to 6")
        return text


class NotebookEntry(_Strict):
    """One public notebook of the corpus."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*-\d{2}$")
    repo: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
    commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    #: Repository path of the notebook.
    notebook: str
    #: Where the notebook goes in the submission folder (default: its file name at the top).
    notebook_to: str | None = None
    #: Data files the notebook reads; `to` is relative to the submission folder.
    data: list[FileCopy] = []
    #: Folders the notebook writes into that the repository does not hold (kept with a placeholder).
    write_dirs: list[str] = []
    licence: str
    dataset: str
    task: TaskType
    target: str
    primary_metric: Metric
    id_column: str | None = None
    split: SplitName
    #: Packaging facts only (a renamed file, a placeholder folder); never a judgement of quality.
    notes: str = ""

    @field_validator("notebook", "notebook_to")
    @classmethod
    def _notebook_path(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.endswith(".ipynb"):
            raise ValueError(f"{value!r} is not a .ipynb path")
        return _relative(value)

    @field_validator("write_dirs")
    @classmethod
    def _dirs_inside(cls, values: list[str]) -> list[str]:
        return [_relative(value) for value in values]

    @property
    def notebook_dest(self) -> str:
        return self.notebook_to or posixpath.basename(self.notebook)


class Manifest(_Strict):
    """`corpus.yaml`: datasets (assignments), notebooks and the split rule."""

    version: Literal[1]
    split_rule: str
    datasets: dict[str, Dataset]
    notebooks: list[NotebookEntry] = Field(min_length=1)

    @field_validator("datasets")
    @classmethod
    def _dataset_names(cls, datasets: dict[str, Dataset]) -> dict[str, Dataset]:
        for name in datasets:
            if not name or not all(part.isalnum() and part.islower() for part in name.split("-")):
                raise ValueError(f"dataset key {name!r} must be lower-case words joined by '-'")
        return datasets

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        problems: list[str] = []
        seen: set[str] = set()
        for entry in self.notebooks:
            if entry.id in seen:
                problems.append(f"{entry.id}: the id is used twice")
            seen.add(entry.id)
            dataset = self.datasets.get(entry.dataset)
            if dataset is None:
                problems.append(f"{entry.id}: unknown dataset {entry.dataset!r}")
                continue
            for field in ("task", "target", "primary_metric"):
                if getattr(entry, field) != getattr(dataset, field):
                    problems.append(
                        f"{entry.id}: {field} {getattr(entry, field)!r} differs from dataset "
                        f"{entry.dataset!r} ({getattr(dataset, field)!r})"
                    )
            if entry.id_column is not None and entry.id_column != dataset.id_column:
                problems.append(f"{entry.id}: id_column {entry.id_column!r} differs from the dataset's")
            destinations = [entry.notebook_dest, *(copy.to for copy in entry.data)]
            if len(set(destinations)) != len(destinations):
                problems.append(f"{entry.id}: two files go to the same place in the submission")
        expected = assign_splits(self.notebooks, self.fresh_splits())
        for entry in self.notebooks:
            if entry.split != expected[entry.id]:
                problems.append(
                    f"{entry.id}: split is {entry.split!r} but the rule in the header gives {expected[entry.id]!r}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def fresh_splits(self) -> dict[str, SplitName]:
        """Each dataset of a fresh set, with the split all its notebooks have."""
        return {name: split for name, dataset in self.datasets.items() if (split := dataset.fresh_split) is not None}

    def fresh_datasets(self) -> frozenset[str]:
        """The datasets of every fresh set."""
        return frozenset(self.fresh_splits())

    def by_dataset(self) -> dict[str, list[NotebookEntry]]:
        grouped: dict[str, list[NotebookEntry]] = {name: [] for name in self.datasets}
        for entry in self.notebooks:
            grouped[entry.dataset].append(entry)
        return grouped


def split_key(notebook_id: str) -> str:
    return hashlib.sha256(notebook_id.encode()).hexdigest()


def assign_splits(entries: list[NotebookEntry], fresh: Mapping[str, SplitName] | None = None) -> dict[str, SplitName]:
    """The fixed split rule: every notebook of a dataset of a fresh set has that set's split (`fresh` maps
    dataset to split, as `Manifest.fresh_splits` gives it); within each other dataset, order ids by
    sha256(id); 1st, 3rd, ... tune, the rest held out."""
    fresh = fresh or {}
    by_dataset: dict[str, list[str]] = {}
    for entry in entries:
        by_dataset.setdefault(entry.dataset, []).append(entry.id)
    splits: dict[str, SplitName] = {}
    for dataset, ids in by_dataset.items():
        if dataset in fresh:
            splits |= dict.fromkeys(ids, fresh[dataset])
            continue
        for position, notebook_id in enumerate(sorted(ids, key=split_key)):
            splits[notebook_id] = "tune" if position % 2 == 0 else "heldout"
    return splits


def load_manifest(path: Path = MANIFEST) -> Manifest:
    """Read and validate `corpus.yaml`, or raise `ManifestError` listing what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ManifestError(f"cannot read {path}: {exc}") from exc
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            lines.append(f"  - {where}: {error['msg'].removeprefix('Value error, ')}")
        raise ManifestError(f"{path} is not a valid corpus manifest:\n" + "\n".join(lines)) from exc


# --------------------------------------------------------------------------- mirrors


def git_dir(repo: str, mirrors: Path = MIRRORS) -> Path:
    """The git directory of a fetched mirror (`owner+name/repo/.git` or a bare `owner+name/repo`)."""
    base = mirrors / repo.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").is_file():
            return candidate
    raise ManifestError(
        f"no mirror of {repo} under {mirrors}: fetch it again with the search tool's `fetch` "
        f"(source github:{repo}), then rerun"
    )


def read_blob(repo: str, commit: str, path: str, mirrors: Path = MIRRORS) -> bytes:
    """The bytes of `path` at `commit` in the mirror of `repo`."""
    directory = git_dir(repo, mirrors)
    has_commit = subprocess.run(
        ["git", "--git-dir", str(directory), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if has_commit.returncode != 0:
        raise ManifestError(
            f"the mirror of {repo} at {directory} lacks commit {commit}: fetch it again with the search "
            f"tool's `fetch` (source github:{repo}); if the store's snapshot moved on, pick the entry anew"
        )
    shown = subprocess.run(
        ["git", "--git-dir", str(directory), "show", f"{commit}:{path}"],
        capture_output=True,
        check=False,
    )
    if shown.returncode != 0 or not shown.stdout:
        detail = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else "empty or absent (snapshots lack files of 4 MiB and more)"
        raise ManifestError(f"{repo}@{commit[:10]}: cannot read {path!r}: {reason}")
    return shown.stdout
