"""A disguised copy is still found, transformation by transformation; independent solutions are not paired.

Each assignment's sample submissions are independent solutions. A batch is the originals
plus one disguised copy of each of three of them (a long notebook, a short one, one in
two notebooks); the copies must be paired with their originals and with nothing else.
"""

from __future__ import annotations

import ast
import itertools
import random
from pathlib import Path

import pytest

from grader.similarity.detect import find_similar
from grader.similarity.fingerprint import parse_cell
from grader.similarity.models import SimilarityResult
from grader.similarity.sources import NotebookSource, load_submission
from tests.corpus import SUBMISSIONS
from tests.similarity.disguise import (
    TRANSFORMATIONS_AND_ALL,
    copy_of,
    independent,
    read_notebooks,
    reformat,
    source_of,
    write_submission,
)

#: Copied in every test: the longest churn notebook, the shortest fraud one, a two-notebook submission.
COPIED = ("churn/priya-raman", "fraud/kevin_nguyen", "churn/tomasz-kowalczyk", "delivery/amara_okafor")


def _sources(folder: Path) -> list[NotebookSource]:
    return [load_submission(p.name, p) for p in sorted(folder.iterdir()) if p.is_dir()]


def _batch(tmp_path: Path, assignment: str, transformation: str | None) -> SimilarityResult:
    for folder in sorted((SUBMISSIONS / assignment).iterdir()):
        if not folder.is_dir():
            continue
        write_submission(tmp_path / folder.name, read_notebooks(folder))
        if transformation and f"{assignment}/{folder.name}" in COPIED:
            write_submission(tmp_path / f"{folder.name}--copy", copy_of(folder, transformation, seed=1))
    return find_similar(_sources(tmp_path))


def _applies(transformation: str, notebooks: list[dict]) -> bool:
    """Whether the notebook gives the transformation something to do (a comment, two independent cells)."""
    code = [s for s in _code(notebooks) if s.strip()]
    if transformation == "comments":
        return any("#" in s for s in code)
    if transformation == "reorder":
        return any(independent(a, b) for a, b in itertools.pairwise(code))
    return True


def _code(notebooks: list[dict]) -> list[str]:
    return [source_of(c) for nb in notebooks for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("transformation", sorted(TRANSFORMATIONS_AND_ALL))
def test_a_disguised_copy_is_found_and_nothing_else(tmp_path: Path, transformation: str) -> None:
    for assignment in ("churn", "fraud", "delivery"):
        copied = [c.split("/")[1] for c in COPIED if c.startswith(assignment + "/")]
        for name in copied:
            original = read_notebooks(SUBMISSIONS / assignment / name)
            copy = copy_of(SUBMISSIONS / assignment / name, transformation, seed=1)
            sources = [source_of(c) for nb in original.values() for c in nb["cells"]]
            changed = [source_of(c) for nb in copy.values() for c in nb["cells"]]
            if _applies(transformation, list(original.values())):
                assert changed != sources, f"{transformation} did not change {assignment}/{name}"
            # The copy is still valid Python wherever the original was.
            broken = sum(parse_cell(s) is None for s in _code(list(copy.values())))
            assert broken <= sum(parse_cell(s) is None for s in _code(list(original.values())))
        result = _batch(tmp_path / assignment, assignment, transformation)
        pairs = {(p.a, p.b) for p in result.pairs}
        assert pairs == {(name, f"{name}--copy") for name in copied}, (transformation, result.pairs)
        for pair in result.pairs:
            assert pair.score >= 0.5 and pair.matched_cells


@pytest.mark.parametrize("assignment", ["churn", "fraud", "delivery"])
def test_independent_solutions_are_not_paired(tmp_path: Path, assignment: str) -> None:
    result = _batch(tmp_path, assignment, None)
    assert result.notebooks == len([p for p in (SUBMISSIONS / assignment).iterdir() if p.is_dir()])
    assert result.pairs == []
    # Candidates come from the LSH index, not from comparing every pair.
    assert result.candidates < result.all_pairs


def test_reformatting_keeps_the_syntax_tree() -> None:
    original = list(read_notebooks(SUBMISSIONS / "churn" / "priya-raman").values())
    changed = reformat(original, random.Random(3))
    for before, after in zip(_code(original), _code(changed), strict=True):
        tree = parse_cell(before)
        if tree is not None and "%" not in before and "!" not in before:
            assert ast.dump(ast.parse(after)) == ast.dump(tree)
