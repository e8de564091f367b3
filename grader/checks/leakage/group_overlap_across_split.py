"""LEAK011: the same entity is on both sides of the split."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, Need, check
from grader.checks.followups import SPLIT_OVERLAP
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


@check(
    id="LEAK011",
    slug="group-overlap-across-split",
    category=Category.leakage,
    title="Grouped data is split by group",
    params=LeakParams,
    requires={Need.assignment},
    followup=SPLIT_OVERLAP,
    flag=LEAK_FLAG,
)
def group_overlap_across_split(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """When the assignment declares a group column, no group sits on both sides of a random split.

    What it checks: for assignments with a `structure.group_column`, random splits and
    shuffled cross-validation that do not use the groups (`GroupShuffleSplit`,
    `GroupKFold`, `StratifiedGroupKFold`, `groups=`) and feed a model or an evaluation.
    Time-based cut-offs pass. Traced runs count the groups and rows shared by both sides.

    Why it matters: rows of one entity (a customer, a restaurant, a patient) are alike; with
    the entity on both sides, the model is validated on entities it has learnt, which
    overstates how well it handles new ones.

    Example: `train_test_split(orders, test_size=0.2)` with the same restaurants' orders in
    training and validation.

    Not applicable unless the assignment declares a group column (its points leave the total).

    Do instead: split by group (`GroupShuffleSplit(...).split(X, y, groups=df.restaurant_id)`)
    or, for time-ordered data, by time.
    """
    grouped = ctx.assignment is not None and bool(ctx.assignment.structure.group_column)
    return leak_outcome(
        ctx, (LeakKind.group,), params, not_applicable=None if grouped else "the assignment declares no group column"
    )
