"""Reviewer overrides and notes, recorded beside the automatic result and never over it.

A report's `overrides` is an append-only history. `total.score`, every criterion's `score`
and every check's `points` stay what the grader computed; `rescore` derives the `final`
fields from the history:

- a dismissed finding stops counting: the points its deductions took come back (for an
  all-or-nothing check, once every problem finding of the check is dismissed), and a cap
  lifts once every finding behind it is dismissed;
- points set for a check (or settled for a check that was not scored automatically)
  replace its points;
- points set for a criterion replace the criterion's, pending points included;
- a later entry for the same check or criterion wins; notes change nothing.

Caps still hold over the reviewed total while their findings stand, and the band is read
from the rubric's bands (recorded in the report) at the reviewed percentage.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable, Sequence

from grader.errors import ReviewError
from grader.models.findings import CheckStatus
from grader.models.report import (
    AppliedCap,
    CheckScore,
    CriterionScore,
    GradingStatus,
    Report,
    ReviewerOverride,
    ReviewKind,
    Total,
)
from grader.models.rubric import Band, ScoreCap, band_for
from grader.scoring.score import apply_caps, cap_triggers, percent_of

#: Kinds that change a score (a note does not).
SCORING_KINDS = (ReviewKind.criterion, ReviewKind.check, ReviewKind.settle, ReviewKind.dismiss)
MAX_TEXT = 2000


def now() -> str:
    """An entry's timestamp: now, in UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _closest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _text(value: str, what: str, flag: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ReviewError(f"give {what} ({flag} TEXT): the history records who changed what, and why")
    if len(text) > MAX_TEXT:
        raise ReviewError(f"{what} is {len(text)} characters long; keep it under {MAX_TEXT}")
    return text


def _points(points: float | None, maximum: float, what: str) -> float:
    if points is None:
        raise ReviewError(f"give the points for {what} (--points P)")
    if not math.isfinite(points):
        raise ReviewError(f"the points for {what} must be a number, not {points}")
    if points < 0:
        raise ReviewError(f"the points for {what} must be 0 or more, not {points:g}")
    if points > maximum + 1e-9:
        raise ReviewError(f"{what} is worth {maximum:g} points; {points:g} is more than that")
    return round(points, 2)


def _criterion(report: Report, ref: str) -> CriterionScore:
    for criterion in report.criteria:
        if criterion.id == ref:
            return criterion
    known = [c.id for c in report.criteria]
    raise ReviewError(f"no criterion {ref!r} in this report; its criteria are {', '.join(known)}{_closest(ref, known)}")


def _check(report: Report, ref: str) -> tuple[CriterionScore, CheckScore]:
    for criterion in report.criteria:
        for score in criterion.checks:
            if ref in (score.check_id, score.slug):
                return criterion, score
    known = [s.check_id for c in report.criteria for s in c.checks]
    slugs = [s.slug for c in report.criteria for s in c.checks]
    raise ReviewError(f"no check {ref!r} is scored in this report's rubric{_closest(ref, known + slugs)}")


