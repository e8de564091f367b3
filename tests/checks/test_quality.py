"""Edge cases of the code-quality checks, the pylint runner, and the machine-specific paths check."""

from __future__ import annotations

import dataclasses
import time

import pytest

from grader.checks.base import Category
from grader.checks.execution.no_absolute_paths import no_absolute_paths
from grader.checks.quality.copy_pasted_code import copy_pasted_code
from grader.checks.quality.long_cells import long_cells
from grader.checks.quality.pylint_score import pylint_score
from grader.checks.quality.scattered_imports import scattered_imports
from grader.checks.quality.unused_imports import unused_imports
from grader.checks.quality.warning_suppression import blanket_warning_suppression
from grader.checks.registry import default_registry
from grader.checks.runner import run_check
from grader.evidence.pylint_runner import PylintStatus, assemble, run_pylint
from grader.models.findings import CheckStatus
from grader.models.notebook import NotebookView
from tests.checks._helpers import cells_of, context, run, severities
from tests.conftest import make_notebook
from tests.test_check_examples import EXAMPLES, REGISTRY, _config, _static_result

# --------------------------------------------------------------------------- pylint


def _view(*cells: str | tuple[str, str]) -> NotebookView:
    return NotebookView.from_nodes([("analysis.ipynb", make_notebook(*cells))])


def test_assembled_code_maps_back_to_cells_and_skips_unparseable_cells() -> None:
    view = _view(("md", "# t"), "%matplotlib inline\nimport os", "def broken(:\n    pass", "x = os.sep")
    assembled = assemble(view)
    assert assembled.skipped == [2]
    lines = assembled.source.split("\n")
    where = {origin: lines[n] for n, origin in enumerate(assembled.origin) if origin is not None}
    assert where[(1, 2)] == "import os" and where[(3, 1)] == "x = os.sep"
    assert where[(1, 1)].strip() == "pass"  # the magic, neutralised on its own line


def test_pylint_messages_point_at_cells_and_notebook_noise_is_off() -> None:
    view = _view(
        "import pandas as pd\ndf = pd.DataFrame()\ndf\ndf.shape\ndisplay(df)\nX_train = df",
        ("md", "## helpers"),
        "def f(a, b=[]):\n    try:\n        return a + b\n    except:\n        return None",
    )
    report = run_pylint(view)
    assert report.status is PylintStatus.ok, report.error
    symbols = {(m.symbol, m.cell, m.line) for m in report.messages}
    assert ("dangerous-default-value", 2, 1) in symbols
    assert ("bare-except", 2, 4) in symbols
    assert not {m.symbol for m in report.messages} & {
        "pointless-statement",
        "expression-not-assigned",
        "invalid-name",
        "undefined-variable",
        "missing-module-docstring",
    }
    assert report.score is not None and 0 <= report.score < 10


def test_pylint_timeout_and_size_limits() -> None:
    view = _view("x = 1\n" * 50)
    assert run_pylint(view, timeout_s=0.001).status is PylintStatus.timeout
    assert run_pylint(view, max_lines=10).status is PylintStatus.too_large
    assert run_pylint(_view(("md", "only prose"))).status is PylintStatus.empty


def test_pylint_check_is_skipped_when_pylint_did_not_finish() -> None:
    ctx = context("x = 1")
    timed_out = dataclasses.replace(ctx, pylint=run_pylint(ctx.notebook, timeout_s=0.001))
    result = run_check(pylint_score, timed_out)
    assert result.status is CheckStatus.skipped and "timeout" in result.message
    assert run_check(pylint_score, ctx).status is CheckStatus.skipped  # no pylint at all


def test_pylint_check_scores_and_points_at_cells() -> None:
    ctx = context("import json", "def f():\n    return undefined_thing", "print(json.dumps(f()))")
    result = run_check(pylint_score, dataclasses.replace(ctx, pylint=run_pylint(ctx.notebook)))
    assert result.status is CheckStatus.failed
    assert result.metric is not None and result.metric < 10 and result.score == pytest.approx(result.metric / 10)
    assert cells_of(result) == {1} and severities(result) == ["medium"]


