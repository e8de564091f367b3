"""Leak facts from hand-written traces: what the trace proves, and what it must not claim."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

from grader.checks.leakage.feature_predicts_target_perfectly import perfect_predictors
from grader.evidence.leakage.base import LeakKind
from grader.execution.trace import parse_trace
from grader.models.assignment import Assignment, DataStructure
from grader.models.execution import CellRecord, CellStatus, ExecutionRecord, RunStatus
from tests.conftest import make_notebook, static_context

CELLS = ("import pandas as pd\ndf = pd.read_csv('data/train.csv')", "x = 1", "y = 2", "z = 3")


def toy() -> Assignment:
    return Assignment.model_validate(
        {
            "name": "toy",
            "title": "Toy",
            "task": "binary_classification",
            "target": "y",
            "id_column": "id",
            "primary_metric": "roc_auc",
            "public_files": ["train.csv"],
            "leakage_columns": ["after"],
            "prediction_contract": {"id_column": "id", "prediction_column": "y"},
        }
    )


def rows(rid: int, values: range | list[int]) -> dict[str, Any]:
    data = np.array(sorted(set(values)), dtype="<u8").tobytes()
    return {"kind": "rows", "id": rid, "n": len(values), "k": 1, "h": base64.b64encode(data).decode()}


def trace_of(*events: dict[str, Any], cells: tuple[str, ...] = CELLS) -> Any:
    lines = [{"kind": "header", "notebook": "analysis.ipynb"}]
    for run in range(1, len(cells) + 1):
        lines += [{"kind": "cell", "run": run, "started": run + 1}, {"kind": "cell_done", "run": run, "count": run}]
    lines += list(events)
    record = ExecutionRecord(
        status=RunStatus.ok,
        tracing="ok",
        cells=[
            CellRecord(index=i, notebook="analysis.ipynb", local_index=i, status=CellStatus.ok, execution_count=i + 1)
            for i in range(len(cells))
        ],
    )
    return parse_trace("\n".join(json.dumps(line) for line in lines).encode(), record)


def context(*events: dict[str, Any]) -> Any:
    return static_context(make_notebook(*CELLS), assignment=toy(), trace=trace_of(*events))


def split_event(seq: int, run: int, *, groups: dict[str, Any] | None = None, via: list[int] | None = None) -> dict:
    return {
        "kind": "split",
        "seq": seq,
        "run": run,
        "line": 1,
        "shuffle": True,
        "parts": [
            {
                "input": {"shape": [100, 2], "rows": 1},
                "train": {"shape": [80, 2], "rows": 2, "via": via or []},
                "test": {"shape": [20, 2], "rows": 3, "via": via or []},
                "groups": groups or {},
            }
        ],
    }


def test_a_library_transformer_fitted_on_the_test_rows_is_proven_by_lineage() -> None:
    ctx = context(
        rows(1, range(100)),
        rows(2, range(80)),
        rows(3, range(80, 100)),
        {
            "kind": "call",
            "seq": 1,
            "run": 2,
            "line": 1,
            "method": "fit_transform",
            "cls": "StandardScaler",
            "module": "sklearn.preprocessing._data",
            "inst": 1,
            "gen": 1,
            "x": {"shape": [100, 2], "rows": 1},
        },
        split_event(2, 3, via=[1]),
    )
    [finding] = ctx.leakage.of(LeakKind.preprocessing)
    assert finding.data["fit_rows"] == 100 and finding.data["overlap"] == 20 and finding.confidence.value == "high"
    assert finding.data["fit_cell"] == 1 and finding.data["split_cell"] == 2


def test_the_notebooks_own_transformers_are_left_to_the_static_analysis() -> None:
    ctx = context(
        rows(1, range(100)),
        rows(2, range(80)),
        rows(3, range(80, 100)),
        {
            "kind": "call",
            "seq": 1,
            "run": 2,
            "line": 1,
            "method": "fit_transform",
            "cls": "Ratios",
            "module": "__main__",
            "inst": 1,
            "gen": 1,
            "x": {"shape": [100, 2], "rows": 1},
        },
        split_event(2, 3, via=[1]),
    )
    assert ctx.leakage.of(LeakKind.preprocessing) == []


def test_duplicated_records_are_found_by_id_not_by_identical_features() -> None:
    same_features = context(
        rows(1, range(100)), rows(2, range(80)), rows(3, list(range(60, 80)) * 1), split_event(1, 2)
    )
    assert same_features.leakage.of(LeakKind.test_rows_in_training) == []
    shared_ids = context(
        rows(1, range(100)),
        rows(2, range(80)),
        rows(3, range(80, 100)),
        split_event(1, 2, groups={"id": {"train": 80, "test": 20, "shared": 12, "test_rows_shared": 12}}),
    )
    [finding] = shared_ids.leakage.of(LeakKind.test_rows_in_training)
    assert "12 of the 20 test rows" in finding.message and finding.severity.value == "high"


def test_pipeline_features_decide_what_the_model_received() -> None:
    dropped = {
        "kind": "call",
        "seq": 1,
        "run": 2,
        "line": 1,
        "method": "fit",
        "cls": "Pipeline",
        "module": "sklearn.pipeline",
        "inst": 1,
        "gen": 1,
        "predictor": True,
        "steps": ["ColumnTransformer", "LogisticRegression"],
        "x": {"shape": [100, 3], "cols": ["a", "b", "after"]},
        "features": ["num__a", "num__b"],
        "probe": [{"col": "after", "score": 0.995, "kind": "numeric", "metric": "auc"}],
    }
    ctx = context(dropped)
    assert ctx.leakage.of(LeakKind.leakage_column) == [] and perfect_predictors(ctx, 0.99) == []
    kept = dict(dropped, features=["num__a", "num__after"])
    ctx = context(kept)
    [column] = ctx.leakage.of(LeakKind.leakage_column)
    assert "`after`" in column.message and column.confidence.value == "high"
    [probe] = perfect_predictors(ctx, 0.99)
    assert probe.data["score"] == 0.995 and probe.evidence[0].cell == 1


def test_a_traced_group_split_counts_the_groups_a_pattern_picks_in_its_message() -> None:
    speakers = toy().model_copy(update={"structure": DataStructure(group_column="name", group_pattern=r"_(S\d+)_")})
    cells = (
        "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
        "from sklearn.model_selection import train_test_split\ndf = pd.read_csv('data/train.csv')",
        "X_tr, X_te, y_tr, y_te = train_test_split(df[['a', 'name']], df['y'])\nLogisticRegression().fit(X_tr, y_tr)",
    )
    groups = {"name": {"train": 30, "test": 18, "shared": 17, "test_rows_shared": 45}}
    ctx = static_context(make_notebook(*cells), assignment=speakers, trace=trace_of(split_event(1, 2, groups=groups)))
    [finding] = ctx.leakage.of(LeakKind.group)
    message = finding.message
    assert "ignores the groups in `name` (the part `_(S\\d+)_` picks): 17 of the 18 groups in the test rows" in message
    assert finding.data["shared_groups"] == 17
