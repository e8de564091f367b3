"""Small batches for the similarity tests: an assignment with starter code, submissions built from the corpus.

Every submission is made of real sample notebooks (independent solutions), so only the
copying the test plants can pair them.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from grader.checks.registry import default_registry
from grader.pipeline.grading import Grader, GradingOptions
from grader.scoring.rubric_file import load_rubric_file
from grader.submission.assignment import load_assignment
from tests.corpus import ASSIGNMENTS, SUBMISSIONS
from tests.similarity.disguise import copy_of, new_cell, read_notebooks, write_submission

#: Starter code the hiring team hands out: helpers for loading, checking, evaluating and writing predictions.
STARTER = [
    ("markdown", "# Brightwave churn take-home\n\nUse the helpers below to load the data. Explain every decision."),
    (
        "code",
        "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
        "from sklearn.metrics import roc_auc_score, average_precision_score, f1_score, confusion_matrix\n\n"
        "DATA_DIR = 'data'\nTARGET = 'churned'\nID = 'customer_id'\n\n"
        "def load_table(name, parse_dates=None):\n"
        "    frame = pd.read_csv(f'{DATA_DIR}/{name}', parse_dates=parse_dates)\n"
        "    frame.columns = [c.strip().lower() for c in frame.columns]\n"
        "    return frame\n\n"
        "def describe_missing(frame):\n"
        "    missing = frame.isna().mean().sort_values(ascending=False)\n"
        "    return missing[missing > 0].to_frame('share_missing')\n\n"
        "def check_ids(train, test):\n"
        "    overlap = set(train[ID]) & set(test[ID])\n"
        "    duplicated = train[ID].duplicated().sum()\n"
        "    print(f'{len(overlap)} ids in both tables, {duplicated} duplicated ids in train')\n"
        "    return len(overlap) == 0 and duplicated == 0\n",
    ),
    (
        "code",
        "def plot_target_rate(frame, column, target=TARGET):\n"
        "    rates = frame.groupby(column)[target].mean().sort_values()\n"
        "    ax = rates.plot(kind='barh', figsize=(6, 4), title=f'{target} rate by {column}')\n"
        "    ax.set_xlabel(f'{target} rate')\n"
        "    plt.tight_layout()\n"
        "    return ax\n\n"
        "def plot_numeric_by_target(frame, column, target=TARGET, bins=30):\n"
        "    fig, ax = plt.subplots(figsize=(6, 4))\n"
        "    for value, part in frame.groupby(target):\n"
        "        ax.hist(part[column].dropna(), bins=bins, alpha=0.5, density=True, label=f'{target}={value}')\n"
        "    ax.set_title(column)\n"
        "    ax.legend()\n"
        "    return ax\n",
    ),
    (
        "code",
        "def evaluate(y_true, probabilities, threshold=0.5):\n"
        "    predicted = (np.asarray(probabilities) >= threshold).astype(int)\n"
        "    scores = {\n"
        "        'roc_auc': roc_auc_score(y_true, probabilities),\n"
        "        'average_precision': average_precision_score(y_true, probabilities),\n"
        "        'f1': f1_score(y_true, predicted),\n"
        "    }\n"
        "    tn, fp, fn, tp = confusion_matrix(y_true, predicted).ravel()\n"
        "    scores.update(precision=tp / max(tp + fp, 1), recall=tp / max(tp + fn, 1))\n"
        "    return pd.Series(scores).round(4)\n\n"
        "def best_threshold(y_true, probabilities, grid=None):\n"
        "    grid = np.linspace(0.05, 0.95, 19) if grid is None else grid\n"
        "    results = [(t, f1_score(y_true, (np.asarray(probabilities) >= t).astype(int))) for t in grid]\n"
        "    return max(results, key=lambda item: item[1])\n\n"
        "def write_predictions(ids, labels, probabilities, path='predictions.csv'):\n"
        "    out = pd.DataFrame({ID: ids, TARGET: labels, 'churn_probability': probabilities})\n"
        "    assert out[ID].is_unique, 'one row per customer'\n"
        "    assert out['churn_probability'].between(0, 1).all(), 'probabilities in [0, 1]'\n"
        "    out.to_csv(path, index=False)\n"
        "    return out.shape\n",
    ),
    ("code", "train = load_table('train.csv')\ntest = load_table('test_features.csv')\ncheck_ids(train, test)"),
]


def notebook_with(cells: list[tuple[str, str]], rest: dict[str, Any] | None = None) -> dict[str, Any]:
    """A notebook made of these (kind, source) cells, followed by another notebook's cells."""
    rng = random.Random(len(cells))
    notebook = json.loads(json.dumps(rest)) if rest else {"nbformat": 4, "nbformat_minor": 5, "metadata": {}}
    notebook["cells"] = [new_cell(kind, source, rng) for kind, source in cells] + (rest or {}).get("cells", [])
    return notebook


def corpus_notebook(name: str) -> dict[str, Any]:
    """The (first) notebook of a churn sample submission."""
    return next(iter(read_notebooks(SUBMISSIONS / "churn" / name).values()))


def make_assignment(folder: Path) -> Path:
    """The churn assignment, with a `starter/` folder holding the starter notebook."""
    shutil.copytree(ASSIGNMENTS / "churn", folder)
    write_submission(folder / "starter", {"starter.ipynb": notebook_with(STARTER)})
    return folder


def static_grader(assignment: Path) -> Grader:
    """A grader that runs nothing and skips pylint: the similarity stage needs only the notebooks."""
    registry = default_registry()
    loaded = load_assignment(assignment)
    return Grader(
        rubric=load_rubric_file(loaded.rubric_path(), registry),
        registry=registry,
        assignment=loaded,
        options=GradingOptions(execute=False, pylint=False),
    )


def write_batch(root: Path) -> dict[str, Path]:
    """Submissions, references and a base folder; returns their folders.

    - alice and bob both kept the starter code, then wrote independent solutions;
    - carol handed in alice's notebook, disguised (renamed, reformatted, cells split and merged ...);
    - dave and erin both pasted the same allowed snippet from the base folder into independent solutions;
    - frank's notebook is a lightly renamed copy of a public solution in the references folder.
    """
    submissions, references, base = root / "submissions", root / "references", root / "base"
    alice = notebook_with(STARTER, corpus_notebook("chen-wei"))
    write_submission(submissions / "alice", {"analysis.ipynb": alice})
    write_submission(submissions / "bob", {"analysis.ipynb": notebook_with(STARTER, corpus_notebook("maria-gonzalez"))})
    write_submission(submissions / "carol", copy_of(submissions / "alice", "all", seed=4))
    snippet = [("code", "\n\n".join(source for kind, source in STARTER[1:4]).replace("load_table", "read_table"))]
    write_submission(base, {"allowed_helpers.ipynb": notebook_with(snippet)})
    write_submission(submissions / "dave", {"work.ipynb": notebook_with(snippet, corpus_notebook("oliver-brandt"))})
    write_submission(submissions / "erin", {"work.ipynb": notebook_with(snippet, corpus_notebook("sofia-rossi"))})
    write_submission(references / "kaggle-churn-tutorial", read_notebooks(SUBMISSIONS / "churn" / "ryan-mitchell"))
    write_submission(submissions / "frank", copy_of(references / "kaggle-churn-tutorial", "rename", seed=2))
    write_submission(submissions / "gina", read_notebooks(SUBMISSIONS / "churn" / "lucia-fernandez"))
    return {"submissions": submissions, "references": references, "base": base}
