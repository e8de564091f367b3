"""EVAL008 evaluated-on-training-rows: which rows each score was computed on, statically and from the trace."""

from __future__ import annotations

from typing import Any

from grader.checks.evaluation.training_rows import evaluated_on_training_rows
from grader.checks.runner import run_check
from grader.models.assignment import Assignment
from grader.models.findings import CheckStatus
from tests.checks._helpers import run, severities
from tests.conftest import make_notebook, static_context
from tests.leakage.test_selection import rows_event, trace_of

HEAD = """\
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, classification_report
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
df = pd.read_csv("data/train.csv")
X = df.drop(columns=["y"])
y = df["y"]
"""
SPLIT = "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)"


def test_training_score_next_to_the_test_score_is_fine() -> None:
    result = run(
        evaluated_on_training_rows,
        HEAD,
        SPLIT,
        "m = RandomForestClassifier().fit(X_train, y_train)\n"
        "print(accuracy_score(y_train, m.predict(X_train)), accuracy_score(y_test, m.predict(X_test)))",
    )
    assert result.status is CheckStatus.passed, result.message


def test_a_dummy_scored_on_its_training_rows_is_not_a_finding() -> None:
    result = run(
        evaluated_on_training_rows,
        HEAD + "from sklearn.dummy import DummyClassifier\n",
        SPLIT,
        "floor = DummyClassifier().fit(X_train, y_train)\nprint(floor.score(X_train, y_train))",
        "m = RandomForestClassifier().fit(X_train, y_train)\nprint(accuracy_score(y_test, m.predict(X_test)))",
    )
    assert result.status is CheckStatus.passed, result.message


def test_training_scores_as_the_only_result_are_high() -> None:
    result = run(
        evaluated_on_training_rows,
        HEAD,
        "m = RandomForestClassifier().fit(X, y)\nprint(classification_report(y, m.predict(X)))",
        "lr = LogisticRegression().fit(X, y)\nprint(lr.score(X, y))",
    )
    assert severities(result) == ["high"]
    assert "2 models" in result.problems[0].message and "notebook's result" in result.problems[0].message


def test_cross_validation_elsewhere_makes_a_training_aside_low() -> None:
    result = run(
        evaluated_on_training_rows,
        HEAD,
        "m = LogisticRegression()\nprint(cross_val_score(m, X, y, cv=5).mean())",
        "m.fit(X, y)\nprint('training accuracy', m.score(X, y))",
    )
    assert severities(result) == ["low"]


def test_models_compared_on_their_training_fit_are_medium() -> None:
    result = run(
        evaluated_on_training_rows,
        HEAD,
        "a = LinearRegression().fit(X[['age']], y)\nprint(a.score(X[['age']], y))",
        "b = LinearRegression().fit(X[['age', 'bmi']], y)\nprint(b.score(X[['age', 'bmi']], y))",
        SPLIT,
        "final = LinearRegression().fit(X_train, y_train)\nprint(final.score(X_test, y_test))",
    )
    assert severities(result) == ["medium"]
    assert result.problems[0].data["models"] == 2


def test_a_search_refitted_on_all_rows_then_scored_on_the_test_split_is_high() -> None:
    result = run(
        evaluated_on_training_rows,
        HEAD,
        SPLIT,
        "m = RandomForestClassifier().fit(X_train, y_train)\nprint(m.score(X_test, y_test))",
        "grid = GridSearchCV(RandomForestClassifier(), {'max_depth': [3, 6]}, cv=5)\ngrid.fit(X, y)\n"
        "print(grid.best_estimator_.score(X_test, y_test))",
    )
    assert severities(result) == ["high"]
    assert "presented as a test score" in result.problems[0].message


def test_clustering_scored_on_its_own_rows_is_not_a_finding() -> None:
    result = run(
        evaluated_on_training_rows,
        HEAD + "from sklearn.cluster import KMeans\nfrom sklearn.metrics import silhouette_score\n",
        "km = KMeans(3).fit(X)\nprint(silhouette_score(X, km.predict(X)))",
    )
    assert result.status is CheckStatus.passed


# --------------------------------------------------------------------------- the trace decides

CELLS = (HEAD, SPLIT, "m = RandomForestClassifier().fit(X_train, y_train)\nprint(m.score(X_test, y_test))")


def _traced_context(cells: tuple[str, ...], score_rows: range) -> Any:
    """The notebook run with a trace: fitted on rows 0-79, scored (line 2 of the last cell) on `score_rows`."""
    last = len(cells)
    events: list[dict[str, Any]] = [
        rows_event(1, range(80)),
        rows_event(2, score_rows),
        {"kind": "call", "seq": 1, "run": last, "line": 1, "method": "fit", "cls": "RandomForestClassifier",
         "module": "sklearn.ensemble._forest", "inst": 1, "gen": 1, "predictor": True,
         "x": {"shape": [80, 2], "rows": 1}},
        {"kind": "call", "seq": 2, "run": last, "line": 2, "method": "score", "cls": "RandomForestClassifier",
         "module": "sklearn.ensemble._forest", "inst": 1, "gen": 1, "predictor": True,
         "x": {"shape": [len(score_rows), 2], "rows": 2}, "value": 0.99},
    ]  # fmt: skip
    trace = trace_of(last, *events)
    return static_context(make_notebook(*cells), trace=trace)


