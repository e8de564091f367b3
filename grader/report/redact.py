"""Blind mode: e-mail addresses and personal absolute paths removed from everything a candidate wrote.

Names are replaced by anonymous ids when the report is assembled; `redact` then strips what
still identifies the candidate from findings, errors, tracebacks and (when rendering) cells.
"""

from __future__ import annotations

import re
from typing import Any

from grader.models.report import Report

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
#: Home-like absolute paths (they carry user names); other absolute paths (/usr/lib/...) are harmless.
UNIX_HOME_PATH = re.compile(
    r"(?:file://)?(?<![\w./~-])/(?:home|Users|root|mnt/[a-z]/Users|var/folders|private/var/folders|media)"
    r"(?:/[^\s'\"<>`|]*)?"
)
WINDOWS_PATH = re.compile(r"(?<![\w/])[A-Za-z]:(?:\\{1,4}|/)[^\s'\"<>`|]*")
TILDE_PATH = re.compile(r"(?<![\w/])~[\\/][^\s'\"<>`|]*")


def redact(text: str) -> str:
    """Blind mode: remove e-mail addresses and personal absolute paths from candidate text."""
    text = EMAIL.sub("[email]", text)
    text = UNIX_HOME_PATH.sub("[path]", text)
    text = WINDOWS_PATH.sub("[path]", text)
    return TILDE_PATH.sub("[path]", text)


def redact_tree(value: Any) -> Any:
    """`redact` applied to every string inside nested dicts and lists (for a dumped report)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_tree(v) for k, v in value.items()}
    return value


def redact_report(report: Report) -> Report:
    """The report with every string redacted (names are already anonymous ids in blind mode)."""
    return Report.model_validate(redact_tree(report.model_dump(mode="json")))
