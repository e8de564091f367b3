"""Unit tests for the pieces behind real-world grading: triage, packages, redirects (no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.execution.executor.redirects import Redirector
from grader.execution.image.derived import provide_packages
from grader.execution.packages import parse_environment_yml, parse_requirement, plan_packages
from grader.execution.triage import classify, refine
from grader.models.assignment import PackagePolicy
from grader.models.execution import CellRecord, CellStatus, DataRedirect, ErrorClass, PackageStatus
from grader.models.notebook import NotebookView
from tests.conftest import make_notebook

LIB = "File /opt/venv/lib/python3.11/site-packages/sklearn/utils/_param_validation.py:98, in validate_parameter"
PANDAS_CORR = (
    "Cell In[8], line 1\n----> 1 df.corr()\n"
    "File /opt/venv/lib/python3.11/site-packages/pandas/core/frame.py:11049, in DataFrame.corr(self)\n"
    "File /opt/venv/lib/python3.11/site-packages/pandas/core/internals/managers.py:1750, in as_array"
)


@pytest.mark.parametrize(
    ("name", "value", "trace", "expected"),
    [
        (
            "TypeError",
            "OneHotEncoder.__init__() got an unexpected keyword argument 'sparse'",
            "Cell In[4]",
            ErrorClass.environment,
        ),
        ("TypeError", "make_features() got an unexpected keyword argument 'scale'", "Cell In[4]", ErrorClass.candidate),
        (
            "InvalidParameterError",
            "The 'max_features' parameter of RandomForestClassifier must be an int in the range "
            "[1, inf), a float in the range (0.0, 1.0], a str among {'log2', 'sqrt'} or None. Got 'auto' instead.",
            LIB,
            ErrorClass.environment,
        ),
        (
            "InvalidParameterError",
            "The 'n_estimators' parameter of RandomForestClassifier must be an int in the range "
            "[1, inf). Got -5 instead.",
            LIB,
            ErrorClass.candidate,
        ),
        ("ValueError", "could not convert string to float: 'Male'", PANDAS_CORR, ErrorClass.environment),
        (
            "ValueError",
            "could not convert string to float: 'abc'",
            "Cell In[3], line 2\n----> 2 float(x)",
            ErrorClass.candidate,
        ),
        ("AttributeError", "'DataFrame' object has no attribute 'append'", "Cell In[9]", ErrorClass.environment),
        ("AttributeError", "'Model' object has no attribute 'append'", "Cell In[9]", ErrorClass.candidate),
        ("ModuleNotFoundError", "No module named 'shap'", "", ErrorClass.environment),
        ("FileNotFoundError", "[Errno 2] No such file or directory: 'C:/x.csv'", "", ErrorClass.data),
        ("ParserError", "Error tokenizing data", "", ErrorClass.data),
        ("NameError", "name 'df_clean' is not defined", "Cell In[11]", ErrorClass.candidate),
        ("CellTimeoutError", "", "", ErrorClass.resources),
        (
            "OSError",
            "'seaborn' is not a valid package style, path of style file, URL of style file, or library style name",
            "File /opt/venv/lib/python3.11/site-packages/matplotlib/style/core.py:137, in use",
            ErrorClass.environment,
        ),
    ],
)
def test_classify(name: str, value: str, trace: str, expected: ErrorClass) -> None:
    assert classify(name, value, trace, frozenset({"make_features", "Model"})) is expected


def _record(
    index: int,
    status: CellStatus,
    name: str | None = None,
    value: str | None = None,
    error_class: ErrorClass | None = None,
) -> CellRecord:
    return CellRecord(
        index=index,
        notebook="a.ipynb",
        local_index=index,
        status=status,
        error_name=name,
        error_value=value,
        error_class=error_class,
    )


def test_a_name_error_after_a_failed_cell_takes_its_class() -> None:
    cells = [
        _record(0, CellStatus.ok),
        _record(1, CellStatus.error, "TypeError", "sparse", ErrorClass.environment),
        _record(2, CellStatus.error, "NameError", "name 'prep' is not defined", ErrorClass.candidate),
        _record(3, CellStatus.error, "NameError", "name 'model' is not defined", ErrorClass.candidate),
        _record(4, CellStatus.error, "NameError", "name 'typo' is not defined", ErrorClass.candidate),
    ]
    sources = {
        0: "import pandas as pd",
        1: "X = 1\nprep = make(sparse=False)",
        2: "model = fit(prep)",
        3: "model.predict(X)",
        4: "print(typo)",
    }
    out = refine(cells, sources)
    assert [(c.error_class, c.caused_by) for c in out[2:]] == [
        (ErrorClass.environment, 1),
        (ErrorClass.environment, 1),
        (ErrorClass.candidate, None),
    ]


def test_a_key_error_after_a_one_column_read_is_a_data_problem() -> None:
    cells = [_record(0, CellStatus.ok), _record(1, CellStatus.error, "KeyError", "'churned'", ErrorClass.candidate)]
    event = DataRedirect(kind="separator", requested="data/train.csv", resolved="", cell=0, detail="semicolons")
    out = refine(cells, {0: "df = pd.read_csv('data/train.csv', sep=';')", 1: "df['churned']"}, [event])
    assert out[1].error_class is ErrorClass.data and "separator" in (out[1].triage_note or "")


def test_requirements_and_environment_files_are_parsed() -> None:
    assert parse_requirement("scikit_learn==1.2.2  # pinned") == ("scikit-learn", "==1.2.2")
    assert parse_requirement("-r base.txt") is None
    assert parse_requirement("git+https://github.com/x/y") is None
    env = "dependencies:\n  - python=3.9\n  - py-xgboost=1.7.6\n  - pip:\n    - lime==0.2.0.1\n"
    assert ("xgboost", "==1.7.6", "conda") in parse_environment_yml(env)
    assert ("lime", "==0.2.0.1", "pip") in parse_environment_yml(env)


def test_package_plan_follows_the_policy() -> None:
    nb = make_notebook(
        "import sklearn\nimport cv2\nfrom google.colab import drive\nimport helpers\nimport json",
        "import tabulate\nimport xgboost",
    )
    view = NotebookView.from_nodes([("a.ipynb", nb)])
    texts = {"requirements.txt": "jupyter\npandas==1.5.3\nshap\n"}
    files = ["a.ipynb", "helpers.py", "requirements.txt"]
    plan = {r.name: r for r in plan_packages(view, texts, files, PackagePolicy.allow_list, ["Tabulate"]).requests}
    assert set(plan) == {"scikit-learn", "opencv-python-headless", "tabulate", "xgboost", "pandas", "shap"}
    assert plan["scikit-learn"].status is PackageStatus.in_image and plan["scikit-learn"].cell == 0
    assert plan["xgboost"].status is PackageStatus.in_image  # the image's CPU build provides it
    assert plan["tabulate"].status is PackageStatus.not_attempted
    assert plan["shap"].status is PackageStatus.not_allowed and plan["shap"].sources == ["requirements.txt"]
    assert "1.5.3" in plan["pandas"].detail
    base = plan_packages(view, texts, files, PackagePolicy.base_only).requests
    assert all(r.status is not PackageStatus.not_attempted for r in base)


def test_packages_that_cannot_be_downloaded_are_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))
    nb = make_notebook("import nosuchpackage_xyz\nimport tabulate")
    view = NotebookView.from_nodes([("a.ipynb", nb)])
    plan = plan_packages(view, {}, ["a.ipynb"], PackagePolicy.any)

    def download(specs: list[str], target: Path) -> tuple[bool, str]:
        del target
        if "nosuchpackage-xyz" in specs:
            return False, "ERROR: No matching distribution found for nosuchpackage-xyz"
        return False, "ERROR: ResolutionImpossible: conflict with numpy==2.4.6"

    result = provide_packages(
        None,
        "take-home-grader-runtime:base",
        list(plan.requests),  # type: ignore[arg-type]
        download=download,
    )
    status = {r.name: r.status for r in result.requests}
    assert status == {"nosuchpackage-xyz": PackageStatus.no_wheel, "tabulate": PackageStatus.conflict}
    assert result.image == "take-home-grader-runtime:base"


def test_redirector_finds_the_file_a_path_meant(tmp_path: Path) -> None:
    data = tmp_path / "data"
    work = tmp_path / "work"
    data.mkdir()
    (work / "extra").mkdir(parents=True)
    (data / "train.csv").write_text("a\n")
    (work / "extra" / "lookup.csv").write_text("a\n")
    (work / "notes.txt").symlink_to("/etc/passwd")
    redirector = Redirector({"data_dir": str(data), "data_files": ["train.csv"], "work_dir": str(work)})
    assert redirector.resolve(r"C:\Users\jane\train.csv") == (str(data / "train.csv"), "data/train.csv")
    assert redirector.resolve("/content/drive/MyDrive/churn/Train.CSV") == (str(data / "train.csv"), "data/train.csv")
    assert redirector.resolve("../input/lookup.csv") == (str(work / "extra" / "lookup.csv"), "extra/lookup.csv")
    assert redirector.resolve("/sandbox/in/hidden/test_labels.csv") is None
    assert redirector.resolve("notes.txt") is None  # symlinks are never candidates
    # No network in the sandbox: a web address naming a data file reads that file; other schemes never do.
    assert redirector.resolve("https://example.com/train.csv") == (str(data / "train.csv"), "data/train.csv")
    assert redirector.resolve("ftp://example.com/train.csv") is None
    assert redirector.resolve("https://example.com/hidden/test_labels.csv") is None
    assert redirector.redirect(str(data / "train.csv"), "open") is None  # an existing file is never touched