def review_entry(
    report: Report,
    *,
    reviewer: str,
    reason: str = "",
    criterion: str | None = None,
    check: str | None = None,
    points: float | None = None,
    dismiss: str | None = None,
    note: str | None = None,
    at: str | None = None,
) -> ReviewerOverride:
    """One validated history entry: points for a criterion or a check, a dismissed finding, or a note.

    Raises `ReviewError` with what to fix: an unknown criterion, check or finding (with the
    closest ids), points below zero or above what the criterion or check is worth, a missing
    reviewer or reason, or a score change on a submission that was not graded.
    """
    actions = [name for name, value in (("criterion", criterion), ("check", check), ("dismiss", dismiss)) if value]
    if note is not None and not actions:
        actions = ["note"]
    if len(actions) != 1:
        raise ReviewError(
            "record one thing at a time: --criterion ID --points P, --check ID --points P, "
            "--dismiss FINDING_ID, or --note TEXT"
            if actions
            else "nothing to record: give --criterion ID --points P, --check ID --points P, "
            "--dismiss FINDING_ID or --note TEXT"
        )
    who = _text(reviewer, "the reviewer's name", "--reviewer")[:100]
    when = at or now()
    if actions == ["note"]:
        return ReviewerOverride(
            kind=ReviewKind.note, reviewer=who, reason=_text(note or "", "the note", "--note"), at=when
        )
    if report.status in (GradingStatus.rejected, GradingStatus.failed):
        raise ReviewError(f"this submission was not graded ({report.status.value}): only notes can be recorded")
    why = _text(reason, "a reason", "--reason")
    if criterion:
        crit = _criterion(report, criterion)
        value = _points(points, crit.points_possible, f"criterion {crit.id!r}")
        return ReviewerOverride(
            kind=ReviewKind.criterion, criterion_id=crit.id, points=value, reviewer=who, reason=why, at=when
        )
    if check:
        crit, score = _check(report, check)
        if score.not_applicable:
            raise ReviewError(
                f"check {score.check_id} has nothing to judge in this notebook ({score.note or 'not applicable'}): "
                "its points are out of the total; set the criterion's points instead"
            )
        value = _points(points, score.points_possible, f"check {score.check_id}")
        pending = score.needs_review or score.not_scored
        return ReviewerOverride(
            kind=ReviewKind.settle if pending else ReviewKind.check,
            criterion_id=crit.id,
            check_id=score.check_id,
            points=value,
            reviewer=who,
            reason=why,
            at=when,
        )
    assert dismiss
    if points is not None:
        raise ReviewError("--points goes with --criterion or --check; a dismissed finding gives back its own points")
    finding = report.finding(dismiss)
    if finding is None:
        known = [f.id for r in report.checks for f in r.findings if f.is_problem]
        raise ReviewError(f"no finding {dismiss!r} in this report{_closest(dismiss, known)}")
    if not finding.is_problem:
        raise ReviewError(f"{dismiss} is a positive observation: it costs nothing, so there is nothing to dismiss")
    earlier = next((e for e in report.overrides if e.kind is ReviewKind.dismiss and e.finding_id == dismiss), None)
    if earlier is not None:
        raise ReviewError(f"{dismiss} was already dismissed by {earlier.reviewer} at {earlier.at}")
    owner = next((c.id for c in report.criteria for s in c.checks if s.check_id == finding.check_id), None)
    return ReviewerOverride(
        kind=ReviewKind.dismiss,
        criterion_id=owner,
        check_id=finding.check_id,
        finding_id=finding.id,
        reviewer=who,
        reason=why,
        at=when,
    )


def record(report: Report, entries: Sequence[ReviewerOverride], *, rubric_bands: list[Band] | None = None) -> Report:
    """The report with `entries` appended to its history and the `final` fields recomputed."""
    updated = report.model_copy(update={"overrides": [*report.overrides, *entries]})
    return rescore(updated, bands=rubric_bands)


def dismissed_findings(report: Report) -> dict[str, ReviewerOverride]:
    """Finding id → the entry that dismissed it."""
    return {e.finding_id: e for e in report.overrides if e.kind is ReviewKind.dismiss and e.finding_id}


def _latest(report: Report, kinds: tuple[ReviewKind, ...], key: str) -> dict[str, ReviewerOverride]:
    latest: dict[str, ReviewerOverride] = {}
    for entry in report.overrides:
        target = getattr(entry, key)
        if entry.kind in kinds and target and entry.points is not None:
            latest[target] = entry  # later entries win
    return latest


def _check_after_dismissals(report: Report, score: CheckScore, dismissed: set[str]) -> float | None:
    """The check's points once dismissed findings stop counting (None: no dismissal touches it)."""
    if not any(d.finding_id in dismissed for d in score.deductions):
        return None
    if score.policy == "all_or_nothing":
        result = next((r for r in report.checks if r.id == score.check_id), None)
        problems = [f.id for f in result.problems] if result else []
        return score.points_possible if all(f in dismissed for f in problems) else None
    back = sum(d.points for d in score.deductions if d.finding_id in dismissed)
    return round(min(score.points_possible, score.points + back), 2)


