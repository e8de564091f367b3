"""Live "cell i of n" from the sandbox's cells.jsonl: candidate code can write that file, so only exact lines count."""

from __future__ import annotations

import json

import pytest

from grader.execution.live_progress import (
    MAX_FILE_BYTES,
    CellFeed,
    CellProgress,
    parse_cell_line,
    parse_cells,
)


def _line(**fields: object) -> bytes:
    return json.dumps({"notebook": 1, "notebooks": 1, "cell": 1, "cells": 3, **fields}).encode()


def test_good_lines_are_read_in_order() -> None:
    data = b"\n".join(_line(cell=i) for i in (1, 2, 3)) + b"\n"
    cells = parse_cells(data)
    assert [c.cell for c in cells] == [1, 2, 3]
    assert cells[-1] == CellProgress(notebook=1, notebooks=1, cell=3, cells=3)
    assert cells[-1].text() == "cell 3 of 3"
    assert CellProgress(notebook=2, notebooks=3, cell=7, cells=23).text() == "cell 7 of 23 (notebook 2 of 3)"


@pytest.mark.parametrize(
    "line",
    [
        b"not json",
        b"",
        b"[1, 2, 3, 4]",
        b'"cell 1 of 3"',
        _line(cell="7"),  # a string, not an int
        _line(cell=2.0),  # a float
        _line(cell=True),  # bool is an int subclass in Python
        _line(cell=0),  # cells are 1-based
        _line(cell=4),  # beyond the count
        _line(cells=10**9, cell=1),  # an absurd count
        _line(notebook=2),  # beyond the notebooks
        _line(extra="<script>"),  # an unexpected key
        json.dumps({"cell": 1, "cells": 3}).encode(),  # missing keys
        b'{"notebook": 1, "notebooks": 1, "cell": 1, "cells": 3' + b" " * 300 + b"}",  # overlong line
        b"[" * 100_000,  # deep nesting
        b"\xff\xfe{}",  # not UTF-8
    ],
)
def test_garbage_lines_are_skipped(line: bytes) -> None:
    assert parse_cell_line(line) is None
    assert parse_cells(_line(cell=1) + b"\n" + line + b"\n" + _line(cell=2)) == [
        CellProgress(1, 1, 1, 3),
        CellProgress(1, 1, 2, 3),
    ]


def test_an_oversized_file_reports_nothing() -> None:
    line = _line(cell=1) + b"\n"
    flood = line * (MAX_FILE_BYTES // len(line) + 1)
    assert len(flood) > MAX_FILE_BYTES
    assert parse_cells(flood) == []
    assert parse_cells(flood[: MAX_FILE_BYTES - 100]) != []


def test_the_feed_passes_each_cell_on_once_and_survives_a_failing_listener() -> None:
    heard: list[int] = []
    feed = CellFeed(lambda cell: heard.append(cell.cell))
    feed.update(_line(cell=1))
    feed.update(_line(cell=1) + b"\n" + _line(cell=2))
    feed.update(_line(cell=1) + b"\n" + _line(cell=2) + b"\ngarbage\n" + _line(cell=3))
    feed.update(b"")  # a truncated file never repeats or rewinds
    assert heard == [1, 2, 3]

    def broken(cell: CellProgress) -> None:
        raise RuntimeError("display down")

    failing = CellFeed(broken)
    failing.update(_line(cell=1))  # does not raise
    assert failing.listener is None


def test_the_batch_display_names_the_running_cell() -> None:
    import io

    from rich.console import Console

    from grader.pipeline.batch import BatchEvent
    from grader.pipeline.progress import BatchProgress

    progress = BatchProgress(Console(file=io.StringIO(), force_terminal=False), total=2)
    progress.handle(BatchEvent("started", "alice"))
    progress.handle(BatchEvent("started", "bob"))
    progress.handle(BatchEvent("cell", "alice", CellProgress(1, 1, 3, 12).as_dict()))
    assert progress._progress.tasks[0].fields["running"] == "alice (cell 3 of 12), bob"
    progress.handle(BatchEvent("done", "alice", {"status": "graded", "score": 1, "max": 2}))
    progress.handle(BatchEvent("cell", "alice", CellProgress(1, 1, 4, 12).as_dict()))  # late: ignored
    assert progress._progress.tasks[0].fields["running"] == "bob"
