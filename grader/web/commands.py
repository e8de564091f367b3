"""`grader serve` and `grader user add`: the web app's command-line side.

Kept apart from `grader/cli.py` so the CLI does not import FastAPI unless one
of these commands runs.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path

from rich.console import Console

from grader import api
from grader.errors import ConfigError
from grader.web.settings import DEFAULT_DATA_DIR, GRADER_FACTORY_ENV, REPO, WebSettings

COMMANDS = ("serve", "user")


def add_subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `serve` and `user` on the main parser."""
    serve = sub.add_parser("serve", help="run the reviewers' web app")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="folder for the database, uploads and reports (default: ./grader-data)",
    )
    serve.add_argument("--workers", type=int, default=1, help="submissions graded at once (default: 1)")
    serve.add_argument(
        "--assignments",
        type=Path,
        action="append",
        help="an assignment folder, or a folder of them (repeatable; default: the sample_datasets/"
        " folders that hold an assignment.yaml)",
    )
    serve.add_argument(
        "--secure-cookies", action="store_true", help="mark cookies Secure (set this when the app is served over HTTPS)"
    )
    _database_option(serve)
    _broker_options(serve)  # --workers then counts submissions in flight

    user = sub.add_parser("user", help="manage reviewer accounts of the web app")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create a reviewer")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the web app's data folder")
    _database_option(add)


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        default=os.environ.get("GRADER_DATABASE_URL") or None,
        help="postgresql://user:password@host/name (default: $GRADER_DATABASE_URL, else SQLite in the data folder)",
    )


def _broker_options(parser: argparse.ArgumentParser) -> None:
    """`--broker` and `--result-backend`; the URL from $GRADER_BROKER_URL when absent (no password in `ps`)."""
    parser.add_argument(
        "--broker",
        metavar="URL",
        default=os.environ.get(api.BROKER_ENV) or None,
        help=f"grade on `grader worker` hosts through this broker ({api.BROKER_URL_FORMS}); jobs or workers then "
        f"count submissions in flight; default: ${api.BROKER_ENV}",
    )
    parser.add_argument(
        "--result-backend", metavar="URL", help="Redis store for results (default: the broker, when it is Redis)"
    )


def run(args: argparse.Namespace, console: Console) -> int:
    """Dispatch `serve` or `user`; returns the exit code."""
    if args.command == "serve":
        return _serve(args, console)
    return _user_add(args, console)


def _serve(args: argparse.Namespace, console: Console) -> int:
    import uvicorn

    from grader.web.app import create_app

    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    settings = WebSettings(
        data_dir=args.data,
        assignment_dirs=tuple(args.assignments) if args.assignments else (REPO / "sample_datasets",),
        workers=args.workers,
        secure_cookies=args.secure_cookies,
        grader_factory=os.environ.get(GRADER_FACTORY_ENV) or None,
        database=args.database,
        broker=args.broker,
        result_backend=args.result_backend,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    console.print(f"serving on http://{args.host}:{args.port}/ (data in {settings.data_dir.resolve()})")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=False, server_header=False)
    return 0


def _user_add(args: argparse.Namespace, console: Console) -> int:
    from grader.web.accounts import add_user
    from grader.web.databases import open_database

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise ConfigError("the passwords differ")
    db = open_database(args.database, args.data / WebSettings().db_path.name)
    try:
        db.initialise()
        add_user(db, args.name, password)
    finally:
        db.close()
    where = "the PostgreSQL database" if args.database else args.data.resolve()
    console.print(f"added reviewer {args.name} to {where}")
    return 0
