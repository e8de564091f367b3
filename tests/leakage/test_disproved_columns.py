"""A static leakage-column finding that the runtime trace disproves is dropped (issue 20's dataflow change).

`cat + [c for c in df.columns if ...]` keeps every column of the frame, so a frame read from a
CSV another notebook wrote (after dropping the leak) looks as if it still had every column.
"""

from __future__ import annotations

import json
from typing import Any

from grader.evidence.build import context_of
from grader.evidence.leakage.base import LeakKind
from grader.execution.trace import parse_trace
from grader.models.execution import CellRecord, CellStatus, ExecutionRecord, RunStatus
from tests.checks._helpers import context

CELLS = (
    "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\ndf = pd.read_csv('train_clean.csv')",
    "cat = ['region', 'plan_tier']\nnum = [c for c in df.columns if c not in cat + ['churned', 'customer_id']]\n"
    "X = pd.get_dummies(df[cat + num])\nmodel = RandomForestClassifier().fit(X, df['churned'])",
)


def _context(*fits: dict[str, Any]) -> Any:
    ctx = context(*CELLS, task="churn")
    if not fits:
        return ctx
    lines: list[dict[str, Any]] = [{"kind": "header", "notebook": "analysis.ipynb"}]
    for run in (1, 2):
        lines += [{"kind": "cell", "run": run}, {"kind": "cell_done", "run": run, "count": run}]
    for seq, fit in enumerate(fits, start=1):
        lines.append({"kind": "call", "seq": seq, "run": 2, "line": 4, "method": "fit", "predictor": True, **fit})
    record = ExecutionRecord(
        status=RunStatus.ok,
        tracing="ok",
        cells=[
            CellRecord(index=i, notebook="analysis.ipynb", local_index=i, status=CellStatus.ok, execution_count=i + 1)
            for i in range(2)
        ],
    )
    trace = parse_trace("\n".join(json.dumps(line) for line in lines).encode(), record)
    return context_of(
        submission=ctx.submission, notebook=ctx.notebook, execution=record, assignment=ctx.assignment, trace=trace
    )


def test_the_feature_list_idiom_keeps_every_column_for_the_static_analysis() -> None:
    [finding] = _context().leakage.of(LeakKind.leakage_column)
    assert finding.data["column"] == "cancellation_reason" and finding.confidence.value == "medium"


def test_a_trace_without_the_column_drops_the_static_finding_and_one_with_it_proves_it() -> None:
    cols = ["region_west", "plan_tier_basic", "tenure_months"]
    assert _context({"cls": "RandomForestClassifier", "x": {"cols": cols}}).leakage.of(LeakKind.leakage_column) == []
    [proved] = _context(
        {"cls": "RandomForestClassifier", "x": {"cols": [*cols, "cancellation_reason_moved"]}}
    ).leakage.of(LeakKind.leakage_column)
    assert proved.confidence.value == "high" and proved.data["traced"] is True
    # A fit on a bare array says nothing about columns: the static finding stays.
    [kept] = _context({"cls": "RandomForestClassifier", "x": {"shape": [100, 3]}}).leakage.of(LeakKind.leakage_column)
    assert kept.confidence.value == "medium"


def test_a_frame_written_then_read_back_keeps_the_columns_it_was_written_with() -> None:
    """One notebook drops the leak and writes the frame; the next reads that file: no static finding."""
    writer = (
        "import pandas as pd\nraw = pd.read_csv('data/train.csv')\n"
        "clean = raw.drop(columns=['cancellation_reason'])\nclean.to_csv('out/train_clean.csv', index=False)"
    )
    assert context(writer, *CELLS, task="churn").leakage.of(LeakKind.leakage_column) == []
    # Written with the column still in it, the file read back carries it.
    kept = writer.replace("raw.drop(columns=['cancellation_reason'])", "raw")
    [finding] = context(kept, *CELLS, task="churn").leakage.of(LeakKind.leakage_column)
    assert finding.data["column"] == "cancellation_reason"
