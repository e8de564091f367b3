"""The user documentation under docs/ says what the code does: its links resolve, and its
example rubrics, assignment and check code are the real thing."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from grader.checks.base import check
from grader.checks.registry import default_registry
from grader.models.assignment import Assignment, DataStructure, Holdout, PredictionContract, RunLimits, SuspectColumn
from grader.models.rubric import (
    Band,
    CheckChange,
    CheckRef,
    Criterion,
    DeductPerSeverity,
    MetricToPoints,
    Rubric,
    RubricExtension,
    ScoreCap,
)
from grader.scoring.rubric_file import validate_rubric_file

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
USER_DOCS = ["assignments.md", "rubrics.md", "plugins.md", "reports.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(name: str, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall((DOCS / name).read_text()) if lang == language]


@pytest.mark.parametrize("page", [*(DOCS / name for name in USER_DOCS), REPO / "README.md"], ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    for target in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        path = (page.parent / target.split("#", 1)[0]).resolve()
        assert path.exists(), f"{page.name} links to {target}, which does not exist"


def test_readme_lists_the_user_docs_and_internal_notes_moved() -> None:
    readme = (REPO / "README.md").read_text()
    for name in USER_DOCS:
        assert f"(docs/{name})" in readme
    assert not (DOCS / "HELPERS.md").exists() and (DOCS / "internal" / "HELPERS.md").is_file()
    assert not (DOCS / "STRUCTURE.md").exists() and (DOCS / "internal" / "STRUCTURE.md").is_file()


def test_example_rubrics_validate(tmp_path: Path) -> None:
    rubrics = [body for body in _blocks("rubrics.md", "yaml") if re.search(r"^(extends|name):", body, re.MULTILINE)]
    assert len(rubrics) == 2  # the file format and the `extends:` example
    registry = default_registry()
    for n, body in enumerate(rubrics):
        path = tmp_path / f"rubric{n}.yaml"
        path.write_text(body)
        rubric, problems = validate_rubric_file(path, registry)
        assert not problems, f"rubric {n} of docs/rubrics.md: {problems}"
        assert rubric is not None
        last = rubric
    # The numbers the page quotes for the `extends:` example.
    assert last.max_points == 100
    points = {c.id: c.points for c in last.criteria}
    assert (points["eda"], points["modeling"], points["evaluation"], points["business"]) == (13.5, 12, 33.5, 3)


def test_example_assignment_is_valid_and_matches_the_sample() -> None:
    (example,) = [body for body in _blocks("assignments.md", "yaml") if "public_files:" in body]
    documented = yaml.safe_load(example)
    Assignment.model_validate(documented)
    sample = yaml.safe_load((REPO / "sample_datasets" / "churn" / "assignment.yaml").read_text())
    assert {key: sample.get(key) for key in documented} == documented  # trimmed from the sample, not made up


def _fields(*models: type[BaseModel]) -> set[str]:
    return {name for model in models for name in model.model_fields if name != "policy"}


@pytest.mark.parametrize(
    ("page", "names"),
    [
        ("assignments.md", _fields(Assignment, PredictionContract, Holdout, DataStructure, RunLimits, SuspectColumn)),
        (
            "rubrics.md",
            _fields(Rubric, Criterion, CheckRef, Band, ScoreCap, RubricExtension, CheckChange, DeductPerSeverity)
            | _fields(MetricToPoints),
        ),
        ("plugins.md", set(inspect.signature(check).parameters)),
    ],
)
def test_every_field_is_documented(page: str, names: set[str]) -> None:
    """A key a user can write (or a `@check` argument) that its page never names is a gap in the docs."""
    text = (DOCS / page).read_text()
    missing = sorted(name for name in names if f"`{name}`" not in text and f"{name}:" not in text)
    assert not missing, f"docs/{page} does not document {missing}; add them to it"


def test_plugin_page_quotes_the_example_check() -> None:
    source = (
        DOCS / "examples" / "grader-plugin-example" / "src" / "grader_plugin_example" / "todo_comments.py"
    ).read_text()
    quoted = _blocks("plugins.md", "python")[0]
    for line in quoted.splitlines():
        if line.strip() and "..." not in line:
            assert line in source, f"docs/plugins.md quotes a line the example check does not have: {line!r}"
    rubric = (DOCS / "examples" / "grader-plugin-example" / "rubric.yaml").read_text()
    (quoted_rubric,) = [body for body in _blocks("plugins.md", "yaml") if "extends:" in body]
    assert yaml.safe_load(quoted_rubric) == yaml.safe_load(rubric)