def test_the_trace_proves_a_test_score_was_computed_on_training_rows() -> None:
    # The names say held-out, the rows say otherwise (X_test was rebuilt from training rows off-screen).
    result = run_check(evaluated_on_training_rows, _traced_context(CELLS, range(60, 80)), {})
    [finding] = result.problems
    assert finding.severity.value == "high" and finding.confidence.value == "high"
    assert "20 rows, 20 of which it was fitted on" in finding.message
    assert finding.data["traced"] is True


def test_the_trace_clears_a_score_the_names_made_look_like_training() -> None:
    cells = (HEAD, "m = RandomForestClassifier().fit(X, y)\nprint(m.score(X, y))")
    assert run(evaluated_on_training_rows, *cells).status is CheckStatus.failed
    cleared = run_check(evaluated_on_training_rows, _traced_context(cells, range(80, 100)), {})
    assert cleared.status is CheckStatus.passed, [f.message for f in cleared.problems]


def test_errors_broken_down_only_on_the_training_rows_are_medium() -> None:
    """stroke-02's shape: a test accuracy, then the confusion matrix and report of the training rows."""
    fitted = "m = LogisticRegression().fit(X_train, y_train)\nprint(accuracy_score(y_test, m.predict(X_test)))"
    bad = run(
        evaluated_on_training_rows, HEAD, SPLIT, fitted, "print(classification_report(y_train, m.predict(X_train)))"
    )
    assert severities(bad) == ["medium"], bad.message
    assert bad.problems[0].data["kind"] == "breakdown_on_training"
    assert "classification report (cell 3) is computed on the rows it was fitted on" in bad.problems[0].message
    # The same report of the training rows next to one of the test rows shows the gap: fine.
    good = run(
        evaluated_on_training_rows,
        HEAD,
        SPLIT,
        fitted,
        "print(classification_report(y_train, m.predict(X_train)))\n"
        "print(classification_report(y_test, m.predict(X_test)))",
    )
    assert good.status is CheckStatus.passed, good.message


SM_HEAD = (
    HEAD + "import statsmodels.api as sm\nimport statsmodels.formula.api as smf\nfrom sklearn.metrics import r2_score\n"
)


def test_statsmodels_fits_take_their_rows_where_the_model_is_built() -> None:
    """`sm.OLS(y, X).fit()` fits the rows given to OLS; its R² and `predict()` are scores of those rows."""
    all_rows = run(
        evaluated_on_training_rows,
        SM_HEAD,
        "res = sm.OLS(y, sm.add_constant(X)).fit()\nprint(res.rsquared)",
        "f = smf.ols('y ~ age + bmi', data=df).fit()\nprint(r2_score(df['y'], f.predict()))",
    )
    assert severities(all_rows) == ["high"], all_rows.message
    assert "OLS" in all_rows.problems[0].message and "notebook's result" in all_rows.problems[0].message
    held_out = run(
        evaluated_on_training_rows,
        SM_HEAD,
        SPLIT,
        "res = sm.OLS(y_train, sm.add_constant(X_train)).fit()\n"
        "print(r2_score(y_test, res.predict(sm.add_constant(X_test))))",
    )
    assert held_out.status is CheckStatus.passed, held_out.message


def test_a_formula_model_does_not_take_the_whole_frame_as_its_features() -> None:
    """`smf.ols("medv ~ rm + lstat", data=df)`: the target is in the frame, not among the features."""
    from grader.evidence.leakage.base import LeakKind

    ctx = static_context(make_notebook(SM_HEAD, "f = smf.ols('y ~ age + bmi', data=df).fit()\nprint(f.rsquared)"))
    assert not ctx.leakage.of(LeakKind.target_derived), [f.message for f in ctx.leakage.of(LeakKind.target_derived)]


def test_a_training_score_quoted_in_the_prose_below_is_medium() -> None:
    """ckd-04's shape: a held-out score earlier, then a pipeline fitted and scored on all rows, its score quoted."""
    cells = (
        HEAD,
        SPLIT,
        "m = LogisticRegression().fit(X_train, y_train)\nprint(m.score(X_test, y_test))",
        "p = RandomForestClassifier(random_state=0).fit(X, y)\nprint(p.score(X, y))",
    )
    outputs = {
        2: [{"output_type": "stream", "name": "stdout", "text": "0.967\n"}],
        3: [{"output_type": "stream", "name": "stdout", "text": "0.9775\n"}],
    }
    quoted = run(
        evaluated_on_training_rows,
        *cells,
        ("md", "With the forest the score was 0.9775, higher than 0.967."),
        outputs=outputs,
    )
    assert severities(quoted) == ["medium"], quoted.message
    assert "prose right after states this score" in quoted.problems[0].message
    aside = run(
        evaluated_on_training_rows,
        *cells,
        ("md", "The forest memorises its training rows, as expected."),
        outputs=outputs,
    )
    assert severities(aside) == ["low"], aside.message


