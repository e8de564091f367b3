"""The batch summary as CSV: one row per submission, a points-possible row, spreadsheet-safe text."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from grader.models.rubric import Rubric


def summary_csv(rows: Sequence[dict[str, Any]], rubric: Rubric, *, similar: Mapping[str, str] | None = None) -> str:
    """summary.csv's text for rows of `grader.report.summary.summary_rows`.

    `similar` (a batch's `SimilarityResult.column()`) fills the `similar` column by submission.
    """
    similar = similar or {}
    criteria = [(c.id, c.points) for c in rubric.criteria]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [
        "submission",
        "candidate",
        "grading_status",
        "total",
        *[cid for cid, _ in criteria],
        "percent",
        "band",
        "run_status",
        "flags",
        "similar",
        "error",
    ]
    writer.writerow(header)
    writer.writerow(
        ["POINTS POSSIBLE", "", "", rubric.max_points, *[pts for _, pts in criteria], 100, "", "", "", "", ""]
    )
    for row in rows:
        writer.writerow(
            [
                row["submission"],
                _csv_safe(row["candidate"]),
                row["status"],
                row["score"],
                *[row["criteria"].get(cid, "") for cid, _ in criteria],
                row["percent"],
                row["band"],
                row["run_status"],
                ";".join(row["flags"]),
                _csv_safe(similar.get(row["submission"], "")),
                _csv_safe(row["error"]),
            ]
        )
    return buffer.getvalue()


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in text that came from a candidate."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
