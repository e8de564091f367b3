"""YAML configuration files read with positions, so every problem names its line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from grader.errors import AssignmentError, RubricError

MAX_YAML_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rubric or assignment file."""

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.location}: {self.message}" if self.location else f"{where}{self.message}"


class UniqueKeyLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML has no type stubs here
    """YAML's safe loader, except that a key repeated in one mapping is an error, not last-wins."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                if key in first:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first at line {first[key]})", key_node.start_mark
                    )
                first[key] = key_node.start_mark.line + 1
            except TypeError:
                continue  # an unhashable key: the base loader reports it
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def read_yaml(path: Path, kind: str) -> tuple[Any, yaml.Node | None, bytes]:
    """The parsed YAML, its node tree (for line numbers) and the raw bytes; a clear error if unreadable."""
    error = RubricError if kind == "rubric" else AssignmentError
    if not path.is_file():
        raise error(f"{kind} file {path} does not exist")
    data = path.read_bytes()
    if len(data) > MAX_YAML_BYTES:
        raise error(f"{path} is larger than {MAX_YAML_BYTES:,} bytes")
    text = data.decode("utf-8", "replace")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    return raw, node, data


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
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


def location(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a dotted path (`criteria[2].checks[0].params`)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part) in {"all_or_nothing", "proportional", "deduct_per_severity", "metric_to_points"}:
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def pydantic_problems(exc: ValidationError, node: yaml.Node | None, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """Every validation error as a `Problem` with its line in the YAML file."""
    problems = []
    for error in exc.errors():
        loc = prefix + tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
        problems.append(Problem(location(loc), message, line_of(node, loc)))
    return problems
