"""The graded report: the one model behind report.json, report.html and the summaries."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from grader.models.execution import ExecutionRecord
from grader.models.findings import CheckResult, Finding
from grader.models.rubric import Band, ScoreCap

#: Bump on any incompatible change to the report's JSON shape.
SCHEMA_VERSION = "2.1"


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


class NotGradedNotebook(_Model):
    """A notebook of the submission that is not part of the graded work, and why."""

    path: str
    reason: str


class SubmissionInfo(_Model):
    name: str
    #: The reviewer-facing name: the candidate's, or an anonymous id in blind mode.
    candidate: str
    #: The graded notebooks, in the order they ran.
    notebooks: list[str] = []
    not_graded: list[NotGradedNotebook] = []
    files: list[SubmittedFile] = []
    content_hash: str = ""
    source: str = ""
    #: Graded blind: no name, e-mail address or personal path anywhere in the report.
    blind: bool = False


class RubricInfo(_Model):
    name: str
    version: str
    title: str = ""
    sha256: str = ""
    path: str = ""
    #: The rubric's bands and caps, so a reviewer's override can be re-scored from report.json alone.
    bands: list[Band] = []
    caps: list[ScoreCap] = []


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
    #: True when the notebook does nothing the check judges: its points are out of the criterion's
    #: `points_possible` (and the total's `max`), neither earned nor pending.
    not_applicable: bool = Field(default=False, exclude_if=lambda value: not value)
    note: str = ""
    #: Points after reviewer overrides (None: no override touched this check).
    final: float | None = None


class CriterionScore(_Model):
    id: str
    title: str
    #: The rubric's points for the criterion less those of its not-applicable checks.
    points_possible: float
    score: float
    #: Points of checks with nothing to judge in this notebook, left out of `points_possible`.
    not_applicable: float = Field(default=0.0, exclude_if=lambda value: not value)
    #: Points not scored automatically: a check crashed (review) or could not run.
    pending: float = 0.0
    checks: list[CheckScore] = []
    deductions: list[Deduction] = []
    needs_review: bool = False
    review_reasons: list[str] = []
    #: Points and pending points after reviewer overrides (None: no override touched this criterion).
    final: float | None = None
    final_pending: float | None = None


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
    #: The rubric's points less those of not-applicable checks.
    max: float
    #: Points of checks with nothing to judge in this notebook, left out of `max`.
    not_applicable: float = Field(default=0.0, exclude_if=lambda value: not value)
    #: Points left out of `percent` because they were not scored automatically.
    pending: float = 0.0
    #: Score as a percentage of the points that were scored.
    percent: float
    band: str
    needs_review: bool = False
    #: Rubric caps (validity gates) that lowered the score or the band (empty when none applied).
    caps: list[AppliedCap] = []
    #: After reviewer overrides (None until a reviewer changes a score); `score` stays automatic.
    final: float | None = None
    final_percent: float | None = None
    final_band: str | None = None
    final_pending: float | None = None
    #: The caps that still hold after overrides (a cap lifts when every finding behind it is dismissed).
    final_caps: list[AppliedCap] = []

    @property
    def shown(self) -> float:
        """The score a reviewer decides on: `final` when a reviewer changed it, else the automatic one."""
        return self.score if self.final is None else self.final

    @property
    def shown_percent(self) -> float:
        return self.percent if self.final_percent is None else self.final_percent

    @property
    def shown_band(self) -> str:
        return self.band if self.final_band is None else self.final_band

    @property
    def shown_pending(self) -> float:
        return self.pending if self.final_pending is None else self.final_pending

    @property
    def shown_caps(self) -> list[AppliedCap]:
        return self.caps if self.final is None else self.final_caps


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


class ReviewKind(StrEnum):
    #: Points for a whole criterion.
    criterion = "criterion"
    #: Points for one check.
    check = "check"
    #: Points for a check that was not scored automatically (it crashed or could not run).
    settle = "settle"
    #: A finding that stops counting (it stays visible, marked dismissed).
    dismiss = "dismiss"
    #: A note; it changes no score.
    note = "note"


class ReviewerOverride(_Model):
    """One entry of a report's review history, kept beside the automatic result, never over it.

    The history is append-only: a later entry for the same criterion or check wins, and every
    earlier one stays visible.
    """

    kind: ReviewKind
    criterion_id: str | None = None
    check_id: str | None = None
    finding_id: str | None = None
    points: float | None = None
    reviewer: str
    #: Why (for a note: the note itself).
    reason: str
    at: str
    #: Set when a re-grade carried the entry over: when the report it came from was generated
    #: (left out of report.json otherwise, so entries recorded on this grading keep their shape).
    carried_from: str | None = Field(default=None, exclude_if=lambda value: value is None)


class NotCarried(_Model):
    """An earlier review entry a re-grade could not re-apply: its target is gone from the new report."""

    entry: ReviewerOverride
    #: e.g. "not carried (finding no longer present)".
    why: str
    #: When the report the entry was recorded on was generated.
    carried_from: str


class FollowUp(_Model):
    question: str
    topic: str
    finding_id: str | None = None
    #: The cell the question is about (a choice's; a finding's cell comes from its evidence).
    cell: int | None = None
    #: "finding": raised by a problem finding; "choice": probes a decision the candidate made.
    basis: str = "finding"


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
    #: Earlier entries a re-grade could not re-apply (left out of report.json while empty, so
    #: reports never re-graded over a review keep their shape).
    not_carried: list[NotCarried] = Field(default=[], exclude_if=lambda value: not value)
    environment: dict[str, Any] = {}
    timings: dict[str, float] = {}

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with this id, wherever it is."""
        for result in self.checks:
            for finding in result.findings:
                if finding.id == finding_id:
                    return finding
        return None
