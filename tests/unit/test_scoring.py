"""Scoring: the four policies, pending points, bands, caps, and rubric validation of caps."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from grader.checks.registry import default_registry
from grader.models.findings import CheckResult, CheckStatus, Finding, Severity
from grader.models.rubric import (
    AllOrNothing,
    CheckRef,
    Criterion,
    DeductPerSeverity,
    MetricToPoints,
    Proportional,
    Rubric,
    ScoreCap,
)
from grader.scoring.policies import apply_policy
from grader.scoring.rubric_file import load_rubric_file, validate_rubric_file
from grader.scoring.score import score_rubric


def _result(
    check_id: str,
    status: CheckStatus,
    *severities: Severity,
    category: str = "eda",
    score: float | None = None,
    metric: float | None = None,
) -> CheckResult:
    findings = [
        Finding(id=f"{check_id}#{n}", check_id=check_id, message=f"problem {n}", severity=s)
        for n, s in enumerate(severities, 1)
    ]
    return CheckResult(
        id=check_id,
        slug=check_id.lower(),
        category=category,
        version=1,
        title=check_id,
        status=status,
        findings=findings,
        score=score,
        metric=metric,
    )


def test_all_or_nothing_links_the_lost_points_to_the_worst_finding() -> None:
    failed = _result("C1", CheckStatus.failed, Severity.low, Severity.high)
    points, deductions = apply_policy(AllOrNothing(), 3, failed)
    assert points == 0 and [(d.points, d.finding_id) for d in deductions] == [(3, "C1#2")]
    assert apply_policy(AllOrNothing(), 3, _result("C1", CheckStatus.passed)) == (3, [])


def test_proportional_spreads_the_loss_over_findings_by_severity() -> None:
    partial = _result("C2", CheckStatus.failed, Severity.high, Severity.low, score=0.5)
    points, deductions = apply_policy(Proportional(), 4, partial)
    assert points == 2.0
    assert sum(d.points for d in deductions) == pytest.approx(2.0)
    assert [d.finding_id for d in deductions] == ["C2#1", "C2#2"]
    assert deductions[0].points > deductions[1].points  # high costs more than low


def test_deduct_per_severity_is_floored_at_zero() -> None:
    policy = DeductPerSeverity(high=3, medium=2, low=1)
    points, deductions = apply_policy(policy, 4, _result("C3", CheckStatus.failed, Severity.medium, Severity.low))
    assert points == 1 and [d.points for d in deductions] == [2, 1]
    points, deductions = apply_policy(policy, 4, _result("C3", CheckStatus.failed, Severity.high, Severity.high))
    assert points == 0 and sum(d.points for d in deductions) == 4


def test_metric_to_points_maps_linearly_both_ways() -> None:
    higher = MetricToPoints(zero_at=0.5, full_at=0.9)
    assert apply_policy(higher, 4, _result("H", CheckStatus.passed, metric=0.7))[0] == pytest.approx(2.0)
    assert apply_policy(higher, 4, _result("H", CheckStatus.passed, metric=0.95))[0] == pytest.approx(4.0)
    lower = MetricToPoints(zero_at=15.0, full_at=8.0)  # an error metric: lower is better
    assert apply_policy(lower, 2, _result("H", CheckStatus.passed, metric=11.5))[0] == pytest.approx(1.0)
    assert apply_policy(lower, 2, _result("H", CheckStatus.passed, metric=20.0))[0] == pytest.approx(0.0)


def _rubric(*caps: ScoreCap) -> Rubric:
    return Rubric(
        name="t",
        criteria=[
            Criterion(
                id="work",
                title="Work",
                points=90,
                checks=[CheckRef(check="E1", points=60), CheckRef(check="E2", points=30, scoring=Proportional())],
            ),
            Criterion(id="leaks", title="Leaks", points=10, checks=[CheckRef(check="L1", points=10)]),
        ],
        caps=list(caps),
    )


LEAK_CAP = ScoreCap(category="leakage", min_severity="high", max_percent=80, reason="a high-severity leak")


def test_a_crashed_check_is_pending_not_lost() -> None:
    results = [
        _result("E1", CheckStatus.passed),
        CheckResult(id="E2", slug="e2", category="eda", version=1, title="E2", status=CheckStatus.error, error="boom"),
        _result("L1", CheckStatus.passed, category="leakage"),
    ]
    criteria, total = score_rubric(_rubric(), results)
    assert total.score == 70 and total.pending == 30 and total.percent == 100.0 and total.needs_review
    assert criteria[0].review_reasons and "crashed" in criteria[0].review_reasons[0]


def test_not_applicable_leaves_the_maximum_unless_the_rubric_says_no_credit() -> None:
    results = [
        _result("E1", CheckStatus.passed),
        _result("E2", CheckStatus.not_applicable),
        _result("L1", CheckStatus.passed, category="leakage"),
    ]
    criteria, total = score_rubric(_rubric(), results)
    assert (total.score, total.max, total.percent) == (70, 70, 100.0)
    assert criteria[0].not_applicable == 30 and not criteria[0].deductions

    rubric = _rubric()
    rubric.criteria[0].checks[1] = CheckRef(
        check="E2", points=30, scoring=Proportional(), if_not_applicable="no_credit"
    )
    results[1] = results[1].model_copy(update={"message": "no learned preprocessing"})
    criteria, total = score_rubric(rubric, results)
    assert (total.score, total.max, total.percent) == (70, 100, 70.0)
    [lost] = criteria[0].deductions
    assert (lost.points, lost.finding_id) == (30, None)
    assert lost.reason == "nothing to credit: no learned preprocessing"


def test_bands_follow_the_percentage() -> None:
    rubric = _rubric()
    assert rubric.band_for(100) == "strong" and rubric.band_for(60) == "average" and rubric.band_for(10) == "weak"


def test_a_high_severity_leak_caps_the_total_and_names_its_findings() -> None:
    results = [
        _result("E1", CheckStatus.passed),
        _result("E2", CheckStatus.passed),
        _result("L1", CheckStatus.failed, Severity.high, category="leakage"),
    ]
    _, uncapped = score_rubric(_rubric(), results)
    assert uncapped.score == 90 and uncapped.caps == []
    criteria, total = score_rubric(_rubric(LEAK_CAP), results)
    assert sum(c.score for c in criteria) == 90  # the criteria keep their own points ...
    assert total.score == 80 and total.percent == 80.0  # ... and the total is held at the cap
    [cap] = total.caps
    assert cap.points_lost == 10 and cap.finding_ids == ["L1#1"] and cap.reason == "a high-severity leak"


def test_a_cap_does_not_trigger_below_its_severity_or_above_the_score() -> None:
    medium = [
        _result("E1", CheckStatus.passed),
        _result("E2", CheckStatus.passed),
        _result("L1", CheckStatus.failed, Severity.medium, category="leakage"),
    ]
    assert score_rubric(_rubric(LEAK_CAP), medium)[1].caps == []
    already_low = [
        _result("E1", CheckStatus.failed, Severity.low),
        _result("E2", CheckStatus.passed),
        _result("L1", CheckStatus.failed, Severity.high, category="leakage"),
    ]
    _, total = score_rubric(_rubric(LEAK_CAP), already_low)
    assert total.score == 30 and total.caps == []  # 30 % is under the 80 % cap: nothing taken
    crashed = [
        _result("E1", CheckStatus.passed),
        _result("E2", CheckStatus.passed),
        _result("L1", CheckStatus.error, Severity.high, category="leakage"),
    ]
    assert score_rubric(_rubric(LEAK_CAP), crashed)[1].caps == []  # a crashed check triggers nothing


def test_caps_by_check_name_and_the_lowest_applies_first() -> None:
    results = [
        _result("E1", CheckStatus.passed),
        _result("E2", CheckStatus.failed, Severity.low),  # 0 of 30: 70 points in all
        _result("L1", CheckStatus.passed, category="leakage"),
    ]
    by_slug = ScoreCap(checks=["e2"], min_severity="low", max_percent=50, reason="E2 is essential")
    loose = ScoreCap(checks=["E2"], min_severity="low", max_percent=60, reason="looser")
    _, total = score_rubric(_rubric(loose, by_slug), results)
    assert total.score == 50 and [c.reason for c in total.caps] == ["E2 is essential"]
    assert total.caps[0].points_lost == 20 and total.caps[0].finding_ids == ["E2#1"]


def test_a_cap_needs_a_trigger() -> None:
    with pytest.raises(ValidationError, match="needs a `category` or a list of `checks`"):
        ScoreCap(max_percent=50, reason="nothing triggers me")


def test_rubric_validation_names_unknown_cap_categories_and_checks(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "name: r\n"
        "criteria:\n"
        "  - id: eda\n"
        "    title: EDA\n"
        "    points: 2\n"
        "    checks:\n"
        "      - {check: inspects-data-overview, points: 2}\n"
        "caps:\n"
        "  - {category: leakge, max_percent: 80, reason: typo}\n"
        "  - {checks: [has-baselin], max_percent: 80, reason: typo}\n"
    )
    rubric, problems = validate_rubric_file(path, default_registry())
    assert rubric is None
    messages = [(p.location, p.message, p.line) for p in problems]
    assert any(
        loc == "caps[0].category" and "unknown category 'leakge'" in m and line == 9 for loc, m, line in messages
    )
    assert any(
        loc == "caps[1].checks[0]" and "did you mean has-baseline" in m and line == 10 for loc, m, line in messages
    )


def test_a_check_with_nothing_to_judge_leaves_the_maximum_instead_of_earning_its_points() -> None:
    nothing = _result("L1", CheckStatus.not_applicable, category="leakage").model_copy(
        update={"message": "not applicable: the notebook does not resample rows", "score": None}
    )
    half = [_result("E1", CheckStatus.failed, Severity.high), _result("E2", CheckStatus.passed)]
    criteria, total = score_rubric(_rubric(), [*half, nothing])
    assert total.max == 90 and total.not_applicable == 10 and total.pending == 0
    assert total.score == 30 and total.percent == pytest.approx(33.3)
    leaks = criteria[1]
    assert leaks.points_possible == 0 and leaks.not_applicable == 10 and leaks.score == 0
    assert leaks.checks[0].not_applicable and "resample" in leaks.checks[0].note
    # The same notebook credited for the absence (the old behaviour) looked better than it is.
    _, credited = score_rubric(_rubric(), [*half, _result("L1", CheckStatus.passed, category="leakage")])
    assert credited.percent == 40.0 and credited.max == 100


def test_a_child_rubric_can_change_what_a_check_with_nothing_to_judge_is_worth(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        'extends: "ml-takehome.yaml"\nname: child\n'
        "criteria:\n  - id: features\n    checks:\n      - {check: scaled-where-needed, if_not_applicable: exclude}\n"
        "overrides:\n  claims-match-outputs: {if_not_applicable: no_credit}\n"
    )
    registry = default_registry()
    rubric = load_rubric_file(child, registry).rubric
    refs = {registry.get(ref.check).slug: ref for criterion in rubric.criteria for ref in criterion.checks}
    assert refs["scaled-where-needed"].if_not_applicable == "exclude"
    assert refs["preprocessing-in-pipeline"].if_not_applicable == "no_credit"  # inherited from the default rubric
    assert refs["claims-match-outputs"].if_not_applicable == "no_credit"
