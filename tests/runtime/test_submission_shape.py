"""Which notebooks are the submission, how cells are named, redirects to the submission's own files,
and the derived-image build context (no Docker)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

from grader.execution.executor.redirects import Redirector
from grader.execution.image import derived
from grader.report.cell_names import CellNames, name_cells
from grader.submission.main_notebook import choose_main_notebooks, files_of
from tests.conftest import make_notebook

DATA = ["train.csv", "test_features.csv", "DATA_DICTIONARY.md", "BRIEF.md"]


def test_only_notebooks_that_read_the_data_or_a_graded_notebooks_output_are_graded() -> None:
    eda = make_notebook("import pandas as pd\ndf = pd.read_csv('data/train.csv')\ndf.dropna().to_csv('clean.csv')")
    model = make_notebook("clean = pd.read_csv('clean.csv')\ntest = pd.read_csv(DATA / 'test_features.csv')")
    housing = make_notebook("houses = pd.read_csv('housing.csv')\nLinearRegression().fit(houses[['a']], houses.b)")
    scratch = make_notebook("1 + 1")
    notebooks = [("00_model.ipynb", model), ("01_eda.ipynb", eda), ("Practice/Untitled.ipynb", scratch)]
    notebooks.append(("regression/houses.ipynb", housing))
    selection = choose_main_notebooks(notebooks, DATA)
    # The notebook that writes clean.csv runs before the one that reads it, whatever their names.
    assert selection.graded == ["01_eda.ipynb", "00_model.ipynb"]
    assert [n.path for n in selection.not_graded] == ["Practice/Untitled.ipynb", "regression/houses.ipynb"]
    assert all("train.csv" in n.reason for n in selection.not_graded)


def test_without_any_notebook_naming_the_data_every_notebook_is_graded() -> None:
    a = make_notebook("df = pd.read_csv(PATH)")
    b = make_notebook("print(1)")
    selection = choose_main_notebooks([("a.ipynb", a), ("b.ipynb", b)], DATA)
    assert selection.graded == ["a.ipynb", "b.ipynb"] and not selection.not_graded
    assert choose_main_notebooks([("a.ipynb", a), ("b.ipynb", b)], []).graded == ["a.ipynb", "b.ipynb"]


def test_files_a_notebook_writes_are_not_counted_as_read() -> None:
    nb = make_notebook("df.to_csv('out/predictions.csv')\nwith open('notes.txt', 'w') as f: pass\nx = np.load('a.npy')")
    files = files_of("a.ipynb", nb)
    assert files.writes == {"predictions.csv", "notes.txt"} and files.reads == {"a.npy"}


def test_cells_are_named_by_notebook_and_local_index_when_there_are_several() -> None:
    names = CellNames.from_cells(
        [(0, "eda.ipynb", 0), (1, "eda.ipynb", 1), (2, "task2.ipynb", 0), (3, "task2.ipynb", 1)]
    )
    assert names.label(3) == "task2.ipynb cell 1"
    assert names.relabel("Cell 3 raised KeyError; see cells 2, 3 and cell 0") == (
        "task2.ipynb cell 1 raised KeyError; see task2.ipynb cells 0, 1 and eda.ipynb cell 0"
    )
    assert names.relabel("cells 1, 2") == "eda.ipynb cell 1, task2.ipynb cell 0"
    assert names.relabel("Cell In[5], line 3") == "Cell In[5], line 3"  # a traceback frame, not a cell reference
    single = CellNames.from_cells([(0, "a.ipynb", 0), (1, "a.ipynb", 1)])
    assert single.relabel("cell 1 failed") == "cell 1 failed" and single.label(1) == "cell 1"
    data: dict[str, Any] = {
        "checks": [
            {
                "message": "StandardScaler fitted in cell 2",
                "findings": [
                    {
                        "message": "x in cell 3",
                        "evidence": [
                            {"source": "code", "cell": 3, "notebook": None, "local_cell": None, "note": "see cell 2"}
                        ],
                    }
                ],
            }
        ]
    }
    out = name_cells(data, names)
    finding = out["checks"][0]["findings"][0]
    assert out["checks"][0]["message"] == "StandardScaler fitted in task2.ipynb cell 0"
    assert finding["evidence"][0] == {
        "source": "code",
        "cell": 3,
        "notebook": "task2.ipynb",
        "local_cell": 1,
        "note": "see task2.ipynb cell 0",
    }


def test_a_redirect_prefers_the_submissions_own_file_of_the_same_name(tmp_path: Path) -> None:
    data = tmp_path / "data"
    work = tmp_path / "work"
    data.mkdir()
    work.mkdir()
    (data / "train.csv").write_text("customer_id,churned\n", encoding="utf-8")
    (work / "train.csv").write_text("id,Churn\n", encoding="utf-8")  # the candidate's renamed-column copy
    (data / "test_features.csv").write_text("customer_id\n", encoding="utf-8")
    redirector = Redirector(
        {"data_dir": str(data), "data_files": ["train.csv", "test_features.csv"], "work_dir": str(work)}
    )
    assert redirector.resolve(r"C:\Users\jane\churn\data\train.csv") == (str(work / "train.csv"), "train.csv")
    # A name the submission lacks falls back to the assignment's public file.
    assert redirector.resolve("/content/drive/MyDrive/test_features.csv") == (
        str(data / "test_features.csv"),
        "data/test_features.csv",
    )


def test_a_web_address_ending_in_a_data_files_name_is_read_from_that_file(tmp_path: Path) -> None:
    """The sandbox has no network: `pd.read_csv("https://.../heart.csv")` reads the local heart.csv, said so."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "heart.csv").write_text("age,target\n", encoding="utf-8")
    redirector = Redirector({"data_dir": str(data), "data_files": ["heart.csv"], "work_dir": str(tmp_path / "w")})
    local = (str(data / "heart.csv"), "data/heart.csv")
    assert redirector.resolve("https://raw.githubusercontent.com/jane/ml/main/data/heart.csv?raw=true") == local
    assert redirector.resolve("HTTP://example.org/heart%2Ecsv#top") == local
    # Other schemes, and addresses naming no file the sandbox holds, stay as they are (and fail).
    assert redirector.resolve("s3://bucket/heart.csv") is None
    assert redirector.resolve("https://example.org/data/cleveland.csv") is None
    assert redirector.resolve("https://example.org/") is None


