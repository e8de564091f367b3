"""The similarity stage of a batch (`grader.similarity`): after grading, before the summaries.

It reads the graded submissions' notebooks again (static, so `--no-execute` batches
get it too), the assignment's starter code, a `--base` folder and a `--references`
folder of known public solutions, finds the similar pairs, and then:

- writes one side-by-side page per pair to `<batch>/similarity/pair-<id>.html`;
- puts a `similar` flag, linking to that page, on the report of each submission in a
  pair (both sides, or the submission's alone for a reference), and rewrites those
  reports (JSON and HTML); flags of an earlier run (`--resume`) are replaced;
- returns the pairs for `summary.json`, `summary.csv` and the batch index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import ConfigError, SubmissionError
from grader.models.report import Flag, FlagKind, GradingStatus, Report
from grader.pipeline.files import atomic_write, read_executed, write_report_files
from grader.rendering.similarity_page import Side, render_similarity_html, report_link
from grader.similarity.detect import find_similar
from grader.similarity.models import SimilarityParams, SimilarityResult, SimilarPair, SkippedNotebook
from grader.similarity.sources import (
    NotebookSource,
    load_code_folder,
    load_references,
    load_submission,
    open_notebooks,
)

if TYPE_CHECKING:
    from grader.pipeline.grading import Grader
    from grader.submission.assignment import LoadedAssignment

#: The folder of side-by-side pages inside a batch's output folder.
PAGES = "similarity"


@dataclass(frozen=True)
class SimilarityOptions:
    """What a batch compares its submissions with, besides each other."""

    #: A folder of known public solutions (each entry a folder, zip, notebook or `.py` file).
    references: Path | None = None
    #: A folder of code everyone may use (notebooks, `.py`); it is not evidence of copying.
    base: Path | None = None
    params: SimilarityParams = field(default_factory=SimilarityParams)

    def check(self) -> None:
        """Fail before grading starts when a folder is missing."""
        for option, folder in (("--references", self.references), ("--base", self.base)):
            if folder is not None and not Path(folder).is_dir():
                raise ConfigError(f"{option} {folder} is not a folder")


def starter_sources(assignment: LoadedAssignment | None) -> list[NotebookSource]:
    """The assignment's starter code (its optional `starter/` folder), if it has any."""
    if assignment is None:
        return []
    folder = assignment.folder / assignment.assignment.starter
    if not folder.is_dir():
        return []
    if not folder.resolve().is_relative_to(assignment.folder.resolve()):
        raise ConfigError(f"the starter folder {folder} points outside the assignment folder")
    return load_code_folder(folder)


def run_similarity(
    items: Sequence[tuple[str, Path]],
    reports: dict[str, Report],
    out_dir: Path,
    *,
    grader: Grader,
    options: SimilarityOptions,
) -> SimilarityResult:
    """Compare the graded submissions (name, path) of one assignment; flag and link both sides of each pair.

    A crash of the stage is recorded in the result's `error`: the reports and summaries still get written.
    """
    try:
        notebook = grader.options.notebook or (grader.assignment.assignment.notebook if grader.assignment else None)
        sources, skipped = _submissions(items, reports, notebook)
        references: list[NotebookSource] = []
        if options.references is not None:
            references, unread = load_references(Path(options.references))
            skipped += [SkippedNotebook(name=f"reference {n}", reason=r[:300]) for n, r in unread]
        excluded = starter_sources(grader.assignment)
        if options.base is not None:
            excluded += load_code_folder(Path(options.base))
        result = find_similar(sources, references=references, excluded=excluded, params=options.params, skipped=skipped)
        labels = {name: report.submission.candidate for name, report in reports.items()}
        write_pages(result, sources, references, labels, out_dir, blind=grader.options.blind)
        paths = dict(items)
        for name, report in reports.items():
            if _set_flags(report, name, result.pairs_of(name), labels):
                _rewrite(report, out_dir / name, paths.get(name), grader, notebook)
        return result
    except Exception as exc:  # noqa: BLE001 - the graded reports and the summaries still get written
        detail = f"{type(exc).__name__}: {exc}"[:500]
        return SimilarityResult(error=f"the similarity stage failed: {detail}", threshold=options.params.threshold)


