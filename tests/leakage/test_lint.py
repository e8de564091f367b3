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
    assert code == 1 and out["high"] is True
    failed = {c["id"]: c for c in out["checks"] if c["status"] == "failed"}
    assert set(failed) == {"LEAK004"}
    [finding] = failed["LEAK004"]["findings"]
    assert [e["cell"] for e in finding["evidence"]] == [2, 3] and "fit_resample" in finding["evidence"][0]["snippet"]


def test_medium_findings_print_cells_and_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", str(EXAMPLES / "LEAK001" / "bad.py"), "--only", "leakage"])
    out = capsys.readouterr().out
    assert code == 0
    assert "LEAK001 preprocessing-fit-before-split" in out and "cell 2, line 2" in out
    assert "| X_scaled = scaler.fit_transform(X)" in out


def test_assignment_enables_structure_and_leakage_column_checks(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "LEAK010" / "bad.py")
    assert main(["lint", path, "--only", "leakage"]) == 0
    assert main(["lint", path, "--only", "leakage", "--assignment", str(REPO / "sample_datasets" / "delivery")]) == 1
    assert "LEAK010 random-split-of-time-series" in capsys.readouterr().out


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
    result = api.lint(notebook, only=["LEAK001"])
    assert [r.id for r in result.results] == ["LEAK001"] and result.problems
    script = tmp_path / "plain.py"
    script.write_text("import pandas as pd\nx = 1\n")
    plain = api.lint(script, only=["leakage"])
    assert plain.results and not plain.problems
    from grader.checks.registry import default_registry

    registry = default_registry()
    assert all(
        not registry.get(r.id).requires & {"execution", "trace", "holdout", "pylint"} for r in api.lint(script).results
    )


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert main(["lint", str(tmp_path / "missing.py")]) == 2
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["lint", str(tmp_path / "notes.txt")]) == 2
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert main(["lint", str(tmp_path / "broken.ipynb")]) == 2
    assert main(["lint", str(EXAMPLES / "LEAK001" / "bad.py"), "--only", "nonsense"]) == 2


def test_static_analysis_of_a_notebook_is_fast() -> None:
    started = time.perf_counter()
    api.lint(CORPUS / "k01_kaggle_clean_churn.py", assignment=REPO / "sample_datasets" / "churn", only=["leakage"])
    assert time.perf_counter() - started < 2.0
