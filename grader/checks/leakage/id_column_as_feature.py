"""LEAK012: the assignment's id column (or a feature built from it) is a feature."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, Need, check
from grader.checks.followups import FollowUpSubject, Question
from grader.checks.leakage._common import LEAK_FLAG, LeakParams, leak_outcome
from grader.evidence.context import CheckContext
from grader.evidence.leakage.base import LeakKind


def _ask(s: FollowUpSubject) -> str:
    column = s.first("column")
    what = f"`{column}`" if column else "the id column"
    return (
        f"Your model uses {what} as a feature{s.in_cell()} — what does an id tell the model about a new record, "
        f"and how could it have learnt something from the way ids were assigned?"
    )


ID_COLUMN = Question("leakage", _ask)


@check(
    id="LEAK012",
    slug="id-column-as-feature",
    category=Category.leakage,
    title="The id column is not a feature",
    params=LeakParams,
    requires={Need.assignment},
    followup=ID_COLUMN,
    flag=LEAK_FLAG,
)
def id_column_as_feature(ctx: CheckContext, params: LeakParams) -> CheckOutcome:
    """The assignment's `id_column`, and anything derived from it, stays out of the features.

    What it checks: the columns each fitted model received. When the notebook ran, the
    traced column names of the fit (`feature_names_in_`, a pipeline's output features)
    and the traced lineage of derived columns decide; a feature built from the id
    (`df["num"] = df["customer_id"].str[1:].astype(int)`) counts as the id. Without a
    trace the code's column names are read, at low confidence and low severity. A traced
    id feature that alone separates the classes is high severity.

    Why it matters: an id names a record; it says nothing about the customer that will
    be true of the next one. A model that uses it memorises rows, and when ids were
    handed out in an order that follows the outcome (by signup date, by case status) it
    reads the answer from them.

    Example: `X = df.drop(columns=["churned"])` keeps `customer_id`, and
    `pd.get_dummies(X)` turns it into one column per customer.

    Do instead: drop the id column (and anything computed from it) before building `X`;
    keep it only to join predictions back to records.
    """
    return leak_outcome(ctx, (LeakKind.id_column,), params)
