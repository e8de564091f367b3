"""Validity gates (rubric `caps`): they hold the total and the band, by severity and confidence, with reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from grader.checks.registry import default_registry
from grader.models.findings import CheckResult, CheckStatus, Confidence, Finding, Severity
from grader.models.rubric import Band, CheckRef, Criterion, Rubric, ScoreCap
from grader.scoring.rubric_file import validate_rubric_file
from grader.scoring.score import score_rubric

BANDS = [Band(name="strong", min_percent=80), Band(name="average", min_percent=55), Band(name="weak", min_percent=0)]


def _result(
    check_id: str,
    status: CheckStatus = CheckStatus.passed,
    *findings: tuple[Severity, Confidence],
    category: str = "eda",
) -> CheckResult:
    return CheckResult(
        id=check_id,
        slug=check_id.lower(),
        category=category,
        version=1,
        title=check_id,
        status=status,
        findings=[
            Finding(id=f"{check_id}#{n}", check_id=check_id, message=f"problem {n}", severity=s, confidence=c)
            for n, (s, c) in enumerate(findings, 1)
        ],
    )


def _rubric(*caps: ScoreCap) -> Rubric:
    return Rubric(
        name="t",
        criteria=[
            Criterion(id="work", title="Work", points=90, checks=[CheckRef(check="E1", points=90)]),
            Criterion(
                id="valid",
                title="Valid",
                points=10,
                checks=[CheckRef(check="L1", points=0), CheckRef(check="V1", points=10)],
            ),
        ],
        bands=BANDS,
        caps=list(caps),
    )


HIGH = (Severity.high, Confidence.high)
MEDIUM = (Severity.medium, Confidence.high)
GUESS = (Severity.high, Confidence.low)
LEAK_HIGH = ScoreCap(
    category="leakage",
    min_severity="high",
    min_confidence="medium",
    max_percent=45,
    max_band="weak",
    reason="leak into the test set",
)
LEAK_MEDIUM = ScoreCap(
    category="leakage", min_severity="medium", max_percent=65, max_band="average", reason="leak inside CV"
)
UNVERIFIED = ScoreCap(checks=["V1"], min_severity="high", max_band="average", reason="results unverified")


def _score(*results: CheckResult, caps: tuple[ScoreCap, ...] = (LEAK_HIGH, LEAK_MEDIUM, UNVERIFIED)):  # type: ignore[no-untyped-def]
    by_id = {r.id: r for r in results}
    filled = [by_id.get(i, _result(i, category="leakage" if i == "L1" else "eda")) for i in ("E1", "L1", "V1")]
    return score_rubric(_rubric(*caps), filled)[1]


def test_a_severe_leak_lands_in_weak_and_a_milder_one_in_low_average() -> None:
    assert (_score().percent, _score().band, _score().caps) == (100.0, "strong", [])
    severe = _score(_result("L1", CheckStatus.failed, HIGH, MEDIUM, category="leakage"))
    assert (severe.score, severe.band) == (45.0, "weak")
    [cap] = severe.caps  # the medium gate has nothing left to lower: only the one that acted is listed
    assert cap.reason == "leak into the test set" and cap.points_lost == 55
    assert cap.finding_ids == ["L1#1"] and cap.band_lowered_from == "strong" and cap.band_lowered_to == "weak"
    milder = _score(_result("L1", CheckStatus.failed, MEDIUM, category="leakage"))
    assert (milder.score, milder.band) == (65.0, "average")
    assert [(c.reason, c.max_band, c.band_lowered_from) for c in milder.caps] == [
        ("leak inside CV", "average", "strong")
    ]


def test_a_low_confidence_guess_does_not_trigger_a_gate_that_asks_for_more() -> None:
    guessed = _score(_result("L1", CheckStatus.failed, GUESS, category="leakage"))
    # Only the medium gate (any confidence) holds it; the high gate wants at least medium confidence.
    assert (guessed.score, guessed.band) == (65.0, "average")
    assert [c.reason for c in guessed.caps] == ["leak inside CV"]


def test_a_band_only_gate_holds_the_band_and_the_total_at_the_next_band_floor() -> None:
    unverified = _score(_result("V1", CheckStatus.failed, HIGH))
    # 90 of 100: the band is held at average and the total at the floor of strong.
    assert (unverified.score, unverified.percent, unverified.band) == (80.0, 80.0, "average")
    [cap] = unverified.caps
    assert cap.max_band == "average" and cap.max_percent == 80 and cap.points_lost == 10
    assert (cap.band_lowered_from, cap.band_lowered_to, cap.finding_ids) == ("strong", "average", ["V1#1"])


def test_a_gate_with_both_ceilings_holds_the_total_at_the_lower_one() -> None:
    below_band = ScoreCap(checks=["V1"], max_band="average", max_percent=60, reason="percent lower")
    above_band = ScoreCap(checks=["V1"], max_band="weak", max_percent=95, reason="band lower")
    assert _score(_result("V1", CheckStatus.failed, HIGH), caps=(below_band,)).score == 60.0
    total = _score(_result("V1", CheckStatus.failed, HIGH), caps=(above_band,))
    assert (total.score, total.band) == (55.0, "weak")  # held at the floor of `average`, the band above `weak`
    [cap] = total.caps
    assert cap.max_percent == 55 and cap.points_lost == 35 and cap.band_lowered_from == "strong"


def test_gates_never_raise_a_band_another_gate_lowered() -> None:
    strict_band = ScoreCap(checks=["V1"], min_severity="medium", max_band="weak", reason="band")
    loose_points = ScoreCap(checks=["V1"], min_severity="medium", max_percent=60, reason="points")
    total = _score(_result("V1", CheckStatus.failed, MEDIUM), caps=(loose_points, strict_band))
    assert total.band == "weak" and total.score == 55.0


def test_already_low_work_is_left_alone_and_crashes_or_skips_trigger_nothing() -> None:
    low = _score(_result("E1", CheckStatus.failed, MEDIUM), _result("L1", CheckStatus.failed, HIGH, category="leakage"))
    assert (low.score, low.band, low.caps) == (10.0, "weak", [])
    for status in (CheckStatus.error, CheckStatus.skipped):
        assert _score(_result("V1", status, HIGH)).caps == []


def test_a_gate_needs_a_trigger_a_ceiling_and_a_known_band() -> None:
    with pytest.raises(ValidationError, match="needs a `max_percent`, a `max_band` or both"):
        ScoreCap(category="leakage", reason="no ceiling")
    with pytest.raises(ValidationError, match="caps name bands the rubric does not have"):
        _rubric(ScoreCap(category="leakage", max_band="excellent", reason="no such band"))


def test_rubric_validation_refuses_a_gate_on_a_check_the_rubric_does_not_run(tmp_path: Path) -> None:
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
        "  - {checks: [results-verified], max_band: average, reason: unverified}\n"
    )
    rubric, problems = validate_rubric_file(path, default_registry())
    assert rubric is None
    assert [(p.location, p.line) for p in problems] == [("caps[0].checks[0]", 9)]
    assert "never runs" in problems[0].message


def _default_rubric_total(*failing: tuple[str, Severity, Confidence]):  # type: ignore[no-untyped-def]
    """The default rubric's total for work that passes every check but `failing` (id, severity, confidence)."""
    registry = default_registry()
    rubric, problems = validate_rubric_file(Path("rubrics/ml-takehome.yaml").resolve(), registry)
    assert not problems and rubric is not None
    bad = {check_id: (severity, confidence) for check_id, severity, confidence in failing}
    results = []
    for ref in (ref for c in rubric.criteria for ref in c.checks):
        spec = registry.get(ref.check)
        found = bad.get(spec.id)
        results.append(
            _result(spec.id, CheckStatus.failed, found, category=str(spec.category)).model_copy(
                update={"slug": spec.slug}
            )
            if found
            else _result(spec.id, category=str(spec.category)).model_copy(update={"slug": spec.slug, "score": 1.0})
        )
    return score_rubric(rubric, results)[1]


