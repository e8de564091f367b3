"""Read rubrics from YAML: `extends`, overrides, check references; every problem with its line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from grader.checks.registry import Registry
from grader.errors import RubricError
from grader.models.rubric import Rubric, RubricExtension
from grader.scoring.extends import merge_rubric
from grader.submission.assignment import resolve_rubric_path
from grader.submission.yaml_file import Problem, line_of, location, pydantic_problems, read_yaml


@dataclass(frozen=True)
class LoadedRubric:
    """A validated rubric, where it came from and its content hash."""

    rubric: Rubric
    path: Path
    sha256: str


class _InvalidFile(RubricError):
    """Problems in one file of an `extends` chain."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        super().__init__(_listing(path, problems))
        self.path = path
        self.problems = problems


def _resolved(path: Path, registry: Registry, seen: tuple[Path, ...]) -> tuple[dict[str, Any], list[Path]]:
    """A rubric file with its `extends` chain merged (a raw mapping), and the files it was made from.

    Raises `RubricError` naming the file at fault and every problem in it, with lines.
    """
    raw, node, _ = read_yaml(path, "rubric")
    if not isinstance(raw, dict):
        raise _InvalidFile(path, [Problem("", "a rubric must be a YAML mapping")])
    if "extends" not in raw:
        return raw, [path]
    try:
        RubricExtension.model_validate(raw)
    except ValidationError as exc:
        raise _InvalidFile(path, pydantic_problems(exc, node)) from exc
    parent_path = resolve_rubric_path(str(raw["extends"]), path.parent).resolve()
    if parent_path in seen:
        raise _InvalidFile(path, [Problem("extends", f"loops back to {parent_path}", line_of(node, ("extends",)))])
    parent, files = _resolved(parent_path, registry, (*seen, parent_path))
    merged, problems = merge_rubric(parent, raw, registry, node)
    if problems:
        raise _InvalidFile(path, problems)
    return merged, [path, *files]


def _listing(path: Path, problems: list[Problem]) -> str:
    return f"{path} is not a valid rubric:\n" + "\n".join(f"  - {p}" for p in problems)


def validate_rubric_file(path: Path, registry: Registry) -> tuple[Rubric | None, list[Problem]]:
    """Validate a rubric file; returns the rubric (if valid) and every problem found."""
    rubric, problems, _ = _validate(path, registry)
    return rubric, problems


def _validate(path: Path, registry: Registry) -> tuple[Rubric | None, list[Problem], list[Path]]:
    raw, node, _ = read_yaml(path, "rubric")
    if not isinstance(raw, dict):
        return None, [Problem("", "a rubric must be a YAML mapping")], [path]
    files = [path]
    if "extends" in raw:
        try:
            raw, files = _resolved(path, registry, (path.resolve(),))
        except _InvalidFile as exc:
            if exc.path.resolve() == path.resolve():
                return None, exc.problems, files
            return None, [Problem("extends", f"{exc.path}: {p}") for p in exc.problems], files
        except RubricError as exc:  # a parent that is missing or not YAML
            return None, [Problem("extends", str(exc))], files
        node = None  # line numbers now refer to the merged rubric, not to one file
    problems: list[Problem] = []
    rubric = None
    try:
        rubric = Rubric.model_validate(raw)
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, node))
    problems.extend(_check_refs(raw, node, registry))
    if problems:
        return None, problems, files
    assert rubric is not None
    return _normalise_refs(rubric, registry), [], files


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
    """A cap must name checks that exist and that the rubric runs, or a category some check belongs to."""
    problems = []
    categories = {str(spec.category) for spec in registry}
    used = {registry.get(ref["check"]).id for ref in _check_refs_in(raw) if ref["check"] in registry}
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
        for ni, name in enumerate(cap.get("excluding") or []):
            if isinstance(name, str) and name not in registry:
                problems.append(_unknown_check(name, ("caps", ki, "excluding", ni), node, registry))
        for ni, name in enumerate(cap.get("checks") or []):
            if not isinstance(name, str):
                continue
            loc = ("caps", ki, "checks", ni)
            if name not in registry:
                problems.append(_unknown_check(name, loc, node, registry))
            elif registry.get(name).id not in used:
                problems.append(
                    Problem(
                        location(loc),
                        f"{name!r} is not among the rubric's checks, so it never runs and cannot trigger this cap",
                        line_of(node, loc),
                    )
                )
    return problems


def _unknown_check(name: str, loc: tuple[str | int, ...], node: Any, registry: Registry) -> Problem:
    close = registry.closest(name)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return Problem(location(loc), f"unknown check {name!r}{hint}", line_of(node, loc))


def _check_refs_in(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Every well-formed check reference of the raw rubric's criteria."""
    criteria = raw.get("criteria")
    refs = []
    for criterion in criteria if isinstance(criteria, list) else []:
        checks = criterion.get("checks") if isinstance(criterion, dict) else None
        for ref in checks if isinstance(checks, list) else []:
            if isinstance(ref, dict) and isinstance(ref.get("check"), str):
                refs.append(ref)
    return refs


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
    rubric, problems, files = _validate(path, registry)
    if problems or rubric is None:
        raise RubricError(_listing(path, problems))
    # The hash covers the whole `extends` chain: a change to a parent changes the rubric.
    digest = hashlib.sha256(path.read_bytes())
    for parent in files[1:]:
        digest.update(parent.read_bytes())
    return LoadedRubric(rubric=rubric, path=path.resolve(), sha256=digest.hexdigest())
