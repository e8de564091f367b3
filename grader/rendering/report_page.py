"""The reviewer's page for one submission, laid out to be read in five minutes.

The verdict, caps, red flags and the points lost come first; then the interview
follow-ups; then the criteria, where each check has one state (passed, partial, failed, or
not scored), passed checks are collapsed, internal parameters and raw facts sit behind a
"details" toggle, and evidence already shown in a section is referred to instead of
repeated; then the review history (and, in the web app, the reviewer's forms); then the
notebook with each finding's message next to its cell.

Python builds plain view objects (everything a candidate wrote stays a `str` and is
escaped by the templates; the only `Markup` made from candidate content comes out of nh3
or Pygments), and `report.html.j2` lays them out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.models.findings import CheckResult, CheckStatus, Evidence, EvidenceSource, Finding
from grader.models.report import (
    CheckScore,
    CriterionScore,
    Deduction,
    Flag,
    FlagKind,
    Report,
    ReviewerOverride,
    ReviewKind,
)
from grader.rendering.cells import CellMark, NotebookSection, notebook_sections
from grader.rendering.charts import BarChart, criterion_bars
from grader.rendering.desk import Desk
from grader.rendering.page import finding_anchor, render_page
from grader.rendering.runtime_view import RuntimeView, cell_labels, runtime_view
from grader.report.redact import redact_report
from grader.review.overrides import check_state, dismissed_findings

SEVERITIES = ("high", "medium", "low", "info")
FLAG_LABELS = {
    FlagKind.leakage: "Leakage",
    FlagKind.did_not_run: "Did not run",
    FlagKind.holdout_gap: "Holdout gap",
    FlagKind.suspected_copy: "Suspected copy",
    FlagKind.needs_review: "Needs review",
    FlagKind.resource_limit: "Resource limit",
    FlagKind.similar: "Similar",
    FlagKind.unverified: "Unverified",
    FlagKind.claim_unsupported: "Claim not supported",
}
#: A flag's link is a page of the batch output next to the report, never an arbitrary URL.
_FLAG_LINK = re.compile(r"^(?:\.\./)?[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\.html$")
NOTE_COLLAPSE_CHARS = 600
#: The state shown for a check outside the rubric that found no problem, by status (else "no findings").
_UNSCORED_STATE = {
    CheckStatus.not_applicable: "not applicable",
    CheckStatus.error: "not scored",
    CheckStatus.skipped: "not scored",
}
MAX_DATA_ITEMS = 12
SNIPPET_LABELS = {
    EvidenceSource.output: "Output excerpt",
    EvidenceSource.saved_output: "Saved output (from the submission, not reproduced)",
    EvidenceSource.markdown: "Markdown",
    EvidenceSource.file: "File excerpt",
    EvidenceSource.holdout: "Holdout",
    EvidenceSource.trace: "Runtime trace",
}
#: Evidence from these sources points at code lines, which the notebook view highlights.
LINE_SOURCES = (EvidenceSource.code, EvidenceSource.execution, EvidenceSource.trace)
KIND_LABELS = {
    ReviewKind.criterion: "criterion points",
    ReviewKind.check: "check points",
    ReviewKind.settle: "pending points settled",
    ReviewKind.dismiss: "finding dismissed",
    ReviewKind.note: "note",
}


def cell_anchor(index: int) -> str:
    """The HTML id of a cell in the report page."""
    return f"cell-{index}"


# --------------------------------------------------------------------------- view objects


@dataclass
class EvidenceView:
    source: str
    where: str
    href: str | None
    notebook: str | None
    snippet: str | None
    snippet_label: str
    note: str | None
    note_collapsed: bool
    #: The same code was already shown in this section: link to it instead of repeating it.
    repeat_href: str | None = None


@dataclass
class FindingView:
    id: str
    anchor: str | None
    href: str
    check_id: str
    message: str
    severity: str
    confidence: str
    positive: bool
    evidence: list[EvidenceView]
    data: list[tuple[str, str]]
    dismissed: ReviewerOverride | None = None
    #: Problems other checks raise on the very lines this observation praises.
    also_penalised: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class DeductionView:
    points: float
    reason: str
    finding: FindingView | None
    #: Link to the finding's card when it is shown elsewhere on the page.
    finding_href: str | None = None
    dismissed: bool = False


@dataclass
class CheckView:
    check_id: str
    slug: str
    title: str
    category: str
    #: One state for the reader: passed, partial, failed, not scored (or the raw status outside the rubric).
    state: str
    policy: str
    points: float
    points_possible: float
    final: float | None
    needs_review: bool
    not_scored: bool
    note: str
    message: str
    error: str | None
    params: list[tuple[str, str]]
    deductions: list[DeductionView] = field(default_factory=list)
    other_findings: list[FindingView] = field(default_factory=list)
    observations: list[FindingView] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """Passed checks (and checks outside the rubric with nothing to say) start collapsed."""
        return self.state not in ("passed", "no findings")


@dataclass
class CriterionView:
    id: str
    title: str
    score: float
    final: float | None
    possible: float
    pending: float
    needs_review: bool
    review_reasons: list[str]
    checks: list[CheckView]
    overrides: list[ReviewerOverride]
    passed: int


@dataclass
class FlagView:
    kind: str
    label: str
    message: str
    href: str | None
    link_text: str = "evidence"
    dismissed: bool = False


@dataclass
class PendingView:
    """A check whose points were not scored automatically, and why."""

    check_id: str
    title: str
    criterion: str
    points: float
    why: str
    kind: str  # review | skipped
    settled: float | None = None


@dataclass
class LostView:
    """One line of "where the points went": points, the check, the reason, the cell."""

    points: float
    criterion: str
    check_id: str
    check_title: str
    reason: str
    finding_href: str | None
    cell_href: str | None
    where: str
    dismissed: bool


@dataclass
class FollowUpView:
    question: str
    topic: str
    finding_href: str | None
    cell_href: str | None
    cell: int | None
    basis: str


@dataclass
class HistoryView:
    kind: str
    target: str
    target_href: str | None
    points: float | None
    reviewer: str
    reason: str
    at: str
    #: When the report the entry was first recorded on was generated, for an entry a re-grade carried over.
    carried_from: str | None = None
    #: Why a re-grade could not re-apply it (only in `not_carried`).
    why: str = ""


@dataclass
class ReviewForms:
    """The choices the web app's review forms offer."""

    action: str
    criteria: list[tuple[str, str]]
    checks: list[tuple[str, str]]
    findings: list[tuple[str, str]]
    preselected: str | None


