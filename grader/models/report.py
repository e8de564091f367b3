"""The graded report: the one model behind report.json, report.html and the summaries."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from grader.models.execution import ExecutionRecord
from grader.models.findings import CheckResult, Finding

#: Bump on any incompatible change to the report's JSON shape.
SCHEMA_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GradingStatus(StrEnum):
    #: Graded automatically end to end.
    graded = "graded"
    #: Graded, but at least one criterion needs a human (a check crashed).
    needs_review = "needs_review"
    #: The submission could not be graded (malformed, missing, oversized...).
    rejected = "rejected"
    #: The grader failed on this submission; the error says why.
    failed = "failed"


class SubmittedFile(_Model):
    path: str
    size: int
    sha256: str


class SubmissionInfo(_Model):
    name: str
    #: The reviewer-facing name: the candidate's, or an anonymous id in blind mode.
    candidate: str
    notebooks: list[str] = []
    files: list[SubmittedFile] = []
    content_hash: str = ""
    source: str = ""


class RubricInfo(_Model):
    name: str
    version: str
    title: str = ""
    sha256: str = ""
    path: str = ""


class AssignmentInfo(_Model):
    name: str
    title: str
    task: str
    primary_metric: str


class Deduction(_Model):
    """Points lost, and the finding (if any) that cost them."""

    points: float
    check_id: str
    reason: str
    finding_id: str | None = None


class CheckScore(_Model):
    check_id: str
    slug: str
    title: str
    policy: str
    points_possible: float
    points: float
    status: str
    deductions: list[Deduction] = []
    #: True when the check crashed: its points wait for a human.
    needs_review: bool = False
    #: True when the check could not run on this submission (not the candidate's fault).
    not_scored: bool = False
    note: str = ""


class CriterionScore(_Model):
    id: str
    title: str
    points_possible: float
    score: float
    #: Points not scored automatically: a check crashed (review) or could not run.
    pending: float = 0.0
    checks: list[CheckScore] = []
    deductions: list[Deduction] = []
    needs_review: bool = False
    review_reasons: list[str] = []


class AppliedCap(_Model):
    """A rubric cap (validity gate) that lowered the total or the band, and the findings that triggered it."""

    reason: str
    #: The percentage of the scored points the gate holds the total at.
    max_percent: float
    #: Points the cap took off the sum of the criteria.
    points_lost: float
    finding_ids: list[str]
    #: The highest band the gate allows (None: the gate caps the percentage only).
    max_band: str | None = None
    #: The band the total had before this gate lowered it, and the band it lowered it to (None: unchanged).
    band_lowered_from: str | None = None
    band_lowered_to: str | None = None


class Total(_Model):
    score: float
    max: float
    #: Points left out of `percent` because they were not scored automatically.
    pending: float = 0.0
    #: Score as a percentage of the points that were scored.
    percent: float
    band: str
    needs_review: bool = False
    #: Rubric caps (validity gates) that lowered the score or the band (empty when none applied).
    caps: list[AppliedCap] = []


class FlagKind(StrEnum):
    leakage = "leakage"
    did_not_run = "did_not_run"
    holdout_gap = "holdout_gap"
    suspected_copy = "suspected_copy"
    needs_review = "needs_review"
    resource_limit = "resource_limit"
    #: Large parts match another submission of the batch or a known public solution.
    similar = "similar"
    #: The results could not be verified: the run did not complete or its evaluation failed, and no holdout score.
    unverified = "unverified"
    #: A result the notebook states is contradicted by its own outputs.
    claim_unsupported = "claim_unsupported"


class Flag(_Model):
    """A red flag shown at the top of the report."""

    kind: FlagKind
    message: str
    finding_id: str | None = None
    #: A page of the batch output that shows the evidence, relative to the report's folder.
    link: str | None = None


class HoldoutResult(_Model):
    """The candidate's predictions scored against the hidden labels, outside the sandbox."""

    status: str
    metric: str
    score: float | None = None
    claimed: float | None = None
    claimed_evidence: str | None = None
    rows_expected: int = 0
    rows_matched: int = 0
    message: str = ""
    extra: dict[str, float] = {}


class ReviewerOverride(_Model):
    """A human's score for a criterion, kept beside the automatic one."""

    criterion_id: str
    score: float
    reviewer: str
    reason: str
    at: str


class FollowUp(_Model):
    question: str
    topic: str
    finding_id: str | None = None


class Report(_Model):
    schema_version: str = SCHEMA_VERSION
    grader_version: str
    generated_at: str
    status: GradingStatus
    error: str | None = None
    submission: SubmissionInfo
    assignment: AssignmentInfo | None = None
    rubric: RubricInfo | None = None
    execution: ExecutionRecord
    checks: list[CheckResult] = []
    criteria: list[CriterionScore] = []
    total: Total
    flags: list[Flag] = []
    holdout: HoldoutResult | None = None
    followups: list[FollowUp] = []
    overrides: list[ReviewerOverride] = []
    environment: dict[str, Any] = {}
    timings: dict[str, float] = {}

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with this id, wherever it is."""
        for result in self.checks:
            for finding in result.findings:
                if finding.id == finding_id:
                    return finding
        return None
