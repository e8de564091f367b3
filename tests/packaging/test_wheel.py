"""The package as a user installs it: a wheel in a fresh virtual environment, and the lowest versions
of every direct dependency that pyproject.toml allows.

Both need PyPI (reachable on CI and on the development machine) and take minutes, so they are `slow`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUBMISSION = REPO / "submissions" / "churn" / "chen-wei"
ASSIGNMENT = REPO / "sample_datasets" / "churn"

pytestmark = pytest.mark.slow


def _uv(*args: str, cwd: Path | None = None, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run uv (installed with the test extra), failing the test with its output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "uv", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"uv {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _scratch_env() -> dict[str, str]:
    """The environment of a user's shell: nothing from this checkout on the path."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env["NO_COLOR"] = "1"
    return env


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=cwd,
        env=_scratch_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment holding only the wheel built from this checkout and its dependencies."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    _uv("build", "--wheel", "--out-dir", str(dist), str(REPO))
    wheels = sorted(dist.glob("take_home_grader-*.whl"))
    assert len(wheels) == 1, wheels
    venv = root / "venv"
    _uv("venv", "--python", sys.executable, str(venv))
    _uv("pip", "install", "--python", str(venv / "bin" / "python"), str(wheels[0]))
    return venv


def test_wheel_carries_package_data(installed_wheel: Path, tmp_path: Path) -> None:
    done = _run(
        installed_wheel,
        "python",
        "-c",
        "import grader, grader.resources as r; print(grader.__file__); "
        "print(sorted(p.name for p in r.rubrics_dir().iterdir())); "
        "print(sorted(p.name for p in r.schemas_dir().iterdir())); "
        "print((r.sample_assignment_dir() / 'assignment.yaml').is_file())",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    where, rubrics, schemas, sample = done.stdout.splitlines()
    assert str(installed_wheel) in where and str(REPO) not in where
    assert "ml-takehome.yaml" in rubrics
    assert "report.schema.json" in schemas
    assert sample == "True"


def test_installed_commands_from_an_empty_folder(installed_wheel: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    listed = _run(installed_wheel, "grader", "checks", "list", cwd=empty)
    assert listed.returncode == 0, listed.stderr
    assert "LEAK001" in listed.stdout and "EDA001" in listed.stdout

    helped = _run(installed_wheel, "python", "-m", "grader", "--help", cwd=empty)
    assert helped.returncode == 0, helped.stderr
    assert "grade" in helped.stdout

    submission = shutil.copytree(SUBMISSION, tmp_path / "chen-wei")
    assignment = shutil.copytree(ASSIGNMENT, tmp_path / "churn")
    out = tmp_path / "out"
    graded = _run(
        installed_wheel,
        "grader",
        "grade",
        str(submission),
        "--assignment",
        str(assignment),
        "--no-execute",
        "--out",
        str(out),
        cwd=empty,
    )
    assert graded.returncode in (0, 1), graded.stdout + graded.stderr
    reports = list(out.rglob("report.json"))
    assert len(reports) == 1, sorted(p.name for p in out.rglob("*"))
    report = json.loads(reports[0].read_text("utf-8"))
    assert report["status"] == "graded"
    assert report["rubric"]["name"] == "ml-takehome"  # the default rubric, from the package
    assert report["total"]["max"] > 0
    assert list(empty.iterdir()) == []  # nothing written where the command was started


def test_lowest_direct_dependency_versions(tmp_path: Path) -> None:
    """Every floor in pyproject.toml is honest: the unit tests pass at the lowest allowed versions."""
    venv = tmp_path / "lowest"
    _uv("venv", "--python", sys.executable, str(venv))
    python = str(venv / "bin" / "python")
    _uv("pip", "install", "--python", python, "--resolution", "lowest-direct", "-e", f"{REPO}[test]", timeout=1500)
    versions = _run(
        venv,
        "python",
        "-c",
        "import pandas, sklearn, numpy, pydantic; print(pandas.__version__, sklearn.__version__)",
        cwd=tmp_path,
    )
    assert versions.returncode == 0, versions.stderr
    tests = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit", "-x"],
        cwd=REPO,
        env=_scratch_env(),
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert tests.returncode == 0, f"at {versions.stdout.strip()}:\n{tests.stdout[-6000:]}\n{tests.stderr[-2000:]}"
