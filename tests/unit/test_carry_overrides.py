"""Re-grading carries the review: overrides whose target still exists are re-applied and marked carried over;
those whose target vanished are listed as not carried, never silently dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from grader import api
from grader.cli import main
from grader.models.findings import CheckResult
from grader.models.report import Report, ReviewKind
from grader.review.carry import GONE_CHECK, GONE_FINDING, carry_overrides, stable_finding_keys
from grader.review.overrides import record, review_entry
from tests.conftest import REPO, write_submission
from tests.rendering.builders import sample_report


def _reviewed() -> Report:
    report = sample_report().model_copy(update={"generated_at": "2026-12-01T10:00:00+00:00"})
    entries = [
        review_entry(report, criterion="evaluation", points=7, reason="scaler harmless", reviewer="Ann", at="t1"),
        review_entry(report, dismiss="EXE001#2", reason="cells 6 and 8 are scratch", reviewer="Ann", at="t2"),
        review_entry(report, dismiss="LEAK001#1", reason="split came first in v2", reviewer="Bo", at="t3"),
        review_entry(report, note="strong interview", reviewer="Bo", at="t4"),
    ]
    return record(report, entries)


def _without(report: Report, finding_id: str) -> Report:
    """The report as a re-grade would produce it without one finding (later ones of its check renumbered)."""
    checks = []
    for result in report.checks:
        kept = [f for f in result.findings if f.id != finding_id]
        renumbered = [f.model_copy(update={"id": f"{result.id}#{n}"}) for n, f in enumerate(kept, start=1)]
        checks.append(CheckResult.model_validate({**result.model_dump(), "findings": renumbered}))
    return report.model_copy(update={"checks": checks, "generated_at": "2026-12-03T10:00:00+00:00"})


def test_finding_keys_are_stable_when_another_finding_of_the_check_goes() -> None:
    before = stable_finding_keys(sample_report())
    after = stable_finding_keys(_without(sample_report(), "EXE001#1"))
    # EXE001#2 became EXE001#1 but is the same finding.
    assert after["EXE001#1"] == before["EXE001#2"]
    assert len(set(before.values())) == len(before)


def test_overrides_whose_targets_remain_are_reapplied_and_marked_carried() -> None:
    earlier = _reviewed()
    new = _without(sample_report(), "EXE001#1")  # renumbers the dismissed EXE001#2 to EXE001#1
    carried = carry_overrides(earlier, new)
    assert [(e.kind, e.finding_id or e.criterion_id) for e in carried.overrides] == [
        (ReviewKind.criterion, "evaluation"),
        (ReviewKind.dismiss, "EXE001#1"),  # re-pointed at the same finding under its new number
        (ReviewKind.dismiss, "LEAK001#1"),
        (ReviewKind.note, None),
    ]
    assert all(e.carried_from == earlier.generated_at for e in carried.overrides)
    assert [(e.reviewer, e.reason, e.at) for e in carried.overrides] == [
        (e.reviewer, e.reason, e.at) for e in earlier.overrides
    ]
    assert carried.not_carried == []
    # The automatic result is the new grading's; the final follows the carried review.
    assert carried.total.score == new.total.score
    assert carried.total.final is not None
    evaluation = next(c for c in carried.criteria if c.id == "evaluation")
    assert evaluation.final == 7.0
    saved = json.loads(carried.model_dump_json())
    assert saved["overrides"][0]["carried_from"] == earlier.generated_at and "not_carried" not in saved


def test_overrides_whose_target_vanished_are_listed_not_dropped() -> None:
    earlier = _reviewed()
    new = _without(sample_report(), "LEAK001#1")  # the dismissed leakage finding is gone
    new = new.model_copy(
        update={
            "criteria": [
                c.model_copy(update={"checks": [s for s in c.checks if s.check_id != "EXE001"]}) for c in new.criteria
            ]
        }
    )
    late = review_entry(sample_report(), check="EXE001", points=1, reason="ran fine locally", reviewer="Cy", at="t5")
    earlier = record(earlier, [late])
    carried = carry_overrides(earlier, new)
    assert [(n.entry.finding_id or n.entry.check_id, n.why) for n in carried.not_carried] == [
        ("LEAK001#1", GONE_FINDING),
        ("EXE001", GONE_CHECK),
    ]
    # The EXE001 finding itself is still reported (and stays dismissed), though its check no longer scores.
    assert [e.kind for e in carried.overrides] == [ReviewKind.criterion, ReviewKind.dismiss, ReviewKind.note]
    saved = json.loads(carried.model_dump_json())
    assert saved["not_carried"][0]["why"] == "not carried (finding no longer present)"
    # A later re-grade keeps the list: the history is never lost.
    again = carry_overrides(carried, new.model_copy(update={"generated_at": "2026-12-04T00:00:00+00:00"}))
    assert [n.entry.finding_id or n.entry.check_id for n in again.not_carried] == ["LEAK001#1", "EXE001"]
    assert [e.carried_from for e in again.overrides] == ["2026-12-03T10:00:00+00:00"] * 3


def test_grade_into_a_reviewed_folder_carries_the_review(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`grader grade` (through grader.api, then the CLI) into an out dir that holds a review history."""
    cells = [
        ("md", "# Churn"),
        "import pandas as pd\ndf = pd.read_csv('data/train.csv')\ndf.head()",
        "from sklearn.linear_model import LogisticRegression\n"
        "model = LogisticRegression().fit(df[['tenure']], df['churned'])\n"
        "print('accuracy', model.score(df[['tenure']], df['churned']))",
    ]
    sub = write_submission(tmp_path / "alice", *cells)
    out = tmp_path / "out"
    assignment = REPO / "sample_datasets" / "churn"
    options = {"assignment": assignment, "execute": False, "out": out}
    first = api.grade_submission(sub, **options)
    problems = [f for r in first.checks for f in r.findings if f.is_problem]
    assert problems, "the sample notebook must have a finding to dismiss"
    target = problems[0]
    api.review(out, dismiss=target.id, reason="discussed in the interview", reviewer="Ann")
    criterion = first.criteria[0]
    api.review(out, criterion=criterion.id, points=criterion.points_possible, reason="fine", reviewer="Ann")
    reviewed = api.load_report(out / "report.json")

    again = api.grade_submission(sub, **options)
    assert [(e.kind, e.finding_id, e.carried_from) for e in again.overrides] == [
        (ReviewKind.dismiss, target.id, reviewed.generated_at),
        (ReviewKind.criterion, None, reviewed.generated_at),
    ]
    assert again.total.final == reviewed.total.final and again.not_carried == []
    page = BeautifulSoup((out / "report.html").read_text(), "html.parser")
    assert "carried over from the grading of" in page.select_one("#review-history").get_text(" ")

    # The notebook changes so the dismissed finding is no longer there: listed as not carried.
    write_submission(tmp_path / "alice", *cells[:1])
    args = ["grade", str(sub), "--assignment", str(assignment), "--out", str(out), "--no-execute"]
    assert main(args) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert f"dismiss {target.id}: not carried (finding no longer present)" in printed
    changed = api.load_report(out / "report.json")
    gone = [n for n in changed.not_carried if n.entry.kind is ReviewKind.dismiss]
    assert [(n.entry.finding_id, n.why) for n in gone] == [(target.id, "not carried (finding no longer present)")]
    page = BeautifulSoup((out / "report.html").read_text(), "html.parser")
    assert "not carried (finding no longer present)" in page.select_one("#not-carried").get_text(" ")
