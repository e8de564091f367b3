"""`grader calibrate`: agreement with the team's scores (Spearman's ρ, quadratic-weighted κ) and proposed bands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import api
from grader.checks.registry import default_registry
from grader.cli import main
from grader.errors import ReviewError
from grader.models.execution import ExecutionRecord, RunStatus
from grader.models.report import (
    CriterionScore,
    GradingStatus,
    Report,
    RubricInfo,
    SubmissionInfo,
    Total,
)
from grader.review.stats import average_ranks, quadratic_weighted_kappa, spearman
from grader.scoring.rubric_file import load_rubric_file
from grader.submission.assignment import REPO_RUBRICS

RUBRIC = load_rubric_file(REPO_RUBRICS / "ml-takehome.yaml", default_registry())
#: Automatic percentages (the total is out of 100) and eda points of five candidates.
AUTOMATIC = {"c1": (95.0, 10.0), "c2": (92.0, 12.0), "c3": (75.0, 8.0), "c4": (60.0, 6.0), "c5": (40.0, 4.0)}
# Bands by the default rubric's thresholds (strong 85, average 68): strong, strong, average, weak, weak.
# The team: ranks 4 5 2 3 1 against the grader's 5 4 3 2 1 → Σd² = 4, ρ = 1 - 6·4/(5·24) = 0.8;
# bands strong, average, average, weak, average → quadratic-weighted κ = 1 - 0.5/1.5 = 2/3.
HUMAN = """candidate,total,eda,band,decision
c1,80,11,strong,advance
c2,90,12,average,advance
c3,50,7,average,advance
c4,60,6,weak,reject
c5,30,2,average,reject
"""


def _report(name: str, percent: float, eda: float) -> Report:
    band = RUBRIC.rubric.band_for(percent)
    return Report(
        grader_version="0.1.0",
        generated_at="2026-01-01T00:00:00+00:00",
        status=GradingStatus.graded,
        submission=SubmissionInfo(name=name, candidate=f"Candidate {name.upper()}"),
        rubric=RubricInfo(
            name=RUBRIC.rubric.name, version=RUBRIC.rubric.version, sha256=RUBRIC.sha256, path="ml-takehome.yaml"
        ),
        execution=ExecutionRecord(status=RunStatus.ok),
        criteria=[
            CriterionScore(id="eda", title="EDA", points_possible=14, score=eda),
            CriterionScore(id="features", title="Features", points_possible=86, score=percent - eda),
        ],
        total=Total(score=percent, max=100, percent=percent, band=band),
    )


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    out = tmp_path / "batch"
    for name, (percent, eda) in AUTOMATIC.items():
        (out / name).mkdir(parents=True)
        (out / name / "report.json").write_text(_report(name, percent, eda).model_dump_json())
    return out


def _human(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_statistics_on_known_values() -> None:
    assert average_ranks([3, 1, 3, 2]) == [3.5, 1.0, 3.5, 2.0]
    assert spearman([1, 2, 3, 4, 5], [4, 5, 2, 3, 1]) == pytest.approx(-0.8)  # Σd² = 36
    assert spearman([1, 2, 3], [3, 3, 3]) is None
    assert quadratic_weighted_kappa([0, 1, 2], [0, 1, 2], 3) == 1.0
    assert quadratic_weighted_kappa([0, 0, 1, 2, 2], [0, 1, 1, 2, 1], 3) == pytest.approx(2 / 3)


def test_known_rho_and_kappa_on_a_constructed_batch(batch: Path, tmp_path: Path) -> None:
    result, overlay = api.calibrate(batch, human=_human(tmp_path, HUMAN))
    assert result.candidates == 5 and result.unmatched == []
    assert result.spearman_total == 0.8
    assert result.kappa_bands == round(2 / 3, 3)
    assert result.spearman_criteria == {"eda": 1.0}
    assert result.mean_abs_diff_criteria == {"eda": 0.8}  # |10-11| + 0 + |8-7| + 0 + |4-2| over 5
    assert result.current_thresholds == {"strong": 85, "average": 68, "weak": 0}
    assert result.kappa_proposed is not None and result.kappa_proposed >= result.kappa_bands
    decision = result.decision
    assert decision is not None
    assert (decision.positive, decision.threshold, decision.balanced_accuracy) == ("advance", 67.5, 1.0)
    # The overlay extends the rubric in use and loads as a rubric.
    assert overlay == batch / "calibrated-rubric.yaml"
    text = overlay.read_text()
    assert 'extends: "ml-takehome.yaml"' in text
    loaded = load_rubric_file(overlay, default_registry())
    assert {b.name: b.min_percent for b in loaded.rubric.bands} == result.proposed_thresholds


def test_the_cli_prints_json_with_spearman_total(
    batch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calibrate", str(batch), "--human", str(_human(tmp_path, HUMAN)), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["spearman_total"] == 0.8 and data["kappa_bands"] == round(2 / 3, 3)
    assert main(["calibrate", str(batch), "--human", str(_human(tmp_path, HUMAN))]) == 0
    out = capsys.readouterr().out
    assert "Spearman's rho, total: 0.800" in out and "kappa for bands: 0.667" in out


def test_reviewers_overrides_serve_as_the_human_scores(batch: Path) -> None:
    with pytest.raises(ReviewError, match="no report in this batch has a reviewer's override"):
        api.calibrate(batch)
    for name, points in (("c1", 10.0), ("c3", 9.0), ("c5", 2.0)):
        api.review(batch / name, criterion="eda", points=points, reason="read it", reviewer="Ann")
    result, _ = api.calibrate(batch)
    assert result.candidates == 3 and result.unmatched == ["c2", "c4"]
    assert result.spearman_criteria["eda"] == 1.0  # 10, 8, 4 against 10, 9, 2: the same order


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty: it needs a header `candidate,total`"),
        ("name,score\nc1,3\n", "has no 'candidate' and no 'total' column"),
        ("candidate,eda\nc1,3\n", "has no 'total' column"),
        ("candidate,total\nc1,80\nc2\n", "line 3: 1 fields where the header has 2"),
        ("candidate,total\nc1,eighty\n", "line 2, total: 'eighty' is not a number"),
        ('candidate,total\n"c1"x,80\n', "is not valid CSV"),
        ("candidate,total,edaa\nc1,80,3\n", "column\\(s\\) edaa are neither criteria of the rubric"),
        ("candidate,total\nc1,80\nc1,70\n", "line 3: 'c1' appears twice"),
        ("candidate,total\nc1,80\nzed,70\nc2,10\n", "names candidate\\(s\\) not in this batch: zed; the batch has c1"),
        ("candidate,total\nc1,80\nc2,70\n", "at least 3 graded candidates in both; 2 match"),
        ("candidate,total\nc1,800\nc2,70\nc3,60\n", "totals above the rubric's 100 points \\(c1\\)"),
        ("candidate,total,band\nc1,80,great\nc2,70,weak\nc3,60,weak\n", "band\\(s\\) great are not the rubric's"),
    ],
)
def test_bad_team_files_are_clear_errors(batch: Path, tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        api.calibrate(batch, human=_human(tmp_path, text))
    assert not (batch / "calibrated-rubric.yaml").exists()


def test_candidates_match_by_name_as_given(batch: Path, tmp_path: Path) -> None:
    rows = "\n".join(f"Candidate {n.upper()},{p}" for n, (p, _) in AUTOMATIC.items())
    result, _ = api.calibrate(batch, human=_human(tmp_path, "candidate,total\n" + rows + "\n"))
    assert result.spearman_total == 1.0 and result.candidates == 5


def test_a_folder_that_is_not_a_batch_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewError, match="holds no graded submissions"):
        api.calibrate(tmp_path, human=_human(tmp_path, HUMAN))
    assert main(["calibrate", str(tmp_path / "nope"), "--human", str(tmp_path / "team.csv")]) == 2
