"""`grader`: the command line. It parses arguments, calls `grader.api`, prints results.

Every command exits with a code from `Exit` (one table, in the README too). Nothing a
user supplies is read as rich markup: the consoles print plain text (`markup=False`),
and colour is given with `style=`, so a name like `[bold]` or `a[/b]` prints as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any

from rich.console import Console

from grader import __version__, api
from grader.errors import ConfigError, GraderError, SandboxError


class Exit(IntEnum):
    """The exit codes of every `grader` command."""

    #: Everything asked for was done (every submission graded; lint: nothing at or above `--fail-on`).
    ok = 0
    #: Done, with problems: some submissions not graded, an empty batch, lint findings at or above
    #: `--fail-on` (or an unreadable file), an assignment that is not ready, no image for `image tag`.
    problems = 1
    #: Usage or configuration error: bad options, a missing path, an invalid rubric or assignment,
    #: no Docker engine or sandbox image. Nothing was graded.
    usage = 2
    interrupted = 130


EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = Exit.ok, Exit.problems, Exit.usage
#: Commands that load the check registry (and so report plugins that failed to load).
USES_CHECKS = frozenset({"grade", "batch", "lint", "checks", "rubric", "assignment"})


def consoles() -> tuple[Console, Console]:
    """stdout and stderr consoles that never interpret markup in what they print."""
    return tuple(  # type: ignore[return-value]
        Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False) for stderr in (False, True)
    )


def _parser(prog: str = "grader") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Grade machine-learning take-home notebooks.")
    parser.add_argument("--version", action="version", version=f"take-home-grader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def grading_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--assignment", type=Path, help="assignment folder (with assignment.yaml)")
        p.add_argument("--rubric", type=Path, help="rubric YAML (overrides the assignment's)")
        p.add_argument("--out", type=Path, required=True, help="output folder")
        p.add_argument("--no-execute", action="store_true", help="static analysis only; do not run the notebook")
        p.add_argument("--blind", action="store_true", help="hide candidate names and identifying paths")
        p.add_argument("--image", help="sandbox image tag (default: the one built for this grader)")
        p.add_argument("--runtime", help="container runtime, e.g. runsc for gVisor")
        p.add_argument("--no-html", action="store_true", help="write report.json only")
        p.add_argument("--no-cache", action="store_true", help="grade afresh even if a cached result matches")
        p.add_argument(
            "--profile", help="runtime profile to run in (`grader image profiles`), over the assignment's runtime:"
        )

    grade = sub.add_parser("grade", help="grade one submission folder or zip")
    grade.add_argument("submission", type=Path)
    grading_options(grade)
    grade.add_argument("--notebook", help="the main notebook when the submission holds several")
    grade.add_argument("--candidate", help="the candidate's name as it should appear in the report")

    batch = sub.add_parser("batch", help="grade every submission folder under a directory")
    batch.add_argument("submissions", type=Path)
    grading_options(batch)
    batch.add_argument(
        "--assignments",
        type=Path,
        help="a folder of assignments: grade SUBMISSIONS/<name>/ against ASSIGNMENTS/<name>/",
    )
    batch.add_argument("--jobs", type=int, default=None, help="sandboxes at once (default: CPU cores)")
    batch.add_argument("--resume", action="store_true", help="skip submissions that already have a report")
    batch.add_argument("--quiet", action="store_true", help="print only the final line")
    batch.add_argument("--events", action="store_true", help="JSON-lines progress events on stdout, for tools")
    batch.add_argument("--references", type=Path, help="a folder of known public solutions to compare with")
    batch.add_argument("--base", type=Path, help="a folder of code everyone may use (not evidence of copying)")
    batch.add_argument("--no-similarity", action="store_true", help="do not compare the submissions for copying")
    _broker_options(batch)  # --jobs then counts submissions in flight
    _worker_command(sub)

    image = sub.add_parser("image", help="manage the sandbox image")
    image_sub = image.add_subparsers(dest="image_command", required=True)
    build = image_sub.add_parser("build", help="build the runtime image (offline if no registry answers)")
    build.add_argument("--base", choices=["auto", "slim", "debootstrap"], default="auto")
    build.add_argument("--force", action="store_true", help="rebuild even if the inputs did not change")
    which = build.add_mutually_exclusive_group()
    which.add_argument("--profile", default="current", help="runtime profile to build (default: current)")
    which.add_argument("--all", action="store_true", help="build every runtime profile")
    tag = image_sub.add_parser("tag", help="print the tag of the image this grader uses")
    tag.add_argument("--profile", default="current", help="runtime profile (default: current)")
    image_sub.add_parser("profiles", help="list the runtime profiles and their key versions")

    rubric = sub.add_parser("rubric", help="rubric tools")
    rubric_sub = rubric.add_subparsers(dest="rubric_command", required=True)
    validate = rubric_sub.add_parser("validate", help="check a rubric and list every problem")
    validate.add_argument("file", type=Path)

    checks = sub.add_parser("checks", help="list the registered checks")
    checks_sub = checks.add_subparsers(dest="checks_command", required=True)
    listing = checks_sub.add_parser("list", help="list every check")
    listing.add_argument("--json", action="store_true")

    sub.add_parser("reap", help="remove every container and volume the grader left behind")

    _lint_arguments(sub.add_parser("lint", help="static checks only (no Docker) on notebooks, scripts and folders"))

    _desk_subcommands(sub)

    # `grader assignment init|audit|validate`: for the people who write assignments.
    assignment = sub.add_parser("assignment", help="tools for assignment authors (init, audit, validate)")
    assignment_sub = assignment.add_subparsers(dest="assignment_command", required=True)
    audit = assignment_sub.add_parser("audit", help="screen the data against the target before the assignment goes out")
    check = assignment_sub.add_parser(
        "validate", help="check assignment.yaml, its files and rubric, and audit the data (exit 1 on problems)"
    )
    for p in (audit, check):
        p.add_argument("folder", type=Path, help="assignment folder (with assignment.yaml)")
        p.add_argument("--json", action="store_true", help="the full result as JSON")
    init = assignment_sub.add_parser("init", help="start an assignment folder: a commented assignment.yaml and a brief")
    init.add_argument("folder", type=Path, help="a new or empty folder")
    init.add_argument("--title", help="the assignment's title (default: from the folder name)")
    init.add_argument("--example", action="store_true", help="copy the packaged sample assignment instead")

    from grader.web.commands import add_subcommands

    add_subcommands(sub)
    return parser


def _lint_arguments(lint: argparse.ArgumentParser) -> None:
    lint.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="notebooks, .py files or folders")
    lint.add_argument("--assignment", type=Path, help="assignment folder (target, leakage columns, structure)")
    lint.add_argument("--select", action="append", help="only these categories, check ids or slugs (comma-separated)")
    lint.add_argument("--only", action="append", dest="select", help=argparse.SUPPRESS)  # the old name of --select
    lint.add_argument("--ignore", action="append", help="leave out these categories, check ids or slugs")
    lint.add_argument("--format", choices=[f.value for f in api.LintFormat], default="text", help="output format")
    lint.add_argument("--json", action="store_const", const="json", dest="format", help="same as --format json")
    lint.add_argument(
        "--fail-on",
        choices=[s.value for s in api.Severity if s is not api.Severity.info],
        default="low",
        help="exit 1 when a finding is at least this severe (default: low, any finding)",
    )


def main(argv: Sequence[str] | None = None, *, prog: str = "grader") -> int:
    """Run the `grader` command line; returns an `Exit` code."""
    console, errors = consoles()
    try:
        args = _parser(prog).parse_args(argv)
    except SystemExit as exc:
        return Exit.usage if exc.code not in (0, None) else Exit.ok
    try:
        if args.command in USES_CHECKS:
            for failure in api.plugin_failures():
                errors.print(f"warning: {failure}", style="yellow")
        return _dispatch(args, console)
    except ConfigError as exc:
        _error(errors, "error", exc)
        return Exit.usage
    except SandboxError as exc:
        _error(errors, "sandbox error", exc)
        return Exit.usage
    except GraderError as exc:
        _error(errors, "error", exc)
        return Exit.problems
    except OSError as exc:
        _error(errors, "error", exc)
        return Exit.usage
    except KeyboardInterrupt:
        errors.print("interrupted")
        return Exit.interrupted


def _error(errors: Console, label: str, exc: BaseException) -> None:
    errors.print(f"{label}:", style="red", end=" ")
    errors.print(str(exc))


def _dispatch(args: argparse.Namespace, console: Console) -> int:
    if args.command == "grade":
        return _grade(args, console)
    if args.command == "batch":
        return _batch(args, console)
    if args.command == "image":
        return _image(args, console)
    if args.command == "rubric":
        return _rubric_validate(args.file, console)
    if args.command == "checks":
        return _checks_list(args.json, console)
    if args.command == "lint":
        return _lint(args, console)
    if args.command == "worker":
        return _worker(args, console)
    if args.command == "assignment":
        return _assignment(args, console)
    if args.command in ("serve", "user"):
        from grader.web import commands

        return commands.run(args, console)
    if args.command in ("review", "calibrate", "compare"):
        return _desk(args, console)
    if args.command == "reap":
        console.print(f"removed {api.reap(everything=True)} leftover(s)")
        return EXIT_OK
    raise ConfigError(f"unknown command {args.command}")  # pragma: no cover - argparse prevents it


def _grader(args: argparse.Namespace, assignment: Path | None = None) -> api.Grader:
    assignment = assignment or args.assignment
    if assignment is None and args.rubric is None:
        raise ConfigError("give --assignment (an assignment folder) or --rubric")
    return api.make_grader(
        assignment=assignment,
        rubric=args.rubric,
        execute=not args.no_execute,
        blind=args.blind,
        notebook=getattr(args, "notebook", None),
        image=args.image,
        runtime=args.runtime,
        write_html=not args.no_html,
        cache=not getattr(args, "no_cache", False),
        profile=args.profile,
        broker=_broker_settings(args),
    )


def _grade(args: argparse.Namespace, console: Console) -> int:
    if not args.submission.exists():
        raise ConfigError(f"{args.submission} does not exist; give a submission folder, zip or notebook")
    api.check_output_folder(args.out)
    grader = _grader(args)
    report = api.grade_submission(args.submission, out=args.out, candidate=args.candidate, grader=grader)
    if report.status in (api.GradingStatus.rejected, api.GradingStatus.failed):
        console.print(report.status.value, style="red", end="")
        console.print(f": {report.error}")
        return EXIT_SOME_FAILED
    console.print(
        f"{report.submission.candidate}: {report.total.score:g}/{report.total.max:g} "
        f"({report.total.percent:g}%, {report.total.band}); run {report.execution.status.value}; "
        f"report in {args.out / 'report.json'}"
    )
    carried = [e for e in report.overrides if e.carried_from]
    if carried or report.not_carried:
        shown = f"; after review {report.total.final:g}" if report.total.final is not None else ""
        console.print(f"  the earlier review: {len(carried)} entries carried over{shown}", markup=False)
        for item in report.not_carried:
            target = item.entry.finding_id or item.entry.check_id or item.entry.criterion_id or ""
            console.print(f"  {item.entry.kind.value} {target}: {item.why}", markup=False)
    return EXIT_OK


def _batch(args: argparse.Namespace, console: Console) -> int:
    if not args.submissions.is_dir():
        raise ConfigError(f"{args.submissions} is not a folder of submissions")
    api.check_output_folder(args.out)
    if args.assignments is not None:
        groups = {}
        for folder in sorted(p for p in args.submissions.iterdir() if p.is_dir()):
            if (args.assignments / folder.name / "assignment.yaml").is_file():
                groups[folder.name] = (_grader(args, args.assignments / folder.name), folder)
        if not groups:
            raise ConfigError(f"no folder of {args.submissions} matches an assignment in {args.assignments}")
    else:
        groups = {"": (_grader(args), args.submissions)}
    quiet = args.quiet or args.events
    handler = api.JsonLinesProgress(sys.stdout).handle if args.events else None
    with api.BatchProgress(console, quiet=quiet) as progress:
        if "" in groups:
            grader, folder = groups[""]
            result = api.grade_batch(
                folder,
                out=args.out,
                jobs=args.jobs,
                resume=args.resume,
                grader=grader,
                on_event=handler or progress.handle,
                similarity=not args.no_similarity,
                references=args.references,
                base=args.base,
                broker=_broker_settings(args),
            )
            results = {"": result}
        else:
            results = api.grade_assignments(
                groups,
                out=args.out,
                jobs=args.jobs,
                resume=args.resume,
                on_event=handler or progress.handle,
                similarity=not args.no_similarity,
                references=args.references,
                base=args.base,
                broker=_broker_settings(args),
            )
    total = sum(len(r.reports) for r in results.values())
    ungraded = [(group, name, r.reports[name]) for group, r in results.items() for name in r.ungraded]
    summaries = ", ".join(str(r.out_dir / "summary.csv") for r in results.values())
    if total == 0:
        # An empty batch is a mistake (a wrong folder, submissions one level deeper) more often than not.
        console.print(f"no submissions found in {args.submissions}: each submission is a folder, zip or notebook in it")
        return Exit.problems
    if not args.events:
        console.print(f"graded {total - len(ungraded)} of {total} submission(s); summary in {summaries}")
        for group, name, report in ungraded:
            label = f"{group}/{name}" if group else name
            first = (report.error or "").splitlines()[0][:200] if report.error else ""
            console.print(f"  {label}", style="red", end="")
            console.print(f": {report.status.value}: {first}")
        for group, r in results.items():
            if r.similarity is not None:
                where = f"{group}: " if group else ""
                found = r.similarity.error or f"{len(r.similarity.pairs)} similar pair(s)"
                console.print(f"  {where}{found}; see {r.out_dir / 'index.html'}", markup=False)
    return EXIT_SOME_FAILED if ungraded else EXIT_OK


def _image(args: argparse.Namespace, console: Console) -> int:
    if args.image_command == "tag":
        tag = api.runtime_image_tag(args.profile)
        if tag is None:
            console.print(f"no {args.profile} runtime image for this grader version; run `grader image build`")
            return EXIT_SOME_FAILED
        console.print(tag)
        return EXIT_OK
    if args.image_command == "profiles":
        for profile in api.runtime_profiles():
            console.print(f"{profile.describe():60} {profile.title}", markup=False)
        return EXIT_OK

    def log(line: str) -> None:
        console.print(line, markup=False)

    if args.all:
        reports = api.build_images(base=args.base, force=args.force, log=log)
    else:
        reports = [api.build_image(base=args.base, force=args.force, log=log, profile=args.profile)]
    for report in reports:
        for line in report.lines():
            console.print(line, markup=False)
    return EXIT_OK


def _rubric_validate(path: Path, console: Console) -> int:
    rubric, problems = api.validate_rubric(path)
    if problems:
        console.print(f"{path}: {len(problems)} problem(s)")
        for problem in problems:
            console.print(f"  - {problem}", markup=False)
        return EXIT_USAGE
    assert rubric is not None
    console.print(f"{path}: valid; {len(rubric.criteria)} criteria, {rubric.max_points:g} points")
    return EXIT_OK


def _lint(args: argparse.Namespace, console: Console) -> int:
    report = api.lint(
        args.paths, assignment=args.assignment, select=args.select, ignore=args.ignore, fail_on=args.fail_on
    )
    sys.stdout.write(api.lint_output(report, args.format))
    return Exit.problems if report.failed else Exit.ok


def _assignment(args: argparse.Namespace, console: Console) -> int:
    """`init` and `audit` exit 0 when they ran; `validate` 1 on an error or an undeclared strong suspect."""
    if args.assignment_command == "init":
        written = api.init_assignment(args.folder, example=args.example, title=args.title)
        for path in written:
            console.print(f"wrote {path}", markup=False)
        if not args.example:
            console.print(
                f"next: add the data files, fill in assignment.yaml, then `grader assignment validate {args.folder}`",
                markup=False,
            )
        return Exit.ok
    if args.assignment_command == "audit":
        report = api.audit_assignment(args.folder)
        text, ok = (report.model_dump_json(indent=2) if args.json else api.audit_text(report)), True
    else:
        result = api.validate_assignment(args.folder)
        text, ok = (result.model_dump_json(indent=2) if args.json else api.validation_text(result)), result.ok
    if args.json:
        sys.stdout.write(text + "\n")
    else:
        console.print(text, markup=False)
    return Exit.ok if ok else Exit.problems


def _checks_list(as_json: bool, console: Console) -> int:
    rows = api.list_checks()
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    for row in rows:
        console.print(f"{row['id']:8} {row['slug']:40} {row['category']:11} {row['summary']}", markup=False)
    return EXIT_OK


# --------------------------------------------------------------------------- the reviewer's desk


def _desk_subcommands(sub: Any) -> None:
    """`grader review`, `grader calibrate` and `grader compare`: the reviewer's desk."""
    review = sub.add_parser(
        "review",
        help="record a reviewer's override or note beside a report's automatic result (no option: show the review)",
    )
    review.add_argument("report_dir", type=Path, help="a grading output folder (with report.json)")
    what = review.add_mutually_exclusive_group()
    what.add_argument("--criterion", metavar="ID", help="set a criterion's points (with --points)")
    what.add_argument("--check", metavar="ID", help="set a check's points, or settle pending ones (with --points)")
    what.add_argument("--dismiss", metavar="FINDING_ID", help="dismiss a finding: it stops counting, stays visible")
    review.add_argument("--points", type=float, help="the points to give")
    review.add_argument("--reason", default="", help="why (kept in the history)")
    review.add_argument("--note", help="a note; alone, it records only the note")
    review.add_argument("--reviewer", help="who decides (kept in the history)")
    review.add_argument("--submission", type=Path, help="the submitted folder, to show saved outputs when re-rendering")
    review.add_argument("--json", action="store_true", help="print the report's total and history as JSON")

    calibrate = sub.add_parser("calibrate", help="compare a batch's scores with the team's, and propose bands")
    calibrate.add_argument("batch_out", type=Path, help="a batch output folder (with <name>/report.json)")
    calibrate.add_argument(
        "--human",
        type=Path,
        help="CSV with candidate,total and optionally criterion ids, band, decision (default: reviewers' overrides)",
    )
    calibrate.add_argument("--rubric", type=Path, help="the rubric the batch was graded with (default: as recorded)")
    calibrate.add_argument("--out", type=Path, help="where to write the rubric overlay (default: BATCH_OUT/...)")
    calibrate.add_argument("--json", action="store_true")

    compare = sub.add_parser("compare", help="two to four candidates side by side in one HTML page")
    compare.add_argument("report_dirs", type=Path, nargs="+", help="grading output folders")
    compare.add_argument("--out", type=Path, help="the HTML file to write (default: beside the reports)")


