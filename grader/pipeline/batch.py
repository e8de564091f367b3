"""Grade a folder of submissions in parallel and write the batch summary.

Every submission's report is written as soon as it is graded (atomically), so a
killed batch loses nothing; `resume` skips submissions whose report exists, and
the result cache makes re-grading an unchanged submission nearly free.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.models.report import GradingStatus, Report
from grader.models.rubric import Rubric
from grader.pipeline.files import atomic_write, load_report
from grader.pipeline.grading import Grader
from grader.rendering import render_index_html
from grader.rendering.summary_csv import summary_csv
from grader.report.summary import summary_document, summary_rows

if TYPE_CHECKING:
    from grader.pipeline.similarity import SimilarityOptions
    from grader.similarity.models import SimilarityResult

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def discover(submissions_dir: Path) -> list[tuple[str, Path]]:
    """Submission folders and .zip files directly under `submissions_dir`, by name."""
    found = []
    for entry in sorted(Path(submissions_dir).iterdir(), key=lambda p: p.name.lower()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and not entry.is_symlink():
            found.append((entry.name, entry))
        elif entry.is_file() and entry.suffix.lower() in (".zip", ".ipynb"):
            found.append((entry.stem, entry))
    seen: dict[str, int] = {}
    unique = []
    for name, path in found:
        safe = _SAFE.sub("_", name)[:100] or "submission"
        seen[safe] = seen.get(safe, 0) + 1
        unique.append((safe if seen[safe] == 1 else f"{safe}-{seen[safe]}", path))
    return unique


@dataclass
class BatchEvent:
    """A progress event: `started`, `stage`, `done` or `skipped` for one submission."""

    kind: str
    name: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    reports: dict[str, Report]
    out_dir: Path
    #: Similar pairs found after grading (None when the stage was off).
    similarity: SimilarityResult | None = None

    @property
    def ungraded(self) -> list[str]:
        return [n for n, r in self.reports.items() if r.status in (GradingStatus.rejected, GradingStatus.failed)]


@dataclass(frozen=True)
class BatchItem:
    """One submission to grade: its name, where it is, who grades it, where its report goes."""

    name: str
    path: Path
    grader: Grader
    out_dir: Path


def grade_items(
    items: list[BatchItem],
    *,
    jobs: int | None = None,
    resume: bool = False,
    on_event: Callable[[BatchEvent], None] | None = None,
) -> dict[str, Report]:
    """Grade items on a pool of `jobs` workers (default: CPU cores); returns reports by item name."""
    emit = on_event or (lambda event: None)
    lock = threading.Lock()
    reports: dict[str, Report] = {}
    todo = []
    for item in items:
        existing = item.out_dir / "report.json"
        if resume and existing.is_file():
            try:
                reports[item.name] = load_report(existing)
                emit(BatchEvent("skipped", item.name, {"reason": "already graded"}))
                continue
            except (ValueError, OSError):
                pass
        todo.append(item)
    emit(BatchEvent("planned", "", {"total": len(items), "to_grade": len(todo)}))

    def one(item: BatchItem) -> None:
        emit(BatchEvent("started", item.name))
        report = item.grader.grade(item.path, out_dir=item.out_dir, name=item.name.rsplit("/", 1)[-1])
        with lock:
            reports[item.name] = report
        emit(
            BatchEvent(
                "done",
                item.name,
                {
                    "status": report.status.value,
                    "score": report.total.score,
                    "max": report.total.max,
                    "run_status": report.execution.status.value,
                    "cached": report.environment.get("cache") == "hit",
                },
            )
        )

    workers = max(1, jobs or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade") as pool:
        futures = [pool.submit(one, item) for item in todo]
        for future in as_completed(futures):
            future.result()
    return {item.name: reports[item.name] for item in items if item.name in reports}


def grade_folder(
    grader: Grader,
    submissions_dir: Path,
    out_dir: Path,
    *,
    jobs: int | None = None,
    resume: bool = False,
    on_event: Callable[[BatchEvent], None] | None = None,
    similarity: SimilarityOptions | None = None,
) -> BatchResult:
    """Grade every submission under `submissions_dir` into `out_dir/<name>/`; `similarity` compares them after."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    found = discover(submissions_dir)
    items = [BatchItem(name, path, grader, out_dir / name) for name, path in found]
    reports = grade_items(items, jobs=jobs, resume=resume, on_event=on_event)
    similar = _similar(found, reports, out_dir, grader, similarity, on_event)
    write_summaries(reports, out_dir, grader.rubric.rubric, similarity=similar)
    return BatchResult(reports=reports, out_dir=out_dir, similarity=similar)


def grade_groups(
    groups: dict[str, tuple[Grader, Path]],
    out_dir: Path,
    *,
    jobs: int | None = None,
    resume: bool = False,
    on_event: Callable[[BatchEvent], None] | None = None,
    similarity: SimilarityOptions | None = None,
) -> dict[str, BatchResult]:
    """Grade several assignments' submission folders on one shared pool of sandboxes.

    `groups` maps a group name (the assignment) to its grader and submissions folder;
    reports go to `out_dir/<group>/<name>/`, with a summary per group.
    """
    out_dir = Path(out_dir)
    items = []
    found = {}
    for group, (grader, folder) in groups.items():
        (out_dir / group).mkdir(parents=True, exist_ok=True)
        found[group] = discover(folder)
        items += [BatchItem(f"{group}/{name}", path, grader, out_dir / group / name) for name, path in found[group]]
    reports = grade_items(items, jobs=jobs, resume=resume, on_event=on_event)
    results = {}
    for group, (grader, _) in groups.items():
        mine = {name.split("/", 1)[1]: r for name, r in reports.items() if name.startswith(f"{group}/")}
        similar = _similar(found[group], mine, out_dir / group, grader, similarity, on_event)
        write_summaries(mine, out_dir / group, grader.rubric.rubric, similarity=similar)
        results[group] = BatchResult(reports=mine, out_dir=out_dir / group, similarity=similar)
    return results


def _similar(
    found: list[tuple[str, Path]],
    reports: dict[str, Report],
    out_dir: Path,
    grader: Grader,
    options: SimilarityOptions | None,
    on_event: Callable[[BatchEvent], None] | None,
) -> SimilarityResult | None:
    """The similarity stage (`grader.pipeline.similarity`), when asked for; it flags and links similar pairs."""
    if options is None:
        return None
    from grader.pipeline.similarity import run_similarity

    result = run_similarity(found, reports, out_dir, grader=grader, options=options)
    if on_event is not None:
        on_event(BatchEvent("similarity", out_dir.name, result.event()))
    return result


def write_summaries(
    reports: dict[str, Report], out_dir: Path, rubric: Rubric, *, similarity: SimilarityResult | None = None
) -> None:
    """summary.json, summary.csv (one row per submission, plus a points-possible row) and index.html."""
    rows = summary_rows(reports)
    summary = summary_document(rows, rubric)
    pairs = None
    if similarity is not None:
        pairs = [pair.summary() for pair in similarity.pairs]
        summary["similar_pairs"] = pairs
        summary["similarity"] = similarity.overview()
    similar = similarity.column() if similarity is not None else {}
    atomic_write(out_dir / "summary.json", json.dumps(summary, indent=2).encode())
    atomic_write(out_dir / "summary.csv", summary_csv(rows, rubric, similar=similar).encode())
    atomic_write(out_dir / "index.html", render_index_html(rows, rubric, similar_pairs=pairs).encode())
