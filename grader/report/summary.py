"""The batch summary: one row per submission, and the summary document (`summary.json`)."""

from __future__ import annotations

from typing import Any

from grader.models.report import Report
from grader.models.rubric import Rubric


def summary_rows(reports: dict[str, Report]) -> list[dict[str, Any]]:
    """One row per submission: status, scores by criterion, band, run status, flags, error."""
    rows = []
    for name, report in reports.items():
        rows.append(
            {
                "submission": name,
                "candidate": report.submission.candidate,
                "status": report.status.value,
                "score": report.total.score,
                "max": report.total.max,
                "pending": report.total.pending,
                "percent": report.total.percent,
                "band": report.total.band,
                "run_status": report.execution.status.value,
                "criteria": {c.id: c.score for c in report.criteria},
                "flags": [f.kind.value for f in report.flags],
                "error": (report.error or "").splitlines()[0][:300] if report.error else "",
                "report": f"{name}/report.html",
            }
        )
    return rows


def summary_document(rows: list[dict[str, Any]], rubric: Rubric) -> dict[str, Any]:
    """The rubric's outline, how many submissions were graded, and the rows."""
    criteria = [(c.id, c.points) for c in rubric.criteria]
    return {
        "rubric": {
            "name": rubric.name,
            "version": rubric.version,
            "max": rubric.max_points,
            "criteria": [{"id": cid, "points": pts} for cid, pts in criteria],
        },
        "count": len(rows),
        "graded": sum(1 for r in rows if r["status"] in ("graded", "needs_review")),
        "submissions": rows,
    }
