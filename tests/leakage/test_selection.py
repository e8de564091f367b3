"""Selection on the test set (LEAK006): ranked in code, swept, cross-validated over test rows, picked in prose."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

from grader.evidence.leakage.base import LeakKind
from grader.evidence.leakage.prose import winner_sentence
from grader.execution.trace import parse_trace
from grader.models.execution import CellRecord, CellStatus, ExecutionRecord, RunStatus
from grader.models.findings import Finding
from tests.conftest import make_notebook, static_context
from tests.leakage.test_dataflow import flow_of

HEAD = """\
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import cross_val_score, train_test_split
df = pd.read_csv("data/train.csv")
X = df.drop(columns=["y"])
y = df["y"]
"""
SPLIT = "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)"
TWO_ON_TEST = (
    "lr = LogisticRegression().fit(X_train, y_train)\nprint(accuracy_score(y_test, lr.predict(X_test)))",
    "rf = RandomForestClassifier().fit(X_train, y_train)\nprint(accuracy_score(y_test, rf.predict(X_test)))",
)


def selections(*cells: str | tuple[str, str], trace: Any = None) -> list[Finding]:
    ctx = static_context(make_notebook(HEAD, *cells), trace=trace)
    return ctx.leakage.of(LeakKind.selection)


# --------------------------------------------------------------------------- in code


def test_a_key_function_reading_a_dict_of_test_scores_is_a_selection() -> None:
    flow = flow_of(
        "X_tr, X_test, y_tr, y_test = train_test_split(df[['a']], df['y'])\nres = {}\n"
        "for name, m in {'a': LogisticRegression(), 'b': LogisticRegression(C=2)}.items():\n"
        "    m.fit(X_tr, y_tr)\n    res[name] = {'model': m, 'auc': roc_auc_score(y_test, m.predict(X_test))}\n"
        "best = max(res.keys(), key=lambda k: res[k]['auc'])"
    )
    assert [s.how for s in flow.selections] == ["max"]


def test_the_winner_scored_again_on_the_test_rows_is_high_a_ranking_alone_is_medium() -> None:
    ranked = (
        "models = {'lr': LogisticRegression(), 'rf': RandomForestClassifier()}\nresults = {}\n"
        "for name, m in models.items():\n    m.fit(X_train, y_train)\n"
        "    results[name] = accuracy_score(y_test, m.predict(X_test))\n"
        "best = max(results, key=results.get)"
    )
    [alone] = selections(SPLIT, ranked)
    assert alone.severity.value == "medium" and alone.data["winner_reported_cell"] is None
    [reported] = selections(SPLIT, ranked, "final = models[best]\nprint(f1_score(y_test, final.predict(X_test)))")
    assert reported.severity.value == "high" and reported.data["winner_reported_cell"] == 3
    assert "scored again on the same test rows" in reported.message


def test_a_sweep_in_an_outer_loop_shown_by_eye_is_medium_and_a_seed_loop_is_not() -> None:
    swept = (
        "scores = []\nfor leaves in [10, 50, 100]:\n    for crit in ['gini', 'entropy']:\n"
        "        t = DecisionTreeClassifier(max_leaf_nodes=leaves, random_state=1).fit(X_train, y_train)\n"
        "        scores.append(accuracy_score(y_test, t.predict(X_test)))\nprint(scores)"
    )
    [finding] = selections(SPLIT, swept)
    assert finding.severity.value == "medium" and finding.data["how"] == "sweep" and "leaves" in finding.message
    seeds = (
        "for seed in range(5):\n    f = RandomForestClassifier(random_state=seed).fit(X_train, y_train)\n"
        "    print(seed, accuracy_score(y_test, f.predict(X_test)))"
    )
    assert selections(SPLIT, seeds) == []


def test_an_error_rate_written_by_hand_in_a_sweep_over_k_is_a_selection_a_misclassified_mask_is_not() -> None:
    """The "pick k from the error-rate curve" idiom: `np.mean(pred != y_test)` is a score like accuracy_score."""
    sweep = (
        "import numpy as np\nfrom sklearn.neighbors import KNeighborsClassifier\nerror_rate = []\n"
        "for i in range(1, 20):\n    knn = KNeighborsClassifier(n_neighbors=i).fit(X_train, y_train)\n"
        "    pred_i = knn.predict(X_test)\n    error_rate.append({})\n"
    )
    for hand in ("np.mean(pred_i != y_test)", "(pred_i == y_test).mean()", "sum(pred_i != y_test) / len(y_test)"):
        [finding] = selections(SPLIT, sweep.format(hand), "plt.plot(range(1, 20), error_rate)")
        assert finding.data["how"] == "sweep", hand
    # The same loop on a validation split carved from the training rows chooses nothing on the test set.
    valid = sweep.replace("X_test", "X_val").replace("y_test", "y_val").format("np.mean(pred_i != y_val)")
    carve = "X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, random_state=0)"
    assert selections(SPLIT, carve, valid.replace("X_train, y_train", "X_fit, y_fit")) == []
    # Rows picked by a comparison (the misclassified cases) are a mask, not a score.
    rf = (
        "from sklearn.ensemble import RandomForestClassifier\ndf = pd.read_csv('d.csv')\n"
        "X_train, X_test, y_train, y_test = train_test_split(df[['a']], df['y'])\n"
        "pred = RandomForestClassifier().fit(X_train, y_train).predict(X_test)\n"
    )
    assert [e.function for e in flow_of(rf + "print(np.mean(pred != y_test))").evals.values()] == ["error_rate"]
    assert not flow_of(rf + "wrong = X_test[pred != y_test]\nprint(wrong.head())").evals


def test_cross_validation_over_all_rows_that_compares_models_before_a_test_split() -> None:
    compare = (
        "print(cross_val_score(LogisticRegression(), X, y, cv=5).mean())\n"
        "print(cross_val_score(RandomForestClassifier(), X, y, cv=5).mean())"
    )
    final = "m = RandomForestClassifier().fit(X_train, y_train)\nprint(accuracy_score(y_test, m.predict(X_test)))"
    [finding] = selections(SPLIT, compare, final)
    assert finding.severity.value == "medium" and finding.data["how"] == "cv_over_test_rows"
    assert selections(SPLIT, compare.replace("X, y", "X_train, y_train"), final) == []
    one_model = "print(cross_val_score(RandomForestClassifier(), X, y, cv=5).mean())"
    assert selections(SPLIT, one_model, final) == []
    # Without a test score there is no test set for the cross-validation to leak into.
    assert selections(SPLIT, compare) == []


# --------------------------------------------------------------------------- in prose


def test_winner_sentences() -> None:
    assert winner_sentence("LR gives the best results here.") is not None
    assert winner_sentence("We choose Random Forest as it has the highest accuracy.") is not None
    assert winner_sentence("The tree based models perform much better than the linear models.") is not None
    assert winner_sentence("## Results\nAll models are better than the baseline.") is None
    assert winner_sentence("The best parameters found by the grid search are shown below.") is None
    assert winner_sentence("Age is the strongest driver of charges.") is None


def test_prose_picking_a_winner_after_test_scores_is_medium() -> None:
    [finding] = selections(SPLIT, *TWO_ON_TEST, ("md", "Random forest gives the best accuracy, so we keep it."))
    assert finding.severity.value == "medium" and finding.data["how"] == "prose"
    assert finding.evidence[0].source.value == "markdown" and finding.evidence[0].cell == 4


def test_a_code_cells_opening_comment_picking_a_winner_after_test_scores_is_medium() -> None:
    """diamonds-03: "# Based on the accuracies, XGBoost performs the best, lets use it as the final algorithm"."""
    pick = "# Based on the accuracies, random forest performs the best, lets use it as the final model\nfinal = rf"
    [finding] = selections(SPLIT, *TWO_ON_TEST, pick)
    assert finding.severity.value == "medium" and finding.data["how"] == "comment"
    assert finding.evidence[0].source.value == "code" and finding.evidence[0].cell == 4
    assert finding.message.startswith("The comment in cell 4 picks a winner")
    # A comment after candidates scored on a validation split, or one that names no winner, is fine.
    on_validation = [c.replace("X_test", "X_val").replace("y_test", "y_val") for c in TWO_ON_TEST]
    split_val = SPLIT.replace("X_test", "X_val").replace("y_test", "y_val")
    assert selections(split_val, *on_validation, pick) == []
    assert selections(SPLIT, *TWO_ON_TEST, "# plot the predictions of both models\nfinal = rf") == []


def test_prose_about_validation_or_cross_validation_scores_is_fine() -> None:
    on_validation = [c.replace("X_test", "X_val").replace("y_test", "y_val") for c in TWO_ON_TEST]
    split_val = SPLIT.replace("X_test", "X_val").replace("y_test", "y_val")
    assert selections(split_val, *on_validation, ("md", "Random forest gives the best accuracy.")) == []
    both = (
        "lr = LogisticRegression().fit(X_train, y_train)\n"
        "print(cross_val_score(lr, X_train, y_train).mean(), accuracy_score(y_test, lr.predict(X_test)))",
        "rf = RandomForestClassifier().fit(X_train, y_train)\n"
        "print(cross_val_score(rf, X_train, y_train).mean(), accuracy_score(y_test, rf.predict(X_test)))",
    )
    assert selections(SPLIT, *both, ("md", "Random forest has the best cross-validated accuracy.")) == []


HELPER_MODELS = (
    "def models(X, y):\n    lr = LogisticRegression().fit(X, y)\n    rf = RandomForestClassifier().fit(X, y)\n"
    "    return lr, rf\nmodel = models(X_train, y_train)"
)
LOOP_ON_TEST = "for i in range(len(model)):\n    print(i, accuracy_score(y_test, model[i].predict(X_test)))"


def test_prose_saying_the_winner_was_best_on_the_test_data_is_a_selection_even_for_untracked_models() -> None:
    said = ("md", "From the metrics above, the model that performed best on the test data was Random Forest.")
    [finding] = selections(SPLIT, HELPER_MODELS, LOOP_ON_TEST, said)
    assert finding.data["how"] == "prose" and finding.data["prose_cell"] == 4 and finding.severity.value == "medium"
    # ... also when a note about the figures sits between the scores and the sentence.
    note = ("md", "Above are the accuracies of the models on the test rows.")
    [finding] = selections(SPLIT, HELPER_MODELS, LOOP_ON_TEST, note, said)
    assert finding.data["prose_cell"] == 5
    # Without the words "on the test data" the models cannot be told apart: nothing is claimed.
    assert selections(SPLIT, HELPER_MODELS, LOOP_ON_TEST, ("md", "Random Forest performed best.")) == []
    # A confirmation of a choice made by cross-validation is not a choice on the test set.
    confirm = ("md", "Random forest also performs best on the test set, confirming the CV choice.")
    assert selections(SPLIT, HELPER_MODELS, LOOP_ON_TEST, confirm) == []
    # One test score, outside a loop, is no comparison.
    one = "print(accuracy_score(y_test, model[1].predict(X_test)))"
    assert selections(SPLIT, HELPER_MODELS, one, ("md", "Random forest does best on the test set.")) == []


def test_prose_after_one_model_or_about_a_baseline_is_not_a_choice() -> None:
    assert selections(SPLIT, TWO_ON_TEST[1], ("md", "The random forest is the best model we could build.")) == []
    assert selections(SPLIT, *TWO_ON_TEST, ("md", "Both models are better than the dummy baseline.")) == []


def test_prose_after_models_compared_by_cv_next_to_a_baseline_scored_on_the_test_set_is_fine() -> None:
    baseline = (
        "from sklearn.dummy import DummyClassifier\n"
        "floor = DummyClassifier().fit(X_train, y_train)\nprint(accuracy_score(y_test, floor.predict(X_test)))"
    )
    compared = (
        "for m in [LogisticRegression(), RandomForestClassifier()]:\n"
        "    print(cross_val_score(m, X_train, y_train).mean())"
    )
    prose = ("md", "On cross-validation the random forest is best, ahead of logistic regression.")
    assert selections(SPLIT, baseline, compared, prose) == []


def test_prose_after_a_ranking_in_code_is_not_reported_twice() -> None:
    ranked = (
        "scores = {}\nfor n, m in {'lr': LogisticRegression(), 'rf': RandomForestClassifier()}.items():\n"
        "    scores[n] = accuracy_score(y_test, m.fit(X_train, y_train).predict(X_test))\n"
        "best = max(scores, key=scores.get)"
    )
    found = selections(SPLIT, ranked, ("md", "The best model is the random forest."))
    assert [f.data["how"] for f in found] == ["max"]


SEARCHES_ON_TEST = tuple(
    f"from sklearn.model_selection import GridSearchCV\n"
    f"grid = GridSearchCV({model}, {grid}, cv=5).fit(X_train, y_train)\n"
    f"print('{name} test accuracy:', grid.score(X_test, y_test))"
    for name, model, grid in (
        ("LR", "LogisticRegression()", "{'C': [0.1, 1, 10]}"),
        ("RF", "RandomForestClassifier()", "{'max_depth': [3, 6]}"),
    )
)


def test_prose_picking_among_searches_compared_only_on_the_test_set_is_a_selection() -> None:
    """Each family tuned by its own grid search; the winner across families is read off their test scores."""
    pick = ("md", "Random forest gives us the highest accuracy, so it is our final model.")
    [finding] = selections(SPLIT, *SEARCHES_ON_TEST, pick)
    assert finding.data["how"] == "prose" and finding.severity.value == "medium"
    # ... a heading written as a sentence picks just as well.
    heading = ("md", "### We can see that random forest gives the highest accuracy")
    [finding] = selections(SPLIT, *SEARCHES_ON_TEST, heading)
    assert finding.data["prose_cell"] == 4
    # Searches whose cross-validated scores are read are compared on their folds: no finding.
    with_cv = tuple(cell + "\nprint('CV accuracy:', grid.best_score_)" for cell in SEARCHES_ON_TEST)
    assert selections(SPLIT, *with_cv, pick) == []
    # A short heading is a title, not a sentence.
    assert selections(SPLIT, *SEARCHES_ON_TEST, ("md", "### The best model")) == []


def test_prose_saying_the_choice_was_based_on_the_test_set_is_a_selection() -> None:
    said = ("md", "The two best performing models are chosen based on the RMSE and R squared of the test set.")
    [finding] = selections(SPLIT, *TWO_ON_TEST, ("md", "Notes on the results follow."), said)
    assert finding.data["how"] == "prose" and finding.data["prose_cell"] == 5
    on_validation = ("md", "The two best performing models are chosen based on the scores of the validation set.")
    assert selections(SPLIT, *TWO_ON_TEST, ("md", "Notes on the results follow."), on_validation) == []


KERAS = """\
from keras.models import Sequential
from keras.layers import Dense
from keras import callbacks
model = Sequential()
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam")
"""


def test_a_network_watched_on_the_test_set_then_scored_on_it_is_a_selection() -> None:
    watched = KERAS + "history = model.fit(X_train, y_train, validation_data=(X_test, y_test), epochs=200)"
    scored = "print(model.evaluate(X_test, y_test))"
    [finding] = selections(SPLIT, watched, scored)
    assert finding.data["how"] == "validation_data" and finding.severity.value == "medium"
    # Early stopping on the test rows chooses the epochs: high.
    stopped = KERAS + (
        "earlystopping = callbacks.EarlyStopping(monitor='val_loss', patience=3)\n"
        "model.fit(X_train, y_train, validation_data=(X_test, y_test), epochs=500, callbacks=[earlystopping])"
    )
    [finding] = selections(SPLIT, stopped, scored)
    assert finding.data["how"] == "early_stopping" and finding.severity.value == "high"
    assert "epochs" in finding.message
    # A validation split carved from the training rows is fine, and so is a test set never scored.
    split3 = (
        "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)\n"
        "X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.2, random_state=0)"
    )
    on_val = KERAS + "model.fit(X_fit, y_fit, validation_data=(X_val, y_val), epochs=200)"
    assert selections(split3, on_val, scored) == []
    assert selections(SPLIT, watched) == []


TUNED_BY_HAND = (
    "gb = RandomForestClassifier(max_depth=3, n_estimators=400, min_samples_leaf=3).fit(X_train, y_train)\n"
    "print(accuracy_score(y_test, gb.predict(X_test)))"
)


def test_tuning_claimed_with_no_validation_split_or_cv_was_done_on_the_test_set() -> None:
    [finding] = selections(SPLIT, ("md", "## Improved model (forest with some tuning)"), TUNED_BY_HAND)
    assert finding.data["how"] == "tuned_without_validation" and finding.severity.value == "medium"
    assert finding.data["claim_cell"] == 2 and finding.evidence[0].source.value == "markdown"
    [finding] = selections(SPLIT, ("md", "### Section III: Model Parameter Tuning"), TUNED_BY_HAND)


def test_tuning_with_cross_validation_a_validation_split_or_only_planned_is_fine() -> None:
    claim = ("md", "## Hyperparameter tuning")
    with_cv = TUNED_BY_HAND + "\nprint(cross_val_score(gb, X_train, y_train).mean())"
    assert selections(SPLIT, claim, with_cv) == []
    on_val = TUNED_BY_HAND.replace("X_test", "X_val").replace("y_test", "y_val")
    assert selections(SPLIT.replace("X_test", "X_val").replace("y_test", "y_val"), claim, on_val) == []
    for plan in ("Hyperparameter tuning could improve the forest further.", "The model was not tuned."):
        assert selections(SPLIT, ("md", plan), TUNED_BY_HAND) == []
    # A model with default settings was not tuned by hand.
    default = "rf = RandomForestClassifier().fit(X_train, y_train)\nprint(accuracy_score(y_test, rf.predict(X_test)))"
    assert selections(SPLIT, claim, default) == []


def test_a_winner_picked_after_display_cells_still_sees_the_candidates_above_them() -> None:
    displays = ("X_train", "X_test", "y_test", "lr.predict(X_test)", "X_train.head()", "y_train")
    pick = ("md", "# our logistic regression model is the best scoring model so we use this model")
    [finding] = selections(SPLIT, TWO_ON_TEST[1], ("md", "# now logistic regression"), TWO_ON_TEST[0], *displays, pick)
    assert finding.data["how"] == "prose"
    # Far up, only a sentence that names the best is a pick ("will the estimator get better" is not).
    vague = ("md", "# how much the estimator benefits from more data, or will the model get better online")
    assert (
        selections(SPLIT, TWO_ON_TEST[1], ("md", "# now logistic regression"), TWO_ON_TEST[0], *displays, vague) == []
    )
    # A note in prose in between closes the comparison: the forest above it is another story.
    note = ("md", "The forest overfits, so we try a linear model next and look at it on its own.")
    assert selections(SPLIT, TWO_ON_TEST[1], note, TWO_ON_TEST[0], *displays, pick) == []


def test_a_sweep_built_in_one_loop_and_scored_on_the_test_set_in_a_comprehension_is_a_selection() -> None:
    """scikit-learn's pruning example: trees built over `ccp_alphas`, then scored on the test set in a comprehension."""
    built = (
        "path = DecisionTreeClassifier().cost_complexity_pruning_path(X_train, y_train)\nmodels = []\n"
        "for alpha in path.ccp_alphas:\n    models.append(DecisionTreeClassifier(ccp_alpha=alpha).fit(X_train, y_train))"
    )
    curve = "import matplotlib.pyplot as plt\nplt.plot(path.ccp_alphas, [m.score(X_test, y_test) for m in models])"
    [finding] = selections(SPLIT, built, curve)
    assert finding.data["how"] == "sweep" and finding.severity.value == "medium"
    # The same curve on a validation split is how it should be done.
    split3 = SPLIT.replace("X_test", "X_val").replace("y_test", "y_val")
    assert (
        selections(
            split3, built.replace("X_test", "X_val"), curve.replace("X_test", "X_val").replace("y_test", "y_val")
        )
        == []
    )
    # Models of a seed loop scored on the test set are a robustness check, not a sweep.
    seeds = "models = []\nfor seed in range(5):\n    models.append(DecisionTreeClassifier(random_state=seed).fit(X_train, y_train))"
    assert selections(SPLIT, seeds, "print([m.score(X_test, y_test) for m in models])") == []