def _desk(args: argparse.Namespace, console: Console) -> int:
    if args.command == "review":
        return _review(args, console)
    if args.command == "calibrate":
        return _calibrate(args, console)
    path = api.compare(args.report_dirs, out=args.out)
    console.print(f"comparison written to {path}", markup=False)
    return EXIT_OK


def _review(args: argparse.Namespace, console: Console) -> int:
    action = args.criterion or args.check or args.dismiss
    common = {"reviewer": args.reviewer or "", "submission": args.submission}
    if action:
        report = api.review(
            args.report_dir,
            reason=args.reason,
            criterion=args.criterion,
            check=args.check,
            points=args.points,
            dismiss=args.dismiss,
            **common,
        )
    if args.note is not None:
        report = api.review(args.report_dir, note=args.note, **common)
    if not action and args.note is None:
        if args.points is not None or args.reason:
            raise ConfigError("--points and --reason go with --criterion ID, --check ID or --dismiss FINDING_ID")
        if not (args.report_dir / "report.json").is_file():
            raise ConfigError(f"{args.report_dir} holds no report.json")
        report = api.load_report(args.report_dir / "report.json")
    total = report.total
    if args.json:
        data = {
            "candidate": report.submission.candidate,
            "total": total.model_dump(mode="json"),
            "overrides": [o.model_dump(mode="json") for o in report.overrides],
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    line = f"{report.submission.candidate}: automatic {total.score:g}/{total.max:g} ({total.percent:g} %, {total.band})"
    if total.final is not None:
        line += f"; after review {total.final:g}/{total.max:g} ({total.final_percent:g} %, {total.final_band})"
    console.print(line, markup=False)
    for entry in report.overrides:
        target = entry.finding_id or entry.check_id or entry.criterion_id or ""
        points = f" {entry.points:g}" if entry.points is not None else ""
        console.print(
            f"  {entry.at} {entry.reviewer}: {entry.kind.value} {target}{points} — {entry.reason}", markup=False
        )
    if not report.overrides:
        console.print("  no review yet", markup=False)
    return EXIT_OK


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def _calibrate(args: argparse.Namespace, console: Console) -> int:
    result, overlay = api.calibrate(args.batch_out, human=args.human, rubric=args.rubric, out=args.out)
    if args.json:
        sys.stdout.write(json.dumps({**result.as_dict(), "overlay": str(overlay)}, indent=2) + "\n")
        return EXIT_OK
    console.print(f"{result.candidates} candidates compared", markup=False)
    console.print(f"Spearman's rho, total: {_fmt(result.spearman_total)}", markup=False)
    for cid, rho in result.spearman_criteria.items():
        mad = result.mean_abs_diff_criteria.get(cid)
        console.print(f"  {cid}: rho {_fmt(rho)}, mean absolute difference {_fmt(mad)} points", markup=False)
    console.print(
        f"quadratic-weighted kappa for bands: {_fmt(result.kappa_bands)} now, "
        f"{_fmt(result.kappa_proposed)} with the proposed thresholds",
        markup=False,
    )
    bands = ", ".join(
        f"{name} {result.current_thresholds[name]:g} → {threshold:g} %"
        for name, threshold in result.proposed_thresholds.items()
    )
    console.print(f"bands: {bands}", markup=False)
    if result.decision is not None:
        d = result.decision
        console.print(
            f"decision: {d.positive} from {d.threshold:g} % (balanced accuracy {d.balanced_accuracy:g}, "
            f"accuracy {d.accuracy:g})",
            markup=False,
        )
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    if result.unmatched:
        console.print(f"not in the team's file: {', '.join(result.unmatched)}", markup=False)
    console.print(f"rubric overlay written to {overlay}", markup=False)
    return EXIT_OK


# --------------------------------------------------------------------------- many Docker hosts: --broker, `grader worker`


def _broker_options(parser: argparse.ArgumentParser) -> None:
    """`--broker` (and `--result-backend`) on a command that submits grading work."""
    parser.add_argument(
        "--broker",
        metavar="URL",
        help=f"grade on `grader worker` hosts through this broker ({api.BROKER_URL_FORMS}); jobs or workers then "
        "count submissions in flight",
    )
    parser.add_argument(
        "--result-backend", metavar="URL", help="Redis store for results (default: the broker, when it is Redis)"
    )


def _worker_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `grader worker`."""
    worker = sub.add_parser("worker", help="grade submissions sent through a broker on this Docker host")
    worker.add_argument(
        "--broker",
        metavar="URL",
        default=os.environ.get(api.BROKER_ENV) or None,
        help=f"{api.BROKER_URL_FORMS} (default: ${api.BROKER_ENV})",
    )
    worker.add_argument(
        "--result-backend", metavar="URL", help="Redis store for results (default: the broker, when it is Redis)"
    )
    worker.add_argument("--concurrency", type=int, default=1, help="sandboxes at once (default: 1)")
    worker.add_argument("--runtime", choices=["runc", "runsc"], default=None, help="container runtime (default: runc)")
    worker.add_argument("--name", help="this worker's name in reports and logs (default: the host name)")
    worker.add_argument(
        "--queue", default=api.DEFAULT_QUEUE, help=f"queue to take tasks from (default: {api.DEFAULT_QUEUE})"
    )
    worker.add_argument(
        "--visibility-timeout",
        type=int,
        default=api.DEFAULT_VISIBILITY_TIMEOUT,
        help="seconds before a Redis broker hands an unacknowledged task to another worker; a task may run at most "
        f"0.9 × this (default: {api.DEFAULT_VISIBILITY_TIMEOUT})",
    )
    worker.add_argument(
        "--max-deliveries",
        type=int,
        default=api.DEFAULT_MAX_DELIVERIES,
        help=f"deliveries of one task before it ends as not graded (default: {api.DEFAULT_MAX_DELIVERIES})",
    )
    worker.add_argument("--work-dir", type=Path, help="scratch folder for unpacked assignments and submissions")


def _broker_settings(args: argparse.Namespace) -> api.BrokerSettings | None:
    """The broker settings given on the command line, or None without `--broker`."""
    url = getattr(args, "broker", None)
    if not url:
        return None
    return api.broker_settings(
        url,
        result_backend=getattr(args, "result_backend", None),
        queue=getattr(args, "queue", api.DEFAULT_QUEUE),
        visibility_timeout=getattr(args, "visibility_timeout", api.DEFAULT_VISIBILITY_TIMEOUT),
        max_deliveries=getattr(args, "max_deliveries", api.DEFAULT_MAX_DELIVERIES),
    )


def _worker(args: argparse.Namespace, console: Console) -> int:
    """`grader worker`: runs until stopped."""
    settings = _broker_settings(args)
    if settings is None:
        raise ConfigError(f"give --broker URL (or set ${api.BROKER_ENV})")
    return api.run_worker(
        settings,
        concurrency=args.concurrency,
        runtime=None if args.runtime in (None, "runc") else args.runtime,
        name=args.name,
        work_dir=args.work_dir,
        log_line=lambda line: console.print(line, markup=False),
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
