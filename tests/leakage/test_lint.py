"""`grader lint`: static checks on a notebook or script, no Docker; exit codes for CI."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

from grader import api
from grader.cli import main
from tests.conftest import REPO, make_notebook

CORPUS = REPO / "bench" / "leakage_corpus" / "notebooks"
EXAMPLES = REPO / "tests" / "check_examples"


def test_high_severity_leak_exits_one_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", str(EXAMPLES / "LEAK004" / "bad.py"), "--only", "leakage", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["version"] == 1
    [linted] = out["files"]
    assert linted["kind"] == "script" and {f["check_id"] for f in linted["findings"]} == {"LEAK004"}
    [finding] = linted["findings"]
    assert finding["severity"] == "high" and finding["cell"] == 3  # 1-based: the third cell
    assert [e["cell"] for e in finding["evidence"]] == [2, 3] and "fit_resample" in finding["evidence"][0]["snippet"]


def test_medium_findings_fail_by_default_and_pass_with_fail_on_high(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "LEAK001" / "bad.py")
    assert main(["lint", path, "--select", "leakage"]) == 1
    out = capsys.readouterr().out
    source = (EXAMPLES / "LEAK001" / "bad.py").read_text().splitlines()
    [line] = [line for line in out.splitlines() if "LEAK001" in line]
    place, _, message = line.partition(": LEAK001 ")
    file_line = int(place.split(":")[-2])
    assert "fit_transform" in source[file_line - 1] and message.endswith("[medium]")
    assert main(["lint", path, "--select", "leakage", "--fail-on", "high"]) == 0
    assert main(["lint", path, "--select", "leakage", "--fail-on", "medium"]) == 1


def test_assignment_enables_structure_and_leakage_column_checks(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "LEAK010" / "bad.py")
    assert main(["lint", path, "--only", "leakage"]) == 0
    assert "not run: LEAK007, LEAK010, LEAK011, LEAK012 (needs --assignment)" in capsys.readouterr().out
    assert main(["lint", path, "--only", "leakage", "--assignment", str(REPO / "sample_datasets" / "delivery")]) == 1
    assert "LEAK010 " in capsys.readouterr().out


def test_notebooks_plain_scripts_and_only_filters(tmp_path: Path) -> None:
    notebook = tmp_path / "analysis.ipynb"
    nbformat.write(
        make_notebook(
            "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n"
            "from sklearn.model_selection import train_test_split\n"
            "from sklearn.linear_model import LogisticRegression\n"
            "df = pd.read_csv('d.csv')\nX = StandardScaler().fit_transform(df[['a']])",
            "Xtr, Xte, ytr, yte = train_test_split(X, df['y'])\nLogisticRegression().fit(Xtr, ytr)",
        ),
        str(notebook),
    )
    result = api.lint(notebook, select=["LEAK001"])
    [linted] = result.files
    assert linted.checks == ["LEAK001"] and [f.check_id for f in linted.findings] == ["LEAK001"]
    script = tmp_path / "plain.py"
    script.write_text("import pandas as pd\nx = 1\n")
    plain = api.lint(script, select=["leakage"])
    assert plain.files[0].checks and not plain.findings
    from grader.checks.registry import default_registry

    registry = default_registry()
    assert all(
        not registry.get(c).requires & {"execution", "trace", "holdout", "pylint"}
        for c in api.lint(script).files[0].checks
    )


def test_usage_errors_exit_two_and_unreadable_files_one(tmp_path: Path) -> None:
    assert main(["lint", str(tmp_path / "missing.py")]) == 2
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["lint", str(tmp_path / "notes.txt")]) == 2
    assert main(["lint", str(EXAMPLES / "LEAK001" / "bad.py"), "--only", "nonsense"]) == 2
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert main(["lint", str(tmp_path / "broken.ipynb")]) == 1


def test_static_analysis_of_a_notebook_is_fast() -> None:
    started = time.perf_counter()
    api.lint(CORPUS / "k01_kaggle_clean_churn.py", assignment=REPO / "sample_datasets" / "churn", select=["leakage"])
    assert time.perf_counter() - started < 2.0
