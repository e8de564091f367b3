"""`grader lint` output: text for people and editors, JSON, GitHub annotations and SARIF 2.1.0.

- text: `path:cell:line:col: ID message [severity]` for notebooks (1-based cells and lines,
  the way Jupyter and VS Code count), `path:line:col: ...` for `.py` files, where the line
  is the file's own; a finding about the whole file has no numbers.
- json: the `LintReport` model, with its `version`.
- github: workflow commands (`::error file=...,line=...::...`) that annotate a pull request.
- sarif: a SARIF 2.1.0 log for code scanning; each finding keeps its cell and in-cell line
  in `properties`, its region is the line in the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from grader.checks.base import CheckSpec
from grader.models.findings import Severity
from grader.models.lint import FileKind, LintedFile, LintFinding, LintReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/take-home-grader/"
#: SARIF levels and GitHub command names by severity.
LEVEL = {Severity.high: "error", Severity.medium: "warning", Severity.low: "note", Severity.info: "note"}
GITHUB = {Severity.high: "error", Severity.medium: "warning", Severity.low: "notice", Severity.info: "notice"}


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def _place(linted: LintedFile, finding: LintFinding) -> str:
    if linted.kind is FileKind.notebook:
        if finding.cell is None:
            return linted.path
        return f"{linted.path}:{finding.cell}:{finding.line or 1}:{finding.column}"
    if finding.file_line is None:
        return linted.path
    return f"{linted.path}:{finding.file_line}:{finding.column}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def text_lines(report: LintReport) -> Iterable[str]:
    """One line per finding, per crashed check and per unreadable file, then a summary."""
    for linted in report.files:
        if linted.error:
            yield f"{linted.path}: ERROR {_one_line(linted.error)}"
        for check_id, error in linted.check_errors.items():
            yield f"{linted.path}: {check_id} crashed: {_one_line(error)}"
        for finding in linted.findings:
            yield f"{_place(linted, finding)}: {finding.check_id} {_one_line(finding.message)} [{finding.severity.value}]"
    count = len(report.findings)
    failing = sum(1 for _, f in report.findings if f.severity.rank >= report.fail_on.rank)
    yield (
        f"{count} finding(s) in {len(report.files)} file(s); {failing} at or above {report.fail_on.value}"
        + (f"; not run: {', '.join(sorted(report.not_run))} ({_reasons(report)})" if report.not_run else "")
    )


def _reasons(report: LintReport) -> str:
    return "; ".join(sorted(set(report.not_run.values())))


def _escape_github(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_lines(report: LintReport) -> Iterable[str]:
    """GitHub Actions workflow commands, one per finding (the summary goes to the log as plain text)."""
    for linted in report.files:
        path = _escape_github(linted.path, property_value=True)
        if linted.error:
            yield f"::error file={path},title=unreadable::{_escape_github(linted.error)}"
        for check_id, error in linted.check_errors.items():
            yield f"::error file={path},title={check_id} crashed::{_escape_github(error)}"
        for finding in linted.findings:
            where = f",line={finding.file_line},col={finding.column}" if finding.file_line else ""
            cell = f"cell {finding.cell}, line {finding.line or 1}: " if finding.cell is not None else ""
            title = _escape_github(f"{finding.check_id} {finding.slug}", property_value=True)
            message = _escape_github(f"{cell}{finding.message}")
            yield f"::{GITHUB[finding.severity]} file={path}{where},title={title}::{message}"
    yield f"{len(report.findings)} finding(s) in {len(report.files)} file(s)"


def _rule(spec: CheckSpec) -> dict[str, Any]:
    doc = spec.doc
    help_text = "\n\n".join(f"{name}: {doc[name]}" for name in ("Why it matters", "Do instead") if doc.get(name))
    return {
        "id": spec.id,
        "name": spec.slug,
        "shortDescription": {"text": spec.title},
        "fullDescription": {"text": spec.summary or spec.title},
        "help": {"text": help_text or spec.title},
        "properties": {"category": spec.category.value, "scope": spec.scope.value},
    }


def sarif_log(report: LintReport, specs: Iterable[CheckSpec]) -> dict[str, Any]:
    """The run as a SARIF 2.1.0 log (one run, the checks as rules)."""
    rules = [_rule(spec) for spec in specs]
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for linted in report.files:
        uri = linted.path.replace("\\", "/")
        if linted.error:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": linted.error},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
                }
            )
        for check_id, error in linted.check_errors.items():
            notifications.append({"level": "error", "message": {"text": f"{check_id} crashed: {error}"}})
        for finding in linted.findings:
            physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
            if finding.file_line:
                physical["region"] = {"startLine": finding.file_line, "startColumn": finding.column}
            location: dict[str, Any] = {"physicalLocation": physical}
            if finding.cell is not None:
                location["logicalLocations"] = [{"name": f"cell {finding.cell}", "kind": "module"}]
            result: dict[str, Any] = {
                "ruleId": finding.check_id,
                "level": LEVEL[finding.severity],
                "message": {"text": finding.message},
                "locations": [location],
                "properties": {
                    "severity": finding.severity.value,
                    "confidence": finding.confidence.value,
                    "cell": finding.cell,
                    "line": finding.line,
                },
            }
            if finding.check_id in index:
                result["ruleIndex"] = index[finding.check_id]
            results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "take-home-grader",
                "version": report.grader_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    run["invocations"] = [{"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_lint(report: LintReport, fmt: LintFormat, specs: Iterable[CheckSpec] = ()) -> str:
    """The report in one of the formats, as the text to print (ends with a newline)."""
    if fmt is LintFormat.json:
        return report.model_dump_json(indent=2) + "\n"
    if fmt is LintFormat.sarif:
        return json.dumps(sarif_log(report, specs), indent=2) + "\n"
    lines = github_lines(report) if fmt is LintFormat.github else text_lines(report)
    return "".join(line + "\n" for line in lines)