# --------------------------------------------------------------------------- the trace proves it


def rows_event(rid: int, values: range) -> dict[str, Any]:
    """A `rows` trace event: the fingerprints of rows `values` under id `rid`."""
    data = np.array(sorted(set(values)), dtype="<u8").tobytes()
    return {"kind": "rows", "id": rid, "n": len(values), "k": 1, "h": base64.b64encode(data).decode()}


def trace_of(cells: int, *events: dict[str, Any]) -> Any:
    """A parsed trace of a notebook of `cells` cells that all ran, with these events."""
    lines: list[dict[str, Any]] = [{"kind": "header", "notebook": "analysis.ipynb"}]
    for number in range(1, cells + 1):
        lines += [
            {"kind": "cell", "run": number, "started": number + 1},
            {"kind": "cell_done", "run": number, "count": number},
        ]
    record = ExecutionRecord(
        status=RunStatus.ok,
        tracing="ok",
        cells=[
            CellRecord(index=i, notebook="analysis.ipynb", local_index=i, status=CellStatus.ok, execution_count=i + 1)
            for i in range(cells)
        ],
    )
    return parse_trace("\n".join(json.dumps(line) for line in [*lines, *events]).encode(), record)


_SPLIT_EVENT = {
    "kind": "split", "seq": 1, "run": 2, "line": 1, "shuffle": True,
    "parts": [{"input": {"shape": [100, 2], "rows": 1}, "train": {"shape": [80, 2], "rows": 2},
               "test": {"shape": [20, 2], "rows": 3}}],
}  # fmt: skip


