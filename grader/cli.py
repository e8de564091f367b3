"""`grader`: the command line. It parses arguments, calls `grader.api`, prints results.

Exit codes: 0 everything graded, 1 some submissions could not be graded (or, for
`lint`, a high-severity finding), 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from grader import __version__, api
from grader.distributed.commands import broker_settings
from grader.errors import ConfigError, GraderError, SandboxError
from grader.grading import Grader
from grader.models.report import GradingStatus

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
    from grader.distributed.commands import add_broker_options, add_worker_command

    add_broker_options(batch)  # --jobs then counts submissions in flight
    add_worker_command(sub)

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
        from grader.distributed.commands import run_worker_command

        return run_worker_command(args, console)
    if args.command in ("serve", "user"):
        from grader.web import commands

        return commands.run(args, console)
    if args.command == "reap":
        from grader.execution.docker_client import DockerClient
        from grader.execution.sandbox import reap_leftovers

        console.print(f"removed {reap_leftovers(DockerClient.from_env(), everything=True)} leftover(s)")
        return EXIT_OK
    raise ConfigError(f"unknown command {args.command}")  # pragma: no cover - argparse prevents it


def _grader(args: argparse.Namespace, assignment: Path | None = None) -> Grader:
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
        broker=broker_settings(args),
    )


def _grade(args: argparse.Namespace, console: Console) -> int:
    grader = _grader(args)
    report = grader.grade(args.submission, out_dir=args.out, candidate=args.candidate)
    if report.status in (GradingStatus.rejected, GradingStatus.failed):
        console.print(f"[red]{report.status.value}[/red]: {report.error}")
        return EXIT_SOME_FAILED
    console.print(
        f"{report.submission.candidate}: {report.total.score:g}/{report.total.max:g} "
        f"({report.total.percent:g}%, {report.total.band}); run {report.execution.status.value}; "
        f"report in {args.out / 'report.json'}"
    )
    return EXIT_OK


def _batch(args: argparse.Namespace, console: Console) -> int:
    from grader.progress import BatchProgress, JsonLinesProgress

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
    handler = JsonLinesProgress(sys.stdout).handle if args.events else None
    with BatchProgress(console, quiet=quiet) as progress:
        if "" in groups:
            grader, folder = groups[""]
            result = api.grade_batch(
                folder,
                out=args.out,
                jobs=args.jobs,
                resume=args.resume,
                grader=grader,
                on_event=handler or progress.handle,
                broker=broker_settings(args),
            )
            results = {"": result}
        else:
            results = api.grade_assignments(
                groups,
                out=args.out,
                jobs=args.jobs,
                resume=args.resume,
                on_event=handler or progress.handle,
                broker=broker_settings(args),
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
    return EXIT_SOME_FAILED if ungraded else EXIT_OK


def _image(args: argparse.Namespace, console: Console) -> int:
    if args.image_command == "tag":
        from grader.execution.docker_client import DockerClient
        from grader.execution.image import find_runtime_image

        tag = find_runtime_image(DockerClient.from_env())
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
    from grader.checks.registry import default_registry
    from grader.loading import validate_rubric_file

    rubric, problems = validate_rubric_file(path, default_registry())
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
    from grader.checks.registry import default_registry

    registry = default_registry()
    rows = [
        {
            "id": s.id,
            "slug": s.slug,
            "category": s.category.value,
            "title": s.title,
            "summary": s.summary,
            "version": s.version,
            "requires": sorted(n.value for n in s.requires),
        }
        for s in registry
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    for row in rows:
        console.print(f"{row['id']:8} {row['slug']:40} {row['category']:11} {row['summary']}", markup=False)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