# --------------------------------------------------------------------------- smells


def test_long_cells_ignore_comments_and_blank_lines() -> None:
    padded = "\n".join(["# comment", "", "x = 1"] * 40)
    assert run(long_cells, padded).status is CheckStatus.passed
    result = run(long_cells, "x = 1", "\n".join(f"y{n} = {n}" for n in range(200)))
    assert cells_of(result) == {1} and severities(result) == ["medium"]


MODEL_BLOCK = """{name} = {cls}({kw})
{name}.fit(X_train, y_train)
pred_{name} = {name}.predict(X_test)
print("Accuracy:", accuracy_score(y_test, pred_{name}))
print("F1:", f1_score(y_test, pred_{name}))"""


def test_copy_pasted_model_blocks_are_found_at_every_copy() -> None:
    cells = [
        MODEL_BLOCK.format(name=n, cls=c, kw=k)
        for n, c, k in (
            ("lr", "LogisticRegression", "max_iter=1000"),
            ("dt", "DecisionTreeClassifier", ""),
            ("rf", "RandomForestClassifier", "n_estimators=200"),
        )
    ]
    result = run(
        copy_pasted_code, "import pandas as pd", cells[0], ("md", "## Tree"), cells[1], ("md", "## Forest"), cells[2]
    )
    assert result.status is CheckStatus.failed
    assert cells_of(result) == {1, 3, 5} and severities(result) == ["medium"]


def test_plot_boilerplate_and_different_code_are_not_copies() -> None:
    plot = "plt.figure(figsize=(6, 4))\nsns.histplot(df['{c}'])\nplt.title('{c}')\nplt.xlabel('{c}')\nplt.show()"
    result = run(
        copy_pasted_code,
        plot.format(c="age"),
        "X = df.drop(columns=['y'])\nmodel.fit(X, df['y'])",
        "scores = cross_val_score(model, X, y)\nprint(scores.mean())",
    )
    assert result.status is CheckStatus.passed


def test_one_late_import_is_tolerated_and_settings_belong_to_the_top() -> None:
    top = "import warnings\nwarnings.filterwarnings('ignore', category=FutureWarning)\nSEED = 42\nimport pandas as pd"
    assert (
        run(scattered_imports, top, "df = pd.read_csv('x')", "from sklearn.svm import SVC").status is CheckStatus.passed
    )
    result = run(
        scattered_imports,
        top,
        "df = pd.read_csv('x')",
        "import numpy as np",
        "x = 1",
        "def f():\n    import json\n    return json",
        "from sklearn.svm import SVC",
    )
    assert result.status is CheckStatus.failed and cells_of(result) == {2, 5}


def test_unused_imports_see_magics_and_dotted_imports() -> None:
    result = run(
        unused_imports,
        "import os.path\nimport numpy as np\nimport warnings\nfrom sklearn.svm import SVC",
        "%timeit np.zeros(3)",
        "print(os.path.sep)",
    )
    assert [f.data["names"] for f in result.problems] == [["SVC"]]


def test_warning_filters_narrow_scoped_and_pandas_options() -> None:
    fine = run(
        blanket_warning_suppression,
        "import warnings",
        "warnings.filterwarnings('ignore', category=UserWarning)",
        "warnings.simplefilter('ignore', FutureWarning)",
        "with warnings.catch_warnings():\n    warnings.simplefilter('ignore')\n    model.fit(X, y)",
    )
    assert fine.status is CheckStatus.passed
    bad = run(
        blanket_warning_suppression,
        "import warnings\nimport numpy as np\nimport pandas as pd",
        "warnings.simplefilter(action='ignore')",
        "pd.set_option('mode.chained_assignment', None)",
        "np.seterr(all='ignore')",
        "%env PYTHONWARNINGS=ignore",
    )
    assert cells_of(bad) == {1, 2, 3, 4}
    assert severities(bad) == ["low", "low", "low", "medium"]


# --------------------------------------------------------------------------- EXE004


