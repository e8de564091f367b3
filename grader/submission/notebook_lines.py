"""Where each cell's source lines sit in a notebook's JSON text, for annotations on the file.

GitHub annotations and SARIF regions point at lines of the file as stored. A notebook is
JSON, usually with one source line per JSON line; this reads the file with a decoder that
remembers where every string starts, so cell 3, line 2 can be shown on the right line of
the `.ipynb`. Anything unexpected gives no lines rather than wrong ones.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from typing import Any


class _Placed(str):
    """A JSON string value that remembers the offset of its opening quote."""

    __slots__ = ("offset",)
    offset: int


def _decode_with_offsets(text: str) -> Any:
    decoder = json.JSONDecoder()

    def parse_string(s: str, end: int, strict: bool = True) -> tuple[str, int]:
        value, after = json.decoder.scanstring(s, end, strict)  # type: ignore[attr-defined]
        placed = _Placed(value)
        placed.offset = end - 1
        return placed, after

    decoder.parse_string = parse_string  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    value, _ = decoder.raw_decode(text)
    return value


def source_file_lines(text: str) -> list[list[int]]:
    """For each cell, the 1-based file line of each of its source lines (empty when unknown)."""
    try:
        data = _decode_with_offsets(text)
    except (ValueError, RecursionError):
        return []
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        return []
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    result: list[list[int]] = []
    for cell in cells:
        source = cell.get("source") if isinstance(cell, dict) else None
        parts = source if isinstance(source, list) else [source]
        lines: list[int] = []
        for part in parts:
            if not isinstance(part, _Placed):
                lines = []
                break
            line = _line_at(newlines, part.offset)
            # A part holds one source line (nbformat's layout) or, in a single string, several.
            lines.extend([line] * max(1, part.count("\n") + (0 if part.endswith("\n") else 1)))
        result.append(lines)
    return result


def _line_at(newlines: list[int], offset: int) -> int:
    """1-based line of a character offset, by bisection over the newline offsets."""
    low, high = 0, len(newlines)
    while low < high:
        middle = (low + high) // 2
        if newlines[middle] < offset:
            low = middle + 1
        else:
            high = middle
    return low + 1
