"""The example check plugin of docs/plugins.md, installed as a user would, without touching this venv.

The plugin (docs/examples/grader-plugin-example) is installed into a scratch folder with
`pip install --no-deps --target`, which is then put on PYTHONPATH for `python -m grader`
subprocesses: its check must be listed, linted, accepted by a rubric that `extends:` the
default, and must pass on its good example and fail on its bad one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "docs" / "examples" / "grader-plugin-example"

pytestmark = pytest.mark.slow


def _install_command() -> list[str]:
    """pip with this interpreter's setuptools (offline); uv with an isolated build when there is none."""
    if importlib.util.find_spec("setuptools") is not None:
        return [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index"]
    return [sys.executable, "-m", "uv", "pip", "install", "--python", sys.executable, "--no-deps"]


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The plugin's source (a copy: building writes into it) and the environment that sees it installed."""
    root = tmp_path_factory.mktemp("plugin")
    source = root / "grader-plugin-example"
    shutil.copytree(PLUGIN, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = root / "site"
    command = [*_install_command(), "--target", str(target), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    assert (target / "grader_plugin_example" / "todo_comments.py").is_file()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    # The plugin first, then this checkout's grader (ahead of whatever the venv has installed).
    env.update(PYTHONPATH=os.pathsep.join([str(target), str(REPO)]), NO_COLOR="1", GRADER_CACHE_DIR=str(root / "cache"))
    return source, env


def _grader(env: dict[str, str], *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _python(env, "-m", "grader", *args, cwd=cwd)


def _python(env: dict[str, str], *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_check_is_listed(plugin: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    _, env = plugin
    done = _grader(env, "checks", "list", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "was skipped" not in done.stderr  # the plugin loaded
    rows = {row["id"]: row for row in json.loads(done.stdout)}
    assert rows["EXMP001"]["slug"] == "leftover-todo-comments"
    assert rows["EXMP001"]["category"] == "quality"
    assert "TODO" in rows["EXMP001"]["summary"]
    assert "LEAK001" in rows  # the built-in checks are all still there
    assert len(rows) > 50


def test_lint_fails_the_bad_example_only(plugin: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    source, env = plugin
    examples = source / "examples" / "EXMP001"
    good = _grader(env, "lint", examples / "good.ipynb", "--select", "EXMP001", cwd=tmp_path)
    bad = _grader(env, "lint", examples / "bad.ipynb", "--select", "EXMP001", cwd=tmp_path)
    assert (good.returncode, bad.returncode) == (0, 1), (good.stdout + good.stderr, bad.stdout + bad.stderr)
    assert "EXMP001" not in good.stdout
    # Cells and lines from 1, as editors count: the third cell holds both notes.
    lines = [line for line in bad.stdout.splitlines() if " EXMP001 " in line]
    assert [line.split(" EXMP001 ")[0].rsplit("bad.ipynb:", 1)[1] for line in lines] == ["3:1:1:", "3:4:1:"]


def _report(env: dict[str, str], rubric: Path, notebook: Path, out: Path) -> dict[str, Any]:
    done = _grader(
        env, "grade", notebook, "--rubric", rubric, "--no-execute", "--no-html", "--out", out, cwd=out.parent
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


def test_a_rubric_extending_the_default_scores_it(plugin: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    source, env = plugin
    rubric = source / "rubric.yaml"
    validated = _grader(env, "rubric", "validate", rubric, cwd=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "valid; 7 criteria, 102 points" in validated.stdout  # the default's 6 criteria (100 points) and one more

    examples = source / "examples" / "EXMP001"
    good = _report(env, rubric, examples / "good.ipynb", tmp_path / "good")
    bad = _report(env, rubric, examples / "bad.ipynb", tmp_path / "bad")
    assert good["rubric"]["name"] == bad["rubric"]["name"] == "ml-takehome-plus-todo"

    def check(report: dict[str, Any]) -> dict[str, Any]:
        results: list[dict[str, Any]] = [c for c in report["checks"] if c["id"] == "EXMP001"]
        assert len(results) == 1
        return results[0]

    def housekeeping(report: dict[str, Any]) -> dict[str, Any]:
        criteria: list[dict[str, Any]] = [c for c in report["criteria"] if c["id"] == "housekeeping"]
        assert len(criteria) == 1
        return criteria[0]

    assert check(good)["status"] == "passed" and check(good)["findings"] == []
    assert check(good)["params"]["markers"] == ["TODO", "FIXME", "XXX", "HACK"]  # the rubric's params, recorded
    assert housekeeping(good)["score"] == 2.0

    result = check(bad)
    assert result["status"] == "failed"
    assert [(f["severity"], f["evidence"][0]["cell"], f["evidence"][0]["line"]) for f in result["findings"]] == [
        ("low", 2, 1),
        ("low", 2, 4),
    ]
    assert result["findings"][0]["evidence"][0]["snippet"] == "# TODO: scale inside the CV folds"
    # deduct_per_severity, low: 0.5 — each deduction names the finding that cost it.
    criterion = housekeeping(bad)
    assert criterion["score"] == 1.0
    assert [(d["points"], d["finding_id"]) for d in criterion["deductions"]] == [(0.5, "EXMP001#1"), (0.5, "EXMP001#2")]


def test_the_plugins_own_tests_pass(plugin: tuple[Path, dict[str, str]]) -> None:
    source, env = plugin
    done = _python(env, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=source)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
