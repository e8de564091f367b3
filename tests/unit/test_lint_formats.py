"""`grader lint` as editors, CI and pre-commit use it: places, formats, selection, modules."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml

from grader import api
from grader.cli import Exit, main
from tests.conftest import REPO, make_notebook

EXAMPLES = REPO / "tests" / "check_examples"
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
LEAKY = (
    "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n"
    "from sklearn.model_selection import train_test_split\nfrom sklearn.linear_model import LogisticRegression\n"
    "df = pd.read_csv('data/train.csv')\nX = StandardScaler().fit_transform(df[['a', 'b']])"
)
SPLIT = "X_train, X_test, y_train, y_test = train_test_split(X, df['y'])\nLogisticRegression().fit(X_train, y_train)"


def _leaky_notebook(folder: Path, name: str = "analysis.ipynb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(make_notebook(("md", "# Churn"), LEAKY, SPLIT), str(path))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["lint", *argv])
    return code, capsys.readouterr().out


def test_text_places_count_cells_and_lines_from_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebook = _leaky_notebook(tmp_path)
    code, out = _run(capsys, str(notebook), "--select", "LEAK001")
    assert code == Exit.problems
    [line] = [row for row in out.splitlines() if " LEAK001 " in row]
    # The scaler is fitted on line 6 of the second code cell, which is the notebook's second cell of three
    # (1-based: cell 2).
    assert line.startswith(f"{notebook}:2:6:1: LEAK001 ") and line.endswith("[medium]")


def test_several_files_and_folders_in_one_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _leaky_notebook(tmp_path / "a")
    _leaky_notebook(tmp_path / "b" / "deep", "other.ipynb")
    (tmp_path / "b" / ".ipynb_checkpoints").mkdir()
    _leaky_notebook(tmp_path / "b" / ".ipynb_checkpoints", "other-checkpoint.ipynb")
    script = EXAMPLES / "LEAK004" / "bad.py"
    code, out = _run(capsys, str(tmp_path / "a"), str(tmp_path / "b"), str(script), "--select", "leakage")
    assert code == Exit.problems
    linted = {row.split(":")[0] for row in out.splitlines()[:-1]}  # the last line is the summary
    assert linted == {str(tmp_path / "a" / "analysis.ipynb"), str(tmp_path / "b" / "deep" / "other.ipynb"), str(script)}
    assert "in 3 file(s)" in out


def test_a_plain_module_gets_only_code_level_checks(tmp_path: Path) -> None:
    helper = tmp_path / "helpers.py"
    helper.write_text("\n\n" + LEAKY + "\n" + SPLIT + "\n")
    report = api.lint(helper)
    [linted] = report.files
    registry = api.list_checks()
    scopes = {row["id"]: row["scope"] for row in registry}
    assert linted.kind == "module" and linted.checks
    assert {scopes[c] for c in linted.checks} == {"code"}
    assert not any(c.startswith(("DOC", "EDA", "MOD")) for c in linted.checks)
    [finding] = [f for f in linted.findings if f.check_id == "LEAK001"]
    # The file's own line: two blank lines, then the scaler on the sixth line of the code.
    assert finding.file_line == 8 and "fit_transform" in helper.read_text().splitlines()[7]
    percent = tmp_path / "analysis.py"
    percent.write_text("# %% [markdown]\n# # Churn\n# %%\n" + LEAKY + "\n# %%\n" + SPLIT + "\n")
    assert api.lint(percent).files[0].kind == "script"
    assert any(c.startswith("DOC") for c in api.lint(percent).files[0].checks)


def test_select_and_ignore_refuse_unknown_ids_and_explain_what_cannot_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = str(_leaky_notebook(tmp_path))
    for argv, message in (
        (("--select", "LEAK999"), "--select: unknown check or category 'LEAK999'"),
        (("--ignore", "leakage,nonsense"), "--ignore: unknown check or category 'nonsense'"),
        (("--select", "LEAK007"), "LEAK007 (leakage-column-used) needs --assignment"),
        (("--select", "QUAL001"), "QUAL001 (pylint-score) cannot run in `grader lint`"),
    ):
        code = main(["lint", notebook, *argv])
        assert code == Exit.usage and message in capsys.readouterr().err
    code, out = _run(capsys, notebook, "--select", "leakage", "--ignore", "LEAK001")
    assert code == Exit.ok and "LEAK001" not in out.split("not run")[0]
    assert "not run: LEAK007, LEAK010, LEAK011, LEAK012 (needs --assignment)" in out


def test_fail_on_sets_the_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebook = str(_leaky_notebook(tmp_path))
    assert _run(capsys, notebook, "--select", "LEAK001")[0] == Exit.problems  # medium fails by default
    assert _run(capsys, notebook, "--select", "LEAK001", "--fail-on", "medium")[0] == Exit.problems
    assert _run(capsys, notebook, "--select", "LEAK001", "--fail-on", "high")[0] == Exit.ok


def test_json_carries_a_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, str(_leaky_notebook(tmp_path)), "--select", "leakage", "--format", "json")
    data = json.loads(out)
    assert code == Exit.problems and data["version"] == 1 and data["fail_on"] == "low"
    [finding] = data["files"][0]["findings"]
    assert (finding["check_id"], finding["cell"], finding["line"]) == ("LEAK001", 2, 6)


def test_sarif_validates_against_the_sarif_2_1_0_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebook = _leaky_notebook(tmp_path)
    (tmp_path / "broken.ipynb").write_text("{not json")
    code, out = _run(capsys, str(tmp_path), str(EXAMPLES / "LEAK004" / "bad.py"), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, SARIF_SCHEMA)
    assert code == Exit.problems and log["version"] == "2.1.0"
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    leak = by_rule["LEAK001"]
    assert (
        rules[leak["ruleIndex"]]["id"] == "LEAK001"
        and rules[leak["ruleIndex"]]["name"] == "preprocessing-fit-before-split"
    )
    location = leak["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == str(notebook)
    # The region is the line of the notebook's JSON that holds the scaler's source line.
    line = location["physicalLocation"]["region"]["startLine"]
    assert "fit_transform" in notebook.read_text().splitlines()[line - 1]
    assert leak["properties"]["cell"] == 2 and leak["level"] == "warning" and by_rule["LEAK004"]["level"] == "error"
    assert not run["invocations"][0]["executionSuccessful"]  # the unreadable notebook is a notification


def test_github_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebook = _leaky_notebook(tmp_path, "a,b.ipynb")
    code, out = _run(capsys, str(notebook), "--select", "LEAK001", "--format", "github")
    [annotation] = [row for row in out.splitlines() if row.startswith("::")]
    path = str(notebook).replace(",", "%2C")
    assert code == Exit.problems
    assert (
        annotation.startswith(f"::warning file={path},line=")
        and ",title=LEAK001 preprocessing-fit-before-split::" in annotation
    )
    assert "::cell 2, line 6: " in annotation


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_hook_entry_on_a_staged_notebook(tmp_path: Path) -> None:
    """Run `.pre-commit-hooks.yaml`'s entry the way pre-commit does: on the staged files its types match."""
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert (
        hook["id"] == "grader-lint" and hook["language"] == "python" and set(hook["types_or"]) == {"jupyter", "python"}
    )
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    _leaky_notebook(repo, "analysis.ipynb")
    (repo / "notes.txt").write_text("not linted")
    subprocess.run([*git, "add", "analysis.ipynb", "notes.txt"], check=True)
    staged = subprocess.run(
        [*git, "diff", "--cached", "--name-only"], check=True, capture_output=True, text=True
    ).stdout.split()
    files = [f for f in staged if f.endswith((".ipynb", ".py"))]  # `types_or: [jupyter, python]`
    # The console script `grader` is `python -m grader` in an installed environment.
    entry = shlex.split(hook["entry"])
    assert entry[0] == "grader"
    command = [sys.executable, "-m", "grader", *entry[1:], *hook.get("args", []), *files]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == Exit.problems, done.stderr
    assert "analysis.ipynb:2:6:1: LEAK001 " in done.stdout
    assert not any(row.startswith("notes.txt") for row in done.stdout.splitlines())
    # With the leak fixed (the scaler fitted after the split), the hook passes for leakage.
    fixed = make_notebook(
        ("md", "# Churn"),
        LEAKY.replace("X = StandardScaler().fit_transform(df[['a', 'b']])", "X = df[['a', 'b']]"),
        SPLIT.replace("LogisticRegression().fit(X_train, y_train)", "StandardScaler().fit(X_train)"),
    )
    nbformat.write(fixed, str(repo / "analysis.ipynb"))
    subprocess.run([*git, "add", "analysis.ipynb"], check=True)
    done = subprocess.run(
        [*command, "--select", "leakage"], cwd=repo, capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == Exit.ok, done.stdout + done.stderr
