"""Read a `.py` script as a notebook: `# %%` cells (percent format) or one plain cell.

Used by `grader lint` on scripts and by the check examples, which are written as
readable percent-format files. `# %% [markdown]` cells hold markdown as comments. Each cell records the line of the script
its source starts on (`metadata["grader"]["first_line"]`), so findings point into the file.
"""

from __future__ import annotations

import re

import nbformat

_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
_MARKDOWN = re.compile(r"\[(markdown|md)\]", re.IGNORECASE)


def _markdown(lines: list[str]) -> str:
    out = []
    for line in lines:
        if line.startswith("# "):
            out.append(line[2:])
        elif line.strip() == "#":
            out.append("")
        else:
            out.append(line.lstrip("#"))
    return "\n".join(out).strip("\n")


def _leading_blank_lines(lines: list[str]) -> int:
    return next((n for n, line in enumerate(lines) if line.strip()), len(lines))


def has_cell_markers(text: str) -> bool:
    """Whether a script is split into `# %%` cells (a plain module is not)."""
    return any(_MARKER.match(line) for line in text.replace("\r\n", "\n").split("\n"))


def script_to_notebook(text: str) -> nbformat.NotebookNode:
    """Split a script into notebook cells; a script without markers is one code cell."""
    nb: nbformat.NotebookNode = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    lines = text.replace("\r\n", "\n").split("\n")
    if not any(_MARKER.match(line) for line in lines):
        cell = nbformat.v4.new_code_cell("\n".join(lines).strip("\n"))
        cell.metadata["grader"] = {"first_line": _leading_blank_lines(lines) + 1}
        nb.cells.append(cell)
        return nb
    chunks: list[tuple[bool, int, list[str]]] = []
    current: list[str] = []
    first = 1
    is_markdown = False
    started = False
    for number, line in enumerate(lines, start=1):
        match = _MARKER.match(line)
        if match:
            if started or any(part.strip() for part in current):
                chunks.append((is_markdown, first, current))
            current = []
            first = number + 1
            is_markdown = bool(_MARKDOWN.search(match.group("rest")))
            started = True
            continue
        current.append(line)
    chunks.append((is_markdown, first, current))
    for markdown, first, body in chunks:
        source = _markdown(body) if markdown else "\n".join(body).strip("\n")
        if not source.strip():
            continue
        cell = nbformat.v4.new_markdown_cell(source) if markdown else nbformat.v4.new_code_cell(source)
        cell.metadata["grader"] = {"first_line": first + (0 if markdown else _leading_blank_lines(body))}
        nb.cells.append(cell)
    return nb
