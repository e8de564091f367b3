"""The real-world corpus: each case, what breaks, and what the grader should say about it.

A case is a broken submission and its fixed twin (`tests/real_world/corpus/<case>/broken`
and `/fixed`). `meant` lists the checks whose points the failure is allowed to cost: every
other check must give the broken twin the same points as the fixed one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: What a failed run costs besides the failure itself: the re-run did not reproduce the saved
#: outputs (EXE005), the grade rests on saved outputs (EXE009).
RUN_FAILED = ("EXE001", "EXE005", "EXE009")
#: ... and the predictions file was never written, so nothing can be scored on the holdout, and with the
#: evaluation cells failing the results cannot be verified (EXE010).
NO_PREDICTIONS = ("HOLD001", "HOLD002", "HOLD003", "EXE010")


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    #: `churn` (base_only) or `churn-allow` (allow_list: tabulate).
    assignment: str = "churn"
    #: Expected run status of the broken twin.
    run: str = "ok"
    #: Error class of the first failing cell (None: nothing fails).
    error_class: str | None = None
    #: Checks whose points the failure may cost; every other check must match the fixed twin.
    meant: tuple[str, ...] = ()
    #: Checks that must report a problem on the broken twin (the failure is found, with evidence).
    found_by: tuple[str, ...] = ()
    readme: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def expected(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "assignment": self.assignment,
            "run": self.run,
            "error_class": self.error_class,
            "meant": list(self.meant),
            "found_by": list(self.found_by),
            **self.extra,
        }


CASES = [
    Case(
        "windows_path",
        "read_csv of C:\\Users\\... and D:/... paths: both reads redirected to data/",
        meant=("EXE004", "EXE006"),
        found_by=("EXE004", "EXE006"),
    ),
    Case(
        "colab_drive_mount",
        "from google.colab import drive; drive.mount(); reads below /content/drive/MyDrive",
        meant=("EXE004", "EXE006"),
        found_by=("EXE004", "EXE006"),
    ),
    Case(
        "wrong_relative_folder",
        "Kaggle-style ../input/<dataset>/train.csv and dataset/test_features.csv",
        meant=("EXE006",),
        found_by=("EXE006",),
    ),
    Case(
        "pip_install_cell",
        "!pip install of old pandas and scikit-learn in the imports cell (skipped; its pins choose the 2022 profile)",
        meant=("EXE008",),
        found_by=("EXE008",),
        extra={"profile": "2022", "retried": False},
    ),
    Case(
        "package_allowed",
        "tabulate (allowed by the assignment, not in the image) prints the CV table",
        assignment="churn-allow",
        extra={"installed": ["tabulate"]},
    ),
    Case(
        "package_not_allowed",
        "import shap and a SHAP beeswarm plot; the brief allows only the base set",
        run="errors",
        error_class="environment",
        meant=(*RUN_FAILED, "EXE007"),
        found_by=("EXE001", "EXE007"),
    ),
    Case(
        "onehot_sparse_removed",
        "OneHotEncoder(sparse=False), removed in scikit-learn 1.4: run on the 2022 profile, chosen from the code",
        extra={"profile": "2022", "retried": False},
    ),
    Case(
        "max_features_auto_removed",
        "RandomForestClassifier(max_features='auto'), removed in scikit-learn 1.3: run on the 2022 profile",
        extra={"profile": "2022", "retried": False},
    ),
    Case(
        "corr_on_text_columns",
        "DataFrame.corr() over text columns (numeric_only=False since pandas 2): fails on current, retried on 2022",
        extra={"profile": "2022", "retried": True},
    ),
    Case(
        "csv_wrong_separator",
        "read_csv(sep=';') of comma-separated files (a local Excel-saved copy)",
        run="errors",
        error_class="data",
        meant=(*RUN_FAILED, *NO_PREDICTIONS),
        found_by=("EXE001",),
    ),
    Case(
        "name_error_after_rename",
        "train_clean renamed to df_clean in three re-run cells; later cells not re-run "
        "(pylint, QUAL001, sees the same undefined name)",
        run="errors",
        error_class="candidate",
        meant=(*RUN_FAILED, "EXE003", *NO_PREDICTIONS, "QUAL001"),
        found_by=("EXE001", "EXE003"),
    ),
    Case("no_saved_outputs", "outputs and execution counts cleared before submitting"),
    Case("several_notebooks", "01_eda.ipynb writes the cleaned data, 02_model.ipynb reads it back", readme=True),
    Case("py_module_beside_notebook", "clean() lives in churn_utils.py beside the notebook", readme=True),
    Case(
        "outputs_from_other_run_order",
        "validation cell run before the comparison, its AUC from an older run",
        meant=("EXE003", "EXE005"),
        found_by=("EXE003", "EXE005"),
    ),
]