def _rescore_criterion(
    report: Report,
    criterion: CriterionScore,
    dismissed: set[str],
    checks: dict[str, ReviewerOverride],
    criteria: dict[str, ReviewerOverride],
) -> CriterionScore:
    scores = []
    for score in criterion.checks:
        entry = checks.get(score.check_id)
        final = entry.points if entry is not None else _check_after_dismissals(report, score, dismissed)
        scores.append(score.model_copy(update={"final": final}))
    whole = criteria.get(criterion.id)
    if whole is not None:
        final, pending = whole.points, 0.0
    elif any(s.final is not None for s in scores):
        final = round(sum(s.final if s.final is not None else s.points for s in scores), 2)
        pending = round(
            sum(s.points_possible for s in scores if s.final is None and (s.needs_review or s.not_scored)), 2
        )
    else:
        return criterion.model_copy(update={"checks": scores, "final": None, "final_pending": None})
    return criterion.model_copy(update={"checks": scores, "final": final, "final_pending": pending})


def _final_caps(
    report: Report, score: float, scored: float, band: str, dismissed: set[str], bands: list[Band]
) -> tuple[float, str, list[AppliedCap]]:
    """The validity gates that still hold after dismissals, applied as in automatic scoring (total and band)."""
    if report.rubric is not None and report.rubric.caps:
        gates = [(cap, cap_triggers(cap, report.checks)) for cap in report.rubric.caps]
    else:  # a report from before caps were recorded with it: the caps it applied, as percentage caps
        gates = [
            (
                ScoreCap.model_construct(reason=cap.reason, max_percent=cap.max_percent, max_band=cap.max_band),
                cap.finding_ids,
            )
            for cap in report.total.caps
        ]
    standing = [(cap, [f for f in triggers if f not in dismissed]) for cap, triggers in gates]
    return apply_caps(bands, standing, score=score, scored=scored, band=band)


def rescore(report: Report, *, bands: list[Band] | None = None) -> Report:
    """The report with every `final` field derived from its review history (cleared when nothing changes a score).

    `bands` stands in for the rubric's bands when the report does not record them.
    """
    if report.status in (GradingStatus.rejected, GradingStatus.failed) or not any(
        e.kind in SCORING_KINDS for e in report.overrides
    ):
        criteria = [
            c.model_copy(
                update={
                    "final": None,
                    "final_pending": None,
                    "checks": [s.model_copy(update={"final": None}) for s in c.checks],
                }
            )
            for c in report.criteria
        ]
        cleared = report.total.model_copy(
            update={"final": None, "final_percent": None, "final_band": None, "final_pending": None, "final_caps": []}
        )
        return report.model_copy(update={"criteria": criteria, "total": cleared})
    dismissed = set(dismissed_findings(report))
    checks = _latest(report, (ReviewKind.check, ReviewKind.settle), "check_id")
    whole = _latest(report, (ReviewKind.criterion,), "criterion_id")
    criteria = [_rescore_criterion(report, c, dismissed, checks, whole) for c in report.criteria]
    score = round(sum(c.final if c.final is not None else c.score for c in criteria), 2)
    pending = round(sum(c.final_pending if c.final_pending is not None else c.pending for c in criteria), 2)
    scored = report.total.max - pending
    known_bands = (report.rubric.bands if report.rubric else []) or bands or []
    band = band_for(known_bands, percent_of(score, scored)) if known_bands else report.total.band
    score, band, caps = _final_caps(report, score, scored, band, dismissed, known_bands)
    percent = percent_of(score, scored)
    total: Total = report.total.model_copy(
        update={
            "final": score,
            "final_percent": percent,
            "final_band": band if known_bands else None,
            "final_pending": pending,
            "final_caps": caps,
        }
    )
    return report.model_copy(update={"criteria": criteria, "total": total})


def check_state(score: CheckScore, status: str) -> str:
    """One state per check for the reader: passed (all points), partial (some), failed (none), no credit (nothing
    to judge where the rubric credits work done), not scored, or not applicable."""
    if score.not_applicable:
        return "not applicable"
    if score.needs_review or score.not_scored or status in (CheckStatus.error.value, CheckStatus.skipped.value):
        return "not scored"
    points = score.final if score.final is not None else score.points
    if points >= score.points_possible - 1e-9:
        return "passed"
    if status == CheckStatus.not_applicable.value and score.final is None:
        return "no credit"  # nothing to judge, in a criterion that credits work done (`if_not_applicable: no_credit`)
    return "partial" if points > 1e-9 else "failed"