@dataclass
class ReportPage:
    report: Report
    flags: list[FlagView]
    chart: BarChart
    criteria: list[CriterionView]
    extra_checks: list[CheckView]
    pending: list[PendingView]
    lost: list[LostView]
    severity_counts: list[tuple[str, int]]
    positives: int
    followups: list[FollowUpView]
    history: list[HistoryView]
    not_carried: list[HistoryView]
    notebooks: list[NotebookSection]
    environment: list[tuple[str, str]]
    limits: list[tuple[str, str]]
    packages: list[tuple[str, str]]
    blind: bool
    desk: Desk | None = None
    forms: ReviewForms | None = None
    #: Runtime profile, the other run, notebooks not graded.
    runtime: RuntimeView = field(default_factory=RuntimeView)
    #: Global cell index → `task2.ipynb cell 8` (`cell 8` for one notebook).
    cell_labels: dict[int, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- building


def _line_key(ev: Evidence) -> tuple[int, int] | None:
    return (ev.cell, ev.line) if ev.cell is not None and ev.line is not None else None


def _penalised_lines(report: Report, dismissed: Mapping[str, ReviewerOverride]) -> dict[tuple[int, int], list[Finding]]:
    """(cell, line) → the standing problem findings that point at it."""
    lines: dict[tuple[int, int], list[Finding]] = {}
    for result in report.checks:
        for finding in result.problems:
            if finding.id in dismissed:
                continue
            for ev in finding.evidence:
                key = _line_key(ev)
                if key is not None and ev.source in LINE_SOURCES and finding not in lines.get(key, []):
                    lines.setdefault(key, []).append(finding)
    return lines


class _Builder:
    """Builds the page's views; remembers which finding cards were drawn so each anchor exists once."""

    def __init__(self, report: Report, shown_cells: set[int], labels: Mapping[int, str] | None = None) -> None:
        self.report = report
        self.shown_cells = shown_cells
        self.labels = labels or {}
        self.results: dict[str, CheckResult] = {r.id: r for r in report.checks}
        self.titles = {r.id: r.title for r in report.checks}
        self.drawn: set[str] = set()
        self.dismissed = dismissed_findings(report)
        self.penalised = _penalised_lines(report, self.dismissed)
        #: Evidence already shown in the current section: key → the card that shows it.
        self.seen: dict[tuple[Any, ...], str] = {}

    def evidence(self, ev: Evidence, owner: str) -> EvidenceView:
        parts = []
        href = None
        if ev.cell is not None:
            parts.append(self.labels.get(ev.cell, f"cell {ev.cell}"))
            if ev.cell in self.shown_cells:
                href = "#" + cell_anchor(ev.cell)
        if ev.line is not None:
            if ev.end_line is not None and ev.end_line != ev.line:
                parts.append(f"lines {ev.line}–{ev.end_line}")
            else:
                parts.append(f"line {ev.line}")
        where = ", ".join(parts) or ev.source.value.replace("_", " ")
        label = SNIPPET_LABELS.get(ev.source, "Code" if ev.cell is not None else "Excerpt")
        note = ev.note
        view = EvidenceView(
            source=ev.source.value,
            where=where,
            href=href,
            notebook=ev.notebook,
            snippet=ev.snippet,
            snippet_label=label,
            note=note,
            note_collapsed=bool(note and (len(note) > NOTE_COLLAPSE_CHARS or note.count("\n") > 8)),
        )
        if ev.snippet and len(ev.snippet) > 20:
            key = (ev.cell, ev.line, ev.snippet)
            first = self.seen.get(key)
            if first is not None and first != owner:
                view.repeat_href = "#" + finding_anchor(first)
            else:
                self.seen[key] = owner
        return view

    def finding(self, finding: Finding) -> FindingView:
        owned = finding.id not in self.drawn
        self.drawn.add(finding.id)
        data = []
        for key, value in list(finding.data.items())[:MAX_DATA_ITEMS]:
            if value is None or value == "" or value == [] or value == {}:
                continue  # an empty fact tells a reviewer nothing
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            data.append((str(key).replace("_", " "), text if len(text) <= 200 else text[:199] + "…"))
        unique: list[Evidence] = []
        for ev in finding.evidence:
            if ev not in unique:
                unique.append(ev)
        also: list[tuple[str, str, str]] = []
        if not finding.is_problem:
            for ev in unique:
                line = _line_key(ev)
                for other in self.penalised.get(line, []) if line else []:
                    item = (
                        self.titles.get(other.check_id, other.check_id),
                        other.message,
                        "#" + finding_anchor(other.id),
                    )
                    if item not in also:
                        also.append(item)
        return FindingView(
            id=finding.id,
            anchor=finding_anchor(finding.id) if owned else None,
            href="#" + finding_anchor(finding.id),
            check_id=finding.check_id,
            message=finding.message,
            severity=finding.severity.value,
            confidence=finding.confidence.value,
            positive=not finding.is_problem,
            evidence=[self.evidence(ev, finding.id) for ev in unique],
            data=data,
            dismissed=self.dismissed.get(finding.id),
            also_penalised=also,
        )

    def deduction(self, deduction: Deduction) -> DeductionView:
        finding = self.report.finding(deduction.finding_id) if deduction.finding_id else None
        dismissed = bool(deduction.finding_id and deduction.finding_id in self.dismissed)
        if finding is None:
            return DeductionView(points=deduction.points, reason=deduction.reason, finding=None, dismissed=dismissed)
        if finding.id in self.drawn:
            return DeductionView(
                points=deduction.points,
                reason=deduction.reason,
                finding=None,
                finding_href="#" + finding_anchor(finding.id),
                dismissed=dismissed,
            )
        return DeductionView(
            points=deduction.points, reason=deduction.reason, finding=self.finding(finding), dismissed=dismissed
        )

    def check(self, score: CheckScore, result: CheckResult | None) -> CheckView:
        """A rubric check: its points and deductions, then the findings no deduction showed."""
        view = CheckView(
            check_id=score.check_id,
            slug=score.slug,
            title=score.title,
            category=result.category if result else "",
            state=check_state(score, score.status),
            policy=score.policy,
            points=score.points,
            points_possible=score.points_possible,
            final=score.final,
            needs_review=score.needs_review,
            not_scored=score.not_scored,
            note=score.note,
            message=result.message if result else "",
            error=result.error if result and result.status is CheckStatus.error else None,
            params=_params(result),
        )
        view.deductions = [self.deduction(d) for d in score.deductions]
        self._remaining_findings(view, result)
        return view

    def unscored_check(self, result: CheckResult) -> CheckView:
        """A check that ran but is not part of the rubric (shown, worth nothing)."""
        problems = bool(result.problems)
        view = CheckView(
            check_id=result.id,
            slug=result.slug,
            title=result.title,
            category=result.category,
            state="findings" if problems else _UNSCORED_STATE.get(result.status, "no findings"),
            policy="not in the rubric",
            points=0.0,
            points_possible=0.0,
            final=None,
            needs_review=False,
            not_scored=False,
            note="",
            message=result.message,
            error=result.error if result.status is CheckStatus.error else None,
            params=_params(result),
        )
        self._remaining_findings(view, result)
        return view

    def _remaining_findings(self, view: CheckView, result: CheckResult | None) -> None:
        for finding in result.findings if result else []:
            if finding.id not in self.drawn:
                (view.other_findings if finding.is_problem else view.observations).append(self.finding(finding))

    def criterion(self, criterion: CriterionScore) -> CriterionView:
        self.seen = {}  # repeated evidence is grouped within a section
        checks = [self.check(score, self.results.get(score.check_id)) for score in criterion.checks]
        overrides = [o for o in self.report.overrides if o.criterion_id == criterion.id]
        return CriterionView(
            id=criterion.id,
            title=criterion.title,
            score=criterion.score,
            final=criterion.final,
            possible=criterion.points_possible,
            pending=criterion.final_pending if criterion.final_pending is not None else criterion.pending,
            needs_review=criterion.needs_review,
            review_reasons=criterion.review_reasons,
            checks=checks,
            overrides=overrides,
            passed=sum(1 for c in checks if c.state == "passed"),
        )


def _params(result: CheckResult | None) -> list[tuple[str, str]]:
    return [(k, json.dumps(v, default=str)) for k, v in (result.params if result else {}).items()]


def _marks(report: Report) -> tuple[dict[int, list[CellMark]], dict[int, dict[int, str]]]:
    """Per cell: the findings pointing at it, and the severity of each marked line."""
    order = {s: n for n, s in enumerate(reversed(SEVERITIES))}
    dismissed = dismissed_findings(report)
    penalised = _penalised_lines(report, dismissed)
    titles = {r.id: r.title for r in report.checks}
    marks: dict[int, list[CellMark]] = {}
    lines: dict[int, dict[int, str]] = {}
    for result in report.checks:
        for finding in result.findings:
            seen: set[int] = set()
            gone = finding.id in dismissed
            for ev in finding.evidence:
                if ev.cell is None:
                    continue
                severity = finding.severity.value
                if ev.line is not None and ev.source in LINE_SOURCES and not gone:
                    end = ev.end_line if ev.end_line is not None and ev.end_line >= ev.line else ev.line
                    cell_lines = lines.setdefault(ev.cell, {})
                    for line in range(ev.line, min(end, ev.line + 500) + 1):
                        if order[severity] > order.get(cell_lines.get(line, ""), -1):
                            cell_lines[line] = severity
                if ev.cell in seen:
                    continue
                seen.add(ev.cell)
                where = (
                    (f"line {ev.line}" if ev.end_line in (None, ev.line) else f"lines {ev.line}–{ev.end_line}")
                    if ev.line is not None
                    else ev.source.value.replace("_", " ")
                )
                note = ""
                key = _line_key(ev)
                if not finding.is_problem and key in penalised:
                    others = "; ".join(f"{titles.get(o.check_id, o.check_id)} penalises it" for o in penalised[key])
                    note = f"Praised for {result.title.lower()}; {others} — the checks judge different things."
                message = finding.message if len(finding.message) <= 240 else finding.message[:239] + "…"
                marks.setdefault(ev.cell, []).append(
                    CellMark(
                        anchor="#" + finding_anchor(finding.id),
                        check_id=finding.check_id,
                        severity=severity,
                        message=message,
                        where=where,
                        dismissed=gone,
                        note=note,
                    )
                )
    for cell_marks in marks.values():
        cell_marks.sort(key=lambda m: (m.dismissed, -order[m.severity]))
    return marks, lines


def _flat(mapping: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key, value in mapping.items():
        if isinstance(value, dict | list):
            value = json.dumps(value, default=str, sort_keys=True)
        out.append((str(key), "–" if value is None or value == "" else str(value)))
    return out


def _lost(report: Report, builder: _Builder, shown: set[int]) -> list[LostView]:
    """Every deduction, largest first: the points a reviewer asks about."""
    lost = []
    for criterion in report.criteria:
        for deduction in criterion.deductions:
            finding = report.finding(deduction.finding_id) if deduction.finding_id else None
            ev = next((e for e in finding.evidence if e.cell is not None), None) if finding else None
            lost.append(
                LostView(
                    points=deduction.points,
                    criterion=criterion.title,
                    check_id=deduction.check_id,
                    check_title=builder.titles.get(deduction.check_id, deduction.check_id),
                    reason=deduction.reason,
                    finding_href="#" + finding_anchor(finding.id) if finding else None,
                    cell_href="#" + cell_anchor(ev.cell) if ev and ev.cell in shown else None,
                    where=builder.labels.get(ev.cell, f"cell {ev.cell}") if ev and ev.cell is not None else "",
                    dismissed=bool(deduction.finding_id and deduction.finding_id in builder.dismissed),
                )
            )
    lost.sort(key=lambda item: (item.dismissed, -item.points))
    return lost


def _history(report: Report) -> list[HistoryView]:
    rows = []
    for entry in report.overrides:
        target = entry.finding_id or entry.check_id or entry.criterion_id or ""
        href = None
        if entry.finding_id and report.finding(entry.finding_id):
            href = "#" + finding_anchor(entry.finding_id)
        elif entry.criterion_id:
            href = f"#criterion-{entry.criterion_id}"
        rows.append(
            HistoryView(
                kind=KIND_LABELS.get(entry.kind, entry.kind.value),
                target=target,
                target_href=href,
                points=entry.points,
                reviewer=entry.reviewer,
                reason=entry.reason,
                at=entry.at,
                carried_from=entry.carried_from,
            )
        )
    return rows


def _not_carried(report: Report) -> list[HistoryView]:
    """Earlier entries a re-grade could not re-apply, with why (the target is gone)."""
    return [
        HistoryView(
            kind=KIND_LABELS.get(item.entry.kind, item.entry.kind.value),
            target=item.entry.finding_id or item.entry.check_id or item.entry.criterion_id or "",
            target_href=None,
            points=item.entry.points,
            reviewer=item.entry.reviewer,
            reason=item.entry.reason,
            at=item.entry.at,
            carried_from=item.carried_from,
            why=item.why,
        )
        for item in report.not_carried
    ]


def _forms(report: Report, desk: Desk | None) -> ReviewForms | None:
    if desk is None or desk.review_action is None:
        return None
    dismissed = dismissed_findings(report)
    findings = [
        (f.id, f"{f.id} [{f.severity.value}] {f.message[:90]}")
        for r in report.checks
        for f in r.problems
        if f.id not in dismissed
    ]
    return ReviewForms(
        action=desk.review_action,
        criteria=[(c.id, f"{c.title} ({c.points_possible:g} points)") for c in report.criteria],
        checks=[
            (
                s.check_id,
                f"{s.check_id} {s.title} ({s.points_possible:g} points{', pending' if s.needs_review or s.not_scored else ''})",
            )
            for c in report.criteria
            for s in c.checks
        ],
        findings=findings,
        preselected=desk.dismiss,
    )


def _environment(report: Report) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    env = dict(report.environment)
    packages = dict(report.execution.packages or env.pop("packages", {}) or {})
    env.pop("packages", None)
    limits = dict(report.execution.limits or env.get("limits", {}) or {})
    env.pop("limits", None)
    environment = _flat(
        {
            "Image": report.execution.image or env.pop("image", None),
            "Runtime": report.execution.runtime or env.pop("runtime", None),
            "Runtime profile": report.execution.profile or env.pop("profile", None),
            "Run status": report.execution.status.value
            + (f" — {report.execution.reason}" if report.execution.reason else ""),
            "Run time": f"{report.execution.duration_s:.1f} s",
            "Container start-up": (
                f"{report.execution.startup_s:.2f} s" if report.execution.startup_s is not None else None
            ),
            "Runtime trace": report.execution.tracing,
            "Started at": report.execution.started_at,
            "Exit code": report.execution.exit_code,
            "Grader version": report.grader_version,
            "Report schema": report.schema_version,
            "Generated at": report.generated_at,
            "Rubric": f"{report.rubric.name} v{report.rubric.version} ({report.rubric.path})"
            if report.rubric
            else None,
            "Rubric sha256": report.rubric.sha256 if report.rubric else None,
            "Submission content hash": report.submission.content_hash,
            "Submission source": report.submission.source or None,
            **{k.replace("_", " ").capitalize(): v for k, v in env.items() if k not in ("grader_version",)},
        }
    )
    return environment, _flat(limits), sorted(_flat(packages))


def build_page(
    report: Report,
    executed: Mapping[str, Any],
    submitted: Mapping[str, Any] | None = None,
    *,
    blind: bool = False,
    desk: Desk | None = None,
) -> ReportPage:
    """Everything the template shows, computed from the report and the notebooks."""
    if blind:
        # Every free-text field of the report (messages, notes, excerpts, errors), not only the notebook.
        report = redact_report(report)
    notebooks = list(report.execution.notebooks or report.submission.notebooks)
    for path in [*executed, *(submitted or {})]:
        if path not in notebooks:
            notebooks.append(path)
    marks, line_marks = _marks(report)
    sections = notebook_sections(
        report.execution, notebooks, executed, submitted or {}, marks=marks, line_marks=line_marks, blind=blind
    )
    shown = {cell.index for section in sections for cell in section.cells}
    labels = cell_labels(sections)
    builder = _Builder(report, shown, labels)
    criteria = [builder.criterion(c) for c in report.criteria]
    in_rubric = {c.check_id for crit in report.criteria for c in crit.checks}
    builder.seen = {}
    extra = [builder.unscored_check(r) for r in report.checks if r.id not in in_rubric]

    pending = []
    for criterion in report.criteria:
        for score in criterion.checks:
            if score.needs_review or score.not_scored:
                result = builder.results.get(score.check_id)
                why = score.note or (result.message if result else "") or score.status
                pending.append(
                    PendingView(
                        check_id=score.check_id,
                        title=score.title,
                        criterion=criterion.title,
                        points=score.points_possible,
                        why=why,
                        kind="review" if score.needs_review else "skipped",
                        settled=score.final,
                    )
                )

    findings = [f for r in report.checks for f in r.findings if f.id not in builder.dismissed]
    counts = [(s, sum(1 for f in findings if f.severity.value == s)) for s in SEVERITIES if s != "info"]
    positives = sum(1 for f in findings if not f.is_problem)

    flags = [_flag_view(f, report, builder.dismissed) for f in report.flags]

    followups = []
    for item in report.followups:
        finding = report.finding(item.finding_id) if item.finding_id else None
        cell = next((ev.cell for ev in finding.evidence if ev.cell is not None), None) if finding else item.cell
        followups.append(
            FollowUpView(
                question=item.question,
                topic=item.topic,
                finding_href="#" + finding_anchor(finding.id) if finding else None,
                cell_href="#" + cell_anchor(cell) if cell is not None and cell in shown else None,
                cell=cell,
                basis=item.basis,
            )
        )

    environment, limits, packages = _environment(report)
    chart = criterion_bars(
        [
            (
                c.title,
                c.final if c.final is not None else c.score,
                c.final_pending if c.final_pending is not None else c.pending,
                c.points_possible,
            )
            for c in report.criteria
        ]
    )
    return ReportPage(
        report=report,
        flags=flags,
        chart=chart,
        criteria=criteria,
        extra_checks=extra,
        pending=pending,
        lost=_lost(report, builder, shown),
        severity_counts=counts,
        positives=positives,
        followups=followups,
        history=_history(report),
        not_carried=_not_carried(report),
        notebooks=sections,
        environment=environment,
        limits=limits,
        packages=packages,
        blind=blind,
        desk=desk,
        forms=_forms(report, desk),
        runtime=runtime_view(report),
        cell_labels=labels,
    )


def _flag_view(flag: Flag, report: Report, dismissed: Container[str]) -> FlagView:
    label = FLAG_LABELS.get(flag.kind, flag.kind.value)
    if flag.link and _FLAG_LINK.match(flag.link):
        return FlagView(flag.kind.value, label, flag.message, flag.link, "side by side")
    finding = report.finding(flag.finding_id) if flag.finding_id else None
    return FlagView(
        flag.kind.value,
        label,
        flag.message,
        "#" + finding_anchor(finding.id) if finding else None,
        dismissed=bool(flag.finding_id and flag.finding_id in dismissed),
    )


def render_report_html(
    report: Report,
    executed: Mapping[str, Any],
    submitted: Mapping[str, Any] | None = None,
    *,
    blind: bool = False,
    desk: Desk | None = None,
) -> str:
    """One self-contained HTML page for a graded submission (no scripts, no external resources).

    `executed` maps each notebook's relative path to the notebook as run in the
    sandbox; `submitted` (optional) supplies saved outputs for cells that did not run.
    `desk` (the web app) adds its navigation and, with `review_action`, the reviewer's forms.
    """
    page = build_page(report, executed, submitted, blind=blind, desk=desk)
    return render_page("report.html.j2", web=desk is not None, page=page, report=page.report)
