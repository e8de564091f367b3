"""Interview follow-up questions: grounded in findings, deterministic, most severe first, capped."""

from __future__ import annotations

from pathlib import Path

from grader.api import load_rubric
from grader.checks.registry import default_registry
from grader.models.findings import CheckResult, CheckStatus, Evidence, Finding, Severity
from grader.pipeline.grading import Grader, GradingOptions
from grader.report.followups import MAX_FOLLOWUPS, followups_for
from tests.conftest import write_submission
from tests.rendering.builders import check_results, sample_report


def _result(n: int, slug: str, category: str, severity: Severity, **finding: object) -> CheckResult:
    return CheckResult(
        id=f"C{n:03d}",
        slug=slug,
        category=category,
        version=1,
        title=slug,
        status=CheckStatus.failed,
        findings=[
            Finding(
                id=f"C{n:03d}#1",
                check_id=f"C{n:03d}",
                severity=severity,
                message=str(finding.pop("message", f"problem {n}")),
                evidence=[Evidence(cell=n)],
                **finding,
            )
        ],
    )  # type: ignore[arg-type]


def test_questions_for_the_sample_report_are_grounded_and_most_severe_first() -> None:
    questions = followups_for(sample_report())
    assert [q.finding_id for q in questions] == ["LEAK001#1", "EXE001#1", "EVAL004#1"]
    leak, crash, accuracy = questions
    assert leak.topic == "leakage"
    assert leak.question == (
        "Your StandardScaler was fitted in cell 3 before the train/test split — what happens to "
        "your test score, and how would you restructure it?"
    )
    assert crash.topic == "reproducibility" and crash.question.startswith("Cell 5 raised NameError")
    assert accuracy.topic == "evaluation"
    assert accuracy.question == (
        "You reported accuracy on a 3 % positive class in cell 6 — what would you report instead, and why?"
    )


def test_positive_crashed_and_skipped_checks_ask_nothing() -> None:
    results = [r for r in check_results() if r.id in ("EDA001", "QUAL001", "DOC001")]
    assert followups_for(sample_report(results=results)) == []


def test_one_question_per_check_from_its_worst_finding() -> None:
    result = check_results()[0]  # EXE001: a high finding (cell 5) and a medium one (cell 6)
    questions = followups_for(sample_report(results=[result]))
    assert len(questions) == 1 and questions[0].finding_id == "EXE001#1"


def test_at_most_eight_ordered_by_severity_and_stable() -> None:
    results = [
        _result(1, "unused-imports", "quality", Severity.low),
        _result(2, "no-baseline-model", "evaluation", Severity.medium),
        _result(3, "target-leak-feature", "leakage", Severity.high, data={"column": "churned_at"}),
        _result(4, "single-split-evaluation", "evaluation", Severity.medium),
        _result(5, "categoricals-encoded", "features", Severity.medium, message="Categories are label-encoded"),
        _result(6, "no-random-seed", "modeling", Severity.low),
        _result(7, "readme-missing", "docs", Severity.low),
        _result(8, "tuned-on-test-set", "evaluation", Severity.high),
        _result(9, "no-eda-plots", "eda", Severity.low),
        _result(10, "runtime-within-budget", "execution", Severity.low, data={"duration_s": 412.0, "budget_s": 120}),
        _result(11, "weird-thing", "other", Severity.medium, message="Something unusual happens"),
    ]
    report = sample_report(results=results)
    questions = followups_for(report)
    assert len(questions) == MAX_FOLLOWUPS
    severities = [report.finding(q.finding_id).severity.rank for q in questions]  # type: ignore[union-attr]
    assert severities == sorted(severities, reverse=True)
    # Leakage comes first among equally severe findings; then the check order decides.
    assert [q.finding_id for q in questions[:2]] == ["C003#1", "C008#1"]
    assert questions[0].question.startswith("The feature `churned_at` is derived from the target in cell 3")
    by_id = {q.finding_id: q for q in questions}
    assert by_id["C002#1"].question.startswith("You did not compare your model with a simple baseline")
    assert by_id["C004#1"].question.startswith("Your model was evaluated on a single train/test split in cell 4")
    assert by_id["C005#1"].question == (
        "Categories are label-encoded (cell 5) — how did you decide on this processing, and what would you try next?"
    )
    assert by_id["C011#1"].topic == "general"
    assert all(q.question.endswith("?") for q in questions)
    assert followups_for(report) == questions
    assert followups_for(report, limit=3) == questions[:3]


def test_the_grading_pipeline_fills_report_followups(tmp_path: Path) -> None:
    folder = write_submission(tmp_path / "sub", "import math", "x = 1", "y = x + 1", counts=[3, 1, 2])
    grader = Grader(
        rubric=load_rubric("ml-takehome.yaml"),
        registry=default_registry(),
        sandbox=None,
        options=GradingOptions(execute=False, write_html=False),
    )
    report = grader.grade(folder)
    assert report.followups, report.model_dump_json(indent=1)
    assert report.followups == followups_for(report)
    # The out-of-order execution counts (3, 1, 2) become a question grounded in that finding.
    asked = [q.finding_id for q in report.followups]
    assert any(fid is not None and fid.startswith("EXE003") for fid in asked), asked
    # Most severe first: no question is about a less severe finding than the one after it.
    by_id = {f.id: f for result in report.checks for f in result.findings}
    ranks = [by_id[fid].severity.rank for fid in asked if fid is not None]
    assert ranks == sorted(ranks, reverse=True), ranks


def test_every_builtin_check_gets_a_specific_question_grounded_in_its_cell() -> None:
    """No built-in check falls through to the generic question, and the cell of the evidence is named."""
    without_cell = {"has-baseline", "error-analysis"}  # questions about something missing from the whole notebook
    asked = {}
    for spec in default_registry():
        result = CheckResult(
            id=spec.id,
            slug=spec.slug,
            category=spec.category.value,
            version=spec.version,
            title=spec.title,
            status=CheckStatus.failed,
            findings=[
                Finding(
                    id=f"{spec.id}#1",
                    check_id=spec.id,
                    severity=Severity.high,
                    message="Something is off",
                    evidence=[Evidence(cell=4)],
                )
            ],
        )
        [question] = followups_for(sample_report(results=[result]))
        asked[spec.slug] = question.question
        assert question.topic != "general", spec.slug
        assert question.question.endswith("?"), question.question
        if spec.slug not in without_cell:
            assert "cell 4" in question.question.lower(), (spec.slug, question.question)
    # Leakage and evaluation problems get a question of their own, not the finding's message with a generic prompt.
    dedicated = {spec.slug for spec in default_registry() if spec.category.value == "leakage"} | {
        "has-baseline",
        "uses-cross-validation",
        "stratified-splits",
        "random-seeds-set",
        "error-analysis",
        "no-absolute-paths",
        "outputs-reproduced",
    }
    generic = {slug for slug, question in asked.items() if question.startswith("Something is off")}
    assert not dedicated & generic, sorted(dedicated & generic)
    assert "tuned-inside-cv" in asked and "tune" in asked["tuned-inside-cv"]


def test_a_claimed_score_far_from_the_holdout_asks_about_the_gap() -> None:
    result = _result(
        4,
        "claimed-score-matches-holdout",
        "evaluation",
        Severity.high,
        data={"claimed": 0.97, "score": 0.712, "metric": "roc_auc"},
    )
    [question] = followups_for(sample_report(results=[result]))
    assert question.topic == "holdout"
    assert question.question == (
        "Your notebook reports roc_auc 0.97 in cell 4 but your predictions score 0.712 on "
        "data you had not seen — what could explain the gap?"
    )
