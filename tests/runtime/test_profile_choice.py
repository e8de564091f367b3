"""Runtime profiles, inferring the era a notebook was written for, and when a retry is worth it (no Docker)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from grader.api import load_assignment
from grader.errors import AssignmentError, ConfigError
from grader.execution.image import image_tag
from grader.execution.profile_evidence import gather, rank, specifier_bounds
from grader.execution.profiles import get_profile, load_profiles
from grader.execution.retry import Attempt, plan_runtime, quality, retry_target, run_with_retry
from grader.execution.run import RunOutcome
from grader.models.execution import CellRecord, CellStatus, ErrorClass, ExecutionRecord, RunStatus
from grader.models.notebook import NotebookView
from grader.models.runtime import ChoiceSource, EvidenceKind
from tests.conftest import REPO, make_notebook

PROFILES = load_profiles()


def infer(
    *cells: str,
    texts: dict[str, str] | None = None,
    outputs: dict[int, list[dict]] | None = None,
    python: str = "3.11.7",
) -> str:
    nb = make_notebook(*cells, outputs=outputs)
    nb.metadata["language_info"] = {"name": "python", "version": python}
    view = NotebookView.from_nodes([("a.ipynb", nb)])
    evidence = gather([("a.ipynb", nb)], view, texts or {})
    return plan_runtime(None, ChoiceSource.assignment, evidence, PROFILES).first.name


def test_profiles_are_current_and_two_older_eras_with_their_key_versions() -> None:
    assert [p.name for p in PROFILES][:1] == ["current"] and len(PROFILES) >= 3
    for profile in PROFILES:
        versions = profile.key_versions()
        assert {"pandas", "scikit-learn", "numpy"} <= versions.keys(), profile.name
        # The same kernel stack everywhere, so the same executor runs in each image.
        assert profile.lock()["ipykernel"] == PROFILES[0].lock()["ipykernel"]
        assert profile.lock()["nbclient"] == PROFILES[0].lock()["nbclient"]
        # Implicit pandas engines: to_excel/read_excel, parquet and DataFrame.style (Jinja2).
        assert {"openpyxl", "fastparquet", "xlrd", "jinja2"} <= profile.lock().keys(), profile.name
    pandas_majors = [get_profile(n).version("pandas")[0] for n in ("current", "2024", "2022")]  # type: ignore[index]
    assert pandas_majors == [3, 2, 1]
    tags = {image_tag("base:x", p) for p in PROFILES}
    assert len(tags) == len(PROFILES) and all(
        t.split(":")[1].startswith(p.name) for t, p in zip(sorted(tags), sorted(PROFILES, key=lambda p: p.name))
    )
    with pytest.raises(ConfigError, match="known profiles: current"):
        get_profile("1999")


def test_a_lock_names_only_what_its_image_installs() -> None:
    """The locks are resolutions of the pins: nothing the image lacks (the old lock named six and graphviz)."""
    current = get_profile("current").lock()
    assert "graphviz" not in current and "six" not in current


@pytest.mark.parametrize(
    ("library", "spec", "bounds"),
    [
        ("pandas", "==1.3.5", ((1, 3, 5), (2, 0))),
        ("scikit-learn", "==1.0.2", ((1, 0, 2), (1, 2))),
        ("numpy", ">=1.20,<1.24", ((1, 20), (1, 24))),
        ("pandas", "~=2.1", ((2, 1), (3,))),
        ("pandas", "", None),
    ],
)
def test_specifier_bounds(library: str, spec: str, bounds: tuple | None) -> None:
    assert specifier_bounds(library, spec) == bounds


def test_no_evidence_means_todays_libraries() -> None:
    assert infer("import pandas as pd\ndf = pd.read_csv('data/train.csv')") == "current"


def test_requirement_pins_choose_the_era() -> None:
    assert infer("import pandas as pd", texts={"requirements.txt": "pandas==1.5.3\nscikit-learn==1.1.3\n"}) == "2022"
    assert infer("import pandas as pd", texts={"requirements.txt": "pandas==2.2.2\nnumpy==1.26.4\n"}) == "2024"
    assert infer("import pandas as pd", texts={"environment.yml": "dependencies:\n  - pandas=2.1.4\n"}) == "2024"
    assert infer("!pip install pandas==1.4.2\nimport pandas as pd") == "2022"


def test_versions_printed_in_saved_outputs() -> None:
    out = {
        0: [{"output_type": "execute_result", "data": {"text/plain": "'1.3.5'"}, "metadata": {}, "execution_count": 1}]
    }
    assert infer("import pandas as pd\npd.__version__", outputs=out) == "2022"
    out = {0: [{"output_type": "stream", "name": "stdout", "text": "pandas 2.1.4\nscikit-learn 1.3.2\n"}]}
    assert infer("print('pandas', pd.__version__)\nprint('scikit-learn', sklearn.__version__)", outputs=out) == "2024"


def test_apis_removed_later_point_to_the_profile_that_still_has_them() -> None:
    assert infer("from sklearn.preprocessing import OneHotEncoder\nenc = OneHotEncoder(sparse=False)") == "2022"
    assert infer("RandomForestClassifier(max_features='auto')") == "2022"
    assert infer("from sklearn.metrics import plot_confusion_matrix") == "2022"
    assert infer("df.applymap(str)") == "2024"
    assert infer("df.fillna(method='ffill')") == "2024"
    assert infer("X = df.drop(columns=['Churn'], axis=1)") == "2024"  # refused by pandas 3, fine on 2.2
    # An API only newer releases have keeps the newer profiles.
    assert infer("OneHotEncoder(sparse_output=False)\nfrom sklearn.metrics import root_mean_squared_error") == "current"


def test_python_version_and_saved_warnings_are_weaker_hints() -> None:
    assert infer("import pandas as pd", python="3.7.12") == "2022"
    warning = (
        "/usr/local/lib/python3.10/dist-packages/sklearn/preprocessing/_encoders.py:868: FutureWarning: `sparse` was "
        "renamed to `sparse_output` in version 1.2 and will be removed in 1.4."
    )
    out = {0: [{"output_type": "stream", "name": "stderr", "text": warning}]}
    nb = make_notebook("enc = make_encoder()", outputs=out)
    evidence = gather([("a.ipynb", nb)], NotebookView.from_nodes([("a.ipynb", nb)]), {})
    kinds = {(e.kind, e.library) for e in evidence}
    assert (EvidenceKind.saved_output, "scikit-learn") in kinds  # the warning: 1.2 <= scikit-learn < 1.4
    assert (EvidenceKind.metadata, "pandas") in kinds  # the library path: Python 3.10
    # Pins outweigh a Python version.
    assert infer("import pandas", texts={"requirements.txt": "pandas==2.2.2"}, python="3.8.10") == "2024"


def test_a_named_profile_is_fixed_and_not_retried() -> None:
    plan = plan_runtime("2024", ChoiceSource.assignment, [], PROFILES)
    assert plan.first.name == "2024" and plan.fixed and plan.choice.how is ChoiceSource.assignment
    outcome = Attempt(get_profile("2024"), RunOutcome(_record(_env_failure("pandas-2.0-append"))))
    decision = retry_target(plan, outcome)
    assert decision.profile is None and "fixed" in decision.reason


def _env_failure(change: str | None, value: str = "boom") -> CellRecord:
    return CellRecord(
        index=1,
        notebook="a.ipynb",
        local_index=1,
        status=CellStatus.error,
        error_name="AttributeError",
        error_value=value,
        error_class=ErrorClass.environment,
        library_change=change,
    )


def _record(*failures: CellRecord, ok: int = 3) -> ExecutionRecord:
    cells = [CellRecord(index=i + 10, notebook="a.ipynb", local_index=i + 10, status=CellStatus.ok) for i in range(ok)]
    return ExecutionRecord(status=RunStatus.errors if failures else RunStatus.ok, cells=[*failures, *cells])


def test_retry_goes_to_the_newest_profile_before_the_change() -> None:
    plan = plan_runtime(None, ChoiceSource.assignment, [], PROFILES)
    assert plan.first.name == "current" and not plan.fixed
    pandas3 = Attempt(plan.first, RunOutcome(_record(_env_failure("pandas-3.0-copy-on-write"))))
    assert retry_target(plan, pandas3).profile.name == "2024"  # type: ignore[union-attr]
    pandas2 = Attempt(plan.first, RunOutcome(_record(_env_failure("pandas-2.0-append"))))
    assert retry_target(plan, pandas2).profile.name == "2022"  # type: ignore[union-attr]
    # Nothing can bring back sklearn.cross_validation: no retry, and the reason says why.
    ancient = Attempt(plan.first, RunOutcome(_record(_env_failure("scikit-learn-0.20-cross-validation"))))
    decision = retry_target(plan, ancient)
    assert decision.profile is None and "scikit-learn < 0.20" in decision.reason
    # A removed API triage could not name: the next older profile.
    generic = Attempt(
        plan.first, RunOutcome(_record(_env_failure(None, "'Booster' object has no attribute 'old_api'")))
    )
    assert retry_target(plan, generic).profile.name == "2024"  # type: ignore[union-attr]
    # A missing package: no profile has it.
    missing = Attempt(plan.first, RunOutcome(_record(_env_failure(None, "No module named 'shap'"))))
    assert retry_target(plan, missing).profile is None
    # Only built profiles are candidates.
    only_current = plan_runtime(None, ChoiceSource.assignment, [], PROFILES[:1])
    assert retry_target(only_current, pandas3).profile is None


def test_the_run_that_reproduces_the_notebook_best_is_graded() -> None:
    plan = plan_runtime(None, ChoiceSource.assignment, [], PROFILES)
    view = NotebookView.from_nodes([("a.ipynb", make_notebook("x = 1"))])
    first = _record(_env_failure("pandas-3.0-copy-on-write"))

    def run(profile):  # type: ignore[no-untyped-def]
        return RunOutcome(first if profile.name == "current" else _record(ok=4))

    best = run_with_retry(plan, run, view)
    assert best.record.profile == "2024"
    choice = best.record.profile_choice
    assert choice is not None and choice.how is ChoiceSource.retry and "current" in choice.reason
    runs = {r.profile: r for r in best.record.profile_runs}
    assert runs["current"].graded is False and runs["current"].environment_failures == 1
    assert "pandas 3.0" in (runs["current"].first_failure or "") or runs["current"].first_failure
    assert runs["2024"].graded is True and runs["2024"].cells_failed == 0
    # A retry that does no better leaves the first run graded.
    worse = run_with_retry(
        plan, lambda p: RunOutcome(first if p.name == "current" else _record(_env_failure(None), ok=1)), view
    )
    assert worse.record.profile == "current" and "did not reproduce" in (worse.record.profile_choice.reason or "")  # type: ignore[union-attr]
    assert quality(RunOutcome(_record(ok=2)), view) > quality(RunOutcome(first), view)


def test_a_better_fitting_profile_without_an_image_falls_back_to_a_built_one() -> None:
    nb = make_notebook("df.fillna(method='ffill')")
    evidence = gather([("a.ipynb", nb)], NotebookView.from_nodes([("a.ipynb", nb)]), {})
    plan = plan_runtime(None, ChoiceSource.assignment, evidence, [get_profile("current"), get_profile("2022")])
    assert plan.first.name == "2022" and "image is not built" in plan.choice.reason
    assert rank(PROFILES, evidence)[0].profile.name == "2024"


def test_the_cli_lists_the_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    from grader.cli import main

    assert main(["image", "profiles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [p.name for p in PROFILES]
    assert "pandas 1.5.3" in lines[-1]


def test_an_assignment_names_a_known_profile_or_auto(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    shutil.copytree(REPO / "sample_datasets" / "churn", folder)
    spec = yaml.safe_load((folder / "assignment.yaml").read_text())
    assert spec["runtime"] == "current"  # the sample brief names its environment
    for runtime, ok in (("2022", True), ("auto", True), ("1999", False)):
        (folder / "assignment.yaml").write_text(yaml.safe_dump({**spec, "runtime": runtime}))
        if ok:
            assert load_assignment(folder).assignment.runtime == runtime
        else:
            with pytest.raises(AssignmentError, match="not a runtime profile; use auto or one of: current, 2024, 2022"):
                load_assignment(folder)