def test_the_default_rubric_puts_invalid_results_in_weak_and_doubtful_ones_in_low_average() -> None:
    clean = _default_rubric_total()
    assert (clean.band, clean.caps) == ("strong", [])
    traced = _default_rubric_total(("LEAK004", Severity.high, Confidence.high))
    assert (traced.band, traced.percent) == ("weak", 67.0)
    assert traced.caps[0].finding_ids == ["LEAK004#1"] and traced.caps[0].band_lowered_from == "strong"
    for invalid in (
        ("HOLD002", Severity.high, Confidence.medium),  # a claimed score far beyond the holdout
        ("EVAL001", Severity.high, Confidence.high),  # scored only on the rows it was fitted on
    ):
        total = _default_rubric_total(invalid)
        assert (total.band, total.percent) == ("weak", 67.0), invalid
    no_holdout_at_all = _default_rubric_total(("EVAL001", Severity.medium, Confidence.medium))
    assert no_holdout_at_all.caps == []
    for doubtful in (
        ("LEAK004", Severity.high, Confidence.medium),  # read from the code only
        ("LEAK010", Severity.high, Confidence.high),  # a random split of time-ordered rows
        ("LEAK006", Severity.medium, Confidence.medium),  # choices made on the test set
        ("EVAL009", Severity.high, Confidence.high),  # a stated score beyond every output
    ):
        total = _default_rubric_total(doubtful)
        assert (total.band, total.percent) == ("average", 75.0), doubtful
    unverified = _default_rubric_total(("EXE010", Severity.high, Confidence.high))
    assert unverified.band == "average" and unverified.caps[0].max_band == "average"
    # Contamination of the CV folds alone costs points but does not gate.
    folds = _default_rubric_total(("LEAK002", Severity.medium, Confidence.high))
    assert folds.caps == [] and folds.band == "strong" and folds.percent < 100


