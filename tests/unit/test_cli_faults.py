"""Every CLI fault of issue 17 gives a clean message and the exit code of the one table, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.cli import Exit, main
from tests.conftest import REPO, write_submission

CHURN = REPO / "sample_datasets" / "churn"


@pytest.fixture
def assignment(tmp_path: Path) -> Path:
    folder = tmp_path / "assignment"
    shutil.copytree(CHURN, folder, ignore=shutil.ignore_patterns("train.csv", "test_features.csv", "hidden"))
    for name in ("train.csv", "test_features.csv"):
        (folder / name).write_text("customer_id,churned\n1,0\n")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def test_markup_in_names_and_paths_prints_as_is(
    tmp_path: Path, assignment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "subs" / "[bold]x"
    write_submission(folder, ("md", "# Churn"), "import pandas as pd")
    (folder / "a[").mkdir()
    (folder / "a[" / "b].ipynb").write_text("{not json")  # the candidate file `a[/b].ipynb`
    options = ("--assignment", str(assignment), "--no-execute", "--no-html")
    code, out, _ = _run(capsys, "grade", str(folder), *options, "--out", str(tmp_path / "o"))
    assert code == Exit.problems
    assert "rejected: a[/b].ipynb is not valid JSON" in out
    code, out, _ = _run(capsys, "batch", str(tmp_path / "subs"), *options, "--out", str(tmp_path / "b"))
    assert code == Exit.problems
    assert "  _bold_x: rejected: a[/b].ipynb is not valid JSON" in out  # batch folders get safe names


def test_a_graded_candidate_named_in_markup_keeps_its_brackets(
    tmp_path: Path, assignment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_submission(tmp_path / "[bold]y", ("md", "# Churn"), "import pandas as pd")
    code, out, _ = _run(
        capsys,
        "grade",
        str(folder),
        "--assignment",
        str(assignment),
        "--out",
        str(tmp_path / "[/b]out"),
        "--no-execute",
        "--no-html",
        "--candidate",
        "[red]Ann[/b]",
    )
    assert code == Exit.ok
    assert out.startswith("[red]Ann[/b]: ") and "[/b]out/report.json" in out


def test_config_messages_keep_their_brackets(assignment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (assignment / "assignment.yaml").read_text().replace("name: churn", "name: Bad Name")
    (assignment / "assignment.yaml").write_text(text)
    code, _, err = _run(capsys, "grade", str(assignment), "--assignment", str(assignment), "--out", "x")
    assert code == Exit.usage
    assert "name: String should match pattern '^[a-z0-9][a-z0-9_-]*$'" in err


def test_out_pointing_at_a_file(tmp_path: Path, assignment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_submission(tmp_path / "sub", "x = 1")
    (tmp_path / "taken").write_text("")
    for command in ("grade", "batch"):
        target = folder if command == "grade" else tmp_path
        code, _, err = _run(
            capsys, command, str(target), "--assignment", str(assignment), "--out", str(tmp_path / "taken")
        )
        assert code == Exit.usage and "is a file; give a folder for the reports" in err


def test_missing_paths_are_usage_errors_for_grade_and_batch(
    tmp_path: Path, assignment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("grade", "batch"):
        code, _, err = _run(
            capsys, command, str(tmp_path / "nothing"), "--assignment", str(assignment), "--out", str(tmp_path / "o")
        )
        assert code == Exit.usage and "nothing" in err


def test_an_empty_batch_exits_one_and_says_so(
    tmp_path: Path, assignment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    code, out, _ = _run(
        capsys, "batch", str(tmp_path / "empty"), "--assignment", str(assignment), "--out", str(tmp_path / "o")
    )
    assert code == Exit.problems and "no submissions found in" in out


def test_a_plugin_that_fails_to_import_is_reported_and_skipped(tmp_path: Path) -> None:
    """A distribution declaring a `grader.checks` entry point whose module does not import."""
    site = tmp_path / "site"
    info = site / "broken_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[grader.checks]\nbroken = no_such_module_anywhere:checks\n")
    env = {"PYTHONPATH": f"{REPO}:{site}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "grader", "checks", "list"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == Exit.ok, done.stderr
    assert "Traceback" not in done.stderr
    assert "check plugin 'broken' (no_such_module_anywhere:checks from broken-plugin) was skipped" in done.stderr
    assert "ModuleNotFoundError" in done.stderr and "LEAK001" in done.stdout


def test_python_dash_m_grader_is_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--help"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: python -m grader")
    code = subprocess.run([sys.executable, "-m", "grader", "nonsense"], capture_output=True, cwd=REPO, timeout=60)
    assert code.returncode == Exit.usage


def test_the_exit_code_table_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("### Exit codes") :]
    for code in (Exit.ok, Exit.problems, Exit.usage):
        assert f"| {int(code)} |" in table
    assert textwrap.dedent(Exit.__doc__ or "").strip()