def _submissions(
    items: Sequence[tuple[str, Path]], reports: dict[str, Report], notebook: str | None
) -> tuple[list[NotebookSource], list[SkippedNotebook]]:
    """The graded submissions' notebooks; those that cannot be read are listed with the reason."""
    sources, skipped = [], []
    for name, path in items:
        report = reports.get(name)
        if report is None or report.status in (GradingStatus.rejected, GradingStatus.failed):
            continue
        try:
            sources.append(load_submission(name, path, notebook=notebook))
        except (SubmissionError, OSError) as exc:
            skipped.append(SkippedNotebook(name=name, reason=str(exc)[:300]))
    return sources, skipped


def page_name(pair: SimilarPair) -> str:
    """A pair's page, relative to the batch folder (named by a hash: names may be hostile or blind)."""
    digest = hashlib.sha256(f"{pair.a}\0{pair.b}\0{pair.reference}".encode()).hexdigest()[:16]
    return f"{PAGES}/pair-{digest}.html"


def write_pages(
    result: SimilarityResult,
    sources: Sequence[NotebookSource],
    references: Sequence[NotebookSource],
    labels: dict[str, str],
    out_dir: Path,
    *,
    blind: bool,
) -> None:
    """One side-by-side page per pair; pages of pairs no longer found are removed."""
    by_name = {s.name: s for s in sources}
    by_reference = {r.name: r for r in references}

    def cells(source: NotebookSource) -> dict[int, tuple[str, str]]:
        return {c.index: (c.kind, c.source) for c in source.cells}

    wanted = set()
    for pair in result.pairs:
        pair.page = page_name(pair)
        wanted.add(Path(pair.page).name)
        a = Side(labels.get(pair.a, pair.a), report_link(pair.a), cells(by_name[pair.a]))
        if pair.reference:
            b = Side(f"{pair.b} (public solution)", None, cells(by_reference[pair.b]))
        else:
            b = Side(labels.get(pair.b, pair.b), report_link(pair.b), cells(by_name[pair.b]))
        atomic_write(out_dir / pair.page, render_similarity_html(pair, a, b, blind=blind).encode())
    folder = out_dir / PAGES
    if folder.is_dir():
        for stale in folder.glob("pair-*.html"):
            if stale.name not in wanted:
                stale.unlink(missing_ok=True)


def _flag(pair: SimilarPair, name: str, labels: dict[str, str]) -> Flag:
    other = pair.b if pair.a == name else pair.a
    cells = len(pair.matched_cells)
    what = f"the known public solution {other}" if pair.reference else labels.get(other, other)
    return Flag(
        kind=FlagKind.similar,
        message=f"{pair.score:.0%} similar to {what} ({cells} matching cell pair{'s' if cells != 1 else ''})"[:400],
        link=f"../{pair.page}" if pair.page else None,
    )


def _set_flags(report: Report, name: str, pairs: list[SimilarPair], labels: dict[str, str]) -> bool:
    """Replace the report's `similar` flags with these pairs'; whether anything changed."""
    flags = [f for f in report.flags if f.kind is not FlagKind.similar] + [_flag(p, name, labels) for p in pairs]
    if flags == report.flags:
        return False
    report.flags = flags
    return True


def _rewrite(report: Report, folder: Path, path: Path | None, grader: Grader, notebook: str | None) -> None:
    """report.json and report.html again, with the submitted notebooks for cells that did not run."""
    html, blind = grader.options.write_html, grader.options.blind
    executed = read_executed(folder) if html else None
    if html and path is not None:
        try:
            with open_notebooks(path, notebook=notebook) as submitted:
                write_report_files(report, folder, html=True, executed=executed, submitted=submitted, blind=blind)
            return
        except (SubmissionError, OSError):
            pass
    write_report_files(report, folder, html=html, executed=executed, blind=blind)
