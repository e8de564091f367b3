"""Saved calibration reports re-scored under another rubric (bench/calibration/rescore.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.calibration.rescore import rescored_percent, split_rhos
from grader import api
from grader.checks.registry import default_registry
from grader.models.rubric import CheckRef, Criterion, Rubric
from grader.scoring.rubric_file import load_rubric_file

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric_file(REPO / "rubrics" / "ml-takehome.yaml", default_registry()).rubric


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    """Static reports of three sample submissions, as bench/calibration.py saves them."""
    out = {}
    for name in ("churn/ryan-mitchell", "churn/priya-raman", "churn/kevin-walsh"):
        report = api.grade_submission(
            REPO / "submissions" / name, assignment=REPO / "sample_datasets" / "churn", execute=False
        )
        out[name] = json.loads(report.model_dump_json())
    return out


def _light_exe011(rubric: Rubric) -> Rubric:
    """The default rubric with EXE011 back at 2 of the execution criterion's points (the rest to EXE001)."""
    criteria = []
    for criterion in rubric.criteria:
        if criterion.id == "execution":
            refs = []
            for ref in criterion.checks:
                raw = ref.model_dump()
                if ref.check == "EXE011":
                    raw |= {"points": 2.0, "scoring": {"policy": "deduct_per_severity", "high": 2, "medium": 1.25}}
                elif ref.check == "EXE001":
                    raw |= {"points": ref.points + 6.0}
                refs.append(CheckRef.model_validate(raw))
            criterion = Criterion.model_validate({**criterion.model_dump(), "checks": [r.model_dump() for r in refs]})
        criteria.append(criterion)
    return Rubric.model_validate({**rubric.model_dump(), "criteria": [c.model_dump() for c in criteria]})


def test_the_rubric_a_report_was_graded_with_gives_back_its_total(rubric: Rubric, reports: dict[str, dict]) -> None:
    for report in reports.values():
        assert rescored_percent(report, rubric) == report["total"]["percent"]


def test_a_lighter_weight_on_the_submitted_run_raises_a_broken_notebook_only(
    rubric: Rubric, reports: dict[str, dict]
) -> None:
    light = _light_exe011(rubric)
    broken = reports["churn/ryan-mitchell"]  # a saved traceback before its models (EXE011 high)
    assert rescored_percent(broken, light) > rescored_percent(broken, rubric) + 3
    clean = reports["churn/priya-raman"]
    assert abs(rescored_percent(clean, light) - rescored_percent(clean, rubric)) < 1


def test_split_rhos_compare_each_rubric_with_the_raters(rubric: Rubric, reports: dict[str, dict]) -> None:
    truth = {"churn/priya-raman": 90.0, "churn/ryan-mitchell": 30.0, "churn/kevin-walsh": 40.0, "other": 50.0}
    n, rhos = split_rhos(reports, truth, [rubric, _light_exe011(rubric)])
    # The grader puts the broken notebook (79.8 %) above the weak one (48.8 %), the raters below it.
    assert n == 3 and rhos == [pytest.approx(0.5), pytest.approx(0.5)]
    truth["churn/kevin-walsh"] = 20.0
    assert split_rhos(reports, truth, [rubric])[1] == [pytest.approx(1.0)]
