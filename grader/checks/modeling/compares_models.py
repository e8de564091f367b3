"""MOD002: two or more model families are compared, on the same folds."""

from __future__ import annotations

import ast

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import MODELLING
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts, Use, canonical, is_none, is_true, kw
from grader.evidence.ml.queries import model_places
from grader.evidence.ml.vocabulary import ESTIMATORS, SPLITTERS, Family
from grader.models.findings import Confidence, Finding, Severity

_COMPARING = frozenset({"cross_val_score", "cross_validate"})


@check(
    id="MOD002",
    slug="compares-model-families",
    category=Category.modeling,
    title="Two or more model families are compared on the same folds",
    followup=MODELLING,
    needs_fitted_model="no model families are compared",
)
def compares_model_families(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """At least two different kinds of model are tried, and compared on the same data splits.

    What it checks: the model families the code builds (linear, single tree, forest,
    boosting, k-NN, SVM, naive Bayes, neural network, voting/stacking), wherever they
    are built: directly, in a dict or list that is looped over, inside a `Pipeline`,
    a search, or a helper function. Dummy baselines and estimators used only inside
    a feature selector do not count. When `cross_val_score` / `cross_validate` score
    models of different families, their `cv=` must describe the same folds (the same
    splitter object, the same seeded splitter, or the same number of unshuffled
    folds); an unseeded shuffled splitter built for each model gives each model its
    own folds (a low-severity finding). Re-checking the chosen model on other folds
    (`GroupKFold` as a robustness check) is fine.

    Why it matters: trying one model tells the reviewer nothing about whether the
    choice was right; comparing on different folds mixes the model's effect with the
    luck of the split.

    Example: a notebook that only ever fits `RandomForestClassifier`, tuned or not;
    or `cross_val_score(lr, X, y, cv=KFold(5, shuffle=True))` and
    `cross_val_score(rf, X, y, cv=KFold(5, shuffle=True))`.

    Do instead: build `cv = StratifiedKFold(5, shuffle=True, random_state=0)` once and
    score a linear model and a tree ensemble (and a dummy baseline) with it.
    """
    del params
    facts = ctx.ml
    families = {f: [u for u in uses if facts.is_used(u)] for f, uses in facts.families().items()}
    families = {f: uses for f, uses in families.items() if uses}
    if len(families) < 2:
        only = next(iter(families), None)
        places = [(u.cell, u.line) for u in families[only]] if only is not None else model_places(facts)
        names = sorted({u.name for u in families[only]}) if only is not None else []
        what = f"only the {only.value} family ({', '.join(names)})" if only is not None else "no recognised estimator"
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"A single model family is tried: {what}; nothing shows another kind of model would not do better",
                    severity=Severity.medium,
                    confidence=Confidence.high if only is not None else Confidence.low,
                    evidence=[ctx.evidence(cell, line) for cell, line in places[:3]],
                    data={"families": [f.value for f in families]},
                )
            ],
            score=0.0,
        )
    findings = _different_folds(ctx, facts)
    listed = ", ".join(f"{f.value} ({', '.join(sorted({u.name for u in us}))})" for f, us in families.items())
    return CheckOutcome(findings=findings, score=1.0, message=f"{len(families)} families: {listed}")


def _fold_spec(facts: MLFacts, use: Use) -> str:
    """A key that is equal for two `cv=` arguments giving the same folds."""
    value = kw(use.call, "cv")
    if value is None or is_none(value):
        return "default:5"
    if isinstance(value, ast.Constant):
        return f"default:{value.value!r}"
    if isinstance(value, ast.Name):
        bound = facts.value_of(value.id, (use.cell, use.line))
        if isinstance(bound, ast.Call) and _unseeded_shuffle(facts, bound):
            return f"name:{value.id}"  # one object reused: the same folds each time it is split
        return f"name:{value.id}" if bound is None else f"value:{ast.dump(bound)}"
    if isinstance(value, ast.Call) and _unseeded_shuffle(facts, value):
        return f"fresh:{use.cell}:{use.line}"
    return f"value:{ast.dump(value)}"


def _unseeded_shuffle(facts: MLFacts, call: ast.Call) -> bool:
    site = facts.site(call)
    kind = SPLITTERS.get(canonical(site)) if site is not None else None
    if kind is None:
        return False
    shuffles = kind.shuffles == "always" or (kind.shuffles == "optional" and is_true(kw(call, "shuffle")))
    seed = kw(call, "random_state")
    return shuffles and (seed is None or is_none(seed))


def _different_folds(ctx: CheckContext, facts: MLFacts) -> list[Finding]:
    """Two models of different families scored on different folds, or fresh unseeded folds per model."""
    scored = [u for u in facts.cv_calls if u.name in _COMPARING]
    calls = [(u, _fold_spec(facts, u), _families_scored(facts, u)) for u in scored]
    fresh = [u for u, spec, _ in calls if spec.startswith("fresh:")]
    looped_fresh = [u for u in fresh if facts.enclosing_loops(u.call)]
    if len(fresh) >= 2 or looped_fresh:
        pair = fresh[:2] if len(fresh) >= 2 else looped_fresh[:1]
        return [_folds_finding(ctx, pair, "an unseeded shuffled splitter is built for each model")]
    for n, (first, spec_a, fam_a) in enumerate(calls):
        for second, spec_b, fam_b in calls[n + 1 :]:
            if spec_a != spec_b and len(fam_a) == 1 and len(fam_b) == 1 and fam_a != fam_b:
                return [_folds_finding(ctx, [first, second], "their cv= arguments differ")]
    return []


def _families_scored(facts: MLFacts, use: Use) -> set[Family]:
    """Model families reachable from the estimator a CV call scores (its first argument)."""
    node = use.call.args[0] if use.call.args else kw(use.call, "estimator")
    if node is None:
        return set()
    names = facts.constructs_reachable(node, depth=2)
    return {ESTIMATORS[n].family for n in names if n in ESTIMATORS and ESTIMATORS[n].family is not Family.dummy}


def _folds_finding(ctx: CheckContext, uses: list[Use], why: str) -> Finding:
    return Finding(
        message=f"Models are cross-validated on different folds ({why}), so score differences mix model and split",
        severity=Severity.low,
        confidence=Confidence.medium,
        evidence=[ctx.evidence(u.cell, u.line) for u in uses],
    )
