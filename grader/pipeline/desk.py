"""The reviewer's desk on disk: overrides written back, reports re-rendered, batches compared and calibrated.

Everything here reads the folders `grade` and `batch` wrote (`report.json`, `executed/`,
`summary.json`) and writes next to them, atomically. The decisions themselves are made in
`grader.review`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from grader.checks.registry import Registry
from grader.errors import ReviewError, SubmissionError
from grader.execution.run import MAX_EXECUTED_BYTES
from grader.models.report import Report, ReviewerOverride
from grader.models.rubric import Band, CheckRef, Criterion, Rubric
from grader.pipeline.batch import write_summaries
from grader.pipeline.files import atomic_write, load_report
from grader.rendering import render_report_html
from grader.rendering.compare_page import render_compare_html
from grader.rendering.desk import Desk
from grader.review.calibrate import Calibration, calibrate, human_from_overrides, overlay_yaml, read_human_csv
from grader.review.compare import build_comparison
from grader.review.overrides import record
from grader.scoring.rubric_file import load_rubric_file
from grader.submission.assignment import REPO_RUBRICS, resolve_rubric_path
from grader.submission.loader import SubmissionLimits, parse_notebook

MAX_HUMAN_CSV_BYTES = 5 * 1024 * 1024


# --------------------------------------------------------------------------- one report


def read_report_dir(out_dir: Path) -> Report:
    """The report of a grading output folder, or a `ReviewError` saying what the folder is not."""
    path = Path(out_dir) / "report.json"
    if not path.is_file():
        raise ReviewError(f"{out_dir} holds no report.json: give the folder `grader grade --out` or a batch wrote")
    try:
        return load_report(path)
    except (OSError, ValueError) as exc:
        raise ReviewError(f"{path} cannot be read as a report: {str(exc).splitlines()[0][:200]}") from None


def _notebooks(names: Sequence[str], read: Any) -> dict[str, Any]:
    found = {}
    for rel in names:
        data = read(rel)
        if data is None:
            continue
        try:
            found[rel] = parse_notebook(rel, data, SubmissionLimits(max_notebook_bytes=MAX_EXECUTED_BYTES))
        except SubmissionError:
            continue  # shown as "not available" rather than failing the whole page
    return found


def _read_file(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() and not path.is_symlink() else None


def render_report_dir(
    out_dir: Path, *, report: Report | None = None, submitted: Path | None = None, desk: Desk | None = None
) -> str:
    """report.html's text for an output folder: the notebooks as executed (`executed/`) and, for cells that did
    not run, as submitted (`submitted`, else the report's source folder when it still exists)."""
    out_dir = Path(out_dir)
    report = report or read_report_dir(out_dir)
    names = list(dict.fromkeys([*report.execution.notebooks, *report.submission.notebooks]))
    executed = _notebooks(names, lambda rel: _read_file(out_dir / "executed" / rel.replace("/", "__")))
    root = submitted or (Path(report.submission.source) if report.submission.source else None)
    saved = _notebooks(names, lambda rel: _read_file(root / rel)) if root is not None and root.is_dir() else {}
    return render_report_html(report, executed, saved, blind=report.submission.blind, desk=desk)


def write_review(
    out_dir: Path,
    entries: Sequence[ReviewerOverride],
    *,
    submitted: Path | None = None,
    bands: list[Band] | None = None,
) -> Report:
    """Append `entries` to a report's history; rewrite report.json, report.html and the batch's summaries."""
    out_dir = Path(out_dir)
    report = record(read_report_dir(out_dir), entries, rubric_bands=bands)
    atomic_write(out_dir / "report.json", report.model_dump_json(indent=2).encode())
    if (out_dir / "report.html").is_file():
        atomic_write(out_dir / "report.html", render_report_dir(out_dir, report=report, submitted=submitted).encode())
    if (out_dir.parent / "summary.json").is_file():
        refresh_summaries(out_dir.parent)
    return report


# --------------------------------------------------------------------------- a batch


def read_batch(batch_dir: Path) -> dict[str, Report]:
    """Every report directly under a batch folder, by folder name."""
    batch_dir = Path(batch_dir)
    if not batch_dir.is_dir():
        raise ReviewError(f"{batch_dir} is not a folder")
    reports = {}
    for folder in sorted(p for p in batch_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if (folder / "report.json").is_file():
            reports[folder.name] = read_report_dir(folder)
    if not reports:
        groups = sorted(p.name for p in batch_dir.iterdir() if (p / "summary.json").is_file())
        hint = f"; it holds the batches {', '.join(groups)}: give one of them" if groups else ""
        raise ReviewError(f"{batch_dir} holds no graded submissions (no <name>/report.json){hint}")
    return reports


def rubric_outline(reports: Mapping[str, Report], bands: list[Band] | None = None) -> Rubric:
    """The rubric's shape as the reports record it (criteria, check points, bands, caps), for the summaries."""
    report = next((r for r in reports.values() if r.criteria and r.rubric is not None), None)
    if report is None or report.rubric is None:
        raise ReviewError("no report in this batch was graded, so there is nothing to summarise")
    criteria = [
        Criterion(
            id=c.id,
            title=c.title,
            points=c.points_possible,
            checks=[CheckRef(check=s.check_id, points=s.points_possible) for s in c.checks],
        )
        for c in report.criteria
    ]
    extra: dict[str, Any] = {"bands": report.rubric.bands or bands} if report.rubric.bands or bands else {}
    info = report.rubric
    return Rubric(name=info.name, version=info.version, title=info.title, criteria=criteria, caps=info.caps, **extra)


def refresh_summaries(batch_dir: Path) -> None:
    """Rewrite a batch's summaries from the reports on disk (after a review), keeping its title and links."""
    document: dict[str, Any] = {}
    try:
        document = json.loads((batch_dir / "summary.json").read_text("utf-8"))
    except (OSError, ValueError):
        pass
    reports = read_batch(batch_dir)
    stored = (document.get("rubric") or {}).get("bands") or []
    bands = [Band(name=b["name"], min_percent=b["min_percent"]) for b in stored if isinstance(b, dict)]
    rubric = rubric_outline(reports, bands or None)
    write_summaries(
        reports, batch_dir, rubric, title=str(document.get("title") or ""), up=document.get("up"), kept=document
    )


def compare_dirs(report_dirs: Sequence[Path], out: Path) -> Path:
    """One HTML page with two to four candidates side by side; returns where it was written."""
    reports = {}
    hrefs = {}
    for folder in report_dirs:
        folder = Path(folder)
        key = folder.resolve().name
        if key in reports:
            key = f"{folder.resolve().parent.name}/{key}"
        reports[key] = read_report_dir(folder)
        if (folder / "report.html").is_file():
            hrefs[key] = _relative(folder / "report.html", out.parent)
    comparison = build_comparison(reports, hrefs=hrefs)
    atomic_write(out, render_compare_html(comparison).encode())
    return out


def compare_named(
    report_dirs: Mapping[str, Path], *, hrefs: Mapping[str, str] | None = None, up_href: str | None = None
) -> str:
    """The comparison page (as `compare_dirs` writes it) for report folders named by the caller."""
    reports = {key: read_report_dir(Path(folder)) for key, folder in report_dirs.items()}
    return render_compare_html(build_comparison(reports, hrefs=hrefs), up_href=up_href)


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()


# --------------------------------------------------------------------------- calibration


def _rubric_in_use(reports: Mapping[str, Report], rubric: Path | None, registry: Registry) -> Path:
    if rubric is not None:
        path = resolve_rubric_path(str(rubric))
        if not path.is_file():
            raise ReviewError(f"rubric {rubric} not found")
        return path
    infos = {(r.rubric.path, r.rubric.sha256) for r in reports.values() if r.rubric is not None}
    if len(infos) != 1:
        raise ReviewError("the batch's reports were graded with different rubrics; say which with --rubric FILE")
    (name, sha256) = infos.pop()
    path = resolve_rubric_path(name)
    if not path.is_file() or load_rubric_file(path, registry).sha256 != sha256:
        raise ReviewError(
            f"the rubric the batch was graded with ({name}) is not in rubrics/ as it was; give it with --rubric FILE"
        )
    return path


def _extends_ref(rubric: Path, overlay: Path) -> str:
    """How the overlay names its base: a bare name for the repository's rubrics, else a relative path."""
    if rubric.resolve().parent == REPO_RUBRICS.resolve():
        return rubric.name
    return _relative(rubric, overlay.parent)


def calibrate_batch(
    batch_dir: Path,
    *,
    registry: Registry,
    human: Path | None = None,
    rubric: Path | None = None,
    out: Path | None = None,
) -> tuple[Calibration, Path]:
    """Measure agreement with the team's scores (a CSV, else the reviewers' overrides) and write the rubric overlay."""
    reports = read_batch(batch_dir)
    base = _rubric_in_use(reports, rubric, registry)
    loaded = load_rubric_file(base, registry)
    if human is not None:
        if not Path(human).is_file():
            raise ReviewError(f"{human} is not a file")
        data = Path(human).read_bytes()
        if len(data) > MAX_HUMAN_CSV_BYTES:
            raise ReviewError(f"{human} is {len(data):,} bytes; a team's scores fit in {MAX_HUMAN_CSV_BYTES:,}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ReviewError(f"{human} is not UTF-8 text; save it as CSV (UTF-8)") from None
        scores = read_human_csv(text, source=str(human), criteria=[c.id for c in loaded.rubric.criteria])
    else:
        scores = human_from_overrides(reports)
    result = calibrate(reports, scores, bands=loaded.rubric.bands)
    target = out or Path(batch_dir) / "calibrated-rubric.yaml"
    overlay = overlay_yaml(result, extends=_extends_ref(base, target), batch=str(batch_dir), source=scores.source)
    atomic_write(target, overlay.encode())
    load_rubric_file(target, registry)  # the overlay must load as a rubric, or we wrote something useless
    return result, target
