"""Parse the tracer's JSON lines (untrusted) into a `RuntimeTrace` with global cell indices.

The file comes from the candidate's process: it may be truncated, forged or full of
junk. Lines are size-capped and validated one by one; what does not validate is
dropped and counted. Cells are resolved through the execution record (notebook and
execution count → global cell index), never through anything the trace claims alone.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pydantic import TypeAdapter, ValidationError

from grader.models.execution import ExecutionRecord
from grader.models.trace import NotebookTrace, RowSet, RuntimeTrace, TraceEvent

MAX_TRACE_BYTES = 8 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024
MAX_LINES = 200_000
MAX_ROWSET_BYTES = 8 * 70_000
_EVENT = TypeAdapter(TraceEvent)
_KINDS = {"call", "split", "folds", "cv", "metric", "stat", "derive"}


class _Segment:
    """One notebook's part of the trace while it is being read."""

    def __init__(self, notebook: str) -> None:
        self.notebook = notebook
        self.events: list[dict[str, Any]] = []
        self.rowsets: dict[int, RowSet] = {}
        self.counts: dict[int, int] = {}
        self.started: dict[int, int] = {}
        self.errors: list[str] = []
        self.truncated = False
        self.disabled = False


def parse_trace(data: bytes, record: ExecutionRecord) -> RuntimeTrace:
    """The validated trace of a run; unusable (with the reason) when tracing failed or is absent."""
    status = record.tracing or "disabled"
    if status != "ok":
        return RuntimeTrace.unusable(f"tracing {status}" if not status.startswith("failed") else f"tracer {status}")
    if not data:
        return RuntimeTrace.unusable("the run produced no trace")
    if len(data) > MAX_TRACE_BYTES:
        data = data[:MAX_TRACE_BYTES]
    segments: list[_Segment] = []
    rejected = 0
    for number, raw in enumerate(data.split(b"\n")):
        if number >= MAX_LINES:
            rejected += 1
            break
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            rejected += 1
            continue
        try:
            item = json.loads(raw)
        except ValueError:
            rejected += 1
            continue
        if not isinstance(item, dict):
            rejected += 1
            continue
        kind = item.get("kind")
        if kind == "header":
            segments.append(_Segment(str(item.get("notebook", ""))[:500]))
            continue
        if not segments:
            rejected += 1
            continue
        if not _absorb(segments[-1], kind, item):
            rejected += 1
    if not segments:
        return RuntimeTrace.unusable("the trace has no header: the tracer did not start")
    notebooks = []
    for segment in segments:
        notebook, dropped = _finish(segment, record)
        notebooks.append(notebook)
        rejected += dropped
    notes = []
    if any(nb.truncated for nb in notebooks):
        notes.append("the trace was truncated at its size cap")
    if any(nb.disabled for nb in notebooks):
        notes.append("the tracer stopped recording after internal errors")
    if rejected:
        notes.append(f"{rejected} trace line(s) were invalid and ignored")
    return RuntimeTrace(usable=True, reason="; ".join(notes), notebooks=notebooks, rejected_lines=rejected)


def _absorb(segment: _Segment, kind: Any, item: dict[str, Any]) -> bool:
    if kind == "rows":
        rowset = _rowset(item)
        if rowset is None:
            return False
        segment.rowsets[rowset.id] = rowset
        return True
    if kind == "cell_done":
        run, count = item.get("run"), item.get("count")
        if isinstance(run, int) and isinstance(count, int) and run > 0:
            segment.counts[run] = count
            return True
        return run == 0
    if kind == "cell":
        run, started = item.get("run"), item.get("started")
        if isinstance(run, int) and isinstance(started, int):
            segment.started[run] = started
        return True
    if kind == "error":
        if len(segment.errors) < 200:
            segment.errors.append(f"{str(item.get('where', ''))[:80]}: {str(item.get('error', ''))[:150]}")
        return True
    if kind == "truncated":
        segment.truncated = True
        return True
    if kind == "disabled":
        segment.disabled = True
        return True
    if kind in _KINDS and len(segment.events) < 50_000:
        segment.events.append(item)
        return True
    return False


def _rowset(item: dict[str, Any]) -> RowSet | None:
    encoded = item.get("h")
    if not isinstance(encoded, str) or len(encoded) > MAX_ROWSET_BYTES * 4 // 3 + 8:
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(data) % 8:
        return None
    try:
        return RowSet(id=item.get("id"), n=item.get("n"), k=item.get("k"), data=data)
    except ValidationError:
        return None


def _finish(segment: _Segment, record: ExecutionRecord) -> tuple[NotebookTrace, int]:
    """Validate the events and give each its global cell index; also how many did not validate."""
    by_count = {(c.notebook, c.execution_count): c.index for c in record.cells if c.execution_count is not None}
    offsets = [segment.started[r] - segment.counts[r] for r in segment.counts if r in segment.started]
    # When a cell never finished (kernel died), its count is inferred from IPython's usual offset.
    offset = max(set(offsets), key=offsets.count) if offsets else 0
    events: list[TraceEvent] = []
    dropped = 0
    for item in segment.events:
        try:
            event = _EVENT.validate_python(item)
        except ValidationError:
            dropped += 1
            continue
        count = segment.counts.get(event.run)
        if count is None and event.run in segment.started:
            count = segment.started[event.run] - offset
        cell = by_count.get((segment.notebook, count)) if count is not None else None
        events.append(event.model_copy(update={"cell": cell}))
    events.sort(key=lambda e: e.seq)
    return NotebookTrace(
        notebook=segment.notebook,
        events=events,
        rowsets=segment.rowsets,
        errors=segment.errors,
        truncated=segment.truncated,
        disabled=segment.disabled,
    ), dropped
