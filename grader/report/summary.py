"""The batch summary: one row per submission, and the summary document (`summary.json`).

Scores are the ones a reviewer decides on: a reviewer's `final` where one exists (the row
says `reviewed`, and keeps the automatic total beside it), else the automatic score.
"""

from __future__ import annotations

from typing import Any

from grader.models.report import Report, ReviewKind
from grader.models.rubric import Rubric


def summary_rows(reports: dict[str, Report]) -> list[dict[str, Any]]:
    """One row per submission: status, scores by criterion, band, caps, pending points, run status, flags, error."""
    rows = []
    for name, report in reports.items():
        total = report.total
        reviewed = total.final is not None
        caps = total.shown_caps
        rows.append(
            {
                "submission": name,
                "candidate": report.submission.candidate,
                "status": report.status.value,
                "score": total.shown,
                "automatic_score": total.score,
                "reviewed": reviewed,
                "notes": sum(1 for e in report.overrides if e.kind is ReviewKind.note),
                "max": total.max,
                "pending": total.shown_pending,
                "percent": total.shown_percent,
                "band": total.shown_band,
                "cap": round(sum(c.points_lost for c in caps), 2),
                "caps": [f"{c.reason} (at most {c.max_percent:g} %)" for c in caps],
                "run_status": report.execution.status.value,
                "criteria": {c.id: c.final if c.final is not None else c.score for c in report.criteria},
                "flags": [f.kind.value for f in report.flags],
                "error": (report.error or "").splitlines()[0][:300] if report.error else "",
                "report": f"{name}/report.html",
            }
        )
    return rows


def summary_document(rows: list[dict[str, Any]], rubric: Rubric, *, title: str = "") -> dict[str, Any]:
    """The rubric's outline, how many submissions were graded, and the rows."""
    criteria = [(c.id, c.points) for c in rubric.criteria]
    return {
        "title": title,
        "rubric": {
            "name": rubric.name,
            "version": rubric.version,
            "max": rubric.max_points,
            "criteria": [{"id": cid, "points": pts} for cid, pts in criteria],
            "bands": [{"name": b.name, "min_percent": b.min_percent} for b in rubric.bands],
        },
        "scores": "a reviewer's final score where one was recorded (reviewed: true), else the automatic score",
        "count": len(rows),
        "graded": sum(1 for r in rows if r["status"] in ("graded", "needs_review")),
        "reviewed": sum(1 for r in rows if r.get("reviewed")),
        "submissions": rows,
    }
