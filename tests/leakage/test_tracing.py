"""The runtime tracer: what it records, that it never changes results, and how it fails.

Kernel tests run the executor locally (a real IPython kernel on the host, no Docker);
the Docker versions are in `test_traced_grading.py`.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from grader.evidence.tracefacts import TraceFacts, overlap
from grader.execution.executor import recording, runner
from grader.execution.trace import parse_trace
from grader.models.execution import CellRecord, CellStatus, ExecutionRecord, RunStatus
from grader.models.trace import TraceCall, TraceMetric, TraceSplit, TraceStat
from tests.conftest import make_notebook

SETUP = """\
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
df = pd.read_csv("data/train.csv")
"""


def _csv(rows: int = 300, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=rows), rng.normal(size=rows)
    y = (a + rng.normal(scale=0.5, size=rows) > 0).astype(int)
    lines = ["id,a,b,city,y"] + [f"{i},{a[i]:.5f},{b[i]:.5f},{'xyz'[i % 3]},{y[i]}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def run_local(
    tmp_path: Path,
    *cells: str,
    trace: bool = True,
    data: str | None = None,
    group_patterns: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run a notebook with the real executor in a local kernel; return its results and the parsed trace."""
    (tmp_path / "in" / "submission").mkdir(parents=True)
    (tmp_path / "in" / "data").mkdir(parents=True)
    (tmp_path / "in" / "data" / "train.csv").write_text(data or _csv())
    nbformat.write(make_notebook(*cells), str(tmp_path / "in" / "submission" / "analysis.ipynb"))
    job = runner.Job(
        in_dir=tmp_path / "in",
        out_dir=tmp_path / "out",
        notebooks=["analysis.ipynb"],
        data_files=["train.csv"],
        group_patterns=group_patterns or {},
        trace=trace,
        timeout_s=240,
        cell_timeout_s=120,
    )
    result = runner.run(job)
    grader_dir = tmp_path / "out" / "grader"
    trace_bytes = (grader_dir / "trace.jsonl").read_bytes() if (grader_dir / "trace.jsonl").exists() else b""
    record = ExecutionRecord(
        status=RunStatus(result["status"]),
        tracing=result["tracing"],
        cells=[
            CellRecord(
                index=c["local_index"],
                notebook=c["notebook"],
                local_index=c["local_index"],
                status=CellStatus(c["status"]),
                execution_count=c["execution_count"],
            )
            for c in result["cells"]
        ],
    )
    executed = nbformat.read(str(grader_dir / "executed" / "0.ipynb"), as_version=4)
    return {
        "result": result,
        "record": record,
        "trace": parse_trace(trace_bytes, record),
        "raw": trace_bytes,
        "executed": executed,
    }


def outputs_of(nb: nbformat.NotebookNode) -> list[list[str]]:
    """Each code cell's outputs as text, with the kernel's process id (in warning paths) normalised."""
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(f"{output.get('name')}:{output.get('text')}")
            elif "data" in output:
                parts.append(str(output["data"].get("text/plain", "")))
            elif output.get("output_type") == "error":
                parts.append(f"error:{output.get('ename')}")
        texts.append([re.sub(r"ipykernel_\d+", "ipykernel_N", part) for part in parts])
    return texts


# --------------------------------------------------------------------------- kernel tests


@pytest.mark.slow
def test_traced_fit_before_split_records_rows_cells_and_links(tmp_path: Path) -> None:
    run = run_local(
        tmp_path,
        SETUP,
        "X = StandardScaler().fit_transform(df[['a', 'b']])\nmeans = df[['a', 'b']].mean()",
        "X_train, X_test, y_train, y_test = train_test_split(X, df['y'], test_size=0.2, random_state=0)\n"
        "model = LogisticRegression().fit(X_train, y_train)\n"
        "print(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))",
    )
    assert run["result"]["tracing"] == "ok"
    trace = run["trace"]
    assert trace.usable and trace.rejected_lines == 0, trace.reason
    [notebook] = trace.notebooks
    scaler = next(e for e in notebook.events if isinstance(e, TraceCall) and e.cls == "StandardScaler")
    assert scaler.method == "fit_transform" and scaler.cell == 1 and scaler.line == 1
    assert scaler.x is not None and scaler.x.n_rows == 300 and scaler.x.cols == ["a", "b"]
    stat = next(e for e in notebook.events if isinstance(e, TraceStat))
    assert stat.method == "mean" and stat.cell == 1 and stat.shape == [300, 2]
    split = next(e for e in notebook.events if isinstance(e, TraceSplit))
    assert split.cell == 2 and split.shuffle and split.parts[0].test.n_rows == 60
    assert scaler.seq in split.parts[0].test.via, "the split rows went through the scaler"
    facts = TraceFacts(trace)
    [side] = facts.test_sides
    shared = facts.rows_in(notebook, scaler.x, side)
    assert shared is not None and shared.count == 60 and shared.exact
    metric = next(e for e in notebook.events if isinstance(e, TraceMetric))
    predict = notebook.event(metric.y_pred.source if metric.y_pred else None)
    assert isinstance(predict, TraceCall) and predict.method == "predict_proba"
    assert metric.y_true is not None and metric.y_true.digest == split.parts[1].test.digest
    assert [(inst, gen) for _, inst, gen in facts.evaluated_on(side)] == [(predict.inst, 1), (predict.inst, 1)]
    assert b'"a"' in run["raw"] and b"0.5" not in run["raw"].split(b'"kind":"rows"')[0], "no data values"


