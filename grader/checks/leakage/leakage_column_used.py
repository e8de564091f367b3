"""LEAK007: a column the assignment declares as leakage is used as a feature."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, Need, check
from grader.checks.followups import LEAKAGE_COLUMN
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


@check(
    id="LEAK007",
    slug="leakage-column-used",
    category=Category.leakage,
    title="Columns recorded after the outcome are not features",
    params=LeakParams,
    requires={Need.assignment},
    followup=LEAKAGE_COLUMN,
    flag=LEAK_FLAG,
)
def leakage_column_used(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """None of the assignment's declared leakage columns reaches the model's features.

    What it checks: the assignment's `leakage_columns` (information recorded after the
    outcome, such as a cancellation reason or a chargeback flag) against the columns of
    every feature matrix a model is fitted on: kept by `drop(columns=...)`, listed in a
    feature list, selected by a `ColumnTransformer`, or used to build another column.
    Traced runs confirm it with the column names the model was actually fitted on.

    Why it matters: such a column is not available when the prediction is needed, so the
    model looks excellent offline and is useless in production.

    Example: `X = df.drop(columns=["customer_id", "churned"])` keeps
    `cancellation_reason`, which is filled almost only for churners.

    Not applicable unless the assignment declares leakage columns (its points leave the total).

    Do instead: read the data dictionary, ask when each column is recorded, and drop the
    ones known only after the outcome before any modelling.
    """
    declared = ctx.assignment is not None and bool(ctx.assignment.leakage_columns)
    return leak_outcome(
        ctx,
        (LeakKind.leakage_column,),
        params,
        not_applicable=None if declared else "the assignment declares no leakage columns",
    )
