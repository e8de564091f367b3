"""EVAL007: a declared suspect column is questioned or handled; used as-is it asks a medium follow-up."""

from __future__ import annotations

import json
from typing import Any

from grader.checks.evaluation.suspect_column_questioned import suspect_column_questioned
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.execution.trace import parse_trace
from grader.models.execution import CellRecord, CellStatus, ExecutionRecord, RunStatus
from grader.models.findings import CheckResult, CheckStatus, Confidence, EvidenceSource, Severity
from grader.report.followups import followups_for
from tests.checks._helpers import context, run
from tests.rendering.builders import sample_report

LOAD = (
    "import pandas as pd\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "df = pd.read_csv('data/train.csv')\n"
    "df = df.drop(columns=['customer_id', 'signup_date', 'referral_code', 'total_charges', 'cancellation_reason'])"
)
INDICATOR = "df['no_app'] = df['last_login_days'].isna().astype(int)\ndf = df.fillna(-1)"
FIT = "X = pd.get_dummies(df.drop(columns=['churned']))\nrf = RandomForestClassifier(random_state=0).fit(X, df['churned'])"


def test_an_indicator_fed_to_the_model_without_a_word_is_a_medium_finding() -> None:
    result = run(suspect_column_questioned, LOAD, INDICATOR, FIT, task="churn")
    assert result.status is CheckStatus.failed and result.score == 0.0
    [finding] = result.problems
    assert finding.severity is Severity.medium and finding.confidence is Confidence.medium
    assert finding.data["column"] == "last_login_days" and finding.data["part"] == "missingness"
    assert finding.data["features"] == ["last_login_days", "no_app"] and finding.data["fit_cell"] == 2
    assert finding.message.startswith("`last_login_days` (and so whether it is missing) reaches RandomForestClassifier")
    assert "the assignment flags its missingness as partly post-outcome: Empty when the app account" in finding.message


def test_dropping_it_comparing_with_and_without_or_questioning_it_passes() -> None:
    dropped = run(
        suspect_column_questioned, LOAD, "df = df.drop(columns=['last_login_days']).fillna(-1)", FIT, task="churn"
    )
    assert dropped.status is CheckStatus.passed and "kept out of the model" in dropped.findings[0].message
    assert dropped.findings[0].severity is Severity.info and dropped.findings[0].evidence[0].cell == 1
    compared = run(
        suspect_column_questioned,
        LOAD,
        "df = df.fillna(-1)\nX = pd.get_dummies(df.drop(columns=['churned']))",
        "a = RandomForestClassifier().fit(X, df['churned'])\n"
        "b = RandomForestClassifier().fit(X.drop(columns=['last_login_days']), df['churned'])",
        task="churn",
    )
    assert compared.status is CheckStatus.passed and "with/without comparison" in compared.findings[0].message
    prose = run(
        suspect_column_questioned,
        LOAD,
        ("md", "The `no_app` flag is suspicious: accounts are deleted when customers leave, after the outcome."),
        INDICATOR,
        FIT,
        task="churn",
    )
    assert prose.status is CheckStatus.passed and prose.findings[0].evidence[0].source is EvidenceSource.markdown
    comment = run(
        suspect_column_questioned,
        LOAD,
        "# last login: empty for deleted app accounts, which may not be known at prediction time\n" + INDICATOR,
        FIT,
        task="churn",
    )
    assert comment.status is CheckStatus.passed and comment.findings[0].evidence[0].cell == 1


def test_prose_about_another_column_or_without_doubt_does_not_count() -> None:
    other = ("md", "- `cancellation_reason` is recorded after the customer asks to cancel: a leak, dropped.")
    plain = ("md", "Missing `last_login_days` means no app account: churners are much more often without one.")
    for note in (other, plain):
        assert run(suspect_column_questioned, LOAD, note, INDICATOR, FIT, task="churn").status is CheckStatus.failed
    phrase = run(
        suspect_column_questioned,
        LOAD,
        ("md", "Careful: `last_login_days` is set by the app team's nightly job."),
        INDICATOR,
        FIT,
        task="churn",
        params={"extra_terms": ["nightly job"]},
    )
    assert phrase.status is CheckStatus.passed


def test_a_readme_can_question_it() -> None:
    readme = {"README.md": "## Notes\n\nThe missing last login is a possible leak: deleted accounts.\n"}
    result = run(suspect_column_questioned, LOAD, INDICATOR, FIT, task="churn", files=readme)
    assert result.status is CheckStatus.passed
    assert result.findings[0].evidence[0].source is EvidenceSource.file and "README.md" in result.findings[0].message


def test_when_the_dataflow_cannot_tell_the_check_says_so_and_is_skipped() -> None:
    numeric = (
        "X = df.select_dtypes('number').drop(columns=['churned'])\nrf = RandomForestClassifier().fit(X, df['churned'])"
    )
    result = run(suspect_column_questioned, LOAD, INDICATOR, numeric, task="churn")
    assert result.status is CheckStatus.skipped and not result.findings and result.score is None
    assert "no model fit shows whether `last_login_days` is used" in result.message


