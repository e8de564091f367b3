"""Read rubrics from YAML: `extends`, overrides, check references; every problem with its line."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from grader.checks.registry import Registry
from grader.errors import RubricError
from grader.models.rubric import Rubric
from grader.submission.assignment import resolve_rubric_path
from grader.submission.yaml_file import Problem, line_of, location, pydantic_problems, read_yaml


@dataclass(frozen=True)
class LoadedRubric:
    """A validated rubric, where it came from and its content hash."""

    rubric: Rubric
    path: Path
    sha256: str


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
    parent_raw, _, _ = read_yaml(parent_path, "rubric")
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
    raw, node, _ = read_yaml(path, "rubric")
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
        problems.extend(pydantic_problems(exc, node))
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
                problems.append(Problem(location(loc), f"unknown check {name!r}{hint}", line_of(node, loc)))
                continue
            spec = registry.get(name)
            where = f"criteria[{ci}].checks[{ri}]"
            if spec.id in seen:
                problems.append(
                    Problem(
                        location(loc),
                        f"{spec.id} is already used at {seen[spec.id]}; a check may appear once per rubric",
                        line_of(node, loc),
                    )
                )
            seen.setdefault(spec.id, where)
            params = _effective_params(spec.params_model.model_fields, raw.get("params") or {}, ref.get("params") or {})
            try:
                spec.params_model.model_validate(params)
            except ValidationError as exc:
                problems.extend(pydantic_problems(exc, node, ("criteria", ci, "checks", ri, "params")))
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
                    location(loc),
                    f"unknown category {category!r}; known: {', '.join(sorted(categories))}",
                    line_of(node, loc),
                )
            )
        for ni, name in enumerate(cap.get("checks") or []):
            if isinstance(name, str) and name not in registry:
                loc = ("caps", ki, "checks", ni)
                close = registry.closest(name)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                problems.append(Problem(location(loc), f"unknown check {name!r}{hint}", line_of(node, loc)))
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
