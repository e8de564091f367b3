"""Score check results against a rubric."""

from __future__ import annotations

from collections.abc import Iterable

from grader.models.findings import CheckResult, CheckStatus, Confidence, Severity
from grader.models.report import AppliedCap, CheckScore, CriterionScore, Deduction, Total
from grader.models.rubric import Band, Criterion, Rubric, ScoreCap, band_for, band_rank, cap_ceiling
from grader.scoring.policies import apply_policy


def score_criterion(criterion: Criterion, results: dict[str, CheckResult]) -> CriterionScore:
    """One criterion's score: its checks' points under their policies, with every deduction."""
    checks: list[CheckScore] = []
    reasons: list[str] = []
    for ref in criterion.checks:
        result = results.get(ref.check)
        if result is None:
            checks.append(
                CheckScore(
                    check_id=ref.check,
                    slug=ref.check,
                    title=ref.check,
                    policy=ref.scoring.policy,
                    points_possible=ref.points,
                    points=0.0,
                    status="missing",
                    not_scored=True,
                    note="the check did not run",
                )
            )
            continue
        common = {
            "check_id": result.id,
            "slug": result.slug,
            "title": result.title,
            "policy": ref.scoring.policy,
            "points_possible": ref.points,
            "status": result.status.value,
        }
        if result.status is CheckStatus.error:
            reasons.append(f"{result.id} ({result.slug}) crashed: its {ref.points:g} points need a human reviewer")
            checks.append(CheckScore(**common, points=0.0, needs_review=True, note=result.message))
        elif result.status is CheckStatus.skipped:
            checks.append(CheckScore(**common, points=0.0, not_scored=True, note=result.message))
        elif result.status is CheckStatus.not_applicable and ref.if_not_applicable == "no_credit":
            nothing = Deduction(points=ref.points, check_id=result.id, reason=f"nothing to credit: {result.message}")
            checks.append(
                CheckScore(**common, points=0.0, deductions=[nothing] if ref.points else [], note=result.message)
            )
        elif result.status is CheckStatus.not_applicable:
            checks.append(CheckScore(**common, points=0.0, not_applicable=True, note=result.message))
        else:
            earned, lost = apply_policy(ref.scoring, ref.points, result)
            checks.append(CheckScore(**common, points=earned, deductions=lost))
    pending = sum(c.points_possible for c in checks if c.needs_review or c.not_scored)
    absent = round(sum(c.points_possible for c in checks if c.not_applicable), 2)
    deductions: list[Deduction] = [d for c in checks for d in c.deductions]
    return CriterionScore(
        id=criterion.id,
        title=criterion.title,
        points_possible=round(criterion.points - absent, 2),
        not_applicable=absent,
        score=round(sum(c.points for c in checks), 2),
        pending=round(pending, 2),
        checks=checks,
        deductions=deductions,
        needs_review=bool(reasons),
        review_reasons=reasons,
    )


_CONFIDENCE_RANK = {Confidence.low: 1, Confidence.medium: 2, Confidence.high: 3}


def cap_triggers(cap: ScoreCap, results: Iterable[CheckResult]) -> list[str]:
    """Ids of the problem findings that trigger `cap` (checks that crashed or were skipped trigger nothing)."""
    floor = Severity(cap.min_severity).rank
    sure = _CONFIDENCE_RANK[Confidence(cap.min_confidence)]
    named = set(cap.checks)
    excluded = set(cap.excluding)
    found = []
    for result in results:
        if result.status in (CheckStatus.error, CheckStatus.skipped):
            continue
        if result.category != cap.category and result.id not in named and result.slug not in named:
            continue
        if result.id in excluded or result.slug in excluded:
            continue
        found += [
            f.id
            for f in result.problems
            if f.severity.rank >= floor and _CONFIDENCE_RANK[f.confidence] >= sure and f.id
        ]
    return found


def score_rubric(rubric: Rubric, results: Iterable[CheckResult]) -> tuple[list[CriterionScore], Total]:
    """Criterion scores and the total; percent and band count only the points that were scored.

    Checks with nothing to judge in the notebook (status `not_applicable`) leave the maximum:
    an absence earns nothing and costs nothing, unless the rubric says `if_not_applicable:
    no_credit` for that check (a criterion that credits work done: its points stay, unearned).

    Caps (validity gates) are applied last, lowest ceiling first: while a gate's findings
    stand, the total cannot exceed its share of the scored points and the band cannot be
    above its `max_band`; each gate that lowered either is recorded with the findings behind it.
    """
    results = list(results)
    by_id = {r.id: r for r in results}
    criteria = [score_criterion(c, by_id) for c in rubric.criteria]
    score = round(sum(c.score for c in criteria), 2)
    absent = round(sum(c.not_applicable for c in criteria), 2)
    maximum = round(rubric.max_points - absent, 2)
    pending = round(sum(c.pending for c in criteria), 2)
    scored = maximum - pending
    band = rubric.band_for(percent_of(score, scored))
    gates = [(cap, cap_triggers(cap, results)) for cap in rubric.caps]
    score, band, applied = apply_caps(rubric.bands, gates, score=score, scored=scored, band=band)
    total = Total(
        score=score,
        max=maximum,
        not_applicable=absent,
        pending=pending,
        percent=percent_of(score, scored),
        band=band,
        needs_review=any(c.needs_review for c in criteria),
        caps=applied,
    )
    return criteria, total


def apply_caps(
    bands: list[Band], gates: list[tuple[ScoreCap, list[str]]], *, score: float, scored: float, band: str
) -> tuple[float, str, list[AppliedCap]]:
    """Apply each gate whose triggering findings stand, lowest ceiling first.

    While a gate's findings stand, the total cannot exceed its ceiling's share of the scored
    points and the band cannot be above its `max_band`; returns the score, the band and each
    gate that lowered either (with the findings behind it).
    """
    applied: list[AppliedCap] = []
    for cap, triggers in sorted(gates, key=lambda gate: cap_ceiling(bands, gate[0])):
        if not triggers:
            continue
        ceiling_percent = cap_ceiling(bands, cap)
        ceiling = round(scored * ceiling_percent / 100.0, 2)
        capped = min(score, ceiling)
        capped_band = min(
            (band, band_for(bands, percent_of(capped, scored)), cap.max_band or band),
            key=lambda name: band_rank(bands, name),
        )
        if capped >= score and capped_band == band:
            continue
        applied.append(
            AppliedCap(
                reason=cap.reason,
                max_percent=ceiling_percent,
                points_lost=round(score - capped, 2),
                finding_ids=triggers,
                max_band=cap.max_band,
                band_lowered_from=band if capped_band != band else None,
                band_lowered_to=capped_band if capped_band != band else None,
            )
        )
        score, band = capped, capped_band
    return score, band, applied


def percent_of(score: float, scored: float) -> float:
    """`score` as a percentage of the points that were scored (0 when none were), one decimal."""
    return round(100.0 * score / scored, 1) if scored > 0 else 0.0
