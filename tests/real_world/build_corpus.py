"""Build the real-world corpus: broken submissions and their fixed twins (needs Docker).

    .venv/bin/python -m tests.real_world.build_corpus

One realistic churn notebook (the fixed twin) is executed in the real sandbox so its
saved outputs are genuine; each case then breaks it the way public notebooks break
(a Windows path, a Colab mount, a removed library API, ...), keeping the saved outputs
as the candidate's machine produced them. Every case folder holds `broken/`, `fixed/`
and `case.yaml` (what the grader should say about it). The grader never reads case.yaml.
"""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import yaml

from tests.real_world.cases import CASES, Case

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
REPO = HERE.parent.parent

CellSpec = tuple[str, str]

BASE: list[CellSpec] = [
    (
        "md",
        "# Brightwave Telecom: which customers are about to leave?\n\n"
        "Goal: predict `churned` for the 2,000 test customers and explain what drives churn. "
        "The brief scores ROC AUC; I also report average precision and F1 because only about one "
        "customer in five churns.",
    ),
    (
        "code",
        "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
        "from sklearn.compose import ColumnTransformer\nfrom sklearn.dummy import DummyClassifier\n"
        "from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.impute import SimpleImputer\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import average_precision_score, classification_report, f1_score, roc_auc_score\n"
        "from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split\n"
        "from sklearn.pipeline import Pipeline\n"
        "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n\n"
        "SEED = 42\nnp.random.seed(SEED)",
    ),
    ("md", "## The data\n\nOne row per customer; `data/` holds the brief's files."),
    (
        "code",
        'train = pd.read_csv("data/train.csv")\ntest = pd.read_csv("data/test_features.csv")\n'
        "print(train.shape, test.shape)\ntrain.head()",
    ),
    ("code", 'train.info()\nprint("duplicate rows:", train.duplicated().sum())'),
    ("code", "train.isna().mean().sort_values(ascending=False).head(8).round(3)"),
    ("code", 'train["churned"].value_counts(normalize=True).round(3)'),
    (
        "md",
        "About 20 % of customers churn, so accuracy alone would flatter a model that predicts nobody "
        "leaves. `total_charges` is text with `$` and thousands separators, the yes/no columns use six "
        "spellings, and there are 80 duplicated rows. `cancellation_reason` is filled almost only for "
        "churners: it is recorded after the customer asks to cancel, so it leaks the target and I drop it.",
    ),
    (
        "code",
        'YES_NO = {"yes": 1, "y": 1, "true": 1, "1": 1, "no": 0, "n": 0, "false": 0, "0": 0}\n\n\n'
        "def clean(df):\n"
        '    """Fix types and spellings; drop the leaky and the free-text columns."""\n'
        "    df = df.copy()\n"
        '    charges = df["total_charges"].astype(str).str.replace(r"[$,]", "", regex=True)\n'
        '    df["total_charges"] = pd.to_numeric(charges, errors="coerce")\n'
        '    for col in ["tech_support", "paperless_billing", "marketing_opt_in"]:\n'
        "        df[col] = df[col].astype(str).str.strip().str.lower().map(YES_NO)\n"
        '    for col in ["internet_service", "contract_type", "payment_method", "region"]:\n'
        "        df[col] = df[col].str.strip().str.lower()\n"
        '    return df.drop(columns=["cancellation_reason", "signup_date", "referral_code"])\n\n\n'
        "train_clean = clean(train).drop_duplicates()\ntest_clean = clean(test)\nprint(train_clean.shape)",
    ),
    (
        "code",
        "fig, ax = plt.subplots(figsize=(6, 3))\n"
        'train_clean.groupby("contract_type")["churned"].mean().sort_values().plot.barh(ax=ax)\n'
        'ax.set_xlabel("churn rate")\nax.set_ylabel("contract type")\n'
        'ax.set_title("Churn rate by contract type")\nplt.show()',
    ),
    (
        "code",
        'numeric_frame = train_clean.select_dtypes("number")\n'
        'numeric_frame.corr()["churned"].drop("churned").sort_values().round(3)',
    ),
    (
        "md",
        "Month-to-month customers churn far more than two-year ones. Among the numeric columns, tenure and "
        "satisfaction go with staying, support calls with leaving. The contract spellings need the same "
        "cleaning as the yes/no columns; one-hot encoding inside the pipeline handles the rest.",
    ),
    (
        "md",
        "## Models\n\nA prior-only baseline, a logistic regression and a random forest, compared with the "
        "same stratified folds on the training part; the validation part is used once, at the end.",
    ),
    (
        "code",
        'target = "churned"\n'
        'categorical = ["region", "plan_tier", "contract_type", "internet_service", "payment_method"]\n'
        'numeric = [c for c in train_clean.columns if c not in categorical + [target, "customer_id"]]\n'
        "X = train_clean[categorical + numeric]\ny = train_clean[target]\n"
        "X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.2, stratify=y, "
        "random_state=SEED)\n\n"
        "preprocess = ColumnTransformer([\n"
        '    ("num", Pipeline([("impute", SimpleImputer(strategy="median")), '
        '("scale", StandardScaler())]),'
        " numeric),\n"
        '    ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),\n'
        '                      ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]),'
        " categorical),\n])",
    ),
    (
        "code",
        "models = {\n"
        '    "baseline (prior)": DummyClassifier(strategy="prior"),\n'
        '    "logistic regression": LogisticRegression(max_iter=1000, class_weight="balanced"),\n'
        '    "random forest": RandomForestClassifier(n_estimators=40, max_depth=6, max_features="sqrt",\n'
        '                                           class_weight="balanced", random_state=SEED),\n}\n'
        "cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)\nscores = {}\n"
        "for name, model in models.items():\n"
        '    pipe = Pipeline([("prep", preprocess), ("model", model)])\n'
        '    scores[name] = cross_val_score(pipe, X_train, y_train, cv=cv, scoring="roc_auc")\n'
        "summary = pd.DataFrame({name: [s.mean(), s.std()] for name, s in scores.items()},\n"
        '                       index=["roc_auc_mean", "roc_auc_std"]).T.round(3)\n'
        "print(summary.to_string())",
    ),
    (
        "md",
        "The logistic regression is as good as the forest in cross-validation and far above the baseline; "
        "I keep it because it is simpler to explain to the retention team.",
    ),
    (
        "code",
        'final = Pipeline([("prep", preprocess),\n'
        '                  ("model", LogisticRegression(max_iter=1000, class_weight="balanced"))])\n'
        "final.fit(X_train, y_train)\nproba = final.predict_proba(X_valid)[:, 1]\n"
        "pred = (proba >= 0.5).astype(int)\n"
        'print(f"validation ROC AUC: {roc_auc_score(y_valid, proba):.3f}")\n'
        'print(f"validation average precision: {average_precision_score(y_valid, proba):.3f}")\n'
        'print(f"validation F1: {f1_score(y_valid, pred):.3f}")\n'
        "print(classification_report(y_valid, pred, digits=3))",
    ),
    (
        "code",
        "final.fit(X, y)\ntest_proba = final.predict_proba(test_clean[categorical + numeric])[:, 1]\n"
        'predictions = pd.DataFrame({"customer_id": test_clean["customer_id"],\n'
        '                            "churned": (test_proba >= 0.5).astype(int),\n'
        '                            "churn_probability": test_proba})\n'
        'predictions.to_csv("predictions.csv", index=False)\npredictions.shape',
    ),
    (
        "md",
        "## Conclusion\n\nThe logistic regression separates churners well on the validation customers "
        "(see the ROC AUC above) and beats the baseline by a wide margin. Contract type, tenure and "
        "satisfaction drive churn; the retention team should call month-to-month customers with low "
        "satisfaction first.\n\n**Next steps:** choose the threshold from out-of-fold predictions for the "
        "team's call capacity, try gradient boosting, and look at the errors by contract type.",
    ),
]

