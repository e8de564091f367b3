"""Re-grading keeps the review: earlier overrides are re-applied to the new report where their target still exists.

A criterion or check is the same target when its id is in the new report (and the points
still fit what it is worth). A finding is the same finding when it has the same *identity*:
its check and the places it points at (notebook, cell, lines, code), not its `#n` number, which
shifts when another finding of the same check comes or goes, and not its message, which may
quote values from the run. Findings with the same identity are told apart by their order.

Carried entries keep their reviewer, reason and time and are marked with the report they came
from; entries whose target is gone are listed in `Report.not_carried` with why, never dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from grader.models.findings import Finding
from grader.models.report import NotCarried, Report, ReviewerOverride, ReviewKind
from grader.review.overrides import rescore

GONE_FINDING = "not carried (finding no longer present)"
GONE_CRITERION = "not carried (criterion no longer in the rubric)"
GONE_CHECK = "not carried (check no longer scored)"
TOO_MANY_POINTS = "not carried (more points than the target is now worth)"
NOT_GRADED = "not carried (the submission was not graded this time)"


def finding_identity(finding: Finding) -> str:
    """What makes a finding the same finding in another grading of the same submission."""
    places = [
        [
            e.source.value,
            e.notebook,
            e.local_cell if e.local_cell is not None else e.cell,
            e.line,
            e.end_line,
            e.snippet,
        ]
        for e in finding.evidence
    ]
    # Without evidence the message is all there is to go by.
    basis = [finding.check_id, places] if places else [finding.check_id, finding.message]
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:16]


def stable_finding_keys(report: Report) -> dict[str, str]:
    """Finding id → a key that is the same for the same finding in another grading (identity + occurrence)."""
    seen: Counter[str] = Counter()
    keys = {}
    for result in report.checks:
        for finding in result.findings:
            identity = finding_identity(finding)
            seen[identity] += 1
            keys[finding.id] = f"{finding.check_id}@{identity}.{seen[identity]}"
    return keys


def _points_fit(points: float | None, possible: float) -> bool:
    return points is None or points <= possible + 1e-9


def carry_overrides(earlier: Report, new: Report) -> Report:
    """`new` with `earlier`'s review history re-applied where its targets still exist, and rescored.

    Entries earlier re-grades could not carry stay listed; nothing of the history is lost.
    """
    if not earlier.overrides and not earlier.not_carried:
        return new
    source = earlier.generated_at
    graded = new.status.value in ("graded", "needs_review")
    criteria = {c.id: c for c in new.criteria}
    checks = {s.check_id: (c.id, s) for c in new.criteria for s in c.checks}
    old_keys = stable_finding_keys(earlier)
    new_by_key = {key: fid for fid, key in stable_finding_keys(new).items()}
    carried: list[ReviewerOverride] = []
    dropped: list[NotCarried] = list(earlier.not_carried)

    def drop(entry: ReviewerOverride, why: str) -> None:
        dropped.append(NotCarried(entry=entry, why=why, carried_from=source))

    for entry in earlier.overrides:
        if entry.kind is ReviewKind.note:
            carried.append(entry.model_copy(update={"carried_from": source}))
            continue
        if not graded:
            drop(entry, NOT_GRADED)
        elif entry.kind is ReviewKind.criterion:
            criterion = criteria.get(entry.criterion_id or "")
            if criterion is None:
                drop(entry, GONE_CRITERION)
            elif not _points_fit(entry.points, criterion.points_possible):
                drop(entry, TOO_MANY_POINTS)
            else:
                carried.append(entry.model_copy(update={"carried_from": source}))
        elif entry.kind in (ReviewKind.check, ReviewKind.settle):
            found = checks.get(entry.check_id or "")
            if found is None:
                drop(entry, GONE_CHECK)
            elif not _points_fit(entry.points, found[1].points_possible):
                drop(entry, TOO_MANY_POINTS)
            else:
                carried.append(entry.model_copy(update={"carried_from": source, "criterion_id": found[0]}))
        else:  # a dismissed finding: the same finding, under whatever number it has now
            key = old_keys.get(entry.finding_id or "")
            target = new.finding(new_by_key[key]) if key in new_by_key else None
            if target is None or not target.is_problem:
                drop(entry, GONE_FINDING)
                continue
            owner = checks.get(target.check_id, (entry.criterion_id, None))[0]
            carried.append(
                entry.model_copy(
                    update={
                        "carried_from": source,
                        "finding_id": target.id,
                        "check_id": target.check_id,
                        "criterion_id": owner,
                    }
                )
            )
    updated = new.model_copy(update={"overrides": [*carried, *new.overrides], "not_carried": dropped})
    return rescore(updated)
