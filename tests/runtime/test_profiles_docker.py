"""Runtime profiles with real sandboxes: notebooks of each era, pandas 3 changes, retries, and submission shapes.

Every submission below is graded once per session (two sandboxes at a time) and the tests
read the reports. Each era's notebook runs `ok` on its own profile (the tracer works
there too), fails on `current` with the failure triaged `environment` and the library
change named, and the automatic retry grades it on its own profile.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from grader.api import load_assignment
from grader.checks.registry import default_registry
from grader.models.execution import CellStatus, ErrorClass, PackageStatus, RunStatus
from grader.models.report import Report
from grader.models.runtime import ChoiceSource
from grader.pipeline.grading import Grader, GradingOptions
from grader.rendering import render_report_html
from grader.scoring.rubric_file import load_rubric_file
from tests.conftest import REPO, write_submission

pytestmark = pytest.mark.docker

#: A small customers file in the style of a public churn dataset (Yes/No labels, text columns).
ROWS = 240


def customers_csv(conflict: bool = False) -> str:
    lines = ["tenure,monthly,contract,Churn"]
    for i in range(ROWS):
        contract = ("Month-to-month", "One year", "Two year")[i % 3]
        churn = "Yes" if (i * 7) % 10 < 3 or (contract == "Month-to-month" and i % 4 == 0) else "No"
        lines.append(f"{1 + (i * 13) % 70},{20 + (i * 37) % 90}.5,{contract},{churn}")
        if conflict and i == 100:
            lines += ["<<<<<<< HEAD", f"{i},55.5,One year,No", "=======", f"{i},56.5,One year,No", ">>>>>>> fix-data"]
    return "\n".join(lines) + "\n"


IMPORTS = "import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression"
READ = 'df = pd.read_csv("customers.csv")\nprint(df.shape)'
#: pandas' Styler (`DataFrame.style`) needs Jinja2, which every image carries.
STYLED = 'print(df[["tenure", "monthly"]].describe().style.format("{:.1f}").background_gradient().to_html()[:6])'
#: A notebook of 2022 (pandas 1.x): `DataFrame.append`, and reductions that dropped text columns silently.
ERA_2022 = [
    IMPORTS,
    READ + "\nextra = df.head(5)\nboth = df.append(extra)\nprint(both.shape)",
    "means = both.mean()\nprint(means.round(2))\nprint(df.corr().round(2))",
    'X = df[["tenure", "monthly"]]\ny = (df["Churn"] == "Yes").astype(int)\n'
    "model = LogisticRegression(max_iter=500).fit(X, y)\nprint(round(model.score(X, y), 2))",
    'df.to_excel("summary.xlsx")\nprint(pd.read_excel("summary.xlsx").shape)',
    STYLED,
]
#: A notebook of 2024 (pandas 2.x): chained inplace, `np.sum(df == ...)[0]`, positional `Series[0]`.
ERA_2024 = [
    IMPORTS,
    READ + '\ndf["Churn"].replace({"Yes": 1, "No": 0}, inplace=True)',
    'churners = df[df["Churn"] == 1]\nprint(churners.iloc[0]["tenure"])',
    'yes = np.sum(df[["contract"]] == "One year")[0]\nprint(yes)',
    'counts = df["contract"].value_counts()\nprint(counts[0])',
    'X = df[["tenure", "monthly"]]\nmodel = LogisticRegression(max_iter=500).fit(X, df["Churn"])\n'
    "print(round(model.score(X, df['Churn']), 2))",
    'df.to_parquet("clean.parquet")\nprint(pd.read_parquet("clean.parquet").shape)',
    STYLED,
]
#: Scaled before the split: the tracer must see the scaler fitted on every row, test rows included.
TRACED_LEAK = [
    IMPORTS
    + "\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import StandardScaler",
    READ + '\nX = StandardScaler().fit_transform(df[["tenure", "monthly"]])\ny = (df["Churn"] == "Yes").astype(int)',
    "X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)",
    "model = LogisticRegression().fit(X_tr, y_tr)\nprint(round(model.score(X_te, y_te), 3))",
]
#: One notebook per pandas 3 change: (cells, the change triage must name).
PANDAS3 = {
    "str_dtype": (
        [
            IMPORTS,
            READ,
            'cats = [c for c in df.columns if df[c].dtype == "object" and c != "Churn"]\n'
            'X = pd.get_dummies(df.drop(columns=["Churn"]), columns=cats)\n'
            'model = LogisticRegression(max_iter=500).fit(X, df["Churn"])',
        ],
        "pandas-3.0-str-dtype",
    ),
    "copy_on_write": (
        [
            IMPORTS,
            READ + '\ndf["Churn"].replace({"Yes": 1, "No": 0}, inplace=True)',
            'churners = df[df["Churn"] == 1]\nprint(churners.iloc[0]["tenure"])',
        ],
        "pandas-3.0-copy-on-write",
    ),
    "replace_downcast": (
        [
            IMPORTS,
            READ,
            'y = df["Churn"].replace({"Yes": 1, "No": 0})\n'
            'model = LogisticRegression(max_iter=500).fit(df[["tenure", "monthly"]], y)',
        ],
        "pandas-3.0-replace-no-downcast",
    ),
    "axis_none_sum": (
        [IMPORTS, READ, 'share = np.sum(df == "Yes")[0] / len(df)\nprint(share)'],
        "pandas-3.0-axis-none-reduction",
    ),
    "positional_getitem": (
        [IMPORTS, READ, 'counts = df["Churn"].value_counts()\nprint(counts[0])'],
        "pandas-3.0-positional-getitem",
    ),
    "str_setitem": (
        [IMPORTS, READ, 'df.loc[df["Churn"] == "Yes", "Churn"] = 1'],
        "pandas-3.0-str-dtype-setitem",
    ),
    "drop_axis_and_columns": (
        [IMPORTS, READ, 'X = df.drop(columns=["Churn"], axis=1)\nprint(X.shape)'],
        "pandas-3.0-drop-axis-and-columns",
    ),
    "incompatible_setitem": (
        [IMPORTS, READ, 'df.loc[df["tenure"] > 60, "tenure"] = 60.5\nprint(df["tenure"].max())'],
        "pandas-3.0-incompatible-setitem",
    ),
}


def _submission(folder: Path, cells: list[str], *, csv: str | None = None, name: str = "analysis.ipynb") -> Path:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    write_submission(folder, *cells, name=name)
    if csv is not None:
        (folder / "customers.csv").write_text(csv, encoding="utf-8")
    return folder


def _assignment(folder: Path, **changes: object) -> Path:
    shutil.copytree(REPO / "sample_datasets" / "churn", folder, dirs_exist_ok=True)
    spec = yaml.safe_load((folder / "assignment.yaml").read_text())
    spec.update(changes)
    (folder / "assignment.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory, sandbox, profile_images) -> dict[str, Report]:  # type: ignore[no-untyped-def]
    """name → report, for every submission of this module, graded two at a time."""
    del profile_images
    root = tmp_path_factory.mktemp("profiles")
    registry = default_registry()
    # The sample brief names the environment (`runtime: current`); these hiring teams leave it to the grader.
    churn = load_assignment(_assignment(root / "churn-auto", runtime="auto"))
    catboost = load_assignment(
        _assignment(
            root / "churn-catboost", name="churn-catboost", packages="allow_list", allowed_packages=["catboost"]
        )
    )

    def grader(assignment=churn, profile: str | None = None) -> Grader:  # type: ignore[no-untyped-def]
        return Grader(
            rubric=load_rubric_file(assignment.rubric_path(), registry),
            registry=registry,
            assignment=assignment,
            sandbox=sandbox,
            options=GradingOptions(write_html=True, profile=profile),
        )

    subs = root / "subs"
    csv = customers_csv()
    jobs: dict[str, tuple[Grader, Path]] = {}
    for era, cells in (("2022", ERA_2022), ("2024", ERA_2024)):
        folder = _submission(subs / f"era{era}", cells, csv=csv)
        jobs[f"era{era}@own"] = (grader(profile=era), folder)
        jobs[f"era{era}@current"] = (grader(profile="current"), folder)
        jobs[f"era{era}@auto"] = (grader(), folder)
    traced = _submission(subs / "traced", TRACED_LEAK, csv=csv)
    for profile in ("current", "2024", "2022"):
        jobs[f"traced@{profile}"] = (grader(profile=profile), traced)
    for name, (cells, _) in PANDAS3.items():
        jobs[f"pandas3:{name}"] = (grader(profile="current"), _submission(subs / name, cells, csv=csv))
    jobs["merge_conflict"] = (
        grader(profile="current"),
        _submission(
            subs / "merge_conflict",
            [
                IMPORTS,
                READ,
                'X = df[["tenure", "monthly"]].astype(float)\n'
                'model = LogisticRegression(max_iter=500).fit(X, df["Churn"])',
            ],
            csv=customers_csv(conflict=True),
        ),
    )
    jobs["catboost"] = (
        grader(catboost, profile="current"),
        _submission(
            subs / "catboost",
            [
                IMPORTS + "\nimport catboost\nfrom catboost import CatBoostClassifier",
                READ,
                'X = df[["tenure", "monthly"]]\nclf = CatBoostClassifier(iterations=20, verbose=0, random_seed=0)\n'
                'clf.fit(X, df["Churn"])\nprint(catboost.__version__, round(clf.score(X, df["Churn"]), 2))',
                'df.to_excel("summary.xlsx")\nprint(pd.read_excel("summary.xlsx").shape)',
                STYLED,
            ],
            csv=csv,
        ),
    )
    own = subs / "own_file"
    _submission(
        own,
        [IMPORTS, 'df = pd.read_csv(r"C:\\Users\\jane\\churn\\train.csv")\nprint(df["Churn"].value_counts())'],
    )
    (own / "train.csv").write_text(csv, encoding="utf-8")  # its own columns, not the assignment's train.csv
    jobs["own_file"] = (grader(profile="current"), own)
    repo = subs / "repository"
    _submission(
        repo, ['import pandas as pd\ntrain = pd.read_csv("data/train.csv")', "print(train.shape)"], name="01_eda.ipynb"
    )
    _submission(
        repo,
        [
            'import pandas as pd\ntrain = pd.read_csv("data/train.csv")',
            "print(train.shape)",
            "print(undefined_in_task2)",
        ],
        name="task2.ipynb",
    )
    _submission(repo, ["1 + 1"], name="Practice/Untitled.ipynb")
    _submission(repo, ['houses = pd.read_csv("housing.csv")\nhouses.describe()'], name="regression.ipynb")
    jobs["repository"] = (grader(profile="current"), repo)

    out = root / "out"

    def grade(item: tuple[str, tuple[Grader, Path]]) -> tuple[str, Report]:
        name, (g, folder) = item
        return name, g.grade(folder, out_dir=out / name.replace(":", "_").replace("@", "_"), name=name)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(grade, jobs.items()))


def _failures(report: Report) -> list[tuple[int, str | None, str | None]]:
    return [
        (c.index, c.error_name, (c.error_value or "")[:200])
        for c in report.execution.cells
        if c.status is not CellStatus.ok
    ]


@pytest.mark.parametrize("era", ["2022", "2024"])
def test_an_eras_notebook_runs_ok_on_its_own_profile_traced(era: str, graded: dict[str, Report]) -> None:
    report = graded[f"era{era}@own"]
    assert report.execution.status is RunStatus.ok, _failures(report)
    assert report.execution.profile == era and report.execution.profile_choice.how is ChoiceSource.option  # type: ignore[union-attr]
    assert report.execution.packages["pandas"].startswith({"2022": "1.5", "2024": "2.2"}[era])
    assert report.execution.tracing == "ok", report.execution.tracing


@pytest.mark.parametrize("profile", ["current", "2024", "2022"])
def test_the_runtime_tracer_records_the_fits_in_every_profile(profile: str, graded: dict[str, Report]) -> None:
    report = graded[f"traced@{profile}"]
    assert report.execution.status is RunStatus.ok and report.execution.tracing == "ok", _failures(report)
    leak = next(r for r in report.checks if r.id == "LEAK001")
    [finding] = leak.problems
    # Row counts only the runtime trace knows: 240 rows fitted, the 60 test rows among them.
    assert finding.data["fit_rows"] == ROWS and finding.data["test_rows"] == ROWS // 4, finding.data
    assert finding.data["overlap"] == ROWS // 4
    assert any(e.source.value == "trace" for e in finding.evidence)


@pytest.mark.parametrize(("era", "change"), [("2022", "pandas-2.0-append"), ("2024", "pandas-3.0-copy-on-write")])
def test_an_eras_notebook_fails_on_current_triaged_environment_with_the_change_named(
    era: str, change: str, graded: dict[str, Report]
) -> None:
    report = graded[f"era{era}@current"]
    assert report.execution.status is RunStatus.errors and report.execution.profile == "current"
    first = next(c for c in report.execution.cells if c.status is CellStatus.error)
    assert first.error_class is ErrorClass.environment, (first.error_name, first.error_value, first.triage_note)
    assert first.library_change == change, (first.error_name, first.error_value, first.library_change)
    library, release = change.split("-")[0], change.split("-")[1]
    exe001 = next(r for r in report.checks if r.id == "EXE001")
    assert any(f"{library} {release}" in f.message for f in exe001.problems), [f.message for f in exe001.problems]
    # Nothing was charged to the candidate at full weight.
    assert all(
        c.error_class is not ErrorClass.candidate for c in report.execution.cells if c.status is CellStatus.error
    )


def test_a_consequence_failure_inherits_the_class_of_the_failure_it_follows(graded: dict[str, Report]) -> None:
    report = graded["era2022@current"]
    root = next(c for c in report.execution.cells if c.status is CellStatus.error)
    later = [c for c in report.execution.cells if c.status is CellStatus.error and c.caused_by is not None]
    assert later, _failures(report)
    assert all(c.caused_by == root.index and c.error_class is root.error_class for c in later)


@pytest.mark.parametrize("era", ["2022", "2024"])
def test_the_automatic_retry_grades_it_on_its_own_profile(era: str, graded: dict[str, Report]) -> None:
    report = graded[f"era{era}@auto"]
    assert report.execution.status is RunStatus.ok, _failures(report)
    assert report.execution.profile == era
    choice = report.execution.profile_choice
    assert choice is not None and choice.how is ChoiceSource.retry and "current" in choice.reason, choice
    runs = {r.profile: r for r in report.execution.profile_runs}
    assert runs["current"].graded is False and runs["current"].environment_failures >= 1
    assert runs[era].graded is True and runs[era].cells_failed == 0


def test_the_report_html_says_which_profile_ran_and_what_the_other_run_did(graded: dict[str, Report]) -> None:
    page = render_report_html(graded["era2024@auto"], {})
    assert "Runtime profile 2024" in page and "re-run after environment failures" in page
    assert "Other run, on profile current (not graded)" in page


@pytest.mark.parametrize("name", list(PANDAS3))
def test_each_pandas3_change_is_triaged_environment_and_named(name: str, graded: dict[str, Report]) -> None:
    report = graded[f"pandas3:{name}"]
    failing = [c for c in report.execution.cells if c.status is CellStatus.error]
    assert failing, f"{name} did not fail on pandas 3"
    first = failing[0]
    assert first.error_class is ErrorClass.environment, (first.error_name, first.error_value, first.triage_note)
    assert first.library_change == PANDAS3[name][1], (first.error_name, first.error_value, first.library_change)
    assert "pandas 3.0" in (first.triage_note or "")


def test_a_csv_with_merge_conflict_markers_is_a_data_problem(graded: dict[str, Report]) -> None:
    report = graded["merge_conflict"]
    first = next(c for c in report.execution.cells if c.status is CellStatus.error)
    assert first.error_class is ErrorClass.data, (first.error_name, first.error_value, first.triage_note)
    assert "merge-conflict markers" in (first.triage_note or "")


def test_an_allowed_package_outside_the_image_installs_with_its_dependencies(graded: dict[str, Report]) -> None:
    report = graded["catboost"]
    catboost = next(p for p in report.execution.requested_packages if p.name == "catboost")
    assert catboost.status is PackageStatus.installed, catboost
    assert "-extra-" in (report.execution.image or "")
    assert report.execution.status is RunStatus.ok, _failures(report)  # imports, fits, to_excel and .style work


def test_a_redirect_reads_the_submissions_own_file_first(graded: dict[str, Report]) -> None:
    report = graded["own_file"]
    assert report.execution.status is RunStatus.ok, _failures(report)
    assert [(r.kind, r.resolved) for r in report.execution.redirects] == [("redirect", "train.csv")]


def test_a_repository_grades_only_the_notebooks_that_read_the_data_with_local_cell_numbers(
    graded: dict[str, Report],
) -> None:
    report = graded["repository"]
    assert report.submission.notebooks == ["01_eda.ipynb", "task2.ipynb"]
    assert {n.path for n in report.submission.not_graded} == {"Practice/Untitled.ipynb", "regression.ipynb"}
    assert {c.notebook for c in report.execution.cells} == {"01_eda.ipynb", "task2.ipynb"}
    exe001 = next(r for r in report.checks if r.id == "EXE001")
    messages = [f.message for f in exe001.problems]
    assert any(m.startswith("task2.ipynb cell 2 raised NameError") for m in messages), messages
    evidence = exe001.problems[0].evidence[0]
    assert (evidence.notebook, evidence.local_cell) == ("task2.ipynb", 2) and evidence.cell == 4
    page = render_report_html(report, {})
    assert "task2.ipynb cell 2" in page and "regression.ipynb — not graded" in page
