"""EVAL001: models are evaluated on data they were not fitted on."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import NO_HELD_OUT
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MetricUse, MLFacts, Role
from grader.evidence.ml.queries import model_places
from grader.models.findings import Confidence, Finding, Severity


@check(
    id="EVAL001",
    slug="evaluates-on-held-out-data",
    category=Category.evaluation,
    title="Models are evaluated on held-out data",
    followup=NO_HELD_OUT,
    needs_fitted_model="nothing is evaluated on held-out data",
)
def evaluates_on_held_out_data(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Every reported score comes from data the model did not see while fitting.

    What it checks: that a train/validation split or cross-validation exists, and
    that at least one metric is computed on held-out data (`X_test`, `X_val`, a
    split's second half, out-of-fold predictions) rather than only on the rows the
    model was fitted on. Scores on the training data next to held-out scores are
    fine (they show over-fitting); training scores alone are a high-severity finding.

    Why it matters: a model scored on its own training rows reports how well it
    memorised them, not how it will do on new customers; a random forest reaches
    ~1.0 there whatever its real quality.

    Example: `model.fit(X, y)` followed by `accuracy_score(y, model.predict(X))`,
    reported as the model's accuracy.

    Do instead: hold out data before fitting (`train_test_split(..., stratify=y)`)
    or use `cross_val_score`, and report the held-out numbers.
    """
    del params
    facts = ctx.ml
    if facts.has_cross_validation():
        cell, _line = facts.cv_evidence()[0]
        return CheckOutcome(score=1.0, message=f"held-out scores come from cross-validation (cell {cell})")
    heldout, training = _split_evaluations(facts)
    if heldout:
        first = heldout[0].site
        return CheckOutcome(score=1.0, message=f"scored on held-out data in cell {first.cell}")
    has_split = bool(facts.split_uses or facts.splitters or any(r is Role.heldout for r in facts.roles.values()))
    if training:
        bad = training[0]
        fitted = sorted(facts.fitted_names() & bad.data)
        return CheckOutcome(
            findings=[
                Finding(
                    message="The model is only scored on the data it was fitted on"
                    + (f" ({', '.join(fitted)})" if fitted else "")
                    + ": the reported score measures memorisation, not generalisation",
                    severity=Severity.high,
                    confidence=Confidence.high if fitted else Confidence.medium,
                    evidence=[ctx.evidence(m.site.cell, m.site.line) for m in training[:3]],
                    data={"training_evaluations": len(training), "data": sorted(bad.data)[:10]},
                )
            ]
        )
    if not has_split:
        places = model_places(facts)
        return CheckOutcome(
            findings=[
                Finding(
                    message="No data is held out: there is no train/test split and no cross-validation",
                    severity=Severity.medium,
                    confidence=Confidence.medium,
                    evidence=[ctx.evidence(cell, line) for cell, line in places],
                )
            ]
        )
    return CheckOutcome(score=1.0, message="data is split before fitting; no score on training data only")


def _split_evaluations(facts: MLFacts) -> tuple[list[MetricUse], list[MetricUse]]:
    """Metric uses on held-out data, and those on the fitted data only."""
    fitted = facts.fitted_names()
    heldout: list[MetricUse] = []
    training: list[MetricUse] = []
    for metric in facts.metric_uses:
        if metric.how == "scoring":
            continue
        names = set(metric.data) - facts.function_params(metric.function)
        if not names:
            continue
        # A name the model was fitted on is training data whatever it is called (`X_dev` of a dev period).
        roles = {Role.train if n in fitted else facts.role(n) for n in names}
        if Role.heldout in roles:
            heldout.append(metric)
        elif roles & {Role.train, Role.full}:
            training.append(metric)
    return heldout, training
