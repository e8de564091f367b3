"""The assignment audit and validation as plain text, for `grader assignment audit|validate`.

`--json` prints the models themselves; this is the reading for a person: balance,
suspects with why and whether they are declared, the strongest associations.
"""

from __future__ import annotations

from grader.models.audit import (
    AssignmentValidation,
    Association,
    AuditLevel,
    AuditReport,
    ProblemLevel,
    Suspect,
)

#: Associations listed in the text report (all of them are in `--json`).
SHOWN_ASSOCIATIONS = 15


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _suspect_title(suspect: Suspect) -> str:
    what = suspect.column or "rows"
    if suspect.part is not None and suspect.column is not None:
        what += f" ({suspect.part.value})"
    declared = f"declared: {', '.join(d.value for d in suspect.declared)}" if suspect.declared else ""
    if not suspect.declared and suspect.level is not AuditLevel.info:
        declared = "UNDECLARED"
    kinds = ", ".join(k.value.replace("_", " ") for k in suspect.kinds)
    return f"{suspect.level.value.upper():8} {what} [{kinds}] {declared}"


def _association_row(association: Association) -> str:
    score = "n/a" if association.score is None else f"{association.score:.3f}"
    extra = f" ρ={association.spearman:+.2f}" if association.spearman is not None else ""
    if association.target_when_missing is not None:
        extra += f" missing→{association.target_when_missing:.3g} present→{association.target_when_present:.3g}"
    return (
        f"  {association.column[:28]:28} {association.part.value:11} {association.kind.value:11} {score:>6}"
        f"{extra}  ({association.rows:,} rows, {association.missing_share:.1%} missing)"
    )


def audit_text(report: AuditReport) -> str:
    """The audit as text: balance, suspects with why and declaration, strongest associations."""
    lines: list[str] = []
    files = "; ".join(f"{name} {rows:,} rows" for name, rows in report.rows.items())
    lines.append(f"Audit of {report.assignment} ({report.task.value}, target {report.target}): {files}")
    balance = report.class_balance
    if balance is not None:
        declared = ""
        if balance.declared_rate is not None:
            verdict = "matches" if balance.matches else "DOES NOT MATCH"
            declared = f"; declared positive_rate {_percent(balance.declared_rate)} {verdict}"
        holdout = f"; hidden holdout {_percent(balance.holdout_rate)}" if balance.holdout_rate is not None else ""
        lines.append(
            f"Class balance: {_percent(balance.train_rate)} `{balance.positive_label}` in train{declared}{holdout}"
        )
    lines.append(f"\nSuspects ({len(report.suspects)}):")
    for suspect in report.suspects:
        lines.append(f"  {_suspect_title(suspect)}")
        lines.append(f"           {suspect.why}")
        if suspect.declared_why:
            lines.append(f"           assignment says: {suspect.declared_why}")
    metric = "ROC AUC, 0.5 = none" if report.task.value != "regression" else "cross-fitted R², 0 = none"
    ranked = sorted(report.associations, key=lambda a: -(a.score or 0.0))
    lines.append(f"\nStrongest associations with `{report.target}` ({metric}):")
    for association in ranked[:SHOWN_ASSOCIATIONS]:
        lines.append(_association_row(association))
        if association.groups:
            groups = ", ".join(f"{g.value} {g.target:.3g} ({g.rows:,})" for g in association.groups[:4])
            lines.append(f"      by group: {groups}")
    if len(ranked) > SHOWN_ASSOCIATIONS:
        lines.append(f"  … {len(ranked) - SHOWN_ASSOCIATIONS} more in --json")
    for note in report.notes:
        lines.append(f"note: {note}")
    counts = {level: [s for s in report.suspects if s.level is level] for level in AuditLevel}
    summary = ", ".join(
        f"{len(found)} {level.value} ({sum(s.is_declared for s in found)} declared)"
        for level, found in sorted(counts.items(), key=lambda item: -item[0].rank)
    )
    lines.append(f"\n{report.assignment}: {len(report.suspects)} suspect(s): {summary}")
    return "\n".join(lines)


def validation_text(result: AssignmentValidation) -> str:
    """The audit, then the problems (errors first) and the verdict."""
    lines: list[str] = []
    if result.audit is not None:
        lines += [audit_text(result.audit), ""]
    ordered = sorted(result.problems, key=lambda p: p.level is not ProblemLevel.error)
    for problem in ordered:
        lines.append(f"  {problem}")
    errors, warnings = len(result.errors), len(result.problems) - len(result.errors)
    verdict = "ready" if result.ok else "NOT ready"
    name = result.assignment or result.folder
    lines.append(f"{name}: {verdict}; {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)
