"""`grader assignment validate`: is this assignment folder ready to send and to grade with?

Loads and validates `assignment.yaml`, checks its files (public files exist, hidden
files exist and are not also public, the holdout labels match the test rows, the
columns the assignment names exist), loads its rubric, then runs the data audit.
Undeclared strong suspects are errors; undeclared moderate ones are warnings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from grader.checks.registry import default_registry
from grader.errors import AssignmentError, ConfigError
from grader.models.audit import AssignmentValidation, AuditLevel, AuditReport, ProblemLevel, ValidationProblem
from grader.scoring.rubric_file import validate_rubric_file
from grader.submission.assignment import LoadedAssignment, load_assignment
from grader.submission.audit import AuditThresholds, audit_assignment
from grader.submission.audit.tabular import data_files, normalise_labels, read_table


def _error(where: str, message: str) -> ValidationProblem:
    return ValidationProblem(level=ProblemLevel.error, where=where, message=message)


def _warning(where: str, message: str) -> ValidationProblem:
    return ValidationProblem(level=ProblemLevel.warning, where=where, message=message)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hidden_files(loaded: LoadedAssignment) -> list[ValidationProblem]:
    """Hidden files exist, are never public (by path, link or content), and the holdout labels are among them."""
    a, folder = loaded.assignment, loaded.folder
    problems = []
    public = {name: (folder / name).resolve() for name in a.public_files}
    public_digests = {_digest(path): name for name, path in public.items() if path.is_file()}
    hidden = list(a.hidden_files)
    if a.holdout is not None and a.holdout.labels_file not in hidden:
        problems.append(
            _warning("holdout.labels_file", f"{a.holdout.labels_file} is not listed in hidden_files; list it there")
        )
        hidden.append(a.holdout.labels_file)
    for name in hidden:
        path = folder / name
        if not path.is_file():
            problems.append(_error("hidden_files", f"{name} does not exist in {folder}"))
            continue
        resolved = path.resolve()
        for public_name, public_path in public.items():
            if resolved == public_path:
                problems.append(_error("hidden_files", f"{name} is the same file as the public {public_name}"))
        same = public_digests.get(_digest(path))
        if same is not None:
            problems.append(_error("hidden_files", f"{name} has the same content as the public {same}"))
    return problems


def _columns(loaded: LoadedAssignment) -> list[ValidationProblem]:
    """The columns `assignment.yaml` names exist where they must; the target stays out of the test file."""
    a, folder = loaded.assignment, loaded.folder
    problems: list[ValidationProblem] = []
    tables = {name: read_table(folder / name) for name in data_files(folder, a.public_files)}
    train_name = next((n for n, t in tables.items() if a.target in t.columns), None)
    if train_name is None:
        return [_error("target", f"no public data file has the target column `{a.target}`")]
    train = tables[train_name]
    named = [("id_column", a.id_column)] + [(f"leakage_columns[{i}]", c) for i, c in enumerate(a.leakage_columns)]
    named += [(f"suspect_columns[{i}].column", s.column) for i, s in enumerate(a.suspect_columns)]
    named += [(f"structure.{key}", value) for key, value in a.structure.model_dump().items() if key.endswith("_column")]
    for where, column in named:
        if column and column not in train.columns:
            problems.append(_error(where, f"`{column}` is not a column of {train_name}"))
    others = {name: table for name, table in tables.items() if name != train_name}
    if not others:
        return [*problems, _warning("public_files", "no public test file: candidates have nothing to predict")]
    test_name = _test_file(loaded, others)
    for name, table in others.items():
        if a.target not in table.columns:
            continue
        if name == test_name:
            problems.append(_error("public_files", f"the test file {name} contains the target `{a.target}`"))
        else:
            problems.append(
                _warning("public_files", f"{name} also has the target `{a.target}` (a second training file?)")
            )
    contract = a.prediction_contract
    if contract.id_column not in others[test_name].columns:
        problems.append(
            _error("prediction_contract.id_column", f"`{contract.id_column}` is not a column of {test_name}")
        )
    if a.holdout is not None:
        problems += _holdout(loaded, others[test_name], test_name)
    return problems


def _test_file(loaded: LoadedAssignment, others: dict[str, pd.DataFrame]) -> str:
    """The public file the holdout labels belong to: the one sharing most ids with them (else the first)."""
    a = loaded.assignment
    path = loaded.holdout_labels()
    if a.holdout is None or path is None or not path.is_file():
        return next(iter(others))
    labels = read_table(path)
    if a.holdout.id_column not in labels.columns:
        return next(iter(others))
    ids = set(normalise_labels(labels[a.holdout.id_column]).dropna())
    shared = {
        name: int(normalise_labels(table[a.holdout.id_column]).isin(ids).sum()) if a.holdout.id_column in table else 0
        for name, table in others.items()
    }
    return max(shared, key=shared.__getitem__)


def _holdout(loaded: LoadedAssignment, test: pd.DataFrame, test_name: str) -> list[ValidationProblem]:
    """The hidden labels cover exactly the public test rows, once each."""
    a = loaded.assignment
    assert a.holdout is not None
    path = loaded.holdout_labels()
    if path is None or not path.is_file():
        return []  # reported with the hidden files
    labels = read_table(path)
    problems = []
    for key in ("id_column", "target_column"):
        column = getattr(a.holdout, key)
        if column not in labels.columns:
            problems.append(_error(f"holdout.{key}", f"`{column}` is not a column of {a.holdout.labels_file}"))
    if a.holdout.id_column not in test.columns:
        problems.append(_error("holdout.id_column", f"`{a.holdout.id_column}` is not a column of {test_name}"))
    if problems:
        return problems
    label_ids = normalise_labels(labels[a.holdout.id_column])
    test_ids = set(normalise_labels(test[a.holdout.id_column]).dropna())
    repeated = int(label_ids.duplicated().sum())
    if repeated:
        problems.append(_error("holdout", f"{repeated:,} ids repeat in {a.holdout.labels_file}"))
    missing = len(test_ids - set(label_ids.dropna()))
    extra = len(set(label_ids.dropna()) - test_ids)
    if missing:
        problems.append(_error("holdout", f"{missing:,} ids of {test_name} have no label in {a.holdout.labels_file}"))
    if extra:
        problems.append(_warning("holdout", f"{extra:,} ids in {a.holdout.labels_file} match no row of {test_name}"))
    unlabelled = int(labels[a.holdout.target_column].isna().sum())
    if unlabelled:
        problems.append(_error("holdout", f"{unlabelled:,} rows of {a.holdout.labels_file} have no target value"))
    return problems


def _rubric(loaded: LoadedAssignment) -> list[ValidationProblem]:
    path = loaded.rubric_path()
    if not path.is_file():
        return [
            _error("rubric", f"{loaded.assignment.rubric} is neither a file next to the assignment nor in rubrics/")
        ]
    _, problems = validate_rubric_file(path, default_registry())
    return [_error("rubric", f"{path.name}: {problem}") for problem in problems]


def _audit_problems(audit: AuditReport) -> list[ValidationProblem]:
    problems = []
    balance = audit.class_balance
    if balance is not None and balance.matches is False:
        problems.append(
            _error(
                "positive_rate",
                f"declared {balance.declared_rate:.4g} but {balance.train_rate:.4g} of the training rows are "
                f"`{balance.positive_label}`",
            )
        )
    for suspect in audit.suspects:
        if suspect.is_declared or suspect.level is AuditLevel.info:
            continue
        where = suspect.column or "data"
        if suspect.part is not None and suspect.column is not None:
            where += f" ({suspect.part.value})"
        message = f"undeclared {suspect.level.value} suspect: {suspect.why}"
        problems.append(_error(where, message) if suspect.level is AuditLevel.strong else _warning(where, message))
    return problems


def validate_assignment(folder: Path, *, thresholds: AuditThresholds | None = None) -> AssignmentValidation:
    """Every problem with an assignment folder, then the audit; `ok` when there is no error."""
    folder = Path(folder)
    path = folder / "assignment.yaml" if folder.is_dir() else folder
    if not path.is_file():
        raise ConfigError(f"{folder} has no assignment.yaml")
    try:
        loaded = load_assignment(path)
    except AssignmentError as exc:
        return AssignmentValidation(folder=str(path.parent), problems=[_error("assignment.yaml", str(exc))])
    problems = _hidden_files(loaded) + _rubric(loaded)
    audit = None
    try:
        audit = audit_assignment(loaded, thresholds=thresholds)
    except AssignmentError as exc:
        problems.append(_error("data", str(exc)))
    try:
        problems += _columns(loaded)
    except AssignmentError as exc:
        problems.append(_error("data", str(exc)))
    if audit is not None:
        problems += _audit_problems(audit)
    return AssignmentValidation(
        folder=str(loaded.folder), assignment=loaded.assignment.name, problems=problems, audit=audit
    )
