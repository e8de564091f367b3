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
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from grader.models.report import GradingStatus, Report
from grader.models.rubric import Rubric
from grader.pipeline.files import atomic_write, load_report
from grader.pipeline.grading import Grader
from grader.rendering import render_index_html
from grader.rendering.compare_page import render_compare_html
from grader.rendering.index_page import BatchLink, render_top_index_html, report_href
from grader.rendering.summary_csv import summary_csv
from grader.report.summary import summary_document, summary_rows
from grader.review.compare import build_comparison

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
    """A progress event: `started`, `cell` (a code cell started), `stage`, `done` or `skipped` for one submission."""

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
        # The folder is named by a safe id; the report keeps the candidate's name as given (Unicode and all).
        given = item.path.stem if item.path.is_file() else item.path.name
        report = item.grader.grade(
            item.path,
            out_dir=item.out_dir,
            name=item.name.rsplit("/", 1)[-1],
            candidate=given,
            # Only someone listening makes the sandbox look at the running cell.
            on_cell=(lambda cell: emit(BatchEvent("cell", item.name, cell.as_dict()))) if on_event else None,
        )
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
    write_summaries(reports, out_dir, grader.rubric.rubric, title=batch_title(grader), similarity=similar)
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
        write_summaries(
            mine,
            out_dir / group,
            grader.rubric.rubric,
            title=batch_title(grader, group),
            up="../index.html",
            similarity=similar,
        )
        results[group] = BatchResult(reports=mine, out_dir=out_dir / group, similarity=similar)
    write_top_index(out_dir, {group: (batch_title(groups[group][0], group), r) for group, r in results.items()})
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


def batch_title(grader: Grader, group: str = "") -> str:
    """A batch summary's title: the assignment's (else the group's, else the rubric's)."""
    if grader.assignment is not None:
        return grader.assignment.assignment.title
    return group or grader.rubric.rubric.title or grader.rubric.rubric.name


def write_top_index(out_dir: Path, batches: dict[str, tuple[str, BatchResult]]) -> None:
    """`out_dir/index.html` over several batches (one per assignment), each linking back to it."""
    links = []
    for group, (title, result) in batches.items():
        reports = result.reports.values()
        links.append(
            BatchLink(
                title=title,
                href=quote(group, safe="") + "/index.html",
                graded=sum(1 for r in reports if r.status in (GradingStatus.graded, GradingStatus.needs_review)),
                total=len(result.reports),
                reviewed=sum(1 for r in reports if r.total.final is not None),
            )
        )
    atomic_write(out_dir / "index.html", render_top_index_html(links).encode())


def write_summaries(
    reports: dict[str, Report],
    out_dir: Path,
    rubric: Rubric,
    *,
    title: str = "",
    up: str | None = None,
    similarity: SimilarityResult | None = None,
    kept: Mapping[str, Any] | None = None,
) -> None:
    """summary.json, summary.csv (one row per submission, plus a points-possible row), index.html and compare.html.

    `title` names the batch (the assignment); `up` links the summary to a top index; `similarity`
    adds the similar pairs (summary.json, a CSV column, a section of the index); `kept` is an
    earlier summary.json whose similar pairs stand (rewriting the summaries after a review).
    """
    rows = summary_rows(reports)
    document = summary_document(rows, rubric, title=title)
    if up:
        document["up"] = up
    pairs: list[dict[str, Any]] | None = None
    similar: dict[str, str] = {}
    if similarity is not None:
        pairs = [pair.summary() for pair in similarity.pairs]
        document["similarity"] = similarity.overview()
        similar = similarity.column()
    elif kept is not None and isinstance(kept.get("similar_pairs"), list):
        pairs = [p for p in kept["similar_pairs"] if isinstance(p, dict)]
        document["similarity"] = kept.get("similarity")
        from grader.similarity.models import similar_column

        similar = similar_column(pairs)
    if pairs is not None:
        document["similar_pairs"] = pairs
    atomic_write(out_dir / "summary.json", json.dumps(document, indent=2, ensure_ascii=False).encode())
    atomic_write(out_dir / "summary.csv", summary_csv(rows, rubric, similar=similar).encode())
    graded = {n: r for n, r in reports.items() if r.status in (GradingStatus.graded, GradingStatus.needs_review)}
    compare = None
    if len(graded) >= 2:
        comparison = build_comparison(
            graded, hrefs={n: report_href(n) for n in graded}, limit=False, title=f"Comparison — {title}".strip(" —")
        )
        atomic_write(
            out_dir / "compare.html", render_compare_html(comparison, up_href="index.html", selectable=True).encode()
        )
        compare = "compare.html"
    page = render_index_html(
        rows,
        rubric,
        title=f"{title} — batch summary" if title else None,
        up_href=up,
        compare_href=compare,
        similar_pairs=pairs,
    )
    atomic_write(out_dir / "index.html", page.encode())
