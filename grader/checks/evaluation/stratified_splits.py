"""EVAL003: splits keep the class balance when the positive class is rare."""

from __future__ import annotations

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import STRATIFY
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import is_false, is_none, is_true, kw
from grader.evidence.ml.queries import positive_rate, task_of
from grader.evidence.ml.vocabulary import Task
from grader.models.findings import CheckStatus, Confidence, Finding, Severity


class StratifiedSplitsParams(Params):
    #: At or below this share of positives, unstratified splits are a finding.
    imbalance_threshold: float = Field(default=0.35, gt=0, lt=1)
    #: At or below this share, an unstratified split is a medium finding (few positives per fold).
    rare_threshold: float = Field(default=0.05, gt=0, lt=1)


@check(
    id="EVAL003",
    slug="stratified-splits",
    category=Category.evaluation,
    title="Splits are stratified when classes are imbalanced",
    params=StratifiedSplitsParams,
    followup=STRATIFY,
)
def stratified_splits(ctx: CheckContext, params: StratifiedSplitsParams) -> CheckOutcome:
    """Train/test splits and CV folds keep the share of positives when classes are imbalanced.

    What it checks: for a classification task whose positive share (the
    assignment's `positive_rate`, else a printed `value_counts(normalize=True)`) is
    at or below `imbalance_threshold`: every `train_test_split` passes `stratify=`,
    and every explicit splitter is a stratified one (`StratifiedKFold`,
    `StratifiedShuffleSplit`, `RepeatedStratifiedKFold`). `cv=5` on a classifier is
    stratified by scikit-learn and passes; group and time splitters are deliberate
    and pass. Regression tasks are not applicable: the points leave the total.

    Why it matters: with 1 % positives a random 20 % test set of 2,000 rows can hold
    12 or 30 frauds; scores swing with the draw, and a fold can end up with almost
    none, making per-fold precision and recall meaningless.

    Example: `train_test_split(X, y, test_size=0.2, random_state=0)` and
    `KFold(5, shuffle=True)` on the fraud data (1.2 % positives).

    Do instead: `train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)`
    and `StratifiedKFold(n_splits=5, shuffle=True, random_state=0)`.
    """
    facts = ctx.ml
    task = task_of(ctx.assignment, facts)
    if task is not Task.classification:
        return CheckOutcome(status=CheckStatus.not_applicable, message="not applicable: not a classification task")
    if ctx.assignment is not None and ctx.assignment.structure.time_ordered:
        return CheckOutcome(
            status=CheckStatus.not_applicable,
            message="not applicable: time-ordered data is split by time, not stratified",
        )
    rate = positive_rate(ctx.assignment, ctx.shown)
    if rate is not None and rate > params.imbalance_threshold:
        return CheckOutcome(score=1.0, message=f"classes are balanced enough ({rate:.0%} positives)")
    known = ctx.assignment is not None and ctx.assignment.positive_rate is not None
    severity = Severity.medium if rate is not None and rate <= params.rare_threshold else Severity.low
    confidence = Confidence.high if known else Confidence.medium if rate is not None else Confidence.low
    share = f"{rate:.1%} positives" if rate is not None else "an imbalance the notebook does not quantify"

    findings = []
    total = 0
    for use in facts.split_uses:
        if is_false(kw(use.call, "shuffle")):
            continue
        total += 1
        stratify = kw(use.call, "stratify")
        if stratify is None or is_none(stratify):
            findings.append(
                Finding(
                    message=f"train_test_split without stratify= on a target with {share}: "
                    "the test set's share of positives is left to chance",
                    severity=severity,
                    confidence=confidence,
                    evidence=[ctx.evidence(use.cell, use.line)],
                    data={"positive_rate": rate},
                )
            )
    for use, kind in facts.splitters:
        if kind.grouped or kind.time or kind.name in ("LeaveOneOut", "LeavePOut", "PredefinedSplit"):
            continue
        total += 1
        if not kind.stratified:
            shuffled = kind.shuffles == "always" or is_true(kw(use.call, "shuffle"))
            findings.append(
                Finding(
                    message=f"{kind.name} is not stratified: with {share} its folds "
                    f"{'get a random' if shuffled else 'follow the row order for their'} share of positives",
                    severity=severity,
                    confidence=confidence,
                    evidence=[ctx.evidence(use.cell, use.line)],
                    data={"splitter": kind.name, "positive_rate": rate},
                )
            )
    if not total:
        return CheckOutcome(score=1.0, message="no explicit split; scikit-learn stratifies cv=<int> for classifiers")
    kept = total - len(findings)
    return CheckOutcome(
        findings=findings, score=kept / total, message=f"{kept} of {total} split(s) stratified ({share})"
    )
