"""MOD004: the narrative explains why this model and not another."""

from __future__ import annotations

import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import MODELLING
from grader.evidence.context import CheckContext
from grader.evidence.ml.queries import model_places
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity

_MODEL_WORDS = re.compile(
    r"\b(logistic|linear (model|regression)|ridge|lasso|elastic[\s-]?net|random[\s-]forests?|forests?|"
    r"gradient[\s-]boost\w*|boost\w*|xgboost|xgb|lightgbm|lgbm|catboost|hist\w*gradient\w*|gbm|gbdt|gbr|"
    r"decision[\s-]trees?|"
    r"tree[\s-]based|trees|k-?nn|nearest[\s-]neighbou?rs?|svm|svc|support[\s-]vector|naive[\s-]bayes|neural|mlp|"
    r"ensemble)\b",
    re.IGNORECASE,
)
_CHOICE_WORDS = re.compile(
    r"\b(chose|choose|chosen|choice|select\w*|pick\w*|prefer\w*|go(ing)? with|went with|final model|best model|"
    r"(i|we) (will )?use|(i|we)'ll use|keep|kept|take\w*(\s+\w+){0,4}\s+forward|settle\w*|recommend\w*|winner|"
    r"retain\w*|opt(ed)? for|go(ing)? for|went for|(i|we) tune|comes? out on top|on top)\b",
    re.IGNORECASE,
)
_JUSTIFY = re.compile(
    r"\b(because|since|as it|given|due to|interpretab\w*|explainab\w*|trade-?off|faster|slower|simpler|robust\w*|"
    r"stable|spread|within|non-?linear\w*|interactions?|calibrat\w*|outperform\w*|better|best|higher|lower|"
    r"cheaper|over-?fit\w*|headroom|margin|noise|variance|so that|which)\b",
    re.IGNORECASE,
)


@check(
    id="MOD004",
    slug="model-choice-explained",
    category=Category.modeling,
    title="The choice of model is explained",
    followup=MODELLING,
    needs_fitted_model="no model choice is explained",
)
def model_choice_explained(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """A markdown cell (or the README) says which model was chosen and why.

    What it checks: a paragraph of prose (markdown cell or README) that names a model
    family ("gradient boosting", "logistic regression", ...), states a choice
    ("I keep", "chose", "outperforms", "final model") and gives a reason ("because",
    "interpretable", "handles interactions", "more stable across folds"), after the
    first model is built (an introduction only announces a plan) or in the README. Prose that
    names models without any choice or reason is a low-severity finding.

    Why it matters: the model choice is the decision a hiring team most wants to
    see reasoned: accuracy against interpretability, training cost, how the scores
    compare given their spread. An unexplained choice reads as "it had the highest
    number".

    Example: the notebook compares three models in a table and moves on to
    `final = XGBClassifier(...)` without a word.

    Do instead: after the comparison, write two or three sentences: which model you
    keep, how much better it is than the baseline relative to the fold-to-fold
    spread, and what you trade for it.
    """
    del params
    facts = ctx.ml
    first_model = min((u.cell for u, _ in facts.estimators), default=0)
    mentions: list[int] = []
    for cell in ctx.notebook.markdown_cells():
        if cell.index < first_model:
            continue  # an introduction announces a plan; the choice is explained once the models exist
        for paragraph in _paragraphs(cell.source):
            if not _MODEL_WORDS.search(paragraph):
                continue
            mentions.append(cell.index)
            if _explains(paragraph):
                return CheckOutcome(score=1.0, message=f"model choice explained in markdown cell {cell.index}")
    for path, text in sorted(ctx.submission.texts.items()):
        if path.lower().endswith((".md", ".txt", ".rst")) and any(_explains(p) for p in _paragraphs(text)):
            return CheckOutcome(score=1.0, message=f"model choice explained in {path}")
    places = model_places(facts)
    evidence = [ctx.evidence(cell, line) for cell, line in places[-1:]]
    if mentions:
        evidence.append(
            ctx.evidence(mentions[-1], source=EvidenceSource.markdown, snippet=ctx.notebook[mentions[-1]].source[:240])
        )
        return CheckOutcome(
            findings=[
                Finding(
                    message="The narrative names the models but never says which one is chosen or why",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=evidence,
                )
            ]
        )
    return CheckOutcome(
        findings=[
            Finding(
                message="The choice of model is not explained anywhere in the narrative",
                severity=Severity.medium,
                confidence=Confidence.medium,
                evidence=evidence,
            )
        ]
    )


def _explains(paragraph: str) -> bool:
    return bool(_MODEL_WORDS.search(paragraph) and _CHOICE_WORDS.search(paragraph) and _JUSTIFY.search(paragraph))


def _paragraphs(text: str) -> list[str]:
    """Blocks of prose: blank-line separated, with list items and headings joined to their block."""
    return [block for block in re.split(r"\n\s*\n", text) if block.strip()]
