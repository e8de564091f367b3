"""EVAL006: every random split, search, resampler and stochastic model has a fixed seed."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import SEED
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import RandomUse
from grader.models.findings import Confidence, Finding, Severity

_WHY = {
    "split": "the rows in each split change on every run",
    "search": "the sampled hyper-parameters change on every run",
    "resampler": "the synthetic or dropped rows change on every run",
    "estimator": "the fitted model and its scores change on every run",
    "sample": "the sampled rows change on every run",
    "numpy": "the drawn numbers change on every run",
}


@check(
    id="EVAL006",
    slug="random-seeds-set",
    category=Category.evaluation,
    title="Random seeds are set",
    followup=SEED,
)
def random_seeds_set(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Every source of randomness is seeded, so the notebook's numbers repeat on a re-run.

    What it checks: `train_test_split`, shuffled or repeated splitters
    (`KFold(shuffle=True)`, `ShuffleSplit`), random searches (`RandomizedSearchCV`),
    resamplers (`SMOTE`, `RandomUnderSampler`), stochastic estimators (random
    forests, gradient boosting, MLPs, decision trees, SGD), `permutation_importance`,
    `DataFrame.sample` and numpy draws, each without `random_state=` (or `seed=`).
    An earlier `np.random.seed(...)` counts for scikit-learn, pandas and numpy draws;
    xgboost, lightgbm and catboost use fixed default seeds and are not flagged.

    Why it matters: unseeded, the scores in the notebook cannot be reproduced by a
    reviewer (or the grader's re-run), and two models compared on different random
    splits are not compared fairly.

    Example: `train_test_split(X, y, test_size=0.2)` and
    `RandomForestClassifier(n_estimators=300)` without `random_state`.

    Do instead: define `SEED = 42` once and pass `random_state=SEED` to every split,
    splitter, search, resampler and estimator that takes one.
    """
    del params
    draws = ctx.ml.randomness
    if not draws:
        return CheckOutcome(score=1.0, message="no random splits, searches or stochastic models")
    unseeded = [d for d in draws if not d.seeded]
    findings = [_finding(ctx, d) for d in unseeded]
    seeded = len(draws) - len(unseeded)
    return CheckOutcome(
        findings=findings, score=seeded / len(draws), message=f"{seeded} of {len(draws)} random operation(s) seeded"
    )


def _finding(ctx: CheckContext, draw: RandomUse) -> Finding:
    severity = Severity.medium if draw.kind in ("split", "search", "resampler") or draw.noisy else Severity.low
    keyword = "seed" if draw.kind == "numpy" else "random_state"
    return Finding(
        message=f"{draw.what} without a fixed {keyword}: {_WHY[draw.kind]}",
        severity=severity,
        confidence=Confidence.high,
        evidence=[ctx.evidence(draw.site.cell, draw.site.line)],
        data={"kind": draw.kind, "call": draw.what},
    )
