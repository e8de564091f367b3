"""What `grader lint` found: files, their findings with 1-based places, and the run's settings.

`LintReport` is the JSON the linter prints with `--format json` (`version` is bumped when
a field changes meaning); the text, GitHub and SARIF outputs are rendered from it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from grader.models.findings import Confidence, Evidence, Severity

LINT_FORMAT_VERSION = 1


class FileKind(StrEnum):
    """How a linted file was read."""

    notebook = "notebook"
    #: A `.py` script in cells (`# %%`): read as a notebook, every static check runs.
    script = "script"
    #: A plain `.py` module (no cell markers): only code-level checks run.
    module = "module"


class LintFinding(BaseModel):
    """One problem, placed the way editors count: cells, lines and columns from 1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_id: str
    slug: str
    category: str
    severity: Severity
    confidence: Confidence
    message: str
    #: 1-based cell of a notebook or script (None: the finding is about the whole file).
    cell: int | None = None
    #: 1-based line inside the cell.
    line: int | None = None
    column: int = 1
    #: 1-based line in the file itself (a script's line; a notebook's line in its JSON), if known.
    file_line: int | None = None
    evidence: list[Evidence] = []


class LintedFile(BaseModel):
    """One file's results."""

    model_config = ConfigDict(extra="forbid")

    path: str
    kind: FileKind | None = None
    #: Ids of the checks that ran on it.
    checks: list[str] = []
    findings: list[LintFinding] = []
    #: Checks that crashed (id → the error's last line); a crash is never a pass.
    check_errors: dict[str, str] = {}
    #: Why the file could not be linted at all (unreadable, not a notebook).
    error: str | None = None


class LintReport(BaseModel):
    """A whole `grader lint` run."""

    model_config = ConfigDict(extra="forbid")

    version: int = LINT_FORMAT_VERSION
    grader_version: str
    files: list[LintedFile] = []
    #: The least severe finding that fails the run.
    fail_on: Severity = Severity.low
    #: Selected checks that could not run, and why (id → reason).
    not_run: dict[str, str] = {}

    @property
    def findings(self) -> list[tuple[LintedFile, LintFinding]]:
        """Every finding with its file, in file order."""
        return [(f, finding) for f in self.files for finding in f.findings]

    @property
    def failed(self) -> bool:
        """A finding at or above `fail_on`, a crashed check or an unreadable file."""
        return any(f.error or f.check_errors for f in self.files) or any(
            finding.severity.rank >= self.fail_on.rank for _, finding in self.findings
        )
