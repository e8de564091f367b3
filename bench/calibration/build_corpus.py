"""Build the calibration corpus from the fetched mirrors: one assignment and its submissions per dataset.

    PYTHONPATH=$PWD .venv/bin/python bench/calibration/build_corpus.py [--out /work/calibration/corpus]

Reads `bench/calibration/corpus.yaml`, takes every file it names out of the mirrors under
`/work/.mirror` (at the recorded commit) and writes:

    <out>/<dataset>/assignment.yaml, BRIEF.md, <public data files>
    <out>/<dataset>/<id>/<notebook>, <data files at the paths the notebook reads>

Then it loads every assignment and submission with the grader's own loaders (validation only:
nothing is graded). The build goes to a temporary folder that replaces `<out>` only when all of it
succeeded, so running it twice gives the same tree. A missing mirror is an error that says which
repository to fetch again.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.calibration.manifest import (  # noqa: E402
    MANIFEST,
    MIRRORS,
    SPLITS,
    Dataset,
    FileCopy,
    Manifest,
    ManifestError,
    NotebookEntry,
    load_manifest,
    read_blob,
)
from grader.errors import GraderError  # noqa: E402
from grader.submission.assignment import load_assignment  # noqa: E402
from grader.submission.loader import open_submission  # noqa: E402

DEFAULT_OUT = Path("/work/calibration/corpus")
#: Marks a folder this script owns, so `--out` never replaces a folder it did not build.
MARKER = ".calibration-corpus"
PLACEHOLDER = "_placeholder.txt"


@dataclass(frozen=True)
class Built:
    dataset: str
    notebook_id: str
    split: str
    path: Path
    files: int
    cells: int


def _write(root: Path, rel: str, data: bytes) -> None:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _copy_files(root: Path, repo: str, commit: str, copies: list[FileCopy], mirrors: Path) -> None:
    for copy in copies:
        _write(root, copy.to, read_blob(repo, commit, copy.source, mirrors))


def assignment_yaml(name: str, dataset: Dataset) -> dict[str, Any]:
    """The `assignment.yaml` content for one dataset (public data, no hidden labels: none exist)."""
    files = [copy.to for copy in dataset.public_data.files]
    raw: dict[str, Any] = {
        "name": name,
        "title": dataset.title,
        "task": str(dataset.task),
        "target": dataset.target,
        "id_column": dataset.id_column,
    }
    if dataset.positive_label is not None:
        raw["positive_label"] = dataset.positive_label
    if dataset.positive_rate is not None:
        raw["positive_rate"] = dataset.positive_rate
    raw |= {
        "primary_metric": str(dataset.primary_metric),
        "secondary_metrics": [str(metric) for metric in dataset.secondary_metrics],
        "rubric": "ml-takehome.yaml",
        "public_files": [*files, "BRIEF.md"],
        "prediction_contract": {
            "file": "predictions.csv",
            "id_column": dataset.id_column,
            "prediction_column": dataset.target,
        },
        "structure": {"time_ordered": False},
        "packages": "base_only",
    }
    if dataset.group_column:
        raw["structure"]["group_column"] = dataset.group_column
    if dataset.group_pattern:
        raw["structure"]["group_pattern"] = dataset.group_pattern
    return raw


def brief_markdown(dataset: Dataset) -> str:
    """The candidate-facing brief, as a hiring team would send it."""
    files = "\n".join(f"- `{copy.to}`" for copy in dataset.public_data.files)
    task = str(dataset.task).replace("_", " ")
    return (
        f"# Take-home: {dataset.title}\n\n"
        f"{dataset.brief.strip()}\n\n"
        f"- **Target:** `{dataset.target}`\n"
        f"- **Task:** {task}\n"
        f"- **Primary metric:** {dataset.primary_metric}\n\n"
        f"## Files\n\n{files}\n"
    )


def build_dataset(root: Path, name: str, dataset: Dataset, mirrors: Path) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    source = dataset.public_data
    _copy_files(folder, source.repo, source.commit, source.files, mirrors)
    (folder / "BRIEF.md").write_text(brief_markdown(dataset), encoding="utf-8")
    header = (
        f"# Calibration assignment built by bench/calibration/build_corpus.py from corpus.yaml.\n"
        f"# Public data from {source.repo}@{source.commit[:12]} (licence: {source.licence}).\n"
        f"# No hidden labels exist: the corpus calibrates the rubric, not the holdout score.\n"
    )
    body = yaml.safe_dump(assignment_yaml(name, dataset), sort_keys=False, allow_unicode=True)
    (folder / "assignment.yaml").write_text(header + body, encoding="utf-8")


def build_submission(root: Path, entry: NotebookEntry, mirrors: Path) -> Path:
    folder = root / entry.dataset / entry.id
    folder.mkdir(parents=True)
    _write(folder, entry.notebook_dest, read_blob(entry.repo, entry.commit, entry.notebook, mirrors))
    _copy_files(folder, entry.repo, entry.commit, entry.data, mirrors)
    for rel in entry.write_dirs:
        # An empty folder would not travel with the submission; a small file keeps it.
        (folder / rel).mkdir(parents=True, exist_ok=True)
        (folder / rel / PLACEHOLDER).write_text(
            "Placeholder: the notebook writes into this folder, which its repository did not hold.\n",
            encoding="utf-8",
        )
    return folder


def verify(root: Path, manifest: Manifest) -> list[Built]:
    """Load every assignment and submission with the grader's loaders; nothing is graded."""
    built = []
    for name in manifest.datasets:
        load_assignment(root / name)
    for entry in manifest.notebooks:
        folder = root / entry.dataset / entry.id
        with open_submission(folder, notebook=entry.notebook_dest, name=entry.id) as submission:
            if [nb.path for nb in submission.notebooks] != [entry.notebook_dest]:
                raise ManifestError(f"{entry.id}: the loader chose {submission.notebooks!r}, not {entry.notebook_dest}")
            built.append(
                Built(
                    dataset=entry.dataset,
                    notebook_id=entry.id,
                    split=entry.split,
                    path=folder,
                    files=len(submission.files),
                    cells=len(submission.notebooks[0].node.cells),
                )
            )
    return built


