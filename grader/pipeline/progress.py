"""Batch progress for people (a rich live table with an ETA) and for tools (JSON lines)."""

from __future__ import annotations

import json
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from grader.pipeline.batch import BatchEvent


class BatchProgress:
    """Shows per-submission state and an ETA; `quiet` shows nothing until the end."""

    def __init__(self, console: Console, *, quiet: bool = False, total: int | None = None) -> None:
        self.console = console
        self.quiet = quiet
        self._lock = threading.Lock()
        self._progress = Progress(
            TextColumn("[bold]grading[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[running]}", markup=False),  # submission names are not markup
            console=console,
            transient=False,
            disable=quiet or not console.is_terminal,
        )
        self._task = self._progress.add_task("batch", total=total, running="")
        self._running: dict[str, float] = {}
        #: The code cell each running submission has reached ("cell 3 of 12").
        self._cells: dict[str, str] = {}
        self._seen = 0

    def __enter__(self) -> BatchProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.__exit__(kind, value, tb)

    def handle(self, event: BatchEvent) -> None:
        with self._lock:
            if event.kind == "planned":
                self._progress.update(self._task, total=event.detail.get("total"))
            elif event.kind == "started":
                self._running[event.name] = time.monotonic()
                self._seen += 1
            elif event.kind == "cell" and event.name in self._running:
                self._cells[event.name] = f"cell {event.detail.get('cell')} of {event.detail.get('cells')}"
            elif event.kind in ("done", "skipped"):
                self._running.pop(event.name, None)
                self._cells.pop(event.name, None)
                if event.kind == "skipped":
                    self._seen += 1
                self._progress.advance(self._task)
                if not self.quiet and not self.console.is_terminal:
                    detail = event.detail
                    if event.kind == "done":
                        self.console.print(
                            f"  {event.name}: {detail.get('status')} "
                            f"{detail.get('score', 0):g}/{detail.get('max', 0):g}",
                            markup=False,
                        )
                    else:
                        self.console.print(f"  {event.name}: skipped ({detail.get('reason')})", markup=False)
            running = ", ".join(
                f"{name} ({self._cells[name]})" if name in self._cells else name for name in sorted(self._running)[:4]
            )
            self._progress.update(self._task, running=running)


class JsonLinesProgress:
    """One JSON object per event on a stream, for other tools to follow a batch."""

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def handle(self, event: BatchEvent) -> None:
        line = json.dumps(
            {"event": event.kind, "submission": event.name, "time": round(time.time(), 3), **event.detail}
        )
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()
