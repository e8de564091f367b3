"""`grader assignment ...`: the command group for assignment authors.

Kept apart from `grader/cli.py` (which only registers the group and dispatches to
`run`). A new subcommand is one entry in `SUBCOMMANDS`: a function that adds its
arguments and a function that runs it and returns the exit code.

Exit codes: `audit` 0 when the audit ran; `validate` 0 when the folder is ready,
1 on errors or undeclared strong suspects; 2 for a folder without a readable
assignment (raised as `ConfigError`, handled by the main CLI).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from grader import api
from grader.models.audit import (
    AssignmentValidation,
    Association,
    AuditLevel,
    AuditReport,
    ProblemLevel,
    Suspect,
)

COMMAND = "assignment"
EXIT_OK, EXIT_PROBLEMS = 0, 1
#: Associations listed in the text report (all of them are in `--json`).
SHOWN_ASSOCIATIONS = 15

Handler = Callable[[argparse.Namespace, Console], int]


def _audit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, help="assignment folder (with assignment.yaml)")
    parser.add_argument("--json", action="store_true", help="the full report as JSON")


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, help="assignment folder (with assignment.yaml)")
    parser.add_argument("--json", action="store_true", help="problems and audit as JSON")


def _audit(args: argparse.Namespace, console: Console) -> int:
    report = api.audit_assignment(args.folder)
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return EXIT_OK
    print_audit(report, console)
    return EXIT_OK


def _validate(args: argparse.Namespace, console: Console) -> int:
    result = api.validate_assignment(args.folder)
    if args.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        print_validation(result, console)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


#: name -> (help, add its arguments, run it)
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "audit": ("screen the data against the target before the assignment goes out", _audit_arguments, _audit),
    "validate": (
        "check assignment.yaml, its files and rubric, and audit the data (exit 1 on problems)",
        _validate_arguments,
        _validate,
    ),
}


def add_subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `assignment` and its subcommands on the main parser."""
    group = sub.add_parser(COMMAND, help="tools for assignment authors (audit, validate)")
    group_sub = group.add_subparsers(dest="assignment_command", required=True)
    for name, (help_text, add_arguments, _) in SUBCOMMANDS.items():
        add_arguments(group_sub.add_parser(name, help=help_text))


def run(args: argparse.Namespace, console: Console) -> int:
    """Run `grader assignment <subcommand>`; returns the exit code."""
    return SUBCOMMANDS[args.assignment_command][2](args, console)


# --------------------------------------------------------------------------- text output


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


def print_audit(report: AuditReport, console: Console) -> None:
    """The audit as text: balance, suspects with why and declaration, strongest associations."""
    files = "; ".join(f"{name} {rows:,} rows" for name, rows in report.rows.items())
    console.print(f"Audit of {report.assignment} ({report.task.value}, target {report.target}): {files}", markup=False)
    balance = report.class_balance
    if balance is not None:
        declared = ""
        if balance.declared_rate is not None:
            verdict = "matches" if balance.matches else "DOES NOT MATCH"
            declared = f"; declared positive_rate {_percent(balance.declared_rate)} {verdict}"
        holdout = f"; hidden holdout {_percent(balance.holdout_rate)}" if balance.holdout_rate is not None else ""
        console.print(
            f"Class balance: {_percent(balance.train_rate)} `{balance.positive_label}` in train{declared}{holdout}",
            markup=False,
        )
    console.print(f"\nSuspects ({len(report.suspects)}):", markup=False)
    for suspect in report.suspects:
        console.print(f"  {_suspect_title(suspect)}", markup=False)
        console.print(f"           {suspect.why}", markup=False)
        if suspect.declared_why:
            console.print(f"           assignment says: {suspect.declared_why}", markup=False)
    metric = "ROC AUC, 0.5 = none" if report.task.value != "regression" else "cross-fitted R², 0 = none"
    ranked = sorted(report.associations, key=lambda a: -(a.score or 0.0))
    console.print(f"\nStrongest associations with `{report.target}` ({metric}):", markup=False)
    for association in ranked[:SHOWN_ASSOCIATIONS]:
        console.print(_association_row(association), markup=False)
        if association.groups:
            groups = ", ".join(f"{g.value} {g.target:.3g} ({g.rows:,})" for g in association.groups[:4])
            console.print(f"      by group: {groups}", markup=False)
    if len(ranked) > SHOWN_ASSOCIATIONS:
        console.print(f"  … {len(ranked) - SHOWN_ASSOCIATIONS} more in --json", markup=False)
    for note in report.notes:
        console.print(f"note: {note}", markup=False)
    counts = {level: [s for s in report.suspects if s.level is level] for level in AuditLevel}
    summary = ", ".join(
        f"{len(found)} {level.value} ({sum(s.is_declared for s in found)} declared)"
        for level, found in sorted(counts.items(), key=lambda item: -item[0].rank)
    )
    console.print(f"\n{report.assignment}: {len(report.suspects)} suspect(s): {summary}", markup=False)


def print_validation(result: AssignmentValidation, console: Console) -> None:
    """Problems first (errors, then warnings), then the audit."""
    if result.audit is not None:
        print_audit(result.audit, console)
        console.print("")
    ordered = sorted(result.problems, key=lambda p: p.level is not ProblemLevel.error)
    for problem in ordered:
        console.print(f"  {problem}", markup=False)
    errors, warnings = len(result.errors), len(result.problems) - len(result.errors)
    verdict = "ready" if result.ok else "NOT ready"
    name = result.assignment or result.folder
    console.print(f"{name}: {verdict}; {errors} error(s), {warnings} warning(s)", markup=False)