def test_the_trace_proves_cross_validation_ran_on_the_test_rows() -> None:
    compare = (
        "print(cross_val_score(LogisticRegression(), X, y, cv=5).mean())\n"
        "print(cross_val_score(RandomForestClassifier(), X, y, cv=5).mean())"
    )
    final = "m = RandomForestClassifier().fit(X_train, y_train)\nprint(accuracy_score(y_test, m.predict(X_test)))"
    cv = {
        "kind": "cv",
        "seq": 2,
        "run": 3,
        "line": 1,
        "function": "cross_val_score",
        "x": {"shape": [100, 2], "rows": 1},
    }
    trace = trace_of(
        4, rows_event(1, range(100)), rows_event(2, range(80)), rows_event(3, range(80, 100)), _SPLIT_EVENT, cv
    )
    [finding] = selections(SPLIT, compare, final, trace=trace)
    assert finding.confidence.value == "high" and finding.data["traced"] is True
    assert "ran on 100 rows, 20 of which are the 20 test rows" in finding.message


def test_the_trace_proves_a_search_over_all_rows_before_the_split_saw_the_test_rows() -> None:
    search = (
        "from sklearn.model_selection import GridSearchCV\n"
        "grid = GridSearchCV(RandomForestClassifier(), {'max_depth': [3, 5]}, cv=5).fit(X, y)\nprint(grid.best_params_)"
    )
    final = (
        "m = RandomForestClassifier(**grid.best_params_).fit(X_train, y_train)\n"
        "print(accuracy_score(y_test, m.predict(X_test)))"
    )
    cv = {"kind": "cv", "seq": 1, "run": 2, "line": 2, "function": "GridSearchCV", "x": {"shape": [100, 2], "rows": 1}}
    split = {**_SPLIT_EVENT, "seq": 2, "run": 3}
    trace = trace_of(4, rows_event(1, range(100)), rows_event(2, range(80)), rows_event(3, range(80, 100)), cv, split)
    [finding] = selections(search, SPLIT, final, trace=trace)
    assert finding.data["how"] == "cv_over_test_rows" and finding.data["tuned"] is True
    assert finding.confidence.value == "high" and finding.data["traced"] is True


def test_the_trace_proves_two_models_were_scored_on_the_same_test_rows_before_the_prose() -> None:
    def scored(seq: int, run: int, inst: int) -> list[dict[str, Any]]:
        fit = {
            "kind": "call",
            "seq": seq,
            "run": run,
            "line": 1,
            "method": "fit",
            "cls": "M",
            "inst": inst,
            "gen": 1,
            "predictor": True,
            "x": {"shape": [80, 2], "rows": 2},
        }
        predict = {
            "kind": "call",
            "seq": seq + 1,
            "run": run,
            "line": 2,
            "method": "predict",
            "cls": "M",
            "inst": inst,
            "gen": 1,
            "predictor": True,
            "x": {"shape": [20, 2], "rows": 3},
        }
        return [fit, predict]  # fmt: skip

    trace = trace_of(
        4, rows_event(1, range(100)), rows_event(2, range(80)), rows_event(3, range(80, 100)), _SPLIT_EVENT, *scored(2, 3, 1),
        *scored(4, 4, 2),
    )  # fmt: skip
    [finding] = selections(SPLIT, *TWO_ON_TEST, ("md", "LR gives the best results here."), trace=trace)
    assert finding.confidence.value == "high" and finding.data["models_scored_on_test"] == 2
