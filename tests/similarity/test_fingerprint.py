"""Normalisation and fingerprints: what must not matter does not, and what must matter does."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from grader.similarity.boilerplate import Boilerplate
from grader.similarity.compare import fingerprint, score
from grader.similarity.fingerprint import (
    CellKind,
    CellSource,
    kgram_hashes,
    markdown_words,
    notebook_units,
    token_id,
    winnow,
)
from grader.similarity.models import SimilarityParams
from tests.conftest import REPO

PARAMS = SimilarityParams()


def _code_tokens(*sources: str) -> list[tuple[int, ...]]:
    cells = [CellSource(i, CellKind.code, s) for i, s in enumerate(sources)]
    return [u.tokens for c in notebook_units("nb", cells).cells for u in c.units]


def test_names_the_notebook_binds_comments_and_formatting_do_not_matter() -> None:
    original = _code_tokens(
        "import pandas as pd\n"
        "def add_ratio(frame, col):\n"
        "    # ratio of charges to tenure\n"
        "    frame['ratio'] = frame[col] / (frame['tenure'] + 1)\n"
        "    return frame\n"
        "df = add_ratio(pd.read_csv('data/train.csv'), col='monthly_charges')\n"
    )
    disguised = _code_tokens(
        "import pandas as pandas_lib\n"
        "def f9(d,   c):\n"
        '    d["x"]=d[c]/(d["months"]+2)\n'
        "    return d\n"
        "\n"
        "table = f9(\n    pandas_lib.read_csv('other.csv'),\n    c='x'\n)\n"
    )
    assert original == disguised


def test_library_names_keywords_and_methods_stay() -> None:
    fit = _code_tokens("model = LogisticRegression(C=1.0)\nmodel.fit(X, y)")
    other_call = _code_tokens("model = LogisticRegression(max_iter=1)\nmodel.fit(X, y)")
    other_method = _code_tokens("model = LogisticRegression(C=1.0)\nmodel.predict(X, y)")
    assert fit != other_call and fit != other_method


def test_import_aliases_become_what_they_import() -> None:
    assert _code_tokens("import numpy as np\nx = np.log1p(v)") == _code_tokens("import numpy\nx = numpy.log1p(v)")
    assert _code_tokens("from sklearn.metrics import roc_auc_score as auc\ns = auc(y, p)") == _code_tokens(
        "from sklearn.metrics import roc_auc_score\ns = roc_auc_score(y, p)"
    )


def test_imports_pass_and_docstrings_are_not_units() -> None:
    assert _code_tokens("import os\nfrom math import log\npass", '"""A docstring."""') == []


def test_a_cell_python_cannot_parse_still_gets_units() -> None:
    tokens = _code_tokens("df = load(\n%matplotlib inline\nprint(df.shape")
    assert tokens and all(tokens)


def test_markdown_words_drop_markup_case_and_stop_words() -> None:
    assert markdown_words("## The **Model** is a [baseline](http://x.org) of `sklearn`") == [
        "model",
        "baseline",
        "sklearn",
    ]


def test_winnowing_keeps_every_shared_run_of_window_plus_k_minus_one_tokens() -> None:
    rng = random.Random(7)
    k, w = PARAMS.k, PARAMS.window
    for _ in range(50):
        shared = [token_id(str(rng.randint(0, 40))) for _ in range(w + k - 1)]
        left = [token_id(f"a{rng.randint(0, 9)}") for _ in range(rng.randint(0, 30))] + shared
        right = shared + [token_id(f"b{rng.randint(0, 9)}") for _ in range(rng.randint(0, 30))]
        left_hashes, right_hashes = kgram_hashes(left, k), kgram_hashes(right, k)
        chosen_left = {int(left_hashes[i]) for i in winnow(left_hashes, w)}
        chosen_right = {int(right_hashes[i]) for i in winnow(right_hashes, w)}
        assert chosen_left & chosen_right


def test_fingerprints_are_the_same_in_every_process() -> None:
    # Python salts its string hashes per process; fingerprints must not depend on that.
    program = (
        "from grader.similarity.boilerplate import Boilerplate\n"
        "from grader.similarity.compare import fingerprint\n"
        "from grader.similarity.fingerprint import CellSource, notebook_units\n"
        "from grader.similarity.models import SimilarityParams\n"
        "cells = [CellSource(0, 'code', 'df = pd.read_csv(path)\\nmodel = fit_model(df, depth=3)\\n' * 3),\n"
        "         CellSource(1, 'markdown', 'The baseline model scores well on the holdout set today')]\n"
        "print(sorted(fingerprint(notebook_units('x', cells), SimilarityParams(), Boilerplate()).fingerprints))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1 and len(outputs.pop()) > 10


def test_score_is_the_share_of_the_smaller_notebook_found_in_the_other() -> None:
    shared = [f"v{i} = compute_{i}(frame, axis={i})\nprint(v{i}.describe())" for i in range(12)]
    extra = [f"w{i} = other_{i}(frame)[{i}:]\nw{i}.plot(kind='bar')" for i in range(12)]
    a = notebook_units("a", [CellSource(i, CellKind.code, s) for i, s in enumerate(shared)])
    b = notebook_units("b", [CellSource(i, CellKind.code, s) for i, s in enumerate(shared + extra)])
    scored = score(fingerprint(a, PARAMS, Boilerplate()), fingerprint(b, PARAMS, Boilerplate()), PARAMS)
    assert scored.score == pytest.approx(1.0)
