"""`grader assignment validate` and the `assignment` command group: problems, messages and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from grader import api
from grader.cli import main
from grader.models.assignment import Assignment, SuspectPart
from grader.models.audit import ProblemLevel
from tests.assignments._build import Plan, build

REPO = Path(__file__).resolve().parent.parent.parent


def edit_yaml(folder: Path, **changes: object) -> None:
    path = folder / "assignment.yaml"
    config = yaml.safe_load(path.read_text())
    config.update(changes)
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def messages(folder: Path) -> list[str]:
    return [str(p) for p in api.validate_assignment(folder).problems]


# --------------------------------------------------------------------------- the model


def test_suspect_columns_are_validated() -> None:
    base = yaml.safe_load((REPO / "sample_datasets" / "churn" / "assignment.yaml").read_text())
    assignment = Assignment.model_validate(base)
    [suspect] = assignment.suspect_columns
    assert (suspect.column, suspect.part) == ("last_login_days", SuspectPart.missingness) and suspect.why
    for bad, error in [
        ([{"column": "age", "part": "missingness", "why": "x", "severity": "high"}], "Extra inputs"),
        ([{"column": "age", "part": "timing", "why": "x"}], "'values' or 'missingness'"),
        ([{"column": "age", "part": "values"}], "Field required"),
        ([{"column": "age", "why": "a"}, {"column": "age", "why": "b"}], "listed twice"),
        ([{"column": "cancellation_reason", "why": "x"}], "leakage column already"),
        ([{"column": "churned", "why": "x"}], "the target or the id column"),
    ]:
        with pytest.raises(ValidationError, match=error):
            Assignment.model_validate({**base, "suspect_columns": bad})


# --------------------------------------------------------------------------- validate


def test_the_sample_assignments_are_ready() -> None:
    for name in ("churn", "fraud", "delivery"):
        result = api.validate_assignment(REPO / "sample_datasets" / name)
        assert result.ok and not result.errors, (name, [str(p) for p in result.problems])
        assert result.audit is not None and not result.audit.undeclared_strong


def test_undeclared_strong_suspects_are_errors_and_moderate_ones_warnings(tmp_path: Path) -> None:
    folder = build(tmp_path / "a", Plan(post_outcome=True, extra_id=True, duplicates=20, missing_signal=True))
    result = api.validate_assignment(folder)
    assert not result.ok
    errors = {p.where for p in result.errors}
    assert errors == {"closed_reason (missingness)", "closed_reason (values)", "data"}
    warnings = {p.where for p in result.problems if p.level is ProblemLevel.warning}
    assert warnings == {"app_days (missingness)", "account_number (values)"}
    edit_yaml(
        folder,
        leakage_columns=["closed_reason"],
        suspect_columns=[{"column": "app_days", "part": "missingness", "why": "deleted when leaving"}],
    )
    assert {p.where for p in api.validate_assignment(folder).errors} == {"data"}  # the duplicates remain


def test_files_columns_and_holdout_problems_are_listed(tmp_path: Path) -> None:
    folder = build(tmp_path / "a")
    shutil.copy(folder / "train.csv", folder / "hidden" / "copy.csv")
    edit_yaml(
        folder,
        hidden_files=["hidden/test_labels.csv", "hidden/copy.csv", "hidden/gone.csv"],
        leakage_columns=["no_such_column"],
        positive_rate=0.6,
        structure={"time_column": "signup_day"},
    )
    labels = (folder / "hidden" / "test_labels.csv").read_text().splitlines()
    (folder / "hidden" / "test_labels.csv").write_text("\n".join(labels[:-5]) + "\n")
    found = messages(folder)
    for expected in [
        "error: hidden_files: hidden/copy.csv has the same content as the public train.csv",
        "error: hidden_files: hidden/gone.csv does not exist",
        "error: leakage_columns[0]: `no_such_column` is not a column of train.csv",
        "error: structure.time_column: `signup_day` is not a column of train.csv",
        "error: holdout: 5 ids of test_features.csv have no label in hidden/test_labels.csv",
        "error: positive_rate: declared 0.6 but 0.2387 of the training rows are `1`",
    ]:
        assert any(message.startswith(expected) for message in found), (expected, found)


def test_a_test_file_holding_the_target_is_an_error(tmp_path: Path) -> None:
    folder = build(tmp_path / "a")
    labels = (folder / "hidden" / "test_labels.csv").read_text()
    test = (folder / "test_features.csv").read_text().splitlines()
    label_rows = labels.splitlines()
    (folder / "test_features.csv").write_text(
        "\n".join(f"{row},{label.split(',')[1]}" for row, label in zip(test, label_rows, strict=True)) + "\n"
    )
    assert "error: public_files: the test file test_features.csv contains the target `left`" in messages(folder)


def test_an_invalid_assignment_file_is_one_error_with_its_lines(tmp_path: Path) -> None:
    folder = build(tmp_path / "a")
    edit_yaml(folder, suspect_columns=[{"column": "plan", "why": "x", "severity": "high"}])
    result = api.validate_assignment(folder)
    [problem] = result.problems
    assert problem.where == "assignment.yaml" and "unknown key 'severity'" in problem.message
    assert "line " in problem.message and result.audit is None and not result.ok


# --------------------------------------------------------------------------- the CLI


def test_cli_audit_json_lists_the_churn_leak_and_suspect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assignment", "audit", str(REPO / "sample_datasets" / "churn"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    suspects = {(s["column"], s["part"]): s for s in report["suspects"]}
    reason = suspects[("cancellation_reason", "missingness")]
    assert reason["declared"] == ["leakage_columns"] and reason["level"] == "strong"
    assert reason["figures"]["missingness_roc_auc"] > 0.9
    login = suspects[("last_login_days", "missingness")]
    assert login["declared"] == ["suspect_columns"] and login["kinds"] == ["informative_missingness"]
    assert login["figures"]["lift"] > 3 and login["declared_why"].startswith("Empty when the app account")
    assert report["class_balance"]["matches"] is True


def test_cli_audit_text_names_the_suspects(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = build(tmp_path / "a", Plan(post_outcome=True))
    assert main(["assignment", "audit", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "STRONG   closed_reason (missingness) [near perfect predictor] UNDECLARED" in out
    assert "Class balance: 23.9% `1` in train; declared positive_rate 23.9% matches" in out
    assert "tiny: 3 suspect(s): 2 strong (0 declared)" in out


def test_cli_validate_exit_codes_and_messages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    clean = build(tmp_path / "clean")
    assert main(["assignment", "validate", str(clean)]) == 0
    assert "tiny: ready; 0 error(s), 0 warning(s)" in capsys.readouterr().out
    leaky = build(tmp_path / "leaky", Plan(post_outcome=True))
    assert main(["assignment", "validate", str(leaky)]) == 1
    out = capsys.readouterr().out
    assert "error: closed_reason (values): undeclared strong suspect: the name `closed_reason`" in out
    assert "tiny: NOT ready; 2 error(s), 0 warning(s)" in out
    assert main(["assignment", "validate", str(leaky), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["assignment"] == "tiny"
    assert main(["assignment", "validate", str(tmp_path / "nowhere")]) == 2
    assert "has no assignment.yaml" in capsys.readouterr().err
    assert main(["assignment", "audit", str(tmp_path / "nowhere")]) == 2
    assert main(["assignment"]) == 2


def test_cli_init_writes_a_scaffold_and_the_example_validates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scaffold = tmp_path / "Churn 2027"
    assert main(["assignment", "init", str(scaffold), "--title", "Predict churn"]) == 0
    printed = capsys.readouterr().out
    assert "assignment.yaml" in printed and "grader assignment validate" in printed
    written = yaml.safe_load((scaffold / "assignment.yaml").read_text("utf-8"))
    assert written["name"] == "churn-2027"
    assert "Predict churn" in (scaffold / "BRIEF.md").read_text("utf-8") + str(written)
    assert (scaffold / "hidden").is_dir()
    # The scaffold has no data yet: validation lists what is missing instead of passing.
    assert main(["assignment", "validate", str(scaffold)]) == 1
    capsys.readouterr()

    example = tmp_path / "example"
    assert main(["assignment", "init", str(example), "--example"]) == 0
    assert (example / "train.csv").is_file() and (example / "hidden").is_dir()
    assert main(["assignment", "validate", str(example)]) == 0
    assert "ready" in capsys.readouterr().out

    assert main(["assignment", "init", str(example)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