class _FakeClient:
    """Records the build context instead of building; says what the base image holds."""

    def __init__(self, installed: str) -> None:
        self.installed = installed
        self.context: list[str] = []

    def image_labels(self, tag: str) -> dict[str, str]:
        return {"take-home-grader.installed": self.installed}

    def build(self, context: io.BytesIO, tag: str, log: Any) -> None:
        with tarfile.open(fileobj=context) as tar:
            self.context = sorted(tar.getnames())


def test_derived_build_sends_every_wheel_the_base_image_does_not_hold(tmp_path: Path) -> None:
    """catboost needs six and graphviz: a lock may name them, but only what is installed stays behind."""
    for wheel in (
        "catboost-1.2.10-cp311-cp311-manylinux2014_x86_64.whl",
        "six-1.17.0-py2.py3-none-any.whl",
        "graphviz-0.21-py3-none-any.whl",
        "numpy-2.4.6-cp311-cp311-manylinux_2_28_x86_64.whl",
        "pandas-3.1.1-cp311-cp311-manylinux_2_28_x86_64.whl",
    ):
        (tmp_path / wheel).write_bytes(b"wheel")
    client = _FakeClient("numpy==2.4.6,pandas==3.1.1,plotly==7.1.0")
    derived._build(client, "take-home-grader-runtime:current-x", "t:extra", tmp_path, ["catboost"])  # type: ignore[arg-type]
    wheels = [name for name in client.context if name.startswith("wheels/")]
    assert wheels == [
        "wheels/catboost-1.2.10-cp311-cp311-manylinux2014_x86_64.whl",
        "wheels/graphviz-0.21-py3-none-any.whl",
        "wheels/six-1.17.0-py2.py3-none-any.whl",
    ]
