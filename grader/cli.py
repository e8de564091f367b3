"""`grader`: the command line. It parses arguments, calls `grader.api`, prints results.

Exit codes: 0 everything graded, 1 some submissions could not be graded (or, for
`lint`, a high-severity finding), 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from grader import __version__, api
from grader.errors import ConfigError, GraderError, SandboxError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade machine-learning take-home notebooks.")
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
    image_sub.add_parser("tag", help="print the tag of the image this grader uses")

    rubric = sub.add_parser("rubric", help="rubric tools")
    rubric_sub = rubric.add_subparsers(dest="rubric_command", required=True)
    validate = rubric_sub.add_parser("validate", help="check a rubric and list every problem")
    validate.add_argument("file", type=Path)

    checks = sub.add_parser("checks", help="list the registered checks")
    checks_sub = checks.add_subparsers(dest="checks_command", required=True)
    listing = checks_sub.add_parser("list", help="list every check")
    listing.add_argument("--json", action="store_true")

    sub.add_parser("reap", help="remove every container and volume the grader left behind")

    lint = sub.add_parser("lint", help="static checks only (no Docker) on a notebook or .py script")
    lint.add_argument("path", type=Path, help="a notebook (.ipynb) or a script (.py, `# %%` cells or plain)")
    lint.add_argument("--assignment", type=Path, help="assignment folder (target, leakage columns, structure)")
    lint.add_argument("--only", action="append", help="categories, check ids or slugs to run (e.g. leakage)")
    lint.add_argument("--json", action="store_true")

    from grader.web.commands import add_subcommands

    add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `grader` command line; returns the exit code (0 ok, 1 some failed, 2 usage error)."""
    console = Console(stderr=False, highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    try:
        return _dispatch(args, console)
    except ConfigError as exc:
        errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        return EXIT_USAGE
    except SandboxError as exc:
        errors.print(f"[red]sandbox error:[/red] {exc}")
        return EXIT_USAGE
    except GraderError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        return EXIT_SOME_FAILED
    except KeyboardInterrupt:
        errors.print("interrupted")
        return 130


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
    if args.command in ("serve", "user"):
        from grader.web import commands

        return commands.run(args, console)
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
        broker=_broker_settings(args),
    )


def _grade(args: argparse.Namespace, console: Console) -> int:
    grader = _grader(args)
    report = grader.grade(args.submission, out_dir=args.out, candidate=args.candidate)
    if report.status in (api.GradingStatus.rejected, api.GradingStatus.failed):
        console.print(f"[red]{report.status.value}[/red]: {report.error}")
        return EXIT_SOME_FAILED
    console.print(
        f"{report.submission.candidate}: {report.total.score:g}/{report.total.max:g} "
        f"({report.total.percent:g}%, {report.total.band}); run {report.execution.status.value}; "
        f"report in {args.out / 'report.json'}"
    )
    return EXIT_OK


def _batch(args: argparse.Namespace, console: Console) -> int:
    if not args.submissions.is_dir():
        raise ConfigError(f"{args.submissions} is not a folder of submissions")
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
    if not args.events:
        console.print(f"graded {total - len(ungraded)} of {total} submission(s); summary in {summaries}")
        for group, name, report in ungraded:
            label = f"{group}/{name}" if group else name
            first = (report.error or "").splitlines()[0][:200] if report.error else ""
            console.print(f"  [red]{label}[/red]: {report.status.value}: {first}")
        for group, r in results.items():
            if r.similarity is not None:
                where = f"{group}: " if group else ""
                found = r.similarity.error or f"{len(r.similarity.pairs)} similar pair(s)"
                console.print(f"  {where}{found}; see {r.out_dir / 'index.html'}", markup=False)
    return EXIT_SOME_FAILED if ungraded else EXIT_OK


def _image(args: argparse.Namespace, console: Console) -> int:
    if args.image_command == "tag":
        tag = api.runtime_image_tag()
        if tag is None:
            console.print("no runtime image for this grader version; run `grader image build`")
            return EXIT_SOME_FAILED
        console.print(tag)
        return EXIT_OK
    report = api.build_image(base=args.base, force=args.force, log=lambda line: console.print(line))
    for line in report.lines():
        console.print(line)
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
    result = api.lint(args.path, assignment=args.assignment, only=args.only)
    if args.json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=2) + "\n")
        return EXIT_SOME_FAILED if result.has_high else EXIT_OK
    for check, finding in result.problems:
        console.print(
            f"{check.id} {check.slug} [{finding.severity.value}, {finding.confidence.value} confidence]", markup=False
        )
        console.print(f"  {finding.message}", markup=False)
        for evidence in finding.evidence:
            where = ", ".join(
                p
                for p in (
                    f"cell {evidence.cell}" if evidence.cell is not None else "",
                    f"line {evidence.line}" if evidence.line else "",
                )
                if p
            )
            note = f" ({evidence.note})" if evidence.note else ""
            console.print(f"    {where or evidence.source.value}{note}", markup=False)
            for line in (evidence.snippet or "").splitlines()[:4]:
                console.print(f"      | {line}", markup=False)
    high = sum(1 for _, f in result.problems if f.severity.value == "high")
    console.print(
        f"{result.path}: {len(result.results)} checks, {len(result.problems)} finding(s), {high} high", markup=False
    )
    return EXIT_SOME_FAILED if result.has_high else EXIT_OK


def _checks_list(as_json: bool, console: Console) -> int:
    rows = api.list_checks()
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    for row in rows:
        console.print(f"{row['id']:8} {row['slug']:40} {row['category']:11} {row['summary']}", markup=False)
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
