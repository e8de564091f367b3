"""Read rubrics and assignments from YAML, reporting every problem with its location."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from grader.checks.registry import Registry
from grader.errors import AssignmentError, RubricError
from grader.execution.profiles import AUTO, profile_names
from grader.models.assignment import Assignment
from grader.models.rubric import Rubric

REPO_RUBRICS = Path(__file__).resolve().parent.parent / "rubrics"
MAX_YAML_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rubric file."""

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.location}: {self.message}" if self.location else f"{where}{self.message}"


@dataclass(frozen=True)
class LoadedRubric:
    rubric: Rubric
    path: Path
    sha256: str


# --------------------------------------------------------------------------- YAML with positions


def _read_yaml(path: Path, kind: str) -> tuple[Any, yaml.Node | None, bytes]:
    error = RubricError if kind == "rubric" else AssignmentError
    if not path.is_file():
        raise error(f"{kind} file {path} does not exist")
    data = path.read_bytes()
    if len(data) > MAX_YAML_BYTES:
        raise error(f"{path} is larger than {MAX_YAML_BYTES:,} bytes")
    text = data.decode("utf-8", "replace")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    return raw, node, data


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of a pydantic error location inside a composed YAML tree."""
    current = node
    line = None
    for key in loc:
        if current is None:
            break
        line = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            current = next((v for k, v in current.value if k.value == key), None)
        elif isinstance(current, yaml.SequenceNode) and isinstance(key, int) and key < len(current.value):
            current = current.value[key]
        else:
            break
    if current is not None:
        line = current.start_mark.line + 1
    return line


def _location(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part) in {"all_or_nothing", "proportional", "deduct_per_severity", "metric_to_points"}:
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _pydantic_problems(exc: ValidationError, node: yaml.Node | None, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = prefix + tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
        problems.append(Problem(_location(loc), message, _line_of(node, loc)))
    return problems


# --------------------------------------------------------------------------- rubrics


def resolve_rubric_path(ref: str, base_dir: Path | None = None) -> Path:
    """A rubric path relative to `base_dir`, or a bare name in the repository's `rubrics/`."""
    candidate = Path(ref)
    if candidate.is_absolute():
        return candidate
    for folder in filter(None, [base_dir, Path.cwd() / "rubrics", REPO_RUBRICS]):
        path = folder / ref
        if path.is_file():
            return path.resolve()
    return (base_dir or Path.cwd()) / ref


def _merge_extends(raw: dict[str, Any], path: Path, seen: set[Path]) -> dict[str, Any]:
    """Resolve `extends:` (a base rubric) and `overrides:` (per-check changes)."""
    parent_ref = raw.pop("extends", None)
    overrides = raw.pop("overrides", None) or {}
    if parent_ref is None:
        if overrides:
            raise RubricError(f"{path}: `overrides` needs `extends`")
        return raw
    parent_path = resolve_rubric_path(str(parent_ref), path.parent)
    if parent_path in seen:
        raise RubricError(f"{path}: `extends` loops back to {parent_path}")
    parent_raw, _, _ = _read_yaml(parent_path, "rubric")
    if not isinstance(parent_raw, dict):
        raise RubricError(f"{parent_path}: a rubric must be a mapping")
    merged = _merge_extends(copy.deepcopy(parent_raw), parent_path, seen | {parent_path})
    for key, value in raw.items():
        if key == "params":
            merged["params"] = {**merged.get("params", {}), **(value or {})}
        else:
            merged[key] = value
    if not isinstance(overrides, dict):
        raise RubricError(f"{path}: `overrides` must map check ids to changes")
    touched = set()
    for criterion in merged.get("criteria", []) or []:
        for ref in criterion.get("checks", []) or []:
            change = overrides.get(ref.get("check"))
            if change:
                touched.add(ref.get("check"))
                for key, value in change.items():
                    if key == "params":
                        ref["params"] = {**ref.get("params", {}), **value}
                    else:
                        ref[key] = value
    untouched = set(overrides) - touched
    if untouched:
        raise RubricError(f"{path}: overrides name checks the base rubric does not use: {sorted(untouched)}")
    return merged


def validate_rubric_file(path: Path, registry: Registry) -> tuple[Rubric | None, list[Problem]]:
    """Validate a rubric file; returns the rubric (if valid) and every problem found."""
    raw, node, _ = _read_yaml(path, "rubric")
    if not isinstance(raw, dict):
        return None, [Problem("", "a rubric must be a YAML mapping")]
    has_parent = "extends" in raw
    try:
        raw = _merge_extends(raw, path, {path.resolve()})
    except RubricError as exc:
        return None, [Problem("extends", str(exc))]
    if has_parent:
        node = None  # line numbers refer to the child file only
    problems: list[Problem] = []
    rubric = None
    try:
        rubric = Rubric.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, node))
    problems.extend(_check_refs(raw, node, registry))
    if problems:
        return None, problems
    assert rubric is not None
    return _normalise_refs(rubric, registry), []