def test_not_applicable_without_suspects_and_skipped_without_an_assignment() -> None:
    fraud = run(suspect_column_questioned, "import pandas as pd", task="fraud")
    assert fraud.status is CheckStatus.not_applicable and fraud.message.startswith("not applicable")
    assert run(suspect_column_questioned, LOAD, FIT).status is CheckStatus.skipped


# --------------------------------------------------------------------------- the runtime trace


def _traced(cells: tuple[str | tuple[str, str], ...], *fits: dict[str, Any]) -> CheckResult:
    """Run the check with a trace whose fit events happened in the last cell."""
    code = [i for i, cell in enumerate(cells) if not (isinstance(cell, tuple) and cell[0] == "md")]
    lines: list[dict[str, Any]] = [{"kind": "header", "notebook": "analysis.ipynb"}]
    for run_number in range(1, len(code) + 1):
        lines += [{"kind": "cell", "run": run_number}, {"kind": "cell_done", "run": run_number, "count": run_number}]
    for seq, fit in enumerate(fits, start=1):
        lines.append(
            {
                "kind": "call",
                "seq": seq,
                "run": len(code),
                "line": 1,
                "method": "fit",
                "module": "sklearn",
                "inst": seq,
                "gen": 1,
                "predictor": True,
                **fit,
            }
        )
    record = ExecutionRecord(
        status=RunStatus.ok,
        tracing="ok",
        cells=[
            CellRecord(index=i, notebook="analysis.ipynb", local_index=i, status=CellStatus.ok, execution_count=n + 1)
            for n, i in enumerate(code)
        ],
    )
    trace = parse_trace("\n".join(json.dumps(line) for line in lines).encode(), record)
    ctx = context(*cells, task="churn")
    ctx = context_of(
        submission=ctx.submission, notebook=ctx.notebook, execution=record, assignment=ctx.assignment, trace=trace
    )
    return run_check(suspect_column_questioned, ctx, {})


def test_the_trace_decides_when_the_fitted_model_recorded_its_columns() -> None:
    used = _traced(
        (LOAD, INDICATOR, FIT),
        {"cls": "Pipeline", "features": ["num__tenure_months", "num__last_login_days", "num__no_app"]},
    )
    [finding] = used.problems
    assert finding.confidence is Confidence.high and finding.data["traced"] is True
    assert finding.data["features"] == ["num__last_login_days", "num__no_app"]
    assert any(e.source is EvidenceSource.trace and e.cell == 2 for e in finding.evidence)
    # The dataflow alone would say "used"; the columns the model was really fitted on say otherwise.
    kept_out = _traced(
        (LOAD, INDICATOR, FIT), {"cls": "RandomForestClassifier", "x": {"cols": ["tenure_months", "age"]}}
    )
    assert kept_out.status is CheckStatus.passed and "traced" in kept_out.findings[0].message
    assert kept_out.findings[0].confidence is Confidence.high
    dummy_only = _traced((LOAD, INDICATOR, FIT), {"cls": "DummyClassifier", "x": {"cols": ["no_app"]}})
    assert dummy_only.status is CheckStatus.failed and dummy_only.problems[0].confidence is Confidence.medium


def test_a_search_is_judged_by_the_pipelines_it_fits_and_baselines_are_ignored() -> None:
    search = {"cls": "GridSearchCV", "search": True, "predictor": False, "x": {"cols": ["tenure_months", "no_app"]}}
    inner = {
        "cls": "Pipeline",
        "steps": ["ColumnTransformer", "LogisticRegression"],
        "features": ["num__tenure_months"],
    }
    dummy = {"cls": "Pipeline", "steps": ["ColumnTransformer", "DummyClassifier"], "features": ["num__no_app"]}
    result = _traced((LOAD, INDICATOR, FIT), search, inner, dummy)
    assert result.status is CheckStatus.passed and result.findings[0].confidence is Confidence.high
    alone = _traced((LOAD, INDICATOR, FIT), search)
    assert alone.status is CheckStatus.failed and alone.problems[0].data["features"] == ["no_app"]


def test_a_fit_on_a_bare_array_leaves_the_decision_to_the_dataflow() -> None:
    result = _traced((LOAD, INDICATOR, FIT), {"cls": "RandomForestClassifier", "x": {"shape": [8000, 20]}})
    [finding] = result.problems
    assert finding.confidence is Confidence.medium and finding.data["traced"] is False


def test_the_follow_up_asks_when_the_value_goes_missing() -> None:
    result = run(suspect_column_questioned, LOAD, INDICATOR, FIT, task="churn")
    [question] = followups_for(sample_report(results=[result]))
    assert question.topic == "leakage" and question.finding_id == "EVAL007#1"
    assert question.question == (
        "Your model in cell 2 learns from whether `last_login_days` is missing — when does that value go missing, "
        "would it already be missing on the day the prediction is made, and what is your score without that signal?"
    )