README = (
    "# Brightwave churn take-home\n\nWhat is where: the notebooks explore the customer data, clean it, "
    "compare a baseline, a logistic regression and a random forest with stratified cross-validation, and "
    "write `predictions.csv` for the test customers. Helper code, if any, sits next to the notebooks.\n\n"
    "How to run: install pandas, scikit-learn and matplotlib, put the brief's `data/` folder next to the "
    "notebooks and run them in order (`01_eda.ipynb` first when there are two), top to bottom.\n"
)


def notebook(cells: list[CellSpec]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11"}
    for kind, source in cells:
        nb.cells.append(nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source))
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nb


def execute(nb: nbformat.NotebookNode, extra: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Run a notebook in the real sandbox against the churn assignment; returns it with outputs."""
    from grader.checks.registry import default_registry
    from grader.execution.docker_client import DockerClient
    from grader.execution.image import find_runtime_image
    from grader.execution.run import SandboxRunner
    from grader.execution.sandbox import SandboxSettings
    from grader.models.rubric import CheckRef, Criterion, Rubric
    from grader.pipeline.grading import Grader, GradingOptions
    from grader.scoring.rubric_file import LoadedRubric
    from grader.submission.assignment import load_assignment

    client = DockerClient.from_env()
    image = find_runtime_image(client)
    assert image, "build the sandbox image first: grader image build"
    rubric = Rubric(
        name="run", criteria=[Criterion(id="run", title="run", points=1, checks=[CheckRef(check="EXE001", points=1)])]
    )
    registry = default_registry()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sub"
        folder.mkdir()
        nbformat.write(nb, str(folder / "analysis.ipynb"))
        for name, text in (extra or {}).items():
            (folder / name).write_text(text)
        grader = Grader(
            rubric=LoadedRubric(rubric=rubric, path=folder / "r.yaml", sha256=""),
            registry=registry,
            assignment=load_assignment(REPO / "sample_datasets" / "churn"),
            sandbox=SandboxRunner(client=client, settings=SandboxSettings(image=image)),
            options=GradingOptions(write_html=False, pylint=False),
        )
        report = grader.grade(folder, out_dir=Path(tmp) / "out")
        assert report.execution.status.value == "ok", [
            (c.index, c.error_value) for c in report.execution.cells if c.status.value != "ok"
        ]
        executed = nbformat.read(str(Path(tmp) / "out" / "executed" / "analysis.ipynb"), as_version=4)
    count = 0
    for cell in executed.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code":
            # Numbered as a fresh "Restart & Run All" on the candidate's machine would.
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = count
    return executed


# --------------------------------------------------------------------------- edits


def code_cell(nb: nbformat.NotebookNode, contains: str) -> nbformat.NotebookNode:
    found = [c for c in nb.cells if c.cell_type == "code" and contains in c.source]
    assert len(found) == 1, f"{contains!r} is in {len(found)} code cells"
    return found[0]


def replace(nb: nbformat.NotebookNode, old: str, new: str) -> nbformat.NotebookNode:
    cell = code_cell(nb, old)
    cell.source = cell.source.replace(old, new)
    return nb


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def stream(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def write_submission(folder: Path, notebooks: dict[str, nbformat.NotebookNode], files: dict[str, str]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, nb in notebooks.items():
        nbformat.validate(nb)
        nbformat.write(nb, str(folder / name))
    for name, text in files.items():
        (folder / name).write_text(text)


def split_notebooks(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """An EDA notebook that saves the cleaned data, and a modelling notebook that reads it back."""
    cut = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Models"))
    eda = copy.deepcopy(nb)
    eda.cells = eda.cells[:cut]
    eda.cells.append(
        nbformat.v4.new_code_cell(
            'train_clean.to_csv("train_clean.csv", index=False)\ntest_clean.to_csv("test_clean.csv", index=False)'
        )
    )
    model = copy.deepcopy(nb)
    imports = copy.deepcopy(code_cell(nb, "import matplotlib.pyplot as plt"))
    imports.source = imports.source.replace("import matplotlib.pyplot as plt\n", "")
    imports.outputs = []
    load = nbformat.v4.new_code_cell(
        'train_clean = pd.read_csv("train_clean.csv")\n'
        'test_clean = pd.read_csv("test_clean.csv")\nprint(train_clean.shape)'
    )
    model.cells = [
        nbformat.v4.new_markdown_cell(
            "# Brightwave churn, part 2: models\n\nReads the cleaned data that `01_eda.ipynb` writes."
        ),
        imports,
        load,
        *model.cells[cut:],
    ]
    for part in (eda, model):
        for index, cell in enumerate(part.cells):
            cell["id"] = f"cell-{index}"
            if cell.cell_type == "code" and not cell.get("outputs"):
                cell.execution_count = None
    return {"01_eda.ipynb": eda, "02_model.ipynb": model}


MODULE = '''"""Cleaning helpers for the Brightwave churn notebook."""

import pandas as pd

YES_NO = {"yes": 1, "y": 1, "true": 1, "1": 1, "no": 0, "n": 0, "false": 0, "0": 0}


def clean(df):
    """Fix types and spellings; drop the leaky and the free-text columns."""
    df = df.copy()
    charges = df["total_charges"].astype(str).str.replace(r"[$,]", "", regex=True)
    df["total_charges"] = pd.to_numeric(charges, errors="coerce")
    for col in ["tech_support", "paperless_billing", "marketing_opt_in"]:
        df[col] = df[col].astype(str).str.strip().str.lower().map(YES_NO)
    for col in ["internet_service", "contract_type", "payment_method", "region"]:
        df[col] = df[col].str.strip().str.lower()
    return df.drop(columns=["cancellation_reason", "signup_date", "referral_code"])
'''


def with_module(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = replace(
        nb,
        "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n",
        "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n\nfrom churn_utils import clean\n",
    )
    cell = code_cell(nb, "def clean(df):")
    cell.source = "train_clean = clean(train).drop_duplicates()\ntest_clean = clean(test)\nprint(train_clean.shape)"
    return nb


def renamed_after_run(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`train_clean` renamed to `df_clean` in three cells that were re-run; the cells below were not touched."""
    for marker in ("train_clean = clean(train)", "train_clean.groupby", "numeric_frame = train_clean"):
        cell = code_cell(nb, marker)
        cell.source = cell.source.replace("train_clean", "df_clean")
    counts = iter(range(1, 100))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = next(counts)
    for offset, marker in enumerate(("df_clean = clean(train)", "df_clean.groupby", "numeric_frame = df_clean")):
        code_cell(nb, marker).execution_count = 20 + offset
    return nb


def different_run_order(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The validation cell was run before the comparison cell, with an older feature set: other numbers."""
    compare = code_cell(nb, "cv = StratifiedKFold")
    valid = code_cell(nb, "validation ROC AUC")
    compare.execution_count, valid.execution_count = valid.execution_count, compare.execution_count
    for output in valid.outputs:
        if output.get("output_type") == "stream":
            output.text = re.sub(
                r"validation ROC AUC: (\d\.\d+)",
                lambda m: f"validation ROC AUC: {min(0.999, float(m.group(1)) + 0.071):.3f}",
                output.text,
            )
    return nb


SHAP_CELL = (
    "code",
    'explainer = shap.Explainer(final.named_steps["model"], final.named_steps["prep"]'
    ".transform(X_train))\n"
    'shap_values = explainer(final.named_steps["prep"].transform(X_valid))\n'
    "shap.plots.beeswarm(shap_values, max_display=10)",
)


def with_shap(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = replace(nb, "np.random.seed(SEED)", "np.random.seed(SEED)\n\nimport shap")
    cell = nbformat.v4.new_code_cell(SHAP_CELL[1])
    cell.execution_count = max(c.execution_count or 0 for c in nb.cells if c.cell_type == "code") + 1
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "<Figure size 800x470 with 2 Axes>"})]
    conclusion = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Conclusion"))
    nb.cells.insert(conclusion, cell)
    for index, item in enumerate(nb.cells):
        item["id"] = f"cell-{index}"
    return nb


EDITS: dict[str, Callable[[nbformat.NotebookNode], nbformat.NotebookNode]] = {
    "windows_path": lambda nb: replace(
        replace(nb, 'pd.read_csv("data/train.csv")', r'pd.read_csv(r"C:\Users\jane\Documents\brightwave\train.csv")'),
        'pd.read_csv("data/test_features.csv")',
        'pd.read_csv("D:/projects/brightwave/test_features.csv")',
    ),
    "colab_drive_mount": lambda nb: replace(
        replace(
            nb,
            "from sklearn.compose import ColumnTransformer\n",
            "from google.colab import drive\nfrom sklearn.compose import ColumnTransformer\n",
        ),
        'train = pd.read_csv("data/train.csv")\ntest = pd.read_csv("data/test_features.csv")',
        'drive.mount("/content/drive")\nDATA = "/content/drive/MyDrive/brightwave/"\n'
        'train = pd.read_csv(DATA + "train.csv")\ntest = pd.read_csv(DATA + "test_features.csv")',
    ),
    "wrong_relative_folder": lambda nb: replace(
        replace(nb, 'pd.read_csv("data/train.csv")', 'pd.read_csv("../input/brightwave-churn/train.csv")'),
        'pd.read_csv("data/test_features.csv")',
        'pd.read_csv("dataset/test_features.csv")',
    ),
    "pip_install_cell": lambda nb: replace(
        nb,
        "import matplotlib.pyplot as plt\n",
        "!pip install -q pandas==1.5.3 scikit-learn==1.2.2\nimport matplotlib.pyplot as plt\n",
    ),
    "package_allowed": lambda nb: replace(
        replace(
            nb,
            "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n",
            "from sklearn.preprocessing import OneHotEncoder, StandardScaler\nfrom tabulate import tabulate\n",
        ),
        "print(summary.to_string())",
        'print(tabulate(summary, headers="keys"))',
    ),
    "package_not_allowed": with_shap,
    "onehot_sparse_removed": lambda nb: replace(nb, "sparse_output=False", "sparse=False"),
    "max_features_auto_removed": lambda nb: replace(nb, 'max_features="sqrt"', 'max_features="auto"'),
    "corr_on_text_columns": lambda nb: replace(
        nb,
        'numeric_frame = train_clean.select_dtypes("number")\nnumeric_frame.corr()',
        "numeric_frame = train_clean\nnumeric_frame.corr()",
    ),
    "csv_wrong_separator": lambda nb: replace(
        replace(nb, 'pd.read_csv("data/train.csv")', 'pd.read_csv("data/train.csv", sep=";")'),
        'pd.read_csv("data/test_features.csv")',
        'pd.read_csv("data/test_features.csv", sep=";")',
    ),
    "name_error_after_rename": renamed_after_run,
    "no_saved_outputs": strip_outputs,
    "outputs_from_other_run_order": different_run_order,
}


def build() -> None:
    fixed = execute(notebook(BASE))
    for case in CASES:
        build_case(case, fixed)
        print(f"built {case.name}")


def build_case(case: Case, fixed: nbformat.NotebookNode) -> None:
    folder = CORPUS / case.name
    files = {"README.md": README} if case.readme else {}
    if case.name == "several_notebooks":
        write_submission(folder / "broken", split_notebooks(fixed), files)
    elif case.name == "py_module_beside_notebook":
        write_submission(
            folder / "broken",
            {"analysis.ipynb": with_module(copy.deepcopy(fixed))},
            {**files, "churn_utils.py": MODULE},
        )
    else:
        write_submission(folder / "broken", {"analysis.ipynb": EDITS[case.name](copy.deepcopy(fixed))}, files)
    write_submission(folder / "fixed", {"analysis.ipynb": fixed}, files)
    (folder / "case.yaml").write_text(yaml.safe_dump(case.expected(), sort_keys=False))


if __name__ == "__main__":
    build()
