"""`grader review`: overrides and notes recorded beside the automatic result, through grader.api and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from grader import api
from grader.cli import main
from grader.errors import ReviewError
from grader.models.report import Report, ReviewKind
from grader.models.rubric import Band, ScoreCap
from tests.rendering.builders import RUBRIC, sample_report

BANDS = [Band(name="strong", min_percent=75), Band(name="ok", min_percent=50), Band(name="weak", min_percent=0)]


def _write(folder: Path, report: Report) -> Path:
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(report.model_dump_json(indent=2))
    (folder / "report.html").write_text("<!-- rewritten on review -->")
    return folder


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    report = sample_report()
    rubric = report.rubric.model_copy(update={"bands": BANDS}) if report.rubric else None
    return _write(tmp_path / "alice", report.model_copy(update={"rubric": rubric}))


def _saved(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "report.json").read_text())
    return data


def test_a_criterion_override_keeps_the_automatic_score_and_adds_the_final(report_dir: Path) -> None:
    # Automatic: execution 2.5/5, evaluation 2/9, quality 0/4 with 4 pending → 4.5 of 14 scored.
    report = api.review(
        report_dir, criterion="evaluation", points=7, reason="the scaler is harmless here", reviewer="Ann"
    )
    assert report.total.score == 4.5  # automatic, unchanged
    assert report.total.final == 9.5
    assert report.total.final_percent == round(100 * 9.5 / 14, 1) == 67.9
    assert report.total.final_band == "ok"
    evaluation = next(c for c in report.criteria if c.id == "evaluation")
    assert (evaluation.score, evaluation.final) == (2.0, 7.0)
    saved = _saved(report_dir)
    assert saved["total"]["score"] == 4.5 and saved["total"]["final"] == 9.5
    [entry] = saved["overrides"]
    assert entry["kind"] == "criterion" and entry["criterion_id"] == "evaluation" and entry["points"] == 7
    assert entry["reviewer"] == "Ann" and entry["reason"] == "the scaler is harmless here" and entry["at"]
    # Every point a reviewer changed is visible in the HTML too, beside the automatic figure.
    page = BeautifulSoup((report_dir / "report.html").read_text(), "html.parser")
    text = " ".join(page.get_text(" ").split())
    assert "the scaler is harmless here" in text and "Ann" in text
    assert "9.5" in text and "4.5" in text


def test_the_history_is_append_only_and_the_latest_entry_wins(report_dir: Path) -> None:
    api.review(report_dir, criterion="evaluation", points=7, reason="first look", reviewer="Ann")
    api.review(report_dir, note="asked about the scaler in the interview", reviewer="Bo")
    report = api.review(report_dir, criterion="evaluation", points=5, reason="second look", reviewer="Bo")
    assert [(e.kind, e.points, e.reason) for e in report.overrides] == [
        (ReviewKind.criterion, 7.0, "first look"),
        (ReviewKind.note, None, "asked about the scaler in the interview"),
        (ReviewKind.criterion, 5.0, "second look"),
    ]
    assert report.total.score == 4.5 and report.total.final == 7.5
    assert api.load_report(report_dir / "report.json") == report


def test_a_note_alone_changes_no_score(report_dir: Path) -> None:
    report = api.review(report_dir, note="strong interview", reviewer="Ann")
    assert report.total.final is None and report.total.shown == 4.5
    assert [e.kind for e in report.overrides] == [ReviewKind.note]


def test_dismissing_a_finding_gives_its_points_back_and_keeps_it_visible(report_dir: Path) -> None:
    report = api.review(report_dir, dismiss="EXE001#1", reason="the data path differs here", reviewer="Ann")
    execution = next(c for c in report.criteria if c.id == "execution")
    [exe] = execution.checks
    assert (exe.points, exe.final) == (2.5, 4.0)  # the 1.5 points of EXE001#1 come back
    assert report.total.final == 6.0 and report.total.score == 4.5
    assert report.finding("EXE001#1") is not None  # still in the report, marked by the history
    with pytest.raises(ReviewError, match="already dismissed by Ann"):
        api.review(report_dir, dismiss="EXE001#1", reason="again", reviewer="Bo")
    with pytest.raises(ReviewError, match="positive observation"):
        api.review(report_dir, dismiss="EDA001#1", reason="x", reviewer="Bo")


def test_settling_a_crashed_check_clears_its_pending_points(report_dir: Path) -> None:
    report = api.review(report_dir, check="QUAL001", points=1.5, reason="read the code myself", reviewer="Ann")
    [entry] = report.overrides
    assert entry.kind is ReviewKind.settle and entry.criterion_id == "quality"
    assert report.total.pending == 4.0 and report.total.final_pending == 2.0
    assert report.total.final == 6.0


def test_a_not_applicable_check_cannot_be_given_points(tmp_path: Path) -> None:
    report = sample_report()
    score = report.criteria[0].checks[0]
    marked = score.model_copy(update={"not_applicable": True, "points": 0.0, "note": "not applicable: no resampling"})
    criterion = report.criteria[0].model_copy(update={"checks": [marked, *report.criteria[0].checks[1:]]})
    folder = _write(tmp_path / "r", report.model_copy(update={"criteria": [criterion, *report.criteria[1:]]}))
    with pytest.raises(ReviewError, match=r"nothing to judge in this notebook \(not applicable: no resampling\)"):
        api.review(folder, check=score.check_id, points=1, reason="it applies", reviewer="Ann")


def test_a_cap_lifts_only_when_every_finding_behind_it_is_dismissed(tmp_path: Path) -> None:
    cap = ScoreCap(checks=["LEAK001"], max_percent=20, reason="leakage")
    base = sample_report()
    assert base.rubric is not None
    folder = _write(
        tmp_path / "capped",
        base.model_copy(update={"rubric": base.rubric.model_copy(update={"bands": BANDS, "caps": [cap]})}),
    )
    report = api.review(folder, criterion="execution", points=5, reason="ran fine on our side", reviewer="Ann")
    assert report.total.final == round(14 * 0.2, 2)  # 7 would be more than 20 % of 14
    assert [c.finding_ids for c in report.total.final_caps] == [["LEAK001#1"]]
    report = api.review(folder, dismiss="LEAK001#1", reason="scaler fitted on train only", reviewer="Ann")
    assert report.total.final_caps == [] and report.total.final == 11.0  # 5 + (2 + 4) + 0


def test_a_band_gate_holds_the_final_band_until_its_finding_is_dismissed(tmp_path: Path) -> None:
    gate = ScoreCap(checks=["LEAK001"], max_band="ok", reason="results not trustworthy")
    base = sample_report()
    assert base.rubric is not None
    folder = _write(
        tmp_path / "gated",
        base.model_copy(update={"rubric": base.rubric.model_copy(update={"bands": BANDS, "caps": [gate]})}),
    )
    # 5 + 9 = 14 of 14 scored is strong by percentage; the gate holds the band at ok and the total
    # below the next band's floor (75 % of 14 = 10.5).
    api.review(folder, criterion="evaluation", points=9, reason="sound evaluation", reviewer="Ann")
    report = api.review(folder, criterion="execution", points=5, reason="ran fine on our side", reviewer="Ann")
    assert (report.total.final, report.total.final_band) == (10.5, "ok")
    [held] = report.total.final_caps
    assert (held.band_lowered_from, held.band_lowered_to, held.finding_ids) == ("strong", "ok", ["LEAK001#1"])
    report = api.review(folder, dismiss="LEAK001#1", reason="scaler fitted on train only", reviewer="Ann")
    assert report.total.final_caps == [] and (report.total.final, report.total.final_band) == (14.0, "strong")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"criterion": "evalution", "points": 3}, "no criterion 'evalution'.*did you mean evaluation"),
        ({"criterion": "evaluation", "points": -1}, "must be 0 or more, not -1"),
        ({"criterion": "evaluation", "points": 10}, "worth 9 points; 10 is more than that"),
        ({"criterion": "evaluation"}, r"give the points for criterion 'evaluation' \(--points P\)"),
        ({"check": "LEAK01", "points": 1}, "no check 'LEAK01'.*did you mean"),
        ({"dismiss": "LEAK001#9"}, "no finding 'LEAK001#9'.*did you mean LEAK001#1"),
        ({"criterion": "evaluation", "points": 3, "reason": " "}, r"give a reason \(--reason TEXT\)"),
        ({"criterion": "evaluation", "points": 3, "reviewer": ""}, r"--reviewer"),
        ({"criterion": "evaluation", "dismiss": "LEAK001#1", "points": 3}, "record one thing at a time"),
        ({}, "nothing to record"),
    ],
)
def test_bad_overrides_are_refused_with_what_to_fix(report_dir: Path, kwargs: dict[str, object], message: str) -> None:
    before = (report_dir / "report.json").read_bytes()
    args: dict[str, object] = {"reviewer": "Ann", "reason": "because", **kwargs}
    with pytest.raises(ReviewError, match=message):
        api.review(report_dir, **args)  # type: ignore[arg-type]
    assert (report_dir / "report.json").read_bytes() == before


def test_a_folder_without_a_report_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewError, match=r"holds no report\.json"):
        api.review(tmp_path, note="x", reviewer="Ann")


def test_the_cli_records_prints_and_refuses(report_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--reason", "fine on our data", "--reviewer", "Ann"]
    assert main(["review", str(report_dir), "--criterion", "execution", "--points", "4", *common]) == 0
    out = capsys.readouterr().out
    assert "automatic 4.5/18" in out and "after review 6/18" in out and "criterion execution 4" in out
    assert main(["review", str(report_dir), "--criterion", "nope", "--points", "1", *common]) == 2
    assert "no criterion 'nope'" in capsys.readouterr().err
    assert main(["review", str(report_dir), "--criterion", "execution", "--points", "-2", *common]) == 2
    assert "must be 0 or more, not -2" in capsys.readouterr().err
    assert main(["review", str(report_dir), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["total"]["score"] == 4.5 and shown["total"]["final"] == 6.0
    assert [o["points"] for o in shown["overrides"]] == [4.0]


def test_the_batch_summary_uses_the_final_and_says_so(tmp_path: Path) -> None:
    from grader.pipeline.batch import write_summaries

    batch = tmp_path / "batch"
    reports = {name: sample_report(candidate=name) for name in ("ann", "bob")}
    for name, report in reports.items():
        _write(batch / name, report)
    write_summaries(reports, batch, RUBRIC, title="Churn")
    api.review(batch / "ann", criterion="evaluation", points=9, reason="all fine", reviewer="Lee")
    summary = json.loads((batch / "summary.json").read_text())
    rows = {r["submission"]: r for r in summary["submissions"]}
    assert rows["ann"]["reviewed"] is True and rows["ann"]["score"] == 11.5 and rows["ann"]["automatic_score"] == 4.5
    assert rows["bob"]["reviewed"] is False and rows["bob"]["score"] == 4.5
    assert summary["reviewed"] == 1 and summary["title"] == "Churn"
    csv_lines = (batch / "summary.csv").read_text().splitlines()
    header = csv_lines[0].split(",")
    ann = next(line.split(",") for line in csv_lines if line.startswith("ann,"))
    assert ann[header.index("total")] == "11.5" and ann[header.index("automatic_total")] == "4.5"
    assert ann[header.index("reviewed")] == "yes"
