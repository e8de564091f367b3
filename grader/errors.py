"""The grader's exceptions: a small tree whose messages say what to do next."""

from __future__ import annotations


class GraderError(Exception):
    """Base of every error the grader raises on purpose."""


class ConfigError(GraderError):
    """A rubric, assignment or option is wrong; the user must fix it (exit code 2)."""


class RubricError(ConfigError):
    """The rubric file is invalid; the message lists every problem with its location."""


class AssignmentError(ConfigError):
    """The assignment folder or its `assignment.yaml` is invalid."""


class ReviewError(ConfigError):
    """A reviewer's override, calibration or comparison cannot be recorded as asked; the message says why."""


class SubmissionError(GraderError):
    """One submission cannot be graded as sent (malformed, empty, oversized, unsafe)."""


class SandboxError(GraderError):
    """The sandbox could not run (engine, image or container failure)."""


class EngineUnavailable(SandboxError):
    """No Docker engine answers."""


class ImageError(SandboxError):
    """The sandbox image is missing or could not be built."""


class UntrustedOutputError(SandboxError):
    """What came out of a container broke the schema or its size caps."""
