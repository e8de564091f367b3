"""What checks produce: findings with evidence, and one result per check."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    """How much a finding matters to a reviewer; `info` marks a positive observation."""

    info = "info"
    low = "low"
    medium = "medium"
    high = "high"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.info: 0, Severity.low: 1, Severity.medium: 2, Severity.high: 3}


class Confidence(StrEnum):
    """High for a traced or executed fact, lower for a heuristic."""

    high = "high"
    medium = "medium"
    low = "low"


class CheckStatus(StrEnum):
    passed = "passed"
    failed = "failed"
    #: The check itself crashed: the criterion goes to human review, it is not a fail.
    error = "error"
    #: An input the check needs is missing (e.g. the notebook did not run).
    skipped = "skipped"
    #: The notebook does nothing this check judges (no resampling, no stated result, no time
    #: column): there is nothing to get right or wrong, so its points leave the total instead of
    #: being earned for an absence.
    not_applicable = "not_applicable"


class EvidenceSource(StrEnum):
    code = "code"
    markdown = "markdown"
    output = "output"
    #: An output saved in the submitted notebook that the sandbox run did not reproduce.
    saved_output = "saved_output"
    execution = "execution"
    trace = "trace"
    file = "file"
    holdout = "holdout"


class Evidence(BaseModel):
    """One place in the submission that supports a finding."""

    model_config = ConfigDict(extra="forbid")

    source: EvidenceSource = EvidenceSource.code
    #: Global cell index across the submission's notebooks (0-based), if any.
    cell: int | None = None
    #: 1-based line inside the cell.
    line: int | None = None
    end_line: int | None = None
    #: Notebook file the cell belongs to (relative to the submission root).
    notebook: str | None = None
    #: The cell's index inside that notebook, as the reviewer sees it (filled when the report is assembled).
    local_cell: int | None = None
    snippet: str | None = None
    note: str | None = None


class Finding(BaseModel):
    """A problem (or, with severity `info`, an observation) that a check reports."""

    model_config = ConfigDict(extra="forbid")

    #: Unique inside one report: `<check id>#<n>`; scoring deductions point at it.
    id: str = ""
    check_id: str = ""
    message: str
    severity: Severity = Severity.medium
    confidence: Confidence = Confidence.high
    evidence: list[Evidence] = []
    #: Facts behind the finding (row counts, metric values), safe to show a reviewer.
    data: dict[str, Any] = {}

    @property
    def is_problem(self) -> bool:
        return self.severity is not Severity.info


class CheckResult(BaseModel):
    """The outcome of one check on one submission."""

    model_config = ConfigDict(extra="forbid")

    id: str
    slug: str
    category: str
    version: int
    title: str
    status: CheckStatus
    params: dict[str, Any] = {}
    findings: list[Finding] = []
    #: Fraction of the check's goal met, 0–1, for proportional scoring.
    score: float | None = Field(default=None, ge=0, le=1)
    #: A measured value (e.g. a holdout metric) for metric-to-points scoring.
    metric: float | None = None
    message: str = ""
    #: Traceback of a crashed check, for staff only.
    error: str | None = None
    duration_ms: float = 0.0

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.is_problem]
