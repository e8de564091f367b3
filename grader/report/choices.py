"""Interview questions about the candidate's own choices: the models, validation, metrics and tuning they used.

A strong notebook raises few problem findings, and its author still deserves questions that
probe what they decided. Each question here is grounded in the code (`CheckContext.ml`)
or the hidden-holdout result: it names the models, splitters, metrics or search the
notebook used and the cells they are in. Nothing is asked about what the notebook did not do.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import Use
from grader.evidence.ml.vocabulary import Family, Measure
from grader.models.report import FollowUp, HoldoutResult

#: Measures that are views of the errors rather than a headline metric.
NOT_HEADLINE = {
    Measure.confusion,
    Measure.report,
    Measure.roc_curve,
    Measure.pr_curve,
}
REGRESSION_METRICS = {"mae", "mse", "rmse", "r2", "mape", "median_absolute_error", "msle", "max_error"}


@dataclass(frozen=True)
class Choice:
    """A question about one decision, with the cell it points at."""

    topic: str
    question: str
    cell: int | None

    def followup(self) -> FollowUp:
        """As a report follow-up (no finding behind it)."""
        return FollowUp(question=self.question, topic=self.topic, cell=self.cell, basis="choice")


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _first_uses(uses: list[Use]) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    for use in sorted(uses, key=lambda u: (u.cell, u.line)):
        seen.setdefault(use.name, use.cell)
    return list(seen.items())


def _models(ctx: CheckContext) -> Choice | None:
    models = _first_uses([u for u, kind in ctx.ml.estimators if kind.family is not Family.dummy])
    if not models:
        return None
    if len(models) == 1:
        name, cell = models[0]
        return Choice(
            "modelling",
            f"You modelled the data with {name} only (cell {cell}) — why that model family for this data, "
            f"and which different family would you try next, expecting what?",
            cell,
        )
    shown = [f"{name} (cell {cell})" for name, cell in models[:4]]
    more = f" and {len(models) - 4} more" if len(models) > 4 else ""
    return Choice(
        "modelling",
        f"You fitted {_listing(shown)}{more} — how did you decide between them, and what result would have "
        f"made you pick another?",
        models[0][1],
    )


def _validation(ctx: CheckContext) -> Choice | None:
    splitters = sorted(ctx.ml.splitters, key=lambda item: (item[0].cell, item[0].line))
    if splitters:
        use, kind = splitters[0]
        if kind.time:
            other = "a shuffled K-fold"
        elif kind.grouped:
            other = "folds that ignore the groups"
        elif kind.stratified:
            other = "plain, unstratified folds"
        else:
            other = "stratified folds"
        return Choice(
            "evaluation",
            f"You validated with {kind.name} (cell {use.cell}) — why that scheme for this data, and how would "
            f"your estimate change with {other}?",
            use.cell,
        )
    searches = sorted(ctx.ml.searches, key=lambda u: (u.cell, u.line))
    cv = sorted(ctx.ml.cv_calls, key=lambda u: (u.cell, u.line))
    if cv:
        return Choice(
            "evaluation",
            f"You estimated performance with {cv[0].name} (cell {cv[0].cell}) — how much did the score vary "
            f"across folds, and what would that spread mean for the number you report?",
            cv[0].cell,
        )
    splits = sorted(ctx.ml.split_uses, key=lambda u: (u.cell, u.line))
    if splits and not searches:
        return Choice(
            "evaluation",
            f"You held out part of the data with {splits[0].name} (cell {splits[0].cell}) — what share did you "
            f"keep aside, why that share, and how would you know the score is not one lucky split?",
            splits[0].cell,
        )
    return None


def _metrics(ctx: CheckContext) -> Choice | None:
    found: dict[str, int] = {}
    for use in sorted(ctx.ml.metric_uses, key=lambda m: (m.site.cell, m.site.line)):
        for measure in sorted(use.measures - NOT_HEADLINE, key=str):
            found.setdefault(measure.value, use.site.cell)
    if not found:
        return None
    names = list(found)[:3]
    cell = found[names[0]]
    if all(n in REGRESSION_METRICS for n in names):
        tail = "which error matters most to the people who will use the predictions, and why?"
    else:
        tail = "which one would you optimise for the business question, and how would you set the decision threshold?"
    where = (
        f"cell {cell}"
        if len({found[n] for n in names}) == 1
        else "cells " + ", ".join(str(c) for c in sorted({found[n] for n in names}))
    )
    return Choice("evaluation", f"You report {_listing(names)} ({where}) — {tail}", cell)


def _tuning(ctx: CheckContext) -> Choice | None:
    searches = sorted(ctx.ml.searches, key=lambda u: (u.cell, u.line))
    if not searches:
        return None
    use = searches[0]
    return Choice(
        "modelling",
        f"You tuned with {use.name} (cell {use.cell}) — which hyper-parameters made the biggest difference, "
        f"and how did you choose the ranges you searched?",
        use.cell,
    )


def _holdout(holdout: HoldoutResult | None) -> Choice | None:
    if holdout is None or holdout.status != "scored" or holdout.score is None:
        return None
    metric = holdout.metric
    if holdout.claimed is not None:
        close = abs(holdout.claimed - holdout.score) <= 0.02 * max(abs(holdout.claimed), 1e-9) + 0.01
        return Choice(
            "holdout",
            f"Your predictions score {holdout.score:.3g} {metric} on rows you never saw, against the "
            f"{holdout.claimed:.3g} your notebook reports — what in your validation made that estimate "
            f"{'hold' if close else 'drift'}, and what would you monitor once the model is in use?",
            None,
        )
    return Choice(
        "holdout",
        f"Your predictions score {holdout.score:.3g} {metric} on rows you never saw, and the notebook states no "
        f"estimate of its own — what score did you expect, and how would you have estimated it?",
        None,
    )


def choice_questions(ctx: CheckContext, holdout: HoldoutResult | None) -> list[FollowUp]:
    """Questions about the notebook's own decisions, most telling first; none when its code cannot be read."""
    found: list[Choice | None] = [_holdout(holdout)]
    try:
        found += [_models(ctx), _validation(ctx), _tuning(ctx), _metrics(ctx)]
    except Exception:  # noqa: BLE001 - an analysis that failed asks nothing, it never stops the report
        pass
    return [c.followup() for c in found if c is not None]
