"""The published JSON Schemas (`schemas/`): report.json, rubric files and `assignment.yaml`.

Generated from the pydantic models; tests/unit/test_schemas.py fails when a committed
schema is stale. Regenerate them all with `python -m grader.models.schema --write schemas`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from grader.models.assignment import Assignment
from grader.models.report import SCHEMA_VERSION, Report
from grader.models.rubric import Rubric, RubricExtension

DRAFT = "https://json-schema.org/draft/2020-12/schema"
POLICIES = ["all_or_nothing", "proportional", "deduct_per_severity", "metric_to_points"]


def _published(schema: dict[str, Any], name: str, title: str) -> dict[str, Any]:
    schema["$schema"] = DRAFT
    schema["$id"] = f"https://take-home-grader.invalid/schemas/{name}.json"
    schema["title"] = title
    return schema


def report_schema() -> dict[str, Any]:
    """JSON Schema for report.json, generated from the pydantic model."""
    return _published(
        Report.model_json_schema(mode="serialization"), f"report-{SCHEMA_VERSION}", "take-home-grader report"
    )


def _with_scoring_shorthand(schema: dict[str, Any]) -> dict[str, Any]:
    """`scoring: proportional` is accepted as `scoring: {policy: proportional}`: say so in the schema."""
    for definition in schema.get("$defs", {}).values():
        scoring = definition.get("properties", {}).get("scoring")
        if scoring is not None:
            definition["properties"]["scoring"] = {
                "anyOf": [{"type": "string", "enum": POLICIES}, scoring],
                "description": "a scoring policy, or its name alone for the policy with its defaults",
            }
    return schema


def rubric_schema() -> dict[str, Any]:
    """JSON Schema for a rubric file: a whole rubric, or one that `extends` another."""
    schema = TypeAdapter(Rubric | RubricExtension).json_schema(mode="validation")
    return _published(_with_scoring_shorthand(schema), "rubric-1", "take-home-grader rubric")


def assignment_schema() -> dict[str, Any]:
    """JSON Schema for `assignment.yaml`."""
    return _published(Assignment.model_json_schema(mode="validation"), "assignment-1", "take-home-grader assignment")


#: File name in `schemas/` → the schema.
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "report.schema.json": report_schema,
    "rubric.schema.json": rubric_schema,
    "assignment.schema.json": assignment_schema,
}


def schema_text(name: str) -> str:
    """A schema as committed in `schemas/` (sorted keys, two-space indent)."""
    return json.dumps(SCHEMAS[name](), indent=2, sort_keys=True) + "\n"


def report_schema_text() -> str:
    """The JSON Schema of report.json as committed in `schemas/`."""
    return schema_text("report.schema.json")


def main(argv: list[str] | None = None) -> int:
    """Print the report schema, or write every schema into a folder."""
    parser = argparse.ArgumentParser(prog="python -m grader.models.schema")
    parser.add_argument("--write", type=Path, metavar="FOLDER", help="write every schema into FOLDER")
    args = parser.parse_args(argv)
    if args.write is None:
        print(report_schema_text(), end="")
        return 0
    for name in SCHEMAS:
        (args.write / name).write_text(schema_text(name), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
