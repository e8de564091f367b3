"""Candidates side by side: criteria, caps, flags, key metrics, and the cells behind the differences.

`build_comparison` reads reports only. Criteria are ordered by how far apart the candidates
are (the biggest difference first); under each, every candidate's lost points with the cell
and the code behind them, so a reviewer sees *why* one candidate scored lower, not only that
they did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from grader.errors import ReviewError
from grader.models.findings import Evidence
from grader.models.report import Report
from grader.review.overrides import dismissed_findings

MIN_CANDIDATES, MAX_CANDIDATES = 2, 4
#: Lost points shown per candidate and criterion (the largest first).
MAX_LOST = 3
MAX_SNIPPET_LINES = 6


@dataclass
class LostPoints:
    """Points one candidate lost in a criterion, and where."""

    points: float
    check: str
    message: str
    cell: int | None
    where: str
    snippet: str | None
    href: str | None


@dataclass
class CriterionCell:
    score: float | None
    possible: float
    pending: float
    lost: list[LostPoints] = field(default_factory=list)


@dataclass
class CriterionRow:
    id: str
    title: str
    possible: float
    cells: list[CriterionCell]
    #: Highest minus lowest score among the candidates (the rows are sorted by it).
    spread: float


@dataclass
class CandidateColumn:
    key: str
    candidate: str
    href: str | None
    status: str
    score: float | None
    automatic: float | None
    reviewed: bool
    max: float
    percent: float | None
    band: str
    caps: list[str]
    flags: list[tuple[str, str]]
    metrics: dict[str, str]


@dataclass
class Comparison:
    candidates: list[CandidateColumn]
    rows: list[CriterionRow]
    metric_names: list[str]
    title: str


def _where(ev: Evidence) -> str:
    parts = []
    if ev.cell is not None:
        parts.append(f"cell {ev.cell}")
    if ev.line is not None:
        parts.append(f"line {ev.line}" if ev.end_line in (None, ev.line) else f"lines {ev.line}–{ev.end_line}")
    return ", ".join(parts) or ev.source.value.replace("_", " ")


def _snippet(text: str | None) -> str | None:
    if not text:
        return None
    lines = text.splitlines()
    return "\n".join(lines[:MAX_SNIPPET_LINES]) + ("\n…" if len(lines) > MAX_SNIPPET_LINES else "")


def _lost(report: Report, criterion_id: str, href: str | None) -> list[LostPoints]:
    dismissed = dismissed_findings(report)
    lost = []
    for criterion in report.criteria:
        if criterion.id != criterion_id:
            continue
        for deduction in criterion.deductions:
            if deduction.finding_id in dismissed:
                continue
            finding = report.finding(deduction.finding_id) if deduction.finding_id else None
            ev = next((e for e in finding.evidence if e.cell is not None), None) if finding else None
            ev = ev or (finding.evidence[0] if finding and finding.evidence else None)
            lost.append(
                LostPoints(
                    points=deduction.points,
                    check=deduction.check_id,
                    message=deduction.reason,
                    cell=ev.cell if ev else None,
                    where=_where(ev) if ev else "",
                    snippet=_snippet(ev.snippet) if ev else None,
                    href=f"{href}#cell-{ev.cell}" if href and ev and ev.cell is not None else None,
                )
            )
    lost.sort(key=lambda item: -item.points)
    return lost[:MAX_LOST]


def _metrics(report: Report) -> dict[str, str]:
    metrics = {"Run": report.execution.status.value.replace("_", " ")}
    if report.execution.status.value != "not_run":
        metrics["Run time"] = f"{report.execution.duration_s:.0f} s"
    if report.holdout is not None:
        metric = report.holdout.metric
        metrics[f"Holdout {metric}"] = f"{report.holdout.score:.4g}" if report.holdout.score is not None else "–"
        metrics[f"Claimed {metric}"] = f"{report.holdout.claimed:.4g}" if report.holdout.claimed is not None else "–"
    problems = [f for r in report.checks for f in r.findings if f.is_problem]
    for severity in ("high", "medium", "low"):
        metrics[f"{severity.capitalize()} findings"] = str(sum(1 for f in problems if f.severity.value == severity))
    metrics["Pending points"] = f"{report.total.shown_pending:g}"
    return metrics


def build_comparison(
    reports: Mapping[str, Report],
    *,
    hrefs: Mapping[str, str] | None = None,
    limit: bool = True,
    title: str = "",
) -> Comparison:
    """Two to four candidates side by side (`limit=False` takes any number, for a batch's page)."""
    if limit and not MIN_CANDIDATES <= len(reports) <= MAX_CANDIDATES:
        raise ReviewError(f"compare {MIN_CANDIDATES} to {MAX_CANDIDATES} candidates, not {len(reports)}")
    hrefs = hrefs or {}
    columns = []
    for key, report in reports.items():
        scored = report.status.value in ("graded", "needs_review")
        total = report.total
        columns.append(
            CandidateColumn(
                key=key,
                candidate=report.submission.candidate,
                href=hrefs.get(key),
                status=report.status.value,
                score=total.shown if scored else None,
                automatic=total.score if scored else None,
                reviewed=total.final is not None,
                max=total.max,
                percent=total.shown_percent if scored else None,
                band=total.shown_band if scored else "",
                caps=[f"at most {c.max_percent:g} % (−{c.points_lost:g}): {c.reason}" for c in total.shown_caps],
                flags=[(f.kind.value, f.message) for f in report.flags],
                metrics=_metrics(report),
            )
        )
    names = []
    for column in columns:
        names += [m for m in column.metrics if m not in names]
    outline: dict[str, tuple[str, float]] = {}
    for report in reports.values():
        for criterion in report.criteria:
            outline.setdefault(criterion.id, (criterion.title, criterion.points_possible))
    rows = []
    for cid, (ctitle, possible) in outline.items():
        cells = []
        for key, report in reports.items():
            crit = next((c for c in report.criteria if c.id == cid), None)
            if crit is None:
                cells.append(CriterionCell(score=None, possible=possible, pending=0.0))
                continue
            cells.append(
                CriterionCell(
                    score=crit.final if crit.final is not None else crit.score,
                    possible=crit.points_possible,
                    pending=crit.final_pending if crit.final_pending is not None else crit.pending,
                    lost=_lost(report, cid, hrefs.get(key)),
                )
            )
        values = [c.score for c in cells if c.score is not None]
        spread = round(max(values) - min(values), 2) if values else 0.0
        rows.append(CriterionRow(id=cid, title=ctitle, possible=possible, cells=cells, spread=spread))
    rows.sort(key=lambda r: -r.spread)
    default_title = "Comparison: " + ", ".join(c.candidate for c in columns)
    return Comparison(candidates=columns, rows=rows, metric_names=names, title=title or default_title)
