"""`python -m grader`: the same command line as `grader`."""

from __future__ import annotations

import sys

from grader.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m grader"))