@pytest.mark.slow
def test_tracing_never_changes_outputs(tmp_path: Path) -> None:
    cells = (
        SETUP + "import warnings\nfrom imblearn.over_sampling import SMOTE",
        "import random\nrandom.seed(1)\nnp.random.seed(1)\nX = StandardScaler().fit_transform(df[['a', 'b']])\n"
        "df['a2'] = df['a'].fillna(df['a'].mean())\nprint(df.dtypes.to_dict())\nprint(X[:3].round(6))",
        "Xr, yr = SMOTE().fit_resample(df[['a', 'b']], df['y'])\nprint(Xr.shape, yr.value_counts().to_dict())",
        "X_train, X_test, y_train, y_test = train_test_split(Xr, yr)\n"
        "m = LogisticRegression().fit(X_train, y_train)\nprint(m.coef_.round(8), m.score(X_test, y_test))",
        "print(np.random.rand(3))\nprint(random.random())",
        "warnings.warn('first', FutureWarning)\nfor _ in range(2):\n    warnings.warn('once per place', UserWarning)",
        "print(df.groupby('city')['y'].transform('mean').head().round(6).tolist())\n"
        "df.loc[0, 'b'] = np.nan\nprint(df['b'].fillna(df['b'].median()).head(2).tolist())",
    )
    traced = run_local(tmp_path / "traced", *cells, trace=True)
    plain = run_local(tmp_path / "plain", *cells, trace=False)
    assert traced["result"]["tracing"] == "ok" and plain["result"]["tracing"] == "disabled"
    assert all(c["status"] == "ok" for c in traced["result"]["cells"]), traced["result"]["cells"]
    assert outputs_of(traced["executed"]) == outputs_of(plain["executed"])
    assert traced["trace"].usable and not plain["trace"].usable


@pytest.mark.slow
def test_tracer_failure_leaves_the_run_untraced_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "MAX_TRACE_BYTES", 0)  # the tracer refuses a zero-byte budget at install
    run = run_local(tmp_path, SETUP, "print(StandardScaler().fit_transform(df[['a']]).shape)")
    assert run["result"]["tracing"].startswith("failed: ValueError")
    assert [c["status"] for c in run["result"]["cells"]] == ["ok", "ok"]
    assert "(300, 1)" in "".join(outputs_of(run["executed"])[1])
    assert not run["trace"].usable and "failed" in run["trace"].reason


@pytest.mark.slow
def test_trace_is_capped_and_marked_truncated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "MAX_TRACE_BYTES", 4_000)
    run = run_local(tmp_path, SETUP, "for _ in range(20):\n    StandardScaler().fit(df[['a', 'b']])")
    assert len(run["raw"]) <= 4_000
    assert run["trace"].usable and "truncated" in run["trace"].reason
    assert all(c["status"] == "ok" for c in run["result"]["cells"])


# --------------------------------------------------------------------------- parsing untrusted traces


def _record(tracing: str = "ok") -> ExecutionRecord:
    return ExecutionRecord(
        status=RunStatus.ok,
        tracing=tracing,
        cells=[CellRecord(index=0, notebook="a.ipynb", local_index=0, status=CellStatus.ok, execution_count=1)],
    )


def _rows(rid: int, hashes: list[int], k: int = 1) -> bytes:
    data = np.array(sorted(hashes), dtype="<u8").tobytes()
    return json.dumps(
        {"kind": "rows", "id": rid, "n": len(hashes), "k": k, "h": base64.b64encode(data).decode()}
    ).encode()


