"""An example check plugin for take-home-grader: what the `grader.checks` entry point publishes."""

from __future__ import annotations

from grader.checks.base import CheckSpec
from grader_plugin_example.todo_comments import leftover_todo_comments


def checks() -> list[CheckSpec]:
    """The checks this plugin adds (the target of its `grader.checks` entry point)."""
    return [leftover_todo_comments]