def test_a_gate_holds_a_ceiling_and_keeps_the_order_of_what_falls_below_it() -> None:
    """Two leaky notebooks are not tied at one value: the one that also skipped its EDA and its baseline ranks lower."""
    polished = _default_rubric_total(("LEAK004", Severity.high, Confidence.high))
    sloppy = _default_rubric_total(
        ("LEAK004", Severity.high, Confidence.high),
        *(
            (check_id, Severity.high, Confidence.high)
            for check_id in (
                *("EDA001", "EDA002", "EDA003", "EDA004", "EDA005", "EDA006", "EDA008", "MOD001", "MOD002", "MOD004"),
                *("DOC001", "DOC002", "DOC003", "DOC004", "FEAT001"),
            )
        ),
    )
    somewhat = _default_rubric_total(
        ("LEAK004", Severity.high, Confidence.high), ("MOD001", Severity.high, Confidence.high)
    )
    assert polished.band == somewhat.band == sloppy.band == "weak"
    assert sloppy.percent < polished.percent == somewhat.percent == 67.0
    # Held at the ceiling, the gate took less from the notebook that earned less above it ...
    assert somewhat.caps[0].points_lost < polished.caps[0].points_lost
    # ... and nothing from one already below it (its band was its own).
    assert sloppy.caps == []


def test_checks_a_gate_excludes_are_left_to_a_gentler_gate() -> None:
    invalid = ScoreCap(category="leakage", excluding=["l1"], max_band="weak", reason="invalid")
    doubtful = ScoreCap(category="leakage", min_severity="medium", max_percent=65, max_band="average", reason="doubt")
    split_design = _result("L1", CheckStatus.failed, HIGH, category="leakage")
    total = _score(split_design, caps=(invalid, doubtful))
    assert (total.score, total.band, [c.reason for c in total.caps]) == (65.0, "average", ["doubt"])
    # Without the exclusion the same finding lands in weak.
    assert _score(split_design, caps=(invalid.model_copy(update={"excluding": []}), doubtful)).band == "weak"


def test_rubric_validation_names_unknown_excluded_checks(tmp_path: Path) -> None:
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
        "  - {category: leakage, excluding: [random-split-of-time-serie], max_band: weak, reason: leak}\n"
    )
    rubric, problems = validate_rubric_file(path, default_registry())
    assert rubric is None
    [problem] = problems
    assert problem.location == "caps[0].excluding[0]" and "did you mean random-split-of-time-series" in problem.message
