"""`extends:`: a rubric that says only how it differs from another.

Top-level fields the child gives replace the parent's, except `params`, which are merged.
`criteria` are merged by criterion id: a known id changes that criterion (title,
description, points, and its checks, merged by check id: points, scoring, `if_not_applicable` and parameters
change, new checks are added, `remove: true` drops one); an unknown id adds a criterion;
`{id: ..., remove: true}` drops one. A changed criterion without its own `points` is worth
the sum of its checks' points afterwards, so changing one weight is one line.
`overrides: {CHECK: {points: ..., params: ...}}` changes a check wherever the parent uses it.
Checks match by id whether the files name them by id or by slug.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from grader.checks.registry import Registry
from grader.submission.yaml_file import Problem, line_of, location

CHECK_FIELDS = ("points", "scoring", "if_not_applicable")


def _canonical(registry: Registry, ref: Any) -> str | None:
    return registry.get(ref).id if isinstance(ref, str) and ref in registry else None


def _change_check(ref: dict[str, Any], change: dict[str, Any]) -> None:
    for key in CHECK_FIELDS:
        if key in change:
            ref[key] = change[key]
    if change.get("params"):
        ref["params"] = {**(ref.get("params") or {}), **change["params"]}


class _Merge:
    """One child merged into its (already resolved) parent, collecting every problem with its line."""

    def __init__(self, parent: dict[str, Any], registry: Registry, node: yaml.Node | None) -> None:
        self.merged = copy.deepcopy(parent)
        self.registry = registry
        self.node = node
        self.problems: list[Problem] = []

    def problem(self, loc: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(location(loc), message, line_of(self.node, loc)))

    def apply(self, child: dict[str, Any]) -> None:
        for key, value in child.items():
            if key == "params":
                self.merged["params"] = {**(self.merged.get("params") or {}), **(value or {})}
            elif key not in ("extends", "criteria", "overrides"):
                self.merged[key] = value
        criteria: list[dict[str, Any]] = self.merged.setdefault("criteria", [])
        for ci, change in enumerate(child.get("criteria") or []):
            self._criterion(criteria, ci, change)
        self._overrides(criteria, child.get("overrides") or {})

    def _criterion(self, criteria: list[dict[str, Any]], ci: int, change: dict[str, Any]) -> None:
        target = next((c for c in criteria if c.get("id") == change["id"]), None)
        if change.get("remove"):
            if target is None:
                self.problem(
                    ("criteria", ci, "id"), f"removes criterion {change['id']!r}, which the parent does not have"
                )
            else:
                criteria.remove(target)
            return
        if target is None:
            target = {"id": change["id"], "checks": []}
            criteria.append(target)
        for key in ("title", "description", "points"):
            if key in change:
                target[key] = change[key]
        changed = False
        for ri, check_change in enumerate(change.get("checks") or []):
            changed |= self._check(target, ("criteria", ci, "checks", ri), check_change)
        if changed and "points" not in change:
            target["points"] = sum(float(ref.get("points") or 0) for ref in target["checks"])

    def _check(self, criterion: dict[str, Any], loc: tuple[str | int, ...], change: dict[str, Any]) -> bool:
        check_id = _canonical(self.registry, change["check"])
        if check_id is None:
            close = self.registry.closest(change["check"])
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            self.problem((*loc, "check"), f"unknown check {change['check']!r}{hint}")
            return False
        refs: list[dict[str, Any]] = criterion["checks"]
        existing = next((r for r in refs if _canonical(self.registry, r.get("check")) == check_id), None)
        if change.get("remove"):
            if existing is None:
                self.problem((*loc, "check"), f"removes {check_id}, which criterion {criterion['id']!r} does not use")
                return False
            refs.remove(existing)
            return True
        if existing is None:
            if change.get("points") is None:
                self.problem(loc, f"adds {check_id} to criterion {criterion['id']!r}, so it needs `points`")
                return False
            existing = {"check": change["check"]}
            refs.append(existing)
        _change_check(existing, change)
        return True

    def _overrides(self, criteria: list[dict[str, Any]], overrides: dict[str, Any]) -> None:
        for name, change in overrides.items():
            check_id = _canonical(self.registry, name)
            touched = False
            for criterion in criteria:
                refs = [
                    r for r in criterion.get("checks") or [] if _canonical(self.registry, r.get("check")) == check_id
                ]
                for ref in refs if check_id is not None else []:
                    _change_check(ref, change or {})
                    touched = True
                if refs and "points" in (change or {}):
                    criterion["points"] = sum(float(r.get("points") or 0) for r in criterion["checks"])
            if not touched:
                self.problem(("overrides", name), f"{name} is not used by the parent rubric")


def merge_rubric(
    parent: dict[str, Any], child: dict[str, Any], registry: Registry, node: yaml.Node | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The child's changes applied to a copy of the parent (both raw YAML mappings), and any problems."""
    merge = _Merge(parent, registry, node)
    merge.apply(child)
    return merge.merged, merge.problems