def _replace(out: Path, staged: Path) -> None:
    if out.exists():
        if not (out / MARKER).is_file() and any(out.iterdir()):
            raise ManifestError(f"{out} exists and was not built by this script (no {MARKER}); choose another --out")
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged.rename(out)


def build(manifest: Manifest, out: Path, mirrors: Path = MIRRORS) -> list[Built]:
    """Build the whole corpus under `out` (replacing a previous build) and return what was built."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".calibration-build-", dir=out.parent))
    staged.chmod(0o755)  # mkdtemp makes it private; the raters' tools read the corpus too
    try:
        (staged / MARKER).write_text("built by bench/calibration/build_corpus.py\n", encoding="utf-8")
        for name, dataset in manifest.datasets.items():
            build_dataset(staged, name, dataset, mirrors)
        for entry in manifest.notebooks:
            build_submission(staged, entry, mirrors)
        verify(staged, manifest)
        _replace(out, staged)
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    return verify(out, manifest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    args = parser.parse_args(argv)
    try:
        manifest = load_manifest(args.manifest)
        built = build(manifest, args.out, args.mirrors)
    except (ManifestError, GraderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = args.out.resolve()
    for name in manifest.datasets:
        print(f"assignment  {name:<18} {out / name / 'assignment.yaml'}")
    for item in built:
        rel = item.path.relative_to(out)
        print(f"submission  {item.notebook_id:<13} {item.split:<8} {item.files} files, {item.cells:>3} cells  {rel}")
    counts: dict[tuple[str, str], int] = {}
    for item in built:
        counts[item.dataset, item.split] = counts.get((item.dataset, item.split), 0) + 1
    splits = SPLITS
    width = max(len(name) for name in [*manifest.datasets, "dataset"])
    header = " ".join(f"{split:>{max(5, len(split))}}" for split in splits)
    print(f"\n{'dataset':<{width}} {header}")
    for name in manifest.datasets:
        row = " ".join(f"{counts.get((name, split), 0):>{max(5, len(split))}}" for split in splits)
        print(f"{name:<{width}} {row}")
    totals = " ".join(
        f"{sum(n for (_, s), n in counts.items() if s == split):>{max(5, len(split))}}" for split in splits
    )
    print(f"{'total':<{width}} {totals}   ({len(built)} notebooks, {len(manifest.datasets)} datasets)")
    print(f"built {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