def test_paths_that_are_not_machine_specific() -> None:
    result = run(
        no_absolute_paths,
        "import pandas as pd\ndf = pd.read_csv('data/train.csv')",
        "df['d'] = df['d'].str.replace('/', '-')\nurl = 'https://example.com/data/train.csv'",
        "df['x'].str.extract(r'^/(\\d+)/$')\nratio = '1 / 3'",
        "def load():\n    '''Reads /Users/me/notes.txt in the original setup.'''\n    return 1",
    )
    assert result.status is CheckStatus.passed


def test_machine_specific_paths() -> None:
    result = run(
        no_absolute_paths,
        "import os\nimport pandas as pd",
        "df = pd.read_csv(os.path.expanduser('~/Downloads/train.csv'))",
        "ROOT = '/home/sam/projects/churn'\ndf = pd.read_csv(f'{ROOT}/train.csv')",
        "print('/kaggle/input/churn/train.csv')",
    )
    assert cells_of(result) == {1, 2, 3}
    assert severities(result) == ["low", "medium", "medium"]


# --------------------------------------------------------------------------- speed


def test_static_checks_stay_fast_on_a_long_notebook() -> None:
    block = (
        "df['c{n}'] = df['c{n}'].fillna(df['c{n}'].median())\nsns.histplot(data=df, x='c{n}', hue='churned')\n"
        "plt.title('c{n}')\nplt.show()"
    )
    cells: list[str | tuple[str, str]] = [
        "import pandas as pd\nimport seaborn as sns\nimport matplotlib.pyplot as plt\n"
        "df = pd.read_csv('data/train.csv')\ndf.info()\ndf.describe()"
    ]
    for n in range(150):
        cells += [
            (
                "md",
                f"## Column {n}\n\nThe distribution of c{n} is skewed, so I use the median because it is "
                "robust to the long tail.",
            ),
            block.format(n=n),
        ]
    ctx = context(*cells, task="churn")
    specs = [
        s
        for s in default_registry()
        if s.category in (Category.eda, Category.docs, Category.quality) and s.id != "QUAL001"
    ] + [no_absolute_paths]
    started = time.perf_counter()
    for spec in specs:
        assert run_check(spec, ctx).status is not CheckStatus.error
    elapsed = time.perf_counter() - started
    # About 0.3 s on an idle laptop; the bound leaves room for a loaded CI machine.
    assert elapsed < 3.0, f"{len(specs)} checks took {elapsed:.2f} s on 301 cells"


# --------------------------------------------------------------------------- scoring invariant

MINE = ("EDA", "DOC", "QUAL", "EXE004")


@pytest.mark.parametrize("folder", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name.startswith(MINE)))
def test_every_lost_point_has_a_finding(folder: str) -> None:
    """Proportional scores below 1 come with at least one problem finding that explains the loss."""
    spec = REGISTRY.get(folder)
    config = _config(EXAMPLES / folder)
    for path in sorted((EXAMPLES / folder).iterdir()):
        if path.suffix not in (".py", ".ipynb"):
            continue
        result = _static_result(spec, path, config)
        if result.score is not None and result.score < 1:
            assert result.problems, f"{folder}/{path.name}: score {result.score} without a problem finding"
        if result.problems:
            assert result.score is None or result.score < 1, f"{folder}/{path.name}: findings but full score"


@pytest.mark.parametrize(
    "cells",
    [
        (),
        (("md", "only prose, no code at all"),),
        ("def broken(:\n    pass", "%%bash\nls -la", "!pip install xgboost", "df.plot?"),
        ("x = 1",),
    ],
    ids=["empty", "markdown-only", "unparseable-and-magics", "one-line"],
)
def test_checks_never_crash_on_odd_notebooks(cells: tuple[str | tuple[str, str], ...]) -> None:
    ctx = context(*cells, task="churn", files={"README.md": ""})
    ctx = dataclasses.replace(ctx, pylint=run_pylint(ctx.notebook))
    for spec in [s for s in REGISTRY if s.id.startswith(MINE)]:
        result = run_check(spec, ctx)
        assert result.status is not CheckStatus.error, f"{spec.id}: {result.error}"
        if result.score is not None and result.score < 1:
            assert result.problems and result.status is CheckStatus.failed, f"{spec.id}: {result.message}"
