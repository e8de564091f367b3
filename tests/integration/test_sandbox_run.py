"""The sandboxed grading path end to end, with real containers (issue 2's "Done when")."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from grader.checks.registry import default_registry
from grader.models.execution import CellStatus, RunStatus
from grader.pipeline.grading import Grader, GradingOptions
from grader.scoring.rubric_file import load_rubric_file
from grader.submission.assignment import load_assignment
from tests.conftest import REPO, write_submission

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def tiny_assignment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("assignment")
    (folder / "train.csv").write_text("id,x,y\n1,0.5,0\n2,1.5,1\n3,2.5,1\n4,0.1,0\n")
    (folder / "test_features.csv").write_text("id,x\n5,0.2\n6,2.2\n")
    (folder / "hidden").mkdir()
    (folder / "hidden" / "test_labels.csv").write_text("id,y\n5,0\n6,1\n")
    (folder / "BRIEF.md").write_text("# Tiny\n")
    spec = {
        "name": "tiny",
        "title": "Tiny",
        "task": "binary_classification",
        "target": "y",
        "id_column": "id",
        "primary_metric": "roc_auc",
        "public_files": ["train.csv", "test_features.csv", "BRIEF.md"],
        "hidden_files": ["hidden/test_labels.csv"],
        "rubric": str(REPO / "rubrics" / "ml-takehome.yaml"),
        "prediction_contract": {"id_column": "id", "prediction_column": "y", "probability_column": "p"},
        "holdout": {"labels_file": "hidden/test_labels.csv", "id_column": "id", "target_column": "y"},
        "limits": {"timeout_seconds": 60, "cell_timeout_seconds": 20, "memory_mb": 512, "pids": 128},
    }
    (folder / "assignment.yaml").write_text(yaml.safe_dump(spec))
    return folder


@pytest.fixture(scope="module")
def grader(tiny_assignment: Path, sandbox) -> Grader:  # type: ignore[no-untyped-def]
    registry = default_registry()
    loaded = load_assignment(tiny_assignment)
    rubric = load_rubric_file(loaded.rubric_path(), registry)
    return Grader(
        rubric=rubric, registry=registry, assignment=loaded, sandbox=sandbox, options=GradingOptions(write_html=False)
    )


def test_clean_notebook_runs_ok_with_per_cell_records(grader: Grader, tmp_path: Path) -> None:
    sub = write_submission(
        tmp_path / "clean",
        ("md", "# Tiny model"),
        "import pandas as pd\ntrain = pd.read_csv('data/train.csv')\ntrain.shape",
        "from sklearn.linear_model import LogisticRegression\n"
        "model = LogisticRegression().fit(train[['x']], train['y'])",
        "test = pd.read_csv('data/test_features.csv')\n"
        "pd.DataFrame({'id': test['id'], 'y': model.predict(test[['x']]),"
        " 'p': model.predict_proba(test[['x']])[:, 1]}).to_csv('predictions.csv', index=False)",
    )
    report = grader.grade(sub, out_dir=tmp_path / "out")
    assert report.execution.status is RunStatus.ok, report.execution.reason
    code = [c for c in report.execution.cells]
    assert [c.index for c in code] == [1, 2, 3]
    assert all(c.status is CellStatus.ok and c.duration_s is not None for c in code)
    assert report.execution.collected_files == ["predictions.csv"]
    assert (tmp_path / "out" / "outputs" / "predictions.csv").read_text().startswith("id,y,p")
    assert (tmp_path / "out" / "report.json").is_file()
    assert report.total.score > 0


def test_error_in_cell_three_keeps_running_later_cells(grader: Grader, tmp_path: Path) -> None:
    sub = write_submission(
        tmp_path / "raises",
        "a = 1",
        "b = a + 1",
        "raise ValueError('boom in cell 3')",
        "c = b * 2\nprint(c)",
        "print('last')",
    )
    report = grader.grade(sub)
    statuses = [c.status for c in report.execution.cells]
    assert statuses == [CellStatus.ok, CellStatus.ok, CellStatus.error, CellStatus.ok, CellStatus.ok]
    third = report.execution.cells[2]
    assert third.error_name == "ValueError" and "boom in cell 3" in (third.error_value or "")
    assert report.execution.status is RunStatus.errors
    exe001 = next(r for r in report.checks if r.id == "EXE001")
    assert exe001.status.value == "failed" and exe001.findings[0].evidence[0].cell == 2


def test_infinite_loop_ends_as_timeout_within_the_limit(grader: Grader, tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "loop", "x = 0", "while True:\n    x += 1", "print('never')")
    report = grader.grade(sub)
    assert report.execution.status is RunStatus.timeout
    loop = report.execution.cells[1]
    assert loop.status is CellStatus.timeout
    assert loop.duration_s is not None and loop.duration_s < 20 + 10
    assert report.timings["execute"] < 60


def test_memory_bomb_ends_as_oom_not_a_generic_failure(grader: Grader, tmp_path: Path) -> None:
    sub = write_submission(
        tmp_path / "oom",
        "import numpy as np\nprint('before')",
        "blocks = []\nwhile True:\n    blocks.append(np.ones(50_000_000, dtype=np.uint8))",
        "print('after')",
    )
    report = grader.grade(sub)
    assert report.execution.status is RunStatus.oom, report.execution.reason
    statuses = [c.status for c in report.execution.cells]
    assert statuses[0] is CellStatus.ok
    assert statuses[1] is CellStatus.error
    assert statuses[2] is CellStatus.not_executed


def test_network_is_unreachable_inside_the_sandbox(grader: Grader, tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import socket
        results = {}
        for host, port in [("1.1.1.1", 53), ("8.8.8.8", 443), ("pypi.org", 443)]:
            try:
                socket.create_connection((host, port), timeout=3).close()
                results[host] = "connected"
            except OSError as exc:
                results[host] = type(exc).__name__
        print(results)
        assert "connected" not in results.values(), results
        """
    )
    sub = write_submission(tmp_path / "net", code)
    report = grader.grade(sub)
    assert report.execution.status is RunStatus.ok, report.execution.cells[0].error_value


def test_hidden_labels_are_not_reachable_from_inside(grader: Grader, tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import os
        found = []
        for root in ["/sandbox", "/tmp", os.getcwd()]:
            for folder, _, files in os.walk(root):
                found += [os.path.join(folder, f) for f in files if "label" in f or "hidden" in folder]
        print(found)
        assert not found, found
        assert sorted(os.listdir("data")) == ["BRIEF.md", "test_features.csv", "train.csv"]
        """
    )
    report = grader.grade(write_submission(tmp_path / "hunt", code))
    assert report.execution.status is RunStatus.ok, report.execution.cells[0].error_value


def test_data_folder_is_read_only(grader: Grader, tmp_path: Path) -> None:
    code = "open('data/train.csv', 'a').write('x')"
    report = grader.grade(write_submission(tmp_path / "write", code))
    cell = report.execution.cells[0]
    assert cell.status is CellStatus.error and cell.error_name in ("OSError", "PermissionError")
