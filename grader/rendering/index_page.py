"""The batch summary page: every candidate in one sortable, filterable table, and score distributions.

Rows are `grader.pipeline.batch.summary_rows` dicts. Candidate names come from folder and
zip names, so they are as hostile as anything else a candidate sends: escaped
everywhere, and the link to a report is built from the URL-quoted name.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from grader.models.report import GradingStatus
from grader.rendering.charts import Histogram, Strip, percent_histogram, strip_plot
from grader.rendering.page import asset, render_page

STATUS_ORDER = {s.value: n for n, s in enumerate(GradingStatus)}
STATUS_LABELS = {"graded": "graded", "needs_review": "needs review", "rejected": "rejected", "failed": "failed"}
SCORED = ("graded", "needs_review")


@dataclass
class CriterionColumn:
    id: str
    title: str
    points: float


@dataclass
class CandidateRow:
    candidate: str
    submission: str
    href: str
    status: str
    status_rank: int
    score: float | None
    max: float
    pending: float
    percent: float | None
    band: str
    criteria: list[float | None]
    flags: list[str]
    run_status: str
    error: str
    search: str


@dataclass
class SimilarRow:
    """A pair of the batch's similarity stage: both sides, the score, and the side-by-side page."""

    a: str
    a_href: str
    b: str
    b_href: str | None
    reference: bool
    score: float
    cells: int
    page_href: str | None


@dataclass
class IndexPage:
    title: str
    rubric_name: str
    rubric_version: str
    max_points: float
    columns: list[CriterionColumn]
    rows: list[CandidateRow]
    counts: dict[str, int]
    median_percent: float | None
    strips: list[Strip]
    histogram: Histogram
    statuses: list[tuple[str, str]]
    generated_at: str
    #: None when the batch ran without the similarity stage.
    similar: list[SimilarRow] | None = None


def report_href(submission: str) -> str:
    """The relative link to a submission's report; quoting keeps a crafted name a plain path segment."""
    return quote(submission, safe="") + "/report.html"


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _row(raw: Mapping[str, Any], columns: Sequence[CriterionColumn]) -> CandidateRow:
    status = str(raw.get("status", ""))
    scored = status in SCORED
    criteria = raw.get("criteria") or {}
    flags = [str(f) for f in raw.get("flags") or []]
    candidate = str(raw.get("candidate") or raw.get("submission") or "")
    submission = str(raw.get("submission") or candidate)
    return CandidateRow(
        candidate=candidate,
        submission=submission,
        href=report_href(submission),
        status=status,
        status_rank=STATUS_ORDER.get(status, len(STATUS_ORDER)),
        score=_num(raw.get("score")) if scored else None,
        max=_num(raw.get("max")) or 0.0,
        pending=_num(raw.get("pending")) or 0.0,
        percent=_num(raw.get("percent")) if scored else None,
        band=str(raw.get("band") or "") if scored else "",
        criteria=[_num(criteria.get(c.id)) if scored else None for c in columns],
        flags=flags,
        run_status=str(raw.get("run_status") or ""),
        error=str(raw.get("error") or ""),
        search=" ".join([candidate, submission, status, str(raw.get("band") or ""), *flags]).lower(),
    )


def _similar_rows(pairs: Sequence[Mapping[str, Any]], rows: Sequence[CandidateRow]) -> list[SimilarRow]:
    names = {r.submission: r.candidate for r in rows}
    similar = []
    for pair in pairs:
        a, b, reference = str(pair.get("a", "")), str(pair.get("b", "")), bool(pair.get("reference"))
        page = str(pair.get("page") or "")
        similar.append(
            SimilarRow(
                a=names.get(a, a),
                a_href=report_href(a),
                b=b if reference else names.get(b, b),
                b_href=None if reference else report_href(b),
                reference=reference,
                score=float(pair.get("score") or 0.0),
                cells=len(pair.get("matched_cells") or []),
                # Our own page names (`similarity/pair-<hex>.html`); quoted all the same.
                page_href=quote(page, safe="/") if page else None,
            )
        )
    return similar


def build_index(
    rows: Sequence[Mapping[str, Any]],
    rubric: Any,
    *,
    title: str | None = None,
    generated_at: str | None = None,
    similar_pairs: Sequence[Mapping[str, Any]] | None = None,
) -> IndexPage:
    """The summary page's view of the rows and the rubric."""
    columns = [CriterionColumn(id=c.id, title=c.title, points=float(c.points)) for c in rubric.criteria]
    candidates = [_row(r, columns) for r in rows]
    scored = [r for r in candidates if r.status in SCORED]
    strips = []
    for n, column in enumerate(columns):
        values = [(r.candidate, v) for r in scored if (v := r.criteria[n]) is not None]
        strips.append(strip_plot(column.title, column.points, values))
    percents = [r.percent for r in scored if r.percent is not None]
    counts = {
        "total": len(candidates),
        **{s: sum(1 for r in candidates if r.status == s) for s in STATUS_LABELS},
        "flagged": sum(1 for r in candidates if r.flags),
    }
    return IndexPage(
        title=title or f"Batch summary — {getattr(rubric, 'title', '') or rubric.name}",
        rubric_name=str(rubric.name),
        rubric_version=str(rubric.version),
        max_points=float(rubric.max_points),
        columns=columns,
        rows=candidates,
        counts=counts,
        median_percent=round(statistics.median(percents), 1) if percents else None,
        strips=strips,
        histogram=percent_histogram(percents),
        statuses=[(s, label) for s, label in STATUS_LABELS.items() if counts[s]],
        generated_at=generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        similar=_similar_rows(similar_pairs, candidates) if similar_pairs is not None else None,
    )


def render_index_html(
    rows: Sequence[Mapping[str, Any]],
    rubric: Any,
    *,
    title: str | None = None,
    generated_at: str | None = None,
    similar_pairs: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """The self-contained batch summary (`index.html`); its one inline script is allowed by hash.

    `similar_pairs` (the `similar_pairs` of `summary.json`) adds a section linking each pair's side-by-side page.
    """
    page = build_index(rows, rubric, title=title, generated_at=generated_at, similar_pairs=similar_pairs)
    return render_page("index.html.j2", scripts=[asset("index.js")], page=page)
