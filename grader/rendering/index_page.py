"""The batch summary page: every candidate in one sortable, filterable table, and score distributions.

Rows are `grader.report.summary.summary_rows` dicts. Candidate names come from folder and
zip names, so they are as hostile as anything else a candidate sends: escaped
everywhere, and the link to a report is built from the URL-quoted name.

The web app shows the same page for an assignment (`desk=`): the same table, plus who is
logged in, the rows of jobs still grading with their progress, and each row's actions.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from grader.models.report import GradingStatus
from grader.rendering.charts import Histogram, Strip, percent_histogram, strip_plot
from grader.rendering.desk import Desk, RowAction
from grader.rendering.page import asset, render_page

STATUS_ORDER = {s.value: n for n, s in enumerate(GradingStatus)}
STATUS_LABELS = {"graded": "graded", "needs_review": "needs review", "rejected": "rejected", "failed": "failed"}
#: Statuses of rows the web app adds for jobs that have no report yet.
JOB_LABELS = {"queued": "queued", "running": "grading", "error": "could not grade"}
SCORED = ("graded", "needs_review")


def flag_label(kind: str) -> str:
    """How a flag kind reads on a chip (`did_not_run` → `did not run`); filters match this text."""
    return kind.replace("_", " ")


@dataclass
class CriterionColumn:
    id: str
    title: str
    points: float


@dataclass
class CandidateRow:
    candidate: str
    submission: str
    href: str | None
    status: str
    status_rank: int
    score: float | None
    max: float
    pending: float
    percent: float | None
    band: str
    #: The band's rank, best first (sorting by band sorts by rank, not by name).
    band_rank: int | None
    criteria: list[float | None]
    flags: list[str]
    run_status: str
    error: str
    search: str
    reviewed: bool = False
    automatic: float | None = None
    cap: float = 0.0
    caps: list[str] = field(default_factory=list)
    progress: str = ""
    #: The web app's job id for the row (its progress is polled while it grades).
    job: str = ""
    actions: list[RowAction] = field(default_factory=list)


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
    flag_kinds: list[tuple[str, str]]
    generated_at: str
    up_href: str | None = None
    up_label: str = ""
    compare_href: str | None = None
    desk: Desk | None = None
    #: None when the batch ran without the similarity stage.
    similar: list[SimilarRow] | None = None


def report_href(submission: str) -> str:
    """The relative link to a submission's report; quoting keeps a crafted name a plain path segment."""
    return quote(submission, safe="") + "/report.html"


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _band_ranks(rubric: Any) -> dict[str, int]:
    bands = sorted(getattr(rubric, "bands", []) or [], key=lambda b: -float(b.min_percent))
    return {str(b.name): n for n, b in enumerate(bands)}


def _row(raw: Mapping[str, Any], columns: Sequence[CriterionColumn], ranks: dict[str, int]) -> CandidateRow:
    status = str(raw.get("status", ""))
    scored = status in SCORED
    criteria = raw.get("criteria") or {}
    flags = [str(f) for f in raw.get("flags") or []]
    candidate = str(raw.get("candidate") or raw.get("submission") or "")
    submission = str(raw.get("submission") or candidate)
    band = str(raw.get("band") or "") if scored else ""
    caps = [str(c) for c in raw.get("caps") or []]
    words = [candidate, submission, STATUS_LABELS.get(status, JOB_LABELS.get(status, status)), band]
    words += [w for f in flags for w in (f, flag_label(f))]
    if raw.get("reviewed"):
        words.append("reviewed")
    if caps:
        words.append("capped")
    href = raw.get("href")
    return CandidateRow(
        candidate=candidate,
        submission=submission,
        href=str(href) if href else (report_href(submission) if status in STATUS_ORDER else None),
        status=status,
        status_rank=STATUS_ORDER.get(status, len(STATUS_ORDER)),
        score=_num(raw.get("score")) if scored else None,
        max=_num(raw.get("max")) or 0.0,
        pending=_num(raw.get("pending")) or 0.0,
        percent=_num(raw.get("percent")) if scored else None,
        band=band,
        band_rank=ranks.get(band) if band else None,
        criteria=[_num(criteria.get(c.id)) if scored else None for c in columns],
        flags=flags,
        run_status=str(raw.get("run_status") or ""),
        error=str(raw.get("error") or ""),
        search=" ".join(words).lower(),
        reviewed=bool(raw.get("reviewed")),
        automatic=_num(raw.get("automatic_score")) if scored else None,
        cap=_num(raw.get("cap")) or 0.0,
        caps=caps,
        progress=str(raw.get("progress") or ""),
        job=str(raw.get("job") or ""),
        actions=list(raw.get("actions") or []),
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
    up_href: str | None = None,
    up_label: str = "All assignments",
    compare_href: str | None = None,
    desk: Desk | None = None,
    similar_pairs: Sequence[Mapping[str, Any]] | None = None,
) -> IndexPage:
    """The summary page's view of the rows and the rubric."""
    columns = [CriterionColumn(id=c.id, title=c.title, points=float(c.points)) for c in rubric.criteria]
    ranks = _band_ranks(rubric)
    candidates = [_row(r, columns, ranks) for r in rows]
    scored = [r for r in candidates if r.status in SCORED]
    strips = []
    for n, column in enumerate(columns):
        values = [(r.candidate, v) for r in scored if (v := r.criteria[n]) is not None]
        strips.append(strip_plot(column.title, column.points, values))
    percents = [r.percent for r in scored if r.percent is not None]
    counts = {
        "total": len(candidates),
        **{s: sum(1 for r in candidates if r.status == s) for s in (*STATUS_LABELS, *JOB_LABELS)},
        "flagged": sum(1 for r in candidates if r.flags),
        "reviewed": sum(1 for r in candidates if r.reviewed),
    }
    kinds = sorted({f for r in candidates for f in r.flags})
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
        statuses=[(s, label) for s, label in {**STATUS_LABELS, **JOB_LABELS}.items() if counts[s]],
        flag_kinds=[(k, flag_label(k)) for k in kinds],
        generated_at=generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        up_href=up_href,
        up_label=up_label,
        compare_href=compare_href,
        desk=desk,
        similar=_similar_rows(similar_pairs, candidates) if similar_pairs is not None else None,
    )


def render_index_html(
    rows: Sequence[Mapping[str, Any]],
    rubric: Any,
    *,
    title: str | None = None,
    generated_at: str | None = None,
    up_href: str | None = None,
    up_label: str = "All assignments",
    compare_href: str | None = None,
    desk: Desk | None = None,
    similar_pairs: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """The self-contained batch summary (`index.html`); its one inline script is allowed by hash.

    `similar_pairs` (the `similar_pairs` of `summary.json`) adds a section linking each pair's side-by-side page.
    """
    page = build_index(
        rows,
        rubric,
        title=title,
        generated_at=generated_at,
        up_href=up_href,
        up_label=up_label,
        compare_href=compare_href,
        desk=desk,
        similar_pairs=similar_pairs,
    )
    return render_page("index.html.j2", scripts=[asset("index.js")], web=desk is not None, page=page)


@dataclass
class BatchLink:
    """One batch on the top index: its summary and how many of its submissions were graded."""

    title: str
    href: str
    graded: int
    total: int
    reviewed: int = 0


def render_top_index_html(batches: Sequence[BatchLink], *, title: str = "Grading batches") -> str:
    """The top page over several batch summaries (one per assignment)."""
    return render_page("batches.html.j2", title=title, batches=list(batches))