FITTED_ON_TRAIN = (
    "m = RandomForestClassifier().fit(X_train, y_train)\nprint(accuracy_score(y_test, m.predict(X_test)))\n"
)


def test_a_score_on_all_the_rows_counts_with_the_training_scores() -> None:
    # Fitted on the training part, scored on every row: two thirds of them are rows it learnt.
    only = run(
        evaluated_on_training_rows,
        HEAD,
        SPLIT,
        "m = LogisticRegression().fit(X_train, y_train)\nprint(accuracy_score(y, m.predict(X)))",
    )
    assert severities(only) == ["high"], only.message
    assert "on all the rows, those it was fitted on among them" in only.problems[0].message
    # Beside a held-out score of the same metric it is an aside, as a training score is.
    both = run(evaluated_on_training_rows, HEAD, SPLIT, FITTED_ON_TRAIN + "print(accuracy_score(y, m.predict(X)))")
    assert both.status is CheckStatus.passed, both.message


def test_the_briefs_metric_computed_only_on_training_rows_is_medium() -> None:
    auc = "from sklearn.metrics import roc_auc_score\n"
    on_all = run(
        evaluated_on_training_rows,
        HEAD,
        SPLIT,
        auc + FITTED_ON_TRAIN + "print(roc_auc_score(y, m.predict_proba(X)[:, 1]))",
        task="churn",
    )
    assert severities(on_all) == ["medium"], on_all.message
    (finding,) = on_all.problems
    assert finding.data["kind"] == "primary_metric_on_training" and finding.data["metric"] == "roc_auc"
    assert "on all the rows" in finding.message
    on_train = run(
        evaluated_on_training_rows,
        HEAD,
        SPLIT,
        auc + FITTED_ON_TRAIN + "print(roc_auc_score(y_train, m.predict_proba(X_train)[:, 1]))",
        task="churn",
    )
    assert severities(on_train) == ["medium"] and "on the rows it was fitted on" in on_train.problems[0].message
    # The brief's metric on held-out rows too, or no assignment to name one: nothing to say.
    held = run(
        evaluated_on_training_rows,
        HEAD,
        SPLIT,
        auc + FITTED_ON_TRAIN + "print(roc_auc_score(y, m.predict_proba(X)[:, 1]))\n"
        "print(roc_auc_score(y_test, m.predict_proba(X_test)[:, 1]))",
        task="churn",
    )
    assert held.status is CheckStatus.passed, held.message
    unnamed = run(
        evaluated_on_training_rows,
        HEAD,
        SPLIT,
        auc + FITTED_ON_TRAIN + "print(roc_auc_score(y, m.predict_proba(X)[:, 1]))",
    )
    assert unnamed.status is CheckStatus.passed, unnamed.message


def test_only_a_score_of_the_briefs_metric_on_training_rows_counts_as_it() -> None:
    # A brief scored on accuracy: an estimator's own .score is its accuracy, statsmodels' pseudo-R² is not.
    brief = Assignment.model_validate(
        {
            "name": "toy",
            "title": "Toy",
            "task": "binary_classification",
            "target": "y",
            "id_column": "id",
            "primary_metric": "accuracy",
            "public_files": ["train.csv"],
            "prediction_contract": {"id_column": "id", "prediction_column": "y"},
        }
    )
    held = "from sklearn.metrics import f1_score\nm = RandomForestClassifier().fit(X_train, y_train)\n"
    held += "print(f1_score(y_test, m.predict(X_test)))\n"

    def kinds(tail: str) -> list[object]:
        ctx = static_context(make_notebook(HEAD, SPLIT, held + tail), assignment=brief)
        return [f.data.get("kind") for f in run_check(evaluated_on_training_rows, ctx, {}).problems]

    assert "primary_metric_on_training" in kinds("print(m.score(X_train, y_train))")
    # statsmodels' pseudo-R² of the rows a logit was fitted on is not its accuracy.
    logit = (
        "import statsmodels.api as sm\nfrom sklearn.metrics import f1_score\n"
        "res = sm.Logit(y_train, X_train).fit()\nprint(f1_score(y_test, res.predict(X_test) > 0.5))\n"
        "print(res.prsquared)"
    )
    ctx = static_context(make_notebook(HEAD, SPLIT, logit), assignment=brief)
    result = run_check(evaluated_on_training_rows, ctx, {})
    assert "primary_metric_on_training" not in [f.data.get("kind") for f in result.problems], result.message