def test_parse_trace_drops_junk_and_keeps_valid_events() -> None:
    lines = [
        b'{"kind": "call", "seq": 1, "method": "fit"}',  # before any header: rejected
        json.dumps({"kind": "header", "version": 1, "notebook": "a.ipynb"}).encode(),
        b"not json at all",
        b"[1, 2, 3]",
        b'{"kind": "rows", "id": 1, "n": 3, "k": 1, "h": "%%%"}',
        _rows(2, [1, 2, 3]),
        b'{"kind": "cell", "run": 1, "started": 2}',
        b'{"kind": "cell_done", "run": 1, "count": 1}',
        json.dumps(
            {
                "kind": "call",
                "seq": 2,
                "run": 1,
                "line": 3,
                "method": "fit",
                "cls": "StandardScaler",
                "x": {"shape": [3, 2], "rows": 2},
            }
        ).encode(),
        json.dumps({"kind": "call", "seq": "three", "method": "fit"}).encode(),
        json.dumps({"kind": "call", "seq": 4, "method": "fit", "x": {"cols": ["c"] * 5000}}).encode(),
        json.dumps({"kind": "weird"}).encode(),
        b"x" * (2 * 1024 * 1024),
    ]
    trace = parse_trace(b"\n".join(lines), _record())
    assert trace.usable
    [notebook] = trace.notebooks
    [call] = notebook.calls()
    assert call.cell == 0 and call.cls == "StandardScaler" and notebook.rowset(2) is not None
    assert notebook.rowset(1) is None
    assert trace.rejected_lines == 8


def test_parse_trace_is_unusable_when_tracing_failed_or_empty() -> None:
    assert "failed" in parse_trace(b"", _record("failed: ValueError: x")).reason
    assert not parse_trace(b"", _record("disabled")).usable
    assert not parse_trace(b"", _record()).usable
    assert not parse_trace(b'{"kind": "call", "seq": 1}\n', _record()).usable


def test_sketches_intersect_at_the_coarser_sampling() -> None:
    header = json.dumps({"kind": "header", "notebook": "a.ipynb"}).encode()
    evens = [i * 2 for i in range(1, 1001)]
    trace = parse_trace(
        b"\n".join([header, _rows(1, list(range(1, 2001))), _rows(2, [h for h in evens if h % 2 == 0], k=2)]), _record()
    )
    [notebook] = trace.notebooks
    shared = overlap(notebook.rowset(1), notebook.rowset(2))
    assert shared is not None and not shared.exact and shared.count == 2000


def test_auc_matches_scikit_learn_and_probe_finds_a_copied_target() -> None:
    pd = pytest.importorskip("pandas")
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    score = rng.normal(size=500) + y
    assert recording._auc(score, y.astype(float)) == pytest.approx(
        max(roc_auc_score(y, score), 1 - roc_auc_score(y, score))
    )
    frame = pd.DataFrame({"noise": rng.normal(size=500), "copy": y * 3.0, "cat": np.where(y == 1, "a", "b")})
    found = {p["col"] for p in recording._probe_features(frame, pd.Series(y))}
    assert found == {"copy", "cat"}


@pytest.mark.slow
def test_a_group_pattern_counts_the_groups_inside_a_column_on_both_sides_of_a_split(tmp_path: Path) -> None:
    # Six recordings per speaker, each with its own name: by whole value no name is on both sides,
    # by the speaker the assignment's pattern picks out of the name nearly every one is.
    rng = np.random.default_rng(1)
    rows = ["name,a,y"] + [f"phon_R01_S{i // 6:02d}_{i % 6},{rng.normal():.4f},{i // 6 % 2}" for i in range(180)]
    cells = (
        SETUP + "train, test = train_test_split(df, test_size=0.25, random_state=0)",
        "print(len(train), len(test))",
    )
    data = "\n".join(rows) + "\n"
    plain = run_local(tmp_path / "plain", *cells, data=data)
    picked = run_local(tmp_path / "picked", *cells, data=data, group_patterns={"name": r"_(S\d+)_"})

    def name_groups(run: dict[str, Any]) -> dict[str, int]:
        split = next(e for e in run["trace"].events if isinstance(e, TraceSplit))
        return split.parts[0].groups.get("name", {})

    assert name_groups(plain)["shared"] == 0
    groups = name_groups(picked)
    assert groups["train"] == 30 and 0 < groups["shared"] <= groups["test"] <= 30
    assert groups["test_rows_shared"] > 30
