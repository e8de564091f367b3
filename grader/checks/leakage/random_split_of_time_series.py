"""LEAK010: time-ordered rows are split at random."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, Need, check
from grader.checks.followups import TIME_SPLIT
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


@check(
    id="LEAK010",
    slug="random-split-of-time-series",
    category=Category.leakage,
    title="Time-ordered data is split by time",
    params=LeakParams,
    requires={Need.assignment},
    followup=TIME_SPLIT,
    flag=LEAK_FLAG,
)
def random_split_of_time_series(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """When the assignment says the rows are ordered in time, validation respects that order.

    What it checks: for assignments whose `structure.time_ordered` is true, splits that
    draw rows at random (`train_test_split` without `shuffle=False`, `df.sample`,
    `ShuffleSplit`, `KFold(shuffle=True)`) and feed a model or an evaluation, including
    cross-validation with shuffled folds. Date cut-offs, `TimeSeriesSplit` and unshuffled
    cuts of sorted data pass. Traced runs show the time span of each side.

    Why it matters: the hidden test set lies in the future; a random split lets the model
    learn from rows after the ones it is validated on, so the validation score is more
    optimistic than the score on later data.

    Example: `train_test_split(X, y, test_size=0.2, random_state=42)` on orders from April
    to October, when the test orders are from November and December.

    Not applicable unless the assignment declares time-ordered data (its points leave the total).

    Do instead: sort by the time column and hold out the latest period (a date cut-off),
    or cross-validate with `TimeSeriesSplit`.
    """
    ordered = ctx.assignment is not None and ctx.assignment.structure.time_ordered
    return leak_outcome(
        ctx,
        (LeakKind.temporal,),
        params,
        not_applicable=None if ordered else "the assignment does not declare time-ordered data",
    )
