"""The batch summary as CSV: one row per submission, a points-possible row, spreadsheet-safe text.

`submission` is the safe id (the output folder's name); `candidate` is the name as given,
Unicode kept. `total` is the score a reviewer decides on (`reviewed` says whether a
reviewer's final replaced the automatic total, which stays in `automatic_total`); it equals
the sum of the criteria minus `cap` (the points a rubric cap took). `pending` counts points
not scored automatically.
"""

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
        "cap",
        "pending",
        "percent",
        "band",
        "reviewed",
        "automatic_total",
        "run_status",
        "flags",
        "similar",
        "error",
    ]
    writer.writerow(header)
    # cap and pending, then percent, then band .. error
    writer.writerow(
        ["POINTS POSSIBLE", "", "", rubric.max_points, *[pts for _, pts in criteria], "", "", 100, *[""] * 7]
    )
    for row in rows:
        writer.writerow(
            [
                row["submission"],
                _csv_safe(row["candidate"]),
                row["status"],
                row["score"],
                *[row["criteria"].get(cid, "") for cid, _ in criteria],
                -row["cap"] if row.get("cap") else 0,
                row.get("pending", 0),
                row["percent"],
                row["band"],
                "yes" if row.get("reviewed") else "no",
                row.get("automatic_score", row["score"]),
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