def _check_refs(raw: dict[str, Any], node: yaml.Node | None, registry: Registry) -> list[Problem]:
    """Unknown checks (with the closest known), duplicate uses, and bad parameters."""
    problems = []
    seen: dict[str, str] = {}
    raw_criteria = raw.get("criteria")
    criteria: list[Any] = raw_criteria if isinstance(raw_criteria, list) else []
    for ci, criterion in enumerate(criteria):
        if not isinstance(criterion, dict) or not isinstance(criterion.get("checks"), list):
            continue
        for ri, ref in enumerate(criterion["checks"]):
            if not isinstance(ref, dict) or not isinstance(ref.get("check"), str):
                continue
            loc = ("criteria", ci, "checks", ri, "check")
            name = ref["check"]
            if name not in registry:
                close = registry.closest(name)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                problems.append(Problem(_location(loc), f"unknown check {name!r}{hint}", _line_of(node, loc)))
                continue
            spec = registry.get(name)
            where = f"criteria[{ci}].checks[{ri}]"
            if spec.id in seen:
                problems.append(
                    Problem(
                        _location(loc),
                        f"{spec.id} is already used at {seen[spec.id]}; a check may appear once per rubric",
                        _line_of(node, loc),
                    )
                )
            seen.setdefault(spec.id, where)
            params = _effective_params(spec.params_model.model_fields, raw.get("params") or {}, ref.get("params") or {})
            try:
                spec.params_model.model_validate(params)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(exc, node, ("criteria", ci, "checks", ri, "params")))
    problems.extend(_cap_problems(raw, node, registry))
    return problems


def _cap_problems(raw: dict[str, Any], node: Any, registry: Registry) -> list[Problem]:
    """A cap must name checks that exist, or a category some check belongs to."""
    problems = []
    categories = {str(spec.category) for spec in registry}
    raw_caps = raw.get("caps")
    caps: list[Any] = raw_caps if isinstance(raw_caps, list) else []
    for ki, cap in enumerate(caps):
        if not isinstance(cap, dict):
            continue
        category = cap.get("category")
        if isinstance(category, str) and category not in categories:
            loc: tuple[str | int, ...] = ("caps", ki, "category")
            problems.append(
                Problem(
                    _location(loc),
                    f"unknown category {category!r}; known: {', '.join(sorted(categories))}",
                    _line_of(node, loc),
                )
            )
        for ni, name in enumerate(cap.get("checks") or []):
            if isinstance(name, str) and name not in registry:
                loc = ("caps", ki, "checks", ni)
                close = registry.closest(name)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                problems.append(Problem(_location(loc), f"unknown check {name!r}{hint}", _line_of(node, loc)))
    return problems


def _effective_params(
    fields: dict[str, Any], rubric_params: dict[str, Any], ref_params: dict[str, Any]
) -> dict[str, Any]:
    """Rubric-wide params apply to checks that declare them; a check's own params win."""
    shared = {k: v for k, v in rubric_params.items() if k in fields}
    return {**shared, **ref_params}


def _normalise_refs(rubric: Rubric, registry: Registry) -> Rubric:
    """Refer to every check by id and fold rubric-wide params into each reference."""
    criteria = []
    for criterion in rubric.criteria:
        refs = []
        for ref in criterion.checks:
            spec = registry.get(ref.check)
            params = _effective_params(spec.params_model.model_fields, rubric.params, ref.params)
            refs.append(ref.model_copy(update={"check": spec.id, "params": params}))
        criteria.append(criterion.model_copy(update={"checks": refs}))
    return rubric.model_copy(update={"criteria": criteria})


def load_rubric_file(path: Path, registry: Registry) -> LoadedRubric:
    """Load and validate a rubric, or raise `RubricError` listing every problem."""
    path = Path(path)
    rubric, problems = validate_rubric_file(path, registry)
    if problems or rubric is None:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise RubricError(f"{path} is not a valid rubric:\n{listing}")
    return LoadedRubric(rubric=rubric, path=path.resolve(), sha256=hashlib.sha256(path.read_bytes()).hexdigest())


# --------------------------------------------------------------------------- assignments


@dataclass(frozen=True)
class LoadedAssignment:
    assignment: Assignment
    folder: Path

    def public_paths(self) -> dict[str, Path]:
        """Public files (name → path); hidden files are never part of this."""
        return {name: self.folder / name for name in self.assignment.public_files}

    def data_files(self) -> dict[str, Path]:
        """The public files that go into the sandbox's read-only `data/` folder."""
        return {Path(name).name: path for name, path in self.public_paths().items()}

    def rubric_path(self) -> Path:
        return resolve_rubric_path(self.assignment.rubric, self.folder)

    def holdout_labels(self) -> Path | None:
        if self.assignment.holdout is None:
            return None
        return self.folder / self.assignment.holdout.labels_file


def load_assignment(folder: Path) -> LoadedAssignment:
    """Load `assignment.yaml` from an assignment folder and check its files exist."""
    folder = Path(folder)
    path = folder / "assignment.yaml" if folder.is_dir() else folder
    folder = path.parent
    raw, node, _ = _read_yaml(path, "assignment")
    try:
        assignment = Assignment.model_validate(raw)
    except ValidationError as exc:
        listing = "\n".join(f"  - {p}" for p in _pydantic_problems(exc, node))
        raise AssignmentError(f"{path} is not a valid assignment:\n{listing}") from exc
    if assignment.runtime != AUTO and assignment.runtime not in profile_names():
        raise AssignmentError(
            f"{path}: runtime {assignment.runtime!r} is not a runtime profile; "
            f"use auto or one of: {', '.join(profile_names())}"
        )
    missing = [name for name in assignment.public_files if not (folder / name).is_file()]
    if missing:
        raise AssignmentError(f"{path}: public files missing from {folder}: {missing}")
    resolved = folder.resolve()
    for name in assignment.public_files:
        if not (folder / name).resolve().is_relative_to(resolved):
            raise AssignmentError(f"{path}: public file {name} points outside the assignment folder")
    return LoadedAssignment(assignment=assignment, folder=resolved)
