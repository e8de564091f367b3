"""The reviewers' web app: upload a submission, follow its grading, read the report.

`create_app` builds the FastAPI application; `grader serve` runs it with uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> FastAPI:
    """See `grader.web.app.create_app` (imported lazily: the CLI loads this package for its options)."""
    from grader.web.app import create_app as _create_app

    return _create_app(*args, **kwargs)
