"""What grading writes to a submission's output folder, each file atomically."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from grader.models.report import Report
from grader.rendering import render_report_html


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_evidence(out_dir: Path, executed: Mapping[str, bytes], collected: Mapping[str, bytes]) -> None:
    """The notebooks as executed (`executed/`) and the files the notebook wrote (`outputs/`)."""
    for rel, data in executed.items():
        safe = rel.replace("/", "__")
        atomic_write(out_dir / "executed" / safe, data)
    for name, data in collected.items():
        atomic_write(out_dir / "outputs" / name, data)


def write_report_files(
    report: Report,
    out_dir: Path,
    *,
    html: bool = True,
    executed: Mapping[str, Any] | None = None,
    submitted: Mapping[str, Any] | None = None,
    blind: bool = False,
) -> None:
    """report.json, and report.html unless `html` is False.

    `executed` holds the notebooks as run in the sandbox, `submitted` the ones saved in the
    submission (outputs of cells that did not run); `blind` also strips e-mails and home paths.
    """
    atomic_write(out_dir / "report.json", report.model_dump_json(indent=2).encode())
    if html:
        page = render_report_html(report, executed or {}, submitted, blind=blind)
        atomic_write(out_dir / "report.html", page.encode())


def read_executed(out_dir: Path) -> dict[str, Any]:
    """The executed notebooks `write_evidence` kept in `out_dir/executed/`, for rendering a report again."""
    executed: dict[str, Any] = {}
    folder = out_dir / "executed"
    if folder.is_dir():
        for path in folder.glob("*.ipynb"):
            try:
                executed[path.name.replace("__", "/")] = nbformat.reads(path.read_text("utf-8"), as_version=4)
            except Exception:  # noqa: BLE001 - an unreadable copy is simply not shown
                continue
    return executed


def load_report(path: Path) -> Report:
    """A report.json read back."""
    return Report.model_validate(json.loads(Path(path).read_text("utf-8")))
