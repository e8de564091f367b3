"""The published JSON Schema of report.json (`schemas/report.schema.json`)."""

from __future__ import annotations

import json
from typing import Any

from grader.models.report import SCHEMA_VERSION, Report


def report_schema() -> dict[str, Any]:
    """JSON Schema for report.json, generated from the pydantic model."""
    schema = Report.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://take-home-grader.invalid/schemas/report-{SCHEMA_VERSION}.json"
    schema["title"] = "take-home-grader report"
    return schema


def report_schema_text() -> str:
    """The JSON Schema of report.json as committed in `schemas/`."""
    return json.dumps(report_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(report_schema_text(), end="")
