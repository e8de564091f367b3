"""Leakage checks and the hidden holdout with real sandbox runs (Docker): traced proof, no side effects.

The corpus test grades every submission of `submissions/` that has an `expected.yaml`:
each planted leak must be found by the check meant for it, with evidence at the cell
the expectations name and row counts from the runtime trace; submissions without a
planted leak must get no leakage finding.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from grader.checks.base import Category
from grader.checks.registry import default_registry
from grader.execution.run import SandboxRunner
from grader.models.findings import CheckStatus, Confidence
from grader.models.report import FlagKind, Report
from grader.models.rubric import CheckRef, Criterion, MetricToPoints, Rubric
from grader.pipeline.grading import Grader, GradingOptions
from grader.scoring.rubric_file import LoadedRubric
from grader.submission.assignment import load_assignment
from tests.conftest import REPO, write_submission

pytestmark = pytest.mark.docker

REGISTRY = default_registry()
#: The check(s) meant for each planted leak (any of them finding it counts).
FLAW_CHECKS = {
    "scaler-fit-before-split": {"LEAK001", "LEAK002"},
    "imputer-fit-before-split": {"LEAK001", "LEAK002"},
    "oversampling-before-split": {"LEAK004"},
    "leakage-column-used": {"LEAK007"},
    "target-derived-feature": {"LEAK008", "LEAK003", "LEAK009"},
    "tuned-on-test-set": {"LEAK006"},
    "random-split-time-series": {"LEAK010"},
    "group-split-ignored": {"LEAK011", "LEAK010"},
}

#: Planted leaks found from the code only, although the run was traced (open gaps, reported on issue 14).
#: Empty: churn/felix-braun's disguised leak was one until traced fits of `make_pipeline(...)` were matched
#: to the `Pipeline` the trace records.
TRACE_GAPS: set[str] = set()

PREAMBLE = """\
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
test = pd.read_csv("data/test_features.csv")
cols = ["tenure_months", "age", "monthly_charges", "support_calls_90d", "num_lines"]
"""
LEAKY = (
    "X = StandardScaler().fit_transform(df[cols].fillna(0))",
    "X_train, X_test, y_train, y_test = train_test_split(X, df['churned'], test_size=0.2, random_state=0)\n"
    "model = LogisticRegression().fit(X_train, y_train)\n"
    "print('test ROC AUC', round(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]), 4))",
    "final = LogisticRegression().fit(StandardScaler().fit_transform(df[cols].fillna(0)), df['churned'])\n"
    "proba = final.predict_proba(StandardScaler().fit_transform(test[cols].fillna(0)))[:, 1]\n"
    "pd.DataFrame({'customer_id': test['customer_id'], 'churned': (proba > 0.5).astype(int),\n"
    "              'churn_probability': proba}).to_csv('predictions.csv', index=False)",
)


def leakage_grader(sandbox: SandboxRunner, assignment: str | Path) -> Grader:
    folder = Path(assignment) if isinstance(assignment, Path) else REPO / "sample_datasets" / assignment
    loaded = load_assignment(folder)
    specs = [s for s in REGISTRY if s.category is Category.leakage]
    refs = [CheckRef(check=s.id, points=1) for s in specs]
    zero_at, full_at = (15.0, 8.0) if not loaded.assignment.primary_metric.greater_is_better else (0.5, 0.9)
    refs += [
        CheckRef(check="HOLD001", points=4, scoring=MetricToPoints(zero_at=zero_at, full_at=full_at)),
        CheckRef(check="HOLD002", points=1),
        CheckRef(check="HOLD003", points=1),
    ]
    rubric = Rubric(
        name="leakage",
        criteria=[
            Criterion(id="leakage", title="Leakage and holdout", points=sum(r.points for r in refs), checks=refs)
        ],
    )
    return Grader(
        rubric=LoadedRubric(rubric=rubric, path=REPO / "rubrics" / "leakage.yaml", sha256=""),
        registry=REGISTRY,
        assignment=loaded,
        sandbox=sandbox,
        options=GradingOptions(write_html=False, pylint=False),
    )


def result(report: Report, check_id: str) -> Any:
    return next(r for r in report.checks if r.id == check_id)


# --------------------------------------------------------------------------- one traced notebook


def test_traced_findings_carry_row_counts_and_cells(sandbox: SandboxRunner, tmp_path: Path) -> None:
    report = leakage_grader(sandbox, "churn").grade(write_submission(tmp_path / "leaky", PREAMBLE, *LEAKY))
    assert report.execution.tracing == "ok", report.execution.reason
    leak = result(report, "LEAK001")
    assert leak.status is CheckStatus.failed
    [finding] = leak.findings
    assert finding.confidence is Confidence.high
    assert finding.data["fit_rows"] == 8080 and finding.data["test_rows"] == 1616
    assert finding.data["overlap"] == 1616 and finding.data["fit_cell"] == 1 and finding.data["split_cell"] == 2
    assert "8,080 rows, 1,616 of which" in finding.message
    assert any(e.source.value == "trace" and e.cell == 1 for e in finding.evidence)
    assert any(f.kind is FlagKind.leakage for f in report.flags)
    holdout = report.holdout
    assert holdout is not None and holdout.status == "scored" and holdout.rows_matched == 2000
    assert holdout.score is not None and 0.6 < holdout.score < 0.95
    assert holdout.claimed == pytest.approx(float(str(holdout.claimed_evidence).rsplit(" ", 1)[-1]))
    assert result(report, "HOLD001").metric == holdout.score


def test_tracing_never_changes_sandbox_outputs(sandbox: SandboxRunner, tmp_path: Path) -> None:
    untraced = SandboxRunner(client=sandbox.client, settings=dataclasses.replace(sandbox.settings, trace=False))
    cells = (
        PREAMBLE + "import numpy as np\nnp.random.seed(0)",
        *LEAKY,
        "print(np.random.rand(2), df[cols].mean().round(6).to_dict())",
    )
    submission = write_submission(tmp_path / "same", *cells)
    traced_report = leakage_grader(sandbox, "churn").grade(submission, out_dir=tmp_path / "traced")
    plain_report = leakage_grader(untraced, "churn").grade(submission, out_dir=tmp_path / "plain")
    assert traced_report.execution.tracing == "ok" and plain_report.execution.tracing == "disabled"

    def outputs(folder: Path) -> list[Any]:
        nb = nbformat.read(str(folder / "executed" / "analysis.ipynb"), as_version=4)
        return [
            [{k: v for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])]
            for c in nb.cells
            if c.cell_type == "code"
        ]

    assert outputs(tmp_path / "traced") == outputs(tmp_path / "plain")
    assert (tmp_path / "traced" / "outputs" / "predictions.csv").read_bytes() == (
        tmp_path / "plain" / "outputs" / "predictions.csv"
    ).read_bytes()
    # Untraced, the leak is still found statically, with less confidence and no row counts.
    static = result(plain_report, "LEAK001").findings[0]
    assert static.confidence is Confidence.medium and "fit_rows" not in static.data
    assert result(plain_report, "LEAK009").status is CheckStatus.skipped


# --------------------------------------------------------------------------- the sample corpus


def _corpus() -> list[tuple[str, Path, dict[str, Any]]]:
    """(assignment, submission folder, expectations) read straight from `submissions/*/*/expected.yaml`."""
    found = []
    for path in sorted((REPO / "submissions").glob("*/*/expected.yaml")):
        found.append((path.parent.parent.name, path.parent, yaml.safe_load(path.read_text()) or {}))
    return found


def _leak_flaws(expected: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in expected.get("flaws") or [] if f.get("name") in FLAW_CHECKS]


CORPUS = _corpus()


#: `assignment/candidate` → (report, expectations, output folder), graded once per session
#: with the default rubric, traced (`graded_corpus` in tests/conftest.py).
Graded = dict[str, tuple[Report, Any, Path]]


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize(("assignment", "folder", "expected"), CORPUS, ids=[f"{a}/{f.name}" for a, f, _ in CORPUS])
def test_corpus_leaks_are_found_with_traced_evidence(
    assignment: str, folder: Path, expected: dict[str, Any], graded_corpus: Graded
) -> None:
    report = graded_corpus[f"{assignment}/{folder.name}"][0]
    leak_results = [r for r in report.checks if r.category == "leakage"]
    assert all(r.status is not CheckStatus.error for r in report.checks), [r.error for r in report.checks]
    flaws = _leak_flaws(expected)
    if not flaws:
        found = [f"{r.id}: {f.message}" for r in leak_results for f in r.problems]
        assert not found, f"a submission without planted leaks got leakage findings: {found}"
        return
    traced_any = False
    for flaw in flaws:
        name, cell = flaw["name"], flaw.get("cell")
        findings = [f for r in leak_results if r.id in FLAW_CHECKS[name] for f in r.problems]
        assert findings, f"{name} (cell {cell}) was not found"
        cells = {e.cell for f in findings for e in f.evidence}
        assert cell is None or cell in cells, f"{name}: evidence at {cells}, not {cell}"
        traced_any |= any(f.data.get("traced") for f in findings)
    if report.execution.tracing == "ok":
        key = f"{assignment}/{folder.name}"
        if key in TRACE_GAPS:  # a known gap, asserted so that closing it shows here
            assert not traced_any, f"{key} now carries runtime evidence: remove it from TRACE_GAPS"
            return
        assert traced_any, "no finding carries runtime evidence although the run was traced"


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_corpus_predictions_are_scored_on_the_holdout(graded_corpus: Graded) -> None:
    for assignment, folder, expected in CORPUS:
        report = graded_corpus[f"{assignment}/{folder.name}"][0]
        if expected.get("writes_predictions", True) and expected.get("expected_run", "ok") == "ok":
            assert report.holdout is not None and report.holdout.status in ("scored", "partial"), (
                folder.name,
                report.holdout,
            )
            assert result(report, "HOLD001").metric is not None
