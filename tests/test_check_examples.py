"""Docs are tests: each check's bad example triggers it, its good example does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from grader.checks.base import DOC_SECTIONS, CheckSpec, Need
from grader.checks.registry import default_registry
from grader.checks.runner import run_check
from grader.evidence.build import context_of
from grader.evidence.context import SubmissionFacts
from grader.evidence.pylint_runner import run_pylint
from grader.execution.record import not_run_record
from grader.models.findings import CheckResult, CheckStatus
from grader.models.notebook import NotebookView
from grader.submission.assignment import load_assignment
from grader.submission.pyscript import script_to_notebook

EXAMPLES = Path(__file__).parent / "check_examples"
REPO = Path(__file__).resolve().parent.parent
REGISTRY = default_registry()


def _examples() -> list[tuple[str, Path]]:
    found = []
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix in (".py", ".ipynb") and path.stem.split("_")[0] in ("good", "bad"):
                found.append((folder.name, path))
    return found


def _config(folder: Path) -> dict[str, Any]:
    path = folder / "example.yaml"
    return yaml.safe_load(path.read_text()) or {} if path.is_file() else {}


def _files(config: dict[str, Any], path: Path) -> dict[str, str]:
    """Extra submission files: `files` for every example, plus `example_files[<stem>]` for one."""
    return {**(config.get("files") or {}), **((config.get("example_files") or {}).get(path.stem) or {})}


def load_example(path: Path) -> nbformat.NotebookNode:
    if path.suffix == ".py":
        return script_to_notebook(path.read_text())
    return nbformat.read(str(path), as_version=4)


def _static_result(spec: CheckSpec, path: Path, config: dict[str, Any]) -> CheckResult:
    nb = load_example(path)
    view = NotebookView.from_nodes([("analysis.ipynb", nb)])
    files = _files(config, path)
    assignment = (
        load_assignment(REPO / "sample_datasets" / config["assignment"]).assignment
        if config.get("assignment")
        else None
    )
    ctx = context_of(
        submission=SubmissionFacts(
            name=path.stem, files=("analysis.ipynb", *files), texts=files, notebooks=("analysis.ipynb",)
        ),
        notebook=view,
        execution=not_run_record(view, "example"),
        assignment=assignment,
        pylint=run_pylint(view) if Need.pylint in spec.requires else None,
    )
    return run_check(spec, ctx, config.get("params") or {})


def _executed_result(spec: CheckSpec, path: Path, config: dict[str, Any], sandbox: Any, tmp: Path) -> CheckResult:
    from grader.models.rubric import CheckRef, Criterion, Rubric
    from grader.pipeline.grading import Grader, GradingOptions
    from grader.scoring.rubric_file import LoadedRubric

    folder = tmp / path.stem
    folder.mkdir()
    nbformat.write(load_example(path), str(folder / "analysis.ipynb"))
    for name, text in _files(config, path).items():
        (folder / name).write_text(text)
    rubric = Rubric(
        name="one-check",
        criteria=[
            Criterion(
                id="only",
                title="only",
                points=1,
                checks=[CheckRef(check=spec.id, points=1, params=config.get("params") or {})],
            )
        ],
    )
    assignment = load_assignment(REPO / "sample_datasets" / config["assignment"]) if config.get("assignment") else None
    grader = Grader(
        rubric=LoadedRubric(rubric=rubric, path=folder / "rubric.yaml", sha256=""),
        registry=REGISTRY,
        assignment=assignment,
        sandbox=sandbox,
        options=GradingOptions(write_html=False),
    )
    report = grader.grade(folder)
    return next(r for r in report.checks if r.id == spec.id)


@pytest.mark.parametrize(("check_id", "path"), [pytest.param(c, p, id=f"{c}-{p.stem}") for c, p in _examples()])
def test_example(check_id: str, path: Path, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    spec = REGISTRY.get(check_id)
    config = _config(path.parent)
    if config.get("execute"):
        request.applymarker(pytest.mark.docker)
        result = _executed_result(spec, path, config, request.getfixturevalue("sandbox"), tmp_path)
    else:
        result = _static_result(spec, path, config)
    assert result.status is not CheckStatus.error, result.error
    if path.stem.startswith("bad"):
        assert result.status is CheckStatus.failed, f"{check_id} did not trigger on {path.name}: {result.message}"
        assert result.problems, "a failed check must say why, with findings"
        for finding in result.problems:
            assert finding.message and finding.evidence, f"finding without evidence: {finding}"
        expected_cell = (config.get("bad_cells") or {}).get(path.stem)
        if expected_cell is not None:
            cells = {e.cell for f in result.problems for e in f.evidence}
            assert expected_cell in cells, f"expected evidence at cell {expected_cell}, got {sorted(map(str, cells))}"
    else:
        assert result.status is CheckStatus.passed, (
            f"{check_id} triggered on {path.name}: {[f.message for f in result.problems]}"
        )


@pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda s: s.id)
def test_every_check_is_documented_and_has_examples(spec: CheckSpec) -> None:
    doc = spec.doc
    for section in DOC_SECTIONS:
        assert doc.get(section), f"{spec.id} docstring lacks '{section}:'"
    assert doc.get("summary"), f"{spec.id} has no summary line"
    folder = EXAMPLES / spec.id
    assert folder.is_dir(), f"{spec.id} has no examples folder tests/check_examples/{spec.id}/"
    stems = [p.stem for p in folder.iterdir() if p.suffix in (".py", ".ipynb")]
    assert any(s.startswith("good") for s in stems), f"{spec.id} has no good example"
    assert any(s.startswith("bad") for s in stems), f"{spec.id} has no bad example"


def test_examples_folders_match_registered_checks() -> None:
    registered = {s.id for s in REGISTRY}
    folders = {p.name for p in EXAMPLES.iterdir() if p.is_dir()}
    assert folders <= registered, f"example folders for unknown checks: {sorted(folders - registered)}"
