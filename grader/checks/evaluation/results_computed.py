"""EVAL012: the scores and search results the notebook shows are computed by its code, not typed in."""

from __future__ import annotations

import ast
import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import FollowUpSubject, Question
from grader.evidence.context import CheckContext
from grader.evidence.ml.vocabulary import EstKind
from grader.models.findings import Confidence, Evidence, Finding, Severity

#: A variable that holds results: scores, errors, a search's outcome.
_RESULT_NAME = re.compile(
    r"score|(?<![a-z])cv|acc|auc|f1|rmse|mse|mae|r2|precision|recall|result|error|loss", re.IGNORECASE
)
#: ... unless it holds values to try or to cut at (`score_thresholds = [0.3, 0.5, 0.7]`, `cv_sizes`).
_INPUT_NAME = re.compile(
    r"thresh|cut_?off|range|grid|candidate|alpha|lambda|weight|size|split|ratio|learning|param|bins|quantile",
    re.IGNORECASE,
)
#: A variable that holds a search's chosen setting.
_CHOSEN_NAME = re.compile(r"best|grid|search|tuned|optim", re.IGNORECASE)
#: This many numbers written by hand make a list of results (not a pair of thresholds).
MIN_VALUES = 3
#: This many settings written by hand make a search's outcome.
MIN_SETTINGS = 2


def _ask(s: FollowUpSubject) -> str:
    return f"{s.message()} — which run produced these numbers, and can you show the code that computes them?"


TYPED_RESULTS = Question("evaluation", _ask)


@check(
    id="EVAL012",
    slug="results-computed-not-typed",
    category=Category.evaluation,
    title="Scores and search results are computed, not typed in",
    followup=TYPED_RESULTS,
)
def results_computed_not_typed(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The scores a notebook compares and the settings it says a search chose come from its code.

    What it checks: assignments of numbers written by hand where results belong — a list of
    three or more decimal numbers bound to a name that holds results (`model_2_CV = [0.952,
    0.943, ...]`, `rmse = [6.53, 9.11, 5.44]`, `Testing_Accuracy = [0.888, 0.874, ...]`), and a
    dictionary of fixed settings bound to a name that holds a search's outcome
    (`grid_search_results = {"batch_size": 64, "epochs": 75}`) in a notebook that fits no search
    of its own. Medium: the numbers are pasted from a run the notebook does not hold (the
    computing code deleted or commented out), so nobody can tell which rows, model or version
    produced them, and the comparisons and plots built on them cannot be reproduced.

    Why it matters: a table or chart of typed-in scores looks like evidence but is a claim; it
    drifts from what the code computes as the notebook changes (a reviewer finds a "best" model
    the outputs above do not show), and hiding a long search behind pasted results hides how
    the choice was made.

    Example: the grid search is commented out (`# grid.fit(X_train, y_train)`) and the next cell
    says `grid_search_results = {"batch_size": 64, "epochs": 75, "optimizer": "rmsprop"}`; ten
    cross-validation scores per model are pasted as lists and plotted as a comparison.

    Do instead: compute the numbers in the notebook (`cross_val_score(...)`, a results frame
    built in the loop that scores the models), or load them from a file the code writes; if a
    search is too slow to re-run, keep its code and save its `cv_results_` to a file.
    """
    del params
    searched = any(fit.est is not None and fit.est.kind is EstKind.search for fit, _, _ in ctx.dataflow.model_fits)
    typed: list[tuple[int, int, str, str]] = []
    for code in ctx.code.parsed():
        assert code.tree is not None
        for node in code.tree.body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
                continue
            name = node.targets[0].id
            if _RESULT_NAME.search(name) and not _INPUT_NAME.search(name) and _hand_written_numbers(node.value):
                typed.append((code.index, node.lineno, name, "scores"))
            elif not searched and _CHOSEN_NAME.search(name) and _hand_written_settings(node.value):
                typed.append((code.index, node.lineno, name, "settings"))
    if not typed:
        return CheckOutcome(message="no results typed in by hand")
    names = ", ".join(f"`{name}` (cell {cell})" for cell, _, name, _ in typed[:4])
    kinds = {kind for *_, kind in typed}
    what = " and ".join(
        part for part, kind in (("scores", "scores"), ("a search's chosen settings", "settings")) if kind in kinds
    )
    more = f" and {len(typed) - 4} more" if len(typed) > 4 else ""
    message = (
        f"{what[0].upper()}{what[1:]} typed in by hand: {names}{more} — no code in the notebook computes these "
        "numbers, so the results and comparisons built on them cannot be reproduced or checked"
    )
    evidence: list[Evidence] = [
        ctx.evidence(cell, line, note=f"{kind} written as literals") for cell, line, _, kind in typed[:3]
    ]
    finding = Finding(
        message=message,
        severity=Severity.medium,
        confidence=Confidence.medium,
        evidence=evidence,
        data={"typed": [{"cell": c, "name": n, "kind": k} for c, _, n, k in typed[:20]]},
    )
    return CheckOutcome(findings=[finding], message=f"{len(typed)} result(s) typed in by hand")


def _hand_written_numbers(value: ast.expr) -> bool:
    """A list or tuple of at least `MIN_VALUES` decimal numbers, and nothing else."""
    if not isinstance(value, ast.List | ast.Tuple) or len(value.elts) < MIN_VALUES:
        return False
    return all(isinstance(e, ast.Constant) and type(e.value) is float for e in value.elts)


def _hand_written_settings(value: ast.expr) -> bool:
    """A dictionary of at least `MIN_SETTINGS` fixed settings (`{"epochs": 75, "optimizer": "adam"}`)."""
    if not isinstance(value, ast.Dict) or len(value.keys) < MIN_SETTINGS:
        return False
    return all(isinstance(k, ast.Constant) for k in value.keys) and all(
        isinstance(v, ast.Constant) or _negative(v) for v in value.values
    )


def _negative(value: ast.expr) -> bool:
    return isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) and isinstance(value.operand, ast.Constant)
