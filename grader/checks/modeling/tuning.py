"""MOD003: hyper-parameters are tuned inside cross-validation, on the training part only."""

from __future__ import annotations

import ast

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import TUNING
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import Fit, MLFacts, Role, Use, canonical, names_in
from grader.evidence.ml.queries import model_places
from grader.evidence.ml.vocabulary import BUILTIN_CV_ESTIMATORS, CV_FUNCTIONS, ESTIMATORS, SEARCH_CV
from grader.models.findings import Confidence, Finding, Severity

#: Keyword arguments that are not hyper-parameters: a loop over them is not tuning.
_NOT_TUNING = frozenset({"random_state", "seed", "random_seed", "n_jobs", "verbose", "verbosity", "class_weight"})


@check(
    id="MOD003",
    slug="tuned-inside-cv",
    category=Category.modeling,
    title="Hyper-parameters are tuned inside cross-validation",
    followup=TUNING,
    needs_fitted_model="nothing is tuned",
)
def tuned_inside_cv(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Hyper-parameters are searched with cross-validation on the training part only.

    What it checks: a search (`GridSearchCV`, `RandomizedSearchCV`,
    `HalvingGridSearchCV`, `BayesSearchCV`, optuna with a cross-validated objective),
    an estimator with built-in CV (`LogisticRegressionCV`, `RidgeCV`), or a manual
    loop over hyper-parameter values scored with `cross_val_score`. A search fitted on
    the full data that a `train_test_split` later takes the test set from is a medium
    finding (the test rows were used to tune); a manual loop scored on one validation
    split is low; no tuning at all is low. Searches over a `Pipeline`
    (`{"model__C": ...}`) and searches inside a pipeline both count.

    Why it matters: default hyper-parameters are rarely right for the data (a
    default gradient-boosting model over-fits 6,000 noisy rows), and tuning outside
    CV, or with the test rows inside the search, picks parameters that flatter the
    reported score.

    Example: `GridSearchCV(RandomForestClassifier(), grid, cv=5).fit(X, y)` followed
    by `train_test_split(X, y)` and a test score of the best estimator.

    Do instead: split first, then `RandomizedSearchCV(pipeline, distributions,
    cv=cv, scoring="roc_auc", random_state=0).fit(X_train, y_train)`, and evaluate
    `search.best_estimator_` once on the held-out part.
    """
    del params
    facts = ctx.ml
    findings: list[Finding] = []
    searches = facts.searches
    for search in searches:
        for fit in _fits_of(facts, search):
            full = sorted(n for n in fit.data if facts.role(n) is Role.full)
            if full and facts.split_uses:
                findings.append(
                    Finding(
                        message=f"{search.name} is fitted on {', '.join(full)}, the data the test split is taken "
                        "from: the test rows take part in choosing the hyper-parameters",
                        severity=Severity.medium,
                        confidence=Confidence.medium,
                        evidence=[ctx.evidence(fit.site.cell, fit.site.line), ctx.evidence(search.cell, search.line)],
                        data={"search": search.name, "data": full},
                    )
                )
    builtin = facts.named(BUILTIN_CV_ESTIMATORS)
    optuna = [s for s in ctx.code.calls if s.qualname and s.qualname.startswith("optuna.")]
    loops = _manual_tuning_loops(facts)
    if searches or builtin or (optuna and _cv_in_functions(facts)):
        tuned = (searches or builtin)[0] if (searches or builtin) else None
        where = f"{tuned.name} in cell {tuned.cell}" if tuned else "optuna with a cross-validated objective"
        return CheckOutcome(findings=findings, message=f"tuned inside cross-validation: {where}")
    cv_loops = [(cell, loop) for cell, loop in loops if _has_cv(facts, loop)]
    if cv_loops:
        return CheckOutcome(
            findings=findings, message=f"manual tuning loop with cross-validation in cell {cv_loops[0][0]}"
        )
    if loops or optuna:
        place = (loops[0][0], loops[0][1].lineno) if loops else (optuna[0].cell, optuna[0].line)
        findings.append(
            Finding(
                message="Hyper-parameters are tuned on a single validation split, not inside cross-validation: "
                "the chosen values fit that split's noise",
                severity=Severity.low,
                confidence=Confidence.medium,
                evidence=[ctx.evidence(*place)],
            )
        )
        return CheckOutcome(findings=findings, message="tuned on one split")
    places = model_places(facts)
    findings.append(
        Finding(
            message="Hyper-parameters are never tuned: every model keeps the values it was written with",
            severity=Severity.low,
            confidence=Confidence.medium,
            evidence=[ctx.evidence(cell, line) for cell, line in places],
        )
    )
    return CheckOutcome(findings=findings, message="no tuning")


def _fits_of(facts: MLFacts, search: Use) -> list[Fit]:
    found = []
    for fit in facts.fits:
        func = fit.site.node.func
        chained = isinstance(func, ast.Attribute) and func.value is search.call
        if chained or (search.bound_to is not None and fit.receiver == search.bound_to):
            found.append(fit)
    return found


def _manual_tuning_loops(facts: MLFacts) -> list[tuple[int, ast.For]]:
    """`for depth in [3, 5, 8]: RandomForestClassifier(max_depth=depth)` and `for p in ParameterGrid(...)`."""
    found = []
    for cell, loop in facts.for_loops:
        targets = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
        if isinstance(loop.iter, ast.Call):
            site = facts.site(loop.iter)
            if site is not None and canonical(site) in ("ParameterGrid", "ParameterSampler"):
                found.append((cell, loop))
                continue
        for node in ast.walk(loop):
            if not isinstance(node, ast.Call):
                continue
            site = facts.site(node)
            name = canonical(site) if site is not None else ""
            is_estimator = name in ESTIMATORS or (site is not None and site.name == "set_params")
            if is_estimator and any(k.arg not in _NOT_TUNING and names_in(k.value) & targets for k in node.keywords):
                found.append((cell, loop))
                break
    return found


def _has_cv(facts: MLFacts, loop: ast.For) -> bool:
    for node in ast.walk(loop):
        if isinstance(node, ast.Call):
            site = facts.site(node)
            if site is not None and canonical(site) in CV_FUNCTIONS | SEARCH_CV:
                return True
        if (
            isinstance(node, ast.For)
            and node is not loop
            and isinstance(node.iter, ast.Call)
            and isinstance(node.iter.func, ast.Attribute)
            and node.iter.func.attr == "split"
        ):
            return True
    return False


def _cv_in_functions(facts: MLFacts) -> bool:
    """Some local function (an optuna objective) cross-validates."""
    return any(u.function is not None for u in facts.cv_calls) or any(
        facts.enclosing_function(loop) is not None for _, loop in facts.manual_cv_loops
    )
