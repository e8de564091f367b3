"""What is not evidence of copying: starter code, a base folder, imports, lines common to the batch.

Each test has its control: the same notebooks are paired when the exclusion is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.errors import ConfigError
from grader.models.assignment import Assignment
from grader.pipeline.similarity import SimilarityOptions, run_similarity, starter_sources
from grader.similarity.detect import find_similar
from grader.similarity.sources import NotebookSource, cells_of, load_code_folder
from grader.submission.assignment import load_assignment
from tests.corpus import SUBMISSIONS
from tests.similarity.batches import STARTER, corpus_notebook, make_assignment, notebook_with, static_grader
from tests.similarity.disguise import read_notebooks


def _source(name: str, notebook: dict) -> NotebookSource:
    return NotebookSource(name=name, cells=cells_of([notebook]), path=Path(name))


def _pairs(sources: list[NotebookSource], **kw: object) -> set[tuple[str, str]]:
    return {(p.a, p.b) for p in find_similar(sources, **kw).pairs}  # type: ignore[arg-type]


def _with_block(block: list[tuple[str, str]], names: list[str]) -> list[NotebookSource]:
    return [_source(name, notebook_with(block, corpus_notebook(name))) for name in names]


def test_starter_code_everyone_kept_does_not_pair_independent_solutions() -> None:
    sources = _with_block(STARTER, ["kevin-walsh", "ryan-mitchell"])
    starter = [_source("starter.ipynb", notebook_with(STARTER))]
    assert _pairs(sources) == {("kevin-walsh", "ryan-mitchell")}
    assert _pairs(sources, excluded=starter) == set()


def test_a_copy_is_still_found_when_both_kept_the_starter_code() -> None:
    sources = _with_block(STARTER, ["kevin-walsh", "ryan-mitchell"])
    copy = notebook_with(STARTER, corpus_notebook("kevin-walsh"))
    copy["cells"] = copy["cells"][:-3]  # a copy need not be complete
    sources.append(_source("zed", copy))
    starter = [_source("starter.ipynb", notebook_with(STARTER))]
    assert _pairs(sources, excluded=starter) == {("kevin-walsh", "zed")}


def test_code_in_the_base_folder_does_not_pair_independent_solutions(tmp_path: Path) -> None:
    helpers = "\n\n".join(source for kind, source in STARTER if kind == "code")
    sources = _with_block([("code", helpers)], ["kevin-walsh", "ryan-mitchell"])
    (tmp_path / "helpers.py").write_text("# %% allowed helpers\n" + helpers)
    base = load_code_folder(tmp_path)
    assert [b.name for b in base] == ["helpers.py"]
    assert _pairs(sources) == {("kevin-walsh", "ryan-mitchell")}
    assert _pairs(sources, excluded=base) == set()


def test_lines_common_to_a_large_share_of_the_batch_do_not_count() -> None:
    everyone = sorted(p.name for p in (SUBMISSIONS / "churn").iterdir() if p.is_dir())
    block = STARTER
    # The same block in every notebook of the batch: common, so no pair (even without a starter folder).
    assert _pairs(_with_block(block, everyone)) == set()
    # In two of sixteen it is not common: those two are paired.
    two = ["kevin-walsh", "ryan-mitchell"]
    sources = _with_block(block, two) + [
        _source(n, next(iter(read_notebooks(SUBMISSIONS / "churn" / n).values()))) for n in everyone if n not in two
    ]
    assert _pairs(sources) == {("kevin-walsh", "ryan-mitchell")}


def test_imports_are_not_evidence() -> None:
    imports = "\n".join(
        f"from sklearn.{module} import {name}"
        for module, name in [
            ("model_selection", "train_test_split"),
            ("model_selection", "StratifiedKFold"),
            ("model_selection", "cross_val_score"),
            ("model_selection", "GridSearchCV"),
            ("preprocessing", "StandardScaler"),
            ("preprocessing", "OneHotEncoder"),
            ("compose", "ColumnTransformer"),
            ("pipeline", "Pipeline"),
            ("impute", "SimpleImputer"),
            ("linear_model", "LogisticRegression"),
            ("ensemble", "RandomForestClassifier"),
            ("ensemble", "HistGradientBoostingClassifier"),
            ("metrics", "roc_auc_score"),
            ("metrics", "average_precision_score"),
            ("metrics", "f1_score"),
            ("metrics", "classification_report"),
        ]
    )
    sources = _with_block([("code", "import numpy as np\nimport pandas as pd\n" + imports)], ["chen-wei", "mei-lin"])
    assert _pairs(sources) == set()


def test_the_assignment_starter_folder_is_found_and_must_stay_inside(tmp_path: Path) -> None:
    folder = make_assignment(tmp_path / "assignment")
    loaded = load_assignment(folder)
    assert loaded.assignment.starter == "starter"
    assert [s.name for s in starter_sources(loaded)] == ["starter.ipynb"]
    outside = tmp_path / "elsewhere"
    (folder / "starter").rename(outside)
    os.symlink(outside, folder / "starter")
    with pytest.raises(ConfigError, match="outside the assignment folder"):
        starter_sources(loaded)
    # In a batch, the stage records its failure; the batch's reports and summaries are still written.
    failed = run_similarity([], {}, tmp_path / "out", grader=static_grader(folder), options=SimilarityOptions())
    assert failed.error is not None and "outside the assignment folder" in failed.error
    with pytest.raises(ValueError, match="relative path inside"):
        Assignment.model_validate({**loaded.assignment.model_dump(mode="json"), "starter": "../shared"})
